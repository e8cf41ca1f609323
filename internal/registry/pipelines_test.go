package registry_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// These tests run pipelines through the registry: their writes (P1), the
// objects they name (F2), and rollback readiness (D10, D11) at plan and on
// write.

// featurePipeline is pipeline transactions-v<fv>, writing transactions/<fv>.
func featurePipeline(fv string) registry.Pipeline {
	return registry.Pipeline{
		Name: "transactions-v" + fv, Kind: registry.PipelineFeature, Enabled: true, Schedule: "*/15 * * * *",
		Code:   &registry.PipelineCode{Repository: "https://git.example.com/features", Ref: "a1b2c3d"},
		Writes: registry.PipelineWrites{FeatureVersionIDs: []string{"transactions/" + fv}},
	}
}

func mustCreatePipeline(t *testing.T, r *registry.Registry, p registry.Pipeline) registry.Pipeline {
	t.Helper()
	out, err := r.CreatePipeline(context.Background(), p)
	if err != nil {
		t.Fatalf("CreatePipeline(%s): %v", p.Name, err)
	}
	return out
}

// seedPipelines is seedServing with the feature pipelines of transactions
// v1 and v2, a training pipeline of fraud, and fraud-scoring serving
// fraud/2 with fraud/1 as its rollback version.
func seedPipelines(t *testing.T, r *registry.Registry) registry.Deployment {
	t.Helper()
	seedServing(t, r)
	mustCreatePipeline(t, r, featurePipeline("1"))
	mustCreatePipeline(t, r, featurePipeline("2"))
	mustCreatePipeline(t, r, registry.Pipeline{
		Name: "fraud-training", Kind: registry.PipelineTraining, Enabled: true,
		Reads:  registry.PipelineReads{FeatureVersionIDs: []string{"transactions/2", "transactions/1"}},
		Writes: registry.PipelineWrites{ModelID: "fraud"},
	})
	d := serving("fraud/2", "", 0)
	d.Rollback = "fraud/1"
	return mustDeploy(t, r, d)
}

