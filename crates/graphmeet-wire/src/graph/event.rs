//! The `microsoft.graph.event` resource as Outlook's calendar serves it through Graph: the
//! property order and nulls of a real response, the request bodies of create, update and the
//! respond actions, the collection query (`$select`, `$filter`, `$orderby`, `$top`, `$skip`,
//! the calendarView window), the `Prefer` headers, the id formats and the error texts.
//!
//! Facts: <https://learn.microsoft.com/graph/api/resources/event>,
//! <https://learn.microsoft.com/graph/api/user-post-events>,
//! <https://learn.microsoft.com/graph/api/user-list-calendarview>; collected with their
//! markers in `spec/events-artifacts-notifications.md` section A and, with what graphmeet
//! chose where the facts are silent, in `docs/fidelity.md` ("Calendar events").

use super::error::GraphError;
use super::timezone::{format_local, parse_local, Zone};
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

/// The OData type of the resource.
pub const EVENT_TYPE: &str = "microsoft.graph.event";
/// The `time` of a response status nobody has given yet.
pub const NO_RESPONSE_TIME: &str = "0001-01-01T00:00:00Z";
/// Events per page when `$top` is not given (observed; the docs do not state it).
pub const DEFAULT_PAGE_SIZE: usize = 10;
/// The largest `$top` honoured; larger values are served as this many per page.
pub const MAX_PAGE_SIZE: usize = 1000;
/// The longest calendarView window, in days.
pub const MAX_WINDOW_DAYS: i64 = 1825;
/// The most attendees an event may have.
pub const MAX_ATTENDEES: usize = 500;

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

/// Why a request body or query was refused: the Graph error to send.
pub type EventInputError = GraphError;

fn enum_error(value: &str, type_name: &str) -> GraphError {
    GraphError::new(
        400,
        "RequestBodyRead",
        format!("Cannot convert the literal '{value}' to the expected type 'microsoft.graph.{type_name}'."),
    )
}

/// 400 for a body that is not an event.
pub fn unable_to_deserialize() -> GraphError {
    GraphError::new(
        400,
        "UnableToDeserializePostBody",
        "were unable to deserialize ",
    )
}

/// 400 for a zone Exchange does not know.
pub fn time_zone_not_supported(name: &str) -> GraphError {
    GraphError::new(
        400,
        "TimeZoneNotSupportedException",
        format!("A valid TimeZone value must be specified. The following TimeZone value is not supported: '{name}'."),
    )
}

/// 404 for an id the mailbox does not hold (or that is not an event id at all).
pub fn item_not_found() -> GraphError {
    GraphError::new(
        404,
        "ErrorItemNotFound",
        "The specified object was not found in the store.",
    )
}

/// 400 for a calendarView without its window.
pub fn calendar_view_window_missing() -> GraphError {
    GraphError::new(
        400,
        "ErrorInvalidParameter",
        "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
    )
}

/// 400 for a calendarView window longer than [`MAX_WINDOW_DAYS`].
pub fn calendar_view_window_too_long() -> GraphError {
    GraphError::new(
        400,
        "ErrorInvalidRequest",
        format!("Your request can't be completed. The range between the start and end dates is greater than the allowed range. Maximum number of days: {MAX_WINDOW_DAYS}"),
    )
}

/// 400 for a cancel by someone else than the organizer.
pub fn cancel_needs_organizer() -> GraphError {
    GraphError::new(
        400,
        "ErrorInvalidRequest",
        "Your request can't be completed. You need to be an organizer to cancel a meeting.",
    )
}

/// 400 for a response to one's own meeting.
pub fn organizer_cannot_respond() -> GraphError {
    GraphError::new(
        400,
        "ErrorInvalidRequest",
        "Your request can't be completed. You can't respond to a meeting you organized.",
    )
}

/// 400 for a `proposedNewTime` the rules refuse.
pub fn proposed_new_time_refused() -> GraphError {
    GraphError::new(
        400,
        "ErrorInvalidRequest",
        "Your request can't be completed. A new time can't be proposed for this meeting: the organizer does not allow new time proposals, or no response is sent.",
    )
}

