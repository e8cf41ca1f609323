package registry_test

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// digestA and digestB are two artifact digests.
const (
	digestA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	digestB = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

// fraudVersion is model version fraud/v, reading transactions/fv.
func fraudVersion(v, fv int64) registry.ModelVersion {
	return registry.ModelVersion{
		Model: "fraud", Version: v,
		ArtifactURI:       "s3://models/fraud/" + strconv.FormatInt(v, 10),
		FeatureVersionIDs: []string{registry.FeatureVersionID("transactions", fv)},
		Metrics:           map[string]string{"auc": "0.9"},
	}
}

func mustCreateModel(t *testing.T, r *registry.Registry, name string) {
	t.Helper()
	if _, err := r.CreateModel(context.Background(), registry.Model{Name: name}); err != nil {
		t.Fatalf("CreateModel(%s): %v", name, err)
	}
}

func mustCreateModelVersion(t *testing.T, r *registry.Registry, v registry.ModelVersion) registry.ModelVersion {
	t.Helper()
	out, err := r.CreateModelVersion(context.Background(), v)
	if err != nil {
		t.Fatalf("CreateModelVersion(%s): %v", v.ID(), err)
	}
	return out
}

func mustDeploy(t *testing.T, r *registry.Registry, d registry.Deployment) registry.Deployment {
	t.Helper()
	out, err := r.CreateDeployment(context.Background(), d)
	if err != nil {
		t.Fatalf("CreateDeployment(%s): %v", d.Name, err)
	}
	return out
}

// seedServing registers the seed scenario in r: transactions v1 and v2,
// fraud/1 reading v1, fraud/2 reading v2, and churn/1 reading v1.
func seedServing(t *testing.T, r *registry.Registry) {
	t.Helper()
	mustCreateGroup(t, r, txGroup())
	mustCreateVersion(t, r, txVersion(1))
	mustCreateVersion(t, r, txVersion(2))
	mustCreateModel(t, r, "fraud")
	mustCreateModelVersion(t, r, fraudVersion(1, 1))
	mustCreateModelVersion(t, r, fraudVersion(2, 2))
	mustCreateModel(t, r, "churn")
	mustCreateModelVersion(t, r, registry.ModelVersion{
		Model: "churn", Version: 1, ArtifactURI: "s3://models/churn/1", FeatureVersionIDs: []string{"transactions/1"},
	})
}

// serving is deployment fraud-scoring serving main, with a canary when
// canary is not "".
func serving(main, canary string, percent int64) registry.Deployment {
	d := registry.Deployment{Name: "fraud-scoring", ModelVersion: main, Replicas: registry.DefaultReplicas}
	if canary != "" {
		d.Canary = &registry.Canary{ModelVersion: canary, Percent: percent}
	}
	return d
}

// behindTheBack runs a statement on the registry's database with foreign
// keys off, as a broken or hand-edited registry would hold it, and checks
// that it changed at least one row.
func behindTheBack(t *testing.T, e *env, query string, args ...any) {
	t.Helper()
	ctx := context.Background()
	conn, err := e.store.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		t.Fatal(err)
	}
	// The connection goes back to the pool: turn the keys on again.
	defer func() { _, _ = conn.ExecContext(ctx, "PRAGMA foreign_keys = ON") }()
	res, err := conn.ExecContext(ctx, query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		t.Fatalf("%s %v changed %d rows (%v)", query, args, n, err)
	}
}

// dropFeatureVersion deletes a feature version behind the registry's back:
// the model versions that read it still list it.
func dropFeatureVersion(t *testing.T, e *env, environment, group string, version int64) {
	t.Helper()
	behindTheBack(t, e, `DELETE FROM feature_versions WHERE environment = ? AND feature_group = ? AND version = ?`, environment, group, version)
}

// planProblems runs CheckDeploymentPlan.
func planProblems(t *testing.T, r *registry.Registry, d registry.Deployment) registry.Problems {
	t.Helper()
	ps, err := r.CheckDeploymentPlan(context.Background(), d)
	if err != nil {
		t.Fatalf("CheckDeploymentPlan(%+v): %v", d, err)
	}
	return ps
}

// oneProblem asserts that ps holds exactly one problem, of the given rule,
// severity and path, whose text says every word.
func oneProblem(t *testing.T, ps registry.Problems, rule string, sev registry.Severity, path registry.Path, words ...string) registry.Problem {
	t.Helper()
	if len(ps) != 1 {
		t.Fatalf("want one problem, got %d: %+v", len(ps), ps)
	}
	p := ps[0]
	if p.Rule != rule || p.Severity != sev || !reflect.DeepEqual(p.Path, path) {
		t.Errorf("problem %+v, want rule %q severity %v path %v", p, rule, sev, path)
	}
	for _, w := range words {
		if !strings.Contains(p.String(), w) {
			t.Errorf("problem %q does not say %q", p.String(), w)
		}
	}
	return p
}