func TestPipelineLifecycle(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	r := e.registry(t, "dev")
	seedServing(t, r)
	p := registry.Pipeline{
		Name: "fraud-training", Kind: registry.PipelineTraining, Enabled: true, Schedule: "0 3 * * 1",
		Code:   &registry.PipelineCode{Image: "registry.example.com/train:1"},
		Reads:  registry.PipelineReads{FeatureVersionIDs: []string{"transactions/2", "transactions/1"}},
		Writes: registry.PipelineWrites{ModelID: "fraud"},
		Tags:   map[string]string{},
	}
	created := mustCreatePipeline(t, r, p)
	got, err := r.Pipeline(ctx, "fraud-training")
	if err != nil {
		t.Fatal(err)
	}
	want := p
	want.Reads.FeatureVersionIDs = []string{"transactions/1", "transactions/2"}
	want.CreatedAt, want.UpdatedAt, want.Revision = t0Stored, t0Stored, 1
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(created, want) {
		t.Fatalf("read back %+v\ncreated %+v\nwant %+v", got, created, want)
	}

	next := got
	next.Enabled, next.Schedule, next.Code, next.Tags = false, "", nil, nil
	next.Reads.FeatureVersionIDs = []string{"transactions/2"}
	if _, err := r.UpdatePipeline(ctx, next); err != nil {
		t.Fatal(err)
	}
	got, _ = r.Pipeline(ctx, "fraud-training")
	if got.Enabled || got.Schedule != "" || got.Code != nil || got.Tags != nil || !reflect.DeepEqual(got.Reads.FeatureVersionIDs, []string{"transactions/2"}) ||
		got.Revision != 2 {
		t.Fatalf("after update: %+v", got)
	}
	if _, err := r.CreatePipeline(ctx, p); !strings.Contains(errString(err), "already exists") {
		t.Errorf("a second create: %v", err)
	}
	if err := r.DeletePipeline(ctx, "fraud-training"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Pipeline(ctx, "fraud-training"); !registry.IsNotFound(err) {
		t.Fatalf("after delete: %v", err)
	}
	if err := r.DeletePipeline(ctx, "fraud-training"); err != nil {
		t.Fatalf("deleting a pipeline already gone: %v", err)
	}
	if got := actions(audit(t, r, registry.KindPipeline, "fraud-training")); got != "create,update,delete" {
		t.Errorf("audit: %s", got)
	}
}

func TestPipelineP1Refusals(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	r := e.registry(t, "dev")
	seedServing(t, r)
	training := registry.Pipeline{Name: "fraud-training", Kind: registry.PipelineTraining, Enabled: true,
		Reads:  registry.PipelineReads{FeatureVersionIDs: []string{"transactions/2"}},
		Writes: registry.PipelineWrites{ModelID: "fraud", FeatureVersionIDs: []string{"transactions/2"}}}
	_, err := r.CreatePipeline(ctx, training)
	refusedWith(t, err, "[P1] Training pipeline writes feature versions", `pipeline fraud-training is of kind "training", which writes a model, not feature versions`)

	bad := featurePipeline("1")
	bad.Schedule = "*/15 * * *"
	_, err = r.CreatePipeline(ctx, bad)
	refusedWith(t, err, `schedule "*/15 * * *" is not a cron expression of five fields`, "expected exactly 5 fields, found 4")

	missing := featurePipeline("3")
	missing.Reads.DeploymentID = "fraud-scoring"
	_, err = r.CreatePipeline(ctx, missing)
	refusedWith(t, err, "Only an inference pipeline reads a deployment")
	missing.Reads.DeploymentID = ""
	_, err = r.CreatePipeline(ctx, missing)
	refusedWith(t, err, "[P1] Pipeline names a missing feature version",
		`pipeline transactions-v3 writes feature version "transactions/3", which does not exist in environment "dev"`)
	ps, err := r.CheckPipelinePlan(ctx, registry.PipelineChange{Next: &missing})
	if err != nil {
		t.Fatal(err)
	}
	oneProblem(t, ps, "P1", registry.SeverityError, registry.Path{"writes", "feature_version_ids"}, "transactions/3")

	inference := registry.Pipeline{Name: "fraud-batch", Kind: registry.PipelineInference, Enabled: true,
		Reads: registry.PipelineReads{DeploymentID: "fraud-scoring", FeatureViewIDs: []string{"fraud_features/1"}}}
	_, err = r.CreatePipeline(ctx, inference)
	refusedWith(t, err, `deployment "fraud-scoring", which does not exist`, `feature view "fraud_features/1", which does not exist`)
	if _, err := r.Pipeline(ctx, "fraud-batch"); !registry.IsNotFound(err) {
		t.Errorf("a refused create wrote the pipeline: %v", err)
	}
}

// TestPipelineF2: what a pipeline reads or writes cannot be deleted while
// it names it.
func TestPipelineF2(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	r := e.registry(t, "dev")
	seedPipelines(t, r)
	mustCreatePipeline(t, r, registry.Pipeline{Name: "fraud-batch", Kind: registry.PipelineInference, Enabled: true,
		Reads: registry.PipelineReads{DeploymentID: "fraud-scoring"}})

	err := r.DeleteDeployment(ctx, "fraud-scoring")
	refusedWith(t, err, `deployment "fraud-scoring" in environment "dev" is still referenced by pipeline "fraud-batch"`)
	deps, err := r.Dependents(ctx, registry.Ref{Kind: registry.KindModel, ID: "fraud"})
	if err != nil {
		t.Fatal(err)
	}
	if !containsRef(deps, registry.KindPipeline, "fraud-training") {
		t.Errorf("the model's dependents lack its training pipeline: %v", deps)
	}
	deps, err = r.Dependents(ctx, registry.Ref{Kind: registry.KindFeatureVersion, ID: "transactions/2"})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"transactions-v2", "fraud-training"} {
		if !containsRef(deps, registry.KindPipeline, name) {
			t.Errorf("transactions/2's dependents lack pipeline %s: %v", name, deps)
		}
	}
	if p := registry.CheckLeavingReaders(registry.Ref{Kind: registry.KindFeatureVersion, ID: "transactions/2"}, false, "dev",
		[]registry.Ref{{Kind: registry.KindPipeline, ID: "transactions-v2"}}, nil); !strings.Contains(p[0].Detail, `pipeline "transactions-v2" still names it`) {
		t.Errorf("F2's words for a pipeline: %s", p[0].Detail)
	}

	// fraud/1 is fraud-scoring's rollback version: it cannot go.
	err = r.DeleteModelVersion(ctx, "fraud", 1)
	refusedWith(t, err, `model version "fraud/1" in environment "dev" is still referenced by deployment "fraud-scoring"`)
}

