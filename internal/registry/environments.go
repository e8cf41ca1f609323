package registry

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Environment policies are global: one per environment name, whatever the
// provider's environment. A policy is written under the store lock of the
// environment it governs, and its audit trail is in that environment.

// EnvironmentPolicy reads the policy of environment name.
func (r *Registry) EnvironmentPolicy(ctx context.Context, name string) (EnvironmentPolicy, error) {
	var p EnvironmentPolicy
	err := r.view(ctx, "environment "+name, func(tx Tx) error {
		var err error
		p, err = tx.Environment(ctx, name)
		return err
	})
	return p, err
}

// policyOf reads the policy of environment env; an environment without one
// has the zero policy (it requires nothing).
func policyOf(ctx context.Context, tx Tx, env string) (EnvironmentPolicy, error) {
	p, err := tx.Environment(ctx, env)
	if isNotFound(err) {
		return EnvironmentPolicy{Name: env}, nil
	}
	return p, err
}

// CheckEnvironmentPlan runs at plan time the checks of a policy that need
// the registry: its own fields, and promotion cycles through the other
// policies (as this plan leaves them). When allKnown (every field of p is
// known), it also warns about the deployments of the environment that the
// policy would refuse and the current one does not: they keep running, and
// their next change is refused.
func (r *Registry) CheckEnvironmentPlan(ctx context.Context, p EnvironmentPolicy, allKnown bool) (Problems, error) {
	ps := CheckEnvironmentPolicy(p)
	if ps.HasErrors() || p.Name == "" {
		return ps, nil
	}
	err := r.view(ctx, "plan environment "+p.Name, func(tx Tx) error {
		all, err := r.run.over(tx).Environments(ctx)
		if err != nil {
			return err
		}
		ps = append(ps, CheckPromotionCycle(p, all)...)
		if ps.HasErrors() || !allKnown {
			return nil
		}
		warnings, err := r.policyWarnings(ctx, tx, p)
		ps = append(ps, warnings...)
		return err
	})
	return ps, err
}

// policyWarnings lists, as warnings, what policy p refuses of the
// deployments its environment holds that the stored policy does not.
func (r *Registry) policyWarnings(ctx context.Context, tx Tx, p EnvironmentPolicy) (Problems, error) {
	prior, err := policyOf(ctx, tx, p.Name)
	if err != nil {
		return nil, err
	}
	deployments, err := tx.Deployments(ctx, p.Name)
	if err != nil || len(deployments) == 0 {
		return nil, err
	}
	in := *r
	in.env, in.run = p.Name, nil
	var ps Problems
	for _, d := range deployments {
		served, err := in.servedVersions(ctx, tx, d)
		if err != nil {
			return nil, err
		}
		before, err := in.checkGoverned(ctx, tx, d, served, prior)
		if err != nil {
			return nil, err
		}
		after, err := in.checkGoverned(ctx, tx, d, served, p)
		if err != nil {
			return nil, err
		}
		for _, q := range after {
			if q.Severity != SeverityError || slices.ContainsFunc(before, func(b Problem) bool { return b.Detail == q.Detail }) {
				continue
			}
			ps.warnf(q.Rule, nil, "Policy refuses an existing deployment",
				"with this policy, deployment %q of environment %q breaks rule %s: %s. It keeps running as it is, but its next change will be refused until it complies",
				d.Name, p.Name, q.Rule, strings.TrimSuffix(q.Detail, "."))
		}
	}
	return ps, nil
}

// checkedPolicy runs a policy's checks in a write and returns the refusal.
func checkedPolicy(ctx context.Context, tx Tx, p EnvironmentPolicy) error {
	ps := CheckEnvironmentPolicy(p)
	if !ps.HasErrors() {
		all, err := tx.Environments(ctx)
		if err != nil {
			return err
		}
		ps = append(ps, CheckPromotionCycle(p, all)...)
	}
	return ps.Err()
}

// normalPolicy is p as the registry keeps it: gates sorted, none as an
// empty list.
func normalPolicy(p EnvironmentPolicy) EnvironmentPolicy {
	p.RequiredGates = slices.Sorted(slices.Values(p.RequiredGates))
	if p.RequiredGates == nil {
		p.RequiredGates = []string{}
	}
	return p
}

