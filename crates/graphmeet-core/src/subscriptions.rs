//! Change notifications: subscriptions to meeting resources (transcripts, recordings, meeting
//! call events), the validation handshake, lifetimes, and delivery through an outbox in the
//! database with retries, backoff and lifecycle notifications, all on the injected clock.
//!
//! The rules are Graph's (spec `events-artifacts-notifications.md` section C): a subscription
//! is created only after its endpoint (and lifecycle endpoint) echoed a validation token; it
//! lives at most 4,320 minutes for meeting resources and needs a `lifecycleNotificationUrl`
//! beyond one hour; a notification is POSTed until the endpoint answers 2xx within 3 seconds,
//! retried with backoff for up to 4 hours, then dropped (and `missed` sent).
//!
//! Every notification is first a row in the outbox, written before anyone is told; a delivery
//! worker claims due rows with a lease on the wall clock, so a server killed mid-delivery
//! leaves them to the next start or to another instance: delivery is at least once. The
//! transport (HTTP) is the server's, behind [`Transport`]; authorization is [`Access`]'s.
//!
//! Facts: <https://learn.microsoft.com/graph/change-notifications-delivery-webhooks>,
//! <https://learn.microsoft.com/graph/change-notifications-lifecycle-events>,
//! <https://learn.microsoft.com/graph/teams-changenotifications-callrecording-and-calltranscript>.

use crate::access::{Access, Authorized, Caller, Denial, Operation, PathUser};
use crate::clock::Clock;
use crate::identity::KeyRing;
use crate::index::DirectoryIndex;
use crate::model::UserRef;
use crate::rich::EncryptionCertificate;
use crate::store::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use graphmeet_wire::graph::subscription::{
    self as wire, ChangeNotification, EncryptedContent, LifecycleEvent, ResourcePath,
    ResourceScope, SubscriptionInput, SubscriptionPatch, SubscriptionView,
};
use std::sync::Arc;
use uuid::Uuid;

/// The longest lifetime of a meeting-resource subscription: 4,320 minutes (C.3).
pub const MAX_LIFETIME_MINUTES: i64 = 4320;
/// Beyond this lifetime a meeting-resource subscription needs a lifecycle URL (C.2).
pub const LIFECYCLE_URL_NEEDED_BEYOND: Duration = Duration::hours(1);
/// How long Graph keeps retrying a notification (C.4).
pub const RETRY_FOR: Duration = Duration::hours(4);
/// The app id of Microsoft Graph change notifications, the `appid` of validation tokens (C.6).
pub const NOTIFICATIONS_APP_ID: &str = "0bf30f3b-4a52-48df-9a82-234910c4a086";
/// How long a delivery worker holds a claimed row (wall clock) before another may take it.
pub const LEASE: std::time::Duration = std::time::Duration::from_secs(30);
/// Before expiry, when `reauthorizationRequired` is sent: remaining minutes, largest first
/// (C.5's illustrative schedule: from (expiry − now)/4 ≤ 180 min, halving, then every 15
/// minutes in the last hour).
pub const REAUTHORIZATION_NOTICES: [i64; 8] = [720, 360, 180, 90, 60, 45, 30, 15];

