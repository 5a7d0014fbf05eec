-- Teams application access policies and their grants (sqlite). Keep in step with the other backend.

CREATE TABLE access_policies (
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    -- lower(name), computed by the application: names are unique per tenant, ignoring case.
    name_lower  TEXT    NOT NULL,
    description TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    CONSTRAINT access_policies_pkey PRIMARY KEY (tenant_id, name_lower)
);

CREATE TABLE access_policy_apps (
    tenant_id  TEXT    NOT NULL,
    name_lower TEXT    NOT NULL,
    app_id     TEXT    NOT NULL,
    ordinal    INTEGER NOT NULL,
    CONSTRAINT access_policy_apps_pkey PRIMARY KEY (tenant_id, name_lower, app_id),
    CONSTRAINT access_policy_apps_policy_fkey FOREIGN KEY (tenant_id, name_lower)
        REFERENCES access_policies (tenant_id, name_lower) ON DELETE CASCADE
);

-- One grant per target: target_kind 'user' or 'group' with the object id, or 'global' with ''.
CREATE TABLE access_policy_grants (
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    target_kind TEXT    NOT NULL CHECK (target_kind IN ('user', 'group', 'global')),
    target_id   TEXT    NOT NULL,
    name_lower  TEXT    NOT NULL,
    rank        INTEGER,
    granted_at  INTEGER NOT NULL,
    CONSTRAINT access_policy_grants_pkey PRIMARY KEY (tenant_id, target_kind, target_id),
    CONSTRAINT access_policy_grants_policy_fkey FOREIGN KEY (tenant_id, name_lower)
        REFERENCES access_policies (tenant_id, name_lower)
);
