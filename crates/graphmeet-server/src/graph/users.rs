//! `GET /users` (with `$filter`, `$select`, `$top` and `$skiptoken` paging), `GET
//! /users/{id | upn}` and `GET /me`: the directory's users as Graph shows them, read from the
//! in-memory index. The resource and the query grammar are `graphmeet_wire::graph::user`'s.

use super::auth::{authorize, authorize_tenant};
use super::meetings::{PathUserParam, Ver};
use super::GraphFailure;
use crate::state::AppState;
use axum::extract::{Extension, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::SecondsFormat;
use graphmeet_core::access::Operation;
use graphmeet_core::User;
use graphmeet_wire::graph::user::{
    parse_select, parse_user_query, skiptoken_after, FilterProperty, UserResource,
    AUDIO_CONFERENCING_SKU, TEAMS_LICENSE_SKU,
};
use graphmeet_wire::graph::{ApiVersion, GraphError};
use serde_json::{Map, Value};
use uuid::Uuid;

/// The user routes of one API version.
pub fn router(version: ApiVersion) -> Router<AppState> {
    Router::new()
        .route("/users", get(list_users))
        .route("/users/{user}", get(get_user))
        .route("/me", get(get_user))
        .layer(Extension(version))
}

/// A directory user as the Graph resource.
fn resource(u: &User) -> UserResource {
    let mut licenses = Vec::new();
    if u.account.teams_license {
        licenses.push(TEAMS_LICENSE_SKU);
    }
    if u.account.audio_conferencing {
        licenses.push(AUDIO_CONFERENCING_SKU);
    }
    UserResource {
        id: u.id.to_string(),
        display_name: u.display_name.clone(),
        user_principal_name: u.upn.clone(),
        mail: u.account.mail.clone(),
        account_enabled: u.account.enabled,
        user_type: u.account.user_type.as_str().to_owned(),
        licenses,
        created_date_time: u.created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
    }
}

fn context(
    state: &AppState,
    headers: &HeaderMap,
    version: ApiVersion,
    select: Option<&[String]>,
) -> String {
    let select = select
        .map(|s| format!("({})", s.join(",")))
        .unwrap_or_default();
    format!(
        "{}/{}/$metadata#users{select}",
        state.base_url(headers),
        version.as_str()
    )
}

async fn get_user(
    State(state): State<AppState>,
    Extension(version): Ver,
    PathUserParam(path_user): PathUserParam,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, GraphFailure> {
    let auth = authorize(&state, &headers, Operation::GetUser, &path_user).await?;
    let select = select_of(query.as_deref())?;
    let mut body = Map::new();
    body.insert(
        "@odata.context".to_owned(),
        Value::String(format!(
            "{}/$entity",
            context(&state, &headers, version, select.as_deref())
        )),
    );
    body.extend(resource(auth.user()).to_json(select.as_deref()));
    Ok(Json(Value::Object(body)).into_response())
}

/// `$select` on a single user; collection options are the not-a-collection error.
fn select_of(query: Option<&str>) -> Result<Option<Vec<String>>, GraphFailure> {
    let mut select = None;
    for (name, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        let bare = name.strip_prefix('$').unwrap_or(&name).to_ascii_lowercase();
        match bare.as_str() {
            "select" => select = parse_select(&value)?,
            "filter" | "top" | "skiptoken" | "orderby" | "count" => {
                return Err(GraphError::query_option_on_single_entity().into())
            }
            _ => {}
        }
    }
    Ok(select)
}

async fn list_users(
    State(state): State<AppState>,
    Extension(version): Ver,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, GraphFailure> {
    let tenant = authorize_tenant(&state, &headers, Operation::ListUsers).await?;
    let query = parse_user_query(raw.as_deref())?;
    let after = query
        .after
        .as_deref()
        .and_then(|id| Uuid::parse_str(id).ok());
    // One `eq` on the UPN or the id is a lookup; anything else scans the tenant in id order.
    let (users, more) = match query.filter.as_ref().and_then(|f| f.single_key()) {
        Some((property, key)) => {
            let reference = match property {
                FilterProperty::Id => Uuid::parse_str(key)
                    .map(graphmeet_core::UserRef::Id)
                    .unwrap_or_else(|_| graphmeet_core::UserRef::Upn(String::new())),
                _ => graphmeet_core::UserRef::Upn(key.to_owned()),
            };
            let found = state
                .index
                .user_in(tenant.id, &reference)
                .filter(|u| after.is_none_or(|a| u.id > a));
            (found.into_iter().collect(), false)
        }
        None => state.index.users_page(tenant.id, after, query.top, |u| {
            query
                .filter
                .as_ref()
                .is_none_or(|f| f.matches(&resource(u)))
        }),
    };
    let value: Vec<Value> = users
        .iter()
        .map(|u| Value::Object(resource(u).to_json(query.select.as_deref())))
        .collect();
    let mut body = Map::new();
    body.insert(
        "@odata.context".to_owned(),
        Value::String(context(&state, &headers, version, query.select.as_deref())),
    );
    if let (true, Some(last)) = (more, users.last()) {
        body.insert(
            "@odata.nextLink".to_owned(),
            Value::String(next_link(
                &state,
                &headers,
                version,
                raw.as_deref(),
                &last.id.to_string(),
            )),
        );
    }
    body.insert("value".to_owned(), Value::Array(value));
    Ok(Json(Value::Object(body)).into_response())
}

/// The same request with `$skiptoken` set to resume after `last_id`.
fn next_link(
    state: &AppState,
    headers: &HeaderMap,
    version: ApiVersion,
    raw: Option<&str>,
    last_id: &str,
) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (name, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        let bare = name.strip_prefix('$').unwrap_or(&name).to_ascii_lowercase();
        if bare != "skiptoken" {
            out.append_pair(&name, &value);
        }
    }
    out.append_pair("$skiptoken", &skiptoken_after(last_id));
    format!(
        "{}/{}/users?{}",
        state.base_url(headers),
        version.as_str(),
        out.finish()
    )
}
