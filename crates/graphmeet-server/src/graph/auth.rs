//! The Graph surface's side of authorization: the bearer token in, a Graph error out. The
//! decision itself is `graphmeet_core::access`'s, taken on the in-memory directory index.

use super::GraphFailure;
use crate::state::AppState;
use axum::http::HeaderMap;
use graphmeet_core::access::{
    Authorized, Caller, Denial, Operation, PathUser, UnauthenticatedReason,
};
use graphmeet_core::policy::AccessDecision;
use graphmeet_core::verify::TokenError;
use graphmeet_wire::graph::GraphError;

fn token_failure(e: &TokenError) -> (GraphError, UnauthenticatedReason) {
    match e {
        TokenError::Expired => (
            GraphError::access_token_expired(),
            UnauthenticatedReason::ExpiredToken,
        ),
        TokenError::Malformed(_) => (
            GraphError::compact_token_parsing_failed(),
            UnauthenticatedReason::MalformedToken,
        ),
        TokenError::KeysUnavailable => (
            GraphError::internal_server_error(),
            UnauthenticatedReason::InvalidToken,
        ),
        TokenError::WrongAudience(_) => (
            GraphError::invalid_audience(),
            UnauthenticatedReason::InvalidToken,
        ),
        TokenError::WrongIssuer => (
            GraphError::invalid_issuer(),
            UnauthenticatedReason::InvalidToken,
        ),
        _ => (
            GraphError::token_validation_failure(),
            UnauthenticatedReason::InvalidToken,
        ),
    }
}

/// Verifies the bearer token.
async fn caller(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Caller, (GraphError, UnauthenticatedReason)> {
    let header = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim();
    let malformed = || {
        (
            GraphError::compact_token_parsing_failed(),
            UnauthenticatedReason::MalformedToken,
        )
    };
    let token = match header.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ if header.is_empty() => "",
        _ => return Err(malformed()),
    };
    if token.is_empty() {
        return Err((
            GraphError::access_token_empty(),
            UnauthenticatedReason::MissingToken,
        ));
    }
    let claims = state
        .verifier
        .verify(token)
        .await
        .map_err(|e| token_failure(&e))?;
    Caller::from_claims(claims).ok_or_else(malformed)
}

/// The one place a denial becomes a Graph error.
fn denial_failure(denial: Denial) -> GraphFailure {
    match denial {
        Denial::MeNeedsDelegated => GraphError::me_requires_delegated().into(),
        Denial::UserNotFound(shown) => GraphError::user_not_found(&shown).into(),
        Denial::MissingRoles { required, present } => {
            let present: Vec<&str> = present.iter().map(String::as_str).collect();
            GraphError::missing_roles(required, &present).into()
        }
        Denial::MissingScopes { required, present } => {
            let present: Vec<&str> = present.iter().map(String::as_str).collect();
            GraphError::missing_scopes(required, &present).into()
        }
        Denial::NotSelf => GraphError::meeting_lookup_denied().into(),
        Denial::NoAccessPolicy { app_id, decision } => {
            let reason = decision.reason();
            tracing::info!(app_id = %app_id, user_id = %decision.user_id(), reason = %reason, "denied by application access policy");
            GraphFailure::from(GraphError::no_application_access_policy(
                &app_id.to_string(),
            ))
            .with_decision(&reason)
        }
        Denial::ExchangePolicy { app_id, decision } => {
            let reason = decision.reason();
            tracing::info!(app_id = %app_id, user_id = %decision.user_id(), reason = %reason, "denied by Exchange application access policy");
            GraphFailure::from(graphmeet_wire::graph::event::exchange_policy_denied())
                .with_decision(&reason)
        }
        // Graph gives no reason for an organizer Teams cannot serve; the header names it.
        denial @ Denial::Prerequisite { .. } => {
            GraphFailure::from(GraphError::organizer_not_enabled()).with_decision(&denial.reason())
        }
    }
}