/// 403 for an app-only call on a mailbox the calendar permission does not reach.
pub fn calendar_access_denied() -> GraphError {
    GraphError::new(
        403,
        "ErrorAccessDenied",
        "Access is denied. Check credentials and try again.",
    )
}

/// 403 for an app-only call Exchange Online's application access policy blocks.
pub fn exchange_policy_denied() -> GraphError {
    GraphError::new(
        403,
        "ErrorAccessDenied",
        "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.",
    )
}

/// 404 for a user Exchange knows no mailbox of.
pub fn invalid_user(shown: &str) -> GraphError {
    GraphError::new(
        404,
        "ErrorInvalidUser",
        format!("The requested user '{shown}' is invalid."),
    )
}

/// 404 for a guest's (or otherwise REST-less) mailbox.
pub fn mailbox_not_enabled() -> GraphError {
    GraphError::new(
        404,
        "MailboxNotEnabledForRESTAPI",
        "REST API is not yet supported for this mailbox.",
    )
}

/// 400 for recurrence, which graphmeet does not serve.
pub fn recurrence_not_served() -> GraphError {
    GraphError::new(
        400,
        "ErrorInvalidRequest",
        "graphmeet serves single-instance events only: recurrence must be null.",
    )
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

// ---------------------------------------------------------------- the collection query

/// A comparison operator of `$filter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `eq`.
    Eq,
    /// `ne`.
    Ne,
    /// `gt`.
    Gt,
    /// `ge`.
    Ge,
    /// `lt`.
    Lt,
    /// `le`.
    Le,
}

/// A literal of `$filter`.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `'text'`.
    Text(String),
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Number(f64),
    /// An unquoted `2026-01-01T00:00:00Z`.
    DateTime(DateTime<Utc>),
    /// `null`.
    Null,
}

/// `$filter` on events: comparisons of the common properties, `contains`/`startswith` on
/// text, `categories/any(c:c eq '…')`, joined by `and` / `or`, with `not` and parentheses.
#[derive(Debug, Clone, PartialEq)]
pub enum EventFilter {
    /// `path op literal`.
    Compare(String, CompareOp, Literal),
    /// `contains(path,'text')`.
    Contains(String, String),
    /// `startswith(path,'text')`.
    StartsWith(String, String),
    /// `categories/any(c:c eq 'x')`.
    AnyCategory(String),
    /// `a and b`.
    And(Box<EventFilter>, Box<EventFilter>),
    /// `a or b`.
    Or(Box<EventFilter>, Box<EventFilter>),
    /// `not a`.
    Not(Box<EventFilter>),
}

/// Property paths `$filter` and `$orderby` may compare.
const FILTER_PATHS: &[&str] = &[
    "subject",
    "importance",
    "sensitivity",
    "showAs",
    "type",
    "iCalUId",
    "id",
    "transactionId",
    "isOnlineMeeting",
    "onlineMeetingProvider",
    "isCancelled",
    "isOrganizer",
    "isAllDay",
    "isReminderOn",
    "hasAttachments",
    "responseRequested",
    "reminderMinutesBeforeStart",
    "createdDateTime",
    "lastModifiedDateTime",
    "start/dateTime",
    "end/dateTime",
    "organizer/emailAddress/address",
    "organizer/emailAddress/name",
    "responseStatus/response",
    "location/displayName",
    "bodyPreview",
];

fn canonical_path(path: &str) -> Result<String, GraphError> {
    FILTER_PATHS
        .iter()
        .find(|p| p.eq_ignore_ascii_case(path))
        .map(|p| (*p).to_owned())
        .ok_or_else(|| {
            let first = path.split('/').next().unwrap_or(path);
            GraphError::unknown_query_property(first, EVENT_TYPE)
        })
}

