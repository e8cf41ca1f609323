package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

const featureGroupColumns = `name, primary_key, event_time, online_enabled, description, tags, created_at, revision`

func scanFeatureGroup(row interface{ Scan(...any) error }) (registry.FeatureGroup, error) {
	var (
		g                 registry.FeatureGroup
		pk, tags, created string
		online            int
	)
	if err := row.Scan(&g.Name, &pk, &g.EventTime, &online, &g.Description, &tags, &created, &g.Revision); err != nil {
		return g, err
	}
	g.OnlineEnabled = online != 0
	if err := json.Unmarshal([]byte(pk), &g.PrimaryKey); err != nil {
		return g, fmt.Errorf("feature group %q: decoding primary_key: %w", g.Name, err)
	}
	if err := json.Unmarshal([]byte(tags), &g.Tags); err != nil {
		return g, fmt.Errorf("feature group %q: decoding tags: %w", g.Name, err)
	}
	var err error
	g.CreatedAt, err = parseTime(created)
	return g, err
}

func (t *tx) FeatureGroup(ctx context.Context, env, name string) (registry.FeatureGroup, error) {
	if t.missing("feature_groups") {
		return registry.FeatureGroup{}, &registry.NotFoundError{Kind: registry.KindFeatureGroup, ID: name, Environment: env}
	}
	g, err := scanFeatureGroup(t.queryRow(ctx,
		`SELECT `+featureGroupColumns+` FROM feature_groups WHERE environment = ? AND name = ?`, env, name))
	return g, notFound(err, registry.KindFeatureGroup, name, env)
}

func (t *tx) InsertFeatureGroup(ctx context.Context, env string, g registry.FeatureGroup) error {
	pk, tags, err := featureGroupJSON(g)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO feature_groups (environment, `+featureGroupColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		env, g.Name, pk, g.EventTime, boolInt(g.OnlineEnabled), g.Description, tags, formatTime(g.CreatedAt), g.Revision)
	return err
}

func (t *tx) UpdateFeatureGroup(ctx context.Context, env string, g registry.FeatureGroup) error {
	pk, tags, err := featureGroupJSON(g)
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE feature_groups SET primary_key = ?, event_time = ?, online_enabled = ?, description = ?, tags = ?, revision = ?
		WHERE environment = ? AND name = ? AND revision = ?`,
		pk, g.EventTime, boolInt(g.OnlineEnabled), g.Description, tags, g.Revision, env, g.Name, g.Revision-1)
	return changedOne(res, err, registry.KindFeatureGroup, g.Name, env)
}

func (t *tx) DeleteFeatureGroup(ctx context.Context, env, name string, revision int64) error {
	res, err := t.exec(ctx, `DELETE FROM feature_groups WHERE environment = ? AND name = ? AND revision = ?`, env, name, revision)
	return changedOne(res, err, registry.KindFeatureGroup, name, env)
}

func featureGroupJSON(g registry.FeatureGroup) (pk, tags string, err error) {
	b, err := json.Marshal(g.PrimaryKey)
	if err != nil {
		return "", "", err
	}
	c, err := json.Marshal(g.Tags)
	return string(b), string(c), err
}

const featureVersionColumns = `feature_group, version, features, deprecated, description, schema_hash, created_at, revision`

func scanFeatureVersion(row interface{ Scan(...any) error }) (registry.FeatureVersion, error) {
	var (
		v                 registry.FeatureVersion
		features, created string
		deprecated        int
	)
	if err := row.Scan(&v.Group, &v.Version, &features, &deprecated, &v.Description, &v.SchemaHash, &created, &v.Revision); err != nil {
		return v, err
	}
	v.Deprecated = deprecated != 0
	if err := json.Unmarshal([]byte(features), &v.Features); err != nil {
		return v, fmt.Errorf("feature version %s: decoding features: %w", v.ID(), err)
	}
	var err error
	v.CreatedAt, err = parseTime(created)
	return v, err
}

