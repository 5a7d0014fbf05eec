//! The token-signing key ring: keys cached from the store, parsed once, rotated and retired,
//! published while a token they signed can still be live.

use super::error::IdentityError;
use super::TokenLifetimes;

use crate::clock::Clock;
use crate::crypto;
use crate::model::SigningKey;
use crate::sealing::KeySealer;
use crate::store::Store;
use chrono::{DateTime, Duration, Utc};
use graphmeet_wire::b64;
use serde::Serialize;
use std::sync::Arc;
use std::sync::RwLock;

/// The token-signing keys, cached from the store and parsed once: parsing an RSA private key
/// costs more than signing with it.
pub struct KeyRing {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    lifetimes: TokenLifetimes,
    /// The key-encryption key the private keys are stored sealed under.
    pub(super) sealer: Arc<KeySealer>,
    cache: RwLock<Vec<Arc<LoadedKey>>>,
    /// When an unknown `kid` last made us reload; see [`KeyRing::find`].
    last_miss_reload: std::sync::Mutex<Option<DateTime<Utc>>>,
}

/// How often an unknown `kid` may make the key ring reload from the store: often enough to see
/// another instance's rotation, rarely enough that tokens with made-up `kid`s cannot turn every
/// request into a database read and a key parse.
pub(super) const MISS_RELOAD_INTERVAL_SECS: i64 = 10;

/// A signing key ready to use.
#[derive(Clone)]
pub struct LoadedKey {
    /// The stored key.
    pub key: SigningKey,
    /// The public key, PKCS#1 DER.
    pub public_pkcs1_der: Vec<u8>,
    parsed: Arc<ParsedKey>,
}

/// What a key's DER turns into once per key, not once per token.
pub(super) struct ParsedKey {
    signer: crypto::Rs256Signer,
    verifier: crypto::Rs256Verifier,
    /// The JWT header of every token this key signs, base64url.
    header_b64: String,
}

/// The JOSE header of graphmeet's tokens, in the order of its fields on the wire.
#[derive(Serialize)]
pub(super) struct JwtHeader<'a> {
    typ: &'static str,
    alg: &'static str,
    kid: &'a str,
    x5t: &'a str,
}

impl ParsedKey {
    fn parse(
        key: &SigningKey,
        private_pkcs8_der: &[u8],
        public_pkcs1_der: &[u8],
    ) -> Result<Self, IdentityError> {
        let signing = |e: crypto::CryptoError| IdentityError::Signing(e.to_string());
        let header = serde_json::to_vec(&JwtHeader {
            typ: "JWT",
            alg: "RS256",
            kid: &key.kid,
            x5t: &key.kid,
        })
        .map_err(|e| IdentityError::Signing(e.to_string()))?;
        Ok(Self {
            signer: crypto::Rs256Signer::from_pkcs8(private_pkcs8_der).map_err(signing)?,
            verifier: crypto::Rs256Verifier::from_pkcs1(public_pkcs1_der).map_err(signing)?,
            header_b64: b64::url_encode(header),
        })
    }
}

impl LoadedKey {
    /// The key's public half, parsed, for verifying the tokens it signed.
    pub fn verifier(&self) -> &crypto::Rs256Verifier {
        &self.parsed.verifier
    }

    /// `claims` as a JWT signed with this key (RS256, `kid` and `x5t` in the header).
    pub(super) fn sign_jwt(&self, claims: &impl Serialize) -> Result<String, IdentityError> {
        let payload =
            serde_json::to_vec(claims).map_err(|e| IdentityError::Signing(e.to_string()))?;
        let mut token =
            String::with_capacity(self.parsed.header_b64.len() + payload.len() * 2 + 360);
        token.push_str(&self.parsed.header_b64);
        token.push('.');
        token.push_str(&b64::url_encode(payload));
        let signature = self
            .parsed
            .signer
            .sign(token.as_bytes())
            .map_err(|e| IdentityError::Signing(e.to_string()))?;
        token.push('.');
        token.push_str(&b64::url_encode(signature));
        Ok(token)
    }
}

