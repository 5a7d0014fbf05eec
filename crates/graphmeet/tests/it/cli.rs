#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The `graphmeet` binary against a real server over real TLS: what a user types, what they see.

use crate::{graphmeet, start_bare_server};
use graphmeet_testkit::cli::{field, json, ok, stderr, stdout};

use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn administer_a_local_server_with_no_flags_but_the_data_dir() {
    let (server, dir) = start_bare_server().await;
    let data = dir.path();

    // Tenant: table for people, JSON for scripts.
    let out = ok(&graphmeet(data, &["tenant", "create", "--name", "contoso"]).await);
    let tenant_id = field(&out, "id");
    assert_eq!(field(&out, "display_name"), "contoso");
    assert!(
        field(&out, "domains").contains("contoso.onmicrosoft.com"),
        "{out}"
    );
    let tenants = json(&graphmeet(data, &["tenant", "list", "--output", "json"]).await);
    let tenants = tenants.as_array().unwrap();
    assert_eq!(tenants.len(), 1);
    assert_eq!(tenants[0]["id"], tenant_id.as_str());
    let table = ok(&graphmeet(data, &["tenant", "list"]).await);
    let mut lines = table.lines();
    assert!(lines.next().unwrap().starts_with("ID "), "{table}");
    assert!(lines.next().unwrap().starts_with(&tenant_id), "{table}");

    // User.
    let user = json(
        &graphmeet(
            data,
            &[
                "user",
                "create",
                "--tenant",
                "contoso.onmicrosoft.com",
                "--upn",
                "alice@contoso.onmicrosoft.com",
                "--display-name",
                "Alice",
                "--output",
                "json",
            ],
        )
        .await,
    );
    assert_eq!(user["tenant_id"], tenant_id.as_str());
    assert_eq!(user["display_name"], "Alice");
    let users = ok(&graphmeet(data, &["user", "list", "--tenant", &tenant_id]).await);
    assert!(users.contains("alice@contoso.onmicrosoft.com"), "{users}");

    // App.
    let app = json(
        &graphmeet(
            data,
            &[
                "app",
                "create",
                "--tenant",
                &tenant_id,
                "--name",
                "scheduler",
                "--output",
                "json",
            ],
        )
        .await,
    );
    let app_id = app["app_id"].as_str().unwrap().to_owned();
    assert_eq!(app["sign_in_audience"], "AzureADMyOrg");
    assert_eq!(app["allow_public_client"], false);
    let apps = ok(&graphmeet(data, &["app", "list"]).await);
    assert!(
        apps.lines().next().unwrap().ends_with("PUBLIC CLIENT"),
        "{apps}"
    );
    assert!(
        apps.lines()
            .any(|l| l.starts_with(&app_id) && l.contains("scheduler") && l.ends_with("no")),
        "{apps}"
    );

    // Public client flows: on at creation, or changed later.
    let public = ok(&graphmeet(
        data,
        &[
            "app",
            "create",
            "--tenant",
            &tenant_id,
            "--name",
            "desktop",
            "--allow-public-client",
        ],
    )
    .await);
    assert_eq!(field(&public, "allow_public_client"), "true", "{public}");
    let public_id = field(&public, "app_id");
    let apps = ok(&graphmeet(data, &["app", "list"]).await);
    assert!(
        apps.lines()
            .any(|l| l.starts_with(&public_id) && l.ends_with("yes")),
        "{apps}"
    );
    let changed = ok(&graphmeet(
        data,
        &[
            "app",
            "update",
            "--app-id",
            &public_id,
            "--allow-public-client",
            "false",
        ],
    )
    .await);
    assert_eq!(field(&changed, "allow_public_client"), "false", "{changed}");
    assert_eq!(field(&changed, "display_name"), "desktop", "{changed}");
    let unknown = graphmeet(
        data,
        &[
            "app",
            "update",
            "--app-id",
            "11111111-2222-3333-4444-555555555555",
            "--allow-public-client",
            "true",
        ],
    )
    .await;
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("not found"),
        "{}",
        stderr(&unknown)
    );

    // Secret: shown once, with a warning.
    let output = graphmeet(
        data,
        &["app", "add-secret", "--app-id", &app_id, "--name", "ci"],
    )
    .await;
    let out = ok(&output);
    assert!(!field(&out, "secret_text").is_empty(), "{out}");
    assert!(
        stderr(&output).contains("cannot be shown again"),
        "{}",
        stderr(&output)
    );

    // Generated certificate: the private key goes to ./APP_ID.pem, owner-only.
    let output = graphmeet(
        data,
        &["app", "add-cert", "--app-id", &app_id, "--days", "30"],
    )
    .await;
    let out = ok(&output);
    let path = field(&out, "private_pem_path");
    assert_eq!(path, format!("./{app_id}.pem"));
    let written = data.join(format!("{app_id}.pem"));
    let pem = std::fs::read_to_string(&written).unwrap();
    assert!(pem.contains("PRIVATE KEY"), "{pem}");
    assert!(pem.contains("CERTIFICATE"), "{pem}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&written).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(!out.contains("PRIVATE KEY"), "{out}");

    // The same again refuses to overwrite the key file.
    let output = graphmeet(data, &["app", "add-cert", "--app-id", &app_id]).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("already exists"),
        "{}",
        stderr(&output)
    );

    // Registering a certificate from a file (here, that one, on a second app): only the
    // certificate leaves; the same certificate twice on one app is a conflict.
    let second = json(
        &graphmeet(
            data,
            &[
                "app", "create", "--tenant", &tenant_id, "--name", "second", "--output", "json",
            ],
        )
        .await,
    );
    let second_id = second["app_id"].as_str().unwrap().to_owned();
    let cert = json(
        &graphmeet(
            data,
            &[
                "app",
                "add-cert",
                "--app-id",
                &second_id,
                "--pem",
                written.to_str().unwrap(),
                "--output",
                "json",
            ],
        )
        .await,
    );
    assert_eq!(cert["thumbprint"].as_str().unwrap().len(), 40);
    assert!(cert.get("private_pem").is_none());
    let output = graphmeet(
        data,
        &[
            "app",
            "add-cert",
            "--app-id",
            &second_id,
            "--pem",
            written.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("409"), "{}", stderr(&output));

    // A generated certificate to --out, with JSON output.
    let other = data.join("other.pem");
    let cert = json(
        &graphmeet(
            data,
            &[
                "app",
                "add-cert",
                "--app-id",
                &app_id,
                "--out",
                other.to_str().unwrap(),
                "--output",
                "json",
            ],
        )
        .await,
    );
    assert_eq!(cert["private_pem_path"], other.to_str().unwrap());
    assert!(other.exists());

    // Consent: comma-separated and repeated --roles.
    let sp = json(
        &graphmeet(
            data,
            &[
                "consent",
                "grant",
                "--tenant",
                &tenant_id,
                "--app-id",
                &app_id,
                "--roles",
                "OnlineMeetings.ReadWrite.All,User.Read.All",
                "--roles",
                "OnlineMeetings.ReadWrite.All",
                "--output",
                "json",
            ],
        )
        .await,
    );
    assert_eq!(sp["app_id"], app_id.as_str());
    let roles: Vec<&str> = sp["app_roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(roles.contains(&"OnlineMeetings.ReadWrite.All"), "{sp}");
    assert!(roles.contains(&"User.Read.All"), "{sp}");

    // Keys.
    let rotated = json(&graphmeet(data, &["keys", "rotate", "--output", "json"]).await);
    let kid = rotated["kid"].as_str().unwrap();
    assert_eq!(rotated["published"][0], kid);
    assert!(
        rotated["published"].as_array().unwrap().len() >= 2,
        "{rotated}"
    );
    let out = ok(&graphmeet(data, &["keys", "rotate"]).await);
    assert!(!field(&out, "kid").is_empty());

    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn flags_override_the_data_dir() {
    let (server, dir) = start_bare_server().await;
    let key = std::fs::read_to_string(dir.path().join("admin-key")).unwrap();
    let ca = server.ca_cert_path.clone().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let output = graphmeet(
        elsewhere.path(),
        &[
            "--server",
            &server.base_url,
            "--admin-key",
            key.trim(),
            "--ca-cert",
            ca.to_str().unwrap(),
            "tenant",
            "list",
            "--output",
            "json",
        ],
    )
    .await;
    assert_eq!(json(&output), Value::Array(vec![]));

    // With no data dir to fall back on, a missing piece is named.
    let output = graphmeet(
        elsewhere.path(),
        &["--server", &server.base_url, "tenant", "list"],
    )
    .await;
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("admin-key"), "{}", stderr(&output));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_admin_key_fails_with_exit_1_and_says_so() {
    let (server, dir) = start_bare_server().await;
    let output = graphmeet(
        dir.path(),
        &["--admin-key", "not-the-key", "tenant", "list"],
    )
    .await;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stdout(&output).is_empty());
    let err = stderr(&output);
    assert!(err.contains("admin key"), "{err}");
    assert!(err.contains("401"), "{err}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_tenant_fails_with_exit_1_and_names_it() {
    let (server, dir) = start_bare_server().await;
    let output = graphmeet(
        dir.path(),
        &[
            "user",
            "create",
            "--tenant",
            "nowhere.example",
            "--upn",
            "bob@nowhere.example",
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("nowhere.example"), "{err}");
    assert!(err.contains("not found"), "{err}");

    let output = graphmeet(dir.path(), &["user", "list", "--tenant", "nowhere.example"]).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("nowhere.example"));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let output = graphmeet(dir.path(), &["tenant", "list", "--no-such-flag"]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--no-such-flag"));

    let output = graphmeet(dir.path(), &["tenant", "list", "--output", "yaml"]).await;
    assert_eq!(output.status.code(), Some(2));

    let output = graphmeet(
        dir.path(),
        &[
            "consent", "grant", "--tenant", "t", "--app-id", "a", "--roles", "A,,B",
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("empty role"));
}

#[tokio::test(flavor = "multi_thread")]
async fn no_server_fails_with_exit_1_and_a_pointer() {
    let dir = tempfile::tempdir().unwrap();
    let output = graphmeet(dir.path(), &["tenant", "list"]).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("graphmeet serve"),
        "{}",
        stderr(&output)
    );
}
