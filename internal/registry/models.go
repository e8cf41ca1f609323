package registry

import (
	"context"
	"fmt"
	"maps"
	"slices"
)

// Model reads a model of this environment.
func (r *Registry) Model(ctx context.Context, name string) (Model, error) {
	var m Model
	err := r.view(ctx, "model "+name, func(tx Tx) error {
		var err error
		m, err = tx.Model(ctx, r.env, name)
		return err
	})
	return m, err
}

// CreateModel creates a model. It refuses one that exists.
func (r *Registry) CreateModel(ctx context.Context, m Model) (Model, error) {
	if err := CheckModel(m).Err(); err != nil {
		return Model{}, err
	}
	m.CreatedAt = r.timestamp()
	m.Revision = 1
	err := r.write(ctx, KindModel, m.Name, "create", func(tx Tx) (any, any, error) {
		if _, err := tx.Model(ctx, r.env, m.Name); err == nil {
			return nil, nil, &AlreadyExistsError{Kind: KindModel, ID: m.Name, Environment: r.env}
		} else if !isNotFound(err) {
			return nil, nil, err
		}
		return nil, m, tx.InsertModel(ctx, r.env, m)
	})
	if err != nil {
		return Model{}, err
	}
	return m, nil
}

// UpdateModel changes a model's description and tags.
func (r *Registry) UpdateModel(ctx context.Context, m Model) (Model, error) {
	var out Model
	err := r.write(ctx, KindModel, m.Name, "update", func(tx Tx) (any, any, error) {
		prior, err := tx.Model(ctx, r.env, m.Name)
		if err != nil {
			return nil, nil, err
		}
		if err := checkRevision(KindModel, m.Name, r.env, m.Revision, prior.Revision); err != nil {
			return nil, nil, err
		}
		out = prior
		out.Description, out.Tags = m.Description, m.Tags
		out.Revision = prior.Revision + 1
		return prior, out, tx.UpdateModel(ctx, r.env, out)
	})
	if err != nil {
		return Model{}, err
	}
	return out, nil
}

// DeleteModel deletes a model that has no versions left (F2). Deleting one
// that is already gone succeeds.
func (r *Registry) DeleteModel(ctx context.Context, name string, opts ...WriteOption) error {
	return r.deleteObject(ctx, opts, Ref{Kind: KindModel, ID: name},
		func(tx Tx) (any, int64, error) {
			m, err := tx.Model(ctx, r.env, name)
			return m, m.Revision, err
		},
		func(tx Tx, revision int64) error { return tx.DeleteModel(ctx, r.env, name, revision) })
}

// ModelVersion reads a model version of this environment.
func (r *Registry) ModelVersion(ctx context.Context, model string, version int64) (ModelVersion, error) {
	var v ModelVersion
	err := r.view(ctx, "model version "+ModelVersionID(model, version), func(tx Tx) error {
		var err error
		v, err = tx.ModelVersion(ctx, r.env, model, version)
		return err
	})
	return v, err
}

// LatestModelVersion reads the highest version of a model.
func (r *Registry) LatestModelVersion(ctx context.Context, model string) (ModelVersion, error) {
	var latest ModelVersion
	err := r.view(ctx, "latest model version of "+model, func(tx Tx) error {
		if _, err := tx.Model(ctx, r.env, model); err != nil {
			return err
		}
		versions, err := tx.ModelVersions(ctx, r.env, model)
		if err != nil {
			return err
		}
		if len(versions) == 0 {
			return &NotFoundError{Kind: KindModelVersion, ID: model + "/<latest>", Environment: r.env}
		}
		latest = versions[len(versions)-1]
		return nil
	})
	return latest, err
}

