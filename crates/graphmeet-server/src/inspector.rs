//! The request inspector: the last requests of each surface (method, path, status, latency,
//! request ids, tenant, app, operation and access decision), so that a user sees what their
//! SDK actually sent. Served at `GET /admin/requests` and by `graphmeet requests --follow`.
//!
//! Nothing secret is kept: no header, no body; query parameters that can carry a credential
//! (`client_secret`, `client_assertion`, `assertion`, `password`, `refresh_token`, `code`,
//! `access_token`, `id_token`, `token`) have their values replaced by `REDACTED`. Records live in
//! memory, per instance, [`CAPACITY`] per surface.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Requests kept per surface.
pub const CAPACITY: usize = 256;

/// Query parameters whose values are never kept.
const SECRET_PARAMETERS: &[&str] = &[
    "client_secret",
    "client_assertion",
    "assertion",
    "password",
    "refresh_token",
    "code",
    "access_token",
    "id_token",
    "token",
];

pub use graphmeet_wire::admin::RequestRecord as Record;

/// What the handlers learn about a call, noted while it runs.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The token's tenant.
    pub tenant: Option<String>,
    /// The calling app.
    pub app: Option<String>,
    /// The operation.
    pub operation: Option<std::borrow::Cow<'static, str>>,
    /// The access decision's reason.
    pub decision: Option<String>,
    /// The kind of the policy grant that decided (`user`, `group`, `global`, `none`).
    pub grant: Option<&'static str>,
    /// On the token endpoint: how the client authenticated (`secret`, `assertion`, `none`).
    pub credential: Option<String>,
}

tokio::task_local! {
    static FACTS: RefCell<Facts>;
}

/// Notes facts about the request being handled (a no-op outside [`Inspector::observe`]).
pub fn note(update: impl FnOnce(&mut Facts)) {
    let _ = FACTS.try_with(|facts| update(&mut facts.borrow_mut()));
}

/// The inspector; see the module docs.
#[derive(Debug, Default)]
pub struct Inspector {
    seq: AtomicU64,
    records: Mutex<HashMap<String, VecDeque<Record>>>,
}

/// The path and query of a URI with the secret parameters' values redacted.
pub fn redacted(uri: &axum::http::Uri) -> String {
    let Some(query) = uri.query() else {
        return uri.path().to_owned();
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _))
                if SECRET_PARAMETERS
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(name)) =>
            {
                format!("{name}=REDACTED")
            }
            _ => pair.to_owned(),
        })
        .collect();
    format!("{}?{}", uri.path(), parts.join("&"))
}

impl Inspector {
    /// Runs `handle` with a place for facts, and returns them with its output.
    pub async fn observe<F: std::future::Future>(handle: F) -> (F::Output, Facts) {
        FACTS
            .scope(RefCell::new(Facts::default()), async move {
                let output = handle.await;
                let facts = FACTS.with(|f| std::mem::take(&mut *f.borrow_mut()));
                (output, facts)
            })
            .await
    }

    /// Keeps a record (its `seq` is given here), dropping the surface's oldest past capacity.
    pub fn record(&self, mut record: Record) {
        record.seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let mut records = self
            .records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let queue = records.entry(record.surface.clone()).or_default();
        if queue.len() == CAPACITY {
            queue.pop_front();
        }
        queue.push_back(record);
    }

    /// Records after `after`, of one surface or all, oldest first, at most `limit` (the newest
    /// ones when there are more).
    pub fn since(&self, surface: Option<&str>, after: u64, limit: usize) -> Vec<Record> {
        let records = self
            .records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut out: Vec<Record> = records
            .iter()
            .filter(|(s, _)| surface.is_none_or(|want| want == s.as_str()))
            .flat_map(|(_, q)| q.iter().filter(|r| r.seq > after).cloned())
            .collect();
        out.sort_by_key(|r| r.seq);
        if out.len() > limit {
            out.drain(..out.len() - limit);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn record(surface: &str) -> Record {
        Record {
            seq: 0,
            at: String::new(),
            surface: surface.to_owned(),
            method: "GET".into(),
            path: "/".into(),
            status: 200,
            latency_ms: 0.0,
            request_id: String::new(),
            client_request_id: None,
            tenant: None,
            app: None,
            operation: None,
            decision: None,
        }
    }

    #[test]
    fn secrets_in_the_query_are_redacted() {
        let uri: axum::http::Uri =
            "/t/oauth2/v2.0/token?client_secret=s3cr3t&scope=x&Password=p&code=c"
                .parse()
                .unwrap();
        assert_eq!(
            redacted(&uri),
            "/t/oauth2/v2.0/token?client_secret=REDACTED&scope=x&Password=REDACTED&code=REDACTED"
        );
    }

    #[test]
    fn each_surface_keeps_its_last_requests_and_after_resumes() {
        let inspector = Inspector::default();
        for _ in 0..CAPACITY + 5 {
            inspector.record(record("graph"));
        }
        inspector.record(record("entra"));
        let graph = inspector.since(Some("graph"), 0, usize::MAX);
        assert_eq!(graph.len(), CAPACITY);
        assert_eq!(graph[0].seq, 6);
        let all = inspector.since(None, 0, 10);
        assert_eq!(all.len(), 10);
        assert_eq!(all.last().unwrap().surface, "entra");
        let last = all.last().unwrap().seq;
        assert!(inspector.since(None, last, 10).is_empty());
    }
}
