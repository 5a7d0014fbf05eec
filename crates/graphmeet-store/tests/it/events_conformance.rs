//! The contracts of the calendar tables, run on every backend: events (`EventStore`) and
//! Exchange's application access policies (the `Store` methods), SQLite always, PostgreSQL
//! when `GRAPHMEET_TEST_POSTGRES_URL` is set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use graphmeet_core::events::{EventStore, StoredEvent};
use graphmeet_core::model::{Account, ChangedEntity, Group, Tenant, User};
use graphmeet_core::policy::{ExchangeAccessRight, ExchangePolicy};
use graphmeet_core::{Store, StoreError};
use graphmeet_store::{SqlStore, TestDatabase};
use uuid::Uuid;

macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let dir = tempfile::tempdir().unwrap();
            let mut dbs = vec![TestDatabase::sqlite(dir.path())];
            dbs.extend(TestDatabase::postgres().await);
            for db in dbs {
                let store = db.connect().await.unwrap();
                eprintln!("{}: running on {}", stringify!($name), db.backend());
                checks::$name(&store).await;
                store.close().await;
                db.cleanup().await.unwrap();
            }
        }
    )*};
}

on_every_backend!(
    events_are_per_mailbox_and_round_trip,
    the_calendar_view_query_returns_overlapping_events_by_start,
    one_copy_of_an_event_per_mailbox_and_writes_are_all_or_none,
    deleting_a_user_takes_its_mailbox,
    exchange_policies_keep_history_and_one_live_policy_per_app_and_group,
);

fn at(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap() + Duration::seconds(secs)
}

async fn tenant_with_users(store: &SqlStore, n: usize) -> (Tenant, Vec<User>) {
    let tenant = Tenant {
        id: Uuid::new_v4(),
        display_name: "Contoso".to_owned(),
        domains: vec![format!("{}.example", Uuid::new_v4().simple())],
        created_at: at(0),
    };
    store.create_tenant(&tenant).await.unwrap();
    let mut users = Vec::new();
    for i in 0..n {
        let upn = format!("user{i}@{}", tenant.domains[0]);
        let user = User {
            id: Uuid::new_v4(),
            tenant_id: tenant.id,
            upn: upn.clone(),
            display_name: format!("User {i}"),
            password_hash: None,
            created_at: at(i as i64),
            account: Account {
                mail: Some(upn),
                ..Account::default()
            },
        };
        store.create_user(&user).await.unwrap();
        users.push(user);
    }
    (tenant, users)
}

fn event(
    tenant: &Tenant,
    owner: &User,
    ical: &str,
    start: i64,
    end: i64,
    created: i64,
) -> StoredEvent {
    StoredEvent {
        id: format!("AAMkA{}", Uuid::new_v4().simple()),
        tenant_id: tenant.id,
        owner_id: owner.id,
        ical_uid: ical.to_owned(),
        start_at: at(start),
        end_at: at(end),
        created_at: at(created),
        updated_at: at(created),
        meeting_id: None,
        document: format!("{{\"subject\":\"{ical}\"}}"),
    }
}

mod checks {
    use super::*;

    pub async fn events_are_per_mailbox_and_round_trip(store: &SqlStore) {
        let (tenant, users) = tenant_with_users(store, 2).await;
        let mut organizer = event(&tenant, &users[0], "UID1", 100, 200, 1);
        organizer.meeting_id = Some("MSo…meeting".to_owned());
        let copy = event(&tenant, &users[1], "UID1", 100, 200, 1);
        store
            .insert_events(&[organizer.clone(), copy.clone()])
            .await
            .unwrap();
        assert_eq!(
            store.get_event(users[0].id, &organizer.id).await.unwrap(),
            Some(organizer.clone())
        );
        // Ids are per mailbox: the organizer's id is not in the attendee's.
        assert_eq!(
            store.get_event(users[1].id, &organizer.id).await.unwrap(),
            None
        );
        let copies = store.events_by_ical_uid(tenant.id, "UID1").await.unwrap();
        assert_eq!(copies.len(), 2);
        let mut changed = organizer.clone();
        changed.document = "{\"subject\":\"moved\"}".to_owned();
        changed.start_at = at(300);
        changed.end_at = at(400);
        changed.updated_at = at(5);
        changed.meeting_id = None;
        store.update_events(&[changed.clone()]).await.unwrap();
        assert_eq!(
            store.get_event(users[0].id, &organizer.id).await.unwrap(),
            Some(changed)
        );
        assert_eq!(
            store
                .delete_events(
                    tenant.id,
                    &[organizer.id.clone(), "AAMkAnothing".to_owned()]
                )
                .await
                .unwrap(),
            1
        );
        assert_eq!(store.list_events(users[0].id).await.unwrap(), Vec::new());
        assert_eq!(store.list_events(users[1].id).await.unwrap(), vec![copy]);
    }

    pub async fn the_calendar_view_query_returns_overlapping_events_by_start(store: &SqlStore) {
        let (tenant, users) = tenant_with_users(store, 1).await;
        let u = &users[0];
        let rows = [
            event(&tenant, u, "before", 0, 100, 1),
            event(&tenant, u, "late", 150, 400, 2),
            event(&tenant, u, "inside", 120, 130, 3),
            event(&tenant, u, "instant", 100, 100, 4),
            event(&tenant, u, "after", 200, 300, 5),
        ];
        store.insert_events(&rows).await.unwrap();
        let names = |v: Vec<StoredEvent>| v.into_iter().map(|e| e.ical_uid).collect::<Vec<_>>();
        // [100, 200): an event ending at 100 is outside, one of no length at 100 inside.
        assert_eq!(
            names(
                store
                    .list_events_between(u.id, at(100), at(200))
                    .await
                    .unwrap()
            ),
            ["instant", "inside", "late"]
        );
        assert_eq!(
            names(store.list_events(u.id).await.unwrap()),
            ["before", "late", "inside", "instant", "after"],
            "creation order"
        );
    }

