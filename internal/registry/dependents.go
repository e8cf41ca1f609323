package registry

import (
	"context"
	"fmt"
	"strings"
)

// This file is rule F2's machinery: what references an object, and the
// delete that refuses while anything does.

// deleteObject deletes obj in one transaction unless something still
// references it (F2), its environment is protected (D9) or, with IfRevision, it changed since it was read.
// read returns the object and its revision; an object already gone is not
// an error.
func (r *Registry) deleteObject(ctx context.Context, opts []WriteOption, obj Ref, read func(Tx) (any, int64, error), del func(Tx, int64) error) error {
	var o writeOptions
	for _, opt := range opts {
		opt(&o)
	}
	err := r.write(ctx, obj.Kind, obj.ID, "delete", func(tx Tx) (any, any, error) {
		prior, revision, err := read(tx)
		if err != nil {
			return nil, nil, err
		}
		if err := checkRevision(obj.Kind, obj.ID, r.env, o.revision, revision); err != nil {
			return nil, nil, err
		}
		deps, err := r.dependents(ctx, tx, obj)
		if err != nil {
			return nil, nil, err
		}
		protected, err := r.checkProtected(ctx, tx, obj, false)
		if err != nil {
			return nil, nil, err
		}
		lost, err := r.checkLeavingSupply(ctx, tx, prior)
		if err != nil {
			return nil, nil, err
		}
		if err := append(append(CheckDeleteDependents(obj, r.env, deps, true), protected...), lost...).Err(); err != nil {
			return nil, nil, err
		}
		return prior, nil, del(tx, revision)
	})
	if isNotFound(err) {
		return nil
	}
	return err
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
		deps, err := r.servedModelVersions(ctx, tx, ids)
		if err != nil {
			return nil, err
		}
		views, err := tx.FeatureViewsReading(ctx, r.env, obj.ID)
		if err != nil {
			return nil, err
		}
		deps = append(deps, refs(KindFeatureView, views)...)
		if deps, err = r.withPipelines(ctx, tx, obj, deps); err != nil {
			return nil, err
		}
		return r.withSuites(ctx, tx, obj, deps)
	case KindFeatureView:
		ids, err := tx.ModelVersionsReadingView(ctx, r.env, obj.ID)
		if err != nil {
			return nil, err
		}
		deps, err := r.servedModelVersions(ctx, tx, ids)
		if err != nil {
			return nil, err
		}
		return r.withPipelines(ctx, tx, obj, deps)
	case KindModel:
		versions, err := tx.ModelVersions(ctx, r.env, obj.ID)
		if err != nil {
			return nil, err
		}
		deps := make([]Ref, len(versions))
		for i, v := range versions {
			deps[i] = Ref{Kind: KindModelVersion, ID: v.ID()}
		}
		aliases, err := tx.ModelAliases(ctx, r.env, obj.ID)
		if err != nil {
			return nil, err
		}
		for _, a := range aliases {
			deps = append(deps, Ref{Kind: KindModelAlias, ID: a.ID()})
		}
		if deps, err = r.withPipelines(ctx, tx, obj, deps); err != nil {
			return nil, err
		}
		return r.withSuites(ctx, tx, obj, deps)
	case KindModelVersion:
		names, err := tx.DeploymentsServing(ctx, r.env, obj.ID)
		if err != nil {
			return nil, err
		}
		aliases, err := tx.AliasesOf(ctx, r.env, obj.ID)
		if err != nil {
			return nil, err
		}
		deps := append(refs(KindDeployment, names), refs(KindModelAlias, aliases)...)
		falling, err := tx.DeploymentsRollingBackTo(ctx, r.env, obj.ID)
		if err != nil {
			return nil, err
		}
		for _, d := range falling {
			deps = append(deps, Ref{Kind: KindDeployment, ID: d, Rollback: true})
		}
		model, version, err := ParseModelVersionID(obj.ID)
		if err != nil {
			return nil, err
		}
		switch _, err := tx.Approval(ctx, r.env, model, version); {
		case err == nil:
			deps = append(deps, Ref{Kind: KindApproval, ID: obj.ID})
		case !isNotFound(err):
			return nil, err
		}
		return deps, nil
	case KindDeployment:
		return r.withPipelines(ctx, tx, obj, nil)
	case KindSuite, KindModelAlias, KindApproval, KindPipeline:
		return nil, nil
	case KindEnvironment:
		return nil, nil // a policy is global: no object of an environment references it
	default:
		return nil, fmt.Errorf("unknown object kind %q", obj.Kind)
	}
}

// servedModelVersions returns refs to the model versions ids, each with the
// deployments that serve it.
func (r *Registry) servedModelVersions(ctx context.Context, tx Tx, ids []string) ([]Ref, error) {
	deps := refs(KindModelVersion, ids)
	for i := range deps {
		var err error
		if deps[i].ServedBy, err = tx.DeploymentsServing(ctx, r.env, deps[i].ID); err != nil {
			return nil, err
		}
	}
	return deps, nil
}

func refs(kind Kind, ids []string) []Ref {
	out := make([]Ref, len(ids))
	for i, id := range ids {
		out[i] = Ref{Kind: kind, ID: id}
	}
	return out
}

