//! What a hostile or careless client tried, kept out: one test per defect, through HTTP, on
//! SQLite and (when configured) PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use graphmeet_testkit::assertion::*;
use graphmeet_testkit::*;
use reqwest::Method;
use serde_json::{json, Value};

/// A second tenant, B, with its own app (consented, in a policy granted to B's user).
struct TenantB {
    tenant: String,
    user: String,
    token: String,
}

async fn tenant_b(t: &TestServer) -> TenantB {
    let (status, tenant) = t
        .admin(
            Method::POST,
            "/admin/tenants",
            Some(json!({"display_name": "Fabrikam", "domain": "fabrikam.example"})),
        )
        .await;
    assert_eq!(status, 201, "{tenant}");
    let tid = tenant["id"].as_str().unwrap().to_owned();
    let (_, user) = t
        .admin(
            Method::POST,
            "/admin/users",
            Some(json!({"tenant": tid, "upn": "bob@fabrikam.example"})),
        )
        .await;
    let (_, app) = t
        .admin(
            Method::POST,
            "/admin/apps",
            Some(json!({"tenant": tid, "display_name": "fabrikam scheduler"})),
        )
        .await;
    let app_id = app["app_id"].as_str().unwrap().to_owned();
    let (_, secret) = t
        .admin(
            Method::POST,
            &format!("/admin/apps/{app_id}/secrets"),
            Some(json!({})),
        )
        .await;
    let (status, body) = t
        .admin(
            Method::POST,
            "/admin/consents",
            Some(
                json!({"tenant": tid, "app_id": app_id, "roles": ["OnlineMeetings.ReadWrite.All"]}),
            ),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = t
        .admin(
            Method::POST,
            "/admin/policies",
            Some(json!({"tenant": tid, "identity": "fab", "app_ids": [app_id]})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let user_id = user["id"].as_str().unwrap().to_owned();
    let (status, body) = t
        .admin(
            Method::POST,
            "/admin/policy-grants",
            Some(json!({"tenant": tid, "policy_name": "fab", "user": user_id})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = t
        .token_form(
            &tid,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &app_id),
                ("client_secret", secret["secret_text"].as_str().unwrap()),
                ("scope", "https://graph.microsoft.com/.default"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    TenantB {
        tenant: tid,
        user: user_id,
        token: body["access_token"].as_str().unwrap().to_owned(),
    }
}

/// How many meetings tenant B holds, read from the database itself.
async fn meeting_count(t: &TestServer, database_url: &Option<String>, b: &TenantB) -> u64 {
    use graphmeet_core::Store;
    let url = database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", t.dir.path().join("graphmeet.db").display()));
    let store = graphmeet_store::SqlStore::connect(&url).await.unwrap();
    let n = store
        .count_meetings(b.tenant.parse().unwrap(), None)
        .await
        .unwrap();
    store.close().await;
    n
}

async fn attendees_of_another_tenant_are_external(database_url: Option<String>) {
    let t = TestServer::start_on(database_url.clone()).await;
    let b = tenant_b(&t).await;
    let a_user = t.cred("user_id");
    let a_tenant = t.cred("tenant_id");
    let a_upn: String = {
        let (_, users) = t
            .admin(
                Method::GET,
                &format!("/admin/tenants/{a_tenant}/users"),
                None,
            )
            .await;
        users[0]["upn"].as_str().unwrap().to_owned()
    };
    let create = |attendee: Value| {
        let t = &t;
        let b = &b;
        async move {
            t.graph(
                Some(&b.token),
                Method::POST,
                &format!("/v1.0/users/{}/onlineMeetings", b.user),
                Some(json!({"subject": "x", "participants": {"attendees": [attendee]}})),
            )
            .await
        }
    };

    // Tenant A's user named by UPN, and by object id, as attendees: accepted as external, and
    // nothing of tenant A's directory is in the answer.
    for attendee in [
        json!({"upn": a_upn, "role": "attendee"}),
        json!({"identity": {"user": {"id": a_user}}, "role": "attendee"}),
    ] {
        let (status, _, body) = create(attendee.clone()).await;
        assert_eq!(status, 201, "{body}");
        let text = body.to_string();
        assert!(!text.contains(&a_tenant), "tenant A's id leaked: {text}");
        if attendee.get("upn").is_some() {
            assert!(
                !text.contains(&a_user),
                "tenant A's object id leaked: {text}"
            );
        } else {
            assert!(
                !text
                    .to_ascii_lowercase()
                    .contains(&a_upn.to_ascii_lowercase()),
                "tenant A's UPN leaked: {text}"
            );
        }
        assert!(text.contains(&b.tenant), "the organizer's tenant is shown");
    }

    // A user of another tenant cannot be a presenter or co-organizer, by UPN or by id: as the
    // real service does (the documented beta createOrGet example 1), the meeting is created
    // and the attendee comes back with `"role": null`.
    let before = meeting_count(&t, &database_url, &b).await;
    assert_eq!(before, 2);
    for attendee in [
        json!({"upn": a_upn, "role": "presenter"}),
        json!({"identity": {"user": {"id": a_user}}, "role": "coorganizer"}),
    ] {
        let (status, _, body) = create(attendee).await;
        assert_eq!(status, 201, "{body}");
        let attendees = &body["participants"]["attendees"];
        assert_eq!(attendees.as_array().map(Vec::len), Some(1), "{body}");
        assert!(attendees[0]["role"].is_null(), "{body}");
        assert!(!body.to_string().contains(&a_tenant), "{body}");
    }
    assert_eq!(meeting_count(&t, &database_url, &b).await, before + 2);
    t.server.shutdown().await;
}

#[tokio::test]
async fn attendees_of_another_tenant_are_external_on_every_backend() {
    on_every_backend(attendees_of_another_tenant_are_external).await;
}

#[tokio::test]
async fn an_empty_or_short_admin_key_is_refused_at_start() {
    for key in ["", "   ", "short-key"] {
        let dir = tempfile::tempdir().unwrap();
        let mut config = config(dir.path());
        config.admin_key = Some(key.to_owned());
        let error = match graphmeet_server::start(config).await {
            Ok(_) => panic!("a server started with the admin key {key:?}"),
            Err(e) => e.to_string(),
        };
        assert!(error.contains("admin key"), "{error}");
        assert!(error.contains("at least 24"), "{error}");
        assert!(
            !dir.path().join("graphmeet.db").exists(),
            "nothing is opened before the key is checked"
        );
    }
}

#[tokio::test]
async fn an_empty_admin_key_header_is_not_an_admin() {
    let t = TestServer::start().await;
    for header in ["", " "] {
        let r = t
            .http
            .get(t.url("/admin/export"))
            .header("x-graphmeet-admin-key", header)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401);
    }
    t.server.shutdown().await;
}

/// A client assertion's audience is checked against the server's configured URL, never the
/// request's `Host`: an assertion minted for Entra's own token URL is refused even when the
/// request claims to be for `login.microsoftonline.com`.
#[tokio::test]
async fn the_assertion_audience_is_not_taken_from_the_host_header() {
    let t = TestServer::start().await;
    let key = AppKey::from_pem(&std::fs::read_to_string(t.cred("certificate_path")).unwrap());
    let cid = t.cred("client_id");
    let tid = t.cred("tenant_id");
    let send = |aud: String, host: Option<&'static str>| {
        let jwt = assertion(&key, &cid, &aud, &AssertionShape::default(), json!({}));
        let mut req = t
            .http
            .post(t.url(&format!("/{tid}/oauth2/v2.0/token")))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", cid.as_str()),
                ("client_assertion", jwt.as_str()),
                (
                    "client_assertion_type",
                    graphmeet_wire::JWT_BEARER_ASSERTION_TYPE,
                ),
                ("scope", "https://graph.microsoft.com/.default"),
            ]);
        if let Some(host) = host {
            req = req.header(reqwest::header::HOST, host);
        }
        async move {
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap())
        }
    };
    let entra_aud = format!("https://login.microsoftonline.com/{tid}/oauth2/v2.0/token");
    let (status, body) = send(entra_aud, Some("login.microsoftonline.com")).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], "invalid_client", "{body}");
    assert_eq!(body["error_codes"][0], 700023, "{body}");
    // The configured URL, and its loopback aliases, still work.
    let (status, body) = send(t.cred("token_url"), None).await;
    assert_eq!(status, 200, "{body}");
    let port = t.server.addr.port();
    let (status, body) = send(
        format!("https://localhost:{port}/{tid}/oauth2/v2.0/token"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    t.server.shutdown().await;
}

/// A NUL character in a Graph path, query or body is refused with Graph's 400 on both
/// backends (PostgreSQL cannot store or look one up), and nothing is stored.
async fn nul_characters_get_a_400(database_url: Option<String>) {
    let t = TestServer::start_on(database_url.clone()).await;
    let token = t.app_token().await;
    let uid = t.cred("user_id");
    let base = format!("/v1.0/users/{uid}/onlineMeetings");
    let message =
        "The request contains a NUL character (U+0000), which no property or key accepts.";
    for path in [
        format!("{base}?$filter=JoinMeetingIdSettings/JoinMeetingId%20eq%20'1%002'"),
        "/v1.0/users/a%00b".to_owned(),
        format!("{base}/a%00b"),
    ] {
        let (status, _, body) = t.graph(Some(&token), Method::GET, &path, None).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["error"]["code"], "BadRequest", "{body}");
        assert_eq!(body["error"]["message"], message, "{body}");
        assert!(
            body["error"]["innerError"]["request-id"].is_string(),
            "{body}"
        );
    }
    for body in [
        json!({"externalId": "a\u{0}b", "subject": "x"}),
        json!({"subject": "x", "participants": {"attendees": [{"upn": "a\u{0}b@x.example"}]}}),
    ] {
        for path in [format!("{base}/createOrGet"), base.clone()] {
            let (status, _, out) = t
                .graph(Some(&token), Method::POST, &path, Some(body.clone()))
                .await;
            assert_eq!(status, 400, "{path}: {out}");
            assert_eq!(out["error"]["message"], message, "{out}");
        }
    }
    let r = t
        .http
        .get(t.url("/l/meetup-join/19%3Ameeting_a%00b%40thread.v2/0"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    // Entra's surface resolves tenants in memory: a NUL names no tenant (AADSTS90002), where it
    // once reached PostgreSQL and came back as a "transient" 503.
    for path in [
        "/a%00b/v2.0/.well-known/openid-configuration",
        "/a%00b/discovery/v2.0/keys",
    ] {
        let r = t.http.get(t.url(path)).send().await.unwrap();
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap();
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["error_codes"][0], 90002, "{path}: {body}");
    }
    // The server still serves.
    let (status, _, body) = t
        .graph(
            Some(&token),
            Method::POST,
            &base,
            Some(json!({"subject": "after"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    t.server.shutdown().await;
}

#[tokio::test]
async fn nul_characters_get_a_400_on_every_backend() {
    on_every_backend(nul_characters_get_a_400).await;
}

/// A client trickling a request's headers cannot hold its connection: it is closed once the
/// header-read timeout has passed.
#[tokio::test]
async fn a_client_trickling_headers_is_disconnected() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path());
    config.plain_http = true;
    config.header_read_timeout = std::time::Duration::from_secs(2);
    let server = graphmeet_server::start(config).await.unwrap();
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut closed = false;
    while started.elapsed() < std::time::Duration::from_secs(8) {
        if stream.write_all(b"X").await.is_err() {
            closed = true;
            break;
        }
        let mut buf = [0u8; 64];
        match tokio::time::timeout(std::time::Duration::from_millis(300), stream.read(&mut buf))
            .await
        {
            Ok(Ok(0)) | Ok(Err(_)) => {
                closed = true;
                break;
            }
            Ok(Ok(_)) | Err(_) => {}
        }
    }
    let took = started.elapsed();
    assert!(closed, "the connection was still open after {took:?}");
    assert!(
        took >= std::time::Duration::from_millis(1500),
        "closed too early: {took:?}"
    );
    // Other clients are served meanwhile and after.
    let ok = reqwest::get(format!("http://{}/healthz", server.addr))
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    server.shutdown().await;
}

/// An externalId too long to index gets a clear 400 on both backends (PostgreSQL once
/// answered 500: "index row requires 8280 bytes"), and one at the limit works.
#[tokio::test]
async fn a_long_external_id_gets_a_400_on_every_backend() {
    for (name, db) in databases().await {
        let t = TestServer::start_on(db.as_ref().map(|d| d.url.clone())).await;
        let token = t.app_token().await;
        let path = format!(
            "/v1.0/users/{}/onlineMeetings/createOrGet",
            t.cred("user_id")
        );
        // Incompressible: PostgreSQL would otherwise compress it below the index limit.
        let long: String = (0..8_000)
            .map(|i| char::from(b'!' + ((i * 7919 + i / 3) % 90) as u8))
            .collect();
        let (status, _, body) = t
            .graph(
                Some(&token),
                Method::POST,
                &path,
                Some(json!({"externalId": long})),
            )
            .await;
        assert_eq!(status, 400, "{name}: {body}");
        assert_eq!(body["error"]["code"], "BadRequest", "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("externalId must be at most 1024 bytes"),
            "{body}"
        );
        let at_limit: String = long.chars().take(1024).collect();
        let (status, _, body) = t
            .graph(
                Some(&token),
                Method::POST,
                &path,
                Some(json!({"externalId": at_limit})),
            )
            .await;
        assert_eq!(status, 201, "{name}: {body}");
        t.server.shutdown().await;
        if let Some(db) = db {
            db.cleanup().await.unwrap();
        }
    }
}

#[cfg(unix)]
fn mode_of(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// The data directory is made 0700 and everything secret in it 0600, SQLite's `-wal` and
/// `-shm` included; an existing directory open to others is named in a warning, and an existing
/// database file open to others is narrowed.
#[cfg(unix)]
#[tokio::test]
async fn the_data_directory_and_database_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("new/data");
    let server = graphmeet_server::start(config(&data)).await.unwrap();
    assert!(server.warnings.is_empty(), "{:?}", server.warnings);
    let data = server.data_dir.clone();
    assert_eq!(mode_of(&data), 0o700, "the data directory");
    assert_eq!(mode_of(root.path().join("new").as_path()), 0o700);
    for file in [
        "graphmeet.db",
        "graphmeet.db-wal",
        "graphmeet.db-shm",
        "admin-key",
        "key-encryption-key",
        "dev-credentials.json",
        "dev-app.pem",
    ] {
        assert_eq!(mode_of(&data.join(file)), 0o600, "{file}");
    }
    server.shutdown().await;

    // An operator opened it up; the next start says so, and narrows the database files.
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(
        data.join("graphmeet.db"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let server = graphmeet_server::start(config(&data)).await.unwrap();
    assert_eq!(server.warnings.len(), 1, "{:?}", server.warnings);
    assert!(
        server.warnings[0].contains("open to other users (mode 0755)")
            && server.warnings[0].contains("chmod 700"),
        "{}",
        server.warnings[0]
    );
    assert_eq!(mode_of(&data.join("graphmeet.db")), 0o600);
    server.shutdown().await;
}

/// The stored signing keys of `database_url`'s store.
async fn stored_signing_keys(url: &str) -> Vec<graphmeet_core::SigningKey> {
    use graphmeet_core::Store;
    let store = graphmeet_store::SqlStore::connect(url).await.unwrap();
    let keys = store.list_signing_keys().await.unwrap();
    store.close().await;
    keys
}

/// The private signing keys are stored sealed under a key kept outside the database: the
/// database alone holds no usable private key, an instance with another key-encryption key
/// refuses to start (saying why) and changes nothing, and a key stored in the clear by an older
/// graphmeet is sealed on start.
async fn signing_keys_are_sealed_at_rest(database_url: Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("graphmeet.db").display()));
    let t = TestServer::start_with(dir, |c| c.database_url = Some(url.clone())).await;
    let (status, _) = t.secret_token().await;
    assert_eq!(status, 200);
    let keys = stored_signing_keys(&url).await;
    assert_eq!(keys.len(), 1);
    for key in &keys {
        assert!(
            key.private_pkcs8_der.starts_with(b"gmk1"),
            "stored sealed, not as PKCS#8 DER"
        );
        // No run of the clear key is in the stored bytes: the DER's RSA header is absent.
        assert!(!key
            .private_pkcs8_der
            .windows(9)
            .any(|w| w == b"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01"));
    }

    // A second instance with a key-encryption key of its own: refused, with the fix.
    let other = tempfile::tempdir().unwrap();
    let mut config = config(other.path());
    config.database_url = Some(url.clone());
    let error = match graphmeet_server::start(config).await {
        Ok(_) => panic!("an instance with another key-encryption key started"),
        Err(e) => e.to_string(),
    };
    assert!(error.contains("does not open"), "{error}");
    assert!(error.contains("sealed under key-encryption key"), "{error}");
    assert!(error.contains("GRAPHMEET_KEY_ENCRYPTION_KEY"), "{error}");
    assert_eq!(
        stored_signing_keys(&url).await,
        keys,
        "nothing stored changed"
    );

    // A malformed key given by flag is refused before anything is opened.
    let mut config = graphmeet_server::Config::new(other.path().join("x"));
    config.database_url = Some(url.clone());
    config.key_encryption_key = Some("too-short".to_owned());
    let error = match graphmeet_server::start(config).await {
        Ok(_) => panic!("a malformed key-encryption key was accepted"),
        Err(e) => e.to_string(),
    };
    assert!(error.contains("32 bytes in base64"), "{error}");

    // A key an older graphmeet stored in the clear is sealed on the next start.
    let TestServer { server, dir, .. } = t;
    server.shutdown().await;
    {
        use graphmeet_core::Store;
        let material = graphmeet_core::crypto::KeyAndCertificate::generate(
            "legacy",
            chrono::Utc::now() - chrono::Duration::days(1),
            chrono::Utc::now() + chrono::Duration::days(30),
        )
        .unwrap();
        let store = graphmeet_store::SqlStore::connect(&url).await.unwrap();
        store
            .rotate_signing_key(&graphmeet_core::SigningKey {
                kid: graphmeet_core::crypto::x5t(&material.cert_der),
                private_pkcs8_der: material.private_pkcs8_der,
                cert_der: material.cert_der,
                created_at: chrono::Utc::now(),
                retired_at: None,
            })
            .await
            .unwrap();
        store.close().await;
    }
    let t = TestServer::start_with(dir, |c| c.database_url = Some(url.clone())).await;
    let keys = stored_signing_keys(&url).await;
    assert_eq!(keys.len(), 2);
    assert!(keys
        .iter()
        .all(|k| k.private_pkcs8_der.starts_with(b"gmk1")));
    // The sealed legacy key (now the active one) signs tokens that verify.
    let (status, body) = t.secret_token().await;
    assert_eq!(status, 200, "{body}");
    let token = body["access_token"].as_str().unwrap();
    let (status, ..) = t
        .graph(
            Some(token),
            Method::GET,
            "/v1.0/users/x/onlineMeetings/y",
            None,
        )
        .await;
    assert_ne!(status, 401, "a token signed with the resealed key verifies");
    t.server.shutdown().await;
}

#[tokio::test]
async fn signing_keys_are_sealed_at_rest_on_every_backend() {
    on_every_backend(signing_keys_are_sealed_at_rest).await;
}

/// Whether the server closed `stream` within a short wait (EOF or reset), rather than keeping it
/// open waiting for the client.
async fn closed_by_server(stream: &mut tokio::net::TcpStream) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 16];
    match tokio::time::timeout(std::time::Duration::from_millis(500), stream.read(&mut buf)).await {
        Ok(Ok(0)) | Ok(Err(_)) => true,
        Ok(Ok(_)) | Err(_) => false,
    }
}

/// One peer may hold at most `--max-connections-per-peer` connections: the next is closed at
/// once (before TLS), and is admitted again when one of the peer's connections closes.
#[tokio::test]
async fn connections_per_peer_are_capped() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path());
    config.max_connections_per_peer = 3;
    let server = graphmeet_server::start(config).await.unwrap();
    let connect = || tokio::net::TcpStream::connect(server.addr);
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(connect().await.unwrap());
    }
    for stream in &mut held {
        assert!(!closed_by_server(stream).await, "within the cap: kept open");
    }
    let mut over = connect().await.unwrap();
    assert!(closed_by_server(&mut over).await, "over the cap: closed");
    // An HTTPS request from the same peer is refused too while the cap is held…
    let ca = server.ca_cert_path.clone().unwrap();
    let http = client_for(&ca);
    assert!(http
        .get(format!("{}/healthz", server.base_url))
        .send()
        .await
        .is_err());
    // …and served once the peer closes a connection.
    held.pop();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let r = http
        .get(format!("{}/healthz", server.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    drop(held);
    server.shutdown().await;
}

/// A password-grant form for `username`, from `client_id`, with `secret` when given.
fn password_form<'a>(
    client_id: &'a str,
    username: &'a str,
    password: &'a str,
    secret: Option<&'a str>,
) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("grant_type", "password"),
        ("client_id", client_id),
        ("username", username),
        ("password", password),
        ("scope", "https://graph.microsoft.com/User.Read openid"),
    ];
    if let Some(secret) = secret {
        form.push(("client_secret", secret));
    }
    form
}

