//! Verification of the access tokens graphmeet issued, for the Graph API: signature against
//! our published keys, an algorithm allow-list (RS256 only: never `none`, never HS*), `exp` and
//! `nbf` with a small skew against the injected clock, `aud` (Microsoft Graph), and `iss`
//! agreeing with `tid`.

use crate::clock::Clock;
use crate::identity::{AccessTokenClaims, KeyRing};
use graphmeet_wire::{b64, GRAPH_APP_ID, GRAPH_RESOURCE_URI};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use std::collections::HashSet;
use std::sync::Arc;

/// Clock skew allowed on `exp` and `nbf`.
pub const TOKEN_SKEW_SECS: i64 = 300;

/// Why an access token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a JWT we can read.
    #[error("the token is malformed: {0}")]
    Malformed(String),
    /// Signed with an algorithm outside the allow-list (`none`, HS256, …).
    #[error("the token's algorithm {0} is not allowed")]
    AlgorithmNotAllowed(String),
    /// No published key has the token's `kid`.
    #[error("the token's signing key {0} is unknown")]
    UnknownKey(String),
    /// The signature does not verify.
    #[error("the token's signature is invalid")]
    BadSignature,
    /// `exp` has passed.
    #[error("the token has expired")]
    Expired,
    /// `nbf` is still ahead.
    #[error("the token is not valid yet")]
    NotYetValid,
    /// `aud` is not Microsoft Graph.
    #[error("the token's audience {0} is not Microsoft Graph")]
    WrongAudience(String),
    /// `iss` does not agree with `tid`.
    #[error("the token's issuer does not match its tenant")]
    WrongIssuer,
    /// The keys could not be loaded.
    #[error("the signing keys are unavailable")]
    KeysUnavailable,
}

#[derive(Deserialize)]
struct RawHeader {
    #[serde(default)]
    alg: String,
    #[serde(default)]
    kid: Option<String>,
}

/// Verifies access tokens against the key ring.
pub struct TokenVerifier {
    keys: Arc<KeyRing>,
    clock: Arc<dyn Clock>,
}

impl TokenVerifier {
    /// A verifier over `keys`, judging time by `clock`.
    pub fn new(keys: Arc<KeyRing>, clock: Arc<dyn Clock>) -> Self {
        Self { keys, clock }
    }

    /// The claims of a valid token, or why it is not.
    pub async fn verify(&self, token: &str) -> Result<AccessTokenClaims, TokenError> {
        let mut parts = token.split('.');
        let (Some(header_b64), Some(_), Some(_), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed(
                "a JWT has three dot-separated parts".to_owned(),
            ));
        };
        // Read the header ourselves first: jsonwebtoken cannot even parse `alg: none`, and the
        // client deserves to hear that the algorithm, not the encoding, is the problem.
        let header_bytes = b64::url_decode_lenient(header_b64)
            .map_err(|_| TokenError::Malformed("the header is not base64url".to_owned()))?;
        let header: RawHeader = serde_json::from_slice(&header_bytes)
            .map_err(|_| TokenError::Malformed("the header is not JSON".to_owned()))?;
        if header.alg != "RS256" {
            return Err(TokenError::AlgorithmNotAllowed(header.alg));
        }
        let kid = header
            .kid
            .ok_or_else(|| TokenError::Malformed("the header has no kid".to_owned()))?;
        let key = self
            .keys
            .find(&kid)
            .await
            .map_err(|_| TokenError::KeysUnavailable)?
            .ok_or_else(|| TokenError::UnknownKey(kid.clone()))?;

        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims = HashSet::new();
        let data = jsonwebtoken::decode::<AccessTokenClaims>(
            token,
            &DecodingKey::from_rsa_der(&key.public_pkcs1_der),
            &validation,
        )
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => TokenError::BadSignature,
            _ => TokenError::Malformed(e.to_string()),
        })?;
        let claims = data.claims;
        let now = self.clock.now().timestamp();
        if claims.exp + TOKEN_SKEW_SECS <= now {
            return Err(TokenError::Expired);
        }
        if claims.nbf - TOKEN_SKEW_SECS > now {
            return Err(TokenError::NotYetValid);
        }
        if claims.aud != GRAPH_RESOURCE_URI && claims.aud != GRAPH_APP_ID {
            return Err(TokenError::WrongAudience(claims.aud));
        }
        if claims.iss != format!("https://sts.windows.net/{}/", claims.tid) {
            return Err(TokenError::WrongIssuer);
        }
        Ok(claims)
    }
}
