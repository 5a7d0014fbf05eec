//! `graphmeet audit`: the audit log, newest first.

use anyhow::Context as _;
use chrono::SecondsFormat;
use graphmeet_client::admin::{AuditDecision, AuditEntry, AuditFilter};
use serde::Serialize;

use crate::args::{guid, AuditArgs, GlobalArgs, UsageError};
use crate::connect;
use crate::output::{or_dash, print, table, Render};

/// `graphmeet audit …`.
pub async fn exec(global: &GlobalArgs, args: AuditArgs) -> anyhow::Result<()> {
    let app = args
        .app
        .as_deref()
        .map(|app| guid("--app", "application id", app))
        .transpose()?;
    if let Some(user) = &args.user {
        if args.tenant.is_none() && uuid::Uuid::parse_str(user.trim()).is_err() {
            return Err(UsageError(format!(
                "--user '{user}' is not an object id; give --tenant too to name a user by UPN"
            ))
            .into());
        }
    }
    let filter = AuditFilter {
        tenant: args.tenant,
        app,
        user: args.user,
        decision: args.decision.map(AuditDecision::from),
        since: args
            .since
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
        limit: args.limit,
    };
    let client = connect::admin(global)?;
    let entries = client
        .audit(&filter)
        .await
        .context("reading the audit log")?;
    print(&AuditLog(entries), global.output)
}

/// The entries of `audit`.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct AuditLog(pub Vec<AuditEntry>);

impl Render for AuditLog {
    fn table(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .0
            .iter()
            .map(|e| {
                vec![
                    e.at.to_rfc3339_opts(SecondsFormat::Secs, true),
                    e.decision.to_string(),
                    e.operation.clone(),
                    or_dash(&e.tenant_id.map(|u| u.to_string()).unwrap_or_default()),
                    or_dash(&e.app_id.map(|u| u.to_string()).unwrap_or_default()),
                    or_dash(&e.user_id.map(|u| u.to_string()).unwrap_or_default()),
                    e.reason.clone(),
                ]
            })
            .collect();
        table(
            &[
                "TIME",
                "DECISION",
                "OPERATION",
                "TENANT",
                "APP",
                "USER",
                "REASON",
            ],
            &rows,
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn audit_tables_have_one_row_an_entry_with_dashes_for_blanks() {
        let entry = AuditEntry {
            at: "2026-03-01T09:00:00.123456789Z".parse().unwrap(),
            request_id: "r".into(),
            tenant_id: Some("0b2f4a8e-8a57-4a39-9d3e-0ab5b1a1c0de".parse().unwrap()),
            app_id: None,
            user_id: None,
            operation: "POST /admin/users".into(),
            decision: AuditDecision::Changed,
            reason: "admin API answered 201".into(),
        };
        let out = AuditLog(vec![entry]).table();
        let mut lines = out.lines();
        assert!(lines
            .next()
            .unwrap()
            .starts_with("TIME                  DECISION  OPERATION"));
        assert_eq!(
            lines.next().unwrap(),
            "2026-03-01T09:00:00Z  changed   POST /admin/users  0b2f4a8e-8a57-4a39-9d3e-0ab5b1a1c0de  -    -     admin API answered 201"
        );
    }
}
