package registry

import (
	"context"
	"slices"
)

// This file loads what rules D10 and D11 decide on (rules_rollback.go):
// the feature versions a model version reads and the enabled feature
// pipelines that write them, and the deployments that fall back to or
// serve the model versions reading a feature version.

// featureVersionsRead lists the feature versions model version mv reads,
// directly or through its feature views, sorted. It is the one place that
// says how a model version reads features: the other direction is
// modelVersionsReading. A view the environment lacks reads nothing here
// (D2 refuses it).
func (r *Registry) featureVersionsRead(ctx context.Context, tx Tx, mv ModelVersion) ([]string, error) {
	ids := slices.Clone(mv.FeatureVersionIDs)
	for _, viewID := range mv.FeatureViewIDs {
		name, version, err := ParseFeatureViewID(viewID)
		if err != nil {
			return nil, err
		}
		v, err := tx.FeatureView(ctx, r.env, name, version)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		ids = append(ids, v.FeatureVersionIDs()...)
	}
	return SortedIDs(ids), nil
}

// modelVersionsReading lists the model versions that read feature version
// fvID, directly or through a feature view, sorted: the reverse of
// featureVersionsRead.
func (r *Registry) modelVersionsReading(ctx context.Context, tx Tx, fvID string) ([]string, error) {
	ids, err := tx.ModelVersionsReading(ctx, r.env, fvID)
	if err != nil {
		return nil, err
	}
	views, err := tx.FeatureViewsReading(ctx, r.env, fvID)
	if err != nil {
		return nil, err
	}
	for _, viewID := range views {
		more, err := tx.ModelVersionsReadingView(ctx, r.env, viewID)
		if err != nil {
			return nil, err
		}
		ids = append(ids, more...)
	}
	return SortedIDs(ids), nil
}

// feeders lists the enabled feature pipelines that write feature version
// fvID, sorted.
func (r *Registry) feeders(ctx context.Context, tx Tx, fvID string) ([]string, error) {
	writers, err := tx.PipelinesWriting(ctx, r.env, fvID)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, p := range writers {
		if p.Feeds(fvID) {
			names = append(names, p.Name)
		}
	}
	slices.Sort(names)
	return names, nil
}

// supplyOf reads, for each feature version model version s reads, whether
// the environment has it, whether it is deprecated and which enabled
// feature pipelines write it.
func (r *Registry) supplyOf(ctx context.Context, tx Tx, s ServedVersion) ([]Supply, error) {
	ids, err := r.featureVersionsRead(ctx, tx, *s.Version)
	if err != nil {
		return nil, err
	}
	out := make([]Supply, 0, len(ids))
	for _, id := range ids {
		fv, found := s.Found[id]
		writers, err := r.feeders(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, Supply{FeatureVersion: id, Found: found, Deprecated: fv.Deprecated, Writers: writers})
	}
	return out, nil
}

// checkRollback is rule D10 for a deployment's rollback version, shared by
// plan and write: it passes what a served version must (D1 to D3, and D6
// where the environment's policy p requires approval), and its feature
// versions are written by enabled feature pipelines.
func (r *Registry) checkRollback(ctx context.Context, tx Tx, d Deployment, p EnvironmentPolicy) (Problems, error) {
	if d.Rollback == "" {
		return nil, nil
	}
	if _, _, err := ParseModelVersionID(d.Rollback); err != nil {
		return nil, nil //nolint:nilerr // a malformed id is refused by CheckDeployment
	}
	s, err := r.servedVersion(ctx, tx, d.Rollback)
	if err != nil {
		return nil, err
	}
	one := []ServedVersion{s}
	ps := CheckServed(d.Name, r.env, one)
	gates, err := r.gatesOf(ctx, tx, one)
	if err != nil {
		return nil, err
	}
	ps = append(ps, CheckGates(d.Name, one, gates)...)
	if p.RequireApproval {
		approvals, approved, err := r.approvalsOf(ctx, tx, one)
		if err != nil {
			return nil, err
		}
		ps = append(ps, CheckApprovals(d.Name, r.env, one, approvals, approved)...)
	}
	ps = AsRollback(d.Name, d.Rollback, ps)
	if s.Version == nil {
		return ps, nil
	}
	supply, err := r.supplyOf(ctx, tx, s)
	if err != nil {
		return nil, err
	}
	return append(ps, CheckRollbackSupply(d.Name, r.env, d.Rollback, supply)...), nil
}

// checkServedSupply is rule D11 for the served versions of deployment
// name, in an environment that declares feature pipelines.
func (r *Registry) checkServedSupply(ctx context.Context, tx Tx, name string, served []ServedVersion) (Problems, error) {
	declared, err := tx.HasFeaturePipelines(ctx, r.env)
	if err != nil || !declared {
		return nil, err
	}
	var ps Problems
	for _, s := range served {
		if s.Version == nil {
			continue
		}
		supply, err := r.supplyOf(ctx, tx, s)
		if err != nil {
			return nil, err
		}
		ps = append(ps, CheckServedSupply(name, r.env, s.Role, s.ID, supply)...)
	}
	return ps, nil
}

// checkSupplyLoss is rule D10 the other way round, with D11's warnings,
// shared by plan and write: the deployments that fall back to (or serve)
// a model version reading a feature version that change c leaves without
// an enabled feature pipeline, or deprecates.
func (r *Registry) checkSupplyLoss(ctx context.Context, tx Tx, c SupplyChange) (Problems, error) {
	var chains []SupplyChain
	for _, fv := range c.FeatureVersionIDs {
		writers, err := r.feeders(ctx, tx, fv)
		if err != nil {
			return nil, err
		}
		if c.Pipeline != "" && slices.ContainsFunc(writers, func(w string) bool { return w != c.Pipeline }) {
			continue // another enabled pipeline keeps writing it
		}
		readers, err := r.modelVersionsReading(ctx, tx, fv)
		if err != nil {
			return nil, err
		}
		for _, mv := range readers {
			falling, err := tx.DeploymentsRollingBackTo(ctx, r.env, mv)
			if err != nil {
				return nil, err
			}
			for _, d := range falling {
				chains = append(chains, SupplyChain{Deployment: d, ModelVersion: mv, FeatureVersion: fv, Rollback: true, Writers: writers})
			}
			if c.Pipeline == "" {
				continue // D2 warns about a served deprecated version
			}
			serving, err := tx.DeploymentsServing(ctx, r.env, mv)
			if err != nil {
				return nil, err
			}
			for _, d := range serving {
				chains = append(chains, SupplyChain{Deployment: d, ModelVersion: mv, FeatureVersion: fv, Writers: writers})
			}
		}
	}
	return CheckSupplyLoss(c, r.env, chains), nil
}

// checkLeavingSupply is D10 for an object a write deletes: a pipeline
// that stops writing what a rollback version reads.
func (r *Registry) checkLeavingSupply(ctx context.Context, tx Tx, prior any) (Problems, error) {
	p, ok := prior.(Pipeline)
	if !ok {
		return nil, nil
	}
	return r.checkSupplyLoss(ctx, tx, PipelineSupplyChange(p, nil))
}

// CheckDeprecationPlan is D10 at plan for a feature version the plan
// deprecates: refused while a deployment's rollback version reads it.
func (r *Registry) CheckDeprecationPlan(ctx context.Context, fvID string) (Problems, error) {
	var ps Problems
	err := r.view(ctx, "plan deprecating "+fvID, func(tx Tx) error {
		var err error
		ps, err = r.checkSupplyLoss(ctx, r.run.over(tx), DeprecationSupplyChange(fvID))
		return err
	})
	return ps, err
}
