//! Application access policies and the apps they list (`access_policies`,
//! `access_policy_apps`); their grants are grants.rs.
//!
//! Nothing is deleted: removals and revocations set an end time, and the rows without one are
//! "live". Concurrency: a method that changes a policy first locks the policy's row (a no-op
//! UPDATE), so changes to one policy, and grants of a policy racing its removal, run one after
//! the other. On SQLite, the first statement of each of these transactions writes, which takes
//! the database's write lock before anything is read.

use chrono::{DateTime, Utc};
use graphmeet_core::model::*;
use graphmeet_core::StoreError;
use sqlx::any::{Any, AnyRow};
use sqlx::{Executor, Transaction};
use uuid::Uuid;

use crate::codec::{id, micros, RowExt};
use crate::error::SqlxResultExt;
use crate::SqlStore;

pub(super) async fn create_policy(
    store: &SqlStore,
    policy: &AccessPolicy,
) -> Result<(), StoreError> {
    let policy_id = id(policy.id);
    let mut tx = store.pool.begin().await.db()?;
    sqlx::query(
        "INSERT INTO access_policies \
         (id, tenant_id, name, name_lower, description, created_at, removed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, NULL)",
    )
    .bind(&policy_id)
    .bind(id(policy.tenant_id))
    .bind(&policy.name)
    .bind(policy.name.to_lowercase())
    .bind(&policy.description)
    .bind(micros(policy.created_at))
    .execute(&mut *tx)
    .await
    .db()?;
    // Listed from the policy's creation, whatever times `apps` carries; an app given twice
    // is listed once.
    for app in &policy.apps {
        list_app(&mut tx, &policy_id, app.app_id, policy.created_at).await?;
    }
    tx.commit().await.db()
}

pub(super) async fn get_policy(
    store: &SqlStore,
    tenant_id: Uuid,
    name: &str,
) -> Result<Option<AccessPolicy>, StoreError> {
    let found = fetch_policies(
        &store.pool,
        "p.tenant_id = $1 AND p.name_lower = $2 AND p.removed_at IS NULL",
        &[id(tenant_id), name.to_lowercase()],
    )
    .await?;
    Ok(found.into_iter().next())
}

pub(super) async fn list_policies(
    store: &SqlStore,
    tenant_id: Uuid,
) -> Result<Vec<AccessPolicy>, StoreError> {
    fetch_policies(&store.pool, "p.tenant_id = $1", &[id(tenant_id)]).await
}

/// Removals first, then additions; an app in both lists ends up unlisted (and gets no
/// zero-length listing).
pub(super) async fn change_policy_apps(
    store: &SqlStore,
    tenant_id: Uuid,
    name: &str,
    add: &[Uuid],
    remove: &[Uuid],
    at: DateTime<Utc>,
) -> Result<AccessPolicy, StoreError> {
    let mut tx = store.pool.begin().await.db()?;
    let policy_id = lock_live_policy(&mut tx, tenant_id, name).await?;
    for app_id in remove {
        sqlx::query(
            "UPDATE access_policy_apps SET removed_at = $1 \
             WHERE policy_id = $2 AND app_id = $3 AND removed_at IS NULL",
        )
        .bind(micros(at))
        .bind(&policy_id)
        .bind(id(*app_id))
        .execute(&mut *tx)
        .await
        .db()?;
    }
    for app_id in add.iter().filter(|a| !remove.contains(a)) {
        list_app(&mut tx, &policy_id, *app_id, at).await?;
    }
    let policy = fetch_policies(&mut *tx, "p.id = $1", &[policy_id])
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound("policy"))?;
    tx.commit().await.db()?;
    Ok(policy)
}

pub(super) async fn set_policy_description(
    store: &SqlStore,
    tenant_id: Uuid,
    name: &str,
    description: &str,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE access_policies SET description = $1 \
         WHERE tenant_id = $2 AND name_lower = $3 AND removed_at IS NULL",
    )
    .bind(description)
    .bind(id(tenant_id))
    .bind(name.to_lowercase())
    .execute(&store.pool)
    .await
    .db()?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound("policy"));
    }
    Ok(())
}

