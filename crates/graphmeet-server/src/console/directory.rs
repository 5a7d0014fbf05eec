//! Directory pages: tenants, users (account state and licences), groups and members, apps
//! with their credentials (expiry shown, warned within 30 days), and consent per tenant.
//! Creating, editing and deleting go through the admin API's handlers, so the validation and
//! the messages are the API's.

use super::layout::{badge, page, Ctx, Nav};
use super::matrix::no_tenant;
use super::session::{Flash, SessionCtx};
use super::{enc, param, refused, when, Console, Fields, Params};
use crate::admin::{self, AdminFailure, AdminJson, AdminPath};
use axum::extract::{Path, State};

use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Json};
use chrono::Duration;
use graphmeet_core::matrix::Search;
use graphmeet_core::UserRef;
use graphmeet_wire::admin::{
    AddCertificate, AddSecret, CreateApp, CreateGroup, CreateTenant, CreateUser, GrantConsent,
    GroupMember, RevokeConsent, UpdateUser,
};
use maud::{html, Markup};
use uuid::Uuid;

/// Users per page.
const USERS_PER_PAGE: usize = 50;
/// Credentials ending within this are flagged.
const EXPIRY_WARNING: Duration = Duration::days(30);

fn tenant_params(fields: &Fields) -> Vec<(String, String)> {
    vec![("tenant".to_owned(), fields.raw("tenant"))]
}

fn html_page(ctx: &Ctx, title: &str, nav: Nav, body: Markup) -> Response {
    Html(page(ctx, title, nav, body).into_string()).into_response()
}

fn flash(text: String) -> Flash {
    Flash {
        text,
        ..Flash::default()
    }
}

fn yes_no(v: bool) -> Markup {
    if v {
        badge("allowed", "yes")
    } else {
        badge("denied", "no")
    }
}

fn opt_bool(fields: &Fields, name: &str) -> Option<bool> {
    fields.get(name).map(|v| v == "true")
}

// ---- tenants ------------------------------------------------------------------------------

/// `GET /console/tenants`.
pub async fn tenants(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    axum::extract::Query(params): Params,
) -> Response {
    let ctx = Ctx::new(&console, &session, &params, "/console/tenants");
    let body = html! {
        div.table-wrap {
            table #tenants {
                caption.sr-only { "Tenants" }
                thead { tr { th scope="col" { "Tenant" } th scope="col" { "Id" } th scope="col" { "Domains" } th scope="col" { "Users" } th scope="col" { "Created" } th scope="col" { span.sr-only { "Actions" } } } }
                tbody {
                    @for t in &ctx.tenants {
                        tr {
                            th scope="row" { a href=(format!("/console/users?tenant={}", t.id)) { (t.display_name) } }
                            td { code.small { (t.id) } }
                            td { (t.domains.join(", ")) }
                            td { (console.app.index.tenant_user_count(t.id)) }
                            td { (when(t.created_at)) }
                            td { (ctx.button("/console/tenants/delete", "Delete", "danger small", &[("tenant_ref", &t.id.to_string())])) }
                        }
                    }
                }
            }
        }
        p.muted { "Deleting a tenant deletes its users, groups, apps registered in it, consents, policies and meetings (see docs/admin.md)." }
        section.card {
            h2 { "New tenant" }
            form method="post" action="/console/tenants" {
                (ctx.hidden())
                label for="t-name" { "Display name" }
                input #t-name name="display_name" required;
                label for="t-domain" { "Domain (default NAME.onmicrosoft.com)" }
                input #t-domain name="domain";
                button.primary type="submit" { "Create tenant" }
            }
        }
    };
    html_page(&ctx, "Tenants", Nav::Tenants, body)
}

/// `POST /console/tenants`.
pub async fn create_tenant(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    fields: Fields,
) -> Response {
    let ctx = Ctx::new(&console, &session, &[], "/console/tenants");
    let back = fields.back("/console/tenants");
    let body = CreateTenant {
        display_name: fields.raw("display_name"),
        domain: fields.get("domain"),
    };
    match admin::create_tenant(State(console.app.clone()), AdminJson(body)).await {
        Ok((_, Json(t))) => console.done(
            &session,
            &back,
            flash(format!(
                "Created the tenant {} ({}).",
                t.display_name,
                t.domains.join(", ")
            )),
        ),
        Err(f) => refused(&ctx, f, &back),
    }
}

/// `POST /console/tenants/delete`.
pub async fn delete_tenant(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    fields: Fields,
) -> Response {
    let ctx = Ctx::new(&console, &session, &[], "/console/tenants");
    let back = "/console/tenants".to_owned();
    let tenant = fields.raw("tenant_ref");
    match admin::delete_tenant(State(console.app.clone()), AdminPath(tenant.clone())).await {
        Ok(_) => console.done(
            &session,
            &back,
            flash(format!("Deleted the tenant {tenant}.")),
        ),
        Err(f) => refused(&ctx, f, &back),
    }
}

