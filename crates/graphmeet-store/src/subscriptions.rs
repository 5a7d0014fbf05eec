//! [`SubscriptionStore`] for [`SqlStore`]: change-notification subscriptions and the outbox of
//! their deliveries, one SQL for SQLite and PostgreSQL (tables in the `20250401000000`
//! migrations).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use graphmeet_core::subscriptions::{
    OutboxEntry, OutboxKind, OutboxState, ResourceKind, Subscription, SubscriptionStore,
};
use graphmeet_core::StoreError;
use sqlx::any::AnyRow;
use sqlx::Row;
use uuid::Uuid;

use crate::codec::{flag, id, micros, RowExt};
use crate::error::SqlxResultExt;
use crate::SqlStore;

const SUBSCRIPTION_COLUMNS: &str = "SELECT id, tenant_id, app_id, creator_id, resource, kind, \
     organizer_id, meeting_key, change_type, notification_url, lifecycle_notification_url, \
     client_state, expiration_at, include_resource_data, encryption_certificate, \
     encryption_certificate_id, latest_supported_tls_version, notification_url_app_id, \
     created_at, next_reauthorization_at FROM subscriptions";

const OUTBOX_COLUMNS: &str = "seq, id, subscription_id, tenant_id, kind, url, body, state, \
     attempts, created_at, due_at, give_up_at, finished_at, last_error";

fn bad(what: &str, value: &str) -> StoreError {
    StoreError::Backend(format!("unknown {what} '{value}' in the database"))
}

fn opt_uuid(row: &AnyRow, col: &str) -> Result<Option<Uuid>, StoreError> {
    row.opt_text(col)?
        .map(|t| Uuid::parse_str(&t).map_err(|_| bad("id", &t)))
        .transpose()
}

fn subscription(row: &AnyRow) -> Result<Subscription, StoreError> {
    let kind = row.text("kind")?;
    Ok(Subscription {
        id: row.uuid("id")?,
        tenant_id: row.uuid("tenant_id")?,
        app_id: row.uuid("app_id")?,
        creator_id: row.uuid("creator_id")?,
        resource: row.text("resource")?,
        kind: ResourceKind::parse(&kind).ok_or_else(|| bad("resource kind", &kind))?,
        organizer_id: opt_uuid(row, "organizer_id")?,
        meeting_key: row.opt_text("meeting_key")?,
        change_type: row.text("change_type")?,
        notification_url: row.text("notification_url")?,
        lifecycle_notification_url: row.opt_text("lifecycle_notification_url")?,
        client_state: row.opt_text("client_state")?,
        expiration: row.time("expiration_at")?,
        include_resource_data: row.flag("include_resource_data")?,
        encryption_certificate: row.opt_text("encryption_certificate")?,
        encryption_certificate_id: row.opt_text("encryption_certificate_id")?,
        latest_supported_tls_version: row.text("latest_supported_tls_version")?,
        notification_url_app_id: row.opt_text("notification_url_app_id")?,
        created_at: row.time("created_at")?,
        next_reauthorization_at: row.opt_time("next_reauthorization_at")?,
    })
}

fn outbox(row: &AnyRow) -> Result<OutboxEntry, StoreError> {
    let kind = row.text("kind")?;
    let state = row.text("state")?;
    Ok(OutboxEntry {
        seq: row.try_get::<i64, _>("seq").db()?,
        id: row.uuid("id")?,
        subscription_id: row.uuid("subscription_id")?,
        tenant_id: row.uuid("tenant_id")?,
        kind: OutboxKind::parse(&kind).ok_or_else(|| bad("outbox kind", &kind))?,
        url: row.text("url")?,
        body: row.text("body")?,
        state: OutboxState::parse(&state).ok_or_else(|| bad("outbox state", &state))?,
        attempts: u32::try_from(row.try_get::<i64, _>("attempts").db()?).unwrap_or(u32::MAX),
        created_at: row.time("created_at")?,
        due_at: row.time("due_at")?,
        give_up_at: row.time("give_up_at")?,
        finished_at: row.opt_time("finished_at")?,
        last_error: row.opt_text("last_error")?,
    })
}

fn opt_micros(t: Option<DateTime<Utc>>) -> Option<i64> {
    t.map(micros)
}

