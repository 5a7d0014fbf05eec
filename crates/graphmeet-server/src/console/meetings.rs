//! Meetings: an organizer's, newest first and searchable by subject; a tenant's by
//! `joinMeetingId` or `joinWebUrl`; one meeting with its landing page and its JSON resource.

use super::layout::{self, Ctx, Nav};
use super::matrix::no_tenant;
use super::session::SessionCtx;
use super::{enc, param, when, Console, Params};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Extension;
use chrono::DateTime;
use graphmeet_core::model::StoredMeeting;
use graphmeet_core::UserRef;
use graphmeet_wire::graph::meeting::OnlineMeeting;
use maud::{html, Markup};

/// Meetings per page.
const PER_PAGE: usize = 25;

fn table(ctx: &Ctx, console: &Console, meetings: &[(StoredMeeting, OnlineMeeting)]) -> Markup {
    html! {
        div.table-wrap {
            table #meetings {
                caption.sr-only { "Meetings" }
                thead { tr { th scope="col" { "Subject" } th scope="col" { "Organizer" } th scope="col" { "Starts" } th scope="col" { "Join id" } th scope="col" { "Created" } } }
                tbody {
                    @for (stored, m) in meetings {
                        tr {
                            th scope="row" { a href=(format!("/console/meetings/{}{}", enc(&stored.id), ctx.tq())) { (m.subject.as_deref().filter(|s| !s.is_empty()).unwrap_or("(no subject)")) } }
                            td { (console.app.index.user(stored.organizer_id).map(|u| u.upn.clone()).unwrap_or_else(|| stored.organizer_id.to_string())) }
                            td { @if let Some(s) = &m.start_date_time { (s.to_string()) } }
                            td { code.small { (stored.join_meeting_id) } }
                            td { (when(stored.created_at)) }
                        }
                    }
                    @if meetings.is_empty() { tr { td colspan="5" { "No meeting matches." } } }
                }
            }
        }
    }
}

