//! The Graph API's refusals, each with the real status, code and message, and bad input that
//! stores nothing; createOrGet under concurrency; delegated calls on /me.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use graphmeet_core::Store;
use graphmeet_testkit::assertion::*;
use graphmeet_testkit::*;
use reqwest::Method;
use serde_json::{json, Value};

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

fn assert_graph_error(status: u16, body: &Value, want_status: u16, code: &str, message: &str) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert_eq!(body["error"]["message"], message, "{body}");
    let inner = &body["error"]["innerError"];
    let date = inner["date"].as_str().unwrap();
    assert!(
        chrono::NaiveDateTime::parse_from_str(date, "%Y-%m-%dT%H:%M:%S").is_ok(),
        "{date}"
    );
    assert!(uuid::Uuid::parse_str(inner["request-id"].as_str().unwrap()).is_ok());
    assert!(inner["client-request-id"].is_string());
}

async fn meeting_count(t: &TestServer, database_url: &str) -> u64 {
    let store = graphmeet_store::SqlStore::connect(database_url)
        .await
        .unwrap();
    let n = store
        .count_meetings(t.cred("tenant_id").parse().unwrap(), None)
        .await
        .unwrap();
    store.close().await;
    n
}

/// A server, the dev app's token, and the dev organizer's meetings path.
async fn start() -> (TestServer, String, String) {
    let t = TestServer::start().await;
    let token = t.app_token().await;
    let base = format!("/v1.0/users/{}/onlineMeetings", t.cred("user_id"));
    (t, token, base)
}

#[tokio::test]
async fn a_call_without_a_token_is_401_access_token_is_empty() {
    let (t, _, base) = start().await;
    let (s, h, b) = t
        .graph(
            None,
            Method::GET,
            &format!(
                "{base}?$filter={}",
                encode("joinMeetingIdSettings/joinMeetingId eq '1'")
            ),
            None,
        )
        .await;
    assert_graph_error(
        s,
        &b,
        401,
        "InvalidAuthenticationToken",
        "Access token is empty.",
    );
    assert!(h.contains_key("request-id"));
    t.server.shutdown().await;
}

#[tokio::test]
async fn a_token_that_is_not_a_jwt_is_401_compact_token_parsing_failed() {
    let (t, _, base) = start().await;
    let (s, _, b) = t
        .graph(Some("not-a-jwt"), Method::POST, &base, Some(json!({})))
        .await;
    assert_graph_error(
        s,
        &b,
        401,
        "InvalidAuthenticationToken",
        "CompactToken parsing failed with error code: 80049217",
    );
    t.server.shutdown().await;
}

#[tokio::test]
async fn a_forged_alg_none_token_with_our_claims_is_401() {
    let (t, token, base) = start().await;
    let parts: Vec<&str> = token.split('.').collect();
    let none = format!(
        "{}.{}.",
        graphmeet_wire::b64::url_encode(br#"{"alg":"none","typ":"JWT"}"#),
        parts[1]
    );
    let (s, _, b) = t
        .graph(Some(&none), Method::POST, &base, Some(json!({})))
        .await;
    assert_eq!(s, 401, "{b}");
    assert_eq!(b["error"]["code"], "InvalidAuthenticationToken");
    t.server.shutdown().await;
}

#[tokio::test]
async fn a_token_with_a_tampered_signature_is_401() {
    let (t, token, base) = start().await;
    let parts: Vec<&str> = token.split('.').collect();
    let sig = parts[2];
    let flipped = if &sig[10..11] == "A" { "B" } else { "A" };
    let tampered = format!(
        "{}.{}.{}{flipped}{}",
        parts[0],
        parts[1],
        &sig[..10],
        &sig[11..]
    );
    assert_eq!(
        t.graph(Some(&tampered), Method::POST, &base, Some(json!({})))
            .await
            .0,
        401
    );
    t.server.shutdown().await;
}

#[tokio::test]
async fn the_client_request_id_is_echoed_in_the_header_and_in_inner_error() {
    let (t, _, base) = start().await;
    let r = t
        .http
        .post(t.url(&base))
        .header("client-request-id", "6b4ed36d-5ddc-05e8-28d9-1e2e085b56dd")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["client-request-id"],
        "6b4ed36d-5ddc-05e8-28d9-1e2e085b56dd"
    );
    let b: Value = r.json().await.unwrap();
    assert_eq!(
        b["error"]["innerError"]["client-request-id"],
        "6b4ed36d-5ddc-05e8-28d9-1e2e085b56dd"
    );
    t.server.shutdown().await;
}

#[tokio::test]
async fn an_app_token_on_me_is_400_only_valid_with_delegated_authentication() {
    let (t, token, _) = start().await;
    let (s, _, b) = t
        .graph(
            Some(&token),
            Method::POST,
            "/v1.0/me/onlineMeetings",
            Some(json!({})),
        )
        .await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(
        b["error"]["message"],
        "/me request is only valid with delegated authentication flow."
    );
    t.server.shutdown().await;
}

