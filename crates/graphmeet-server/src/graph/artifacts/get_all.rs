//! An organizer's `getAllTranscripts(…)` and `getAllRecordings(…)`, paged, with `/delta`.
//!
//! Facts copied: <https://learn.microsoft.com/graph/api/onlinemeeting-getalltranscripts>.

use super::{graph_error, object, option, organizer, query_options, ArtifactPath, Links};

use crate::graph::meetings::PathUserParam;
use crate::graph::GraphFailure;
use crate::state::AppState;
use axum::extract::{Extension, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use graphmeet_core::access::{Operation, PathUser};
use graphmeet_core::playback::Cursor;
use graphmeet_wire::graph::artifacts::{ArtifactKind, GetAllCall};
use graphmeet_wire::graph::{ApiVersion, GraphError};
use serde_json::{json, Map, Value};

/// The page size of getAll* without `$top` [inf].
pub(super) const GET_ALL_PAGE: usize = 50;

/// `$filter=MeetingOrganizer/User/Id eq '{id}'`, the organizer the bare function name takes.
pub(super) fn organizer_filter(filter: &str) -> Option<String> {
    let (left, right) = filter.split_once(" eq ")?;
    if !left.trim().eq_ignore_ascii_case("MeetingOrganizer/User/Id") {
        return None;
    }
    let value = right.trim();
    Some(value.strip_prefix('\'')?.strip_suffix('\'')?.to_owned())
}

/// `GET /users/{id}/onlineMeetings/getAllTranscripts(…)` (and recordings): reached from the
/// meeting route, whose `{id}` segment it takes.
pub async fn get_all(
    state: AppState,
    version: ApiVersion,
    headers: HeaderMap,
    user: PathUser,
    segment: &str,
    query: Option<String>,
    delta: bool,
) -> Result<Response, GraphFailure> {
    let kind = if segment
        .to_ascii_lowercase()
        .starts_with(&ArtifactKind::Recording.function().to_ascii_lowercase())
    {
        ArtifactKind::Recording
    } else {
        ArtifactKind::Transcript
    };
    let op = match kind {
        ArtifactKind::Transcript => Operation::GetAllTranscripts,
        ArtifactKind::Recording => Operation::GetAllRecordings,
    };
    let (org, user_id) = organizer(&state, &headers, op, &user).await?;
    let options = query_options(query.as_deref())?;
    let alias = |name: &str| {
        let name = name.to_ascii_lowercase();
        option(&options, &format!("@{name}"))
            .or_else(|| option(&options, &name))
            .map(str::to_owned)
    };
    let call = GetAllCall::parse_with(segment, &alias)
        .ok_or_else(|| GraphError::resource_not_found_for_segment(segment))??;
    let organizer_id = match (&call.organizer, option(&options, "$filter")) {
        (Some(id), _) => id.clone(),
        (None, Some(filter)) => organizer_filter(filter)
            .ok_or_else(|| GraphError::meeting_organizer_required(kind.function()))?,
        (None, None) => return Err(GraphError::meeting_organizer_required(kind.function()).into()),
    };
    if !organizer_id.eq_ignore_ascii_case(&user_id) {
        return Err(GraphError::bad_request(format!(
            "meetingOrganizerUserId '{organizer_id}' must be the user of the request path ('{user_id}')."
        ))
        .into());
    }
    let limit = match option(&options, "$top") {
        Some(top) => top
            .parse::<usize>()
            .ok()
            .filter(|t| *t > 0)
            .ok_or_else(|| {
                GraphError::bad_request(format!(
                    "Invalid value '{top}' for $top query option found. The $top query option requires a non-negative integer value."
                ))
            })?,
        None => GET_ALL_PAGE,
    };
    let after = match option(&options, "skiptoken").or(option(&options, "$skiptoken")) {
        Some(token) => Some(Cursor::from_token(token).ok_or_else(|| {
            GraphError::bad_request(format!("The skip token '{token}' is not valid."))
        })?),
        None => None,
    };
    let (artifacts, cursor, more) = state
        .playback
        .organizer_artifacts(&org, kind, call.start, call.end, after, limit)
        .await
        .map_err(graph_error)?;
    let links = Links {
        state: &state,
        headers: &headers,
        version,
        user_id: &user_id,
    };
    let value: Vec<Value> = artifacts
        .iter()
        .map(|a| {
            let mut item = Map::new();
            item.insert(
                "@odata.type".into(),
                json!(format!("#microsoft.graph.{}", kind.type_name())),
            );
            item.append(&mut object(a.to_json(&links.content_url(a), None)));
            Value::Object(item)
        })
        .collect();
    let function = format!(
        "{}/users/{user_id}/onlineMeetings/{}",
        links.base(),
        call.segment(&organizer_id)
    );
    let token = cursor.map(Cursor::to_token);
    let top = option(&options, "$top")
        .map(|t| format!("&$top={t}"))
        .unwrap_or_default();
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(format!(
            "{}/$metadata#Collection({})",
            links.base(),
            kind.type_name()
        )),
    );
    body.insert("@odata.count".into(), json!(value.len()));
    let path = if delta {
        format!("{function}/delta")
    } else {
        function
    };
    match (&token, more, delta) {
        (Some(token), true, _) => {
            body.insert(
                "@odata.nextLink".into(),
                json!(format!("{path}?skipToken={token}{top}")),
            );
        }
        (_, false, true) => {
            let link = match &token {
                Some(token) => format!("{path}?skipToken={token}"),
                None => path.clone(),
            };
            body.insert("@odata.deltaLink".into(), json!(link));
        }
        _ => {}
    }
    body.insert("value".into(), Value::Array(value));
    Ok(Json(Value::Object(body)).into_response())
}

pub(super) async fn get_all_delta(
    State(state): State<AppState>,
    Extension(version): Extension<ApiVersion>,
    PathUserParam(user): PathUserParam,
    path: ArtifactPath,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, GraphFailure> {
    match GetAllCall::parse(&path.meeting) {
        Some(_) => get_all(state, version, headers, user, &path.meeting, query, true).await,
        None => Err(GraphError::resource_not_found_for_segment("delta").into()),
    }
}
