// Package pgtest gives tests a fresh PostgreSQL database each.
//
// The databases live on the server that MLOPS_TEST_POSTGRES_URL names when
// it is set (a postgres:// URL of a role that may create databases), and
// otherwise on a throwaway cluster that the first test to ask for one starts
// for the whole test binary: initdb into a temporary directory, a server
// that listens on a unix socket only (no TCP), run as the OS user postgres
// when the tests run as root. A test binary that uses this package calls
// Main (or Stop) from its TestMain, so that the cluster stops when the
// binary exits; a watchdog process stops it too if the binary dies first.
//
// Where neither is possible (PostgreSQL is not installed) the tests skip
// with SkipMessage.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// EnvURL names the environment variable of an existing PostgreSQL server to
// test against, as a postgres:// URL. Each test gets a new database on it,
// dropped when the test ends.
const EnvURL = "MLOPS_TEST_POSTGRES_URL"

// SkipMessage is why PostgreSQL tests skip where there is no server.
const SkipMessage = "PostgreSQL not installed: skipping PostgreSQL tests (set " + EnvURL + " or install postgresql)"

// serverOptions are the throwaway cluster's settings: a unix socket only,
// room for the connections that parallel tests and leaked test pools hold,
// and no durability (the cluster is thrown away).
var serverOptions = []string{
	"-c listen_addresses=''",
	"-c max_connections=400",
	"-c fsync=off",
	"-c synchronous_commit=off",
	"-c full_page_writes=off",
}

// port names the cluster's socket file; nothing listens on TCP.
const port = 5432

var (
	mu      sync.Mutex
	once    sync.Once
	srv     *server
	srvErr  error
	skipped bool
)

// server is where the test databases are created.
type server struct {
	admin *url.URL // a role that may create databases and roles, on its maintenance database
	db    *sql.DB  // a pool on admin
	c     *cluster // nil when the server is EnvURL's
}

// get returns the server, starting the throwaway cluster on first use; it
// skips the test where PostgreSQL is not installed.
func get(t testing.TB) *server {
	t.Helper()
	once.Do(func() {
		srv, srvErr = start()
	})
	mu.Lock()
	defer mu.Unlock()
	switch {
	case skipped:
		t.Skip(SkipMessage)
	case srvErr != nil:
		t.Fatalf("PostgreSQL test server: %v", srvErr)
	case srv == nil:
		t.Fatal("PostgreSQL test server: stopped (pgtest.Stop ran before this test)")
	}
	return srv
}

func start() (*server, error) {
	if raw := os.Getenv(EnvURL); raw != "" {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return nil, fmt.Errorf("%s must be a postgres:// URL", EnvURL)
		}
		return connect(u, nil)
	}
	bin := findBinDir()
	if bin == "" {
		skipped = true
		return nil, nil
	}
	c, err := newCluster(bin)
	if err != nil {
		return nil, err
	}
	s, err := connect(c.url("postgres", "postgres"), c)
	if err != nil {
		c.stop()
		return nil, err
	}
	return s, nil
}

func connect(admin *url.URL, c *cluster) (*server, error) {
	db, err := sql.Open("pgx", admin.String())
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("connecting to %s: %w", admin.Redacted(), err)
	}
	return &server{admin: admin, db: db, c: c}, nil
}

// Require skips the test where PostgreSQL is not installed, and starts the
// throwaway cluster otherwise: for a test that asks for databases in its
// subtests, so that it skips once.
func Require(t testing.TB) {
	t.Helper()
	get(t)
}