// ---- users --------------------------------------------------------------------------------

/// `GET /console/users?tenant=&q=&after=`: a page of the tenant's users from the index.
pub async fn users(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    axum::extract::Query(params): Params,
) -> Response {
    let ctx = Ctx::new(&console, &session, &params, "/console/users");
    let Some(tenant) = ctx.tenant.clone() else {
        return no_tenant(&ctx, Nav::Users);
    };
    let search = param(&params, "q");
    let after = param(&params, "after").and_then(|a| Uuid::parse_str(&a).ok());
    let needle = Search::new(search.as_deref().unwrap_or_default());
    let (page_users, more) =
        console
            .app
            .index
            .users_page_with_groups(tenant.id, after, USERS_PER_PAGE, |u, _| needle.matches(u));
    let q = search
        .as_ref()
        .map(|s| format!("&q={}", enc(s)))
        .unwrap_or_default();
    let body = html! {
        form.filters method="get" action="/console/users" role="search" {
            input type="hidden" name="tenant" value=(tenant.id);
            div.field { label for="u-q" { "Search" } input #u-q type="search" name="q" value=[search.as_deref()] placeholder="UPN or name"; }
            button type="submit" { "Search" }
        }
        div.table-wrap {
            table #users {
                caption.sr-only { "Users" }
                thead { tr {
                    th scope="col" { "User" } th scope="col" { "Enabled" } th scope="col" { "Type" }
                    th scope="col" { "Teams licence" } th scope="col" { "Audio Conferencing" } th scope="col" { "Mail" }
                } }
                tbody {
                    @for u in &page_users {
                        tr {
                            th scope="row" {
                                a href=(format!("/console/users/{}{}", u.id, ctx.tq())) { (u.display_name) }
                                br; span.muted.small { (u.upn) }
                            }
                            td { (yes_no(u.account.enabled)) }
                            td { (u.account.user_type.as_str()) }
                            td { (yes_no(u.account.teams_license)) }
                            td { (yes_no(u.account.audio_conferencing)) }
                            td { (u.account.mail.as_deref().unwrap_or("—")) }
                        }
                    }
                    @if page_users.is_empty() { tr { td colspan="6" { "No user matches." } } }
                }
            }
        }
        nav.pager aria-label="Pages" {
            @if after.is_some() { a href=(format!("/console/users{}{q}", ctx.tq())) { "← First page" } }
            @if more { @if let Some(last) = page_users.last() { a href=(format!("/console/users{}{q}&after={}", ctx.tq(), last.id)) rel="next" { "Next page →" } } }
            span.muted { (console.app.index.tenant_user_count(tenant.id)) " users" }
        }
        section.card {
            h2 { "New user" }
            form method="post" action="/console/users" {
                (ctx.hidden())
                input type="hidden" name="tenant" value=(tenant.id);
                label for="nu-upn" { "User principal name" }
                input #nu-upn name="upn" required placeholder=(format!("alice@{}", tenant.domains.first().map(String::as_str).unwrap_or_default()));
                label for="nu-name" { "Display name (default the UPN's alias)" }
                input #nu-name name="display_name";
                label for="nu-password" { "Password, for delegated sign-in (optional)" }
                input #nu-password type="password" name="password" autocomplete="new-password";
                (account_fields(None))
                button.primary type="submit" { "Create user" }
            }
        }
    };
    html_page(&ctx, "Users", Nav::Users, body)
}

/// The account-state fields of the user forms; `current` preselects.
fn account_fields(current: Option<&graphmeet_core::User>) -> Markup {
    let a = current.map(|u| u.account.clone()).unwrap_or_default();
    let select = |id: &str, name: &str, label: &str, value: bool| {
        html! {
            label for=(id) { (label) }
            select id=(id) name=(name) {
                option value="true" selected[value] { "yes" }
                option value="false" selected[!value] { "no" }
            }
        }
    };
    html! {
        div.grid.tight {
            div { (select("f-enabled", "account_enabled", "Account enabled", a.enabled)) }
            div {
                label for="f-type" { "User type" }
                select #f-type name="user_type" {
                    option value="Member" selected[a.user_type.as_str() == "Member"] { "Member" }
                    option value="Guest" selected[a.user_type.as_str() == "Guest"] { "Guest" }
                }
            }
            div { (select("f-teams", "teams_license", "Teams licence", a.teams_license)) }
            div { (select("f-audio", "audio_conferencing", "Audio Conferencing", a.audio_conferencing)) }
        }
    }
}

