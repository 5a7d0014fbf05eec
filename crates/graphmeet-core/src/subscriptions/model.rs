//! The records: a subscription and its resource kind, the outbox entry and its kind and state.

use super::REAUTHORIZATION_NOTICES;

use chrono::{DateTime, Duration, Utc};
use graphmeet_wire::graph::subscription::SubscriptionView;
use uuid::Uuid;

/// What a subscription watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    /// Transcripts (`changeType` created).
    Transcripts,
    /// Recordings (`changeType` created).
    Recordings,
    /// A meeting's call events (`changeType` updated).
    MeetingCallEvents,
}

impl ResourceKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Transcripts => "transcripts",
            Self::Recordings => "recordings",
            Self::MeetingCallEvents => "meetingCallEvents",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "transcripts" => Some(Self::Transcripts),
            "recordings" => Some(Self::Recordings),
            "meetingCallEvents" => Some(Self::MeetingCallEvents),
            _ => None,
        }
    }

    /// The change types the resource emits (C.7).
    pub fn change_types(self) -> &'static str {
        match self {
            Self::Transcripts | Self::Recordings => "created",
            Self::MeetingCallEvents => "updated",
        }
    }
}

/// A subscription, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// Its id.
    pub id: Uuid,
    /// The tenant of the token that created it.
    pub tenant_id: Uuid,
    /// The app that created it.
    pub app_id: Uuid,
    /// The user or service principal that created it.
    pub creator_id: Uuid,
    /// `resource` as written.
    pub resource: String,
    /// What it watches.
    pub kind: ResourceKind,
    /// The organizer whose meetings it covers, if narrowed to one.
    pub organizer_id: Option<Uuid>,
    /// The one meeting it covers (meeting id, or joinWebUrl for call events), if any.
    pub meeting_key: Option<String>,
    /// `changeType`.
    pub change_type: String,
    /// `notificationUrl`.
    pub notification_url: String,
    /// `lifecycleNotificationUrl`.
    pub lifecycle_notification_url: Option<String>,
    /// `clientState`.
    pub client_state: Option<String>,
    /// `expirationDateTime`.
    pub expiration: DateTime<Utc>,
    /// `includeResourceData`.
    pub include_resource_data: bool,
    /// `encryptionCertificate`, base64 DER.
    pub encryption_certificate: Option<String>,
    /// `encryptionCertificateId`.
    pub encryption_certificate_id: Option<String>,
    /// `latestSupportedTlsVersion`.
    pub latest_supported_tls_version: String,
    /// `notificationUrlAppId`.
    pub notification_url_app_id: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When the next `reauthorizationRequired` is due.
    pub next_reauthorization_at: Option<DateTime<Utc>>,
}

impl Subscription {
    /// The wire view.
    pub fn view(&self) -> SubscriptionView {
        SubscriptionView {
            id: self.id,
            resource: self.resource.clone(),
            application_id: self.app_id,
            change_type: self.change_type.clone(),
            client_state: self.client_state.clone(),
            notification_url: self.notification_url.clone(),
            lifecycle_notification_url: self.lifecycle_notification_url.clone(),
            expiration: self.expiration,
            creator_id: self.creator_id,
            include_resource_data: self.include_resource_data,
            encryption_certificate_id: self.encryption_certificate_id.clone(),
            latest_supported_tls_version: self.latest_supported_tls_version.clone(),
            notification_url_app_id: self.notification_url_app_id.clone(),
        }
    }

    /// Whether it covers an artifact or event of `organizer`'s meeting `meeting_key`.
    pub(super) fn covers(&self, organizer: Uuid, meeting_key: &str) -> bool {
        self.organizer_id.is_none_or(|o| o == organizer)
            && self.meeting_key.as_deref().is_none_or(|m| m == meeting_key)
    }
}

/// When the first `reauthorizationRequired` after `now` is due for an expiry, if any.
pub fn next_reauthorization(
    expiration: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    REAUTHORIZATION_NOTICES
        .iter()
        .map(|m| expiration - Duration::minutes(*m))
        .find(|at| *at > now)
}

/// Whether an outbox row is a change or a lifecycle notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxKind {
    /// A change notification, to `notificationUrl`.
    Change,
    /// A lifecycle notification, to `lifecycleNotificationUrl`.
    Lifecycle,
}

impl OutboxKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Change => "change",
            Self::Lifecycle => "lifecycle",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "change" => Some(Self::Change),
            "lifecycle" => Some(Self::Lifecycle),
            _ => None,
        }
    }
}

/// Where an outbox row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    /// Still to deliver.
    Pending,
    /// Answered 2xx.
    Delivered,
    /// Given up on.
    Dropped,
}

impl OutboxState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Dropped => "dropped",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(Self::Pending),
            "delivered" => Some(Self::Delivered),
            "dropped" => Some(Self::Dropped),
            _ => None,
        }
    }
}

/// One notification POST, as stored in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// Order of insertion (set by the store).
    pub seq: i64,
    /// Its id.
    pub id: Uuid,
    /// The subscription it is for.
    pub subscription_id: Uuid,
    /// The subscription's tenant.
    pub tenant_id: Uuid,
    /// Change or lifecycle.
    pub kind: OutboxKind,
    /// Where it is POSTed.
    pub url: String,
    /// The JSON body.
    pub body: String,
    /// Where it is.
    pub state: OutboxState,
    /// Attempts made.
    pub attempts: u32,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When the next attempt is due.
    pub due_at: DateTime<Utc>,
    /// When it is dropped if still undelivered.
    pub give_up_at: DateTime<Utc>,
    /// When it was delivered or dropped.
    pub finished_at: Option<DateTime<Utc>>,
    /// The last failure, for operators.
    pub last_error: Option<String>,
}
