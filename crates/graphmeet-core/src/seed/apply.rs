//! Applying each kind of seed record: tenants, users, groups, apps (with their secrets and
//! certificates), consents, policies and grants, each matched by fixed id or natural key.

use super::lookup::{assignee, GrantPlan, GroupPlan, KnownUsers, TenantUsers};
use super::{invalid, Outcome, Tally, DEFAULT_SECRET_DAYS, DEFAULT_SECRET_LABEL};

use crate::directory::{
    canonical_roles, default_domain, Directory, DirectoryError, NewApp, UserChanges,
};
use crate::model::*;
use chrono::Duration;
use graphmeet_wire::admin::{
    GeneratedSecret, SeedApp, SeedConsent, SeedGrant, SeedGroup, SeedPolicy, SeedTenant, SeedUser,
};
use std::collections::HashSet;
use uuid::Uuid;

impl Directory {
    pub(super) async fn seed_tenant(
        &self,
        t: &SeedTenant,
        tally: &mut Tally,
    ) -> Result<Tenant, DirectoryError> {
        let domain = t
            .domain
            .as_deref()
            .map(|d| d.trim().to_ascii_lowercase())
            .unwrap_or_else(|| default_domain(&t.name));
        let by_id = match t.id {
            Some(id) => self.store.get_tenant(id).await?,
            None => None,
        };
        let existing = match by_id {
            Some(existing) => {
                if !existing.domains.contains(&domain) {
                    return Err(invalid(format!(
                        "tenant {} exists with domain {}, not {domain}",
                        existing.id,
                        existing.domains.join(", ")
                    )));
                }
                Some(existing)
            }
            None => match self.store.find_tenant_by_domain(&domain).await? {
                Some(existing) if t.id.is_some_and(|id| id != existing.id) => {
                    return Err(DirectoryError::Conflict(format!(
                        "the domain {domain} belongs to tenant {}",
                        existing.id
                    )));
                }
                other => other,
            },
        };
        if let Some(existing) = existing {
            tally.count(Outcome::Unchanged, |c| &mut c.tenants);
            return Ok(existing);
        }
        let tenant = self.create_tenant(&t.name, Some(&domain), t.id).await?;
        tally.count(Outcome::Created, |c| &mut c.tenants);
        Ok(tenant)
    }

    /// What the seed's user needs: `Some` user to create, `None` when it exists as written.
    pub(super) async fn plan_user(
        &self,
        tenant: &Tenant,
        u: &SeedUser,
        known: &mut KnownUsers,
    ) -> Result<Option<User>, DirectoryError> {
        let upn = u.upn.trim().to_ascii_lowercase();
        let existing = match u.id {
            Some(id) => known.by_id(self, id).await?,
            None => None,
        };
        let existing = match existing {
            Some(user) if user.upn.to_ascii_lowercase() != upn => {
                return Err(invalid(format!(
                    "user {} exists with UPN {}, not {upn}",
                    user.id, user.upn
                )))
            }
            Some(user) => Some(user),
            None => match known.by_upn(self, &upn).await? {
                Some(user) if u.id.is_some_and(|id| id != user.id) => {
                    return Err(DirectoryError::Conflict(format!(
                        "the UPN {upn} belongs to user {}",
                        user.id
                    )))
                }
                other => other,
            },
        };
        match existing {
            Some(user) if user.tenant_id != tenant.id => Err(DirectoryError::Conflict(format!(
                "user {} ({}) belongs to tenant {}",
                user.id, user.upn, user.tenant_id
            ))),
            Some(_) => Ok(None),
            None => {
                let user = self.new_user(
                    tenant,
                    &upn,
                    u.password.as_deref(),
                    u.id,
                    &UserChanges::try_from(&u.settings())?,
                )?;
                known.made(&user);
                Ok(Some(user))
            }
        }
    }

