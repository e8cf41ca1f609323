-- +goose Up
CREATE TABLE deployments (
    environment          TEXT    NOT NULL,
    name                 TEXT    NOT NULL,
    model_version        TEXT    NOT NULL,
    canary_model_version TEXT    NOT NULL,
    canary_percent       BIGINT NOT NULL,
    replicas_min         BIGINT NOT NULL,
    replicas_max         BIGINT NOT NULL,
    promote_from         TEXT    NOT NULL,
    created_at           TEXT    NOT NULL,
    updated_at           TEXT    NOT NULL,
    revision             BIGINT NOT NULL,
    PRIMARY KEY (environment, name)
);
CREATE INDEX deployments_by_model_version ON deployments (environment, model_version);
CREATE INDEX deployments_by_canary ON deployments (environment, canary_model_version);

-- +goose Down
DROP TABLE deployments;
