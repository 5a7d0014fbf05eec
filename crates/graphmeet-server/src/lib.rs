//! The graphmeet server: the identity platform (Entra's token, discovery and key endpoints),
//! the admin API, and — layered on the same generic server — the Graph API, over HTTPS by
//! default.
//!
//! [`app`] builds the whole application for tests that want no socket; [`start`] binds,
//! bootstraps and serves it; [`serve`] does that until SIGINT or SIGTERM.

pub mod admin;
pub mod admin_play;
pub mod bootstrap;
pub mod console;
pub mod cs;
pub mod entra;
pub mod exchange_admin;
pub mod fsutil;
pub mod graph;
pub mod inspector;
pub mod join;
pub mod metrics;
pub mod notify;
pub mod openapi;
pub mod peers;
pub mod pki;
pub mod proxy;
pub mod state;
pub mod surface;

use axum::http::{StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use graphmeet_core::access::Access;
use graphmeet_core::directory::Directory;
use graphmeet_core::identity::{Identity, KeyRing, TokenLifetimes};
use graphmeet_core::index::DirectoryIndex;
pub use graphmeet_core::lockout::LockoutPolicy;
use graphmeet_core::sealing::KeySealer;
use graphmeet_core::verify::TokenVerifier;
use graphmeet_core::{Clock, Store, SystemClock};
use graphmeet_store::SqlStore;
use state::AppState;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tower::Layer;

/// How `graphmeet serve` runs. Every field has a flag and a `GRAPHMEET_*` variable in the CLI.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the server keeps its SQLite file, TLS material, admin key and dev credentials.
    pub data_dir: PathBuf,
    /// The address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// `sqlite://…` or `postgres://…`; default a SQLite file in the data directory.
    pub database_url: Option<String>,
    /// The URL clients use, when it is not the listen address (a name, a proxy).
    pub public_url: Option<url::Url>,
    /// Serve plain http (loopback use only: official clients refuse http authorities).
    pub plain_http: bool,
    /// Create the dev setup on an empty store.
    pub bootstrap: bool,
    /// The admin key; default the one in `DATA_DIR/admin-key`, made on first start.
    pub admin_key: Option<String>,
    /// How long application-access-policy changes take to reach Graph calls; default 0
    /// (the real service: up to 30 minutes).
    pub policy_propagation_delay: chrono::Duration,
    /// The host of meetings' `joinWebUrl`; default this server (which serves a landing page),
    /// `https://teams.microsoft.com` for the real links' look.
    pub join_url_base: Option<url::Url>,
    /// Fail every n-th Graph call with a chosen status (`--fault 429:retry-after=1:every=10`).
    pub fault: Option<graph::fault::ServerFault>,
    /// How long audit entries are kept; default 30 days.
    pub audit_retention: chrono::Duration,
    /// How long a client may take to send a request's headers (after the TLS handshake)
    /// before its connection is closed; default 10 s.
    pub header_read_timeout: std::time::Duration,
    /// The key the token-signing keys are sealed under in the database (32 bytes, base64);
    /// default the one in `DATA_DIR/key-encryption-key`, made on first start. Every instance on
    /// one database needs the same.
    pub key_encryption_key: Option<String>,
    /// How many connections one peer (IP address) may hold open at once; 0 for no cap.
    pub max_connections_per_peer: usize,
    /// Smart lockout of password sign-ins: after `threshold` failed ones (0: never) an account
    /// is locked for `duration`, twice as long each time again; default 10 and 60 s, Entra's.
    pub lockout: LockoutPolicy,
    /// A seed file (TOML, or JSON when it ends in `.json`; see `docs/admin.md`) applied on start, after the store is opened;
    /// when given, the dev bootstrap is skipped.
    pub seed: Option<PathBuf>,
    /// How many online meetings one organizer may create per calendar month (UTC); default
    /// none (no limit). The real service's is 2,000. When absent, the seed's `meeting_quota`.
    pub meeting_quota: Option<u32>,
    /// Proxy mode: also run an HTTP proxy here that serves Microsoft's public-cloud hostnames
    /// from this server (see [`proxy`]); HTTPS only.
    pub proxy_listen: Option<SocketAddr>,
    /// `host:port` of loopback hosts the proxy tunnels instead of refusing.
    pub proxy_pass: Vec<String>,
    /// A virtual clock that stands still until `POST /admin/clock` moves it (starting at the
    /// system time), instead of the system clock; every time-dependent rule follows it.
    pub manual_clock: bool,
    /// Loopback hosts (`host` or `host:port`) change notifications may be sent to over plain
    /// http although the server runs HTTPS; any loopback host when `plain_http`.
    pub notification_loopback_hosts: Vec<String>,
}

