//! Rules that need time to pass or a directory state bootstrap never makes, driven through the
//! whole application (no socket) with a manual clock and a real SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use axum::body::Body;
use axum::http::Request;
use chrono::{Duration, TimeZone, Utc};
use graphmeet_core::{App, Clock, ManualClock};
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;

/// The claims of the access token in a token response, unverified.
fn token_claims(body: &Value) -> Value {
    let payload = body["access_token"]
        .as_str()
        .unwrap()
        .split('.')
        .nth(1)
        .unwrap();
    serde_json::from_slice(&graphmeet_wire::b64::url_decode_lenient(payload).unwrap()).unwrap()
}

struct Harness {
    _dir: tempfile::TempDir,
    clock: Arc<ManualClock>,
    parts: graphmeet_server::Parts,
}

impl Harness {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap(),
        ));
        let url = format!("sqlite://{}", dir.path().join("g.db").display());
        let parts = graphmeet_server::build(
            &url,
            clock.clone(),
            graphmeet_server::Settings::new("https://login.test", "k"),
        )
        .await
        .unwrap();
        Self {
            _dir: dir,
            clock,
            parts,
        }
    }

    async fn token(&self, tenant: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let body = form
            .iter()
            .map(|(k, v)| {
                format!(
                    "{k}={}",
                    url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
                )
            })
            .collect::<Vec<_>>()
            .join("&");
        let request = Request::post(format!("/{tenant}/oauth2/v2.0/token"))
            .header("host", "login.test")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        let response = graphmeet_server::app(self.parts.state.clone())
            .oneshot(request)
            .await
            .unwrap();
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }
}

#[tokio::test]
async fn an_expired_secret_gets_7000222_and_a_fresh_one_works() {
    let h = Harness::new().await;
    let dir = &h.parts.state.directory;
    let tenant = dir.create_tenant("Contoso", None, None).await.unwrap();
    let (app, _) = dir
        .create_app(&tenant.id.to_string(), "Scheduler", false)
        .await
        .unwrap();
    let old = dir
        .add_secret(app.app_id, "old", Duration::days(30))
        .await
        .unwrap();
    let tid = tenant.id.to_string();
    let cid = app.app_id.to_string();
    let form = |secret: &str| {
        vec![
            ("grant_type", "client_credentials".to_owned()),
            ("client_id", cid.clone()),
            ("client_secret", secret.to_owned()),
            ("scope", "https://graph.microsoft.com/.default".to_owned()),
        ]
    };
    let as_refs = |f: &Vec<(&'static str, String)>| {
        f.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>()
    };
    let f = as_refs(&form(&old.value));
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(h.token(&tid, &pairs).await.0, 200);
    h.clock.advance(Duration::days(31));
    let (status, body) = h.token(&tid, &pairs).await;
    assert_eq!(status, 401);
    assert_eq!(body["error_codes"], json!([7000222]));
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .starts_with(&format!(
            "AADSTS7000222: The provided client secret keys for app '{cid}' are expired."
        )));
    let fresh = dir
        .add_secret(app.app_id, "new", Duration::days(30))
        .await
        .unwrap();
    let f = as_refs(&form(&fresh.value));
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = h.token(&tid, &pairs).await;
    assert_eq!(status, 200);
    let claims = token_claims(&body);
    assert_eq!(
        claims["iat"],
        h.clock.now().timestamp() - 300,
        "token times come from the injected clock"
    );
}

