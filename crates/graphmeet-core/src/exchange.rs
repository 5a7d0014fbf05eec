//! Administration of Exchange Online's application access policies (`New-`, `Get-`, `Set-`,
//! `Remove-ApplicationAccessPolicy`), on the directory: the admin API, `graphmeet cs` and the
//! seed call these. The decision itself is the pure engine's
//! ([`crate::policy::decide_exchange`]), taken by [`crate::access::Access`].
//!
//! Facts: <https://learn.microsoft.com/powershell/module/exchange/new-applicationaccesspolicy>,
//! <https://learn.microsoft.com/graph/auth-limit-mailbox-access>.

use crate::directory::{Directory, DirectoryError};
use crate::model::{Group, Tenant};
use crate::policy::{ExchangeAccessRight, ExchangePolicy};
use graphmeet_wire::cmdlet::exchange::{default_description, ExchangePolicyFacts};
use uuid::Uuid;

/// The most live policies a tenant holds ("The total size of App Access Policies exceeded
/// the limit.", about 300 with short descriptions).
pub const MAX_EXCHANGE_POLICIES: usize = 300;

/// What `New-ApplicationAccessPolicy` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewExchangePolicy {
    /// `-AppId`: GUIDs, or `*` for every app.
    pub app_ids: Vec<String>,
    /// `-PolicyScopeGroupId`: the group's object id or name.
    pub scope: String,
    /// `-AccessRight`.
    pub access_right: ExchangeAccessRight,
    /// `-Description`.
    pub description: Option<String>,
}

/// The cmdlets' view of a policy (its `Identity` and record).
pub fn facts(policy: &ExchangePolicy) -> ExchangePolicyFacts {
    ExchangePolicyFacts {
        tenant_id: policy.tenant_id,
        app_id: policy.app_text(),
        group_id: policy.scope_group_id,
        group_name: policy.scope_name.clone(),
        created: policy.created_at.format("%Y%m%d%H%M%S").to_string(),
        access_right: policy.access_right.as_str().to_owned(),
        description: policy.description.clone(),
    }
}

fn parse_app(text: &str) -> Result<Option<Uuid>, DirectoryError> {
    let text = text.trim();
    if text == "*" {
        return Ok(None);
    }
    Uuid::parse_str(text).map(Some).map_err(|_| {
        DirectoryError::Invalid(format!(
            "Cannot bind parameter 'AppId'. '{text}' is not a valid application id (a GUID, or * for every app)."
        ))
    })
}

impl Directory {
    /// The tenant's group a `-PolicyScopeGroupId` names: object id, or name (any case).
    async fn scope_group(&self, tenant: &Tenant, scope: &str) -> Result<Group, DirectoryError> {
        let scope = scope.trim();
        let groups = self.store.list_groups(tenant.id).await?;
        let found = match Uuid::parse_str(scope) {
            Ok(id) => groups.into_iter().find(|g| g.id == id),
            Err(_) => groups
                .into_iter()
                .find(|g| g.display_name.eq_ignore_ascii_case(scope)),
        };
        found.ok_or_else(|| {
            DirectoryError::NotFound(format!(
                "The operation couldn't be performed because object '{scope}' couldn't be found: -PolicyScopeGroupId takes a mail-enabled security group of the tenant"
            ))
        })
    }

