package registry_test

import (
	"context"
	"strings"
	"testing"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// The run's plan: F2 decided with the whole plan in view, whatever order
// Terraform plans the objects in, and checks that see what the run creates.

var (
	refTx1    = registry.Ref{Kind: registry.KindFeatureVersion, ID: "transactions/1"}
	refFraud1 = registry.Ref{Kind: registry.KindModelVersion, ID: "fraud/1"}
	refChurn1 = registry.Ref{Kind: registry.KindModelVersion, ID: "churn/1"}
	refFraud2 = registry.Ref{Kind: registry.KindModelVersion, ID: "fraud/2"}
	refDeploy = registry.Ref{Kind: registry.KindDeployment, ID: "fraud-scoring"}
)

// planStep is one resource's plan: the object leaves (deleted or replaced)
// or stays reading reads.
type planStep struct {
	obj     registry.Ref
	leave   bool
	replace bool
	reads   []registry.Ref
}

func runSteps(t *testing.T, r *registry.Registry, steps []planStep) registry.Problems {
	t.Helper()
	run := registry.NewRunPlan("default")
	var all registry.Problems
	for _, s := range steps {
		if s.leave {
			ps, err := run.Leave(context.Background(), r, s.obj, s.replace)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, ps...)
			continue
		}
		all = append(all, run.Stay(s.obj, r.Environment(), s.reads)...)
	}
	return all
}

// TestRunPlanF2 is rule F2 at plan: transactions/1 is read by fraud/1 and
// churn/1; the deployment serves fraud/1.
func TestRunPlanF2(t *testing.T) {
	e := newEnv(t)
	r := e.registry(t, "default")
	seedServing(t, r)
	mustDeploy(t, r, serving("fraud/1", "", 0))

	deleteTx1 := planStep{obj: refTx1, leave: true}
	replaceFraud1 := planStep{obj: refFraud1, leave: true, replace: true}
	for _, tc := range []struct {
		name  string
		steps []planStep
		want  []string // parts of the one problem, in order ("warning" first for a warning); nil: none
	}{
		{"delete with every reader leaving, readers first (destroy plan)", []planStep{
			{obj: refDeploy, leave: true}, {obj: refFraud1, leave: true}, {obj: refChurn1, leave: true}, deleteTx1}, nil},
		{"delete with every reader leaving, readers after", []planStep{
			deleteTx1, {obj: refChurn1, leave: true}, {obj: refFraud1, leave: true}, {obj: refDeploy, leave: true}}, nil},
		{"delete while a reader planned before stays", []planStep{
			{obj: refChurn1, reads: []registry.Ref{refTx1}}, {obj: refFraud1, leave: true}, deleteTx1},
			[]string{`this plan deletes feature version "transactions/1"`, `model version "churn/1" still reads it`}},
		{"delete while a reader planned after stays", []planStep{
			{obj: refFraud1, leave: true}, deleteTx1, {obj: refChurn1, reads: []registry.Ref{refTx1}}},
			[]string{`this plan deletes feature version "transactions/1"`, `model version "churn/1" still reads it`}},
		{"delete while a reader moves off it: a warning", []planStep{
			{obj: refFraud1, leave: true}, deleteTx1, {obj: refChurn1, reads: nil}},
			[]string{"warning", `this plan deletes feature version "transactions/1"`, `moves model version "churn/1" off it`, `create_before_destroy`}},
		{"delete with a reader outside this plan: settled at apply", []planStep{
			{obj: refFraud1, leave: true}, deleteTx1}, nil},
		{"replace a served version while the deployment stays", []planStep{
			replaceFraud1, {obj: refDeploy, reads: []registry.Ref{refFraud1}}},
			[]string{`this plan replaces (deletes, then creates again) model version "fraud/1"`, `deployment "fraud-scoring" still serves it`, `declare a new version`}},
		{"replace a served version while the deployment moves to fraud/2", []planStep{
			{obj: refDeploy, reads: []registry.Ref{refFraud2}}, replaceFraud1},
			[]string{`this plan replaces`, `moves deployment "fraud-scoring" off it`, `Apply the move first`}},
		{"replace a served version while the deployment leaves", []planStep{
			replaceFraud1, {obj: refDeploy, leave: true}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := runSteps(t, r, tc.steps)
			if tc.want == nil {
				if len(ps) > 0 {
					t.Fatalf("want no problem, got %+v", ps)
				}
				return
			}
			wantWarning := tc.want[0] == "warning"
			if wantWarning {
				tc.want = tc.want[1:]
			}
			if len(ps) != 1 || ps[0].Rule != "F2" || (ps[0].Severity == registry.SeverityWarning) != wantWarning {
				t.Fatalf("want one F2 problem (warning %v), got %+v", wantWarning, ps)
			}
			detail := ps[0].Detail
			for _, part := range tc.want {
				i := strings.Index(detail, part)
				if i < 0 {
					t.Fatalf("detail lacks %q:\n%s", part, detail)
				}
				detail = detail[i+len(part):]
			}
		})
	}
}

