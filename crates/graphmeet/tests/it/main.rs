//! The `graphmeet` binary's integration tests, one test binary: what a user types against real
//! servers (in this process, from `graphmeet-testkit`, or `graphmeet serve` as a child), and
//! what they see.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::Path;
use std::process::Output;

use graphmeet_server::RunningServer;
use graphmeet_testkit::cli::Cli;
use graphmeet_testkit::TestServer;
use serde_json::Value;

mod admin_verbs;
mod artifacts_cli;
mod cli;
mod crash;
mod events_cli;
mod meetings_cli;
mod policy_cli;
mod serve;
mod subscription_cli;

/// The `graphmeet` binary cargo built for these tests.
const GRAPHMEET: &str = env!("CARGO_BIN_EXE_graphmeet");

/// `graphmeet` against `data_dir`.
fn cli(data_dir: &Path) -> Cli {
    Cli::new(GRAPHMEET, data_dir)
}

/// Runs `graphmeet --data-dir DIR ARGS…` in DIR.
async fn graphmeet(data_dir: &Path, args: &[&str]) -> Output {
    cli(data_dir).run(args).await
}

/// A bootstrapped server on a free port with its own data directory.
async fn start_server() -> (RunningServer, tempfile::TempDir) {
    let TestServer { server, dir, .. } = TestServer::start().await;
    (server, dir)
}

/// A server on a free port with its own data directory, and no dev setup.
async fn start_bare_server() -> (RunningServer, tempfile::TempDir) {
    let TestServer { server, dir, .. } =
        TestServer::start_with(tempfile::tempdir().unwrap(), |c| c.bootstrap = false).await;
    (server, dir)
}

/// The dev credentials the first start wrote in `data`.
fn creds(data: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(data.join("dev-credentials.json")).unwrap()).unwrap()
}
