//! The audit log, off the request path: [`AuditLog::record`] queues an entry and returns at
//! once; one task writes what is queued in batches, one transaction each.
//!
//! A batch is written when [`MAX_BATCH`] entries are queued, when the oldest queued entry is
//! [`FLUSH_INTERVAL`] old, or when someone asks ([`AuditLog::flush`], [`AuditLog::shutdown`]),
//! whichever comes first. So a crash (kill -9) loses at most the entries of the last flush
//! interval plus the batch being written; a graceful shutdown loses none. When the database
//! falls so far behind that [`QUEUE_CAPACITY`] entries wait, new entries are dropped, counted,
//! and reported in a rate-limited warning: requests never wait for the audit log.
//!
//! Requests refused before anyone could be identified (no token, a malformed, expired or
//! badly signed one) are not written one row each, which would let anyone fill the log: they
//! are counted per reason, and at most one row per reason per [`SAMPLE_EVERY`] is written,
//! saying in its reason how many refusals it stands for.

use crate::clock::Clock;
use crate::model::{AuditDecision, AuditEntry};
use crate::store::Store;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

/// How many entries may wait to be written; beyond that, new entries are dropped (and counted).
pub const QUEUE_CAPACITY: usize = 8192;
/// The most entries written in one transaction.
pub const MAX_BATCH: usize = 512;
/// The longest an entry waits in the queue before its batch is written.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(100);
/// At most one row per reason this often for refusals before a token was verified.
pub const SAMPLE_EVERY: chrono::Duration = chrono::Duration::seconds(1);
/// At most one warning about dropped entries this often.
const WARN_EVERY: Duration = Duration::from_secs(10);
/// How many distinct reasons of unidentified refusals are counted apart; later ones share one
/// count (the texts are the service's fixed 401 messages, so this is never reached in practice).
const MAX_REASONS: usize = 64;
/// How often the writer writes the counts of sampled refusals that are due.
const SAMPLE_SWEEP: Duration = Duration::from_millis(250);
/// Attempts at writing a batch before its entries are given up (and logged as lost).
const WRITE_ATTEMPTS: u32 = 3;

enum Command {
    Entry(AuditEntry),
    Flush(oneshot::Sender<()>),
    Shutdown(oneshot::Sender<()>),
}

/// What the audit log has counted since it started.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditStats {
    /// Entries dropped because the queue was full (or the log had shut down).
    pub dropped: u64,
    /// Refusals before a token was verified, per reason, whether or not a row was written for
    /// them; sorted by reason.
    pub unverified_by_reason: Vec<(String, u64)>,
}

/// The audit log. Cloning is cheap and shares the queue and its writer.
#[derive(Clone)]
pub struct AuditLog {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog")
            .field("queued", &(QUEUE_CAPACITY - self.shared.queue.capacity()))
            .finish()
    }
}

struct Shared {
    queue: mpsc::Sender<Command>,
    clock: Arc<dyn Clock>,
    samplers: Mutex<Samplers>,
    dropped_total: AtomicU64,
    dropped_unreported: AtomicU64,
    /// When the last drop warning was logged, in ms since `started`; `u64::MAX` for never.
    last_warning_ms: AtomicU64,
    started: std::time::Instant,
}

impl AuditLog {
    /// Starts the writer task on the current Tokio runtime (call it from within one). `clock`
    /// times the sampling of unidentified refusals.
    pub fn start(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self::start_observed(store, clock, Arc::new(crate::telemetry::Unobserved))
    }

    /// Starts the writer task, telling `observer` of every batch it writes.
    pub fn start_observed(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        observer: Arc<dyn crate::telemetry::QueueObserver>,
    ) -> Self {
        let (queue, commands) = mpsc::channel(QUEUE_CAPACITY);
        let shared = Arc::new(Shared {
            queue,
            clock,
            samplers: Mutex::new(Samplers::default()),
            dropped_total: AtomicU64::new(0),
            dropped_unreported: AtomicU64::new(0),
            last_warning_ms: AtomicU64::new(u64::MAX),
            started: std::time::Instant::now(),
        });
        tokio::spawn(run(store, commands, shared.clone(), observer));
        Self { shared }
    }

