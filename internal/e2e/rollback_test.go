package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestRollback runs the commands of the rollback guide
// (templates/guides/rollback.md.tmpl) in examples/rollback: fraud-scoring
// serves fraud/2 with fraud/1 as its rollback version; disabling the
// feature pipeline of transactions/1 is refused at plan, in the words the
// guide pastes (D10); the rollback is one in-place diff; v1's pipeline
// retires once nothing names fraud/1 as its rollback version.
func TestRollback(t *testing.T) {
	w := newWorkdir(t, "examples/rollback")
	w.setenv("MLOPS_REGISTRY", "sqlite://"+filepath.Join(t.TempDir(), "mlops-registry.db"))
	w.workspace("prod")
	w.apply()
	w.expectEmptyPlan()
	w.importRoundTrip()

	r := w.run("plan", "-no-color", "-var", "v1_pipeline=disabled")
	expectRefused(t, r, "Rollback version would lose its features (rule D10)",
		"deployment fraud-scoring -> rollback version fraud/1 -> feature version transactions/1 -> pipeline transactions-v1")
	expectAsInGuide(t, r, "rollback", "Rollback version would lose its features (rule D10)", "rollback_main.tf")
	// Retiring it is refused too, at plan.
	r = w.run("plan", "-no-color", "-var", "v1_pipeline=retired")
	expectRefused(t, r, "Rollback version would lose its features (rule D10)", `this change deletes pipeline "transactions-v1"`)

	// The rollback: one in-place diff.
	rollback := []string{"-var", "serve=1", "-var", "rollback="}
	expectInPlace(t, w, rollback, "Plan: 0 to add, 1 to change, 0 to destroy.",
		`model_version_id          = "fraud/2" -> "fraud/1"`, `- rollback_model_version_id = "fraud/1" -> null`)
	w.apply(rollback...)
	w.expectEmptyPlan(rollback...)

	// fraud/2 again, with no rollback version: then v1's pipeline retires.
	w.apply("-var", "rollback=")
	out := w.apply("-var", "rollback=", "-var", "v1_pipeline=retired").stdout
	if !strings.Contains(out, "Resources: 0 added, 0 changed, 1 destroyed.") || !strings.Contains(out, `mlops_pipeline.transactions["1"]: Destruction complete`) {
		t.Fatalf("retiring v1's pipeline:\n%s", out)
	}
	w.expectEmptyPlan("-var", "rollback=", "-var", "v1_pipeline=retired")
}
