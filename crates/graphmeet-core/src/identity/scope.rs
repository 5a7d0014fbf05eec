//! Scopes and audiences: what a `/.default` or delegated scope names, and the `aud` of the token
//! it gets.

use super::error::IdentityError;

use graphmeet_wire::resources::first_party_audience;
use graphmeet_wire::{GRAPH_APP_ID, GRAPH_RESOURCE_URI};

/// The resource a `/.default` scope names, in the form the token's `aud` will carry.
pub(super) fn graph_audience(resource: &str) -> Option<&'static str> {
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
pub(super) fn resource_audience(resource: &str, tenant: &str) -> Result<String, IdentityError> {
    graph_audience(resource)
        .map(str::to_owned)
        .or_else(|| first_party_audience(resource).map(|(_, aud)| aud))
        .ok_or_else(|| IdentityError::ResourceNotFound {
            resource: resource.to_owned(),
            tenant: tenant.to_owned(),
        })
}

/// Checks a client-credentials scope; returns the audience for the token.
pub(super) fn check_scope(scope: &str, tenant: &str) -> Result<String, IdentityError> {
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
pub(super) const DEFAULT_DELEGATED_SCOPES: &[&str] = &["OnlineMeetings.ReadWrite", "User.Read"];

/// The delegated permission every first-party resource defines.
pub(super) const FIRST_PARTY_DELEGATED_SCOPE: &str = "user_impersonation";

/// A delegated grant's scope, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DelegatedScope {
    /// The access token's audience.
    pub(super) audience: String,
    /// The permissions granted (`scp`), in their canonical spelling.
    pub(super) granted: Vec<String>,
    /// `openid` was asked for: an ID token is issued.
    pub(super) openid: bool,
    /// `profile` was asked for.
    pub(super) profile: bool,
    /// `email` was asked for.
    pub(super) email: bool,
    /// `offline_access` was asked for: a refresh token is issued.
    pub(super) offline_access: bool,
}

impl DelegatedScope {
    /// The scope string a refresh token remembers, readable by [`check_delegated_scope`].
    pub(super) fn requested_form(&self) -> String {
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
    pub(super) fn response_scope(&self) -> String {
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
pub(super) fn check_delegated_scope(
    scope: &str,
    tenant: &str,
) -> Result<DelegatedScope, IdentityError> {
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
