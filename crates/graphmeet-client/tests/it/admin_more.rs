//! The admin client's script, seed, audit, deletion, credential, consent-revocation and reset
//! calls against a real bootstrapped graphmeet server over TLS.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use graphmeet_client::admin::{AuditDecision, AuditFilter};
use graphmeet_client::{ClientError, MeetingsClient, Organizer};
use graphmeet_testkit::TestServer;
use graphmeet_wire::admin::{
    AddSecret, CreateApp, CreateGroup, CreateTenant, CreateUser, GrantConsent, RevokeConsent, Seed,
    UpdateApp, UserView,
};
use graphmeet_wire::graph::OnlineMeeting;

const BOB_UPN: &str = "bob@graphmeetdev.onmicrosoft.com";

/// The `code` and `message` of an admin API error with `status`, or a panic.
fn api_error(result: Result<impl std::fmt::Debug, ClientError>, status: u16) -> (String, String) {
    match result {
        Err(ClientError::Api {
            status: got,
            code,
            message,
        }) if got == status => (code, message),
        other => panic!("expected an HTTP {status} admin error, got {other:?}"),
    }
}

async fn bob(env: &TestServer) -> UserView {
    env.admin_api
        .create_user(&CreateUser {
            tenant: env.tenant(),
            upn: BOB_UPN.into(),
            display_name: None,
            password: None,
            ..Default::default()
        })
        .await
        .unwrap()
}

/// Creates a meeting for `user` as the dev app; the status of the failure, if any.
async fn create_meeting(client: &MeetingsClient, env: &TestServer, user: &str) -> Result<(), u16> {
    let meeting = OnlineMeeting {
        subject: Some("admin tests".into()),
        ..OnlineMeeting::default()
    };
    client
        .create(&env.tenant(), &Organizer::object_id(user), &meeting)
        .await
        .map(|_| ())
        .map_err(|err| err.status().unwrap_or(0))
}

#[tokio::test]
async fn the_seed_cmdlet_lines_make_a_policy_graph_honours_and_errors_name_the_cmdlet() {
    let env = TestServer::start().await;
    let app = env.client_id();
    let bob = bob(&env).await;
    let client = env.secret_client();
    assert_eq!(create_meeting(&client, &env, &bob.id).await, Err(403));

    // As in Microsoft's docs, including the missing space before -Description.
    let script = format!(
        "New-CsApplicationAccessPolicy -Identity Meetings-App -AppIds \"{app}\"-Description \"Meetings app\"\n\
         Grant-CsApplicationAccessPolicy -PolicyName Meetings-App -Identity \"{}\"\n",
        bob.id
    );
    let out = env.admin_api.run_cs(None, &script).await.unwrap();
    assert_eq!(out.executed, 2, "{out:?}");
    assert!(
        out.output.contains("Identity    : Tag:Meetings-App"),
        "{}",
        out.output
    );
    assert!(
        out.output.contains(&format!("AppIds      : {{{app}}}")),
        "{}",
        out.output
    );
    assert_eq!(create_meeting(&client, &env, &bob.id).await, Ok(()));

    // The tenant named explicitly, by id and by domain.
    for tenant in [env.tenant(), "graphmeetdev.onmicrosoft.com".to_owned()] {
        let got = env
            .admin_api
            .run_cs(
                Some(&tenant),
                "Get-CsApplicationAccessPolicy -Identity 'Tag:Meetings-App'",
            )
            .await
            .unwrap();
        assert_eq!(got.executed, 1);
        assert!(
            got.output.starts_with("Identity    : Tag:Meetings-App\n"),
            "{}",
            got.output
        );
    }

    for (script, needle) in [
        ("New-CsFooPolicy -Identity X", "New-CsFooPolicy"),
        (
            "New-CsApplicationAccessPolicy -Identity X -AppIds a -Colour red",
            "Colour",
        ),
        (
            "New-CsApplicationAccessPolicy -Identity X -AppIds \"not-a-guid\"",
            "not-a-guid",
        ),
    ] {
        let (code, message) = api_error(env.admin_api.run_cs(None, script).await, 400);
        assert_eq!(code, "invalidRequest", "{script}");
        assert!(message.contains(needle), "{script}: {message}");
    }
    let (code, _) = api_error(
        env.admin_api
            .run_cs(Some("nowhere.example"), "Get-CsApplicationAccessPolicy")
            .await,
        404,
    );
    assert_eq!(code, "notFound");
    env.stop().await;
}

