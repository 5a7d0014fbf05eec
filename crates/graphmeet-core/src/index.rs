//! The directory in memory: what authorization and the token endpoint read, so that a decision
//! is a handful of hash lookups whatever the size of the tenant.
//!
//! The index holds tenants and their domains, users by id and UPN, group memberships, apps with
//! their credentials, service principals with their roles, and each tenant's access policies and
//! grants with their history (so the propagation delay works on it exactly as on the store).
//!
//! It is loaded from the store at start and kept current from the store's change log
//! ([`Store::directory_changes`]): every write through this process catches up before it
//! returns ([`DirectoryIndex::catch_up`]), and a background task catches up when another
//! instance sharing the database announces a change (PostgreSQL `LISTEN/NOTIFY`) and on a
//! short poll, so a missed notification cannot leave an instance stale. A change re-reads just
//! the record it names; a burst larger than [`FULL_RELOAD_AFTER`] changes, or a gap left by
//! pruning, reloads everything.

use crate::model::*;
use crate::store::{Store, StoreError};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use uuid::Uuid;

/// Past this many distinct changes in one catch-up, reloading everything is cheaper than
/// re-reading each record.
pub const FULL_RELOAD_AFTER: usize = 2_000;

/// How many change-log rows one read takes.
const CHANGES_PER_READ: u32 = 5_000;

/// An app registration with its credentials.
#[derive(Debug, Clone)]
pub struct AppEntry {
    /// The registration.
    pub app: App,
    /// Its client secrets (hashes only).
    pub secrets: Vec<SecretCredential>,
    /// Its certificates.
    pub certificates: Vec<CertificateCredential>,
}

/// Whose grants: the key of a grant history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Assignee {
    User(Uuid),
    Group(Uuid),
    Global,
}

impl From<GrantTarget> for Assignee {
    fn from(t: GrantTarget) -> Self {
        match t {
            GrantTarget::User(u) => Self::User(u),
            GrantTarget::Group { id, .. } => Self::Group(id),
            GrantTarget::Global => Self::Global,
        }
    }
}

#[derive(Debug, Default)]
struct TenantEntry {
    tenant: Option<Arc<Tenant>>,
    /// user → the groups it is a direct member of.
    groups_of: HashMap<Uuid, Vec<Uuid>>,
    /// app → its service principal in this tenant.
    service_principals: HashMap<Uuid, Arc<ServicePrincipal>>,
    /// Every policy, removed ones included.
    policies: HashMap<Uuid, Arc<AccessPolicy>>,
    /// Every grant, ended ones included, by assignee, oldest first.
    grants: HashMap<Assignee, Vec<PolicyGrant>>,
    /// The tenant's users, in object-id order (the order `GET /users` pages in).
    users: BTreeSet<Uuid>,
    /// Every Exchange application access policy, removed ones included.
    exchange_policies: Arc<Vec<crate::policy::ExchangePolicy>>,
}

#[derive(Debug, Default)]
struct Data {
    /// The last change-log row applied.
    applied: i64,
    tenants: HashMap<Uuid, TenantEntry>,
    domains: HashMap<String, Uuid>,
    users: HashMap<Uuid, Arc<User>>,
    upns: HashMap<String, Uuid>,
    apps: HashMap<Uuid, Arc<AppEntry>>,
}

impl Data {
    fn tenant_mut(&mut self, id: Uuid) -> &mut TenantEntry {
        self.tenants.entry(id).or_default()
    }

    fn set_tenant(&mut self, id: Uuid, tenant: Option<Tenant>) {
        self.domains.retain(|_, t| *t != id);
        match tenant {
            Some(t) => {
                for d in &t.domains {
                    self.domains.insert(d.to_ascii_lowercase(), id);
                }
                self.tenant_mut(id).tenant = Some(Arc::new(t));
            }
            None => {
                self.tenants.remove(&id);
                let gone: Vec<Uuid> = self
                    .users
                    .values()
                    .filter(|u| u.tenant_id == id)
                    .map(|u| u.id)
                    .collect();
                for u in gone {
                    self.set_user(u, None);
                }
            }
        }
    }

