//! Calendar events: the rules of create, get, list, calendarView, update, delete, cancel and
//! the attendee responses, in one user's mailbox, and the Teams meeting behind an event with
//! `isOnlineMeeting` (made, moved and ended through [`crate::meetings`], owned by the event's
//! organizer).
//!
//! An event lives in one mailbox; an in-tenant attendee's mailbox gets its own copy (its own
//! id, the same `iCalUId`), and the organizer's copy keeps every attendee's response.
//!
//! Facts copied: <https://learn.microsoft.com/graph/api/user-post-events>,
//! <https://learn.microsoft.com/graph/outlook-calendar-online-meetings>,
//! <https://learn.microsoft.com/graph/api/event-cancel>,
//! <https://learn.microsoft.com/graph/api/event-accept>; the shapes are
//! `graphmeet_wire::graph::event`'s.

use crate::clock::Clock;
use crate::index::DirectoryIndex;
use crate::meetings::{MeetingError, Meetings, Organizer};
use crate::model::{Tenant, User, UserRef, UserType};
use crate::store::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use graphmeet_wire::graph::event::{
    self as wire, Attendee, EmailAddress, Event, EventFilter, EventInput, EventQuery, EventRender,
    ItemBody, Location, OnlineMeetingInfo, Recipient, ResponseStatus,
};
use graphmeet_wire::graph::meeting::{MeetingParticipantInfo, MeetingParticipants};
use graphmeet_wire::graph::timezone::Zone;
use graphmeet_wire::graph::{GraphDateTime, GraphError, OnlineMeeting, OnlineMeetingInput};
use std::sync::Arc;
use uuid::Uuid;

/// The Teams provider, the only one a graphmeet mailbox allows (and its default).
pub const TEAMS_PROVIDER: &str = "teamsForBusiness";

/// One event in one mailbox, as stored: the columns it is looked up by, and the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// The per-mailbox id.
    pub id: String,
    /// The mailbox owner's tenant.
    pub tenant_id: Uuid,
    /// The mailbox owner.
    pub owner_id: Uuid,
    /// The `iCalUId` every copy shares.
    pub ical_uid: String,
    /// Start, UTC.
    pub start_at: DateTime<Utc>,
    /// End, UTC.
    pub end_at: DateTime<Utc>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// The Teams meeting's id, on the organizer's copy of an online event.
    pub meeting_id: Option<String>,
    /// The `microsoft.graph.event` JSON, times in UTC.
    pub document: String,
}

/// Where events are kept. Every method is one statement or one transaction.
#[async_trait]
pub trait EventStore: Send + Sync + 'static {
    /// Stores new events (an event and its attendee copies), all or none.
    async fn insert_events(&self, events: &[StoredEvent]) -> Result<(), StoreError>;
    /// The event `id` of `owner`'s mailbox.
    async fn get_event(&self, owner: Uuid, id: &str) -> Result<Option<StoredEvent>, StoreError>;
    /// Every event of `owner`'s mailbox, in creation order.
    async fn list_events(&self, owner: Uuid) -> Result<Vec<StoredEvent>, StoreError>;
    /// The events of `owner`'s mailbox overlapping `[start, end)`, by start.
    async fn list_events_between(
        &self,
        owner: Uuid,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<StoredEvent>, StoreError>;
    /// Every copy of an event in a tenant.
    async fn events_by_ical_uid(
        &self,
        tenant_id: Uuid,
        ical_uid: &str,
    ) -> Result<Vec<StoredEvent>, StoreError>;
    /// Replaces events' documents, times and meeting ids, all or none; `NotFound` when one
    /// is gone.
    async fn update_events(&self, events: &[StoredEvent]) -> Result<(), StoreError>;
    /// Deletes events of a tenant by id; how many were deleted.
    async fn delete_events(&self, tenant_id: Uuid, ids: &[String]) -> Result<u64, StoreError>;
}

/// Why an event operation was refused, in domain terms; the server renders each.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// The request is not acceptable; the Graph error says why (body, zone, query).
    #[error("{0}")]
    Input(GraphError),
    /// A rule of the operation; the text says which.
    #[error("{0}")]
    Rule(String),
    /// No such event in the mailbox.
    #[error("event not found")]
    NotFound,
    /// Only the organizer may cancel.
    #[error("only the organizer may cancel")]
    NotOrganizer,
    /// The organizer cannot respond to its own event.
    #[error("the organizer cannot respond")]
    OrganizerCannotRespond,
    /// A new time was proposed where none may be.
    #[error("a new time cannot be proposed")]
    ProposalRefused,
    /// The user's mailbox does not serve REST (a guest's).
    #[error("the mailbox is not enabled for REST")]
    MailboxNotEnabled,
    /// The Teams meeting could not be made or changed.
    #[error(transparent)]
    Meeting(#[from] MeetingError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<GraphError> for EventError {
    fn from(e: GraphError) -> Self {
        Self::Input(e)
    }
}