const SEED: &str = r#"
[[tenant]]
name = "Fabrikam"
domain = "fabrikam.example"

[[tenant.user]]
upn = "carol@fabrikam.example"
display_name = "Carol"

[[tenant.user]]
upn = "dave@fabrikam.example"

[[tenant.group]]
name = "Schedulers"
members = ["carol@fabrikam.example"]

[[tenant.app]]
app_id = "0a1b2c3d-0000-4000-8000-0000000000aa"
name = "Fabrikam bot"
secrets = [{ value = "for-tests-only-0123456789", display_name = "ci" }]

[[tenant.consent]]
app = "0a1b2c3d-0000-4000-8000-0000000000aa"
roles = ["OnlineMeetings.ReadWrite.All"]

[[tenant.policy]]
name = "bots"
app_ids = ["0a1b2c3d-0000-4000-8000-0000000000aa"]

[[tenant.grant]]
policy = "bots"
group = "Schedulers"
rank = 2
"#;

#[tokio::test]
async fn apply_is_idempotent_and_the_export_round_trips() {
    let env = TestServer::start().await;
    let seed = Seed::from_toml(SEED).unwrap();

    let first = env.admin_api.apply(&seed).await.unwrap();
    assert_eq!(first.created.tenants, 1, "{first:?}");
    assert_eq!(first.created.users, 2, "{first:?}");
    assert_eq!(first.created.groups, 1, "{first:?}");
    assert_eq!(first.created.members, 1, "{first:?}");
    assert_eq!(first.created.apps, 1, "{first:?}");
    assert_eq!(first.created.secrets, 1, "{first:?}");
    assert_eq!(first.created.consents, 1, "{first:?}");
    assert_eq!(first.created.policies, 1, "{first:?}");
    assert_eq!(first.created.grants, 1, "{first:?}");
    assert_eq!(first.updated.total(), 0, "{first:?}");
    assert!(first.generated_secrets.is_empty(), "{first:?}");

    let second = env.admin_api.apply(&seed).await.unwrap();
    assert_eq!(second.created.total(), 0, "{second:?}");
    assert_eq!(second.updated.total(), 0, "{second:?}");
    assert_eq!(
        second.unchanged.total(),
        first.created.total(),
        "{second:?}"
    );

    let users = env.admin_api.list_users("fabrikam.example").await.unwrap();
    assert_eq!(users.len(), 2);
    let groups = env.admin_api.list_groups("fabrikam.example").await.unwrap();
    assert_eq!(groups.len(), 1);
    let members = env
        .admin_api
        .list_group_members(&groups[0].id)
        .await
        .unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].upn, "carol@fabrikam.example");

    // The export holds both tenants, and no secret value.
    let exported = env.admin_api.export().await.unwrap();
    let names: Vec<&str> = exported.tenants.iter().map(|t| t.name.as_str()).collect();
    assert!(names.contains(&"Fabrikam"), "{names:?}");
    assert!(names.contains(&"graphmeet dev"), "{names:?}");
    let json = serde_json::to_string(&exported).unwrap();
    assert!(!json.contains("for-tests-only-0123456789"), "{json}");
    assert!(!json.contains(&env.cred("client_secret")), "{json}");

    // The TOML export is the same seed.
    let toml = env.admin_api.export_toml().await.unwrap();
    assert!(toml.contains("[[tenant]]"), "{toml}");
    assert_eq!(Seed::from_toml(&toml).unwrap(), exported);

    // Applying the export changes nothing.
    let again = env.admin_api.apply(&exported).await.unwrap();
    assert_eq!(again.created.total(), 0, "{again:?}");
    assert_eq!(again.updated.total(), 0, "{again:?}");

    // A seed the server cannot apply says where.
    let mut bad = Seed::from_toml(SEED).unwrap();
    bad.tenants[0].users[0].upn = "carol@elsewhere.example".into();
    let (code, message) = api_error(env.admin_api.apply(&bad).await, 400);
    assert_eq!(code, "invalidRequest");
    assert!(message.contains("carol@elsewhere.example"), "{message}");
    env.stop().await;
}

