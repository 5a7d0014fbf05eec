//! What a meeting leaves behind, as Graph serves it: `meetingAttendanceReport`,
//! `attendanceRecord`, `callTranscript`, `callRecording`, the transcript's WebVTT and
//! metadata WebVTT, the `getAllTranscripts(…)` / `getAllRecordings(…)` function segments, and the
//! artifact routes' error texts.
//!
//! Facts: spec `events-artifacts-notifications.md` B.1–B.6;
//! <https://learn.microsoft.com/graph/api/resources/meetingattendancereport>,
//! <https://learn.microsoft.com/graph/api/resources/calltranscript>,
//! <https://learn.microsoft.com/graph/api/resources/callrecording>,
//! <https://learn.microsoft.com/graph/api/onlinemeeting-getalltranscripts>.

use super::GraphError;
use chrono::{DateTime, Datelike, Duration, SecondsFormat, Utc};
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// A time as the artifact resources write it: UTC, `Z`, all seven digits of the 100 ns ticks
/// (`2021-10-05T04:38:27.6027225Z`, as intervals and transcripts carry them).
pub fn ticks7(at: DateTime<Utc>) -> String {
    let ticks = at.timestamp_subsec_nanos() / 100;
    format!("{}.{ticks:07}Z", at.format("%Y-%m-%dT%H:%M:%S"))
}

/// A time as a report's `meetingStartDateTime` / `meetingEndDateTime` write it: trailing
/// zeros of the fraction dropped (`2021-10-05T04:43:49.77Z`, and no fraction at all for whole
/// seconds).
pub fn trimmed(at: DateTime<Utc>) -> String {
    let ticks = at.timestamp_subsec_nanos() / 100;
    let seconds = at.format("%Y-%m-%dT%H:%M:%S");
    if ticks == 0 {
        return format!("{seconds}Z");
    }
    let fraction = format!("{ticks:07}");
    format!("{seconds}.{}Z", fraction.trim_end_matches('0'))
}

/// A participant's role in an attendance record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum AttendanceRole {
    /// `None`.
    None,
    /// `Attendee`.
    Attendee,
    /// `Presenter`.
    Presenter,
    /// `Organizer`.
    Organizer,
}

impl AttendanceRole {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "None",
            Self::Attendee => "Attendee",
            Self::Presenter => "Presenter",
            Self::Organizer => "Organizer",
        }
    }

    /// Parses a wire name, ignoring case.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::None, Self::Attendee, Self::Presenter, Self::Organizer]
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(text))
    }
}

/// One join-to-leave period of an attendance record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceInterval {
    /// When the participant joined.
    pub join: DateTime<Utc>,
    /// When the participant left.
    pub leave: DateTime<Utc>,
}

impl AttendanceInterval {
    /// Whole seconds between join and leave (as Graph's Int32).
    pub fn duration_seconds(&self) -> i64 {
        (self.leave - self.join).num_seconds().max(0)
    }

    fn to_json(&self) -> Value {
        json!({
            "joinDateTime": ticks7(self.join),
            "leaveDateTime": ticks7(self.leave),
            "durationInSeconds": self.duration_seconds(),
        })
    }
}

/// The identity of an attendance record: a directory user (with their tenant), or a guest,
/// anonymous or dial-in participant (no tenant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceIdentity {
    /// The user's object id, or the participant's id in the call.
    pub id: String,
    /// The name shown in the meeting.
    pub display_name: String,
    /// The user's tenant; `None` for participants outside any directory.
    pub tenant_id: Option<Uuid>,
}

/// One participant's attendance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceRecord {
    /// The participant's email address, when known.
    pub email_address: Option<String>,
    /// Who attended.
    pub identity: AttendanceIdentity,
    /// Their role.
    pub role: AttendanceRole,
    /// When they were there, in order.
    pub intervals: Vec<AttendanceInterval>,
}

impl AttendanceRecord {
    /// The sum of the intervals, in whole seconds.
    pub fn total_seconds(&self) -> i64 {
        self.intervals
            .iter()
            .map(AttendanceInterval::duration_seconds)
            .sum()
    }

