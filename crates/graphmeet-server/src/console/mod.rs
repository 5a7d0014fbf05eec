//! The admin console at `/console`: server-rendered pages over the same core services the
//! admin API calls — the access matrix ([`graphmeet_core::matrix`], decided by
//! [`graphmeet_core::access::Access`]), the directory, policies and grants, meetings and the
//! audit log.
//!
//! Sign-in takes the admin key in a form and starts a session ([`session`]): an `HttpOnly`,
//! `SameSite=Strict` cookie (`Secure` over https) that ends on sign-out or after 30 minutes
//! without a request. Every page but the sign-in form and the static assets needs it, and
//! every form posts its session's CSRF token, checked here before any handler runs. Changes go
//! through the admin API's own handlers, so validation and messages are the API's; each is
//! written to the audit log as the admin API's are.
//!
//! Every action is a plain form; `console.js` only adds the audit log's live tail and
//! submit-on-change for the tenant picker.

mod audit;
mod directory;
mod exchange;
mod layout;
mod matrix;
mod meetings;
mod policies;
pub mod session;

use crate::admin::AdminFailure;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, SecondsFormat, Utc};
use graphmeet_core::Tenant;
use maud::{html, Markup};
use session::{Flash, SessionCtx, Sessions};
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "graphmeet_console";
/// The cookie that ties the sign-in form to the browser that fetched it (its CSRF token).
pub const SIGNIN_COOKIE: &str = "graphmeet_console_signin";
/// The largest form body read.
const FORM_LIMIT: usize = 1024 * 1024;

/// What the console's handlers share: the application state and the sessions.
#[derive(Clone)]
pub struct Console {
    app: AppState,
    sessions: Arc<Sessions>,
}

/// The console's routes; merged into the application by `lib.rs`.
pub fn router(state: AppState) -> Router<AppState> {
    let console = Console {
        sessions: Arc::new(Sessions::new(state.clock.clone())),
        app: state,
    };
    let signed_in = Router::new()
        .route("/console", get(home))
        .route("/console/", get(home))
        .route("/console/matrix", get(matrix::page))
        .route("/console/explain", get(matrix::explain))
        .route(
            "/console/tenants",
            get(directory::tenants).post(directory::create_tenant),
        )
        .route("/console/tenants/delete", post(directory::delete_tenant))
        .route(
            "/console/users",
            get(directory::users).post(directory::create_user),
        )
        .route(
            "/console/users/{id}",
            get(directory::user).post(directory::update_user),
        )
        .route("/console/users/{id}/delete", post(directory::delete_user))
        .route(
            "/console/groups",
            get(directory::groups).post(directory::create_group),
        )
        .route("/console/groups/{id}", get(directory::group))
        .route("/console/groups/{id}/delete", post(directory::delete_group))
        .route("/console/groups/{id}/members", post(directory::add_member))
        .route(
            "/console/groups/{id}/members/remove",
            post(directory::remove_member),
        )
        .route(
            "/console/apps",
            get(directory::apps).post(directory::create_app),
        )
        .route("/console/apps/{id}", get(directory::app))
        .route(
            "/console/apps/{id}/public-client",
            post(directory::set_public_client),
        )
        .route("/console/apps/{id}/delete", post(directory::delete_app))
        .route("/console/apps/{id}/secrets", post(directory::add_secret))
        .route(
            "/console/apps/{id}/secrets/remove",
            post(directory::remove_secret),
        )
        .route(
            "/console/apps/{id}/certificates",
            post(directory::add_certificate),
        )
        .route(
            "/console/apps/{id}/certificates/remove",
            post(directory::remove_certificate),
        )
        .route(
            "/console/consent",
            get(directory::consent).post(directory::grant_consent),
        )
        .route("/console/consent/revoke", post(directory::revoke_consent))
        .route(
            "/console/policies",
            get(policies::list).post(policies::create),
        )
        .route("/console/policies/grant", post(policies::grant))
        .route(
            "/console/policies/{name}",
            get(policies::show).post(policies::update),
        )
        .route("/console/policies/{name}/remove", post(policies::remove))
        .route("/console/cs", get(policies::cs_form).post(policies::run_cs))
        .route(
            "/console/exchange",
            get(exchange::page_for).post(exchange::create),
        )
        .route("/console/exchange/remove", post(exchange::remove))
        .route("/console/meetings", get(meetings::page))
        .route("/console/meetings/{id}", get(meetings::show))
        .route("/console/audit", get(audit::page))
        .route("/console/audit/tail", get(audit::tail))
        .route("/console/signout", post(sign_out))
        .route_layer(axum::middleware::from_fn_with_state(
            console.clone(),
            require_session,
        ));
    Router::new()
        .route("/console/signin", get(sign_in_form).post(sign_in))
        .route("/console/static/console.css", get(stylesheet))
        .route("/console/static/console.js", get(script))
        .merge(signed_in)
        .layer(axum::middleware::from_fn(security_headers))
        .with_state(console)
}

