//! The admin console over real HTTPS: nothing without a session, the session cookie's
//! attributes, CSRF refusals, the idle timeout on a manual clock, a wrong admin key, the
//! access matrix following grants (and the propagation delay), and each directory page's
//! create, edit and delete going through the admin API's validation with its messages.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use graphmeet_testkit::{client_builder, TestServer};
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::HashMap;

/// A browser without JavaScript: keeps cookies, follows no redirect by itself.
struct Browser {
    http: reqwest::Client,
    base: String,
    cookies: HashMap<String, String>,
}

struct Page {
    status: u16,
    headers: HeaderMap,
    body: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers
            .get(LOCATION)
            .map(|v| v.to_str().unwrap())
            .unwrap_or_default()
    }

    fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("a form with a CSRF token");
        let rest = &self.body[at + "name=\"csrf\" value=\"".len()..];
        rest[..rest.find('"').unwrap()].to_owned()
    }

    /// The message of a refusal page, unescaped.
    fn error(&self) -> String {
        let at = self
            .body
            .find("notice error")
            .unwrap_or_else(|| panic!("no error notice ({}): {}", self.status, self.body));
        let rest = &self.body[at..];
        let p = rest.find("<p>").unwrap() + 3;
        let end = rest[p..].find("</p>").unwrap();
        unescape(&rest[p..p + end])
    }
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

