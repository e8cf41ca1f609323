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
// version; the rules of the environment's policy (D7, D8, D6); and D5,
// from the deployment's or the policy's promote_from, when every served
// version is known. Warnings (a deprecated feature version) come back as
// problems of SeverityWarning.
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
	served, err := r.servedVersions(ctx, tx, d)
	if err != nil {
		return nil, err
	}
	ps := CheckServed(d.Name, r.env, served)
	gates, err := r.gatesOf(ctx, tx, served)
	if err != nil {
		return nil, err
	}
	ps = append(ps, CheckGates(d.Name, served, gates)...)
	policy, err := policyOf(ctx, tx, r.env)
	if err != nil {
		return nil, err
	}
	governed, err := r.checkGoverned(ctx, tx, d, served, policy)
	if err != nil {
		return nil, err
	}
	ps = append(ps, governed...)
	rollback, err := r.checkRollback(ctx, tx, d, policy)
	if err != nil {
		return nil, err
	}
	ps = append(ps, rollback...)
	supply, err := r.checkServedSupply(ctx, tx, d.Name, served)
	return append(ps, supply...), err
}

// servedVersions looks up the model versions d serves (main, canary,
// shadow); an id not known yet ("") gives a ServedVersion with only its
// role.
func (r *Registry) servedVersions(ctx context.Context, tx Tx, d Deployment) ([]ServedVersion, error) {
	ids, roles := d.Served(), d.ServedRoles()
	served := make([]ServedVersion, 0, len(ids))
	for i, id := range ids {
		s := ServedVersion{}
		if id != "" {
			var err error
			if s, err = r.servedVersion(ctx, tx, id); err != nil {
				return nil, err
			}
		}
		s.Role = roles[i]
		served = append(served, s)
	}
	return served, nil
}

// checkGoverned runs the rules of the environment's policy p on a
// deployment: D7, then (unless D7 refuses) D5 from the promote_from in
// effect, D8 and D6.
func (r *Registry) checkGoverned(ctx context.Context, tx Tx, d Deployment, served []ServedVersion, p EnvironmentPolicy) (Problems, error) {
	ps := CheckEnvironmentPromotion(d.Name, d.PromoteFrom, p)
	from := EffectivePromoteFrom(d.PromoteFrom, p)
	ids := d.Served()
	if from != "" && !ps.HasErrors() && !slices.Contains(ids, "") && ValidEnvironment(from) && from != r.env {
		src, err := r.promotionSource(ctx, tx, d.Name, from, ids)
		if err != nil {
			return nil, err
		}
		ps = append(ps, CheckPromotion(d.Name, r.env, served, src)...)
	}
	if len(p.RequiredGates) > 0 {
		suites := map[string]ValidationSuite{}
		for _, name := range p.RequiredGates {
			s, err := tx.Suite(ctx, r.env, name)
			if isNotFound(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
			suites[name] = s
		}
		ps = append(ps, CheckRequiredGates(d.Name, p, served, suites)...)
	}
	if p.RequireApproval {
		approvals, approved, err := r.approvalsOf(ctx, tx, served)
		if err != nil {
			return nil, err
		}
		ps = append(ps, CheckApprovals(d.Name, r.env, served, approvals, approved)...)
	}
	return ps, nil
}

// approvalsOf reads, for rule D6, the approvals of the served versions (by
// model version id) and the approved versions of the served models whose
// approval still holds (their artifact is the one approved).
func (r *Registry) approvalsOf(ctx context.Context, tx Tx, served []ServedVersion) (map[string]Approval, []Approval, error) {
	approvals := map[string]Approval{}
	var approved []Approval
	seen := map[string]bool{}
	for _, s := range served {
		if s.Version == nil {
			continue
		}
		a, err := tx.Approval(ctx, r.env, s.Version.Model, s.Version.Version)
		switch {
		case err == nil:
			approvals[s.ID] = a
		case !isNotFound(err):
			return nil, nil, err
		}
		if seen[s.Version.Model] {
			continue
		}
		seen[s.Version.Model] = true
		all, err := tx.Approvals(ctx, r.env, s.Version.Model)
		if err != nil {
			return nil, nil, err
		}
		for _, a := range all {
			if a.Status != ApprovalApproved {
				continue
			}
			model, version, err := ParseModelVersionID(a.ModelVersionID)
			if err != nil {
				continue
			}
			mv, err := tx.ModelVersion(ctx, r.env, model, version)
			if isNotFound(err) {
				continue
			}
			if err != nil {
				return nil, nil, err
			}
			if ApprovalMatches(a, mv) {
				approved = append(approved, a)
			}
		}
	}
	return approvals, approved, nil
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
	s := ServedVersion{ID: id, Found: map[string]FeatureVersion{}, Views: map[string]FeatureView{}}
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
	complete, err := r.presentFeatureVersions(ctx, tx, mv, s.Found, s.Views)
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
		ok, err := r.presentFeatureVersions(ctx, tx, o, map[string]FeatureVersion{}, map[string]FeatureView{})
		if err != nil {
			return s, err
		}
		if ok {
			s.Alternatives = append(s.Alternatives, o.ID())
		}
	}
	return s, nil
}

// presentFeatureVersions adds to found the feature versions mv reads that
// exist, directly or through a feature view, and to views the feature views
// it reads that exist, and reports whether all of them do.
func (r *Registry) presentFeatureVersions(ctx context.Context, tx Tx, mv ModelVersion, found map[string]FeatureVersion, views map[string]FeatureView) (bool, error) {
	complete, err := r.addFeatureVersions(ctx, tx, mv.FeatureVersionIDs, found)
	if err != nil {
		return false, err
	}
	for _, viewID := range mv.FeatureViewIDs {
		name, version, err := ParseFeatureViewID(viewID)
		if err != nil {
			return false, err
		}
		v, err := tx.FeatureView(ctx, r.env, name, version)
		if isNotFound(err) {
			complete = false
			continue
		}
		if err != nil {
			return false, err
		}
		views[viewID] = v
		ok, err := r.addFeatureVersions(ctx, tx, v.FeatureVersionIDs(), found)
		if err != nil {
			return false, err
		}
		complete = complete && ok
	}
	return complete, nil
}

// addFeatureVersions adds to found the feature versions of ids that exist
// and reports whether all of them do.
func (r *Registry) addFeatureVersions(ctx context.Context, tx Tx, ids []string, found map[string]FeatureVersion) (bool, error) {
	complete := true
	for _, fvID := range ids {
		if _, ok := found[fvID]; ok {
			continue
		}
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

// DeleteDeployment deletes a deployment, unless its environment is
// protected (D9). Deleting one that is already gone succeeds.
func (r *Registry) DeleteDeployment(ctx context.Context, name string, opts ...WriteOption) error {
	return r.deleteObject(ctx, opts, Ref{Kind: KindDeployment, ID: name},
		func(tx Tx) (any, int64, error) {
			d, err := tx.Deployment(ctx, r.env, name)
			return d, d.Revision, err
		},
		func(tx Tx, revision int64) error { return tx.DeleteDeployment(ctx, r.env, name, revision) })
}
