package postgres_test

import (
	"strings"
	"testing"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/postgres"
	"github.com/mlops-tf/terraform-provider-mlops/internal/testutil/pgtest"
)

// TestEmptyDatabaseGetsNoTablesUntilTheFirstWrite: opening and reading an
// empty database (what plan does) creates no table; the first write
// creates the schema.
func TestEmptyDatabaseGetsNoTablesUntilTheFirstWrite(t *testing.T) {
	pgtest.Require(t)
	ctx := t.Context()
	u := pgtest.URL(t)
	db := rawDB(t, u)
	before := snapshot(t, db)
	r, err := registry.New(open(t, u), registry.Options{Environment: "dev", Actor: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.ModelVersion(ctx, "fraud", 1); !registry.IsNotFound(err) {
		t.Errorf("model version of an empty database: %v, want not found", err)
	}
	if never, err := r.NeverWritten(ctx); err != nil || !never {
		t.Errorf("NeverWritten of an empty database = %v, %v; want true", never, err)
	}
	if after := snapshot(t, db); after != before {
		t.Fatalf("opening and reading an empty database wrote to it:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if _, err := r.CreateModel(ctx, registry.Model{Name: "fraud"}); err != nil {
		t.Fatal(err)
	}
	if n := queryInt(t, db, `SELECT COUNT(*) FROM models`); n != 1 {
		t.Errorf("models after the first write = %d, want 1", n)
	}
}

// TestForeignDatabaseRefused: a database that holds another application's
// tables is refused, naming them, and nothing in it changes: not its table
// list, not a row.
func TestForeignDatabaseRefused(t *testing.T) {
	pgtest.Require(t)
	ctx := t.Context()
	u := pgtest.URL(t)
	db := rawDB(t, u)

	// Opened while the database was empty, a store finds the tables at its
	// next read and at its first write.
	early, err := registry.New(open(t, u), registry.Options{Environment: "dev", Actor: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE orders (id bigserial PRIMARY KEY, total numeric)`,
		`CREATE TABLE customers (id bigserial PRIMARY KEY, name text)`,
		`INSERT INTO customers (name) VALUES ('ada'), ('grace')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	before := snapshot(t, db)
	check := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: a foreign database was accepted", what)
		}
		for _, w := range []string{registry.RedactURL(u), "is not an mlops registry", "it holds tables (customers, orders) but no goose_db_version",
			"nothing was written", "Point `registry` at an mlops registry or an empty database"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", what, err, w)
			}
		}
		if after := snapshot(t, db); after != before {
			t.Fatalf("%s changed a foreign database:\nbefore:\n%s\nafter:\n%s", what, before, after)
		}
	}
	_, err = postgres.Open(ctx, u, nil)
	check("open", err)
	_, err = early.FeatureGroup(ctx, "transactions")
	check("read", err)
	_, err = early.CreateModel(ctx, registry.Model{Name: "fraud"})
	check("write", err)
}
