//! The kit as a user's test uses it: fixtures made through the admin API behave as the
//! directory an admin would have made by hand.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use graphmeet_client::Organizer;
use graphmeet_testkit::fixtures::ONLINE_MEETINGS_READ_WRITE_ALL;
use graphmeet_testkit::TestServer;
use graphmeet_wire::graph::OnlineMeeting;

fn meeting() -> OnlineMeeting {
    OnlineMeeting {
        subject: Some("From the fixtures".into()),
        ..OnlineMeeting::default()
    }
}

#[tokio::test]
async fn an_app_made_by_the_fixtures_creates_meetings_only_for_users_its_policy_is_granted_to() {
    let server = TestServer::start().await;
    let contoso = server
        .new_tenant("Contoso")
        .domain("contoso.example")
        .create()
        .await;
    assert_eq!(contoso.domain, "contoso.example");
    let alice = contoso.user("alice").display_name("Alice").create().await;
    assert_eq!(alice.upn, "alice@contoso.example");
    assert_eq!(alice.tenant_id, contoso.id);
    let bob = contoso.user("bob@contoso.example").create().await;
    let app = contoso
        .app("Scheduler")
        .consent(&[ONLINE_MEETINGS_READ_WRITE_ALL])
        .create()
        .await;
    assert_eq!(app.view.home_tenant_id, contoso.id);
    let client = server.client(app.app_id(), app.credential());

    // Consent alone is not enough: Teams' application access policy decides.
    let denied = client
        .create(
            &contoso.id,
            &Organizer::object_id(alice.id.clone()),
            &meeting(),
        )
        .await
        .unwrap_err();
    assert_eq!(denied.status(), Some(403), "{denied}");

    let policy = contoso
        .policy("Schedulers")
        .app(app.app_id())
        .description("made by the fixtures")
        .create()
        .await;
    assert_eq!(policy.view.app_ids, [app.app_id()]);
    let grant = policy.grant_to_user(&alice.id).await;
    assert_eq!(grant.target_id, alice.id);

    let created = client
        .create(
            &contoso.id,
            &Organizer::object_id(alice.id.clone()),
            &meeting(),
        )
        .await
        .unwrap();
    assert_eq!(created.subject.as_deref(), Some("From the fixtures"));
    // Bob has no grant yet.
    let denied = client
        .create(
            &contoso.id,
            &Organizer::object_id(bob.id.clone()),
            &meeting(),
        )
        .await
        .unwrap_err();
    assert_eq!(denied.status(), Some(403), "{denied}");
    server.stop().await;
}

#[tokio::test]
async fn group_and_global_grants_cover_their_members_and_the_whole_tenant() {
    let server = TestServer::start().await;
    let fabrikam = server.new_tenant("Fabrikam").create().await;
    let carol = fabrikam.user("carol").create().await;
    let dave = fabrikam.user("dave").teams_license(true).create().await;
    let app = fabrikam
        .app("Scheduler")
        .consent(&[ONLINE_MEETINGS_READ_WRITE_ALL])
        .create()
        .await;
    let client = server.client(app.app_id(), app.credential());
    let group = fabrikam.group("Schedulable", &[&carol.id]).await;
    let policy = fabrikam
        .policy("Schedulers")
        .app(app.app_id())
        .create()
        .await;
    policy.grant_to_group(&group.id).await;
    client
        .create(
            &fabrikam.id,
            &Organizer::object_id(carol.id.clone()),
            &meeting(),
        )
        .await
        .unwrap();
    let denied = client
        .create(
            &fabrikam.id,
            &Organizer::object_id(dave.id.clone()),
            &meeting(),
        )
        .await
        .unwrap_err();
    assert_eq!(denied.status(), Some(403), "{denied}");
    policy.grant_global().await;
    client
        .create(
            &fabrikam.id,
            &Organizer::object_id(dave.id.clone()),
            &meeting(),
        )
        .await
        .unwrap();
    server.stop().await;
}

#[tokio::test]
async fn the_dev_tenant_takes_fixtures_and_its_app_works_out_of_the_box() {
    let server = TestServer::start().await;
    let dev = server.dev_tenant();
    assert_eq!(dev.domain, "graphmeetdev.onmicrosoft.com");
    let erin = dev.user("erin").create().await;
    assert_eq!(erin.upn, "erin@graphmeetdev.onmicrosoft.com");
    let meeting = server
        .secret_client()
        .create(
            &server.tenant(),
            &Organizer::object_id(server.user_id()),
            &meeting(),
        )
        .await
        .unwrap();
    assert!(meeting.join_web_url.is_some());
    server.stop().await;
}
