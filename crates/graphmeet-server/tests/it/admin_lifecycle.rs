//! The admin API's deletions, credential listing and removal, consent revocation and reset,
//! through HTTP against a bootstrapped server, on SQLite and (when configured) PostgreSQL:
//! each change, and what the user of the identity platform and Graph sees afterwards.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use graphmeet_testkit::assertion::*;
use graphmeet_testkit::*;
use reqwest::Method;
use serde_json::{json, Value};

/// Runs `check` against a fresh bootstrapped server on every database.
macro_rules! on_every_database {
    ($($name:ident => $check:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            for (backend, db) in databases().await {
                eprintln!("{}: running on {backend}", stringify!($name));
                let t = TestServer::start_on(db.as_ref().map(|d| d.url.clone())).await;
                $check(&t).await;
                t.server.shutdown().await;
                if let Some(db) = db {
                    db.cleanup().await.unwrap();
                }
            }
        }
    )*};
}

on_every_database!(
    deleting_a_user_takes_its_meetings_memberships_and_grants => user_deletion,
    deleting_an_app_refuses_its_tokens_and_policies_keep_its_id => app_deletion,
    credentials_are_listed_without_values_and_a_removed_secret_gets_no_token => credentials,
    revoking_consent_takes_the_role_out_of_new_tokens => consent_revocation,
    deleting_a_group_takes_its_grants_and_deleting_a_tenant_takes_everything => group_and_tenant_deletion,
    reset_empties_the_state_and_the_server_stays_ready => reset,
);

fn assert_aadsts(status: u16, body: &Value, want_status: u16, code: u64) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["error_codes"], json!([code]), "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .starts_with(&format!("AADSTS{code}: ")),
        "{body}"
    );
}

async fn create_meeting(t: &TestServer, token: &str, user: &str) -> (u16, Value) {
    let (status, _, body) = t
        .graph(
            Some(token),
            Method::POST,
            &format!("/v1.0/users/{user}/onlineMeetings"),
            Some(json!({"subject": "Planning"})),
        )
        .await;
    (status, body)
}

async fn user_deletion(t: &TestServer) {
    let (tenant, user, upn) = (t.cred("tenant_id"), t.cred("user_id"), t.cred("user_upn"));
    let token = t.app_token().await;
    let (status, meeting) = create_meeting(t, &token, &user).await;
    assert_eq!(status, 201, "{meeting}");
    let meeting_id = meeting["id"].as_str().unwrap().to_owned();
    let (status, group) = t
        .admin(
            Method::POST,
            "/admin/groups",
            Some(json!({"tenant": tenant, "display_name": "Organizers"})),
        )
        .await;
    assert_eq!(status, 201, "{group}");
    let group_id = group["id"].as_str().unwrap().to_owned();
    let (status, _) = t
        .admin(
            Method::POST,
            &format!("/admin/groups/{group_id}/members"),
            Some(json!({"user_id": user})),
        )
        .await;
    assert_eq!(status, 204);
    let (status, members) = t
        .admin(
            Method::GET,
            &format!("/admin/groups/{group_id}/members"),
            None,
        )
        .await;
    assert_eq!(
        (status, members[0]["upn"].as_str()),
        (200, Some(upn.as_str()))
    );

    // By UPN, in any case.
    let (status, body) = t
        .admin(
            Method::DELETE,
            &format!("/admin/users/{}", upn.to_uppercase()),
            None,
        )
        .await;
    assert_eq!(status, 204, "{body}");

    let (_, users) = t
        .admin(Method::GET, &format!("/admin/tenants/{tenant}/users"), None)
        .await;
    assert_eq!(users, json!([]));
    let (_, members) = t
        .admin(
            Method::GET,
            &format!("/admin/groups/{group_id}/members"),
            None,
        )
        .await;
    assert_eq!(members, json!([]));
    let (_, grants) = t
        .admin(
            Method::GET,
            &format!("/admin/policy-grants?tenant={tenant}"),
            None,
        )
        .await;
    assert_eq!(grants, json!([]));
    // The meeting went with its organizer.
    let (status, _, body) = t
        .graph(
            Some(&token),
            Method::GET,
            &format!("/v1.0/users/{user}/onlineMeetings/{meeting_id}"),
            None,
        )
        .await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = t
        .admin(Method::DELETE, &format!("/admin/users/{user}"), None)
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("notFound"))
    );
}