impl Browser {
    fn new(server: &TestServer) -> Self {
        let http = client_builder(server.server.ca_cert_path.as_ref().unwrap())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            http,
            base: server.server.base_url.clone(),
            cookies: HashMap::new(),
        }
    }

    fn keep_cookies(&mut self, headers: &HeaderMap) {
        for v in headers.get_all(SET_COOKIE) {
            let text = v.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            if text.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, method: Method, path: &str, form: Option<&[(&str, &str)]>) -> Page {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("cookie", self.cookie_header());
        if let Some(form) = form {
            req = req.form(form);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        self.keep_cookies(&headers);
        Page {
            status,
            headers,
            body: r.text().await.unwrap(),
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        self.send(Method::GET, path, None).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        self.send(Method::POST, path, Some(form)).await
    }

    /// Posts a form with the CSRF token of the page at `from`.
    async fn submit(&mut self, from: &str, action: &str, form: &[(&str, &str)]) -> Page {
        let csrf = self.get(from).await.csrf();
        let mut all: Vec<(&str, &str)> = form.to_vec();
        all.push(("csrf", &csrf));
        self.send(Method::POST, action, Some(&all)).await
    }

    async fn sign_in(&mut self, key: &str) -> Page {
        let form = self.get("/console/signin").await;
        assert_eq!(form.status, 200);
        let csrf = form.csrf();
        self.post("/console/signin", &[("key", key), ("csrf", &csrf)])
            .await
    }
}

const PAGES: &[&str] = &[
    "/console",
    "/console/matrix",
    "/console/explain",
    "/console/tenants",
    "/console/users",
    "/console/groups",
    "/console/apps",
    "/console/consent",
    "/console/policies",
    "/console/exchange",
    "/console/cs",
    "/console/audit",
];

#[tokio::test]
async fn no_page_is_reachable_without_a_session() {
    let server = TestServer::start().await;
    let mut b = Browser::new(&server);
    for page in PAGES {
        let p = b.get(page).await;
        assert_eq!(p.status, 303, "{page}");
        assert_eq!(p.location(), "/console/signin", "{page}");
        assert!(!p.body.contains("Access matrix"), "{page}");
    }
    let tail = b
        .get("/console/audit/tail?since=2026-01-01T00:00:00Z")
        .await;
    assert_eq!(tail.status, 401);
    for action in [
        "/console/tenants",
        "/console/policies/grant",
        "/console/cs",
        "/console/signout",
    ] {
        let p = b
            .post(action, &[("display_name", "X"), ("csrf", "x")])
            .await;
        assert_eq!(p.status, 401, "{action}");
    }
    // A made-up session cookie is no session.
    b.cookies.insert("graphmeet_console".into(), "0".repeat(64));
    assert_eq!(b.get("/console/matrix").await.status, 303);
    // Nothing was created.
    let (_, tenants) = server.admin(Method::GET, "/admin/tenants", None).await;
    assert_eq!(tenants.as_array().unwrap().len(), 1);
    // The sign-in page and the assets are public.
    assert_eq!(b.get("/console/signin").await.status, 200);
    assert_eq!(b.get("/console/static/console.css").await.status, 200);
    assert_eq!(b.get("/console/static/console.js").await.status, 200);
}

#[tokio::test]
async fn the_session_cookie_is_httponly_secure_and_samesite_strict() {
    let server = TestServer::start().await;
    let mut b = Browser::new(&server);
    let signed = b.sign_in(&server.admin_key()).await;
    assert_eq!(signed.status, 303);
    assert_eq!(signed.location(), "/console/matrix");
    let cookie = signed
        .headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("graphmeet_console="))
        .unwrap();
    for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/console"] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }
    let value = cookie.split(';').next().unwrap().split_once('=').unwrap().1;
    assert_eq!(value.len(), 64, "256 random bits: {value}");
    let matrix = b.get("/console/matrix").await;
    assert_eq!(matrix.status, 200);
    assert_eq!(matrix.headers["cache-control"], "no-store");
    assert!(matrix.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    // The request inspector files console requests under their own surface.
    let (s, seen) = server
        .admin(Method::GET, "/admin/requests?surface=console", None)
        .await;
    assert_eq!(s, 200);
    assert!(
        seen.as_array().unwrap().iter().any(|r| r["path"]
            .as_str()
            .is_some_and(|p| p.starts_with("/console/matrix"))),
        "{seen}"
    );
    // Signing out ends the session on the server, not only in the browser.
    let kept = b.cookies.clone();
    let out = b.submit("/console/matrix", "/console/signout", &[]).await;
    assert_eq!(out.status, 303);
    assert!(!b.cookies.contains_key("graphmeet_console"));
    b.cookies = kept;
    assert_eq!(b.get("/console/matrix").await.status, 303);
}

#[tokio::test]
async fn a_wrong_admin_key_is_refused() {
    let server = TestServer::start().await;
    let mut b = Browser::new(&server);
    for key in ["wrong", "", &format!("{} ", &server.admin_key()[1..])] {
        let p = b.sign_in(key).await;
        assert_eq!(p.status, 401, "{key:?}");
        assert!(
            p.body.contains("not this server&#39;s admin key")
                || p.body.contains("not this server's admin key")
        );
        assert!(!b.cookies.contains_key("graphmeet_console"));
        assert_eq!(b.get("/console/matrix").await.status, 303);
    }
    // The refusals are in the audit log.
    let (_, entries) = server
        .admin(Method::GET, "/admin/audit?decision=denied", None)
        .await;
    assert!(entries
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["operation"] == "console sign-in"));
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused() {
    let server = TestServer::start().await;
    let mut b = Browser::new(&server);
    // Sign-in itself: without the token, or with one not tied to this browser.
    let p = b
        .post("/console/signin", &[("key", &server.admin_key())])
        .await;
    assert_eq!(p.status, 403);
    let mut other = Browser::new(&server);
    let foreign = other.get("/console/signin").await.csrf();
    let p = b
        .post(
            "/console/signin",
            &[("key", &server.admin_key()), ("csrf", &foreign)],
        )
        .await;
    assert_eq!(p.status, 403);
    assert_eq!(b.sign_in(&server.admin_key()).await.status, 303);
    // Every form once signed in.
    let tenant = server.cred("tenant_id");
    for (action, fields) in [
        ("/console/tenants", vec![("display_name", "Fabrikam")]),
        (
            "/console/policies/grant",
            vec![
                ("tenant", tenant.as_str()),
                ("kind", "global"),
                ("policy_name", ""),
            ],
        ),
        (
            "/console/cs",
            vec![(
                "script",
                "Remove-CsApplicationAccessPolicy -Identity graphmeet-dev",
            )],
        ),
        ("/console/signout", vec![]),
    ] {
        let p = b.post(action, &fields).await;
        assert_eq!(p.status, 403, "{action}: {}", p.body);
        assert!(p.body.contains("CSRF"));
        let mut wrong = fields.clone();
        wrong.push(("csrf", "0123456789abcdef"));
        assert_eq!(b.post(action, &wrong).await.status, 403, "{action}");
    }
    // Nothing happened, and the session still works.
    let (_, tenants) = server.admin(Method::GET, "/admin/tenants", None).await;
    assert_eq!(tenants.as_array().unwrap().len(), 1);
    assert_eq!(b.get("/console/matrix").await.status, 200);
    // With the token, the same form works.
    let p = b
        .submit(
            "/console/tenants",
            "/console/tenants",
            &[("display_name", "Fabrikam")],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let (_, tenants) = server.admin(Method::GET, "/admin/tenants", None).await;
    assert_eq!(tenants.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_session_ends_after_thirty_idle_minutes_on_the_servers_clock() {
    let server =
        TestServer::start_with(tempfile::tempdir().unwrap(), |c| c.manual_clock = true).await;
    let mut b = Browser::new(&server);
    assert_eq!(b.sign_in(&server.admin_key()).await.status, 303);
    let advance = |by: &'static str| {
        let server = &server;
        async move {
            let (s, _) = server
                .admin(Method::POST, "/admin/clock", Some(json!({ "advance": by })))
                .await;
            assert_eq!(s, 200);
        }
    };
    // Activity keeps it alive…
    advance("PT29M").await;
    assert_eq!(b.get("/console/matrix").await.status, 200);
    advance("PT29M").await;
    assert_eq!(b.get("/console/users").await.status, 200);
    // …thirty idle minutes end it.
    advance("PT30M").await;
    let p = b.get("/console/matrix").await;
    assert_eq!(p.status, 303);
    assert_eq!(p.location(), "/console/signin");
    // And it stays ended, whatever the clock does next.
    assert_eq!(b.get("/console/matrix").await.status, 303);
}

/// A console refusal and the admin API's for the same input carry the same message.
async fn same_refusal(_server: &TestServer, console: Page, api: (u16, Value)) {
    assert_eq!(console.status, api.0, "{}", console.body);
    assert_eq!(
        console.error(),
        api.1["error"]["message"].as_str().unwrap(),
        "{}",
        api.1
    );
}

/// A signed-in console on a fresh server, with the dev tenant's id at hand.
struct Console {
    server: TestServer,
    b: Browser,
    t: String,
}

impl Console {
    async fn signed_in(url: Option<String>) -> Self {
        let server = TestServer::start_on(url).await;
        let mut b = Browser::new(&server);
        assert_eq!(b.sign_in(&server.admin_key()).await.status, 303);
        let t = server.cred("tenant_id");
        Self { server, b, t }
    }

    /// Submits `form` from the console page `from` to `action` and sends `body` to the admin
    /// API's `method path`; both must refuse with the same status and message.
    async fn refuses_as_the_api_does(
        &mut self,
        (from, action, form): (&str, &str, &[(&str, &str)]),
        (method, path, body): (Method, &str, Option<Value>),
    ) {
        let c = self.b.submit(from, action, form).await;
        let a = self.server.admin(method, path, body).await;
        same_refusal(&self.server, c, a).await;
    }

    /// Submits a form that removes something (answered 303), then the same form again, which
    /// must be refused as the admin API refuses the same removal.
    async fn refuses_again_as_the_api_does(
        &mut self,
        (from, action, form): (&str, &str, &[(&str, &str)]),
        api: (Method, &str, Option<Value>),
    ) {
        let first = self.b.submit(from, action, form).await;
        assert_eq!(first.status, 303);
        self.refuses_as_the_api_does((from, action, form), api)
            .await;
    }

    fn users(&self) -> String {
        format!("/console/users?tenant={}", self.t)
    }

    fn groups(&self) -> String {
        format!("/console/groups?tenant={}", self.t)
    }

    fn consent(&self) -> String {
        format!("/console/consent?tenant={}", self.t)
    }

    fn policies(&self) -> String {
        format!("/console/policies?tenant={}", self.t)
    }

    /// Creates Bob in the dev tenant through the users page; returns his UPN.
    async fn create_bob(&mut self) -> String {
        let t = self.t.clone();
        let users = self.users();
        let bob = format!("bob@{}", self.server.cred("tenant_domain"));
        let c = self
            .b
            .submit(
                &users,
                "/console/users",
                &[
                    ("tenant", &t),
                    ("upn", &bob),
                    ("display_name", "Bob"),
                    ("teams_license", "false"),
                    ("back", &users),
                ],
            )
            .await;
        assert_eq!(c.status, 303, "{}", c.body);
        bob
    }

    /// Creates the group Sales through the groups page; returns its id.
    async fn create_sales(&mut self) -> String {
        let t = self.t.clone();
        let groups = self.groups();
        let c = self
            .b
            .submit(
                &groups,
                "/console/groups",
                &[("tenant", &t), ("display_name", "Sales")],
            )
            .await;
        assert_eq!(c.status, 303);
        let (_, g) = self
            .server
            .admin(Method::GET, &format!("/admin/tenants/{t}/groups"), None)
            .await;
        g[0]["id"].as_str().unwrap().to_owned()
    }

    /// Adds the dev organizer to group `gid` by UPN from the group's page.
    async fn add_organizer(&mut self, gid: &str) {
        let t = self.t.clone();
        let organizer = self.server.cred("user_upn");
        let c = self
            .b
            .submit(
                &format!("/console/groups/{gid}?tenant={t}"),
                &format!("/console/groups/{gid}/members"),
                &[("tenant", &t), ("user", &organizer)],
            )
            .await;
        assert_eq!(c.status, 303, "{}", c.body);
    }

    /// Creates the multi-tenant app Scheduler through the apps page; returns its page and id.
    async fn create_scheduler(&mut self) -> (String, String) {
        let t = self.t.clone();
        let c = self
            .b
            .submit(
                "/console/apps",
                "/console/apps",
                &[
                    ("tenant", &t),
                    ("display_name", "Scheduler"),
                    ("multi_tenant", "true"),
                ],
            )
            .await;
        assert_eq!(c.status, 303);
        let app_page = c.location().to_owned();
        let app_id = app_page.rsplit('/').next().unwrap().to_owned();
        (app_page, app_id)
    }

    /// Adds a ten-day secret to the app from its page.
    async fn add_secret(&mut self, app_page: &str, app_id: &str) {
        let c = self
            .b
            .submit(
                app_page,
                &format!("/console/apps/{app_id}/secrets"),
                &[("days", "10"), ("back", app_page)],
            )
            .await;
        assert_eq!(c.status, 303);
    }

    /// Grants the app OnlineMeetings.ReadWrite.All in the dev tenant from the consent page.
    async fn grant_consent(&mut self, app_id: &str) {
        let t = self.t.clone();
        let consent = self.consent();
        let c = self
            .b
            .submit(
                &consent,
                "/console/consent",
                &[
                    ("tenant", &t),
                    ("app_id", app_id),
                    ("roles", "OnlineMeetings.ReadWrite.All"),
                ],
            )
            .await;
        assert_eq!(c.status, 303, "{}", c.body);
    }

    /// Creates the policy P2 for the dev app from the policies page; returns the dev app's id.
    async fn create_p2(&mut self) -> String {
        let t = self.t.clone();
        let policies = self.policies();
        let dev_app = self.server.cred("client_id");
        let c = self
            .b
            .submit(
                &policies,
                "/console/policies",
                &[
                    ("tenant", &t),
                    ("identity", "P2"),
                    ("app_ids", &dev_app),
                    ("description", "second"),
                ],
            )
            .await;
        assert_eq!(c.status, 303, "{}", c.body);
        dev_app
    }

    async fn shut_down(self) {
        self.server.server.shutdown().await;
    }
}

#[tokio::test]
async fn the_tenants_page_refuses_an_empty_name_as_the_admin_api_does() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        c.refuses_as_the_api_does(
            (
                "/console/tenants",
                "/console/tenants",
                &[("display_name", " ")],
            ),
            (
                Method::POST,
                "/admin/tenants",
                Some(json!({"display_name": " "})),
            ),
        )
        .await;
        c.shut_down().await;
    })
    .await;
}

#[tokio::test]
async fn the_users_page_refuses_a_upn_outside_the_tenants_domains_as_the_admin_api_does() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        let t = c.t.clone();
        let users = c.users();
        for upn in ["nobody@elsewhere.example", "not-a-upn"] {
            c.refuses_as_the_api_does(
                (&users, "/console/users", &[("tenant", &t), ("upn", upn)]),
                (
                    Method::POST,
                    "/admin/users",
                    Some(json!({"tenant": t, "upn": upn})),
                ),
            )
            .await;
        }
        c.shut_down().await;
    })
    .await;
}

