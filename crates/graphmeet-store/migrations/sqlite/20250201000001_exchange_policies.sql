-- Exchange Online application access policies (sqlite). Keep in step with
-- ../postgres/20250201000001_exchange_policies.sql: same tables, columns, constraints and
-- indexes; only the type names and the trigger syntax differ.
--
-- One row per app and scope group (New-ApplicationAccessPolicy makes one per -AppId), with
-- history: Remove-ApplicationAccessPolicy sets removed_at, so that decisions can be made on the
-- policies as they were a propagation delay ago.
CREATE TABLE exchange_access_policies (
    id             TEXT    NOT NULL,
    tenant_id      TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- The app's id, or '*' for every app.
    app_id         TEXT    NOT NULL,
    scope_group_id TEXT    NOT NULL REFERENCES security_groups (id) ON DELETE CASCADE,
    scope_name     TEXT    NOT NULL,
    access_right   TEXT    NOT NULL,
    description    TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    removed_at     INTEGER,
    CONSTRAINT exchange_access_policies_pkey PRIMARY KEY (id),
    CONSTRAINT exchange_access_policies_right CHECK (access_right IN ('RestrictAccess', 'DenyAccess'))
);
-- One live policy per app and group.
CREATE UNIQUE INDEX exchange_access_policies_live_key
    ON exchange_access_policies (tenant_id, app_id, scope_group_id) WHERE removed_at IS NULL;
CREATE INDEX exchange_access_policies_tenant ON exchange_access_policies (tenant_id);

-- Authorization decides on these: every change goes to the directory change log.
CREATE TRIGGER exchange_access_policies_changed_i AFTER INSERT ON exchange_access_policies FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NEW.tenant_id, 'exchange_policy', NEW.id); END;
CREATE TRIGGER exchange_access_policies_changed_u AFTER UPDATE ON exchange_access_policies FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NEW.tenant_id, 'exchange_policy', NEW.id); END;
CREATE TRIGGER exchange_access_policies_changed_d AFTER DELETE ON exchange_access_policies FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (OLD.tenant_id, 'exchange_policy', OLD.id); END;