async fn app_deletion(t: &TestServer) {
    let (tenant, app) = (t.cred("tenant_id"), t.cred("client_id"));
    t.app_token().await;
    let (status, body) = t
        .admin(Method::DELETE, &format!("/admin/apps/{app}"), None)
        .await;
    assert_eq!(status, 204, "{body}");

    let (status, body) = t.secret_token().await;
    assert_aadsts(status, &body, 400, 700016);
    let (_, apps) = t.admin(Method::GET, "/admin/apps", None).await;
    assert_eq!(apps, json!([]));
    let (status, _) = t
        .admin(Method::GET, &format!("/admin/apps/{app}/credentials"), None)
        .await;
    assert_eq!(status, 404);
    // Teams policies list app ids as plain GUIDs: the policy still names the app.
    let (_, policies) = t
        .admin(
            Method::GET,
            &format!("/admin/policies?tenant={tenant}"),
            None,
        )
        .await;
    assert_eq!(policies[0]["app_ids"], json!([app]));
    let (status, _) = t
        .admin(Method::DELETE, &format!("/admin/apps/{app}"), None)
        .await;
    assert_eq!(status, 404);
    let (status, _) = t
        .admin(Method::DELETE, "/admin/apps/not-a-guid", None)
        .await;
    assert_eq!(status, 400);
}

