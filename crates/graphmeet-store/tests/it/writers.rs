//! graphmeet-core's batching writers over the real databases: the meeting writer isolates a
//! conflict within a batch of concurrent creates, and the audit log drops (and counts) what
//! does not fit its queue, writes what does, and stops cleanly.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use graphmeet_core::audit::{AuditLog, QUEUE_CAPACITY};
use graphmeet_core::model::{AuditDecision, AuditEntry, AuditQuery, StoredMeeting, Tenant, User};
use graphmeet_core::writer::{MeetingQuota, MeetingWriter, WriteError};
use graphmeet_core::{ManualClock, Store, StoreError};
use graphmeet_store::{SqlStore, TestDatabase};
use uuid::Uuid;

async fn each_database(check: impl AsyncFn(Arc<SqlStore>)) {
    let dir = tempfile::tempdir().unwrap();
    let mut dbs = vec![TestDatabase::sqlite(dir.path())];
    dbs.extend(TestDatabase::postgres().await);
    for db in dbs {
        eprintln!("running on {}", db.backend());
        let store = Arc::new(db.connect().await.unwrap());
        check(store.clone()).await;
        store.close().await;
        db.cleanup().await.unwrap();
    }
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap(),
    ))
}

async fn organizer(store: &dyn Store) -> User {
    let now = Utc::now();
    let tenant = Tenant {
        id: Uuid::new_v4(),
        display_name: "Writers".to_owned(),
        domains: vec![format!("{}.example", Uuid::new_v4().simple())],
        created_at: now,
    };
    store.create_tenant(&tenant).await.unwrap();
    let user = User {
        id: Uuid::new_v4(),
        tenant_id: tenant.id,
        upn: format!("organizer@{}", tenant.domains[0]),
        display_name: "Organizer".to_owned(),
        password_hash: None,
        account: Default::default(),
        created_at: now,
    };
    store.create_user(&user).await.unwrap();
    user
}

