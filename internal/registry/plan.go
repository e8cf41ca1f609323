package registry

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
)

// This file is what one Terraform plan does to the registry, as far as the
// objects planned so far tell. Terraform plans one object at a time; the
// plan-time checks of a later object read what earlier ones planned:
//
//   - an object the plan creates or changes is seen by later checks as if it
//     were written (so a deployment of a model version created in the same
//     run gets the whole D2 chain, and a reference to an object being
//     re-created is never treated as missing);
//   - an object the plan deletes or replaces is checked against the objects
//     that read it (F2): a reader that stays and still reads it is an error,
//     a reader that leaves in the same plan or moves off is not.
//
// Terraform plans a reader after what it references when the configuration
// references it through an attribute (mlops_feature_version.x.id), and in a
// destroy plan dependents before what they depend on; other objects in any
// order. So the F2 verdict on a reader is given by whichever of the two is
// planned second.

// RunPlan records one Terraform plan. It is safe for concurrent use:
// Terraform plans several objects at once.
type RunPlan struct {
	mu sync.Mutex
	// env is the environment the plan is for.
	env string
	// objects holds the planned content of created and changed objects:
	// FeatureGroup, FeatureVersion, Model, ModelVersion, Deployment,
	// ValidationSuite, ModelAlias, Approval, EnvironmentPolicy or FeatureView
	// values.
	objects map[objectKey]any
	// leaving maps an object the plan deletes or replaces to true when it
	// is replaced.
	leaving map[objectKey]bool
	// staying maps an object that stays to the objects it reads.
	staying map[objectKey][]objectKey
	// pending maps a reader not planned yet to the leaving objects it reads
	// (as the registry says), for its own plan to settle.
	pending map[objectKey][]objectKey
}

type objectKey struct {
	Kind Kind
	ID   string
}

func keyOf(r Ref) objectKey { return objectKey{Kind: r.Kind, ID: r.ID} }

func (k objectKey) ref() Ref { return Ref{Kind: k.Kind, ID: k.ID} }

// NewRunPlan returns an empty record of one plan in environment env.
func NewRunPlan(env string) *RunPlan {
	return &RunPlan{
		env:     env,
		objects: map[objectKey]any{},
		leaving: map[objectKey]bool{},
		staying: map[objectKey][]objectKey{},
		pending: map[objectKey][]objectKey{},
	}
}

// Put records the planned content of an object the plan creates or
// changes. obj is a FeatureGroup, FeatureVersion, Model, ModelVersion,
// Deployment, ValidationSuite, ModelAlias, Approval, EnvironmentPolicy or
// FeatureView;
// its id must be known. Environment policies are global: one planned here
// is seen by the checks of every environment.
func (p *RunPlan) Put(obj any) {
	if p == nil {
		return
	}
	ref, ok := refOf(obj)
	if !ok || ref.ID == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.objects[keyOf(ref)] = obj
}

func refOf(obj any) (Ref, bool) {
	switch o := obj.(type) {
	case FeatureGroup:
		return Ref{Kind: KindFeatureGroup, ID: o.ID()}, true
	case FeatureVersion:
		return Ref{Kind: KindFeatureVersion, ID: o.ID()}, true
	case Model:
		return Ref{Kind: KindModel, ID: o.ID()}, true
	case ModelVersion:
		return Ref{Kind: KindModelVersion, ID: o.ID()}, true
	case Deployment:
		return Ref{Kind: KindDeployment, ID: o.ID()}, true
	case ValidationSuite:
		return Ref{Kind: KindSuite, ID: o.ID()}, true
	case ModelAlias:
		return Ref{Kind: KindModelAlias, ID: o.ID()}, true
	case Approval:
		return Ref{Kind: KindApproval, ID: o.ID()}, true
	case EnvironmentPolicy:
		return Ref{Kind: KindEnvironment, ID: o.ID()}, true
	case FeatureView:
		return Ref{Kind: KindFeatureView, ID: o.ID()}, true
	case Pipeline:
		return Ref{Kind: KindPipeline, ID: o.ID()}, true
	}
	return Ref{}, false
}

