//! The typed online-meetings client: create, createOrGet, get, find by join URL or join
//! meeting id, update and delete Teams meetings as an application, in any tenant that
//! consented the app, with a token cache, retries and diagnosed errors.
//!
//! [`MeetingsClient`] is defined here with the meetings and users calls; its token fetch lives
//! in `token.rs`, its call loop with the retries in `retry.rs`, and its reading of Graph's
//! error bodies into a [`crate::Diagnosis`] in `diagnosis.rs`, beside what each builds on.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use graphmeet_wire::graph::OnlineMeeting;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use crate::config::{join_segments, AppConfig};
use crate::retry::{RetryPolicy, Retryable};
use crate::token::TokenCache;
use crate::ClientError;

pub(crate) use crate::retry::{Answer, Call};

/// How long to wait for a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one HTTP exchange may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The header Graph echoes and logs: the caller's id for the call.
pub const CLIENT_REQUEST_ID: &str = "client-request-id";
/// Properties Graph computes; never sent in a request body.
const READ_ONLY_PROPERTIES: &[&str] = &[
    "id",
    "joinWebUrl",
    "creationDateTime",
    "expiryDateTime",
    "audioConferencing",
    "joinInformation",
    "videoTeleconferenceId",
    "meetingOptionsWebUrl",
    "meetingType",
    "cloudVideoInteropInfo",
    "attendeeReport",
    "autoAdmittedUsers",
];
/// The createOrGet action's parameters (`chatInfo` is beta-only; Graph ignores the rest).
const CREATE_OR_GET_PARAMETERS: &[&str] = &[
    "externalId",
    "startDateTime",
    "endDateTime",
    "subject",
    "participants",
    "chatInfo",
];

/// The user a meeting is created for (its organizer): an Entra object id, or a UPN that the
/// client resolves with `GET /users/{upn}` (needs the `User.Read.All` application permission)
/// and caches.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Organizer {
    /// The user's object id, sent as is in `/users/{id}/onlineMeetings`.
    ObjectId(String),
    /// The user's UPN, resolved to the object id first.
    Upn(String),
}

impl Organizer {
    /// An organizer by object id.
    pub fn object_id(id: impl Into<String>) -> Organizer {
        Organizer::ObjectId(id.into())
    }

    /// An organizer by UPN.
    pub fn upn(upn: impl Into<String>) -> Organizer {
        Organizer::Upn(upn.into())
    }

    /// A GUID is an object id; anything else a UPN.
    pub fn parse(text: &str) -> Organizer {
        if uuid::Uuid::parse_str(text.trim()).is_ok() {
            Organizer::ObjectId(text.trim().to_owned())
        } else {
            Organizer::Upn(text.trim().to_owned())
        }
    }
}

/// What createOrGet returned: the meeting, and whether this call created it (`201`) or found
/// the one with that externalId (`200`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateOrGet {
    /// The meeting.
    pub meeting: OnlineMeeting,
    /// `true` when created now (201), `false` when it existed (200).
    pub created: bool,
}

/// Counters of what a client (and its clones) sent, for tests and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClientStats {
    /// Token requests sent to the token endpoint.
    pub token_requests: u64,
    /// Graph HTTP requests sent (every attempt counts).
    pub graph_requests: u64,
    /// Graph attempts that were retries.
    pub retries: u64,
    /// UPNs resolved through `GET /users/{upn}` (cache misses).
    pub user_lookups: u64,
}

#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) token_requests: AtomicU64,
    pub(crate) graph_requests: AtomicU64,
    pub(crate) retries: AtomicU64,
    pub(crate) user_lookups: AtomicU64,
}

/// What clones of a client share; read by the token fetch (`token.rs`), the call loop
/// (`retry.rs`) and the error diagnosis (`diagnosis.rs`), which extend [`MeetingsClient`].
pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) config: AppConfig,
    pub(crate) tokens: TokenCache,
    /// (tenant lower-case, UPN lower-case) → object id.
    pub(crate) users: Mutex<HashMap<(String, String), String>>,
    pub(crate) counters: Counters,
}

/// A Graph online-meetings client acting as one application, in any number of tenants.
///
/// Cheap to clone; clones share the token and UPN caches and the counters.
#[derive(Clone)]
pub struct MeetingsClient {
    pub(crate) inner: Arc<Inner>,
    pub(crate) retry: RetryPolicy,
    pub(crate) extra_headers: HeaderMap,
}

