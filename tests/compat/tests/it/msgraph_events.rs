//! The Microsoft Graph Python SDK (`msgraph-sdk`, from PyPI) creates calendar-backed Teams
//! meetings on a running graphmeet server: an event with `is_online_meeting` and
//! `teamsForBusiness` for the dev organizer with an in-tenant and an external attendee, the
//! meeting found by `JoinWebUrl`, the calendar view, a move the meeting follows, the
//! attendee's acceptance, the organizer's cancel; then Exchange's application access policy
//! (RestrictAccess to a group the organizer is not in) gives the real 403, and adding the
//! organizer to the group lets the call through, on a manual clock past the propagation delay.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use serde_json::{json, Value};
use std::path::Path;

const BOB: &str = "bob@graphmeetdev.onmicrosoft.com";
const DELAY_MINUTES: i64 = 30;

struct Admin {
    http: reqwest::Client,
    base: String,
    key: String,
}

impl Admin {
    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("x-graphmeet-admin-key", &self.key)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn advance(&self) {
        let (status, body) = self
            .call(
                reqwest::Method::POST,
                "/admin/clock",
                json!({"advance": format!("PT{DELAY_MINUTES}M")}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
}

async fn run(python: &Path, creds: &Path, ca: &Path, args: &[&str]) -> Value {
    let script = graphmeet_compat::python_dir().join("msgraph_events.py");
    let output = tokio::process::Command::new(python)
        .arg(&script)
        .args(&args[..1])
        .arg(creds)
        .args(&args[1..])
        .env("SSL_CERT_FILE", ca)
        .env("REQUESTS_CA_BUNDLE", ca)
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{stderr}", String::from_utf8_lossy(&output.stdout)))
}

#[tokio::test]
async fn msgraph_sdk_creates_calendar_backed_meetings_under_exchanges_policy(
) -> Result<(), graphmeet_compat::VenvError> {
    let python = graphmeet_compat::venv_python()?;
    let t = graphmeet_testkit::TestServer::start_with(tempfile::tempdir().unwrap(), |config| {
        config.manual_clock = true;
        config.policy_propagation_delay = chrono::Duration::minutes(DELAY_MINUTES);
    })
    .await;
    let admin = Admin {
        http: t.http.clone(),
        base: t.server.base_url.clone(),
        key: t.admin_key(),
    };
    let graphmeet_testkit::TestServer {
        server,
        creds,
        dir: _dir,
        ..
    } = t;
    let creds_path = server.dev_credentials.clone().unwrap();
    let ca = server.ca_cert_path.clone().unwrap();
    let tenant = creds["tenant_id"].as_str().unwrap();
    let app = creds["client_id"].as_str().unwrap();
    let organizer = creds["user_id"].as_str().unwrap();
    let (status, body) = admin
        .call(
            reqwest::Method::POST,
            "/admin/consents",
            json!({"tenant": tenant, "app_id": app, "roles": ["OnlineMeetings.ReadWrite.All", "Calendars.ReadWrite"]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = admin
        .call(
            reqwest::Method::POST,
            "/admin/users",
            json!({"tenant": tenant, "upn": BOB, "display_name": "Bob"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");

    // The dev setup's Teams policy grant (made at start) reaches decisions after the delay:
    // finding the meeting by JoinWebUrl is a Teams call.
    admin.advance().await;
    let out = run(&python, &creds_path, &ca, &["events", BOB]).await;
    let wire = &out["wire"];
    let created = &out["create"];
    assert_eq!(created["status"], 201, "{wire}");
    assert_eq!(created["is_online_meeting"], true);
    assert_eq!(created["online_meeting_provider"], "teamsForBusiness");
    assert_eq!(created["is_organizer"], true);
    assert_eq!(created["start"]["date_time"], "2026-12-03T17:00:00.0000000");
    assert_eq!(created["start"]["time_zone"], "UTC");
    let join_url = created["join_url"].as_str().unwrap();
    assert!(
        join_url.contains("/l/meetup-join/19%3ameeting_"),
        "{join_url}"
    );
    assert_eq!(
        out["meeting"],
        json!([{"join_web_url": join_url, "subject": "Compat calendar meeting", "start": "2026-12-03T17:00:00+00:00"}])
    );
    assert_eq!(out["calendar_view"]["status"], 200);
    assert_eq!(out["calendar_view"]["ids"], json!([created["id"]]));
    assert_eq!(out["move"]["status"], 200);
    assert_eq!(
        out["move"]["start"]["date_time"],
        "2026-12-03T18:00:00.0000000"
    );
    assert_eq!(
        out["meeting_after_move"],
        json!(["2026-12-03T18:00:00+00:00"])
    );
    let copy = &out["attendee_copy"];
    assert_ne!(copy["id"], created["id"]);
    assert_eq!(copy["ical_uid"], created["ical_uid"]);
    assert_eq!(copy["is_organizer"], false);
    assert_eq!(copy["response"], "none");
    assert_eq!(copy["join_url"], join_url);
    assert_eq!(out["accept"]["status"], 202);
    let attendees = &out["organizer_after_accept"]["attendees"];
    assert_eq!(
        attendees[0],
        json!({"address": BOB, "response": "accepted"})
    );
    assert_eq!(
        attendees[1],
        json!({"address": "someone@fabrikam.example", "response": "none"})
    );
    assert_eq!(out["cancel"]["status"], 202);
    assert_eq!(out["get_after_cancel"]["status"], 404);
    assert_eq!(out["get_after_cancel"]["code"], "ErrorItemNotFound");
    assert_eq!(out["meeting_after_cancel"], 0);
    assert_eq!(out["attendee_copy_after_cancel"]["is_cancelled"], true);

    // Exchange's application access policy: RestrictAccess to a group without the organizer.
    let (status, group) = admin
        .call(
            reqwest::Method::POST,
            "/admin/groups",
            json!({"tenant": tenant, "display_name": "Calendar Apps"}),
        )
        .await;
    assert_eq!(status, 201, "{group}");
    let group_id = group["id"].as_str().unwrap();
    let (status, body) = admin
        .call(
            reqwest::Method::POST,
            "/admin/cs",
            json!({"script": format!("New-ApplicationAccessPolicy -AppId {app} -PolicyScopeGroupId \"Calendar Apps\" -AccessRight RestrictAccess -Description \"Restrict this app to members of Calendar Apps\"")}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    admin.advance().await;
    let blocked = run(&python, &creds_path, &ca, &["list"]).await;
    assert_eq!(blocked["status"], 403, "{blocked}");
    assert_eq!(blocked["code"], "ErrorAccessDenied");
    assert_eq!(
        blocked["message"],
        "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings."
    );

    let (status, body) = admin
        .call(
            reqwest::Method::POST,
            &format!("/admin/groups/{group_id}/members"),
            json!({"user_id": organizer}),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    admin.advance().await;
    let allowed = run(&python, &creds_path, &ca, &["list"]).await;
    assert_eq!(allowed["status"], 200, "{allowed}");
    assert_eq!(allowed["error"], Value::Null);
    server.shutdown().await;
    Ok(())
}
