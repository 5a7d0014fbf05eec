//! The seed: one declarative document of a server's directory and policies, in TOML or JSON
//! (`POST /admin/apply`, `GET /admin/export`, `graphmeet serve --seed`), and what applying it
//! reports.

use serde::{Deserialize, Serialize};

use super::UpdateUser;

/// A seed or export document could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SeedFormatError(pub String);

/// A declarative description of a server's directory and policies: the body of
/// `POST /admin/apply`, the answer of `GET /admin/export`, and the file of
/// `graphmeet serve --seed` / `graphmeet apply`. The same structure in TOML and JSON:
///
/// ```toml
/// [[tenant]]
/// id = "6f7e…"                     # optional fixed GUID
/// name = "Contoso"
/// domain = "contoso.onmicrosoft.com"
///
/// [[tenant.user]]
/// upn = "alice@contoso.onmicrosoft.com"
///
/// [[tenant.app]]
/// app_id = "1c2d…"                 # optional fixed GUID
/// name = "Meetings bot"
/// secrets = [{ value = "for-tests-only-0123456789", display_name = "ci" }]
///
/// [[tenant.consent]]
/// app = "1c2d…"
/// roles = ["OnlineMeetings.ReadWrite.All"]
///
/// [[tenant.policy]]
/// name = "bots"
/// app_ids = ["1c2d…"]
///
/// [[tenant.grant]]
/// policy = "bots"
/// user = "alice@contoso.onmicrosoft.com"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    /// The monthly meeting quota: how many online meetings one organizer may create per
    /// calendar month (UTC), as the real service's "2,000 meetings/user each month". Server-wide
    /// and read when `graphmeet serve --seed` starts (`--meeting-quota` wins); `POST
    /// /admin/apply` does not change a running server's quota, and `GET /admin/export` leaves
    /// it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting_quota: Option<u32>,
    /// The tenants (`[[tenant]]`).
    #[serde(rename = "tenant", default, skip_serializing_if = "Vec::is_empty")]
    pub tenants: Vec<SeedTenant>,
}

/// A tenant of a [`Seed`], with what lives in it. Matched by `id` when given, else by `domain`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeedTenant {
    /// A fixed tenant id; random when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<uuid::Uuid>,
    /// The tenant's name.
    pub name: String,
    /// Its initial domain; default `{name}.onmicrosoft.com` (letters and digits of the name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Users (`[[tenant.user]]`).
    #[serde(rename = "user", default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<SeedUser>,
    /// Security groups (`[[tenant.group]]`).
    #[serde(rename = "group", default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<SeedGroup>,
    /// App registrations homed in this tenant (`[[tenant.app]]`).
    #[serde(rename = "app", default, skip_serializing_if = "Vec::is_empty")]
    pub apps: Vec<SeedApp>,
    /// Admin consents given in this tenant (`[[tenant.consent]]`).
    #[serde(rename = "consent", default, skip_serializing_if = "Vec::is_empty")]
    pub consents: Vec<SeedConsent>,
    /// Application access policies (`[[tenant.policy]]`).
    #[serde(rename = "policy", default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<SeedPolicy>,
    /// Policy grants (`[[tenant.grant]]`).
    #[serde(rename = "grant", default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<SeedGrant>,
    /// Meetings, played or not (`[[tenant.meeting]]`); applied after the directory, never
    /// exported.
    #[serde(rename = "meeting", default, skip_serializing_if = "Vec::is_empty")]
    pub meetings: Vec<crate::admin_play::SeedMeeting>,
    /// Exchange Online application access policies (`[[tenant.exchange_policy]]`), counted
    /// with the application access policies in an apply's summary.
    #[serde(
        rename = "exchange_policy",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub exchange_policies: Vec<crate::admin_exchange::SeedExchangePolicy>,
}

