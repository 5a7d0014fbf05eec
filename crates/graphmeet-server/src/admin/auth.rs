//! The admin-key check in front of every admin route, and the audit entry of every change an
//! administrator makes.

use super::error::AdminFailure;

use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use graphmeet_wire::admin::*;
use subtle::ConstantTimeEq;
use uuid::Uuid;

pub(super) async fn require_admin_key(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let presented = headers
        .get(ADMIN_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .or_else(|| {
            headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
        })
        .map(str::trim);
    let ok = presented.filter(|key| !key.is_empty()).is_some_and(|key| {
        let digest = graphmeet_core::crypto::sha256(key.as_bytes());
        bool::from(digest.as_slice().ct_eq(state.admin_key_hash.as_slice()))
    });
    if !ok {
        let mut refused = AdminFailure::new(StatusCode::UNAUTHORIZED, "unauthorized", "a valid admin key is required (header x-graphmeet-admin-key; `graphmeet serve` writes it to DATA_DIR/admin-key)").into_response();
        // The body (a seed can be large) is not read for a caller without the key, so the
        // connection cannot carry another request: say so, rather than let a client reuse it.
        refused.headers_mut().insert(
            header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
        return refused;
    }
    let method = request.method().clone();
    let operation = format!("{} {}", method, request.uri().path());
    // The body is read before any extractor can refuse the request (a wrong content type, a bad
    // path or query): a refusal that left it unread would make hyper close the keep-alive
    // connection after answering, under a client about to send its next request on it. Each
    // route's own limit still applies to what was read.
    let (parts, body) = request.into_parts();
    let request = match axum::body::to_bytes(body, super::SEED_BODY_LIMIT).await {
        Ok(bytes) => Request::from_parts(parts, axum::body::Body::from(bytes)),
        Err(_) => {
            let mut refused = AdminFailure::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalidRequest",
                format!(
                    "the request body could not be read whole (at most {} bytes)",
                    super::SEED_BODY_LIMIT
                ),
            )
            .into_response();
            refused.headers_mut().insert(
                header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
            return refused;
        }
    };
    let response = next.run(request).await;
    // Every change an administrator makes goes to the audit log.
    if method != axum::http::Method::GET && response.status().is_success() {
        let entry = graphmeet_core::AuditEntry {
            at: state.clock.now(),
            request_id: Uuid::new_v4().to_string(),
            tenant_id: None,
            app_id: None,
            user_id: None,
            operation,
            decision: graphmeet_core::AuditDecision::Changed,
            reason: format!("admin API answered {}", response.status().as_u16()),
        };
        state.audit.record(entry);
    }
    response
}