/// `POST /console/users`.
pub async fn create_user(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    fields: Fields,
) -> Response {
    let ctx = Ctx::new(
        &console,
        &session,
        &tenant_params(&fields),
        "/console/users",
    );
    let back = fields.back("/console/users");
    let body = CreateUser {
        tenant: fields.raw("tenant"),
        upn: fields.raw("upn").trim().to_owned(),
        display_name: fields.get("display_name"),
        password: fields.get("password"),
        account_enabled: opt_bool(&fields, "account_enabled"),
        user_type: fields.get("user_type"),
        teams_license: opt_bool(&fields, "teams_license"),
        audio_conferencing: opt_bool(&fields, "audio_conferencing"),
        mail: fields.get("mail"),
    };
    match admin::create_user(State(console.app.clone()), AdminJson(body)).await {
        Ok((_, Json(u))) => console.done(
            &session,
            &back,
            flash(format!("Created the user {}.", u.upn)),
        ),
        Err(f) => refused(&ctx, f, &back),
    }
}

/// `GET /console/users/{id}`: one user, its account, groups and access.
pub async fn user(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    Path(id): Path<String>,
    axum::extract::Query(params): Params,
) -> Response {
    let path = format!("/console/users/{}", enc(&id));
    let ctx = Ctx::new(&console, &session, &params, &path);
    let found = match &ctx.tenant {
        Some(t) => console.app.index.user_in(t.id, &UserRef::parse(&id)),
        None => console
            .app
            .index
            .user(Uuid::parse_str(&id).unwrap_or_default()),
    };
    let Some(u) = found else {
        return refused(
            &ctx,
            AdminFailure::from(graphmeet_core::directory::DirectoryError::NotFound(
                format!("user {id}"),
            )),
            &format!("/console/users{}", ctx.tq()),
        );
    };
    let groups = console
        .app
        .directory
        .groups(&u.tenant_id.to_string())
        .await
        .unwrap_or_default();
    let member_of = console.app.index.groups_of(u.tenant_id, u.id);
    let body = html! {
        dl.facts {
            dt { "UPN" } dd { (u.upn) }
            dt { "Object id" } dd { code { (u.id) } }
            dt { "Created" } dd { (when(u.created_at)) }
            dt { "Can organise meetings" }
            dd {
                @match u.account.missing_prerequisite() {
                    Some(m) => { (badge("denied", "no")) " " (m.describe()) }
                    None => { (badge("allowed", "yes")) }
                }
            }
            dt { "Groups" }
            dd {
                @for g in groups.iter().filter(|g| member_of.contains(&g.id)) {
                    a.chip href=(format!("/console/groups/{}{}", g.id, ctx.tq())) { (g.display_name) } " "
                }
                @if member_of.is_empty() { "none" }
            }
            dt { "Access" } dd { a href=(format!("/console/matrix{}&q={}", ctx.tq(), enc(&u.upn))) { "See this user in the access matrix" } }
        }
        div.grid {
            section.card {
                h2 { "Edit" }
                form method="post" action=(path) {
                    (ctx.hidden())
                    input type="hidden" name="tenant" value=(u.tenant_id);
                    label for="eu-name" { "Display name" }
                    input #eu-name name="display_name" value=(u.display_name);
                    label for="eu-mail" { "Mail (empty: no mailbox)" }
                    input #eu-mail name="mail" value=(u.account.mail.as_deref().unwrap_or_default());
                    (account_fields(Some(&u)))
                    button.primary type="submit" { "Save" }
                }
            }
            section.card {
                h2 { "Delete" }
                p { "Deleting the user also deletes its grants, memberships and meetings." }
                (ctx.button(&format!("{path}/delete"), "Delete user", "danger", &[("tenant", &u.tenant_id.to_string()), ("back", &format!("/console/users?tenant={}", u.tenant_id))]))
            }
        }
    };
    html_page(&ctx, &u.display_name, Nav::Users, body)
}

/// `POST /console/users/{id}`.
pub async fn update_user(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    Path(id): Path<String>,
    fields: Fields,
) -> Response {
    let ctx = Ctx::new(
        &console,
        &session,
        &tenant_params(&fields),
        "/console/users",
    );
    let back = fields.back("/console/users");
    let body = UpdateUser {
        display_name: fields.get("display_name"),
        account_enabled: opt_bool(&fields, "account_enabled"),
        user_type: fields.get("user_type"),
        teams_license: opt_bool(&fields, "teams_license"),
        audio_conferencing: opt_bool(&fields, "audio_conferencing"),
        mail: fields
            .0
            .iter()
            .any(|(k, _)| k == "mail")
            .then(|| fields.raw("mail").trim().to_owned()),
    };
    match admin::update_user(State(console.app.clone()), AdminPath(id), AdminJson(body)).await {
        Ok(Json(u)) => console.done(&session, &back, flash(format!("Saved the user {}.", u.upn))),
        Err(f) => refused(&ctx, f, &back),
    }
}

/// `POST /console/users/{id}/delete`.
pub async fn delete_user(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    Path(id): Path<String>,
    fields: Fields,
) -> Response {
    let ctx = Ctx::new(
        &console,
        &session,
        &tenant_params(&fields),
        "/console/users",
    );
    let back = fields.back("/console/users");
    match admin::delete_user(State(console.app.clone()), AdminPath(id.clone())).await {
        Ok(_) => console.done(&session, &back, flash(format!("Deleted the user {id}."))),
        Err(f) => refused(&ctx, f, &back),
    }
}

