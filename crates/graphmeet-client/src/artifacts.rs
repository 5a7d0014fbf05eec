//! What a meeting leaves behind, for the application: attendance reports with their records,
//! transcripts (WebVTT) and recordings (MP4), listed and downloaded through Graph
//! (`…/onlineMeetings/{id}/attendanceReports`, `…/transcripts`, `…/recordings`); and, for a
//! graphmeet server's administrator, playing a meeting (`POST /admin/meetings/{id}/play`) and
//! the tenant's transcript settings.

use crate::meetings::decode;
use crate::{AdminClient, ClientError, MeetingsClient, Organizer};
use graphmeet_wire::admin_play::{MeetingConfigurationView, PlayScript, SessionView};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One join-to-leave period (`attendanceInterval`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceInterval {
    /// When the participant joined.
    pub join_date_time: Option<String>,
    /// When they left.
    pub leave_date_time: Option<String>,
    /// Whole seconds.
    pub duration_in_seconds: i64,
}

/// Who attended (`identity`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceIdentity {
    /// The user's object id, or the participant's id in the call.
    pub id: Option<String>,
    /// The name shown.
    pub display_name: Option<String>,
    /// The user's tenant (`null` for guests, anonymous and dial-in participants).
    pub tenant_id: Option<String>,
}

/// One participant's attendance (`attendanceRecord`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceRecord {
    /// Their email address, when known.
    pub email_address: Option<String>,
    /// The sum of their intervals, in seconds.
    pub total_attendance_in_seconds: i64,
    /// `Organizer`, `Presenter`, `Attendee` or `None`.
    pub role: String,
    /// Who they are.
    pub identity: AttendanceIdentity,
    /// When they were there.
    #[serde(default)]
    pub attendance_intervals: Vec<AttendanceInterval>,
}

/// One session's report (`meetingAttendanceReport`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceReport {
    /// The report id.
    pub id: String,
    /// How many took part.
    pub total_participant_count: i64,
    /// The first join.
    pub meeting_start_date_time: Option<String>,
    /// The last leave.
    pub meeting_end_date_time: Option<String>,
    /// The records (empty in lists; filled by [`MeetingsClient::attendance_report`]).
    #[serde(default)]
    pub attendance_records: Vec<AttendanceRecord>,
}

/// A transcript (`callTranscript`) or recording (`callRecording`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallArtifact {
    /// The id.
    pub id: String,
    /// The meeting.
    pub meeting_id: Option<String>,
    /// The call.
    pub call_id: Option<String>,
    /// Shared by a call's transcript and recording.
    pub content_correlation_id: Option<String>,
    /// A transcript's content URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript_content_url: Option<String>,
    /// A recording's content URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording_content_url: Option<String>,
    /// When transcription or recording started.
    pub created_date_time: Option<String>,
    /// When it ended.
    pub end_date_time: Option<String>,
}

#[derive(Deserialize)]
struct Collection<T> {
    #[serde(default = "Vec::new")]
    value: Vec<T>,
}

impl MeetingsClient {
    async fn artifact_get(
        &self,
        tenant: &str,
        organizer: &Organizer,
        meeting_id: &str,
        tail: &[&str],
        query: Option<&str>,
        accept: Option<&str>,
    ) -> Result<Vec<u8>, ClientError> {
        let user = self.organizer_id(tenant, organizer).await?;
        let mut segments = vec!["users", user.as_str(), "onlineMeetings", meeting_id];
        segments.extend_from_slice(tail);
        let mut url = self.graph_url(&segments)?;
        url.set_query(query);
        let client = match accept {
            Some(accept) => self.with_header("accept", accept)?,
            None => self.clone(),
        };
        let answer = client.simple(Method::GET, url, None, tenant, &user).await?;
        Ok(answer.body)
    }

    async fn artifact_json<T: serde::de::DeserializeOwned>(
        &self,
        tenant: &str,
        organizer: &Organizer,
        meeting_id: &str,
        tail: &[&str],
        query: Option<&str>,
    ) -> Result<T, ClientError> {
        let body = self
            .artifact_get(tenant, organizer, meeting_id, tail, query, None)
            .await?;
        decode(&crate::meetings::Answer {
            status: reqwest::StatusCode::OK,
            body,
        })
    }

    /// The meeting's attendance reports, one per session that has ended
    /// (`GET …/attendanceReports`; needs `OnlineMeetingArtifact.Read.All`).
    pub async fn attendance_reports(
        &self,
        tenant: &str,
        organizer: &Organizer,
        meeting_id: &str,
    ) -> Result<Vec<AttendanceReport>, ClientError> {
        let c: Collection<AttendanceReport> = self
            .artifact_json(tenant, organizer, meeting_id, &["attendanceReports"], None)
            .await?;
        Ok(c.value)
    }

