//! A typed client of a graphmeet server's admin API (`/admin/...`).
//!
//! Every call sends the admin key in the [`ADMIN_KEY_HEADER`] header. The bodies are the shared
//! types of [`graphmeet_wire::admin`], so the client and the server cannot drift apart.

use std::time::Duration;

use graphmeet_wire::admin::{
    AddCertificate, AddSecret, AdminErrorBody, AppCredentials, AppView, ApplySummary,
    CertificateView, ClockView, CreateApp, CreateGroup, CreateTenant, CreateUser, GrantConsent,
    GrantPolicy, GrantView, GroupMember, GroupView, KeyRotated, NewPolicy, PolicyView,
    RequestRecord, RevokeConsent, SecretCreated, Seed, ServicePrincipalView, SetPolicy, TenantView,
    UpdateApp, UpdateUser, UserView, ADMIN_KEY_HEADER,
};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

use crate::ClientError;

/// How long to wait for a connection to the server.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a whole admin call may take (generating keys on the server can take a while).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

pub use graphmeet_wire::admin::{AuditDecision, AuditEntry, RunScript, ScriptOutput};

/// Which audit entries `GET /admin/audit` returns; every field given narrows the result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only this tenant, by id or domain.
    pub tenant: Option<String>,
    /// Only this application (client) id.
    pub app: Option<String>,
    /// Only this user: an object id, or a UPN when `tenant` is given.
    pub user: Option<String>,
    /// Only this outcome.
    pub decision: Option<AuditDecision>,
    /// Only entries at or after this time, RFC 3339.
    pub since: Option<String>,
    /// At most this many entries, newest first [server default: 100].
    pub limit: Option<u32>,
}

/// A client of one graphmeet server's admin API, authenticated with its admin key.
///
/// TLS trusts only the CA given to [`AdminClient::new`]: no public or system roots are
/// built in, so an `https` server whose certificate does not chain to that CA (for example a
/// public host) is refused. Plain `http` works without a CA.
#[derive(Clone)]
pub struct AdminClient {
    http: reqwest::Client,
    base_url: Url,
}

impl std::fmt::Debug for AdminClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The admin key lives in the client's default headers and is never shown.
        f.debug_struct("AdminClient")
            .field("base_url", &self.base_url.as_str())
            .finish_non_exhaustive()
    }
}

impl AdminClient {
    /// A client of the server at `base_url` (e.g. `https://127.0.0.1:8443`), sending
    /// `admin_key`, and trusting only the CA certificate(s) in `ca_cert_pem` for TLS.
    pub fn new(
        base_url: Url,
        admin_key: String,
        ca_cert_pem: Option<&[u8]>,
    ) -> Result<AdminClient, ClientError> {
        if !matches!(base_url.scheme(), "http" | "https") || base_url.cannot_be_a_base() {
            return Err(ClientError::Config(format!(
                "the server URL must be an http or https URL, not '{base_url}'"
            )));
        }
        let admin_key = admin_key.trim();
        if admin_key.is_empty() {
            return Err(ClientError::Config("the admin key is empty".into()));
        }
        let mut key = HeaderValue::from_str(admin_key).map_err(|_| {
            ClientError::Config("the admin key contains characters not allowed in a header".into())
        })?;
        key.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(ADMIN_KEY_HEADER, key);

        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .default_headers(headers)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("graphmeet-client/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = ca_cert_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|err| {
                ClientError::Config(format!("cannot read the CA certificate: {err}"))
            })?;
            if certs.is_empty() {
                return Err(ClientError::Config(
                    "the CA certificate file holds no PEM certificate".into(),
                ));
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder
            .build()
            .map_err(|err| ClientError::Config(format!("cannot build the HTTP client: {err}")))?;
        Ok(AdminClient { http, base_url })
    }

    /// The server's base URL.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// Creates a tenant (`POST /admin/tenants`).
    pub async fn create_tenant(&self, body: &CreateTenant) -> Result<TenantView, ClientError> {
        self.send(Method::POST, &["admin", "tenants"], Some(body))
            .await
    }

    /// Lists every tenant (`GET /admin/tenants`).
    pub async fn list_tenants(&self) -> Result<Vec<TenantView>, ClientError> {
        self.get(&["admin", "tenants"]).await
    }