// refusedNothingWritten asserts that err is a *RuleError saying words and
// that the deployment and its audit trail are as before.
func refusedNothingWritten(t *testing.T, r *registry.Registry, err error, before *registry.Deployment, audited int, words ...string) {
	t.Helper()
	refusedWith(t, err, words...)
	got, gerr := r.Deployment(context.Background(), "fraud-scoring")
	switch {
	case before == nil && !registry.IsNotFound(gerr):
		t.Errorf("a refused create wrote the deployment: %+v, %v", got, gerr)
	case before != nil && (gerr != nil || !reflect.DeepEqual(got, *before)):
		t.Errorf("a refused update changed the deployment: %+v (%v), want %+v", got, gerr, *before)
	}
	if n := len(audit(t, r, registry.KindDeployment, "fraud-scoring")); n != audited {
		t.Errorf("a refused write changed the audit trail: %d rows, want %d", n, audited)
	}
}

func TestDeploymentLifecycleAndStatus(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	r := e.registry(t, "dev")
	seedServing(t, r)

	d := mustDeploy(t, r, serving("fraud/2", "", 0))
	want := registry.Deployment{
		Name: "fraud-scoring", ModelVersion: "fraud/2", Replicas: registry.Replicas{Min: 1, Max: 1},
		CreatedAt: t0Stored, UpdatedAt: t0Stored, Revision: 1,
	}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("created %+v, want %+v", d, want)
	}
	if got, err := r.Deployment(ctx, "fraud-scoring"); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("read back %+v (%v), want %+v", got, err, want)
	}
	if d.Status() != registry.StatusServing || d.Status() != "serving" || !reflect.DeepEqual(d.Served(), []string{"fraud/2"}) || d.ID() != "fraud-scoring" {
		t.Errorf("status %q, served %v, id %q", d.Status(), d.Served(), d.ID())
	}

	// A canary: status canary, served main then canary.
	e.clock.t = t0.Add(time.Hour)
	c := serving("fraud/2", "fraud/1", 10)
	c.Replicas = registry.Replicas{Min: 2, Max: 4}
	u, err := r.UpdateDeployment(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if u.Status() != registry.StatusCanary || u.Status() != "canary" || !reflect.DeepEqual(u.Served(), []string{"fraud/2", "fraud/1"}) {
		t.Errorf("status %q, served %v", u.Status(), u.Served())
	}
	if u.CreatedAt != t0Stored || u.UpdatedAt != t0Stored.Add(time.Hour) || u.Revision != 2 || u.Replicas != (registry.Replicas{Min: 2, Max: 4}) {
		t.Errorf("updated %+v", u)
	}
	if got, _ := r.Deployment(ctx, "fraud-scoring"); !reflect.DeepEqual(got, u) {
		t.Errorf("read back %+v, want %+v", got, u)
	}

	// Rollback: the canary goes, status serving again.
	e.clock.t = t0.Add(2 * time.Hour)
	u, err = r.UpdateDeployment(ctx, serving("fraud/1", "", 0))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := r.Deployment(ctx, "fraud-scoring"); got.Canary != nil || got.Status() != registry.StatusServing || got.ModelVersion != "fraud/1" || got.Revision != 3 {
		t.Errorf("after rollback %+v", got)
	}

	recs := audit(t, r, registry.KindDeployment, "fraud-scoring")
	if a := actions(recs); a != "create,update,update" {
		t.Errorf("audit %q", a)
	}
	if recs[0].Before != "" || !strings.Contains(recs[0].After, `"model_version_id":"fraud/2"`) ||
		!strings.Contains(recs[1].After, `"canary":{"model_version_id":"fraud/1","percent":10}`) || recs[0].Actor != "tester" {
		t.Errorf("audit rows %+v", recs)
	}

	// A second create is refused and points at import.
	if _, err := r.CreateDeployment(ctx, serving("fraud/2", "", 0)); !errors.Is(err, registry.ErrAlreadyExists) || !strings.Contains(err.Error(), "import") {
		t.Errorf("second create: %v", err)
	}
	// Environments are apart.
	_, err = e.registry(t, "prod").Deployment(ctx, "fraud-scoring")
	notFound(t, err, `deployment "fraud-scoring" does not exist in environment "prod"`)
	if _, err := e.registry(t, "prod").UpdateDeployment(ctx, u); !registry.IsNotFound(err) {
		t.Errorf("update of a deployment another environment holds: %v", err)
	}

	if err := r.DeleteDeployment(ctx, "fraud-scoring"); err != nil {
		t.Fatal(err)
	}
	_, err = r.Deployment(ctx, "fraud-scoring")
	notFound(t, err, `environment "dev"`)
	if err := r.DeleteDeployment(ctx, "fraud-scoring"); err != nil {
		t.Errorf("deleting a deployment already gone: %v", err)
	}
	if a := actions(audit(t, r, registry.KindDeployment, "fraud-scoring")); a != "create,update,update,delete" {
		t.Errorf("audit %q", a)
	}
}