fn path_value<'v>(event: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('/').try_fold(event, |v, seg| v.get(seg))
}

fn as_instant(v: &Value) -> Option<DateTime<Utc>> {
    let s = v.as_str()?;
    parse_local(s.trim_end_matches('Z'))
        .map(|t| t.and_utc())
        .or_else(|| {
            DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|t| t.with_timezone(&Utc))
        })
}

fn compare(value: Option<&Value>, op: CompareOp, literal: &Literal) -> bool {
    use std::cmp::Ordering;
    let ordering: Option<Ordering> = match (value, literal) {
        (None | Some(Value::Null), Literal::Null) => Some(Ordering::Equal),
        (None | Some(Value::Null), _) | (_, Literal::Null) => None,
        (Some(v), Literal::Bool(b)) => v.as_bool().map(|x| x.cmp(b)),
        (Some(v), Literal::Number(n)) => v.as_f64().and_then(|x| x.partial_cmp(n)),
        (Some(v), Literal::DateTime(t)) => as_instant(v).map(|x| x.cmp(t)),
        (Some(v), Literal::Text(text)) => {
            match (as_instant(v), as_instant(&Value::String(text.clone()))) {
                (Some(a), Some(b)) => Some(a.cmp(&b)),
                _ => v
                    .as_str()
                    .map(|x| x.to_lowercase().cmp(&text.to_lowercase())),
            }
        }
    };
    match (op, ordering) {
        (CompareOp::Ne, None) => true,
        (_, None) => false,
        (CompareOp::Eq, Some(o)) => o == Ordering::Equal,
        (CompareOp::Ne, Some(o)) => o != Ordering::Equal,
        (CompareOp::Gt, Some(o)) => o == Ordering::Greater,
        (CompareOp::Ge, Some(o)) => o != Ordering::Less,
        (CompareOp::Lt, Some(o)) => o == Ordering::Less,
        (CompareOp::Le, Some(o)) => o != Ordering::Greater,
    }
}

impl EventFilter {
    /// Whether an event, rendered in UTC with every property, matches.
    pub fn matches(&self, event: &Value) -> bool {
        match self {
            Self::Compare(path, op, literal) => compare(path_value(event, path), *op, literal),
            Self::Contains(path, text) => path_value(event, path)
                .and_then(Value::as_str)
                .is_some_and(|v| v.to_lowercase().contains(&text.to_lowercase())),
            Self::StartsWith(path, text) => path_value(event, path)
                .and_then(Value::as_str)
                .is_some_and(|v| v.to_lowercase().starts_with(&text.to_lowercase())),
            Self::AnyCategory(name) => event
                .get("categories")
                .and_then(Value::as_array)
                .is_some_and(|c| {
                    c.iter()
                        .filter_map(Value::as_str)
                        .any(|c| c.eq_ignore_ascii_case(name))
                }),
            Self::And(a, b) => a.matches(event) && b.matches(event),
            Self::Or(a, b) => a.matches(event) || b.matches(event),
            Self::Not(a) => !a.matches(event),
        }
    }
}

fn invalid_filter(text: &str) -> GraphError {
    GraphError::new(400, "BadRequest", format!("Invalid filter clause: {text}"))
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Text(String),
    Open,
    Close,
    Comma,
    Colon,
}

fn tokens(text: &str) -> Result<Vec<Token>, GraphError> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' => i += 1,
            '(' => {
                out.push(Token::Open);
                i += 1
            }
            ')' => {
                out.push(Token::Close);
                i += 1
            }
            ',' => {
                out.push(Token::Comma);
                i += 1
            }
            ':' => {
                out.push(Token::Colon);
                i += 1
            }
            '\'' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(invalid_filter("unterminated string literal")),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            s.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(c) => {
                            s.push(*c);
                            i += 1;
                        }
                    }
                }
                out.push(Token::Text(s));
            }
            _ => {
                let start = i;
                while i < chars.len() && !" \t(),':".contains(chars[i]) {
                    i += 1;
                }
                // A time literal keeps its colons: 2026-01-01T10:00:00Z.
                let mut word: String = chars[start..i].iter().collect();
                while word.contains('T')
                    && word.starts_with(|c: char| c.is_ascii_digit())
                    && chars.get(i) == Some(&':')
                {
                    let s2 = i;
                    i += 1;
                    while i < chars.len() && !" \t(),'".contains(chars[i]) && chars[i] != ':' {
                        i += 1;
                    }
                    word.extend(chars[s2..i].iter());
                }
                out.push(Token::Word(word));
            }
        }
    }
    Ok(out)
}

