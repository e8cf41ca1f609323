// Package sqlstore implements registry.Store over database/sql. The SQL is
// portable between SQLite and PostgreSQL; a Dialect holds what differs.
package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
	// TxOptions are the options of write transactions.
	TxOptions *sql.TxOptions
	// Retryable reports whether a failed write transaction may be run again
	// from the start (a serialization failure or deadlock).
	Retryable func(error) bool
	// Explain, when set, turns a database error into one that says what it
	// means for the user (a read-only role, say); nil leaves it as it is.
	Explain func(error) error
	// SerialWrites makes the writers of one process take turns before they
	// reach the database, for a database with one writer at a time (SQLite):
	// they then wait on a mutex instead of polling the database's lock.
	SerialWrites bool
}

// maxAttempts bounds the runs of one write transaction that keeps failing
// with retryable errors.
const maxAttempts = 8

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
	db      *sql.DB
	d       Dialect
	log     hclog.Logger
	queries atomic.Int64
	writeMu sync.Mutex // held by each write when d.SerialWrites
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
// never written to; an up-to-date one is only read, so that a read-only role
// can plan. The caller serialises concurrent Migrate calls.
func Migrate(ctx context.Context, db *sql.DB, d Dialect, log hclog.Logger) error {
	p, err := goose.NewProvider(d.Name, db, d.Migrations)
	if err != nil {
		return fmt.Errorf("loading the registry migrations: %w", err)
	}
	sources := p.ListSources()
	target := sources[len(sources)-1].Version
	current, err := schemaVersion(ctx, db)
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
		err = explain(d, err)
		return fmt.Errorf("migrating the registry schema from version %d to %d: %w", current, target, err)
	}
	if log != nil {
		log.Info("registry schema migrated", "from", current, "to", target, "duration", time.Since(start).String())
	}
	return nil
}

// schemaVersion reads the highest applied migration without writing: 0 for
// a new database.
func schemaVersion(ctx context.Context, db *sql.DB) (int64, error) {
	var v sql.NullInt64
	err := db.QueryRowContext(ctx, `SELECT MAX(version_id) FROM `+goose.DefaultTablename+` WHERE is_applied`).Scan(&v)
	if err != nil {
		// No version table yet: a new database. Any other failure shows
		// again, clearly, when the migrations run.
		return 0, nil //nolint:nilerr // a missing table is version 0
	}
	return v.Int64, nil
}

func explain(d Dialect, err error) error {
	if d.Explain == nil || err == nil {
		return err
	}
	return d.Explain(err)
}

// View runs fn with reads that each see committed data.
func (s *Store) View(ctx context.Context, fn func(registry.Tx) error) error {
	return fn(&tx{q: s.db, s: s})
}

// Update runs fn in one transaction, and runs it again from the start when
// the database reports a retryable conflict with a concurrent transaction
// (fn then sees the other transaction's writes and checks its rules anew),
// or when the connection broke before the transaction committed.
func (s *Store) Update(ctx context.Context, fn func(registry.Tx) error) error {
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		err = s.update(ctx, fn)
		if err == nil || !s.retryable(err) {
			break
		}
		s.log.Debug("registry transaction conflicted or lost its connection, running it again", "attempt", attempt, "error", err.Error())
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt*attempt) * 5 * time.Millisecond):
		}
	}
	if err != nil {
		if lostConnection(err) {
			err = fmt.Errorf("the connection to the registry's database broke before this write was committed; nothing was written: %w", err)
		}
		return explain(s.d, err)
	}
	if s.d.AfterWrite != "" {
		// Best effort: the write is committed whatever this returns.
		if _, cerr := s.db.ExecContext(ctx, s.d.AfterWrite); cerr != nil {
			s.log.Debug("after-write statement failed", "sql", s.d.AfterWrite, "error", cerr.Error())
		}
	}
	return nil
}

// retryable reports whether a failed write transaction may run again from
// the start: the dialect says so, or the connection broke first.
func (s *Store) retryable(err error) bool {
	return lostConnection(err) || (s.d.Retryable != nil && s.d.Retryable(err))
}

// lostConnection reports a connection that broke before the database
// performed the operation: database/sql's driver.ErrBadConn, which a driver
// returns only when the server cannot have performed it (pgx: the
// connection was already closed, or a network error came before the query
// was sent). The transaction never committed, so it may run again.
func lostConnection(err error) bool { return errors.Is(err, driver.ErrBadConn) }

func (s *Store) update(ctx context.Context, fn func(registry.Tx) error) (err error) {
	if s.d.SerialWrites {
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
	sqlTx, err := s.db.BeginTx(ctx, s.d.TxOptions)
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
	return nil
}

// Queries is the number of queries the store has sent, for tests and
// benchmarks that count round trips.
func (s *Store) Queries() int64 { return s.queries.Load() }

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
	t.s.queries.Add(1)
	start := time.Now()
	res, err := t.q.ExecContext(ctx, t.s.d.Placeholders(query), args...)
	t.s.log.Trace("registry query", "sql", query, "duration", time.Since(start).String())
	return res, err
}

func (t *tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	t.s.queries.Add(1)
	start := time.Now()
	rows, err := t.q.QueryContext(ctx, t.s.d.Placeholders(query), args...)
	t.s.log.Trace("registry query", "sql", query, "duration", time.Since(start).String())
	return rows, err
}

func (t *tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	t.s.queries.Add(1)
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
