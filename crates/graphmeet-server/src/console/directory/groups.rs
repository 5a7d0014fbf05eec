//! The groups pages: the list, one group with its members, create, delete, add and remove
//! members.

use super::{flash, html_page, tenant_params, USERS_PER_PAGE};

use crate::admin::{self, AdminFailure, AdminJson, AdminPath};
use crate::console::layout::{Ctx, Nav};
use crate::console::matrix::no_tenant;
use crate::console::session::SessionCtx;
use crate::console::{enc, param, refused, when, Console, Fields, Params};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::{Extension, Json};
use graphmeet_core::UserRef;
use graphmeet_wire::admin::{CreateGroup, GroupMember};
use maud::html;
use uuid::Uuid;

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
    console.answer(
        &session,
        &ctx,
        &back,
        admin::create_group(State(console.app.clone()), AdminJson(body)).await,
        |(_, Json(g))| flash(format!("Created the group {} ({}).", g.display_name, g.id)),
    )
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
    console.answer(
        &session,
        &ctx,
        &back,
        admin::delete_group(State(console.app.clone()), AdminPath(id.clone())).await,
        |_| flash(format!("Deleted the group {id}.")),
    )
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
    console.answer(
        &session,
        &ctx,
        &back,
        admin::remove_member(State(console.app.clone()), AdminPath((id, user_id.clone()))).await,
        |_| flash(format!("Removed {user_id} from the group.")),
    )
}

// ---- apps and credentials -----------------------------------------------------------------
