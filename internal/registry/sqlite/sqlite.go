// Package sqlite is the embedded registry store: one SQLite file, pure Go
// (modernc.org/sqlite), in WAL mode, holding every kind the registry keeps
// (feature groups, feature versions, models, model versions, validation
// suites, deployments) and the audit trail. Every write transaction starts
// with BEGIN IMMEDIATE and waits up to BusyTimeout for another writer, so
// that Terraform's parallel operations never see "database is locked".
//
// A write is durable when its transaction commits: with synchronous=FULL,
// the commit syncs the write-ahead log to disk. The log is copied into the
// database file by SQLite's automatic checkpoints (every 1,000 pages) and
// when the store is closed, as the provider process ends: the file alone
// then holds the registry again. A process that is killed leaves its
// committed writes in the log, and the next open of the file reads them.
//
// Opening and reading never write: a missing file reads as an empty
// registry and is created, with mode 0600, at the first write.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/sqlstore"
)

// BusyTimeout is how long a write waits for another writer to finish.
const BusyTimeout = 30 * time.Second

// FileMode is the mode of a registry file this package creates: the file
// holds the audit trail (who changed what), so only its owner may read it.
// SQLite gives the -wal and -shm files it creates beside it the same mode.
// An existing file keeps its mode.
const FileMode fs.FileMode = 0o600

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
		Tables:     `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`,
		Empty:      "an empty or missing file",
		// Set when the schema is created, not at open: setting it writes to
		// the file, and opening must not write to a file that is not a
		// registry.
		BeforeMigrate:     "PRAGMA journal_mode=WAL",
		SerialWrites:      true,
		PrepareStatements: true,
	}
}

// Open opens the registry file at path. It creates and writes nothing: a
// missing file reads as an empty registry until the first write creates it
// (and its directory) and its schema. A file that holds tables but is not a
// registry, or a registry of a newer schema, is refused.
func Open(ctx context.Context, path string, log hclog.Logger) (*sqlstore.Store, error) {
	return sqlstore.Open(ctx, &backend{path: path}, Dialect(), log)
}

// backend reaches the registry file.
type backend struct {
	path string

	mu sync.Mutex
	db *sql.DB
}

func (b *backend) Where() string { return b.path }

// DB opens the file once it exists; with create, it creates it first.
func (b *backend) DB(_ context.Context, create bool) (*sql.DB, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.db != nil {
		return b.db, nil
	}
	switch _, err := os.Stat(b.path); {
	case errors.Is(err, fs.ErrNotExist):
		if !create {
			return nil, nil
		}
		f, err := os.OpenFile(b.path, os.O_RDWR|os.O_CREATE|os.O_EXCL, FileMode)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("creating the registry file %s: %w", b.path, err)
		}
		if err == nil {
			if err := f.Close(); err != nil {
				return nil, fmt.Errorf("creating the registry file %s: %w", b.path, err)
			}
		}
	case err != nil:
		return nil, fmt.Errorf("opening the registry %s: %w", b.path, err)
	}
	q := url.Values{}
	// mode=rw: SQLite never creates the file; this package does, with its
	// mode.
	q.Add("mode", "rw")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	// Durable on commit: in WAL mode, NORMAL would sync only at checkpoints.
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+b.path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("opening the registry %s: %w", b.path, err)
	}
	b.db = db
	return db, nil
}

// LockSchema takes an exclusive lock of the registry's directory (creating
// the directory), so that two processes writing a new registry at once do
// not both create its schema. The lock is on the directory, not the file:
// SQLite's own locks are POSIX record locks, which a process loses when it
// closes any descriptor of the database file.
func (b *backend) LockSchema(context.Context) (func(), error) {
	dir := filepath.Dir(b.path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the registry directory %s: %w", dir, err)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, fmt.Errorf("locking the registry directory %s: %w", dir, err)
	}
	return unlock, nil
}

func (b *backend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.db == nil {
		return nil
	}
	return b.db.Close()
}
