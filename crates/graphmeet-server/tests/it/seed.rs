//! Declarative seeds through the admin API (`POST /admin/apply`, `GET /admin/export`) and on
//! start (`Config.seed`, `graphmeet serve --seed`), on SQLite and (when configured)
//! PostgreSQL: idempotent apply, the export round trip, and what the seeded credentials get.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use graphmeet_testkit::assertion::*;
use graphmeet_testkit::*;
use graphmeet_wire::admin::{ApplySummary, Seed, SeedCounts};
use reqwest::Method;
use serde_json::{json, Value};

const CONTOSO: &str = "0b6c6d3e-4f1a-4c44-9a55-6d1f3c2b7a01";
const ALICE: &str = "5a0e2a8e-1c3d-4f5e-8a7b-9c0d1e2f3a4b";
const SCHEDULER: &str = "c7d1c9a2-2b3e-4f40-8d5c-1e2f3a4b5c6d";
const SECRET: &str = "ci-secret-0123456789abcdef";

/// A seed touching every kind of object: two tenants, a multi-tenant app consented in both,
/// users, a group, a certificate, policies and every kind of grant.
fn seed_json() -> Value {
    let now = chrono::Utc::now();
    let pem = graphmeet_core::crypto::KeyAndCertificate::generate(
        "seeded",
        now - chrono::Duration::minutes(5),
        now + chrono::Duration::days(30),
    )
    .unwrap()
    .to_pem();
    json!({"tenant": [
        {
            "id": CONTOSO, "name": "Contoso", "domain": "contoso.example",
            "user": [
                {"id": ALICE, "upn": "alice@contoso.example", "display_name": "Alice"},
                {"upn": "Bob@Contoso.example", "password": "correct horse battery"}
            ],
            "group": [{"name": "Organizers", "members": ["alice@contoso.example", "bob@contoso.example"]}],
            "app": [{
                "app_id": SCHEDULER, "name": "Scheduler", "multi_tenant": true,
                "secrets": [{"value": SECRET, "display_name": "ci"}],
                "certificates": [{"pem": pem}]
            }],
            "consent": [{"app": SCHEDULER, "roles": ["OnlineMeetings.ReadWrite.All"]}],
            "policy": [{"name": "schedulers", "app_ids": [SCHEDULER], "description": "may schedule"}],
            "grant": [
                {"policy": "schedulers", "user": "alice@contoso.example"},
                {"policy": "schedulers", "group": "Organizers", "rank": 2},
                {"policy": "schedulers", "global": true}
            ]
        },
        {
            "name": "Fabrikam", "domain": "fabrikam.example",
            "user": [{"upn": "carol@fabrikam.example"}],
            "consent": [{"app": SCHEDULER, "roles": ["onlinemeetings.readwrite.all", "User.Read.All"]}],
            "policy": [{"name": "partners", "app_ids": [SCHEDULER]}],
            "grant": [{"policy": "partners", "user": "carol@fabrikam.example"}]
        }
    ]})
}

fn everything_once() -> SeedCounts {
    SeedCounts {
        tenants: 2,
        users: 3,
        groups: 1,
        members: 2,
        apps: 1,
        secrets: 1,
        certificates: 1,
        consents: 2,
        policies: 2,
        grants: 4,
    }
}

async fn apply(t: &TestServer, seed: &Value) -> ApplySummary {
    let (status, body) = t
        .admin(Method::POST, "/admin/apply", Some(seed.clone()))
        .await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body).unwrap()
}

async fn export_json(t: &TestServer) -> Value {
    let (status, body) = t.admin(Method::GET, "/admin/export", None).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn export_toml(t: &TestServer) -> String {
    let r = t
        .http
        .get(t.url("/admin/export?format=toml"))
        .header("x-graphmeet-admin-key", t.admin_key())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "application/toml");
    r.text().await.unwrap()
}

async fn token(t: &TestServer, tenant: &str, client_id: &str, secret: &str) -> (u16, Value) {
    let (status, _, body) = t
        .token_form(
            tenant,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", client_id),
                ("client_secret", secret),
                ("scope", "https://graph.microsoft.com/.default"),
            ],
        )
        .await;
    (status, body)
}

async fn reset(t: &TestServer) {
    let (status, _) = t.admin(Method::POST, "/admin/reset", None).await;
    assert_eq!(status, 204);
}

