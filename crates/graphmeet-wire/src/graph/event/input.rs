//! The request bodies: create and update ([`EventInput`]), the respond actions
//! ([`RespondInput`]) and cancel's comment.

use super::*;
use crate::graph::error::GraphError;
use crate::graph::timezone::{parse_local, Zone};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// A `dateTimeTimeZone` in a request, resolved to an instant.
#[derive(Debug, Clone, PartialEq)]
pub struct WhenInput {
    /// The instant.
    pub at: DateTime<Utc>,
    /// The zone's name as given (or its registered Windows spelling).
    pub zone: String,
}

/// An attendee in a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendeeInput {
    /// `required`, `optional` or `resource`, lower case.
    pub kind: String,
    /// The address.
    pub address: String,
    /// The name, if given.
    pub name: Option<String>,
}

/// The body of `POST …/events` or `PATCH …/events/{id}`: what was given, nothing more.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventInput {
    /// `subject`.
    pub subject: Option<String>,
    /// `body`: content type (`html` or `text`) and content.
    pub body: Option<(String, String)>,
    /// `start`.
    pub start: Option<WhenInput>,
    /// `end`.
    pub end: Option<WhenInput>,
    /// `location.displayName`.
    pub location: Option<String>,
    /// `locations[].displayName`.
    pub locations: Option<Vec<String>>,
    /// `attendees`.
    pub attendees: Option<Vec<AttendeeInput>>,
    /// `categories`.
    pub categories: Option<Vec<String>>,
    /// `importance`.
    pub importance: Option<String>,
    /// `sensitivity`.
    pub sensitivity: Option<String>,
    /// `showAs`.
    pub show_as: Option<String>,
    /// `isAllDay`.
    pub is_all_day: Option<bool>,
    /// `isReminderOn`.
    pub is_reminder_on: Option<bool>,
    /// `reminderMinutesBeforeStart`.
    pub reminder_minutes_before_start: Option<i32>,
    /// `responseRequested`.
    pub response_requested: Option<bool>,
    /// `allowNewTimeProposals`.
    pub allow_new_time_proposals: Option<bool>,
    /// `hideAttendees`.
    pub hide_attendees: Option<bool>,
    /// `isOnlineMeeting`.
    pub is_online_meeting: Option<bool>,
    /// `onlineMeetingProvider`.
    pub online_meeting_provider: Option<String>,
    /// `transactionId`.
    pub transaction_id: Option<String>,
}

fn lower_enum(value: &Value, allowed: &[&str], type_name: &str) -> Result<String, GraphError> {
    let text = value.as_str().ok_or_else(unable_to_deserialize)?;
    allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(text))
        .map(|a| (*a).to_owned())
        .ok_or_else(|| enum_error(text, type_name))
}

fn when(value: &Value) -> Result<WhenInput, GraphError> {
    let obj = value.as_object().ok_or_else(unable_to_deserialize)?;
    let date_time = obj
        .get("dateTime")
        .and_then(Value::as_str)
        .ok_or_else(unable_to_deserialize)?;
    let zone_name = obj.get("timeZone").and_then(Value::as_str).unwrap_or("UTC");
    let zone = Zone::parse(zone_name).ok_or_else(|| time_zone_not_supported(zone_name))?;
    // A trailing `Z` or offset is read as written (clients send both).
    let at = match parse_local(date_time) {
        Some(local) => zone.to_utc(local),
        None => DateTime::parse_from_rfc3339(date_time)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| {
                GraphError::new(
                    400,
                    "RequestBodyRead",
                    format!("Cannot convert the literal '{date_time}' to the expected type 'Edm.String'."),
                )
            })?,
    };
    Ok(WhenInput {
        at,
        zone: zone.name,
    })
}

fn strings(value: &Value) -> Result<Vec<String>, GraphError> {
    value
        .as_array()
        .ok_or_else(unable_to_deserialize)?
        .iter()
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(unable_to_deserialize)
        })
        .collect()
}

fn boolean(value: &Value) -> Result<bool, GraphError> {
    value.as_bool().ok_or_else(unable_to_deserialize)
}