struct FilterParser {
    tokens: Vec<Token>,
    at: usize,
}

impl FilterParser {
    fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn expect(&mut self, token: Token) -> Result<(), GraphError> {
        if self.next() == Some(token.clone()) {
            Ok(())
        } else {
            Err(invalid_filter(&format!("expected {token:?}")))
        }
    }

    fn or(&mut self) -> Result<EventFilter, GraphError> {
        let mut left = self.and()?;
        while self.peek_word("or") {
            self.at += 1;
            left = EventFilter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<EventFilter, GraphError> {
        let mut left = self.unary()?;
        while self.peek_word("and") {
            self.at += 1;
            left = EventFilter::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<EventFilter, GraphError> {
        if self.peek_word("not") {
            self.at += 1;
            return Ok(EventFilter::Not(Box::new(self.unary()?)));
        }
        match self.next() {
            Some(Token::Open) => {
                let inner = self.or()?;
                self.expect(Token::Close)?;
                Ok(inner)
            }
            Some(Token::Word(word)) => {
                let lower = word.to_ascii_lowercase();
                if (lower == "contains" || lower == "startswith")
                    && self.tokens.get(self.at) == Some(&Token::Open)
                {
                    self.at += 1;
                    let Some(Token::Word(path)) = self.next() else {
                        return Err(invalid_filter("expected a property"));
                    };
                    let path = canonical_path(&path)?;
                    self.expect(Token::Comma)?;
                    let Some(Token::Text(text)) = self.next() else {
                        return Err(invalid_filter("expected a string literal"));
                    };
                    self.expect(Token::Close)?;
                    return Ok(if lower == "contains" {
                        EventFilter::Contains(path, text)
                    } else {
                        EventFilter::StartsWith(path, text)
                    });
                }
                if lower == "categories/any" {
                    self.expect(Token::Open)?;
                    let Some(Token::Word(var)) = self.next() else {
                        return Err(invalid_filter("expected a range variable"));
                    };
                    self.expect(Token::Colon)?;
                    let Some(Token::Word(var2)) = self.next() else {
                        return Err(invalid_filter("expected the range variable"));
                    };
                    if var != var2 || !self.peek_word("eq") {
                        return Err(invalid_filter("categories/any supports 'c:c eq' only"));
                    }
                    self.at += 1;
                    let Some(Token::Text(text)) = self.next() else {
                        return Err(invalid_filter("expected a string literal"));
                    };
                    self.expect(Token::Close)?;
                    return Ok(EventFilter::AnyCategory(text));
                }
                let path = canonical_path(&word)?;
                let op = match self.next() {
                    Some(Token::Word(op)) => match op.to_ascii_lowercase().as_str() {
                        "eq" => CompareOp::Eq,
                        "ne" => CompareOp::Ne,
                        "gt" => CompareOp::Gt,
                        "ge" => CompareOp::Ge,
                        "lt" => CompareOp::Lt,
                        "le" => CompareOp::Le,
                        other => {
                            return Err(invalid_filter(&format!("unknown operator '{other}'")))
                        }
                    },
                    _ => return Err(invalid_filter("expected an operator")),
                };
                let literal = match self.next() {
                    Some(Token::Text(t)) => Literal::Text(t),
                    Some(Token::Word(w)) => match w.to_ascii_lowercase().as_str() {
                        "true" => Literal::Bool(true),
                        "false" => Literal::Bool(false),
                        "null" => Literal::Null,
                        _ => {
                            if let Ok(n) = w.parse::<f64>() {
                                Literal::Number(n)
                            } else if let Ok(t) = DateTime::parse_from_rfc3339(&w) {
                                Literal::DateTime(t.with_timezone(&Utc))
                            } else {
                                return Err(invalid_filter(&format!("unknown literal '{w}'")));
                            }
                        }
                    },
                    _ => return Err(invalid_filter("expected a literal")),
                };
                Ok(EventFilter::Compare(path, op, literal))
            }
            _ => Err(invalid_filter("expected an expression")),
        }
    }
}

/// Parses `$filter`.
pub fn parse_event_filter(text: &str) -> Result<EventFilter, GraphError> {
    let mut parser = FilterParser {
        tokens: tokens(text)?,
        at: 0,
    };
    let filter = parser.or()?;
    if parser.at != parser.tokens.len() {
        return Err(invalid_filter("unexpected text after the expression"));
    }
    Ok(filter)
}

/// One key of `$orderby`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderKey {
    /// The property path.
    pub path: String,
    /// `desc`.
    pub descending: bool,
}

/// The query of a collection of events (`/events` or `/calendarView`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventQuery {
    /// `$select`.
    pub select: Option<Vec<String>>,
    /// `$filter`.
    pub filter: Option<EventFilter>,
    /// `$orderby`.
    pub order_by: Vec<OrderKey>,
    /// `$top`.
    pub top: Option<usize>,
    /// `$skip`.
    pub skip: usize,
    /// `startDateTime` (calendarView).
    pub start_date_time: Option<String>,
    /// `endDateTime` (calendarView).
    pub end_date_time: Option<String>,
    /// The parameters as given, for the next link.
    pub raw: Vec<(String, String)>,
}

fn parse_select(text: &str) -> Result<Vec<String>, GraphError> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            EVENT_PROPERTIES
                .iter()
                .find(|p| p.eq_ignore_ascii_case(s))
                .map(|p| (*p).to_owned())
                .ok_or_else(|| GraphError::unknown_query_property(s, EVENT_TYPE))
        })
        .collect()
}

