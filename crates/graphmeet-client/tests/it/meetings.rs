//! The meetings client against a real graphmeet server over TLS: every operation with each
//! credential, UPN resolution, the token cache, multi-tenant apps and retries.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use graphmeet_client::{
    AssertionAlgorithm, ClientCredential, Cloud, Diagnosis, MeetingsClient, Organizer,
};
use graphmeet_testkit::TestServer;
use graphmeet_wire::admin::{
    AddSecret, CreateApp, CreateTenant, CreateUser, GrantConsent, GrantPolicy, NewPolicy, SetPolicy,
};
use graphmeet_wire::graph::{GraphDateTime, OnlineMeeting};

fn meeting(subject: &str) -> OnlineMeeting {
    OnlineMeeting {
        subject: Some(subject.to_owned()),
        start_date_time: Some(GraphDateTime::parse("2026-05-01T09:00:00Z").unwrap()),
        end_date_time: Some(GraphDateTime::parse("2026-05-01T09:30:00Z").unwrap()),
        ..OnlineMeeting::default()
    }
}

async fn every_operation(client: &MeetingsClient, tenant: &str, organizer: &Organizer) {
    // create: 201 with the full meeting.
    let created = client
        .create(tenant, organizer, &meeting("Planning"))
        .await
        .unwrap();
    let id = created.id.clone().unwrap();
    let join_url = created.join_web_url.clone().unwrap();
    let join_id = created
        .join_meeting_id_settings
        .as_ref()
        .and_then(|s| s.join_meeting_id.clone())
        .unwrap();
    assert_eq!(created.subject.as_deref(), Some("Planning"));

    // get
    let got = client.get(tenant, organizer, &id).await.unwrap();
    assert_eq!(got.id.as_deref(), Some(id.as_str()));
    assert_eq!(got.join_web_url.as_deref(), Some(join_url.as_str()));

    // find by the exact joinWebUrl (with its %3a, %40, %7b… inside) and by join meeting id.
    let found = client
        .find_by_join_url(tenant, organizer, &join_url)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id.as_deref(), Some(id.as_str()));
    let found = client
        .find_by_join_meeting_id(tenant, organizer, &join_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id.as_deref(), Some(id.as_str()));
    let none = client
        .find_by_join_meeting_id(tenant, organizer, "999999999999")
        .await
        .unwrap();
    assert!(none.is_none());

    // update: only what changes is sent; the answer is the whole meeting.
    let changes = OnlineMeeting {
        subject: Some("Planning (moved)".into()),
        ..OnlineMeeting::default()
    };
    let updated = client
        .update(tenant, organizer, &id, &changes)
        .await
        .unwrap();
    assert_eq!(updated.subject.as_deref(), Some("Planning (moved)"));
    assert_eq!(updated.join_web_url.as_deref(), Some(join_url.as_str()));
    assert_eq!(updated.start_date_time, created.start_date_time);

    // createOrGet: 201 then 200 with the same meeting.
    let external_id = uuid::Uuid::new_v4().to_string();
    let first = client
        .create_or_get(tenant, organizer, &external_id, &meeting("Weekly"))
        .await
        .unwrap();
    assert!(first.created);
    assert_eq!(
        first.meeting.external_id.as_deref(),
        Some(external_id.as_str())
    );
    let second = client
        .create_or_get(tenant, organizer, &external_id, &meeting("Weekly (again)"))
        .await
        .unwrap();
    assert!(!second.created);
    assert_eq!(second.meeting.id, first.meeting.id);
    assert_eq!(second.meeting.subject.as_deref(), Some("Weekly"));

    // delete, then the meeting is gone.
    client.delete(tenant, organizer, &id).await.unwrap();
    let err = client.get(tenant, organizer, &id).await.unwrap_err();
    assert_eq!(err.status(), Some(404), "{err}");
    let graph = err.as_graph().unwrap();
    assert_eq!(graph.code, "NotFound");
    assert!(graph.request_id.is_some());
    assert_eq!(
        graph.diagnosis, None,
        "an object id in the path is not a UPN"
    );
}

