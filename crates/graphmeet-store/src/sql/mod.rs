//! [`Store`] for [`SqlStore`]: the SQL, written once for SQLite and PostgreSQL, one module per
//! aggregate. This module is the trait's table of contents: each method hands over to the
//! function of the same name in the module that owns its tables (tenants.rs, users.rs, …), and
//! holds only what spans them all (`reset`) and the placeholders every multi-row statement uses.

mod apps;
mod audit;
mod changes;
mod consent;
mod grants;
mod groups;
mod keys;
pub(crate) mod meetings;
mod policies;
mod tenants;
mod users;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use graphmeet_core::model::*;
use graphmeet_core::store::{MeetingInsert, MeetingInserted};
use graphmeet_core::{Store, StoreError};
use uuid::Uuid;

use crate::error::SqlxResultExt;
use crate::{Backend, SqlStore};

pub(crate) use meetings::{stored_meeting, MEETING_COLUMNS};

#[async_trait]
impl Store for SqlStore {
    // ---- tenants (tenants.rs) -------------------------------------------------------------------
    async fn create_tenant(&self, tenant: &Tenant) -> Result<(), StoreError> {
        tenants::create_tenant(self, tenant).await
    }

    async fn get_tenant(&self, tenant_id: Uuid) -> Result<Option<Tenant>, StoreError> {
        tenants::get_tenant(self, tenant_id).await
    }

    async fn find_tenant_by_domain(&self, domain: &str) -> Result<Option<Tenant>, StoreError> {
        tenants::find_tenant_by_domain(self, domain).await
    }

