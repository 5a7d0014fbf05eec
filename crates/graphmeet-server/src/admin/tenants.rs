//! `/admin/tenants`: create, list and delete tenants.

use super::error::AdminFailure;
use super::extract::{AdminJson, AdminPath};
use super::views::tenant_view;

use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use graphmeet_wire::admin::*;

#[utoipa::path(post, path = "/admin/tenants", tag = "tenants", description = "Creates a tenant.", request_body = CreateTenant, responses((status = 201, description = "The new tenant", body = TenantView)))]
pub(crate) async fn create_tenant(
    State(state): State<AppState>,
    AdminJson(body): AdminJson<CreateTenant>,
) -> Result<(StatusCode, Json<TenantView>), AdminFailure> {
    let tenant = state
        .directory
        .create_tenant(&body.display_name, body.domain.as_deref(), None)
        .await?;
    Ok((StatusCode::CREATED, Json(tenant_view(tenant))))
}

#[utoipa::path(get, path = "/admin/tenants", tag = "tenants", description = "Lists the tenants.", responses((status = 200, description = "Every tenant", body = [TenantView])))]
pub(super) async fn list_tenants(
    State(state): State<AppState>,
) -> Result<Json<Vec<TenantView>>, AdminFailure> {
    Ok(Json(
        state
            .directory
            .tenants()
            .await?
            .into_iter()
            .map(tenant_view)
            .collect(),
    ))
}

#[utoipa::path(delete, path = "/admin/tenants/{tenant}", tag = "tenants", description = "Deletes a tenant and everything in it.", params(("tenant" = String, Path, description = "Tenant id or domain")), responses((status = 204, description = "Deleted")))]
pub(crate) async fn delete_tenant(
    State(state): State<AppState>,
    AdminPath(tenant): AdminPath<String>,
) -> Result<StatusCode, AdminFailure> {
    state.directory.delete_tenant(&tenant).await?;
    Ok(StatusCode::NO_CONTENT)
}
