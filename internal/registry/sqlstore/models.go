package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

const modelColumns = `name, description, tags, created_at, revision`

func (t *tx) Model(ctx context.Context, env, name string) (registry.Model, error) {
	if t.missing("models") {
		return registry.Model{}, &registry.NotFoundError{Kind: registry.KindModel, ID: name, Environment: env}
	}
	var (
		m             registry.Model
		tags, created string
	)
	err := t.queryRow(ctx, `SELECT `+modelColumns+` FROM models WHERE environment = ? AND name = ?`, env, name).
		Scan(&m.Name, &m.Description, &tags, &created, &m.Revision)
	if err != nil {
		return m, notFound(err, registry.KindModel, name, env)
	}
	if err := json.Unmarshal([]byte(tags), &m.Tags); err != nil {
		return m, fmt.Errorf("model %q: decoding tags: %w", name, err)
	}
	m.CreatedAt, err = parseTime(created)
	return m, err
}

func (t *tx) InsertModel(ctx context.Context, env string, m registry.Model) error {
	tags, err := json.Marshal(m.Tags)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO models (environment, `+modelColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
		env, m.Name, m.Description, string(tags), formatTime(m.CreatedAt), m.Revision)
	return err
}

func (t *tx) UpdateModel(ctx context.Context, env string, m registry.Model) error {
	tags, err := json.Marshal(m.Tags)
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE models SET description = ?, tags = ?, revision = ? WHERE environment = ? AND name = ? AND revision = ?`,
		m.Description, string(tags), m.Revision, env, m.Name, m.Revision-1)
	return changedOne(res, err, registry.KindModel, m.Name, env)
}

func (t *tx) DeleteModel(ctx context.Context, env, name string, revision int64) error {
	res, err := t.exec(ctx, `DELETE FROM models WHERE environment = ? AND name = ? AND revision = ?`, env, name, revision)
	return changedOne(res, err, registry.KindModel, name, env)
}

const modelVersionColumns = `model, version, artifact_uri, artifact_digest, inputs, metrics, description, tags, created_at, revision`

func scanModelVersion(row interface{ Scan(...any) error }) (registry.ModelVersion, error) {
	var (
		v                              registry.ModelVersion
		inputs, metrics, tags, created string
	)
	if err := row.Scan(&v.Model, &v.Version, &v.ArtifactURI, &v.ArtifactDigest, &inputs, &metrics, &v.Description, &tags, &created, &v.Revision); err != nil {
		return v, err
	}
	for _, col := range []struct {
		name, text string
		dst        any
	}{{"inputs", inputs, &v.Inputs}, {"metrics", metrics, &v.Metrics}, {"tags", tags, &v.Tags}} {
		if err := json.Unmarshal([]byte(col.text), col.dst); err != nil {
			return v, fmt.Errorf("model version %s: decoding %s: %w", v.ID(), col.name, err)
		}
	}
	var err error
	if v.CreatedAt, err = parseTime(created); err != nil {
		return v, err
	}
	return v, nil
}

// featureVersionIDs fills the lineage of model versions read without it.
func (t *tx) featureVersionIDs(ctx context.Context, env string, v *registry.ModelVersion) error {
	rows, err := t.query(ctx, `SELECT feature_group, feature_version FROM model_version_features
		WHERE environment = ? AND model = ? AND version = ? ORDER BY feature_group, feature_version`, env, v.Model, v.Version)
	if err != nil {
		return err
	}
	defer func() { _ = rows.Close() }()
	v.FeatureVersionIDs = []string{}
	for rows.Next() {
		var g string
		var n int64
		if err := rows.Scan(&g, &n); err != nil {
			return err
		}
		v.FeatureVersionIDs = append(v.FeatureVersionIDs, registry.FeatureVersionID(g, n))
	}
	if err := rows.Err(); err != nil {
		return err
	}
	v.FeatureVersionIDs = registry.SortedIDs(v.FeatureVersionIDs)
	return nil
}

func (t *tx) ModelVersion(ctx context.Context, env, model string, version int64) (registry.ModelVersion, error) {
	if t.missing("model_versions") {
		return registry.ModelVersion{}, &registry.NotFoundError{Kind: registry.KindModelVersion, ID: registry.ModelVersionID(model, version), Environment: env}
	}
	v, err := scanModelVersion(t.queryRow(ctx,
		`SELECT `+modelVersionColumns+` FROM model_versions WHERE environment = ? AND model = ? AND version = ?`, env, model, version))
	if err != nil {
		return v, notFound(err, registry.KindModelVersion, registry.ModelVersionID(model, version), env)
	}
	if err := t.featureVersionIDs(ctx, env, &v); err != nil {
		return v, err
	}
	return v, t.featureViewIDs(ctx, env, &v)
}

