//! Authorization of every Graph call, as one service: the verified caller, the [`Operation`]
//! and the user the path names go in; the capability to act for that user (with the decision
//! that allowed it) or the denial with its reason comes out, and the audit log gets the entry.
//!
//! The order is the real service's: the user, looked up in the token's tenant (a user of
//! another tenant is not found); the role (app-only) or scope (delegated) the operation needs;
//! for app-only calls on meetings, the Teams application access policy, decided on the
//! in-memory [`DirectoryIndex`] so that its cost does not depend on the size of the tenant.
//! Organizer rights on a given meeting are the meetings domain's ([`crate::meetings`]).
//!
//! `policy explain` asks the same service ([`Access::explain`]), so an explanation and a Graph
//! call cannot disagree.
//!
//! Facts: <https://learn.microsoft.com/graph/cloud-communication-online-meeting-application-access-policy>.

use crate::audit::AuditLog;
use crate::clock::Clock;
use crate::identity::AccessTokenClaims;
use crate::index::DirectoryIndex;
use crate::meetings::Organizer;
use crate::model::{AuditDecision, AuditEntry, MissingPrerequisite, Tenant, User, UserRef};
use crate::policy::{decide, decide_exchange, AccessDecision, ExchangeDecision, PolicyState};
use std::sync::Arc;
use uuid::Uuid;

/// Why a call was refused before its token could be verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnauthenticatedReason {
    /// No token.
    MissingToken,
    /// Not a JWT, or not a bearer token.
    MalformedToken,
    /// Expired.
    ExpiredToken,
    /// A bad signature, audience, issuer or claim.
    InvalidToken,
}

impl UnauthenticatedReason {
    /// A short name for the audit log.
    pub fn name(self) -> &'static str {
        match self {
            Self::MissingToken => "missing token",
            Self::MalformedToken => "malformed token",
            Self::ExpiredToken => "expired token",
            Self::InvalidToken => "invalid token",
        }
    }
}

/// Every Graph operation graphmeet serves, each knowing the permissions it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `POST …/onlineMeetings`.
    CreateMeeting,
    /// `POST …/onlineMeetings/createOrGet`.
    CreateOrGetMeeting,
    /// `GET …/onlineMeetings/{id}`.
    GetMeeting,
    /// `GET …/onlineMeetings?$filter=…`.
    FindMeetings,
    /// `PATCH …/onlineMeetings/{id}`.
    UpdateMeeting,
    /// `DELETE …/onlineMeetings/{id}`.
    DeleteMeeting,
    /// `GET /users/{id | upn}`.
    GetUser,
    /// `GET /users` (with `$filter`, `$select`, `$top`).
    ListUsers,
    /// `POST …/events`.
    CreateEvent,
    /// `GET …/events/{id}`.
    GetEvent,
    /// `GET …/events`.
    ListEvents,
    /// `GET …/calendarView?startDateTime=…&endDateTime=…`.
    CalendarView,
    /// `PATCH …/events/{id}`.
    UpdateEvent,
    /// `DELETE …/events/{id}`.
    DeleteEvent,
    /// `POST …/events/{id}/cancel`.
    CancelEvent,
    /// `POST …/events/{id}/accept`, `…/decline`, `…/tentativelyAccept`.
    RespondToEvent,
    /// `GET …/onlineMeetings/{id}/attendanceReports`.
    ListAttendanceReports,
    /// `GET …/attendanceReports/{reportId}` (`$expand=attendanceRecords`).
    GetAttendanceReport,
    /// `GET …/attendanceReports/{reportId}/attendanceRecords`.
    ListAttendanceRecords,
    /// `GET …/onlineMeetings/{id}/transcripts`.
    ListTranscripts,
    /// `GET …/transcripts/{id}`.
    GetTranscript,
    /// `GET …/transcripts/{id}/content`.
    GetTranscriptContent,
    /// `GET …/transcripts/{id}/metadataContent`.
    GetTranscriptMetadataContent,
    /// `GET …/onlineMeetings/{id}/recordings`.
    ListRecordings,
    /// `GET …/recordings/{id}`.
    GetRecording,
    /// `GET …/recordings/{id}/content`.
    GetRecordingContent,
    /// `GET /users/{id}/onlineMeetings/getAllTranscripts(…)` (and `/delta`).
    GetAllTranscripts,
    /// `GET /users/{id}/onlineMeetings/getAllRecordings(…)` (and `/delta`).
    GetAllRecordings,
    /// `POST /subscriptions` (and get, renew, delete) for a user's or one meeting's
    /// transcripts (`users/{id}/onlineMeetings/getAllTranscripts`).
    SubscribeTranscripts,
    /// The same for recordings.
    SubscribeRecordings,
    /// `POST /subscriptions` for every transcript of the tenant
    /// (`communications/onlineMeetings/getAllTranscripts`).
    SubscribeAllTranscripts,
    /// The same for recordings.
    SubscribeAllRecordings,
    /// `POST /subscriptions` for a meeting's call events
    /// (`communications/onlineMeetings(joinWebUrl='…')/meetingCallEvents`).
    SubscribeMeetingCallEvents,
    /// `GET /subscriptions`.
    ListSubscriptions,
}

