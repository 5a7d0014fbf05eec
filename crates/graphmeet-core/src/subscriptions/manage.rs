//! A subscription's life as its app drives it: authorizing the resource, the validation
//! handshake, create, get, list, renew, reauthorize and delete.

use super::model::{next_reauthorization, OutboxEntry, ResourceKind, Subscription};
use super::{SubscriptionError, Subscriptions, LIFECYCLE_URL_NEEDED_BEYOND, MAX_LIFETIME_MINUTES};

use crate::access::{Authorized, Caller, Operation, PathUser};
use crate::rich::EncryptionCertificate;
use crate::store::StoreError;
use chrono::{DateTime, Duration, Utc};
use graphmeet_wire::graph::subscription::{
    ResourcePath, ResourceScope, SubscriptionInput, SubscriptionPatch,
};
use uuid::Uuid;

impl Subscriptions {
    /// Authorizes `caller` for `path`: the operation its resource needs, on the user it names
    /// (the organizer for meeting-scoped resources), with the application access policy.
    pub(super) fn authorize_resource(
        &self,
        caller: Caller,
        path: &ResourcePath,
        request_id: &str,
    ) -> Result<Scope, SubscriptionError> {
        let denied = SubscriptionError::Denied;
        let (kind, user_op, tenant_op) = match path {
            ResourcePath::Transcripts(_) => (
                ResourceKind::Transcripts,
                Operation::SubscribeTranscripts,
                Operation::SubscribeAllTranscripts,
            ),
            ResourcePath::Recordings(_) => (
                ResourceKind::Recordings,
                Operation::SubscribeRecordings,
                Operation::SubscribeAllRecordings,
            ),
            ResourcePath::MeetingCallEvents { .. } => (
                ResourceKind::MeetingCallEvents,
                Operation::SubscribeMeetingCallEvents,
                Operation::SubscribeMeetingCallEvents,
            ),
        };
        let unsupported = || SubscriptionError::UnsupportedResource(String::new());
        let by_user = |segment: String, meeting_key: Option<String>| {
            let auth: Authorized = self
                .access
                .authorize(
                    caller.clone(),
                    user_op,
                    &PathUser::segment(&segment),
                    request_id,
                )
                .map_err(denied)?;
            Ok(Scope {
                kind,
                organizer_id: Some(auth.user().id),
                meeting_key,
            })
        };
        match path {
            ResourcePath::Transcripts(scope) | ResourcePath::Recordings(scope) => match scope {
                ResourceScope::Tenant => {
                    self.access
                        .authorize_tenant(caller.clone(), tenant_op, request_id)
                        .map_err(denied)?;
                    Ok(Scope {
                        kind,
                        organizer_id: None,
                        meeting_key: None,
                    })
                }
                ResourceScope::Organizer(segment) => by_user(segment.clone(), None),
                ResourceScope::Meeting(id) => {
                    let decoded =
                        graphmeet_wire::graph::MeetingId::parse(id).map_err(|_| unsupported())?;
                    by_user(
                        decoded.organizer.to_string(),
                        Some(decoded.to_meeting_id().as_str().to_owned()),
                    )
                }
            },
            ResourcePath::MeetingCallEvents { join_web_url } => {
                let parts = graphmeet_wire::graph::parse_join_web_url(join_web_url)
                    .ok_or_else(unsupported)?;
                by_user(parts.organizer.to_string(), Some(join_web_url.clone()))
            }
        }
    }

