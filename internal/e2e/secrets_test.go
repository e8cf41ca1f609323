package e2e

import (
	"strings"
	"testing"
)

// registryPassword is the password of the registry URLs below; no output
// may show it.
const registryPassword = "s3cretpw"

// TestRegistryPasswordNotPrinted: a PostgreSQL URL with a password written
// in the provider block, for a registry that cannot be reached or a URL that
// cannot be parsed. Terraform quotes the source line of a diagnostic that is
// attached to an attribute, so the error must be the provider's as a whole:
// it names the registry with the password masked and points to
// MLOPS_REGISTRY, and neither its output nor the debug or trace log shows the
// password.
func TestRegistryPasswordNotPrinted(t *testing.T) {
	for _, c := range []struct {
		name, registry, summary, masked string
	}{
		{"user info", "postgres://u:" + registryPassword + "@/db?host=/nonexistent", "Cannot open the registry", "postgres://u:xxxxx@/db?host=/nonexistent"},
		{"password option", "postgres:///db?host=/nonexistent&password=" + registryPassword, "Cannot open the registry", "password=xxxxx"},
		{"invalid URL", "postgres://u:" + registryPassword + "@[::1/db", "Invalid registry URL", "postgres://xxxxx@[::1/db"},
	} {
		for _, tfLog := range []string{"", "debug", "trace"} {
			name := c.name
			if tfLog != "" {
				name += "/TF_LOG=" + tfLog
			}
			t.Run(name, func(t *testing.T) {
				w := newWorkdir(t)
				w.writeFile("main.tf", `
terraform {
  required_providers {
    mlops = { source = "mlops-tf/mlops" }
  }
}

provider "mlops" {
  registry = "`+c.registry+`"
}

resource "mlops_model" "fraud" {
  name = "fraud"
}
`)
				if tfLog != "" {
					w.setenv("TF_LOG", tfLog)
				}
				r := w.run("plan", "-no-color")
				if r.code == 0 {
					t.Fatalf("the plan succeeded: %s", r)
				}
				out := r.stdout + r.stderr
				if strings.Contains(out, registryPassword) {
					for _, l := range strings.Split(out, "\n") {
						if strings.Contains(l, registryPassword) {
							t.Errorf("the password shows: %s", l)
						}
					}
				}
				for _, want := range []string{"Error: " + c.summary, c.masked, "MLOPS_REGISTRY"} {
					if !strings.Contains(out, want) {
						t.Errorf("the output lacks %q: %s", want, r)
					}
				}
			})
		}
	}
}
