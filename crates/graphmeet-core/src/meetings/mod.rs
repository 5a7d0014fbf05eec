//! Teams online meetings: the rules of create, createOrGet, get, find, update and delete, on
//! behalf of an organizer the caller has been authorized for.
//!
//! Facts copied: <https://learn.microsoft.com/graph/api/application-post-onlinemeetings>,
//! <https://learn.microsoft.com/graph/api/onlinemeeting-createorget>,
//! <https://learn.microsoft.com/graph/api/onlinemeeting-update>; the id and URL formats are
//! `graphmeet_wire::graph::ids`'s.

use compose::{channel_thread, check_presenters, upgrade_join_information, StoreOutcome};

// The administrator's view of meetings (the admin console), with access to this service's store.
pub mod admin_view;
mod compose;

use crate::clock::Clock;
use crate::index::DirectoryIndex;
use crate::model::{MeetingRevision, StoredMeeting, Tenant, User};
use crate::policy::PolicyAllowed;
use crate::store::{Store, StoreError};
use crate::writer::{MeetingQuota, MeetingWriter};
use chrono::Duration;
use graphmeet_wire::graph::ids::{MeetingId, MeetingIdError};
use graphmeet_wire::graph::meeting::*;
use graphmeet_wire::graph::{
    CreateOrGetInput, GraphDateTime, InputError, MeetingFilter, OnlineMeeting, OnlineMeetingInput,
};
use std::sync::Arc;
use uuid::Uuid;

pub use compose::join_information;

/// How long after its end a meeting expires (and how far an update pushes expiry).
const EXPIRY_AFTER_END_DAYS: i64 = 60;
/// The longest createOrGet `externalId`, in UTF-8 bytes.
pub const MAX_EXTERNAL_ID_BYTES: usize = 1024;
/// Attempts at drawing unique ids before giving up.
const ID_ATTEMPTS: usize = 8;

