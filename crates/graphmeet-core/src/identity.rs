//! The identity platform's grants: client credentials (resolve the tenant, check the scope, find
//! the app's service principal, authenticate the client by secret or certificate assertion, and
//! issue a v1 app-only access token for Microsoft Graph or a first-party resource), the
//! resource-owner password grant and the refresh-token grant (delegated tokens, with the v2 ID
//! token, `client_info` and a refresh token that MSAL caches).
//!
//! Refresh tokens are sealed, not stored: the token is the AES-256-GCM sealing (under the
//! key-encryption key every instance shares, see [`crate::sealing`]) of the client id, the user,
//! the tenant, the scopes, when it was issued, and a fingerprint of the user's password hash.
//! It is opaque to clients and unforgeable; it is bound to its client, user and tenant; it stops
//! working when the user or the app's service principal is deleted or the password changes
//! (each is checked when it is redeemed), and after 90 days unused, as Entra's.
//!
//! Facts copied: <https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow>,
//! <https://learn.microsoft.com/entra/identity-platform/certificate-credentials>,
//! <https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference>.

use crate::clock::Clock;
use crate::crypto;
use crate::index::{AppEntry, DirectoryIndex};
use crate::lockout::{LockoutPolicy, SmartLockout};
use crate::model::TenantRef;
use crate::model::{App, ServicePrincipal, SigningKey, Tenant};
use crate::sealing::KeySealer;
use crate::store::{Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use graphmeet_wire::resources::first_party_audience;
use graphmeet_wire::{b64, GRAPH_APP_ID, GRAPH_RESOURCE_URI, JWT_BEARER_ASSERTION_TYPE};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::RwLock;
use uuid::Uuid;

/// The Entra role template id every app-only Graph token carries in `wids`.
const APP_TOKEN_WIDS: &str = "0997a1d0-0d1d-4acb-b408-d5ca73121e90";
/// Tokens are back-dated by five minutes, as Entra does (`exp - iat` = 3900 s for a 1 h token).
const BACKDATE_SECS: i64 = 300;
/// Clock skew allowed on client assertions' `nbf` and `exp`.
const ASSERTION_SKEW_SECS: i64 = 300;
/// A refresh token unused this long expires (Entra's default inactivity lifetime).
pub const REFRESH_TOKEN_INACTIVE_DAYS: i64 = 90;
/// The name refresh tokens are sealed under (bound as associated data), so no other sealed
/// value opens as a refresh token.
const REFRESH_TOKEN_SEAL_NAME: &str = "graphmeet refresh token v1";

/// How long issued tokens live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenLifetimes {
    /// The lifetime of an ordinary token (`expires_in` is one second less).
    pub default: Duration,
    /// The lifetime when the client announces CAE support (`xms_cc` = `cp1`).
    pub cae: Duration,
}

impl Default for TokenLifetimes {
    fn default() -> Self {
        Self {
            default: Duration::seconds(3600),
            cae: Duration::seconds(86400),
        }
    }
}

impl TokenLifetimes {
    /// How long a retired signing key must stay published: the longest token it can have signed.
    pub fn retention(&self) -> Duration {
        self.default.max(self.cae) + Duration::seconds(BACKDATE_SECS)
    }
}