func (t *tx) ModelVersions(ctx context.Context, env, model string) ([]registry.ModelVersion, error) {
	if t.missing("model_versions") {
		return nil, nil
	}
	rows, err := t.query(ctx, `SELECT `+modelVersionColumns+` FROM model_versions WHERE environment = ? AND model = ? ORDER BY version`, env, model)
	if err != nil {
		return nil, err
	}
	var out []registry.ModelVersion
	for rows.Next() {
		v, err := scanModelVersion(rows)
		if err != nil {
			_ = rows.Close()
			return nil, err
		}
		out = append(out, v)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	for i := range out {
		if err := t.featureVersionIDs(ctx, env, &out[i]); err != nil {
			return nil, err
		}
		if err := t.featureViewIDs(ctx, env, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (t *tx) ModelVersionsReading(ctx context.Context, env, featureVersionID string) ([]string, error) {
	group, version, err := registry.ParseFeatureVersionID(featureVersionID)
	if err != nil {
		return nil, err
	}
	if t.missing("model_version_features") {
		return nil, nil
	}
	rows, err := t.query(ctx, `SELECT model, version FROM model_version_features
		WHERE environment = ? AND feature_group = ? AND feature_version = ? ORDER BY model, version`, env, group, version)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var ids []string
	for rows.Next() {
		var m string
		var n int64
		if err := rows.Scan(&m, &n); err != nil {
			return nil, err
		}
		ids = append(ids, registry.ModelVersionID(m, n))
	}
	return ids, rows.Err()
}

func modelVersionJSON(v registry.ModelVersion) (inputs, metrics, tags string, err error) {
	b1, err := json.Marshal(v.Inputs)
	if err != nil {
		return "", "", "", err
	}
	b2, err := json.Marshal(v.Metrics)
	if err != nil {
		return "", "", "", err
	}
	b3, err := json.Marshal(v.Tags)
	return string(b1), string(b2), string(b3), err
}

func (t *tx) InsertModelVersion(ctx context.Context, env string, v registry.ModelVersion) error {
	inputs, metrics, tags, err := modelVersionJSON(v)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, `INSERT INTO model_versions (environment, `+modelVersionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		env, v.Model, v.Version, v.ArtifactURI, v.ArtifactDigest, inputs, metrics, v.Description, tags, formatTime(v.CreatedAt), v.Revision); err != nil {
		return err
	}
	for _, id := range v.FeatureVersionIDs {
		group, version, err := registry.ParseFeatureVersionID(id)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `INSERT INTO model_version_features (environment, model, version, feature_group, feature_version) VALUES (?, ?, ?, ?, ?)`,
			env, v.Model, v.Version, group, version); err != nil {
			return err
		}
	}
	return t.insertModelVersionViews(ctx, env, v)
}

func (t *tx) UpdateModelVersion(ctx context.Context, env string, v registry.ModelVersion) error {
	inputs, metrics, tags, err := modelVersionJSON(v)
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE model_versions SET inputs = ?, metrics = ?, description = ?, tags = ?, revision = ?
		WHERE environment = ? AND model = ? AND version = ? AND revision = ?`,
		inputs, metrics, v.Description, tags, v.Revision, env, v.Model, v.Version, v.Revision-1)
	return changedOne(res, err, registry.KindModelVersion, v.ID(), env)
}

func (t *tx) DeleteModelVersion(ctx context.Context, env, model string, version, revision int64) error {
	if _, err := t.exec(ctx, `DELETE FROM model_version_features WHERE environment = ? AND model = ? AND version = ?`, env, model, version); err != nil {
		return err
	}
	if !t.missing("model_version_views") {
		if _, err := t.exec(ctx, `DELETE FROM model_version_views WHERE environment = ? AND model = ? AND version = ?`, env, model, version); err != nil {
			return err
		}
	}
	res, err := t.exec(ctx, `DELETE FROM model_versions WHERE environment = ? AND model = ? AND version = ? AND revision = ?`, env, model, version, revision)
	return changedOne(res, err, registry.KindModelVersion, registry.ModelVersionID(model, version), env)
}
