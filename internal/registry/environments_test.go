package registry_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// These tests run environment policies through the registry: their writes
// (in the environment they govern, refusals writing nothing) and the rules
// they add to the deployments there, D6 to D9, at plan and on write.

// writePolicy writes the policy of p.Name from a registry of environment
// "platform": policies are written from anywhere.
func writePolicy(t *testing.T, e *env, p registry.EnvironmentPolicy) registry.EnvironmentPolicy {
	t.Helper()
	ctx := context.Background()
	r := e.registry(t, "platform")
	prior, err := r.EnvironmentPolicy(ctx, p.Name)
	if registry.IsNotFound(err) {
		out, err := r.CreateEnvironment(ctx, p)
		if err != nil {
			t.Fatalf("CreateEnvironment(%s): %v", p.Name, err)
		}
		return out
	}
	if err != nil {
		t.Fatal(err)
	}
	p.Revision = prior.Revision
	out, err := r.UpdateEnvironment(ctx, p)
	if err != nil {
		t.Fatalf("UpdateEnvironment(%s): %v", p.Name, err)
	}
	return out
}

// insertApproval stores an approval through the store, as the approvals'
// own resource would.
func insertApproval(t *testing.T, e *env, environment string, a registry.Approval) {
	t.Helper()
	ctx := context.Background()
	a.Revision = 1
	err := e.store.Update(ctx, environment, func(tx registry.Tx) error { return tx.InsertApproval(ctx, environment, a) })
	if err != nil {
		t.Fatalf("InsertApproval(%s): %v", a.ModelVersionID, err)
	}
}

// deploymentProblems runs the plan check and returns the problems of rule.
func deploymentProblems(t *testing.T, r *registry.Registry, d registry.Deployment, rule string) registry.Problems {
	t.Helper()
	var out registry.Problems
	for _, p := range planProblems(t, r, d) {
		if p.Rule == rule {
			out = append(out, p)
		}
	}
	return out
}

