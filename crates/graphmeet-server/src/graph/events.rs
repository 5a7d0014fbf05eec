//! Calendar events under `/users/{id | upn}` and `/me`: `…/events` (and `…/calendar/events`),
//! `…/calendarView`, one event, update, delete, `cancel`, `accept`, `decline`,
//! `tentativelyAccept`. Thin handlers: authorize (a calendar [`Operation`]), parse, call
//! `graphmeet_core::events`, render with `graphmeet_wire::graph::event`.

use super::auth::authorize;
use super::meetings::{read_json, PathUserParam, Ver};
use super::GraphFailure;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Extension, FromRequestParts, RawPathParams, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::{Json, Router};
use graphmeet_core::access::{Operation, PathUser};
use graphmeet_core::events::{EventError, EventPage, EventScope, Mailbox, Response as Answer};
use graphmeet_wire::graph::event::{
    self as wire, calendar_view_window, parse_event_input, parse_event_query, Event, EventQuery,
    EventRender,
};
use graphmeet_wire::graph::ids::percent_decode;
use graphmeet_wire::graph::timezone::Zone;
use graphmeet_wire::graph::{ApiVersion, GraphError};
use serde_json::{json, Map, Value};

/// The calendar routes of one API version.
pub fn router(version: ApiVersion) -> Router<AppState> {
    let mut router = Router::new();
    for base in ["/users/{user}", "/me"] {
        for events in ["events", "calendar/events"] {
            router = router
                .route(
                    &format!("{base}/{events}"),
                    get(list_events).post(create_event),
                )
                .route(
                    &format!("{base}/{events}/{{id}}"),
                    get(get_event).patch(update_event).delete(delete_event),
                )
                .route(
                    &format!("{base}/{events}/{{id}}/cancel"),
                    post(cancel_event),
                )
                .route(
                    &format!("{base}/{events}/{{id}}/accept"),
                    respond_as(Answer::Accept),
                )
                .route(
                    &format!("{base}/{events}/{{id}}/decline"),
                    respond_as(Answer::Decline),
                )
                .route(
                    &format!("{base}/{events}/{{id}}/tentativelyAccept"),
                    respond_as(Answer::TentativelyAccept),
                );
        }
        for view in ["calendarView", "calendar/calendarView"] {
            router = router.route(&format!("{base}/{view}"), get(calendar_view));
        }
    }
    router.layer(Extension(version))
}

/// The one place an event error becomes a Graph error.
fn graph_error(e: EventError) -> GraphFailure {
    GraphFailure::from(match e {
        EventError::Input(e) => e,
        EventError::Rule(text) => GraphError::new(400, "ErrorInvalidRequest", text),
        EventError::NotFound => wire::item_not_found(),
        EventError::NotOrganizer => wire::cancel_needs_organizer(),
        EventError::OrganizerCannotRespond => wire::organizer_cannot_respond(),
        EventError::ProposalRefused => wire::proposed_new_time_refused(),
        EventError::MailboxNotEnabled => wire::mailbox_not_enabled(),
        EventError::Meeting(e) => {
            tracing::error!(error = %e, "the Teams meeting of an event failed");
            GraphError::internal_server_error()
        }
        EventError::Store(e) => {
            tracing::error!(error = %e, "event operation failed");
            GraphError::internal_server_error()
        }
    })
}

/// The zone of `Prefer: outlook.timezone`, if the request names one.
fn preferred_zone(headers: &HeaderMap) -> Result<Option<Zone>, GraphFailure> {
    let values = headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok());
    match wire::prefer_timezone(values) {
        None => Ok(None),
        Some(name) => Zone::parse(&name)
            .map(Some)
            .ok_or_else(|| wire::time_zone_not_supported(&name).into()),
    }
}

struct Render<'a> {
    state: &'a AppState,
    headers: &'a HeaderMap,
    version: ApiVersion,
    /// How the `@odata.context` names the user: the object id, or the UPN as the path gave it.
    user: String,
    zone: Option<Zone>,
}

