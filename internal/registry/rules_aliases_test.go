package registry

import (
	"strings"
	"testing"
)

// These tests call the checks of model aliases directly: their own fields,
// rule A1 (an alias names an existing version of its own model), the alias
// id's form, and F2's words when an alias still points at a version.

func TestCheckModelAlias(t *testing.T) {
	alias := func(model, name, version string) ModelAlias {
		return ModelAlias{Model: model, Name: name, ModelVersionID: version}
	}
	tests := []struct {
		name  string
		alias ModelAlias
		wants []want
	}{
		{"valid", alias("fraud", "champion", "fraud/2"), nil},
		{"dashes and digits", alias("fraud-eu", "challenger-2", "fraud-eu/10"), nil},
		{"version not known yet", alias("fraud", "champion", ""), nil},
		{"invalid alias name", alias("fraud", "Champion", "fraud/2"),
			[]want{errorAt("", Path{"name"}, "Invalid alias name", `"Champion"`, AliasNamePattern)}},
		{"alias name too long", alias("fraud", "c"+strings.Repeat("x", 63), "fraud/2"),
			[]want{errorAt("", Path{"name"}, "Invalid alias name")}},
		{"invalid model id", alias("Fraud", "champion", "fraud/2"),
			[]want{errorAt("", Path{"model_id"}, "Invalid model id", `"Fraud"`), errorAt("A1", Path{"model_version_id"}, "Alias to another model's version")}},
		{"invalid version id", alias("fraud", "champion", "fraud"),
			[]want{errorAt("A1", Path{"model_version_id"}, "Invalid model version id", "<name>/<version>")}},
		{"version of another model", alias("fraud", "champion", "churn/2"),
			[]want{errorAt("A1", Path{"model_version_id"}, "Alias to another model's version",
				`alias fraud@champion -> model version "churn/2"`, `belongs to model "churn", not "fraud"`, `a version of "fraud"`)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { expectProblems(t, CheckModelAlias(tc.alias), tc.wants...) })
	}
}

func TestCheckAliasVersionRef(t *testing.T) {
	// Unknown parts are checked later.
	expectProblems(t, CheckAliasVersionRef(ModelAlias{ModelVersionID: "churn/2"}))
	expectProblems(t, CheckAliasVersionRef(ModelAlias{Model: "fraud", Name: "champion"}))
	expectProblems(t, CheckAliasVersionRef(ModelAlias{Model: "fraud", ModelVersionID: "churn/2"}),
		errorAt("A1", Path{"model_version_id"}, "Alias to another model's version", "fraud@<alias>", `"churn/2"`))
}

func TestCheckAliasTarget(t *testing.T) {
	a := ModelAlias{Model: "fraud", Name: "champion", ModelVersionID: "fraud/9"}
	expectProblems(t, CheckAliasTarget(a, "prod", true))
	expectProblems(t, CheckAliasTarget(a, "prod", false),
		errorAt("A1", Path{"model_version_id"}, "Model version not found",
			`alias fraud@champion -> model version "fraud/9"`, `does not exist in environment "prod"`, "mlops_model_version", "point the alias at a version that exists"))
}

func TestParseModelAliasID(t *testing.T) {
	model, alias, err := ParseModelAliasID("fraud-eu@champion_2")
	if err != nil || model != "fraud-eu" || alias != "champion_2" {
		t.Fatalf("ParseModelAliasID: %q, %q, %v", model, alias, err)
	}
	if id := ModelAliasID(model, alias); id != "fraud-eu@champion_2" {
		t.Errorf("ModelAliasID: %q", id)
	}
	for id, words := range map[string]string{
		"fraud":           "must have the form <model>@<alias>",
		"fraud@":          "must have the form <model>@<alias>",
		"@champion":       "must have the form <model>@<alias>",
		"Fraud@champion":  `"Fraud" is not a valid model name`,
		"fraud@Champion":  `"Champion" is not a valid alias name`,
		"fraud@champ@ion": `"champ@ion" is not a valid alias name`,
		"fraud/2":         "must have the form <model>@<alias>",
	} {
		t.Run(id, func(t *testing.T) {
			_, _, err := ParseModelAliasID(id)
			if err == nil || !strings.Contains(err.Error(), words) {
				t.Errorf("ParseModelAliasID(%q): %v, want an error saying %q", id, err, words)
			}
		})
	}
}

func TestF2WordsForAliases(t *testing.T) {
	mv := Ref{Kind: KindModelVersion, ID: "fraud/1"}
	alias := Ref{Kind: KindModelAlias, ID: "fraud@champion"}
	deployment := Ref{Kind: KindDeployment, ID: "fraud-scoring"}
	tests := []struct {
		name    string
		reading []Ref
		words   string
	}{
		{"alias", []Ref{alias}, `model alias "fraud@champion" still points at it and this plan keeps it`},
		{"deployment", []Ref{deployment}, `deployment "fraud-scoring" still serves it`},
		{"both", []Ref{deployment, alias}, `deployment "fraud-scoring", model alias "fraud@champion" still serves or points at it and this plan keeps them`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expectProblems(t, CheckLeavingReaders(mv, false, "prod", tc.reading, nil),
				errorAt("F2", nil, "Object still referenced", `this plan deletes model version "fraud/1" in environment "prod"`, tc.words))
		})
	}
	expectProblems(t, CheckDeleteDependents(mv, "prod", []Ref{alias}, true),
		errorAt("F2", nil, "Object still referenced", `model version "fraud/1" in environment "prod" is still referenced by model alias "fraud@champion"`, "Nothing was deleted"))
}
