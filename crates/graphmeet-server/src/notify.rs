//! The HTTP side of change notifications: the validation handshake and deliveries as Graph
//! makes them (spec C.2, C.4), and the background worker that drains the outbox.
//!
//! Endpoints must be https, trusted through the machine's CA bundle (`SSL_CERT_FILE`, else
//! the system's), as Graph requires; http is accepted on loopback only, when the server runs
//! with `--plain-http` or the URL's host is one of `--notification-loopback-hosts`.

use async_trait::async_trait;
use graphmeet_core::subscriptions::{Subscriptions, Transport, UrlProblem, ValidationFailure};
use std::sync::Arc;
use std::time::Duration;

/// How long an endpoint has to answer the validation request (C.2).
pub const VALIDATION_TIMEOUT: Duration = Duration::from_secs(10);
/// How long an endpoint has to answer a notification (C.4).
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(3);
/// How often the worker looks for due notifications when nothing woke it (the virtual clock
/// may have moved).
pub const POLL: Duration = Duration::from_millis(250);
/// How many notifications one pass handles.
pub const BATCH: i64 = 64;

/// The system CA bundles tried when `SSL_CERT_FILE` is unset.
const SYSTEM_CA_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
    "/usr/local/etc/openssl/cert.pem",
];

/// Whether `host` names this machine.
fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Graph's HTTP client for notifications.
#[derive(Debug, Clone)]
pub struct HttpTransport {
    http: reqwest::Client,
    plain_http: bool,
    loopback_hosts: Vec<String>,
}

impl HttpTransport {
    /// A transport that accepts http on loopback when `plain_http`, or for the listed
    /// loopback hosts (`host` or `host:port`).
    pub fn new(plain_http: bool, loopback_hosts: Vec<String>) -> Self {
        // aws-lc-rs as the process default unless the program installed another provider;
        // reqwest has none of its own.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("graphmeet-notifications");
        let bundle = std::env::var_os("SSL_CERT_FILE")
            .map(std::path::PathBuf::from)
            .into_iter()
            .chain(SYSTEM_CA_BUNDLES.iter().map(std::path::PathBuf::from))
            .find_map(|p| std::fs::read(p).ok());
        if let Some(pem) = bundle {
            if let Ok(certs) = reqwest::Certificate::from_pem_bundle(&pem) {
                for cert in certs {
                    builder = builder.add_root_certificate(cert);
                }
            }
        }
        let http = builder.build().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "notification client without the CA bundle");
            reqwest::Client::new()
        });
        Self {
            http,
            plain_http,
            loopback_hosts,
        }
    }

    fn http_allowed(&self, url: &url::Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        if !is_loopback(host) {
            return false;
        }
        if self.plain_http {
            return true;
        }
        let with_port = url
            .port_or_known_default()
            .map(|p| format!("{host}:{p}"))
            .unwrap_or_else(|| host.to_owned());
        self.loopback_hosts
            .iter()
            .any(|h| h.eq_ignore_ascii_case(host) || h.eq_ignore_ascii_case(&with_port))
    }
}

#[async_trait]
impl Transport for HttpTransport {
    fn check_url(&self, text: &str) -> Result<(), UrlProblem> {
        let url = url::Url::parse(text).map_err(|_| UrlProblem::Invalid)?;
        if url.host_str().is_none_or(str::is_empty) {
            return Err(UrlProblem::Invalid);
        }
        match url.scheme() {
            "https" => Ok(()),
            "http" if self.http_allowed(&url) => Ok(()),
            other => Err(UrlProblem::Scheme(other.to_owned())),
        }
    }

    async fn validate(&self, url: &str, token: &str) -> Result<(), ValidationFailure> {
        let mut target =
            url::Url::parse(url).map_err(|e| ValidationFailure::Unreachable(e.to_string()))?;
        target
            .query_pairs_mut()
            .append_pair("validationToken", token);
        let response = self
            .http
            .post(target)
            .header(reqwest::header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .timeout(VALIDATION_TIMEOUT)
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    ValidationFailure::TimedOut
                } else {
                    ValidationFailure::Unreachable(e.to_string())
                }
            })?;
        if response.status() != reqwest::StatusCode::OK {
            return Err(ValidationFailure::Status(response.status().as_u16()));
        }
        let text_plain = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().starts_with("text/plain"));
        let body = response.text().await.map_err(|e| {
            if e.is_timeout() {
                ValidationFailure::TimedOut
            } else {
                ValidationFailure::Unreachable(e.to_string())
            }
        })?;
        if !text_plain || body != token {
            return Err(ValidationFailure::Mismatch);
        }
        Ok(())
    }

    async fn deliver(&self, url: &str, body: &str) -> Result<(), String> {
        let response = self
            .http
            .post(url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/json; charset=utf-8",
            )
            .body(body.to_owned())
            .timeout(DELIVERY_TIMEOUT)
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    "no answer within 3 seconds".to_owned()
                } else {
                    format!("unreachable: {e}")
                }
            })?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("answered {}", response.status().as_u16()))
        }
    }
}

/// The delivery worker: a pass whenever notifications are queued, and every [`POLL`] (so
/// that retries follow the clock, virtual or not). Returns when `stop` is notified, between
/// passes (a pass in progress records what it delivered before the server closes the store).
pub async fn deliver_forever(subscriptions: Subscriptions, stop: Arc<tokio::sync::Notify>) {
    let wake = subscriptions.wakeup();
    loop {
        match subscriptions.run_due(BATCH).await {
            Ok(pass) => {
                if pass.delivered + pass.retried + pass.dropped > 0 {
                    tracing::debug!(?pass, "notification pass");
                }
                // A full batch: there may be more at once.
                if (pass.delivered + pass.retried + pass.dropped) as i64 >= BATCH {
                    continue;
                }
            }
            Err(e) => tracing::warn!(error = %e, "notification delivery pass failed"),
        }
        tokio::select! {
            _ = stop.notified() => return,
            _ = wake.notified() => {}
            _ = tokio::time::sleep(POLL) => {}
        }
    }
}
