//! Teams online meetings: the rules of create, createOrGet, get, find, update and delete, on
//! behalf of an organizer the caller has been authorized for.
//!
//! Facts copied: <https://learn.microsoft.com/graph/api/application-post-onlinemeetings>,
//! <https://learn.microsoft.com/graph/api/onlinemeeting-createorget>,
//! <https://learn.microsoft.com/graph/api/onlinemeeting-update>; the id and URL formats are
//! `graphmeet_wire::graph::ids`'s.

use crate::clock::Clock;
use crate::index::DirectoryIndex;
use crate::model::{conversation_key, StoredMeeting, Tenant, User, UserRef};
use crate::policy::PolicyAllowed;
use crate::store::{Store, StoreError};
use crate::writer::{MeetingQuota, MeetingWriter, QuotaExceeded, WriteError};
use chrono::Duration;
use graphmeet_wire::graph::ids::{self, MeetingId, MeetingIdError};
use graphmeet_wire::graph::meeting::*;
use graphmeet_wire::graph::{
    CreateOrGetInput, GraphDateTime, InputError, MeetingFilter, OnlineMeeting, OnlineMeetingInput,
};
use std::sync::Arc;

// The administrator's view of meetings (the admin console), with access to this service's store.
pub mod admin_view;
use uuid::Uuid;

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
    user: User,
    tenant: Tenant,
}

impl Organizer {
    /// An app-only caller, allowed by the tenant's application access policy for `user`.
    pub fn for_app(allowed: &PolicyAllowed, user: User, tenant: Tenant) -> Option<Self> {
        (allowed.user_id() == user.id && user.tenant_id == tenant.id)
            .then_some(Self { user, tenant })
    }

    /// A delegated caller acting for itself (the token's `oid` is the user).
    pub fn signed_in(token_user: Uuid, user: User, tenant: Tenant) -> Option<Self> {
        (token_user == user.id && user.tenant_id == tenant.id).then_some(Self { user, tenant })
    }

    /// The organizer of a calendar event with a Teams meeting: Exchange makes the meeting for
    /// the mailbox's owner, so the Teams application access policy is not asked (the calendar
    /// operation's authorization was).
    pub(crate) fn for_mailbox(user: User, tenant: Tenant) -> Self {
        Self { user, tenant }
    }

