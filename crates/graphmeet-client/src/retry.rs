//! When and how long to wait before retrying a Graph call.
//!
//! 429, 503 and 504 are retried: after `Retry-After` seconds when the response carries it,
//! otherwise after an exponential back-off with full jitter; within a bound on attempts and on
//! the total time. Whether a call may be retried at all depends on the operation (see
//! [`Retryable`]).
//!
//! Also the loop that applies all this to one Graph call ([`MeetingsClient`]'s `call`): a
//! token per attempt, a `client-request-id` kept across attempts, one token renewal on 401.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use url::Url;

use crate::config::GRAPH_RESOURCE;
use crate::meetings::{MeetingsClient, CLIENT_REQUEST_ID};
use crate::ClientError;

use rand::Rng;

/// Bounds on retrying one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included (default 4: the Graph SDKs' 3 retries).
    pub max_attempts: u32,
    /// The longest a call may take, waits included (default 60 s). A wait that would end
    /// after it is not made: the last error is returned instead.
    pub max_elapsed: Duration,
    /// The back-off's first ceiling (default 1 s); it doubles each retry.
    pub base_delay: Duration,
    /// The back-off's largest ceiling (default 30 s).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            max_elapsed: Duration::from_secs(60),
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The wait before retry number `retry` (1 for the first retry): `retry_after` when the
    /// server sent one, else a uniformly random time in `[0, min(max_delay, base * 2^(retry-1))]`.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait;
        }
        let exp = retry.saturating_sub(1).min(20);
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << exp)
            .min(self.max_delay);
        let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rand::thread_rng().gen_range(0..=millis))
    }
}

/// Whether a call may be sent again after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retryable {
    /// GET, PATCH, DELETE and createOrGet (idempotent on its externalId): always.
    Idempotent,
    /// A plain create: only when the connection failed before the request was sent, since a
    /// retry after that could create a second meeting.
    OnlyIfNotSent,
}

/// Statuses that are retried (when the call may be).
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 503 | 504)
}

/// `Retry-After` as delta-seconds (Graph's form); an HTTP date is ignored.
pub(crate) fn parse_retry_after(value: Option<&str>) -> Option<u64> {
    value?.trim().parse().ok()
}

/// A Graph call to make.
pub(crate) struct Call<'a> {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) body: Option<Value>,
    pub(crate) retryable: Retryable,
    pub(crate) tenant: &'a str,
    pub(crate) path_user: Option<&'a str>,
    pub(crate) user_lookup: bool,
}

/// A successful Graph answer.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) body: Vec<u8>,
}

impl MeetingsClient {
    /// Sends a Graph call with a token, a `client-request-id`, and the retries it allows.
    pub(crate) async fn call(&self, call: Call<'_>) -> Result<Answer, ClientError> {
        let started = Instant::now();
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let path = call.url.path().to_owned();
        let mut attempt: u32 = 0;
        let mut renewed_token = false;
        loop {
            attempt += 1;
            let token = self.access_token(call.tenant).await?;
            let mut request = self
                .inner
                .http
                .request(call.method.clone(), call.url.clone())
                .headers(self.extra_headers.clone())
                .bearer_auth(token.secret())
                .header(CLIENT_REQUEST_ID, &client_request_id);
            if attempt > 1 {
                request = request.header("Retry-Attempt", (attempt - 1).to_string());
            }
            if let Some(body) = &call.body {
                request = request.json(body);
            }
            self.inner
                .counters
                .graph_requests
                .fetch_add(1, Ordering::Relaxed);
            if attempt > 1 {
                self.inner.counters.retries.fetch_add(1, Ordering::Relaxed);
            }
            let response = match request.send().await {
                Ok(response) => response,
                Err(err) => {
                    // A connection that failed was never given the request: always safe.
                    let may_retry = err.is_connect() || call.retryable == Retryable::Idempotent;
                    let wait = self.retry.delay(attempt, None);
                    tracing::warn!(method = %call.method, %path, %client_request_id, attempt, error = %err, "graph call did not complete");
                    if may_retry && self.may_wait(attempt, started, wait) {
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    return Err(ClientError::transport(&err));
                }
            };
            let status = response.status();
            let headers = response.headers().clone();
            let request_id = header_text(&headers, "request-id");
            let bytes = response
                .bytes()
                .await
                .map_err(|err| ClientError::transport(&err))?
                .to_vec();
            tracing::debug!(
                method = %call.method,
                %path,
                tenant = %call.tenant,
                status = status.as_u16(),
                %client_request_id,
                request_id = request_id.as_deref().unwrap_or(""),
                attempt,
                "graph call"
            );
            if status.is_success() {
                return Ok(Answer {
                    status,
                    body: bytes,
                });
            }
            let retry_after = parse_retry_after(header_text(&headers, "retry-after").as_deref());
            if status == StatusCode::UNAUTHORIZED && !renewed_token {
                // The token may have been revoked or expired early: fetch a new one, once.
                renewed_token = true;
                self.inner
                    .tokens
                    .evict(call.tenant, GRAPH_RESOURCE, &token)
                    .await;
                if attempt < self.retry.max_attempts {
                    continue;
                }
            }
            if is_retryable_status(status.as_u16()) && call.retryable == Retryable::Idempotent {
                let wait = self
                    .retry
                    .delay(attempt, retry_after.map(Duration::from_secs));
                if self.may_wait(attempt, started, wait) {
                    tracing::info!(method = %call.method, %path, %client_request_id, status = status.as_u16(), wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX), "retrying graph call");
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }
            let server_reason = header_text(&headers, "x-graphmeet-policy-decision");
            return Err(self.graph_error(
                &call,
                status,
                &bytes,
                (request_id, server_reason),
                client_request_id,
                retry_after,
                attempt,
            ));
        }
    }

    /// Whether another attempt after waiting `wait` stays within the policy.
    fn may_wait(&self, attempt: u32, started: Instant, wait: Duration) -> bool {
        attempt < self.retry.max_attempts && started.elapsed() + wait <= self.retry.max_elapsed
    }
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn retry_after_wins_and_backoff_is_bounded() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
        for retry in 1..=10 {
            let ceiling = Duration::from_secs(1)
                .saturating_mul(1 << (retry - 1))
                .min(p.max_delay);
            for _ in 0..20 {
                assert!(p.delay(retry, None) <= ceiling);
            }
        }
        // Full jitter: not always the ceiling.
        let waits: std::collections::HashSet<Duration> =
            (0..50).map(|_| p.delay(5, None)).collect();
        assert!(waits.len() > 1);
    }

    #[test]
    fn statuses_and_headers() {
        assert!(is_retryable_status(429));
        assert!(is_retryable_status(503));
        assert!(is_retryable_status(504));
        assert!(!is_retryable_status(500));
        assert!(!is_retryable_status(403));
        assert_eq!(parse_retry_after(Some(" 2 ")), Some(2));
        assert_eq!(
            parse_retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")),
            None
        );
        assert_eq!(parse_retry_after(None), None);
    }
}