async fn credentials(t: &TestServer) {
    let app = t.cred("client_id");
    let secret = t.cred("client_secret");
    let (status, creds) = t
        .admin(Method::GET, &format!("/admin/apps/{app}/credentials"), None)
        .await;
    assert_eq!(status, 200, "{creds}");
    assert_eq!(creds["app_id"], app.as_str());
    let secrets = creds["secrets"].as_array().unwrap();
    assert_eq!(secrets.len(), 1);
    assert_eq!(secrets[0]["hint"], &secret[..3]);
    assert_eq!(secrets[0]["display_name"], "dev secret");
    for field in ["key_id", "start_date_time", "end_date_time"] {
        assert!(secrets[0][field].is_string(), "{field}: {creds}");
    }
    assert!(
        !creds.to_string().contains(&secret),
        "the value leaked: {creds}"
    );
    let certs = creds["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 1);
    assert_eq!(certs[0]["thumbprint"].as_str().unwrap().len(), 40);
    assert!(certs[0].get("private_pem").is_none());
    assert!(certs[0]["end_date_time"].is_string());

    let key_id = secrets[0]["key_id"].as_str().unwrap().to_owned();
    let (status, _) = t
        .admin(
            Method::DELETE,
            &format!("/admin/apps/{app}/secrets/{key_id}"),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (status, body) = t.secret_token().await;
    assert_aadsts(status, &body, 401, 7000215);
    let (status, _) = t
        .admin(
            Method::DELETE,
            &format!("/admin/apps/{app}/secrets/{key_id}"),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let cert_key = certs[0]["key_id"].as_str().unwrap().to_owned();
    // A certificate's key id is not a secret's.
    let (status, _) = t
        .admin(
            Method::DELETE,
            &format!("/admin/apps/{app}/secrets/{cert_key}"),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = t
        .admin(
            Method::DELETE,
            &format!("/admin/apps/{app}/certificates/{cert_key}"),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (_, creds) = t
        .admin(Method::GET, &format!("/admin/apps/{app}/credentials"), None)
        .await;
    assert_eq!(creds["secrets"], json!([]));
    assert_eq!(creds["certificates"], json!([]));
}

async fn consent_revocation(t: &TestServer) {
    let (tenant, app) = (t.cred("tenant_id"), t.cred("client_id"));
    let before = claims(&t.app_token().await);
    assert_eq!(before["roles"], json!(["OnlineMeetings.ReadWrite.All"]));
    let (status, sp) = t
        .admin(
            Method::POST,
            "/admin/consents/revoke",
            Some(
                json!({"tenant": tenant, "app_id": app, "roles": ["onlinemeetings.readwrite.all"]}),
            ),
        )
        .await;
    assert_eq!(status, 200, "{sp}");
    assert_eq!(sp["app_roles"], json!([]));
    assert_eq!(sp["app_id"], app.as_str());
    // The service principal stays: the app still gets tokens, without the role.
    let after = claims(&t.app_token().await);
    assert!(after.get("roles").is_none(), "{after}");
    let (status, body) = create_meeting(t, &t.app_token().await, &t.cred("user_id")).await;
    assert_eq!(status, 403, "{body}");

    let (status, body) = t
        .admin(
            Method::POST,
            "/admin/consents/revoke",
            Some(json!({"tenant": tenant, "app_id": app, "roles": ["Mail.Send"]})),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = t
        .admin(
            Method::POST,
            "/admin/consents/revoke",
            Some(json!({"tenant": tenant, "app_id": app, "roles": []})),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let (_, other) = t
        .admin(
            Method::POST,
            "/admin/tenants",
            Some(json!({"display_name": "Other", "domain": "other.example"})),
        )
        .await;
    let (status, body) = t
        .admin(
            Method::POST,
            "/admin/consents/revoke",
            Some(json!({"tenant": other["id"], "app_id": app, "roles": ["OnlineMeetings.ReadWrite.All"]})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("notFound")),
        "{body}"
    );
    // Consent again: the role is back.
    let (status, _) = t
        .admin(
            Method::POST,
            "/admin/consents",
            Some(
                json!({"tenant": tenant, "app_id": app, "roles": ["OnlineMeetings.ReadWrite.All"]}),
            ),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        claims(&t.app_token().await)["roles"],
        json!(["OnlineMeetings.ReadWrite.All"])
    );
}

async fn group_and_tenant_deletion(t: &TestServer) {
    let tenant = t.cred("tenant_id");
    let (_, group) = t
        .admin(
            Method::POST,
            "/admin/groups",
            Some(json!({"tenant": tenant, "display_name": "Schedulers"})),
        )
        .await;
    let group_id = group["id"].as_str().unwrap().to_owned();
    let (status, _) = t
        .admin(
            Method::POST,
            "/admin/policy-grants",
            Some(json!({"tenant": tenant, "policy_name": "graphmeet-dev-meetings", "group": group_id, "rank": 3})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, groups) = t
        .admin(
            Method::GET,
            &format!("/admin/tenants/{tenant}/groups"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(groups.as_array().unwrap().len(), 1);
    assert_eq!(groups[0]["display_name"], "Schedulers");

    let (status, _) = t
        .admin(Method::DELETE, &format!("/admin/groups/{group_id}"), None)
        .await;
    assert_eq!(status, 204);
    let (_, groups) = t
        .admin(
            Method::GET,
            &format!("/admin/tenants/{tenant}/groups"),
            None,
        )
        .await;
    assert_eq!(groups, json!([]));
    let (_, grants) = t
        .admin(
            Method::GET,
            &format!("/admin/policy-grants?tenant={tenant}"),
            None,
        )
        .await;
    let kinds: Vec<&str> = grants
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["target_kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["user"]);
    let (status, _) = t
        .admin(Method::DELETE, &format!("/admin/groups/{group_id}"), None)
        .await;
    assert_eq!(status, 404);

    // A tenant named by its domain.
    let (status, body) = t
        .admin(
            Method::DELETE,
            "/admin/tenants/GraphmeetDev.onmicrosoft.com",
            None,
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (_, tenants) = t.admin(Method::GET, "/admin/tenants", None).await;
    assert_eq!(tenants, json!([]));
    let (_, apps) = t.admin(Method::GET, "/admin/apps", None).await;
    assert_eq!(apps, json!([]));
    let (status, body) = t.secret_token().await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = t
        .admin(Method::DELETE, &format!("/admin/tenants/{tenant}"), None)
        .await;
    assert_eq!(status, 404);
}

async fn reset(t: &TestServer) {
    t.app_token().await;
    let (status, body) = t.admin(Method::POST, "/admin/reset", None).await;
    assert_eq!(status, 204, "{body}");
    let (_, tenants) = t.admin(Method::GET, "/admin/tenants", None).await;
    assert_eq!(tenants, json!([]));
    let (_, apps) = t.admin(Method::GET, "/admin/apps", None).await;
    assert_eq!(apps, json!([]));
    let (_, export) = t.admin(Method::GET, "/admin/export", None).await;
    assert_eq!(export, json!({}));
    // The audit log starts again, with the reset itself.
    let (_, audit) = t.admin(Method::GET, "/admin/audit", None).await;
    assert_eq!(audit.as_array().unwrap().len(), 1, "{audit}");
    assert_eq!(audit[0]["operation"], "POST /admin/reset");
    // Signing keys stay: the server is ready, and the tenant can be made again.
    let ready = t.http.get(t.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status().as_u16(), 200);
    let (status, tenant) = t
        .admin(
            Method::POST,
            "/admin/tenants",
            Some(
                json!({"display_name": "graphmeet dev", "domain": "graphmeetdev.onmicrosoft.com"}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{tenant}");
    // The old tenant id is gone; in the new tenant of that domain the old app is unknown.
    let (status, body) = t.secret_token().await;
    assert_aadsts(status, &body, 400, 90002);
    let (status, _, body) = t
        .token_form(
            "graphmeetdev.onmicrosoft.com",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &t.cred("client_id")),
                ("client_secret", &t.cred("client_secret")),
                ("scope", "https://graph.microsoft.com/.default"),
            ],
        )
        .await;
    assert_aadsts(status, &body, 400, 700016);
}

#[tokio::test]
async fn the_new_routes_need_the_admin_key() {
    let t = TestServer::start().await;
    for (method, path) in [
        (Method::POST, "/admin/reset"),
        (Method::GET, "/admin/export"),
        (Method::POST, "/admin/apply"),
        (Method::DELETE, "/admin/tenants/x"),
        (Method::DELETE, "/admin/users/x"),
        (Method::DELETE, "/admin/apps/x"),
        (Method::GET, "/admin/apps/x/credentials"),
        (Method::POST, "/admin/consents/revoke"),
    ] {
        let r = t.http.request(method, t.url(path)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 401, "{path}");
    }
    let (_, tenants) = t.admin(Method::GET, "/admin/tenants", None).await;
    assert_eq!(tenants.as_array().unwrap().len(), 1);
    t.server.shutdown().await;
}

#[tokio::test]
async fn a_manual_clock_moves_only_when_told_and_token_expiry_follows_it() {
    // On the system clock, time cannot be moved.
    let system = TestServer::start().await;
    let (status, body) = system
        .admin(
            reqwest::Method::POST,
            "/admin/clock",
            Some(serde_json::json!({"advance": "PT1H"})),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    let (_, clock) = system
        .admin(reqwest::Method::GET, "/admin/clock", None)
        .await;
    assert_eq!(clock["mode"], "system");
    system.server.shutdown().await;

    let t = TestServer::start_with(tempfile::tempdir().unwrap(), |c| c.manual_clock = true).await;
    let (_, before) = t.admin(reqwest::Method::GET, "/admin/clock", None).await;
    assert_eq!(before["mode"], "manual");
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let (_, still) = t.admin(reqwest::Method::GET, "/admin/clock", None).await;
    assert_eq!(
        still["now"], before["now"],
        "the virtual clock stands still"
    );

    let token = t.app_token().await;
    let user = t.cred("user_id");
    let create = |token: String| {
        let t = &t;
        let user = user.clone();
        async move {
            t.graph(
                Some(&token),
                reqwest::Method::POST,
                &format!("/v1.0/users/{user}/onlineMeetings"),
                Some(serde_json::json!({"subject": "on virtual time"})),
            )
            .await
        }
    };
    assert_eq!(create(token.clone()).await.0, 201);
    let (status, moved) = t
        .admin(
            reqwest::Method::POST,
            "/admin/clock",
            Some(serde_json::json!({"advance": "PT2H30M"})),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    let (status, _, body) = create(token).await;
    assert_eq!(
        status, 401,
        "the token expired on the virtual clock: {body}"
    );
    assert_eq!(body["error"]["message"], "Access token has expired.");
    // A new token is issued at the virtual time, and works.
    let (status, _, meeting) = create(t.app_token().await).await;
    assert_eq!(status, 201);
    let moved_to = chrono::DateTime::parse_from_rfc3339(moved["now"].as_str().unwrap()).unwrap();
    let created =
        chrono::DateTime::parse_from_rfc3339(meeting["creationDateTime"].as_str().unwrap())
            .unwrap();
    assert!(
        (created - moved_to).num_seconds().abs() < 2,
        "{created} vs {moved_to}"
    );

    let (status, set) = t
        .admin(
            reqwest::Method::POST,
            "/admin/clock",
            Some(serde_json::json!({"set": "2027-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!(
        (status, set["now"].as_str()),
        (200, Some("2027-01-01T00:00:00.000Z"))
    );
    for bad in [
        serde_json::json!({"advance": "30 minutes"}),
        serde_json::json!({"advance": "P1M"}),
        serde_json::json!({"set": "tomorrow"}),
        serde_json::json!({"advance": "PT1H", "set": "2027-01-01T00:00:00Z"}),
        serde_json::json!({}),
    ] {
        let (status, body) = t
            .admin(reqwest::Method::POST, "/admin/clock", Some(bad.clone()))
            .await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    t.server.shutdown().await;
}
