//! Refresh-token lifetimes, which need time to pass: driven through the whole application (no
//! socket) with a manual clock and a real SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use axum::body::Body;
use axum::http::Request;
use chrono::{Duration, TimeZone, Utc};
use graphmeet_core::ManualClock;
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

async fn token(
    parts: &graphmeet_server::Parts,
    tenant: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let request = Request::post(format!("/{tenant}/oauth2/v2.0/token"))
        .header("host", "login.test")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let response = graphmeet_server::app(parts.state.clone())
        .oneshot(request)
        .await
        .unwrap();
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, serde_json::from_slice(&bytes).unwrap())
}

/// A refresh token lives 90 days unused; each redemption gives a new one whose 90 days start
/// then; past them the answer is AADSTS700082 with the issue time.
#[tokio::test]
async fn a_refresh_token_expires_after_90_days_unused_and_each_redemption_slides_it() {
    let dir = tempfile::tempdir().unwrap();
    let start = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let url = format!("sqlite://{}", dir.path().join("g.db").display());
    let parts = graphmeet_server::build(
        &url,
        clock.clone(),
        graphmeet_server::Settings::new("https://login.test", "k"),
    )
    .await
    .unwrap();
    let directory = &parts.state.directory;
    let tenant = directory
        .create_tenant("Contoso", Some("contoso.test"), None)
        .await
        .unwrap();
    let tid = tenant.id.to_string();
    directory
        .create_user(
            &tid,
            "ann@contoso.test",
            Some("Ann"),
            Some("correct horse battery"),
        )
        .await
        .unwrap();
    let (app, _) = directory
        .create_app(&tid, "desktop tool", false)
        .await
        .unwrap();
    directory
        .set_allow_public_client(app.app_id, true)
        .await
        .unwrap();
    let cid = app.app_id.to_string();

    let (status, body) = token(
        &parts,
        &tid,
        &[
            ("client_id", &cid),
            ("grant_type", "password"),
            ("username", "ann@contoso.test"),
            ("password", "correct horse battery"),
            ("scope", "User.Read offline_access openid profile"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let first = body["refresh_token"].as_str().unwrap().to_owned();
    let redeem = |rt: String| {
        let (parts, tid, cid) = (&parts, tid.clone(), cid.clone());
        async move {
            token(
                parts,
                &tid,
                &[
                    ("client_id", &cid),
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &rt),
                    ("scope", "User.Read offline_access openid profile"),
                ],
            )
            .await
        }
    };
    clock.advance(Duration::days(89));
    let (status, body) = redeem(first.clone()).await;
    assert_eq!(status, 200, "{body}");
    let second = body["refresh_token"].as_str().unwrap().to_owned();

    clock.advance(Duration::days(2));
    let (status, body) = redeem(first).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(body["error_codes"], serde_json::json!([700082]));
    assert!(
        body["error_description"].as_str().unwrap().starts_with(
            "AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2026-03-01T09:00:00.0000000Z and was inactive for 90.00:00:00."
        ),
        "{body}"
    );
    // The one issued on day 89 is two days old.
    let (status, body) = redeem(second).await;
    assert_eq!(status, 200, "{body}");
}
