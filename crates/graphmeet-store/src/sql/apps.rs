//! App registrations and their credentials (`apps`, `secrets`, `certificates`): each created,
//! read, listed and deleted on its own. Certificate thumbprints are stored upper-case.

use graphmeet_core::model::*;
use graphmeet_core::StoreError;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::codec::{flag, id, micros, RowExt};
use crate::error::SqlxResultExt;
use crate::SqlStore;

pub(super) async fn create_app(store: &SqlStore, app: &App) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO apps (app_id, object_id, home_tenant_id, display_name, multi_tenant, \
         allow_public_client, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id(app.app_id))
    .bind(id(app.object_id))
    .bind(id(app.home_tenant_id))
    .bind(&app.display_name)
    .bind(flag(app.multi_tenant))
    .bind(flag(app.allow_public_client))
    .bind(micros(app.created_at))
    .execute(&store.pool)
    .await
    .db()?;
    Ok(())
}

pub(super) async fn get_app(store: &SqlStore, app_id: Uuid) -> Result<Option<App>, StoreError> {
    let sql = format!("{APP_COLUMNS} WHERE app_id = $1");
    let row = sqlx::query(&sql)
        .bind(id(app_id))
        .fetch_optional(&store.pool)
        .await
        .db()?;
    row.as_ref().map(app).transpose()
}

pub(super) async fn list_apps(store: &SqlStore) -> Result<Vec<App>, StoreError> {
    let sql = format!("{APP_COLUMNS} ORDER BY created_at, app_id");
    let rows = sqlx::query(&sql).fetch_all(&store.pool).await.db()?;
    rows.iter().map(app).collect()
}

pub(super) async fn update_app(store: &SqlStore, app: &App) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE apps SET display_name = $1, multi_tenant = $2, allow_public_client = $3 \
         WHERE app_id = $4",
    )
    .bind(&app.display_name)
    .bind(flag(app.multi_tenant))
    .bind(flag(app.allow_public_client))
    .bind(id(app.app_id))
    .execute(&store.pool)
    .await
    .db()?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound("app"));
    }
    Ok(())
}

pub(super) async fn delete_app(store: &SqlStore, app_id: Uuid) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM apps WHERE app_id = $1")
        .bind(id(app_id))
        .execute(&store.pool)
        .await
        .db()?;
    Ok(done.rows_affected() > 0)
}

pub(super) async fn add_secret(
    store: &SqlStore,
    secret: &SecretCredential,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO secrets (key_id, app_id, display_name, hint, hash, start_at, end_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id(secret.key_id))
    .bind(id(secret.app_id))
    .bind(&secret.display_name)
    .bind(&secret.hint)
    .bind(&secret.hash)
    .bind(micros(secret.start))
    .bind(micros(secret.end))
    .execute(&store.pool)
    .await
    .db()?;
    Ok(())
}

pub(super) async fn list_secrets(
    store: &SqlStore,
    app_id: Uuid,
) -> Result<Vec<SecretCredential>, StoreError> {
    let rows = sqlx::query(
        "SELECT key_id, app_id, display_name, hint, hash, start_at, end_at \
         FROM secrets WHERE app_id = $1 ORDER BY start_at, key_id",
    )
    .bind(id(app_id))
    .fetch_all(&store.pool)
    .await
    .db()?;
    rows.iter().map(secret).collect()
}

pub(super) async fn delete_secret(
    store: &SqlStore,
    app_id: Uuid,
    key_id: Uuid,
) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM secrets WHERE app_id = $1 AND key_id = $2")
        .bind(id(app_id))
        .bind(id(key_id))
        .execute(&store.pool)
        .await
        .db()?;
    Ok(done.rows_affected() > 0)
}

pub(super) async fn add_certificate(
    store: &SqlStore,
    cert: &CertificateCredential,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO certificates \
         (key_id, app_id, display_name, thumbprint_sha1, thumbprint_sha256, der, start_at, end_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id(cert.key_id))
    .bind(id(cert.app_id))
    .bind(&cert.display_name)
    .bind(cert.thumbprint_sha1.to_uppercase())
    .bind(cert.thumbprint_sha256.to_uppercase())
    .bind(cert.der.as_slice())
    .bind(micros(cert.start))
    .bind(micros(cert.end))
    .execute(&store.pool)
    .await
    .db()?;
    Ok(())
}

pub(super) async fn list_certificates(
    store: &SqlStore,
    app_id: Uuid,
) -> Result<Vec<CertificateCredential>, StoreError> {
    let rows = sqlx::query(
        "SELECT key_id, app_id, display_name, thumbprint_sha1, thumbprint_sha256, der, start_at, end_at \
         FROM certificates WHERE app_id = $1 ORDER BY start_at, key_id",
    )
    .bind(id(app_id))
    .fetch_all(&store.pool)
    .await
    .db()?;
    rows.iter().map(certificate).collect()
}

pub(super) async fn delete_certificate(
    store: &SqlStore,
    app_id: Uuid,
    key_id: Uuid,
) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM certificates WHERE app_id = $1 AND key_id = $2")
        .bind(id(app_id))
        .bind(id(key_id))
        .execute(&store.pool)
        .await
        .db()?;
    Ok(done.rows_affected() > 0)
}

const APP_COLUMNS: &str = "SELECT app_id, object_id, home_tenant_id, display_name, multi_tenant, \
     allow_public_client, created_at FROM apps";

fn app(row: &AnyRow) -> Result<App, StoreError> {
    Ok(App {
        app_id: row.uuid("app_id")?,
        object_id: row.uuid("object_id")?,
        home_tenant_id: row.uuid("home_tenant_id")?,
        display_name: row.text("display_name")?,
        multi_tenant: row.flag("multi_tenant")?,
        allow_public_client: row.flag("allow_public_client")?,
        created_at: row.time("created_at")?,
    })
}

fn secret(row: &AnyRow) -> Result<SecretCredential, StoreError> {
    Ok(SecretCredential {
        key_id: row.uuid("key_id")?,
        app_id: row.uuid("app_id")?,
        display_name: row.text("display_name")?,
        hint: row.text("hint")?,
        hash: row.text("hash")?,
        start: row.time("start_at")?,
        end: row.time("end_at")?,
    })
}

fn certificate(row: &AnyRow) -> Result<CertificateCredential, StoreError> {
    Ok(CertificateCredential {
        key_id: row.uuid("key_id")?,
        app_id: row.uuid("app_id")?,
        display_name: row.text("display_name")?,
        thumbprint_sha1: row.text("thumbprint_sha1")?,
        thumbprint_sha256: row.text("thumbprint_sha256")?,
        der: row.bytes("der")?,
        start: row.time("start_at")?,
        end: row.time("end_at")?,
    })
}
