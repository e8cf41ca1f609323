-- +goose Up
CREATE TABLE feature_groups (
    environment    TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    primary_key    TEXT    NOT NULL,
    event_time     TEXT    NOT NULL,
    online_enabled BIGINT NOT NULL,
    description    TEXT    NOT NULL,
    tags           TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    revision       BIGINT NOT NULL,
    PRIMARY KEY (environment, name)
);

CREATE TABLE feature_versions (
    environment   TEXT    NOT NULL,
    feature_group TEXT    NOT NULL,
    version       BIGINT NOT NULL CHECK (version >= 1),
    features      TEXT    NOT NULL,
    deprecated    BIGINT NOT NULL,
    description   TEXT    NOT NULL,
    schema_hash   TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    revision      BIGINT NOT NULL,
    PRIMARY KEY (environment, feature_group, version),
    FOREIGN KEY (environment, feature_group) REFERENCES feature_groups (environment, name)
);

CREATE TABLE audit (
    id          BIGSERIAL PRIMARY KEY,
    environment TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    action      TEXT NOT NULL,
    before      TEXT NOT NULL,
    after       TEXT NOT NULL,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL
);
CREATE INDEX audit_object ON audit (environment, object_kind, object_id);

-- +goose Down
DROP TABLE audit;
DROP TABLE feature_versions;
DROP TABLE feature_groups;
