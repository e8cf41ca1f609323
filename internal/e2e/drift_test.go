package e2e

import (
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// driftStack is a stack with every kind of reference: feature group <-
// feature versions <- model versions <- deployment, and a data suite. With
// v2, a second feature version and model version are added and the
// deployment serves fraud/2.
func driftStack(v2 bool) string {
	served := "mlops_model_version.fraud_v1.id"
	more := ""
	if v2 {
		served = "mlops_model_version.fraud_v2.id"
		more = `
resource "mlops_feature_version" "v2" {
  feature_group_id = mlops_feature_group.transactions.id
  version          = 2
  features = [
    { name = "account_id", type = "string" },
    { name = "amount", type = "double" },
    { name = "amount_7d", type = "double" },
  ]
}

resource "mlops_model_version" "fraud_v2" {
  model_id            = mlops_model.fraud.id
  version             = 2
  artifact_uri        = "s3://models/fraud/2"
  feature_version_ids = [mlops_feature_version.v2.id]
}
`
	}
	return `
terraform {
  required_providers {
    mlops = {
      source = "mlops-tf/mlops"
    }
  }
}

provider "mlops" {
  registry = "sqlite://registry.db"
}

resource "mlops_feature_group" "transactions" {
  name        = "transactions"
  primary_key = ["account_id"]
}

resource "mlops_feature_version" "v1" {
  feature_group_id = mlops_feature_group.transactions.id
  version          = 1
  features = [
    { name = "account_id", type = "string" },
    { name = "amount", type = "double" },
  ]
}

resource "mlops_model" "fraud" {
  name = "fraud"
}

resource "mlops_model_version" "fraud_v1" {
  model_id            = mlops_model.fraud.id
  version             = 1
  artifact_uri        = "s3://models/fraud/1"
  feature_version_ids = [mlops_feature_version.v1.id]
}

resource "mlops_deployment" "scoring" {
  name             = "fraud-scoring"
  model_version_id = ` + served + `
}

resource "mlops_validation_suite" "quality" {
  name               = "transactions-quality"
  feature_version_id = mlops_feature_version.v1.id
  expectations       = [{ type = "expect_column_values_to_not_be_null", column = "account_id" }]
}
` + more
}

func (w *workdir) writeConfig(cfg string) {
	w.t.Helper()
	if err := os.WriteFile(filepath.Join(w.dir, "main.tf"), []byte(cfg), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// noReplacedReader fails when a plan replaces anything or warns of rule F2.
func noReplacedReader(t *testing.T, r result) {
	t.Helper()
	for _, bad := range []string{"must be replaced", "forces replacement", "rule F2", "Warning: Object still referenced"} {
		if strings.Contains(r.stdout+r.stderr, bad) {
			t.Fatalf("plan shows %q:\n%s", bad, r)
		}
	}
}

// TestPlanDestroyTellsTheTruth: destroying a whole stack warns of nothing
// (every reader leaves in the same plan) and destroys it.
func TestPlanDestroyTellsTheTruth(t *testing.T) {
	w := newWorkdir(t)
	w.writeConfig(driftStack(true))
	w.apply()
	r := w.must("plan", "-destroy", "-no-color")
	noReplacedReader(t, r)
	if !strings.Contains(r.stdout, "Plan: 0 to add, 0 to change, 8 to destroy.") {
		t.Fatalf("unexpected destroy plan:\n%s", r)
	}
	w.must("destroy", "-auto-approve", "-no-color")
	if got := w.stateList(); len(got) != 0 {
		t.Fatalf("state after destroy: %v", got)
	}
}

// TestRestoreOlderRegistry: the registry is restored from a copy taken
// before the last apply. The plan creates again what the copy lacks and
// changes the deployment back, replaces nothing and warns of nothing; one
// apply converges.
func TestRestoreOlderRegistry(t *testing.T) {
	w := newWorkdir(t)
	w.writeConfig(driftStack(false))
	w.apply()
	db := filepath.Join(w.dir, "registry.db")
	backup, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	w.writeConfig(driftStack(true))
	w.apply()
	if err := os.WriteFile(db, backup, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		_ = os.Remove(db + suffix)
	}
	r := w.must("plan", "-no-color")
	noReplacedReader(t, r)
	for _, want := range []string{
		`mlops_feature_version.v2 will be created`,
		`mlops_model_version.fraud_v2 will be created`,
		`mlops_deployment.scoring will be updated in-place`,
		"Plan: 2 to add, 1 to change, 0 to destroy.",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("plan lacks %q:\n%s", want, r)
		}
	}
	w.apply()
	w.expectEmptyPlan()
}

// TestDriftTour deletes or alters each kind of object behind Terraform's
// back, one at a time, and checks that the plan never replaces a reader
// nor warns falsely, and that one apply converges.
func TestDriftTour(t *testing.T) {
	w := newWorkdir(t)
	w.writeConfig(driftStack(true))
	w.apply()
	db := filepath.Join(w.dir, "registry.db")
	tour := []struct {
		name string
		sql  []string
		plan *regexp.Regexp
	}{
		{"feature group deleted", []string{`DELETE FROM feature_groups WHERE name = 'transactions'`},
			regexp.MustCompile(`Plan: 1 to add, 0 to change, 0 to destroy`)},
		{"feature version deleted", []string{`DELETE FROM feature_versions WHERE feature_group = 'transactions' AND version = 1`},
			regexp.MustCompile(`Plan: 1 to add, 0 to change, 0 to destroy`)},
		{"model deleted", []string{`DELETE FROM models WHERE name = 'fraud'`},
			regexp.MustCompile(`Plan: 1 to add, 0 to change, 0 to destroy`)},
		{"served model version deleted", []string{
			`DELETE FROM model_version_features WHERE model = 'fraud' AND version = 2`,
			`DELETE FROM model_versions WHERE model = 'fraud' AND version = 2`},
			regexp.MustCompile(`Plan: 1 to add, 0 to change, 0 to destroy`)},
		{"deployment moved", []string{`UPDATE deployments SET model_version = 'fraud/1' WHERE name = 'fraud-scoring'`},
			regexp.MustCompile(`Plan: 0 to add, 1 to change, 0 to destroy`)},
		{"suite deleted", []string{`DELETE FROM validation_suites WHERE name = 'transactions-quality'`},
			regexp.MustCompile(`Plan: 1 to add, 0 to change, 0 to destroy`)},
		{"feature version deprecated", []string{`UPDATE feature_versions SET deprecated = 1 WHERE feature_group = 'transactions' AND version = 1`},
			regexp.MustCompile(`Plan: 0 to add, 1 to change, 0 to destroy`)},
	}
	for _, step := range tour {
		sqliteExec(t, db, step.sql...)
		r := w.must("plan", "-no-color")
		noReplacedReader(t, r)
		if !step.plan.MatchString(r.stdout) {
			t.Fatalf("%s: plan does not match %s:\n%s", step.name, step.plan, r)
		}
		w.apply()
		w.expectEmptyPlan()
	}
}

// sqliteExec runs statements on a SQLite registry behind the provider's
// back, foreign keys not enforced, as a hand edit or a half-restored backup
// would leave it; each must change one row.
func sqliteExec(t *testing.T, path string, statements ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(0)&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	for _, q := range statements {
		res, err := db.ExecContext(t.Context(), q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("%s changed %d rows, want 1", q, n)
		}
	}
	if _, err := db.ExecContext(t.Context(), "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
}
