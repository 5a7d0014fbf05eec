//! Changing an event: update (moving or ending its Teams meeting, telling the attendees),
//! delete, cancel, and the attendees' accept, tentatively accept and decline.
//!
//! Facts copied: <https://learn.microsoft.com/graph/api/event-update>,
//! <https://learn.microsoft.com/graph/api/event-cancel>,
//! <https://learn.microsoft.com/graph/api/event-accept>.

use super::body::{encode, html_document, join_block, parse, preview, with_join_block};
use super::{gone_is_not_found, rule, EventError, Events, Mailbox, Response, StoredEvent};

use crate::meetings::{MeetingError, Organizer};
use crate::model::User;
use graphmeet_wire::graph::event::{
    self as wire, Attendee, EmailAddress, Event, EventInput, Location, ResponseStatus,
};
use graphmeet_wire::graph::{GraphDateTime, OnlineMeetingInput};

impl Events {
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
    pub(super) async fn end_meeting_and_notify(
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