    fn set_user(&mut self, id: Uuid, user: Option<User>) {
        if let Some(old) = self.users.remove(&id) {
            self.upns.remove(&old.upn.to_ascii_lowercase());
            if let Some(t) = self.tenants.get_mut(&old.tenant_id) {
                t.users.remove(&id);
            }
            if user.as_ref().is_none_or(|u| u.tenant_id != old.tenant_id) {
                if let Some(t) = self.tenants.get_mut(&old.tenant_id) {
                    t.groups_of.remove(&id);
                }
            }
        }
        if let Some(u) = user {
            self.tenant_mut(u.tenant_id).users.insert(id);
            self.upns.insert(u.upn.to_ascii_lowercase(), id);
            self.users.insert(id, Arc::new(u));
        }
    }
}

/// What one catch-up did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CatchUp {
    /// Change-log rows applied.
    pub changes: usize,
    /// Whether everything was loaded again.
    pub reloaded: bool,
    /// Whether the signing keys changed (the key ring must reload).
    pub signing_keys: bool,
}

/// The in-memory directory index; see the module docs. Cheap to share behind an `Arc`.
pub struct DirectoryIndex {
    store: Arc<dyn Store>,
    data: RwLock<Data>,
    /// One catch-up at a time, so changes apply in log order.
    sync: tokio::sync::Mutex<()>,
    /// Bulk writes (seed applies) in progress on this instance: catching up waits for their
    /// end, which catches up once, instead of reloading everything again and again meanwhile.
    bulk: std::sync::atomic::AtomicUsize,
}

/// Holds catch-ups back while a bulk write runs; see [`DirectoryIndex::bulk_write`].
#[derive(Debug)]
pub struct BulkWrite<'a>(&'a DirectoryIndex);

impl Drop for BulkWrite<'_> {
    fn drop(&mut self) {
        self.0
            .bulk
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl std::fmt::Debug for DirectoryIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let data = self.read();
        f.debug_struct("DirectoryIndex")
            .field("applied", &data.applied)
            .field("tenants", &data.tenants.len())
            .field("users", &data.users.len())
            .finish()
    }
}

/// The policies and grants that can decide for one user, with the user's groups: the input of
/// [`crate::policy::decide`], gathered without looking at anyone else's.
#[derive(Debug, Clone, Default)]
pub struct PolicyInputs {
    /// The policies the grants point at, removed ones included.
    pub policies: Vec<AccessPolicy>,
    /// The user's own grants, its groups' grants and the global grants, ended ones included.
    pub grants: Vec<PolicyGrant>,
    /// The groups the user is a direct member of.
    pub groups: Vec<Uuid>,
}

impl DirectoryIndex {
    /// Loads the whole directory from `store`.
    pub async fn load(store: Arc<dyn Store>) -> Result<Arc<Self>, StoreError> {
        let index = Arc::new(Self {
            store,
            data: RwLock::new(Data::default()),
            sync: tokio::sync::Mutex::new(()),
            bulk: std::sync::atomic::AtomicUsize::new(0),
        });
        let _turn = index.sync.lock().await;
        index.reload().await?;
        drop(_turn);
        Ok(index)
    }

