//! Telling subscribers: what a new transcript, recording or meeting call event puts in the
//! outbox, with its body (encrypted when the subscription asked for resource data), and the
//! lifecycle notifications.

use super::model::{OutboxEntry, OutboxKind, OutboxState, ResourceKind, Subscription};
use super::{ArtifactCreated, Subscriptions, NOTIFICATIONS_APP_ID, RETRY_FOR};

use crate::rich::EncryptionCertificate;
use crate::store::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use graphmeet_wire::graph::subscription::{
    self as wire, ChangeNotification, EncryptedContent, LifecycleEvent,
};
use uuid::Uuid;

impl Subscriptions {
    pub(super) fn entry(
        &self,
        s: &Subscription,
        kind: OutboxKind,
        url: &str,
        body: String,
        due_at: DateTime<Utc>,
    ) -> OutboxEntry {
        let now = self.clock.now();
        OutboxEntry {
            seq: 0,
            id: Uuid::new_v4(),
            subscription_id: s.id,
            tenant_id: s.tenant_id,
            kind,
            url: url.to_owned(),
            body,
            state: OutboxState::Pending,
            attempts: 0,
            created_at: now,
            due_at,
            give_up_at: due_at.max(now) + RETRY_FOR,
            finished_at: None,
            last_error: None,
        }
    }

    /// A validation token for a rich notification (C.6): a JWT for the subscribing app, from
    /// Graph's change-notification app, issued by the tenant's v1 issuer.
    pub(super) async fn validation_token(&self, s: &Subscription) -> Result<String, StoreError> {
        let now = self.clock.now().timestamp();
        let claims = serde_json::json!({
            "aud": s.app_id.to_string(),
            "iss": format!("https://sts.windows.net/{}/", s.tenant_id),
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "appid": NOTIFICATIONS_APP_ID,
            "appidacr": "2",
            "idp": format!("https://sts.windows.net/{}/", s.tenant_id),
            "tid": s.tenant_id.to_string(),
            "ver": "1.0",
        });
        self.keys
            .sign_claims(&claims)
            .await
            .map_err(|e| StoreError::Backend(format!("signing a validation token: {e}")))
    }

    /// Builds the POST body of one change notification for `s`.
    pub(super) async fn change_body(
        &self,
        s: &Subscription,
        change_type: &'static str,
        resource: String,
        resource_data: serde_json::Value,
        rich: serde_json::Value,
        organization_id: Option<Uuid>,
    ) -> Result<String, StoreError> {
        let mut encrypted_content = None;
        let mut tokens = Vec::new();
        if s.include_resource_data {
            if let Some(cert) = &s.encryption_certificate {
                let cert = EncryptionCertificate::from_base64(cert)
                    .map_err(|e| StoreError::Backend(format!("encryption certificate: {e}")))?;
                let (data, data_signature, data_key) = cert
                    .encrypt(rich.to_string().as_bytes())
                    .map_err(|e| StoreError::Backend(e.to_string()))?;
                encrypted_content = Some(EncryptedContent {
                    data,
                    data_signature,
                    data_key,
                    encryption_certificate_id: s
                        .encryption_certificate_id
                        .clone()
                        .unwrap_or_default(),
                    encryption_certificate_thumbprint: cert.thumbprint.clone(),
                });
                tokens.push(self.validation_token(s).await?);
            }
        }
        let item = ChangeNotification {
            subscription_id: s.id,
            change_type,
            client_state: s.client_state.clone(),
            subscription_expiration: s.expiration,
            resource,
            resource_data,
            encrypted_content,
            tenant_id: s.tenant_id,
            organization_id,
        };
        Ok(wire::notification_body(vec![item.to_value()], &tokens).to_string())
    }

    /// A transcript or recording became available: queue a `created` notification for every
    /// live subscription that covers it and was made before the session began.
    pub async fn artifact_created(&self, a: &ArtifactCreated) -> Result<usize, StoreError> {
        let kind = if a.transcript {
            ResourceKind::Transcripts
        } else {
            ResourceKind::Recordings
        };
        let now = self.clock.now();
        let subs = self
            .store
            .live_subscriptions(a.tenant_id, kind, now)
            .await?;
        let mut entries = Vec::new();
        for s in subs
            .iter()
            .filter(|s| s.covers(a.organizer_id, &a.meeting_id))
            .filter(|s| s.created_at <= a.session_started_at)
        {
            if !self.still_allowed(s).await? {
                continue;
            }
            let (resource, data) = wire::artifact_resource(&a.meeting_id, a.transcript, &a.id);
            let rich = wire::artifact_rich_resource(
                &a.meeting_id,
                a.transcript,
                &a.id,
                a.created_at,
                a.organizer_id,
                a.tenant_id,
            );
            let body = self
                .change_body(s, "created", resource, data, rich, None)
                .await?;
            entries.push(self.entry(
                s,
                OutboxKind::Change,
                &s.notification_url,
                body,
                a.available_at.max(now),
            ));
        }
        self.queue(entries).await
    }

