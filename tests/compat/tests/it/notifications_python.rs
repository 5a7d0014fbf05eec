//! A change-notification subscriber written with Python's standard library
//! (`python/subscriber.py`; `cryptography` only for RSA-OAEP and AES) against a graphmeet
//! server on a virtual clock, over plain HTTP on loopback: it answers the validation requests,
//! receives the `created` notification of a played meeting's transcript with the `clientState`
//! it subscribed with and decrypts its resource data with its private key, and — after it was
//! down and the server was killed with SIGKILL and started again on the same data — still
//! receives the notification that was pending; renewal and expiry follow the virtual clock.
//!
//! The server runs in a child process (this test binary, re-executed to run
//! `graphmeet_server::serve`, what `graphmeet serve` runs), so that it can be killed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use graphmeet_testkit::cli::{server_client as http, wait_ready};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::AsyncBufReadExt;

const CHILD_DATA_DIR: &str = "GRAPHMEET_COMPAT_CHILD_SERVER_DATA_DIR";

/// Not a test of its own: the server process of the test below, when it re-executes this
/// binary with the data directory in the environment.
#[tokio::test]
async fn child_server() {
    let Some(dir) = std::env::var_os(CHILD_DATA_DIR) else {
        return;
    };
    let mut config = graphmeet_server::Config::new(PathBuf::from(dir));
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.manual_clock = true;
    config.notification_loopback_hosts = vec!["127.0.0.1".to_owned()];
    graphmeet_server::serve(config).await.unwrap();
}

