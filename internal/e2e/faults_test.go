package e2e

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/stores"
	"github.com/mlops-tf/terraform-provider-mlops/internal/testutil/pgtest"
)

// faultObjects is how many objects faultConfig manages: 15 chains of a
// feature group, its version 1, a model and its version 1 reading it.
const faultObjects = 60

const faultConfig = `
terraform {
  required_providers {
    mlops = { source = "mlops-tf/mlops" }
  }
}

provider "mlops" {
  environment = terraform.workspace
}

locals {
  ids = toset([for i in range(15) : format("%02d", i)])
}

resource "mlops_feature_group" "g" {
  for_each    = local.ids
  name        = "g${each.key}"
  primary_key = ["id"]
  description = "group ${each.key}"
}

resource "mlops_feature_version" "v" {
  for_each         = local.ids
  feature_group_id = mlops_feature_group.g[each.key].id
  version          = 1
  features         = [{ name = "id", type = "string" }, { name = "x", type = "double" }]
}

resource "mlops_model" "m" {
  for_each = local.ids
  name     = "m${each.key}"
}

resource "mlops_model_version" "mv" {
  for_each            = local.ids
  model_id            = mlops_model.m[each.key].id
  version             = 1
  artifact_uri        = "s3://models/m${each.key}/1"
  feature_version_ids = [mlops_feature_version.v[each.key].id]
  inputs              = [{ feature = "x", type = "double" }]
}
`

// TestFaultProviderKilled kills the provider process (SIGKILL) in the
// middle of an apply of 60 objects, then checks that the registry holds no
// half-written object and that applying again converges.
func TestFaultProviderKilled(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		cliConfig(t)
		testProviderKilled(t, "sqlite://"+filepath.Join(t.TempDir(), "registry.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		cliConfig(t)
		testProviderKilled(t, pgtest.URL(t))
	})
}

func testProviderKilled(t *testing.T, registryURL string) {
	w := faultWorkdir(t, registryURL)
	audit := auditCounter(t, registryURL)

	// Kill once some objects are created, at best right after the registry
	// committed a create whose answer terraform has not shown yet: that
	// object is then in the registry but not in the state.
	var shown atomic.Int64
	var killedAt, auditAtKill int64
	r := applyWithFault(t, w, &shown, func() bool {
		c := shown.Load()
		if c < 8 {
			return false
		}
		n := audit()
		if n <= c && c < 30 {
			return false
		}
		pids := providerPIDs(w.dir)
		if len(pids) == 0 {
			return false
		}
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		killedAt, auditAtKill = c, n
		return true
	})
	if killedAt == 0 {
		t.Fatalf("the apply ended before the provider could be killed: %s", r)
	}
	if r.code == 0 {
		t.Fatalf("the apply succeeded although its provider was killed: %s", r)
	}
	t.Logf("provider killed after %d creations shown, %d audit rows; terraform exit %d; its errors:\n%s",
		killedAt, auditAtKill, r.code, summarizeErrors(r.stderr))

	faultAftermath(t, w, registryURL)
}

// TestFaultPostgresRestart restarts PostgreSQL in the middle of an apply
// of 60 objects: the apply may fail, with a clear connection error; the
// registry holds no half-written object; applying again converges.
func TestFaultPostgresRestart(t *testing.T) {
	cliConfig(t)
	if os.Getenv(pgtest.EnvURL) != "" {
		t.Skip("restarting PostgreSQL needs the throwaway cluster; " + pgtest.EnvURL + " is set")
	}
	// With a password, which no error may repeat (the throwaway cluster
	// trusts local connections and does not check it).
	u, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := u.User.Password(); !ok {
		u.User = url.UserPassword(u.User.Username(), restartPassword)
	}
	registryURL := u.String()
	w := faultWorkdir(t, registryURL)
	var shown atomic.Int64
	var restartedAt int64
	r := applyWithFault(t, w, &shown, func() bool {
		if c := shown.Load(); c >= 10 {
			restartedAt = c
			start := time.Now()
			pgtest.Restart(t)
			t.Logf("PostgreSQL restarted after %d creations shown, in %s", c, time.Since(start).Round(time.Millisecond))
			return true
		}
		return false
	})
	if restartedAt == 0 {
		t.Fatalf("the apply ended before PostgreSQL could be restarted: %s", r)
	}
	t.Logf("terraform exit %d; its errors:\n%s", r.code, summarizeErrors(r.stderr))
	for _, ref := range parseRefusals(r.stderr) {
		if !connectionError(ref) {
			t.Errorf("not a clear connection error:\n%s", ref)
		}
	}
	if strings.Contains(r.stdout+r.stderr, restartPassword) {
		t.Errorf("the password shows in the output: %s", r)
	}
	faultAftermath(t, w, registryURL)
}

const restartPassword = "Pw-r3st4rt-Kx27"

// connectionError reports whether a diagnostic says that the registry's
// database went away, in words a user understands.
func connectionError(ref refusal) bool {
	if !strings.HasPrefix(ref.summary, "Cannot ") && !strings.Contains(ref.summary, "registry") {
		return false
	}
	for _, s := range []string{
		"the connection to the registry's database broke before this write was committed; nothing was written",
		"terminating connection due to administrator command",
		"the database system is shutting down",
		"the database system is starting up",
		"connection refused",
		"failed to connect",
		"unexpected EOF",
		"conn closed",
		"broken pipe",
		"connection reset by peer",
	} {
		if strings.Contains(ref.detail, s) {
			return true
		}
	}
	return false
}

