//! The batched writes of a SQLite file, on a connection and a thread of their own.
//!
//! Meetings ([`graphmeet_core::MeetingWriter`]'s batches) and the audit log's batches are the
//! writes every request makes. Through sqlx they cost, per statement, a message to the
//! connection's worker thread and one back, the `Any` driver's encoding of every value, and a
//! statement that spanned a whole chunk of rows, for which SQLite keeps a statement journal (on
//! a 64-row chunk of ~4 KB meetings, one that spills to a temporary file). Here the store's
//! batches run on one thread that owns one read-write connection:
//!
//! - **one hand-off per batch**: the caller's task sends a closure and awaits its answer, which
//!   is sent only after the batch's `COMMIT` returned (a meeting's 201 waits for it, as before);
//! - **one transaction per batch** (`BEGIN IMMEDIATE`: the write lock is taken at once, so the
//!   batch never fails half-way on a lock), and inside it **one cached single-row statement per
//!   meeting**: a row's statement journal holds a row's pages, in memory;
//! - a taken key is `ON CONFLICT DO NOTHING` (the statement changes no row), and a dangling
//!   organizer or tenant fails only its own statement: SQLite rolls back the statement, not the
//!   transaction, so the rest of the batch is committed without a replay.
//!
//! Writes go through one connection, so batches are serialized here rather than on SQLite's
//! lock, and this connection's page cache stays valid from one batch to the next (any commit by
//! another connection makes SQLite drop it). Other writes (the directory, updates, deletes)
//! still go through sqlx; they take SQLite's write lock in turn, waited for by the busy
//! timeout, as before.

use graphmeet_core::model::AuditEntry;
use graphmeet_core::store::{MeetingInsert, MeetingInserted};
use graphmeet_core::StoreError;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Mutex;
use tokio::sync::oneshot;

use crate::codec::{id, micros};
use crate::sql::meetings::{clash_conflict, MeetingKeys};
use crate::Synchronous;

/// How long a batch waits for SQLite's write lock when another connection or process holds it.
pub(crate) const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The writer's page cache, in KiB (SQLite's default is 2 MB).
///
/// Its size is a cost at every commit, not only a saving: when an insert splits a B-tree page,
/// SQLite's `balance_nonroot` moves a page through a temporary page number (the lock-byte
/// page's, 262,145 with 4 KiB pages), which leaves the cache's highest key far above the
/// database's size, and the end of that transaction then walks the cache's whole hash table
/// (`pcache1TruncateUnsafe`). With the meetings' random-key indexes nearly every batch splits a
/// page, so a 32 MB cache made that walk 15 % of the writer's time. A smaller cache walks
/// less; the pages it no longer holds are read with `pread`, from the kernel's page cache.
///
/// They are not read through a memory map (`mmap_size`): every page of the file read that way
/// stays mapped into the process, so its resident size grew with the database (286 MB after
/// 10 s of creates, of which 262 MB mapped file pages, against 46 MB without the map) for
/// 2–8 % of the writer's CPU per create.
const CACHE_KIB: i64 = 8 * 1024;

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// The writing thread of one SQLite file; it ends when closed or dropped, after the jobs
/// already queued.
pub(crate) struct SqliteWriter {
    path: PathBuf,
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    /// Answered when the thread has ended (its connection closed).
    ended: Mutex<Option<oneshot::Receiver<()>>>,
}

