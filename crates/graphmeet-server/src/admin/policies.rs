//! `/admin/policies`: Teams application access policies, their grants, and `explain`.
use super::error::AdminFailure;
use super::extract::AdminJson;
use super::extract::{AdminPath, AdminQuery};
use super::parse_uuid;
use super::parse_uuids;
use super::views::grant_view;
use super::views::policy_view;
use super::views::target_view;

use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use graphmeet_core::directory::DirectoryError;
use graphmeet_core::GrantTarget;
use graphmeet_core::UserRef;
use graphmeet_wire::admin::*;
use graphmeet_wire::cmdlet::strip_tag;

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct TenantQuery {
    pub(crate) tenant: Option<String>,
    pub(crate) identity: Option<String>,
}

#[utoipa::path(post, path = "/admin/policies", tag = "policies", description = "Creates an application access policy (New-CsApplicationAccessPolicy).", request_body = NewPolicy, responses((status = 201, description = "The policy", body = PolicyView)))]
pub(crate) async fn new_policy(
    State(state): State<AppState>,
    AdminJson(body): AdminJson<NewPolicy>,
) -> Result<(StatusCode, Json<PolicyView>), AdminFailure> {
    let tenant = state
        .directory
        .tenant_or_only(body.tenant.as_deref())
        .await?;
    let apps = parse_uuids(&body.app_ids, "application id")?;
    let policy = state
        .directory
        .create_policy(
            &tenant.id.to_string(),
            strip_tag(&body.identity),
            &apps,
            body.description.as_deref().unwrap_or_default(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(policy_view(policy))))
}

#[utoipa::path(get, path = "/admin/policies", tag = "policies", description = "Lists application access policies (Get-CsApplicationAccessPolicy).", params(TenantQuery), responses((status = 200, description = "The policies", body = [PolicyView])))]
pub(super) async fn get_policies(
    State(state): State<AppState>,
    AdminQuery(q): AdminQuery<TenantQuery>,
) -> Result<Json<Vec<PolicyView>>, AdminFailure> {
    let tenant = state
        .directory
        .tenant_or_only(q.tenant.as_deref())
        .await?
        .id
        .to_string();
    let policies = match q.identity {
        Some(identity) => vec![
            state
                .directory
                .policy(&tenant, strip_tag(&identity))
                .await?,
        ],
        None => state.directory.policies(&tenant).await?,
    };
    Ok(Json(policies.into_iter().map(policy_view).collect()))
}

#[utoipa::path(patch, path = "/admin/policies/{identity}", tag = "policies", description = "Changes a policy's apps or description (Set-CsApplicationAccessPolicy).", request_body = SetPolicy, params(("identity" = String, Path, description = "Policy name (Tag: prefix allowed)")), responses((status = 200, description = "The policy", body = PolicyView)))]
pub(crate) async fn set_policy(
    State(state): State<AppState>,
    AdminPath(identity): AdminPath<String>,
    AdminJson(body): AdminJson<SetPolicy>,
) -> Result<Json<PolicyView>, AdminFailure> {
    use graphmeet_core::directory::AppIdsChange;
    let tenant = state
        .directory
        .tenant_or_only(body.tenant.as_deref())
        .await?
        .id
        .to_string();
    let change = match (
        &body.add_app_ids,
        &body.remove_app_ids,
        &body.replace_app_ids,
    ) {
        (None, None, None) => None,
        (Some(add), None, None) => Some(AppIdsChange::Add(parse_uuids(add, "application id")?)),
        (None, Some(remove), None) => {
            Some(AppIdsChange::Remove(parse_uuids(remove, "application id")?))
        }
        (None, None, Some(replace)) => Some(AppIdsChange::Replace(parse_uuids(
            replace,
            "application id",
        )?)),
        _ => {
            return Err(AdminFailure::invalid(
                "give one of add_app_ids, remove_app_ids or replace_app_ids",
            ))
        }
    };
    if change.is_none() && body.description.is_none() {
        return Err(AdminFailure::invalid(
            "nothing to change: give app ids to add, remove or replace, or a description",
        ));
    }
    let policy = state
        .directory
        .set_policy(
            &tenant,
            strip_tag(&identity),
            change,
            body.description.as_deref(),
        )
        .await?;
    Ok(Json(policy_view(policy)))
}