#[tokio::test]
async fn a_user_created_on_the_users_page_is_listed_with_a_notice() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        let bob = c.create_bob().await;
        let listed = c.b.get(&format!("{}&q=bob", c.users())).await;
        assert!(listed.body.contains(&bob), "{}", listed.body);
        assert!(listed.body.contains("Created the user"));
        c.shut_down().await;
    })
    .await;
}

#[tokio::test]
async fn the_users_page_refuses_a_duplicate_upn_as_the_admin_api_does() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        let bob = c.create_bob().await;
        let t = c.t.clone();
        let users = c.users();
        c.refuses_as_the_api_does(
            (&users, "/console/users", &[("tenant", &t), ("upn", &bob)]),
            (
                Method::POST,
                "/admin/users",
                Some(json!({"tenant": t, "upn": bob})),
            ),
        )
        .await;
        c.shut_down().await;
    })
    .await;
}

#[tokio::test]
async fn the_user_page_refuses_an_unknown_user_type_as_the_admin_api_does() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        let bob = c.create_bob().await;
        let t = c.t.clone();
        c.refuses_as_the_api_does(
            (
                &format!("/console/users/{bob}?tenant={t}"),
                &format!("/console/users/{bob}"),
                &[("tenant", &t), ("user_type", "Robot")],
            ),
            (
                Method::PATCH,
                &format!("/admin/users/{bob}"),
                Some(json!({"user_type": "Robot"})),
            ),
        )
        .await;
        c.shut_down().await;
    })
    .await;
}

