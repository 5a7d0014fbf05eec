//! Building the application state: the store, the signing keys, the directory index and every
//! core service, from [`Settings`].

use super::start::ServerError;
use crate::{graph, metrics, notify};

use crate::state::{AppServices, AppState};
use graphmeet_core::access::Access;
use graphmeet_core::directory::Directory;
use graphmeet_core::identity::{Identity, KeyRing, TokenLifetimes};
use graphmeet_core::index::DirectoryIndex;
use graphmeet_core::lockout::LockoutPolicy;
use graphmeet_core::sealing::KeySealer;
use graphmeet_core::verify::TokenVerifier;
use graphmeet_core::{Clock, Store};
use graphmeet_store::SqlStore;
use std::sync::Arc;

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
pub(super) fn audience_bases(public_url: &str) -> Vec<String> {
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
    let state = AppServices {
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
    Ok(Parts {
        state: state.into(),
        store,
    })
}
