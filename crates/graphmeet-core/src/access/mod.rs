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

mod caller;
mod operation;
mod outcome;

use crate::audit::AuditLog;
use crate::clock::Clock;
use crate::index::DirectoryIndex;
use crate::model::{AuditDecision, AuditEntry, Tenant, User, UserRef};
use crate::policy::{decide, decide_exchange, AccessDecision, ExchangeDecision, PolicyState};
use std::sync::Arc;
use uuid::Uuid;

pub use caller::{Caller, PathUser, UnauthenticatedReason};
pub use operation::Operation;
pub use outcome::{Authorized, Denial, Explanation};

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
                auth.reason.clone(),
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
        let reason = decision
            .as_ref()
            .map(AccessDecision::reason)
            .or_else(|| exchange.as_ref().map(ExchangeDecision::reason))
            .unwrap_or_else(|| match caller {
                Caller::User { .. } => "allowed: a signed-in user acting for itself".to_owned(),
                Caller::App { .. } => "allowed: the app holds the role".to_owned(),
            });
        Ok(Authorized {
            operation,
            caller,
            user,
            tenant,
            decision,
            exchange,
            reason,
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
