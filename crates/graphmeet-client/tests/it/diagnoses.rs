//! Every diagnosis produced from a real failing call against a graphmeet server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::sync::Arc;

use graphmeet_client::{AppConfig, ClientCredential, Cloud, Diagnosis, MeetingsClient, Organizer};
use graphmeet_testkit::TestServer;
use graphmeet_wire::admin::{AddSecret, CreateApp, CreateTenant, CreateUser, GrantConsent};
use graphmeet_wire::graph::OnlineMeeting;

fn meeting() -> OnlineMeeting {
    OnlineMeeting {
        subject: Some("Diagnosed".into()),
        ..OnlineMeeting::default()
    }
}

#[tokio::test]
async fn a_user_without_a_policy_grant_gets_the_two_cmdlets() {
    let env = TestServer::start().await;
    let tenant = env.tenant();
    let user = env
        .admin_api
        .create_user(&CreateUser {
            tenant: tenant.clone(),
            upn: "nopolicy@graphmeetdev.onmicrosoft.com".into(),
            display_name: None,
            password: None,
            ..Default::default()
        })
        .await
        .unwrap();
    let client = env.secret_client();
    let err = client
        .create(&tenant, &Organizer::object_id(user.id.clone()), &meeting())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(403), "{err}");
    let graph = err.as_graph().unwrap();
    assert_eq!(graph.code, "Forbidden");
    assert!(graph.request_id.is_some());
    let diagnosis = err.diagnosis().unwrap();
    let [new, grant] = diagnosis.powershell().unwrap();
    let app = env.client_id();
    assert!(
        new.starts_with(&format!(
            "New-CsApplicationAccessPolicy -Identity \"MeetingsApp-{}\" -AppIds \"{app}\" -Description \"",
            &app[..8]
        )),
        "{new}"
    );
    assert_eq!(
        grant,
        format!(
            "Grant-CsApplicationAccessPolicy -PolicyName \"MeetingsApp-{}\" -Identity \"{}\"",
            &app[..8],
            user.id
        )
    );
    // Display: Graph's message, the ids, and the fix.
    let text = err.to_string();
    assert!(
        text.contains("No application access policy found for this app"),
        "{text}"
    );
    assert!(text.contains(&graph.client_request_id), "{text}");
    assert!(text.contains(&new) && text.contains(&grant), "{text}");
    assert!(text.contains("up to 30 minutes"), "{text}");
    env.stop().await;
}

#[tokio::test]
async fn an_app_without_the_role_gets_the_admin_consent_url() {
    let env = TestServer::start().await;
    let tenant = env.tenant();
    let app = env
        .admin_api
        .create_app(&CreateApp {
            tenant: tenant.clone(),
            display_name: "No role".into(),
            multi_tenant: false,
            allow_public_client: false,
        })
        .await
        .unwrap();
    let secret = env
        .admin_api
        .add_secret(&app.app_id, &AddSecret::default())
        .await
        .unwrap();
    env.admin_api
        .grant_consent(&GrantConsent {
            tenant: tenant.clone(),
            app_id: app.app_id.clone(),
            roles: vec!["User.Read.All".into()],
        })
        .await
        .unwrap();
    let client = env.client(&app.app_id, ClientCredential::secret(secret.secret_text));
    let err = client
        .create(&tenant, &Organizer::object_id(env.user_id()), &meeting())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(403), "{err}");
    let expected = format!(
        "{}/{tenant}/adminconsent?client_id={}",
        env.server.base_url, app.app_id
    );
    assert_eq!(
        err.diagnosis().unwrap().consent_url(),
        Some(expected.as_str())
    );
    assert!(
        matches!(err.diagnosis(), Some(Diagnosis::MissingRole { required, .. }) if required.contains("OnlineMeetings.ReadWrite.All")),
        "{err}"
    );
    assert!(err.to_string().contains(&expected), "{err}");
    env.stop().await;
}

#[tokio::test]
async fn a_wrong_secret_says_to_use_the_value() {
    let env = TestServer::start().await;
    let client = env.client(&env.client_id(), ClientCredential::secret("not-the-secret"));
    let err = client
        .create(
            &env.tenant(),
            &Organizer::object_id(env.user_id()),
            &meeting(),
        )
        .await
        .unwrap_err();
    let token = err.as_token().unwrap();
    assert_eq!(
        (token.status, token.error.as_str()),
        (401, "invalid_client")
    );
    assert_eq!(token.code, Some(7000215));
    assert!(token.correlation_id.is_some());
    assert_eq!(err.diagnosis(), Some(&Diagnosis::WrongClientSecret));
    assert!(
        err.to_string()
            .contains("the client secret is wrong (use the secret's Value, not its ID)"),
        "{err}"
    );
    assert!(err.to_string().contains("AADSTS7000215"), "{err}");
    // Failures are not cached: the next call asks again.
    let _ = client.access_token(&env.tenant()).await.unwrap_err();
    assert_eq!(client.stats().token_requests, 2);
    env.stop().await;
}

