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

mod lookup;
mod sync;

use crate::model::*;
use crate::store::{Store, StoreError};
use std::collections::{BTreeSet, HashMap};
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
}
