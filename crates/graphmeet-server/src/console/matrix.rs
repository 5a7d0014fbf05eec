//! The access matrix and the explanation of one cell.

use super::layout::{self, badge, Ctx, Nav};
use super::session::SessionCtx;
use super::{enc, param, when, Console, Params};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Extension;
use graphmeet_core::access::Explanation;
use graphmeet_core::matrix::{self, MatrixQuery};
use graphmeet_core::{GrantTarget, UserRef};
use maud::{html, Markup};
use uuid::Uuid;

/// The short form of a cell: allowed, denied, or changing at a time.
fn cell(ctx: &Ctx, app: Uuid, e: &Explanation) -> Markup {
    let href = format!("/console/explain{}&app={app}&user={}", ctx.tq(), e.user.id);
    let pending = e.decision.pending().first();
    let (kind, word) = match (e.allowed(), e.decision.allowed()) {
        (true, _) => ("allowed", "Allowed"),
        (false, true) => ("warn", "Blocked"),
        (false, false) => ("denied", "Denied"),
    };
    let why = match e.decision.applied() {
        Some(g) if e.decision.app_listed() => format!("policy {}", g.policy_name),
        Some(g) => format!("{} lacks the app", g.policy_name),
        None => "no policy".to_owned(),
    };
    html! {
        a.cell href=(href) title=(e.reason()) data-state=(kind) {
            (badge(kind, word))
            span.why { (why) }
            @if let Some(p) = pending {
                span.pending {
                    (badge("pending", if p.allowed_after { "→ allowed" } else { "→ denied" }))
                    " at " time datetime=(super::rfc3339(p.takes_effect_at)) { (when(p.takes_effect_at)) }
                }
            }
        }
    }
}

/// `GET /console/matrix?tenant=&q=&group=&after=`.
pub async fn page_handler(
    console: &Console,
    session: &SessionCtx,
    params: &[(String, String)],
) -> Response {
    let ctx = Ctx::new(console, session, params, "/console/matrix");
    let Some(tenant) = ctx.tenant.clone() else {
        return no_tenant(&ctx, Nav::Matrix);
    };
    let search = param(params, "q");
    let group = param(params, "group").and_then(|g| Uuid::parse_str(&g).ok());
    let after = param(params, "after").and_then(|a| Uuid::parse_str(&a).ok());
    let limit = param(params, "size")
        .and_then(|s| s.parse().ok())
        .unwrap_or(25);
    let now = console.app.clock.now();
    let m = matrix::page(
        &console.app.access,
        &console.app.index,
        &tenant,
        &MatrixQuery {
            search: search.clone(),
            group,
            after,
            limit,
        },
        now,
    );
    // One group by id (a single read), never the tenant's whole list: a tenant can have
    // thousands; the groups page links each one's members here.
    let group_name = match group {
        Some(g) => console
            .app
            .directory
            .group(g)
            .await
            .ok()
            .filter(|found| found.tenant_id == tenant.id)
            .map(|found| found.display_name),
        None => None,
    };
    let delay = console.app.access.propagation_delay();
    let keep = |extra: &str| {
        let mut q = ctx.tq();
        if let Some(s) = &search {
            q.push_str(&format!("&q={}", enc(s)));
        }
        if let Some(g) = group {
            q.push_str(&format!("&group={g}"));
        }
        q.push_str(extra);
        q
    };
    let body = html! {
        p.lead {
            "Which apps may create and manage online meetings for which users of "
            strong { (tenant.display_name) }
            ", as a Graph call would be decided at " (when(now)) "."
            @if delay > chrono::Duration::zero() {
                " Policy changes take " strong { (delay.num_minutes()) " minutes" } " to apply; a change still propagating shows when it takes effect."
            }
        }
        form.filters method="get" action="/console/matrix" role="search" {
            input type="hidden" name="tenant" value=(tenant.id);
            div.field {
                label for="q" { "Search users" }
                input #q type="search" name="q" value=[search.as_deref()] placeholder="UPN or name";
            }
            div.field {
                label for="group" { "Group (object id)" }
                input #group name="group" value=[group.map(|g| g.to_string())] placeholder="all users";
            }
            button type="submit" { "Show" }
        }
        @if let (Some(g), Some(name)) = (group, &group_name) {
            p { "Members of the group " a href=(format!("/console/groups/{g}{}", ctx.tq())) { (name) } " only." }
        }
        @if m.columns.is_empty() {
            div.notice { p { "No app is consented in, registered in or listed by a policy of this tenant yet." } }
        } @else {
            div.table-wrap {
                table.matrix #matrix {
                    caption.sr-only { "Access of each app for each user" }
                    thead {
                        tr {
                            th scope="col" { "User" }
                            @for c in &m.columns {
                                th scope="col" {
                                    a href=(format!("/console/apps/{}", c.app_id)) { (c.display_name) }
                                    br;
                                    @match &c.consented_roles {
                                        Some(roles) if roles.iter().any(|r| r.starts_with("OnlineMeetings.")) => { span.muted.small { "consented" } }
                                        Some(_) => { span.muted.small { "no meetings role" } }
                                        None => { span.muted.small { "not consented" } }
                                    }
                                }
                            }
                        }
                    }
                    tbody {
                        @for row in &m.rows {
                            tr {
                                th scope="row" {
                                    a href=(format!("/console/users/{}{}", row.user.id, ctx.tq())) { (row.user.display_name) }
                                    br;
                                    span.muted.small { (row.user.upn) }
                                }
                                @for (c, e) in m.columns.iter().zip(&row.cells) {
                                    td { (cell(&ctx, c.app_id, e)) }
                                }
                            }
                        }
                        @if m.rows.is_empty() {
                            tr { td colspan=(m.columns.len() + 1) { "No user matches." } }
                        }
                    }
                }
            }
            nav.pager aria-label="Pages" {
                @if after.is_some() {
                    a href=(format!("/console/matrix{}", keep(""))) { "← First page" }
                }
                @if let Some(next) = m.next_after {
                    a href=(format!("/console/matrix{}", keep(&format!("&after={next}")))) rel="next" { "Next page →" }
                }
                span.muted { (console.app.index.tenant_user_count(tenant.id)) " users in the tenant" }
            }
        }
    };
    Html(layout::page(&ctx, "Access matrix", Nav::Matrix, body).into_string()).into_response()
}

