//! `…/onlineMeetings` under `/users/{id}` and `/me`.
//! Thin handlers: authorize, parse, call `graphmeet_core::meetings`, render.

use super::auth::authorize;
use super::{prefers_unknown_enum_members, GraphFailure};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Extension, FromRequestParts, RawPathParams, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use graphmeet_core::access::{Authorized, Operation, PathUser};
use graphmeet_core::meetings::{MeetingError, Meetings, Organizer};
use graphmeet_core::model::MeetingRevision;
use graphmeet_wire::graph::meeting::{parse_create_or_get, parse_input, RenderOptions, Rendered};
use graphmeet_wire::graph::{
    parse_entity_query, parse_query, ApiVersion, GraphError, OnlineMeeting,
};
use serde_json::json;
use std::sync::Arc;

/// The meeting and user routes of one API version.
pub fn router(version: ApiVersion) -> Router<AppState> {
    Router::new()
        .route(
            "/users/{user}/onlineMeetings",
            get(find_meetings).post(create_meeting),
        )
        .route(
            "/users/{user}/onlineMeetings/createOrGet",
            post(create_or_get_meeting),
        )
        .route(
            "/users/{user}/onlineMeetings/{id}",
            get(get_meeting)
                .patch(update_meeting)
                .delete(delete_meeting),
        )
        .route(
            "/me/onlineMeetings",
            get(find_meetings).post(create_meeting),
        )
        .route(
            "/me/onlineMeetings/createOrGet",
            post(create_or_get_meeting),
        )
        .route(
            "/me/onlineMeetings/{id}",
            get(get_meeting)
                .patch(update_meeting)
                .delete(delete_meeting),
        )
        .layer(Extension(version))
}

/// The one place a meeting error becomes a Graph error.
fn graph_error(e: MeetingError) -> GraphFailure {
    GraphFailure::from(match e {
        MeetingError::Input(e) => e.to_graph_error(),
        MeetingError::Rule(text) => GraphError::bad_request(text),
        MeetingError::Id(e) => e.to_graph_error(),
        MeetingError::OrganizerMismatch(user) => GraphError::organizer_mismatch(&user),
        MeetingError::NotFound => GraphError::meeting_not_found(),
        MeetingError::NoAccess => GraphError::meeting_lookup_denied(),
        // Graph's throttling answer (spec §4.3), naming the organizer the monthly limit is
        // counted for.
        MeetingError::QuotaExceeded {
            organizer,
            retry_after_secs,
            ..
        } => GraphError::too_many_requests(&organizer.to_string(), retry_after_secs),
        MeetingError::Store(e) => {
            tracing::error!(error = %e, "meeting operation failed");
            GraphError::internal_server_error()
        }
    })
}

/// A meeting that could not be serialized: the server's fault, not the request's.
fn render_failure(e: &serde_json::Error) -> GraphFailure {
    tracing::error!(error = %e, "rendering a meeting failed");
    GraphError::internal_server_error().into()
}

/// The organizer capability from an authorization.
fn organizer(auth: &Authorized) -> Result<Organizer, GraphFailure> {
    auth.organizer()
        .ok_or_else(|| GraphFailure::from(GraphError::meeting_lookup_denied()))
}

/// Reads a JSON body after authorization (a bad token is a 401 whatever the body).
pub(super) async fn read_json(
    headers: &HeaderMap,
    body: Body,
) -> Result<axum::body::Bytes, GraphFailure> {
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if essence != "application/json" && !essence.ends_with("+json") {
        return Err(GraphError::unsupported_media_type(content_type).into());
    }
    let bytes = axum::body::to_bytes(body, super::BODY_LIMIT)
        .await
        .map_err(|_| GraphFailure::from(GraphError::payload_too_large(super::BODY_LIMIT)))?;
    // No property takes a NUL character (and PostgreSQL cannot store one in text): refused
    // here, before anything is decoded or stored. A raw NUL is not valid JSON anyway.
    if contains_nul_escape(&bytes) {
        return Err(GraphError::bad_request(super::NUL_MESSAGE).into());
    }
    Ok(bytes)
}

/// Whether a JSON text holds the escape `\u0000` (a backslash that is itself escaped does not
/// start one).
fn contains_nul_escape(json: &[u8]) -> bool {
    let mut backslashes = 0usize;
    for (i, b) in json.iter().enumerate() {
        if *b == b'\\' {
            backslashes += 1;
            continue;
        }
        if backslashes % 2 == 1
            && (*b == b'u' || *b == b'U')
            && json.get(i + 1..i + 5) == Some(b"0000".as_slice())
        {
            return true;
        }
        backslashes = 0;
    }
    false
}

