//! The graphmeet client SDK.
//!
//! Today it holds the typed client of a graphmeet server's admin API ([`admin::AdminClient`])
//! and the discovery of a local server from its data directory ([`discovery::LocalServer`]),
//! which together let the `graphmeet` CLI administer a server with no flags at all.

pub mod admin;
pub mod discovery;
mod error;

pub use admin::AdminClient;
pub use discovery::LocalServer;
pub use error::ClientError;
