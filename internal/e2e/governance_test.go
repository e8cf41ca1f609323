package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestGovernance runs the commands of the governance guide
// (templates/guides/governance.md.tmpl): examples/governance's platform,
// models, risk and serving stacks, four working directories sharing one
// registry file, the models and serving stacks promoted through real
// workspaces dev, staging and prod.
func TestGovernance(t *testing.T) {
	registry := "sqlite://" + filepath.Join(t.TempDir(), "mlops-registry.db")
	stacks := map[string]*workdir{}
	for _, name := range []string{"platform", "models", "risk", "serving"} {
		w := newWorkdir(t, "examples/governance/"+name)
		w.setenv("MLOPS_REGISTRY", registry)
		stacks[name] = w
	}
	platform, models, risk, serving := stacks["platform"], stacks["models"], stacks["risk"], stacks["serving"]
	each := func(w *workdir, envs []string, args ...string) {
		t.Helper()
		for _, env := range envs {
			w.workspace(env)
			w.apply(args...)
		}
	}
	all := []string{"dev", "staging", "prod"}

	// The platform declares the environments; the ML team registers fraud
	// v1 and v2 everywhere; the risk team approves fraud/1 in prod.
	platform.apply()
	platform.expectEmptyPlan()
	each(models, all)
	risk.workspace("prod")
	risk.apply()

	// Release 1 (champion = fraud/1) runs everywhere; release 2 reaches dev
	// and staging.
	each(serving, all, "-var", "champion=1")
	each(serving, []string{"dev", "staging"})

	// prod requires approval, and fraud/2 has none there: refused at plan.
	serving.workspace("prod")
	r := serving.run("plan", "-no-color")
	expectRefused(t, r, "Model version not approved (rule D6)",
		`fraud/2 has no approval in prod, and environment "prod" requires approval`,
		"or serve fraud/1 (approved ", "by risk-team)")
	expectAsInGuide(t, r, "governance", "Model version not approved (rule D6)", "serving_main.tf")

	// The risk team approves fraud/2; prod's plan moves the alias and the
	// deployment follows it.
	out := risk.apply("-var", `approved={"1" = "backtest 2026-10 signed off", "2" = "backtest 2026-11 signed off"}`).stdout
	for _, want := range []string{`"2" = "approved by risk-team at `, "artifact sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"} {
		if !strings.Contains(out, want) {
			t.Fatalf("the risk stack's output lacks %q:\n%s", want, out)
		}
	}
	expectInPlace(t, serving, nil, "Plan: 0 to add, 2 to change, 0 to destroy.",
		"# mlops_model_alias.champion will be updated in-place", `model_version_id = "fraud/1" -> "fraud/2"`)
	serving.apply()
	serving.expectEmptyPlan()

	// prod is protected: a plan that destroys its deployment is refused.
	r = serving.run("plan", "-destroy", "-no-color")
	expectRefused(t, r, "Protected environment (rule D9)", `this plan destroys deployment "fraud-scoring" in environment "prod", which is protected`)
	expectAsInGuide(t, r, "governance", "Protected environment (rule D9)", "serving_main.tf")
	if got := serving.stateList(); len(got) != 2 {
		t.Fatalf("the refused destroy changed the state: %q", got)
	}
}
