//! Typed calendar-event calls on [`MeetingsClient`]: calendar-backed Teams meetings (an event
//! with `isOnlineMeeting` and `teamsForBusiness`, which Exchange gives a Teams meeting, an
//! invitation and a place in every attendee's calendar), listed, viewed by time, moved,
//! answered, cancelled, deleted. The same token cache, retries and diagnosed errors as the
//! meetings calls. Calendar paths take the user's object id or UPN.

use reqwest::Method;
use serde_json::{json, Map, Value};
use url::Url;

use crate::meetings::{decode, MeetingsClient};
use crate::retry::Retryable;
use crate::ClientError;
pub use graphmeet_wire::graph::event::Event;

/// A local time and its zone (`dateTimeTimeZone`): `2026-12-03T09:00:00` in `Pacific Standard
/// Time`, `Europe/Berlin` or `UTC`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct When {
    /// The wall-clock time, `yyyy-MM-ddTHH:mm:ss`.
    pub date_time: String,
    /// A Windows zone id or an IANA name.
    pub time_zone: String,
}

impl When {
    /// A time in a zone.
    pub fn new(date_time: impl Into<String>, time_zone: impl Into<String>) -> When {
        When {
            date_time: date_time.into(),
            time_zone: time_zone.into(),
        }
    }

    fn json(&self) -> Value {
        json!({"dateTime": self.date_time, "timeZone": self.time_zone})
    }
}

/// An attendee to invite: in the organizer's tenant they get their own copy of the event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitee {
    /// The SMTP address.
    pub address: String,
    /// `required`, `optional` or `resource`.
    pub kind: String,
}

impl Invitee {
    /// A required attendee.
    pub fn required(address: impl Into<String>) -> Invitee {
        Invitee {
            address: address.into(),
            kind: "required".to_owned(),
        }
    }
}

/// The properties of an event to create, or (with only what changes set) to update.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFields {
    /// `subject`.
    pub subject: Option<String>,
    /// `body` as HTML.
    pub body_html: Option<String>,
    /// `start`.
    pub start: Option<When>,
    /// `end`.
    pub end: Option<When>,
    /// `location.displayName`.
    pub location: Option<String>,
    /// `attendees` (replaced whole on update).
    pub attendees: Option<Vec<Invitee>>,
    /// `isOnlineMeeting: true` with `onlineMeetingProvider: teamsForBusiness`.
    pub teams_meeting: bool,
}

impl EventFields {
    /// The request body: only what is set.
    pub fn to_json(&self) -> Value {
        let mut body = Map::new();
        if let Some(s) = &self.subject {
            body.insert("subject".into(), json!(s));
        }
        if let Some(html) = &self.body_html {
            body.insert(
                "body".into(),
                json!({"contentType": "HTML", "content": html}),
            );
        }
        if let Some(w) = &self.start {
            body.insert("start".into(), w.json());
        }
        if let Some(w) = &self.end {
            body.insert("end".into(), w.json());
        }
        if let Some(l) = &self.location {
            body.insert("location".into(), json!({"displayName": l}));
        }
        if let Some(list) = &self.attendees {
            body.insert(
                "attendees".into(),
                Value::Array(
                    list.iter()
                        .map(|a| json!({"emailAddress": {"address": a.address}, "type": a.kind}))
                        .collect(),
                ),
            );
        }
        if self.teams_meeting {
            body.insert("isOnlineMeeting".into(), json!(true));
            body.insert("onlineMeetingProvider".into(), json!("teamsForBusiness"));
        }
        Value::Object(body)
    }
}

/// An attendee's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventResponse {
    /// `accept`.
    Accept,
    /// `tentativelyAccept`.
    TentativelyAccept,
    /// `decline`.
    Decline,
}

impl EventResponse {
    fn action(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::TentativelyAccept => "tentativelyAccept",
            Self::Decline => "decline",
        }
    }
}

#[derive(serde::Deserialize)]
struct Page {
    #[serde(default)]
    value: Vec<Event>,
    #[serde(rename = "@odata.nextLink")]
    next_link: Option<String>,
}

impl MeetingsClient {
    /// Creates an event in `user`'s calendar (`POST /users/{id | upn}/events`, 201); with
    /// [`EventFields::teams_meeting`] the event carries a Teams meeting
    /// (`event.online_meeting.join_url`). Retried only when the request was not sent.
    pub async fn create_event(
        &self,
        tenant: &str,
        user: &str,
        fields: &EventFields,
    ) -> Result<Event, ClientError> {
        let url = self.graph_url(&["users", user, "events"])?;
        let answer = self
            .user_call(
                Method::POST,
                url,
                Some(fields.to_json()),
                tenant,
                user,
                Retryable::OnlyIfNotSent,
            )
            .await?;
        decode(&answer)
    }

