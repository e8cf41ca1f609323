package registry

import (
	"strings"
	"testing"
)

// These tests call the checks of deployments directly: D1 and D2 (what a
// deployment serves exists in its environment, down to the feature
// versions), D4 (canary), replicas, and D5 (promotion).

func int64p(n int64) *int64 { return &n }

// TestCheckServed is rules D1 and D2.
// servedRoles are the roles of the served versions of a deployment with a
// canary and a shadow, in the order of Deployment.Served.
var servedRoles = []string{RoleMain, RoleCanary, RoleShadow}

func TestCheckServed(t *testing.T) {
	fraud2 := ModelVersion{Model: "fraud", Version: 2, FeatureVersionIDs: []string{"payments/1", "transactions/2"}}
	fraud1 := ModelVersion{Model: "fraud", Version: 1, FeatureVersionIDs: []string{"transactions/1"}}
	both := map[string]FeatureVersion{"payments/1": fv("payments", 1), "transactions/2": fv("transactions", 2)}
	deprecated := map[string]FeatureVersion{"payments/1": fv("payments", 1), "transactions/2": {Group: "transactions", Version: 2, Deprecated: true}}
	main := Path{"model_version_id"}
	canary := Path{"canary", "model_version_id"}
	modelMissing := func(path Path, id string) want {
		return errorAt("D1", path, "Model version missing",
			"deployment fraud-scoring would serve model version "+id+`, which does not exist in environment "prod"`, `register it in "prod" first`)
	}
	fvMissing := func(path Path, chain, fvID string, words ...string) want {
		return errorAt("D2", path, append([]string{"Feature version missing for a served model", "deployment fraud-scoring -> " + chain,
			"feature version " + fvID + ` does not exist in environment "prod", so the model would be served without its features`,
			"Apply feature version " + fvID + ` in "prod" first`}, words...)...)
	}
	cases := []struct {
		name       string
		deployment string
		served     []ServedVersion
		want       []want
	}{
		{"all present", "fraud-scoring", []ServedVersion{{ID: "fraud/2", Version: &fraud2, Found: both}}, nil},
		{"nothing known yet", "fraud-scoring", []ServedVersion{{}, {}}, nil},
		{"main missing", "fraud-scoring", []ServedVersion{{ID: "fraud/9"}}, []want{modelMissing(main, "fraud/9")}},
		{"canary missing", "fraud-scoring", []ServedVersion{{ID: "fraud/2", Version: &fraud2, Found: both}, {ID: "fraud/7", Role: RoleCanary}},
			[]want{modelMissing(canary, "fraud/7")}},
		{"shadow missing", "fraud-scoring", []ServedVersion{{ID: "fraud/2", Version: &fraud2, Found: both}, {ID: "fraud/7", Role: RoleShadow}},
			[]want{modelMissing(Path{"shadow", "model_version_id"}, "fraud/7")}},
		{"the shadow's feature versions", "fraud-scoring",
			[]ServedVersion{{ID: "fraud/2", Version: &fraud2, Found: both}, {ID: "fraud/1", Role: RoleShadow, Version: &fraud1, Found: both}},
			[]want{fvMissing(Path{"shadow", "model_version_id"}, "model version fraud/1 -> feature version transactions/1", "transactions/1")}},
		{"canary not known yet", "fraud-scoring", []ServedVersion{{ID: "fraud/9"}, {}}, []want{modelMissing(main, "fraud/9")}},
		{"a missing version is not also D2", "fraud-scoring", []ServedVersion{{ID: "fraud/9", Found: map[string]FeatureVersion{}}},
			[]want{modelMissing(main, "fraud/9")}},
		{"feature version missing", "fraud-scoring",
			[]ServedVersion{{ID: "fraud/2", Version: &fraud2, Found: map[string]FeatureVersion{"payments/1": fv("payments", 1)}}},
			[]want{fvMissing(main, "model version fraud/2 -> feature version transactions/2", "transactions/2",
				"or deploy a model version whose feature versions exist there")}},
		{"the fix names the alternatives", "fraud-scoring",
			[]ServedVersion{{ID: "fraud/2", Version: &fraud2, Found: map[string]FeatureVersion{"payments/1": fv("payments", 1)}, Alternatives: []string{"fraud/1", "fraud/3"}}},
			[]want{fvMissing(main, "model version fraud/2 -> feature version transactions/2", "transactions/2", "(in prod: fraud/1, fraud/3)")}},
		{"every missing feature version", "fraud-scoring", []ServedVersion{{ID: "fraud/2", Version: &fraud2}},
			[]want{
				fvMissing(main, "model version fraud/2 -> feature version payments/1", "payments/1"),
				fvMissing(main, "model version fraud/2 -> feature version transactions/2", "transactions/2"),
			}},
		{"the canary's feature versions", "fraud-scoring",
			[]ServedVersion{{ID: "fraud/2", Version: &fraud2, Found: both}, {ID: "fraud/1", Role: RoleCanary, Version: &fraud1, Found: both}},
			[]want{fvMissing(canary, "model version fraud/1 -> feature version transactions/1", "transactions/1")}},
		{"deprecated feature version warns", "fraud-scoring", []ServedVersion{{ID: "fraud/2", Version: &fraud2, Found: deprecated}},
			[]want{warningAt("D2", main, "Served model reads a deprecated feature version",
				"deployment fraud-scoring -> model version fraud/2 -> feature version transactions/2", `is deprecated in environment "prod"`)}},
		{"a new deployment", "", []ServedVersion{{ID: "fraud/9"}}, []want{errorAt("D1", main, "deployment (new) would serve model version fraud/9")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectProblems(t, CheckServed(c.deployment, "prod", c.served), c.want...)
		})
	}
	// Without alternatives the fix names none.
	ps := CheckServed("fraud-scoring", "prod", []ServedVersion{{ID: "fraud/2", Version: &fraud2, Found: map[string]FeatureVersion{"payments/1": fv("payments", 1)}}})
	if len(ps) != 1 || strings.Contains(ps[0].Detail, "(in ") {
		t.Errorf("without alternatives: %s", dump(ps))
	}
}

