//! `graphmeet subscription …` (create, list, get, renew, delete change-notification
//! subscriptions as the application, through the SDK) and `graphmeet listen` (a local
//! endpoint that answers Graph's validation handshake, decrypts rich notifications with a
//! private key and prints each notification as one JSON line).

use anyhow::Context as _;
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use graphmeet_client::subscriptions::{
    decrypt_content, DecryptionKey, NewSubscription, Subscription,
};
use graphmeet_wire::graph::GraphDateTime;
use serde::Serialize;
use serde_json::{json, Value};
use std::sync::Arc;

use crate::args::{GlobalArgs, ListenArgs, OutputFormat, SubscriptionArgs, SubscriptionCommand};
use crate::connect;
use crate::output::{print, write_stdout, Render};

/// A subscription, printed.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct SubscriptionView(pub Subscription);

impl Render for SubscriptionView {
    fn table(&self) -> String {
        let s = &self.0;
        format!(
            "id: {}\nresource: {}\nchangeType: {}\nnotificationUrl: {}\nlifecycleNotificationUrl: {}\nexpirationDateTime: {}\nclientState: {}\n",
            s.id,
            s.resource,
            s.change_type,
            s.notification_url,
            s.lifecycle_notification_url.as_deref().unwrap_or("-"),
            s.expiration_date_time,
            s.client_state.as_deref().unwrap_or("-"),
        )
    }
}

/// Subscriptions, printed.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct SubscriptionList(pub Vec<Subscription>);

impl Render for SubscriptionList {
    fn table(&self) -> String {
        let mut out = String::from("ID  EXPIRES  RESOURCE\n");
        for s in &self.0 {
            out.push_str(&format!(
                "{}  {}  {}\n",
                s.id, s.expiration_date_time, s.resource
            ));
        }
        out
    }
}

/// The outcome of `subscription delete`.
#[derive(Debug, Serialize)]
pub struct SubscriptionDeleted {
    /// The id.
    pub id: String,
    /// Always true.
    pub deleted: bool,
}

impl Render for SubscriptionDeleted {
    fn table(&self) -> String {
        format!("deleted subscription {}\n", self.id)
    }
}

fn expiry(expires_in: Option<chrono::Duration>, expiration: Option<GraphDateTime>) -> String {
    match expiration {
        Some(at) => at.to_wire(),
        None => GraphDateTime::new(
            chrono::Utc::now() + expires_in.unwrap_or_else(|| chrono::Duration::minutes(60)),
        )
        .to_wire(),
    }
}

/// Reads a certificate file (PEM or DER) as the base64 DER Graph wants.
fn certificate_base64(path: &std::path::Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let der = match std::str::from_utf8(&bytes) {
        Ok(text) if text.contains("-----BEGIN") => pem::parse_many(text)?
            .into_iter()
            .find(|b| b.tag() == "CERTIFICATE")
            .with_context(|| format!("{} holds no CERTIFICATE block", path.display()))?
            .into_contents(),
        _ => bytes,
    };
    Ok(graphmeet_wire::b64::std_encode(der))
}

