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

use lookup::{GrantPlan, GroupPlan, KnownUsers, TenantUsers};

mod apply;
mod export;
mod lookup;

use crate::directory::{Directory, DirectoryError};
use crate::model::*;
use graphmeet_wire::admin::{ApplySummary, Seed, SeedCounts, SeedTenant};

pub use export::certificate_pem;

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
}
