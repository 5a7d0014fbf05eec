//! graphmeet-store's integration tests, one binary: every contract of the store run on every
//! backend (SQLite always, PostgreSQL when `GRAPHMEET_TEST_POSTGRES_URL` is set, each test in a
//! schema of its own), the migrations compared, and graphmeet-core's batching writers over real
//! databases. One module per contract:
//!
//! - `conformance`: the `Store` trait;
//! - `events_conformance`: events (`EventStore`) and Exchange's application access policies;
//! - `artifacts`: the `ArtifactStore` (played meeting sessions, meeting configuration);
//! - `subscriptions`: the `SubscriptionStore` (subscriptions and the outbox);
//! - `migrations`: the two migration sets build the same schema;
//! - `writers`: the meeting writer's group commit and the audit log's batches.
//!
//! `cargo test -p graphmeet-store --test it MODULE::` runs one of them.

mod artifacts;
mod conformance;
mod events_conformance;
mod migrations;
mod subscriptions;
mod writers;
