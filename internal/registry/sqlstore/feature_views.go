package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

const featureViewColumns = `name, version, sources, labels, features, schema_hash, description, tags, created_at, revision`

func scanFeatureView(row interface{ Scan(...any) error }) (registry.FeatureView, error) {
	var (
		v                                        registry.FeatureView
		sources, labels, features, tags, created string
	)
	if err := row.Scan(&v.Name, &v.Version, &sources, &labels, &features, &v.SchemaHash, &v.Description, &tags, &created, &v.Revision); err != nil {
		return v, err
	}
	for _, col := range []struct {
		name, text string
		dst        any
	}{{"sources", sources, &v.Sources}, {"labels", labels, &v.Labels}, {"schema", features, &v.Schema}, {"tags", tags, &v.Tags}} {
		if err := json.Unmarshal([]byte(col.text), col.dst); err != nil {
			return v, fmt.Errorf("feature view %s: decoding %s: %w", v.ID(), col.name, err)
		}
	}
	var err error
	v.CreatedAt, err = parseTime(created)
	return v, err
}

func (t *tx) FeatureView(ctx context.Context, env, name string, version int64) (registry.FeatureView, error) {
	id := registry.FeatureViewID(name, version)
	if t.missing("feature_views") {
		return registry.FeatureView{}, &registry.NotFoundError{Kind: registry.KindFeatureView, ID: id, Environment: env}
	}
	v, err := scanFeatureView(t.queryRow(ctx, `SELECT `+featureViewColumns+` FROM feature_views WHERE environment = ? AND name = ? AND version = ?`, env, name, version))
	return v, notFound(err, registry.KindFeatureView, id, env)
}

func (t *tx) LatestFeatureView(ctx context.Context, env, name string) (registry.FeatureView, error) {
	id := name + "/<latest>"
	if t.missing("feature_views") {
		return registry.FeatureView{}, &registry.NotFoundError{Kind: registry.KindFeatureView, ID: id, Environment: env}
	}
	v, err := scanFeatureView(t.queryRow(ctx, `SELECT `+featureViewColumns+` FROM feature_views WHERE environment = ? AND name = ? ORDER BY version DESC LIMIT 1`, env, name))
	return v, notFound(err, registry.KindFeatureView, id, env)
}

// versionedRefs runs a query that selects (name, version) pairs and
// returns them as ids.
func (t *tx) versionedRefs(ctx context.Context, format func(string, int64) string, query string, args ...any) ([]string, error) {
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var ids []string
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			return nil, err
		}
		ids = append(ids, format(name, n))
	}
	return ids, rows.Err()
}

func (t *tx) FeatureViewsReading(ctx context.Context, env, featureVersionID string) ([]string, error) {
	group, version, err := registry.ParseFeatureVersionID(featureVersionID)
	if err != nil {
		return nil, err
	}
	if t.missing("feature_view_sources") {
		return nil, nil
	}
	return t.versionedRefs(ctx, registry.FeatureViewID, `SELECT name, version FROM feature_view_sources
		WHERE environment = ? AND feature_group = ? AND feature_version = ? ORDER BY name, version`, env, group, version)
}

func (t *tx) ModelVersionsReadingView(ctx context.Context, env, featureViewID string) ([]string, error) {
	name, version, err := registry.ParseFeatureViewID(featureViewID)
	if err != nil {
		return nil, err
	}
	if t.missing("model_version_views") {
		return nil, nil
	}
	return t.versionedRefs(ctx, registry.ModelVersionID, `SELECT model, version FROM model_version_views
		WHERE environment = ? AND view_name = ? AND view_version = ? ORDER BY model, version`, env, name, version)
}

// featureViewIDs fills the feature views of a model version read without
// them.
func (t *tx) featureViewIDs(ctx context.Context, env string, v *registry.ModelVersion) error {
	v.FeatureViewIDs = nil
	if t.missing("model_version_views") {
		return nil
	}
	ids, err := t.versionedRefs(ctx, registry.FeatureViewID, `SELECT view_name, view_version FROM model_version_views
		WHERE environment = ? AND model = ? AND version = ? ORDER BY view_name, view_version`, env, v.Model, v.Version)
	if len(ids) > 0 {
		v.FeatureViewIDs = registry.SortedIDs(ids)
	}
	return err
}

// insertModelVersionViews records the feature views a model version reads.
func (t *tx) insertModelVersionViews(ctx context.Context, env string, v registry.ModelVersion) error {
	for _, id := range v.FeatureViewIDs {
		name, version, err := registry.ParseFeatureViewID(id)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `INSERT INTO model_version_views (environment, model, version, view_name, view_version) VALUES (?, ?, ?, ?, ?)`,
			env, v.Model, v.Version, name, version); err != nil {
			return err
		}
	}
	return nil
}

func featureViewJSON(v registry.FeatureView) (sources, labels, features, tags string, err error) {
	var out [4]string
	for i, x := range []any{v.Sources, v.Labels, v.Schema, v.Tags} {
		b, err := json.Marshal(x)
		if err != nil {
			return "", "", "", "", err
		}
		out[i] = string(b)
	}
	return out[0], out[1], out[2], out[3], nil
}

func (t *tx) InsertFeatureView(ctx context.Context, env string, v registry.FeatureView) error {
	sources, labels, features, tags, err := featureViewJSON(v)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, `INSERT INTO feature_views (environment, `+featureViewColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		env, v.Name, v.Version, sources, labels, features, v.SchemaHash, v.Description, tags, formatTime(v.CreatedAt), v.Revision); err != nil {
		return err
	}
	for _, id := range v.FeatureVersionIDs() {
		group, version, err := registry.ParseFeatureVersionID(id)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `INSERT INTO feature_view_sources (environment, name, version, feature_group, feature_version) VALUES (?, ?, ?, ?, ?)`,
			env, v.Name, v.Version, group, version); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) UpdateFeatureView(ctx context.Context, env string, v registry.FeatureView) error {
	_, _, _, tags, err := featureViewJSON(v)
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE feature_views SET description = ?, tags = ?, revision = ?
		WHERE environment = ? AND name = ? AND version = ? AND revision = ?`,
		v.Description, tags, v.Revision, env, v.Name, v.Version, v.Revision-1)
	return changedOne(res, err, registry.KindFeatureView, v.ID(), env)
}

func (t *tx) DeleteFeatureView(ctx context.Context, env, name string, version, revision int64) error {
	if _, err := t.exec(ctx, `DELETE FROM feature_view_sources WHERE environment = ? AND name = ? AND version = ?`, env, name, version); err != nil {
		return err
	}
	res, err := t.exec(ctx, `DELETE FROM feature_views WHERE environment = ? AND name = ? AND version = ? AND revision = ?`, env, name, version, revision)
	return changedOne(res, err, registry.KindFeatureView, registry.FeatureViewID(name, version), env)
}
