//! `/metrics` parses with Prometheus' own Python client (`prometheus_client`'s OpenMetrics
//! parser, from PyPI) and its counters move with the requests a test makes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use serde_json::{json, Value};

struct Server {
    server: graphmeet_server::RunningServer,
    http: reqwest::Client,
    admin_key: String,
    creds: Value,
}

impl Server {
    async fn scrape(&self, python: &std::path::Path) -> Vec<Value> {
        let r = self
            .http
            .get(format!("{}/metrics", self.server.base_url))
            .bearer_auth(&self.admin_key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text"));
        let text = r.text().await.unwrap();
        let mut child = tokio::process::Command::new(python)
            .arg(graphmeet_compat::python_dir().join("parse_metrics.py"))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        tokio::io::AsyncWriteExt::write_all(child.stdin.as_mut().unwrap(), text.as_bytes())
            .await
            .unwrap();
        drop(child.stdin.take());
        let out = child.wait_with_output().await.unwrap();
        assert!(
            out.status.success(),
            "{}\n{text}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    async fn token(&self) -> String {
        let tid = self.creds["tenant_id"].as_str().unwrap();
        let body: Value = self
            .http
            .post(format!("{}/{tid}/oauth2/v2.0/token", self.server.base_url))
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
            .unwrap()
            .json()
            .await
            .unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    async fn create(&self, token: &str, user: &str) -> u16 {
        self.http
            .post(format!(
                "{}/v1.0/users/{user}/onlineMeetings",
                self.server.base_url
            ))
            .bearer_auth(token)
            .json(&json!({"subject": "counted"}))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
}

fn value(samples: &[Value], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|s| s["name"] == name)
        .filter(|s| labels.iter().all(|(k, v)| s["labels"][*k] == *v))
        .map(|s| s["value"].as_f64().unwrap())
        .sum()
}

#[tokio::test]
async fn metrics_parse_with_prometheus_client_and_count_the_requests_made(
) -> Result<(), graphmeet_compat::VenvError> {
    let python = graphmeet_compat::venv_python()?;
    let t = graphmeet_testkit::TestServer::start().await;
    let admin_key = t.admin_key();
    let graphmeet_testkit::TestServer {
        server,
        http,
        creds,
        dir: _dir,
        ..
    } = t;
    let s = Server {
        server,
        http,
        admin_key,
        creds,
    };

    let r = s
        .http
        .get(format!("{}/metrics", s.server.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "the metrics need the admin key");

    let token = s.token().await;
    let user = s.creds["user_id"].as_str().unwrap().to_owned();
    assert_eq!(s.create(&token, &user).await, 201);
    assert_eq!(
        s.create(&token, "00000000-0000-0000-0000-000000000001")
            .await,
        404
    );
    let before = s.scrape(&python).await;
    let created = [
        ("surface", "graph"),
        ("operation", "CreateMeeting"),
        ("status", "201"),
    ];
    assert_eq!(
        value(&before, "graphmeet_requests_total", &created),
        1.0,
        "{before:?}"
    );
    assert_eq!(
        value(
            &before,
            "graphmeet_tokens_total",
            &[
                ("grant_type", "client_credentials"),
                ("credential", "secret"),
                ("outcome", "issued")
            ]
        ),
        1.0
    );
    assert_eq!(
        value(
            &before,
            "graphmeet_access_decisions_total",
            &[
                ("operation", "CreateMeeting"),
                ("outcome", "allowed"),
                ("grant", "user")
            ]
        ),
        1.0
    );
    assert_eq!(
        value(
            &before,
            "graphmeet_access_decisions_total",
            &[
                ("operation", "CreateMeeting"),
                ("outcome", "denied"),
                ("grant", "none")
            ]
        ),
        1.0
    );
    assert_eq!(value(&before, "graphmeet_directory_users", &[]), 1.0);
    assert!(
        value(
            &before,
            "graphmeet_request_duration_seconds_count",
            &[("surface", "graph"), ("operation", "CreateMeeting")]
        ) >= 2.0
    );

    // The meeting writer wrote one batch of one meeting; its queue is empty again.
    let meetings = [("queue", "meetings")];
    assert_eq!(
        value(&before, "graphmeet_queue_batch_jobs_count", &meetings),
        1.0,
        "{before:?}"
    );
    assert_eq!(
        value(&before, "graphmeet_queue_batch_jobs_sum", &meetings),
        1.0
    );
    assert_eq!(
        value(&before, "graphmeet_store_write_seconds_count", &meetings),
        1.0
    );
    assert!(value(&before, "graphmeet_store_write_seconds_sum", &meetings) > 0.0);
    assert_eq!(value(&before, "graphmeet_queue_depth", &meetings), 0.0);
    assert_eq!(
        value(&before, "graphmeet_store_write_failures_total", &meetings),
        0.0
    );
    assert_eq!(value(&before, "graphmeet_audit_dropped_entries", &[]), 0.0);

    assert_eq!(s.create(&token, &user).await, 201);
    // Reading the audit log writes what is queued first: the audit writer's batches show.
    let r = s
        .http
        .get(format!("{}/admin/audit", s.server.base_url))
        .bearer_auth(&s.admin_key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let after = s.scrape(&python).await;
    assert_eq!(value(&after, "graphmeet_requests_total", &created), 2.0);
    assert_eq!(
        value(&after, "graphmeet_queue_batch_jobs_sum", &meetings),
        2.0
    );
    let audit = [("queue", "audit")];
    assert!(
        value(&after, "graphmeet_queue_batch_jobs_sum", &audit) >= 3.0,
        "the three Graph decisions were written: {after:?}"
    );
    assert!(value(&after, "graphmeet_store_write_seconds_count", &audit) >= 1.0);
    s.server.shutdown().await;
    Ok(())
}
