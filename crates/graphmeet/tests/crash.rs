//! `graphmeet serve` killed with SIGKILL while clients create meetings: every meeting the
//! server answered 201 for is there after a restart, on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use graphmeet_store::TestDatabase;
use serde_json::{json, Value};

/// `graphmeet serve` on a free port, on `database_url` (a SQLite file in the data directory
/// when None), with no `GRAPHMEET_*` variable of the test's environment leaking in.
fn spawn_serve(data_dir: &Path, database_url: Option<&str>) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_graphmeet"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("GRAPHMEET_") {
            command.env_remove(&name);
        }
    }
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .env("GRAPHMEET_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    if let Some(url) = database_url {
        command.args(["--database-url", url]);
    }
    command.spawn().unwrap()
}

fn client(data_dir: &Path) -> reqwest::Client {
    let info: Value =
        serde_json::from_slice(&std::fs::read(data_dir.join("server.json")).unwrap()).unwrap();
    let ca = std::fs::read(info["ca_cert_path"].as_str().unwrap()).unwrap();
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Waits until the server named by `server.json` (another one than `previous_url`) is ready;
/// returns its URL.
async fn wait_ready(data_dir: &Path, previous_url: Option<&str>) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "the server did not come up");
        let info = std::fs::read(data_dir.join("server.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok());
        if let Some(url) = info.and_then(|i| i["url"].as_str().map(str::to_owned)) {
            if Some(url.as_str()) != previous_url {
                if let Ok(r) = client(data_dir).get(format!("{url}/readyz")).send().await {
                    if r.status() == 200 {
                        return url;
                    }
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// An app-only token for the dev app from the server at `base`, with the dev credentials (whose
/// URLs name the first start's port).
async fn token(http: &reqwest::Client, base: &str, creds: &Value) -> String {
    let r = http
        .post(format!(
            "{base}/{}/oauth2/v2.0/token",
            creds["tenant_id"].as_str().unwrap()
        ))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", creds["client_id"].as_str().unwrap()),
            ("client_secret", creds["client_secret"].as_str().unwrap()),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

async fn acknowledged_meetings_survive_sigkill(database: Option<&TestDatabase>) {
    let dir = tempfile::tempdir().unwrap();
    let url = database.map(|d| d.url.as_str());
    let mut child = spawn_serve(dir.path(), url);
    let base = wait_ready(dir.path(), None).await;
    let creds: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("dev-credentials.json")).unwrap())
            .unwrap();
    let http = client(dir.path());
    let bearer = token(&http, &base, &creds).await;
    let meetings = format!(
        "{base}/v1.0/users/{}/onlineMeetings",
        creds["user_id"].as_str().unwrap()
    );

    // Eight creators, each until its connection breaks; the ids answered 201 are kept.
    let killed = Arc::new(AtomicBool::new(false));
    let mut creators = tokio::task::JoinSet::new();
    for worker in 0..8 {
        let (http, bearer, meetings, killed) = (
            http.clone(),
            bearer.clone(),
            meetings.clone(),
            killed.clone(),
        );
        creators.spawn(async move {
            let mut acknowledged = Vec::new();
            for i in 0.. {
                let sent = http
                    .post(&meetings)
                    .bearer_auth(&bearer)
                    .json(&json!({"subject": format!("crash {worker}-{i}")}))
                    .send()
                    .await;
                let response = match sent {
                    Ok(r) => r,
                    Err(e) => {
                        assert!(killed.load(Ordering::SeqCst), "before the kill: {e}");
                        break;
                    }
                };
                let status = response.status();
                let Ok(body) = response.json::<Value>().await else {
                    // The body was cut off by the kill: not acknowledged.
                    assert!(killed.load(Ordering::SeqCst));
                    break;
                };
                assert_eq!(status, 201, "{body}");
                acknowledged.push(body["id"].as_str().unwrap().to_owned());
            }
            acknowledged
        });
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    killed.store(true, Ordering::SeqCst);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let mut acknowledged = Vec::new();
    while let Some(done) = creators.join_next().await {
        acknowledged.extend(done.unwrap());
    }
    assert!(
        acknowledged.len() >= 8,
        "only {} meetings were created in 2 s",
        acknowledged.len()
    );

    let mut child = spawn_serve(dir.path(), url);
    let base = wait_ready(dir.path(), Some(&base)).await;
    let creds: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("dev-credentials.json")).unwrap())
            .unwrap();
    let http = client(dir.path());
    let bearer = token(&http, &base, &creds).await;
    let meetings = format!(
        "{base}/v1.0/users/{}/onlineMeetings",
        creds["user_id"].as_str().unwrap()
    );
    let total = acknowledged.len();
    let mut readers = tokio::task::JoinSet::new();
    for chunk in acknowledged.chunks(total.div_ceil(8)) {
        let (http, bearer, meetings, ids) = (
            http.clone(),
            bearer.clone(),
            meetings.clone(),
            chunk.to_vec(),
        );
        readers.spawn(async move {
            let mut missing = Vec::new();
            for id in ids {
                let r = http
                    .get(format!("{meetings}/{id}"))
                    .bearer_auth(&bearer)
                    .send()
                    .await
                    .unwrap();
                if r.status() != 200 {
                    missing.push((id, r.status().as_u16()));
                }
            }
            missing
        });
    }
    let mut missing = Vec::new();
    while let Some(done) = readers.join_next().await {
        missing.extend(done.unwrap());
    }
    assert!(
        missing.is_empty(),
        "{} of {total} acknowledged meetings are gone after SIGKILL: {missing:?}",
        missing.len()
    );
    eprintln!("all {total} acknowledged meetings survived SIGKILL");

    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    assert!(child.wait().unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_during_concurrent_creates_loses_no_acknowledged_meeting_on_sqlite() {
    acknowledged_meetings_survive_sigkill(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_during_concurrent_creates_loses_no_acknowledged_meeting_on_postgres() {
    let Some(db) = TestDatabase::postgres().await else {
        return;
    };
    acknowledged_meetings_survive_sigkill(Some(&db)).await;
    db.cleanup().await.unwrap();
}