    /// The server's time (`GET /admin/clock`).
    pub async fn clock(&self) -> Result<ClockView, ClientError> {
        self.get(&["admin", "clock"]).await
    }

    /// Moves the server's virtual clock forward by an ISO 8601 duration, or sets it
    /// (`POST /admin/clock`).
    pub async fn move_clock(
        &self,
        advance: Option<&str>,
        set: Option<&str>,
    ) -> Result<ClockView, ClientError> {
        let body = serde_json::json!({ "advance": advance, "set": set });
        self.send(Method::POST, &["admin", "clock"], Some(&body))
            .await
    }

    /// The request inspector's records after `after` (`GET /admin/requests`), oldest first, of
    /// one surface or all.
    pub async fn requests(
        &self,
        surface: Option<&str>,
        after: u64,
        limit: usize,
    ) -> Result<Vec<RequestRecord>, ClientError> {
        let (after, limit) = (after.to_string(), limit.to_string());
        let query = optional_pairs(&[
            ("after", Some(after.as_str())),
            ("limit", Some(limit.as_str())),
            ("surface", surface),
        ]);
        self.request::<(), _>(Method::GET, &["admin", "requests"], &query, None)
            .await
    }

    /// Creates a user (`POST /admin/users`).
    pub async fn create_user(&self, body: &CreateUser) -> Result<UserView, ClientError> {
        self.send(Method::POST, &["admin", "users"], Some(body))
            .await
    }

    /// Changes a user's display name or account state
    /// (`PATCH /admin/users/{id | upn}`).
    pub async fn update_user(
        &self,
        user: &str,
        body: &UpdateUser,
    ) -> Result<UserView, ClientError> {
        self.send(Method::PATCH, &["admin", "users", user], Some(body))
            .await
    }

    /// Lists the users of a tenant, named by id or domain
    /// (`GET /admin/tenants/{tenant}/users`).
    pub async fn list_users(&self, tenant: &str) -> Result<Vec<UserView>, ClientError> {
        self.get(&["admin", "tenants", tenant, "users"]).await
    }

    /// Registers an application (`POST /admin/apps`).
    pub async fn create_app(&self, body: &CreateApp) -> Result<AppView, ClientError> {
        self.send(Method::POST, &["admin", "apps"], Some(body))
            .await
    }

    /// Lists every app registration (`GET /admin/apps`).
    pub async fn list_apps(&self) -> Result<Vec<AppView>, ClientError> {
        self.get(&["admin", "apps"]).await
    }

    /// Changes an app's settings (`PATCH /admin/apps/{appId}`), e.g. "Allow public client
    /// flows"; what `body` leaves out stays as it is.
    pub async fn update_app(&self, app_id: &str, body: &UpdateApp) -> Result<AppView, ClientError> {
        self.send(Method::PATCH, &["admin", "apps", app_id], Some(body))
            .await
    }

    /// Adds a client secret to an app (`POST /admin/apps/{appId}/secrets`); the answer is the
    /// only time the secret is shown.
    pub async fn add_secret(
        &self,
        app_id: &str,
        body: &AddSecret,
    ) -> Result<SecretCreated, ClientError> {
        self.send(
            Method::POST,
            &["admin", "apps", app_id, "secrets"],
            Some(body),
        )
        .await
    }

    /// Adds a certificate credential to an app, given or generated
    /// (`POST /admin/apps/{appId}/certificates`).
    pub async fn add_certificate(
        &self,
        app_id: &str,
        body: &AddCertificate,
    ) -> Result<CertificateView, ClientError> {
        self.send(
            Method::POST,
            &["admin", "apps", app_id, "certificates"],
            Some(body),
        )
        .await
    }

    /// Grants admin consent for Graph app roles to an app in a tenant (`POST /admin/consents`).
    pub async fn grant_consent(
        &self,
        body: &GrantConsent,
    ) -> Result<ServicePrincipalView, ClientError> {
        self.send(Method::POST, &["admin", "consents"], Some(body))
            .await
    }

    /// Rotates the token-signing key (`POST /admin/keys/rotate`).
    pub async fn rotate_keys(&self) -> Result<KeyRotated, ClientError> {
        self.send::<(), _>(Method::POST, &["admin", "keys", "rotate"], None)
            .await
    }