/// Parses a collection's query string (undecoded).
pub fn parse_event_query(raw: Option<&str>) -> Result<EventQuery, GraphError> {
    let mut query = EventQuery::default();
    let Some(raw) = raw else {
        return Ok(query);
    };
    for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
        let (key, value) = (key.into_owned(), value.into_owned());
        let name = key.trim_start_matches('$').to_ascii_lowercase();
        match name.as_str() {
            "select" => query.select = Some(parse_select(&value)?),
            "filter" => query.filter = Some(parse_event_filter(&value)?),
            "orderby" => {
                for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    let mut words = part.split_whitespace();
                    let path = canonical_path(words.next().unwrap_or_default())?;
                    let descending = match words.next().map(str::to_ascii_lowercase).as_deref() {
                        None | Some("asc") => false,
                        Some("desc") => true,
                        Some(other) => {
                            return Err(GraphError::bad_request(format!(
                                "Invalid $orderby direction '{other}'."
                            )))
                        }
                    };
                    query.order_by.push(OrderKey { path, descending });
                }
            }
            "top" => {
                let n: usize = value.trim().parse().map_err(|_| {
                    GraphError::bad_request(format!("Invalid $top value '{value}'."))
                })?;
                query.top = Some(n);
            }
            "skip" => {
                query.skip = value.trim().parse().map_err(|_| {
                    GraphError::bad_request(format!("Invalid $skip value '{value}'."))
                })?;
            }
            "startdatetime" => query.start_date_time = Some(value.clone()),
            "enddatetime" => query.end_date_time = Some(value.clone()),
            _ => {}
        }
        if name != "skip" {
            query.raw.push((key, value));
        }
    }
    Ok(query)
}