/// Every application permission that allows some subscription: what listing them needs.
const SUBSCRIPTION_ROLES: &[&str] = &[
    "OnlineMeetingTranscript.Read.All",
    "OnlineMeetingRecording.Read.All",
    "OnlineMeetings.Read.All",
    "OnlineMeetings.ReadWrite.All",
];

impl Operation {
    /// Application permissions that allow the operation, least privileged first.
    pub fn app_roles(self) -> &'static [&'static str] {
        match self {
            Self::GetMeeting | Self::FindMeetings => {
                &["OnlineMeetings.Read.All", "OnlineMeetings.ReadWrite.All"]
            }
            Self::CreateMeeting
            | Self::CreateOrGetMeeting
            | Self::UpdateMeeting
            | Self::DeleteMeeting => &["OnlineMeetings.ReadWrite.All"],
            Self::GetUser | Self::ListUsers => &["User.ReadBasic.All", "User.Read.All"],
            Self::GetEvent | Self::ListEvents | Self::CalendarView => {
                &["Calendars.Read", "Calendars.ReadWrite"]
            }
            Self::CreateEvent
            | Self::UpdateEvent
            | Self::DeleteEvent
            | Self::CancelEvent
            | Self::RespondToEvent => &["Calendars.ReadWrite"],
            Self::ListAttendanceReports
            | Self::GetAttendanceReport
            | Self::ListAttendanceRecords => &["OnlineMeetingArtifact.Read.All"],
            Self::ListTranscripts
            | Self::GetTranscript
            | Self::GetTranscriptContent
            | Self::GetTranscriptMetadataContent
            | Self::GetAllTranscripts => &["OnlineMeetingTranscript.Read.All"],
            Self::ListRecordings
            | Self::GetRecording
            | Self::GetRecordingContent
            | Self::GetAllRecordings => &["OnlineMeetingRecording.Read.All"],
            // Subscriptions: spec C.7 (application permissions).
            Self::SubscribeTranscripts | Self::SubscribeAllTranscripts => {
                &["OnlineMeetingTranscript.Read.All"]
            }
            Self::SubscribeRecordings | Self::SubscribeAllRecordings => {
                &["OnlineMeetingRecording.Read.All"]
            }
            Self::SubscribeMeetingCallEvents => {
                &["OnlineMeetings.Read.All", "OnlineMeetings.ReadWrite.All"]
            }
            Self::ListSubscriptions => SUBSCRIPTION_ROLES,
        }
    }

    /// Delegated permissions that allow the operation, least privileged first.
    pub fn delegated_scopes(self) -> &'static [&'static str] {
        match self {
            Self::GetMeeting | Self::FindMeetings => {
                &["OnlineMeetings.Read", "OnlineMeetings.ReadWrite"]
            }
            Self::CreateMeeting
            | Self::CreateOrGetMeeting
            | Self::UpdateMeeting
            | Self::DeleteMeeting => &["OnlineMeetings.ReadWrite"],
            Self::GetUser => &["User.Read", "User.ReadBasic.All", "User.Read.All"],
            Self::ListUsers => &["User.ReadBasic.All", "User.Read.All"],
            Self::GetEvent | Self::ListEvents | Self::CalendarView => {
                &["Calendars.Read", "Calendars.ReadWrite"]
            }
            Self::CreateEvent
            | Self::UpdateEvent
            | Self::DeleteEvent
            | Self::CancelEvent
            | Self::RespondToEvent => &["Calendars.ReadWrite"],
            Self::ListAttendanceReports
            | Self::GetAttendanceReport
            | Self::ListAttendanceRecords => &["OnlineMeetingArtifact.Read.All"],
            Self::ListTranscripts
            | Self::GetTranscript
            | Self::GetTranscriptContent
            | Self::GetTranscriptMetadataContent => &["OnlineMeetingTranscript.Read.All"],
            Self::ListRecordings | Self::GetRecording | Self::GetRecordingContent => {
                &["OnlineMeetingRecording.Read.All"]
            }
            // Application permissions only (learn.microsoft.com/graph/api/onlinemeeting-getalltranscripts).
            Self::GetAllTranscripts | Self::GetAllRecordings => &[],
            // A user's own transcripts and recordings (C.7: delegated too); tenant-wide and
            // call-event subscriptions are application-only.
            Self::SubscribeTranscripts => &["OnlineMeetingTranscript.Read.All"],
            Self::SubscribeRecordings => &["OnlineMeetingRecording.Read.All"],
            Self::SubscribeAllTranscripts
            | Self::SubscribeAllRecordings
            | Self::SubscribeMeetingCallEvents => &[],
            Self::ListSubscriptions => &[
                "OnlineMeetingTranscript.Read.All",
                "OnlineMeetingRecording.Read.All",
            ],
        }
    }

    /// Whether app-only calls also need an application access policy.
    pub fn needs_access_policy(self) -> bool {
        self.is_meeting_operation()
    }

    /// Whether the operation acts on the user's meetings (and so needs the user to be able to
    /// organise them).
    pub fn is_meeting_operation(self) -> bool {
        !matches!(self, Self::GetUser | Self::ListUsers) && !self.is_event_operation()
    }

    /// Whether the operation acts on the user's calendar (Exchange, not Teams: the Teams
    /// application access policy does not apply; Exchange's does).
    pub fn is_event_operation(self) -> bool {
        matches!(
            self,
            Self::CreateEvent
                | Self::GetEvent
                | Self::ListEvents
                | Self::CalendarView
                | Self::UpdateEvent
                | Self::DeleteEvent
                | Self::CancelEvent
                | Self::RespondToEvent
        )
    }

    /// Whether the path may name the user by UPN (only the users endpoint resolves one; the
    /// meetings API wants the object id).
    pub fn accepts_upn(self) -> bool {
        matches!(self, Self::GetUser) || self.is_event_operation()
    }

    /// The name the audit log records.
    pub fn name(self) -> &'static str {
        match self {
            Self::CreateMeeting => "CreateMeeting",
            Self::CreateOrGetMeeting => "CreateOrGetMeeting",
            Self::GetMeeting => "GetMeeting",
            Self::FindMeetings => "FindMeetings",
            Self::UpdateMeeting => "UpdateMeeting",
            Self::DeleteMeeting => "DeleteMeeting",
            Self::GetUser => "GetUser",
            Self::ListUsers => "ListUsers",
            Self::CreateEvent => "CreateEvent",
            Self::GetEvent => "GetEvent",
            Self::ListEvents => "ListEvents",
            Self::CalendarView => "CalendarView",
            Self::UpdateEvent => "UpdateEvent",
            Self::DeleteEvent => "DeleteEvent",
            Self::CancelEvent => "CancelEvent",
            Self::RespondToEvent => "RespondToEvent",
            Self::ListAttendanceReports => "ListAttendanceReports",
            Self::GetAttendanceReport => "GetAttendanceReport",
            Self::ListAttendanceRecords => "ListAttendanceRecords",
            Self::ListTranscripts => "ListTranscripts",
            Self::GetTranscript => "GetTranscript",
            Self::GetTranscriptContent => "GetTranscriptContent",
            Self::GetTranscriptMetadataContent => "GetTranscriptMetadataContent",
            Self::ListRecordings => "ListRecordings",
            Self::GetRecording => "GetRecording",
            Self::GetRecordingContent => "GetRecordingContent",
            Self::GetAllTranscripts => "GetAllTranscripts",
            Self::GetAllRecordings => "GetAllRecordings",
            Self::SubscribeTranscripts => "SubscribeTranscripts",
            Self::SubscribeRecordings => "SubscribeRecordings",
            Self::SubscribeAllTranscripts => "SubscribeAllTranscripts",
            Self::SubscribeAllRecordings => "SubscribeAllRecordings",
            Self::SubscribeMeetingCallEvents => "SubscribeMeetingCallEvents",
            Self::ListSubscriptions => "ListSubscriptions",
        }
    }
}

