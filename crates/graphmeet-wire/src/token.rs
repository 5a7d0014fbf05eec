//! The token endpoint's success body.

use serde::{Deserialize, Serialize};

/// The body of a successful `POST /{tenant}/oauth2/v2.0/token`, field for field as Entra sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: u64,
    /// Seconds until the token expires when the service is degraded; equal to `expires_in`.
    pub ext_expires_in: u64,
    /// The signed access token.
    pub access_token: String,
}

impl TokenResponse {
    /// A bearer token response valid for `lifetime_secs`.
    pub fn bearer(access_token: String, lifetime_secs: u64) -> Self {
        Self {
            token_type: "Bearer".to_owned(),
            expires_in: lifetime_secs,
            ext_expires_in: lifetime_secs,
            access_token,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_in_entra_field_order() {
        let body =
            serde_json::to_string(&TokenResponse::bearer("eyJ0".into(), 3599)).unwrap_or_default();
        assert_eq!(
            body,
            r#"{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ0"}"#
        );
    }
}