/// The calendarView window: `startDateTime` and `endDateTime` as ISO 8601, an offset honoured,
/// none meaning UTC (`Prefer: outlook.timezone` does not apply to them).
pub fn calendar_view_window(
    query: &EventQuery,
) -> Result<(DateTime<Utc>, DateTime<Utc>), GraphError> {
    let (Some(start), Some(end)) = (&query.start_date_time, &query.end_date_time) else {
        return Err(calendar_view_window_missing());
    };
    let read = |text: &str| -> Result<DateTime<Utc>, GraphError> {
        DateTime::parse_from_rfc3339(text.trim())
            .map(|t| t.with_timezone(&Utc))
            .ok()
            .or_else(|| parse_local(text).map(|t| t.and_utc()))
            .or_else(|| {
                chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                    .ok()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map(|t| t.and_utc())
            })
            .ok_or_else(|| {
                GraphError::new(
                    400,
                    "ErrorInvalidParameter",
                    format!("The value '{text}' of parameter 'StartDateTime' or 'EndDateTime' is invalid."),
                )
            })
    };
    let (start, end) = (read(start)?, read(end)?);
    if end - start > chrono::Duration::days(MAX_WINDOW_DAYS) {
        return Err(calendar_view_window_too_long());
    }
    Ok((start, end))
}

/// The next page's link: the same query with `$skip` moved on.
pub fn next_link(base: &str, query: &EventQuery, skip: usize) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in &query.raw {
        out.append_pair(k, v);
    }
    out.append_pair("$skip", &skip.to_string());
    format!("{base}?{}", out.finish().replace("%24", "$"))
}

/// Sorts rendered events by `$orderby` (stable, so ties keep the default order).
pub fn sort_rendered(events: &mut [(Value, Event)], order: &[OrderKey]) {
    events.sort_by(|(a, _), (b, _)| {
        for key in order {
            let (x, y) = (path_value(a, &key.path), path_value(b, &key.path));
            let o = match (x.and_then(as_instant), y.and_then(as_instant)) {
                (Some(p), Some(q)) => p.cmp(&q),
                _ => match (x, y) {
                    (Some(Value::String(p)), Some(Value::String(q))) => {
                        p.to_lowercase().cmp(&q.to_lowercase())
                    }
                    (Some(Value::Bool(p)), Some(Value::Bool(q))) => p.cmp(q),
                    (None | Some(Value::Null), Some(_)) => std::cmp::Ordering::Less,
                    (Some(_), None | Some(Value::Null)) => std::cmp::Ordering::Greater,
                    (Some(p), Some(q)) => p
                        .as_f64()
                        .partial_cmp(&q.as_f64())
                        .unwrap_or(std::cmp::Ordering::Equal),
                    _ => std::cmp::Ordering::Equal,
                },
            };
            let o = if key.descending { o.reverse() } else { o };
            if o != std::cmp::Ordering::Equal {
                return o;
            }
        }
        std::cmp::Ordering::Equal
    });
}

// ---------------------------------------------------------------- Prefer headers

/// The zone of `Prefer: outlook.timezone="…"` in any of the request's `Prefer` headers.
pub fn prefer_timezone<'a>(values: impl Iterator<Item = &'a str>) -> Option<String> {
    for value in values {
        for part in value.split(',') {
            let part = part.trim();
            if let Some((name, zone)) = part.split_once('=') {
                if name.trim().eq_ignore_ascii_case("outlook.timezone") {
                    return Some(zone.trim().trim_matches('"').to_owned());
                }
            }
        }
    }
    None
}

/// The `Preference-Applied` value for a zone.
pub fn preference_applied(zone: &str) -> String {
    format!("outlook.timezone=\"{zone}\"")
}

// ---------------------------------------------------------------- ids

fn exchange_b64(bytes: &[u8]) -> String {
    // Exchange's ids are base64 with `-` for `/` and `_` for `+`, padding kept.
    base64::engine::general_purpose::STANDARD
        .encode(bytes)
        .replace('/', "-")
        .replace('+', "_")
}

