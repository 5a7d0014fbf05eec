//! `/admin/groups`: groups and their members.

use super::error::AdminFailure;
use super::extract::{AdminJson, AdminPath};
use super::parse_uuid;
use super::views::{group_view, user_view};

use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use graphmeet_wire::admin::*;

#[utoipa::path(post, path = "/admin/groups", tag = "groups", description = "Creates a group.", request_body = CreateGroup, responses((status = 201, description = "The new group", body = GroupView)))]
pub(crate) async fn create_group(
    State(state): State<AppState>,
    AdminJson(body): AdminJson<CreateGroup>,
) -> Result<(StatusCode, Json<GroupView>), AdminFailure> {
    let group = state
        .directory
        .create_group(&body.tenant, &body.display_name)
        .await?;
    Ok((StatusCode::CREATED, Json(group_view(group))))
}

#[utoipa::path(post, path = "/admin/groups/{group_id}/members", tag = "groups", description = "Adds a user to a group.", request_body = GroupMember, params(("group_id" = Uuid, Path, description = "Group object id")), responses((status = 204, description = "Added")))]
pub(crate) async fn add_member(
    State(state): State<AppState>,
    AdminPath(group_id): AdminPath<String>,
    AdminJson(body): AdminJson<GroupMember>,
) -> Result<StatusCode, AdminFailure> {
    state
        .directory
        .add_group_member(
            parse_uuid(&group_id, "group id")?,
            parse_uuid(&body.user_id, "user id")?,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/admin/groups/{group_id}/members/{user_id}", tag = "groups", description = "Removes a user from a group.", params(("group_id" = Uuid, Path, description = "Group object id"), ("user_id" = Uuid, Path, description = "User object id")), responses((status = 204, description = "Removed")))]
pub(crate) async fn remove_member(
    State(state): State<AppState>,
    AdminPath((group_id, user_id)): AdminPath<(String, String)>,
) -> Result<StatusCode, AdminFailure> {
    let removed = state
        .directory
        .remove_group_member(
            parse_uuid(&group_id, "group id")?,
            parse_uuid(&user_id, "user id")?,
        )
        .await?;
    if removed {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AdminFailure::new(
            StatusCode::NOT_FOUND,
            "notFound",
            format!("user {user_id} is not a member of group {group_id}"),
        ))
    }
}

#[utoipa::path(get, path = "/admin/tenants/{tenant}/groups", tag = "groups", description = "Lists a tenant's groups.", params(("tenant" = String, Path, description = "Tenant id or domain")), responses((status = 200, description = "The groups", body = [GroupView])))]
pub(super) async fn list_groups(
    State(state): State<AppState>,
    AdminPath(tenant): AdminPath<String>,
) -> Result<Json<Vec<GroupView>>, AdminFailure> {
    Ok(Json(
        state
            .directory
            .groups(&tenant)
            .await?
            .into_iter()
            .map(group_view)
            .collect(),
    ))
}

#[utoipa::path(get, path = "/admin/groups/{group_id}/members", tag = "groups", description = "Lists a group's members.", params(("group_id" = Uuid, Path, description = "Group object id")), responses((status = 200, description = "The members", body = [UserView])))]
pub(super) async fn list_members(
    State(state): State<AppState>,
    AdminPath(group_id): AdminPath<String>,
) -> Result<Json<Vec<UserView>>, AdminFailure> {
    Ok(Json(
        state
            .directory
            .group_members(parse_uuid(&group_id, "group id")?)
            .await?
            .into_iter()
            .map(user_view)
            .collect(),
    ))
}

#[utoipa::path(delete, path = "/admin/groups/{group_id}", tag = "groups", description = "Deletes a group.", params(("group_id" = Uuid, Path, description = "Group object id")), responses((status = 204, description = "Deleted")))]
pub(crate) async fn delete_group(
    State(state): State<AppState>,
    AdminPath(group_id): AdminPath<String>,
) -> Result<StatusCode, AdminFailure> {
    state
        .directory
        .delete_group(parse_uuid(&group_id, "group id")?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
