//! `callTranscript` and `callRecording`: the resources, the properties `$select` may name,
//! and their ids (spec B.3).

use super::*;
use chrono::{DateTime, Datelike, Utc};
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// Which artifact of a call: a transcript or a recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArtifactKind {
    /// `callTranscript`.
    Transcript,
    /// `callRecording`.
    Recording,
}

impl ArtifactKind {
    /// The resource's type name.
    pub fn type_name(self) -> &'static str {
        match self {
            Self::Transcript => "callTranscript",
            Self::Recording => "callRecording",
        }
    }

    /// The navigation property under a meeting.
    pub fn segment(self) -> &'static str {
        match self {
            Self::Transcript => "transcripts",
            Self::Recording => "recordings",
        }
    }

    /// The function that lists an organizer's artifacts of this kind.
    pub fn function(self) -> &'static str {
        match self {
            Self::Transcript => "getAllTranscripts",
            Self::Recording => "getAllRecordings",
        }
    }
}

/// A transcript or recording of one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallArtifact {
    /// Which.
    pub kind: ArtifactKind,
    /// The artifact id (`VjIjIzE…`, see [`artifact_id`]).
    pub id: String,
    /// The meeting id.
    pub meeting_id: String,
    /// The call's id.
    pub call_id: Uuid,
    /// Links a transcript to the recording of the same call (`{guid}-0`).
    pub content_correlation_id: String,
    /// When transcription or recording started.
    pub created: DateTime<Utc>,
    /// When it ended.
    pub end: DateTime<Utc>,
    /// The organizer's object id.
    pub organizer_id: Uuid,
    /// The organizer's tenant.
    pub tenant_id: Uuid,
}

impl CallArtifact {
    /// The artifact's JSON, in the documented example's order; `content_url` is the absolute
    /// `…/content` URL. `select` keeps only the named properties (in this order).
    pub fn to_json(&self, content_url: &str, select: Option<&[String]>) -> Value {
        let mut out = Map::new();
        out.insert("id".into(), json!(self.id));
        out.insert("meetingId".into(), json!(self.meeting_id));
        out.insert("callId".into(), json!(self.call_id.to_string()));
        out.insert(
            "contentCorrelationId".into(),
            json!(self.content_correlation_id),
        );
        let url_property = match self.kind {
            ArtifactKind::Transcript => "transcriptContentUrl",
            ArtifactKind::Recording => "recordingContentUrl",
        };
        out.insert(url_property.into(), json!(content_url));
        out.insert("createdDateTime".into(), json!(ticks7(self.created)));
        out.insert("endDateTime".into(), json!(ticks7(self.end)));
        out.insert(
            "meetingOrganizer".into(),
            json!({
                "application": null,
                "device": null,
                "user": {
                    "@odata.type": "#microsoft.graph.teamworkUserIdentity",
                    "id": self.organizer_id.to_string(),
                    "displayName": null,
                    "userIdentityType": "aadUser",
                    "tenantId": self.tenant_id.to_string(),
                },
            }),
        );
        if let Some(select) = select {
            out.retain(|k, _| select.iter().any(|s| s.eq_ignore_ascii_case(k)));
        }
        Value::Object(out)
    }
}

/// The properties `$select` may name on a transcript or recording.
pub const ARTIFACT_PROPERTIES: &[&str] = &[
    "id",
    "meetingId",
    "callId",
    "contentCorrelationId",
    "transcriptContentUrl",
    "recordingContentUrl",
    "createdDateTime",
    "endDateTime",
    "meetingOrganizer",
    "content",
    "metadataContent",
];

/// The GlobalObjectId class id Exchange prefixes every meeting's id with.
const GLOBAL_OBJECT_ID_CLASS: &str = "040000008200E00074C5B7101A82E008";

/// A transcript's or recording's id, in the current (`VjIjIzE…`) form: base64 of
/// `V2##1{organizerOid}{tenantId}{GlobalObjectId hex}##{guid}`, the GlobalObjectId carrying the
/// instance date of the meeting's start (spec B.3, from decoding documented samples [inf]).
pub fn artifact_id(
    organizer: Uuid,
    tenant: Uuid,
    meeting_start: DateTime<Utc>,
    meeting_guid: Uuid,
    artifact_guid: Uuid,
) -> String {
    let instance = format!(
        "{:04X}{:02X}{:02X}",
        meeting_start.year().clamp(0, 0xFFFF),
        meeting_start.month(),
        meeting_start.day()
    );
    let goid = format!(
        "{GLOBAL_OBJECT_ID_CLASS}{instance}{}{}10000000{}",
        "0".repeat(16),
        "0".repeat(16),
        hex_upper(meeting_guid.as_bytes())
    );
    let text = format!("V2##1{organizer}{tenant}{goid}##{artifact_guid}");
    crate::b64::std_encode(text.as_bytes())
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// The artifact guid an id ends with, if it is one of [`artifact_id`]'s.
pub fn artifact_guid(id: &str) -> Option<Uuid> {
    let bytes = crate::b64::std_decode_lenient(id).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let rest = text.strip_prefix("V2##")?;
    let (_, guid) = rest.rsplit_once("##")?;
    Uuid::parse_str(guid).ok()
}
