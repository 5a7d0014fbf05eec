//! Teams application access policies: the list, one policy, grants (to a user, a group with
//! its rank, or the whole tenant) and revocations, and the cmdlet runner. Every change goes
//! through the admin API's handler and shows the Teams PowerShell line that does the same.

use super::layout::{page, Ctx, Nav};
use super::matrix::no_tenant;
use super::session::{Flash, SessionCtx};
use super::{enc, param, refused, when, Console, Fields, Params};
use crate::admin;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Json};
use graphmeet_core::GrantTarget;
use graphmeet_wire::admin::{GrantPolicy, NewPolicy, RunScript, SetPolicy};
use graphmeet_wire::cmdlet::{self, Cmdlet, CommonParams};
use maud::html;
use std::collections::HashMap;
use uuid::Uuid;

/// How many grants one page lists.
const GRANTS_PER_PAGE: usize = 50;

/// Ids written in one field, separated by commas or spaces.
pub(super) fn ids(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `GET /console/policies?tenant=`.
pub async fn list(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    axum::extract::Query(params): Params,
) -> Response {
    let ctx = Ctx::new(&console, &session, &params, "/console/policies");
    let Some(tenant) = ctx.tenant.clone() else {
        return no_tenant(&ctx, Nav::Policies);
    };
    let tid = tenant.id.to_string();
    let dir = &console.app.directory;
    let policies = dir.policies(&tid).await.unwrap_or_default();
    // The grants in force from the index (a tenant can have one per user); only the groups of
    // the grants shown are read.
    let grants = console.app.index.live_grants_in(tenant.id);
    let offset: usize = param(&params, "from")
        .and_then(|f| f.parse().ok())
        .unwrap_or(0);
    let mut groups: HashMap<Uuid, String> = HashMap::new();
    for g in grants.iter().skip(offset).take(GRANTS_PER_PAGE) {
        if let GrantTarget::Group { id, .. } = g.target {
            if let Ok(group) = dir.group(id).await {
                groups.insert(id, group.display_name);
            }
        }
    }
    let app_name = |id: &Uuid| {
        console
            .app
            .index
            .app(*id)
            .map(|a| a.app.display_name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let body = html! {
        p.lead { "Teams application access policies of " strong { (tenant.display_name) } ": which apps a policy lets act for the users it is granted to. A per-user grant wins over group grants (lowest rank first), which win over the global one." }
        div.table-wrap {
            table #policies {
                caption.sr-only { "Policies" }
                thead { tr { th scope="col" { "Policy" } th scope="col" { "Apps" } th scope="col" { "Description" } th scope="col" { "Grants" } } }
                tbody {
                    @for p in &policies {
                        tr {
                            th scope="row" { a href=(format!("/console/policies/{}{}", enc(&p.name), ctx.tq())) { (p.name) } }
                            td { @for a in p.current_app_ids() { span.chip { (app_name(&a)) } " " } }
                            td { (p.description) }
                            td { (grants.iter().filter(|g| g.policy_id == p.id).count()) }
                        }
                    }
                    @if policies.is_empty() { tr { td colspan="4" { "No policy yet." } } }
                }
            }
        }
        div.grid {
            section.card {
                h2 { "New policy" }
                form method="post" action="/console/policies" {
                    (ctx.hidden())
                    input type="hidden" name="tenant" value=(tenant.id);
                    label for="np-identity" { "Name (-Identity)" }
                    input #np-identity name="identity" required;
                    label for="np-apps" { "App ids (-AppIds), separated by commas" }
                    input #np-apps name="app_ids";
                    label for="np-desc" { "Description" }
                    input #np-desc name="description";
                    button.primary type="submit" { "Create policy" }
                }
            }
            section.card #grant {
                h2 { "Grant or revoke" }
                form method="post" action="/console/policies/grant" {
                    (ctx.hidden())
                    input type="hidden" name="tenant" value=(tenant.id);
                    label for="g-policy" { "Policy (-PolicyName)" }
                    select #g-policy name="policy_name" {
                        @for p in &policies { option value=(p.name) { (p.name) } }
                        option value="" { "$null — revoke" }
                    }
                    fieldset {
                        legend { "To" }
                        div.radio { input #g-kind-user type="radio" name="kind" value="user" checked; label for="g-kind-user" { "a user" } }
                        div.radio { input #g-kind-group type="radio" name="kind" value="group"; label for="g-kind-group" { "a group" } }
                        div.radio { input #g-kind-global type="radio" name="kind" value="global"; label for="g-kind-global" { "the whole tenant (-Global)" } }
                    }
                    label for="g-user" { "User (UPN or object id), for a user" }
                    input #g-user name="user";
                    label for="g-group" { "Group object id, for a group" }
                    input #g-group name="group";
                    label for="g-rank" { "Rank, for a group (default 1)" }
                    input #g-rank name="rank" inputmode="numeric";
                    button.primary type="submit" { "Apply" }
                }
            }
        }
        h2 #grants { "Grants in force" }
        div.table-wrap {
            table {
                caption.sr-only { "Grants" }
                thead { tr { th scope="col" { "Granted to" } th scope="col" { "Policy" } th scope="col" { "Granted at" } th scope="col" { span.sr-only { "Actions" } } } }
                tbody {
                    @for g in grants.iter().skip(offset).take(GRANTS_PER_PAGE) {
                        @let (kind, id, label) = match g.target {
                            GrantTarget::User(u) => ("user", u.to_string(), console.app.index.user(u).map(|u| u.upn.clone()).unwrap_or_else(|| u.to_string())),
                            GrantTarget::Group { id, rank } => ("group", id.to_string(), format!("group {} (rank {rank})", groups.get(&id).cloned().unwrap_or_else(|| id.to_string()))),
                            GrantTarget::Global => ("global", String::new(), "everyone (global)".to_owned()),
                        };
                        tr id=(format!("grant-{kind}-{id}")) {
                            td { (label) }
                            td { a href=(format!("/console/policies/{}{}", enc(&g.policy_name), ctx.tq())) { (g.policy_name) } }
                            td { (when(g.granted_at)) }
                            td {
                                (ctx.button("/console/policies/grant", "Revoke", "danger small", &[
                                    ("tenant", &tenant.id.to_string()), ("kind", kind),
                                    (if kind == "group" { "group" } else { "user" }, &id),
                                ]))
                            }
                        }
                    }
                    @if grants.is_empty() { tr { td colspan="4" { "Nothing is granted." } } }
                }
            }
        }
        nav.pager aria-label="Grant pages" {
            @if offset > 0 { a href=(format!("/console/policies{}&from={}#grants", ctx.tq(), offset.saturating_sub(GRANTS_PER_PAGE))) { "← Previous" } }
            @if offset + GRANTS_PER_PAGE < grants.len() { a href=(format!("/console/policies{}&from={}#grants", ctx.tq(), offset + GRANTS_PER_PAGE)) { "Next →" } }
            span.muted { (grants.len()) " grants" }
        }
        p { a href=(format!("/console/cs{}", ctx.tq())) { "Run Teams PowerShell cmdlets →" } }
    };
    Html(page(&ctx, "Policies", Nav::Policies, body).into_string()).into_response()
}

/// `POST /console/policies`: New-CsApplicationAccessPolicy.
pub async fn create(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    fields: Fields,
) -> Response {
    let params = vec![("tenant".to_owned(), fields.raw("tenant"))];
    let ctx = Ctx::new(&console, &session, &params, "/console/policies");
    let back = fields.back("/console/policies");
    let identity = fields.get("identity").unwrap_or_default();
    let app_ids = ids(&fields.raw("app_ids"));
    let description = fields.get("description");
    let body = NewPolicy {
        tenant: fields.get("tenant"),
        identity: identity.clone(),
        app_ids: app_ids.clone(),
        description: description.clone(),
    };
    console.answer(
        &session,
        &ctx,
        &back,
        admin::new_policy(State(console.app.clone()), admin::AdminJson(body)).await,
        |(_, Json(p))| Flash {
            text: format!("Created the policy {}.", p.name),
            powershell: Some(cmdlet::to_powershell(&Cmdlet::NewPolicy {
                identity,
                app_ids,
                description,
                common: CommonParams::default(),
            })),
            secret: None,
        },
    )
}

/// `POST /console/policies/grant`: Grant-CsApplicationAccessPolicy (a policy, or `$null` to
/// revoke) to a user, a group with a rank, or the whole tenant.
pub async fn grant(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    fields: Fields,
) -> Response {
    let params = vec![("tenant".to_owned(), fields.raw("tenant"))];
    let ctx = Ctx::new(&console, &session, &params, "/console/policies");
    let back = fields.back("/console/policies");
    let kind = fields.get("kind").unwrap_or_else(|| "user".to_owned());
    let policy_name = fields.get("policy_name");
    let rank = fields.get("rank");
    let rank_value = match rank.as_deref().map(str::parse::<i64>) {
        Some(Ok(r)) => Some(r),
        Some(Err(_)) => {
            return refused(
                &ctx,
                admin::AdminFailure::invalid(format!(
                    "rank must be a whole number, not '{}'",
                    rank.unwrap_or_default()
                )),
                &back,
            )
        }
        None => None,
    };
    let (user, group, global) = match kind.as_str() {
        "group" => (None, fields.get("group"), false),
        "global" => (None, None, true),
        _ => (fields.get("user"), None, false),
    };
    let target = match (&user, &group, global) {
        (Some(u), _, _) => cmdlet::GrantTarget::User(u.clone()),
        (_, Some(g), _) => cmdlet::GrantTarget::Group {
            group: g.clone(),
            rank: rank_value,
        },
        _ => cmdlet::GrantTarget::Global,
    };
    let body = GrantPolicy {
        tenant: fields.get("tenant"),
        policy_name: policy_name.clone(),
        user,
        group,
        rank: if kind == "group" { rank_value } else { None },
        global,
    };
    match admin::grant_policy(State(console.app.clone()), admin::AdminJson(body)).await {
        Ok(Json(view)) => {
            let text = match &view.policy_name {
                Some(p) => format!("Granted the policy {p}."),
                None => "Revoked the grant.".to_owned(),
            };
            console.done(
                &session,
                &back,
                Flash {
                    text,
                    powershell: Some(cmdlet::to_powershell(&Cmdlet::GrantPolicy {
                        target,
                        policy_name,
                        pass_thru: false,
                        common: CommonParams::default(),
                    })),
                    secret: None,
                },
            )
        }
        Err(f) => refused(&ctx, f, &back),
    }
}

/// `GET /console/policies/{name}?tenant=`.
pub async fn show(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    Path(name): Path<String>,
    axum::extract::Query(params): Params,
) -> Response {
    let path = format!("/console/policies/{}", enc(&name));
    let ctx = Ctx::new(&console, &session, &params, &path);
    let Some(tenant) = ctx.tenant.clone() else {
        return no_tenant(&ctx, Nav::Policies);
    };
    let policy = match console
        .app
        .directory
        .policy(&tenant.id.to_string(), cmdlet::strip_tag(&name))
        .await
    {
        Ok(p) => p,
        Err(e) => {
            return refused(
                &ctx,
                admin::AdminFailure::from(e),
                &format!("/console/policies{}", ctx.tq()),
            )
        }
    };
    let grants: Vec<_> = console
        .app
        .index
        .live_grants_in(tenant.id)
        .into_iter()
        .filter(|g| g.policy_id == policy.id)
        .collect();
    let tid = tenant.id.to_string();
    let body = html! {
        dl.facts {
            dt { "Identity" } dd { code { "Tag:" (policy.name) } }
            dt { "Description" } dd { (policy.description) }
            dt { "Created" } dd { (when(policy.created_at)) }
            dt { "Grants" } dd { (grants.len()) " in force — " a href=(format!("/console/policies{}#grants", ctx.tq())) { "see them" } }
        }
        h2 { "Apps" }
        ul.plain {
            @for a in policy.current_app_ids() {
                li {
                    a href=(format!("/console/apps/{a}")) {
                        (console.app.index.app(a).map(|e| e.app.display_name.clone()).unwrap_or_else(|| a.to_string()))
                    }
                    " " code.small { (a) } " "
                    (ctx.button(&path, "Remove from policy", "danger small", &[("tenant", &tid), ("remove_app_ids", &a.to_string())]))
                }
            }
            @if policy.current_app_ids().is_empty() { li { "No app: a grant of this policy denies every app." } }
        }
        div.grid {
            section.card {
                h2 { "Change (Set-CsApplicationAccessPolicy)" }
                form method="post" action=(path) {
                    (ctx.hidden())
                    input type="hidden" name="tenant" value=(tid);
                    label for="sp-add" { "Add app ids" }
                    input #sp-add name="add_app_ids";
                    label for="sp-replace" { "Or replace the list with" }
                    input #sp-replace name="replace_app_ids";
                    label for="sp-desc" { "Description" }
                    input #sp-desc name="description" value=(policy.description);
                    button.primary type="submit" { "Save" }
                }
            }
            section.card {
                h2 { "Remove" }
                p { "Remove-CsApplicationAccessPolicy: the policy must not be granted to anyone." }
                (ctx.button(&format!("{path}/remove"), "Remove policy", "danger", &[("tenant", &tid), ("back", &format!("/console/policies?tenant={tid}"))]))
            }
        }
    };
    Html(
        page(
            &ctx,
            &format!("Policy {}", policy.name),
            Nav::Policies,
            body,
        )
        .into_string(),
    )
    .into_response()
}

/// `POST /console/policies/{name}`: Set-CsApplicationAccessPolicy.
pub async fn update(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    Path(name): Path<String>,
    fields: Fields,
) -> Response {
    let params = vec![("tenant".to_owned(), fields.raw("tenant"))];
    let ctx = Ctx::new(&console, &session, &params, "/console/policies");
    let back = fields.back("/console/policies");
    let add = fields.get("add_app_ids").map(|t| ids(&t));
    let remove = fields.get("remove_app_ids").map(|t| ids(&t));
    let replace = fields.get("replace_app_ids").map(|t| ids(&t));
    // The form always posts the description; it is a change only when it differs.
    let current = console
        .app
        .directory
        .policy(&fields.raw("tenant"), cmdlet::strip_tag(&name))
        .await
        .map(|p| p.description)
        .ok();
    let description = match fields.0.iter().find(|(k, _)| k == "description") {
        Some((_, d)) if current.as_deref() != Some(d.trim()) => Some(d.trim().to_owned()),
        _ => None,
    };
    let apps = match (&add, &remove, &replace) {
        (Some(a), None, None) => Some(cmdlet::AppIdsChange::Add(a.clone())),
        (None, Some(r), None) => Some(cmdlet::AppIdsChange::Remove(r.clone())),
        (None, None, Some(r)) => Some(cmdlet::AppIdsChange::Replace(r.clone())),
        _ => None,
    };
    let body = SetPolicy {
        tenant: fields.get("tenant"),
        add_app_ids: add,
        remove_app_ids: remove,
        replace_app_ids: replace,
        description: description.clone(),
    };
    console.answer(
        &session,
        &ctx,
        &back,
        admin::set_policy(
            State(console.app.clone()),
            admin::AdminPath(name.clone()),
            admin::AdminJson(body),
        )
        .await,
        |Json(p)| Flash {
            text: format!("Changed the policy {}.", p.name),
            powershell: Some(cmdlet::to_powershell(&Cmdlet::SetPolicy {
                identity: p.name,
                apps,
                description,
                common: CommonParams::default(),
            })),
            secret: None,
        },
    )
}

/// `POST /console/policies/{name}/remove`: Remove-CsApplicationAccessPolicy.
pub async fn remove(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    Path(name): Path<String>,
    fields: Fields,
) -> Response {
    let params = vec![("tenant".to_owned(), fields.raw("tenant"))];
    let ctx = Ctx::new(&console, &session, &params, "/console/policies");
    let back = fields.back("/console/policies");
    let query = admin::TenantQuery {
        tenant: fields.get("tenant"),
        identity: None,
    };
    console.answer(
        &session,
        &ctx,
        &back,
        admin::remove_policy(
            State(console.app.clone()),
            admin::AdminPath(name.clone()),
            admin::AdminQuery(query),
        )
        .await,
        |_| Flash {
            text: format!("Removed the policy {}.", cmdlet::strip_tag(&name)),
            powershell: Some(cmdlet::to_powershell(&Cmdlet::RemovePolicy {
                identity: cmdlet::strip_tag(&name).to_owned(),
                common: CommonParams::default(),
            })),
            secret: None,
        },
    )
}

fn cs_page(ctx: &Ctx, script: &str, output: Option<Result<String, String>>) -> Response {
    let tenant = ctx
        .tenant
        .as_ref()
        .map(|t| t.id.to_string())
        .unwrap_or_default();
    let failed = matches!(output, Some(Err(_)));
    let body = html! {
        p.lead { "Teams PowerShell, as copied from Microsoft's docs: New-, Set-, Get-, Remove- and Grant-CsApplicationAccessPolicy, and Get-CsOnlineUser, run against this tenant one statement after the other, stopping at the first that fails." }
        form method="post" action="/console/cs" {
            (ctx.hidden())
            input type="hidden" name="tenant" value=(tenant);
            label for="script" { "Script" }
            textarea #script name="script" rows="8" spellcheck="false" required { (script) }
            button.primary type="submit" { "Run" }
        }
        @match output {
            Some(Ok(out)) => { h2 { "Output" } pre.ps #cs-output { code { @if out.is_empty() { "(no output)" } @else { (out) } } } }
            Some(Err(e)) => { div.notice.error role="alert" { p { (e) } } }
            None => {}
        }
    };
    let mut r =
        Html(page(ctx, "Teams PowerShell", Nav::Policies, body).into_string()).into_response();
    if failed {
        *r.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    r
}

/// `GET /console/cs?tenant=`: the cmdlet runner's text box.
pub async fn cs_form(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    axum::extract::Query(params): Params,
) -> Response {
    let ctx = Ctx::new(&console, &session, &params, "/console/cs");
    cs_page(&ctx, "Get-CsApplicationAccessPolicy", None)
}

/// `POST /console/cs`: runs the script through the admin API's cmdlet runner.
pub async fn run_cs(
    State(console): State<Console>,
    Extension(session): Extension<SessionCtx>,
    fields: Fields,
) -> Response {
    let params = vec![("tenant".to_owned(), fields.raw("tenant"))];
    let ctx = Ctx::new(&console, &session, &params, "/console/cs");
    let script = fields.raw("script");
    let body = RunScript {
        tenant: fields.get("tenant"),
        script: script.clone(),
    };
    let outcome =
        match crate::cs::run_script(State(console.app.clone()), admin::AdminJson(body)).await {
            Ok(Json(out)) => Ok(out.output),
            Err(f) => Err(f.message().to_owned()),
        };
    cs_page(&ctx, &script, Some(outcome))
}
