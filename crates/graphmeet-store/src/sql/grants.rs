//! Policy grants (`access_policy_grants`): who a policy applies to (a user, a group with its
//! rank, or the whole tenant), with their history, and the deletion of a grant's target.
//!
//! Grants, revocations included, first lock the tenant's row, so grants in a tenant run one
//! after the other: each sees the live grant its predecessor left and ends it, and the partial
//! unique index on live grants (one per target) is only a backstop. Should it ever fire, the
//! call fails with `Conflict` rather than retrying. A seed's grants are stored in runs, two
//! statements per run of up to 64.

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use graphmeet_core::model::*;
use graphmeet_core::StoreError;
use sqlx::any::{Any, AnyRow};
use sqlx::{Row, Transaction};
use uuid::Uuid;

use super::*;
use crate::codec::{id, micros, RowExt};
use crate::error::SqlxResultExt;
use crate::{Backend, SqlStore};

/// `grant.policy_name` and `grant.revoked_at` are ignored: the name is the policy's, and
/// the new grant is live.
pub(super) async fn grant_policy(store: &SqlStore, grant: &PolicyGrant) -> Result<(), StoreError> {
    // One grant is a batch of one: the policy must be live and the tenant's (locking its
    // row orders this grant and the policy's removal, so a removal never misses a grant),
    // and the target's live grant ends where this one begins.
    grant_policies(store, std::slice::from_ref(grant)).await
}

pub(super) async fn grant_policies(
    store: &SqlStore,
    grants: &[PolicyGrant],
) -> Result<(), StoreError> {
    let mut tx = store.pool.begin().await.db()?;
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
        let fits = run
            .first()
            .is_some_and(|first: &GrantRow| first.tenant == tenant && first.at == grant.granted_at)
            && run.len() < GRANTS_PER_STATEMENT
            && !run.iter().any(|r| r.kind == kind && r.target == target);
        if !fits && !run.is_empty() {
            store_grant_run(store.backend, &mut tx, &run).await?;
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
        store_grant_run(store.backend, &mut tx, &run).await?;
    }
    tx.commit().await.db()
}

pub(super) async fn revoke_policy_grant(
    store: &SqlStore,
    tenant_id: Uuid,
    target: GrantTarget,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let tenant = id(tenant_id);
    let (kind, target, _) = target_key(target);
    let mut tx = store.pool.begin().await.db()?;
    lock_tenant_grants(&mut tx, &tenant).await?;
    let ended = end_live_grant(&mut tx, &tenant, kind, &target, at).await?;
    tx.commit().await.db()?;
    Ok(ended)
}

pub(super) async fn list_policy_grants(
    store: &SqlStore,
    tenant_id: Uuid,
) -> Result<Vec<PolicyGrant>, StoreError> {
    let sql = format!("{GRANT_COLUMNS} WHERE g.tenant_id = $1 ORDER BY g.granted_at, g.seq");
    let mut rows = sqlx::query(&sql).bind(id(tenant_id)).fetch(&store.pool);
    let mut out = Vec::new();
    while let Some(row) = rows.try_next().await.db()? {
        out.push(policy_grant(&row)?);
    }
    Ok(out)
}

pub(super) async fn list_grants_of(
    store: &SqlStore,
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
    .fetch_all(&store.pool)
    .await
    .db()?;
    rows.iter().map(policy_grant).collect()
}

/// Grants with their policy's name, for [`policy_grant`].
const GRANT_COLUMNS: &str = "SELECT g.tenant_id, g.target_kind, g.target_id, g.rank, \
     g.policy_id, g.granted_at, g.revoked_at, p.name \
     FROM access_policy_grants g JOIN access_policies p ON p.id = g.policy_id";

/// Deletes the user or group `target` of `table`, with every policy grant made to it, in
/// one transaction; returns whether it existed.
pub(super) async fn delete_grant_target(
    store: &SqlStore,
    table: &str,
    kind: &str,
    target: Uuid,
) -> Result<bool, StoreError> {
    let target = id(target);
    let mut tx = store.pool.begin().await.db()?;
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

/// Ends the target's live grant at `at`; returns whether there was one.
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
