//! Online meetings: the main properties, times, the join meeting id and passcode.

use super::*;
use graphmeet_wire::graph::{GraphDateTime, OnlineMeeting};
use serde::Serialize;

/// A meeting as the CLI prints it: the main properties as `key: value` lines, or the whole
/// meeting in JSON.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct MeetingView(pub OnlineMeeting);

/// A date-time for people: RFC 3339, seconds, `Z`.
pub fn show_time(at: Option<&GraphDateTime>) -> String {
    at.map(|t| {
        t.as_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    })
    .unwrap_or_else(|| "-".to_owned())
}

/// The join meeting id of a meeting, if it has one.
pub fn join_meeting_id(meeting: &OnlineMeeting) -> Option<&str> {
    meeting
        .join_meeting_id_settings
        .as_ref()
        .and_then(|s| s.join_meeting_id.as_deref())
}

/// The passcode of a meeting, if it requires one.
pub fn passcode(meeting: &OnlineMeeting) -> Option<&str> {
    meeting
        .join_meeting_id_settings
        .as_ref()
        .and_then(|s| s.passcode.as_deref())
}

impl Render for MeetingView {
    fn table(&self) -> String {
        let m = &self.0;
        let text = |v: Option<&str>| v.filter(|s| !s.is_empty()).unwrap_or("-").to_owned();
        fields(&[
            ("id", text(m.id.as_deref())),
            ("subject", text(m.subject.as_deref())),
            ("start", show_time(m.start_date_time.as_ref())),
            ("end", show_time(m.end_date_time.as_ref())),
            ("joinWebUrl", text(m.join_web_url.as_deref())),
            ("joinMeetingId", text(join_meeting_id(m))),
            ("passcode", text(passcode(m))),
        ])
    }
}
