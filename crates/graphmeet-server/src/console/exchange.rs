//! Exchange Online's application access policies (`New-`, `Get-`, `Remove-` and
//! `Test-ApplicationAccessPolicy`): which mailboxes an app's app-only calendar calls may reach.
//! Every change goes through the admin API's handler and shows the Exchange PowerShell line
//! that does the same; a test answers as `Test-ApplicationAccessPolicy` does, beside what a
//! Graph calendar call gets now (after the propagation delay).

use super::layout::{page, Ctx, Nav};
use super::matrix::no_tenant;
use super::policies::ids;
use super::session::{Flash, SessionCtx};
use super::{param, refused, Console, Fields, Params};
use crate::admin::{AdminJson, AdminQuery};
use crate::exchange_admin::{self, PolicyQuery, TestQuery};
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Json};
use graphmeet_wire::admin_exchange::{NewExchangePolicyBody, RemoveExchangePolicyBody};
use graphmeet_wire::cmdlet::{self, Cmdlet, CommonParams};
use maud::html;

/// `GET /console/exchange?tenant=[&app=&user=]`: the policies, the forms, and a test when
/// `app` and `user` are given.
pub async fn page_for(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    axum::extract::Query(params): Params,
) -> Response {
    let ctx = Ctx::new(&console, &session, &params, "/console/exchange");
    let Some(tenant) = ctx.tenant.clone() else {
        return no_tenant(&ctx, Nav::Exchange);
    };
    let tid = tenant.id.to_string();
    let policies = match exchange_admin::get_policies(
        State(console.app.clone()),
        AdminQuery(PolicyQuery {
            tenant: Some(tid.clone()),
            identity: None,
        }),
    )
    .await
    {
        Ok(Json(p)) => p,
        Err(f) => return refused(&ctx, f, "/console/matrix"),
    };
    let (test_app, test_user) = (param(&params, "app"), param(&params, "user"));
    let test = match (&test_app, &test_user) {
        (Some(app), Some(user)) => Some(
            exchange_admin::test_policy(
                State(console.app.clone()),
                AdminQuery(TestQuery {
                    tenant: Some(tid.clone()),
                    user: user.clone(),
                    app_id: app.clone(),
                }),
            )
            .await
            .map(|Json(t)| t),
        ),
        _ => None,
    };
    let body = html! {
        p.lead { "Exchange Online's application access policies of " strong { (tenant.display_name) } ": an app with a RestrictAccess policy reaches only the mailboxes of its scope group's members through app-only calendar calls; DenyAccess keeps it from them. An app with no policy reaches every mailbox. Changes take effect after the propagation delay." }
        div.table-wrap {
            table #exchange-policies {
                caption.sr-only { "Exchange application access policies" }
                thead { tr { th scope="col" { "Identity" } th scope="col" { "App" } th scope="col" { "Access right" } th scope="col" { "Scope" } th scope="col" { "Description" } th scope="col" { span.sr-only { "Actions" } } } }
                tbody {
                    @for p in &policies {
                        tr {
                            th scope="row" { (p.identity) }
                            td { (p.app_id) }
                            td { (p.access_right) }
                            td { (p.scope_name) }
                            td { (p.description) }
                            td {
                                form method="post" action="/console/exchange/remove" {
                                    (ctx.hidden())
                                    input type="hidden" name="tenant" value=(tid);
                                    input type="hidden" name="identity" value=(p.identity);
                                    button.danger type="submit" aria-label=(format!("Remove {}", p.identity)) { "Remove" }
                                }
                            }
                        }
                    }
                    @if policies.is_empty() { tr { td colspan="6" { "No Exchange policy: every app with Calendars permissions reaches every mailbox." } } }
                }
            }
        }
        div.grid {
            section.card {
                h2 { "New policy" }
                form method="post" action="/console/exchange" {
                    (ctx.hidden())
                    input type="hidden" name="tenant" value=(tid);
                    label for="ex-apps" { "App ids (-AppId), separated by commas" }
                    input #ex-apps name="app_ids" required;
                    label for="ex-scope" { "Scope group (-PolicyScopeGroupId): id, name or address" }
                    input #ex-scope name="scope" required;
                    label for="ex-right" { "Access right (-AccessRight)" }
                    select #ex-right name="access_right" {
                        option value="RestrictAccess" { "RestrictAccess" }
                        option value="DenyAccess" { "DenyAccess" }
                    }
                    label for="ex-desc" { "Description" }
                    input #ex-desc name="description";
                    button.primary type="submit" { "Create policy" }
                }
            }
            section.card #test {
                h2 { "Test a mailbox" }
                form method="get" action="/console/exchange" {
                    input type="hidden" name="tenant" value=(tid);
                    label for="t-user" { "Mailbox (-Identity): UPN or object id" }
                    input #t-user name="user" required value=[test_user.as_deref()];
                    label for="t-app" { "App id (-AppId)" }
                    input #t-app name="app" required value=[test_app.as_deref()];
                    button type="submit" { "Test" }
                }
                @match &test {
                    Some(Ok(t)) => {
                        p.ps-label { "In Exchange Online PowerShell:" }
                        pre.ps { code { (cmdlet::to_powershell(&Cmdlet::TestExchangePolicy { identity: test_user.clone().unwrap_or_default(), app_id: t.app_id.clone() })) } }
                        dl.facts #test-result {
                            dt { "AccessCheckResult" } dd { (t.access_check_result) }
                            dt { "Mailbox" } dd { (t.mailbox) }
                            dt { "Why" } dd { (t.reason) }
                            dt { "A Graph calendar call now" } dd { (if t.graph_allowed { "allowed" } else { "denied" }) ": " (t.graph_reason) }
                        }
                    }
                    Some(Err(f)) => { div.notice.error role="alert" { p { (f.message()) } } }
                    None => {}
                }
            }
        }
    };
    Html(page(&ctx, "Exchange policies", Nav::Exchange, body).into_string()).into_response()
}