func TestEnvironmentPolicyLifecycle(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	platform, prod := e.registry(t, "platform"), e.registry(t, "prod")

	p := registry.EnvironmentPolicy{Name: "prod", PromoteFrom: "staging", RequireApproval: true,
		RequiredGates: []string{"z-gate", "fraud-release"}, Protected: true, Description: "production"}
	created, err := platform.CreateEnvironment(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	want := p
	want.RequiredGates = []string{"fraud-release", "z-gate"}
	want.CreatedAt, want.UpdatedAt, want.Revision = t0Stored, t0Stored, 1
	if !reflect.DeepEqual(created, want) {
		t.Errorf("created %+v, want %+v", created, want)
	}
	// Global: every environment reads the same policy.
	for _, r := range []*registry.Registry{platform, prod, e.registry(t, "dev")} {
		if got, err := r.EnvironmentPolicy(ctx, "prod"); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("read from %s: %+v (%v), want %+v", r.Environment(), got, err, want)
		}
	}
	_, err = platform.EnvironmentPolicy(ctx, "staging")
	notFound(t, err, `environment "staging" has no policy in the registry`)
	if _, err := prod.CreateEnvironment(ctx, p); !errors.Is(err, registry.ErrAlreadyExists) || !strings.Contains(err.Error(), "terraform import") {
		t.Errorf("second create: %v", err)
	}

	// The audit trail is in the environment governed, not the writer's.
	if a := actions(audit(t, prod, registry.KindEnvironment, "prod")); a != "create" {
		t.Errorf("audit in prod: %q, want create", a)
	}
	if n := len(audit(t, platform, registry.KindEnvironment, "prod")); n != 0 {
		t.Errorf("audit in the writer's environment: %d rows, want none", n)
	}
	recs, err := e.registry(t, "dev").History(ctx, registry.KindEnvironment, "prod", 10)
	if err != nil || len(recs) != 1 || recs[0].Environment != "prod" || recs[0].Actor != "tester" {
		t.Errorf("history of prod read from dev: %+v, %v", recs, err)
	}
	_, err = platform.History(ctx, registry.KindEnvironment, "staging", 10)
	notFound(t, err, `environment "staging" has no policy`)
	if nf := (*registry.NotFoundError)(nil); !errors.As(err, &nf) || nf.Environment != "staging" {
		t.Errorf("the history of staging's policy was looked for in %+v, want environment staging", nf)
	}
	if never, err := platform.NeverWrittenIn(ctx, "prod"); err != nil || never {
		t.Errorf("NeverWrittenIn(prod) after the policy's write: %v, %v", never, err)
	}
	if never, err := platform.NeverWritten(ctx); err != nil || !never {
		t.Errorf("NeverWritten(platform), which wrote only prod's policy: %v, %v", never, err)
	}

	// Update: in place, stale revisions refused.
	e.clock.t = t0.Add(time.Hour)
	upd := created
	upd.RequireApproval, upd.RequiredGates, upd.Description = false, nil, ""
	updated, err := platform.UpdateEnvironment(ctx, upd)
	if err != nil {
		t.Fatal(err)
	}
	if updated.Revision != 2 || updated.CreatedAt != t0Stored || updated.UpdatedAt != t0Stored.Add(time.Hour) ||
		updated.RequireApproval || updated.RequiredGates == nil || len(updated.RequiredGates) != 0 {
		t.Errorf("updated %+v", updated)
	}
	if _, err := platform.UpdateEnvironment(ctx, created); !errors.Is(err, registry.ErrConflict) {
		t.Errorf("stale update: %v", err)
	}

	// D9: a protected policy cannot be deleted; nothing is written.
	err = platform.DeleteEnvironment(ctx, "prod")
	refusedWith(t, err, "[D9] Protected environment", `the policy of environment "prod", which is protected`)
	if got, _ := platform.EnvironmentPolicy(ctx, "prod"); !reflect.DeepEqual(got, updated) {
		t.Errorf("a refused delete changed the policy: %+v", got)
	}
	if a := actions(audit(t, prod, registry.KindEnvironment, "prod")); a != "create,update" {
		t.Errorf("audit after a refused delete: %q", a)
	}
	upd = updated
	upd.Protected = false
	updated = writePolicy(t, e, upd)
	if err := platform.DeleteEnvironment(ctx, "prod", registry.IfRevision(updated.Revision-1)); !errors.Is(err, registry.ErrConflict) {
		t.Errorf("stale delete: %v", err)
	}
	if err := platform.DeleteEnvironment(ctx, "prod", registry.IfRevision(updated.Revision)); err != nil {
		t.Fatal(err)
	}
	_, err = prod.EnvironmentPolicy(ctx, "prod")
	notFound(t, err, `environment "prod"`)
	if err := platform.DeleteEnvironment(ctx, "prod"); err != nil {
		t.Errorf("deleting a policy already gone: %v", err)
	}
	if a := actions(audit(t, prod, registry.KindEnvironment, "prod")); a != "create,update,update,delete" {
		t.Errorf("audit %q", a)
	}
}

