//! Meetings that take place, and what they leave behind: playing a session of an online
//! meeting (who joins and leaves when, what is said), and the attendance report, transcript and
//! recording the session leaves, served to an organizer the caller has been authorized for.
//!
//! A session runs on the server's clock: before its first join it is scheduled, then started,
//! and once its last participant has left it has ended; its artifacts are served from then on
//! (from the moment it was played, for a session played in the past). One report per session
//! end, as Teams makes them.
//!
//! Rules copied: spec `events-artifacts-notifications.md` B.1–B.6;
//! <https://learn.microsoft.com/graph/api/resources/meetingattendancereport>,
//! <https://learn.microsoft.com/graph/api/resources/calltranscript>,
//! <https://learn.microsoft.com/graph/api/onlinemeeting-getalltranscripts>,
//! <https://learn.microsoft.com/graph/api/calltranscript-delta>.

mod play;
mod serve;

use crate::clock::Clock;
use crate::index::DirectoryIndex;
use crate::media::MediaError;
use crate::meetings::{MeetingError, Organizer};
use crate::model::StoredMeeting;
use crate::store::{Store, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
pub use graphmeet_wire::graph::artifacts::ArtifactKind;
use graphmeet_wire::graph::artifacts::{AttendanceRole, CallArtifact};
use graphmeet_wire::graph::ids::MeetingId;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use uuid::Uuid;

/// The most participants one session may have.
pub const MAX_PARTICIPANTS: usize = 1000;
/// The most utterances one session may have.
pub const MAX_UTTERANCES: usize = 20_000;
/// The longest session: Teams ends a meeting after 30 hours.
pub const MAX_SESSION_HOURS: i64 = 30;

/// One played session, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    /// The session's id, which is its attendance report's id.
    pub id: Uuid,
    /// The organizer's tenant.
    pub tenant_id: Uuid,
    /// The organizer.
    pub organizer_id: Uuid,
    /// The meeting id.
    pub meeting_id: String,
    /// The call's id.
    pub call_id: Uuid,
    /// The first join.
    pub start: DateTime<Utc>,
    /// The last leave.
    pub end: DateTime<Utc>,
    /// When it was played (on the server's clock).
    pub played_at: DateTime<Utc>,
    /// When its artifacts are first served: the later of its end and when it was played.
    pub available_at: DateTime<Utc>,
    /// The transcript's id, when transcribed.
    pub transcript_id: Option<String>,
    /// The recording's id, when recorded.
    pub recording_id: Option<String>,
    /// `contentCorrelationId`, shared by its transcript and recording.
    pub correlation_id: String,
    /// The [`SessionDocument`], JSON.
    pub document: String,
    /// Its place in the order sessions became available (the store assigns it).
    pub seq: i64,
}

/// Who took part and what was said, as stored in [`StoredSession::document`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionDocument {
    /// The participants, in the order they first joined.
    pub attendees: Vec<Attendee>,
    /// The utterances, in the order they were said.
    pub utterances: Vec<Spoken>,
    /// The cue ids' prefix (`{guid}/{n}-0`).
    pub cue_prefix: Uuid,
}

/// What kind of participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AttendeeKind {
    /// A directory user.
    User,
    /// An unauthenticated guest with a name (and perhaps an email address).
    Guest,
    /// An anonymous participant.
    Anonymous,
    /// A dial-in (PSTN) participant.
    Phone,
}

/// One participant of a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendee {
    /// What kind.
    pub kind: AttendeeKind,
    /// The user's object id, or the participant's id in the call.
    pub id: String,
    /// The name shown.
    pub display_name: String,
    /// The email address, when known.
    pub email: Option<String>,
    /// The user's tenant.
    pub tenant_id: Option<Uuid>,
    /// The role.
    pub role: AttendanceRole,
    /// Join-to-leave periods, in order.
    pub intervals: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// The names utterances may call them by (id, UPN, name, number), lower case.
    #[serde(default)]
    pub keys: Vec<String>,
}

/// One utterance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spoken {
    /// The speaker's display name.
    pub speaker: String,
    /// The speaker's participant id.
    pub speaker_id: String,
    /// When it started.
    pub start: DateTime<Utc>,
    /// When it ended.
    pub end: DateTime<Utc>,
    /// What was said.
    pub text: String,
    /// The language.
    pub language: String,
}

/// A tenant's Teams meeting configuration, as far as artifacts read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeetingConfiguration {
    /// `EnableGraphTranscriptAccess` (default true).
    pub graph_transcript_access: bool,
    /// `EnableAttributedTranscripts` (default true).
    pub attributed_transcripts: bool,
}

impl Default for MeetingConfiguration {
    fn default() -> Self {
        Self {
            graph_transcript_access: true,
            attributed_transcripts: true,
        }
    }
}

/// The sessions of one organizer whose transcript or recording getAll* lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizerSessions {
    /// The tenant.
    pub tenant_id: Uuid,
    /// The organizer.
    pub organizer_id: Uuid,
    /// Transcribed or recorded sessions.
    pub kind: ArtifactKind,
    /// Created at or after.
    pub created_from: Option<DateTime<Utc>>,
    /// Created at or before.
    pub created_to: Option<DateTime<Utc>>,
    /// Available by (now).
    pub available_by: DateTime<Utc>,
    /// After this `(available_at, seq)`.
    pub after: Option<Cursor>,
    /// At most this many.
    pub limit: usize,
}

/// A place in the order sessions became available: `(available_at, seq)` of the last one seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// The last one's availability.
    pub available_at: DateTime<Utc>,
    /// The last one's sequence number.
    pub seq: i64,
}