/// The denials of a calendar operation, as Exchange words them (Outlook's codes, not Teams').
fn event_denial_failure(denial: Denial) -> GraphFailure {
    use graphmeet_wire::graph::event as ev;
    match denial {
        Denial::UserNotFound(shown) => ev::invalid_user(&shown).into(),
        Denial::MissingRoles { .. } | Denial::MissingScopes { .. } | Denial::NotSelf => {
            GraphFailure::from(ev::calendar_access_denied()).with_decision(&denial.reason())
        }
        other => denial_failure(other),
    }
}

/// Verifies the bearer token for `operation` (an unverifiable one is counted and noted as a
/// denial) and puts the caller on the request's span; the caller and the request id.
async fn identified<'h>(
    state: &AppState,
    headers: &'h HeaderMap,
    operation: Operation,
) -> Result<(Caller, &'h str), GraphFailure> {
    let caller = match caller(state, headers).await {
        Ok(caller) => caller,
        Err((error, reason)) => {
            state.access.unauthenticated(operation, reason);
            crate::inspector::note(|facts| {
                facts.operation = Some(operation.name().into());
                facts.decision = Some(format!("denied: {}", reason.name()));
            });
            return Err(error.into());
        }
    };
    let span = tracing::Span::current();
    span.record("operation", operation.name());
    span.record("tenant", tracing::field::display(caller.tenant_id()));
    span.record("app", tracing::field::display(caller.app_id()));
    let request_id = headers
        .get(super::REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    Ok((caller, request_id))
}

/// Tells the request inspector (and so the metrics) who called and what was decided.
fn note_decision(
    (tenant, app): (uuid::Uuid, uuid::Uuid),
    operation: Operation,
    (decision, grant): (String, &'static str),
) {
    crate::inspector::note(|facts| {
        facts.tenant = Some(tenant.to_string());
        facts.app = Some(app.to_string());
        facts.operation = Some(operation.name().into());
        facts.decision = Some(decision);
        facts.grant = Some(grant);
    });
}

/// Runs the whole authorization for `operation` on the user the path names.
pub async fn authorize(
    state: &AppState,
    headers: &HeaderMap,
    operation: Operation,
    path_user: &PathUser,
) -> Result<Authorized, GraphFailure> {
    let (caller, request_id) = identified(state, headers, operation).await?;
    let noted = (caller.tenant_id(), caller.app_id());
    let outcome = state
        .access
        .authorize(caller, operation, path_user, request_id);
    note_decision(
        noted,
        operation,
        match &outcome {
            // The reason the audit entry gave; a calendar call (Exchange's policy decided) and
            // a call no policy decides name no Teams grant.
            Ok(auth) => (
                auth.reason().to_owned(),
                auth.decision().map_or("none", AccessDecision::grant_kind),
            ),
            Err(denial) => (denial.reason(), denial.grant_kind()),
        },
    );
    if operation.is_event_operation() {
        return outcome.map_err(event_denial_failure);
    }
    outcome.map_err(denial_failure)
}

/// Authorizes an operation on a collection of the token's own tenant (`GET /users`).
pub async fn authorize_tenant(
    state: &AppState,
    headers: &HeaderMap,
    operation: Operation,
) -> Result<std::sync::Arc<graphmeet_core::Tenant>, GraphFailure> {
    let (caller, request_id) = identified(state, headers, operation).await?;
    let noted = (caller.tenant_id(), caller.app_id());
    let outcome = state.access.authorize_tenant(caller, operation, request_id);
    note_decision(
        noted,
        operation,
        match &outcome {
            Ok(_) => (graphmeet_core::access::PERMISSION_HELD.to_owned(), "none"),
            Err(denial) => (denial.reason(), denial.grant_kind()),
        },
    );
    outcome.map_err(denial_failure)
}

/// Verifies the bearer token for `operation` and returns the caller with the request id, for
/// services that authorize through [`graphmeet_core::access::Access`] themselves (change
/// notifications decide the operation from the subscribed resource).
pub async fn verified_caller(
    state: &AppState,
    headers: &HeaderMap,
    operation: Operation,
) -> Result<(Caller, String), GraphFailure> {
    let (caller, request_id) = identified(state, headers, operation).await?;
    Ok((caller, request_id.to_owned()))
}

/// A denial decided by a service, as Graph's error (the same rendering as [`authorize`]'s).
pub fn denied(denial: Denial) -> GraphFailure {
    denial_failure(denial)
}