    pub async fn one_copy_of_an_event_per_mailbox_and_writes_are_all_or_none(store: &SqlStore) {
        let (tenant, users) = tenant_with_users(store, 1).await;
        let first = event(&tenant, &users[0], "UID", 0, 10, 1);
        store
            .insert_events(std::slice::from_ref(&first))
            .await
            .unwrap();
        let again = event(&tenant, &users[0], "UID", 0, 10, 2);
        let fresh = event(&tenant, &users[0], "OTHER", 0, 10, 2);
        let err = store
            .insert_events(&[fresh.clone(), again])
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        assert_eq!(
            store.list_events(users[0].id).await.unwrap(),
            vec![first.clone()],
            "none of the batch"
        );
        let mut gone = fresh;
        gone.document = "{}".to_owned();
        let mut kept = first.clone();
        kept.document = "{\"changed\":true}".to_owned();
        let err = store.update_events(&[kept, gone]).await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
        assert_eq!(
            store.get_event(users[0].id, &first.id).await.unwrap(),
            Some(first),
            "none of the batch"
        );
    }

    pub async fn deleting_a_user_takes_its_mailbox(store: &SqlStore) {
        let (tenant, users) = tenant_with_users(store, 2).await;
        store
            .insert_events(&[
                event(&tenant, &users[0], "A", 0, 1, 1),
                event(&tenant, &users[1], "A", 0, 1, 1),
            ])
            .await
            .unwrap();
        assert!(store.delete_user(users[0].id).await.unwrap());
        assert_eq!(store.list_events(users[0].id).await.unwrap(), Vec::new());
        assert_eq!(
            store
                .events_by_ical_uid(tenant.id, "A")
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(store.delete_tenant(tenant.id).await.unwrap());
        assert_eq!(store.list_events(users[1].id).await.unwrap(), Vec::new());
    }

    pub async fn exchange_policies_keep_history_and_one_live_policy_per_app_and_group(
        store: &SqlStore,
    ) {
        let (tenant, _) = tenant_with_users(store, 1).await;
        let group = Group {
            id: Uuid::new_v4(),
            tenant_id: tenant.id,
            display_name: "Calendar Apps".to_owned(),
            created_at: at(0),
        };
        store.create_group(&group).await.unwrap();
        let (_, before) = store.directory_change_bounds().await.unwrap();
        let policy = |app: Option<Uuid>, right, t| ExchangePolicy {
            id: Uuid::new_v4(),
            tenant_id: tenant.id,
            app_id: app,
            scope_group_id: group.id,
            scope_name: group.display_name.clone(),
            access_right: right,
            description: "d".to_owned(),
            created_at: at(t),
            removed_at: None,
        };
        let app = Uuid::new_v4();
        let restrict = policy(Some(app), ExchangeAccessRight::RestrictAccess, 10);
        let every = policy(None, ExchangeAccessRight::DenyAccess, 10);
        store
            .create_exchange_policies(&[restrict.clone(), every.clone()])
            .await
            .unwrap();
        assert_eq!(
            store.list_exchange_policies(tenant.id).await.unwrap().len(),
            2
        );
        let dup = policy(Some(app), ExchangeAccessRight::DenyAccess, 11);
        let err = store
            .create_exchange_policies(std::slice::from_ref(&dup))
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(_)),
            "one live policy per app and group: {err:?}"
        );
        assert!(store
            .set_exchange_policy_description(tenant.id, restrict.id, "new")
            .await
            .unwrap());
        assert!(store
            .remove_exchange_policy(tenant.id, restrict.id, at(20))
            .await
            .unwrap());
        assert!(
            !store
                .remove_exchange_policy(tenant.id, restrict.id, at(21))
                .await
                .unwrap(),
            "already removed"
        );
        assert!(!store
            .set_exchange_policy_description(tenant.id, restrict.id, "late")
            .await
            .unwrap());
        // The removed one stays, with its end; the same pair can be made again.
        store.create_exchange_policies(&[dup]).await.unwrap();
        let listed = store.list_exchange_policies(tenant.id).await.unwrap();
        assert_eq!(listed.len(), 3);
        let old = listed.iter().find(|p| p.id == restrict.id).unwrap();
        assert_eq!(old.description, "new");
        assert_eq!(old.removed_at, Some(at(20)));
        assert_eq!(listed.iter().find(|p| p.id == every.id).unwrap(), &every);
        // Every change is in the directory change log, for the index.
        let changes = store.directory_changes(before, 100).await.unwrap();
        assert!(
            changes
                .iter()
                .filter(|c| c.entity == ChangedEntity::ExchangePolicies(tenant.id))
                .count()
                >= 5,
            "{changes:?}"
        );
        // The group goes, its policies with it.
        assert!(store.delete_group(group.id).await.unwrap());
        assert_eq!(
            store.list_exchange_policies(tenant.id).await.unwrap(),
            Vec::new()
        );
    }
}
