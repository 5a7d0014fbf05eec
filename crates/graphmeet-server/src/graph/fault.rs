//! Fault injection, so that clients (ours and our users') can test their retry paths: Graph
//! calls fail with a chosen status and `Retry-After`, as Graph's throttling does.
//!
//! - Per request: `x-graphmeet-fault: 429; retry-after=2` fails that request. With
//!   `times=N; key=K`, only the first N requests carrying key K fail, so a client that retries
//!   with the same header sees the fault and then success.
//! - Per server: `graphmeet serve --fault 503:retry-after=1:every=10` fails every tenth Graph
//!   request.

use super::GraphFailure;
use graphmeet_wire::graph::GraphError;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// The header that asks for a fault.
pub const FAULT_HEADER: &str = "x-graphmeet-fault";
/// Keys remembered for `times=N; key=K` faults; beyond it the oldest are forgotten.
const MAX_KEYS: usize = 10_000;

/// One fault: the status to answer with and the `Retry-After` to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    /// 429, 500, 502, 503 or 504.
    pub status: u16,
    /// Seconds for `Retry-After` (429 and 503 only; none when absent).
    pub retry_after: Option<u64>,
}

impl Fault {
    /// The Graph error this fault answers with.
    pub fn error(self) -> GraphError {
        match self.status {
            429 => GraphError::too_many_requests(
                "graphmeet fault injection",
                self.retry_after.unwrap_or(1),
            ),
            503 => GraphError::service_unavailable(self.retry_after.unwrap_or(1)),
            504 => GraphError::gateway_timeout(),
            502 => GraphError::new(502, "BadGateway", "Bad Gateway"),
            _ => GraphError::internal_server_error(),
        }
    }
}

/// A server-wide fault: fail every `every`-th Graph request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerFault {
    /// The fault.
    pub fault: Fault,
    /// Fail one request in this many (1 = all).
    pub every: u64,
}

fn status_of(text: &str) -> Result<u16, String> {
    let status: u16 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not an HTTP status"))?;
    if [429, 500, 502, 503, 504].contains(&status) {
        Ok(status)
    } else {
        Err(format!(
            "fault status {status} is not one of 429, 500, 502, 503, 504"
        ))
    }
}

impl std::str::FromStr for ServerFault {
    type Err = String;

    /// `STATUS[:retry-after=S][:every=N]`, e.g. `429:retry-after=1:every=10`.
    fn from_str(text: &str) -> Result<Self, String> {
        let mut parts = text.split(':');
        let status = status_of(parts.next().unwrap_or_default())?;
        let mut fault = ServerFault {
            fault: Fault {
                status,
                retry_after: None,
            },
            every: 1,
        };
        for part in parts {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("'{part}' is not key=value"))?;
            let n: u64 = v
                .trim()
                .parse()
                .map_err(|_| format!("'{v}' is not a number"))?;
            match k.trim().to_ascii_lowercase().as_str() {
                "retry-after" => fault.fault.retry_after = Some(n),
                "every" if n >= 1 => fault.every = n,
                _ => return Err(format!("unknown fault option '{k}' (retry-after, every)")),
            }
        }
        Ok(fault)
    }
}

/// A parsed `x-graphmeet-fault` header.
#[derive(Debug, Clone, PartialEq, Eq)]
struct HeaderFault {
    fault: Fault,
    times: Option<u32>,
    key: Option<String>,
}

fn parse_header(value: &str) -> Result<HeaderFault, String> {
    let mut parts = value.split(';');
    let status = status_of(parts.next().unwrap_or_default())?;
    let mut out = HeaderFault {
        fault: Fault {
            status,
            retry_after: None,
        },
        times: None,
        key: None,
    };
    for part in parts.map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| format!("'{part}' is not key=value"))?;
        match k.trim().to_ascii_lowercase().as_str() {
            "retry-after" => {
                out.fault.retry_after = Some(
                    v.trim()
                        .parse()
                        .map_err(|_| format!("'{v}' is not a number"))?,
                )
            }
            "times" => {
                out.times = Some(
                    v.trim()
                        .parse()
                        .map_err(|_| format!("'{v}' is not a number"))?,
                )
            }
            "key" => out.key = Some(v.trim().to_owned()),
            _ => {
                return Err(format!(
                    "unknown fault option '{k}' (retry-after, times, key)"
                ))
            }
        }
    }
    Ok(out)
}

/// Decides, per request, whether to inject a fault.
#[derive(Debug, Default)]
pub struct FaultInjector {
    server: Option<ServerFault>,
    requests: AtomicU64,
    seen: Mutex<HashMap<String, u32>>,
}

impl FaultInjector {
    /// An injector with an optional server-wide fault.
    pub fn new(server: Option<ServerFault>) -> Self {
        Self {
            server,
            requests: AtomicU64::new(0),
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// The failure to answer with, if any. A malformed header is itself a 400, so that a
    /// test cannot silently run without the fault it asked for.
    pub fn check(&self, header: Option<&str>) -> Option<GraphFailure> {
        if let Some(value) = header {
            return match parse_header(value) {
                Err(why) => Some(
                    GraphError::bad_request(format!("Invalid {FAULT_HEADER} header: {why}")).into(),
                ),
                Ok(h) => {
                    let fail = match (&h.key, h.times) {
                        (Some(key), Some(times)) => {
                            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
                            if seen.len() >= MAX_KEYS && !seen.contains_key(key) {
                                seen.clear();
                            }
                            let count = seen.entry(key.clone()).or_insert(0);
                            *count += 1;
                            *count <= times
                        }
                        _ => true,
                    };
                    fail.then(|| h.fault.error().into())
                }
            };
        }
        let server = self.server?;
        let n = self.requests.fetch_add(1, Ordering::Relaxed) + 1;
        (n % server.every == 0).then(|| server.fault.error().into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_fault_syntax() {
        let f: ServerFault = "429:retry-after=2:every=10".parse().unwrap();
        assert_eq!(
            f,
            ServerFault {
                fault: Fault {
                    status: 429,
                    retry_after: Some(2)
                },
                every: 10
            }
        );
        assert!("418".parse::<ServerFault>().is_err());
        assert!("503:every=0".parse::<ServerFault>().is_err());
        assert!("503:sometimes=1".parse::<ServerFault>().is_err());
    }

    #[test]
    fn keyed_header_faults_fail_the_first_n_requests_only() {
        let injector = FaultInjector::new(None);
        let header = Some("429; retry-after=1; times=2; key=abc");
        assert!(injector.check(header).is_some());
        assert!(injector.check(header).is_some());
        assert!(injector.check(header).is_none());
        assert!(injector.check(Some("503")).is_some());
        assert!(injector.check(None).is_none());
        assert_eq!(
            injector.check(Some("banana")).map(|f| f.error().status),
            Some(400)
        );
    }

    #[test]
    fn every_nth_request_fails_with_a_server_fault() {
        let injector = FaultInjector::new(Some("503:every=3".parse().unwrap()));
        let failed: Vec<bool> = (0..6).map(|_| injector.check(None).is_some()).collect();
        assert_eq!(failed, [false, false, true, false, false, true]);
    }
}
