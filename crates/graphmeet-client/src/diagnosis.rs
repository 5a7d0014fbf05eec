//! Failures of Graph and token calls, kept with everything support needs (status, code,
//! message, request ids, AADSTS codes), and the [`Diagnosis`] that turns the common ones into
//! the exact fix: the two PowerShell cmdlets for a missing application access policy, the
//! admin-consent URL for a missing role or an app not consented in a tenant, and so on.
//! Also the reading of Graph's error envelope into a [`GraphCallError`] with its diagnosis.

use std::fmt;

use reqwest::StatusCode;
use serde::Deserialize;

use crate::meetings::{Call, MeetingsClient};
use crate::ClientError;

/// What a failed call means, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Diagnosis {
    /// 403 `No application access policy found for this app`: no Teams application access
    /// policy lists this app for this user. A Teams admin runs [`Diagnosis::powershell`].
    MissingAccessPolicy {
        /// The app (client) id.
        app_id: String,
        /// The organizer's object id (or the path's user, as sent).
        user_id: String,
        /// The policy name used in the suggested cmdlets.
        policy_name: String,
    },
    /// 403 `Missing role permissions…`: the token lacks the application permission; an admin
    /// of the tenant grants it (admin consent) at `consent_url`.
    MissingRole {
        /// The roles the API requires, as Graph listed them (e.g. `OnlineMeetings.ReadWrite.All`).
        required: String,
        /// `{authority}/{tenant}/adminconsent?client_id={appId}`.
        consent_url: String,
    },
    /// A UPN (or anything but an object id) in `/users/{id}/onlineMeetings`: Graph answers 404.
    UpnInPath {
        /// The path segment that was sent.
        user: String,
    },
    /// `GET /users/{upn}` found no such user in the tenant.
    UnknownUser {
        /// The UPN or id that was looked up.
        user: String,
        /// The tenant it was looked up in.
        tenant: String,
    },
    /// 403 `Forbidden` with no message on a meetings call: Graph's answer when the organizer
    /// cannot have Teams meetings (no Teams licence, a guest, a disabled account).
    OrganizerNotEnabled {
        /// The organizer, as the path named them.
        user: String,
        /// What a graphmeet server says is missing (its `x-graphmeet-policy-decision`
        /// header); Microsoft Graph gives no reason.
        reason: Option<String>,
    },
    /// 403 `3003: User does not have access to lookup meeting`: the meeting belongs to another
    /// organizer than the user in the path.
    NotOrganizer,
    /// AADSTS7000215: the client secret is wrong.
    WrongClientSecret,
    /// AADSTS7000222: the client secret has expired.
    ExpiredClientSecret,
    /// AADSTS700016: the app has no service principal in the tenant (not consented there).
    AppNotInTenant {
        /// The tenant the token was requested for.
        tenant: String,
        /// `{authority}/{tenant}/adminconsent?client_id={appId}`.
        consent_url: String,
    },
    /// AADSTS90002: no such tenant in this cloud.
    TenantNotFound {
        /// The tenant id or domain that was sent.
        tenant: String,
    },
    /// AADSTS700027: the certificate that signed the client assertion is not registered on
    /// the app.
    CertificateNotRegistered {
        /// The certificate's SHA-1 thumbprint (hex, upper case), as the portal shows it.
        thumbprint: String,
    },
}

impl Diagnosis {
    /// For [`Diagnosis::MissingAccessPolicy`], the two Teams PowerShell lines to run
    /// (`New-CsApplicationAccessPolicy`, then `Grant-CsApplicationAccessPolicy`).
    pub fn powershell(&self) -> Option<[String; 2]> {
        match self {
            Diagnosis::MissingAccessPolicy {
                app_id,
                user_id,
                policy_name,
            } => Some([
                format!(
                    "New-CsApplicationAccessPolicy -Identity \"{policy_name}\" -AppIds \"{app_id}\" -Description \"Lets app {app_id} create online meetings for the users it is granted to\""
                ),
                format!(
                    "Grant-CsApplicationAccessPolicy -PolicyName \"{policy_name}\" -Identity \"{user_id}\""
                ),
            ]),
            _ => None,
        }
    }

    /// The admin-consent URL, for the diagnoses an admin fixes by consenting.
    pub fn consent_url(&self) -> Option<&str> {
        match self {
            Diagnosis::MissingRole { consent_url, .. }
            | Diagnosis::AppNotInTenant { consent_url, .. } => Some(consent_url),
            _ => None,
        }
    }
}

