//! The admin client's tests: URLs, error bodies and configuration checks.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

#[test]
fn endpoint_appends_and_encodes_segments() {
    let base = Url::parse("https://127.0.0.1:8443").unwrap();
    assert_eq!(
        endpoint(&base, &["admin", "tenants", "a b/c", "users"])
            .unwrap()
            .as_str(),
        "https://127.0.0.1:8443/admin/tenants/a%20b%2Fc/users"
    );
    let prefixed = Url::parse("https://host/prefix/?x=1").unwrap();
    assert_eq!(
        endpoint(&prefixed, &["admin", "apps"]).unwrap().as_str(),
        "https://host/prefix/admin/apps"
    );
}

#[test]
fn policy_identities_are_one_encoded_segment_and_queries_are_encoded() {
    let base = Url::parse("http://127.0.0.1:1").unwrap();
    let url = endpoint_with_query(
        &base,
        &["admin", "policies", "Tag:a b/c?d#e%f"],
        &optional_pairs(&[("tenant", Some("x&y=z")), ("identity", None)]),
    )
    .unwrap();
    assert_eq!(
        url.as_str(),
        "http://127.0.0.1:1/admin/policies/Tag:a%20b%2Fc%3Fd%23e%25f?tenant=x%26y%3Dz"
    );
    assert_eq!(url.path_segments().unwrap().count(), 3);
    let bare = endpoint_with_query(&base, &["admin", "policy-grants"], &[]).unwrap();
    assert_eq!(bare.as_str(), "http://127.0.0.1:1/admin/policy-grants");
}

#[test]
fn api_error_parses_the_admin_error_body() {
    let err = api_error(
        StatusCode::NOT_FOUND,
        br#"{"error":{"code":"notFound","message":"no tenant 'x'"}}"#,
    );
    assert_eq!(
        err,
        ClientError::Api {
            status: 404,
            code: "notFound".into(),
            message: "no tenant 'x'".into()
        }
    );
}

#[test]
fn api_error_survives_a_foreign_body() {
    let err = api_error(StatusCode::BAD_GATEWAY, b"upstream down");
    assert_eq!(
        err,
        ClientError::Api {
            status: 502,
            code: "http502".into(),
            message: "Bad Gateway: upstream down".into()
        }
    );
    let err = api_error(StatusCode::UNAUTHORIZED, b"");
    assert_eq!(err.to_string(), "Unauthorized (http401, HTTP 401)");
}

#[test]
fn new_rejects_bad_configuration() {
    let url = Url::parse("https://127.0.0.1:8443").unwrap();
    assert!(matches!(
        AdminClient::new(url.clone(), "  ".into(), None),
        Err(ClientError::Config(_))
    ));
    assert!(matches!(
        AdminClient::new(url.clone(), "key".into(), Some(b"not a pem")),
        Err(ClientError::Config(_))
    ));
    assert!(matches!(
        AdminClient::new(Url::parse("ftp://x").unwrap(), "key".into(), None),
        Err(ClientError::Config(_))
    ));
    let client = AdminClient::new(url, "secret-key".into(), None).unwrap();
    assert!(!format!("{client:?}").contains("secret-key"));
}
