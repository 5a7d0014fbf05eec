//! The `ArtifactStore` contract (played meeting sessions, tenants' meeting configuration), run on
//! every backend: SQLite always, PostgreSQL when `GRAPHMEET_TEST_POSTGRES_URL` is set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use graphmeet_core::model::{Account, StoredMeeting, Tenant, User};
use graphmeet_core::playback::{
    ArtifactKind, ArtifactStore, Cursor, MeetingConfiguration, OrganizerSessions, StoredSession,
};
use graphmeet_core::store::MeetingInsert;
use graphmeet_core::{Store, StoreError};
use graphmeet_store::{SqlStore, TestDatabase};
use uuid::Uuid;

fn at(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).unwrap()
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

/// A tenant, an organizer and one meeting of theirs.
async fn organizer_with_meeting(store: &SqlStore) -> (Tenant, User, StoredMeeting) {
    let t = Tenant {
        id: Uuid::new_v4(),
        display_name: "Contoso".into(),
        domains: vec![format!("t{}.onmicrosoft.com", Uuid::new_v4().simple())],
        created_at: at(0),
    };
    store.create_tenant(&t).await.unwrap();
    let u = User {
        id: Uuid::new_v4(),
        tenant_id: t.id,
        upn: format!("amy@{}", t.domains[0]),
        display_name: "Amy".into(),
        password_hash: None,
        created_at: at(0),
        account: Account::default(),
    };
    store.create_user(&u).await.unwrap();
    let m = meeting(&u, 1);
    insert(store, &m).await;
    (t, u, m)
}

fn meeting(u: &User, n: u64) -> StoredMeeting {
    let thread = format!("19:meeting_{}@thread.v2", Uuid::new_v4().simple());
    StoredMeeting {
        id: format!("MSo{}", Uuid::new_v4().simple()),
        tenant_id: u.tenant_id,
        organizer_id: u.id,
        external_id: None,
        join_meeting_id: format!("{}", 200_000_000_000u64 + n),
        join_web_url: format!("https://teams.microsoft.com/l/meetup-join/{thread}/0"),
        thread_id: thread,
        created_at: at(0),
        updated_at: at(0),
        document: "{}".into(),
    }
}

async fn insert(store: &SqlStore, m: &StoredMeeting) {
    let out = store
        .insert_meetings(&[MeetingInsert::Create(m.clone())])
        .await
        .unwrap();
    assert!(out[0].is_ok(), "{out:?}");
}