// CreateEnvironment writes the policy of environment p.Name. It refuses one
// that exists, invalid fields and promotion cycles.
func (r *Registry) CreateEnvironment(ctx context.Context, p EnvironmentPolicy) (EnvironmentPolicy, error) {
	if err := CheckEnvironmentPolicy(p).Err(); err != nil {
		return EnvironmentPolicy{}, err
	}
	if p.Name == "" {
		return EnvironmentPolicy{}, fmt.Errorf("an environment policy needs the name of the environment it governs")
	}
	p = normalPolicy(p)
	p.CreatedAt = r.timestamp()
	p.UpdatedAt = p.CreatedAt
	p.Revision = 1
	err := r.writeIn(ctx, p.Name, KindEnvironment, p.Name, "create", func(tx Tx) (any, any, error) {
		if _, err := tx.Environment(ctx, p.Name); err == nil {
			return nil, nil, &AlreadyExistsError{Kind: KindEnvironment, ID: p.Name, Environment: p.Name}
		} else if !isNotFound(err) {
			return nil, nil, err
		}
		if err := checkedPolicy(ctx, tx, p); err != nil {
			return nil, nil, err
		}
		return nil, p, tx.InsertEnvironment(ctx, p)
	})
	if err != nil {
		return EnvironmentPolicy{}, err
	}
	return p, nil
}

// UpdateEnvironment changes the policy of environment p.Name. Deployments
// the new policy refuses keep running; their next change is refused.
func (r *Registry) UpdateEnvironment(ctx context.Context, p EnvironmentPolicy) (EnvironmentPolicy, error) {
	if err := CheckEnvironmentPolicy(p).Err(); err != nil {
		return EnvironmentPolicy{}, err
	}
	p = normalPolicy(p)
	var out EnvironmentPolicy
	err := r.writeIn(ctx, p.Name, KindEnvironment, p.Name, "update", func(tx Tx) (any, any, error) {
		prior, err := tx.Environment(ctx, p.Name)
		if err != nil {
			return nil, nil, err
		}
		if err := checkRevision(KindEnvironment, p.Name, p.Name, p.Revision, prior.Revision); err != nil {
			return nil, nil, err
		}
		if err := checkedPolicy(ctx, tx, p); err != nil {
			return nil, nil, err
		}
		out = p
		out.CreatedAt = prior.CreatedAt
		out.UpdatedAt = r.timestamp()
		out.Revision = prior.Revision + 1
		return prior, out, tx.UpdateEnvironment(ctx, out)
	})
	if err != nil {
		return EnvironmentPolicy{}, err
	}
	return out, nil
}

// DeleteEnvironment deletes the policy of environment name: its
// deployments no longer have to follow it. A protected policy is refused
// (D9): switch protection off first. Deleting one that is already gone
// succeeds.
func (r *Registry) DeleteEnvironment(ctx context.Context, name string, opts ...WriteOption) error {
	var o writeOptions
	for _, opt := range opts {
		opt(&o)
	}
	err := r.writeIn(ctx, name, KindEnvironment, name, "delete", func(tx Tx) (any, any, error) {
		prior, err := tx.Environment(ctx, name)
		if err != nil {
			return nil, nil, err
		}
		if err := checkRevision(KindEnvironment, name, name, o.revision, prior.Revision); err != nil {
			return nil, nil, err
		}
		if err := CheckProtected(Ref{Kind: KindEnvironment, ID: name}, false, prior).Err(); err != nil {
			return nil, nil, err
		}
		return prior, nil, tx.DeleteEnvironment(ctx, name, prior.Revision)
	})
	if isNotFound(err) {
		return nil
	}
	return err
}

// CheckProtectedPlan is rule D9 at plan for an object the plan destroys
// (replace false) or replaces: a deployment or a served model version of
// this environment, or an environment's policy. The policy read is the
// one the registry holds (or, when it holds none, the one this plan
// writes): switching protection off takes an earlier apply.
func (r *Registry) CheckProtectedPlan(ctx context.Context, obj Ref, replace bool) (Problems, error) {
	var ps Problems
	err := r.view(ctx, "protection of "+obj.String(), func(tx Tx) error {
		var err error
		ps, err = r.checkProtected(ctx, r.run.over(tx), obj, replace)
		return err
	})
	return ps, err
}

// checkProtected is D9, shared by plan and write.
func (r *Registry) checkProtected(ctx context.Context, tx Tx, obj Ref, replace bool) (Problems, error) {
	env := r.env
	switch obj.Kind {
	case KindEnvironment:
		env = obj.ID
	case KindModelVersion:
		served, err := tx.DeploymentsServing(ctx, r.env, obj.ID)
		if err != nil || len(served) == 0 {
			return nil, err
		}
		obj.ServedBy = served
	case KindDeployment:
	default:
		return nil, nil
	}
	p, err := policyOf(ctx, tx, env)
	if err != nil {
		return nil, err
	}
	return CheckProtected(obj, replace, p), nil
}
