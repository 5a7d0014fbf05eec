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

use std::cmp::Ordering;

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::model::{AccessPolicy, GrantTarget, PolicyGrant};

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

/// Who is asking about whom.
struct Subject<'a> {
    app_id: Uuid,
    user_id: Uuid,
    user_groups: &'a [Uuid],
}

impl Subject<'_> {
    /// Whether a grant to `target` concerns this user.
    fn concerns(&self, target: &GrantTarget) -> bool {
        match target {
            GrantTarget::User(u) => *u == self.user_id,
            GrantTarget::Group { id, .. } => self.user_groups.contains(id),
            GrantTarget::Global => true,
        }
    }
}

/// The resolution at one instant.
#[derive(Debug, Clone, Default)]
struct Resolution {
    applied: Option<AppliedGrant>,
    tenant_id: Option<Uuid>,
    listed: bool,
    apps: Vec<Uuid>,
    overridden: Vec<AppliedGrant>,
}

impl Resolution {
    fn allowed(&self) -> bool {
        self.applied.is_some() && self.listed
    }

    /// What identifies the applied grant.
    fn applied_key(&self) -> Option<(GrantTarget, Uuid, DateTime<Utc>)> {
        self.applied
            .as_ref()
            .map(|a| (a.target, a.policy_id, a.granted_at))
    }
}

/// A live grant of an existing policy at some instant.
struct Candidate<'a> {
    grant: &'a PolicyGrant,
    policy: &'a AccessPolicy,
}

impl Candidate<'_> {
    fn applied(&self) -> AppliedGrant {
        AppliedGrant {
            target: self.grant.target,
            policy_name: self.policy.name.clone(),
            policy_id: self.policy.id,
            granted_at: self.grant.granted_at,
        }
    }
}

/// Precedence order: user grants, then group grants by rank (ties: the earlier grant), then
/// global grants. Only one live grant per user or tenant is expected; should the store ever hold
/// more, the most recent wins, as a new grant replaces the previous one.
fn by_precedence(a: &Candidate, b: &Candidate) -> Ordering {
    let level = |c: &Candidate| match c.grant.target {
        GrantTarget::User(_) => (0u8, 0i64),
        GrantTarget::Group { rank, .. } => (1, rank),
        GrantTarget::Global => (2, 0),
    };
    let (la, lb) = (level(a), level(b));
    let by_time = if la.0 == 1 {
        a.grant.granted_at.cmp(&b.grant.granted_at)
    } else {
        b.grant.granted_at.cmp(&a.grant.granted_at)
    };
    la.cmp(&lb)
        .then(by_time)
        .then(a.policy.id.cmp(&b.policy.id))
}

fn resolve(state: &PolicyState, who: &Subject, t: DateTime<Utc>) -> Resolution {
    let mut candidates: Vec<Candidate> = state
        .grants
        .iter()
        .filter(|g| g.live_at(t) && who.concerns(&g.target))
        .filter_map(|grant| {
            let policy = state.policies.iter().find(|p| {
                p.id == grant.policy_id && p.tenant_id == grant.tenant_id && p.exists_at(t)
            })?;
            Some(Candidate { grant, policy })
        })
        .collect();
    candidates.sort_by(by_precedence);
    let mut rest = candidates.iter();
    let Some(chosen) = rest.next() else {
        return Resolution::default();
    };
    let apps = chosen.policy.app_ids_at(t);
    let overridden = rest
        .filter(|c| c.policy.app_ids_at(t).contains(&who.app_id))
        .map(Candidate::applied)
        .collect();
    Resolution {
        applied: Some(chosen.applied()),
        tenant_id: Some(chosen.grant.tenant_id),
        listed: apps.contains(&who.app_id),
        apps,
        overridden,
    }
}

/// Every instant at which the directory's policy state changed.
fn event_times<'a>(state: &'a PolicyState) -> impl Iterator<Item = DateTime<Utc>> + 'a {
    let grants = state
        .grants
        .iter()
        .flat_map(|g| [Some(g.granted_at), g.revoked_at]);
    let policies = state.policies.iter().flat_map(|p| {
        [Some(p.created_at), p.removed_at]
            .into_iter()
            .chain(p.apps.iter().flat_map(|a| [Some(a.added_at), a.removed_at]))
    });
    grants.chain(policies).flatten()
}

/// Whether two targets are the same assignee (a group re-granted with another rank is the same).
fn same_assignee(a: &GrantTarget, b: &GrantTarget) -> bool {
    match (a, b) {
        (GrantTarget::User(x), GrantTarget::User(y)) => x == y,
        (GrantTarget::Group { id: x, .. }, GrantTarget::Group { id: y, .. }) => x == y,
        (GrantTarget::Global, GrantTarget::Global) => true,
        _ => false,
    }
}

/// "to the user", "to group … (rank …)", "globally".
fn to_target(target: &GrantTarget) -> String {
    match target {
        GrantTarget::User(_) => "to the user".to_owned(),
        GrantTarget::Group { id, rank } => format!("to group {id} (rank {rank})"),
        GrantTarget::Global => "globally".to_owned(),
    }
}

