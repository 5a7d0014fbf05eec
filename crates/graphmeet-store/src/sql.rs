//! [`Store`] for [`SqlStore`]: the SQL, written once for SQLite and PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use graphmeet_core::model::{
    AccessPolicy, App, AuditDecision, AuditEntry, AuditQuery, CertificateCredential, ChangedEntity,
    DirectoryChange, GrantTarget, Group, PolicyApp, PolicyGrant, SecretCredential,
    ServicePrincipal, SigningKey, StoredMeeting, Tenant, User,
};
use graphmeet_core::model::{Account, UserType};
use graphmeet_core::store::{MeetingInsert, MeetingInserted};
use graphmeet_core::{Store, StoreError};
use sqlx::any::{Any, AnyRow};
use sqlx::{Executor, Row, Transaction};
use uuid::Uuid;

use crate::codec::{flag, id, micros, ordinal, RowExt};
use crate::error::SqlxResultExt;
use crate::{Backend, SqlStore};

const TENANT_COLUMNS: &str = "SELECT t.id, t.display_name, t.created_at, d.domain \
     FROM tenants t LEFT JOIN tenant_domains d ON d.tenant_id = t.id";

const USER_COLUMNS: &str = "SELECT id, tenant_id, upn, display_name, password_hash, created_at, \
     account_enabled, user_type, teams_license, audio_conferencing, mail FROM users";

/// The columns an insert into `users` writes, in [`bind_user`]'s order.
const USER_INSERT: &str = "INSERT INTO users (id, tenant_id, upn, upn_lower, display_name, \
     password_hash, created_at, account_enabled, user_type, teams_license, audio_conferencing, mail)";
const USER_INSERT_COLUMNS: usize = 12;

/// Grants with their policy's name, for [`policy_grant`].
const GRANT_COLUMNS: &str = "SELECT g.tenant_id, g.target_kind, g.target_id, g.rank, \
     g.policy_id, g.granted_at, g.revoked_at, p.name \
     FROM access_policy_grants g JOIN access_policies p ON p.id = g.policy_id";

const APP_COLUMNS: &str = "SELECT app_id, object_id, home_tenant_id, display_name, multi_tenant, \
     allow_public_client, created_at FROM apps";

const SP_COLUMNS: &str = "SELECT sp.id, sp.tenant_id, sp.app_id, sp.created_at, r.role \
     FROM service_principals sp \
     LEFT JOIN service_principal_app_roles r ON r.service_principal_id = sp.id";

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

