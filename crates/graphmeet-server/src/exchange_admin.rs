//! `/admin/exchange-policies`: Exchange Online's application access policies through the
//! admin API (what the CLI's `exchange-policy` verbs and the SDK call): New-, Get-, Set-,
//! Remove- and Test-ApplicationAccessPolicy. Merged into the admin routes (behind the admin
//! key); the rules are `graphmeet_core::exchange`'s, the decision `Access`'s.

use crate::admin::{AdminFailure, AdminJson, AdminQuery};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use graphmeet_core::directory::DirectoryError;
use graphmeet_core::exchange::{facts, NewExchangePolicy};
use graphmeet_core::policy::{ExchangeAccessRight, ExchangePolicy};
use graphmeet_core::UserRef;
use graphmeet_wire::admin_exchange::{
    ExchangePolicyView, ExchangeTestView, NewExchangePolicyBody, RemoveExchangePolicyBody,
    SetExchangePolicyBody,
};
use graphmeet_wire::cmdlet::exchange::object_sid;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The routes, described for the admin API's OpenAPI document.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(new_policies, get_policies))
        .routes(routes!(set_policy))
        .routes(routes!(remove_policy))
        .routes(routes!(test_policy))
}

fn view(p: &ExchangePolicy) -> ExchangePolicyView {
    let f = facts(p);
    ExchangePolicyView {
        id: p.id.to_string(),
        identity: f.identity(),
        app_id: f.app_id.clone(),
        scope_name: p.scope_name.clone(),
        scope_identity_raw: f.scope_identity_raw(),
        access_right: p.access_right.as_str().to_owned(),
        description: p.description.clone(),
        created_at: p
            .created_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    }
}

#[utoipa::path(post, path = "/admin/exchange-policies", tag = "policies", description = "New-ApplicationAccessPolicy (Exchange Online): restricts or denies app-only mailbox access of apps to a group; one policy per app.", request_body = NewExchangePolicyBody, responses((status = 201, description = "The policies made", body = [ExchangePolicyView])))]
async fn new_policies(
    State(state): State<AppState>,
    AdminJson(body): AdminJson<NewExchangePolicyBody>,
) -> Result<Response, AdminFailure> {
    let tenant = state
        .directory
        .tenant_or_only(body.tenant.as_deref())
        .await?;
    let access_right = ExchangeAccessRight::parse(&body.access_right).ok_or_else(|| {
        AdminFailure::invalid(format!(
            "access_right '{}': RestrictAccess or DenyAccess",
            body.access_right
        ))
    })?;
    let made = state
        .directory
        .new_exchange_policies(
            &tenant,
            &NewExchangePolicy {
                app_ids: body.app_ids,
                scope: body.scope,
                access_right,
                description: body.description,
            },
        )
        .await?;
    let views: Vec<ExchangePolicyView> = made.iter().map(view).collect();
    Ok((StatusCode::CREATED, Json(views)).into_response())
}

/// `?tenant=&identity=`.
#[derive(Debug, Deserialize)]
struct PolicyQuery {
    tenant: Option<String>,
    identity: Option<String>,
}

#[utoipa::path(get, path = "/admin/exchange-policies", tag = "policies", description = "Get-ApplicationAccessPolicy (Exchange Online): the live policies; all of them when the identity names none.", params(("tenant" = Option<String>, Query, description = "Tenant id or domain"), ("identity" = Option<String>, Query, description = "A policy's Identity")), responses((status = 200, description = "The policies", body = [ExchangePolicyView])))]
async fn get_policies(
    State(state): State<AppState>,
    AdminQuery(q): AdminQuery<PolicyQuery>,
) -> Result<Json<Vec<ExchangePolicyView>>, AdminFailure> {
    let tenant = state.directory.tenant_or_only(q.tenant.as_deref()).await?;
    let policies = state
        .directory
        .exchange_policies(&tenant, q.identity.as_deref())
        .await?;
    Ok(Json(policies.iter().map(view).collect()))
}

#[utoipa::path(post, path = "/admin/exchange-policies/set", tag = "policies", description = "Set-ApplicationAccessPolicy (Exchange Online): changes a policy's description.", request_body = SetExchangePolicyBody, responses((status = 200, description = "The policy", body = ExchangePolicyView)))]
async fn set_policy(
    State(state): State<AppState>,
    AdminJson(body): AdminJson<SetExchangePolicyBody>,
) -> Result<Json<ExchangePolicyView>, AdminFailure> {
    let tenant = state
        .directory
        .tenant_or_only(body.tenant.as_deref())
        .await?;
    let p = state
        .directory
        .set_exchange_policy_description(&tenant, &body.identity, &body.description)
        .await?;
    Ok(Json(view(&p)))
}

#[utoipa::path(post, path = "/admin/exchange-policies/remove", tag = "policies", description = "Remove-ApplicationAccessPolicy (Exchange Online).", request_body = RemoveExchangePolicyBody, responses((status = 204, description = "Removed")))]
async fn remove_policy(
    State(state): State<AppState>,
    AdminJson(body): AdminJson<RemoveExchangePolicyBody>,
) -> Result<StatusCode, AdminFailure> {
    let tenant = state
        .directory
        .tenant_or_only(body.tenant.as_deref())
        .await?;
    state
        .directory
        .remove_exchange_policy(&tenant, &body.identity)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `?tenant=&user=&app_id=`.
#[derive(Debug, Deserialize)]
struct TestQuery {
    tenant: Option<String>,
    user: String,
    app_id: String,
}

#[utoipa::path(get, path = "/admin/exchange-policies/test", tag = "policies", description = "Test-ApplicationAccessPolicy (Exchange Online) on the policies as they are now, and what a Graph calendar call gets now.", params(("tenant" = Option<String>, Query, description = "Tenant id or domain"), ("user" = String, Query, description = "The mailbox's user: object id or UPN"), ("app_id" = String, Query, description = "Application (client) id")), responses((status = 200, description = "The check", body = ExchangeTestView)))]
async fn test_policy(
    State(state): State<AppState>,
    AdminQuery(q): AdminQuery<TestQuery>,
) -> Result<Json<ExchangeTestView>, AdminFailure> {
    let tenant = state.directory.tenant_or_only(q.tenant.as_deref()).await?;
    let app = Uuid::parse_str(q.app_id.trim()).map_err(|_| {
        AdminFailure::invalid(format!("'{}' is not an application id (a GUID)", q.app_id))
    })?;
    let user = UserRef::parse(&q.user);
    let not_found = || {
        AdminFailure::from(DirectoryError::NotFound(format!(
            "user {} in tenant {}",
            q.user, tenant.id
        )))
    };
    let (found, now) = state
        .access
        .test_exchange(&tenant, app, &user)
        .ok_or_else(not_found)?;
    let (_, graph) = state
        .access
        .explain_exchange(&tenant, app, &user)
        .ok_or_else(not_found)?;
    Ok(Json(ExchangeTestView {
        app_id: app.to_string(),
        mailbox: found.upn.split('@').next().unwrap_or(&found.upn).to_owned(),
        mailbox_id: found.id.to_string(),
        mailbox_sid: object_sid(found.id),
        access_check_result: if now.allowed() { "Granted" } else { "Denied" }.to_owned(),
        reason: now.reason(),
        graph_allowed: graph.allowed(),
        graph_reason: graph.reason(),
    }))
}