// ---- groups -------------------------------------------------------------------------------

/// `GET /console/groups?tenant=`.
pub async fn groups(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    axum::extract::Query(params): Params,
) -> Response {
    let ctx = Ctx::new(&console, &session, &params, "/console/groups");
    let Some(tenant) = ctx.tenant.clone() else {
        return no_tenant(&ctx, Nav::Groups);
    };
    let groups = console
        .app
        .directory
        .groups(&tenant.id.to_string())
        .await
        .unwrap_or_default();
    let body = html! {
        div.table-wrap {
            table #groups {
                caption.sr-only { "Groups" }
                thead { tr { th scope="col" { "Group" } th scope="col" { "Object id" } th scope="col" { "Created" } } }
                tbody {
                    @for g in &groups {
                        tr {
                            th scope="row" { a href=(format!("/console/groups/{}{}", g.id, ctx.tq())) { (g.display_name) } }
                            td { code.small { (g.id) } }
                            td { (when(g.created_at)) }
                        }
                    }
                    @if groups.is_empty() { tr { td colspan="3" { "No group yet." } } }
                }
            }
        }
        section.card {
            h2 { "New group" }
            form method="post" action="/console/groups" {
                (ctx.hidden())
                input type="hidden" name="tenant" value=(tenant.id);
                label for="ng-name" { "Display name" }
                input #ng-name name="display_name" required;
                button.primary type="submit" { "Create group" }
            }
        }
    };
    html_page(&ctx, "Groups", Nav::Groups, body)
}

/// `POST /console/groups`.
pub async fn create_group(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    fields: Fields,
) -> Response {
    let ctx = Ctx::new(
        &console,
        &session,
        &tenant_params(&fields),
        "/console/groups",
    );
    let back = fields.back("/console/groups");
    let body = CreateGroup {
        tenant: fields.raw("tenant"),
        display_name: fields.raw("display_name"),
    };
    match admin::create_group(State(console.app.clone()), AdminJson(body)).await {
        Ok((_, Json(g))) => console.done(
            &session,
            &back,
            flash(format!("Created the group {} ({}).", g.display_name, g.id)),
        ),
        Err(f) => refused(&ctx, f, &back),
    }
}

/// `GET /console/groups/{id}`: the group and its members (paged).
pub async fn group(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    Path(id): Path<String>,
    axum::extract::Query(params): Params,
) -> Response {
    let path = format!("/console/groups/{}", enc(&id));
    let ctx = Ctx::new(&console, &session, &params, &path);
    let group = match Uuid::parse_str(&id) {
        Ok(gid) => console
            .app
            .directory
            .group(gid)
            .await
            .map_err(AdminFailure::from),
        Err(_) => Err(AdminFailure::invalid(format!(
            "'{id}' is not a group id (a GUID)"
        ))),
    };
    let group = match group {
        Ok(g) => g,
        Err(f) => return refused(&ctx, f, &format!("/console/groups{}", ctx.tq())),
    };
    let after = param(&params, "after").and_then(|a| Uuid::parse_str(&a).ok());
    let (members, more) = console.app.index.users_page_with_groups(
        group.tenant_id,
        after,
        USERS_PER_PAGE,
        |_, groups| groups.contains(&group.id),
    );
    let tid = group.tenant_id.to_string();
    let body = html! {
        dl.facts {
            dt { "Object id" } dd { code { (group.id) } }
            dt { "Created" } dd { (when(group.created_at)) }
            dt { "Access" } dd { a href=(format!("/console/matrix?tenant={tid}&group={}", group.id)) { "Its members in the access matrix" } }
        }
        h2 { "Members" }
        div.table-wrap {
            table #members {
                caption.sr-only { "Members" }
                thead { tr { th scope="col" { "User" } th scope="col" { span.sr-only { "Actions" } } } }
                tbody {
                    @for u in &members {
                        tr {
                            th scope="row" { a href=(format!("/console/users/{}?tenant={tid}", u.id)) { (u.upn) } }
                            td { (ctx.button(&format!("{path}/members/remove"), "Remove", "danger small", &[("tenant", &tid), ("user_id", &u.id.to_string())])) }
                        }
                    }
                    @if members.is_empty() { tr { td colspan="2" { "No member." } } }
                }
            }
        }
        nav.pager aria-label="Pages" {
            @if more { @if let Some(last) = members.last() { a href=(format!("{path}?tenant={tid}&after={}", last.id)) rel="next" { "Next page →" } } }
        }
        div.grid {
            section.card {
                h2 { "Add a member" }
                form method="post" action=(format!("{path}/members")) {
                    (ctx.hidden())
                    input type="hidden" name="tenant" value=(tid);
                    label for="am-user" { "User (object id or UPN)" }
                    input #am-user name="user" required;
                    button.primary type="submit" { "Add" }
                }
            }
            section.card {
                h2 { "Delete" }
                p { "Deleting the group ends its policy grants." }
                (ctx.button(&format!("{path}/delete"), "Delete group", "danger", &[("tenant", &tid), ("back", &format!("/console/groups?tenant={tid}"))]))
            }
        }
    };
    html_page(&ctx, &group.display_name, Nav::Groups, body)
}

