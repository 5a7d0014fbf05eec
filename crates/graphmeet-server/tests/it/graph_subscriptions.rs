//! Change notifications through HTTP on a real server (TLS, a virtual clock) on SQLite and
//! PostgreSQL, with a real subscriber endpoint on loopback: the validation handshake and its
//! failures, lifetimes and renewal, permissions and the application access policy, the
//! outbox's retries with backoff on the virtual clock, lifecycle notifications, expiry, and
//! the outbox across a restart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use graphmeet_testkit::{on_every_backend, TestServer};
use reqwest::Method;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

/// What the subscriber endpoint does with the validation request.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Validation {
    Echo,
    Wrong,
    Status(u16),
}

#[derive(Debug, Clone)]
struct Received {
    query: Option<String>,
    content_type: String,
    body: String,
}

#[derive(Clone)]
struct Endpoint {
    received: Arc<Mutex<Vec<Received>>>,
    validation: Arc<Mutex<Validation>>,
    /// The status notifications are answered with.
    status: Arc<Mutex<u16>>,
}

async fn endpoint_handler(
    State(e): State<Endpoint>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    let content_type = headers
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    e.received.lock().unwrap().push(Received {
        query: query.clone(),
        content_type,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let token = query.as_deref().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "validationToken")
            .map(|(_, v)| v.into_owned())
    });
    if let Some(token) = token {
        let mode = *e.validation.lock().unwrap();
        return match mode {
            Validation::Echo => ([("content-type", "text/plain")], token).into_response(),
            Validation::Wrong => ([("content-type", "text/plain")], "nope").into_response(),
            Validation::Status(s) => StatusCode::from_u16(s).unwrap().into_response(),
        };
    }
    let status = *e.status.lock().unwrap();
    StatusCode::from_u16(status).unwrap().into_response()
}

impl Endpoint {
    async fn start() -> (Self, String) {
        let e = Endpoint {
            received: Default::default(),
            validation: Arc::new(Mutex::new(Validation::Echo)),
            status: Arc::new(Mutex::new(202)),
        };
        let app = axum::Router::new()
            .fallback(endpoint_handler)
            .with_state(e.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (e, format!("http://127.0.0.1:{}", addr.port()))
    }

    fn notifications(&self) -> Vec<Value> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.query.is_none())
            .map(|r| serde_json::from_str(&r.body).unwrap())
            .collect()
    }

    fn validations(&self) -> Vec<Received> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.query.is_some())
            .cloned()
            .collect()
    }

    /// Waits (in real time, for the delivery worker) until `n` notifications arrived.
    async fn wait_for(&self, n: usize) -> Vec<Value> {
        for _ in 0..200 {
            let got = self.notifications();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("expected {n} notifications, got {:?}", self.notifications());
    }
}

const ROLES: [&str; 3] = [
    "OnlineMeetings.ReadWrite.All",
    "OnlineMeetingTranscript.Read.All",
    "OnlineMeetingRecording.Read.All",
];

struct Fixture {
    t: TestServer,
    organizer: String,
    tenant: String,
}

impl Fixture {
    async fn new(database_url: Option<String>) -> Self {
        Self::in_dir(tempfile::tempdir().unwrap(), database_url).await
    }

    async fn in_dir(dir: tempfile::TempDir, database_url: Option<String>) -> Self {
        let t = TestServer::start_with(dir, |c| {
            c.database_url = database_url;
            c.manual_clock = true;
            c.notification_loopback_hosts = vec!["127.0.0.1".to_owned()];
        })
        .await;
        let tenant = t.cred("tenant_id");
        let (s, body) = t
            .admin(
                Method::POST,
                "/admin/consents",
                Some(json!({"tenant": tenant, "app_id": t.cred("client_id"), "roles": ROLES})),
            )
            .await;
        assert!(s == 200 || s == 201, "{s} {body}");
        Self {
            organizer: t.cred("user_id"),
            tenant,
            t,
        }
    }

    /// A fresh token of the dev app (the virtual clock expires old ones).
    async fn token(&self) -> String {
        self.t.app_token().await
    }

    async fn subscribe(&self, body: Value) -> (u16, Value) {
        let (s, _, b) = self
            .t
            .graph(
                Some(&self.token().await),
                Method::POST,
                "/v1.0/subscriptions",
                Some(body),
            )
            .await;
        (s, b)
    }

    async fn now(&self) -> chrono::DateTime<chrono::Utc> {
        let (s, body) = self.t.admin(Method::GET, "/admin/clock", None).await;
        assert_eq!(s, 200, "{body}");
        chrono::DateTime::parse_from_rfc3339(body["now"].as_str().unwrap())
            .unwrap()
            .with_timezone(&chrono::Utc)
    }

