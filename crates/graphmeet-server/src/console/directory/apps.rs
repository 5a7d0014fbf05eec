//! The apps pages: the list, one app with its credentials (expiry shown, warned within 30
//! days), create, delete, public client, secrets and certificates.

use super::{flash, html_page, tenant_params, yes_no, EXPIRY_WARNING};

use crate::admin::{self, AdminFailure, AdminJson, AdminPath};
use crate::console::layout::{badge, Ctx, Nav};
use crate::console::session::{Flash, SessionCtx};
use crate::console::{enc, refused, when, Console, Fields, Params};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::{Extension, Json};
use graphmeet_wire::admin::{AddCertificate, AddSecret, CreateApp};
use maud::{html, Markup};
use uuid::Uuid;

pub(super) fn expiry(
    now: chrono::DateTime<chrono::Utc>,
    end: chrono::DateTime<chrono::Utc>,
) -> Markup {
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
    console.answer(
        &session,
        &ctx,
        &back,
        admin::update_app(State(console.app.clone()), AdminPath(id), AdminJson(body)).await,
        |Json(a)| {
            flash(format!(
                "Public client flows are {} for {}.",
                if a.allow_public_client { "on" } else { "off" },
                a.display_name
            ))
        },
    )
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

pub(super) fn days_field(fields: &Fields) -> Result<Option<i64>, AdminFailure> {
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
    console.answer(
        &session,
        &ctx,
        &back,
        admin::add_secret(State(console.app.clone()), AdminPath(id), AdminJson(body)).await,
        |(_, Json(s))| Flash {
            text: format!("Added a client secret, valid until {}.", s.end_date_time),
            powershell: None,
            secret: Some(("The secret's value".to_owned(), s.secret_text)),
        },
    )
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
    console.answer(
        &session,
        &ctx,
        &back,
        admin::add_certificate(State(console.app.clone()), AdminPath(id), AdminJson(body)).await,
        |(_, Json(c))| Flash {
            text: format!(
                "Added the certificate {} (SHA-1 thumbprint {}).",
                c.display_name, c.thumbprint
            ),
            powershell: None,
            secret: c
                .private_pem
                .map(|p| ("The certificate and its private key (PEM)".to_owned(), p)),
        },
    )
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
    console.answer(
        &session,
        &ctx,
        &back,
        admin::remove_secret(
            State(console.app.clone()),
            AdminPath((id, fields.raw("key_id"))),
        )
        .await,
        |_| flash("Removed the secret.".to_owned()),
    )
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
    console.answer(
        &session,
        &ctx,
        &back,
        admin::remove_certificate(
            State(console.app.clone()),
            AdminPath((id, fields.raw("key_id"))),
        )
        .await,
        |_| flash("Removed the certificate.".to_owned()),
    )
}

// ---- consent ------------------------------------------------------------------------------