async fn home() -> Response {
    see_other("/console/matrix")
}

/// A `303 See Other` to a console path.
fn see_other(location: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// Headers every console answer carries: nothing cached, no framing, scripts and styles from
/// this server only.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        include_str!("console.css"),
    )
        .into_response()
}

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        include_str!("console.js"),
    )
        .into_response()
}

/// A cookie's value from the request's `Cookie` headers.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

impl Console {
    /// `Set-Cookie` for a console cookie: HttpOnly, SameSite=Strict, path `/console`, Secure
    /// when served over https; `max_age` 0 deletes it.
    fn set_cookie(&self, name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
        let secure = if self.app.scheme == "https" {
            "; Secure"
        } else {
            ""
        };
        let age = max_age
            .map(|a| format!("; Max-Age={a}"))
            .unwrap_or_default();
        HeaderValue::from_str(&format!(
            "{name}={value}; Path=/console; HttpOnly; SameSite=Strict{secure}{age}"
        ))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    /// Records a console change or sign-in in the audit log, as the admin API records its own.
    fn audit(&self, operation: String, decision: graphmeet_core::AuditDecision, reason: String) {
        self.app.audit.record(graphmeet_core::AuditEntry {
            at: self.app.clock.now(),
            request_id: uuid::Uuid::new_v4().to_string(),
            tenant_id: None,
            app_id: None,
            user_id: None,
            operation,
            decision,
            reason,
        });
    }
}

/// Lets a request through only with a live session; a form post only with its CSRF token.
/// Without a session, a page asks for sign-in (303 to the form) and anything else is a 401.
async fn require_session(State(console): State<Console>, request: Request, next: Next) -> Response {
    let session =
        cookie(request.headers(), SESSION_COOKIE).and_then(|token| console.sessions.touch(&token));
    let Some(session) = session else {
        if request.method() == Method::GET && !request.uri().path().ends_with("/tail") {
            let mut r = see_other("/console/signin");
            r.headers_mut().append(
                header::SET_COOKIE,
                console.set_cookie(SESSION_COOKIE, "", Some(0)),
            );
            return r;
        }
        return message_page(
            StatusCode::UNAUTHORIZED,
            "Signed out",
            "Your session has ended. Sign in again to continue.",
        );
    };
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let mut request = request;
    if method == Method::POST {
        let (parts, body) = request.into_parts();
        let bytes = match axum::body::to_bytes(body, FORM_LIMIT).await {
            Ok(b) => b,
            Err(_) => {
                return message_page(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "Too large",
                    "The form is larger than the console accepts (1 MiB).",
                )
            }
        };
        let presented = form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        if presented.is_empty() || !bool::from(presented.as_bytes().ct_eq(session.csrf.as_bytes()))
        {
            console.audit(
                format!("console POST {path}"),
                graphmeet_core::AuditDecision::Denied,
                "denied: the form's CSRF token is missing or wrong".to_owned(),
            );
            return message_page(
                StatusCode::FORBIDDEN,
                "Form refused",
                "The form's CSRF token is missing or does not belong to this session. Reload the page and try again.",
            );
        }
        request = Request::from_parts(parts, Body::from(bytes));
    }
    request.extensions_mut().insert(session);
    let response = next.run(request).await;
    if method == Method::POST && path != "/console/signout" && response.status().as_u16() < 400 {
        console.audit(
            format!("console POST {path}"),
            graphmeet_core::AuditDecision::Changed,
            format!("console answered {}", response.status().as_u16()),
        );
    }
    response
}

/// A form's fields, in order (a name may repeat). Reading one never fails.
pub struct Fields(Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for Fields {
    type Rejection = Response;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::to_bytes(req.into_body(), FORM_LIMIT)
            .await
            .map_err(|_| {
                message_page(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "Too large",
                    "The form is too large.",
                )
            })?;
        Ok(Self(
            form_urlencoded::parse(&bytes)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        ))
    }
}

impl Fields {
    /// A field's value, trimmed; `None` when absent or blank.
    pub fn get(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// A field's value as written (not trimmed), or empty.
    pub fn raw(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Whether a checkbox is ticked.
    pub fn checked(&self, name: &str) -> bool {
        self.0.iter().any(|(k, v)| k == name && v != "false")
    }

    /// Where to go back to: a console path from the form, else `default`.
    pub fn back(&self, default: &str) -> String {
        self.get("back")
            .filter(|b| b.starts_with("/console/") && !b.contains("//") && !b.contains('\\'))
            .unwrap_or_else(|| default.to_owned())
    }
}

/// A page's query parameters (a name may repeat); reading one never fails.
pub type Params = axum::extract::Query<Vec<(String, String)>>;

/// A query parameter, trimmed; `None` when absent or blank.
pub fn param(params: &[(String, String)], name: &str) -> Option<String> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// Percent-encodes a query value.
pub fn enc(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A time as people read it: `2026-12-01 14:30:00 UTC`.
pub fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// A time as RFC 3339 with microseconds (a cursor).
pub fn rfc3339_micros(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A time as RFC 3339, as the admin API shows it.
pub use crate::admin::rfc3339;

impl Console {
    /// The tenant a page is about: the `tenant` parameter (id or domain), else the oldest.
    fn tenant(&self, params: &[(String, String)]) -> Option<Arc<Tenant>> {
        match param(params, "tenant") {
            Some(t) => self
                .app
                .index
                .resolve_tenant(&graphmeet_core::TenantRef::parse(&t)),
            None => self.app.index.tenants().into_iter().next(),
        }
    }

    /// A change done: back to `back`, with what to show there once.
    fn done(&self, session: &SessionCtx, back: &str, flash: Flash) -> Response {
        self.sessions.set_flash(&session.key, flash);
        see_other(back)
    }

    /// The answer to a form whose change went through the admin API: back to `back` with the
    /// flash `flash` makes of what the API returned, or the API's refusal on `ctx`'s page.
    fn answer<T>(
        &self,
        session: &SessionCtx,
        ctx: &layout::Ctx,
        back: &str,
        result: Result<T, AdminFailure>,
        flash: impl FnOnce(T) -> Flash,
    ) -> Response {
        match result {
            Ok(value) => self.done(session, back, flash(value)),
            Err(failure) => refused(ctx, failure, back),
        }
    }
}

/// A change refused: the admin API's status and message, with a way back.
fn refused(ctx: &layout::Ctx, failure: AdminFailure, back: &str) -> Response {
    let body = html! {
        div.notice.error role="alert" {
            h2 { "Not done" }
            p { (failure.message()) }
        }
        p { a href=(back) { "← Back" } }
    };
    let mut r =
        Html(layout::page(ctx, "Not done", layout::Nav::None, body).into_string()).into_response();
    *r.status_mut() = failure.status();
    r
}

/// A page with a title and one message, outside a session (sign-in, refusals).
fn message_page(status: StatusCode, title: &str, text: &str) -> Response {
    let body = html! {
        main.signin {
            div.card {
                h1 { (title) }
                p { (text) }
                p { a href="/console/signin" { "Sign in" } }
            }
        }
    };
    let mut r = Html(layout::bare(title, body).into_string()).into_response();
    *r.status_mut() = status;
    r
}

fn sign_in_markup(csrf: &str, error: Option<&str>) -> Markup {
    html! {
        main.signin {
            div.card {
                p.brand-mark aria-hidden="true" { "gm" }
                h1 { "Sign in to the graphmeet console" }
                p.muted { "Use the server's admin key: " code { "DATA_DIR/admin-key" } ", or the " code { "--admin-key" } " it was started with." }
                @if let Some(e) = error {
                    div.notice.error role="alert" { p { (e) } }
                }
                form method="post" action="/console/signin" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="key" { "Admin key" }
                    input #key type="password" name="key" autocomplete="current-password" required autofocus;
                    button.primary type="submit" { "Sign in" }
                }
            }
        }
    }
}

/// The sign-in form, with a fresh CSRF token tied to this browser by a short-lived cookie.
async fn sign_in_form(State(console): State<Console>) -> Response {
    let csrf = session::random_token();
    let mut r =
        Html(layout::bare("Sign in", sign_in_markup(&csrf, None)).into_string()).into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        console.set_cookie(SIGNIN_COOKIE, &csrf, Some(600)),
    );
    r
}

async fn sign_in(State(console): State<Console>, headers: HeaderMap, fields: Fields) -> Response {
    let expected = cookie(&headers, SIGNIN_COOKIE).unwrap_or_default();
    let presented = fields.raw("csrf");
    if expected.is_empty()
        || presented.is_empty()
        || !bool::from(presented.as_bytes().ct_eq(expected.as_bytes()))
    {
        return message_page(
            StatusCode::FORBIDDEN,
            "Form refused",
            "The sign-in form's CSRF token is missing or does not match this browser. Open the sign-in page again.",
        );
    }
    let key = fields.raw("key");
    let key = key.trim();
    let ok = !key.is_empty() && {
        let digest = graphmeet_core::crypto::sha256(key.as_bytes());
        bool::from(
            digest
                .as_slice()
                .ct_eq(console.app.admin_key_hash.as_slice()),
        )
    };
    if !ok {
        console.audit(
            "console sign-in".to_owned(),
            graphmeet_core::AuditDecision::Denied,
            "denied: a wrong admin key".to_owned(),
        );
        let mut r = Html(
            layout::bare(
                "Sign in",
                sign_in_markup(&expected, Some("That is not this server's admin key.")),
            )
            .into_string(),
        )
        .into_response();
        *r.status_mut() = StatusCode::UNAUTHORIZED;
        return r;
    }
    let token = console.sessions.create();
    console.audit(
        "console sign-in".to_owned(),
        graphmeet_core::AuditDecision::Allowed,
        "allowed: the admin key".to_owned(),
    );
    let mut r = see_other("/console/matrix");
    r.headers_mut().append(
        header::SET_COOKIE,
        console.set_cookie(SESSION_COOKIE, &token, None),
    );
    r.headers_mut().append(
        header::SET_COOKIE,
        console.set_cookie(SIGNIN_COOKIE, "", Some(0)),
    );
    r
}

async fn sign_out(
    State(console): State<Console>,
    axum::Extension(session): axum::Extension<SessionCtx>,
) -> Response {
    console.sessions.end(&session.key);
    let mut r = see_other("/console/signin");
    r.headers_mut().append(
        header::SET_COOKIE,
        console.set_cookie(SESSION_COOKIE, "", Some(0)),
    );
    r
}
