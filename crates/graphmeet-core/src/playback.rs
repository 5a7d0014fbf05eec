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

use crate::clock::Clock;
use crate::index::DirectoryIndex;
use crate::media::{silent_mp4, MediaError};
use crate::meetings::{MeetingError, Meetings, Organizer};
use crate::model::{StoredMeeting, Tenant, User, UserRef};
use crate::store::{Store, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use graphmeet_wire::admin::Seed;
use graphmeet_wire::admin_play::{PlayParticipant, PlayScript, SeedPlayed, SessionView};
use graphmeet_wire::graph::artifacts::{
    artifact_guid, artifact_id, render_metadata_vtt, render_vtt, AttendanceIdentity,
    AttendanceInterval, AttendanceRecord, AttendanceReport, AttendanceRole, CallArtifact,
    TranscriptCue, TranscriptFormat,
};
use graphmeet_wire::graph::ids::{thread_guid, MeetingId};
use graphmeet_wire::graph::meeting::{OnlineMeetingPresenters, OnlineMeetingRole};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use uuid::Uuid;

pub use graphmeet_wire::graph::artifacts::ArtifactKind;

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

fn script(text: impl Into<String>) -> ArtifactError {
    ArtifactError::Script(text.into())
}

/// `now`, `now-PT1H`, `now+PT5M`, or an RFC 3339 time.
fn parse_start(text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Some(rest) = t.strip_prefix("now") {
        if rest.is_empty() {
            return Some(now);
        }
        let sign = rest.chars().next()?;
        let d = crate::clock::parse_iso_duration(&rest[sign.len_utf8()..])?;
        return match sign {
            '+' => now.checked_add_signed(d),
            '-' => now.checked_sub_signed(d),
            _ => None,
        };
    }
    DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// An offset from the start (ISO 8601 duration) or an RFC 3339 time.
fn parse_at(text: &str, start: DateTime<Utc>, what: &str) -> Result<DateTime<Utc>, ArtifactError> {
    let t = text.trim();
    if t.starts_with('P') {
        return crate::clock::parse_iso_duration(t)
            .and_then(|d| start.checked_add_signed(d))
            .ok_or_else(|| {
                script(format!(
                    "{what}: '{text}' is not an ISO 8601 duration (e.g. PT1M30S)"
                ))
            });
    }
    DateTime::parse_from_rfc3339(t)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            script(format!(
                "{what}: '{text}' is neither an offset from the start (an ISO 8601 duration such as PT5M) nor an RFC 3339 time"
            ))
        })
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

    /// Plays a session of a meeting: validates the script on the server's clock, stores the
    /// session, and returns it.
    pub async fn play(
        &self,
        raw_meeting_id: &str,
        play: &PlayScript,
    ) -> Result<StoredSession, ArtifactError> {
        let meeting = self.meeting_by_id(raw_meeting_id).await?;
        let now = self.clock.now();
        let start = match &play.start {
            None => now,
            Some(text) => parse_start(text, now).ok_or_else(|| {
                script(format!(
                    "start: '{text}' is not an RFC 3339 time, 'now', or 'now-PT…' / 'now+PT…'"
                ))
            })?,
        };
        if play.participants.is_empty() {
            return Err(script(
                "participants: a session needs at least one participant",
            ));
        }
        if play.participants.len() > MAX_PARTICIPANTS {
            return Err(script(format!(
                "participants: at most {MAX_PARTICIPANTS} per session"
            )));
        }
        if play.utterances.len() > MAX_UTTERANCES {
            return Err(script(format!(
                "utterances: at most {MAX_UTTERANCES} per session"
            )));
        }
        let document = Meetings::document(&meeting)?;
        let mut attendees = Vec::with_capacity(play.participants.len());
        for (i, p) in play.participants.iter().enumerate() {
            let attendee = self.attendee(i, p, start, &meeting, &document)?;
            if attendees.iter().any(|a: &Attendee| {
                a.kind == AttendeeKind::User
                    && a.id == attendee.id
                    && attendee.kind == AttendeeKind::User
            }) {
                return Err(script(format!(
                    "participants[{i}]: {} is listed twice; give one participant several intervals instead",
                    attendee.display_name
                )));
            }
            attendees.push(attendee);
        }
        let first_join = attendees
            .iter()
            .filter_map(|a| a.intervals.first().map(|i| i.0))
            .min()
            .unwrap_or(start);
        let last_leave = attendees
            .iter()
            .filter_map(|a| a.intervals.last().map(|i| i.1))
            .max()
            .unwrap_or(start);
        if last_leave - first_join > Duration::hours(MAX_SESSION_HOURS) {
            return Err(script(format!(
                "a session lasts at most {MAX_SESSION_HOURS} hours"
            )));
        }
        attendees.sort_by_key(|a| a.intervals.first().map(|i| i.0));

        let mut utterances = Vec::with_capacity(play.utterances.len());
        for (i, u) in play.utterances.iter().enumerate() {
            let what = format!("utterances[{i}]");
            let key = u.speaker.trim().to_lowercase();
            let speaker = attendees
                .iter()
                .find(|a| a.keys.contains(&key))
                .ok_or_else(|| {
                    script(format!(
                        "{what}: the speaker '{}' is none of the participants",
                        u.speaker
                    ))
                })?;
            let at = parse_at(&u.at, start, &format!("{what}.at"))?;
            let duration = match &u.duration {
                Some(d) => crate::clock::parse_iso_duration(d)
                    .filter(|d| *d > Duration::zero())
                    .ok_or_else(|| {
                        script(format!(
                            "{what}.duration: '{d}' is not a positive ISO 8601 duration"
                        ))
                    })?,
                None => Duration::milliseconds((60 * u.text.chars().count() as i64).max(1000)),
            };
            let end = at
                .checked_add_signed(duration)
                .ok_or_else(|| script(format!("{what}: it ends past the end of time")))?;
            if u.text.trim().is_empty() {
                return Err(script(format!("{what}.text: nothing is said")));
            }
            let present = speaker
                .intervals
                .iter()
                .any(|(join, leave)| *join <= at && end <= *leave);
            if !present {
                return Err(script(format!(
                    "{what}: {} is not in the meeting from {} to {}",
                    speaker.display_name,
                    at.to_rfc3339_opts(SecondsFormat::Millis, true),
                    end.to_rfc3339_opts(SecondsFormat::Millis, true)
                )));
            }
            utterances.push(Spoken {
                speaker: speaker.display_name.clone(),
                speaker_id: speaker.id.clone(),
                start: at,
                end,
                text: u.text.trim().to_owned(),
                language: u.language.clone().unwrap_or_else(|| "en-us".to_owned()),
            });
        }
        utterances.sort_by_key(|u| u.start);

        let organizer = meeting.organizer_id;
        let meeting_guid = thread_guid(&meeting.thread_id).unwrap_or_else(Uuid::new_v4);
        let meeting_start = document
            .start_date_time
            .map(|t| t.as_utc())
            .unwrap_or(first_join);
        // Standard base64 may hold `/` and `+`, which a path segment cannot carry as they are:
        // draw again until the id has neither (a few draws at most).
        let new_artifact = |on: bool| {
            on.then(|| {
                let draw = || {
                    artifact_id(
                        organizer,
                        meeting.tenant_id,
                        meeting_start,
                        meeting_guid,
                        Uuid::new_v4(),
                    )
                };
                let mut id = draw();
                for _ in 0..64 {
                    if !id.contains(['/', '+']) {
                        break;
                    }
                    id = draw();
                }
                id
            })
        };
        let doc = SessionDocument {
            attendees,
            utterances,
            cue_prefix: Uuid::new_v4(),
        };
        let mut session = StoredSession {
            id: Uuid::new_v4(),
            tenant_id: meeting.tenant_id,
            organizer_id: organizer,
            meeting_id: meeting.id.clone(),
            call_id: Uuid::new_v4(),
            start: first_join,
            end: last_leave,
            played_at: now,
            available_at: last_leave.max(now),
            transcript_id: new_artifact(play.transcribe.unwrap_or(true)),
            recording_id: new_artifact(play.record.unwrap_or(true)),
            correlation_id: format!("{}-0", Uuid::new_v4()),
            document: serde_json::to_string(&doc)
                .map_err(|e| ArtifactError::Store(StoreError::Backend(e.to_string())))?,
            seq: 0,
        };
        session.seq = self.store.insert_session(&session).await?;
        if let Some(observer) = &self.observer {
            observer
                .session_stored(&session, &meeting.join_web_url)
                .await;
        }
        Ok(session)
    }

    fn attendee(
        &self,
        i: usize,
        p: &PlayParticipant,
        start: DateTime<Utc>,
        meeting: &StoredMeeting,
        document: &graphmeet_wire::graph::OnlineMeeting,
    ) -> Result<Attendee, ArtifactError> {
        let what = format!("participants[{i}]");
        let given = [&p.user, &p.guest, &p.anonymous, &p.phone]
            .iter()
            .filter(|v| v.is_some())
            .count();
        if given != 1 {
            return Err(script(format!(
                "{what}: give exactly one of user, guest, anonymous and phone"
            )));
        }
        let presenters = document
            .allowed_presenters
            .unwrap_or(OnlineMeetingPresenters::Everyone);
        let everyone_presents = presenters == OnlineMeetingPresenters::Everyone;
        let (kind, id, display_name, email, tenant_id, mut role, mut keys) = if let Some(u) =
            &p.user
        {
            let user = self
                .index
                .user_in(meeting.tenant_id, &UserRef::parse(u))
                .or_else(|| self.index.user_by_upn(u))
                .or_else(|| Uuid::parse_str(u).ok().and_then(|id| self.index.user(id)))
                .ok_or_else(|| script(format!("{what}: no user '{u}' in any tenant")))?;
            let listed = document
                .participants
                .as_ref()
                .and_then(|ps| ps.attendees.as_ref())
                .and_then(|list| {
                    list.iter().find(|a| {
                        a.identity
                            .as_ref()
                            .and_then(|s| s.user.as_ref())
                            .and_then(|u| u.id.as_deref())
                            == Some(user.id.to_string().as_str())
                            || a.upn
                                .as_deref()
                                .is_some_and(|upn| upn.eq_ignore_ascii_case(&user.upn))
                    })
                })
                .and_then(|a| a.role);
            let role = if user.id == meeting.organizer_id {
                AttendanceRole::Organizer
            } else {
                match (listed, presenters) {
                    (Some(OnlineMeetingRole::Presenter | OnlineMeetingRole::Coorganizer), _) => {
                        AttendanceRole::Presenter
                    }
                    (_, OnlineMeetingPresenters::Everyone) => AttendanceRole::Presenter,
                    (_, OnlineMeetingPresenters::Organization)
                        if user.tenant_id == meeting.tenant_id =>
                    {
                        AttendanceRole::Presenter
                    }
                    _ => AttendanceRole::Attendee,
                }
            };
            (
                AttendeeKind::User,
                user.id.to_string(),
                user.display_name.clone(),
                Some(user.upn.clone()),
                Some(user.tenant_id),
                role,
                vec![user.id.to_string(), user.upn.to_lowercase()],
            )
        } else if let Some(name) = p.guest.as_ref().or(p.anonymous.as_ref()) {
            if name.trim().is_empty() {
                return Err(script(format!("{what}: the name is empty")));
            }
            let kind = if p.guest.is_some() {
                AttendeeKind::Guest
            } else {
                AttendeeKind::Anonymous
            };
            let role = if everyone_presents {
                AttendanceRole::Presenter
            } else {
                AttendanceRole::Attendee
            };
            let mut keys = vec![name.trim().to_lowercase()];
            if let Some(email) = &p.email {
                keys.push(email.trim().to_lowercase());
            }
            (
                kind,
                Uuid::new_v4().to_string(),
                name.trim().to_owned(),
                if kind == AttendeeKind::Guest {
                    p.email.clone()
                } else {
                    None
                },
                None,
                role,
                keys,
            )
        } else {
            let number = p.phone.clone().unwrap_or_default();
            let digits = number.trim_start_matches('+');
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(script(format!(
                    "{what}: phone '{number}' is not a phone number (E.164, e.g. +14255550100)"
                )));
            }
            (
                AttendeeKind::Phone,
                Uuid::new_v4().to_string(),
                number.clone(),
                None,
                None,
                AttendanceRole::Attendee,
                vec![number.to_lowercase()],
            )
        };
        if p.email.is_some() && kind != AttendeeKind::Guest {
            return Err(script(format!("{what}: only a guest takes an email")));
        }
        if let Some(r) = &p.role {
            role = AttendanceRole::parse(r).ok_or_else(|| {
                script(format!(
                    "{what}.role: '{r}' is none of None, Attendee, Presenter, Organizer"
                ))
            })?;
        }
        keys.push(display_name.to_lowercase());
        let periods: Vec<(String, String)> = match (&p.intervals, &p.leave) {
            (Some(_), Some(_)) => {
                return Err(script(format!(
                    "{what}: give intervals or join/leave, not both"
                )))
            }
            (Some(list), None) => {
                if p.join.is_some() {
                    return Err(script(format!(
                        "{what}: give intervals or join/leave, not both"
                    )));
                }
                list.iter()
                    .map(|i| (i.join.clone(), i.leave.clone()))
                    .collect()
            }
            (None, Some(leave)) => vec![(
                p.join.clone().unwrap_or_else(|| "PT0S".to_owned()),
                leave.clone(),
            )],
            (None, None) => return Err(script(format!("{what}: when do they leave? (leave)"))),
        };
        if periods.is_empty() {
            return Err(script(format!("{what}: intervals is empty")));
        }
        let mut intervals = Vec::with_capacity(periods.len());
        for (n, (join, leave)) in periods.iter().enumerate() {
            let join = parse_at(join, start, &format!("{what} interval {n} join"))?;
            let leave = parse_at(leave, start, &format!("{what} interval {n} leave"))?;
            if leave <= join {
                return Err(script(format!(
                    "{what}: interval {n} ends before it begins"
                )));
            }
            if intervals
                .last()
                .is_some_and(|(_, prev): &(DateTime<Utc>, DateTime<Utc>)| join < *prev)
            {
                return Err(script(format!(
                    "{what}: interval {n} begins before the one before it ended"
                )));
            }
            intervals.push((join, leave));
        }
        Ok(Attendee {
            kind,
            id,
            display_name,
            email,
            tenant_id,
            role,
            intervals,
            keys,
        })
    }

    /// The sessions played of a meeting (the admin side).
    pub async fn sessions(
        &self,
        raw_meeting_id: &str,
    ) -> Result<Vec<StoredSession>, ArtifactError> {
        let meeting = self.meeting_by_id(raw_meeting_id).await?;
        Ok(self
            .store
            .meeting_sessions(meeting.tenant_id, &meeting.id)
            .await?)
    }

    /// A session as the admin API shows it.
    pub fn view(&self, session: &StoredSession) -> SessionView {
        let now = self.clock.now();
        let doc = document(session);
        SessionView {
            meeting_id: session.meeting_id.clone(),
            attendance_report_id: session.id.to_string(),
            call_id: session.call_id.to_string(),
            state: if now < session.start {
                "scheduled"
            } else if now < session.end {
                "started"
            } else {
                "ended"
            }
            .to_owned(),
            start_date_time: session.start.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            end_date_time: session.end.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            participants: doc.as_ref().map(|d| d.attendees.len()).unwrap_or(0),
            utterances: doc.as_ref().map(|d| d.utterances.len()).unwrap_or(0),
            transcript_id: session.transcript_id.clone(),
            recording_id: session.recording_id.clone(),
            duration_seconds: (session.end - session.start).num_seconds(),
        }
    }

    /// The sessions of a meeting whose artifacts are served now.
    async fn available(
        &self,
        org: &Organizer,
        raw_meeting_id: &str,
        channel_ok: bool,
    ) -> Result<Vec<StoredSession>, ArtifactError> {
        let meeting = self.meeting_of(org, raw_meeting_id, channel_ok).await?;
        let now = self.clock.now();
        let mut sessions = self
            .store
            .meeting_sessions(meeting.tenant_id, &meeting.id)
            .await?;
        sessions.retain(|s| s.available_at <= now);
        Ok(sessions)
    }

    /// `GET …/attendanceReports`: one report per ended session.
    pub async fn reports(
        &self,
        org: &Organizer,
        raw_meeting_id: &str,
        channel_ok: bool,
    ) -> Result<Vec<AttendanceReport>, ArtifactError> {
        let sessions = self.available(org, raw_meeting_id, channel_ok).await?;
        sessions.iter().map(report).collect()
    }

    /// `GET …/attendanceReports/{reportId}`.
    pub async fn report(
        &self,
        org: &Organizer,
        raw_meeting_id: &str,
        report_id: &str,
        channel_ok: bool,
    ) -> Result<AttendanceReport, ArtifactError> {
        let sessions = self.available(org, raw_meeting_id, channel_ok).await?;
        let not_found = || ArtifactError::NotFound {
            what: "attendance report",
            id: report_id.to_owned(),
        };
        let wanted = Uuid::parse_str(report_id).map_err(|_| not_found())?;
        let session = sessions
            .iter()
            .find(|s| s.id == wanted)
            .ok_or_else(not_found)?;
        report(session)
    }

    /// Whether the tenant lets Graph read transcripts at all.
    async fn transcripts_allowed(
        &self,
        tenant_id: Uuid,
    ) -> Result<MeetingConfiguration, ArtifactError> {
        let configuration = self.store.meeting_configuration(tenant_id).await?;
        if !configuration.graph_transcript_access {
            return Err(ArtifactError::TranscriptsDisabled);
        }
        Ok(configuration)
    }

    /// `GET …/transcripts` or `…/recordings`.
    pub async fn artifacts(
        &self,
        org: &Organizer,
        raw_meeting_id: &str,
        kind: ArtifactKind,
        channel_ok: bool,
    ) -> Result<Vec<CallArtifact>, ArtifactError> {
        if kind == ArtifactKind::Transcript {
            self.transcripts_allowed(org.user().tenant_id).await?;
        }
        let sessions = self.available(org, raw_meeting_id, channel_ok).await?;
        Ok(sessions.iter().filter_map(|s| artifact(s, kind)).collect())
    }

    /// `GET …/transcripts/{id}` or `…/recordings/{id}`.
    pub async fn artifact(
        &self,
        org: &Organizer,
        raw_meeting_id: &str,
        kind: ArtifactKind,
        id: &str,
        channel_ok: bool,
    ) -> Result<Found, ArtifactError> {
        if kind == ArtifactKind::Transcript {
            self.transcripts_allowed(org.user().tenant_id).await?;
        }
        let sessions = self.available(org, raw_meeting_id, channel_ok).await?;
        let wanted = artifact_guid(id);
        let session = sessions
            .into_iter()
            .find(|s| {
                let own = match kind {
                    ArtifactKind::Transcript => s.transcript_id.as_deref(),
                    ArtifactKind::Recording => s.recording_id.as_deref(),
                };
                own.is_some_and(|own| {
                    own == id || (wanted.is_some() && artifact_guid(own) == wanted)
                })
            })
            .ok_or_else(|| ArtifactError::NotFound {
                what: match kind {
                    ArtifactKind::Transcript => "transcript",
                    ArtifactKind::Recording => "recording",
                },
                id: id.to_owned(),
            })?;
        let artifact = artifact(&session, kind).ok_or_else(|| ArtifactError::NotFound {
            what: "artifact",
            id: id.to_owned(),
        })?;
        Ok(Found { artifact, session })
    }

    /// `GET …/transcripts/{id}/content` in `format`.
    pub async fn transcript_content(
        &self,
        org: &Organizer,
        raw_meeting_id: &str,
        id: &str,
        format: TranscriptFormat,
        channel_ok: bool,
    ) -> Result<String, ArtifactError> {
        let configuration = self.transcripts_allowed(org.user().tenant_id).await?;
        if format == TranscriptFormat::Vtt && !configuration.attributed_transcripts {
            return Err(ArtifactError::AttributionDisabled);
        }
        let found = self
            .artifact(
                org,
                raw_meeting_id,
                ArtifactKind::Transcript,
                id,
                channel_ok,
            )
            .await?;
        let cues = cues(&found.session)?;
        Ok(render_vtt(&cues, format == TranscriptFormat::Vtt))
    }

    /// `GET …/transcripts/{id}/metadataContent`.
    pub async fn transcript_metadata(
        &self,
        org: &Organizer,
        raw_meeting_id: &str,
        id: &str,
        channel_ok: bool,
    ) -> Result<String, ArtifactError> {
        let configuration = self.transcripts_allowed(org.user().tenant_id).await?;
        // The metadata names every speaker: it is attributed content.
        if !configuration.attributed_transcripts {
            return Err(ArtifactError::AttributionDisabled);
        }
        let found = self
            .artifact(
                org,
                raw_meeting_id,
                ArtifactKind::Transcript,
                id,
                channel_ok,
            )
            .await?;
        Ok(render_metadata_vtt(&cues(&found.session)?))
    }

    /// `GET …/recordings/{id}/content`: the MP4.
    pub async fn recording_content(
        &self,
        org: &Organizer,
        raw_meeting_id: &str,
        id: &str,
        channel_ok: bool,
    ) -> Result<Vec<u8>, ArtifactError> {
        let found = self
            .artifact(org, raw_meeting_id, ArtifactKind::Recording, id, channel_ok)
            .await?;
        let millis = (found.session.end - found.session.start)
            .num_milliseconds()
            .max(0) as u64;
        // Writing a long recording is CPU work; keep it off the runtime's workers.
        let bytes = tokio::task::spawn_blocking(move || silent_mp4(millis))
            .await
            .map_err(|e| ArtifactError::Store(StoreError::Backend(e.to_string())))??;
        Ok(bytes)
    }

    /// `getAllTranscripts(…)` / `getAllRecordings(…)` (and their `/delta`): the organizer's
    /// artifacts created in the window, available now, after `after`, at most `limit`; and
    /// the cursor to go on from (the last one returned, else `after`), with whether more are
    /// available now.
    #[allow(clippy::too_many_arguments)]
    pub async fn organizer_artifacts(
        &self,
        org: &Organizer,
        kind: ArtifactKind,
        created_from: Option<DateTime<Utc>>,
        created_to: Option<DateTime<Utc>>,
        after: Option<Cursor>,
        limit: usize,
    ) -> Result<(Vec<CallArtifact>, Option<Cursor>, bool), ArtifactError> {
        if kind == ArtifactKind::Transcript {
            self.transcripts_allowed(org.user().tenant_id).await?;
        }
        let limit = limit.clamp(1, 1000);
        let mut sessions = self
            .store
            .organizer_sessions(&OrganizerSessions {
                tenant_id: org.user().tenant_id,
                organizer_id: org.user().id,
                kind,
                created_from,
                created_to,
                available_by: self.clock.now(),
                after,
                limit: limit + 1,
            })
            .await?;
        let more = sessions.len() > limit;
        sessions.truncate(limit);
        let cursor = sessions
            .last()
            .map(|s| Cursor {
                available_at: s.available_at,
                seq: s.seq,
            })
            .or(after);
        Ok((
            sessions.iter().filter_map(|s| artifact(s, kind)).collect(),
            cursor,
            more,
        ))
    }

    /// A tenant's meeting configuration.
    pub async fn configuration(
        &self,
        tenant_id: Uuid,
    ) -> Result<MeetingConfiguration, ArtifactError> {
        Ok(self.store.meeting_configuration(tenant_id).await?)
    }

    /// Sets a tenant's meeting configuration.
    pub async fn set_configuration(
        &self,
        tenant_id: Uuid,
        configuration: MeetingConfiguration,
    ) -> Result<(), ArtifactError> {
        Ok(self
            .store
            .set_meeting_configuration(tenant_id, &configuration)
            .await?)
    }
}

