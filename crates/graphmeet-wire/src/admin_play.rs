//! The admin API's JSON for playing a meeting (`POST /admin/meetings/{meetingId}/play`) and
//! for a tenant's Teams meeting configuration (`/admin/tenants/{tenant}/meeting-configuration`).
//! The same script is the JSON file `graphmeet meeting play --script` reads.

use serde::{Deserialize, Serialize};

/// A meeting session to play: who joins and leaves when, and what is said.
///
/// Times are offsets from `start` (ISO 8601 durations: `PT0S`, `PT1M30S`) or RFC 3339 times.
///
/// ```json
/// {"start": "now-PT1H",
///  "participants": [
///    {"user": "amy@contoso.onmicrosoft.com", "join": "PT0S", "leave": "PT30M"},
///    {"guest": "Pat Guest", "email": "pat@example.com", "join": "PT1M", "leave": "PT20M"},
///    {"anonymous": "Visitor", "intervals": [{"join": "PT2M", "leave": "PT5M"}, {"join": "PT10M", "leave": "PT12M"}]},
///    {"phone": "+14255550100", "join": "PT3M", "leave": "PT9M"}],
///  "utterances": [{"speaker": "amy@contoso.onmicrosoft.com", "at": "PT5S", "duration": "PT4S", "text": "Welcome."}]}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlayScript {
    /// When the session starts: an RFC 3339 time, `now`, or `now-PT1H` / `now+PT5M` on the
    /// server's clock. Default `now`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// Who takes part.
    #[serde(default)]
    pub participants: Vec<PlayParticipant>,
    /// What is said, in any order.
    #[serde(default)]
    pub utterances: Vec<PlayUtterance>,
    /// Whether the session is transcribed (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcribe: Option<bool>,
    /// Whether the session is recorded (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<bool>,
}

/// One participant: exactly one of `user`, `guest`, `anonymous` and `phone`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlayParticipant {
    /// A directory user of any tenant, by object id or UPN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// An unauthenticated guest's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guest: Option<String>,
    /// An anonymous participant's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymous: Option<String>,
    /// A dial-in participant's phone number (E.164).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The guest's email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The role, overriding the one the meeting's settings give (`Attendee`, `Presenter`,
    /// `Organizer`, `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// When they join (default `PT0S`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join: Option<String>,
    /// When they leave; with `join`, the one interval. Required unless `intervals`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leave: Option<String>,
    /// Several join-to-leave periods, instead of `join` and `leave`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intervals: Option<Vec<PlayInterval>>,
}

/// One join-to-leave period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlayInterval {
    /// When they join.
    pub join: String,
    /// When they leave.
    pub leave: String,
}

/// One utterance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlayUtterance {
    /// Who speaks: a participant's `user` (id or UPN), `guest` or `anonymous` name, or `phone`.
    pub speaker: String,
    /// When they start speaking.
    pub at: String,
    /// How long they speak (default: 60 ms per character, at least one second).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    /// What they say.
    pub text: String,
    /// The spoken language (default `en-us`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// A played session: the answer of `POST /admin/meetings/{meetingId}/play` and the items of
/// `GET /admin/meetings/{meetingId}/sessions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    /// The meeting.
    pub meeting_id: String,
    /// The session's attendance report id.
    pub attendance_report_id: String,
    /// The call's id.
    pub call_id: String,
    /// `scheduled` (before its start on the server's clock), `started`, or `ended` (its
    /// artifacts are served from then on).
    pub state: String,
    /// The first join.
    pub start_date_time: String,
    /// The last leave.
    pub end_date_time: String,
    /// How many took part.
    pub participants: usize,
    /// How many utterances were said.
    pub utterances: usize,
    /// The transcript's id, when transcribed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript_id: Option<String>,
    /// The recording's id, when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording_id: Option<String>,
    /// The recording's length in seconds.
    pub duration_seconds: i64,
}

/// A tenant's Teams meeting configuration, as `Set-CsTeamsMeetingConfiguration` sets it: the
/// answer of `GET` and the body of `PATCH /admin/tenants/{tenant}/meeting-configuration`
/// (fields left out stay as they are).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MeetingConfigurationView {
    /// `-EnableGraphTranscriptAccess`: false blocks every Graph access to transcripts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_graph_transcript_access: Option<bool>,
    /// `-EnableAttributedTranscripts`: false blocks speaker-attributed transcript content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_attributed_transcripts: Option<bool>,
}

/// A meeting of a seed (`[[tenant.meeting]]`), made with createOrGet so that applying the seed
/// again finds it, and played (`[[tenant.meeting.play]]`, each a [`PlayScript`]) when it has
/// not been played yet:
///
/// ```toml
/// [[tenant.meeting]]
/// organizer = "alice@contoso.onmicrosoft.com"
/// external_id = "weekly-sync"
/// subject = "Weekly sync"
///
/// [[tenant.meeting.play]]
/// start = "now-PT1H"
/// participants = [{ user = "alice@contoso.onmicrosoft.com", leave = "PT30M" }]
/// utterances = [{ speaker = "alice@contoso.onmicrosoft.com", at = "PT5S", text = "Hello." }]
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeedMeeting {
    /// The organizer: a user of the tenant, by object id or UPN.
    pub organizer: String,
    /// The createOrGet key.
    pub external_id: String,
    /// The subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The start, RFC 3339 (default: when the seed is applied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// The end, RFC 3339 (default: an hour after the start).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// Sessions to play, in order, when the meeting has none yet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub play: Vec<PlayScript>,
}

/// What applying a seed's meetings did ([`crate::admin::ApplySummary`]'s `played`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
pub struct SeedPlayed {
    /// Meetings created.
    pub meetings_created: usize,
    /// Meetings found (by organizer and external id).
    pub meetings_unchanged: usize,
    /// Sessions played.
    pub sessions: usize,
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_documented_seed_meeting_reads_from_toml() {
        let text = r#"
[[tenant]]
name = "Contoso"

[[tenant.meeting]]
organizer = "alice@contoso.onmicrosoft.com"
external_id = "weekly-sync"
subject = "Weekly sync"

[[tenant.meeting.play]]
start = "now-PT1H"
participants = [{ user = "alice@contoso.onmicrosoft.com", leave = "PT30M" }, { phone = "+14255550100", join = "PT1M", leave = "PT2M" }]
utterances = [{ speaker = "alice@contoso.onmicrosoft.com", at = "PT5S", text = "Hello." }]
"#;
        let seed: crate::admin::Seed = toml::from_str(text).unwrap_or_else(|e| panic!("{e}"));
        let m = &seed.tenants[0].meetings[0];
        assert_eq!(m.external_id, "weekly-sync");
        assert_eq!(
            m.play[0].participants[1].phone.as_deref(),
            Some("+14255550100")
        );
        assert_eq!(m.play[0].utterances[0].text, "Hello.");
    }
}
