-- +goose Up
-- The shadow of a deployment: a model version that receives a copy of
-- sample_percent of the deployment's requests, its answers discarded. One
-- row per deployment that has one, deleted with the deployment.
CREATE TABLE deployment_shadows (
    environment    TEXT    NOT NULL,
    deployment     TEXT    NOT NULL,
    model_version  TEXT    NOT NULL,
    sample_percent BIGINT  NOT NULL,
    PRIMARY KEY (environment, deployment),
    FOREIGN KEY (environment, deployment) REFERENCES deployments (environment, name) ON DELETE CASCADE
);
CREATE INDEX deployment_shadows_by_model_version ON deployment_shadows (environment, model_version);

-- +goose Down
DROP TABLE deployment_shadows;
