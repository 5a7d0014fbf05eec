//! The admin console in a real browser: `tests/console/console.test.mjs` drives Debian's
//! `chromium` through `playwright-core` (from npm, `tests/console/package-lock.json`) against
//! two real servers over TLS — one as `serve` starts by default, one with a 30-minute policy
//! propagation delay on a manual clock — with axe-core on every page. Screenshots of the
//! matrix and the audit log go to `target/tmp/console-screenshots/`.
//!
//! Skipped (with a line saying so) only when chromium or the npm packages are missing and `CI`
//! is unset; `.ci/run` installs both and sets `CI`, so there it always runs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn console_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../console")
}

struct Started {
    server: graphmeet_server::RunningServer,
    http: reqwest::Client,
    key: String,
    creds: Value,
    _dir: tempfile::TempDir,
}

impl Started {
    async fn new(adjust: impl FnOnce(&mut graphmeet_server::Config)) -> Self {
        let t =
            graphmeet_testkit::TestServer::start_with(tempfile::tempdir().unwrap(), adjust).await;
        let key = t.admin_key();
        let graphmeet_testkit::TestServer {
            server,
            http,
            creds,
            dir,
            ..
        } = t;
        Self {
            server,
            http,
            key,
            creds,
            _dir: dir,
        }
    }

    fn cred(&self, name: &str) -> String {
        self.creds[name].as_str().unwrap().to_owned()
    }

    /// A meeting the dev app creates for the organizer through Graph; its id.
    async fn meeting(&self) -> String {
        let token: Value = self
            .http
            .post(self.cred("token_url"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", &self.cred("client_id")),
                ("client_secret", &self.cred("client_secret")),
                ("scope", "https://graph.microsoft.com/.default"),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let r = self
            .http
            .post(format!(
                "{}/users/{}/onlineMeetings",
                self.cred("graph_url"),
                self.cred("user_id")
            ))
            .bearer_auth(token["access_token"].as_str().unwrap())
            .json(&json!({ "subject": "Console review" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let m: Value = r.json().await.unwrap();
        m["id"].as_str().unwrap().to_owned()
    }

    /// A second user of the dev tenant: (object id, UPN).
    async fn second_user(&self) -> (String, String) {
        let upn = format!("second@{}", self.cred("tenant_domain"));
        let r = self
            .http
            .post(format!("{}/admin/users", self.server.base_url))
            .header("x-graphmeet-admin-key", &self.key)
            .json(&json!({ "tenant": self.cred("tenant_id"), "upn": upn, "display_name": "Second User" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let user: Value = r.json().await.unwrap();
        (user["id"].as_str().unwrap().to_owned(), upn)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_works_in_chromium_and_passes_axe() {
    let chromium =
        std::env::var("GRAPHMEET_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let modules = console_dir().join("node_modules");
    let missing: Vec<String> = [
        (!Path::new(&chromium).exists()).then(|| format!("{chromium} (apt-get install chromium)")),
        (!modules.join("playwright-core").exists() || !modules.join("axe-core").exists())
            .then(|| "tests/console/node_modules (npm ci in tests/console)".to_owned()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !missing.is_empty() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but the browser test cannot run: missing {}",
            missing.join(", ")
        );
        println!(
            "skipped: the console browser test needs {} (it runs under .ci/run)",
            missing.join(" and ")
        );
        return;
    }

    let plain = Started::new(|_| {}).await;
    let delayed = Started::new(|c| {
        c.manual_clock = true;
        c.policy_propagation_delay = chrono::Duration::minutes(30);
    })
    .await;
    let (second, second_upn) = plain.second_user().await;
    let (dsecond, dsecond_upn) = delayed.second_user().await;
    let meeting = plain.meeting().await;

    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("console-screenshots");

    let out = tokio::process::Command::new("node")
        .arg("console.test.mjs")
        .current_dir(console_dir())
        .env("GM_CHROMIUM", &chromium)
        .env("GM_SCREENSHOTS", &shots)
        .env("GM_BASE", &plain.server.base_url)
        .env("GM_KEY", &plain.key)
        .env("GM_TENANT", plain.cred("tenant_id"))
        .env("GM_APP", plain.cred("client_id"))
        .env("GM_ORGANIZER", plain.cred("user_id"))
        .env("GM_SECOND", &second)
        .env("GM_SECOND_UPN", &second_upn)
        .env("GM_MEETING", &meeting)
        .env("GM_DELAYED_BASE", &delayed.server.base_url)
        .env("GM_DELAYED_KEY", &delayed.key)
        .env("GM_DELAYED_TENANT", delayed.cred("tenant_id"))
        .env("GM_DELAYED_APP", delayed.cred("client_id"))
        .env("GM_DELAYED_SECOND", &dsecond)
        .env("GM_DELAYED_SECOND_UPN", &dsecond_upn)
        .kill_on_drop(true)
        .output()
        .await
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(
        out.status.success(),
        "the browser test failed:\n{stdout}\n{stderr}"
    );
    for shot in ["matrix.png", "audit.png"] {
        let len = std::fs::metadata(shots.join(shot))
            .map(|m| m.len())
            .unwrap_or(0);
        assert!(len > 10_000, "{shot} was not saved ({len} bytes)");
    }
    println!("screenshots: {}", shots.display());
    plain.server.shutdown().await;
    delayed.server.shutdown().await;
}
