package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

const pipelineColumns = `name, kind, enabled, schedule, code_repository, code_ref, code_image, description, tags, created_at, updated_at, revision`

func scanPipeline(row interface{ Scan(...any) error }) (registry.Pipeline, error) {
	var (
		p                      registry.Pipeline
		enabled                int64
		code                   registry.PipelineCode
		tags, created, updated string
	)
	if err := row.Scan(&p.Name, &p.Kind, &enabled, &p.Schedule, &code.Repository, &code.Ref, &code.Image, &p.Description, &tags,
		&created, &updated, &p.Revision); err != nil {
		return p, err
	}
	p.Enabled = enabled != 0
	if code != (registry.PipelineCode{}) {
		p.Code = &code
	}
	if err := json.Unmarshal([]byte(tags), &p.Tags); err != nil {
		return p, fmt.Errorf("pipeline %q: decoding tags: %w", p.Name, err)
	}
	var err1, err2 error
	p.CreatedAt, err1 = parseTime(created)
	p.UpdatedAt, err2 = parseTime(updated)
	return p, errors.Join(err1, err2)
}

// pipelineIO fills what pipeline p reads and writes.
func (t *tx) pipelineIO(ctx context.Context, env string, p *registry.Pipeline) error {
	for _, table := range []string{"pipeline_reads", "pipeline_writes"} {
		rows, err := t.query(ctx, `SELECT kind, object FROM `+table+` WHERE environment = ? AND pipeline = ? ORDER BY kind, object`, env, p.Name)
		if err != nil {
			return err
		}
		for rows.Next() {
			var kind, object string
			if err := rows.Scan(&kind, &object); err != nil {
				_ = rows.Close()
				return err
			}
			if table == "pipeline_reads" {
				addRead(p, registry.Kind(kind), object)
			} else {
				addWrite(p, registry.Kind(kind), object)
			}
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
	}
	return nil
}

func addRead(p *registry.Pipeline, kind registry.Kind, id string) {
	switch kind {
	case registry.KindFeatureVersion:
		p.Reads.FeatureVersionIDs = append(p.Reads.FeatureVersionIDs, id)
	case registry.KindDeployment:
		p.Reads.DeploymentID = id
	default:
		p.Reads.FeatureViewIDs = append(p.Reads.FeatureViewIDs, id)
	}
}

func addWrite(p *registry.Pipeline, kind registry.Kind, id string) {
	switch kind {
	case registry.KindModel:
		p.Writes.ModelID = id
	default:
		p.Writes.FeatureVersionIDs = append(p.Writes.FeatureVersionIDs, id)
	}
}

func (t *tx) Pipeline(ctx context.Context, env, name string) (registry.Pipeline, error) {
	if t.missing("pipelines") {
		return registry.Pipeline{}, &registry.NotFoundError{Kind: registry.KindPipeline, ID: name, Environment: env}
	}
	p, err := scanPipeline(t.queryRow(ctx, `SELECT `+pipelineColumns+` FROM pipelines WHERE environment = ? AND name = ?`, env, name))
	if err != nil {
		return p, notFound(err, registry.KindPipeline, name, env)
	}
	return p, t.pipelineIO(ctx, env, &p)
}

func (t *tx) PipelinesWriting(ctx context.Context, env, featureVersionID string) ([]registry.Pipeline, error) {
	if t.missing("pipelines") {
		return nil, nil
	}
	rows, err := t.query(ctx, `SELECT `+pipelineColumns+` FROM pipelines WHERE environment = ? AND name IN
		(SELECT pipeline FROM pipeline_writes WHERE environment = ? AND kind = ? AND object = ?) ORDER BY name`,
		env, env, string(registry.KindFeatureVersion), featureVersionID)
	if err != nil {
		return nil, err
	}
	var out []registry.Pipeline
	for rows.Next() {
		p, err := scanPipeline(rows)
		if err != nil {
			_ = rows.Close()
			return nil, err
		}
		out = append(out, p)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	for i := range out {
		if err := t.pipelineIO(ctx, env, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (t *tx) PipelinesNaming(ctx context.Context, env string, obj registry.Ref) ([]string, error) {
	if t.missing("pipelines") {
		return nil, nil
	}
	rows, err := t.query(ctx, `SELECT pipeline FROM pipeline_reads WHERE environment = ? AND kind = ? AND object = ?
		UNION SELECT pipeline FROM pipeline_writes WHERE environment = ? AND kind = ? AND object = ? ORDER BY 1`,
		env, string(obj.Kind), obj.ID, env, string(obj.Kind), obj.ID)
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

func (t *tx) HasFeaturePipelines(ctx context.Context, env string) (bool, error) {
	if t.missing("pipelines") {
		return false, nil
	}
	var n int64
	err := t.queryRow(ctx, `SELECT CASE WHEN EXISTS (SELECT 1 FROM pipelines WHERE environment = ? AND kind = ?) THEN 1 ELSE 0 END`,
		env, registry.PipelineFeature).Scan(&n)
	return n == 1, err
}

// pipelineValues are the columns of pipelineColumns after name and kind,
// in that order.
func pipelineValues(p registry.Pipeline) ([]any, error) {
	tags, err := json.Marshal(p.Tags)
	if err != nil {
		return nil, err
	}
	var code registry.PipelineCode
	if p.Code != nil {
		code = *p.Code
	}
	return []any{boolInt(p.Enabled), p.Schedule, code.Repository, code.Ref, code.Image, p.Description, string(tags),
		formatTime(p.CreatedAt), formatTime(p.UpdatedAt), p.Revision}, nil
}

// insertPipelineIO writes what p reads and writes.
func (t *tx) insertPipelineIO(ctx context.Context, env string, p registry.Pipeline) error {
	for table, refs := range map[string][]registry.Ref{"pipeline_reads": p.ReadRefs(), "pipeline_writes": p.WriteRefs()} {
		for _, r := range refs {
			if _, err := t.exec(ctx, `INSERT INTO `+table+` (environment, pipeline, kind, object) VALUES (?, ?, ?, ?)`,
				env, p.Name, string(r.Kind), r.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t *tx) deletePipelineIO(ctx context.Context, env, name string) error {
	for _, table := range []string{"pipeline_reads", "pipeline_writes"} {
		if _, err := t.exec(ctx, `DELETE FROM `+table+` WHERE environment = ? AND pipeline = ?`, env, name); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) InsertPipeline(ctx context.Context, env string, p registry.Pipeline) error {
	values, err := pipelineValues(p)
	if err != nil {
		return err
	}
	args := append([]any{env, p.Name, p.Kind}, values...)
	if _, err := t.exec(ctx, `INSERT INTO pipelines (environment, `+pipelineColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...); err != nil {
		return err
	}
	return t.insertPipelineIO(ctx, env, p)
}

func (t *tx) UpdatePipeline(ctx context.Context, env string, p registry.Pipeline) error {
	values, err := pipelineValues(p)
	if err != nil {
		return err
	}
	args := append(append([]any{p.Kind}, values...), env, p.Name, p.Revision-1)
	res, err := t.exec(ctx, `UPDATE pipelines SET kind = ?, enabled = ?, schedule = ?, code_repository = ?, code_ref = ?, code_image = ?,
		description = ?, tags = ?, created_at = ?, updated_at = ?, revision = ? WHERE environment = ? AND name = ? AND revision = ?`, args...)
	if err := changedOne(res, err, registry.KindPipeline, p.Name, env); err != nil {
		return err
	}
	if err := t.deletePipelineIO(ctx, env, p.Name); err != nil {
		return err
	}
	return t.insertPipelineIO(ctx, env, p)
}

func (t *tx) DeletePipeline(ctx context.Context, env, name string, revision int64) error {
	if err := t.deletePipelineIO(ctx, env, name); err != nil {
		return err
	}
	res, err := t.exec(ctx, `DELETE FROM pipelines WHERE environment = ? AND name = ? AND revision = ?`, env, name, revision)
	return changedOne(res, err, registry.KindPipeline, name, env)
}
