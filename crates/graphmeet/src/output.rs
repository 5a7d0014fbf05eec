//! Printing results: aligned tables and `key: value` lines for people, JSON for scripts; the
//! views of the wire types and of the outcomes more than one noun prints.
//!
//! A leaf: it reads only [`crate::args`].

use anyhow::Context as _;
use graphmeet_wire::admin::{
    AppView, CertificateView, GrantView, GroupView, KeyRotated, PolicyView, RequestRecord,
    SecretCreated, ServicePrincipalView, TenantView, UserView,
};
use graphmeet_wire::cmdlet::{format_collection, format_list};
use graphmeet_wire::graph::{GraphDateTime, OnlineMeeting};
use serde::Serialize;
use serde_json::Value;
use std::io::Write as _;

use crate::args::OutputFormat;

/// Something the CLI can print both as a table (or `key: value` lines) and as JSON.
pub trait Render: Serialize {
    /// The people-facing form, ending with a newline.
    fn table(&self) -> String;
}

/// The text to print for `value` in `format`.
pub fn render<T: Render + ?Sized>(value: &T, format: OutputFormat) -> anyhow::Result<String> {
    Ok(match format {
        OutputFormat::Table => value.table(),
        OutputFormat::Json => {
            let mut text = serde_json::to_string_pretty(value)?;
            text.push('\n');
            text
        }
    })
}

/// Prints a result on stdout in the chosen format.
pub fn print<T: Render + ?Sized>(value: &T, format: OutputFormat) -> anyhow::Result<()> {
    write_stdout(&render(value, format)?)
}

/// Writes text to stdout and flushes it.
pub fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .context("writing to stdout")
}