struct Render<'a> {
    state: &'a AppState,
    headers: &'a HeaderMap,
    version: ApiVersion,
    user_id: String,
}

impl Render<'_> {
    fn context(&self, tail: &str) -> String {
        format!(
            "{}/{}/$metadata#users('{}')/onlineMeetings{tail}",
            self.state.base_url(self.headers),
            self.version.as_str(),
            self.user_id
        )
    }

    fn options(&self, select: Option<Vec<String>>) -> RenderOptions {
        RenderOptions {
            version: self.version,
            prefer_unknown_enum_members: prefers_unknown_enum_members(self.headers),
            include_undocumented: true,
            select,
        }
    }

    fn entity(
        &self,
        meeting: &OnlineMeeting,
        select: Option<Vec<String>>,
        status: StatusCode,
    ) -> Response {
        let context = match &select {
            Some(props) => self.context(&format!("({})/$entity", props.join(","))),
            None => self.context("/$entity"),
        };
        let options = self.options(select);
        // The properties are serialized straight after the annotations, in the body itself.
        let mut body = annotations(&context, 4096);
        let start = body.len();
        match serde_json::to_writer(&mut body, &meeting.render(&options)) {
            Ok(()) => entity_response(status, join_properties(body, start)),
            Err(e) => render_failure(&e).into_response(),
        }
    }

    /// [`Render::entity`] of the organizer's meeting `raw_id` as stored now, with no `$select`:
    /// the same bytes, with the properties' text from [`crate::state::MeetingRenders`] when
    /// the meeting's revision is the one rendered there (its document is then not even read).
    async fn current_entity(
        &self,
        org: &Organizer,
        raw_id: &str,
    ) -> Result<Response, GraphFailure> {
        let id = Meetings::organizers_id(org, raw_id).map_err(graph_error)?;
        let options = self.options(None);
        let prefer = options.prefer_unknown_enum_members;
        let kept = self.state.renders.kept(id.as_str(), self.version, prefer);
        let known = kept.as_ref().map(|(revision, _)| *revision);
        let properties = match self.state.meetings.revision(org, &id, known).await {
            Ok(MeetingRevision::Changed { revision, document }) => {
                let meeting = Meetings::parse(id.as_str(), &document).map_err(graph_error)?;
                let properties: Arc<str> = serde_json::to_string(&meeting.render(&options))
                    .map_err(|e| render_failure(&e))?
                    .into();
                self.state.renders.keep(
                    id.as_str(),
                    self.version,
                    prefer,
                    revision,
                    properties.clone(),
                );
                properties
            }
            // Unchanged is the answer only to a revision named, i.e. one kept.
            Ok(MeetingRevision::Unchanged) => match kept {
                Some((_, properties)) => properties,
                None => {
                    tracing::error!(
                        meeting = id.as_str(),
                        "the store answered an unnamed revision as unchanged"
                    );
                    return Err(GraphError::internal_server_error().into());
                }
            },
            Err(e) => return Err(graph_error(e)),
        };
        Ok(annotated_entity(
            StatusCode::OK,
            self.context("/$entity"),
            &properties,
        ))
    }

    fn collection(&self, meetings: &[OnlineMeeting], select: Option<Vec<String>>) -> Response {
        let context = match &select {
            Some(props) => self.context(&format!("({})", props.join(","))),
            None => self.context(""),
        };
        let options = self.options(select);
        let value: Vec<Rendered<'_>> = meetings.iter().map(|m| m.render(&options)).collect();
        Json(json!({ "@odata.context": context, "value": value })).into_response()
    }
}

/// An entity's answer: the OData annotations first, as OData writes them, then the properties
/// (`properties` is a JSON object's text), spliced as text rather than through a map: the bytes
/// are those of serializing one object holding both.
fn annotated_entity(status: StatusCode, context: String, properties: &str) -> Response {
    let mut body = annotations(&context, properties.len());
    let start = body.len();
    body.extend_from_slice(properties.as_bytes());
    entity_response(status, join_properties(body, start))
}

/// The opening of an entity's body, `{"@odata.context":…,"@odata.type":…`, with room for
/// `properties` more bytes.
fn annotations(context: &str, properties: usize) -> Vec<u8> {
    let mut body = Vec::with_capacity(properties + context.len() + 96);
    body.extend_from_slice(b"{\"@odata.context\":");
    // A string always serializes.
    let _ = serde_json::to_writer(&mut body, context);
    body.extend_from_slice(b",\"@odata.type\":\"#microsoft.graph.onlineMeeting\"");
    body
}