impl fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Diagnosis::MissingAccessPolicy {
                app_id, user_id, ..
            } => {
                writeln!(
                    f,
                    "no Teams application access policy lets app {app_id} act for user {user_id}. A Teams administrator runs (MicrosoftTeams PowerShell):"
                )?;
                for line in self.powershell().unwrap_or_default() {
                    writeln!(f, "  {line}")?;
                }
                write!(
                    f,
                    "(or grant it to a group, or with -Global to every user). Policy changes can take up to 30 minutes to take effect."
                )
            }
            Diagnosis::MissingRole {
                required,
                consent_url,
            } => write!(
                f,
                "the app lacks the application permission ({required}): add it to the app registration and have an administrator of the tenant grant admin consent at {consent_url}"
            ),
            Diagnosis::UpnInPath { user } => write!(
                f,
                "'{user}' is not an object id: the online meetings API needs the user's object id, not the UPN; use the user's object id (resolve the UPN with GET /users/{{upn}}, which needs User.Read.All)"
            ),
            Diagnosis::UnknownUser { user, tenant } => write!(
                f,
                "there is no user '{user}' in tenant {tenant}: check the UPN, or use the user's object id"
            ),
            Diagnosis::OrganizerNotEnabled { user, reason } => {
                match reason {
                    Some(reason) => write!(f, "the organizer cannot have Teams meetings ({reason})")?,
                    None => write!(
                        f,
                        "Graph refused the organizer {user} without a reason: the usual causes are an account without a Microsoft Teams licence, a guest account, or a disabled account"
                    )?,
                }
                write!(
                    f,
                    ". Check with Microsoft Graph PowerShell: Get-MgUser -UserId {user} -Property accountEnabled,userType,assignedLicenses; then assign a licence that includes Teams, enable the account, or use a member of the tenant as the organizer"
                )
            }
            Diagnosis::NotOrganizer => write!(
                f,
                "the meeting's organizer is not the user in the request: use the organizer's object id (and check that the access policy is granted to that user)"
            ),
            Diagnosis::WrongClientSecret => write!(
                f,
                "the client secret is wrong (use the secret's Value, not its ID)"
            ),
            Diagnosis::ExpiredClientSecret => write!(
                f,
                "the client secret has expired: create a new one (Certificates & secrets in the app registration) and use its Value"
            ),
            Diagnosis::AppNotInTenant {
                tenant,
                consent_url,
            } => write!(
                f,
                "the app is not consented in tenant {tenant} (it has no service principal there): an administrator of that tenant grants admin consent at {consent_url}; or the tenant id is wrong"
            ),
            Diagnosis::TenantNotFound { tenant } => write!(
                f,
                "tenant '{tenant}' does not exist in this cloud: check the tenant id or domain, and the authority host"
            ),
            Diagnosis::CertificateNotRegistered { thumbprint } => write!(
                f,
                "the certificate (thumbprint {thumbprint}) is not registered on the app: upload its public certificate to the app registration, or use the certificate that is"
            ),
        }
    }
}

/// A Graph call that failed with an error status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphCallError {
    /// The HTTP status.
    pub status: u16,
    /// `error.code` (e.g. `Forbidden`; empty for OData query errors).
    pub code: String,
    /// `error.message`.
    pub message: String,
    /// `error.innerError.code`, when present (e.g. `3003`).
    pub inner_code: Option<String>,
    /// The `request-id` response header (or `innerError.request-id`).
    pub request_id: Option<String>,
    /// The `client-request-id` this client sent.
    pub client_request_id: String,
    /// `innerError.date`, as sent.
    pub date: Option<String>,
    /// The `Retry-After` seconds, when the response carried one.
    pub retry_after_secs: Option<u64>,
    /// The HTTP method.
    pub method: String,
    /// The request path (without the query).
    pub path: String,
    /// How many attempts were made.
    pub attempts: u32,
    /// What the failure means and how to fix it, when recognised.
    pub diagnosis: Option<Diagnosis>,
}