// ModelVersionPlan is what plan knows of a model version. Unknown parts are
// left out: Model "" when the model id is unknown, FeatureVersionIDs and
// FeatureViewIDs hold the known ids only (AllFeatureVersionsKnown and
// AllFeatureViewsKnown say whether that is all of them), Inputs are checked
// only when InputsKnown.
type ModelVersionPlan struct {
	Model                   string
	Version                 int64
	FeatureVersionIDs       []string
	AllFeatureVersionsKnown bool
	FeatureViewIDs          []string
	AllFeatureViewsKnown    bool
	Inputs                  []Input
	InputsKnown             bool
}

// CheckModelVersionPlan runs at plan time the checks that need the
// registry: the model exists, M1 on every known feature version and feature
// view id, and M2 once all ids and the inputs are known. Warnings (a
// deprecated feature version) come back as problems of SeverityWarning.
func (r *Registry) CheckModelVersionPlan(ctx context.Context, p ModelVersionPlan) (Problems, error) {
	var ps Problems
	err := r.view(ctx, "plan model version", func(tx Tx) error {
		var err error
		ps, err = r.checkModelVersion(ctx, r.run.over(tx), p)
		return err
	})
	return ps, err
}

func (r *Registry) checkModelVersion(ctx context.Context, tx Tx, p ModelVersionPlan) (Problems, error) {
	var ps Problems
	id := ModelVersionID(p.Model, p.Version)
	if p.Model == "" {
		id = fmt.Sprintf("%d of the model this plan creates", p.Version)
	} else if _, err := tx.Model(ctx, r.env, p.Model); isNotFound(err) {
		ps.errorf("", Path{"model_id"}, "Model not found",
			"model %q does not exist in environment %q; create it first (an mlops_model resource, referenced through its id) or fix the id", p.Model, r.env)
	} else if err != nil {
		return nil, err
	}
	found := make(map[string]FeatureVersion, len(p.FeatureVersionIDs))
	known := true
	for _, fvID := range p.FeatureVersionIDs {
		group, version, err := ParseFeatureVersionID(fvID)
		if err != nil {
			continue // refused by CheckModelVersion
		}
		fv, err := tx.FeatureVersion(ctx, r.env, group, version)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if fv.Features == nil {
			known = false // planned in this run, its features not known yet
		}
		found[fvID] = fv
	}
	views := make(map[string]FeatureView, len(p.FeatureViewIDs))
	for _, viewID := range p.FeatureViewIDs {
		name, version, err := ParseFeatureViewID(viewID)
		if err != nil {
			continue // refused by CheckModelVersion
		}
		v, err := tx.FeatureView(ctx, r.env, name, version)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if v.Schema == nil {
			known = false // planned in this run, its schema not known yet
		}
		views[viewID] = v
	}
	ps = append(ps, CheckFeatureVersionsPresent(id, r.env, p.FeatureVersionIDs, found)...)
	ps = append(ps, CheckFeatureViewsPresent(id, r.env, p.FeatureViewIDs, views)...)
	if known && p.AllFeatureVersionsKnown && p.AllFeatureViewsKnown && p.InputsKnown && len(p.Inputs) > 0 &&
		len(found) == len(p.FeatureVersionIDs) && len(views) == len(p.FeatureViewIDs) {
		versions := make([]FeatureVersion, 0, len(found))
		for _, fvID := range slices.Sorted(maps.Keys(found)) {
			versions = append(versions, found[fvID])
		}
		read := make([]FeatureView, 0, len(views))
		for _, viewID := range slices.Sorted(maps.Keys(views)) {
			read = append(read, views[viewID])
		}
		ps = append(ps, CheckInputs(id, p.Inputs, versions, read)...)
	}
	return ps, nil
}

