//! The admin API (`/admin/...`): graphmeet's own surface for creating tenants, users, apps,
//! credentials and consent. Every call needs the admin key that `serve` writes to the data
//! directory; errors are `{"error":{"code","message"}}`.
//!
//! This file owns the router and the parsing shared by the handlers. The handlers live by
//! resource (`tenants`, `users`, `groups`, `apps`, `policies`, `audit`, `seed`, and `ops` for the
//! server's own keys, clock, metrics and request log); `error` is the admin error body,
//! `extract` the extractors whose rejections speak it, `auth` the admin-key check, `views` the
//! records as the admin API shows them.

mod apps;
mod audit;
mod auth;
mod error;
mod extract;
mod groups;
mod ops;
mod policies;
mod seed;
mod tenants;
mod users;
mod views;

use crate::state::AppState;
use chrono::Duration;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;
use uuid::Uuid;

pub(crate) use apps::{
    add_certificate, add_secret, create_app, delete_app, grant_consent, remove_certificate,
    remove_secret, revoke_consent, update_app,
};
pub use error::AdminFailure;
pub use extract::{AdminJson, AdminPath, AdminQuery};
pub(crate) use groups::{add_member, create_group, delete_group, remove_member};
pub(crate) use policies::{grant_policy, new_policy, remove_policy, set_policy, TenantQuery};
pub(crate) use tenants::{create_tenant, delete_tenant};
pub(crate) use users::{create_user, delete_user, update_user};
pub use views::rfc3339;

/// The largest seed `POST /admin/apply` reads.
pub const SEED_BODY_LIMIT: usize = 256 * 1024 * 1024;

/// The admin routes, with `more` (the `cs` script route, which builds on this module's error
/// and extractors and so cannot be named here without a circle), behind the admin-key check.
pub fn router(state: AppState, more: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(tenants::create_tenant, tenants::list_tenants))
        .routes(routes!(tenants::delete_tenant))
        .routes(routes!(users::list_users))
        .routes(routes!(groups::list_groups))
        .routes(routes!(users::create_user))
        .routes(routes!(users::update_user, users::delete_user))
        .routes(routes!(apps::create_app, apps::list_apps))
        .routes(routes!(apps::update_app, apps::delete_app))
        .routes(routes!(apps::list_credentials))
        .routes(routes!(apps::add_secret))
        .routes(routes!(apps::remove_secret))
        .routes(routes!(apps::add_certificate))
        .routes(routes!(apps::remove_certificate))
        .routes(routes!(apps::grant_consent))
        .routes(routes!(apps::revoke_consent))
        .routes(routes!(ops::rotate_keys))
        .routes(routes!(groups::create_group))
        .routes(routes!(groups::delete_group))
        .routes(routes!(groups::add_member, groups::list_members))
        .routes(routes!(groups::remove_member))
        .routes(routes!(policies::new_policy, policies::get_policies))
        .routes(routes!(policies::set_policy, policies::remove_policy))
        .routes(routes!(policies::grant_policy, policies::list_grants))
        .routes(routes!(policies::explain_policy))
        .routes(routes!(audit::query_audit))
        .routes(routes!(ops::recent_requests))
        .routes(routes!(ops::get_clock, ops::move_clock))
        .routes(routes!(ops::metrics))
        // A seed of a large tenant is tens of megabytes of JSON (100,000 users and grants:
        // about 10 MB); only an administrator can send one.
        .routes(
            routes!(seed::apply_seed).layer(axum::extract::DefaultBodyLimit::max(SEED_BODY_LIMIT)),
        )
        .routes(routes!(seed::export_seed))
        .routes(routes!(seed::reset))
        .merge(more)
        .route_layer(axum::middleware::from_fn_with_state(
            state,
            auth::require_admin_key,
        ))
}

fn parse_app_id(text: &str) -> Result<Uuid, AdminFailure> {
    Uuid::parse_str(text)
        .map_err(|_| AdminFailure::invalid(format!("'{text}' is not an application id (a GUID)")))
}

fn days(value: Option<i64>, default: i64) -> Result<Duration, AdminFailure> {
    let days = value.unwrap_or(default);
    if !(1..=3650).contains(&days) {
        return Err(AdminFailure::invalid(format!(
            "days must be between 1 and 3650, not {days}"
        )));
    }
    Ok(Duration::days(days))
}

fn parse_uuid(text: &str, what: &str) -> Result<Uuid, AdminFailure> {
    Uuid::parse_str(text)
        .map_err(|_| AdminFailure::invalid(format!("'{text}' is not a {what} (a GUID)")))
}

fn parse_uuids(texts: &[String], what: &str) -> Result<Vec<Uuid>, AdminFailure> {
    texts.iter().map(|t| parse_uuid(t.trim(), what)).collect()
}
