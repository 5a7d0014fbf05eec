//! The compat suite, one test binary: official third-party clients against real graphmeet
//! servers started by `graphmeet-testkit`. A test whose venv or npm packages are missing fails
//! with what to install (see `graphmeet_compat`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod azure_cli;
mod console_browser;
mod metrics;
mod msal_public_client;
mod msal_python;
mod msgraph_artifacts;
mod msgraph_events;
mod msgraph_sdk;
mod notifications_python;
mod schemathesis;
mod through_proxy;