// withPipelines adds to deps the pipelines that read or write obj.
func (r *Registry) withPipelines(ctx context.Context, tx Tx, obj Ref, deps []Ref) ([]Ref, error) {
	names, err := tx.PipelinesNaming(ctx, r.env, obj)
	return append(deps, refs(KindPipeline, names)...), err
}

// withSuites adds to deps the validation suites that target obj.
func (r *Registry) withSuites(ctx context.Context, tx Tx, obj Ref, deps []Ref) ([]Ref, error) {
	suites, err := tx.SuitesFor(ctx, r.env, obj)
	if err != nil {
		return nil, err
	}
	for _, s := range suites {
		deps = append(deps, Ref{Kind: KindSuite, ID: s.Name})
	}
	return deps, nil
}

// CheckLeavingReaders is rule F2 at plan for an object the plan deletes or
// replaces, naming the readers that the same plan keeps, with the ways out:
// an error for those that still read it; for those that move off it in the
// same plan, an error when it is replaced (Terraform deletes a replaced
// object before it updates its readers), a warning when it is deleted
// (Terraform updates them first only when the deleted object has
// create_before_destroy, which the provider cannot see). Readers that leave
// in the same plan are not passed.
func CheckLeavingReaders(obj Ref, replace bool, env string, reading, movingOff []Ref) Problems {
	var ps Problems
	if len(reading) > 0 {
		ps.errorf("F2", nil, "Object still referenced",
			"this plan %s %s in environment %q, but %s still %s it and this plan keeps %s. %s%s",
			leaveVerb(replace), obj, env, refList(reading), readVerb(obj.Kind, reading), them(len(reading)), approvalWayOut(reading), waysOut(obj, replace))
	}
	switch {
	case len(movingOff) > 0 && replace:
		ps.errorf("F2", nil, "Object still referenced",
			"this plan %s %s in environment %q and moves %s off it, but Terraform deletes a replaced object before it updates what read it, "+
				"and the registry refuses the delete while anything still references it. Apply the move first (an apply without the replacement), then the replacement.",
			leaveVerb(replace), obj, env, refList(movingOff))
	case len(movingOff) > 0:
		ps.warnf("F2", nil, "Object still referenced until the plan moves its readers",
			"this plan deletes %s in environment %q and moves %s off it. Terraform updates them before the delete only when %s has "+
				"lifecycle { create_before_destroy = true }; otherwise the delete may run first, and the registry refuses it (nothing is deleted; "+
				"apply again once they have moved). To be sure, apply the move first, then the delete.",
			obj, env, refList(movingOff), obj)
	}
	return ps
}

func refList(refs []Ref) string {
	names := make([]string, len(refs))
	for i, d := range refs {
		names[i] = d.String()
	}
	return strings.Join(names, ", ")
}

func leaveVerb(replace bool) string {
	if replace {
		return "replaces (deletes, then creates again)"
	}
	return "deletes"
}

// readVerb says how readers use an object of kind: deployments serve a
// model version or fall back to it, aliases point at it and approvals
// approve it; pipelines name what they read and write.
func readVerb(kind Kind, readers []Ref) string {
	if kind == KindModelVersion {
		var serve, point, approve, fallBack bool
		for _, d := range readers {
			switch {
			case d.Kind == KindModelAlias:
				point = true
			case d.Kind == KindApproval:
				approve = true
			case d.Rollback:
				fallBack = true
			default:
				serve = true
			}
		}
		var verbs []string
		for _, v := range []struct {
			on   bool
			verb string
		}{{serve, "serves"}, {point, "points at"}, {approve, "approves"}, {fallBack, "falls back to"}} {
			if v.on {
				verbs = append(verbs, v.verb)
			}
		}
		return orList(verbs)
	}
	verb := "reads"
	if kind == KindFeatureGroup || kind == KindModel {
		verb = "belongs to"
	}
	var others, pipelines bool
	for _, d := range readers {
		if d.Kind == KindPipeline {
			pipelines = true
		} else {
			others = true
		}
	}
	switch {
	case pipelines && others:
		return verb + " or names"
	case pipelines:
		return "names"
	}
	return verb
}

// orList joins words as a sentence does: "a", "a or b", "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// approvalWayOut says how an approval among readers goes: the configuration
// that approves models removes it.
func approvalWayOut(readers []Ref) string {
	for _, d := range readers {
		if d.Kind == KindApproval {
			return "An approval stays until the configuration that approves models removes it (its mlops_model_version_approval): remove it there first. "
		}
	}
	return ""
}

func them(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// waysOut says how to change the plan so that nothing is left reading a
// deleted object. The delete would be refused at apply (nothing deleted).
func waysOut(obj Ref, replace bool) string {
	var out string
	switch {
	case replace && (obj.Kind == KindFeatureVersion || obj.Kind == KindModelVersion || obj.Kind == KindFeatureView):
		out = "A version is immutable once something uses it: declare a new version with the change, move the readers to it, and keep this one until nothing reads it " +
			"(or move the readers off it in an earlier apply)."
	case replace:
		out = "Keep the attribute that forces the replacement as it is, or move the readers off it in an earlier apply."
	default:
		out = "Remove the readers in the same plan, or move them off it in an earlier apply (in the configuration that manages them), then delete it."
	}
	return out + " Applying this plan would stop at the delete, which the registry refuses (rule F2)."
}
