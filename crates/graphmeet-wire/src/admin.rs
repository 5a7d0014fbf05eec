//! The admin API's request and response bodies (`/admin/...`), shared by the server and the
//! CLI. This surface is graphmeet's own, not Microsoft's: every call needs the admin key.

use serde::{Deserialize, Serialize};

/// The header that carries the admin key (`Authorization: Bearer <key>` is accepted too).
pub const ADMIN_KEY_HEADER: &str = "x-graphmeet-admin-key";

/// An admin API error body: `{"error":{"code":…,"message":…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminErrorBody {
    /// The error.
    pub error: AdminError,
}

/// The code and message of an admin API error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminError {
    /// A stable code: `unauthorized`, `notFound`, `invalidRequest`, `conflict`, `internalError`.
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
}

/// `POST /admin/tenants`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateTenant {
    /// The tenant's name.
    pub display_name: String,
    /// Its initial domain; default `{name}.onmicrosoft.com`.
    #[serde(default)]
    pub domain: Option<String>,
}

/// A tenant as the admin API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantView {
    /// Tenant id.
    pub id: String,
    /// Name.
    pub display_name: String,
    /// Domains, initial first.
    pub domains: Vec<String>,
    /// RFC 3339.
    pub created_at: String,
}

/// `POST /admin/users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateUser {
    /// Tenant id or domain.
    pub tenant: String,
    /// User principal name.
    pub upn: String,
    /// Display name; default the UPN's alias.
    #[serde(default)]
    pub display_name: Option<String>,
    /// A password for delegated (resource-owner password) sign-in; stored as an Argon2 hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// A user as the admin API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    /// Object id.
    pub id: String,
    /// Tenant id.
    pub tenant_id: String,
    /// UPN.
    pub upn: String,
    /// Display name.
    pub display_name: String,
}

/// `POST /admin/apps`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateApp {
    /// Home tenant id or domain.
    pub tenant: String,
    /// Display name.
    pub display_name: String,
    /// Whether other tenants may consent.
    #[serde(default)]
    pub multi_tenant: bool,
}

/// An app registration as the admin API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppView {
    /// Application (client) id.
    pub app_id: String,
    /// Application object id.
    pub object_id: String,
    /// Home tenant id.
    pub home_tenant_id: String,
    /// Display name.
    pub display_name: String,
    /// `AzureADMyOrg` or `AzureADMultipleOrgs`.
    pub sign_in_audience: String,
}

/// `POST /admin/apps/{appId}/secrets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AddSecret {
    /// A label.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Days until expiry; default 730.
    #[serde(default)]
    pub days: Option<i64>,
}

/// A new secret: shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretCreated {
    /// Credential key id.
    pub key_id: String,
    /// The secret value; graphmeet keeps only its hash.
    pub secret_text: String,
    /// First three characters.
    pub hint: String,
    /// RFC 3339.
    pub end_date_time: String,
}

/// `POST /admin/apps/{appId}/certificates`: give a PEM, or nothing to have one generated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AddCertificate {
    /// A certificate (PEM) to register; its private key, if present, is ignored.
    #[serde(default)]
    pub pem: Option<String>,
    /// Days of validity of a generated certificate; default 365.
    #[serde(default)]
    pub days: Option<i64>,
}

/// A certificate credential as the admin API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateView {
    /// Credential key id.
    pub key_id: String,
    /// Subject.
    pub display_name: String,
    /// SHA-1 thumbprint, upper-case hex.
    pub thumbprint: String,
    /// SHA-256 thumbprint, upper-case hex.
    pub thumbprint_sha256: String,
    /// RFC 3339.
    pub start_date_time: String,
    /// RFC 3339.
    pub end_date_time: String,
    /// For a generated certificate: the certificate and its private key, PEM, shown once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_pem: Option<String>,
}