func TestEnvironmentPolicyRefusalsWriteNothing(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	r := e.registry(t, "platform")
	writePolicy(t, e, registry.EnvironmentPolicy{Name: "staging", PromoteFrom: "dev"})
	for name, p := range map[string]registry.EnvironmentPolicy{
		"promoting from itself": {Name: "prod", PromoteFrom: "prod"},
		"invalid gate":          {Name: "prod", RequiredGates: []string{"Bad Gate"}},
		"invalid name":          {Name: "Prod"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := r.CreateEnvironment(ctx, p)
			refusedWith(t, err)
			_, err = r.EnvironmentPolicy(ctx, p.Name)
			notFound(t, err)
		})
	}
	// A cycle through the stored policies.
	_, err := r.CreateEnvironment(ctx, registry.EnvironmentPolicy{Name: "dev", PromoteFrom: "staging"})
	refusedWith(t, err, "[D7] Promotion cycle", "dev -> staging -> dev")
	_, err = r.EnvironmentPolicy(ctx, "dev")
	notFound(t, err)
	if n := len(audit(t, e.registry(t, "dev"), registry.KindEnvironment, "dev")); n != 0 {
		t.Errorf("a refused create wrote %d audit rows", n)
	}
	// An update into a cycle.
	writePolicy(t, e, registry.EnvironmentPolicy{Name: "dev"})
	prior, _ := r.EnvironmentPolicy(ctx, "dev")
	cyc := prior
	cyc.PromoteFrom = "staging"
	_, err = r.UpdateEnvironment(ctx, cyc)
	refusedWith(t, err, "[D7] Promotion cycle", "dev -> staging -> dev")
	if got, _ := r.EnvironmentPolicy(ctx, "dev"); !reflect.DeepEqual(got, prior) {
		t.Errorf("a refused update changed the policy: %+v", got)
	}
	if a := actions(audit(t, e.registry(t, "dev"), registry.KindEnvironment, "dev")); a != "create" {
		t.Errorf("audit after a refused update: %q", a)
	}
}

func TestCheckEnvironmentPlan(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	prod := e.registry(t, "prod")
	seedServing(t, prod)
	mustDeploy(t, prod, serving("fraud/1", "", 0))
	r := e.registry(t, "platform")
	check := func(r *registry.Registry, p registry.EnvironmentPolicy, allKnown bool) registry.Problems {
		t.Helper()
		ps, err := r.CheckEnvironmentPlan(ctx, p, allKnown)
		if err != nil {
			t.Fatal(err)
		}
		return ps
	}
	if ps := check(r, registry.EnvironmentPolicy{Name: "prod"}, true); len(ps) != 0 {
		t.Errorf("a policy that requires nothing: %+v", ps)
	}
	oneProblem(t, check(r, registry.EnvironmentPolicy{Name: "prod", PromoteFrom: "prod"}, true), "D7", registry.SeverityError,
		registry.Path{"promote_from"}, "An environment promoting from itself")

	// A stricter policy warns about what runs, naming the deployment.
	ps := check(r, registry.EnvironmentPolicy{Name: "prod", RequireApproval: true, RequiredGates: []string{"prod-release"}}, true)
	if len(ps) != 2 || ps.HasErrors() {
		t.Fatalf("want two warnings, got %+v", ps)
	}
	for i, words := range [][]string{
		{"D8", `deployment "fraud-scoring" of environment "prod" breaks rule D8`, `no validation suite "prod-release"`, "its next change will be refused"},
		{"D6", `breaks rule D6`, "fraud/1 has no approval in prod"},
	} {
		if ps[i].Rule != words[0] || ps[i].Summary != "Policy refuses an existing deployment" || ps[i].Path != nil {
			t.Errorf("warning %d: %+v", i, ps[i])
		}
		for _, w := range words[1:] {
			if !strings.Contains(ps[i].Detail, w) {
				t.Errorf("warning %q does not say %q", ps[i].Detail, w)
			}
		}
	}
	// Not all known: no warnings yet.
	if ps := check(r, registry.EnvironmentPolicy{Name: "prod", RequireApproval: true}, false); len(ps) != 0 {
		t.Errorf("warnings on a policy not known yet: %+v", ps)
	}
	// What the stored policy already refuses is not the change's.
	writePolicy(t, e, registry.EnvironmentPolicy{Name: "prod", RequireApproval: true})
	ps = check(r, registry.EnvironmentPolicy{Name: "prod", RequireApproval: true, Protected: true}, true)
	if len(ps) != 0 {
		t.Errorf("warnings the change does not cause: %+v", ps)
	}

	// A cycle with a policy planned in the same run.
	run := registry.NewRunPlan("platform")
	run.Put(registry.EnvironmentPolicy{Name: "staging", PromoteFrom: "dev"})
	oneProblem(t, check(r.Planning(run), registry.EnvironmentPolicy{Name: "dev", PromoteFrom: "staging"}, true), "D7", registry.SeverityError,
		registry.Path{"promote_from"}, "Promotion cycle", "dev -> staging -> dev")
	// A planned change replaces the stored policy.
	writePolicy(t, e, registry.EnvironmentPolicy{Name: "qa", PromoteFrom: "dev"})
	run.Put(registry.EnvironmentPolicy{Name: "qa"})
	if ps := check(r.Planning(run), registry.EnvironmentPolicy{Name: "dev", PromoteFrom: "qa"}, false); len(ps) != 0 {
		t.Errorf("a cycle the plan removes: %+v", ps)
	}
}

