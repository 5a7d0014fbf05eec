//! The audit log: filters (tenant, app, user, decision, time), newest first, paged, and a live
//! tail (`/console/audit/tail`, polled by `console.js`) that adds new entries without a reload.

use super::layout::{self, badge, Ctx, Nav};
use super::session::SessionCtx;
use super::{enc, param, when, Console, Params};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use graphmeet_core::{AuditDecision, AuditEntry, AuditQuery, UserRef};
use maud::{html, Markup};
use uuid::Uuid;

/// Entries per page.
const PER_PAGE: u32 = 50;
/// The deepest entry paging reaches (the store answers at most this many at once).
const DEEPEST: u32 = 10_000;

/// The filters of the page, read from its parameters: the query, or why one is not valid
/// (the admin API's messages).
fn query(console: &Console, params: &[(String, String)]) -> Result<AuditQuery, String> {
    let tenant = match param(params, "tenant") {
        Some(t) if t != "all" => Some(
            console
                .app
                .index
                .resolve_tenant(&graphmeet_core::TenantRef::parse(&t))
                .ok_or_else(|| format!("tenant {t} not found"))?,
        ),
        _ => None,
    };
    let user_id = match (param(params, "user"), &tenant) {
        (Some(u), Some(t)) => Some(
            console
                .app
                .index
                .user_in(t.id, &UserRef::parse(&u))
                .map(|u| u.id)
                .ok_or_else(|| format!("user {u} in tenant {} not found", t.id))?,
        ),
        (Some(u), None) => Some(Uuid::parse_str(&u).map_err(|_| {
            format!("'{u}' is not a user id (or give --tenant to use a UPN) (a GUID)")
        })?),
        (None, _) => None,
    };
    let app_id = param(params, "app")
        .map(|a| Uuid::parse_str(&a).map_err(|_| format!("'{a}' is not a application id (a GUID)")))
        .transpose()?;
    let decision = param(params, "decision")
        .map(|d| {
            AuditDecision::parse(&d)
                .ok_or_else(|| format!("decision must be allowed, denied or changed, not '{d}'"))
        })
        .transpose()?;
    let since = param(params, "since")
        .map(|s| parse_time(&s).ok_or_else(|| format!("since must be an RFC 3339 time, not '{s}'")))
        .transpose()?;
    Ok(AuditQuery {
        tenant_id: tenant.map(|t| t.id),
        app_id,
        user_id,
        decision,
        since,
        limit: PER_PAGE,
    })
}

/// RFC 3339, or a browser's `datetime-local` value (`2026-12-01T14:30`, read as UTC).
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
                .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
                .ok()
                .map(|t| t.and_utc())
        })
}

