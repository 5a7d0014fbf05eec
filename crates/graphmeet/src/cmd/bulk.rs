//! `graphmeet meeting bulk`: one createOrGet per CSV row, a bounded number in flight, each
//! result written (and flushed) as it completes, so a run stopped midway leaves a valid partial
//! result and a re-run creates nothing twice.

use std::io::{IsTerminal as _, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;
use graphmeet_client::{ClientError, MeetingsClient, Organizer};
use graphmeet_wire::graph::OnlineMeeting;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;

use crate::args::{parse_time, BulkArgs, UsageError};
use crate::connect::App;
use crate::output::{join_meeting_id, passcode};

/// One input row, as read (every cell optional: a bad row fails alone).
#[derive(Debug, Clone, Default, Deserialize)]
struct InputRow {
    #[serde(default)]
    external_id: Option<String>,
    #[serde(default)]
    organizer: Option<String>,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    start: Option<String>,
    #[serde(default)]
    end: Option<String>,
}

/// One row of the result CSV.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ResultRow {
    /// The input row's external id.
    pub external_id: String,
    /// The meeting id; empty when the row failed.
    pub id: String,
    /// The join URL.
    #[serde(rename = "joinWebUrl")]
    pub join_web_url: String,
    /// The join meeting id.
    #[serde(rename = "joinMeetingId")]
    pub join_meeting_id: String,
    /// The passcode, when the meeting has one.
    pub passcode: String,
    /// `created`, `existing` or `failed`.
    pub status: Status,
    /// Why the row failed, with the fix, on one line.
    pub error: String,
}

/// What happened to a row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// createOrGet created the meeting (201).
    Created,
    /// createOrGet found the meeting with that externalId (200).
    Existing,
    /// The row failed; see `error`.
    #[default]
    Failed,
}

/// A row ready to send: the organizer, external id and meeting body; or why it cannot be.
type Prepared = Result<(Organizer, String, OnlineMeeting), String>;

/// A cell's trimmed text; `None` when missing or blank.
fn cell(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Checks one input row.
fn prepare(row: &InputRow, default_organizer: Option<&str>) -> Prepared {
    let external_id = cell(&row.external_id).ok_or("the external_id cell is empty")?;
    let organizer = cell(&row.organizer)
        .or(default_organizer)
        .ok_or("the organizer cell is empty and no --organizer was given")?;
    let time = |name: &str, v: &Option<String>| {
        cell(v)
            .map(parse_time)
            .transpose()
            .map_err(|e| format!("{name}: {e}"))
    };
    let meeting = OnlineMeeting {
        subject: row.subject.clone().filter(|s| !s.trim().is_empty()),
        start_date_time: time("start", &row.start)?,
        end_date_time: time("end", &row.end)?,
        ..OnlineMeeting::default()
    };
    Ok((Organizer::parse(organizer), external_id.to_owned(), meeting))
}

/// An error and its diagnosis on one line (for a CSV cell).
pub fn one_line(err: &ClientError) -> String {
    err.to_string()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs one row.
async fn run_row(
    client: MeetingsClient,
    tenant: String,
    external_id: String,
    prepared: Prepared,
) -> ResultRow {
    let failed = |error: String| ResultRow {
        external_id: external_id.clone(),
        error,
        ..ResultRow::default()
    };
    let (organizer, external_id_, meeting) = match prepared {
        Ok(p) => p,
        Err(problem) => return failed(problem),
    };
    match client
        .create_or_get(&tenant, &organizer, &external_id_, &meeting)
        .await
    {
        Ok(outcome) => {
            let m = &outcome.meeting;
            ResultRow {
                external_id,
                id: m.id.clone().unwrap_or_default(),
                join_web_url: m.join_web_url.clone().unwrap_or_default(),
                join_meeting_id: join_meeting_id(m).unwrap_or_default().to_owned(),
                passcode: passcode(m).unwrap_or_default().to_owned(),
                status: if outcome.created {
                    Status::Created
                } else {
                    Status::Existing
                },
                error: String::new(),
            }
        }
        Err(err) => failed(one_line(&err)),
    }
}

/// Reads the input: a header row naming at least `external_id`, then the rows.
fn read_input(path: &Path) -> anyhow::Result<Vec<InputRow>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::Headers)
        .from_path(path)
        .with_context(|| format!("opening {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("reading the header row of {}", path.display()))?
        .clone();
    if !headers.iter().any(|h| h == "external_id") {
        return Err(UsageError(format!(
            "{} has no external_id column: the first row must name the columns \
             (external_id,organizer,subject,start,end)",
            path.display()
        ))
        .into());
    }
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("reading {} row {}", path.display(), i + 2))?;
        let row: InputRow = record
            .deserialize(Some(&headers))
            .with_context(|| format!("reading {} row {}", path.display(), i + 2))?;
        rows.push(row);
    }
    Ok(rows)
}