    /// `POST /subscriptions`: checks, authorizes, validates both endpoints, stores.
    pub async fn create(
        &self,
        caller: Caller,
        input: SubscriptionInput,
        request_id: &str,
    ) -> Result<Subscription, SubscriptionError> {
        let path = ResourcePath::parse(&input.resource)
            .ok_or_else(|| SubscriptionError::UnsupportedResource(input.resource.clone()))?;
        let tenant_id = caller.tenant_id();
        let app_id = caller.app_id();
        let creator_id = match &caller {
            Caller::User { user_id, .. } => *user_id,
            Caller::App { claims, .. } => Uuid::parse_str(&claims.oid).unwrap_or(app_id),
        };
        let scope = self
            .authorize_resource(caller, &path, request_id)
            .map_err(|e| match e {
                SubscriptionError::UnsupportedResource(_) => {
                    SubscriptionError::UnsupportedResource(input.resource.clone())
                }
                other => other,
            })?;
        let supported = scope.kind.change_types();
        if input
            .change_type
            .split(',')
            .any(|c| !supported.split(',').any(|s| s == c.trim()))
        {
            return Err(SubscriptionError::UnsupportedChangeType {
                given: input.change_type.clone(),
                supported,
            });
        }
        let now = self.clock.now();
        self.check_expiration(input.expiration, now)?;
        if input.expiration - now > LIFECYCLE_URL_NEEDED_BEYOND
            && input.lifecycle_notification_url.is_none()
        {
            return Err(SubscriptionError::LifecycleUrlRequired);
        }
        self.check_url(&input.notification_url)?;
        if let Some(url) = &input.lifecycle_notification_url {
            self.check_url(url)?;
        }
        if input.include_resource_data {
            if let Some(cert) = &input.encryption_certificate {
                EncryptionCertificate::from_base64(cert)
                    .map_err(|e| SubscriptionError::Certificate(e.to_string()))?;
            }
        }
        if scope.kind == ResourceKind::MeetingCallEvents {
            let existing = self.store.app_subscriptions(tenant_id, app_id).await?;
            if existing.iter().any(|s| {
                s.kind == ResourceKind::MeetingCallEvents
                    && s.meeting_key == scope.meeting_key
                    && s.expiration > now
            }) {
                return Err(SubscriptionError::Exists);
            }
        }
        // The handshake: the notification URL, then the lifecycle URL (two requests even when
        // they are the same URL, C.2).
        self.handshake(&input.notification_url).await?;
        if let Some(url) = &input.lifecycle_notification_url {
            self.handshake(url).await?;
        }
        let subscription = Subscription {
            id: Uuid::new_v4(),
            tenant_id,
            app_id,
            creator_id,
            resource: input.resource,
            kind: scope.kind,
            organizer_id: scope.organizer_id,
            meeting_key: scope.meeting_key,
            change_type: input.change_type,
            notification_url: input.notification_url,
            next_reauthorization_at: input
                .lifecycle_notification_url
                .as_ref()
                .and_then(|_| next_reauthorization(input.expiration, now)),
            lifecycle_notification_url: input.lifecycle_notification_url,
            client_state: input.client_state,
            expiration: input.expiration,
            include_resource_data: input.include_resource_data,
            encryption_certificate: input.encryption_certificate,
            encryption_certificate_id: input.encryption_certificate_id,
            latest_supported_tls_version: input.latest_supported_tls_version,
            notification_url_app_id: input.notification_url_app_id,
            created_at: now,
        };
        self.store.insert_subscription(&subscription).await?;
        Ok(subscription)
    }

    pub(super) fn check_expiration(
        &self,
        expiration: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), SubscriptionError> {
        if expiration <= now {
            return Err(SubscriptionError::ExpirationPast);
        }
        if expiration - now > Duration::minutes(MAX_LIFETIME_MINUTES) {
            return Err(SubscriptionError::ExpirationTooFar(MAX_LIFETIME_MINUTES));
        }
        Ok(())
    }

    pub(super) fn check_url(&self, url: &str) -> Result<(), SubscriptionError> {
        self.transport
            .check_url(url)
            .map_err(|p| SubscriptionError::Url(url.to_owned(), p))
    }

    pub(super) async fn handshake(&self, url: &str) -> Result<(), SubscriptionError> {
        // Opaque, like the real one (C.2): a readable prefix and a fresh id.
        let token = format!(
            "Validation: Testing client application reachability for subscription Request-Id: {}",
            Uuid::new_v4()
        );
        self.transport
            .validate(url, &token)
            .await
            .map_err(SubscriptionError::Validation)
    }

    /// A subscription of the caller's app in the caller's tenant, unexpired; re-authorized for
    /// its resource (Graph requires the permission that created it to read, renew or delete it).
    pub(super) async fn owned(
        &self,
        caller: &Caller,
        id: &str,
        request_id: &str,
    ) -> Result<Subscription, SubscriptionError> {
        let not_found = || SubscriptionError::NotFound(id.to_owned());
        let uuid = Uuid::parse_str(id).map_err(|_| not_found())?;
        let s = self.store.subscription(uuid).await?.ok_or_else(not_found)?;
        if s.tenant_id != caller.tenant_id()
            || s.app_id != caller.app_id()
            || s.expiration <= self.clock.now()
        {
            return Err(not_found());
        }
        let path = ResourcePath::parse(&s.resource).ok_or_else(not_found)?;
        self.authorize_resource(caller.clone(), &path, request_id)?;
        Ok(s)
    }