    /// Creates a security group (`POST /admin/groups`).
    pub async fn create_group(&self, body: &CreateGroup) -> Result<GroupView, ClientError> {
        self.send(Method::POST, &["admin", "groups"], Some(body))
            .await
    }

    /// Adds a user, by object id, to a group (`POST /admin/groups/{id}/members`).
    pub async fn add_group_member(&self, group_id: &str, user_id: &str) -> Result<(), ClientError> {
        let body = GroupMember {
            user_id: user_id.to_owned(),
        };
        self.send_no_content(
            Method::POST,
            &["admin", "groups", group_id, "members"],
            &[],
            Some(&body),
        )
        .await
    }

    /// Removes a user from a group (`DELETE /admin/groups/{id}/members/{userId}`); a user who
    /// is not a member is a `notFound` error.
    pub async fn remove_group_member(
        &self,
        group_id: &str,
        user_id: &str,
    ) -> Result<(), ClientError> {
        self.send_no_content::<()>(
            Method::DELETE,
            &["admin", "groups", group_id, "members", user_id],
            &[],
            None,
        )
        .await
    }

    /// Creates an application access policy (`POST /admin/policies`,
    /// `New-CsApplicationAccessPolicy`).
    pub async fn new_policy(&self, body: &NewPolicy) -> Result<PolicyView, ClientError> {
        self.send(Method::POST, &["admin", "policies"], Some(body))
            .await
    }

    /// Lists a tenant's live policies, or only the one named `identity` (`Name` or `Tag:Name`)
    /// (`GET /admin/policies`, `Get-CsApplicationAccessPolicy`). `tenant` may be `None` when the
    /// server has a single tenant.
    pub async fn get_policies(
        &self,
        tenant: Option<&str>,
        identity: Option<&str>,
    ) -> Result<Vec<PolicyView>, ClientError> {
        let query = optional_pairs(&[("tenant", tenant), ("identity", identity)]);
        self.request::<(), _>(Method::GET, &["admin", "policies"], &query, None)
            .await
    }

    /// Changes a policy's app ids and/or description (`PATCH /admin/policies/{identity}`,
    /// `Set-CsApplicationAccessPolicy`).
    pub async fn set_policy(
        &self,
        identity: &str,
        body: &SetPolicy,
    ) -> Result<PolicyView, ClientError> {
        self.send(Method::PATCH, &["admin", "policies", identity], Some(body))
            .await
    }

    /// Removes a policy and ends its grants (`DELETE /admin/policies/{identity}`,
    /// `Remove-CsApplicationAccessPolicy`).
    pub async fn remove_policy(
        &self,
        identity: &str,
        tenant: Option<&str>,
    ) -> Result<(), ClientError> {
        let query = optional_pairs(&[("tenant", tenant)]);
        self.send_no_content::<()>(
            Method::DELETE,
            &["admin", "policies", identity],
            &query,
            None,
        )
        .await
    }

    /// Grants a policy to a user, a group or the whole tenant, or with `policy_name: None`
    /// revokes the target's grant (`POST /admin/policy-grants`,
    /// `Grant-CsApplicationAccessPolicy`).
    pub async fn grant_policy(&self, body: &GrantPolicy) -> Result<GrantView, ClientError> {
        self.send(Method::POST, &["admin", "policy-grants"], Some(body))
            .await
    }

    /// Lists a tenant's live policy grants (`GET /admin/policy-grants`).
    pub async fn list_policy_grants(
        &self,
        tenant: Option<&str>,
    ) -> Result<Vec<GrantView>, ClientError> {
        let query = optional_pairs(&[("tenant", tenant)]);
        self.request::<(), _>(Method::GET, &["admin", "policy-grants"], &query, None)
            .await
    }

    /// Explains whether `app` may act for `user` (object id or UPN) now
    /// (`GET /admin/policy-explain`): the server's decision, with a one-line `reason`, `allowed`,
    /// the `applied` grant and `pending` changes.
    pub async fn explain_policy(
        &self,
        tenant: Option<&str>,
        app: &str,
        user: &str,
    ) -> Result<serde_json::Value, ClientError> {
        let query = optional_pairs(&[("tenant", tenant), ("app", Some(app)), ("user", Some(user))]);
        self.request::<(), _>(Method::GET, &["admin", "policy-explain"], &query, None)
            .await
    }

