//! Who calls, as the verified token says ([`Caller`]), why a call had no usable token
//! ([`UnauthenticatedReason`]), and the user a path names ([`PathUser`]).

use crate::identity::AccessTokenClaims;
use crate::model::UserRef;
use std::sync::Arc;
use uuid::Uuid;

/// Why a call was refused before its token could be verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnauthenticatedReason {
    /// No token.
    MissingToken,
    /// Not a JWT, or not a bearer token.
    MalformedToken,
    /// Expired.
    ExpiredToken,
    /// A bad signature, audience, issuer or claim.
    InvalidToken,
}

impl UnauthenticatedReason {
    /// A short name for the audit log.
    pub fn name(self) -> &'static str {
        match self {
            Self::MissingToken => "missing token",
            Self::MalformedToken => "malformed token",
            Self::ExpiredToken => "expired token",
            Self::InvalidToken => "invalid token",
        }
    }
}

/// Who is calling, from a verified token.
#[derive(Debug, Clone)]
pub enum Caller {
    /// An app-only token.
    App {
        /// The token's claims.
        claims: Arc<AccessTokenClaims>,
        /// The client id.
        app_id: Uuid,
        /// The token's tenant.
        tenant_id: Uuid,
    },
    /// A delegated token.
    User {
        /// The token's claims.
        claims: Arc<AccessTokenClaims>,
        /// The signed-in user.
        user_id: Uuid,
        /// The client id.
        app_id: Uuid,
        /// The token's tenant.
        tenant_id: Uuid,
    },
}

impl Caller {
    /// The caller of verified claims; `None` when an id claim is not a GUID.
    pub fn from_claims(claims: Arc<AccessTokenClaims>) -> Option<Self> {
        let tenant_id = Uuid::parse_str(&claims.tid).ok()?;
        let app_id = Uuid::parse_str(&claims.appid).ok()?;
        if claims.idtyp == "app" {
            Some(Self::App {
                claims,
                app_id,
                tenant_id,
            })
        } else {
            let user_id = Uuid::parse_str(&claims.oid).ok()?;
            Some(Self::User {
                claims,
                user_id,
                app_id,
                tenant_id,
            })
        }
    }

    /// The token's tenant.
    pub fn tenant_id(&self) -> Uuid {
        match self {
            Self::App { tenant_id, .. } | Self::User { tenant_id, .. } => *tenant_id,
        }
    }

    /// The calling app.
    pub fn app_id(&self) -> Uuid {
        match self {
            Self::App { app_id, .. } | Self::User { app_id, .. } => *app_id,
        }
    }
}

/// The user a route names: `/me` or `/users/{id | upn}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathUser {
    /// `/me`.
    Me,
    /// `/users/{segment}`, percent-decoded and parsed.
    User {
        /// The user the segment names.
        reference: UserRef,
        /// The segment as written, for error messages.
        segment: String,
    },
}

impl PathUser {
    /// `/users/{segment}`.
    pub fn segment(segment: &str) -> Self {
        Self::User {
            reference: UserRef::parse(segment),
            segment: segment.to_owned(),
        }
    }

    /// How the path wrote the user, for error messages.
    pub fn shown(&self) -> String {
        match self {
            Self::Me => "me".to_owned(),
            Self::User { segment, .. } => segment.clone(),
        }
    }
}