func TestDeploymentD1ModelVersionMissing(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	r := e.registry(t, "dev")
	seedServing(t, r)

	oneProblem(t, planProblems(t, r, serving("fraud/9", "", 0)), "D1", registry.SeverityError, registry.Path{"model_version_id"},
		"Model version missing", "deployment fraud-scoring would serve model version fraud/9", `does not exist in environment "dev"`, `register it in "dev" first`)
	oneProblem(t, planProblems(t, r, serving("fraud/1", "fraud/9", 10)), "D1", registry.SeverityError, registry.Path{"canary", "model_version_id"},
		"model version fraud/9", `environment "dev"`)
	// A model the environment lacks altogether.
	oneProblem(t, planProblems(t, r, serving("ranking/1", "", 0)), "D1", registry.SeverityError, registry.Path{"model_version_id"}, "model version ranking/1")
	// Ids not known at plan ("") are not checked.
	if ps := planProblems(t, r, registry.Deployment{Name: "fraud-scoring"}); len(ps) != 0 {
		t.Errorf("unknown id: %+v", ps)
	}
	if ps := planProblems(t, r, serving("fraud/1", "", 0)); len(ps) != 0 {
		t.Errorf("valid deployment: %+v", ps)
	}
	if ps := planProblems(t, r, serving("", "fraud/9", 10)); len(ps) != 1 || ps[0].Rule != "D1" {
		t.Errorf("main unknown, canary missing: %+v", ps)
	}

	// Another environment lacks what dev has.
	prod := e.registry(t, "prod")
	oneProblem(t, planProblems(t, prod, serving("fraud/1", "", 0)), "D1", registry.SeverityError, registry.Path{"model_version_id"},
		"model version fraud/1", `does not exist in environment "prod"`)

	// The write path refuses the same, and writes nothing.
	_, err := r.CreateDeployment(ctx, serving("fraud/9", "", 0))
	refusedNothingWritten(t, r, err, nil, 0, "[D1] Model version missing", "deployment fraud-scoring would serve model version fraud/9", `environment "dev"`)
	_, err = prod.CreateDeployment(ctx, serving("fraud/1", "", 0))
	refusedWith(t, err, "model version fraud/1", `environment "prod"`)

	d := mustDeploy(t, r, serving("fraud/1", "", 0))
	_, err = r.UpdateDeployment(ctx, serving("fraud/1", "fraud/9", 10))
	refusedNothingWritten(t, r, err, &d, 1, "[D1]", "model version fraud/9")
	// A malformed id is refused before the registry is read.
	_, err = r.UpdateDeployment(ctx, serving("fraud", "", 0))
	refusedNothingWritten(t, r, err, &d, 1, "[D1] Invalid model version id", `"fraud" must have the form <name>/<version>`)
}

