//! Token signing keys (`signing_keys`: one live key, the retired ones kept for verification) and
//! the single-use ids of client assertions (`assertion_ids`, pruned as they expire).

use chrono::{DateTime, Utc};
use graphmeet_core::model::*;
use graphmeet_core::StoreError;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::codec::{id, micros, RowExt};
use crate::error::SqlxResultExt;
use crate::SqlStore;

pub(super) async fn rotate_signing_key(
    store: &SqlStore,
    key: &SigningKey,
) -> Result<(), StoreError> {
    let mut tx = store.pool.begin().await.db()?;
    sqlx::query("UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL")
        .bind(micros(key.created_at))
        .execute(&mut *tx)
        .await
        .db()?;
    sqlx::query(
        "INSERT INTO signing_keys (kid, private_pkcs8_der, cert_der, created_at, retired_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&key.kid)
    .bind(key.private_pkcs8_der.as_slice())
    .bind(key.cert_der.as_slice())
    .bind(micros(key.created_at))
    .bind(key.retired_at.map(micros))
    .execute(&mut *tx)
    .await
    .db()?;
    tx.commit().await.db()
}

pub(super) async fn replace_signing_key_private(
    store: &SqlStore,
    kid: &str,
    expected: &[u8],
    replacement: &[u8],
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE signing_keys SET private_pkcs8_der = $1 WHERE kid = $2 AND private_pkcs8_der = $3",
    )
    .bind(replacement)
    .bind(kid)
    .bind(expected)
    .execute(&store.pool)
    .await
    .db()?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn list_signing_keys(store: &SqlStore) -> Result<Vec<SigningKey>, StoreError> {
    let rows = sqlx::query(
        "SELECT kid, private_pkcs8_der, cert_der, created_at, retired_at \
         FROM signing_keys ORDER BY created_at DESC, kid DESC",
    )
    .fetch_all(&store.pool)
    .await
    .db()?;
    rows.iter().map(signing_key).collect()
}

pub(super) async fn record_assertion_id(
    store: &SqlStore,
    app_id: Uuid,
    jti: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let mut tx = store.pool.begin().await.db()?;
    sqlx::query("DELETE FROM assertion_ids WHERE expires_at <= $1")
        .bind(micros(now))
        .execute(&mut *tx)
        .await
        .db()?;
    // A row still there is an unexpired use of the same id: a replay. DO NOTHING rather
    // than a unique violation, which would abort the PostgreSQL transaction.
    let inserted = sqlx::query(
        "INSERT INTO assertion_ids (app_id, jti, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (app_id, jti) DO NOTHING",
    )
    .bind(id(app_id))
    .bind(jti)
    .bind(micros(expires_at))
    .execute(&mut *tx)
    .await
    .db()?;
    tx.commit().await.db()?;
    Ok(inserted.rows_affected() == 1)
}

fn signing_key(row: &AnyRow) -> Result<SigningKey, StoreError> {
    Ok(SigningKey {
        kid: row.text("kid")?,
        private_pkcs8_der: row.bytes("private_pkcs8_der")?,
        cert_der: row.bytes("cert_der")?,
        created_at: row.time("created_at")?,
        retired_at: row.opt_time("retired_at")?,
    })
}