// findBinDir finds the directory of initdb and pg_ctl: on PATH, else the
// newest /usr/lib/postgresql/<version>/bin (Debian's layout).
func findBinDir() string {
	if p, err := exec.LookPath("initdb"); err == nil {
		if _, err := exec.LookPath("pg_ctl"); err == nil {
			return filepath.Dir(p)
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
	for _, d := range dirs {
		if isFile(filepath.Join(d, "initdb")) && isFile(filepath.Join(d, "pg_ctl")) {
			return d
		}
	}
	return ""
}

func pgVersion(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

// URL creates a new, empty database for this test and returns its URL, for
// the server's admin role. The database is dropped when the test ends, with
// whatever connections to it are still open (the provider never closes its
// store: each provider instance of an acceptance test leaves a pool open).
func URL(t testing.TB) string {
	t.Helper()
	s := get(t)
	name := "mlops_test_" + randomHex(t, 6)
	if _, err := s.pool().ExecContext(t.Context(), `CREATE DATABASE `+name); err != nil {
		t.Fatalf("creating test database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), time.Minute)
		defer cancel()
		if _, err := s.pool().ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("dropping test database %s: %v", name, err)
		}
	})
	return s.dbURL(name, nil)
}

// pool is the admin role's connection pool.
func (s *server) pool() *sql.DB {
	mu.Lock()
	defer mu.Unlock()
	return s.db
}

// dbURL is the URL of database name on the server, for the admin role or,
// when role is set, for that role.
func (s *server) dbURL(name string, role *url.Userinfo) string {
	u := *s.admin
	u.Path = "/" + name
	u.RawPath = ""
	if role != nil {
		u.User = role
	}
	return u.String()
}

// ReadOnlyURL creates a role that may connect to the database of dbURL (a
// URL that URL returned) and read every table of its public schema, but not
// write, and returns the database's URL for that role with password in it.
// Tables created later by the admin role are readable too. The role is
// dropped when the test ends.
//
// The throwaway cluster trusts local connections, so the password is not
// checked there; tests use it to see that no error repeats it.
func ReadOnlyURL(t testing.TB, dbURL, password string) string {
	t.Helper()
	s := get(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatalf("ReadOnlyURL: %v", err)
	}
	dbName := strings.TrimPrefix(u.Path, "/")
	role := "mlops_ro_" + randomHex(t, 4)
	ctx := t.Context()
	if _, err := s.pool().ExecContext(ctx, `CREATE ROLE `+role+` LOGIN PASSWORD `+quoteLiteral(password)); err != nil {
		t.Fatalf("creating role %s: %v", role, err)
	}
	db := openDB(t, dbURL)
	for _, q := range []string{
		`GRANT CONNECT ON DATABASE ` + dbName + ` TO ` + role,
		// Before PostgreSQL 15 everyone may create tables in public.
		`REVOKE CREATE ON SCHEMA public FROM PUBLIC`,
		`GRANT USAGE ON SCHEMA public TO ` + role,
		`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ` + role,
		`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ` + role,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Cleanup(func() {
		ctx := context.WithoutCancel(t.Context())
		for _, q := range []struct {
			db  *sql.DB
			sql string
		}{
			{s.pool(), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '` + role + `'`},
			{db, `DROP OWNED BY ` + role},
			{s.pool(), `DROP ROLE IF EXISTS ` + role},
		} {
			if _, err := q.db.ExecContext(ctx, q.sql); err != nil {
				t.Errorf("dropping role %s: %s: %v", role, q.sql, err)
				return
			}
		}
	})
	return s.dbURL(dbName, url.UserPassword(role, password))
}

// openDB opens a pool on url, closed when the test ends.
func openDB(t testing.TB, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// Restart restarts the throwaway cluster (pg_ctl restart -m fast): every
// open connection breaks. The cluster serves every test of the binary, so a
// test that restarts it must not run in parallel with other PostgreSQL
// tests. It skips when the server is EnvURL's, which tests do not restart.
func Restart(t testing.TB) {
	t.Helper()
	s := get(t)
	if s.c == nil {
		t.Skip("restarting PostgreSQL needs the throwaway cluster; " + EnvURL + " is set")
	}
	if err := s.c.pgCtl("restart", "-m", "fast"); err != nil {
		t.Fatalf("restarting PostgreSQL: %v", err)
	}
	// The admin pool's connections are gone: start it afresh.
	mu.Lock()
	defer mu.Unlock()
	_ = s.db.Close()
	db, err := sql.Open("pgx", s.admin.String())
	if err != nil {
		t.Fatal(err)
	}
	s.db = db
}

// Main runs the tests and stops the throwaway cluster, then exits: call it
// from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

// Stop stops the throwaway cluster and removes its files; it does nothing
// when none was started. Tests that ask for a database afterwards fail.
func Stop() {
	mu.Lock()
	defer mu.Unlock()
	if srv == nil {
		return
	}
	_ = srv.db.Close()
	if srv.c != nil {
		srv.c.stop()
	}
	srv = nil
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// cluster is a throwaway PostgreSQL cluster.
type cluster struct {
	bin      string    // directory of initdb and pg_ctl
	root     string    // the temporary directory: data/, the socket, server.log
	runAs    string    // the OS user that runs PostgreSQL when the tests run as root
	watchdog io.Closer // the watchdog's input
}

func (c *cluster) data() string { return filepath.Join(c.root, "data") }

// newCluster creates and starts a cluster, and a watchdog that stops it
// when this process dies without Stop.
func newCluster(bin string) (c *cluster, err error) {
	c = &cluster{bin: bin}
	var owner *user.User
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root.
		if owner, err = user.Lookup("postgres"); err != nil {
			return nil, fmt.Errorf("the tests run as root and PostgreSQL refuses to: there is no OS user postgres to run it as (%w)", err)
		}
		if _, err := exec.LookPath("runuser"); err != nil {
			return nil, errors.New("the tests run as root and PostgreSQL refuses to: runuser (util-linux) is needed to run it as the OS user postgres")
		}
		c.runAs = owner.Username
	}
	if c.root, err = os.MkdirTemp("", "mlops-pgtest-"); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			c.stop()
		}
	}()
	if owner != nil {
		uid, _ := strconv.Atoi(owner.Uid)
		gid, _ := strconv.Atoi(owner.Gid)
		if err := os.Chown(c.root, uid, gid); err != nil {
			return nil, err
		}
	}
	if err := c.run(filepath.Join(c.bin, "initdb"), "-D", c.data(), "-A", "trust", "-U", "postgres",
		"-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"); err != nil {
		return nil, err
	}
	opts := append([]string{fmt.Sprintf("-k %s -p %d", c.root, port)}, serverOptions...)
	if err := c.pgCtl("start", "-o", strings.Join(opts, " ")); err != nil {
		return nil, err
	}
	if err := c.startWatchdog(); err != nil {
		return nil, err
	}
	return c, nil
}

// command is a PostgreSQL program, run as the OS user postgres when the
// tests run as root.
func (c *cluster) command(name string, args ...string) *exec.Cmd {
	if c.runAs != "" {
		args = append([]string{"-u", c.runAs, "--", name}, args...)
		name = "runuser"
	}
	cmd := exec.Command(name, args...)
	cmd.Dir = c.root
	return cmd
}

// run runs a PostgreSQL program. Its output goes to a file, not a pipe: a
// server that pg_ctl starts inherits the output, and would hold a pipe
// open for as long as it runs.
func (c *cluster) run(name string, args ...string) error {
	out, err := os.CreateTemp("", "mlops-pgtest-out-")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(out.Name()); _ = out.Close() }()
	cmd := c.command(name, args...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		text, _ := os.ReadFile(out.Name())
		return fmt.Errorf("%s: %w\n%s", strings.Join(cmd.Args, " "), err, text)
	}
	return nil
}

// pgCtl runs pg_ctl action and waits for it to complete. A server it
// starts writes its log to server.log.
func (c *cluster) pgCtl(action string, args ...string) error {
	args = append([]string{"-D", c.data(), "-w", "-t", "120", "-l", filepath.Join(c.root, "server.log")}, args...)
	if err := c.run(filepath.Join(c.bin, "pg_ctl"), append(args, action)...); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.root, "server.log"))
		return fmt.Errorf("%w\nserver log:\n%s", err, log)
	}
	return nil
}

// startWatchdog starts a shell that stops the cluster and removes its
// directory when this process ends without Stop: it waits for the end of
// its input, a pipe that only this process writes to, which the system
// closes when the process dies however it dies. After Stop, which closes
// the pipe itself, the directory is gone and the shell just ends.
func (c *cluster) startWatchdog() error {
	script := `trap '' INT HUP TERM
cat >/dev/null
if [ -d "$1/data" ]; then
  "$2" -D "$1/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$1"
fi`
	cmd := c.command("/bin/sh", "-c", script, "pgtest-watchdog", c.root, filepath.Join(c.bin, "pg_ctl"))
	cmd.Dir = "/"
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the cluster's watchdog: %w", err)
	}
	c.watchdog = in
	go func() { _ = cmd.Wait() }()
	return nil
}

// stop stops the server, removes the cluster's files and lets the
// watchdog end.
func (c *cluster) stop() {
	if isFile(filepath.Join(c.data(), "postmaster.pid")) {
		_ = c.pgCtl("stop", "-m", "fast")
	}
	_ = os.RemoveAll(c.root)
	if c.watchdog != nil {
		_ = c.watchdog.Close()
	}
}

// url is the URL of database db on the cluster for role.
func (c *cluster) url(role, db string) *url.URL {
	u := &url.URL{Scheme: "postgres", Path: "/" + db, User: url.User(role)}
	q := url.Values{}
	q.Set("host", c.root)
	q.Set("port", strconv.Itoa(port))
	q.Set("sslmode", "disable")
	u.RawQuery = q.Encode()
	return u
}
