//! The grants' requests and what they issue: the access token's, ID token's and sealed refresh
//! token's claims.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

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
pub(super) struct RefreshGrant {
    /// The client id it was issued to.
    pub(super) cid: Uuid,
    /// The user.
    pub(super) uid: Uuid,
    /// The tenant.
    pub(super) tid: Uuid,
    /// The scope string first granted.
    pub(super) scp: String,
    /// When this token was issued, Unix seconds (inactivity counts from here).
    pub(super) iat: i64,
    /// Fingerprint of the user's password hash when the user signed in.
    pub(super) pwd: String,
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