/// Why a token request was refused, in domain terms; the server renders each as AADSTS.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// No tenant has that id or domain.
    #[error("tenant {0} not found")]
    TenantNotFound(String),
    /// A required form parameter is missing.
    #[error("missing parameter {0}")]
    MissingParameter(&'static str),
    /// The scope is not a scope value.
    #[error("invalid scope {0}")]
    InvalidScope(String),
    /// Client credentials asked for a scope that is not `{resource}/.default`.
    #[error("scope {0} is not a /.default scope")]
    ScopeNotDefault(String),
    /// The `/.default` scope names a resource other than Microsoft Graph.
    #[error("resource {resource} not found in {tenant}")]
    ResourceNotFound {
        /// The resource named.
        resource: String,
        /// The tenant, as the request named it.
        tenant: String,
    },
    /// The app is unknown, or has no service principal in this tenant.
    #[error("app {app_id} not found in {tenant}")]
    AppNotFoundInDirectory {
        /// The client id sent.
        app_id: String,
        /// The tenant, as the request named it.
        tenant: String,
    },
    /// The app's home tenant has no service principal for it.
    #[error("app {app_id} has no service principal in {tenant_id}")]
    MissingServicePrincipal {
        /// The app.
        app_id: Uuid,
        /// Its home tenant.
        tenant_id: Uuid,
    },
    /// Neither a secret nor an assertion was sent.
    #[error("no client credential")]
    MissingClientCredential,
    /// A `client_credentials` request without a secret or an assertion (Entra answers this
    /// grant with its own code).
    #[error("no client credential for client_credentials")]
    ClientCredentialsWithoutCredential,
    /// No secret of the app matches.
    #[error("invalid client secret for {0}")]
    InvalidClientSecret(Uuid),
    /// The matching secret has expired.
    #[error("expired client secret for {0}")]
    ExpiredClientSecret(Uuid),
    /// `client_assertion_type` is not the JWT bearer type.
    #[error("unsupported client_assertion_type {0}")]
    InvalidAssertionType(String),
    /// The assertion is not a readable JWT.
    #[error("malformed client assertion: {0}")]
    MalformedAssertion(String),
    /// The assertion uses an algorithm other than RS256 or PS256.
    #[error("unsupported assertion algorithm {0}")]
    UnsupportedAssertionAlgorithm(String),
    /// The assertion names no certificate thumbprint.
    #[error("assertion without x5t or x5t#S256")]
    AssertionMissingThumbprint,
    /// The assertion's key is unknown, expired, or its signature does not verify.
    #[error("assertion signature rejected ({})", reason.reason())]
    AssertionSignature {
        /// The app.
        app_id: Uuid,
        /// The thumbprint the client sent.
        thumbprint: String,
        /// Why.
        reason: SignatureFailure,
    },
    /// `iss`/`sub` is not the request's `client_id`.
    #[error("assertion issuer does not match client_id")]
    AssertionClientMismatch,
    /// `aud` is not this tenant's token endpoint.
    #[error("assertion audience mismatch")]
    AssertionAudienceMismatch,
    /// The assertion is expired or not yet valid.
    #[error("assertion outside its validity window")]
    AssertionTimeRange {
        /// Now, Unix seconds.
        now: i64,
        /// The assertion's `nbf`.
        nbf: Option<i64>,
        /// The assertion's `exp`.
        exp: i64,
    },
    /// A password sign-in named a user the tenant does not have.
    #[error("user not found in {0}")]
    UserNotFound(String),
    /// A password sign-in with a wrong password, or for a user without one.
    #[error("invalid user credentials")]
    InvalidUserCredentials,
    /// AADSTS50057: the account is disabled.
    #[error("user {0} is disabled")]
    UserDisabled(Uuid),
    /// Smart lockout: the account had too many failed password sign-ins and is locked; every
    /// sign-in is refused until the lockout ends, the right password included.
    #[error("account {user} locked until {until}")]
    AccountLocked {
        /// The user.
        user: Uuid,
        /// When the lockout ends.
        until: DateTime<Utc>,
    },
    /// A refresh token that is not one of ours (AADSTS9002313).
    #[error("malformed refresh token")]
    MalformedGrant,
    /// A refresh token this request may not redeem (AADSTS70000): another client or tenant,
    /// a user or service principal deleted since, or a password changed since.
    #[error("refresh token not valid here: {0}")]
    InvalidGrant(&'static str),
    /// A refresh token unused for longer than its inactivity lifetime (AADSTS700082).
    #[error("refresh token issued {issued} expired")]
    RefreshTokenExpired {
        /// When it was issued.
        issued: DateTime<Utc>,
    },
    /// The assertion's `jti` was already redeemed.
    #[error("assertion {0} replayed")]
    AssertionReplayed(String),
    /// No signing key is available.
    #[error("no signing key")]
    NoSigningKey,
    /// A stored signing key does not open under this server's key-encryption key.
    #[error("signing key {kid} does not open: {problem}; every instance on one database needs the same key-encryption key (the DATA_DIR/key-encryption-key file of the instance that made the keys, or --key-encryption-key / GRAPHMEET_KEY_ENCRYPTION_KEY)")]
    KeyEncryption {
        /// The key's `kid`.
        kid: String,
        /// Why it does not open.
        problem: String,
    },
    /// Signing failed.
    #[error("signing failed: {0}")]
    Signing(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why an assertion's signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureFailure {
    /// No certificate of the app has that thumbprint.
    KeyNotFound,
    /// The certificate has expired.
    KeyExpired,
    /// The signature does not verify with the certificate's key.
    BadSignature,
}

impl SignatureFailure {
    /// Entra's bracketed reason text.
    pub fn reason(self) -> &'static str {
        match self {
            Self::KeyNotFound => "The key was not found.",
            Self::KeyExpired => "The key used is expired.",
            Self::BadSignature => {
                "The provided signature value did not match the expected signature value."
            }
        }
    }
}

/// A client-credentials request as the token endpoint received it.
#[derive(Debug, Clone, Default)]
pub struct ClientCredentialsRequest {
    /// The `{tenant}` path segment: a GUID (any case) or a domain.
    pub tenant: String,
    /// `client_id` (from the form or HTTP Basic).
    pub client_id: Option<String>,
    /// `scope`.
    pub scope: Option<String>,
    /// `client_secret` (from the form or HTTP Basic).
    pub client_secret: Option<String>,
    /// `client_assertion`.
    pub client_assertion: Option<String>,
    /// `client_assertion_type`.
    pub client_assertion_type: Option<String>,
    /// The `scheme://host[:port]` bases the server is configured to be reached at (never a
    /// header the client controls); an assertion's `aud` must be a token URL under one.
    pub audience_bases: Vec<String>,
    /// Whether `claims` asked for the CAE capability (`xms_cc` contains `cp1`).
    pub cae: bool,
}

/// A resource-owner password request as the token endpoint received it.
#[derive(Debug, Clone, Default)]
pub struct PasswordRequest {
    /// The `{tenant}` path segment.
    pub tenant: String,
    /// `client_id`.
    pub client_id: Option<String>,
    /// `client_secret`, for a confidential client.
    pub client_secret: Option<String>,
    /// `username` (the UPN).
    pub username: Option<String>,
    /// `password`.
    pub password: Option<String>,
    /// `scope`.
    pub scope: Option<String>,
    /// Whether `claims` asked for the CAE capability.
    pub cae: bool,
    /// Whether `client_info=1` was sent.
    pub client_info: bool,
    /// `nonce`, echoed in the ID token.
    pub nonce: Option<String>,
    /// The `scheme://host[:port]` the request reached; the ID token's issuer is
    /// `{issuer_base}/{tenant id}/v2.0`, as the discovery document says.
    pub issuer_base: String,
}

/// A `grant_type=refresh_token` request as the token endpoint received it.
#[derive(Debug, Clone, Default)]
pub struct RefreshTokenRequest {
    /// The `{tenant}` path segment.
    pub tenant: String,
    /// `client_id`.
    pub client_id: Option<String>,
    /// `client_secret`, for a confidential client.
    pub client_secret: Option<String>,
    /// `refresh_token`.
    pub refresh_token: Option<String>,
    /// `scope`; the scopes first granted when absent.
    pub scope: Option<String>,
    /// Whether `claims` asked for the CAE capability.
    pub cae: bool,
    /// Whether `client_info=1` was sent.
    pub client_info: bool,
    /// As [`PasswordRequest::issuer_base`].
    pub issuer_base: String,
}

/// An issued access token.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    /// The signed JWT.
    pub access_token: String,
    /// Seconds until expiry, as `expires_in`.
    pub expires_in: u64,
    /// The claims inside it.
    pub claims: AccessTokenClaims,
    /// What the delegated grants add to the answer.
    pub delegated: Option<DelegatedExtras>,
}

