//! `/admin/tenants/{tenant}/users` and `/admin/users/{user}`: create, update, list and delete
//! users.

use super::error::AdminFailure;
use super::extract::{AdminJson, AdminPath};
use super::views::user_view;

use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use graphmeet_core::directory::UserChanges;
use graphmeet_wire::admin::*;

#[utoipa::path(post, path = "/admin/users", tag = "users", description = "Creates a user.", request_body = CreateUser, responses((status = 201, description = "The new user", body = UserView)))]
pub(crate) async fn create_user(
    State(state): State<AppState>,
    AdminJson(body): AdminJson<CreateUser>,
) -> Result<(StatusCode, Json<UserView>), AdminFailure> {
    let changes = UserChanges::try_from(&body.settings())?;
    let user = state
        .directory
        .create_user_with(
            &body.tenant,
            &body.upn,
            body.password.as_deref(),
            None,
            &changes,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(user_view(user))))
}

/// Changes a user's display name or account state (enabled, member or guest, licences, mail).
#[utoipa::path(patch, path = "/admin/users/{user}", tag = "users", description = "Changes a user's account state, names or licences.", request_body = UpdateUser, params(("user" = String, Path, description = "User object id, or UPN")), responses((status = 200, description = "The user", body = UserView)))]
pub(crate) async fn update_user(
    State(state): State<AppState>,
    AdminPath(user): AdminPath<String>,
    AdminJson(body): AdminJson<UpdateUser>,
) -> Result<Json<UserView>, AdminFailure> {
    let changes = UserChanges::try_from(&body)?;
    let user = state.directory.update_user(&user, &changes).await?;
    Ok(Json(user_view(user)))
}

#[utoipa::path(get, path = "/admin/tenants/{tenant}/users", tag = "users", description = "Lists a tenant's users.", params(("tenant" = String, Path, description = "Tenant id or domain")), responses((status = 200, description = "The users", body = [UserView])))]
pub(super) async fn list_users(
    State(state): State<AppState>,
    AdminPath(tenant): AdminPath<String>,
) -> Result<Json<Vec<UserView>>, AdminFailure> {
    let tenant = state.directory.tenant(&tenant).await?;
    Ok(Json(
        state
            .directory
            .users(&tenant)
            .await?
            .into_iter()
            .map(user_view)
            .collect(),
    ))
}

#[utoipa::path(delete, path = "/admin/users/{user}", tag = "users", description = "Deletes a user.", params(("user" = String, Path, description = "User object id, or UPN")), responses((status = 204, description = "Deleted")))]
pub(crate) async fn delete_user(
    State(state): State<AppState>,
    AdminPath(user): AdminPath<String>,
) -> Result<StatusCode, AdminFailure> {
    state.directory.delete_user(&user).await?;
    Ok(StatusCode::NO_CONTENT)
}