func (t *tx) FeatureVersion(ctx context.Context, env, group string, version int64) (registry.FeatureVersion, error) {
	if t.missing("feature_versions") {
		return registry.FeatureVersion{}, &registry.NotFoundError{Kind: registry.KindFeatureVersion, ID: registry.FeatureVersionID(group, version), Environment: env}
	}
	v, err := scanFeatureVersion(t.queryRow(ctx,
		`SELECT `+featureVersionColumns+` FROM feature_versions WHERE environment = ? AND feature_group = ? AND version = ?`, env, group, version))
	return v, notFound(err, registry.KindFeatureVersion, registry.FeatureVersionID(group, version), env)
}

func (t *tx) FeatureVersions(ctx context.Context, env, group string) ([]registry.FeatureVersion, error) {
	if t.missing("feature_versions") {
		return nil, nil
	}
	rows, err := t.query(ctx,
		`SELECT `+featureVersionColumns+` FROM feature_versions WHERE environment = ? AND feature_group = ? ORDER BY version`, env, group)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var out []registry.FeatureVersion
	for rows.Next() {
		v, err := scanFeatureVersion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (t *tx) InsertFeatureVersion(ctx context.Context, env string, v registry.FeatureVersion) error {
	features, err := json.Marshal(v.Features)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO feature_versions (environment, `+featureVersionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		env, v.Group, v.Version, string(features), boolInt(v.Deprecated), v.Description, v.SchemaHash, formatTime(v.CreatedAt), v.Revision)
	return err
}

func (t *tx) UpdateFeatureVersion(ctx context.Context, env string, v registry.FeatureVersion) error {
	features, err := json.Marshal(v.Features)
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE feature_versions SET features = ?, deprecated = ?, description = ?, schema_hash = ?, revision = ?
		WHERE environment = ? AND feature_group = ? AND version = ? AND revision = ?`,
		string(features), boolInt(v.Deprecated), v.Description, v.SchemaHash, v.Revision, env, v.Group, v.Version, v.Revision-1)
	return changedOne(res, err, registry.KindFeatureVersion, v.ID(), env)
}

func (t *tx) DeleteFeatureVersion(ctx context.Context, env, group string, version, revision int64) error {
	res, err := t.exec(ctx, `DELETE FROM feature_versions WHERE environment = ? AND feature_group = ? AND version = ? AND revision = ?`,
		env, group, version, revision)
	return changedOne(res, err, registry.KindFeatureVersion, registry.FeatureVersionID(group, version), env)
}

func (t *tx) AppendAudit(ctx context.Context, r registry.AuditRecord) error {
	_, err := t.exec(ctx, `INSERT INTO audit (environment, object_kind, object_id, action, before, after, at, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Environment, string(r.Kind), r.ObjectID, r.Action, r.Before, r.After, formatTime(r.At), r.Actor)
	return err
}

func (t *tx) Audit(ctx context.Context, env string, kind registry.Kind, id string) ([]registry.AuditRecord, error) {
	return t.auditRecords(ctx, `ORDER BY id`, env, string(kind), id)
}

// RecentAudit reads the newest rows only: the id column orders the writes,
// and the audit_object index finds one object's rows.
func (t *tx) RecentAudit(ctx context.Context, env string, kind registry.Kind, id string, limit int) ([]registry.AuditRecord, error) {
	return t.auditRecords(ctx, `ORDER BY id DESC LIMIT ?`, env, string(kind), id, limit)
}

// auditRecords reads the audit rows of one object (args: environment, kind,
// id, then those of order) in the order order gives.
func (t *tx) auditRecords(ctx context.Context, order string, args ...any) ([]registry.AuditRecord, error) {
	if t.missing("audit") {
		return nil, nil
	}
	rows, err := t.query(ctx, `SELECT environment, object_kind, object_id, action, before, after, at, actor FROM audit
		WHERE environment = ? AND object_kind = ? AND object_id = ? `+order, args...)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var out []registry.AuditRecord
	for rows.Next() {
		var (
			r     registry.AuditRecord
			k, at string
		)
		if err := rows.Scan(&r.Environment, &k, &r.ObjectID, &r.Action, &r.Before, &r.After, &at, &r.Actor); err != nil {
			return nil, err
		}
		r.Kind = registry.Kind(k)
		if r.At, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