/// `POST /console/groups/{id}/delete`.
pub async fn delete_group(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    Path(id): Path<String>,
    fields: Fields,
) -> Response {
    let ctx = Ctx::new(
        &console,
        &session,
        &tenant_params(&fields),
        "/console/groups",
    );
    let back = fields.back("/console/groups");
    match admin::delete_group(State(console.app.clone()), AdminPath(id.clone())).await {
        Ok(_) => console.done(&session, &back, flash(format!("Deleted the group {id}."))),
        Err(f) => refused(&ctx, f, &back),
    }
}

/// `POST /console/groups/{id}/members`: a user named by object id or UPN (the UPN is looked
/// up in the group's tenant; the admin API takes the id).
pub async fn add_member(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    Path(id): Path<String>,
    fields: Fields,
) -> Response {
    let ctx = Ctx::new(
        &console,
        &session,
        &tenant_params(&fields),
        "/console/groups",
    );
    let back = fields.back("/console/groups");
    let named = fields.raw("user").trim().to_owned();
    let user_id = console
        .tenant(&tenant_params(&fields))
        .and_then(|t| console.app.index.user_in(t.id, &UserRef::parse(&named)))
        .map(|u| u.id.to_string())
        .unwrap_or_else(|| named.clone());
    match admin::add_member(
        State(console.app.clone()),
        AdminPath(id),
        AdminJson(GroupMember { user_id }),
    )
    .await
    {
        Ok(_) => console.done(
            &session,
            &back,
            flash(format!("Added {named} to the group.")),
        ),
        Err(f) => refused(&ctx, f, &back),
    }
}

/// `POST /console/groups/{id}/members/remove`.
pub async fn remove_member(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    Path(id): Path<String>,
    fields: Fields,
) -> Response {
    let ctx = Ctx::new(
        &console,
        &session,
        &tenant_params(&fields),
        "/console/groups",
    );
    let back = fields.back("/console/groups");
    let user_id = fields.raw("user_id");
    match admin::remove_member(State(console.app.clone()), AdminPath((id, user_id.clone()))).await {
        Ok(_) => console.done(
            &session,
            &back,
            flash(format!("Removed {user_id} from the group.")),
        ),
        Err(f) => refused(&ctx, f, &back),
    }
}

// ---- apps and credentials -----------------------------------------------------------------

fn expiry(now: chrono::DateTime<chrono::Utc>, end: chrono::DateTime<chrono::Utc>) -> Markup {
    html! {
        (when(end)) " "
        @if end <= now { (badge("denied", "expired")) }
        @else if end - now <= EXPIRY_WARNING { (badge("warn", &format!("expires in {} days", (end - now).num_days()))) }
    }
}

