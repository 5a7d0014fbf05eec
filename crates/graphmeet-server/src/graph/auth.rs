//! Authorization of every Graph call, in the real service's order: the token; the token's
//! tenant against the user's; the role or scope the operation needs; the application access
//! policy (app-only calls); organizer rights (in the handlers, which know the meeting).
//!
//! Facts: <https://learn.microsoft.com/graph/cloud-communication-online-meeting-application-access-policy>.

use super::GraphFailure;
use crate::state::AppState;
use axum::http::HeaderMap;
use graphmeet_core::identity::AccessTokenClaims;
use graphmeet_core::policy::{decide, AccessDecision, PolicyState};
use graphmeet_core::verify::TokenError;
use graphmeet_core::{AuditDecision, AuditEntry, Tenant, User};
use graphmeet_wire::graph::GraphError;
use uuid::Uuid;

/// Every Graph operation graphmeet serves, each knowing the permissions it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

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
            Self::GetUser => &["User.Read.All"],
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
        }
    }

    /// Whether app-only calls also need an application access policy.
    pub fn needs_access_policy(self) -> bool {
        !matches!(self, Self::GetUser)
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

/// The user a route names: `/me` or `/users/{id}`.
#[derive(Debug, Clone)]
pub enum PathUser {
    /// `/me`.
    Me,
    /// `/users/{segment}`, percent-decoded.
    Id(String),
}

fn token_failure(e: &TokenError) -> GraphFailure {
    GraphFailure::from(match e {
        TokenError::Expired => GraphError::access_token_expired(),
        TokenError::Malformed(_) => GraphError::compact_token_parsing_failed(),
        TokenError::KeysUnavailable => GraphError::internal_server_error(),
        TokenError::WrongAudience(_) => GraphError::invalid_audience(),
        TokenError::WrongIssuer => GraphError::invalid_issuer(),
        _ => GraphError::token_validation_failure(),
    })
}

/// Verifies the bearer token.
pub async fn caller(state: &AppState, headers: &HeaderMap) -> Result<Caller, GraphFailure> {
    let header = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim();
    let token = match header.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ if header.is_empty() => "",
        _ => {
            return Err(GraphFailure::from(
                GraphError::compact_token_parsing_failed(),
            ))
        }
    };
    if token.is_empty() {
        return Err(GraphFailure::from(GraphError::access_token_empty()));
    }
    let claims = state
        .verifier
        .verify(token)
        .await
        .map_err(|e| token_failure(&e))?;
    let parse = |s: &str| {
        Uuid::parse_str(s)
            .map_err(|_| GraphFailure::from(GraphError::compact_token_parsing_failed()))
    };
    let tenant_id = parse(&claims.tid)?;
    let app_id = parse(&claims.appid)?;
    if claims.idtyp == "app" {
        Ok(Caller::App {
            claims,
            app_id,
            tenant_id,
        })
    } else {
        let user_id = parse(&claims.oid)?;
        Ok(Caller::User {
            claims,
            user_id,
            app_id,
            tenant_id,
        })
    }
}

/// A caller allowed to act on a user's meetings (or read the user), with the decision that
/// allowed it.
#[derive(Debug, Clone)]
pub struct Authorized {
    /// The caller.
    pub caller: Caller,
    /// The user the path names, resolved in the token's tenant.
    pub user: User,
    /// The user's tenant.
    pub tenant: Tenant,
    /// For app-only calls: the access-policy decision that allowed the call.
    pub decision: Option<AccessDecision>,
}