    /// Queues an entry; never waits. A denial that names no tenant, app or user (the token was
    /// missing or could not be verified, so nobody can be held to it) is sampled instead: see
    /// the module documentation.
    pub fn record(&self, entry: AuditEntry) {
        let unidentified = entry.decision == AuditDecision::Denied
            && entry.tenant_id.is_none()
            && entry.app_id.is_none()
            && entry.user_id.is_none();
        if unidentified {
            let due = self.shared.lock_samplers().count(entry);
            if let Some(row) = due {
                self.shared.enqueue(row);
            }
        } else {
            self.shared.enqueue(entry);
        }
    }

    /// Waits until every entry recorded before the call is written (or given up on). Cheap
    /// when nothing is queued. Sampled refusals are written on their own schedule.
    pub async fn flush(&self) {
        self.ask(Command::Flush).await;
    }

    /// Writes everything queued and every pending count of sampled refusals, then stops the
    /// writer. Entries recorded afterwards are dropped.
    pub async fn shutdown(&self) {
        let counts = self.shared.lock_samplers().drain();
        for row in counts {
            self.shared.enqueue(row);
        }
        self.ask(Command::Shutdown).await;
        self.shared.warn_about_drops(true);
    }

    /// How many commands (entries, flushes) wait for the writer now.
    pub fn queued(&self) -> usize {
        QUEUE_CAPACITY - self.shared.queue.capacity()
    }

    /// What has been counted so far.
    pub fn stats(&self) -> AuditStats {
        AuditStats {
            dropped: self.shared.dropped_total.load(Ordering::Relaxed),
            unverified_by_reason: self.shared.lock_samplers().totals(),
        }
    }

    async fn ask(&self, command: fn(oneshot::Sender<()>) -> Command) {
        let (done, written) = oneshot::channel();
        // Unlike `record`, these wait for room in the queue: the caller wants to wait.
        if self.shared.queue.send(command(done)).await.is_ok() {
            let _ = written.await;
        }
    }
}

impl Shared {
    fn lock_samplers(&self) -> std::sync::MutexGuard<'_, Samplers> {
        // The counts stay meaningful even if a holder panicked.
        self.samplers.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn enqueue(&self, entry: AuditEntry) {
        if self.queue.try_send(Command::Entry(entry)).is_err() {
            self.dropped_total.fetch_add(1, Ordering::Relaxed);
            self.dropped_unreported.fetch_add(1, Ordering::Relaxed);
            self.warn_about_drops(false);
        }
    }

    /// Logs how many entries were dropped since the last warning, at most every
    /// [`WARN_EVERY`] unless `now` is set.
    fn warn_about_drops(&self, now: bool) {
        let elapsed = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX - 1);
        let last = self.last_warning_ms.load(Ordering::Relaxed);
        let due = now
            || last == u64::MAX
            || elapsed.saturating_sub(last) >= u64::try_from(WARN_EVERY.as_millis()).unwrap_or(0);
        if !due
            || self
                .last_warning_ms
                .compare_exchange(last, elapsed, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        let dropped = self.dropped_unreported.swap(0, Ordering::Relaxed);
        if dropped > 0 {
            tracing::warn!(
                dropped,
                dropped_total = self.dropped_total.load(Ordering::Relaxed),
                "the audit log cannot keep up: entries were dropped"
            );
        }
    }
}

/// The counts of unidentified refusals, per reason.
#[derive(Default)]
struct Samplers {
    by_reason: HashMap<String, Sampler>,
}

#[derive(Default)]
struct Sampler {
    /// The latest refusal not yet written, standing for `unwritten` of them.
    latest: Option<AuditEntry>,
    unwritten: u64,
    /// When the last row for this reason was written (the entry's own time).
    last_row_at: Option<DateTime<Utc>>,
    total: u64,
}

const OTHER_REASONS: &str = "denied: other reasons before a token was verified";

impl Samplers {
    /// Counts a refusal; returns the row to write when one is due for its reason.
    fn count(&mut self, mut entry: AuditEntry) -> Option<AuditEntry> {
        if self.by_reason.len() >= MAX_REASONS && !self.by_reason.contains_key(&entry.reason) {
            entry.reason = OTHER_REASONS.to_owned();
        }
        let key = entry.reason.clone();
        let at = entry.at;
        let sampler = self.by_reason.entry(key).or_default();
        sampler.total += 1;
        sampler.unwritten += 1;
        sampler.latest = Some(entry);
        match sampler.last_row_at {
            Some(last) if at - last < SAMPLE_EVERY => None,
            _ => sampler.take_row(at),
        }
    }