    /// `GET /subscriptions/{id}`.
    pub async fn get(
        &self,
        caller: Caller,
        id: &str,
        request_id: &str,
    ) -> Result<Subscription, SubscriptionError> {
        self.owned(&caller, id, request_id).await
    }

    /// `GET /subscriptions`: the caller's app's unexpired subscriptions in its tenant.
    pub async fn list(
        &self,
        caller: Caller,
        request_id: &str,
    ) -> Result<Vec<Subscription>, SubscriptionError> {
        let (tenant_id, app_id) = (caller.tenant_id(), caller.app_id());
        self.access
            .authorize_tenant(caller, Operation::ListSubscriptions, request_id)
            .map_err(SubscriptionError::Denied)?;
        let now = self.clock.now();
        Ok(self
            .store
            .app_subscriptions(tenant_id, app_id)
            .await?
            .into_iter()
            .filter(|s| s.expiration > now)
            .collect())
    }

    /// `PATCH /subscriptions/{id}`: renews (a new expiry within the resource's maximum from
    /// now) and, when given, moves the notification URL (validated again).
    pub async fn renew(
        &self,
        caller: Caller,
        id: &str,
        patch: SubscriptionPatch,
        request_id: &str,
    ) -> Result<Subscription, SubscriptionError> {
        let mut s = self.owned(&caller, id, request_id).await?;
        let now = self.clock.now();
        let expiration = patch.expiration.unwrap_or(s.expiration);
        self.check_expiration(expiration, now)?;
        if expiration - now > LIFECYCLE_URL_NEEDED_BEYOND && s.lifecycle_notification_url.is_none()
        {
            return Err(SubscriptionError::LifecycleUrlRequired);
        }
        if let Some(url) = patch.notification_url.filter(|u| *u != s.notification_url) {
            self.check_url(&url)?;
            self.handshake(&url).await?;
            s.notification_url = url;
        }
        s.expiration = expiration;
        s.next_reauthorization_at = s
            .lifecycle_notification_url
            .as_ref()
            .and_then(|_| next_reauthorization(expiration, now));
        if !self
            .store
            .update_subscription(
                s.id,
                s.expiration,
                &s.notification_url,
                s.next_reauthorization_at,
            )
            .await?
        {
            return Err(SubscriptionError::NotFound(id.to_owned()));
        }
        Ok(s)
    }

    /// `POST /subscriptions/{id}/reauthorize`: the caller's permission is checked again and
    /// the reauthorization schedule starts over.
    pub async fn reauthorize(
        &self,
        caller: Caller,
        id: &str,
        request_id: &str,
    ) -> Result<(), SubscriptionError> {
        let s = self.owned(&caller, id, request_id).await?;
        let now = self.clock.now();
        self.store
            .update_subscription(
                s.id,
                s.expiration,
                &s.notification_url,
                s.lifecycle_notification_url
                    .as_ref()
                    .and_then(|_| next_reauthorization(s.expiration, now)),
            )
            .await?;
        Ok(())
    }

    /// `DELETE /subscriptions/{id}`: no more notifications, the undelivered ones included.
    pub async fn delete(
        &self,
        caller: Caller,
        id: &str,
        request_id: &str,
    ) -> Result<(), SubscriptionError> {
        let s = self.owned(&caller, id, request_id).await?;
        if !self.store.delete_subscription(s.id).await? {
            return Err(SubscriptionError::NotFound(id.to_owned()));
        }
        Ok(())
    }

    /// The outbox rows of a subscription (operators, tests).
    pub async fn outbox(&self, subscription_id: Uuid) -> Result<Vec<OutboxEntry>, StoreError> {
        self.store.outbox_of(subscription_id).await
    }
}

/// What a resource narrows a subscription to, once authorized.
pub(super) struct Scope {
    kind: ResourceKind,
    organizer_id: Option<Uuid>,
    meeting_key: Option<String>,
}
