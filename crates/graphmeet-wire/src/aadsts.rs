//! The token endpoint's error body: `AADSTS<code>: …` with Entra's exact texts and statuses.
//!
//! Facts: <https://learn.microsoft.com/entra/identity-platform/reference-error-codes> and the
//! bodies recorded in real traffic (see `docs/fidelity.md`). Each constructor names the
//! condition; the text, the OAuth `error` and the HTTP status are the real service's.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One AADSTS error: the numeric code, the OAuth `error`, the HTTP status and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AadstsError {
    /// The AADSTS number, e.g. 7000215.
    pub code: u32,
    /// The OAuth 2.0 `error` value, e.g. `invalid_client`.
    pub error: &'static str,
    /// The HTTP status Entra answers with.
    pub status: u16,
    /// The message after `AADSTS<code>: `.
    pub message: String,
}

impl std::fmt::Display for AadstsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AADSTS{}: {}", self.code, self.message)
    }
}

impl std::error::Error for AadstsError {}

impl AadstsError {
    fn new(code: u32, error: &'static str, status: u16, message: String) -> Self {
        Self {
            code,
            error,
            status,
            message,
        }
    }

    /// AADSTS7000215: the secret does not match any secret of the app.
    pub fn invalid_client_secret(app_id: &str) -> Self {
        Self::new(7000215, "invalid_client", 401, format!(
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{app_id}'."
        ))
    }

    /// AADSTS7000222: the secret matches, but it has expired.
    pub fn expired_client_secret(app_id: &str) -> Self {
        Self::new(7000222, "invalid_client", 401, format!(
            "The provided client secret keys for app '{app_id}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds."
        ))
    }