fn user(row: &AnyRow) -> Result<User, StoreError> {
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

fn group(row: &AnyRow) -> Result<Group, StoreError> {
    Ok(Group {
        id: row.uuid("id")?,
        tenant_id: row.uuid("tenant_id")?,
        display_name: row.text("display_name")?,
        created_at: row.time("created_at")?,
    })
}

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

fn signing_key(row: &AnyRow) -> Result<SigningKey, StoreError> {
    Ok(SigningKey {
        kid: row.text("kid")?,
        private_pkcs8_der: row.bytes("private_pkcs8_der")?,
        cert_der: row.bytes("cert_der")?,
        created_at: row.time("created_at")?,
        retired_at: row.opt_time("retired_at")?,
    })
}

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

#[async_trait]
impl Store for SqlStore {
    async fn create_tenant(&self, tenant: &Tenant) -> Result<(), StoreError> {
        let tenant_id = id(tenant.id);
        let mut tx = self.pool.begin().await.db()?;
        sqlx::query("INSERT INTO tenants (id, display_name, created_at) VALUES ($1, $2, $3)")
            .bind(&tenant_id)
            .bind(&tenant.display_name)
            .bind(micros(tenant.created_at))
            .execute(&mut *tx)
            .await
            .db()?;
        for (i, domain) in tenant.domains.iter().enumerate() {
            sqlx::query(
                "INSERT INTO tenant_domains (domain, tenant_id, ordinal) VALUES ($1, $2, $3)",
            )
            .bind(domain.to_lowercase())
            .bind(&tenant_id)
            .bind(ordinal(i))
            .execute(&mut *tx)
            .await
            .db()?;
        }
        tx.commit().await.db()
    }

    async fn get_tenant(&self, tenant_id: Uuid) -> Result<Option<Tenant>, StoreError> {
        let sql = format!("{TENANT_COLUMNS} WHERE t.id = $1 ORDER BY d.ordinal");
        let rows = sqlx::query(&sql)
            .bind(id(tenant_id))
            .fetch_all(&self.pool)
            .await
            .db()?;
        Ok(tenants(&rows)?.into_iter().next())
    }

    async fn find_tenant_by_domain(&self, domain: &str) -> Result<Option<Tenant>, StoreError> {
        let sql = format!(
            "{TENANT_COLUMNS} WHERE t.id = (SELECT tenant_id FROM tenant_domains WHERE domain = $1) \
             ORDER BY d.ordinal"
        );
        let rows = sqlx::query(&sql)
            .bind(domain.to_lowercase())
            .fetch_all(&self.pool)
            .await
            .db()?;
        Ok(tenants(&rows)?.into_iter().next())
    }

    async fn list_tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        let sql = format!("{TENANT_COLUMNS} ORDER BY t.created_at, t.id, d.ordinal");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await.db()?;
        tenants(&rows)
    }

    async fn create_user(&self, user: &User) -> Result<(), StoreError> {
        let sql = format!(
            "{USER_INSERT} VALUES {}",
            value_rows(self.backend, 1, USER_INSERT_COLUMNS)
        );
        bind_user(sqlx::query(&sql), user)
            .execute(&self.pool)
            .await
            .db()?;
        Ok(())
    }

    async fn update_user(&self, user: &User) -> Result<bool, StoreError> {
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
        .execute(&self.pool)
        .await
        .db()?;
        Ok(done.rows_affected() == 1)
    }

    async fn get_user(&self, user_id: Uuid) -> Result<Option<User>, StoreError> {
        let sql = format!("{USER_COLUMNS} WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id(user_id))
            .fetch_optional(&self.pool)
            .await
            .db()?;
        row.as_ref().map(user).transpose()
    }

    async fn find_user_by_upn(&self, upn: &str) -> Result<Option<User>, StoreError> {
        let sql = format!("{USER_COLUMNS} WHERE upn_lower = $1");
        let row = sqlx::query(&sql)
            .bind(upn.to_lowercase())
            .fetch_optional(&self.pool)
            .await
            .db()?;
        row.as_ref().map(user).transpose()
    }

    async fn list_users(&self, tenant_id: Uuid) -> Result<Vec<User>, StoreError> {
        let sql = format!("{USER_COLUMNS} WHERE tenant_id = $1 ORDER BY created_at, id");
        // Streamed: a tenant of 100,000 users is read without holding every row at once.
        let mut rows = sqlx::query(&sql).bind(id(tenant_id)).fetch(&self.pool);
        let mut out = Vec::new();
        while let Some(row) = rows.try_next().await.db()? {
            out.push(user(&row)?);
        }
        Ok(out)
    }

    async fn create_group(&self, group: &Group) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO security_groups (id, tenant_id, display_name, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id(group.id))
        .bind(id(group.tenant_id))
        .bind(&group.display_name)
        .bind(micros(group.created_at))
        .execute(&self.pool)
        .await
        .db()?;
        Ok(())
    }

    async fn get_group(&self, group_id: Uuid) -> Result<Option<Group>, StoreError> {
        let row = sqlx::query(
            "SELECT id, tenant_id, display_name, created_at FROM security_groups WHERE id = $1",
        )
        .bind(id(group_id))
        .fetch_optional(&self.pool)
        .await
        .db()?;
        row.as_ref().map(group).transpose()
    }

    async fn add_group_member(&self, group_id: Uuid, user_id: Uuid) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) \
             ON CONFLICT (group_id, user_id) DO NOTHING",
        )
        .bind(id(group_id))
        .bind(id(user_id))
        .execute(&self.pool)
        .await
        .db()?;
        Ok(())
    }

    async fn remove_group_member(&self, group_id: Uuid, user_id: Uuid) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM group_members WHERE group_id = $1 AND user_id = $2")
            .bind(id(group_id))
            .bind(id(user_id))
            .execute(&self.pool)
            .await
            .db()?;
        Ok(done.rows_affected() > 0)
    }

    async fn groups_of_user(&self, user_id: Uuid) -> Result<Vec<Group>, StoreError> {
        let rows = sqlx::query(
            "SELECT g.id, g.tenant_id, g.display_name, g.created_at \
             FROM security_groups g JOIN group_members m ON m.group_id = g.id \
             WHERE m.user_id = $1 ORDER BY g.created_at, g.id",
        )
        .bind(id(user_id))
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.iter().map(group).collect()
    }

    async fn list_groups(&self, tenant_id: Uuid) -> Result<Vec<Group>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, tenant_id, display_name, created_at FROM security_groups \
             WHERE tenant_id = $1 ORDER BY created_at, id",
        )
        .bind(id(tenant_id))
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.iter().map(group).collect()
    }

    async fn list_group_members(&self, group_id: Uuid) -> Result<Vec<User>, StoreError> {
        let rows = sqlx::query(
            "SELECT u.id, u.tenant_id, u.upn, u.display_name, u.password_hash, u.created_at, \
             u.account_enabled, u.user_type, u.teams_license, u.audio_conferencing, u.mail \
             FROM users u JOIN group_members m ON m.user_id = u.id \
             WHERE m.group_id = $1 ORDER BY u.created_at, u.id",
        )
        .bind(id(group_id))
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.iter().map(user).collect()
    }

    async fn create_app(&self, app: &App) -> Result<(), StoreError> {
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
        .execute(&self.pool)
        .await
        .db()?;
        Ok(())
    }

    async fn get_app(&self, app_id: Uuid) -> Result<Option<App>, StoreError> {
        let sql = format!("{APP_COLUMNS} WHERE app_id = $1");
        let row = sqlx::query(&sql)
            .bind(id(app_id))
            .fetch_optional(&self.pool)
            .await
            .db()?;
        row.as_ref().map(app).transpose()
    }

    async fn list_apps(&self) -> Result<Vec<App>, StoreError> {
        let sql = format!("{APP_COLUMNS} ORDER BY created_at, app_id");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await.db()?;
        rows.iter().map(app).collect()
    }

    async fn update_app(&self, app: &App) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE apps SET display_name = $1, multi_tenant = $2, allow_public_client = $3 \
             WHERE app_id = $4",
        )
        .bind(&app.display_name)
        .bind(flag(app.multi_tenant))
        .bind(flag(app.allow_public_client))
        .bind(id(app.app_id))
        .execute(&self.pool)
        .await
        .db()?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("app"));
        }
        Ok(())
    }

    async fn add_secret(&self, secret: &SecretCredential) -> Result<(), StoreError> {
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
        .execute(&self.pool)
        .await
        .db()?;
        Ok(())
    }

    async fn list_secrets(&self, app_id: Uuid) -> Result<Vec<SecretCredential>, StoreError> {
        let rows = sqlx::query(
            "SELECT key_id, app_id, display_name, hint, hash, start_at, end_at \
             FROM secrets WHERE app_id = $1 ORDER BY start_at, key_id",
        )
        .bind(id(app_id))
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.iter().map(secret).collect()
    }

    async fn add_certificate(&self, cert: &CertificateCredential) -> Result<(), StoreError> {
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
        .execute(&self.pool)
        .await
        .db()?;
        Ok(())
    }

    async fn list_certificates(
        &self,
        app_id: Uuid,
    ) -> Result<Vec<CertificateCredential>, StoreError> {
        let rows = sqlx::query(
            "SELECT key_id, app_id, display_name, thumbprint_sha1, thumbprint_sha256, der, start_at, end_at \
             FROM certificates WHERE app_id = $1 ORDER BY start_at, key_id",
        )
        .bind(id(app_id))
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.iter().map(certificate).collect()
    }

    async fn grant_consent(
        &self,
        tenant_id: Uuid,
        app_id: Uuid,
        new_id: Uuid,
        roles: &[String],
        now: DateTime<Utc>,
    ) -> Result<ServicePrincipal, StoreError> {
        let (tenant, app) = (id(tenant_id), id(app_id));
        // The first statement writes, so SQLite takes its write lock (waiting out the busy
        // timeout) before reading anything, and no snapshot goes stale under us.
        let mut tx = self.pool.begin().await.db()?;
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

    async fn get_service_principal(
        &self,
        tenant_id: Uuid,
        app_id: Uuid,
    ) -> Result<Option<ServicePrincipal>, StoreError> {
        fetch_service_principal(&self.pool, tenant_id, app_id).await
    }

    async fn list_service_principals(
        &self,
        tenant_id: Uuid,
    ) -> Result<Vec<ServicePrincipal>, StoreError> {
        let sql = format!(
            "{SP_COLUMNS} WHERE sp.tenant_id = $1 ORDER BY sp.created_at, sp.id, r.ordinal, r.role"
        );
        let rows = sqlx::query(&sql)
            .bind(id(tenant_id))
            .fetch_all(&self.pool)
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
    async fn revoke_consent(
        &self,
        tenant_id: Uuid,
        app_id: Uuid,
        roles: &[String],
    ) -> Result<ServicePrincipal, StoreError> {
        let mut tx = self.pool.begin().await.db()?;
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

    async fn rotate_signing_key(&self, key: &SigningKey) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.db()?;
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

    async fn replace_signing_key_private(
        &self,
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
        .execute(&self.pool)
        .await
        .db()?;
        Ok(done.rows_affected() == 1)
    }

    async fn list_signing_keys(&self) -> Result<Vec<SigningKey>, StoreError> {
        let rows = sqlx::query(
            "SELECT kid, private_pkcs8_der, cert_der, created_at, retired_at \
             FROM signing_keys ORDER BY created_at DESC, kid DESC",
        )
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.iter().map(signing_key).collect()
    }

    async fn record_assertion_id(
        &self,
        app_id: Uuid,
        jti: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await.db()?;
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

    // ---- application access policies ----------------------------------------------------------
    //
    // Nothing is deleted: removals and revocations set an end time, and the rows without one are
    // "live". Concurrency: a method that changes a policy first locks the policy's row (a no-op
    // UPDATE), so changes to one policy, and grants of a policy racing its removal, run one after
    // the other. Grants, revocations included, first lock the tenant's row, so grants in a tenant
    // run one after the other: each sees the live grant its predecessor left and ends it, and the
    // partial unique index on live grants (one per target) is only a backstop. Should it ever
    // fire, the call fails with `Conflict` rather than retrying. On SQLite, the first statement of
    // each of these transactions writes, which takes the database's write lock before anything
    // is read.

    async fn create_policy(&self, policy: &AccessPolicy) -> Result<(), StoreError> {
        let policy_id = id(policy.id);
        let mut tx = self.pool.begin().await.db()?;
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

    async fn get_policy(
        &self,
        tenant_id: Uuid,
        name: &str,
    ) -> Result<Option<AccessPolicy>, StoreError> {
        let found = fetch_policies(
            &self.pool,
            "p.tenant_id = $1 AND p.name_lower = $2 AND p.removed_at IS NULL",
            &[id(tenant_id), name.to_lowercase()],
        )
        .await?;
        Ok(found.into_iter().next())
    }

    async fn list_policies(&self, tenant_id: Uuid) -> Result<Vec<AccessPolicy>, StoreError> {
        fetch_policies(&self.pool, "p.tenant_id = $1", &[id(tenant_id)]).await
    }

    /// Removals first, then additions; an app in both lists ends up unlisted (and gets no
    /// zero-length listing).
    async fn change_policy_apps(
        &self,
        tenant_id: Uuid,
        name: &str,
        add: &[Uuid],
        remove: &[Uuid],
        at: DateTime<Utc>,
    ) -> Result<AccessPolicy, StoreError> {
        let mut tx = self.pool.begin().await.db()?;
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

    async fn set_policy_description(
        &self,
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
        .execute(&self.pool)
        .await
        .db()?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("policy"));
        }
        Ok(())
    }

    /// Also unlists the policy's apps at `at`, so a removed policy lists nothing now and its
    /// history still shows what it listed until then.
    async fn remove_policy(
        &self,
        tenant_id: Uuid,
        name: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.db()?;
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

    /// `grant.policy_name` and `grant.revoked_at` are ignored: the name is the policy's, and
    /// the new grant is live.
    async fn grant_policy(&self, grant: &PolicyGrant) -> Result<(), StoreError> {
        // One grant is a batch of one: the policy must be live and the tenant's (locking its
        // row orders this grant and the policy's removal, so a removal never misses a grant),
        // and the target's live grant ends where this one begins.
        self.grant_policies(std::slice::from_ref(grant)).await
    }

    async fn revoke_policy_grant(
        &self,
        tenant_id: Uuid,
        target: GrantTarget,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let tenant = id(tenant_id);
        let (kind, target, _) = target_key(target);
        let mut tx = self.pool.begin().await.db()?;
        lock_tenant_grants(&mut tx, &tenant).await?;
        let ended = end_live_grant(&mut tx, &tenant, kind, &target, at).await?;
        tx.commit().await.db()?;
        Ok(ended)
    }

    async fn list_policy_grants(&self, tenant_id: Uuid) -> Result<Vec<PolicyGrant>, StoreError> {
        let sql = format!("{GRANT_COLUMNS} WHERE g.tenant_id = $1 ORDER BY g.granted_at, g.seq");
        let mut rows = sqlx::query(&sql).bind(id(tenant_id)).fetch(&self.pool);
        let mut out = Vec::new();
        while let Some(row) = rows.try_next().await.db()? {
            out.push(policy_grant(&row)?);
        }
        Ok(out)
    }

    // ---- meetings -----------------------------------------------------------------------------

    async fn get_meeting(
        &self,
        tenant_id: Uuid,
        meeting_id: &str,
    ) -> Result<Option<StoredMeeting>, StoreError> {
        self.meeting_where("tenant_id = $1 AND id = $2", Some(tenant_id), meeting_id)
            .await
    }

    async fn find_meeting_by_external_id(
        &self,
        tenant_id: Uuid,
        organizer_id: Uuid,
        external_id: &str,
    ) -> Result<Option<StoredMeeting>, StoreError> {
        if let Some(inline) = &self.inline {
            if let crate::inline::Inline::Done(found) =
                inline.meeting_by_external_id(tenant_id, organizer_id, external_id)
            {
                return found;
            }
        }
        let row = sqlx::query(&format!(
            "{MEETING_COLUMNS} WHERE tenant_id = $1 AND organizer_id = $2 AND external_id = $3"
        ))
        .bind(id(tenant_id))
        .bind(id(organizer_id))
        .bind(external_id)
        .fetch_optional(&self.pool)
        .await
        .db()?;
        row.as_ref().map(stored_meeting).transpose()
    }

    async fn find_meeting_by_join_web_url(
        &self,
        tenant_id: Uuid,
        join_web_url: &str,
    ) -> Result<Option<StoredMeeting>, StoreError> {
        self.meeting_where(
            "tenant_id = $1 AND join_web_url = $2",
            Some(tenant_id),
            join_web_url,
        )
        .await
    }

    async fn find_meeting_by_join_meeting_id(
        &self,
        tenant_id: Uuid,
        join_meeting_id: &str,
    ) -> Result<Option<StoredMeeting>, StoreError> {
        self.meeting_where(
            "tenant_id = $1 AND join_meeting_id = $2",
            Some(tenant_id),
            join_meeting_id,
        )
        .await
    }

    async fn list_organizer_meetings(
        &self,
        query: &graphmeet_core::store::OrganizerMeetingsQuery,
    ) -> Result<Vec<StoredMeeting>, StoreError> {
        self.organizer_meetings(query).await
    }

    async fn find_meeting_by_thread_id(
        &self,
        thread_id: &str,
    ) -> Result<Option<StoredMeeting>, StoreError> {
        self.meeting_where("thread_id = $1", None, thread_id).await
    }

    async fn update_meeting(&self, meeting: &StoredMeeting) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE meetings SET document = $1, updated_at = $2 WHERE tenant_id = $3 AND id = $4",
        )
        .bind(&meeting.document)
        .bind(micros(meeting.updated_at))
        .bind(id(meeting.tenant_id))
        .bind(&meeting.id)
        .execute(&self.pool)
        .await
        .db()?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("meeting"));
        }
        Ok(())
    }

    async fn delete_meeting(&self, tenant_id: Uuid, meeting_id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM meetings WHERE tenant_id = $1 AND id = $2")
            .bind(id(tenant_id))
            .bind(meeting_id)
            .execute(&self.pool)
            .await
            .db()?;
        Ok(done.rows_affected() > 0)
    }

    async fn count_meetings(
        &self,
        tenant_id: Uuid,
        organizer_id: Option<Uuid>,
    ) -> Result<u64, StoreError> {
        let row = match organizer_id {
            Some(organizer) => sqlx::query(
                "SELECT COUNT(*) AS n FROM meetings WHERE tenant_id = $1 AND organizer_id = $2",
            )
            .bind(id(tenant_id))
            .bind(id(organizer))
            .fetch_one(&self.pool)
            .await
            .db()?,
            None => sqlx::query("SELECT COUNT(*) AS n FROM meetings WHERE tenant_id = $1")
                .bind(id(tenant_id))
                .fetch_one(&self.pool)
                .await
                .db()?,
        };
        let n: i64 = row.try_get("n").db()?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn count_meetings_created(
        &self,
        organizer_id: Uuid,
        since: DateTime<Utc>,
        before: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM meeting_creations \
             WHERE organizer_id = $1 AND created_at >= $2 AND created_at < $3",
        )
        .bind(id(organizer_id))
        .bind(micros(since))
        .bind(micros(before))
        .fetch_one(&self.pool)
        .await
        .db()?;
        let n: i64 = row.try_get("n").db()?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn query_audit(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
        // Only the filters given become conditions; the values are always bound, never spliced.
        let mut conditions: Vec<String> = Vec::new();
        let mut texts: Vec<String> = Vec::new();
        let mut add = |column: &str, value: String, texts: &mut Vec<String>| {
            texts.push(value);
            conditions.push(format!("{column} = ${}", texts.len()));
        };
        if let Some(t) = query.tenant_id {
            add("tenant_id", id(t), &mut texts);
        }
        if let Some(a) = query.app_id {
            add("app_id", id(a), &mut texts);
        }
        if let Some(u) = query.user_id {
            add("user_id", id(u), &mut texts);
        }
        if let Some(d) = query.decision {
            add("decision", d.as_str().to_owned(), &mut texts);
        }
        let since_position = texts.len() + 1;
        if query.since.is_some() {
            conditions.push(format!("at >= ${since_position}"));
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let limit = if query.limit == 0 {
            1000
        } else {
            query.limit.min(10_000)
        };
        let sql = format!(
            "SELECT at, request_id, tenant_id, app_id, user_id, operation, decision, reason FROM audit_log{filter} \
             ORDER BY at DESC, seq DESC LIMIT {limit}"
        );
        let mut q = sqlx::query(&sql);
        for text in &texts {
            q = q.bind(text.as_str());
        }
        if let Some(since) = query.since {
            q = q.bind(micros(since));
        }
        let rows = q.fetch_all(&self.pool).await.db()?;
        rows.iter().map(audit_entry).collect()
    }

    async fn purge_audit(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM audit_log WHERE at < $1")
            .bind(micros(before))
            .execute(&self.pool)
            .await
            .db()?;
        Ok(done.rows_affected())
    }

    // ---- deletions ----------------------------------------------------------------------------
    //
    // Foreign keys with ON DELETE CASCADE take what depends on a row (see the migrations);
    // grants name their user or group target by id without a foreign key (a target is a user,
    // a group or the tenant), so deleting a user or group deletes its grants explicitly, after
    // locking the tenant's grants as every grant change does.

    async fn delete_tenant(&self, tenant_id: Uuid) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM tenants WHERE id = $1")
            .bind(id(tenant_id))
            .execute(&self.pool)
            .await
            .db()?;
        Ok(done.rows_affected() > 0)
    }

    async fn delete_user(&self, user_id: Uuid) -> Result<bool, StoreError> {
        self.delete_grant_target("users", "user", user_id).await
    }

    async fn delete_group(&self, group_id: Uuid) -> Result<bool, StoreError> {
        self.delete_grant_target("security_groups", "group", group_id)
            .await
    }

    async fn delete_app(&self, app_id: Uuid) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM apps WHERE app_id = $1")
            .bind(id(app_id))
            .execute(&self.pool)
            .await
            .db()?;
        Ok(done.rows_affected() > 0)
    }

    async fn delete_secret(&self, app_id: Uuid, key_id: Uuid) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM secrets WHERE app_id = $1 AND key_id = $2")
            .bind(id(app_id))
            .bind(id(key_id))
            .execute(&self.pool)
            .await
            .db()?;
        Ok(done.rows_affected() > 0)
    }

    async fn delete_certificate(&self, app_id: Uuid, key_id: Uuid) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM certificates WHERE app_id = $1 AND key_id = $2")
            .bind(id(app_id))
            .bind(id(key_id))
            .execute(&self.pool)
            .await
            .db()?;
        Ok(done.rows_affected() > 0)
    }

    async fn reset(&self) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.db()?;
        for table in RESET_TABLES {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *tx)
                .await
                .db()?;
        }
        tx.commit().await.db()
    }

    // ---- batched writes -----------------------------------------------------------------------

    /// Every meeting is one `INSERT … ON CONFLICT DO NOTHING` (no arbiter: any unique key), so
    /// a taken key skips its row without aborting the transaction; the skipped row is then
    /// explained (the createOrGet meeting it found, or the key that is taken). A row failing
    /// otherwise (its organizer or tenant is gone: a foreign key) aborts a PostgreSQL
    /// transaction, so the transaction is rolled back and the batch replayed without that row;
    /// that costs a second transaction only in that rare case. Any other error fails the batch.
    async fn insert_meetings(
        &self,
        batch: &[MeetingInsert],
    ) -> Result<Vec<Result<MeetingInserted, StoreError>>, StoreError> {
        let mut failed: Vec<Option<StoreError>> = batch.iter().map(|_| None).collect();
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let mut one_by_one = false;
        loop {
            let mut tx = self.pool.begin().await.db()?;
            let mut done: Vec<(usize, Result<MeetingInserted, StoreError>)> = Vec::new();
            let mut broken = None;
            // One multi-row statement stores every meeting whose keys are free; only the
            // others take the one-by-one path that finds the meeting or the taken key.
            let pending: Vec<&StoredMeeting> = batch
                .iter()
                .zip(&failed)
                .filter(|(_, f)| f.is_none())
                .map(|(insert, _)| insert.meeting())
                .collect();
            let stored = if one_by_one {
                std::collections::HashSet::new()
            } else {
                match insert_free_meetings(self.backend, &mut tx, &pending).await {
                    Ok(stored) => stored,
                    // A row the statement cannot skip (an unknown organizer): the statement
                    // failed whole (and on PostgreSQL, the transaction), so the batch is
                    // stored one by one, which names the failing meeting.
                    Err(StoreError::NotFound(_) | StoreError::Conflict(_)) => {
                        tx.rollback().await.db()?;
                        one_by_one = true;
                        continue;
                    }
                    Err(e) => return Err(e),
                }
            };
            for (i, insert) in batch.iter().enumerate() {
                if failed[i].is_some() {
                    continue;
                }
                if stored.contains(insert.meeting().id.as_str()) {
                    done.push((i, Ok(MeetingInserted::Created)));
                    continue;
                }
                match insert_one_meeting(self.backend, &mut tx, insert).await {
                    Ok(outcome) => done.push((i, outcome)),
                    Err(e @ (StoreError::NotFound(_) | StoreError::Conflict(_))) => {
                        broken = Some((i, e));
                        break;
                    }
                    Err(e) => return Err(e),
                }
            }
            match broken {
                Some((i, e)) => {
                    tx.rollback().await.db()?;
                    failed[i] = Some(e);
                }
                None => {
                    tx.commit().await.db()?;
                    let mut outcomes: Vec<Option<Result<MeetingInserted, StoreError>>> =
                        failed.into_iter().map(|f| f.map(Err)).collect();
                    for (i, outcome) in done {
                        outcomes[i] = Some(outcome);
                    }
                    return outcomes
                        .into_iter()
                        .map(|o| {
                            o.ok_or_else(|| {
                                StoreError::Backend("a batched meeting was left out".to_owned())
                            })
                        })
                        .collect();
                }
            }
        }
    }

    /// One multi-row `INSERT` per chunk of entries, all in one transaction.
    async fn append_audit_batch(&self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        /// Rows per statement: 8 parameters each, far below either backend's limit.
        const ROWS: usize = 64;
        if entries.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await.db()?;
        for chunk in entries.chunks(ROWS) {
            let sql = format!(
                "INSERT INTO audit_log (at, request_id, tenant_id, app_id, user_id, operation, decision, reason) \
                 VALUES {}",
                value_rows(self.backend, chunk.len(), 8)
            );
            let mut query = sqlx::query(&sql);
            for entry in chunk {
                query = query
                    .bind(micros(entry.at))
                    .bind(&entry.request_id)
                    .bind(entry.tenant_id.map(id))
                    .bind(entry.app_id.map(id))
                    .bind(entry.user_id.map(id))
                    .bind(&entry.operation)
                    .bind(entry.decision.as_str())
                    .bind(&entry.reason);
            }
            query.execute(&mut *tx).await.db()?;
        }
        tx.commit().await.db()
    }

    // ---- the directory change log -------------------------------------------------------------

    async fn directory_changes(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<DirectoryChange>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, tenant_id, entity, entity_key FROM directory_changes \
             WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.iter().map(directory_change).collect()
    }

    async fn directory_change_bounds(&self) -> Result<(i64, i64), StoreError> {
        let row = sqlx::query(
            "SELECT COALESCE(MIN(seq), 0) AS lo, COALESCE(MAX(seq), 0) AS hi FROM directory_changes",
        )
        .fetch_one(&self.pool)
        .await
        .db()?;
        Ok((row.try_get("lo").db()?, row.try_get("hi").db()?))
    }

    async fn prune_directory_changes(&self, keep: i64) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "DELETE FROM directory_changes \
             WHERE seq <= (SELECT MAX(seq) FROM directory_changes) - $1",
        )
        .bind(keep.max(1))
        .execute(&self.pool)
        .await
        .db()?;
        Ok(done.rows_affected())
    }

    async fn list_memberships(&self, tenant_id: Uuid) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
        let mut rows = sqlx::query(
            "SELECT m.group_id, m.user_id FROM group_members m \
             JOIN security_groups g ON g.id = m.group_id WHERE g.tenant_id = $1",
        )
        .bind(id(tenant_id))
        .fetch(&self.pool);
        let mut out = Vec::new();
        while let Some(r) = rows.try_next().await.db()? {
            out.push((r.uuid("group_id")?, r.uuid("user_id")?));
        }
        Ok(out)
    }

    async fn list_grants_of(
        &self,
        tenant_id: Uuid,
        assignee: GrantTarget,
    ) -> Result<Vec<PolicyGrant>, StoreError> {
        let (kind, target, _) = target_key(assignee);
        let rows = sqlx::query(&format!(
            "{GRANT_COLUMNS} WHERE g.tenant_id = $1 AND g.target_kind = $2 \
                 AND g.target_id = $3 ORDER BY g.granted_at, g.seq"
        ))
        .bind(id(tenant_id))
        .bind(kind)
        .bind(target)
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.iter().map(policy_grant).collect()
    }
    async fn create_users(&self, users: &[User]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.db()?;
        // Multi-row inserts: a few hundred rows per statement stays far below both backends'
        // limits on bound parameters.
        for chunk in users.chunks(USERS_PER_INSERT) {
            let sql = format!(
                "{USER_INSERT} VALUES {}",
                value_rows(self.backend, chunk.len(), USER_INSERT_COLUMNS)
            );
            let mut query = sqlx::query(&sql);
            for user in chunk {
                query = bind_user(query, user);
            }
            query.execute(&mut *tx).await.db()?;
        }
        tx.commit().await.db()
    }

    async fn grant_policies(&self, grants: &[PolicyGrant]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.db()?;
        let mut locked: Vec<Uuid> = Vec::new();
        let mut live_policies: Vec<Uuid> = Vec::new();
        let mut run: Vec<GrantRow> = Vec::new();
        for grant in grants {
            let tenant = id(grant.tenant_id);
            if !locked.contains(&grant.tenant_id) {
                lock_tenant_grants(&mut tx, &tenant).await?;
                locked.push(grant.tenant_id);
            }
            if !live_policies.contains(&grant.policy_id) {
                let policy = sqlx::query(
                    "UPDATE access_policies SET name = name \
                     WHERE id = $1 AND tenant_id = $2 AND removed_at IS NULL",
                )
                .bind(id(grant.policy_id))
                .bind(&tenant)
                .execute(&mut *tx)
                .await
                .db()?;
                if policy.rows_affected() == 0 {
                    return Err(StoreError::NotFound("policy"));
                }
                live_policies.push(grant.policy_id);
            }
            // A run of grants of one tenant and time, each for a target not yet in the run,
            // is stored with two statements: their targets' live grants end, then they start.
            let (kind, target, rank) = target_key(grant.target);
            let fits = run.first().is_some_and(|first: &GrantRow| {
                first.tenant == tenant && first.at == grant.granted_at
            }) && run.len() < GRANTS_PER_STATEMENT
                && !run.iter().any(|r| r.kind == kind && r.target == target);
            if !fits && !run.is_empty() {
                store_grant_run(self.backend, &mut tx, &run).await?;
                run.clear();
            }
            run.push(GrantRow {
                tenant,
                kind,
                target,
                rank,
                policy: id(grant.policy_id),
                at: grant.granted_at,
            });
        }
        if !run.is_empty() {
            store_grant_run(self.backend, &mut tx, &run).await?;
        }
        tx.commit().await.db()
    }

    async fn add_group_members(&self, members: &[(Uuid, Uuid)]) -> Result<(), StoreError> {
        /// Rows per statement: 2 parameters each. A statement per membership was a round
        /// trip to the database per row (100,000 of them in a large seed).
        const ROWS: usize = 256;
        let mut tx = self.pool.begin().await.db()?;
        for chunk in members.chunks(ROWS) {
            let sql = format!(
                "INSERT INTO group_members (group_id, user_id) VALUES {} \
                 ON CONFLICT (group_id, user_id) DO NOTHING",
                value_rows(self.backend, chunk.len(), 2)
            );
            let mut query = sqlx::query(&sql);
            for (group_id, user_id) in chunk {
                query = query.bind(id(*group_id)).bind(id(*user_id));
            }
            query.execute(&mut *tx).await.db()?;
        }
        tx.commit().await.db()
    }

    async fn create_groups(&self, groups: &[Group]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.db()?;
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

    // ---- Exchange Online application access policies (SQL in exchange.rs) ------------------

    async fn create_exchange_policies(
        &self,
        policies: &[graphmeet_core::policy::ExchangePolicy],
    ) -> Result<(), StoreError> {
        self.insert_exchange_policies(policies).await
    }

    async fn list_exchange_policies(
        &self,
        tenant_id: Uuid,
    ) -> Result<Vec<graphmeet_core::policy::ExchangePolicy>, StoreError> {
        self.select_exchange_policies(tenant_id).await
    }

    async fn set_exchange_policy_description(
        &self,
        tenant_id: Uuid,
        policy_id: Uuid,
        description: &str,
    ) -> Result<bool, StoreError> {
        self.describe_exchange_policy(tenant_id, policy_id, description)
            .await
    }

    async fn remove_exchange_policy(
        &self,
        tenant_id: Uuid,
        policy_id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.end_exchange_policy(tenant_id, policy_id, at).await
    }
}