impl Playback {
    /// A seed's meetings (`[[tenant.meeting]]`): each made with createOrGet by its organizer
    /// and external id, then played as its `[[tenant.meeting.play]]` entries say when it has no
    /// session yet, so applying the seed again changes nothing. `None` when the seed has no
    /// meeting. Run after the directory part of the seed.
    pub async fn apply_seed(
        &self,
        seed: &Seed,
        meetings: &Meetings,
    ) -> Result<Option<SeedPlayed>, crate::seed::SeedError> {
        use crate::directory::DirectoryError;
        if seed.tenants.iter().all(|t| t.meetings.is_empty()) {
            return Ok(None);
        }
        let mut played = SeedPlayed::default();
        for t in &seed.tenants {
            let name = t.domain.clone().unwrap_or_else(|| t.name.clone());
            let fail = |what: String, error: DirectoryError| crate::seed::SeedError {
                at: format!("tenant {name}, {what}"),
                error,
            };
            if t.meetings.is_empty() {
                continue;
            }
            let domain = t
                .domain
                .clone()
                .unwrap_or_else(|| crate::directory::default_domain(&t.name));
            let tenant =
                t.id.and_then(|id| self.index.tenant(id))
                    .or_else(|| self.index.tenant_by_domain(&domain))
                    .ok_or_else(|| {
                        fail(
                            "meetings".into(),
                            DirectoryError::NotFound(format!("tenant {name}")),
                        )
                    })?;
            for m in &t.meetings {
                let what = format!("meeting {}", m.external_id);
                let user = self
                    .index
                    .user_in(tenant.id, &UserRef::parse(&m.organizer))
                    .ok_or_else(|| {
                        fail(
                            what.clone(),
                            DirectoryError::NotFound(format!("organizer {}", m.organizer)),
                        )
                    })?;
                let org = Organizer::by_administrator(User::clone(&user), Tenant::clone(&tenant))
                    .ok_or_else(|| {
                    fail(
                        what.clone(),
                        DirectoryError::Invalid("the organizer is not of the tenant".into()),
                    )
                })?;
                let mut body = serde_json::json!({ "externalId": m.external_id });
                for (key, value) in [
                    ("subject", &m.subject),
                    ("startDateTime", &m.start),
                    ("endDateTime", &m.end),
                ] {
                    if let Some(v) = value {
                        body[key] = serde_json::Value::String(v.clone());
                    }
                }
                let input = graphmeet_wire::graph::parse_create_or_get(
                    body.to_string().as_bytes(),
                    graphmeet_wire::graph::ApiVersion::V1,
                )
                .map_err(|e| {
                    fail(
                        what.clone(),
                        DirectoryError::Invalid(e.to_graph_error().message),
                    )
                })?;
                let (meeting, created) = meetings
                    .create_or_get(&org, input)
                    .await
                    .map_err(|e| fail(what.clone(), DirectoryError::Invalid(e.to_string())))?;
                if created {
                    played.meetings_created += 1;
                } else {
                    played.meetings_unchanged += 1;
                }
                let id = meeting.id.clone().unwrap_or_default();
                let sessions = self
                    .store
                    .meeting_sessions(tenant.id, &id)
                    .await
                    .map_err(|e| fail(what.clone(), e.into()))?;
                if !sessions.is_empty() {
                    continue;
                }
                for (n, script) in m.play.iter().enumerate() {
                    self.play(&id, script).await.map_err(|e| {
                        fail(
                            format!("{what}, play {n}"),
                            match e {
                                ArtifactError::Script(text) => DirectoryError::Invalid(text),
                                ArtifactError::Store(e) => e.into(),
                                other => DirectoryError::Invalid(other.to_string()),
                            },
                        )
                    })?;
                    played.sessions += 1;
                }
            }
        }
        Ok(Some(played))
    }
}

