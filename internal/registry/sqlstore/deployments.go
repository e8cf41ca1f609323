package sqlstore

import (
	"context"
	"strings"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

const deploymentColumns = `name, model_version, canary_model_version, canary_percent, replicas_min, replicas_max, promote_from, created_at, updated_at, revision`

// selectDeployments reads deployments (alias d) with their shadow, from
// deployment_shadows, then the model and version of their rollback version,
// from deployment_rollbacks ("" and 0 for none). A registry of an older
// schema, without those tables, has neither.
func (t *tx) selectDeployments() string {
	cols := "d." + strings.ReplaceAll(deploymentColumns, ", ", ", d.")
	from := ` FROM deployments d`
	if t.missing("deployment_shadows") {
		cols += `, '', 0`
	} else {
		cols += `, COALESCE(s.model_version, ''), COALESCE(s.sample_percent, 0)`
		from += ` LEFT JOIN deployment_shadows s ON s.environment = d.environment AND s.deployment = d.name`
	}
	if t.missing("deployment_rollbacks") {
		cols += `, '', 0`
	} else {
		cols += `, COALESCE(r.model, ''), COALESCE(r.version, 0)`
		from += ` LEFT JOIN deployment_rollbacks r ON r.environment = d.environment AND r.deployment = d.name`
	}
	return `SELECT ` + cols + from
}

func (t *tx) Deployment(ctx context.Context, env, name string) (registry.Deployment, error) {
	if t.missing("deployments") {
		return registry.Deployment{}, &registry.NotFoundError{Kind: registry.KindDeployment, ID: name, Environment: env}
	}
	d, err := scanDeployment(t.queryRow(ctx, t.selectDeployments()+` WHERE d.environment = ? AND d.name = ?`, env, name))
	return d, notFound(err, registry.KindDeployment, name, env)
}

func scanDeployment(row interface{ Scan(...any) error }) (registry.Deployment, error) {
	var (
		d                        registry.Deployment
		canary, created, updated string
		shadow                   string
		percent, sample          int64
		rollbackModel            string
		rollbackVersion          int64
	)
	err := row.Scan(&d.Name, &d.ModelVersion, &canary, &percent, &d.Replicas.Min, &d.Replicas.Max, &d.PromoteFrom, &created, &updated, &d.Revision,
		&shadow, &sample, &rollbackModel, &rollbackVersion)
	if err != nil {
		return d, err
	}
	if canary != "" {
		d.Canary = &registry.Canary{ModelVersion: canary, Percent: percent}
	}
	if shadow != "" {
		d.Shadow = &registry.Shadow{ModelVersion: shadow, SamplePercent: sample}
	}
	if rollbackModel != "" {
		d.Rollback = registry.ModelVersionID(rollbackModel, rollbackVersion)
	}
	if d.CreatedAt, err = parseTime(created); err != nil {
		return d, err
	}
	d.UpdatedAt, err = parseTime(updated)
	return d, err
}

func (t *tx) Deployments(ctx context.Context, env string) ([]registry.Deployment, error) {
	if t.missing("deployments") {
		return nil, nil
	}
	rows, err := t.query(ctx, t.selectDeployments()+` WHERE d.environment = ? ORDER BY d.name`, env)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var out []registry.Deployment
	for rows.Next() {
		d, err := scanDeployment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (t *tx) DeploymentsServing(ctx context.Context, env, modelVersionID string) ([]string, error) {
	if t.missing("deployments") {
		return nil, nil
	}
	q, args := `SELECT name FROM deployments WHERE environment = ? AND (model_version = ? OR canary_model_version = ?)`, []any{env, modelVersionID, modelVersionID}
	if !t.missing("deployment_shadows") {
		q += ` UNION SELECT deployment FROM deployment_shadows WHERE environment = ? AND model_version = ?`
		args = append(args, env, modelVersionID)
	}
	rows, err := t.query(ctx, q+` ORDER BY 1`, args...)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

func canaryColumns(d registry.Deployment) (string, int64) {
	if d.Canary == nil {
		return "", 0
	}
	return d.Canary.ModelVersion, d.Canary.Percent
}

func (t *tx) DeploymentsRollingBackTo(ctx context.Context, env, modelVersionID string) ([]string, error) {
	model, version, err := registry.ParseModelVersionID(modelVersionID)
	if err != nil {
		return nil, err
	}
	if t.missing("deployment_rollbacks") {
		return nil, nil
	}
	rows, err := t.query(ctx, `SELECT deployment FROM deployment_rollbacks WHERE environment = ? AND model = ? AND version = ? ORDER BY deployment`,
		env, model, version)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

// writeRollback records the rollback version of d, replacing the one
// recorded.
func (t *tx) writeRollback(ctx context.Context, env string, d registry.Deployment) error {
	if t.missing("deployment_rollbacks") && d.Rollback == "" {
		return nil
	}
	if _, err := t.exec(ctx, `DELETE FROM deployment_rollbacks WHERE environment = ? AND deployment = ?`, env, d.Name); err != nil {
		return err
	}
	if d.Rollback == "" {
		return nil
	}
	model, version, err := registry.ParseModelVersionID(d.Rollback)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO deployment_rollbacks (environment, deployment, model, version) VALUES (?, ?, ?, ?)`, env, d.Name, model, version)
	return err
}

func (t *tx) InsertDeployment(ctx context.Context, env string, d registry.Deployment) error {
	canary, percent := canaryColumns(d)
	_, err := t.exec(ctx, `INSERT INTO deployments (environment, `+deploymentColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		env, d.Name, d.ModelVersion, canary, percent, d.Replicas.Min, d.Replicas.Max, d.PromoteFrom, formatTime(d.CreatedAt), formatTime(d.UpdatedAt), d.Revision)
	if err != nil {
		return err
	}
	if err := t.insertShadow(ctx, env, d); err != nil {
		return err
	}
	return t.writeRollback(ctx, env, d)
}

// insertShadow writes the shadow of d, if it has one.
func (t *tx) insertShadow(ctx context.Context, env string, d registry.Deployment) error {
	if d.Shadow == nil {
		return nil
	}
	_, err := t.exec(ctx, `INSERT INTO deployment_shadows (environment, deployment, model_version, sample_percent) VALUES (?, ?, ?, ?)`,
		env, d.Name, d.Shadow.ModelVersion, d.Shadow.SamplePercent)
	return err
}

func (t *tx) UpdateDeployment(ctx context.Context, env string, d registry.Deployment) error {
	canary, percent := canaryColumns(d)
	res, err := t.exec(ctx, `UPDATE deployments SET model_version = ?, canary_model_version = ?, canary_percent = ?, replicas_min = ?, replicas_max = ?,
		promote_from = ?, updated_at = ?, revision = ? WHERE environment = ? AND name = ? AND revision = ?`,
		d.ModelVersion, canary, percent, d.Replicas.Min, d.Replicas.Max, d.PromoteFrom, formatTime(d.UpdatedAt), d.Revision, env, d.Name, d.Revision-1)
	if err := changedOne(res, err, registry.KindDeployment, d.Name, env); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `DELETE FROM deployment_shadows WHERE environment = ? AND deployment = ?`, env, d.Name); err != nil {
		return err
	}
	if err := t.insertShadow(ctx, env, d); err != nil {
		return err
	}
	return t.writeRollback(ctx, env, d)
}

func (t *tx) DeleteDeployment(ctx context.Context, env, name string, revision int64) error {
	if err := t.writeRollback(ctx, env, registry.Deployment{Name: name}); err != nil {
		return err
	}
	res, err := t.exec(ctx, `DELETE FROM deployments WHERE environment = ? AND name = ? AND revision = ?`, env, name, revision)
	return changedOne(res, err, registry.KindDeployment, name, env)
}
