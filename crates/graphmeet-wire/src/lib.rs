//! Microsoft Graph and Entra ID wire types, shared by the graphmeet server and client.
//!
//! Everything here speaks Microsoft's names, casing and texts: the AADSTS error body of the
//! token endpoint, the token response, and the base64 forms the real clients send. Nothing here
//! does I/O; the domain (`graphmeet-core`) and the HTTP surfaces build on it.

pub mod aadsts;
pub mod admin;
pub mod admin_exchange;
pub mod admin_play;
pub mod b64;
pub mod cmdlet;
pub mod graph;
pub mod resources;
pub mod token;

#[cfg(test)]
mod proptests;

pub use aadsts::{AadstsBody, AadstsError};
pub use token::{TokenForm, TokenFormError, TokenResponse};

/// The Microsoft Graph resource URI, as clients name it in `https://graph.microsoft.com/.default`.
pub const GRAPH_RESOURCE_URI: &str = "https://graph.microsoft.com";
/// The Microsoft Graph application id, the other accepted form of the Graph resource.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
/// `client_assertion_type` for a JWT client assertion (RFC 7523).
pub const JWT_BEARER_ASSERTION_TYPE: &str =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
