//! The `SubscriptionStore` contract (change-notification subscriptions and the outbox), run on
//! every backend: SQLite always, PostgreSQL when `GRAPHMEET_TEST_POSTGRES_URL` is set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use graphmeet_core::model::Tenant;
use graphmeet_core::subscriptions::{
    OutboxEntry, OutboxKind, OutboxState, ResourceKind, Subscription, SubscriptionStore,
};
use graphmeet_core::Store;
use graphmeet_store::{SqlStore, TestDatabase};
use uuid::Uuid;

fn at(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 4, 1, 12, 0, 0).unwrap()
        + Duration::seconds(secs)
        + Duration::microseconds(250_001)
}

async fn each_backend<F, Fut>(check: F)
where
    F: Fn(SqlStore) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let mut dbs = vec![TestDatabase::sqlite(dir.path())];
    dbs.extend(TestDatabase::postgres().await);
    for db in dbs {
        eprintln!("running on {}", db.backend());
        let store = db.connect().await.unwrap();
        check(store.clone()).await;
        store.close().await;
        db.cleanup().await.unwrap();
    }
}

async fn tenant(store: &SqlStore) -> Tenant {
    let t = Tenant {
        id: Uuid::new_v4(),
        display_name: "Contoso".into(),
        domains: vec![format!("t{}.onmicrosoft.com", Uuid::new_v4().simple())],
        created_at: at(0),
    };
    store.create_tenant(&t).await.unwrap();
    t
}

fn subscription(tenant: Uuid, app: Uuid, kind: ResourceKind, expires: i64) -> Subscription {
    Subscription {
        id: Uuid::new_v4(),
        tenant_id: tenant,
        app_id: app,
        creator_id: Uuid::new_v4(),
        resource: "communications/onlineMeetings/getAllTranscripts".into(),
        kind,
        organizer_id: Some(Uuid::new_v4()),
        meeting_key: None,
        change_type: "created".into(),
        notification_url: "https://example.com/n".into(),
        lifecycle_notification_url: Some("https://example.com/l".into()),
        client_state: Some("state".into()),
        expiration: at(expires),
        include_resource_data: true,
        encryption_certificate: Some("MIIB".into()),
        encryption_certificate_id: Some("cert-1".into()),
        latest_supported_tls_version: "v1_2".into(),
        notification_url_app_id: None,
        created_at: at(0),
        next_reauthorization_at: Some(at(expires - 600)),
    }
}

fn entry(s: &Subscription, kind: OutboxKind, due: i64) -> OutboxEntry {
    OutboxEntry {
        seq: 0,
        id: Uuid::new_v4(),
        subscription_id: s.id,
        tenant_id: s.tenant_id,
        kind,
        url: s.notification_url.clone(),
        body: r#"{"value":[]}"#.into(),
        state: OutboxState::Pending,
        attempts: 0,
        created_at: at(0),
        due_at: at(due),
        give_up_at: at(due + 4 * 3600),
        finished_at: None,
        last_error: None,
    }
}