#[tokio::test]
async fn a_upn_where_the_object_id_belongs_is_404_request_resource_not_found() {
    let (t, token, _) = start().await;
    let (s, _, b) = t
        .graph(
            Some(&token),
            Method::POST,
            &format!("/v1.0/users/{}/onlineMeetings", encode(&t.cred("user_upn"))),
            Some(json!({})),
        )
        .await;
    // The directory's answer: code `Request_ResourceNotFound` with its text.
    assert_eq!(s, 404, "{b}");
    assert_eq!(b["error"]["code"], "Request_ResourceNotFound");
    t.server.shutdown().await;
}

#[tokio::test]
async fn an_unknown_user_is_404_naming_the_resource() {
    let (t, token, _) = start().await;
    let unknown = uuid::Uuid::new_v4();
    let (s, _, b) = t
        .graph(
            Some(&token),
            Method::POST,
            &format!("/v1.0/users/{unknown}/onlineMeetings"),
            Some(json!({})),
        )
        .await;
    assert_graph_error(
        s,
        &b,
        404,
        "Request_ResourceNotFound",
        &format!("Resource '{unknown}' does not exist or one of its queried reference-property objects are not present."),
    );
    t.server.shutdown().await;
}

#[tokio::test]
async fn a_user_of_another_tenant_is_not_found_from_this_tenants_token() {
    let (t, token, _) = start().await;
    let (_, other) = t
        .admin(
            Method::POST,
            "/admin/tenants",
            Some(json!({"display_name": "Fabrikam"})),
        )
        .await;
    let (_, stranger) = t
        .admin(
            Method::POST,
            "/admin/users",
            Some(json!({"tenant": other["id"], "upn": "x@fabrikam.onmicrosoft.com"})),
        )
        .await;
    let (s, _, _) = t
        .graph(
            Some(&token),
            Method::POST,
            &format!(
                "/v1.0/users/{}/onlineMeetings",
                stranger["id"].as_str().unwrap()
            ),
            Some(json!({})),
        )
        .await;
    assert_eq!(s, 404);
    t.server.shutdown().await;
}

#[tokio::test]
async fn a_corrupted_meeting_id_is_400_meeting_id_is_corrupted() {
    let (t, token, base) = start().await;
    let (s, _, b) = t
        .graph(
            Some(&token),
            Method::GET,
            &format!("{base}/bm90LWFuLWlk"),
            None,
        )
        .await;
    assert_graph_error(s, &b, 400, "BadRequest", "Meeting Id is corrupted.");
    t.server.shutdown().await;
}

#[tokio::test]
async fn a_raw_thread_id_as_meeting_id_is_400_invalid_meeting_id() {
    let (t, token, base) = start().await;
    let (s, _, b) = t
        .graph(
            Some(&token),
            Method::GET,
            &format!("{base}/{}", encode("19:meeting_abc@thread.v2")),
            None,
        )
        .await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(
        b["error"]["message"],
        "Invalid meeting id 19:meeting_abc@thread.v2."
    );
    t.server.shutdown().await;
}

/// A meeting the dev app created for the dev organizer, and Bob, a second organizer the dev
/// policy is granted to: the meeting and Bob's object id.
async fn the_organizers_meeting_and_bob(
    t: &TestServer,
    token: &str,
    base: &str,
) -> (Value, String) {
    let (s, _, created) = t
        .graph(
            Some(token),
            Method::POST,
            base,
            Some(json!({"subject": "mine"})),
        )
        .await;
    assert_eq!(s, 201);
    let (_, bob) = t
        .admin(
            Method::POST,
            "/admin/users",
            Some(json!({"tenant": t.cred("tenant_id"), "upn": "bob@graphmeetdev.onmicrosoft.com"})),
        )
        .await;
    let bob_id = bob["id"].as_str().unwrap().to_owned();
    let (s, _) = t.admin(Method::POST, "/admin/policy-grants", Some(json!({"tenant": t.cred("tenant_id"), "policy_name": "graphmeet-dev-meetings", "user": bob_id}))).await;
    assert_eq!(s, 200);
    (created, bob_id)
}

#[tokio::test]
async fn another_organizers_meeting_id_is_404_organizer_id_mismatch() {
    let (t, token, base) = start().await;
    let (created, bob_id) = the_organizers_meeting_and_bob(&t, &token, &base).await;
    let id = created["id"].as_str().unwrap();
    let (s, _, b) = t
        .graph(
            Some(&token),
            Method::GET,
            &format!("/v1.0/users/{bob_id}/onlineMeetings/{id}"),
            None,
        )
        .await;
    assert_graph_error(
        s,
        &b,
        404,
        "NotFound",
        &format!("Organizer Id mismatch User Id: {bob_id}."),
    );
    t.server.shutdown().await;
}