#[tokio::test]
async fn the_audit_log_narrows_by_tenant_app_user_decision_time_and_count() {
    let env = TestServer::start().await;
    let app = env.client_id();
    let organizer = env.user_id();
    let bob = bob(&env).await;
    let client = env.secret_client();
    assert_eq!(create_meeting(&client, &env, &organizer).await, Ok(()));
    assert_eq!(create_meeting(&client, &env, &bob.id).await, Err(403));

    let everything = env.admin_api.audit(&AuditFilter::default()).await.unwrap();
    assert!(everything.len() >= 3, "{everything:?}");
    let times: Vec<_> = everything.iter().map(|e| e.at).collect();
    let mut newest_first = times.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, newest_first);

    let denied = env
        .admin_api
        .audit(&AuditFilter {
            decision: Some(AuditDecision::Denied),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert!(!denied.is_empty());
    assert!(denied.iter().all(|e| e.decision == AuditDecision::Denied));
    assert!(
        denied
            .iter()
            .any(|e| e.user_id.map(|u| u.to_string()).as_deref() == Some(bob.id.as_str())),
        "{denied:?}"
    );
    assert!(denied.iter().all(|e| e.reason.starts_with("denied")));

    let allowed = env
        .admin_api
        .audit(&AuditFilter {
            app: Some(app.clone()),
            decision: Some(AuditDecision::Allowed),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert!(!allowed.is_empty());
    for entry in &allowed {
        assert_eq!(entry.decision, AuditDecision::Allowed);
        assert_eq!(
            entry.app_id.map(|u| u.to_string()).as_deref(),
            Some(app.as_str())
        );
        assert_eq!(
            entry.tenant_id.map(|u| u.to_string()).as_deref(),
            Some(env.tenant().as_str())
        );
        assert_eq!(
            entry.user_id.map(|u| u.to_string()).as_deref(),
            Some(organizer.as_str())
        );
    }

    // A user by object id, or by UPN within a tenant.
    let by_id = env
        .admin_api
        .audit(&AuditFilter {
            user: Some(bob.id.clone()),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    let by_upn = env
        .admin_api
        .audit(&AuditFilter {
            tenant: Some("graphmeetdev.onmicrosoft.com".into()),
            user: Some(BOB_UPN.into()),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert!(!by_id.is_empty());
    assert_eq!(by_id, by_upn);
    assert!(by_id
        .iter()
        .all(|e| e.user_id.map(|u| u.to_string()).as_deref() == Some(bob.id.as_str())));

    let changes = env
        .admin_api
        .audit(&AuditFilter {
            decision: Some(AuditDecision::Changed),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert!(
        changes.iter().any(|e| e.operation == "POST /admin/users"),
        "{changes:?}"
    );

    let other = env
        .admin_api
        .create_tenant(&CreateTenant {
            display_name: "Quiet".into(),
            domain: Some("quiet.example".into()),
        })
        .await
        .unwrap();
    let none = env
        .admin_api
        .audit(&AuditFilter {
            tenant: Some(other.id),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(none, vec![]);

    let one = env
        .admin_api
        .audit(&AuditFilter {
            limit: Some(1),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(one.len(), 1);
    // The newest entry is the tenant just created.
    assert_eq!(one[0].operation, "POST /admin/tenants");

    let future = env
        .admin_api
        .audit(&AuditFilter {
            since: Some("2999-01-01T00:00:00Z".into()),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(future, vec![]);
    let past = env
        .admin_api
        .audit(&AuditFilter {
            since: Some("2000-01-01T00:00:00+02:00".into()),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(
        past.len(),
        env.admin_api
            .audit(&AuditFilter::default())
            .await
            .unwrap()
            .len()
    );

    let (code, message) = api_error(
        env.admin_api
            .audit(&AuditFilter {
                since: Some("yesterday".into()),
                ..AuditFilter::default()
            })
            .await,
        400,
    );
    assert_eq!(code, "invalidRequest");
    assert!(message.contains("yesterday"), "{message}");
    let (_, message) = api_error(
        env.admin_api
            .audit(&AuditFilter {
                user: Some(BOB_UPN.into()),
                ..AuditFilter::default()
            })
            .await,
        400,
    );
    assert!(message.contains("tenant"), "{message}");
    env.stop().await;
}

#[tokio::test]
async fn deletions_take_groups_users_apps_and_tenants() {
    let env = TestServer::start().await;
    let tenant = env
        .admin_api
        .create_tenant(&CreateTenant {
            display_name: "Northwind".into(),
            domain: Some("northwind.example".into()),
        })
        .await
        .unwrap();
    let user = env
        .admin_api
        .create_user(&CreateUser {
            tenant: tenant.id.clone(),
            upn: "erin@northwind.example".into(),
            display_name: None,
            password: None,
            ..Default::default()
        })
        .await
        .unwrap();
    let group = env
        .admin_api
        .create_group(&CreateGroup {
            tenant: tenant.id.clone(),
            display_name: "Ops".into(),
        })
        .await
        .unwrap();
    env.admin_api
        .add_group_member(&group.id, &user.id)
        .await
        .unwrap();
    let groups = env
        .admin_api
        .list_groups("northwind.example")
        .await
        .unwrap();
    assert_eq!(groups, vec![group.clone()]);
    assert!(env
        .admin_api
        .list_groups(&env.tenant())
        .await
        .unwrap()
        .is_empty());

    env.admin_api.delete_group(&group.id).await.unwrap();
    assert!(env
        .admin_api
        .list_groups(&tenant.id)
        .await
        .unwrap()
        .is_empty());
    let (code, _) = api_error(env.admin_api.delete_group(&group.id).await, 404);
    assert_eq!(code, "notFound");
    api_error(env.admin_api.delete_group("not-a-guid").await, 400);

    // A user by UPN, in any case.
    env.admin_api
        .delete_user("ERIN@northwind.example")
        .await
        .unwrap();
    assert!(env
        .admin_api
        .list_users(&tenant.id)
        .await
        .unwrap()
        .is_empty());
    api_error(env.admin_api.delete_user(&user.id).await, 404);

    let app = env
        .admin_api
        .create_app(&CreateApp {
            tenant: tenant.id.clone(),
            display_name: "Northwind bot".into(),
            multi_tenant: false,
            allow_public_client: false,
        })
        .await
        .unwrap();
    assert!(!app.allow_public_client);
    let changed = env
        .admin_api
        .update_app(
            &app.app_id,
            &UpdateApp {
                allow_public_client: Some(true),
            },
        )
        .await
        .unwrap();
    assert!(changed.allow_public_client);
    assert_eq!(changed.app_id, app.app_id);
    env.admin_api.delete_app(&app.app_id).await.unwrap();
    let apps = env.admin_api.list_apps().await.unwrap();
    assert!(apps.iter().all(|a| a.app_id != app.app_id), "{apps:?}");
    api_error(env.admin_api.delete_app(&app.app_id).await, 404);
    api_error(env.admin_api.credentials(&app.app_id).await, 404);

    // A tenant by domain, with everything in it.
    let second = env
        .admin_api
        .create_app(&CreateApp {
            tenant: tenant.id.clone(),
            display_name: "Second bot".into(),
            multi_tenant: false,
            allow_public_client: false,
        })
        .await
        .unwrap();
    env.admin_api
        .delete_tenant("northwind.example")
        .await
        .unwrap();
    let tenants = env.admin_api.list_tenants().await.unwrap();
    assert_eq!(tenants.len(), 1, "{tenants:?}");
    assert_eq!(tenants[0].id, env.tenant());
    let apps = env.admin_api.list_apps().await.unwrap();
    assert!(apps.iter().all(|a| a.app_id != second.app_id), "{apps:?}");
    let (code, _) = api_error(env.admin_api.delete_tenant(&tenant.id).await, 404);
    assert_eq!(code, "notFound");
    api_error(env.admin_api.list_groups(&tenant.id).await, 404);
    env.stop().await;
}

#[tokio::test]
async fn credentials_are_listed_without_values_and_removed_ones_get_no_token() {
    let env = TestServer::start().await;
    let app = env.client_id();
    let secret = env.cred("client_secret");
    let organizer = env.user_id();

    let creds = env.admin_api.credentials(&app).await.unwrap();
    assert_eq!(creds.app_id, app);
    assert_eq!(creds.secrets.len(), 1, "{creds:?}");
    assert_eq!(creds.secrets[0].hint, secret[..3]);
    assert_eq!(creds.certificates.len(), 1, "{creds:?}");
    assert!(creds.certificates[0].private_pem.is_none());
    assert_eq!(creds.certificates[0].thumbprint.len(), 40);
    assert!(!format!("{creds:?}").contains(&secret));

    let added = env
        .admin_api
        .add_secret(
            &app,
            &AddSecret {
                display_name: Some("rotation".into()),
                days: Some(30),
            },
        )
        .await
        .unwrap();
    let creds = env.admin_api.credentials(&app).await.unwrap();
    assert_eq!(creds.secrets.len(), 2);
    assert!(creds
        .secrets
        .iter()
        .any(|s| s.key_id == added.key_id && s.display_name == "rotation"));

    // The original secret goes; the new one still gets tokens.
    let old_key = creds.secrets[0].key_id.clone();
    assert_ne!(old_key, added.key_id);
    env.admin_api.remove_secret(&app, &old_key).await.unwrap();
    let creds = env.admin_api.credentials(&app).await.unwrap();
    assert_eq!(creds.secrets.len(), 1);
    assert_eq!(creds.secrets[0].key_id, added.key_id);
    assert_eq!(
        create_meeting(&env.secret_client(), &env, &organizer).await,
        Err(401)
    );
    let rotated = env.client(
        &app,
        graphmeet_client::ClientCredential::secret(added.secret_text.clone()),
    );
    assert_eq!(create_meeting(&rotated, &env, &organizer).await, Ok(()));
    api_error(env.admin_api.remove_secret(&app, &old_key).await, 404);

    // A certificate's key id is not a secret's, and the other way round.
    let cert_key = creds.certificates[0].key_id.clone();
    api_error(env.admin_api.remove_secret(&app, &cert_key).await, 404);
    api_error(
        env.admin_api.remove_certificate(&app, &added.key_id).await,
        404,
    );
    env.admin_api
        .remove_certificate(&app, &cert_key)
        .await
        .unwrap();
    let creds = env.admin_api.credentials(&app).await.unwrap();
    assert!(creds.certificates.is_empty(), "{creds:?}");
    api_error(env.admin_api.remove_certificate(&app, &cert_key).await, 404);
    api_error(env.admin_api.remove_secret(&app, "not-a-guid").await, 400);
    env.stop().await;
}

#[tokio::test]
async fn revoking_consent_takes_the_role_out_of_new_tokens() {
    let env = TestServer::start().await;
    let (tenant, app, organizer) = (env.tenant(), env.client_id(), env.user_id());
    assert_eq!(
        create_meeting(&env.secret_client(), &env, &organizer).await,
        Ok(())
    );

    let sp = env
        .admin_api
        .revoke_consent(&RevokeConsent {
            tenant: tenant.clone(),
            app_id: app.clone(),
            roles: vec!["onlinemeetings.readwrite.all".into()],
        })
        .await
        .unwrap();
    assert_eq!(sp.app_id, app);
    assert_eq!(sp.tenant_id, tenant);
    assert!(sp.app_roles.is_empty(), "{sp:?}");
    // A new client gets a new token, without the role.
    assert_eq!(
        create_meeting(&env.secret_client(), &env, &organizer).await,
        Err(403)
    );

    let (code, _) = api_error(
        env.admin_api
            .revoke_consent(&RevokeConsent {
                tenant: tenant.clone(),
                app_id: app.clone(),
                roles: vec!["Mail.Send".into()],
            })
            .await,
        400,
    );
    assert_eq!(code, "invalidRequest");
    api_error(
        env.admin_api
            .revoke_consent(&RevokeConsent {
                tenant: tenant.clone(),
                app_id: app.clone(),
                roles: vec![],
            })
            .await,
        400,
    );

    env.admin_api
        .grant_consent(&GrantConsent {
            tenant,
            app_id: app,
            roles: vec!["OnlineMeetings.ReadWrite.All".into()],
        })
        .await
        .unwrap();
    assert_eq!(
        create_meeting(&env.secret_client(), &env, &organizer).await,
        Ok(())
    );
    env.stop().await;
}

#[tokio::test]
async fn reset_empties_the_state_and_a_seed_applies_again() {
    let env = TestServer::start().await;
    env.admin_api.reset().await.unwrap();
    assert!(env.admin_api.list_tenants().await.unwrap().is_empty());
    assert!(env.admin_api.list_apps().await.unwrap().is_empty());
    assert_eq!(env.admin_api.export().await.unwrap(), Seed::default());
    assert_eq!(env.admin_api.export_toml().await.unwrap().trim(), "");
    let audit = env.admin_api.audit(&AuditFilter::default()).await.unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].operation, "POST /admin/reset");
    assert_eq!(audit[0].decision, AuditDecision::Changed);

    let summary = env
        .admin_api
        .apply(&Seed::from_toml(SEED).unwrap())
        .await
        .unwrap();
    assert_eq!(summary.created.tenants, 1);
    assert_eq!(env.admin_api.list_tenants().await.unwrap().len(), 1);
    // Reset twice is fine.
    env.admin_api.reset().await.unwrap();
    env.admin_api.reset().await.unwrap();
    assert!(env.admin_api.list_tenants().await.unwrap().is_empty());
    env.stop().await;
}