    /// The record's JSON, in the documented example's property order.
    pub fn to_json(&self) -> Value {
        json!({
            "emailAddress": self.email_address,
            "totalAttendanceInSeconds": self.total_seconds(),
            "role": self.role.as_str(),
            "identity": {
                "id": self.identity.id,
                "displayName": self.identity.display_name,
                "tenantId": self.identity.tenant_id.map(|t| t.to_string()),
            },
            "attendanceIntervals": self.intervals.iter().map(AttendanceInterval::to_json).collect::<Vec<_>>(),
        })
    }
}

/// One attendance report: a session of the meeting, from its first join to its last leave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceReport {
    /// The report id (a GUID).
    pub id: Uuid,
    /// When the first participant joined.
    pub meeting_start: DateTime<Utc>,
    /// When the last participant left.
    pub meeting_end: DateTime<Utc>,
    /// The participants.
    pub records: Vec<AttendanceRecord>,
}

impl AttendanceReport {
    /// The report's JSON; `attendanceRecords` is empty unless `expand` (lists never expand).
    pub fn to_json(&self, expand: bool) -> Value {
        let records: Vec<Value> = if expand {
            self.records.iter().map(AttendanceRecord::to_json).collect()
        } else {
            Vec::new()
        };
        json!({
            "id": self.id.to_string(),
            "totalParticipantCount": self.records.len(),
            "meetingStartDateTime": trimmed(self.meeting_start),
            "meetingEndDateTime": trimmed(self.meeting_end),
            "attendanceRecords": records,
        })
    }
}

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

/// One spoken line of a transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptCue {
    /// The cue identifier line (`{guid}/{n}-0`, as Teams numbers its cues [inf]).
    pub id: String,
    /// From the start of transcription.
    pub start: Duration,
    /// From the start of transcription.
    pub end: Duration,
    /// When it was said.
    pub start_at: DateTime<Utc>,
    /// When it ended.
    pub end_at: DateTime<Utc>,
    /// The speaker's display name.
    pub speaker: String,
    /// What was said.
    pub text: String,
    /// The spoken language (`en-us`).
    pub language: String,
}

/// `hh:mm:ss.mmm` (negative offsets keep their sign: transcription began mid-conversation).
fn vtt_time(offset: Duration) -> String {
    let sign = if offset < Duration::zero() { "-" } else { "" };
    let ms = offset.num_milliseconds().unsigned_abs();
    format!(
        "{sign}{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        (ms / 60_000) % 60,
        (ms / 1000) % 60,
        ms % 1000
    )
}

/// Escapes the characters WebVTT cue text reserves.
fn vtt_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace("-->", "--&gt;")
        .replace(['\r', '\n'], " ")
}

/// A speaker name inside `<v …>`: no `>` or line breaks.
fn vtt_voice(name: &str) -> String {
    name.replace(['>', '\r', '\n'], " ").replace('&', "&amp;")
}

/// The transcript's WebVTT (`text/vtt`): with `<v Speaker>` spans when `attributed`, bare
/// text otherwise (the unattributed format).
pub fn render_vtt(cues: &[TranscriptCue], attributed: bool) -> String {
    let mut out = String::from("WEBVTT\n");
    for cue in cues {
        out.push('\n');
        out.push_str(&cue.id);
        out.push('\n');
        out.push_str(&format!(
            "{} --> {}\n",
            vtt_time(cue.start),
            vtt_time(cue.end)
        ));
        if attributed {
            out.push_str(&format!(
                "<v {}>{}</v>\n",
                vtt_voice(&cue.speaker),
                vtt_escape(&cue.text)
            ));
        } else {
            out.push_str(&vtt_escape(&cue.text));
            out.push('\n');
        }
    }
    out
}

/// Seven digits and `+00:00`, as the metadata cues write times.
fn with_offset(at: DateTime<Utc>) -> String {
    let ticks = at.timestamp_subsec_nanos() / 100;
    format!("{}.{ticks:07}+00:00", at.format("%Y-%m-%dT%H:%M:%S"))
}

