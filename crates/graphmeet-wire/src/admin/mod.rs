//! The admin API's request and response bodies (`/admin/...`), shared by the server and the
//! CLI. This surface is graphmeet's own, not Microsoft's: every call needs the admin key.
//!
//! One file per concern, all re-exported here (callers name `admin::Seed`, never the file):
//! `directory` (tenants, users, apps, groups), `policy` (access policies and grants), `seed`
//! (apply and export) and `ops` (scripts, audit, requests, clock).

use serde::{Deserialize, Serialize};

mod directory;
mod ops;
mod policy;
mod seed;

pub use directory::*;
pub use ops::*;
pub use policy::*;
pub use seed::*;

/// The header that carries the admin key (`Authorization: Bearer <key>` is accepted too).
pub const ADMIN_KEY_HEADER: &str = "x-graphmeet-admin-key";

/// An admin API error body: `{"error":{"code":…,"message":…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AdminErrorBody {
    /// The error.
    pub error: AdminError,
}

/// The code and message of an admin API error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AdminError {
    /// A stable code: `unauthorized`, `notFound`, `invalidRequest`, `conflict`, `internalError`.
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
}
