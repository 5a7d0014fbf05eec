//! The one writer of new meetings: concurrent creates share a transaction (group commit), and
//! each caller learns its own outcome only after that transaction committed.
//!
//! Callers queue their meeting on a bounded channel and wait. One task takes whatever is queued
//! (up to [`MAX_BATCH`]) and hands it to [`Store::insert_meetings`], which stores the batch in one
//! transaction and isolates a meeting whose key is taken; while that commit runs, the next batch
//! gathers. On SQLite that is one fsync per batch instead of one per meeting; a lone create waits
//! for nobody.

use crate::model::StoredMeeting;
use crate::store::{MeetingInsert, MeetingInserted, Store, StoreError};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// The most meetings stored in one transaction.
pub const MAX_BATCH: usize = 256;
/// How many creates may wait for the writer before callers wait to queue (backpressure).
pub const QUEUE_CAPACITY: usize = 1024;

type Reply = oneshot::Sender<Result<MeetingInserted, StoreError>>;

struct Job {
    insert: MeetingInsert,
    reply: Reply,
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
    /// Starts the writer task on the current Tokio runtime (call it from within one).
    pub fn start(store: Arc<dyn Store>) -> Self {
        let (queue, jobs) = mpsc::channel(QUEUE_CAPACITY);
        tokio::spawn(run(store, jobs));
        Self { queue }
    }

    /// Stores a new meeting; returns once it is committed. A taken key is a
    /// [`StoreError::Conflict`], as with [`Store::insert_meeting`].
    pub async fn create(&self, meeting: StoredMeeting) -> Result<(), StoreError> {
        match self.submit(MeetingInsert::Create(meeting)).await? {
            MeetingInserted::Created => Ok(()),
            // A plain create never gives back another meeting; the store broke its contract.
            MeetingInserted::Existing(other) => Err(StoreError::Backend(format!(
                "a plain insert returned the existing meeting {}",
                other.id
            ))),
        }
    }

    /// createOrGet: stores the meeting unless the organizer has one with the same externalId;
    /// returns the stored meeting and whether it was created, once committed.
    pub async fn create_or_get(
        &self,
        meeting: StoredMeeting,
    ) -> Result<(StoredMeeting, bool), StoreError> {
        // The meeting comes back to the caller when it is the one stored; keep a copy to hand
        // back rather than asking the store for it again.
        let kept = meeting.clone();
        match self.submit(MeetingInsert::CreateOrGet(meeting)).await? {
            MeetingInserted::Created => Ok((kept, true)),
            MeetingInserted::Existing(existing) => Ok((existing, false)),
        }
    }

    async fn submit(&self, insert: MeetingInsert) -> Result<MeetingInserted, StoreError> {
        let (reply, outcome) = oneshot::channel();
        self.queue
            .send(Job { insert, reply })
            .await
            .map_err(|_| stopped())?;
        outcome.await.map_err(|_| stopped())?
    }
}

fn stopped() -> StoreError {
    StoreError::Backend("the meeting writer has stopped".to_owned())
}

/// The writer task: one batch at a time, until every handle is gone.
async fn run(store: Arc<dyn Store>, mut jobs: mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while jobs.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (inserts, replies): (Vec<MeetingInsert>, Vec<Reply>) =
            batch.drain(..).map(|job| (job.insert, job.reply)).unzip();
        let outcome = store.insert_meetings(&inserts).await;
        let failure = match outcome {
            Ok(results) if results.len() == replies.len() => {
                for (reply, result) in replies.into_iter().zip(results) {
                    // A caller that went away (its request was cancelled) is not an error.
                    let _ = reply.send(result);
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