fn spawn_server(dir: &Path) -> std::process::Child {
    std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "notifications_python::child_server",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(CHILD_DATA_DIR, dir)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

struct Server {
    dir: PathBuf,
    base: String,
    key: String,
    http: reqwest::Client,
    creds: Value,
}

impl Server {
    async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("x-graphmeet-admin-key", &self.key);
        if let Some(body) = body {
            r = r.json(&body);
        }
        let r = r.send().await.unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().await.unwrap_or(Value::Null)
    }

    async fn now(&self) -> chrono::DateTime<chrono::FixedOffset> {
        let clock = self.admin(reqwest::Method::GET, "/admin/clock", None).await;
        chrono::DateTime::parse_from_rfc3339(clock["now"].as_str().unwrap()).unwrap()
    }

    async fn advance(&self, by: &str) {
        self.admin(
            reqwest::Method::POST,
            "/admin/clock",
            Some(json!({"advance": by})),
        )
        .await;
    }

    async fn token(&self) -> String {
        let r = self
            .http
            .post(format!(
                "{}/{}/oauth2/v2.0/token",
                self.base,
                self.creds["tenant_id"].as_str().unwrap()
            ))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", self.creds["client_id"].as_str().unwrap()),
                (
                    "client_secret",
                    self.creds["client_secret"].as_str().unwrap(),
                ),
                ("scope", "https://graph.microsoft.com/.default"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.json::<Value>().await.unwrap()["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn graph(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(self.token().await);
        if let Some(body) = body {
            r = r.json(&body);
        }
        let r = r.send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

async fn connect(dir: &Path, previous: Option<&str>) -> Server {
    let base = wait_ready(dir, previous).await;
    Server {
        dir: dir.to_path_buf(),
        key: std::fs::read_to_string(dir.join("admin-key"))
            .unwrap()
            .trim()
            .to_owned(),
        http: http(dir),
        creds: serde_json::from_slice(&std::fs::read(dir.join("dev-credentials.json")).unwrap())
            .unwrap(),
        base,
    }
}

/// The Python subscriber, and the JSON lines it prints.
struct Subscriber {
    child: tokio::process::Child,
    lines: tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>,
}

impl Subscriber {
    async fn start(python: &Path, port: u16, key: &Path, count: usize) -> Self {
        let mut child = tokio::process::Command::new(python)
            .arg(graphmeet_compat::python_dir().join("subscriber.py"))
            .args(["serve", &port.to_string()])
            .arg(key)
            .args(["python-state", &count.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let first: Value =
            serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
        assert_eq!(first["listening"], port);
        Self { child, lines }
    }

    async fn next(&mut self) -> Value {
        let line = tokio::time::timeout(Duration::from_secs(30), self.lines.next_line())
            .await
            .expect("a line from the subscriber")
            .unwrap()
            .expect("the subscriber is running");
        serde_json::from_str(&line).unwrap()
    }
}

#[tokio::test]
async fn a_python_subscriber_gets_its_notifications_across_a_sigkill(
) -> Result<(), graphmeet_compat::VenvError> {
    let python = graphmeet_compat::venv_python()?;
    let work = tempfile::tempdir().unwrap();
    let keys = work.path().join("keys");
    std::fs::create_dir(&keys).unwrap();
    let out = tokio::process::Command::new(&python)
        .arg(graphmeet_compat::python_dir().join("subscriber.py"))
        .arg("keygen")
        .arg(&keys)
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let thumbprint: Value = serde_json::from_slice(&out.stdout).unwrap();

    let dir = work.path().join("data");
    let mut server_process = spawn_server(&dir);
    let s = connect(&dir, None).await;
    s.admin(
        reqwest::Method::POST,
        "/admin/consents",
        Some(
            json!({"tenant": s.creds["tenant_id"], "app_id": s.creds["client_id"],
            "roles": ["OnlineMeetings.ReadWrite.All", "OnlineMeetingTranscript.Read.All"]}),
        ),
    )
    .await;

    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let key = keys.join("key.pem");
    let mut subscriber = Subscriber::start(&python, port, &key, 1).await;
    let start = s.now().await;
    let (status, created) = s
        .graph(
            reqwest::Method::POST,
            "/v1.0/subscriptions",
            Some(json!({
                "changeType": "created",
                "notificationUrl": format!("http://127.0.0.1:{port}/notify"),
                "lifecycleNotificationUrl": format!("http://127.0.0.1:{port}/lifecycle"),
                "resource": format!("users/{}/onlineMeetings/getAllTranscripts", s.creds["user_id"].as_str().unwrap()),
                "expirationDateTime": (start + chrono::Duration::minutes(4320)).to_rfc3339(),
                "clientState": "python-state",
                "includeResourceData": true,
                "encryptionCertificate": std::fs::read_to_string(keys.join("cert.b64")).unwrap(),
                "encryptionCertificateId": "python-cert",
            })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["encryptionCertificateId"], "python-cert");
    assert!(created["encryptionCertificate"].is_null());
    let id = created["id"].as_str().unwrap().to_owned();
    // The validation requests: the notification URL, then the lifecycle URL, text/plain.
    let v = subscriber.next().await;
    assert_eq!(v["validation"], "/notify");
    assert!(v["contentType"].as_str().unwrap().starts_with("text/plain"));
    assert_eq!(subscriber.next().await["validation"], "/lifecycle");

    // A meeting is played (30 minutes, transcribed); once it has ended, the transcript's
    // `created` notification arrives, and the subscriber decrypts its resource data.
    let (status, meeting) = s
        .graph(
            reqwest::Method::POST,
            &format!(
                "/v1.0/users/{}/onlineMeetings",
                s.creds["user_id"].as_str().unwrap()
            ),
            Some(json!({"subject": "Python subscriber"})),
        )
        .await;
    assert_eq!(status, 201, "{meeting}");
    let meeting_id = meeting["id"].as_str().unwrap().to_owned();
    let play = json!({
        "participants": [{"user": "organizer@graphmeetdev.onmicrosoft.com", "join": "PT0S", "leave": "PT30M"}],
        "utterances": [{"speaker": "organizer@graphmeetdev.onmicrosoft.com", "at": "PT5S", "text": "Hello."}]
    });
    s.admin(
        reqwest::Method::POST,
        &format!("/admin/meetings/{meeting_id}/play"),
        Some(play.clone()),
    )
    .await;
    s.advance("PT30M").await;
    let n = subscriber.next().await;
    assert_eq!(n["path"], "/notify");
    assert_eq!(n["notification"]["changeType"], "created");
    assert_eq!(n["notification"]["subscriptionId"], id.as_str());
    assert_eq!(n["clientStateMatches"], true);
    assert!(n.get("decryptError").is_none(), "{n}");
    assert_eq!(n["validationTokens"], 1);
    let transcripts = format!(
        "/v1.0/users/{}/onlineMeetings/{meeting_id}/transcripts",
        s.creds["user_id"].as_str().unwrap()
    );
    let (status, listed) = s.graph(reqwest::Method::GET, &transcripts, None).await;
    assert_eq!(status, 200, "{listed}");
    let first_transcript = listed["value"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(n["resourceData"]["id"], first_transcript.as_str());
    assert_eq!(n["resourceData"]["meetingId"], meeting_id.as_str());
    assert_eq!(
        n["notification"]["resourceData"]["id"],
        first_transcript.as_str()
    );
    // The subscriber stopped after one notification: it is down now.
    let _ = subscriber.child.wait().await;

    // Renewed (virtual time) ...
    let renewal = s.now().await + chrono::Duration::minutes(4320);
    let (status, renewed) = s
        .graph(
            reqwest::Method::PATCH,
            &format!("/v1.0/subscriptions/{id}"),
            Some(json!({"expirationDateTime": renewal.to_rfc3339()})),
        )
        .await;
    assert_eq!(status, 200, "{renewed}");
    // ... and played again while the subscriber is down: the attempt fails and the
    // notification waits in the outbox.
    s.admin(
        reqwest::Method::POST,
        &format!("/admin/meetings/{meeting_id}/play"),
        Some(play),
    )
    .await;
    s.advance("PT30M").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let at = s.now().await;

    // The server is killed with SIGKILL and started again on the same data.
    assert!(std::process::Command::new("kill")
        .args(["-9", &server_process.id().to_string()])
        .status()
        .unwrap()
        .success());
    let _ = server_process.wait();
    let mut server_process = spawn_server(&dir);
    let s2 = connect(&s.dir, Some(&s.base)).await;
    // Its virtual clock starts at the system time: set it to where it was.
    s2.admin(
        reqwest::Method::POST,
        "/admin/clock",
        Some(json!({"set": at.to_rfc3339()})),
    )
    .await;
    // The subscriber is back; the pending notification arrives after its retry's backoff.
    let mut subscriber = Subscriber::start(&python, port, &key, 1).await;
    let arrived = async {
        loop {
            s2.advance("PT10M").await;
            tokio::time::sleep(Duration::from_millis(700)).await;
        }
    };
    let n = tokio::select! {
        n = subscriber.next() => n,
        _ = arrived => unreachable!(),
    };
    assert_eq!(n["notification"]["changeType"], "created");
    assert_eq!(n["clientStateMatches"], true);
    let (_, listed) = s2.graph(reqwest::Method::GET, &transcripts, None).await;
    let ids: Vec<&str> = listed["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "{listed}");
    let second = n["resourceData"]["id"].as_str().unwrap();
    assert!(ids.contains(&second) && second != first_transcript, "{n}");
    let expiry = chrono::DateTime::parse_from_rfc3339(
        n["notification"]["subscriptionExpirationDateTime"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        expiry.timestamp(),
        renewal.timestamp(),
        "the renewed expiry"
    );
    let _ = subscriber.child.wait().await;

    // Past the expiry the subscription is gone.
    s2.advance("PT4320M").await;
    let (status, _) = s2
        .graph(
            reqwest::Method::GET,
            &format!("/v1.0/subscriptions/{id}"),
            None,
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(thumbprint["thumbprint"].as_str().unwrap().len(), 40);
    let _ = server_process.kill();
    let _ = server_process.wait();
    Ok(())
}