/// `POST /console/exchange`: New-ApplicationAccessPolicy.
pub async fn create(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    fields: Fields,
) -> Response {
    let params = vec![("tenant".to_owned(), fields.raw("tenant"))];
    let ctx = Ctx::new(&console, &session, &params, "/console/exchange");
    let back = fields.back(&format!("/console/exchange{}", ctx.tq()));
    let app_ids = ids(&fields.raw("app_ids"));
    let scope = fields.get("scope").unwrap_or_default();
    let access_right = fields.get("access_right").unwrap_or_default();
    let description = fields.get("description");
    let body = NewExchangePolicyBody {
        tenant: fields.get("tenant"),
        app_ids: app_ids.clone(),
        scope: scope.clone(),
        access_right: access_right.clone(),
        description: description.clone(),
    };
    console.answer(
        &session,
        &ctx,
        &back,
        exchange_admin::new_policies(State(console.app.clone()), AdminJson(body)).await,
        |_| Flash {
            text: format!("Created the Exchange policy for {}.", app_ids.join(", ")),
            powershell: Some(cmdlet::to_powershell(&Cmdlet::NewExchangePolicy {
                access_right,
                app_ids,
                scope,
                description,
                common: CommonParams::default(),
            })),
            secret: None,
        },
    )
}

/// `POST /console/exchange/remove`: Remove-ApplicationAccessPolicy.
pub async fn remove(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    fields: Fields,
) -> Response {
    let params = vec![("tenant".to_owned(), fields.raw("tenant"))];
    let ctx = Ctx::new(&console, &session, &params, "/console/exchange");
    let back = fields.back(&format!("/console/exchange{}", ctx.tq()));
    let identity = fields.get("identity").unwrap_or_default();
    let body = RemoveExchangePolicyBody {
        tenant: fields.get("tenant"),
        identity: identity.clone(),
    };
    console.answer(
        &session,
        &ctx,
        &back,
        exchange_admin::remove_policy(State(console.app.clone()), AdminJson(body)).await,
        |_| Flash {
            text: format!("Removed the Exchange policy {identity}."),
            powershell: Some(cmdlet::to_powershell(&Cmdlet::RemoveExchangePolicy {
                identity,
                common: CommonParams::default(),
            })),
            secret: None,
        },
    )
}