/// Who is calling, from a verified token.
#[derive(Debug, Clone)]
pub enum Caller {
    /// An app-only token.
    App {
        /// The token's claims.
        claims: AccessTokenClaims,
        /// The client id.
        app_id: Uuid,
        /// The token's tenant.
        tenant_id: Uuid,
    },
    /// A delegated token.
    User {
        /// The token's claims.
        claims: AccessTokenClaims,
        /// The signed-in user.
        user_id: Uuid,
        /// The client id.
        app_id: Uuid,
        /// The token's tenant.
        tenant_id: Uuid,
    },
}

impl Caller {
    /// The caller of verified claims; `None` when an id claim is not a GUID.
    pub fn from_claims(claims: AccessTokenClaims) -> Option<Self> {
        let tenant_id = Uuid::parse_str(&claims.tid).ok()?;
        let app_id = Uuid::parse_str(&claims.appid).ok()?;
        if claims.idtyp == "app" {
            Some(Self::App {
                claims,
                app_id,
                tenant_id,
            })
        } else {
            let user_id = Uuid::parse_str(&claims.oid).ok()?;
            Some(Self::User {
                claims,
                user_id,
                app_id,
                tenant_id,
            })
        }
    }

    /// The token's tenant.
    pub fn tenant_id(&self) -> Uuid {
        match self {
            Self::App { tenant_id, .. } | Self::User { tenant_id, .. } => *tenant_id,
        }
    }