    /// One report with its records (`GET …/attendanceReports/{id}?$expand=attendanceRecords`).
    pub async fn attendance_report(
        &self,
        tenant: &str,
        organizer: &Organizer,
        meeting_id: &str,
        report_id: &str,
    ) -> Result<AttendanceReport, ClientError> {
        self.artifact_json(
            tenant,
            organizer,
            meeting_id,
            &["attendanceReports", report_id],
            Some("$expand=attendanceRecords"),
        )
        .await
    }

    /// The meeting's transcripts (`GET …/transcripts`; needs `OnlineMeetingTranscript.Read.All`).
    pub async fn transcripts(
        &self,
        tenant: &str,
        organizer: &Organizer,
        meeting_id: &str,
    ) -> Result<Vec<CallArtifact>, ClientError> {
        let c: Collection<CallArtifact> = self
            .artifact_json(tenant, organizer, meeting_id, &["transcripts"], None)
            .await?;
        Ok(c.value)
    }

    /// The meeting's recordings (`GET …/recordings`; needs `OnlineMeetingRecording.Read.All`).
    pub async fn recordings(
        &self,
        tenant: &str,
        organizer: &Organizer,
        meeting_id: &str,
    ) -> Result<Vec<CallArtifact>, ClientError> {
        let c: Collection<CallArtifact> = self
            .artifact_json(tenant, organizer, meeting_id, &["recordings"], None)
            .await?;
        Ok(c.value)
    }

    /// A transcript's WebVTT, with its speakers (`GET …/transcripts/{id}/content`, asked for
    /// as `text/vtt`: Graph refuses the generic `Accept` SDKs send).
    pub async fn transcript_content(
        &self,
        tenant: &str,
        organizer: &Organizer,
        meeting_id: &str,
        transcript_id: &str,
    ) -> Result<String, ClientError> {
        let bytes = self
            .artifact_get(
                tenant,
                organizer,
                meeting_id,
                &["transcripts", transcript_id, "content"],
                None,
                Some("text/vtt"),
            )
            .await?;
        String::from_utf8(bytes)
            .map_err(|e| ClientError::Decode(format!("the transcript is not UTF-8: {e}")))
    }

    /// A recording's MP4 (`GET …/recordings/{id}/content`).
    pub async fn recording_content(
        &self,
        tenant: &str,
        organizer: &Organizer,
        meeting_id: &str,
        recording_id: &str,
    ) -> Result<Vec<u8>, ClientError> {
        self.artifact_get(
            tenant,
            organizer,
            meeting_id,
            &["recordings", recording_id, "content"],
            None,
            None,
        )
        .await
    }

    /// Downloads a transcript's WebVTT to `path`; returns its size in bytes.
    pub async fn download_transcript(
        &self,
        tenant: &str,
        organizer: &Organizer,
        meeting_id: &str,
        transcript_id: &str,
        path: &Path,
    ) -> Result<u64, ClientError> {
        let text = self
            .transcript_content(tenant, organizer, meeting_id, transcript_id)
            .await?;
        write_file(path, text.as_bytes()).await
    }

    /// Downloads a recording's MP4 to `path`; returns its size in bytes.
    pub async fn download_recording(
        &self,
        tenant: &str,
        organizer: &Organizer,
        meeting_id: &str,
        recording_id: &str,
        path: &Path,
    ) -> Result<u64, ClientError> {
        let bytes = self
            .recording_content(tenant, organizer, meeting_id, recording_id)
            .await?;
        write_file(path, &bytes).await
    }
}

async fn write_file(path: &Path, bytes: &[u8]) -> Result<u64, ClientError> {
    tokio::fs::write(path, bytes)
        .await
        .map_err(|e| ClientError::Config(format!("cannot write {}: {e}", path.display())))?;
    Ok(bytes.len() as u64)
}

impl AdminClient {
    /// Plays a session of a meeting on the server's clock (`POST /admin/meetings/{id}/play`).
    pub async fn play_meeting(
        &self,
        meeting_id: &str,
        script: &PlayScript,
    ) -> Result<SessionView, ClientError> {
        self.send(
            Method::POST,
            &["admin", "meetings", meeting_id, "play"],
            Some(script),
        )
        .await
    }

    /// The sessions played of a meeting (`GET /admin/meetings/{id}/sessions`).
    pub async fn meeting_sessions(
        &self,
        meeting_id: &str,
    ) -> Result<Vec<SessionView>, ClientError> {
        self.get(&["admin", "meetings", meeting_id, "sessions"])
            .await
    }

    /// A tenant's transcript settings (`GET /admin/tenants/{tenant}/meeting-configuration`).
    pub async fn meeting_configuration(
        &self,
        tenant: &str,
    ) -> Result<MeetingConfigurationView, ClientError> {
        self.get(&["admin", "tenants", tenant, "meeting-configuration"])
            .await
    }

    /// Changes a tenant's transcript settings (`PATCH …/meeting-configuration`).
    pub async fn set_meeting_configuration(
        &self,
        tenant: &str,
        change: &MeetingConfigurationView,
    ) -> Result<MeetingConfigurationView, ClientError> {
        self.send(
            Method::PATCH,
            &["admin", "tenants", tenant, "meeting-configuration"],
            Some(change),
        )
        .await
    }
}
