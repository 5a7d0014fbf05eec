//! The typed online-meetings client: create, createOrGet, get, find by join URL or join
//! meeting id, update and delete Teams meetings as an application, in any tenant that
//! consented the app, with a token cache, retries and diagnosed errors.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use graphmeet_wire::graph::OnlineMeeting;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use crate::config::{join_segments, AppConfig, ClientCredential, GRAPH_RESOURCE};
use crate::diagnosis::{
    aadsts_code, diagnose_graph, diagnose_token, CallContext, GraphCallError, TokenRequestError,
};
use crate::retry::{is_retryable_status, parse_retry_after, RetryPolicy, Retryable};
use crate::token::{AccessToken, TokenCache};
use crate::ClientError;

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
struct Counters {
    token_requests: AtomicU64,
    graph_requests: AtomicU64,
    retries: AtomicU64,
    user_lookups: AtomicU64,
}

struct Inner {
    http: reqwest::Client,
    config: AppConfig,
    tokens: TokenCache,
    /// (tenant lower-case, UPN lower-case) → object id.
    users: Mutex<HashMap<(String, String), String>>,
    counters: Counters,
}

/// A Graph online-meetings client acting as one application, in any number of tenants.
///
/// Cheap to clone; clones share the token and UPN caches and the counters.
#[derive(Clone)]
pub struct MeetingsClient {
    inner: Arc<Inner>,
    retry: RetryPolicy,
    extra_headers: HeaderMap,
}

impl std::fmt::Debug for MeetingsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeetingsClient")
            .field("config", &self.inner.config)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// The parts of Graph's error envelope the client reads.
#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ErrorBody,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default, rename = "innerError", alias = "innererror")]
    inner_error: Option<InnerError>,
}

#[derive(Deserialize)]
struct InnerError {
    code: Option<String>,
    date: Option<String>,
    #[serde(rename = "request-id")]
    request_id: Option<String>,
}

/// The token endpoint's error body, loosely (any field may be missing).
#[derive(Deserialize, Default)]
struct TokenErrorBody {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: String,
    #[serde(default)]
    error_codes: Vec<u32>,
    correlation_id: Option<String>,
    trace_id: Option<String>,
    timestamp: Option<String>,
}

/// A Graph call to make.
pub(crate) struct Call<'a> {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) body: Option<Value>,
    pub(crate) retryable: Retryable,
    pub(crate) tenant: &'a str,
    pub(crate) path_user: Option<&'a str>,
    pub(crate) user_lookup: bool,
}

