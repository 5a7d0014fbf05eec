//! The one translation from sqlx's errors to the store's.

use graphmeet_core::StoreError;
use sqlx::error::{DatabaseError, ErrorKind};

/// Maps a sqlx error to a [`StoreError`]: a unique violation is a [`StoreError::Conflict`],
/// a missing row or a dangling reference (foreign key) is [`StoreError::NotFound`], anything
/// else is [`StoreError::Backend`].
pub(crate) fn from_sqlx(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::RowNotFound => StoreError::NotFound("record"),
        sqlx::Error::Database(db) => match db.kind() {
            ErrorKind::UniqueViolation => StoreError::Conflict(conflict_text(db.as_ref())),
            ErrorKind::ForeignKeyViolation => StoreError::NotFound("referenced record"),
            _ => StoreError::Backend(db.to_string()),
        },
        other => StoreError::Backend(other.to_string()),
    }
}

/// `.db()?` on a sqlx result: [`from_sqlx`] without a closure at every call.
pub(crate) trait SqlxResultExt<T> {
    /// The result with its error mapped by [`from_sqlx`].
    fn db(self) -> Result<T, StoreError>;
}

impl<T> SqlxResultExt<T> for Result<T, sqlx::Error> {
    fn db(self) -> Result<T, StoreError> {
        self.map_err(from_sqlx)
    }
}

/// Which rule a unique violation broke, in words. PostgreSQL names the constraint
/// (`users_upn_key`); SQLite names the columns (`UNIQUE constraint failed: users.upn_lower`).
fn conflict_text(db: &dyn DatabaseError) -> String {
    rule_text(db.constraint().unwrap_or_else(|| db.message()))
}

/// The words for a broken uniqueness rule, from the constraint's name or the columns SQLite
/// names (`meetings.thread_id`).
pub(crate) fn rule_text(raw: &str) -> String {
    // First match wins: the more specific needles come first.
    const RULES: &[(&str, &str)] = &[
        (
            "meetings_join_meeting_id",
            "the joinMeetingId is already taken in the tenant",
        ),
        (
            "meetings.join_meeting_id",
            "the joinMeetingId is already taken in the tenant",
        ),
        ("meetings_join_web_url", "the joinWebUrl is already taken"),
        ("meetings.join_web_url", "the joinWebUrl is already taken"),
        ("meetings_thread_id", "the chat threadId is already taken"),
        ("meetings.thread_id", "the chat threadId is already taken"),
        (
            "meetings_external_id",
            "the organizer already has a meeting with that externalId",
        ),
        (
            "meetings.external_id",
            "the organizer already has a meeting with that externalId",
        ),
        ("meetings_pkey", "the meeting id is already taken"),
        ("meetings.id", "the meeting id is already taken"),
        (
            "access_policies_live_name",
            "the tenant already has a policy of that name",
        ),
        (
            "access_policies.name_lower",
            "the tenant already has a policy of that name",
        ),
        ("access_policies_pkey", "the policy id is already taken"),
        ("access_policies.id", "the policy id is already taken"),
        (
            "access_policy_grants",
            "the target already has a live grant (a concurrent grant won)",
        ),
        ("tenant_domains", "the domain already belongs to a tenant"),
        ("upn", "the user principal name is already taken"),
        ("thumbprint", "the certificate is already on the app"),
        (
            "service_principals_tenant_app",
            "the app already has a service principal in the tenant",
        ),
        (
            "service_principals.tenant_id",
            "the app already has a service principal in the tenant",
        ),
        ("apps_object_id", "the object id is already taken"),
        ("apps.object_id", "the object id is already taken"),
        ("assertion_ids", "the assertion id was already used"),
        ("signing_keys", "the signing key already exists"),
    ];
    RULES
        .iter()
        .find(|(needle, _)| raw.contains(needle))
        .map_or_else(
            || format!("already exists ({raw})"),
            |(_, text)| (*text).to_owned(),
        )
}
