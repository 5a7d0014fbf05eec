//! Change notifications on the wire: the `microsoft.graph.subscription` resource (create and
//! PATCH bodies, the rendered entity), the meeting resources a subscription may name, the
//! `changeNotification` payloads (change and lifecycle) and the errors of `POST /subscriptions`.
//!
//! Facts: spec `events-artifacts-notifications.md` section C;
//! <https://learn.microsoft.com/graph/api/resources/subscription>,
//! <https://learn.microsoft.com/graph/change-notifications-delivery-webhooks>,
//! <https://learn.microsoft.com/graph/teams-changenotifications-callrecording-and-calltranscript>.
//!
//! One file per concern, all re-exported here: `paths` (what `resource` may name),
//! `resource` (the subscription's bodies and entity), `notification` (the payloads) and
//! `errors`.

mod errors;
mod notification;
mod paths;
mod resource;

pub use notification::*;
pub use paths::*;
pub use resource::*;

/// The longest `clientState` accepted (the subscription resource page says 128).
pub const MAX_CLIENT_STATE: usize = 128;
/// The longest `encryptionCertificateId` accepted (the rich-notifications page).
pub const MAX_ENCRYPTION_CERTIFICATE_ID: usize = 128;

#[cfg(test)]
mod tests;