/// The right to act on one user's calendar: obtained only from an allowed authorization of a
/// calendar operation ([`crate::access::Authorized::mailbox`]).
#[derive(Debug, Clone)]
pub struct Mailbox {
    user: User,
    tenant: Tenant,
}

impl Mailbox {
    /// The mailbox of `user`, for an authorization that allowed a calendar operation.
    pub(crate) fn authorized(user: User, tenant: Tenant) -> Option<Self> {
        (user.tenant_id == tenant.id).then_some(Self { user, tenant })
    }

    /// The mailbox's owner.
    pub fn user(&self) -> &User {
        &self.user
    }

    /// The owner's SMTP address.
    pub fn address(&self) -> String {
        address_of(&self.user)
    }
}

fn address_of(user: &User) -> String {
    user.account
        .mail
        .clone()
        .unwrap_or_else(|| user.upn.clone())
}

/// A page of a collection.
#[derive(Debug, Clone)]
pub struct EventPage {
    /// The events of the page.
    pub events: Vec<Event>,
    /// The `$skip` of the next page, when there is one.
    pub next_skip: Option<usize>,
}

/// Which events a collection holds.
#[derive(Debug, Clone, Copy)]
pub enum EventScope {
    /// `…/events`: every event, in creation order.
    All,
    /// `…/calendarView`: the events overlapping the window, by start.
    Window(DateTime<Utc>, DateTime<Utc>),
}

/// How an attendee answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response {
    /// `accept`.
    Accept,
    /// `tentativelyAccept`.
    TentativelyAccept,
    /// `decline`.
    Decline,
}

impl Response {
    fn status(self) -> &'static str {
        match self {
            Self::Accept => "accepted",
            Self::TentativelyAccept => "tentativelyAccepted",
            Self::Decline => "declined",
        }
    }
}

/// Calendar events over the store; see the module docs.
#[derive(Clone)]
pub struct Events {
    store: Arc<dyn EventStore>,
    meetings: Meetings,
    index: Arc<DirectoryIndex>,
    clock: Arc<dyn Clock>,
}

