//! Starting a server: the seed or the first-run bootstrap, the admin key and key-encryption key
//! in the data directory, TLS, the bound socket and the background tasks; and
//! [`ServerError`], why a start failed.

use super::config::Config;
use super::services::{build, Settings};
use super::{app, normalise_path};
use crate::upkeep::maintain;
use crate::{bootstrap, fsutil, notify, peers, pki, proxy};

use graphmeet_core::sealing::KeySealer;
use graphmeet_core::{Clock, SystemClock};
use graphmeet_store::SqlStore;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tower::Layer;

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
pub(super) fn read_seed(
    file: &std::path::Path,
) -> Result<graphmeet_wire::admin::Seed, ServerError> {
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

pub(super) fn io(context: &str) -> impl Fn(std::io::Error) -> ServerError + '_ {
    move |e| ServerError::Io(format!("{context}: {e}"))
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

pub(super) fn read_or_make_admin_key(config: &Config) -> Result<String, ServerError> {
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
    parts.state.configure().manual_clock = manual_clock;
    if proxy_rules.is_some() {
        // Client assertions addressed to the real authority hosts are ours too.
        let mut bases = parts.state.audience_bases.as_ref().clone();
        bases.extend(
            proxy::AUTHORITY_HOSTS
                .iter()
                .map(|host| format!("https://{host}")),
        );
        parts.state.configure().audience_bases = Arc::new(bases);
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
pub(super) fn limit_header_reads(
    builder: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>,
    timeout: std::time::Duration,
) {
    builder
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(timeout);
}
