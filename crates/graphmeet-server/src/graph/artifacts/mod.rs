//! What a meeting leaves behind, under `/users/{id}/onlineMeetings/{meetingId}/…` and `/me/…`:
//! attendance reports and records, transcripts (and their WebVTT and metadata), recordings (and
//! their MP4), and an organizer's `getAllTranscripts(…)` / `getAllRecordings(…)` with `/delta`.
//! Thin handlers: authorize (one [`Operation`] per route, so the role, the application access
//! policy and the organizer are the access service's), parse, call
//! `graphmeet_core::playback`, render.

use attendance::{get_report, list_records, list_reports};
use get_all::get_all_delta;

mod attendance;
mod get_all;

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
use graphmeet_core::playback::ArtifactError;
use graphmeet_wire::graph::artifacts::{
    ArtifactKind, CallArtifact, TranscriptFormat, ARTIFACT_PROPERTIES,
};
use graphmeet_wire::graph::{ApiVersion, GraphError};
use serde_json::{json, Map, Value};

pub use get_all::get_all;

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
            .route(
                &format!("{base}/transcripts"),
                get(|c: ArtifactCall| {
                    list(c, ArtifactKind::Transcript, Operation::ListTranscripts)
                }),
            )
            .route(
                &format!("{base}/transcripts/{{item}}"),
                get(|c: ArtifactCall| fetch(c, ArtifactKind::Transcript, Operation::GetTranscript)),
            )
            .route(
                &format!("{base}/transcripts/{{item}}/content"),
                get(transcript_content),
            )
            .route(
                &format!("{base}/transcripts/{{item}}/metadataContent"),
                get(transcript_metadata),
            )
            .route(
                &format!("{base}/recordings"),
                get(|c: ArtifactCall| list(c, ArtifactKind::Recording, Operation::ListRecordings)),
            )
            .route(
                &format!("{base}/recordings/{{item}}"),
                get(|c: ArtifactCall| fetch(c, ArtifactKind::Recording, Operation::GetRecording)),
            )
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

/// What a transcript or recording route reads from its request; one extractor serves the list
/// and get routes of both kinds, which differ only in the kind and the operation.
struct ArtifactCall {
    state: AppState,
    version: ApiVersion,
    user: PathUser,
    path: ArtifactPath,
    query: Option<String>,
    headers: HeaderMap,
}

impl FromRequestParts<AppState> for ArtifactCall {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Extension(version) = Extension::<ApiVersion>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let PathUserParam(user) = PathUserParam::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let path = ArtifactPath::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Self {
            state: state.clone(),
            version,
            user,
            path,
            query: parts.uri.query().map(str::to_owned),
            headers: parts.headers.clone(),
        })
    }
}

async fn list(
    call: ArtifactCall,
    kind: ArtifactKind,
    op: Operation,
) -> Result<Response, GraphFailure> {
    let ArtifactCall {
        state,
        version,
        user,
        path,
        query,
        headers,
    } = call;
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

async fn fetch(
    call: ArtifactCall,
    kind: ArtifactKind,
    op: Operation,
) -> Result<Response, GraphFailure> {
    let ArtifactCall {
        state,
        version,
        user,
        path,
        query,
        headers,
    } = call;
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
        Some(list) => Some(graphmeet_wire::graph::select::parse_select_list(
            list,
            &[ARTIFACT_PROPERTIES],
            |item| GraphError::unknown_query_property(item, &type_name),
        )?),
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

#[cfg(test)]
mod tests;
