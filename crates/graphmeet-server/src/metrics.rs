//! `/metrics` in Prometheus' text format (behind the admin key, as `Authorization: Bearer KEY`
//! or `x-graphmeet-admin-key`): requests by surface, operation and status with latency
//! histograms; access decisions by outcome and operation; tokens by grant type, credential and
//! outcome; the core's batch writers (new meetings, the audit log): how long a job waits for its
//! batch, how long the store takes to write it, batch sizes and failed writes; and, read at
//! scrape time, the writers' queue depths, audit entries dropped, and the directory index's
//! sizes.
//!
//! The counters are per instance and start at zero; Prometheus' `rate()` copes with restarts.

use crate::inspector::Facts;
use graphmeet_core::telemetry::{Batch, Queue, QueueObserver};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::borrow::Cow;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    surface: &'static str,
    operation: Cow<'static, str>,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LatencyLabels {
    surface: &'static str,
    operation: Cow<'static, str>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DecisionLabels {
    operation: Cow<'static, str>,
    outcome: &'static str,
    grant: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QueueLabels {
    queue: &'static str,
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
    queue_wait: Family<QueueLabels, Histogram>,
    store_write: Family<QueueLabels, Histogram>,
    batch_size: Family<QueueLabels, Histogram>,
    write_failures: Family<QueueLabels, Counter>,
    queue_depth: Family<QueueLabels, Gauge>,
    audit_dropped: Gauge,
}

/// What is read off the services at scrape time.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sizes {
    /// Users in the directory index.
    pub users: usize,
    /// Tenants in the directory index.
    pub tenants: usize,
    /// App registrations in the directory index.
    pub apps: usize,
    /// Creates waiting for the meeting writer.
    pub queued_creates: usize,
    /// Commands waiting for the audit writer.
    pub queued_audit: usize,
    /// Audit entries dropped since start (the queue was full).
    pub audit_dropped: u64,
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
            "Authorization decisions on Graph calls, by operation, outcome and the kind of policy grant that decided (user, group, global, none)",
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
        let seconds = || Histogram::new(exponential_buckets(0.0001, 2.0, 16));
        let queue_wait = Family::<QueueLabels, Histogram>::new_with_constructor(seconds);
        registry.register(
            "queue_wait_seconds",
            "From a job's arrival at a batch writer to the start of its batch's write, by queue",
            queue_wait.clone(),
        );
        let store_write = Family::<QueueLabels, Histogram>::new_with_constructor(seconds);
        registry.register(
            "store_write_seconds",
            "The store's time to write one batch (retries included), by queue",
            store_write.clone(),
        );
        let batch_size = Family::<QueueLabels, Histogram>::new_with_constructor(|| {
            // 1 to 512 jobs.
            Histogram::new(exponential_buckets(1.0, 2.0, 10))
        });
        registry.register(
            "queue_batch_jobs",
            "Jobs per written batch, by queue",
            batch_size.clone(),
        );
        let write_failures = Family::<QueueLabels, Counter>::default();
        registry.register(
            "store_write_failures",
            "Batches the store refused or failed to write, by queue",
            write_failures.clone(),
        );
        let queue_depth = Family::<QueueLabels, Gauge>::default();
        registry.register(
            "queue_depth",
            "Jobs waiting for a batch writer, by queue",
            queue_depth.clone(),
        );
        let audit_dropped = Gauge::default();
        registry.register(
            "audit_dropped_entries",
            "Audit entries dropped since start because the queue was full",
            audit_dropped.clone(),
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
            queue_wait,
            store_write,
            batch_size,
            write_failures,
            queue_depth,
            audit_dropped,
        }
    }
}

impl Metrics {
    /// Counts one answered request.
    /// The labels borrow the surface and the operation's name where they are static, so that
    /// counting a request allocates nothing once its series exist.
    pub fn answered(&self, surface: &'static str, status: u16, seconds: f64, facts: &Facts) {
        let operation = facts.operation.clone().unwrap_or(Cow::Borrowed("-"));
        self.requests
            .get_or_create(&RequestLabels {
                surface,
                operation: operation.clone(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&LatencyLabels {
                surface,
                operation: operation.clone(),
            })
            .observe(seconds);
        let outcome = |ok: bool| if ok { "allowed" } else { "denied" };
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
                    grant: facts.grant.unwrap_or("none"),
                })
                .inc();
        }
    }

    /// The text exposition, with the sizes as of now.
    pub fn render(&self, sizes: Sizes) -> String {
        let gauge = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        self.users.set(gauge(sizes.users));
        self.tenants.set(gauge(sizes.tenants));
        self.apps.set(gauge(sizes.apps));
        for (queue, depth) in [
            (Queue::Meetings, sizes.queued_creates),
            (Queue::Audit, sizes.queued_audit),
        ] {
            self.queue_depth
                .get_or_create(&QueueLabels {
                    queue: queue.as_str(),
                })
                .set(gauge(depth));
        }
        self.audit_dropped
            .set(i64::try_from(sizes.audit_dropped).unwrap_or(i64::MAX));
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

impl QueueObserver for Metrics {
    fn batch(&self, batch: Batch) {
        let labels = QueueLabels {
            queue: batch.queue.as_str(),
        };
        self.queue_wait
            .get_or_create(&labels)
            .observe(batch.waited.as_secs_f64());
        self.store_write
            .get_or_create(&labels)
            .observe(batch.wrote.as_secs_f64());
        self.batch_size
            .get_or_create(&labels)
            .observe(batch.jobs as f64);
        if !batch.ok {
            self.write_failures.get_or_create(&labels).inc();
        }
    }
}
