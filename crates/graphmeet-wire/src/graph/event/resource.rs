//! The event resource and its nested types as a response carries them (property order and
//! nulls of a real answer), the properties `$select` may name, and rendering with
//! [`EventRender`] (`$select`, `Prefer: outlook.timezone`).

use super::*;
use crate::graph::timezone::{format_local, parse_local, Zone};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `dateTimeTimeZone`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DateTimeTimeZone {
    /// The local time, `2017-04-15T11:00:00.0000000`.
    #[serde(default)]
    pub date_time: String,
    /// The zone's name (Windows or IANA).
    #[serde(default)]
    pub time_zone: Option<String>,
}

/// `itemBody`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemBody {
    /// `html` or `text` (responses write lower case).
    pub content_type: String,
    /// The content.
    pub content: String,
}

/// `emailAddress`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailAddress {
    /// The display name.
    pub name: String,
    /// The SMTP address.
    pub address: String,
}

/// `recipient` (the organizer).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recipient {
    /// The address.
    pub email_address: EmailAddress,
}

/// `responseStatus`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseStatus {
    /// `none`, `organizer`, `tentativelyAccepted`, `accepted`, `declined`, `notResponded`.
    pub response: String,
    /// When; [`NO_RESPONSE_TIME`] before any response.
    pub time: String,
}

impl ResponseStatus {
    /// No response yet.
    pub fn none() -> Self {
        Self {
            response: "none".to_owned(),
            time: NO_RESPONSE_TIME.to_owned(),
        }
    }
}

/// `attendee`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attendee {
    /// `required`, `optional` or `resource`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The attendee's response.
    pub status: ResponseStatus,
    /// Who.
    pub email_address: EmailAddress,
}

/// `location`, as responses write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// The name.
    pub display_name: String,
    /// `default` for a location given by name.
    pub location_type: String,
    /// The name again for a named location; absent for the empty one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unique_id: Option<String>,
    /// `private` for a named location, `unknown` for the empty one.
    pub unique_id_type: String,
    /// `{}` on the empty location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Map<String, Value>>,
    /// `{}` on the empty location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coordinates: Option<Map<String, Value>>,
}

impl Location {
    /// The location of an event that names none.
    pub fn empty() -> Self {
        Self {
            display_name: String::new(),
            location_type: "default".to_owned(),
            unique_id: None,
            unique_id_type: "unknown".to_owned(),
            address: Some(Map::new()),
            coordinates: Some(Map::new()),
        }
    }

    /// A location given by its display name.
    pub fn named(name: &str) -> Self {
        if name.is_empty() {
            return Self::empty();
        }
        Self {
            display_name: name.to_owned(),
            location_type: "default".to_owned(),
            unique_id: Some(name.to_owned()),
            unique_id_type: "private".to_owned(),
            address: None,
            coordinates: None,
        }
    }
}

/// `onlineMeetingInfo`: how to join the Teams meeting behind an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnlineMeetingInfo {
    /// The meeting's `joinWebUrl`.
    pub join_url: String,
    /// The dial-in conference id, when the organizer has Audio Conferencing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conference_id: Option<String>,
    /// The toll number, likewise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toll_number: Option<String>,
}