/// The delay before retry `attempt` (1 = the first retry): 30 s doubling, at most 10 minutes
/// (C.4 documents the 4 hours and the 10-minute retry of failed notifications, not the curve).
pub fn backoff(attempt: u32) -> Duration {
    let secs = 30i64.saturating_mul(1i64 << attempt.saturating_sub(1).min(10));
    Duration::seconds(secs.min(600))
}

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
    fn covers(&self, organizer: Uuid, meeting_key: &str) -> bool {
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

/// Storage of subscriptions and the outbox; each method is one statement or transaction.
#[async_trait]
pub trait SubscriptionStore: Send + Sync + 'static {
    /// Stores a new subscription.
    async fn insert_subscription(&self, s: &Subscription) -> Result<(), StoreError>;
    /// A subscription by id.
    async fn subscription(&self, id: Uuid) -> Result<Option<Subscription>, StoreError>;
    /// The subscriptions an app made in a tenant, oldest first.
    async fn app_subscriptions(
        &self,
        tenant_id: Uuid,
        app_id: Uuid,
    ) -> Result<Vec<Subscription>, StoreError>;
    /// The unexpired subscriptions of a tenant to a kind of resource.
    async fn live_subscriptions(
        &self,
        tenant_id: Uuid,
        kind: ResourceKind,
        now: DateTime<Utc>,
    ) -> Result<Vec<Subscription>, StoreError>;
    /// Renews: a new expiry, notification URL and reauthorization time; false when gone.
    async fn update_subscription(
        &self,
        id: Uuid,
        expiration: DateTime<Utc>,
        notification_url: &str,
        next_reauthorization_at: Option<DateTime<Utc>>,
    ) -> Result<bool, StoreError>;
    /// Deletes a subscription and its undelivered change notifications; false when gone.
    async fn delete_subscription(&self, id: Uuid) -> Result<bool, StoreError>;
    /// Unexpired subscriptions whose `reauthorizationRequired` is due.
    async fn due_reauthorizations(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Subscription>, StoreError>;
    /// Moves the subscription's next reauthorization time from `due` to `next` and queues
    /// lifecycle notification `entry`, in one transaction; false (nothing queued) when `due`
    /// is no longer the stored time (another instance sent it, or the subscription was
    /// renewed).
    async fn reauthorization_sent(
        &self,
        id: Uuid,
        due: DateTime<Utc>,
        next: Option<DateTime<Utc>>,
        entry: &OutboxEntry,
    ) -> Result<bool, StoreError>;
    /// Subscriptions expired at `now`.
    async fn expired_subscriptions(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Subscription>, StoreError>;
    /// Queues notifications (one transaction).
    async fn enqueue(&self, entries: &[OutboxEntry]) -> Result<(), StoreError>;
    /// Claims up to `limit` pending rows due at `now` whose lease (wall-clock microseconds)
    /// has run out, leasing them until `lease_until`.
    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        wall_now: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<OutboxEntry>, StoreError>;
    /// Records a delivery.
    async fn mark_delivered(&self, seq: i64, at: DateTime<Utc>) -> Result<(), StoreError>;
    /// Records a failed attempt and when to try again (the lease is released).
    async fn mark_retry(
        &self,
        seq: i64,
        attempts: u32,
        due_at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError>;
    /// Records giving up.
    async fn mark_dropped(
        &self,
        seq: i64,
        at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError>;
    /// The outbox rows of a subscription, in order (for operators and tests).
    async fn outbox_of(&self, subscription_id: Uuid) -> Result<Vec<OutboxEntry>, StoreError>;
}

/// Why the validation handshake failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValidationFailure {
    /// No answer within 10 seconds.
    TimedOut,
    /// An answer other than 200.
    Status(u16),
    /// 200, but the body was not the token.
    Mismatch,
    /// The endpoint could not be reached.
    Unreachable(String),
}

/// Why a URL may not receive notifications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlProblem {
    /// Not an absolute http(s) URL.
    Invalid,
    /// A scheme this server does not deliver to (`http` off loopback's allowed hosts).
    Scheme(String),
}

/// The HTTP side of notifications: the server's, so that the domain does no I/O.
#[async_trait]
pub trait Transport: Send + Sync + 'static {
    /// Whether `url` may receive notifications from this server.
    fn check_url(&self, url: &str) -> Result<(), UrlProblem>;
    /// POSTs `url?validationToken={token}` and checks the answer (200, text/plain, the token).
    async fn validate(&self, url: &str, token: &str) -> Result<(), ValidationFailure>;
    /// POSTs a notification body; `Err` with a reason unless 2xx within 3 seconds.
    async fn deliver(&self, url: &str, body: &str) -> Result<(), String>;
}

/// Why a subscription call failed, in domain terms; the Graph surface renders each.
#[derive(Debug)]
pub enum SubscriptionError {
    /// A request-body problem already in Graph's words (the wire crate's parser).
    Invalid(graphmeet_wire::graph::GraphError),
    /// A resource graphmeet does not serve subscriptions for.
    UnsupportedResource(String),
    /// A change type the resource does not emit.
    UnsupportedChangeType {
        /// What was asked.
        given: String,
        /// What the resource emits.
        supported: &'static str,
    },
    /// Further than the resource's maximum lifetime.
    ExpirationTooFar(i64),
    /// Not in the future.
    ExpirationPast,
    /// More than an hour without a lifecycle URL.
    LifecycleUrlRequired,
    /// A URL that cannot receive notifications.
    Url(String, UrlProblem),
    /// The certificate cannot encrypt.
    Certificate(String),
    /// The handshake failed.
    Validation(ValidationFailure),
    /// The app already has a subscription for this meeting's call events.
    Exists,
    /// No such subscription of the caller's app.
    NotFound(String),
    /// The caller may not subscribe to (or manage) the resource.
    Denied(Denial),
    /// The store failed.
    Store(StoreError),
}

impl From<StoreError> for SubscriptionError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

/// A transcript or recording made available, for [`Subscriptions::artifact_created`].
#[derive(Debug, Clone)]
pub struct ArtifactCreated {
    /// The meeting's tenant.
    pub tenant_id: Uuid,
    /// Its organizer.
    pub organizer_id: Uuid,
    /// The meeting's Graph id.
    pub meeting_id: String,
    /// The meeting's joinWebUrl (for call events of the same session).
    pub join_web_url: Option<String>,
    /// Transcript (true) or recording.
    pub transcript: bool,
    /// The artifact's id.
    pub id: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it is served (and so notified).
    pub available_at: DateTime<Utc>,
    /// When the session (and so transcription) started: only subscriptions made before it
    /// hear of its artifacts (C.7).
    pub session_started_at: DateTime<Utc>,
}

/// Change notifications; see the module docs. Cheap to clone.
#[derive(Clone)]
pub struct Subscriptions {
    store: Arc<dyn SubscriptionStore>,
    access: Access,
    clock: Arc<dyn Clock>,
    transport: Arc<dyn Transport>,
    keys: Arc<KeyRing>,
    index: Arc<DirectoryIndex>,
    wake: Arc<tokio::sync::Notify>,
}

/// What one pass of the delivery worker did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    /// Notifications delivered.
    pub delivered: usize,
    /// Attempts that failed and were rescheduled.
    pub retried: usize,
    /// Notifications given up on.
    pub dropped: usize,
    /// Lifecycle notifications queued.
    pub lifecycle_queued: usize,
    /// Subscriptions removed at expiry.
    pub expired: usize,
}

