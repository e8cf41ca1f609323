package registry

import (
	"context"
	"slices"
)

// Deployment reads a deployment of this environment.
func (r *Registry) Deployment(ctx context.Context, name string) (Deployment, error) {
	var d Deployment
	err := r.view(ctx, "deployment "+name, func(tx Tx) error {
		var err error
		d, err = tx.Deployment(ctx, r.env, name)
		return err
	})
	return d, err
}

// CheckDeploymentPlan runs at plan time the checks that need the registry,
// on what plan knows: fields not known yet are "" (a canary whose version is
// unknown has ModelVersion ""). D1, D2 and D3 for each known served
// version, and D5 when promote_from and every served version are known. Warnings (a
// deprecated feature version) come back as problems of SeverityWarning.
func (r *Registry) CheckDeploymentPlan(ctx context.Context, d Deployment) (Problems, error) {
	var ps Problems
	err := r.view(ctx, "plan deployment "+d.Name, func(tx Tx) error {
		var err error
		ps, err = r.checkDeployment(ctx, r.run.over(tx), d)
		return err
	})
	return ps, err
}

// checkDeployment is shared by plan and write.
func (r *Registry) checkDeployment(ctx context.Context, tx Tx, d Deployment) (Problems, error) {
	ids := d.Served()
	allKnown := !slices.Contains(ids, "")
	served := make([]ServedVersion, 0, len(ids))
	for _, id := range ids {
		if id == "" {
			served = append(served, ServedVersion{})
			continue
		}
		s, err := r.servedVersion(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		served = append(served, s)
	}
	ps := CheckServed(d.Name, r.env, served)
	gates, err := r.gatesOf(ctx, tx, served)
	if err != nil {
		return nil, err
	}
	ps = append(ps, CheckGates(d.Name, served, gates)...)
	if d.PromoteFrom != "" && allKnown && ValidEnvironment(d.PromoteFrom) && d.PromoteFrom != r.env {
		src, err := r.promotionSource(ctx, tx, d.Name, d.PromoteFrom, ids)
		if err != nil {
			return nil, err
		}
		ps = append(ps, CheckPromotion(d.Name, r.env, served, src)...)
	}
	return ps, nil
}

// gatesOf reads the model suites (release gates) of the served models.
func (r *Registry) gatesOf(ctx context.Context, tx Tx, served []ServedVersion) ([]ValidationSuite, error) {
	var suites []ValidationSuite
	seen := map[string]bool{}
	for _, s := range served {
		if s.Version == nil || seen[s.Version.Model] {
			continue
		}
		seen[s.Version.Model] = true
		more, err := tx.SuitesFor(ctx, r.env, Ref{Kind: KindModel, ID: s.Version.Model})
		if err != nil {
			return nil, err
		}
		suites = append(suites, more...)
	}
	return suites, nil
}

// servedVersion looks up a model version and its feature versions.
func (r *Registry) servedVersion(ctx context.Context, tx Tx, id string) (ServedVersion, error) {
	s := ServedVersion{ID: id, Found: map[string]FeatureVersion{}}
	model, version, err := ParseModelVersionID(id)
	if err != nil {
		return s, nil //nolint:nilerr // a malformed id is refused by CheckDeployment, not here
	}
	mv, err := tx.ModelVersion(ctx, r.env, model, version)
	if isNotFound(err) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	s.Version = &mv
	complete, err := r.presentFeatureVersions(ctx, tx, mv, s.Found)
	if err != nil || complete {
		return s, err
	}
	// D2 will refuse it: find the versions of the model that could be served.
	others, err := tx.ModelVersions(ctx, r.env, model)
	if err != nil {
		return s, err
	}
	for _, o := range others {
		if o.Version == version {
			continue
		}
		ok, err := r.presentFeatureVersions(ctx, tx, o, map[string]FeatureVersion{})
		if err != nil {
			return s, err
		}
		if ok {
			s.Alternatives = append(s.Alternatives, o.ID())
		}
	}
	return s, nil
}

// presentFeatureVersions adds to found the feature versions of mv that exist
// and reports whether all of them do.
func (r *Registry) presentFeatureVersions(ctx context.Context, tx Tx, mv ModelVersion, found map[string]FeatureVersion) (bool, error) {
	complete := true
	for _, fvID := range mv.FeatureVersionIDs {
		group, version, err := ParseFeatureVersionID(fvID)
		if err != nil {
			return false, err
		}
		fv, err := tx.FeatureVersion(ctx, r.env, group, version)
		if isNotFound(err) {
			complete = false
			continue
		}
		if err != nil {
			return false, err
		}
		found[fvID] = fv
	}
	return complete, nil
}

// promotionSource reads what environment env holds for rule D5.
func (r *Registry) promotionSource(ctx context.Context, tx Tx, name, env string, ids []string) (PromotionSource, error) {
	src := PromotionSource{Environment: env, Versions: map[string]ModelVersion{}}
	d, err := tx.Deployment(ctx, env, name)
	if isNotFound(err) {
		return src, nil
	}
	if err != nil {
		return src, err
	}
	src.Deployment = &d
	for _, id := range ids {
		model, version, err := ParseModelVersionID(id)
		if err != nil {
			continue
		}
		mv, err := tx.ModelVersion(ctx, env, model, version)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return src, err
		}
		src.Versions[id] = mv
	}
	return src, nil
}

