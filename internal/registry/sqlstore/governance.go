package sqlstore

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

const approvalColumns = `model, version, status, approver, reason, artifact_uri, artifact_digest, approved_at, revision`

func scanApproval(row interface{ Scan(...any) error }) (registry.Approval, error) {
	var (
		a        registry.Approval
		model    string
		version  int64
		approved string
	)
	if err := row.Scan(&model, &version, &a.Status, &a.Approver, &a.Reason, &a.ArtifactURI, &a.ArtifactDigest, &approved, &a.Revision); err != nil {
		return a, err
	}
	a.ModelVersionID = registry.ModelVersionID(model, version)
	var err error
	a.ApprovedAt, err = parseTime(approved)
	return a, err
}

func (t *tx) Approval(ctx context.Context, env, model string, version int64) (registry.Approval, error) {
	id := registry.ModelVersionID(model, version)
	if t.missing("model_version_approvals") {
		return registry.Approval{}, &registry.NotFoundError{Kind: registry.KindApproval, ID: id, Environment: env}
	}
	a, err := scanApproval(t.queryRow(ctx, `SELECT `+approvalColumns+` FROM model_version_approvals WHERE environment = ? AND model = ? AND version = ?`, env, model, version))
	return a, notFound(err, registry.KindApproval, id, env)
}

func (t *tx) Approvals(ctx context.Context, env, model string) ([]registry.Approval, error) {
	if t.missing("model_version_approvals") {
		return nil, nil
	}
	rows, err := t.query(ctx, `SELECT `+approvalColumns+` FROM model_version_approvals WHERE environment = ? AND model = ? ORDER BY version`, env, model)
	if err != nil {
		return nil, err
	}
	var out []registry.Approval
	for rows.Next() {
		a, err := scanApproval(rows)
		if err != nil {
			_ = rows.Close()
			return nil, err
		}
		out = append(out, a)
	}
	return out, errors.Join(rows.Err(), rows.Close())
}

func (t *tx) InsertApproval(ctx context.Context, env string, a registry.Approval) error {
	model, version, err := registry.ParseModelVersionID(a.ModelVersionID)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO model_version_approvals (environment, `+approvalColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		env, model, version, a.Status, a.Approver, a.Reason, a.ArtifactURI, a.ArtifactDigest, formatTime(a.ApprovedAt), a.Revision)
	return err
}

func (t *tx) UpdateApproval(ctx context.Context, env string, a registry.Approval) error {
	model, version, err := registry.ParseModelVersionID(a.ModelVersionID)
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE model_version_approvals SET status = ?, approver = ?, reason = ?, artifact_uri = ?, artifact_digest = ?, approved_at = ?, revision = ?
		WHERE environment = ? AND model = ? AND version = ? AND revision = ?`,
		a.Status, a.Approver, a.Reason, a.ArtifactURI, a.ArtifactDigest, formatTime(a.ApprovedAt), a.Revision, env, model, version, a.Revision-1)
	return changedOne(res, err, registry.KindApproval, a.ID(), env)
}

func (t *tx) DeleteApproval(ctx context.Context, env, model string, version int64, revision int64) error {
	res, err := t.exec(ctx, `DELETE FROM model_version_approvals WHERE environment = ? AND model = ? AND version = ? AND revision = ?`, env, model, version, revision)
	return changedOne(res, err, registry.KindApproval, registry.ModelVersionID(model, version), env)
}

const environmentColumns = `name, promote_from, require_approval, required_gates, protected, description, created_at, updated_at, revision`

func scanEnvironment(row interface{ Scan(...any) error }) (registry.EnvironmentPolicy, error) {
	var (
		p                 registry.EnvironmentPolicy
		approval, protect int64
		gates             string
		created, updated  string
	)
	if err := row.Scan(&p.Name, &p.PromoteFrom, &approval, &gates, &protect, &p.Description, &created, &updated, &p.Revision); err != nil {
		return p, err
	}
	p.RequireApproval, p.Protected = approval != 0, protect != 0
	if err := json.Unmarshal([]byte(gates), &p.RequiredGates); err != nil {
		return p, err
	}
	var err1, err2 error
	p.CreatedAt, err1 = parseTime(created)
	p.UpdatedAt, err2 = parseTime(updated)
	return p, errors.Join(err1, err2)
}

// environmentValues are the columns of environmentColumns after name, in
// that order.
func environmentValues(p registry.EnvironmentPolicy) ([]any, error) {
	gates := p.RequiredGates
	if gates == nil {
		gates = []string{}
	}
	b, err := json.Marshal(gates)
	if err != nil {
		return nil, err
	}
	return []any{p.PromoteFrom, boolInt(p.RequireApproval), string(b), boolInt(p.Protected), p.Description,
		formatTime(p.CreatedAt), formatTime(p.UpdatedAt), p.Revision}, nil
}

func (t *tx) Environment(ctx context.Context, name string) (registry.EnvironmentPolicy, error) {
	if t.missing("environments") {
		return registry.EnvironmentPolicy{}, &registry.NotFoundError{Kind: registry.KindEnvironment, ID: name, Environment: name}
	}
	p, err := scanEnvironment(t.queryRow(ctx, `SELECT `+environmentColumns+` FROM environments WHERE name = ?`, name))
	return p, notFound(err, registry.KindEnvironment, name, name)
}

func (t *tx) Environments(ctx context.Context) ([]registry.EnvironmentPolicy, error) {
	if t.missing("environments") {
		return nil, nil
	}
	rows, err := t.query(ctx, `SELECT `+environmentColumns+` FROM environments ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var out []registry.EnvironmentPolicy
	for rows.Next() {
		p, err := scanEnvironment(rows)
		if err != nil {
			_ = rows.Close()
			return nil, err
		}
		out = append(out, p)
	}
	return out, errors.Join(rows.Err(), rows.Close())
}

func (t *tx) InsertEnvironment(ctx context.Context, p registry.EnvironmentPolicy) error {
	values, err := environmentValues(p)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO environments (`+environmentColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, append([]any{p.Name}, values...)...)
	return err
}

func (t *tx) UpdateEnvironment(ctx context.Context, p registry.EnvironmentPolicy) error {
	values, err := environmentValues(p)
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE environments SET promote_from = ?, require_approval = ?, required_gates = ?, protected = ?, description = ?,
		created_at = ?, updated_at = ?, revision = ? WHERE name = ? AND revision = ?`, append(values, p.Name, p.Revision-1)...)
	return changedOne(res, err, registry.KindEnvironment, p.Name, p.Name)
}

func (t *tx) DeleteEnvironment(ctx context.Context, name string, revision int64) error {
	res, err := t.exec(ctx, `DELETE FROM environments WHERE name = ? AND revision = ?`, name, revision)
	return changedOne(res, err, registry.KindEnvironment, name, name)
}