#[tokio::test]
async fn the_user_page_edits_the_name_and_license_and_clears_an_empty_mail() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        let bob = c.create_bob().await;
        let t = c.t.clone();
        let p =
            c.b.submit(
                &format!("/console/users/{bob}?tenant={t}"),
                &format!("/console/users/{bob}"),
                &[
                    ("tenant", &t),
                    ("display_name", "Bob Builder"),
                    ("teams_license", "true"),
                    ("mail", ""),
                ],
            )
            .await;
        assert_eq!(p.status, 303, "{}", p.body);
        let (_, u) = c
            .server
            .admin(Method::GET, &format!("/admin/tenants/{t}/users"), None)
            .await;
        let row = u
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["upn"] == bob.as_str())
            .unwrap()
            .clone();
        assert_eq!(row["display_name"], "Bob Builder");
        assert_eq!(row["teams_license"], true);
        assert_eq!(row["mail"], Value::Null);
        c.shut_down().await;
    })
    .await;
}

#[tokio::test]
async fn deleting_a_user_again_is_refused_as_the_admin_api_does() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        let bob = c.create_bob().await;
        let t = c.t.clone();
        let users = c.users();
        let p =
            c.b.submit(
                &format!("/console/users/{bob}?tenant={t}"),
                &format!("/console/users/{bob}/delete"),
                &[("tenant", &t)],
            )
            .await;
        assert_eq!(p.status, 303);
        c.refuses_as_the_api_does(
            (
                &users,
                &format!("/console/users/{bob}/delete"),
                &[("tenant", &t)],
            ),
            (Method::DELETE, &format!("/admin/users/{bob}"), None),
        )
        .await;
        c.shut_down().await;
    })
    .await;
}

#[tokio::test]
async fn the_groups_page_refuses_an_empty_name_as_the_admin_api_does() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        let t = c.t.clone();
        let groups = c.groups();
        c.refuses_as_the_api_does(
            (
                &groups,
                "/console/groups",
                &[("tenant", &t), ("display_name", "")],
            ),
            (
                Method::POST,
                "/admin/groups",
                Some(json!({"tenant": t, "display_name": ""})),
            ),
        )
        .await;
        c.shut_down().await;
    })
    .await;
}

#[tokio::test]
async fn a_member_added_by_upn_is_shown_on_the_group_page() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        let gid = c.create_sales().await;
        c.add_organizer(&gid).await;
        let gpage = format!("/console/groups/{gid}?tenant={}", c.t);
        let organizer = c.server.cred("user_upn");
        assert!(c.b.get(&gpage).await.body.contains(&organizer));
        c.shut_down().await;
    })
    .await;
}

#[tokio::test]
async fn the_group_page_refuses_an_unknown_member_as_the_admin_api_does() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        let gid = c.create_sales().await;
        let t = c.t.clone();
        c.refuses_as_the_api_does(
            (
                &format!("/console/groups/{gid}?tenant={t}"),
                &format!("/console/groups/{gid}/members"),
                &[("tenant", &t), ("user", "nobody")],
            ),
            (
                Method::POST,
                &format!("/admin/groups/{gid}/members"),
                Some(json!({"user_id": "nobody"})),
            ),
        )
        .await;
        c.shut_down().await;
    })
    .await;
}

#[tokio::test]
async fn removing_a_member_again_is_refused_as_the_admin_api_does() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        let gid = c.create_sales().await;
        c.add_organizer(&gid).await;
        let t = c.t.clone();
        let gpage = format!("/console/groups/{gid}?tenant={t}");
        let uid = c.server.cred("user_id");
        c.refuses_again_as_the_api_does(
            (
                &gpage,
                &format!("/console/groups/{gid}/members/remove"),
                &[("tenant", &t), ("user_id", &uid)],
            ),
            (
                Method::DELETE,
                &format!("/admin/groups/{gid}/members/{uid}"),
                None,
            ),
        )
        .await;
        c.shut_down().await;
    })
    .await;
}

#[tokio::test]
async fn a_group_is_deleted_from_its_page() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        let gid = c.create_sales().await;
        let t = c.t.clone();
        let p =
            c.b.submit(
                &format!("/console/groups/{gid}?tenant={t}"),
                &format!("/console/groups/{gid}/delete"),
                &[("tenant", &t)],
            )
            .await;
        assert_eq!(p.status, 303);
        c.shut_down().await;
    })
    .await;
}