/// A user of a [`SeedTenant`]. Matched by `id` when given, else by `upn`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeedUser {
    /// A fixed object id; random when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<uuid::Uuid>,
    /// The user principal name; its domain must be the tenant's.
    pub upn: String,
    /// Display name; default the UPN's alias.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// A password for delegated sign-in (at least 8 characters). Never exported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    // The account state of a user the seed creates (a user that exists keeps its own).
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

impl SeedUser {
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

/// A security group of a [`SeedTenant`]. Matched by `id` when given, else by `name` in the
/// tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeedGroup {
    /// A fixed object id; random when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<uuid::Uuid>,
    /// The display name.
    pub name: String,
    /// Members, by UPN (or object id), users of the same tenant; missing ones are added.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
}

/// An app registration of a [`SeedTenant`] (its home tenant). Matched by `app_id` when given,
/// else by `name` in the home tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeedApp {
    /// A fixed application (client) id; random when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<uuid::Uuid>,
    /// The display name.
    pub name: String,
    /// Whether other tenants may consent (`AzureADMultipleOrgs`).
    #[serde(default)]
    pub multi_tenant: bool,
    /// "Allow public client flows" (`isFallbackPublicClient`): the password grant without a
    /// client secret. Set, it is applied to an existing app too; left out, a new app gets
    /// `false` and an existing one keeps its setting. Exported only when on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_public_client: Option<bool>,
    /// Client secrets. Never exported (only hashes are kept).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<SeedSecret>,
    /// Certificates (public PEM), matched by thumbprint.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<SeedCertificate>,
}

/// A client secret of a [`SeedApp`]. Matched by `value` when given (its hash), else by
/// `display_name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeedSecret {
    /// The secret's value, stored (as its hash) so that test suites get reproducible
    /// credentials; at least 16 characters. For test use: a value in a file is no secret.
    /// Left out, a random value is made and returned once in the apply answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// A label; default `graphmeet`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Days until expiry; default 730.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i64>,
}

/// A certificate of a [`SeedApp`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeedCertificate {
    /// The certificate, PEM (a private key in the text is ignored; exports hold none).
    pub pem: String,
}

/// Admin consent in a [`SeedTenant`] for an app (of this tenant, or a multi-tenant app of
/// another): roles are merged into what the service principal already holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeedConsent {
    /// The application (client) id.
    pub app: uuid::Uuid,
    /// Graph application permissions, e.g. `OnlineMeetings.ReadWrite.All`; may be empty (a
    /// service principal with no role).
    #[serde(default)]
    pub roles: Vec<String>,
}

/// An application access policy of a [`SeedTenant`], matched by name; an existing policy is
/// left as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeedPolicy {
    /// `-Identity`.
    pub name: String,
    /// `-AppIds`: plain GUIDs, registered here or not.
    #[serde(default)]
    pub app_ids: Vec<uuid::Uuid>,
    /// `-Description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A policy grant of a [`SeedTenant`]: exactly one of `user`, `group` or `global = true`. Set
/// only when the target's live grant differs (another policy, or another rank).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeedGrant {
    /// The policy's name.
    pub policy: String,
    /// A user, by UPN or object id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// A group, by name or object id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// `-Rank` of a group grant; default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<i64>,
    /// `-Global`: the whole tenant.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub global: bool,
}

impl Seed {
    /// Reads a seed from TOML; the error says where and what.
    pub fn from_toml(text: &str) -> Result<Seed, SeedFormatError> {
        toml::from_str(text).map_err(|e| SeedFormatError(e.to_string().trim_end().to_owned()))
    }

    /// Writes the seed as TOML (`[[tenant]]`, `[[tenant.user]]`, …).
    pub fn to_toml(&self) -> Result<String, SeedFormatError> {
        toml::to_string(self).map_err(|e| SeedFormatError(e.to_string()))
    }

    /// Reads a seed from JSON.
    pub fn from_json(text: &str) -> Result<Seed, SeedFormatError> {
        serde_json::from_str(text).map_err(|e| SeedFormatError(e.to_string()))
    }
}

