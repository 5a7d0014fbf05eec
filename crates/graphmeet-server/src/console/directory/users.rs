//! The users pages: the paged list, one user's account state and licences, create, update and
//! delete.

use super::{flash, html_page, opt_bool, tenant_params, yes_no, USERS_PER_PAGE};

use crate::admin::{self, AdminFailure, AdminJson, AdminPath};
use crate::console::layout::{badge, Ctx, Nav};
use crate::console::matrix::no_tenant;
use crate::console::session::SessionCtx;
use crate::console::{enc, param, refused, when, Console, Fields, Params};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::{Extension, Json};
use graphmeet_core::matrix::Search;
use graphmeet_core::UserRef;
use graphmeet_wire::admin::{CreateUser, UpdateUser};
use maud::{html, Markup};
use uuid::Uuid;

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
pub(super) fn account_fields(current: Option<&graphmeet_core::User>) -> Markup {
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
    console.answer(
        &session,
        &ctx,
        &back,
        admin::create_user(State(console.app.clone()), AdminJson(body)).await,
        |(_, Json(u))| flash(format!("Created the user {}.", u.upn)),
    )
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
    console.answer(
        &session,
        &ctx,
        &back,
        admin::update_user(State(console.app.clone()), AdminPath(id), AdminJson(body)).await,
        |Json(u)| flash(format!("Saved the user {}.", u.upn)),
    )
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
    console.answer(
        &session,
        &ctx,
        &back,
        admin::delete_user(State(console.app.clone()), AdminPath(id.clone())).await,
        |_| flash(format!("Deleted the user {id}.")),
    )
}

// ---- groups -------------------------------------------------------------------------------
