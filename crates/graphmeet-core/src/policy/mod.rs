//! The Teams application access policy engine (spec §3.2): may app A act, with app-only
//! permissions, for user U's online meetings?
//!
//! Pure: the caller passes every policy and grant of the tenant (history included), the time
//! and the propagation delay. The decision is made on the directory as it was at
//! `now - propagation_delay`, because the real service applies policy changes only after a
//! while (up to 30 minutes); a delay of zero applies changes immediately.
//!
//! Resolution at that instant:
//! 1. the user's own (per-user) grant, if live;
//! 2. else, among the live grants to groups the user belongs to, the lowest `-Rank` (ties: the
//!    earlier grant);
//! 3. else the live global grant;
//! 4. else no policy: denied.
//!
//! The chosen grant decides alone: if its policy does not list the app, access is denied even
//! when a group or global grant would allow it. A grant whose policy did not exist at that
//! instant counts as absent.
//!
//! A decision explains itself ([`AccessDecision::reason`], and the serialisable fields), and an
//! allowed decision yields a [`PolicyAllowed`], the proof later code asks for before it touches a
//! user's meetings.

use explain::{describe_changes, fmt_time, format_delay, outcome_line};
use resolution::event_times;

use resolution::{resolve, Subject};

mod exchange;
mod explain;
mod resolution;

use crate::model::{AccessPolicy, GrantTarget, PolicyGrant};
use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use uuid::Uuid;

pub use exchange::{
    decide_exchange, ExchangeAccessRight, ExchangeDecision, ExchangePending, ExchangePolicy,
    ExchangeRule,
};

/// Every application access policy and grant of one tenant, ended ones included.
#[derive(Debug, Clone, Copy)]
pub struct PolicyState<'a> {
    /// The tenant's policies, removed ones included, with their app history.
    pub policies: &'a [AccessPolicy],
    /// The tenant's grants, ended ones included.
    pub grants: &'a [PolicyGrant],
}

/// The grant that decided (or would decide) a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedGrant {
    /// Whom the policy is granted to.
    pub target: GrantTarget,
    /// The granted policy's name.
    pub policy_name: String,
    /// The granted policy's id.
    pub policy_id: Uuid,
    /// When the policy was granted to the target.
    pub granted_at: DateTime<Utc>,
}

/// A directory change made within the propagation window that will change the outcome, or the
/// grant that applies, once it takes effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingChange {
    /// When the change was made.
    pub made_at: DateTime<Utc>,
    /// When it takes effect: `made_at + propagation delay`.
    pub takes_effect_at: DateTime<Utc>,
    /// What changed, e.g. `grant of policy 'P' to the user`.
    pub change: String,
    /// One line for a person: the change, when it takes effect, and the outcome then.
    pub description: String,
    /// Whether access is allowed once it takes effect (and no later change intervenes).
    pub allowed_after: bool,
    /// The grant that applies once it takes effect.
    pub grant_after: Option<AppliedGrant>,
}

/// Whether an app may act for a user, and why.
///
/// Fields are private so that a decision cannot be forged or edited into an allowed one; read
/// them with the accessors or serialise the decision (the "explain" endpoint).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessDecision {
    app_id: Uuid,
    user_id: Uuid,
    decided_at: DateTime<Utc>,
    effective_at: DateTime<Utc>,
    propagation_delay_seconds: i64,
    allowed: bool,
    applied: Option<AppliedGrant>,
    app_listed: bool,
    policy_apps: Vec<Uuid>,
    overridden: Vec<AppliedGrant>,
    pending: Vec<PendingChange>,
    #[serde(skip)]
    tenant_id: Option<Uuid>,
}

/// Proof that an application access policy allowed `app_id` to act for `user_id`.
///
/// Obtainable only from an allowed [`AccessDecision`] ([`AccessDecision::allowed_access`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyAllowed {
    app_id: Uuid,
    user_id: Uuid,
    tenant_id: Uuid,
    policy_id: Uuid,
    decided_at: DateTime<Utc>,
}

impl PolicyAllowed {
    /// The app that may act.
    pub fn app_id(&self) -> Uuid {
        self.app_id
    }

    /// The user it may act for.
    pub fn user_id(&self) -> Uuid {
        self.user_id
    }

    /// The tenant of the grant that allowed it.
    pub fn tenant_id(&self) -> Uuid {
        self.tenant_id
    }

    /// The policy that allowed it.
    pub fn policy_id(&self) -> Uuid {
        self.policy_id
    }

    /// When the decision was made (`now`, not the effective instant).
    pub fn decided_at(&self) -> DateTime<Utc> {
        self.decided_at
    }
}

impl AccessDecision {
    /// Whether the app may act for the user.
    pub fn allowed(&self) -> bool {
        self.allowed
    }

    /// The app asked about.
    pub fn app_id(&self) -> Uuid {
        self.app_id
    }

    /// The user asked about.
    pub fn user_id(&self) -> Uuid {
        self.user_id
    }

    /// When the decision was made.
    pub fn decided_at(&self) -> DateTime<Utc> {
        self.decided_at
    }

