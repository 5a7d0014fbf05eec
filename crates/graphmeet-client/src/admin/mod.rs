//! A typed client of a graphmeet server's admin API (`/admin/...`).
//!
//! Every call sends the admin key in the [`ADMIN_KEY_HEADER`] header. The bodies are the shared
//! types of [`graphmeet_wire::admin`], so the client and the server cannot drift apart.
//!
//! This file has the client and its transport (the admin key, errors, URLs); `routes` has one
//! method per route.

mod routes;

use std::time::Duration;

use graphmeet_wire::admin::{AdminErrorBody, ADMIN_KEY_HEADER};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

use crate::error::exchange;
use crate::ClientError;

/// How long to wait for a connection to the server.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a whole admin call may take (generating keys on the server can take a while).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

pub use graphmeet_wire::admin::{AuditDecision, AuditEntry, RunScript, ScriptOutput};

/// Which audit entries `GET /admin/audit` returns; every field given narrows the result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only this tenant, by id or domain.
    pub tenant: Option<String>,
    /// Only this application (client) id.
    pub app: Option<String>,
    /// Only this user: an object id, or a UPN when `tenant` is given.
    pub user: Option<String>,
    /// Only this outcome.
    pub decision: Option<AuditDecision>,
    /// Only entries at or after this time, RFC 3339.
    pub since: Option<String>,
    /// At most this many entries, newest first [server default: 100].
    pub limit: Option<u32>,
}

/// A client of one graphmeet server's admin API, authenticated with its admin key.
///
/// TLS trusts only the CA given to [`AdminClient::new`]: no public or system roots are
/// built in, so an `https` server whose certificate does not chain to that CA (for example a
/// public host) is refused. Plain `http` works without a CA.
#[derive(Clone)]
pub struct AdminClient {
    http: reqwest::Client,
    base_url: Url,
}

impl std::fmt::Debug for AdminClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The admin key lives in the client's default headers and is never shown.
        f.debug_struct("AdminClient")
            .field("base_url", &self.base_url.as_str())
            .finish_non_exhaustive()
    }
}

impl AdminClient {
    /// A client of the server at `base_url` (e.g. `https://127.0.0.1:8443`), sending
    /// `admin_key`, and trusting only the CA certificate(s) in `ca_cert_pem` for TLS.
    pub fn new(
        base_url: Url,
        admin_key: String,
        ca_cert_pem: Option<&[u8]>,
    ) -> Result<AdminClient, ClientError> {
        if !matches!(base_url.scheme(), "http" | "https") || base_url.cannot_be_a_base() {
            return Err(ClientError::Config(format!(
                "the server URL must be an http or https URL, not '{base_url}'"
            )));
        }
        let admin_key = admin_key.trim();
        if admin_key.is_empty() {
            return Err(ClientError::Config("the admin key is empty".into()));
        }
        let mut key = HeaderValue::from_str(admin_key).map_err(|_| {
            ClientError::Config("the admin key contains characters not allowed in a header".into())
        })?;
        key.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(ADMIN_KEY_HEADER, key);

        crate::install_crypto_provider();
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .default_headers(headers)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("graphmeet-client/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = ca_cert_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|err| {
                ClientError::Config(format!("cannot read the CA certificate: {err}"))
            })?;
            if certs.is_empty() {
                return Err(ClientError::Config(
                    "the CA certificate file holds no PEM certificate".into(),
                ));
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder
            .build()
            .map_err(|err| ClientError::Config(format!("cannot build the HTTP client: {err}")))?;
        Ok(AdminClient { http, base_url })
    }

    /// The server's base URL.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    async fn delete(&self, segments: &[&str]) -> Result<(), ClientError> {
        self.send_no_content::<()>(Method::DELETE, segments, &[], None)
            .await
    }

    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        segments: &[&str],
    ) -> Result<T, ClientError> {
        self.send::<(), T>(Method::GET, segments, None).await
    }

    pub(crate) async fn send<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        segments: &[&str],
        body: Option<&B>,
    ) -> Result<T, ClientError> {
        self.request(method, segments, &[], body).await
    }

    /// A call whose success answer is JSON of type `T`.
    pub(crate) async fn request<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<&B>,
    ) -> Result<T, ClientError> {
        let (status, bytes) = self.call(method, segments, query, body).await?;
        serde_json::from_slice(&bytes).map_err(|err| {
            ClientError::Decode(format!(
                "HTTP {}: {err}; body: {}",
                status.as_u16(),
                snippet(&bytes)
            ))
        })
    }

    /// A call whose success answer carries nothing of interest (`204 No Content`).
    pub(crate) async fn send_no_content<B: Serialize + ?Sized>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<&B>,
    ) -> Result<(), ClientError> {
        self.call(method, segments, query, body).await.map(|_| ())
    }

    /// Sends a request; a success status yields the status and body, any other the server's
    /// error.
    async fn call<B: Serialize + ?Sized>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<&B>,
    ) -> Result<(StatusCode, Vec<u8>), ClientError> {
        let url = endpoint_with_query(&self.base_url, segments, query)?;
        tracing::debug!(%method, %url, "admin API call");
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(body);
        }
        let (status, bytes) = exchange(request).await?;
        if !status.is_success() {
            return Err(api_error(status, &bytes));
        }
        Ok((status, bytes))
    }
}

/// The pairs whose value is present, for a query string.
pub(crate) fn optional_pairs<'a>(pairs: &[(&'a str, Option<&'a str>)]) -> Vec<(&'a str, &'a str)> {
    pairs
        .iter()
        .filter_map(|(name, value)| value.map(|v| (*name, v)))
        .collect()
}

/// [`endpoint`] with a query string of `query` (none when empty), each pair form-encoded.
fn endpoint_with_query(
    base: &Url,
    segments: &[&str],
    query: &[(&str, &str)],
) -> Result<Url, ClientError> {
    let mut url = endpoint(base, segments)?;
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    Ok(url)
}

/// `base` with `segments` appended as path segments (each percent-encoded as needed).
fn endpoint(base: &Url, segments: &[&str]) -> Result<Url, ClientError> {
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.path_segments_mut()
        .map_err(|()| ClientError::Config(format!("'{base}' cannot be a base URL")))?
        .pop_if_empty()
        .extend(segments);
    Ok(url)
}

/// The error of a failed call: the server's [`AdminErrorBody`] if it sent one, else the
/// status and whatever text it sent.
fn api_error(status: StatusCode, body: &[u8]) -> ClientError {
    match serde_json::from_slice::<AdminErrorBody>(body) {
        Ok(parsed) => ClientError::Api {
            status: status.as_u16(),
            code: parsed.error.code,
            message: parsed.error.message,
        },
        Err(_) => {
            let text = snippet(body);
            let reason = status.canonical_reason().unwrap_or("error");
            ClientError::Api {
                status: status.as_u16(),
                code: format!("http{}", status.as_u16()),
                message: if text.is_empty() {
                    reason.to_string()
                } else {
                    format!("{reason}: {text}")
                },
            }
        }
    }
}

/// The start of a body, as text, for error messages.
fn snippet(body: &[u8]) -> String {
    const MAX: usize = 300;
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests;
