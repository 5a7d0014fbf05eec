//! Creating an event: the Teams meeting behind an online event, and the copies in in-tenant
//! attendees' mailboxes.
//!
//! Facts copied: <https://learn.microsoft.com/graph/api/user-post-events>,
//! <https://learn.microsoft.com/graph/outlook-calendar-online-meetings>.

use super::body::{encode, html_document, join_block, online_info, preview, with_join_block};
use super::{rule, EventError, Events, Mailbox, StoredEvent, TEAMS_PROVIDER};

use crate::meetings::Organizer;
use crate::model::User;
use chrono::{DateTime, Utc};
use graphmeet_wire::graph::event::{
    self as wire, Attendee, EmailAddress, Event, EventInput, ItemBody, Location, Recipient,
    ResponseStatus,
};
use graphmeet_wire::graph::meeting::{MeetingParticipantInfo, MeetingParticipants};
use graphmeet_wire::graph::{GraphDateTime, OnlineMeeting, OnlineMeetingInput};
use uuid::Uuid;

impl Events {
    /// The Teams meeting of a new online event, or `None` when the organizer cannot have one
    /// (Exchange then creates the event without it, as the real service does).
    pub(super) async fn make_meeting(
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
    pub(super) async fn go_online(
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
    pub(super) fn attendee_copies(
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
    pub(super) fn copy_for(
        event: &Event,
        user: &User,
        previous: Option<&Event>,
        now: DateTime<Utc>,
    ) -> Event {
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
}
