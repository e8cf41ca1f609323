package sqlstore

import (
	"context"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

const deploymentColumns = `name, model_version, canary_model_version, canary_percent, replicas_min, replicas_max, promote_from, created_at, updated_at, revision`

func (t *tx) Deployment(ctx context.Context, env, name string) (registry.Deployment, error) {
	if t.missing("deployments") {
		return registry.Deployment{}, &registry.NotFoundError{Kind: registry.KindDeployment, ID: name, Environment: env}
	}
	d, err := scanDeployment(t.queryRow(ctx, t.selectDeployments(`d.environment = ? AND d.name = ?`), env, name))
	return d, notFound(err, registry.KindDeployment, name, env)
}

// selectDeployments selects deploymentColumns of the deployments (d)
// matching where, then the model and version of their rollback version
// ("" and 0 for none).
func (t *tx) selectDeployments(where string) string {
	if t.missing("deployment_rollbacks") {
		return `SELECT ` + deploymentColumns + `, '', 0 FROM deployments d WHERE ` + where
	}
	return `SELECT ` + deploymentColumns + `, COALESCE(r.model, ''), COALESCE(r.version, 0) FROM deployments d
		LEFT JOIN deployment_rollbacks r ON r.environment = d.environment AND r.deployment = d.name WHERE ` + where
}

func scanDeployment(row interface{ Scan(...any) error }) (registry.Deployment, error) {
	var (
		d                        registry.Deployment
		canary, created, updated string
		percent                  int64
		rollbackModel            string
		rollbackVersion          int64
	)
	err := row.Scan(&d.Name, &d.ModelVersion, &canary, &percent, &d.Replicas.Min, &d.Replicas.Max, &d.PromoteFrom, &created, &updated, &d.Revision,
		&rollbackModel, &rollbackVersion)
	if err != nil {
		return d, err
	}
	if rollbackModel != "" {
		d.Rollback = registry.ModelVersionID(rollbackModel, rollbackVersion)
	}
	if canary != "" {
		d.Canary = &registry.Canary{ModelVersion: canary, Percent: percent}
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
	rows, err := t.query(ctx, t.selectDeployments(`d.environment = ? ORDER BY d.name`), env)
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
	rows, err := t.query(ctx, `SELECT name FROM deployments WHERE environment = ? AND (model_version = ? OR canary_model_version = ?) ORDER BY name`,
		env, modelVersionID, modelVersionID)
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

func canaryColumns(d registry.Deployment) (string, int64) {
	if d.Canary == nil {
		return "", 0
	}
	return d.Canary.ModelVersion, d.Canary.Percent
}

func (t *tx) InsertDeployment(ctx context.Context, env string, d registry.Deployment) error {
	canary, percent := canaryColumns(d)
	_, err := t.exec(ctx, `INSERT INTO deployments (environment, `+deploymentColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		env, d.Name, d.ModelVersion, canary, percent, d.Replicas.Min, d.Replicas.Max, d.PromoteFrom, formatTime(d.CreatedAt), formatTime(d.UpdatedAt), d.Revision)
	if err != nil {
		return err
	}
	return t.writeRollback(ctx, env, d)
}

func (t *tx) UpdateDeployment(ctx context.Context, env string, d registry.Deployment) error {
	canary, percent := canaryColumns(d)
	res, err := t.exec(ctx, `UPDATE deployments SET model_version = ?, canary_model_version = ?, canary_percent = ?, replicas_min = ?, replicas_max = ?,
		promote_from = ?, updated_at = ?, revision = ? WHERE environment = ? AND name = ? AND revision = ?`,
		d.ModelVersion, canary, percent, d.Replicas.Min, d.Replicas.Max, d.PromoteFrom, formatTime(d.UpdatedAt), d.Revision, env, d.Name, d.Revision-1)
	if err := changedOne(res, err, registry.KindDeployment, d.Name, env); err != nil {
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