#[utoipa::path(delete, path = "/admin/policies/{identity}", tag = "policies", description = "Removes a policy and its grants (Remove-CsApplicationAccessPolicy).", params(("identity" = String, Path, description = "Policy name (Tag: prefix allowed)"), TenantQuery), responses((status = 204, description = "Removed")))]
pub(crate) async fn remove_policy(
    State(state): State<AppState>,
    AdminPath(identity): AdminPath<String>,
    AdminQuery(q): AdminQuery<TenantQuery>,
) -> Result<StatusCode, AdminFailure> {
    let tenant = state
        .directory
        .tenant_or_only(q.tenant.as_deref())
        .await?
        .id
        .to_string();
    state
        .directory
        .remove_policy(&tenant, strip_tag(&identity))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/admin/policy-grants", tag = "policies", description = "Grants a policy to a user, a group (with rank) or the tenant (Grant-CsApplicationAccessPolicy).", request_body = GrantPolicy, responses((status = 200, description = "The grant", body = GrantView)))]
pub(crate) async fn grant_policy(
    State(state): State<AppState>,
    AdminJson(body): AdminJson<GrantPolicy>,
) -> Result<Json<GrantView>, AdminFailure> {
    let tenant = state
        .directory
        .tenant_or_only(body.tenant.as_deref())
        .await?;
    let target = match (&body.user, &body.group, body.global) {
        (Some(user), None, false) => {
            GrantTarget::User(state.directory.user_in(&tenant, user).await?.id)
        }
        (None, Some(group), false) => GrantTarget::Group {
            id: parse_uuid(group, "group id")?,
            rank: body.rank.unwrap_or(1),
        },
        (None, None, true) => GrantTarget::Global,
        _ => {
            return Err(AdminFailure::invalid(
                "grant to exactly one of: a user, a group, or the whole tenant (global)",
            ))
        }
    };
    if body.rank.is_some() && !matches!(target, GrantTarget::Group { .. }) {
        return Err(AdminFailure::invalid("a rank applies to group grants only"));
    }
    let tid = tenant.id.to_string();
    match body.policy_name.as_deref().map(strip_tag) {
        Some(name) => Ok(Json(grant_view(
            &state.directory.grant_policy(&tid, name, target).await?,
        ))),
        None => {
            state.directory.revoke_policy(&tid, target).await?;
            Ok(Json(target_view(target, None, state.clock.now())))
        }
    }
}

#[utoipa::path(get, path = "/admin/policy-grants", tag = "policies", description = "Lists a tenant's policy grants.", params(TenantQuery), responses((status = 200, description = "The grants", body = [GrantView])))]
pub(super) async fn list_grants(
    State(state): State<AppState>,
    AdminQuery(q): AdminQuery<TenantQuery>,
) -> Result<Json<Vec<GrantView>>, AdminFailure> {
    let tenant = state.directory.tenant_or_only(q.tenant.as_deref()).await?;
    let grants = state.directory.grants(&tenant).await?;
    Ok(Json(
        grants
            .iter()
            .filter(|g| g.revoked_at.is_none())
            .map(grant_view)
            .collect(),
    ))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ExplainQuery {
    tenant: Option<String>,
    app: String,
    user: String,
}

/// "Explain this app for this user": the decision the Graph API would make now, with reasons.
#[utoipa::path(get, path = "/admin/policy-explain", tag = "policies", description = "Explains the decision the Graph API would make now for an app and a user.", params(ExplainQuery), responses((status = 200, description = "The decision, with its reasons", body = Object)))]
pub(super) async fn explain_policy(
    State(state): State<AppState>,
    AdminQuery(q): AdminQuery<ExplainQuery>,
) -> Result<Json<serde_json::Value>, AdminFailure> {
    let tenant = state.directory.tenant_or_only(q.tenant.as_deref()).await?;
    let app_id = parse_uuid(&q.app, "application id")?;
    let explanation = state
        .access
        .explain(&tenant, app_id, &UserRef::parse(&q.user))
        .ok_or_else(|| {
            AdminFailure::from(DirectoryError::NotFound(format!(
                "user {} in tenant {}",
                q.user, tenant.id
            )))
        })?;
    let mut body = serde_json::to_value(&explanation.decision).unwrap_or_default();
    if let Some(map) = body.as_object_mut() {
        map.insert(
            "reason".to_owned(),
            serde_json::Value::String(explanation.reason()),
        );
        map.insert(
            "user_id".to_owned(),
            serde_json::Value::String(explanation.user.id.to_string()),
        );
        map.insert(
            "app_id".to_owned(),
            serde_json::Value::String(app_id.to_string()),
        );
        // The policy may allow the app while the user still cannot organise meetings.
        map.insert(
            "meetings_allowed".to_owned(),
            serde_json::Value::Bool(explanation.allowed()),
        );
        map.insert(
            "missing_prerequisite".to_owned(),
            match explanation.missing {
                Some(m) => serde_json::json!({
                    "kind": m,
                    "description": m.describe(),
                    "fix": m.fix(),
                }),
                None => serde_json::Value::Null,
            },
        );
        // The calendar path's gate: Exchange's application access policy, as a calendar call
        // would be decided now.
        if let Some((_, exchange)) =
            state
                .access
                .explain_exchange(&tenant, app_id, &UserRef::parse(&q.user))
        {
            let mut ex = serde_json::to_value(&exchange).unwrap_or_default();
            if let Some(ex) = ex.as_object_mut() {
                ex.insert(
                    "reason".to_owned(),
                    serde_json::Value::String(exchange.reason()),
                );
            }
            map.insert("exchange".to_owned(), ex);
        }
    }
    Ok(Json(body))
}
