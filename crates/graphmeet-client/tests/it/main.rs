//! The client's integration tests, one binary: `graphmeet-client` against real servers
//! started by `graphmeet-testkit`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod admin_more;
mod diagnoses;
mod meetings;