impl Config {
    /// The platform's data directory for graphmeet (e.g. `~/.local/share/graphmeet`).
    pub fn default_data_dir() -> PathBuf {
        directories::ProjectDirs::from("", "", "graphmeet")
            .map(|d| d.data_dir().to_path_buf())
            .unwrap_or_else(|| PathBuf::from(".graphmeet"))
    }

    /// The default configuration for a data directory: `127.0.0.1:8443`, SQLite, HTTPS, bootstrap.
    pub fn new(data_dir: PathBuf) -> Self {
        Self {
            data_dir,
            listen: SocketAddr::from(([127, 0, 0, 1], 8443)),
            database_url: None,
            public_url: None,
            plain_http: false,
            bootstrap: true,
            admin_key: None,
            policy_propagation_delay: chrono::Duration::zero(),
            join_url_base: None,
            fault: None,
            audit_retention: chrono::Duration::days(30),
            header_read_timeout: std::time::Duration::from_secs(10),
            key_encryption_key: None,
            max_connections_per_peer: peers::DEFAULT_PER_PEER,
            lockout: LockoutPolicy::default(),
            seed: None,
            meeting_quota: None,
            proxy_listen: None,
            proxy_pass: Vec::new(),
            manual_clock: false,
            notification_loopback_hosts: Vec::new(),
        }
    }
}

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// A file or socket operation failed.
    #[error("{0}")]
    Io(String),
    /// The database could not be opened.
    #[error("database: {0}")]
    Store(#[from] graphmeet_core::StoreError),
    /// TLS material could not be made.
    #[error(transparent)]
    Pki(#[from] pki::PkiError),
    /// A file of the data directory could not be read or written.
    #[error(transparent)]
    File(#[from] fsutil::FileError),
    /// Signing keys could not be made or loaded.
    #[error("signing keys: {0}")]
    Keys(#[from] graphmeet_core::identity::IdentityError),
    /// Bootstrap failed.
    #[error("bootstrap: {0}")]
    Bootstrap(#[from] bootstrap::BootstrapError),
    /// The configuration is inconsistent.
    #[error("configuration: {0}")]
    Config(String),
    /// The seed file could not be read, parsed or applied.
    #[error("seed {}: {problem}", file.display())]
    Seed {
        /// The seed file.
        file: PathBuf,
        /// What is wrong, and where in the file.
        problem: String,
    },
}

/// Reads and parses a seed file.
fn read_seed(file: &std::path::Path) -> Result<graphmeet_wire::admin::Seed, ServerError> {
    let seed_error = |problem: String| ServerError::Seed {
        file: file.to_path_buf(),
        problem,
    };
    let text = std::fs::read_to_string(file).map_err(|e| seed_error(e.to_string()))?;
    // The same document in either syntax, told apart by the file's extension.
    let json = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if json {
        graphmeet_wire::admin::Seed::from_json(&text).map_err(|e| seed_error(e.to_string()))
    } else {
        graphmeet_wire::admin::Seed::from_toml(&text).map_err(|e| seed_error(e.to_string()))
    }
}

fn io(context: &str) -> impl Fn(std::io::Error) -> ServerError + '_ {
    move |e| ServerError::Io(format!("{context}: {e}"))
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(axum::extract::State(state): axum::extract::State<AppState>) -> impl IntoResponse {
    if state.identity.keys().published().is_empty() {
        (StatusCode::SERVICE_UNAVAILABLE, "no signing key")
    } else {
        (StatusCode::OK, "ready")
    }
}

async fn not_found(uri: Uri) -> impl IntoResponse {
    (
        StatusCode::NOT_FOUND,
        axum::Json(
            serde_json::json!({"error": {"code": "notFound", "message": format!("no route for {}", uri.path())}}),
        ),
    )
}

/// Collapses empty path segments (`/t//v2.0/…` → `/t/v2.0/…`): MSAL Python requests that
/// when an authority is written with a trailing slash.
fn normalise_path<B>(mut request: axum::http::Request<B>) -> axum::http::Request<B> {
    let uri = request.uri();
    if uri.path().contains("//") {
        let mut path = uri.path().to_owned();
        while path.contains("//") {
            path = path.replace("//", "/");
        }
        let rebuilt = match uri.query() {
            Some(q) => format!("{path}?{q}"),
            None => path,
        };
        if let Ok(pq) = rebuilt.parse::<axum::http::uri::PathAndQuery>() {
            let mut parts = uri.clone().into_parts();
            parts.path_and_query = Some(pq);
            if let Ok(new) = Uri::from_parts(parts) {
                *request.uri_mut() = new;
            }
        }
    }
    request
}

/// The whole application for a state: identity, admin, health. Tests drive it without a socket.
pub fn app(state: AppState) -> Router {
    let (admin, api) = admin::router(
        state.clone(),
        cs::router()
            .merge(admin_play::router())
            .merge(exchange_admin::router()),
    )
    .split_for_parts();
    let api = axum::Json(openapi::admin(api));
    // Both descriptions are built once, not on every request.
    let microsoft = axum::Json(openapi::microsoft());
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route(openapi::PATH, get(move || std::future::ready(api.clone())))
        .route(
            openapi::MICROSOFT_PATH,
            get(move || std::future::ready(microsoft.clone())),
        )
        .merge(entra::router())
        .merge(admin)
        .merge(graph::router(state.clone()))
        .merge(join::router())
        .merge(console::router(state.clone()))
        .fallback(not_found)
        .layer(axum::middleware::from_fn(surface::observe))
        .layer(axum::Extension(std::sync::Arc::new(
            inspector::Inspector::default(),
        )))
        .layer(axum::Extension(state.metrics.clone()))
        .with_state(state)
}

/// Everything built from a configuration before the socket serves.
pub struct Parts {
    /// The application state.
    pub state: AppState,
    /// The store, to close on shutdown.
    pub store: Arc<SqlStore>,
}

/// What the application state is built from, besides the database and the clock.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `https` or `http`.
    pub scheme: &'static str,
    /// `scheme://host[:port]` clients use.
    pub public_url: String,
    /// The admin key.
    pub admin_key: String,
    /// How long application-access-policy changes take to apply.
    pub policy_propagation_delay: chrono::Duration,
    /// The host of `joinWebUrl`s; default the public URL.
    pub join_url_base: Option<String>,
    /// A fault injected into every n-th Graph call.
    pub fault: Option<graph::fault::ServerFault>,
    /// The key-encryption key the signing keys are sealed under.
    pub key_encryption: Arc<KeySealer>,
    /// Smart lockout of password sign-ins.
    pub lockout: LockoutPolicy,
    /// The monthly meeting quota per organizer; none for no limit.
    pub meeting_quota: Option<u32>,
    /// Loopback hosts change notifications may reach over http (see [`Config`]).
    pub notification_loopback_hosts: Vec<String>,
}

impl Settings {
    /// HTTPS at `public_url`, no propagation delay, join URLs on this server.
    pub fn new(public_url: impl Into<String>, admin_key: impl Into<String>) -> Self {
        Self {
            scheme: "https",
            public_url: public_url.into(),
            admin_key: admin_key.into(),
            policy_propagation_delay: chrono::Duration::zero(),
            join_url_base: None,
            fault: None,
            key_encryption: Arc::new(KeySealer::generate().0),
            lockout: LockoutPolicy::default(),
            meeting_quota: None,
            notification_loopback_hosts: Vec::new(),
        }
    }
}

/// The bases a client assertion's audience may use: the public URL, plus its loopback aliases
/// when it is a loopback URL (`localhost`, `127.0.0.1` and `[::1]` name the same server).
fn audience_bases(public_url: &str) -> Vec<String> {
    let base = public_url.trim_end_matches('/').to_owned();
    let mut out = vec![base.clone()];
    if let Ok(url) = url::Url::parse(&base) {
        let loopback = ["localhost", "127.0.0.1", "[::1]"];
        if url.host_str().is_some_and(|h| loopback.contains(&h)) {
            let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
            for host in loopback {
                let alias = format!("{}://{host}{port}", url.scheme());
                if !out.contains(&alias) {
                    out.push(alias);
                }
            }
        }
    }
    out
}

/// Opens the store, loads or makes the signing keys, and builds the state.
pub async fn build(
    database_url: &str,
    clock: Arc<dyn Clock>,
    settings: Settings,
) -> Result<Parts, ServerError> {
    let Settings {
        scheme,
        public_url,
        admin_key,
        policy_propagation_delay,
        join_url_base,
        fault,
        key_encryption,
        lockout,
        meeting_quota,
        notification_loopback_hosts,
    } = settings;
    let store = Arc::new(SqlStore::connect(database_url).await?);
    let dyn_store: Arc<dyn Store> = store.clone();
    let lifetimes = TokenLifetimes::default();
    let keys = Arc::new(KeyRing::new(
        dyn_store.clone(),
        clock.clone(),
        lifetimes,
        key_encryption,
    ));
    keys.ensure_key().await?;
    let index = DirectoryIndex::load(dyn_store.clone()).await?;
    let join_url_base = join_url_base
        .unwrap_or_else(|| public_url.clone())
        .trim_end_matches('/')
        .to_owned();
    let metrics = Arc::new(metrics::Metrics::default());
    let audit = graphmeet_core::audit::AuditLog::start_observed(
        dyn_store.clone(),
        clock.clone(),
        metrics.clone(),
    );
    let meetings = graphmeet_core::meetings::Meetings::new(
        dyn_store.clone(),
        index.clone(),
        clock.clone(),
        join_url_base.clone(),
        meeting_quota,
        metrics.clone(),
    );
    let event_store: Arc<dyn graphmeet_core::events::EventStore> = store.clone();
    let events = graphmeet_core::events::Events::new(
        event_store,
        meetings.clone(),
        index.clone(),
        clock.clone(),
    );
    let access = Access::new(
        index.clone(),
        clock.clone(),
        policy_propagation_delay,
        audit.clone(),
    );
    let subscriptions = graphmeet_core::subscriptions::Subscriptions::new(
        store.clone(),
        access.clone(),
        index.clone(),
        clock.clone(),
        Arc::new(notify::HttpTransport::new(
            scheme == "http",
            notification_loopback_hosts,
        )),
        keys.clone(),
    );
    // Played sessions queue their transcripts' and recordings' change notifications.
    let session_observer = Arc::new(subscriptions.clone());
    let state = AppState {
        access,
        subscriptions,
        index: index.clone(),
        identity: Arc::new(Identity::new(
            dyn_store.clone(),
            index.clone(),
            clock.clone(),
            keys.clone(),
            lifetimes,
            lockout,
        )),
        directory: Directory::new(dyn_store.clone(), clock.clone()).with_index(index.clone()),
        meetings,
        events,
        playback: graphmeet_core::playback::Playback::new(
            store.clone(),
            dyn_store.clone(),
            index.clone(),
            clock.clone(),
        )
        .with_observer(session_observer),
        verifier: Arc::new(TokenVerifier::new(keys, clock.clone())),
        clock,
        manual_clock: None,
        scheme,
        join_url_base,
        audience_bases: Arc::new(audience_bases(&public_url)),
        public_url,
        admin_key_hash: Arc::new(graphmeet_core::crypto::sha256(admin_key.as_bytes())),
        faults: Arc::new(graph::fault::FaultInjector::new(fault)),
        audit,
        renders: Default::default(),
        metrics,
    };
    Ok(Parts { state, store })
}

/// A server started by [`start`].
pub struct RunningServer {
    /// The bound address.
    pub addr: SocketAddr,
    /// `https://127.0.0.1:PORT` (or the public URL).
    pub base_url: String,
    /// The data directory.
    pub data_dir: PathBuf,
    /// The CA certificate clients must trust (None over plain http).
    pub ca_cert_path: Option<PathBuf>,
    /// The dev credentials file, when this start bootstrapped.
    pub dev_credentials: Option<PathBuf>,
    /// What the operator should fix (also logged), e.g. a data directory open to other users.
    pub warnings: Vec<String>,
    /// The proxy's bound address, in proxy mode.
    pub proxy_addr: Option<SocketAddr>,
    handle: axum_server::Handle,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    maintenance_task: tokio::task::JoinHandle<()>,
    notification_task: tokio::task::JoinHandle<()>,
    notification_stop: Arc<tokio::sync::Notify>,
    proxy_task: Option<tokio::task::JoinHandle<()>>,
    store: Arc<SqlStore>,
    audit: graphmeet_core::audit::AuditLog,
}

impl RunningServer {
    /// Stops accepting, lets requests in flight finish (up to 10 s), writes the audit entries
    /// still queued, and closes the store.
    pub async fn shutdown(self) {
        self.handle
            .graceful_shutdown(Some(std::time::Duration::from_secs(10)));
        let _ = self.task.await;
        self.maintenance_task.abort();
        // The delivery worker finishes its pass (a delivery takes at most 3 s).
        self.notification_stop.notify_one();
        let mut worker = self.notification_task;
        if tokio::time::timeout(std::time::Duration::from_secs(10), &mut worker)
            .await
            .is_err()
        {
            worker.abort();
        }
        if let Some(proxy) = self.proxy_task {
            proxy.abort();
        }
        self.audit.shutdown().await;
        self.store.close().await;
    }
}

/// The fewest characters an admin key given by flag or environment may have.
pub const MIN_ADMIN_KEY_LEN: usize = 24;

fn read_or_make_admin_key(config: &Config) -> Result<String, ServerError> {
    if let Some(key) = &config.admin_key {
        // An empty key would make an empty header an administrator; a short one is guessable.
        let key = key.trim();
        if key.chars().count() < MIN_ADMIN_KEY_LEN {
            return Err(ServerError::Config(format!(
                "the admin key (--admin-key or GRAPHMEET_ADMIN_KEY) has {} characters; it needs at least {MIN_ADMIN_KEY_LEN} (leave it unset and graphmeet makes one in DATA_DIR/admin-key)",
                key.chars().count()
            )));
        }
        return Ok(key.to_owned());
    }
    Ok(fsutil::read_or_make_private(
        &config.data_dir.join("admin-key"),
        || {
            format!(
                "gmadm_{}",
                graphmeet_wire::b64::url_encode(uuid::Uuid::new_v4().as_bytes())
                    + &graphmeet_wire::b64::url_encode(uuid::Uuid::new_v4().as_bytes())
            )
        },
    )?)
}

/// The key-encryption key: the one given (by flag or environment), else the one in
/// `DATA_DIR/key-encryption-key`, made (0600) when missing.
pub fn read_or_make_key_encryption_key(
    data_dir: &std::path::Path,
    given: Option<&str>,
) -> Result<KeySealer, ServerError> {
    if let Some(text) = given {
        return KeySealer::from_text(text).map_err(|e| {
            ServerError::Config(format!(
                "the key-encryption key (--key-encryption-key or GRAPHMEET_KEY_ENCRYPTION_KEY): {e}"
            ))
        });
    }
    let path = data_dir.join(KEY_ENCRYPTION_KEY_FILE);
    let text = fsutil::read_or_make_private(&path, || KeySealer::generate().1)?;
    KeySealer::from_text(&text).map_err(|e| ServerError::Config(format!("{}: {e}", path.display())))
}

/// The file in the data directory holding the key-encryption key.
pub const KEY_ENCRYPTION_KEY_FILE: &str = "key-encryption-key";

/// Binds, prepares TLS, opens the store, applies the seed (if any) or else bootstraps an empty
/// store, and serves in the background.
pub async fn start(config: Config) -> Result<RunningServer, ServerError> {
    // A bad seed fails the start before anything is bound or opened.
    let seed = config.seed.as_deref().map(read_seed).transpose()?;
    if let (Some(0), Some(file)) = (seed.as_ref().and_then(|s| s.meeting_quota), &config.seed) {
        return Err(ServerError::Seed {
            file: file.clone(),
            problem: "meeting_quota must be at least 1 (leave it out for no limit)".to_owned(),
        });
    }
    let proxy_rules = match config.proxy_listen {
        Some(_) if config.plain_http => return Err(ServerError::Config(
            "proxy mode serves Microsoft's hostnames over HTTPS: it cannot run with --plain-http"
                .to_owned(),
        )),
        Some(_) => Some(proxy::Rules::new(&config.proxy_pass).map_err(ServerError::Config)?),
        None => None,
    };
    let mut config = config;
    let mut warnings = Vec::new();
    if let Some(warning) =
        fsutil::create_private_dir(&config.data_dir).map_err(io("creating the data directory"))?
    {
        tracing::warn!("{warning}");
        warnings.push(warning);
    }
    // Paths written for clients (server.json, dev-credentials.json) must not depend on the
    // directory `serve` was started from.
    config.data_dir =
        std::fs::canonicalize(&config.data_dir).map_err(io("resolving the data directory"))?;
    let listener =
        std::net::TcpListener::bind(config.listen).map_err(io("binding the listen address"))?;
    listener
        .set_nonblocking(true)
        .map_err(io("configuring the socket"))?;
    let addr = listener
        .local_addr()
        .map_err(io("reading the bound address"))?;
    let scheme = if config.plain_http { "http" } else { "https" };
    let base_url = match &config.public_url {
        Some(url) => url.as_str().trim_end_matches('/').to_owned(),
        None if addr.ip().is_unspecified() => format!("{scheme}://localhost:{}", addr.port()),
        None => format!("{scheme}://{addr}"),
    };
    let admin_key = read_or_make_admin_key(&config)?;
    let database_url = config.database_url.clone().unwrap_or_else(|| {
        format!(
            "sqlite://{}",
            config.data_dir.join("graphmeet.db").display()
        )
    });

    let tls = if config.plain_http {
        None
    } else {
        let mut hosts = vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
            "::1".to_owned(),
        ];
        if let Some(host) = config.public_url.as_ref().and_then(|u| u.host_str()) {
            let host = host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned();
            if !hosts.contains(&host) {
                hosts.push(host);
            }
        }
        Some(pki::ensure(&config.data_dir, &hosts)?)
    };

    let manual_clock = config
        .manual_clock
        .then(|| Arc::new(graphmeet_core::ManualClock::new(chrono::Utc::now())));
    let clock: Arc<dyn Clock> = match &manual_clock {
        Some(manual) => manual.clone(),
        None => Arc::new(SystemClock),
    };
    let settings = Settings {
        scheme,
        public_url: base_url.clone(),
        admin_key,
        policy_propagation_delay: config.policy_propagation_delay,
        join_url_base: config
            .join_url_base
            .as_ref()
            .map(|u| u.as_str().trim_end_matches('/').to_owned()),
        fault: config.fault,
        key_encryption: Arc::new(read_or_make_key_encryption_key(
            &config.data_dir,
            config.key_encryption_key.as_deref(),
        )?),
        lockout: config.lockout,
        // The flag (or variable) wins over the seed's key.
        meeting_quota: config
            .meeting_quota
            .or_else(|| seed.as_ref().and_then(|s| s.meeting_quota)),
        notification_loopback_hosts: config.notification_loopback_hosts.clone(),
    };
    let mut parts = build(&database_url, clock, settings).await?;
    parts.state.manual_clock = manual_clock;
    if proxy_rules.is_some() {
        // Client assertions addressed to the real authority hosts are ours too.
        let mut bases = parts.state.audience_bases.as_ref().clone();
        bases.extend(
            proxy::AUTHORITY_HOSTS
                .iter()
                .map(|host| format!("https://{host}")),
        );
        parts.state.audience_bases = Arc::new(bases);
    }

    if let (Some(seed), Some(file)) = (&seed, &config.seed) {
        let summary = match parts.state.directory.apply_seed(seed).await {
            Ok(summary) => summary,
            Err(e) => {
                parts.store.close().await;
                return Err(ServerError::Seed {
                    file: file.clone(),
                    problem: e.to_string(),
                });
            }
        };
        tracing::info!(
            seed = %file.display(),
            created = summary.created.total(),
            updated = summary.updated.total(),
            unchanged = summary.unchanged.total(),
            "applied the seed"
        );
        // The seed's meetings, once the directory they name is in place.
        if let Err(e) = parts
            .state
            .playback
            .apply_seed(seed, &parts.state.meetings)
            .await
        {
            parts.store.close().await;
            return Err(ServerError::Seed {
                file: file.clone(),
                problem: e.to_string(),
            });
        }
    }

    let mut dev_credentials = None;
    if config.bootstrap && config.seed.is_none() && parts.state.index.tenants().is_empty() {
        let (creds, path) = bootstrap::bootstrap(
            &parts.state.directory,
            &config.data_dir,
            &base_url,
            tls.as_ref().map(|t| t.ca_cert.as_path()),
        )
        .await?;
        tracing::info!(tenant_id = %creds.tenant_id, client_id = %creds.client_id, "bootstrapped the dev setup");
        dev_credentials = Some(path);
    }

    let server_info = serde_json::json!({ "url": base_url, "ca_cert_path": tls.as_ref().map(|t| t.ca_cert.display().to_string()) });
    fsutil::write_public(
        &config.data_dir.join("server.json"),
        server_info.to_string().as_bytes(),
    )?;

    // The directory index follows what the other instances change; a failed catch-up is
    // tried again at the next wake-up.
    let maintenance_task = tokio::spawn(maintain(
        parts.store.clone(),
        parts.state.clone(),
        config.audit_retention,
    ));

    // Change notifications: the outbox is drained from here, on every instance.
    let notification_stop = Arc::new(tokio::sync::Notify::new());
    let notification_task = tokio::spawn(notify::deliver_forever(
        parts.state.subscriptions.clone(),
        notification_stop.clone(),
    ));

    let audit = parts.state.audit.clone();
    let header_read_timeout = config.header_read_timeout;
    let peer_limit = peers::PeerLimit::new(config.max_connections_per_peer);
    let router = app(parts.state);
    let service = tower::util::MapRequestLayer::new(normalise_path).layer(router);
    let (proxy_addr, proxy_task) = match (proxy_rules, config.proxy_listen) {
        (Some(rules), Some(listen)) => {
            let hosts: Vec<String> = proxy::SERVED_HOSTS
                .iter()
                .map(|h| (*h).to_owned())
                .collect();
            let leaf = pki::ensure_leaf(&config.data_dir, "proxy", &hosts)?;
            let tls = pki::server_config(&leaf).map_err(io("loading the proxy's certificate"))?;
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .map_err(io("binding the proxy address"))?;
            let addr = listener
                .local_addr()
                .map_err(io("reading the proxy address"))?;
            tracing::info!(%addr, "proxy mode: serving Microsoft's hostnames through this proxy");
            let proxy = proxy::Proxy::new(rules, tls, service.clone());
            (Some(addr), Some(tokio::spawn(proxy.run(listener))))
        }
        _ => (None, None),
    };
    let make_service = tower::make::Shared::new(service);
    let handle = axum_server::Handle::new();
    let task = match &tls {
        Some(files) => {
            let rustls_config = axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(
                pki::server_config(files).map_err(io("loading the TLS certificate"))?,
            ));
            let mut server = axum_server::from_tcp_rustls(listener, rustls_config)
                .map(|tls| tls.acceptor(peer_limit))
                .handle(handle.clone());
            limit_header_reads(server.http_builder(), header_read_timeout);
            tokio::spawn(async move { server.serve(make_service).await })
        }
        None => {
            let mut server = axum_server::from_tcp(listener)
                .acceptor(peer_limit)
                .handle(handle.clone());
            limit_header_reads(server.http_builder(), header_read_timeout);
            tokio::spawn(async move { server.serve(make_service).await })
        }
    };
    Ok(RunningServer {
        addr,
        base_url,
        data_dir: config.data_dir,
        ca_cert_path: tls.map(|t| t.ca_cert),
        dev_credentials,
        warnings,
        proxy_addr,
        handle,
        task,
        maintenance_task,
        notification_task,
        notification_stop,
        proxy_task,
        store: parts.store,
        audit,
    })
}

/// Closes a connection whose client has not sent a request's headers within `timeout` (hyper
/// enforces it only with a timer).
fn limit_header_reads(
    builder: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>,
    timeout: std::time::Duration,
) {
    builder
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(timeout);
}

/// How often the directory index polls the change log (besides PostgreSQL's notifications).
const INDEX_POLL: std::time::Duration = std::time::Duration::from_millis(500);
/// How many change-log rows are kept; an instance further behind reloads everything.
const CHANGES_KEPT: i64 = 100_000;

/// The background work of a running server: keeping the directory index current (woken by
/// PostgreSQL notifications, and polling), reloading signing keys rotated elsewhere, pruning
/// the change log, and purging audit entries older than the retention.
async fn maintain(store: Arc<SqlStore>, state: AppState, audit_retention: chrono::Duration) {
    let mut listener = None;
    let mut poll = tokio::time::interval(INDEX_POLL);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut hourly = tokio::time::interval(std::time::Duration::from_secs(3600));
    let mut prune = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        if listener.is_none() {
            match store.directory_listener().await {
                Ok(l) => listener = l.map(Box::new),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for directory changes; polling")
                }
            }
        }
        let notified = async {
            match listener.as_mut() {
                Some(l) => l.recv().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            result = notified => {
                if let Err(e) = result {
                    tracing::warn!(error = %e, "lost the directory change listener");
                    listener = None;
                }
            }
            _ = poll.tick() => {}
            _ = hourly.tick() => {
                match store.purge_audit(state.clock.now() - audit_retention).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(entries = n, "purged old audit entries"),
                    Err(e) => tracing::warn!(error = %e, "could not purge the audit log"),
                }
                continue;
            }
            _ = prune.tick() => {
                if let Err(e) = store.prune_directory_changes(CHANGES_KEPT).await {
                    tracing::warn!(error = %e, "could not prune the directory change log");
                }
                continue;
            }
        }
        sync_index(&state).await;
    }
}

