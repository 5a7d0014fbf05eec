//! Online meetings (`meetings`; `meeting_creations` is appended with them): the lookups of the
//! request path (on a SQLite file they read on the caller's thread, inline.rs), updates,
//! deletes, the counts behind the monthly quota, and the group commit's batches (on a SQLite
//! file, written by the batch writer's own connection, sqlite_writer.rs; here, through sqlx,
//! on PostgreSQL and in-memory SQLite).

use chrono::{DateTime, Utc};
use graphmeet_core::model::*;
use graphmeet_core::store::{MeetingInsert, MeetingInserted};
use graphmeet_core::StoreError;
use sqlx::any::{Any, AnyRow};
use sqlx::{Row, Transaction};
use uuid::Uuid;

use super::*;
use crate::codec::{id, micros, RowExt};
use crate::error::SqlxResultExt;
use crate::{Backend, SqlStore};

pub(super) async fn get_meeting(
    store: &SqlStore,
    tenant_id: Uuid,
    meeting_id: &str,
) -> Result<Option<StoredMeeting>, StoreError> {
    meeting_where(
        store,
        "tenant_id = $1 AND id = $2",
        Some(tenant_id),
        meeting_id,
    )
    .await
}

/// A meeting's revision, and its document unless the revision is the one named (the
/// parameters appear in order, as SQLite numbers them: the known revision, the tenant, the id).
pub(crate) const MEETING_REVISION: &str =
    "SELECT revision, CASE WHEN revision = $1 THEN NULL ELSE document END FROM meetings \
     WHERE tenant_id = $2 AND id = $3";

pub(super) async fn get_meeting_revision(
    store: &SqlStore,
    tenant_id: Uuid,
    meeting_id: &str,
    known: Option<i64>,
) -> Result<Option<MeetingRevision>, StoreError> {
    if let Some(inline) = &store.inline {
        if let crate::inline::Inline::Done(found) =
            inline.meeting_revision(tenant_id, meeting_id, known)
        {
            return found;
        }
    }
    if let Some(reads) = &store.revision_reads {
        return reads.read(tenant_id, meeting_id, known).await;
    }
    let row = sqlx::query(MEETING_REVISION)
        .bind(known)
        .bind(id(tenant_id))
        .bind(meeting_id)
        .fetch_optional(&store.pool)
        .await
        .db()?;
    row.map(|row| {
        let revision: i64 = row.try_get(0).db()?;
        let document: Option<String> = row.try_get(1).db()?;
        revision_of(revision, document, known)
    })
    .transpose()
}

/// What [`MEETING_REVISION`] read: no document means the revision is `known` (the column
/// is `NOT NULL`, so anything else is a broken row, not an answer).
pub(crate) fn revision_of(
    revision: i64,
    document: Option<String>,
    known: Option<i64>,
) -> Result<MeetingRevision, StoreError> {
    match document {
        Some(document) => Ok(MeetingRevision::Changed { revision, document }),
        None if known == Some(revision) => Ok(MeetingRevision::Unchanged),
        None => Err(StoreError::Backend(format!(
            "a meeting row of revision {revision} has no document"
        ))),
    }
}

pub(super) async fn find_meeting_by_external_id(
    store: &SqlStore,
    tenant_id: Uuid,
    organizer_id: Uuid,
    external_id: &str,
) -> Result<Option<StoredMeeting>, StoreError> {
    if let Some(inline) = &store.inline {
        if let crate::inline::Inline::Done(found) =
            inline.meeting_by_external_id(tenant_id, organizer_id, external_id)
        {
            return found;
        }
    }
    let row = sqlx::query(&format!(
        "{MEETING_COLUMNS} WHERE tenant_id = $1 AND organizer_id = $2 AND external_id = $3"
    ))
    .bind(id(tenant_id))
    .bind(id(organizer_id))
    .bind(external_id)
    .fetch_optional(&store.pool)
    .await
    .db()?;
    row.as_ref().map(stored_meeting).transpose()
}

