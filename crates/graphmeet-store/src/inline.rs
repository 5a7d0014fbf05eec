//! Point reads of meetings on SQLite, run on the calling thread.
//!
//! sqlx-sqlite runs every statement on a worker thread of its own per connection: a query is a
//! message to that thread and a message back, and returning the connection to the pool pings
//! the worker once more. On a small machine those hand-offs (two futex wake-ups and context
//! switches each) cost more than the lookup itself: a meeting read by its primary key or a
//! unique key is a few B-tree pages already in SQLite's cache, a few microseconds. So the
//! meeting lookups of the request path (get by id, `$filter`, createOrGet's find) read here,
//! through `rusqlite`, on the caller's thread, from a few read-only connections to the same
//! file.
//!
//! Nothing is cached above SQLite: every read is a statement of its own in autocommit mode, so
//! it sees every transaction committed before it started, by this process or any other, as the
//! sqlx path does. In WAL mode a reader never waits for a writer; the connections are opened
//! with no busy timeout, so a read that would have to wait (a WAL being recovered, the file
//! locked by a process in rollback-journal mode) is not waited for on the caller's thread: it
//! answers [`Inline::Busy`] and the caller takes the sqlx path, which waits on its worker.

use graphmeet_core::model::{MeetingRevision, StoredMeeting};
use graphmeet_core::StoreError;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::PathBuf;
use std::sync::Mutex;
use uuid::Uuid;

/// Connections kept open between reads. Reads run on the caller's thread without yielding, so
/// at most one per thread that calls at the same time is in use: Tokio's worker threads.
const KEPT: usize = 8;

/// What an inline read came to.
pub(crate) enum Inline<T> {
    /// The read ran.
    Done(Result<T, StoreError>),
    /// SQLite would have had to wait for a lock; read through sqlx instead.
    Busy,
}