#[tokio::test]
async fn looking_up_another_organizers_meeting_by_join_id_is_403_3003() {
    let (t, token, base) = start().await;
    let (created, bob_id) = the_organizers_meeting_and_bob(&t, &token, &base).await;
    let join_id = created["joinMeetingIdSettings"]["joinMeetingId"]
        .as_str()
        .unwrap();
    let (s, _, b) = t
        .graph(
            Some(&token),
            Method::GET,
            &format!(
                "/v1.0/users/{bob_id}/onlineMeetings?$filter={}",
                encode(&format!(
                    "joinMeetingIdSettings/joinMeetingId eq '{join_id}'"
                ))
            ),
            None,
        )
        .await;
    assert_eq!(s, 403, "{b}");
    assert_eq!(
        b["error"]["message"],
        "3003: User does not have access to lookup meeting"
    );
    t.server.shutdown().await;
}

#[tokio::test]
async fn an_unsupported_filter_is_400_filter_expression_expected() {
    let (t, token, base) = start().await;
    let (s, _, b) = t
        .graph(
            Some(&token),
            Method::GET,
            &format!(
                "{base}?$filter={}",
                encode("startDateTime ge 2026-01-01T00:00:00Z")
            ),
            None,
        )
        .await;
    assert_graph_error(
        s,
        &b,
        400,
        "InvalidArgument",
        "Filter expression expected - /onlineMeetings?$filter={ParameterName} eq '{id}'.",
    );
    t.server.shutdown().await;
}

#[tokio::test]
async fn listing_meetings_without_a_filter_is_400_filter_expression_expected() {
    let (t, token, base) = start().await;
    let (s, _, b) = t.graph(Some(&token), Method::GET, &base, None).await;
    assert_graph_error(
        s,
        &b,
        400,
        "InvalidArgument",
        "Filter expression expected - /onlineMeetings?$filter={ParameterName} eq '{id}'.",
    );
    t.server.shutdown().await;
}

#[tokio::test]
async fn a_filter_on_a_single_meeting_is_400_not_a_collection() {
    let (t, token, base) = start().await;
    let (s, _, created) = t
        .graph(
            Some(&token),
            Method::POST,
            &base,
            Some(json!({"subject": "mine"})),
        )
        .await;
    assert_eq!(s, 201);
    let id = created["id"].as_str().unwrap();
    let (s, _, b) = t
        .graph(
            Some(&token),
            Method::GET,
            &format!("{base}/{id}?$filter={}", encode("subject eq 'x'")),
            None,
        )
        .await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(b["error"]["code"], "");
    assert_eq!(b["error"]["message"], "The query specified in the URI is not valid. The requested resource is not a collection. Query options $filter, $orderby, $count, $skip, and $top can be applied only on collections.");
    t.server.shutdown().await;
}

#[tokio::test]
async fn an_unknown_route_gets_graphs_400_envelope() {
    let (t, token, _) = start().await;
    let (s, h, b) = t
        .graph(Some(&token), Method::GET, "/v1.0/nowhere", None)
        .await;
    assert_graph_error(
        s,
        &b,
        400,
        "BadRequest",
        "Resource not found for the segment 'nowhere'.",
    );
    assert!(h.contains_key("request-id"));
    assert!(b["error"]["innerError"]["request-id"].is_string());
    t.server.shutdown().await;
}

#[tokio::test]
async fn an_unsupported_method_gets_graphs_405_request_bad_request() {
    let (t, token, base) = start().await;
    let (s, _, created) = t
        .graph(
            Some(&token),
            Method::POST,
            &base,
            Some(json!({"subject": "mine"})),
        )
        .await;
    assert_eq!(s, 201);
    let id = created["id"].as_str().unwrap();
    let (s, _, b) = t
        .graph(
            Some(&token),
            Method::PUT,
            &format!("{base}/{id}"),
            Some(json!({})),
        )
        .await;
    // Graph's 405: `Request_BadRequest`, the method not named.
    assert_graph_error(
        s,
        &b,
        405,
        "Request_BadRequest",
        "Specified HTTP method is not allowed for the request target.",
    );
    assert!(b["error"]["innerError"]["date"].is_string());
    t.server.shutdown().await;
}

