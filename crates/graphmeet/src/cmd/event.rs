//! `graphmeet event …`: calendar-backed Teams meetings as the application, through the SDK:
//! create (printing the join URL), get, list (or a calendarView window), cancel, delete.

use anyhow::Context as _;
use graphmeet_client::events::Event;
use graphmeet_client::{EventFields, Invitee, When};
use serde::Serialize;

use crate::args::{EventArgs, EventCommand, GlobalArgs};
use crate::connect;
use crate::output::{fields, print, Render};

/// An event as the CLI shows it.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct EventView(pub Event);

impl Render for EventView {
    fn table(&self) -> String {
        let e = &self.0;
        let or_dash = |s: &str| {
            if s.is_empty() {
                "-".to_owned()
            } else {
                s.to_owned()
            }
        };
        fields(&[
            ("id", e.id.clone()),
            ("subject", or_dash(&e.subject)),
            ("start", format!("{} UTC", e.start.date_time)),
            ("end", format!("{} UTC", e.end.date_time)),
            ("organizer", e.organizer.email_address.address.clone()),
            (
                "attendees",
                or_dash(
                    &e.attendees
                        .iter()
                        .map(|a| format!("{} ({})", a.email_address.address, a.status.response))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ),
            ("provider", e.online_meeting_provider.clone()),
            (
                "joinUrl",
                e.online_meeting
                    .as_ref()
                    .map(|m| m.join_url.clone())
                    .unwrap_or_else(|| "-".to_owned()),
            ),
            ("iCalUId", e.ical_uid.clone()),
        ])
    }
}

/// A list of events.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct EventList(pub Vec<Event>);

impl Render for EventList {
    fn table(&self) -> String {
        if self.0.is_empty() {
            return "no events\n".to_owned();
        }
        let mut out = String::new();
        for e in &self.0 {
            let join = e
                .online_meeting
                .as_ref()
                .map(|m| m.join_url.as_str())
                .unwrap_or("-");
            out.push_str(&format!(
                "{}  {}  {}  {}\n",
                e.start.date_time, e.subject, e.id, join
            ));
        }
        out
    }
}

/// The outcome of `event cancel` or `event delete` (Graph answers 202 / 204).
#[derive(Debug, Serialize)]
pub struct EventDone {
    /// The event id.
    pub id: String,
    /// `cancelled` or `deleted`.
    pub outcome: &'static str,
}

impl Render for EventDone {
    fn table(&self) -> String {
        format!("{} event {}\n", self.outcome, self.id)
    }
}

/// `graphmeet event …`: the application from the flags (or the local dev credentials), then
/// the verb.
pub async fn exec(global: &GlobalArgs, args: EventArgs) -> anyhow::Result<()> {
    let app = connect::app(global, &args.app)?;
    let (client, tenant, format) = (&app.client, app.tenant.as_str(), global.output);
    match args.command {
        EventCommand::Create {
            organizer,
            subject,
            start,
            end,
            time_zone,
            attendees,
            no_teams,
        } => {
            let fields = EventFields {
                subject: Some(subject),
                start: Some(When::new(start, time_zone.clone())),
                end: Some(When::new(end, time_zone)),
                attendees: Some(attendees.into_iter().map(Invitee::required).collect()),
                teams_meeting: !no_teams,
                ..EventFields::default()
            };
            let event = client
                .create_event(tenant, &organizer, &fields)
                .await
                .with_context(|| format!("creating an event for '{organizer}'"))?;
            if !no_teams && event.online_meeting.is_none() {
                eprintln!(
                    "warning: the event has no Teams meeting (onlineMeetingProvider '{}'): the organizer cannot organise Teams meetings (licence, account) or the calendar does not allow Teams",
                    event.online_meeting_provider
                );
            }
            print(&EventView(event), format)
        }
        EventCommand::Get { user, id } => {
            let event = client
                .get_event(tenant, &user, &id)
                .await
                .with_context(|| format!("reading event '{id}' of '{user}'"))?;
            print(&EventView(event), format)
        }
        EventCommand::List { user, from, until } => {
            let events = match (from, until) {
                (Some(from), Some(until)) => {
                    client.calendar_view(tenant, &user, &from, &until).await
                }
                _ => client.list_events(tenant, &user).await,
            }
            .with_context(|| format!("listing the events of '{user}'"))?;
            print(&EventList(events), format)
        }
        EventCommand::Cancel { user, id, comment } => {
            client
                .cancel_event(tenant, &user, &id, comment.as_deref())
                .await
                .with_context(|| format!("cancelling event '{id}' of '{user}'"))?;
            print(
                &EventDone {
                    id,
                    outcome: "cancelled",
                },
                format,
            )
        }
        EventCommand::Delete { user, id } => {
            client
                .delete_event(tenant, &user, &id)
                .await
                .with_context(|| format!("deleting event '{id}' of '{user}'"))?;
            print(
                &EventDone {
                    id,
                    outcome: "deleted",
                },
                format,
            )
        }
    }
}
