//! `graphmeet meeting play|attendance|transcripts|recordings`: play a session of a meeting on a
//! graphmeet server (admin API), then read what it left behind as the application, through the
//! SDK: attendance reports and records, transcripts and recordings (downloaded to a file).

use anyhow::Context as _;
use graphmeet_client::artifacts::{AttendanceReport, CallArtifact};
use graphmeet_client::Organizer;
use graphmeet_wire::admin_play::{PlayParticipant, PlayScript, PlayUtterance, SessionView};
use serde::Serialize;

use crate::args::{ArtifactArgs, GlobalArgs, MeetingCommand, OutputFormat, PlayArgs, UsageError};
use crate::connect::{self, App};
use crate::output::{fields, or_dash, print, table, Render};

/// A played session.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct Played(pub SessionView);

impl Render for Played {
    fn table(&self) -> String {
        let s = &self.0;
        fields(&[
            ("meeting", s.meeting_id.clone()),
            ("state", s.state.clone()),
            ("start", s.start_date_time.clone()),
            ("end", s.end_date_time.clone()),
            ("participants", s.participants.to_string()),
            ("utterances", s.utterances.to_string()),
            ("attendance report", s.attendance_report_id.clone()),
            (
                "transcript",
                or_dash(s.transcript_id.as_deref().unwrap_or("")),
            ),
            (
                "recording",
                or_dash(s.recording_id.as_deref().unwrap_or("")),
            ),
        ])
    }
}

/// Attendance reports.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct Reports(pub Vec<AttendanceReport>);

impl Render for Reports {
    fn table(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .0
            .iter()
            .map(|r| {
                vec![
                    r.id.clone(),
                    r.meeting_start_date_time.clone().unwrap_or_default(),
                    r.meeting_end_date_time.clone().unwrap_or_default(),
                    r.total_participant_count.to_string(),
                ]
            })
            .collect();
        table(&["REPORT", "START", "END", "PARTICIPANTS"], &rows)
    }
}

/// One report's records.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct Records(pub AttendanceReport);

impl Render for Records {
    fn table(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .0
            .attendance_records
            .iter()
            .map(|r| {
                vec![
                    r.identity.display_name.clone().unwrap_or_default(),
                    r.role.clone(),
                    or_dash(r.email_address.as_deref().unwrap_or("")),
                    r.total_attendance_in_seconds.to_string(),
                    r.attendance_intervals.len().to_string(),
                ]
            })
            .collect();
        table(&["NAME", "ROLE", "EMAIL", "SECONDS", "INTERVALS"], &rows)
    }
}

/// Transcripts or recordings.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct Artifacts(pub Vec<CallArtifact>);

impl Render for Artifacts {
    fn table(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .0
            .iter()
            .map(|a| {
                vec![
                    a.id.clone(),
                    a.created_date_time.clone().unwrap_or_default(),
                    a.end_date_time.clone().unwrap_or_default(),
                ]
            })
            .collect();
        table(&["ID", "CREATED", "END"], &rows)
    }
}

/// A download.
#[derive(Debug, Serialize)]
pub struct Downloaded {
    /// What was downloaded.
    pub id: String,
    /// Where it was written.
    pub path: String,
    /// Its size.
    pub bytes: u64,
}

impl Render for Downloaded {
    fn table(&self) -> String {
        format!("wrote {} bytes to {}\n", self.bytes, self.path)
    }
}

/// `KIND:WHO,JOIN,LEAVE`.
fn participant(spec: &str) -> Result<PlayParticipant, UsageError> {
    let bad = || {
        UsageError(format!(
            "--participant '{spec}': expected KIND:WHO,JOIN,LEAVE (KIND user, guest, anonymous or phone)"
        ))
    };
    let (kind, rest) = spec.split_once(':').ok_or_else(bad)?;
    let mut parts = rest.rsplitn(3, ',');
    let leave = parts.next().ok_or_else(bad)?.trim().to_owned();
    let join = parts.next().ok_or_else(bad)?.trim().to_owned();
    let who = parts.next().ok_or_else(bad)?.trim().to_owned();
    let mut p = PlayParticipant {
        join: Some(join),
        leave: Some(leave),
        ..PlayParticipant::default()
    };
    match kind.trim() {
        "user" => p.user = Some(who),
        "guest" => p.guest = Some(who),
        "anonymous" => p.anonymous = Some(who),
        "phone" => p.phone = Some(who),
        _ => return Err(bad()),
    }
    Ok(p)
}