    /// Marks a bulk write (a seed apply) in progress until the guard drops: catch-ups do
    /// nothing meanwhile (a bulk write changes so much that each would reload the whole
    /// directory, holding two copies at once); catch up after dropping it.
    pub fn bulk_write(&self) -> BulkWrite<'_> {
        self.bulk.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        BulkWrite(self)
    }

    fn read(&self) -> RwLockReadGuard<'_, Data> {
        self.data.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Data> {
        self.data.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The last change-log row applied.
    pub fn applied(&self) -> i64 {
        self.read().applied
    }

    /// Reads everything; the caller holds `sync`.
    async fn reload(&self) -> Result<(), StoreError> {
        let store = self.store.as_ref();
        // The log position first: whatever commits while the rest is read is applied again by
        // the next catch-up, which is harmless (every change re-reads its record).
        let (_, applied) = store.directory_change_bounds().await?;
        let mut data = Data {
            applied,
            ..Data::default()
        };
        for tenant in store.list_tenants().await? {
            let id = tenant.id;
            let mut entry = TenantEntry::default();
            for user in store.list_users(id).await? {
                entry.users.insert(user.id);
                data.upns.insert(user.upn.to_ascii_lowercase(), user.id);
                data.users.insert(user.id, Arc::new(user));
            }
            for (group, user) in store.list_memberships(id).await? {
                entry.groups_of.entry(user).or_default().push(group);
            }
            for sp in store.list_service_principals(id).await? {
                entry.service_principals.insert(sp.app_id, Arc::new(sp));
            }
            for policy in store.list_policies(id).await? {
                entry.policies.insert(policy.id, Arc::new(policy));
            }
            for grant in store.list_policy_grants(id).await? {
                entry
                    .grants
                    .entry(grant.target.into())
                    .or_default()
                    .push(grant);
            }
            entry.exchange_policies = Arc::new(store.list_exchange_policies(id).await?);
            for d in &tenant.domains {
                data.domains.insert(d.to_ascii_lowercase(), id);
            }
            entry.tenant = Some(Arc::new(tenant));
            data.tenants.insert(id, entry);
        }
        for app in store.list_apps().await? {
            let entry = self.read_app(app).await?;
            data.apps.insert(entry.app.app_id, Arc::new(entry));
        }
        *self.write() = data;
        Ok(())
    }

    async fn read_app(&self, app: App) -> Result<AppEntry, StoreError> {
        Ok(AppEntry {
            secrets: self.store.list_secrets(app.app_id).await?,
            certificates: self.store.list_certificates(app.app_id).await?,
            app,
        })
    }

    /// Applies every change logged since the last catch-up. Writers through this process call
    /// it before they return, so their change is seen by the next request; the background task
    /// calls it for the changes other instances make.
    pub async fn catch_up(&self) -> Result<CatchUp, StoreError> {
        if self.bulk.load(std::sync::atomic::Ordering::SeqCst) > 0 {
            return Ok(CatchUp::default());
        }
        let _turn = self.sync.lock().await;
        let mut outcome = CatchUp::default();
        loop {
            let after = self.applied();
            let changes = self
                .store
                .directory_changes(after, CHANGES_PER_READ)
                .await?;
            let Some(last) = changes.last().map(|c| c.seq) else {
                return Ok(outcome);
            };
            // Rows pruned before this instance read them leave nothing but a reload safe. A
            // gap in the numbers alone proves nothing (PostgreSQL does not reuse the numbers of
            // rolled-back rows); pruning removes a prefix, so it shows as the oldest row kept
            // lying beyond the next one wanted.
            let gap = match changes.first() {
                Some(first) if first.seq > after + 1 => {
                    self.store.directory_change_bounds().await?.0 > after + 1
                }
                _ => false,
            };
            let distinct: HashSet<ChangedEntity> =
                changes.iter().map(|c| c.entity.clone()).collect();
            outcome.changes += changes.len();
            outcome.signing_keys |= distinct.contains(&ChangedEntity::SigningKeys);
            if gap
                || distinct.len() > FULL_RELOAD_AFTER
                || distinct.contains(&ChangedEntity::Unknown)
            {
                self.reload().await?;
                outcome.reloaded = true;
                outcome.signing_keys = true;
                continue;
            }
            for entity in distinct {
                self.apply(entity).await?;
            }
            self.write().applied = last;
            if changes.len() < CHANGES_PER_READ as usize {
                return Ok(outcome);
            }
        }
    }

    /// Re-reads the record a change names.
    async fn apply(&self, entity: ChangedEntity) -> Result<(), StoreError> {
        let store = self.store.as_ref();
        match entity {
            ChangedEntity::Tenant(id) => {
                let tenant = store.get_tenant(id).await?;
                self.write().set_tenant(id, tenant);
            }
            ChangedEntity::User(id) => {
                let user = store.get_user(id).await?;
                self.write().set_user(id, user);
            }
            ChangedEntity::Memberships(user) => {
                let groups = store.groups_of_user(user).await?;
                let mut data = self.write();
                let tenant = groups
                    .first()
                    .map(|g| g.tenant_id)
                    .or_else(|| data.users.get(&user).map(|u| u.tenant_id));
                let ids: Vec<Uuid> = groups.iter().map(|g| g.id).collect();
                match tenant {
                    Some(t) if !ids.is_empty() => {
                        data.tenant_mut(t).groups_of.insert(user, ids);
                    }
                    Some(t) => {
                        data.tenant_mut(t).groups_of.remove(&user);
                    }
                    None => {}
                }
            }
            ChangedEntity::App(app_id) => {
                let entry = match store.get_app(app_id).await? {
                    Some(app) => Some(self.read_app(app).await?),
                    None => None,
                };
                let mut data = self.write();
                match entry {
                    Some(e) => {
                        data.apps.insert(app_id, Arc::new(e));
                    }
                    None => {
                        data.apps.remove(&app_id);
                    }
                }
            }
            ChangedEntity::ServicePrincipal { tenant_id, app_id } => {
                let sp = store.get_service_principal(tenant_id, app_id).await?;
                let mut data = self.write();
                let entry = data.tenant_mut(tenant_id);
                match sp {
                    Some(sp) => {
                        entry.service_principals.insert(app_id, Arc::new(sp));
                    }
                    None => {
                        entry.service_principals.remove(&app_id);
                    }
                }
            }
            ChangedEntity::Policies(tenant_id) => {
                let policies = store.list_policies(tenant_id).await?;
                let mut data = self.write();
                data.tenant_mut(tenant_id).policies =
                    policies.into_iter().map(|p| (p.id, Arc::new(p))).collect();
            }
            ChangedEntity::Grants {
                tenant_id,
                assignee,
            } => {
                let grants = store.list_grants_of(tenant_id, assignee).await?;
                let mut data = self.write();
                let entry = data.tenant_mut(tenant_id);
                if grants.is_empty() {
                    entry.grants.remove(&assignee.into());
                } else {
                    entry.grants.insert(assignee.into(), grants);
                }
            }
            ChangedEntity::ExchangePolicies(tenant_id) => {
                let policies = store.list_exchange_policies(tenant_id).await?;
                self.write().tenant_mut(tenant_id).exchange_policies = Arc::new(policies);
            }
            // The key ring reloads itself from the store; nothing of it lives here.
            ChangedEntity::SigningKeys => {}
            // Handled by a reload in `catch_up`.
            ChangedEntity::Unknown => {}
        }
        Ok(())
    }

    /// A tenant by id.
    pub fn tenant(&self, id: Uuid) -> Option<Arc<Tenant>> {
        self.read().tenants.get(&id).and_then(|t| t.tenant.clone())
    }

    /// A tenant by one of its domains, ignoring case.
    pub fn tenant_by_domain(&self, domain: &str) -> Option<Arc<Tenant>> {
        let data = self.read();
        let id = data.domains.get(&domain.to_ascii_lowercase())?;
        data.tenants.get(id).and_then(|t| t.tenant.clone())
    }

    /// A tenant by reference.
    pub fn resolve_tenant(&self, reference: &TenantRef) -> Option<Arc<Tenant>> {
        match reference {
            TenantRef::Id(id) => self.tenant(*id),
            TenantRef::Domain(d) => self.tenant_by_domain(d),
        }
    }

    /// Every tenant, oldest first.
    pub fn tenants(&self) -> Vec<Arc<Tenant>> {
        let mut all: Vec<Arc<Tenant>> = self
            .read()
            .tenants
            .values()
            .filter_map(|t| t.tenant.clone())
            .collect();
        all.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        all
    }

    /// A user by object id, in any tenant.
    pub fn user(&self, id: Uuid) -> Option<Arc<User>> {
        self.read().users.get(&id).cloned()
    }

    /// A user by UPN, ignoring case, in any tenant.
    pub fn user_by_upn(&self, upn: &str) -> Option<Arc<User>> {
        let data = self.read();
        let id = data.upns.get(&upn.to_ascii_lowercase())?;
        data.users.get(id).cloned()
    }

    /// A user by reference, within a tenant (a user of another tenant is not found).
    pub fn user_in(&self, tenant_id: Uuid, reference: &UserRef) -> Option<Arc<User>> {
        let user = match reference {
            UserRef::Id(id) => self.user(*id),
            UserRef::Upn(upn) => self.user_by_upn(upn),
        }?;
        (user.tenant_id == tenant_id).then_some(user)
    }

    /// Up to `limit` users of a tenant that pass `keep`, in object-id order, starting after
    /// `after`; and whether more such users follow.
    pub fn users_page(
        &self,
        tenant_id: Uuid,
        after: Option<Uuid>,
        limit: usize,
        keep: impl Fn(&User) -> bool,
    ) -> (Vec<Arc<User>>, bool) {
        let data = self.read();
        let Some(entry) = data.tenants.get(&tenant_id) else {
            return (Vec::new(), false);
        };
        let range = match after {
            Some(id) => entry
                .users
                .range((std::ops::Bound::Excluded(id), std::ops::Bound::Unbounded)),
            None => entry.users.range(..),
        };
        let mut page = Vec::new();
        for id in range {
            let Some(user) = data.users.get(id) else {
                continue;
            };
            if !keep(user) {
                continue;
            }
            if page.len() == limit {
                return (page, true);
            }
            page.push(Arc::clone(user));
        }
        (page, false)
    }

    /// An app registration with its credentials.
    pub fn app(&self, app_id: Uuid) -> Option<Arc<AppEntry>> {
        self.read().apps.get(&app_id).cloned()
    }

    /// The app's service principal in a tenant.
    pub fn service_principal(
        &self,
        tenant_id: Uuid,
        app_id: Uuid,
    ) -> Option<Arc<ServicePrincipal>> {
        self.read()
            .tenants
            .get(&tenant_id)?
            .service_principals
            .get(&app_id)
            .cloned()
    }

    /// The groups a user is a direct member of.
    pub fn groups_of(&self, tenant_id: Uuid, user_id: Uuid) -> Vec<Uuid> {
        self.read()
            .tenants
            .get(&tenant_id)
            .and_then(|t| t.groups_of.get(&user_id).cloned())
            .unwrap_or_default()
    }

    /// Everything that can decide whether an app may act for `user_id`: the user's grants, its
    /// groups' grants, the global grants and the policies they point at. Its cost depends on
    /// the user's own grants and groups only.
    pub fn policy_inputs(&self, tenant_id: Uuid, user_id: Uuid) -> PolicyInputs {
        let data = self.read();
        let Some(tenant) = data.tenants.get(&tenant_id) else {
            return PolicyInputs::default();
        };
        let groups = tenant.groups_of.get(&user_id).cloned().unwrap_or_default();
        let assignees = std::iter::once(Assignee::User(user_id))
            .chain(groups.iter().map(|g| Assignee::Group(*g)))
            .chain(std::iter::once(Assignee::Global));
        let grants: Vec<PolicyGrant> = assignees
            .filter_map(|a| tenant.grants.get(&a))
            .flatten()
            .cloned()
            .collect();
        let mut policy_ids: Vec<Uuid> = grants.iter().map(|g| g.policy_id).collect();
        policy_ids.sort();
        policy_ids.dedup();
        let policies = policy_ids
            .iter()
            .filter_map(|id| tenant.policies.get(id))
            .map(|p| AccessPolicy::clone(p))
            .collect();
        PolicyInputs {
            policies,
            grants,
            groups,
        }
    }

    /// What decides whether an app may reach `user_id`'s mailbox under Exchange's application
    /// access policies: the tenant's Exchange policies and the user's groups.
    pub fn exchange_inputs(
        &self,
        tenant_id: Uuid,
        user_id: Uuid,
    ) -> (Arc<Vec<crate::policy::ExchangePolicy>>, Vec<Uuid>) {
        let data = self.read();
        match data.tenants.get(&tenant_id) {
            Some(t) => (
                t.exchange_policies.clone(),
                t.groups_of.get(&user_id).cloned().unwrap_or_default(),
            ),
            None => (Arc::default(), Vec::new()),
        }
    }

    /// How many app registrations the index holds.
    pub fn app_count(&self) -> usize {
        self.read().apps.len()
    }

    /// How many users the index holds, in every tenant.
    pub fn user_count(&self) -> usize {
        self.read().users.len()
    }
}

