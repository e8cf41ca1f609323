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
	return r.deleteObject(ctx, Ref{Kind: KindFeatureGroup, ID: name},
		func(tx Tx) (any, int64, error) {
			g, err := tx.FeatureGroup(ctx, r.env, name)
			return g, g.Revision, err
		},
		func(tx Tx, revision int64) error { return tx.DeleteFeatureGroup(ctx, r.env, name, revision) })
}

// deleteObject deletes obj in one transaction unless something still
// references it (F2). read returns the object and its revision; an object
// already gone is not an error.
func (r *Registry) deleteObject(ctx context.Context, obj Ref, read func(Tx) (any, int64, error), del func(Tx, int64) error) error {
	err := r.write(ctx, obj.Kind, obj.ID, "delete", func(tx Tx) (any, any, error) {
		prior, revision, err := read(tx)
		if err != nil {
			return nil, nil, err
		}
		deps, err := r.dependents(ctx, tx, obj)
		if err != nil {
			return nil, nil, err
		}
		if err := CheckDeleteDependents(obj, r.env, deps, true).Err(); err != nil {
			return nil, nil, err
		}
		return prior, nil, del(tx, revision)
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
	return CheckDeleteDependents(obj, r.env, deps, false), nil
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
		ids, err := tx.ModelVersionsReading(ctx, r.env, obj.ID)
		if err != nil {
			return nil, err
		}
		deps := refs(KindModelVersion, ids)
		for i := range deps {
			if deps[i].ServedBy, err = tx.DeploymentsServing(ctx, r.env, deps[i].ID); err != nil {
				return nil, err
			}
		}
		return deps, nil
	case KindModel:
		versions, err := tx.ModelVersions(ctx, r.env, obj.ID)
		if err != nil {
			return nil, err
		}
		deps := make([]Ref, len(versions))
		for i, v := range versions {
			deps[i] = Ref{Kind: KindModelVersion, ID: v.ID()}
		}
		return deps, nil
	case KindModelVersion:
		names, err := tx.DeploymentsServing(ctx, r.env, obj.ID)
		return refs(KindDeployment, names), err
	case KindDeployment:
		return nil, nil
	default:
		return nil, fmt.Errorf("unknown object kind %q", obj.Kind)
	}
}

func refs(kind Kind, ids []string) []Ref {
	out := make([]Ref, len(ids))
	for i, id := range ids {
		out[i] = Ref{Kind: kind, ID: id}
	}
	return out
}
