#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `graphmeet event …` against a real bootstrapped server over TLS, with no credential flag:
//! a calendar-backed Teams meeting created (its join URL printed), listed, viewed by time,
//! cancelled, and an event deleted.

use crate::graphmeet;
use graphmeet_testkit::cli::{json, ok};

use serde_json::Value;

#[tokio::test]
async fn event_verbs_create_a_calendar_backed_meeting_and_print_its_join_url() {
    let graphmeet_testkit::TestServer { server, dir, .. } =
        graphmeet_testkit::TestServer::start().await;
    let data = dir.path();
    let creds: Value =
        serde_json::from_slice(&std::fs::read(data.join("dev-credentials.json")).unwrap()).unwrap();
    let (app, organizer) = (
        creds["client_id"].as_str().unwrap(),
        creds["user_upn"].as_str().unwrap(),
    );

    // Without the calendar permission: exit 1, Exchange's 403.
    let denied = graphmeet(data, &["event", "list", "--user", organizer]).await;
    assert_eq!(denied.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&denied.stderr).contains("ErrorAccessDenied"),
        "{}",
        String::from_utf8_lossy(&denied.stderr)
    );

    ok(&graphmeet(
        data,
        &[
            "consent",
            "grant",
            "--app-id",
            app,
            "--roles",
            "OnlineMeetings.ReadWrite.All,Calendars.ReadWrite",
        ],
    )
    .await);
    ok(&graphmeet(
        data,
        &[
            "user",
            "create",
            "--upn",
            "bob@graphmeetdev.onmicrosoft.com",
        ],
    )
    .await);

    let table = ok(&graphmeet(
        data,
        &[
            "event",
            "create",
            "--organizer",
            organizer,
            "--subject",
            "Planning",
            "--start",
            "2026-12-03T09:00:00",
            "--end",
            "2026-12-03T09:30:00",
            "--time-zone",
            "Pacific Standard Time",
            "--attendee",
            "bob@graphmeetdev.onmicrosoft.com",
            "--attendee",
            "guest@fabrikam.example",
        ],
    )
    .await);
    let join = table
        .lines()
        .find_map(|l| l.strip_prefix("joinUrl:"))
        .map(str::trim)
        .unwrap_or_else(|| panic!("{table}"));
    assert!(join.contains("/l/meetup-join/19%3ameeting_"), "{table}");
    assert!(
        table.contains("start:") && table.contains("2026-12-03T17:00:00.0000000 UTC"),
        "{table}"
    );
    assert!(table.contains("teamsForBusiness"), "{table}");

    let listed = json(
        &graphmeet(
            data,
            &[
                "--output",
                "json",
                "event",
                "list",
                "--user",
                organizer,
                "--from",
                "2026-12-03T00:00:00Z",
                "--until",
                "2026-12-04T00:00:00Z",
            ],
        )
        .await,
    );
    let events = listed.as_array().unwrap();
    assert_eq!(events.len(), 1, "{listed}");
    assert_eq!(events[0]["onlineMeeting"]["joinUrl"], join);
    let id = events[0]["id"].as_str().unwrap().to_owned();
    let bob = json(
        &graphmeet(
            data,
            &[
                "--output",
                "json",
                "event",
                "list",
                "--user",
                "bob@graphmeetdev.onmicrosoft.com",
            ],
        )
        .await,
    );
    assert_eq!(bob[0]["iCalUId"], events[0]["iCalUId"], "Bob's copy");

    let got = json(
        &graphmeet(
            data,
            &[
                "--output", "json", "event", "get", "--user", organizer, "--id", &id,
            ],
        )
        .await,
    );
    assert_eq!(got["subject"], "Planning");
    let done = ok(&graphmeet(
        data,
        &[
            "event",
            "cancel",
            "--user",
            organizer,
            "--id",
            &id,
            "--comment",
            "next week",
        ],
    )
    .await);
    assert_eq!(done, format!("cancelled event {id}\n"));
    let gone = graphmeet(data, &["event", "get", "--user", organizer, "--id", &id]).await;
    assert_eq!(gone.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&gone.stderr).contains("ErrorItemNotFound"));

    let plain = json(
        &graphmeet(
            data,
            &[
                "--output",
                "json",
                "event",
                "create",
                "--organizer",
                organizer,
                "--subject",
                "No meeting",
                "--start",
                "2026-12-04T09:00:00",
                "--end",
                "2026-12-04T10:00:00",
                "--no-teams",
            ],
        )
        .await,
    );
    assert_eq!(plain["isOnlineMeeting"], false);
    let plain_id = plain["id"].as_str().unwrap();
    ok(&graphmeet(
        data,
        &["event", "delete", "--user", organizer, "--id", plain_id],
    )
    .await);
    let none = ok(&graphmeet(data, &["event", "list", "--user", organizer]).await);
    assert_eq!(none, "no events\n");
    server.shutdown().await;
}

