#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `graphmeet meeting play|attendance|transcripts|recordings` against a real bootstrapped
//! server over TLS, with no credential flag: a meeting is played through the admin API, then
//! read and downloaded as the dev application.

use crate::{graphmeet, start_server};
use graphmeet_testkit::cli::{json, ok};
use std::process::Output;

use serde_json::Value;

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test]
async fn a_meeting_played_from_the_cli_is_read_and_downloaded_as_the_app() {
    let (server, dir) = start_server().await;
    let data = dir.path();
    let creds: Value =
        serde_json::from_slice(&std::fs::read(data.join("dev-credentials.json")).unwrap()).unwrap();
    let user = creds["user_id"].as_str().unwrap();
    let app = creds["client_id"].as_str().unwrap();

    let meeting = json(
        &graphmeet(
            data,
            &[
                "meeting",
                "create",
                "--organizer",
                user,
                "--subject",
                "Retro",
                "--output",
                "json",
            ],
        )
        .await,
    );
    let id = meeting["id"].as_str().unwrap();

    // Without the artifact permissions the app is refused, with Graph's reason.
    let refused = graphmeet(
        data,
        &["meeting", "attendance", "--organizer", user, "--id", id],
    )
    .await;
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(
        text(&refused).contains("OnlineMeetingArtifact.Read.All"),
        "{}",
        text(&refused)
    );
    ok(&graphmeet(
        data,
        &[
            "consent", "grant", "--app-id", app, "--roles",
            "OnlineMeetingArtifact.Read.All,OnlineMeetingTranscript.Read.All,OnlineMeetingRecording.Read.All",
        ],
    )
    .await);

    // Play from flags: an hour ago, on the server's (system) clock, so it has ended.
    let say = format!("{user},PT10S,Hello there, everyone.");
    let participant = format!("user:{user},PT0S,PT45M");
    let played = json(
        &graphmeet(
            data,
            &[
                "meeting",
                "play",
                "--id",
                id,
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
            ],
        )
        .await,
    );
    assert_eq!(played["state"], "ended", "{played}");
    assert_eq!(played["participants"], 3);
    let transcript = played["transcriptId"].as_str().unwrap();
    let recording = played["recordingId"].as_str().unwrap();

    // And from a script file, without a recording.
    let script = data.join("play.json");
    std::fs::write(
        &script,
        serde_json::json!({
            "start": "now-PT3H",
            "participants": [{"user": user, "join": "PT0S", "leave": "PT10M"}],
            "utterances": [{"speaker": user, "at": "PT1M", "text": "Short one."}]
        })
        .to_string(),
    )
    .unwrap();
    let second = json(
        &graphmeet(
            data,
            &[
                "meeting",
                "play",
                "--id",
                id,
                "--script",
                script.to_str().unwrap(),
                "--no-recording",
                "--output",
                "json",
            ],
        )
        .await,
    );
    assert!(second.get("recordingId").is_none(), "{second}");

    // Attendance: two reports; one report's records.
    let table = ok(&graphmeet(
        data,
        &["meeting", "attendance", "--organizer", user, "--id", id],
    )
    .await);
    assert!(table.starts_with("REPORT"), "{table}");
    assert!(
        table.contains(played["attendanceReportId"].as_str().unwrap()),
        "{table}"
    );
    let report = json(
        &graphmeet(
            data,
            &[
                "meeting",
                "attendance",
                "--organizer",
                user,
                "--id",
                id,
                "--report",
                played["attendanceReportId"].as_str().unwrap(),
                "--output",
                "json",
            ],
        )
        .await,
    );
    let records = report["attendanceRecords"].as_array().unwrap();
    assert_eq!(records.len(), 3, "{report}");
    assert_eq!(records[0]["role"], "Organizer");
    assert_eq!(records[0]["totalAttendanceInSeconds"], 2700);
    let table = ok(&graphmeet(
        data,
        &[
            "meeting",
            "attendance",
            "--organizer",
            user,
            "--id",
            id,
            "--report",
            played["attendanceReportId"].as_str().unwrap(),
        ],
    )
    .await);
    assert!(
        table.contains("Pat Guest") && table.contains("+14255550100"),
        "{table}"
    );

    // Transcripts: listed and downloaded as WebVTT.
    let listed = json(
        &graphmeet(
            data,
            &[
                "meeting",
                "transcripts",
                "--organizer",
                user,
                "--id",
                id,
                "--output",
                "json",
            ],
        )
        .await,
    );
    assert_eq!(listed.as_array().unwrap().len(), 2, "{listed}");
    let vtt = data.join("t.vtt");
    let out = ok(&graphmeet(
        data,
        &[
            "meeting",
            "transcripts",
            "--organizer",
            user,
            "--id",
            id,
            "--download",
            transcript,
            "--out",
            vtt.to_str().unwrap(),
        ],
    )
    .await);
    assert!(out.starts_with("wrote "), "{out}");
    let vtt = std::fs::read_to_string(&vtt).unwrap();
    assert!(vtt.starts_with("WEBVTT"), "{vtt}");
    assert!(vtt.contains(">Hello there, everyone.</v>"), "{vtt}");
    assert!(vtt.contains("<v Pat Guest>One question</v>"), "{vtt}");

    // Recordings: one (the second session was not recorded), downloaded as an MP4 of 45 minutes.
    let listed = json(
        &graphmeet(
            data,
            &[
                "meeting",
                "recordings",
                "--organizer",
                user,
                "--id",
                id,
                "--output",
                "json",
            ],
        )
        .await,
    );
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    let mp4_path = data.join("r.mp4");
    let done = json(
        &graphmeet(
            data,
            &[
                "meeting",
                "recordings",
                "--organizer",
                user,
                "--id",
                id,
                "--download",
                recording,
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

    // Usage errors exit 2; a refused call exits 1.
    let none = graphmeet(data, &["meeting", "play", "--id", id]).await;
    assert_eq!(none.status.code(), Some(2), "{}", text(&none));
    let bad = graphmeet(
        data,
        &[
            "meeting",
            "play",
            "--id",
            id,
            "--participant",
            "robot:x,PT0S,PT1M",
        ],
    )
    .await;
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    let no_out = graphmeet(
        data,
        &[
            "meeting",
            "recordings",
            "--organizer",
            user,
            "--id",
            id,
            "--download",
            recording,
        ],
    )
    .await;
    assert_eq!(no_out.status.code(), Some(2), "{}", text(&no_out));
    let late = graphmeet(
        data,
        &[
            "meeting",
            "play",
            "--id",
            id,
            "--participant",
            &participant,
            "--say",
            &format!("{user},PT50M,too late"),
        ],
    )
    .await;
    assert_eq!(late.status.code(), Some(1), "{}", text(&late));
    assert!(
        text(&late).contains("is not in the meeting"),
        "{}",
        text(&late)
    );
    server.shutdown().await;
}
