//! The Microsoft Graph Python SDK (`msgraph-sdk` with `azure-identity`'s aio
//! `ClientSecretCredential`, from PyPI) manages online meetings on a running graphmeet server
//! over HTTPS, with only the authority and the Graph base URL changed: create, get, find by
//! `JoinWebUrl` and by `joinMeetingId`, update (a nested property too), createOrGet, delete, the
//! access-policy 403, organizers without a licence or a live account, and the meeting quota.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use serde_json::{json, Value};

/// Creates a user of the dev tenant through the admin API, with `account` settings, granted
/// the dev app's access policy when `granted`.
async fn create_user(
    t: &graphmeet_testkit::TestServer,
    alias: &str,
    account: Value,
    granted: bool,
) -> String {
    let mut body = json!({
        "tenant": t.creds["tenant_id"],
        "upn": format!("{alias}@graphmeetdev.onmicrosoft.com"),
    });
    body.as_object_mut()
        .unwrap()
        .extend(account.as_object().unwrap().clone());
    let (status, user) = t
        .admin(reqwest::Method::POST, "/admin/users", Some(body))
        .await;
    assert_eq!(status, 201, "POST /admin/users: {user}");
    let id = user["id"].as_str().unwrap().to_owned();
    if granted {
        let (status, _) = t
            .admin(
                reqwest::Method::POST,
                "/admin/policy-grants",
                Some(json!({"policy_name": "graphmeet-dev-meetings", "user": id})),
            )
            .await;
        assert_eq!(status, 200);
    }
    id
}

fn assert_digits(value: &Value, what: &str) {
    let s = value.as_str().unwrap_or_else(|| panic!("{what}: {value}"));
    assert!(
        (10..=15).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()),
        "{what}: {s}"
    );
}