    async fn advance(&self, by: &str) {
        let (s, body) = self
            .t
            .admin(Method::POST, "/admin/clock", Some(json!({"advance": by})))
            .await;
        assert_eq!(s, 200, "{body}");
    }

    async fn body(&self, url: &str, resource: &str, minutes: i64) -> Value {
        let exp = self.now().await + chrono::Duration::minutes(minutes);
        json!({
            "changeType": "created",
            "notificationUrl": format!("{url}/notify"),
            "lifecycleNotificationUrl": format!("{url}/lifecycle"),
            "resource": resource,
            "expirationDateTime": exp.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "clientState": "secretClientValue",
        })
    }

    fn all_transcripts(&self) -> String {
        format!("users/{}/onlineMeetings/getAllTranscripts", self.organizer)
    }
}

#[tokio::test]
async fn the_validation_handshake_decides_whether_a_subscription_is_made() {
    on_every_backend(|db| async move {
        let f = Fixture::new(db).await;
        let (endpoint, url) = Endpoint::start().await;
        let (s, created) = f.subscribe(f.body(&url, &f.all_transcripts(), 120).await).await;
        assert_eq!(s, 201, "{created}");
        assert_eq!(
            created["@odata.context"],
            f.t.url("/v1.0/$metadata#subscriptions/$entity")
        );
        assert_eq!(created["resource"], f.all_transcripts());
        assert_eq!(created["applicationId"], f.t.cred("client_id"));
        assert_eq!(created["changeType"], "created");
        assert_eq!(created["clientState"], "secretClientValue");
        assert_eq!(created["latestSupportedTlsVersion"], "v1_2");
        assert_eq!(created["notificationContentType"], "application/json");
        // Both URLs were validated: text/plain POSTs with a token, each answered with it.
        let v = endpoint.validations();
        assert_eq!(v.len(), 2, "{v:?}");
        assert!(v[0].content_type.starts_with("text/plain"), "{v:?}");
        assert!(v[0].query.as_deref().unwrap().starts_with("validationToken="));

        // GET, list.
        let id = created["id"].as_str().unwrap();
        let (s, _, got) = f
            .t
            .graph(Some(&f.token().await), Method::GET, &format!("/v1.0/subscriptions/{id}"), None)
            .await;
        assert_eq!(s, 200, "{got}");
        assert_eq!(got["id"], id);
        let (s, _, list) = f
            .t
            .graph(Some(&f.token().await), Method::GET, "/beta/subscriptions", None)
            .await;
        assert_eq!(s, 200, "{list}");
        assert_eq!(list["value"].as_array().unwrap().len(), 1);

        // An endpoint that does not answer 200 refuses the subscription.
        *endpoint.validation.lock().unwrap() = Validation::Status(500);
        let (s, body) = f.subscribe(f.body(&url, &f.all_transcripts(), 30).await).await;
        assert_eq!(s, 400, "{body}");
        assert_eq!(body["error"]["code"], "ValidationError");
        assert_eq!(
            body["error"]["message"],
            "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request."
        );
        // One that does not echo the token.
        *endpoint.validation.lock().unwrap() = Validation::Wrong;
        let (s, body) = f.subscribe(f.body(&url, &f.all_transcripts(), 30).await).await;
        assert_eq!(s, 400, "{body}");
        assert_eq!(
            body["error"]["message"],
            "Subscription validation request failed. Response must exactly match validationToken query parameter."
        );
        // http to a host not allowed.
        *endpoint.validation.lock().unwrap() = Validation::Echo;
        let other = url.replace("127.0.0.1", "localhost");
        let (s, body) = f.subscribe(f.body(&other, &f.all_transcripts(), 30).await).await;
        assert_eq!(s, 400, "{body}");
        assert_eq!(
            body["error"]["message"],
            "NotificationUrl scheme='http' is not supported."
        );
        // Nothing unreachable.
        let (s, body) = f
            .subscribe(f.body("http://127.0.0.1:9", &f.all_transcripts(), 30).await)
            .await;
        assert_eq!(s, 400, "{body}");
        assert_eq!(body["error"]["code"], "ValidationError");
        // Missing property.
        let (s, body) = f
            .subscribe(json!({"changeType": "created", "notificationUrl": format!("{url}/n"), "resource": f.all_transcripts()}))
            .await;
        assert_eq!(s, 400, "{body}");
        assert_eq!(
            body["error"]["message"],
            "expirationDateTime is a required property for subscription creation."
        );
        // A resource not served.
        let (s, body) = f
            .subscribe(f.body(&url, "me/mailFolders('Inbox')/messages", 30).await)
            .await;
        assert_eq!(s, 400, "{body}");
        // Only one subscription exists still.
        let (_, _, list) = f
            .t
            .graph(Some(&f.token().await), Method::GET, "/v1.0/subscriptions", None)
            .await;
        assert_eq!(list["value"].as_array().unwrap().len(), 1);
        // DELETE.
        let (s, _, _) = f
            .t
            .graph(Some(&f.token().await), Method::DELETE, &format!("/v1.0/subscriptions/{id}"), None)
            .await;
        assert_eq!(s, 204);
        let (s, _, body) = f
            .t
            .graph(Some(&f.token().await), Method::GET, &format!("/v1.0/subscriptions/{id}"), None)
            .await;
        assert_eq!(s, 404, "{body}");
        f.t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn lifetimes_are_the_documented_maximum_and_renewal_follows_the_virtual_clock() {
    on_every_backend(|db| async move {
        let f = Fixture::new(db).await;
        let (_endpoint, url) = Endpoint::start().await;
        // 4,320 minutes is the maximum for meeting resources.
        let (s, body) = f.subscribe(f.body(&url, &f.all_transcripts(), 4321).await).await;
        assert_eq!(s, 400, "{body}");
        assert_eq!(body["error"]["code"], "ExtensionError");
        assert_eq!(
            body["error"]["message"],
            "Subscription expiration can only be 4320 minutes in the future."
        );
        // Over an hour needs a lifecycle URL.
        let mut no_lifecycle = f.body(&url, &f.all_transcripts(), 61).await;
        no_lifecycle
            .as_object_mut()
            .unwrap()
            .remove("lifecycleNotificationUrl");
        let (s, body) = f.subscribe(no_lifecycle.clone()).await;
        assert_eq!(s, 400, "{body}");
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("lifecycleNotificationUrl is required"));
        // Within the hour it does not.
        let mut short = f.body(&url, &f.all_transcripts(), 60).await;
        short.as_object_mut().unwrap().remove("lifecycleNotificationUrl");
        let (s, body) = f.subscribe(short).await;
        assert_eq!(s, 201, "{body}");
        let (s, created) = f.subscribe(f.body(&url, &f.all_transcripts(), 4320).await).await;
        assert_eq!(s, 201, "{created}");
        let id = created["id"].as_str().unwrap().to_owned();

        // Three days pass: a renewal of another 4,320 minutes from now is accepted.
        f.advance("PT4000M").await;
        let new_exp = f.now().await + chrono::Duration::minutes(4320);
        let (s, _, renewed) = f
            .t
            .graph(
                Some(&f.token().await),
                Method::PATCH,
                &format!("/v1.0/subscriptions/{id}"),
                Some(json!({"expirationDateTime": new_exp.to_rfc3339()})),
            )
            .await;
        assert_eq!(s, 200, "{renewed}");
        let renewed_at = chrono::DateTime::parse_from_rfc3339(
            renewed["expirationDateTime"].as_str().unwrap(),
        )
        .unwrap();
        assert_eq!(renewed_at.timestamp(), new_exp.timestamp());
        // Beyond the maximum: refused.
        let (s, _, body) = f
            .t
            .graph(
                Some(&f.token().await),
                Method::PATCH,
                &format!("/v1.0/subscriptions/{id}"),
                Some(json!({"expirationDateTime": (new_exp + chrono::Duration::minutes(5)).to_rfc3339()})),
            )
            .await;
        assert_eq!(s, 400, "{body}");
        // The short one has expired: gone.
        let (_, _, list) = f
            .t
            .graph(Some(&f.token().await), Method::GET, "/v1.0/subscriptions", None)
            .await;
        assert_eq!(list["value"].as_array().unwrap().len(), 1, "{list}");
        // And once the renewed one expires, it is gone too.
        f.advance("PT4321M").await;
        let (s, _, body) = f
            .t
            .graph(Some(&f.token().await), Method::GET, &format!("/v1.0/subscriptions/{id}"), None)
            .await;
        assert_eq!(s, 404, "{body}");
        f.t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn subscribing_needs_the_resource_permission_and_for_a_users_meetings_the_access_policy() {
    on_every_backend(|db| async move {
        let f = Fixture::new(db).await;
        let (_endpoint, url) = Endpoint::start().await;
        // A second app with no roles at all.
        let (s, app) = f
            .t
            .admin(
                Method::POST,
                "/admin/apps",
                Some(json!({"tenant": f.tenant, "display_name": "Listener"})),
            )
            .await;
        assert_eq!(s, 201, "{app}");
        let app_id = app["app_id"].as_str().unwrap().to_owned();
        let (s, secret) = f
            .t
            .admin(
                Method::POST,
                &format!("/admin/apps/{app_id}/secrets"),
                Some(json!({"display_name": "s"})),
            )
            .await;
        assert_eq!(s, 201, "{secret}");
        let (s, _) = f
            .t
            .admin(
                Method::POST,
                "/admin/consents",
                Some(json!({"tenant": f.tenant, "app_id": app_id, "roles": ["OnlineMeetings.Read.All"]})),
            )
            .await;
        assert!(s == 200 || s == 201);
        let (s, _, token) = f
            .t
            .token_form(
                &f.tenant,
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", &app_id),
                    ("client_secret", secret["secret_text"].as_str().unwrap()),
                    ("scope", "https://graph.microsoft.com/.default"),
                ],
            )
            .await;
        assert_eq!(s, 200, "{token}");
        let other = token["access_token"].as_str().unwrap().to_owned();
        let (s, _, body) = f
            .t
            .graph(
                Some(&other),
                Method::POST,
                "/v1.0/subscriptions",
                Some(f.body(&url, "communications/onlineMeetings/getAllTranscripts", 30).await),
            )
            .await;
        assert_eq!(s, 403, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("OnlineMeetingTranscript.Read.All"),
            "{body}"
        );
        // Give it the transcript role: tenant-wide needs no policy ...
        let (s, _) = f
            .t
            .admin(
                Method::POST,
                "/admin/consents",
                Some(json!({"tenant": f.tenant, "app_id": app_id, "roles": ["OnlineMeetings.Read.All", "OnlineMeetingTranscript.Read.All"]})),
            )
            .await;
        assert!(s == 200 || s == 201);
        let (_, _, token) = f
            .t
            .token_form(
                &f.tenant,
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", &app_id),
                    ("client_secret", secret["secret_text"].as_str().unwrap()),
                    ("scope", "https://graph.microsoft.com/.default"),
                ],
            )
            .await;
        let other = token["access_token"].as_str().unwrap().to_owned();
        let (s, _, body) = f
            .t
            .graph(
                Some(&other),
                Method::POST,
                "/v1.0/subscriptions",
                Some(f.body(&url, "communications/onlineMeetings/getAllTranscripts", 30).await),
            )
            .await;
        assert_eq!(s, 201, "{body}");
        // ... but a user's meetings need the application access policy, which lists only the
        // dev app.
        let (s, _, body) = f
            .t
            .graph(
                Some(&other),
                Method::POST,
                "/v1.0/subscriptions",
                Some(f.body(&url, &f.all_transcripts(), 30).await),
            )
            .await;
        assert_eq!(s, 403, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("application access policy"),
            "{body}"
        );
        // The dev app, listed in the policy granted to the organizer, may.
        let (s, body) = f.subscribe(f.body(&url, &f.all_transcripts(), 30).await).await;
        assert_eq!(s, 201, "{body}");
        // The other app does not see (or delete) the dev app's subscription.
        let id = body["id"].as_str().unwrap();
        let (s, _, _) = f
            .t
            .graph(Some(&other), Method::DELETE, &format!("/v1.0/subscriptions/{id}"), None)
            .await;
        assert_eq!(s, 404);
        // Call events need OnlineMeetings.Read.All and the organizer's policy too.
        let (s, _, meeting) = f
            .t
            .graph(
                Some(&f.token().await),
                Method::POST,
                &format!("/v1.0/users/{}/onlineMeetings", f.organizer),
                Some(json!({"subject": "events"})),
            )
            .await;
        assert_eq!(s, 201, "{meeting}");
        let join = meeting["joinWebUrl"].as_str().unwrap();
        let mut events = f
            .body(
                &url,
                &format!("communications/onlineMeetings(joinWebUrl='{join}')/meetingCallEvents"),
                30,
            )
            .await;
        events["changeType"] = json!("updated");
        let (s, _, body) = f
            .t
            .graph(Some(&f.token().await), Method::POST, "/beta/subscriptions", Some(events.clone()))
            .await;
        assert_eq!(s, 201, "{body}");
        // One per app per meeting.
        let (s, _, body) = f
            .t
            .graph(Some(&f.token().await), Method::POST, "/beta/subscriptions", Some(events.clone()))
            .await;
        assert_eq!(s, 409, "{body}");
        let (s, _, body) = f
            .t
            .graph(Some(&other), Method::POST, "/beta/subscriptions", Some(events))
            .await;
        assert_eq!(s, 403, "{body}");
        f.t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn lifecycle_notifications_are_retried_with_backoff_on_the_virtual_clock() {
    on_every_backend(|db| async move {
        let f = Fixture::new(db).await;
        let (endpoint, url) = Endpoint::start().await;
        let (s, created) = f
            .subscribe(f.body(&url, &f.all_transcripts(), 4320).await)
            .await;
        assert_eq!(s, 201, "{created}");
        let id = created["id"].as_str().unwrap().to_owned();
        // The endpoint fails from now on.
        *endpoint.status.lock().unwrap() = 503;
        // Nothing is due yet.
        tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        assert!(endpoint.notifications().is_empty());
        // 12 hours before expiry: reauthorizationRequired.
        f.advance("PT3600M").await;
        let first = endpoint.wait_for(1).await;
        assert_eq!(
            first[0]["value"][0]["lifecycleEvent"],
            "reauthorizationRequired"
        );
        assert_eq!(first[0]["value"][0]["subscriptionId"], id.as_str());
        assert_eq!(first[0]["value"][0]["clientState"], "secretClientValue");
        assert_eq!(first[0]["value"][0]["tenantId"], f.tenant.as_str());
        assert!(first[0]["value"][0].get("resource").is_none());
        // It failed: retried after 30 s of virtual time, not before.
        tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        assert_eq!(endpoint.notifications().len(), 1);
        f.advance("PT29S").await;
        tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        assert_eq!(endpoint.notifications().len(), 1);
        f.advance("PT1S").await;
        endpoint.wait_for(2).await;
        // Then after 60 s more.
        f.advance("PT59S").await;
        tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        assert_eq!(endpoint.notifications().len(), 2);
        *endpoint.status.lock().unwrap() = 202;
        f.advance("PT1S").await;
        let got = endpoint.wait_for(3).await;
        assert_eq!(got[2], got[0], "the same notification, again");
        // Delivered: no more attempts.
        f.advance("PT10M").await;
        tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        assert_eq!(endpoint.notifications().len(), 3);
        // The next notice at 6 hours before expiry.
        f.advance("PT360M").await;
        let got = endpoint.wait_for(4).await;
        assert_eq!(
            got[3]["value"][0]["lifecycleEvent"],
            "reauthorizationRequired"
        );
        // Renewing moves the schedule: nothing until 12 hours before the new expiry.
        let new_exp = f.now().await + chrono::Duration::minutes(4320);
        let (s, _, _) =
            f.t.graph(
                Some(&f.token().await),
                Method::PATCH,
                &format!("/v1.0/subscriptions/{id}"),
                Some(json!({"expirationDateTime": new_exp.to_rfc3339()})),
            )
            .await;
        assert_eq!(s, 200);
        f.advance("PT300M").await;
        tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        assert_eq!(endpoint.notifications().len(), 4);
        f.t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn a_notification_never_delivered_is_dropped_after_four_hours() {
    on_every_backend(|db| async move {
        let f = Fixture::new(db).await;
        let (endpoint, url) = Endpoint::start().await;
        let (lifecycle_endpoint, lifecycle_url) = Endpoint::start().await;
        let mut body = f.body(&url, &f.all_transcripts(), 4320).await;
        body["lifecycleNotificationUrl"] = json!(format!("{lifecycle_url}/lifecycle"));
        let (s, created) = f.subscribe(body).await;
        assert_eq!(s, 201, "{created}");
        // The lifecycle endpoint is down for the reauthorization notice ...
        *lifecycle_endpoint.status.lock().unwrap() = 500;
        f.advance("PT3600M").await;
        lifecycle_endpoint.wait_for(1).await;
        // ... for four hours, in 10-minute steps at most: one attempt per step, until one
        // more would fall after the four hours.
        let mut attempts = lifecycle_endpoint.notifications().len();
        for _ in 0..40 {
            f.advance("PT10M").await;
            let before = attempts;
            for _ in 0..30 {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                attempts = lifecycle_endpoint.notifications().len();
                if attempts > before {
                    break;
                }
            }
            if attempts == before {
                break;
            }
        }
        // 30 s, 1, 2, 4, 8 minutes, then every 10 minutes: 24 retries fit in 4 hours.
        assert!((20..=26).contains(&attempts), "{attempts} attempts");
        f.advance("PT1H").await;
        tokio::time::sleep(std::time::Duration::from_millis(800)).await;
        assert_eq!(
            lifecycle_endpoint.notifications().len(),
            attempts,
            "given up"
        );
        assert!(endpoint.notifications().is_empty());
        f.t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn the_outbox_survives_a_restart() {
    on_every_backend(|db| async move {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        let f = Fixture::in_dir(dir, db.clone()).await;
        let (endpoint, url) = Endpoint::start().await;
        let (s, created) = f
            .subscribe(f.body(&url, &f.all_transcripts(), 4320).await)
            .await;
        assert_eq!(s, 201, "{created}");
        let start = f.now().await;
        *endpoint.status.lock().unwrap() = 503;
        f.advance("PT3600M").await;
        endpoint.wait_for(1).await;
        // Down; the server stops.
        let Fixture { t, .. } = f;
        let TestServer { server, dir, .. } = t;
        server.shutdown().await;
        assert_eq!(dir.path(), path);
        *endpoint.status.lock().unwrap() = 202;
        // A new server on the same data (its virtual clock starts at the system time again).
        let f = Fixture::in_dir(dir, db).await;
        let (s, body) =
            f.t.admin(
                Method::POST,
                "/admin/clock",
                Some(json!({"set": (start + chrono::Duration::minutes(3601)).to_rfc3339()})),
            )
            .await;
        assert_eq!(s, 200, "{body}");
        let got = endpoint.wait_for(2).await;
        assert_eq!(got[1], got[0]);
        assert_eq!(
            got[1]["value"][0]["lifecycleEvent"],
            "reauthorizationRequired"
        );
        f.t.server.shutdown().await;
    })
    .await;
}

/// Decrypts `encryptedContent` as a subscriber does (C.6): RSA-OAEP-SHA1 key, HMAC-SHA256
/// signature, AES-256-CBC with the key's first 16 bytes as IV.
fn decrypt(content: &Value, key_pkcs8: &[u8]) -> Value {
    use aws_lc_rs::cipher::{
        DecryptionContext, PaddedBlockDecryptingKey, UnboundCipherKey, AES_256,
    };
    use aws_lc_rs::rsa::{OaepPrivateDecryptingKey, PrivateDecryptingKey, OAEP_SHA1_MGF1SHA1};
    let b = |name: &str| graphmeet_wire::b64::std_decode(content[name].as_str().unwrap()).unwrap();
    let private =
        OaepPrivateDecryptingKey::new(PrivateDecryptingKey::from_pkcs8(key_pkcs8).unwrap())
            .unwrap();
    let mut out = vec![0u8; private.min_output_size()];
    let symmetric = private
        .decrypt(&OAEP_SHA1_MGF1SHA1, &b("dataKey"), &mut out, None)
        .unwrap()
        .to_vec();
    assert_eq!(symmetric.len(), 32);
    let data = b("data");
    aws_lc_rs::hmac::verify(
        &aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &symmetric),
        &data,
        &b("dataSignature"),
    )
    .expect("dataSignature");
    let cipher =
        PaddedBlockDecryptingKey::cbc_pkcs7(UnboundCipherKey::new(&AES_256, &symmetric).unwrap())
            .unwrap();
    let iv: [u8; 16] = symmetric[..16].try_into().unwrap();
    let mut buffer = data;
    let plain = cipher
        .decrypt(
            &mut buffer,
            DecryptionContext::Iv128(aws_lc_rs::iv::FixedLength::from(iv)),
        )
        .unwrap();
    serde_json::from_slice(plain).unwrap()
}

#[tokio::test]
async fn a_played_meeting_notifies_its_transcript_encrypted_its_recording_and_its_call_events() {
    on_every_backend(|db| async move {
        let f = Fixture::new(db).await;
        let (endpoint, url) = Endpoint::start().await;
        let now = chrono::Utc::now();
        let pem_text = graphmeet_core::crypto::KeyAndCertificate::generate(
            "subscriber",
            now - chrono::Duration::days(1),
            now + chrono::Duration::days(30),
        )
        .unwrap()
        .to_pem();
        let blocks = pem::parse_many(&pem_text).unwrap();
        let cert = blocks.iter().find(|b| b.tag() == "CERTIFICATE").unwrap();
        let key = blocks.iter().find(|b| b.tag() == "PRIVATE KEY").unwrap();
        let cert_b64 = graphmeet_wire::b64::std_encode(cert.contents());

        // A rich subscription to the organizer's transcripts ...
        let mut rich = f.body(&url, &f.all_transcripts(), 120).await;
        rich["includeResourceData"] = json!(true);
        rich["encryptionCertificate"] = json!(cert_b64);
        rich["encryptionCertificateId"] = json!("subscriber-cert");
        let (s, transcripts) = f.subscribe(rich).await;
        assert_eq!(s, 201, "{transcripts}");
        assert_eq!(transcripts["encryptionCertificateId"], "subscriber-cert");
        assert_eq!(transcripts["encryptionCertificate"], Value::Null);
        // ... a basic one to the tenant's recordings ...
        let mut basic = f
            .body(&url, "communications/onlineMeetings/getAllRecordings", 120)
            .await;
        basic["clientState"] = json!("recordings");
        let (s, recordings) = f.subscribe(basic).await;
        assert_eq!(s, 201, "{recordings}");
        // ... and, on beta, to a meeting's call events, rich.
        let (s, _, meeting) = f
            .t
            .graph(
                Some(&f.token().await),
                Method::POST,
                &format!("/v1.0/users/{}/onlineMeetings", f.organizer),
                Some(json!({"subject": "Notified"})),
            )
            .await;
        assert_eq!(s, 201, "{meeting}");
        let meeting_id = meeting["id"].as_str().unwrap().to_owned();
        let join = meeting["joinWebUrl"].as_str().unwrap().to_owned();
        let mut events = f
            .body(
                &url,
                &format!("communications/onlineMeetings(joinWebUrl='{join}')/meetingCallEvents"),
                120,
            )
            .await;
        events["changeType"] = json!("updated");
        events["includeResourceData"] = json!(true);
        events["encryptionCertificate"] = json!(cert_b64);
        events["encryptionCertificateId"] = json!("subscriber-cert");
        let (s, _, calls) = f
            .t
            .graph(Some(&f.token().await), Method::POST, "/beta/subscriptions", Some(events))
            .await;
        assert_eq!(s, 201, "{calls}");

        // The meeting is played: 30 minutes, transcribed and recorded.
        let (s, view) = f
            .t
            .admin(
                Method::POST,
                &format!("/admin/meetings/{meeting_id}/play"),
                Some(json!({
                    "participants": [{"user": "organizer@graphmeetdev.onmicrosoft.com", "join": "PT0S", "leave": "PT30M"}],
                    "utterances": [{"speaker": "organizer@graphmeetdev.onmicrosoft.com", "at": "PT5S", "text": "Hello."}]
                })),
            )
            .await;
        assert_eq!(s, 201, "{view}");
        // The call started, and its roster: now.
        let got = endpoint.wait_for(2).await;
        assert!(got.iter().all(|n| n["value"][0]["subscriptionId"] == calls["id"]), "{got:?}");
        tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        assert_eq!(endpoint.notifications().len(), 2, "transcripts wait for the end");
        let started = &got[0]["value"][0];
        assert_eq!(started["changeType"], "updated");
        assert_eq!(started["resourceData"]["@odata.type"], "#microsoft.graph.callevent");
        assert_eq!(started["organizationId"], f.tenant.as_str());
        let event = decrypt(&started["encryptedContent"], key.contents());
        assert_eq!(event["eventType"], "callStarted");
        let roster = decrypt(&got[1]["value"][0]["encryptedContent"], key.contents());
        assert_eq!(roster["eventType"], "rosterUpdated");
        assert_eq!(
            roster["participants@delta"][0]["info"]["identity"]["user"]["id"],
            f.organizer.as_str()
        );

        // Once it has ended: callEnded, the transcript and the recording.
        f.advance("PT30M").await;
        let got = endpoint.wait_for(5).await;
        let find = |pred: &dyn Fn(&Value) -> bool| {
            got.iter()
                .map(|n| &n["value"][0])
                .find(|n| pred(n))
                .cloned()
                .unwrap_or_else(|| panic!("{got:?}"))
        };
        let transcript = find(&|n| n["subscriptionId"] == transcripts["id"]);
        let recording = find(&|n| n["subscriptionId"] == recordings["id"]);
        let _ended = find(&|n| {
            n["subscriptionId"] == calls["id"]
                && decrypt(&n["encryptedContent"], key.contents())["eventType"] == "callEnded"
        });
        // The transcript, as Graph notifies it (C.7) and as the API lists it.
        let (s, _, listed) = f
            .t
            .graph(
                Some(&f.token().await),
                Method::GET,
                &format!("/v1.0/users/{}/onlineMeetings/{meeting_id}/transcripts", f.organizer),
                None,
            )
            .await;
        assert_eq!(s, 200, "{listed}");
        let transcript_id = listed["value"][0]["id"].as_str().unwrap();
        assert_eq!(transcript["changeType"], "created");
        assert_eq!(transcript["clientState"], "secretClientValue");
        assert_eq!(transcript["tenantId"], f.tenant.as_str());
        assert_eq!(
            transcript["resource"],
            format!("communications/onlineMeetings('{meeting_id}')/transcripts('{transcript_id}')")
        );
        assert_eq!(transcript["resourceData"]["id"], transcript_id);
        assert_eq!(
            transcript["resourceData"]["@odata.type"],
            "#Microsoft.Graph.callTranscript"
        );
        assert!(transcript["subscriptionExpirationDateTime"]
            .as_str()
            .unwrap()
            .ends_with("+00:00"));
        let content = &transcript["encryptedContent"];
        assert_eq!(content["encryptionCertificateId"], "subscriber-cert");
        assert_eq!(
            content["encryptionCertificateThumbprint"],
            graphmeet_core::crypto::sha1(cert.contents())
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect::<String>()
        );
        let data = decrypt(content, key.contents());
        assert_eq!(data["id"], transcript_id);
        assert_eq!(data["meetingId"], meeting_id.as_str());
        assert_eq!(
            data["transcriptContentUrl"],
            format!("communications/onlineMeetings/{meeting_id}/transcripts/{transcript_id}/content")
        );
        assert_eq!(data["meetingOrganizer"]["user"]["id"], f.organizer.as_str());
        // Its validation token: for this app, from Graph's notification app, in the tenant.
        let body = got
            .iter()
            .find(|n| n["value"][0]["subscriptionId"] == transcripts["id"])
            .unwrap();
        let tokens = body["validationTokens"].as_array().unwrap();
        assert_eq!(tokens.len(), 1);
        let claims = graphmeet_testkit::assertion::claims(tokens[0].as_str().unwrap());
        assert_eq!(claims["aud"], f.t.cred("client_id"));
        assert_eq!(claims["appid"], "0bf30f3b-4a52-48df-9a82-234910c4a086");
        assert_eq!(
            claims["iss"],
            format!("https://sts.windows.net/{}/", f.tenant)
        );
        // The recording: basic, no resource data.
        assert_eq!(recording["clientState"], "recordings");
        assert_eq!(
            recording["resourceData"]["@odata.type"],
            "#Microsoft.Graph.callRecording"
        );
        assert!(recording.get("encryptedContent").is_none());
        f.t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn a_transcript_notification_never_taken_is_dropped_after_four_hours_and_missed_is_sent() {
    on_every_backend(|db| async move {
        let f = Fixture::new(db).await;
        let (endpoint, url) = Endpoint::start().await;
        let (lifecycle, lifecycle_url) = Endpoint::start().await;
        let mut body = f.body(&url, &f.all_transcripts(), 4320).await;
        body["lifecycleNotificationUrl"] = json!(format!("{lifecycle_url}/lifecycle"));
        let (s, created) = f.subscribe(body).await;
        assert_eq!(s, 201, "{created}");
        *endpoint.status.lock().unwrap() = 500;
        let (s, _, meeting) = f
            .t
            .graph(
                Some(&f.token().await),
                Method::POST,
                &format!("/v1.0/users/{}/onlineMeetings", f.organizer),
                Some(json!({"subject": "Missed"})),
            )
            .await;
        assert_eq!(s, 201, "{meeting}");
        let (s, view) = f
            .t
            .admin(
                Method::POST,
                &format!("/admin/meetings/{}/play", meeting["id"].as_str().unwrap()),
                Some(json!({"participants": [{"user": "organizer@graphmeetdev.onmicrosoft.com", "join": "PT0S", "leave": "PT10M"}]})),
            )
            .await;
        assert_eq!(s, 201, "{view}");
        f.advance("PT10M").await;
        endpoint.wait_for(1).await;
        // Failing for four hours, one attempt per 10-minute step at most.
        let mut attempts = endpoint.notifications().len();
        for _ in 0..40 {
            f.advance("PT10M").await;
            let before = attempts;
            for _ in 0..30 {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                attempts = endpoint.notifications().len();
                if attempts > before {
                    break;
                }
            }
            if attempts == before {
                break;
            }
        }
        assert!((20..=26).contains(&attempts), "{attempts} attempts");
        // Dropped: `missed` to the lifecycle URL, with the subscription's clientState.
        let got = lifecycle.wait_for(1).await;
        assert_eq!(got[0]["value"][0]["lifecycleEvent"], "missed");
        assert_eq!(got[0]["value"][0]["subscriptionId"], created["id"]);
        assert_eq!(got[0]["value"][0]["clientState"], "secretClientValue");
        f.t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn a_subscription_whose_app_lost_the_access_policy_is_removed_with_subscription_removed() {
    on_every_backend(|db| async move {
        let f = Fixture::new(db).await;
        let (endpoint, url) = Endpoint::start().await;
        let (s, created) = f.subscribe(f.body(&url, &f.all_transcripts(), 120).await).await;
        assert_eq!(s, 201, "{created}");
        let (s, _, meeting) = f
            .t
            .graph(
                Some(&f.token().await),
                Method::POST,
                &format!("/v1.0/users/{}/onlineMeetings", f.organizer),
                Some(json!({"subject": "Revoked"})),
            )
            .await;
        assert_eq!(s, 201, "{meeting}");
        // The tenant removes the policy that let the app act for the organizer.
        let (s, body) = f
            .t
            .admin(
                Method::DELETE,
                &format!("/admin/policies/graphmeet-dev-meetings?tenant={}", f.tenant),
                None,
            )
            .await;
        assert!(s == 204 || s == 200, "{s} {body}");
        let (s, view) = f
            .t
            .admin(
                Method::POST,
                &format!("/admin/meetings/{}/play", meeting["id"].as_str().unwrap()),
                Some(json!({"participants": [{"user": "organizer@graphmeetdev.onmicrosoft.com", "join": "PT0S", "leave": "PT10M"}]})),
            )
            .await;
        assert_eq!(s, 201, "{view}");
        // No transcript notification; subscriptionRemoved to the lifecycle URL instead.
        let got = endpoint.wait_for(1).await;
        assert_eq!(got[0]["value"][0]["lifecycleEvent"], "subscriptionRemoved");
        assert_eq!(got[0]["value"][0]["subscriptionId"], created["id"]);
        f.advance("PT10M").await;
        tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        assert_eq!(endpoint.notifications().len(), 1);
        let (_, _, list) = f
            .t
            .graph(Some(&f.token().await), Method::GET, "/v1.0/subscriptions", None)
            .await;
        assert_eq!(list["value"], json!([]), "{list}");
        f.t.server.shutdown().await;
    })
    .await;
}
