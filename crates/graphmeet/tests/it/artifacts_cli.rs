#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `graphmeet meeting play|attendance|transcripts|recordings` against a real bootstrapped
//! server over TLS, with no credential flag: a meeting is played through the admin API, then
//! read and downloaded as the dev application.

use crate::{creds, graphmeet, start_server};
use graphmeet_server::RunningServer;
use graphmeet_testkit::cli::{json, ok};
use std::path::Path;
use std::process::Output;

use serde_json::Value;

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A meeting of the dev organizer, created from the CLI on a bootstrapped server.
struct Retro {
    server: RunningServer,
    dir: tempfile::TempDir,
    user: String,
    app: String,
    id: String,
}

/// A [`Retro`] the dev app may read the artifacts of, played twice: from flags an hour ago
/// (`played`), then from a script without a recording (`second`).
struct Played {
    retro: Retro,
    played: Value,
    second: Value,
}

impl Retro {
    async fn create() -> Retro {
        let (server, dir) = start_server().await;
        let creds = creds(dir.path());
        let user = creds["user_id"].as_str().unwrap().to_owned();
        let app = creds["client_id"].as_str().unwrap().to_owned();
        let meeting = json(
            &graphmeet(
                dir.path(),
                &[
                    "meeting",
                    "create",
                    "--organizer",
                    &user,
                    "--subject",
                    "Retro",
                    "--output",
                    "json",
                ],
            )
            .await,
        );
        let id = meeting["id"].as_str().unwrap().to_owned();
        Retro {
            server,
            dir,
            user,
            app,
            id,
        }
    }

    fn data(&self) -> &Path {
        self.dir.path()
    }

    async fn run(&self, args: &[&str]) -> Output {
        graphmeet(self.data(), args).await
    }

    /// `meeting VERB --organizer USER --id ID ARGS…`.
    async fn on_meeting(&self, verb: &str, args: &[&str]) -> Output {
        let mut all: Vec<&str> = vec!["meeting", verb, "--organizer", &self.user, "--id", &self.id];
        all.extend(args);
        self.run(&all).await
    }

    /// The organizer's participation, from the start to minute 45.
    fn participant(&self) -> String {
        format!("user:{},PT0S,PT45M", self.user)
    }

    async fn play(self) -> Played {
        ok(&self
            .run(&[
                "consent", "grant", "--app-id", &self.app, "--roles",
                "OnlineMeetingArtifact.Read.All,OnlineMeetingTranscript.Read.All,OnlineMeetingRecording.Read.All",
            ])
            .await);

        // From flags: an hour ago, on the server's (system) clock, so it has ended.
        let say = format!("{},PT10S,Hello there, everyone.", self.user);
        let participant = self.participant();
        let played = json(
            &self
                .run(&[
                    "meeting",
                    "play",
                    "--id",
                    &self.id,
                    "--start",
                    "now-PT1H",
                    "--participant",
                    &participant,
                    "--participant",
                    "guest:Pat Guest,PT1M,PT30M",
                    "--participant",
                    "phone:+14255550100,PT2M,PT3M",
                    "--say",
                    &say,
                    "--say",
                    "Pat Guest,PT2M,One question",
                    "--output",
                    "json",
                ])
                .await,
        );

        // And from a script file, without a recording.
        let script = self.data().join("play.json");
        std::fs::write(
            &script,
            serde_json::json!({
                "start": "now-PT3H",
                "participants": [{"user": self.user, "join": "PT0S", "leave": "PT10M"}],
                "utterances": [{"speaker": self.user, "at": "PT1M", "text": "Short one."}]
            })
            .to_string(),
        )
        .unwrap();
        let second = json(
            &self
                .run(&[
                    "meeting",
                    "play",
                    "--id",
                    &self.id,
                    "--script",
                    script.to_str().unwrap(),
                    "--no-recording",
                    "--output",
                    "json",
                ])
                .await,
        );
        Played {
            retro: self,
            played,
            second,
        }
    }

    async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

impl Played {
    async fn new() -> Played {
        Retro::create().await.play().await
    }

    fn report(&self) -> &str {
        self.played["attendanceReportId"].as_str().unwrap()
    }

    fn transcript(&self) -> &str {
        self.played["transcriptId"].as_str().unwrap()
    }

    fn recording(&self) -> &str {
        self.played["recordingId"].as_str().unwrap()
    }