fn document(session: &StoredSession) -> Result<SessionDocument, ArtifactError> {
    serde_json::from_str(&session.document).map_err(|e| {
        ArtifactError::Store(StoreError::Backend(format!(
            "session {} holds an unreadable document: {e}",
            session.id
        )))
    })
}

/// The attendance report of a session.
fn report(session: &StoredSession) -> Result<AttendanceReport, ArtifactError> {
    let doc = document(session)?;
    Ok(AttendanceReport {
        id: session.id,
        meeting_start: session.start,
        meeting_end: session.end,
        records: doc
            .attendees
            .into_iter()
            .map(|a| AttendanceRecord {
                email_address: a.email,
                identity: AttendanceIdentity {
                    id: a.id,
                    display_name: a.display_name,
                    tenant_id: a.tenant_id,
                },
                role: a.role,
                intervals: a
                    .intervals
                    .into_iter()
                    .map(|(join, leave)| AttendanceInterval { join, leave })
                    .collect(),
            })
            .collect(),
    })
}

/// A session's transcript or recording, if it has one.
fn artifact(session: &StoredSession, kind: ArtifactKind) -> Option<CallArtifact> {
    let id = match kind {
        ArtifactKind::Transcript => session.transcript_id.clone(),
        ArtifactKind::Recording => session.recording_id.clone(),
    }?;
    Some(CallArtifact {
        kind,
        id,
        meeting_id: session.meeting_id.clone(),
        call_id: session.call_id,
        content_correlation_id: session.correlation_id.clone(),
        created: session.start,
        end: session.end,
        organizer_id: session.organizer_id,
        tenant_id: session.tenant_id,
    })
}