/// `…/metadataContent`: WebVTT whose cue payloads are JSON (spec B.4).
pub fn render_metadata_vtt(cues: &[TranscriptCue]) -> String {
    let mut out = String::from("WEBVTT\n");
    for cue in cues {
        let payload = json!({
            "startDateTime": with_offset(cue.start_at),
            "endDateTime": with_offset(cue.end_at),
            "speakerName": cue.speaker,
            "spokenText": cue.text,
            "spokenLanguage": cue.language,
        });
        out.push('\n');
        out.push_str(&format!(
            "{} --> {}\n",
            vtt_time(cue.start),
            vtt_time(cue.end)
        ));
        out.push_str(&payload.to_string());
        out.push('\n');
    }
    out
}

/// The content formats of `…/transcripts/{id}/content`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TranscriptFormat {
    /// `text/vtt`, with speakers.
    Vtt,
    /// `application/vnd.microsoft.graph.transcript+text`: the unattributed WebVTT.
    Unattributed,
}

/// The unattributed transcript's media type.
pub const UNATTRIBUTED_MEDIA_TYPE: &str = "application/vnd.microsoft.graph.transcript+text";

impl TranscriptFormat {
    /// The format a request asks for: `$format` wins over `Accept`; no `Accept` (or `*/*`,
    /// or one naming `text/vtt`) is WebVTT. Anything else is Graph's 400, Kiota's
    /// `application/octet-stream, application/json` included (spec B.4).
    pub fn negotiate(format: Option<&str>, accept: Option<&str>) -> Result<Self, GraphError> {
        let asked = match format {
            Some(f) => f.trim(),
            None => accept.map(str::trim).unwrap_or(""),
        };
        if asked.is_empty() {
            return Ok(Self::Vtt);
        }
        let types: Vec<String> = asked
            .split(',')
            .map(|t| {
                t.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            })
            .collect();
        if types.iter().any(|t| t == "text/vtt") {
            return Ok(Self::Vtt);
        }
        if types.iter().any(|t| t == UNATTRIBUTED_MEDIA_TYPE) {
            return Ok(Self::Unattributed);
        }
        if format.is_none() && types.iter().all(|t| t == "*/*" || t == "text/*") {
            return Ok(Self::Vtt);
        }
        Err(GraphError::invalid_transcript_format(asked))
    }

    /// The `Content-Type` of the answer.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Vtt => "text/vtt",
            Self::Unattributed => UNATTRIBUTED_MEDIA_TYPE,
        }
    }
}

/// `getAllTranscripts(…)` / `getAllRecordings(…)`: the organizer and the creation window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetAllCall {
    /// Which artifacts.
    pub kind: ArtifactKind,
    /// `meetingOrganizerUserId`, when the segment names it.
    pub organizer: Option<String>,
    /// `startDateTime`: created at or after.
    pub start: Option<DateTime<Utc>>,
    /// `endDateTime`: created at or before.
    pub end: Option<DateTime<Utc>>,
}

impl GetAllCall {
    /// Parses a path segment; `None` when it is not one of the two functions (so it is a
    /// meeting id), `Some(Err)` for a function with bad parameters.
    pub fn parse(segment: &str) -> Option<Result<Self, GraphError>> {
        Self::parse_with(segment, &|_| None)
    }

