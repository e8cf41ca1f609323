-- +goose Up
CREATE TABLE validation_suites (
    environment      TEXT    NOT NULL,
    name             TEXT    NOT NULL,
    feature_group    TEXT    NOT NULL,
    feature_version  BIGINT NOT NULL,
    model            TEXT    NOT NULL,
    ingestion_policy TEXT    NOT NULL,
    expectations     TEXT    NOT NULL,
    created_at       TEXT    NOT NULL,
    revision         BIGINT NOT NULL,
    PRIMARY KEY (environment, name)
);
CREATE INDEX validation_suites_by_feature_version ON validation_suites (environment, feature_group, feature_version);
CREATE INDEX validation_suites_by_model ON validation_suites (environment, model);

-- +goose Down
DROP TABLE validation_suites;
