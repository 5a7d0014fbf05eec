//! Concurrent reads of meeting revisions on PostgreSQL, gathered into shared statements.
//!
//! A get by id on PostgreSQL is a round trip to the database: a message to the backend, its
//! wake-up and answer, and the wake-up of the Tokio thread that waits for it. Under load those
//! hand-offs, not the index lookup, are most of a get's cost on both sides. So the reads that
//! arrive while [`IN_FLIGHT`] statements are out wait for one of them to come back and then go
//! together, up to [`MAX_BATCH`] in one statement: one round trip for all of them. A read that
//! finds nothing else going on goes at once, alone. Every read is sent after its request
//! arrived and answers what the database holds then: nothing is cached, so a write any
//! instance acknowledged before the request is seen.

use crate::error::SqlxResultExt;
use crate::sql::meetings::revision_of;
use graphmeet_core::model::MeetingRevision;
use graphmeet_core::StoreError;
use sqlx::{AnyPool, Row};
use std::sync::{Arc, OnceLock};
use tokio::sync::{mpsc, oneshot, Semaphore};
use uuid::Uuid;

/// The most reads one statement carries.
const MAX_BATCH: usize = 64;

/// Statements out at once; further reads queue behind them and go in the next.
const IN_FLIGHT: usize = 2;

/// Reads waiting to be sent; a caller beyond it waits for room.
const QUEUE: usize = 4096;

type Answer = Result<Option<MeetingRevision>, StoreError>;

/// One caller's read.
struct Read {
    tenant_id: String,
    meeting_id: String,
    known: Option<i64>,
    reply: oneshot::Sender<Answer>,
}

/// The handle through which the store's callers read revisions; the task that sends the
/// statements ends when the last handle is dropped.
#[derive(Debug, Clone)]
pub(crate) struct RevisionReads {
    queue: mpsc::Sender<Read>,
}

impl RevisionReads {
    /// Starts the task that reads through `pool` (on the current Tokio runtime).
    pub(crate) fn start(pool: AnyPool) -> Self {
        let (queue, reads) = mpsc::channel(QUEUE);
        tokio::spawn(run(pool, reads));
        Self { queue }
    }

    /// What [`MEETING_REVISION`](crate::sql::meetings::MEETING_REVISION) answers for one
    /// meeting, read together with the others waiting.
    pub(crate) async fn read(
        &self,
        tenant_id: Uuid,
        meeting_id: &str,
        known: Option<i64>,
    ) -> Answer {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Read {
                tenant_id: crate::codec::id(tenant_id),
                meeting_id: meeting_id.to_owned(),
                known,
                reply,
            })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> StoreError {
    StoreError::Backend("the meeting reader has stopped".to_owned())
}

/// Sends the waiting reads, at most [`IN_FLIGHT`] statements at a time.
async fn run(pool: AnyPool, mut reads: mpsc::Receiver<Read>) {
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        // The slot first: while every slot is taken, reads pile up for the next statement.
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        if reads.recv_many(&mut batch, MAX_BATCH).await == 0 {
            return;
        }
        let sent = std::mem::replace(&mut batch, Vec::with_capacity(MAX_BATCH));
        let pool = pool.clone();
        tokio::spawn(async move {
            answer(&pool, sent).await;
            drop(slot);
        });
    }
}

/// The statement for `rows` reads: each row of the `VALUES` list is (its place in the batch,
/// tenant, meeting id, known revision). Batches are padded to a power of two, so that each
/// connection prepares at most seven statements.
fn statement(rows: usize) -> &'static str {
    static STATEMENTS: OnceLock<Vec<String>> = OnceLock::new();
    let statements = STATEMENTS.get_or_init(|| {
        (0..=MAX_BATCH.trailing_zeros())
            .map(|power| {
                let values: Vec<String> = (0..1usize << power)
                    .map(|row| {
                        let p = row * 4;
                        format!(
                            "(${}::BIGINT, ${}::TEXT, ${}::TEXT, ${}::BIGINT)",
                            p + 1,
                            p + 2,
                            p + 3,
                            p + 4
                        )
                    })
                    .collect();
                format!(
                    "SELECT q.place, m.revision, \
                     CASE WHEN m.revision = q.known THEN NULL ELSE m.document END \
                     FROM (VALUES {}) AS q (place, tenant_id, id, known) \
                     JOIN meetings m ON m.id = q.id AND m.tenant_id = q.tenant_id",
                    values.join(", ")
                )
            })
            .collect()
    });
    &statements[rows.next_power_of_two().trailing_zeros() as usize]
}

/// Reads `batch` in one statement and answers each caller.
async fn answer(pool: &AnyPool, batch: Vec<Read>) {
    let rows = batch.len().next_power_of_two();
    let mut query = sqlx::query(statement(rows));
    for place in 0..rows {
        // Padding rows name no meeting (an id is never empty) and no place in the batch.
        query = match batch.get(place) {
            Some(read) => query
                .bind(place as i64)
                .bind(read.tenant_id.as_str())
                .bind(read.meeting_id.as_str())
                .bind(read.known),
            None => query.bind(-1_i64).bind("").bind("").bind(None::<i64>),
        };
    }
    let found = match query.fetch_all(pool).await.db() {
        Ok(found) => found,
        Err(e) => {
            let text = e.to_string();
            for read in batch {
                let _ = read.reply.send(Err(StoreError::Backend(text.clone())));
            }
            return;
        }
    };
    let mut answers: Vec<Answer> = batch.iter().map(|_| Ok(None)).collect();
    for row in found {
        let read = || -> Result<(usize, MeetingRevision), StoreError> {
            let place: i64 = row.try_get(0).db()?;
            let place = usize::try_from(place)
                .ok()
                .filter(|place| *place < batch.len())
                .ok_or_else(|| StoreError::Backend(format!("a read answered place {place}")))?;
            let revision: i64 = row.try_get(1).db()?;
            let document: Option<String> = row.try_get(2).db()?;
            Ok((place, revision_of(revision, document, batch[place].known)?))
        };
        match read() {
            Ok((place, revision)) => answers[place] = Ok(Some(revision)),
            // A row that cannot be read fails the whole batch: which caller it was for is
            // not known.
            Err(e) => {
                let text = e.to_string();
                for read in batch {
                    let _ = read.reply.send(Err(StoreError::Backend(text.clone())));
                }
                return;
            }
        }
    }
    for (read, answer) in batch.into_iter().zip(answers) {
        // A caller that went away (its request was cancelled) is not an error.
        let _ = read.reply.send(answer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_is_padded_to_a_power_of_two_with_four_parameters_a_row() {
        for (rows, placeholders) in [(1, 4), (2, 8), (3, 16), (33, 256), (64, 256)] {
            let sql = statement(rows);
            assert_eq!(
                sql.matches("::BIGINT, $").count(),
                placeholders / 4,
                "{rows}"
            );
            assert!(
                sql.contains(&format!("${placeholders}::BIGINT)")),
                "{rows}: {sql}"
            );
            assert!(!sql.contains(&format!("${}:", placeholders + 1)), "{rows}");
        }
    }
}
