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

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/sqlstore"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/stores"
	"github.com/mlops-tf/terraform-provider-mlops/internal/testutil/pgtest"
)

// testAccProtoV6ProviderFactories runs the provider's own server (the one
// main serves) in the test process; Terraform itself is the real binary on
// PATH.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"mlops": func() (tfprotov6.ProviderServer, error) { return NewServer("test")(), nil },
}

func TestMain(m *testing.M) {
	cleanup, err := prepareTerraformEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	pgtest.Stop()
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

// envTestRegistry chooses the store of the acceptance tests' registries:
// sqlite (the default) or postgres (a database of its own per test, see
// internal/testutil/pgtest).
const envTestRegistry = "MLOPS_TEST_REGISTRY"

// testRegistry is the registry of one test: a SQLite file, or a PostgreSQL
// database when MLOPS_TEST_REGISTRY=postgres.
type testRegistry struct {
	t *testing.T
	// path is the SQLite file; "" on PostgreSQL.
	path string
	// postgres is the PostgreSQL database's URL; "" on SQLite.
	postgres string
}

func newTestRegistry(t *testing.T) *testRegistry {
	t.Helper()
	switch kind := os.Getenv(envTestRegistry); kind {
	case "", "sqlite":
		return &testRegistry{t: t, path: filepath.Join(t.TempDir(), "registry.db")}
	case "postgres":
		return &testRegistry{t: t, postgres: pgtest.URL(t)}
	default:
		t.Fatalf("%s=%q: use sqlite (the default) or postgres", envTestRegistry, kind)
		return nil
	}
}

// url is the registry URL of the test's registry.
func (r *testRegistry) url() string {
	if r.postgres != "" {
		return r.postgres
	}
	return "sqlite://" + r.path
}

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
	store := r.openStore(r.t)
	reg, err := registry.New(store, registry.Options{Environment: env, Actor: "outside-terraform"})
	if err != nil {
		r.t.Fatalf("opening the test registry: %v", err)
	}
	return reg
}

// openStore opens the registry's store through the URL, as the provider
// does; it is closed when the test ends.
func (r *testRegistry) openStore(t *testing.T) *sqlstore.Store {
	t.Helper()
	loc, err := registry.ParseRegistryURL(r.url())
	if err != nil {
		t.Fatalf("the test registry's URL: %v", err)
	}
	store, err := stores.Open(context.Background(), loc, nil)
	if err != nil {
		t.Fatalf("opening the test registry: %v", err)
	}
	t.Cleanup(func() { _ = store.Close() })
	s, ok := store.(*sqlstore.Store)
	if !ok {
		t.Fatalf("the test registry's store is a %T, not a SQL store", store)
	}
	return s
}

// exec runs a statement on the registry's database behind the registry's
// back, with foreign keys not enforced, as a hand-edited or half-restored
// registry would hold it, and returns the number of rows it changed. Write
// the statement for both stores, with ? placeholders (on PostgreSQL every ?
// becomes $1, $2, …, inside string literals too).
func (r *testRegistry) exec(t *testing.T, query string, args ...any) int64 {
	t.Helper()
	ctx := context.Background()
	store := r.openStore(t)
	defer func() { _ = store.Close() }()
	// A connection of its own, closed at once: the setting dies with it.
	conn, err := store.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	keysOff := "PRAGMA foreign_keys = OFF"
	if r.postgres != "" {
		// Replica mode skips the triggers that enforce foreign keys.
		keysOff = "SET session_replication_role = replica"
		query = sqlstore.DollarPlaceholders(query)
	}
	if _, err := conn.ExecContext(ctx, keysOff); err != nil {
		t.Fatalf("%s: %v", keysOff, err)
	}
	res, err := conn.ExecContext(ctx, query, args...)
	if err != nil {
		t.Fatalf("%s %v: %v", query, args, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		t.Fatal(err)
	}
	return n
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

// TestTestRegistryExec checks the harness itself on the store chosen: exec
// changes the database behind the registry's back, foreign keys not
// enforced, and the registry sees the change.
func TestTestRegistryExec(t *testing.T) {
	ctx := context.Background()
	reg := newTestRegistry(t)
	r := reg.open("default")
	if _, err := r.CreateFeatureGroup(ctx, registry.FeatureGroup{Name: "transactions", PrimaryKey: []string{"id"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.CreateFeatureVersion(ctx, registry.FeatureVersion{Group: "transactions", Version: 1, Features: []registry.Feature{{Name: "id", Type: "string"}}}); err != nil {
		t.Fatal(err)
	}
	// The version's foreign key would refuse this.
	if n := reg.exec(t, `DELETE FROM feature_groups WHERE environment = ? AND name = ?`, "default", "transactions"); n != 1 {
		t.Fatalf("deleted %d feature groups, want 1", n)
	}
	if _, err := r.FeatureGroup(ctx, "transactions"); !registry.IsNotFound(err) {
		t.Errorf("the group is still there: %v", err)
	}
	if _, err := r.FeatureVersion(ctx, "transactions", 1); err != nil {
		t.Errorf("the version went with the group: %v", err)
	}
	// The keys are enforced again on the registry's own connections.
	if _, err := r.CreateFeatureVersion(ctx, registry.FeatureVersion{Group: "transactions", Version: 2, Features: []registry.Feature{{Name: "id", Type: "string"}}}); err == nil {
		t.Error("a version of a missing group was created")
	}
}
