-- +goose Up
CREATE TABLE models (
    environment TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL,
    tags        TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    revision    BIGINT NOT NULL,
    PRIMARY KEY (environment, name)
);

CREATE TABLE model_versions (
    environment     TEXT    NOT NULL,
    model           TEXT    NOT NULL,
    version         BIGINT NOT NULL CHECK (version >= 1),
    artifact_uri    TEXT    NOT NULL,
    artifact_digest TEXT    NOT NULL,
    inputs          TEXT    NOT NULL,
    metrics         TEXT    NOT NULL,
    description     TEXT    NOT NULL,
    tags            TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    revision        BIGINT NOT NULL,
    PRIMARY KEY (environment, model, version),
    FOREIGN KEY (environment, model) REFERENCES models (environment, name)
);

-- The lineage: which feature versions each model version reads.
CREATE TABLE model_version_features (
    environment     TEXT    NOT NULL,
    model           TEXT    NOT NULL,
    version         BIGINT NOT NULL,
    feature_group   TEXT    NOT NULL,
    feature_version BIGINT NOT NULL,
    PRIMARY KEY (environment, model, version, feature_group, feature_version),
    FOREIGN KEY (environment, model, version) REFERENCES model_versions (environment, model, version) ON DELETE CASCADE,
    FOREIGN KEY (environment, feature_group, feature_version) REFERENCES feature_versions (environment, feature_group, version)
);
CREATE INDEX model_version_features_by_feature ON model_version_features (environment, feature_group, feature_version);

-- +goose Down
DROP TABLE model_version_features;
DROP TABLE model_versions;
DROP TABLE models;