/// A new event id in `mailbox`'s store: `AAMkA…` (the header) followed by the mailbox guid and a random
/// entry id, 152 characters ending `AAA=`, as work-account ids are.
pub fn new_event_id(mailbox: Uuid) -> String {
    let mut bytes = Vec::with_capacity(113);
    bytes.extend_from_slice(&[0x00, 0x03, 0x24, 0x00]);
    bytes.extend_from_slice(mailbox.hyphenated().to_string().as_bytes());
    bytes.extend_from_slice(&[0x00, 0x46, 0x00, 0x00, 0x00, 0x00]);
    bytes.extend_from_slice(mailbox.as_bytes());
    bytes.extend_from_slice(&[0x07, 0x00]);
    let mut entry = [0u8; 47];
    rand::Rng::fill(&mut rand::thread_rng(), &mut entry[..]);
    bytes.extend_from_slice(&entry);
    bytes.extend_from_slice(&[0x00, 0x00]);
    exchange_b64(&bytes)
}

/// The mailbox an event id was issued in, if it is one of ours.
pub fn event_id_mailbox(id: &str) -> Option<Uuid> {
    let standard = id.replace('-', "/").replace('_', "+");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(standard)
        .ok()?;
    if bytes.len() != 113 || bytes[..4] != [0x00, 0x03, 0x24, 0x00] {
        return None;
    }
    Uuid::parse_str(std::str::from_utf8(bytes.get(4..40)?).ok()?).ok()
}

/// A new `iCalUId`: Outlook's GlobalObjectId, 112 upper-case hex digits.
pub fn new_ical_uid(created: DateTime<Utc>) -> String {
    // FILETIME: 100 ns ticks since 1601-01-01, little-endian.
    let ticks = (created.timestamp() + 11_644_473_600) * 10_000_000
        + i64::from(created.timestamp_subsec_nanos() / 100);
    let mut random = [0u8; 16];
    rand::Rng::fill(&mut rand::thread_rng(), &mut random[..]);
    let mut out = String::from("040000008200E00074C5B7101A82E00800000000");
    for b in ticks.to_le_bytes() {
        out.push_str(&format!("{b:02X}"));
    }
    out.push_str("000000000000000010000000");
    for b in random {
        out.push_str(&format!("{b:02X}"));
    }
    out
}

