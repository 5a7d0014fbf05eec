//! `graphmeet serve` as a process: first start bootstraps over HTTPS, SIGTERM stops it cleanly,
//! and a restart keeps the data.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::cli;
use graphmeet_testkit::cli::{terminate, wait_ready};

/// `graphmeet serve` in `data_dir`, its output piped.
fn spawn_serve(data_dir: &Path) -> Child {
    cli(data_dir)
        .serve(None, &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

use std::path::Path;
use std::process::{Child, Command, Stdio};

#[tokio::test]
async fn serve_bootstraps_stops_on_sigterm_and_restarts_with_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = spawn_serve(dir.path());
    let url = wait_ready(dir.path(), None).await;
    assert!(url.starts_with("https://127.0.0.1:"));
    let creds: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("dev-credentials.json")).unwrap())
            .unwrap();
    let keys = [
        "tenant_id",
        "tenant_domain",
        "client_id",
        "client_secret",
        "certificate_path",
        "user_id",
        "user_upn",
        "authority",
        "token_url",
        "graph_url",
        "ca_cert_path",
    ];
    let mut got: Vec<&str> = creds
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    got.sort_unstable();
    let mut want = keys.to_vec();
    want.sort_unstable();
    assert_eq!(
        got, want,
        "dev-credentials.json has exactly the documented keys"
    );
    assert_eq!(
        creds["authority"],
        format!("{url}/{}", creds["tenant_id"].as_str().unwrap())
    );
    assert_eq!(creds["graph_url"], format!("{url}/v1.0"));

    let status = terminate(&mut child);
    assert!(
        status.success(),
        "graceful shutdown exits 0, got {status:?}"
    );
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("REQUESTS_CA_BUNDLE="),
        "prints how to trust the CA: {stdout}"
    );
    assert!(stdout.contains("dev-credentials.json"), "{stdout}");

    let mut child = spawn_serve(dir.path());
    wait_ready(dir.path(), Some(&url)).await;
    let again: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("dev-credentials.json")).unwrap())
            .unwrap();
    assert_eq!(
        again["client_secret"], creds["client_secret"],
        "a restart does not bootstrap again"
    );
    assert!(terminate(&mut child).success());
}

/// `serve --seed FILE` applies the seed instead of creating the dev setup, and
/// `GRAPHMEET_KEY_ENCRYPTION_KEY` is the key the signing keys are sealed under (no key file is
/// made); a malformed one stops the start with a clear message.
#[tokio::test]
async fn serve_applies_a_seed_and_takes_the_key_encryption_key_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed.toml");
    std::fs::write(
        &seed,
        "[[tenant]]\nname = \"Contoso\"\ndomain = \"contoso.example\"\n\n[[tenant.user]]\nupn = \"alice@contoso.example\"\n",
    )
    .unwrap();
    let data = dir.path().join("data");
    let kek = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
    let spawn = |key: &str| {
        Command::new(crate::GRAPHMEET)
            .args(["serve", "--listen", "127.0.0.1:0", "--seed"])
            .arg(&seed)
            .arg("--data-dir")
            .arg(&data)
            .env("GRAPHMEET_LOG", "warn")
            .env("GRAPHMEET_KEY_ENCRYPTION_KEY", key)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let bad = spawn("not-a-key").wait_with_output().unwrap();
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("key-encryption key"), "{stderr}");

    let mut child = spawn(kek);
    let url = wait_ready(&data, None).await;
    assert!(!data.join("dev-credentials.json").exists(), "no dev setup");
    assert!(
        !data.join("key-encryption-key").exists(),
        "the given key is used"
    );
    let key = std::fs::read_to_string(data.join("admin-key")).unwrap();
    let info: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.join("server.json")).unwrap()).unwrap();
    let ca = std::fs::read(info["ca_cert_path"].as_str().unwrap()).unwrap();
    let http = graphmeet_testkit::trusting_builder(&ca).build().unwrap();
    let tenants: serde_json::Value = http
        .get(format!("{url}/admin/tenants"))
        .header("x-graphmeet-admin-key", key.trim())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let domains: Vec<&str> = tenants
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["domains"].as_array().unwrap())
        .filter_map(|d| d.as_str())
        .collect();
    assert_eq!(domains, ["contoso.example"], "{tenants}");
    assert!(terminate(&mut child).success());
}

/// Takes the CA out of the system store when a trust test ends, however it ends.
struct Untrust(std::path::PathBuf);

impl Drop for Untrust {
    fn drop(&mut self) {
        let _ = Command::new(crate::GRAPHMEET)
            .args(["trust", "--remove", "--data-dir"])
            .arg(&self.0)
            .output();
    }
}

fn curl_healthz(url: &str) -> bool {
    Command::new("curl")
        .args([
            "--silent",
            "--fail",
            "--max-time",
            "10",
            "--output",
            "/dev/null",
        ])
        .arg(format!("{url}/healthz"))
        .status()
        .expect("curl is needed for this test (apt-get install curl)")
        .success()
}

#[tokio::test]
async fn trust_lets_curl_reach_the_server_without_a_ca_flag_and_remove_undoes_it() {
    let store = Path::new("/usr/local/share/ca-certificates");
    let writable = store.is_dir()
        && Path::new("/usr/sbin/update-ca-certificates").exists()
        && tempfile::tempfile_in(store).is_ok();
    if !writable {
        eprintln!("skipped: this test needs a Debian trust store it may write to (run as root)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut child = spawn_serve(dir.path());
    let url = wait_ready(dir.path(), None).await;
    assert!(
        !curl_healthz(&url),
        "curl does not trust the local CA before"
    );

    let _untrust = Untrust(dir.path().to_owned());
    let out = Command::new(crate::GRAPHMEET)
        .args(["trust", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("NODE_EXTRA_CA_CERTS="), "{stdout}");
    assert!(stdout.contains("keytool -importcert"), "{stdout}");
    assert!(curl_healthz(&url), "curl trusts the system store");

    let out = Command::new(crate::GRAPHMEET)
        .args(["trust", "--remove", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!curl_healthz(&url), "removed again");
    assert!(terminate(&mut child).success());
}
