//! The directory's records, in graphmeet's own terms.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A directory (Entra tenant): its id and its verified domains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    /// The tenant id (`tid`).
    pub id: Uuid,
    /// A human name for the tenant.
    pub display_name: String,
    /// Verified domains, the `*.onmicrosoft.com` initial domain first; stored lower-case.
    pub domains: Vec<String>,
    /// When the tenant was created (`xms_tcdt`).
    pub created_at: DateTime<Utc>,
}

/// A user of a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// The user's object id.
    pub id: Uuid,
    /// The tenant the user belongs to.
    pub tenant_id: Uuid,
    /// The user principal name, e.g. `alice@contoso.onmicrosoft.com`; unique across tenants.
    pub upn: String,
    /// The display name.
    pub display_name: String,
    /// A password hash for delegated (resource-owner password) sign-in, if the user has one.
    #[serde(skip)]
    pub password_hash: Option<String>,
    /// When the user was created.
    pub created_at: DateTime<Utc>,
}

/// A security group of a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// The group's object id.
    pub id: Uuid,
    /// The tenant the group belongs to.
    pub tenant_id: Uuid,
    /// The display name.
    pub display_name: String,
    /// When the group was created.
    pub created_at: DateTime<Utc>,
}

/// An app registration (the application object in its home tenant).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct App {
    /// The application (client) id.
    pub app_id: Uuid,
    /// The application object's id in the home tenant.
    pub object_id: Uuid,
    /// The tenant the app is registered in.
    pub home_tenant_id: Uuid,
    /// The display name, sent as `app_displayname` in tokens.
    pub display_name: String,
    /// Whether other tenants may consent to the app (`AzureADMultipleOrgs`).
    pub multi_tenant: bool,
    /// When the app was registered.
    pub created_at: DateTime<Utc>,
}

/// A client secret of an app. Only a hash of the secret is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretCredential {
    /// The credential's key id.
    pub key_id: Uuid,
    /// The app it belongs to.
    pub app_id: Uuid,
    /// A label.
    pub display_name: String,
    /// The first three characters of the secret, as Entra shows them.
    pub hint: String,
    /// SHA-256 of the secret, hex.
    #[serde(skip)]
    pub hash: String,
    /// When the secret becomes valid.
    pub start: DateTime<Utc>,
    /// When the secret expires.
    pub end: DateTime<Utc>,
}

/// A certificate credential of an app (`AsymmetricX509Cert`, usage `Verify`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateCredential {
    /// The credential's key id.
    pub key_id: Uuid,
    /// The app it belongs to.
    pub app_id: Uuid,
    /// A label; by default the certificate's subject.
    pub display_name: String,
    /// SHA-1 thumbprint of the DER certificate, upper-case hex (`customKeyIdentifier`).
    pub thumbprint_sha1: String,
    /// SHA-256 thumbprint of the DER certificate, upper-case hex.
    pub thumbprint_sha256: String,
    /// The DER certificate.
    #[serde(skip)]
    pub der: Vec<u8>,
    /// The certificate's notBefore.
    pub start: DateTime<Utc>,
    /// The certificate's notAfter.
    pub end: DateTime<Utc>,
}

/// An app's service principal in one tenant: exists once that tenant consented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServicePrincipal {
    /// The service principal's object id (`oid`/`sub` of the app's tokens in this tenant).
    pub id: Uuid,
    /// The tenant.
    pub tenant_id: Uuid,
    /// The app.
    pub app_id: Uuid,
    /// Microsoft Graph app roles granted by admin consent, e.g. `OnlineMeetings.ReadWrite.All`.
    pub app_roles: Vec<String>,
    /// When the service principal was created.
    pub created_at: DateTime<Utc>,
}

/// A token-signing key: an RSA key and its self-signed certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningKey {
    /// The key id: base64url SHA-1 thumbprint of the certificate (`kid` = `x5t`).
    pub kid: String,
    /// The private key, PKCS#8 DER.
    pub private_pkcs8_der: Vec<u8>,
    /// The self-signed certificate, DER.
    pub cert_der: Vec<u8>,
    /// When the key was created; the newest unretired key signs.
    pub created_at: DateTime<Utc>,
    /// When a newer key replaced it; it stays published until its tokens have expired.
    pub retired_at: Option<DateTime<Utc>>,
}

/// A Teams application access policy (`New-CsApplicationAccessPolicy`): the apps that may act
/// for the users it is granted to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessPolicy {
    /// The tenant.
    pub tenant_id: Uuid,
    /// The policy's name (`-Identity`); unique per tenant, case-insensitively.
    pub name: String,
    /// The application ids it lists (`-AppIds`).
    pub app_ids: Vec<Uuid>,
    /// `-Description`.
    pub description: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// Whom a policy is granted to (`Grant-CsApplicationAccessPolicy -Identity | -Group | -Global`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GrantTarget {
    /// One user, by object id.
    User(Uuid),
    /// The members of a group; among a user's groups the lowest rank wins.
    Group {
        /// The group's object id.
        id: Uuid,
        /// `-Rank`.
        rank: i64,
    },
    /// The whole tenant.
    Global,
}

/// A policy granted to a target; a target holds at most one grant, and a new one replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyGrant {
    /// The tenant.
    pub tenant_id: Uuid,
    /// Whom it is granted to.
    pub target: GrantTarget,
    /// The policy's name.
    pub policy_name: String,
    /// When it was granted (policies take effect after a propagation delay).
    pub granted_at: DateTime<Utc>,
}
