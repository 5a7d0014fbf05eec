//! The directory's records, in graphmeet's own terms.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A tenant as a request or a command names it: by id (a GUID, in any case) or by one of its
/// domains. Parsed once, at the edge.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TenantRef {
    /// The tenant id.
    Id(Uuid),
    /// A verified domain, lower-case.
    Domain(String),
}

impl TenantRef {
    /// A GUID names the tenant by id; anything else is a domain.
    pub fn parse(text: &str) -> Self {
        let text = text.trim();
        match Uuid::parse_str(text) {
            Ok(id) => Self::Id(id),
            Err(_) => Self::Domain(text.to_ascii_lowercase()),
        }
    }
}

impl std::fmt::Display for TenantRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Id(id) => write!(f, "{id}"),
            Self::Domain(d) => f.write_str(d),
        }
    }
}

/// A user as a request or a command names it: by object id or by user principal name. Parsed
/// once, at the edge.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum UserRef {
    /// The object id.
    Id(Uuid),
    /// The UPN (or whatever else the segment held, which then matches no user), as written.
    Upn(String),
}

impl UserRef {
    /// A GUID names the user by object id; anything else is a UPN.
    pub fn parse(text: &str) -> Self {
        match Uuid::parse_str(text.trim()) {
            Ok(id) => Self::Id(id),
            Err(_) => Self::Upn(text.to_owned()),
        }
    }
}

impl std::fmt::Display for UserRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Id(id) => write!(f, "{id}"),
            Self::Upn(upn) => f.write_str(upn),
        }
    }
}

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
    /// What Teams checks of the account before the user may organise a meeting.
    #[serde(default)]
    pub account: Account,
}

/// `userType`: a member of the tenant, or a guest invited from elsewhere (B2B).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum UserType {
    /// A member (Graph's `"Member"`).
    #[default]
    Member,
    /// A guest (Graph's `"Guest"`).
    Guest,
}

impl UserType {
    /// Graph's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "Member",
            Self::Guest => "Guest",
        }
    }

    /// Graph's spelling, case-insensitively (`member`, `Guest`, ...).
    pub fn parse(text: &str) -> Option<Self> {
        if text.eq_ignore_ascii_case("member") {
            Some(Self::Member)
        } else if text.eq_ignore_ascii_case("guest") {
            Some(Self::Guest)
        } else {
            None
        }
    }
}

/// A user's account state: enabled or not, member or guest, and the licences Teams meetings
/// depend on. A new user is an enabled member with a Teams licence and an Audio Conferencing
/// licence (what a developer tenant's E5 user has), so that nothing changes for those who do not
/// model licences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// `accountEnabled`: a disabled account cannot sign in nor organise meetings.
    pub enabled: bool,
    /// `userType`.
    pub user_type: UserType,
    /// A licence with the Microsoft Teams service plan (e.g. Office 365 E3 or E5).
    pub teams_license: bool,
    /// The Audio Conferencing licence: the organizer's meetings get dial-in details
    /// (`audioConferencing`); without it they have none.
    pub audio_conferencing: bool,
    /// `mail`, the primary SMTP address; `None` for a user without a mailbox. A new user's is
    /// the UPN.
    pub mail: Option<String>,
}

impl Default for Account {
    fn default() -> Self {
        Self {
            enabled: true,
            user_type: UserType::Member,
            teams_license: true,
            audio_conferencing: true,
            mail: None,
        }
    }
}

/// A prerequisite of organising a Teams meeting that a user's account lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingPrerequisite {
    /// The account is disabled (`accountEnabled: false`).
    AccountDisabled,
    /// The user is a guest of the tenant.
    Guest,
    /// The user has no licence with the Teams service plan.
    NoTeamsLicense,
}

