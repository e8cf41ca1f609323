package registry

import (
	"context"
)

// FeatureVersion reads a feature version of this environment.
func (r *Registry) FeatureVersion(ctx context.Context, group string, version int64) (FeatureVersion, error) {
	var v FeatureVersion
	err := r.view(ctx, "feature version "+FeatureVersionID(group, version), func(tx Tx) error {
		var err error
		v, err = tx.FeatureVersion(ctx, r.env, group, version)
		return err
	})
	return v, err
}

// LatestFeatureVersion reads the highest non-deprecated version of a group.
func (r *Registry) LatestFeatureVersion(ctx context.Context, group string) (FeatureVersion, error) {
	var latest FeatureVersion
	err := r.view(ctx, "latest feature version of "+group, func(tx Tx) error {
		if _, err := tx.FeatureGroup(ctx, r.env, group); err != nil {
			return err
		}
		versions, err := tx.FeatureVersions(ctx, r.env, group)
		if err != nil {
			return err
		}
		for i := len(versions) - 1; i >= 0; i-- {
			if !versions[i].Deprecated {
				latest = versions[i]
				return nil
			}
		}
		return &NotFoundError{Kind: KindFeatureVersion, ID: group + "/<latest non-deprecated>", Environment: r.env}
	})
	return latest, err
}

// FeatureVersionPlan is what plan knows of a feature version. Unknown parts
// are left out: Group "" when the group id is not known yet, Version 0 when
// unknown, Features nil when any feature is not known yet. Create is true
// when the plan creates the version (a new resource or a replacement), false
// for an in-place change of the version the registry holds.
//
// A created version that already exists is refused at apply, not at plan:
// Terraform plans the create half of a replacement (-replace included)
// without the prior state, so plan cannot tell the two apart.
type FeatureVersionPlan struct {
	Group    string
	Version  int64
	Features []Feature
	Create   bool
}

// CheckFeatureVersionPlan runs at plan time the checks that need the
// registry: the group exists and the features cover its keys (F3), and an
// in-place change only appends features (F1).
func (r *Registry) CheckFeatureVersionPlan(ctx context.Context, p FeatureVersionPlan) (Problems, error) {
	var ps Problems
	err := r.view(ctx, "plan feature version", func(tx Tx) error {
		var err error
		ps, err = r.checkFeatureVersion(ctx, r.run.over(tx), p)
		return err
	})
	return ps, err
}

// checkFeatureVersion is shared by plan and write.
func (r *Registry) checkFeatureVersion(ctx context.Context, tx Tx, p FeatureVersionPlan) (Problems, error) {
	var ps Problems
	if p.Group == "" {
		return ps, nil
	}
	g, err := tx.FeatureGroup(ctx, r.env, p.Group)
	if isNotFound(err) {
		ps.errorf("", Path{"feature_group_id"}, "Feature group not found",
			"feature group %q does not exist in environment %q; create it first (an mlops_feature_group resource, referenced through its id) or fix the id", p.Group, r.env)
		return ps, nil
	}
	if err != nil {
		return nil, err
	}
	if p.Features != nil && p.Version > 0 {
		ps = append(ps, CheckFeaturesCoverGroup(g, p.Version, p.Features)...)
	}
	if p.Create || p.Version < 1 {
		return ps, nil
	}
	prior, err := tx.FeatureVersion(ctx, r.env, p.Group, p.Version)
	if isNotFound(err) {
		return ps, nil // gone behind Terraform's back: the write creates it again
	}
	if err != nil {
		return nil, err
	}
	if p.Features != nil {
		ps = append(ps, CheckFeatureSchemaChange(prior, p.Features)...)
	}
	return ps, nil
}

// CreateFeatureVersion creates a feature version of an existing group.
func (r *Registry) CreateFeatureVersion(ctx context.Context, v FeatureVersion) (FeatureVersion, error) {
	ps := append(CheckVersionNumber(v.Version), CheckFeatures(v.Features)...)
	if err := ps.Err(); err != nil {
		return FeatureVersion{}, err
	}
	v.Features = canonicalFeatures(v.Features)
	v.SchemaHash = SchemaHash(v.Features)
	v.CreatedAt = r.timestamp()
	v.Revision = 1
	err := r.write(ctx, KindFeatureVersion, v.ID(), "create", func(tx Tx) (any, any, error) {
		if _, err := tx.FeatureVersion(ctx, r.env, v.Group, v.Version); err == nil {
			return nil, nil, &AlreadyExistsError{Kind: KindFeatureVersion, ID: v.ID(), Environment: r.env}
		} else if !isNotFound(err) {
			return nil, nil, err
		}
		ps, err := r.checkFeatureVersion(ctx, tx, FeatureVersionPlan{Group: v.Group, Version: v.Version, Features: v.Features, Create: true})
		if err != nil {
			return nil, nil, err
		}
		if err := ps.Err(); err != nil {
			return nil, nil, err
		}
		return nil, v, tx.InsertFeatureVersion(ctx, r.env, v)
	})
	if err != nil {
		return FeatureVersion{}, err
	}
	return v, nil
}

// UpdateFeatureVersion changes a feature version in place: features may be
// appended (F1) and descriptions, deprecated and description may change;
// deprecating one that a deployment's rollback version reads is refused
// (D10).
func (r *Registry) UpdateFeatureVersion(ctx context.Context, v FeatureVersion) (FeatureVersion, error) {
	if err := CheckFeatures(v.Features).Err(); err != nil {
		return FeatureVersion{}, err
	}
	var out FeatureVersion
	err := r.write(ctx, KindFeatureVersion, v.ID(), "update", func(tx Tx) (any, any, error) {
		prior, err := tx.FeatureVersion(ctx, r.env, v.Group, v.Version)
		if err != nil {
			return nil, nil, err
		}
		if err := checkRevision(KindFeatureVersion, v.ID(), r.env, v.Revision, prior.Revision); err != nil {
			return nil, nil, err
		}
		ps, err := r.checkFeatureVersion(ctx, tx, FeatureVersionPlan{Group: v.Group, Version: v.Version, Features: v.Features})
		if err != nil {
			return nil, nil, err
		}
		if v.Deprecated && !prior.Deprecated {
			lost, err := r.checkSupplyLoss(ctx, tx, DeprecationSupplyChange(v.ID()))
			if err != nil {
				return nil, nil, err
			}
			ps = append(ps, lost...)
		}
		if err := ps.Err(); err != nil {
			return nil, nil, err
		}
		out = prior
		out.Features, out.Deprecated, out.Description = canonicalFeatures(v.Features), v.Deprecated, v.Description
		out.SchemaHash = SchemaHash(out.Features)
		out.Revision = prior.Revision + 1
		return prior, out, tx.UpdateFeatureVersion(ctx, r.env, out)
	})
	if err != nil {
		return FeatureVersion{}, err
	}
	return out, nil
}

// DeleteFeatureVersion deletes a feature version that nothing references
// (F2). Deleting one that is already gone succeeds.
func (r *Registry) DeleteFeatureVersion(ctx context.Context, group string, version int64, opts ...WriteOption) error {
	return r.deleteObject(ctx, opts, Ref{Kind: KindFeatureVersion, ID: FeatureVersionID(group, version)},
		func(tx Tx) (any, int64, error) {
			v, err := tx.FeatureVersion(ctx, r.env, group, version)
			return v, v.Revision, err
		},
		func(tx Tx, revision int64) error {
			return tx.DeleteFeatureVersion(ctx, r.env, group, version, revision)
		})
}
