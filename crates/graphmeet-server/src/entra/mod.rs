//! The identity platform's HTTP surface, in Entra's path layout: the v2 token endpoint,
//! OpenID discovery, the signing keys, instance discovery and the user-realm lookup. Every error is an AADSTS body.
//!
//! This file owns the router, the token endpoint and the one mapping of identity errors onto
//! AADSTS; `discovery` serves the documents a client reads before it asks for a token.
//!
//! Facts copied: <https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow>
//! and the client traces in `docs/fidelity.md`.

use discovery::{instance_discovery, keys, openid_configuration, user_realm};

mod discovery;

use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use graphmeet_core::identity::{
    ClientCredentialsRequest, IdentityError, PasswordRequest, RefreshTokenRequest,
    REFRESH_TOKEN_INACTIVE_DAYS,
};
use graphmeet_wire::{AadstsError, TokenForm, TokenResponse};
use serde_json::Value;
use uuid::Uuid;

/// The largest token request body read; real requests are a few KiB.
pub const TOKEN_BODY_LIMIT: usize = 64 * 1024;

/// The identity routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/{tenant}/oauth2/v2.0/token",
            post(token).fallback(token_wrong_method),
        )
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(keys))
        .route("/{tenant}/discovery/keys", get(keys))
        .route("/common/discovery/instance", get(instance_discovery))
        .route("/common/userrealm/{user}", get(user_realm))
}

/// The per-request ids of an identity response.
struct Trace {
    trace_id: Uuid,
    correlation_id: Uuid,
    host: String,
}

impl Trace {
    fn new(state: &AppState, headers: &HeaderMap, client_request_id: Option<&str>) -> Self {
        let base = state.base_url(headers);
        let host = base
            .split_once("://")
            .map(|(_, h)| h.to_owned())
            .unwrap_or(base);
        let header_id = headers
            .get("client-request-id")
            .or_else(|| headers.get("x-ms-client-request-id"))
            .and_then(|v| v.to_str().ok());
        let correlation_id = client_request_id
            .or(header_id)
            .and_then(|id| Uuid::parse_str(id).ok())
            .unwrap_or_else(Uuid::new_v4);
        Self {
            trace_id: Uuid::new_v4(),
            correlation_id,
            host,
        }
    }

    fn headers(&self, response: &mut Response) {
        let h = response.headers_mut();
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store, no-cache"),
        );
        h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        h.insert("x-ms-ests-server", HeaderValue::from_static("graphmeet"));
        h.insert("x-ms-clitelem", HeaderValue::from_static("1,0,0,,"));
        if let Ok(v) = HeaderValue::from_str(&self.trace_id.to_string()) {
            h.insert("x-ms-request-id", v);
        }
    }

    fn error(&self, state: &AppState, error: AadstsError) -> Response {
        tracing::info!(code = error.code, trace_id = %self.trace_id, correlation_id = %self.correlation_id, "AADSTS{}", error.code);
        let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
        let body = error.to_body(
            &self.host,
            self.trace_id,
            self.correlation_id,
            state.clock.now(),
        );
        let mut response = (status, Json(body)).into_response();
        self.headers(&mut response);
        response
    }
}