impl fmt::Display for GraphCallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = if self.code.is_empty() {
            String::new()
        } else {
            format!(" {}", self.code)
        };
        write!(
            f,
            "Graph {} {} failed: HTTP {}{code}: {} (request-id {}, client-request-id {}",
            self.method,
            self.path,
            self.status,
            self.message,
            self.request_id.as_deref().unwrap_or("none"),
            self.client_request_id
        )?;
        if self.attempts > 1 {
            write!(f, ", after {} attempts", self.attempts)?;
        }
        write!(f, ")")?;
        if let Some(diagnosis) = &self.diagnosis {
            write!(f, "\nfix: {diagnosis}")?;
        }
        Ok(())
    }
}

/// The token endpoint refused to issue a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequestError {
    /// The HTTP status.
    pub status: u16,
    /// The OAuth `error` (e.g. `invalid_client`).
    pub error: String,
    /// The first AADSTS code (e.g. `7000215`), when known.
    pub code: Option<u32>,
    /// `error_description` (starts `AADSTSnnnn: `).
    pub description: String,
    /// `correlation_id`.
    pub correlation_id: Option<String>,
    /// `trace_id`.
    pub trace_id: Option<String>,
    /// `timestamp`.
    pub timestamp: Option<String>,
    /// The tenant the token was requested for.
    pub tenant: String,
    /// What the failure means and how to fix it, when recognised.
    pub diagnosis: Option<Diagnosis>,
}

impl fmt::Display for TokenRequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "token request for tenant {} failed: HTTP {} {}: {}",
            self.tenant, self.status, self.error, self.description
        )?;
        if let Some(id) = &self.correlation_id {
            if !self.description.contains(id.as_str()) {
                write!(f, " (correlation id {id})")?;
            }
        }
        if let Some(diagnosis) = &self.diagnosis {
            write!(f, "\nfix: {diagnosis}")?;
        }
        Ok(())
    }
}

/// What the client knows about a call, to diagnose its failure.
pub(crate) struct CallContext<'a> {
    /// The authority host (for consent URLs).
    pub authority_host: &'a str,
    /// The tenant the call was made in.
    pub tenant: &'a str,
    /// The app (client) id.
    pub app_id: &'a str,
    /// The user segment of the path, as sent.
    pub path_user: Option<&'a str>,
    /// Whether the call was `GET /users/{id | upn}` (rather than a meetings call).
    pub user_lookup: bool,
    /// A graphmeet server's reason for a denial (`x-graphmeet-policy-decision`).
    pub server_reason: Option<&'a str>,
}

/// The policy name suggested in the cmdlets.
fn policy_name(app_id: &str) -> String {
    let short: String = app_id.chars().take(8).collect();
    format!("MeetingsApp-{short}")
}

/// `{authority}/{tenant}/adminconsent?client_id={appId}`.
pub(crate) fn admin_consent_url(authority_host: &str, tenant: &str, app_id: &str) -> String {
    format!(
        "{}/{}/adminconsent?client_id={}",
        authority_host.trim_end_matches('/'),
        tenant,
        app_id
    )
}

fn is_object_id(text: &str) -> bool {
    uuid::Uuid::parse_str(text).is_ok()
}

/// Diagnoses a Graph error from its status, code and message and the call's context.
pub(crate) fn diagnose_graph(
    status: u16,
    message: &str,
    inner_code: Option<&str>,
    ctx: &CallContext<'_>,
) -> Option<Diagnosis> {
    let lower = message.to_ascii_lowercase();
    match status {
        403 if lower.starts_with("no application access policy found for this app")
            || (lower.starts_with("app ") && lower.contains("is not authorized to")) =>
        {
            Some(Diagnosis::MissingAccessPolicy {
                app_id: ctx.app_id.to_owned(),
                user_id: ctx.path_user.unwrap_or("<user object id>").to_owned(),
                policy_name: policy_name(ctx.app_id),
            })
        }
        403 if lower.starts_with("missing role permissions") => {
            let required = message
                .split_once("requires one of '")
                .and_then(|(_, rest)| rest.split_once('\''))
                .map(|(roles, _)| roles.to_owned())
                .unwrap_or_else(|| "the required role".to_owned());
            Some(Diagnosis::MissingRole {
                required,
                consent_url: admin_consent_url(ctx.authority_host, ctx.tenant, ctx.app_id),
            })
        }
        403 if lower.starts_with("3003") || inner_code == Some("3003") => {
            Some(Diagnosis::NotOrganizer)
        }
        403 if message.is_empty() && !ctx.user_lookup => {
            ctx.path_user.map(|user| Diagnosis::OrganizerNotEnabled {
                user: user.to_owned(),
                reason: ctx
                    .server_reason
                    .map(|r| r.strip_prefix("denied: ").unwrap_or(r).to_owned()),
            })
        }
        404 => match ctx.path_user {
            Some(user) if ctx.user_lookup => Some(Diagnosis::UnknownUser {
                user: user.to_owned(),
                tenant: ctx.tenant.to_owned(),
            }),
            Some(user) if !is_object_id(user) => Some(Diagnosis::UpnInPath {
                user: user.to_owned(),
            }),
            _ => None,
        },
        _ => None,
    }
}