impl std::fmt::Debug for SqliteWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteWriter")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteWriter {
    /// Opens a connection to the database file at `path` (created and migrated already) and
    /// starts its thread.
    pub(crate) fn start(path: &Path, synchronous: Synchronous) -> Result<Self, StoreError> {
        let conn = open(path, synchronous).map_err(|e| {
            StoreError::Backend(format!(
                "opening {} for the batch writer failed: {e}",
                path.display()
            ))
        })?;
        let (jobs, queue) = mpsc::channel::<Job>();
        let (done, ended) = oneshot::channel();
        std::thread::Builder::new()
            .name("sqlite-writer".to_owned())
            .spawn(move || {
                let mut conn = conn;
                while let Ok(job) = queue.recv() {
                    job(&mut conn);
                }
                drop(conn);
                let _ = done.send(());
            })
            .map_err(|e| StoreError::Backend(format!("starting the batch writer failed: {e}")))?;
        Ok(Self {
            path: path.to_path_buf(),
            jobs: Mutex::new(Some(jobs)),
            ended: Mutex::new(Some(ended)),
        })
    }

    /// Runs `work` on the writer's connection; its answer once it has run.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.queue(move |conn| {
            // A caller that went away (its request was cancelled) is not an error: the work
            // is done (or not) whether or not anybody hears of it.
            let _ = reply.send(work(conn));
        })?;
        answer.await.map_err(|_| closed())?
    }

    /// Queues `work` behind the jobs already queued, without waiting for it to run.
    pub(crate) fn queue(
        &self,
        work: impl FnOnce(&mut Connection) + Send + 'static,
    ) -> Result<(), StoreError> {
        let jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        let jobs = jobs.as_ref().ok_or_else(closed)?;
        jobs.send(Box::new(work)).map_err(|_| closed())
    }

    /// Stops taking jobs and waits until those queued have run and the connection is closed.
    pub(crate) async fn close(&self) {
        drop(self.jobs.lock().unwrap_or_else(|p| p.into_inner()).take());
        let ended = self.ended.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(ended) = ended {
            let _ = ended.await;
        }
    }
}

fn closed() -> StoreError {
    StoreError::Backend("the store is closed".to_owned())
}

fn open(path: &Path, synchronous: Synchronous) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    // As the sqlx pool's connections (lib.rs), whose migrations made the file a WAL database.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.execute_batch(synchronous.pragma())?;
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    conn.pragma_update(
        None,
        "journal_size_limit",
        crate::checkpoint::WAL_SIZE_LIMIT,
    )?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    // Statement journals in memory. A meeting's INSERT keeps one (its organizer's foreign key
    // or its trigger's row can fail it alone, inside the batch's transaction), and with the
    // ~4 KB document, six indexes and the trigger it outgrows SQLite's 64 KiB in-memory limit:
    // on a file, every such statement created, wrote and deleted a temporary file, more
    // writes than the WAL frames themselves. The journal is the statement's own undo record,
    // gone when the statement ends; nothing of the database is held in memory longer.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(16);
    Ok(conn)
}

/// SQLite's error, as the store's: a dangling reference is [`StoreError::NotFound`], as
/// [`crate::error::from_sqlx`] says.
fn store_error(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(failure, _)
            if failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY =>
        {
            StoreError::NotFound("referenced record")
        }
        _ if e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy) => {
            StoreError::Backend(format!("the database stayed locked: {e}"))
        }
        _ => StoreError::Backend(e.to_string()),
    }
}

const INSERT_MEETING: &str = "INSERT INTO meetings (id, tenant_id, organizer_id, external_id, \
     thread_id, join_meeting_id, join_web_url, created_at, updated_at, document) \
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";

/// A stored meeting's creation, for the monthly quota (migration 20250601000002): a statement
/// of its own, so that the meeting's insert writes one table and keeps no statement journal.
const INSERT_CREATION: &str =
    "INSERT INTO meeting_creations (tenant_id, organizer_id, created_at) VALUES (?, ?, ?)";