impl std::fmt::Debug for MeetingsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeetingsClient")
            .field("config", &self.inner.config)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl MeetingsClient {
    /// A client for the app `config` describes.
    pub fn new(config: AppConfig) -> Result<MeetingsClient, ClientError> {
        let trust = config.cloud.trust_pem()?;
        let certs = reqwest::Certificate::from_pem_bundle(&trust).map_err(|err| {
            ClientError::Config(format!("cannot read the CA certificates: {err}"))
        })?;
        if certs.is_empty() && config.cloud.ca_cert_pem().is_some() {
            return Err(ClientError::Config(
                "the CA certificate file holds no PEM certificate".into(),
            ));
        }
        crate::install_crypto_provider();
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("graphmeet-client/", env!("CARGO_PKG_VERSION")));
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
        let http = builder
            .build()
            .map_err(|err| ClientError::Config(format!("cannot build the HTTP client: {err}")))?;
        Ok(MeetingsClient {
            inner: Arc::new(Inner {
                http,
                config,
                tokens: TokenCache::default(),
                users: Mutex::new(HashMap::new()),
                counters: Counters::default(),
            }),
            retry: RetryPolicy::default(),
            extra_headers: HeaderMap::new(),
        })
    }

    /// A client configured from the Azure environment variables ([`AppConfig::from_env`]).
    pub fn from_env() -> Result<MeetingsClient, ClientError> {
        MeetingsClient::new(AppConfig::from_env()?)
    }

    /// A client configured from a named profile ([`AppConfig::from_profile`]).
    pub fn from_profile(name: &str) -> Result<MeetingsClient, ClientError> {
        MeetingsClient::new(AppConfig::from_profile(name)?)
    }

    /// The app's configuration.
    pub fn config(&self) -> &AppConfig {
        &self.inner.config
    }

    /// The default tenant of the configuration, if any.
    pub fn default_tenant(&self) -> Option<&str> {
        self.inner.config.tenant_id.as_deref()
    }

    /// This client with another retry policy (caches shared).
    pub fn with_retry_policy(&self, retry: RetryPolicy) -> MeetingsClient {
        MeetingsClient {
            retry,
            ..self.clone()
        }
    }

    /// This client, sending one more header on every Graph call (caches shared): e.g.
    /// `x-graphmeet-fault` to ask a graphmeet server for a fault, or `Prefer`.
    pub fn with_header(&self, name: &str, value: &str) -> Result<MeetingsClient, ClientError> {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| ClientError::Config(format!("'{name}' is not a header name")))?;
        let value = HeaderValue::from_str(value)
            .map_err(|_| ClientError::Config(format!("'{value}' is not a header value")))?;
        let mut client = self.clone();
        client.extra_headers.append(name, value);
        Ok(client)
    }

    /// What this client and its clones have sent so far.
    pub fn stats(&self) -> ClientStats {
        let c = &self.inner.counters;
        ClientStats {
            token_requests: c.token_requests.load(Ordering::Relaxed),
            graph_requests: c.graph_requests.load(Ordering::Relaxed),
            retries: c.retries.load(Ordering::Relaxed),
            user_lookups: c.user_lookups.load(Ordering::Relaxed),
        }
    }

    // ---- users -------------------------------------------------------------------------

    /// The object id of the user with `upn` in `tenant` (`GET /users/{upn}`, which needs the
    /// `User.Read.All` application permission); cached per (tenant, UPN).
    pub async fn resolve_upn(&self, tenant: &str, upn: &str) -> Result<String, ClientError> {
        let key = (tenant.to_ascii_lowercase(), upn.to_ascii_lowercase());
        if let Some(id) = self.cached_user(&key) {
            return Ok(id);
        }
        #[derive(Deserialize)]
        struct UserBody {
            id: String,
        }
        let url = self.graph_url(&["users", upn])?;
        self.inner
            .counters
            .user_lookups
            .fetch_add(1, Ordering::Relaxed);
        let answer = self
            .call(Call {
                method: Method::GET,
                url,
                body: None,
                retryable: Retryable::Idempotent,
                tenant,
                path_user: Some(upn),
                user_lookup: true,
            })
            .await?;
        let user: UserBody = decode(&answer)?;
        let mut users = match self.inner.users.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        users.insert(key, user.id.clone());
        Ok(user.id)
    }

    fn cached_user(&self, key: &(String, String)) -> Option<String> {
        let users = match self.inner.users.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        users.get(key).cloned()
    }

    /// The object id to put in the path for `organizer`.
    pub async fn organizer_id(
        &self,
        tenant: &str,
        organizer: &Organizer,
    ) -> Result<String, ClientError> {
        match organizer {
            Organizer::ObjectId(id) => Ok(id.clone()),
            Organizer::Upn(upn) => self.resolve_upn(tenant, upn).await,
        }
    }

    // ---- meetings ----------------------------------------------------------------------

    /// Creates a meeting owned by `organizer` (`POST /users/{id}/onlineMeetings`, 201).
    ///
    /// Only the properties set in `meeting` are sent (read-only ones never). Retried only
    /// when the connection failed before the request was sent: a retry after that could
    /// create a second meeting (use [`MeetingsClient::create_or_get`] for safe retries).
    pub async fn create(
        &self,
        tenant: &str,
        organizer: &Organizer,
        meeting: &OnlineMeeting,
    ) -> Result<OnlineMeeting, ClientError> {
        let user = self.organizer_id(tenant, organizer).await?;
        let url = self.graph_url(&["users", &user, "onlineMeetings"])?;
        let body = Some(request_body(meeting)?);
        let answer = self
            .user_call(
                Method::POST,
                url,
                body,
                tenant,
                &user,
                Retryable::OnlyIfNotSent,
            )
            .await?;
        decode(&answer)
    }

    /// Returns the organizer's meeting with `external_id`, creating it from `meeting` when
    /// there is none (`POST /users/{id}/onlineMeetings/createOrGet`: 201 created, 200 found).
    /// Idempotent, so always retried. Sends `externalId`, `startDateTime`, `endDateTime`,
    /// `subject`, `participants` and `chatInfo` (beta) when set.
    pub async fn create_or_get(
        &self,
        tenant: &str,
        organizer: &Organizer,
        external_id: &str,
        meeting: &OnlineMeeting,
    ) -> Result<CreateOrGet, ClientError> {
        let user = self.organizer_id(tenant, organizer).await?;
        let url = self.graph_url(&["users", &user, "onlineMeetings", "createOrGet"])?;
        let mut body = request_body(meeting)?;
        if let Value::Object(map) = &mut body {
            map.retain(|k, _| CREATE_OR_GET_PARAMETERS.contains(&k.as_str()));
            map.insert("externalId".into(), Value::String(external_id.to_owned()));
        }
        let answer = self
            .simple(Method::POST, url, Some(body), tenant, &user)
            .await?;
        Ok(CreateOrGet {
            meeting: decode(&answer)?,
            created: answer.status == StatusCode::CREATED,
        })
    }

    /// The meeting with `meeting_id` (`GET /users/{id}/onlineMeetings/{meetingId}`).
    pub async fn get(
        &self,
        tenant: &str,
        organizer: &Organizer,
        meeting_id: &str,
    ) -> Result<OnlineMeeting, ClientError> {
        let user = self.organizer_id(tenant, organizer).await?;
        let url = self.graph_url(&["users", &user, "onlineMeetings", meeting_id])?;
        let answer = self.simple(Method::GET, url, None, tenant, &user).await?;
        decode(&answer)
    }

    /// The organizer's meeting whose `joinWebUrl` is exactly `join_web_url`, if any
    /// (`$filter=JoinWebUrl eq '…'`, encoded as msgraph-sdk does).
    pub async fn find_by_join_url(
        &self,
        tenant: &str,
        organizer: &Organizer,
        join_web_url: &str,
    ) -> Result<Option<OnlineMeeting>, ClientError> {
        self.find(tenant, organizer, &join_web_url_filter(join_web_url))
            .await
    }

    /// The organizer's meeting with join meeting id `join_meeting_id` (the digits people
    /// dial or type), if any (`$filter=joinMeetingIdSettings/joinMeetingId eq '…'`).
    pub async fn find_by_join_meeting_id(
        &self,
        tenant: &str,
        organizer: &Organizer,
        join_meeting_id: &str,
    ) -> Result<Option<OnlineMeeting>, ClientError> {
        self.find(tenant, organizer, &join_meeting_id_filter(join_meeting_id))
            .await
    }

    async fn find(
        &self,
        tenant: &str,
        organizer: &Organizer,
        filter: &str,
    ) -> Result<Option<OnlineMeeting>, ClientError> {
        #[derive(Deserialize)]
        struct Collection {
            #[serde(default)]
            value: Vec<OnlineMeeting>,
        }
        let user = self.organizer_id(tenant, organizer).await?;
        let mut url = self.graph_url(&["users", &user, "onlineMeetings"])?;
        url.set_query(Some(&format!("$filter={}", encode_query_value(filter))));
        let answer = self.simple(Method::GET, url, None, tenant, &user).await?;
        let collection: Collection = decode(&answer)?;
        Ok(collection.value.into_iter().next())
    }

    /// Changes a meeting (`PATCH /users/{id}/onlineMeetings/{meetingId}`, 200 with the whole
    /// meeting). Build `changes` from `OnlineMeeting::default()` with only what changes: only
    /// set properties are sent (start and end go together; attendees are replaced whole).
    pub async fn update(
        &self,
        tenant: &str,
        organizer: &Organizer,
        meeting_id: &str,
        changes: &OnlineMeeting,
    ) -> Result<OnlineMeeting, ClientError> {
        let user = self.organizer_id(tenant, organizer).await?;
        let url = self.graph_url(&["users", &user, "onlineMeetings", meeting_id])?;
        let body = request_body(changes)?;
        let answer = self
            .simple(Method::PATCH, url, Some(body), tenant, &user)
            .await?;
        decode(&answer)
    }

    /// Deletes a meeting (`DELETE /users/{id}/onlineMeetings/{meetingId}`, 204).
    pub async fn delete(
        &self,
        tenant: &str,
        organizer: &Organizer,
        meeting_id: &str,
    ) -> Result<(), ClientError> {
        let user = self.organizer_id(tenant, organizer).await?;
        let url = self.graph_url(&["users", &user, "onlineMeetings", meeting_id])?;
        self.simple(Method::DELETE, url, None, tenant, &user)
            .await
            .map(|_| ())
    }

    // ---- plumbing ----------------------------------------------------------------------

    pub(crate) fn graph_url(&self, segments: &[&str]) -> Result<Url, ClientError> {
        join_segments(self.inner.config.cloud.graph_url(), segments)
    }

    /// A call on `user`'s resources (`user` is what the path names, for the diagnosis),
    /// retried as `retryable` allows.
    pub(crate) async fn user_call(
        &self,
        method: Method,
        url: Url,
        body: Option<Value>,
        tenant: &str,
        user: &str,
        retryable: Retryable,
    ) -> Result<Answer, ClientError> {
        self.call(Call {
            method,
            url,
            body,
            retryable,
            tenant,
            path_user: Some(user),
            user_lookup: false,
        })
        .await
    }

    /// [`Self::user_call`] for an idempotent call: always retried.
    pub(crate) async fn simple(
        &self,
        method: Method,
        url: Url,
        body: Option<Value>,
        tenant: &str,
        user: &str,
    ) -> Result<Answer, ClientError> {
        self.user_call(method, url, body, tenant, user, Retryable::Idempotent)
            .await
    }
}

