//! The server's own state: signing-key rotation, metrics, the clock (moved in tests and
//! demos), and the log of recent requests.

use super::error::AdminFailure;
use super::extract::{AdminJson, AdminQuery};

use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, SecondsFormat, Utc};
use graphmeet_wire::admin::*;

#[utoipa::path(post, path = "/admin/keys/rotate", tag = "keys", description = "Rotates the token-signing key (the old one stays published).", responses((status = 200, description = "The new key", body = KeyRotated)))]
pub(super) async fn rotate_keys(
    State(state): State<AppState>,
) -> Result<Json<KeyRotated>, AdminFailure> {
    let keys = state.identity.keys();
    let key = keys.rotate().await?;
    Ok(Json(KeyRotated {
        kid: key.kid,
        published: keys.published().into_iter().map(|k| k.key.kid).collect(),
    }))
}

/// Prometheus' text exposition of this instance's metrics.
#[utoipa::path(get, path = "/metrics", tag = "observability", description = "Prometheus / OpenMetrics exposition of this instance.", responses((status = 200, description = "Metrics", content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8", body = String)))]
pub(super) async fn metrics(
    State(state): State<AppState>,
    axum::Extension(metrics): axum::Extension<std::sync::Arc<crate::metrics::Metrics>>,
) -> Response {
    let text = metrics.render(crate::metrics::Sizes {
        users: state.index.user_count(),
        tenants: state.index.tenants().len(),
        apps: state.index.app_count(),
        queued_creates: state.meetings.queued_creates(),
        queued_audit: state.audit.queued(),
        audit_dropped: state.audit.stats().dropped,
    });
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// `POST /admin/clock`: `{"advance": "PT30M"}` or `{"set": "2026-12-01T10:00:00Z"}`.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ClockChange {
    advance: Option<String>,
    set: Option<String>,
}

pub(super) fn clock_view(state: &AppState) -> serde_json::Value {
    serde_json::json!({
        "now": state.clock.now().to_rfc3339_opts(SecondsFormat::Millis, true),
        "mode": if state.manual_clock.is_some() { "manual" } else { "system" },
    })
}

/// The server's time and whether it is the system's or a virtual one.
#[utoipa::path(get, path = "/admin/clock", tag = "clock", description = "The server's time and clock mode.", responses((status = 200, description = "The clock", body = ClockView)))]
pub(super) async fn get_clock(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(clock_view(&state))
}

/// Moves the virtual clock (`serve --clock manual`): forward by an ISO 8601 duration, or to a
/// time.
#[utoipa::path(post, path = "/admin/clock", tag = "clock", description = "Moves the virtual clock (serve --clock manual).", request_body = ClockChange, responses((status = 200, description = "The clock", body = ClockView)))]
pub(super) async fn move_clock(
    State(state): State<AppState>,
    AdminJson(change): AdminJson<ClockChange>,
) -> Result<Json<serde_json::Value>, AdminFailure> {
    let Some(clock) = &state.manual_clock else {
        return Err(AdminFailure::new(
            StatusCode::CONFLICT,
            "conflict",
            "the server runs on the system clock; start it with `serve --clock manual` to move time",
        ));
    };
    match (change.advance.as_deref(), change.set.as_deref()) {
        (Some(advance), None) => {
            let by = graphmeet_core::clock::parse_iso_duration(advance).ok_or_else(|| {
                AdminFailure::invalid(format!(
                    "advance must be an ISO 8601 duration of days, hours, minutes and seconds (e.g. PT30M, P1DT2H), not '{advance}'"
                ))
            })?;
            clock.advance(by);
        }
        (None, Some(set)) => {
            let to = DateTime::parse_from_rfc3339(set)
                .map_err(|_| {
                    AdminFailure::invalid(format!("set must be an RFC 3339 time, not '{set}'"))
                })?
                .with_timezone(&Utc);
            clock.set(to);
        }
        _ => {
            return Err(AdminFailure::invalid(
                "give exactly one of advance (an ISO 8601 duration) and set (an RFC 3339 time)",
            ))
        }
    }
    Ok(Json(clock_view(&state)))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct RequestsQuery {
    surface: Option<String>,
    after: Option<u64>,
    limit: Option<usize>,
}

/// The request inspector: the last requests, oldest first, after `after`, of one surface or
/// all (`graph`, `entra`, `admin`, `join`, `health`).
#[utoipa::path(get, path = "/admin/requests", tag = "observability", description = "The request inspector: the last requests, oldest first.", params(RequestsQuery), responses((status = 200, description = "Requests", body = [RequestRecord])))]
pub(super) async fn recent_requests(
    axum::Extension(inspector): axum::Extension<std::sync::Arc<crate::inspector::Inspector>>,
    AdminQuery(q): AdminQuery<RequestsQuery>,
) -> Result<Json<Vec<crate::inspector::Record>>, AdminFailure> {
    if let Some(s) = q.surface.as_deref() {
        if !["graph", "entra", "admin", "join", "health", "console"].contains(&s) {
            return Err(AdminFailure::invalid(format!(
                "surface must be graph, entra, admin, join, health or console, not '{s}'"
            )));
        }
    }
    let limit = q
        .limit
        .unwrap_or(100)
        .clamp(1, crate::inspector::CAPACITY * 5);
    Ok(Json(inspector.since(
        q.surface.as_deref(),
        q.after.unwrap_or(0),
        limit,
    )))
}
