#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `graphmeet subscription create|list|get|renew|delete` and `graphmeet listen` against a
//! real server (TLS, a virtual clock, http to 127.0.0.1 allowed) with the dev credentials of
//! its data directory: `listen` answers the validation handshake and prints the lifecycle
//! notification the server sends when the virtual clock nears the expiry.

use crate::cli;

/// `graphmeet --data-dir DIR ARGS…`, as a tokio command.
fn command(data_dir: &Path, args: &[&str]) -> tokio::process::Command {
    cli(data_dir).command(args).into()
}

use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;

use serde_json::Value;
use tokio::io::AsyncBufReadExt;

async fn json(data_dir: &Path, args: &[&str]) -> Value {
    let output: Output = command(data_dir, &[&["--output", "json"], args].concat())
        .output()
        .await
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {text} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&text).unwrap()
}

/// `graphmeet clock` prints `TIME (mode)`.
async fn server_now(data_dir: &Path) -> chrono::DateTime<chrono::FixedOffset> {
    let output = command(data_dir, &["clock"]).output().await.unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    chrono::DateTime::parse_from_rfc3339(text.split_whitespace().next().unwrap()).unwrap()
}

#[tokio::test]
async fn subscribe_listen_renew_and_delete_from_the_command_line() {
    let graphmeet_testkit::TestServer { server, dir, .. } =
        graphmeet_testkit::TestServer::start_with(tempfile::tempdir().unwrap(), |config| {
            config.manual_clock = true;
            config.notification_loopback_hosts = vec!["127.0.0.1".to_owned()];
        })
        .await;
    let data = dir.path();
    let creds: Value =
        serde_json::from_slice(&std::fs::read(data.join("dev-credentials.json")).unwrap()).unwrap();
    let user = creds["user_id"].as_str().unwrap().to_owned();
    let tenant = creds["tenant_id"].as_str().unwrap().to_owned();
    let app = creds["client_id"].as_str().unwrap().to_owned();
    let granted = command(
        data,
        &[
            "consent",
            "grant",
            "--tenant",
            &tenant,
            "--app-id",
            &app,
            "--roles",
            "OnlineMeetings.ReadWrite.All,OnlineMeetingTranscript.Read.All",
        ],
    )
    .output()
    .await
    .unwrap();
    assert!(granted.status.success(), "{granted:?}");

    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let mut listen = command(
        data,
        &[
            "listen",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--client-state",
            "cli-state",
            "--count",
            "1",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut errors = tokio::io::BufReader::new(listen.stderr.take().unwrap()).lines();
    let first = errors.next_line().await.unwrap().unwrap();
    assert!(first.starts_with("listening on"), "{first}");

    let now = server_now(data).await;
    let created = json(
        data,
        &[
            "subscription",
            "create",
            "--resource",
            &format!("users/{user}/onlineMeetings/getAllTranscripts"),
            "--notification-url",
            &format!("http://127.0.0.1:{port}/notify"),
            "--lifecycle-url",
            &format!("http://127.0.0.1:{port}/lifecycle"),
            "--client-state",
            "cli-state",
            "--expiration",
            &(now + chrono::Duration::minutes(4320)).to_rfc3339(),
        ],
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["clientState"], "cli-state");
    // Both URLs were validated by the listener.
    for _ in 0..2 {
        let line = errors.next_line().await.unwrap().unwrap();
        assert_eq!(line, "validation request answered");
    }
    let list = json(data, &["subscription", "list"]).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id.as_str());

    // 12 hours before expiry, the lifecycle notification reaches the listener, which exits.
    let moved = command(data, &["clock", "--advance", "PT3600M"])
        .output()
        .await
        .unwrap();
    assert!(moved.status.success(), "{moved:?}");
    let output = tokio::time::timeout(Duration::from_secs(20), listen.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let line: Value =
        serde_json::from_str(String::from_utf8(output.stdout).unwrap().trim()).unwrap();
    assert_eq!(
        line["notification"]["lifecycleEvent"],
        "reauthorizationRequired"
    );
    assert_eq!(line["notification"]["subscriptionId"], id.as_str());
    assert_eq!(line["clientStateMatches"], true);

    let now = server_now(data).await;
    let renewed = json(
        data,
        &[
            "subscription",
            "renew",
            &id,
            "--expiration",
            &(now + chrono::Duration::minutes(4000)).to_rfc3339(),
        ],
    )
    .await;
    let exp = chrono::DateTime::parse_from_rfc3339(renewed["expirationDateTime"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        exp.timestamp(),
        (now + chrono::Duration::minutes(4000)).timestamp()
    );
    let deleted = json(data, &["subscription", "delete", &id]).await;
    assert_eq!(deleted["deleted"], true);
    let list = json(data, &["subscription", "list"]).await;
    assert!(list.as_array().unwrap().is_empty());
    server.shutdown().await;
}

#[tokio::test]
async fn listen_decrypts_the_transcript_notification_of_a_played_meeting() {
    let graphmeet_testkit::TestServer { server, dir, .. } =
        graphmeet_testkit::TestServer::start_with(tempfile::tempdir().unwrap(), |config| {
            config.manual_clock = true;
            config.notification_loopback_hosts = vec!["127.0.0.1".to_owned()];
        })
        .await;
    let data = dir.path();
    let creds: Value =
        serde_json::from_slice(&std::fs::read(data.join("dev-credentials.json")).unwrap()).unwrap();
    let user = creds["user_id"].as_str().unwrap().to_owned();
    let granted = command(
        data,
        &[
            "consent",
            "grant",
            "--tenant",
            creds["tenant_id"].as_str().unwrap(),
            "--app-id",
            creds["client_id"].as_str().unwrap(),
            "--roles",
            "OnlineMeetings.ReadWrite.All,OnlineMeetingTranscript.Read.All",
        ],
    )
    .output()
    .await
    .unwrap();
    assert!(granted.status.success(), "{granted:?}");
    // The subscriber's certificate and key.
    let now = chrono::Utc::now();
    let pem_text = graphmeet_core::crypto::KeyAndCertificate::generate(
        "listener",
        now - chrono::Duration::days(1),
        now + chrono::Duration::days(30),
    )
    .unwrap()
    .to_pem();
    let pem_path = data.join("listener.pem");
    std::fs::write(&pem_path, &pem_text).unwrap();

    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let mut listen = command(
        data,
        &[
            "listen",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--key",
            pem_path.to_str().unwrap(),
            "--client-state",
            "rich",
            "--count",
            "1",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut errors = tokio::io::BufReader::new(listen.stderr.take().unwrap()).lines();
    assert!(errors
        .next_line()
        .await
        .unwrap()
        .unwrap()
        .starts_with("listening on"));
    let at = server_now(data).await;
    let created = json(
        data,
        &[
            "subscription",
            "create",
            "--resource",
            &format!("users/{user}/onlineMeetings/getAllTranscripts"),
            "--notification-url",
            &format!("http://127.0.0.1:{port}/"),
            "--client-state",
            "rich",
            "--expiration",
            &(at + chrono::Duration::minutes(60)).to_rfc3339(),
            "--encryption-certificate",
            pem_path.to_str().unwrap(),
            "--encryption-certificate-id",
            "listener-cert",
        ],
    )
    .await;
    assert_eq!(created["encryptionCertificateId"], "listener-cert");
    let meeting = json(
        data,
        &[
            "meeting",
            "create",
            "--organizer",
            &user,
            "--subject",
            "Listened",
        ],
    )
    .await;
    let meeting_id = meeting["id"].as_str().unwrap().to_owned();

    // Played through the admin API: ten minutes, transcribed; then the clock passes its end.
    let info: Value =
        serde_json::from_slice(&std::fs::read(data.join("server.json")).unwrap()).unwrap();
    let ca = std::fs::read(info["ca_cert_path"].as_str().unwrap()).unwrap();
    let http = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .build()
        .unwrap();
    let key = std::fs::read_to_string(data.join("admin-key")).unwrap();
    let played = http
        .post(format!("{}/admin/meetings/{meeting_id}/play", info["url"].as_str().unwrap()))
        .header("x-graphmeet-admin-key", key.trim())
        .json(&serde_json::json!({
            "participants": [{"user": "organizer@graphmeetdev.onmicrosoft.com", "join": "PT0S", "leave": "PT10M"}],
            "utterances": [{"speaker": "organizer@graphmeetdev.onmicrosoft.com", "at": "PT5S", "text": "Hello."}]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(played.status(), 201);
    let moved = command(data, &["clock", "--advance", "PT10M"])
        .output()
        .await
        .unwrap();
    assert!(moved.status.success());
    let output = tokio::time::timeout(Duration::from_secs(20), listen.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let line: Value =
        serde_json::from_str(String::from_utf8(output.stdout).unwrap().trim()).unwrap();
    assert_eq!(line["notification"]["changeType"], "created");
    assert_eq!(line["clientStateMatches"], true);
    assert_eq!(line["resourceData"]["meetingId"], meeting_id.as_str());
    assert_eq!(
        line["resourceData"]["id"],
        line["notification"]["resourceData"]["id"]
    );
    server.shutdown().await;
}