#[tokio::test]
async fn deleting_a_group_by_a_malformed_id_is_refused_as_the_admin_api_does() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        let t = c.t.clone();
        let groups = c.groups();
        c.refuses_as_the_api_does(
            (
                &groups,
                "/console/groups/not-a-guid/delete",
                &[("tenant", &t)],
            ),
            (Method::DELETE, "/admin/groups/not-a-guid", None),
        )
        .await;
        c.shut_down().await;
    })
    .await;
}

#[tokio::test]
async fn the_apps_page_refuses_an_empty_name_as_the_admin_api_does() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        let t = c.t.clone();
        c.refuses_as_the_api_does(
            (
                "/console/apps",
                "/console/apps",
                &[("tenant", &t), ("display_name", "")],
            ),
            (
                Method::POST,
                "/admin/apps",
                Some(json!({"tenant": t, "display_name": ""})),
            ),
        )
        .await;
        c.shut_down().await;
    })
    .await;
}

#[tokio::test]
async fn the_app_page_turns_public_client_flows_on_as_patching_the_app_does() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        let (app_page, app_id) = c.create_scheduler().await;
        let p =
            c.b.submit(
                &app_page,
                &format!("/console/apps/{app_id}/public-client"),
                &[("allow_public_client", "true"), ("back", &app_page)],
            )
            .await;
        assert_eq!(p.status, 303, "{}", p.body);
        let (_, apps) = c.server.admin(Method::GET, "/admin/apps", None).await;
        assert!(apps
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["app_id"] == app_id.as_str() && a["allow_public_client"] == true));
        c.shut_down().await;
    })
    .await;
}

#[tokio::test]
async fn the_app_page_refuses_a_secret_lifetime_out_of_range_as_the_admin_api_does() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        let (app_page, app_id) = c.create_scheduler().await;
        c.refuses_as_the_api_does(
            (
                &app_page,
                &format!("/console/apps/{app_id}/secrets"),
                &[("days", "9999"), ("back", &app_page)],
            ),
            (
                Method::POST,
                &format!("/admin/apps/{app_id}/secrets"),
                Some(json!({"days": 9999})),
            ),
        )
        .await;
        c.shut_down().await;
    })
    .await;
}

#[tokio::test]
async fn a_new_secret_is_shown_once_with_its_lifetime() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        let (app_page, app_id) = c.create_scheduler().await;
        c.add_secret(&app_page, &app_id).await;
        let shown = c.b.get(&app_page).await;
        assert!(shown.body.contains("copy it now"));
        assert!(
            shown.body.contains("expires in 9 days") || shown.body.contains("expires in 10 days"),
            "{}",
            shown.body
        );
        assert!(
            !c.b.get(&app_page).await.body.contains("copy it now"),
            "a secret is shown once"
        );
        c.shut_down().await;
    })
    .await;
}

#[tokio::test]
async fn removing_a_secret_again_is_refused_as_the_admin_api_does() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        let (app_page, app_id) = c.create_scheduler().await;
        c.add_secret(&app_page, &app_id).await;
        let (_, creds) = c
            .server
            .admin(
                Method::GET,
                &format!("/admin/apps/{app_id}/credentials"),
                None,
            )
            .await;
        let key_id = creds["secrets"][0]["key_id"].as_str().unwrap().to_owned();
        c.refuses_again_as_the_api_does(
            (
                &app_page,
                &format!("/console/apps/{app_id}/secrets/remove"),
                &[("key_id", &key_id), ("back", &app_page)],
            ),
            (
                Method::DELETE,
                &format!("/admin/apps/{app_id}/secrets/{key_id}"),
                None,
            ),
        )
        .await;
        c.shut_down().await;
    })
    .await;
}

#[tokio::test]
async fn the_consent_page_refuses_an_unknown_role_as_the_admin_api_does() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        let (_, app_id) = c.create_scheduler().await;
        let t = c.t.clone();
        let consent = c.consent();
        c.refuses_as_the_api_does(
            (
                &consent,
                "/console/consent",
                &[
                    ("tenant", &t),
                    ("app_id", &app_id),
                    ("roles", "Mail.Send.Everything"),
                ],
            ),
            (
                Method::POST,
                "/admin/consents",
                Some(json!({"tenant": t, "app_id": app_id, "roles": ["Mail.Send.Everything"]})),
            ),
        )
        .await;
        c.shut_down().await;
    })
    .await;
}

#[tokio::test]
async fn a_consent_granted_on_the_consent_page_lists_the_app() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        let (_, app_id) = c.create_scheduler().await;
        c.grant_consent(&app_id).await;
        let consent = c.consent();
        assert!(c.b.get(&consent).await.body.contains("Scheduler"));
        c.shut_down().await;
    })
    .await;
}

#[tokio::test]
async fn a_consent_is_revoked_from_the_consent_page() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        let (_, app_id) = c.create_scheduler().await;
        c.grant_consent(&app_id).await;
        let t = c.t.clone();
        let consent = c.consent();
        let p =
            c.b.submit(
                &consent,
                "/console/consent/revoke",
                &[
                    ("tenant", &t),
                    ("app_id", &app_id),
                    ("roles", "OnlineMeetings.ReadWrite.All"),
                ],
            )
            .await;
        assert_eq!(p.status, 303, "{}", p.body);
        c.shut_down().await;
    })
    .await;
}

#[tokio::test]
async fn deleting_an_app_again_is_refused_as_the_admin_api_does() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        let (app_page, app_id) = c.create_scheduler().await;
        let p =
            c.b.submit(&app_page, &format!("/console/apps/{app_id}/delete"), &[])
                .await;
        assert_eq!(p.status, 303);
        c.refuses_as_the_api_does(
            (
                "/console/apps",
                &format!("/console/apps/{app_id}/delete"),
                &[],
            ),
            (Method::DELETE, &format!("/admin/apps/{app_id}"), None),
        )
        .await;
        c.shut_down().await;
    })
    .await;
}