/// Runs the whole authorization for `operation` on the user the path names.
pub async fn authorize(
    state: &AppState,
    headers: &HeaderMap,
    operation: Operation,
    path_user: &PathUser,
) -> Result<Authorized, GraphFailure> {
    let mut known = Known::default();
    let outcome = authorize_inner(state, headers, operation, path_user, &mut known).await;
    let (decision, reason) = match &outcome {
        Ok(auth) => (
            AuditDecision::Allowed,
            auth.decision
                .as_ref()
                .map(AccessDecision::reason)
                .unwrap_or_else(|| "allowed: a signed-in user acting for itself".to_owned()),
        ),
        Err(failure) => (
            AuditDecision::Denied,
            failure.decision().map(str::to_owned).unwrap_or_else(|| {
                format!(
                    "denied: {} {}",
                    failure.error().status,
                    failure.error().message
                )
            }),
        ),
    };
    let entry = AuditEntry {
        at: state.clock.now(),
        request_id: headers
            .get(super::REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        tenant_id: known.tenant,
        app_id: known.app,
        user_id: known.user,
        operation: format!("{operation:?}"),
        decision,
        reason,
    };
    // Queued, never awaited: the audit log writes in batches off the request path.
    state.audit.record(entry);
    outcome
}

/// What authorization learned before it decided, for the audit log.
#[derive(Debug, Default)]
struct Known {
    tenant: Option<Uuid>,
    app: Option<Uuid>,
    user: Option<Uuid>,
}

async fn authorize_inner(
    state: &AppState,
    headers: &HeaderMap,
    operation: Operation,
    path_user: &PathUser,
    known: &mut Known,
) -> Result<Authorized, GraphFailure> {
    let caller = caller(state, headers).await?;
    known.tenant = Some(caller.tenant_id());
    known.app = Some(caller.app_id());
    let store = state.store.as_ref();
    let internal = |e: graphmeet_core::StoreError| {
        tracing::error!(error = %e, "store failed during authorization");
        GraphFailure::from(GraphError::internal_server_error())
    };

    // The user, resolved in the token's tenant.
    let user = match (path_user, &caller) {
        (PathUser::Me, Caller::App { .. }) => {
            return Err(GraphFailure::from(GraphError::me_requires_delegated()))
        }
        (PathUser::Me, Caller::User { user_id, .. }) => {
            store.get_user(*user_id).await.map_err(internal)?
        }
        (PathUser::Id(segment), _) => match Uuid::parse_str(segment) {
            Ok(id) => store.get_user(id).await.map_err(internal)?,
            // Only the users endpoint accepts a UPN; the meetings API wants the object id.
            Err(_) if operation == Operation::GetUser => store
                .find_user_by_upn(&segment.to_ascii_lowercase())
                .await
                .map_err(internal)?,
            Err(_) => return Err(GraphFailure::from(GraphError::user_not_found(segment))),
        },
    };
    let shown = match path_user {
        PathUser::Me => "me".to_owned(),
        PathUser::Id(s) => s.clone(),
    };
    let user = user
        .filter(|u| u.tenant_id == caller.tenant_id())
        .ok_or_else(|| GraphFailure::from(GraphError::user_not_found(&shown)))?;
    known.user = Some(user.id);
    let tenant = store
        .get_tenant(user.tenant_id)
        .await
        .map_err(internal)?
        .ok_or_else(|| GraphFailure::from(GraphError::user_not_found(&shown)))?;

    // The role or scope.
    match &caller {
        Caller::App { claims, .. } => {
            let required = operation.app_roles();
            if !claims.roles.iter().any(|r| required.contains(&r.as_str())) {
                let present: Vec<&str> = claims.roles.iter().map(String::as_str).collect();
                return Err(GraphFailure::from(GraphError::missing_roles(
                    required, &present,
                )));
            }
        }
        Caller::User {
            claims, user_id, ..
        } => {
            let scopes: Vec<String> = claims
                .scp
                .as_deref()
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_owned)
                .collect();
            let required = operation.delegated_scopes();
            if !scopes.iter().any(|s| required.contains(&s.as_str())) {
                let present: Vec<&str> = scopes.iter().map(String::as_str).collect();
                return Err(GraphFailure::from(GraphError::missing_scopes(
                    required, &present,
                )));
            }
            // A delegated caller acts for itself only (reading another user needs User.Read*.All).
            if *user_id != user.id && operation != Operation::GetUser {
                return Err(GraphFailure::from(GraphError::meeting_lookup_denied()));
            }
        }
    }

    // The application access policy.
    let mut decision = None;
    if let Caller::App { app_id, .. } = &caller {
        if operation.needs_access_policy() {
            let policies = store.list_policies(tenant.id).await.map_err(internal)?;
            let grants = store
                .list_policy_grants(tenant.id)
                .await
                .map_err(internal)?;
            let groups: Vec<Uuid> = store
                .groups_of_user(user.id)
                .await
                .map_err(internal)?
                .into_iter()
                .map(|g| g.id)
                .collect();
            let d = decide(
                &PolicyState {
                    policies: &policies,
                    grants: &grants,
                },
                *app_id,
                user.id,
                &groups,
                state.clock.now(),
                state.policy_propagation_delay,
            );
            if !d.allowed() {
                tracing::info!(app_id = %app_id, user_id = %user.id, reason = %d.reason(), "denied by application access policy");
                return Err(GraphFailure::from(GraphError::no_application_access_policy(
                    &app_id.to_string(),
                ))
                .with_decision(&d.reason()));
            }
            decision = Some(d);
        }
    }
    Ok(Authorized {
        caller,
        user,
        tenant,
        decision,
    })
}