#[tokio::test]
async fn an_app_not_consented_in_another_tenant_gets_the_consent_url() {
    let env = TestServer::start().await;
    let app = env
        .admin_api
        .create_app(&CreateApp {
            tenant: env.tenant(),
            display_name: "Scheduler".into(),
            multi_tenant: true,
            allow_public_client: false,
        })
        .await
        .unwrap();
    let secret = env
        .admin_api
        .add_secret(&app.app_id, &AddSecret::default())
        .await
        .unwrap();
    let other = env
        .admin_api
        .create_tenant(&CreateTenant {
            display_name: "Northwind".into(),
            domain: Some("northwind.onmicrosoft.com".into()),
        })
        .await
        .unwrap();
    let client = env.client(&app.app_id, ClientCredential::secret(secret.secret_text));
    let err = client
        .access_token("northwind.onmicrosoft.com")
        .await
        .unwrap_err();
    assert_eq!(err.as_token().unwrap().code, Some(700016), "{err}");
    match err.diagnosis() {
        Some(Diagnosis::AppNotInTenant {
            tenant,
            consent_url,
        }) => {
            assert_eq!(tenant, "northwind.onmicrosoft.com");
            assert_eq!(
                consent_url,
                &format!(
                    "{}/northwind.onmicrosoft.com/adminconsent?client_id={}",
                    env.server.base_url, app.app_id
                )
            );
        }
        other => panic!("{other:?}"),
    }
    // After consent there, the same client gets a token.
    env.admin_api
        .grant_consent(&GrantConsent {
            tenant: other.id.clone(),
            app_id: app.app_id.clone(),
            roles: vec!["OnlineMeetings.ReadWrite.All".into()],
        })
        .await
        .unwrap();
    client
        .access_token("northwind.onmicrosoft.com")
        .await
        .unwrap();
    env.stop().await;
}

#[tokio::test]
async fn a_upn_in_the_meetings_path_says_to_use_the_object_id() {
    let env = TestServer::start().await;
    let client = env.secret_client();
    let upn = env.cred("user_upn");
    // An "object id" that is really a UPN goes into the path as is: Graph answers 404.
    let err = client
        .create(
            &env.tenant(),
            &Organizer::object_id(upn.clone()),
            &meeting(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404), "{err}");
    assert_eq!(
        err.diagnosis(),
        Some(&Diagnosis::UpnInPath { user: upn.clone() })
    );
    assert!(
        err.to_string().contains("use the user's object id"),
        "{err}"
    );
    env.stop().await;
}

/// An expired secret needs time to pass: this server runs on a manual clock (plain http on
/// 127.0.0.1, the same application as `graphmeet serve`), and the secret expires after a day.
#[tokio::test]
async fn an_expired_secret_says_to_create_a_new_one() {
    use chrono::{Duration, TimeZone, Utc};
    use graphmeet_core::ManualClock;

    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap(),
    ));
    let mut settings = graphmeet_server::Settings::new(base_url.clone(), "admin-key");
    settings.scheme = "http";
    let parts = graphmeet_server::build(
        &format!("sqlite://{}", dir.path().join("g.db").display()),
        clock.clone(),
        settings,
    )
    .await
    .unwrap();
    let directory = parts.state.directory.clone();
    directory
        .create_tenant("Contoso", Some("contoso.onmicrosoft.com"), None)
        .await
        .unwrap();
    let (app, _) = directory
        .create_app("contoso.onmicrosoft.com", "Scheduler", false)
        .await
        .unwrap();
    let secret = directory
        .add_secret(app.app_id, "short-lived", Duration::days(1))
        .await
        .unwrap();
    let router = graphmeet_server::app(parts.state);
    let server = tokio::spawn(async move { axum::serve(listener, router).await });

    let cloud = Cloud::graphmeet(&base_url, None).unwrap();
    let client = MeetingsClient::new(AppConfig::new(
        app.app_id.to_string(),
        ClientCredential::secret(secret.value.clone()),
        cloud,
    ))
    .unwrap();
    client
        .access_token("contoso.onmicrosoft.com")
        .await
        .unwrap();

    clock.advance(Duration::days(2));
    // A new client: the cached token would hide the expiry.
    let client = MeetingsClient::new(client.config().clone()).unwrap();
    let err = client
        .access_token("contoso.onmicrosoft.com")
        .await
        .unwrap_err();
    assert_eq!(err.as_token().unwrap().code, Some(7000222), "{err}");
    assert_eq!(err.diagnosis(), Some(&Diagnosis::ExpiredClientSecret));
    assert!(
        err.to_string()
            .contains("the client secret has expired: create a new one"),
        "{err}"
    );
    server.abort();
}