async fn insert_outbox<'e, E>(executor: E, e: &OutboxEntry) -> Result<(), StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO notification_outbox (id, subscription_id, tenant_id, kind, url, body, \
         state, attempts, created_at, due_at, give_up_at, lease_until, finished_at, last_error) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, NULL, NULL)",
    )
    .bind(id(e.id))
    .bind(id(e.subscription_id))
    .bind(id(e.tenant_id))
    .bind(e.kind.as_str())
    .bind(&e.url)
    .bind(&e.body)
    .bind(e.state.as_str())
    .bind(i64::from(e.attempts))
    .bind(micros(e.created_at))
    .bind(micros(e.due_at))
    .bind(micros(e.give_up_at))
    .execute(executor)
    .await
    .db()?;
    Ok(())
}

#[async_trait]
impl SubscriptionStore for SqlStore {
    async fn insert_subscription(&self, s: &Subscription) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO subscriptions (id, tenant_id, app_id, creator_id, resource, kind, \
             organizer_id, meeting_key, change_type, notification_url, \
             lifecycle_notification_url, client_state, expiration_at, include_resource_data, \
             encryption_certificate, encryption_certificate_id, latest_supported_tls_version, \
             notification_url_app_id, created_at, next_reauthorization_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
             $17, $18, $19, $20)",
        )
        .bind(id(s.id))
        .bind(id(s.tenant_id))
        .bind(id(s.app_id))
        .bind(id(s.creator_id))
        .bind(&s.resource)
        .bind(s.kind.as_str())
        .bind(s.organizer_id.map(id))
        .bind(s.meeting_key.as_deref())
        .bind(&s.change_type)
        .bind(&s.notification_url)
        .bind(s.lifecycle_notification_url.as_deref())
        .bind(s.client_state.as_deref())
        .bind(micros(s.expiration))
        .bind(flag(s.include_resource_data))
        .bind(s.encryption_certificate.as_deref())
        .bind(s.encryption_certificate_id.as_deref())
        .bind(&s.latest_supported_tls_version)
        .bind(s.notification_url_app_id.as_deref())
        .bind(micros(s.created_at))
        .bind(opt_micros(s.next_reauthorization_at))
        .execute(&self.pool)
        .await
        .db()?;
        Ok(())
    }

    async fn subscription(&self, sid: Uuid) -> Result<Option<Subscription>, StoreError> {
        sqlx::query(&format!("{SUBSCRIPTION_COLUMNS} WHERE id = $1"))
            .bind(id(sid))
            .fetch_optional(&self.pool)
            .await
            .db()?
            .as_ref()
            .map(subscription)
            .transpose()
    }

    async fn app_subscriptions(
        &self,
        tenant_id: Uuid,
        app_id: Uuid,
    ) -> Result<Vec<Subscription>, StoreError> {
        sqlx::query(&format!(
            "{SUBSCRIPTION_COLUMNS} WHERE tenant_id = $1 AND app_id = $2 \
             ORDER BY created_at, id"
        ))
        .bind(id(tenant_id))
        .bind(id(app_id))
        .fetch_all(&self.pool)
        .await
        .db()?
        .iter()
        .map(subscription)
        .collect()
    }

    async fn live_subscriptions(
        &self,
        tenant_id: Uuid,
        kind: ResourceKind,
        now: DateTime<Utc>,
    ) -> Result<Vec<Subscription>, StoreError> {
        sqlx::query(&format!(
            "{SUBSCRIPTION_COLUMNS} WHERE tenant_id = $1 AND kind = $2 AND expiration_at > $3 \
             ORDER BY created_at, id"
        ))
        .bind(id(tenant_id))
        .bind(kind.as_str())
        .bind(micros(now))
        .fetch_all(&self.pool)
        .await
        .db()?
        .iter()
        .map(subscription)
        .collect()
    }

    async fn update_subscription(
        &self,
        sid: Uuid,
        expiration: DateTime<Utc>,
        notification_url: &str,
        next_reauthorization_at: Option<DateTime<Utc>>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE subscriptions SET expiration_at = $1, notification_url = $2, \
             next_reauthorization_at = $3 WHERE id = $4",
        )
        .bind(micros(expiration))
        .bind(notification_url)
        .bind(opt_micros(next_reauthorization_at))
        .bind(id(sid))
        .execute(&self.pool)
        .await
        .db()?;
        Ok(done.rows_affected() > 0)
    }

    async fn delete_subscription(&self, sid: Uuid) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await.db()?;
        sqlx::query(
            "DELETE FROM notification_outbox WHERE subscription_id = $1 AND kind = 'change' \
             AND state = 'pending'",
        )
        .bind(id(sid))
        .execute(&mut *tx)
        .await
        .db()?;
        let done = sqlx::query("DELETE FROM subscriptions WHERE id = $1")
            .bind(id(sid))
            .execute(&mut *tx)
            .await
            .db()?;
        tx.commit().await.db()?;
        Ok(done.rows_affected() > 0)
    }

    async fn due_reauthorizations(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Subscription>, StoreError> {
        sqlx::query(&format!(
            "{SUBSCRIPTION_COLUMNS} WHERE next_reauthorization_at <= $1 AND expiration_at > $1 \
             ORDER BY next_reauthorization_at, id LIMIT $2"
        ))
        .bind(micros(now))
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .db()?
        .iter()
        .map(subscription)
        .collect()
    }

    async fn reauthorization_sent(
        &self,
        sid: Uuid,
        due: DateTime<Utc>,
        next: Option<DateTime<Utc>>,
        entry: &OutboxEntry,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await.db()?;
        // Compare and set: of two instances that saw the notice due, one queues it.
        let moved = sqlx::query(
            "UPDATE subscriptions SET next_reauthorization_at = $1 \
             WHERE id = $2 AND next_reauthorization_at = $3",
        )
        .bind(opt_micros(next))
        .bind(id(sid))
        .bind(micros(due))
        .execute(&mut *tx)
        .await
        .db()?;
        if moved.rows_affected() == 0 {
            tx.rollback().await.db()?;
            return Ok(false);
        }
        insert_outbox(&mut *tx, entry).await?;
        tx.commit().await.db()?;
        Ok(true)
    }

    async fn expired_subscriptions(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Subscription>, StoreError> {
        sqlx::query(&format!(
            "{SUBSCRIPTION_COLUMNS} WHERE expiration_at <= $1 ORDER BY expiration_at, id LIMIT $2"
        ))
        .bind(micros(now))
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .db()?
        .iter()
        .map(subscription)
        .collect()
    }

    async fn enqueue(&self, entries: &[OutboxEntry]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.db()?;
        for e in entries {
            insert_outbox(&mut *tx, e).await?;
        }
        tx.commit().await.db()?;
        Ok(())
    }

    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        wall_now: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        // The outer `lease_until < $2` is checked again on each row under its lock
        // (PostgreSQL re-evaluates it after a concurrent update), so two workers never both
        // claim one row.
        let mut rows = sqlx::query(&format!(
            "UPDATE notification_outbox SET lease_until = $1 \
             WHERE seq IN (SELECT seq FROM notification_outbox WHERE state = 'pending' \
             AND due_at <= $3 AND lease_until < $2 ORDER BY due_at, seq LIMIT $4) \
             AND state = 'pending' AND lease_until < $2 \
             RETURNING {OUTBOX_COLUMNS}"
        ))
        .bind(lease_until)
        .bind(wall_now)
        .bind(micros(now))
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .db()?
        .iter()
        .map(outbox)
        .collect::<Result<Vec<_>, _>>()?;
        rows.sort_by_key(|e| (e.due_at, e.seq));
        Ok(rows)
    }

    async fn mark_delivered(&self, seq: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE notification_outbox SET state = 'delivered', attempts = attempts + 1, \
             finished_at = $1, lease_until = 0 WHERE seq = $2",
        )
        .bind(micros(at))
        .bind(seq)
        .execute(&self.pool)
        .await
        .db()?;
        Ok(())
    }

    async fn mark_retry(
        &self,
        seq: i64,
        attempts: u32,
        due_at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE notification_outbox SET attempts = $1, due_at = $2, last_error = $3, \
             lease_until = 0 WHERE seq = $4",
        )
        .bind(i64::from(attempts))
        .bind(micros(due_at))
        .bind(error)
        .bind(seq)
        .execute(&self.pool)
        .await
        .db()?;
        Ok(())
    }

    async fn mark_dropped(
        &self,
        seq: i64,
        at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE notification_outbox SET state = 'dropped', finished_at = $1, \
             last_error = $2, lease_until = 0 WHERE seq = $3",
        )
        .bind(micros(at))
        .bind(error)
        .bind(seq)
        .execute(&self.pool)
        .await
        .db()?;
        Ok(())
    }

    async fn outbox_of(&self, subscription_id: Uuid) -> Result<Vec<OutboxEntry>, StoreError> {
        sqlx::query(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM notification_outbox WHERE subscription_id = $1 \
             ORDER BY seq"
        ))
        .bind(id(subscription_id))
        .fetch_all(&self.pool)
        .await
        .db()?
        .iter()
        .map(outbox)
        .collect()
    }
}