    pub(super) async fn seed_group(
        &self,
        tenant: &Tenant,
        g: &SeedGroup,
        users: &TenantUsers,
        groups: &mut GroupPlan,
        new_members: &mut Vec<(Uuid, Uuid)>,
        tally: &mut Tally,
    ) -> Result<(), DirectoryError> {
        let (group, members) = match groups.find(tenant, g.id, &g.name)? {
            Some(group) => {
                tally.count(Outcome::Unchanged, |c| &mut c.groups);
                let members: HashSet<Uuid> = if groups.new.iter().any(|n| n.id == group.id) {
                    HashSet::new()
                } else {
                    self.store
                        .list_group_members(group.id)
                        .await?
                        .into_iter()
                        .map(|m| m.id)
                        .collect()
                };
                (group, members)
            }
            None => {
                if let Some(id) = g.id {
                    if let Some(other) = self.store.get_group(id).await? {
                        return Err(DirectoryError::Conflict(format!(
                            "group {id} belongs to tenant {}",
                            other.tenant_id
                        )));
                    }
                }
                let name = g.name.trim();
                if name.is_empty() {
                    return Err(invalid("a group needs a display name"));
                }
                let group = Group {
                    id: g.id.unwrap_or_else(Uuid::new_v4),
                    tenant_id: tenant.id,
                    display_name: name.to_owned(),
                    created_at: self.clock.now(),
                };
                groups.new.push(group.clone());
                tally.count(Outcome::Created, |c| &mut c.groups);
                (group, HashSet::new())
            }
        };
        let mut added = HashSet::new();
        for member in &g.members {
            let user = users.get(tenant, member.trim())?;
            if members.contains(&user) || !added.insert(user) {
                tally.count(Outcome::Unchanged, |c| &mut c.members);
            } else {
                new_members.push((group.id, user));
                tally.count(Outcome::Created, |c| &mut c.members);
            }
        }
        Ok(())
    }

    pub(super) async fn seed_app(
        &self,
        tenant: &Tenant,
        a: &SeedApp,
        tally: &mut Tally,
    ) -> Result<(), DirectoryError> {
        let existing = match a.app_id {
            Some(app_id) => self.store.get_app(app_id).await?,
            None => {
                let mut named: Vec<App> = self
                    .store
                    .list_apps()
                    .await?
                    .into_iter()
                    .filter(|x| x.home_tenant_id == tenant.id && x.display_name == a.name.trim())
                    .collect();
                if named.len() > 1 {
                    return Err(invalid(format!(
                        "tenant {} has {} apps named '{}': give the app_id",
                        tenant.id,
                        named.len(),
                        a.name
                    )));
                }
                named.pop()
            }
        };
        let app = match existing {
            Some(app) if app.home_tenant_id != tenant.id => {
                return Err(DirectoryError::Conflict(format!(
                    "app {} is registered in tenant {}",
                    app.app_id, app.home_tenant_id
                )))
            }
            // The public-client setting is the one thing of an existing app a seed changes:
            // it decides whether the password grant needs a secret.
            Some(app) => match a.allow_public_client {
                Some(allow) if allow != app.allow_public_client => {
                    let app = self.set_allow_public_client(app.app_id, allow).await?;
                    tally.count(Outcome::Updated, |c| &mut c.apps);
                    app
                }
                _ => {
                    tally.count(Outcome::Unchanged, |c| &mut c.apps);
                    app
                }
            },
            None => {
                let settings = NewApp {
                    app_id: a.app_id,
                    multi_tenant: a.multi_tenant,
                    allow_public_client: a.allow_public_client.unwrap_or(false),
                };
                let (app, _) = self
                    .register_app(&tenant.id.to_string(), &a.name, &settings)
                    .await?;
                tally.count(Outcome::Created, |c| &mut c.apps);
                app
            }
        };

        let secrets = self.store.list_secrets(app.app_id).await?;
        for s in &a.secrets {
            let label = s.display_name.as_deref().unwrap_or(DEFAULT_SECRET_LABEL);
            let days = s.days.unwrap_or(DEFAULT_SECRET_DAYS);
            if !(1..=3650).contains(&days) {
                return Err(invalid(format!(
                    "a secret's days must be between 1 and 3650, not {days}"
                )));
            }
            let exists = match &s.value {
                Some(value) => {
                    let hash = crate::crypto::hash_secret(value);
                    secrets.iter().any(|x| x.hash == hash)
                }
                None => secrets.iter().any(|x| x.display_name == label),
            };
            if exists {
                tally.count(Outcome::Unchanged, |c| &mut c.secrets);
                continue;
            }
            let new = self
                .add_secret_with_value(app.app_id, label, Duration::days(days), s.value.as_deref())
                .await?;
            if s.value.is_none() {
                tally.0.generated_secrets.push(GeneratedSecret {
                    app_id: app.app_id.to_string(),
                    key_id: new.credential.key_id.to_string(),
                    display_name: new.credential.display_name,
                    secret_text: new.value,
                });
            }
            tally.count(Outcome::Created, |c| &mut c.secrets);
        }

        let certificates = self.store.list_certificates(app.app_id).await?;
        for cert in &a.certificates {
            let parsed = crate::crypto::parse_certificate_pem(&cert.pem)
                .map_err(|e| invalid(e.to_string()))?;
            let thumbprint = hex::encode_upper(crate::crypto::sha1(&parsed.der));
            if certificates
                .iter()
                .any(|c| c.thumbprint_sha1.eq_ignore_ascii_case(&thumbprint))
            {
                tally.count(Outcome::Unchanged, |c| &mut c.certificates);
            } else {
                self.add_certificate_pem(app.app_id, &cert.pem).await?;
                tally.count(Outcome::Created, |c| &mut c.certificates);
            }
        }
        Ok(())
    }

