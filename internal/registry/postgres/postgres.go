// Package postgres is the shared registry store: one PostgreSQL (or
// PostgreSQL-compatible) database that serves every environment, for teams
// whose workspaces run on several machines. It uses pgx through
// database/sql; every write runs in one SERIALIZABLE transaction, run again
// from the start when it conflicts with a concurrent one, so that the
// registry's rules hold under concurrent writers.
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

// Dialect is the PostgreSQL dialect of the shared SQL store.
func Dialect() sqlstore.Dialect {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embedded directory always exists
	}
	return sqlstore.Dialect{
		Name:         goose.DialectPostgres,
		Migrations:   sub,
		Placeholders: sqlstore.DollarPlaceholders,
		TxOptions:    &sql.TxOptions{Isolation: sql.LevelSerializable},
		Retryable:    retryable,
		Explain:      explain,
	}
}

// Open connects to the registry database at url (a postgres:// or
// postgresql:// URL; libpq options such as sslmode pass through) and brings
// its schema up to date.
func Open(ctx context.Context, url string, log hclog.Logger) (*sqlstore.Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("opening the registry %s: %w", registry.RedactURL(url), redactErr(err, url))
	}
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("connecting to the registry %s: %w", registry.RedactURL(url), redactErr(err, url))
	}
	if err := migrate(ctx, db, log); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("registry %s: %w", registry.RedactURL(url), redactErr(err, url))
	}
	return sqlstore.New(db, Dialect(), log), nil
}

// migrate runs the schema check under a session advisory lock, so that
// concurrent provider processes do not both create the schema.
func migrate(ctx context.Context, db *sql.DB, log hclog.Logger) (err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return fmt.Errorf("locking the registry for its schema check: %w", err)
	}
	defer func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLock)
	}()
	return sqlstore.Migrate(ctx, db, Dialect(), log)
}

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

// redactErr hides the URL's password if a driver error repeats it.
func redactErr(err error, url string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if redacted := registry.RedactURL(url); redacted != url && strings.Contains(msg, url) {
		return errors.New(strings.ReplaceAll(msg, url, redacted))
	}
	return err
}