/// Joins the object written at `start` of `body` (after the annotations) to them: its `{`
/// becomes the annotations' `,`, or, for an empty object, the body's closing `}`.
fn join_properties(mut body: Vec<u8>, start: usize) -> Vec<u8> {
    if body.get(start) == Some(&b'{') && body.len() > start + 2 {
        body[start] = b',';
    } else {
        body.truncate(start);
        body.push(b'}');
    }
    body
}

fn entity_response(status: StatusCode, body: Vec<u8>) -> Response {
    (
        status,
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

async fn authorized(
    state: &AppState,
    headers: &HeaderMap,
    operation: Operation,
    path_user: PathUser,
) -> Result<(Authorized, Organizer), GraphFailure> {
    let auth = authorize(state, headers, operation, &path_user).await?;
    let org = organizer(&auth)?;
    Ok((auth, org))
}

async fn create(
    state: AppState,
    version: ApiVersion,
    headers: HeaderMap,
    path_user: PathUser,
    body: Body,
) -> Result<Response, GraphFailure> {
    let (auth, org) = authorized(&state, &headers, Operation::CreateMeeting, path_user).await?;
    let bytes = read_json(&headers, body).await?;
    let input = parse_input(&bytes).map_err(|e| GraphFailure::from(e.to_graph_error()))?;
    let meeting = state
        .meetings
        .create(&org, input)
        .await
        .map_err(graph_error)?;
    Ok(Render {
        state: &state,
        headers: &headers,
        version,
        user_id: auth.user().id.to_string(),
    }
    .entity(&meeting, None, StatusCode::CREATED))
}

async fn create_or_get(
    state: AppState,
    version: ApiVersion,
    headers: HeaderMap,
    path_user: PathUser,
    body: Body,
) -> Result<Response, GraphFailure> {
    let (auth, org) =
        authorized(&state, &headers, Operation::CreateOrGetMeeting, path_user).await?;
    let bytes = read_json(&headers, body).await?;
    let input =
        parse_create_or_get(&bytes, version).map_err(|e| GraphFailure::from(e.to_graph_error()))?;
    let (meeting, created) = state
        .meetings
        .create_or_get(&org, input)
        .await
        .map_err(graph_error)?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(Render {
        state: &state,
        headers: &headers,
        version,
        user_id: auth.user().id.to_string(),
    }
    .entity(&meeting, None, status))
}

async fn fetch(
    state: AppState,
    version: ApiVersion,
    headers: HeaderMap,
    path_user: PathUser,
    id: String,
    query: Option<String>,
) -> Result<Response, GraphFailure> {
    let (auth, org) = authorized(&state, &headers, Operation::GetMeeting, path_user).await?;
    let query =
        parse_entity_query(query.as_deref()).map_err(|e| GraphFailure::from(e.to_graph_error()))?;
    let render = Render {
        state: &state,
        headers: &headers,
        version,
        user_id: auth.user().id.to_string(),
    };
    if query.select.is_some() {
        let meeting = state.meetings.get(&org, &id).await.map_err(graph_error)?;
        return Ok(render.entity(&meeting, query.select, StatusCode::OK));
    }
    render.current_entity(&org, &id).await
}

async fn find(
    state: AppState,
    version: ApiVersion,
    headers: HeaderMap,
    path_user: PathUser,
    query: Option<String>,
) -> Result<Response, GraphFailure> {
    let (auth, org) = authorized(&state, &headers, Operation::FindMeetings, path_user).await?;
    let query =
        parse_query(query.as_deref()).map_err(|e| GraphFailure::from(e.to_graph_error()))?;
    let filter = query
        .collection_filter()
        .map_err(|e| GraphFailure::from(e.to_graph_error()))?;
    let meetings = state
        .meetings
        .find(&org, filter)
        .await
        .map_err(graph_error)?;
    Ok(Render {
        state: &state,
        headers: &headers,
        version,
        user_id: auth.user().id.to_string(),
    }
    .collection(&meetings, query.select))
}

async fn update(
    state: AppState,
    version: ApiVersion,
    headers: HeaderMap,
    path_user: PathUser,
    id: String,
    body: Body,
) -> Result<Response, GraphFailure> {
    let (auth, org) = authorized(&state, &headers, Operation::UpdateMeeting, path_user).await?;
    let bytes = read_json(&headers, body).await?;
    let patch = parse_input(&bytes).map_err(|e| GraphFailure::from(e.to_graph_error()))?;
    let meeting = state
        .meetings
        .update(&org, &id, patch)
        .await
        .map_err(graph_error)?;
    Ok(Render {
        state: &state,
        headers: &headers,
        version,
        user_id: auth.user().id.to_string(),
    }
    .entity(&meeting, None, StatusCode::OK))
}

async fn delete(
    state: AppState,
    headers: HeaderMap,
    path_user: PathUser,
    id: String,
) -> Result<Response, GraphFailure> {
    let (_, org) = authorized(&state, &headers, Operation::DeleteMeeting, path_user).await?;
    state
        .meetings
        .delete(&org, &id)
        .await
        .map_err(graph_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(super) type Ver = Extension<ApiVersion>;

/// The meeting id a route names, percent-decoded.
pub struct MeetingIdParam(String);

impl<S: Send + Sync> FromRequestParts<S> for MeetingIdParam {
    type Rejection = GraphFailure;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| GraphFailure::from(GraphError::meeting_id_corrupted()))?;
        params
            .iter()
            .find(|(k, _)| *k == "id")
            .map(|(_, v)| Self(v.to_owned()))
            .ok_or_else(|| GraphError::meeting_id_corrupted().into())
    }
}

/// The user a route names, parsed once at the edge.
pub struct PathUserParam(pub PathUser);

impl<S: Send + Sync> FromRequestParts<S> for PathUserParam {
    type Rejection = GraphFailure;

    /// `/users/{user}/…` names a user; routes without `{user}` are `/me/…`.
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| GraphFailure::from(GraphError::user_not_found("")))?;
        Ok(Self(
            params
                .iter()
                .find(|(k, _)| *k == "user")
                .map(|(_, v)| PathUser::segment(v))
                .unwrap_or(PathUser::Me),
        ))
    }
}

