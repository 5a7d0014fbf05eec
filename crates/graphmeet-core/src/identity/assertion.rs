//! Client authentication: a client secret, or a certificate's signed client assertion (its
//! header, audience, lifetime and signature).
//!
//! Facts copied: <https://learn.microsoft.com/entra/identity-platform/certificate-credentials>.

use super::error::{IdentityError, SignatureFailure};
use super::tokens::ClientCredentialsRequest;
use super::{Identity, ASSERTION_SKEW_SECS};

use crate::crypto;
use crate::index::AppEntry;
use crate::model::Tenant;
use chrono::{DateTime, Utc};
use graphmeet_wire::{b64, JWT_BEARER_ASSERTION_TYPE};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;

#[derive(Deserialize)]
pub(super) struct AssertionHeader {
    alg: String,
    #[serde(default)]
    x5t: Option<String>,
    #[serde(default, rename = "x5t#S256")]
    x5t_s256: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum Audience {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
pub(super) struct AssertionClaims {
    #[serde(default)]
    iss: Option<String>,
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    aud: Option<Audience>,
    #[serde(default)]
    exp: Option<f64>,
    #[serde(default)]
    nbf: Option<f64>,
    #[serde(default)]
    jti: Option<String>,
}

pub(super) fn decode_segment<T: serde::de::DeserializeOwned>(
    segment: &str,
    what: &str,
) -> Result<T, IdentityError> {
    let bytes = b64::url_decode_lenient(segment)
        .map_err(|e| IdentityError::MalformedAssertion(format!("{what} is not base64url: {e}")))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| IdentityError::MalformedAssertion(format!("{what} is not valid JSON: {e}")))
}

impl Identity {
    pub(super) fn check_secret(&self, entry: &AppEntry, secret: &str) -> Result<(), IdentityError> {
        let now = self.clock.now();
        let app = &entry.app;
        let matched = entry
            .secrets
            .iter()
            .find(|s| crypto::secret_matches(secret, &s.hash))
            .ok_or(IdentityError::InvalidClientSecret(app.app_id))?;
        if now >= matched.end || now < matched.start {
            return Err(IdentityError::ExpiredClientSecret(app.app_id));
        }
        Ok(())
    }