/// Reads the body of a create or an update.
pub fn parse_event_input(bytes: &[u8]) -> Result<EventInput, GraphError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|_| unable_to_deserialize())?;
    let obj = value.as_object().ok_or_else(unable_to_deserialize)?;
    let mut input = EventInput::default();
    for (key, value) in obj {
        if key.starts_with('@') {
            continue;
        }
        // Null leaves a property as it is (nullable ones are read-only here).
        if value.is_null() {
            continue;
        }
        match key.as_str() {
            "subject" => {
                input.subject = Some(value.as_str().ok_or_else(unable_to_deserialize)?.to_owned())
            }
            "body" => {
                let content_type = value
                    .get("contentType")
                    .map(|v| lower_enum(v, &["text", "html"], "bodyType"))
                    .transpose()?
                    .unwrap_or_else(|| "text".to_owned());
                let content = value
                    .get("content")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                input.body = Some((content_type, content));
            }
            "start" => input.start = Some(when(value)?),
            "end" => input.end = Some(when(value)?),
            "location" => {
                input.location = Some(
                    value
                        .get("displayName")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                )
            }
            "locations" => {
                input.locations = Some(
                    value
                        .as_array()
                        .ok_or_else(unable_to_deserialize)?
                        .iter()
                        .map(|l| {
                            l.get("displayName")
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                                .to_owned()
                        })
                        .collect(),
                )
            }
            "attendees" => {
                let list = value.as_array().ok_or_else(unable_to_deserialize)?;
                let mut out = Vec::with_capacity(list.len());
                for a in list {
                    let email = a.get("emailAddress").ok_or_else(unable_to_deserialize)?;
                    let address = email
                        .get("address")
                        .and_then(Value::as_str)
                        .ok_or_else(unable_to_deserialize)?
                        .trim()
                        .to_owned();
                    let kind = a
                        .get("type")
                        .filter(|t| !t.is_null())
                        .map(|t| {
                            lower_enum(t, &["required", "optional", "resource"], "attendeeType")
                        })
                        .transpose()?
                        .unwrap_or_else(|| "required".to_owned());
                    out.push(AttendeeInput {
                        kind,
                        address,
                        name: email.get("name").and_then(Value::as_str).map(str::to_owned),
                    });
                }
                input.attendees = Some(out);
            }
            "categories" => input.categories = Some(strings(value)?),
            "importance" => {
                input.importance =
                    Some(lower_enum(value, &["low", "normal", "high"], "importance")?)
            }
            "sensitivity" => {
                input.sensitivity = Some(lower_enum(
                    value,
                    &["normal", "personal", "private", "confidential"],
                    "sensitivity",
                )?)
            }
            "showAs" => {
                input.show_as = Some(lower_enum(
                    value,
                    &[
                        "free",
                        "tentative",
                        "busy",
                        "oof",
                        "workingElsewhere",
                        "unknown",
                    ],
                    "freeBusyStatus",
                )?)
            }
            "isAllDay" => input.is_all_day = Some(boolean(value)?),
            "isReminderOn" => input.is_reminder_on = Some(boolean(value)?),
            "reminderMinutesBeforeStart" => {
                input.reminder_minutes_before_start = Some(
                    value
                        .as_i64()
                        .and_then(|n| i32::try_from(n).ok())
                        .ok_or_else(unable_to_deserialize)?,
                )
            }
            "responseRequested" => input.response_requested = Some(boolean(value)?),
            "allowNewTimeProposals" => input.allow_new_time_proposals = Some(boolean(value)?),
            "hideAttendees" => input.hide_attendees = Some(boolean(value)?),
            "isOnlineMeeting" => input.is_online_meeting = Some(boolean(value)?),
            "onlineMeetingProvider" => {
                input.online_meeting_provider = Some(lower_enum(
                    value,
                    &[
                        "unknown",
                        "skypeForBusiness",
                        "skypeForConsumer",
                        "teamsForBusiness",
                    ],
                    "onlineMeetingProviderType",
                )?)
            }
            "transactionId" => {
                input.transaction_id =
                    Some(value.as_str().ok_or_else(unable_to_deserialize)?.to_owned())
            }
            "recurrence" => return Err(recurrence_not_served()),
            // An open type: other properties are kept by Exchange as extended data; graphmeet
            // does not keep them.
            _ => {}
        }
    }
    if input
        .attendees
        .as_ref()
        .is_some_and(|a| a.len() > MAX_ATTENDEES)
    {
        return Err(GraphError::new(
            400,
            "ErrorInvalidRequest",
            format!("Your request can't be completed. An event can have at most {MAX_ATTENDEES} attendees."),
        ));
    }
    Ok(input)
}

/// The body of `accept`, `decline` or `tentativelyAccept`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RespondInput {
    /// The comment.
    pub comment: Option<String>,
    /// Whether the organizer is told (default `true`).
    pub send_response: bool,
    /// Whether a `proposedNewTime` was sent.
    pub proposes_new_time: bool,
}

/// Reads a respond action's body (an empty body is allowed).
pub fn parse_respond_input(bytes: &[u8]) -> Result<RespondInput, GraphError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(RespondInput {
            send_response: true,
            ..RespondInput::default()
        });
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|_| unable_to_deserialize())?;
    let obj = value.as_object().ok_or_else(unable_to_deserialize)?;
    let mut out = RespondInput {
        send_response: true,
        ..RespondInput::default()
    };
    for (key, value) in obj {
        match key.to_ascii_lowercase().as_str() {
            "comment" => out.comment = value.as_str().map(str::to_owned),
            "sendresponse" => out.send_response = value.as_bool().unwrap_or(true),
            "proposednewtime" => out.proposes_new_time = !value.is_null(),
            _ => {}
        }
    }
    Ok(out)
}

/// Reads a cancel's body: `{"comment": "…"}` (the doc's example writes `Comment`).
pub fn parse_cancel_comment(bytes: &[u8]) -> Result<Option<String>, GraphError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|_| unable_to_deserialize())?;
    let obj = value.as_object().ok_or_else(unable_to_deserialize)?;
    Ok(obj
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("comment"))
        .and_then(|(_, v)| v.as_str().map(str::to_owned)))
}
