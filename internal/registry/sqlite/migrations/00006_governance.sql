-- +goose Up
-- The decision on one model version in one environment, with the artifact
-- decided on.
CREATE TABLE model_version_approvals (
    environment     TEXT    NOT NULL,
    model           TEXT    NOT NULL,
    version         INTEGER NOT NULL,
    status          TEXT    NOT NULL,
    approver        TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    artifact_uri    TEXT    NOT NULL,
    artifact_digest TEXT    NOT NULL,
    approved_at     TEXT    NOT NULL,
    revision        INTEGER NOT NULL,
    PRIMARY KEY (environment, model, version),
    FOREIGN KEY (environment, model, version) REFERENCES model_versions (environment, model, version)
);

-- What an environment requires of its deployments: one row per environment
-- name, whichever environment the configuration that wrote it works in.
CREATE TABLE environments (
    name             TEXT    NOT NULL PRIMARY KEY,
    promote_from     TEXT    NOT NULL,
    require_approval INTEGER NOT NULL,
    required_gates   TEXT    NOT NULL,
    protected        INTEGER NOT NULL,
    description      TEXT    NOT NULL,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    revision         INTEGER NOT NULL
);

-- +goose Down
DROP TABLE environments;
DROP TABLE model_version_approvals;
