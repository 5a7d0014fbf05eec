//! What a client reads before asking for a token: OpenID configuration, the signing keys
//! (JWKS), instance discovery and the user-realm lookup, with Entra's headers.
//!
//! Facts copied: <https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc>.

use super::Trace;

use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use graphmeet_core::crypto;
use graphmeet_core::TenantRef;
use graphmeet_wire::{b64, AadstsError};
use serde_json::{json, Value};

/// `common`, `organizations` and `consumers` are not tenants but are valid authorities.
pub(super) fn is_meta_tenant(segment: &str) -> bool {
    ["common", "organizations", "consumers"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(segment))
}

/// The tenant id a route names, `{tenantid}` for the meta tenants, or the AADSTS90002 response.
pub(super) async fn tenant_id_for(
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

pub(super) fn discovery_headers(mut response: Response) -> Response {
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

pub(super) async fn openid_configuration(
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

pub(super) async fn keys(
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
pub(super) async fn instance_discovery(
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
pub(super) fn public_cloud_discovery(base: &str, tenant: &str) -> serde_json::Value {
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
pub(super) async fn user_realm(
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
