package registry

import (
	"context"
	"time"
)

// Pipeline is a job of the ML system that reads and writes registry
// objects: a feature pipeline writes feature versions, a training pipeline
// reads features and writes versions of a model, an inference pipeline
// reads a deployment. The registry does not run it: it records what it
// reads and writes, so that rules D10 and D11 can tell whether the
// features a model reads are still being written.
type Pipeline struct {
	Name string `json:"name"`
	// Kind is PipelineFeature, PipelineTraining or PipelineInference.
	Kind    string `json:"kind"`
	Enabled bool   `json:"enabled"`
	// Schedule is a cron expression of five fields; "" for none.
	Schedule    string            `json:"schedule,omitempty"`
	Code        *PipelineCode     `json:"code,omitempty"`
	Reads       PipelineReads     `json:"reads"`
	Writes      PipelineWrites    `json:"writes"`
	Description string            `json:"description,omitempty"`
	Tags        map[string]string `json:"tags"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
	Revision    int64             `json:"revision"`
}

// PipelineCode is where a pipeline's code lives; "" fields are unset.
type PipelineCode struct {
	Repository string `json:"repository,omitempty"`
	Ref        string `json:"ref,omitempty"`
	Image      string `json:"image,omitempty"`
}

// PipelineReads is what a pipeline reads. Lists are sorted, nil when
// empty.
type PipelineReads struct {
	FeatureVersionIDs []string `json:"feature_version_ids,omitempty"`
	FeatureViewIDs    []string `json:"feature_view_ids,omitempty"`
	DeploymentID      string   `json:"deployment_id,omitempty"`
}

// PipelineWrites is what a pipeline writes. The list is sorted, nil when
// empty.
type PipelineWrites struct {
	FeatureVersionIDs []string `json:"feature_version_ids,omitempty"`
	ModelID           string   `json:"model_id,omitempty"`
}

// ID is the pipeline's id: its name.
func (p Pipeline) ID() string { return p.Name }

// Feeds reports whether p keeps feature version fvID updating: an enabled
// feature pipeline that writes it.
func (p Pipeline) Feeds(fvID string) bool {
	if !p.Enabled || p.Kind != PipelineFeature {
		return false
	}
	for _, id := range p.Writes.FeatureVersionIDs {
		if id == fvID {
			return true
		}
	}
	return false
}

// ReadRefs lists the objects p reads, as far as known.
func (p Pipeline) ReadRefs() []Ref {
	return append(append(refs(KindFeatureVersion, nonEmpty(p.Reads.FeatureVersionIDs...)),
		refs(KindFeatureView, nonEmpty(p.Reads.FeatureViewIDs...))...),
		refs(KindDeployment, nonEmpty(p.Reads.DeploymentID))...)
}

// WriteRefs lists the objects p writes, as far as known.
func (p Pipeline) WriteRefs() []Ref {
	return append(refs(KindFeatureVersion, nonEmpty(p.Writes.FeatureVersionIDs...)), refs(KindModel, nonEmpty(p.Writes.ModelID))...)
}

// Names lists the objects p reads and writes, as far as known.
func (p Pipeline) Names() []Ref { return append(p.ReadRefs(), p.WriteRefs()...) }

// nonEmpty leaves out the ids not known yet ("").
func nonEmpty(ids ...string) []string {
	var out []string
	for _, id := range ids {
		if id != "" {
			out = append(out, id)
		}
	}
	return out
}

// normalPipeline is p as the registry keeps it: lists sorted, empty ones
// nil.
func normalPipeline(p Pipeline) Pipeline {
	norm := func(ids []string) []string {
		if len(ids) == 0 {
			return nil
		}
		return SortedIDs(ids)
	}
	p.Reads.FeatureVersionIDs = norm(p.Reads.FeatureVersionIDs)
	p.Reads.FeatureViewIDs = norm(p.Reads.FeatureViewIDs)
	p.Writes.FeatureVersionIDs = norm(p.Writes.FeatureVersionIDs)
	if p.Code != nil && *p.Code == (PipelineCode{}) {
		p.Code = nil
	}
	return p
}

// Pipeline reads a pipeline of this environment.
func (r *Registry) Pipeline(ctx context.Context, name string) (Pipeline, error) {
	var p Pipeline
	err := r.view(ctx, "pipeline "+name, func(tx Tx) error {
		var err error
		p, err = tx.Pipeline(ctx, r.env, name)
		return err
	})
	return p, err
}

// PipelineChange is what plan knows of a pipeline it creates, changes,
// replaces or deletes. Next is the pipeline as planned (unknown ids "",
// unknown lists holding ""), nil when the plan deletes it; Prior names the
// one in state (the registry holds the rest), nil on create. A replaced
// pipeline is deleted, then created as Next.
type PipelineChange struct {
	Prior   *Pipeline
	Next    *Pipeline
	Replace bool
}

// CheckPipelinePlan runs at plan time the checks that need the registry:
// P1 (everything the pipeline names exists in the environment, or this
// plan creates it) for the pipeline as planned, and D10 for what the
// change stops writing (a pipeline disabled, deleted, or no longer writing
// a feature version that a deployment's rollback version reads), with
// D11's warning for the served versions that read it.
func (r *Registry) CheckPipelinePlan(ctx context.Context, c PipelineChange) (Problems, error) {
	var ps Problems
	err := r.view(ctx, "plan pipeline", func(tx Tx) error {
		tx = r.run.over(tx)
		if c.Next != nil {
			more, err := r.checkPipelineRefs(ctx, tx, *c.Next)
			if err != nil {
				return err
			}
			ps = append(ps, more...)
		}
		if c.Prior == nil {
			return nil
		}
		prior, err := tx.Pipeline(ctx, r.env, c.Prior.Name)
		if isNotFound(err) {
			return nil // gone behind Terraform's back: nothing stops being written
		}
		if err != nil {
			return err
		}
		next := c.Next
		if c.Replace {
			next = nil
		}
		more, err := r.checkSupplyLoss(ctx, tx, PipelineSupplyChange(prior, next))
		ps = append(ps, more...)
		return err
	})
	return ps, err
}

// checkPipelineRefs is P1's second half, shared by plan and write.
func (r *Registry) checkPipelineRefs(ctx context.Context, tx Tx, p Pipeline) (Problems, error) {
	refs := PipelineRefs{Found: map[objectKey]bool{}}
	for _, ref := range p.Names() {
		found, err := r.exists(ctx, tx, ref)
		if err != nil {
			return nil, err
		}
		refs.Found[keyOf(ref)] = found
	}
	return CheckPipelineRefs(p, r.env, refs), nil
}

// exists reports whether the environment holds the object ref names (a
// feature version, a feature view, a deployment or a model).
func (r *Registry) exists(ctx context.Context, tx Tx, ref Ref) (bool, error) {
	var err error
	switch ref.Kind {
	case KindFeatureVersion:
		group, version, perr := ParseFeatureVersionID(ref.ID)
		if perr != nil {
			return false, nil //nolint:nilerr // a malformed id is refused by CheckPipeline
		}
		_, err = tx.FeatureVersion(ctx, r.env, group, version)
	case KindDeployment:
		_, err = tx.Deployment(ctx, r.env, ref.ID)
	case KindModel:
		_, err = tx.Model(ctx, r.env, ref.ID)
	case KindFeatureView:
		name, version, perr := ParseFeatureViewID(ref.ID)
		if perr != nil {
			return false, nil //nolint:nilerr // a malformed id is refused by CheckPipeline
		}
		_, err = tx.FeatureView(ctx, r.env, name, version)
	default:
		return false, nil
	}
	if isNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// checkedPipeline runs a pipeline's checks in a write: P1, and D10 for
// what the change from prior (nil on create) stops writing.
func (r *Registry) checkedPipeline(ctx context.Context, tx Tx, prior *Pipeline, p Pipeline) error {
	ps, err := r.checkPipelineRefs(ctx, tx, p)
	if err != nil {
		return err
	}
	if prior != nil {
		more, err := r.checkSupplyLoss(ctx, tx, PipelineSupplyChange(*prior, &p))
		if err != nil {
			return err
		}
		ps = append(ps, more...)
	}
	return ps.Err()
}

// CreatePipeline creates a pipeline (P1).
func (r *Registry) CreatePipeline(ctx context.Context, p Pipeline) (Pipeline, error) {
	p = normalPipeline(p)
	if err := CheckPipeline(p).Err(); err != nil {
		return Pipeline{}, err
	}
	p.CreatedAt = r.timestamp()
	p.UpdatedAt = p.CreatedAt
	p.Revision = 1
	err := r.write(ctx, KindPipeline, p.Name, "create", func(tx Tx) (any, any, error) {
		if _, err := tx.Pipeline(ctx, r.env, p.Name); err == nil {
			return nil, nil, &AlreadyExistsError{Kind: KindPipeline, ID: p.Name, Environment: r.env}
		} else if !isNotFound(err) {
			return nil, nil, err
		}
		if err := r.checkedPipeline(ctx, tx, nil, p); err != nil {
			return nil, nil, err
		}
		return nil, p, tx.InsertPipeline(ctx, r.env, p)
	})
	if err != nil {
		return Pipeline{}, err
	}
	return p, nil
}

// UpdatePipeline changes a pipeline in place (P1), unless the change stops
// writing a feature version that a deployment's rollback version reads
// (D10).
func (r *Registry) UpdatePipeline(ctx context.Context, p Pipeline) (Pipeline, error) {
	p = normalPipeline(p)
	if err := CheckPipeline(p).Err(); err != nil {
		return Pipeline{}, err
	}
	var out Pipeline
	err := r.write(ctx, KindPipeline, p.Name, "update", func(tx Tx) (any, any, error) {
		prior, err := tx.Pipeline(ctx, r.env, p.Name)
		if err != nil {
			return nil, nil, err
		}
		if err := checkRevision(KindPipeline, p.Name, r.env, p.Revision, prior.Revision); err != nil {
			return nil, nil, err
		}
		if err := r.checkedPipeline(ctx, tx, &prior, p); err != nil {
			return nil, nil, err
		}
		out = p
		out.CreatedAt = prior.CreatedAt
		out.UpdatedAt = r.timestamp()
		out.Revision = prior.Revision + 1
		return prior, out, tx.UpdatePipeline(ctx, r.env, out)
	})
	if err != nil {
		return Pipeline{}, err
	}
	return out, nil
}

// DeletePipeline deletes a pipeline, unless it is the last enabled writer
// of a feature version that a deployment's rollback version reads (D10).
// Deleting one that is already gone succeeds.
func (r *Registry) DeletePipeline(ctx context.Context, name string, opts ...WriteOption) error {
	return r.deleteObject(ctx, opts, Ref{Kind: KindPipeline, ID: name},
		func(tx Tx) (any, int64, error) {
			p, err := tx.Pipeline(ctx, r.env, name)
			return p, p.Revision, err
		},
		func(tx Tx, revision int64) error { return tx.DeletePipeline(ctx, r.env, name, revision) })
}