/// `POST /admin/consents`: admin consent for Graph app roles in a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantConsent {
    /// Tenant id or domain.
    pub tenant: String,
    /// Application (client) id.
    pub app_id: String,
    /// Graph application permissions, e.g. `OnlineMeetings.ReadWrite.All`.
    pub roles: Vec<String>,
}

/// A service principal as the admin API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServicePrincipalView {
    /// Object id.
    pub id: String,
    /// Tenant id.
    pub tenant_id: String,
    /// Application id.
    pub app_id: String,
    /// Granted Graph app roles.
    pub app_roles: Vec<String>,
}

/// `POST /admin/keys/rotate` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRotated {
    /// The new signing key's `kid`.
    pub kid: String,
    /// Every published `kid`, newest first.
    pub published: Vec<String>,
}

/// `POST /admin/groups`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateGroup {
    /// Tenant id or domain.
    pub tenant: String,
    /// Display name.
    pub display_name: String,
}

/// A group as the admin API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupView {
    /// Object id.
    pub id: String,
    /// Tenant id.
    pub tenant_id: String,
    /// Display name.
    pub display_name: String,
}

/// `POST /admin/groups/{id}/members` and `DELETE …/members/{userId}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMember {
    /// The user's object id.
    pub user_id: String,
}

/// `POST /admin/policies` (`New-CsApplicationAccessPolicy`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPolicy {
    /// Tenant id or domain; may be left out when the server has one tenant.
    #[serde(default)]
    pub tenant: Option<String>,
    /// `-Identity`.
    pub identity: String,
    /// `-AppIds`.
    #[serde(default)]
    pub app_ids: Vec<String>,
    /// `-Description`.
    #[serde(default)]
    pub description: Option<String>,
}

/// `PATCH /admin/policies/{identity}` (`Set-CsApplicationAccessPolicy`): one of the app-id
/// changes, and/or a description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SetPolicy {
    /// Tenant id or domain; may be left out when the server has one tenant.
    #[serde(default)]
    pub tenant: Option<String>,
    /// `-AppIds @{Add=…}`.
    #[serde(default)]
    pub add_app_ids: Option<Vec<String>>,
    /// `-AppIds @{Remove=…}`.
    #[serde(default)]
    pub remove_app_ids: Option<Vec<String>>,
    /// `-AppIds @{Replace=…}` or a plain list.
    #[serde(default)]
    pub replace_app_ids: Option<Vec<String>>,
    /// `-Description`.
    #[serde(default)]
    pub description: Option<String>,
}

/// A policy as the admin API shows it, named as `Get-CsApplicationAccessPolicy` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyView {
    /// `Tag:{name}`.
    pub identity: String,
    /// The name (`-PolicyName` in grants).
    pub name: String,
    /// The listed app ids.
    pub app_ids: Vec<String>,
    /// The description.
    pub description: String,
    /// The tenant id.
    pub tenant_id: String,
}

/// `POST /admin/policy-grants` (`Grant-CsApplicationAccessPolicy`): exactly one of `user`,
/// `group` or `global`; `policy_name: null` revokes the target's grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct GrantPolicy {
    /// Tenant id or domain; may be left out when the server has one tenant.
    #[serde(default)]
    pub tenant: Option<String>,
    /// The policy; `null` revokes (`-PolicyName $null`).
    #[serde(default)]
    pub policy_name: Option<String>,
    /// A user, by object id or UPN (`-Identity`).
    #[serde(default)]
    pub user: Option<String>,
    /// A group, by object id (`-Group`).
    #[serde(default)]
    pub group: Option<String>,
    /// `-Rank` for a group grant; default 1.
    #[serde(default)]
    pub rank: Option<i64>,
    /// `-Global`.
    #[serde(default)]
    pub global: bool,
}

/// A grant as the admin API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantView {
    /// `user`, `group` or `global`.
    pub target_kind: String,
    /// The user or group object id; empty for global.
    pub target_id: String,
    /// The group rank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<i64>,
    /// The policy name; null after a revocation.
    pub policy_name: Option<String>,
    /// RFC 3339.
    pub granted_at: String,
}