/// `GET /console/meetings?tenant=&organizer=&q=&join_meeting_id=&join_web_url=`.
pub async fn page(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    axum::extract::Query(params): Params,
) -> Response {
    let ctx = Ctx::new(&console, &session, &params, "/console/meetings");
    let Some(tenant) = ctx.tenant.clone() else {
        return no_tenant(&ctx, Nav::Meetings);
    };
    let organizer_ref = param(&params, "organizer");
    let subject = param(&params, "q");
    let join_id = param(&params, "join_meeting_id");
    let join_url = param(&params, "join_web_url");
    let before = match (param(&params, "before_at"), param(&params, "before_id")) {
        (Some(at), Some(id)) => DateTime::parse_from_rfc3339(&at)
            .ok()
            .map(|t| (t.with_timezone(&chrono::Utc), id)),
        _ => None,
    };
    let meetings = &console.app.meetings;
    let mut status = StatusCode::OK;
    let mut problem = None;
    let mut next = None;
    let mut shown = Vec::new();
    let organizer = organizer_ref
        .as_ref()
        .and_then(|o| console.app.index.user_in(tenant.id, &UserRef::parse(o)));
    if let Some(id) = &join_id {
        match meetings.by_join_meeting_id(tenant.id, id).await {
            Ok(found) => shown.extend(found),
            Err(e) => problem = Some(e.to_string()),
        }
    } else if let Some(url) = &join_url {
        match meetings.by_join_web_url(tenant.id, url).await {
            Ok(found) => shown.extend(found),
            Err(e) => problem = Some(e.to_string()),
        }
    } else if let Some(o) = &organizer {
        match meetings
            .organizer_page(
                tenant.id,
                o.id,
                subject.as_deref(),
                before.clone(),
                PER_PAGE,
            )
            .await
        {
            Ok(page) => {
                shown = page.meetings;
                next = page.next;
            }
            Err(e) => problem = Some(e.to_string()),
        }
    } else if let Some(o) = &organizer_ref {
        status = StatusCode::NOT_FOUND;
        problem = Some(format!("user {o} in tenant {} not found", tenant.id));
    }
    if problem.is_some() && status == StatusCode::OK {
        status = StatusCode::INTERNAL_SERVER_ERROR;
    }
    let body = html! {
        p.lead { "Online meetings of " strong { (tenant.display_name) } ": an organizer's, newest first, or one found by its join id or join link." }
        form.filters method="get" action="/console/meetings" role="search" {
            input type="hidden" name="tenant" value=(tenant.id);
            div.field { label for="m-organizer" { "Organizer (UPN or id)" } input #m-organizer name="organizer" value=[organizer_ref.as_deref()]; }
            div.field { label for="m-q" { "Subject contains" } input #m-q type="search" name="q" value=[subject.as_deref()]; }
            button type="submit" { "Show" }
        }
        form.filters method="get" action="/console/meetings" role="search" aria-label="Find a meeting" {
            input type="hidden" name="tenant" value=(tenant.id);
            div.field { label for="m-join-id" { "joinMeetingId" } input #m-join-id name="join_meeting_id" inputmode="numeric" value=[join_id.as_deref()]; }
            button type="submit" { "Find" }
        }
        form.filters method="get" action="/console/meetings" role="search" aria-label="Find a meeting by link" {
            input type="hidden" name="tenant" value=(tenant.id);
            div.field { label for="m-join-url" { "joinWebUrl" } input #m-join-url name="join_web_url" value=[join_url.as_deref()]; }
            button type="submit" { "Find" }
        }
        @if let Some(p) = &problem { div.notice.error role="alert" { p { (p) } } }
        @if organizer.is_some() || join_id.is_some() || join_url.is_some() {
            (table(&ctx, &console, &shown))
        } @else if problem.is_none() {
            div.notice { p { "Name an organizer to list their meetings, or find one by its join id or link." } }
        }
        nav.pager aria-label="Pages" {
            @if let (Some((at, id)), Some(o)) = (&next, &organizer) {
                a rel="next" href=(format!(
                    "/console/meetings{}&organizer={}{}&before_at={}&before_id={}",
                    ctx.tq(), o.id,
                    subject.as_ref().map(|s| format!("&q={}", enc(s))).unwrap_or_default(),
                    enc(&super::rfc3339_micros(*at)), enc(id)
                )) { "Older →" }
            }
        }
    };
    let mut r =
        Html(layout::page(&ctx, "Meetings", Nav::Meetings, body).into_string()).into_response();
    *r.status_mut() = status;
    r
}

/// `GET /console/meetings/{id}?tenant=`: the meeting, its landing page and its resource.
pub async fn show(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    Path(id): Path<String>,
    axum::extract::Query(params): Params,
) -> Response {
    let ctx = Ctx::new(&console, &session, &params, "/console/meetings");
    let Some(tenant) = ctx.tenant.clone() else {
        return no_tenant(&ctx, Nav::Meetings);
    };
    let found = console.app.meetings.by_id(tenant.id, &id).await;
    let Ok(Some((stored, meeting))) = found else {
        let body = html! {
            div.notice.error role="alert" { p { "meeting " (id) " not found in tenant " (tenant.id) } }
            p { a href=(format!("/console/meetings{}", ctx.tq())) { "← Meetings" } }
        };
        let mut r =
            Html(layout::page(&ctx, "Meeting", Nav::Meetings, body).into_string()).into_response();
        *r.status_mut() = StatusCode::NOT_FOUND;
        return r;
    };
    let resource = serde_json::from_str::<serde_json::Value>(&stored.document)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| stored.document.clone());
    let organizer = console.app.index.user(stored.organizer_id);
    let title = meeting
        .subject
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "(no subject)".to_owned());
    let body = html! {
        dl.facts {
            dt { "Organizer" }
            dd {
                @match &organizer {
                    Some(u) => { a href=(format!("/console/users/{}{}", u.id, ctx.tq())) { (u.upn) } }
                    None => { (stored.organizer_id) }
                }
            }
            dt { "Id" } dd { code.small { (stored.id) } }
            dt { "joinMeetingId" } dd { code { (stored.join_meeting_id) } }
            dt { "joinWebUrl" } dd { a href=(stored.join_web_url) { "the landing page" } br; code.small { (stored.join_web_url) } }
            @if let Some(e) = &stored.external_id { dt { "externalId" } dd { code.small { (e) } } }
            dt { "Created" } dd { (when(stored.created_at)) }
            dt { "Changed" } dd { (when(stored.updated_at)) }
        }
        h2 { "The onlineMeeting resource (as stored)" }
        pre.ps #resource { code { (resource) } }
        p { a href=(format!("/console/meetings{}&organizer={}", ctx.tq(), stored.organizer_id)) { "← The organizer's meetings" } }
    };
    Html(layout::page(&ctx, &title, Nav::Meetings, body).into_string()).into_response()
}
