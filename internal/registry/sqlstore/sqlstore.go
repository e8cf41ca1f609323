// Package sqlstore implements registry.Store over database/sql: the tables
// of every kind the registry holds (feature groups, feature versions,
// models, model versions, validation suites, deployments) and the audit
// trail. The SQL is portable between SQLite and PostgreSQL; a Dialect holds
// what differs and a Backend reaches the database.
//
// Opening a store and reading never write. A registry that does not exist
// yet (a missing SQLite file, a database without tables) reads as empty,
// and so do the tables a registry of an older schema version lacks (the
// migrations only add tables); the first write creates or migrates the
// schema under the backend's schema lock. A database that holds tables but
// no registry schema, or a schema newer than this binary's, is refused
// before anything is written.
package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/pressly/goose/v3"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// SchemaTable is the table that records the registry's schema version.
const SchemaTable = goose.DefaultTablename

// Dialect is what differs between SQL databases.
type Dialect struct {
	// Name is the goose dialect of the migrations.
	Name goose.Dialect
	// Migrations holds the versioned migrations, NNNNN_name.sql at its root.
	// They only add tables: a registry of an older schema reads as one
	// whose newer tables are empty.
	Migrations fs.FS
	// Tables lists the names of the tables of the database (or schema) the
	// registry lives in, sorted.
	Tables string
	// Empty says, for a refusal, what may be used instead of a database
	// that is not a registry ("an empty or missing file").
	Empty string
	// BeforeMigrate, when set, runs under the schema lock before the schema
	// is created or migrated (SQLite: the WAL journal mode).
	BeforeMigrate string
	// Placeholders rewrites a query written with ? placeholders.
	Placeholders func(query string) string
	// TxOptions are the options of write transactions.
	TxOptions *sql.TxOptions
	// LockEnvironment, when set, is the first statement of each write
	// transaction, with the environment as its one argument: a lock that
	// serialises the writers of one environment until the commit, and
	// leaves the writers of other environments alone.
	LockEnvironment string
	// Retryable reports whether a failed write transaction may be run again
	// from the start (a serialization failure or deadlock).
	Retryable func(error) bool
	// Explain, when set, turns a database error into one that says what it
	// means for the user (a read-only role, say); nil leaves it as it is.
	Explain func(error) error
	// PrepareStatements makes the store prepare each query once and reuse
	// the statement on every connection, for a driver that would otherwise
	// parse the query text again at each call (modernc.org/sqlite; pgx
	// keeps its own cache of statements per connection).
	PrepareStatements bool
	// SerialWrites makes the writers of one process take turns before they
	// reach the database, for a database with one writer at a time (SQLite):
	// they then wait on a mutex instead of polling the database's lock.
	SerialWrites bool
}

// Backend reaches one registry database.
type Backend interface {
	// Where names the database in messages (a path, a URL without its
	// password).
	Where() string
	// DB returns the database handle. With create false it creates
	// nothing and returns nil when the database does not exist yet (a
	// missing SQLite file); with create true, called under LockSchema, it
	// creates it.
	DB(ctx context.Context, create bool) (*sql.DB, error)
	// LockSchema takes the lock that serialises the creation and migration
	// of the schema between processes, and returns its release.
	LockSchema(ctx context.Context) (unlock func(), err error)
	// Close releases the database handle.
	Close() error
}

// RetryBudget bounds how long a write transaction that keeps meeting
// conflicts (or a broken connection) is run again before its error is
// returned.
const RetryBudget = 60 * time.Second

// Backoff between runs of a write transaction: exponential from
// backoffMin to backoffMax, each wait drawn at random below the bound so
// that writers that conflicted once do not meet again.
const (
	backoffMin = 5 * time.Millisecond
	backoffMax = time.Second
)

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
	b       Backend
	d       Dialect
	log     hclog.Logger
	queries atomic.Int64
	commits atomic.Int64
	retries atomic.Int64
	writeMu sync.Mutex // held by each write when d.SerialWrites

	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt // by query text, when d.PrepareStatements
	// retryBudget is RetryBudget but in tests.
	retryBudget time.Duration

	// target is the schema version of this binary's migrations; since
	// maps each table to the version that creates it.
	target int64
	since  map[string]int64

	mu sync.Mutex // guards what follows
	db *sql.DB    // nil while the database does not exist
	// version is the schema version last read.
	version int64
	// current is true once the schema is this binary's; until then
	// absent holds the tables reads find empty.
	current bool
	absent  map[string]bool
}

