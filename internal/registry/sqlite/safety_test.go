package sqlite_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/pressly/goose/v3"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/sqlite"
)

// fileSum is the size and sha256 of a file.
func fileSum(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d bytes, sha256 %x", len(b), sha256.Sum256(b))
}

// rawExec runs statements on a file outside the registry, in SQLite's
// default (rollback journal) mode, as another application would.
func rawExec(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func createGroup(ctx context.Context, r *registry.Registry, name string) error {
	_, err := r.CreateFeatureGroup(ctx, registry.FeatureGroup{Name: name, PrimaryKey: []string{"id"}})
	return err
}

// TestMissingFileReadsEmptyUntilTheFirstWrite: opening and reading a
// registry file that does not exist (a typo in the URL, say) creates
// neither the file nor its directory; the first write creates both, the
// file with mode 0600.
func TestMissingFileReadsEmptyUntilTheFirstWrite(t *testing.T) {
	ctx := t.Context()
	dir := filepath.Join(t.TempDir(), "no", "such", "dir")
	path := filepath.Join(dir, "typo.db")
	s := open(t, path)
	r := newRegistry(t, s, "dev")

	if _, err := r.FeatureGroup(ctx, "transactions"); !registry.IsNotFound(err) {
		t.Errorf("feature group of a missing registry: %v, want not found", err)
	}
	if _, err := r.ModelVersion(ctx, "fraud", 1); !registry.IsNotFound(err) {
		t.Errorf("model version of a missing registry: %v, want not found", err)
	}
	if _, err := r.LatestFeatureVersion(ctx, "transactions"); !registry.IsNotFound(err) {
		t.Errorf("latest feature version of a missing registry: %v, want not found", err)
	}
	if recs, err := r.Audit(ctx, registry.KindFeatureGroup, "transactions"); err != nil || len(recs) != 0 {
		t.Errorf("audit of a missing registry: %v, %v", recs, err)
	}
	if never, err := r.NeverWritten(ctx); err != nil || !never {
		t.Errorf("NeverWritten of a missing registry = %v, %v; want true", never, err)
	}
	if _, err := os.Stat(filepath.Join(t.TempDir(), "no")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("reading a missing registry created its directory: %v", err)
	}

	if err := createGroup(ctx, r, "transactions"); err != nil {
		t.Fatal(err)
	}
	if never, err := r.NeverWritten(ctx); err != nil || never {
		t.Errorf("NeverWritten after a write = %v, %v; want false", never, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("the first write did not create the registry: %v", err)
	}
	if fi.Mode().Perm() != sqlite.FileMode {
		t.Errorf("new registry file mode = %v, want %v", fi.Mode().Perm(), sqlite.FileMode)
	}
	// SQLite gives its write-ahead log and shared-memory index the mode of
	// the database file.
	for _, side := range []string{"-wal", "-shm"} {
		fi, err := os.Stat(path + side)
		if err != nil {
			t.Errorf("%s: %v", side, err)
			continue
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s file mode = %v, want no access for group and others", side, fi.Mode().Perm())
		}
	}
}

// TestExistingFileKeepsItsMode: a registry file whose owner chose its mode
// keeps it through writes.
func TestExistingFileKeepsItsMode(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "r.db")
	if err := createGroup(ctx, newRegistry(t, open(t, path), "dev"), "a"); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := createGroup(ctx, newRegistry(t, open(t, path), "dev"), "b"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o640 {
		t.Fatalf("registry file mode after a write: %v, %v; want 0640", fi, err)
	}
}

// TestForeignFileRefused: a SQLite file of another application is refused
// with the tables it holds named, and not one byte of it is written:
// neither by opening nor reading it, nor by a write, nor when it appears
// after the store was opened on a missing file.
func TestForeignFileRefused(t *testing.T) {
	ctx := t.Context()
	for _, tc := range []struct {
		name  string
		stmts []string
		want  []string
	}{
		{"other application", []string{
			`CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)`,
			`CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)`,
			`INSERT INTO customers (name) VALUES ('ada'), ('grace')`,
		}, []string{"is not an mlops registry", "it holds tables (customers, orders) but no goose_db_version", "nothing was written",
			"Point `registry` at an mlops registry or an empty or missing file"}},
		{"other goose application", []string{
			`CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY AUTOINCREMENT, version_id INTEGER NOT NULL, is_applied INTEGER NOT NULL, tstamp TIMESTAMP DEFAULT (datetime('now')))`,
			`INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, 1), (1, 1)`,
			`CREATE TABLE invoices (id INTEGER PRIMARY KEY)`,
		}, []string{"is not an mlops registry", "schema version 1 but it lacks the tables audit, feature_groups, feature_versions", "nothing was written"}},
		{"unreadable schema version", []string{
			`CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY)`,
		}, []string{"reading the registry schema version", "nothing was written"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "app.db")
			rawExec(t, path, tc.stmts...)
			before := fileSum(t, path)
			check := func(what string, err error) {
				t.Helper()
				if err == nil {
					t.Fatalf("%s: a foreign file was accepted", what)
				}
				for _, w := range append([]string{path}, tc.want...) {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("%s: error %q does not say %q", what, err, w)
					}
				}
				if after := fileSum(t, path); after != before {
					t.Fatalf("%s wrote to a foreign file: %s -> %s", what, before, after)
				}
			}

			_, err := sqlite.Open(ctx, path, nil)
			check("open", err)

			// Opened while the file was missing, the store finds it at the
			// next read and at the first write.
			moved := path + ".away"
			if err := os.Rename(path, moved); err != nil {
				t.Fatal(err)
			}
			s := open(t, path)
			if err := os.Rename(moved, path); err != nil {
				t.Fatal(err)
			}
			r := newRegistry(t, s, "dev")
			_, err = r.FeatureGroup(ctx, "transactions")
			check("read", err)
			check("write", createGroup(ctx, r, "transactions"))
			for _, side := range []string{"-wal", "-shm", "-journal"} {
				if _, err := os.Stat(path + side); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("%s beside the foreign file: %v", side, err)
				}
			}
		})
	}
}