/// Reads for the admin console's pages: each walks one tenant's entry under one read lock and
/// stops at a page, so a page costs the same whatever the size of the directory.
impl DirectoryIndex {
    /// Up to `limit` users of a tenant that pass `keep` (which also sees the groups the user is
    /// a direct member of), in object-id order, starting after `after`; and whether more such
    /// users follow.
    pub fn users_page_with_groups(
        &self,
        tenant_id: Uuid,
        after: Option<Uuid>,
        limit: usize,
        keep: impl Fn(&User, &[Uuid]) -> bool,
    ) -> (Vec<Arc<User>>, bool) {
        let data = self.read();
        let Some(entry) = data.tenants.get(&tenant_id) else {
            return (Vec::new(), false);
        };
        let range = match after {
            Some(id) => entry
                .users
                .range((std::ops::Bound::Excluded(id), std::ops::Bound::Unbounded)),
            None => entry.users.range(..),
        };
        let mut page = Vec::new();
        for id in range {
            let Some(user) = data.users.get(id) else {
                continue;
            };
            let groups = entry.groups_of.get(id).map(Vec::as_slice).unwrap_or(&[]);
            if !keep(user, groups) {
                continue;
            }
            if page.len() == limit {
                return (page, true);
            }
            page.push(Arc::clone(user));
        }
        (page, false)
    }

