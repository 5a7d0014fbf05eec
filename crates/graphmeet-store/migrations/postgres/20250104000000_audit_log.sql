-- The audit log (postgres): admin changes and authorization decisions. Keep in step with the other backend.
CREATE TABLE audit_log (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         BIGINT NOT NULL,
    request_id TEXT    NOT NULL,
    tenant_id  TEXT,
    app_id     TEXT,
    user_id    TEXT,
    operation  TEXT    NOT NULL,
    decision   TEXT    NOT NULL CHECK (decision IN ('allowed', 'denied', 'changed')),
    reason     TEXT    NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, at);