pub(crate) fn decode<T: serde::de::DeserializeOwned>(answer: &Answer) -> Result<T, ClientError> {
    serde_json::from_slice(&answer.body).map_err(|err| {
        ClientError::Decode(format!(
            "HTTP {}: {err}; body: {}",
            answer.status.as_u16(),
            String::from_utf8_lossy(&answer.body)
                .chars()
                .take(300)
                .collect::<String>()
        ))
    })
}

/// Removes every `null` member of every object, recursively.
pub fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            for v in map.values_mut() {
                strip_nulls(v);
            }
        }
        Value::Array(items) => {
            for v in items {
                strip_nulls(v);
            }
        }
        _ => {}
    }
}

/// The JSON body for a create, createOrGet or PATCH: the wire `OnlineMeeting` without its
/// read-only properties and without `null`s, and `participants` lists only when set (the wire
/// type renders unset lists as `[]`, which a PATCH would take as "no attendees").
pub fn request_body(meeting: &OnlineMeeting) -> Result<Value, ClientError> {
    let mut body = to_value(meeting)?;
    if let Value::Object(map) = &mut body {
        for key in READ_ONLY_PROPERTIES {
            map.remove(*key);
        }
        if let Some(p) = &meeting.participants {
            let mut participants = serde_json::Map::new();
            if let Some(organizer) = &p.organizer {
                participants.insert("organizer".into(), to_value(organizer)?);
            }
            for (name, list) in [
                ("attendees", &p.attendees),
                ("producers", &p.producers),
                ("contributors", &p.contributors),
            ] {
                if let Some(list) = list {
                    participants.insert(name.into(), to_value(list)?);
                }
            }
            map.insert("participants".into(), Value::Object(participants));
        }
    }
    strip_nulls(&mut body);
    Ok(body)
}

fn to_value<T: serde::Serialize>(value: &T) -> Result<Value, ClientError> {
    serde_json::to_value(value)
        .map_err(|err| ClientError::Decode(format!("cannot serialise the body: {err}")))
}

/// An OData string literal's content: `'` doubled.
fn odata_literal(text: &str) -> String {
    text.replace('\'', "''")
}

/// `JoinWebUrl eq '<exact joinWebUrl>'`.
pub fn join_web_url_filter(join_web_url: &str) -> String {
    format!("JoinWebUrl eq '{}'", odata_literal(join_web_url))
}

/// `joinMeetingIdSettings/joinMeetingId eq '<id>'`.
pub fn join_meeting_id_filter(join_meeting_id: &str) -> String {
    format!(
        "joinMeetingIdSettings/joinMeetingId eq '{}'",
        odata_literal(join_meeting_id.trim())
    )
}

/// Percent-encodes a query value as msgraph-sdk (RFC 6570/3986) does: every byte outside the
/// unreserved set `A-Z a-z 0-9 - . _ ~` becomes `%XX` (upper case).
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