    /// The calling app.
    pub fn app_id(&self) -> Uuid {
        match self {
            Self::App { app_id, .. } | Self::User { app_id, .. } => *app_id,
        }
    }
}

/// The user a route names: `/me` or `/users/{id | upn}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathUser {
    /// `/me`.
    Me,
    /// `/users/{segment}`, percent-decoded and parsed.
    User {
        /// The user the segment names.
        reference: UserRef,
        /// The segment as written, for error messages.
        segment: String,
    },
}

impl PathUser {
    /// `/users/{segment}`.
    pub fn segment(segment: &str) -> Self {
        Self::User {
            reference: UserRef::parse(segment),
            segment: segment.to_owned(),
        }
    }

    /// How the path wrote the user, for error messages.
    pub fn shown(&self) -> String {
        match self {
            Self::Me => "me".to_owned(),
            Self::User { segment, .. } => segment.clone(),
        }
    }
}

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
    operation: Operation,
    caller: Caller,
    user: Arc<User>,
    tenant: Arc<Tenant>,
    decision: Option<AccessDecision>,
    exchange: Option<ExchangeDecision>,
}

impl Authorized {
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
        let user = User::clone(&self.user);
        let tenant = Tenant::clone(&self.tenant);
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

/// The reason of an allowed call that needs no access policy, only a role or scope.
pub const PERMISSION_HELD: &str = "allowed: the token holds the permission";

/// The authorization service; see the module docs. Cheap to clone.
#[derive(Clone)]
pub struct Access {
    index: Arc<DirectoryIndex>,
    clock: Arc<dyn Clock>,
    propagation_delay: chrono::Duration,
    audit: AuditLog,
}

impl Access {
    /// Authorization over `index`, deciding access policies as they were `propagation_delay`
    /// ago, recording every decision in `audit`.
    pub fn new(
        index: Arc<DirectoryIndex>,
        clock: Arc<dyn Clock>,
        propagation_delay: chrono::Duration,
        audit: AuditLog,
    ) -> Self {
        Self {
            index,
            clock,
            propagation_delay,
            audit,
        }
    }

    /// How long policy changes take to reach decisions.
    pub fn propagation_delay(&self) -> chrono::Duration {
        self.propagation_delay
    }

    /// Authorizes `operation` by `caller` on the user `path` names, and records the outcome.
    pub fn authorize(
        &self,
        caller: Caller,
        operation: Operation,
        path: &PathUser,
        request_id: &str,
    ) -> Result<Authorized, Denial> {
        let (tenant_id, app_id) = (caller.tenant_id(), caller.app_id());
        let signed_in = match &caller {
            Caller::User { user_id, .. } => Some(*user_id),
            Caller::App { .. } => None,
        };
        let outcome = self.decide_call(caller, operation, path);
        let (decision, reason, user_id) = match &outcome {
            Ok(auth) => (
                AuditDecision::Allowed,
                auth.decision
                    .as_ref()
                    .map(AccessDecision::reason)
                    .or_else(|| auth.exchange.as_ref().map(ExchangeDecision::reason))
                    .unwrap_or_else(|| match auth.caller {
                        Caller::User { .. } => {
                            "allowed: a signed-in user acting for itself".to_owned()
                        }
                        Caller::App { .. } => "allowed: the app holds the role".to_owned(),
                    }),
                Some(auth.user.id),
            ),
            // The user, when the path resolves to one in the caller's tenant.
            Err(denial) => (
                AuditDecision::Denied,
                denial.reason(),
                match path {
                    PathUser::Me => signed_in,
                    PathUser::User { reference, .. } => {
                        self.index.user_in(tenant_id, reference).map(|u| u.id)
                    }
                },
            ),
        };
        self.audit.record(AuditEntry {
            at: self.clock.now(),
            request_id: request_id.to_owned(),
            tenant_id: Some(tenant_id),
            app_id: Some(app_id),
            user_id,
            operation: operation.name().to_owned(),
            decision,
            reason,
        });
        outcome
    }