    /// One event (`GET /users/{id | upn}/events/{id}`).
    pub async fn get_event(
        &self,
        tenant: &str,
        user: &str,
        id: &str,
    ) -> Result<Event, ClientError> {
        let url = self.graph_url(&["users", user, "events", id])?;
        let answer = self
            .user_call(Method::GET, url, None, tenant, user, Retryable::Idempotent)
            .await?;
        decode(&answer)
    }

    async fn pages(&self, tenant: &str, user: &str, first: Url) -> Result<Vec<Event>, ClientError> {
        let mut out = Vec::new();
        let mut next = Some(first);
        while let Some(url) = next {
            let answer = self
                .user_call(Method::GET, url, None, tenant, user, Retryable::Idempotent)
                .await?;
            let page: Page = decode(&answer)?;
            out.extend(page.value);
            next =
                match page.next_link {
                    Some(link) => Some(Url::parse(&link).map_err(|e| {
                        ClientError::Decode(format!("@odata.nextLink {link:?}: {e}"))
                    })?),
                    None => None,
                };
        }
        Ok(out)
    }

    /// Every event of `user`'s calendar (`GET …/events`, following `@odata.nextLink`).
    pub async fn list_events(&self, tenant: &str, user: &str) -> Result<Vec<Event>, ClientError> {
        let url = self.graph_url(&["users", user, "events"])?;
        self.pages(tenant, user, url).await
    }

    /// The events overlapping `[start, end)` (ISO 8601 with an offset, or UTC), every page
    /// (`GET …/calendarView?startDateTime=…&endDateTime=…`).
    pub async fn calendar_view(
        &self,
        tenant: &str,
        user: &str,
        start: &str,
        end: &str,
    ) -> Result<Vec<Event>, ClientError> {
        let mut url = self.graph_url(&["users", user, "calendarView"])?;
        url.query_pairs_mut()
            .append_pair("startDateTime", start)
            .append_pair("endDateTime", end);
        self.pages(tenant, user, url).await
    }

    /// Changes an event (`PATCH …/events/{id}`, 200 with the event): only what is set in
    /// `changes` is sent. Moving the organizer's event moves its Teams meeting.
    pub async fn update_event(
        &self,
        tenant: &str,
        user: &str,
        id: &str,
        changes: &EventFields,
    ) -> Result<Event, ClientError> {
        let url = self.graph_url(&["users", user, "events", id])?;
        let answer = self
            .user_call(
                Method::PATCH,
                url,
                Some(changes.to_json()),
                tenant,
                user,
                Retryable::Idempotent,
            )
            .await?;
        decode(&answer)
    }

    /// Cancels the organizer's event (`POST …/events/{id}/cancel`, 202): attendees are told,
    /// the Teams meeting ends.
    pub async fn cancel_event(
        &self,
        tenant: &str,
        user: &str,
        id: &str,
        comment: Option<&str>,
    ) -> Result<(), ClientError> {
        let url = self.graph_url(&["users", user, "events", id, "cancel"])?;
        let body = json!({"comment": comment.unwrap_or_default()});
        self.user_call(
            Method::POST,
            url,
            Some(body),
            tenant,
            user,
            Retryable::Idempotent,
        )
        .await
        .map(|_| ())
    }

    /// Deletes an event (`DELETE …/events/{id}`, 204).
    pub async fn delete_event(
        &self,
        tenant: &str,
        user: &str,
        id: &str,
    ) -> Result<(), ClientError> {
        let url = self.graph_url(&["users", user, "events", id])?;
        self.user_call(
            Method::DELETE,
            url,
            None,
            tenant,
            user,
            Retryable::Idempotent,
        )
        .await
        .map(|_| ())
    }

    /// Answers an invitation in the attendee `user`'s calendar (`POST …/events/{id}/accept`,
    /// `…/tentativelyAccept`, `…/decline`, 202); `id` is the attendee's copy's id.
    pub async fn respond_to_event(
        &self,
        tenant: &str,
        user: &str,
        id: &str,
        response: EventResponse,
        comment: Option<&str>,
    ) -> Result<(), ClientError> {
        let url = self.graph_url(&["users", user, "events", id, response.action()])?;
        let body = json!({"comment": comment.unwrap_or_default(), "sendResponse": true});
        self.user_call(
            Method::POST,
            url,
            Some(body),
            tenant,
            user,
            Retryable::Idempotent,
        )
        .await
        .map(|_| ())
    }
}
