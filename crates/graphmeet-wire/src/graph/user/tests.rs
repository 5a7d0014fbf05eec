//! The user resource's tests: `$filter`, default and `$select`ed properties, paging.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

fn alice() -> UserResource {
    UserResource {
        id: "0d4e8e5c-2f1b-4e5e-9a3c-1b2c3d4e5f60".to_owned(),
        display_name: "Alice Smith".to_owned(),
        user_principal_name: "alice@contoso.example".to_owned(),
        mail: Some("Alice.Smith@contoso.example".to_owned()),
        account_enabled: true,
        user_type: "Member".to_owned(),
        licenses: vec![TEAMS_LICENSE_SKU],
        created_date_time: "2025-01-01T00:00:00Z".to_owned(),
    }
}

fn f(text: &str) -> UserFilter {
    parse_filter(text).unwrap_or_else(|e| panic!("{text}: {e:?}"))
}

#[test]
fn the_cli_for_microsoft_365s_lookup_by_mail_matches_ignoring_case() {
    assert!(f("mail eq 'alice.smith@contoso.example'").matches(&alice()));
    assert!(!f("mail eq 'bob@contoso.example'").matches(&alice()));
    assert!(f("userPrincipalName eq 'ALICE@contoso.example'").matches(&alice()));
    assert!(f("(mail eq 'x@y.z') or (startsWith(displayName,'ali'))").matches(&alice()));
    assert!(!f("mail eq 'x@y.z' or userType eq 'Guest'").matches(&alice()));
    assert!(f("accountEnabled eq true and userType in ('Guest', 'Member')").matches(&alice()));
    assert!(f("mail eq 'it''s'").0[0][0] == Condition::Eq(FilterProperty::Mail, "it's".to_owned()));
}

#[test]
fn what_the_directory_cannot_filter_on_is_its_unsupported_query_error() {
    let e = parse_filter("mail ne 'a@b.c'").unwrap_err();
    assert_eq!(
        (e.status, e.code.as_str()),
        (400, "Request_UnsupportedQuery")
    );
    assert_eq!(
        e.message,
        "Unsupported or invalid query filter clause specified for property 'mail' of resource 'User'."
    );
    let e = parse_filter("jobTitle eq 'x'").unwrap_err();
    assert!(e.message.contains("'jobTitle'"), "{}", e.message);
    let e = parse_filter("nickname eq 'x'").unwrap_err();
    assert_eq!(e.code, "Request_BadRequest");
    assert_eq!(
        e.message,
        "Could not find a property named 'nickname' on type 'Microsoft.DirectoryServices.User'."
    );
    for bad in [
        "mail eq",
        "mail eq 'open",
        "startsWith(mail)",
        "mail eq 'a' xor id eq 'b'",
        "",
    ] {
        assert_eq!(
            parse_filter(bad).unwrap_err().message,
            "Invalid filter clause",
            "{bad}"
        );
    }
}

#[test]
fn default_and_selected_properties_in_graphs_order() {
    let json = alice().to_json(None);
    let keys: Vec<&str> = json.keys().map(String::as_str).collect();
    assert_eq!(keys, DEFAULT_PROPERTIES);
    assert_eq!(json["businessPhones"], serde_json::json!([]));
    let select = parse_select("ID,accountEnabled,assignedLicenses").unwrap();
    let json = alice().to_json(select.as_deref());
    assert_eq!(
        Value::Object(json),
        serde_json::json!({"id": alice().id, "accountEnabled": true,
            "assignedLicenses": [{"disabledPlans": [], "skuId": TEAMS_LICENSE_SKU}]})
    );
    assert!(parse_select("id,nope").is_err());
}

#[test]
fn top_and_skiptoken_are_checked() {
    assert_eq!(parse_user_query(None).unwrap().top, DEFAULT_PAGE_SIZE);
    assert_eq!(parse_user_query(Some("$top=5")).unwrap().top, 5);
    for bad in [
        "$top=0",
        "$top=1000",
        "$top=x",
        "$skiptoken=%%",
        "$count=true",
    ] {
        assert_eq!(
            parse_user_query(Some(bad)).unwrap_err().status,
            400,
            "{bad}"
        );
    }
    let token = skiptoken_after(&alice().id);
    let q = parse_user_query(Some(&format!(
        "$skiptoken={token}&%24filter=mail+eq+%27a%40b.c%27"
    )))
    .unwrap();
    assert_eq!(q.after.as_deref(), Some(alice().id.as_str()));
    assert_eq!(
        q.filter,
        Some(UserFilter(vec![vec![Condition::Eq(
            FilterProperty::Mail,
            "a@b.c".to_owned()
        )]]))
    );
    assert!(parse_user_query(Some("$top=1&top=2")).is_err());
}