    /// A meeting's call started, ended or its roster changed: an `updated` notification for
    /// each live meetingCallEvents subscription of that joinWebUrl. `participants` is the
    /// `participants@delta` of a `rosterUpdated` event.
    pub async fn call_event(
        &self,
        tenant_id: Uuid,
        join_web_url: &str,
        event_type: &str,
        at: DateTime<Utc>,
        participants: Option<serde_json::Value>,
    ) -> Result<usize, StoreError> {
        let now = self.clock.now();
        let subs = self
            .store
            .live_subscriptions(tenant_id, ResourceKind::MeetingCallEvents, now)
            .await?;
        let mut entries = Vec::new();
        for s in subs
            .iter()
            .filter(|s| s.meeting_key.as_deref() == Some(join_web_url))
            .filter(|s| s.created_at <= at)
        {
            if !self.still_allowed(s).await? {
                continue;
            }
            let notification_id = Uuid::new_v4();
            let (resource, data) = wire::call_event_resource(join_web_url, notification_id);
            let mut rich = serde_json::json!({
                "@odata.type": "#microsoft.graph.callevent",
                "@odata.id": resource,
                "id": notification_id.to_string(),
                "eventType": event_type,
                "eventDateTime": format!("{}.{:07}Z", at.format("%Y-%m-%dT%H:%M:%S"), at.timestamp_subsec_nanos() / 100),
            });
            if let Some(p) = &participants {
                rich["participants@delta"] = p.clone();
            }
            let body = self
                .change_body(s, "updated", resource, data, rich, Some(tenant_id))
                .await?;
            entries.push(self.entry(
                s,
                OutboxKind::Change,
                &s.notification_url,
                body,
                at.max(now),
            ));
        }
        self.queue(entries).await
    }

    pub(super) async fn queue(&self, entries: Vec<OutboxEntry>) -> Result<usize, StoreError> {
        if entries.is_empty() {
            return Ok(0);
        }
        self.store.enqueue(&entries).await?;
        self.wake.notify_one();
        Ok(entries.len())
    }

    pub(super) fn lifecycle_entry(
        &self,
        s: &Subscription,
        event: LifecycleEvent,
    ) -> Option<OutboxEntry> {
        let url = s.lifecycle_notification_url.as_deref()?;
        let item = wire::lifecycle_notification(
            s.id,
            s.expiration,
            s.tenant_id,
            s.client_state.as_deref(),
            event,
        );
        let body = wire::notification_body(vec![item], &[]).to_string();
        Some(self.entry(s, OutboxKind::Lifecycle, url, body, self.clock.now()))
    }
}

/// Told when a played meeting session is stored, with its meeting's joinWebUrl: the hook
/// [`crate::playback::Playback`] calls for change notifications.
#[async_trait]
pub trait SessionObserver: Send + Sync + 'static {
    /// The session is stored (its artifacts exist from `available_at`).
    async fn session_stored(&self, session: &crate::playback::StoredSession, join_web_url: &str);
}

#[async_trait]
impl SessionObserver for Subscriptions {
    async fn session_stored(&self, session: &crate::playback::StoredSession, join_web_url: &str) {
        let artifacts = [
            (true, session.transcript_id.as_ref()),
            (false, session.recording_id.as_ref()),
        ];
        for (transcript, id) in artifacts {
            let Some(id) = id else { continue };
            let created = ArtifactCreated {
                tenant_id: session.tenant_id,
                organizer_id: session.organizer_id,
                meeting_id: session.meeting_id.clone(),
                join_web_url: Some(join_web_url.to_owned()),
                transcript,
                id: id.clone(),
                created_at: session.end,
                available_at: session.available_at,
                session_started_at: session.start,
            };
            if let Err(e) = self.artifact_created(&created).await {
                tracing::warn!(error = %e, session = %session.id, "could not queue artifact notifications");
            }
        }
        // The call's events: started, the roster as people joined, ended.
        let roster = serde_json::from_str::<crate::playback::SessionDocument>(&session.document)
            .map(|doc| {
                doc.attendees
                    .iter()
                    .map(|a| {
                        serde_json::json!({
                            "info": {"identity": {"user": {
                                "id": a.id, "displayName": a.display_name,
                                "tenantId": a.tenant_id.map(|t| t.to_string()),
                            }}},
                            "isInLobby": false,
                            "id": Uuid::new_v4().to_string(),
                        })
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let events = [
            ("callStarted", session.start, None),
            (
                "rosterUpdated",
                session.start,
                Some(serde_json::Value::Array(roster)),
            ),
            ("callEnded", session.end, None),
        ];
        for (event, at, participants) in events {
            if let Err(e) = self
                .call_event(session.tenant_id, join_web_url, event, at, participants)
                .await
            {
                tracing::warn!(error = %e, session = %session.id, "could not queue call events");
            }
        }
    }
}
