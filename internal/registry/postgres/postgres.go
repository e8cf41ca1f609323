// Package postgres is the shared registry store: one PostgreSQL (or
// PostgreSQL-compatible) database that serves every environment, for teams
// whose workspaces run on several machines, holding every kind the
// registry keeps (feature groups, feature versions, models, model
// versions, validation suites, deployments) and the audit trail. It uses
// pgx through database/sql.
//
// Each write runs in one transaction that first takes a transaction-scoped
// advisory lock of its environment: writers of one environment take turns,
// so that the registry's rules hold under concurrent writers, and writers
// of different environments never wait for or fail each other. A write
// that still meets a retryable error (a deadlock, a lost connection) runs
// again from the start.
//
// Opening and reading never write: a database without the registry's
// tables reads as an empty registry, and the first write creates them.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/hashicorp/go-hclog"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the advisory lock key that serialises schema checks of
// concurrent provider processes ("mlopsreg" in ASCII).
const migrationLock int64 = 0x6d6c6f7073726567

// environmentLock is the first key of the advisory locks of environments
// ("mlop" in ASCII); the second is a hash of the environment's name. Two
// environments whose names hash alike only take turns.
const environmentLock int32 = 0x6d6c6f70

// Dialect is the PostgreSQL dialect of the shared SQL store.
func Dialect() sqlstore.Dialect {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embedded directory always exists
	}
	return sqlstore.Dialect{
		Name:         goose.DialectPostgres,
		Migrations:   sub,
		Tables:       `SELECT tablename::text FROM pg_catalog.pg_tables WHERE schemaname = current_schema() ORDER BY tablename`,
		Empty:        "an empty database",
		Placeholders: sqlstore.DollarPlaceholders,
		// The environment lock serialises the writers of an environment;
		// READ COMMITTED lets each statement after it see what the previous
		// holder committed. SERIALIZABLE would take its snapshot before the
		// lock is granted, and fail writers of other environments through
		// the coarse predicate locks of its conflict detection.
		TxOptions:       &sql.TxOptions{Isolation: sql.LevelReadCommitted},
		LockEnvironment: fmt.Sprintf(`SELECT pg_advisory_xact_lock(%d, hashtext(?))`, environmentLock),
		Retryable:       retryable,
		Explain:         explain,
	}
}

// Open connects to the registry database at url (a postgres:// or
// postgresql:// URL; libpq options such as sslmode pass through) and reads
// its schema, writing nothing.
func Open(ctx context.Context, url string, log hclog.Logger) (*sqlstore.Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("opening the registry %s: %w", registry.RedactURL(url), redactErr(err, url))
	}
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("connecting to the registry %s: %w", registry.RedactURL(url), redactErr(err, url))
	}
	s, err := sqlstore.Open(ctx, &backend{db: db, url: url}, Dialect(), log)
	if err != nil {
		_ = db.Close()
		return nil, redactErr(err, url)
	}
	return s, nil
}

// backend reaches the registry database.
type backend struct {
	db  *sql.DB
	url string
}

func (b *backend) Where() string { return registry.RedactURL(b.url) }

func (b *backend) DB(context.Context, bool) (*sql.DB, error) { return b.db, nil }

// LockSchema takes a session advisory lock, so that concurrent provider
// processes do not both create or migrate the schema.
func (b *backend) LockSchema(ctx context.Context) (func(), error) {
	conn, err := b.db.Conn(ctx)
	if err != nil {
		return nil, redactErr(err, b.url)
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLock)
		_ = conn.Close()
	}, nil
}

func (b *backend) Close() error { return b.db.Close() }

// retryable reports a serialization failure, a deadlock, or a unique
// violation: a concurrent transaction created the same object after this
// one looked for it. Run again, the transaction sees that object and
// answers as the rules say (an object that already exists, say).
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01" || pgErr.Code == "23505")
}

// explain says what a permission error means for the user: the role can
// read (so plan works) but not write.
func explain(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == "42501" || pgErr.Code == "25006") {
		return fmt.Errorf("the registry's database role may not write (%s): it can be used to plan, not to apply; apply with a role that may write to the registry: %w", pgErr.Message, err)
	}
	return err
}

// redactErr hides the URL's password if an error repeats the URL. The
// result still wraps err: errors.Is and errors.As see through it.
func redactErr(err error, url string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if redacted := registry.RedactURL(url); redacted != url && strings.Contains(msg, url) {
		return &redactedError{msg: strings.ReplaceAll(msg, url, redacted), err: err}
	}
	return err
}

// redactedError is an error whose message has the password masked.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }

func (e *redactedError) Unwrap() error { return e.err }