pub(super) async fn find_meeting_by_join_web_url(
    store: &SqlStore,
    tenant_id: Uuid,
    join_web_url: &str,
) -> Result<Option<StoredMeeting>, StoreError> {
    meeting_where(
        store,
        "tenant_id = $1 AND join_web_url = $2",
        Some(tenant_id),
        join_web_url,
    )
    .await
}

pub(super) async fn find_meeting_by_join_meeting_id(
    store: &SqlStore,
    tenant_id: Uuid,
    join_meeting_id: &str,
) -> Result<Option<StoredMeeting>, StoreError> {
    meeting_where(
        store,
        "tenant_id = $1 AND join_meeting_id = $2",
        Some(tenant_id),
        join_meeting_id,
    )
    .await
}

pub(super) async fn list_organizer_meetings(
    store: &SqlStore,
    query: &graphmeet_core::store::OrganizerMeetingsQuery,
) -> Result<Vec<StoredMeeting>, StoreError> {
    store.organizer_meetings(query).await
}

pub(super) async fn find_meeting_by_thread_id(
    store: &SqlStore,
    thread_id: &str,
) -> Result<Option<StoredMeeting>, StoreError> {
    meeting_where(store, "thread_id = $1", None, thread_id).await
}

pub(super) async fn update_meeting(
    store: &SqlStore,
    meeting: &StoredMeeting,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE meetings SET document = $1, updated_at = $2, revision = revision + 1 \
         WHERE tenant_id = $3 AND id = $4",
    )
    .bind(&meeting.document)
    .bind(micros(meeting.updated_at))
    .bind(id(meeting.tenant_id))
    .bind(&meeting.id)
    .execute(&store.pool)
    .await
    .db()?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound("meeting"));
    }
    Ok(())
}

pub(super) async fn delete_meeting(
    store: &SqlStore,
    tenant_id: Uuid,
    meeting_id: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM meetings WHERE tenant_id = $1 AND id = $2")
        .bind(id(tenant_id))
        .bind(meeting_id)
        .execute(&store.pool)
        .await
        .db()?;
    Ok(done.rows_affected() > 0)
}

pub(super) async fn count_meetings(
    store: &SqlStore,
    tenant_id: Uuid,
    organizer_id: Option<Uuid>,
) -> Result<u64, StoreError> {
    let row = match organizer_id {
        Some(organizer) => sqlx::query(
            "SELECT COUNT(*) AS n FROM meetings WHERE tenant_id = $1 AND organizer_id = $2",
        )
        .bind(id(tenant_id))
        .bind(id(organizer))
        .fetch_one(&store.pool)
        .await
        .db()?,
        None => sqlx::query("SELECT COUNT(*) AS n FROM meetings WHERE tenant_id = $1")
            .bind(id(tenant_id))
            .fetch_one(&store.pool)
            .await
            .db()?,
    };
    let n: i64 = row.try_get("n").db()?;
    Ok(u64::try_from(n).unwrap_or(0))
}

pub(super) async fn count_meetings_created(
    store: &SqlStore,
    organizer_id: Uuid,
    since: DateTime<Utc>,
    before: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM meeting_creations \
         WHERE organizer_id = $1 AND created_at >= $2 AND created_at < $3",
    )
    .bind(id(organizer_id))
    .bind(micros(since))
    .bind(micros(before))
    .fetch_one(&store.pool)
    .await
    .db()?;
    let n: i64 = row.try_get("n").db()?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Every meeting is one `INSERT … ON CONFLICT DO NOTHING` (no arbiter: any unique key), so