/// Diagnoses a token-endpoint error from its AADSTS code.
pub(crate) fn diagnose_token(
    code: Option<u32>,
    authority_host: &str,
    tenant: &str,
    app_id: &str,
    certificate_thumbprint: Option<&str>,
) -> Option<Diagnosis> {
    match code? {
        7000215 => Some(Diagnosis::WrongClientSecret),
        7000222 => Some(Diagnosis::ExpiredClientSecret),
        700016 => Some(Diagnosis::AppNotInTenant {
            tenant: tenant.to_owned(),
            consent_url: admin_consent_url(authority_host, tenant, app_id),
        }),
        90002 => Some(Diagnosis::TenantNotFound {
            tenant: tenant.to_owned(),
        }),
        700027 => certificate_thumbprint.map(|t| Diagnosis::CertificateNotRegistered {
            thumbprint: t.to_owned(),
        }),
        _ => None,
    }
}

/// The AADSTS code at the start of an `error_description` (`AADSTS7000215: …`).
pub(crate) fn aadsts_code(description: &str) -> Option<u32> {
    let rest = description.trim_start().strip_prefix("AADSTS")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The parts of Graph's error envelope the client reads.
#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ErrorBody,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default, rename = "innerError", alias = "innererror")]
    inner_error: Option<InnerError>,
}

#[derive(Deserialize)]
struct InnerError {
    code: Option<String>,
    date: Option<String>,
    #[serde(rename = "request-id")]
    request_id: Option<String>,
}

impl MeetingsClient {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn graph_error(
        &self,
        call: &Call<'_>,
        status: StatusCode,
        bytes: &[u8],
        (request_id, server_reason): (Option<String>, Option<String>),
        client_request_id: String,
        retry_after: Option<u64>,
        attempts: u32,
    ) -> ClientError {
        let (code, message, inner_code, date, body_request_id) =
            match serde_json::from_slice::<ErrorEnvelope>(bytes) {
                Ok(envelope) => {
                    let inner = envelope.error.inner_error;
                    (
                        envelope.error.code,
                        envelope.error.message,
                        inner.as_ref().and_then(|i| i.code.clone()),
                        inner.as_ref().and_then(|i| i.date.clone()),
                        inner.and_then(|i| i.request_id),
                    )
                }
                Err(_) => (
                    format!("http{}", status.as_u16()),
                    String::from_utf8_lossy(bytes).chars().take(300).collect(),
                    None,
                    None,
                    None,
                ),
            };
        let config = &self.inner.config;
        let diagnosis = diagnose_graph(
            status.as_u16(),
            &message,
            inner_code.as_deref(),
            &CallContext {
                authority_host: config.cloud.authority_host(),
                tenant: call.tenant,
                app_id: &config.client_id,
                path_user: call.path_user,
                user_lookup: call.user_lookup,
                server_reason: server_reason.as_deref(),
            },
        );
        tracing::warn!(
            method = %call.method,
            path = call.url.path(),
            tenant = %call.tenant,
            status = status.as_u16(),
            %code,
            %client_request_id,
            request_id = request_id.as_deref().or(body_request_id.as_deref()).unwrap_or(""),
            attempts,
            "graph call failed"
        );
        ClientError::Graph(Box::new(GraphCallError {
            status: status.as_u16(),
            code,
            message,
            inner_code,
            request_id: request_id.or(body_request_id),
            client_request_id,
            date,
            retry_after_secs: retry_after,
            method: call.method.to_string(),
            path: call.url.path().to_owned(),
            attempts,
            diagnosis,
        }))
    }
}

#[cfg(test)]
mod tests;