/// Stores a batch of meetings in one transaction, with [`graphmeet_core::Store::insert_meetings`]'s
/// rules: a meeting whose key is taken or whose organizer is gone fails alone, at its position.
pub(crate) fn insert_meetings(
    conn: &mut Connection,
    batch: &[MeetingInsert],
) -> Result<Vec<Result<MeetingInserted, StoreError>>, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(store_error)?;
    let mut outcomes = Vec::with_capacity(batch.len());
    {
        let mut insert = tx.prepare_cached(INSERT_MEETING).map_err(store_error)?;
        for item in batch {
            let meeting = item.meeting();
            let inserted = insert.execute(rusqlite::params![
                meeting.id,
                id(meeting.tenant_id),
                id(meeting.organizer_id),
                meeting.external_id,
                meeting.thread_id,
                meeting.join_meeting_id,
                meeting.join_web_url,
                micros(meeting.created_at),
                micros(meeting.updated_at),
                meeting.document,
            ]);
            outcomes.push(match inserted {
                Ok(1) => Ok(MeetingInserted::Created),
                Ok(_) => explain_skipped(&tx, item)?,
                // The statement was rolled back, the transaction goes on.
                Err(e) => match store_error(e) {
                    refused @ StoreError::NotFound(_) => Err(refused),
                    other => return Err(other),
                },
            });
        }
        let mut creation = tx.prepare_cached(INSERT_CREATION).map_err(store_error)?;
        for (item, outcome) in batch.iter().zip(&outcomes) {
            if matches!(outcome, Ok(MeetingInserted::Created)) {
                let meeting = item.meeting();
                creation
                    .execute(rusqlite::params![
                        id(meeting.tenant_id),
                        id(meeting.organizer_id),
                        micros(meeting.created_at),
                    ])
                    .map_err(store_error)?;
            }
        }
    }
    tx.commit().map_err(store_error)?;
    Ok(outcomes)
}

/// Why a meeting's insert stored nothing: for createOrGet, the organizer's meeting under its
/// externalId; otherwise the key that is taken, in the words a unique violation would have had.
fn explain_skipped(
    tx: &rusqlite::Transaction<'_>,
    item: &MeetingInsert,
) -> Result<Result<MeetingInserted, StoreError>, StoreError> {
    let meeting = item.meeting();
    let tenant = id(meeting.tenant_id);
    let organizer = id(meeting.organizer_id);
    if let (MeetingInsert::CreateOrGet(_), Some(external_id)) = (item, &meeting.external_id) {
        let existing = tx
            .prepare_cached(&format!(
                "{} WHERE tenant_id = ?1 AND organizer_id = ?2 AND external_id = ?3",
                crate::inline::MEETING_COLUMNS
            ))
            .and_then(|mut statement| {
                statement
                    .query_row(
                        rusqlite::params![tenant, organizer, external_id],
                        crate::inline::raw_meeting,
                    )
                    .optional()
            })
            .map_err(store_error)?;
        if let Some(raw) = existing {
            return Ok(Ok(MeetingInserted::Existing(
                crate::inline::stored_meeting(raw)?,
            )));
        }
    }
    let clash = tx
        .prepare_cached(
            "SELECT id, thread_id, join_web_url, tenant_id, join_meeting_id \
             FROM meetings WHERE id = ?1 OR thread_id = ?2 OR join_web_url = ?3 \
             OR (tenant_id = ?4 AND join_meeting_id = ?5) \
             OR (tenant_id = ?4 AND organizer_id = ?6 AND external_id = ?7) LIMIT 1",
        )
        .and_then(|mut statement| {
            statement
                .query_row(
                    rusqlite::params![
                        meeting.id,
                        meeting.thread_id,
                        meeting.join_web_url,
                        tenant,
                        meeting.join_meeting_id,
                        organizer,
                        meeting.external_id,
                    ],
                    |row| {
                        Ok(MeetingKeys {
                            id: row.get(0)?,
                            thread_id: row.get(1)?,
                            join_web_url: row.get(2)?,
                            tenant_id: row.get(3)?,
                            join_meeting_id: row.get(4)?,
                        })
                    },
                )
                .optional()
        })
        .map_err(store_error)?;
    Ok(Err(clash_conflict(meeting, &tenant, clash)))
}

/// Appends audit entries in one transaction, one cached single-row statement each.
pub(crate) fn append_audit(
    conn: &mut Connection,
    entries: &[AuditEntry],
) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(store_error)?;
    {
        let mut insert = tx
            .prepare_cached(
                "INSERT INTO audit_log (at, request_id, tenant_id, app_id, user_id, operation, \
                 decision, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .map_err(store_error)?;
        for entry in entries {
            insert
                .execute(rusqlite::params![
                    micros(entry.at),
                    entry.request_id,
                    entry.tenant_id.map(id),
                    entry.app_id.map(id),
                    entry.user_id.map(id),
                    entry.operation,
                    entry.decision.as_str(),
                    entry.reason,
                ])
                .map_err(store_error)?;
        }
    }
    tx.commit().map_err(store_error)
}