var _ registry.Store = (*Store)(nil)

// Open opens a store on the database b reaches, reading (never writing) its
// schema: it refuses a database that is not a registry, or one whose
// schema is newer than this binary's.
func Open(ctx context.Context, b Backend, d Dialect, log hclog.Logger) (*Store, error) {
	if log == nil {
		log = hclog.NewNullLogger()
	}
	if d.Placeholders == nil {
		d.Placeholders = func(q string) string { return q }
	}
	target, since, err := migrationTables(d.Migrations)
	if err != nil {
		return nil, err
	}
	s := &Store{b: b, d: d, log: log, target: target, since: since, retryBudget: RetryBudget}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refresh(ctx, false); err != nil {
		return nil, err
	}
	return s, nil
}

var createTableRE = regexp.MustCompile(`(?i)CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"?(\w+)"?`)

// migrationTables reads the highest migration version and the version that
// creates each table from the migrations, NNNNN_name.sql.
func migrationTables(migrations fs.FS) (target int64, since map[string]int64, err error) {
	names, err := fs.Glob(migrations, "*.sql")
	if err != nil || len(names) == 0 {
		return 0, nil, fmt.Errorf("loading the registry migrations: %v, %w", names, err)
	}
	since = map[string]int64{}
	for _, n := range names {
		prefix, _, _ := strings.Cut(n, "_")
		v, err := strconv.ParseInt(prefix, 10, 64)
		if err != nil {
			return 0, nil, fmt.Errorf("loading the registry migrations: %s: %w", n, err)
		}
		b, err := fs.ReadFile(migrations, n)
		if err != nil {
			return 0, nil, fmt.Errorf("loading the registry migrations: %w", err)
		}
		up, _, _ := strings.Cut(string(b), "-- +goose Down")
		for _, m := range createTableRE.FindAllStringSubmatch(up, -1) {
			since[m[1]] = v
		}
		target = max(target, v)
	}
	return target, since, nil
}

// refresh reads the schema of the database and records what reads find.
// With create, it is called under the schema lock and may create the
// database. The caller holds s.mu.
func (s *Store) refresh(ctx context.Context, create bool) error {
	if s.db == nil {
		db, err := s.b.DB(ctx, create)
		if err != nil {
			return err
		}
		s.db = db
	}
	version, tables, err := s.inspect(ctx)
	if err != nil {
		return err
	}
	absent := map[string]bool{}
	for t := range s.since {
		if !slices.Contains(tables, t) {
			absent[t] = true
		}
	}
	s.version = version
	s.current = version == s.target && len(absent) == 0
	s.absent = absent
	return nil
}

