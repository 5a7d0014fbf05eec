//! Attendance: a meeting's attendance reports, one report, and its attendance records.

use super::{
    beta, graph_error, json_with_context, object, option, organizer, query_options, ArtifactPath,
    Links,
};

use crate::graph::meetings::PathUserParam;
use crate::graph::GraphFailure;
use crate::state::AppState;
use axum::extract::{Extension, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use graphmeet_core::access::Operation;
use graphmeet_wire::graph::{ApiVersion, GraphError};
use serde_json::{json, Value};

pub(super) async fn list_reports(
    State(state): State<AppState>,
    Extension(version): Extension<ApiVersion>,
    PathUserParam(user): PathUserParam,
    path: ArtifactPath,
    headers: HeaderMap,
) -> Result<Response, GraphFailure> {
    let (org, user_id) =
        organizer(&state, &headers, Operation::ListAttendanceReports, &user).await?;
    let reports = state
        .playback
        .reports(&org, &path.meeting, beta(version))
        .await
        .map_err(graph_error)?;
    let links = Links {
        state: &state,
        headers: &headers,
        version,
        user_id: &user_id,
    };
    let value: Vec<Value> = reports.iter().map(|r| r.to_json(false)).collect();
    Ok(json_with_context(
        links.context(&path.meeting, "/attendanceReports"),
        object(json!({ "value": value })),
    ))
}

pub(super) async fn get_report(
    State(state): State<AppState>,
    Extension(version): Extension<ApiVersion>,
    PathUserParam(user): PathUserParam,
    path: ArtifactPath,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, GraphFailure> {
    let (org, user_id) = organizer(&state, &headers, Operation::GetAttendanceReport, &user).await?;
    let options = query_options(query.as_deref())?;
    let mut expand = false;
    if let Some(list) = option(&options, "$expand") {
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if item.eq_ignore_ascii_case("attendanceRecords") {
                expand = true;
            } else {
                return Err(GraphError::unknown_query_property(
                    item,
                    "microsoft.graph.meetingAttendanceReport",
                )
                .into());
            }
        }
    }
    let item = path.item.unwrap_or_default();
    let report = state
        .playback
        .report(&org, &path.meeting, &item, beta(version))
        .await
        .map_err(graph_error)?;
    let links = Links {
        state: &state,
        headers: &headers,
        version,
        user_id: &user_id,
    };
    let tail = if expand {
        "/attendanceReports(attendanceRecords())/$entity"
    } else {
        "/attendanceReports/$entity"
    };
    Ok(json_with_context(
        links.context(&path.meeting, tail),
        object(report.to_json(expand)),
    ))
}

pub(super) async fn list_records(
    State(state): State<AppState>,
    Extension(version): Extension<ApiVersion>,
    PathUserParam(user): PathUserParam,
    path: ArtifactPath,
    headers: HeaderMap,
) -> Result<Response, GraphFailure> {
    let (org, user_id) =
        organizer(&state, &headers, Operation::ListAttendanceRecords, &user).await?;
    let item = path.item.unwrap_or_default();
    let report = state
        .playback
        .report(&org, &path.meeting, &item, beta(version))
        .await
        .map_err(graph_error)?;
    let links = Links {
        state: &state,
        headers: &headers,
        version,
        user_id: &user_id,
    };
    let value: Vec<Value> = report.records.iter().map(|r| r.to_json()).collect();
    Ok(json_with_context(
        links.context(
            &path.meeting,
            &format!("/attendanceReports('{item}')/attendanceRecords"),
        ),
        object(json!({ "value": value })),
    ))
}

// ---- transcripts and recordings -------------------------------------------------------------