/// The changes made at `t` that concern the user and the app, for a person.
fn describe_changes(state: &PolicyState, who: &Subject, t: DateTime<Utc>) -> String {
    let relevant: Vec<&PolicyGrant> = state
        .grants
        .iter()
        .filter(|g| who.concerns(&g.target))
        .collect();
    let policy_name = |id: Uuid| -> Option<&str> {
        state
            .policies
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name.as_str())
    };
    let removed_policy_at_t = |id: Uuid| {
        state
            .policies
            .iter()
            .any(|p| p.id == id && p.removed_at == Some(t))
    };
    let mut parts: Vec<String> = Vec::new();

    // Policies removed at t that the user's grants point at.
    let mut removed: Vec<Uuid> = relevant
        .iter()
        .map(|g| g.policy_id)
        .filter(|id| removed_policy_at_t(*id))
        .collect();
    removed.sort();
    removed.dedup();
    for id in &removed {
        let name = policy_name(*id).unwrap_or("?");
        parts.push(format!("removal of policy '{name}'"));
    }

    // Apps listed or unlisted at t by policies the user's grants point at.
    let mut policy_ids: Vec<Uuid> = relevant.iter().map(|g| g.policy_id).collect();
    policy_ids.sort();
    policy_ids.dedup();
    for policy in state.policies.iter().filter(|p| policy_ids.contains(&p.id)) {
        for app in policy.apps.iter().filter(|a| a.app_id == who.app_id) {
            if app.added_at == t {
                parts.push(format!(
                    "addition of app {} to policy '{}'",
                    app.app_id, policy.name
                ));
            }
            if app.removed_at == Some(t) {
                parts.push(format!(
                    "removal of app {} from policy '{}'",
                    app.app_id, policy.name
                ));
            }
        }
    }

    // Grants made at t (replacing the assignee's previous grant, if it ended at t).
    for g in relevant.iter().filter(|g| g.granted_at == t) {
        let replaced = relevant.iter().find(|old| {
            old.revoked_at == Some(t) && same_assignee(&old.target, &g.target) && old.granted_at < t
        });
        match replaced {
            Some(old) => parts.push(format!(
                "grant of policy '{}' {} (replacing policy '{}')",
                g.policy_name,
                to_target(&g.target),
                old.policy_name
            )),
            None => parts.push(format!(
                "grant of policy '{}' {}",
                g.policy_name,
                to_target(&g.target)
            )),
        }
    }

    // Grants ended at t without a successor and not by removing their policy.
    for g in relevant.iter().filter(|g| g.revoked_at == Some(t)) {
        let succeeded = relevant
            .iter()
            .any(|new| new.granted_at == t && same_assignee(&new.target, &g.target));
        if !succeeded && !removed.contains(&g.policy_id) {
            parts.push(format!(
                "revocation of the grant of policy '{}' {}",
                g.policy_name,
                to_target(&g.target)
            ));
        }
    }

    if parts.is_empty() {
        "policy change".to_owned()
    } else {
        parts.join(" and ")
    }
}

/// "user grant", "grant to group … (rank …)", "global grant".
fn grant_kind(target: &GrantTarget) -> String {
    match target {
        GrantTarget::User(_) => "user grant".to_owned(),
        GrantTarget::Group { id, rank } => format!("grant to group {id} (rank {rank})"),
        GrantTarget::Global => "global grant".to_owned(),
    }
}

/// The outcome at one instant, as one line.
fn outcome_line(
    app_id: Uuid,
    applied: Option<&AppliedGrant>,
    listed: bool,
    overridden: &[AppliedGrant],
) -> String {
    let Some(applied) = applied else {
        return "denied: no application access policy is granted to the user, to any of their groups, or globally"
            .to_owned();
    };
    if listed {
        return format!(
            "allowed: {} of policy '{}' lists app {app_id}",
            grant_kind(&applied.target),
            applied.policy_name
        );
    }
    let (whose, rule) = match applied.target {
        GrantTarget::User(_) => (
            "the user's own grant".to_owned(),
            "an explicit grant overrides",
        ),
        GrantTarget::Group { id, rank } => (
            format!("the grant to the user's group {id} (rank {rank})"),
            "the lowest-rank group grant overrides",
        ),
        GrantTarget::Global => (
            "the global grant".to_owned(),
            "the most recent global grant overrides",
        ),
    };
    let mut line = format!(
        "denied: {whose} of policy '{}' does not list app {app_id}",
        applied.policy_name
    );
    if let Some(other) = overridden.first() {
        let other_kind = match other.target {
            GrantTarget::User(_) => "the user's own grant".to_owned(),
            GrantTarget::Group { id, rank } => format!("the grant to group {id} (rank {rank})"),
            GrantTarget::Global => "the global grant".to_owned(),
        };
        line.push_str(&format!(
            " ({rule} {other_kind} of '{}')",
            other.policy_name
        ));
    }
    line
}

fn fmt_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `30m`, `1h30m`, `45s`, `0s`.
fn format_delay(seconds: i64) -> String {
    if seconds <= 0 {
        return "0s".to_owned();
    }
    let (h, m, s) = (seconds / 3600, (seconds % 3600) / 60, seconds % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 {
        out.push_str(&format!("{s}s"));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Exchange Online's application access policy (spec `events-artifacts-notifications.md` A.13):
// may app A, with app-only `Calendars.*` (or `Mail.*`, `Contacts.*`) permissions, reach user U's
// mailbox? Beside the Teams engine above, and as pure: the caller passes the tenant's Exchange
// policies (history included), the mailbox's groups, the time and the propagation delay.
//
// Evaluation per (app, mailbox), on the policies live at `now - propagation_delay`
// (learn.microsoft.com/graph/auth-limit-mailbox-access):
// 1. a DenyAccess policy for the app whose group holds the mailbox denies (it beats
//    RestrictAccess for the same pair);
// 2. else a RestrictAccess policy for the app whose group holds the mailbox grants;
// 3. else, if the app has any RestrictAccess policy, the mailbox is outside them all: denied;
// 4. else nothing restricts the app: granted.
// ---------------------------------------------------------------------------------------------

/// `-AccessRight` of `New-ApplicationAccessPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub enum ExchangeAccessRight {
    /// Only mailboxes in the scope group may be reached.
    RestrictAccess,
    /// Mailboxes in the scope group may not be reached.
    DenyAccess,
}

impl ExchangeAccessRight {
    /// The cmdlet's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RestrictAccess => "RestrictAccess",
            Self::DenyAccess => "DenyAccess",
        }
    }

    /// Reads the cmdlet's spelling, in any case.
    pub fn parse(text: &str) -> Option<Self> {
        if text.eq_ignore_ascii_case("RestrictAccess") {
            Some(Self::RestrictAccess)
        } else if text.eq_ignore_ascii_case("DenyAccess") {
            Some(Self::DenyAccess)
        } else {
            None
        }
    }
}

