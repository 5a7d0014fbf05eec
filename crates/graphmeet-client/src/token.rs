//! The in-memory token cache: one app-only token per (tenant, resource), refreshed 5 minutes
//! before it expires, fetched by one caller at a time per key. Nothing is written to disk.
//! Also the fetch itself: [`MeetingsClient::access_token`], the client-credentials request
//! (secret or certificate assertion) and its refusal diagnosed.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::config::{ClientCredential, GRAPH_RESOURCE};
use crate::diagnosis::{aadsts_code, diagnose_token, TokenRequestError};
use crate::error::exchange;
use crate::meetings::{MeetingsClient, CLIENT_REQUEST_ID};
use crate::ClientError;

/// How long before expiry a token is replaced.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// An access token; never shown in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken {
    secret: String,
    expires_at: Instant,
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl AccessToken {
    /// A token valid for `expires_in` from `issued_at`.
    pub fn new(secret: String, issued_at: Instant, expires_in: Duration) -> Self {
        AccessToken {
            secret,
            expires_at: issued_at + expires_in,
        }
    }

    /// The bearer value.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// When it expires.
    pub fn expires_at(&self) -> Instant {
        self.expires_at
    }

    /// Whether it may still be used at `now`, given when it is due for refresh.
    fn fresh_at(&self, now: Instant, refresh_at: Instant) -> bool {
        now < refresh_at && now < self.expires_at
    }
}

/// When a token fetched at `fetched` and valid for `expires_in` should be replaced: 5 minutes
/// before expiry, or half-way for tokens that live 10 minutes or less.
pub(crate) fn refresh_at(fetched: Instant, expires_in: Duration) -> Instant {
    if expires_in > REFRESH_MARGIN * 2 {
        fetched + (expires_in - REFRESH_MARGIN)
    } else {
        fetched + expires_in / 2
    }
}

#[derive(Default)]
struct Slot {
    token: Option<(AccessToken, Instant)>,
}

/// One key's slot: its own async lock, held while the token is fetched.
type SharedSlot = Arc<tokio::sync::Mutex<Slot>>;

/// Tokens per (tenant, resource). Tenants are compared case-insensitively.
#[derive(Default)]
pub(crate) struct TokenCache {
    slots: Mutex<HashMap<(String, String), SharedSlot>>,
}

impl TokenCache {
    fn slot(&self, tenant: &str, resource: &str) -> SharedSlot {
        let key = (tenant.to_ascii_lowercase(), resource.to_owned());
        let mut slots = match self.slots.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        slots.entry(key).or_default().clone()
    }

    /// The cached token for the key, or the one `fetch` gets (one fetch at a time per key:
    /// concurrent callers wait for it and share its result).
    pub(crate) async fn get_or_fetch<F, Fut, E>(
        &self,
        tenant: &str,
        resource: &str,
        fetch: F,
    ) -> Result<AccessToken, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(String, Duration), E>>,
    {
        let slot = self.slot(tenant, resource);
        let mut guard = slot.lock().await;
        let now = Instant::now();
        if let Some((token, refresh)) = &guard.token {
            if token.fresh_at(now, *refresh) {
                return Ok(token.clone());
            }
        }
        let fetched = Instant::now();
        let (secret, expires_in) = fetch().await?;
        let token = AccessToken::new(secret, fetched, expires_in);
        guard.token = Some((token.clone(), refresh_at(fetched, expires_in)));
        Ok(token)
    }

    /// Forgets the key's token if it is still `rejected` (Graph said 401 to it).
    pub(crate) async fn evict(&self, tenant: &str, resource: &str, rejected: &AccessToken) {
        let slot = self.slot(tenant, resource);
        let mut guard = slot.lock().await;
        if guard
            .token
            .as_ref()
            .is_some_and(|(t, _)| t.secret == rejected.secret)
        {
            guard.token = None;
        }
    }
}

/// The token endpoint's error body, loosely (any field may be missing).
#[derive(Deserialize, Default)]
struct TokenErrorBody {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: String,
    #[serde(default)]
    error_codes: Vec<u32>,
    correlation_id: Option<String>,
    trace_id: Option<String>,
    timestamp: Option<String>,
}

impl MeetingsClient {
    // ---- tokens ------------------------------------------------------------------------

    /// An app-only Graph token for `tenant` (id or domain), from the cache or the token
    /// endpoint.
    pub async fn access_token(&self, tenant: &str) -> Result<AccessToken, ClientError> {
        self.inner
            .tokens
            .get_or_fetch(tenant, GRAPH_RESOURCE, || self.fetch_token(tenant))
            .await
    }