// TestCheckCanary is rule D4. Ids not known yet are "", a percent nil.
func TestCheckCanary(t *testing.T) {
	percentPath := Path{"canary", "percent"}
	versionPath := Path{"canary", "model_version_id"}
	cases := []struct {
		name         string
		deployment   string
		main, canary string
		percent      *int64
		want         []want
	}{
		{"valid", "fraud-scoring", "fraud/2", "fraud/1", int64p(10), nil},
		{"lowest percent", "fraud-scoring", "fraud/2", "fraud/1", int64p(1), nil},
		{"highest percent", "fraud-scoring", "fraud/2", "fraud/1", int64p(99), nil},
		{"percent 0", "fraud-scoring", "fraud/2", "fraud/1", int64p(0),
			[]want{errorAt("D4", percentPath, "Invalid canary percent", "between 1 and 99, got 0", "0 means no canary (remove the canary)")}},
		{"percent 100", "fraud-scoring", "fraud/2", "fraud/1", int64p(100),
			[]want{errorAt("D4", percentPath, "Invalid canary percent", "got 100", "100 means promoting it (make it model_version_id)")}},
		{"negative percent", "fraud-scoring", "fraud/2", "fraud/1", int64p(-5), []want{errorAt("D4", percentPath, "got -5")}},
		{"canary equals main", "fraud-scoring", "fraud/2", "fraud/2", int64p(10),
			[]want{errorAt("D4", versionPath, "Canary equals the main version",
				"the canary of deployment fraud-scoring is model version fraud/2, which the deployment already serves")}},
		{"canary of another model", "fraud-scoring", "fraud/2", "churn/1", int64p(10),
			[]want{errorAt("D4", versionPath, "Canary of another model",
				`deployment fraud-scoring serves model "fraud", but its canary churn/1 is a version of model "churn"`)}},
		{"malformed canary", "fraud-scoring", "fraud/2", "fraud/v1", int64p(10),
			[]want{errorAt("D4", versionPath, "Invalid model version id", `"fraud/v1"`)}},
		{"bad percent and same version", "fraud-scoring", "fraud/2", "fraud/2", int64p(100),
			[]want{errorAt("D4", percentPath, "got 100"), errorAt("D4", versionPath, "Canary equals the main version")}},
		{"a new deployment", "", "fraud/2", "fraud/2", nil, []want{errorAt("D4", versionPath, "the canary of deployment (new)")}},
		// What plan does not know yet is not checked.
		{"percent unknown", "fraud-scoring", "fraud/2", "fraud/1", nil, nil},
		{"canary unknown", "fraud-scoring", "fraud/2", "", int64p(10), nil},
		{"main unknown", "fraud-scoring", "", "churn/1", int64p(10), nil},
		{"main unknown, canary malformed", "fraud-scoring", "", "fraud", nil, []want{errorAt("D4", versionPath, "Invalid model version id")}},
		{"main malformed", "fraud-scoring", "fraud", "fraud/1", nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectProblems(t, CheckCanary(c.deployment, c.main, c.canary, c.percent), c.want...)
		})
	}
}

