//! Security groups and their members (`security_groups`, `group_members`): one or many at once,
//! memberships one or 256 per statement, the reads the directory index and the admin API make,
//! and deletion together with the group's policy grants (grants.rs).

use futures_util::TryStreamExt;
use graphmeet_core::model::*;
use graphmeet_core::StoreError;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::grants::delete_grant_target;
use super::users::user;
use super::*;
use crate::codec::{id, micros, RowExt};
use crate::error::SqlxResultExt;
use crate::SqlStore;

pub(super) async fn create_group(store: &SqlStore, group: &Group) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO security_groups (id, tenant_id, display_name, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id(group.id))
    .bind(id(group.tenant_id))
    .bind(&group.display_name)
    .bind(micros(group.created_at))
    .execute(&store.pool)
    .await
    .db()?;
    Ok(())
}

pub(super) async fn create_groups(store: &SqlStore, groups: &[Group]) -> Result<(), StoreError> {
    let mut tx = store.pool.begin().await.db()?;
    for group in groups {
        sqlx::query(
            "INSERT INTO security_groups (id, tenant_id, display_name, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id(group.id))
        .bind(id(group.tenant_id))
        .bind(&group.display_name)
        .bind(micros(group.created_at))
        .execute(&mut *tx)
        .await
        .db()?;
    }
    tx.commit().await.db()
}

pub(super) async fn get_group(
    store: &SqlStore,
    group_id: Uuid,
) -> Result<Option<Group>, StoreError> {
    let row = sqlx::query(
        "SELECT id, tenant_id, display_name, created_at FROM security_groups WHERE id = $1",
    )
    .bind(id(group_id))
    .fetch_optional(&store.pool)
    .await
    .db()?;
    row.as_ref().map(group).transpose()
}

pub(super) async fn add_group_member(
    store: &SqlStore,
    group_id: Uuid,
    user_id: Uuid,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) \
         ON CONFLICT (group_id, user_id) DO NOTHING",
    )
    .bind(id(group_id))
    .bind(id(user_id))
    .execute(&store.pool)
    .await
    .db()?;
    Ok(())
}

pub(super) async fn add_group_members(
    store: &SqlStore,
    members: &[(Uuid, Uuid)],
) -> Result<(), StoreError> {
    /// Rows per statement: 2 parameters each. A statement per membership was a round
    /// trip to the database per row (100,000 of them in a large seed).
    const ROWS: usize = 256;
    let mut tx = store.pool.begin().await.db()?;
    for chunk in members.chunks(ROWS) {
        let sql = format!(
            "INSERT INTO group_members (group_id, user_id) VALUES {} \
             ON CONFLICT (group_id, user_id) DO NOTHING",
            value_rows(store.backend, chunk.len(), 2)
        );
        let mut query = sqlx::query(&sql);
        for (group_id, user_id) in chunk {
            query = query.bind(id(*group_id)).bind(id(*user_id));
        }
        query.execute(&mut *tx).await.db()?;
    }
    tx.commit().await.db()
}

pub(super) async fn remove_group_member(
    store: &SqlStore,
    group_id: Uuid,
    user_id: Uuid,
) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM group_members WHERE group_id = $1 AND user_id = $2")
        .bind(id(group_id))
        .bind(id(user_id))
        .execute(&store.pool)
        .await
        .db()?;
    Ok(done.rows_affected() > 0)
}

pub(super) async fn groups_of_user(
    store: &SqlStore,
    user_id: Uuid,
) -> Result<Vec<Group>, StoreError> {
    let rows = sqlx::query(
        "SELECT g.id, g.tenant_id, g.display_name, g.created_at \
         FROM security_groups g JOIN group_members m ON m.group_id = g.id \
         WHERE m.user_id = $1 ORDER BY g.created_at, g.id",
    )
    .bind(id(user_id))
    .fetch_all(&store.pool)
    .await
    .db()?;
    rows.iter().map(group).collect()
}

pub(super) async fn list_groups(
    store: &SqlStore,
    tenant_id: Uuid,
) -> Result<Vec<Group>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, tenant_id, display_name, created_at FROM security_groups \
         WHERE tenant_id = $1 ORDER BY created_at, id",
    )
    .bind(id(tenant_id))
    .fetch_all(&store.pool)
    .await
    .db()?;
    rows.iter().map(group).collect()
}

pub(super) async fn list_group_members(
    store: &SqlStore,
    group_id: Uuid,
) -> Result<Vec<User>, StoreError> {
    let rows = sqlx::query(
        "SELECT u.id, u.tenant_id, u.upn, u.display_name, u.password_hash, u.created_at, \
         u.account_enabled, u.user_type, u.teams_license, u.audio_conferencing, u.mail \
         FROM users u JOIN group_members m ON m.user_id = u.id \
         WHERE m.group_id = $1 ORDER BY u.created_at, u.id",
    )
    .bind(id(group_id))
    .fetch_all(&store.pool)
    .await
    .db()?;
    rows.iter().map(user).collect()
}

pub(super) async fn list_memberships(
    store: &SqlStore,
    tenant_id: Uuid,
) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
    let mut rows = sqlx::query(
        "SELECT m.group_id, m.user_id FROM group_members m \
         JOIN security_groups g ON g.id = m.group_id WHERE g.tenant_id = $1",
    )
    .bind(id(tenant_id))
    .fetch(&store.pool);
    let mut out = Vec::new();
    while let Some(r) = rows.try_next().await.db()? {
        out.push((r.uuid("group_id")?, r.uuid("user_id")?));
    }
    Ok(out)
}

pub(super) async fn delete_group(store: &SqlStore, group_id: Uuid) -> Result<bool, StoreError> {
    delete_grant_target(store, "security_groups", "group", group_id).await
}

fn group(row: &AnyRow) -> Result<Group, StoreError> {
    Ok(Group {
        id: row.uuid("id")?,
        tenant_id: row.uuid("tenant_id")?,
        display_name: row.text("display_name")?,
        created_at: row.time("created_at")?,
    })
}