func containsRef(refs []registry.Ref, kind registry.Kind, id string) bool {
	for _, r := range refs {
		if r.Kind == kind && r.ID == id {
			return true
		}
	}
	return false
}

// TestRollbackD10: the rollback version passes what a served version must,
// and every feature version it reads is written by an enabled feature
// pipeline.
func TestRollbackD10(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	r := e.registry(t, "dev")
	seedServing(t, r)
	mustCreatePipeline(t, r, featurePipeline("2"))
	d := serving("fraud/2", "", 0)
	d.Rollback = "fraud/1"

	// Nothing writes transactions/1: refused at plan and on write.
	oneProblem(t, deploymentProblems(t, r, d, "D10"), "D10", registry.SeverityError, registry.Path{"rollback_model_version_id"},
		"deployment fraud-scoring -> rollback version fraud/1 -> feature version transactions/1: no enabled feature pipeline",
		`mlops_pipeline of kind "feature" whose writes.feature_version_ids lists transactions/1`)
	_, err := r.CreateDeployment(ctx, d)
	refusedNothingWritten(t, r, err, nil, 0, "[D10] Rollback version's features are not being written")

	// A disabled pipeline does not count; an enabled one does.
	off := featurePipeline("1")
	off.Enabled = false
	created := mustCreatePipeline(t, r, off)
	if len(deploymentProblems(t, r, d, "D10")) != 1 {
		t.Errorf("a disabled pipeline counted as writing transactions/1")
	}
	created.Enabled = true
	if _, err := r.UpdatePipeline(ctx, created); err != nil {
		t.Fatal(err)
	}
	deployed := mustDeploy(t, r, d)
	if deployed.Rollback != "fraud/1" {
		t.Fatalf("rollback version not kept: %+v", deployed)
	}
	got, _ := r.Deployment(ctx, "fraud-scoring")
	if got.Rollback != "fraud/1" {
		t.Fatalf("rollback version not read back: %+v", got)
	}

	// The served-version rules, as D10: a missing version (D1).
	missing := d
	missing.Rollback = "fraud/7"
	oneProblem(t, deploymentProblems(t, r, missing, "D10"), "D10", registry.SeverityError, registry.Path{"rollback_model_version_id"},
		"deployment fraud-scoring names fraud/7 as its rollback version, which it could not serve: Model version missing (rule D1)")
	// Rollback equal to the main version, or of another model: refused on write.
	same := d
	same.Rollback = "fraud/2"
	same.Revision = deployed.Revision
	_, err = r.UpdateDeployment(ctx, same)
	refusedWith(t, err, "[D10] Rollback equals the main version")

	// Where the environment requires approval, an unapproved rollback
	// version is refused (D6).
	writePolicy(t, e, registry.EnvironmentPolicy{Name: "dev", RequireApproval: true})
	oneProblem(t, deploymentProblems(t, r, d, "D10"), "D10", registry.SeverityError, registry.Path{"rollback_model_version_id"},
		"names fraud/1 as its rollback version, which it could not serve: Model version not approved (rule D6)",
		"fraud/1 has no approval in dev")
}