/// A successful Graph answer.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) body: Vec<u8>,
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

    // ---- tokens ------------------------------------------------------------------------

    /// An app-only Graph token for `tenant` (id or domain), from the cache or the token
    /// endpoint.
    pub async fn access_token(&self, tenant: &str) -> Result<AccessToken, ClientError> {
        self.inner
            .tokens
            .get_or_fetch(tenant, GRAPH_RESOURCE, || self.fetch_token(tenant))
            .await
    }

    async fn fetch_token(&self, tenant: &str) -> Result<(String, Duration), ClientError> {
        let config = &self.inner.config;
        let token_url = config.cloud.token_url(tenant)?;
        let scope = format!("{GRAPH_RESOURCE}/.default");
        let mut form: Vec<(&str, String)> = vec![
            ("grant_type", "client_credentials".into()),
            ("client_id", config.client_id.clone()),
            ("scope", scope),
        ];
        let mut thumbprint = None;
        match &config.credential {
            ClientCredential::Secret(secret) => {
                form.push(("client_secret", secret.expose().to_owned()));
            }
            ClientCredential::Certificate(cert) => {
                thumbprint = Some(cert.thumbprint_sha1_hex());
                form.push((
                    "client_assertion_type",
                    graphmeet_wire::JWT_BEARER_ASSERTION_TYPE.to_owned(),
                ));
                form.push((
                    "client_assertion",
                    cert.assertion(&config.client_id, token_url.as_str())?,
                ));
            }
        }
        let client_request_id = uuid::Uuid::new_v4().to_string();
        self.inner
            .counters
            .token_requests
            .fetch_add(1, Ordering::Relaxed);
        let response = self
            .inner
            .http
            .post(token_url.clone())
            .header(CLIENT_REQUEST_ID, &client_request_id)
            .form(&form)
            .send()
            .await
            .map_err(|err| ClientError::transport(&err))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|err| ClientError::transport(&err))?;
        if status.is_success() {
            let body: graphmeet_wire::TokenResponse =
                serde_json::from_slice(&bytes).map_err(|err| {
                    ClientError::Decode(format!("token response from {token_url}: {err}"))
                })?;
            tracing::debug!(%tenant, expires_in = body.expires_in, "fetched an app-only token");
            return Ok((body.access_token, Duration::from_secs(body.expires_in)));
        }
        let body: TokenErrorBody =
            serde_json::from_slice(&bytes).unwrap_or_else(|_| TokenErrorBody {
                error: format!("http{}", status.as_u16()),
                error_description: String::from_utf8_lossy(&bytes).chars().take(300).collect(),
                ..TokenErrorBody::default()
            });
        let code = body
            .error_codes
            .first()
            .copied()
            .or_else(|| aadsts_code(&body.error_description));
        let diagnosis = diagnose_token(
            code,
            config.cloud.authority_host(),
            tenant,
            &config.client_id,
            thumbprint.as_deref(),
        );
        tracing::warn!(%tenant, status = status.as_u16(), error = %body.error, ?code, correlation_id = ?body.correlation_id, "token request refused");
        Err(ClientError::Token(Box::new(TokenRequestError {
            status: status.as_u16(),
            error: body.error,
            code,
            description: body.error_description,
            correlation_id: body.correlation_id,
            trace_id: body.trace_id,
            timestamp: body.timestamp,
            tenant: tenant.to_owned(),
            diagnosis,
        })))
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
        let answer = self
            .call(Call {
                method: Method::POST,
                url,
                body: Some(request_body(meeting)?),
                retryable: Retryable::OnlyIfNotSent,
                tenant,
                path_user: Some(&user),
                user_lookup: false,
            })
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
            .call(Call {
                method: Method::POST,
                url,
                body: Some(body),
                retryable: Retryable::Idempotent,
                tenant,
                path_user: Some(&user),
                user_lookup: false,
            })
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

    pub(crate) async fn simple(
        &self,
        method: Method,
        url: Url,
        body: Option<Value>,
        tenant: &str,
        user: &str,
    ) -> Result<Answer, ClientError> {
        self.call(Call {
            method,
            url,
            body,
            retryable: Retryable::Idempotent,
            tenant,
            path_user: Some(user),
            user_lookup: false,
        })
        .await
    }

    /// Sends a Graph call with a token, a `client-request-id`, and the retries it allows.
    pub(crate) async fn call(&self, call: Call<'_>) -> Result<Answer, ClientError> {
        let started = Instant::now();
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let path = call.url.path().to_owned();
        let mut attempt: u32 = 0;
        let mut renewed_token = false;
        loop {
            attempt += 1;
            let token = self.access_token(call.tenant).await?;
            let mut request = self
                .inner
                .http
                .request(call.method.clone(), call.url.clone())
                .headers(self.extra_headers.clone())
                .bearer_auth(token.secret())
                .header(CLIENT_REQUEST_ID, &client_request_id);
            if attempt > 1 {
                request = request.header("Retry-Attempt", (attempt - 1).to_string());
            }
            if let Some(body) = &call.body {
                request = request.json(body);
            }
            self.inner
                .counters
                .graph_requests
                .fetch_add(1, Ordering::Relaxed);
            if attempt > 1 {
                self.inner.counters.retries.fetch_add(1, Ordering::Relaxed);
            }
            let response = match request.send().await {
                Ok(response) => response,
                Err(err) => {
                    // A connection that failed was never given the request: always safe.
                    let may_retry = err.is_connect() || call.retryable == Retryable::Idempotent;
                    let wait = self.retry.delay(attempt, None);
                    tracing::warn!(method = %call.method, %path, %client_request_id, attempt, error = %err, "graph call did not complete");
                    if may_retry && self.may_wait(attempt, started, wait) {
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    return Err(ClientError::transport(&err));
                }
            };
            let status = response.status();
            let headers = response.headers().clone();
            let request_id = header_text(&headers, "request-id");
            let bytes = response
                .bytes()
                .await
                .map_err(|err| ClientError::transport(&err))?
                .to_vec();
            tracing::debug!(
                method = %call.method,
                %path,
                tenant = %call.tenant,
                status = status.as_u16(),
                %client_request_id,
                request_id = request_id.as_deref().unwrap_or(""),
                attempt,
                "graph call"
            );
            if status.is_success() {
                return Ok(Answer {
                    status,
                    body: bytes,
                });
            }
            let retry_after = parse_retry_after(header_text(&headers, "retry-after").as_deref());
            if status == StatusCode::UNAUTHORIZED && !renewed_token {
                // The token may have been revoked or expired early: fetch a new one, once.
                renewed_token = true;
                self.inner
                    .tokens
                    .evict(call.tenant, GRAPH_RESOURCE, &token)
                    .await;
                if attempt < self.retry.max_attempts {
                    continue;
                }
            }
            if is_retryable_status(status.as_u16()) && call.retryable == Retryable::Idempotent {
                let wait = self
                    .retry
                    .delay(attempt, retry_after.map(Duration::from_secs));
                if self.may_wait(attempt, started, wait) {
                    tracing::info!(method = %call.method, %path, %client_request_id, status = status.as_u16(), wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX), "retrying graph call");
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }
            let server_reason = header_text(&headers, "x-graphmeet-policy-decision");
            return Err(self.graph_error(
                &call,
                status,
                &bytes,
                (request_id, server_reason),
                client_request_id,
                retry_after,
                attempt,
            ));
        }
    }

    /// Whether another attempt after waiting `wait` stays within the policy.
    fn may_wait(&self, attempt: u32, started: Instant, wait: Duration) -> bool {
        attempt < self.retry.max_attempts && started.elapsed() + wait <= self.retry.max_elapsed
    }

    #[allow(clippy::too_many_arguments)]
    fn graph_error(
        &self,
        call: &Call<'_>,
        status: StatusCode,
        bytes: &[u8],
        (request_id, server_reason): (Option<String>, Option<String>),
        client_request_id: String,
        retry_after: Option<u64>,
        attempts: u32,
    ) -> ClientError {
        let (code, message, inner_code, date, body_request_id) =
            match serde_json::from_slice::<ErrorEnvelope>(bytes) {
                Ok(envelope) => {
                    let inner = envelope.error.inner_error;
                    (
                        envelope.error.code,
                        envelope.error.message,
                        inner.as_ref().and_then(|i| i.code.clone()),
                        inner.as_ref().and_then(|i| i.date.clone()),
                        inner.and_then(|i| i.request_id),
                    )
                }
                Err(_) => (
                    format!("http{}", status.as_u16()),
                    String::from_utf8_lossy(bytes).chars().take(300).collect(),
                    None,
                    None,
                    None,
                ),
            };
        let config = &self.inner.config;
        let diagnosis = diagnose_graph(
            status.as_u16(),
            &message,
            inner_code.as_deref(),
            &CallContext {
                authority_host: config.cloud.authority_host(),
                tenant: call.tenant,
                app_id: &config.client_id,
                path_user: call.path_user,
                user_lookup: call.user_lookup,
                server_reason: server_reason.as_deref(),
            },
        );
        tracing::warn!(
            method = %call.method,
            path = call.url.path(),
            tenant = %call.tenant,
            status = status.as_u16(),
            %code,
            %client_request_id,
            request_id = request_id.as_deref().or(body_request_id.as_deref()).unwrap_or(""),
            attempts,
            "graph call failed"
        );
        ClientError::Graph(Box::new(GraphCallError {
            status: status.as_u16(),
            code,
            message,
            inner_code,
            request_id: request_id.or(body_request_id),
            client_request_id,
            date,
            retry_after_secs: retry_after,
            method: call.method.to_string(),
            path: call.url.path().to_owned(),
            attempts,
            diagnosis,
        }))
    }
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
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
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use graphmeet_wire::graph::meeting::{
        Identity, IdentitySet, MeetingParticipantInfo, MeetingParticipants,
    };
    use graphmeet_wire::graph::GraphDateTime;
    use serde_json::json;

    #[test]
    fn filter_is_encoded_like_msgraph_sdk() {
        let url = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_X%40thread.v2/0?context=%7b%22Tid%22%3a%22t%22%7d";
        let encoded = encode_query_value(&join_web_url_filter(url));
        assert_eq!(
            encoded,
            "JoinWebUrl%20eq%20%27https%3A%2F%2Fteams.microsoft.com%2Fl%2Fmeetup-join%2F19%253ameeting_X%2540thread.v2%2F0%3Fcontext%3D%257b%2522Tid%2522%253a%2522t%2522%257d%27"
        );
        assert_eq!(
            encode_query_value(&join_meeting_id_filter("1873595337977")),
            "joinMeetingIdSettings%2FjoinMeetingId%20eq%20%271873595337977%27"
        );
        assert_eq!(join_web_url_filter("a'b"), "JoinWebUrl eq 'a''b'");
    }

    #[test]
    fn bodies_carry_only_what_is_set() {
        let meeting = OnlineMeeting {
            id: Some("read-only".into()),
            join_web_url: Some("https://x".into()),
            subject: Some("Standup".into()),
            start_date_time: Some(GraphDateTime::parse("2026-03-01T09:00:00Z").unwrap()),
            participants: Some(MeetingParticipants {
                attendees: Some(vec![MeetingParticipantInfo {
                    identity: Some(IdentitySet {
                        user: Some(Identity {
                            id: Some("u1".into()),
                            ..Identity::default()
                        }),
                        ..IdentitySet::default()
                    }),
                    upn: Some("a@b.c".into()),
                    role: None,
                }]),
                ..MeetingParticipants::default()
            }),
            ..OnlineMeeting::default()
        };
        let body = request_body(&meeting).unwrap();
        assert_eq!(
            body,
            json!({
                "subject": "Standup",
                "startDateTime": body["startDateTime"].clone(),
                "participants": {"attendees": [{"identity": {"user": {"id": "u1"}}, "upn": "a@b.c"}]}
            })
        );
        assert!(body["startDateTime"]
            .as_str()
            .unwrap()
            .starts_with("2026-03-01T09:00:00"));
        assert_eq!(request_body(&OnlineMeeting::default()).unwrap(), json!({}));
    }

    #[test]
    fn organizers() {
        assert_eq!(
            Organizer::parse("a@b.c"),
            Organizer::Upn("a@b.c".to_owned())
        );
        assert_eq!(
            Organizer::parse("11111111-2222-3333-4444-555555555555"),
            Organizer::ObjectId("11111111-2222-3333-4444-555555555555".to_owned())
        );
    }

    #[test]
    fn strip_nulls_is_recursive() {
        let mut v = json!({"a": null, "b": {"c": null, "d": [{"e": null, "f": 1}]}});
        strip_nulls(&mut v);
        assert_eq!(v, json!({"b": {"d": [{"f": 1}]}}));
    }
}