/// Rows per multi-row `INSERT INTO users`.
const USERS_PER_INSERT: usize = 100;

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

/// Every table `reset` empties, dependents first: all of them but `signing_keys` (and sqlx's
/// `_sqlx_migrations`). A new table must be added here; the conformance suite checks that none
/// is missed.
const RESET_TABLES: &[&str] = &[
    "events",
    "exchange_access_policies",
    "meeting_creations",
    "meetings",
    "access_policy_grants",
    "access_policy_apps",
    "access_policies",
    "assertion_ids",
    "service_principal_app_roles",
    "service_principals",
    "certificates",
    "secrets",
    "apps",
    "group_members",
    "security_groups",
    "users",
    "tenant_domains",
    "tenants",
    "audit_log",
];

impl SqlStore {
    /// Deletes the user or group `target` of `table`, with every policy grant made to it, in
    /// one transaction; returns whether it existed.
    async fn delete_grant_target(
        &self,
        table: &str,
        kind: &str,
        target: Uuid,
    ) -> Result<bool, StoreError> {
        let target = id(target);
        let mut tx = self.pool.begin().await.db()?;
        // The target's tenant, locked as grant changes lock it (a write, so SQLite's write lock
        // comes first too).
        sqlx::query(&format!(
            "UPDATE tenants SET display_name = display_name \
             WHERE id = (SELECT tenant_id FROM {table} WHERE id = $1)"
        ))
        .bind(&target)
        .execute(&mut *tx)
        .await
        .db()?;
        sqlx::query("DELETE FROM access_policy_grants WHERE target_kind = $1 AND target_id = $2")
            .bind(kind)
            .bind(&target)
            .execute(&mut *tx)
            .await
            .db()?;
        let done = sqlx::query(&format!("DELETE FROM {table} WHERE id = $1"))
            .bind(&target)
            .execute(&mut *tx)
            .await
            .db()?;
        tx.commit().await.db()?;
        Ok(done.rows_affected() > 0)
    }
}