#[tokio::test]
async fn the_policies_page_refuses_granting_an_unknown_policy_as_the_admin_api_does() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        let t = c.t.clone();
        let policies = c.policies();
        let organizer = c.server.cred("user_upn");
        c.refuses_as_the_api_does(
            (
                &policies,
                "/console/policies/grant",
                &[
                    ("tenant", &t),
                    ("kind", "user"),
                    ("user", &organizer),
                    ("policy_name", "Nope"),
                ],
            ),
            (
                Method::POST,
                "/admin/policy-grants",
                Some(json!({"tenant": t, "user": organizer, "policy_name": "Nope"})),
            ),
        )
        .await;
        c.shut_down().await;
    })
    .await;
}

#[tokio::test]
async fn the_policies_page_refuses_a_malformed_app_id_as_the_admin_api_does() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        let t = c.t.clone();
        let policies = c.policies();
        c.refuses_as_the_api_does(
            (
                &policies,
                "/console/policies",
                &[("tenant", &t), ("identity", "P2"), ("app_ids", "zzz")],
            ),
            (
                Method::POST,
                "/admin/policies",
                Some(json!({"tenant": t, "identity": "P2", "app_ids": ["zzz"]})),
            ),
        )
        .await;
        c.shut_down().await;
    })
    .await;
}

#[tokio::test]
async fn a_policy_change_shows_its_powershell_line() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        let dev_app = c.create_p2().await;
        let shown = c.b.get(&c.policies()).await;
        assert!(
            shown.body.contains(&format!(
                "New-CsApplicationAccessPolicy -Identity P2 -AppIds &quot;{dev_app}&quot;"
            )) || shown.body.contains(&format!(
                "New-CsApplicationAccessPolicy -Identity P2 -AppIds \"{dev_app}\""
            )),
            "{}",
            shown.body
        );
        c.shut_down().await;
    })
    .await;
}

#[tokio::test]
async fn a_policy_is_removed_from_the_policies_page() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        c.create_p2().await;
        let t = c.t.clone();
        let policies = c.policies();
        let p =
            c.b.submit(&policies, "/console/policies/P2/remove", &[("tenant", &t)])
                .await;
        assert_eq!(p.status, 303, "{}", p.body);
        c.shut_down().await;
    })
    .await;
}

#[tokio::test]
async fn deleting_a_tenant_again_is_refused_as_the_admin_api_does() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        let p =
            c.b.submit(
                "/console/tenants",
                "/console/tenants",
                &[("display_name", "Gone Soon")],
            )
            .await;
        assert_eq!(p.status, 303);
        let p =
            c.b.submit(
                "/console/tenants",
                "/console/tenants/delete",
                &[("tenant_ref", "gonesoon.onmicrosoft.com")],
            )
            .await;
        assert_eq!(p.status, 303, "{}", p.body);
        c.refuses_as_the_api_does(
            (
                "/console/tenants",
                "/console/tenants/delete",
                &[("tenant_ref", "gonesoon.onmicrosoft.com")],
            ),
            (
                Method::DELETE,
                "/admin/tenants/gonesoon.onmicrosoft.com",
                None,
            ),
        )
        .await;
        c.shut_down().await;
    })
    .await;
}

#[tokio::test]
async fn a_change_made_through_the_console_is_in_the_audit_log() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let mut c = Console::signed_in(url).await;
        c.create_p2().await;
        let (_, changes) = c
            .server
            .admin(
                Method::GET,
                "/admin/audit?decision=changed&limit=1000",
                None,
            )
            .await;
        assert!(changes
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["operation"] == "console POST /console/policies"));
        c.shut_down().await;
    })
    .await;
}

/// The cell of `app` for `user` in a matrix page: its state and text.
fn cell<'a>(body: &'a str, app: &str, user: &str) -> &'a str {
    let href = format!("&amp;app={app}&amp;user={user}\"");
    let at = body
        .find(&href)
        .unwrap_or_else(|| panic!("no cell for {user}: {body}"));
    let end = body[at..].find("</a>").unwrap();
    &body[at..at + end]
}

