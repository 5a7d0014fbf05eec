//! Application access policies and their grants: `New-`, `Set-` and
//! `Grant-CsApplicationAccessPolicy` as admin API calls.

use serde::{Deserialize, Serialize};

/// `POST /admin/policies` (`New-CsApplicationAccessPolicy`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewPolicy {
    /// Tenant id or domain; may be left out when the server has one tenant.
    #[serde(default)]
    pub tenant: Option<String>,
    /// `-Identity`.
    pub identity: String,
    /// `-AppIds`.
    #[serde(default)]
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub app_ids: Vec<String>,
    /// `-Description`.
    #[serde(default)]
    pub description: Option<String>,
}

/// `PATCH /admin/policies/{identity}` (`Set-CsApplicationAccessPolicy`): one of the app-id
/// changes, and/or a description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PolicyView {
    /// `Tag:{name}`.
    pub identity: String,
    /// The name (`-PolicyName` in grants).
    pub name: String,
    /// The listed app ids.
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub app_ids: Vec<String>,
    /// The description.
    pub description: String,
    /// The tenant id.
    pub tenant_id: String,
}

/// `POST /admin/policy-grants` (`Grant-CsApplicationAccessPolicy`): exactly one of `user`,
/// `group` or `global`; `policy_name: null` revokes the target's grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