/// `GET /console/apps`: every registration, with its credentials' expiry.
pub async fn apps(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    axum::extract::Query(params): Params,
) -> Response {
    let ctx = Ctx::new(&console, &session, &params, "/console/apps");
    let now = console.app.clock.now();
    let apps = console.app.index.all_apps();
    let tenant_name = |id: Uuid| {
        console
            .app
            .index
            .tenant(id)
            .map(|t| t.display_name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let body = html! {
        div.table-wrap {
            table #apps {
                caption.sr-only { "Apps" }
                thead { tr { th scope="col" { "App" } th scope="col" { "Application id" } th scope="col" { "Home tenant" } th scope="col" { "Audience" } th scope="col" { "Credentials" } th scope="col" { "Next expiry" } } }
                tbody {
                    @for a in &apps {
                        @let next = a.secrets.iter().map(|s| s.end).chain(a.certificates.iter().map(|c| c.end)).min();
                        tr {
                            th scope="row" { a href=(format!("/console/apps/{}", a.app.app_id)) { (a.app.display_name) } }
                            td { code.small { (a.app.app_id) } }
                            td { (tenant_name(a.app.home_tenant_id)) }
                            td { @if a.app.multi_tenant { "multi-tenant" } @else { "single tenant" } }
                            td { (a.secrets.len()) " secret(s), " (a.certificates.len()) " certificate(s)" }
                            td { @if let Some(end) = next { (expiry(now, end)) } @else { "—" } }
                        }
                    }
                    @if apps.is_empty() { tr { td colspan="6" { "No app yet." } } }
                }
            }
        }
        section.card {
            h2 { "Register an app" }
            form method="post" action="/console/apps" {
                (ctx.hidden())
                label for="na-tenant" { "Home tenant" }
                select #na-tenant name="tenant" {
                    @for t in &ctx.tenants { option value=(t.id) selected[ctx.tenant.as_ref().is_some_and(|c| c.id == t.id)] { (t.display_name) } }
                }
                label for="na-name" { "Display name" }
                input #na-name name="display_name" required;
                div.check { input #na-multi type="checkbox" name="multi_tenant" value="true"; label for="na-multi" { "Multi-tenant (other tenants may consent)" } }
                div.check { input #na-public type="checkbox" name="allow_public_client" value="true"; label for="na-public" { "Allow public client flows" } }
                button.primary type="submit" { "Register" }
            }
        }
    };
    html_page(&ctx, "Apps", Nav::Apps, body)
}

/// `POST /console/apps`.
pub async fn create_app(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    fields: Fields,
) -> Response {
    let ctx = Ctx::new(&console, &session, &tenant_params(&fields), "/console/apps");
    let back = fields.back("/console/apps");
    let body = CreateApp {
        tenant: fields.raw("tenant"),
        display_name: fields.raw("display_name"),
        multi_tenant: fields.checked("multi_tenant"),
        allow_public_client: fields.checked("allow_public_client"),
    };
    match admin::create_app(State(console.app.clone()), AdminJson(body)).await {
        Ok((_, Json(a))) => console.done(
            &session,
            &format!("/console/apps/{}", a.app_id),
            flash(format!("Registered {} ({}).", a.display_name, a.app_id)),
        ),
        Err(f) => refused(&ctx, f, &back),
    }
}

/// `GET /console/apps/{id}`: the registration, its secrets and certificates, its consents.
pub async fn app(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    Path(id): Path<String>,
    axum::extract::Query(params): Params,
) -> Response {
    let path = format!("/console/apps/{}", enc(&id));
    let ctx = Ctx::new(&console, &session, &params, &path);
    let Some(entry) = Uuid::parse_str(&id)
        .ok()
        .and_then(|a| console.app.index.app(a))
    else {
        return refused(
            &ctx,
            AdminFailure::from(graphmeet_core::directory::DirectoryError::NotFound(
                format!("app {id}"),
            )),
            "/console/apps",
        );
    };
    let now = console.app.clock.now();
    let a = &entry.app;
    let consents: Vec<_> = ctx
        .tenants
        .iter()
        .filter_map(|t| {
            console
                .app
                .index
                .service_principal(t.id, a.app_id)
                .map(|sp| (t.clone(), sp))
        })
        .collect();
    let body = html! {
        dl.facts {
            dt { "Application id" } dd { code { (a.app_id) } }
            dt { "Object id" } dd { code { (a.object_id) } }
            dt { "Audience" } dd { @if a.multi_tenant { "AzureADMultipleOrgs" } @else { "AzureADMyOrg" } }
            dt { "Public client flows" }
            dd {
                (yes_no(a.allow_public_client)) " "
                (ctx.button(&format!("{path}/public-client"), if a.allow_public_client { "Turn off" } else { "Turn on" }, "small", &[("allow_public_client", if a.allow_public_client { "false" } else { "true" })]))
            }
            dt { "Consented in" }
            dd {
                @for (t, sp) in &consents {
                    a.chip href=(format!("/console/consent?tenant={}", t.id)) { (t.display_name) ": " (sp.app_roles.join(", ")) } " "
                }
                @if consents.is_empty() { "no tenant" }
            }
        }
        h2 { "Client secrets" }
        div.table-wrap {
            table #secrets {
                caption.sr-only { "Client secrets" }
                thead { tr { th scope="col" { "Name" } th scope="col" { "Hint" } th scope="col" { "Key id" } th scope="col" { "Expires" } th scope="col" { span.sr-only { "Actions" } } } }
                tbody {
                    @for s in &entry.secrets {
                        tr {
                            td { (s.display_name) } td { code { (s.hint) "…" } } td { code.small { (s.key_id) } }
                            td { (expiry(now, s.end)) }
                            td { (ctx.button(&format!("{path}/secrets/remove"), "Remove", "danger small", &[("key_id", &s.key_id.to_string())])) }
                        }
                    }
                    @if entry.secrets.is_empty() { tr { td colspan="5" { "No secret." } } }
                }
            }
        }
        h2 { "Certificates" }
        div.table-wrap {
            table #certificates {
                caption.sr-only { "Certificates" }
                thead { tr { th scope="col" { "Name" } th scope="col" { "Thumbprint (SHA-1)" } th scope="col" { "Expires" } th scope="col" { span.sr-only { "Actions" } } } }
                tbody {
                    @for c in &entry.certificates {
                        tr {
                            td { (c.display_name) } td { code.small { (c.thumbprint_sha1) } }
                            td { (expiry(now, c.end)) }
                            td { (ctx.button(&format!("{path}/certificates/remove"), "Remove", "danger small", &[("key_id", &c.key_id.to_string())])) }
                        }
                    }
                    @if entry.certificates.is_empty() { tr { td colspan="4" { "No certificate." } } }
                }
            }
        }
        div.grid {
            section.card {
                h2 { "New client secret" }
                form method="post" action=(format!("{path}/secrets")) {
                    (ctx.hidden())
                    label for="s-name" { "Name" }
                    input #s-name name="display_name" value="graphmeet";
                    label for="s-days" { "Valid for (days, 1–3650)" }
                    input #s-days name="days" value="730" inputmode="numeric";
                    button.primary type="submit" { "Add secret" }
                }
            }
            section.card {
                h2 { "New certificate" }
                form method="post" action=(format!("{path}/certificates")) {
                    (ctx.hidden())
                    label for="c-pem" { "A certificate (PEM) — or leave empty to generate one with its key" }
                    textarea #c-pem name="pem" rows="4" spellcheck="false" {}
                    label for="c-days" { "Valid for, when generated (days)" }
                    input #c-days name="days" value="365" inputmode="numeric";
                    button.primary type="submit" { "Add certificate" }
                }
            }
            section.card {
                h2 { "Delete" }
                p { "Deleting the registration removes its credentials, consents and its place in policies." }
                (ctx.button(&format!("{path}/delete"), "Delete app", "danger", &[("back", "/console/apps")]))
            }
        }
    };
    html_page(&ctx, &a.display_name, Nav::Apps, body)
}

