-- Meetings created, one row per meeting ever stored (sqlite). Keep in step with the other
-- backend.
--
-- The monthly meeting quota counts creations, not meetings that still exist: deleting a
-- meeting does not give its place back. So the count cannot be taken from `meetings`; this log
-- is appended by trigger in the same transaction as the meeting, whichever statement stored it,
-- and goes only with its organizer (or tenant).
CREATE TABLE meeting_creations (
    tenant_id    TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    organizer_id TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL
);
-- The quota's question: how many did this organizer create in [month start, next month start).
CREATE INDEX meeting_creations_organizer_at ON meeting_creations (organizer_id, created_at);
CREATE INDEX meeting_creations_tenant ON meeting_creations (tenant_id);

INSERT INTO meeting_creations (tenant_id, organizer_id, created_at)
    SELECT tenant_id, organizer_id, created_at FROM meetings;

CREATE TRIGGER meetings_created AFTER INSERT ON meetings FOR EACH ROW BEGIN
    INSERT INTO meeting_creations (tenant_id, organizer_id, created_at)
        VALUES (NEW.tenant_id, NEW.organizer_id, NEW.created_at);
END;
