-- Teams online meetings (SQLite). Keep in step with ../postgres/20250103000000_meetings.sql:
-- same tables, columns, constraints and indexes; only the type names differ.
--
-- The meeting itself is the Graph onlineMeeting JSON in `document`; the columns beside it are
-- the keys it is looked up and kept unique by, and never change after the insert.

CREATE TABLE meetings (
    -- The Graph meeting id (base64 of `1*{organizer}*0**{threadId}`).
    id              TEXT    NOT NULL,
    tenant_id       TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    organizer_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The createOrGet key, when the meeting was made by createOrGet.
    external_id     TEXT,
    thread_id       TEXT    NOT NULL,
    join_meeting_id TEXT    NOT NULL,
    join_web_url    TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    document        TEXT    NOT NULL,
    CONSTRAINT meetings_pkey PRIMARY KEY (id),
    CONSTRAINT meetings_thread_id_key UNIQUE (thread_id),
    CONSTRAINT meetings_join_web_url_key UNIQUE (join_web_url),
    CONSTRAINT meetings_join_meeting_id_key UNIQUE (tenant_id, join_meeting_id)
);
-- createOrGet's key: one meeting per (tenant, organizer, externalId). Partial, so that
-- `INSERT … ON CONFLICT (tenant_id, organizer_id, external_id) WHERE external_id IS NOT NULL`
-- names it as the arbiter.
CREATE UNIQUE INDEX meetings_external_id_key ON meetings (tenant_id, organizer_id, external_id)
    WHERE external_id IS NOT NULL;
-- Deleting a user cascades to its meetings.
CREATE INDEX meetings_organizer ON meetings (organizer_id);