impl KeyRing {
    /// A key ring over `store`, its private keys sealed under `sealer`; call
    /// [`KeyRing::ensure_key`] before signing.
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        lifetimes: TokenLifetimes,
        sealer: Arc<KeySealer>,
    ) -> Self {
        Self {
            store,
            clock,
            lifetimes,
            sealer,
            cache: RwLock::new(Vec::new()),
            last_miss_reload: std::sync::Mutex::new(None),
        }
    }

    /// Creates the first signing key if the store has none, and loads the keys.
    pub async fn ensure_key(&self) -> Result<(), IdentityError> {
        if self.store.list_signing_keys().await?.is_empty() {
            self.rotate().await?;
        }
        self.reload().await
    }

    /// Adds a new signing key; the previous one stays published until its tokens expire.
    pub async fn rotate(&self) -> Result<SigningKey, IdentityError> {
        let now = self.clock.now();
        let material = crypto::KeyAndCertificate::generate(
            "accounts.graphmeet.local",
            now - Duration::days(1),
            now + Duration::days(5 * 365),
        )
        .map_err(|e| IdentityError::Signing(e.to_string()))?;
        let kid = crypto::x5t(&material.cert_der);
        let key = SigningKey {
            private_pkcs8_der: self.sealer.seal(&material.private_pkcs8_der, &kid),
            kid,
            cert_der: material.cert_der,
            created_at: now,
            retired_at: None,
        };
        self.store.rotate_signing_key(&key).await?;
        self.reload().await?;
        Ok(key)
    }

    /// Reloads the keys from the store (another instance may have rotated them). Keys already
    /// loaded keep their parsed form; only new ones are opened and parsed. A key stored in the
    /// clear (by a graphmeet that did not seal keys) is sealed in place.
    pub async fn reload(&self) -> Result<(), IdentityError> {
        let mut keys = self.store.list_signing_keys().await?;
        let mut sealed_any = false;
        for key in keys
            .iter()
            .filter(|k| !KeySealer::is_sealed(&k.private_pkcs8_der))
        {
            let sealed = self.sealer.seal(&key.private_pkcs8_der, &key.kid);
            self.store
                .replace_signing_key_private(&key.kid, &key.private_pkcs8_der, &sealed)
                .await?;
            tracing::info!(kid = %key.kid, "sealed a signing key stored in the clear");
            sealed_any = true;
        }
        if sealed_any {
            // Read back what is stored now (another instance may have sealed a key first).
            keys = self.store.list_signing_keys().await?;
        }
        let previous = self.cache.read().unwrap_or_else(|p| p.into_inner()).clone();
        let mut loaded = Vec::with_capacity(keys.len());
        for key in keys {
            let known = previous
                .iter()
                .find(|k| k.key.kid == key.kid && k.key.private_pkcs8_der == key.private_pkcs8_der);
            let (public_pkcs1_der, parsed) = match known {
                Some(k) => (k.public_pkcs1_der.clone(), k.parsed.clone()),
                None => {
                    let public = crypto::parse_certificate_der(&key.cert_der)
                        .map_err(|e| IdentityError::Signing(e.to_string()))?;
                    let private =
                        self.sealer
                            .open(&key.private_pkcs8_der, &key.kid)
                            .map_err(|e| IdentityError::KeyEncryption {
                                kid: key.kid.clone(),
                                problem: e.to_string(),
                            })?;
                    let parsed = ParsedKey::parse(&key, &private, &public.rsa_public_pkcs1_der)?;
                    (public.rsa_public_pkcs1_der, Arc::new(parsed))
                }
            };
            loaded.push(Arc::new(LoadedKey {
                key,
                public_pkcs1_der,
                parsed,
            }));
        }
        *self.cache.write().unwrap_or_else(|p| p.into_inner()) = loaded;
        Ok(())
    }

    /// Whether a key may be seen by clients and resources now (see [`KeyRing::published`]).
    fn is_published(&self, key: &LoadedKey, now: DateTime<Utc>) -> bool {
        key.key
            .retired_at
            .is_none_or(|retired| retired + self.lifetimes.retention() > now)
    }

    /// The published key with this `kid` in the cache.
    fn cached(&self, kid: &str) -> Option<Arc<LoadedKey>> {
        let now = self.clock.now();
        self.cache
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .find(|k| k.key.kid == kid && self.is_published(k, now))
            .cloned()
    }

    /// The keys clients and resources may see: the active one and retired ones whose tokens
    /// may still be alive. Newest first.
    pub fn published(&self) -> Vec<LoadedKey> {
        let now = self.clock.now();
        self.cache
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|k| self.is_published(k, now))
            .map(|k| LoadedKey::clone(k))
            .collect()
    }

    /// The published key with this `kid`. On a miss the keys are reloaded from the store (another
    /// instance may have rotated), at most once every few seconds.
    pub async fn find(&self, kid: &str) -> Result<Option<Arc<LoadedKey>>, IdentityError> {
        if let Some(key) = self.cached(kid) {
            return Ok(Some(key));
        }
        let now = self.clock.now();
        {
            let mut last = self
                .last_miss_reload
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            if last.is_some_and(|t| now - t < Duration::seconds(MISS_RELOAD_INTERVAL_SECS)) {
                return Ok(None);
            }
            *last = Some(now);
        }
        self.reload().await?;
        Ok(self.cached(kid))
    }

    /// `claims` as a JWT signed with the active key (RS256, `kid` and `x5t` in the header):
    /// tokens this server issues besides access tokens, such as the `validationTokens` of rich
    /// change notifications.
    pub async fn sign_claims(&self, claims: &impl Serialize) -> Result<String, IdentityError> {
        self.active().await?.sign_jwt(claims)
    }

    pub(super) async fn active(&self) -> Result<Arc<LoadedKey>, IdentityError> {
        let cached = self
            .cache
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .find(|k| k.key.retired_at.is_none())
            .cloned();
        match cached {
            Some(key) => Ok(key),
            None => {
                self.reload().await?;
                self.cache
                    .read()
                    .unwrap_or_else(|p| p.into_inner())
                    .iter()
                    .find(|k| k.key.retired_at.is_none())
                    .cloned()
                    .ok_or(IdentityError::NoSigningKey)
            }
        }
    }
}
