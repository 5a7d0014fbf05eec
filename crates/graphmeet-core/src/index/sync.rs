//! Keeping the index current: the full load, and catching up from the store's change log one
//! changed record at a time (or reloading everything after a burst or a gap).

use super::{
    AppEntry, CatchUp, Data, DirectoryIndex, TenantEntry, CHANGES_PER_READ, FULL_RELOAD_AFTER,
};

use crate::model::*;
use crate::store::StoreError;
use std::collections::HashSet;
use std::sync::Arc;
use uuid::Uuid;

impl DirectoryIndex {
    /// Reads everything; the caller holds `sync`.
    pub(super) async fn reload(&self) -> Result<(), StoreError> {
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

    pub(super) async fn read_app(&self, app: App) -> Result<AppEntry, StoreError> {
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
    pub(super) async fn apply(&self, entity: ChangedEntity) -> Result<(), StoreError> {
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
}