    /// The administrator acting for `user` (a seed's meetings, which the admin key authorizes).
    pub fn by_administrator(user: User, tenant: Tenant) -> Option<Self> {
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

/// What [`Meetings::store_new`] did.
enum StoreOutcome {
    /// The new meeting was stored.
    Created,
    /// createOrGet found the organizer's meeting with that externalId, unchanged.
    Existing(StoredMeeting),
}

/// A channel's thread id, as beta createOrGet's `chatInfo.threadId` gives it: `19:…@thread.tacv2`
/// (or the older `@thread.skype`). A private meeting's chat or anything else cannot hold a new
/// meeting.
fn channel_thread(thread: &str) -> Result<String, MeetingError> {
    let thread = thread.trim();
    let channel = thread.starts_with("19:")
        && (thread.ends_with("@thread.tacv2") || thread.ends_with("@thread.skype"))
        && thread.len() > "19:@thread.tacv2".len()
        && !thread.contains(char::is_whitespace)
        && !thread.contains('/');
    if channel {
        Ok(thread.to_owned())
    } else {
        Err(MeetingError::Rule(format!(
            "Invalid chatInfo.threadId '{thread}': a meeting can be created in a channel's thread (19:…@thread.tacv2) only."
        )))
    }
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

    /// `GET …/onlineMeetings/{id}` as stored, for a caller that reads the document itself with
    /// [`Meetings::document`] (the server memoizes what it renders from a document).
    pub async fn get_stored(
        &self,
        org: &Organizer,
        raw_id: &str,
    ) -> Result<StoredMeeting, MeetingError> {
        self.load(org, raw_id).await
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
        let decoded = MeetingId::parse(raw_id)?;
        if decoded.organizer != org.user.id {
            return Err(MeetingError::OrganizerMismatch(org.user.id.to_string()));
        }
        let id = decoded.to_meeting_id();
        self.store
            .get_meeting(org.tenant.id, id.as_str())
            .await?
            .ok_or(MeetingError::NotFound)
    }

    /// Fills the organizer from the directory and checks the attendees.
    async fn finish_participants(
        &self,
        org: &Organizer,
        meeting: &mut OnlineMeeting,
        given: Option<&MeetingParticipants>,
    ) -> Result<(), MeetingError> {
        let attendees = match given.and_then(|p| p.attendees.as_ref()) {
            Some(list) => self.check_attendees(org, list).await?,
            None => Vec::new(),
        };
        meeting.participants = Some(MeetingParticipants {
            organizer: Some(MeetingParticipantInfo {
                identity: Some(IdentitySet {
                    user: Some(Identity::aad_user(
                        org.user.id.to_string(),
                        org.tenant.id.to_string(),
                    )),
                    ..IdentitySet::default()
                }),
                upn: Some(org.user.upn.clone()),
                role: Some(OnlineMeetingRole::Presenter),
            }),
            attendees: Some(attendees),
            producers: Some(Vec::new()),
            contributors: Some(Vec::new()),
        });
        Ok(())
    }

    /// Attendees: each names a user by id or UPN; users of the directory are completed with
    /// their id, UPN and tenant; presenters and co-organizers must be users of the directory.
    async fn check_attendees(
        &self,
        org: &Organizer,
        attendees: &[MeetingParticipantInfo],
    ) -> Result<Vec<MeetingParticipantInfo>, MeetingError> {
        let mut out = Vec::with_capacity(attendees.len());
        for (i, attendee) in attendees.iter().enumerate() {
            let id = attendee
                .identity
                .as_ref()
                .and_then(|s| s.user.as_ref())
                .and_then(|u| u.id.clone());
            let upn = attendee.upn.clone();
            if id.is_none() && upn.is_none() {
                return Err(MeetingError::Rule(format!(
                    "participants.attendees[{i}] must identify a user by identity.user.id or upn."
                )));
            }
            // Only the organizer's directory is looked in: a user of another tenant is an
            // external attendee, as Graph treats one, and nothing of that tenant's directory
            // shows in the answer.
            let reference = match (&id, &upn) {
                (Some(id), _) => match Uuid::parse_str(id) {
                    Ok(uuid) => Some(UserRef::Id(uuid)),
                    Err(_) => return Err(MeetingError::Rule(format!("participants.attendees[{i}].identity.user.id '{id}' is not a valid object id."))),
                },
                (None, Some(upn)) => Some(UserRef::Upn(upn.clone())),
                (None, None) => None,
            };
            let known = reference
                .and_then(|r| self.index.user_in(org.tenant.id, &r))
                .map(|u| User::clone(&u));
            let mut checked = attendee.clone();
            match known {
                Some(user) => {
                    let mut identity =
                        Identity::aad_user(user.id.to_string(), user.tenant_id.to_string());
                    identity.display_name = attendee
                        .identity
                        .as_ref()
                        .and_then(|s| s.user.as_ref())
                        .and_then(|u| u.display_name.clone());
                    checked.identity = Some(IdentitySet {
                        user: Some(identity),
                        ..IdentitySet::default()
                    });
                    checked.upn = Some(user.upn);
                }
                // Presenter and co-organizer are not supported for users outside Entra ID
                // (learn.microsoft.com/graph/api/application-post-onlinemeetings); the service
                // does not refuse the request but drops the role: the documented beta
                // createOrGet example 1 sends `"role": "presenter"` and gets the attendee back
                // with `"role": null`.
                None if matches!(
                    attendee.role,
                    Some(OnlineMeetingRole::Presenter | OnlineMeetingRole::Coorganizer)
                ) =>
                {
                    checked.role = None;
                }
                None => {}
            }
            out.push(checked);
        }
        Ok(out)
    }

    /// Draws the ids, completes the resource and stores it, retrying when a drawn id is taken.
    /// Returns the completed resource, which is what was stored when the outcome is
    /// [`StoreOutcome::Created`]: the answer is rendered from it rather than from its stored
    /// document read back.
    async fn store_new(
        &self,
        org: &Organizer,
        mut meeting: OnlineMeeting,
        passcode_required: bool,
        external_id: Option<String>,
        channel: Option<&str>,
    ) -> Result<(StoreOutcome, OnlineMeeting), MeetingError> {
        let now = self.clock.now();
        let mut last_conflict = String::new();
        for attempt in 0..ID_ATTEMPTS {
            let (thread_guid, join_id, conference, passcode) = {
                let mut rng = rand::thread_rng();
                (
                    Uuid::new_v4(),
                    ids::join_meeting_id(&mut rng),
                    ids::conference_id(&mut rng),
                    passcode_required.then(|| ids::passcode(&mut rng)),
                )
            };
            // A private meeting gets a thread of its own (message id 0); a channel meeting is a
            // post in the channel's thread, its message id the post's millisecond timestamp
            // (one later per retry, so two meetings posted at once differ).
            let (thread_id, message_id) = match channel {
                Some(thread) => (
                    thread.to_owned(),
                    (now.timestamp_millis() + i64::try_from(attempt).unwrap_or(0)).to_string(),
                ),
                None => (ids::private_thread_id(thread_guid), "0".to_owned()),
            };
            let id = MeetingId::encode(org.user.id, &message_id, &thread_id);
            let join_web_url = ids::join_web_url(
                &self.join_url_base,
                &thread_id,
                &message_id,
                org.tenant.id,
                org.user.id,
            );
            self.complete(
                org,
                &mut meeting,
                &id,
                (&thread_id, &message_id),
                &join_web_url,
                &join_id,
                &conference,
                passcode,
                now,
            );
            let stored = StoredMeeting {
                id: id.as_str().to_owned(),
                tenant_id: org.tenant.id,
                organizer_id: org.user.id,
                external_id: external_id.clone(),
                thread_id: conversation_key(&thread_id, &message_id),
                join_meeting_id: join_id,
                join_web_url,
                created_at: now,
                updated_at: now,
                document: serde_json::to_string(&meeting)
                    .map_err(|e| MeetingError::Rule(e.to_string()))?,
            };
            // Through the writer, which commits concurrent creates together and answers only
            // after the commit.
            let outcome = if external_id.is_some() {
                self.writer
                    .create_or_get(stored)
                    .await
                    .map(|existing| existing.map_or(StoreOutcome::Created, StoreOutcome::Existing))
            } else {
                self.writer
                    .create(stored)
                    .await
                    .map(|()| StoreOutcome::Created)
            };
            match outcome {
                Ok(done) => return Ok((done, meeting)),
                // A drawn id was taken: draw again.
                Err(WriteError::Store(StoreError::Conflict(what))) => last_conflict = what,
                Err(WriteError::Store(e)) => return Err(e.into()),
                Err(WriteError::OverQuota(over)) => return Err(self.over_quota(org, over)),
            }
        }
        Err(MeetingError::Store(StoreError::Backend(format!(
            "could not draw unique meeting ids: {last_conflict}"
        ))))
    }

    /// The quota refusal, with the wait until the organizer's next month.
    fn over_quota(&self, org: &Organizer, over: QuotaExceeded) -> MeetingError {
        let wait = (over.resets_at - self.clock.now()).num_seconds();
        MeetingError::QuotaExceeded {
            organizer: org.user.id,
            limit: over.limit,
            retry_after_secs: u64::try_from(wait).unwrap_or(0).max(1),
        }
    }

    /// Sets the read-only properties the service computes.
    #[allow(clippy::too_many_arguments)]
    fn complete(
        &self,
        org: &Organizer,
        meeting: &mut OnlineMeeting,
        id: &MeetingId,
        (thread_id, message_id): (&str, &str),
        join_web_url: &str,
        join_id: &str,
        conference: &str,
        passcode: Option<String>,
        now: chrono::DateTime<chrono::Utc>,
    ) {
        let dial_guid = Uuid::new_v4();
        meeting.id = Some(id.as_str().to_owned());
        meeting.creation_date_time = Some(GraphDateTime::new(now));
        meeting.expiry_date_time = meeting
            .end_date_time
            .map(|end| end + Duration::days(EXPIRY_AFTER_END_DAYS));
        meeting.join_web_url = Some(join_web_url.to_owned());
        meeting.chat_info = Some(ChatInfo {
            thread_id: Some(thread_id.to_owned()),
            message_id: Some(message_id.to_owned()),
            // A channel meeting's post starts its own reply chain.
            reply_chain_message_id: (message_id != "0").then(|| message_id.to_owned()),
        });
        meeting.join_meeting_id_settings = Some(JoinMeetingIdSettings {
            is_passcode_required: Some(passcode.is_some()),
            join_meeting_id: Some(join_id.to_owned()),
            passcode,
        });
        // Dial-in details come with the organizer's Audio Conferencing licence.
        meeting.audio_conferencing =
            org.user
                .account
                .audio_conferencing
                .then(|| AudioConferencing {
                    conference_id: Some(conference.to_owned()),
                    toll_number: Some("+12065550100".to_owned()),
                    toll_free_number: Some("+18005550100".to_owned()),
                    toll_numbers: Some(vec!["+12065550100".to_owned()]),
                    toll_free_numbers: Some(vec!["+18005550100".to_owned()]),
                    dialin_url: Some(ids::dialin_url(&self.join_url_base, dial_guid, conference)),
                });
        meeting.meeting_options_web_url = Some(format!(
            "{}/meetingOptions/?organizerId={}&tenantId={}&threadId={}&messageId={}&language=en-US",
            self.join_url_base, org.user.id, org.tenant.id, thread_id, message_id
        ));
        meeting.join_information = Some(join_information(
            join_web_url,
            join_id,
            meeting
                .join_meeting_id_settings
                .as_ref()
                .and_then(|s| s.passcode.as_deref()),
        ));
        meeting
            .allowed_presenters
            .get_or_insert(OnlineMeetingPresenters::Everyone);
        meeting
            .allow_meeting_chat
            .get_or_insert(MeetingChatMode::Enabled);
        meeting.allow_teamwork_reactions.get_or_insert(true);
        meeting.allow_attendee_to_enable_camera.get_or_insert(true);
        meeting.allow_attendee_to_enable_mic.get_or_insert(true);
        meeting
            .allow_participants_to_change_name
            .get_or_insert(false);
        meeting.allow_recording.get_or_insert(true);
        meeting.allow_transcription.get_or_insert(true);
        meeting.is_entry_exit_announced.get_or_insert(true);
        meeting.record_automatically.get_or_insert(false);
        meeting
            .share_meeting_chat_history_default
            .get_or_insert(MeetingChatHistoryDefaultMode::None);
        meeting.is_broadcast.get_or_insert(false);
        // The default lobby, member by member: a create that sends only
        // `isDialInBypassEnabled` still gets the default scope.
        let lobby = meeting
            .lobby_bypass_settings
            .get_or_insert_with(Default::default);
        lobby.scope.get_or_insert(LobbyBypassScope::Organization);
        lobby.is_dial_in_bypass_enabled.get_or_insert(false);
    }
}

/// `joinInformation`: the invitation HTML as a `data:text/html,` URL, the whole of it
/// form-encoded as a real 2025 response has it (OfficeDev/microsoft-teams-library-js#2844:
/// `+` for spaces, lower-case escapes, `%0a` for new lines; documented bodies encode the whole
/// blob the same way but with upper-case escapes), with `contentType` `Html` as every
/// documented body has it. The meeting id is grouped in threes, as the invitation shows it
/// (`344 674 159 108 1`).
pub fn join_information(join_web_url: &str, join_id: &str, passcode: Option<&str>) -> ItemBody {
    let grouped = join_id
        .as_bytes()
        .chunks(3)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    let mut html = format!(
        "<p>Microsoft Teams meeting</p>\n<p><a href=\"{join_web_url}\" target=\"_blank\" rel=\"noreferrer noopener\">Join the meeting now</a></p>\n<p>Meeting ID: {grouped}</p>\n"
    );
    if let Some(passcode) = passcode {
        html.push_str(&format!("<p>Passcode: {passcode}</p>\n"));
    }
    ItemBody {
        content: Some(ids::url_encode_lower(&format!("data:text/html,{html}"))),
        content_type: Some("Html".to_owned()),
    }
}

/// Presenter roles need `allowedPresenters = roleIsPresenter`.
fn check_presenters(meeting: &OnlineMeeting) -> Result<(), MeetingError> {
    let has_presenter = meeting
        .participants
        .as_ref()
        .and_then(|p| p.attendees.as_ref())
        .is_some_and(|a| {
            a.iter()
                .any(|x| x.role == Some(OnlineMeetingRole::Presenter))
        });
    if has_presenter
        && meeting
            .allowed_presenters
            .is_some_and(|p| p != OnlineMeetingPresenters::RoleIsPresenter)
    {
        return Err(rule("An attendee can have the presenter role only when allowedPresenters is roleIsPresenter."));
    }
    Ok(())
}

fn parse_document(stored: &StoredMeeting) -> Result<OnlineMeeting, MeetingError> {
    let mut meeting: OnlineMeeting = serde_json::from_str(&stored.document).map_err(|e| {
        MeetingError::Store(StoreError::Backend(format!(
            "meeting {} has an unreadable document: {e}",
            stored.id
        )))
    })?;
    upgrade_join_information(&mut meeting);
    Ok(meeting)
}

/// Meetings stored before joinInformation took the real service's form (`contentType`
/// `html`, an unencoded `data:text/html,` prefix) are shown in the current form.
fn upgrade_join_information(meeting: &mut OnlineMeeting) {
    let old = meeting
        .join_information
        .as_ref()
        .is_some_and(|j| j.content_type.as_deref() == Some("html"));
    if !old {
        return;
    }
    if let (Some(url), Some(settings)) = (
        meeting.join_web_url.as_deref(),
        meeting.join_meeting_id_settings.as_ref(),
    ) {
        let join_id = settings.join_meeting_id.as_deref().unwrap_or_default();
        meeting.join_information =
            Some(join_information(url, join_id, settings.passcode.as_deref()));
    }
}

fn not_found_if_gone(e: StoreError) -> MeetingError {
    match e {
        StoreError::NotFound(_) => MeetingError::NotFound,
        other => other.into(),
    }
}
