-- Played meeting sessions and what they leave behind (sqlite). Keep in step with the other
-- backend: same tables, columns, constraints and indexes; only the type names differ.
--
-- One row per session of a meeting (one attendance report; a transcript and a recording when
-- made). Who took part and what was said is the JSON in `document`; the columns beside it are
-- what sessions are listed and paged by. `seq` orders sessions by when they became
-- available, for getAllTranscripts / getAllRecordings and their delta.
CREATE TABLE meeting_sessions (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT    NOT NULL,
    tenant_id       TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    organizer_id    TEXT    NOT NULL,
    -- Deleting a meeting deletes its sessions and their artifacts.
    meeting_id      TEXT    NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    call_id         TEXT    NOT NULL,
    start_at        INTEGER  NOT NULL,
    end_at          INTEGER  NOT NULL,
    played_at       INTEGER  NOT NULL,
    -- The later of end_at and played_at: when its artifacts are first served.
    available_at    INTEGER  NOT NULL,
    transcript_id   TEXT,
    recording_id    TEXT,
    correlation_id  TEXT    NOT NULL,
    document        TEXT    NOT NULL,
    CONSTRAINT meeting_sessions_id_key UNIQUE (id),
    CONSTRAINT meeting_sessions_transcript_id_key UNIQUE (transcript_id),
    CONSTRAINT meeting_sessions_recording_id_key UNIQUE (recording_id),
    CONSTRAINT meeting_sessions_span CHECK (end_at >= start_at)
);
CREATE INDEX meeting_sessions_meeting ON meeting_sessions (tenant_id, meeting_id, available_at, seq);
CREATE INDEX meeting_sessions_organizer ON meeting_sessions (tenant_id, organizer_id, available_at, seq);

-- A tenant's Teams meeting configuration (Set-CsTeamsMeetingConfiguration), as far as Graph's
-- artifact routes read it; no row means the defaults (both on).
CREATE TABLE tenant_meeting_configuration (
    tenant_id               TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    graph_transcript_access INTEGER  NOT NULL CHECK (graph_transcript_access IN (0, 1)),
    attributed_transcripts  INTEGER  NOT NULL CHECK (attributed_transcripts IN (0, 1)),
    CONSTRAINT tenant_meeting_configuration_pkey PRIMARY KEY (tenant_id)
);
