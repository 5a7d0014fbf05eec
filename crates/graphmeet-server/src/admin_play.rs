//! The admin API's side of meetings that take place: `POST /admin/meetings/{meetingId}/play`
//! plays a session (who joins and leaves when, what is said) on the server's clock, `GET
//! /admin/meetings/{meetingId}/sessions` lists the sessions played, and
//! `/admin/tenants/{tenant}/meeting-configuration` holds the tenant's Teams meeting settings the
//! artifact routes obey (`Set-CsTeamsMeetingConfiguration -EnableGraphTranscriptAccess`,
//! `-EnableAttributedTranscripts`). Mounted behind the admin key with the rest of the admin API.

use crate::admin::{AdminFailure, AdminJson, AdminPath};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use graphmeet_core::directory::DirectoryError;
use graphmeet_core::meetings::MeetingError;
use graphmeet_core::playback::{ArtifactError, MeetingConfiguration};
use graphmeet_wire::admin_play::{MeetingConfigurationView, PlayScript, SessionView};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The play and meeting-configuration routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(play_meeting))
        .routes(routes!(list_sessions))
        .routes(routes!(get_configuration, set_configuration))
}

fn failure(e: ArtifactError) -> AdminFailure {
    match e {
        ArtifactError::Meeting(MeetingError::Id(e)) => {
            AdminFailure::invalid(format!("the meeting id cannot be read: {e}"))
        }
        ArtifactError::Meeting(MeetingError::NotFound)
        | ArtifactError::Meeting(MeetingError::OrganizerMismatch(_)) => {
            DirectoryError::NotFound("meeting".to_owned()).into()
        }
        ArtifactError::Script(text) => AdminFailure::invalid(text),
        ArtifactError::Store(e) => e.into(),
        other => {
            tracing::error!(error = %other, "playing a meeting failed");
            DirectoryError::Store(graphmeet_core::StoreError::Backend(other.to_string())).into()
        }
    }
}

#[utoipa::path(post, path = "/admin/meetings/{meeting}/play", tag = "meetings", description = "Plays a session of a meeting on the server's clock: who joins and leaves when, and what is said. Once it has ended, Graph serves its attendance report, transcript and recording.", request_body = PlayScript, params(("meeting" = String, Path, description = "The Graph meeting id")), responses((status = 201, description = "The session", body = SessionView)))]
async fn play_meeting(
    State(state): State<AppState>,
    AdminPath(meeting): AdminPath<String>,
    AdminJson(script): AdminJson<PlayScript>,
) -> Result<(StatusCode, Json<SessionView>), AdminFailure> {
    let session = state
        .playback
        .play(&meeting, &script)
        .await
        .map_err(failure)?;
    Ok((StatusCode::CREATED, Json(state.playback.view(&session))))
}

#[utoipa::path(get, path = "/admin/meetings/{meeting}/sessions", tag = "meetings", description = "The sessions played of a meeting, in the order they became available.", params(("meeting" = String, Path, description = "The Graph meeting id")), responses((status = 200, description = "The sessions", body = [SessionView])))]
async fn list_sessions(
    State(state): State<AppState>,
    AdminPath(meeting): AdminPath<String>,
) -> Result<Json<Vec<SessionView>>, AdminFailure> {
    let sessions = state.playback.sessions(&meeting).await.map_err(failure)?;
    Ok(Json(
        sessions.iter().map(|s| state.playback.view(s)).collect(),
    ))
}

fn configuration_view(c: MeetingConfiguration) -> MeetingConfigurationView {
    MeetingConfigurationView {
        enable_graph_transcript_access: Some(c.graph_transcript_access),
        enable_attributed_transcripts: Some(c.attributed_transcripts),
    }
}

#[utoipa::path(get, path = "/admin/tenants/{tenant}/meeting-configuration", tag = "meetings", description = "The tenant's Teams meeting settings that Graph's transcript routes obey (Set-CsTeamsMeetingConfiguration -EnableGraphTranscriptAccess, -EnableAttributedTranscripts).", params(("tenant" = String, Path, description = "Tenant id or domain")), responses((status = 200, description = "The settings", body = MeetingConfigurationView)))]
async fn get_configuration(
    State(state): State<AppState>,
    AdminPath(tenant): AdminPath<String>,
) -> Result<Json<MeetingConfigurationView>, AdminFailure> {
    let tenant = state.directory.tenant(&tenant).await?;
    let c = state
        .playback
        .configuration(tenant.id)
        .await
        .map_err(failure)?;
    Ok(Json(configuration_view(c)))
}

#[utoipa::path(patch, path = "/admin/tenants/{tenant}/meeting-configuration", tag = "meetings", description = "Changes the tenant's transcript settings; fields left out stay as they are.", request_body = MeetingConfigurationView, params(("tenant" = String, Path, description = "Tenant id or domain")), responses((status = 200, description = "The settings", body = MeetingConfigurationView)))]
async fn set_configuration(
    State(state): State<AppState>,
    AdminPath(tenant): AdminPath<String>,
    AdminJson(change): AdminJson<MeetingConfigurationView>,
) -> Result<Json<MeetingConfigurationView>, AdminFailure> {
    let tenant = state.directory.tenant(&tenant).await?;
    let mut c = state
        .playback
        .configuration(tenant.id)
        .await
        .map_err(failure)?;
    if let Some(on) = change.enable_graph_transcript_access {
        c.graph_transcript_access = on;
    }
    if let Some(on) = change.enable_attributed_transcripts {
        c.attributed_transcripts = on;
    }
    state
        .playback
        .set_configuration(tenant.id, c)
        .await
        .map_err(failure)?;
    Ok(Json(configuration_view(c)))
}