/// Aligned columns: a header row, then one row per item, separated by two spaces. The last
/// column is not padded, so lines carry no trailing blanks.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let columns = headers.len();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(columns) {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header_cells: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    for row in std::iter::once(&header_cells).chain(rows) {
        let mut line = String::new();
        for (i, width) in widths.iter().enumerate() {
            let cell = row.get(i).map(String::as_str).unwrap_or("");
            if i + 1 == columns {
                line.push_str(cell);
            } else {
                line.push_str(cell);
                let pad = width - cell.chars().count() + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `key: value` lines with the values aligned.
pub fn fields(pairs: &[(&str, String)]) -> String {
    let width = pairs
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (key, value) in pairs {
        let pad = width - key.chars().count();
        out.push_str(key);
        out.push(':');
        out.extend(std::iter::repeat_n(' ', pad + 1));
        out.push_str(value);
        out.push('\n');
    }
    out
}

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

/// `-` for an empty cell, so columns stay readable.
pub fn or_dash(value: &str) -> String {
    if value.is_empty() {
        "-".to_owned()
    } else {
        value.to_owned()
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

impl Render for GroupView {
    fn table(&self) -> String {
        fields(&[
            ("id", self.id.clone()),
            ("tenant_id", self.tenant_id.clone()),
            ("display_name", self.display_name.clone()),
        ])
    }
}

/// The outcome of adding a user to, or removing one from, a group (the server answers 204).
#[derive(Debug, Serialize)]
pub struct MemberChange {
    /// The group's object id.
    pub group_id: String,
    /// The user's object id.
    pub user_id: String,
    /// Whether the user is now a member.
    pub member: bool,
}

impl Render for MemberChange {
    fn table(&self) -> String {
        fields(&[
            ("group_id", self.group_id.clone()),
            ("user_id", self.user_id.clone()),
            ("member", self.member.to_string()),
        ])
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
fn describe_grant(grant: &Value) -> String {
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

fn tenant_row(t: &TenantView) -> Vec<String> {
    vec![
        t.id.clone(),
        t.display_name.clone(),
        t.domains.join(","),
        t.created_at.clone(),
    ]
}

impl Render for TenantView {
    fn table(&self) -> String {
        fields(&[
            ("id", self.id.clone()),
            ("display_name", self.display_name.clone()),
            ("domains", self.domains.join(", ")),
            ("created_at", self.created_at.clone()),
        ])
    }
}

impl Render for Vec<TenantView> {
    fn table(&self) -> String {
        let rows: Vec<_> = self.iter().map(tenant_row).collect();
        table(&["ID", "NAME", "DOMAINS", "CREATED"], &rows)
    }
}

impl Render for UserView {
    fn table(&self) -> String {
        fields(&[
            ("id", self.id.clone()),
            ("tenant_id", self.tenant_id.clone()),
            ("upn", self.upn.clone()),
            ("display_name", self.display_name.clone()),
        ])
    }
}

impl Render for Vec<UserView> {
    fn table(&self) -> String {
        let rows: Vec<_> = self
            .iter()
            .map(|u| vec![u.id.clone(), u.upn.clone(), u.display_name.clone()])
            .collect();
        table(&["ID", "UPN", "DISPLAY NAME"], &rows)
    }
}

impl Render for AppView {
    fn table(&self) -> String {
        fields(&[
            ("app_id", self.app_id.clone()),
            ("object_id", self.object_id.clone()),
            ("home_tenant_id", self.home_tenant_id.clone()),
            ("display_name", self.display_name.clone()),
            ("sign_in_audience", self.sign_in_audience.clone()),
            ("allow_public_client", self.allow_public_client.to_string()),
        ])
    }
}

impl Render for Vec<AppView> {
    fn table(&self) -> String {
        let rows: Vec<_> = self
            .iter()
            .map(|a| {
                vec![
                    a.app_id.clone(),
                    a.display_name.clone(),
                    a.home_tenant_id.clone(),
                    a.sign_in_audience.clone(),
                    if a.allow_public_client { "yes" } else { "no" }.to_owned(),
                ]
            })
            .collect();
        table(
            &["APP ID", "NAME", "HOME TENANT", "AUDIENCE", "PUBLIC CLIENT"],
            &rows,
        )
    }
}

impl Render for SecretCreated {
    fn table(&self) -> String {
        fields(&[
            ("key_id", self.key_id.clone()),
            ("secret_text", self.secret_text.clone()),
            ("hint", self.hint.clone()),
            ("end_date_time", self.end_date_time.clone()),
        ])
    }
}

/// A certificate credential as the CLI prints it: the server's view without the private key,
/// which went to a file instead, and that file's path.
#[derive(Debug, Serialize)]
pub struct CertificateAdded {
    /// The server's view, `private_pem` removed.
    #[serde(flatten)]
    pub certificate: CertificateView,
    /// Where the generated certificate and private key were written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_pem_path: Option<String>,
}

impl Render for CertificateAdded {
    fn table(&self) -> String {
        let c = &self.certificate;
        let mut pairs = vec![
            ("key_id", c.key_id.clone()),
            ("display_name", c.display_name.clone()),
            ("thumbprint", c.thumbprint.clone()),
            ("thumbprint_sha256", c.thumbprint_sha256.clone()),
            ("start_date_time", c.start_date_time.clone()),
            ("end_date_time", c.end_date_time.clone()),
        ];
        if let Some(path) = &self.private_pem_path {
            pairs.push(("private_pem_path", path.clone()));
        }
        fields(&pairs)
    }
}

impl Render for ServicePrincipalView {
    fn table(&self) -> String {
        fields(&[
            ("id", self.id.clone()),
            ("tenant_id", self.tenant_id.clone()),
            ("app_id", self.app_id.clone()),
            ("app_roles", self.app_roles.join(", ")),
        ])
    }
}

impl Render for KeyRotated {
    fn table(&self) -> String {
        fields(&[
            ("kid", self.kid.clone()),
            ("published", self.published.join(", ")),
        ])
    }
}

/// `" in tenant 'T'"`, or nothing when the server's only tenant is meant.
pub fn in_tenant(tenant: Option<&str>) -> String {
    tenant
        .map(|t| format!(" in tenant '{t}'"))
        .unwrap_or_default()
}

/// The outcome of a deletion (the server answers 204).
#[derive(Debug, Serialize)]
pub struct Deleted {
    /// What was deleted: `tenant`, `user`, `group`, `app`, `secret` or `certificate`.
    pub kind: &'static str,
    /// It, as named on the command line.
    pub id: String,
    /// Always true: a failure is an error instead.
    pub deleted: bool,
}

impl Deleted {
    /// The deletion of `kind` `id`.
    pub fn new(kind: &'static str, id: String) -> Deleted {
        Deleted {
            kind,
            id,
            deleted: true,
        }
    }
}

impl Render for Deleted {
    fn table(&self) -> String {
        format!("deleted {} '{}'\n", self.kind, self.id)
    }
}

/// A meeting as the CLI prints it: the main properties as `key: value` lines, or the whole
/// meeting in JSON.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct MeetingView(pub OnlineMeeting);

/// A date-time for people: RFC 3339, seconds, `Z`.
pub fn show_time(at: Option<&GraphDateTime>) -> String {
    at.map(|t| {
        t.as_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    })
    .unwrap_or_else(|| "-".to_owned())
}

/// The join meeting id of a meeting, if it has one.
pub fn join_meeting_id(meeting: &OnlineMeeting) -> Option<&str> {
    meeting
        .join_meeting_id_settings
        .as_ref()
        .and_then(|s| s.join_meeting_id.as_deref())
}

/// The passcode of a meeting, if it requires one.
pub fn passcode(meeting: &OnlineMeeting) -> Option<&str> {
    meeting
        .join_meeting_id_settings
        .as_ref()
        .and_then(|s| s.passcode.as_deref())
}

impl Render for MeetingView {
    fn table(&self) -> String {
        let m = &self.0;
        let text = |v: Option<&str>| v.filter(|s| !s.is_empty()).unwrap_or("-").to_owned();
        fields(&[
            ("id", text(m.id.as_deref())),
            ("subject", text(m.subject.as_deref())),
            ("start", show_time(m.start_date_time.as_ref())),
            ("end", show_time(m.end_date_time.as_ref())),
            ("joinWebUrl", text(m.join_web_url.as_deref())),
            ("joinMeetingId", text(join_meeting_id(m))),
            ("passcode", text(passcode(m))),
        ])
    }
}

/// One inspector record as a line: time, surface, method, path, status, latency, operation,
/// decision.
pub fn request_line(r: &RequestRecord) -> String {
    format!(
        "{}  {:<6} {} {} -> {} in {:.1} ms{}{}\n",
        r.at,
        r.surface,
        r.method,
        r.path,
        r.status,
        r.latency_ms,
        r.operation
            .as_deref()
            .map(|o| format!("  {o}"))
            .unwrap_or_default(),
        r.decision
            .as_deref()
            .map(|d| format!("  ({d})"))
            .unwrap_or_default(),
    )
}

impl Render for Vec<RequestRecord> {
    fn table(&self) -> String {
        self.iter().map(request_line).collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use graphmeet_wire::graph::meeting::JoinMeetingIdSettings;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn table_aligns_columns() {
        let out = table(
            &["ID", "NAME", "X"],
            &[row(&["1", "contoso", "a"]), row(&["1234", "é", ""])],
        );
        assert_eq!(out, "ID    NAME     X\n1     contoso  a\n1234  é\n");
    }

    #[test]
    fn empty_table_is_its_header() {
        assert_eq!(table(&["A", "B"], &[]), "A  B\n");
    }

    #[test]
    fn short_rows_are_padded_and_long_rows_cut() {
        let out = table(&["A", "B"], &[row(&["x"]), row(&["1", "2", "3"])]);
        assert_eq!(out, "A  B\nx\n1  2\n");
    }

    #[test]
    fn fields_align_values() {
        let out = fields(&[("id", "1".into()), ("display_name", "Contoso".into())]);
        assert_eq!(out, "id:           1\ndisplay_name: Contoso\n");
    }

    fn policy(identity: &str, apps: &[&str], description: &str) -> PolicyView {
        PolicyView {
            identity: format!("Tag:{identity}"),
            name: identity.into(),
            app_ids: apps.iter().map(|a| (*a).to_owned()).collect(),
            description: description.into(),
            tenant_id: "t".into(),
        }
    }

    #[test]
    fn ps_list_pads_names_like_format_list() {
        let out = render(&policy("P", &["a", "b"], "d"), OutputFormat::Table).unwrap();
        assert_eq!(
            out,
            "Identity    : Tag:P\nAppIds      : {a, b}\nDescription : d\n"
        );
    }

    #[test]
    fn ps_list_leaves_empty_values_bare_and_indents_continuations() {
        let out = format_list(&[vec![
            ("A".to_owned(), String::new()),
            ("Long".to_owned(), "one\ntwo \n\nthree".to_owned()),
        ]]);
        assert_eq!(out, "A    :\nLong : one\n       two\n\n       three\n");
    }

    #[test]
    fn ps_collections_are_braced() {
        assert_eq!(format_collection(&[]), "{}");
        assert_eq!(format_collection(&["x".into()]), "{x}");
    }

    #[test]
    fn policies_print_one_block_each() {
        let out = render(
            &vec![policy("P", &["a", "b"], "first"), policy("Q", &[], "")],
            OutputFormat::Table,
        )
        .unwrap();
        assert_eq!(
            out,
            "Identity    : Tag:P\nAppIds      : {a, b}\nDescription : first\n\n\
             Identity    : Tag:Q\nAppIds      : {}\nDescription :\n"
        );
        assert_eq!(
            render(&Vec::<PolicyView>::new(), OutputFormat::Table).unwrap(),
            ""
        );
        let one = render(&policy("P", &["a"], "d"), OutputFormat::Table).unwrap();
        assert!(one.starts_with("Identity    : Tag:P\n"), "{one}");
    }

    #[test]
    fn revoked_grants_say_so() {
        let grant = GrantView {
            target_kind: "global".into(),
            target_id: String::new(),
            rank: None,
            policy_name: None,
            granted_at: "2025-01-01T00:00:00Z".into(),
        };
        let out = grant.table();
        assert!(out.contains("policy_name: (none: revoked)"), "{out}");
        assert!(out.contains("target_id:   -"), "{out}");
        let list = vec![grant].table();
        assert_eq!(
            list.lines().nth(1).unwrap(),
            "global  -       -     -       2025-01-01T00:00:00Z"
        );
    }

    #[test]
    fn explanations_print_the_reason_then_the_grant_and_pending_changes() {
        let decision = serde_json::json!({
            "reason": "allowed: the user's own grant of policy 'P' lists app A",
            "allowed": true,
            "applied": {
                "target": {"User": "u1"},
                "policy_name": "P",
                "policy_id": "p",
                "granted_at": "2025-01-01T00:00:00Z"
            },
            "policy_apps": ["A", "B"],
            "propagation_delay_seconds": 0,
            "pending": [{"description": "revocation ... takes effect at X; then denied"}]
        });
        let out = Explanation(decision.clone()).table();
        let mut lines = out.lines();
        assert_eq!(
            lines.next().unwrap(),
            "allowed: the user's own grant of policy 'P' lists app A"
        );
        assert_eq!(lines.next().unwrap(), "");
        assert!(
            out.contains("applied:     policy 'P' granted to user u1 at 2025-01-01T00:00:00Z"),
            "{out}"
        );
        assert!(out.contains("policy_apps: {A, B}"), "{out}");
        assert!(
            out.contains("pending:     1 change\n  - revocation"),
            "{out}"
        );
        let json: Value = serde_json::from_str(
            &render(&Explanation(decision.clone()), OutputFormat::Json).unwrap(),
        )
        .unwrap();
        assert_eq!(json, decision);

        let denied = serde_json::json!({
            "reason": "denied: no application access policy is granted",
            "allowed": false,
            "applied": null,
            "pending": []
        });
        let out = Explanation(denied).table();
        assert!(out.contains("applied: none"), "{out}");
        assert!(out.contains("pending: none"), "{out}");
        assert!(!out.contains("policy_apps"), "{out}");
        let group =
            serde_json::json!({"target": {"Group": {"id": "g", "rank": 2}}, "policy_name": "Q"});
        assert_eq!(
            describe_grant(&group),
            "policy 'Q' granted to group g (rank 2)"
        );
        let global = serde_json::json!({"target": "Global", "policy_name": "R"});
        assert_eq!(
            describe_grant(&global),
            "policy 'R' granted to the whole tenant (global)"
        );
    }

    #[test]
    fn json_is_the_complete_object() {
        let tenant = TenantView {
            id: "t".into(),
            display_name: "Contoso".into(),
            domains: vec!["contoso.onmicrosoft.com".into()],
            created_at: "2025-01-01T00:00:00Z".into(),
        };
        let text = render(&vec![tenant.clone()], OutputFormat::Json).unwrap();
        let back: Vec<TenantView> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, vec![tenant]);
    }

    #[test]
    fn certificate_json_drops_the_private_key_and_names_the_file() {
        let added = CertificateAdded {
            certificate: CertificateView {
                key_id: "k".into(),
                display_name: "CN=x".into(),
                thumbprint: "AA".into(),
                thumbprint_sha256: "BB".into(),
                start_date_time: "s".into(),
                end_date_time: "e".into(),
                private_pem: None,
            },
            private_pem_path: Some("./a.pem".into()),
        };
        let value: serde_json::Value =
            serde_json::from_str(&render(&added, OutputFormat::Json).unwrap()).unwrap();
        assert_eq!(value["private_pem_path"], "./a.pem");
        assert_eq!(value["thumbprint"], "AA");
        assert!(value.get("private_pem").is_none());
    }

    #[test]
    fn meetings_print_the_main_properties() {
        let meeting = OnlineMeeting {
            id: Some("MSo1".into()),
            subject: Some("Standup".into()),
            start_date_time: Some(GraphDateTime::parse("2026-03-01T09:00:00.0000000Z").unwrap()),
            join_web_url: Some("https://teams.example/l/meetup-join/x".into()),
            join_meeting_id_settings: Some(JoinMeetingIdSettings {
                join_meeting_id: Some("123456789".into()),
                passcode: None,
                is_passcode_required: Some(false),
            }),
            ..OnlineMeeting::default()
        };
        assert_eq!(
            MeetingView(meeting).table(),
            "id:            MSo1\n\
             subject:       Standup\n\
             start:         2026-03-01T09:00:00Z\n\
             end:           -\n\
             joinWebUrl:    https://teams.example/l/meetup-join/x\n\
             joinMeetingId: 123456789\n\
             passcode:      -\n"
        );
    }
}
