//! Test a service that creates Teams meetings against a real graphmeet server, started in the
//! test's own process.
//!
//! [`TestServer::start`] runs the whole server (the identity platform, Graph and the admin API)
//! over HTTPS on `127.0.0.1:0`, with the CA it generates and a SQLite file in a temporary data
//! directory; the first start makes the dev setup (a tenant, an organizer, an app with a secret
//! and a certificate, consent, and an access policy granted to the organizer) and writes it to
//! [`TestServer::creds`]. The server comes with clients that trust its CA and nothing else: a
//! reqwest client ([`TestServer::http`]), the typed admin API ([`TestServer::admin_api`]) and
//! `graphmeet-client` ([`TestServer::secret_client`], [`TestServer::client`]).
//!
//! ```no_run
//! use graphmeet_client::Organizer;
//! use graphmeet_testkit::TestServer;
//!
//! # fn main() {}
//! #[tokio::test]
//! async fn my_scheduler_creates_a_meeting() {
//!     let server = TestServer::start().await;
//!     // The dev app, its secret, and the organizer its policy is granted to.
//!     let meetings = server.secret_client();
//!     // …or point your own code at `server.server.base_url`, trusting `server.ca_cert_path()`.
//!     let organizer = Organizer::object_id(server.user_id());
//!     # let _ = (meetings, organizer);
//!     server.stop().await;
//! }
//! ```
//!
//! A test that needs its own directory states it with the [`fixtures`] builders, which call
//! the admin API as an admin would:
//!
//! ```no_run
//! # async fn example() {
//! use graphmeet_testkit::{TestServer, fixtures::ONLINE_MEETINGS_READ_WRITE_ALL};
//!
//! let server = TestServer::start().await;
//! let contoso = server.new_tenant("Contoso").domain("contoso.example").create().await;
//! let alice = contoso.user("alice").create().await;
//! let app = contoso.app("Scheduler").consent(&[ONLINE_MEETINGS_READ_WRITE_ALL]).create().await;
//! // Without a policy granted to Alice, Graph answers the app's calls for her with a 403.
//! let policy = contoso.policy("Schedulers").app(app.app_id()).create().await;
//! policy.grant_to_user(&alice.id).await;
//! let client = server.client(app.app_id(), app.credential());
//! # let _ = client;
//! # }
//! ```
//!
//! [`TestServer::start_with`] changes the server's `Config` first (a manual clock, proxy mode,
//! a seed); [`on_every_backend`] runs a test on SQLite and, when
//! `GRAPHMEET_TEST_POSTGRES_URL` names a PostgreSQL server, on a fresh schema there too.
//! [`cli`] runs the `graphmeet` binary against a server's data directory; [`assertion`] signs
//! client assertions the ways real clients do.
//!
//! Every helper fails the test the way a test fails: by panicking with what went wrong.

// A test kit reports failures by panicking, with the reason in the message.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

pub mod assertion;
pub mod cli;
pub mod fixtures;
mod server;

pub use graphmeet_client::install_crypto_provider;
pub use server::{
    client_builder, client_for, config, databases, on_every_backend, trusting_builder, TestServer,
    POSTGRES_URL_VAR,
};