/// Applies the directory changes not yet seen, and reloads the signing keys when they changed.
async fn sync_index(state: &AppState) {
    match state.index.catch_up().await {
        Ok(done) => {
            if done.changes > 0 {
                tracing::debug!(
                    changes = done.changes,
                    reloaded = done.reloaded,
                    "directory index caught up"
                );
            }
            if done.signing_keys {
                if let Err(e) = state.identity.keys().reload().await {
                    tracing::warn!(error = %e, "could not reload the signing keys");
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "could not catch up with the directory change log"),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}

/// Runs the server until SIGINT or SIGTERM, printing where it listens and how to use it.
pub async fn serve(config: Config) -> Result<(), ServerError> {
    let running = start(config).await?;
    println!("graphmeet is listening on {}", running.base_url);
    println!("data directory: {}", running.data_dir.display());
    if let Some(ca) = &running.ca_cert_path {
        println!("TLS: trust the local CA at {}", ca.display());
        println!(
            "  graphmeet trust    (adds it to this machine's trust store; --remove takes it out)"
        );
        println!(
            "  export SSL_CERT_FILE={0} REQUESTS_CA_BUNDLE={0} NODE_EXTRA_CA_CERTS={0}",
            ca.display()
        );
    }
    if let Some(proxy) = &running.proxy_addr {
        println!(
            "proxy mode: {} is served at Microsoft's hostnames",
            running.base_url
        );
        println!("  export HTTPS_PROXY=http://{proxy} (and trust the local CA above)");
    }
    if let Some(creds) = &running.dev_credentials {
        println!("dev setup created: {}", creds.display());
        println!("  quickstart: read tenant_id, client_id and client_secret from that file, then");
        println!("  POST {{authority}}/oauth2/v2.0/token with grant_type=client_credentials&scope=https://graph.microsoft.com/.default");
    }
    shutdown_signal().await;
    tracing::info!("shutting down");
    running.shutdown().await;
    Ok(())
}