/// Axum's entry for [`page_handler`].
pub async fn page(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    axum::extract::Query(params): Params,
) -> Response {
    page_handler(&console, &session, &params).await
}

/// A page that needs a tenant, when there is none.
pub fn no_tenant(ctx: &Ctx, nav: Nav) -> Response {
    let body = html! {
        div.notice { p { "There is no tenant yet (or not the one asked for). " a href="/console/tenants" { "Create one" } "." } }
    };
    let mut r = Html(layout::page(ctx, "No tenant", nav, body).into_string()).into_response();
    *r.status_mut() = StatusCode::NOT_FOUND;
    r
}

/// The id of a grant's row on the policies page.
fn grant_anchor(target: &GrantTarget) -> String {
    match target {
        GrantTarget::User(u) => format!("grant-user-{u}"),
        GrantTarget::Group { id, .. } => format!("grant-group-{id}"),
        GrantTarget::Global => "grant-global-".to_owned(),
    }
}

fn target_text(console: &Console, target: &GrantTarget) -> String {
    match target {
        GrantTarget::User(u) => console
            .app
            .index
            .user(*u)
            .map(|u| format!("the user {}", u.upn))
            .unwrap_or_else(|| format!("the user {u}")),
        GrantTarget::Group { id, rank } => format!("the group {id} (rank {rank})"),
        GrantTarget::Global => "the whole tenant (global)".to_owned(),
    }
}

