//! The server's integration tests, one binary: each module a surface or a rule family,
//! against real servers started by `graphmeet-testkit`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod admin_lifecycle;
mod audit_log;
mod clocked;
mod console;
mod cs;
mod exchange_policy;
mod graph_artifacts;
mod graph_clocked;
mod graph_errors;
mod graph_events;
mod graph_meetings;
mod graph_policies;
mod graph_subscriptions;
mod hardening;
mod instances;
mod keys_and_restart;
mod proxy_mode;
mod refresh_token_clocked;
mod seed;
mod token_endpoint;
