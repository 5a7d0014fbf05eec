-- Teams application access policies and their grants, with their history (SQLite). Keep in
-- step with ../postgres/20250102000000_access_policies.sql: same tables, columns, constraints and
-- indexes; only the type names differ.
--
-- Nothing is deleted: removing a policy, unlisting an app or ending a grant sets a `removed_at`
-- / `revoked_at` time, because changes reach Graph only after a propagation delay and the
-- server answers for the state at an earlier instant. The rows still in force ("live") have no
-- end time; partial unique indexes keep them unique.

CREATE TABLE access_policies (
    id          TEXT    NOT NULL,
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    -- lower(name), computed by the application: live names are unique per tenant, ignoring case.
    name_lower  TEXT    NOT NULL,
    description TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    removed_at  INTEGER,
    CONSTRAINT access_policies_pkey PRIMARY KEY (id)
);
-- One live policy per name; a removed policy's name can be used again.
CREATE UNIQUE INDEX access_policies_live_name_key ON access_policies (tenant_id, name_lower)
    WHERE removed_at IS NULL;
CREATE INDEX access_policies_tenant ON access_policies (tenant_id, created_at, id);

-- When each app was listed by a policy; an app listed, unlisted and listed again has two rows.
-- `seq` orders apps listed at the same instant in the order they were given.
CREATE TABLE access_policy_apps (
    -- INTEGER PRIMARY KEY: SQLite's rowid, numbered on insert like PostgreSQL's identity.
    seq        INTEGER,
    policy_id  TEXT    NOT NULL REFERENCES access_policies (id) ON DELETE CASCADE,
    -- Not a foreign key: a policy may list apps registered elsewhere (or not yet).
    app_id     TEXT    NOT NULL,
    added_at   INTEGER NOT NULL,
    removed_at INTEGER,
    CONSTRAINT access_policy_apps_pkey PRIMARY KEY (seq)
);
-- An app is listed at most once at a time.
CREATE UNIQUE INDEX access_policy_apps_live_key ON access_policy_apps (policy_id, app_id)
    WHERE removed_at IS NULL;
CREATE INDEX access_policy_apps_policy ON access_policy_apps (policy_id, added_at, seq);

-- Grants over time: target_kind 'user' or 'group' with the object id (and the group's rank), or
-- 'global' with ''. A target holds one live grant at a time; a new grant ends the previous one.
CREATE TABLE access_policy_grants (
    -- INTEGER PRIMARY KEY: SQLite's rowid, numbered on insert like PostgreSQL's identity.
    seq         INTEGER,
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    target_kind TEXT    NOT NULL CHECK (target_kind IN ('user', 'group', 'global')),
    target_id   TEXT    NOT NULL,
    rank        INTEGER,
    policy_id   TEXT    NOT NULL REFERENCES access_policies (id) ON DELETE CASCADE,
    granted_at  INTEGER NOT NULL,
    revoked_at  INTEGER,
    CONSTRAINT access_policy_grants_pkey PRIMARY KEY (seq)
);
CREATE UNIQUE INDEX access_policy_grants_live_target_key
    ON access_policy_grants (tenant_id, target_kind, target_id) WHERE revoked_at IS NULL;
CREATE INDEX access_policy_grants_tenant ON access_policy_grants (tenant_id, granted_at, seq);
CREATE INDEX access_policy_grants_policy ON access_policy_grants (policy_id) WHERE revoked_at IS NULL;
