//! Exchange's application access policy (`New-ApplicationAccessPolicy`): RestrictAccess and
//! DenyAccess rules over mail-enabled security groups, and [`decide_exchange`].

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde::Serialize;
use uuid::Uuid;

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

pub(super) fn exchange_rule_at(
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
