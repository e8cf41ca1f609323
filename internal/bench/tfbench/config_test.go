package main

import (
	"regexp"
	"strings"
	"testing"
)

var resourceHeader = regexp.MustCompile(`(?m)^resource "(\w+)" "\w+" \{$`)

// The fair baseline has one terraform_data resource per registry object,
// holding the same values, and refers to no registry object.
func TestTerraformDataFairConfig(t *testing.T) {
	for name, mlops := range map[string]string{
		"mix":           mlopsConfig(26),
		"wide features": wideFeatureVersionConfig(50),
		"wide inputs":   wideInputsConfig(50),
	} {
		fair := terraformDataFairConfig(mlops)
		ours, theirs := resourceHeader.FindAllStringSubmatch(mlops, -1), resourceHeader.FindAllStringSubmatch(fair, -1)
		if len(ours) < 2 || len(theirs) != len(ours) {
			t.Errorf("%s: %d mlops resources, %d terraform_data resources", name, len(ours), len(theirs))
		}
		for _, m := range theirs {
			if m[1] != "terraform_data" {
				t.Errorf("%s: resource of type %s in the fair baseline", name, m[1])
			}
		}
		if strings.Contains(fair, "mlops") {
			t.Errorf("%s: the fair baseline still names mlops:\n%s", name, fair)
		}
		for _, v := range []string{`{ name = "f_18", type = "double" }`, `metrics             = { auc = 0.92 }`, `{ feature = "f_50", type = "array<bigint>" }`} {
			if strings.Contains(mlops, v) && !strings.Contains(fair, v) {
				t.Errorf("%s: %s is in the mlops configuration but not in the fair baseline", name, v)
			}
		}
		if !strings.Contains(fair, "terraform_data.feature_group_") {
			t.Errorf("%s: no reference to the feature group in the fair baseline:\n%s", name, fair)
		}
	}
	if got := strings.Count(wideInputsConfig(50), `{ feature = "f_`); got != 50 {
		t.Errorf("wide model version: %d inputs, want 50", got)
	}
	if got := strings.Count(wideFeatureVersionConfig(50), `{ name = "`); got != 50 {
		t.Errorf("wide feature version: %d features, want 50", got)
	}
}

// -config N -wide prints the wide cases the benchmark measures, for
// profiling them.
func TestPrintedConfig(t *testing.T) {
	for wide, want := range map[string]string{"": mlopsConfig(13), "features": wideFeatureVersionConfig(13), "inputs": wideInputsConfig(13)} {
		got, err := printedConfig(13, wide)
		if err != nil || got != want {
			t.Errorf("-wide %q: got an error %v or another configuration", wide, err)
		}
	}
	if _, err := printedConfig(13, "columns"); err == nil {
		t.Error("-wide columns: no error")
	}
}
