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
//! This file owns the [`Identity`] service itself, token lifetimes and signing; the rest is split
//! by concern: `error` (why a request is refused), `tokens` (the grants' requests and the
//! tokens' claims), `keys` (the signing key ring), `scope` (scopes and audiences), `assertion`
//! (client authentication by secret or certificate), `app_only` (the client-credentials flow),
//! `delegated` (the password and refresh-token flows).
//!
//! Facts copied: <https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow>,
//! <https://learn.microsoft.com/entra/identity-platform/certificate-credentials>,
//! <https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference>.

mod app_only;
mod assertion;
mod delegated;
mod error;
mod keys;
mod scope;
mod tokens;

use crate::clock::Clock;
use crate::crypto;
use crate::index::DirectoryIndex;
use crate::lockout::{LockoutPolicy, SmartLockout};
use crate::model::{Tenant, TenantRef};
use crate::store::{Store, StoreError};
use chrono::Duration;
use graphmeet_wire::b64;
use std::sync::Arc;
use uuid::Uuid;

pub use error::{IdentityError, SignatureFailure};
pub use keys::{KeyRing, LoadedKey};
pub use scope::GRAPH_DELEGATED_SCOPES;
pub use tokens::{
    AccessTokenClaims, ClientCredentialsRequest, DelegatedExtras, IdTokenClaims, IssuedToken,
    PasswordRequest, RefreshTokenRequest,
};

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

    /// The tenant a token request's path names (id or domain), as every grant resolves it first.
    fn tenant(&self, segment: &str) -> Result<Arc<Tenant>, IdentityError> {
        self.index
            .resolve_tenant(&TenantRef::parse(segment))
            .ok_or_else(|| IdentityError::TenantNotFound(segment.to_owned()))
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

/// Random bytes as base64url: the opaque `aio`, `rh` and `uti` values.
/// A request parameter every grant needs, present and not empty.
fn required<'a>(value: Option<&'a str>, name: &'static str) -> Result<&'a str, IdentityError> {
    value
        .filter(|v| !v.is_empty())
        .ok_or(IdentityError::MissingParameter(name))
}

/// The refusal of a `client_id` that names no app with a service principal in `tenant`.
fn app_not_found(client_id: &str, tenant: &str) -> IdentityError {
    IdentityError::AppNotFoundInDirectory {
        app_id: client_id.to_owned(),
        tenant: tenant.to_owned(),
    }
}

fn opaque(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    b64::url_encode(buf)
}

#[cfg(test)]
mod tests;
