//! Running the server: Teams PowerShell scripts (`POST /admin/cs`), the audit log, the request
//! inspector's records and the clock.

use serde::{Deserialize, Serialize};

/// `POST /admin/cs`: Teams PowerShell statements to run against a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RunScript {
    /// Tenant id or domain; may be left out when the server has one tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// One or more statements (`New-CsApplicationAccessPolicy …`), one a line or separated by `;`.
    pub script: String,
}

/// The answer of `POST /admin/cs`: what PowerShell would have printed, and how many statements
/// ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScriptOutput {
    /// The output, in PowerShell's list layout.
    pub output: String,
    /// How many statements were carried out.
    pub executed: u64,
}

/// What an audited event decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AuditDecision {
    /// A Graph call was authorized.
    Allowed,
    /// A Graph call was refused.
    Denied,
    /// An administrator changed the directory or the policies.
    Changed,
}

impl AuditDecision {
    /// The stored and displayed name: `allowed`, `denied` or `changed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allowed => "allowed",
            Self::Denied => "denied",
            Self::Changed => "changed",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "allowed" => Some(Self::Allowed),
            "denied" => Some(Self::Denied),
            "changed" => Some(Self::Changed),
            _ => None,
        }
    }
}

impl std::fmt::Display for AuditDecision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One entry of the audit log (`GET /admin/audit`): an admin change or an authorization
/// decision of the Graph API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEntry {
    /// When it happened.
    pub at: chrono::DateTime<chrono::Utc>,
    /// The request's id (Graph's `request-id`, or the admin request's).
    pub request_id: String,
    /// The tenant concerned.
    #[serde(default)]
    pub tenant_id: Option<uuid::Uuid>,
    /// The calling app.
    #[serde(default)]
    pub app_id: Option<uuid::Uuid>,
    /// The user acted for.
    #[serde(default)]
    pub user_id: Option<uuid::Uuid>,
    /// What was done, e.g. `CreateMeeting` or `POST /admin/policies`.
    pub operation: String,
    /// The outcome.
    pub decision: AuditDecision,
    /// Why, for people.
    pub reason: String,
}

/// One request as the request inspector (`GET /admin/requests`) shows it; nothing secret is
/// kept (no header, no body, credential query parameters redacted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RequestRecord {
    /// Increasing across surfaces: `?after=` resumes from it.
    pub seq: u64,
    /// When the answer was sent (RFC 3339).
    pub at: String,
    /// `graph`, `entra`, `admin`, `join` or `health`.
    pub surface: String,
    /// The method.
    pub method: String,
    /// The path and query, secrets redacted.
    pub path: String,
    /// The answer's status.
    pub status: u16,
    /// How long the answer took, in milliseconds.
    pub latency_ms: f64,
    /// graphmeet's request id (Graph's `request-id`).
    pub request_id: String,
    /// The caller's `client-request-id`, when it sent one.
    pub client_request_id: Option<String>,
    /// The token's tenant, once known.
    pub tenant: Option<String>,
    /// The calling app, once known.
    pub app: Option<String>,
    /// The operation (`CreateMeeting`, `token:client_credentials`, …).
    pub operation: Option<String>,
    /// The access decision's reason (allowed or denied), when one was made.
    pub decision: Option<String>,
}

/// `GET` and `POST /admin/clock`: the server's time, and whether it is the system clock or a
/// virtual one (`serve --clock manual`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClockView {
    /// The time, RFC 3339.
    pub now: String,
    /// `system` or `manual`.
    pub mode: String,
}
