-- graphmeet's initial schema (SQLite). Keep in step with ../postgres/20250101000000_initial.sql:
-- same tables, columns, constraints and indexes; only the type names differ.
-- UUIDs are TEXT (hyphenated, lower-case), timestamps INTEGER unix microseconds, booleans 0/1.

CREATE TABLE tenants (
    id           TEXT    NOT NULL PRIMARY KEY,
    display_name TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX tenants_created_at ON tenants (created_at, id);

-- A domain belongs to one tenant only; stored lower-case, so the primary key is the
-- case-insensitive uniqueness rule and the lookup index.
CREATE TABLE tenant_domains (
    domain    TEXT    NOT NULL,
    tenant_id TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    ordinal   INTEGER NOT NULL,
    CONSTRAINT tenant_domains_pkey PRIMARY KEY (domain)
);
CREATE INDEX tenant_domains_tenant ON tenant_domains (tenant_id, ordinal);

CREATE TABLE users (
    id            TEXT    NOT NULL PRIMARY KEY,
    tenant_id     TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    upn           TEXT    NOT NULL,
    -- lower(upn), computed by the application: the case-insensitive uniqueness rule.
    upn_lower     TEXT    NOT NULL,
    display_name  TEXT    NOT NULL,
    password_hash TEXT,
    created_at    INTEGER NOT NULL,
    CONSTRAINT users_upn_key UNIQUE (upn_lower)
);
CREATE INDEX users_tenant ON users (tenant_id, created_at, id);

CREATE TABLE security_groups (
    id           TEXT    NOT NULL PRIMARY KEY,
    tenant_id    TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    display_name TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX security_groups_tenant ON security_groups (tenant_id);

CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES security_groups (id) ON DELETE CASCADE,
    user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT group_members_pkey PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE apps (
    app_id         TEXT    NOT NULL PRIMARY KEY,
    object_id      TEXT    NOT NULL,
    home_tenant_id TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    display_name   TEXT    NOT NULL,
    multi_tenant   INTEGER NOT NULL CHECK (multi_tenant IN (0, 1)),
    created_at     INTEGER NOT NULL,
    CONSTRAINT apps_object_id_key UNIQUE (object_id)
);
CREATE INDEX apps_created_at ON apps (created_at, app_id);

CREATE TABLE secrets (
    key_id       TEXT    NOT NULL PRIMARY KEY,
    app_id       TEXT    NOT NULL REFERENCES apps (app_id) ON DELETE CASCADE,
    display_name TEXT    NOT NULL,
    hint         TEXT    NOT NULL,
    hash         TEXT    NOT NULL,
    start_at     INTEGER NOT NULL,
    end_at       INTEGER NOT NULL
);
CREATE INDEX secrets_app ON secrets (app_id);

CREATE TABLE certificates (
    key_id            TEXT    NOT NULL PRIMARY KEY,
    app_id            TEXT    NOT NULL REFERENCES apps (app_id) ON DELETE CASCADE,
    display_name      TEXT    NOT NULL,
    thumbprint_sha1   TEXT    NOT NULL,
    thumbprint_sha256 TEXT    NOT NULL,
    der               BLOB    NOT NULL,
    start_at          INTEGER NOT NULL,
    end_at            INTEGER NOT NULL,
    CONSTRAINT certificates_app_thumbprint_key UNIQUE (app_id, thumbprint_sha1)
);

CREATE TABLE service_principals (
    id         TEXT    NOT NULL PRIMARY KEY,
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    app_id     TEXT    NOT NULL REFERENCES apps (app_id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    CONSTRAINT service_principals_tenant_app_key UNIQUE (tenant_id, app_id)
);
CREATE INDEX service_principals_app ON service_principals (app_id);

-- Granted app roles, in the order they were first granted.
CREATE TABLE service_principal_app_roles (
    service_principal_id TEXT    NOT NULL REFERENCES service_principals (id) ON DELETE CASCADE,
    role                 TEXT    NOT NULL,
    ordinal              INTEGER NOT NULL,
    CONSTRAINT service_principal_app_roles_pkey PRIMARY KEY (service_principal_id, role)
);

CREATE TABLE signing_keys (
    kid               TEXT    NOT NULL PRIMARY KEY,
    private_pkcs8_der BLOB    NOT NULL,
    cert_der          BLOB    NOT NULL,
    created_at        INTEGER NOT NULL,
    retired_at        INTEGER
);
CREATE INDEX signing_keys_created_at ON signing_keys (created_at);

-- Client assertion ids (jti) seen, kept until the assertion expires.
CREATE TABLE assertion_ids (
    app_id     TEXT    NOT NULL REFERENCES apps (app_id) ON DELETE CASCADE,
    jti        TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,
    CONSTRAINT assertion_ids_pkey PRIMARY KEY (app_id, jti)
);
CREATE INDEX assertion_ids_expires_at ON assertion_ids (expires_at);