func (p *RunPlan) planned(kind Kind, id string) (any, bool) {
	if p == nil {
		return nil, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	o, ok := p.objects[objectKey{Kind: kind, ID: id}]
	return o, ok
}

// Leave records that the plan deletes obj (replace false) or replaces it
// (deletes, then creates it again), and returns rule F2's verdict on the
// objects of this environment that read it: an error for each reader
// already planned to stay, whether it still reads obj or moves off it in
// the same plan (Terraform does not order a reader's update before the
// delete of what it referenced, so the delete could run first and be
// refused). A reader not planned yet is settled by its own plan (Stay):
// Terraform plans a reader that references obj after it, and orphans,
// destroys and readers that moved off obj in an order that may put them
// after it. A reader that no plan of this run settles (one managed by
// another configuration) is refused at apply, where the registry refuses
// the delete before anything is deleted. A replaced object's new content
// is recorded with Put.
func (p *RunPlan) Leave(ctx context.Context, r *Registry, obj Ref, replace bool) (Problems, error) {
	deps, err := r.Dependents(ctx, obj)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	k := keyOf(obj)
	p.leaving[k] = replace
	delete(p.pending, k) // a reader that leaves settles what it read
	var reading, movingOff []Ref
	for _, d := range deps {
		dk := keyOf(d)
		if _, gone := p.leaving[dk]; gone {
			continue
		}
		reads, planned := p.staying[dk]
		switch {
		case !planned:
			p.pending[dk] = append(p.pending[dk], k)
		case slices.Contains(reads, k):
			reading = append(reading, d)
		default:
			movingOff = append(movingOff, d)
		}
	}
	return CheckLeavingReaders(obj, replace, r.env, reading, movingOff), nil
}

// Stay records that obj stays (created, changed or unchanged) and reads the
// objects in reads, and returns rule F2's verdict on it: an error for each
// object it read that the plan deletes or replaces (see Leave). Unknown
// references are left out of reads.
func (p *RunPlan) Stay(obj Ref, env string, reads []Ref) Problems {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	k := keyOf(obj)
	keys := make([]objectKey, len(reads))
	for i, r := range reads {
		keys[i] = keyOf(r)
	}
	p.staying[k] = keys
	var ps Problems
	for _, gone := range p.pending[k] {
		if slices.Contains(keys, gone) {
			ps = append(ps, CheckLeavingReaders(gone.ref(), p.leaving[gone], env, []Ref{obj}, nil)...)
		} else {
			ps = append(ps, CheckLeavingReaders(gone.ref(), p.leaving[gone], env, nil, []Ref{obj})...)
		}
	}
	delete(p.pending, k)
	return ps
}

// over returns tx as the plan's checks see it: an object this plan creates
// or changes in its environment reads as planned when the registry does not
// hold it yet.
func (p *RunPlan) over(tx Tx) Tx {
	if p == nil {
		return tx
	}
	return plannedTx{Tx: tx, plan: p}
}

// plannedTx reads the registry, then the plan for an object the registry
// does not hold.
type plannedTx struct {
	Tx
	plan *RunPlan
}

func plannedOr[T any](t plannedTx, env string, kind Kind, id string, v T, err error) (T, error) {
	if env != t.plan.env || !isNotFound(err) {
		return v, err
	}
	if o, ok := t.plan.planned(kind, id); ok {
		if planned, ok := o.(T); ok {
			return planned, nil
		}
	}
	return v, err
}

func (t plannedTx) FeatureGroup(ctx context.Context, env, name string) (FeatureGroup, error) {
	g, err := t.Tx.FeatureGroup(ctx, env, name)
	return plannedOr(t, env, KindFeatureGroup, name, g, err)
}

func (t plannedTx) FeatureVersion(ctx context.Context, env, group string, version int64) (FeatureVersion, error) {
	v, err := t.Tx.FeatureVersion(ctx, env, group, version)
	return plannedOr(t, env, KindFeatureVersion, FeatureVersionID(group, version), v, err)
}

func (t plannedTx) Model(ctx context.Context, env, name string) (Model, error) {
	m, err := t.Tx.Model(ctx, env, name)
	return plannedOr(t, env, KindModel, name, m, err)
}

func (t plannedTx) ModelVersion(ctx context.Context, env, model string, version int64) (ModelVersion, error) {
	v, err := t.Tx.ModelVersion(ctx, env, model, version)
	return plannedOr(t, env, KindModelVersion, ModelVersionID(model, version), v, err)
}

// Approval reads an approval, or one this plan creates: that one is of the
// artifact its model version has (the write records it then).
func (t plannedTx) Approval(ctx context.Context, env, model string, version int64) (Approval, error) {
	a, err := t.Tx.Approval(ctx, env, model, version)
	planned, err := plannedOr(t, env, KindApproval, ModelVersionID(model, version), a, err)
	if err != nil || planned.Revision != 0 || planned.ArtifactURI != "" {
		return planned, err // the registry's
	}
	v, err := t.ModelVersion(ctx, env, model, version)
	if isNotFound(err) {
		return planned, nil // the approval's own plan refuses it
	}
	if err != nil {
		return Approval{}, err
	}
	planned.ArtifactURI, planned.ArtifactDigest = v.ArtifactURI, v.ArtifactDigest
	return planned, nil
}

func (t plannedTx) FeatureView(ctx context.Context, env, name string, version int64) (FeatureView, error) {
	v, err := t.Tx.FeatureView(ctx, env, name, version)
	return plannedOr(t, env, KindFeatureView, FeatureViewID(name, version), v, err)
}

func (t plannedTx) Suite(ctx context.Context, env, name string) (ValidationSuite, error) {
	s, err := t.Tx.Suite(ctx, env, name)
	return plannedOr(t, env, KindSuite, name, s, err)
}

// Environment reads a policy, or the one this plan writes when the
// registry holds none. Policies are global: whatever the environment.
func (t plannedTx) Environment(ctx context.Context, name string) (EnvironmentPolicy, error) {
	p, err := t.Tx.Environment(ctx, name)
	return plannedOr(t, t.plan.env, KindEnvironment, name, p, err)
}

// Environments lists the policies as this plan leaves them: those it
// writes replace the registry's.
func (t plannedTx) Environments(ctx context.Context) ([]EnvironmentPolicy, error) {
	stored, err := t.Tx.Environments(ctx)
	if err != nil {
		return nil, err
	}
	byName := map[string]EnvironmentPolicy{}
	for _, p := range stored {
		byName[p.Name] = p
	}
	t.plan.mu.Lock()
	for k, o := range t.plan.objects {
		if p, ok := o.(EnvironmentPolicy); ok && k.Kind == KindEnvironment {
			byName[p.Name] = p
		}
	}
	t.plan.mu.Unlock()
	out := make([]EnvironmentPolicy, 0, len(byName))
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		out = append(out, byName[name])
	}
	return out, nil
}

