package postgres_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/postgres"
	"github.com/mlops-tf/terraform-provider-mlops/internal/testutil/pgtest"
)

// TestPreviousSchemaUpgradesInPlace: a database at schema version 5 (the
// release before approvals and environment policies), holding a chain with
// an alias, reads without being written; the first write migrates it in
// place, and every object and audit record reads back as before.
func TestPreviousSchemaUpgradesInPlace(t *testing.T) {
	pgtest.Require(t)
	ctx := t.Context()
	u := pgtest.URL(t)
	db := rawDB(t, u)
	p, err := goose.NewProvider(goose.DialectPostgres, db, postgres.Dialect().Migrations)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 5); err != nil {
		t.Fatal(err)
	}
	const at = "2026-11-20T10:00:00Z"
	for _, q := range []string{
		`INSERT INTO feature_groups VALUES ('prod', 'transactions', '["account_id"]', '', 0, '', '{}', '` + at + `', 1)`,
		`INSERT INTO feature_versions VALUES ('prod', 'transactions', 1, '[{"name":"account_id","type":"string"}]', 0, '', 'sha256:x', '` + at + `', 1)`,
		`INSERT INTO models VALUES ('prod', 'fraud', 'Card fraud scoring', '{}', '` + at + `', 1)`,
		`INSERT INTO model_versions VALUES ('prod', 'fraud', 1, 's3://models/fraud/1', 'sha256:abc', 'null', '{"auc":"0.91"}', '', '{}', '` + at + `', 1)`,
		`INSERT INTO model_version_features VALUES ('prod', 'fraud', 1, 'transactions', 1)`,
		`INSERT INTO model_aliases VALUES ('prod', 'fraud', 'champion', 1, 'serves prod', '` + at + `', 1)`,
		`INSERT INTO audit (environment, object_kind, object_id, action, before, after, at, actor) VALUES ('prod', 'model alias', 'fraud@champion', 'create', '', '{}', '` + at + `', 'release-bot')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	before := snapshot(t, db)

	r, err := registry.New(open(t, u), registry.Options{Environment: "prod", Actor: "risk-team"})
	if err != nil {
		t.Fatal(err)
	}
	read := func() string {
		t.Helper()
		var out []any
		for _, f := range []func() (any, error){
			func() (any, error) { return r.FeatureGroup(ctx, "transactions") },
			func() (any, error) { return r.FeatureVersion(ctx, "transactions", 1) },
			func() (any, error) { return r.Model(ctx, "fraud") },
			func() (any, error) { return r.ModelVersion(ctx, "fraud", 1) },
			func() (any, error) { return r.ModelAlias(ctx, "fraud", "champion") },
			func() (any, error) { return r.History(ctx, registry.KindModelAlias, "fraud@champion", 10) },
		} {
			v, err := f()
			if err != nil {
				t.Fatalf("reading the older registry: %v", err)
			}
			out = append(out, v)
		}
		return fmt.Sprintf("%+v", out)
	}
	objects := read()
	if _, err := r.Approval(ctx, "fraud/1"); !registry.IsNotFound(err) {
		t.Errorf("approval in a registry without the approvals table: %v, want not found", err)
	}
	if after := snapshot(t, db); after != before {
		t.Fatalf("reading an older registry wrote to it:\nbefore:\n%s\nafter:\n%s", before, after)
	}

	approval, err := r.CreateApproval(ctx, registry.Approval{ModelVersionID: "fraud/1", Status: registry.ApprovalApproved, Reason: "backtest"})
	if err != nil {
		t.Fatalf("first write to an older registry: %v", err)
	}
	if v := queryInt(t, db, `SELECT MAX(version_id) FROM goose_db_version WHERE is_applied`); v != embeddedVersion(t) {
		t.Errorf("schema version after the first write = %d, want %d", v, embeddedVersion(t))
	}
	if got := read(); got != objects {
		t.Errorf("objects changed by the migration:\nbefore: %s\nafter:  %s", objects, got)
	}
	got, err := r.Approval(ctx, "fraud/1")
	if err != nil || !reflect.DeepEqual(got, approval) || got.ArtifactDigest != "sha256:abc" {
		t.Errorf("approval written after the migration: %+v, %v; want %+v of artifact sha256:abc", got, err, approval)
	}
}
