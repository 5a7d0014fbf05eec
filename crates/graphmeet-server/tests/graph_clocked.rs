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
    tenant: String,
    user: String,
    app: String,
    secret: String,
}

impl Harness {
    async fn new(delay: Duration, database_url: Option<String>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap(),
        ));
        let url = database_url
            .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("g.db").display()));
        let mut settings = graphmeet_server::Settings::new("https://graph.test", "k");
        settings.policy_propagation_delay = delay;
        let parts = graphmeet_server::build(&url, clock.clone(), settings)
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
