package pgtest_test

import (
	"database/sql"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mlops-tf/terraform-provider-mlops/internal/testutil/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func open(t *testing.T, u string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func TestURLGivesFreshDatabases(t *testing.T) {
	a, b := pgtest.URL(t), pgtest.URL(t)
	if a == b {
		t.Fatalf("two tests' databases share a URL: %s", a)
	}
	if _, err := open(t, a).ExecContext(t.Context(), `CREATE TABLE x (id int)`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := open(t, b).QueryRowContext(t.Context(), `SELECT count(*) FROM pg_tables WHERE tablename = 'x'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the second database sees the first's table: %d, %v", n, err)
	}
}

func TestReadOnlyURL(t *testing.T) {
	u := pgtest.URL(t)
	if _, err := open(t, u).ExecContext(t.Context(), `CREATE TABLE x (id int); INSERT INTO x VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	ro := pgtest.ReadOnlyURL(t, u, "s3cret")
	if p, err := url.Parse(ro); err != nil || p.User.Username() == "postgres" || !strings.Contains(ro, "s3cret") {
		t.Fatalf("read-only URL %s, %v", ro, err)
	}
	db := open(t, ro)
	var n int
	if err := db.QueryRowContext(t.Context(), `SELECT count(*) FROM x`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("read: %d, %v", n, err)
	}
	for _, q := range []string{`INSERT INTO x VALUES (2)`, `CREATE TABLE y (id int)`} {
		_, err := db.ExecContext(t.Context(), q)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
			t.Errorf("%s: %v, want permission denied (42501)", q, err)
		}
	}
}

func TestRestart(t *testing.T) {
	u := pgtest.URL(t)
	db := open(t, u)
	if err := db.PingContext(t.Context()); err != nil {
		t.Fatal(err)
	}
	pgtest.Restart(t)
	// A new pool works at once; the restart broke the old pool's connection.
	if err := open(t, u).PingContext(t.Context()); err != nil {
		t.Fatalf("after the restart: %v", err)
	}
	// The admin pool works again too.
	_ = pgtest.URL(t)
}
