// Package sqlite is the embedded registry store: one SQLite file, pure Go
// (modernc.org/sqlite), in WAL mode. Every write transaction starts with
// BEGIN IMMEDIATE and waits up to BusyTimeout for another writer, so that
// Terraform's parallel operations never see "database is locked".
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/sqlstore"
)

// BusyTimeout is how long a write waits for another writer to finish.
const BusyTimeout = 30 * time.Second

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect is the SQLite dialect of the shared SQL store.
func Dialect() sqlstore.Dialect {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embedded directory always exists
	}
	return sqlstore.Dialect{
		Name:       goose.DialectSQLite3,
		Migrations: sub,
		// The provider process ends without closing the store: copy each
		// write from the write-ahead log into the database file at once, so
		// that the file alone holds the registry (a backup of it included).
		AfterWrite:   "PRAGMA wal_checkpoint(PASSIVE)",
		SerialWrites: true,
	}
}

// Open opens (creating it if needed) the registry file at path and brings its
// schema up to date.
func Open(ctx context.Context, path string, log hclog.Logger) (*sqlstore.Store, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the registry directory %s: %w", dir, err)
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("opening the registry %s: %w", path, err)
	}
	if err := migrate(ctx, db, dir, path, log); err != nil {
		_ = db.Close()
		return nil, err
	}
	return sqlstore.New(db, Dialect(), log), nil
}

// migrate runs the schema check under an exclusive lock of the registry's
// directory, so that two processes opening a new registry at once do not
// both create its schema. The lock is on the directory, not the file:
// SQLite's own locks are POSIX record locks, which a process loses when it
// closes any descriptor of the database file.
func migrate(ctx context.Context, db *sql.DB, dir, path string, log hclog.Logger) error {
	unlock, err := lockDir(dir)
	if err != nil {
		return fmt.Errorf("locking the registry directory %s for the schema check: %w", dir, err)
	}
	defer unlock()
	if err := sqlstore.Migrate(ctx, db, Dialect(), log); err != nil {
		return fmt.Errorf("registry %s: %w", path, err)
	}
	return nil
}