    /// A call refused before its token could be verified. The audit log counts and samples
    /// such refusals (a denial naming no tenant, app or user) rather than writing one row each.
    pub fn unauthenticated(&self, operation: Operation, reason: UnauthenticatedReason) {
        self.audit.record(AuditEntry {
            at: self.clock.now(),
            request_id: String::new(),
            tenant_id: None,
            app_id: None,
            user_id: None,
            operation: operation.name().to_owned(),
            decision: AuditDecision::Denied,
            reason: format!("denied: {}", reason.name()),
        });
    }

    fn decide_call(
        &self,
        caller: Caller,
        operation: Operation,
        path: &PathUser,
    ) -> Result<Authorized, Denial> {
        let not_found = || Denial::UserNotFound(path.shown());
        // The user, resolved in the token's tenant.
        let user = match (path, &caller) {
            (PathUser::Me, Caller::App { .. }) => return Err(Denial::MeNeedsDelegated),
            (PathUser::Me, Caller::User { user_id, .. }) => self.index.user(*user_id),
            (
                PathUser::User {
                    reference: UserRef::Upn(_),
                    ..
                },
                _,
            ) if !operation.accepts_upn() => return Err(not_found()),
            (PathUser::User { reference, .. }, _) => {
                self.index.user_in(caller.tenant_id(), reference)
            }
        }
        .filter(|u| u.tenant_id == caller.tenant_id())
        .ok_or_else(not_found)?;
        let tenant = self.index.tenant(user.tenant_id).ok_or_else(not_found)?;

        // The role or scope.
        Self::check_permission(&caller, operation)?;
        // A delegated caller acts for itself only (reading another user needs
        // User.Read*.All, which the scope check has granted).
        if let Caller::User { user_id, .. } = &caller {
            if *user_id != user.id
                && (operation.is_meeting_operation() || operation.is_event_operation())
            {
                return Err(Denial::NotSelf);
            }
        }

        // The application access policy.
        let mut decision = None;
        if let Caller::App { app_id, .. } = &caller {
            if operation.needs_access_policy() {
                let d = self.policy_decision(&tenant, *app_id, &user);
                if !d.allowed() {
                    return Err(Denial::NoAccessPolicy {
                        app_id: *app_id,
                        decision: Box::new(d),
                    });
                }
                decision = Some(d);
            }
        }

        // Exchange's application access policy, for app-only calls on a mailbox.
        let mut exchange = None;
        if let Caller::App { app_id, .. } = &caller {
            if operation.is_event_operation() {
                let d = self.exchange_decision(&tenant, *app_id, &user);
                if !d.allowed() {
                    return Err(Denial::ExchangePolicy {
                        app_id: *app_id,
                        decision: Box::new(d),
                    });
                }
                exchange = Some(d);
            }
        }

        // What Teams checks of the organizer's account, once the caller may act for them.
        if operation.is_meeting_operation() {
            if let Some(missing) = user.account.missing_prerequisite() {
                return Err(Denial::Prerequisite {
                    user_id: user.id,
                    missing,
                });
            }
        }
        Ok(Authorized {
            operation,
            caller,
            user,
            tenant,
            decision,
            exchange,
        })
    }