    /// How many users a tenant has.
    pub fn tenant_user_count(&self, tenant_id: Uuid) -> usize {
        self.read()
            .tenants
            .get(&tenant_id)
            .map_or(0, |t| t.users.len())
    }

    /// The service principals of a tenant (the apps consented in it), by app id.
    pub fn service_principals_in(&self, tenant_id: Uuid) -> Vec<Arc<ServicePrincipal>> {
        let mut all: Vec<Arc<ServicePrincipal>> = self
            .read()
            .tenants
            .get(&tenant_id)
            .map(|t| t.service_principals.values().cloned().collect())
            .unwrap_or_default();
        all.sort_by_key(|sp| sp.app_id);
        all
    }

    /// A tenant's application access policies, removed ones included, by name.
    pub fn policies_in(&self, tenant_id: Uuid) -> Vec<Arc<AccessPolicy>> {
        let mut all: Vec<Arc<AccessPolicy>> = self
            .read()
            .tenants
            .get(&tenant_id)
            .map(|t| t.policies.values().cloned().collect())
            .unwrap_or_default();
        all.sort_by_key(|p| p.name.to_lowercase());
        all
    }

    /// A tenant's grants in force (not revoked nor replaced), oldest first.
    pub fn live_grants_in(&self, tenant_id: Uuid) -> Vec<PolicyGrant> {
        let mut all: Vec<PolicyGrant> = self
            .read()
            .tenants
            .get(&tenant_id)
            .map(|t| {
                t.grants
                    .values()
                    .flatten()
                    .filter(|g| g.revoked_at.is_none())
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        all.sort_by(|a, b| {
            a.granted_at
                .cmp(&b.granted_at)
                .then_with(|| format!("{:?}", a.target).cmp(&format!("{:?}", b.target)))
        });
        all
    }

    /// The app registrations whose home is a tenant, by display name.
    pub fn apps_homed_in(&self, tenant_id: Uuid) -> Vec<Arc<AppEntry>> {
        let mut all: Vec<Arc<AppEntry>> = self
            .read()
            .apps
            .values()
            .filter(|a| a.app.home_tenant_id == tenant_id)
            .cloned()
            .collect();
        all.sort_by(|a, b| a.app.display_name.cmp(&b.app.display_name));
        all
    }

    /// Every app registration, by display name.
    pub fn all_apps(&self) -> Vec<Arc<AppEntry>> {
        let mut all: Vec<Arc<AppEntry>> = self.read().apps.values().cloned().collect();
        all.sort_by(|a, b| {
            a.app
                .display_name
                .cmp(&b.app.display_name)
                .then(a.app.app_id.cmp(&b.app.app_id))
        });
        all
    }
}
