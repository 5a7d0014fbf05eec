//! What every handler shares.

use graphmeet_core::access::Access;
use graphmeet_core::directory::Directory;
use graphmeet_core::identity::Identity;
use graphmeet_core::index::DirectoryIndex;
use graphmeet_core::verify::TokenVerifier;
use graphmeet_core::Clock;
use std::sync::Arc;

/// The application state handed to every handler: services, never the store, so that no
/// handler can reach around them.
#[derive(Clone)]
pub struct AppState {
    /// Authorization of Graph calls.
    pub access: Access,
    /// The in-memory directory the services decide on; admin writes catch it up before they
    /// answer.
    pub index: Arc<DirectoryIndex>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// The identity platform.
    pub identity: Arc<Identity>,
    /// Directory administration.
    pub directory: Directory,
    /// Injected faults (`x-graphmeet-fault`, `serve --fault`).
    pub faults: Arc<crate::graph::fault::FaultInjector>,
    /// Online meetings.
    pub meetings: graphmeet_core::meetings::Meetings,
    /// The access-token verifier.
    pub verifier: Arc<TokenVerifier>,
    /// `https` or `http`: the scheme clients reach us with.
    pub scheme: &'static str,
    /// The configured public URL (`scheme://host[:port]`, no trailing slash), used when a
    /// request carries no `Host`.
    pub public_url: String,
    /// The bases a client assertion's `aud` may name the token URL under: the public URL, and
    /// for a loopback public URL its other loopback names on the same port (the names the
    /// server's certificate covers). Never the request's `Host`.
    pub audience_bases: Arc<Vec<String>>,
    /// The admin key's SHA-256, compared in constant time.
    pub admin_key_hash: Arc<Vec<u8>>,
    /// `scheme://host[:port]` of the meetings' `joinWebUrl` (`https://teams.microsoft.com`, or
    /// this server, which serves a landing page for them).
    pub join_url_base: String,
    /// The audit log: entries are queued here and written in batches off the request path.
    pub audit: graphmeet_core::audit::AuditLog,
}

impl AppState {
    /// `scheme://host[:port]` as this request's client sees us: built from its `Host` header
    /// (clients POST to whatever host the discovery document names, so it must be theirs),
    /// falling back to the public URL.
    pub fn base_url(&self, headers: &axum::http::HeaderMap) -> String {
        headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| {
                !h.is_empty()
                    && h.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
            })
            .map(|host| format!("{}://{}", self.scheme, host))
            .unwrap_or_else(|| self.public_url.clone())
    }
}
