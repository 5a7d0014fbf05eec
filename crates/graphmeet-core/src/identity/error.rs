//! Why a token request was refused, in domain terms ([`IdentityError`]); the server renders
//! each as an AADSTS error.

use crate::store::StoreError;
use chrono::{DateTime, Utc};
use uuid::Uuid;

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
