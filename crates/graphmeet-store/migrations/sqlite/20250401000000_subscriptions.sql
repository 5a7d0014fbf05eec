-- Change-notification subscriptions and the outbox of their deliveries (sqlite). Keep in step
-- with the other backend: same tables, columns, constraints and indexes; only the type names
-- differ.
--
-- A subscription is one row; what it watches is `kind` (transcripts, recordings,
-- meetingCallEvents) narrowed by `organizer_id` (a user's meetings) and `meeting_key` (one
-- meeting's id or joinWebUrl); both NULL for a tenant-wide subscription.
CREATE TABLE subscriptions (
    id                          TEXT    NOT NULL,
    tenant_id                   TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    app_id                      TEXT    NOT NULL,
    creator_id                  TEXT    NOT NULL,
    resource                    TEXT    NOT NULL,
    kind                        TEXT    NOT NULL,
    organizer_id                TEXT,
    meeting_key                 TEXT,
    change_type                 TEXT    NOT NULL,
    notification_url            TEXT    NOT NULL,
    lifecycle_notification_url  TEXT,
    client_state                TEXT,
    expiration_at               INTEGER  NOT NULL,
    include_resource_data       INTEGER  NOT NULL,
    encryption_certificate      TEXT,
    encryption_certificate_id   TEXT,
    latest_supported_tls_version TEXT   NOT NULL,
    notification_url_app_id     TEXT,
    created_at                  INTEGER  NOT NULL,
    -- When the next reauthorizationRequired lifecycle notification is due (NULL: none).
    next_reauthorization_at     INTEGER,
    CONSTRAINT subscriptions_pkey PRIMARY KEY (id)
);
CREATE INDEX subscriptions_tenant_kind ON subscriptions (tenant_id, kind, expiration_at);
CREATE INDEX subscriptions_app ON subscriptions (tenant_id, app_id);
CREATE INDEX subscriptions_reauthorization ON subscriptions (next_reauthorization_at);

-- One row per POST still to make (or made): a change notification or a lifecycle
-- notification for one subscription. Rows are written in the same transaction as the change
-- they report, and claimed by a delivery worker with a lease (wall-clock microseconds), so a
-- worker that dies mid-delivery leaves the row to the next one: delivery is at least once.
-- No foreign key to subscriptions: a subscriptionRemoved notification outlives its row.
CREATE TABLE notification_outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id                TEXT    NOT NULL,
    subscription_id   TEXT    NOT NULL,
    tenant_id         TEXT    NOT NULL,
    -- 'change' or 'lifecycle'.
    kind              TEXT    NOT NULL,
    url               TEXT    NOT NULL,
    body              TEXT    NOT NULL,
    -- 'pending', 'delivered' or 'dropped'.
    state             TEXT    NOT NULL,
    attempts          INTEGER  NOT NULL,
    created_at        INTEGER  NOT NULL,
    due_at            INTEGER  NOT NULL,
    give_up_at        INTEGER  NOT NULL,
    lease_until       INTEGER  NOT NULL,
    finished_at       INTEGER,
    last_error        TEXT,
    CONSTRAINT notification_outbox_id_key UNIQUE (id)
);
CREATE INDEX notification_outbox_due ON notification_outbox (state, due_at);
CREATE INDEX notification_outbox_subscription ON notification_outbox (subscription_id);