    /// The rows due at `now`: one per reason with refusals not written for [`SAMPLE_EVERY`].
    fn due(&mut self, now: DateTime<Utc>) -> Vec<AuditEntry> {
        self.by_reason
            .values_mut()
            .filter(|s| s.unwritten > 0 && s.last_row_at.is_none_or(|l| now - l >= SAMPLE_EVERY))
            .filter_map(|s| s.take_row(now))
            .collect()
    }

    /// A row for every reason with refusals not yet written.
    fn drain(&mut self) -> Vec<AuditEntry> {
        self.by_reason
            .values_mut()
            .filter_map(|s| {
                let at = s.latest.as_ref().map(|e| e.at)?;
                s.take_row(at)
            })
            .collect()
    }

    fn totals(&self) -> Vec<(String, u64)> {
        let mut out: Vec<(String, u64)> = self
            .by_reason
            .iter()
            .map(|(reason, s)| (reason.clone(), s.total))
            .collect();
        out.sort();
        out
    }
}

impl Sampler {
    /// The latest refusal, its reason saying how many it stands for; `written_at` starts the
    /// next sampling period.
    fn take_row(&mut self, written_at: DateTime<Utc>) -> Option<AuditEntry> {
        let mut row = self.latest.take()?;
        let n = std::mem::take(&mut self.unwritten);
        row.reason = sampled_reason(&row.reason, n);
        self.last_row_at = Some(written_at);
        Some(row)
    }
}

/// The reason of a sampled row: `"{reason} (sampled: 1 request)"`,
/// `"{reason} (sampled: 37 requests since the previous entry for this reason)"`.
pub fn sampled_reason(reason: &str, count: u64) -> String {
    if count == 1 {
        format!("{reason} (sampled: 1 request)")
    } else {
        format!("{reason} (sampled: {count} requests since the previous entry for this reason)")
    }
}

/// The count a sampled row's reason carries ([`sampled_reason`]'s inverse), for readers of the
/// log.
pub fn sampled_count(reason: &str) -> Option<u64> {
    let (_, tail) = reason.rsplit_once(" (sampled: ")?;
    tail.split(' ').next()?.parse().ok()
}

/// The writer task.
async fn run(
    store: Arc<dyn Store>,
    mut commands: mpsc::Receiver<Command>,
    shared: Arc<Shared>,
    observer: Arc<dyn crate::telemetry::QueueObserver>,
) {
    let mut pending: Vec<AuditEntry> = Vec::new();
    // When each pending entry reached the writer, in the same order.
    let mut arrivals: Vec<Instant> = Vec::new();
    let mut waiters: Vec<oneshot::Sender<()>> = Vec::new();
    let mut received: Vec<Command> = Vec::with_capacity(MAX_BATCH);
    // When the oldest pending entry must be written.
    let mut deadline: Option<Instant> = None;
    let mut sweep = tokio::time::interval(SAMPLE_SWEEP);
    sweep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut stopping: Option<oneshot::Sender<()>> = None;
    let mut closed = false;
    loop {
        let expired = deadline.is_some_and(|d| d <= Instant::now());
        if pending.len() >= MAX_BATCH || expired || !waiters.is_empty() || closed {
            while !pending.is_empty() {
                let rest = pending.split_off(pending.len().min(MAX_BATCH));
                let batch = std::mem::replace(&mut pending, rest);
                let later = arrivals.split_off(arrivals.len().min(MAX_BATCH));
                let oldest = std::mem::replace(&mut arrivals, later).first().copied();
                let began = Instant::now();
                let ok = write(store.as_ref(), &batch).await;
                observer.batch(crate::telemetry::Batch {
                    queue: crate::telemetry::Queue::Audit,
                    jobs: batch.len(),
                    waited: oldest.map(|t| began - t).unwrap_or_default(),
                    wrote: began.elapsed(),
                    ok,
                });
            }
            deadline = None;
            for waiter in waiters.drain(..) {
                let _ = waiter.send(());
            }
            if closed {
                if let Some(done) = stopping.take() {
                    let _ = done.send(());
                }
                return;
            }
        }
        let wait_for_deadline = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            n = commands.recv_many(&mut received, MAX_BATCH) => {
                if n == 0 {
                    closed = true;
                }
                for command in received.drain(..) {
                    match command {
                        Command::Entry(entry) => {
                            if pending.is_empty() {
                                deadline = Some(Instant::now() + FLUSH_INTERVAL);
                            }
                            pending.push(entry);
                            arrivals.push(Instant::now());
                        }
                        Command::Flush(waiter) => waiters.push(waiter),
                        Command::Shutdown(done) => {
                            // Nothing more is accepted; what is queued is still written, and
                            // the writer stops once the queue is empty.
                            stopping = Some(done);
                            commands.close();
                        }
                    }
                }
            }
            () = wait_for_deadline => {}
            _ = sweep.tick() => {
                let due = shared.lock_samplers().due(shared.clock.now());
                if !due.is_empty() && pending.is_empty() {
                    deadline = Some(Instant::now() + FLUSH_INTERVAL);
                }
                arrivals.extend(std::iter::repeat_n(Instant::now(), due.len()));
                pending.extend(due);
            }
        }
    }
}

