//! When and how long to wait before retrying a Graph call.
//!
//! 429, 503 and 504 are retried: after `Retry-After` seconds when the response carries it,
//! otherwise after an exponential back-off with full jitter; within a bound on attempts and on
//! the total time. Whether a call may be retried at all depends on the operation (see
//! [`Retryable`]).

use std::time::Duration;

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
