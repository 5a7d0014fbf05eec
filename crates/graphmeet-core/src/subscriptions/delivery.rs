//! The delivery pass: claim due outbox rows under a lease, POST them through the [`Transport`],
//! retry with backoff, drop and send `missed`, and check each subscription is still allowed.

use super::model::{next_reauthorization, OutboxKind, Subscription};
use super::{backoff, Pass, Subscriptions, LEASE};

use crate::model::UserRef;
use crate::store::StoreError;
use graphmeet_wire::graph::subscription::LifecycleEvent;
use uuid::Uuid;

pub(super) fn wall_micros(at: std::time::SystemTime) -> i64 {
    at.duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or_default()
}

impl Subscriptions {
    /// One pass of the delivery worker: due `reauthorizationRequired` notices, expired
    /// subscriptions removed, then due notifications delivered, rescheduled or dropped.
    pub async fn run_due(&self, batch: i64) -> Result<Pass, StoreError> {
        let mut pass = Pass::default();
        let now = self.clock.now();
        for s in self.store.due_reauthorizations(now, batch).await? {
            let next = next_reauthorization(s.expiration, now);
            let (Some(due), Some(entry)) = (
                s.next_reauthorization_at,
                self.lifecycle_entry(&s, LifecycleEvent::ReauthorizationRequired),
            ) else {
                continue;
            };
            if self
                .store
                .reauthorization_sent(s.id, due, next, &entry)
                .await?
            {
                pass.lifecycle_queued += 1;
            }
        }
        for s in self.store.expired_subscriptions(now, batch).await? {
            if self.store.delete_subscription(s.id).await? {
                pass.expired += 1;
            }
        }
        let wall = std::time::SystemTime::now();
        let claimed = self
            .store
            .claim_due(now, wall_micros(wall), wall_micros(wall + LEASE), batch)
            .await?;
        for entry in claimed {
            if entry.kind == OutboxKind::Change {
                // An expired or deleted subscription delivers nothing more.
                let live = self
                    .store
                    .subscription(entry.subscription_id)
                    .await?
                    .filter(|s| s.expiration > now);
                if live.is_none() {
                    self.store
                        .mark_dropped(entry.seq, now, "the subscription expired or was deleted")
                        .await?;
                    pass.dropped += 1;
                    continue;
                }
            }
            match self.transport.deliver(&entry.url, &entry.body).await {
                Ok(()) => {
                    self.store
                        .mark_delivered(entry.seq, self.clock.now())
                        .await?;
                    pass.delivered += 1;
                }
                Err(error) => {
                    let now = self.clock.now();
                    let attempts = entry.attempts + 1;
                    let due = now + backoff(attempts);
                    if due > entry.give_up_at {
                        self.store.mark_dropped(entry.seq, now, &error).await?;
                        pass.dropped += 1;
                        if entry.kind == OutboxKind::Change {
                            if let Some(s) = self.store.subscription(entry.subscription_id).await? {
                                if let Some(missed) =
                                    self.lifecycle_entry(&s, LifecycleEvent::Missed)
                                {
                                    self.store.enqueue(&[missed]).await?;
                                    pass.lifecycle_queued += 1;
                                }
                            }
                        }
                    } else {
                        tracing::debug!(url = %entry.url, attempts, %error, "notification failed; retrying later");
                        self.store
                            .mark_retry(entry.seq, attempts, due, &error)
                            .await?;
                        pass.retried += 1;
                    }
                }
            }
        }
        Ok(pass)
    }

    /// Whether the app of an organizer-scoped subscription may still read the organizer's
    /// meetings (the application access policy, now); a subscription that lost it is removed
    /// with a `subscriptionRemoved` lifecycle notification instead of notified.
    pub(super) async fn still_allowed(&self, s: &Subscription) -> Result<bool, StoreError> {
        let Some(organizer) = s.organizer_id else {
            return Ok(true);
        };
        // Delegated subscriptions are the organizer's own: no policy applies.
        if s.creator_id == organizer {
            return Ok(true);
        }
        let allowed = self
            .index
            .tenant(s.tenant_id)
            .and_then(|t| self.access.explain(&t, s.app_id, &UserRef::Id(organizer)))
            .is_some_and(|e| e.decision.allowed());
        if !allowed {
            tracing::info!(subscription = %s.id, app = %s.app_id, "the app lost access to the organizer's meetings; removing the subscription");
            self.remove(s.id).await?;
        }
        Ok(allowed)
    }

    /// Removes a subscription whose app lost access, telling its lifecycle URL
    /// (`subscriptionRemoved`).
    pub async fn remove(&self, id: Uuid) -> Result<bool, StoreError> {
        let Some(s) = self.store.subscription(id).await? else {
            return Ok(false);
        };
        if let Some(entry) = self.lifecycle_entry(&s, LifecycleEvent::SubscriptionRemoved) {
            self.store.enqueue(&[entry]).await?;
            self.wake.notify_one();
        }
        self.store.delete_subscription(id).await
    }
}
