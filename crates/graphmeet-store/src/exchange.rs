//! Exchange Online application access policies on SQLite and PostgreSQL: the SQL behind the
//! `Store` methods of the same names (one table, `exchange_access_policies`, with history).

use chrono::{DateTime, Utc};
use graphmeet_core::policy::{ExchangeAccessRight, ExchangePolicy};
use graphmeet_core::StoreError;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::codec::{id, micros, RowExt};
use crate::error::SqlxResultExt;
use crate::SqlStore;

const COLUMNS: &str = "SELECT id, tenant_id, app_id, scope_group_id, scope_name, access_right, \
     description, created_at, removed_at FROM exchange_access_policies";

fn policy(row: &AnyRow) -> Result<ExchangePolicy, StoreError> {
    let app = row.text("app_id")?;
    let right = row.text("access_right")?;
    Ok(ExchangePolicy {
        id: row.uuid("id")?,
        tenant_id: row.uuid("tenant_id")?,
        app_id: if app == "*" {
            None
        } else {
            Some(Uuid::parse_str(&app).map_err(|e| {
                StoreError::Backend(format!("exchange_access_policies.app_id {app:?}: {e}"))
            })?)
        },
        scope_group_id: row.uuid("scope_group_id")?,
        scope_name: row.text("scope_name")?,
        access_right: ExchangeAccessRight::parse(&right).ok_or_else(|| {
            StoreError::Backend(format!("exchange_access_policies.access_right {right:?}"))
        })?,
        description: row.text("description")?,
        created_at: row.time("created_at")?,
        removed_at: row.opt_time("removed_at")?,
    })
}

impl SqlStore {
    pub(crate) async fn insert_exchange_policies(
        &self,
        policies: &[ExchangePolicy],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.db()?;
        for p in policies {
            sqlx::query(
                "INSERT INTO exchange_access_policies (id, tenant_id, app_id, scope_group_id, \
                 scope_name, access_right, description, created_at, removed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)",
            )
            .bind(id(p.id))
            .bind(id(p.tenant_id))
            .bind(p.app_text())
            .bind(id(p.scope_group_id))
            .bind(&p.scope_name)
            .bind(p.access_right.as_str())
            .bind(&p.description)
            .bind(micros(p.created_at))
            .execute(&mut *tx)
            .await
            .db()?;
        }
        tx.commit().await.db()
    }

    pub(crate) async fn select_exchange_policies(
        &self,
        tenant_id: Uuid,
    ) -> Result<Vec<ExchangePolicy>, StoreError> {
        let rows = sqlx::query(&format!(
            "{COLUMNS} WHERE tenant_id = $1 ORDER BY created_at, id"
        ))
        .bind(id(tenant_id))
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.iter().map(policy).collect()
    }

    pub(crate) async fn describe_exchange_policy(
        &self,
        tenant_id: Uuid,
        policy_id: Uuid,
        description: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE exchange_access_policies SET description = $1 \
             WHERE tenant_id = $2 AND id = $3 AND removed_at IS NULL",
        )
        .bind(description)
        .bind(id(tenant_id))
        .bind(id(policy_id))
        .execute(&self.pool)
        .await
        .db()?;
        Ok(done.rows_affected() > 0)
    }

    pub(crate) async fn end_exchange_policy(
        &self,
        tenant_id: Uuid,
        policy_id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE exchange_access_policies SET removed_at = $1 \
             WHERE tenant_id = $2 AND id = $3 AND removed_at IS NULL",
        )
        .bind(micros(at))
        .bind(id(tenant_id))
        .bind(id(policy_id))
        .execute(&self.pool)
        .await
        .db()?;
        Ok(done.rows_affected() > 0)
    }
}