/// Writes one batch, trying again a little later when the database fails; whether it was
/// written.
async fn write(store: &dyn Store, batch: &[AuditEntry]) -> bool {
    let mut delay = Duration::from_millis(100);
    for attempt in 1..=WRITE_ATTEMPTS {
        match store.append_audit_batch(batch).await {
            Ok(()) => return true,
            Err(e) if attempt < WRITE_ATTEMPTS => {
                tracing::warn!(error = %e, entries = batch.len(), attempt, "writing the audit log failed; trying again");
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
            Err(e) => {
                tracing::error!(error = %e, entries = batch.len(), "could not write the audit log: these entries are lost");
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn refusal(at: DateTime<Utc>, reason: &str) -> AuditEntry {
        AuditEntry {
            at,
            request_id: Uuid::new_v4().to_string(),
            tenant_id: None,
            app_id: None,
            user_id: None,
            operation: "GetMeeting".to_owned(),
            decision: AuditDecision::Denied,
            reason: reason.to_owned(),
        }
    }

    fn t(ms: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::milliseconds(ms)
    }

    #[test]
    fn the_first_refusal_of_a_reason_is_written_and_the_next_second_is_counted() {
        let mut s = Samplers::default();
        let first = s.count(refusal(t(0), "denied: 401 empty")).unwrap();
        assert_eq!(first.reason, "denied: 401 empty (sampled: 1 request)");
        for ms in 1..200 {
            assert!(s.count(refusal(t(ms), "denied: 401 empty")).is_none());
        }
        // Another reason has its own period.
        assert!(s.count(refusal(t(300), "denied: 401 expired")).is_some());
        assert!(s.due(t(999)).is_empty());
        let due = s.due(t(1000));
        assert_eq!(due.len(), 1);
        assert_eq!(sampled_count(&due[0].reason), Some(199));
        assert_eq!(
            due[0].at,
            t(199),
            "the row is the latest refusal it stands for"
        );
        assert!(s.drain().is_empty());
        assert_eq!(
            s.totals(),
            [
                ("denied: 401 empty".to_owned(), 200),
                ("denied: 401 expired".to_owned(), 1)
            ]
        );
    }

    #[test]
    fn a_refusal_a_second_after_the_last_row_is_written_with_the_count() {
        let mut s = Samplers::default();
        assert!(s.count(refusal(t(0), "r")).is_some());
        assert!(s.count(refusal(t(500), "r")).is_none());
        let row = s.count(refusal(t(1000), "r")).unwrap();
        assert_eq!(sampled_count(&row.reason), Some(2));
        assert!(s.count(refusal(t(1500), "r")).is_none());
        let rest = s.drain();
        assert_eq!(rest.len(), 1);
        assert_eq!(sampled_count(&rest[0].reason), Some(1));
    }

    #[test]
    fn distinct_reasons_beyond_the_cap_share_one_count() {
        let mut s = Samplers::default();
        for i in 0..MAX_REASONS + 10 {
            s.count(refusal(t(0), &format!("reason {i}")));
        }
        let totals = s.totals();
        assert_eq!(totals.len(), MAX_REASONS + 1);
        assert!(totals.contains(&(OTHER_REASONS.to_owned(), 10)));
    }

    #[test]
    fn sampled_counts_read_back() {
        assert_eq!(sampled_count(&sampled_reason("denied: x (y)", 1)), Some(1));
        assert_eq!(sampled_count(&sampled_reason("denied: x", 42)), Some(42));
        assert_eq!(sampled_count("denied: x"), None);
    }
}
