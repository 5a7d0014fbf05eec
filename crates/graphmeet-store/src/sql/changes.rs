//! The directory change log (`directory_changes`, appended by triggers on every table the
//! directory index reads): what each instance's index catches up from, its bounds, and its
//! pruning.

use graphmeet_core::model::*;
use graphmeet_core::StoreError;
use sqlx::any::AnyRow;
use sqlx::Row;
use uuid::Uuid;

use crate::codec::RowExt;
use crate::error::SqlxResultExt;
use crate::SqlStore;

pub(super) async fn directory_changes(
    store: &SqlStore,
    after: i64,
    limit: u32,
) -> Result<Vec<DirectoryChange>, StoreError> {
    let rows = sqlx::query(
        "SELECT seq, tenant_id, entity, entity_key FROM directory_changes \
         WHERE seq > $1 ORDER BY seq LIMIT $2",
    )
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(&store.pool)
    .await
    .db()?;
    rows.iter().map(directory_change).collect()
}

pub(super) async fn directory_change_bounds(store: &SqlStore) -> Result<(i64, i64), StoreError> {
    let row = sqlx::query(
        "SELECT COALESCE(MIN(seq), 0) AS lo, COALESCE(MAX(seq), 0) AS hi FROM directory_changes",
    )
    .fetch_one(&store.pool)
    .await
    .db()?;
    Ok((row.try_get("lo").db()?, row.try_get("hi").db()?))
}

pub(super) async fn prune_directory_changes(
    store: &SqlStore,
    keep: i64,
) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "DELETE FROM directory_changes \
         WHERE seq <= (SELECT MAX(seq) FROM directory_changes) - $1",
    )
    .bind(keep.max(1))
    .execute(&store.pool)
    .await
    .db()?;
    Ok(done.rows_affected())
}

/// A change-log row; a kind or key this version cannot read becomes `Unknown`, which makes
/// the reader load everything again rather than miss a change.
fn directory_change(row: &AnyRow) -> Result<DirectoryChange, StoreError> {
    let seq: i64 = row.try_get("seq").db()?;
    let tenant = row
        .opt_text("tenant_id")?
        .and_then(|t| Uuid::parse_str(&t).ok());
    let key = row.text("entity_key")?;
    let key_id = Uuid::parse_str(&key).ok();
    let entity = match (row.text("entity")?.as_str(), tenant, key_id) {
        ("tenant", _, Some(t)) => ChangedEntity::Tenant(t),
        ("user", _, Some(u)) => ChangedEntity::User(u),
        ("member", _, Some(u)) => ChangedEntity::Memberships(u),
        ("app", _, Some(a)) => ChangedEntity::App(a),
        ("sp", Some(tenant_id), Some(app_id)) => {
            ChangedEntity::ServicePrincipal { tenant_id, app_id }
        }
        ("keys", _, _) => ChangedEntity::SigningKeys,
        ("policy", Some(t), _) => ChangedEntity::Policies(t),
        ("exchange_policy", Some(t), _) => ChangedEntity::ExchangePolicies(t),
        ("grant", Some(tenant_id), _) => {
            let assignee = match key.split_once(':') {
                Some(("global", _)) => Some(GrantTarget::Global),
                Some(("user", u)) => Uuid::parse_str(u).ok().map(GrantTarget::User),
                Some(("group", g)) => Uuid::parse_str(g)
                    .ok()
                    .map(|id| GrantTarget::Group { id, rank: 0 }),
                _ => None,
            };
            match assignee {
                Some(assignee) => ChangedEntity::Grants {
                    tenant_id,
                    assignee,
                },
                None => ChangedEntity::Unknown,
            }
        }
        _ => ChangedEntity::Unknown,
    };
    Ok(DirectoryChange { seq, entity })
}
