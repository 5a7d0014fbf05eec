//! `/subscriptions`: change notifications for meeting resources. Thin handlers: verify the
//! token, parse, call `graphmeet_core::subscriptions` (which authorizes through `Access`),
//! render.
//!
//! Facts: spec `events-artifacts-notifications.md` C.1–C.2;
//! <https://learn.microsoft.com/graph/api/subscription-post-subscriptions>.

use super::auth::{denied, verified_caller};
use super::GraphFailure;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use graphmeet_core::access::Operation;
use graphmeet_core::subscriptions::{SubscriptionError, UrlProblem, ValidationFailure};
use graphmeet_wire::graph::subscription::{parse_create, parse_patch, SubscriptionView};
use graphmeet_wire::graph::{ApiVersion, GraphError};
use serde_json::Value;

/// The subscription routes of one API version.
pub fn router(version: ApiVersion) -> Router<AppState> {
    Router::new()
        .route(
            "/subscriptions",
            get(list_subscriptions).post(create_subscription),
        )
        .route(
            "/subscriptions/{id}",
            get(get_subscription)
                .patch(renew_subscription)
                .delete(delete_subscription),
        )
        .route(
            "/subscriptions/{id}/reauthorize",
            post(reauthorize_subscription),
        )
        .layer(Extension(version))
}

/// The one place a subscription error becomes a Graph error.
fn graph_error(e: SubscriptionError) -> GraphFailure {
    match e {
        SubscriptionError::Denied(denial) => denied(denial),
        other => GraphFailure::from(match other {
            SubscriptionError::Invalid(e) => e,
            SubscriptionError::UnsupportedResource(r) => {
                GraphError::unsupported_subscription_resource(&r)
            }
            SubscriptionError::UnsupportedChangeType { given, supported } => {
                GraphError::unsupported_change_type(&given, supported)
            }
            SubscriptionError::ExpirationTooFar(m) => {
                GraphError::subscription_expiration_too_far(m)
            }
            SubscriptionError::ExpirationPast => GraphError::subscription_expiration_past(),
            SubscriptionError::LifecycleUrlRequired => GraphError::lifecycle_url_required(),
            SubscriptionError::Url(url, UrlProblem::Invalid) => {
                GraphError::invalid_notification_url(&url)
            }
            SubscriptionError::Url(_, UrlProblem::Scheme(s)) => {
                GraphError::notification_url_scheme(&s)
            }
            SubscriptionError::Certificate(d) => GraphError::invalid_encryption_certificate(&d),
            SubscriptionError::Validation(ValidationFailure::TimedOut) => {
                GraphError::subscription_validation_timed_out()
            }
            SubscriptionError::Validation(ValidationFailure::Mismatch) => {
                GraphError::subscription_validation_mismatch()
            }
            SubscriptionError::Validation(failure) => {
                tracing::info!(?failure, "subscription validation failed");
                GraphError::subscription_validation_failed()
            }
            SubscriptionError::Exists => GraphError::subscription_exists(),
            SubscriptionError::NotFound(id) => GraphError::subscription_not_found(&id),
            SubscriptionError::Store(e) => {
                tracing::error!(error = %e, "subscription operation failed");
                GraphError::internal_server_error()
            }
            SubscriptionError::Denied(_) => GraphError::internal_server_error(),
        }),
    }
}

/// `https://host/v1.0` as the client addressed us, for `@odata.context`.
fn base(state: &AppState, headers: &HeaderMap, version: ApiVersion) -> String {
    format!("{}/{}", state.base_url(headers), version.as_str())
}

/// Reads a JSON body (after the token: a bad token is a 401 whatever the body).
async fn json_body(headers: &HeaderMap, body: Body) -> Result<Value, GraphFailure> {
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
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| GraphFailure::from(GraphError::unreadable_json_payload()))?;
    if text.contains("\\u0000") {
        return Err(GraphError::bad_request(super::NUL_MESSAGE).into());
    }
    serde_json::from_str(text).map_err(|_| GraphError::unreadable_json_payload().into())
}

fn entity(
    state: &AppState,
    headers: &HeaderMap,
    version: ApiVersion,
    view: &SubscriptionView,
) -> Value {
    view.entity(&base(state, headers, version))
}

async fn create_subscription(
    State(state): State<AppState>,
    Extension(version): Extension<ApiVersion>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, GraphFailure> {
    let (caller, request_id) =
        verified_caller(&state, &headers, Operation::SubscribeTranscripts).await?;
    let input = parse_create(&json_body(&headers, body).await?)?;
    let created = state
        .subscriptions
        .create(caller, input, &request_id)
        .await
        .map_err(graph_error)?;
    Ok((
        StatusCode::CREATED,
        Json(entity(&state, &headers, version, &created.view())),
    )
        .into_response())
}

async fn list_subscriptions(
    State(state): State<AppState>,
    Extension(version): Extension<ApiVersion>,
    headers: HeaderMap,
) -> Result<Response, GraphFailure> {
    let (caller, request_id) =
        verified_caller(&state, &headers, Operation::ListSubscriptions).await?;
    let subs = state
        .subscriptions
        .list(caller, &request_id)
        .await
        .map_err(graph_error)?;
    let views: Vec<SubscriptionView> = subs.iter().map(|s| s.view()).collect();
    Ok(Json(SubscriptionView::collection(
        &base(&state, &headers, version),
        &views,
    ))
    .into_response())
}

async fn get_subscription(
    State(state): State<AppState>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, GraphFailure> {
    let (caller, request_id) =
        verified_caller(&state, &headers, Operation::ListSubscriptions).await?;
    let s = state
        .subscriptions
        .get(caller, &id, &request_id)
        .await
        .map_err(graph_error)?;
    Ok(Json(entity(&state, &headers, version, &s.view())).into_response())
}

async fn renew_subscription(
    State(state): State<AppState>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, GraphFailure> {
    let (caller, request_id) =
        verified_caller(&state, &headers, Operation::ListSubscriptions).await?;
    let patch = parse_patch(&json_body(&headers, body).await?)?;
    let s = state
        .subscriptions
        .renew(caller, &id, patch, &request_id)
        .await
        .map_err(graph_error)?;
    Ok(Json(entity(&state, &headers, version, &s.view())).into_response())
}

async fn reauthorize_subscription(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, GraphFailure> {
    let (caller, request_id) =
        verified_caller(&state, &headers, Operation::ListSubscriptions).await?;
    state
        .subscriptions
        .reauthorize(caller, &id, &request_id)
        .await
        .map_err(graph_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn delete_subscription(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, GraphFailure> {
    let (caller, request_id) =
        verified_caller(&state, &headers, Operation::ListSubscriptions).await?;
    state
        .subscriptions
        .delete(caller, &id, &request_id)
        .await
        .map_err(graph_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