    /// `New-ApplicationAccessPolicy`: one policy per app, all or none.
    pub async fn new_exchange_policies(
        &self,
        tenant: &Tenant,
        new: &NewExchangePolicy,
    ) -> Result<Vec<ExchangePolicy>, DirectoryError> {
        if new.app_ids.is_empty() {
            return Err(DirectoryError::Invalid(
                "Cannot bind argument to parameter 'AppId' because it is an empty collection."
                    .to_owned(),
            ));
        }
        let group = self.scope_group(tenant, &new.scope).await?;
        let live = self
            .store
            .list_exchange_policies(tenant.id)
            .await?
            .into_iter()
            .filter(|p| p.removed_at.is_none())
            .count();
        if live + new.app_ids.len() > MAX_EXCHANGE_POLICIES {
            return Err(DirectoryError::Invalid(
                "The total size of App Access Policies exceeded the limit.".to_owned(),
            ));
        }
        let now = self.clock.now();
        let mut policies = Vec::new();
        for app in &new.app_ids {
            let app_id = parse_app(app)?;
            let app_text = app_id
                .map(|a| a.to_string())
                .unwrap_or_else(|| "*".to_owned());
            if policies.iter().any(|p: &ExchangePolicy| p.app_id == app_id) {
                continue;
            }
            policies.push(ExchangePolicy {
                id: Uuid::new_v4(),
                tenant_id: tenant.id,
                app_id,
                scope_group_id: group.id,
                scope_name: group.display_name.clone(),
                access_right: new.access_right,
                description: new.description.clone().unwrap_or_else(|| {
                    default_description(&app_text, group.id, new.access_right.as_str())
                }),
                created_at: now,
                removed_at: None,
            });
        }
        match self.store.create_exchange_policies(&policies).await {
            Ok(()) => {
                self.catch_up().await;
                Ok(policies)
            }
            Err(crate::StoreError::Conflict(_)) => Err(DirectoryError::Conflict(format!(
                "An application access policy for this AppId and scope group '{}' already exists.",
                group.display_name
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// `Get-ApplicationAccessPolicy [-Identity]`: the live policies; an identity that names
    /// none (or no identity) gives them all, as Exchange does.
    pub async fn exchange_policies(
        &self,
        tenant: &Tenant,
        identity: Option<&str>,
    ) -> Result<Vec<ExchangePolicy>, DirectoryError> {
        let live: Vec<ExchangePolicy> = self
            .store
            .list_exchange_policies(tenant.id)
            .await?
            .into_iter()
            .filter(|p| p.removed_at.is_none())
            .collect();
        let named: Vec<ExchangePolicy> = match identity {
            Some(id) => live.iter().filter(|p| matches(p, id)).cloned().collect(),
            None => Vec::new(),
        };
        Ok(if named.is_empty() { live } else { named })
    }

    /// The one live policy an `-Identity` names.
    async fn exchange_policy(
        &self,
        tenant: &Tenant,
        identity: &str,
    ) -> Result<ExchangePolicy, DirectoryError> {
        let mut named: Vec<ExchangePolicy> = self
            .store
            .list_exchange_policies(tenant.id)
            .await?
            .into_iter()
            .filter(|p| p.removed_at.is_none() && matches(p, identity))
            .collect();
        match named.len() {
            1 => Ok(named.remove(0)),
            0 => Err(DirectoryError::NotFound(format!(
                "The operation couldn't be performed because object '{identity}' couldn't be found."
            ))),
            _ => Err(DirectoryError::Invalid(format!(
                "The operation couldn't be performed because '{identity}' matches multiple entries."
            ))),
        }
    }

    /// `Set-ApplicationAccessPolicy -Identity … -Description …` (the only thing it changes).
    pub async fn set_exchange_policy_description(
        &self,
        tenant: &Tenant,
        identity: &str,
        description: &str,
    ) -> Result<ExchangePolicy, DirectoryError> {
        let mut policy = self.exchange_policy(tenant, identity).await?;
        if !self
            .store
            .set_exchange_policy_description(tenant.id, policy.id, description)
            .await?
        {
            return Err(DirectoryError::NotFound(format!("policy {identity}")));
        }
        self.catch_up().await;
        policy.description = description.to_owned();
        Ok(policy)
    }

    /// `Remove-ApplicationAccessPolicy -Identity …`.
    pub async fn remove_exchange_policy(
        &self,
        tenant: &Tenant,
        identity: &str,
    ) -> Result<ExchangePolicy, DirectoryError> {
        let policy = self.exchange_policy(tenant, identity).await?;
        if !self
            .store
            .remove_exchange_policy(tenant.id, policy.id, self.clock.now())
            .await?
        {
            return Err(DirectoryError::NotFound(format!("policy {identity}")));
        }
        self.catch_up().await;
        Ok(policy)
    }
}

/// Whether an `-Identity` names a policy: its full identity, its id, or its
/// `{appId}:{scope}` tail.
fn matches(policy: &ExchangePolicy, identity: &str) -> bool {
    let identity = identity.trim();
    let f = facts(policy);
    f.identity().eq_ignore_ascii_case(identity)
        || policy.id.to_string().eq_ignore_ascii_case(identity)
        || f.identity()
            .split_once('\\')
            .is_some_and(|(_, tail)| tail.eq_ignore_ascii_case(identity))
}

impl Directory {
    /// A seed's `[[tenant.exchange_policy]]`: makes the policies that are not live yet (one
    /// per app); how many were made and how many were already there.
    pub(crate) async fn seed_exchange_policy(
        &self,
        tenant: &Tenant,
        p: &graphmeet_wire::admin_exchange::SeedExchangePolicy,
    ) -> Result<(u64, u64), DirectoryError> {
        let access_right = ExchangeAccessRight::parse(&p.access_right).ok_or_else(|| {
            DirectoryError::Invalid(format!(
                "access_right '{}': RestrictAccess or DenyAccess",
                p.access_right
            ))
        })?;
        let group = self.scope_group(tenant, &p.scope).await?;
        let live: Vec<ExchangePolicy> = self
            .store
            .list_exchange_policies(tenant.id)
            .await?
            .into_iter()
            .filter(|x| x.removed_at.is_none() && x.scope_group_id == group.id)
            .collect();
        let (mut made, mut there) = (0, 0);
        for app in &p.app_ids {
            let app_id = parse_app(app)?;
            if live
                .iter()
                .any(|x| x.app_id == app_id && x.access_right == access_right)
            {
                there += 1;
                continue;
            }
            self.new_exchange_policies(
                tenant,
                &NewExchangePolicy {
                    app_ids: vec![app.clone()],
                    scope: group.id.to_string(),
                    access_right,
                    description: p.description.clone(),
                },
            )
            .await?;
            made += 1;
        }
        Ok((made, there))
    }

    /// The tenant's live Exchange policies as seed entries (one per policy), oldest first.
    pub(crate) async fn export_exchange_policies(
        &self,
        tenant: &Tenant,
    ) -> Result<Vec<graphmeet_wire::admin_exchange::SeedExchangePolicy>, DirectoryError> {
        Ok(self
            .store
            .list_exchange_policies(tenant.id)
            .await?
            .into_iter()
            .filter(|p| p.removed_at.is_none())
            .map(|p| graphmeet_wire::admin_exchange::SeedExchangePolicy {
                app_ids: vec![p.app_text()],
                scope: p.scope_group_id.to_string(),
                access_right: p.access_right.as_str().to_owned(),
                description: Some(p.description),
            })
            .collect())
    }
}
