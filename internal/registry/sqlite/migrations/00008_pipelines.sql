-- +goose Up
-- A pipeline: a job that reads and writes registry objects (feature
-- versions, feature views, a deployment, a model).
CREATE TABLE pipelines (
    environment     TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    enabled         INTEGER NOT NULL,
    schedule        TEXT    NOT NULL,
    code_repository TEXT    NOT NULL,
    code_ref        TEXT    NOT NULL,
    code_image      TEXT    NOT NULL,
    description     TEXT    NOT NULL,
    tags            TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    revision        INTEGER NOT NULL,
    PRIMARY KEY (environment, name)
);
CREATE INDEX pipelines_by_kind ON pipelines (environment, kind);

-- What each pipeline reads and writes: one row per object, its kind in the
-- registry's words (feature version, feature view, deployment, model) and
-- its id.
CREATE TABLE pipeline_reads (
    environment TEXT NOT NULL,
    pipeline    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    object      TEXT NOT NULL,
    PRIMARY KEY (environment, pipeline, kind, object),
    FOREIGN KEY (environment, pipeline) REFERENCES pipelines (environment, name) ON DELETE CASCADE
);
CREATE INDEX pipeline_reads_by_object ON pipeline_reads (environment, kind, object);

CREATE TABLE pipeline_writes (
    environment TEXT NOT NULL,
    pipeline    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    object      TEXT NOT NULL,
    PRIMARY KEY (environment, pipeline, kind, object),
    FOREIGN KEY (environment, pipeline) REFERENCES pipelines (environment, name) ON DELETE CASCADE
);
CREATE INDEX pipeline_writes_by_object ON pipeline_writes (environment, kind, object);

-- The model version a deployment falls back to (its rollback version), for
-- the deployments that name one.
CREATE TABLE deployment_rollbacks (
    environment TEXT    NOT NULL,
    deployment  TEXT    NOT NULL,
    model       TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    PRIMARY KEY (environment, deployment),
    FOREIGN KEY (environment, deployment) REFERENCES deployments (environment, name) ON DELETE CASCADE,
    FOREIGN KEY (environment, model, version) REFERENCES model_versions (environment, model, version)
);
CREATE INDEX deployment_rollbacks_by_version ON deployment_rollbacks (environment, model, version);

-- +goose Down
DROP TABLE deployment_rollbacks;
DROP TABLE pipeline_writes;
DROP TABLE pipeline_reads;
DROP TABLE pipelines;
