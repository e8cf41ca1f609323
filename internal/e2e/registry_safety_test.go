package e2e

import (
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
	"github.com/mlops-tf/terraform-provider-mlops/internal/testutil/pgtest"
)

const safetyConfig = `
terraform {
  required_providers {
    mlops = { source = "mlops-tf/mlops" }
  }
}

provider "mlops" {
  environment = terraform.workspace
}

resource "mlops_feature_group" "transactions" {
  name        = "transactions"
  primary_key = ["account_id"]
}
`

// safetyWorkdir is a working directory whose registry is registryURL.
func safetyWorkdir(t *testing.T, registryURL string) *workdir {
	t.Helper()
	w := newWorkdir(t)
	w.writeFile("main.tf", safetyConfig)
	w.setenv("MLOPS_REGISTRY", registryURL)
	w.workspace("dev")
	return w
}

// fileSum is the size and sha256 of a file.
func fileSum(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d bytes, sha256 %x", len(b), sha256.Sum256(b))
}

// createForeignTables gives a database (driver "sqlite" or "pgx") the
// tables of another application, customers and orders, with rows.
func createForeignTables(t *testing.T, driver, dsn string) {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	for _, q := range []string{
		`CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)`,
		`CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)`,
		`INSERT INTO customers (id, name) VALUES (1, 'ada'), (2, 'grace')`,
	} {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// expectNotARegistry expects terraform to stop with the refusal of a
// database that is not a registry.
func expectNotARegistry(t *testing.T, r result, where string, tables string) {
	t.Helper()
	out := squash(r.stderr)
	if r.code != 1 {
		t.Fatalf("expected a refusal: %s", r)
	}
	for _, want := range []string{where + " is not an mlops registry", "it holds tables (" + tables + ") but no goose_db_version", "nothing was written", "Point `registry` at an mlops registry"} {
		if !strings.Contains(out, want) {
			t.Fatalf("the refusal lacks %q: %s", want, r)
		}
	}
}

// TestPlanNeverCreatesARegistry: a plan against a SQLite registry that does
// not exist (a typo in the path) creates neither the file nor its
// directory; apply creates both, the file readable by its owner only.
func TestPlanNeverCreatesARegistry(t *testing.T) {
	cliConfig(t)
	dir := filepath.Join(t.TempDir(), "registries")
	path := filepath.Join(dir, "typo.db")
	w := safetyWorkdir(t, "sqlite://"+path)

	r := w.run("plan", "-detailed-exitcode", "-no-color")
	if r.code != 2 || !strings.Contains(r.stdout, "mlops_feature_group.transactions will be created") {
		t.Fatalf("plan against a missing registry: expected the creation: %s", r)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("plan created the registry's directory (or file): %v", err)
	}

	w.apply()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("apply did not create the registry: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("registry file mode %v, want 0600", fi.Mode().Perm())
	}
	w.expectEmptyPlan()
}

// TestForeignSQLiteFileUntouched: plan and apply against another
// application's SQLite file are refused with its tables named, and the
// file keeps every byte.
func TestForeignSQLiteFileUntouched(t *testing.T) {
	cliConfig(t)
	path := filepath.Join(t.TempDir(), "app.db")
	createForeignTables(t, "sqlite", "file:"+path)
	before := fileSum(t, path)
	w := safetyWorkdir(t, "sqlite://"+path)

	expectNotARegistry(t, w.run("plan", "-no-color"), path, "customers, orders")
	if after := fileSum(t, path); after != before {
		t.Fatalf("plan wrote to a foreign file: %s -> %s", before, after)
	}
	expectNotARegistry(t, w.run("apply", "-auto-approve", "-no-color"), path, "customers, orders")
	if after := fileSum(t, path); after != before {
		t.Fatalf("a refused apply wrote to a foreign file: %s -> %s", before, after)
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil || len(entries) != 1 {
		t.Errorf("files beside the foreign file: %v, %v; want only app.db", entries, err)
	}
}

// pgTables lists the tables of a database's public schema with their row
// counts.
func pgTables(t *testing.T, url string) string {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	rows, err := db.QueryContext(t.Context(), `SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	_ = rows.Close()
	var b strings.Builder
	for _, n := range names {
		var count int
		if err := db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM "`+n+`"`).Scan(&count); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s: %d rows; ", n, count)
	}
	return b.String()
}

// TestPostgresPlanWritesNothing: a plan against an empty PostgreSQL
// database gives it no table (apply does); plan and apply against a
// database of another application are refused, its tables and their rows
// unchanged.
func TestPostgresPlanWritesNothing(t *testing.T) {
	cliConfig(t)
	empty := pgtest.URL(t)
	w := safetyWorkdir(t, empty)
	if r := w.run("plan", "-detailed-exitcode", "-no-color"); r.code != 2 {
		t.Fatalf("plan against an empty database: expected the creation: %s", r)
	}
	if tables := pgTables(t, empty); tables != "" {
		t.Fatalf("plan gave an empty database tables: %s", tables)
	}
	w.apply()
	if tables := pgTables(t, empty); !strings.Contains(tables, "feature_groups: 1 rows") {
		t.Fatalf("apply did not create the registry: %s", tables)
	}

	foreign := pgtest.URL(t)
	createForeignTables(t, "pgx", foreign)
	before := pgTables(t, foreign)
	w = safetyWorkdir(t, foreign)
	expectNotARegistry(t, w.run("plan", "-no-color"), registry.RedactURL(foreign), "customers, orders")
	expectNotARegistry(t, w.run("apply", "-auto-approve", "-no-color"), registry.RedactURL(foreign), "customers, orders")
	if after := pgTables(t, foreign); after != before {
		t.Fatalf("plan or apply changed a foreign database: %s -> %s", before, after)
	}
}
