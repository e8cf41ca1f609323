package main

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// pgPort names the benchmark cluster's socket file; nothing listens on TCP.
const pgPort = 5439

// postgresCluster is a throwaway PostgreSQL cluster for the benchmark,
// durable as a real one (fsync on), listening on a unix socket in its own
// directory. As root it runs as the OS user postgres, which PostgreSQL
// requires.
type postgresCluster struct {
	bin, root, runAs string
}

// startPostgres creates and starts a cluster in a directory of its own, or
// returns nil and why not where PostgreSQL is not installed.
func startPostgres() (*postgresCluster, string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Strings(dirs)
	if len(dirs) == 0 {
		return nil, "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin)", nil
	}
	root, err := os.MkdirTemp("", "mlops-bench-pg-")
	if err != nil {
		return nil, "", err
	}
	c := &postgresCluster{bin: dirs[len(dirs)-1], root: root}
	if os.Geteuid() == 0 {
		owner, err := user.Lookup("postgres")
		if err != nil {
			_ = os.RemoveAll(root)
			return nil, "running as root and there is no OS user postgres to run PostgreSQL as (" + err.Error() + ")", nil //nolint:nilerr // no PostgreSQL here: the report says why
		}
		uid, _ := strconv.Atoi(owner.Uid)
		gid, _ := strconv.Atoi(owner.Gid)
		if err := os.Chown(c.root, uid, gid); err != nil {
			_ = os.RemoveAll(root)
			return nil, "", err
		}
		c.runAs = owner.Username
	}
	if err := c.start(); err != nil {
		_ = c.stop()
		return nil, "", err
	}
	return c, "", nil
}

func (c *postgresCluster) start() error {
	if err := c.run("initdb", "-D", c.data(), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-instructions"); err != nil {
		return err
	}
	opts := fmt.Sprintf("-k %s -p %d -c listen_addresses=''", c.root, pgPort)
	if err := c.run("pg_ctl", "-D", c.data(), "-w", "-t", "120", "-l", filepath.Join(c.root, "server.log"), "-o", opts, "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.root, "server.log"))
		return fmt.Errorf("%w\nserver log:\n%s", err, log)
	}
	return nil
}

func (c *postgresCluster) data() string { return filepath.Join(c.root, "data") }

// run runs a PostgreSQL program, as the cluster's OS user. Its output goes
// to a file: a server that pg_ctl starts inherits it, and would hold a pipe
// open.
func (c *postgresCluster) run(program string, args ...string) error {
	name := filepath.Join(c.bin, program)
	if c.runAs != "" {
		args = append([]string{"-u", c.runAs, "--", name}, args...)
		name = "runuser"
	}
	out, err := os.CreateTemp("", "mlops-bench-pg-")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(out.Name()); _ = out.Close() }()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = c.root, out, out
	if err := cmd.Run(); err != nil {
		text, _ := os.ReadFile(out.Name())
		return fmt.Errorf("%s: %w\n%s", strings.Join(cmd.Args, " "), err, text)
	}
	return nil
}

// createDatabase creates an empty database and returns the registry URL of
// it.
func (c *postgresCluster) createDatabase(name string) (string, error) {
	if err := c.run("createdb", "-h", c.root, "-p", strconv.Itoa(pgPort), "-U", "postgres", name); err != nil {
		return "", err
	}
	q := url.Values{}
	q.Set("host", c.root)
	q.Set("port", strconv.Itoa(pgPort))
	q.Set("sslmode", "disable")
	u := url.URL{Scheme: "postgres", User: url.User("postgres"), Path: "/" + name, RawQuery: q.Encode()}
	return u.String(), nil
}

// stop stops the server, if it runs, and removes the cluster's files.
func (c *postgresCluster) stop() error {
	if c == nil {
		return nil
	}
	var err error
	if _, statErr := os.Stat(filepath.Join(c.data(), "postmaster.pid")); statErr == nil {
		if err = c.run("pg_ctl", "-D", c.data(), "-w", "-m", "fast", "stop"); err != nil {
			err = errors.Join(errors.New("stopping the benchmark's PostgreSQL"), err)
		}
	}
	return errors.Join(err, os.RemoveAll(c.root))
}
