//! Teams application access policies and their grants, as the `*-CsApplicationAccessPolicy`
//! cmdlets change them.

use super::{Directory, DirectoryError};

use crate::model::*;
use uuid::Uuid;

impl Directory {
    /// Every grant of a tenant, ended ones included, oldest first.
    pub async fn grants(&self, tenant: &Tenant) -> Result<Vec<PolicyGrant>, DirectoryError> {
        Ok(self.store.list_policy_grants(tenant.id).await?)
    }
}

/// How `Set-CsApplicationAccessPolicy -AppIds` changes the list (PowerShell's list modifier).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppIdsChange {
    /// `@{Add=…}`.
    Add(Vec<Uuid>),
    /// `@{Remove=…}`.
    Remove(Vec<Uuid>),
    /// `@{Replace=…}` or a plain list.
    Replace(Vec<Uuid>),
}

impl Directory {
    /// Creates an application access policy (`New-CsApplicationAccessPolicy`).
    pub async fn create_policy(
        &self,
        tenant: &str,
        name: &str,
        app_ids: &[Uuid],
        description: &str,
    ) -> Result<AccessPolicy, DirectoryError> {
        let tenant = self.tenant(tenant).await?;
        let name = name.trim();
        if name.is_empty() {
            return Err(DirectoryError::Invalid(
                "a policy needs a name (-Identity)".to_owned(),
            ));
        }
        let now = self.clock.now();
        let mut apps: Vec<PolicyApp> = Vec::with_capacity(app_ids.len());
        for app in app_ids {
            if !apps.iter().any(|a| a.app_id == *app) {
                apps.push(PolicyApp {
                    app_id: *app,
                    added_at: now,
                    removed_at: None,
                });
            }
        }
        let policy = AccessPolicy {
            id: Uuid::new_v4(),
            tenant_id: tenant.id,
            name: name.to_owned(),
            description: description.to_owned(),
            created_at: now,
            removed_at: None,
            apps,
        };
        self.written(self.store.create_policy(&policy).await)
            .await?;
        Ok(policy)
    }

    /// The live policy `name` of a tenant.
    pub async fn policy(&self, tenant: &str, name: &str) -> Result<AccessPolicy, DirectoryError> {
        let tenant = self.tenant(tenant).await?;
        self.store
            .get_policy(tenant.id, name)
            .await?
            .ok_or_else(|| DirectoryError::NotFound(format!("policy {name}")))
    }

    /// The live policies of a tenant.
    pub async fn policies(&self, tenant: &str) -> Result<Vec<AccessPolicy>, DirectoryError> {
        let tenant = self.tenant(tenant).await?;
        Ok(self
            .store
            .list_policies(tenant.id)
            .await?
            .into_iter()
            .filter(|p| p.removed_at.is_none())
            .collect())
    }

    /// Changes a policy's apps and/or description (`Set-CsApplicationAccessPolicy`).
    pub async fn set_policy(
        &self,
        tenant: &str,
        name: &str,
        apps: Option<AppIdsChange>,
        description: Option<&str>,
    ) -> Result<AccessPolicy, DirectoryError> {
        let tenant_rec = self.tenant(tenant).await?;
        let current = self
            .store
            .get_policy(tenant_rec.id, name)
            .await?
            .ok_or_else(|| DirectoryError::NotFound(format!("policy {name}")))?;
        if let Some(description) = description {
            self.written(
                self.store
                    .set_policy_description(tenant_rec.id, &current.name, description)
                    .await,
            )
            .await?;
        }
        let (add, remove) = match apps {
            None => (Vec::new(), Vec::new()),
            Some(AppIdsChange::Add(add)) => (add, Vec::new()),
            Some(AppIdsChange::Remove(remove)) => (Vec::new(), remove),
            Some(AppIdsChange::Replace(new)) => {
                let listed = current.current_app_ids();
                let remove = listed
                    .iter()
                    .filter(|a| !new.contains(a))
                    .copied()
                    .collect();
                (new, remove)
            }
        };
        Ok(self
            .written(
                self.store
                    .change_policy_apps(
                        tenant_rec.id,
                        &current.name,
                        &add,
                        &remove,
                        self.clock.now(),
                    )
                    .await,
            )
            .await?)
    }

    /// Removes a policy and ends its grants (`Remove-CsApplicationAccessPolicy`).
    pub async fn remove_policy(&self, tenant: &str, name: &str) -> Result<(), DirectoryError> {
        let tenant = self.tenant(tenant).await?;
        Ok(self
            .written(
                self.store
                    .remove_policy(tenant.id, name, self.clock.now())
                    .await,
            )
            .await?)
    }

    /// Grants a policy to a user, a group or the whole tenant (`Grant-CsApplicationAccessPolicy`);
    /// the target's previous grant ends.
    pub async fn grant_policy(
        &self,
        tenant: &str,
        policy_name: &str,
        target: GrantTarget,
    ) -> Result<PolicyGrant, DirectoryError> {
        let tenant = self.tenant(tenant).await?;
        let policy = self
            .store
            .get_policy(tenant.id, policy_name)
            .await?
            .ok_or_else(|| DirectoryError::NotFound(format!("policy {policy_name}")))?;
        self.check_target(&tenant, target).await?;
        let grant = PolicyGrant {
            tenant_id: tenant.id,
            target,
            policy_id: policy.id,
            policy_name: policy.name,
            granted_at: self.clock.now(),
            revoked_at: None,
        };
        self.written(self.store.grant_policy(&grant).await).await?;
        Ok(grant)
    }

    /// Ends a target's grant (`Grant-CsApplicationAccessPolicy -PolicyName $null`); returns
    /// whether it had one.
    pub async fn revoke_policy(
        &self,
        tenant: &str,
        target: GrantTarget,
    ) -> Result<bool, DirectoryError> {
        let tenant = self.tenant(tenant).await?;
        self.check_target(&tenant, target).await?;
        Ok(self
            .written(
                self.store
                    .revoke_policy_grant(tenant.id, target, self.clock.now())
                    .await,
            )
            .await?)
    }

    async fn check_target(
        &self,
        tenant: &Tenant,
        target: GrantTarget,
    ) -> Result<(), DirectoryError> {
        match target {
            GrantTarget::User(user) => {
                self.store
                    .get_user(user)
                    .await?
                    .filter(|u| u.tenant_id == tenant.id)
                    .ok_or_else(|| {
                        DirectoryError::NotFound(format!("user {user} in tenant {}", tenant.id))
                    })?;
            }
            GrantTarget::Group { id, .. } => {
                self.store
                    .get_group(id)
                    .await?
                    .filter(|g| g.tenant_id == tenant.id)
                    .ok_or_else(|| {
                        DirectoryError::NotFound(format!("group {id} in tenant {}", tenant.id))
                    })?;
            }
            GrantTarget::Global => {}
        }
        Ok(())
    }
}