/// Also unlists the policy's apps at `at`, so a removed policy lists nothing now and its
/// history still shows what it listed until then.
pub(super) async fn remove_policy(
    store: &SqlStore,
    tenant_id: Uuid,
    name: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut tx = store.pool.begin().await.db()?;
    let row = sqlx::query(
        "UPDATE access_policies SET removed_at = $1 \
         WHERE tenant_id = $2 AND name_lower = $3 AND removed_at IS NULL RETURNING id",
    )
    .bind(micros(at))
    .bind(id(tenant_id))
    .bind(name.to_lowercase())
    .fetch_optional(&mut *tx)
    .await
    .db()?;
    let policy_id = row.ok_or(StoreError::NotFound("policy"))?.text("id")?;
    for table_and_end in [
        "access_policy_grants SET revoked_at = $1 WHERE policy_id = $2 AND revoked_at IS NULL",
        "access_policy_apps SET removed_at = $1 WHERE policy_id = $2 AND removed_at IS NULL",
    ] {
        sqlx::query(&format!("UPDATE {table_and_end}"))
            .bind(micros(at))
            .bind(&policy_id)
            .execute(&mut *tx)
            .await
            .db()?;
    }
    tx.commit().await.db()
}

const POLICY_COLUMNS: &str =
    "SELECT p.id, p.tenant_id, p.name, p.description, p.created_at, p.removed_at, \
     a.app_id, a.added_at, a.removed_at AS app_removed_at \
     FROM access_policies p LEFT JOIN access_policy_apps a ON a.policy_id = p.id";

/// The policies matching `filter` (over `p`, binding `args` as `$1`…), oldest first, each with
/// its app history, oldest first.
async fn fetch_policies<'e, E>(
    executor: E,
    filter: &str,
    args: &[String],
) -> Result<Vec<AccessPolicy>, StoreError>
where
    E: Executor<'e, Database = Any>,
{
    let sql =
        format!("{POLICY_COLUMNS} WHERE {filter} ORDER BY p.created_at, p.id, a.added_at, a.seq");
    let mut query = sqlx::query(&sql);
    for arg in args {
        query = query.bind(arg.as_str());
    }
    let rows = query.fetch_all(executor).await.db()?;
    policies(&rows)
}

/// Policies from rows of [`POLICY_COLUMNS`] ordered by policy.
fn policies(rows: &[AnyRow]) -> Result<Vec<AccessPolicy>, StoreError> {
    let mut out: Vec<AccessPolicy> = Vec::new();
    for row in rows {
        let policy_id = row.uuid("id")?;
        let app = match row.opt_text("app_id")? {
            None => None,
            Some(_) => Some(PolicyApp {
                app_id: row.uuid("app_id")?,
                added_at: row.time("added_at")?,
                removed_at: row.opt_time("app_removed_at")?,
            }),
        };
        match out.last_mut() {
            Some(last) if last.id == policy_id => last.apps.extend(app),
            _ => out.push(AccessPolicy {
                id: policy_id,
                tenant_id: row.uuid("tenant_id")?,
                name: row.text("name")?,
                description: row.text("description")?,
                created_at: row.time("created_at")?,
                removed_at: row.opt_time("removed_at")?,
                apps: app.into_iter().collect(),
            }),
        }
    }
    Ok(out)
}

/// Lists `app_id` on the policy from `at`, unless it is listed already.
async fn list_app(
    tx: &mut Transaction<'_, Any>,
    policy_id: &str,
    app_id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO access_policy_apps (policy_id, app_id, added_at, removed_at) \
         VALUES ($1, $2, $3, NULL) \
         ON CONFLICT (policy_id, app_id) WHERE removed_at IS NULL DO NOTHING",
    )
    .bind(policy_id)
    .bind(id(app_id))
    .bind(micros(at))
    .execute(&mut **tx)
    .await
    .db()?;
    Ok(())
}

/// Locks the live policy `name` of the tenant until the transaction ends; returns its id.
async fn lock_live_policy(
    tx: &mut Transaction<'_, Any>,
    tenant_id: Uuid,
    name: &str,
) -> Result<String, StoreError> {
    let row = sqlx::query(
        "UPDATE access_policies SET name = name \
         WHERE tenant_id = $1 AND name_lower = $2 AND removed_at IS NULL RETURNING id",
    )
    .bind(id(tenant_id))
    .bind(name.to_lowercase())
    .fetch_optional(&mut **tx)
    .await
    .db()?;
    row.ok_or(StoreError::NotFound("policy"))?.text("id")
}