/// Why a meeting operation was refused, in domain terms; the server renders each as Graph.
#[derive(Debug, thiserror::Error)]
pub enum MeetingError {
    /// The body is not an acceptable onlineMeeting.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The body breaks a rule of the operation; the text says which.
    #[error("{0}")]
    Rule(String),
    /// The meeting id cannot be read.
    #[error(transparent)]
    Id(#[from] MeetingIdError),
    /// The meeting id names another organizer than the path's user.
    #[error("organizer mismatch for user {0}")]
    OrganizerMismatch(String),
    /// No such meeting.
    #[error("meeting not found")]
    NotFound,
    /// The user is not the meeting's organizer.
    #[error("the user does not have access to the meeting")]
    NoAccess,
    /// The organizer has created as many meetings this calendar month as the quota allows.
    #[error("the organizer has used the monthly quota of {limit} meetings")]
    QuotaExceeded {
        /// The organizer.
        organizer: Uuid,
        /// The quota.
        limit: u32,
        /// Seconds from now to the next month's start (at least 1), for `Retry-After`.
        retry_after_secs: u64,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The right to manage one user's meetings: obtained only from an allowed access-policy
/// decision (app-only calls) or from the user's own delegated token.
#[derive(Debug, Clone)]
pub struct Organizer {
    // Shared with the directory index: a call's organizer is not a copy of the user.
    user: Arc<User>,
    tenant: Arc<Tenant>,
}

impl Organizer {
    /// An app-only caller, allowed by the tenant's application access policy for `user`.
    pub fn for_app(allowed: &PolicyAllowed, user: Arc<User>, tenant: Arc<Tenant>) -> Option<Self> {
        (allowed.user_id() == user.id && user.tenant_id == tenant.id)
            .then_some(Self { user, tenant })
    }

    /// A delegated caller acting for itself (the token's `oid` is the user).
    pub fn signed_in(token_user: Uuid, user: Arc<User>, tenant: Arc<Tenant>) -> Option<Self> {
        (token_user == user.id && user.tenant_id == tenant.id).then_some(Self { user, tenant })
    }

    /// The organizer of a calendar event with a Teams meeting: Exchange makes the meeting for
    /// the mailbox's owner, so the Teams application access policy is not asked (the calendar
    /// operation's authorization was).
    pub(crate) fn for_mailbox(user: User, tenant: Tenant) -> Self {
        Self {
            user: Arc::new(user),
            tenant: Arc::new(tenant),
        }
    }

    /// The administrator acting for `user` (a seed's meetings, which the admin key authorizes).
    pub fn by_administrator(user: Arc<User>, tenant: Arc<Tenant>) -> Option<Self> {
        (user.tenant_id == tenant.id).then_some(Self { user, tenant })
    }

    /// The organizer.
    pub fn user(&self) -> &User {
        &self.user
    }
}

/// Online meetings over the store.
#[derive(Clone)]
pub struct Meetings {
    store: Arc<dyn Store>,
    /// The directory attendees are looked up in.
    index: Arc<DirectoryIndex>,
    clock: Arc<dyn Clock>,
    join_url_base: String,
    writer: MeetingWriter,
}

fn rule(text: &str) -> MeetingError {
    MeetingError::Rule(text.to_owned())
}

impl Meetings {
    /// Meetings whose join URLs live under `join_url_base` (`https://teams.microsoft.com`, or
    /// this server). New meetings are stored by a [`MeetingWriter`] started here, so call this
    /// from within a Tokio runtime. With `quota`, an organizer may create at most that many
    /// meetings per calendar month (UTC, on `clock`); creations are counted in the store, so
    /// deleting a meeting does not give its place back. `observer` is told of every batch the
    /// writer stores.
    pub fn new(
        store: Arc<dyn Store>,
        index: Arc<DirectoryIndex>,
        clock: Arc<dyn Clock>,
        join_url_base: String,
        quota: Option<u32>,
        observer: Arc<dyn crate::telemetry::QueueObserver>,
    ) -> Self {
        Self {
            writer: MeetingWriter::start_observed(store.clone(), quota.map(MeetingQuota), observer),
            store,
            index,
            clock,
            join_url_base,
        }
    }

    /// How many creates wait for the meeting writer now.
    pub fn queued_creates(&self) -> usize {
        self.writer.queued()
    }

    /// The meeting of a chat thread, in any tenant: what the join landing page shows (it is
    /// public, as a meeting link is).
    pub async fn by_thread_id(&self, thread_id: &str) -> Result<Option<StoredMeeting>, StoreError> {
        self.store.find_meeting_by_thread_id(thread_id).await
    }

    /// `POST …/onlineMeetings`.
    pub async fn create(
        &self,
        org: &Organizer,
        input: OnlineMeetingInput,
    ) -> Result<OnlineMeeting, MeetingError> {
        let now = GraphDateTime::new(self.clock.now());
        let start = input.start_date_time.unwrap_or(now);
        let end = input.end_date_time.unwrap_or(start + Duration::hours(1));
        if end < start {
            return Err(rule(
                "The endDateTime of the meeting must be later than its startDateTime.",
            ));
        }
        let mut meeting = OnlineMeeting::default();
        input.apply_to(&mut meeting);
        // externalId belongs to createOrGet; a plain create does not set it.
        meeting.external_id = None;
        meeting.start_date_time = Some(start);
        meeting.end_date_time = Some(end);
        let passcode_required = input
            .join_meeting_id_settings
            .as_ref()
            .and_then(|s| s.is_passcode_required)
            .unwrap_or(false);
        self.finish_participants(org, &mut meeting, input.participants.as_ref())
            .await?;
        check_presenters(&meeting)?;
        let (_, created) = self
            .store_new(org, meeting, passcode_required, None, None)
            .await?;
        Ok(created)
    }

    /// `POST …/onlineMeetings/createOrGet`: 201 with `true` when created, 200 with `false`
    /// when the organizer already has a meeting with that externalId (returned unchanged).
    pub async fn create_or_get(
        &self,
        org: &Organizer,
        input: CreateOrGetInput,
    ) -> Result<(OnlineMeeting, bool), MeetingError> {
        if input.external_id.trim().is_empty() {
            return Err(rule("externalId must not be empty."));
        }
        // The createOrGet key is indexed: an unbounded one would fail in the database (a
        // PostgreSQL index row holds at most ~2.7 KB) instead of getting a clear answer.
        if input.external_id.len() > MAX_EXTERNAL_ID_BYTES {
            return Err(MeetingError::Rule(format!(
                "externalId must be at most {MAX_EXTERNAL_ID_BYTES} bytes (UTF-8); it has {}.",
                input.external_id.len()
            )));
        }
        let (start, end) = input.resolve_dates(self.clock.now())?;
        let mut meeting = OnlineMeeting {
            subject: input.subject.clone(),
            start_date_time: Some(start),
            end_date_time: Some(end),
            external_id: Some(input.external_id.clone()),
            ..OnlineMeeting::default()
        };
        // Beta: a channel's thread makes a channel meeting, posted in that channel.
        let channel = match input
            .chat_info
            .as_ref()
            .and_then(|c| c.thread_id.as_deref())
        {
            Some(thread) => Some(channel_thread(thread)?),
            None => None,
        };
        self.finish_participants(org, &mut meeting, input.participants.as_ref())
            .await?;
        check_presenters(&meeting)?;
        // createOrGet ignores isPasscodeRequired: the meeting never has a passcode.
        match self
            .store_new(
                org,
                meeting,
                false,
                Some(input.external_id.clone()),
                channel.as_deref(),
            )
            .await
        {
            Ok((StoreOutcome::Created, created)) => Ok((created, true)),
            Ok((StoreOutcome::Existing(existing), _)) => Ok((parse_document(&existing)?, false)),
            // Over the quota, a meeting that exists is still found: it is no new creation.
            Err(over @ MeetingError::QuotaExceeded { .. }) => {
                let existing = self
                    .store
                    .find_meeting_by_external_id(org.tenant.id, org.user.id, &input.external_id)
                    .await?;
                Ok((parse_document(&existing.ok_or(over)?)?, false))
            }
            Err(e) => Err(e),
        }
    }

    /// `GET …/onlineMeetings/{id}`.
    pub async fn get(&self, org: &Organizer, raw_id: &str) -> Result<OnlineMeeting, MeetingError> {
        parse_document(&self.load(org, raw_id).await?)
    }

    /// The meeting id a request names, in its canonical form, when it is one of the organizer's
    /// (the id names its organizer; another's is refused before anything is read).
    pub fn organizers_id(org: &Organizer, raw_id: &str) -> Result<MeetingId, MeetingError> {
        let decoded = MeetingId::parse(raw_id)?;
        if decoded.organizer != org.user.id {
            return Err(MeetingError::OrganizerMismatch(org.user.id.to_string()));
        }
        Ok(decoded.to_meeting_id())
    }

    /// The organizer's meeting `id` ([`Meetings::organizers_id`]) as of now: unchanged when its
    /// revision is `known`, else its revision and document (decoded by [`Meetings::parse`]).
    pub async fn revision(
        &self,
        org: &Organizer,
        id: &MeetingId,
        known: Option<i64>,
    ) -> Result<MeetingRevision, MeetingError> {
        self.store
            .get_meeting_revision(org.tenant.id, id.as_str(), known)
            .await?
            .ok_or(MeetingError::NotFound)
    }

    /// The resource a meeting document holds, as [`Meetings::get`] answers it.
    pub fn parse(id: &str, document: &str) -> Result<OnlineMeeting, MeetingError> {
        let mut meeting: OnlineMeeting = serde_json::from_str(document).map_err(|e| {
            MeetingError::Store(StoreError::Backend(format!(
                "meeting {id} has an unreadable document: {e}"
            )))
        })?;
        upgrade_join_information(&mut meeting);
        Ok(meeting)
    }

    /// The resource a stored meeting's document holds, as [`Meetings::get`] answers it.
    pub fn document(stored: &StoredMeeting) -> Result<OnlineMeeting, MeetingError> {
        parse_document(stored)
    }

    /// `GET …/onlineMeetings?$filter=…`: the matching meeting, if any. A meeting that exists but
    /// is organized by someone else is refused (3003), as the real service does.
    pub async fn find(
        &self,
        org: &Organizer,
        filter: &MeetingFilter,
    ) -> Result<Vec<OnlineMeeting>, MeetingError> {
        let tenant = org.tenant.id;
        let found = match filter {
            MeetingFilter::JoinWebUrl(literal) => {
                let mut hit = None;
                for candidate in graphmeet_wire::graph::join_web_url_candidates(literal) {
                    if let Some(m) = self
                        .store
                        .find_meeting_by_join_web_url(tenant, &candidate)
                        .await?
                    {
                        hit = Some(m);
                        break;
                    }
                }
                hit
            }
            MeetingFilter::JoinMeetingId(id) => {
                self.store
                    .find_meeting_by_join_meeting_id(tenant, id.trim())
                    .await?
            }
            MeetingFilter::VideoTeleconferenceId(_) => None,
        };
        match found {
            None => Ok(Vec::new()),
            Some(m) if m.organizer_id != org.user.id => Err(MeetingError::NoAccess),
            Some(m) => Ok(vec![parse_document(&m)?]),
        }
    }

    /// `PATCH …/onlineMeetings/{id}`, with the update rules of the real service.
    pub async fn update(
        &self,
        org: &Organizer,
        raw_id: &str,
        patch: OnlineMeetingInput,
    ) -> Result<OnlineMeeting, MeetingError> {
        let mut stored = self.load(org, raw_id).await?;
        let mut meeting = parse_document(&stored)?;
        if patch.start_date_time.is_some() != patch.end_date_time.is_some() {
            return Err(rule(
                "Both startDateTime and endDateTime must be provided to change the meeting time.",
            ));
        }
        if let (Some(start), Some(end)) = (patch.start_date_time, patch.end_date_time) {
            if end < start {
                return Err(rule(
                    "The endDateTime of the meeting must be later than its startDateTime.",
                ));
            }
        }
        if patch.join_meeting_id_settings.is_some() {
            return Err(rule("joinMeetingIdSettings cannot be updated. Cancel the meeting and create a new one to change it."));
        }
        if let Some(given) = patch
            .participants
            .as_ref()
            .and_then(|p| p.organizer.as_ref())
        {
            let same = given
                .identity
                .as_ref()
                .and_then(|i| i.user.as_ref())
                .and_then(|u| u.id.as_deref())
                .is_none_or(|id| id.eq_ignore_ascii_case(&org.user.id.to_string()))
                && given
                    .upn
                    .as_deref()
                    .is_none_or(|upn| upn.eq_ignore_ascii_case(&org.user.upn));
            if !same {
                return Err(rule(
                    "The organizer of an online meeting cannot be changed.",
                ));
            }
        }
        if patch.allowed_presenters == Some(OnlineMeetingPresenters::RoleIsPresenter)
            && patch
                .participants
                .as_ref()
                .and_then(|p| p.attendees.as_ref())
                .is_none()
        {
            return Err(rule("When allowedPresenters is set to roleIsPresenter, the full attendee list with the presenters' role must be provided."));
        }
        if let (Some(before), Some(after)) = (
            &meeting.anonymize_identity_for_roles,
            &patch.anonymize_identity_for_roles,
        ) {
            if before.iter().any(|r| !after.contains(r)) {
                return Err(rule(
                    "A role cannot be removed from anonymizeIdentityForRoles.",
                ));
            }
        }
        let organizer = meeting
            .participants
            .as_ref()
            .and_then(|p| p.organizer.clone());
        patch.apply_to(&mut meeting);
        // The organizer is the stored one, whatever the body said; attendees were replaced whole.
        if let Some(participants) = meeting.participants.as_mut() {
            participants.organizer = organizer;
        }
        if let Some(attendees) = patch
            .participants
            .as_ref()
            .and_then(|p| p.attendees.clone())
        {
            let checked = self.check_attendees(org, &attendees).await?;
            meeting
                .participants
                .get_or_insert_with(Default::default)
                .attendees = Some(checked);
        }
        check_presenters(&meeting)?;
        if let Some(end) = meeting.end_date_time {
            meeting.expiry_date_time = Some(end + Duration::days(EXPIRY_AFTER_END_DAYS));
        }
        stored.document =
            serde_json::to_string(&meeting).map_err(|e| MeetingError::Rule(e.to_string()))?;
        stored.updated_at = self.clock.now();
        self.store
            .update_meeting(&stored)
            .await
            .map_err(not_found_if_gone)?;
        Ok(meeting)
    }

    /// `DELETE …/onlineMeetings/{id}`.
    pub async fn delete(&self, org: &Organizer, raw_id: &str) -> Result<(), MeetingError> {
        let stored = self.load(org, raw_id).await?;
        if self.store.delete_meeting(org.tenant.id, &stored.id).await? {
            Ok(())
        } else {
            Err(MeetingError::NotFound)
        }
    }

    /// The meeting a path id names, checked against the organizer.
    async fn load(&self, org: &Organizer, raw_id: &str) -> Result<StoredMeeting, MeetingError> {
        let id = Self::organizers_id(org, raw_id)?;
        self.store
            .get_meeting(org.tenant.id, id.as_str())
            .await?
            .ok_or(MeetingError::NotFound)
    }
}

fn parse_document(stored: &StoredMeeting) -> Result<OnlineMeeting, MeetingError> {
    Meetings::parse(&stored.id, &stored.document)
}

fn not_found_if_gone(e: StoreError) -> MeetingError {
    match e {
        StoreError::NotFound(_) => MeetingError::NotFound,
        other => other.into(),
    }
}
