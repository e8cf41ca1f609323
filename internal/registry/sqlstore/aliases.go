package sqlstore

import (
	"context"
	"errors"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

const aliasColumns = `model, name, version, description, updated_at, revision`

func scanAlias(row interface{ Scan(...any) error }) (registry.ModelAlias, error) {
	var (
		a       registry.ModelAlias
		version int64
		updated string
	)
	if err := row.Scan(&a.Model, &a.Name, &version, &a.Description, &updated, &a.Revision); err != nil {
		return a, err
	}
	a.ModelVersionID = registry.ModelVersionID(a.Model, version)
	var err error
	a.UpdatedAt, err = parseTime(updated)
	return a, err
}

func (t *tx) ModelAlias(ctx context.Context, env, model, name string) (registry.ModelAlias, error) {
	id := registry.ModelAliasID(model, name)
	if t.missing("model_aliases") {
		return registry.ModelAlias{}, &registry.NotFoundError{Kind: registry.KindModelAlias, ID: id, Environment: env}
	}
	a, err := scanAlias(t.queryRow(ctx, `SELECT `+aliasColumns+` FROM model_aliases WHERE environment = ? AND model = ? AND name = ?`, env, model, name))
	return a, notFound(err, registry.KindModelAlias, id, env)
}

func (t *tx) ModelAliases(ctx context.Context, env, model string) ([]registry.ModelAlias, error) {
	if t.missing("model_aliases") {
		return nil, nil
	}
	rows, err := t.query(ctx, `SELECT `+aliasColumns+` FROM model_aliases WHERE environment = ? AND model = ? ORDER BY name`, env, model)
	if err != nil {
		return nil, err
	}
	var out []registry.ModelAlias
	for rows.Next() {
		a, err := scanAlias(rows)
		if err != nil {
			_ = rows.Close()
			return nil, err
		}
		out = append(out, a)
	}
	return out, errors.Join(rows.Err(), rows.Close())
}

func (t *tx) AliasesOf(ctx context.Context, env, modelVersionID string) ([]string, error) {
	model, version, err := registry.ParseModelVersionID(modelVersionID)
	if err != nil {
		return nil, err
	}
	if t.missing("model_aliases") {
		return nil, nil
	}
	rows, err := t.query(ctx, `SELECT name FROM model_aliases WHERE environment = ? AND model = ? AND version = ? ORDER BY name`, env, model, version)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var ids []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		ids = append(ids, registry.ModelAliasID(model, name))
	}
	return ids, rows.Err()
}

// aliasVersion is the version number an alias of model points at.
func aliasVersion(a registry.ModelAlias) (int64, error) {
	_, version, err := registry.ParseModelVersionID(a.ModelVersionID)
	return version, err
}

func (t *tx) InsertModelAlias(ctx context.Context, env string, a registry.ModelAlias) error {
	version, err := aliasVersion(a)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO model_aliases (environment, `+aliasColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		env, a.Model, a.Name, version, a.Description, formatTime(a.UpdatedAt), a.Revision)
	return err
}

func (t *tx) UpdateModelAlias(ctx context.Context, env string, a registry.ModelAlias) error {
	version, err := aliasVersion(a)
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE model_aliases SET version = ?, description = ?, updated_at = ?, revision = ?
		WHERE environment = ? AND model = ? AND name = ? AND revision = ?`,
		version, a.Description, formatTime(a.UpdatedAt), a.Revision, env, a.Model, a.Name, a.Revision-1)
	return changedOne(res, err, registry.KindModelAlias, a.ID(), env)
}

func (t *tx) DeleteModelAlias(ctx context.Context, env, model, name string, revision int64) error {
	res, err := t.exec(ctx, `DELETE FROM model_aliases WHERE environment = ? AND model = ? AND name = ? AND revision = ?`, env, model, name, revision)
	return changedOne(res, err, registry.KindModelAlias, registry.ModelAliasID(model, name), env)
}
