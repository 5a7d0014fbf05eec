#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The application side of `graphmeet` (`meeting …`, `meeting bulk`, `doctor`, `onboard`)
//! against a real bootstrapped server over TLS, with no credential flag: the CLI reads the dev
//! credentials from the data directory.

use crate::{cli, creds, graphmeet, start_server};
use graphmeet_testkit::cli::{failed, field, json, ok, stderr, stdout};

/// Asserts exit 1; stdout and stderr together.
fn fails(output: &Output) -> String {
    failed(output, 1)
}

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

fn dev_user(data: &Path) -> String {
    creds(data)["user_id"].as_str().unwrap().to_owned()
}

/// A user of the dev tenant no access policy is granted to.
async fn ungranted_user(data: &Path, alias: &str) -> String {
    let upn = format!("{alias}@graphmeetdev.onmicrosoft.com");
    let user = json(
        &graphmeet(
            data,
            &[
                "user",
                "create",
                "--tenant",
                "graphmeetdev.onmicrosoft.com",
                "--upn",
                &upn,
                "--output",
                "json",
            ],
        )
        .await,
    );
    user["id"].as_str().unwrap().to_owned()
}

/// The two cmdlets of the missing-policy diagnosis, for `app` and `user`.
fn assert_cmdlets(text: &str, app: &str, user: &str) {
    let short = &app[..8];
    assert!(
        text.contains(&format!(
            "New-CsApplicationAccessPolicy -Identity \"MeetingsApp-{short}\" -AppIds \"{app}\""
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Grant-CsApplicationAccessPolicy -PolicyName \"MeetingsApp-{short}\" -Identity \"{user}\""
        )),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_meeting_verb_as_a_table_and_as_json() {
    let (server, dir) = start_server().await;
    let data = dir.path();
    let organizer = dev_user(data);
    let o = organizer.as_str();

    // create: a table by default.
    let out = ok(&graphmeet(
        data,
        &[
            "meeting",
            "create",
            "--organizer",
            o,
            "--subject",
            "Weekly sync",
            "--start",
            "2026-03-01T09:00:00Z",
            "--end",
            "2026-03-01T09:30:00+00:00",
        ],
    )
    .await);
    let id = field(&out, "id");
    assert_eq!(field(&out, "subject"), "Weekly sync");
    assert_eq!(field(&out, "start"), "2026-03-01T09:00:00Z");
    assert_eq!(field(&out, "end"), "2026-03-01T09:30:00Z");
    let url = field(&out, "joinWebUrl");
    assert!(url.starts_with(&server.base_url), "{out}");
    let join_id = field(&out, "joinMeetingId");
    assert!(join_id.chars().all(|c| c.is_ascii_digit()), "{out}");
    assert_eq!(field(&out, "passcode"), "-");

    // create --passcode, as JSON: the whole meeting.
    let with_passcode = json(
        &graphmeet(
            data,
            &[
                "meeting",
                "create",
                "--organizer",
                o,
                "--subject",
                "Locked",
                "--passcode",
                "--output",
                "json",
            ],
        )
        .await,
    );
    let settings = &with_passcode["joinMeetingIdSettings"];
    assert_eq!(settings["isPasscodeRequired"], true);
    assert!(!settings["passcode"].as_str().unwrap().is_empty());
    assert_eq!(
        with_passcode["participants"]["organizer"]["identity"]["user"]["id"],
        o
    );

    // get.
    let out = ok(&graphmeet(data, &["meeting", "get", "--organizer", o, "--id", &id]).await);
    assert_eq!(field(&out, "id"), id);
    assert_eq!(field(&out, "joinWebUrl"), url);
    let got = json(
        &graphmeet(
            data,
            &[
                "meeting",
                "get",
                "--organizer",
                o,
                "--id",
                &id,
                "--output",
                "json",
            ],
        )
        .await,
    );
    assert_eq!(got["subject"], "Weekly sync");
    assert_eq!(got["joinWebUrl"], url.as_str());

    // find, by join URL and by join meeting id.
    let out = ok(&graphmeet(
        data,
        &["meeting", "find", "--organizer", o, "--join-url", &url],
    )
    .await);
    assert_eq!(field(&out, "id"), id);
    let found = json(
        &graphmeet(
            data,
            &[
                "meeting",
                "find",
                "--organizer",
                o,
                "--join-meeting-id",
                &join_id,
                "--output",
                "json",
            ],
        )
        .await,
    );
    assert_eq!(found["id"], id.as_str());
    let text = fails(
        &graphmeet(
            data,
            &[
                "meeting",
                "find",
                "--organizer",
                o,
                "--join-meeting-id",
                "999999999999",
            ],
        )
        .await,
    );
    assert!(
        text.contains("has no meeting with join meeting id"),
        "{text}"
    );
    // find needs one of its two keys (a usage error).
    let output = graphmeet(data, &["meeting", "find", "--organizer", o]).await;
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));

    // update: subject, then times (start and end together).
    let out = ok(&graphmeet(
        data,
        &[
            "meeting",
            "update",
            "--organizer",
            o,
            "--id",
            &id,
            "--subject",
            "Renamed",
        ],
    )
    .await);
    assert_eq!(field(&out, "subject"), "Renamed");
    let updated = json(
        &graphmeet(
            data,
            &[
                "meeting",
                "update",
                "--organizer",
                o,
                "--id",
                &id,
                "--start",
                "2026-04-01T10:00:00Z",
                "--end",
                "2026-04-01T11:00:00Z",
                "--output",
                "json",
            ],
        )
        .await,
    );
    assert!(updated["startDateTime"]
        .as_str()
        .unwrap()
        .starts_with("2026-04-01T10:00:00"));
    assert_eq!(updated["subject"], "Renamed");
    let output = graphmeet(
        data,
        &[
            "meeting",
            "update",
            "--organizer",
            o,
            "--id",
            &id,
            "--start",
            "2026-04-01T10:00:00Z",
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(2), "--start without --end");

    // create-or-get: created, then the same meeting again.
    let output = graphmeet(
        data,
        &[
            "meeting",
            "create-or-get",
            "--organizer",
            o,
            "--external-id",
            "ext-1",
            "--subject",
            "Idempotent",
        ],
    )
    .await;
    let first = field(&ok(&output), "id");
    assert!(
        stderr(&output).starts_with("created"),
        "{}",
        stderr(&output)
    );
    let output = graphmeet(
        data,
        &[
            "meeting",
            "create-or-get",
            "--organizer",
            o,
            "--external-id",
            "ext-1",
            "--output",
            "json",
        ],
    )
    .await;
    let again = json(&output);
    assert_eq!(again["id"], first.as_str());
    assert_eq!(again["externalId"], "ext-1");
    assert_eq!(again["subject"], "Idempotent");
    assert!(
        stderr(&output).starts_with("existing"),
        "{}",
        stderr(&output)
    );

    // delete: table, then JSON; then the meeting is gone.
    let out = ok(&graphmeet(data, &["meeting", "delete", "--organizer", o, "--id", &id]).await);
    assert_eq!(out, format!("deleted meeting {id}\n"));
    let deleted = json(
        &graphmeet(
            data,
            &[
                "meeting",
                "delete",
                "--organizer",
                o,
                "--id",
                &first,
                "--output",
                "json",
            ],
        )
        .await,
    );
    assert_eq!(deleted, serde_json::json!({"id": first, "deleted": true}));
    let text = fails(&graphmeet(data, &["meeting", "get", "--organizer", o, "--id", &id]).await);
    assert!(text.contains("HTTP 404"), "{text}");

    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_without_a_grant_gets_the_two_cmdlets_and_doctor_says_so() {
    let (server, dir) = start_server().await;
    let data = dir.path();
    let app = creds(data)["client_id"].as_str().unwrap().to_owned();
    let bob = ungranted_user(data, "bob").await;

    let output = graphmeet(
        data,
        &[
            "meeting",
            "create",
            "--organizer",
            &bob,
            "--subject",
            "Nope",
        ],
    )
    .await;
    let text = fails(&output);
    assert!(stdout(&output).is_empty());
    assert!(text.contains("HTTP 403"), "{text}");
    assert!(text.contains("\nfix: "), "{text}");
    assert_cmdlets(&text, &app, &bob);

    // doctor: all green for the dev organizer…
    let out = ok(&graphmeet(data, &["doctor", "--user", &dev_user(data)]).await);
    let marks: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with('✓') || l.starts_with('✗'))
        .collect();
    assert_eq!(marks.len(), 4, "{out}");
    assert!(marks.iter().all(|l| l.starts_with('✓')), "{out}");
    assert!(marks[0].contains("client secret"), "{out}");
    assert!(marks[0].contains("dev-credentials.json"), "{out}");
    assert!(marks[2].contains("OnlineMeetings.ReadWrite.All"), "{out}");
    assert!(out.ends_with("all checks passed\n"), "{out}");

    // …red for bob, with the cmdlets.
    let output = graphmeet(data, &["doctor", "--user", &bob]).await;
    let text = fails(&output);
    let out = stdout(&output);
    assert!(out.contains("✓ token"), "{out}");
    assert!(out.contains("✗ access policy"), "{out}");
    assert_cmdlets(&out, &app, &bob);
    assert!(text.contains("1 check failed"), "{text}");

    // …and red at the token step for a wrong secret, with the AADSTS diagnosis.
    let output = graphmeet(
        data,
        &[
            "doctor",
            "--client-id",
            &app,
            "--client-secret",
            "wrong",
            "--tenant",
            "graphmeetdev.onmicrosoft.com",
            "--server",
            &server.base_url,
            "--ca-cert",
            server.ca_cert_path.as_ref().unwrap().to_str().unwrap(),
        ],
    )
    .await;
    let text = fails(&output);
    assert!(text.contains("✗ token"), "{text}");
    assert!(text.contains("AADSTS7000215"), "{text}");
    assert!(text.contains("fix: the client secret is wrong"), "{text}");

    // No credentials at all.
    let empty = tempfile::tempdir().unwrap();
    let text = fails(&graphmeet(empty.path(), &["doctor"]).await);
    assert!(text.contains("✗ credentials"), "{text}");
    assert!(text.contains("--client-id"), "{text}");

    server.shutdown().await;
}

/// Writes an input CSV of `n` rows `PREFIX-i` for the dev organizer (empty organizer cells:
/// `--organizer` fills them in).
#[tokio::test(flavor = "multi_thread")]
async fn an_organizer_without_a_teams_licence_gets_a_fix_and_doctor_names_it() {
    let (_server, dir) = start_server().await;
    let data = dir.path();
    let organizer = dev_user(data);
    let updated = json(
        &graphmeet(
            data,
            &[
                "user",
                "update",
                "--user",
                &organizer,
                "--teams-license",
                "false",
                "--output",
                "json",
            ],
        )
        .await,
    );
    assert_eq!(updated["teams_license"], false, "{updated}");
    assert_eq!(updated["account_enabled"], true, "{updated}");

    let output = graphmeet(
        data,
        &[
            "meeting",
            "create",
            "--organizer",
            &organizer,
            "--subject",
            "Nope",
        ],
    )
    .await;
    let text = fails(&output);
    assert!(text.contains("HTTP 403 Forbidden"), "{text}");
    assert!(text.contains("no licence with Microsoft Teams"), "{text}");
    assert!(text.contains("Get-MgUser -UserId"), "{text}");

    let output = graphmeet(data, &["doctor", "--user", &organizer]).await;
    let out = stdout(&output);
    assert!(out.contains("✗ organizer"), "{out}");
    assert!(out.contains("no licence with Microsoft Teams"), "{out}");
    assert!(fails(&output).contains("1 check failed"));

    ok(&graphmeet(
        data,
        &[
            "user",
            "update",
            "--user",
            &organizer,
            "--teams-license",
            "true",
        ],
    )
    .await);
    ok(&graphmeet(data, &["doctor", "--user", &organizer]).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_shows_the_calls_a_client_made_and_follow_prints_new_ones() {
    let (_server, dir) = start_server().await;
    let data = dir.path();
    let organizer = dev_user(data);
    ok(&graphmeet(
        data,
        &[
            "meeting",
            "create",
            "--organizer",
            &organizer,
            "--subject",
            "Seen",
        ],
    )
    .await);
    let records = json(
        &graphmeet(
            data,
            &["requests", "--surface", "graph", "--output", "json"],
        )
        .await,
    );
    let records = records.as_array().unwrap();
    let create = records
        .iter()
        .find(|r| r["operation"] == "CreateMeeting")
        .unwrap_or_else(|| panic!("{records:?}"));
    assert_eq!(create["status"], 201);
    let table = ok(&graphmeet(data, &["requests", "--surface", "graph"]).await);
    assert!(
        table.contains("POST /v1.0/users/") && table.contains("-> 201"),
        "{table}"
    );

    // --follow: the records so far, then a new call as it happens.
    let mut follow = tokio::process::Command::from(cli(data).command(&[
        "requests",
        "--follow",
        "--surface",
        "entra",
    ]))
    .stdout(std::process::Stdio::piped())
    .kill_on_drop(true)
    .spawn()
    .unwrap();
    let mut lines =
        tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(follow.stdout.take().unwrap()));
    let first = tokio::time::timeout(std::time::Duration::from_secs(20), lines.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(first.contains("token:client_credentials"), "{first}");
    ok(&graphmeet(
        data,
        &[
            "meeting",
            "create",
            "--organizer",
            &organizer,
            "--subject",
            "Later",
        ],
    )
    .await);
    let next = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        loop {
            let line = lines.next_line().await.unwrap().unwrap();
            if line != first {
                return line;
            }
        }
    })
    .await
    .unwrap();
    assert!(next.contains("entra") && next.contains("-> 200"), "{next}");
    follow.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn clock_shows_and_moves_a_virtual_clock() {
    let graphmeet_testkit::TestServer {
        server: _server,
        dir,
        ..
    } = graphmeet_testkit::TestServer::start_with(tempfile::tempdir().unwrap(), |config| {
        config.manual_clock = true;
    })
    .await;
    let data = dir.path();
    let shown = ok(&graphmeet(data, &["clock"]).await);
    assert!(shown.trim_end().ends_with("(manual)"), "{shown}");
    let before =
        chrono::DateTime::parse_from_rfc3339(shown.split_whitespace().next().unwrap()).unwrap();
    let moved = ok(&graphmeet(data, &["clock", "--advance", "PT1H"]).await);
    let after =
        chrono::DateTime::parse_from_rfc3339(moved.split_whitespace().next().unwrap()).unwrap();
    assert_eq!((after - before).num_seconds(), 3600, "{shown} -> {moved}");
    let set = ok(&graphmeet(data, &["clock", "--set", "2027-01-01T00:00:00Z"]).await);
    assert!(set.starts_with("2027-01-01T00:00:00.000Z"), "{set}");
    let text = fails(&graphmeet(data, &["clock", "--advance", "soon"]).await);
    assert!(text.contains("ISO 8601"), "{text}");
}

fn write_rows(path: &Path, prefix: &str, n: usize) {
    let mut text = String::from("external_id,organizer,subject,start,end\n");
    for i in 0..n {
        text.push_str(&format!(
            "{prefix}-{i},,\"Meeting {i}, bulk\",2026-05-01T09:00:00Z,2026-05-01T10:00:00Z\n"
        ));
    }
    std::fs::write(path, text).unwrap();
}

/// The rows of a result CSV, as maps from column to cell.
fn results(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        [
            "external_id",
            "id",
            "joinWebUrl",
            "joinMeetingId",
            "passcode",
            "status",
            "error"
        ]
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, c)| (h.to_owned(), c.to_owned()))
                .collect()
        })
        .collect()
}

