//! One [`AdminClient`] method per admin API route: tenants, users, apps and their credentials,
//! consent, groups, policies and grants, Teams PowerShell, seed apply and export, audit,
//! requests and the clock.

use graphmeet_wire::admin::{
    AddCertificate, AddSecret, AppCredentials, AppView, ApplySummary, CertificateView, ClockView,
    CreateApp, CreateGroup, CreateTenant, CreateUser, GrantConsent, GrantPolicy, GrantView,
    GroupMember, GroupView, KeyRotated, NewPolicy, PolicyView, RequestRecord, RevokeConsent,
    SecretCreated, Seed, ServicePrincipalView, SetPolicy, TenantView, UpdateApp, UpdateUser,
    UserView,
};

use super::*;

impl AdminClient {
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
}
