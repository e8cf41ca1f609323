package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestAlreadyExistsShowsImport: a create refused because the object is
// already in the registry shows, as Terraform prints it, an import block
// with the object's id and the command, with a placeholder for the address
// (here mlops_feature_group.g["126"], which no guess such as g_126 would
// hit). Following the message with the address Terraform names converges.
func TestAlreadyExistsShowsImport(t *testing.T) {
	const config = `
terraform {
  required_providers {
    mlops = { source = "mlops-tf/mlops" }
  }
}

resource "mlops_feature_group" "g" {
  for_each    = toset(["126"])
  name        = "g${each.key}"
  primary_key = ["id"]
}
`
	reg := "sqlite://" + filepath.Join(t.TempDir(), "registry.db")
	first := newWorkdir(t)
	first.writeFile("main.tf", config)
	first.setenv("MLOPS_REGISTRY", reg)
	first.apply()

	second := newWorkdir(t)
	second.writeFile("main.tf", config)
	second.setenv("MLOPS_REGISTRY", reg)
	r := second.run("apply", "-auto-approve", "-no-color")
	if r.code == 0 {
		t.Fatalf("the second create succeeded: %s", r)
	}
	refusals := parseRefusals(r.stderr)
	if len(refusals) != 1 || refusals[0].kind() != "already exists" || refusals[0].address != `mlops_feature_group.g["126"]` {
		t.Fatalf("want one refusal, already exists, of mlops_feature_group.g[\"126\"]: %v\n%s", refusals, r)
	}
	// The import block as Terraform prints it: line by line, indented.
	var lines []string
	for _, l := range strings.Split(r.stderr, "\n") {
		lines = append(lines, strings.TrimRight(strings.TrimPrefix(l, "│"), " "))
	}
	text := strings.Join(lines, "\n")
	for _, want := range []string{
		"\n   import {\n     to = <address of this resource>\n     id = \"g126\"\n   }\n",
		"terraform import <address of this resource> g126",
	} {
		if !strings.Contains(squashKeepLines(text), squashKeepLines(want)) {
			t.Errorf("the refusal lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "g_126") {
		t.Errorf("the refusal guesses an address:\n%s", r.stderr)
	}

	// Do as it says, with the address that Terraform names.
	second.writeFile("import.tf", "import {\n  to = "+refusals[0].address+"\n  id = \"g126\"\n}\n")
	second.apply()
	second.expectEmptyPlan()
}

// squashKeepLines squashes runs of spaces into one, keeping line breaks,
// so that an indented block matches however Terraform indents the detail.
func squashKeepLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}