/// The transcript's cues: offsets from the start of transcription (the session's start).
fn cues(session: &StoredSession) -> Result<Vec<TranscriptCue>, ArtifactError> {
    let doc = document(session)?;
    Ok(doc
        .utterances
        .iter()
        .enumerate()
        .map(|(n, u)| TranscriptCue {
            id: format!("{}/{}-0", doc.cue_prefix, n + 1),
            start: u.start - session.start,
            end: u.end - session.start,
            start_at: u.start,
            end_at: u.end,
            speaker: u.speaker.clone(),
            text: u.text.clone(),
            language: u.language.clone(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn starts_and_offsets_read_as_documented() {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
        assert_eq!(parse_start("now", now), Some(now));
        assert_eq!(parse_start("now-PT1H", now), Some(now - Duration::hours(1)));
        assert_eq!(
            parse_start("now+P1DT30M", now),
            Some(now + Duration::minutes(1470))
        );
        assert_eq!(
            parse_start("2026-03-01T10:00:00Z", now),
            Some(Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap())
        );
        assert_eq!(parse_start("yesterday", now), None);
        assert_eq!(
            parse_at("PT1M30.5S", now, "x").unwrap(),
            now + Duration::milliseconds(90_500)
        );
        assert!(parse_at("90", now, "x").is_err());
        assert_eq!(crate::clock::parse_iso_duration("PT"), None);
        assert_eq!(crate::clock::parse_iso_duration("P"), None);
        assert_eq!(
            crate::clock::parse_iso_duration("P99999999999999999999D"),
            None
        );
        assert_eq!(parse_start("now+P99999999D", now), None);
        assert_eq!(parse_start("now\u{e9}PT1H", now), None);
    }

    #[test]
    fn cursors_round_trip_as_tokens() {
        let c = Cursor {
            available_at: Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap(),
            seq: 42,
        };
        assert_eq!(Cursor::from_token(&c.to_token()), Some(c));
        assert_eq!(Cursor::from_token("garbage"), None);
    }
}
