//! The storage interface. `graphmeet-store` implements it on SQLite and PostgreSQL; invariants
//! (unique domains, UPNs, thumbprints, one service principal per tenant and app, single-use
//! assertion ids) are database constraints, and each method is one transaction.

use crate::model::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What a store can fail with, in domain terms.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A uniqueness rule would be broken (a domain, UPN, thumbprint or name already taken).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database failed; the text is for logs, never for clients.
    #[error("database error: {0}")]
    Backend(String),
}

/// Persistent state of a graphmeet server.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Creates a tenant with its domains.
    async fn create_tenant(&self, tenant: &Tenant) -> Result<(), StoreError>;
    /// A tenant by id.
    async fn get_tenant(&self, id: Uuid) -> Result<Option<Tenant>, StoreError>;
    /// A tenant by one of its domains (case-insensitive).
    async fn find_tenant_by_domain(&self, domain: &str) -> Result<Option<Tenant>, StoreError>;
    /// Every tenant, oldest first.
    async fn list_tenants(&self) -> Result<Vec<Tenant>, StoreError>;

    /// Creates a user.
    async fn create_user(&self, user: &User) -> Result<(), StoreError>;
    /// Replaces a user's display name and account state (the id, tenant, UPN, password and
    /// creation time stay); `false` when there is no such user.
    async fn update_user(&self, user: &User) -> Result<bool, StoreError>;
    /// A user by object id.
    async fn get_user(&self, id: Uuid) -> Result<Option<User>, StoreError>;
    /// A user by UPN (case-insensitive).
    async fn find_user_by_upn(&self, upn: &str) -> Result<Option<User>, StoreError>;
    /// The users of a tenant, oldest first.
    async fn list_users(&self, tenant_id: Uuid) -> Result<Vec<User>, StoreError>;

    /// Creates a group.
    async fn create_group(&self, group: &Group) -> Result<(), StoreError>;
    /// A group by object id.
    async fn get_group(&self, id: Uuid) -> Result<Option<Group>, StoreError>;
    /// Adds a user to a group; adding a member twice is not an error.
    async fn add_group_member(&self, group_id: Uuid, user_id: Uuid) -> Result<(), StoreError>;
    /// Removes a user from a group; returns whether the user was a member.
    async fn remove_group_member(&self, group_id: Uuid, user_id: Uuid) -> Result<bool, StoreError>;
    /// The groups a user is a direct member of.
    async fn groups_of_user(&self, user_id: Uuid) -> Result<Vec<Group>, StoreError>;
    /// The groups of a tenant, oldest first.
    async fn list_groups(&self, tenant_id: Uuid) -> Result<Vec<Group>, StoreError>;
    /// The direct members of a group, oldest user first.
    async fn list_group_members(&self, group_id: Uuid) -> Result<Vec<User>, StoreError>;

    /// Registers an app.
    async fn create_app(&self, app: &App) -> Result<(), StoreError>;
    /// An app by application (client) id.
    async fn get_app(&self, app_id: Uuid) -> Result<Option<App>, StoreError>;
    /// Every app, oldest first.
    async fn list_apps(&self) -> Result<Vec<App>, StoreError>;
    /// Replaces an app's display name, audience and public-client setting (its ids, home
    /// tenant and creation time are immutable). NotFound if the app is gone.
    async fn update_app(&self, app: &App) -> Result<(), StoreError>;

    /// Adds a client secret (its hash) to an app.
    async fn add_secret(&self, secret: &SecretCredential) -> Result<(), StoreError>;
    /// The client secrets of an app.
    async fn list_secrets(&self, app_id: Uuid) -> Result<Vec<SecretCredential>, StoreError>;
    /// Adds a certificate to an app; a certificate already on the app is a conflict.
    async fn add_certificate(&self, cert: &CertificateCredential) -> Result<(), StoreError>;
    /// The certificates of an app.
    async fn list_certificates(
        &self,
        app_id: Uuid,
    ) -> Result<Vec<CertificateCredential>, StoreError>;

    /// Creates the app's service principal in a tenant, or, if it exists, adds `roles` to its
    /// granted app roles. Returns the service principal as stored.
    async fn grant_consent(
        &self,
        tenant_id: Uuid,
        app_id: Uuid,
        new_id: Uuid,
        roles: &[String],
        now: DateTime<Utc>,
    ) -> Result<ServicePrincipal, StoreError>;
    /// The app's service principal in a tenant.
    async fn get_service_principal(
        &self,
        tenant_id: Uuid,
        app_id: Uuid,
    ) -> Result<Option<ServicePrincipal>, StoreError>;
    /// Every service principal in a tenant (its own apps' and the consented foreign apps'),
    /// oldest first, each with its roles in the order they were granted.
    async fn list_service_principals(
        &self,
        tenant_id: Uuid,
    ) -> Result<Vec<ServicePrincipal>, StoreError>;
    /// Removes `roles` from the app's service principal in a tenant (roles it does not hold
    /// are ignored). The service principal stays, even with no role left, as Entra keeps the
    /// enterprise application. Returns it as stored; NotFound when there is none.
    async fn revoke_consent(
        &self,
        tenant_id: Uuid,
        app_id: Uuid,
        roles: &[String],
    ) -> Result<ServicePrincipal, StoreError>;

    /// Deletes a tenant and everything of it: domains, users (and their meetings and
    /// memberships), groups, the apps registered in it (with their credentials and their
    /// service principals in every tenant), the service principals in it, policies, grants,
    /// meetings. Returns whether it existed.
    async fn delete_tenant(&self, tenant_id: Uuid) -> Result<bool, StoreError>;
    /// Deletes a user with its meetings, its group memberships and every policy grant made to
    /// it (history included). Returns whether it existed.
    async fn delete_user(&self, user_id: Uuid) -> Result<bool, StoreError>;
    /// Deletes a group with its memberships and every policy grant made to it (history
    /// included). Returns whether it existed.
    async fn delete_group(&self, group_id: Uuid) -> Result<bool, StoreError>;
    /// Deletes an app registration with its secrets, certificates, recorded assertion ids and
    /// its service principals in every tenant. Policies listing its id keep it (Teams lists
    /// app ids as plain GUIDs). Returns whether it existed.
    async fn delete_app(&self, app_id: Uuid) -> Result<bool, StoreError>;
    /// Deletes one client secret of an app; returns whether it existed.
    async fn delete_secret(&self, app_id: Uuid, key_id: Uuid) -> Result<bool, StoreError>;
    /// Deletes one certificate of an app; returns whether it existed.
    async fn delete_certificate(&self, app_id: Uuid, key_id: Uuid) -> Result<bool, StoreError>;
    /// Empties the store, in one transaction: every row of every table goes except the signing
    /// keys, which are the server's identity rather than directory state (tokens and cached
    /// key sets stay verifiable, and the server stays ready).
    async fn reset(&self) -> Result<(), StoreError>;

    /// Publishes a new signing key and retires, at `key.created_at`, every key still active.
    async fn rotate_signing_key(&self, key: &SigningKey) -> Result<(), StoreError>;
    /// Replaces a signing key's stored private key, if it still is `expected` (so two instances
    /// sealing the same key at once cannot overwrite each other); whether it was replaced.
    async fn replace_signing_key_private(
        &self,
        kid: &str,
        expected: &[u8],
        replacement: &[u8],
    ) -> Result<bool, StoreError>;
    /// Every signing key, newest first.
    async fn list_signing_keys(&self) -> Result<Vec<SigningKey>, StoreError>;

    /// Records a client assertion's `jti` until `expires_at`. Returns `false` when that `jti`
    /// was already recorded for the app and has not expired: a replay.
    async fn record_assertion_id(
        &self,
        app_id: Uuid,
        jti: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Creates an application access policy with its apps listed from `policy.created_at`; a
    /// live policy of the same name (ignoring case) in the tenant is a conflict.
    async fn create_policy(&self, policy: &AccessPolicy) -> Result<(), StoreError>;
    /// The live policy of that name (ignoring case), with its app history.
    async fn get_policy(
        &self,
        tenant_id: Uuid,
        name: &str,
    ) -> Result<Option<AccessPolicy>, StoreError>;
    /// Every policy of a tenant, removed ones included, oldest first, with their app history.
    async fn list_policies(&self, tenant_id: Uuid) -> Result<Vec<AccessPolicy>, StoreError>;
    /// Lists `add` and unlists `remove` on the live policy `name` at `at`, in one transaction;
    /// adding a listed app or removing an unlisted one changes nothing. Returns the policy.
    async fn change_policy_apps(
        &self,
        tenant_id: Uuid,
        name: &str,
        add: &[Uuid],
        remove: &[Uuid],
        at: DateTime<Utc>,
    ) -> Result<AccessPolicy, StoreError>;
    /// Sets the live policy's description.
    async fn set_policy_description(
        &self,
        tenant_id: Uuid,
        name: &str,
        description: &str,
    ) -> Result<(), StoreError>;
    /// Removes the live policy at `at`, ending its live grants at the same time.
    async fn remove_policy(
        &self,
        tenant_id: Uuid,
        name: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Grants a live policy (`grant.policy_id`) to a target from `grant.granted_at`, ending the
    /// target's live grant at that time, in one transaction.
    async fn grant_policy(&self, grant: &PolicyGrant) -> Result<(), StoreError>;
    /// Ends the target's live grant at `at`; returns whether there was one.
    async fn revoke_policy_grant(
        &self,
        tenant_id: Uuid,
        target: GrantTarget,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Every grant of a tenant, ended ones included, oldest first.
    async fn list_policy_grants(&self, tenant_id: Uuid) -> Result<Vec<PolicyGrant>, StoreError>;

    /// Stores a new meeting. A taken meeting id, thread id, join URL or joinMeetingId is a
    /// conflict (the caller draws new ones); so is a taken (tenant, organizer, externalId).
    /// A batch of one of [`Store::insert_meetings`].
    async fn insert_meeting(&self, meeting: &StoredMeeting) -> Result<(), StoreError> {
        let batch = [MeetingInsert::Create(meeting.clone())];
        one_of(self.insert_meetings(&batch).await?).map(|_| ())
    }
    /// createOrGet: stores the meeting unless one with the same (tenant, organizer,
    /// externalId) exists, atomically. Returns the stored meeting and whether it was created.
    /// A batch of one of [`Store::insert_meetings`].
    async fn create_or_get_meeting(
        &self,
        meeting: &StoredMeeting,
    ) -> Result<(StoredMeeting, bool), StoreError> {
        let batch = [MeetingInsert::CreateOrGet(meeting.clone())];
        Ok(match one_of(self.insert_meetings(&batch).await?)? {
            MeetingInserted::Created => (meeting.clone(), true),
            MeetingInserted::Existing(existing) => (existing, false),
        })
    }
    /// A meeting by id, within a tenant.
    async fn get_meeting(
        &self,
        tenant_id: Uuid,
        id: &str,
    ) -> Result<Option<StoredMeeting>, StoreError>;
    /// A meeting's revision within a tenant, with its document unless its revision is `known`
    /// (`None` when there is no such meeting). Every update of the document makes a new
    /// revision, so a rendering of revision `known` is the rendering of what is stored now.
    async fn get_meeting_revision(
        &self,
        tenant_id: Uuid,
        id: &str,
        known: Option<i64>,
    ) -> Result<Option<MeetingRevision>, StoreError>;
    /// A meeting by exact join URL, within a tenant.
    async fn find_meeting_by_join_web_url(
        &self,
        tenant_id: Uuid,
        join_web_url: &str,
    ) -> Result<Option<StoredMeeting>, StoreError>;
    /// A meeting by joinMeetingId, within a tenant.
    async fn find_meeting_by_join_meeting_id(
        &self,
        tenant_id: Uuid,
        join_meeting_id: &str,
    ) -> Result<Option<StoredMeeting>, StoreError>;
    /// The organizer's meeting with this createOrGet externalId.
    async fn find_meeting_by_external_id(
        &self,
        tenant_id: Uuid,
        organizer_id: Uuid,
        external_id: &str,
    ) -> Result<Option<StoredMeeting>, StoreError>;
    /// A meeting by chat thread id, in any tenant (the join landing page).
    async fn find_meeting_by_thread_id(
        &self,
        thread_id: &str,
    ) -> Result<Option<StoredMeeting>, StoreError>;
    /// An organizer's meetings, newest first (then by id, descending), after a cursor: the
    /// administrator's view of them (the admin console), not a Graph call's.
    async fn list_organizer_meetings(
        &self,
        query: &OrganizerMeetingsQuery,
    ) -> Result<Vec<StoredMeeting>, StoreError>;
    /// Replaces a meeting's document and `updated_at` (keys are immutable). NotFound if gone.
    async fn update_meeting(&self, meeting: &StoredMeeting) -> Result<(), StoreError>;
    /// Deletes a meeting; returns whether it existed.
    async fn delete_meeting(&self, tenant_id: Uuid, id: &str) -> Result<bool, StoreError>;
    /// How many meetings a tenant (or one organizer in it) has.
    async fn count_meetings(
        &self,
        tenant_id: Uuid,
        organizer_id: Option<Uuid>,
    ) -> Result<u64, StoreError>;
    /// How many meetings `organizer_id` created with `created_at` in `[since, before)`,
    /// including meetings deleted since: the count the monthly meeting quota is checked against.
    async fn count_meetings_created(
        &self,
        organizer_id: Uuid,
        since: DateTime<Utc>,
        before: DateTime<Utc>,
    ) -> Result<u64, StoreError>;

    /// Appends an entry to the audit log: a batch of one of [`Store::append_audit_batch`].
    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        self.append_audit_batch(std::slice::from_ref(entry)).await
    }
    /// Audit entries matching the query, newest first.
    async fn query_audit(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError>;
    /// Deletes entries older than `before`; returns how many.
    async fn purge_audit(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;

    /// The directory change log after `after`, oldest first, at most `limit` rows.
    async fn directory_changes(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<DirectoryChange>, StoreError>;
    /// The oldest and newest sequence numbers in the change log; `(0, 0)` when it is empty.
    async fn directory_change_bounds(&self) -> Result<(i64, i64), StoreError>;
    /// Deletes change-log rows, keeping the newest `keep`; returns how many went.
    async fn prune_directory_changes(&self, keep: i64) -> Result<u64, StoreError>;
    /// Every (group, user) membership of a tenant's groups.
    async fn list_memberships(&self, tenant_id: Uuid) -> Result<Vec<(Uuid, Uuid)>, StoreError>;
    /// The grants, ended ones included, of one assignee (for a group, whatever its rank),
    /// oldest first.
    async fn list_grants_of(
        &self,
        tenant_id: Uuid,
        assignee: GrantTarget,
    ) -> Result<Vec<PolicyGrant>, StoreError>;
    /// Creates many users in one transaction (bulk seeding): all or none.
    async fn create_users(&self, users: &[User]) -> Result<(), StoreError>;
    /// Grants policies to many targets in one transaction (bulk seeding), each as
    /// [`Store::grant_policy`] would: all or none.
    async fn grant_policies(&self, grants: &[PolicyGrant]) -> Result<(), StoreError>;
    /// Adds many (group, user) memberships in one transaction (bulk seeding); existing ones
    /// are not an error.
    async fn add_group_members(&self, members: &[(Uuid, Uuid)]) -> Result<(), StoreError>;
    /// Creates many groups in one transaction (bulk seeding): all or none.
    async fn create_groups(&self, groups: &[Group]) -> Result<(), StoreError>;
    /// Stores a batch of new meetings in one transaction (one commit for all of them), each
    /// with the rules of [`Store::insert_meeting`] or [`Store::create_or_get_meeting`]. A
    /// meeting that cannot be stored (a taken key, a missing organizer) fails alone, with
    /// that error at its position, and the others are stored. The outer error means the
    /// transaction failed and none of the batch was stored.
    async fn insert_meetings(
        &self,
        batch: &[MeetingInsert],
    ) -> Result<Vec<Result<MeetingInserted, StoreError>>, StoreError>;
    /// Appends audit entries in one transaction: all of them, or none on error.
    async fn append_audit_batch(&self, entries: &[AuditEntry]) -> Result<(), StoreError>;

    // ---- Exchange Online application access policies ----------------------------------------

    /// Stores new Exchange policies (one per app of a `New-ApplicationAccessPolicy`), all or
    /// none; a live policy for the same app and group is a `Conflict`.
    async fn create_exchange_policies(
        &self,
        policies: &[crate::policy::ExchangePolicy],
    ) -> Result<(), StoreError>;
    /// Every Exchange policy of a tenant, removed ones included, oldest first.
    async fn list_exchange_policies(
        &self,
        tenant_id: Uuid,
    ) -> Result<Vec<crate::policy::ExchangePolicy>, StoreError>;
    /// Sets a live policy's description; false when there is no such live policy.
    async fn set_exchange_policy_description(
        &self,
        tenant_id: Uuid,
        id: Uuid,
        description: &str,
    ) -> Result<bool, StoreError>;
    /// Ends a live policy at `at`; false when there is no such live policy.
    async fn remove_exchange_policy(
        &self,
        tenant_id: Uuid,
        id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
}

/// The outcome of the one meeting of a batch of one.
fn one_of(
    outcomes: Vec<Result<MeetingInserted, StoreError>>,
) -> Result<MeetingInserted, StoreError> {
    outcomes.into_iter().next().unwrap_or_else(|| {
        Err(StoreError::Backend(
            "a batch of one meeting gave no outcome".to_owned(),
        ))
    })
}

/// One meeting of a batched insert ([`Store::insert_meetings`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MeetingInsert {
    /// `POST …/onlineMeetings`: every taken key is a conflict.
    Create(StoredMeeting),
    /// createOrGet: a taken (tenant, organizer, externalId) gives back the meeting stored
    /// under it; any other taken key is a conflict.
    CreateOrGet(StoredMeeting),
}

impl MeetingInsert {
    /// The meeting to store.
    pub fn meeting(&self) -> &StoredMeeting {
        match self {
            Self::Create(m) | Self::CreateOrGet(m) => m,
        }
    }
}

/// What a batched insert did with one meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MeetingInserted {
    /// The meeting was stored as given.
    Created,
    /// createOrGet: the organizer already had a meeting with that externalId; here it is.
    Existing(StoredMeeting),
}

/// Which of an organizer's meetings [`Store::list_organizer_meetings`] returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizerMeetingsQuery {
    /// The organizer's tenant.
    pub tenant_id: Uuid,
    /// The organizer.
    pub organizer_id: Uuid,
    /// Only meetings whose stored document contains this text, ignoring ASCII case (a
    /// pre-filter: the caller checks the property it searches).
    pub document_contains: Option<String>,
    /// Only meetings before this `(created_at, id)`, in the list's order.
    pub before: Option<(DateTime<Utc>, String)>,
    /// At most this many.
    pub limit: u32,
}