impl MissingPrerequisite {
    /// What is missing, in a sentence.
    pub fn describe(self) -> &'static str {
        match self {
            Self::AccountDisabled => {
                "the organizer's account is disabled (accountEnabled is false)"
            }
            Self::Guest => {
                "the organizer is a guest of the tenant; only members can organise Teams meetings"
            }
            Self::NoTeamsLicense => "the organizer has no licence with Microsoft Teams",
        }
    }

    /// What fixes it.
    pub fn fix(self) -> &'static str {
        match self {
            Self::AccountDisabled => {
                "enable the account (Update-MgUser -UserId <id> -AccountEnabled:$true)"
            }
            Self::Guest => "organise the meeting as a member of the tenant",
            Self::NoTeamsLicense => "assign the user a licence that includes Microsoft Teams",
        }
    }
}

impl Account {
    /// The first prerequisite of organising a Teams meeting the account lacks, checked in the
    /// order the service checks them: the account, its type, its licence.
    pub fn missing_prerequisite(&self) -> Option<MissingPrerequisite> {
        if !self.enabled {
            Some(MissingPrerequisite::AccountDisabled)
        } else if self.user_type == UserType::Guest {
            Some(MissingPrerequisite::Guest)
        } else if !self.teams_license {
            Some(MissingPrerequisite::NoTeamsLicense)
        } else {
            None
        }
    }
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
    /// "Allow public client flows" (`isFallbackPublicClient` on the Graph application,
    /// `allowPublicClient` in the manifest): whether the app may use the resource-owner
    /// password grant without authenticating itself. Off for a new registration, as in Entra.
    #[serde(default)]
    pub allow_public_client: bool,
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
/// for the users it is granted to. It keeps its history (when each app was listed and
/// unlisted, when it was removed), because changes reach Graph only after a propagation delay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessPolicy {
    /// The policy's own id; a name can be reused after the policy is removed.
    pub id: Uuid,
    /// The tenant.
    pub tenant_id: Uuid,
    /// The policy's name (`-Identity`); unique per tenant among live policies, ignoring case.
    pub name: String,
    /// `-Description`.
    pub description: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When `Remove-CsApplicationAccessPolicy` removed it.
    pub removed_at: Option<DateTime<Utc>>,
    /// Every app the policy has listed, with when it was added and removed, oldest first.
    pub apps: Vec<PolicyApp>,
}

/// One app listed by a policy for a period of time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyApp {
    /// The application (client) id.
    pub app_id: Uuid,
    /// When it was added to the policy.
    pub added_at: DateTime<Utc>,
    /// When it was removed from the policy.
    pub removed_at: Option<DateTime<Utc>>,
}

/// Whether `[from, until)` contains `t`.
fn live_at(from: DateTime<Utc>, until: Option<DateTime<Utc>>, t: DateTime<Utc>) -> bool {
    from <= t && until.is_none_or(|u| t < u)
}

impl AccessPolicy {
    /// Whether the policy existed at `t`.
    pub fn exists_at(&self, t: DateTime<Utc>) -> bool {
        live_at(self.created_at, self.removed_at, t)
    }

    /// The apps it listed at `t`, in the order they were added.
    pub fn app_ids_at(&self, t: DateTime<Utc>) -> Vec<Uuid> {
        self.apps
            .iter()
            .filter(|a| live_at(a.added_at, a.removed_at, t))
            .map(|a| a.app_id)
            .collect()
    }

    /// The apps it lists now (ignoring propagation).
    pub fn current_app_ids(&self) -> Vec<Uuid> {
        self.apps
            .iter()
            .filter(|a| a.removed_at.is_none())
            .map(|a| a.app_id)
            .collect()
    }
}

/// Whom a policy is granted to (`Grant-CsApplicationAccessPolicy -Identity | -Group | -Global`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

impl GrantTarget {
    /// The kind of grant: `user`, `group` or `global`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::User(_) => "user",
            Self::Group { .. } => "group",
            Self::Global => "global",
        }
    }
}

/// A policy granted to a target for a period of time. A target holds one live grant; a new
/// grant ends the previous one, and `-PolicyName $null` ends it without a successor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyGrant {
    /// The tenant.
    pub tenant_id: Uuid,
    /// Whom it is granted to.
    pub target: GrantTarget,
    /// The granted policy's id.
    pub policy_id: Uuid,
    /// The granted policy's name.
    pub policy_name: String,
    /// When it was granted.
    pub granted_at: DateTime<Utc>,
    /// When it was replaced or revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl PolicyGrant {
    /// Whether the grant was in force at `t`.
    pub fn live_at(&self, t: DateTime<Utc>) -> bool {
        live_at(self.granted_at, self.revoked_at, t)
    }
}