/// `POST /console/apps/{id}/public-client`.
pub async fn set_public_client(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    Path(id): Path<String>,
    fields: Fields,
) -> Response {
    let ctx = Ctx::new(&console, &session, &[], "/console/apps");
    let back = fields.back("/console/apps");
    let body =
        serde_json::json!({ "allow_public_client": fields.raw("allow_public_client") == "true" });
    match admin::update_app(State(console.app.clone()), AdminPath(id), AdminJson(body)).await {
        Ok(Json(a)) => console.done(
            &session,
            &back,
            flash(format!(
                "Public client flows are {} for {}.",
                if a.allow_public_client { "on" } else { "off" },
                a.display_name
            )),
        ),
        Err(f) => refused(&ctx, f, &back),
    }
}

/// `POST /console/apps/{id}/delete`.
pub async fn delete_app(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    Path(id): Path<String>,
    fields: Fields,
) -> Response {
    let ctx = Ctx::new(&console, &session, &[], "/console/apps");
    let back = fields.back("/console/apps");
    match admin::delete_app(State(console.app.clone()), AdminPath(id.clone())).await {
        Ok(_) => console.done(
            &session,
            "/console/apps",
            flash(format!("Deleted the app {id}.")),
        ),
        Err(f) => refused(&ctx, f, &back),
    }
}

fn days_field(fields: &Fields) -> Result<Option<i64>, AdminFailure> {
    match fields.get("days") {
        None => Ok(None),
        Some(d) => d.parse().map(Some).map_err(|_| {
            AdminFailure::invalid(format!("days must be between 1 and 3650, not {d}"))
        }),
    }
}

/// `POST /console/apps/{id}/secrets`: the value is shown once.
pub async fn add_secret(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    Path(id): Path<String>,
    fields: Fields,
) -> Response {
    let ctx = Ctx::new(&console, &session, &[], "/console/apps");
    let back = fields.back("/console/apps");
    let days = match days_field(&fields) {
        Ok(d) => d,
        Err(f) => return refused(&ctx, f, &back),
    };
    let body = AddSecret {
        display_name: fields.get("display_name"),
        days,
    };
    match admin::add_secret(State(console.app.clone()), AdminPath(id), AdminJson(body)).await {
        Ok((_, Json(s))) => console.done(
            &session,
            &back,
            Flash {
                text: format!("Added a client secret, valid until {}.", s.end_date_time),
                powershell: None,
                secret: Some(("The secret's value".to_owned(), s.secret_text)),
            },
        ),
        Err(f) => refused(&ctx, f, &back),
    }
}

/// `POST /console/apps/{id}/certificates`: a PEM given, or one generated (its key shown once).
pub async fn add_certificate(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    Path(id): Path<String>,
    fields: Fields,
) -> Response {
    let ctx = Ctx::new(&console, &session, &[], "/console/apps");
    let back = fields.back("/console/apps");
    let days = match days_field(&fields) {
        Ok(d) => d,
        Err(f) => return refused(&ctx, f, &back),
    };
    let pem = fields.get("pem");
    let body = AddCertificate {
        days: if pem.is_some() { None } else { days },
        pem,
    };
    match admin::add_certificate(State(console.app.clone()), AdminPath(id), AdminJson(body)).await {
        Ok((_, Json(c))) => console.done(
            &session,
            &back,
            Flash {
                text: format!(
                    "Added the certificate {} (SHA-1 thumbprint {}).",
                    c.display_name, c.thumbprint
                ),
                powershell: None,
                secret: c
                    .private_pem
                    .map(|p| ("The certificate and its private key (PEM)".to_owned(), p)),
            },
        ),
        Err(f) => refused(&ctx, f, &back),
    }
}

