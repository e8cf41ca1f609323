package registry

import "context"

// Actor is who this Registry writes as: the audit trail's actor, and the
// approver of an approval that names none.
func (r *Registry) Actor() string { return r.actor }

// Approval reads the approval of a model version of this environment.
func (r *Registry) Approval(ctx context.Context, modelVersionID string) (Approval, error) {
	model, version, err := ParseModelVersionID(modelVersionID)
	if err != nil {
		return Approval{}, err
	}
	var a Approval
	err = r.view(ctx, "approval "+modelVersionID, func(tx Tx) error {
		var err error
		a, err = tx.Approval(ctx, r.env, model, version)
		return err
	})
	return a, err
}

// CheckApprovalPlan runs at plan time the checks that need the registry:
// the model version exists in the environment, or this plan creates it. A
// ModelVersionID not known yet ("") is checked at apply, and so is a Status
// not known yet ("").
func (r *Registry) CheckApprovalPlan(ctx context.Context, a Approval) (Problems, error) {
	var ps Problems
	err := r.view(ctx, "plan approval", func(tx Tx) error {
		var err error
		ps, _, err = r.checkApproval(ctx, r.run.over(tx), a, a.Status != "")
		return err
	})
	return ps, err
}

// checkApproval is shared by plan and write: the approval's own fields
// (its status only when statusKnown), then the model version it decides
// on, returned when found.
func (r *Registry) checkApproval(ctx context.Context, tx Tx, a Approval, statusKnown bool) (Problems, ModelVersion, error) {
	ps := CheckApprovalRefs(a)
	if statusKnown {
		ps = append(ps, CheckApprovalStatus(a.Status)...)
	}
	if ps.HasErrors() || a.ModelVersionID == "" {
		return ps, ModelVersion{}, nil
	}
	model, version, err := ParseModelVersionID(a.ModelVersionID) // accepted by CheckApprovalRefs
	if err != nil {
		return nil, ModelVersion{}, err
	}
	v, err := tx.ModelVersion(ctx, r.env, model, version)
	if err != nil && !isNotFound(err) {
		return nil, ModelVersion{}, err
	}
	return append(ps, CheckApprovalTarget(a, r.env, err == nil)...), v, nil
}

// decided runs an approval's checks in a write and returns it as decided
// now: of the artifact its model version has, at the registry's time.
func (r *Registry) decided(ctx context.Context, tx Tx, a Approval) (Approval, error) {
	ps, v, err := r.checkApproval(ctx, tx, a, true)
	if err != nil {
		return a, err
	}
	if err := ps.Err(); err != nil {
		return a, err
	}
	a.ArtifactURI, a.ArtifactDigest = v.ArtifactURI, v.ArtifactDigest
	a.ApprovedAt = r.timestamp()
	return a, nil
}

// CheckApprovalRevokedPlan warns at plan when the plan revokes (how:
// "deletes" or "rejects") the approval of model version id while a
// deployment of this environment serves it and the environment requires
// approval (D6 then refuses the deployment's next change).
func (r *Registry) CheckApprovalRevokedPlan(ctx context.Context, id, how string) (Problems, error) {
	var ps Problems
	err := r.view(ctx, "plan revoking approval "+id, func(tx Tx) error {
		tx = r.run.over(tx)
		policy, err := tx.Environment(ctx, r.env)
		if isNotFound(err) || err == nil && !policy.RequireApproval {
			return nil
		}
		if err != nil {
			return err
		}
		servedBy, err := tx.DeploymentsServing(ctx, r.env, id)
		ps = CheckApprovalRevoked(id, r.env, how, servedBy)
		return err
	})
	return ps, err
}

// CreateApproval records the decision on a model version of this
// environment, of the artifact it has now. Approver defaults to the
// registry's actor. It refuses an approval that exists, and one of a model
// version that does not.
func (r *Registry) CreateApproval(ctx context.Context, a Approval) (Approval, error) {
	if a.Approver == "" {
		a.Approver = r.actor
	}
	if err := CheckApproval(a).Err(); err != nil {
		return Approval{}, err
	}
	model, version, err := ParseModelVersionID(a.ModelVersionID) // accepted by CheckApproval
	if err != nil {
		return Approval{}, err
	}
	a.Revision = 1
	err = r.write(ctx, KindApproval, a.ID(), "create", func(tx Tx) (any, any, error) {
		if _, err := tx.Approval(ctx, r.env, model, version); err == nil {
			return nil, nil, &AlreadyExistsError{Kind: KindApproval, ID: a.ID(), Environment: r.env}
		} else if !isNotFound(err) {
			return nil, nil, err
		}
		var err error
		if a, err = r.decided(ctx, tx, a); err != nil {
			return nil, nil, err
		}
		return nil, a, tx.InsertApproval(ctx, r.env, a)
	})
	if err != nil {
		return Approval{}, err
	}
	return a, nil
}

// UpdateApproval changes an approval's status, approver and reason. A new
// status or approver is a new decision: it records the model version's
// artifact and the time again. A new reason alone changes neither.
func (r *Registry) UpdateApproval(ctx context.Context, a Approval) (Approval, error) {
	if a.Approver == "" {
		a.Approver = r.actor
	}
	if err := CheckApproval(a).Err(); err != nil {
		return Approval{}, err
	}
	model, version, err := ParseModelVersionID(a.ModelVersionID) // accepted by CheckApproval
	if err != nil {
		return Approval{}, err
	}
	var out Approval
	err = r.write(ctx, KindApproval, a.ID(), "update", func(tx Tx) (any, any, error) {
		prior, err := tx.Approval(ctx, r.env, model, version)
		if err != nil {
			return nil, nil, err
		}
		if err := checkRevision(KindApproval, a.ID(), r.env, a.Revision, prior.Revision); err != nil {
			return nil, nil, err
		}
		out = prior
		out.Status, out.Approver, out.Reason = a.Status, a.Approver, a.Reason
		decision, err := r.decided(ctx, tx, out)
		if err != nil {
			return nil, nil, err
		}
		if out.Status != prior.Status || out.Approver != prior.Approver {
			out = decision
		}
		out.Revision = prior.Revision + 1
		return prior, out, tx.UpdateApproval(ctx, r.env, out)
	})
	if err != nil {
		return Approval{}, err
	}
	return out, nil
}

// DeleteApproval deletes the approval of a model version: it is pending
// again. Deleting one that is already gone succeeds.
func (r *Registry) DeleteApproval(ctx context.Context, modelVersionID string, opts ...WriteOption) error {
	model, version, err := ParseModelVersionID(modelVersionID)
	if err != nil {
		return err
	}
	return r.deleteObject(ctx, opts, Ref{Kind: KindApproval, ID: modelVersionID},
		func(tx Tx) (any, int64, error) {
			a, err := tx.Approval(ctx, r.env, model, version)
			return a, a.Revision, err
		},
		func(tx Tx, revision int64) error { return tx.DeleteApproval(ctx, r.env, model, version, revision) })
}
