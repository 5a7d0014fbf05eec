//! Users (`users`): one or many at once (a seed's thousands go in multi-row statements), the
//! account state an update changes, reads by id, UPN and tenant, and deletion together with the
//! user's policy grants (grants.rs).

use futures_util::TryStreamExt;
use graphmeet_core::model::*;
use graphmeet_core::StoreError;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::grants::delete_grant_target;
use super::*;
use crate::codec::{flag, id, micros, RowExt};
use crate::error::SqlxResultExt;
use crate::SqlStore;

pub(super) async fn create_user(store: &SqlStore, user: &User) -> Result<(), StoreError> {
    let sql = format!(
        "{USER_INSERT} VALUES {}",
        value_rows(store.backend, 1, USER_INSERT_COLUMNS)
    );
    bind_user(sqlx::query(&sql), user)
        .execute(&store.pool)
        .await
        .db()?;
    Ok(())
}

pub(super) async fn create_users(store: &SqlStore, users: &[User]) -> Result<(), StoreError> {
    let mut tx = store.pool.begin().await.db()?;
    // Multi-row inserts: a few hundred rows per statement stays far below both backends'
    // limits on bound parameters.
    for chunk in users.chunks(USERS_PER_INSERT) {
        let sql = format!(
            "{USER_INSERT} VALUES {}",
            value_rows(store.backend, chunk.len(), USER_INSERT_COLUMNS)
        );
        let mut query = sqlx::query(&sql);
        for user in chunk {
            query = bind_user(query, user);
        }
        query.execute(&mut *tx).await.db()?;
    }
    tx.commit().await.db()
}

pub(super) async fn update_user(store: &SqlStore, user: &User) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE users SET display_name = $1, account_enabled = $2, user_type = $3, \
         teams_license = $4, audio_conferencing = $5, mail = $6 WHERE id = $7",
    )
    .bind(user.display_name.clone())
    .bind(flag(user.account.enabled))
    .bind(user.account.user_type.as_str())
    .bind(flag(user.account.teams_license))
    .bind(flag(user.account.audio_conferencing))
    .bind(user.account.mail.clone())
    .bind(id(user.id))
    .execute(&store.pool)
    .await
    .db()?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn get_user(store: &SqlStore, user_id: Uuid) -> Result<Option<User>, StoreError> {
    let sql = format!("{USER_COLUMNS} WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id(user_id))
        .fetch_optional(&store.pool)
        .await
        .db()?;
    row.as_ref().map(user).transpose()
}

pub(super) async fn find_user_by_upn(
    store: &SqlStore,
    upn: &str,
) -> Result<Option<User>, StoreError> {
    let sql = format!("{USER_COLUMNS} WHERE upn_lower = $1");
    let row = sqlx::query(&sql)
        .bind(upn.to_lowercase())
        .fetch_optional(&store.pool)
        .await
        .db()?;
    row.as_ref().map(user).transpose()
}

pub(super) async fn list_users(store: &SqlStore, tenant_id: Uuid) -> Result<Vec<User>, StoreError> {
    let sql = format!("{USER_COLUMNS} WHERE tenant_id = $1 ORDER BY created_at, id");
    // Streamed: a tenant of 100,000 users is read without holding every row at once.
    let mut rows = sqlx::query(&sql).bind(id(tenant_id)).fetch(&store.pool);
    let mut out = Vec::new();
    while let Some(row) = rows.try_next().await.db()? {
        out.push(user(&row)?);
    }
    Ok(out)
}

pub(super) async fn delete_user(store: &SqlStore, user_id: Uuid) -> Result<bool, StoreError> {
    delete_grant_target(store, "users", "user", user_id).await
}

const USER_COLUMNS: &str = "SELECT id, tenant_id, upn, display_name, password_hash, created_at, \
     account_enabled, user_type, teams_license, audio_conferencing, mail FROM users";

/// The columns an insert into `users` writes, in [`bind_user`]'s order.
const USER_INSERT: &str = "INSERT INTO users (id, tenant_id, upn, upn_lower, display_name, \
     password_hash, created_at, account_enabled, user_type, teams_license, audio_conferencing, mail)";

const USER_INSERT_COLUMNS: usize = 12;

/// Rows per multi-row `INSERT INTO users`.
const USERS_PER_INSERT: usize = 100;

pub(super) fn user(row: &AnyRow) -> Result<User, StoreError> {
    Ok(User {
        id: row.uuid("id")?,
        tenant_id: row.uuid("tenant_id")?,
        upn: row.text("upn")?,
        display_name: row.text("display_name")?,
        password_hash: row.opt_text("password_hash")?,
        created_at: row.time("created_at")?,
        account: Account {
            enabled: row.flag("account_enabled")?,
            user_type: UserType::parse(&row.text("user_type")?).ok_or_else(|| {
                StoreError::Backend("users.user_type holds an unknown type".to_owned())
            })?,
            teams_license: row.flag("teams_license")?,
            audio_conferencing: row.flag("audio_conferencing")?,
            mail: row.opt_text("mail")?,
        },
    })
}

/// Binds a user's values for [`USER_INSERT`].
fn bind_user<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    user: &User,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    query
        .bind(id(user.id))
        .bind(id(user.tenant_id))
        .bind(user.upn.clone())
        .bind(user.upn.to_lowercase())
        .bind(user.display_name.clone())
        .bind(user.password_hash.clone())
        .bind(micros(user.created_at))
        .bind(flag(user.account.enabled))
        .bind(user.account.user_type.as_str())
        .bind(flag(user.account.teams_license))
        .bind(flag(user.account.audio_conferencing))
        .bind(user.account.mail.clone())
}
