-- Calendar events (postgres). Keep in step with ../sqlite/20250201000000_events.sql: same tables,
-- columns, constraints and indexes; only the type names differ.
--
-- One row per event per mailbox: an organizer's event and each in-tenant attendee's copy are
-- rows of their own (own id, own owner), sharing the iCalUId. The event itself is the Graph
-- event JSON in `document`, times in UTC; the columns beside it are what it is looked up by.

CREATE TABLE events (
    -- The per-mailbox Graph id (AAMk…).
    id            TEXT    NOT NULL,
    tenant_id     TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- The mailbox's owner; deleting the user takes the mailbox.
    owner_id      TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ical_uid      TEXT    NOT NULL,
    start_at      BIGINT  NOT NULL,
    end_at        BIGINT  NOT NULL,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    -- The Teams meeting behind an online event, on the organizer's row.
    meeting_id    TEXT,
    document      TEXT    NOT NULL,
    CONSTRAINT events_pkey PRIMARY KEY (id),
    -- One copy of an event per mailbox.
    CONSTRAINT events_owner_ical_uid_key UNIQUE (owner_id, ical_uid),
    CONSTRAINT events_window CHECK (end_at >= start_at)
);
-- calendarView: a mailbox's events by time.
CREATE INDEX events_owner_start ON events (owner_id, start_at);
-- The copies of an event across a tenant's mailboxes.
CREATE INDEX events_tenant_ical_uid ON events (tenant_id, ical_uid);