#[tokio::test]
async fn msgraph_sdk_manages_meetings_and_sees_the_policy_error(
) -> Result<(), graphmeet_compat::VenvError> {
    let python = graphmeet_compat::venv_python()?;
    // The script creates three meetings for the dev organizer; its fourth create is over.
    let t = graphmeet_testkit::TestServer::start_with(tempfile::tempdir().unwrap(), |config| {
        config.meeting_quota = Some(3)
    })
    .await;
    let creds_path = t.server.dev_credentials.clone().unwrap();
    let ca = t.ca_cert_path();
    let bob = create_user(&t, "bob", json!({}), false).await;
    let unlicensed = create_user(&t, "unlicensed", json!({"teams_license": false}), true).await;
    let disabled = create_user(&t, "leaver", json!({"account_enabled": false}), true).await;

    let script = graphmeet_compat::python_dir().join("msgraph_meetings.py");
    let output = tokio::process::Command::new(&python)
        .arg(&script)
        .arg(&creds_path)
        .arg(&bob)
        .arg(&unlicensed)
        .arg(&disabled)
        .env("SSL_CERT_FILE", &ca)
        .env("REQUESTS_CA_BUNDLE", &ca)
        .output()
        .await
        .unwrap();
    let out = graphmeet_compat::script_json(&output).unwrap_or_else(|e| panic!("{e}"));
    let wire = &out["wire"];

    // Create: 201, the organizer is the path user, a passcode of 8 and a numeric join id.
    let created = &out["create"];
    assert_eq!(created["status"], 201, "{wire}");
    let id = created["id"].as_str().unwrap();
    assert!(!id.is_empty());
    assert_eq!(created["subject"], "Compat meeting");
    assert_eq!(created["start"], "2026-12-01T14:30:00+00:00");
    assert_eq!(created["end"], "2026-12-01T15:00:00+00:00");
    assert_eq!(created["organizer_id"], t.creds["user_id"]);
    assert_eq!(created["is_passcode_required"], true);
    assert_eq!(
        created["passcode"].as_str().map(str::len),
        Some(8),
        "{created}"
    );
    assert_digits(&created["join_meeting_id"], "joinMeetingId");
    let join_web_url = created["join_web_url"].as_str().unwrap();
    assert!(join_web_url.starts_with("https://"), "{join_web_url}");

    // Get by id: the same meeting.
    let got = &out["get"];
    assert_eq!(got["status"], 200);
    for key in [
        "id",
        "subject",
        "join_web_url",
        "join_meeting_id",
        "passcode",
        "start",
        "end",
    ] {
        assert_eq!(got[key], created[key], "{key}");
    }

    // Find by JoinWebUrl (the SDK percent-encodes the literal, §5.3) and by joinMeetingId.
    let by_url = &out["find_by_join_web_url"];
    assert_eq!(by_url["status"], 200);
    assert_eq!(by_url["ids"], json!([id]), "{by_url}");
    assert!(
        by_url["query"]
            .as_str()
            .unwrap()
            .starts_with("$filter=JoinWebUrl%20eq%20%27https%3A%2F%2F"),
        "{by_url}"
    );
    let by_join_id = &out["find_by_join_meeting_id"];
    assert_eq!(by_join_id["status"], 200);
    assert_eq!(by_join_id["ids"], json!([id]), "{by_join_id}");
    assert_eq!(
        by_join_id["query"],
        format!(
            "$filter=joinMeetingIdSettings%2FjoinMeetingId%20eq%20%27{}%27",
            created["join_meeting_id"].as_str().unwrap()
        )
    );
    assert_eq!(out["find_nothing"]["ids"], json!([]));

    // Update the subject: PATCH answers the whole meeting, the rest unchanged.
    let updated = &out["update"];
    assert_eq!(updated["status"], 200);
    assert_eq!(updated["id"], id);
    assert_eq!(updated["subject"], "Compat meeting (renamed)");
    assert_eq!(updated["join_meeting_id"], created["join_meeting_id"]);
    assert_eq!(updated["start"], created["start"]);

    // createOrGet: 201 then 200 with the same meeting for one externalId; another id is new.
    let cog = &out["create_or_get"];
    assert_eq!(cog["first"]["status"], 201, "{cog}");
    assert_eq!(cog["second"]["status"], 200, "{cog}");
    assert_eq!(cog["other"]["status"], 201, "{cog}");
    assert_eq!(cog["first"]["id"], cog["second"]["id"]);
    assert_ne!(cog["first"]["id"], cog["other"]["id"]);
    assert_ne!(cog["first"]["id"], id);
    assert_eq!(cog["first"]["external_id"], cog["second"]["external_id"]);
    assert!(cog["first"]["external_id"]
        .as_str()
        .unwrap()
        .starts_with("compat-"));
    assert_eq!(cog["second"]["subject"], "Compat createOrGet");
    assert_eq!(cog["first"]["start"], "2026-12-01T14:30:00+00:00");
    assert_eq!(cog["other"]["subject"], "Compat other");
    assert_digits(
        &cog["other"]["join_meeting_id"],
        "createOrGet joinMeetingId",
    );

    // The GraphServiceClient(credentials, scopes) form reads the same meeting.
    assert_eq!(out["short_form_get"]["id"], cog["other"]["id"]);

    // Delete: 204, then the meeting is gone (ODataError 404).
    assert_eq!(out["delete"]["status"], 204);
    assert_eq!(
        out["get_after_delete"]["status"], 404,
        "{}",
        out["get_after_delete"]
    );

    // A user the app's access policy does not cover: ODataError 403 with Graph's text.
    let denied = &out["no_policy"];
    assert_eq!(denied["status"], 403, "{denied}");
    assert_eq!(denied["code"], "Forbidden");
    let message = denied["message"].as_str().unwrap();
    assert!(
        message.starts_with("No application access policy found for this app"),
        "{message}"
    );
    assert!(
        message.contains(t.creds["client_id"].as_str().unwrap()),
        "{message}"
    );
    assert!(denied["request_id"].as_str().is_some_and(|r| !r.is_empty()));

    // A PATCH of one nested property keeps the rest of the object.
    let nested = &out["patch_nested"];
    assert_eq!(nested["status"], 200, "{nested}");
    assert_eq!(nested["is_dial_in_bypass_enabled"], true, "{nested}");
    assert_eq!(nested["scope"], "organization", "{nested}");
    assert_eq!(nested["subject"], "Compat meeting (renamed)", "{nested}");

    // Organizers Teams cannot serve: Graph's bare 403.
    for key in ["unlicensed", "disabled"] {
        let refused = &out[key];
        assert_eq!(refused["status"], 403, "{key}: {refused}");
        assert_eq!(refused["code"], "Forbidden", "{key}: {refused}");
        assert_eq!(refused["message"], "", "{key}: {refused}");
    }

    // Over the quota: 429 TooManyRequests with a Retry-After the SDK does not wait out.
    let over = &out["over_quota"];
    assert_eq!(over["status"], 429, "{over}");
    assert_eq!(over["code"], "TooManyRequests", "{over}");
    assert!(
        over["retry_after"]
            .as_str()
            .and_then(|s| s.parse::<u64>().ok())
            .is_some_and(|s| s > 0),
        "{over}"
    );

    // Every Graph call went to /v1.0 with no doubled slash.
    for entry in wire.as_array().unwrap() {
        let path = entry["path"].as_str().unwrap();
        assert!(
            path.starts_with("/v1.0/users/") && !path.contains("//"),
            "{path}"
        );
    }
    t.stop().await;
    Ok(())
}
