//! What a meeting leaves behind, under `/users/{id}/onlineMeetings/{meetingId}/…` and `/me/…`:
//! attendance reports and records, transcripts (and their WebVTT and metadata), recordings (and
//! their MP4), and an organizer's `getAllTranscripts(…)` / `getAllRecordings(…)` with `/delta`.
//! Thin handlers: authorize (one [`Operation`] per route, so the role, the application access
//! policy and the organizer are the access service's), parse, call
//! `graphmeet_core::playback`, render.

use super::auth::authorize;
use super::meetings::PathUserParam;
use super::GraphFailure;
use crate::state::AppState;
use axum::extract::{Extension, FromRequestParts, RawPathParams, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use graphmeet_core::access::{Operation, PathUser};
use graphmeet_core::meetings::{MeetingError, Organizer};
use graphmeet_core::playback::{ArtifactError, Cursor};
use graphmeet_wire::graph::artifacts::{
    ArtifactKind, CallArtifact, GetAllCall, TranscriptFormat, ARTIFACT_PROPERTIES,
};
use graphmeet_wire::graph::{ApiVersion, GraphError};
use serde_json::{json, Map, Value};

/// The artifact routes of one API version.
pub fn router(version: ApiVersion) -> Router<AppState> {
    let mut router = Router::new();
    for base in [
        "/users/{user}/onlineMeetings/{id}",
        "/me/onlineMeetings/{id}",
    ] {
        router = router
            .route(&format!("{base}/attendanceReports"), get(list_reports))
            .route(
                &format!("{base}/attendanceReports/{{item}}"),
                get(get_report),
            )
            .route(
                &format!("{base}/attendanceReports/{{item}}/attendanceRecords"),
                get(list_records),
            )
            .route(&format!("{base}/transcripts"), get(list_transcripts))
            .route(&format!("{base}/transcripts/{{item}}"), get(get_transcript))
            .route(
                &format!("{base}/transcripts/{{item}}/content"),
                get(transcript_content),
            )
            .route(
                &format!("{base}/transcripts/{{item}}/metadataContent"),
                get(transcript_metadata),
            )
            .route(&format!("{base}/recordings"), get(list_recordings))
            .route(&format!("{base}/recordings/{{item}}"), get(get_recording))
            .route(
                &format!("{base}/recordings/{{item}}/content"),
                get(recording_content),
            )
            .route(&format!("{base}/delta"), get(get_all_delta));
    }
    router.layer(Extension(version))
}

/// The one place an artifact error becomes a Graph error.
fn graph_error(e: ArtifactError) -> GraphFailure {
    GraphFailure::from(match e {
        ArtifactError::Meeting(e) => match e {
            MeetingError::Id(e) => e.to_graph_error(),
            MeetingError::OrganizerMismatch(user) => GraphError::organizer_mismatch(&user),
            MeetingError::NotFound => GraphError::meeting_not_found(),
            MeetingError::NoAccess => GraphError::meeting_lookup_denied(),
            MeetingError::Store(e) => {
                tracing::error!(error = %e, "artifact operation failed");
                GraphError::internal_server_error()
            }
            other => GraphError::bad_request(other.to_string()),
        },
        ArtifactError::ChannelMeeting => GraphError::channel_meetings_not_supported(),
        ArtifactError::Script(text) => GraphError::bad_request(text),
        ArtifactError::NotFound { what, id } => GraphError::artifact_not_found(what, &id),
        ArtifactError::TranscriptsDisabled => GraphError::graph_transcript_access_disabled(),
        ArtifactError::AttributionDisabled => GraphError::speaker_attribution_not_allowed(),
        ArtifactError::Store(e) => {
            tracing::error!(error = %e, "artifact operation failed");
            GraphError::internal_server_error()
        }
        ArtifactError::Media(e) => {
            tracing::error!(error = %e, "writing a recording failed");
            GraphError::internal_server_error()
        }
    })
}

/// The meeting id and, on item routes, the artifact id the path names (percent-decoded).
pub struct ArtifactPath {
    meeting: String,
    item: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for ArtifactPath {
    type Rejection = GraphFailure;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| GraphFailure::from(GraphError::meeting_id_corrupted()))?;
        let find = |name: &str| {
            params
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_owned())
        };
        Ok(Self {
            meeting: find("id").unwrap_or_default(),
            item: find("item"),
        })
    }
}

