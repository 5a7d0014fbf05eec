//! What an apply looks records up in: the users and groups already known, by id and by natural
//! key, and the live grants a seed's grant is compared with.

use super::invalid;

use crate::directory::{Directory, DirectoryError};
use crate::model::*;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Users as a seed sees them: the store's (read on first need) and those the seed makes.
#[derive(Default)]
pub(super) struct KnownUsers {
    by_id: HashMap<Uuid, User>,
    by_upn: HashMap<String, Uuid>,
    loaded: bool,
}

impl KnownUsers {
    /// Reads every user once: one query per tenant instead of two per seeded user.
    async fn load(&mut self, dir: &Directory) -> Result<(), DirectoryError> {
        if !self.loaded {
            for tenant in dir.store.list_tenants().await? {
                for user in dir.store.list_users(tenant.id).await? {
                    self.made(&user);
                }
            }
            self.loaded = true;
        }
        Ok(())
    }

    pub(super) fn made(&mut self, user: &User) {
        self.by_upn.insert(user.upn.to_ascii_lowercase(), user.id);
        self.by_id.insert(user.id, user.clone());
    }

    pub(super) async fn by_id(
        &mut self,
        dir: &Directory,
        id: Uuid,
    ) -> Result<Option<User>, DirectoryError> {
        self.load(dir).await?;
        Ok(self.by_id.get(&id).cloned())
    }

    pub(super) async fn by_upn(
        &mut self,
        dir: &Directory,
        upn: &str,
    ) -> Result<Option<User>, DirectoryError> {
        self.load(dir).await?;
        Ok(self
            .by_upn
            .get(&upn.to_ascii_lowercase())
            .and_then(|id| self.by_id.get(id))
            .cloned())
    }
}

/// One tenant's users by object id and UPN, read once.
pub(super) struct TenantUsers {
    ids: HashSet<Uuid>,
    by_upn: HashMap<String, Uuid>,
}

impl TenantUsers {
    pub(super) async fn load(dir: &Directory, tenant: &Tenant) -> Result<Self, DirectoryError> {
        let users = dir.store.list_users(tenant.id).await?;
        Ok(Self {
            ids: users.iter().map(|u| u.id).collect(),
            by_upn: users
                .iter()
                .map(|u| (u.upn.to_ascii_lowercase(), u.id))
                .collect(),
        })
    }

    /// A user of the tenant by object id or UPN, as `Directory::user_in` finds one.
    pub(super) fn get(&self, tenant: &Tenant, id_or_upn: &str) -> Result<Uuid, DirectoryError> {
        let found = match Uuid::parse_str(id_or_upn) {
            Ok(id) => self.ids.contains(&id).then_some(id),
            Err(_) => self.by_upn.get(&id_or_upn.to_ascii_lowercase()).copied(),
        };
        found.ok_or_else(|| {
            DirectoryError::NotFound(format!("user {id_or_upn} in tenant {}", tenant.id))
        })
    }
}

/// Whose grant a target is: a group re-granted with another rank is the same assignee.
pub(super) fn assignee(target: GrantTarget) -> GrantTarget {
    match target {
        GrantTarget::Group { id, .. } => GrantTarget::Group { id, rank: 0 },
        other => other,
    }
}

/// A tenant's grants as a seed plans them: what is live, and what to write.
pub(super) struct GrantPlan {
    pub(super) users: TenantUsers,
    groups: Vec<Group>,
    /// Live policies by lower-case name: (id, name).
    pub(super) policies: HashMap<String, (Uuid, String)>,
    /// The live grant of each assignee: (policy id, target as granted).
    pub(super) live: HashMap<GrantTarget, (Uuid, GrantTarget)>,
    pub(super) new: Vec<PolicyGrant>,
}

impl GrantPlan {
    pub(super) async fn load(dir: &Directory, tenant: &Tenant) -> Result<Self, DirectoryError> {
        let policies = dir
            .store
            .list_policies(tenant.id)
            .await?
            .into_iter()
            .filter(|p| p.removed_at.is_none())
            .map(|p| (p.name.to_lowercase(), (p.id, p.name)))
            .collect();
        let live = dir
            .store
            .list_policy_grants(tenant.id)
            .await?
            .into_iter()
            .filter(|g| g.revoked_at.is_none())
            .map(|g| (assignee(g.target), (g.policy_id, g.target)))
            .collect();
        Ok(Self {
            users: TenantUsers::load(dir, tenant).await?,
            groups: dir.store.list_groups(tenant.id).await?,
            policies,
            live,
            new: Vec::new(),
        })
    }

    /// A group of the tenant by id or by its (unique) display name.
    pub(super) fn group(&self, tenant: &Tenant, id_or_name: &str) -> Result<Uuid, DirectoryError> {
        let named: Vec<&Group> = match Uuid::parse_str(id_or_name) {
            Ok(id) => self.groups.iter().filter(|g| g.id == id).collect(),
            Err(_) => self
                .groups
                .iter()
                .filter(|g| g.display_name == id_or_name)
                .collect(),
        };
        match named.as_slice() {
            [one] => Ok(one.id),
            [] => Err(DirectoryError::NotFound(format!(
                "group {id_or_name} in tenant {}",
                tenant.id
            ))),
            many => Err(invalid(format!(
                "tenant {} has {} groups named '{id_or_name}': give the group's id",
                tenant.id,
                many.len()
            ))),
        }
    }
}

/// A tenant's groups as a seed plans them: those that exist, and those to create.
pub(super) struct GroupPlan {
    pub(super) existing: Vec<Group>,
    pub(super) new: Vec<Group>,
}

impl GroupPlan {
    /// A group by id, else by its (unique) display name, among the existing and planned ones.
    pub(super) fn find(
        &self,
        tenant: &Tenant,
        id: Option<Uuid>,
        name: &str,
    ) -> Result<Option<Group>, DirectoryError> {
        let all = self.existing.iter().chain(&self.new);
        if let Some(id) = id {
            return Ok(all.into_iter().find(|g| g.id == id).cloned());
        }
        let named: Vec<&Group> = all.filter(|g| g.display_name == name.trim()).collect();
        match named.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(Group::clone(one))),
            many => Err(invalid(format!(
                "tenant {} has {} groups named '{name}': give the group's id",
                tenant.id,
                many.len()
            ))),
        }
    }
}
