//! The identity platform's HTTP surface, in Entra's path layout: the v2 token endpoint,
//! OpenID discovery, the signing keys, instance discovery and the user-realm lookup. Every error is an AADSTS body.
//!
//! Facts copied: <https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow>
//! and the client traces in `docs/fidelity.md`.

use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use graphmeet_core::crypto;
use graphmeet_core::identity::{
    ClientCredentialsRequest, IdentityError, PasswordRequest, RefreshTokenRequest,
    REFRESH_TOKEN_INACTIVE_DAYS,
};
use graphmeet_core::TenantRef;
use graphmeet_wire::{b64, AadstsError, TokenForm, TokenResponse};
use serde_json::{json, Value};
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
        facts.operation = Some(format!("token:{grant_type}"));
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

/// `common`, `organizations` and `consumers` are not tenants but are valid authorities.
fn is_meta_tenant(segment: &str) -> bool {
    ["common", "organizations", "consumers"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(segment))
}

/// The tenant id a route names, `{tenantid}` for the meta tenants, or the AADSTS90002 response.
async fn tenant_id_for(
    state: &AppState,
    headers: &HeaderMap,
    segment: &str,
) -> Result<String, Response> {
    if is_meta_tenant(segment) {
        return Ok("{tenantid}".to_owned());
    }
    let trace = Trace::new(state, headers, None);
    match state.index.resolve_tenant(&TenantRef::parse(segment)) {
        Some(t) => Ok(t.id.to_string()),
        None => Err(trace.error(state, AadstsError::tenant_not_found(segment))),
    }
}