/// One Exchange application access policy: one app (or every app, `*`) and one scope group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ExchangePolicy {
    /// The policy's id.
    pub id: Uuid,
    /// The tenant.
    pub tenant_id: Uuid,
    /// The app; `None` for `-AppId *` (every app).
    pub app_id: Option<Uuid>,
    /// The mail-enabled security group the policy is scoped to.
    pub scope_group_id: Uuid,
    /// The group's name when the policy was made (`ScopeName`).
    pub scope_name: String,
    /// RestrictAccess or DenyAccess.
    pub access_right: ExchangeAccessRight,
    /// `-Description`.
    pub description: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was removed.
    pub removed_at: Option<DateTime<Utc>>,
}

impl ExchangePolicy {
    /// Whether the policy exists at `t`.
    pub fn live_at(&self, t: DateTime<Utc>) -> bool {
        self.created_at <= t && self.removed_at.is_none_or(|r| t < r)
    }

    /// Whether the policy names `app_id` (or every app).
    pub fn names_app(&self, app_id: Uuid) -> bool {
        self.app_id.is_none_or(|a| a == app_id)
    }

    /// `-AppId` as the cmdlets print it.
    pub fn app_text(&self) -> String {
        self.app_id
            .map(|a| a.to_string())
            .unwrap_or_else(|| "*".to_owned())
    }
}

/// Which rule decided an Exchange decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeRule {
    /// A DenyAccess policy's group holds the mailbox.
    Denied,
    /// A RestrictAccess policy's group holds the mailbox.
    InScope,
    /// The app has RestrictAccess policies; the mailbox is in none of their groups.
    OutOfScope,
    /// No policy names the app.
    Unrestricted,
}

/// An Exchange policy change within the propagation window, not yet in effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExchangePending {
    /// The policy.
    pub policy_id: Uuid,
    /// `created` or `removed`.
    pub change: &'static str,
    /// When it was made.
    pub made_at: DateTime<Utc>,
    /// When it takes effect.
    pub takes_effect_at: DateTime<Utc>,
    /// Whether the mailbox is reachable once it does.
    pub allowed_after: bool,
}

/// Whether an app may reach a mailbox under Exchange's policies, and why. Fields are private:
/// read them with the accessors or serialise the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExchangeDecision {
    app_id: Uuid,
    user_id: Uuid,
    decided_at: DateTime<Utc>,
    effective_at: DateTime<Utc>,
    propagation_delay_seconds: i64,
    allowed: bool,
    rule: ExchangeRule,
    /// The policies that decided (the matching ones, or the app's RestrictAccess ones).
    policies: Vec<Uuid>,
    pending: Vec<ExchangePending>,
}

impl ExchangeDecision {
    /// Whether the mailbox may be reached.
    pub fn allowed(&self) -> bool {
        self.allowed
    }

    /// The app.
    pub fn app_id(&self) -> Uuid {
        self.app_id
    }

    /// The mailbox's owner.
    pub fn user_id(&self) -> Uuid {
        self.user_id
    }

    /// The rule that decided.
    pub fn rule(&self) -> &ExchangeRule {
        &self.rule
    }

    /// Changes made within the propagation window.
    pub fn pending(&self) -> &[ExchangePending] {
        &self.pending
    }

