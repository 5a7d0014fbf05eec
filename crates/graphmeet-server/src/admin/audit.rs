//! `/admin/audit`: the audit log, filtered.

use super::error::AdminFailure;
use super::extract::AdminQuery;
use super::parse_uuid;

use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use chrono::Utc;
use graphmeet_wire::admin::*;

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct AuditParams {
    tenant: Option<String>,
    app: Option<String>,
    user: Option<String>,
    decision: Option<String>,
    since: Option<String>,
    limit: Option<u32>,
}

/// The audit log, newest first, narrowed by tenant, app, user, decision and time.
#[utoipa::path(get, path = "/admin/audit", tag = "audit", description = "The audit log, newest first.", params(AuditParams), responses((status = 200, description = "Entries", body = [AuditEntry])))]
pub(super) async fn query_audit(
    State(state): State<AppState>,
    AdminQuery(p): AdminQuery<AuditParams>,
) -> Result<Json<Vec<graphmeet_core::AuditEntry>>, AdminFailure> {
    let tenant = match p.tenant.as_deref() {
        Some(t) => Some(state.directory.tenant(t).await?),
        None => None,
    };
    let user = match (p.user.as_deref(), &tenant) {
        (Some(u), Some(t)) => Some(state.directory.user_in(t, u).await?.id),
        (Some(u), None) => Some(parse_uuid(u, "user id (or give --tenant to use a UPN)")?),
        (None, _) => None,
    };
    let decision = match p.decision.as_deref() {
        Some(d) => Some(graphmeet_core::AuditDecision::parse(d).ok_or_else(|| {
            AdminFailure::invalid(format!(
                "decision must be allowed, denied or changed, not '{d}'"
            ))
        })?),
        None => None,
    };
    let since = match p.since.as_deref() {
        Some(s) => Some(
            chrono::DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| {
                    AdminFailure::invalid(format!("since must be an RFC 3339 time, not '{s}'"))
                })?,
        ),
        None => None,
    };
    let query = graphmeet_core::AuditQuery {
        tenant_id: tenant.map(|t| t.id),
        app_id: p
            .app
            .as_deref()
            .map(|a| parse_uuid(a, "application id"))
            .transpose()?,
        user_id: user,
        decision,
        since,
        limit: p.limit.unwrap_or(100),
    };
    // Entries recorded before this query are written first.
    state.audit.flush().await;
    Ok(Json(state.directory.audit(&query).await?))
}

// ---- deletions, credentials, consent revocation, seeds, reset ----------------------------------
