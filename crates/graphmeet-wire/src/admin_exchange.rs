//! The admin API's JSON for Exchange Online's application access policies
//! (`/admin/exchange-policies`): the bodies of New-, Set- and Remove-ApplicationAccessPolicy,
//! a policy as listed, and Test-ApplicationAccessPolicy's answer.

use serde::{Deserialize, Serialize};

/// `POST /admin/exchange-policies`: `New-ApplicationAccessPolicy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewExchangePolicyBody {
    /// Tenant id or domain [default: the server's only tenant].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// `-AppId`: app ids, or `*` for every app.
    pub app_ids: Vec<String>,
    /// `-PolicyScopeGroupId`: the group's object id or name.
    pub scope: String,
    /// `-AccessRight`: `RestrictAccess` or `DenyAccess`.
    pub access_right: String,
    /// `-Description` [default: Exchange's generated one].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `POST /admin/exchange-policies/set`: `Set-ApplicationAccessPolicy -Description`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SetExchangePolicyBody {
    /// Tenant id or domain [default: the server's only tenant].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// The policy's `Identity` (or id).
    pub identity: String,
    /// The new description.
    pub description: String,
}

/// `POST /admin/exchange-policies/remove`: `Remove-ApplicationAccessPolicy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RemoveExchangePolicyBody {
    /// Tenant id or domain [default: the server's only tenant].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// The policy's `Identity` (or id).
    pub identity: String,
}

/// A policy as the admin API lists it (the cmdlet's fields, snake_case).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ExchangePolicyView {
    /// graphmeet's id of the policy.
    pub id: String,
    /// `Identity`: `{tenantId}\{appId}:{groupSid};{groupObjectId}`.
    pub identity: String,
    /// `AppId` (`*` for every app).
    pub app_id: String,
    /// `ScopeName`.
    pub scope_name: String,
    /// `ScopeIdentityRaw`.
    pub scope_identity_raw: String,
    /// `AccessRight`.
    pub access_right: String,
    /// `Description`.
    pub description: String,
    /// When it was made (RFC 3339).
    pub created_at: String,
}

/// `GET /admin/exchange-policies/test`: `Test-ApplicationAccessPolicy`, and what a Graph call
/// gets now (which lags behind by the propagation delay).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ExchangeTestView {
    /// `AppId`.
    pub app_id: String,
    /// `Mailbox` (the alias).
    pub mailbox: String,
    /// `MailboxId`.
    pub mailbox_id: String,
    /// `MailboxSid`.
    pub mailbox_sid: String,
    /// `AccessCheckResult`: `Granted` or `Denied`, on the policies as they are now.
    pub access_check_result: String,
    /// Why, on the policies as they are now.
    pub reason: String,
    /// Whether a Graph calendar call is allowed now (after the propagation delay).
    pub graph_allowed: bool,
    /// Why, as the Graph call is decided.
    pub graph_reason: String,
}

/// An Exchange application access policy of a seed (`[[tenant.exchange_policy]]`): what
/// `New-ApplicationAccessPolicy` takes. Applying makes the policies that are not live yet
/// (one per app); export writes one entry per live policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeedExchangePolicy {
    /// App ids, or `*` for every app.
    pub app_ids: Vec<String>,
    /// The scope group: its object id or name (a group of the seed's tenant).
    pub scope: String,
    /// `RestrictAccess` or `DenyAccess`.
    pub access_right: String,
    /// The description [default: Exchange's generated one].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}