impl Render<'_> {
    fn new<'a>(
        state: &'a AppState,
        headers: &'a HeaderMap,
        version: ApiVersion,
        path_user: &PathUser,
        mb: &Mailbox,
    ) -> Result<Render<'a>, GraphFailure> {
        let user = match path_user {
            PathUser::User { segment, .. } if segment.contains('@') => segment.replace('@', "%40"),
            _ => mb.user().id.to_string(),
        };
        Ok(Render {
            state,
            headers,
            version,
            user,
            zone: preferred_zone(headers)?,
        })
    }

    fn context(&self, collection: &str, select: Option<&[String]>, entity: bool) -> String {
        let select = select
            .map(|s| format!("({})", s.join(",")))
            .unwrap_or_default();
        format!(
            "{}/{}/$metadata#users('{}')/{collection}{select}{}",
            self.state.base_url(self.headers),
            self.version.as_str(),
            self.user,
            if entity { "/$entity" } else { "" }
        )
    }

    fn options(&self, select: Option<Vec<String>>) -> EventRender {
        EventRender {
            zone: self.zone.clone().unwrap_or_else(Zone::utc),
            select,
        }
    }

    fn finish(&self, status: StatusCode, body: Value) -> Response {
        let mut response = (status, Json(body)).into_response();
        if let Some(zone) = &self.zone {
            if let Ok(v) = HeaderValue::from_str(&wire::preference_applied(&zone.name)) {
                response.headers_mut().insert("preference-applied", v);
            }
        }
        response
    }

    fn entity(&self, event: &Event, select: Option<Vec<String>>, status: StatusCode) -> Response {
        let mut body = Map::new();
        body.insert(
            "@odata.context".to_owned(),
            Value::String(self.context("events", select.as_deref(), true)),
        );
        if let Value::Object(props) = event.to_json(&self.options(select)) {
            body.extend(props);
        }
        self.finish(status, Value::Object(body))
    }

    fn collection(
        &self,
        collection: &str,
        page: &EventPage,
        query: &EventQuery,
        link_base: &str,
    ) -> Response {
        let options = self.options(query.select.clone());
        let value: Vec<Value> = page.events.iter().map(|e| e.to_json(&options)).collect();
        let mut body = json!({
            "@odata.context": self.context(collection, query.select.as_deref(), false),
            "value": value,
        });
        if let Some(skip) = page.next_skip {
            body["@odata.nextLink"] = Value::String(wire::next_link(link_base, query, skip));
        }
        self.finish(StatusCode::OK, body)
    }
}

/// Authorizes a calendar operation; the mailbox capability.
async fn mailbox(
    state: &AppState,
    headers: &HeaderMap,
    operation: Operation,
    path_user: &PathUser,
) -> Result<Mailbox, GraphFailure> {
    let auth = authorize(state, headers, operation, path_user).await?;
    auth.mailbox()
        .ok_or_else(|| GraphFailure::from(wire::calendar_access_denied()))
}

/// The event id a route names, percent-decoded by the router.
pub struct EventIdParam(String);

impl<S: Send + Sync> FromRequestParts<S> for EventIdParam {
    type Rejection = GraphFailure;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| GraphFailure::from(wire::item_not_found()))?;
        let raw = params
            .iter()
            .find(|(k, _)| *k == "id")
            .map(|(_, v)| v.to_owned())
            .ok_or_else(|| GraphFailure::from(wire::item_not_found()))?;
        let decoded = percent_decode(&raw);
        Ok(Self(decoded))
    }
}

/// The path of the collection a request named (with its version), for its next link.
fn link_base(state: &AppState, headers: &HeaderMap, uri: &axum::http::Uri) -> String {
    format!("{}{}", state.base_url(headers), uri.path())
}