fn audit_entry(row: &AnyRow) -> Result<AuditEntry, StoreError> {
    let opt_uuid = |col: &str| -> Result<Option<Uuid>, StoreError> {
        row.opt_text(col)?
            .map(|t| {
                Uuid::parse_str(&t).map_err(|e| {
                    StoreError::Backend(format!("column {col} holds {t:?}, not a UUID: {e}"))
                })
            })
            .transpose()
    };
    let decision = row.text("decision")?;
    Ok(AuditEntry {
        at: row.time("at")?,
        request_id: row.text("request_id")?,
        tenant_id: opt_uuid("tenant_id")?,
        app_id: opt_uuid("app_id")?,
        user_id: opt_uuid("user_id")?,
        operation: row.text("operation")?,
        decision: AuditDecision::parse(&decision)
            .ok_or_else(|| StoreError::Backend(format!("unknown audit decision {decision:?}")))?,
        reason: row.text("reason")?,
    })
}

// ---- policy helpers -----------------------------------------------------------------------------

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

/// Locks the tenant's row until the transaction ends, so the tenant's grants change one
/// transaction at a time. (A no-op UPDATE takes PostgreSQL's `FOR NO KEY UPDATE` lock, which
/// does not block inserts referring to the tenant.)
async fn lock_tenant_grants(
    tx: &mut Transaction<'_, Any>,
    tenant_id: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE tenants SET display_name = display_name WHERE id = $1")
        .bind(tenant_id)
        .execute(&mut **tx)
        .await
        .db()?;
    Ok(())
}

