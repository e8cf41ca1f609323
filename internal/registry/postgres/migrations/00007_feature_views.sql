-- +goose Up
-- A feature view: features joined from feature versions, which model
-- versions read. Its sources, labels and features (its schema) are JSON and never change.
CREATE TABLE feature_views (
    environment TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    version     BIGINT  NOT NULL CHECK (version >= 1),
    sources     TEXT    NOT NULL,
    labels      TEXT    NOT NULL,
    features    TEXT    NOT NULL,
    schema_hash TEXT    NOT NULL,
    description TEXT    NOT NULL,
    tags        TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    revision    BIGINT  NOT NULL,
    PRIMARY KEY (environment, name, version)
);

-- Which feature versions each feature view reads.
CREATE TABLE feature_view_sources (
    environment     TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    version         BIGINT  NOT NULL,
    feature_group   TEXT    NOT NULL,
    feature_version BIGINT  NOT NULL,
    PRIMARY KEY (environment, name, version, feature_group, feature_version),
    FOREIGN KEY (environment, name, version) REFERENCES feature_views (environment, name, version) ON DELETE CASCADE,
    FOREIGN KEY (environment, feature_group, feature_version) REFERENCES feature_versions (environment, feature_group, version)
);
CREATE INDEX feature_view_sources_by_feature ON feature_view_sources (environment, feature_group, feature_version);

-- Which feature views each model version reads (next to
-- model_version_features).
CREATE TABLE model_version_views (
    environment  TEXT    NOT NULL,
    model        TEXT    NOT NULL,
    version      BIGINT  NOT NULL,
    view_name    TEXT    NOT NULL,
    view_version BIGINT  NOT NULL,
    PRIMARY KEY (environment, model, version, view_name, view_version),
    FOREIGN KEY (environment, model, version) REFERENCES model_versions (environment, model, version) ON DELETE CASCADE,
    FOREIGN KEY (environment, view_name, view_version) REFERENCES feature_views (environment, name, version)
);
CREATE INDEX model_version_views_by_view ON model_version_views (environment, view_name, view_version);

-- +goose Down
DROP TABLE model_version_views;
DROP TABLE feature_view_sources;
DROP TABLE feature_views;