/// Read-only connections to one SQLite file, opened on demand and reused.
pub(crate) struct InlineReader {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for InlineReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InlineReader")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// The meeting columns, in [`stored_meeting`]'s order.
pub(crate) const MEETING_COLUMNS: &str =
    "SELECT id, tenant_id, organizer_id, external_id, thread_id, \
     join_meeting_id, join_web_url, created_at, updated_at, document FROM meetings";

impl InlineReader {
    /// A reader of the database file at `path` (which the sqlx pool has created and migrated).
    pub(crate) fn new(path: PathBuf) -> Self {
        Self {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Closes the kept connections; later reads open new ones.
    pub(crate) fn close(&self) {
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        // Read-write so that a WAL database can be read whatever its -shm file's state (a
        // read-only connection cannot always open one); `query_only` refuses any write.
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.pragma_update(None, "query_only", true)?;
        conn.busy_timeout(std::time::Duration::ZERO)?;
        // Statements are prepared once per connection (the request path has a handful).
        conn.set_prepared_statement_cache_capacity(16);
        Ok(conn)
    }

    /// Runs `read` on a kept connection (or a new one).
    fn with<T>(&self, read: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Inline<T> {
        let kept = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match kept {
            Some(conn) => conn,
            None => match self.open() {
                Ok(conn) => conn,
                Err(e) if is_busy(&e) => return Inline::Busy,
                Err(e) => return Inline::Done(Err(backend(e))),
            },
        };
        let result = read(&conn);
        if matches!(&result, Err(e) if is_busy(e)) {
            return Inline::Busy;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < KEPT {
            idle.push(conn);
        }
        drop(idle);
        Inline::Done(result.map_err(backend))
    }

    /// The meeting matching `filter` (SQL over the meeting columns, `?1` the tenant when
    /// given, then the key), as [`crate::SqlStore`]'s sqlx path reads it.
    pub(crate) fn meeting_where(
        &self,
        filter: &str,
        tenant_id: Option<Uuid>,
        key: &str,
    ) -> Inline<Option<StoredMeeting>> {
        let read = self.with(|conn| {
            let mut statement =
                conn.prepare_cached(&format!("{MEETING_COLUMNS} WHERE {filter}"))?;
            let row = match tenant_id {
                Some(tenant) => statement
                    .query_row(
                        rusqlite::params![crate::codec::id(tenant), key],
                        raw_meeting,
                    )
                    .optional()?,
                None => statement
                    .query_row(rusqlite::params![key], raw_meeting)
                    .optional()?,
            };
            Ok(row)
        });
        decode(read)
    }

    /// [`crate::sql::meetings::MEETING_REVISION`]: a meeting's revision, with its document
    /// unless the revision is `known`.
    pub(crate) fn meeting_revision(
        &self,
        tenant_id: Uuid,
        meeting_id: &str,
        known: Option<i64>,
    ) -> Inline<Option<MeetingRevision>> {
        let read = self.with(|conn| {
            conn.prepare_cached(crate::sql::meetings::MEETING_REVISION)?
                .query_row(
                    rusqlite::params![known, crate::codec::id(tenant_id), meeting_id],
                    |row| Ok((row.get::<_, i64>(0)?, row.get::<_, Option<String>>(1)?)),
                )
                .optional()
        });
        match read {
            Inline::Busy => Inline::Busy,
            Inline::Done(read) => Inline::Done(read.and_then(|row| {
                row.map(|(revision, document)| {
                    crate::sql::meetings::revision_of(revision, document, known)
                })
                .transpose()
            })),
        }
    }

    /// The organizer's meeting with a createOrGet key.
    pub(crate) fn meeting_by_external_id(
        &self,
        tenant_id: Uuid,
        organizer_id: Uuid,
        external_id: &str,
    ) -> Inline<Option<StoredMeeting>> {
        let read = self.with(|conn| {
            conn.prepare_cached(&format!(
                "{MEETING_COLUMNS} WHERE tenant_id = ?1 AND organizer_id = ?2 AND external_id = ?3"
            ))?
            .query_row(
                rusqlite::params![
                    crate::codec::id(tenant_id),
                    crate::codec::id(organizer_id),
                    external_id
                ],
                raw_meeting,
            )
            .optional()
        });
        decode(read)
    }
}

/// A meeting row as SQLite holds it.
pub(crate) struct RawMeeting {
    id: String,
    tenant_id: String,
    organizer_id: String,
    external_id: Option<String>,
    thread_id: String,
    join_meeting_id: String,
    join_web_url: String,
    created_at: i64,
    updated_at: i64,
    document: String,
}

pub(crate) fn raw_meeting(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawMeeting> {
    Ok(RawMeeting {
        id: row.get(0)?,
        tenant_id: row.get(1)?,
        organizer_id: row.get(2)?,
        external_id: row.get(3)?,
        thread_id: row.get(4)?,
        join_meeting_id: row.get(5)?,
        join_web_url: row.get(6)?,
        created_at: row.get(7)?,
        updated_at: row.get(8)?,
        document: row.get(9)?,
    })
}

fn decode(read: Inline<Option<RawMeeting>>) -> Inline<Option<StoredMeeting>> {
    match read {
        Inline::Busy => Inline::Busy,
        Inline::Done(Err(e)) => Inline::Done(Err(e)),
        Inline::Done(Ok(None)) => Inline::Done(Ok(None)),
        Inline::Done(Ok(Some(raw))) => Inline::Done(stored_meeting(raw).map(Some)),
    }
}

/// The same values [`crate::codec::RowExt`] reads from the sqlx row.
pub(crate) fn stored_meeting(raw: RawMeeting) -> Result<StoredMeeting, StoreError> {
    let uuid = |col: &str, text: &str| {
        Uuid::parse_str(text).map_err(|e| {
            StoreError::Backend(format!("column {col} holds {text:?}, not a UUID: {e}"))
        })
    };
    let time = |col: &str, us: i64| {
        chrono::DateTime::from_timestamp_micros(us)
            .ok_or_else(|| StoreError::Backend(format!("column {col} holds {us}, not a time")))
    };
    Ok(StoredMeeting {
        tenant_id: uuid("tenant_id", &raw.tenant_id)?,
        organizer_id: uuid("organizer_id", &raw.organizer_id)?,
        created_at: time("created_at", raw.created_at)?,
        updated_at: time("updated_at", raw.updated_at)?,
        id: raw.id,
        external_id: raw.external_id,
        thread_id: raw.thread_id,
        join_meeting_id: raw.join_meeting_id,
        join_web_url: raw.join_web_url,
        document: raw.document,
    })
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(format!("reading the database failed: {e}"))
}
