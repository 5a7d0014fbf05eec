//! What authorization hands out: the capability to act for a user ([`Authorized`], with the
//! decision that allowed it), the [`Denial`] with its reason, or an [`Explanation`].

use super::caller::Caller;
use super::operation::Operation;

use crate::meetings::Organizer;
use crate::model::{MissingPrerequisite, Tenant, User};
use crate::policy::{AccessDecision, ExchangeDecision};
use std::sync::Arc;
use uuid::Uuid;

/// Why a call was refused, in domain terms; the Graph surface renders each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denial {
    /// `/me` with an app-only token.
    MeNeedsDelegated,
    /// No such user in the token's tenant (or a UPN where the operation wants an id); the
    /// text is the path's segment.
    UserNotFound(String),
    /// The app-only token carries none of the roles the operation needs.
    MissingRoles {
        /// What would do, least privileged first.
        required: &'static [&'static str],
        /// What the token has.
        present: Vec<String>,
    },
    /// The delegated token carries none of the scopes the operation needs.
    MissingScopes {
        /// What would do, least privileged first.
        required: &'static [&'static str],
        /// What the token has.
        present: Vec<String>,
    },
    /// A delegated caller acting for another user.
    NotSelf,
    /// No application access policy allows the app for the user.
    NoAccessPolicy {
        /// The app.
        app_id: Uuid,
        /// The decision, with its reasons.
        decision: Box<AccessDecision>,
    },
    /// Exchange Online's application access policy keeps the app from the user's mailbox.
    ExchangePolicy {
        /// The app.
        app_id: Uuid,
        /// The decision, with its reasons.
        decision: Box<ExchangeDecision>,
    },
    /// The user may not organise Teams meetings: the account lacks a prerequisite.
    Prerequisite {
        /// The user.
        user_id: Uuid,
        /// What is missing.
        missing: MissingPrerequisite,
    },
}

impl Denial {
    /// The kind of the application access policy grant that decided (`user`, `group`,
    /// `global`), or `none` where no grant applied or the refusal came before the policy.
    pub fn grant_kind(&self) -> &'static str {
        match self {
            Self::NoAccessPolicy { decision, .. } => decision.grant_kind(),
            _ => "none",
        }
    }

    /// One line for the audit log and for logs.
    pub fn reason(&self) -> String {
        match self {
            Self::MeNeedsDelegated => "denied: /me needs a delegated token".to_owned(),
            Self::UserNotFound(u) => format!("denied: no user '{u}' in the token's tenant"),
            Self::MissingRoles { required, present } => format!(
                "denied: the token has none of the roles {} (it has: {})",
                required.join(", "),
                present.join(", ")
            ),
            Self::MissingScopes { required, present } => format!(
                "denied: the token has none of the scopes {} (it has: {})",
                required.join(", "),
                present.join(" ")
            ),
            Self::NotSelf => "denied: a delegated caller acts for itself only".to_owned(),
            Self::NoAccessPolicy { decision, .. } => decision.reason(),
            Self::ExchangePolicy { decision, .. } => decision.reason(),
            Self::Prerequisite { user_id, missing } => {
                format!("denied: user {user_id}: {}", missing.describe())
            }
        }
    }
}

/// A caller allowed to act for (or read) a user, with the decision that allowed it.
#[derive(Debug, Clone)]
pub struct Authorized {
    pub(super) operation: Operation,
    pub(super) caller: Caller,
    pub(super) user: Arc<User>,
    pub(super) tenant: Arc<Tenant>,
    pub(super) decision: Option<AccessDecision>,
    pub(super) exchange: Option<ExchangeDecision>,
    /// Why the call was allowed, as the audit log records it.
    pub(super) reason: String,
}

impl Authorized {
    /// Why the call was allowed, in the audit log's words.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The caller.
    pub fn caller(&self) -> &Caller {
        &self.caller
    }

    /// The user the path names.
    pub fn user(&self) -> &User {
        &self.user
    }

    /// The user's tenant.
    pub fn tenant(&self) -> &Tenant {
        &self.tenant
    }

    /// For app-only calls on meetings: the access-policy decision that allowed the call.
    pub fn decision(&self) -> Option<&AccessDecision> {
        self.decision.as_ref()
    }

    /// For app-only calls on calendars: Exchange's application-access-policy decision that
    /// allowed the call.
    pub fn exchange_decision(&self) -> Option<&ExchangeDecision> {
        self.exchange.as_ref()
    }

    /// The right to manage the user's meetings: from the allowed policy decision for app-only
    /// callers, from the token for delegated ones. `None` for an operation that decided no
    /// policy (reading a user).
    pub fn organizer(&self) -> Option<Organizer> {
        let user = Arc::clone(&self.user);
        let tenant = Arc::clone(&self.tenant);
        match (&self.caller, &self.decision) {
            (Caller::App { .. }, Some(decision)) => decision
                .allowed_access()
                .and_then(|allowed| Organizer::for_app(&allowed, user, tenant)),
            (Caller::User { user_id, .. }, _) => Organizer::signed_in(*user_id, user, tenant),
            (Caller::App { .. }, None) => None,
        }
    }

    /// The right to act on the user's calendar, for an allowed calendar operation.
    pub fn mailbox(&self) -> Option<crate::events::Mailbox> {
        if !self.operation.is_event_operation() {
            return None;
        }
        crate::events::Mailbox::authorized(User::clone(&self.user), Tenant::clone(&self.tenant))
    }
}

/// What `policy explain` answers: the user, the application-access-policy decision, and the
/// prerequisite of organising meetings the user's account lacks, if any (a call the policy
/// allows still fails without it).
#[derive(Debug, Clone)]
pub struct Explanation {
    /// The user the reference resolved to.
    pub user: Arc<User>,
    /// The access-policy decision, now.
    pub decision: AccessDecision,
    /// The missing prerequisite, if any.
    pub missing: Option<MissingPrerequisite>,
}

impl Explanation {
    /// Whether a meeting call by the app for the user would be allowed now.
    pub fn allowed(&self) -> bool {
        self.decision.allowed() && self.missing.is_none()
    }

    /// The reason, in one line.
    pub fn reason(&self) -> String {
        match self.missing {
            Some(missing) if self.decision.allowed() => format!(
                "{}; but denied: {}",
                self.decision.reason(),
                missing.describe()
            ),
            _ => self.decision.reason(),
        }
    }
}