/// a taken key skips its row without aborting the transaction; the skipped row is then
/// explained (the createOrGet meeting it found, or the key that is taken). A row failing
/// otherwise (its organizer or tenant is gone: a foreign key) aborts a PostgreSQL
/// transaction, so the transaction is rolled back and the batch replayed without that row;
/// that costs a second transaction only in that rare case. Any other error fails the batch.
pub(super) async fn insert_meetings(
    store: &SqlStore,
    batch: &[MeetingInsert],
) -> Result<Vec<Result<MeetingInserted, StoreError>>, StoreError> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    // A SQLite file: its own connection and thread (sqlite_writer.rs).
    if let Some(writer) = &store.batch_writer {
        let batch = batch.to_vec();
        return writer
            .run(move |conn| crate::sqlite_writer::insert_meetings(conn, &batch))
            .await;
    }
    let mut failed: Vec<Option<StoreError>> = batch.iter().map(|_| None).collect();
    let mut one_by_one = false;
    // On PostgreSQL, first one statement per chunk, each its own transaction: the meetings
    // whose keys are free, with their creations, in one round trip instead of four (`BEGIN`,
    // the two inserts, `COMMIT`). What it skips (a taken key) goes the way below, which finds
    // out why; a statement that fails (an unknown organizer) stored nothing, and the batch is
    // stored one by one, which names the meeting.
    let mut stored_first = std::collections::HashSet::new();
    if store.backend == Backend::Postgres {
        let meetings: Vec<&StoredMeeting> = batch.iter().map(MeetingInsert::meeting).collect();
        match insert_and_count_free_meetings(&store.pool, &meetings).await {
            Ok(stored) => stored_first = stored,
            Err(StoreError::NotFound(_) | StoreError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
        if stored_first.len() == batch.len() {
            return Ok(batch.iter().map(|_| Ok(MeetingInserted::Created)).collect());
        }
        // What is left had a key taken (or the statement failed): one by one.
        one_by_one = true;
    }
    loop {
        let mut tx = store.pool.begin().await.db()?;
        let mut done: Vec<(usize, Result<MeetingInserted, StoreError>)> = Vec::new();
        let mut broken = None;
        // One multi-row statement stores every meeting whose keys are free; only the
        // others take the one-by-one path that finds the meeting or the taken key.
        let pending: Vec<&StoredMeeting> = batch
            .iter()
            .zip(&failed)
            .filter(|(_, f)| f.is_none())
            .map(|(insert, _)| insert.meeting())
            .filter(|meeting| !stored_first.contains(meeting.id.as_str()))
            .collect();
        let stored = if one_by_one {
            std::collections::HashSet::new()
        } else {
            match insert_free_meetings(store.backend, &mut tx, &pending).await {
                Ok(stored) => stored,
                // A row the statement cannot skip (an unknown organizer): the statement
                // failed whole (and on PostgreSQL, the transaction), so the batch is
                // stored one by one, which names the failing meeting.
                Err(StoreError::NotFound(_) | StoreError::Conflict(_)) => {
                    tx.rollback().await.db()?;
                    one_by_one = true;
                    continue;
                }
                Err(e) => return Err(e),
            }
        };
        for (i, insert) in batch.iter().enumerate() {
            if failed[i].is_some() {
                continue;
            }
            if stored_first.contains(insert.meeting().id.as_str()) {
                // Committed already, with its creation.
                done.push((i, Ok(MeetingInserted::Created)));
                continue;
            }
            if stored.contains(insert.meeting().id.as_str()) {
                done.push((i, Ok(MeetingInserted::Created)));
                continue;
            }
            match insert_one_meeting(store.backend, &mut tx, insert).await {
                Ok(outcome) => done.push((i, outcome)),
                Err(e @ (StoreError::NotFound(_) | StoreError::Conflict(_))) => {
                    broken = Some((i, e));
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        match broken {
            Some((i, e)) => {
                tx.rollback().await.db()?;
                failed[i] = Some(e);
            }
            None => {
                let created: Vec<&StoredMeeting> = done
                    .iter()
                    .filter(|(_, outcome)| matches!(outcome, Ok(MeetingInserted::Created)))
                    .map(|(i, _)| batch[*i].meeting())
                    .filter(|meeting| !stored_first.contains(meeting.id.as_str()))
                    .collect();
                insert_creations(store.backend, &mut tx, &created).await?;
                tx.commit().await.db()?;
                let mut outcomes: Vec<Option<Result<MeetingInserted, StoreError>>> =
                    failed.into_iter().map(|f| f.map(Err)).collect();
                for (i, outcome) in done {
                    outcomes[i] = Some(outcome);
                }
                return outcomes
                    .into_iter()
                    .map(|o| {
                        o.ok_or_else(|| {
                            StoreError::Backend("a batched meeting was left out".to_owned())
                        })
                    })
                    .collect();
            }
        }
    }
}

pub(crate) const MEETING_COLUMNS: &str =
    "SELECT id, tenant_id, organizer_id, external_id, thread_id, \
     join_meeting_id, join_web_url, created_at, updated_at, document FROM meetings";

/// The head of an insert into `meetings`; its `VALUES` take 10 columns.
const INSERT_MEETING: &str = "INSERT INTO meetings (id, tenant_id, organizer_id, external_id, \
     thread_id, join_meeting_id, join_web_url, created_at, updated_at, document)";

pub(crate) fn stored_meeting(row: &AnyRow) -> Result<StoredMeeting, StoreError> {
    Ok(StoredMeeting {
        id: row.text("id")?,
        tenant_id: row.uuid("tenant_id")?,
        organizer_id: row.uuid("organizer_id")?,
        external_id: row.opt_text("external_id")?,
        thread_id: row.text("thread_id")?,
        join_meeting_id: row.text("join_meeting_id")?,
        join_web_url: row.text("join_web_url")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
        document: row.text("document")?,
    })
}

/// The meeting matching `filter`: `$1` is the tenant when `tenant_id` is given, then `key`.
pub(super) async fn meeting_where(
    store: &SqlStore,
    filter: &str,
    tenant_id: Option<Uuid>,
    key: &str,
) -> Result<Option<StoredMeeting>, StoreError> {
    if let Some(inline) = &store.inline {
        if let crate::inline::Inline::Done(found) = inline.meeting_where(filter, tenant_id, key) {
            return found;
        }
    }
    let sql = format!("{MEETING_COLUMNS} WHERE {filter}");
    let mut query = sqlx::query(&sql);
    if let Some(tenant_id) = tenant_id {
        query = query.bind(id(tenant_id));
    }
    let row = query.bind(key).fetch_optional(&store.pool).await.db()?;
    row.as_ref().map(stored_meeting).transpose()
}

/// Inserts `meetings` with multi-row statements, skipping those a unique key refuses; the ids
/// of those stored.
async fn insert_free_meetings(
    backend: Backend,
    tx: &mut Transaction<'_, Any>,
    meetings: &[&StoredMeeting],
) -> Result<std::collections::HashSet<String>, StoreError> {
    /// Rows per statement: 10 parameters each, far below either backend's limit.
    const ROWS: usize = 64;
    let mut stored = std::collections::HashSet::with_capacity(meetings.len());
    for chunk in meetings.chunks(ROWS) {
        let sql = format!(
            "{INSERT_MEETING} VALUES {} ON CONFLICT DO NOTHING RETURNING id",
            value_rows(backend, chunk.len(), 10)
        );
        let mut query = sqlx::query(&sql);
        for meeting in chunk {
            query = bind_meeting(query, meeting);
        }
        for row in query.fetch_all(&mut **tx).await.db()? {
            stored.insert(row.text("id")?);
        }
    }
    Ok(stored)
}

/// PostgreSQL: stores `meetings` whose keys are free and appends their creations, one
/// statement (and so one transaction) per chunk; the ids of those stored.
async fn insert_and_count_free_meetings(
    pool: &sqlx::AnyPool,
    meetings: &[&StoredMeeting],
) -> Result<std::collections::HashSet<String>, StoreError> {
    /// Rows per statement: 10 parameters each, far below PostgreSQL's limit.
    const ROWS: usize = 64;
    let mut stored = std::collections::HashSet::with_capacity(meetings.len());
    for chunk in meetings.chunks(ROWS) {
        let sql = format!(
            "WITH stored AS ({INSERT_MEETING} VALUES {} ON CONFLICT DO NOTHING \
             RETURNING id, tenant_id, organizer_id, created_at), \
             counted AS (INSERT INTO meeting_creations (tenant_id, organizer_id, created_at) \
             SELECT tenant_id, organizer_id, created_at FROM stored) \
             SELECT id FROM stored",
            value_rows(Backend::Postgres, chunk.len(), 10)
        );
        let mut query = sqlx::query(&sql);
        for meeting in chunk {
            query = bind_meeting(query, meeting);
        }
        for row in query.fetch_all(pool).await.db()? {
            stored.insert(row.text("id")?);
        }
    }
    Ok(stored)
}

/// Binds the 10 columns of [`INSERT_MEETING`] for `meeting`.
fn bind_meeting<'q>(
    query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    meeting: &'q StoredMeeting,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    query
        .bind(meeting.id.as_str())
        .bind(id(meeting.tenant_id))
        .bind(id(meeting.organizer_id))
        .bind(meeting.external_id.as_deref())
        .bind(meeting.thread_id.as_str())
        .bind(meeting.join_meeting_id.as_str())
        .bind(meeting.join_web_url.as_str())
        .bind(micros(meeting.created_at))
        .bind(micros(meeting.updated_at))
        .bind(meeting.document.as_str())
}

/// Appends the creations of meetings just stored, for the monthly quota, with multi-row
/// statements (migration 20250601000002: in the meetings' transaction, not by trigger).
async fn insert_creations(
    backend: Backend,
    tx: &mut Transaction<'_, Any>,
    meetings: &[&StoredMeeting],
) -> Result<(), StoreError> {
    /// Rows per statement: 3 parameters each.
    const ROWS: usize = 128;
    for chunk in meetings.chunks(ROWS) {
        let sql = format!(
            "INSERT INTO meeting_creations (tenant_id, organizer_id, created_at) VALUES {}",
            value_rows(backend, chunk.len(), 3)
        );
        let mut query = sqlx::query(&sql);
        for meeting in chunk {
            query = query
                .bind(id(meeting.tenant_id))
                .bind(id(meeting.organizer_id))
                .bind(micros(meeting.created_at));
        }
        query.execute(&mut **tx).await.db()?;
    }
    Ok(())
}

/// Inserts one meeting of a batch. The inner result is the row's outcome (a taken key is a
/// `Conflict`, and the transaction is still usable); the outer error is a failed statement,
/// after which the transaction may be aborted.
async fn insert_one_meeting(
    backend: Backend,
    tx: &mut Transaction<'_, Any>,
    insert: &MeetingInsert,
) -> Result<Result<MeetingInserted, StoreError>, StoreError> {
    let meeting = insert.meeting();
    let tenant = id(meeting.tenant_id);
    let inserted = sqlx::query(&format!(
        "{INSERT_MEETING} VALUES {} ON CONFLICT DO NOTHING",
        value_rows(backend, 1, 10)
    ))
    .bind(&meeting.id)
    .bind(&tenant)
    .bind(id(meeting.organizer_id))
    .bind(meeting.external_id.as_deref())
    .bind(&meeting.thread_id)
    .bind(&meeting.join_meeting_id)
    .bind(&meeting.join_web_url)
    .bind(micros(meeting.created_at))
    .bind(micros(meeting.updated_at))
    .bind(&meeting.document)
    .execute(&mut **tx)
    .await
    .db()?
    .rows_affected()
        == 1;
    if inserted {
        return Ok(Ok(MeetingInserted::Created));
    }
    // Skipped: some unique key is taken. For createOrGet, the meeting under its externalId is
    // the answer (on PostgreSQL the insert waited for a racing one to commit, and this new
    // statement sees it).
    if let (MeetingInsert::CreateOrGet(_), Some(external_id)) = (insert, &meeting.external_id) {
        let existing = sqlx::query(&format!(
            "{MEETING_COLUMNS} WHERE tenant_id = $1 AND organizer_id = $2 AND external_id = $3"
        ))
        .bind(&tenant)
        .bind(id(meeting.organizer_id))
        .bind(external_id)
        .fetch_optional(&mut **tx)
        .await
        .db()?;
        if let Some(row) = existing {
            return Ok(Ok(MeetingInserted::Existing(stored_meeting(&row)?)));
        }
    }
    // Which key is taken, in the words a unique violation would have had.
    let clash = sqlx::query(
        "SELECT id, thread_id, join_web_url, tenant_id, join_meeting_id, organizer_id, external_id \
         FROM meetings WHERE id = $1 OR thread_id = $2 OR join_web_url = $3 \
         OR (tenant_id = $4 AND join_meeting_id = $5) \
         OR (tenant_id = $4 AND organizer_id = $6 AND external_id = $7) LIMIT 1",
    )
    .bind(&meeting.id)
    .bind(&meeting.thread_id)
    .bind(&meeting.join_web_url)
    .bind(&tenant)
    .bind(&meeting.join_meeting_id)
    .bind(id(meeting.organizer_id))
    .bind(meeting.external_id.as_deref())
    .fetch_optional(&mut **tx)
    .await
    .db()?;
    let found = match &clash {
        Some(row) => Some(MeetingKeys {
            id: row.text("id")?,
            thread_id: row.text("thread_id")?,
            join_web_url: row.text("join_web_url")?,
            tenant_id: row.text("tenant_id")?,
            join_meeting_id: row.text("join_meeting_id")?,
        }),
        None => None,
    };
    Ok(Err(clash_conflict(meeting, &tenant, found)))
}

/// The unique keys of the stored row that was in the way of a skipped meeting insert.
pub(crate) struct MeetingKeys {
    pub(crate) id: String,
    pub(crate) thread_id: String,
    pub(crate) join_web_url: String,
    pub(crate) tenant_id: String,
    pub(crate) join_meeting_id: String,
}

/// Which of `meeting`'s unique keys the row `found` holds, as the conflict a unique violation
/// would have reported (both the sqlx path and the SQLite batch writer answer with it). No row:
/// the one in the way was deleted meanwhile, and the caller retries.
pub(crate) fn clash_conflict(
    meeting: &StoredMeeting,
    tenant: &str,
    found: Option<MeetingKeys>,
) -> StoreError {
    let column = match found {
        Some(row) if row.id == meeting.id => "meetings.id",
        Some(row) if row.thread_id == meeting.thread_id => "meetings.thread_id",
        Some(row) if row.join_web_url == meeting.join_web_url => "meetings.join_web_url",
        Some(row) if row.tenant_id == tenant && row.join_meeting_id == meeting.join_meeting_id => {
            "meetings.join_meeting_id"
        }
        Some(_) => "meetings.external_id",
        None => return StoreError::Conflict("a meeting key was taken, then freed".to_owned()),
    };
    StoreError::Conflict(crate::error::rule_text(column))
}

#[cfg(test)]
mod tests {
    use super::revision_of;
    use graphmeet_core::model::MeetingRevision;
    use graphmeet_core::StoreError;

    #[test]
    fn a_missing_document_is_unchanged_only_for_the_revision_named() {
        assert_eq!(
            revision_of(3, Some("{}".to_owned()), Some(2)).unwrap(),
            MeetingRevision::Changed {
                revision: 3,
                document: "{}".to_owned()
            }
        );
        assert_eq!(
            revision_of(3, None, Some(3)).unwrap(),
            MeetingRevision::Unchanged
        );
        for known in [None, Some(2)] {
            assert!(matches!(
                revision_of(3, None, known),
                Err(StoreError::Backend(_))
            ));
        }
    }
}
