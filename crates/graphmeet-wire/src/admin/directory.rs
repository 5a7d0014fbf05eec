//! The directory's bodies: tenants, users, apps with their secrets and certificates (and their
//! listing, `GET /admin/apps/{appId}/credentials`), consent and its revocation, service
//! principals, signing keys and groups.

use serde::{Deserialize, Serialize};

/// `POST /admin/tenants`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CreateTenant {
    /// The tenant's name.
    pub display_name: String,
    /// Its initial domain; default `{name}.onmicrosoft.com`.
    #[serde(default)]
    pub domain: Option<String>,
}

/// A tenant as the admin API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
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
    /// `accountEnabled`; default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_enabled: Option<bool>,
    /// `userType`: `Member` (the default) or `Guest`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    /// A licence with the Microsoft Teams service plan; default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teams_license: Option<bool>,
    /// The Audio Conferencing licence (dial-in details on the user's meetings); default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_conferencing: Option<bool>,
    /// `mail`; default the UPN; an empty string: no mailbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail: Option<String>,
}

impl CreateUser {
    /// The display name and account settings, as an update of the default user.
    pub fn settings(&self) -> UpdateUser {
        UpdateUser {
            display_name: self.display_name.clone(),
            account_enabled: self.account_enabled,
            user_type: self.user_type.clone(),
            teams_license: self.teams_license,
            audio_conferencing: self.audio_conferencing,
            mail: self.mail.clone(),
        }
    }
}

/// `PATCH /admin/users/{id | upn}`: the display name and account state to change; what is
/// left out stays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `accountEnabled`; default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_enabled: Option<bool>,
    /// `userType`: `Member` (the default) or `Guest`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    /// A licence with the Microsoft Teams service plan; default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teams_license: Option<bool>,
    /// The Audio Conferencing licence (dial-in details on the user's meetings); default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_conferencing: Option<bool>,
    /// `mail`; default the UPN; an empty string: no mailbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail: Option<String>,
}

/// A user as the admin API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserView {
    /// Object id.
    pub id: String,
    /// Tenant id.
    pub tenant_id: String,
    /// UPN.
    pub upn: String,
    /// Display name.
    pub display_name: String,
    /// `accountEnabled`.
    #[serde(default = "yes")]
    pub account_enabled: bool,
    /// `userType`: `Member` or `Guest`.
    #[serde(default = "member")]
    pub user_type: String,
    /// A licence with the Microsoft Teams service plan.
    #[serde(default = "yes")]
    pub teams_license: bool,
    /// The Audio Conferencing licence.
    #[serde(default = "yes")]
    pub audio_conferencing: bool,
    /// `mail`.
    #[serde(default)]
    pub mail: Option<String>,
}

fn yes() -> bool {
    true
}

fn member() -> String {
    "Member".to_owned()
}

/// `POST /admin/apps`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CreateApp {
    /// Home tenant id or domain.
    pub tenant: String,
    /// Display name.
    pub display_name: String,
    /// Whether other tenants may consent.
    #[serde(default)]
    pub multi_tenant: bool,
    /// "Allow public client flows" (`isFallbackPublicClient`): whether the app may use the
    /// resource-owner password grant without a client secret; default off, as in Entra.
    #[serde(default)]
    pub allow_public_client: bool,
}

/// `PATCH /admin/apps/{appId}`: the settings to change; what is left out stays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateApp {
    /// "Allow public client flows" (`isFallbackPublicClient`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_public_client: Option<bool>,
}

/// An app registration as the admin API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AppView {
    /// Application (client) id.
    #[schema(format = Uuid)]
    pub app_id: String,
    /// Application object id.
    pub object_id: String,
    /// Home tenant id.
    pub home_tenant_id: String,
    /// Display name.
    pub display_name: String,
    /// `AzureADMyOrg` or `AzureADMultipleOrgs`.
    pub sign_in_audience: String,
    /// "Allow public client flows" (`isFallbackPublicClient`): the password grant without a
    /// client secret.
    #[serde(default)]
    pub allow_public_client: bool,
}