/// A Teams online meeting as stored: the keys the database indexes, and the resource itself as
/// the Graph JSON document (`graphmeet_wire::graph::OnlineMeeting`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredMeeting {
    /// The Graph meeting id (base64 of `1*{organizer}*0**{threadId}`).
    pub id: String,
    /// The organizer's tenant.
    pub tenant_id: Uuid,
    /// The organizer's object id.
    pub organizer_id: Uuid,
    /// The createOrGet key, unique per (tenant, organizer).
    pub external_id: Option<String>,
    /// The meeting's conversation, unique: a private meeting's chat thread id
    /// (`19:meeting_…@thread.v2`); for a channel meeting, whose channel thread holds many
    /// meetings, `{channel thread id}/{message id}` (see [`conversation_key`]).
    pub thread_id: String,
    /// The numeric join id, unique per tenant.
    pub join_meeting_id: String,
    /// The join URL.
    pub join_web_url: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
    /// The onlineMeeting resource, JSON.
    pub document: String,
}

/// A meeting's revision as a reader asked for it: the document comes only when the revision is
/// not the one the reader already holds (see [`crate::store::Store::get_meeting_revision`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MeetingRevision {
    /// The stored revision is the one the reader named.
    Unchanged,
    /// Another revision (or the reader named none): it and its document.
    Changed {
        /// How many times the document has been updated since the meeting was stored.
        revision: i64,
        /// The onlineMeeting resource, JSON.
        document: String,
    },
}

pub use graphmeet_wire::admin::{AuditDecision, AuditEntry};

/// One row of the directory change log: something authorization or the token endpoint reads
/// changed, in one transaction that committed before any later row's. Instances catch up on the
/// rows after the last one they applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryChange {
    /// The row's position in the log; increases with commit order.
    pub seq: i64,
    /// What changed.
    pub entity: ChangedEntity,
}

/// What a [`DirectoryChange`] is about; each names the record to read again.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ChangedEntity {
    /// A tenant or its domains.
    Tenant(Uuid),
    /// A user.
    User(Uuid),
    /// A user's group memberships.
    Memberships(Uuid),
    /// An app registration or its credentials.
    App(Uuid),
    /// An app's service principal (or its roles) in a tenant.
    ServicePrincipal {
        /// The tenant.
        tenant_id: Uuid,
        /// The app.
        app_id: Uuid,
    },
    /// The signing keys.
    SigningKeys,
    /// A tenant's access policies or the apps they list.
    Policies(Uuid),
    /// The grants of one assignee (a user, a group or the whole tenant) of a tenant.
    Grants {
        /// The tenant.
        tenant_id: Uuid,
        /// The assignee; a group's rank is not part of the key (read as 0).
        assignee: GrantTarget,
    },
    /// A tenant's Exchange Online application access policies.
    ExchangePolicies(Uuid),
    /// A row the log could not read (a newer server's kind); read everything again.
    Unknown,
}

/// Which audit entries to read; every field narrows the result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Only this tenant.
    pub tenant_id: Option<Uuid>,
    /// Only this app.
    pub app_id: Option<Uuid>,
    /// Only this user.
    pub user_id: Option<Uuid>,
    /// Only this outcome.
    pub decision: Option<AuditDecision>,
    /// Only entries at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// At most this many, newest first.
    pub limit: u32,
}

/// The unique conversation key of a meeting ([`StoredMeeting::thread_id`]): the thread id of a
/// private meeting (message id `0`), `{thread id}/{message id}` for a channel meeting.
pub fn conversation_key(thread_id: &str, message_id: &str) -> String {
    if message_id == "0" {
        thread_id.to_owned()
    } else {
        format!("{thread_id}/{message_id}")
    }
}
