package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The -var options of the promotion guide (templates/guides/promotion.md.tmpl).
// Release 2 is the configuration as written.
var (
	// Release 1, which prod runs when the guide starts: transactions v1,
	// fraud v1 registered and served.
	release1Features = []string{"-var", "transactions_versions=[1]"}
	release1Serving  = []string{"-var", "fraud_versions=[1]", "-var", "fraud_version=1"}
	// The rollback serves fraud v1.
	rollback = []string{"-var", "fraud_version=1"}
	// Version 1 retired: fraud v1, then transactions v1.
	retireServing  = []string{"-var", "fraud_versions=[2]"}
	retireFeatures = []string{"-var", "transactions_versions=[2]"}
)

// TestPromotion runs the commands of the promotion guide: examples/promotion's
// feature stack and serving stack, two working directories sharing one
// registry file, promoted through real workspaces dev, staging and prod.
func TestPromotion(t *testing.T) {
	registry := "sqlite://" + filepath.Join(t.TempDir(), "mlops-registry.db")
	features := newWorkdir(t, "examples/promotion/features")
	serving := newWorkdir(t, "examples/promotion/serving")
	features.setenv("MLOPS_REGISTRY", registry)
	serving.setenv("MLOPS_REGISTRY", registry)

	// promote applies both stacks in each environment, features first; each
	// applies one stack in each environment.
	promote := func(envs []string, featureArgs, servingArgs []string) {
		t.Helper()
		for _, env := range envs {
			features.workspace(env)
			features.apply(featureArgs...)
			serving.workspace(env)
			serving.apply(servingArgs...)
		}
	}
	each := func(w *workdir, envs []string, args ...string) {
		t.Helper()
		for _, env := range envs {
			w.workspace(env)
			w.apply(args...)
		}
	}
	all := []string{"dev", "staging", "prod"}
	devStaging := []string{"dev", "staging"}

	// Release 1 runs everywhere; release 2 reaches dev and staging, where
	// nothing is left to do after it.
	promote(all, release1Features, release1Serving)
	promote(devStaging, nil, nil)
	serving.expectEmptyPlan()

	// prod lacks transactions v2: the same configuration is refused there,
	// at plan.
	features.workspace("prod")
	serving.workspace("prod")
	r := serving.run("plan", "-no-color")
	expectRefused(t, r, "Feature version missing (rule M1)",
		`model version fraud/2 reads feature version transactions/2, which does not exist in environment "prod"`,
		`Apply feature version transactions/2 in "prod" first (the configuration that manages the features)`)
	expectAsInGuide(t, r, "promotion", "Feature version missing (rule M1)", "serving_main.tf")

	// The feature stack catches up: the plan passes, and apply succeeds (D5:
	// staging serves fraud/2 as the same artifact).
	features.apply()
	expectInPlace(t, serving, nil, "Plan: 1 to add, 1 to change, 0 to destroy.",
		`model_version_id = "fraud/1" -> "fraud/2"`)
	serving.apply()
	serving.expectEmptyPlan()
	lineage := serving.must("output", "-raw", "lineage").stdout
	for _, want := range []string{
		"graph LR", "environment prod",
		`deployment_fraud_scoring -- "100%" --> model_version_fraud_2`,
		"model_version_fraud_2 --> feature_version_transactions_2",
	} {
		if !strings.Contains(lineage, want) {
			t.Fatalf("lineage lacks %q:\n%s", want, lineage)
		}
	}

	// Rolling prod back first is refused at plan (D5): staging serves fraud/2.
	r = serving.run("plan", "-no-color", "-var", "fraud_version=1")
	expectRefused(t, r, "Model version not promoted (rule D5)",
		`deployment fraud-scoring would serve model version fraud/1 in environment "prod", but deployment fraud-scoring in "staging" serves fraud/2, not fraud/1`,
		`promote fraud/1 through "staging" first`)
	expectAsInGuide(t, r, "promotion", "Model version not promoted (rule D5)", "serving_main.tf")
	// Through dev and staging, then prod: one in-place change.
	each(serving, devStaging, rollback...)
	serving.workspace("prod")
	expectInPlace(t, serving, rollback, "Plan: 0 to add, 1 to change, 0 to destroy.", `model_version_id = "fraud/2" -> "fraud/1"`)
	serving.apply(rollback...)
	serving.expectEmptyPlan(rollback...)

	// Deleting transactions v1 while fraud v1 reads it, and is served, is
	// refused at apply (F2), and nothing is deleted.
	r = features.run(append([]string{"apply", "-auto-approve", "-no-color"}, retireFeatures...)...)
	expectRefused(t, r, "Object still referenced (rule F2)",
		`feature version "transactions/1" in environment "prod" is still referenced by model version "fraud/1" (served by deployment fraud-scoring)`,
		"Nothing was deleted.")
	expectAsInGuide(t, r, "promotion", "Object still referenced (rule F2)", "features_main.tf")
	if r := features.run(append([]string{"plan", "-no-color"}, retireFeatures...)...); r.code != 0 ||
		!strings.Contains(r.stdout, `mlops_feature_version.transactions["1"] will be destroyed`) ||
		!strings.Contains(r.stdout, "Plan: 0 to add, 0 to change, 1 to destroy.") {
		t.Fatalf("transactions v1 should still be there: %s", r)
	}
	features.expectEmptyPlan()
	serving.expectEmptyPlan(rollback...)

	// Upgrade again: dev and staging, then prod, in place.
	each(serving, devStaging)
	serving.workspace("prod")
	expectInPlace(t, serving, nil, "Plan: 0 to add, 1 to change, 0 to destroy.", `model_version_id = "fraud/1" -> "fraud/2"`)
	serving.apply()
	serving.expectEmptyPlan()

	// Retiring version 1: fraud v1 everywhere first, then transactions v1,
	// which nothing reads any more.
	each(serving, all, retireServing...)
	for _, env := range all {
		features.workspace(env)
		if out := features.apply(retireFeatures...).stdout; !strings.Contains(out, "Resources: 0 added, 0 changed, 1 destroyed.") {
			t.Fatalf("retiring transactions v1 in %s:\n%s", env, out)
		}
	}
}