#[tokio::test]
async fn a_token_without_the_role_gets_missing_role_permissions() {
    let t = TestServer::start().await;
    let tid = t.cred("tenant_id");
    let (_, app) = t
        .admin(
            Method::POST,
            "/admin/apps",
            Some(json!({"tenant": tid, "display_name": "no roles"})),
        )
        .await;
    let app_id = app["app_id"].as_str().unwrap();
    let (_, secret) = t
        .admin(
            Method::POST,
            &format!("/admin/apps/{app_id}/secrets"),
            Some(json!({})),
        )
        .await;
    let (_, _, body) = t
        .token_form(
            &tid,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", app_id),
                ("client_secret", secret["secret_text"].as_str().unwrap()),
                ("scope", "https://graph.microsoft.com/.default"),
            ],
        )
        .await;
    let token = body["access_token"].as_str().unwrap();
    let (s, _, b) = t
        .graph(
            Some(token),
            Method::POST,
            &format!("/v1.0/users/{}/onlineMeetings", t.cred("user_id")),
            Some(json!({})),
        )
        .await;
    assert_graph_error(s, &b, 403, "Forbidden", "Missing role permissions on the request. API requires one of 'OnlineMeetings.ReadWrite.All'. Roles on the request ''.");
    let (_, _) = t
        .admin(
            Method::POST,
            "/admin/consents",
            Some(json!({"tenant": tid, "app_id": app_id, "roles": ["OnlineMeetings.Read.All"]})),
        )
        .await;
    let (_, _, body) = t
        .token_form(
            &tid,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", app_id),
                ("client_secret", secret["secret_text"].as_str().unwrap()),
                ("scope", "https://graph.microsoft.com/.default"),
            ],
        )
        .await;
    let token = body["access_token"].as_str().unwrap();
    let (s, _, b) = t
        .graph(
            Some(token),
            Method::POST,
            &format!("/v1.0/users/{}/onlineMeetings", t.cred("user_id")),
            Some(json!({})),
        )
        .await;
    assert_graph_error(s, &b, 403, "Forbidden", "Missing role permissions on the request. API requires one of 'OnlineMeetings.ReadWrite.All'. Roles on the request 'OnlineMeetings.Read.All'.");
    // The role suffices for reads, but the policy does not list this app.
    let (s, _, b) = t
        .graph(
            Some(token),
            Method::GET,
            &format!(
                "/v1.0/users/{}/onlineMeetings?$filter={}",
                t.cred("user_id"),
                encode("joinMeetingIdSettings/joinMeetingId eq '1'")
            ),
            None,
        )
        .await;
    assert_graph_error(
        s,
        &b,
        403,
        "Forbidden",
        &format!("No application access policy found for this app {app_id} on the user"),
    );
    t.server.shutdown().await;
}

/// Runs `test` on every backend with a server, the URL of its database (SQLite: a file in the
/// server's directory), the dev app's token and the organizer's meetings path.
async fn on_every_database<F, Fut>(test: F)
where
    F: Fn(TestServer, String, String, String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for (name, db) in databases().await {
        eprintln!("running on {name}");
        let dir = tempfile::tempdir().unwrap();
        let url = db
            .as_ref()
            .map(|d| d.url.clone())
            .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("graphmeet.db").display()));
        let t = TestServer::start_with(dir, |c| c.database_url = Some(url.clone())).await;
        let token = t.app_token().await;
        let base = format!("/v1.0/users/{}/onlineMeetings", t.cred("user_id"));
        test(t, url, token, base).await;
        if let Some(db) = db {
            db.cleanup().await.unwrap();
        }
    }
}