/// Renders a refused token request as Entra would: the one place identity errors become AADSTS.
fn aadsts(error: &IdentityError) -> AadstsError {
    match error {
        IdentityError::TenantNotFound(t) => AadstsError::tenant_not_found(t),
        IdentityError::MissingParameter(p) => AadstsError::missing_parameter(p),
        IdentityError::InvalidScope(s) => AadstsError::invalid_scope(s),
        IdentityError::ScopeNotDefault(s) => AadstsError::scope_not_default(s),
        IdentityError::ResourceNotFound { resource, tenant } => {
            AadstsError::resource_not_found(resource, tenant)
        }
        IdentityError::AppNotFoundInDirectory { app_id, tenant } => {
            AadstsError::app_not_found_in_directory(app_id, tenant)
        }
        IdentityError::MissingServicePrincipal { app_id, tenant_id } => {
            AadstsError::missing_service_principal(&app_id.to_string(), &tenant_id.to_string())
        }
        IdentityError::MissingClientCredential => AadstsError::missing_client_credential(),
        IdentityError::ClientCredentialsWithoutCredential => {
            AadstsError::client_credentials_require_credential()
        }
        IdentityError::InvalidClientSecret(app) => {
            AadstsError::invalid_client_secret(&app.to_string())
        }
        IdentityError::ExpiredClientSecret(app) => {
            AadstsError::expired_client_secret(&app.to_string())
        }
        IdentityError::InvalidAssertionType(t) => AadstsError::invalid_assertion_type(t),
        IdentityError::MalformedAssertion(detail) => AadstsError::malformed_jwt(detail),
        IdentityError::UnsupportedAssertionAlgorithm(alg) => {
            AadstsError::assertion_unsupported_algorithm(alg)
        }
        IdentityError::AssertionMissingThumbprint => AadstsError::assertion_missing_thumbprint(),
        IdentityError::AssertionSignature {
            app_id,
            thumbprint,
            reason,
        } => AadstsError::assertion_invalid_signature(
            &app_id.to_string(),
            thumbprint,
            reason.reason(),
        ),
        IdentityError::AssertionClientMismatch => AadstsError::assertion_client_mismatch(),
        IdentityError::AssertionAudienceMismatch => AadstsError::assertion_audience_mismatch(),
        IdentityError::AssertionTimeRange { now, nbf, exp } => {
            AadstsError::assertion_time_range(*now, *nbf, *exp)
        }
        IdentityError::AssertionReplayed(jti) => AadstsError::assertion_replayed(jti),
        IdentityError::UserNotFound(tenant) => AadstsError::user_not_found(tenant),
        IdentityError::InvalidUserCredentials => AadstsError::invalid_user_credentials(),
        IdentityError::UserDisabled(_) => AadstsError::user_disabled(),
        IdentityError::AccountLocked { .. } => AadstsError::account_locked(),
        IdentityError::MalformedGrant => AadstsError::malformed_grant(),
        IdentityError::InvalidGrant(why) => {
            tracing::info!(reason = why, "refresh token refused");
            AadstsError::invalid_grant()
        }
        IdentityError::RefreshTokenExpired { issued } => {
            AadstsError::refresh_token_expired(*issued, REFRESH_TOKEN_INACTIVE_DAYS)
        }
        IdentityError::NoSigningKey
        | IdentityError::Signing(_)
        | IdentityError::KeyEncryption { .. }
        | IdentityError::Store(_) => {
            tracing::error!(error = %error, "token request failed on our side");
            AadstsError::transient()
        }
    }
}

/// Whether the `claims` parameter asks for the CAE capability (`xms_cc` contains `cp1`).
fn asks_for_cae(claims: Option<&str>) -> bool {
    let Some(value) = claims.and_then(|c| serde_json::from_str::<Value>(c).ok()) else {
        return false;
    };
    value["access_token"]["xms_cc"]["values"]
        .as_array()
        .is_some_and(|values| {
            values
                .iter()
                .any(|v| v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("cp1")))
        })
}