func TestCheckReplicas(t *testing.T) {
	cases := []struct {
		name     string
		min, max *int64
		want     []want
	}{
		{"one", int64p(1), int64p(1), nil},
		{"scaled to zero", int64p(0), int64p(0), nil},
		{"a range", int64p(2), int64p(10), nil},
		{"unknown", nil, nil, nil},
		{"max unknown", int64p(3), nil, nil},
		{"min unknown", nil, int64p(-1), nil},
		{"negative min", int64p(-1), int64p(1), []want{errorAt("", Path{"replicas", "min"}, "Invalid replicas", "replicas.min must be 0 or more, got -1")}},
		{"max below min", int64p(3), int64p(2), []want{errorAt("", Path{"replicas", "max"}, "Invalid replicas", "replicas.max (2) must be at least replicas.min (3)")}},
		{"both", int64p(-1), int64p(-2), []want{errorAt("", Path{"replicas", "min"}, "got -1"), errorAt("", Path{"replicas", "max"}, "replicas.max (-2)")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectProblems(t, CheckReplicas(c.min, c.max), c.want...)
		})
	}
}

// TestCheckPromoteFrom is the part of D5 the configuration shows.
func TestCheckPromoteFrom(t *testing.T) {
	path := Path{"promote_from"}
	cases := []struct {
		name, deployment, from, env string
		want                        []want
	}{
		{"not promoted", "fraud-scoring", "", "prod", nil},
		{"from staging", "fraud-scoring", "staging", "prod", nil},
		{"environment not known yet", "fraud-scoring", "prod", "", nil},
		{"invalid name", "fraud-scoring", "Staging", "prod",
			[]want{errorAt("D5", path, "Invalid environment", `promote_from "Staging" is not a valid environment name`, EnvironmentPattern)}},
		{"invalid at validate too", "fraud-scoring", "stag ing", "", []want{errorAt("D5", path, "Invalid environment")}},
		{"from itself", "fraud-scoring", "prod", "prod",
			[]want{errorAt("D5", path, "Promotion from the same environment",
				`deployment fraud-scoring is in environment "prod" and cannot be promoted from it`)}},
		{"a new deployment from itself", "", "prod", "prod", []want{errorAt("D5", path, "deployment (new) is in environment")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectProblems(t, CheckPromoteFrom(c.deployment, c.from, c.env), c.want...)
		})
	}
}