func TestDeploymentD2FeatureVersionMissing(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	r := e.registry(t, "dev")
	seedServing(t, r)
	d := mustDeploy(t, r, serving("fraud/1", "", 0))

	// transactions/2 vanishes while fraud/2 still lists it.
	dropFeatureVersion(t, e, "dev", "transactions", 2)
	if v, err := r.ModelVersion(ctx, "fraud", 2); err != nil || !reflect.DeepEqual(v.FeatureVersionIDs, []string{"transactions/2"}) {
		t.Fatalf("fraud/2 after the drop: %+v, %v", v, err)
	}

	chain := "deployment fraud-scoring -> model version fraud/2 -> feature version transactions/2"
	p := oneProblem(t, planProblems(t, r, serving("fraud/2", "", 0)), "D2", registry.SeverityError, registry.Path{"model_version_id"},
		"Feature version missing for a served model", chain,
		`feature version transactions/2 does not exist in environment "dev"`,
		`Apply feature version transactions/2 in "dev" first`,
		"deploy a model version whose feature versions exist there (in dev: fraud/1)")
	// The canary gets the same check, at its own path.
	oneProblem(t, planProblems(t, r, serving("fraud/1", "fraud/2", 10)), "D2", registry.SeverityError, registry.Path{"canary", "model_version_id"}, chain)

	// The write path refuses the same text, and writes nothing.
	_, err := r.UpdateDeployment(ctx, serving("fraud/2", "", 0))
	refusedNothingWritten(t, r, err, &d, 1, p.Detail)
	_, err = r.UpdateDeployment(ctx, serving("fraud/1", "fraud/2", 10))
	refusedNothingWritten(t, r, err, &d, 1, "[D2]", chain)
	if err := r.DeleteDeployment(ctx, "fraud-scoring"); err != nil {
		t.Fatal(err)
	}
	_, err = r.CreateDeployment(ctx, serving("fraud/2", "", 0))
	refusedNothingWritten(t, r, err, nil, 2, "[D2] Feature version missing for a served model", chain)

	// No alternative: the fix names none.
	dropFeatureVersion(t, e, "dev", "transactions", 1)
	p = oneProblem(t, planProblems(t, r, serving("fraud/2", "", 0)), "D2", registry.SeverityError, registry.Path{"model_version_id"},
		"deploy a model version whose feature versions exist there")
	if strings.Contains(p.Detail, "(in dev:") {
		t.Errorf("fix names an alternative that is missing too: %s", p.Detail)
	}
}

func TestDeploymentD2DeprecatedWarns(t *testing.T) {
	ctx := context.Background()
	r := newEnv(t).registry(t, "dev")
	seedServing(t, r)
	v, err := r.FeatureVersion(ctx, "transactions", 1)
	if err != nil {
		t.Fatal(err)
	}
	v.Deprecated = true
	if _, err := r.UpdateFeatureVersion(ctx, v); err != nil {
		t.Fatal(err)
	}

	ps := planProblems(t, r, serving("fraud/1", "", 0))
	oneProblem(t, ps, "D2", registry.SeverityWarning, registry.Path{"model_version_id"},
		"Served model reads a deprecated feature version", "deployment fraud-scoring -> model version fraud/1 -> feature version transactions/1",
		`deprecated in environment "dev"`)
	if ps.HasErrors() || ps.Err() != nil {
		t.Errorf("a deprecated feature version blocks the deployment: %+v", ps)
	}
	// A warning does not block the write.
	mustDeploy(t, r, serving("fraud/1", "", 0))
	if ps := planProblems(t, r, serving("fraud/2", "fraud/1", 5)); len(ps) != 1 || ps[0].Severity != registry.SeverityWarning ||
		!reflect.DeepEqual(ps[0].Path, registry.Path{"canary", "model_version_id"}) {
		t.Errorf("deprecated canary: %+v", ps)
	}
}