/// The event resource, in the property order of a real v1.0 response. Stored as is, with
/// `start`/`end` in UTC; [`Event::to_json`] renders them in the zone asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// The per-mailbox id.
    pub id: String,
    /// UTC, seven fractional digits.
    pub created_date_time: String,
    /// UTC, seven fractional digits.
    pub last_modified_date_time: String,
    /// Changes on every change; `@odata.etag` is `W/"{changeKey}"`.
    pub change_key: String,
    /// Categories.
    pub categories: Vec<String>,
    /// The client's idempotency key, when it set one.
    pub transaction_id: Option<String>,
    /// The zone `start` was given in.
    pub original_start_time_zone: String,
    /// The zone `end` was given in.
    pub original_end_time_zone: String,
    /// The same in every calendar holding the event.
    #[serde(rename = "iCalUId")]
    pub ical_uid: String,
    /// Minutes.
    pub reminder_minutes_before_start: i32,
    /// Whether a reminder is set.
    pub is_reminder_on: bool,
    /// Always false: attachments are not served.
    pub has_attachments: bool,
    /// The subject.
    pub subject: String,
    /// The body as text, at most 255 characters.
    pub body_preview: String,
    /// `low`, `normal`, `high`.
    pub importance: String,
    /// `normal`, `personal`, `private`, `confidential`.
    pub sensitivity: String,
    /// All day.
    pub is_all_day: bool,
    /// Cancelled by the organizer.
    pub is_cancelled: bool,
    /// Whether the mailbox's owner organizes it.
    pub is_organizer: bool,
    /// Whether a response is asked for.
    pub response_requested: bool,
    /// Null for a single instance.
    pub series_master_id: Option<String>,
    /// `free`, `tentative`, `busy`, `oof`, `workingElsewhere`, `unknown`.
    pub show_as: String,
    /// `singleInstance` (series are not served).
    #[serde(rename = "type")]
    pub kind: String,
    /// The event in Outlook on the web.
    pub web_link: String,
    /// Null for Teams meetings.
    pub online_meeting_url: Option<String>,
    /// Whether a meeting is attached.
    pub is_online_meeting: bool,
    /// `unknown` or `teamsForBusiness` (or the Skype providers).
    pub online_meeting_provider: String,
    /// Whether attendees may propose another time.
    pub allow_new_time_proposals: bool,
    /// Whether the event is a draft (never: created events are sent).
    pub is_draft: bool,
    /// Whether attendees see each other.
    pub hide_attendees: bool,
    /// Null: series are not served.
    pub recurrence: Option<Value>,
    /// The mailbox owner's response.
    pub response_status: ResponseStatus,
    /// The body (HTML).
    pub body: ItemBody,
    /// Start, in UTC as stored.
    pub start: DateTimeTimeZone,
    /// End, in UTC as stored.
    pub end: DateTimeTimeZone,
    /// The first location.
    pub location: Location,
    /// Every location.
    pub locations: Vec<Location>,
    /// Attendees.
    pub attendees: Vec<Attendee>,
    /// The organizer.
    pub organizer: Recipient,
    /// The Teams meeting, when one is attached.
    pub online_meeting: Option<OnlineMeetingInfo>,
}

/// Properties `$select` and `$orderby` may name.
pub const EVENT_PROPERTIES: &[&str] = &[
    "id",
    "createdDateTime",
    "lastModifiedDateTime",
    "changeKey",
    "categories",
    "transactionId",
    "originalStartTimeZone",
    "originalEndTimeZone",
    "iCalUId",
    "reminderMinutesBeforeStart",
    "isReminderOn",
    "hasAttachments",
    "subject",
    "bodyPreview",
    "importance",
    "sensitivity",
    "isAllDay",
    "isCancelled",
    "isOrganizer",
    "responseRequested",
    "seriesMasterId",
    "showAs",
    "type",
    "webLink",
    "onlineMeetingUrl",
    "isOnlineMeeting",
    "onlineMeetingProvider",
    "allowNewTimeProposals",
    "isDraft",
    "hideAttendees",
    "recurrence",
    "responseStatus",
    "body",
    "start",
    "end",
    "location",
    "locations",
    "attendees",
    "organizer",
    "onlineMeeting",
];

/// How a response renders events.
#[derive(Debug, Clone)]
pub struct EventRender {
    /// The zone of `start`/`end` (UTC unless `Prefer: outlook.timezone`).
    pub zone: Zone,
    /// `$select`, in the case Graph spells the properties.
    pub select: Option<Vec<String>>,
}

impl Event {
    /// The `@odata.etag`.
    pub fn etag(&self) -> String {
        format!("W/\"{}\"", self.change_key)
    }

    /// The start instant.
    pub fn start_utc(&self) -> Option<DateTime<Utc>> {
        parse_local(&self.start.date_time).map(|t| t.and_utc())
    }

    /// The end instant.
    pub fn end_utc(&self) -> Option<DateTime<Utc>> {
        parse_local(&self.end.date_time).map(|t| t.and_utc())
    }

    /// The entity's JSON: `@odata.etag` first, then the properties (or the selected ones and
    /// `id`), times in the render's zone.
    pub fn to_json(&self, render: &EventRender) -> Value {
        let mut out = Map::new();
        out.insert("@odata.etag".to_owned(), Value::String(self.etag()));
        let Ok(Value::Object(props)) = serde_json::to_value(self) else {
            return Value::Object(out);
        };
        for (name, mut value) in props {
            if let Some(select) = &render.select {
                if name != "id" && !select.iter().any(|s| s == &name) {
                    continue;
                }
            }
            if name == "start" || name == "end" {
                let utc = if name == "start" {
                    self.start_utc()
                } else {
                    self.end_utc()
                };
                if let Some(t) = utc {
                    value = serde_json::json!({
                        "dateTime": format_local(render.zone.local(t)),
                        "timeZone": render.zone.name,
                    });
                }
            }
            out.insert(name, value);
        }
        Value::Object(out)
    }
}