/// Posts `body` as `content_type` to create a meeting; the status and JSON body.
async fn raw(
    t: &TestServer,
    token: &str,
    base: &str,
    body: &'static str,
    content_type: &str,
) -> (u16, Value) {
    let r = t
        .http
        .post(t.url(base))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json::<Value>().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn malformed_and_invalid_create_bodies_are_400_bad_request_and_store_nothing() {
    on_every_database(|t, url, token, base| async move {
        for (what, body) in [
            ("malformed JSON", "{\"subject\": "),
            ("not an object", "[1, 2]"),
            ("wrong type", r#"{"subject": 42}"#),
            (
                "wrong nested type",
                r#"{"lobbyBypassSettings": {"isDialInBypassEnabled": "yes"}}"#,
            ),
            (
                "unknown enum value",
                r#"{"allowedPresenters": "everybody"}"#,
            ),
            ("bad date", r#"{"startDateTime": "tomorrow"}"#),
            (
                "end before start",
                r#"{"startDateTime": "2026-12-01T15:00:00Z", "endDateTime": "2026-12-01T14:00:00Z"}"#,
            ),
            (
                "presenter without roleIsPresenter",
                r#"{"allowedPresenters": "everyone", "participants": {"attendees": [{"upn": "organizer@graphmeetdev.onmicrosoft.com", "role": "presenter"}]}}"#,
            ),
            (
                "attendee with nothing",
                r#"{"participants": {"attendees": [{"role": "attendee"}]}}"#,
            ),
        ] {
            let (status, body) = raw(&t, &token, &base, body, "application/json").await;
            assert_eq!(status, 400, "{what}: {body}");
            assert_eq!(body["error"]["code"], "BadRequest", "{what}: {body}");
            assert!(body["error"]["innerError"]["request-id"].is_string());
        }
        assert_eq!(meeting_count(&t, &url).await, 0, "nothing was stored");
        t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn a_create_body_that_is_not_json_is_415_and_stores_nothing() {
    on_every_database(|t, url, token, base| async move {
        let (status, _) = raw(&t, &token, &base, r#"{"subject": "x"}"#, "text/plain").await;
        assert_eq!(status, 415);
        assert_eq!(meeting_count(&t, &url).await, 0, "nothing was stored");
        t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn a_create_body_over_the_limit_is_413_and_stores_nothing() {
    on_every_database(|t, url, token, base| async move {
        let huge = format!(r#"{{"subject": "{}"}}"#, "x".repeat(2 * 1024 * 1024));
        let r = t
            .http
            .post(t.url(&base))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(huge)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 413);
        assert_eq!(meeting_count(&t, &url).await, 0, "nothing was stored");
        t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn create_or_get_without_an_external_id_or_with_an_end_and_no_start_is_400_and_stores_nothing(
) {
    on_every_database(|t, url, token, base| async move {
        let (status, body) = t
            .graph(
                Some(&token),
                Method::POST,
                &format!("{base}/createOrGet"),
                Some(json!({"subject": "no external id"})),
            )
            .await
            .into_parts();
        assert_eq!(status, 400, "{body}");
        let (status, body) = t
            .graph(
                Some(&token),
                Method::POST,
                &format!("{base}/createOrGet"),
                Some(json!({"externalId": "e", "endDateTime": "2026-12-01T14:00:00Z"})),
            )
            .await
            .into_parts();
        assert_eq!(status, 400, "end without start: {body}");
        assert_eq!(meeting_count(&t, &url).await, 0, "nothing was stored");
        t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn a_refused_patch_is_400_and_changes_nothing() {
    on_every_database(|t, _url, token, base| async move {
        let (_, _, m) = t
            .graph(
                Some(&token),
                Method::POST,
                &base,
                Some(json!({"subject": "rules"})),
            )
            .await;
        let id = m["id"].as_str().unwrap();
        for (what, patch) in [
            (
                "start without end",
                json!({"startDateTime": "2026-12-01T15:00:00Z"}),
            ),
            (
                "joinMeetingIdSettings",
                json!({"joinMeetingIdSettings": {"isPasscodeRequired": true}}),
            ),
            (
                "another organizer",
                json!({"participants": {"organizer": {"upn": "someone@graphmeetdev.onmicrosoft.com"}}}),
            ),
            (
                "roleIsPresenter without attendees",
                json!({"allowedPresenters": "roleIsPresenter"}),
            ),
        ] {
            let (status, _, body) = t
                .graph(
                    Some(&token),
                    Method::PATCH,
                    &format!("{base}/{id}"),
                    Some(patch),
                )
                .await;
            assert_eq!(status, 400, "{what}: {body}");
        }
        let (status, _, after) = t
            .graph(Some(&token), Method::GET, &format!("{base}/{id}"), None)
            .await;
        assert_eq!(status, 200);
        assert_eq!(after["subject"], "rules", "a refused PATCH changes nothing");
        assert_eq!(after["joinMeetingIdSettings"], m["joinMeetingIdSettings"]);
        t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn a_patch_replaces_the_attendees_whole_and_keeps_the_organizer() {
    on_every_database(|t, _url, token, base| async move {
        let (_, _, m) = t
            .graph(
                Some(&token),
                Method::POST,
                &base,
                Some(json!({"subject": "rules"})),
            )
            .await;
        let id = m["id"].as_str().unwrap();
        // Presenters with roleIsPresenter are fine.
        let attendees = json!([{"upn": "organizer@graphmeetdev.onmicrosoft.com", "role": "presenter"}, {"identity": {"user": {"id": "0b2f4a8e-8a57-4a39-9d3e-0ab5b1a1c0de"}}, "upn": "guest@example.org", "role": "attendee"}]);
        let (status, _, patched) = t.graph(Some(&token), Method::PATCH, &format!("{base}/{id}"), Some(json!({"allowedPresenters": "roleIsPresenter", "participants": {"attendees": attendees}}))).await;
        assert_eq!(status, 200, "{patched}");
        assert_eq!(
            patched["participants"]["attendees"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            patched["participants"]["attendees"][0]["identity"]["user"]["id"],
            t.cred("user_id").as_str()
        );
        let (_, _, patched) = t
            .graph(
                Some(&token),
                Method::PATCH,
                &format!("{base}/{id}"),
                Some(json!({"participants": {"attendees": []}})),
            )
            .await;
        assert_eq!(patched["participants"]["attendees"], json!([]));
        assert_eq!(
            patched["participants"]["organizer"]["upn"],
            t.cred("user_upn").as_str()
        );
        t.server.shutdown().await;
    })
    .await;
}

trait IntoParts {
    fn into_parts(self) -> (u16, Value);
}

impl IntoParts for (u16, reqwest::header::HeaderMap, Value) {
    fn into_parts(self) -> (u16, Value) {
        (self.0, self.2)
    }
}

#[tokio::test]
async fn fifty_concurrent_create_or_get_calls_make_exactly_one_meeting() {
    for (name, db) in databases().await {
        eprintln!("running on {name}");
        let dir = tempfile::tempdir().unwrap();
        let url = db
            .as_ref()
            .map(|d| d.url.clone())
            .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("graphmeet.db").display()));
        let t = std::sync::Arc::new(
            TestServer::start_with(dir, |c| c.database_url = Some(url.clone())).await,
        );
        let token = t.app_token().await;
        let path = format!(
            "/v1.0/users/{}/onlineMeetings/createOrGet",
            t.cred("user_id")
        );
        let mut tasks = Vec::new();
        for i in 0..50 {
            let (t, token, path) = (t.clone(), token.clone(), path.clone());
            tasks.push(tokio::spawn(async move {
                t.graph(
                    Some(&token),
                    Method::POST,
                    &path,
                    Some(json!({"externalId": "same-key", "subject": format!("call {i}")})),
                )
                .await
            }));
        }
        let mut created = 0;
        let mut ids = std::collections::BTreeSet::new();
        for task in tasks {
            let (status, _, body) = task.await.unwrap();
            assert!(status == 200 || status == 201, "{status} {body}");
            created += usize::from(status == 201);
            ids.insert(body["id"].as_str().unwrap().to_owned());
        }
        assert_eq!(created, 1, "{name}: exactly one call creates");
        assert_eq!(ids.len(), 1, "{name}: every call sees the same meeting");
        assert_eq!(meeting_count(&t, &url).await, 1);
        if let Some(db) = db {
            db.cleanup().await.unwrap();
        }
    }
}

#[tokio::test]
async fn a_signed_in_user_manages_their_own_meetings_on_me() {
    let t = TestServer::start().await;
    let tid = t.cred("tenant_id");
    let (status, user) = t.admin(Method::POST, "/admin/users", Some(json!({"tenant": tid, "upn": "dana@graphmeetdev.onmicrosoft.com", "password": "correct horse battery"}))).await;
    assert_eq!(status, 201, "{user}");
    let t = &t;
    // The dev app is a confidential client (public client flows off): it sends its secret.
    let password_form = |password: &'static str| {
        let cid = t.cred("client_id");
        let secret = t.cred("client_secret");
        async move {
            t.token_form(
                &t.cred("tenant_id"),
                &[
                    ("grant_type", "password"),
                    ("client_id", &cid),
                    ("client_secret", &secret),
                    ("username", "Dana@graphmeetdev.onmicrosoft.com"),
                    ("password", password),
                    (
                        "scope",
                        "https://graph.microsoft.com/OnlineMeetings.ReadWrite openid profile",
                    ),
                ],
            )
            .await
        }
    };
    let (status, _, body) = password_form("wrong").await;
    assert_eq!(status, 400);
    assert_eq!(body["error_codes"], json!([50126]));
    let (status, _, body) = password_form("correct horse battery").await;
    assert_eq!(status, 200, "{body}");
    let token = body["access_token"].as_str().unwrap().to_owned();
    let c = claims(&token);
    assert_eq!(c["scp"], "OnlineMeetings.ReadWrite");
    assert_eq!(c["idtyp"], "user");
    assert_eq!(c["oid"], user["id"]);
    let (status, _, m) = t
        .graph(
            Some(&token),
            Method::POST,
            "/v1.0/me/onlineMeetings",
            Some(json!({"subject": "mine"})),
        )
        .await;
    assert_eq!(status, 201, "{m}");
    assert_eq!(
        m["@odata.context"],
        t.url(&format!(
            "/v1.0/$metadata#users('{}')/onlineMeetings/$entity",
            user["id"].as_str().unwrap()
        ))
    );
    assert_eq!(
        m["participants"]["organizer"]["upn"],
        "dana@graphmeetdev.onmicrosoft.com"
    );
    let id = m["id"].as_str().unwrap();
    assert_eq!(
        t.graph(
            Some(&token),
            Method::GET,
            &format!("/v1.0/me/onlineMeetings/{id}"),
            None
        )
        .await
        .0,
        200
    );
    // No application access policy is needed for delegated calls, but a user acts for itself only.
    let (status, _, body) = t
        .graph(
            Some(&token),
            Method::POST,
            &format!("/v1.0/users/{}/onlineMeetings", t.cred("user_id")),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        t.graph(
            Some(&token),
            Method::DELETE,
            &format!("/v1.0/me/onlineMeetings/{id}"),
            None
        )
        .await
        .0,
        204
    );
}

#[tokio::test]
async fn injected_faults_fail_calls_as_graph_throttling_does() {
    let t = TestServer::start().await;
    let token = t.app_token().await;
    let path = t.url(&format!(
        "/v1.0/users/{}/onlineMeetings/createOrGet",
        t.cred("user_id")
    ));
    let call = || {
        t.http
            .post(&path)
            .bearer_auth(&token)
            .header(
                "x-graphmeet-fault",
                "429; retry-after=2; times=2; key=retry-test",
            )
            .json(&json!({"externalId": "fault"}))
            .send()
    };
    for _ in 0..2 {
        let r = call().await.unwrap();
        assert_eq!(r.status(), 429);
        assert_eq!(r.headers()["retry-after"], "2");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "TooManyRequests");
        assert!(body["error"]["innerError"]["request-id"].is_string());
    }
    assert_eq!(
        call().await.unwrap().status(),
        201,
        "the third attempt gets through"
    );
    let r = t
        .http
        .post(&path)
        .bearer_auth(&token)
        .header("x-graphmeet-fault", "teapot")
        .json(&json!({"externalId": "fault"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        400,
        "a malformed fault header is refused, not ignored"
    );
    t.server.shutdown().await;

    let t = TestServer::start_with(tempfile::tempdir().unwrap(), |c| {
        c.fault = Some("503:retry-after=1:every=2".parse().unwrap())
    })
    .await;
    let token = t.app_token().await;
    let base = format!("/v1.0/users/{}/onlineMeetings", t.cred("user_id"));
    let statuses: Vec<u16> = {
        let mut out = Vec::new();
        for _ in 0..4 {
            out.push(
                t.graph(
                    Some(&token),
                    Method::POST,
                    &base,
                    Some(json!({"subject": "x"})),
                )
                .await
                .0,
            );
        }
        out
    };
    assert_eq!(statuses, [201, 503, 201, 503]);
    t.server.shutdown().await;
}

#[tokio::test]
async fn allowed_and_denied_calls_and_admin_changes_are_audited() {
    for (name, db) in databases().await {
        eprintln!("running on {name}");
        let t = TestServer::start_on(db.as_ref().map(|d| d.url.clone())).await;
        let token = t.app_token().await;
        let (tid, app, uid) = (t.cred("tenant_id"), t.cred("client_id"), t.cred("user_id"));
        let (status, _, _) = t
            .graph(
                Some(&token),
                Method::POST,
                &format!("/v1.0/users/{uid}/onlineMeetings"),
                Some(json!({"subject": "audited"})),
            )
            .await;
        assert_eq!(status, 201);
        let (_, bob) = t
            .admin(
                Method::POST,
                "/admin/users",
                Some(json!({"tenant": tid, "upn": "bob@graphmeetdev.onmicrosoft.com"})),
            )
            .await;
        let bob_id = bob["id"].as_str().unwrap();
        let (status, headers, _) = t
            .graph(
                Some(&token),
                Method::POST,
                &format!("/v1.0/users/{bob_id}/onlineMeetings"),
                Some(json!({})),
            )
            .await;
        assert_eq!(status, 403);
        let request_id = headers["request-id"].to_str().unwrap().to_owned();

        let (status, denied) = t
            .admin(
                Method::GET,
                &format!("/admin/audit?tenant={tid}&decision=denied"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{denied}");
        let entries = denied.as_array().unwrap();
        assert_eq!(entries.len(), 1, "{denied}");
        let e = &entries[0];
        assert_eq!(e["request_id"], request_id.as_str());
        assert_eq!(e["app_id"], app.as_str());
        assert_eq!(e["user_id"], bob_id);
        assert_eq!(e["operation"], "CreateMeeting");
        assert!(
            e["reason"]
                .as_str()
                .unwrap()
                .starts_with("denied: no application access policy"),
            "{e}"
        );
        let (_, allowed) = t
            .admin(
                Method::GET,
                &format!("/admin/audit?app={app}&user={uid}&decision=allowed"),
                None,
            )
            .await;
        assert_eq!(allowed.as_array().unwrap().len(), 1, "{allowed}");
        assert!(allowed[0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("allowed:"));
        let (_, changes) = t
            .admin(Method::GET, "/admin/audit?decision=changed", None)
            .await;
        assert!(
            changes
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["operation"] == "POST /admin/users"),
            "{changes}"
        );
        let (status, _) = t
            .admin(Method::GET, "/admin/audit?decision=maybe", None)
            .await;
        assert_eq!(status, 400);
        t.server.shutdown().await;
        if let Some(db) = db {
            db.cleanup().await.unwrap();
        }
    }
}

#[tokio::test]
async fn hostile_dates_get_the_invalid_value_400_and_the_server_keeps_serving() {
    let t = TestServer::start().await;
    let token = t.app_token().await;
    let uid = t.cred("user_id");
    let base = format!("/v1.0/users/{uid}/onlineMeetings");
    for (path, body) in [
        (
            base.clone(),
            json!({"subject": "s", "startDateTime": "2027-01-01T10:00:00+€1"}),
        ),
        (
            base.clone(),
            json!({"subject": "s", "startDateTime": "+262142-12-31T23:59:59Z"}),
        ),
        (
            format!("{base}/createOrGet"),
            json!({"externalId": "e1", "startDateTime": "+262142-12-31T23:59:59Z"}),
        ),
        (
            format!("{base}/createOrGet"),
            json!({"externalId": "e2", "startDateTime": "2027-01-01T10:00:00+€1"}),
        ),
    ] {
        let value = body["startDateTime"].as_str().unwrap().to_owned();
        let (s, _, b) = t.graph(Some(&token), Method::POST, &path, Some(body)).await;
        assert_graph_error(
            s,
            &b,
            400,
            "BadRequest",
            &format!("Invalid value '{value}' for property 'startDateTime': expected an ISO 8601 date and time (Edm.DateTimeOffset), e.g. '2019-07-12T14:30:34.2444915-07:00'."),
        );
    }
    // The latest start Graph can hold gets the default end without overflowing.
    let (s, _, b) = t
        .graph(
            Some(&token),
            Method::POST,
            &base,
            Some(json!({"subject": "s", "startDateTime": "9999-12-31T23:30:00Z"})),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["endDateTime"], "9999-12-31T23:59:59.9999999Z");
    assert_eq!(b["expiryDateTime"], "9999-12-31T23:59:59.9999999Z");
    let (s, _, _) = t
        .graph(
            Some(&token),
            Method::GET,
            &format!("{base}/{}", b["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(s, 200);
    t.server.shutdown().await;
}

#[tokio::test]
async fn real_graph_resources_graphmeet_does_not_serve_are_501_naming_them() {
    let t = TestServer::start().await;
    let token = t.app_token().await;
    let user = t.cred("user_id");
    for (path, names) in [
        (format!("/v1.0/users/{user}/calendars"), "calendars"),
        ("/v1.0/me/messages".to_owned(), "mail"),
        (
            "/beta/communications/calls".to_owned(),
            "cloud communications",
        ),
        (
            format!("/v1.0/users/{user}/onlineMeetings/MSoxKjAqKjE5/attendeeReport"),
            "live-event attendee reports",
        ),
    ] {
        let (status, _, body) = t
            .graph(Some(&token), reqwest::Method::GET, &path, None)
            .await;
        assert_eq!(status, 501, "{path}: {body}");
        assert_eq!(body["error"]["code"], "NotImplemented", "{path}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(names) && message.contains("onlineMeetings"),
            "{path}: {message}"
        );
    }
    // A segment Graph does not have stays Graph's 400.
    let (status, _, body) = t
        .graph(Some(&token), reqwest::Method::GET, "/v1.0/nonsense", None)
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body["error"]["message"],
        "Resource not found for the segment 'nonsense'."
    );
    t.server.shutdown().await;
}

/// The OpenAPI description of the Microsoft surfaces names only routes the server routes: each
/// documented operation, called, reaches a handler (no unknown-segment 400, no unserved 501, no
/// 405), under both Graph versions; and the admin API's description is OpenAPI 3.1.
#[tokio::test]
async fn every_route_the_openapi_descriptions_name_is_served() {
    let t = TestServer::start().await;
    let token = t.app_token().await;
    let user = t.cred("user_id");
    let tenant = t.cred("tenant_id");
    let (status, _, admin) = t
        .graph(None, reqwest::Method::GET, "/admin/openapi.json", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(admin["openapi"], "3.1.0");
    let (status, _, doc) = t
        .graph(
            None,
            reqwest::Method::GET,
            graphmeet_server::openapi::MICROSOFT_PATH,
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(
        doc["components"]["schemas"]["onlineMeeting"]["properties"]["joinWebUrl"]["type"],
        json!(["string", "null"]),
        "the meeting schema is the wire type's: {}",
        doc["components"]["schemas"]["onlineMeeting"]
    );
    let paths = doc["paths"].as_object().unwrap();
    let expected: usize = graphmeet_server::openapi::MICROSOFT_ROUTES
        .iter()
        .map(|r| match r.surface {
            graphmeet_server::openapi::Surface::Graph => 2,
            graphmeet_server::openapi::Surface::Entra => 1,
        })
        .sum();
    let mut called = 0;
    for (path, item) in paths {
        for (method, _) in item.as_object().unwrap() {
            let concrete = path
                .replace("{user}", &user)
                .replace("{tenant}", &tenant)
                .replace("{id}", "MSpub3Qtb25lKjAqKjE5Om1lZXRpbmdfeEB0aHJlYWQudjI=");
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = (method == reqwest::Method::POST || method == reqwest::Method::PATCH)
                .then(|| json!({"subject": "documented"}));
            let (status, _, answer) = t.graph(Some(&token), method.clone(), &concrete, body).await;
            let message = answer["error"]["message"].as_str().unwrap_or_default();
            assert!(
                status != 501
                    && status != 405
                    && !message.starts_with("Resource not found for the segment"),
                "{method} {concrete} is documented but not served: {status} {answer}"
            );
            called += 1;
        }
    }
    assert_eq!(called, expected, "every route, under each Graph version");
}