async fn create_event(
    State(state): State<AppState>,
    Extension(version): Ver,
    PathUserParam(path_user): PathUserParam,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, GraphFailure> {
    let mb = mailbox(&state, &headers, Operation::CreateEvent, &path_user).await?;
    let render = Render::new(&state, &headers, version, &path_user, &mb)?;
    let bytes = read_json(&headers, body).await?;
    let input = parse_event_input(&bytes)?;
    let event = state.events.create(&mb, input).await.map_err(graph_error)?;
    Ok(render.entity(&event, None, StatusCode::CREATED))
}

async fn get_event(
    State(state): State<AppState>,
    Extension(version): Ver,
    PathUserParam(path_user): PathUserParam,
    EventIdParam(id): EventIdParam,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, GraphFailure> {
    let mb = mailbox(&state, &headers, Operation::GetEvent, &path_user).await?;
    let render = Render::new(&state, &headers, version, &path_user, &mb)?;
    let query = parse_event_query(query.as_deref())?;
    let event = state.events.get(&mb, &id).await.map_err(graph_error)?;
    Ok(render.entity(&event, query.select, StatusCode::OK))
}

async fn list_events(
    State(state): State<AppState>,
    Extension(version): Ver,
    PathUserParam(path_user): PathUserParam,
    RawQuery(query): RawQuery,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    headers: HeaderMap,
) -> Result<Response, GraphFailure> {
    let mb = mailbox(&state, &headers, Operation::ListEvents, &path_user).await?;
    let render = Render::new(&state, &headers, version, &path_user, &mb)?;
    let query = parse_event_query(query.as_deref())?;
    let page = state
        .events
        .list(&mb, EventScope::All, &query)
        .await
        .map_err(graph_error)?;
    Ok(render.collection("events", &page, &query, &link_base(&state, &headers, &uri)))
}

async fn calendar_view(
    State(state): State<AppState>,
    Extension(version): Ver,
    PathUserParam(path_user): PathUserParam,
    RawQuery(query): RawQuery,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    headers: HeaderMap,
) -> Result<Response, GraphFailure> {
    let mb = mailbox(&state, &headers, Operation::CalendarView, &path_user).await?;
    let render = Render::new(&state, &headers, version, &path_user, &mb)?;
    let query = parse_event_query(query.as_deref())?;
    let (start, end) = calendar_view_window(&query)?;
    let page = state
        .events
        .list(&mb, EventScope::Window(start, end), &query)
        .await
        .map_err(graph_error)?;
    Ok(render.collection(
        "calendarView",
        &page,
        &query,
        &link_base(&state, &headers, &uri),
    ))
}

async fn update_event(
    State(state): State<AppState>,
    Extension(version): Ver,
    PathUserParam(path_user): PathUserParam,
    EventIdParam(id): EventIdParam,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, GraphFailure> {
    let mb = mailbox(&state, &headers, Operation::UpdateEvent, &path_user).await?;
    let render = Render::new(&state, &headers, version, &path_user, &mb)?;
    let bytes = read_json(&headers, body).await?;
    let patch = parse_event_input(&bytes)?;
    let event = state
        .events
        .update(&mb, &id, patch)
        .await
        .map_err(graph_error)?;
    Ok(render.entity(&event, None, StatusCode::OK))
}

async fn delete_event(
    State(state): State<AppState>,
    PathUserParam(path_user): PathUserParam,
    EventIdParam(id): EventIdParam,
    headers: HeaderMap,
) -> Result<Response, GraphFailure> {
    let mb = mailbox(&state, &headers, Operation::DeleteEvent, &path_user).await?;
    state.events.delete(&mb, &id).await.map_err(graph_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// An action's optional body: none, or JSON.
async fn action_body(headers: &HeaderMap, body: Body) -> Result<Vec<u8>, GraphFailure> {
    let has_type = headers.contains_key(axum::http::header::CONTENT_TYPE);
    if !has_type {
        let bytes = axum::body::to_bytes(body, super::BODY_LIMIT)
            .await
            .map_err(|_| GraphFailure::from(GraphError::payload_too_large(super::BODY_LIMIT)))?;
        return Ok(bytes.to_vec());
    }
    Ok(read_json(headers, body).await?.to_vec())
}

async fn cancel_event(
    State(state): State<AppState>,
    PathUserParam(path_user): PathUserParam,
    EventIdParam(id): EventIdParam,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, GraphFailure> {
    let mb = mailbox(&state, &headers, Operation::CancelEvent, &path_user).await?;
    let bytes = action_body(&headers, body).await?;
    let comment = wire::parse_cancel_comment(&bytes)?;
    state
        .events
        .cancel(&mb, &id, comment)
        .await
        .map_err(graph_error)?;
    Ok(StatusCode::ACCEPTED.into_response())
}

async fn respond(
    state: AppState,
    path_user: PathUser,
    id: String,
    headers: HeaderMap,
    body: Body,
    answer: Answer,
) -> Result<Response, GraphFailure> {
    let mb = mailbox(&state, &headers, Operation::RespondToEvent, &path_user).await?;
    let bytes = action_body(&headers, body).await?;
    let input = wire::parse_respond_input(&bytes)?;
    state
        .events
        .respond(&mb, &id, answer, input)
        .await
        .map_err(graph_error)?;
    Ok(StatusCode::ACCEPTED.into_response())
}

/// The route of one answer (`accept`, `decline`, `tentativelyAccept`): the three differ only in
/// the answer they give.
fn respond_as(answer: Answer) -> MethodRouter<AppState> {
    post(
        move |State(state): State<AppState>,
              PathUserParam(user): PathUserParam,
              EventIdParam(id): EventIdParam,
              headers: HeaderMap,
              body: Body| respond(state, user, id, headers, body, answer),
    )
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn ids_are_percent_decoded() {
        assert_eq!(percent_decode("AAMkAD%3D"), "AAMkAD=");
        assert_eq!(percent_decode("AAMkAD="), "AAMkAD=");
        assert_eq!(percent_decode("a%2"), "a%2");
        // A multi-byte character after `%` is kept, not sliced through.
        assert_eq!(percent_decode("%1é"), "%1é");
    }
}
