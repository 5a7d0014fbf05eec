//! Graph rules that need time to pass, through the whole application (no socket) with a manual
//! clock: the application-access-policy propagation delay, and token expiry.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use axum::body::Body;
use axum::http::Request;
use chrono::{Duration, TimeZone, Utc};
use graphmeet_core::{GrantTarget, ManualClock};
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;

struct Harness {
    _dir: tempfile::TempDir,
    clock: Arc<ManualClock>,
    parts: graphmeet_server::Parts,
    /// What it was built with, to build another server on the same database.
    settings: graphmeet_server::Settings,
    tenant: String,
    user: String,
    app: String,
    secret: String,
}

impl Harness {
    async fn new(delay: Duration, database_url: Option<String>) -> Self {
        Self::with_quota(delay, database_url, None).await
    }

    async fn with_quota(delay: Duration, database_url: Option<String>, quota: Option<u32>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap(),
        ));
        let url = database_url
            .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("g.db").display()));
        let mut settings = graphmeet_server::Settings::new("https://graph.test", "k");
        settings.policy_propagation_delay = delay;
        settings.meeting_quota = quota;
        let parts = graphmeet_server::build(&url, clock.clone(), settings.clone())
            .await
            .unwrap();
        let d = &parts.state.directory;
        let tenant = d.create_tenant("Contoso", None, None).await.unwrap();
        let user = d
            .create_user(
                "contoso.onmicrosoft.com",
                "amy@contoso.onmicrosoft.com",
                None,
                None,
            )
            .await
            .unwrap();
        let (app, _) = d
            .create_app("contoso.onmicrosoft.com", "Scheduler", false)
            .await
            .unwrap();
        let secret = d
            .add_secret(app.app_id, "s", Duration::days(365))
            .await
            .unwrap();
        d.grant_consent(
            "contoso.onmicrosoft.com",
            app.app_id,
            &["OnlineMeetings.ReadWrite.All".into()],
        )
        .await
        .unwrap();
        Self {
            _dir: dir,
            clock,
            parts,
            settings,
            tenant: tenant.id.to_string(),
            user: user.id.to_string(),
            app: app.app_id.to_string(),
            secret: secret.value,
        }
    }

    async fn send(&self, request: Request<Body>) -> (u16, axum::http::HeaderMap, Value) {
        let response = graphmeet_server::app(self.parts.state.clone())
            .oneshot(request)
            .await
            .unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (
            status,
            headers,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    async fn token(&self) -> String {
        let body = format!("grant_type=client_credentials&client_id={}&client_secret={}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default", self.app, url::form_urlencoded::byte_serialize(self.secret.as_bytes()).collect::<String>());
        let request = Request::post(format!("/{}/oauth2/v2.0/token", self.tenant))
            .header("host", "graph.test")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        let (status, _, body) = self.send(request).await;
        assert_eq!(status, 200, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    async fn create(&self, token: &str) -> (u16, axum::http::HeaderMap, Value) {
        let request = Request::post(format!("/v1.0/users/{}/onlineMeetings", self.user))
            .header("host", "graph.test")
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(Body::from(json!({"subject": "clocked"}).to_string()))
            .unwrap();
        self.send(request).await
    }

    async fn post(
        &self,
        token: &str,
        path: &str,
        body: Value,
    ) -> (u16, axum::http::HeaderMap, Value) {
        let request = Request::post(format!("/v1.0/users/{}/onlineMeetings{path}", self.user))
            .header("host", "graph.test")
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(request).await
    }

    async fn stored(&self) -> u64 {
        graphmeet_core::Store::count_meetings(
            self.parts.store.as_ref(),
            self.tenant.parse().unwrap(),
            None,
        )
        .await
        .unwrap()
    }

    async fn allow_everyone(&self) {
        let d = &self.parts.state.directory;
        d.create_policy(&self.tenant, "meetings", &[self.app.parse().unwrap()], "")
            .await
            .unwrap();
        d.grant_policy(&self.tenant, "meetings", GrantTarget::Global)
            .await
            .unwrap();
    }
}

/// SQLite always; PostgreSQL (a schema of its own) when GRAPHMEET_TEST_POSTGRES_URL is set.
async fn databases() -> Vec<(Option<String>, Option<graphmeet_store::TestDatabase>)> {
    let mut out = vec![(None, None)];
    if let Some(pg) = graphmeet_store::TestDatabase::postgres().await {
        out.push((Some(pg.url.clone()), Some(pg)));
    }
    out
}

#[tokio::test]
async fn a_new_grant_takes_effect_after_the_propagation_delay() {
    for (url, db) in databases().await {
        grant_takes_effect_after_the_delay(url).await;
        if let Some(db) = db {
            db.cleanup().await.unwrap();
        }
    }
}

async fn grant_takes_effect_after_the_delay(url: Option<String>) {
    let h = Harness::new(Duration::minutes(30), url).await;
    let d = &h.parts.state.directory;
    d.create_policy(&h.tenant, "meetings", &[h.app.parse().unwrap()], "")
        .await
        .unwrap();
    d.grant_policy(
        &h.tenant,
        "meetings",
        GrantTarget::User(h.user.parse().unwrap()),
    )
    .await
    .unwrap();
    let token = h.token().await;

    h.clock.advance(Duration::minutes(10));
    let (status, headers, body) = h.create(&token).await;
    assert_eq!(status, 403, "{body}");
    let reason = headers["x-graphmeet-policy-decision"].to_str().unwrap();
    assert!(
        reason.contains("takes effect at 2026-03-01T09:30:00"),
        "{reason}"
    );

    h.clock.advance(Duration::minutes(20));
    assert_eq!(
        h.create(&token).await.0,
        201,
        "30 minutes after the grant it applies"
    );

    // A revocation also waits out the delay.
    d.revoke_policy(&h.tenant, GrantTarget::User(h.user.parse().unwrap()))
        .await
        .unwrap();
    h.clock.advance(Duration::minutes(29));
    assert_eq!(
        h.create(&token).await.0,
        201,
        "the revocation has not reached Graph yet"
    );
    h.clock.advance(Duration::minutes(1));
    assert_eq!(h.create(&token).await.0, 403);
}

#[tokio::test]
async fn without_a_delay_changes_apply_at_once_and_tokens_expire_on_the_clock() {
    let h = Harness::new(Duration::zero(), None).await;
    let d = &h.parts.state.directory;
    d.create_policy(&h.tenant, "meetings", &[h.app.parse().unwrap()], "")
        .await
        .unwrap();
    d.grant_policy(&h.tenant, "meetings", GrantTarget::Global)
        .await
        .unwrap();
    let token = h.token().await;
    assert_eq!(h.create(&token).await.0, 201);
    h.clock.advance(Duration::minutes(64));
    assert_eq!(h.create(&token).await.0, 201, "still inside exp + skew");
    h.clock.advance(Duration::minutes(10));
    let (status, _, body) = h.create(&token).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    assert_eq!(body["error"]["message"], "Access token has expired.");
}

#[tokio::test]
async fn the_monthly_meeting_quota_counts_creations_per_organizer_until_the_month_ends() {
    for (url, db) in databases().await {
        quota_of_three(url).await;
        if let Some(db) = db {
            db.cleanup().await.unwrap();
        }
    }
}

async fn quota_of_three(url: Option<String>) {
    let h = Harness::with_quota(Duration::zero(), url, Some(3)).await;
    h.allow_everyone().await;
    // The last hour of March (UTC).
    h.clock.advance(Duration::days(30) + Duration::hours(14));
    let token = h.token().await;

    let (status, _, first) = h.create(&token).await;
    assert_eq!(status, 201, "{first}");
    let (status, _, standup) = h
        .post(&token, "/createOrGet", json!({"externalId": "standup"}))
        .await;
    assert_eq!(status, 201, "{standup}");
    assert_eq!(h.create(&token).await.0, 201);
    assert_eq!(h.stored().await, 3);

    // The fourth: 429 until April, and nothing stored.
    for (path, body) in [
        ("", json!({"subject": "fourth"})),
        ("/createOrGet", json!({"externalId": "retro"})),
    ] {
        let (status, headers, body) = h.post(&token, path, body).await;
        assert_eq!(status, 429, "{path}: {body}");
        assert_eq!(body["error"]["code"], "TooManyRequests");
        assert_eq!(
            body["error"]["message"],
            format!(
                "Too many requests from Identifier:{}. Please try again later.",
                h.user
            )
        );
        assert!(
            body["error"]["innerError"]["request-id"].is_string(),
            "{body}"
        );
        assert_eq!(headers["retry-after"], "3600");
    }
    assert_eq!(h.stored().await, 3);

    // createOrGet finding its meeting is no creation: 200 even over the quota.
    let (status, _, found) = h
        .post(&token, "/createOrGet", json!({"externalId": "standup"}))
        .await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["id"], standup["id"]);

    // Deleting a meeting does not give its place back.
    let request = Request::delete(format!(
        "/v1.0/users/{}/onlineMeetings/{}",
        h.user,
        first["id"].as_str().unwrap()
    ))
    .header("host", "graph.test")
    .header("authorization", format!("Bearer {token}"))
    .body(Body::empty())
    .unwrap();
    assert_eq!(h.send(request).await.0, 204);
    assert_eq!(h.create(&token).await.0, 429);

    // April: a new month, a new quota.
    h.clock.advance(Duration::hours(1));
    let token = h.token().await;
    assert_eq!(h.create(&token).await.0, 201);
    let (status, _, body) = h
        .post(&token, "/createOrGet", json!({"externalId": "retro"}))
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(h.stored().await, 4);
}

#[tokio::test]
async fn the_quota_is_counted_in_the_database_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("shared.db").display());
    let h = Harness::with_quota(Duration::zero(), Some(url.clone()), Some(2)).await;
    h.allow_everyone().await;
    let token = h.token().await;
    assert_eq!(h.create(&token).await.0, 201);
    assert_eq!(h.create(&token).await.0, 201);
    // Another server on the same database (a restart, or a second instance).
    let other = graphmeet_server::build(&url, h.clock.clone(), h.settings.clone())
        .await
        .unwrap();
    let request = Request::post(format!("/v1.0/users/{}/onlineMeetings", h.user))
        .header("host", "graph.test")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::from("{}"))
        .unwrap();
    let response = graphmeet_server::app(other.state.clone())
        .oneshot(request)
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 429);
}

#[tokio::test]
async fn without_a_quota_there_is_no_limit() {
    let h = Harness::new(Duration::zero(), None).await;
    h.allow_everyone().await;
    let token = h.token().await;
    for _ in 0..25 {
        assert_eq!(h.create(&token).await.0, 201);
    }
    assert_eq!(h.stored().await, 25);
}