    /// Runs Teams PowerShell statements (`*-CsApplicationAccessPolicy`, `Get-CsOnlineUser`)
    /// against a tenant (`POST /admin/cs`), stopping at the first that fails; a statement the
    /// server cannot run is an `invalidRequest` error naming the cmdlet, parameter or position.
    pub async fn run_cs(
        &self,
        tenant: Option<&str>,
        script: &str,
    ) -> Result<ScriptOutput, ClientError> {
        let body = RunScript {
            tenant: tenant.map(str::to_owned),
            script: script.to_owned(),
        };
        self.send(Method::POST, &["admin", "cs"], Some(&body)).await
    }

    /// Makes the server's state match a seed, creating what is missing
    /// (`POST /admin/apply`); applying the same seed again changes nothing.
    pub async fn apply(&self, seed: &Seed) -> Result<ApplySummary, ClientError> {
        self.send(Method::POST, &["admin", "apply"], Some(seed))
            .await
    }

    /// The server's directory and policies as a seed (`GET /admin/export`); secret values and
    /// passwords are never exported.
    pub async fn export(&self) -> Result<Seed, ClientError> {
        self.get(&["admin", "export"]).await
    }

    /// The server's directory and policies as a seed in TOML, as the server writes it
    /// (`GET /admin/export?format=toml`).
    pub async fn export_toml(&self) -> Result<String, ClientError> {
        let (status, bytes) = self
            .call::<()>(
                Method::GET,
                &["admin", "export"],
                &[("format", "toml")],
                None,
            )
            .await?;
        String::from_utf8(bytes).map_err(|err| {
            ClientError::Decode(format!(
                "HTTP {}: the TOML export is not UTF-8: {err}",
                status.as_u16()
            ))
        })
    }

    /// Deletes every tenant, user, app, credential, consent, policy and audit entry
    /// (`POST /admin/reset`); the signing keys and the admin key stay.
    pub async fn reset(&self) -> Result<(), ClientError> {
        self.send_no_content::<()>(Method::POST, &["admin", "reset"], &[], None)
            .await
    }

    /// The audit log, newest first, narrowed by `filter` (`GET /admin/audit`).
    pub async fn audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, ClientError> {
        let limit = filter.limit.map(|n| n.to_string());
        let query = optional_pairs(&[
            ("tenant", filter.tenant.as_deref()),
            ("app", filter.app.as_deref()),
            ("user", filter.user.as_deref()),
            ("decision", filter.decision.map(AuditDecision::as_str)),
            ("since", filter.since.as_deref()),
            ("limit", limit.as_deref()),
        ]);
        self.request::<(), _>(Method::GET, &["admin", "audit"], &query, None)
            .await
    }

    /// Deletes a tenant, by id or domain, with everything in it
    /// (`DELETE /admin/tenants/{tenant}`).
    pub async fn delete_tenant(&self, tenant: &str) -> Result<(), ClientError> {
        self.delete(&["admin", "tenants", tenant]).await
    }

    /// Deletes a user, by object id or UPN, with its meetings, memberships and grants
    /// (`DELETE /admin/users/{user}`).
    pub async fn delete_user(&self, user: &str) -> Result<(), ClientError> {
        self.delete(&["admin", "users", user]).await
    }

    /// Lists the security groups of a tenant, by id or domain
    /// (`GET /admin/tenants/{tenant}/groups`).
    pub async fn list_groups(&self, tenant: &str) -> Result<Vec<GroupView>, ClientError> {
        self.get(&["admin", "tenants", tenant, "groups"]).await
    }

    /// Lists the members of a group (`GET /admin/groups/{id}/members`).
    pub async fn list_group_members(&self, group_id: &str) -> Result<Vec<UserView>, ClientError> {
        self.get(&["admin", "groups", group_id, "members"]).await
    }

    /// Deletes a group, by object id, with its memberships and grants
    /// (`DELETE /admin/groups/{id}`).
    pub async fn delete_group(&self, group_id: &str) -> Result<(), ClientError> {
        self.delete(&["admin", "groups", group_id]).await
    }

