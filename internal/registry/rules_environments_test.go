package registry

import "testing"

// These tests call the checks of environment policies directly: their own
// fields, promotion cycles, and rules D7, D8 and D9.

func TestCheckEnvironmentPolicy(t *testing.T) {
	tests := []struct {
		name   string
		policy EnvironmentPolicy
		wants  []want
	}{
		{"valid", EnvironmentPolicy{Name: "prod", PromoteFrom: "staging", RequiredGates: []string{"fraud-release", "latency"}}, nil},
		{"nothing required", EnvironmentPolicy{Name: "dev"}, nil},
		{"names not known yet", EnvironmentPolicy{}, nil},
		{"invalid name", EnvironmentPolicy{Name: "Prod"},
			[]want{errorAt("", Path{"name"}, "Invalid environment name", `"Prod"`, EnvironmentPattern)}},
		{"invalid promote_from", EnvironmentPolicy{Name: "prod", PromoteFrom: "staging_1"},
			[]want{errorAt("D7", Path{"promote_from"}, "Invalid environment", `promote_from "staging_1"`)}},
		{"promoting from itself", EnvironmentPolicy{Name: "prod", PromoteFrom: "prod"},
			[]want{errorAt("D7", Path{"promote_from"}, "An environment promoting from itself", `environment "prod" cannot be promoted from itself`, "remove promote_from")}},
		{"invalid gate name", EnvironmentPolicy{Name: "prod", RequiredGates: []string{"ok", "Fraud Release"}},
			[]want{errorAt("D8", Path{"required_gates", 1}, "Invalid gate name", `"Fraud Release" is not a validation suite name`)}},
		{"gate named twice", EnvironmentPolicy{Name: "prod", RequiredGates: []string{"a", "b", "a"}},
			[]want{errorAt("D8", Path{"required_gates", 2}, "Gate named twice", `names "a" twice`)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { expectProblems(t, CheckEnvironmentPolicy(tc.policy), tc.wants...) })
	}
}

func TestCheckPromotionCycle(t *testing.T) {
	policy := func(name, from string) EnvironmentPolicy { return EnvironmentPolicy{Name: name, PromoteFrom: from} }
	chain := []EnvironmentPolicy{policy("dev", ""), policy("staging", "dev"), policy("prod", "staging")}
	tests := []struct {
		name   string
		policy EnvironmentPolicy
		all    []EnvironmentPolicy
		wants  []want
	}{
		{"a chain", policy("prod", "staging"), chain, nil},
		{"no other policy", policy("prod", "staging"), nil, nil},
		{"no promote_from", policy("dev", ""), chain, nil},
		{"two environments", policy("dev", "staging"), chain,
			[]want{errorAt("D7", Path{"promote_from"}, "Promotion cycle", `environment "dev" is promoted from "staging"`, "dev -> staging -> dev", "remove promote_from from one")}},
		{"three environments, in the direction models travel", policy("dev", "prod"), chain,
			[]want{errorAt("D7", Path{"promote_from"}, "Promotion cycle", "dev -> staging -> prod -> dev")}},
		// The policy's own stored entry is replaced by the new one.
		{"a change that removes the cycle", policy("staging", "dev"), []EnvironmentPolicy{policy("dev", "staging"), policy("staging", "prod")},
			[]want{errorAt("D7", Path{"promote_from"}, "Promotion cycle", "staging -> dev -> staging")}},
		{"a cycle of others is theirs", policy("prod", "staging"), []EnvironmentPolicy{policy("dev", "staging"), policy("staging", "dev")}, nil},
		{"promoting from itself is CheckEnvironmentPolicy's", policy("prod", "prod"), chain, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { expectProblems(t, CheckPromotionCycle(tc.policy, tc.all), tc.wants...) })
	}
}

func TestCheckEnvironmentPromotion(t *testing.T) {
	prod := EnvironmentPolicy{Name: "prod", PromoteFrom: "staging"}
	expectProblems(t, CheckEnvironmentPromotion("fraud-scoring", "", prod))
	expectProblems(t, CheckEnvironmentPromotion("fraud-scoring", "staging", prod))
	expectProblems(t, CheckEnvironmentPromotion("fraud-scoring", "dev", EnvironmentPolicy{Name: "prod"}))
	expectProblems(t, CheckEnvironmentPromotion("fraud-scoring", "dev", prod),
		errorAt("D7", Path{"promote_from"}, "Promoted from another environment",
			`deployment fraud-scoring is promoted from "dev", but environment "prod" is promoted from "staging"`,
			`mlops_environment "prod", promote_from`, `Set promote_from = "staging" or remove it`))
	if got := EffectivePromoteFrom("", prod); got != "staging" {
		t.Errorf("EffectivePromoteFrom of none: %q, want the policy's", got)
	}
	if got := EffectivePromoteFrom("dev", prod); got != "dev" {
		t.Errorf("EffectivePromoteFrom of dev: %q, want its own", got)
	}
}

func TestCheckRequiredGates(t *testing.T) {
	fraud2 := ModelVersion{Model: "fraud", Version: 2, Metrics: map[string]string{"auc": "0.91", "latency_ms": "40"}}
	churn1 := ModelVersion{Model: "churn", Version: 1, Metrics: map[string]string{"auc": "0.80"}}
	served := func(vs ...ModelVersion) []ServedVersion {
		out := make([]ServedVersion, len(vs))
		for i, v := range vs {
			out[i] = ServedVersion{ID: v.ID(), Role: servedRoles[i], Version: &v}
		}
		return out
	}
	gate := func(name, model string, es ...Expectation) ValidationSuite {
		return ValidationSuite{Name: name, Model: model, Expectations: es, Revision: 1}
	}
	atLeast := func(metric, v, severity string) Expectation {
		return Expectation{Type: "expect_metric_to_be_at_least", Metric: metric, MinValue: v, Severity: severity}
	}
	prod := EnvironmentPolicy{Name: "prod", RequiredGates: []string{"prod-release"}}
	tests := []struct {
		name   string
		served []ServedVersion
		suites map[string]ValidationSuite
		wants  []want
	}{
		{"passes", served(fraud2), map[string]ValidationSuite{"prod-release": gate("prod-release", "platform", atLeast("auc", "0.9", ""))}, nil},
		{"fails", served(fraud2), map[string]ValidationSuite{"prod-release": gate("prod-release", "platform", atLeast("auc", "0.95", ""))},
			[]want{errorAt("D8", Path{"model_version_id"}, "Required gate fails",
				`deployment fraud-scoring -> model version fraud/2: gate prod-release, required in environment "prod", expects auc to be at least 0.95, but fraud/2 has auc = 0.91`,
				`or change the gate in validation suite prod-release or the required_gates of environment "prod"`)}},
		{"fails as a warning", served(fraud2), map[string]ValidationSuite{"prod-release": gate("prod-release", "platform", atLeast("auc", "0.95", "warning"))},
			[]want{warningAt("D8", Path{"model_version_id"}, "Required gate fails (warning)", "expects auc to be at least 0.95")}},
		{"the canary fails, a metric missing", served(fraud2, churn1),
			map[string]ValidationSuite{"prod-release": gate("prod-release", "platform", atLeast("latency_ms", "10", ""))},
			[]want{errorAt("D8", Path{"canary", "model_version_id"}, "Required gate fails", "model version churn/1", "churn/1 has no metric latency_ms")}},
		{"the shadow fails", []ServedVersion{served(fraud2)[0], {ID: churn1.ID(), Role: RoleShadow, Version: &churn1}},
			map[string]ValidationSuite{"prod-release": gate("prod-release", "platform", atLeast("auc", "0.85", ""))},
			[]want{errorAt("D8", Path{"shadow", "model_version_id"}, "Required gate fails", "model version churn/1", "churn/1 has auc = 0.8")}},
		{"a suite of the served model is D3's", served(fraud2), map[string]ValidationSuite{"prod-release": gate("prod-release", "fraud", atLeast("auc", "0.95", ""))}, nil},
		{"a suite this plan creates is checked at apply", served(fraud2),
			map[string]ValidationSuite{"prod-release": {Name: "prod-release", Model: "platform", Expectations: []Expectation{atLeast("auc", "0.95", "")}}}, nil},
		{"unknown served versions", []ServedVersion{{}}, map[string]ValidationSuite{"prod-release": gate("prod-release", "platform", atLeast("auc", "0.95", ""))}, nil},
		{"missing suite", served(fraud2), nil,
			[]want{errorAt("D8", Path{"model_version_id"}, "Required gate missing",
				`environment "prod" requires gate "prod-release" (mlops_environment "prod", required_gates), but it has no validation suite "prod-release"`,
				`remove "prod-release" from the environment's required_gates`)}},
		{"data suite", served(fraud2), map[string]ValidationSuite{"prod-release": {Name: "prod-release", FeatureVersion: "transactions/2", Revision: 1}},
			[]want{errorAt("D8", Path{"model_version_id"}, "Required gate is a data suite", `checks the data of feature version transactions/2`, "Name a suite with model_id")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expectProblems(t, CheckRequiredGates("fraud-scoring", prod, tc.served, tc.suites), tc.wants...)
		})
	}
	expectProblems(t, CheckRequiredGates("fraud-scoring", EnvironmentPolicy{Name: "prod"}, served(fraud2), nil))
}

func TestCheckProtected(t *testing.T) {
	prod := EnvironmentPolicy{Name: "prod", Protected: true}
	deployment := Ref{Kind: KindDeployment, ID: "fraud-scoring"}
	served := Ref{Kind: KindModelVersion, ID: "fraud/2", ServedBy: []string{"fraud-scoring"}}
	tests := []struct {
		name    string
		obj     Ref
		replace bool
		policy  EnvironmentPolicy
		wants   []want
	}{
		{"deployment, not protected", deployment, false, EnvironmentPolicy{Name: "prod"}, nil},
		{"deployment destroyed", deployment, false, prod,
			[]want{errorAt("D9", nil, "Protected environment", `this plan destroys deployment "fraud-scoring" in environment "prod", which is protected`,
				"Switch protected off in an earlier apply (protected = false, in the configuration that manages the environments)")}},
		{"deployment replaced", deployment, true, prod,
			[]want{errorAt("D9", nil, "Protected environment", `this plan replaces (destroys, then creates again) deployment "fraud-scoring"`)}},
		{"served model version", served, false, prod,
			[]want{errorAt("D9", nil, "Protected environment", `model version "fraud/2" (served by deployment fraud-scoring) in environment "prod"`,
				"even by a plan that removes both")}},
		{"model version nothing serves", Ref{Kind: KindModelVersion, ID: "fraud/1"}, false, prod, nil},
		{"other kinds", Ref{Kind: KindFeatureVersion, ID: "transactions/1"}, false, prod, nil},
		{"the policy itself", Ref{Kind: KindEnvironment, ID: "prod"}, false, prod,
			[]want{errorAt("D9", nil, "Protected environment", `this plan destroys the policy of environment "prod", which is protected`,
				`protected = false on mlops_environment "prod"`)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { expectProblems(t, CheckProtected(tc.obj, tc.replace, tc.policy), tc.wants...) })
	}
}