/// `graphmeet subscription …`.
pub async fn exec(global: &GlobalArgs, args: SubscriptionArgs) -> anyhow::Result<()> {
    let app = connect::app(global, &args.app)?;
    let (client, tenant) = (&app.client, &app.tenant);
    let format: OutputFormat = global.output;
    match args.command {
        SubscriptionCommand::Create {
            resource,
            notification_url,
            lifecycle_url,
            change_type,
            expires_in,
            expiration,
            client_state,
            encryption_certificate,
            encryption_certificate_id,
        } => {
            let new = NewSubscription {
                change_type,
                notification_url,
                lifecycle_notification_url: lifecycle_url,
                expiration_date_time: expiry(expires_in, expiration),
                client_state,
                encryption_certificate: encryption_certificate
                    .as_deref()
                    .map(certificate_base64)
                    .transpose()?,
                encryption_certificate_id,
                resource: resource.clone(),
            };
            let created = client
                .create_subscription(tenant, &new)
                .await
                .with_context(|| format!("subscribing to '{resource}'"))?;
            print(&SubscriptionView(created), format)
        }
        SubscriptionCommand::List => {
            let all = client
                .list_subscriptions(tenant)
                .await
                .context("listing subscriptions")?;
            print(&SubscriptionList(all), format)
        }
        SubscriptionCommand::Get { id } => {
            let s = client
                .get_subscription(tenant, &id)
                .await
                .with_context(|| format!("reading subscription {id}"))?;
            print(&SubscriptionView(s), format)
        }
        SubscriptionCommand::Renew {
            id,
            expires_in,
            expiration,
        } => {
            let s = client
                .renew_subscription(tenant, &id, &expiry(expires_in, expiration))
                .await
                .with_context(|| format!("renewing subscription {id}"))?;
            print(&SubscriptionView(s), format)
        }
        SubscriptionCommand::Delete { id } => {
            client
                .delete_subscription(tenant, &id)
                .await
                .with_context(|| format!("deleting subscription {id}"))?;
            print(&SubscriptionDeleted { id, deleted: true }, format)
        }
    }
}

struct Listener {
    key: Option<DecryptionKey>,
    client_state: Option<String>,
    count: usize,
    seen: std::sync::Mutex<usize>,
    done: tokio::sync::Notify,
}

/// What `listen` prints for one notification: the item, whether its clientState matched,
/// and its decrypted resource data.
fn describe(item: &Value, listener: &Listener) -> Value {
    let mut out = json!({"notification": item});
    if let Some(expected) = &listener.client_state {
        out["clientStateMatches"] = json!(item["clientState"].as_str() == Some(expected));
    }
    let content = item
        .get("encryptedContent")
        .or_else(|| item.get("EncryptedContent"));
    if let (Some(content), Some(key)) = (content, &listener.key) {
        out["resourceData"] = match decrypt_content(content, key) {
            Ok(v) => v,
            Err(e) => json!({"error": e.to_string()}),
        };
    }
    out
}

async fn receive(
    State(listener): State<Arc<Listener>>,
    RawQuery(query): RawQuery,
    body: axum::body::Bytes,
) -> Response {
    // The handshake: echo the (decoded) token as text/plain, within Graph's 10 seconds.
    let token = query.as_deref().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "validationToken")
            .map(|(_, v)| v.into_owned())
    });
    if let Some(token) = token {
        eprintln!("validation request answered");
        return ([(header::CONTENT_TYPE, "text/plain")], token).into_response();
    }
    let Ok(payload) = serde_json::from_slice::<Value>(&body) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    for item in payload["value"].as_array().into_iter().flatten() {
        let line = describe(item, &listener).to_string();
        let _ = write_stdout(&format!("{line}\n"));
        let mut seen = listener.seen.lock().unwrap_or_else(|p| p.into_inner());
        *seen += 1;
        if listener.count > 0 && *seen >= listener.count {
            listener.done.notify_one();
        }
    }
    StatusCode::ACCEPTED.into_response()
}

/// `graphmeet listen`.
pub async fn listen(_global: &GlobalArgs, args: ListenArgs) -> anyhow::Result<()> {
    let key = args
        .key
        .as_deref()
        .map(|path| {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            DecryptionKey::from_pem(&text).with_context(|| format!("{}", path.display()))
        })
        .transpose()?;
    let listener = Arc::new(Listener {
        key,
        client_state: args.client_state,
        count: args.count,
        seen: std::sync::Mutex::new(0),
        done: tokio::sync::Notify::new(),
    });
    let app = axum::Router::new()
        .fallback(receive)
        .with_state(listener.clone());
    let socket = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    eprintln!(
        "listening on http://{}/ (notificationUrl and lifecycleNotificationUrl)",
        socket.local_addr()?
    );
    let done = async move {
        if listener.count == 0 {
            let _ = tokio::signal::ctrl_c().await;
        } else {
            tokio::select! {
                _ = listener.done.notified() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
    };
    axum::serve(socket, app)
        .with_graceful_shutdown(done)
        .await
        .context("serving")?;
    Ok(())
}
