//! What every surface (Entra, Graph, admin, the join page) shares, written once: a request id,
//! a `tracing` span per request carrying the request id, the surface, and — once known — the
//! tenant, the app and the operation; and one log line per answer, at `warn` for 5xx, `info`
//! for 4xx, `debug` otherwise. Each surface renders its own error bodies (AADSTS, Graph's
//! envelope, the admin API's JSON), with the request id from here. Every answer is also kept by
//! the request [inspector](crate::inspector).

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;
use tracing::Instrument;
use uuid::Uuid;

/// The request header through which the request id reaches the surfaces and handlers.
pub const REQUEST_ID_HEADER: &str = "x-graphmeet-request-id";

/// [`REQUEST_ID_HEADER`] as a header name: inserting a name given as text copies it each time.
pub const REQUEST_ID_HEADER_NAME: axum::http::HeaderName =
    axum::http::HeaderName::from_static(REQUEST_ID_HEADER);

/// Which API a path belongs to.
pub fn surface_of(path: &str) -> &'static str {
    if path.starts_with("/v1.0") || path.starts_with("/beta") {
        "graph"
    } else if path.starts_with("/admin") {
        "admin"
    } else if path.starts_with("/meetup-join") || path.starts_with("/l/") {
        "join"
    } else if path.starts_with("/console") {
        "console"
    } else if path == "/healthz" || path == "/readyz" {
        "health"
    } else {
        "entra"
    }
}

/// Gives the request its id and span, and logs the answer.
pub async fn observe(mut request: Request, next: Next) -> Response {
    let request_id = Uuid::new_v4().to_string();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        request.headers_mut().insert(REQUEST_ID_HEADER_NAME, v);
    }
    let path = request.uri().path().to_owned();
    let surface = surface_of(&path);
    let span = tracing::info_span!(
        "request",
        id = %request_id,
        method = %request.method(),
        path = %path,
        surface,
        tenant = tracing::field::Empty,
        app = tracing::field::Empty,
        operation = tracing::field::Empty,
    );
    let inspector = request
        .extensions()
        .get::<std::sync::Arc<crate::inspector::Inspector>>()
        .cloned();
    let metrics = request
        .extensions()
        .get::<std::sync::Arc<crate::metrics::Metrics>>()
        .cloned();
    let method = request.method().to_string();
    let shown_path = crate::inspector::redacted(request.uri());
    let client_request_id = request
        .headers()
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let started = Instant::now();
    let (response, facts) =
        crate::inspector::Inspector::observe(next.run(request).instrument(span.clone())).await;
    let status = response.status().as_u16();
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    if let Some(metrics) = metrics {
        metrics.answered(surface, status, elapsed_ms / 1000.0, &facts);
    }
    if let Some(inspector) = inspector {
        inspector.record(crate::inspector::Record {
            seq: 0,
            at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            surface: surface.to_owned(),
            method,
            path: shown_path,
            status,
            latency_ms: (elapsed_ms * 1000.0).round() / 1000.0,
            request_id: request_id.clone(),
            client_request_id,
            tenant: facts.tenant,
            app: facts.app,
            operation: facts.operation.map(std::borrow::Cow::into_owned),
            decision: facts.decision,
        });
    }
    span.in_scope(|| {
        if response.status().is_server_error() {
            tracing::warn!(status, elapsed_ms, "answered");
        } else if response.status().is_client_error() {
            tracing::info!(status, elapsed_ms, "answered");
        } else {
            tracing::debug!(status, elapsed_ms, "answered");
        }
    });
    response
}

/// The request id [`observe`] gave the request (a new one if it did not pass through it).
pub fn request_id(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_else(|| Uuid::new_v4().to_string())
}