/// `client_id` and `client_secret` from `Authorization: Basic` (RFC 6749 §2.3.1: each part is
/// form-urlencoded before base64).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = graphmeet_wire::b64::std_decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let unescape = |s: &str| {
        form_urlencoded::parse(format!("v={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Some((unescape(id), unescape(secret)))
}

async fn token(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let query_id = query.as_deref().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "client-request-id")
            .map(|(_, v)| v.into_owned())
    });
    let bytes = match axum::body::to_bytes(body, TOKEN_BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let trace = Trace::new(&state, &headers, query_id.as_deref());
            return trace.error(
                &state,
                AadstsError::invalid_request(
                    &format!("The request body exceeds {TOKEN_BODY_LIMIT} bytes."),
                    413,
                ),
            );
        }
    };
    // Entra reads only form bodies; anything else reads as an empty form, so the client hears
    // which parameter is missing.
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    let form = if is_form {
        match TokenForm::parse(&bytes) {
            Ok(form) => form,
            Err(e) => {
                let trace = Trace::new(&state, &headers, query_id.as_deref());
                return trace.error(&state, e.to_aadsts());
            }
        }
    } else {
        TokenForm::default()
    };
    let trace = Trace::new(
        &state,
        &headers,
        form.get("client-request-id").or(query_id.as_deref()),
    );

    let grant_type = match form.get("grant_type").filter(|g| !g.is_empty()) {
        Some(g) => g,
        None if !is_form && !bytes.is_empty() => {
            return trace.error(&state, AadstsError::invalid_request("The request body must be application/x-www-form-urlencoded; no 'grant_type' parameter was found.", 400))
        }
        None => return trace.error(&state, AadstsError::missing_parameter("grant_type")),
    };
    if form.get("resource").is_some() {
        return trace.error(&state, AadstsError::resource_parameter_not_supported());
    }
    let basic = basic_credentials(&headers);
    let client_id = form
        .get("client_id")
        .map(str::to_owned)
        .or_else(|| basic.as_ref().map(|(id, _)| id.clone()));
    let client_secret = form
        .get("client_secret")
        .map(str::to_owned)
        .or_else(|| basic.map(|(_, secret)| secret));
    crate::inspector::note(|facts| {
        facts.tenant = Some(tenant.clone());
        facts.app = client_id.clone();
        facts.operation = Some(format!("token:{grant_type}").into());
        facts.credential = Some(
            if form.get("client_assertion").is_some() {
                "assertion"
            } else if client_secret.is_some() {
                "secret"
            } else {
                "none"
            }
            .to_owned(),
        );
    });
    let cae = asks_for_cae(form.get("claims"));
    let client_info = form.get("client_info") == Some("1");
    let issuer_base = state.base_url(&headers);
    let outcome = match grant_type {
        "client_credentials" => {
            let request = ClientCredentialsRequest {
                tenant: tenant.clone(),
                client_id,
                scope: form.get("scope").map(str::to_owned),
                client_secret,
                client_assertion: form.get("client_assertion").map(str::to_owned),
                client_assertion_type: form.get("client_assertion_type").map(str::to_owned),
                audience_bases: state.audience_bases.as_ref().clone(),
                cae,
            };
            state.identity.client_credentials(&request).await
        }
        "password" => {
            let request = PasswordRequest {
                tenant: tenant.clone(),
                client_id,
                client_secret,
                username: form.get("username").map(str::to_owned),
                password: form.get("password").map(str::to_owned),
                scope: form.get("scope").map(str::to_owned),
                cae,
                client_info,
                nonce: form.get("nonce").map(str::to_owned),
                issuer_base,
            };
            state.identity.password(&request).await
        }
        "refresh_token" => {
            let request = RefreshTokenRequest {
                tenant: tenant.clone(),
                client_id,
                client_secret,
                refresh_token: form.get("refresh_token").map(str::to_owned),
                scope: form.get("scope").map(str::to_owned),
                cae,
                client_info,
                issuer_base,
            };
            state.identity.refresh_token(&request).await
        }
        other => return trace.error(&state, AadstsError::unsupported_grant_type(other)),
    };
    match outcome {
        Ok(issued) => {
            tracing::info!(tenant = %issued.claims.tid, app_id = %issued.claims.appid, trace_id = %trace.trace_id, "token issued");
            let mut body = TokenResponse::bearer(issued.access_token, issued.expires_in);
            if let Some(extras) = issued.delegated {
                body.scope = Some(extras.scope);
                body.refresh_token = extras.refresh_token;
                body.id_token = extras.id_token;
                body.client_info = extras.client_info;
            }
            let mut response = Json(body).into_response();
            trace.headers(&mut response);
            response
        }
        Err(e) => trace.error(&state, aadsts(&e)),
    }
}

async fn token_wrong_method(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let trace = Trace::new(&state, &headers, None);
    trace.error(&state, AadstsError::post_only(method.as_str()))
}

#[cfg(test)]
mod tests;