    /// [`GetAllCall::parse`], with OData parameter aliases (`startDateTime=@startDateTime`,
    /// `meetingOrganizerUserId='@meetingOrganizerUserId'`, as the Kiota SDKs' URL templates
    /// write them) resolved by `alias` from the query; an alias the query does not give is a
    /// parameter left out.
    pub fn parse_with(
        segment: &str,
        alias: &dyn Fn(&str) -> Option<String>,
    ) -> Option<Result<Self, GraphError>> {
        let kind = [ArtifactKind::Transcript, ArtifactKind::Recording]
            .into_iter()
            .find(|k| {
                segment
                    .get(..k.function().len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(k.function()))
            })?;
        let rest = &segment[kind.function().len()..];
        let mut call = Self {
            kind,
            organizer: None,
            start: None,
            end: None,
        };
        if rest.is_empty() {
            return Some(Ok(call));
        }
        let args = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')'))?;
        // Where the parameters begin in the segment, for syntax errors' positions.
        let base = kind.function().len() + 1;
        if let Some(at) = syntax_error_at(args) {
            return Some(Err(GraphError::odata_syntax_error(base + at)));
        }
        for arg in args.split(',').map(str::trim).filter(|a| !a.is_empty()) {
            let Some((name, value)) = arg.split_once('=') else {
                return Some(Err(GraphError::bad_request(format!(
                    "The parameter '{arg}' of {} has no value.",
                    kind.function()
                ))));
            };
            let value = value.trim();
            let unquoted = value
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .unwrap_or(value);
            let resolved;
            let unquoted = match unquoted.strip_prefix('@') {
                Some(name) => match alias(name) {
                    Some(v) => {
                        resolved = v;
                        resolved
                            .strip_prefix('\'')
                            .and_then(|v| v.strip_suffix('\''))
                            .unwrap_or(&resolved)
                    }
                    None => continue,
                },
                None => unquoted,
            };
            let time = || {
                DateTime::parse_from_rfc3339(unquoted)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|_| {
                        GraphError::bad_request(format!(
                            "The parameter '{}' has an invalid value '{value}': an Edm.DateTimeOffset is expected.",
                            name.trim()
                        ))
                    })
            };
            match name.trim().to_ascii_lowercase().as_str() {
                "meetingorganizeruserid" => call.organizer = Some(unquoted.to_owned()),
                "startdatetime" => match time() {
                    Ok(t) => call.start = Some(t),
                    Err(e) => return Some(Err(e)),
                },
                "enddatetime" => match time() {
                    Ok(t) => call.end = Some(t),
                    Err(e) => return Some(Err(e)),
                },
                other => {
                    return Some(Err(GraphError::bad_request(format!(
                        "The function '{}' has no parameter '{other}'.",
                        kind.function()
                    ))))
                }
            }
        }
        Some(Ok(call))
    }

    /// The segment, written back (for `@odata.nextLink` and `@odata.deltaLink`).
    pub fn segment(&self, organizer: &str) -> String {
        let mut args = vec![format!("meetingOrganizerUserId='{organizer}'")];
        if let Some(start) = self.start {
            args.push(format!(
                "startDateTime={}",
                start.to_rfc3339_opts(SecondsFormat::AutoSi, true)
            ));
        }
        if let Some(end) = self.end {
            args.push(format!(
                "endDateTime={}",
                end.to_rfc3339_opts(SecondsFormat::AutoSi, true)
            ));
        }
        format!("{}({})", self.kind.function(), args.join(","))
    }
}

/// Where a function's parameter list stops being `name=value` pairs separated by commas (a
/// value quoted in `'…'`, with `''` for a quote), if it does: e.g. the Kiota SDKs' templates
/// expand to `meetingOrganizerUserId='@meetingOrganizerUserId'startDateTime=…`, with no comma.
fn syntax_error_at(args: &str) -> Option<usize> {
    let bytes = args.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // A name.
        let start = i;
        while i < bytes.len()
            && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b' ')
        {
            i += 1;
        }
        if i == start || bytes.get(i) != Some(&b'=') {
            return Some(i);
        }
        i += 1;
        // A value: quoted, or up to the next comma with no quote or `=` in it.
        if bytes.get(i) == Some(&b'\'') {
            i += 1;
            loop {
                match bytes.get(i) {
                    None => return Some(i),
                    Some(b'\'') if bytes.get(i + 1) == Some(&b'\'') => i += 2,
                    Some(b'\'') => {
                        i += 1;
                        break;
                    }
                    Some(_) => i += 1,
                }
            }
        } else {
            while i < bytes.len() && bytes[i] != b',' {
                if bytes[i] == b'\'' || bytes[i] == b'=' || bytes[i] == b'(' {
                    return Some(i);
                }
                i += 1;
            }
        }
        while bytes.get(i) == Some(&b' ') {
            i += 1;
        }
        match bytes.get(i) {
            None => return None,
            Some(b',') => i += 1,
            Some(_) => return Some(i),
        }
    }
    None
}

impl GraphError {
    /// 400: a function segment whose parameters do not parse, at a position in the segment
    /// [obs: "Syntax error at position 88", msgraph-beta-sdk-python #1038, for the SDK's
    /// comma-less getAllTranscripts segment; the position's base is inf].
    pub fn odata_syntax_error(position: usize) -> Self {
        Self::bad_request(format!("Syntax error at position {position}"))
    }