// CreateModelVersion registers a model version: the model exists and the
// lineage holds (M1, M2).
func (r *Registry) CreateModelVersion(ctx context.Context, v ModelVersion) (ModelVersion, error) {
	v.FeatureVersionIDs = append([]string{}, SortedIDs(v.FeatureVersionIDs)...) // never nil, as read back
	v.FeatureViewIDs = nilIfEmpty(SortedIDs(v.FeatureViewIDs))
	if err := CheckModelVersion(v).Err(); err != nil {
		return ModelVersion{}, err
	}
	v.Inputs = canonicalInputs(v.Inputs)
	v.CreatedAt = r.timestamp()
	v.Revision = 1
	err := r.write(ctx, KindModelVersion, v.ID(), "create", func(tx Tx) (any, any, error) {
		if _, err := tx.ModelVersion(ctx, r.env, v.Model, v.Version); err == nil {
			return nil, nil, &AlreadyExistsError{Kind: KindModelVersion, ID: v.ID(), Environment: r.env}
		} else if !isNotFound(err) {
			return nil, nil, err
		}
		ps, err := r.checkModelVersion(ctx, tx, ModelVersionPlan{
			Model: v.Model, Version: v.Version,
			FeatureVersionIDs: v.FeatureVersionIDs, AllFeatureVersionsKnown: true,
			FeatureViewIDs: v.FeatureViewIDs, AllFeatureViewsKnown: true,
			Inputs: v.Inputs, InputsKnown: true,
		})
		if err != nil {
			return nil, nil, err
		}
		if err := ps.Err(); err != nil {
			return nil, nil, err
		}
		return nil, v, tx.InsertModelVersion(ctx, r.env, v)
	})
	if err != nil {
		return ModelVersion{}, err
	}
	return v, nil
}

// UpdateModelVersion changes a model version's metrics, description and
// tags, and the spelling of its inputs' types. What it was trained on
// (artifact, feature versions, inputs) never changes in place.
func (r *Registry) UpdateModelVersion(ctx context.Context, v ModelVersion) (ModelVersion, error) {
	if err := CheckMetrics(v.Metrics).Err(); err != nil {
		return ModelVersion{}, err
	}
	var out ModelVersion
	err := r.write(ctx, KindModelVersion, v.ID(), "update", func(tx Tx) (any, any, error) {
		prior, err := tx.ModelVersion(ctx, r.env, v.Model, v.Version)
		if err != nil {
			return nil, nil, err
		}
		if err := checkRevision(KindModelVersion, v.ID(), r.env, v.Revision, prior.Revision); err != nil {
			return nil, nil, err
		}
		if prior.ArtifactURI != v.ArtifactURI || prior.ArtifactDigest != v.ArtifactDigest ||
			!slices.Equal(prior.FeatureVersionIDs, SortedIDs(v.FeatureVersionIDs)) || !slices.Equal(prior.FeatureViewIDs, nilIfEmpty(SortedIDs(v.FeatureViewIDs))) ||
			!InputsEquivalent(prior.Inputs, v.Inputs) {
			var ps Problems
			ps.errorf("", nil, "Model version cannot change in place",
				"model version %s: its artifact, feature versions, feature views and inputs are what it was trained on and never change; register a new version instead", v.ID())
			return nil, nil, ps.Err()
		}
		out = prior
		out.Metrics, out.Description, out.Tags = v.Metrics, v.Description, v.Tags
		out.Inputs = canonicalInputs(v.Inputs) // at most the spelling of a type changed
		out.Revision = prior.Revision + 1
		return prior, out, tx.UpdateModelVersion(ctx, r.env, out)
	})
	if err != nil {
		return ModelVersion{}, err
	}
	return out, nil
}

// DeleteModelVersion deletes a model version that nothing references (F2).
// Deleting one that is already gone succeeds.
func (r *Registry) DeleteModelVersion(ctx context.Context, model string, version int64, opts ...WriteOption) error {
	return r.deleteObject(ctx, opts, Ref{Kind: KindModelVersion, ID: ModelVersionID(model, version)},
		func(tx Tx) (any, int64, error) {
			v, err := tx.ModelVersion(ctx, r.env, model, version)
			return v, v.Revision, err
		},
		func(tx Tx, revision int64) error { return tx.DeleteModelVersion(ctx, r.env, model, version, revision) })
}
