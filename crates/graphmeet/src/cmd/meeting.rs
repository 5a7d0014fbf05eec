//! `graphmeet meeting …`: create, createOrGet, get, find, update and delete Teams meetings as
//! the application, through the SDK.

use anyhow::Context as _;
use graphmeet_client::Organizer;
use graphmeet_wire::graph::meeting::JoinMeetingIdSettings;
use graphmeet_wire::graph::OnlineMeeting;
use serde::Serialize;

use crate::args::{
    GlobalArgs, MeetingArgs, MeetingCommand, MeetingFields, OutputFormat, UsageError,
};
use crate::cmd::bulk;
use crate::connect::{self, App};
use crate::output::{print, MeetingView, Render};

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

/// `graphmeet meeting …`: the application from the flags (or the local dev credentials),
/// then the verb.
pub async fn exec(global: &GlobalArgs, args: MeetingArgs) -> anyhow::Result<()> {
    if let MeetingCommand::Play(play) = args.command {
        return crate::cmd::artifacts::play(global, play).await;
    }
    let app = connect::app(global, &args.app)?;
    match args.command {
        MeetingCommand::Bulk(bulk) => bulk::exec(&app, bulk).await,
        cmd @ (MeetingCommand::Attendance { .. }
        | MeetingCommand::Transcripts(_)
        | MeetingCommand::Recordings(_)) => {
            crate::cmd::artifacts::exec(&app, cmd, global.output).await
        }
        cmd => run(&app, cmd, global.output).await,
    }
}

/// Runs a meeting verb (except `bulk`).
async fn run(app: &App, cmd: MeetingCommand, format: OutputFormat) -> anyhow::Result<()> {
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
                    return Err(UsageError("give --join-url or --join-meeting-id".into()).into())
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
        MeetingCommand::Play(_)
        | MeetingCommand::Attendance { .. }
        | MeetingCommand::Transcripts(_)
        | MeetingCommand::Recordings(_) => {
            Err(anyhow::anyhow!("artifact verbs are run by cmd::artifacts"))
        }
    }
}