/// `WHO,AT,TEXT`.
fn utterance(spec: &str) -> Result<PlayUtterance, UsageError> {
    let mut parts = spec.splitn(3, ',');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(who), Some(at), Some(text)) if !text.trim().is_empty() => Ok(PlayUtterance {
            speaker: who.trim().to_owned(),
            at: at.trim().to_owned(),
            text: text.trim().to_owned(),
            ..PlayUtterance::default()
        }),
        _ => Err(UsageError(format!("--say '{spec}': expected WHO,AT,TEXT"))),
    }
}

/// `graphmeet meeting play`: the script from the file and the flags, played through the admin
/// API.
pub async fn play(global: &GlobalArgs, args: PlayArgs) -> anyhow::Result<()> {
    let mut script = match &args.script {
        Some(path) => {
            let text = if path.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin())
                    .context("reading the script from stdin")?
            } else {
                std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?
            };
            serde_json::from_str::<PlayScript>(&text).map_err(|e| {
                UsageError(format!("the play script is not one (docs/admin.md): {e}"))
            })?
        }
        None => PlayScript::default(),
    };
    if args.start.is_some() {
        script.start = args.start.clone();
    }
    for spec in &args.participants {
        script.participants.push(participant(spec)?);
    }
    for spec in &args.utterances {
        script.utterances.push(utterance(spec)?);
    }
    if args.no_transcript {
        script.transcribe = Some(false);
    }
    if args.no_recording {
        script.record = Some(false);
    }
    if script.participants.is_empty() {
        return Err(UsageError(
            "nobody takes part: give --script FILE or at least one --participant".to_owned(),
        )
        .into());
    }
    let client = connect::admin(global)?;
    let session = client
        .play_meeting(&args.id, &script)
        .await
        .with_context(|| format!("playing meeting '{}'", args.id))?;
    print(&Played(session), global.output)
}

/// `graphmeet meeting attendance|transcripts|recordings`.
pub async fn exec(app: &App, cmd: MeetingCommand, format: OutputFormat) -> anyhow::Result<()> {
    let App { client, tenant, .. } = app;
    match cmd {
        MeetingCommand::Attendance {
            organizer,
            id,
            report,
        } => {
            let who = Organizer::parse(&organizer);
            match report {
                Some(report) => {
                    let r = client
                        .attendance_report(tenant, &who, &id, &report)
                        .await
                        .with_context(|| {
                            format!("attendance report '{report}' of meeting '{id}'")
                        })?;
                    print(&Records(r), format)
                }
                None => {
                    let reports = client
                        .attendance_reports(tenant, &who, &id)
                        .await
                        .with_context(|| format!("attendance reports of meeting '{id}'"))?;
                    print(&Reports(reports), format)
                }
            }
        }
        MeetingCommand::Transcripts(args) => artifacts(app, args, true, format).await,
        MeetingCommand::Recordings(args) => artifacts(app, args, false, format).await,
        _ => Err(anyhow::anyhow!("not an artifact verb")),
    }
}

async fn artifacts(
    app: &App,
    args: ArtifactArgs,
    transcripts: bool,
    format: OutputFormat,
) -> anyhow::Result<()> {
    let App { client, tenant, .. } = app;
    let who = Organizer::parse(&args.organizer);
    let what = if transcripts {
        "transcript"
    } else {
        "recording"
    };
    match (args.download, args.out) {
        (Some(item), Some(out)) => {
            let bytes = if transcripts {
                client
                    .download_transcript(tenant, &who, &args.id, &item, &out)
                    .await
            } else {
                client
                    .download_recording(tenant, &who, &args.id, &item, &out)
                    .await
            }
            .with_context(|| format!("downloading {what} '{item}' of meeting '{}'", args.id))?;
            print(
                &Downloaded {
                    id: item,
                    path: out.display().to_string(),
                    bytes,
                },
                format,
            )
        }
        (Some(_), None) => Err(UsageError("--download needs --out FILE".to_owned()).into()),
        _ => {
            let list = if transcripts {
                client.transcripts(tenant, &who, &args.id).await
            } else {
                client.recordings(tenant, &who, &args.id).await
            }
            .with_context(|| format!("{what}s of meeting '{}'", args.id))?;
            print(&Artifacts(list), format)
        }
    }
}
