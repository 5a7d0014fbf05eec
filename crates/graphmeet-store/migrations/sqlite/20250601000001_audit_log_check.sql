-- The audit log's decision check without an IN list (sqlite only; PostgreSQL keeps its own, the
-- same rule).
--
-- SQLite evaluates `x IN ('a', 'b', 'c')` by building a temporary B-tree of the list, once per
-- execution of the statement, and the batch writer runs one cached single-row statement per
-- audit row. Every authorized call appends an audit row, so that B-tree (a pager, a page cache
-- and a page of its own) was built and dropped on every call: about a quarter of the writer's
-- time per row. The same rule
-- as comparisons costs nothing measurable. SQLite cannot alter a constraint, so the table is
-- rebuilt, as its documentation prescribes: its rows, its `seq` values and its AUTOINCREMENT
-- counter (which may be past the newest row left after a purge) carry over.
CREATE TABLE audit_log_rebuilt (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,
    request_id TEXT    NOT NULL,
    tenant_id  TEXT,
    app_id     TEXT,
    user_id    TEXT,
    operation  TEXT    NOT NULL,
    decision   TEXT    NOT NULL
        CHECK (decision = 'allowed' OR decision = 'denied' OR decision = 'changed'),
    reason     TEXT    NOT NULL
);
INSERT INTO audit_log_rebuilt (seq, at, request_id, tenant_id, app_id, user_id, operation, decision, reason)
    SELECT seq, at, request_id, tenant_id, app_id, user_id, operation, decision, reason
    FROM audit_log ORDER BY seq;
DELETE FROM sqlite_sequence WHERE name = 'audit_log_rebuilt';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'audit_log_rebuilt', seq FROM sqlite_sequence WHERE name = 'audit_log';
DROP TABLE audit_log;
ALTER TABLE audit_log_rebuilt RENAME TO audit_log;
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, at);