#[tokio::test]
async fn the_matrix_follows_grants_and_shows_what_is_still_propagating() {
    let server = TestServer::start_with(tempfile::tempdir().unwrap(), |c| {
        c.manual_clock = true;
        c.policy_propagation_delay = chrono::Duration::minutes(30);
    })
    .await;
    let t = server.cred("tenant_id");
    let app = server.cred("client_id");
    let organizer = server.cred("user_id");
    let domain = server.cred("tenant_domain");
    let (s, carol) = server
        .admin(
            Method::POST,
            "/admin/users",
            Some(json!({"tenant": t, "upn": format!("carol@{domain}")})),
        )
        .await;
    assert_eq!(s, 201);
    let carol = carol["id"].as_str().unwrap().to_owned();
    // The bootstrap's grant is older than the delay once the clock has moved past it.
    server
        .admin(
            Method::POST,
            "/admin/clock",
            Some(json!({"advance": "PT31M"})),
        )
        .await;
    let mut b = Browser::new(&server);
    assert_eq!(b.sign_in(&server.admin_key()).await.status, 303);
    let matrix = format!("/console/matrix?tenant={t}");
    let page = b.get(&matrix).await;
    assert!(cell(&page.body, &app, &organizer).contains("data-state=\"allowed\""));
    assert!(cell(&page.body, &app, &carol).contains("data-state=\"denied\""));

    let c = b
        .submit(
            &matrix,
            "/console/policies/grant",
            &[
                ("tenant", &t),
                ("kind", "user"),
                ("user", &carol),
                ("policy_name", "graphmeet-dev-meetings"),
                ("back", &matrix),
            ],
        )
        .await;
    assert_eq!(c.status, 303, "{}", c.body);
    let page = b.get(&matrix).await;
    assert!(page
        .body
        .contains("Grant-CsApplicationAccessPolicy -Identity"));
    let carol_cell = cell(&page.body, &app, &carol);
    assert!(carol_cell.contains("data-state=\"denied\""), "{carol_cell}");
    assert!(carol_cell.contains("→ allowed"), "{carol_cell}");
    let (_, clock) = server.admin(Method::GET, "/admin/clock", None).await;
    let now = chrono::DateTime::parse_from_rfc3339(clock["now"].as_str().unwrap()).unwrap();
    let effective = (now + chrono::Duration::minutes(30))
        .format("%Y-%m-%d %H:%M:%S UTC")
        .to_string();
    assert!(carol_cell.contains(&effective), "{effective}: {carol_cell}");
    // The explanation names the change and its time.
    let explained = b
        .get(&format!(
            "/console/explain?tenant={t}&app={app}&user={carol}"
        ))
        .await;
    assert_eq!(explained.status, 200);
    assert!(explained.body.contains("Still propagating"));
    assert!(explained.body.contains(&effective));

    // (A request in between keeps the session from its idle timeout.)
    server
        .admin(
            Method::POST,
            "/admin/clock",
            Some(json!({"advance": "PT20M"})),
        )
        .await;
    let page = b.get(&matrix).await;
    assert!(cell(&page.body, &app, &carol).contains("data-state=\"denied\""));
    server
        .admin(
            Method::POST,
            "/admin/clock",
            Some(json!({"advance": "PT10M"})),
        )
        .await;
    let page = b.get(&matrix).await;
    assert!(cell(&page.body, &app, &carol).contains("data-state=\"allowed\""));
    // Search and paging narrow the rows.
    let only = b.get(&format!("{matrix}&q=carol")).await;
    assert!(only.body.contains(&carol) && !only.body.contains(&format!("user={organizer}\"")));
    let first = b.get(&format!("{matrix}&size=1")).await;
    assert!(first.body.contains("Next page"));
}

#[tokio::test]
async fn meetings_are_listed_per_organizer_and_found_by_subject_join_id_and_join_url() {
    graphmeet_testkit::on_every_backend(|url| async move {
        let server = TestServer::start_on(url).await;
        let token = server.app_token().await;
        let organizer = server.cred("user_id");
        let upn = server.cred("user_upn");
        let t = server.cred("tenant_id");
        let mut made = Vec::new();
        for subject in ["Quarterly planning", "Budget review", "Planning follow-up"] {
            let (s, _, m) = server
                .graph(
                    Some(&token),
                    Method::POST,
                    &format!("/v1.0/users/{organizer}/onlineMeetings"),
                    Some(json!({ "subject": subject })),
                )
                .await;
            assert_eq!(s, 201, "{m}");
            made.push(m);
        }
        let mut b = Browser::new(&server);
        assert_eq!(b.sign_in(&server.admin_key()).await.status, 303);
        let list = b
            .get(&format!("/console/meetings?tenant={t}&organizer={upn}"))
            .await;
        assert_eq!(list.status, 200);
        for m in &made {
            assert!(list.body.contains(m["subject"].as_str().unwrap()));
        }
        // Newest first.
        assert!(
            list.body.find("Planning follow-up").unwrap()
                < list.body.find("Quarterly planning").unwrap()
        );
        let search = b
            .get(&format!(
                "/console/meetings?tenant={t}&organizer={upn}&q=PLANNING"
            ))
            .await;
        assert!(
            search.body.contains("Quarterly planning")
                && search.body.contains("Planning follow-up")
        );
        assert!(!search.body.contains("Budget review"));
        let by_id = b
            .get(&format!(
                "/console/meetings?tenant={t}&join_meeting_id={}",
                made[1]["joinMeetingIdSettings"]["joinMeetingId"]
                    .as_str()
                    .unwrap()
            ))
            .await;
        assert!(
            by_id.body.contains("Budget review") && !by_id.body.contains("Quarterly planning"),
            "{}",
            by_id.body
        );
        let join_url = made[2]["joinWebUrl"].as_str().unwrap();
        let by_url = b
            .get(&format!(
                "/console/meetings?tenant={t}&join_web_url={}",
                enc(join_url)
            ))
            .await;
        assert!(
            by_url.body.contains("Planning follow-up") && !by_url.body.contains("Budget review")
        );
        let id = made[0]["id"].as_str().unwrap();
        let one = b.get(&format!("/console/meetings/{id}?tenant={t}")).await;
        assert_eq!(one.status, 200);
        assert!(
            one.body
                .contains(&format!("href=\"{}\"", join_url.replace('&', "&amp;")))
                || one.body.contains("the landing page")
        );
        assert!(
            one.body
                .contains("&quot;subject&quot;: &quot;Quarterly planning&quot;")
                || one.body.contains("\"subject\": \"Quarterly planning\""),
            "{}",
            one.body
        );
        assert_eq!(
            b.get(&format!("/console/meetings/nope?tenant={t}"))
                .await
                .status,
            404
        );
        let unknown = b
            .get(&format!("/console/meetings?tenant={t}&organizer=nobody"))
            .await;
        assert_eq!(unknown.status, 404);
        server.server.shutdown().await;
    })
    .await;
}

