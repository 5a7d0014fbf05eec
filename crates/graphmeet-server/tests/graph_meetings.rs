//! The Graph online-meetings API over HTTPS, on SQLite and PostgreSQL: every operation, the
//! resource's shape, the envelope, and the real errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;
use common::*;
use reqwest::Method;
use serde_json::{json, Value};

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

fn join_id_of(meeting: &Value) -> String {
    meeting["joinMeetingIdSettings"]["joinMeetingId"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn on_every_backend<F, Fut>(check: F)
where
    F: Fn(TestServer) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for (name, db) in databases().await {
        eprintln!("running on {name}");
        let t = TestServer::start_on(db.as_ref().map(|d| d.url.clone())).await;
        check(t).await;
        if let Some(db) = db {
            db.cleanup().await.unwrap();
        }
    }
}

#[tokio::test]
async fn meeting_lifecycle_on_every_backend() {
    on_every_backend(|t| async move {
        let token = t.app_token().await;
        let uid = t.cred("user_id");
        let tid = t.cred("tenant_id");
        let base = format!("/v1.0/users/{uid}/onlineMeetings");
        let (status, headers, created) = t
            .graph(
                Some(&token),
                Method::POST,
                &base,
                Some(json!({"@odata.type": "#microsoft.graph.onlineMeeting", "subject": "Planning", "startDateTime": "2026-12-01T14:30:34.244491-07:00", "endDateTime": "2026-12-01T22:00:00+00:00", "joinMeetingIdSettings": {"isPasscodeRequired": true}})),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        assert!(headers["content-type"].to_str().unwrap().starts_with("application/json"));
        assert!(headers.contains_key("request-id"));
        assert_eq!(headers["client-request-id"], headers["request-id"]);
        assert!(headers.contains_key("x-ms-ags-diagnostic"));
        assert_eq!(created["@odata.context"], t.url(&format!("/v1.0/$metadata#users('{uid}')/onlineMeetings/$entity")));
        assert_eq!(created["@odata.type"], "#microsoft.graph.onlineMeeting");
        assert_eq!(created["subject"], "Planning");
        assert_eq!(created["startDateTime"], "2026-12-01T21:30:34.2444910Z");
        assert_eq!(created["endDateTime"], "2026-12-01T22:00:00.0000000Z");
        let id = created["id"].as_str().unwrap().to_owned();
        assert!(id.starts_with("MSo") || id.starts_with("MSp"), "{id}");
        assert_eq!(id.len(), 148);
        let join_url = created["joinWebUrl"].as_str().unwrap().to_owned();
        assert!(join_url.starts_with(&t.url("/l/meetup-join/19%3ameeting_")), "{join_url}");
        assert!(join_url.contains(&format!("%22Tid%22%3a%22{tid}%22%2c%22Oid%22%3a%22{uid}%22")), "{join_url}");
        let jm = &created["joinMeetingIdSettings"];
        let join_id = jm["joinMeetingId"].as_str().unwrap().to_owned();
        assert_eq!(join_id.len(), 13);
        assert!(join_id.chars().all(|c| c.is_ascii_digit()));
        assert_eq!(jm["isPasscodeRequired"], true);
        assert_eq!(jm["passcode"].as_str().unwrap().len(), 8);
        let organizer = &created["participants"]["organizer"];
        assert_eq!(organizer["upn"], t.cred("user_upn").as_str());
        assert_eq!(organizer["identity"]["user"]["id"], uid.as_str());
        assert_eq!(organizer["identity"]["user"]["tenantId"], tid.as_str());
        assert_eq!(organizer["identity"]["user"]["identityProvider"], "AAD");
        assert_eq!(created["chatInfo"]["messageId"], "0");
        assert!(created["chatInfo"]["threadId"].as_str().unwrap().ends_with("@thread.v2"));
        assert!(created["audioConferencing"]["conferenceId"].as_str().is_some());
        assert_eq!(created["lobbyBypassSettings"]["scope"], "organization");
        assert!(created.get("externalId").is_some_and(Value::is_null), "nulls are serialised");
        assert!(created.get("recording").is_none(), "beta-only properties stay out of v1.0");

        // The join URL points at this server's landing page.
        let page = t.http.get(&join_url).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        let html = page.text().await.unwrap();
        assert!(html.contains("<h1>Planning</h1>") && html.contains(&t.cred("user_upn")) && html.contains(&join_id_of(&created)), "{html}");

        let (status, _, got) = t.graph(Some(&token), Method::GET, &format!("{base}/{id}"), None).await;
        assert_eq!(status, 200);
        assert_eq!(got["id"], id.as_str());
        assert_eq!(got["joinWebUrl"], join_url.as_str());

        // $filter as msgraph-sdk encodes it: the exact joinWebUrl inside the quotes.
        let filter = format!("JoinWebUrl eq '{join_url}'");
        let (status, _, found) = t.graph(Some(&token), Method::GET, &format!("{base}?$filter={}", encode(&filter)), None).await;
        assert_eq!(status, 200, "{found}");
        assert_eq!(found["@odata.context"], t.url(&format!("/v1.0/$metadata#users('{uid}')/onlineMeetings")));
        assert_eq!(found["value"].as_array().unwrap().len(), 1);
        assert_eq!(found["value"][0]["id"], id.as_str());
        // The documented form: the literal URL-encoded first.
        let filter = format!("JoinWebUrl eq '{}'", encode(&join_url));
        let (_, _, found) = t.graph(Some(&token), Method::GET, &format!("{base}?$filter={}", encode(&filter)), None).await;
        assert_eq!(found["value"][0]["id"], id.as_str());
        let filter = format!("joinMeetingIdSettings/joinMeetingId eq '{join_id}'");
        let (status, _, found) = t.graph(Some(&token), Method::GET, &format!("{base}?$filter={}", encode(&filter)), None).await;
        assert_eq!(status, 200);
        assert_eq!(found["value"][0]["id"], id.as_str());
        let (_, _, none) = t.graph(Some(&token), Method::GET, &format!("{base}?$filter={}", encode("joinMeetingIdSettings/joinMeetingId eq '1111111111111'")), None).await;
        assert_eq!(none["value"], json!([]));

        let (status, _, patched) = t.graph(Some(&token), Method::PATCH, &format!("{base}/{id}"), Some(json!({"@odata.type": "#microsoft.graph.onlineMeeting", "subject": "Planning (moved)"}))).await;
        assert_eq!(status, 200, "{patched}");
        assert_eq!(patched["subject"], "Planning (moved)");
        assert_eq!(patched["id"], id.as_str());
        assert_eq!(patched["joinMeetingIdSettings"]["joinMeetingId"], join_id.as_str());

        let (status, _, first) = t.graph(Some(&token), Method::POST, &format!("{base}/createOrGet"), Some(json!({"externalId": "ext-123", "subject": "Standup"}))).await;
        assert_eq!(status, 201, "{first}");
        assert_eq!(first["externalId"], "ext-123");
        assert_eq!(first["joinMeetingIdSettings"]["isPasscodeRequired"], false);
        let (status, _, second) = t.graph(Some(&token), Method::POST, &format!("{base}/createOrGet"), Some(json!({"externalId": "ext-123", "subject": "Other subject"}))).await;
        assert_eq!(status, 200);
        assert_eq!(second["id"], first["id"]);
        assert_eq!(second["subject"], "Standup", "the stored meeting is returned unchanged");

        let (status, headers, body) = t.graph(Some(&token), Method::DELETE, &format!("{base}/{id}"), None).await;
        assert_eq!(status, 204);
        assert_eq!(body, Value::Null);
        assert!(!headers.contains_key("content-type"));
        let (status, _, body) = t.graph(Some(&token), Method::GET, &format!("{base}/{id}"), None).await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(body["error"]["code"], "NotFound");
        t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn beta_adds_its_extras_and_prefer_reveals_new_enum_members() {
    let t = TestServer::start().await;
    let token = t.app_token().await;
    let uid = t.cred("user_id");
    let body = json!({"subject": "Beta", "lobbyBypassSettings": {"scope": "invited"}});
    let (status, _, beta) = t
        .graph(
            Some(&token),
            Method::POST,
            &format!("/beta/users/{uid}/onlineMeetings"),
            Some(body),
        )
        .await;
    assert_eq!(status, 201, "{beta}");
    assert!(beta.get("recording").is_some());
    assert_eq!(
        beta["@odata.context"],
        t.url(&format!(
            "/beta/$metadata#users('{uid}')/onlineMeetings/$entity"
        ))
    );
    assert_eq!(beta["lobbyBypassSettings"]["scope"], "unknownFutureValue");
    let id = beta["id"].as_str().unwrap();
    let r = t
        .http
        .get(t.url(&format!("/v1.0/users/{uid}/onlineMeetings/{id}")))
        .bearer_auth(&token)
        .header("Prefer", "include-unknown-enum-members")
        .send()
        .await
        .unwrap();
    let got: Value = r.json().await.unwrap();
    assert_eq!(got["lobbyBypassSettings"]["scope"], "invited");
    let r = t
        .http
        .get(t.url(&format!(
            "/v1.0/users/{uid}/onlineMeetings/{id}?$select=subject,joinWebUrl"
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let selected: Value = r.json().await.unwrap();
    assert_eq!(selected["subject"], "Beta");
    assert!(selected.get("joinWebUrl").is_some());
    assert!(selected.get("participants").is_none());
    assert_eq!(
        selected["@odata.context"],
        t.url(&format!(
            "/v1.0/$metadata#users('{uid}')/onlineMeetings(subject,joinWebUrl)/$entity"
        ))
    );
    t.server.shutdown().await;
}