fn rule(text: &str) -> EventError {
    EventError::Rule(text.to_owned())
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The body as Exchange stores a given one: an HTML document.
fn html_document(content_type: &str, content: &str) -> String {
    if content.is_empty() {
        return String::new();
    }
    let inner = if content_type == "html" {
        content.to_owned()
    } else {
        html_escape(content)
            .replace("\r\n", "\n")
            .replace('\n', "<br>\r\n")
    };
    format!("<html>\r\n<head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\r\n</head>\r\n<body>\r\n{inner}\r\n</body>\r\n</html>\r\n")
}

/// The text of an HTML body, for `bodyPreview`: tags dropped, whitespace folded as a browser
/// folds it, a line break for each `<br>` and block element.
fn text_of(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let mut out = String::new();
    let mut in_tag = false;
    let mut in_head = false;
    for (i, c) in html.char_indices() {
        let rest = &lower[i..];
        if c == '<' {
            in_head |= rest.starts_with("<head");
            if rest.starts_with("</head") {
                in_head = false;
            }
            if ["<br", "<div", "</div", "<p", "</p"]
                .iter()
                .any(|t| rest.starts_with(t))
            {
                out.push('\n');
            }
            in_tag = true;
            continue;
        }
        if c == '>' {
            in_tag = false;
            continue;
        }
        if in_tag || in_head {
            continue;
        }
        out.push(if c.is_whitespace() { ' ' } else { c });
    }
    let text = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    text.split('\n')
        .map(|line| {
            line.split(' ')
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\r\n")
}

fn preview(html: &str) -> String {
    text_of(html).chars().take(255).collect()
}

const RULE: &str =
    "________________________________________________________________________________";

/// The Teams join block Exchange appends to an online event's body.
fn join_block(meeting: &OnlineMeeting, org: &User, tenant: &Tenant) -> String {
    let join_url = meeting.join_web_url.clone().unwrap_or_default();
    let thread = meeting
        .chat_info
        .as_ref()
        .and_then(|c| c.thread_id.clone())
        .unwrap_or_default();
    let mut dial = String::new();
    if let Some(audio) = &meeting.audio_conferencing {
        if let (Some(toll), Some(conference)) = (&audio.toll_number, &audio.conference_id) {
            let spaced: String = conference
                .chars()
                .collect::<Vec<_>>()
                .chunks(3)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join(" ");
            dial = format!(
                "<div style=\"margin-bottom:4px\"><a href=\"tel:{toll},,{conference}#\">{toll}</a> &nbsp;&nbsp;United States (Toll)</div>\r\n<div style=\"margin-bottom:12px\">Conference ID: {spaced}#</div>\r\n<div style=\"margin-bottom:12px\"><a href=\"https://dialin.teams.microsoft.com/{}?id={conference}\">Local numbers</a></div>\r\n",
                org.id
            );
        }
    }
    format!(
        "<div>\r\n<div style=\"width:100%\"><span style=\"white-space:nowrap\">{RULE}</span></div>\r\n<div class=\"me-email-text\" lang=\"en-US\">\r\n<div style=\"margin-bottom:24px\"><a class=\"me-email-headline\" href=\"{join_url}\">Join\r\n Microsoft Teams Meeting</a></div>\r\n{dial}<div><a href=\"https://aka.ms/JoinTeamsMeeting\">Learn More</a> | <a href=\"https://teams.microsoft.com/meetingOptions/?organizerId={}&amp;tenantId={}&amp;threadId={}&amp;messageId=0&amp;language=en-US\">Meeting options</a></div>\r\n</div>\r\n<div style=\"width:100%\"><span style=\"white-space:nowrap\">{RULE}</span></div>\r\n</div>\r\n",
        org.id,
        tenant.id,
        thread.replace(':', "_"),
    )
}

fn with_join_block(body_html: &str, block: &str) -> String {
    if body_html.is_empty() {
        return html_document("html", block);
    }
    match body_html.rfind("</body>") {
        Some(at) => format!("{}{block}{}", &body_html[..at], &body_html[at..]),
        None => format!("{body_html}{block}"),
    }
}

fn online_info(meeting: &OnlineMeeting) -> OnlineMeetingInfo {
    let audio = meeting.audio_conferencing.as_ref();
    OnlineMeetingInfo {
        join_url: meeting.join_web_url.clone().unwrap_or_default(),
        conference_id: audio.and_then(|a| a.conference_id.clone()),
        toll_number: audio.and_then(|a| a.toll_number.clone()),
    }
}

fn parse(stored: &StoredEvent) -> Result<Event, EventError> {
    serde_json::from_str(&stored.document)
        .map_err(|e| EventError::Store(StoreError::Backend(format!("event document: {e}"))))
}

fn encode(event: &Event) -> Result<String, EventError> {
    serde_json::to_string(event)
        .map_err(|e| EventError::Store(StoreError::Backend(format!("event document: {e}"))))
}

impl Events {
    /// Events over `store`, with their Teams meetings made by `meetings` and attendees looked
    /// up in `index`.
    pub fn new(
        store: Arc<dyn EventStore>,
        meetings: Meetings,
        index: Arc<DirectoryIndex>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            store,
            meetings,
            index,
            clock,
        }
    }

    fn check_mailbox(mb: &Mailbox) -> Result<(), EventError> {
        if mb.user.account.user_type == UserType::Guest {
            return Err(EventError::MailboxNotEnabled);
        }
        Ok(())
    }

    /// The in-tenant user an attendee address names.
    fn tenant_user(&self, tenant: Uuid, address: &str) -> Option<User> {
        self.index
            .user_in(tenant, &UserRef::Upn(address.to_owned()))
            .map(|u| User::clone(&u))
            .filter(|u| u.account.user_type != UserType::Guest)
    }

    /// The Teams meeting of a new online event, or `None` when the organizer cannot have one
    /// (Exchange then creates the event without it, as the real service does).
    async fn make_meeting(
        &self,
        mb: &Mailbox,
        event: &Event,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Option<OnlineMeeting>, EventError> {
        if mb.user.account.missing_prerequisite().is_some() {
            return Ok(None);
        }
        let org = Organizer::for_mailbox(mb.user.clone(), mb.tenant.clone());
        let attendees: Vec<MeetingParticipantInfo> = event
            .attendees
            .iter()
            .filter_map(|a| self.tenant_user(mb.tenant.id, &a.email_address.address))
            .filter(|u| u.id != mb.user.id)
            .map(|u| MeetingParticipantInfo {
                upn: Some(u.upn),
                role: None,
                identity: None,
            })
            .collect();
        let input = OnlineMeetingInput {
            subject: Some(event.subject.clone()),
            start_date_time: Some(GraphDateTime::new(start)),
            end_date_time: Some(GraphDateTime::new(end.max(start))),
            participants: Some(MeetingParticipants {
                attendees: Some(attendees),
                ..MeetingParticipants::default()
            }),
            ..OnlineMeetingInput::default()
        };
        Ok(Some(self.meetings.create(&org, input).await?))
    }

    /// Attaches a Teams meeting to `event` (organizer's copy), when asked and allowed.
    async fn go_online(
        &self,
        mb: &Mailbox,
        event: &mut Event,
        provider: Option<&str>,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Option<String>, EventError> {
        // The mailbox's calendar allows Teams only (allowedOnlineMeetingProviders); another
        // provider gives an event without a meeting.
        let provider = provider.unwrap_or(TEAMS_PROVIDER);
        if provider != TEAMS_PROVIDER {
            return Ok(None);
        }
        let Some(meeting) = self.make_meeting(mb, event, start, end).await? else {
            return Ok(None);
        };
        event.is_online_meeting = true;
        event.online_meeting_provider = TEAMS_PROVIDER.to_owned();
        event.online_meeting = Some(online_info(&meeting));
        event.body.content = with_join_block(
            &event.body.content,
            &join_block(&meeting, &mb.user, &mb.tenant),
        );
        event.body.content_type = "html".to_owned();
        event.body_preview = preview(&event.body.content);
        Ok(meeting.id)
    }

    /// `POST …/events`.
    pub async fn create(&self, mb: &Mailbox, input: EventInput) -> Result<Event, EventError> {
        Self::check_mailbox(mb)?;
        let (Some(start), Some(end)) = (input.start.clone(), input.end.clone()) else {
            return Err(rule(
                "Your request can't be completed. The start and end of the event must be specified.",
            ));
        };
        if end.at < start.at {
            return Err(rule(
                "Your request can't be completed. The end time of the event must be later than its start time.",
            ));
        }
        let now = self.clock.now();
        let stamp = wire::format_timestamp(now);
        let id = wire::new_event_id(mb.user.id);
        let (body_type, body_content) = input.body.clone().unwrap_or_default();
        let body = html_document(&body_type, &body_content);
        let location = input
            .location
            .clone()
            .or_else(|| input.locations.as_ref().and_then(|l| l.first().cloned()));
        let locations = match (&input.locations, &location) {
            (Some(list), _) => list.iter().map(|l| Location::named(l)).collect(),
            (None, Some(name)) if !name.is_empty() => vec![Location::named(name)],
            _ => Vec::new(),
        };
        let attendees: Vec<Attendee> = input
            .attendees
            .clone()
            .unwrap_or_default()
            .into_iter()
            .map(|a| Attendee {
                kind: a.kind,
                status: ResponseStatus::none(),
                email_address: EmailAddress {
                    name: a.name.unwrap_or_else(|| a.address.clone()),
                    address: a.address,
                },
            })
            .collect();
        let mut event = Event {
            id: id.clone(),
            created_date_time: stamp.clone(),
            last_modified_date_time: stamp,
            change_key: wire::change_key(mb.user.id, 1),
            categories: input.categories.clone().unwrap_or_default(),
            transaction_id: input.transaction_id.clone(),
            original_start_time_zone: start.zone.clone(),
            original_end_time_zone: end.zone.clone(),
            ical_uid: wire::new_ical_uid(now),
            reminder_minutes_before_start: input.reminder_minutes_before_start.unwrap_or(15),
            is_reminder_on: input.is_reminder_on.unwrap_or(true),
            has_attachments: false,
            subject: input.subject.clone().unwrap_or_default(),
            body_preview: preview(&body),
            importance: input
                .importance
                .clone()
                .unwrap_or_else(|| "normal".to_owned()),
            sensitivity: input
                .sensitivity
                .clone()
                .unwrap_or_else(|| "normal".to_owned()),
            is_all_day: input.is_all_day.unwrap_or(false),
            is_cancelled: false,
            is_organizer: true,
            response_requested: input.response_requested.unwrap_or(true),
            series_master_id: None,
            show_as: input.show_as.clone().unwrap_or_else(|| "busy".to_owned()),
            kind: "singleInstance".to_owned(),
            web_link: wire::web_link(&id),
            online_meeting_url: None,
            is_online_meeting: false,
            online_meeting_provider: "unknown".to_owned(),
            allow_new_time_proposals: input.allow_new_time_proposals.unwrap_or(true),
            is_draft: false,
            hide_attendees: input.hide_attendees.unwrap_or(false),
            recurrence: None,
            response_status: ResponseStatus {
                response: "organizer".to_owned(),
                time: wire::NO_RESPONSE_TIME.to_owned(),
            },
            body: ItemBody {
                content_type: "html".to_owned(),
                content: body,
            },
            start: wire::utc_when(start.at),
            end: wire::utc_when(end.at),
            location: location
                .as_deref()
                .map(Location::named)
                .unwrap_or_else(Location::empty),
            locations,
            attendees,
            organizer: Recipient {
                email_address: EmailAddress {
                    name: mb.user.display_name.clone(),
                    address: mb.address(),
                },
            },
            online_meeting: None,
        };
        let meeting_id = if input.is_online_meeting == Some(true) {
            self.go_online(
                mb,
                &mut event,
                input.online_meeting_provider.as_deref(),
                start.at,
                end.at,
            )
            .await?
        } else {
            None
        };
        let mut rows = vec![StoredEvent {
            id,
            tenant_id: mb.tenant.id,
            owner_id: mb.user.id,
            ical_uid: event.ical_uid.clone(),
            start_at: start.at,
            end_at: end.at,
            created_at: now,
            updated_at: now,
            meeting_id,
            document: encode(&event)?,
        }];
        for copy in self.attendee_copies(mb, &event, now, &[])? {
            rows.push(copy);
        }
        self.store.insert_events(&rows).await?;
        Ok(event)
    }

    /// The copies of the organizer's `event` for its in-tenant attendees, except `existing`
    /// owners.
    fn attendee_copies(
        &self,
        mb: &Mailbox,
        event: &Event,
        now: DateTime<Utc>,
        existing: &[Uuid],
    ) -> Result<Vec<StoredEvent>, EventError> {
        let mut out = Vec::new();
        let mut seen: Vec<Uuid> = existing.to_vec();
        for attendee in &event.attendees {
            let Some(user) = self.tenant_user(mb.tenant.id, &attendee.email_address.address) else {
                continue;
            };
            if user.id == mb.user.id || seen.contains(&user.id) {
                continue;
            }
            seen.push(user.id);
            let copy = Self::copy_for(event, &user, None, now);
            out.push(StoredEvent {
                id: copy.id.clone(),
                tenant_id: mb.tenant.id,
                owner_id: user.id,
                ical_uid: event.ical_uid.clone(),
                start_at: event.start_utc().unwrap_or(now),
                end_at: event.end_utc().unwrap_or(now),
                created_at: now,
                updated_at: now,
                meeting_id: None,
                document: encode(&copy)?,
            });
        }
        Ok(out)
    }

    /// The attendee `user`'s copy of the organizer's `event`: new when `previous` is `None`,
    /// else `previous` with the organizer's changes.
    fn copy_for(event: &Event, user: &User, previous: Option<&Event>, now: DateTime<Utc>) -> Event {
        let mut copy = event.clone();
        copy.is_organizer = false;
        match previous {
            Some(prev) => {
                copy.id = prev.id.clone();
                copy.web_link = prev.web_link.clone();
                copy.created_date_time = prev.created_date_time.clone();
                copy.response_status = prev.response_status.clone();
                copy.change_key =
                    wire::change_key(user.id, wire::change_number(&prev.change_key) + 1);
                copy.categories = prev.categories.clone();
                copy.is_reminder_on = prev.is_reminder_on;
                copy.reminder_minutes_before_start = prev.reminder_minutes_before_start;
            }
            None => {
                copy.id = wire::new_event_id(user.id);
                copy.web_link = wire::web_link(&copy.id);
                copy.created_date_time = wire::format_timestamp(now);
                copy.response_status = ResponseStatus::none();
                copy.change_key = wire::change_key(user.id, 1);
                copy.transaction_id = None;
            }
        }
        copy.last_modified_date_time = wire::format_timestamp(now);
        copy
    }

    async fn load(&self, mb: &Mailbox, id: &str) -> Result<(StoredEvent, Event), EventError> {
        Self::check_mailbox(mb)?;
        let stored = self
            .store
            .get_event(mb.user.id, id)
            .await?
            .ok_or(EventError::NotFound)?;
        let event = parse(&stored)?;
        Ok((stored, event))
    }

    /// `GET …/events/{id}`.
    pub async fn get(&self, mb: &Mailbox, id: &str) -> Result<Event, EventError> {
        Ok(self.load(mb, id).await?.1)
    }

    /// `GET …/events` and `GET …/calendarView`: filtered, ordered, one page.
    pub async fn list(
        &self,
        mb: &Mailbox,
        scope: EventScope,
        query: &EventQuery,
    ) -> Result<EventPage, EventError> {
        Self::check_mailbox(mb)?;
        let stored = match scope {
            EventScope::All => self.store.list_events(mb.user.id).await?,
            EventScope::Window(start, end) => {
                self.store
                    .list_events_between(mb.user.id, start, end)
                    .await?
            }
        };
        let size = query
            .top
            .unwrap_or(wire::DEFAULT_PAGE_SIZE)
            .clamp(1, wire::MAX_PAGE_SIZE);
        // Without $filter or $orderby the store's order is the answer's: only the page's
        // documents are read.
        if query.filter.is_none() && query.order_by.is_empty() {
            let total = stored.len();
            let events = stored
                .iter()
                .skip(query.skip)
                .take(size)
                .map(parse)
                .collect::<Result<Vec<Event>, EventError>>()?;
            let next = query.skip + events.len();
            return Ok(EventPage {
                next_skip: (next < total && !events.is_empty()).then_some(next),
                events,
            });
        }
        let utc = EventRender {
            zone: Zone::utc(),
            select: None,
        };
        let mut rendered = Vec::with_capacity(stored.len());
        for s in &stored {
            let event = parse(s)?;
            let json = event.to_json(&utc);
            if query
                .filter
                .as_ref()
                .is_none_or(|f: &EventFilter| f.matches(&json))
            {
                rendered.push((json, event));
            }
        }
        wire::sort_rendered(&mut rendered, &query.order_by);
        let total = rendered.len();
        let events: Vec<Event> = rendered
            .into_iter()
            .skip(query.skip)
            .take(size)
            .map(|(_, e)| e)
            .collect();
        let next = query.skip + events.len();
        Ok(EventPage {
            next_skip: (next < total && !events.is_empty()).then_some(next),
            events,
        })
    }

    /// `PATCH …/events/{id}`: the organizer's changes reach the Teams meeting (subject and
    /// times) and every attendee's copy.
    pub async fn update(
        &self,
        mb: &Mailbox,
        id: &str,
        patch: EventInput,
    ) -> Result<Event, EventError> {
        let (mut stored, mut event) = self.load(mb, id).await?;
        let now = self.clock.now();
        let start = patch
            .start
            .as_ref()
            .map(|w| w.at)
            .unwrap_or(stored.start_at);
        let end = patch.end.as_ref().map(|w| w.at).unwrap_or(stored.end_at);
        if end < start {
            return Err(rule(
                "Your request can't be completed. The end time of the event must be later than its start time.",
            ));
        }
        let moved = start != stored.start_at || end != stored.end_at;
        let renamed = patch.subject.as_ref().is_some_and(|s| *s != event.subject);
        if let Some(s) = &patch.subject {
            event.subject.clone_from(s);
        }
        if let Some(w) = &patch.start {
            event.start = wire::utc_when(w.at);
            event.original_start_time_zone.clone_from(&w.zone);
        }
        if let Some(w) = &patch.end {
            event.end = wire::utc_when(w.at);
            event.original_end_time_zone.clone_from(&w.zone);
        }
        if let Some((kind, content)) = &patch.body {
            let mut html = html_document(kind, content);
            // The join block stays with an online event.
            if let Some(info) = &event.online_meeting {
                if !html.contains(&info.join_url) {
                    if let Some(meeting_id) = &stored.meeting_id {
                        let org = Organizer::for_mailbox(mb.user.clone(), mb.tenant.clone());
                        let meeting = self.meetings.get(&org, meeting_id).await?;
                        html = with_join_block(&html, &join_block(&meeting, &mb.user, &mb.tenant));
                    }
                }
            }
            event.body.content = html;
            event.body_preview = preview(&event.body.content);
        }
        if let Some(name) = &patch.location {
            event.location = Location::named(name);
            event.locations = if name.is_empty() {
                Vec::new()
            } else {
                vec![Location::named(name)]
            };
        }
        if let Some(list) = &patch.locations {
            event.locations = list.iter().map(|l| Location::named(l)).collect();
            event.location = list
                .first()
                .map(|l| Location::named(l))
                .unwrap_or_else(Location::empty);
        }
        if let Some(list) = &patch.attendees {
            event.attendees = list
                .iter()
                .map(|a| {
                    let previous = event
                        .attendees
                        .iter()
                        .find(|p| p.email_address.address.eq_ignore_ascii_case(&a.address));
                    Attendee {
                        kind: a.kind.clone(),
                        status: previous
                            .map(|p| p.status.clone())
                            .unwrap_or_else(ResponseStatus::none),
                        email_address: EmailAddress {
                            name: a.name.clone().unwrap_or_else(|| a.address.clone()),
                            address: a.address.clone(),
                        },
                    }
                })
                .collect();
        }
        macro_rules! set {
            ($field:ident) => {
                if let Some(v) = patch.$field.clone() {
                    event.$field = v;
                }
            };
        }
        set!(categories);
        set!(importance);
        set!(sensitivity);
        set!(show_as);
        set!(is_all_day);
        set!(is_reminder_on);
        set!(reminder_minutes_before_start);
        set!(response_requested);
        set!(allow_new_time_proposals);
        set!(hide_attendees);
        // Once online, an event stays online with its provider: later changes are ignored.
        if !event.is_online_meeting && event.is_organizer && patch.is_online_meeting == Some(true) {
            stored.meeting_id = self
                .go_online(
                    mb,
                    &mut event,
                    patch.online_meeting_provider.as_deref(),
                    start,
                    end,
                )
                .await?;
        } else if event.is_organizer && (moved || renamed) {
            if let Some(meeting_id) = &stored.meeting_id {
                let org = Organizer::for_mailbox(mb.user.clone(), mb.tenant.clone());
                let mut change = OnlineMeetingInput {
                    subject: Some(event.subject.clone()),
                    ..OnlineMeetingInput::default()
                };
                if moved {
                    change.start_date_time = Some(GraphDateTime::new(start));
                    change.end_date_time = Some(GraphDateTime::new(end));
                }
                self.meetings.update(&org, meeting_id, change).await?;
            }
        }
        event.change_key = wire::change_key(mb.user.id, wire::change_number(&event.change_key) + 1);
        event.last_modified_date_time = wire::format_timestamp(now);
        stored.start_at = start;
        stored.end_at = end;
        stored.updated_at = now;
        stored.document = encode(&event)?;

        let mut changed = vec![stored.clone()];
        let mut removed = Vec::new();
        let mut added = Vec::new();
        if event.is_organizer {
            let copies: Vec<StoredEvent> = self
                .store
                .events_by_ical_uid(mb.tenant.id, &event.ical_uid)
                .await?
                .into_iter()
                .filter(|c| c.owner_id != mb.user.id)
                .collect();
            let mut owners = Vec::new();
            for copy in copies {
                let still_invited = event.attendees.iter().any(|a| {
                    self.tenant_user(mb.tenant.id, &a.email_address.address)
                        .is_some_and(|u| u.id == copy.owner_id)
                });
                if !still_invited {
                    removed.push(copy.id.clone());
                    continue;
                }
                let Some(user) = self.index.user(copy.owner_id).map(|u| User::clone(&u)) else {
                    continue;
                };
                owners.push(user.id);
                let previous = parse(&copy)?;
                let updated = Self::copy_for(&event, &user, Some(&previous), now);
                changed.push(StoredEvent {
                    start_at: start,
                    end_at: end,
                    updated_at: now,
                    document: encode(&updated)?,
                    ..copy
                });
            }
            added = self.attendee_copies(mb, &event, now, &owners)?;
        }
        self.store
            .update_events(&changed)
            .await
            .map_err(gone_is_not_found)?;
        if !removed.is_empty() {
            self.store.delete_events(mb.tenant.id, &removed).await?;
        }
        if !added.is_empty() {
            self.store.insert_events(&added).await?;
        }
        Ok(event)
    }

    /// Ends the Teams meeting behind an organizer's event and marks the attendees' copies
    /// cancelled.
    async fn end_meeting_and_notify(
        &self,
        mb: &Mailbox,
        stored: &StoredEvent,
        event: &Event,
    ) -> Result<Vec<String>, EventError> {
        if let Some(meeting_id) = &stored.meeting_id {
            let org = Organizer::for_mailbox(mb.user.clone(), mb.tenant.clone());
            match self.meetings.delete(&org, meeting_id).await {
                Ok(()) | Err(MeetingError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let now = self.clock.now();
        let mut cancelled = Vec::new();
        for copy in self
            .store
            .events_by_ical_uid(mb.tenant.id, &event.ical_uid)
            .await?
            .into_iter()
            .filter(|c| c.owner_id != mb.user.id)
        {
            let mut doc = parse(&copy)?;
            doc.is_cancelled = true;
            if !doc.subject.starts_with("Canceled: ") {
                doc.subject = format!("Canceled: {}", doc.subject);
            }
            doc.change_key =
                wire::change_key(copy.owner_id, wire::change_number(&doc.change_key) + 1);
            doc.last_modified_date_time = wire::format_timestamp(now);
            cancelled.push(copy.id.clone());
            self.store
                .update_events(&[StoredEvent {
                    updated_at: now,
                    document: encode(&doc)?,
                    ..copy
                }])
                .await
                .map_err(gone_is_not_found)?;
        }
        Ok(cancelled)
    }

    /// `DELETE …/events/{id}`: the organizer's delete ends the Teams meeting and cancels the
    /// attendees' copies; an attendee's removes its copy only.
    pub async fn delete(&self, mb: &Mailbox, id: &str) -> Result<(), EventError> {
        let (stored, event) = self.load(mb, id).await?;
        if event.is_organizer {
            self.end_meeting_and_notify(mb, &stored, &event).await?;
        }
        if self
            .store
            .delete_events(mb.tenant.id, std::slice::from_ref(&stored.id))
            .await?
            == 0
        {
            return Err(EventError::NotFound);
        }
        Ok(())
    }

    /// `POST …/events/{id}/cancel`: the organizer only; the event leaves the calendar, its
    /// Teams meeting ends, attendees' copies are marked cancelled.
    pub async fn cancel(
        &self,
        mb: &Mailbox,
        id: &str,
        _comment: Option<String>,
    ) -> Result<(), EventError> {
        let (stored, event) = self.load(mb, id).await?;
        if !event.is_organizer {
            return Err(EventError::NotOrganizer);
        }
        self.end_meeting_and_notify(mb, &stored, &event).await?;
        self.store
            .delete_events(mb.tenant.id, std::slice::from_ref(&stored.id))
            .await?;
        Ok(())
    }

    /// `accept`, `tentativelyAccept`, `decline` on an attendee's copy: its own status, and with
    /// `sendResponse` the organizer's copy's record of it. A declined event leaves the
    /// attendee's calendar.
    pub async fn respond(
        &self,
        mb: &Mailbox,
        id: &str,
        response: Response,
        input: wire::RespondInput,
    ) -> Result<(), EventError> {
        let (stored, mut event) = self.load(mb, id).await?;
        if event.is_organizer {
            return Err(EventError::OrganizerCannotRespond);
        }
        if input.proposes_new_time
            && (response == Response::Accept
                || !event.allow_new_time_proposals
                || !input.send_response)
        {
            return Err(EventError::ProposalRefused);
        }
        let now = self.clock.now();
        let status = ResponseStatus {
            response: response.status().to_owned(),
            time: wire::format_timestamp(now),
        };
        event.response_status = status.clone();
        event.change_key = wire::change_key(mb.user.id, wire::change_number(&event.change_key) + 1);
        event.last_modified_date_time = wire::format_timestamp(now);
        let mut changed = Vec::new();
        if response != Response::Decline {
            changed.push(StoredEvent {
                updated_at: now,
                document: encode(&event)?,
                ..stored.clone()
            });
        }
        if input.send_response {
            let me = mb.address();
            for copy in self
                .store
                .events_by_ical_uid(mb.tenant.id, &event.ical_uid)
                .await?
            {
                let mut doc = parse(&copy)?;
                if !doc.is_organizer {
                    continue;
                }
                let mut touched = false;
                for a in &mut doc.attendees {
                    if a.email_address.address.eq_ignore_ascii_case(&me)
                        || a.email_address.address.eq_ignore_ascii_case(&mb.user.upn)
                    {
                        a.status = status.clone();
                        touched = true;
                    }
                }
                if touched {
                    doc.change_key =
                        wire::change_key(copy.owner_id, wire::change_number(&doc.change_key) + 1);
                    doc.last_modified_date_time = wire::format_timestamp(now);
                    changed.push(StoredEvent {
                        updated_at: now,
                        document: encode(&doc)?,
                        ..copy
                    });
                }
            }
        }
        if !changed.is_empty() {
            self.store
                .update_events(&changed)
                .await
                .map_err(gone_is_not_found)?;
        }
        if response == Response::Decline {
            self.store.delete_events(mb.tenant.id, &[stored.id]).await?;
        }
        Ok(())
    }
}

fn gone_is_not_found(e: StoreError) -> EventError {
    match e {
        StoreError::NotFound(_) => EventError::NotFound,
        e => EventError::Store(e),
    }
}
