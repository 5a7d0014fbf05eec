//! The token endpoint's request form and success body.
//!
//! [`TokenForm::parse`] reads a `POST /{tenant}/oauth2/v2.0/token` body under RFC 6749 §3.1–3.2
//! and Entra's checks: a parameter sent twice is AADSTS9000411, more than one client credential
//! is AADSTS9002324, and a parameter with an empty value counts as not sent.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::AadstsError;

/// The body parameters that each carry a client credential; at most one may be sent.
pub const CLIENT_CREDENTIAL_PARAMETERS: &[&str] = &["client_secret", "client_assertion", "request"];

/// Why a token request body was refused before it was looked at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenFormError {
    /// A parameter with a value appears more than once (the name is the first one repeated).
    #[error("the parameter '{0}' is duplicated")]
    DuplicatedParameter(String),
    /// More than one of [`CLIENT_CREDENTIAL_PARAMETERS`] was sent.
    #[error("more than one client credential parameter")]
    MultipleClientCredentials,
}

impl TokenFormError {
    /// The AADSTS error Entra answers with.
    pub fn to_aadsts(&self) -> AadstsError {
        match self {
            TokenFormError::DuplicatedParameter(name) => AadstsError::duplicated_parameter(name),
            TokenFormError::MultipleClientCredentials => AadstsError::multiple_client_credentials(),
        }
    }
}

impl From<TokenFormError> for AadstsError {
    fn from(e: TokenFormError) -> Self {
        e.to_aadsts()
    }
}

/// The parameters of a token request body (`application/x-www-form-urlencoded`), each name
/// at most once, in the order sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenForm {
    params: Vec<(String, String)>,
}

impl TokenForm {
    /// Parses a form body. Names and values are percent-decoded (`+` is a space; invalid
    /// UTF-8 is replaced), parameters with an empty value are dropped as RFC 6749 §3.1 says
    /// ("Parameters sent without a value MUST be treated as if they were omitted"), and then
    /// any name left twice is [`TokenFormError::DuplicatedParameter`] and more than one
    /// credential parameter is [`TokenFormError::MultipleClientCredentials`].
    pub fn parse(body: &[u8]) -> Result<Self, TokenFormError> {
        let mut params: Vec<(String, String)> = Vec::new();
        // A set, so that a body of thousands of distinct names stays linear.
        let mut seen: HashSet<String> = HashSet::new();
        for (name, value) in form_urlencoded::parse(body) {
            if value.is_empty() {
                continue;
            }
            if !seen.insert(name.clone().into_owned()) {
                return Err(TokenFormError::DuplicatedParameter(name.into_owned()));
            }
            params.push((name.into_owned(), value.into_owned()));
        }
        let credentials = params
            .iter()
            .filter(|(n, _)| CLIENT_CREDENTIAL_PARAMETERS.contains(&n.as_str()))
            .count();
        if credentials > 1 {
            return Err(TokenFormError::MultipleClientCredentials);
        }
        Ok(TokenForm { params })
    }

    /// The value of `name`, if it was sent with a value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every parameter, in the order sent.
    pub fn params(&self) -> &[(String, String)] {
        &self.params
    }
}

/// The body of a successful `POST /{tenant}/oauth2/v2.0/token`, field for field and in the order
/// Entra sends it. The delegated grants add `scope`, and `refresh_token`, `id_token` and
/// `client_info` when `offline_access`, `openid` and `client_info=1` were asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TokenResponse {
    /// Always `Bearer`.
    pub token_type: String,
    /// The scopes the access token is valid for (delegated grants only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Seconds until the token expires.
    pub expires_in: u64,
    /// Seconds until the token expires when the service is degraded; equal to `expires_in`.
    pub ext_expires_in: u64,
    /// The signed access token.
    pub access_token: String,
    /// The refresh token, opaque to the client (when `offline_access` was asked for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// The signed v2 ID token (when `openid` was asked for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// base64url of `{"uid":…,"utid":…}` (when `client_info=1` was sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_info: Option<String>,
}

impl TokenResponse {
    /// A bearer token response valid for `lifetime_secs`.
    pub fn bearer(access_token: String, lifetime_secs: u64) -> Self {
        Self {
            token_type: "Bearer".to_owned(),
            scope: None,
            expires_in: lifetime_secs,
            ext_expires_in: lifetime_secs,
            access_token,
            refresh_token: None,
            id_token: None,
            client_info: None,
        }
    }
}