fn count(rows: &[HashMap<String, String>], status: &str) -> usize {
    rows.iter().filter(|r| r["status"] == status).count()
}

async fn bulk(data: &Path, input: &Path, out: &Path, extra: &[&str]) -> Output {
    let organizer = dev_user(data);
    let mut args = vec![
        "meeting",
        "bulk",
        "--csv",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--organizer",
        &organizer,
    ];
    args.extend_from_slice(extra);
    graphmeet(data, &args).await
}

#[tokio::test(flavor = "multi_thread")]
async fn bulk_creates_a_thousand_once_and_a_rerun_finds_them() {
    let (server, dir) = start_server().await;
    let data = dir.path();
    let input = data.join("in.csv");
    write_rows(&input, "run", 1000);

    let out1 = data.join("first.csv");
    let output = bulk(data, &input, &out1, &[]).await;
    ok(&output);
    let summary = stderr(&output);
    assert!(
        summary.contains("1000 rows: 1000 created, 0 existing, 0 failed in "),
        "{summary}"
    );
    assert!(summary.contains(" rows/s)"), "{summary}");
    let first = results(&out1);
    assert_eq!(first.len(), 1000);
    assert_eq!(count(&first, "created"), 1000);
    let ids: HashMap<&str, &str> = first
        .iter()
        .map(|r| (r["external_id"].as_str(), r["id"].as_str()))
        .collect();
    assert_eq!(ids.len(), 1000);
    assert_eq!(ids.values().collect::<HashSet<_>>().len(), 1000);

    // A re-run creates nothing: every row exists, with the same meeting.
    let out2 = data.join("second.csv");
    let output = bulk(data, &input, &out2, &["--concurrency", "16"]).await;
    ok(&output);
    assert!(
        stderr(&output).contains("1000 rows: 0 created, 1000 existing, 0 failed"),
        "{}",
        stderr(&output)
    );
    let second = results(&out2);
    assert_eq!(count(&second, "existing"), 1000);
    for row in &second {
        assert_eq!(ids[row["external_id"].as_str()], row["id"], "{row:?}");
    }

    // What the result says is what Graph has: find a few by join meeting id.
    let organizer = dev_user(data);
    for row in first.iter().step_by(250) {
        let found = json(
            &graphmeet(
                data,
                &[
                    "meeting",
                    "find",
                    "--organizer",
                    &organizer,
                    "--join-meeting-id",
                    &row["joinMeetingId"],
                    "--output",
                    "json",
                ],
            )
            .await,
        );
        assert_eq!(found["id"], row["id"].as_str());
        assert_eq!(found["externalId"], row["external_id"].as_str());
        assert_eq!(found["joinWebUrl"], row["joinWebUrl"].as_str());
    }

    // Without --out the result goes to stdout.
    let small = data.join("small.csv");
    write_rows(&small, "run", 3);
    let output = graphmeet(
        data,
        &[
            "meeting",
            "bulk",
            "--csv",
            small.to_str().unwrap(),
            "--organizer",
            &organizer,
            "--quiet",
        ],
    )
    .await;
    let text = ok(&output);
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(text.starts_with("external_id,id,joinWebUrl,"), "{text}");
    assert_eq!(text.matches(",existing,").count(), 3, "{text}");

    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bulk_killed_midway_then_rerun_creates_every_row_exactly_once() {
    let (server, dir) = start_server().await;
    let data = dir.path();
    let input = data.join("in.csv");
    write_rows(&input, "kill", 1000);
    let organizer = dev_user(data);

    // Run, and kill (SIGKILL) once at least 100 results are on disk.
    let partial = data.join("partial.csv");
    let mut child = cli(data)
        .command(&[
            "meeting",
            "bulk",
            "--csv",
            input.to_str().unwrap(),
            "--out",
            partial.to_str().unwrap(),
            "--organizer",
            &organizer,
            "--concurrency",
            "2",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let lines = std::fs::read_to_string(&partial)
            .map(|t| t.lines().count())
            .unwrap_or(0);
        if lines > 100 {
            break;
        }
        assert!(Instant::now() < deadline, "no progress: {lines} lines");
        assert!(child.try_wait().unwrap().is_none(), "bulk ended early");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();

    // The partial result is a valid CSV of whole rows.
    let first = results(&partial);
    assert!(first.len() >= 100 && first.len() < 1000, "{}", first.len());
    assert_eq!(count(&first, "created"), first.len());

    // Run again: the rest are created, the first ones (and any in flight at the kill) exist.
    let rest = data.join("rest.csv");
    ok(&bulk(data, &input, &rest, &[]).await);
    let second = results(&rest);
    assert_eq!(second.len(), 1000);
    assert_eq!(count(&second, "failed"), 0);
    let created_twice: Vec<_> = first
        .iter()
        .filter(|r| {
            second
                .iter()
                .any(|s| s["external_id"] == r["external_id"] && s["status"] == "created")
        })
        .collect();
    assert!(created_twice.is_empty(), "{created_twice:?}");
    assert!(count(&second, "existing") >= first.len());

    // The union: 1000 external ids, 1000 meetings, one meeting per external id.
    let mut by_external: HashMap<String, String> = HashMap::new();
    for row in first.iter().chain(&second) {
        let previous = by_external.insert(row["external_id"].clone(), row["id"].clone());
        if let Some(previous) = previous {
            assert_eq!(previous, row["id"], "{row:?}");
        }
    }
    assert_eq!(by_external.len(), 1000);
    assert_eq!(by_external.values().collect::<HashSet<_>>().len(), 1000);

    // A third run: everything exists.
    let third = data.join("third.csv");
    let output = bulk(data, &input, &third, &[]).await;
    ok(&output);
    assert!(
        stderr(&output).contains("1000 rows: 0 created, 1000 existing, 0 failed"),
        "{}",
        stderr(&output)
    );
    for row in results(&third) {
        assert_eq!(by_external[&row["external_id"]], row["id"]);
    }

    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_row_fails_alone_with_its_diagnosis() {
    let (server, dir) = start_server().await;
    let data = dir.path();
    let organizer = dev_user(data);
    let input = data.join("in.csv");
    let mut text = String::from("external_id,organizer,subject,start,end\n");
    for i in 0..10 {
        text.push_str(&format!("ok-{i},{organizer},Row {i},,\n"));
    }
    text.push_str("ghost-1,nobody@graphmeetdev.onmicrosoft.com,Ghost,,\n");
    text.push_str("bad-time,,When,next tuesday,\n");
    for i in 10..20 {
        text.push_str(&format!("ok-{i},,Row {i},,\n"));
    }
    std::fs::write(&input, text).unwrap();

    let out = data.join("out.csv");
    let output = bulk(data, &input, &out, &[]).await;
    let all = fails(&output);
    assert!(
        all.contains("22 rows: 20 created, 0 existing, 2 failed in "),
        "{all}"
    );
    assert!(all.contains("2 of 22 rows failed"), "{all}");
    assert!(all.contains("(external_id 'ghost-1') failed"), "{all}");
    let rows = results(&out);
    assert_eq!(rows.len(), 22);
    assert_eq!(count(&rows, "created"), 20);
    let ghost = rows.iter().find(|r| r["external_id"] == "ghost-1").unwrap();
    assert_eq!(ghost["status"], "failed");
    assert!(ghost["id"].is_empty());
    assert!(ghost["error"].contains("HTTP 404"), "{ghost:?}");
    assert!(
        ghost["error"].contains("fix: there is no user 'nobody@graphmeetdev.onmicrosoft.com'"),
        "{ghost:?}"
    );
    assert!(!ghost["error"].contains('\n'), "{ghost:?}");
    let bad_time = rows
        .iter()
        .find(|r| r["external_id"] == "bad-time")
        .unwrap();
    assert_eq!(bad_time["status"], "failed");
    assert!(bad_time["error"].contains("next tuesday"), "{bad_time:?}");

    // A row for a user without a grant: the cmdlets, on one line.
    let bob = ungranted_user(data, "bob").await;
    let input = data.join("bob.csv");
    std::fs::write(&input, format!("external_id,organizer\nb-1,{bob}\n")).unwrap();
    let out = data.join("bob-out.csv");
    fails(&bulk(data, &input, &out, &[]).await);
    let rows = results(&out);
    let app = creds(data)["client_id"].as_str().unwrap().to_owned();
    assert_cmdlets(&rows[0]["error"], &app, &bob);

    // No external_id column: a usage error, nothing written.
    std::fs::write(&input, "id,organizer\n1,x\n").unwrap();
    let output = bulk(data, &input, &data.join("none.csv"), &[]).await;
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("no external_id column"));

    server.shutdown().await;
}

const ONBOARD_GOLDEN: &str = r#"To let app 11111111-2222-3333-4444-555555555555 create Teams meetings for alice@contoso.com in tenant contoso.onmicrosoft.com:

1. An administrator of the tenant grants admin consent (OnlineMeetings.ReadWrite.All) at:

   https://login.microsoftonline.com/contoso.onmicrosoft.com/adminconsent?client_id=11111111-2222-3333-4444-555555555555

2. A Teams administrator runs, in PowerShell (Install-Module MicrosoftTeams first if needed):

Connect-MicrosoftTeams
New-CsApplicationAccessPolicy -Identity "Scheduler" -AppIds "11111111-2222-3333-4444-555555555555" -Description "Lets app 11111111-2222-3333-4444-555555555555 create online meetings for the users it is granted to"
Grant-CsApplicationAccessPolicy -PolicyName "Scheduler" -Identity "alice@contoso.com"

To allow every user instead: Grant-CsApplicationAccessPolicy -PolicyName "Scheduler" -Global
Policy changes can take up to 30 minutes to take effect; then check with:
graphmeet doctor --tenant contoso.onmicrosoft.com --client-id 11111111-2222-3333-4444-555555555555 --user alice@contoso.com
"#;

#[tokio::test]
async fn onboard_prints_the_consent_url_and_the_script() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let args = [
        "onboard",
        "--tenant",
        "contoso.onmicrosoft.com",
        "--app-id",
        "11111111-2222-3333-4444-555555555555",
        "--user",
        "alice@contoso.com",
    ];
    let mut named = args.to_vec();
    named.extend(["--policy-name", "Scheduler"]);
    assert_eq!(ok(&graphmeet(data, &named).await), ONBOARD_GOLDEN);

    // The default policy name is the one the diagnoses suggest.
    let out = ok(&graphmeet(data, &args).await);
    assert!(
        out.contains("New-CsApplicationAccessPolicy -Identity \"MeetingsApp-11111111\""),
        "{out}"
    );

    // A graphmeet server's authority with --server; JSON for scripts.
    let mut json_args = args.to_vec();
    json_args.extend(["--server", "https://meet.example:8443", "--output", "json"]);
    let value = json(&graphmeet(data, &json_args).await);
    assert_eq!(
        value["consent_url"],
        "https://meet.example:8443/contoso.onmicrosoft.com/adminconsent?client_id=11111111-2222-3333-4444-555555555555"
    );
    assert_eq!(value["powershell"][0], "Connect-MicrosoftTeams");
    assert_eq!(value["policy_name"], "MeetingsApp-11111111");
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_from_a_certificate_the_environment_and_a_profile() {
    let (server, dir) = start_server().await;
    let data = dir.path();
    let c = creds(data);
    let s = |k: &str| c[k].as_str().unwrap().to_owned();
    let ca = server
        .ca_cert_path
        .as_ref()
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let user = s("user_id");

    // Flags: a certificate, a graphmeet server elsewhere.
    let cert = s("certificate_path");
    let out = ok(&graphmeet(
        data,
        &[
            "meeting",
            "create",
            "--organizer",
            &user,
            "--subject",
            "By cert",
            "--client-id",
            &s("client_id"),
            "--certificate",
            &cert,
            "--tenant",
            &s("tenant_domain"),
            "--server",
            &server.base_url,
            "--ca-cert",
            &ca,
        ],
    )
    .await);
    assert_eq!(field(&out, "subject"), "By cert");

    // The Azure environment variables (with the authority host of the server).
    let mut env_command = cli(data).command(&["doctor", "--user", &user]);
    env_command
        .env("AZURE_CLIENT_ID", s("client_id"))
        .env("AZURE_CLIENT_SECRET", s("client_secret"))
        .env("AZURE_TENANT_ID", s("tenant_id"))
        .env("AZURE_AUTHORITY_HOST", &server.base_url)
        .env("GRAPHMEET_CA_CERT", &ca);
    let output = tokio::process::Command::from(env_command)
        .output()
        .await
        .unwrap();
    let out = ok(&output);
    assert!(
        out.contains("from the flags / AZURE_* environment variables"),
        "{out}"
    );
    assert!(out.ends_with("all checks passed\n"), "{out}");

    // A named profile.
    let config = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(config.path().join("graphmeet")).unwrap();
    std::fs::write(
        config.path().join("graphmeet/profiles.json"),
        serde_json::json!({"local": {
            "tenant_id": s("tenant_id"), "client_id": s("client_id"),
            "certificate_path": cert, "authority_host": server.base_url, "ca_cert_path": ca,
        }})
        .to_string(),
    )
    .unwrap();
    let mut profile_command = cli(data).command(&["doctor", "--profile", "local"]);
    profile_command.env("XDG_CONFIG_HOME", config.path());
    let output = tokio::process::Command::from(profile_command)
        .output()
        .await
        .unwrap();
    let out = ok(&output);
    assert!(out.contains("certificate (thumbprint "), "{out}");
    assert!(out.contains("profile 'local'"), "{out}");
    assert!(out.contains("- access policy: skipped"), "{out}");

    server.shutdown().await;
}
