//! Access policies, their grants, `policy explain`'s answer and removals, printed as
//! PowerShell's Format-List prints them.

use super::*;
use graphmeet_wire::admin::{GrantView, PolicyView};
use graphmeet_wire::cmdlet::{format_collection, format_list};
use serde::Serialize;
use serde_json::Value;

/// A policy as `Get-CsApplicationAccessPolicy` prints it (PowerShell's `Format-List`).
fn policy_record(p: &PolicyView) -> Vec<(String, String)> {
    vec![
        ("Identity".to_owned(), p.identity.clone()),
        ("AppIds".to_owned(), format_collection(&p.app_ids)),
        ("Description".to_owned(), p.description.clone()),
    ]
}

impl Render for PolicyView {
    fn table(&self) -> String {
        format_list(&[policy_record(self)])
    }
}

impl Render for Vec<PolicyView> {
    /// One block per policy, separated by a blank line; nothing for no policy.
    fn table(&self) -> String {
        format_list(&self.iter().map(policy_record).collect::<Vec<_>>())
    }
}

impl Render for GrantView {
    fn table(&self) -> String {
        fields(&[
            ("target_kind", self.target_kind.clone()),
            ("target_id", or_dash(&self.target_id)),
            ("rank", self.rank.map(|r| r.to_string()).unwrap_or_default()),
            (
                "policy_name",
                self.policy_name
                    .clone()
                    .unwrap_or_else(|| "(none: revoked)".to_owned()),
            ),
            ("granted_at", self.granted_at.clone()),
        ])
    }
}

impl Render for Vec<GrantView> {
    fn table(&self) -> String {
        let rows: Vec<_> = self
            .iter()
            .map(|g| {
                vec![
                    g.target_kind.clone(),
                    or_dash(&g.target_id),
                    g.rank.map(|r| r.to_string()).unwrap_or_else(|| "-".into()),
                    g.policy_name.clone().unwrap_or_else(|| "-".into()),
                    g.granted_at.clone(),
                ]
            })
            .collect();
        table(&["KIND", "TARGET", "RANK", "POLICY", "GRANTED"], &rows)
    }
}

/// The outcome of removing a policy (the server answers 204).
#[derive(Debug, Serialize)]
pub struct PolicyRemoved {
    /// The policy as it was named.
    pub identity: String,
    /// Always true: a failure is an error instead.
    pub removed: bool,
}

impl Render for PolicyRemoved {
    fn table(&self) -> String {
        format!("removed policy '{}'\n", self.identity)
    }
}

/// The server's explanation of an access decision, printed as it came in JSON mode.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct Explanation(pub Value);

impl Render for Explanation {
    /// The reason line; then whether allowed, the applied grant (and its policy's apps), and
    /// the pending changes, one a line.
    fn table(&self) -> String {
        let d = &self.0;
        let text = |key: &str| d.get(key).and_then(Value::as_str).unwrap_or_default();
        let mut out = String::new();
        out.push_str(text("reason"));
        out.push_str("\n\n");
        let applied = d.get("applied").filter(|a| !a.is_null());
        let mut pairs = vec![(
            "allowed",
            d.get("allowed")
                .and_then(Value::as_bool)
                .map(|b| b.to_string())
                .unwrap_or_else(|| "unknown".into()),
        )];
        pairs.push((
            "applied",
            applied.map(describe_grant).unwrap_or("none".into()),
        ));
        if applied.is_some() {
            let apps: Vec<String> = d
                .get("policy_apps")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            pairs.push(("policy_apps", format_collection(&apps)));
        }
        let delay = d
            .get("propagation_delay_seconds")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        if delay > 0 {
            pairs.push(("effective_at", text("effective_at").to_owned()));
        }
        let pending: Vec<&str> = d
            .get("pending")
            .and_then(Value::as_array)
            .map(|p| {
                p.iter()
                    .filter_map(|c| c.get("description").and_then(Value::as_str))
                    .collect()
            })
            .unwrap_or_default();
        pairs.push((
            "pending",
            match pending.len() {
                0 => "none".to_owned(),
                1 => "1 change".to_owned(),
                n => format!("{n} changes"),
            },
        ));
        out.push_str(&fields(&pairs));
        for change in pending {
            out.push_str("  - ");
            out.push_str(change);
            out.push('\n');
        }
        // The calendar path (events): Exchange's application access policy.
        if let Some(reason) = d
            .get("exchange")
            .and_then(|e| e.get("reason"))
            .and_then(Value::as_str)
        {
            out.push_str("\ncalendar (Exchange application access policy): ");
            out.push_str(reason);
            out.push('\n');
        }
        out
    }
}

/// An applied grant of the explain answer in words: `policy 'P' granted to user U at T`.
pub(super) fn describe_grant(grant: &Value) -> String {
    let target = grant.get("target").unwrap_or(&Value::Null);
    let whom = if let Some(user) = target.get("User").and_then(Value::as_str) {
        format!("user {user}")
    } else if let Some(group) = target.get("Group") {
        let id = group.get("id").and_then(Value::as_str).unwrap_or("?");
        match group.get("rank").and_then(Value::as_i64) {
            Some(rank) => format!("group {id} (rank {rank})"),
            None => format!("group {id}"),
        }
    } else if target.as_str() == Some("Global") {
        "the whole tenant (global)".to_owned()
    } else {
        target.to_string()
    };
    let policy = grant
        .get("policy_name")
        .and_then(Value::as_str)
        .unwrap_or("?");
    match grant.get("granted_at").and_then(Value::as_str) {
        Some(at) => format!("policy '{policy}' granted to {whom} at {at}"),
        None => format!("policy '{policy}' granted to {whom}"),
    }
}
