//! `meetingAttendanceReport` and `attendanceRecord`: who attended, in which role, and when
//! (spec B.2).

use super::*;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

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
