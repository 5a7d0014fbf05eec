//! The printed forms' tests: tables, Format-List records, JSON.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use graphmeet_wire::admin::{CertificateView, GrantView, PolicyView, TenantView};
use graphmeet_wire::cmdlet::{format_collection, format_list};
use graphmeet_wire::graph::meeting::JoinMeetingIdSettings;
use graphmeet_wire::graph::{GraphDateTime, OnlineMeeting};
use serde_json::Value;

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
    let json: Value =
        serde_json::from_str(&render(&Explanation(decision.clone()), OutputFormat::Json).unwrap())
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