fn session(
    m: &StoredMeeting,
    start: i64,
    end: i64,
    played: i64,
    transcribed: bool,
) -> StoredSession {
    StoredSession {
        id: Uuid::new_v4(),
        tenant_id: m.tenant_id,
        organizer_id: m.organizer_id,
        meeting_id: m.id.clone(),
        call_id: Uuid::new_v4(),
        start: at(start),
        end: at(end),
        played_at: at(played),
        available_at: at(end.max(played)),
        transcript_id: transcribed.then(|| format!("VjIjIz{}", Uuid::new_v4().simple())),
        recording_id: Some(format!("VjIjIz{}", Uuid::new_v4().simple())),
        correlation_id: format!("{}-0", Uuid::new_v4()),
        document: r#"{"attendees":[],"utterances":[],"cue_prefix":"00000000-0000-0000-0000-000000000000"}"#.into(),
        seq: 0,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_round_trip_in_the_order_they_became_available() {
    each_backend(|store| async move {
        let (t, _, m) = organizer_with_meeting(&store).await;
        // Played late for an early time: available when played, after the one ending at 100.
        let late = session(&m, 0, 50, 200, true);
        let early = session(&m, 10, 100, 10, false);
        let mut late_stored = late.clone();
        late_stored.seq = store.insert_session(&late).await.unwrap();
        let mut early_stored = early.clone();
        early_stored.seq = store.insert_session(&early).await.unwrap();
        assert!(early_stored.seq > late_stored.seq);
        let listed = store.meeting_sessions(t.id, &m.id).await.unwrap();
        assert_eq!(listed, vec![early_stored, late_stored]);
        // Another tenant's id sees nothing.
        assert_eq!(
            store.meeting_sessions(Uuid::new_v4(), &m.id).await.unwrap(),
            vec![]
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_needs_its_meeting_and_goes_with_it() {
    each_backend(|store| async move {
        let (t, u, m) = organizer_with_meeting(&store).await;
        let mut orphan = session(&m, 0, 10, 10, true);
        orphan.meeting_id = "MSogone".into();
        match store.insert_session(&orphan).await {
            Err(StoreError::NotFound(_)) => {}
            other => panic!("{other:?}"),
        }
        // The meeting of another tenant is not found either.
        let mut foreign = session(&m, 0, 10, 10, true);
        foreign.tenant_id = Uuid::new_v4();
        assert!(store.insert_session(&foreign).await.is_err());
        // Ids are unique.
        let s = session(&m, 0, 10, 10, true);
        store.insert_session(&s).await.unwrap();
        let mut again = session(&m, 0, 10, 10, true);
        again.transcript_id = s.transcript_id.clone();
        match store.insert_session(&again).await {
            Err(StoreError::Conflict(_)) => {}
            other => panic!("{other:?}"),
        }
        assert!(store.delete_meeting(t.id, &m.id).await.unwrap());
        assert_eq!(store.meeting_sessions(t.id, &m.id).await.unwrap(), vec![]);
        // And with the organizer's tenant.
        let m2 = meeting(&u, 2);
        insert(&store, &m2).await;
        store
            .insert_session(&session(&m2, 0, 10, 10, true))
            .await
            .unwrap();
        assert!(store.delete_tenant(t.id).await.unwrap());
        assert_eq!(store.meeting_sessions(t.id, &m2.id).await.unwrap(), vec![]);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organizer_sessions_filter_by_kind_window_availability_and_cursor() {
    each_backend(|store| async move {
        let (t, u, m) = organizer_with_meeting(&store).await;
        let mut seqs = Vec::new();
        for (start, end, transcribed) in [
            (0, 10, true),
            (100, 110, false),
            (200, 210, true),
            (300, 310, true),
        ] {
            let s = session(&m, start, end, 0, transcribed);
            seqs.push((store.insert_session(&s).await.unwrap(), s));
        }
        let query =
            |kind, from: Option<i64>, to: Option<i64>, by: i64, after: Option<Cursor>, limit| {
                OrganizerSessions {
                    tenant_id: t.id,
                    organizer_id: u.id,
                    kind,
                    created_from: from.map(at),
                    created_to: to.map(at),
                    available_by: at(by),
                    after,
                    limit,
                }
            };
        let ids =
            |sessions: Vec<StoredSession>| sessions.into_iter().map(|s| s.id).collect::<Vec<_>>();
        let all = store
            .organizer_sessions(&query(ArtifactKind::Transcript, None, None, 1000, None, 10))
            .await
            .unwrap();
        assert_eq!(ids(all), vec![seqs[0].1.id, seqs[2].1.id, seqs[3].1.id]);
        let recordings = store
            .organizer_sessions(&query(ArtifactKind::Recording, None, None, 1000, None, 10))
            .await
            .unwrap();
        assert_eq!(recordings.len(), 4);
        // Not yet available.
        let by_250 = store
            .organizer_sessions(&query(ArtifactKind::Transcript, None, None, 250, None, 10))
            .await
            .unwrap();
        assert_eq!(ids(by_250), vec![seqs[0].1.id, seqs[2].1.id]);
        // The creation window, inclusive.
        let window = store
            .organizer_sessions(&query(
                ArtifactKind::Transcript,
                Some(0),
                Some(200),
                1000,
                None,
                10,
            ))
            .await
            .unwrap();
        assert_eq!(ids(window), vec![seqs[0].1.id, seqs[2].1.id]);
        // After a cursor, at most `limit`.
        let cursor = Cursor {
            available_at: at(10),
            seq: seqs[0].0,
        };
        let page = store
            .organizer_sessions(&query(
                ArtifactKind::Transcript,
                None,
                None,
                1000,
                Some(cursor),
                1,
            ))
            .await
            .unwrap();
        assert_eq!(ids(page), vec![seqs[2].1.id]);
        // Another organizer has none.
        let mut other = query(ArtifactKind::Recording, None, None, 1000, None, 10);
        other.organizer_id = Uuid::new_v4();
        assert!(store.organizer_sessions(&other).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meeting_configuration_defaults_on_and_is_replaced() {
    each_backend(|store| async move {
        let (t, _, _) = organizer_with_meeting(&store).await;
        assert_eq!(
            store.meeting_configuration(t.id).await.unwrap(),
            MeetingConfiguration::default()
        );
        let off = MeetingConfiguration {
            graph_transcript_access: false,
            attributed_transcripts: true,
        };
        store.set_meeting_configuration(t.id, &off).await.unwrap();
        assert_eq!(store.meeting_configuration(t.id).await.unwrap(), off);
        let other = MeetingConfiguration {
            graph_transcript_access: true,
            attributed_transcripts: false,
        };
        store.set_meeting_configuration(t.id, &other).await.unwrap();
        assert_eq!(store.meeting_configuration(t.id).await.unwrap(), other);
        assert!(store
            .set_meeting_configuration(Uuid::new_v4(), &other)
            .await
            .is_err());
    })
    .await;
}
