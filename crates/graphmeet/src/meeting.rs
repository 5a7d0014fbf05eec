//! `graphmeet meeting …`: create, createOrGet, get, find, update and delete Teams meetings as
//! the application, through the SDK.

use anyhow::Context as _;
use graphmeet_client::Organizer;
use graphmeet_wire::graph::meeting::JoinMeetingIdSettings;
use graphmeet_wire::graph::{GraphDateTime, OnlineMeeting};
use serde::Serialize;

use crate::app::App;
use crate::cli::{MeetingCommand, MeetingFields, OutputFormat};
use crate::commands::print;
use crate::output::{fields, Render};

/// A meeting as the CLI prints it: the main properties as `key: value` lines, or the whole
/// meeting in JSON.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct MeetingView(pub OnlineMeeting);

/// A date-time for people: RFC 3339, seconds, `Z`.
pub fn show_time(at: Option<&GraphDateTime>) -> String {
    at.map(|t| {
        t.as_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    })
    .unwrap_or_else(|| "-".to_owned())
}

/// The join meeting id of a meeting, if it has one.
pub fn join_meeting_id(meeting: &OnlineMeeting) -> Option<&str> {
    meeting
        .join_meeting_id_settings
        .as_ref()
        .and_then(|s| s.join_meeting_id.as_deref())
}

/// The passcode of a meeting, if it requires one.
pub fn passcode(meeting: &OnlineMeeting) -> Option<&str> {
    meeting
        .join_meeting_id_settings
        .as_ref()
        .and_then(|s| s.passcode.as_deref())
}

impl Render for MeetingView {
    fn table(&self) -> String {
        let m = &self.0;
        let text = |v: Option<&str>| v.filter(|s| !s.is_empty()).unwrap_or("-").to_owned();
        fields(&[
            ("id", text(m.id.as_deref())),
            ("subject", text(m.subject.as_deref())),
            ("start", show_time(m.start_date_time.as_ref())),
            ("end", show_time(m.end_date_time.as_ref())),
            ("joinWebUrl", text(m.join_web_url.as_deref())),
            ("joinMeetingId", text(join_meeting_id(m))),
            ("passcode", text(passcode(m))),
        ])
    }
}

/// The outcome of `meeting delete` (Graph answers 204).
#[derive(Debug, Serialize)]
pub struct MeetingDeleted {
    /// The meeting id.
    pub id: String,
    /// Always true: a failure is an error instead.
    pub deleted: bool,
}

impl Render for MeetingDeleted {
    fn table(&self) -> String {
        format!("deleted meeting {}\n", self.id)
    }
}

/// `meeting find` found nothing: exit 1, like any operation that failed.
#[derive(Debug)]
pub struct NotFound(pub String);

impl std::fmt::Display for NotFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotFound {}

/// A meeting body holding only what the flags set.
pub fn meeting_body(fields: &MeetingFields) -> OnlineMeeting {
    OnlineMeeting {
        subject: fields.subject.clone(),
        start_date_time: fields.start,
        end_date_time: fields.end,
        ..OnlineMeeting::default()
    }
}

/// Runs a meeting verb (except `bulk`).
pub async fn run(app: &App, cmd: MeetingCommand, format: OutputFormat) -> anyhow::Result<()> {
    let App { client, tenant, .. } = app;
    match cmd {
        MeetingCommand::Create {
            organizer,
            fields,
            passcode,
        } => {
            let mut body = meeting_body(&fields);
            if passcode {
                body.join_meeting_id_settings = Some(JoinMeetingIdSettings {
                    is_passcode_required: Some(true),
                    ..JoinMeetingIdSettings::default()
                });
            }
            let meeting = client
                .create(tenant, &Organizer::parse(&organizer), &body)
                .await
                .with_context(|| format!("creating a meeting for organizer '{organizer}'"))?;
            print(&MeetingView(meeting), format)
        }
        MeetingCommand::CreateOrGet {
            organizer,
            external_id,
            fields,
        } => {
            let outcome = client
                .create_or_get(
                    tenant,
                    &Organizer::parse(&organizer),
                    &external_id,
                    &meeting_body(&fields),
                )
                .await
                .with_context(|| {
                    format!("createOrGet of externalId '{external_id}' for organizer '{organizer}'")
                })?;
            print(&MeetingView(outcome.meeting), format)?;
            if outcome.created {
                eprintln!("created: a new meeting with externalId '{external_id}'");
            } else {
                eprintln!("existing: the meeting with externalId '{external_id}' already existed");
            }
            Ok(())
        }
        MeetingCommand::Get { organizer, id } => {
            let meeting = client
                .get(tenant, &Organizer::parse(&organizer), &id)
                .await
                .with_context(|| format!("getting meeting '{id}' of organizer '{organizer}'"))?;
            print(&MeetingView(meeting), format)
        }
        MeetingCommand::Find {
            organizer,
            join_url,
            join_meeting_id,
        } => {
            let who = Organizer::parse(&organizer);
            let (found, what) = match (join_url, join_meeting_id) {
                (Some(url), _) => (
                    client.find_by_join_url(tenant, &who, &url).await,
                    format!("join URL '{url}'"),
                ),
                (None, Some(digits)) => (
                    client.find_by_join_meeting_id(tenant, &who, &digits).await,
                    format!("join meeting id '{digits}'"),
                ),
                (None, None) => {
                    return Err(crate::commands::UsageError(
                        "give --join-url or --join-meeting-id".into(),
                    )
                    .into())
                }
            };
            let found = found.with_context(|| {
                format!("finding the meeting of organizer '{organizer}' with {what}")
            })?;
            match found {
                Some(meeting) => print(&MeetingView(meeting), format),
                None => Err(NotFound(format!(
                    "organizer '{organizer}' has no meeting with {what}"
                ))
                .into()),
            }
        }
        MeetingCommand::Update {
            organizer,
            id,
            subject,
            start,
            end,
        } => {
            let changes = meeting_body(&MeetingFields {
                subject,
                start,
                end,
            });
            let meeting = client
                .update(tenant, &Organizer::parse(&organizer), &id, &changes)
                .await
                .with_context(|| format!("updating meeting '{id}' of organizer '{organizer}'"))?;
            print(&MeetingView(meeting), format)
        }
        MeetingCommand::Delete { organizer, id } => {
            client
                .delete(tenant, &Organizer::parse(&organizer), &id)
                .await
                .with_context(|| format!("deleting meeting '{id}' of organizer '{organizer}'"))?;
            print(&MeetingDeleted { id, deleted: true }, format)
        }
        MeetingCommand::Bulk(_) => Err(anyhow::anyhow!("bulk is run by bulk::run")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn meetings_print_the_main_properties() {
        let meeting = OnlineMeeting {
            id: Some("MSo1".into()),
            subject: Some("Standup".into()),
            start_date_time: Some(GraphDateTime::parse("2026-03-01T09:00:00.0000000Z").unwrap()),
            join_web_url: Some("https://teams.example/l/meetup-join/x".into()),
            join_meeting_id_settings: Some(JoinMeetingIdSettings {
                join_meeting_id: Some("123456789".into()),
                passcode: None,
                is_passcode_required: Some(false),
            }),
            ..OnlineMeeting::default()
        };
        assert_eq!(
            MeetingView(meeting).table(),
            "id:            MSo1\n\
             subject:       Standup\n\
             start:         2026-03-01T09:00:00Z\n\
             end:           -\n\
             joinWebUrl:    https://teams.example/l/meetup-join/x\n\
             joinMeetingId: 123456789\n\
             passcode:      -\n"
        );
    }
}