async fn create_meeting(
    State(s): State<AppState>,
    Extension(v): Ver,
    PathUserParam(user): PathUserParam,
    h: HeaderMap,
    body: Body,
) -> Result<Response, GraphFailure> {
    create(s, v, h, user, body).await
}
async fn create_or_get_meeting(
    State(s): State<AppState>,
    Extension(v): Ver,
    PathUserParam(user): PathUserParam,
    h: HeaderMap,
    body: Body,
) -> Result<Response, GraphFailure> {
    create_or_get(s, v, h, user, body).await
}
async fn get_meeting(
    State(s): State<AppState>,
    Extension(v): Ver,
    PathUserParam(user): PathUserParam,
    MeetingIdParam(id): MeetingIdParam,
    RawQuery(q): RawQuery,
    h: HeaderMap,
) -> Result<Response, GraphFailure> {
    // `getAllTranscripts(…)` / `getAllRecordings(…)` take the place of a meeting id.
    if graphmeet_wire::graph::artifacts::GetAllCall::parse(&id).is_some() {
        return super::artifacts::get_all(s, v, h, user, &id, q, false).await;
    }
    fetch(s, v, h, user, id, q).await
}
async fn find_meetings(
    State(s): State<AppState>,
    Extension(v): Ver,
    PathUserParam(user): PathUserParam,
    RawQuery(q): RawQuery,
    h: HeaderMap,
) -> Result<Response, GraphFailure> {
    find(s, v, h, user, q).await
}
async fn update_meeting(
    State(s): State<AppState>,
    Extension(v): Ver,
    PathUserParam(user): PathUserParam,
    MeetingIdParam(id): MeetingIdParam,
    h: HeaderMap,
    body: Body,
) -> Result<Response, GraphFailure> {
    update(s, v, h, user, id, body).await
}
async fn delete_meeting(
    State(s): State<AppState>,
    PathUserParam(user): PathUserParam,
    MeetingIdParam(id): MeetingIdParam,
    h: HeaderMap,
) -> Result<Response, GraphFailure> {
    delete(s, h, user, id).await
}
#[cfg(test)]
mod tests {
    use super::contains_nul_escape;

    #[test]
    fn nul_escapes_are_found_and_escaped_backslashes_are_not_escapes() {
        assert!(contains_nul_escape(br#"{"externalId":"a\u0000b"}"#));
        assert!(contains_nul_escape(br#"{"x":"\\\u0000"}"#));
        assert!(!contains_nul_escape(br#"{"x":"\\u0000"}"#));
        assert!(!contains_nul_escape(br#"{"x":"\u0041"}"#));
    }
}