// TestRollbackReverse: what a rollback version reads stays written while a
// deployment names it: disabling, deleting or narrowing its pipeline, or
// deprecating the feature version, is refused, at plan and on write.
func TestRollbackReverse(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	r := e.registry(t, "dev")
	d := seedPipelines(t, r)
	v1, err := r.Pipeline(ctx, "transactions-v1")
	if err != nil {
		t.Fatal(err)
	}
	chain := "deployment fraud-scoring -> rollback version fraud/1 -> feature version transactions/1 -> pipeline transactions-v1"

	disabled := v1
	disabled.Enabled = false
	ps, err := r.CheckPipelinePlan(ctx, registry.PipelineChange{Prior: &v1, Next: &disabled})
	if err != nil {
		t.Fatal(err)
	}
	oneProblem(t, ps, "D10", registry.SeverityError, registry.Path{"enabled"}, chain, `this change disables pipeline "transactions-v1"`,
		"first point rollback_model_version_id of deployment fraud-scoring at another version (or remove it) and apply, then disable it")
	_, err = r.UpdatePipeline(ctx, disabled)
	refusedWith(t, err, "[D10] Rollback version would lose its features", chain)

	narrowed := v1
	narrowed.Writes.FeatureVersionIDs = []string{"transactions/2"}
	_, err = r.UpdatePipeline(ctx, narrowed)
	refusedWith(t, err, `this change removes transactions/1 from the writes of pipeline "transactions-v1"`)

	ps, err = r.CheckPipelinePlan(ctx, registry.PipelineChange{Prior: &v1})
	if err != nil {
		t.Fatal(err)
	}
	oneProblem(t, ps, "D10", registry.SeverityError, nil, chain, `this change deletes pipeline "transactions-v1"`)
	refusedWith(t, r.DeletePipeline(ctx, "transactions-v1"), chain)

	ps, err = r.CheckDeprecationPlan(ctx, "transactions/1")
	if err != nil {
		t.Fatal(err)
	}
	oneProblem(t, ps, "D10", registry.SeverityError, registry.Path{"deprecated"}, chain, `this change deprecates feature version "transactions/1"`)
	fv, _ := r.FeatureVersion(ctx, "transactions", 1)
	fv.Deprecated = true
	_, err = r.UpdateFeatureVersion(ctx, fv)
	refusedWith(t, err, "[D10]", chain)

	if got, _ := r.Pipeline(ctx, "transactions-v1"); !reflect.DeepEqual(got, v1) {
		t.Errorf("a refused write changed the pipeline: %+v", got)
	}

	// Disabling v2's pipeline, which feeds the served fraud/2: a warning (D11).
	v2, _ := r.Pipeline(ctx, "transactions-v2")
	off := v2
	off.Enabled = false
	ps, err = r.CheckPipelinePlan(ctx, registry.PipelineChange{Prior: &v2, Next: &off})
	if err != nil {
		t.Fatal(err)
	}
	oneProblem(t, ps, "D11", registry.SeverityWarning, registry.Path{"enabled"},
		"deployment fraud-scoring -> model version fraud/2 -> feature version transactions/2 -> pipeline transactions-v2",
		"would serve a model whose features have stopped updating")

	// Another enabled pipeline writing transactions/1 lets v1's go.
	backfill := featurePipeline("1")
	backfill.Name = "transactions-backfill"
	mustCreatePipeline(t, r, backfill)
	if ps, _ := r.CheckPipelinePlan(ctx, registry.PipelineChange{Prior: &v1, Next: &disabled}); len(ps) != 0 {
		t.Errorf("another pipeline writes transactions/1: %+v", ps)
	}
	if err := r.DeletePipeline(ctx, "transactions-backfill"); err != nil {
		t.Fatal(err)
	}

	// Once nothing names fraud/1 as its rollback, v1's pipeline retires.
	d.Rollback = ""
	if _, err := r.UpdateDeployment(ctx, d); err != nil {
		t.Fatal(err)
	}
	if _, err := r.UpdatePipeline(ctx, disabled); err != nil {
		t.Fatalf("disabling once nothing falls back to fraud/1: %v", err)
	}
	if err := r.DeletePipeline(ctx, "transactions-v1"); err != nil {
		t.Fatal(err)
	}
}

// TestServedSupplyD11: in an environment that declares feature pipelines,
// a served version whose features no enabled pipeline writes warns; an
// environment without pipelines sees nothing new.
func TestServedSupplyD11(t *testing.T) {
	e := newEnv(t)
	r := e.registry(t, "dev")
	seedServing(t, r)
	d := serving("fraud/2", "", 0)
	if ps := deploymentProblems(t, r, d, "D11"); len(ps) != 0 {
		t.Errorf("no pipelines declared: %+v", ps)
	}
	mustCreatePipeline(t, r, featurePipeline("1"))
	oneProblem(t, deploymentProblems(t, r, d, "D11"), "D11", registry.SeverityWarning, registry.Path{"model_version_id"},
		"deployment fraud-scoring -> model version fraud/2 -> feature version transactions/2: no enabled feature pipeline",
		"the model is serving features that have stopped updating")
	mustDeploy(t, r, d) // a warning does not block
	mustCreatePipeline(t, r, featurePipeline("2"))
	if ps := deploymentProblems(t, r, d, "D11"); len(ps) != 0 {
		t.Errorf("transactions/2 is written: %+v", ps)
	}
}
