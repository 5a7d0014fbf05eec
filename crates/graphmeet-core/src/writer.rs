//! The one writer of new meetings: concurrent creates share a transaction (group commit), and
//! each caller learns its own outcome only after that transaction committed.
//!
//! Callers queue their meeting on a bounded channel and wait. One task takes whatever is queued
//! (up to [`MAX_BATCH`]) and hands it to [`Store::insert_meetings`], which stores the batch in one
//! transaction and isolates a meeting whose key is taken; while that commit runs, the next batch
//! gathers. On SQLite that is one fsync per batch instead of one per meeting; a lone create waits
//! for nobody.
//!
//! The monthly meeting quota ([`MeetingQuota`]) is checked here, batch by batch: before a batch
//! is stored, each organizer's creations of the month are counted in the store and only as many
//! of the batch's meetings as the quota has room for go on; the others are refused. Batches are
//! stored one after another, so one server holds the quota exactly (a createOrGet that finds its
//! meeting still takes a place in the batch it is in, so such a batch can refuse one create too
//! many). Several servers on one database each check against what the others committed, so
//! together they can overshoot by at most the creates they commit at the same moment: a batch
//! per server, [`MAX_BATCH`] at most.

use crate::model::StoredMeeting;
use crate::store::{MeetingInsert, MeetingInserted, Store, StoreError};
use crate::telemetry::{Batch, Queue, QueueObserver, Unobserved};
use chrono::{DateTime, Datelike, TimeZone, Utc};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

/// The most meetings stored in one transaction.
pub const MAX_BATCH: usize = 256;
/// How many creates may wait for the writer before callers wait to queue (backpressure).
pub const QUEUE_CAPACITY: usize = 1024;

/// How many meetings one organizer may create per calendar month (UTC), counted from the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeetingQuota(pub u32);

/// A create refused by the monthly quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaExceeded {
    /// The quota.
    pub limit: u32,
    /// When the organizer's next month starts (00:00 UTC on the 1st).
    pub resets_at: DateTime<Utc>,
}

/// Why the writer did not store a meeting.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The store refused it or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The organizer has used the month's quota.
    #[error("the organizer has created {} meetings this month", .0.limit)]
    OverQuota(QuotaExceeded),
}

/// The calendar month (UTC) `at` falls in: its first instant and the next month's.
pub fn month_of(at: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let first = |year: i32, month: u32| {
        Utc.with_ymd_and_hms(year, month, 1, 0, 0, 0)
            .single()
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    };
    let (year, month) = (at.year(), at.month());
    let next = if month == 12 {
        first(year + 1, 1)
    } else {
        first(year, month + 1)
    };
    (first(year, month), next)
}

enum Outcome {
    Stored(MeetingInserted),
    OverQuota(QuotaExceeded),
}

type Reply = oneshot::Sender<Result<Outcome, StoreError>>;

struct Job {
    insert: MeetingInsert,
    reply: Reply,
    queued_at: std::time::Instant,
}

/// The handle callers queue new meetings on. Cloning is cheap and shares the writer; the writer
/// task ends when the last handle is dropped.
#[derive(Clone)]
pub struct MeetingWriter {
    queue: mpsc::Sender<Job>,
}

impl std::fmt::Debug for MeetingWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeetingWriter")
            .field("queued", &(QUEUE_CAPACITY - self.queue.capacity()))
            .finish()
    }
}

impl MeetingWriter {
    /// Starts the writer task on the current Tokio runtime (call it from within one), with no
    /// quota.
    pub fn start(store: Arc<dyn Store>) -> Self {
        Self::start_with_quota(store, None)
    }

    /// Starts the writer task; with a quota, an organizer's creates beyond it in a calendar
    /// month (UTC, by the meeting's `created_at`) are refused.
    pub fn start_with_quota(store: Arc<dyn Store>, quota: Option<MeetingQuota>) -> Self {
        Self::start_observed(store, quota, Arc::new(Unobserved))
    }

    /// Starts the writer task, telling `observer` of every batch.
    pub fn start_observed(
        store: Arc<dyn Store>,
        quota: Option<MeetingQuota>,
        observer: Arc<dyn QueueObserver>,
    ) -> Self {
        let (queue, jobs) = mpsc::channel(QUEUE_CAPACITY);
        tokio::spawn(run(store, quota, jobs, observer));
        Self { queue }
    }

    /// How many creates wait for the writer now.
    pub fn queued(&self) -> usize {
        QUEUE_CAPACITY - self.queue.capacity()
    }