#[tokio::test]
async fn exchange_policy_verbs_restrict_the_calendar_path_and_test_says_why() {
    let graphmeet_testkit::TestServer { server, dir, .. } =
        graphmeet_testkit::TestServer::start().await;
    let data = dir.path();
    let creds: Value =
        serde_json::from_slice(&std::fs::read(data.join("dev-credentials.json")).unwrap()).unwrap();
    let (app, organizer, organizer_id) = (
        creds["client_id"].as_str().unwrap(),
        creds["user_upn"].as_str().unwrap(),
        creds["user_id"].as_str().unwrap(),
    );
    ok(&graphmeet(
        data,
        &[
            "consent",
            "grant",
            "--app-id",
            app,
            "--roles",
            "Calendars.ReadWrite",
        ],
    )
    .await);
    let group = json(
        &graphmeet(
            data,
            &[
                "--output",
                "json",
                "group",
                "create",
                "--name",
                "Calendar Apps",
            ],
        )
        .await,
    );
    let group_id = group["id"].as_str().unwrap();

    let made = ok(&graphmeet(
        data,
        &[
            "exchange-policy",
            "new",
            "--app-ids",
            app,
            "--scope",
            "Calendar Apps",
            "--access-right",
            "RestrictAccess",
        ],
    )
    .await);
    assert!(
        made.contains("AccessRight") && made.contains(": RestrictAccess"),
        "{made}"
    );
    let listed = json(&graphmeet(data, &["--output", "json", "exchange-policy", "get"]).await);
    let identity = listed[0]["identity"].as_str().unwrap().to_owned();
    assert!(identity.ends_with(&format!(";{group_id}")), "{identity}");

    let tested = ok(&graphmeet(
        data,
        &[
            "exchange-policy",
            "test",
            "--identity",
            organizer,
            "--app-id",
            app,
        ],
    )
    .await);
    assert!(tested.contains("AccessCheckResult : Denied"), "{tested}");
    assert!(tested.contains("graph calls now: denied"), "{tested}");
    let blocked = graphmeet(data, &["event", "list", "--user", organizer]).await;
    assert_eq!(blocked.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&blocked.stderr).contains("[RAOP]"),
        "{}",
        String::from_utf8_lossy(&blocked.stderr)
    );

    // doctor --calendar names the gate and the fix.
    let doctor = graphmeet(data, &["doctor", "--calendar", "--user", organizer_id]).await;
    let text = String::from_utf8_lossy(&doctor.stdout).into_owned();
    assert_eq!(doctor.status.code(), Some(1), "{text}");
    assert!(text.contains("✓ calendar permission"), "{text}");
    assert!(
        text.contains("✗ exchange policy: Exchange's application access policy blocks the mailbox"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Test-ApplicationAccessPolicy -Identity {organizer_id} -AppId {app}"
        )),
        "{text}"
    );
    let onboard = ok(&graphmeet(
        data,
        &[
            "onboard",
            "--tenant",
            "contoso.onmicrosoft.com",
            "--app-id",
            app,
            "--user",
            "alex@contoso.onmicrosoft.com",
            "--calendar",
        ],
    )
    .await);
    assert!(onboard.contains("Connect-ExchangeOnline"), "{onboard}");
    assert!(
        onboard.contains(&format!(
            "New-ApplicationAccessPolicy -AppId {app} -PolicyScopeGroupId"
        )),
        "{onboard}"
    );
    assert!(onboard.contains("-AccessRight RestrictAccess"), "{onboard}");

    ok(&graphmeet(
        data,
        &[
            "group",
            "add-member",
            "--group",
            group_id,
            "--user",
            organizer_id,
        ],
    )
    .await);
    let doctor = ok(&graphmeet(data, &["doctor", "--calendar", "--user", organizer_id]).await);
    assert!(
        doctor.contains("✓ exchange policy") && doctor.contains("all checks passed"),
        "{doctor}"
    );
    let tested = ok(&graphmeet(
        data,
        &[
            "exchange-policy",
            "test",
            "--identity",
            organizer,
            "--app-id",
            app,
        ],
    )
    .await);
    assert!(tested.contains("AccessCheckResult : Granted"), "{tested}");
    ok(&graphmeet(data, &["event", "list", "--user", organizer]).await);

    let set = json(
        &graphmeet(
            data,
            &[
                "--output",
                "json",
                "exchange-policy",
                "set",
                "--identity",
                &identity,
                "--description",
                "calendar app",
            ],
        )
        .await,
    );
    assert_eq!(set[0]["description"], "calendar app");
    ok(&graphmeet(
        data,
        &["exchange-policy", "remove", "--identity", &identity],
    )
    .await);
    let none = ok(&graphmeet(data, &["exchange-policy", "get"]).await);
    assert_eq!(none, "no Exchange application access policies\n");
    server.shutdown().await;
}