/// Ends the target's live grant at `at`; returns whether there was one.
/// The `VALUES` list of a multi-row insert: `rows` groups of `columns` placeholders,
/// `($1, $2), ($3, $4)`, or on SQLite `(?, ?), (?, ?)` (see [`placeholder`]).
fn value_rows(backend: Backend, rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|row| {
            let row: Vec<String> = (1..=columns)
                .map(|c| placeholder(backend, row * columns + c))
                .collect();
            format!("({})", row.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `n`-th (1-based) parameter of a statement whose parameters appear in order, each once:
/// `$n` on PostgreSQL, an anonymous `?` on SQLite. sqlx-sqlite asks SQLite for the name of
/// every parameter each time it binds a statement, and SQLite finds a parameter's name by
/// scanning the list of all the statement's names: with numbered names, a statement of a few
/// hundred parameters costs a quadratic number of steps per execution (13 % of a seed apply's
/// time in `sqlite3_bind_parameter_name`). Anonymous parameters have no name to scan for and
/// bind by position, which is the order they appear in.
fn placeholder(backend: Backend, n: usize) -> String {
    match backend {
        Backend::Sqlite => "?".to_owned(),
        Backend::Postgres => format!("${n}"),
    }
}

/// Grants stored by one pair of statements, at most.
const GRANTS_PER_STATEMENT: usize = 64;

/// A grant about to be stored.
struct GrantRow {
    tenant: String,
    kind: &'static str,
    target: String,
    rank: Option<i64>,
    policy: String,
    at: DateTime<Utc>,
}

/// Ends the live grants of the run's targets and stores the run; every row has the first's
/// tenant and time, and no target twice.
async fn store_grant_run(
    backend: Backend,
    tx: &mut Transaction<'_, Any>,
    run: &[GrantRow],
) -> Result<(), StoreError> {
    let Some(first) = run.first() else {
        return Ok(());
    };
    let targets: Vec<String> = (0..run.len())
        .map(|i| {
            format!(
                "(target_kind = {} AND target_id = {})",
                placeholder(backend, 3 + 2 * i),
                placeholder(backend, 4 + 2 * i)
            )
        })
        .collect();
    let sql = format!(
        "UPDATE access_policy_grants SET revoked_at = {} \
         WHERE tenant_id = {} AND revoked_at IS NULL AND ({})",
        placeholder(backend, 1),
        placeholder(backend, 2),
        targets.join(" OR ")
    );
    let mut end = sqlx::query(&sql).bind(micros(first.at)).bind(&first.tenant);
    for row in run {
        end = end.bind(row.kind).bind(&row.target);
    }
    end.execute(&mut **tx).await.db()?;
    let sql = format!(
        "INSERT INTO access_policy_grants \
         (tenant_id, target_kind, target_id, rank, policy_id, granted_at) VALUES {}",
        value_rows(backend, run.len(), 6)
    );
    let mut insert = sqlx::query(&sql);
    for row in run {
        insert = insert
            .bind(&row.tenant)
            .bind(row.kind)
            .bind(&row.target)
            .bind(row.rank)
            .bind(&row.policy)
            .bind(micros(row.at));
    }
    insert.execute(&mut **tx).await.db()?;
    Ok(())
}

async fn end_live_grant(
    tx: &mut Transaction<'_, Any>,
    tenant_id: &str,
    kind: &str,
    target_id: &str,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE access_policy_grants SET revoked_at = $1 \
         WHERE tenant_id = $2 AND target_kind = $3 AND target_id = $4 AND revoked_at IS NULL",
    )
    .bind(micros(at))
    .bind(tenant_id)
    .bind(kind)
    .bind(target_id)
    .execute(&mut **tx)
    .await
    .db()?;
    Ok(done.rows_affected() > 0)
}

/// A grant target as stored: kind, object id (`''` for the tenant) and the group's rank.
fn target_key(target: GrantTarget) -> (&'static str, String, Option<i64>) {
    match target {
        GrantTarget::User(user) => ("user", id(user), None),
        GrantTarget::Group { id: group, rank } => ("group", id(group), Some(rank)),
        GrantTarget::Global => ("global", String::new(), None),
    }
}

fn policy_grant(row: &AnyRow) -> Result<PolicyGrant, StoreError> {
    let target = match row.text("target_kind")?.as_str() {
        "user" => GrantTarget::User(row.uuid("target_id")?),
        "group" => GrantTarget::Group {
            id: row.uuid("target_id")?,
            rank: row.try_get::<Option<i64>, _>("rank").db()?.unwrap_or(0),
        },
        "global" => GrantTarget::Global,
        other => {
            return Err(StoreError::Backend(format!(
                "unknown grant target kind {other:?}"
            )))
        }
    };
    Ok(PolicyGrant {
        tenant_id: row.uuid("tenant_id")?,
        target,
        policy_id: row.uuid("policy_id")?,
        policy_name: row.text("name")?,
        granted_at: row.time("granted_at")?,
        revoked_at: row.opt_time("revoked_at")?,
    })
}

// ---- meeting helpers ----------------------------------------------------------------------------

pub(crate) const MEETING_COLUMNS: &str =
    "SELECT id, tenant_id, organizer_id, external_id, thread_id, \
     join_meeting_id, join_web_url, created_at, updated_at, document FROM meetings";

/// The head of an insert into `meetings`; its `VALUES` take 10 columns.
const INSERT_MEETING: &str = "INSERT INTO meetings (id, tenant_id, organizer_id, external_id, \
     thread_id, join_meeting_id, join_web_url, created_at, updated_at, document)";

pub(crate) fn stored_meeting(row: &AnyRow) -> Result<StoredMeeting, StoreError> {
    Ok(StoredMeeting {
        id: row.text("id")?,
        tenant_id: row.uuid("tenant_id")?,
        organizer_id: row.uuid("organizer_id")?,
        external_id: row.opt_text("external_id")?,
        thread_id: row.text("thread_id")?,
        join_meeting_id: row.text("join_meeting_id")?,
        join_web_url: row.text("join_web_url")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
        document: row.text("document")?,
    })
}

impl SqlStore {
    /// The meeting matching `filter`: `$1` is the tenant when `tenant_id` is given, then `key`.
    async fn meeting_where(
        &self,
        filter: &str,
        tenant_id: Option<Uuid>,
        key: &str,
    ) -> Result<Option<StoredMeeting>, StoreError> {
        if let Some(inline) = &self.inline {
            if let crate::inline::Inline::Done(found) = inline.meeting_where(filter, tenant_id, key)
            {
                return found;
            }
        }
        let sql = format!("{MEETING_COLUMNS} WHERE {filter}");
        let mut query = sqlx::query(&sql);
        if let Some(tenant_id) = tenant_id {
            query = query.bind(id(tenant_id));
        }
        let row = query.bind(key).fetch_optional(&self.pool).await.db()?;
        row.as_ref().map(stored_meeting).transpose()
    }
}

/// Inserts one meeting of a batch. The inner result is the row's outcome (a taken key is a
/// `Conflict`, and the transaction is still usable); the outer error is a failed statement,
/// after which the transaction may be aborted.
/// Inserts `meetings` with multi-row statements, skipping those a unique key refuses; the ids
/// of those stored.
async fn insert_free_meetings(
    backend: Backend,
    tx: &mut Transaction<'_, Any>,
    meetings: &[&StoredMeeting],
) -> Result<std::collections::HashSet<String>, StoreError> {
    /// Rows per statement: 10 parameters each, far below either backend's limit.
    const ROWS: usize = 64;
    let mut stored = std::collections::HashSet::with_capacity(meetings.len());
    for chunk in meetings.chunks(ROWS) {
        let sql = format!(
            "{INSERT_MEETING} VALUES {} ON CONFLICT DO NOTHING RETURNING id",
            value_rows(backend, chunk.len(), 10)
        );
        let mut query = sqlx::query(&sql);
        for meeting in chunk {
            query = query
                .bind(meeting.id.as_str())
                .bind(id(meeting.tenant_id))
                .bind(id(meeting.organizer_id))
                .bind(meeting.external_id.as_deref())
                .bind(meeting.thread_id.as_str())
                .bind(meeting.join_meeting_id.as_str())
                .bind(meeting.join_web_url.as_str())
                .bind(micros(meeting.created_at))
                .bind(micros(meeting.updated_at))
                .bind(meeting.document.as_str());
        }
        for row in query.fetch_all(&mut **tx).await.db()? {
            stored.insert(row.text("id")?);
        }
    }
    Ok(stored)
}

async fn insert_one_meeting(
    backend: Backend,
    tx: &mut Transaction<'_, Any>,
    insert: &MeetingInsert,
) -> Result<Result<MeetingInserted, StoreError>, StoreError> {
    let meeting = insert.meeting();
    let tenant = id(meeting.tenant_id);
    let inserted = sqlx::query(&format!(
        "{INSERT_MEETING} VALUES {} ON CONFLICT DO NOTHING",
        value_rows(backend, 1, 10)
    ))
    .bind(&meeting.id)
    .bind(&tenant)
    .bind(id(meeting.organizer_id))
    .bind(meeting.external_id.as_deref())
    .bind(&meeting.thread_id)
    .bind(&meeting.join_meeting_id)
    .bind(&meeting.join_web_url)
    .bind(micros(meeting.created_at))
    .bind(micros(meeting.updated_at))
    .bind(&meeting.document)
    .execute(&mut **tx)
    .await
    .db()?
    .rows_affected()
        == 1;
    if inserted {
        return Ok(Ok(MeetingInserted::Created));
    }
    // Skipped: some unique key is taken. For createOrGet, the meeting under its externalId is
    // the answer (on PostgreSQL the insert waited for a racing one to commit, and this new
    // statement sees it).
    if let (MeetingInsert::CreateOrGet(_), Some(external_id)) = (insert, &meeting.external_id) {
        let existing = sqlx::query(&format!(
            "{MEETING_COLUMNS} WHERE tenant_id = $1 AND organizer_id = $2 AND external_id = $3"
        ))
        .bind(&tenant)
        .bind(id(meeting.organizer_id))
        .bind(external_id)
        .fetch_optional(&mut **tx)
        .await
        .db()?;
        if let Some(row) = existing {
            return Ok(Ok(MeetingInserted::Existing(stored_meeting(&row)?)));
        }
    }
    // Which key is taken, in the words a unique violation would have had.
    let clash = sqlx::query(
        "SELECT id, thread_id, join_web_url, tenant_id, join_meeting_id, organizer_id, external_id \
         FROM meetings WHERE id = $1 OR thread_id = $2 OR join_web_url = $3 \
         OR (tenant_id = $4 AND join_meeting_id = $5) \
         OR (tenant_id = $4 AND organizer_id = $6 AND external_id = $7) LIMIT 1",
    )
    .bind(&meeting.id)
    .bind(&meeting.thread_id)
    .bind(&meeting.join_web_url)
    .bind(&tenant)
    .bind(&meeting.join_meeting_id)
    .bind(id(meeting.organizer_id))
    .bind(meeting.external_id.as_deref())
    .fetch_optional(&mut **tx)
    .await
    .db()?;
    let column = match &clash {
        Some(row) if row.text("id")? == meeting.id => "meetings.id",
        Some(row) if row.text("thread_id")? == meeting.thread_id => "meetings.thread_id",
        Some(row) if row.text("join_web_url")? == meeting.join_web_url => "meetings.join_web_url",
        Some(row)
            if row.text("tenant_id")? == tenant
                && row.text("join_meeting_id")? == meeting.join_meeting_id =>
        {
            "meetings.join_meeting_id"
        }
        Some(_) => "meetings.external_id",
        // The row that was in the way is gone again (deleted meanwhile): the caller retries.
        None => {
            return Ok(Err(StoreError::Conflict(
                "a meeting key was taken, then freed".to_owned(),
            )))
        }
    };
    Ok(Err(StoreError::Conflict(crate::error::rule_text(column))))
}