/// `POST /console/apps/{id}/secrets/remove`.
pub async fn remove_secret(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    Path(id): Path<String>,
    fields: Fields,
) -> Response {
    let ctx = Ctx::new(&console, &session, &[], "/console/apps");
    let back = fields.back("/console/apps");
    match admin::remove_secret(
        State(console.app.clone()),
        AdminPath((id, fields.raw("key_id"))),
    )
    .await
    {
        Ok(_) => console.done(&session, &back, flash("Removed the secret.".to_owned())),
        Err(f) => refused(&ctx, f, &back),
    }
}

/// `POST /console/apps/{id}/certificates/remove`.
pub async fn remove_certificate(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    Path(id): Path<String>,
    fields: Fields,
) -> Response {
    let ctx = Ctx::new(&console, &session, &[], "/console/apps");
    let back = fields.back("/console/apps");
    match admin::remove_certificate(
        State(console.app.clone()),
        AdminPath((id, fields.raw("key_id"))),
    )
    .await
    {
        Ok(_) => console.done(
            &session,
            &back,
            flash("Removed the certificate.".to_owned()),
        ),
        Err(f) => refused(&ctx, f, &back),
    }
}

// ---- consent ------------------------------------------------------------------------------

fn roles(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `GET /console/consent?tenant=`: the apps consented in the tenant, with their roles.
pub async fn consent(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    axum::extract::Query(params): Params,
) -> Response {
    let ctx = Ctx::new(&console, &session, &params, "/console/consent");
    let Some(tenant) = ctx.tenant.clone() else {
        return no_tenant(&ctx, Nav::Consent);
    };
    let tid = tenant.id.to_string();
    let sps = console.app.index.service_principals_in(tenant.id);
    let body = html! {
        p.lead { "Admin consent in " strong { (tenant.display_name) } ": the Microsoft Graph application permissions each app holds here." }
        div.table-wrap {
            table #consents {
                caption.sr-only { "Consents" }
                thead { tr { th scope="col" { "App" } th scope="col" { "Roles" } th scope="col" { "Since" } th scope="col" { span.sr-only { "Actions" } } } }
                tbody {
                    @for sp in &sps {
                        tr {
                            th scope="row" { a href=(format!("/console/apps/{}", sp.app_id)) { (console.app.index.app(sp.app_id).map(|a| a.app.display_name.clone()).unwrap_or_else(|| sp.app_id.to_string())) } }
                            td { @for r in &sp.app_roles { span.chip { (r) } " " } }
                            td { (when(sp.created_at)) }
                            td { (ctx.button("/console/consent/revoke", "Revoke all", "danger small", &[("tenant", &tid), ("app_id", &sp.app_id.to_string()), ("roles", &sp.app_roles.join(","))])) }
                        }
                    }
                    @if sps.is_empty() { tr { td colspan="4" { "No app is consented in this tenant." } } }
                }
            }
        }
        section.card {
            h2 { "Grant consent" }
            form method="post" action="/console/consent" {
                (ctx.hidden())
                input type="hidden" name="tenant" value=(tid);
                label for="gc-app" { "Application id" }
                input #gc-app name="app_id" required;
                label for="gc-roles" { "Roles, separated by commas" }
                input #gc-roles name="roles" value="OnlineMeetings.ReadWrite.All";
                button.primary type="submit" { "Grant" }
            }
        }
    };
    html_page(&ctx, "Consent", Nav::Consent, body)
}

/// `POST /console/consent`.
pub async fn grant_consent(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    fields: Fields,
) -> Response {
    let ctx = Ctx::new(
        &console,
        &session,
        &tenant_params(&fields),
        "/console/consent",
    );
    let back = fields.back("/console/consent");
    let body = GrantConsent {
        tenant: fields.raw("tenant"),
        app_id: fields.raw("app_id").trim().to_owned(),
        roles: roles(&fields.raw("roles")),
    };
    match admin::grant_consent(State(console.app.clone()), AdminJson(body)).await {
        Ok(Json(sp)) => console.done(
            &session,
            &back,
            flash(format!(
                "The app {} now holds {}.",
                sp.app_id,
                sp.app_roles.join(", ")
            )),
        ),
        Err(f) => refused(&ctx, f, &back),
    }
}

/// `POST /console/consent/revoke`.
pub async fn revoke_consent(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    fields: Fields,
) -> Response {
    let ctx = Ctx::new(
        &console,
        &session,
        &tenant_params(&fields),
        "/console/consent",
    );
    let back = fields.back("/console/consent");
    let body = RevokeConsent {
        tenant: fields.raw("tenant"),
        app_id: fields.raw("app_id").trim().to_owned(),
        roles: roles(&fields.raw("roles")),
    };
    match admin::revoke_consent(State(console.app.clone()), AdminJson(body)).await {
        Ok(Json(sp)) => console.done(
            &session,
            &back,
            flash(format!("Revoked consent of {}.", sp.app_id)),
        ),
        Err(f) => refused(&ctx, f, &back),
    }
}