/// The progress bar: on stderr when it is a terminal and not `--quiet`, else hidden.
fn progress(len: usize, quiet: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(
        Some(u64::try_from(len).unwrap_or(u64::MAX)),
        if quiet || !std::io::stderr().is_terminal() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        },
    );
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} ({per_sec}, eta {eta}) {msg}",
    ) {
        bar.set_style(style);
    }
    bar
}

/// `graphmeet meeting bulk`.
pub async fn exec(app: &App, args: BulkArgs) -> anyhow::Result<()> {
    let rows = read_input(&args.csv)?;
    let out: Box<dyn Write + Send> = match &args.out {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .with_context(|| format!("creating the result file {}", path.display()))?,
        ),
        None => Box::new(std::io::stdout()),
    };
    // The header is written by hand, now, so even a run stopped before its first result leaves
    // a valid CSV (serialize would write it only with the first row).
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(out);
    writer.write_record([
        "external_id",
        "id",
        "joinWebUrl",
        "joinMeetingId",
        "passcode",
        "status",
        "error",
    ])?;
    writer.flush().context("writing the result")?;

    let total = rows.len();
    let bar = progress(total, args.quiet);
    let started = Instant::now();
    let (mut created, mut existing, mut failed) = (0usize, 0usize, 0usize);
    let limit = usize::from(args.concurrency);
    let mut pending = rows.into_iter().enumerate();
    let mut in_flight = JoinSet::new();
    loop {
        while in_flight.len() < limit {
            let Some((index, row)) = pending.next() else {
                break;
            };
            let prepared = prepare(&row, args.organizer.as_deref());
            let external_id = row
                .external_id
                .clone()
                .unwrap_or_default()
                .trim()
                .to_owned();
            let client = app.client.clone();
            let tenant = app.tenant.clone();
            in_flight.spawn(async move {
                (index, run_row(client, tenant, external_id, prepared).await)
            });
        }
        let Some(done) = in_flight.join_next().await else {
            break;
        };
        let (index, result) = done.context("a bulk task stopped unexpectedly")?;
        match result.status {
            Status::Created => created += 1,
            Status::Existing => existing += 1,
            Status::Failed => {
                failed += 1;
                bar.suspend(|| {
                    eprintln!(
                        "row {} (external_id '{}') failed: {}",
                        index + 2,
                        result.external_id,
                        result.error
                    );
                });
            }
        }
        writer.serialize(&result)?;
        writer.flush().context("writing the result")?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    let rate = if secs > 0.0 { total as f64 / secs } else { 0.0 };
    eprintln!(
        "{total} rows: {created} created, {existing} existing, {failed} failed in {secs:.1} s ({rate:.1} rows/s)"
    );
    if failed > 0 {
        let place = args
            .out
            .as_ref()
            .map(|p| format!(" (see {})", p.display()))
            .unwrap_or_default();
        anyhow::bail!("{failed} of {total} rows failed{place}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn row(external_id: &str, organizer: &str, start: &str) -> InputRow {
        InputRow {
            external_id: Some(external_id.into()),
            organizer: Some(organizer.into()),
            subject: Some("s".into()),
            start: Some(start.into()),
            end: None,
        }
    }

    #[test]
    fn rows_need_an_id_and_an_organizer() {
        let (organizer, id, meeting) = prepare(&row(" x1 ", "", ""), Some("a@b.c")).unwrap();
        assert_eq!(organizer, Organizer::Upn("a@b.c".into()));
        assert_eq!(id, "x1");
        assert_eq!(meeting.subject.as_deref(), Some("s"));
        assert!(meeting.start_date_time.is_none());
        assert!(prepare(&row("x", "", ""), None)
            .unwrap_err()
            .contains("organizer"));
        assert!(prepare(&row("", "o", ""), None)
            .unwrap_err()
            .contains("external_id"));
        assert!(prepare(&row("x", "o", "tomorrow"), None)
            .unwrap_err()
            .starts_with("start: 'tomorrow'"));
    }

    #[test]
    fn errors_fit_on_one_line() {
        let err = ClientError::Config("first\n  second\n\nthird".into());
        assert_eq!(one_line(&err), "first second third");
    }
}
