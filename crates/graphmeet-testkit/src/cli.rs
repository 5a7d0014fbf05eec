//! Running the `graphmeet` binary as a user types it: against a data directory, with no
//! `GRAPHMEET_*` or `AZURE_*` variable of the test's own environment leaking in, and asserting
//! on what it prints and its exit code; and `graphmeet serve` as a child process.
//!
//! The binary is an argument: the `graphmeet` crate's own tests pass
//! `env!("CARGO_BIN_EXE_graphmeet")`; a user's test passes the path of the `graphmeet` it
//! installed.
//!
//! ```no_run
//! # async fn example() {
//! use graphmeet_testkit::cli::{json, Cli};
//! let server = graphmeet_testkit::TestServer::start().await;
//! let cli = Cli::new("/usr/local/bin/graphmeet", server.data_dir());
//! let tenants = json(&cli.run(&["tenant", "list", "--output", "json"]).await);
//! assert_eq!(tenants.as_array().map(Vec::len), Some(1));
//! # }
//! ```

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The prefixes of the variables a run does not inherit: the CLI reads its settings and the
/// Azure SDKs' credentials from them.
const NOT_INHERITED: [&str; 2] = ["GRAPHMEET_", "AZURE_"];

/// A `graphmeet` binary run against one data directory.
#[derive(Debug, Clone)]
pub struct Cli {
    bin: PathBuf,
    data_dir: PathBuf,
}

impl Cli {
    /// The binary at `bin`, run with `--data-dir data_dir`. Also makes aws-lc-rs the test
    /// process's rustls provider (see [`graphmeet_client::install_crypto_provider`]), so a test
    /// may build its own reqwest client beside the CLI.
    pub fn new(bin: impl Into<PathBuf>, data_dir: &Path) -> Cli {
        graphmeet_client::install_crypto_provider();
        Cli {
            bin: bin.into(),
            data_dir: data_dir.to_path_buf(),
        }
    }

    /// The data directory it runs against.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The binary with none of the test's `GRAPHMEET_*` and `AZURE_*` variables, and the log
    /// level at `warn`; no arguments yet.
    pub fn bare(&self) -> Command {
        let mut command = Command::new(&self.bin);
        for (name, _) in std::env::vars_os() {
            let text = name.to_string_lossy();
            if NOT_INHERITED.iter().any(|p| text.starts_with(p)) {
                command.env_remove(&name);
            }
        }
        command.env("GRAPHMEET_LOG", "warn").stdin(Stdio::null());
        command
    }

    /// `graphmeet --data-dir DIR ARGS…`, in DIR, as [`Cli::bare`] sets it up.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = self.bare();
        command
            .current_dir(&self.data_dir)
            .arg("--data-dir")
            .arg(&self.data_dir)
            .args(args);
        command
    }

    /// Runs [`Cli::command`] to its end.
    pub async fn run(&self, args: &[&str]) -> Output {
        output(self.command(args)).await
    }

    /// Runs it in `cwd` instead of the data directory.
    pub async fn run_in(&self, cwd: &Path, args: &[&str]) -> Output {
        let mut command = self.command(args);
        command.current_dir(cwd);
        output(command).await
    }

    /// Runs it with `env` set (after the test's own variables were removed).
    pub async fn run_with_env(&self, env: &[(&str, &str)], args: &[&str]) -> Output {
        let mut command = self.command(args);
        command.envs(env.iter().copied());
        output(command).await
    }

    /// `graphmeet serve --listen 127.0.0.1:0 EXTRA… --data-dir DIR [--database-url URL]`, its
    /// stdout discarded and stderr the test's; spawn it, then [`wait_ready`].
    pub fn serve(&self, database_url: Option<&str>, extra: &[&str]) -> Command {
        let mut command = self.bare();
        command
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .arg("--data-dir")
            .arg(&self.data_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        if let Some(url) = database_url {
            command.args(["--database-url", url]);
        }
        command
    }
}

async fn output(command: Command) -> Output {
    let shown = format!("{command:?}");
    tokio::process::Command::from(command)
        .output()
        .await
        .unwrap_or_else(|e| panic!("{shown}: {e}"))
}

/// What the run printed on stdout.
pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap_or_else(|e| panic!("stdout: {e}"))
}

/// What the run printed on stderr.
pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap_or_else(|e| panic!("stderr: {e}"))
}

/// Asserts the run succeeded (exit 0); its stdout.
pub fn ok(output: &Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    stdout(output)
}

/// Asserts the run succeeded and printed JSON; the JSON.
pub fn json(output: &Output) -> Value {
    let text = ok(output);
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("not JSON ({err}): {text}"))
}

/// Asserts the exit code, that nothing went to stdout, and that stderr holds every `needle`.
pub fn fails(output: &Output, code: i32, needles: &[&str]) {
    let err = stderr(output);
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout: {}\nstderr: {err}",
        stdout(output)
    );
    assert!(stdout(output).is_empty(), "{}", stdout(output));
    for needle in needles {
        assert!(err.contains(needle), "no '{needle}' in: {err}");
    }
}

/// Asserts the exit code; stdout and stderr together.
pub fn failed(output: &Output, code: i32) -> String {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        stdout(output),
        stderr(output)
    );
    format!("{}{}", stdout(output), stderr(output))
}

/// The value of a `key: value` line (or PowerShell's `Key : value`) in `text`.
pub fn field(text: &str, key: &str) -> String {
    text.lines()
        .find_map(|line| {
            let rest = line.strip_prefix(key)?;
            let rest = rest.trim_start();
            rest.strip_prefix(':').map(str::trim)
        })
        .unwrap_or_else(|| panic!("no {key} in {text}"))
        .to_owned()
}

/// The `server.json` a running `graphmeet serve` wrote in `data_dir` (`url`, `ca_cert_path`,
/// …), when there is one.
pub fn server_info(data_dir: &Path) -> Option<Value> {
    std::fs::read(data_dir.join("server.json"))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
}

/// A reqwest client that trusts the CA of the server whose `server.json` is in `data_dir`, and
/// gives up on a request after 30 s.
pub fn server_client(data_dir: &Path) -> reqwest::Client {
    let info =
        server_info(data_dir).unwrap_or_else(|| panic!("no server.json in {}", data_dir.display()));
    let ca_path = info["ca_cert_path"]
        .as_str()
        .unwrap_or_else(|| panic!("no ca_cert_path in {info}"));
    let ca = std::fs::read(ca_path).unwrap_or_else(|e| panic!("{ca_path}: {e}"));
    crate::server::trusting_builder(&ca)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap_or_else(|e| panic!("the HTTP client: {e}"))
}

/// Waits (up to 60 s) until the server named by `data_dir/server.json`, another one than
/// `previous_url`, answers `/readyz` with 200; its URL.
pub async fn wait_ready(data_dir: &Path, previous_url: Option<&str>) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "the server did not come up");
        let url = server_info(data_dir).and_then(|i| i["url"].as_str().map(str::to_owned));
        if let Some(url) = url {
            if Some(url.as_str()) != previous_url {
                let ready = server_client(data_dir)
                    .get(format!("{url}/readyz"))
                    .send()
                    .await;
                if ready.is_ok_and(|r| r.status() == 200) {
                    return url;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Sends SIGTERM to `child` and waits (up to 30 s) for it to exit; its exit status.
pub fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let pid = child.id().to_string();
    let sent = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap_or_else(|e| panic!("kill -TERM {pid}: {e}"));
    assert!(sent.success(), "kill -TERM {pid}: {sent}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child
            .try_wait()
            .unwrap_or_else(|e| panic!("waiting for {pid}: {e}"))
        {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "process {pid} did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
