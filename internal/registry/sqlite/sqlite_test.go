package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/sqlite"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/sqlstore"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/stores"
)

// embeddedVersion is the highest version among the embedded migrations,
// NNNNN_name.sql.
func embeddedVersion(t *testing.T) int64 {
	t.Helper()
	names, err := fs.Glob(sqlite.Dialect().Migrations, "*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("embedded migrations: %v, %v", names, err)
	}
	var highest int64
	for i, n := range names {
		prefix, _, _ := strings.Cut(n, "_")
		v, err := strconv.ParseInt(prefix, 10, 64)
		if err != nil {
			t.Fatalf("migration %s: %v", n, err)
		}
		if v != int64(i+1) {
			t.Errorf("migration %s: versions are not 1, 2, 3, …", n)
		}
		highest = max(highest, v)
	}
	return highest
}

func open(t *testing.T, path string) *sqlstore.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path, nil)
	if err != nil {
		t.Fatalf("sqlite.Open(%s): %v", path, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func newRegistry(t *testing.T, s registry.Store, env string) *registry.Registry {
	t.Helper()
	r, err := registry.New(s, registry.Options{Environment: env, Actor: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// rawDB opens the file directly, behind the store, read-write.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func queryInt(t *testing.T, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// snapshot renders the whole schema and every row of every table.
func snapshot(t *testing.T, db *sql.DB) string {
	t.Helper()
	rows, err := db.Query(`SELECT type, name, COALESCE(sql, '') FROM sqlite_master ORDER BY type, name`)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var tables []string
	for rows.Next() {
		var typ, name, ddl string
		if err := rows.Scan(&typ, &name, &ddl); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %s: %s\n", typ, name, ddl)
		if typ == "table" {
			tables = append(tables, name)
		}
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tbl := range tables {
		rs, err := db.Query(`SELECT * FROM "` + tbl + `" ORDER BY rowid`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rs.Columns()
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s %v\n", tbl, vals)
		}
		_ = rs.Close()
	}
	return b.String()
}

func TestMigrationCreatesSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.db")
	s := open(t, path)
	if _, err := newRegistry(t, s, "dev").CreateFeatureGroup(t.Context(), registry.FeatureGroup{Name: "g", PrimaryKey: []string{"id"}}); err != nil {
		t.Fatal(err)
	}
	db := s.DB()

	var names []string
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	_ = rows.Close()
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
	}
	for _, w := range []string{"audit", "audit_object", "feature_groups", "feature_versions", "goose_db_version"} {
		if !have[w] {
			t.Errorf("schema lacks %s; it has %v", w, names)
		}
	}
	target := embeddedVersion(t)
	if v := queryInt(t, db, `SELECT MAX(version_id) FROM goose_db_version WHERE is_applied`); v != target {
		t.Errorf("schema version = %d, want %d", v, target)
	}
	// Each migration applied once, plus goose's version 0.
	if n := queryInt(t, db, `SELECT COUNT(*) FROM goose_db_version`); n != target+1 {
		t.Errorf("goose_db_version rows = %d, want %d", n, target+1)
	}
	var mode string
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	if fk := queryInt(t, db, `PRAGMA foreign_keys`); fk != 1 {
		t.Errorf("foreign_keys = %d, want 1", fk)
	}
	if bt := queryInt(t, db, `PRAGMA busy_timeout`); bt != sqlite.BusyTimeout.Milliseconds() {
		t.Errorf("busy_timeout = %d, want %d", bt, sqlite.BusyTimeout.Milliseconds())
	}
	// The foreign key holds: no version without its group.
	_, err = db.Exec(`INSERT INTO feature_versions (environment, feature_group, version, features, deprecated, description, schema_hash, created_at, revision)
		VALUES ('dev', 'ghost', 1, '[]', 0, '', '', '', 1)`)
	if err == nil {
		t.Error("a feature version without its group was inserted")
	}
}

func TestReopenIsANoOp(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "r.db")
	s, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := newRegistry(t, s, "dev")
	if _, err := r.CreateFeatureGroup(ctx, registry.FeatureGroup{Name: "transactions", PrimaryKey: []string{"id"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, rawDB(t, path))

	for i := 0; i < 3; i++ {
		s2, err := sqlite.Open(ctx, path, nil)
		if err != nil {
			t.Fatalf("reopen %d: %v", i, err)
		}
		if _, err := newRegistry(t, s2, "dev").FeatureGroup(ctx, "transactions"); err != nil {
			t.Fatalf("reopen %d lost data: %v", i, err)
		}
		if err := s2.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if after := snapshot(t, rawDB(t, path)); after != before {
		t.Fatalf("reopening changed the registry:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if !strings.Contains(before, "goose_db_version") || !strings.Contains(before, "transactions") {
		t.Fatalf("snapshot misses content:\n%s", before)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "r.db")
	s, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newRegistry(t, s, "dev").CreateFeatureGroup(ctx, registry.FeatureGroup{Name: "transactions", PrimaryKey: []string{"id"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	{
		db, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (999, 1)`); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	before := snapshot(t, rawDB(t, path))
	beforeRows := queryInt(t, rawDB(t, path), `SELECT COUNT(*) FROM goose_db_version`)
	beforeBytes, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	for i := 0; i < 2; i++ {
		s, err := sqlite.Open(ctx, path, nil)
		if err == nil {
			_ = s.Close()
			t.Fatal("a registry with a newer schema was opened")
		}
		msg := err.Error()
		for _, w := range []string{path, "schema version is 999", fmt.Sprintf("newer than this provider understands (%d)", embeddedVersion(t)), "upgrade the provider", "Nothing was written"} {
			if !strings.Contains(msg, w) {
				t.Errorf("error %q does not say %q", msg, w)
			}
		}
	}

	after := snapshot(t, rawDB(t, path))
	if after != before {
		t.Fatalf("the refused open changed the registry:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if n := queryInt(t, rawDB(t, path), `SELECT COUNT(*) FROM goose_db_version`); n != beforeRows {
		t.Fatalf("goose_db_version rows %d -> %d", beforeRows, n)
	}
	afterBytes, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(beforeBytes, afterBytes) {
		t.Fatal("the refused open changed the registry file's bytes")
	}

	// The refused open released its lock: once the schema is one this
	// provider knows again, another open goes through at once.
	db := rawDB(t, path)
	if _, err := db.Exec(`DELETE FROM goose_db_version WHERE version_id = 999`); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		s, err := sqlite.Open(ctx, path, nil)
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

func isBusy(err error) bool {
	if err == nil {
		return false
	}
	m := strings.ToLower(err.Error())
	return strings.Contains(m, "locked") || strings.Contains(m, "busy")
}

// TestConcurrentWriters runs writers the way separate Terraform processes
// do: each with its own store on one file.
func TestConcurrentWriters(t *testing.T) {
	const writers, writesEach = 8, 25
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "r.db")
	{
		s := open(t, path)
		r := newRegistry(t, s, "dev")
		if _, err := r.CreateFeatureGroup(ctx, registry.FeatureGroup{Name: "shared", PrimaryKey: []string{"id"}}); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}

	features := []registry.Feature{{Name: "id", Type: "string"}, {Name: "x", Type: "double"}}
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make(chan error, writers*writesEach)
	)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			s, err := sqlite.Open(ctx, path, nil)
			if err != nil {
				errs <- fmt.Errorf("writer %d: open: %w", w, err)
				return
			}
			defer func() { _ = s.Close() }()
			r, err := registry.New(s, registry.Options{Environment: "dev", Actor: fmt.Sprintf("writer-%d", w)})
			if err != nil {
				errs <- err
				return
			}
			<-start
			own := fmt.Sprintf("group_%d", w)
			if _, err := r.CreateFeatureGroup(ctx, registry.FeatureGroup{Name: own, PrimaryKey: []string{"id"}}); err != nil {
				errs <- fmt.Errorf("writer %d: create group: %w", w, err)
			}
			for i := 1; i < writesEach; i++ {
				// Half the versions go into the writer's own group, half
				// into one group every writer shares.
				v := registry.FeatureVersion{Group: own, Version: int64(i), Features: features}
				if i%2 == 0 {
					v = registry.FeatureVersion{Group: "shared", Version: int64(w*writesEach + i), Features: features}
				}
				if _, err := r.CreateFeatureVersion(ctx, v); err != nil {
					errs <- fmt.Errorf("writer %d: create %s: %w", w, v.ID(), err)
				}
				if _, err := r.LatestFeatureVersion(ctx, "shared"); err != nil && !registry.IsNotFound(err) {
					errs <- fmt.Errorf("writer %d: read: %w", w, err)
				}
			}
		}(w)
	}
	close(start)
	wg.Wait()
	close(errs)
	var busy, other int
	for err := range errs {
		if isBusy(err) {
			busy++
		} else {
			other++
		}
		t.Error(err)
	}
	if busy > 0 || other > 0 {
		t.Fatalf("%d busy/locked errors, %d other errors", busy, other)
	}

	db := rawDB(t, path)
	perWriterShared := int64(0)
	for i := 1; i < writesEach; i++ {
		if i%2 == 0 {
			perWriterShared++
		}
	}
	wantVersions := int64(writers) * int64(writesEach-1)
	if n := queryInt(t, db, `SELECT COUNT(*) FROM feature_groups WHERE environment = 'dev'`); n != writers+1 {
		t.Errorf("feature groups = %d, want %d", n, writers+1)
	}
	if n := queryInt(t, db, `SELECT COUNT(*) FROM feature_versions WHERE environment = 'dev'`); n != wantVersions {
		t.Errorf("feature versions = %d, want %d", n, wantVersions)
	}
	if n := queryInt(t, db, `SELECT COUNT(*) FROM feature_versions WHERE feature_group = 'shared'`); n != perWriterShared*writers {
		t.Errorf("shared versions = %d, want %d", n, perWriterShared*writers)
	}
	// One audit row per write, plus the shared group's creation.
	if n := queryInt(t, db, `SELECT COUNT(*) FROM audit`); n != writers*writesEach+1 {
		t.Errorf("audit rows = %d, want %d", n, writers*writesEach+1)
	}
	for w := 0; w < writers; w++ {
		if n := queryInt(t, db, `SELECT COUNT(*) FROM audit WHERE actor = ?`, fmt.Sprintf("writer-%d", w)); n != writesEach {
			t.Errorf("writer %d audit rows = %d, want %d", w, n, writesEach)
		}
	}
}

// TestConcurrentFirstWrite writes to a brand-new registry from several
// stores at once: the schema lock lets exactly one create the file and its
// schema.
func TestConcurrentFirstWrite(t *testing.T) {
	const openers, rounds = 4, 5
	ctx := context.Background()
	for round := 0; round < rounds; round++ {
		path := filepath.Join(t.TempDir(), "sub", "new.db")
		var (
			wg     sync.WaitGroup
			start  = make(chan struct{})
			mu     sync.Mutex
			errs   []error
			opened []*sqlstore.Store
		)
		for i := 0; i < openers; i++ {
			s, err := sqlite.Open(ctx, path, nil)
			if err != nil {
				t.Fatal(err)
			}
			opened = append(opened, s)
		}
		for i, s := range opened {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r := newRegistry(t, s, "dev")
				_, err := r.CreateFeatureGroup(ctx, registry.FeatureGroup{Name: fmt.Sprintf("g%d", i), PrimaryKey: []string{"id"}})
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
			t.Fatalf("round %d: %v", round, errors.Join(errs...))
		}
		// Every store wrote, and the schema was created once.
		db := rawDB(t, path)
		if n, want := queryInt(t, db, `SELECT COUNT(*) FROM goose_db_version`), embeddedVersion(t)+1; n != want {
			t.Errorf("round %d: goose_db_version rows = %d, want %d (each version once)", round, n, want)
		}
		if n := queryInt(t, db, `SELECT COUNT(*) FROM feature_groups`); n != openers {
			t.Errorf("round %d: feature groups = %d, want %d", round, n, openers)
		}
		for _, s := range opened {
			if err := s.Close(); err != nil {
				t.Error(err)
			}
		}
	}
}

func TestUpdateRollsBack(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "r.db"))
	boom := errors.New("boom")
	err := s.Update(ctx, "dev", func(tx registry.Tx) error {
		if err := tx.InsertFeatureGroup(ctx, "dev", registry.FeatureGroup{Name: "half", PrimaryKey: []string{"id"}, Revision: 1}); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, registry.AuditRecord{Environment: "dev", Kind: registry.KindFeatureGroup, ObjectID: "half", Action: "create"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want the callback's error", err)
	}
	_, err = newRegistry(t, s, "dev").FeatureGroup(ctx, "half")
	if !registry.IsNotFound(err) {
		t.Fatalf("a rolled-back insert is visible: %v", err)
	}
	if n := queryInt(t, s.DB(), `SELECT COUNT(*) FROM audit`); n != 0 {
		t.Fatalf("a rolled-back audit row is visible: %d rows", n)
	}
}

func TestRelativePathCreatesDirectories(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	ctx := context.Background()

	loc, err := registry.ParseRegistryURL("sqlite://sub/dir/r.db")
	if err != nil {
		t.Fatal(err)
	}
	s, err := stores.Open(ctx, loc, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newRegistry(t, s, "dev").CreateFeatureGroup(ctx, registry.FeatureGroup{Name: "g", PrimaryKey: []string{"id"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "sub", "dir", "r.db"))
	if err != nil || fi.Size() == 0 {
		t.Fatalf("registry file: %v, %v", fi, err)
	}

	// The empty URL is the default file in the working directory, created
	// at the first write.
	loc, err = registry.ParseRegistryURL("")
	if err != nil {
		t.Fatal(err)
	}
	s, err = stores.Open(ctx, loc, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, registry.DefaultRegistryFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("opening the default registry created it: %v", err)
	}
	if _, err := newRegistry(t, s, "dev").CreateFeatureGroup(ctx, registry.FeatureGroup{Name: "g", PrimaryKey: []string{"id"}}); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	if _, err := os.Stat(filepath.Join(dir, registry.DefaultRegistryFile)); err != nil {
		t.Fatalf("default registry file: %v", err)
	}

	// Absolute form.
	abs := filepath.Join(t.TempDir(), "a", "b", "r.db")
	loc, err = registry.ParseRegistryURL("sqlite://" + filepath.ToSlash(abs))
	if err != nil || loc.Path != abs {
		t.Fatalf("ParseRegistryURL(absolute) = %+v, %v", loc, err)
	}
	s, err = stores.Open(ctx, loc, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newRegistry(t, s, "dev").CreateFeatureGroup(ctx, registry.FeatureGroup{Name: "g", PrimaryKey: []string{"id"}}); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	if _, err := os.Stat(abs); err != nil {
		t.Fatal(err)
	}

	// A postgres URL is not served by this build's stores.
	if _, err := stores.Open(ctx, registry.Location{Scheme: "postgres", URL: "postgres://u:secret@h/db"}, nil); err == nil ||
		strings.Contains(err.Error(), "secret") {
		t.Fatalf("postgres store: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plain")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A file is in the way of the registry's directory.
	under := filepath.Join(file, "sub", "r.db")
	_, err := sqlite.Open(context.Background(), under, nil)
	if err == nil || !strings.Contains(err.Error(), under) || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("Open under a file: %v", err)
	}
	// A file that is not a SQLite database.
	notDB := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(notDB, bytes.Repeat([]byte("not a database "), 512), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = sqlite.Open(context.Background(), notDB, nil)
	if err == nil || !strings.Contains(err.Error(), notDB) {
		t.Fatalf("Open of a non-database: %v", err)
	}
}

// TestWritesAreDurableAndTheFileHoldsThemAfterClose: each connection syncs
// its commits (synchronous=FULL: in WAL mode, NORMAL would not), writes are
// not copied into the database file one by one (a checkpoint after each
// write costs two more syncs), and closing the store
// copies them all: a copy of the file alone then holds every write, as
// after a provider process ends. A store that is not closed leaves them in
// the write-ahead log, and the next open reads them.
func TestWritesAreDurableAndTheFileHoldsThemAfterClose(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "r.db")
	s, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := newRegistry(t, s, "dev")
	for i := range 3 {
		if _, err := r.CreateFeatureGroup(ctx, registry.FeatureGroup{Name: fmt.Sprintf("g%d", i), PrimaryKey: []string{"id"}}); err != nil {
			t.Fatal(err)
		}
	}
	var synchronous int
	if err := s.DB().QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&synchronous); err != nil || synchronous != 2 {
		t.Errorf("PRAGMA synchronous = %d, %v; want 2 (FULL)", synchronous, err)
	}
	// Killed now: the writes are in the log, and a new open reads them.
	if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("the writes are not in the write-ahead log: %v, %v", fi, err)
	}
	killed := filepath.Join(t.TempDir(), "killed.db")
	for _, side := range []string{"", "-wal"} {
		copyFile(t, path+side, killed+side)
	}
	if _, err := newRegistry(t, open(t, killed), "dev").FeatureGroup(ctx, "g2"); err != nil {
		t.Errorf("the writes of a process that did not close the registry are lost: %v", err)
	}
	// Not checkpointed one by one: the file alone does not hold the last
	// write yet.
	unclosed := filepath.Join(t.TempDir(), "unclosed.db")
	copyFile(t, path, unclosed)
	if _, err := newRegistry(t, open(t, unclosed), "dev").FeatureGroup(ctx, "g2"); !registry.IsNotFound(err) {
		t.Errorf("the database file holds the last write before close (%v): each write was checkpointed, two more syncs per write", err)
	}

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		t.Errorf("closing left %d bytes in the write-ahead log", fi.Size())
	}
	alone := filepath.Join(t.TempDir(), "alone.db")
	copyFile(t, path, alone)
	for i := range 3 {
		if _, err := newRegistry(t, open(t, alone), "dev").FeatureGroup(ctx, fmt.Sprintf("g%d", i)); err != nil {
			t.Errorf("a copy of the file alone after close lacks g%d: %v", i, err)
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
