package postgres_test

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/postgres"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/sqlstore"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/storetest"
	"github.com/mlops-tf/terraform-provider-mlops/internal/testutil/pgtest"
)

// TestMain stops the throwaway PostgreSQL cluster when the tests end.
func TestMain(m *testing.M) { pgtest.Main(m) }

func open(t *testing.T, url string) *sqlstore.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), url, nil)
	if err != nil {
		t.Fatalf("postgres.Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestContract runs the store contract on PostgreSQL: each test has a
// database of its own, and each store of a test is a separate connection
// pool on it.
func TestContract(t *testing.T) {
	pgtest.Require(t)
	storetest.Run(t, storetest.PerTest(
		func(t *testing.T) string { return pgtest.URL(t) },
		func(t *testing.T, url string) registry.Store { return open(t, url) }))
}

// embeddedVersion is the highest embedded migration, NNNNN_name.sql.
func embeddedVersion(t *testing.T) int64 {
	t.Helper()
	names, err := fs.Glob(postgres.Dialect().Migrations, "*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("embedded migrations: %v, %v", names, err)
	}
	var v int64
	if _, err := fmt.Sscanf(names[len(names)-1], "%05d_", &v); err != nil {
		t.Fatalf("migration %s: %v", names[len(names)-1], err)
	}
	return v
}

func rawDB(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func queryInt(t *testing.T, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRowContext(t.Context(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// snapshot renders the schema of the public schema and every row of its
// tables, with the sequences' positions.
func snapshot(t *testing.T, db *sql.DB) string {
	t.Helper()
	ctx := t.Context()
	var b strings.Builder
	lines := func(q string) []string {
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer func() { _ = rows.Close() }()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, l := range lines(`SELECT c.relkind::text || ' ' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' ORDER BY 1`) {
		b.WriteString(l + "\n")
	}
	for _, l := range lines(`SELECT table_name || '.' || column_name || ' ' || data_type FROM information_schema.columns
		WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`) {
		b.WriteString(l + "\n")
	}
	for _, tbl := range lines(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`) {
		for _, row := range lines(`SELECT r::text FROM "` + tbl + `" r ORDER BY 1`) {
			b.WriteString(tbl + " " + row + "\n")
		}
	}
	for _, seq := range lines(`SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public' ORDER BY 1`) {
		for _, v := range lines(`SELECT last_value::text || ' ' || is_called::text FROM "` + seq + `"`) {
			b.WriteString(seq + " " + v + "\n")
		}
	}
	return b.String()
}

func TestMigrationCreatesSchema(t *testing.T) {
	u := pgtest.URL(t)
	r, err := registry.New(open(t, u), registry.Options{Environment: "dev", Actor: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.CreateModel(t.Context(), registry.Model{Name: "fraud"}); err != nil {
		t.Fatal(err)
	}
	db := rawDB(t, u)
	target := embeddedVersion(t)
	if v := queryInt(t, db, `SELECT MAX(version_id) FROM goose_db_version WHERE is_applied`); v != target {
		t.Errorf("schema version = %d, want %d", v, target)
	}
	// Each migration once, plus goose's version 0.
	if n := queryInt(t, db, `SELECT COUNT(*) FROM goose_db_version`); n != target+1 {
		t.Errorf("goose_db_version rows = %d, want %d", n, target+1)
	}
	// Opening an up-to-date registry writes nothing.
	before := snapshot(t, db)
	for range 2 {
		_ = open(t, u).Close()
	}
	if after := snapshot(t, db); after != before {
		t.Errorf("reopening changed the registry:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	u := pgtest.URL(t)
	r, err := registry.New(open(t, u), registry.Options{Environment: "dev", Actor: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.CreateFeatureGroup(t.Context(), registry.FeatureGroup{Name: "transactions", PrimaryKey: []string{"id"}}); err != nil {
		t.Fatal(err)
	}
	db := rawDB(t, u)
	if _, err := db.ExecContext(t.Context(), `INSERT INTO goose_db_version (version_id, is_applied) VALUES (999, true)`); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, db)

	for range 2 {
		s, err := postgres.Open(t.Context(), u, nil)
		if err == nil {
			_ = s.Close()
			t.Fatal("a registry with a newer schema was opened")
		}
		for _, w := range []string{"schema version is 999", fmt.Sprintf("newer than this provider understands (%d)", embeddedVersion(t)),
			"upgrade the provider", "Nothing was written"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not say %q", err, w)
			}
		}
	}
	if after := snapshot(t, db); after != before {
		t.Fatalf("the refused open changed the registry:\nbefore:\n%s\nafter:\n%s", before, after)
	}

	// The refused opens released the migration lock: once the schema is one
	// this provider knows again, an open goes through at once.
	if _, err := db.ExecContext(t.Context(), `DELETE FROM goose_db_version WHERE version_id = 999`); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		s, err := postgres.Open(t.Context(), u, nil)
		if err == nil {
			err = s.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("open after the downgrade: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("open blocked: a refused open kept the migration lock")
	}
}

// TestConcurrentFirstWrite writes to a new database from several stores at
// once: the advisory lock lets one create the schema, and every write
// succeeds.
func TestConcurrentFirstWrite(t *testing.T) {
	const openers, rounds = 8, 3
	for round := range rounds {
		u := pgtest.URL(t)
		var (
			wg     sync.WaitGroup
			start  = make(chan struct{})
			mu     sync.Mutex
			errs   []error
			opened []*sqlstore.Store
		)
		for range openers {
			opened = append(opened, open(t, u))
		}
		for i, s := range opened {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r, err := registry.New(s, registry.Options{Environment: "dev", Actor: "tester"})
				if err == nil {
					_, err = r.CreateFeatureGroup(t.Context(), registry.FeatureGroup{Name: fmt.Sprintf("g%d", i), PrimaryKey: []string{"id"}})
				}
				if err != nil {
					mu.Lock()
					defer mu.Unlock()
					errs = append(errs, fmt.Errorf("store %d: %w", i, err))
				}
			}()
		}
		close(start)
		wg.Wait()
		if len(errs) > 0 {
			t.Fatalf("round %d: %d of %d first writes failed: %v", round, len(errs), openers, errors.Join(errs...))
		}
		db := rawDB(t, u)
		if n, want := queryInt(t, db, `SELECT COUNT(*) FROM goose_db_version`), embeddedVersion(t)+1; n != want {
			t.Errorf("round %d: goose_db_version rows = %d, want %d (each version once)", round, n, want)
		}
		if n := queryInt(t, db, `SELECT COUNT(*) FROM feature_groups`); n != openers {
			t.Errorf("round %d: feature groups = %d, want %d", round, n, openers)
		}
	}
}

// password is the read-only role's password: no error may repeat it.
const password = "Pa55-w0rd-never-echoed"

func noPassword(t *testing.T, err error) {
	t.Helper()
	if err != nil && (strings.Contains(err.Error(), password) || strings.Contains(err.Error(), url.QueryEscape(password))) {
		t.Errorf("error repeats the password: %v", err)
	}
}

// TestReadOnlyRole opens an up-to-date registry with a role that may only
// read: it opens and reads (plan works), and every write is refused with a
// message that says what the role is good for.
func TestReadOnlyRole(t *testing.T) {
	ctx := t.Context()
	u := pgtest.URL(t)
	owner, err := registry.New(open(t, u), registry.Options{Environment: "dev", Actor: "owner"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := owner.CreateFeatureGroup(ctx, registry.FeatureGroup{Name: "transactions", PrimaryKey: []string{"id"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := owner.CreateFeatureVersion(ctx, registry.FeatureVersion{Group: "transactions", Version: 1,
		Features: []registry.Feature{{Name: "id", Type: "string"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.CreateModel(ctx, registry.Model{Name: "fraud"}); err != nil {
		t.Fatal(err)
	}
	ro := pgtest.ReadOnlyURL(t, u, password)
	db := rawDB(t, u)
	before := snapshot(t, db)

	s, err := postgres.Open(ctx, ro, nil)
	noPassword(t, err)
	if err != nil {
		t.Fatalf("a read-only role cannot open an up-to-date registry: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	r, err := registry.New(s, registry.Options{Environment: "dev", Actor: "reader"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := r.FeatureGroup(ctx, "transactions"); err != nil || !reflect.DeepEqual(got, g) {
		t.Errorf("read-only read = %+v, %v; want %+v", got, err, g)
	}
	ps, err := r.CheckFeatureVersionPlan(ctx, registry.FeatureVersionPlan{Group: "transactions", Version: 1,
		Features: []registry.Feature{{Name: "id", Type: "int"}}})
	if err != nil || !ps.HasErrors() {
		t.Errorf("plan with a read-only role = %v, %v; want the F1 problem", ps, err)
	}

	upd := g
	upd.Description = "changed"
	for what, err := range map[string]error{
		"create group":   second(r.CreateFeatureGroup(ctx, registry.FeatureGroup{Name: "accounts", PrimaryKey: []string{"id"}})),
		"update group":   second(r.UpdateFeatureGroup(ctx, upd)),
		"delete group":   r.DeleteModel(ctx, "fraud"),
		"create version": second(r.CreateFeatureVersion(ctx, registry.FeatureVersion{Group: "transactions", Version: 2, Features: []registry.Feature{{Name: "id", Type: "string"}}})),
	} {
		if err == nil {
			t.Errorf("%s with a read-only role succeeded", what)
			continue
		}
		noPassword(t, err)
		for _, w := range []string{"may not write", "plan", "permission denied"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", what, err, w)
			}
		}
	}
	if after := snapshot(t, db); after != before {
		t.Errorf("refused writes changed the registry:\nbefore:\n%s\nafter:\n%s", before, after)
	}

	// A registry the role would have to create reads as empty (plan
	// works); its first write is refused as clearly, and the password
	// stays hidden.
	fresh := pgtest.ReadOnlyURL(t, pgtest.URL(t), password)
	fs, err := postgres.Open(ctx, fresh, nil)
	noPassword(t, err)
	if err != nil {
		t.Fatalf("read-only open of a new registry: %v", err)
	}
	t.Cleanup(func() { _ = fs.Close() })
	fr, err := registry.New(fs, registry.Options{Environment: "dev", Actor: "reader"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fr.FeatureGroup(ctx, "transactions"); !registry.IsNotFound(err) {
		t.Errorf("read-only read of a new registry = %v, want not found", err)
	}
	_, err = fr.CreateModel(ctx, registry.Model{Name: "fraud"})
	noPassword(t, err)
	if err == nil || !strings.Contains(err.Error(), "may not write") {
		t.Errorf("read-only first write to a new registry = %v, want a refusal that says the role may not write", err)
	}

	// So is a database that is not there.
	missing, err := url.Parse(ro)
	if err != nil {
		t.Fatal(err)
	}
	missing.Path = "/no_such_database"
	_, err = postgres.Open(ctx, missing.String(), nil)
	noPassword(t, err)
	if err == nil {
		t.Error("opening a database that does not exist succeeded")
	}
}

func second[T any](_ T, err error) error { return err }