/// The parts of a delegated grant's answer beyond the access token.
#[derive(Debug, Clone, Default)]
pub struct DelegatedExtras {
    /// `scope`: the granted permissions, then the OpenID scopes granted.
    pub scope: String,
    /// The refresh token, when `offline_access` was asked for.
    pub refresh_token: Option<String>,
    /// The v2 ID token, when `openid` was asked for.
    pub id_token: Option<String>,
    /// `client_info`, when `client_info=1` was sent.
    pub client_info: Option<String>,
}

/// The claims of a v2 ID token, in Entra's names and order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdTokenClaims {
    /// The client id.
    pub aud: String,
    /// `{issuer base}/{tid}/v2.0`, the discovery document's `issuer`.
    pub iss: String,
    /// Issued at.
    pub iat: i64,
    /// Not before.
    pub nbf: i64,
    /// Expiry.
    pub exp: i64,
    /// The user's display name (`profile`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The request's `nonce`, when one was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The user's object id.
    pub oid: String,
    /// The user's UPN (`profile`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<String>,
    /// Opaque.
    pub rh: String,
    /// Pairwise per user and app.
    pub sub: String,
    /// The tenant.
    pub tid: String,
    /// The token's unique id.
    pub uti: String,
    /// `2.0`.
    pub ver: String,
}

/// What a refresh token carries, sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct RefreshGrant {
    /// The client id it was issued to.
    cid: Uuid,
    /// The user.
    uid: Uuid,
    /// The tenant.
    tid: Uuid,
    /// The scope string first granted.
    scp: String,
    /// When this token was issued, Unix seconds (inactivity counts from here).
    iat: i64,
    /// Fingerprint of the user's password hash when the user signed in.
    pwd: String,
}

/// The claims of a v1 app-only Graph token, in Entra's names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessTokenClaims {
    /// `https://graph.microsoft.com` or the Graph app id, following the requested form.
    pub aud: String,
    /// `https://sts.windows.net/{tid}/`.
    pub iss: String,
    /// Issued at.
    pub iat: i64,
    /// Not before (= `iat`).
    pub nbf: i64,
    /// Expiry.
    pub exp: i64,
    /// Opaque.
    #[serde(default)]
    pub aio: String,
    /// The app's display name.
    #[serde(default)]
    pub app_displayname: String,
    /// The client id.
    pub appid: String,
    /// `0` for a public client, `1` for a secret, `2` for a certificate.
    pub appidacr: String,
    /// The identity provider: the issuer, for app-only tokens; absent in delegated tokens of
    /// the tenant's own users.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub idp: String,
    /// `app` or `user`.
    pub idtyp: String,
    /// The service principal's object id in this tenant.
    pub oid: String,
    /// Opaque.
    #[serde(default)]
    pub rh: String,
    /// Graph app roles consented in this tenant (app-only tokens); absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Delegated permissions, space-separated (delegated tokens only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scp: Option<String>,
    /// How the user authenticated (delegated tokens only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amr: Vec<String>,
    /// The user's display name (delegated tokens only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The user's UPN (delegated tokens only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    /// The user's UPN, v1 spelling (delegated tokens only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unique_name: Option<String>,
    /// = `oid`.
    pub sub: String,
    /// The tenant that issued the token.
    pub tid: String,
    /// The token's unique id.
    pub uti: String,
    /// `1.0`.
    pub ver: String,
    /// Directory role templates.
    #[serde(default)]
    pub wids: Vec<String>,
    /// Tenant creation time, Unix seconds.
    #[serde(default)]
    pub xms_tcdt: i64,
}

/// The token-signing keys, cached from the store and parsed once: parsing an RSA private key
/// costs more than signing with it.
pub struct KeyRing {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    lifetimes: TokenLifetimes,
    /// The key-encryption key the private keys are stored sealed under.
    sealer: Arc<KeySealer>,
    cache: RwLock<Vec<Arc<LoadedKey>>>,
    /// When an unknown `kid` last made us reload; see [`KeyRing::find`].
    last_miss_reload: std::sync::Mutex<Option<DateTime<Utc>>>,
}

/// How often an unknown `kid` may make the key ring reload from the store: often enough to see
/// another instance's rotation, rarely enough that tokens with made-up `kid`s cannot turn every
/// request into a database read and a key parse.
const MISS_RELOAD_INTERVAL_SECS: i64 = 10;

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
struct ParsedKey {
    signer: crypto::Rs256Signer,
    verifier: crypto::Rs256Verifier,
    /// The JWT header of every token this key signs, base64url.
    header_b64: String,
}

