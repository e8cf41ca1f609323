package e2e

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// upgradeFixture is a working directory, with its state and SQLite
// registry, written by the release before migration 00006 (see its
// README.md).
const upgradeFixture = "internal/e2e/testdata/upgrade-00005"

// upgradeAdditions, appended to the fixture's configuration, make the
// first write of today's provider (which migrates the registry) and read
// back the history the older release wrote.
const upgradeAdditions = `
resource "mlops_model_alias" "challenger" {
  model_id         = mlops_model.fraud.id
  name             = "challenger"
  model_version_id = mlops_model_version.fraud_v1.id
}

data "mlops_audit" "champion" {
  kind = "model_alias"
  id   = mlops_model_alias.champion.id
}

output "champion_created_by" {
  value = data.mlops_audit.champion.records[0].actor
}
`

// TestUpgradeFrom00005 runs today's provider on a registry and a state that
// the previous release wrote: the plan is empty and writes nothing; the
// first apply migrates the registry in place, and every row the older
// release wrote is still there, unchanged.
func TestUpgradeFrom00005(t *testing.T) {
	w := newWorkdir(t)
	w.copyUpgradeFixture()
	db := filepath.Join(w.dir, "registry.db")
	before := dumpSQLite(t, db)
	if got := schemaVersion(t, db); got != 5 {
		t.Fatalf("the fixture's schema version is %d, want 5", got)
	}
	sum := fileSum(t, db)

	w.expectEmptyPlan()
	if got := fileSum(t, db); got != sum {
		t.Fatalf("plan wrote to the older registry: %s, was %s", got, sum)
	}

	w.writeFile("upgrade.tf", upgradeAdditions)
	out := w.apply().stdout
	if !strings.Contains(out, "Apply complete! Resources: 1 added, 0 changed, 0 destroyed.") {
		t.Fatalf("the first apply after the upgrade should add the new alias only:\n%s", out)
	}
	if !strings.Contains(out, `champion_created_by = "release-bot"`) {
		t.Fatalf("the history the older release wrote should read back (the alias was created by release-bot):\n%s", out)
	}
	if got, want := schemaVersion(t, db), int64(9); got != want {
		t.Fatalf("schema version after the first write = %d, want %d", got, want)
	}
	after := dumpSQLite(t, db)
	for table, rows := range before {
		for _, row := range rows {
			if !slices.Contains(after[table], row) {
				t.Errorf("table %s lost or changed a row the older release wrote: %s", table, row)
			}
		}
	}
	for _, table := range []string{"model_version_approvals", "environments", "feature_views", "feature_view_sources", "model_version_views", "pipelines", "pipeline_reads", "pipeline_writes", "deployment_rollbacks", "deployment_shadows"} {
		if _, ok := after[table]; !ok {
			t.Errorf("the migration did not create table %s", table)
		}
	}
	if got, want := len(after["model_aliases"]), len(before["model_aliases"])+1; got != want {
		t.Errorf("model_aliases holds %d rows, want %d", got, want)
	}
	w.expectEmptyPlan()
}

// copyUpgradeFixture copies the upgrade fixture into the working
// directory: its configuration, its registry file, and its state with the
// provider's registry host of the binary the tests run.
func (w *workdir) copyUpgradeFixture() {
	w.t.Helper()
	host := w.providerHost()
	for from, to := range map[string]string{"main.tf": "main.tf", "terraform.tfstate.in": "terraform.tfstate", "registry.db": "registry.db"} {
		b, err := os.ReadFile(filepath.Join(moduleRoot(), upgradeFixture, from))
		if err != nil {
			w.t.Fatal(err)
		}
		if from == "terraform.tfstate.in" {
			b = bytes.ReplaceAll(b, []byte("PROVIDER_HOST/"), []byte(host+"/"))
		}
		if err := os.WriteFile(filepath.Join(w.dir, to), b, 0o600); err != nil {
			w.t.Fatal(err)
		}
	}
}

// dumpSQLite reads every row of every table of a SQLite file but the
// migration bookkeeping, each row as one string, by table.
func dumpSQLite(t *testing.T, path string) map[string][]string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	var tables []string
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, table := range tables {
		rows, err := db.Query(`SELECT * FROM ` + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		out[table] = []string{}
		for rows.Next() {
			values := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range values {
				ptrs[i] = &values[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			parts := make([]string, len(cols))
			for i, c := range cols {
				parts[i] = fmt.Sprintf("%s=%v", c, values[i])
			}
			out[table] = append(out[table], strings.Join(parts, " "))
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// schemaVersion is the newest migration applied to a SQLite registry.
func schemaVersion(t *testing.T, path string) int64 {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	var v int64
	if err := db.QueryRow(`SELECT MAX(version_id) FROM goose_db_version WHERE is_applied`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}