/// The query's options, decoded; a repeated one is Graph's 400.
fn query_options(raw: Option<&str>) -> Result<Vec<(String, String)>, GraphFailure> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        let key = k.to_ascii_lowercase();
        if out.iter().any(|(seen, _)| *seen == key) {
            return Err(GraphError::duplicate_query_option(&k).into());
        }
        out.push((key, v.into_owned()));
    }
    Ok(out)
}

fn option<'a>(options: &'a [(String, String)], name: &str) -> Option<&'a str> {
    options
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Authorizes the call and yields the organizer capability.
async fn organizer(
    state: &AppState,
    headers: &HeaderMap,
    operation: Operation,
    path_user: &PathUser,
) -> Result<(Organizer, String), GraphFailure> {
    let auth = authorize(state, headers, operation, path_user).await?;
    let org = auth
        .organizer()
        .ok_or_else(|| GraphFailure::from(GraphError::meeting_lookup_denied()))?;
    Ok((org, auth.user().id.to_string()))
}

struct Links<'a> {
    state: &'a AppState,
    headers: &'a HeaderMap,
    version: ApiVersion,
    user_id: &'a str,
}

impl Links<'_> {
    fn base(&self) -> String {
        format!(
            "{}/{}",
            self.state.base_url(self.headers),
            self.version.as_str()
        )
    }

    /// `…/$metadata#users('{id}')/onlineMeetings('{meetingId}'){tail}`.
    fn context(&self, meeting: &str, tail: &str) -> String {
        format!(
            "{}/$metadata#users('{}')/onlineMeetings('{meeting}'){tail}",
            self.base(),
            self.user_id
        )
    }

    fn content_url(&self, artifact: &CallArtifact) -> String {
        format!(
            "{}/users/{}/onlineMeetings/{}/{}/{}/content",
            self.base(),
            self.user_id,
            artifact.meeting_id,
            artifact.kind.segment(),
            artifact.id
        )
    }
}