/// The JOSE header of graphmeet's tokens, in the order of its fields on the wire.
#[derive(Serialize)]
struct JwtHeader<'a> {
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
    fn sign_jwt(&self, claims: &impl Serialize) -> Result<String, IdentityError> {
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

    async fn active(&self) -> Result<Arc<LoadedKey>, IdentityError> {
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

/// The identity platform: issues tokens for the client-credentials grant.
pub struct Identity {
    store: Arc<dyn Store>,
    /// Tenants, apps, credentials, service principals and users, read without a round trip.
    index: Arc<DirectoryIndex>,
    clock: Arc<dyn Clock>,
    keys: Arc<KeyRing>,
    lifetimes: TokenLifetimes,
    /// Argon2 checks of `grant_type=password`, off the async workers.
    passwords: crypto::PasswordVerifier,
    /// Failed password sign-ins per account (smart lockout).
    lockout: SmartLockout,
}

/// The resource a `/.default` scope names, in the form the token's `aud` will carry.
fn graph_audience(resource: &str) -> Option<&'static str> {
    let trimmed = resource.trim_end_matches('/');
    if trimmed.eq_ignore_ascii_case(GRAPH_RESOURCE_URI) {
        Some(GRAPH_RESOURCE_URI)
    } else if trimmed.eq_ignore_ascii_case(GRAPH_APP_ID) {
        Some(GRAPH_APP_ID)
    } else {
        None
    }
}

/// The audience of a token for `resource`: Microsoft Graph, or a first-party resource whose
/// service principal every tenant has (see [`graphmeet_wire::resources`]).
fn resource_audience(resource: &str, tenant: &str) -> Result<String, IdentityError> {
    graph_audience(resource)
        .map(str::to_owned)
        .or_else(|| first_party_audience(resource).map(|(_, aud)| aud))
        .ok_or_else(|| IdentityError::ResourceNotFound {
            resource: resource.to_owned(),
            tenant: tenant.to_owned(),
        })
}

/// Checks a client-credentials scope; returns the audience for the token.
fn check_scope(scope: &str, tenant: &str) -> Result<String, IdentityError> {
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    if scopes.is_empty() {
        return Err(IdentityError::MissingParameter("scope"));
    }
    let mut audience: Option<String> = None;
    for s in &scopes {
        let Some(resource) = s.strip_suffix("/.default") else {
            return Err(IdentityError::ScopeNotDefault(scope.to_owned()));
        };
        if resource.is_empty() {
            return Err(IdentityError::InvalidScope(scope.to_owned()));
        }
        let aud = resource_audience(resource, tenant)?;
        if audience.as_ref().is_some_and(|a| *a != aud) {
            return Err(IdentityError::InvalidScope(scope.to_owned()));
        }
        audience = Some(aud);
    }
    audience.ok_or_else(|| IdentityError::InvalidScope(scope.to_owned()))
}

/// Delegated Microsoft Graph permissions a password sign-in may ask for.
pub const GRAPH_DELEGATED_SCOPES: &[&str] = &[
    "OnlineMeetings.Read",
    "OnlineMeetings.ReadWrite",
    "OnlineMeetingArtifact.Read.All",
    "OnlineMeetingTranscript.Read.All",
    "OnlineMeetingRecording.Read.All",
    "Calendars.ReadWrite",
    "Calendars.Read",
    "User.Read",
    "User.ReadBasic.All",
    "User.Read.All",
];

/// What `{graph}/.default` grants a delegated sign-in: the permissions graphmeet's scenario uses.
const DEFAULT_DELEGATED_SCOPES: &[&str] = &["OnlineMeetings.ReadWrite", "User.Read"];

/// The delegated permission every first-party resource defines.
const FIRST_PARTY_DELEGATED_SCOPE: &str = "user_impersonation";

/// A delegated grant's scope, read.
#[derive(Debug, Clone, PartialEq, Eq)]
struct DelegatedScope {
    /// The access token's audience.
    audience: String,
    /// The permissions granted (`scp`), in their canonical spelling.
    granted: Vec<String>,
    /// `openid` was asked for: an ID token is issued.
    openid: bool,
    /// `profile` was asked for.
    profile: bool,
    /// `email` was asked for.
    email: bool,
    /// `offline_access` was asked for: a refresh token is issued.
    offline_access: bool,
}

impl DelegatedScope {
    /// The scope string a refresh token remembers, readable by [`check_delegated_scope`].
    fn requested_form(&self) -> String {
        let graph = graph_audience(&self.audience).is_some();
        let mut parts: Vec<String> = self
            .granted
            .iter()
            .map(|g| {
                if graph {
                    g.clone()
                } else {
                    format!("{}/{g}", self.audience)
                }
            })
            .collect();
        for (on, name) in [
            (self.openid, "openid"),
            (self.profile, "profile"),
            (self.email, "email"),
            (self.offline_access, "offline_access"),
        ] {
            if on {
                parts.push(name.to_owned());
            }
        }
        parts.join(" ")
    }

    /// The answer's `scope`: the permissions by their short names (Entra drops the resource
    /// from the scopes of v1 resources such as Graph), then `profile openid email` as the ROPC
    /// page's example shows for `user.read openid profile offline_access` (`offline_access` is
    /// not echoed; `email` comes with `openid`).
    fn response_scope(&self) -> String {
        let mut parts = self.granted.clone();
        if self.profile {
            parts.push("profile".to_owned());
        }
        if self.openid {
            parts.push("openid".to_owned());
        }
        if self.openid || self.email {
            parts.push("email".to_owned());
        }
        parts.join(" ")
    }
}

/// Checks a delegated scope list (`https://graph.microsoft.com/OnlineMeetings.ReadWrite`,
/// short names, `/.default`, a first-party resource's `user_impersonation`, plus the OpenID
/// scopes); returns the audience, the granted permission names and the OpenID scopes asked.
fn check_delegated_scope(scope: &str, tenant: &str) -> Result<DelegatedScope, IdentityError> {
    let mut out = DelegatedScope {
        audience: GRAPH_RESOURCE_URI.to_owned(),
        granted: Vec::new(),
        openid: false,
        profile: false,
        email: false,
        offline_access: false,
    };
    let mut audience: Option<String> = None;
    for s in scope.split_whitespace() {
        let flag = match s.to_ascii_lowercase().as_str() {
            "openid" => Some(&mut out.openid),
            "profile" => Some(&mut out.profile),
            "email" => Some(&mut out.email),
            "offline_access" => Some(&mut out.offline_access),
            _ => None,
        };
        if let Some(flag) = flag {
            *flag = true;
            continue;
        }
        let (aud, name) = match s.rsplit_once('/') {
            Some((resource, name)) => (resource_audience(resource, tenant)?, name),
            None => (GRAPH_RESOURCE_URI.to_owned(), s),
        };
        // One access token names one resource.
        if audience.as_ref().is_some_and(|a| *a != aud) {
            return Err(IdentityError::InvalidScope(scope.to_owned()));
        }
        let graph = graph_audience(&aud).is_some();
        let names: Vec<&str> = if name == ".default" {
            if graph {
                DEFAULT_DELEGATED_SCOPES.to_vec()
            } else {
                vec![FIRST_PARTY_DELEGATED_SCOPE]
            }
        } else if graph {
            vec![GRAPH_DELEGATED_SCOPES
                .iter()
                .find(|k| k.eq_ignore_ascii_case(name))
                .copied()
                .ok_or_else(|| IdentityError::InvalidScope(scope.to_owned()))?]
        } else if name.eq_ignore_ascii_case(FIRST_PARTY_DELEGATED_SCOPE) {
            vec![FIRST_PARTY_DELEGATED_SCOPE]
        } else {
            return Err(IdentityError::InvalidScope(scope.to_owned()));
        };
        audience = Some(aud);
        for n in names {
            if !out.granted.iter().any(|g| g == n) {
                out.granted.push(n.to_owned());
            }
        }
    }
    if out.granted.is_empty() {
        return Err(IdentityError::InvalidScope(scope.to_owned()));
    }
    if let Some(aud) = audience {
        out.audience = aud;
    }
    Ok(out)
}

/// Resolves a tenant path segment (GUID in any case, or a domain).
pub async fn resolve_tenant(
    store: &dyn Store,
    segment: &str,
) -> Result<Option<Tenant>, StoreError> {
    match Uuid::parse_str(segment) {
        Ok(id) => store.get_tenant(id).await,
        Err(_) => {
            store
                .find_tenant_by_domain(&segment.to_ascii_lowercase())
                .await
        }
    }
}

#[derive(Deserialize)]
struct AssertionHeader {
    alg: String,
    #[serde(default)]
    x5t: Option<String>,
    #[serde(default, rename = "x5t#S256")]
    x5t_s256: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
struct AssertionClaims {
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

fn decode_segment<T: serde::de::DeserializeOwned>(
    segment: &str,
    what: &str,
) -> Result<T, IdentityError> {
    let bytes = b64::url_decode_lenient(segment)
        .map_err(|e| IdentityError::MalformedAssertion(format!("{what} is not base64url: {e}")))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| IdentityError::MalformedAssertion(format!("{what} is not valid JSON: {e}")))
}

impl Identity {
    /// The identity platform over `store`, signing with `keys`, locking accounts that fail
    /// password sign-ins under `lockout` ([`LockoutPolicy::default`] is Entra's).
    pub fn new(
        store: Arc<dyn Store>,
        index: Arc<DirectoryIndex>,
        clock: Arc<dyn Clock>,
        keys: Arc<KeyRing>,
        lifetimes: TokenLifetimes,
        lockout: LockoutPolicy,
    ) -> Self {
        Self {
            store,
            index,
            clock,
            keys,
            lifetimes,
            passwords: crypto::PasswordVerifier::default(),
            lockout: SmartLockout::new(lockout),
        }
    }

    /// The smart lockout of password sign-ins.
    pub fn lockout(&self) -> &SmartLockout {
        &self.lockout
    }

    /// The signing keys.
    pub fn keys(&self) -> &Arc<KeyRing> {
        &self.keys
    }

    /// Handles `grant_type=client_credentials`.
    pub async fn client_credentials(
        &self,
        req: &ClientCredentialsRequest,
    ) -> Result<IssuedToken, IdentityError> {
        let tenant = self
            .index
            .resolve_tenant(&TenantRef::parse(&req.tenant))
            .ok_or_else(|| IdentityError::TenantNotFound(req.tenant.clone()))?;
        let client_id = req
            .client_id
            .as_deref()
            .filter(|c| !c.is_empty())
            .ok_or(IdentityError::MissingParameter("client_id"))?;
        let scope = req
            .scope
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .ok_or(IdentityError::MissingParameter("scope"))?;
        let audience = check_scope(scope, &req.tenant)?;
        let not_found = || IdentityError::AppNotFoundInDirectory {
            app_id: client_id.to_owned(),
            tenant: req.tenant.clone(),
        };
        let app_id = Uuid::parse_str(client_id).map_err(|_| not_found())?;
        let entry = self.index.app(app_id).ok_or_else(not_found)?;
        let app = &entry.app;
        let sp = match self.index.service_principal(tenant.id, app.app_id) {
            Some(sp) => sp,
            None if app.home_tenant_id == tenant.id => {
                return Err(IdentityError::MissingServicePrincipal {
                    app_id: app.app_id,
                    tenant_id: tenant.id,
                })
            }
            None => return Err(not_found()),
        };
        let appidacr =
            if let Some(assertion) = req.client_assertion.as_deref().filter(|a| !a.is_empty()) {
                self.check_assertion(req, &tenant, &entry, assertion)
                    .await?;
                "2"
            } else if let Some(secret) = req.client_secret.as_deref().filter(|s| !s.is_empty()) {
                self.check_secret(&entry, secret)?;
                "1"
            } else {
                return Err(IdentityError::ClientCredentialsWithoutCredential);
            };
        self.issue(&tenant, app, &sp, &audience, appidacr, req.cae)
            .await
    }

    /// Handles `grant_type=password` (resource-owner password credentials): a delegated Graph
    /// token for a user that has a password, with the delegated permissions asked for in `scp`.
    pub async fn password(&self, req: &PasswordRequest) -> Result<IssuedToken, IdentityError> {
        let tenant = self
            .index
            .resolve_tenant(&TenantRef::parse(&req.tenant))
            .ok_or_else(|| IdentityError::TenantNotFound(req.tenant.clone()))?;
        let client_id = req
            .client_id
            .as_deref()
            .filter(|c| !c.is_empty())
            .ok_or(IdentityError::MissingParameter("client_id"))?;
        let username = req
            .username
            .as_deref()
            .filter(|u| !u.is_empty())
            .ok_or(IdentityError::MissingParameter("username"))?;
        let password = req
            .password
            .as_deref()
            .filter(|p| !p.is_empty())
            .ok_or(IdentityError::MissingParameter("password"))?;
        let scope = req
            .scope
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .ok_or(IdentityError::MissingParameter("scope"))?;
        let delegated = check_delegated_scope(scope, &req.tenant)?;
        let not_found = || IdentityError::AppNotFoundInDirectory {
            app_id: client_id.to_owned(),
            tenant: req.tenant.clone(),
        };
        let app_id = Uuid::parse_str(client_id).map_err(|_| not_found())?;
        let entry = self.index.app(app_id).ok_or_else(not_found)?;
        let app = &entry.app;
        self.index
            .service_principal(tenant.id, app.app_id)
            .ok_or_else(not_found)?;
        // A secret sent is checked. Without one, only an app with "Allow public client flows"
        // on may sign a user in; Entra asks any other for its credential (AADSTS7000218).
        let appidacr = match req.client_secret.as_deref().filter(|s| !s.is_empty()) {
            Some(secret) => {
                self.check_secret(&entry, secret)?;
                "1"
            }
            None if app.allow_public_client => "0",
            None => return Err(IdentityError::MissingClientCredential),
        };
        let user = self
            .index
            .user_by_upn(username)
            .filter(|u| u.tenant_id == tenant.id)
            .ok_or_else(|| IdentityError::UserNotFound(req.tenant.clone()))?;
        // Smart lockout: one sign-in of the account at a time, from the check to the record, so
        // parallel guesses cannot all slip in before the lock. An unknown user (above) locks
        // nothing.
        let turn = self.lockout.turn(user.id).await;
        if let Some(until) = self
            .lockout
            .locked_until(tenant.id, user.id, self.clock.now())
        {
            return Err(IdentityError::AccountLocked {
                user: user.id,
                until,
            });
        }
        let password_ok = match user.password_hash.as_deref() {
            Some(phc) => self.passwords.matches(password, phc).await,
            None => false,
        };
        if !password_ok {
            let failure =
                self.lockout
                    .record_failure(tenant.id, user.id, password, self.clock.now());
            if let crate::lockout::Failure::Locked { until } = failure {
                tracing::warn!(tenant = %tenant.id, user = %user.id, %until, "too many failed password sign-ins: account locked");
            }
            return Err(IdentityError::InvalidUserCredentials);
        }
        self.lockout.record_success(tenant.id, user.id);
        drop(turn);
        // The right password of a disabled account still signs nobody in.
        if !user.account.enabled {
            return Err(IdentityError::UserDisabled(user.id));
        }
        let options = DelegatedOptions {
            cae: req.cae,
            client_info: req.client_info,
            nonce: req.nonce.clone(),
            issuer_base: req.issuer_base.clone(),
        };
        self.issue_delegated(&tenant, app, &user, appidacr, &delegated, &options)
            .await
    }

    /// Handles `grant_type=refresh_token`: redeems a refresh token this server issued for new
    /// delegated tokens (and a new refresh token), after authenticating the client as the
    /// password grant does.
    pub async fn refresh_token(
        &self,
        req: &RefreshTokenRequest,
    ) -> Result<IssuedToken, IdentityError> {
        let tenant = self
            .index
            .resolve_tenant(&TenantRef::parse(&req.tenant))
            .ok_or_else(|| IdentityError::TenantNotFound(req.tenant.clone()))?;
        let client_id = req
            .client_id
            .as_deref()
            .filter(|c| !c.is_empty())
            .ok_or(IdentityError::MissingParameter("client_id"))?;
        let token = req
            .refresh_token
            .as_deref()
            .filter(|t| !t.is_empty())
            .ok_or(IdentityError::MissingParameter("refresh_token"))?;
        let not_found = || IdentityError::AppNotFoundInDirectory {
            app_id: client_id.to_owned(),
            tenant: req.tenant.clone(),
        };
        let app_id = Uuid::parse_str(client_id).map_err(|_| not_found())?;
        let entry = self.index.app(app_id).ok_or_else(not_found)?;
        let app = &entry.app;
        self.index
            .service_principal(tenant.id, app.app_id)
            .ok_or_else(not_found)?;
        let appidacr = match req.client_secret.as_deref().filter(|s| !s.is_empty()) {
            Some(secret) => {
                self.check_secret(&entry, secret)?;
                "1"
            }
            None if app.allow_public_client => "0",
            None => return Err(IdentityError::MissingClientCredential),
        };
        let grant = self.open_refresh_token(token)?;
        if grant.cid != app.app_id {
            return Err(IdentityError::InvalidGrant("issued to another client"));
        }
        if grant.tid != tenant.id {
            return Err(IdentityError::InvalidGrant("issued in another tenant"));
        }
        let issued = DateTime::<Utc>::from_timestamp(grant.iat, 0).unwrap_or_default();
        if self.clock.now() - issued > Duration::days(REFRESH_TOKEN_INACTIVE_DAYS) {
            return Err(IdentityError::RefreshTokenExpired { issued });
        }
        let user = self
            .index
            .user(grant.uid)
            .filter(|u| u.tenant_id == tenant.id)
            .ok_or(IdentityError::InvalidGrant("the user no longer exists"))?;
        if password_fingerprint(user.password_hash.as_deref()) != grant.pwd {
            return Err(IdentityError::InvalidGrant("the password changed"));
        }
        if !user.account.enabled {
            return Err(IdentityError::UserDisabled(user.id));
        }
        let scope = req
            .scope
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or(&grant.scp);
        let delegated = check_delegated_scope(scope, &req.tenant)?;
        let options = DelegatedOptions {
            cae: req.cae,
            client_info: req.client_info,
            nonce: None,
            issuer_base: req.issuer_base.clone(),
        };
        self.issue_delegated(&tenant, app, &user, appidacr, &delegated, &options)
            .await
    }

    /// Opens a refresh token this server sealed.
    fn open_refresh_token(&self, token: &str) -> Result<RefreshGrant, IdentityError> {
        let sealed =
            b64::url_decode_lenient(token.trim()).map_err(|_| IdentityError::MalformedGrant)?;
        let plain = self
            .keys
            .sealer
            .open(&sealed, REFRESH_TOKEN_SEAL_NAME)
            .map_err(|_| IdentityError::MalformedGrant)?;
        serde_json::from_slice(&plain).map_err(|_| IdentityError::MalformedGrant)
    }

    /// The access token, and the ID token, refresh token and `client_info` asked for, of a
    /// delegated sign-in of `user` to `app`.
    async fn issue_delegated(
        &self,
        tenant: &Tenant,
        app: &App,
        user: &crate::model::User,
        appidacr: &str,
        scope: &DelegatedScope,
        options: &DelegatedOptions,
    ) -> Result<IssuedToken, IdentityError> {
        let now = self.clock.now().timestamp();
        let lifetime = if options.cae {
            self.lifetimes.cae
        } else {
            self.lifetimes.default
        };
        // Pairwise per (user, app), as Entra's `sub`: 43 base64url characters.
        let sub = b64::url_encode(crypto::sha256(
            format!("{}:{}", user.id, app.app_id).as_bytes(),
        ));
        let claims = AccessTokenClaims {
            aud: scope.audience.clone(),
            iss: format!("https://sts.windows.net/{}/", tenant.id),
            iat: now - BACKDATE_SECS,
            nbf: now - BACKDATE_SECS,
            exp: now + lifetime.num_seconds(),
            aio: opaque(48),
            app_displayname: app.display_name.clone(),
            appid: app.app_id.to_string(),
            appidacr: appidacr.to_owned(),
            idp: String::new(),
            idtyp: "user".to_owned(),
            oid: user.id.to_string(),
            rh: format!("0.{}.", opaque(40)),
            roles: Vec::new(),
            scp: Some(scope.granted.join(" ")),
            amr: vec!["pwd".to_owned()],
            name: Some(user.display_name.clone()),
            upn: Some(user.upn.clone()),
            unique_name: Some(user.upn.clone()),
            sub: sub.clone(),
            tid: tenant.id.to_string(),
            uti: opaque(16),
            ver: "1.0".to_owned(),
            wids: Vec::new(),
            xms_tcdt: tenant.created_at.timestamp(),
        };
        let mut issued = self.sign(claims, lifetime).await?;
        let id_token = if scope.openid {
            let key = self.keys.active().await?;
            let id_claims = IdTokenClaims {
                aud: app.app_id.to_string(),
                iss: format!(
                    "{}/{}/v2.0",
                    options.issuer_base.trim_end_matches('/'),
                    tenant.id
                ),
                iat: now - BACKDATE_SECS,
                nbf: now - BACKDATE_SECS,
                exp: now + ID_TOKEN_LIFETIME_SECS,
                name: scope.profile.then(|| user.display_name.clone()),
                nonce: options.nonce.clone(),
                oid: user.id.to_string(),
                preferred_username: scope.profile.then(|| user.upn.clone()),
                rh: format!("0.{}.", opaque(40)),
                sub,
                tid: tenant.id.to_string(),
                uti: opaque(16),
                ver: "2.0".to_owned(),
            };
            Some(key.sign_jwt(&id_claims)?)
        } else {
            None
        };
        let refresh_token = scope.offline_access.then(|| {
            let grant = RefreshGrant {
                cid: app.app_id,
                uid: user.id,
                tid: tenant.id,
                scp: scope.requested_form(),
                iat: now,
                pwd: password_fingerprint(user.password_hash.as_deref()),
            };
            let plain = serde_json::to_vec(&grant).unwrap_or_default();
            b64::url_encode(self.keys.sealer.seal(&plain, REFRESH_TOKEN_SEAL_NAME))
        });
        issued.delegated = Some(DelegatedExtras {
            scope: scope.response_scope(),
            refresh_token,
            id_token,
            client_info: options.client_info.then(|| {
                graphmeet_wire::token::client_info(&user.id.to_string(), &tenant.id.to_string())
            }),
        });
        Ok(issued)
    }

    fn check_secret(&self, entry: &AppEntry, secret: &str) -> Result<(), IdentityError> {
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

    async fn check_assertion(
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
    fn is_token_url_of(&self, aud: &str, base_url: &str, tenant: &Tenant) -> bool {
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

    async fn issue(
        &self,
        tenant: &Tenant,
        app: &App,
        sp: &ServicePrincipal,
        audience: &str,
        appidacr: &str,
        cae: bool,
    ) -> Result<IssuedToken, IdentityError> {
        let now = self.clock.now().timestamp();
        let lifetime = if cae {
            self.lifetimes.cae
        } else {
            self.lifetimes.default
        };
        let issuer = format!("https://sts.windows.net/{}/", tenant.id);
        let claims = AccessTokenClaims {
            aud: audience.to_owned(),
            iss: issuer.clone(),
            iat: now - BACKDATE_SECS,
            nbf: now - BACKDATE_SECS,
            exp: now + lifetime.num_seconds(),
            aio: opaque(48),
            app_displayname: app.display_name.clone(),
            appid: app.app_id.to_string(),
            appidacr: appidacr.to_owned(),
            idp: issuer,
            idtyp: "app".to_owned(),
            oid: sp.id.to_string(),
            rh: format!("0.{}.", opaque(40)),
            // The consented app roles are Microsoft Graph's; a first-party resource's token
            // carries none.
            roles: if audience == GRAPH_RESOURCE_URI || audience == GRAPH_APP_ID {
                sp.app_roles.clone()
            } else {
                Vec::new()
            },
            scp: None,
            amr: Vec::new(),
            name: None,
            upn: None,
            unique_name: None,
            sub: sp.id.to_string(),
            tid: tenant.id.to_string(),
            uti: opaque(16),
            ver: "1.0".to_owned(),
            wids: vec![APP_TOKEN_WIDS.to_owned()],
            xms_tcdt: tenant.created_at.timestamp(),
        };
        self.sign(claims, lifetime).await
    }

    async fn sign(
        &self,
        claims: AccessTokenClaims,
        lifetime: Duration,
    ) -> Result<IssuedToken, IdentityError> {
        let key = self.keys.active().await?;
        let access_token = key.sign_jwt(&claims)?;
        Ok(IssuedToken {
            access_token,
            expires_in: (lifetime.num_seconds() - 1).max(0) as u64,
            claims,
            delegated: None,
        })
    }
}

/// How long an ID token lives (Entra's: one hour; back-dated like access tokens).
const ID_TOKEN_LIFETIME_SECS: i64 = 3600;

/// The options of a delegated grant that shape its answer.
struct DelegatedOptions {
    cae: bool,
    client_info: bool,
    nonce: Option<String>,
    issuer_base: String,
}

/// A short fingerprint of a password hash (empty without one): a refresh token remembers it,
/// so that a password change ends the sign-ins made with the old password.
fn password_fingerprint(hash: Option<&str>) -> String {
    hash.map(|h| b64::url_encode(&crypto::sha256(h.as_bytes())[..12]))
        .unwrap_or_default()
}

/// Random bytes as base64url: the opaque `aio`, `rh` and `uti` values.
fn opaque(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    b64::url_encode(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_scopes_in_both_forms_are_accepted() {
        assert_eq!(
            check_scope("https://graph.microsoft.com/.default", "t")
                .ok()
                .as_deref(),
            Some(GRAPH_RESOURCE_URI)
        );
        assert_eq!(
            check_scope("00000003-0000-0000-c000-000000000000/.default", "t")
                .ok()
                .as_deref(),
            Some(GRAPH_APP_ID)
        );
        assert_eq!(
            check_scope("https://graph.microsoft.com//.default", "t")
                .ok()
                .as_deref(),
            Some(GRAPH_RESOURCE_URI)
        );
        // First-party resources keep the form asked for.
        assert_eq!(
            check_scope("https://management.core.windows.net//.default", "t")
                .ok()
                .as_deref(),
            Some("https://management.core.windows.net/")
        );
        assert!(matches!(
            check_scope(
                "https://management.azure.com/.default https://graph.microsoft.com/.default",
                "t"
            ),
            Err(IdentityError::InvalidScope(_))
        ));
    }

    #[test]
    fn scope_rules() {
        assert!(matches!(
            check_scope("https://graph.microsoft.com/User.Read", "t"),
            Err(IdentityError::ScopeNotDefault(_))
        ));
        assert!(matches!(
            check_scope("https://foo.example/.default", "t"),
            Err(IdentityError::ResourceNotFound { .. })
        ));
        assert!(matches!(
            check_scope("/.default", "t"),
            Err(IdentityError::InvalidScope(_))
        ));
        assert!(matches!(
            check_scope("https://graph.microsoft.com/.default 00000003-0000-0000-c000-000000000000/.default", "t"),
            Err(IdentityError::InvalidScope(_))
        ));
    }

    #[test]
    fn delegated_scopes_answer_short_names_and_the_openid_scopes() {
        let d = check_delegated_scope(
            "https://graph.microsoft.com/onlinemeetings.readwrite openid profile offline_access",
            "t",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.granted, ["OnlineMeetings.ReadWrite"]);
        assert!(d.openid && d.profile && d.offline_access && !d.email);
        assert_eq!(
            d.response_scope(),
            "OnlineMeetings.ReadWrite profile openid email"
        );
        let arm = check_delegated_scope("https://management.azure.com//.default openid", "t")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(arm.audience, "https://management.azure.com/");
        assert_eq!(arm.granted, ["user_impersonation"]);
        assert!(matches!(
            check_delegated_scope(
                "User.Read https://management.azure.com/user_impersonation",
                "t"
            ),
            Err(IdentityError::InvalidScope(_))
        ));
    }

    #[test]
    fn uti_is_22_characters() {
        assert_eq!(opaque(16).len(), 22);
    }
}