impl Cursor {
    /// The token form (`skipToken`): opaque to clients.
    pub fn to_token(self) -> String {
        graphmeet_wire::b64::url_encode(format!(
            "1.{}.{}",
            self.available_at.timestamp_micros(),
            self.seq
        ))
    }

    /// Reads a token of [`Cursor::to_token`].
    pub fn from_token(token: &str) -> Option<Self> {
        let bytes = graphmeet_wire::b64::url_decode_lenient(token).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let mut parts = text.split('.');
        if parts.next()? != "1" {
            return None;
        }
        let micros: i64 = parts.next()?.parse().ok()?;
        let seq: i64 = parts.next()?.parse().ok()?;
        Some(Self {
            available_at: DateTime::from_timestamp_micros(micros)?,
            seq,
        })
    }
}

/// Storage of played sessions and of tenants' meeting configuration. `graphmeet-store`
/// implements it on SQLite and PostgreSQL; each method is one statement.
#[async_trait]
pub trait ArtifactStore: Send + Sync + 'static {
    /// Stores a session of a stored meeting (a meeting that is gone is NotFound); returns
    /// its sequence number.
    async fn insert_session(&self, session: &StoredSession) -> Result<i64, StoreError>;
    /// Every session of a meeting, in the order they became available.
    async fn meeting_sessions(
        &self,
        tenant_id: Uuid,
        meeting_id: &str,
    ) -> Result<Vec<StoredSession>, StoreError>;
    /// An organizer's transcribed or recorded sessions, in the order they became available.
    async fn organizer_sessions(
        &self,
        query: &OrganizerSessions,
    ) -> Result<Vec<StoredSession>, StoreError>;
    /// A tenant's meeting configuration (the defaults when never set).
    async fn meeting_configuration(
        &self,
        tenant_id: Uuid,
    ) -> Result<MeetingConfiguration, StoreError>;
    /// Sets a tenant's meeting configuration.
    async fn set_meeting_configuration(
        &self,
        tenant_id: Uuid,
        configuration: &MeetingConfiguration,
    ) -> Result<(), StoreError>;
}

/// Why playing a meeting or reading its artifacts failed, in domain terms.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    /// The meeting id is bad, names another organizer, or no such meeting.
    #[error(transparent)]
    Meeting(#[from] MeetingError),
    /// v1.0 serves no artifacts of channel meetings.
    #[error("channel meetings are not supported")]
    ChannelMeeting,
    /// The play script breaks a rule; the text says which.
    #[error("{0}")]
    Script(String),
    /// No such artifact under the meeting.
    #[error("{what} {id} not found")]
    NotFound {
        /// What kind.
        what: &'static str,
        /// The id asked for.
        id: String,
    },
    /// The tenant blocks Graph access to transcripts.
    #[error("Graph access to transcripts is disabled")]
    TranscriptsDisabled,
    /// The tenant blocks speaker-attributed transcripts.
    #[error("speaker attribution is not allowed")]
    AttributionDisabled,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The recording could not be written.
    #[error(transparent)]
    Media(#[from] MediaError),
}

/// Playing meetings and serving their artifacts; see the module docs. Cheap to clone.
#[derive(Clone)]
pub struct Playback {
    store: Arc<dyn ArtifactStore>,
    meetings: Arc<dyn Store>,
    index: Arc<DirectoryIndex>,
    clock: Arc<dyn Clock>,
    /// Told of every stored session (change notifications).
    observer: Option<Arc<dyn crate::subscriptions::SessionObserver>>,
}

/// A session's artifact with the session it came from.
#[derive(Debug, Clone)]
pub struct Found {
    /// The artifact.
    pub artifact: CallArtifact,
    /// Its session.
    pub session: StoredSession,
}

impl Playback {
    /// The same playback, telling `observer` of every session it stores.
    pub fn with_observer(
        mut self,
        observer: Arc<dyn crate::subscriptions::SessionObserver>,
    ) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Playback over the artifact store, reading meetings from `meetings` and participants
    /// from `index`.
    pub fn new(
        store: Arc<dyn ArtifactStore>,
        meetings: Arc<dyn Store>,
        index: Arc<DirectoryIndex>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            store,
            meetings,
            index,
            clock,
            observer: None,
        }
    }

    /// The meeting an id names, found through its organizer (the admin side: no caller).
    async fn meeting_by_id(&self, raw_id: &str) -> Result<StoredMeeting, ArtifactError> {
        let decoded = MeetingId::parse(raw_id).map_err(MeetingError::from)?;
        let organizer = self
            .index
            .user(decoded.organizer)
            .ok_or(MeetingError::NotFound)?;
        let id = decoded.to_meeting_id();
        Ok(self
            .meetings
            .get_meeting(organizer.tenant_id, id.as_str())
            .await?
            .ok_or(MeetingError::NotFound)?)
    }

    /// The meeting a Graph path names, checked against the organizer; channel meetings only
    /// where `channel_ok` (beta).
    async fn meeting_of(
        &self,
        org: &Organizer,
        raw_id: &str,
        channel_ok: bool,
    ) -> Result<StoredMeeting, ArtifactError> {
        let decoded = MeetingId::parse(raw_id).map_err(MeetingError::from)?;
        if decoded.organizer != org.user().id {
            return Err(MeetingError::OrganizerMismatch(org.user().id.to_string()).into());
        }
        if decoded.message_id != "0" && !channel_ok {
            return Err(ArtifactError::ChannelMeeting);
        }
        let id = decoded.to_meeting_id();
        Ok(self
            .meetings
            .get_meeting(org.user().tenant_id, id.as_str())
            .await?
            .ok_or(MeetingError::NotFound)?)
    }
}

#[cfg(test)]
mod tests;