    /// The role (app-only) or scope (delegated) `operation` needs.
    fn check_permission(caller: &Caller, operation: Operation) -> Result<(), Denial> {
        match caller {
            Caller::App { claims, .. } => {
                let required = operation.app_roles();
                if !claims.roles.iter().any(|r| required.contains(&r.as_str())) {
                    return Err(Denial::MissingRoles {
                        required,
                        present: claims.roles.clone(),
                    });
                }
            }
            Caller::User { claims, .. } => {
                let scopes: Vec<String> = claims
                    .scp
                    .as_deref()
                    .unwrap_or_default()
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect();
                let required = operation.delegated_scopes();
                if !scopes.iter().any(|s| required.contains(&s.as_str())) {
                    return Err(Denial::MissingScopes {
                        required,
                        present: scopes,
                    });
                }
            }
        }
        Ok(())
    }

    /// Authorizes an operation on a collection of the caller's own tenant (`GET /users`): the
    /// role or scope only. Recorded in the audit log like every other decision.
    pub fn authorize_tenant(
        &self,
        caller: Caller,
        operation: Operation,
        request_id: &str,
    ) -> Result<Arc<Tenant>, Denial> {
        let (tenant_id, app_id) = (caller.tenant_id(), caller.app_id());
        let outcome = Self::check_permission(&caller, operation).and_then(|()| {
            self.index
                .tenant(tenant_id)
                .ok_or_else(|| Denial::UserNotFound(String::new()))
        });
        let (decision, reason) = match &outcome {
            Ok(_) => (AuditDecision::Allowed, PERMISSION_HELD.to_owned()),
            Err(denial) => (AuditDecision::Denied, denial.reason()),
        };
        self.audit.record(AuditEntry {
            at: self.clock.now(),
            request_id: request_id.to_owned(),
            tenant_id: Some(tenant_id),
            app_id: Some(app_id),
            user_id: match &caller {
                Caller::User { user_id, .. } => Some(*user_id),
                Caller::App { .. } => None,
            },
            operation: operation.name().to_owned(),
            decision,
            reason,
        });
        outcome
    }

    /// The application-access-policy decision for an app and a user of `tenant`, now.
    fn policy_decision(&self, tenant: &Tenant, app_id: Uuid, user: &User) -> AccessDecision {
        let inputs = self.index.policy_inputs(tenant.id, user.id);
        decide(
            &PolicyState {
                policies: &inputs.policies,
                grants: &inputs.grants,
            },
            app_id,
            user.id,
            &inputs.groups,
            self.clock.now(),
            self.propagation_delay,
        )
    }

    /// Exchange's application-access-policy decision for an app and a user's mailbox, now.
    fn exchange_decision(&self, tenant: &Tenant, app_id: Uuid, user: &User) -> ExchangeDecision {
        let (policies, groups) = self.index.exchange_inputs(tenant.id, user.id);
        decide_exchange(
            &policies,
            app_id,
            user.id,
            &groups,
            self.clock.now(),
            self.propagation_delay,
        )
    }

    /// "Explain this app for this mailbox" under Exchange's application access policy (what
    /// `Test-ApplicationAccessPolicy` and `policy explain` answer): the decision a calendar call
    /// would get now; `None` when the tenant has no such user.
    pub fn explain_exchange(
        &self,
        tenant: &Tenant,
        app_id: Uuid,
        user: &UserRef,
    ) -> Option<(Arc<User>, ExchangeDecision)> {
        let user = self.index.user_in(tenant.id, user)?;
        let decision = self.exchange_decision(tenant, app_id, &user);
        Some((user, decision))
    }

    /// `Test-ApplicationAccessPolicy`: the decision on the policies as they are now, without
    /// the propagation delay (the cmdlet reads the directory, not the service's cache, which is
    /// why it can say Granted while Graph still refuses).
    pub fn test_exchange(
        &self,
        tenant: &Tenant,
        app_id: Uuid,
        user: &UserRef,
    ) -> Option<(Arc<User>, ExchangeDecision)> {
        let user = self.index.user_in(tenant.id, user)?;
        let (policies, groups) = self.index.exchange_inputs(tenant.id, user.id);
        let decision = decide_exchange(
            &policies,
            app_id,
            user.id,
            &groups,
            self.clock.now(),
            chrono::Duration::zero(),
        );
        Some((user, decision))
    }

    /// "Explain this app for this user": the decision a Graph call would get now, and the
    /// user it was made for; `None` when the tenant has no such user.
    pub fn explain(&self, tenant: &Tenant, app_id: Uuid, user: &UserRef) -> Option<Explanation> {
        let user = self.index.user_in(tenant.id, user)?;
        let decision = self.policy_decision(tenant, app_id, &user);
        let missing = user.account.missing_prerequisite();
        Some(Explanation {
            user,
            decision,
            missing,
        })
    }
}