    /// Stores a new meeting; returns once it is committed. A taken key is a
    /// [`StoreError::Conflict`], as with [`Store::insert_meeting`].
    pub async fn create(&self, meeting: StoredMeeting) -> Result<(), WriteError> {
        match self.submit(MeetingInsert::Create(meeting)).await? {
            Outcome::Stored(MeetingInserted::Created) => Ok(()),
            // A plain create never gives back another meeting; the store broke its contract.
            Outcome::Stored(MeetingInserted::Existing(other)) => {
                Err(WriteError::Store(StoreError::Backend(format!(
                    "a plain insert returned the existing meeting {}",
                    other.id
                ))))
            }
            Outcome::OverQuota(over) => Err(WriteError::OverQuota(over)),
        }
    }

    /// createOrGet: stores the meeting unless the organizer has one with the same externalId;
    /// returns `None` once the meeting is committed, or the organizer's existing meeting. Over
    /// the quota, the meeting is not looked for: the caller does that.
    pub async fn create_or_get(
        &self,
        meeting: StoredMeeting,
    ) -> Result<Option<StoredMeeting>, WriteError> {
        match self.submit(MeetingInsert::CreateOrGet(meeting)).await? {
            Outcome::Stored(MeetingInserted::Created) => Ok(None),
            Outcome::Stored(MeetingInserted::Existing(existing)) => Ok(Some(existing)),
            Outcome::OverQuota(over) => Err(WriteError::OverQuota(over)),
        }
    }

    async fn submit(&self, insert: MeetingInsert) -> Result<Outcome, StoreError> {
        let (reply, outcome) = oneshot::channel();
        self.queue
            .send(Job {
                insert,
                reply,
                queued_at: std::time::Instant::now(),
            })
            .await
            .map_err(|_| stopped())?;
        outcome.await.map_err(|_| stopped())?
    }
}

/// Splits off the jobs the quota has no room for, answering them; the store is asked once per
/// (organizer, month) of the batch.
async fn refuse_over_quota(
    store: &dyn Store,
    quota: MeetingQuota,
    batch: &mut Vec<Job>,
) -> Result<(), StoreError> {
    let mut room: HashMap<(Uuid, DateTime<Utc>), u64> = HashMap::new();
    let mut kept = Vec::with_capacity(batch.len());
    for job in batch.drain(..) {
        let meeting = job.insert.meeting();
        let (since, before) = month_of(meeting.created_at);
        let key = (meeting.organizer_id, since);
        let left = match room.entry(key) {
            std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
            std::collections::hash_map::Entry::Vacant(first) => {
                let used = store
                    .count_meetings_created(meeting.organizer_id, since, before)
                    .await?;
                first.insert(u64::from(quota.0).saturating_sub(used))
            }
        };
        if *left == 0 {
            let _ = job.reply.send(Ok(Outcome::OverQuota(QuotaExceeded {
                limit: quota.0,
                resets_at: before,
            })));
        } else {
            *left -= 1;
            kept.push(job);
        }
    }
    *batch = kept;
    Ok(())
}

fn stopped() -> StoreError {
    StoreError::Backend("the meeting writer has stopped".to_owned())
}

/// The writer task: one batch at a time, until every handle is gone.
async fn run(
    store: Arc<dyn Store>,
    quota: Option<MeetingQuota>,
    mut jobs: mpsc::Receiver<Job>,
    observer: Arc<dyn QueueObserver>,
) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while jobs.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let oldest = batch.iter().map(|job| job.queued_at).min();
        if let Some(quota) = quota {
            if let Err(e) = refuse_over_quota(store.as_ref(), quota, &mut batch).await {
                tracing::error!(error = %e, "counting meetings for the quota failed");
                for job in batch.drain(..) {
                    let _ = job.reply.send(Err(StoreError::Backend(e.to_string())));
                }
                continue;
            }
            if batch.is_empty() {
                continue;
            }
        }
        let (inserts, replies): (Vec<MeetingInsert>, Vec<Reply>) =
            batch.drain(..).map(|job| (job.insert, job.reply)).unzip();
        let began = std::time::Instant::now();
        let outcome = store.insert_meetings(&inserts).await;
        observer.batch(Batch {
            queue: Queue::Meetings,
            jobs: inserts.len(),
            waited: oldest.map(|t| began - t).unwrap_or_default(),
            wrote: began.elapsed(),
            ok: outcome.is_ok(),
        });
        let failure = match outcome {
            Ok(results) if results.len() == replies.len() => {
                for (reply, result) in replies.into_iter().zip(results) {
                    // A caller that went away (its request was cancelled) is not an error.
                    let _ = reply.send(result.map(Outcome::Stored));
                }
                continue;
            }
            Ok(results) => format!(
                "the store answered {} outcomes for a batch of {}",
                results.len(),
                inserts.len()
            ),
            Err(e) => e.to_string(),
        };
        // The batch failed (or its outcome cannot be matched to its callers): every caller
        // gets the error, a 500.
        tracing::error!(error = %failure, meetings = inserts.len(), "storing a meeting batch failed");
        for reply in replies {
            let _ = reply.send(Err(StoreError::Backend(failure.clone())));
        }
    }
}