// CreateDeployment creates a deployment; D1, D2, D4 and D5 hold or nothing
// is written.
func (r *Registry) CreateDeployment(ctx context.Context, d Deployment) (Deployment, error) {
	if err := CheckDeployment(d, r.env).Err(); err != nil {
		return Deployment{}, err
	}
	d.CreatedAt = r.timestamp()
	d.UpdatedAt = d.CreatedAt
	d.Revision = 1
	err := r.write(ctx, KindDeployment, d.Name, "create", func(tx Tx) (any, any, error) {
		if _, err := tx.Deployment(ctx, r.env, d.Name); err == nil {
			return nil, nil, &AlreadyExistsError{Kind: KindDeployment, ID: d.Name, Environment: r.env}
		} else if !isNotFound(err) {
			return nil, nil, err
		}
		if err := r.checkDeploymentErr(ctx, tx, d); err != nil {
			return nil, nil, err
		}
		return nil, d, tx.InsertDeployment(ctx, r.env, d)
	})
	if err != nil {
		return Deployment{}, err
	}
	return d, nil
}

// UpdateDeployment changes what a deployment serves, its replicas and its
// promotion source, under the same rules as a create.
func (r *Registry) UpdateDeployment(ctx context.Context, d Deployment) (Deployment, error) {
	if err := CheckDeployment(d, r.env).Err(); err != nil {
		return Deployment{}, err
	}
	var out Deployment
	err := r.write(ctx, KindDeployment, d.Name, "update", func(tx Tx) (any, any, error) {
		prior, err := tx.Deployment(ctx, r.env, d.Name)
		if err != nil {
			return nil, nil, err
		}
		if err := checkRevision(KindDeployment, d.Name, r.env, d.Revision, prior.Revision); err != nil {
			return nil, nil, err
		}
		if err := r.checkDeploymentErr(ctx, tx, d); err != nil {
			return nil, nil, err
		}
		out = d
		out.CreatedAt = prior.CreatedAt
		out.UpdatedAt = r.timestamp()
		out.Revision = prior.Revision + 1
		return prior, out, tx.UpdateDeployment(ctx, r.env, out)
	})
	if err != nil {
		return Deployment{}, err
	}
	return out, nil
}

func (r *Registry) checkDeploymentErr(ctx context.Context, tx Tx, d Deployment) error {
	ps, err := r.checkDeployment(ctx, tx, d)
	if err != nil {
		return err
	}
	return ps.Err()
}

// DeleteDeployment deletes a deployment. Deleting one that is already gone
// succeeds.
func (r *Registry) DeleteDeployment(ctx context.Context, name string, opts ...WriteOption) error {
	return r.deleteObject(ctx, opts, Ref{Kind: KindDeployment, ID: name},
		func(tx Tx) (any, int64, error) {
			d, err := tx.Deployment(ctx, r.env, name)
			return d, d.Revision, err
		},
		func(tx Tx, revision int64) error { return tx.DeleteDeployment(ctx, r.env, name, revision) })
}
