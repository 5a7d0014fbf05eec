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

mod delivery;
mod fanout;
mod manage;
mod model;

use crate::access::{Access, Denial};
use crate::clock::Clock;
use crate::identity::KeyRing;
use crate::index::DirectoryIndex;
use crate::store::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;
use uuid::Uuid;

pub use fanout::SessionObserver;
pub use model::{
    next_reauthorization, OutboxEntry, OutboxKind, OutboxState, ResourceKind, Subscription,
};

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
}

#[cfg(test)]
mod tests;
