// Package sqlstore implements registry.Store over database/sql. The SQL is
// portable between SQLite and PostgreSQL; a Dialect holds what differs.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/pressly/goose/v3"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// Dialect is what differs between SQL databases.
type Dialect struct {
	// Name is the goose dialect of the migrations.
	Name goose.Dialect
	// Migrations holds the versioned migrations, NNNNN_name.sql at its root.
	Migrations fs.FS
	// Placeholders rewrites a query written with ? placeholders.
	Placeholders func(query string) string
	// AfterWrite, when set, runs after each committed write transaction.
	AfterWrite string
}

// DollarPlaceholders rewrites ? placeholders to $1, $2, … (PostgreSQL).
func DollarPlaceholders(q string) string {
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Store is a registry.Store over a database/sql handle.
type Store struct {
	db  *sql.DB
	d   Dialect
	log hclog.Logger
}

var _ registry.Store = (*Store)(nil)

// New returns a Store over db, whose schema Migrate has brought up to date.
func New(db *sql.DB, d Dialect, log hclog.Logger) *Store {
	if log == nil {
		log = hclog.NewNullLogger()
	}
	if d.Placeholders == nil {
		d.Placeholders = func(q string) string { return q }
	}
	return &Store{db: db, d: d, log: log}
}

// Migrate brings the registry schema up to date, each migration in its own
// transaction. A schema newer than this binary's migrations is refused and
// never written to. The caller serialises concurrent Migrate calls.
func Migrate(ctx context.Context, db *sql.DB, d Dialect, log hclog.Logger) error {
	p, err := goose.NewProvider(d.Name, db, d.Migrations)
	if err != nil {
		return fmt.Errorf("loading the registry migrations: %w", err)
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("reading the registry schema version: %w", err)
	}
	if current > target {
		return fmt.Errorf("the registry's schema version is %d, newer than this provider understands (%d): it was written by a newer mlops provider; upgrade the provider. Nothing was written", current, target)
	}
	if current == target {
		return nil
	}
	start := time.Now()
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrating the registry schema from version %d to %d: %w", current, target, err)
	}
	if log != nil {
		log.Info("registry schema migrated", "from", current, "to", target, "duration", time.Since(start).String())
	}
	return nil
}

// View runs fn with reads that each see committed data.
func (s *Store) View(ctx context.Context, fn func(registry.Tx) error) error {
	return fn(&tx{q: s.db, s: s})
}

// Update runs fn in one transaction.
func (s *Store) Update(ctx context.Context, fn func(registry.Tx) error) (err error) {
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("starting a registry transaction: %w", err)
	}
	defer func() {
		if err != nil {
			_ = sqlTx.Rollback()
		}
	}()
	if err = fn(&tx{q: sqlTx, s: s}); err != nil {
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		return fmt.Errorf("committing a registry transaction: %w", err)
	}
	if s.d.AfterWrite != "" {
		// Best effort: the write is committed whatever this returns.
		if _, cerr := s.db.ExecContext(ctx, s.d.AfterWrite); cerr != nil {
			s.log.Debug("after-write statement failed", "sql", s.d.AfterWrite, "error", cerr.Error())
		}
	}
	return nil
}

// Close closes the database handle.
func (s *Store) Close() error { return s.db.Close() }

// DB returns the database handle, for tests that reach behind the registry.
func (s *Store) DB() *sql.DB { return s.db }

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

type tx struct {
	q querier
	s *Store
}

func (t *tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	start := time.Now()
	res, err := t.q.ExecContext(ctx, t.s.d.Placeholders(query), args...)
	t.s.log.Trace("registry query", "sql", query, "duration", time.Since(start).String())
	return res, err
}

func (t *tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	start := time.Now()
	rows, err := t.q.QueryContext(ctx, t.s.d.Placeholders(query), args...)
	t.s.log.Trace("registry query", "sql", query, "duration", time.Since(start).String())
	return rows, err
}

func (t *tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	start := time.Now()
	row := t.q.QueryRowContext(ctx, t.s.d.Placeholders(query), args...)
	t.s.log.Trace("registry query", "sql", query, "duration", time.Since(start).String())
	return row
}

// changedOne checks that an update or delete guarded by a revision touched
// exactly one row, and reports a conflict otherwise.
func changedOne(res sql.Result, err error, kind registry.Kind, id, env string) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return &registry.ConflictError{Kind: kind, ID: id, Environment: env}
	}
	return nil
}

func notFound(err error, kind registry.Kind, id, env string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return &registry.NotFoundError{Kind: kind, ID: id, Environment: env}
	}
	return err
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func parseTime(s string) (time.Time, error) { return time.Parse(time.RFC3339, s) }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
