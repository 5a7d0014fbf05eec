//! Directory pages: tenants, users (account state and licences), groups and members, apps
//! with their credentials (expiry shown, warned within 30 days), and consent per tenant.
//! Creating, editing and deleting go through the admin API's handlers, so the validation and
//! the messages are the API's.
//!
//! This file owns the tenants page and the helpers the pages share; `users`, `groups`, `apps`
//! (with credentials) and `consent` each have their own.

mod apps;
mod consent;
mod groups;
mod users;

use super::layout::{badge, page, Ctx, Nav};
use super::session::{Flash, SessionCtx};
use super::{when, Console, Fields, Params};
use crate::admin::{self, AdminJson, AdminPath};
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Json};
use chrono::Duration;
use graphmeet_wire::admin::CreateTenant;
use maud::{html, Markup};

pub use apps::{
    add_certificate, add_secret, app, apps, create_app, delete_app, remove_certificate,
    remove_secret, set_public_client,
};
pub use consent::{consent, grant_consent, revoke_consent};
pub use groups::{add_member, create_group, delete_group, group, groups, remove_member};
pub use users::{create_user, delete_user, update_user, user, users};

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
    console.answer(
        &session,
        &ctx,
        &back,
        admin::create_tenant(State(console.app.clone()), AdminJson(body)).await,
        |(_, Json(t))| {
            flash(format!(
                "Created the tenant {} ({}).",
                t.display_name,
                t.domains.join(", ")
            ))
        },
    )
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
    console.answer(
        &session,
        &ctx,
        &back,
        admin::delete_tenant(State(console.app.clone()), AdminPath(tenant.clone())).await,
        |_| flash(format!("Deleted the tenant {tenant}.")),
    )
}

// ---- users --------------------------------------------------------------------------------
