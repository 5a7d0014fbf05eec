//! `/metrics` in Prometheus' text format (behind the admin key, as `Authorization: Bearer KEY`
//! or `x-graphmeet-admin-key`): requests by surface, operation and status with latency
//! histograms; access decisions by outcome and operation; tokens by grant type, credential and
//! outcome; and, read at scrape time, the directory index's sizes.
//!
//! The counters are per instance and start at zero; Prometheus' `rate()` copes with restarts.

use crate::inspector::Facts;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    surface: String,
    operation: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LatencyLabels {
    surface: String,
    operation: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DecisionLabels {
    operation: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TokenLabels {
    grant_type: String,
    credential: String,
    outcome: String,
}

/// The server's metrics; see the module docs.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<LatencyLabels, Histogram>,
    decisions: Family<DecisionLabels, Counter>,
    tokens: Family<TokenLabels, Counter>,
    users: Gauge,
    tenants: Gauge,
    apps: Gauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("graphmeet");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "requests",
            "Requests answered, by surface, operation and status",
            requests.clone(),
        );
        let latency = Family::<LatencyLabels, Histogram>::new_with_constructor(|| {
            // 0.1 ms to about 3.3 s.
            Histogram::new(exponential_buckets(0.0001, 2.0, 16))
        });
        registry.register(
            "request_duration_seconds",
            "Time to answer, by surface and operation",
            latency.clone(),
        );
        let decisions = Family::<DecisionLabels, Counter>::default();
        registry.register(
            "access_decisions",
            "Authorization decisions on Graph calls, by operation and outcome",
            decisions.clone(),
        );
        let tokens = Family::<TokenLabels, Counter>::default();
        registry.register(
            "tokens",
            "Token requests, by grant type, client credential and outcome",
            tokens.clone(),
        );
        let (users, tenants, apps) = (Gauge::default(), Gauge::default(), Gauge::default());
        registry.register(
            "directory_users",
            "Users in the directory index",
            users.clone(),
        );
        registry.register(
            "directory_tenants",
            "Tenants in the directory index",
            tenants.clone(),
        );
        registry.register(
            "directory_apps",
            "App registrations in the directory index",
            apps.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            decisions,
            tokens,
            users,
            tenants,
            apps,
        }
    }
}

impl Metrics {
    /// Counts one answered request.
    pub fn answered(&self, surface: &str, status: u16, seconds: f64, facts: &Facts) {
        let operation = facts.operation.clone().unwrap_or_else(|| "-".to_owned());
        self.requests
            .get_or_create(&RequestLabels {
                surface: surface.to_owned(),
                operation: operation.clone(),
                status: status.to_string(),
            })
            .inc();
        self.latency
            .get_or_create(&LatencyLabels {
                surface: surface.to_owned(),
                operation: operation.clone(),
            })
            .observe(seconds);
        let outcome = |ok: bool| if ok { "allowed" } else { "denied" }.to_owned();
        if let Some(grant) = operation.strip_prefix("token:") {
            self.tokens
                .get_or_create(&TokenLabels {
                    grant_type: grant.to_owned(),
                    credential: facts
                        .credential
                        .clone()
                        .unwrap_or_else(|| "none".to_owned()),
                    outcome: if status < 400 { "issued" } else { "refused" }.to_owned(),
                })
                .inc();
        } else if let Some(decision) = &facts.decision {
            self.decisions
                .get_or_create(&DecisionLabels {
                    operation,
                    outcome: outcome(decision.starts_with("allowed")),
                })
                .inc();
        }
    }

    /// The text exposition, with the directory sizes as of now.
    pub fn render(&self, users: usize, tenants: usize, apps: usize) -> String {
        let gauge = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        self.users.set(gauge(users));
        self.tenants.set(gauge(tenants));
        self.apps.set(gauge(apps));
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}
