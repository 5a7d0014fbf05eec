//! The request inspector's records, one line each.

use super::*;
use graphmeet_wire::admin::RequestRecord;

/// One inspector record as a line: time, surface, method, path, status, latency, operation,
/// decision.
pub fn request_line(r: &RequestRecord) -> String {
    format!(
        "{}  {:<6} {} {} -> {} in {:.1} ms{}{}\n",
        r.at,
        r.surface,
        r.method,
        r.path,
        r.status,
        r.latency_ms,
        r.operation
            .as_deref()
            .map(|o| format!("  {o}"))
            .unwrap_or_default(),
        r.decision
            .as_deref()
            .map(|d| format!("  ({d})"))
            .unwrap_or_default(),
    )
}

impl Render for Vec<RequestRecord> {
    fn table(&self) -> String {
        self.iter().map(request_line).collect()
    }
}
