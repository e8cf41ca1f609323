package provider

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/sqlite"
)

// testAccProtoV6ProviderFactories runs the provider in the test process;
// Terraform itself is the real binary on PATH.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"mlops": providerserver.NewProtocol6WithError(New("test")()),
}

func TestMain(m *testing.M) {
	cleanup, err := prepareTerraformEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	cleanup()
	os.Exit(code)
}

// prepareTerraformEnv makes acceptance tests use the terraform on PATH
// (never a download), a CLI config of their own and no checkpoint calls.
func prepareTerraformEnv() (func(), error) {
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		if p, err := exec.LookPath("terraform"); err == nil {
			_ = os.Setenv("TF_ACC_TERRAFORM_PATH", p)
		}
	}
	if os.Getenv("TF_ACC_PROVIDER_NAMESPACE") == "" {
		_ = os.Setenv("TF_ACC_PROVIDER_NAMESPACE", "mlops-tf")
	}
	_ = os.Setenv("CHECKPOINT_DISABLE", "1")
	if f := os.Getenv("TF_CLI_CONFIG_FILE"); f != "" {
		if _, err := os.Stat(f); err == nil {
			return func() {}, nil
		}
	}
	dir, err := os.MkdirTemp("", "mlops-tfrc")
	if err != nil {
		return nil, err
	}
	rc := filepath.Join(dir, "terraformrc")
	if err := os.WriteFile(rc, []byte("disable_checkpoint = true\n"), 0o600); err != nil {
		return nil, err
	}
	_ = os.Setenv("TF_CLI_CONFIG_FILE", rc)
	return func() { _ = os.RemoveAll(dir) }, nil
}

// testRegistry is a registry file of one test.
type testRegistry struct {
	t    *testing.T
	path string
}

func newTestRegistry(t *testing.T) *testRegistry {
	t.Helper()
	return &testRegistry{t: t, path: filepath.Join(t.TempDir(), "registry.db")}
}

// url is the registry URL of the file.
func (r *testRegistry) url() string { return "sqlite://" + r.path }

// config is a configuration for the default environment: the provider block
// and body.
func (r *testRegistry) config(body string) string { return r.envConfig("default", body) }

// envConfig is a configuration for one environment.
func (r *testRegistry) envConfig(env, body string) string {
	return fmt.Sprintf(`
terraform {
  required_providers {
    mlops = {
      source = "mlops-tf/mlops"
    }
  }
}

provider "mlops" {
  registry    = %q
  environment = %q
  actor       = "acceptance-test"
}
`, r.url(), env) + body
}

// open opens the registry behind Terraform's back, for checks and for
// changes made outside Terraform.
func (r *testRegistry) open(env string) *registry.Registry {
	r.t.Helper()
	store, err := sqlite.Open(context.Background(), r.path, nil)
	if err != nil {
		r.t.Fatalf("opening the test registry: %v", err)
	}
	reg, err := registry.New(store, registry.Options{Environment: env, Actor: "outside-terraform"})
	if err != nil {
		r.t.Fatalf("opening the test registry: %v", err)
	}
	r.t.Cleanup(func() { _ = reg.Close() })
	return reg
}

func TestProviderSchemaValid(t *testing.T) {
	// The provider server validates every schema when it answers
	// GetProviderSchema; a framework schema error fails here.
	srv, err := testAccProtoV6ProviderFactories["mlops"]()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		t.Errorf("schema diagnostic: %s: %s", d.Summary, d.Detail)
	}
	for _, want := range []string{"mlops_feature_group", "mlops_feature_version"} {
		if _, ok := resp.ResourceSchemas[want]; !ok {
			t.Errorf("resource %s missing", want)
		}
		if _, ok := resp.DataSourceSchemas[want]; !ok {
			t.Errorf("data source %s missing", want)
		}
	}
}

// errorRE matches a diagnostic that contains the given parts in order.
// Terraform wraps diagnostic text, so a space in a part matches any run of
// white space, and parts may be separated by anything.
func errorRE(parts ...string) *regexp.Regexp {
	quoted := make([]string, len(parts))
	for i, p := range parts {
		words := strings.Fields(p)
		for j, w := range words {
			words[j] = regexp.QuoteMeta(w)
		}
		quoted[i] = strings.Join(words, `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(quoted, ".*"))
}
