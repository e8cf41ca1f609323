package e2e

import (
	"strings"
	"testing"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
	"github.com/mlops-tf/terraform-provider-mlops/internal/testutil/pgtest"
)

const readOnlyConfig = `
terraform {
  required_providers {
    mlops = { source = "mlops-tf/mlops" }
  }
}

variable "description" { type = string }

variable "registry" {
  type      = string
  default   = null
  sensitive = true
}

provider "mlops" {
  registry    = var.registry # null: MLOPS_REGISTRY
  environment = terraform.workspace
}

resource "mlops_feature_group" "transactions" {
  name        = "transactions"
  primary_key = ["account_id"]
  description = var.description
}

resource "mlops_feature_version" "transactions_v1" {
  feature_group_id = mlops_feature_group.transactions.id
  version          = 1
  features         = [{ name = "account_id", type = "string" }, { name = "amount", type = "double" }]
}
`

// readOnlyPassword is the read-only role's password: no output may show it.
const readOnlyPassword = "Pw-r34d0nly-Zq81x"

// TestReadOnlyRole: with a PostgreSQL role that may only read, plan works
// and apply is refused with a message that says so; nothing is written;
// the password in the URL shows in no output, debug logs included.
func TestReadOnlyRole(t *testing.T) {
	cliConfig(t)
	adminURL := pgtest.URL(t)
	w := newWorkdir(t)
	w.writeFile("main.tf", readOnlyConfig)
	w.setenv("MLOPS_REGISTRY", adminURL)
	w.workspace("ci")
	w.apply("-var", "description=v1")

	roURL := pgtest.ReadOnlyURL(t, adminURL, readOnlyPassword)
	if !strings.Contains(roURL, readOnlyPassword) {
		t.Fatalf("the read-only URL lacks its password")
	}
	before := checkRegistry(t, adminURL)

	// The URL through MLOPS_REGISTRY, then through the provider's registry
	// attribute (from a sensitive variable).
	for _, via := range []struct {
		name string
		env  []string
	}{
		{"MLOPS_REGISTRY", []string{"MLOPS_REGISTRY=" + roURL}},
		{"registry attribute", []string{"MLOPS_REGISTRY=", "TF_VAR_registry=" + roURL}},
	} {
		for _, debug := range []bool{false, true} {
			ro := &workdir{t: t, dir: w.dir, rc: w.rc, env: append(append([]string{}, w.env...), via.env...)}
			if debug {
				ro.setenv("TF_LOG", "debug")
			}
			what := via.name
			if debug {
				what += ", TF_LOG=debug"
			}
			noPassword := func(r result) {
				t.Helper()
				if strings.Contains(r.stdout+r.stderr, readOnlyPassword) {
					i := strings.Index(r.stdout+r.stderr, readOnlyPassword)
					all := r.stdout + r.stderr
					t.Fatalf("%s: the password shows in the output of terraform %s, at: %q", what, strings.Join(r.args, " "), all[max(0, i-200):i+len(readOnlyPassword)])
				}
			}

			// Plan: nothing to do, then a change to show.
			r := ro.run("plan", "-detailed-exitcode", "-no-color", "-var", "description=v1")
			noPassword(r)
			if r.code != 0 {
				t.Fatalf("%s: plan with the read-only role: expected an empty plan: %s", what, r)
			}
			r = ro.run("plan", "-detailed-exitcode", "-no-color", "-var", "description=v2")
			noPassword(r)
			if r.code != 2 || !strings.Contains(squash(r.stdout), `~ description = "v1" -> "v2"`) {
				t.Fatalf("%s: plan with the read-only role: expected the change of description: %s", what, r)
			}

			// Apply: refused, with Explain's message.
			r = ro.run("apply", "-auto-approve", "-no-color", "-var", "description=v2")
			noPassword(r)
			refs := parseRefusals(r.stderr)
			if r.code != 1 || len(refs) != 1 {
				t.Fatalf("%s: apply with the read-only role: expected one refusal: %s", what, r)
			}
			ref := refs[0]
			for _, want := range []string{"may not write", "it can be used to plan, not to apply", "apply with a role that may write to the registry"} {
				if !strings.Contains(ref.detail, want) {
					t.Fatalf("%s: the refusal lacks %q:\n%s", what, want, ref)
				}
			}
			if ref.summary != `Cannot update feature group "transactions"` || ref.address != "mlops_feature_group.transactions" {
				t.Fatalf("%s: unexpected refusal:\n%s", what, ref)
			}
			if debug {
				// The provider's own debug lines are there, the URL in them
				// redacted.
				out := r.stdout + r.stderr
				for _, want := range []string{"opening the registry", registry.RedactURL(roURL), "registry write", "@module=mlops.registry"} {
					if !strings.Contains(out, want) {
						t.Fatalf("%s: the debug output lacks %q\n%s", what, want, grepLines(out, "mlops"))
					}
				}
			}
			t.Logf("%s: plan exit 0 / 2, apply refused:\nError: %s\n%s", what, ref.summary, ref.detail)
		}
	}

	// Nothing was written.
	after := checkRegistry(t, adminURL)
	for _, p := range after.problems {
		t.Errorf("registry: %s", p)
	}
	if after.auditRows != before.auditRows {
		t.Errorf("the read-only applies wrote: %d audit rows before, %d after", before.auditRows, after.auditRows)
	}
	g := after.objects[objKey{"ci", registry.KindFeatureGroup, "transactions"}]
	if g["description"] != "v1" {
		t.Errorf("feature group description %v, want v1", g["description"])
	}
	w.expectEmptyPlan("-var", "description=v1")
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestReadOnlyRoleEmptyDatabase: a role that may only read can plan
// against a database the registry was never created in (plan writes
// nothing, so it needs no write permission); apply, which would create the
// registry's tables, is refused with the read-only role's message, and the
// database still has no table.
func TestReadOnlyRoleEmptyDatabase(t *testing.T) {
	cliConfig(t)
	adminURL := pgtest.URL(t)
	roURL := pgtest.ReadOnlyURL(t, adminURL, readOnlyPassword)
	w := newWorkdir(t)
	w.writeFile("main.tf", readOnlyConfig)
	w.setenv("MLOPS_REGISTRY", roURL)
	w.workspace("ci")

	r := w.run("plan", "-detailed-exitcode", "-no-color", "-var", "description=v1")
	if r.code != 2 || !strings.Contains(r.stdout, "mlops_feature_group.transactions will be created") {
		t.Fatalf("plan with a read-only role against an empty database: expected the creation: %s", r)
	}
	r = w.run("apply", "-auto-approve", "-no-color", "-var", "description=v1")
	if r.code != 1 || !strings.Contains(squash(r.stderr), "may not write") || strings.Contains(r.stdout+r.stderr, readOnlyPassword) {
		t.Fatalf("apply with a read-only role against an empty database: expected the read-only refusal, without the password: %s", r)
	}
	if tables := pgTables(t, adminURL); tables != "" {
		t.Fatalf("the read-only role's plan or apply created tables: %s", tables)
	}
}
