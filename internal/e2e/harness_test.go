// Package e2e runs the built provider binary under the terraform on PATH,
// the way users run it: a dev_overrides CLI config, no `terraform init`,
// real workspaces. It runs when TF_ACC is set, like the acceptance tests.
// TERRAFORM names another binary to run instead: a path, or tofu for the
// OpenTofu that `make tofu` builds (built first if it is not there yet).
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mlops-tf/terraform-provider-mlops/internal/testutil/pgtest"
)

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
	// terraformBin is the Terraform (or OpenTofu) binary that every test
	// runs, found by cliConfig.
	terraformBin string
)

// findTerraform finds the binary that TERRAFORM names, by default the
// terraform on PATH.
func findTerraform() (string, error) {
	switch name := os.Getenv("TERRAFORM"); name {
	case "":
		return exec.LookPath("terraform")
	case "tofu":
		cmd := exec.Command(filepath.Join(moduleRoot(), "scripts", "tool.sh"), "tofu")
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("TERRAFORM=tofu: scripts/tool.sh tofu: %w", err)
		}
		return strings.TrimSpace(string(out)), nil
	default:
		return exec.LookPath(name)
	}
}

// providerBinary builds the provider once per test run and returns the CLI
// config that makes Terraform load it.
func cliConfig(t *testing.T) string {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("end-to-end tests run with TF_ACC=1 (make test)")
	}
	buildOnce.Do(func() {
		if terraformBin, buildErr = findTerraform(); buildErr != nil {
			return
		}
		// One build for every test of the run, removed by TestMain.
		buildDir, buildErr = os.MkdirTemp("", "mlops-e2e") //nolint:usetesting // outlives any one test
		if buildErr != nil {
			return
		}
		root := moduleRoot()
		cmd := exec.Command("go", "build", "-o", filepath.Join(buildDir, "terraform-provider-mlops"), ".")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("building the provider: %w\n%s", err, out)
			return
		}
		// Both keys: Terraform and OpenTofu each read their own.
		rc := fmt.Sprintf(`disable_checkpoint = true
provider_installation {
  dev_overrides {
    "registry.terraform.io/mlops-tf/mlops" = %[1]q
    "registry.opentofu.org/mlops-tf/mlops" = %[1]q
  }
  direct {}
}
`, buildDir)
		buildErr = os.WriteFile(filepath.Join(buildDir, "terraformrc"), []byte(rc), 0o600)
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(buildDir, "terraformrc")
}

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop() // the throwaway PostgreSQL cluster, if a test started one
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

func moduleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// workdir is one Terraform working directory.
type workdir struct {
	t   *testing.T
	dir string
	rc  string
	env []string
}

// newWorkdir copies the .tf files of the given directories (relative to the
// module root) into a fresh directory.
func newWorkdir(t *testing.T, srcDirs ...string) *workdir {
	t.Helper()
	w := &workdir{t: t, dir: t.TempDir(), rc: cliConfig(t)}
	for _, src := range srcDirs {
		w.copyTF(filepath.Join(moduleRoot(), src))
	}
	return w
}

func (w *workdir) copyTF(src string) {
	w.t.Helper()
	files, err := filepath.Glob(filepath.Join(src, "*.tf"))
	if err != nil || len(files) == 0 {
		w.t.Fatalf("no .tf files in %s (err=%v)", src, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			w.t.Fatal(err)
		}
		name := filepath.Base(filepath.Dir(f)) + "_" + filepath.Base(f)
		if err := os.WriteFile(filepath.Join(w.dir, name), b, 0o600); err != nil {
			w.t.Fatal(err)
		}
	}
}

// setenv sets an environment variable for every terraform command run in
// the working directory, such as MLOPS_REGISTRY to share one registry
// between two working directories.
func (w *workdir) setenv(key, value string) {
	w.env = append(w.env, key+"="+value)
}

// workspace selects a workspace, creating it the first time, as
// `terraform workspace select -or-create` does.
func (w *workdir) workspace(name string) {
	w.t.Helper()
	w.must("workspace", "select", "-or-create", name)
}

// providerHost is the registry host under which the binary the tests run
// names the provider in state: registry.opentofu.org for OpenTofu,
// registry.terraform.io for Terraform.
func (w *workdir) providerHost() string {
	w.t.Helper()
	if strings.HasPrefix(w.must("version").stdout, "OpenTofu") {
		return "registry.opentofu.org"
	}
	return "registry.terraform.io"
}

// result is one terraform command's outcome.
type result struct {
	args   []string
	code   int
	stdout string
	stderr string
}

