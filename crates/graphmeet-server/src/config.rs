//! [`Config`]: every setting of `graphmeet serve`, each documented with its default.

use crate::{graph, peers};
use graphmeet_core::lockout::LockoutPolicy;
use std::net::SocketAddr;
use std::path::PathBuf;

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