/// How many objects of each kind an apply created, changed or found as they were.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
pub struct SeedCounts {
    /// Tenants.
    #[serde(default)]
    pub tenants: u64,
    /// Users.
    #[serde(default)]
    pub users: u64,
    /// Groups.
    #[serde(default)]
    pub groups: u64,
    /// Group memberships.
    #[serde(default)]
    pub members: u64,
    /// App registrations.
    #[serde(default)]
    pub apps: u64,
    /// Client secrets.
    #[serde(default)]
    pub secrets: u64,
    /// Certificates.
    #[serde(default)]
    pub certificates: u64,
    /// Consents (service principals; `updated` when roles were added).
    #[serde(default)]
    pub consents: u64,
    /// Application access policies.
    #[serde(default)]
    pub policies: u64,
    /// Policy grants (`updated` when a target's grant was replaced).
    #[serde(default)]
    pub grants: u64,
}

impl SeedCounts {
    /// The sum over every kind.
    pub fn total(&self) -> u64 {
        self.tenants
            + self.users
            + self.groups
            + self.members
            + self.apps
            + self.secrets
            + self.certificates
            + self.consents
            + self.policies
            + self.grants
    }
}

/// `POST /admin/apply` answer: what was created, changed, and left as it was. Applying the
/// same seed again answers all `unchanged`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
pub struct ApplySummary {
    /// Objects created.
    pub created: SeedCounts,
    /// Objects changed: consents given more roles, grants replaced.
    pub updated: SeedCounts,
    /// Objects found as the seed describes them (or existing, left as they are).
    pub unchanged: SeedCounts,
    /// Secrets created without a value in the seed: their values, shown this once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub generated_secrets: Vec<GeneratedSecret>,
    /// What the seed's meetings did, when it has any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub played: Option<crate::admin_play::SeedPlayed>,
}

/// A secret the apply generated (the seed gave no value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GeneratedSecret {
    /// The application (client) id.
    #[schema(format = Uuid)]
    pub app_id: String,
    /// Credential key id.
    #[schema(format = Uuid)]
    pub key_id: String,
    /// The label.
    pub display_name: String,
    /// The secret value; graphmeet keeps only its hash.
    pub secret_text: String,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const SEED: &str = r#"
[[tenant]]
name = "Contoso"

[[tenant.user]]
upn = "alice@contoso.onmicrosoft.com"

[[tenant.app]]
name = "Bot"
secrets = [{ value = "0123456789abcdef" }]

[[tenant.grant]]
policy = "p"
global = true
"#;

    #[test]
    fn toml_and_json_carry_the_same_seed() {
        let seed = Seed::from_toml(SEED).unwrap();
        assert_eq!(
            seed.tenants[0].users[0].upn,
            "alice@contoso.onmicrosoft.com"
        );
        assert_eq!(
            seed.tenants[0].apps[0].secrets[0].value.as_deref(),
            Some("0123456789abcdef")
        );
        assert!(seed.tenants[0].grants[0].global);
        let toml = seed.to_toml().unwrap();
        assert_eq!(Seed::from_toml(&toml).unwrap(), seed);
        let json = serde_json::to_string(&seed).unwrap();
        assert!(
            json.starts_with(r#"{"tenant":[{"name":"Contoso","user":"#),
            "{json}"
        );
        assert_eq!(Seed::from_json(&json).unwrap(), seed);
    }

    #[test]
    fn unknown_keys_and_bad_ids_are_errors_that_say_where() {
        let typo = Seed::from_toml("[[tenant]]\nname = \"X\"\ndomian = \"x.example\"\n")
            .unwrap_err()
            .to_string();
        assert!(typo.contains("domian") && typo.contains("line 3"), "{typo}");
        let bad_id = Seed::from_toml("[[tenant]]\nid = \"nope\"\nname = \"X\"\n")
            .unwrap_err()
            .to_string();
        assert!(bad_id.contains("line 2"), "{bad_id}");
    }
}