func TestDeploymentD7PromotedFromTheEnvironments(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	staging, prod := e.registry(t, "staging"), e.registry(t, "prod")
	seedServing(t, staging)
	seedServing(t, prod)
	writePolicy(t, e, registry.EnvironmentPolicy{Name: "prod", PromoteFrom: "staging"})

	// Its own promote_from names another environment: refused.
	d := serving("fraud/1", "", 0)
	d.PromoteFrom = "dev"
	oneProblem(t, deploymentProblems(t, prod, d, "D7"), "D7", registry.SeverityError, registry.Path{"promote_from"},
		`deployment fraud-scoring is promoted from "dev", but environment "prod" is promoted from "staging"`)
	_, err := prod.CreateDeployment(ctx, d)
	refusedNothingWritten(t, prod, err, nil, 0, "[D7] Promoted from another environment")

	// None: promoted from staging, where D5 finds nothing.
	d.PromoteFrom = ""
	oneProblem(t, planProblems(t, prod, d), "D5", registry.SeverityError, registry.Path{"promote_from"},
		`promoted from environment "staging", which has no deployment fraud-scoring`)
	_, err = prod.CreateDeployment(ctx, d)
	refusedNothingWritten(t, prod, err, nil, 0, "[D5] Nothing to promote from")

	// Once staging serves it, the same deployment goes through.
	mustDeploy(t, staging, serving("fraud/1", "", 0))
	if ps := planProblems(t, prod, d); len(ps) != 0 {
		t.Errorf("promoted from staging: %+v", ps)
	}
	mustDeploy(t, prod, d)
	oneProblem(t, planProblems(t, prod, serving("fraud/2", "", 0)), "D5", registry.SeverityError, registry.Path{"model_version_id"},
		"would serve model version fraud/2", `in "staging" serves fraud/1`)
	d.PromoteFrom = "staging"
	if ps := planProblems(t, prod, d); len(ps) != 0 {
		t.Errorf("promote_from equal to the policy's: %+v", ps)
	}
}

