package registry

import "context"

// ModelAlias reads an alias of a model of this environment.
func (r *Registry) ModelAlias(ctx context.Context, model, name string) (ModelAlias, error) {
	var a ModelAlias
	err := r.view(ctx, "model alias "+ModelAliasID(model, name), func(tx Tx) error {
		var err error
		a, err = tx.ModelAlias(ctx, r.env, model, name)
		return err
	})
	return a, err
}

// CheckModelAliasPlan runs at plan time the checks that need the registry
// (A1: the version exists, or this plan creates it). A ModelVersionID not
// known yet ("") is checked at apply.
func (r *Registry) CheckModelAliasPlan(ctx context.Context, a ModelAlias) (Problems, error) {
	var ps Problems
	err := r.view(ctx, "plan model alias", func(tx Tx) error {
		var err error
		ps, err = r.checkModelAlias(ctx, r.run.over(tx), a)
		return err
	})
	return ps, err
}

func (r *Registry) checkModelAlias(ctx context.Context, tx Tx, a ModelAlias) (Problems, error) {
	ps := CheckModelAlias(a)
	if ps.HasErrors() || a.ModelVersionID == "" {
		return ps, nil
	}
	model, version, err := ParseModelVersionID(a.ModelVersionID) // accepted by CheckModelAlias
	if err != nil {
		return nil, err
	}
	_, err = tx.ModelVersion(ctx, r.env, model, version)
	if err != nil && !isNotFound(err) {
		return nil, err
	}
	return append(ps, CheckAliasTarget(a, r.env, err == nil)...), nil
}

// checkedAlias runs the alias's checks in a write and returns the refusal.
func (r *Registry) checkedAlias(ctx context.Context, tx Tx, a ModelAlias) error {
	ps, err := r.checkModelAlias(ctx, tx, a)
	if err != nil {
		return err
	}
	return ps.Err()
}

// CreateModelAlias creates an alias pointing at a version of its model
// (A1). It refuses one that exists.
func (r *Registry) CreateModelAlias(ctx context.Context, a ModelAlias) (ModelAlias, error) {
	if err := CheckModelAlias(a).Err(); err != nil {
		return ModelAlias{}, err
	}
	a.UpdatedAt = r.timestamp()
	a.Revision = 1
	err := r.write(ctx, KindModelAlias, a.ID(), "create", func(tx Tx) (any, any, error) {
		if _, err := tx.ModelAlias(ctx, r.env, a.Model, a.Name); err == nil {
			return nil, nil, &AlreadyExistsError{Kind: KindModelAlias, ID: a.ID(), Environment: r.env}
		} else if !isNotFound(err) {
			return nil, nil, err
		}
		if err := r.checkedAlias(ctx, tx, a); err != nil {
			return nil, nil, err
		}
		return nil, a, tx.InsertModelAlias(ctx, r.env, a)
	})
	if err != nil {
		return ModelAlias{}, err
	}
	return a, nil
}

// UpdateModelAlias moves an alias to another version of its model (A1) and
// changes its description.
func (r *Registry) UpdateModelAlias(ctx context.Context, a ModelAlias) (ModelAlias, error) {
	if err := CheckModelAlias(a).Err(); err != nil {
		return ModelAlias{}, err
	}
	var out ModelAlias
	err := r.write(ctx, KindModelAlias, a.ID(), "update", func(tx Tx) (any, any, error) {
		prior, err := tx.ModelAlias(ctx, r.env, a.Model, a.Name)
		if err != nil {
			return nil, nil, err
		}
		if err := checkRevision(KindModelAlias, a.ID(), r.env, a.Revision, prior.Revision); err != nil {
			return nil, nil, err
		}
		if err := r.checkedAlias(ctx, tx, a); err != nil {
			return nil, nil, err
		}
		out = prior
		out.ModelVersionID, out.Description = a.ModelVersionID, a.Description
		out.UpdatedAt = r.timestamp()
		out.Revision = prior.Revision + 1
		return prior, out, tx.UpdateModelAlias(ctx, r.env, out)
	})
	if err != nil {
		return ModelAlias{}, err
	}
	return out, nil
}

// DeleteModelAlias deletes an alias. Deleting one that is already gone
// succeeds.
func (r *Registry) DeleteModelAlias(ctx context.Context, model, name string, opts ...WriteOption) error {
	return r.deleteObject(ctx, opts, Ref{Kind: KindModelAlias, ID: ModelAliasID(model, name)},
		func(tx Tx) (any, int64, error) {
			a, err := tx.ModelAlias(ctx, r.env, model, name)
			return a, a.Revision, err
		},
		func(tx Tx, revision int64) error { return tx.DeleteModelAlias(ctx, r.env, model, name, revision) })
}
