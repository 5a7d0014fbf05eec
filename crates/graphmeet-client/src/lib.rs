//! The graphmeet client SDK: create Teams online meetings as an application, against
//! Microsoft Graph in production and a graphmeet server locally and in CI.
//!
//! - [`MeetingsClient`]: the typed meetings API (create, createOrGet, get, find by join URL or
//!   join meeting id, update, delete) for any tenant that consented the app, with a per-tenant
//!   token cache, Retry-After-aware retries and errors that say how to fix them
//!   ([`Diagnosis`]).
//! - [`AppConfig`], [`Cloud`], [`ClientCredential`]: who the app is and where it signs in, from
//!   explicit values, the Azure environment variables or a profile file.
//! - [`admin::AdminClient`] and [`discovery::LocalServer`]: a graphmeet server's admin API and
//!   the discovery of a local server from its data directory, which let the `graphmeet` CLI
//!   administer a server with no flags at all.

pub mod admin;
mod admin_exchange;
pub mod artifacts;
pub mod config;
pub mod diagnosis;
pub mod discovery;
mod error;
pub mod events;
pub mod meetings;
pub mod retry;
pub mod subscriptions;
pub mod token;

pub use admin::AdminClient;

/// Makes aws-lc-rs the process's default rustls crypto provider, unless the program already
/// installed one (which is then kept). graphmeet's reqwest carries no built-in provider, so
/// every HTTP client it builds calls this first; a program building its own reqwest client
/// with the same reqwest may call it too.
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Err only when another thread installed one meanwhile: that one serves.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    }
}
pub use config::{
    AppConfig, AssertionAlgorithm, CertificateCredential, ClientCredential, ClientSecret, Cloud,
};
pub use diagnosis::{Diagnosis, GraphCallError, TokenRequestError};
pub use discovery::LocalServer;
pub use error::ClientError;
pub use events::{EventFields, EventResponse, Invitee, When};
pub use meetings::{ClientStats, CreateOrGet, MeetingsClient, Organizer};
pub use retry::RetryPolicy;
pub use token::AccessToken;