    /// An app's client secrets (never their values) and certificates
    /// (`GET /admin/apps/{appId}/credentials`).
    pub async fn credentials(&self, app_id: &str) -> Result<AppCredentials, ClientError> {
        self.get(&["admin", "apps", app_id, "credentials"]).await
    }

    /// Removes a client secret from an app (`DELETE /admin/apps/{appId}/secrets/{keyId}`); the
    /// secret gets no token from then on.
    pub async fn remove_secret(&self, app_id: &str, key_id: &str) -> Result<(), ClientError> {
        self.delete(&["admin", "apps", app_id, "secrets", key_id])
            .await
    }

    /// Removes a certificate credential from an app
    /// (`DELETE /admin/apps/{appId}/certificates/{keyId}`).
    pub async fn remove_certificate(&self, app_id: &str, key_id: &str) -> Result<(), ClientError> {
        self.delete(&["admin", "apps", app_id, "certificates", key_id])
            .await
    }

    /// Deletes an app registration with its credentials and service principals
    /// (`DELETE /admin/apps/{appId}`); policies keep listing its id.
    pub async fn delete_app(&self, app_id: &str) -> Result<(), ClientError> {
        self.delete(&["admin", "apps", app_id]).await
    }

    /// Removes Graph app roles from an app's service principal in a tenant
    /// (`POST /admin/consents/revoke`); the service principal stays.
    pub async fn revoke_consent(
        &self,
        body: &RevokeConsent,
    ) -> Result<ServicePrincipalView, ClientError> {
        self.send(Method::POST, &["admin", "consents", "revoke"], Some(body))
            .await
    }

    async fn delete(&self, segments: &[&str]) -> Result<(), ClientError> {
        self.send_no_content::<()>(Method::DELETE, segments, &[], None)
            .await
    }

    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        segments: &[&str],
    ) -> Result<T, ClientError> {
        self.send::<(), T>(Method::GET, segments, None).await
    }

    pub(crate) async fn send<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        segments: &[&str],
        body: Option<&B>,
    ) -> Result<T, ClientError> {
        self.request(method, segments, &[], body).await
    }

    /// A call whose success answer is JSON of type `T`.
    pub(crate) async fn request<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<&B>,
    ) -> Result<T, ClientError> {
        let (status, bytes) = self.call(method, segments, query, body).await?;
        serde_json::from_slice(&bytes).map_err(|err| {
            ClientError::Decode(format!(
                "HTTP {}: {err}; body: {}",
                status.as_u16(),
                snippet(&bytes)
            ))
        })
    }

    /// A call whose success answer carries nothing of interest (`204 No Content`).
    pub(crate) async fn send_no_content<B: Serialize + ?Sized>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<&B>,
    ) -> Result<(), ClientError> {
        self.call(method, segments, query, body).await.map(|_| ())
    }

    /// Sends a request; a success status yields the status and body, any other the server's
    /// error.
    async fn call<B: Serialize + ?Sized>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<&B>,
    ) -> Result<(StatusCode, Vec<u8>), ClientError> {
        let url = endpoint_with_query(&self.base_url, segments, query)?;
        tracing::debug!(%method, %url, "admin API call");
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|err| ClientError::transport(&err))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|err| ClientError::transport(&err))?;
        if !status.is_success() {
            return Err(api_error(status, &bytes));
        }
        Ok((status, bytes.to_vec()))
    }
}

/// The pairs whose value is present, for a query string.
pub(crate) fn optional_pairs<'a>(pairs: &[(&'a str, Option<&'a str>)]) -> Vec<(&'a str, &'a str)> {
    pairs
        .iter()
        .filter_map(|(name, value)| value.map(|v| (*name, v)))
        .collect()
}

/// [`endpoint`] with a query string of `query` (none when empty), each pair form-encoded.
fn endpoint_with_query(
    base: &Url,
    segments: &[&str],
    query: &[(&str, &str)],
) -> Result<Url, ClientError> {
    let mut url = endpoint(base, segments)?;
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    Ok(url)
}

