//! Tenants and their domains (`tenants`, `tenant_domains`): creation with every domain in one
//! transaction, reads by id and by domain, the list, and deletion (which cascades to everything
//! the tenant owns).

use graphmeet_core::model::*;
use graphmeet_core::StoreError;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::codec::{id, micros, ordinal, RowExt};
use crate::error::SqlxResultExt;
use crate::SqlStore;

pub(super) async fn create_tenant(store: &SqlStore, tenant: &Tenant) -> Result<(), StoreError> {
    let tenant_id = id(tenant.id);
    let mut tx = store.pool.begin().await.db()?;
    sqlx::query("INSERT INTO tenants (id, display_name, created_at) VALUES ($1, $2, $3)")
        .bind(&tenant_id)
        .bind(&tenant.display_name)
        .bind(micros(tenant.created_at))
        .execute(&mut *tx)
        .await
        .db()?;
    for (i, domain) in tenant.domains.iter().enumerate() {
        sqlx::query("INSERT INTO tenant_domains (domain, tenant_id, ordinal) VALUES ($1, $2, $3)")
            .bind(domain.to_lowercase())
            .bind(&tenant_id)
            .bind(ordinal(i))
            .execute(&mut *tx)
            .await
            .db()?;
    }
    tx.commit().await.db()
}

pub(super) async fn get_tenant(
    store: &SqlStore,
    tenant_id: Uuid,
) -> Result<Option<Tenant>, StoreError> {
    let sql = format!("{TENANT_COLUMNS} WHERE t.id = $1 ORDER BY d.ordinal");
    let rows = sqlx::query(&sql)
        .bind(id(tenant_id))
        .fetch_all(&store.pool)
        .await
        .db()?;
    Ok(tenants(&rows)?.into_iter().next())
}

pub(super) async fn find_tenant_by_domain(
    store: &SqlStore,
    domain: &str,
) -> Result<Option<Tenant>, StoreError> {
    let sql = format!(
        "{TENANT_COLUMNS} WHERE t.id = (SELECT tenant_id FROM tenant_domains WHERE domain = $1) \
         ORDER BY d.ordinal"
    );
    let rows = sqlx::query(&sql)
        .bind(domain.to_lowercase())
        .fetch_all(&store.pool)
        .await
        .db()?;
    Ok(tenants(&rows)?.into_iter().next())
}

pub(super) async fn list_tenants(store: &SqlStore) -> Result<Vec<Tenant>, StoreError> {
    let sql = format!("{TENANT_COLUMNS} ORDER BY t.created_at, t.id, d.ordinal");
    let rows = sqlx::query(&sql).fetch_all(&store.pool).await.db()?;
    tenants(&rows)
}

pub(super) async fn delete_tenant(store: &SqlStore, tenant_id: Uuid) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM tenants WHERE id = $1")
        .bind(id(tenant_id))
        .execute(&store.pool)
        .await
        .db()?;
    Ok(done.rows_affected() > 0)
}

const TENANT_COLUMNS: &str = "SELECT t.id, t.display_name, t.created_at, d.domain \
     FROM tenants t LEFT JOIN tenant_domains d ON d.tenant_id = t.id";

/// Tenants from rows of [`TENANT_COLUMNS`] ordered by tenant, then domain ordinal.
fn tenants(rows: &[AnyRow]) -> Result<Vec<Tenant>, StoreError> {
    let mut out: Vec<Tenant> = Vec::new();
    for row in rows {
        let tenant_id = row.uuid("id")?;
        let domain = row.opt_text("domain")?;
        match out.last_mut() {
            Some(last) if last.id == tenant_id => last.domains.extend(domain),
            _ => out.push(Tenant {
                id: tenant_id,
                display_name: row.text("display_name")?,
                domains: domain.into_iter().collect(),
                created_at: row.time("created_at")?,
            }),
        }
    }
    Ok(out)
}
