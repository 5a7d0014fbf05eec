//! Admin consent (`service_principals`, `service_principal_app_roles`): an app's service
//! principal in a tenant and the app roles granted to it, in the order they were granted.
//! Granting and revoking lock the service principal's row first, so concurrent changes number
//! the roles one after the other.

use chrono::{DateTime, Utc};
use graphmeet_core::model::*;
use graphmeet_core::StoreError;
use sqlx::any::Any;
use sqlx::Executor;
use uuid::Uuid;

use crate::codec::{id, micros, ordinal, RowExt};
use crate::error::SqlxResultExt;
use crate::SqlStore;

pub(super) async fn grant_consent(
    store: &SqlStore,
    tenant_id: Uuid,
    app_id: Uuid,
    new_id: Uuid,
    roles: &[String],
    now: DateTime<Utc>,
) -> Result<ServicePrincipal, StoreError> {
    let (tenant, app) = (id(tenant_id), id(app_id));
    // The first statement writes, so SQLite takes its write lock (waiting out the busy
    // timeout) before reading anything, and no snapshot goes stale under us.
    let mut tx = store.pool.begin().await.db()?;
    sqlx::query(
        "INSERT INTO service_principals (id, tenant_id, app_id, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (tenant_id, app_id) DO NOTHING",
    )
    .bind(id(new_id))
    .bind(&tenant)
    .bind(&app)
    .bind(micros(now))
    .execute(&mut *tx)
    .await
    .db()?;
    // Lock the service principal's row (PostgreSQL) until commit, so concurrent grants to
    // it run one after the other and number their roles consistently.
    sqlx::query("UPDATE service_principals SET created_at = created_at WHERE tenant_id = $1 AND app_id = $2")
        .bind(&tenant)
        .bind(&app)
        .execute(&mut *tx)
        .await
        .db()?;
    let mut sp = fetch_service_principal(&mut *tx, tenant_id, app_id)
        .await?
        .ok_or(StoreError::NotFound("service principal"))?;
    for role in roles {
        if sp.app_roles.contains(role) {
            continue;
        }
        sqlx::query(
            "INSERT INTO service_principal_app_roles (service_principal_id, role, ordinal) \
             VALUES ($1, $2, $3) ON CONFLICT (service_principal_id, role) DO NOTHING",
        )
        .bind(id(sp.id))
        .bind(role)
        .bind(ordinal(sp.app_roles.len()))
        .execute(&mut *tx)
        .await
        .db()?;
        sp.app_roles.push(role.clone());
    }
    tx.commit().await.db()?;
    Ok(sp)
}

pub(super) async fn get_service_principal(
    store: &SqlStore,
    tenant_id: Uuid,
    app_id: Uuid,
) -> Result<Option<ServicePrincipal>, StoreError> {
    fetch_service_principal(&store.pool, tenant_id, app_id).await
}

pub(super) async fn list_service_principals(
    store: &SqlStore,
    tenant_id: Uuid,
) -> Result<Vec<ServicePrincipal>, StoreError> {
    let sql = format!(
        "{SP_COLUMNS} WHERE sp.tenant_id = $1 ORDER BY sp.created_at, sp.id, r.ordinal, r.role"
    );
    let rows = sqlx::query(&sql)
        .bind(id(tenant_id))
        .fetch_all(&store.pool)
        .await
        .db()?;
    let mut out: Vec<ServicePrincipal> = Vec::new();
    for row in &rows {
        let sp_id = row.uuid("id")?;
        let role = row.opt_text("role")?;
        match out.last_mut() {
            Some(last) if last.id == sp_id => last.app_roles.extend(role),
            _ => out.push(ServicePrincipal {
                id: sp_id,
                tenant_id: row.uuid("tenant_id")?,
                app_id: row.uuid("app_id")?,
                app_roles: role.into_iter().collect(),
                created_at: row.time("created_at")?,
            }),
        }
    }
    Ok(out)
}

/// The remaining roles are numbered again from 0, so roles granted later follow them.
pub(super) async fn revoke_consent(
    store: &SqlStore,
    tenant_id: Uuid,
    app_id: Uuid,
    roles: &[String],
) -> Result<ServicePrincipal, StoreError> {
    let mut tx = store.pool.begin().await.db()?;
    // Written first: SQLite's write lock, PostgreSQL's row lock, as in grant_consent.
    sqlx::query(
        "UPDATE service_principals SET created_at = created_at \
         WHERE tenant_id = $1 AND app_id = $2",
    )
    .bind(id(tenant_id))
    .bind(id(app_id))
    .execute(&mut *tx)
    .await
    .db()?;
    let mut sp = fetch_service_principal(&mut *tx, tenant_id, app_id)
        .await?
        .ok_or(StoreError::NotFound("service principal"))?;
    sp.app_roles.retain(|r| !roles.contains(r));
    sqlx::query("DELETE FROM service_principal_app_roles WHERE service_principal_id = $1")
        .bind(id(sp.id))
        .execute(&mut *tx)
        .await
        .db()?;
    for (i, role) in sp.app_roles.iter().enumerate() {
        sqlx::query(
            "INSERT INTO service_principal_app_roles (service_principal_id, role, ordinal) \
             VALUES ($1, $2, $3)",
        )
        .bind(id(sp.id))
        .bind(role)
        .bind(ordinal(i))
        .execute(&mut *tx)
        .await
        .db()?;
    }
    tx.commit().await.db()?;
    Ok(sp)
}

const SP_COLUMNS: &str = "SELECT sp.id, sp.tenant_id, sp.app_id, sp.created_at, r.role \
     FROM service_principals sp \
     LEFT JOIN service_principal_app_roles r ON r.service_principal_id = sp.id";

/// The service principal of (tenant, app), with its roles in the order they were granted.
async fn fetch_service_principal<'e, E>(
    executor: E,
    tenant_id: Uuid,
    app_id: Uuid,
) -> Result<Option<ServicePrincipal>, StoreError>
where
    E: Executor<'e, Database = Any>,
{
    let sql = format!(
        "{SP_COLUMNS} WHERE sp.tenant_id = $1 AND sp.app_id = $2 ORDER BY r.ordinal, r.role"
    );
    let rows = sqlx::query(&sql)
        .bind(id(tenant_id))
        .bind(id(app_id))
        .fetch_all(executor)
        .await
        .db()?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let mut sp = ServicePrincipal {
        id: first.uuid("id")?,
        tenant_id: first.uuid("tenant_id")?,
        app_id: first.uuid("app_id")?,
        app_roles: Vec::with_capacity(rows.len()),
        created_at: first.time("created_at")?,
    };
    for row in &rows {
        sp.app_roles.extend(row.opt_text("role")?);
    }
    Ok(Some(sp))
}