/// `base` with `segments` appended as path segments (each percent-encoded as needed).
fn endpoint(base: &Url, segments: &[&str]) -> Result<Url, ClientError> {
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.path_segments_mut()
        .map_err(|()| ClientError::Config(format!("'{base}' cannot be a base URL")))?
        .pop_if_empty()
        .extend(segments);
    Ok(url)
}

/// The error of a failed call: the server's [`AdminErrorBody`] if it sent one, else the
/// status and whatever text it sent.
fn api_error(status: StatusCode, body: &[u8]) -> ClientError {
    match serde_json::from_slice::<AdminErrorBody>(body) {
        Ok(parsed) => ClientError::Api {
            status: status.as_u16(),
            code: parsed.error.code,
            message: parsed.error.message,
        },
        Err(_) => {
            let text = snippet(body);
            let reason = status.canonical_reason().unwrap_or("error");
            ClientError::Api {
                status: status.as_u16(),
                code: format!("http{}", status.as_u16()),
                message: if text.is_empty() {
                    reason.to_string()
                } else {
                    format!("{reason}: {text}")
                },
            }
        }
    }
}

/// The start of a body, as text, for error messages.
fn snippet(body: &[u8]) -> String {
    const MAX: usize = 300;
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn endpoint_appends_and_encodes_segments() {
        let base = Url::parse("https://127.0.0.1:8443").unwrap();
        assert_eq!(
            endpoint(&base, &["admin", "tenants", "a b/c", "users"])
                .unwrap()
                .as_str(),
            "https://127.0.0.1:8443/admin/tenants/a%20b%2Fc/users"
        );
        let prefixed = Url::parse("https://host/prefix/?x=1").unwrap();
        assert_eq!(
            endpoint(&prefixed, &["admin", "apps"]).unwrap().as_str(),
            "https://host/prefix/admin/apps"
        );
    }

    #[test]
    fn policy_identities_are_one_encoded_segment_and_queries_are_encoded() {
        let base = Url::parse("http://127.0.0.1:1").unwrap();
        let url = endpoint_with_query(
            &base,
            &["admin", "policies", "Tag:a b/c?d#e%f"],
            &optional_pairs(&[("tenant", Some("x&y=z")), ("identity", None)]),
        )
        .unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:1/admin/policies/Tag:a%20b%2Fc%3Fd%23e%25f?tenant=x%26y%3Dz"
        );
        assert_eq!(url.path_segments().unwrap().count(), 3);
        let bare = endpoint_with_query(&base, &["admin", "policy-grants"], &[]).unwrap();
        assert_eq!(bare.as_str(), "http://127.0.0.1:1/admin/policy-grants");
    }

    #[test]
    fn api_error_parses_the_admin_error_body() {
        let err = api_error(
            StatusCode::NOT_FOUND,
            br#"{"error":{"code":"notFound","message":"no tenant 'x'"}}"#,
        );
        assert_eq!(
            err,
            ClientError::Api {
                status: 404,
                code: "notFound".into(),
                message: "no tenant 'x'".into()
            }
        );
    }

    #[test]
    fn api_error_survives_a_foreign_body() {
        let err = api_error(StatusCode::BAD_GATEWAY, b"upstream down");
        assert_eq!(
            err,
            ClientError::Api {
                status: 502,
                code: "http502".into(),
                message: "Bad Gateway: upstream down".into()
            }
        );
        let err = api_error(StatusCode::UNAUTHORIZED, b"");
        assert_eq!(err.to_string(), "Unauthorized (http401, HTTP 401)");
    }

    #[test]
    fn new_rejects_bad_configuration() {
        let url = Url::parse("https://127.0.0.1:8443").unwrap();
        assert!(matches!(
            AdminClient::new(url.clone(), "  ".into(), None),
            Err(ClientError::Config(_))
        ));
        assert!(matches!(
            AdminClient::new(url.clone(), "key".into(), Some(b"not a pem")),
            Err(ClientError::Config(_))
        ));
        assert!(matches!(
            AdminClient::new(Url::parse("ftp://x").unwrap(), "key".into(), None),
            Err(ClientError::Config(_))
        ));
        let client = AdminClient::new(url, "secret-key".into(), None).unwrap();
        assert!(!format!("{client:?}").contains("secret-key"));
    }
}