/// `GET /console/explain?tenant=&app=&user=`: why the cell is what it is.
pub async fn explain(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    axum::extract::Query(params): Params,
) -> Response {
    let ctx = Ctx::new(&console, &session, &params, "/console/explain");
    let Some(tenant) = ctx.tenant.clone() else {
        return no_tenant(&ctx, Nav::Matrix);
    };
    let app = param(&params, "app").and_then(|a| Uuid::parse_str(&a).ok());
    let user = param(&params, "user");
    let explanation = match (app, &user) {
        (Some(app), Some(user)) => console
            .app
            .access
            .explain(&tenant, app, &UserRef::parse(user))
            .map(|e| (app, e)),
        _ => None,
    };
    let Some((app_id, e)) = explanation else {
        let body = html! {
            div.notice.error role="alert" { p { "Give an application id (a GUID) and a user of this tenant." } }
            p { a href=(format!("/console/matrix{}", ctx.tq())) { "← Access matrix" } }
        };
        let mut r = Html(layout::page(&ctx, "Explanation", Nav::Matrix, body).into_string())
            .into_response();
        *r.status_mut() = StatusCode::NOT_FOUND;
        return r;
    };
    let app_name = console
        .app
        .index
        .app(app_id)
        .map(|a| a.app.display_name.clone())
        .unwrap_or_else(|| app_id.to_string());
    let d = &e.decision;
    let policy_link = |name: &str| format!("/console/policies/{}{}", enc(name), ctx.tq());
    let body = html! {
        p.lead {
            "May " strong { (app_name) } " create and manage online meetings for "
            strong { (e.user.upn) } "? "
            @if e.allowed() { (badge("allowed", "Allowed")) } @else { (badge("denied", "Denied")) }
        }
        div.card {
            h2 { "The policy engine's reason" }
            p.reason { (e.reason()) }
            dl.facts {
                dt { "Decided at" } dd { (when(d.decided_at())) }
                dt { "On the directory as of" } dd { (when(d.effective_at())) " (propagation delay " (d.propagation_delay_seconds() / 60) " min)" }
                dt { "Grant that applies" }
                dd {
                    @match d.applied() {
                        Some(g) => {
                            "Policy " a href=(policy_link(&g.policy_name)) { (g.policy_name) }
                            " granted to " (target_text(&console, &g.target)) " at " (when(g.granted_at))
                            " — " a href=(format!("/console/policies{}#{}", ctx.tq(), grant_anchor(&g.target))) { "see the grant" }
                        }
                        None => { "None: no per-user, group or global grant is in force for this user." }
                    }
                }
                dt { "Is the app in that policy?" }
                dd {
                    @if d.applied().is_none() { "—" }
                    @else if d.app_listed() { (badge("allowed", "Yes")) }
                    @else { (badge("denied", "No")) " the policy lists " (d.policy_apps().len()) " other app(s)" }
                }
                @if !d.overridden().is_empty() {
                    dt { "Overridden grants" }
                    dd {
                        ul {
                            @for g in d.overridden() {
                                li { "Policy " a href=(policy_link(&g.policy_name)) { (g.policy_name) } " to " (target_text(&console, &g.target)) }
                            }
                        }
                    }
                }
                dt { "Account" }
                dd {
                    @match e.missing {
                        Some(m) => { (badge("denied", "Cannot organise")) " " (m.describe()) ". Fix: " (m.fix()) }
                        None => { "Can organise Teams meetings." }
                    }
                }
            }
        }
        @if !d.pending().is_empty() {
            div.card {
                h2 { "Still propagating" }
                table {
                    thead { tr { th scope="col" { "Change" } th scope="col" { "Made at" } th scope="col" { "Takes effect at" } th scope="col" { "Then" } } }
                    tbody {
                        @for p in d.pending() {
                            tr {
                                td { (p.change) }
                                td { (when(p.made_at)) }
                                td { time datetime=(super::rfc3339(p.takes_effect_at)) { (when(p.takes_effect_at)) } }
                                td { @if p.allowed_after { (badge("allowed", "Allowed")) } @else { (badge("denied", "Denied")) } }
                            }
                        }
                    }
                }
            }
        }
        p {
            a href=(format!("/console/matrix{}", ctx.tq())) { "← Access matrix" }
            " · "
            a href=(format!("/console/users/{}{}", e.user.id, ctx.tq())) { "the user" }
            " · "
            a href=(format!("/console/apps/{app_id}")) { "the app" }
        }
    };
    Html(layout::page(&ctx, "Explanation", Nav::Matrix, body).into_string()).into_response()
}
