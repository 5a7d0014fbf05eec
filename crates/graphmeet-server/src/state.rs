//! What every handler shares.

use graphmeet_core::access::Access;
use graphmeet_core::directory::Directory;
use graphmeet_core::identity::Identity;
use graphmeet_core::index::DirectoryIndex;
use graphmeet_core::verify::TokenVerifier;
use graphmeet_core::Clock;
use graphmeet_wire::graph::ApiVersion;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The application state handed to every handler: services, never the store, so that no
/// handler can reach around them. One allocation shared by every request: axum clones the state
/// for each extractor and middleware that takes it, and a clone is one reference count.
#[derive(Clone)]
pub struct AppState(Arc<AppServices>);

impl std::ops::Deref for AppState {
    type Target = AppServices;

    fn deref(&self) -> &AppServices {
        &self.0
    }
}

impl From<AppServices> for AppState {
    fn from(services: AppServices) -> Self {
        Self(Arc::new(services))
    }
}

impl AppState {
    /// The services, to change while setting the server up (before the state is shared with a
    /// router or a task; a state already shared is copied first, so no holder sees a change).
    pub fn configure(&mut self) -> &mut AppServices {
        Arc::make_mut(&mut self.0)
    }
}

/// What [`AppState`] holds.
#[derive(Clone)]
pub struct AppServices {
    /// Authorization of Graph calls.
    pub access: Access,
    /// The in-memory directory the services decide on; admin writes catch it up before they
    /// answer.
    pub index: Arc<DirectoryIndex>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// The same clock when the server runs on a virtual one (`serve --clock manual`), which
    /// `POST /admin/clock` moves.
    pub manual_clock: Option<Arc<graphmeet_core::ManualClock>>,
    /// The identity platform.
    pub identity: Arc<Identity>,
    /// Directory administration.
    pub directory: Directory,
    /// Injected faults (`x-graphmeet-fault`, `serve --fault`).
    pub faults: Arc<crate::graph::fault::FaultInjector>,
    /// Online meetings.
    pub meetings: graphmeet_core::meetings::Meetings,
    /// Calendar events (and the Teams meetings behind them).
    pub events: graphmeet_core::events::Events,
    /// Played meeting sessions and their artifacts (attendance, transcripts, recordings).
    pub playback: graphmeet_core::playback::Playback,
    /// Change-notification subscriptions and their outbox.
    pub subscriptions: graphmeet_core::subscriptions::Subscriptions,
    /// The access-token verifier.
    pub verifier: Arc<TokenVerifier>,
    /// `https` or `http`: the scheme clients reach us with.
    pub scheme: &'static str,
    /// The configured public URL (`scheme://host[:port]`, no trailing slash), used when a
    /// request carries no `Host`.
    pub public_url: String,
    /// The bases a client assertion's `aud` may name the token URL under: the public URL, and
    /// for a loopback public URL its other loopback names on the same port (the names the
    /// server's certificate covers). Never the request's `Host`.
    pub audience_bases: Arc<Vec<String>>,
    /// The admin key's SHA-256, compared in constant time.
    pub admin_key_hash: Arc<Vec<u8>>,
    /// `scheme://host[:port]` of the meetings' `joinWebUrl` (`https://teams.microsoft.com`, or
    /// this server, which serves a landing page for them).
    pub join_url_base: String,
    /// The audit log: entries are queued here and written in batches off the request path.
    pub audit: graphmeet_core::audit::AuditLog,
    /// What `GET …/onlineMeetings/{id}` rendered from each meeting's stored document.
    pub renders: Arc<MeetingRenders>,
    /// This instance's metrics (`/metrics`); the core's writers report their batches to it.
    pub metrics: Arc<crate::metrics::Metrics>,
}

/// The properties `GET …/onlineMeetings/{id}` renders from a stored meeting, as JSON text,
/// memoized by meeting id, API version and `Prefer: include-unknown-enum-members`.
///
/// This is no cache of the data: the meeting is read from the store on every request, as
/// ever, and an entry is used only when the row's revision is still the one it was rendered
/// from (every update of a document, by any instance, makes a new revision, so the next read
/// after a PATCH renders anew). The read names the kept revision and gets the document only
/// when it changed. Rendering is a function of the document and those options alone; what the
/// memo saves is reading the document, decoding it, building the property tree in the
/// service's order and serializing it.
#[derive(Debug, Default)]
pub struct MeetingRenders {
    entries: Mutex<HashMap<String, [Option<Rendered>; RENDER_SLOTS]>>,
}

/// One meeting's renderings: v1.0 and beta, each with and without unknown enum members.
const RENDER_SLOTS: usize = 4;

#[derive(Debug, Clone)]
struct Rendered {
    revision: i64,
    properties: Arc<str>,
}

/// How many meetings' renderings are kept (a few KB each); when full, all are dropped.
pub const MEETING_RENDERS_KEPT: usize = 1024;

impl MeetingRenders {
    fn slot(version: ApiVersion, prefer_unknown_enum_members: bool) -> usize {
        let version = match version {
            ApiVersion::V1 => 0,
            ApiVersion::Beta => 2,
        };
        version + usize::from(prefer_unknown_enum_members)
    }

    /// The kept rendering of meeting `id` under these options, with the revision it was
    /// rendered from.
    pub fn kept(
        &self,
        id: &str,
        version: ApiVersion,
        prefer_unknown_enum_members: bool,
    ) -> Option<(i64, Arc<str>)> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let kept = entries.get(id)?[Self::slot(version, prefer_unknown_enum_members)].as_ref()?;
        Some((kept.revision, kept.properties.clone()))
    }

    /// Keeps the rendering of revision `revision` of meeting `id` under these options.
    pub fn keep(
        &self,
        id: &str,
        version: ApiVersion,
        prefer_unknown_enum_members: bool,
        revision: i64,
        properties: Arc<str>,
    ) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MEETING_RENDERS_KEPT && !entries.contains_key(id) {
            entries.clear();
        }
        // Only a rendering (a miss) gets here, so the key's copy costs nothing that matters.
        entries.entry(id.to_owned()).or_default()
            [Self::slot(version, prefer_unknown_enum_members)] = Some(Rendered {
            revision,
            properties,
        });
    }
}

impl AppServices {
    /// `scheme://host[:port]` as this request's client sees us: built from its `Host` header
    /// (clients POST to whatever host the discovery document names, so it must be theirs),
    /// falling back to the public URL.
    pub fn base_url(&self, headers: &axum::http::HeaderMap) -> String {
        headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| {
                !h.is_empty()
                    && h.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
            })
            .map(|host| format!("{}://{}", self.scheme, host))
            .unwrap_or_else(|| self.public_url.clone())
    }
}