fn discovery_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("max-age=86400, private"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

async fn openid_configuration(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    let tid = match tenant_id_for(&state, &headers, &tenant).await {
        Ok(tid) => tid,
        Err(response) => return response,
    };
    let base = state.base_url(&headers);
    // Endpoints name the tenant by id (as Entra's do); the meta tenants keep their own name.
    let seg = if is_meta_tenant(&tenant) {
        tenant.to_ascii_lowercase()
    } else {
        tid.clone()
    };
    let region = if is_meta_tenant(&tenant) {
        Value::Null
    } else {
        json!("WW")
    };
    let host = base
        .split_once("://")
        .map(|(_, h)| h)
        .unwrap_or(&base)
        .to_owned();
    let doc = json!({
        "token_endpoint": format!("{base}/{seg}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/{seg}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": format!("{base}/{tid}/v2.0"),
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": format!("{base}/oidc/userinfo"),
        "authorization_endpoint": format!("{base}/{seg}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{base}/{seg}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/{seg}/oauth2/v2.0/logout"),
        "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
        "kerberos_endpoint": format!("{base}/{seg}/kerberos"),
        "tenant_region_scope": region,
        "cloud_instance_name": host,
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": host,
        "rbac_url": "https://pas.windows.net"
    });
    discovery_headers(Json(doc).into_response())
}

async fn keys(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    let tid = match tenant_id_for(&state, &headers, &tenant).await {
        Ok(tid) => tid,
        Err(response) => return response,
    };
    let base = state.base_url(&headers);
    let mut keys = Vec::new();
    for loaded in state.identity.keys().published() {
        let Ok((n, e)) = crypto::rsa_jwk_components(&loaded.public_pkcs1_der) else {
            continue;
        };
        keys.push(json!({
            "kty": "RSA",
            "use": "sig",
            "kid": loaded.key.kid,
            "x5t": loaded.key.kid,
            "n": n,
            "e": e,
            "x5c": [b64::std_encode(&loaded.key.cert_der)],
            "issuer": format!("{base}/{tid}/v2.0"),
        }));
    }
    discovery_headers(Json(json!({ "keys": keys })).into_response())
}

/// MSAL's instance discovery: answers for the hosts this server answers to, and
/// `invalid_instance` (AADSTS50049) for any other.
async fn instance_discovery(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let trace = Trace::new(&state, &headers, None);
    let query = query.unwrap_or_default();
    let Some(endpoint) = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "authorization_endpoint")
        .map(|(_, v)| v.into_owned())
    else {
        return trace.error(
            &state,
            AadstsError::missing_parameter("authorization_endpoint"),
        );
    };
    let base = state.base_url(&headers);
    let ours = url::Url::parse(&base).ok();
    let asked = url::Url::parse(&endpoint).ok();
    let (Some(ours), Some(asked)) = (ours, asked) else {
        return trace.error(&state, AadstsError::invalid_instance(&endpoint));
    };
    let asked_host = asked.host_str().map(str::to_ascii_lowercase);
    let our_host = ours.host_str().map(str::to_ascii_lowercase);
    // Reached at the real authority (proxy mode): Entra's own answer, whose public-cloud entry
    // lists every alias, so an endpoint on any of them is known.
    let public_cloud = |h: &Option<String>| {
        h.as_deref()
            .is_some_and(|h| crate::proxy::AUTHORITY_HOSTS.contains(&h))
    };
    let real_authority = public_cloud(&our_host) && public_cloud(&asked_host);
    // MSAL drops the port from `authorization_endpoint`, so compare host names only.
    if asked_host != our_host && !real_authority {
        return trace.error(&state, AadstsError::invalid_instance(&endpoint));
    }
    let tenant = asked
        .path_segments()
        .and_then(|mut s| s.next())
        .filter(|s| !s.is_empty())
        .unwrap_or("common")
        .to_owned();
    let host_port = base
        .split_once("://")
        .map(|(_, h)| h.to_owned())
        .unwrap_or_default();
    if real_authority {
        return discovery_headers(Json(public_cloud_discovery(&base, &tenant)).into_response());
    }
    let host = ours.host_str().unwrap_or_default().to_owned();
    let body = json!({
        "tenant_discovery_endpoint": format!("{base}/{tenant}/v2.0/.well-known/openid-configuration"),
        "api-version": "1.1",
        "metadata": [{ "preferred_network": host_port, "preferred_cache": host_port, "aliases": [host_port, host] }]
    });
    discovery_headers(Json(body).into_response())
}

/// Entra's instance-discovery answer as recorded live (`spec/events-artifacts-notifications.md`
/// D.2): the public cloud's aliases, then the national clouds'.
fn public_cloud_discovery(base: &str, tenant: &str) -> serde_json::Value {
    json!({
        "tenant_discovery_endpoint": format!("{base}/{tenant}/v2.0/.well-known/openid-configuration"),
        "api-version": "1.1",
        "metadata": [
            {"preferred_network": "login.microsoftonline.com", "preferred_cache": "login.windows.net",
             "aliases": crate::proxy::AUTHORITY_HOSTS},
            {"preferred_network": "login.partner.microsoftonline.cn", "preferred_cache": "login.partner.microsoftonline.cn",
             "aliases": ["login.partner.microsoftonline.cn", "login.chinacloudapi.cn"]},
            {"preferred_network": "login.microsoftonline.de", "preferred_cache": "login.microsoftonline.de",
             "aliases": ["login.microsoftonline.de"]},
            {"preferred_network": "login.microsoftonline.us", "preferred_cache": "login.microsoftonline.us",
             "aliases": ["login.microsoftonline.us", "login.usgovcloudapi.net"]},
            {"preferred_network": "login-us.microsoftonline.com", "preferred_cache": "login-us.microsoftonline.com",
             "aliases": ["login-us.microsoftonline.com"]}
        ]
    })
}

/// The user-realm lookup MSAL makes before a password sign-in
/// (`GET /common/userrealm/{upn}?api-version=1.0`, MSAL Python's `Authority.user_realm_discovery`):
/// a domain of one of our tenants is `Managed` (graphmeet federates nothing), any other
/// `Unknown`. `api-version=2.0` answers in that version's field names.
async fn user_realm(
    State(state): State<AppState>,
    Path(user): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let query = query.unwrap_or_default();
    let version = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "api-version")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| "1.0".to_owned());
    let domain = user
        .rsplit_once('@')
        .map(|(_, d)| d)
        .unwrap_or(&user)
        .to_ascii_lowercase();
    let tenant = state.index.resolve_tenant(&TenantRef::parse(&domain));
    let base = state.base_url(&headers);
    let cloud = base
        .split_once("://")
        .map(|(_, h)| h.to_owned())
        .unwrap_or(base);
    let body = if version == "2.0" {
        match &tenant {
            Some(t) => json!({
                "NameSpaceType": "Managed",
                "Login": user,
                "DomainName": domain,
                "FederationBrandName": t.display_name,
                "TenantBrandingInfo": null,
                "cloud_instance_name": cloud,
            }),
            None => json!({
                "NameSpaceType": "Unknown",
                "Login": user,
                "DomainName": domain,
                "FederationBrandName": null,
                "TenantBrandingInfo": null,
                "cloud_instance_name": cloud,
            }),
        }
    } else {
        match &tenant {
            Some(_) => json!({
                "ver": "1.0",
                "account_type": "Managed",
                "domain_name": domain,
                "cloud_instance_name": cloud,
                "cloud_audience_urn": "urn:federation:MicrosoftOnline",
            }),
            None => json!({
                "ver": "1.0",
                "account_type": "Unknown",
                "cloud_instance_name": cloud,
                "cloud_audience_urn": "urn:federation:MicrosoftOnline",
            }),
        }
    };
    let mut response = Json(body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cae_claims_from_each_client_are_recognised() {
        assert!(asks_for_cae(Some(
            r#"{"access_token": {"xms_cc": {"values": ["CP1"]}}}"#
        )));
        assert!(asks_for_cae(Some(
            r#"{"id_token":{"signin_state":{"essential":false}},"access_token":{"xms_cc":{"values":["cp1"]}}}"#
        )));
        assert!(!asks_for_cae(Some("not json")));
        assert!(!asks_for_cae(None));
    }

    #[test]
    fn basic_credentials_are_url_decoded() {
        let mut headers = HeaderMap::new();
        let encoded = graphmeet_wire::b64::std_encode("my%2Bid:s3cr%2Bt");
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Basic {encoded}")).unwrap(),
        );
        assert_eq!(
            basic_credentials(&headers),
            Some(("my+id".to_owned(), "s3cr+t".to_owned()))
        );
    }
}
