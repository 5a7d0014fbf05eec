//! The Microsoft Graph surface (`/v1.0`, `/beta`): online meetings as the real service serves
//! them, authorized by application access policies, and the users the meetings are organised by.
//!
//! Every response carries Graph's envelope headers (`request-id`, `client-request-id`,
//! `x-ms-ags-diagnostic`) and every error Graph's body with `innerError`; both are written once,
//! in [`envelope`], for every route including unknown ones.

pub mod artifacts;
pub mod auth;
pub mod events;
pub mod fault;
pub mod meetings;
pub mod subscriptions;
pub mod users;

use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use graphmeet_wire::graph::{ApiVersion, GraphError};

pub use crate::surface::REQUEST_ID_HEADER;

/// What a request holding a NUL character is told.
pub const NUL_MESSAGE: &str =
    "The request contains a NUL character (U+0000), which no property or key accepts.";

/// The largest Graph request body read.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// A Graph error on its way out; [`envelope`] renders the body with the request's ids.
/// Boxed: it travels in every handler's `Err`.
#[derive(Debug, Clone)]
pub struct GraphFailure(Box<Failure>);

#[derive(Debug, Clone)]
struct Failure {
    error: GraphError,
    decision: Option<String>,
}

impl From<GraphError> for GraphFailure {
    fn from(error: GraphError) -> Self {
        Self(Box::new(Failure {
            error,
            decision: None,
        }))
    }
}

impl GraphFailure {
    /// Attaches the access-policy explanation, sent as the `x-graphmeet-policy-decision` header.
    pub fn with_decision(mut self, reason: &str) -> Self {
        self.0.decision = Some(reason.to_owned());
        self
    }

    /// The error.
    pub fn error(&self) -> &GraphError {
        &self.0.error
    }

    /// The access-policy explanation, when a policy refused the call.
    pub fn decision(&self) -> Option<&str> {
        self.0.decision.as_deref()
    }
}

impl IntoResponse for GraphFailure {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// Graph's response envelope: ids, diagnostics headers, and error bodies with `innerError`.
pub async fn envelope(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let request_id = crate::surface::request_id(request.headers());
    // Echo whatever the client sent (the Node client's ids are not RFC 4122), within reason.
    let client_request_id = request
        .headers()
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128)
        .map(str::to_owned)
        .unwrap_or_else(|| request_id.clone());
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        request
            .headers_mut()
            .insert(crate::surface::REQUEST_ID_HEADER_NAME, v);
    }
    // A NUL character in the path or the query names nothing Graph has (and could not be
    // looked up in PostgreSQL): the request gets Graph's 400 before any handler runs.
    let nul = request.uri().path().contains("%00")
        || request.uri().query().is_some_and(|q| q.contains("%00"));
    let fault = state.faults.check(
        request
            .headers()
            .get(fault::FAULT_HEADER)
            .and_then(|v| v.to_str().ok()),
    );
    let mut response = match fault {
        _ if nul => GraphFailure::from(GraphError::bad_request(NUL_MESSAGE)).into_response(),
        Some(failure) => failure.into_response(),
        None => match read_body_first(request).await {
            Ok(request) => next.run(request).await,
            Err(too_large) => too_large,
        },
    };
    if let Some(failure) = response.extensions_mut().remove::<GraphFailure>() {
        let status = response.status();
        let Failure { error, decision } = *failure.0;
        let body = error.to_body(&request_id, &client_request_id, state.clock.now());
        let mut rendered = (status, axum::Json(body)).into_response();
        if let Some(secs) = error.retry_after_secs {
            rendered
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if let Some(reason) = decision
            .as_deref()
            .and_then(|r| HeaderValue::from_str(r).ok())
        {
            rendered
                .headers_mut()
                .insert("x-graphmeet-policy-decision", reason);
        }
        response = rendered;
    }
    let h = response.headers_mut();
    // Names as constants: a name inserted as text is copied on every answer.
    const REQUEST_ID: HeaderName = HeaderName::from_static("request-id");
    const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");
    const DIAGNOSTIC: HeaderName = HeaderName::from_static("x-ms-ags-diagnostic");
    const ODATA_VERSION: HeaderName = HeaderName::from_static("odata-version");
    for (name, value) in [
        (REQUEST_ID, &request_id),
        (CLIENT_REQUEST_ID, &client_request_id),
    ] {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(name, v);
        }
    }
    h.insert(
        DIAGNOSTIC,
        HeaderValue::from_static(r#"{"ServerInfo":{"DataCenter":"graphmeet","Slice":"E","Ring":"1","ScaleUnit":"000","RoleInstance":"graphmeet"}}"#),
    );
    h.insert(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static("max-age=31536000"),
    );
    if h.get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"))
    {
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"));
        h.insert(ODATA_VERSION, HeaderValue::from_static("4.0"));
    }
    response
}

/// Reads the request's body before any handler runs. A handler that refuses a call before its
/// body is read (a 401, a 403) would otherwise leave the body on the connection, which hyper
/// then closes after answering; a client that reuses the keep-alive connection meanwhile finds
/// it gone ("Server disconnected without sending a response"). Bodies are small (at most
/// [`BODY_LIMIT`]); a larger one is refused here, and its connection closed.
async fn read_body_first(request: Request) -> Result<Request, Response> {
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => Ok(Request::from_parts(parts, axum::body::Body::from(bytes))),
        Err(_) => {
            let mut response =
                GraphFailure::from(GraphError::payload_too_large(BODY_LIMIT)).into_response();
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            Err(response)
        }
    }
}

