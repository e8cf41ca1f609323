package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

const suiteColumns = `name, feature_group, feature_version, model, ingestion_policy, expectations, created_at, revision`

func scanSuite(row interface{ Scan(...any) error }) (registry.ValidationSuite, error) {
	var (
		s                    registry.ValidationSuite
		group, exps, created string
		version              int64
	)
	if err := row.Scan(&s.Name, &group, &version, &s.Model, &s.IngestionPolicy, &exps, &created, &s.Revision); err != nil {
		return s, err
	}
	if group != "" {
		s.FeatureVersion = registry.FeatureVersionID(group, version)
	}
	if err := json.Unmarshal([]byte(exps), &s.Expectations); err != nil {
		return s, fmt.Errorf("validation suite %q: decoding expectations: %w", s.Name, err)
	}
	var err error
	s.CreatedAt, err = parseTime(created)
	return s, err
}

func (t *tx) Suite(ctx context.Context, env, name string) (registry.ValidationSuite, error) {
	if t.missing("validation_suites") {
		return registry.ValidationSuite{}, &registry.NotFoundError{Kind: registry.KindSuite, ID: name, Environment: env}
	}
	s, err := scanSuite(t.queryRow(ctx, `SELECT `+suiteColumns+` FROM validation_suites WHERE environment = ? AND name = ?`, env, name))
	return s, notFound(err, registry.KindSuite, name, env)
}

func (t *tx) SuitesFor(ctx context.Context, env string, target registry.Ref) ([]registry.ValidationSuite, error) {
	var query string
	var args []any
	switch target.Kind {
	case registry.KindFeatureVersion:
		group, version, err := registry.ParseFeatureVersionID(target.ID)
		if err != nil {
			return nil, err
		}
		query, args = `feature_group = ? AND feature_version = ?`, []any{group, version}
	case registry.KindModel:
		query, args = `model = ?`, []any{target.ID}
	default:
		return nil, fmt.Errorf("validation suites target feature versions and models, not a %s", target.Kind)
	}
	if t.missing("validation_suites") {
		return nil, nil
	}
	rows, err := t.query(ctx, `SELECT `+suiteColumns+` FROM validation_suites WHERE environment = ? AND `+query+` ORDER BY name`, append([]any{env}, args...)...)
	if err != nil {
		return nil, err
	}
	var out []registry.ValidationSuite
	for rows.Next() {
		s, err := scanSuite(rows)
		if err != nil {
			_ = rows.Close()
			return nil, err
		}
		out = append(out, s)
	}
	return out, errors.Join(rows.Err(), rows.Close())
}

func suiteColumnsOf(s registry.ValidationSuite) (group string, version int64, exps string, err error) {
	if s.FeatureVersion != "" {
		if group, version, err = registry.ParseFeatureVersionID(s.FeatureVersion); err != nil {
			return "", 0, "", err
		}
	}
	b, err := json.Marshal(s.Expectations)
	return group, version, string(b), err
}

func (t *tx) InsertSuite(ctx context.Context, env string, s registry.ValidationSuite) error {
	group, version, exps, err := suiteColumnsOf(s)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO validation_suites (environment, `+suiteColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		env, s.Name, group, version, s.Model, s.IngestionPolicy, exps, formatTime(s.CreatedAt), s.Revision)
	return err
}

func (t *tx) UpdateSuite(ctx context.Context, env string, s registry.ValidationSuite) error {
	group, version, exps, err := suiteColumnsOf(s)
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE validation_suites SET feature_group = ?, feature_version = ?, model = ?, ingestion_policy = ?, expectations = ?, revision = ?
		WHERE environment = ? AND name = ? AND revision = ?`,
		group, version, s.Model, s.IngestionPolicy, exps, s.Revision, env, s.Name, s.Revision-1)
	return changedOne(res, err, registry.KindSuite, s.Name, env)
}

func (t *tx) DeleteSuite(ctx context.Context, env, name string, revision int64) error {
	res, err := t.exec(ctx, `DELETE FROM validation_suites WHERE environment = ? AND name = ? AND revision = ?`, env, name, revision)
	return changedOne(res, err, registry.KindSuite, name, env)
}