    /// 400: a content format the transcript is not served in (Kiota's default `Accept`
    /// included) [obs: msgraph-sdk-dotnet #2505, msgraph-sdk-python #1294].
    pub fn invalid_transcript_format(asked: &str) -> Self {
        Self::bad_request(format!("Invalid format '{asked}' specified."))
    }

    /// 403: the tenant blocks Graph access to transcripts
    /// (`Set-CsTeamsMeetingConfiguration -EnableGraphTranscriptAccess $false`);
    /// `innerError.code` as clients branch on it [doc, msteams-docs; message inf].
    pub fn graph_transcript_access_disabled() -> Self {
        Self::new(
            403,
            "Forbidden",
            "Graph API access to transcripts is disabled for this tenant.",
        )
        .with_inner_code("GraphAccessToTranscriptsDisabled")
    }

    /// 403: the tenant blocks speaker-attributed transcripts
    /// (`-EnableAttributedTranscripts $false`) [obs: dust-tt/dust #30092].
    pub fn speaker_attribution_not_allowed() -> Self {
        Self::new(
            403,
            "Forbidden",
            "Speaker-attributed transcript content is disabled for this tenant",
        )
        .with_inner_code("SpeakerAttributionNotAllowed")
    }

    /// 400: v1.0 serves no artifacts of channel meetings [doc; obs msgraph-beta-sdk-dotnet #695].
    pub fn channel_meetings_not_supported() -> Self {
        Self::bad_request("Channel based meetings are currently not supported.")
    }

    /// 404: no artifact of that id under the meeting [inf: text].
    pub fn artifact_not_found(what: &str, id: &str) -> Self {
        Self::not_found(format!("The requested {what} '{id}' was not found."))
    }

