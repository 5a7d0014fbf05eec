//! The audit log (`audit_log`): the audit writer's batches (on a SQLite file, through the batch
//! writer, sqlite_writer.rs), the admin API's queries (only the filters given become
//! conditions) and purges.

use chrono::{DateTime, Utc};
use graphmeet_core::model::*;
use graphmeet_core::StoreError;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::*;
use crate::codec::{id, micros, RowExt};
use crate::error::SqlxResultExt;
use crate::SqlStore;

/// One multi-row `INSERT` per chunk of entries, all in one transaction.
pub(super) async fn append_audit_batch(
    store: &SqlStore,
    entries: &[AuditEntry],
) -> Result<(), StoreError> {
    /// Rows per statement: 8 parameters each, far below either backend's limit.
    const ROWS: usize = 64;
    if entries.is_empty() {
        return Ok(());
    }
    if let Some(writer) = &store.batch_writer {
        let entries = entries.to_vec();
        return writer
            .run(move |conn| crate::sqlite_writer::append_audit(conn, &entries))
            .await;
    }
    let mut tx = store.pool.begin().await.db()?;
    for chunk in entries.chunks(ROWS) {
        let sql = format!(
            "INSERT INTO audit_log (at, request_id, tenant_id, app_id, user_id, operation, decision, reason) \
             VALUES {}",
            value_rows(store.backend, chunk.len(), 8)
        );
        let mut query = sqlx::query(&sql);
        for entry in chunk {
            query = query
                .bind(micros(entry.at))
                .bind(&entry.request_id)
                .bind(entry.tenant_id.map(id))
                .bind(entry.app_id.map(id))
                .bind(entry.user_id.map(id))
                .bind(&entry.operation)
                .bind(entry.decision.as_str())
                .bind(&entry.reason);
        }
        query.execute(&mut *tx).await.db()?;
    }
    tx.commit().await.db()
}

pub(super) async fn query_audit(
    store: &SqlStore,
    query: &AuditQuery,
) -> Result<Vec<AuditEntry>, StoreError> {
    // Only the filters given become conditions; the values are always bound, never spliced.
    let mut conditions: Vec<String> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    let mut add = |column: &str, value: String, texts: &mut Vec<String>| {
        texts.push(value);
        conditions.push(format!("{column} = ${}", texts.len()));
    };
    if let Some(t) = query.tenant_id {
        add("tenant_id", id(t), &mut texts);
    }
    if let Some(a) = query.app_id {
        add("app_id", id(a), &mut texts);
    }
    if let Some(u) = query.user_id {
        add("user_id", id(u), &mut texts);
    }
    if let Some(d) = query.decision {
        add("decision", d.as_str().to_owned(), &mut texts);
    }
    let since_position = texts.len() + 1;
    if query.since.is_some() {
        conditions.push(format!("at >= ${since_position}"));
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    let limit = if query.limit == 0 {
        1000
    } else {
        query.limit.min(10_000)
    };
    let sql = format!(
        "SELECT at, request_id, tenant_id, app_id, user_id, operation, decision, reason FROM audit_log{filter} \
         ORDER BY at DESC, seq DESC LIMIT {limit}"
    );
    let mut q = sqlx::query(&sql);
    for text in &texts {
        q = q.bind(text.as_str());
    }
    if let Some(since) = query.since {
        q = q.bind(micros(since));
    }
    let rows = q.fetch_all(&store.pool).await.db()?;
    rows.iter().map(audit_entry).collect()
}

pub(super) async fn purge_audit(
    store: &SqlStore,
    before: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM audit_log WHERE at < $1")
        .bind(micros(before))
        .execute(&store.pool)
        .await
        .db()?;
    Ok(done.rows_affected())
}

fn audit_entry(row: &AnyRow) -> Result<AuditEntry, StoreError> {
    let opt_uuid = |col: &str| -> Result<Option<Uuid>, StoreError> {
        row.opt_text(col)?
            .map(|t| {
                Uuid::parse_str(&t).map_err(|e| {
                    StoreError::Backend(format!("column {col} holds {t:?}, not a UUID: {e}"))
                })
            })
            .transpose()
    };
    let decision = row.text("decision")?;
    Ok(AuditEntry {
        at: row.time("at")?,
        request_id: row.text("request_id")?,
        tenant_id: opt_uuid("tenant_id")?,
        app_id: opt_uuid("app_id")?,
        user_id: opt_uuid("user_id")?,
        operation: row.text("operation")?,
        decision: AuditDecision::parse(&decision)
            .ok_or_else(|| StoreError::Backend(format!("unknown audit decision {decision:?}")))?,
        reason: row.text("reason")?,
    })
}