/// The `changeKey` of a mailbox's `n`th change: 22 bytes (the mailbox's replica guid and a
/// 48-bit change number), base64.
pub fn change_key(mailbox: Uuid, n: u64) -> String {
    let mut bytes = Vec::with_capacity(22);
    bytes.extend_from_slice(mailbox.as_bytes());
    bytes.extend_from_slice(&n.to_be_bytes()[2..]);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The change number a `changeKey` carries.
pub fn change_number(key: &str) -> u64 {
    base64::engine::general_purpose::STANDARD
        .decode(key)
        .ok()
        .filter(|b| b.len() == 22)
        .map(|b| {
            let mut n = [0u8; 8];
            n[2..].copy_from_slice(&b[16..]);
            u64::from_be_bytes(n)
        })
        .unwrap_or(0)
}

/// The event's `webLink` in Outlook on the web.
pub fn web_link(id: &str) -> String {
    let encoded: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
    format!("https://outlook.office365.com/owa/?itemid={encoded}&exvsurl=1&path=/calendar/item")
}

/// A timestamp as `createdDateTime` writes it: UTC, seven fractional digits, `Z`.
pub fn format_timestamp(t: DateTime<Utc>) -> String {
    format!("{}Z", format_local(t.naive_utc()))
}

/// A UTC instant as the stored `start`/`end`.
pub fn utc_when(t: DateTime<Utc>) -> DateTimeTimeZone {
    DateTimeTimeZone {
        date_time: format_local(t.naive_utc()),
        time_zone: Some("UTC".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_look_like_work_account_ids_and_name_their_mailbox() {
        let mailbox = Uuid::new_v4();
        let id = new_event_id(mailbox);
        // `AAMkAD…` or `AAMkAG…`, as the mailbox guid starts with a digit or a letter.
        assert!(id.starts_with("AAMkA"), "{id}");
        assert!(id.ends_with("AAA="), "{id}");
        assert_eq!(id.len(), 152);
        assert!(!id.contains('/') && !id.contains('+'));
        assert_eq!(event_id_mailbox(&id), Some(mailbox));
        assert_eq!(event_id_mailbox("AAMkAGI1AAAt9AHjAAA="), None);
    }

    #[test]
    fn ical_uids_and_change_keys_have_the_documented_shapes() {
        let uid = new_ical_uid(Utc::now());
        assert_eq!(uid.len(), 112);
        assert!(uid.starts_with("040000008200E00074C5B7101A82E008"));
        assert!(uid
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()));
        let mailbox = Uuid::new_v4();
        let key = change_key(mailbox, 7);
        assert_eq!(key.len(), 32);
        assert!(key.ends_with("=="));
        assert_eq!(change_number(&key), 7);
        assert_ne!(change_key(mailbox, 8), key);
    }

    #[test]
    fn filters_parse_and_match() {
        let event = serde_json::json!({"subject": "Prep for customer", "isOnlineMeeting": true, "importance": "high",
            "start": {"dateTime": "2026-03-09T16:00:00.0000000", "timeZone": "UTC"}, "categories": ["Red"],
            "organizer": {"emailAddress": {"address": "a@b.c", "name": "A"}}});
        for (text, want) in [
            ("subject eq 'prep for customer'", true),
            ("isOnlineMeeting eq true and importance eq 'high'", true),
            ("contains(subject,'customer')", true),
            ("startswith(subject,'x') or importance ne 'low'", true),
            ("start/dateTime ge '2026-03-09T00:00:00'", true),
            ("start/dateTime lt 2026-03-09T10:00:00Z", false),
            ("categories/any(c:c eq 'red')", true),
            ("not (organizer/emailAddress/address eq 'a@b.c')", false),
        ] {
            let filter = parse_event_filter(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
            assert_eq!(filter.matches(&event), want, "{text}");
        }
        let err = parse_event_filter("colour eq 'red'")
            .err()
            .map(|e| e.message);
        assert_eq!(err.as_deref(), Some("The query specified in the URI is not valid. Could not find a property named 'colour' on type 'microsoft.graph.event'."));
    }

    #[test]
    fn prefer_timezone_is_read_from_any_prefer_header() {
        let headers = [
            "odata.maxpagesize=5",
            r#"outlook.body-content-type="text", outlook.timezone="Pacific Standard Time""#,
        ];
        assert_eq!(
            prefer_timezone(headers.iter().copied()).as_deref(),
            Some("Pacific Standard Time")
        );
        assert_eq!(
            prefer_timezone(["odata.maxpagesize=5"].iter().copied()),
            None
        );
    }

    #[test]
    fn input_reads_zones_and_refuses_unknown_ones() {
        let input = parse_event_input(br#"{"subject":"x","start":{"dateTime":"2019-11-20T13:00:00","timeZone":"Pacific Standard Time"},"attendees":[{"emailAddress":{"address":"a@b.c"},"type":"Required"}]}"#);
        let input = input.unwrap_or_default();
        assert_eq!(
            input.start.map(|w| w.at.to_rfc3339()).as_deref(),
            Some("2019-11-20T21:00:00+00:00")
        );
        assert_eq!(
            input.attendees.map(|a| a[0].kind.clone()).as_deref(),
            Some("required")
        );
        let err = parse_event_input(
            br#"{"start":{"dateTime":"2019-11-20T13:00:00","timeZone":"Greenwich Mean Time"}}"#,
        )
        .err();
        assert_eq!(
            err.map(|e| e.code).as_deref(),
            Some("TimeZoneNotSupportedException")
        );
    }
}