    /// 400: getAll* without `meetingOrganizerUserId` (or `$filter` on the organizer) [doc:
    /// the requirement; inf: text].
    pub fn meeting_organizer_required(function: &str) -> Self {
        Self::bad_request(format!(
            "{function} requires meetingOrganizerUserId or $filter=MeetingOrganizer/User/Id eq '{{id}}'."
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn report_and_record_render_as_the_documented_examples() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let report = AttendanceReport {
            id: Uuid::parse_str("c9b6db1c-d5eb-427d-a5c0-20088d9b22d7").unwrap(),
            meeting_start: at("2021-10-05T04:38:23.945Z"),
            meeting_end: at("2021-10-05T04:43:49.77Z"),
            records: vec![AttendanceRecord {
                email_address: Some("frederick.cormier@contoso.com".into()),
                identity: AttendanceIdentity {
                    id: "dc17674c-81d9-4adb-bfb2-8f6a442e4623".into(),
                    display_name: "Frederick Cormier".into(),
                    tenant_id: None,
                },
                role: AttendanceRole::Organizer,
                intervals: vec![AttendanceInterval {
                    join: at("2021-10-05T04:38:27.6027225Z"),
                    leave: at("2021-10-05T04:43:49.7702391Z"),
                }],
            }],
        };
        assert_eq!(
            report.to_json(false).to_string(),
            r#"{"id":"c9b6db1c-d5eb-427d-a5c0-20088d9b22d7","totalParticipantCount":1,"meetingStartDateTime":"2021-10-05T04:38:23.945Z","meetingEndDateTime":"2021-10-05T04:43:49.77Z","attendanceRecords":[]}"#
        );
        assert_eq!(
            report.records[0].to_json().to_string(),
            r#"{"emailAddress":"frederick.cormier@contoso.com","totalAttendanceInSeconds":322,"role":"Organizer","identity":{"id":"dc17674c-81d9-4adb-bfb2-8f6a442e4623","displayName":"Frederick Cormier","tenantId":null},"attendanceIntervals":[{"joinDateTime":"2021-10-05T04:38:27.6027225Z","leaveDateTime":"2021-10-05T04:43:49.7702391Z","durationInSeconds":322}]}"#
        );
    }

    #[test]
    fn artifact_ids_decode_as_the_documented_v2_form() {
        let org = Uuid::new_v4();
        let tenant = Uuid::new_v4();
        let guid = Uuid::new_v4();
        let start = Utc.with_ymd_and_hms(2023, 12, 2, 10, 0, 0).unwrap();
        let id = artifact_id(org, tenant, start, Uuid::new_v4(), guid);
        assert!(id.starts_with("VjIjIz"), "{id}");
        let text = String::from_utf8(crate::b64::std_decode(&id).unwrap()).unwrap();
        assert!(
            text.contains("040000008200E00074C5B7101A82E00807E70C02"),
            "{text}"
        );
        assert_eq!(artifact_guid(&id), Some(guid));
    }

    #[test]
    fn vtt_has_teams_cues_with_voice_spans() {
        let t0 = Utc.with_ymd_and_hms(2023, 3, 8, 8, 22, 14).unwrap();
        let cue = TranscriptCue {
            id: "abc/1-0".into(),
            start: Duration::milliseconds(16_246),
            end: Duration::milliseconds(17_726),
            start_at: t0 + Duration::milliseconds(16_246),
            end_at: t0 + Duration::milliseconds(17_726),
            speaker: "User Name".into(),
            text: "This is a <test> & more".into(),
            language: "en-us".into(),
        };
        assert_eq!(
            render_vtt(std::slice::from_ref(&cue), true),
            "WEBVTT\n\nabc/1-0\n00:00:16.246 --> 00:00:17.726\n<v User Name>This is a &lt;test&gt; &amp; more</v>\n"
        );
        assert_eq!(
            render_vtt(std::slice::from_ref(&cue), false),
            "WEBVTT\n\nabc/1-0\n00:00:16.246 --> 00:00:17.726\nThis is a &lt;test&gt; &amp; more\n"
        );
        let meta = render_metadata_vtt(&[cue]);
        assert!(meta.contains("00:00:16.246 --> 00:00:17.726\n{\"startDateTime\":\"2023-03-08T08:22:30.2460000+00:00\""), "{meta}");
        assert_eq!(vtt_time(Duration::milliseconds(-1500)), "-00:00:01.500");
    }

    #[test]
    fn formats_are_negotiated_as_graph_does() {
        use TranscriptFormat::*;
        assert_eq!(TranscriptFormat::negotiate(None, None).unwrap(), Vtt);
        assert_eq!(
            TranscriptFormat::negotiate(Some("text/vtt"), Some("application/json")).unwrap(),
            Vtt
        );
        assert_eq!(TranscriptFormat::negotiate(None, Some("*/*")).unwrap(), Vtt);
        assert_eq!(
            TranscriptFormat::negotiate(None, Some(UNATTRIBUTED_MEDIA_TYPE)).unwrap(),
            Unattributed
        );
        let e =
            TranscriptFormat::negotiate(None, Some("application/octet-stream, application/json"))
                .unwrap_err();
        assert_eq!(e.status, 400);
        assert_eq!(
            e.message,
            "Invalid format 'application/octet-stream, application/json' specified."
        );
        assert!(TranscriptFormat::negotiate(Some("docx"), None).is_err());
    }

    #[test]
    fn get_all_segments_parse() {
        let call = GetAllCall::parse("getAllTranscripts(meetingOrganizerUserId='abc',startDateTime=2023-01-01T00:00:00Z,endDateTime=2023-02-01T00:00:00Z)")
            .unwrap()
            .unwrap();
        assert_eq!(call.kind, ArtifactKind::Transcript);
        assert_eq!(call.organizer.as_deref(), Some("abc"));
        assert_eq!(
            call.start,
            Some(Utc.with_ymd_and_hms(2023, 1, 1, 0, 0, 0).unwrap())
        );
        assert_eq!(
            call.segment("abc"),
            "getAllTranscripts(meetingOrganizerUserId='abc',startDateTime=2023-01-01T00:00:00Z,endDateTime=2023-02-01T00:00:00Z)"
        );
        assert_eq!(
            GetAllCall::parse("getAllRecordings")
                .unwrap()
                .unwrap()
                .organizer,
            None
        );
        assert!(GetAllCall::parse("MSo1N2Y5").is_none());
        assert!(
            GetAllCall::parse("getAllRecordings(startDateTime=yesterday)")
                .unwrap()
                .is_err()
        );
    }
}