    async fn shutdown(self) {
        self.retro.shutdown().await;
    }
}

#[tokio::test]
async fn without_the_artifact_permissions_the_app_is_refused_with_graphs_reason() {
    let r = Retro::create().await;
    let refused = r.on_meeting("attendance", &[]).await;
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(
        text(&refused).contains("OnlineMeetingArtifact.Read.All"),
        "{}",
        text(&refused)
    );
    r.shutdown().await;
}

#[tokio::test]
async fn a_meeting_played_from_flags_an_hour_ago_has_ended_with_its_participants() {
    let p = Played::new().await;
    assert_eq!(p.played["state"], "ended", "{}", p.played);
    assert_eq!(p.played["participants"], 3);
    p.shutdown().await;
}

#[tokio::test]
async fn a_meeting_played_from_a_script_without_a_recording_has_no_recording_id() {
    let p = Played::new().await;
    assert!(p.second.get("recordingId").is_none(), "{}", p.second);
    p.shutdown().await;
}

#[tokio::test]
async fn attendance_lists_the_reports_in_a_table() {
    let p = Played::new().await;
    let table = ok(&p.retro.on_meeting("attendance", &[]).await);
    assert!(table.starts_with("REPORT"), "{table}");
    assert!(table.contains(p.report()), "{table}");
    p.shutdown().await;
}

#[tokio::test]
async fn an_attendance_report_as_json_has_every_record_with_the_organizers_time() {
    let p = Played::new().await;
    let report = json(
        &p.retro
            .on_meeting("attendance", &["--report", p.report(), "--output", "json"])
            .await,
    );
    let records = report["attendanceRecords"].as_array().unwrap();
    assert_eq!(records.len(), 3, "{report}");
    assert_eq!(records[0]["role"], "Organizer");
    assert_eq!(records[0]["totalAttendanceInSeconds"], 2700);
    p.shutdown().await;
}

#[tokio::test]
async fn an_attendance_report_table_shows_guests_and_phone_callers() {
    let p = Played::new().await;
    let table = ok(&p
        .retro
        .on_meeting("attendance", &["--report", p.report()])
        .await);
    assert!(
        table.contains("Pat Guest") && table.contains("+14255550100"),
        "{table}"
    );
    p.shutdown().await;
}

#[tokio::test]
async fn each_played_session_has_a_transcript() {
    let p = Played::new().await;
    let listed = json(
        &p.retro
            .on_meeting("transcripts", &["--output", "json"])
            .await,
    );
    assert_eq!(listed.as_array().unwrap().len(), 2, "{listed}");
    p.shutdown().await;
}

#[tokio::test]
async fn a_transcript_downloads_as_webvtt_with_each_speakers_words() {
    let p = Played::new().await;
    let vtt = p.retro.data().join("t.vtt");
    let out = ok(&p
        .retro
        .on_meeting(
            "transcripts",
            &["--download", p.transcript(), "--out", vtt.to_str().unwrap()],
        )
        .await);
    assert!(out.starts_with("wrote "), "{out}");
    let vtt = std::fs::read_to_string(&vtt).unwrap();
    assert!(vtt.starts_with("WEBVTT"), "{vtt}");
    assert!(vtt.contains(">Hello there, everyone.</v>"), "{vtt}");
    assert!(vtt.contains("<v Pat Guest>One question</v>"), "{vtt}");
    p.shutdown().await;
}

#[tokio::test]
async fn only_the_recorded_session_has_a_recording() {
    let p = Played::new().await;
    let listed = json(
        &p.retro
            .on_meeting("recordings", &["--output", "json"])
            .await,
    );
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    p.shutdown().await;
}

#[tokio::test]
async fn a_recording_downloads_as_an_mp4_as_long_as_the_organizer_stayed() {
    let p = Played::new().await;
    let mp4_path = p.retro.data().join("r.mp4");
    let done = json(
        &p.retro
            .on_meeting(
                "recordings",
                &[
                    "--download",
                    p.recording(),
                    "--out",
                    mp4_path.to_str().unwrap(),
                    "--output",
                    "json",
                ],
            )
            .await,
    );
    let bytes = std::fs::read(&mp4_path).unwrap();
    assert_eq!(done["bytes"], bytes.len());
    let size = bytes.len() as u64;
    let reader = mp4::Mp4Reader::read_header(std::io::Cursor::new(bytes), size).unwrap();
    assert_eq!(reader.duration().as_secs(), 2700);
    p.shutdown().await;
}

#[tokio::test]
async fn meeting_play_with_nothing_to_play_is_a_usage_error() {
    let r = Retro::create().await;
    let none = r.run(&["meeting", "play", "--id", &r.id]).await;
    assert_eq!(none.status.code(), Some(2), "{}", text(&none));
    r.shutdown().await;
}

#[tokio::test]
async fn meeting_play_of_an_unknown_participant_kind_is_a_usage_error() {
    let r = Retro::create().await;
    let bad = r
        .run(&[
            "meeting",
            "play",
            "--id",
            &r.id,
            "--participant",
            "robot:x,PT0S,PT1M",
        ])
        .await;
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    r.shutdown().await;
}

#[tokio::test]
async fn a_recording_download_without_out_is_a_usage_error() {
    let p = Played::new().await;
    let no_out = p
        .retro
        .on_meeting("recordings", &["--download", p.recording()])
        .await;
    assert_eq!(no_out.status.code(), Some(2), "{}", text(&no_out));
    p.shutdown().await;
}

#[tokio::test]
async fn a_speaker_who_has_left_is_refused_as_not_in_the_meeting() {
    let p = Played::new().await;
    let r = &p.retro;
    let late = r
        .run(&[
            "meeting",
            "play",
            "--id",
            &r.id,
            "--participant",
            &r.participant(),
            "--say",
            &format!("{},PT50M,too late", r.user),
        ])
        .await;
    assert_eq!(late.status.code(), Some(1), "{}", text(&late));
    assert!(
        text(&late).contains("is not in the meeting"),
        "{}",
        text(&late)
    );
    p.shutdown().await;
}