/// Runs `check` against a fresh, emptied server on every database.
macro_rules! on_every_database {
    ($($name:ident => $check:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            for (backend, db) in databases().await {
                eprintln!("{}: running on {backend}", stringify!($name));
                let t = TestServer::start_on(db.as_ref().map(|d| d.url.clone())).await;
                reset(&t).await;
                $check(&t).await;
                t.server.shutdown().await;
                if let Some(db) = db {
                    db.cleanup().await.unwrap();
                }
            }
        }
    )*};
}

on_every_database!(
    applying_a_seed_twice_changes_nothing_the_second_time => apply_twice,
    export_applied_to_an_empty_server_exports_the_same => round_trip,
    seed_errors_name_the_object_and_the_problem => seed_errors,
    public_client_flows_are_seeded_applied_again_and_exported => public_clients,
    account_states_are_seeded_and_exported_only_where_not_the_default => account_states,
);

/// A seed's account settings reach the directory, and the export writes only what differs
/// from a new user's defaults, so that it applies back to the same.
async fn account_states(t: &TestServer) {
    let seed = json!({"tenant": [{
        "name": "Contoso", "domain": "contoso.example",
        "user": [
            {"upn": "plain@contoso.example"},
            {"upn": "guest_fabrikam.example#ext#@contoso.example", "user_type": "Guest",
             "mail": "guest@fabrikam.example", "teams_license": false},
            {"upn": "leaver@contoso.example", "account_enabled": false,
             "audio_conferencing": false, "mail": ""}
        ]
    }]});
    apply(t, &seed).await;
    let (status, users) = t
        .admin(Method::GET, "/admin/tenants/contoso.example/users", None)
        .await;
    assert_eq!(status, 200, "{users}");
    let by_upn = |upn: &str| {
        users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["upn"] == upn)
            .unwrap_or_else(|| panic!("{upn} in {users}"))
            .clone()
    };
    let plain = by_upn("plain@contoso.example");
    assert_eq!(
        (
            &plain["account_enabled"],
            &plain["user_type"],
            &plain["teams_license"],
            &plain["mail"]
        ),
        (
            &json!(true),
            &json!("Member"),
            &json!(true),
            &json!("plain@contoso.example")
        )
    );
    let guest = by_upn("guest_fabrikam.example#ext#@contoso.example");
    assert_eq!(
        (&guest["user_type"], &guest["teams_license"], &guest["mail"]),
        (
            &json!("Guest"),
            &json!(false),
            &json!("guest@fabrikam.example")
        )
    );
    let leaver = by_upn("leaver@contoso.example");
    assert_eq!(
        (
            &leaver["account_enabled"],
            &leaver["audio_conferencing"],
            &leaver["mail"]
        ),
        (&json!(false), &json!(false), &Value::Null)
    );

    let exported = export_json(t).await;
    let exported_user = |upn: &str| {
        exported["tenant"][0]["user"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["upn"] == upn)
            .unwrap_or_else(|| panic!("{upn} in {exported}"))
            .clone()
    };
    let plain = exported_user("plain@contoso.example");
    for key in [
        "account_enabled",
        "user_type",
        "teams_license",
        "audio_conferencing",
        "mail",
    ] {
        assert!(plain.get(key).is_none(), "{key} is the default: {plain}");
    }
    let guest = exported_user("guest_fabrikam.example#ext#@contoso.example");
    assert_eq!(
        (&guest["user_type"], &guest["mail"], &guest["teams_license"]),
        (
            &json!("Guest"),
            &json!("guest@fabrikam.example"),
            &json!(false)
        )
    );
    let leaver = exported_user("leaver@contoso.example");
    assert_eq!(
        (
            &leaver["account_enabled"],
            &leaver["audio_conferencing"],
            &leaver["mail"]
        ),
        (&json!(false), &json!(false), &json!(""))
    );
    reset(t).await;
    apply(t, &exported).await;
    assert_eq!(export_json(t).await, exported);

    let bad = json!({"tenant": [{"name": "C", "domain": "c.example",
        "user": [{"upn": "x@c.example", "user_type": "Visitor"}]}]});
    let (status, body) = t.admin(Method::POST, "/admin/apply", Some(bad)).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Visitor"),
        "{body}"
    );
}

const DESKTOP: &str = "3f0e9b1c-7a6d-4e2f-9c8b-1a2b3c4d5e6f";
const SERVICE: &str = "8e7d6c5b-4a39-4281-b0c9-d8e7f6a5b4c3";