#[tokio::test]
async fn subscriptions_round_trip_and_are_found_by_tenant_kind_and_expiry() {
    each_backend(|store| async move {
        let t = tenant(&store).await;
        let app = Uuid::new_v4();
        let a = subscription(t.id, app, ResourceKind::Transcripts, 3600);
        let mut b = subscription(t.id, app, ResourceKind::Recordings, 60);
        b.organizer_id = None;
        b.client_state = None;
        b.lifecycle_notification_url = None;
        b.next_reauthorization_at = None;
        b.created_at = at(1);
        store.insert_subscription(&a).await.unwrap();
        store.insert_subscription(&b).await.unwrap();
        assert_eq!(store.subscription(a.id).await.unwrap(), Some(a.clone()));
        assert_eq!(store.subscription(b.id).await.unwrap(), Some(b.clone()));
        assert_eq!(
            store.app_subscriptions(t.id, app).await.unwrap(),
            vec![a.clone(), b.clone()]
        );
        assert!(store
            .app_subscriptions(t.id, Uuid::new_v4())
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            store
                .live_subscriptions(t.id, ResourceKind::Transcripts, at(10))
                .await
                .unwrap(),
            vec![a.clone()]
        );
        // Expiry is exclusive: at the expiry instant it no longer counts.
        assert!(store
            .live_subscriptions(t.id, ResourceKind::Recordings, at(60))
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            store.expired_subscriptions(at(60), 10).await.unwrap(),
            vec![b.clone()]
        );
        // Reauthorization due.
        assert!(store
            .due_reauthorizations(at(10), 10)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            store.due_reauthorizations(at(3000), 10).await.unwrap(),
            vec![a.clone()]
        );
        let notice = entry(&a, OutboxKind::Lifecycle, 3000);
        assert!(store
            .reauthorization_sent(a.id, at(3000), Some(at(3300)), &notice)
            .await
            .unwrap());
        // A second instance that saw the same notice due queues nothing.
        let again = entry(&a, OutboxKind::Lifecycle, 3000);
        assert!(!store
            .reauthorization_sent(a.id, at(3000), Some(at(3300)), &again)
            .await
            .unwrap());
        assert!(store
            .due_reauthorizations(at(3000), 10)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(store.outbox_of(a.id).await.unwrap().len(), 1);
        // Renewal.
        assert!(store
            .update_subscription(a.id, at(7200), "https://example.com/m", None)
            .await
            .unwrap());
        let renewed = store.subscription(a.id).await.unwrap().unwrap();
        assert_eq!(renewed.expiration, at(7200));
        assert_eq!(renewed.notification_url, "https://example.com/m");
        assert_eq!(renewed.next_reauthorization_at, None);
        assert!(!store
            .update_subscription(Uuid::new_v4(), at(7200), "x", None)
            .await
            .unwrap());
        assert!(store.delete_subscription(b.id).await.unwrap());
        assert!(!store.delete_subscription(b.id).await.unwrap());
    })
    .await;
}

#[tokio::test]
async fn the_outbox_is_claimed_once_retried_and_finished() {
    each_backend(|store| async move {
        let t = tenant(&store).await;
        let s = subscription(t.id, Uuid::new_v4(), ResourceKind::Transcripts, 3600);
        store.insert_subscription(&s).await.unwrap();
        let first = entry(&s, OutboxKind::Change, 10);
        let later = entry(&s, OutboxKind::Change, 100);
        store
            .enqueue(&[first.clone(), later.clone()])
            .await
            .unwrap();
        // Not due yet.
        assert!(store
            .claim_due(at(5), 1_000, 2_000, 10)
            .await
            .unwrap()
            .is_empty());
        // Due: claimed once; a second worker at the same wall time gets nothing.
        let claimed = store.claim_due(at(10), 1_000, 2_000, 10).await.unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].id, first.id);
        assert_eq!(claimed[0].body, first.body);
        assert_eq!(claimed[0].give_up_at, first.give_up_at);
        assert!(store
            .claim_due(at(10), 1_500, 2_500, 10)
            .await
            .unwrap()
            .is_empty());
        // The lease runs out (a worker died): another worker takes it.
        let again = store.claim_due(at(10), 2_001, 3_000, 10).await.unwrap();
        assert_eq!(again.len(), 1);
        // A failed attempt: rescheduled, lease released.
        store
            .mark_retry(again[0].seq, 1, at(40), "answered 503")
            .await
            .unwrap();
        assert!(store
            .claim_due(at(39), 2_100, 3_100, 10)
            .await
            .unwrap()
            .is_empty());
        let retried = store.claim_due(at(200), 2_100, 3_100, 10).await.unwrap();
        assert_eq!(
            retried.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![first.id, later.id]
        );
        assert_eq!(retried[0].attempts, 1);
        assert_eq!(retried[0].last_error.as_deref(), Some("answered 503"));
        store.mark_delivered(retried[0].seq, at(200)).await.unwrap();
        store
            .mark_dropped(retried[1].seq, at(200), "gave up")
            .await
            .unwrap();
        let rows = store.outbox_of(s.id).await.unwrap();
        assert_eq!(rows[0].state, OutboxState::Delivered);
        assert_eq!(rows[0].attempts, 2);
        assert_eq!(rows[0].finished_at, Some(at(200)));
        assert_eq!(rows[1].state, OutboxState::Dropped);
        assert!(store
            .claim_due(at(10_000), 10_000, 20_000, 10)
            .await
            .unwrap()
            .is_empty());
        // Deleting the subscription drops its pending change notifications, not the
        // finished ones, nor lifecycle notifications.
        let pending = entry(&s, OutboxKind::Change, 300);
        let removed = entry(&s, OutboxKind::Lifecycle, 300);
        store.enqueue(&[pending, removed.clone()]).await.unwrap();
        assert!(store.delete_subscription(s.id).await.unwrap());
        let rows = store.outbox_of(s.id).await.unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[2].id, removed.id);
    })
    .await;
}