    async fn list_tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        tenants::list_tenants(self).await
    }

    async fn delete_tenant(&self, tenant_id: Uuid) -> Result<bool, StoreError> {
        tenants::delete_tenant(self, tenant_id).await
    }

    // ---- users (users.rs) -----------------------------------------------------------------------
    async fn create_user(&self, user: &User) -> Result<(), StoreError> {
        users::create_user(self, user).await
    }

    async fn create_users(&self, users: &[User]) -> Result<(), StoreError> {
        users::create_users(self, users).await
    }

    async fn update_user(&self, user: &User) -> Result<bool, StoreError> {
        users::update_user(self, user).await
    }

    async fn get_user(&self, user_id: Uuid) -> Result<Option<User>, StoreError> {
        users::get_user(self, user_id).await
    }

    async fn find_user_by_upn(&self, upn: &str) -> Result<Option<User>, StoreError> {
        users::find_user_by_upn(self, upn).await
    }

    async fn list_users(&self, tenant_id: Uuid) -> Result<Vec<User>, StoreError> {
        users::list_users(self, tenant_id).await
    }

    async fn delete_user(&self, user_id: Uuid) -> Result<bool, StoreError> {
        users::delete_user(self, user_id).await
    }

    // ---- security groups and memberships (groups.rs) --------------------------------------------
    async fn create_group(&self, group: &Group) -> Result<(), StoreError> {
        groups::create_group(self, group).await
    }

    async fn create_groups(&self, groups: &[Group]) -> Result<(), StoreError> {
        groups::create_groups(self, groups).await
    }

    async fn get_group(&self, group_id: Uuid) -> Result<Option<Group>, StoreError> {
        groups::get_group(self, group_id).await
    }

    async fn add_group_member(&self, group_id: Uuid, user_id: Uuid) -> Result<(), StoreError> {
        groups::add_group_member(self, group_id, user_id).await
    }

    async fn add_group_members(&self, members: &[(Uuid, Uuid)]) -> Result<(), StoreError> {
        groups::add_group_members(self, members).await
    }

    async fn remove_group_member(&self, group_id: Uuid, user_id: Uuid) -> Result<bool, StoreError> {
        groups::remove_group_member(self, group_id, user_id).await
    }

    async fn groups_of_user(&self, user_id: Uuid) -> Result<Vec<Group>, StoreError> {
        groups::groups_of_user(self, user_id).await
    }

    async fn list_groups(&self, tenant_id: Uuid) -> Result<Vec<Group>, StoreError> {
        groups::list_groups(self, tenant_id).await
    }

    async fn list_group_members(&self, group_id: Uuid) -> Result<Vec<User>, StoreError> {
        groups::list_group_members(self, group_id).await
    }

    async fn list_memberships(&self, tenant_id: Uuid) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
        groups::list_memberships(self, tenant_id).await
    }

    async fn delete_group(&self, group_id: Uuid) -> Result<bool, StoreError> {
        groups::delete_group(self, group_id).await
    }

    // ---- apps and their credentials (apps.rs) ---------------------------------------------------
    async fn create_app(&self, app: &App) -> Result<(), StoreError> {
        apps::create_app(self, app).await
    }

    async fn get_app(&self, app_id: Uuid) -> Result<Option<App>, StoreError> {
        apps::get_app(self, app_id).await
    }

    async fn list_apps(&self) -> Result<Vec<App>, StoreError> {
        apps::list_apps(self).await
    }

    async fn update_app(&self, app: &App) -> Result<(), StoreError> {
        apps::update_app(self, app).await
    }

    async fn delete_app(&self, app_id: Uuid) -> Result<bool, StoreError> {
        apps::delete_app(self, app_id).await
    }

    async fn add_secret(&self, secret: &SecretCredential) -> Result<(), StoreError> {
        apps::add_secret(self, secret).await
    }

    async fn list_secrets(&self, app_id: Uuid) -> Result<Vec<SecretCredential>, StoreError> {
        apps::list_secrets(self, app_id).await
    }

    async fn delete_secret(&self, app_id: Uuid, key_id: Uuid) -> Result<bool, StoreError> {
        apps::delete_secret(self, app_id, key_id).await
    }

    async fn add_certificate(&self, cert: &CertificateCredential) -> Result<(), StoreError> {
        apps::add_certificate(self, cert).await
    }

    async fn list_certificates(
        &self,
        app_id: Uuid,
    ) -> Result<Vec<CertificateCredential>, StoreError> {
        apps::list_certificates(self, app_id).await
    }

    async fn delete_certificate(&self, app_id: Uuid, key_id: Uuid) -> Result<bool, StoreError> {
        apps::delete_certificate(self, app_id, key_id).await
    }

    // ---- admin consent (service principals) (consent.rs) ----------------------------------------
    async fn grant_consent(
        &self,
        tenant_id: Uuid,
        app_id: Uuid,
        new_id: Uuid,
        roles: &[String],
        now: DateTime<Utc>,
    ) -> Result<ServicePrincipal, StoreError> {
        consent::grant_consent(self, tenant_id, app_id, new_id, roles, now).await
    }

    async fn get_service_principal(
        &self,
        tenant_id: Uuid,
        app_id: Uuid,
    ) -> Result<Option<ServicePrincipal>, StoreError> {
        consent::get_service_principal(self, tenant_id, app_id).await
    }

    async fn list_service_principals(
        &self,
        tenant_id: Uuid,
    ) -> Result<Vec<ServicePrincipal>, StoreError> {
        consent::list_service_principals(self, tenant_id).await
    }

    async fn revoke_consent(
        &self,
        tenant_id: Uuid,
        app_id: Uuid,
        roles: &[String],
    ) -> Result<ServicePrincipal, StoreError> {
        consent::revoke_consent(self, tenant_id, app_id, roles).await
    }

    // ---- signing keys and client-assertion ids (keys.rs) ----------------------------------------
    async fn rotate_signing_key(&self, key: &SigningKey) -> Result<(), StoreError> {
        keys::rotate_signing_key(self, key).await
    }

    async fn replace_signing_key_private(
        &self,
        kid: &str,
        expected: &[u8],
        replacement: &[u8],
    ) -> Result<bool, StoreError> {
        keys::replace_signing_key_private(self, kid, expected, replacement).await
    }

    async fn list_signing_keys(&self) -> Result<Vec<SigningKey>, StoreError> {
        keys::list_signing_keys(self).await
    }

    async fn record_assertion_id(
        &self,
        app_id: Uuid,
        jti: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        keys::record_assertion_id(self, app_id, jti, expires_at, now).await
    }

    // ---- application access policies (policies.rs) ----------------------------------------------
    async fn create_policy(&self, policy: &AccessPolicy) -> Result<(), StoreError> {
        policies::create_policy(self, policy).await
    }

    async fn get_policy(
        &self,
        tenant_id: Uuid,
        name: &str,
    ) -> Result<Option<AccessPolicy>, StoreError> {
        policies::get_policy(self, tenant_id, name).await
    }

    async fn list_policies(&self, tenant_id: Uuid) -> Result<Vec<AccessPolicy>, StoreError> {
        policies::list_policies(self, tenant_id).await
    }

    async fn change_policy_apps(
        &self,
        tenant_id: Uuid,
        name: &str,
        add: &[Uuid],
        remove: &[Uuid],
        at: DateTime<Utc>,
    ) -> Result<AccessPolicy, StoreError> {
        policies::change_policy_apps(self, tenant_id, name, add, remove, at).await
    }

    async fn set_policy_description(
        &self,
        tenant_id: Uuid,
        name: &str,
        description: &str,
    ) -> Result<(), StoreError> {
        policies::set_policy_description(self, tenant_id, name, description).await
    }

    async fn remove_policy(
        &self,
        tenant_id: Uuid,
        name: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        policies::remove_policy(self, tenant_id, name, at).await
    }

    // ---- policy grants (grants.rs) --------------------------------------------------------------
    async fn grant_policy(&self, grant: &PolicyGrant) -> Result<(), StoreError> {
        grants::grant_policy(self, grant).await
    }

    async fn grant_policies(&self, grants: &[PolicyGrant]) -> Result<(), StoreError> {
        grants::grant_policies(self, grants).await
    }

    async fn revoke_policy_grant(
        &self,
        tenant_id: Uuid,
        target: GrantTarget,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        grants::revoke_policy_grant(self, tenant_id, target, at).await
    }

    async fn list_policy_grants(&self, tenant_id: Uuid) -> Result<Vec<PolicyGrant>, StoreError> {
        grants::list_policy_grants(self, tenant_id).await
    }

    async fn list_grants_of(
        &self,
        tenant_id: Uuid,
        assignee: GrantTarget,
    ) -> Result<Vec<PolicyGrant>, StoreError> {
        grants::list_grants_of(self, tenant_id, assignee).await
    }

    // ---- meetings (meetings.rs) -----------------------------------------------------------------
    async fn get_meeting(
        &self,
        tenant_id: Uuid,
        meeting_id: &str,
    ) -> Result<Option<StoredMeeting>, StoreError> {
        meetings::get_meeting(self, tenant_id, meeting_id).await
    }

    async fn get_meeting_revision(
        &self,
        tenant_id: Uuid,
        meeting_id: &str,
        known: Option<i64>,
    ) -> Result<Option<MeetingRevision>, StoreError> {
        meetings::get_meeting_revision(self, tenant_id, meeting_id, known).await
    }

    async fn find_meeting_by_external_id(
        &self,
        tenant_id: Uuid,
        organizer_id: Uuid,
        external_id: &str,
    ) -> Result<Option<StoredMeeting>, StoreError> {
        meetings::find_meeting_by_external_id(self, tenant_id, organizer_id, external_id).await
    }

    async fn find_meeting_by_join_web_url(
        &self,
        tenant_id: Uuid,
        join_web_url: &str,
    ) -> Result<Option<StoredMeeting>, StoreError> {
        meetings::find_meeting_by_join_web_url(self, tenant_id, join_web_url).await
    }

    async fn find_meeting_by_join_meeting_id(
        &self,
        tenant_id: Uuid,
        join_meeting_id: &str,
    ) -> Result<Option<StoredMeeting>, StoreError> {
        meetings::find_meeting_by_join_meeting_id(self, tenant_id, join_meeting_id).await
    }

    async fn list_organizer_meetings(
        &self,
        query: &graphmeet_core::store::OrganizerMeetingsQuery,
    ) -> Result<Vec<StoredMeeting>, StoreError> {
        meetings::list_organizer_meetings(self, query).await
    }

    async fn find_meeting_by_thread_id(
        &self,
        thread_id: &str,
    ) -> Result<Option<StoredMeeting>, StoreError> {
        meetings::find_meeting_by_thread_id(self, thread_id).await
    }

    async fn update_meeting(&self, meeting: &StoredMeeting) -> Result<(), StoreError> {
        meetings::update_meeting(self, meeting).await
    }

    async fn delete_meeting(&self, tenant_id: Uuid, meeting_id: &str) -> Result<bool, StoreError> {
        meetings::delete_meeting(self, tenant_id, meeting_id).await
    }

    async fn count_meetings(
        &self,
        tenant_id: Uuid,
        organizer_id: Option<Uuid>,
    ) -> Result<u64, StoreError> {
        meetings::count_meetings(self, tenant_id, organizer_id).await
    }

    async fn count_meetings_created(
        &self,
        organizer_id: Uuid,
        since: DateTime<Utc>,
        before: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        meetings::count_meetings_created(self, organizer_id, since, before).await
    }

    async fn insert_meetings(
        &self,
        batch: &[MeetingInsert],
    ) -> Result<Vec<Result<MeetingInserted, StoreError>>, StoreError> {
        meetings::insert_meetings(self, batch).await
    }

    // ---- the audit log (audit.rs) ---------------------------------------------------------------
    async fn append_audit_batch(&self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        audit::append_audit_batch(self, entries).await
    }

    async fn query_audit(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
        audit::query_audit(self, query).await
    }

    async fn purge_audit(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        audit::purge_audit(self, before).await
    }

    // ---- the directory change log (changes.rs) --------------------------------------------------
    async fn directory_changes(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<DirectoryChange>, StoreError> {
        changes::directory_changes(self, after, limit).await
    }

    async fn directory_change_bounds(&self) -> Result<(i64, i64), StoreError> {
        changes::directory_change_bounds(self).await
    }

    async fn prune_directory_changes(&self, keep: i64) -> Result<u64, StoreError> {
        changes::prune_directory_changes(self, keep).await
    }

    // ---- Exchange Online application access policies (exchange.rs) ------------------------------
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

    // ---- everything -----------------------------------------------------------------------------
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