fn wall_micros(at: std::time::SystemTime) -> i64 {
    at.duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or_default()
}

impl Subscriptions {
    /// The service over `store`, authorizing through `access` (whose decisions on `index`
    /// also check, at each notification, that an app still may read an organizer's meetings),
    /// POSTing through `transport`, signing validation tokens with `keys`.
    pub fn new(
        store: Arc<dyn SubscriptionStore>,
        access: Access,
        index: Arc<DirectoryIndex>,
        clock: Arc<dyn Clock>,
        transport: Arc<dyn Transport>,
        keys: Arc<KeyRing>,
    ) -> Self {
        Self {
            store,
            access,
            clock,
            transport,
            keys,
            index,
            wake: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// Woken when notifications are queued; the delivery worker waits on it.
    pub fn wakeup(&self) -> Arc<tokio::sync::Notify> {
        self.wake.clone()
    }

    /// Authorizes `caller` for `path`: the operation its resource needs, on the user it names
    /// (the organizer for meeting-scoped resources), with the application access policy.
    fn authorize_resource(
        &self,
        caller: Caller,
        path: &ResourcePath,
        request_id: &str,
    ) -> Result<Scope, SubscriptionError> {
        let denied = SubscriptionError::Denied;
        let (kind, user_op, tenant_op) = match path {
            ResourcePath::Transcripts(_) => (
                ResourceKind::Transcripts,
                Operation::SubscribeTranscripts,
                Operation::SubscribeAllTranscripts,
            ),
            ResourcePath::Recordings(_) => (
                ResourceKind::Recordings,
                Operation::SubscribeRecordings,
                Operation::SubscribeAllRecordings,
            ),
            ResourcePath::MeetingCallEvents { .. } => (
                ResourceKind::MeetingCallEvents,
                Operation::SubscribeMeetingCallEvents,
                Operation::SubscribeMeetingCallEvents,
            ),
        };
        let unsupported = || SubscriptionError::UnsupportedResource(String::new());
        let by_user = |segment: String, meeting_key: Option<String>| {
            let auth: Authorized = self
                .access
                .authorize(
                    caller.clone(),
                    user_op,
                    &PathUser::segment(&segment),
                    request_id,
                )
                .map_err(denied)?;
            Ok(Scope {
                kind,
                organizer_id: Some(auth.user().id),
                meeting_key,
            })
        };
        match path {
            ResourcePath::Transcripts(scope) | ResourcePath::Recordings(scope) => match scope {
                ResourceScope::Tenant => {
                    self.access
                        .authorize_tenant(caller.clone(), tenant_op, request_id)
                        .map_err(denied)?;
                    Ok(Scope {
                        kind,
                        organizer_id: None,
                        meeting_key: None,
                    })
                }
                ResourceScope::Organizer(segment) => by_user(segment.clone(), None),
                ResourceScope::Meeting(id) => {
                    let decoded =
                        graphmeet_wire::graph::MeetingId::parse(id).map_err(|_| unsupported())?;
                    by_user(
                        decoded.organizer.to_string(),
                        Some(decoded.to_meeting_id().as_str().to_owned()),
                    )
                }
            },
            ResourcePath::MeetingCallEvents { join_web_url } => {
                let parts = graphmeet_wire::graph::parse_join_web_url(join_web_url)
                    .ok_or_else(unsupported)?;
                by_user(parts.organizer.to_string(), Some(join_web_url.clone()))
            }
        }
    }

    /// `POST /subscriptions`: checks, authorizes, validates both endpoints, stores.
    pub async fn create(
        &self,
        caller: Caller,
        input: SubscriptionInput,
        request_id: &str,
    ) -> Result<Subscription, SubscriptionError> {
        let path = ResourcePath::parse(&input.resource)
            .ok_or_else(|| SubscriptionError::UnsupportedResource(input.resource.clone()))?;
        let tenant_id = caller.tenant_id();
        let app_id = caller.app_id();
        let creator_id = match &caller {
            Caller::User { user_id, .. } => *user_id,
            Caller::App { claims, .. } => Uuid::parse_str(&claims.oid).unwrap_or(app_id),
        };
        let scope = self
            .authorize_resource(caller, &path, request_id)
            .map_err(|e| match e {
                SubscriptionError::UnsupportedResource(_) => {
                    SubscriptionError::UnsupportedResource(input.resource.clone())
                }
                other => other,
            })?;
        let supported = scope.kind.change_types();
        if input
            .change_type
            .split(',')
            .any(|c| !supported.split(',').any(|s| s == c.trim()))
        {
            return Err(SubscriptionError::UnsupportedChangeType {
                given: input.change_type.clone(),
                supported,
            });
        }
        let now = self.clock.now();
        self.check_expiration(input.expiration, now)?;
        if input.expiration - now > LIFECYCLE_URL_NEEDED_BEYOND
            && input.lifecycle_notification_url.is_none()
        {
            return Err(SubscriptionError::LifecycleUrlRequired);
        }
        self.check_url(&input.notification_url)?;
        if let Some(url) = &input.lifecycle_notification_url {
            self.check_url(url)?;
        }
        if input.include_resource_data {
            if let Some(cert) = &input.encryption_certificate {
                EncryptionCertificate::from_base64(cert)
                    .map_err(|e| SubscriptionError::Certificate(e.to_string()))?;
            }
        }
        if scope.kind == ResourceKind::MeetingCallEvents {
            let existing = self.store.app_subscriptions(tenant_id, app_id).await?;
            if existing.iter().any(|s| {
                s.kind == ResourceKind::MeetingCallEvents
                    && s.meeting_key == scope.meeting_key
                    && s.expiration > now
            }) {
                return Err(SubscriptionError::Exists);
            }
        }
        // The handshake: the notification URL, then the lifecycle URL (two requests even when
        // they are the same URL, C.2).
        self.handshake(&input.notification_url).await?;
        if let Some(url) = &input.lifecycle_notification_url {
            self.handshake(url).await?;
        }
        let subscription = Subscription {
            id: Uuid::new_v4(),
            tenant_id,
            app_id,
            creator_id,
            resource: input.resource,
            kind: scope.kind,
            organizer_id: scope.organizer_id,
            meeting_key: scope.meeting_key,
            change_type: input.change_type,
            notification_url: input.notification_url,
            next_reauthorization_at: input
                .lifecycle_notification_url
                .as_ref()
                .and_then(|_| next_reauthorization(input.expiration, now)),
            lifecycle_notification_url: input.lifecycle_notification_url,
            client_state: input.client_state,
            expiration: input.expiration,
            include_resource_data: input.include_resource_data,
            encryption_certificate: input.encryption_certificate,
            encryption_certificate_id: input.encryption_certificate_id,
            latest_supported_tls_version: input.latest_supported_tls_version,
            notification_url_app_id: input.notification_url_app_id,
            created_at: now,
        };
        self.store.insert_subscription(&subscription).await?;
        Ok(subscription)
    }

    fn check_expiration(
        &self,
        expiration: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), SubscriptionError> {
        if expiration <= now {
            return Err(SubscriptionError::ExpirationPast);
        }
        if expiration - now > Duration::minutes(MAX_LIFETIME_MINUTES) {
            return Err(SubscriptionError::ExpirationTooFar(MAX_LIFETIME_MINUTES));
        }
        Ok(())
    }

    fn check_url(&self, url: &str) -> Result<(), SubscriptionError> {
        self.transport
            .check_url(url)
            .map_err(|p| SubscriptionError::Url(url.to_owned(), p))
    }

    async fn handshake(&self, url: &str) -> Result<(), SubscriptionError> {
        // Opaque, like the real one (C.2): a readable prefix and a fresh id.
        let token = format!(
            "Validation: Testing client application reachability for subscription Request-Id: {}",
            Uuid::new_v4()
        );
        self.transport
            .validate(url, &token)
            .await
            .map_err(SubscriptionError::Validation)
    }

    /// A subscription of the caller's app in the caller's tenant, unexpired; re-authorized for
    /// its resource (Graph requires the permission that created it to read, renew or delete it).
    async fn owned(
        &self,
        caller: &Caller,
        id: &str,
        request_id: &str,
    ) -> Result<Subscription, SubscriptionError> {
        let not_found = || SubscriptionError::NotFound(id.to_owned());
        let uuid = Uuid::parse_str(id).map_err(|_| not_found())?;
        let s = self.store.subscription(uuid).await?.ok_or_else(not_found)?;
        if s.tenant_id != caller.tenant_id()
            || s.app_id != caller.app_id()
            || s.expiration <= self.clock.now()
        {
            return Err(not_found());
        }
        let path = ResourcePath::parse(&s.resource).ok_or_else(not_found)?;
        self.authorize_resource(caller.clone(), &path, request_id)?;
        Ok(s)
    }

    /// `GET /subscriptions/{id}`.
    pub async fn get(
        &self,
        caller: Caller,
        id: &str,
        request_id: &str,
    ) -> Result<Subscription, SubscriptionError> {
        self.owned(&caller, id, request_id).await
    }

    /// `GET /subscriptions`: the caller's app's unexpired subscriptions in its tenant.
    pub async fn list(
        &self,
        caller: Caller,
        request_id: &str,
    ) -> Result<Vec<Subscription>, SubscriptionError> {
        let (tenant_id, app_id) = (caller.tenant_id(), caller.app_id());
        self.access
            .authorize_tenant(caller, Operation::ListSubscriptions, request_id)
            .map_err(SubscriptionError::Denied)?;
        let now = self.clock.now();
        Ok(self
            .store
            .app_subscriptions(tenant_id, app_id)
            .await?
            .into_iter()
            .filter(|s| s.expiration > now)
            .collect())
    }

    /// `PATCH /subscriptions/{id}`: renews (a new expiry within the resource's maximum from
    /// now) and, when given, moves the notification URL (validated again).
    pub async fn renew(
        &self,
        caller: Caller,
        id: &str,
        patch: SubscriptionPatch,
        request_id: &str,
    ) -> Result<Subscription, SubscriptionError> {
        let mut s = self.owned(&caller, id, request_id).await?;
        let now = self.clock.now();
        let expiration = patch.expiration.unwrap_or(s.expiration);
        self.check_expiration(expiration, now)?;
        if expiration - now > LIFECYCLE_URL_NEEDED_BEYOND && s.lifecycle_notification_url.is_none()
        {
            return Err(SubscriptionError::LifecycleUrlRequired);
        }
        if let Some(url) = patch.notification_url.filter(|u| *u != s.notification_url) {
            self.check_url(&url)?;
            self.handshake(&url).await?;
            s.notification_url = url;
        }
        s.expiration = expiration;
        s.next_reauthorization_at = s
            .lifecycle_notification_url
            .as_ref()
            .and_then(|_| next_reauthorization(expiration, now));
        if !self
            .store
            .update_subscription(
                s.id,
                s.expiration,
                &s.notification_url,
                s.next_reauthorization_at,
            )
            .await?
        {
            return Err(SubscriptionError::NotFound(id.to_owned()));
        }
        Ok(s)
    }

    /// `POST /subscriptions/{id}/reauthorize`: the caller's permission is checked again and
    /// the reauthorization schedule starts over.
    pub async fn reauthorize(
        &self,
        caller: Caller,
        id: &str,
        request_id: &str,
    ) -> Result<(), SubscriptionError> {
        let s = self.owned(&caller, id, request_id).await?;
        let now = self.clock.now();
        self.store
            .update_subscription(
                s.id,
                s.expiration,
                &s.notification_url,
                s.lifecycle_notification_url
                    .as_ref()
                    .and_then(|_| next_reauthorization(s.expiration, now)),
            )
            .await?;
        Ok(())
    }

    /// `DELETE /subscriptions/{id}`: no more notifications, the undelivered ones included.
    pub async fn delete(
        &self,
        caller: Caller,
        id: &str,
        request_id: &str,
    ) -> Result<(), SubscriptionError> {
        let s = self.owned(&caller, id, request_id).await?;
        if !self.store.delete_subscription(s.id).await? {
            return Err(SubscriptionError::NotFound(id.to_owned()));
        }
        Ok(())
    }

    /// The outbox rows of a subscription (operators, tests).
    pub async fn outbox(&self, subscription_id: Uuid) -> Result<Vec<OutboxEntry>, StoreError> {
        self.store.outbox_of(subscription_id).await
    }

    fn entry(
        &self,
        s: &Subscription,
        kind: OutboxKind,
        url: &str,
        body: String,
        due_at: DateTime<Utc>,
    ) -> OutboxEntry {
        let now = self.clock.now();
        OutboxEntry {
            seq: 0,
            id: Uuid::new_v4(),
            subscription_id: s.id,
            tenant_id: s.tenant_id,
            kind,
            url: url.to_owned(),
            body,
            state: OutboxState::Pending,
            attempts: 0,
            created_at: now,
            due_at,
            give_up_at: due_at.max(now) + RETRY_FOR,
            finished_at: None,
            last_error: None,
        }
    }

    /// A validation token for a rich notification (C.6): a JWT for the subscribing app, from
    /// Graph's change-notification app, issued by the tenant's v1 issuer.
    async fn validation_token(&self, s: &Subscription) -> Result<String, StoreError> {
        let now = self.clock.now().timestamp();
        let claims = serde_json::json!({
            "aud": s.app_id.to_string(),
            "iss": format!("https://sts.windows.net/{}/", s.tenant_id),
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "appid": NOTIFICATIONS_APP_ID,
            "appidacr": "2",
            "idp": format!("https://sts.windows.net/{}/", s.tenant_id),
            "tid": s.tenant_id.to_string(),
            "ver": "1.0",
        });
        self.keys
            .sign_claims(&claims)
            .await
            .map_err(|e| StoreError::Backend(format!("signing a validation token: {e}")))
    }

    /// Builds the POST body of one change notification for `s`.
    async fn change_body(
        &self,
        s: &Subscription,
        change_type: &'static str,
        resource: String,
        resource_data: serde_json::Value,
        rich: serde_json::Value,
        organization_id: Option<Uuid>,
    ) -> Result<String, StoreError> {
        let mut encrypted_content = None;
        let mut tokens = Vec::new();
        if s.include_resource_data {
            if let Some(cert) = &s.encryption_certificate {
                let cert = EncryptionCertificate::from_base64(cert)
                    .map_err(|e| StoreError::Backend(format!("encryption certificate: {e}")))?;
                let (data, data_signature, data_key) = cert
                    .encrypt(rich.to_string().as_bytes())
                    .map_err(|e| StoreError::Backend(e.to_string()))?;
                encrypted_content = Some(EncryptedContent {
                    data,
                    data_signature,
                    data_key,
                    encryption_certificate_id: s
                        .encryption_certificate_id
                        .clone()
                        .unwrap_or_default(),
                    encryption_certificate_thumbprint: cert.thumbprint.clone(),
                });
                tokens.push(self.validation_token(s).await?);
            }
        }
        let item = ChangeNotification {
            subscription_id: s.id,
            change_type,
            client_state: s.client_state.clone(),
            subscription_expiration: s.expiration,
            resource,
            resource_data,
            encrypted_content,
            tenant_id: s.tenant_id,
            organization_id,
        };
        Ok(wire::notification_body(vec![item.to_value()], &tokens).to_string())
    }

    /// A transcript or recording became available: queue a `created` notification for every
    /// live subscription that covers it and was made before the session began.
    pub async fn artifact_created(&self, a: &ArtifactCreated) -> Result<usize, StoreError> {
        let kind = if a.transcript {
            ResourceKind::Transcripts
        } else {
            ResourceKind::Recordings
        };
        let now = self.clock.now();
        let subs = self
            .store
            .live_subscriptions(a.tenant_id, kind, now)
            .await?;
        let mut entries = Vec::new();
        for s in subs
            .iter()
            .filter(|s| s.covers(a.organizer_id, &a.meeting_id))
            .filter(|s| s.created_at <= a.session_started_at)
        {
            if !self.still_allowed(s).await? {
                continue;
            }
            let (resource, data) = wire::artifact_resource(&a.meeting_id, a.transcript, &a.id);
            let rich = wire::artifact_rich_resource(
                &a.meeting_id,
                a.transcript,
                &a.id,
                a.created_at,
                a.organizer_id,
                a.tenant_id,
            );
            let body = self
                .change_body(s, "created", resource, data, rich, None)
                .await?;
            entries.push(self.entry(
                s,
                OutboxKind::Change,
                &s.notification_url,
                body,
                a.available_at.max(now),
            ));
        }
        self.queue(entries).await
    }

    /// A meeting's call started, ended or its roster changed: an `updated` notification for
    /// each live meetingCallEvents subscription of that joinWebUrl. `participants` is the
    /// `participants@delta` of a `rosterUpdated` event.
    pub async fn call_event(
        &self,
        tenant_id: Uuid,
        join_web_url: &str,
        event_type: &str,
        at: DateTime<Utc>,
        participants: Option<serde_json::Value>,
    ) -> Result<usize, StoreError> {
        let now = self.clock.now();
        let subs = self
            .store
            .live_subscriptions(tenant_id, ResourceKind::MeetingCallEvents, now)
            .await?;
        let mut entries = Vec::new();
        for s in subs
            .iter()
            .filter(|s| s.meeting_key.as_deref() == Some(join_web_url))
            .filter(|s| s.created_at <= at)
        {
            if !self.still_allowed(s).await? {
                continue;
            }
            let notification_id = Uuid::new_v4();
            let (resource, data) = wire::call_event_resource(join_web_url, notification_id);
            let mut rich = serde_json::json!({
                "@odata.type": "#microsoft.graph.callevent",
                "@odata.id": resource,
                "id": notification_id.to_string(),
                "eventType": event_type,
                "eventDateTime": format!("{}.{:07}Z", at.format("%Y-%m-%dT%H:%M:%S"), at.timestamp_subsec_nanos() / 100),
            });
            if let Some(p) = &participants {
                rich["participants@delta"] = p.clone();
            }
            let body = self
                .change_body(s, "updated", resource, data, rich, Some(tenant_id))
                .await?;
            entries.push(self.entry(
                s,
                OutboxKind::Change,
                &s.notification_url,
                body,
                at.max(now),
            ));
        }
        self.queue(entries).await
    }

    async fn queue(&self, entries: Vec<OutboxEntry>) -> Result<usize, StoreError> {
        if entries.is_empty() {
            return Ok(0);
        }
        self.store.enqueue(&entries).await?;
        self.wake.notify_one();
        Ok(entries.len())
    }

    fn lifecycle_entry(&self, s: &Subscription, event: LifecycleEvent) -> Option<OutboxEntry> {
        let url = s.lifecycle_notification_url.as_deref()?;
        let item = wire::lifecycle_notification(
            s.id,
            s.expiration,
            s.tenant_id,
            s.client_state.as_deref(),
            event,
        );
        let body = wire::notification_body(vec![item], &[]).to_string();
        Some(self.entry(s, OutboxKind::Lifecycle, url, body, self.clock.now()))
    }

    /// One pass of the delivery worker: due `reauthorizationRequired` notices, expired
    /// subscriptions removed, then due notifications delivered, rescheduled or dropped.
    pub async fn run_due(&self, batch: i64) -> Result<Pass, StoreError> {
        let mut pass = Pass::default();
        let now = self.clock.now();
        for s in self.store.due_reauthorizations(now, batch).await? {
            let next = next_reauthorization(s.expiration, now);
            let (Some(due), Some(entry)) = (
                s.next_reauthorization_at,
                self.lifecycle_entry(&s, LifecycleEvent::ReauthorizationRequired),
            ) else {
                continue;
            };
            if self
                .store
                .reauthorization_sent(s.id, due, next, &entry)
                .await?
            {
                pass.lifecycle_queued += 1;
            }
        }
        for s in self.store.expired_subscriptions(now, batch).await? {
            if self.store.delete_subscription(s.id).await? {
                pass.expired += 1;
            }
        }
        let wall = std::time::SystemTime::now();
        let claimed = self
            .store
            .claim_due(now, wall_micros(wall), wall_micros(wall + LEASE), batch)
            .await?;
        for entry in claimed {
            if entry.kind == OutboxKind::Change {
                // An expired or deleted subscription delivers nothing more.
                let live = self
                    .store
                    .subscription(entry.subscription_id)
                    .await?
                    .filter(|s| s.expiration > now);
                if live.is_none() {
                    self.store
                        .mark_dropped(entry.seq, now, "the subscription expired or was deleted")
                        .await?;
                    pass.dropped += 1;
                    continue;
                }
            }
            match self.transport.deliver(&entry.url, &entry.body).await {
                Ok(()) => {
                    self.store
                        .mark_delivered(entry.seq, self.clock.now())
                        .await?;
                    pass.delivered += 1;
                }
                Err(error) => {
                    let now = self.clock.now();
                    let attempts = entry.attempts + 1;
                    let due = now + backoff(attempts);
                    if due > entry.give_up_at {
                        self.store.mark_dropped(entry.seq, now, &error).await?;
                        pass.dropped += 1;
                        if entry.kind == OutboxKind::Change {
                            if let Some(s) = self.store.subscription(entry.subscription_id).await? {
                                if let Some(missed) =
                                    self.lifecycle_entry(&s, LifecycleEvent::Missed)
                                {
                                    self.store.enqueue(&[missed]).await?;
                                    pass.lifecycle_queued += 1;
                                }
                            }
                        }
                    } else {
                        tracing::debug!(url = %entry.url, attempts, %error, "notification failed; retrying later");
                        self.store
                            .mark_retry(entry.seq, attempts, due, &error)
                            .await?;
                        pass.retried += 1;
                    }
                }
            }
        }
        Ok(pass)
    }

    /// Whether the app of an organizer-scoped subscription may still read the organizer's
    /// meetings (the application access policy, now); a subscription that lost it is removed
    /// with a `subscriptionRemoved` lifecycle notification instead of notified.
    async fn still_allowed(&self, s: &Subscription) -> Result<bool, StoreError> {
        let Some(organizer) = s.organizer_id else {
            return Ok(true);
        };
        // Delegated subscriptions are the organizer's own: no policy applies.
        if s.creator_id == organizer {
            return Ok(true);
        }
        let allowed = self
            .index
            .tenant(s.tenant_id)
            .and_then(|t| self.access.explain(&t, s.app_id, &UserRef::Id(organizer)))
            .is_some_and(|e| e.decision.allowed());
        if !allowed {
            tracing::info!(subscription = %s.id, app = %s.app_id, "the app lost access to the organizer's meetings; removing the subscription");
            self.remove(s.id).await?;
        }
        Ok(allowed)
    }

    /// Removes a subscription whose app lost access, telling its lifecycle URL
    /// (`subscriptionRemoved`).
    pub async fn remove(&self, id: Uuid) -> Result<bool, StoreError> {
        let Some(s) = self.store.subscription(id).await? else {
            return Ok(false);
        };
        if let Some(entry) = self.lifecycle_entry(&s, LifecycleEvent::SubscriptionRemoved) {
            self.store.enqueue(&[entry]).await?;
            self.wake.notify_one();
        }
        self.store.delete_subscription(id).await
    }
}

/// Told when a played meeting session is stored, with its meeting's joinWebUrl: the hook
/// [`crate::playback::Playback`] calls for change notifications.
#[async_trait]
pub trait SessionObserver: Send + Sync + 'static {
    /// The session is stored (its artifacts exist from `available_at`).
    async fn session_stored(&self, session: &crate::playback::StoredSession, join_web_url: &str);
}

#[async_trait]
impl SessionObserver for Subscriptions {
    async fn session_stored(&self, session: &crate::playback::StoredSession, join_web_url: &str) {
        let artifacts = [
            (true, session.transcript_id.as_ref()),
            (false, session.recording_id.as_ref()),
        ];
        for (transcript, id) in artifacts {
            let Some(id) = id else { continue };
            let created = ArtifactCreated {
                tenant_id: session.tenant_id,
                organizer_id: session.organizer_id,
                meeting_id: session.meeting_id.clone(),
                join_web_url: Some(join_web_url.to_owned()),
                transcript,
                id: id.clone(),
                created_at: session.end,
                available_at: session.available_at,
                session_started_at: session.start,
            };
            if let Err(e) = self.artifact_created(&created).await {
                tracing::warn!(error = %e, session = %session.id, "could not queue artifact notifications");
            }
        }
        // The call's events: started, the roster as people joined, ended.
        let roster = serde_json::from_str::<crate::playback::SessionDocument>(&session.document)
            .map(|doc| {
                doc.attendees
                    .iter()
                    .map(|a| {
                        serde_json::json!({
                            "info": {"identity": {"user": {
                                "id": a.id, "displayName": a.display_name,
                                "tenantId": a.tenant_id.map(|t| t.to_string()),
                            }}},
                            "isInLobby": false,
                            "id": Uuid::new_v4().to_string(),
                        })
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let events = [
            ("callStarted", session.start, None),
            (
                "rosterUpdated",
                session.start,
                Some(serde_json::Value::Array(roster)),
            ),
            ("callEnded", session.end, None),
        ];
        for (event, at, participants) in events {
            if let Err(e) = self
                .call_event(session.tenant_id, join_web_url, event, at, participants)
                .await
            {
                tracing::warn!(error = %e, session = %session.id, "could not queue call events");
            }
        }
    }
}

/// What a resource narrows a subscription to, once authorized.
struct Scope {
    kind: ResourceKind,
    organizer_id: Option<Uuid>,
    meeting_key: Option<String>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn backoff_doubles_up_to_ten_minutes() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(5), Duration::seconds(480));
        assert_eq!(backoff(6), Duration::seconds(600));
        assert_eq!(backoff(60), Duration::seconds(600));
    }

    #[test]
    fn reauthorization_notices_follow_the_schedule() {
        let exp = Utc.with_ymd_and_hms(2026, 3, 3, 12, 0, 0).unwrap();
        // Three days out: the first notice 12 hours before.
        assert_eq!(
            next_reauthorization(exp, exp - Duration::days(3)),
            Some(exp - Duration::minutes(720))
        );
        // 50 minutes out: at 45.
        assert_eq!(
            next_reauthorization(exp, exp - Duration::minutes(50)),
            Some(exp - Duration::minutes(45))
        );
        assert_eq!(next_reauthorization(exp, exp - Duration::minutes(10)), None);
    }
}