// TestOlderSchemaMigratesAtTheFirstWrite: a registry of an older schema
// version reads (the tables it lacks read as empty) without being written,
// and the first write migrates it.
func TestOlderSchemaMigratesAtTheFirstWrite(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "old.db")
	first, err := fs.ReadFile(sqlite.Dialect().Migrations, "00001_feature_store.sql")
	if err != nil {
		t.Fatal(err)
	}
	{
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		_ = f.Close()
		db := rawDB(t, path)
		p, err := goose.NewProvider(goose.DialectSQLite3, db, fstest.MapFS{"00001_feature_store.sql": {Data: first}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Up(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`INSERT INTO feature_groups VALUES ('dev', 'transactions', '["id"]', '', 0, '', '{}', '2026-01-02T03:04:05Z', 1)`); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	before := fileSum(t, path)

	s := open(t, path)
	r := newRegistry(t, s, "dev")
	if g, err := r.FeatureGroup(ctx, "transactions"); err != nil || g.Revision != 1 {
		t.Fatalf("feature group of an older registry: %+v, %v", g, err)
	}
	if _, err := r.Model(ctx, "fraud"); !registry.IsNotFound(err) {
		t.Errorf("model of a registry without the models table: %v, want not found", err)
	}
	if _, err := r.Deployment(ctx, "fraud-scoring"); !registry.IsNotFound(err) {
		t.Errorf("deployment of a registry without the deployments table: %v, want not found", err)
	}
	if never, err := r.NeverWritten(ctx); err != nil || never {
		t.Errorf("NeverWritten of an environment with a feature group = %v, %v; want false", never, err)
	}
	if after := fileSum(t, path); after != before {
		t.Fatalf("reading an older registry wrote to it: %s -> %s", before, after)
	}

	if _, err := r.CreateModel(ctx, registry.Model{Name: "fraud"}); err != nil {
		t.Fatalf("first write to an older registry: %v", err)
	}
	if v := queryInt(t, rawDB(t, path), `SELECT MAX(version_id) FROM goose_db_version WHERE is_applied`); v != embeddedVersion(t) {
		t.Errorf("schema version after the first write = %d, want %d", v, embeddedVersion(t))
	}
	if _, err := r.Model(ctx, "fraud"); err != nil {
		t.Errorf("model written after the migration: %v", err)
	}
}