fn meeting(organizer: &User, n: u64) -> StoredMeeting {
    let thread = format!("19:meeting_{}@thread.v2", Uuid::new_v4().simple());
    StoredMeeting {
        id: format!("MSo{}", Uuid::new_v4().simple()),
        tenant_id: organizer.tenant_id,
        organizer_id: organizer.id,
        external_id: None,
        join_meeting_id: format!("{}", 200_000_000_000u64 + n),
        join_web_url: format!("https://teams.microsoft.com/l/meetup-join/{thread}/0"),
        thread_id: thread,
        created_at: Utc::now(),
        updated_at: Utc::now(),
        document: format!(r#"{{"subject":"Meeting {n}"}}"#),
    }
}

fn entry(n: usize, decision: AuditDecision, tenant: Option<Uuid>) -> AuditEntry {
    AuditEntry {
        at: Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap(),
        request_id: format!("req-{n}"),
        tenant_id: tenant,
        app_id: tenant.map(|_| Uuid::new_v4()),
        user_id: None,
        operation: "CreateMeeting".to_owned(),
        decision,
        reason: "denied: 401 Access token is empty.".to_owned(),
    }
}

async fn all_entries(store: &dyn Store) -> Vec<AuditEntry> {
    store
        .query_audit(&AuditQuery {
            limit: 10_000,
            ..AuditQuery::default()
        })
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_commit_together_and_a_taken_id_fails_alone() {
    each_database(async |store: Arc<SqlStore>| {
        let dyn_store: Arc<dyn Store> = store.clone();
        let user = organizer(dyn_store.as_ref()).await;
        let writer = MeetingWriter::start(dyn_store.clone());
        let first = meeting(&user, 0);
        writer.create(first.clone()).await.unwrap();
        let mut creates = tokio::task::JoinSet::new();
        for n in 1..=64 {
            let writer = writer.clone();
            let mut m = meeting(&user, n);
            if n == 32 {
                m.id = first.id.clone();
            }
            creates.spawn(async move { (n, writer.create(m).await) });
        }
        let mut conflicts = Vec::new();
        while let Some(done) = creates.join_next().await {
            match done.unwrap() {
                (_, Ok(())) => {}
                (n, Err(WriteError::Store(StoreError::Conflict(text)))) => {
                    conflicts.push((n, text))
                }
                (n, Err(e)) => panic!("create {n} failed: {e}"),
            }
        }
        assert_eq!(conflicts.len(), 1, "{conflicts:?}");
        assert_eq!(conflicts[0].0, 32);
        assert!(conflicts[0].1.contains("meeting id"), "{conflicts:?}");
        assert_eq!(
            dyn_store
                .count_meetings(user.tenant_id, None)
                .await
                .unwrap(),
            64
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_past_the_quota_are_refused_exactly_on_one_writer() {
    each_database(async |store: Arc<SqlStore>| {
        let dyn_store: Arc<dyn Store> = store.clone();
        let user = organizer(dyn_store.as_ref()).await;
        let writer = MeetingWriter::start_with_quota(dyn_store.clone(), Some(MeetingQuota(10)));
        writer.create(meeting(&user, 0)).await.unwrap();
        let mut creates = tokio::task::JoinSet::new();
        for n in 1..=64 {
            let writer = writer.clone();
            let m = meeting(&user, n);
            creates.spawn(async move { writer.create(m).await });
        }
        let (mut stored, mut refused) = (0, 0);
        while let Some(done) = creates.join_next().await {
            match done.unwrap() {
                Ok(()) => stored += 1,
                Err(WriteError::OverQuota(over)) => {
                    assert_eq!(over.limit, 10);
                    refused += 1;
                }
                Err(e) => panic!("create failed: {e}"),
            }
        }
        assert_eq!((stored, refused), (9, 55));
        assert_eq!(
            dyn_store
                .count_meetings(user.tenant_id, None)
                .await
                .unwrap(),
            10
        );
    })
    .await;
}

// One thread: nothing runs between the `record` calls, so exactly a queue's worth is kept.
#[tokio::test(flavor = "current_thread")]
async fn a_full_audit_queue_drops_and_counts_and_keeps_what_fit() {
    each_database(async |store: Arc<SqlStore>| {
        let dyn_store: Arc<dyn Store> = store.clone();
        let log = AuditLog::start(dyn_store.clone(), clock());
        let tenant = Some(Uuid::new_v4());
        let extra = 1000;
        for n in 0..QUEUE_CAPACITY + extra {
            log.record(entry(n, AuditDecision::Allowed, tenant));
        }
        log.flush().await;
        assert_eq!(log.stats().dropped, extra as u64);
        let stored = all_entries(dyn_store.as_ref()).await;
        assert_eq!(stored.len(), QUEUE_CAPACITY);
        // The oldest were kept; the ones that found the queue full were dropped.
        assert!(stored.iter().all(|e| {
            let n: usize = e.request_id.trim_start_matches("req-").parse().unwrap();
            n < QUEUE_CAPACITY
        }));
        log.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn shutdown_writes_queued_entries_and_pending_counts_then_refuses_more() {
    each_database(async |store: Arc<SqlStore>| {
        let dyn_store: Arc<dyn Store> = store.clone();
        // The clock stands still, so the sampled refusals after the first wait for shutdown.
        let log = AuditLog::start(dyn_store.clone(), clock());
        let tenant = Some(Uuid::new_v4());
        for n in 0..10 {
            log.record(entry(n, AuditDecision::Denied, tenant));
        }
        for n in 10..60 {
            log.record(entry(n, AuditDecision::Denied, None));
        }
        log.flush().await;
        let flushed = all_entries(dyn_store.as_ref()).await;
        assert_eq!(
            flushed.len(),
            11,
            "ten identified denials and one sampled row"
        );
        log.shutdown().await;
        let stored = all_entries(dyn_store.as_ref()).await;
        assert_eq!(stored.len(), 12);
        let sampled: u64 = stored
            .iter()
            .filter(|e| e.tenant_id.is_none())
            .map(|e| graphmeet_core::audit::sampled_count(&e.reason).unwrap())
            .sum();
        assert_eq!(sampled, 50);
        assert_eq!(
            log.stats().unverified_by_reason,
            [("denied: 401 Access token is empty.".to_owned(), 50)]
        );
        // After the shutdown nothing is written, and a flush does not wait for anything.
        log.record(entry(99, AuditDecision::Allowed, tenant));
        log.flush().await;
        assert_eq!(log.stats().dropped, 1);
        assert_eq!(all_entries(dyn_store.as_ref()).await.len(), 12);
    })
    .await;
}