#[tokio::test]
async fn every_operation_with_a_secret_and_with_a_certificate() {
    let env = TestServer::start().await;
    let tenant = env.tenant();
    let organizer = Organizer::object_id(env.user_id());

    let secret = env.secret_client();
    every_operation(&secret, &tenant, &organizer).await;
    assert_eq!(secret.stats().token_requests, 1);

    // PS256 + x5t#S256 (the default) and RS256 + x5t.
    for algorithm in [AssertionAlgorithm::Ps256, AssertionAlgorithm::Rs256] {
        let cert = env.cert_client(algorithm);
        every_operation(&cert, &tenant, &organizer).await;
        assert_eq!(cert.stats().token_requests, 1);
    }

    // The tenant may also be named by its domain.
    let by_domain = env.secret_client();
    by_domain
        .create(
            &env.cred("tenant_domain"),
            &organizer,
            &meeting("By domain"),
        )
        .await
        .unwrap();
    env.stop().await;
}

#[tokio::test]
async fn a_cloud_from_the_local_data_dir_and_debug_output_without_secrets() {
    let env = TestServer::start().await;
    let cloud = Cloud::from_local_data_dir(env.dir.path()).unwrap();
    assert_eq!(cloud, env.cloud());
    let client = env.secret_client();
    let debug = format!("{client:?}");
    assert!(!debug.contains(&env.cred("client_secret")), "{debug}");
    let token = client.access_token(&env.tenant()).await.unwrap();
    assert!(!format!("{token:?}").contains(token.secret()));
    env.stop().await;
}

