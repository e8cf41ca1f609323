package registry_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// shadowing is deployment fraud-scoring serving main with a canary (when
// canary is not "") and a shadow sampling percent of the requests.
func shadowing(main, canary, shadow string, percent int64) registry.Deployment {
	d := serving(main, canary, 10)
	d.Shadow = &registry.Shadow{ModelVersion: shadow, SamplePercent: percent}
	return d
}

var shadowPath = registry.Path{"shadow", "model_version_id"}

func TestDeploymentD4Shadow(t *testing.T) {
	ctx := context.Background()
	r := newEnv(t).registry(t, "dev")
	seedServing(t, r)
	mustCreateModelVersion(t, r, fraudVersion(3, 2))

	cases := []struct {
		name string
		d    registry.Deployment
		path registry.Path
		want []string
	}{
		{"percent 0", shadowing("fraud/2", "", "fraud/3", 0), registry.Path{"shadow", "sample_percent"},
			[]string{"Invalid shadow sample percent", "between 1 and 100, got 0", "0 means no shadow (remove the shadow)"}},
		{"percent 101", shadowing("fraud/2", "", "fraud/3", 101), registry.Path{"shadow", "sample_percent"},
			[]string{"Invalid shadow sample percent", "got 101", "100 copies every request"}},
		{"shadow equals main", shadowing("fraud/2", "", "fraud/2", 20), shadowPath,
			[]string{"Shadow equals the main version", "the shadow of deployment fraud-scoring is model version fraud/2, which the deployment already serves"}},
		{"shadow equals canary", shadowing("fraud/2", "fraud/1", "fraud/1", 20), shadowPath,
			[]string{"Shadow equals the canary", "model version fraud/1, which is already its canary"}},
		{"shadow of another model", shadowing("fraud/2", "", "churn/1", 20), shadowPath,
			[]string{"Shadow of another model", `deployment fraud-scoring serves model "fraud", but its shadow churn/1 is a version of model "churn"`,
				`register the challenger as a new version of "fraud"`}},
		{"malformed shadow", shadowing("fraud/2", "", "fraud/v3", 20), shadowPath,
			[]string{"Invalid model version id", `"fraud/v3"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			oneProblem(t, registry.CheckDeployment(c.d, "dev"), "D4", registry.SeverityError, c.path, c.want...)
			_, err := r.CreateDeployment(ctx, c.d)
			refusedNothingWritten(t, r, err, nil, 0, append([]string{"[D4]"}, c.want...)...)
		})
	}

	// A shadow takes no share of the traffic: 100 copies every request.
	for _, p := range []int64{1, 100} {
		if ps := registry.CheckDeployment(shadowing("fraud/2", "fraud/1", "fraud/3", p), "dev"); len(ps) != 0 {
			t.Errorf("sample_percent %d: %+v", p, ps)
		}
	}
	// What plan does not know yet is not checked.
	for _, c := range []struct{ main, canary, shadow string }{
		{"", "", "churn/1"}, {"fraud/2", "", ""}, {"", "", ""}, {"", "", "fraud/2"},
	} {
		if ps := registry.CheckShadow("fraud-scoring", c.main, c.canary, c.shadow, nil); len(ps) != 0 {
			t.Errorf("CheckShadow(%q, %q, %q, nil): %+v", c.main, c.canary, c.shadow, ps)
		}
	}

	// An update is refused the same way and changes nothing.
	d := mustDeploy(t, r, serving("fraud/2", "fraud/1", 10))
	_, err := r.UpdateDeployment(ctx, shadowing("fraud/2", "fraud/1", "fraud/1", 20))
	refusedNothingWritten(t, r, err, &d, 1, "[D4] Shadow equals the canary")
	_, err = r.UpdateDeployment(ctx, shadowing("fraud/2", "fraud/1", "fraud/3", 0))
	refusedNothingWritten(t, r, err, &d, 1, "[D4] Invalid shadow sample percent")
}

// TestDeploymentShadowIsServed: the shadow is stored with the deployment,
// passes D1 and D2 like the main version, keeps its model version from
// being deleted (F2) and is in the lineage.
func TestDeploymentShadowIsServed(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	r := e.registry(t, "dev")
	seedServing(t, r)
	mustCreateModelVersion(t, r, fraudVersion(3, 1))

	// D1 and D2 at the shadow's attribute.
	oneProblem(t, planProblems(t, r, shadowing("fraud/2", "", "fraud/9", 20)), "D1", registry.SeverityError, shadowPath,
		"deployment fraud-scoring would serve model version fraud/9, which does not exist")
	_, err := r.CreateDeployment(ctx, shadowing("fraud/2", "", "fraud/9", 20))
	refusedNothingWritten(t, r, err, nil, 0, "[D1] Model version missing", "fraud/9")

	d := mustDeploy(t, r, shadowing("fraud/2", "", "fraud/3", 20))
	got, err := r.Deployment(ctx, "fraud-scoring")
	if err != nil || !reflect.DeepEqual(got, d) || got.Shadow == nil || *got.Shadow != (registry.Shadow{ModelVersion: "fraud/3", SamplePercent: 20}) {
		t.Fatalf("read back %+v (%v), want %+v", got, err, d)
	}
	if got.Status() != registry.StatusServing {
		t.Errorf("status with a shadow = %q: a shadow takes no traffic", got.Status())
	}
	if recs := audit(t, r, registry.KindDeployment, "fraud-scoring"); len(recs) != 1 ||
		!strings.Contains(recs[0].After, `"shadow":{"model_version_id":"fraud/3","sample_percent":20}`) {
		t.Errorf("audit does not record the shadow: %+v", recs)
	}

	// F2: the shadowed version and the feature version it reads stay.
	refusedWith(t, r.DeleteModelVersion(ctx, "fraud", 3), "[F2] Object still referenced",
		`model version "fraud/3" in environment "dev" is still referenced by deployment "fraud-scoring"`)
	refusedWith(t, r.DeleteFeatureVersion(ctx, "transactions", 1), `model version "fraud/3" (served by deployment fraud-scoring)`)

	// Lineage: the shadow, with the share of the requests copied to it,
	// dotted in the diagram.
	l, err := r.Lineage(ctx, "fraud-scoring")
	if err != nil {
		t.Fatal(err)
	}
	want := []registry.ServedLineage{
		{ModelVersion: "fraud/2", Role: "main", Percent: 100, FeatureVersions: []string{"transactions/2"}},
		{ModelVersion: "fraud/3", Role: "shadow", Percent: 20, FeatureVersions: []string{"transactions/1"}},
	}
	if !reflect.DeepEqual(l.Served, want) {
		t.Errorf("lineage %+v, want %+v", l.Served, want)
	}
	if m := l.Mermaid(); !strings.Contains(m, `  deployment_fraud_scoring -. "shadow 20%" .-> model_version_fraud_3`+"\n") ||
		!strings.Contains(m, `  deployment_fraud_scoring -- "100%" --> model_version_fraud_2`+"\n") {
		t.Errorf("mermaid:\n%s", m)
	}

	// D2: a shadow reading a missing feature version would fail in serving
	// just the same.
	dropFeatureVersion(t, e, "dev", "transactions", 1)
	ps := planProblems(t, r, shadowing("fraud/2", "", "fraud/3", 50))
	oneProblem(t, ps, "D2", registry.SeverityError, shadowPath, "deployment fraud-scoring -> model version fraud/3 -> feature version transactions/1")
	_, err = r.UpdateDeployment(ctx, shadowing("fraud/2", "", "fraud/3", 50))
	refusedNothingWritten(t, r, err, &d, 1, "[D2]", "model version fraud/3 -> feature version transactions/1")

	// Removing the shadow frees its version.
	if _, err := r.UpdateDeployment(ctx, serving("fraud/2", "", 0)); err != nil {
		t.Fatal(err)
	}
	if got, err := r.Deployment(ctx, "fraud-scoring"); err != nil || got.Shadow != nil {
		t.Errorf("shadow not removed: %+v, %v", got.Shadow, err)
	}
	if err := r.DeleteModelVersion(ctx, "fraud", 3); err != nil {
		t.Errorf("deleting fraud/3 once nothing shadows it: %v", err)
	}
}

// TestDeploymentShadowGoesWithTheDeployment: deleting a deployment deletes
// its shadow; a new deployment of the same name starts without one.
func TestDeploymentShadowGoesWithTheDeployment(t *testing.T) {
	ctx := context.Background()
	r := newEnv(t).registry(t, "dev")
	seedServing(t, r)
	mustDeploy(t, r, shadowing("fraud/2", "", "fraud/1", 100))
	if err := r.DeleteDeployment(ctx, "fraud-scoring"); err != nil {
		t.Fatal(err)
	}
	mustDeploy(t, r, serving("fraud/2", "", 0))
	if got, err := r.Deployment(ctx, "fraud-scoring"); err != nil || got.Shadow != nil {
		t.Errorf("a new deployment inherited a shadow: %+v, %v", got.Shadow, err)
	}
	if err := r.DeleteModelVersion(ctx, "fraud", 1); err != nil {
		t.Errorf("fraud/1 still held by a deleted deployment's shadow: %v", err)
	}
}

// TestDeploymentShadowProtected: in a protected environment, the shadowed
// model version is a served one (D9), and the policy's approval applies to
// it (D6).
func TestDeploymentShadowProtected(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	prod := e.registry(t, "prod")
	seedServing(t, prod)
	mustDeploy(t, prod, shadowing("fraud/2", "", "fraud/1", 5))
	writePolicy(t, e, registry.EnvironmentPolicy{Name: "prod", Protected: true, RequireApproval: true})

	ps, err := prod.CheckProtectedPlan(ctx, registry.Ref{Kind: registry.KindModelVersion, ID: "fraud/1"}, false)
	if err != nil {
		t.Fatal(err)
	}
	oneProblem(t, ps, "D9", registry.SeverityError, nil, `this plan destroys model version "fraud/1" (served by deployment fraud-scoring)`)

	ps = planProblems(t, prod, shadowing("fraud/2", "", "fraud/1", 5))
	var shadowD6 bool
	for _, p := range ps {
		shadowD6 = shadowD6 || p.Rule == "D6" && reflect.DeepEqual(p.Path, shadowPath) && strings.Contains(p.Detail, "fraud/1 has no approval in prod")
	}
	if !shadowD6 {
		t.Errorf("no D6 for the unapproved shadow: %+v", ps)
	}
}
