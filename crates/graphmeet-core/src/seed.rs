//! Declarative seeds: applying a [`Seed`] to the directory idempotently, and exporting the
//! directory as one.
//!
//! Apply creates what is missing and leaves what exists as it is; it never deletes. Objects are
//! matched by their fixed id when the seed gives one, else by a natural key: a tenant by domain,
//! a user by UPN, a group by name in its tenant, an app by name in its home tenant, a policy by
//! name, a certificate by thumbprint, a secret by value (its hash) or else by label. Consents
//! merge roles; a grant is set only when the target's live grant differs. The work runs in a
//! fixed order (every tenant, then every user, group, app, consent, policy, grant, each in the
//! seed's order), so an app of one tenant can be consented in another listed before it. Each
//! change is its own transaction: a seed failing half-way leaves what it made, and applying the
//! corrected seed carries on from there.
//!
//! Export writes every tenant with its objects and their fixed ids, lists sorted by natural
//! key, so two exports of the same state are identical. Secrets and passwords are left out
//! (only hashes are kept); certificates are kept as public PEM.

use crate::directory::{
    canonical_roles, default_domain, Directory, DirectoryError, NewApp, UserChanges,
};
use crate::model::*;
use chrono::Duration;
use graphmeet_wire::admin::{
    ApplySummary, GeneratedSecret, Seed, SeedApp, SeedCertificate, SeedConsent, SeedCounts,
    SeedGrant, SeedGroup, SeedPolicy, SeedTenant, SeedUser,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// A seed could not be applied: where in the seed, and why.
#[derive(Debug, thiserror::Error)]
#[error("{at}: {error}")]
pub struct SeedError {
    /// The object the failure concerns, e.g. `tenant contoso.onmicrosoft.com, user alice@…`.
    pub at: String,
    /// The failure.
    pub error: DirectoryError,
}

/// Default lifetime of a seeded secret, as the admin API's.
const DEFAULT_SECRET_DAYS: i64 = 730;

/// Records per transaction when a seed writes users, memberships or grants in bulk.
const SEED_BATCH: usize = 5_000;
/// The label of a seeded secret given none.
const DEFAULT_SECRET_LABEL: &str = "graphmeet";

#[derive(Clone, Copy)]
enum Outcome {
    Created,
    Updated,
    Unchanged,
}

struct Tally(ApplySummary);

impl Tally {
    fn count(&mut self, outcome: Outcome, pick: fn(&mut SeedCounts) -> &mut u64) {
        let counts = match outcome {
            Outcome::Created => &mut self.0.created,
            Outcome::Updated => &mut self.0.updated,
            Outcome::Unchanged => &mut self.0.unchanged,
        };
        *pick(counts) += 1;
    }
}

fn invalid(text: impl Into<String>) -> DirectoryError {
    DirectoryError::Invalid(text.into())
}

/// Where an error happened, for [`SeedError::at`].
fn at(tenant: &SeedTenant, what: Option<String>) -> String {
    let name = tenant
        .domain
        .clone()
        .or_else(|| tenant.id.map(|i| i.to_string()))
        .unwrap_or_else(|| tenant.name.clone());
    match what {
        Some(what) => format!("tenant {name}, {what}"),
        None => format!("tenant {name}"),
    }
}

impl Directory {
    /// Applies a seed: creates what is missing, leaves what exists, and says what it did.
    pub async fn apply_seed(&self, seed: &Seed) -> Result<ApplySummary, SeedError> {
        // One catch-up of the index for the whole seed, rather than one per record.
        let result = {
            let _bulk = self.index.as_ref().map(|index| index.bulk_write());
            self.deferring_index().apply_seed_records(seed).await
        };
        self.catch_up().await;
        result
    }

    async fn apply_seed_records(&self, seed: &Seed) -> Result<ApplySummary, SeedError> {
        let mut tally = Tally(ApplySummary::default());
        let mut tenants: Vec<Tenant> = Vec::with_capacity(seed.tenants.len());
        for t in &seed.tenants {
            let tenant = self
                .seed_tenant(t, &mut tally)
                .await
                .map_err(|error| SeedError {
                    at: at(t, None),
                    error,
                })?;
            tenants.push(tenant);
        }
        let pairs: Vec<(&SeedTenant, &Tenant)> = seed.tenants.iter().zip(&tenants).collect();
        // Users are decided against what exists (read once) and what this seed made, then
        // written in batches of one transaction each.
        let mut known = KnownUsers::default();
        for (t, tenant) in &pairs {
            let mut batch = Vec::new();
            for u in &t.users {
                let planned = self
                    .plan_user(tenant, u, &mut known)
                    .await
                    .map_err(|error| SeedError {
                        at: at(t, Some(format!("user {}", u.upn))),
                        error,
                    })?;
                match planned {
                    Some(user) => {
                        tally.count(Outcome::Created, |c| &mut c.users);
                        batch.push(user);
                    }
                    None => tally.count(Outcome::Unchanged, |c| &mut c.users),
                }
            }
            for chunk in batch.chunks(SEED_BATCH) {
                self.store
                    .create_users(chunk)
                    .await
                    .map_err(|e| SeedError {
                        at: at(t, Some("users".to_owned())),
                        error: e.into(),
                    })?;
            }
        }
        for (t, tenant) in &pairs {
            let users = TenantUsers::load(self, tenant)
                .await
                .map_err(|error| SeedError {
                    at: at(t, None),
                    error,
                })?;
            let mut members = Vec::new();
            let mut groups = GroupPlan {
                existing: self
                    .store
                    .list_groups(tenant.id)
                    .await
                    .map_err(|e| SeedError {
                        at: at(t, None),
                        error: e.into(),
                    })?,
                new: Vec::new(),
            };
            for g in &t.groups {
                self.seed_group(tenant, g, &users, &mut groups, &mut members, &mut tally)
                    .await
                    .map_err(|error| SeedError {
                        at: at(t, Some(format!("group {}", g.name))),
                        error,
                    })?;
            }
            for chunk in groups.new.chunks(SEED_BATCH) {
                self.store
                    .create_groups(chunk)
                    .await
                    .map_err(|e| SeedError {
                        at: at(t, Some("groups".to_owned())),
                        error: e.into(),
                    })?;
            }
            for chunk in members.chunks(SEED_BATCH) {
                self.store
                    .add_group_members(chunk)
                    .await
                    .map_err(|e| SeedError {
                        at: at(t, Some("group members".to_owned())),
                        error: e.into(),
                    })?;
            }
        }
        for (t, tenant) in &pairs {
            for a in &t.apps {
                self.seed_app(tenant, a, &mut tally)
                    .await
                    .map_err(|error| SeedError {
                        at: at(t, Some(format!("app {}", a.name))),
                        error,
                    })?;
            }
        }
        for (t, tenant) in &pairs {
            for c in &t.consents {
                self.seed_consent(tenant, c, &mut tally)
                    .await
                    .map_err(|error| SeedError {
                        at: at(t, Some(format!("consent to app {}", c.app))),
                        error,
                    })?;
            }
        }
        for (t, tenant) in &pairs {
            for p in &t.policies {
                self.seed_policy(tenant, p, &mut tally)
                    .await
                    .map_err(|error| SeedError {
                        at: at(t, Some(format!("policy {}", p.name))),
                        error,
                    })?;
            }
        }
        for (t, tenant) in &pairs {
            for p in &t.exchange_policies {
                let (created, unchanged) =
                    self.seed_exchange_policy(tenant, p)
                        .await
                        .map_err(|error| SeedError {
                            at: at(t, Some(format!("exchange policy scoped to {}", p.scope))),
                            error,
                        })?;
                for _ in 0..created {
                    tally.count(Outcome::Created, |c| &mut c.policies);
                }
                for _ in 0..unchanged {
                    tally.count(Outcome::Unchanged, |c| &mut c.policies);
                }
            }
        }
        for (t, tenant) in &pairs {
            if t.grants.is_empty() {
                continue;
            }
            let mut plan = GrantPlan::load(self, tenant)
                .await
                .map_err(|error| SeedError {
                    at: at(t, None),
                    error,
                })?;
            for g in &t.grants {
                self.plan_grant(tenant, g, &mut plan, &mut tally)
                    .map_err(|error| SeedError {
                        at: at(t, Some(format!("grant of policy {}", g.policy))),
                        error,
                    })?;
            }
            for chunk in plan.new.chunks(SEED_BATCH) {
                self.store
                    .grant_policies(chunk)
                    .await
                    .map_err(|e| SeedError {
                        at: at(t, Some("grants".to_owned())),
                        error: e.into(),
                    })?;
            }
        }
        Ok(tally.0)
    }

    async fn seed_tenant(
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
    async fn plan_user(
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

    async fn seed_group(
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

    async fn seed_app(
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
    async fn seed_consent(
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

    async fn seed_policy(
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
    fn plan_grant(
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

    /// The whole directory and its policies as a seed: fixed ids, lists sorted by natural key,
    /// no secrets or passwords, certificates as public PEM.
    pub async fn export_seed(&self) -> Result<Seed, DirectoryError> {
        let mut tenants = self.store.list_tenants().await?;
        tenants.sort_by(|a, b| {
            a.domains
                .first()
                .cmp(&b.domains.first())
                .then(a.id.cmp(&b.id))
        });
        let apps = self.store.list_apps().await?;
        let mut out = Vec::with_capacity(tenants.len());
        for tenant in &tenants {
            out.push(self.export_tenant(tenant, &apps).await?);
        }
        Ok(Seed {
            tenants: out,
            ..Seed::default()
        })
    }

    async fn export_tenant(
        &self,
        tenant: &Tenant,
        apps: &[App],
    ) -> Result<SeedTenant, DirectoryError> {
        let store = &self.store;
        let mut users = store.list_users(tenant.id).await?;
        users.sort_by(|a, b| a.upn.cmp(&b.upn).then(a.id.cmp(&b.id)));
        let upns: HashMap<Uuid, String> = users.iter().map(|u| (u.id, u.upn.clone())).collect();

        let mut groups = store.list_groups(tenant.id).await?;
        groups.sort_by(|a, b| a.display_name.cmp(&b.display_name).then(a.id.cmp(&b.id)));
        let mut name_uses: BTreeMap<&str, usize> = BTreeMap::new();
        for g in &groups {
            *name_uses.entry(g.display_name.as_str()).or_default() += 1;
        }
        // A group is named by its name where that is unique in the tenant, else by its id.
        let group_refs: HashMap<Uuid, String> = groups
            .iter()
            .map(|g| {
                let unique = name_uses.get(g.display_name.as_str()) == Some(&1);
                let name = if unique && Uuid::parse_str(&g.display_name).is_err() {
                    g.display_name.clone()
                } else {
                    g.id.to_string()
                };
                (g.id, name)
            })
            .collect();
        let mut seed_groups = Vec::with_capacity(groups.len());
        for g in &groups {
            let mut members: Vec<String> = store
                .list_group_members(g.id)
                .await?
                .into_iter()
                .map(|u| u.upn)
                .collect();
            members.sort();
            seed_groups.push(SeedGroup {
                id: Some(g.id),
                name: g.display_name.clone(),
                members,
            });
        }

        let mut own_apps: Vec<&App> = apps
            .iter()
            .filter(|a| a.home_tenant_id == tenant.id)
            .collect();
        own_apps.sort_by(|a, b| {
            a.display_name
                .cmp(&b.display_name)
                .then(a.app_id.cmp(&b.app_id))
        });
        let mut seed_apps = Vec::with_capacity(own_apps.len());
        for app in own_apps {
            let mut certificates = store.list_certificates(app.app_id).await?;
            certificates.sort_by(|a, b| a.thumbprint_sha1.cmp(&b.thumbprint_sha1));
            seed_apps.push(SeedApp {
                app_id: Some(app.app_id),
                name: app.display_name.clone(),
                multi_tenant: app.multi_tenant,
                allow_public_client: app.allow_public_client.then_some(true),
                secrets: Vec::new(),
                certificates: certificates
                    .iter()
                    .map(|c| SeedCertificate {
                        pem: certificate_pem(&c.der),
                    })
                    .collect(),
            });
        }

        // The home tenant's role-less service principal comes with the app: not a consent.
        let home_of: HashMap<Uuid, Uuid> =
            apps.iter().map(|a| (a.app_id, a.home_tenant_id)).collect();
        let mut consents: Vec<SeedConsent> = store
            .list_service_principals(tenant.id)
            .await?
            .into_iter()
            .filter(|sp| !(sp.app_roles.is_empty() && home_of.get(&sp.app_id) == Some(&tenant.id)))
            .map(|sp| {
                let mut roles = sp.app_roles;
                roles.sort();
                SeedConsent {
                    app: sp.app_id,
                    roles,
                }
            })
            .collect();
        consents.sort_by_key(|c| c.app);

        let mut policies: Vec<SeedPolicy> = store
            .list_policies(tenant.id)
            .await?
            .into_iter()
            .filter(|p| p.removed_at.is_none())
            .map(|p| {
                let mut app_ids = p.current_app_ids();
                app_ids.sort();
                SeedPolicy {
                    app_ids,
                    description: Some(p.description).filter(|d| !d.is_empty()),
                    name: p.name,
                }
            })
            .collect();
        policies.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then(a.name.cmp(&b.name))
        });

        let mut grants: Vec<((u8, String), SeedGrant)> = Vec::new();
        for grant in store.list_policy_grants(tenant.id).await? {
            if grant.revoked_at.is_some() {
                continue;
            }
            let policy = grant.policy_name.clone();
            let entry = match grant.target {
                GrantTarget::Global => (
                    (0, String::new()),
                    SeedGrant {
                        policy,
                        global: true,
                        ..SeedGrant::default()
                    },
                ),
                GrantTarget::Group { id, rank } => {
                    let name = group_refs
                        .get(&id)
                        .cloned()
                        .unwrap_or_else(|| id.to_string());
                    (
                        (1, name.clone()),
                        SeedGrant {
                            policy,
                            group: Some(name),
                            rank: Some(rank),
                            ..SeedGrant::default()
                        },
                    )
                }
                GrantTarget::User(id) => {
                    let upn = upns.get(&id).cloned().unwrap_or_else(|| id.to_string());
                    (
                        (2, upn.clone()),
                        SeedGrant {
                            policy,
                            user: Some(upn),
                            ..SeedGrant::default()
                        },
                    )
                }
            };
            grants.push(entry);
        }
        grants.sort_by(|a, b| a.0.cmp(&b.0));

        Ok(SeedTenant {
            meetings: Vec::new(),
            id: Some(tenant.id),
            name: tenant.display_name.clone(),
            domain: tenant.domains.first().cloned(),
            users: users
                .into_iter()
                .map(|u| {
                    let account = &u.account;
                    let default = Account::default();
                    SeedUser {
                        id: Some(u.id),
                        display_name: Some(u.display_name),
                        password: None,
                        account_enabled: (account.enabled != default.enabled)
                            .then_some(account.enabled),
                        user_type: (account.user_type != default.user_type)
                            .then(|| account.user_type.as_str().to_owned()),
                        teams_license: (account.teams_license != default.teams_license)
                            .then_some(account.teams_license),
                        audio_conferencing: (account.audio_conferencing
                            != default.audio_conferencing)
                            .then_some(account.audio_conferencing),
                        mail: (account.mail.as_deref() != Some(u.upn.as_str()))
                            .then(|| account.mail.clone().unwrap_or_default()),
                        upn: u.upn,
                    }
                })
                .collect(),
            groups: seed_groups,
            apps: seed_apps,
            consents,
            policies,
            grants: grants.into_iter().map(|(_, g)| g).collect(),
            exchange_policies: self.export_exchange_policies(tenant).await?,
        })
    }
}

/// A DER certificate as PEM with `\n` line ends, the same text every time.
pub fn certificate_pem(der: &[u8]) -> String {
    pem::encode_config(
        &pem::Pem::new("CERTIFICATE", der.to_vec()),
        pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
    )
}

/// Users as a seed sees them: the store's (read on first need) and those the seed makes.
#[derive(Default)]
struct KnownUsers {
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

    fn made(&mut self, user: &User) {
        self.by_upn.insert(user.upn.to_ascii_lowercase(), user.id);
        self.by_id.insert(user.id, user.clone());
    }

    async fn by_id(&mut self, dir: &Directory, id: Uuid) -> Result<Option<User>, DirectoryError> {
        self.load(dir).await?;
        Ok(self.by_id.get(&id).cloned())
    }

    async fn by_upn(&mut self, dir: &Directory, upn: &str) -> Result<Option<User>, DirectoryError> {
        self.load(dir).await?;
        Ok(self
            .by_upn
            .get(&upn.to_ascii_lowercase())
            .and_then(|id| self.by_id.get(id))
            .cloned())
    }
}

/// One tenant's users by object id and UPN, read once.
struct TenantUsers {
    ids: HashSet<Uuid>,
    by_upn: HashMap<String, Uuid>,
}

impl TenantUsers {
    async fn load(dir: &Directory, tenant: &Tenant) -> Result<Self, DirectoryError> {
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
    fn get(&self, tenant: &Tenant, id_or_upn: &str) -> Result<Uuid, DirectoryError> {
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
fn assignee(target: GrantTarget) -> GrantTarget {
    match target {
        GrantTarget::Group { id, .. } => GrantTarget::Group { id, rank: 0 },
        other => other,
    }
}

/// A tenant's grants as a seed plans them: what is live, and what to write.
struct GrantPlan {
    users: TenantUsers,
    groups: Vec<Group>,
    /// Live policies by lower-case name: (id, name).
    policies: HashMap<String, (Uuid, String)>,
    /// The live grant of each assignee: (policy id, target as granted).
    live: HashMap<GrantTarget, (Uuid, GrantTarget)>,
    new: Vec<PolicyGrant>,
}

impl GrantPlan {
    async fn load(dir: &Directory, tenant: &Tenant) -> Result<Self, DirectoryError> {
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
    fn group(&self, tenant: &Tenant, id_or_name: &str) -> Result<Uuid, DirectoryError> {
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
struct GroupPlan {
    existing: Vec<Group>,
    new: Vec<Group>,
}

impl GroupPlan {
    /// A group by id, else by its (unique) display name, among the existing and planned ones.
    fn find(
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