    /// Created when the tenant had not consented to any role of the app (its service principal
    /// is new, or holds none); updated when roles were added to some; unchanged otherwise.
    pub(super) async fn seed_consent(
        &self,
        tenant: &Tenant,
        c: &SeedConsent,
        tally: &mut Tally,
    ) -> Result<(), DirectoryError> {
        let roles = canonical_roles(&c.roles)?;
        let before = self.store.get_service_principal(tenant.id, c.app).await?;
        let outcome = match &before {
            Some(sp) if roles.iter().all(|r| sp.app_roles.contains(r)) => Outcome::Unchanged,
            Some(sp) if !sp.app_roles.is_empty() => Outcome::Updated,
            _ => Outcome::Created,
        };
        if !matches!(outcome, Outcome::Unchanged) {
            self.grant_consent(&tenant.id.to_string(), c.app, &roles)
                .await?;
        }
        tally.count(outcome, |c| &mut c.consents);
        Ok(())
    }

    pub(super) async fn seed_policy(
        &self,
        tenant: &Tenant,
        p: &SeedPolicy,
        tally: &mut Tally,
    ) -> Result<(), DirectoryError> {
        if self
            .store
            .get_policy(tenant.id, p.name.trim())
            .await?
            .is_some()
        {
            tally.count(Outcome::Unchanged, |c| &mut c.policies);
            return Ok(());
        }
        self.create_policy(
            &tenant.id.to_string(),
            &p.name,
            &p.app_ids,
            p.description.as_deref().unwrap_or_default(),
        )
        .await?;
        tally.count(Outcome::Created, |c| &mut c.policies);
        Ok(())
    }

    /// Decides one grant of the seed against the tenant's live grants (and those planned
    /// before it), adding it to the plan unless it is in force as written.
    pub(super) fn plan_grant(
        &self,
        tenant: &Tenant,
        g: &SeedGrant,
        plan: &mut GrantPlan,
        tally: &mut Tally,
    ) -> Result<(), DirectoryError> {
        let target = match (&g.user, &g.group, g.global) {
            (Some(user), None, false) => GrantTarget::User(plan.users.get(tenant, user.trim())?),
            (None, Some(group), false) => {
                let group = plan.group(tenant, group.trim())?;
                GrantTarget::Group {
                    id: group,
                    rank: g.rank.unwrap_or(1),
                }
            }
            (None, None, true) => GrantTarget::Global,
            _ => {
                return Err(invalid(
                    "grant to exactly one of: user, group, or global = true",
                ))
            }
        };
        if g.rank.is_some() && !matches!(target, GrantTarget::Group { .. }) {
            return Err(invalid("a rank applies to group grants only"));
        }
        let policy = plan
            .policies
            .get(&g.policy.trim().to_lowercase())
            .cloned()
            .ok_or_else(|| DirectoryError::NotFound(format!("policy {}", g.policy)))?;
        let key = assignee(target);
        let outcome = match plan.live.get(&key) {
            Some((policy_id, live)) if *policy_id == policy.0 && *live == target => {
                Outcome::Unchanged
            }
            Some(_) => Outcome::Updated,
            None => Outcome::Created,
        };
        if !matches!(outcome, Outcome::Unchanged) {
            plan.live.insert(key, (policy.0, target));
            plan.new.push(PolicyGrant {
                tenant_id: tenant.id,
                target,
                policy_id: policy.0,
                policy_name: policy.1,
                granted_at: self.clock.now(),
                revoked_at: None,
            });
        }
        tally.count(outcome, |c| &mut c.grants);
        Ok(())
    }
}