// TestRunPlanSeesPlannedObjects: the plan-time checks read an object the
// run creates as if it were written, and only in its own environment.
func TestRunPlanSeesPlannedObjects(t *testing.T) {
	e := newEnv(t)
	r := e.registry(t, "default")
	mustCreateGroup(t, r, txGroup())
	mustCreateVersion(t, r, txVersion(1))
	ctx := context.Background()
	mv := registry.ModelVersion{Model: "fraud", Version: 1, ArtifactURI: "s3://models/fraud/1", FeatureVersionIDs: []string{"transactions/1"}}
	d := serving("fraud/1", "", 0)

	// Without the run: the model and its version are missing.
	ps, err := r.CheckDeploymentPlan(ctx, d)
	if err != nil || !ps.HasErrors() || ps[0].Rule != "D1" {
		t.Fatalf("without the run: want D1, got %+v, %v", ps, err)
	}
	run := registry.NewRunPlan("default")
	run.Put(registry.Model{Name: "fraud"})
	run.Put(mv)
	planning := r.Planning(run)
	if ps, err := planning.CheckModelVersionPlan(ctx, registry.ModelVersionPlan{Model: "fraud", Version: 1,
		FeatureVersionIDs: []string{"transactions/1"}, AllFeatureVersionsKnown: true, InputsKnown: true}); err != nil || len(ps) > 0 {
		t.Fatalf("model version of a planned model: %+v, %v", ps, err)
	}
	if ps, err := planning.CheckDeploymentPlan(ctx, d); err != nil || len(ps) > 0 {
		t.Fatalf("deployment of a planned model version: %+v, %v", ps, err)
	}
	// A planned version whose feature version is missing gets the whole D2
	// chain.
	run.Put(registry.ModelVersion{Model: "fraud", Version: 2, ArtifactURI: "s3://models/fraud/2", FeatureVersionIDs: []string{"transactions/9"}})
	ps, err = planning.CheckDeploymentPlan(ctx, serving("fraud/2", "", 0))
	if err != nil || len(ps) != 1 || ps[0].Rule != "D2" ||
		!strings.Contains(ps[0].Detail, "deployment fraud-scoring -> model version fraud/2 -> feature version transactions/9") {
		t.Fatalf("want the D2 chain, got %+v, %v", ps, err)
	}
	// Another environment does not see this environment's plan.
	if ps, err := e.registry(t, "prod").Planning(run).CheckDeploymentPlan(ctx, d); err != nil || !ps.HasErrors() || ps[0].Rule != "D1" {
		t.Fatalf("prod: want D1, got %+v, %v", ps, err)
	}
	// The registry is unchanged: the plan wrote nothing.
	if _, err := r.Model(ctx, "fraud"); !registry.IsNotFound(err) {
		t.Fatalf("model written by a plan: %v", err)
	}
}

// leaveWhileReadersStay is rule F2 at plan for a plan that deletes obj and
// keeps every object that reads it, reading it still.
func leaveWhileReadersStay(r *registry.Registry, obj registry.Ref) (registry.Problems, error) {
	ctx := context.Background()
	run := registry.NewRunPlan(r.Environment())
	deps, err := r.Dependents(ctx, obj)
	if err != nil {
		return nil, err
	}
	for _, d := range deps {
		run.Stay(d, r.Environment(), []registry.Ref{obj})
	}
	return run.Leave(ctx, r, obj, false)
}