    /// The decision in one line, for the audit log, `policy explain` and the response header.
    pub fn reason(&self) -> String {
        let ids = self
            .policies
            .iter()
            .map(Uuid::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let mut out = match self.rule {
            ExchangeRule::Denied => format!(
                "denied: Exchange application access policy {ids} (DenyAccess) scopes mailbox {} for app {}",
                self.user_id, self.app_id
            ),
            ExchangeRule::InScope => format!(
                "allowed: Exchange application access policy {ids} (RestrictAccess) scopes mailbox {} for app {}",
                self.user_id, self.app_id
            ),
            ExchangeRule::OutOfScope => format!(
                "denied: app {} is restricted by Exchange application access policies ({ids}) and mailbox {} is in none of their groups",
                self.app_id, self.user_id
            ),
            ExchangeRule::Unrestricted => format!(
                "allowed: no Exchange application access policy restricts app {}",
                self.app_id
            ),
        };
        if self.propagation_delay_seconds > 0 {
            out.push_str(&format!(
                " (as of {}, {} s ago: changes take that long to apply)",
                self.effective_at.to_rfc3339_opts(SecondsFormat::Secs, true),
                self.propagation_delay_seconds
            ));
        }
        for p in &self.pending {
            out.push_str(&format!(
                "; pending: policy {} {} at {} takes effect at {} ({} then)",
                p.policy_id,
                p.change,
                p.made_at.to_rfc3339_opts(SecondsFormat::Secs, true),
                p.takes_effect_at.to_rfc3339_opts(SecondsFormat::Secs, true),
                if p.allowed_after { "allowed" } else { "denied" }
            ));
        }
        out
    }
}

fn exchange_rule_at(
    policies: &[ExchangePolicy],
    app_id: Uuid,
    groups: &[Uuid],
    t: DateTime<Utc>,
) -> (bool, ExchangeRule, Vec<Uuid>) {
    let live: Vec<&ExchangePolicy> = policies
        .iter()
        .filter(|p| p.live_at(t) && p.names_app(app_id))
        .collect();
    let holds = |p: &&ExchangePolicy| groups.contains(&p.scope_group_id);
    let ids = |ps: Vec<&&ExchangePolicy>| ps.iter().map(|p| p.id).collect::<Vec<_>>();
    let deny: Vec<&&ExchangePolicy> = live
        .iter()
        .filter(|p| p.access_right == ExchangeAccessRight::DenyAccess && holds(p))
        .collect();
    if !deny.is_empty() {
        return (false, ExchangeRule::Denied, ids(deny));
    }
    let restrict: Vec<&&ExchangePolicy> = live
        .iter()
        .filter(|p| p.access_right == ExchangeAccessRight::RestrictAccess)
        .collect();
    let in_scope: Vec<&&ExchangePolicy> = restrict.iter().copied().filter(|p| holds(p)).collect();
    if !in_scope.is_empty() {
        return (true, ExchangeRule::InScope, ids(in_scope));
    }
    if !restrict.is_empty() {
        return (false, ExchangeRule::OutOfScope, ids(restrict));
    }
    (true, ExchangeRule::Unrestricted, Vec::new())
}

/// Decides whether `app_id` may reach `user_id`'s mailbox (whose direct groups are `groups`)
/// under `policies` (the tenant's Exchange policies, removed ones included), as the service
/// sees them `propagation_delay` after `now`'s changes; see the section's comment.
pub fn decide_exchange(
    policies: &[ExchangePolicy],
    app_id: Uuid,
    user_id: Uuid,
    groups: &[Uuid],
    now: DateTime<Utc>,
    propagation_delay: TimeDelta,
) -> ExchangeDecision {
    let effective_at = now - propagation_delay;
    let (allowed, rule, decided_by) = exchange_rule_at(policies, app_id, groups, effective_at);
    let mut pending = Vec::new();
    let mut changes: Vec<(DateTime<Utc>, Uuid, &'static str)> = Vec::new();
    for p in policies.iter().filter(|p| p.names_app(app_id)) {
        if p.created_at > effective_at && p.created_at <= now {
            changes.push((p.created_at, p.id, "created"));
        }
        if let Some(r) = p.removed_at.filter(|r| *r > effective_at && *r <= now) {
            changes.push((r, p.id, "removed"));
        }
    }
    changes.sort();
    for (made_at, policy_id, change) in changes {
        let (allowed_after, _, _) = exchange_rule_at(policies, app_id, groups, made_at);
        pending.push(ExchangePending {
            policy_id,
            change,
            made_at,
            takes_effect_at: made_at + propagation_delay,
            allowed_after,
        });
    }
    ExchangeDecision {
        app_id,
        user_id,
        decided_at: now,
        effective_at,
        propagation_delay_seconds: propagation_delay.num_seconds(),
        allowed,
        rule,
        policies: decided_by,
        pending,
    }
}

#[cfg(test)]
mod exchange_tests {
    use super::*;

    fn policy(
        app: Option<Uuid>,
        group: Uuid,
        right: ExchangeAccessRight,
        at: i64,
    ) -> ExchangePolicy {
        ExchangePolicy {
            id: Uuid::new_v4(),
            tenant_id: Uuid::nil(),
            app_id: app,
            scope_group_id: group,
            scope_name: "g".to_owned(),
            access_right: right,
            description: String::new(),
            created_at: DateTime::from_timestamp(at, 0).unwrap_or_default(),
            removed_at: None,
        }
    }

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(s, 0).unwrap_or_default()
    }

    #[test]
    fn no_policy_for_the_app_grants() {
        let (app, user) = (Uuid::new_v4(), Uuid::new_v4());
        let other = policy(
            Some(Uuid::new_v4()),
            Uuid::new_v4(),
            ExchangeAccessRight::RestrictAccess,
            0,
        );
        let d = decide_exchange(&[other], app, user, &[], t(100), TimeDelta::zero());
        assert!(d.allowed());
        assert_eq!(d.rule(), &ExchangeRule::Unrestricted);
    }

    #[test]
    fn restrict_access_grants_the_group_and_denies_everyone_else() {
        let (app, user, group) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let p = policy(Some(app), group, ExchangeAccessRight::RestrictAccess, 0);
        let out = decide_exchange(
            std::slice::from_ref(&p),
            app,
            user,
            &[],
            t(100),
            TimeDelta::zero(),
        );
        assert!(!out.allowed());
        assert_eq!(out.rule(), &ExchangeRule::OutOfScope);
        assert!(
            out.reason().contains("is in none of their groups"),
            "{}",
            out.reason()
        );
        let inside = decide_exchange(&[p], app, user, &[group], t(100), TimeDelta::zero());
        assert!(inside.allowed());
        assert_eq!(inside.rule(), &ExchangeRule::InScope);
    }

    #[test]
    fn deny_access_beats_restrict_access_for_the_same_pair() {
        let (app, user, group) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let policies = [
            policy(Some(app), group, ExchangeAccessRight::RestrictAccess, 0),
            policy(None, group, ExchangeAccessRight::DenyAccess, 0),
        ];
        let d = decide_exchange(&policies, app, user, &[group], t(100), TimeDelta::zero());
        assert!(!d.allowed());
        assert_eq!(d.rule(), &ExchangeRule::Denied);
        // DenyAccess alone leaves mailboxes outside its group reachable.
        let d = decide_exchange(&policies[1..], app, user, &[], t(100), TimeDelta::zero());
        assert!(d.allowed());
    }

    #[test]
    fn changes_wait_for_the_propagation_delay_and_are_explained_meanwhile() {
        let (app, user, group) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let mut p = policy(Some(app), group, ExchangeAccessRight::RestrictAccess, 1000);
        let delay = TimeDelta::seconds(600);
        let d = decide_exchange(std::slice::from_ref(&p), app, user, &[], t(1300), delay);
        assert!(d.allowed(), "not yet in effect");
        assert_eq!(d.pending().len(), 1);
        assert!(!d.pending()[0].allowed_after);
        assert!(d.reason().contains("pending"), "{}", d.reason());
        assert!(
            !decide_exchange(std::slice::from_ref(&p), app, user, &[], t(1600), delay).allowed()
        );
        p.removed_at = Some(t(2000));
        assert!(
            !decide_exchange(std::slice::from_ref(&p), app, user, &[], t(2300), delay).allowed()
        );
        assert!(decide_exchange(&[p], app, user, &[], t(2600), delay).allowed());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PolicyApp;

    fn t(minutes: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2024-05-01T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + TimeDelta::minutes(minutes)
    }

    fn mins(m: i64) -> TimeDelta {
        TimeDelta::minutes(m)
    }

    fn same(a: &GrantTarget, b: &GrantTarget) -> bool {
        same_assignee(a, b)
    }

    /// A tenant's policy rows, changed the way the store changes them.
    struct World {
        tenant: Uuid,
        policies: Vec<AccessPolicy>,
        grants: Vec<PolicyGrant>,
    }

    impl World {
        fn new() -> Self {
            World {
                tenant: Uuid::new_v4(),
                policies: Vec::new(),
                grants: Vec::new(),
            }
        }

        fn live_policy(&mut self, name: &str) -> &mut AccessPolicy {
            self.policies
                .iter_mut()
                .find(|p| p.name == name && p.removed_at.is_none())
                .unwrap()
        }

        fn policy(&mut self, name: &str, apps: &[Uuid], at: DateTime<Utc>) -> Uuid {
            let id = Uuid::new_v4();
            self.policies.push(AccessPolicy {
                id,
                tenant_id: self.tenant,
                name: name.to_owned(),
                description: String::new(),
                created_at: at,
                removed_at: None,
                apps: apps
                    .iter()
                    .map(|a| PolicyApp {
                        app_id: *a,
                        added_at: at,
                        removed_at: None,
                    })
                    .collect(),
            });
            id
        }

        fn add_app(&mut self, name: &str, app: Uuid, at: DateTime<Utc>) {
            self.live_policy(name).apps.push(PolicyApp {
                app_id: app,
                added_at: at,
                removed_at: None,
            });
        }

        fn remove_app(&mut self, name: &str, app: Uuid, at: DateTime<Utc>) {
            let p = self.live_policy(name);
            let a = p
                .apps
                .iter_mut()
                .find(|a| a.app_id == app && a.removed_at.is_none())
                .unwrap();
            a.removed_at = Some(at);
        }

        fn remove_policy(&mut self, name: &str, at: DateTime<Utc>) {
            let p = self.live_policy(name);
            p.removed_at = Some(at);
            let id = p.id;
            for g in self
                .grants
                .iter_mut()
                .filter(|g| g.policy_id == id && g.revoked_at.is_none())
            {
                g.revoked_at = Some(at);
            }
        }

        fn revoke(&mut self, target: GrantTarget, at: DateTime<Utc>) {
            for g in self
                .grants
                .iter_mut()
                .filter(|g| same(&g.target, &target) && g.revoked_at.is_none())
            {
                g.revoked_at = Some(at);
            }
        }

        fn grant(&mut self, name: &str, target: GrantTarget, at: DateTime<Utc>) {
            let policy_id = self.live_policy(name).id;
            self.revoke(target, at);
            self.grants.push(PolicyGrant {
                tenant_id: self.tenant,
                target,
                policy_id,
                policy_name: name.to_owned(),
                granted_at: at,
                revoked_at: None,
            });
        }

        fn decide(
            &self,
            app: Uuid,
            user: Uuid,
            groups: &[Uuid],
            now: DateTime<Utc>,
            delay: TimeDelta,
        ) -> AccessDecision {
            let state = PolicyState {
                policies: &self.policies,
                grants: &self.grants,
            };
            decide(&state, app, user, groups, now, delay)
        }

        /// Immediate decision (no propagation delay) at `now`.
        fn now(
            &self,
            app: Uuid,
            user: Uuid,
            groups: &[Uuid],
            now: DateTime<Utc>,
        ) -> AccessDecision {
            self.decide(app, user, groups, now, TimeDelta::zero())
        }
    }

    fn ids() -> (Uuid, Uuid, Uuid, Uuid) {
        (
            Uuid::new_v4(),
            Uuid::new_v4(),
            Uuid::new_v4(),
            Uuid::new_v4(),
        )
    }

    #[test]
    fn spec_compare_table_every_cell() {
        let (app_1, app_2, user_1, user_2) = ids();
        // Each row: the grants, then the expected (app_1/user_1, app_1/user_2, app_2/user_1, app_2/user_2).
        type Row = (&'static str, Vec<(&'static str, GrantTarget)>, [bool; 4]);
        let rows: Vec<Row> = vec![
            (
                "policy_1 -> user_1, policy_2 -> user_2",
                vec![
                    ("policy_1", GrantTarget::User(user_1)),
                    ("policy_2", GrantTarget::User(user_2)),
                ],
                [true, false, false, true],
            ),
            (
                "policy_1 -> both users",
                vec![
                    ("policy_1", GrantTarget::User(user_1)),
                    ("policy_1", GrantTarget::User(user_2)),
                ],
                [true, true, false, false],
            ),
            (
                "policy_3 -> user_1, nothing for user_2",
                vec![("policy_3", GrantTarget::User(user_1))],
                [true, false, true, false],
            ),
            (
                "policy_3 -> whole tenant",
                vec![("policy_3", GrantTarget::Global)],
                [true, true, true, true],
            ),
        ];
        for (row, grants, expected) in rows {
            let mut w = World::new();
            w.policy("policy_1", &[app_1], t(0));
            w.policy("policy_2", &[app_2], t(0));
            w.policy("policy_3", &[app_1, app_2], t(0));
            for (policy, target) in grants {
                w.grant(policy, target, t(1));
            }
            let cells = [
                (app_1, user_1),
                (app_1, user_2),
                (app_2, user_1),
                (app_2, user_2),
            ];
            for ((app, user), want) in cells.into_iter().zip(expected) {
                let d = w.now(app, user, &[], t(2));
                let app_name = if app == app_1 { "app_1" } else { "app_2" };
                let user_name = if user == user_1 { "user_1" } else { "user_2" };
                assert_eq!(
                    d.allowed(),
                    want,
                    "row '{row}', {app_name} as {user_name}: {}",
                    d.reason()
                );
                assert_eq!(d.allowed_access().is_some(), want);
            }
        }
    }

    #[test]
    fn explicit_grant_without_app_denies_even_with_global_policy() {
        let (app, other_app, user, other_user) = ids();
        let mut w = World::new();
        w.policy("All", &[app], t(0));
        w.policy("Other", &[other_app], t(0));
        w.grant("All", GrantTarget::Global, t(1));
        w.grant("Other", GrantTarget::User(user), t(1));

        let d = w.now(app, user, &[], t(2));
        assert!(!d.allowed());
        assert!(!d.app_listed());
        assert_eq!(d.policy_apps(), &[other_app]);
        let applied = d.applied().unwrap();
        assert_eq!(applied.target, GrantTarget::User(user));
        assert_eq!(applied.policy_name, "Other");
        assert_eq!(d.overridden().len(), 1);
        assert_eq!(d.overridden()[0].target, GrantTarget::Global);
        assert_eq!(
            d.reason(),
            format!(
                "denied: the user's own grant of policy 'Other' does not list app {app} (an explicit grant overrides the global grant of 'All')"
            )
        );
        assert!(d.allowed_access().is_none());

        // Users without an explicit grant get the global policy.
        let d = w.now(app, other_user, &[], t(2));
        assert!(d.allowed());
        assert_eq!(
            d.reason(),
            format!("allowed: global grant of policy 'All' lists app {app}")
        );
    }

    #[test]
    fn group_grant_with_lowest_rank_wins() {
        let (app, user, g_low, g_high) = ids();
        let mut w = World::new();
        w.policy("Allows", &[app], t(0));
        w.policy("Denies", &[], t(0));
        w.grant(
            "Allows",
            GrantTarget::Group {
                id: g_high,
                rank: 5,
            },
            t(1),
        );
        w.grant("Denies", GrantTarget::Group { id: g_low, rank: 1 }, t(2));

        let d = w.now(app, user, &[g_high, g_low], t(3));
        assert!(!d.allowed());
        assert_eq!(
            d.applied().unwrap().target,
            GrantTarget::Group { id: g_low, rank: 1 }
        );
        assert!(
            d.reason().contains("the lowest-rank group grant overrides"),
            "{}",
            d.reason()
        );

        // Only groups the user belongs to count.
        let d = w.now(app, user, &[g_high], t(3));
        assert!(d.allowed());
        assert_eq!(
            d.applied().unwrap().target,
            GrantTarget::Group {
                id: g_high,
                rank: 5
            }
        );

        // A better rank for the allowing group flips it.
        w.grant(
            "Allows",
            GrantTarget::Group {
                id: g_high,
                rank: 0,
            },
            t(4),
        );
        let d = w.now(app, user, &[g_high, g_low], t(5));
        assert!(d.allowed(), "{}", d.reason());
    }

    #[test]
    fn group_rank_tie_earlier_grant_wins() {
        let (app, user, g_first, g_second) = ids();
        let mut w = World::new();
        w.policy("Allows", &[app], t(0));
        w.policy("Denies", &[], t(0));
        w.grant(
            "Denies",
            GrantTarget::Group {
                id: g_first,
                rank: 3,
            },
            t(1),
        );
        w.grant(
            "Allows",
            GrantTarget::Group {
                id: g_second,
                rank: 3,
            },
            t(2),
        );
        let d = w.now(app, user, &[g_second, g_first], t(3));
        assert!(!d.allowed());
        assert_eq!(
            d.applied().unwrap().target,
            GrantTarget::Group {
                id: g_first,
                rank: 3
            }
        );
    }

    #[test]
    fn user_grant_beats_group_grant() {
        let (app, user, group, _) = ids();
        let mut w = World::new();
        w.policy("Allows", &[app], t(0));
        w.policy("Denies", &[], t(0));
        w.grant("Denies", GrantTarget::Group { id: group, rank: 1 }, t(1));
        w.grant("Allows", GrantTarget::User(user), t(1));
        let d = w.now(app, user, &[group], t(2));
        assert!(d.allowed());
        assert_eq!(d.applied().unwrap().target, GrantTarget::User(user));
        assert_eq!(
            d.reason(),
            format!("allowed: user grant of policy 'Allows' lists app {app}")
        );

        // And the other way round: the user's grant lacks the app, the group's lists it.
        w.grant("Denies", GrantTarget::User(user), t(3));
        w.grant("Allows", GrantTarget::Group { id: group, rank: 1 }, t(3));
        let d = w.now(app, user, &[group], t(4));
        assert!(!d.allowed());
        assert_eq!(d.applied().unwrap().target, GrantTarget::User(user));
        assert!(
            d.reason()
                .contains("an explicit grant overrides the grant to group"),
            "{}",
            d.reason()
        );
    }

    #[test]
    fn global_grant_is_the_fallback() {
        let (app, user, group, stranger_group) = ids();
        let mut w = World::new();
        w.policy("Global", &[app], t(0));
        w.policy("Denies", &[], t(0));
        w.grant("Global", GrantTarget::Global, t(1));
        w.grant(
            "Denies",
            GrantTarget::Group {
                id: stranger_group,
                rank: 0,
            },
            t(1),
        );
        let d = w.now(app, user, &[group], t(2));
        assert!(d.allowed());
        assert_eq!(d.applied().unwrap().target, GrantTarget::Global);

        // Nothing at all: denied with the "no policy" explanation.
        let empty = World::new();
        let d = empty.now(app, user, &[group], t(2));
        assert!(!d.allowed());
        assert!(d.applied().is_none());
        assert_eq!(
            d.reason(),
            "denied: no application access policy is granted to the user, to any of their groups, or globally"
        );
    }

    #[test]
    fn revoked_grant_no_longer_applies_and_falls_back() {
        let (app, user, group, _) = ids();
        let mut w = World::new();
        w.policy("Denies", &[], t(0));
        w.policy("GroupPolicy", &[app], t(0));
        w.policy("GlobalPolicy", &[], t(0));
        w.grant("Denies", GrantTarget::User(user), t(1));
        w.grant(
            "GroupPolicy",
            GrantTarget::Group { id: group, rank: 1 },
            t(1),
        );
        w.grant("GlobalPolicy", GrantTarget::Global, t(1));
        assert!(!w.now(app, user, &[group], t(2)).allowed());

        w.revoke(GrantTarget::User(user), t(3));
        let d = w.now(app, user, &[group], t(4));
        assert!(d.allowed());
        assert_eq!(d.applied().unwrap().policy_name, "GroupPolicy");

        w.revoke(GrantTarget::Group { id: group, rank: 1 }, t(5));
        let d = w.now(app, user, &[group], t(6));
        assert!(!d.allowed());
        assert_eq!(d.applied().unwrap().target, GrantTarget::Global);

        w.revoke(GrantTarget::Global, t(7));
        let d = w.now(app, user, &[group], t(8));
        assert!(d.applied().is_none());

        // History is kept: asking about an earlier instant sees the earlier state.
        assert_eq!(
            w.now(app, user, &[group], t(4))
                .applied()
                .unwrap()
                .policy_name,
            "GroupPolicy"
        );
    }

    #[test]
    fn replaced_grant_applies_the_new_policy_only() {
        let (app_1, app_2, user, _) = ids();
        let mut w = World::new();
        w.policy("P1", &[app_1], t(0));
        w.policy("P2", &[app_2], t(0));
        w.grant("P1", GrantTarget::User(user), t(1));
        assert!(w.now(app_1, user, &[], t(2)).allowed());
        w.grant("P2", GrantTarget::User(user), t(3));
        let d = w.now(app_1, user, &[], t(4));
        assert!(!d.allowed());
        assert_eq!(d.applied().unwrap().policy_name, "P2");
        assert!(w.now(app_2, user, &[], t(4)).allowed());
    }

    #[test]
    fn app_removed_from_policy_denies() {
        let (app, user, _, _) = ids();
        let mut w = World::new();
        w.policy("P", &[app], t(0));
        w.grant("P", GrantTarget::User(user), t(1));
        w.remove_app("P", app, t(3));
        assert!(w.now(app, user, &[], t(2)).allowed());
        let d = w.now(app, user, &[], t(3));
        assert!(!d.allowed());
        assert!(d.policy_apps().is_empty());
        assert_eq!(
            d.reason(),
            format!("denied: the user's own grant of policy 'P' does not list app {app}")
        );
        w.add_app("P", app, t(5));
        assert!(w.now(app, user, &[], t(5)).allowed());
    }

    #[test]
    fn removed_policy_no_longer_applies() {
        let (app, user, _, _) = ids();
        let mut w = World::new();
        w.policy("P", &[], t(0));
        w.policy("All", &[app], t(0));
        w.grant("All", GrantTarget::Global, t(1));
        w.grant("P", GrantTarget::User(user), t(1));
        assert!(!w.now(app, user, &[], t(2)).allowed());
        w.remove_policy("P", t(3));
        let d = w.now(app, user, &[], t(4));
        assert!(d.allowed());
        assert_eq!(d.applied().unwrap().target, GrantTarget::Global);

        // Robust to a grant the store failed to end: its removed policy makes it absent.
        let mut w = World::new();
        w.policy("P", &[app], t(0));
        w.grant("P", GrantTarget::User(user), t(1));
        w.live_policy("P").removed_at = Some(t(3));
        assert!(w.grants[0].revoked_at.is_none());
        assert!(w.now(app, user, &[], t(2)).allowed());
        let d = w.now(app, user, &[], t(4));
        assert!(!d.allowed());
        assert!(d.applied().is_none());
    }

    #[test]
    fn propagation_delay_grant_takes_effect_after_delay() {
        let (app, user, _, _) = ids();
        let mut w = World::new();
        w.policy("P", &[app], t(0));
        w.grant("P", GrantTarget::User(user), t(60));

        // Ten minutes after the grant, with a 30-minute delay: not yet.
        let d = w.decide(app, user, &[], t(70), mins(30));
        assert!(!d.allowed());
        assert!(d.applied().is_none());
        assert_eq!(d.effective_at(), t(40));
        assert_eq!(d.pending().len(), 1);
        let p = &d.pending()[0];
        assert_eq!(p.made_at, t(60));
        assert_eq!(p.takes_effect_at, t(90));
        assert!(p.allowed_after);
        assert_eq!(
            p.grant_after.as_ref().unwrap().target,
            GrantTarget::User(user)
        );
        assert_eq!(
            d.reason(),
            "denied: grant of policy 'P' to the user made at 2024-05-01T10:00:00Z takes effect at 2024-05-01T10:30:00Z (propagation delay 30m)"
        );
        assert!(d.allowed_access().is_none());

        // Thirty minutes after the grant it is in force.
        let d = w.decide(app, user, &[], t(90), mins(30));
        assert!(d.allowed());
        assert!(d.pending().is_empty());

        // With no delay it is immediate.
        assert!(w.decide(app, user, &[], t(60), TimeDelta::zero()).allowed());
    }

    #[test]
    fn propagation_delay_revocation_still_allows_until_it_takes_effect() {
        let (app, user, _, _) = ids();
        let mut w = World::new();
        w.policy("P", &[app], t(0));
        w.grant("P", GrantTarget::User(user), t(1));
        w.revoke(GrantTarget::User(user), t(60));

        let d = w.decide(app, user, &[], t(70), mins(30));
        assert!(d.allowed(), "{}", d.reason());
        assert_eq!(d.pending().len(), 1);
        let p = &d.pending()[0];
        assert!(!p.allowed_after);
        assert_eq!(p.takes_effect_at, t(90));
        assert!(p.grant_after.is_none());
        assert!(
            p.change
                .starts_with("revocation of the grant of policy 'P' to the user"),
            "{}",
            p.change
        );
        assert!(
            d.reason().starts_with(&format!(
                "allowed: user grant of policy 'P' lists app {app}, until the revocation"
            )),
            "{}",
            d.reason()
        );

        let d = w.decide(app, user, &[], t(90), mins(30));
        assert!(!d.allowed());
        assert!(d.pending().is_empty());
    }

    #[test]
    fn pending_lists_only_changes_that_matter() {
        let (app, user, other_user, group) = ids();
        let mut w = World::new();
        w.policy("P", &[app], t(0));
        w.policy("Q", &[app], t(0));
        w.grant("P", GrantTarget::User(user), t(1));
        // Within the window: another user's grant (irrelevant), a group grant shadowed by the
        // user's own grant (irrelevant), and a replacement of the user's grant (changes the
        // applied grant but not the outcome).
        w.grant("P", GrantTarget::User(other_user), t(50));
        w.grant("Q", GrantTarget::Group { id: group, rank: 1 }, t(55));
        w.grant("Q", GrantTarget::User(user), t(60));
        let d = w.decide(app, user, &[group], t(70), mins(30));
        assert!(d.allowed());
        assert_eq!(d.pending().len(), 1, "{:?}", d.pending());
        let p = &d.pending()[0];
        assert!(p.allowed_after);
        assert_eq!(
            p.change,
            "grant of policy 'Q' to the user (replacing policy 'P')"
        );
        assert_eq!(
            d.reason(),
            format!("allowed: user grant of policy 'P' lists app {app}")
        );
    }

    #[test]
    fn allowed_access_proof_only_from_allowed_decision() {
        let (app, user, _, _) = ids();
        let mut w = World::new();
        let policy_id = w.policy("P", &[app], t(0));
        w.grant("P", GrantTarget::User(user), t(1));
        let proof = w.now(app, user, &[], t(2)).allowed_access().unwrap();
        assert_eq!(proof.app_id(), app);
        assert_eq!(proof.user_id(), user);
        assert_eq!(proof.policy_id(), policy_id);
        assert_eq!(proof.tenant_id(), w.tenant);
        assert_eq!(proof.decided_at(), t(2));
        assert!(w
            .now(Uuid::new_v4(), user, &[], t(2))
            .allowed_access()
            .is_none());
    }

    #[test]
    fn decision_serialises_its_explanation() {
        let (app, user, _, _) = ids();
        let mut w = World::new();
        w.policy("P", &[app], t(0));
        w.grant("P", GrantTarget::User(user), t(60));
        let d = w.decide(app, user, &[], t(70), mins(30));
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["allowed"], false);
        assert_eq!(json["propagation_delay_seconds"], 1800);
        assert_eq!(json["pending"][0]["allowed_after"], true);
        assert!(json.get("tenant_id").is_none());
    }
}
