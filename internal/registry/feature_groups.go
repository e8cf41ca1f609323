package registry

import (
	"context"
	"slices"
)

// FeatureGroup reads a feature group of this environment.
func (r *Registry) FeatureGroup(ctx context.Context, name string) (FeatureGroup, error) {
	var g FeatureGroup
	err := r.view(ctx, "feature group "+name, func(tx Tx) error {
		var err error
		g, err = tx.FeatureGroup(ctx, r.env, name)
		return err
	})
	return g, err
}

// CreateFeatureGroup creates a feature group. It refuses one that exists.
func (r *Registry) CreateFeatureGroup(ctx context.Context, g FeatureGroup) (FeatureGroup, error) {
	if err := CheckFeatureGroup(g).Err(); err != nil {
		return FeatureGroup{}, err
	}
	g.CreatedAt = r.timestamp()
	g.Revision = 1
	err := r.write(ctx, KindFeatureGroup, g.Name, "create", func(tx Tx) (any, any, error) {
		if _, err := tx.FeatureGroup(ctx, r.env, g.Name); err == nil {
			return nil, nil, &AlreadyExistsError{Kind: KindFeatureGroup, ID: g.Name, Environment: r.env}
		} else if !isNotFound(err) {
			return nil, nil, err
		}
		return nil, g, tx.InsertFeatureGroup(ctx, r.env, g)
	})
	if err != nil {
		return FeatureGroup{}, err
	}
	return g, nil
}

// UpdateFeatureGroup changes a feature group's online_enabled, description
// and tags. Its name, primary key and event time never change in place.
func (r *Registry) UpdateFeatureGroup(ctx context.Context, g FeatureGroup) (FeatureGroup, error) {
	if err := CheckFeatureGroup(g).Err(); err != nil {
		return FeatureGroup{}, err
	}
	var out FeatureGroup
	err := r.write(ctx, KindFeatureGroup, g.Name, "update", func(tx Tx) (any, any, error) {
		prior, err := tx.FeatureGroup(ctx, r.env, g.Name)
		if err != nil {
			return nil, nil, err
		}
		if err := checkRevision(KindFeatureGroup, g.Name, r.env, g.Revision, prior.Revision); err != nil {
			return nil, nil, err
		}
		var ps Problems
		if !slices.Equal(prior.PrimaryKey, g.PrimaryKey) {
			ps.errorf("", Path{"primary_key"}, "Primary key cannot change in place",
				"feature group %q has primary_key %v; a new primary key needs a new feature group", g.Name, prior.PrimaryKey)
		}
		if prior.EventTime != g.EventTime {
			ps.errorf("", Path{"event_time"}, "Event time cannot change in place",
				"feature group %q has event_time %q; a new event time needs a new feature group", g.Name, prior.EventTime)
		}
		if err := ps.Err(); err != nil {
			return nil, nil, err
		}
		out = prior
		out.OnlineEnabled, out.Description, out.Tags = g.OnlineEnabled, g.Description, g.Tags
		out.Revision = prior.Revision + 1
		return prior, out, tx.UpdateFeatureGroup(ctx, r.env, out)
	})
	if err != nil {
		return FeatureGroup{}, err
	}
	return out, nil
}

// DeleteFeatureGroup deletes a feature group that has no versions left (F2).
// Deleting one that is already gone succeeds.
func (r *Registry) DeleteFeatureGroup(ctx context.Context, name string, opts ...WriteOption) error {
	return r.deleteObject(ctx, opts, Ref{Kind: KindFeatureGroup, ID: name},
		func(tx Tx) (any, int64, error) {
			g, err := tx.FeatureGroup(ctx, r.env, name)
			return g, g.Revision, err
		},
		func(tx Tx, revision int64) error { return tx.DeleteFeatureGroup(ctx, r.env, name, revision) })
}