    async fn fetch_token(&self, tenant: &str) -> Result<(String, Duration), ClientError> {
        let config = &self.inner.config;
        let token_url = config.cloud.token_url(tenant)?;
        let scope = format!("{GRAPH_RESOURCE}/.default");
        let mut form: Vec<(&str, String)> = vec![
            ("grant_type", "client_credentials".into()),
            ("client_id", config.client_id.clone()),
            ("scope", scope),
        ];
        let mut thumbprint = None;
        match &config.credential {
            ClientCredential::Secret(secret) => {
                form.push(("client_secret", secret.expose().to_owned()));
            }
            ClientCredential::Certificate(cert) => {
                thumbprint = Some(cert.thumbprint_sha1_hex());
                form.push((
                    "client_assertion_type",
                    graphmeet_wire::JWT_BEARER_ASSERTION_TYPE.to_owned(),
                ));
                form.push((
                    "client_assertion",
                    cert.assertion(&config.client_id, token_url.as_str())?,
                ));
            }
        }
        let client_request_id = uuid::Uuid::new_v4().to_string();
        self.inner
            .counters
            .token_requests
            .fetch_add(1, Ordering::Relaxed);
        let request = self
            .inner
            .http
            .post(token_url.clone())
            .header(CLIENT_REQUEST_ID, &client_request_id)
            .form(&form);
        let (status, bytes) = exchange(request).await?;
        if status.is_success() {
            let body: graphmeet_wire::TokenResponse =
                serde_json::from_slice(&bytes).map_err(|err| {
                    ClientError::Decode(format!("token response from {token_url}: {err}"))
                })?;
            tracing::debug!(%tenant, expires_in = body.expires_in, "fetched an app-only token");
            return Ok((body.access_token, Duration::from_secs(body.expires_in)));
        }
        let body: TokenErrorBody =
            serde_json::from_slice(&bytes).unwrap_or_else(|_| TokenErrorBody {
                error: format!("http{}", status.as_u16()),
                error_description: String::from_utf8_lossy(&bytes).chars().take(300).collect(),
                ..TokenErrorBody::default()
            });
        let code = body
            .error_codes
            .first()
            .copied()
            .or_else(|| aadsts_code(&body.error_description));
        let diagnosis = diagnose_token(
            code,
            config.cloud.authority_host(),
            tenant,
            &config.client_id,
            thumbprint.as_deref(),
        );
        tracing::warn!(%tenant, status = status.as_u16(), error = %body.error, ?code, correlation_id = ?body.correlation_id, "token request refused");
        Err(ClientError::Token(Box::new(TokenRequestError {
            status: status.as_u16(),
            error: body.error,
            code,
            description: body.error_description,
            correlation_id: body.correlation_id,
            trace_id: body.trace_id,
            timestamp: body.timestamp,
            tenant: tenant.to_owned(),
            diagnosis,
        })))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn refresh_five_minutes_early() {
        let t0 = Instant::now();
        assert_eq!(
            refresh_at(t0, Duration::from_secs(3599)),
            t0 + Duration::from_secs(3299)
        );
        assert_eq!(
            refresh_at(t0, Duration::from_secs(400)),
            t0 + Duration::from_secs(200)
        );
    }

    #[tokio::test]
    async fn single_flight_per_key_and_keys_apart() {
        let cache = Arc::new(TokenCache::default());
        let calls = Arc::new(AtomicU32::new(0));
        let mut tasks = Vec::new();
        for i in 0..20 {
            let cache = cache.clone();
            let calls = calls.clone();
            let tenant = if i % 2 == 0 { "A" } else { "a" };
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_fetch(tenant, "r", || async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Ok::<_, ()>(("tok".to_owned(), Duration::from_secs(3600)))
                    })
                    .await
                    .unwrap()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap().secret(), "tok");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // Another tenant is another key.
        cache
            .get_or_fetch("b", "r", || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Ok::<_, ()>(("tok-b".to_owned(), Duration::from_secs(3600)))
            })
            .await
            .unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_token_near_expiry_is_refetched_and_errors_are_not_cached() {
        let cache = TokenCache::default();
        // Valid for 4 minutes: under the 10-minute threshold, refreshed half-way; 0 s is stale.
        let t = cache
            .get_or_fetch("t", "r", || async {
                Ok::<_, ()>(("short".to_owned(), Duration::from_secs(0)))
            })
            .await
            .unwrap();
        assert_eq!(t.secret(), "short");
        let err = cache
            .get_or_fetch("t", "r", || async { Err::<(String, Duration), _>("down") })
            .await
            .unwrap_err();
        assert_eq!(err, "down");
        let t = cache
            .get_or_fetch("t", "r", || async {
                Ok::<_, ()>(("long".to_owned(), Duration::from_secs(3600)))
            })
            .await
            .unwrap();
        assert_eq!(t.secret(), "long");
        cache.evict("T", "r", &t).await;
        let t = cache
            .get_or_fetch("t", "r", || async {
                Ok::<_, ()>(("new".to_owned(), Duration::from_secs(3600)))
            })
            .await
            .unwrap();
        assert_eq!(t.secret(), "new");
        assert!(!format!("{t:?}").contains("new"));
    }
}
