//! What a played session serves once it has ended: the sessions of a meeting, attendance
//! reports, transcripts (WebVTT and metadata), recordings, the organizer-wide listings, and the
//! meeting's artifact configuration.

use super::{
    ArtifactError, Cursor, Found, MeetingConfiguration, OrganizerSessions, Playback,
    SessionDocument, StoredSession,
};

use crate::media::silent_mp4;
use crate::meetings::Organizer;
use crate::store::StoreError;
use chrono::{DateTime, SecondsFormat, Utc};
use graphmeet_wire::admin_play::SessionView;
pub use graphmeet_wire::graph::artifacts::ArtifactKind;
use graphmeet_wire::graph::artifacts::{
    artifact_guid, render_metadata_vtt, render_vtt, AttendanceIdentity, AttendanceInterval,
    AttendanceRecord, AttendanceReport, CallArtifact, TranscriptCue, TranscriptFormat,
};
use uuid::Uuid;

impl Playback {
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
    pub(super) async fn available(
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
    pub(super) async fn transcripts_allowed(
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

pub(super) fn document(session: &StoredSession) -> Result<SessionDocument, ArtifactError> {
    serde_json::from_str(&session.document).map_err(|e| {
        ArtifactError::Store(StoreError::Backend(format!(
            "session {} holds an unreadable document: {e}",
            session.id
        )))
    })
}

/// The attendance report of a session.
pub(super) fn report(session: &StoredSession) -> Result<AttendanceReport, ArtifactError> {
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
pub(super) fn artifact(session: &StoredSession, kind: ArtifactKind) -> Option<CallArtifact> {
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
pub(super) fn cues(session: &StoredSession) -> Result<Vec<TranscriptCue>, ArtifactError> {
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