/// `POST /admin/apps/{appId}/secrets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
pub struct AddSecret {
    /// A label.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Days until expiry; default 730.
    #[serde(default)]
    pub days: Option<i64>,
}

/// A new secret: shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SecretCreated {
    /// Credential key id.
    #[schema(format = Uuid)]
    pub key_id: String,
    /// The secret value; graphmeet keeps only its hash.
    pub secret_text: String,
    /// First three characters.
    pub hint: String,
    /// RFC 3339.
    pub end_date_time: String,
}

/// `POST /admin/apps/{appId}/certificates`: give a PEM, or nothing to have one generated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
pub struct AddCertificate {
    /// A certificate (PEM) to register; its private key, if present, is ignored.
    #[serde(default)]
    pub pem: Option<String>,
    /// Days of validity of a generated certificate; default 365.
    #[serde(default)]
    pub days: Option<i64>,
}

/// A certificate credential as the admin API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CertificateView {
    /// Credential key id.
    #[schema(format = Uuid)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GrantConsent {
    /// Tenant id or domain.
    pub tenant: String,
    /// Application (client) id.
    #[schema(format = Uuid)]
    pub app_id: String,
    /// Graph application permissions, e.g. `OnlineMeetings.ReadWrite.All`.
    pub roles: Vec<String>,
}

/// A service principal as the admin API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ServicePrincipalView {
    /// Object id.
    pub id: String,
    /// Tenant id.
    pub tenant_id: String,
    /// Application id.
    #[schema(format = Uuid)]
    pub app_id: String,
    /// Granted Graph app roles.
    pub app_roles: Vec<String>,
}

/// `POST /admin/keys/rotate` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct KeyRotated {
    /// The new signing key's `kid`.
    pub kid: String,
    /// Every published `kid`, newest first.
    pub published: Vec<String>,
}

/// `POST /admin/groups`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CreateGroup {
    /// Tenant id or domain.
    pub tenant: String,
    /// Display name.
    pub display_name: String,
}

/// A group as the admin API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GroupView {
    /// Object id.
    pub id: String,
    /// Tenant id.
    pub tenant_id: String,
    /// Display name.
    pub display_name: String,
}

/// `POST /admin/groups/{id}/members` and `DELETE …/members/{userId}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GroupMember {
    /// The user's object id.
    #[schema(format = Uuid)]
    pub user_id: String,
}

/// `GET /admin/apps/{appId}/credentials`: an app's client secrets (never their values) and
/// certificates, with their validity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AppCredentials {
    /// The application (client) id.
    #[schema(format = Uuid)]
    pub app_id: String,
    /// Client secrets, oldest first.
    pub secrets: Vec<SecretView>,
    /// Certificates, oldest first (`private_pem` is never set here).
    pub certificates: Vec<CertificateView>,
}

/// A client secret as the admin API lists it: the value is not kept, so never shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SecretView {
    /// Credential key id (`DELETE /admin/apps/{appId}/secrets/{keyId}` removes it).
    #[schema(format = Uuid)]
    pub key_id: String,
    /// The first three characters of the value, as Entra shows them.
    pub hint: String,
    /// The label.
    pub display_name: String,
    /// RFC 3339.
    pub start_date_time: String,
    /// RFC 3339: after this the secret no longer gets tokens (AADSTS7000222).
    pub end_date_time: String,
}

/// `POST /admin/consents/revoke`: removes Graph app roles from an app's service principal in a
/// tenant. The service principal stays, even with no role left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RevokeConsent {
    /// Tenant id or domain.
    pub tenant: String,
    /// Application (client) id.
    #[schema(format = Uuid)]
    pub app_id: String,
    /// The app roles to remove, e.g. `OnlineMeetings.ReadWrite.All`; at least one.
    pub roles: Vec<String>,
}