/// `client_info` as Entra sends it: base64url (unpadded) of `{"uid":"<oid>","utid":"<tid>"}`,
/// which MSAL turns into the account's home account id `<uid>.<utid>`.
pub fn client_info(uid: &str, utid: &str) -> String {
    crate::b64::url_encode(serde_json::json!({ "uid": uid, "utid": utid }).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<TokenForm, TokenFormError> {
        TokenForm::parse(body.as_bytes())
    }

    #[test]
    fn a_plain_client_credentials_body_parses_in_order() {
        let form = parse("grant_type=client_credentials&client_id=abc&client_secret=s%2Bx+y&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default").unwrap();
        assert_eq!(form.get("grant_type"), Some("client_credentials"));
        assert_eq!(form.get("client_secret"), Some("s+x y"));
        assert_eq!(
            form.get("scope"),
            Some("https://graph.microsoft.com/.default")
        );
        assert_eq!(form.get("missing"), None);
        let names: Vec<&str> = form.params().iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["grant_type", "client_id", "client_secret", "scope"]);
    }

    #[test]
    fn a_repeated_secret_is_aadsts9000411_even_when_the_first_is_right() {
        let e = parse("grant_type=client_credentials&client_secret=good&client_secret=wrong")
            .unwrap_err();
        assert_eq!(
            e,
            TokenFormError::DuplicatedParameter("client_secret".into())
        );
        let a = e.to_aadsts();
        assert_eq!(
            (a.code, a.error, a.status),
            (9000411, "invalid_request", 400)
        );
        assert_eq!(
            a.message,
            "The request is not properly formatted. The parameter 'client_secret' is duplicated."
        );
    }

    #[test]
    fn every_repeated_parameter_is_named_the_first_one_first() {
        for (body, name) in [
            ("client_id=a&client_id=a", "client_id"),
            (
                "grant_type=client_credentials&grant_type=password",
                "grant_type",
            ),
            ("scope=x&client_id=a&scope=x&client_id=b", "scope"),
            (
                "client_id=a&grant_type=g&grant_type=g&client_id=b",
                "grant_type",
            ),
            ("x-client-SKU=a&x-client-SKU=b", "x-client-SKU"),
            ("client%5Fid=a&client_id=b", "client_id"),
        ] {
            assert_eq!(
                parse(body),
                Err(TokenFormError::DuplicatedParameter(name.into())),
                "{body}"
            );
        }
    }

    #[test]
    fn empty_values_count_as_not_sent() {
        let form = parse("client_secret=&client_secret=s&scope&resource=").unwrap();
        assert_eq!(form.get("client_secret"), Some("s"));
        assert_eq!(form.get("scope"), None);
        assert_eq!(form.get("resource"), None);
        assert_eq!(parse("").unwrap(), TokenForm::default());
        assert!(parse("client_assertion=&client_secret=s").is_ok());
    }

    #[test]
    fn more_than_one_credential_is_aadsts9002324() {
        for body in [
            "client_secret=s&client_assertion=eyJ",
            "client_assertion=eyJ&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_secret=s",
            "client_secret=s&request=eyJ",
            "request=eyJ&client_assertion=eyJ",
        ] {
            let e = parse(body).unwrap_err();
            assert_eq!(e, TokenFormError::MultipleClientCredentials, "{body}");
            let a = AadstsError::from(e);
            assert_eq!((a.code, a.error, a.status), (9002324, "invalid_request", 400));
            assert_eq!(a.message, "Request should not contain more than one client credential parameters, this includes 'client_secret', 'client_assertion' and 'request' parameters.");
        }
        // A duplicate is reported before the credential count.
        assert_eq!(
            parse("client_secret=a&client_assertion=b&client_secret=c"),
            Err(TokenFormError::DuplicatedParameter("client_secret".into()))
        );
    }

    #[test]
    fn a_body_of_thousands_of_distinct_names_parses_at_once() {
        let body: String = (0..20_000).map(|i| format!("p{i}=v&")).collect();
        let started = std::time::Instant::now();
        assert_eq!(parse(&body).unwrap().params().len(), 20_000);
        let repeated = format!("{body}p19999=w");
        assert_eq!(
            parse(&repeated),
            Err(TokenFormError::DuplicatedParameter("p19999".into()))
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn broken_encoding_and_binary_junk_parse_without_panicking() {
        let form = TokenForm::parse(&[
            0xff, 0xfe, b'%', b'z', b'&', b'=', b'%', b'e', b'2', b'=', b'1',
        ])
        .unwrap();
        assert_eq!(form.params().len(), 1, "{form:?}");
        assert_eq!(form.params()[0], (String::new(), "\u{FFFD}=1".to_owned()));
    }

    #[test]
    fn serialises_in_entra_field_order() {
        let body =
            serde_json::to_string(&TokenResponse::bearer("eyJ0".into(), 3599)).unwrap_or_default();
        assert_eq!(
            body,
            r#"{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ0"}"#
        );
        let delegated = TokenResponse {
            scope: Some("User.Read profile openid email".into()),
            refresh_token: Some("rt".into()),
            id_token: Some("idt".into()),
            client_info: Some(client_info("u", "t")),
            ..TokenResponse::bearer("eyJ0".into(), 3599)
        };
        assert_eq!(
            serde_json::to_string(&delegated).unwrap_or_default(),
            r#"{"token_type":"Bearer","scope":"User.Read profile openid email","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ0","refresh_token":"rt","id_token":"idt","client_info":"eyJ1aWQiOiJ1IiwidXRpZCI6InQifQ"}"#
        );
    }
}