/// A password sign-in of Bob from `client_id`, without a client secret.
async fn public_sign_in(t: &TestServer, client_id: &str) -> (u16, Value) {
    let (status, _, body) = t
        .token_form(
            "contoso.example",
            &[
                ("grant_type", "password"),
                ("client_id", client_id),
                ("username", "bob@contoso.example"),
                ("password", "correct horse battery"),
                ("scope", "https://graph.microsoft.com/User.Read"),
            ],
        )
        .await;
    (status, body)
}

async fn public_clients(t: &TestServer) {
    let seed = |desktop: Value| {
        let mut app = json!({"app_id": DESKTOP, "name": "Desktop"});
        if !desktop.is_null() {
            app["allow_public_client"] = desktop;
        }
        json!({"tenant": [{
            "name": "Contoso", "domain": "contoso.example",
            "user": [{"upn": "bob@contoso.example", "password": "correct horse battery"}],
            "app": [app, {"app_id": SERVICE, "name": "Service"}]
        }]})
    };
    let first = apply(t, &seed(json!(true))).await;
    assert_eq!(first.created.apps, 2);
    let exported = export_json(t).await;
    let apps = &exported["tenant"][0]["app"];
    assert_eq!(apps[0]["app_id"], DESKTOP);
    assert_eq!(apps[0]["allow_public_client"], true, "{exported}");
    assert_eq!(apps[1]["app_id"], SERVICE);
    assert!(apps[1].get("allow_public_client").is_none(), "{exported}");
    let (status, body) = public_sign_in(t, DESKTOP).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        claims(body["access_token"].as_str().unwrap())["appidacr"],
        "0"
    );
    let (status, body) = public_sign_in(t, SERVICE).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error_codes"], json!([7000218]), "{body}");

    // Again: nothing changes.
    let again = apply(t, &seed(json!(true))).await;
    assert_eq!((again.updated.apps, again.unchanged.apps), (0, 2));
    assert_eq!(export_json(t).await, exported);

    // A seed saying false turns it off on the existing app, counted as updated.
    let off = apply(t, &seed(json!(false))).await;
    assert_eq!((off.updated.apps, off.unchanged.apps), (1, 1), "{off:?}");
    assert_eq!(off.created.total() + off.updated.total(), 1, "{off:?}");
    let (status, body) = public_sign_in(t, DESKTOP).await;
    assert_eq!(status, 401, "{body}");
    assert!(export_json(t).await["tenant"][0]["app"][0]
        .get("allow_public_client")
        .is_none());

    // A seed that leaves the key out keeps the app's setting, whatever it is.
    let (status, body) = t
        .admin(
            Method::PATCH,
            &format!("/admin/apps/{DESKTOP}"),
            Some(json!({"allow_public_client": true})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let silent = apply(t, &seed(Value::Null)).await;
    assert_eq!((silent.updated.apps, silent.unchanged.apps), (0, 2));
    let (status, body) = public_sign_in(t, DESKTOP).await;
    assert_eq!(status, 200, "{body}");

    // The export, applied to an empty server, makes the same state (TOML too).
    let state = export_json(t).await;
    let toml = export_toml(t).await;
    assert!(toml.contains("allow_public_client = true"), "{toml}");
    reset(t).await;
    apply(
        t,
        &serde_json::to_value(Seed::from_toml(&toml).unwrap()).unwrap(),
    )
    .await;
    assert_eq!(export_json(t).await, state);
}

async fn apply_twice(t: &TestServer) {
    let seed = seed_json();
    let first = apply(t, &seed).await;
    assert_eq!(first.created, everything_once());
    assert_eq!(first.updated, SeedCounts::default());
    assert_eq!(first.unchanged, SeedCounts::default());
    assert!(first.generated_secrets.is_empty());
    let state = export_json(t).await;

    let second = apply(t, &seed).await;
    assert_eq!(second.created, SeedCounts::default());
    assert_eq!(second.updated, SeedCounts::default());
    assert_eq!(second.unchanged, everything_once());
    assert_eq!(export_json(t).await, state);

    // The seeded objects work: the given secret gets tokens in both tenants, with the roles
    // consented in each, and the policy lets the app create Alice's meetings.
    let (status, body) = token(t, "contoso.example", SCHEDULER, SECRET).await;
    assert_eq!(status, 200, "{body}");
    let access_token = body["access_token"].as_str().unwrap().to_owned();
    let c = claims(&access_token);
    assert_eq!(c["tid"], CONTOSO);
    assert_eq!(c["roles"], json!(["OnlineMeetings.ReadWrite.All"]));
    let (status, body) = token(t, "fabrikam.example", SCHEDULER, SECRET).await;
    assert_eq!(status, 200, "{body}");
    let roles = claims(body["access_token"].as_str().unwrap())["roles"].clone();
    assert_eq!(
        roles,
        json!(["OnlineMeetings.ReadWrite.All", "User.Read.All"])
    );
    let (status, _, body) = t
        .graph(
            Some(&access_token),
            Method::POST,
            &format!("/v1.0/users/{ALICE}/onlineMeetings"),
            Some(json!({"subject": "Seeded"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");

    // A changed seed: the missing objects are made, consents merge, a grant is replaced.
    let mut more = seed.clone();
    more["tenant"][0]["consent"][0]["roles"] = json!(["User.Read.All"]);
    more["tenant"][0]["grant"][1]["rank"] = json!(5);
    more["tenant"][0]["user"]
        .as_array_mut()
        .unwrap()
        .push(json!({"upn": "dave@contoso.example"}));
    more["tenant"][0]["app"][0]["secrets"]
        .as_array_mut()
        .unwrap()
        .push(json!({"display_name": "generated"}));
    let third = apply(t, &more).await;
    assert_eq!(
        third.created,
        SeedCounts {
            users: 1,
            secrets: 1,
            ..SeedCounts::default()
        }
    );
    assert_eq!(
        third.updated,
        SeedCounts {
            consents: 1,
            grants: 1,
            ..SeedCounts::default()
        }
    );
    assert_eq!(third.generated_secrets.len(), 1);
    let generated = third.generated_secrets[0].secret_text.clone();
    let (status, body) = token(t, "contoso.example", SCHEDULER, &generated).await;
    assert_eq!(status, 200, "{body}");
    let roles = claims(body["access_token"].as_str().unwrap())["roles"].clone();
    assert_eq!(
        roles,
        json!(["OnlineMeetings.ReadWrite.All", "User.Read.All"])
    );
    // Applied again, the changed seed changes nothing either (the generated secret is found
    // by its label).
    let fourth = apply(t, &more).await;
    assert_eq!(
        fourth.created.total() + fourth.updated.total(),
        0,
        "{fourth:?}"
    );
}

async fn round_trip(t: &TestServer) {
    apply(t, &seed_json()).await;
    let first = export_json(t).await;
    let first_toml = export_toml(t).await;

    // The export carries every object with its fixed id, no secret, the certificate's PEM.
    let contoso = &first["tenant"][0];
    assert_eq!(contoso["id"], CONTOSO);
    assert_eq!(contoso["domain"], "contoso.example");
    assert_eq!(contoso["user"][0]["id"], ALICE);
    assert!(contoso["user"][1]["id"].is_string());
    assert!(contoso["user"][1].get("password").is_none());
    assert_eq!(contoso["app"][0]["app_id"], SCHEDULER);
    assert!(contoso["app"][0].get("secrets").is_none());
    let pem = contoso["app"][0]["certificates"][0]["pem"]
        .as_str()
        .unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"), "{pem}");
    assert!(!pem.contains("PRIVATE KEY"));
    assert_eq!(
        contoso["group"][0]["members"],
        json!(["alice@contoso.example", "bob@contoso.example"])
    );
    assert_eq!(
        contoso["grant"],
        json!([
            {"policy": "schedulers", "global": true},
            {"policy": "schedulers", "group": "Organizers", "rank": 2},
            {"policy": "schedulers", "user": "alice@contoso.example"}
        ])
    );
    assert_eq!(
        first["tenant"][1]["consent"],
        json!([{"app": SCHEDULER, "roles": ["OnlineMeetings.ReadWrite.All", "User.Read.All"]}])
    );
    // The TOML text is the same document.
    let parsed = Seed::from_toml(&first_toml).unwrap();
    assert_eq!(
        parsed,
        serde_json::from_value::<Seed>(first.clone()).unwrap()
    );
    assert!(first_toml.contains("[[tenant]]"), "{first_toml}");
    assert!(first_toml.contains("[[tenant.user]]"), "{first_toml}");

    // Onto an empty server, from the TOML text.
    reset(t).await;
    let summary = apply(t, &serde_json::to_value(&parsed).unwrap()).await;
    assert_eq!(summary.updated.total() + summary.unchanged.total(), 0);
    let second = export_json(t).await;
    let second_toml = export_toml(t).await;
    assert_eq!(second, first);
    assert_eq!(second_toml, first_toml);
}

async fn seed_errors(t: &TestServer) {
    let cases = [
        (
            json!({"tenant": [{"name": "X", "domain": "x.example",
                "grant": [{"policy": "missing", "global": true}]}]}),
            404,
            "tenant x.example, grant of policy missing: policy missing not found",
        ),
        (
            json!({"tenant": [{"name": "X", "domain": "x.example",
                "user": [{"upn": "someone@elsewhere.example"}]}]}),
            400,
            "tenant x.example, user someone@elsewhere.example: the domain of",
        ),
        (
            json!({"tenant": [{"name": "X", "domain": "x.example",
                "app": [{"name": "A", "secrets": [{"value": "short"}]}]}]}),
            400,
            "tenant x.example, app A: a given secret value needs at least 16 characters",
        ),
        (
            json!({"tenant": [{"name": "X", "domain": "x.example",
                "grant": [{"policy": "p", "user": "a@x.example", "global": true}]}]}),
            400,
            "exactly one of",
        ),
    ];
    for (seed, status, text) in cases {
        let (got, body) = t.admin(Method::POST, "/admin/apply", Some(seed)).await;
        assert_eq!(got, status, "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(text), "{message}");
    }
    // An unknown field is refused, naming it.
    let (status, body) = t
        .admin(
            Method::POST,
            "/admin/apply",
            Some(json!({"tenant": [{"name": "X", "domian": "x.example"}]})),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("domian"));
    // Fixed ids that contradict the stored objects: a domain of another tenant (x.example was
    // made by the first case, which failed only at its grant), another domain for a tenant.
    let (status, body) = t
        .admin(
            Method::POST,
            "/admin/apply",
            Some(json!({"tenant": [{"id": CONTOSO, "name": "X", "domain": "x.example"}]})),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    apply(
        t,
        &json!({"tenant": [{"id": CONTOSO, "name": "C", "domain": "c.example"}]}),
    )
    .await;
    let (status, body) = t
        .admin(
            Method::POST,
            "/admin/apply",
            Some(json!({"tenant": [{"id": CONTOSO, "name": "C", "domain": "y.example"}]})),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("exists with domain c.example, not y.example"));
}

const SEED_TOML: &str = r#"
[[tenant]]
id = "0b6c6d3e-4f1a-4c44-9a55-6d1f3c2b7a01"
name = "Contoso"
domain = "contoso.example"

[[tenant.user]]
id = "5a0e2a8e-1c3d-4f5e-8a7b-9c0d1e2f3a4b"
upn = "alice@contoso.example"

[[tenant.app]]
app_id = "c7d1c9a2-2b3e-4f40-8d5c-1e2f3a4b5c6d"
name = "Scheduler"
secrets = [{ value = "ci-secret-0123456789abcdef", display_name = "ci" }]

[[tenant.consent]]
app = "c7d1c9a2-2b3e-4f40-8d5c-1e2f3a4b5c6d"
roles = ["OnlineMeetings.ReadWrite.All"]

[[tenant.policy]]
name = "schedulers"
app_ids = ["c7d1c9a2-2b3e-4f40-8d5c-1e2f3a4b5c6d"]

[[tenant.grant]]
policy = "schedulers"
user = "alice@contoso.example"
"#;

#[tokio::test]
async fn serve_with_a_seed_applies_it_instead_of_the_dev_bootstrap() {
    for (backend, db) in databases().await {
        eprintln!("running on {backend}");
        let dir = tempfile::tempdir().unwrap();
        let seed_file = dir.path().join("seed.toml");
        std::fs::write(&seed_file, SEED_TOML).unwrap();
        let url = db.as_ref().map(|d| d.url.clone());
        let config = |c: &mut graphmeet_server::Config| {
            c.seed = Some(seed_file.clone());
            c.database_url = url.clone();
        };
        let t = TestServer::start_with(dir, config).await;
        assert!(!t.dir.path().join("dev-credentials.json").exists());
        assert_eq!(t.server.dev_credentials, None);
        let (_, tenants) = t.admin(Method::GET, "/admin/tenants", None).await;
        assert_eq!(tenants.as_array().unwrap().len(), 1, "{tenants}");
        assert_eq!(tenants[0]["id"], CONTOSO);
        let (status, body) = token(&t, CONTOSO, SCHEDULER, SECRET).await;
        assert_eq!(status, 200, "{body}");
        let access_token = body["access_token"].as_str().unwrap().to_owned();
        let (status, _, body) = t
            .graph(
                Some(&access_token),
                Method::POST,
                &format!("/v1.0/users/{ALICE}/onlineMeetings"),
                Some(json!({"subject": "From the seed"})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        let before = export_json(&t).await;

        // Started again on the same state with the same seed: nothing changes.
        let TestServer { server, dir, .. } = t;
        server.shutdown().await;
        let seed_file = dir.path().join("seed.toml");
        let config = |c: &mut graphmeet_server::Config| {
            c.seed = Some(seed_file.clone());
            c.database_url = url.clone();
        };
        let t = TestServer::start_with(dir, config).await;
        assert_eq!(export_json(&t).await, before);
        let (status, _) = token(&t, CONTOSO, SCHEDULER, SECRET).await;
        assert_eq!(status, 200);
        t.server.shutdown().await;
        if let Some(db) = db {
            db.cleanup().await.unwrap();
        }
    }
}

#[tokio::test]
async fn a_bad_seed_fails_the_start_naming_the_file_and_the_problem() {
    let cases = [
        ("[[tenant]]\nname = \"X\"\ndomian = \"x.example\"\n", "domian"),
        ("[[tenant]\nname = \"X\"\n", "line 1"),
        (
            "[[tenant]]\nname = \"X\"\ndomain = \"x.example\"\n[[tenant.grant]]\npolicy = \"nope\"\nglobal = true\n",
            "tenant x.example, grant of policy nope: policy nope not found",
        ),
    ];
    for (text, problem) in cases {
        let dir = tempfile::tempdir().unwrap();
        let seed_file = dir.path().join("broken-seed.toml");
        std::fs::write(&seed_file, text).unwrap();
        let mut config = config(dir.path());
        config.seed = Some(seed_file.clone());
        let message = match graphmeet_server::start(config).await {
            Ok(_) => panic!("a bad seed started the server: {text}"),
            Err(e) => e.to_string(),
        };
        assert!(
            message.starts_with(&format!("seed {}: ", seed_file.display())),
            "{message}"
        );
        assert!(message.contains(problem), "{message}");
    }
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path());
    config.seed = Some(dir.path().join("missing.toml"));
    let message = graphmeet_server::start(config)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(message.contains("missing.toml"), "{message}");
}

#[tokio::test]
async fn the_seeds_meeting_quota_applies_at_start_unless_the_flag_gives_one() {
    for (flag, second) in [(None, 429), (Some(2), 201)] {
        let dir = tempfile::tempdir().unwrap();
        let seed_file = dir.path().join("seed.toml");
        std::fs::write(&seed_file, format!("meeting_quota = 1\n{SEED_TOML}")).unwrap();
        let config = |c: &mut graphmeet_server::Config| {
            c.seed = Some(seed_file.clone());
            c.meeting_quota = flag;
        };
        let t = TestServer::start_with(dir, config).await;
        let (status, body) = token(&t, CONTOSO, SCHEDULER, SECRET).await;
        assert_eq!(status, 200, "{body}");
        let access_token = body["access_token"].as_str().unwrap().to_owned();
        let mut statuses = Vec::new();
        for _ in 0..2 {
            let (status, _, body) = t
                .graph(
                    Some(&access_token),
                    Method::POST,
                    &format!("/v1.0/users/{ALICE}/onlineMeetings"),
                    Some(json!({})),
                )
                .await;
            statuses.push((status, body));
        }
        assert_eq!(statuses[0].0, 201, "{}", statuses[0].1);
        assert_eq!(statuses[1].0, second, "flag {flag:?}: {}", statuses[1].1);
        t.server.shutdown().await;
    }

    let dir = tempfile::tempdir().unwrap();
    let seed_file = dir.path().join("zero.toml");
    std::fs::write(&seed_file, "meeting_quota = 0\n").unwrap();
    let mut config = config(dir.path());
    config.seed = Some(seed_file);
    let message = graphmeet_server::start(config)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(
        message.contains("meeting_quota must be at least 1"),
        "{message}"
    );
}
