//! graphmeet's domain: the directory (tenants, users, groups, apps, credentials, consent), the
//! identity platform (issuing and verifying tokens, verifying client assertions), and the
//! [`Store`] trait the databases implement.
//!
//! No HTTP lives here: the server parses requests, calls into this crate, and renders the
//! outcome in Microsoft's wire formats. Time comes from an injected [`Clock`], so tests never
//! sleep.

pub mod access;
pub mod audit;
pub mod clock;
pub mod crypto;
pub mod directory;
pub mod events;
pub mod exchange;
pub mod identity;
pub mod index;
pub mod lockout;
pub mod matrix;
pub mod media;
pub mod meetings;
pub mod model;
pub mod playback;
pub mod policy;
pub mod rich;
pub mod sealing;
pub mod seed;
pub mod store;
pub mod subscriptions;
pub mod telemetry;
pub mod verify;
pub mod writer;

pub use clock::{Clock, ManualClock, SystemClock};
pub use model::*;
pub use store::{Store, StoreError};
