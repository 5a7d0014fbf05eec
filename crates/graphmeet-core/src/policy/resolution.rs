//! Which grant applies to a user at an instant: the user's own, else the lowest-ranked live
//! group grant, else the global one.

use super::{AppliedGrant, PolicyState};

use crate::model::{AccessPolicy, GrantTarget, PolicyGrant};
use chrono::{DateTime, Utc};
use std::cmp::Ordering;
use uuid::Uuid;

/// Who is asking about whom.
pub(super) struct Subject<'a> {
    pub(super) app_id: Uuid,
    pub(super) user_id: Uuid,
    pub(super) user_groups: &'a [Uuid],
}

impl Subject<'_> {
    /// Whether a grant to `target` concerns this user.
    pub(super) fn concerns(&self, target: &GrantTarget) -> bool {
        match target {
            GrantTarget::User(u) => *u == self.user_id,
            GrantTarget::Group { id, .. } => self.user_groups.contains(id),
            GrantTarget::Global => true,
        }
    }
}

/// The resolution at one instant.
#[derive(Debug, Clone, Default)]
pub(super) struct Resolution {
    pub(super) applied: Option<AppliedGrant>,
    pub(super) tenant_id: Option<Uuid>,
    pub(super) listed: bool,
    pub(super) apps: Vec<Uuid>,
    pub(super) overridden: Vec<AppliedGrant>,
}

impl Resolution {
    pub(super) fn allowed(&self) -> bool {
        self.applied.is_some() && self.listed
    }

    /// What identifies the applied grant.
    pub(super) fn applied_key(&self) -> Option<(GrantTarget, Uuid, DateTime<Utc>)> {
        self.applied
            .as_ref()
            .map(|a| (a.target, a.policy_id, a.granted_at))
    }
}

/// A live grant of an existing policy at some instant.
pub(super) struct Candidate<'a> {
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
pub(super) fn by_precedence(a: &Candidate, b: &Candidate) -> Ordering {
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

pub(super) fn resolve(state: &PolicyState, who: &Subject, t: DateTime<Utc>) -> Resolution {
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
pub(super) fn event_times<'a>(state: &'a PolicyState) -> impl Iterator<Item = DateTime<Utc>> + 'a {
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
pub(super) fn same_assignee(a: &GrantTarget, b: &GrantTarget) -> bool {
    match (a, b) {
        (GrantTarget::User(x), GrantTarget::User(y)) => x == y,
        (GrantTarget::Group { id: x, .. }, GrantTarget::Group { id: y, .. }) => x == y,
        (GrantTarget::Global, GrantTarget::Global) => true,
        _ => false,
    }
}

/// "to the user", "to group … (rank …)", "globally".
pub(super) fn to_target(target: &GrantTarget) -> String {
    match target {
        GrantTarget::User(_) => "to the user".to_owned(),
        GrantTarget::Group { id, rank } => format!("to group {id} (rank {rank})"),
        GrantTarget::Global => "globally".to_owned(),
    }
}
