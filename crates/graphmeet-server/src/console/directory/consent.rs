//! The consent page of a tenant: which apps hold which Graph roles there; grant and revoke.

use super::{flash, html_page, tenant_params};

use crate::admin::{self, AdminJson};
use crate::console::layout::{Ctx, Nav};
use crate::console::matrix::no_tenant;
use crate::console::session::SessionCtx;
use crate::console::{when, Console, Fields, Params};
use axum::extract::State;
use axum::response::Response;
use axum::{Extension, Json};
use graphmeet_wire::admin::{GrantConsent, RevokeConsent};
use maud::html;

pub(super) fn roles(text: &str) -> Vec<String> {
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
    console.answer(
        &session,
        &ctx,
        &back,
        admin::grant_consent(State(console.app.clone()), AdminJson(body)).await,
        |Json(sp)| {
            flash(format!(
                "The app {} now holds {}.",
                sp.app_id,
                sp.app_roles.join(", ")
            ))
        },
    )
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
    console.answer(
        &session,
        &ctx,
        &back,
        admin::revoke_consent(State(console.app.clone()), AdminJson(body)).await,
        |Json(sp)| flash(format!("Revoked consent of {}.", sp.app_id)),
    )
}