// inspect reads the schema version and the tables of the database without
// writing: version 0 and no tables for a database that does not exist or
// is empty.
func (s *Store) inspect(ctx context.Context) (version int64, tables []string, err error) {
	if s.db == nil {
		return 0, nil, nil
	}
	where := s.b.Where()
	if tables, err = s.tables(ctx); err != nil || len(tables) == 0 {
		return 0, nil, err
	}
	if !slices.Contains(tables, SchemaTable) {
		return 0, nil, fmt.Errorf("%s is not an mlops registry: it holds tables (%s) but no %s; nothing was written. Point `registry` at an mlops registry or %s",
			where, strings.Join(tables, ", "), SchemaTable, s.d.Empty)
	}
	var v sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT MAX(version_id) FROM `+SchemaTable+` WHERE is_applied`).Scan(&v); err != nil {
		return 0, nil, fmt.Errorf("registry %s: reading the registry schema version from %s: %w; nothing was written", where, SchemaTable, err)
	}
	version = v.Int64
	if version > s.target {
		return 0, nil, fmt.Errorf("registry %s: the registry's schema version is %d, newer than this provider understands (%d): it was written by a newer mlops provider; upgrade the provider. Nothing was written", where, version, s.target)
	}
	// Listed again after the version: a migration commits its tables with
	// its version, so every table of a version read is listed now, even
	// when another process migrated the schema since the first listing.
	if tables, err = s.tables(ctx); err != nil {
		return 0, nil, err
	}
	var lacks []string
	for t, since := range s.since {
		if since <= version && !slices.Contains(tables, t) {
			lacks = append(lacks, t)
		}
	}
	if len(lacks) > 0 {
		slices.Sort(lacks)
		return 0, nil, fmt.Errorf("%s is not an mlops registry: its %s says schema version %d but it lacks the tables %s; nothing was written. Point `registry` at an mlops registry or %s",
			where, SchemaTable, version, strings.Join(lacks, ", "), s.d.Empty)
	}
	return version, tables, nil
}

// tables lists the tables of the database.
func (s *Store) tables(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, s.d.Tables)
	if err != nil {
		return nil, fmt.Errorf("registry %s: listing its tables: %w", s.b.Where(), err)
	}
	defer func() { _ = rows.Close() }()
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("registry %s: listing its tables: %w", s.b.Where(), err)
		}
		tables = append(tables, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("registry %s: listing its tables: %w", s.b.Where(), err)
	}
	return tables, nil
}

// ensureSchema creates or migrates the schema, under the backend's schema
// lock, unless it is already this binary's.
func (s *Store) ensureSchema(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current {
		return nil
	}
	unlock, err := s.b.LockSchema(ctx)
	if err != nil {
		return fmt.Errorf("registry %s: locking it for its schema check: %w", s.b.Where(), err)
	}
	defer unlock()
	// Another process may have created or migrated the schema meanwhile.
	if err := s.refresh(ctx, true); err != nil {
		return err
	}
	if s.current {
		return nil
	}
	if err := s.migrate(ctx); err != nil {
		return fmt.Errorf("registry %s: %w", s.b.Where(), err)
	}
	return s.refresh(ctx, true)
}

// migrate brings the schema up to date, each migration in its own
// transaction.
func (s *Store) migrate(ctx context.Context) error {
	if s.d.BeforeMigrate != "" {
		if _, err := s.db.ExecContext(ctx, s.d.BeforeMigrate); err != nil {
			return fmt.Errorf("preparing the registry for its schema: %w", explain(s.d, err))
		}
	}
	p, err := goose.NewProvider(s.d.Name, s.db, s.d.Migrations)
	if err != nil {
		return fmt.Errorf("loading the registry migrations: %w", err)
	}
	start := time.Now()
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrating the registry schema from version %d to %d: %w", s.version, s.target, explain(s.d, err))
	}
	s.log.Info("registry schema migrated", "from", s.version, "to", s.target, "duration", time.Since(start).String())
	return nil
}

func explain(d Dialect, err error) error {
	if d.Explain == nil || err == nil {
		return err
	}
	return d.Explain(err)
}

// reader returns a Tx for reads. Until the schema is this binary's, the
// database is looked at again each time: another process may have created
// or migrated it.
func (s *Store) reader(ctx context.Context) (*tx, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.current {
		if err := s.refresh(ctx, false); err != nil {
			return nil, err
		}
	}
	return &tx{q: s.db, s: s, absent: s.absent}, nil
}

// View runs fn with reads that each see committed data.
func (s *Store) View(ctx context.Context, fn func(registry.Tx) error) error {
	t, err := s.reader(ctx)
	if err != nil {
		return err
	}
	return fn(t)
}

// Update creates or migrates the schema when it is not this binary's yet,
// then runs fn in one transaction, and runs it again from the start when
// the database reports a retryable conflict with a concurrent transaction
// (fn then sees the other transaction's writes and checks its rules anew),
// or when the connection broke before the transaction committed. It tries
// for RetryBudget at most, waiting a jittered, growing time between runs.
func (s *Store) Update(ctx context.Context, env string, fn func(registry.Tx) error) error {
	if err := s.ensureSchema(ctx); err != nil {
		return err
	}
	var (
		err      error
		start    = time.Now()
		attempts int
		wait     = backoffMin
	)
	for {
		attempts++
		err = s.update(ctx, env, fn)
		if err == nil || !s.retryable(err) {
			break
		}
		if time.Since(start) >= s.retryBudget {
			err = &RetriesExhaustedError{Attempts: attempts, Elapsed: time.Since(start).Round(time.Millisecond), Err: err}
			break
		}
		s.retries.Add(1)
		s.log.Debug("registry transaction conflicted or lost its connection, running it again", "attempt", attempts, "error", err.Error())
		select {
		case <-ctx.Done():
			return fmt.Errorf("the registry write was cancelled while waiting to run again after a conflict; nothing was written: %w", ctx.Err())
		case <-time.After(rand.N(wait) + time.Millisecond):
		}
		wait = min(2*wait, backoffMax)
	}
	if err != nil {
		var exhausted *RetriesExhaustedError
		if lostConnection(err) && !errors.As(err, &exhausted) {
			err = fmt.Errorf("the connection to the registry's database broke before this write was committed; nothing was written: %w", err)
		}
		return explain(s.d, err)
	}
	return nil
}

// RetriesExhaustedError is a write that met a conflict with concurrent
// writers (or a broken connection) each time it ran, until RetryBudget ran
// out. Nothing of it was written.
type RetriesExhaustedError struct {
	Attempts int
	Elapsed  time.Duration
	Err      error // the last run's error
}

func (e *RetriesExhaustedError) Error() string {
	return fmt.Sprintf("the registry's database refused this write %d times in %s because concurrent writes kept conflicting with it (or the connection kept breaking); "+
		"nothing was written, and running terraform apply again is safe. Last error: %v", e.Attempts, e.Elapsed, e.Err)
}

func (e *RetriesExhaustedError) Unwrap() error { return e.Err }

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

func (s *Store) update(ctx context.Context, env string, fn func(registry.Tx) error) (err error) {
	if s.d.SerialWrites {
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
	sqlTx, err := s.db.BeginTx(ctx, s.d.TxOptions)
	if err != nil {
		return fmt.Errorf("starting a registry transaction: %w", err)
	}
	// Rolled back whatever happens, a panic of fn included; after a commit
	// this does nothing.
	defer func() { _ = sqlTx.Rollback() }()
	t := &tx{q: sqlTx, s: s}
	if s.d.LockEnvironment != "" {
		if _, err := t.exec(ctx, s.d.LockEnvironment, env); err != nil {
			return fmt.Errorf("locking environment %q of the registry for this write: %w", env, err)
		}
	}
	if err := fn(t); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("committing a registry transaction: %w", err)
	}
	s.commits.Add(1)
	return nil
}

// Queries is the number of queries the store has sent, for tests and
// benchmarks that count round trips.
func (s *Store) Queries() int64 { return s.queries.Load() }

// Commits is the number of write transactions the store has committed,
// for tests that count what each write costs: each commit is one sync of
// the database to disk.
func (s *Store) Commits() int64 { return s.commits.Load() }

// Retries is the number of times a write transaction was run again after a
// conflict or a broken connection, for tests.
func (s *Store) Retries() int64 { return s.retries.Load() }

// Close closes the prepared statements and the database handle.
func (s *Store) Close() error {
	s.stmtMu.Lock()
	var errs []error
	for _, st := range s.stmts {
		errs = append(errs, st.Close())
	}
	s.stmts = nil
	s.stmtMu.Unlock()
	return errors.Join(append(errs, s.b.Close())...)
}

// maxStatements bounds the prepared statements a store keeps: the
// registry's queries are a fixed set, save the few whose text follows the
// number of their arguments.
const maxStatements = 500

// statement returns query prepared for the store, preparing it the first
// time, or nil when the dialect does not prepare statements, the cache is
// full or the query does not prepare (it then runs as text and reports its
// own error). database/sql prepares it again on each connection it runs on
// the first time, and reuses it there afterwards.
func (s *Store) statement(ctx context.Context, query string) *sql.Stmt {
	if !s.d.PrepareStatements {
		return nil
	}
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if st, ok := s.stmts[query]; ok {
		return st
	}
	if len(s.stmts) >= maxStatements {
		return nil
	}
	s.mu.Lock()
	db := s.db
	s.mu.Unlock()
	if db == nil {
		return nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	if s.stmts == nil {
		s.stmts = map[string]*sql.Stmt{}
	}
	s.stmts[query] = st
	return st
}

// DB returns the database handle, for tests that reach behind the registry:
// nil while the database does not exist.
func (s *Store) DB() *sql.DB {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.db
}

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

type tx struct {
	q querier
	s *Store
	// absent holds the tables that do not exist yet: they read as empty.
	absent map[string]bool
}

// missing reports a table that does not exist yet (a registry not created,
// or of an older schema version): it holds nothing.
func (t *tx) missing(table string) bool { return t.absent[table] }

// writtenTables are the tables Written looks in.
var writtenTables = []string{"audit", "feature_groups", "feature_versions", "models", "model_versions", "deployments", "validation_suites", "feature_views", "pipelines"}

func (t *tx) Written(ctx context.Context, env string) (bool, error) {
	var exists []string
	args := []any{}
	for _, tbl := range writtenTables {
		if !t.missing(tbl) {
			exists = append(exists, `EXISTS (SELECT 1 FROM `+tbl+` WHERE environment = ?)`)
			args = append(args, env)
		}
	}
	if len(exists) == 0 {
		return false, nil
	}
	var n int64
	err := t.queryRow(ctx, `SELECT CASE WHEN `+strings.Join(exists, " OR ")+` THEN 1 ELSE 0 END`, args...).Scan(&n)
	return n == 1, err
}

// on returns what runs query: its prepared statement (in the write
// transaction, for a write) or, without one, the connection or transaction.
func (t *tx) on(ctx context.Context, query string) querier {
	st := t.s.statement(ctx, query)
	if st == nil {
		return t.q
	}
	if sqlTx, ok := t.q.(*sql.Tx); ok {
		return stmtQuerier{sqlTx.StmtContext(ctx, st)}
	}
	return stmtQuerier{st}
}

// stmtQuerier runs a prepared statement as a querier: the query text it is
// given is the statement's own.
type stmtQuerier struct{ st *sql.Stmt }

func (q stmtQuerier) ExecContext(ctx context.Context, _ string, args ...any) (sql.Result, error) {
	return q.st.ExecContext(ctx, args...)
}

func (q stmtQuerier) QueryContext(ctx context.Context, _ string, args ...any) (*sql.Rows, error) {
	return q.st.QueryContext(ctx, args...)
}

func (q stmtQuerier) QueryRowContext(ctx context.Context, _ string, args ...any) *sql.Row {
	return q.st.QueryRowContext(ctx, args...)
}

func (t *tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	t.s.queries.Add(1)
	start := time.Now()
	q := t.s.d.Placeholders(query)
	res, err := t.on(ctx, q).ExecContext(ctx, q, args...)
	t.s.log.Trace("registry query", "sql", query, "duration", time.Since(start).String())
	return res, err
}

func (t *tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	t.s.queries.Add(1)
	start := time.Now()
	q := t.s.d.Placeholders(query)
	rows, err := t.on(ctx, q).QueryContext(ctx, q, args...)
	t.s.log.Trace("registry query", "sql", query, "duration", time.Since(start).String())
	return rows, err
}

func (t *tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	t.s.queries.Add(1)
	start := time.Now()
	q := t.s.d.Placeholders(query)
	row := t.on(ctx, q).QueryRowContext(ctx, q, args...)
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
