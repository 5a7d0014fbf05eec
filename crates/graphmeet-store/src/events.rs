//! Calendar events on SQLite and PostgreSQL: [`EventStore`] for [`SqlStore`], with the same
//! SQL on both (the migrations differ in type names only).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use graphmeet_core::events::{EventStore, StoredEvent};
use graphmeet_core::StoreError;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::codec::{id, micros, RowExt};
use crate::error::SqlxResultExt;
use crate::SqlStore;

const EVENT_COLUMNS: &str = "SELECT id, tenant_id, owner_id, ical_uid, start_at, end_at, \
     created_at, updated_at, meeting_id, document FROM events";

fn stored_event(row: &AnyRow) -> Result<StoredEvent, StoreError> {
    Ok(StoredEvent {
        id: row.text("id")?,
        tenant_id: row.uuid("tenant_id")?,
        owner_id: row.uuid("owner_id")?,
        ical_uid: row.text("ical_uid")?,
        start_at: row.time("start_at")?,
        end_at: row.time("end_at")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
        meeting_id: row.opt_text("meeting_id")?,
        document: row.text("document")?,
    })
}

#[async_trait]
impl EventStore for SqlStore {
    async fn insert_events(&self, events: &[StoredEvent]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.db()?;
        for e in events {
            sqlx::query(
                "INSERT INTO events (id, tenant_id, owner_id, ical_uid, start_at, end_at, \
                 created_at, updated_at, meeting_id, document) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&e.id)
            .bind(id(e.tenant_id))
            .bind(id(e.owner_id))
            .bind(&e.ical_uid)
            .bind(micros(e.start_at))
            .bind(micros(e.end_at))
            .bind(micros(e.created_at))
            .bind(micros(e.updated_at))
            .bind(e.meeting_id.as_deref())
            .bind(&e.document)
            .execute(&mut *tx)
            .await
            .db()?;
        }
        tx.commit().await.db()
    }

    async fn get_event(
        &self,
        owner: Uuid,
        event_id: &str,
    ) -> Result<Option<StoredEvent>, StoreError> {
        let row = sqlx::query(&format!("{EVENT_COLUMNS} WHERE owner_id = $1 AND id = $2"))
            .bind(id(owner))
            .bind(event_id)
            .fetch_optional(&self.pool)
            .await
            .db()?;
        row.as_ref().map(stored_event).transpose()
    }

    async fn list_events(&self, owner: Uuid) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(&format!(
            "{EVENT_COLUMNS} WHERE owner_id = $1 ORDER BY created_at, id"
        ))
        .bind(id(owner))
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.iter().map(stored_event).collect()
    }

    async fn list_events_between(
        &self,
        owner: Uuid,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        // Overlapping the window; an event of no duration at the window's start is in it.
        let rows = sqlx::query(&format!(
            "{EVENT_COLUMNS} WHERE owner_id = $1 AND start_at < $2 \
             AND (end_at > $3 OR (end_at = start_at AND start_at >= $3)) \
             ORDER BY start_at, created_at, id"
        ))
        .bind(id(owner))
        .bind(micros(end))
        .bind(micros(start))
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.iter().map(stored_event).collect()
    }

    async fn events_by_ical_uid(
        &self,
        tenant_id: Uuid,
        ical_uid: &str,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(&format!(
            "{EVENT_COLUMNS} WHERE tenant_id = $1 AND ical_uid = $2 ORDER BY created_at, id"
        ))
        .bind(id(tenant_id))
        .bind(ical_uid)
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.iter().map(stored_event).collect()
    }

    async fn update_events(&self, events: &[StoredEvent]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.db()?;
        for e in events {
            let done = sqlx::query(
                "UPDATE events SET start_at = $1, end_at = $2, updated_at = $3, \
                 meeting_id = $4, document = $5 WHERE owner_id = $6 AND id = $7",
            )
            .bind(micros(e.start_at))
            .bind(micros(e.end_at))
            .bind(micros(e.updated_at))
            .bind(e.meeting_id.as_deref())
            .bind(&e.document)
            .bind(id(e.owner_id))
            .bind(&e.id)
            .execute(&mut *tx)
            .await
            .db()?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound("event"));
            }
        }
        tx.commit().await.db()
    }

    async fn delete_events(&self, tenant_id: Uuid, ids: &[String]) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await.db()?;
        let mut n = 0;
        for event_id in ids {
            n += sqlx::query("DELETE FROM events WHERE tenant_id = $1 AND id = $2")
                .bind(id(tenant_id))
                .bind(event_id)
                .execute(&mut *tx)
                .await
                .db()?
                .rows_affected();
        }
        tx.commit().await.db()?;
        Ok(n)
    }
}