/// Graph's answer for a path it has no resource for: 400 naming the first segment it could not
/// resolve (Graph does not 404 unknown segments).
async fn unknown_route(uri: Uri) -> GraphFailure {
    // Inside the version's nest the path starts after `/v1.0` or `/beta`.
    let segments: Vec<&str> = uri.path().split('/').filter(|s| !s.is_empty()).collect();
    if let Some(resource) = unserved(&segments) {
        return GraphError::not_served(resource).into();
    }
    let segment = match segments.first() {
        Some(first) if !["users", "me"].contains(first) => first,
        _ => segments.last().unwrap_or(&""),
    };
    GraphError::resource_not_found_for_segment(segment).into()
}

/// Real Graph resources graphmeet does not serve, by their first segments (after the user for
/// `/users/{id}/…` and `/me/…`): a `501` that names them instead of the unknown-segment `400`.
/// The coverage table in `docs/fidelity.md` lists the same.
const UNSERVED_UNDER_USER: &[(&str, &str)] = &[
    ("calendar", "calendars (/users/{id}/calendar)"),
    ("calendars", "calendars (/users/{id}/calendars)"),
    ("messages", "mail (/users/{id}/messages)"),
    ("mailFolders", "mail folders (/users/{id}/mailFolders)"),
    ("sendMail", "sendMail"),
    ("chats", "chats (/users/{id}/chats)"),
    ("joinedTeams", "teams (/users/{id}/joinedTeams)"),
    ("presence", "presence (/users/{id}/presence)"),
    ("memberOf", "group memberships (/users/{id}/memberOf)"),
    ("manager", "managers (/users/{id}/manager)"),
    ("photo", "photos (/users/{id}/photo)"),
    (
        "licenseDetails",
        "licence details (/users/{id}/licenseDetails)",
    ),
];

/// Under `…/onlineMeetings/{id}/`: the artifacts a meeting leaves behind.
const UNSERVED_UNDER_MEETING: &[(&str, &str)] = &[
    (
        "attendeeReport",
        "live-event attendee reports (…/onlineMeetings/{id}/attendeeReport)",
    ),
    (
        "registration",
        "meeting registration (…/onlineMeetings/{id}/registration)",
    ),
];

/// At the root of a version.
const UNSERVED_AT_ROOT: &[(&str, &str)] = &[
    ("communications", "cloud communications (/communications)"),
    ("chats", "chats (/chats)"),
    ("teams", "teams (/teams)"),
    ("groups", "groups (/groups)"),
    ("applications", "app registrations (/applications)"),
    (
        "servicePrincipals",
        "service principals (/servicePrincipals)",
    ),
    ("organization", "the organization (/organization)"),
    ("sites", "SharePoint sites (/sites)"),
    ("drives", "drives (/drives)"),
    ("solutions", "solutions (/solutions)"),
];

fn find(table: &[(&str, &'static str)], segment: Option<&&str>) -> Option<&'static str> {
    let segment = segment?;
    table
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(segment))
        .map(|(_, what)| *what)
}

/// The real Graph resource a path names that graphmeet does not serve, if any.
fn unserved(segments: &[&str]) -> Option<&'static str> {
    let under_user = match segments.first() {
        Some(s) if s.eq_ignore_ascii_case("users") => segments.get(2..),
        Some(s) if s.eq_ignore_ascii_case("me") => segments.get(1..),
        _ => return find(UNSERVED_AT_ROOT, segments.first()),
    }?;
    if under_user
        .first()
        .is_some_and(|s| s.eq_ignore_ascii_case("onlineMeetings"))
    {
        return find(UNSERVED_UNDER_MEETING, under_user.get(2));
    }
    find(UNSERVED_UNDER_USER, under_user.first())
}

async fn wrong_method() -> GraphFailure {
    GraphError::method_not_allowed().into()
}

/// The Graph routes of one API version.
fn version_routes(version: ApiVersion) -> Router<AppState> {
    meetings::router(version)
        .merge(users::router(version))
        .merge(events::router(version))
        .merge(artifacts::router(version))
        .merge(subscriptions::router(version))
        .fallback(unknown_route)
        .method_not_allowed_fallback(wrong_method)
}

/// `/v1.0` and `/beta`, wrapped in Graph's envelope.
///
/// The envelope wraps each version's router once rather than each route (`Router::layer`
/// boxes every route, and each box is cloned on every call).
pub fn router(state: AppState) -> Router<AppState> {
    let version = |version| {
        tower::ServiceBuilder::new()
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                envelope,
            ))
            .service(version_routes(version).with_state(state.clone()))
    };
    Router::new()
        .nest_service("/v1.0", version(ApiVersion::V1))
        .nest_service("/beta", version(ApiVersion::Beta))
}

/// Whether the caller asked for the newer enum members (`Prefer: include-unknown-enum-members`),
/// in any of its `Prefer` headers.
pub fn prefers_unknown_enum_members(headers: &HeaderMap) -> bool {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(graphmeet_wire::graph::meeting::prefers_unknown_enum_members)
}