/// Asserts an AADSTS answer: status, `error`, `error_codes` and the description's start.
fn assert_aadsts(status: u16, body: &Value, want_status: u16, error: &str, code: u32, text: &str) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_codes"], json!([code]), "{body}");
    let description = body["error_description"].as_str().unwrap();
    assert!(
        description.starts_with(&format!("AADSTS{code}: {text}")),
        "{description}"
    );
}

const MISSING_CREDENTIAL: &str =
    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.";
const ACCOUNT_LOCKED: &str = "The account is locked, you've tried to sign in too many times with an incorrect user ID or password.";
const INVALID_CREDENTIALS: &str =
    "Error validating credentials due to invalid username or password.";

/// An app's public-client setting as stored, read from the database itself.
async fn stored_allow_public_client(
    t: &TestServer,
    database_url: &Option<String>,
    app_id: &str,
) -> bool {
    use graphmeet_core::Store;
    let url = database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", t.dir.path().join("graphmeet.db").display()));
    let store = graphmeet_store::SqlStore::connect(&url).await.unwrap();
    let app = store
        .get_app(app_id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    store.close().await;
    app.allow_public_client
}

/// The app listing's entry for `app_id`.
async fn listed_app(t: &TestServer, app_id: &str) -> Value {
    let (status, apps) = t.admin(Method::GET, "/admin/apps", None).await;
    assert_eq!(status, 200, "{apps}");
    apps.as_array()
        .unwrap()
        .iter()
        .find(|a| a["app_id"] == app_id)
        .cloned()
        .unwrap()
}

async fn a_confidential_app_must_authenticate_on_the_password_grant(database_url: Option<String>) {
    let t = TestServer::start_on(database_url.clone()).await;
    let tid = t.cred("tenant_id");
    let upn = "erin@graphmeetdev.onmicrosoft.com";
    let (status, body) = t
        .admin(
            Method::POST,
            "/admin/users",
            Some(json!({"tenant": tid, "upn": upn, "password": "correct horse battery"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    // A new registration is a confidential client, as in Entra.
    let (status, app) = t
        .admin(
            Method::POST,
            "/admin/apps",
            Some(json!({"tenant": tid, "display_name": "desktop tool"})),
        )
        .await;
    assert_eq!(status, 201, "{app}");
    assert_eq!(app["allow_public_client"], false, "{app}");
    let app_id = app["app_id"].as_str().unwrap().to_owned();
    assert_eq!(listed_app(&t, &app_id).await["allow_public_client"], false);

    // No secret: AADSTS7000218, the right password or not.
    let public_form = password_form(&app_id, upn, "correct horse battery", None);
    let (status, _, body) = t.token_form(&tid, &public_form).await;
    assert_aadsts(
        status,
        &body,
        401,
        "invalid_client",
        7000218,
        MISSING_CREDENTIAL,
    );
    // The dev app, confidential too, gets a token when it sends its secret (appidacr 1), and
    // the same 7000218 without it.
    let (dev, secret) = (t.cred("client_id"), t.cred("client_secret"));
    let (status, _, body) = t
        .token_form(
            &tid,
            &password_form(&dev, upn, "correct horse battery", Some(&secret)),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        claims(body["access_token"].as_str().unwrap())["appidacr"],
        "1"
    );
    let (status, _, body) = t
        .token_form(
            &tid,
            &password_form(&dev, upn, "correct horse battery", None),
        )
        .await;
    assert_aadsts(
        status,
        &body,
        401,
        "invalid_client",
        7000218,
        MISSING_CREDENTIAL,
    );

    // Bad PATCH bodies are 400s that say what is expected; an unknown app is a 404; nothing
    // is stored.
    let path = format!("/admin/apps/{app_id}");
    for (bad, says) in [
        (json!({}), "nothing to change"),
        (json!({"allow_public_client": "yes"}), "allow_public_client"),
        (json!({"allow_publik_client": true}), "allow_publik_client"),
        (json!({"allow_public_client": null}), "nothing to change"),
        (json!([true]), "allow_public_client"),
    ] {
        let (status, body) = t.admin(Method::PATCH, &path, Some(bad.clone())).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(body["error"]["code"], "invalidRequest", "{body}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(says),
            "{bad}: {body}"
        );
    }
    let (status, body) = t
        .admin(
            Method::PATCH,
            "/admin/apps/not-a-guid",
            Some(json!({"allow_public_client": true})),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let unknown = uuid::Uuid::new_v4();
    let (status, body) = t
        .admin(
            Method::PATCH,
            &format!("/admin/apps/{unknown}"),
            Some(json!({"allow_public_client": true})),
        )
        .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], "notFound", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&unknown.to_string()),
        "{body}"
    );
    assert!(!stored_allow_public_client(&t, &database_url, &app_id).await);
    let (status, _, body) = t.token_form(&tid, &public_form).await;
    assert_aadsts(
        status,
        &body,
        401,
        "invalid_client",
        7000218,
        MISSING_CREDENTIAL,
    );

    // Public client flows on: the same request gets a token (appidacr 0), at once.
    let (status, body) = t
        .admin(
            Method::PATCH,
            &path,
            Some(json!({"allow_public_client": true})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["allow_public_client"], true, "{body}");
    assert_eq!(body["app_id"], app_id.as_str(), "{body}");
    assert!(stored_allow_public_client(&t, &database_url, &app_id).await);
    assert_eq!(listed_app(&t, &app_id).await["allow_public_client"], true);
    let (status, _, body) = t.token_form(&tid, &public_form).await;
    assert_eq!(status, 200, "{body}");
    let c = claims(body["access_token"].as_str().unwrap());
    assert_eq!(c["appidacr"], "0");
    assert_eq!(c["appid"], app_id.as_str());
    assert_eq!(c["upn"], upn);
    // A public client that sends a secret anyway has it checked.
    let (status, _, body) = t
        .token_form(
            &tid,
            &password_form(
                &app_id,
                upn,
                "correct horse battery",
                Some("not-its-secret"),
            ),
        )
        .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error_codes"], json!([7000215]), "{body}");

    // And off again.
    let (status, body) = t
        .admin(
            Method::PATCH,
            &path,
            Some(json!({"allow_public_client": false})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["allow_public_client"], false, "{body}");
    let (status, _, body) = t.token_form(&tid, &public_form).await;
    assert_aadsts(
        status,
        &body,
        401,
        "invalid_client",
        7000218,
        MISSING_CREDENTIAL,
    );
    t.server.shutdown().await;
}

#[tokio::test]
async fn a_confidential_app_must_authenticate_on_the_password_grant_on_every_backend() {
    on_every_backend(a_confidential_app_must_authenticate_on_the_password_grant).await;
}

/// Smart lockout: ten distinct wrong passwords lock the account (AADSTS50053, even for the right
/// password) until the lockout ends; a repeated wrong password counts once; the next failure
/// after a lockout locks again, twice as long; other users are not affected.
#[tokio::test]
async fn ten_wrong_passwords_lock_the_account_for_a_while() {
    // A one-second first lockout, so the test can wait for it to pass.
    let t = TestServer::start_with(tempfile::tempdir().unwrap(), |c| {
        c.lockout.duration = chrono::Duration::seconds(1);
    })
    .await;
    let tid = t.cred("tenant_id");
    let (erin, frank) = (
        "erin@graphmeetdev.onmicrosoft.com",
        "frank@graphmeetdev.onmicrosoft.com",
    );
    for upn in [erin, frank] {
        let (status, body) = t
            .admin(
                Method::POST,
                "/admin/users",
                Some(json!({"tenant": tid, "upn": upn, "password": "correct horse battery"})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, app) = t
        .admin(
            Method::POST,
            "/admin/apps",
            Some(
                json!({"tenant": tid, "display_name": "sign-in tool", "allow_public_client": true}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{app}");
    assert_eq!(app["allow_public_client"], true, "{app}");
    let app_id = app["app_id"].as_str().unwrap().to_owned();
    let sign_in = |user: &'static str, password: String| {
        let (t, tid, app_id) = (&t, tid.clone(), app_id.clone());
        async move {
            let (status, _, body) = t
                .token_form(&tid, &password_form(&app_id, user, &password, None))
                .await;
            (status, body)
        }
    };
    let right = || "correct horse battery".to_owned();

    // The same wrong password 30 times counts once: no lockout.
    for _ in 0..30 {
        let (status, body) = sign_in(erin, "the same guess".into()).await;
        assert_aadsts(
            status,
            &body,
            400,
            "invalid_grant",
            50126,
            INVALID_CREDENTIALS,
        );
    }
    let (status, body) = sign_in(erin, right()).await;
    assert_eq!(status, 200, "{body}");

    // Ten distinct wrong passwords: 50126 each; then the account is locked.
    for i in 1..=10 {
        let (status, body) = sign_in(erin, format!("guess {i}")).await;
        assert_aadsts(
            status,
            &body,
            400,
            "invalid_grant",
            50126,
            INVALID_CREDENTIALS,
        );
    }
    let (status, body) = sign_in(erin, right()).await;
    assert_aadsts(status, &body, 400, "invalid_grant", 50053, ACCOUNT_LOCKED);
    let (status, body) = sign_in(erin, "guess 11".into()).await;
    assert_aadsts(status, &body, 400, "invalid_grant", 50053, ACCOUNT_LOCKED);
    // Another user of the tenant is not affected; an unknown user locks nothing (50034).
    let (status, body) = sign_in(frank, "wrong".into()).await;
    assert_aadsts(
        status,
        &body,
        400,
        "invalid_grant",
        50126,
        INVALID_CREDENTIALS,
    );
    let (status, body) = sign_in(frank, right()).await;
    assert_eq!(status, 200, "{body}");
    for i in 0..12 {
        let (status, body) = sign_in("nobody@graphmeetdev.onmicrosoft.com", format!("x{i}")).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["error_codes"], json!([50034]), "{body}");
    }

    // The lockout ends: the account is open again, and the first failure locks it again,
    // for twice as long (2 s).
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    let (status, body) = sign_in(erin, "guess 12".into()).await;
    assert_aadsts(
        status,
        &body,
        400,
        "invalid_grant",
        50126,
        INVALID_CREDENTIALS,
    );
    let (status, body) = sign_in(erin, right()).await;
    assert_aadsts(status, &body, 400, "invalid_grant", 50053, ACCOUNT_LOCKED);
    tokio::time::sleep(std::time::Duration::from_millis(1_300)).await;
    let (status, body) = sign_in(erin, right()).await;
    assert_aadsts(status, &body, 400, "invalid_grant", 50053, ACCOUNT_LOCKED);
    tokio::time::sleep(std::time::Duration::from_millis(1_000)).await;
    // Over: the right password works, and starts the count over.
    let (status, body) = sign_in(erin, right()).await;
    assert_eq!(status, 200, "{body}");
    for i in 1..=9 {
        let (status, body) = sign_in(erin, format!("later {i}")).await;
        assert_aadsts(
            status,
            &body,
            400,
            "invalid_grant",
            50126,
            INVALID_CREDENTIALS,
        );
    }
    let (status, body) = sign_in(erin, right()).await;
    assert_eq!(status, 200, "{body}");
    t.server.shutdown().await;
}

/// Parallel guesses cannot slip past the threshold: exactly ten are checked, the rest refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_wrong_passwords_cannot_slip_past_the_threshold() {
    let t = std::sync::Arc::new(TestServer::start().await);
    let tid = t.cred("tenant_id");
    let upn = "gina@graphmeetdev.onmicrosoft.com";
    let (status, body) = t
        .admin(
            Method::POST,
            "/admin/users",
            Some(json!({"tenant": tid, "upn": upn, "password": "correct horse battery"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let guesses: Vec<_> = (0..30)
        .map(|i| {
            let t = t.clone();
            let tid = tid.clone();
            tokio::spawn(async move {
                let (dev, secret) = (t.cred("client_id"), t.cred("client_secret"));
                let password = format!("parallel guess {i}");
                let (_, _, body) = t
                    .token_form(&tid, &password_form(&dev, upn, &password, Some(&secret)))
                    .await;
                body["error_codes"][0].as_u64().unwrap()
            })
        })
        .collect();
    let mut codes = Vec::new();
    for g in guesses {
        codes.push(g.await.unwrap());
    }
    let wrong = codes.iter().filter(|&&c| c == 50126).count();
    let locked = codes.iter().filter(|&&c| c == 50053).count();
    assert_eq!((wrong, locked), (10, 20), "{codes:?}");
}

/// A refusal sent before the handler read the request's body (a 401, a 403) keeps the
/// connection usable: the body is read first, so the client's next request on the same
/// keep-alive connection is answered (a client that reuses it must not find it closed, as
/// msgraph-sdk's pool did: "Server disconnected without sending a response").
#[tokio::test]
async fn a_refused_request_with_a_body_leaves_its_connection_open() {
    let t = TestServer::start().await;
    let user = t.cred("user_id");
    // A body big enough to arrive apart from the head.
    let body = json!({"subject": "x".repeat(48 * 1024)}).to_string();
    let refused = format!(
        "POST /v1.0/users/{user}/onlineMeetings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    assert_refusal_keeps_the_connection(&t, &refused, "HTTP/1.1 401").await;
}

/// The same on the admin API: an extractor that refuses a request before its body is read (here
/// a seed sent as text/plain, 415) leaves the connection usable for the next request (the
/// coverage phase of schemathesis sends such requests back to back on one connection).
#[tokio::test]
async fn an_admin_request_refused_before_its_body_is_read_leaves_its_connection_open() {
    let t = TestServer::start().await;
    let body = "x".repeat(48 * 1024);
    let refused = format!(
        "POST /admin/apply HTTP/1.1\r\nHost: 127.0.0.1\r\nx-graphmeet-admin-key: {}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
        t.admin_key(),
        body.len()
    );
    assert_refusal_keeps_the_connection(&t, &refused, "HTTP/1.1 415").await;
}

/// Sends `request` on a fresh TLS connection, expects an answer starting with `status` that does
/// not close the connection, then a `GET /healthz` on the same connection answered 200.
async fn assert_refusal_keeps_the_connection(t: &TestServer, request: &str, status: &str) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let ca = std::fs::read(t.server.ca_cert_path.as_ref().unwrap()).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pemfile::certs(&mut ca.as_slice()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(t.server.addr).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let mut tls = connector.connect(name, tcp).await.unwrap();
    tls.write_all(request.as_bytes()).await.unwrap();
    let answer = read_response(&mut tls).await;
    assert!(answer.starts_with(status), "{answer}");
    assert!(
        !answer.to_ascii_lowercase().contains("connection: close"),
        "{answer}"
    );
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let second = read_response(&mut tls).await;
    assert!(
        second.starts_with("HTTP/1.1 200"),
        "the connection was closed: {second:?}"
    );

    async fn read_response(tls: &mut (impl AsyncReadExt + Unpin)) -> String {
        let mut out = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        loop {
            let n = tokio::time::timeout(std::time::Duration::from_secs(5), tls.read(&mut buf))
                .await
                .unwrap()
                .unwrap_or(0);
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&out);
            if let Some(head_end) = text.find("\r\n\r\n") {
                let length = text[..head_end]
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap())
                    })
                    .unwrap_or(0);
                if out.len() >= head_end + 4 + length {
                    break;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}