func TestDeploymentD4Canary(t *testing.T) {
	ctx := context.Background()
	r := newEnv(t).registry(t, "dev")
	seedServing(t, r)

	cases := []struct {
		name string
		d    registry.Deployment
		path registry.Path
		want []string
	}{
		{"percent 0", serving("fraud/2", "fraud/1", 0), registry.Path{"canary", "percent"},
			[]string{"Invalid canary percent", "between 1 and 99, got 0", "0 means no canary"}},
		{"percent 100", serving("fraud/2", "fraud/1", 100), registry.Path{"canary", "percent"},
			[]string{"Invalid canary percent", "got 100", "100 means promoting it"}},
		{"percent -5", serving("fraud/2", "fraud/1", -5), registry.Path{"canary", "percent"}, []string{"got -5"}},
		{"canary equals main", serving("fraud/2", "fraud/2", 10), registry.Path{"canary", "model_version_id"},
			[]string{"Canary equals the main version", "the canary of deployment fraud-scoring is model version fraud/2, which the deployment already serves"}},
		{"canary of another model", serving("fraud/2", "churn/1", 10), registry.Path{"canary", "model_version_id"},
			[]string{"Canary of another model", `deployment fraud-scoring serves model "fraud", but its canary churn/1 is a version of model "churn"`}},
		{"malformed canary", serving("fraud/2", "fraud/v1", 10), registry.Path{"canary", "model_version_id"},
			[]string{"Invalid model version id", `"fraud/v1"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			oneProblem(t, registry.CheckDeployment(c.d, "dev"), "D4", registry.SeverityError, c.path, c.want...)
			_, err := r.CreateDeployment(ctx, c.d)
			refusedNothingWritten(t, r, err, nil, 0, append([]string{"[D4]"}, c.want...)...)
		})
	}

	for _, p := range []int64{1, 99} {
		if ps := registry.CheckDeployment(serving("fraud/2", "fraud/1", p), "dev"); len(ps) != 0 {
			t.Errorf("percent %d: %+v", p, ps)
		}
	}
	// What plan does not know yet is not checked.
	for _, c := range []struct {
		main, canary string
		percent      *int64
	}{{"", "fraud/2", nil}, {"fraud/2", "", nil}, {"", "", nil}, {"", "churn/1", nil}} {
		if ps := registry.CheckCanary("fraud-scoring", c.main, c.canary, c.percent); len(ps) != 0 {
			t.Errorf("CheckCanary(%q, %q, nil): %+v", c.main, c.canary, ps)
		}
	}
	if ps := registry.CheckCanary("", "fraud/2", "fraud/2", nil); len(ps) != 1 || !strings.Contains(ps[0].Detail, "deployment (new)") {
		t.Errorf("CheckCanary without a name: %+v", ps)
	}

	// An update is refused the same way and changes nothing.
	d := mustDeploy(t, r, serving("fraud/2", "", 0))
	_, err := r.UpdateDeployment(ctx, serving("fraud/2", "churn/1", 10))
	refusedNothingWritten(t, r, err, &d, 1, "[D4] Canary of another model")
	_, err = r.UpdateDeployment(ctx, serving("fraud/2", "fraud/1", 100))
	refusedNothingWritten(t, r, err, &d, 1, "[D4] Invalid canary percent")
	if _, err := r.UpdateDeployment(ctx, serving("fraud/2", "fraud/1", 10)); err != nil {
		t.Errorf("a valid canary: %v", err)
	}
}

func TestDeploymentD5Promotion(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	staging, prod := e.registry(t, "staging"), e.registry(t, "prod")
	seedServing(t, prod)
	// Staging has fraud/1 as prod has it, fraud/2 as another artifact.
	mustCreateGroup(t, staging, txGroup())
	mustCreateVersion(t, staging, txVersion(1))
	mustCreateVersion(t, staging, txVersion(2))
	mustCreateModel(t, staging, "fraud")
	mustCreateModelVersion(t, staging, fraudVersion(1, 1))
	v2 := fraudVersion(2, 2)
	v2.ArtifactURI = "s3://staging-models/fraud/2"
	mustCreateModelVersion(t, staging, v2)

	promoted := func(main, canary string, percent int64, from string) registry.Deployment {
		d := serving(main, canary, percent)
		d.PromoteFrom = from
		return d
	}

	// No deployment of that name in the source environment.
	oneProblem(t, planProblems(t, prod, promoted("fraud/1", "", 0, "staging")), "D5", registry.SeverityError, registry.Path{"promote_from"},
		"Nothing to promote from", `deployment fraud-scoring is promoted from environment "staging", which has no deployment fraud-scoring`, `apply it in "staging" first`)
	_, err := prod.CreateDeployment(ctx, promoted("fraud/1", "", 0, "staging"))
	refusedNothingWritten(t, prod, err, nil, 0, "[D5] Nothing to promote from")

	mustDeploy(t, staging, serving("fraud/1", "", 0))

	// The source serves another version.
	oneProblem(t, planProblems(t, prod, promoted("fraud/2", "", 0, "staging")), "D5", registry.SeverityError, registry.Path{"model_version_id"},
		"Model version not promoted", `deployment fraud-scoring would serve model version fraud/2 in environment "prod"`,
		`but deployment fraud-scoring in "staging" serves fraud/1, not fraud/2`, `promote fraud/2 through "staging" first`)
	oneProblem(t, planProblems(t, prod, promoted("fraud/1", "fraud/2", 10, "staging")), "D5", registry.SeverityError,
		registry.Path{"canary", "model_version_id"}, "would serve model version fraud/2")
	_, err = prod.CreateDeployment(ctx, promoted("fraud/2", "", 0, "staging"))
	refusedNothingWritten(t, prod, err, nil, 0, "[D5] Model version not promoted", `environment "prod"`, `in "staging"`)
	// Not all ids known: D5 waits.
	if ps := planProblems(t, prod, promoted("fraud/2", "", 10, "staging")); len(ps) == 0 {
		t.Error("known ids: D5 not checked")
	}
	if ps := planProblems(t, prod, registry.Deployment{Name: "fraud-scoring", ModelVersion: "fraud/2", Canary: &registry.Canary{}, PromoteFrom: "staging"}); len(ps) != 0 {
		t.Errorf("canary unknown: D5 checked anyway: %+v", ps)
	}

	// Served there, same artifact: promoted.
	if ps := planProblems(t, prod, promoted("fraud/1", "", 0, "staging")); len(ps) != 0 {
		t.Errorf("promotion of what staging serves: %+v", ps)
	}
	d := mustDeploy(t, prod, promoted("fraud/1", "", 0, "staging"))
	if got, _ := prod.Deployment(ctx, "fraud-scoring"); got.PromoteFrom != "staging" || !reflect.DeepEqual(got, d) {
		t.Errorf("stored %+v", got)
	}

	// Served there, but as another artifact.
	if _, err := staging.UpdateDeployment(ctx, serving("fraud/1", "fraud/2", 10)); err != nil {
		t.Fatal(err)
	}
	oneProblem(t, planProblems(t, prod, promoted("fraud/1", "fraud/2", 10, "staging")), "D5", registry.SeverityError,
		registry.Path{"canary", "model_version_id"}, "Different artifact",
		`model version fraud/2 is s3://models/fraud/2 in environment "prod" but s3://staging-models/fraud/2 in "staging"`,
		"the same version must be the same artifact")
	_, err = prod.UpdateDeployment(ctx, promoted("fraud/1", "fraud/2", 10, "staging"))
	refusedNothingWritten(t, prod, err, &d, 1, "[D5] Different artifact")

	// Promotion from its own environment, or from no valid one.
	oneProblem(t, registry.CheckDeployment(promoted("fraud/1", "", 0, "prod"), "prod"), "D5", registry.SeverityError, registry.Path{"promote_from"},
		"Promotion from the same environment", `deployment fraud-scoring is in environment "prod" and cannot be promoted from it`)
	_, err = prod.UpdateDeployment(ctx, promoted("fraud/1", "", 0, "prod"))
	refusedNothingWritten(t, prod, err, &d, 1, "[D5] Promotion from the same environment")
	oneProblem(t, registry.CheckPromoteFrom("fraud-scoring", "Staging", ""), "D5", registry.SeverityError, registry.Path{"promote_from"},
		"Invalid environment", `promote_from "Staging" is not a valid environment name`)
	if ps := registry.CheckPromoteFrom("fraud-scoring", "prod", ""); len(ps) != 0 {
		t.Errorf("environment not known yet (validate): %+v", ps)
	}
}

func TestCheckPromotionArtifact(t *testing.T) {
	here := registry.ModelVersion{Model: "fraud", Version: 1, ArtifactURI: "s3://models/fraud/1", ArtifactDigest: digestA}
	served := []registry.ServedVersion{{ID: "fraud/1", Version: &here}}
	src := func(there registry.ModelVersion) registry.PromotionSource {
		return registry.PromotionSource{
			Environment: "staging",
			Deployment:  &registry.Deployment{Name: "fraud-scoring", ModelVersion: "fraud/1"},
			Versions:    map[string]registry.ModelVersion{"fraud/1": there},
		}
	}
	if ps := registry.CheckPromotion("fraud-scoring", "prod", served, src(here)); len(ps) != 0 {
		t.Errorf("same artifact: %+v", ps)
	}
	other := here
	other.ArtifactDigest = digestB
	oneProblem(t, registry.CheckPromotion("fraud-scoring", "prod", served, src(other)), "D5", registry.SeverityError, registry.Path{"model_version_id"},
		"Different artifact", "s3://models/fraud/1 ("+digestA+`) in environment "prod"`, "s3://models/fraud/1 ("+digestB+`) in "staging"`)
	other.ArtifactDigest = ""
	oneProblem(t, registry.CheckPromotion("fraud-scoring", "prod", served, src(other)), "D5", registry.SeverityError, registry.Path{"model_version_id"},
		`but s3://models/fraud/1 in "staging"`)
	// A version unknown at plan, or missing here (D1's), is not D5's.
	if ps := registry.CheckPromotion("fraud-scoring", "prod", []registry.ServedVersion{{}, {ID: "fraud/1"}}, src(other)); len(ps) != 0 {
		t.Errorf("unknown or missing versions: %+v", ps)
	}
}

func TestDeleteServedModelVersionRefused(t *testing.T) {
	ctx := context.Background()
	r := newEnv(t).registry(t, "dev")
	seedServing(t, r)
	mustDeploy(t, r, serving("fraud/1", "", 0))

	refused := func(what string, err error, words ...string) {
		t.Helper()
		refusedWith(t, err, append([]string{"[F2] Object still referenced", "Nothing was deleted"}, words...)...)
	}
	stillThere := func() {
		t.Helper()
		if _, err := r.ModelVersion(ctx, "fraud", 1); err != nil {
			t.Fatalf("fraud/1 lost: %v", err)
		}
		if _, err := r.FeatureVersion(ctx, "transactions", 1); err != nil {
			t.Fatalf("transactions/1 lost: %v", err)
		}
		if a := actions(audit(t, r, registry.KindModelVersion, "fraud/1")); a != "create" {
			t.Errorf("fraud/1 audit %q", a)
		}
		if a := actions(audit(t, r, registry.KindFeatureVersion, "transactions/1")); a != "create" {
			t.Errorf("transactions/1 audit %q", a)
		}
	}

	// Served as the main version.
	refused("model version", r.DeleteModelVersion(ctx, "fraud", 1),
		`model version "fraud/1" in environment "dev" is still referenced by deployment "fraud-scoring"`)
	deps, err := r.Dependents(ctx, registry.Ref{Kind: registry.KindModelVersion, ID: "fraud/1"})
	if err != nil || len(deps) != 1 || deps[0].Kind != registry.KindDeployment || deps[0].ID != "fraud-scoring" {
		t.Errorf("dependents of fraud/1: %+v, %v", deps, err)
	}
	// Its feature version: the message says which deployment serves the
	// model version that reads it.
	refused("feature version", r.DeleteFeatureVersion(ctx, "transactions", 1),
		`feature version "transactions/1" in environment "dev" is still referenced by`,
		`model version "churn/1", model version "fraud/1" (served by deployment fraud-scoring)`)
	ps, err := leaveWhileReadersStay(r, registry.Ref{Kind: registry.KindFeatureVersion, ID: "transactions/1"})
	if err != nil {
		t.Fatal(err)
	}
	oneProblem(t, ps, "F2", registry.SeverityError, nil, `model version "fraud/1" (served by deployment fraud-scoring)`, "Applying this plan would stop at the delete")
	stillThere()

	// Served as the canary.
	if _, err := r.UpdateDeployment(ctx, serving("fraud/2", "fraud/1", 10)); err != nil {
		t.Fatal(err)
	}
	refused("model version", r.DeleteModelVersion(ctx, "fraud", 1), `still referenced by deployment "fraud-scoring"`)
	refused("feature version", r.DeleteFeatureVersion(ctx, "transactions", 1), `model version "fraud/1" (served by deployment fraud-scoring)`)
	refused("model version", r.DeleteModelVersion(ctx, "fraud", 2), `model version "fraud/2"`, `deployment "fraud-scoring"`)
	stillThere()

	// Two deployments serve it.
	mustDeploy(t, r, registry.Deployment{Name: "fraud-shadow", ModelVersion: "fraud/1", Replicas: registry.DefaultReplicas})
	refused("model version", r.DeleteModelVersion(ctx, "fraud", 1), `deployment "fraud-scoring", deployment "fraud-shadow"`)
	refused("feature version", r.DeleteFeatureVersion(ctx, "transactions", 1), `model version "fraud/1" (served by deployment fraud-scoring, fraud-shadow)`)

	// Once nothing serves it, it goes.
	if err := r.DeleteDeployment(ctx, "fraud-shadow"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.UpdateDeployment(ctx, serving("fraud/2", "", 0)); err != nil {
		t.Fatal(err)
	}
	if err := r.DeleteModelVersion(ctx, "fraud", 1); err != nil {
		t.Fatalf("deleting fraud/1 once nothing serves it: %v", err)
	}
	refused("feature version", r.DeleteFeatureVersion(ctx, "transactions", 1), `still referenced by model version "churn/1";`)
}

func TestLineageAndMermaid(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	r := e.registry(t, "dev")
	seedServing(t, r)
	mustDeploy(t, r, serving("fraud/2", "fraud/1", 10))

	l, err := r.Lineage(ctx, "fraud-scoring")
	if err != nil {
		t.Fatal(err)
	}
	want := []registry.ServedLineage{
		{ModelVersion: "fraud/2", Role: "main", Percent: 90, FeatureVersions: []string{"transactions/2"}},
		{ModelVersion: "fraud/1", Role: "canary", Percent: 10, FeatureVersions: []string{"transactions/1"}},
	}
	if l.Environment != "dev" || l.Deployment.Name != "fraud-scoring" || !reflect.DeepEqual(l.Served, want) {
		t.Errorf("lineage %+v, want served %+v", l, want)
	}
	m := l.Mermaid()
	if !strings.HasPrefix(m, "graph LR\n") {
		t.Errorf("mermaid does not start with graph LR:\n%s", m)
	}
	for _, line := range []string{
		`  deployment_fraud_scoring["deployment fraud-scoring<br/>environment dev"]`,
		`  model_version_fraud_2["model version fraud/2"]`,
		`  model_version_fraud_1["model version fraud/1"]`,
		`  feature_version_transactions_2["feature version transactions/2"]`,
		`  feature_version_transactions_1["feature version transactions/1"]`,
		`  deployment_fraud_scoring -- "90%" --> model_version_fraud_2`,
		`  deployment_fraud_scoring -- "canary 10%" --> model_version_fraud_1`,
		`  model_version_fraud_2 --> feature_version_transactions_2`,
		`  model_version_fraud_1 --> feature_version_transactions_1`,
	} {
		if !strings.Contains(m, line+"\n") {
			t.Errorf("mermaid lacks %q:\n%s", line, m)
		}
	}
	if strings.Contains(m, "classDef") {
		t.Errorf("nothing is missing, yet:\n%s", m)
	}

	// Without a canary, the main version takes all the traffic.
	if _, err := r.UpdateDeployment(ctx, serving("fraud/2", "", 0)); err != nil {
		t.Fatal(err)
	}
	l, err = r.Lineage(ctx, "fraud-scoring")
	if err != nil || len(l.Served) != 1 || l.Served[0].Percent != 100 || l.Served[0].Role != "main" {
		t.Errorf("lineage without canary: %+v, %v", l, err)
	}
	if m := l.Mermaid(); !strings.Contains(m, `deployment_fraud_scoring -- "100%" --> model_version_fraud_2`) {
		t.Errorf("mermaid without canary:\n%s", m)
	}
	if _, err := r.UpdateDeployment(ctx, serving("fraud/2", "fraud/1", 10)); err != nil {
		t.Fatal(err)
	}

	// What the environment lacks is listed and drawn as missing.
	dropFeatureVersion(t, e, "dev", "transactions", 2)
	behindTheBack(t, e, `DELETE FROM model_version_features WHERE environment = 'dev' AND model = 'fraud' AND version = 1`)
	behindTheBack(t, e, `DELETE FROM model_versions WHERE environment = 'dev' AND model = 'fraud' AND version = 1`)
	l, err = r.Lineage(ctx, "fraud-scoring")
	if err != nil {
		t.Fatal(err)
	}
	want = []registry.ServedLineage{
		{ModelVersion: "fraud/2", Role: "main", Percent: 90, FeatureVersions: []string{"transactions/2"}, Missing: []string{"transactions/2"}},
		{ModelVersion: "fraud/1", Role: "canary", Percent: 10, Absent: true},
	}
	if !reflect.DeepEqual(l.Served, want) {
		t.Errorf("lineage with missing objects %+v, want %+v", l.Served, want)
	}
	m = l.Mermaid()
	for _, line := range []string{
		`  classDef missing fill:#fdd,stroke:#c00,color:#900`,
		`  class feature_version_transactions_2,model_version_fraud_1 missing`,
		`  deployment_fraud_scoring -- "canary 10%" --> model_version_fraud_1`,
	} {
		if !strings.Contains(m, line+"\n") {
			t.Errorf("mermaid lacks %q:\n%s", line, m)
		}
	}

	_, err = r.Lineage(ctx, "ranking")
	notFound(t, err, `deployment "ranking" does not exist in environment "dev"`)
	_, err = e.registry(t, "prod").Lineage(ctx, "fraud-scoring")
	notFound(t, err, `environment "prod"`)
}

func TestMermaidSharedFeatureVersion(t *testing.T) {
	// Two served versions that read one feature version: one node, two edges.
	l := registry.Lineage{
		Environment: "prod",
		Deployment:  registry.Deployment{Name: "fraud-scoring"},
		Served: []registry.ServedLineage{
			{ModelVersion: "fraud/3", Role: "main", Percent: 75, FeatureVersions: []string{"merchants/1", "transactions/2"}},
			{ModelVersion: "fraud/4", Role: "canary", Percent: 25, FeatureVersions: []string{"transactions/2"}},
		},
	}
	m := l.Mermaid()
	if n := strings.Count(m, `feature_version_transactions_2["feature version transactions/2"]`); n != 1 {
		t.Errorf("transactions/2 drawn %d times:\n%s", n, m)
	}
	for _, line := range []string{
		`  model_version_fraud_3 --> feature_version_merchants_1`,
		`  model_version_fraud_3 --> feature_version_transactions_2`,
		`  model_version_fraud_4 --> feature_version_transactions_2`,
		`  deployment_fraud_scoring -- "75%" --> model_version_fraud_3`,
		`  deployment_fraud_scoring -- "canary 25%" --> model_version_fraud_4`,
	} {
		if !strings.Contains(m, line+"\n") {
			t.Errorf("mermaid lacks %q:\n%s", line, m)
		}
	}
}
