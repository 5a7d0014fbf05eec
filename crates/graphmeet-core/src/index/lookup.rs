//! Reading the index: tenants, users, groups, apps and service principals by key, the policy
//! inputs of one decision, and the per-tenant listings the admin console shows.

use super::{AppEntry, Assignee, DirectoryIndex, PolicyInputs};

use crate::model::*;
use std::sync::Arc;
use uuid::Uuid;

impl DirectoryIndex {
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
