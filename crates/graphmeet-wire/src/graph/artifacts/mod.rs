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
//!
//! One file per concern, all re-exported here: `attendance`, `call` (transcripts and
//! recordings), `vtt` (the transcript's content), `get_all` (the function segments) and
//! `errors`; the time formats they share are below.

use chrono::{DateTime, Utc};

mod attendance;
mod call;
mod errors;
mod get_all;
mod vtt;

pub use attendance::*;
pub use call::*;
pub use get_all::*;
pub use vtt::*;

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

#[cfg(test)]
mod tests;
