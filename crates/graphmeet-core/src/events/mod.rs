//! Calendar events: the rules of create, get, list, calendarView, update, delete, cancel and
//! the attendee responses, in one user's mailbox, and the Teams meeting behind an event with
//! `isOnlineMeeting` (made, moved and ended through [`crate::meetings`], owned by the event's
//! organizer).
//!
//! An event lives in one mailbox; an in-tenant attendee's mailbox gets its own copy (its own
//! id, the same `iCalUId`), and the organizer's copy keeps every attendee's response.
//!
//! This file owns the records, the [`EventStore`] trait, the errors and the reads (get, list);
//! `body` the event body's HTML and the Teams join block, `create` creating an event and its
//! attendee copies, `change` update, delete, cancel and the responses.
//!
//! Facts copied: <https://learn.microsoft.com/graph/api/user-post-events>,
//! <https://learn.microsoft.com/graph/outlook-calendar-online-meetings>,
//! <https://learn.microsoft.com/graph/api/event-cancel>,
//! <https://learn.microsoft.com/graph/api/event-accept>; the shapes are
//! `graphmeet_wire::graph::event`'s.

use body::parse;

mod body;
mod change;
mod create;

use crate::clock::Clock;
use crate::index::DirectoryIndex;
use crate::meetings::{MeetingError, Meetings};
use crate::model::{Tenant, User, UserRef, UserType};
use crate::store::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use graphmeet_wire::graph::event::{self as wire, Event, EventFilter, EventQuery, EventRender};
use graphmeet_wire::graph::timezone::Zone;
use graphmeet_wire::graph::GraphError;
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
}

fn gone_is_not_found(e: StoreError) -> EventError {
    match e {
        StoreError::NotFound(_) => EventError::NotFound,
        e => EventError::Store(e),
    }
}