// faultWorkdir is a working directory of faultConfig on the registry, in
// workspace "faults".
func faultWorkdir(t *testing.T, registryURL string) *workdir {
	w := newWorkdir(t)
	w.writeFile("main.tf", faultConfig)
	w.setenv("MLOPS_REGISTRY", registryURL)
	w.workspace("faults")
	return w
}

// applyWithFault runs terraform apply in w, counting in shown the objects
// whose creation terraform has reported, and calls fault every few
// milliseconds until it returns true; it returns the apply's result.
func applyWithFault(t *testing.T, w *workdir, shown *atomic.Int64, fault func() bool) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), applyTimeout)
	defer cancel()
	type outcome struct {
		r   result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		r, err := runTF(ctx, w, func(line string) {
			if strings.Contains(line, ": Creation complete after") {
				shown.Add(1)
			}
		}, "apply", "-auto-approve", "-no-color")
		done <- outcome{r, err}
	}()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	faulted := false
	for {
		select {
		case o := <-done:
			if o.err != nil {
				t.Fatalf("%v\n%s", o.err, o.r)
			}
			return o.r
		case <-tick.C:
			if !faulted {
				faulted = fault()
			}
		}
	}
}

// faultAftermath checks the registry after a failed apply, then applies
// again as a user would until the apply converges, and checks again.
func faultAftermath(t *testing.T, w *workdir, registryURL string) {
	t.Helper()
	rc := checkRegistry(t, registryURL)
	for _, p := range rc.problems {
		t.Errorf("registry after the fault: %s", p)
	}
	inState := stateDescriptions(t, w, "faults")
	var orphans []string
	for key := range rc.objects {
		if _, ok := inState[key]; !ok {
			orphans = append(orphans, string(key.kind)+" "+key.id)
		}
	}
	t.Logf("after the fault: %d objects in the registry, %d in the state; in the registry only: %v (half-written=%d)",
		len(rc.objects), len(inState), orphans, rc.halfWritten)

	imports := convergeAfterFault(t, w)
	if len(imports) != len(orphans) {
		t.Errorf("imported %d objects, but %d were in the registry only (%v)", len(imports), len(orphans), orphans)
	}
	w.expectEmptyPlan()
	rc = checkRegistry(t, registryURL)
	for _, p := range rc.problems {
		t.Errorf("registry after converging: %s", p)
	}
	if len(rc.objects) != faultObjects {
		t.Errorf("the registry holds %d objects after converging, want %d", len(rc.objects), faultObjects)
	}
	t.Logf("RESULT converged: apply exit 0 then an empty plan; %d objects; imports needed: %d %v", len(rc.objects), len(imports), imports)
}

// convergeAfterFault applies again. Objects that the failed run created
// but never recorded in the state are refused, as the registry refuses any
// object it already has: "already exists ... import it". The recovery is
// the one the message gives: import each, then apply again.
func convergeAfterFault(t *testing.T, w *workdir) []string {
	t.Helper()
	r := w.run("apply", "-auto-approve", "-no-color")
	if r.code == 0 {
		return nil
	}
	t.Logf("the apply after the fault was refused (exit %d):\n%s", r.code, summarizeErrors(r.stderr))
	var imports []string
	for _, ref := range parseRefusals(r.stderr) {
		id := importIDRE.FindStringSubmatch(ref.detail)
		if ref.kind() != "already exists" || id == nil || ref.address == "" {
			t.Fatalf("the apply after the fault failed with something other than an object to import:\n%s\n\n%s", ref, r)
		}
		w.must("import", "-no-color", ref.address, id[1])
		imports = append(imports, ref.address+" "+id[1])
	}
	if r := w.run("apply", "-auto-approve", "-no-color"); r.code != 0 {
		t.Fatalf("apply after importing %v: %s", imports, r)
	}
	return imports
}

// summarizeErrors lists the error diagnostics of terraform's standard
// error, one line each.
func summarizeErrors(stderr string) string {
	var lines []string
	for _, ref := range parseRefusals(stderr) {
		line := "Error: " + ref.summary
		if ref.address != "" {
			line += " [" + ref.address + "]"
		}
		lines = append(lines, line+": "+ref.detail)
	}
	if len(lines) == 0 {
		return strings.TrimSpace(stderr)
	}
	return strings.Join(lines, "\n")
}

// providerPIDs lists the running provider processes started in dir: the
// terraform-provider-mlops processes whose working directory it is.
func providerPIDs(dir string) []int {
	if resolved, err := filepath.EvalSymlinks(dir); err == nil {
		dir = resolved
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err != nil || filepath.Base(exe) != "terraform-provider-mlops" {
			continue
		}
		if cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd")); err == nil && cwd == dir {
			pids = append(pids, pid)
		}
	}
	return pids
}

// auditCounter opens the registry and returns a function that counts its
// audit rows (-1 when it cannot), closed when the test ends.
func auditCounter(t *testing.T, registryURL string) func() int64 {
	t.Helper()
	loc, err := registry.ParseRegistryURL(registryURL)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store, err := stores.Open(ctx, loc, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return func() int64 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		// The store opens the database once it exists: a registry that
		// was never written has no audit rows.
		if err := store.View(ctx, func(registry.Tx) error { return nil }); err != nil {
			return -1
		}
		db := storeDB(t, store)
		if db == nil {
			return 0
		}
		var n int64
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit`).Scan(&n); err != nil {
			return -1
		}
		return n
	}
}