// TestCheckPromotion is D5 against what the source environment holds.
func TestCheckPromotion(t *testing.T) {
	here1 := ModelVersion{Model: "fraud", Version: 1, ArtifactURI: "s3://models/fraud/1"}
	here2 := ModelVersion{Model: "fraud", Version: 2, ArtifactURI: "s3://models/fraud/2"}
	other2 := here2
	other2.ArtifactURI = "s3://staging/fraud/2"
	source := func(main, canary string, versions ...ModelVersion) PromotionSource {
		d := &Deployment{Name: "fraud-scoring", ModelVersion: main}
		if canary != "" {
			d.Canary = &Canary{ModelVersion: canary, Percent: 10}
		}
		src := PromotionSource{Environment: "staging", Deployment: d, Versions: map[string]ModelVersion{}}
		for _, v := range versions {
			src.Versions[v.ID()] = v
		}
		return src
	}
	served := func(vs ...ModelVersion) []ServedVersion {
		out := make([]ServedVersion, len(vs))
		for i := range vs {
			out[i] = ServedVersion{ID: vs[i].ID(), Role: servedRoles[i], Version: &vs[i]}
		}
		return out
	}
	cases := []struct {
		name   string
		served []ServedVersion
		src    PromotionSource
		want   []want
	}{
		{"same version, same artifact", served(here1), source("fraud/1", "", here1), nil},
		{"main and canary both served there", served(here2, here1), source("fraud/1", "fraud/2", here1, here2), nil},
		{"nothing there", served(here1), PromotionSource{Environment: "staging"},
			[]want{errorAt("D5", Path{"promote_from"}, "Nothing to promote from",
				`deployment fraud-scoring is promoted from environment "staging", which has no deployment fraud-scoring`, `apply it in "staging" first`)}},
		{"another version there", served(here2), source("fraud/1", "", here1),
			[]want{errorAt("D5", Path{"model_version_id"}, "Model version not promoted",
				`deployment fraud-scoring would serve model version fraud/2 in environment "prod"`,
				`but deployment fraud-scoring in "staging" serves fraud/1, not fraud/2`)}},
		{"the canary not promoted", served(here1, here2), source("fraud/1", "", here1),
			[]want{errorAt("D5", Path{"canary", "model_version_id"}, "Model version not promoted", "would serve model version fraud/2")}},
		{"another artifact", served(here2), source("fraud/2", "", other2),
			[]want{errorAt("D5", Path{"model_version_id"}, "Different artifact",
				`model version fraud/2 is s3://models/fraud/2 in environment "prod" but s3://staging/fraud/2 in "staging"`)}},
		{"not known yet", []ServedVersion{{}}, source("fraud/1", ""), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectProblems(t, CheckPromotion("fraud-scoring", "prod", c.served, c.src), c.want...)
		})
	}
}

func TestCheckDeployment(t *testing.T) {
	good := Deployment{Name: "fraud-scoring", ModelVersion: "fraud/2", Canary: &Canary{ModelVersion: "fraud/1", Percent: 10},
		Replicas: Replicas{Min: 1, Max: 3}, PromoteFrom: "staging"}
	expectProblems(t, CheckDeployment(good, "prod"))
	cases := []struct {
		name   string
		change func(*Deployment)
		want   want
	}{
		{"name", func(d *Deployment) { d.Name = "Fraud_Scoring" }, errorAt("", Path{"name"}, "Invalid deployment name", `"Fraud_Scoring"`)},
		{"model version id", func(d *Deployment) { d.ModelVersion = "fraud"; d.Canary = nil },
			errorAt("D1", Path{"model_version_id"}, "Invalid model version id")},
		{"canary", func(d *Deployment) { d.Canary.Percent = 0 }, errorAt("D4", Path{"canary", "percent"}, "Invalid canary percent")},
		{"replicas", func(d *Deployment) { d.Replicas.Max = 0 }, errorAt("", Path{"replicas", "max"}, "Invalid replicas")},
		{"promote_from", func(d *Deployment) { d.PromoteFrom = "prod" }, errorAt("D5", Path{"promote_from"}, "Promotion from the same environment")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := good
			canary := *good.Canary
			d.Canary = &canary
			c.change(&d)
			expectProblems(t, CheckDeployment(d, "prod"), c.want)
		})
	}
}
