package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mlops-tf/terraform-provider-mlops/internal/testutil/pgtest"
)

// providerExitBound is how long a provider process may outlive the
// terraform that started it. The provider notices within a second; the
// bound is generous so that a loaded machine does not fail the test.
const providerExitBound = 30 * time.Second

// TestProviderExitsWithTerraform kills terraform (SIGKILL, which it cannot
// catch to stop its plugins) in the middle of an apply of 60 objects. Its
// provider process must then exit by itself, within providerExitBound,
// rather than keep the registry open; the registry holds no half-written
// object and applying again converges.
func TestProviderExitsWithTerraform(t *testing.T) {
	onEachStore(t, testTerraformKilled)
}

// onEachStore runs test once on a new SQLite registry and once on a new
// PostgreSQL database, each a subtest named after its store.
func onEachStore(t *testing.T, test func(t *testing.T, registryURL string)) {
	stores := []struct {
		name string
		url  func(testing.TB) string
	}{
		{"sqlite", func(t testing.TB) string { return "sqlite://" + filepath.Join(t.TempDir(), "registry.db") }},
		{"postgres", pgtest.URL},
	}
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			cliConfig(t)
			test(t, s.url(t))
		})
	}
}

func testTerraformKilled(t *testing.T, registryURL string) {
	if _, _, _, ok := procStat(os.Getpid()); !ok {
		t.Skip("finding terraform's provider processes needs /proc")
	}
	w := faultWorkdir(t, registryURL)

	cmd := exec.Command(terraformBin, "apply", "-auto-approve", "-no-color")
	cmd.Dir = w.dir
	cmd.Env = w.environ()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 10 * time.Second
	var shown atomic.Int64
	stdout := &lineBuffer{onLine: func(line string) {
		if strings.Contains(line, ": Creation complete after") {
			shown.Add(1)
		}
	}}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tfPID := cmd.Process.Pid
	// Whatever happens, nothing of this run outlives the test: terraform
	// and the processes of its group, the provider among them.
	t.Cleanup(func() { _ = syscall.Kill(-tfPID, syscall.SIGKILL) })
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	// Once a few objects are created, kill terraform alone: not its
	// process group, so that its providers are left to notice by
	// themselves. (One serves the apply; one that served the plan may still
	// be on its way out.)
	var providers []procID
	deadline := time.After(applyTimeout)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for len(providers) == 0 {
		select {
		case err := <-exited:
			t.Fatalf("the apply ended (%v) before terraform could be killed:\n%s\n%s", err, stdout, stderr.String())
		case <-deadline:
			t.Fatalf("no provider process and %d creations after %s:\n%s", shown.Load(), applyTimeout, stdout)
		case <-tick.C:
			if shown.Load() < 8 {
				continue
			}
			if providers = providerChildren(w.dir, tfPID); len(providers) == 0 {
				continue
			}
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := <-exited; err == nil {
		t.Fatal("terraform exited 0 although it was killed")
	}
	killed := time.Now()
	created := shown.Load()

	// Poll: the provider is gone once its process has exited (a zombie
	// that nothing reaped has exited too) or its id is another process's.
	for _, provider := range providers {
		for provider.alive() {
			if time.Since(killed) > providerExitBound {
				t.Fatalf("the provider process %d still runs %s after terraform was killed (after %d creations)",
					provider.pid, providerExitBound, created)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	t.Logf("RESULT terraform killed after %d creations; its %d provider process(es) exited %s later",
		created, len(providers), time.Since(killed).Round(10*time.Millisecond))

	recoverKilledState(t, w, "faults")
	faultAftermath(t, w, registryURL)
}

// recoverKilledState does what a user does when Terraform was killed while
// it wrote its local state, leaving the file cut short: put back the copy
// Terraform kept of the state before the run (no file when there is none).
// Objects the lost part recorded are then in the registry only, and the
// apply after the fault names the import for each.
func recoverKilledState(t *testing.T, w *workdir, ws string) {
	t.Helper()
	file := filepath.Join(w.dir, "terraform.tfstate.d", ws, "terraform.tfstate")
	b, err := os.ReadFile(file)
	if err != nil || json.Valid(b) {
		return
	}
	backup, err := os.ReadFile(file + ".backup")
	switch {
	case err == nil && json.Valid(backup):
		err = os.WriteFile(file, backup, 0o600)
	default:
		err = os.Remove(file)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("terraform was killed while it wrote the state (%d bytes left): the state before the run is put back", len(b))
}

// procID names one process: its id and its start time, so that an id that
// the system gave to another process is not taken for it.
type procID struct {
	pid   int
	start string
}

// procStat reads the state and start time of a process from
// /proc/<pid>/stat; ok is false when there is no such process.
func procStat(pid int) (ppid int, state, start string, ok bool) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, "", "", false
	}
	// The command name, in parentheses, may hold spaces: the fields that
	// follow it are state, ppid, ..., starttime (the 22nd field).
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 20 {
		return 0, "", "", false
	}
	ppid, _ = strconv.Atoi(f[1])
	return ppid, f[0], f[19], true
}

// alive reports whether the process still runs.
func (p procID) alive() bool {
	_, state, start, ok := procStat(p.pid)
	return ok && start == p.start && state != "Z" && state != "X"
}

// providerChildren lists the provider processes started in dir whose
// parent is ppid.
func providerChildren(dir string, ppid int) []procID {
	var out []procID
	for _, pid := range providerPIDs(dir) {
		if parent, _, start, ok := procStat(pid); ok && parent == ppid {
			out = append(out, procID{pid: pid, start: start})
		}
	}
	return out
}
