package registry

import (
	"context"
	"fmt"
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
func (r *Registry) DeleteFeatureGroup(ctx context.Context, name string) error {
	err := r.write(ctx, KindFeatureGroup, name, "delete", func(tx Tx) (any, any, error) {
		prior, err := tx.FeatureGroup(ctx, r.env, name)
		if err != nil {
			return nil, nil, err
		}
		deps, err := r.dependents(ctx, tx, Ref{Kind: KindFeatureGroup, ID: name})
		if err != nil {
			return nil, nil, err
		}
		if err := CheckDeleteDependents(Ref{Kind: KindFeatureGroup, ID: name}, r.env, deps).Err(); err != nil {
			return nil, nil, err
		}
		return prior, nil, tx.DeleteFeatureGroup(ctx, r.env, name, prior.Revision)
	})
	if isNotFound(err) {
		return nil
	}
	return err
}

// DependentsProblems runs at plan time for an object the plan deletes: the
// F2 problem naming what still references it, nil when nothing does.
func (r *Registry) DependentsProblems(ctx context.Context, obj Ref) (Problems, error) {
	deps, err := r.Dependents(ctx, obj)
	if err != nil {
		return nil, err
	}
	return CheckDeleteDependents(obj, r.env, deps), nil
}

// Dependents lists the objects of this environment that reference obj, so
// that deleting obj would break them (F2).
func (r *Registry) Dependents(ctx context.Context, obj Ref) ([]Ref, error) {
	var deps []Ref
	err := r.view(ctx, "dependents of "+obj.String(), func(tx Tx) error {
		var err error
		deps, err = r.dependents(ctx, tx, obj)
		return err
	})
	return deps, err
}

func (r *Registry) dependents(ctx context.Context, tx Tx, obj Ref) ([]Ref, error) {
	switch obj.Kind {
	case KindFeatureGroup:
		versions, err := tx.FeatureVersions(ctx, r.env, obj.ID)
		if err != nil {
			return nil, err
		}
		deps := make([]Ref, len(versions))
		for i, v := range versions {
			deps[i] = Ref{Kind: KindFeatureVersion, ID: v.ID()}
		}
		return deps, nil
	case KindFeatureVersion:
		return nil, nil
	default:
		return nil, fmt.Errorf("unknown object kind %q", obj.Kind)
	}
}
