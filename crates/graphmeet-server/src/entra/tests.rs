//! Unit tests of the token endpoint's request parsing.

use super::*;

#[test]
fn cae_claims_from_each_client_are_recognised() {
    assert!(asks_for_cae(Some(
        r#"{"access_token": {"xms_cc": {"values": ["CP1"]}}}"#
    )));
    assert!(asks_for_cae(Some(
        r#"{"id_token":{"signin_state":{"essential":false}},"access_token":{"xms_cc":{"values":["cp1"]}}}"#
    )));
    assert!(!asks_for_cae(Some("not json")));
    assert!(!asks_for_cae(None));
}

#[test]
fn basic_credentials_are_url_decoded() {
    let mut headers = HeaderMap::new();
    let encoded = graphmeet_wire::b64::std_encode("my%2Bid:s3cr%2Bt");
    headers.insert(
        header::AUTHORIZATION,
        HeaderValue::from_str(&format!("Basic {encoded}")).unwrap(),
    );
    assert_eq!(
        basic_credentials(&headers),
        Some(("my+id".to_owned(), "s3cr+t".to_owned()))
    );
}