#[tokio::test]
async fn multi_tenant_consent_and_missing_service_principals() {
    let h = Harness::new().await;
    let dir = &h.parts.state.directory;
    let home = dir.create_tenant("Contoso", None, None).await.unwrap();
    let customer = dir.create_tenant("Fabrikam", None, None).await.unwrap();
    let (app, home_sp) = dir
        .create_app("contoso.onmicrosoft.com", "Scheduler", true)
        .await
        .unwrap();
    let secret = dir
        .add_secret(app.app_id, "s", Duration::days(30))
        .await
        .unwrap();
    let cid = app.app_id.to_string();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", cid.as_str()),
        ("client_secret", secret.value.as_str()),
        ("scope", "https://graph.microsoft.com/.default"),
    ];

    // Not consented in the customer tenant yet: 700016, naming the tenant as the request did.
    let (status, body) = h.token("fabrikam.onmicrosoft.com", &form).await;
    assert_eq!(status, 400);
    assert_eq!(body["error_codes"], json!([700016]));
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("directory 'fabrikam.onmicrosoft.com'"));

    let customer_sp = dir
        .grant_consent(
            "fabrikam.onmicrosoft.com",
            app.app_id,
            &["OnlineMeetings.ReadWrite.All".into()],
        )
        .await
        .unwrap();
    let (status, body) = h.token("fabrikam.onmicrosoft.com", &form).await;
    assert_eq!(status, 200);
    let claims = token_claims(&body);
    assert_eq!(claims["tid"], customer.id.to_string());
    assert_eq!(
        claims["iss"],
        format!("https://sts.windows.net/{}/", customer.id)
    );
    assert_eq!(claims["oid"], customer_sp.id.to_string());
    assert_ne!(customer_sp.id, home_sp.id);
    assert_eq!(claims["roles"], json!(["OnlineMeetings.ReadWrite.All"]));
    // The home tenant has no roles consented: the token carries none.
    let (status, body) = h.token(&home.id.to_string(), &form).await;
    assert_eq!(status, 200);
    let claims = token_claims(&body);
    assert!(claims.get("roles").is_none());

    // An app registered without a service principal in its home tenant: 7000229.
    let orphan = App {
        app_id: uuid::Uuid::new_v4(),
        object_id: uuid::Uuid::new_v4(),
        home_tenant_id: home.id,
        display_name: "orphan".into(),
        multi_tenant: false,
        allow_public_client: false,
        created_at: h.clock.now(),
    };
    graphmeet_core::Store::create_app(h.parts.store.as_ref(), &orphan)
        .await
        .unwrap();
    let orphan_secret = dir
        .add_secret(orphan.app_id, "s", Duration::days(1))
        .await
        .unwrap();
    let oid = orphan.app_id.to_string();
    let (status, body) = h
        .token(
            &home.id.to_string(),
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &oid),
                ("client_secret", &orphan_secret.value),
                ("scope", "https://graph.microsoft.com/.default"),
            ],
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error_codes"], json!([7000229]));

    // A single-tenant app cannot be consented by another tenant.
    let (single, _) = dir
        .create_app("contoso.onmicrosoft.com", "Internal", false)
        .await
        .unwrap();
    assert!(dir
        .grant_consent("fabrikam.onmicrosoft.com", single.app_id, &[])
        .await
        .is_err());
}

/// Smart lockout on the injected clock, with Entra's defaults: 10 failures lock for 60 s, the
/// next lockout lasts 120 s, then 240 s.
#[tokio::test]
async fn lockouts_end_on_the_injected_clock_and_double() {
    let h = Harness::new().await;
    let dir = &h.parts.state.directory;
    let tenant = dir.create_tenant("Contoso", None, None).await.unwrap();
    let tid = tenant.id.to_string();
    let user = dir
        .create_user(
            &tid,
            &format!("erin@{}", tenant.domains[0]),
            None,
            Some("correct horse battery"),
        )
        .await
        .unwrap();
    let settings = graphmeet_core::directory::NewApp {
        allow_public_client: true,
        ..Default::default()
    };
    let (app, _) = dir.register_app(&tid, "Desktop", &settings).await.unwrap();
    let cid = app.app_id.to_string();
    let sign_in = |password: String| {
        let (h, tid, cid, upn) = (&h, tid.clone(), cid.clone(), user.upn.clone());
        async move {
            let form = [
                ("grant_type", "password"),
                ("client_id", cid.as_str()),
                ("username", upn.as_str()),
                ("password", password.as_str()),
                ("scope", "https://graph.microsoft.com/User.Read"),
            ];
            let (status, body) = h.token(&tid, &form).await;
            (status, body["error_codes"][0].as_u64())
        }
    };
    let right = || "correct horse battery".to_owned();
    for i in 0..10 {
        assert_eq!(sign_in(format!("guess {i}")).await, (400, Some(50126)));
    }
    assert_eq!(sign_in(right()).await, (400, Some(50053)));
    h.clock.advance(Duration::seconds(59));
    assert_eq!(sign_in(right()).await, (400, Some(50053)));
    h.clock.advance(Duration::seconds(1));
    // Over; the first failure locks again, for 120 s.
    assert_eq!(sign_in("guess 10".into()).await, (400, Some(50126)));
    h.clock.advance(Duration::seconds(119));
    assert_eq!(sign_in(right()).await, (400, Some(50053)));
    h.clock.advance(Duration::seconds(1));
    assert_eq!(sign_in("guess 11".into()).await, (400, Some(50126)));
    h.clock.advance(Duration::seconds(239));
    assert_eq!(sign_in(right()).await, (400, Some(50053)));
    h.clock.advance(Duration::seconds(1));
    assert_eq!(sign_in(right()).await.0, 200);
}