fn enc(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn group_and_global_grants_show_their_rank_and_powershell_line_and_revoke() {
    let server = TestServer::start().await;
    let t = server.cred("tenant_id");
    let (_, group) = server
        .admin(
            Method::POST,
            "/admin/groups",
            Some(json!({"tenant": t, "display_name": "Schedulers"})),
        )
        .await;
    let gid = group["id"].as_str().unwrap().to_owned();
    let mut b = Browser::new(&server);
    assert_eq!(b.sign_in(&server.admin_key()).await.status, 303);
    let policies = format!("/console/policies?tenant={t}");
    let policy = "graphmeet-dev-meetings";
    let c = b
        .submit(
            &policies,
            "/console/policies/grant",
            &[
                ("tenant", &t),
                ("kind", "group"),
                ("group", &gid),
                ("rank", "2"),
                ("policy_name", policy),
            ],
        )
        .await;
    assert_eq!(c.status, 303, "{}", c.body);
    let page = b.get(&policies).await;
    assert!(
        page.body.contains(&format!(
            "Grant-CsApplicationAccessPolicy -Group {gid} -Rank 2 -PolicyName {policy}"
        )) || page.body.contains("-Rank 2"),
        "{}",
        page.body
    );
    assert!(page.body.contains("group Schedulers (rank 2)"));
    let c = b
        .submit(
            &policies,
            "/console/policies/grant",
            &[("tenant", &t), ("kind", "global"), ("policy_name", policy)],
        )
        .await;
    assert_eq!(c.status, 303, "{}", c.body);
    let page = b.get(&policies).await;
    assert!(page.body.contains("-Global"), "{}", page.body);
    assert!(page.body.contains("everyone (global)"));
    let (_, grants) = server
        .admin(
            Method::GET,
            &format!("/admin/policy-grants?tenant={t}"),
            None,
        )
        .await;
    let kinds: Vec<&str> = grants
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["target_kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"group") && kinds.contains(&"global"),
        "{kinds:?}"
    );
    // A rank is a whole number, as the form says; a rank on a user grant is the API's refusal.
    let c = b
        .submit(
            &policies,
            "/console/policies/grant",
            &[
                ("tenant", &t),
                ("kind", "group"),
                ("group", &gid),
                ("rank", "high"),
                ("policy_name", policy),
            ],
        )
        .await;
    assert_eq!(c.status, 400);
    assert_eq!(c.error(), "rank must be a whole number, not 'high'");
    // Revoke both from their rows.
    for (kind, field, id) in [("group", "group", gid.as_str()), ("global", "user", "")] {
        let c = b
            .submit(
                &policies,
                "/console/policies/grant",
                &[("tenant", &t), ("kind", kind), (field, id)],
            )
            .await;
        assert_eq!(c.status, 303, "{}", c.body);
        assert!(b.get(&policies).await.body.contains("-PolicyName $null"));
    }
    let (_, grants) = server
        .admin(
            Method::GET,
            &format!("/admin/policy-grants?tenant={t}"),
            None,
        )
        .await;
    assert_eq!(
        grants.as_array().unwrap().len(),
        1,
        "only the bootstrap's user grant is left: {grants}"
    );
}

/// Exchange's application access policies from the console: create one through the admin
/// API's validation (a bad access right is refused with its message), see it listed with its
/// PowerShell line, test a mailbox as Test-ApplicationAccessPolicy does, remove it.
#[tokio::test]
async fn exchange_policies_are_created_tested_and_removed_with_their_powershell_lines() {
    let server = TestServer::start().await;
    let t = server.cred("tenant_id");
    let app = server.cred("client_id");
    let organizer = server.cred("user_id");
    let (status, group) = server
        .admin(
            Method::POST,
            "/admin/groups",
            Some(json!({"tenant": t, "display_name": "Calendar Apps"})),
        )
        .await;
    assert_eq!(status, 201, "{group}");
    let gid = group["id"].as_str().unwrap().to_owned();
    let mut b = Browser::new(&server);
    assert_eq!(b.sign_in(&server.admin_key()).await.status, 303);
    let page = format!("/console/exchange?tenant={t}");

    let bad = b
        .submit(
            &page,
            "/console/exchange",
            &[
                ("tenant", &t),
                ("app_ids", &app),
                ("scope", &gid),
                ("access_right", "AllowAll"),
            ],
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(
        bad.error().contains("RestrictAccess or DenyAccess"),
        "{}",
        bad.error()
    );

    let made = b
        .submit(
            &page,
            "/console/exchange",
            &[
                ("tenant", &t),
                ("app_ids", &app),
                ("scope", &gid),
                ("access_right", "RestrictAccess"),
                ("description", "calendar app"),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let listed = b.get(&page).await;
    assert!(
        listed.body.contains("New-ApplicationAccessPolicy")
            && listed.body.contains("RestrictAccess"),
        "{}",
        listed.body
    );
    let (_, policies) = server
        .admin(
            Method::GET,
            &format!("/admin/exchange-policies?tenant={t}"),
            None,
        )
        .await;
    assert_eq!(policies.as_array().unwrap().len(), 1, "{policies}");
    let identity = policies[0]["identity"].as_str().unwrap().to_owned();

    // The organizer is in no member of the scope group: the mailbox is out of reach.
    let tested = b.get(&format!("{page}&user={organizer}&app={app}")).await;
    assert_eq!(tested.status, 200);
    assert!(
        tested.body.contains("Test-ApplicationAccessPolicy"),
        "{}",
        tested.body
    );
    let result = &tested.body[tested.body.find("test-result").unwrap()..];
    assert!(result.contains("Denied"), "{result}");

    let removed = b
        .submit(
            &page,
            "/console/exchange/remove",
            &[("tenant", &t), ("identity", &identity)],
        )
        .await;
    assert_eq!(removed.status, 303, "{}", removed.body);
    let after = b.get(&page).await;
    assert!(
        after.body.contains("Remove-ApplicationAccessPolicy"),
        "{}",
        after.body
    );
    let (_, policies) = server
        .admin(
            Method::GET,
            &format!("/admin/exchange-policies?tenant={t}"),
            None,
        )
        .await;
    assert_eq!(policies, json!([]));
}
