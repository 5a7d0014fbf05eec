//! The page frame: header, navigation, tenant picker, the once-shown outcome of the last
//! action, and forms that carry the session's CSRF token.

use super::session::{Flash, SessionCtx};
use super::{enc, Console};
use graphmeet_core::Tenant;
use maud::{html, Markup, DOCTYPE};
use std::sync::Arc;

/// Which navigation entry a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    /// The access matrix.
    Matrix,
    /// Policies and grants.
    Policies,
    /// Tenants.
    Tenants,
    /// Users.
    Users,
    /// Groups.
    Groups,
    /// Apps and credentials.
    Apps,
    /// Consent.
    Consent,
    /// Meetings.
    Meetings,
    /// The audit log.
    Audit,
    /// None (an error page).
    None,
}

const ENTRIES: &[(Nav, &str, &str, bool)] = &[
    (Nav::Matrix, "Access matrix", "/console/matrix", true),
    (Nav::Policies, "Policies", "/console/policies", true),
    (Nav::Users, "Users", "/console/users", true),
    (Nav::Groups, "Groups", "/console/groups", true),
    (Nav::Apps, "Apps", "/console/apps", false),
    (Nav::Consent, "Consent", "/console/consent", true),
    (Nav::Meetings, "Meetings", "/console/meetings", true),
    (Nav::Audit, "Audit log", "/console/audit", false),
    (Nav::Tenants, "Tenants", "/console/tenants", false),
];

/// What every signed-in page needs.
pub struct Ctx {
    /// The session's CSRF token.
    pub csrf: String,
    /// Every tenant, for the picker.
    pub tenants: Vec<Arc<Tenant>>,
    /// The tenant the page is about.
    pub tenant: Option<Arc<Tenant>>,
    /// The outcome of the last action, shown once.
    pub flash: Option<Flash>,
    /// This page's path and query, for forms that come back here.
    pub here: String,
    /// The page path (no query), for the tenant picker.
    pub path: String,
}

impl Ctx {
    /// The context of a signed-in page; takes the session's flash.
    pub fn new(
        console: &Console,
        session: &SessionCtx,
        params: &[(String, String)],
        path: &str,
    ) -> Self {
        let query: String = params
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        Self {
            csrf: session.csrf.clone(),
            tenants: console.app.index.tenants(),
            tenant: console.tenant(params),
            flash: console.sessions.take_flash(&session.key),
            here: if query.is_empty() {
                path.to_owned()
            } else {
                format!("{path}?{query}")
            },
            path: path.to_owned(),
        }
    }

    /// `?tenant=ID` for links that stay in this tenant.
    pub fn tq(&self) -> String {
        self.tenant
            .as_ref()
            .map(|t| format!("?tenant={}", t.id))
            .unwrap_or_default()
    }

    /// The hidden fields every form posts: the CSRF token and where to come back to.
    pub fn hidden(&self) -> Markup {
        html! {
            input type="hidden" name="csrf" value=(self.csrf);
            input type="hidden" name="back" value=(self.here);
        }
    }

    /// A one-button form (delete, revoke) posting `fields` to `action`.
    pub fn button(
        &self,
        action: &str,
        label: &str,
        class: &str,
        fields: &[(&str, &str)],
    ) -> Markup {
        html! {
            form.inline method="post" action=(action) {
                (self.hidden())
                @for (k, v) in fields {
                    input type="hidden" name=(k) value=(v);
                }
                button type="submit" class=(class) { (label) }
            }
        }
    }
}

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · graphmeet console" }
            link rel="stylesheet" href="/console/static/console.css";
            script src="/console/static/console.js" defer {}
        }
    }
}

/// A page outside a session (sign-in, refusals).
pub fn bare(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body.bare { (body) }
        }
    }
}

/// A signed-in page.
pub fn page(ctx: &Ctx, title: &str, active: Nav, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    a.brand href="/console/matrix" {
                        span.brand-mark aria-hidden="true" { "gm" }
                        span { "graphmeet " span.muted { "console" } }
                    }
                    @if !ctx.tenants.is_empty() && active != Nav::None {
                        form.tenant-picker method="get" action=(ctx.path) {
                            label for="tenant-picker" { "Tenant" }
                            select #tenant-picker name="tenant" data-autosubmit {
                                @for t in &ctx.tenants {
                                    option value=(t.id) selected[ctx.tenant.as_ref().is_some_and(|c| c.id == t.id)] {
                                        (t.display_name) " (" (t.domains.first().map(String::as_str).unwrap_or_default()) ")"
                                    }
                                }
                            }
                            button.small type="submit" { "Switch" }
                        }
                    }
                    form.signout method="post" action="/console/signout" {
                        input type="hidden" name="csrf" value=(ctx.csrf);
                        button.small.ghost type="submit" { "Sign out" }
                    }
                }
                nav.main aria-label="Console" {
                    ul {
                        @for (nav, label, href, per_tenant) in ENTRIES {
                            @let href = if *per_tenant { format!("{href}{}", ctx.tq()) } else { (*href).to_owned() };
                            li {
                                @if *nav == active {
                                    a href=(href) aria-current="page" { (label) }
                                } @else {
                                    a href=(href) { (label) }
                                }
                            }
                        }
                    }
                }
                main #main {
                    h1 { (title) }
                    @if let Some(flash) = &ctx.flash {
                        div.notice.ok role="status" {
                            p { (flash.text) }
                            @if let Some(ps) = &flash.powershell {
                                p.ps-label { "The same change in Teams PowerShell:" }
                                pre.ps { code { (ps) } }
                            }
                            @if let Some((label, value)) = &flash.secret {
                                p.ps-label { (label) " — copy it now, it is not shown again:" }
                                pre.secret { code { (value) } }
                            }
                        }
                    }
                    (body)
                }
                footer.bottom {
                    p.muted { "graphmeet " (env!("CARGO_PKG_VERSION")) " · decisions come from the same access service Graph calls use" }
                }
            }
        }
    }
}

/// A badge: a word with a colour, never the colour alone.
pub fn badge(kind: &str, text: &str) -> Markup {
    html! { span class=(format!("badge {kind}")) { (text) } }
}