    /// The instant whose directory state decided: `decided_at - propagation delay`.
    pub fn effective_at(&self) -> DateTime<Utc> {
        self.effective_at
    }

    /// The propagation delay used, in seconds.
    pub fn propagation_delay_seconds(&self) -> i64 {
        self.propagation_delay_seconds
    }

    /// The grant that decided, if any applied.
    pub fn applied(&self) -> Option<&AppliedGrant> {
        self.applied.as_ref()
    }

    /// The kind of the grant that decided (`user`, `group`, `global`), or `none`.
    pub fn grant_kind(&self) -> &'static str {
        self.applied.as_ref().map_or("none", |g| g.target.kind())
    }

    /// Whether the applied grant's policy lists the app (false when no grant applied).
    pub fn app_listed(&self) -> bool {
        self.app_listed
    }

    /// The applied policy's apps at the effective instant (empty when no grant applied).
    pub fn policy_apps(&self) -> &[Uuid] {
        &self.policy_apps
    }

    /// Lower-precedence live grants whose policy lists the app, overridden by the applied one.
    pub fn overridden(&self) -> &[AppliedGrant] {
        &self.overridden
    }

    /// Changes within the propagation window that will change the outcome or the applied
    /// grant, in the order they take effect.
    pub fn pending(&self) -> &[PendingChange] {
        &self.pending
    }

    /// The proof of access, if the decision allows it.
    pub fn allowed_access(&self) -> Option<PolicyAllowed> {
        if !self.allowed {
            return None;
        }
        let applied = self.applied.as_ref()?;
        Some(PolicyAllowed {
            app_id: self.app_id,
            user_id: self.user_id,
            tenant_id: self.tenant_id?,
            policy_id: applied.policy_id,
            decided_at: self.decided_at,
        })
    }

    /// One line a person can act on, for logs and a response header.
    pub fn reason(&self) -> String {
        let delay = format_delay(self.propagation_delay_seconds);
        if self.allowed {
            let base = self.base_reason();
            match self.pending.iter().find(|p| !p.allowed_after) {
                Some(p) => format!(
                    "{base}, until the {} made at {} takes effect at {} (propagation delay {delay})",
                    p.change,
                    fmt_time(p.made_at),
                    fmt_time(p.takes_effect_at)
                ),
                None => base,
            }
        } else {
            match self.pending.iter().find(|p| p.allowed_after) {
                Some(p) => format!(
                    "denied: {} made at {} takes effect at {} (propagation delay {delay})",
                    p.change,
                    fmt_time(p.made_at),
                    fmt_time(p.takes_effect_at)
                ),
                None => self.base_reason(),
            }
        }
    }

    /// The outcome at the effective instant, without pending changes.
    fn base_reason(&self) -> String {
        outcome_line(
            self.app_id,
            self.applied.as_ref(),
            self.app_listed,
            &self.overridden,
        )
    }
}

/// Decides whether `app_id` may act for `user_id`, a member of `user_groups`, on the directory as
/// it was at `now - propagation_delay` (a negative delay counts as zero).
pub fn decide(
    state: &PolicyState,
    app_id: Uuid,
    user_id: Uuid,
    user_groups: &[Uuid],
    now: DateTime<Utc>,
    propagation_delay: chrono::Duration,
) -> AccessDecision {
    let delay = propagation_delay.max(TimeDelta::zero());
    let effective = now
        .checked_sub_signed(delay)
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let who = Subject {
        app_id,
        user_id,
        user_groups,
    };

    let at_effective = resolve(state, &who, effective);

    // Walk the changes made in (effective, now], in order, and keep those that change the
    // outcome or the applied grant relative to the state before them.
    let mut times: Vec<DateTime<Utc>> = event_times(state)
        .filter(|t| *t > effective && *t <= now)
        .collect();
    times.sort();
    times.dedup();
    let mut pending = Vec::new();
    let mut before = at_effective.clone();
    for t in times {
        let after = resolve(state, &who, t);
        if after.allowed() != before.allowed() || after.applied_key() != before.applied_key() {
            let takes_effect_at = t
                .checked_add_signed(delay)
                .unwrap_or(DateTime::<Utc>::MAX_UTC);
            let change = describe_changes(state, &who, t);
            let then = outcome_line(
                app_id,
                after.applied.as_ref(),
                after.listed,
                &after.overridden,
            );
            pending.push(PendingChange {
                made_at: t,
                takes_effect_at,
                description: format!(
                    "{change} made at {} takes effect at {}; then {then}",
                    fmt_time(t),
                    fmt_time(takes_effect_at)
                ),
                change,
                allowed_after: after.allowed(),
                grant_after: after.applied.clone(),
            });
        }
        before = after;
    }

    AccessDecision {
        app_id,
        user_id,
        decided_at: now,
        effective_at: effective,
        propagation_delay_seconds: delay.num_seconds(),
        allowed: at_effective.allowed(),
        applied: at_effective.applied,
        app_listed: at_effective.listed,
        policy_apps: at_effective.apps,
        overridden: at_effective.overridden,
        pending,
        tenant_id: at_effective.tenant_id,
    }
}

#[cfg(test)]
mod tests;
