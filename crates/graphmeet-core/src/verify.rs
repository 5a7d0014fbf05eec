//! Verification of the access tokens graphmeet issued, for the Graph API: signature against
//! our published keys, an algorithm allow-list (RS256 only: never `none`, never HS*), `exp` and
//! `nbf` with a small skew against the injected clock, `aud` (Microsoft Graph), and `iss`
//! agreeing with `tid`. Keys are the key ring's, parsed once per key, not once per request.
//!
//! A client sends the same token on every call until it nears expiry, so a token whose
//! signature and claims were verified is remembered (by its SHA-256, bounded in number): the next
//! call with it skips the RSA verification and the decoding, while the time checks and the
//! check that its key is still published run every time. Only verified tokens are remembered; a
//! forged one costs a verification every time.

use crate::clock::Clock;
use crate::identity::{AccessTokenClaims, KeyRing};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use graphmeet_wire::{b64, GRAPH_APP_ID, GRAPH_RESOURCE_URI};
use serde::Deserialize;
use sha2::Digest;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// How many verified tokens are remembered at most.
pub const VERIFIED_TOKENS_KEPT: usize = 8192;

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

/// A token whose signature and claims verified, by the SHA-256 of the whole token.
struct Verified {
    kid: String,
    claims: Arc<AccessTokenClaims>,
}

/// Verifies access tokens against the key ring.
pub struct TokenVerifier {
    keys: Arc<KeyRing>,
    clock: Arc<dyn Clock>,
    verified: RwLock<HashMap<[u8; 32], Arc<Verified>>>,
}

impl TokenVerifier {
    /// A verifier over `keys`, judging time by `clock`.
    pub fn new(keys: Arc<KeyRing>, clock: Arc<dyn Clock>) -> Self {
        Self {
            keys,
            clock,
            verified: RwLock::new(HashMap::new()),
        }
    }

    /// The claims of a valid token, or why it is not.
    /// The claims are shared with the verified-token cache: a call reads them, it does not
    /// copy their strings.
    pub async fn verify(&self, token: &str) -> Result<Arc<AccessTokenClaims>, TokenError> {
        let digest: [u8; 32] = sha2::Sha256::digest(token.as_bytes()).into();
        let known = self
            .verified
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&digest)
            .cloned();
        if let Some(known) = known {
            // The key may have left the published set since (a rotation's retention passed).
            if self
                .keys
                .find(&known.kid)
                .await
                .map_err(|_| TokenError::KeysUnavailable)?
                .is_some()
            {
                self.check_times(&known.claims)?;
                return Ok(Arc::clone(&known.claims));
            }
            self.verified
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&digest);
        }
        let (kid, claims) = self.verify_fully(token).await?;
        let claims = Arc::new(claims);
        self.remember(digest, kid, &claims);
        Ok(claims)
    }

    /// `exp` and `nbf`, with the skew, against the clock.
    fn check_times(&self, claims: &AccessTokenClaims) -> Result<(), TokenError> {
        let now = self.clock.now().timestamp();
        if claims.exp + TOKEN_SKEW_SECS <= now {
            return Err(TokenError::Expired);
        }
        if claims.nbf - TOKEN_SKEW_SECS > now {
            return Err(TokenError::NotYetValid);
        }
        Ok(())
    }

    /// Remembers a verified token; when full, forgets the expired ones, or else all.
    fn remember(&self, digest: [u8; 32], kid: String, claims: &Arc<AccessTokenClaims>) {
        let mut verified = self.verified.write().unwrap_or_else(|p| p.into_inner());
        if verified.len() >= VERIFIED_TOKENS_KEPT {
            let now = self.clock.now().timestamp();
            verified.retain(|_, v| v.claims.exp + TOKEN_SKEW_SECS > now);
            if verified.len() >= VERIFIED_TOKENS_KEPT {
                verified.clear();
            }
        }
        verified.insert(
            digest,
            Arc::new(Verified {
                kid,
                claims: Arc::clone(claims),
            }),
        );
    }

    /// Every check, the signature included; the key's `kid` and the claims.
    async fn verify_fully(&self, token: &str) -> Result<(String, AccessTokenClaims), TokenError> {
        let mut parts = token.split('.');
        let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed(
                "a JWT has three dot-separated parts".to_owned(),
            ));
        };
        // The header comes first: the client deserves to hear that the algorithm (`none`,
        // HS256), not the encoding, is the problem.
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

        // Tokens are read as we write them: unpadded base64url, nothing lenient.
        let signature = URL_SAFE_NO_PAD
            .decode(signature_b64)
            .map_err(|_| TokenError::Malformed("the signature is not base64url".to_owned()))?;
        let signed_len = header_b64.len() + 1 + payload_b64.len();
        if !key
            .verifier()
            .verify(&token.as_bytes()[..signed_len], &signature)
        {
            return Err(TokenError::BadSignature);
        }
        let payload = URL_SAFE_NO_PAD
            .decode(payload_b64)
            .map_err(|_| TokenError::Malformed("the payload is not base64url".to_owned()))?;
        let claims: AccessTokenClaims = serde_json::from_slice(&payload)
            .map_err(|e| TokenError::Malformed(format!("the claims are not valid: {e}")))?;
        self.check_times(&claims)?;
        if claims.aud != GRAPH_RESOURCE_URI && claims.aud != GRAPH_APP_ID {
            return Err(TokenError::WrongAudience(claims.aud));
        }
        if claims.iss != format!("https://sts.windows.net/{}/", claims.tid) {
            return Err(TokenError::WrongIssuer);
        }
        Ok((kid, claims))
    }
}
