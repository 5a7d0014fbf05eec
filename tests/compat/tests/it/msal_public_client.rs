//! MSAL Python's `PublicClientApplication` (`msal` from PyPI) signs a user in with the password
//! grant, serves the next call from its cache, refreshes with the refresh token, and the
//! delegated token creates and reads a meeting on `/me/onlineMeetings`.
//!
//! MSAL Python makes its user-realm lookup at `https://{host}/common/userrealm/…` with the
//! authority's host name only (msal 1.39 `Authority.user_realm_discovery`: `self.instance` is
//! the host without its port), and caches accounts under that host. So the password grant works
//! only against a server on port 443: the test serves on 443 of a loopback address of its own
//! (127.0.0.0/8 is all loopback on Linux), which needs the right to bind port 443.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use serde_json::{json, Value};

#[tokio::test]
async fn msal_public_client_signs_in_caches_refreshes_and_calls_me_online_meetings(
) -> Result<(), graphmeet_compat::VenvError> {
    let python = graphmeet_compat::venv_python()?;
    let dir = tempfile::tempdir().unwrap();
    let mut config = graphmeet_server::Config::new(dir.path().to_path_buf());
    // A loopback address of this run's own, so that parallel runs do not share port 443.
    let host = format!(
        "127.0.{}.{}",
        std::process::id() % 200 + 10,
        std::process::id() % 250 + 2
    );
    config.listen = format!("{host}:443").parse().unwrap();
    config.public_url = Some(format!("https://{host}").parse().unwrap());
    let server = graphmeet_server::start(config).await.unwrap_or_else(|e| {
        panic!(
            "serving on {host}:443 failed ({e}): MSAL Python's password grant needs the server \
             on port 443 (its user-realm lookup drops the authority's port); run the test as a \
             user that may bind port 443 (root, CAP_NET_BIND_SERVICE, or \
             net.ipv4.ip_unprivileged_port_start=443)"
        )
    });
    let ca = server.ca_cert_path.clone().unwrap();
    let creds: Value =
        serde_json::from_slice(&std::fs::read(server.dev_credentials.clone().unwrap()).unwrap())
            .unwrap();
    graphmeet_testkit::install_crypto_provider();
    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&std::fs::read(&ca).unwrap()).unwrap())
        .build()
        .unwrap();
    let admin_key = std::fs::read_to_string(dir.path().join("admin-key")).unwrap();
    let admin = |method: reqwest::Method, path: &str, body: Value| {
        http.request(method, format!("{}{path}", server.base_url))
            .header("x-graphmeet-admin-key", admin_key.trim())
            .json(&body)
            .send()
    };
    let tid = creds["tenant_id"].as_str().unwrap();
    let client_id = creds["client_id"].as_str().unwrap();
    let upn = "dana@graphmeetdev.onmicrosoft.com";
    let user = admin(
        reqwest::Method::POST,
        "/admin/users",
        json!({"tenant": tid, "upn": upn, "display_name": "Dana Scully", "password": "correct horse battery"}),
    )
    .await
    .unwrap();
    assert_eq!(user.status(), 201);
    let user: Value = user.json().await.unwrap();
    // "Allow public client flows", as a desktop tool's registration has it.
    let patched = admin(
        reqwest::Method::PATCH,
        &format!("/admin/apps/{client_id}"),
        json!({"allow_public_client": true}),
    )
    .await
    .unwrap();
    assert_eq!(patched.status(), 200);

    let script = graphmeet_compat::python_dir().join("msal_public_client.py");
    let output = tokio::process::Command::new(&python)
        .arg(&script)
        .arg(creds["authority"].as_str().unwrap())
        .arg(client_id)
        .arg(upn)
        .arg("correct horse battery")
        .arg(creds["graph_url"].as_str().unwrap())
        .env("REQUESTS_CA_BUNDLE", &ca)
        .env("SSL_CERT_FILE", &ca)
        .output()
        .await
        .unwrap();
    let out = graphmeet_compat::script_json(&output).unwrap_or_else(|e| panic!("{e}"));

    let oid = user["id"].as_str().unwrap();
    let password = &out["password"];
    assert_eq!(password["token_source"], "identity_provider", "{out}");
    assert_eq!(
        password["scope"],
        "OnlineMeetings.ReadWrite profile openid email"
    );
    assert_eq!(password["has_refresh_token"], true, "{out}");
    assert_eq!(password["id_token_claims"]["oid"], oid);
    assert_eq!(password["id_token_claims"]["preferred_username"], upn);
    // MSAL made an account from client_info and the ID token.
    assert_eq!(
        out["accounts"],
        json!([{"home_account_id": format!("{oid}.{tid}"), "environment": host, "username": upn, "realm": tid}]),
        "{out}"
    );
    // From the cache: the same token, no request.
    assert_eq!(out["silent"]["token_source"], "cache", "{out}");
    assert_eq!(out["silent"]["access_token"], password["access_token"]);
    // Forced: the refresh-token grant, a new token.
    assert_eq!(out["forced"]["token_source"], "identity_provider", "{out}");
    assert_ne!(out["forced"]["access_token"], password["access_token"]);
    assert_eq!(out["silent_after"]["token_source"], "cache");
    assert_eq!(
        out["silent_after"]["access_token"],
        out["forced"]["access_token"]
    );
    // The delegated token on /me.
    assert_eq!(out["create"]["status"], 201, "{out}");
    assert_eq!(
        out["create"]["body"]["participants"]["organizer"]["identity"]["user"]["id"],
        oid
    );
    assert_eq!(out["get"]["status"], 200, "{out}");
    assert_eq!(out["get"]["body"]["subject"], "MSAL public client");
    server.shutdown().await;
    Ok(())
}
