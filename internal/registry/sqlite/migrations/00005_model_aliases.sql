-- +goose Up
-- An alias, such as fraud@champion, points at one version of its model.
CREATE TABLE model_aliases (
    environment TEXT    NOT NULL,
    model       TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    description TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    PRIMARY KEY (environment, model, name),
    FOREIGN KEY (environment, model, version) REFERENCES model_versions (environment, model, version)
);
CREATE INDEX model_aliases_by_version ON model_aliases (environment, model, version);

-- +goose Down
DROP TABLE model_aliases;
