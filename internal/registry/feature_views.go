package registry

import "context"

// FeatureView reads a feature view of this environment.
func (r *Registry) FeatureView(ctx context.Context, name string, version int64) (FeatureView, error) {
	var v FeatureView
	err := r.view(ctx, "feature view "+FeatureViewID(name, version), func(tx Tx) error {
		var err error
		v, err = tx.FeatureView(ctx, r.env, name, version)
		return err
	})
	return v, err
}

// LatestFeatureView reads the highest version of a feature view.
func (r *Registry) LatestFeatureView(ctx context.Context, name string) (FeatureView, error) {
	var latest FeatureView
	err := r.view(ctx, "latest feature view "+name, func(tx Tx) error {
		v, err := tx.LatestFeatureView(ctx, r.env, name)
		latest = v
		return err
	})
	return latest, err
}

// FeatureViewPlan is what plan knows of a feature view: View with the
// parts not known yet zero (a source's FeatureVersionID ""), and Known
// false when its sources or labels are not all known (then only the known
// feature version ids are looked up).
type FeatureViewPlan struct {
	View  FeatureView
	Known bool
}

// CheckFeatureViewPlan runs rule FV1 at plan on what is known, and returns
// the view's schema when it follows already (every source's feature
// version is in the registry, or planned with known features). A feature
// version this plan creates with features not known yet defers FV1 to
// apply.
func (r *Registry) CheckFeatureViewPlan(ctx context.Context, p FeatureViewPlan) ([]Feature, Problems, error) {
	var (
		schema []Feature
		ps     Problems
	)
	err := r.view(ctx, "plan feature view", func(tx Tx) error {
		var err error
		schema, ps, err = r.checkFeatureView(ctx, r.run.over(tx), p)
		return err
	})
	return schema, ps, err
}

// checkFeatureView is shared by plan and write.
func (r *Registry) checkFeatureView(ctx context.Context, tx Tx, p FeatureViewPlan) ([]Feature, Problems, error) {
	v := p.View
	versions := make([]*FeatureVersion, len(v.Sources))
	deferred := !p.Known
	for i, s := range v.Sources {
		if s.FeatureVersionID == "" {
			deferred = true
			continue
		}
		group, version, err := ParseFeatureVersionID(s.FeatureVersionID)
		if err != nil {
			deferred = true // refused by CheckFeatureView
			continue
		}
		fv, err := tx.FeatureVersion(ctx, r.env, group, version)
		switch {
		case isNotFound(err):
			continue
		case err != nil:
			return nil, nil, err
		case fv.Features == nil:
			deferred = true // planned in this run, its features not known yet
			versions[i] = &fv
		default:
			versions[i] = &fv
		}
	}
	if deferred {
		return nil, CheckFeatureViewSourcesPresent(v, r.env, versions), nil
	}
	schema, ps := CheckFeatureViewSources(v, r.env, versions)
	return schema, ps, nil
}

// checkedFeatureView runs FV1 in a write and returns the view with its
// schema, or the refusal.
func (r *Registry) checkedFeatureView(ctx context.Context, tx Tx, v FeatureView) (FeatureView, error) {
	schema, ps, err := r.checkFeatureView(ctx, tx, FeatureViewPlan{View: v, Known: true})
	if err != nil {
		return v, err
	}
	if err := ps.Err(); err != nil {
		return v, err
	}
	v.Schema = schema
	v.SchemaHash = SchemaHash(schema)
	return v, nil
}

// CreateFeatureView creates a feature view and computes its schema (FV1).
// It refuses one that exists.
func (r *Registry) CreateFeatureView(ctx context.Context, v FeatureView) (FeatureView, error) {
	if err := CheckFeatureView(v).Err(); err != nil {
		return FeatureView{}, err
	}
	v.CreatedAt = r.timestamp()
	v.Revision = 1
	err := r.write(ctx, KindFeatureView, v.ID(), "create", func(tx Tx) (any, any, error) {
		if _, err := tx.FeatureView(ctx, r.env, v.Name, v.Version); err == nil {
			return nil, nil, &AlreadyExistsError{Kind: KindFeatureView, ID: v.ID(), Environment: r.env}
		} else if !isNotFound(err) {
			return nil, nil, err
		}
		var err error
		if v, err = r.checkedFeatureView(ctx, tx, v); err != nil {
			return nil, nil, err
		}
		return nil, v, tx.InsertFeatureView(ctx, r.env, v)
	})
	if err != nil {
		return FeatureView{}, err
	}
	return v, nil
}

// UpdateFeatureView changes a feature view's description and tags. Its
// sources and labels never change in place (a new version is declared).
func (r *Registry) UpdateFeatureView(ctx context.Context, v FeatureView) (FeatureView, error) {
	var out FeatureView
	err := r.write(ctx, KindFeatureView, v.ID(), "update", func(tx Tx) (any, any, error) {
		prior, err := tx.FeatureView(ctx, r.env, v.Name, v.Version)
		if err != nil {
			return nil, nil, err
		}
		if err := checkRevision(KindFeatureView, v.ID(), r.env, v.Revision, prior.Revision); err != nil {
			return nil, nil, err
		}
		if err := CheckFeatureViewChange(prior, v).Err(); err != nil {
			return nil, nil, err
		}
		out = prior
		out.Description, out.Tags = v.Description, v.Tags
		out.Revision = prior.Revision + 1
		return prior, out, tx.UpdateFeatureView(ctx, r.env, out)
	})
	if err != nil {
		return FeatureView{}, err
	}
	return out, nil
}

// DeleteFeatureView deletes a feature view that no model version reads
// (F2). Deleting one that is already gone succeeds.
func (r *Registry) DeleteFeatureView(ctx context.Context, name string, version int64, opts ...WriteOption) error {
	return r.deleteObject(ctx, opts, Ref{Kind: KindFeatureView, ID: FeatureViewID(name, version)},
		func(tx Tx) (any, int64, error) {
			v, err := tx.FeatureView(ctx, r.env, name, version)
			return v, v.Revision, err
		},
		func(tx Tx, revision int64) error { return tx.DeleteFeatureView(ctx, r.env, name, version, revision) })
}