func (t plannedTx) Pipeline(ctx context.Context, env, name string) (Pipeline, error) {
	p, err := t.Tx.Pipeline(ctx, env, name)
	return plannedOr(t, env, KindPipeline, name, p, err)
}

// plannedPipelines lists the pipelines this plan creates in env that the
// registry does not hold, and matching ones only.
func (t plannedTx) plannedPipelines(ctx context.Context, env string, match func(Pipeline) bool) ([]Pipeline, error) {
	if env != t.plan.env {
		return nil, nil
	}
	t.plan.mu.Lock()
	var planned []Pipeline
	for _, o := range t.plan.objects {
		if p, ok := o.(Pipeline); ok && match(p) {
			planned = append(planned, p)
		}
	}
	t.plan.mu.Unlock()
	var out []Pipeline
	for _, p := range planned {
		_, err := t.Tx.Pipeline(ctx, env, p.Name)
		switch {
		case isNotFound(err):
			out = append(out, p)
		case err != nil:
			return nil, err
		}
	}
	return out, nil
}

// PipelinesWriting lists the pipelines writing a feature version: the
// registry's, and those this plan creates.
func (t plannedTx) PipelinesWriting(ctx context.Context, env, featureVersionID string) ([]Pipeline, error) {
	stored, err := t.Tx.PipelinesWriting(ctx, env, featureVersionID)
	if err != nil {
		return nil, err
	}
	planned, err := t.plannedPipelines(ctx, env, func(p Pipeline) bool { return slices.Contains(p.Writes.FeatureVersionIDs, featureVersionID) })
	if err != nil {
		return nil, err
	}
	out := append(stored, planned...)
	slices.SortFunc(out, func(a, b Pipeline) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// HasFeaturePipelines reports a feature pipeline in env: in the registry,
// or created by this plan.
func (t plannedTx) HasFeaturePipelines(ctx context.Context, env string) (bool, error) {
	has, err := t.Tx.HasFeaturePipelines(ctx, env)
	if err != nil || has {
		return has, err
	}
	planned, err := t.plannedPipelines(ctx, env, func(p Pipeline) bool { return p.Kind == PipelineFeature })
	return len(planned) > 0, err
}

// Planning returns a Registry whose plan-time checks (Check*Plan) also see
// what run plans: the objects it creates or changes read as written when
// the registry does not hold them yet.
func (r *Registry) Planning(run *RunPlan) *Registry {
	c := *r
	c.run = run
	return &c
}

// Run is the plan set with Planning, nil when none was.
func (r *Registry) Run() *RunPlan { return r.run }