fn json_with_context(context: String, mut body: Map<String, Value>) -> Response {
    let mut out = Map::new();
    out.insert("@odata.context".into(), Value::String(context));
    out.append(&mut body);
    Json(Value::Object(out)).into_response()
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn beta(version: ApiVersion) -> bool {
    version == ApiVersion::Beta
}

// ---- attendance ---------------------------------------------------------------------------

async fn list_reports(
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

async fn get_report(
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

async fn list_records(
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

async fn list(
    state: AppState,
    version: ApiVersion,
    user: PathUser,
    path: ArtifactPath,
    query: Option<String>,
    headers: HeaderMap,
    (kind, op): (ArtifactKind, Operation),
) -> Result<Response, GraphFailure> {
    let (org, user_id) = organizer(&state, &headers, op, &user).await?;
    let options = query_options(query.as_deref())?;
    // The documented filter: `contentCorrelationId eq '…'` (spec B.1).
    let correlation = match option(&options, "$filter") {
        Some(filter) => Some(correlation_filter(filter).ok_or_else(|| {
            GraphFailure::from(GraphError::bad_request(format!(
                "Invalid filter clause: '{filter}'. {} supports $filter=contentCorrelationId eq '{{id}}'.",
                kind.segment()
            )))
        })?),
        None => None,
    };
    let mut artifacts = state
        .playback
        .artifacts(&org, &path.meeting, kind, beta(version))
        .await
        .map_err(graph_error)?;
    if let Some(wanted) = correlation {
        artifacts.retain(|a| a.content_correlation_id == wanted);
    }
    let links = Links {
        state: &state,
        headers: &headers,
        version,
        user_id: &user_id,
    };
    let value: Vec<Value> = artifacts
        .iter()
        .map(|a| a.to_json(&links.content_url(a), None))
        .collect();
    Ok(json_with_context(
        links.context(&path.meeting, &format!("/{}", kind.segment())),
        object(json!({ "@odata.count": value.len(), "value": value })),
    ))
}

#[allow(clippy::too_many_arguments)]
async fn fetch(
    state: AppState,
    version: ApiVersion,
    user: PathUser,
    path: ArtifactPath,
    query: Option<String>,
    headers: HeaderMap,
    kind: ArtifactKind,
    op: Operation,
) -> Result<Response, GraphFailure> {
    let (org, user_id) = organizer(&state, &headers, op, &user).await?;
    let options = query_options(query.as_deref())?;
    let type_name = format!("microsoft.graph.{}", kind.type_name());
    // `$select` on a transcript; a recording's get takes no OData options (spec B.1).
    let select = match option(&options, "$select") {
        Some(_) if kind == ArtifactKind::Recording => {
            return Err(GraphError::bad_request(
                "The query specified in the URI is not valid. Query option '$select' is not supported on callRecording.",
            )
            .into())
        }
        Some(list) => {
            let mut names = Vec::new();
            for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let canonical = ARTIFACT_PROPERTIES
                    .iter()
                    .find(|p| p.eq_ignore_ascii_case(item))
                    .ok_or_else(|| GraphError::unknown_query_property(item, &type_name))?;
                names.push((*canonical).to_owned());
            }
            Some(names)
        }
        None => None,
    };
    let item = path.item.clone().unwrap_or_default();
    let found = state
        .playback
        .artifact(&org, &path.meeting, kind, &item, beta(version))
        .await
        .map_err(graph_error)?;
    let links = Links {
        state: &state,
        headers: &headers,
        version,
        user_id: &user_id,
    };
    let tail = match &select {
        Some(names) => format!("/{}({})/$entity", kind.segment(), names.join(",")),
        None => format!("/{}/$entity", kind.segment()),
    };
    Ok(json_with_context(
        links.context(&path.meeting, &tail),
        object(
            found
                .artifact
                .to_json(&links.content_url(&found.artifact), select.as_deref()),
        ),
    ))
}

async fn list_transcripts(
    State(s): State<AppState>,
    Extension(v): Extension<ApiVersion>,
    PathUserParam(u): PathUserParam,
    p: ArtifactPath,
    RawQuery(q): RawQuery,
    h: HeaderMap,
) -> Result<Response, GraphFailure> {
    let op = (ArtifactKind::Transcript, Operation::ListTranscripts);
    list(s, v, u, p, q, h, op).await
}

async fn list_recordings(
    State(s): State<AppState>,
    Extension(v): Extension<ApiVersion>,
    PathUserParam(u): PathUserParam,
    p: ArtifactPath,
    RawQuery(q): RawQuery,
    h: HeaderMap,
) -> Result<Response, GraphFailure> {
    let op = (ArtifactKind::Recording, Operation::ListRecordings);
    list(s, v, u, p, q, h, op).await
}

async fn get_transcript(
    State(s): State<AppState>,
    Extension(v): Extension<ApiVersion>,
    PathUserParam(u): PathUserParam,
    p: ArtifactPath,
    RawQuery(q): RawQuery,
    h: HeaderMap,
) -> Result<Response, GraphFailure> {
    fetch(
        s,
        v,
        u,
        p,
        q,
        h,
        ArtifactKind::Transcript,
        Operation::GetTranscript,
    )
    .await
}

async fn get_recording(
    State(s): State<AppState>,
    Extension(v): Extension<ApiVersion>,
    PathUserParam(u): PathUserParam,
    p: ArtifactPath,
    RawQuery(q): RawQuery,
    h: HeaderMap,
) -> Result<Response, GraphFailure> {
    fetch(
        s,
        v,
        u,
        p,
        q,
        h,
        ArtifactKind::Recording,
        Operation::GetRecording,
    )
    .await
}

fn content(media_type: &'static str, body: impl Into<axum::body::Body>) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, HeaderValue::from_static(media_type))],
        body.into(),
    )
        .into_response()
}

async fn transcript_content(
    State(state): State<AppState>,
    Extension(version): Extension<ApiVersion>,
    PathUserParam(user): PathUserParam,
    path: ArtifactPath,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, GraphFailure> {
    let (org, _) = organizer(&state, &headers, Operation::GetTranscriptContent, &user).await?;
    let options = query_options(query.as_deref())?;
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let format = TranscriptFormat::negotiate(option(&options, "$format"), accept)?;
    let item = path.item.unwrap_or_default();
    let text = state
        .playback
        .transcript_content(&org, &path.meeting, &item, format, beta(version))
        .await
        .map_err(graph_error)?;
    Ok(content(format.media_type(), text))
}

async fn transcript_metadata(
    State(state): State<AppState>,
    Extension(version): Extension<ApiVersion>,
    PathUserParam(user): PathUserParam,
    path: ArtifactPath,
    headers: HeaderMap,
) -> Result<Response, GraphFailure> {
    let (org, _) = organizer(
        &state,
        &headers,
        Operation::GetTranscriptMetadataContent,
        &user,
    )
    .await?;
    let item = path.item.unwrap_or_default();
    let text = state
        .playback
        .transcript_metadata(&org, &path.meeting, &item, beta(version))
        .await
        .map_err(graph_error)?;
    Ok(content("text/vtt", text))
}

async fn recording_content(
    State(state): State<AppState>,
    Extension(version): Extension<ApiVersion>,
    PathUserParam(user): PathUserParam,
    path: ArtifactPath,
    headers: HeaderMap,
) -> Result<Response, GraphFailure> {
    let (org, _) = organizer(&state, &headers, Operation::GetRecordingContent, &user).await?;
    let item = path.item.unwrap_or_default();
    let bytes = state
        .playback
        .recording_content(&org, &path.meeting, &item, beta(version))
        .await
        .map_err(graph_error)?;
    Ok(content("video/mp4", bytes))
}

// ---- getAllTranscripts / getAllRecordings ----------------------------------------------------

/// `contentCorrelationId eq '{id}'` (the property's name in any case).
fn correlation_filter(filter: &str) -> Option<String> {
    let (left, right) = filter.split_once(" eq ")?;
    if !left.trim().eq_ignore_ascii_case("contentCorrelationId") {
        return None;
    }
    let value = right.trim();
    Some(value.strip_prefix('\'')?.strip_suffix('\'')?.to_owned())
}

/// The page size of getAll* without `$top` [inf].
const GET_ALL_PAGE: usize = 50;

/// `$filter=MeetingOrganizer/User/Id eq '{id}'`, the organizer the bare function name takes.
fn organizer_filter(filter: &str) -> Option<String> {
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

async fn get_all_delta(
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

#[cfg(test)]
mod tests {
    use super::organizer_filter;

    #[test]
    fn the_organizer_filter_names_one_user() {
        assert_eq!(
            organizer_filter("MeetingOrganizer/User/Id eq 'abc'").as_deref(),
            Some("abc")
        );
        assert_eq!(organizer_filter("meetingOrganizer/user/id eq abc"), None);
        assert_eq!(organizer_filter("subject eq 'abc'"), None);
        assert_eq!(
            super::correlation_filter("contentcorrelationId eq 'e87c-0'").as_deref(),
            Some("e87c-0")
        );
        assert_eq!(super::correlation_filter("id eq 'x'"), None);
    }
}