func TestDeploymentD8RequiredGates(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	prod := e.registry(t, "prod")
	seedServing(t, prod)
	writePolicy(t, e, registry.EnvironmentPolicy{Name: "prod", RequiredGates: []string{"prod-release"}})
	d := serving("fraud/1", "", 0)

	oneProblem(t, planProblems(t, prod, d), "D8", registry.SeverityError, registry.Path{"model_version_id"},
		"Required gate missing", `requires gate "prod-release"`, `has no validation suite "prod-release"`)
	_, err := prod.CreateDeployment(ctx, d)
	refusedNothingWritten(t, prod, err, nil, 0, "[D8] Required gate missing", `"prod-release"`)

	// A gate on the platform model, that fraud/1 (auc 0.9) fails.
	mustCreateModel(t, prod, "platform")
	gate, err := prod.CreateSuite(ctx, registry.ValidationSuite{Name: "prod-release", Model: "platform",
		Expectations: []registry.Expectation{{Type: "expect_metric_to_be_at_least", Metric: "auc", MinValue: "0.95"}}})
	if err != nil {
		t.Fatal(err)
	}
	oneProblem(t, planProblems(t, prod, d), "D8", registry.SeverityError, registry.Path{"model_version_id"},
		"Required gate fails", `gate prod-release, required in environment "prod", expects auc to be at least 0.95, but fraud/1 has auc = 0.9`)
	_, err = prod.CreateDeployment(ctx, d)
	refusedNothingWritten(t, prod, err, nil, 0, "[D8] Required gate fails")

	gate.Expectations[0].MinValue = "0.85"
	if _, err := prod.UpdateSuite(ctx, gate); err != nil {
		t.Fatal(err)
	}
	mustDeploy(t, prod, d)

	// A data suite named as a gate.
	if _, err := prod.CreateSuite(ctx, registry.ValidationSuite{Name: "amounts", FeatureVersion: "transactions/1",
		Expectations: []registry.Expectation{{Type: "expect_column_to_exist", Column: "amount"}}}); err != nil {
		t.Fatal(err)
	}
	writePolicy(t, e, registry.EnvironmentPolicy{Name: "prod", RequiredGates: []string{"amounts", "prod-release"}})
	oneProblem(t, planProblems(t, prod, d), "D8", registry.SeverityError, registry.Path{"model_version_id"},
		"Required gate is a data suite", `validation suite "amounts" checks the data of feature version transactions/1`)
}

func TestDeploymentD6RequireApproval(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	prod := e.registry(t, "prod")
	seedServing(t, prod)
	writePolicy(t, e, registry.EnvironmentPolicy{Name: "prod", RequireApproval: true})
	d := serving("fraud/2", "", 0)

	oneProblem(t, planProblems(t, prod, d), "D6", registry.SeverityError, registry.Path{"model_version_id"},
		"Model version not approved", `deployment fraud-scoring -> model version fraud/2: fraud/2 has no approval in prod, and environment "prod" requires approval`,
		"mlops_model_version_approval")
	_, err := prod.CreateDeployment(ctx, d)
	refusedNothingWritten(t, prod, err, nil, 0, "[D6] Model version not approved")

	// fraud/1 approved: offered as the fix.
	approvedAt := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	insertApproval(t, e, "prod", registry.Approval{ModelVersionID: "fraud/1", Status: registry.ApprovalApproved, Approver: "risk-team",
		ArtifactURI: "s3://models/fraud/1", ApprovedAt: approvedAt})
	oneProblem(t, planProblems(t, prod, d), "D6", registry.SeverityError, registry.Path{"model_version_id"},
		"fraud/2 has no approval in prod", "or serve fraud/1 (approved 2026-11-20 by risk-team).")
	mustDeploy(t, prod, serving("fraud/1", "", 0))

	// A canary needs its own approval; a void one (another artifact) does not count.
	insertApproval(t, e, "prod", registry.Approval{ModelVersionID: "fraud/2", Status: registry.ApprovalApproved, Approver: "risk-team",
		ArtifactURI: "s3://models/fraud/2-retrained", ApprovedAt: approvedAt})
	canary := serving("fraud/1", "fraud/2", 10)
	oneProblem(t, planProblems(t, prod, canary), "D6", registry.SeverityError, registry.Path{"canary", "model_version_id"},
		"the approval of fraud/2 in prod (2026-11-20 by risk-team) is for artifact s3://models/fraud/2-retrained", "so it no longer counts")
	before, _ := prod.Deployment(ctx, "fraud-scoring")
	_, err = prod.UpdateDeployment(ctx, canary)
	refusedNothingWritten(t, prod, err, &before, 1, "[D6]")

	// Another environment's policy is not this one's.
	dev := e.registry(t, "dev")
	seedServing(t, dev)
	if ps := planProblems(t, dev, d); len(ps) != 0 {
		t.Errorf("dev has no policy: %+v", ps)
	}
}

