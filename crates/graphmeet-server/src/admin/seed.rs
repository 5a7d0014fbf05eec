//! `/admin/apply`, `/admin/export` and `/admin/reset`: declarative seeds and starting over.

use super::error::AdminFailure;
use super::extract::{AdminJson, AdminQuery};

use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use graphmeet_wire::admin::*;

#[utoipa::path(post, path = "/admin/apply", tag = "seed", description = "Applies a declarative seed (idempotent).", request_body = Seed, responses((status = 200, description = "What was created, updated and left", body = ApplySummary)))]
pub(super) async fn apply_seed(
    State(state): State<AppState>,
    AdminJson(seed): AdminJson<Seed>,
) -> Result<Json<ApplySummary>, AdminFailure> {
    let mut summary = state.directory.apply_seed(&seed).await?;
    summary.played = state.playback.apply_seed(&seed, &state.meetings).await?;
    Ok(Json(summary))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ExportQuery {
    format: Option<String>,
}

/// The state as a seed: JSON by default, TOML with `?format=toml`.
#[utoipa::path(get, path = "/admin/export", tag = "seed", description = "The whole state as a seed.", params(ExportQuery), responses((status = 200, description = "The seed (JSON, or TOML with format=toml)", content((Seed = "application/json"), (String = "application/toml")))))]
pub(super) async fn export_seed(
    State(state): State<AppState>,
    AdminQuery(q): AdminQuery<ExportQuery>,
) -> Result<Response, AdminFailure> {
    let seed = state.directory.export_seed().await?;
    match q.format.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("json") => Ok(Json(seed).into_response()),
        Some("toml") => {
            let text = seed.to_toml().map_err(|e| {
                tracing::error!(error = %e, "could not write the export as TOML");
                AdminFailure::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internalError",
                    "the server failed; see its log",
                )
            })?;
            Ok(([(header::CONTENT_TYPE, "application/toml")], text).into_response())
        }
        Some(other) => Err(AdminFailure::invalid(format!(
            "format must be json or toml, not '{other}'"
        ))),
    }
}

#[utoipa::path(post, path = "/admin/reset", tag = "seed", description = "Deletes everything but the signing keys.", responses((status = 204, description = "Reset")))]
pub(super) async fn reset(State(state): State<AppState>) -> Result<StatusCode, AdminFailure> {
    // Entries queued before the reset must not outlive it.
    state.audit.flush().await;
    state.directory.reset().await?;
    tracing::warn!("the admin API reset the server's state");
    Ok(StatusCode::NO_CONTENT)
}