// expectRefused fails unless terraform exited 1 with an error holding every
// fragment. Terraform wraps diagnostics to the terminal's width, so runs of
// white space compare equal.
func expectRefused(t *testing.T, r result, fragments ...string) {
	t.Helper()
	if r.code != 1 {
		t.Fatalf("expected a refusal (exit code 1): %s", r)
	}
	for _, f := range fragments {
		if !strings.Contains(squash(r.stderr), squash(f)) {
			t.Fatalf("the error lacks %q: %s", f, r)
		}
	}
}

// expectAsInGuide fails unless the error that guide (a template in
// templates/guides, such as "promotion") pastes under the summary is the
// one terraform wrote, word for word, source line included; dates (such as
// an approval's) compare equal. The guide's commands run from the example's
// directory, where the file is main.tf; here it is file.
func expectAsInGuide(t *testing.T, r result, guideName, summary, file string) {
	t.Helper()
	guide, err := os.ReadFile(filepath.Join(moduleRoot(), "templates", "guides", guideName+".md.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, block := range regexp.MustCompile("(?s)```text\n(.*?)```").FindAllStringSubmatch(string(guide), -1) {
		_, pasted, found := strings.Cut(block[1], "│ Error: "+summary+"\n")
		if !found {
			continue
		}
		pasted, _, _ = strings.Cut(pasted, "╵")
		pasted = strings.ReplaceAll(pasted, "│", "")
		pasted = strings.Replace(pasted, " on main.tf line ", " on "+file+" line ", 1)
		if !strings.Contains(undated(squash(r.stderr)), undated(squash("Error: "+summary+"\n"+pasted))) {
			t.Fatalf("the guide pastes another error under %q:\n%s\n%s", summary, pasted, r)
		}
		return
	}
	t.Fatalf("the guide pastes no error %q", summary)
}

// undated replaces every date (2026-11-20) with YYYY-MM-DD.
func undated(s string) string {
	return dateRE.ReplaceAllString(s, "YYYY-MM-DD")
}

var dateRE = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b`)

// squash replaces each run of white space with one space.
func squash(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// expectInPlace fails unless `terraform plan -detailed-exitcode` with args
// shows changes that update mlops_deployment.fraud in place, hold every
// fragment, and replace or destroy nothing.
func expectInPlace(t *testing.T, w *workdir, args []string, fragments ...string) {
	t.Helper()
	r := w.run(append([]string{"plan", "-detailed-exitcode", "-no-color"}, args...)...)
	if r.code != 2 {
		t.Fatalf("expected changes (exit code 2): %s", r)
	}
	fragments = append(fragments, "~ update in-place", "# mlops_deployment.fraud will be updated in-place")
	for _, f := range fragments {
		if !strings.Contains(r.stdout, f) {
			t.Fatalf("the plan lacks %q: %s", f, r)
		}
	}
	for _, bad := range []string{"must be replaced", "-/+", "will be destroyed"} {
		if strings.Contains(r.stdout, bad) {
			t.Fatalf("the plan replaces or destroys something (%q): %s", bad, r)
		}
	}
}