    pub(super) async fn check_assertion(
        &self,
        req: &ClientCredentialsRequest,
        tenant: &Tenant,
        entry: &AppEntry,
        assertion: &str,
    ) -> Result<(), IdentityError> {
        let app = &entry.app;
        let assertion_type = req.client_assertion_type.as_deref().unwrap_or_default();
        if assertion_type.is_empty() {
            return Err(IdentityError::MissingParameter("client_assertion_type"));
        }
        if assertion_type != JWT_BEARER_ASSERTION_TYPE {
            return Err(IdentityError::InvalidAssertionType(
                assertion_type.to_owned(),
            ));
        }
        let assertion = assertion.trim();
        let (signed, signature) = assertion.rsplit_once('.').ok_or_else(|| {
            IdentityError::MalformedAssertion("not a JWS compact serialization".to_owned())
        })?;
        let (header_b64, payload_b64) = signed.split_once('.').ok_or_else(|| {
            IdentityError::MalformedAssertion("not a JWS compact serialization".to_owned())
        })?;
        if payload_b64.contains('.') {
            return Err(IdentityError::MalformedAssertion(
                "encrypted assertions are not supported".to_owned(),
            ));
        }
        let header: AssertionHeader = decode_segment(header_b64, "the header")?;
        let claims: AssertionClaims = decode_segment(payload_b64, "the payload")?;
        let algorithm = match header.alg.as_str() {
            "RS256" => Algorithm::RS256,
            "PS256" => Algorithm::PS256,
            other => {
                return Err(IdentityError::UnsupportedAssertionAlgorithm(
                    other.to_owned(),
                ))
            }
        };

        let client = app.app_id.to_string();
        let same_client = |v: &Option<String>| {
            v.as_deref()
                .is_some_and(|v| v.eq_ignore_ascii_case(&client))
        };
        if !same_client(&claims.iss) || !same_client(&claims.sub) {
            return Err(IdentityError::AssertionClientMismatch);
        }

        // Thumbprints arrive padded or not; compare their decoded bytes.
        let (sent, sha256) = match (&header.x5t_s256, &header.x5t) {
            (Some(t), _) => (t.clone(), true),
            (None, Some(t)) => (t.clone(), false),
            (None, None) => return Err(IdentityError::AssertionMissingThumbprint),
        };
        let sent_bytes = b64::url_decode_lenient(&sent).map_err(|_| {
            IdentityError::MalformedAssertion("the thumbprint is not base64url".to_owned())
        })?;
        let display = hex::encode_upper(&sent_bytes);
        let cert = entry
            .certificates
            .iter()
            .find(|c| {
                if sha256 {
                    crypto::sha256(&c.der) == sent_bytes
                } else {
                    crypto::sha1(&c.der) == sent_bytes
                }
            })
            .ok_or_else(|| IdentityError::AssertionSignature {
                app_id: app.app_id,
                thumbprint: display.clone(),
                reason: SignatureFailure::KeyNotFound,
            })?;
        let now = self.clock.now();
        if now >= cert.end {
            return Err(IdentityError::AssertionSignature {
                app_id: app.app_id,
                thumbprint: display,
                reason: SignatureFailure::KeyExpired,
            });
        }
        let parsed = crypto::parse_certificate_der(&cert.der)
            .map_err(|e| IdentityError::Signing(e.to_string()))?;
        let key = DecodingKey::from_rsa_der(&parsed.rsa_public_pkcs1_der);
        let verified = jsonwebtoken::crypto::verify(
            b64::strip_padding(signature),
            signed.as_bytes(),
            &key,
            algorithm,
        )
        .unwrap_or(false);
        if !verified {
            return Err(IdentityError::AssertionSignature {
                app_id: app.app_id,
                thumbprint: display,
                reason: SignatureFailure::BadSignature,
            });
        }

        let audiences: Vec<String> = match claims.aud {
            Some(Audience::One(a)) => vec![a],
            Some(Audience::Many(a)) => a,
            None => Vec::new(),
        };
        if !audiences.iter().any(|aud| {
            req.audience_bases
                .iter()
                .any(|base| self.is_token_url_of(aud, base, tenant))
        }) {
            return Err(IdentityError::AssertionAudienceMismatch);
        }

        let exp = claims.exp.ok_or_else(|| {
            IdentityError::MalformedAssertion("the assertion has no exp".to_owned())
        })? as i64;
        let nbf = claims.nbf.map(|n| n as i64);
        let now_s = now.timestamp();
        if exp + ASSERTION_SKEW_SECS <= now_s
            || nbf.is_some_and(|n| n - ASSERTION_SKEW_SECS > now_s)
        {
            return Err(IdentityError::AssertionTimeRange {
                now: now_s,
                nbf,
                exp,
            });
        }
        let jti = claims.jti.filter(|j| !j.is_empty()).ok_or_else(|| {
            IdentityError::MalformedAssertion("the assertion has no jti".to_owned())
        })?;
        let keep_until =
            DateTime::<Utc>::from_timestamp(exp + ASSERTION_SKEW_SECS, 0).unwrap_or(now);
        if !self
            .store
            .record_assertion_id(app.app_id, &jti, keep_until, now)
            .await?
        {
            return Err(IdentityError::AssertionReplayed(jti));
        }
        Ok(())
    }

    /// Whether `aud` is `{base}/{tenant id or domain}/oauth2/v2.0/token`, ignoring case and a
    /// query string.
    pub(super) fn is_token_url_of(&self, aud: &str, base_url: &str, tenant: &Tenant) -> bool {
        let aud = aud
            .split('?')
            .next()
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_ascii_lowercase();
        let base = base_url.trim_end_matches('/').to_ascii_lowercase();
        let Some(rest) = aud.strip_prefix(&base) else {
            return false;
        };
        let Some(segment) = rest
            .strip_prefix('/')
            .and_then(|r| r.strip_suffix("/oauth2/v2.0/token"))
        else {
            return false;
        };
        segment == tenant.id.to_string() || tenant.domains.iter().any(|d| d == segment)
    }
}