fn rows(console: &Console, entries: &[AuditEntry]) -> Markup {
    let upn = |id: Uuid| {
        console
            .app
            .index
            .user(id)
            .map(|u| u.upn.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let app = |id: Uuid| {
        console
            .app
            .index
            .app(id)
            .map(|a| a.app.display_name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    html! {
        @for e in entries {
            tr {
                td { time datetime=(e.at.to_rfc3339_opts(SecondsFormat::Micros, true)) { (when(e.at)) } }
                td {
                    @match e.decision {
                        AuditDecision::Allowed => { (badge("allowed", "allowed")) }
                        AuditDecision::Denied => { (badge("denied", "denied")) }
                        AuditDecision::Changed => { (badge("changed", "changed")) }
                    }
                }
                td { code.small { (e.operation) } }
                td { @if let Some(a) = e.app_id { (app(a)) } }
                td { @if let Some(u) = e.user_id { (upn(u)) } }
                td.reason { (e.reason) }
            }
        }
    }
}

/// `GET /console/audit`.
pub async fn page(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    axum::extract::Query(params): Params,
) -> Response {
    let ctx = Ctx::new(&console, &session, &params, "/console/audit");
    let page_no: u32 = param(&params, "page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(0)
        .min(DEEPEST / PER_PAGE - 1);
    let filters = query(&console, &params);
    let mut status = StatusCode::OK;
    let (entries, more, error) = match &filters {
        Ok(q) => {
            console.app.audit.flush().await;
            let q = AuditQuery {
                limit: (page_no + 1) * PER_PAGE + 1,
                ..q.clone()
            };
            match console.app.directory.audit(&q).await {
                Ok(all) => {
                    let more = all.len() as u32 > (page_no + 1) * PER_PAGE;
                    let entries: Vec<AuditEntry> = all
                        .into_iter()
                        .skip((page_no * PER_PAGE) as usize)
                        .take(PER_PAGE as usize)
                        .collect();
                    (entries, more, None)
                }
                Err(e) => {
                    status = StatusCode::INTERNAL_SERVER_ERROR;
                    tracing::error!(error = %e, "console audit query failed");
                    (
                        Vec::new(),
                        false,
                        Some("the server failed; see its log".to_owned()),
                    )
                }
            }
        }
        Err(e) => {
            status = StatusCode::BAD_REQUEST;
            (Vec::new(), false, Some(e.clone()))
        }
    };
    // The tail's cursor: the newest entry shown, and how many shown share its instant.
    let (since, seen) = match entries.first() {
        Some(first) if page_no == 0 => (
            first.at,
            entries.iter().filter(|e| e.at == first.at).count(),
        ),
        _ => (console.app.clock.now(), 0),
    };
    let keep: String = params
        .iter()
        .filter(|(k, v)| k != "page" && !v.trim().is_empty())
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    let tail_url = format!("/console/audit/tail?{keep}");
    let selected = |name: &str, value: &str| param(&params, name).as_deref() == Some(value);
    let body = html! {
        p.lead { "Every authorization decision and every change, newest first." }
        form.filters method="get" action="/console/audit" role="search" {
            div.field {
                label for="a-tenant" { "Tenant" }
                select #a-tenant name="tenant" {
                    option value="all" { "All tenants" }
                    @for t in &ctx.tenants { option value=(t.id) selected[selected("tenant", &t.id.to_string())] { (t.display_name) } }
                }
            }
            div.field { label for="a-app" { "App id" } input #a-app name="app" value=[param(&params, "app")]; }
            div.field { label for="a-user" { "User (id, or UPN with a tenant)" } input #a-user name="user" value=[param(&params, "user")]; }
            div.field {
                label for="a-decision" { "Decision" }
                select #a-decision name="decision" {
                    option value="" { "Any" }
                    @for d in ["allowed", "denied", "changed"] { option value=(d) selected[selected("decision", d)] { (d) } }
                }
            }
            div.field { label for="a-since" { "Since (UTC)" } input #a-since name="since" placeholder="2026-12-01T14:00:00Z" value=[param(&params, "since")]; }
            button type="submit" { "Filter" }
        }
        @if let Some(e) = &error { div.notice.error role="alert" { p { (e) } } }
        @if page_no == 0 && error.is_none() {
            p.tail-bar {
                span #tail-status role="status" aria-live="polite" data-tail=(tail_url) data-since=(since.to_rfc3339_opts(SecondsFormat::Micros, true)) data-seen=(seen) { "Live tail: reload the page for new entries." }
            }
        }
        div.table-wrap {
            table #audit {
                caption.sr-only { "Audit log entries" }
                thead { tr { th scope="col" { "Time" } th scope="col" { "Decision" } th scope="col" { "Operation" } th scope="col" { "App" } th scope="col" { "User" } th scope="col" { "Reason" } } }
                tbody #audit-rows { (rows(&console, &entries)) }
            }
        }
        nav.pager aria-label="Pages" {
            @if page_no > 0 { a href=(format!("/console/audit?{keep}&page={}", page_no - 1)) rel="prev" { "← Newer" } }
            @if more { a href=(format!("/console/audit?{keep}&page={}", page_no + 1)) rel="next" { "Older →" } }
        }
    };
    let mut r =
        Html(layout::page(&ctx, "Audit log", Nav::Audit, body).into_string()).into_response();
    *r.status_mut() = status;
    r
}

/// What the tail answers: rows to add at the top, and the new cursor.
#[derive(serde::Serialize)]
pub struct Tail {
    /// The new rows, newest first, as HTML.
    pub html: String,
    /// How many.
    pub added: usize,
    /// The cursor: the newest instant shown…
    pub since: String,
    /// …and how many shown entries share it.
    pub seen: usize,
}

/// `GET /console/audit/tail?…filters…&since=&seen=`: the entries after the cursor.
pub async fn tail(
    State(console): State<Console>,
    axum::extract::Query(params): Params,
) -> Response {
    let filters = match query(&console, &params) {
        Ok(q) => q,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(serde_json::json!({ "error": e })),
            )
                .into_response()
        }
    };
    let Some(since) = param(&params, "since").and_then(|s| parse_time(&s)) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({ "error": "since must be an RFC 3339 time" })),
        )
            .into_response();
    };
    let seen: usize = param(&params, "seen")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    console.app.audit.flush().await;
    let q = AuditQuery {
        since: Some(filters.since.map_or(since, |s| s.max(since))),
        limit: 200,
        ..filters
    };
    let mut all = match console.app.directory.audit(&q).await {
        Ok(all) => all,
        Err(e) => {
            tracing::error!(error = %e, "console audit tail failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    // Entries at the cursor's instant come last (oldest of them last): drop those shown.
    let at_cursor = all.iter().filter(|e| e.at == since).count();
    let drop = seen.min(at_cursor);
    all.truncate(all.len() - drop);
    let (new_since, new_seen) = match all.first() {
        Some(first) if first.at == since => (since, at_cursor),
        Some(first) => (first.at, all.iter().filter(|e| e.at == first.at).count()),
        None => (since, seen),
    };
    Json(Tail {
        html: rows(&console, &all).into_string(),
        added: all.len(),
        since: new_since.to_rfc3339_opts(SecondsFormat::Micros, true),
        seen: new_seen,
    })
    .into_response()
}
