//! `/admin/exchange-policies`: Exchange Online's application access policies through the
//! admin API (what the CLI's `exchange-policy` verbs and the SDK call): New-, Get-, Set-,
//! Remove- and Test-ApplicationAccessPolicy. Merged into the admin routes (behind the admin
//! key); the rules are `graphmeet_core::exchange`'s, the decision `Access`'s.

use crate::admin::{AdminFailure, AdminJson, AdminQuery};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
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
use uuid::Uuid;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/exchange-policies",
            post(new_policies).get(get_policies),
        )
        .route("/admin/exchange-policies/set", post(set_policy))
        .route("/admin/exchange-policies/remove", post(remove_policy))
        .route("/admin/exchange-policies/test", get(test_policy))
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