func (r result) String() string {
	return fmt.Sprintf("terraform %s: exit %d\n--- stdout\n%s\n--- stderr\n%s", strings.Join(r.args, " "), r.code, r.stdout, r.stderr)
}

// environ is the environment of every terraform command run in the
// working directory.
func (w *workdir) environ() []string {
	env := append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+w.rc,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
		"NO_COLOR=1",
	)
	return append(env, w.env...)
}

// run runs terraform in the working directory.
func (w *workdir) run(args ...string) result {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, terraformBin, args...)
	cmd.Dir = w.dir
	cmd.Env = w.environ()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{args: args, stdout: stdout.String(), stderr: stderr.String()}
	if err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			w.t.Fatalf("running terraform %v: %v", args, err)
		}
		r.code = exitErr.ExitCode()
	}
	return r
}

// must runs terraform and fails the test unless it exits 0.
func (w *workdir) must(args ...string) result {
	w.t.Helper()
	r := w.run(args...)
	if r.code != 0 {
		w.t.Fatalf("unexpected failure: %s", r)
	}
	return r
}

// apply applies the configuration; args are more options, such as -var.
func (w *workdir) apply(args ...string) result {
	w.t.Helper()
	return w.must(append([]string{"apply", "-auto-approve", "-no-color"}, args...)...)
}

// expectEmptyPlan fails unless a plan shows no changes; args are more
// options, such as -var.
func (w *workdir) expectEmptyPlan(args ...string) {
	w.t.Helper()
	r := w.run(append([]string{"plan", "-detailed-exitcode", "-no-color"}, args...)...)
	if r.code != 0 {
		w.t.Fatalf("expected an empty plan: %s", r)
	}
}

// stateList lists the resource addresses in state.
func (w *workdir) stateList() []string {
	w.t.Helper()
	out := strings.TrimSpace(w.must("state", "list").stdout)
	if out == "" {
		return nil
	}
	return strings.Split(out, "\n")
}

// stateIDs returns the id of every managed resource in state, by address,
// from `terraform show -json`.
func (w *workdir) stateIDs() map[string]string {
	w.t.Helper()
	type module struct {
		Resources []struct {
			Address string
			Mode    string
			Values  struct{ ID string }
		}
		ChildModules []json.RawMessage `json:"child_modules"`
	}
	var state struct {
		Values *struct {
			RootModule json.RawMessage `json:"root_module"`
		}
	}
	out := w.must("show", "-json").stdout
	if err := json.Unmarshal([]byte(out), &state); err != nil {
		w.t.Fatalf("terraform show -json: %v\n%s", err, out)
	}
	ids := map[string]string{}
	if state.Values == nil {
		return ids
	}
	var walk func(raw json.RawMessage)
	walk = func(raw json.RawMessage) {
		var m module
		if err := json.Unmarshal(raw, &m); err != nil {
			w.t.Fatalf("terraform show -json: %v", err)
		}
		for _, r := range m.Resources {
			if r.Mode == "managed" {
				ids[r.Address] = r.Values.ID
			}
		}
		for _, c := range m.ChildModules {
			walk(c)
		}
	}
	walk(state.Values.RootModule)
	return ids
}

// importRoundTrip removes every managed resource from state and imports it
// again with an import block by its id, as the resource pages show, in one
// apply that must import them all and change nothing; the plan after it
// must be empty.
func (w *workdir) importRoundTrip() {
	w.t.Helper()
	ids := w.stateIDs()
	if len(ids) == 0 {
		w.t.Fatal("nothing in state to import")
	}
	addrs := make([]string, 0, len(ids))
	var imports strings.Builder
	for addr, id := range ids {
		addrs = append(addrs, addr)
		fmt.Fprintf(&imports, "import {\n  to = %s\n  id = %q\n}\n", addr, id)
	}
	w.must(append([]string{"state", "rm"}, addrs...)...)
	if got := w.stateList(); len(got) != 0 {
		w.t.Fatalf("state after state rm: %v", got)
	}
	file := filepath.Join(w.dir, "imports.tf")
	if err := os.WriteFile(file, []byte(imports.String()), 0o600); err != nil {
		w.t.Fatal(err)
	}
	out := w.apply().stdout
	want := fmt.Sprintf("Apply complete! Resources: %d imported, 0 added, 0 changed, 0 destroyed.", len(ids))
	if !strings.Contains(out, want) {
		w.t.Fatalf("importing %d resources with import blocks: want %q in:\n%s", len(ids), want, out)
	}
	if err := os.Remove(file); err != nil {
		w.t.Fatal(err)
	}
	if got := w.stateIDs(); !maps.Equal(got, ids) {
		w.t.Fatalf("after the import: %v in state, want %v", got, ids)
	}
	w.expectEmptyPlan()
}