#[tokio::test]
async fn upn_organizers_are_resolved_with_user_read_all_and_cached() {
    let env = TestServer::start().await;
    let tenant = env.tenant();
    let upn = Organizer::upn(env.cred("user_upn"));

    // Without User.Read.All, GET /users/{upn} is 403: the fix is admin consent.
    let client = env.secret_client();
    let err = client
        .create(&tenant, &upn, &meeting("x"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(403), "{err}");
    match err.diagnosis() {
        Some(Diagnosis::MissingRole {
            required,
            consent_url,
        }) => {
            assert!(required.contains("User.Read.All"), "{required}");
            assert_eq!(
                consent_url,
                &format!(
                    "{}/{tenant}/adminconsent?client_id={}",
                    env.server.base_url,
                    env.client_id()
                )
            );
        }
        other => panic!("{other:?}"),
    }

    env.admin_api
        .grant_consent(&GrantConsent {
            tenant: tenant.clone(),
            app_id: env.client_id(),
            roles: vec![
                "OnlineMeetings.ReadWrite.All".into(),
                "User.Read.All".into(),
            ],
        })
        .await
        .unwrap();
    // A new client: the old one's cached token carries the old roles.
    let client = env.secret_client();
    let id = client
        .resolve_upn(&tenant, &env.cred("user_upn"))
        .await
        .unwrap();
    assert_eq!(id, env.user_id());
    let created = client
        .create(&tenant, &upn, &meeting("By UPN"))
        .await
        .unwrap();
    let got = client
        .get(&tenant, &upn, created.id.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(got.id, created.id);
    // Resolved once (case-insensitively), then from the cache.
    let shouting = Organizer::upn(env.cred("user_upn").to_uppercase());
    client
        .get(&tenant, &shouting, created.id.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(client.stats().user_lookups, 1);

    // An unknown UPN: 404, and the diagnosis names it.
    let err = client
        .create(
            &tenant,
            &Organizer::upn("nobody@graphmeetdev.onmicrosoft.com"),
            &meeting("x"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404), "{err}");
    assert!(
        matches!(err.diagnosis(), Some(Diagnosis::UnknownUser { user, .. }) if user == "nobody@graphmeetdev.onmicrosoft.com"),
        "{err}"
    );
    env.stop().await;
}

#[tokio::test]
async fn twenty_concurrent_calls_make_one_token_request_and_calls_reuse_it() {
    let env = TestServer::start().await;
    let tenant = Arc::new(env.tenant());
    let client = env.cert_client(AssertionAlgorithm::Ps256);
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let client = client.clone();
        let tenant = tenant.clone();
        tasks.push(tokio::spawn(async move {
            client.access_token(&tenant).await.unwrap()
        }));
    }
    let mut tokens = Vec::new();
    for task in tasks {
        tokens.push(task.await.unwrap());
    }
    assert!(tokens.iter().all(|t| t.secret() == tokens[0].secret()));
    assert_eq!(client.stats().token_requests, 1);

    // 20 concurrent Graph calls and more afterwards: still the one token.
    let organizer = Organizer::object_id(env.user_id());
    let mut tasks = Vec::new();
    for i in 0..20 {
        let client = client.clone();
        let tenant = tenant.clone();
        let organizer = organizer.clone();
        tasks.push(tokio::spawn(async move {
            client
                .create_or_get(&tenant, &organizer, &format!("ext-{i}"), &meeting("c"))
                .await
                .unwrap()
        }));
    }
    for task in tasks {
        assert!(task.await.unwrap().created);
    }
    assert_eq!(client.stats().token_requests, 1);
    assert_eq!(client.stats().graph_requests, 20);
    env.stop().await;
}

#[tokio::test]
async fn one_multi_tenant_app_gets_a_token_per_tenant() {
    let env = TestServer::start().await;
    let home = env.tenant();
    let app = env
        .admin_api
        .create_app(&CreateApp {
            tenant: home.clone(),
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
    let customer = env
        .admin_api
        .create_tenant(&CreateTenant {
            display_name: "Fabrikam".into(),
            domain: Some("fabrikam.onmicrosoft.com".into()),
        })
        .await
        .unwrap();
    let customer_user = env
        .admin_api
        .create_user(&CreateUser {
            tenant: customer.id.clone(),
            upn: "alex@fabrikam.onmicrosoft.com".into(),
            display_name: Some("Alex".into()),
            password: None,
            ..Default::default()
        })
        .await
        .unwrap();
    for tenant in [&home, &customer.id] {
        env.admin_api
            .grant_consent(&GrantConsent {
                tenant: tenant.clone(),
                app_id: app.app_id.clone(),
                roles: vec!["OnlineMeetings.ReadWrite.All".into()],
            })
            .await
            .unwrap();
    }
    // Home: the dev policy (granted to the organizer) lists the app too. Customer: a policy
    // granted tenant-wide.
    env.admin_api
        .set_policy(
            graphmeet_server::bootstrap::DEV_POLICY,
            &SetPolicy {
                tenant: Some(home.clone()),
                add_app_ids: Some(vec![app.app_id.clone()]),
                ..SetPolicy::default()
            },
        )
        .await
        .unwrap();
    env.admin_api
        .new_policy(&NewPolicy {
            tenant: Some(customer.id.clone()),
            identity: "scheduler".into(),
            app_ids: vec![app.app_id.clone()],
            description: None,
        })
        .await
        .unwrap();
    env.admin_api
        .grant_policy(&GrantPolicy {
            tenant: Some(customer.id.clone()),
            policy_name: Some("scheduler".into()),
            global: true,
            ..GrantPolicy::default()
        })
        .await
        .unwrap();

    let client = env.client(&app.app_id, ClientCredential::secret(secret.secret_text));
    let in_home = client
        .create(
            &home,
            &Organizer::object_id(env.user_id()),
            &meeting("Home"),
        )
        .await
        .unwrap();
    let in_customer = client
        .create(
            &customer.id,
            &Organizer::object_id(customer_user.id.clone()),
            &meeting("Customer"),
        )
        .await
        .unwrap();
    assert_ne!(in_home.id, in_customer.id);
    assert_eq!(client.stats().token_requests, 2);
    let home_token = client.access_token(&home).await.unwrap();
    let customer_token = client.access_token(&customer.id).await.unwrap();
    assert_ne!(home_token.secret(), customer_token.secret());
    assert_eq!(client.stats().token_requests, 2, "both tokens cached");

    // The home tenant's token does not reach the customer's user: 404 (not in its tenant).
    let err = client
        .get(
            &home,
            &Organizer::object_id(customer_user.id.clone()),
            in_customer.id.as_deref().unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404), "{err}");
    env.stop().await;
}

fn fault(status: u16, times: u32) -> String {
    format!(
        "{status}; retry-after=1; times={times}; key={}",
        uuid::Uuid::new_v4()
    )
}

#[tokio::test]
async fn a_429_is_retried_after_retry_after() {
    let env = TestServer::start().await;
    let tenant = env.tenant();
    let organizer = Organizer::object_id(env.user_id());
    let client = env.secret_client();
    let created = client
        .create(&tenant, &organizer, &meeting("r"))
        .await
        .unwrap();
    let before = client.stats();

    let faulty = client
        .with_header("x-graphmeet-fault", &fault(429, 2))
        .unwrap();
    let started = Instant::now();
    let got = faulty
        .get(&tenant, &organizer, created.id.as_deref().unwrap())
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(got.id, created.id);
    let after = client.stats();
    assert_eq!(
        after.graph_requests - before.graph_requests,
        3,
        "two 429s, then 200"
    );
    assert_eq!(after.retries - before.retries, 2);
    assert!(elapsed >= Duration::from_secs(2), "waited {elapsed:?}");
    assert!(elapsed < Duration::from_secs(10), "waited {elapsed:?}");

    // Attempts are bounded: with 2 attempts, the second 429 surfaces, with its Retry-After.
    let faulty = client
        .with_header("x-graphmeet-fault", &fault(429, 5))
        .unwrap()
        .with_retry_policy(graphmeet_client::RetryPolicy {
            max_attempts: 2,
            ..graphmeet_client::RetryPolicy::default()
        });
    let err = faulty
        .get(&tenant, &organizer, created.id.as_deref().unwrap())
        .await
        .unwrap_err();
    let graph = err.as_graph().unwrap();
    assert_eq!(
        (graph.status, graph.code.as_str()),
        (429, "TooManyRequests")
    );
    assert_eq!(graph.attempts, 2);
    assert_eq!(graph.retry_after_secs, Some(1));

    // So is the total time: a Retry-After that would end past it is not waited for.
    let faulty = client
        .with_header("x-graphmeet-fault", &fault(429, 5))
        .unwrap()
        .with_retry_policy(graphmeet_client::RetryPolicy {
            max_elapsed: Duration::from_millis(500),
            ..graphmeet_client::RetryPolicy::default()
        });
    let started = Instant::now();
    let err = faulty
        .get(&tenant, &organizer, created.id.as_deref().unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.as_graph().unwrap().attempts, 1);
    assert!(started.elapsed() < Duration::from_millis(900));
    env.stop().await;
}

#[tokio::test]
async fn a_plain_create_is_not_retried_on_503_but_create_or_get_is() {
    let env = TestServer::start().await;
    let tenant = env.tenant();
    let organizer = Organizer::object_id(env.user_id());
    let client = env.secret_client();

    let faulty = client
        .with_header("x-graphmeet-fault", &fault(503, 1))
        .unwrap();
    let before = client.stats();
    let err = faulty
        .create(&tenant, &organizer, &meeting("once"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503), "{err}");
    let graph = err.as_graph().unwrap();
    assert_eq!(graph.attempts, 1);
    assert_eq!(graph.retry_after_secs, Some(1));
    assert!(!graph.client_request_id.is_empty());
    assert_eq!(client.stats().graph_requests - before.graph_requests, 1);

    let faulty = client
        .with_header("x-graphmeet-fault", &fault(503, 1))
        .unwrap();
    let before = client.stats();
    let started = Instant::now();
    let result = faulty
        .create_or_get(&tenant, &organizer, "retried", &meeting("retried"))
        .await
        .unwrap();
    assert!(result.created);
    assert_eq!(client.stats().graph_requests - before.graph_requests, 2);
    assert!(started.elapsed() >= Duration::from_secs(1));
    env.stop().await;
}