func TestDeploymentD9Protected(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	prod := e.registry(t, "prod")
	seedServing(t, prod)
	deployed := mustDeploy(t, prod, serving("fraud/2", "", 0))
	writePolicy(t, e, registry.EnvironmentPolicy{Name: "prod", Protected: true})

	protectedPlan := func(obj registry.Ref, replace bool) registry.Problems {
		t.Helper()
		ps, err := prod.CheckProtectedPlan(ctx, obj, replace)
		if err != nil {
			t.Fatal(err)
		}
		return ps
	}
	oneProblem(t, protectedPlan(registry.Ref{Kind: registry.KindDeployment, ID: "fraud-scoring"}, false), "D9", registry.SeverityError, nil,
		`this plan destroys deployment "fraud-scoring" in environment "prod", which is protected`)
	oneProblem(t, protectedPlan(registry.Ref{Kind: registry.KindModelVersion, ID: "fraud/2"}, true), "D9", registry.SeverityError, nil,
		`this plan replaces (destroys, then creates again) model version "fraud/2" (served by deployment fraud-scoring)`)
	if ps := protectedPlan(registry.Ref{Kind: registry.KindModelVersion, ID: "fraud/1"}, false); len(ps) != 0 {
		t.Errorf("a version nothing serves: %+v", ps)
	}
	oneProblem(t, protectedPlan(registry.Ref{Kind: registry.KindEnvironment, ID: "prod"}, false), "D9", registry.SeverityError, nil,
		`the policy of environment "prod"`)
	if ps, err := e.registry(t, "dev").CheckProtectedPlan(ctx, registry.Ref{Kind: registry.KindDeployment, ID: "fraud-scoring"}, false); err != nil || len(ps) != 0 {
		t.Errorf("dev is not protected: %+v, %v", ps, err)
	}

	// On write: nothing deleted.
	err := prod.DeleteDeployment(ctx, "fraud-scoring")
	refusedNothingWritten(t, prod, err, &deployed, 1, "[D9] Protected environment", "Switch protected off in an earlier apply")
	err = prod.DeleteModelVersion(ctx, "fraud", 2)
	refusedWith(t, err, "[F2]", "[D9] Protected environment", `model version "fraud/2" (served by deployment fraud-scoring)`)
	if _, err := prod.ModelVersion(ctx, "fraud", 2); err != nil {
		t.Errorf("a refused delete deleted fraud/2: %v", err)
	}
	// Changing what it serves is no destroy.
	if _, err := prod.UpdateDeployment(ctx, serving("fraud/1", "", 0)); err != nil {
		t.Errorf("an update in a protected environment: %v", err)
	}

	// Protection off: the delete goes through.
	writePolicy(t, e, registry.EnvironmentPolicy{Name: "prod"})
	if err := prod.DeleteDeployment(ctx, "fraud-scoring"); err != nil {
		t.Fatal(err)
	}
}

// TestDeploymentPlanSeesAPlannedPolicy: a policy this plan creates (the
// registry holds none) governs the deployments planned after it.
func TestDeploymentPlanSeesAPlannedPolicy(t *testing.T) {
	e := newEnv(t)
	prod := e.registry(t, "prod")
	seedServing(t, prod)
	run := registry.NewRunPlan("prod")
	run.Put(registry.EnvironmentPolicy{Name: "prod", RequiredGates: []string{"prod-release"}})
	oneProblem(t, planProblems(t, prod.Planning(run), serving("fraud/1", "", 0)), "D8", registry.SeverityError, registry.Path{"model_version_id"},
		`requires gate "prod-release"`)
	// A suite planned in the same run exists; its gates are checked at apply.
	run.Put(registry.ValidationSuite{Name: "prod-release", Model: "platform"})
	if ps := planProblems(t, prod.Planning(run), serving("fraud/1", "", 0)); len(ps) != 0 {
		t.Errorf("with the gate planned: %+v", ps)
	}
}