    /// AADSTS7000218: neither a secret nor an assertion was sent.
    pub fn missing_client_credential() -> Self {
        Self::new(7000218, "invalid_client", 401,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.".to_owned())
    }

    /// AADSTS7000216: a `client_credentials` request with neither a secret, an assertion nor a
    /// signed `request` [obs: the text as Entra sends it for this grant,
    /// MicrosoftDocs/azure-docs#30777 and microsoftgraph/microsoft-graph-docs-contrib#6430;
    /// `invalid_client` and 401 as for AADSTS7000218, RFC 6749 §5.2 "no client authentication
    /// included" (inf)]. AADSTS7000218 stays the answer of the other grants.
    pub fn client_credentials_require_credential() -> Self {
        Self::new(7000216, "invalid_client", 401,
            "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.".to_owned())
    }

    /// AADSTS700016: the app has no service principal in the tenant (not consented there).
    pub fn app_not_found_in_directory(app_id: &str, tenant: &str) -> Self {
        Self::new(700016, "unauthorized_client", 400, format!(
            "Application with identifier '{app_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
        ))
    }

    /// AADSTS7000229: the app's own tenant has no service principal for it.
    pub fn missing_service_principal(app_id: &str, tenant_id: &str) -> Self {
        Self::new(7000229, "invalid_client", 400, format!(
            "The client application {app_id} is missing service principal in the tenant {tenant_id}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119"
        ))
    }

    /// AADSTS90002: no tenant with that id or domain.
    pub fn tenant_not_found(tenant: &str) -> Self {
        Self::new(90002, "invalid_request", 400, format!(
            "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
        ))
    }

    /// AADSTS70011: the scope is not a valid scope value at all.
    pub fn invalid_scope(scope: &str) -> Self {
        Self::new(70011, "invalid_scope", 400, format!(
            "The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."
        ))
    }

    /// AADSTS1002012: client credentials need `{resource}/.default`.
    pub fn scope_not_default(scope: &str) -> Self {
        Self::new(1002012, "invalid_scope", 400, format!(
            "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
        ))
    }

    /// AADSTS500011: the `/.default` scope names a resource that is not in the tenant.
    pub fn resource_not_found(resource: &str, tenant: &str) -> Self {
        Self::new(500011, "invalid_resource", 400, format!(
            "The resource principal named {resource} was not found in the tenant named {tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant."
        ))
    }

    /// AADSTS700027: the assertion's key is not registered on the app, or its signature is bad.
    /// `reason` is Entra's bracketed reason, e.g. `The key was not found.`
    pub fn assertion_invalid_signature(app_id: &str, thumbprint: &str, reason: &str) -> Self {
        Self::new(700027, "invalid_client", 401, format!(
            "Client assertion contains an invalid signature. [Reason - {reason}, Thumbprint of key used by client: '{thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{app_id}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the corresponding service endpoint and https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http to build a query request URL, such as 'https://graph.microsoft.com/beta/applications/{app_id}']"
        ))
    }

    /// AADSTS700024: the assertion is expired or not yet valid.
    pub fn assertion_time_range(now: i64, nbf: Option<i64>, exp: i64) -> Self {
        let fmt = |t: i64| {
            DateTime::<Utc>::from_timestamp(t, 0)
                .map(|d| d.format("%m/%d/%Y %H:%M:%S").to_string())
                .unwrap_or_default()
        };
        let from = nbf.map(fmt).unwrap_or_else(|| "(not set)".to_owned());
        Self::new(700024, "invalid_client", 401, format!(
            "Client assertion is not within its valid time range. Current time: {}, assertion valid from {}, expiry time of assertion {}. Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .",
            fmt(now), from, fmt(exp)
        ))
    }

    /// AADSTS700023: the assertion's `aud` is not this tenant's token endpoint.
    pub fn assertion_audience_mismatch() -> Self {
        Self::new(700023, "invalid_client", 401,
            "Client assertion audience claim does not match Realm issuer. Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .".to_owned())
    }

    /// AADSTS700021: the assertion's `iss`/`sub` is not the `client_id` of the request.
    pub fn assertion_client_mismatch() -> Self {
        Self::new(700021, "invalid_client", 401,
            "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .".to_owned())
    }

    /// AADSTS70002: the assertion's `jti` was already redeemed within its lifetime.
    pub fn assertion_replayed(jti: &str) -> Self {
        Self::new(70002, "invalid_client", 401, format!(
            "Error validating credentials. The client assertion with identifier '{jti}' has already been used."
        ))
    }

    /// AADSTS50027: the assertion is not a JWT we can read.
    pub fn malformed_jwt(detail: &str) -> Self {
        Self::new(
            50027,
            "invalid_request",
            400,
            format!("JWT token is invalid or malformed. {detail}"),
        )
    }

    /// AADSTS700026: the assertion carries neither `x5t` nor `x5t#S256`.
    pub fn assertion_missing_thumbprint() -> Self {
        Self::new(700026, "invalid_client", 401,
            "Client assertion failed signature validation because it does not contain a key identifier. Include 'x5t' or 'x5t#S256' in the assertion header.".to_owned())
    }

    /// AADSTS50012: an `alg` outside RS256/PS256.
    pub fn assertion_unsupported_algorithm(alg: &str) -> Self {
        Self::new(50012, "invalid_client", 401, format!(
            "The client assertion is signed with an unsupported algorithm '{alg}'. Use PS256 or RS256."
        ))
    }

    /// AADSTS700030-style: `client_assertion_type` is not the JWT bearer type.
    pub fn invalid_assertion_type(value: &str) -> Self {
        Self::new(70002, "invalid_client", 401, format!(
            "Error validating credentials. The client_assertion_type '{value}' is not supported; use 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'."
        ))
    }

    /// AADSTS900144: a required parameter is missing.
    pub fn missing_parameter(name: &str) -> Self {
        Self::new(
            900144,
            "invalid_request",
            400,
            format!("The request body must contain the following parameter: '{name}'."),
        )
    }

    /// AADSTS9000411: a parameter appears more than once in the request [obs: the text, with
    /// `invalid_request`, seen from the v2 token endpoint for a repeated `scope`,
    /// MicrosoftDocs/azure-dev-docs#934; and from the authorize endpoint for `prompt` and
    /// `login_hint`]. RFC 6749 §3.2: "Request and response parameters MUST NOT be included more
    /// than once."
    pub fn duplicated_parameter(name: &str) -> Self {
        Self::new(
            9000411,
            "invalid_request",
            400,
            format!("The request is not properly formatted. The parameter '{name}' is duplicated."),
        )
    }

    /// AADSTS9002324: more than one of `client_secret`, `client_assertion` and `request` in the
    /// body [obs: the text, AzureAD/microsoft-identity-web#3470 (2025); `invalid_request` and
    /// 400 are RFC 6749 §5.2's for "utilizes more than one mechanism for authenticating the
    /// client" (inf)].
    pub fn multiple_client_credentials() -> Self {
        Self::new(
            9002324,
            "invalid_request",
            400,
            "Request should not contain more than one client credential parameters, this includes 'client_secret', 'client_assertion' and 'request' parameters.".to_owned(),
        )
    }

    /// AADSTS70003: a grant type this endpoint does not support.
    pub fn unsupported_grant_type(grant_type: &str) -> Self {
        Self::new(
            70003,
            "unsupported_grant_type",
            400,
            format!("The app requested an unsupported grant type '{grant_type}'."),
        )
    }

    /// AADSTS901002: the v1 `resource` parameter sent to the v2 endpoint.
    pub fn resource_parameter_not_supported() -> Self {
        Self::new(
            901002,
            "invalid_request",
            400,
            "The 'resource' request parameter is not supported.".to_owned(),
        )
    }

    /// AADSTS900561: the token endpoint called with another method than POST.
    pub fn post_only(method: &str) -> Self {
        Self::new(
            900561,
            "invalid_request",
            400,
            format!(
                "The endpoint only accepts POST, OPTIONS requests. Received a {method} request."
            ),
        )
    }

    /// AADSTS90023: a request that cannot be read at all (bad encoding, oversized body).
    pub fn invalid_request(detail: &str, status: u16) -> Self {
        Self::new(
            90023,
            "invalid_request",
            status,
            format!("Invalid STS request. {detail}"),
        )
    }

    /// AADSTS50034: a resource-owner password sign-in for a user the tenant does not have.
    pub fn user_not_found(tenant: &str) -> Self {
        Self::new(50034, "invalid_grant", 400, format!(
            "The user account {{EmailHidden}} does not exist in the {tenant} directory. To sign into this application, the account must be added to the directory."
        ))
    }

    /// AADSTS90033: a transient failure on our side; the client may retry.
    pub fn transient() -> Self {
        Self::new(
            90033,
            "temporarily_unavailable",
            503,
            "A transient error has occurred. Please try again.".to_owned(),
        )
    }

    /// AADSTS50049: instance discovery for a host we do not serve.
    pub fn invalid_instance(authority: &str) -> Self {
        Self::new(
            50049,
            "invalid_instance",
            400,
            format!("Unknown or invalid instance. The authority {authority} is not known."),
        )
    }

    /// AADSTS50057: a sign-in (password or refresh token) of a disabled account.
    pub fn user_disabled() -> Self {
        Self::new(
            50057,
            "invalid_grant",
            400,
            "The user account is disabled.".to_owned(),
        )
    }

    /// AADSTS50126: a resource-owner password sign-in with a wrong user name or password.
    pub fn invalid_user_credentials() -> Self {
        Self::new(
            50126,
            "invalid_grant",
            400,
            "Error validating credentials due to invalid username or password.".to_owned(),
        )
    }

    /// AADSTS50053: smart lockout; the account had too many failed sign-ins and is locked for
    /// a while, whatever password is sent.
    pub fn account_locked() -> Self {
        Self::new(
            50053,
            "invalid_grant",
            400,
            "The account is locked, you've tried to sign in too many times with an incorrect user ID or password.".to_owned(),
        )
    }

    /// AADSTS9002313: a `refresh_token` that is not one of ours (unreadable, altered, or sealed
    /// under another key) [obs: `invalid_grant`, 400, this text; MicrosoftDocs/azure-docs#63819].
    pub fn malformed_grant() -> Self {
        Self::new(
            9002313,
            "invalid_grant",
            400,
            "Invalid request. Request is malformed or invalid.".to_owned(),
        )
    }

    /// AADSTS70000: a readable refresh token that this request may not redeem: issued to
    /// another client or in another tenant, or for a user or app deleted since, or before the
    /// user's password changed [obs: the text, BingAds/BingAds-Python-SDK#279; which conditions
    /// answer it is inference].
    pub fn invalid_grant() -> Self {
        Self::new(
            70000,
            "invalid_grant",
            400,
            "The provided value for the input parameter 'refresh_token' or 'assertion' is not valid.".to_owned(),
        )
    }

    /// AADSTS700082: a refresh token unused for longer than its inactivity lifetime
    /// [obs: the text with the issue time in .NET round-trip form and the lifetime as a .NET
    /// `TimeSpan`, `90.00:00:00`].
    pub fn refresh_token_expired(issued: DateTime<Utc>, inactive_days: i64) -> Self {
        Self::new(
            700082,
            "invalid_grant",
            400,
            format!(
                "The refresh token has expired due to inactivity. The token was issued on {}.{:07}Z and was inactive for {inactive_days}.00:00:00.",
                issued.format("%Y-%m-%dT%H:%M:%S"),
                issued.timestamp_subsec_nanos() / 100
            ),
        )
    }

    /// The body to send, stamped with a trace id, a correlation id and the time.
    pub fn to_body(
        &self,
        host: &str,
        trace_id: Uuid,
        correlation_id: Uuid,
        now: DateTime<Utc>,
    ) -> AadstsBody {
        let timestamp = now.format("%Y-%m-%d %H:%M:%SZ").to_string();
        AadstsBody {
            error: self.error.to_owned(),
            error_description: format!(
                "AADSTS{}: {} Trace ID: {trace_id} Correlation ID: {correlation_id} Timestamp: {timestamp}",
                self.code, self.message
            ),
            error_codes: vec![self.code],
            timestamp,
            trace_id: trace_id.to_string(),
            correlation_id: correlation_id.to_string(),
            error_uri: format!("https://{host}/error?code={}", self.code),
        }
    }
}

/// The JSON error body of the token and discovery endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AadstsBody {
    /// The OAuth 2.0 error, e.g. `invalid_client`.
    pub error: String,
    /// `AADSTS<code>: <message> Trace ID: … Correlation ID: … Timestamp: …`.
    pub error_description: String,
    /// The AADSTS numbers, as integers.
    pub error_codes: Vec<u32>,
    /// `YYYY-MM-DD HH:MM:SSZ`.
    pub timestamp: String,
    /// The server-side trace id.
    pub trace_id: String,
    /// The client's correlation id (its `client-request-id`), or a new one.
    pub correlation_id: String,
    /// `https://{host}/error?code=<code>`.
    pub error_uri: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn body_has_the_documented_shape() {
        let now = Utc
            .with_ymd_and_hms(2026, 1, 9, 2, 2, 12)
            .single()
            .unwrap_or_default();
        let trace = Uuid::nil();
        let body = AadstsError::invalid_scope("https://foo.microsoft.com/.default").to_body(
            "login.example",
            trace,
            trace,
            now,
        );
        let json = serde_json::to_value(&body).unwrap_or_default();
        assert_eq!(json["error"], "invalid_scope");
        assert_eq!(json["error_codes"], serde_json::json!([70011]));
        assert_eq!(json["timestamp"], "2026-01-09 02:02:12Z");
        assert_eq!(json["error_uri"], "https://login.example/error?code=70011");
        let description = json["error_description"].as_str().unwrap_or_default();
        assert!(description.starts_with("AADSTS70011: The provided value for the input parameter 'scope' is not valid. The scope https://foo.microsoft.com/.default is not valid."));
        assert!(description.ends_with("Timestamp: 2026-01-09 02:02:12Z"));
    }

    #[test]
    fn statuses_match_the_wire() {
        assert_eq!(AadstsError::invalid_client_secret("a").status, 401);
        assert_eq!(AadstsError::expired_client_secret("a").status, 401);
        assert_eq!(
            AadstsError::app_not_found_in_directory("a", "t").status,
            400
        );
        assert_eq!(
            AadstsError::app_not_found_in_directory("a", "t").error,
            "unauthorized_client"
        );
        assert_eq!(AadstsError::tenant_not_found("t").status, 400);
        assert_eq!(AadstsError::account_locked().status, 400);
        assert_eq!(AadstsError::account_locked().error, "invalid_grant");
        assert_eq!(
            AadstsError::assertion_invalid_signature("a", "x", "The key was not found.").status,
            401
        );
    }
}
