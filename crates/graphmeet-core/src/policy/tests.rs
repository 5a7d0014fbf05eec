//! The resolution rules of Teams application access policies, one test per rule (spec §3.2's
//! compare table, precedence, revocation, propagation delay, the explanation).
// Over 600 lines: one short test per rule, sharing the fixtures at the top; splitting them
// would only scatter those fixtures.

use super::resolution::same_assignee;

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
    fn now(&self, app: Uuid, user: Uuid, groups: &[Uuid], now: DateTime<Utc>) -> AccessDecision {
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
