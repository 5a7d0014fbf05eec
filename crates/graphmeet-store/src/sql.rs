//! [`Store`] for [`SqlStore`]: the SQL, written once for SQLite and PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use graphmeet_core::model::{
    AccessPolicy, App, CertificateCredential, GrantTarget, Group, PolicyGrant, SecretCredential,
    ServicePrincipal, SigningKey, Tenant, User,
};
use graphmeet_core::{Store, StoreError};
use sqlx::any::{Any, AnyRow};
use sqlx::{Executor, Row};
use uuid::Uuid;

use crate::codec::{flag, id, micros, ordinal, RowExt};
use crate::error::SqlxResultExt;
use crate::SqlStore;

const TENANT_COLUMNS: &str = "SELECT t.id, t.display_name, t.created_at, d.domain \
     FROM tenants t LEFT JOIN tenant_domains d ON d.tenant_id = t.id";

const USER_COLUMNS: &str =
    "SELECT id, tenant_id, upn, display_name, password_hash, created_at FROM users";

const APP_COLUMNS: &str =
    "SELECT app_id, object_id, home_tenant_id, display_name, multi_tenant, created_at FROM apps";

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
    })
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
        sqlx::query(
            "INSERT INTO users (id, tenant_id, upn, upn_lower, display_name, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id(user.id))
        .bind(id(user.tenant_id))
        .bind(&user.upn)
        .bind(user.upn.to_lowercase())
        .bind(&user.display_name)
        .bind(user.password_hash.as_deref())
        .bind(micros(user.created_at))
        .execute(&self.pool)
        .await
        .db()?;
        Ok(())
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
        let rows = sqlx::query(&sql)
            .bind(id(tenant_id))
            .fetch_all(&self.pool)
            .await
            .db()?;
        rows.iter().map(user).collect()
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

    async fn create_app(&self, app: &App) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO apps (app_id, object_id, home_tenant_id, display_name, multi_tenant, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id(app.app_id))
        .bind(id(app.object_id))
        .bind(id(app.home_tenant_id))
        .bind(&app.display_name)
        .bind(flag(app.multi_tenant))
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

    async fn create_policy(&self, policy: &AccessPolicy) -> Result<(), StoreError> {
        let (tenant, name_lower) = (id(policy.tenant_id), policy.name.to_lowercase());
        let mut tx = self.pool.begin().await.db()?;
        sqlx::query(
            "INSERT INTO access_policies (tenant_id, name, name_lower, description, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&tenant)
        .bind(&policy.name)
        .bind(&name_lower)
        .bind(&policy.description)
        .bind(micros(policy.created_at))
        .execute(&mut *tx)
        .await
        .db()?;
        for (i, app_id) in policy.app_ids.iter().enumerate() {
            sqlx::query(
                "INSERT INTO access_policy_apps (tenant_id, name_lower, app_id, ordinal) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, name_lower, app_id) DO NOTHING",
            )
            .bind(&tenant)
            .bind(&name_lower)
            .bind(id(*app_id))
            .bind(ordinal(i))
            .execute(&mut *tx)
            .await
            .db()?;
        }
        tx.commit().await.db()
    }

    async fn get_policy(
        &self,
        tenant_id: Uuid,
        name: &str,
    ) -> Result<Option<AccessPolicy>, StoreError> {
        let rows = sqlx::query(&format!(
            "{POLICY_COLUMNS} WHERE p.tenant_id = $1 AND p.name_lower = $2 ORDER BY a.ordinal"
        ))
        .bind(id(tenant_id))
        .bind(name.to_lowercase())
        .fetch_all(&self.pool)
        .await
        .db()?;
        Ok(policies(&rows)?.into_iter().next())
    }

    async fn list_policies(&self, tenant_id: Uuid) -> Result<Vec<AccessPolicy>, StoreError> {
        let rows = sqlx::query(&format!("{POLICY_COLUMNS} WHERE p.tenant_id = $1 ORDER BY p.created_at, p.name_lower, a.ordinal"))
            .bind(id(tenant_id))
            .fetch_all(&self.pool)
            .await
            .db()?;
        policies(&rows)
    }

    async fn set_policy_grant(&self, grant: &PolicyGrant) -> Result<(), StoreError> {
        let (kind, target, rank) = match grant.target {
            GrantTarget::User(user) => ("user", id(user), None),
            GrantTarget::Group { id: group, rank } => ("group", id(group), Some(rank)),
            GrantTarget::Global => ("global", String::new(), None),
        };
        sqlx::query(
            "INSERT INTO access_policy_grants (tenant_id, target_kind, target_id, name_lower, rank, granted_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (tenant_id, target_kind, target_id) DO UPDATE SET \
             name_lower = excluded.name_lower, rank = excluded.rank, granted_at = excluded.granted_at",
        )
        .bind(id(grant.tenant_id))
        .bind(kind)
        .bind(target)
        .bind(grant.policy_name.to_lowercase())
        .bind(rank)
        .bind(micros(grant.granted_at))
        .execute(&self.pool)
        .await
        .db()?;
        Ok(())
    }

    async fn list_policy_grants(&self, tenant_id: Uuid) -> Result<Vec<PolicyGrant>, StoreError> {
        let rows = sqlx::query(
            "SELECT g.tenant_id, g.target_kind, g.target_id, g.rank, g.granted_at, p.name \
             FROM access_policy_grants g JOIN access_policies p \
             ON p.tenant_id = g.tenant_id AND p.name_lower = g.name_lower \
             WHERE g.tenant_id = $1 ORDER BY g.target_kind, g.target_id",
        )
        .bind(id(tenant_id))
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.iter().map(policy_grant).collect()
    }
}

const POLICY_COLUMNS: &str =
    "SELECT p.tenant_id, p.name, p.name_lower, p.description, p.created_at, a.app_id \
     FROM access_policies p LEFT JOIN access_policy_apps a \
     ON a.tenant_id = p.tenant_id AND a.name_lower = p.name_lower";

/// Policies from rows of [`POLICY_COLUMNS`] ordered by policy, then app ordinal.
fn policies(rows: &[AnyRow]) -> Result<Vec<AccessPolicy>, StoreError> {
    let mut out: Vec<(String, AccessPolicy)> = Vec::new();
    for row in rows {
        let key = format!("{}/{}", row.text("tenant_id")?, row.text("name_lower")?);
        let app = row
            .opt_text("app_id")?
            .map(|a| Uuid::parse_str(&a))
            .transpose()
            .map_err(|e| StoreError::Backend(format!("app_id is not a UUID: {e}")))?;
        match out.last_mut() {
            Some((last, policy)) if *last == key => policy.app_ids.extend(app),
            _ => out.push((
                key,
                AccessPolicy {
                    tenant_id: row.uuid("tenant_id")?,
                    name: row.text("name")?,
                    app_ids: app.into_iter().collect(),
                    description: row.text("description")?,
                    created_at: row.time("created_at")?,
                },
            )),
        }
    }
    Ok(out.into_iter().map(|(_, p)| p).collect())
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
        policy_name: row.text("name")?,
        granted_at: row.time("granted_at")?,
    })
}
