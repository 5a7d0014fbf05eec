//! The words of a decision: the outcome line, the changes still waiting for the propagation
//! delay, times and delays as people read them.

use super::resolution::{same_assignee, to_target, Subject};
use super::{AppliedGrant, PolicyState};

use crate::model::{GrantTarget, PolicyGrant};
use chrono::{DateTime, SecondsFormat, Utc};
use uuid::Uuid;

/// The changes made at `t` that concern the user and the app, for a person.
pub(super) fn describe_changes(state: &PolicyState, who: &Subject, t: DateTime<Utc>) -> String {
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
pub(super) fn grant_kind(target: &GrantTarget) -> String {
    match target {
        GrantTarget::User(_) => "user grant".to_owned(),
        GrantTarget::Group { id, rank } => format!("grant to group {id} (rank {rank})"),
        GrantTarget::Global => "global grant".to_owned(),
    }
}

/// The outcome at one instant, as one line.
pub(super) fn outcome_line(
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

pub(super) fn fmt_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `30m`, `1h30m`, `45s`, `0s`.
pub(super) fn format_delay(seconds: i64) -> String {
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
