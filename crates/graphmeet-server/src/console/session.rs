//! The console's sessions: in memory, one per sign-in, each with its CSRF token, ended by
//! sign-out or after [`IDLE_TIMEOUT`] without a request (on the server's clock, so a manual
//! clock moves it too). The cookie carries a random token; only its SHA-256 is kept here.

use chrono::{DateTime, Duration, Utc};
use graphmeet_core::Clock;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How long a session lives without a request.
pub const IDLE_TIMEOUT: Duration = Duration::minutes(30);

/// At most this many sessions are kept; past it, the least recently used one ends.
const MAX_SESSIONS: usize = 1024;

/// What a page shows once after an action: the outcome, the equivalent PowerShell line, and a
/// secret that is shown this once (a new client secret, a generated certificate's key).
#[derive(Debug, Clone, Default)]
pub struct Flash {
    /// What was done.
    pub text: String,
    /// The same change as a Teams PowerShell line, when there is one.
    pub powershell: Option<String>,
    /// A label and a value to copy now: it is not shown again.
    pub secret: Option<(String, String)>,
}

#[derive(Debug)]
struct Session {
    csrf: String,
    last_seen: DateTime<Utc>,
    flash: Option<Flash>,
}

/// What a request's handlers get of its session.
#[derive(Debug, Clone)]
pub struct SessionCtx {
    /// The session's key (the token's hash).
    pub key: String,
    /// The CSRF token every form carries.
    pub csrf: String,
}

/// The session store.
pub struct Sessions {
    clock: Arc<dyn Clock>,
    sessions: Mutex<HashMap<String, Session>>,
}

/// 256 random bits, hex: two v4 UUIDs' random parts come from the OS's CSPRNG.
pub fn random_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

fn key_of(token: &str) -> String {
    hex::encode(graphmeet_core::crypto::sha256(token.as_bytes()))
}

impl Sessions {
    /// An empty store on `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            sessions: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new session; returns the cookie's token.
    pub fn create(&self) -> String {
        let token = random_token();
        let now = self.clock.now();
        let mut sessions = self.lock();
        sessions.retain(|_, s| now - s.last_seen < IDLE_TIMEOUT);
        if sessions.len() >= MAX_SESSIONS {
            if let Some(oldest) = sessions
                .iter()
                .min_by_key(|(_, s)| s.last_seen)
                .map(|(k, _)| k.clone())
            {
                sessions.remove(&oldest);
            }
        }
        sessions.insert(
            key_of(&token),
            Session {
                csrf: random_token(),
                last_seen: now,
                flash: None,
            },
        );
        token
    }

    /// The live session of a cookie token, its idle time reset; `None` (and the session
    /// ended) when it has been idle too long.
    pub fn touch(&self, token: &str) -> Option<SessionCtx> {
        let key = key_of(token);
        let now = self.clock.now();
        let mut sessions = self.lock();
        let session = sessions.get_mut(&key)?;
        if now - session.last_seen >= IDLE_TIMEOUT {
            sessions.remove(&key);
            return None;
        }
        session.last_seen = session.last_seen.max(now);
        Some(SessionCtx {
            csrf: session.csrf.clone(),
            key,
        })
    }

    /// Ends a session.
    pub fn end(&self, key: &str) {
        self.lock().remove(key);
    }

    /// Keeps what the next page shows once.
    pub fn set_flash(&self, key: &str, flash: Flash) {
        if let Some(s) = self.lock().get_mut(key) {
            s.flash = Some(flash);
        }
    }

    /// Takes what this page shows once.
    pub fn take_flash(&self, key: &str) -> Option<Flash> {
        self.lock().get_mut(key).and_then(|s| s.flash.take())
    }
}
