//! The `Store` contract, written once and run on every backend: SQLite always, PostgreSQL when
//! `GRAPHMEET_TEST_POSTGRES_URL` is set (each test in a schema of its own).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{DateTime, Duration, TimeZone, Utc};
use graphmeet_core::model::{
    AccessPolicy, Account, App, CertificateCredential, ChangedEntity, GrantTarget, Group,
    MeetingRevision, PolicyApp, PolicyGrant, SecretCredential, SigningKey, StoredMeeting, Tenant,
    User, UserType,
};
use graphmeet_core::store::{MeetingInsert, MeetingInserted};
use graphmeet_core::{Store, StoreError};
use graphmeet_store::{Backend, SqlStore, TestDatabase};
use uuid::Uuid;

/// Every database the run covers, each fresh.
async fn databases(dir: &Path) -> Vec<TestDatabase> {
    let mut dbs = vec![TestDatabase::sqlite(dir)];
    dbs.extend(TestDatabase::postgres().await);
    dbs
}

/// Declares one `#[tokio::test]` per check, running `checks::<name>` on every backend.
macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            let dir = tempfile::tempdir().unwrap();
            for db in databases(dir.path()).await {
                let backend = db.backend();
                let store = db
                    .connect()
                    .await
                    .unwrap_or_else(|e| panic!("{backend}: connecting to {}: {e}", db.url));
                assert_eq!(store.backend(), backend);
                eprintln!("{}: running on {backend}", stringify!($name));
                checks::$name(&store, &db).await;
                store.close().await;
                db.cleanup().await.unwrap();
            }
        }
    )*};
}

on_every_backend!(
    tenant_round_trips_with_its_domains_lower_cased_in_order,
    tenant_is_found_by_any_of_its_domains_case_insensitively,
    unknown_tenant_id_or_domain_is_none,
    duplicate_domain_differing_in_case_is_a_conflict_and_creates_nothing,
    tenants_are_listed_oldest_first,
    user_round_trips_and_is_found_by_upn_case_insensitively,
    unknown_user_id_or_upn_is_none,
    account_state_round_trips_and_an_update_changes_it_and_logs_the_change,
    duplicate_upn_differing_in_case_is_a_conflict_even_across_tenants,
    users_are_listed_per_tenant_oldest_first,
    user_of_an_unknown_tenant_is_not_found,
    group_round_trips_and_unknown_group_is_none,
    adding_a_member_twice_is_not_an_error_and_removal_reports_membership,
    groups_of_a_user_are_its_direct_groups_oldest_first,
    adding_an_unknown_user_to_a_group_is_not_found,
    apps_round_trip_and_are_listed_oldest_first,
    updating_an_app_changes_its_settings_only_and_logs_the_change,
    an_app_stored_without_the_public_client_column_reads_as_confidential,
    unknown_app_is_none_and_has_no_credentials,
    secrets_are_listed_per_app,
    certificates_round_trip_with_their_der,
    duplicate_certificate_thumbprint_on_the_same_app_is_a_conflict,
    same_certificate_on_two_apps_is_allowed,
    credentials_of_an_unknown_app_are_not_found,
    first_consent_creates_the_service_principal_with_the_given_id,
    repeated_consent_merges_roles_and_keeps_the_service_principal,
    service_principals_are_per_tenant,
    unconsented_app_has_no_service_principal,
    consent_to_an_unknown_app_is_not_found,
    concurrent_consents_produce_one_service_principal_with_every_role,
    rotating_signing_keys_retires_the_active_key_and_lists_newest_first,
    assertion_id_is_accepted_once_then_rejected_as_a_replay,
    assertion_id_is_accepted_again_after_it_expired,
    same_assertion_id_for_two_apps_is_not_a_replay,
    data_survives_closing_and_reopening_the_database,
    policy_round_trips_with_its_apps_in_order_and_is_found_ignoring_case,
    duplicate_live_policy_name_differing_in_case_is_a_conflict_and_creates_nothing,
    a_removed_policys_name_can_be_used_again,
    changing_policy_apps_keeps_their_history,
    policy_description_changes_on_the_live_policy_only,
    removing_a_policy_ends_its_live_grants_and_listings,
    a_new_grant_ends_the_targets_previous_grant_and_keeps_it,
    revoking_a_grant_reports_whether_there_was_one,
    granting_a_removed_unknown_or_foreign_policy_is_not_found,
    concurrent_grants_to_one_target_leave_one_live_grant,
    meeting_round_trips_and_is_found_by_each_key,
    an_organizers_meetings_list_newest_first_by_cursor_and_document_text,
    taken_meeting_keys_are_conflicts_naming_the_key,
    the_same_join_meeting_id_in_two_tenants_is_allowed,
    meeting_of_an_unknown_organizer_or_tenant_is_not_found,
    create_or_get_creates_then_returns_the_stored_meeting,
    concurrent_create_or_get_creates_exactly_one_meeting,
    two_organizers_with_the_same_external_id_get_different_meetings,
    updating_a_meeting_replaces_its_document_only,
    a_meetings_revision_counts_its_updates_and_names_the_document_only_when_changed,
    concurrent_revision_reads_each_get_the_answer_for_their_own_meeting,
    deleting_a_meeting_reports_whether_it_existed,
    deleting_a_user_or_tenant_deletes_its_meetings,
    meetings_are_counted_per_tenant_and_organizer,
    meetings_created_are_counted_per_organizer_and_window_and_outlive_deletion,
    audit_entries_are_queried_newest_first_by_every_filter_and_purged_by_age,
    groups_and_their_members_are_listed,
    service_principals_are_listed_per_tenant_with_their_roles,
    revoking_consent_removes_roles_and_keeps_the_service_principal,
    revoking_consent_without_a_service_principal_is_not_found,
    deleting_a_tenant_takes_everything_of_it_and_its_apps_everywhere,
    deleting_a_user_takes_its_meetings_memberships_and_grants,
    deleting_a_group_takes_its_memberships_and_grants,
    deleting_an_app_takes_its_credentials_and_service_principals_and_policies_keep_its_id,
    secrets_and_certificates_are_deleted_one_at_a_time,
    reset_empties_every_table_but_the_signing_keys,
    a_meeting_batch_stores_every_meeting_but_those_that_cannot_be_stored,
    a_meeting_batch_answers_create_or_get_with_the_stored_meeting,
    concurrent_batches_with_one_create_or_get_key_create_one_meeting,
    empty_batches_store_nothing,
    audit_batches_round_trip_in_order,
);

#[tokio::test]
async fn sqlite_store_creates_a_missing_file_and_runs_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh.db");
    for url in [
        format!("sqlite://{}", path.display()),
        format!("sqlite:{}", path.display()),
    ] {
        let store = SqlStore::connect(&url).await.unwrap();
        assert_eq!(store.backend(), Backend::Sqlite);
        assert!(path.exists(), "{url} did not create the file");
        store.create_tenant(&tenant(1, &["wal.example"])).await.ok();
        let mut wal = path.clone().into_os_string();
        wal.push("-wal");
        assert!(
            Path::new(&wal).exists(),
            "no WAL file next to {}",
            path.display()
        );
        store.close().await;
    }
}

/// Meeting reads on SQLite run on the caller's thread through connections of their own: they
/// must see at once what any other connection to the file committed, this process's or another
/// store's (another instance), and never a stale copy.
#[tokio::test]
async fn sqlite_meeting_reads_see_every_commit_of_every_connection_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("shared.db").display());
    let writer = SqlStore::connect(&url).await.unwrap();
    let reader = SqlStore::connect(&format!("{url}?synchronous=full"))
        .await
        .unwrap();
    let t = tenant(1, &["inline.example"]);
    writer.create_tenant(&t).await.unwrap();
    let u = user(&t, "organizer@inline.example", 2);
    writer.create_user(&u).await.unwrap();
    let thread = format!("19:meeting_{}@thread.v2", Uuid::new_v4().simple());
    let stored = StoredMeeting {
        id: format!("MSo{}", Uuid::new_v4().simple()),
        tenant_id: t.id,
        organizer_id: u.id,
        external_id: Some("ext-inline".to_owned()),
        join_meeting_id: "123456789012".to_owned(),
        join_web_url: format!("https://teams.microsoft.com/l/meetup-join/{thread}/0"),
        thread_id: thread,
        created_at: at(3),
        updated_at: at(3),
        document: r#"{"subject":"Before"}"#.to_owned(),
    };
    for store in [&writer, &reader] {
        assert_eq!(store.get_meeting(t.id, &stored.id).await.unwrap(), None);
    }
    let outcome = writer
        .insert_meetings(&[MeetingInsert::CreateOrGet(stored.clone())])
        .await
        .unwrap();
    assert!(matches!(outcome[..], [Ok(MeetingInserted::Created)]));
    for store in [&writer, &reader] {
        assert_eq!(
            store.get_meeting(t.id, &stored.id).await.unwrap().as_ref(),
            Some(&stored)
        );
        assert_eq!(
            store
                .find_meeting_by_thread_id(&stored.thread_id)
                .await
                .unwrap()
                .as_ref(),
            Some(&stored)
        );
        assert_eq!(
            store
                .find_meeting_by_join_web_url(t.id, &stored.join_web_url)
                .await
                .unwrap()
                .as_ref(),
            Some(&stored)
        );
        assert_eq!(
            store
                .find_meeting_by_join_meeting_id(t.id, &stored.join_meeting_id)
                .await
                .unwrap()
                .as_ref(),
            Some(&stored)
        );
        assert_eq!(
            store
                .find_meeting_by_external_id(t.id, u.id, "ext-inline")
                .await
                .unwrap()
                .as_ref(),
            Some(&stored)
        );
        // Another tenant's key finds nothing.
        assert_eq!(
            store.get_meeting(Uuid::new_v4(), &stored.id).await.unwrap(),
            None
        );
    }
    let changed = StoredMeeting {
        document: r#"{"subject":"After"}"#.to_owned(),
        updated_at: at(4),
        ..stored.clone()
    };
    reader.update_meeting(&changed).await.unwrap();
    for store in [&writer, &reader] {
        assert_eq!(
            store.get_meeting(t.id, &stored.id).await.unwrap().as_ref(),
            Some(&changed)
        );
    }
    assert!(writer.delete_meeting(t.id, &stored.id).await.unwrap());
    for store in [&writer, &reader] {
        assert_eq!(store.get_meeting(t.id, &stored.id).await.unwrap(), None);
        assert_eq!(
            store
                .find_meeting_by_external_id(t.id, u.id, "ext-inline")
                .await
                .unwrap(),
            None
        );
    }
    writer.close().await;
    reader.close().await;
}

#[tokio::test]
async fn sqlite_urls_take_only_known_synchronous_modes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sync.db");
    for mode in ["normal", "full", "FULL"] {
        let store = SqlStore::connect(&format!("sqlite:{}?synchronous={mode}", path.display()))
            .await
            .unwrap();
        store
            .create_tenant(&tenant(1, &[&format!("{}.example", mode.to_lowercase())]))
            .await
            .ok();
        store.close().await;
    }
    assert!(
        SqlStore::connect(&format!("sqlite:{}?synchronous=off", path.display()))
            .await
            .is_err(),
        "synchronous=off must be refused, not silently weaken durability"
    );
}

#[tokio::test]
async fn unsupported_database_urls_are_rejected() {
    for url in ["mysql://root@localhost/db", "nonsense"] {
        match SqlStore::connect(url).await {
            Err(StoreError::Backend(_)) => {}
            other => panic!("{url}: expected a backend error, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn postgres_test_databases_are_isolated_from_each_other() {
    let (Some(a), Some(b)) = (
        TestDatabase::postgres().await,
        TestDatabase::postgres().await,
    ) else {
        return;
    };
    assert_ne!(a.schema(), b.schema());
    let (store_a, store_b) = (a.connect().await.unwrap(), b.connect().await.unwrap());
    let t = tenant(1, &["isolated.example"]);
    store_a.create_tenant(&t).await.unwrap();
    assert_eq!(store_b.get_tenant(t.id).await.unwrap(), None);
    // The same domain in the other schema is no conflict: the schemas are separate.
    store_b.create_tenant(&t).await.unwrap();
    store_a.close().await;
    store_b.close().await;
    a.cleanup().await.unwrap();
    b.cleanup().await.unwrap();
}

// ---- fixtures -------------------------------------------------------------------------------

/// A fixed instant plus `secs`; whole microseconds, as the store keeps them.
fn at(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).unwrap()
        + Duration::seconds(secs)
        + Duration::microseconds(123_456)
}

fn tenant(created: i64, domains: &[&str]) -> Tenant {
    Tenant {
        id: Uuid::new_v4(),
        display_name: format!("Tenant {created}"),
        domains: domains.iter().map(|d| (*d).to_owned()).collect(),
        created_at: at(created),
    }
}

fn user(tenant: &Tenant, upn: &str, created: i64) -> User {
    User {
        id: Uuid::new_v4(),
        tenant_id: tenant.id,
        upn: upn.to_owned(),
        display_name: format!("User {upn}"),
        password_hash: Some(format!("$argon2id$hash-of-{upn}")),
        created_at: at(created),
        account: Account {
            mail: Some(upn.to_owned()),
            ..Account::default()
        },
    }
}

fn group(tenant: &Tenant, name: &str, created: i64) -> Group {
    Group {
        id: Uuid::new_v4(),
        tenant_id: tenant.id,
        display_name: name.to_owned(),
        created_at: at(created),
    }
}

fn app(home: &Tenant, name: &str, created: i64) -> App {
    App {
        app_id: Uuid::new_v4(),
        object_id: Uuid::new_v4(),
        home_tenant_id: home.id,
        display_name: name.to_owned(),
        multi_tenant: created % 2 == 0,
        allow_public_client: false,
        created_at: at(created),
    }
}

fn secret(app: &App, hint: &str, start: i64) -> SecretCredential {
    SecretCredential {
        key_id: Uuid::new_v4(),
        app_id: app.app_id,
        display_name: format!("secret {hint}"),
        hint: hint.to_owned(),
        hash: format!("{hint:0>64}"),
        start: at(start),
        end: at(start + 86_400),
    }
}

fn certificate(app: &App, thumbprint: &str, start: i64) -> CertificateCredential {
    CertificateCredential {
        key_id: Uuid::new_v4(),
        app_id: app.app_id,
        display_name: format!("CN={thumbprint}"),
        thumbprint_sha1: thumbprint.to_owned(),
        thumbprint_sha256: format!("{thumbprint}{thumbprint}"),
        der: vec![0x30, 0x82, 0x00, 0xff, 0x00, 0x01, start.to_le_bytes()[0]],
        start: at(start),
        end: at(start + 365 * 86_400),
    }
}

fn signing_key(kid: &str, created: i64) -> SigningKey {
    SigningKey {
        kid: kid.to_owned(),
        private_pkcs8_der: format!("private {kid}").into_bytes(),
        cert_der: format!("cert {kid}").into_bytes(),
        created_at: at(created),
        retired_at: None,
    }
}

fn roles(names: &[&str]) -> Vec<String> {
    names.iter().map(|r| (*r).to_owned()).collect()
}

/// A tenant with one app, created in `store`.
async fn tenant_with_app(store: &dyn Store) -> (Tenant, App) {
    let t = tenant(
        1,
        &[&format!("t{}.onmicrosoft.com", Uuid::new_v4().simple())],
    );
    store.create_tenant(&t).await.unwrap();
    let a = app(&t, "Meetings bot", 2);
    store.create_app(&a).await.unwrap();
    (t, a)
}

fn assert_conflict<T: std::fmt::Debug>(result: Result<T, StoreError>, what: &str) {
    match result {
        Err(StoreError::Conflict(text)) => assert!(!text.is_empty(), "{what}: empty conflict text"),
        other => panic!("{what}: expected a conflict, got {other:?}"),
    }
}

fn assert_not_found<T: std::fmt::Debug>(result: Result<T, StoreError>, what: &str) {
    match result {
        Err(StoreError::NotFound(_)) => {}
        other => panic!("{what}: expected not found, got {other:?}"),
    }
}

// ---- the checks, each written once against the trait -------------------------------------------

mod checks {
    use super::*;

    pub async fn tenant_round_trips_with_its_domains_lower_cased_in_order(
        store: &SqlStore,
        _: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let mut t = tenant(
            1,
            &["Contoso.onmicrosoft.com", "MEET.Contoso.COM", "contoso.com"],
        );
        store.create_tenant(&t).await.unwrap();
        t.domains = roles(&["contoso.onmicrosoft.com", "meet.contoso.com", "contoso.com"]);
        assert_eq!(store.get_tenant(t.id).await.unwrap(), Some(t));
    }

    pub async fn tenant_is_found_by_any_of_its_domains_case_insensitively(
        store: &SqlStore,
        _: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let t = tenant(1, &["fabrikam.onmicrosoft.com", "fabrikam.com"]);
        let other = tenant(2, &["other.onmicrosoft.com"]);
        store.create_tenant(&t).await.unwrap();
        store.create_tenant(&other).await.unwrap();
        for domain in ["fabrikam.onmicrosoft.com", "FABRIKAM.COM", "Fabrikam.Com"] {
            assert_eq!(
                store.find_tenant_by_domain(domain).await.unwrap(),
                Some(t.clone()),
                "{domain}"
            );
        }
        assert_eq!(
            store
                .find_tenant_by_domain("OTHER.onmicrosoft.com")
                .await
                .unwrap(),
            Some(other)
        );
    }

    pub async fn unknown_tenant_id_or_domain_is_none(store: &SqlStore, _: &TestDatabase) {
        let store: &dyn Store = store;
        store
            .create_tenant(&tenant(1, &["known.example"]))
            .await
            .unwrap();
        assert_eq!(store.get_tenant(Uuid::new_v4()).await.unwrap(), None);
        assert_eq!(
            store
                .find_tenant_by_domain("unknown.example")
                .await
                .unwrap(),
            None
        );
        assert_eq!(store.find_tenant_by_domain("").await.unwrap(), None);
    }

    pub async fn duplicate_domain_differing_in_case_is_a_conflict_and_creates_nothing(
        store: &SqlStore,
        _: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let first = tenant(1, &["first.onmicrosoft.com", "shared.example"]);
        store.create_tenant(&first).await.unwrap();
        let second = tenant(2, &["second.onmicrosoft.com", "Shared.EXAMPLE"]);
        assert_conflict(
            store.create_tenant(&second).await,
            "domain taken by another tenant",
        );
        // The transaction rolled back: neither the tenant nor its other domain exists.
        assert_eq!(store.get_tenant(second.id).await.unwrap(), None);
        assert_eq!(
            store
                .find_tenant_by_domain("second.onmicrosoft.com")
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            store.find_tenant_by_domain("shared.example").await.unwrap(),
            Some(first.clone())
        );
        // The same id twice is a conflict too.
        let mut again = first.clone();
        again.domains = roles(&["again.example"]);
        assert_conflict(store.create_tenant(&again).await, "tenant id taken");
        assert_eq!(store.list_tenants().await.unwrap(), vec![first]);
    }

    pub async fn tenants_are_listed_oldest_first(store: &SqlStore, _: &TestDatabase) {
        let store: &dyn Store = store;
        assert_eq!(store.list_tenants().await.unwrap(), vec![]);
        let newest = tenant(30, &["c.example"]);
        let oldest = tenant(10, &["a.example", "a2.example"]);
        let without_domains = tenant(20, &[]);
        for t in [&newest, &oldest, &without_domains] {
            store.create_tenant(t).await.unwrap();
        }
        assert_eq!(
            store.list_tenants().await.unwrap(),
            vec![oldest, without_domains, newest]
        );
    }

    pub async fn user_round_trips_and_is_found_by_upn_case_insensitively(
        store: &SqlStore,
        _: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let t = tenant(1, &["contoso.onmicrosoft.com"]);
        store.create_tenant(&t).await.unwrap();
        let alice = user(&t, "Alice@Contoso.onmicrosoft.com", 2);
        let mut bob = user(&t, "bob@contoso.onmicrosoft.com", 3);
        bob.password_hash = None;
        store.create_user(&alice).await.unwrap();
        store.create_user(&bob).await.unwrap();
        assert_eq!(store.get_user(alice.id).await.unwrap(), Some(alice.clone()));
        assert_eq!(store.get_user(bob.id).await.unwrap(), Some(bob.clone()));
        for upn in [
            "alice@contoso.onmicrosoft.com",
            "ALICE@CONTOSO.ONMICROSOFT.COM",
            "Alice@Contoso.onmicrosoft.com",
        ] {
            assert_eq!(
                store.find_user_by_upn(upn).await.unwrap(),
                Some(alice.clone()),
                "{upn}"
            );
        }
        assert_eq!(
            store
                .find_user_by_upn("BOB@contoso.onmicrosoft.com")
                .await
                .unwrap(),
            Some(bob)
        );
    }

    pub async fn account_state_round_trips_and_an_update_changes_it_and_logs_the_change(
        store: &SqlStore,
        _: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let t = tenant(1, &["contoso.onmicrosoft.com"]);
        store.create_tenant(&t).await.unwrap();
        let mut guest = user(&t, "guest_fabrikam.com#ext#@contoso.onmicrosoft.com", 2);
        guest.account = Account {
            enabled: true,
            user_type: UserType::Guest,
            teams_license: false,
            audio_conferencing: false,
            mail: Some("guest@fabrikam.com".to_owned()),
        };
        let many: Vec<User> = (0..3)
            .map(|i| {
                let mut u = user(&t, &format!("u{i}@contoso.onmicrosoft.com"), 3 + i);
                u.account.enabled = i != 1;
                u.account.mail = None;
                u
            })
            .collect();
        store.create_user(&guest).await.unwrap();
        store.create_users(&many).await.unwrap();
        assert_eq!(store.get_user(guest.id).await.unwrap(), Some(guest.clone()));
        for u in &many {
            assert_eq!(store.get_user(u.id).await.unwrap().as_ref(), Some(u));
        }

        let before = store.directory_change_bounds().await.unwrap().1;
        let mut changed = guest.clone();
        changed.display_name = "Guest, now a member".to_owned();
        changed.account = Account {
            enabled: false,
            user_type: UserType::Member,
            teams_license: true,
            audio_conferencing: true,
            mail: None,
        };
        // What an update may not change stays as stored.
        changed.password_hash = None;
        assert!(store.update_user(&changed).await.unwrap());
        let stored = store.get_user(guest.id).await.unwrap().unwrap();
        assert_eq!(stored.account, changed.account);
        assert_eq!(stored.display_name, changed.display_name);
        assert_eq!(stored.password_hash, guest.password_hash);
        let changes = store.directory_changes(before, 10).await.unwrap();
        assert!(
            changes
                .iter()
                .any(|c| c.entity == ChangedEntity::User(guest.id)),
            "{changes:?}"
        );
        let mut nobody = changed.clone();
        nobody.id = Uuid::new_v4();
        assert!(!store.update_user(&nobody).await.unwrap());
    }

    pub async fn unknown_user_id_or_upn_is_none(store: &SqlStore, _: &TestDatabase) {
        let store: &dyn Store = store;
        assert_eq!(store.get_user(Uuid::new_v4()).await.unwrap(), None);
        assert_eq!(
            store
                .find_user_by_upn("nobody@contoso.onmicrosoft.com")
                .await
                .unwrap(),
            None
        );
        assert_eq!(store.list_users(Uuid::new_v4()).await.unwrap(), vec![]);
    }

    pub async fn duplicate_upn_differing_in_case_is_a_conflict_even_across_tenants(
        store: &SqlStore,
        _: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let t1 = tenant(1, &["one.example"]);
        let t2 = tenant(2, &["two.example"]);
        store.create_tenant(&t1).await.unwrap();
        store.create_tenant(&t2).await.unwrap();
        let alice = user(&t1, "alice@one.example", 3);
        store.create_user(&alice).await.unwrap();
        assert_conflict(
            store.create_user(&user(&t1, "ALICE@One.Example", 4)).await,
            "same tenant",
        );
        assert_conflict(
            store.create_user(&user(&t2, "Alice@one.example", 5)).await,
            "other tenant",
        );
        let mut same_id = user(&t1, "carol@one.example", 6);
        same_id.id = alice.id;
        assert_conflict(store.create_user(&same_id).await, "same object id");
        assert_eq!(store.list_users(t1.id).await.unwrap(), vec![alice]);
        assert_eq!(store.list_users(t2.id).await.unwrap(), vec![]);
    }

    pub async fn users_are_listed_per_tenant_oldest_first(store: &SqlStore, _: &TestDatabase) {
        let store: &dyn Store = store;
        let t1 = tenant(1, &["one.example"]);
        let t2 = tenant(2, &["two.example"]);
        store.create_tenant(&t1).await.unwrap();
        store.create_tenant(&t2).await.unwrap();
        let late = user(&t1, "late@one.example", 50);
        let early = user(&t1, "early@one.example", 10);
        let elsewhere = user(&t2, "x@two.example", 5);
        for u in [&late, &early, &elsewhere] {
            store.create_user(u).await.unwrap();
        }
        assert_eq!(store.list_users(t1.id).await.unwrap(), vec![early, late]);
        assert_eq!(store.list_users(t2.id).await.unwrap(), vec![elsewhere]);
    }

    pub async fn user_of_an_unknown_tenant_is_not_found(store: &SqlStore, _: &TestDatabase) {
        let store: &dyn Store = store;
        let ghost = tenant(1, &["ghost.example"]);
        assert_not_found(
            store.create_user(&user(&ghost, "a@ghost.example", 2)).await,
            "user",
        );
        assert_not_found(store.create_group(&group(&ghost, "g", 2)).await, "group");
        assert_not_found(store.create_app(&app(&ghost, "a", 2)).await, "app");
    }

    pub async fn group_round_trips_and_unknown_group_is_none(store: &SqlStore, _: &TestDatabase) {
        let store: &dyn Store = store;
        let t = tenant(1, &["g.example"]);
        store.create_tenant(&t).await.unwrap();
        let g = group(&t, "Meeting organizers", 2);
        store.create_group(&g).await.unwrap();
        assert_eq!(store.get_group(g.id).await.unwrap(), Some(g.clone()));
        assert_eq!(store.get_group(Uuid::new_v4()).await.unwrap(), None);
        assert_conflict(store.create_group(&g).await, "same group id");
    }

    pub async fn adding_a_member_twice_is_not_an_error_and_removal_reports_membership(
        store: &SqlStore,
        _: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let t = tenant(1, &["m.example"]);
        store.create_tenant(&t).await.unwrap();
        let u = user(&t, "u@m.example", 2);
        let g = group(&t, "G", 3);
        store.create_user(&u).await.unwrap();
        store.create_group(&g).await.unwrap();
        store.add_group_member(g.id, u.id).await.unwrap();
        store.add_group_member(g.id, u.id).await.unwrap();
        assert_eq!(store.groups_of_user(u.id).await.unwrap(), vec![g.clone()]);
        assert!(store.remove_group_member(g.id, u.id).await.unwrap());
        assert!(!store.remove_group_member(g.id, u.id).await.unwrap());
        assert!(!store
            .remove_group_member(Uuid::new_v4(), Uuid::new_v4())
            .await
            .unwrap());
        assert_eq!(store.groups_of_user(u.id).await.unwrap(), vec![]);
    }

    pub async fn groups_of_a_user_are_its_direct_groups_oldest_first(
        store: &SqlStore,
        _: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let t = tenant(1, &["d.example"]);
        store.create_tenant(&t).await.unwrap();
        let u = user(&t, "u@d.example", 2);
        let other = user(&t, "o@d.example", 2);
        store.create_user(&u).await.unwrap();
        store.create_user(&other).await.unwrap();
        let newer = group(&t, "newer", 20);
        let older = group(&t, "older", 10);
        let not_mine = group(&t, "not mine", 5);
        for g in [&newer, &older, &not_mine] {
            store.create_group(g).await.unwrap();
        }
        store.add_group_member(newer.id, u.id).await.unwrap();
        store.add_group_member(older.id, u.id).await.unwrap();
        store.add_group_member(not_mine.id, other.id).await.unwrap();
        assert_eq!(
            store.groups_of_user(u.id).await.unwrap(),
            vec![older, newer]
        );
        assert_eq!(
            store.groups_of_user(other.id).await.unwrap(),
            vec![not_mine]
        );
        assert_eq!(store.groups_of_user(Uuid::new_v4()).await.unwrap(), vec![]);
    }

    pub async fn adding_an_unknown_user_to_a_group_is_not_found(
        store: &SqlStore,
        _: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let t = tenant(1, &["n.example"]);
        store.create_tenant(&t).await.unwrap();
        let u = user(&t, "u@n.example", 2);
        let g = group(&t, "G", 3);
        store.create_user(&u).await.unwrap();
        store.create_group(&g).await.unwrap();
        assert_not_found(
            store.add_group_member(g.id, Uuid::new_v4()).await,
            "unknown user",
        );
        assert_not_found(
            store.add_group_member(Uuid::new_v4(), u.id).await,
            "unknown group",
        );
    }

    pub async fn apps_round_trip_and_are_listed_oldest_first(store: &SqlStore, _: &TestDatabase) {
        let store: &dyn Store = store;
        let t = tenant(1, &["apps.example"]);
        store.create_tenant(&t).await.unwrap();
        assert_eq!(store.list_apps().await.unwrap(), vec![]);
        let single = app(&t, "single tenant", 31);
        let multi = app(&t, "multi tenant", 20);
        assert!(!single.multi_tenant && multi.multi_tenant);
        store.create_app(&single).await.unwrap();
        store.create_app(&multi).await.unwrap();
        assert_eq!(
            store.get_app(single.app_id).await.unwrap(),
            Some(single.clone())
        );
        assert_eq!(
            store.get_app(multi.app_id).await.unwrap(),
            Some(multi.clone())
        );
        assert_eq!(
            store.list_apps().await.unwrap(),
            vec![multi.clone(), single]
        );
        assert_conflict(store.create_app(&multi).await, "same app id");
    }

    pub async fn updating_an_app_changes_its_settings_only_and_logs_the_change(
        store: &SqlStore,
        _: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (t, a) = tenant_with_app(store).await;
        assert!(!a.allow_public_client);
        let public = App {
            allow_public_client: true,
            ..app(&t, "public", 5)
        };
        store.create_app(&public).await.unwrap();
        assert_eq!(
            store.get_app(public.app_id).await.unwrap(),
            Some(public.clone()),
            "allow_public_client = true round-trips"
        );

        let (_, last) = store.directory_change_bounds().await.unwrap();
        let changed = App {
            display_name: "Meetings bot (public)".into(),
            multi_tenant: !a.multi_tenant,
            allow_public_client: true,
            // Immutable: the update must not take these.
            object_id: Uuid::new_v4(),
            created_at: at(999),
            ..a.clone()
        };
        store.update_app(&changed).await.unwrap();
        let stored = store.get_app(a.app_id).await.unwrap().unwrap();
        assert_eq!(
            stored,
            App {
                display_name: changed.display_name.clone(),
                multi_tenant: changed.multi_tenant,
                allow_public_client: true,
                ..a.clone()
            }
        );
        // The other app is untouched.
        assert_eq!(store.get_app(public.app_id).await.unwrap(), Some(public));
        // The change log names the app, so every instance's index reads it again.
        let changes = store.directory_changes(last, 100).await.unwrap();
        assert!(
            changes
                .iter()
                .any(|c| c.entity == ChangedEntity::App(a.app_id)),
            "{changes:?}"
        );

        // And back.
        store
            .update_app(&App {
                allow_public_client: false,
                ..stored.clone()
            })
            .await
            .unwrap();
        assert!(
            !store
                .get_app(a.app_id)
                .await
                .unwrap()
                .unwrap()
                .allow_public_client
        );

        assert_not_found(
            store
                .update_app(&App {
                    app_id: Uuid::new_v4(),
                    ..stored
                })
                .await,
            "unknown app",
        );
    }

    pub async fn an_app_stored_without_the_public_client_column_reads_as_confidential(
        store: &SqlStore,
        db: &TestDatabase,
    ) {
        use sqlx::Connection;
        let store: &dyn Store = store;
        let t = tenant(1, &["legacy.example"]);
        store.create_tenant(&t).await.unwrap();
        // An insert as graphmeet wrote it before the column existed.
        let app_id = Uuid::new_v4();
        let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
        sqlx::query(
            "INSERT INTO apps (app_id, object_id, home_tenant_id, display_name, multi_tenant, \
             created_at) VALUES ($1, $2, $3, 'legacy', 0, 7000000)",
        )
        .bind(app_id.to_string())
        .bind(Uuid::new_v4().to_string())
        .bind(t.id.to_string())
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
        let stored = store.get_app(app_id).await.unwrap().unwrap();
        assert_eq!(stored.display_name, "legacy");
        assert!(!stored.allow_public_client);
    }

    pub async fn unknown_app_is_none_and_has_no_credentials(store: &SqlStore, _: &TestDatabase) {
        let store: &dyn Store = store;
        let nobody = Uuid::new_v4();
        assert_eq!(store.get_app(nobody).await.unwrap(), None);
        assert_eq!(store.list_secrets(nobody).await.unwrap(), vec![]);
        assert_eq!(store.list_certificates(nobody).await.unwrap(), vec![]);
    }

    pub async fn secrets_are_listed_per_app(store: &SqlStore, _: &TestDatabase) {
        let store: &dyn Store = store;
        let (t, a) = tenant_with_app(store).await;
        let b = app(&t, "other", 3);
        store.create_app(&b).await.unwrap();
        let newer = secret(&a, "Xy9", 100);
        let older = secret(&a, "Ab1", 50);
        let of_b = secret(&b, "Zz0", 10);
        for s in [&newer, &older, &of_b] {
            store.add_secret(s).await.unwrap();
        }
        assert_eq!(
            store.list_secrets(a.app_id).await.unwrap(),
            vec![older, newer.clone()]
        );
        assert_eq!(store.list_secrets(b.app_id).await.unwrap(), vec![of_b]);
        assert_conflict(store.add_secret(&newer).await, "same key id");
    }

    pub async fn certificates_round_trip_with_their_der(store: &SqlStore, _: &TestDatabase) {
        let store: &dyn Store = store;
        let (_, a) = tenant_with_app(store).await;
        let mut first = certificate(&a, "0A1B2C3D4E5F60718293A4B5C6D7E8F901234567", 10);
        first.der = (0..=255u8).cycle().take(1500).collect();
        let second = certificate(&a, "FFEEDDCCBBAA99887766554433221100FFEEDDCC", 20);
        store.add_certificate(&second).await.unwrap();
        store.add_certificate(&first).await.unwrap();
        assert_eq!(
            store.list_certificates(a.app_id).await.unwrap(),
            vec![first, second]
        );
    }

    pub async fn duplicate_certificate_thumbprint_on_the_same_app_is_a_conflict(
        store: &SqlStore,
        _: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (_, a) = tenant_with_app(store).await;
        let cert = certificate(&a, "0A1B2C3D4E5F60718293A4B5C6D7E8F901234567", 10);
        store.add_certificate(&cert).await.unwrap();
        let again = CertificateCredential {
            key_id: Uuid::new_v4(),
            display_name: "again".into(),
            ..cert.clone()
        };
        assert_conflict(
            store.add_certificate(&again).await,
            "same thumbprint, same app",
        );
        assert_eq!(store.list_certificates(a.app_id).await.unwrap(), vec![cert]);
    }

    pub async fn same_certificate_on_two_apps_is_allowed(store: &SqlStore, _: &TestDatabase) {
        let store: &dyn Store = store;
        let (t, a) = tenant_with_app(store).await;
        let b = app(&t, "b", 3);
        store.create_app(&b).await.unwrap();
        let on_a = certificate(&a, "0A1B2C3D4E5F60718293A4B5C6D7E8F901234567", 10);
        let on_b = CertificateCredential {
            key_id: Uuid::new_v4(),
            app_id: b.app_id,
            ..on_a.clone()
        };
        store.add_certificate(&on_a).await.unwrap();
        store.add_certificate(&on_b).await.unwrap();
        assert_eq!(store.list_certificates(b.app_id).await.unwrap(), vec![on_b]);
    }

    pub async fn credentials_of_an_unknown_app_are_not_found(store: &SqlStore, _: &TestDatabase) {
        let store: &dyn Store = store;
        let t = tenant(1, &["ghost-app.example"]);
        let ghost = app(&t, "never registered", 2);
        assert_not_found(store.add_secret(&secret(&ghost, "abc", 1)).await, "secret");
        assert_not_found(
            store.add_certificate(&certificate(&ghost, "AA", 1)).await,
            "certificate",
        );
    }

    pub async fn first_consent_creates_the_service_principal_with_the_given_id(
        store: &SqlStore,
        _: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (t, a) = tenant_with_app(store).await;
        let sp_id = Uuid::new_v4();
        let granted = roles(&["OnlineMeetings.ReadWrite.All", "User.Read.All"]);
        let sp = store
            .grant_consent(t.id, a.app_id, sp_id, &granted, at(5))
            .await
            .unwrap();
        assert_eq!(
            (sp.id, sp.tenant_id, sp.app_id, sp.created_at),
            (sp_id, t.id, a.app_id, at(5))
        );
        assert_eq!(sp.app_roles, granted);
        assert_eq!(
            store.get_service_principal(t.id, a.app_id).await.unwrap(),
            Some(sp)
        );

        let (t2, a2) = tenant_with_app(store).await;
        let none = store
            .grant_consent(t2.id, a2.app_id, Uuid::new_v4(), &[], at(6))
            .await
            .unwrap();
        assert_eq!(none.app_roles, Vec::<String>::new());
    }

    pub async fn repeated_consent_merges_roles_and_keeps_the_service_principal(
        store: &SqlStore,
        _: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (t, a) = tenant_with_app(store).await;
        let first = store
            .grant_consent(
                t.id,
                a.app_id,
                Uuid::new_v4(),
                &roles(&["A.Read", "B.Write"]),
                at(5),
            )
            .await
            .unwrap();
        let second = store
            .grant_consent(
                t.id,
                a.app_id,
                Uuid::new_v4(),
                &roles(&["B.Write", "C.All", "C.All"]),
                at(9),
            )
            .await
            .unwrap();
        assert_eq!(second.id, first.id, "the service principal keeps its id");
        assert_eq!(second.created_at, at(5), "and its creation time");
        assert_eq!(second.app_roles, roles(&["A.Read", "B.Write", "C.All"]));
        let third = store
            .grant_consent(t.id, a.app_id, Uuid::new_v4(), &[], at(10))
            .await
            .unwrap();
        assert_eq!(third, second);
        assert_eq!(
            store.get_service_principal(t.id, a.app_id).await.unwrap(),
            Some(second)
        );
    }

    pub async fn service_principals_are_per_tenant(store: &SqlStore, _: &TestDatabase) {
        let store: &dyn Store = store;
        let (home, a) = tenant_with_app(store).await;
        let customer = tenant(3, &["customer.example"]);
        store.create_tenant(&customer).await.unwrap();
        let in_home = store
            .grant_consent(home.id, a.app_id, Uuid::new_v4(), &roles(&["X"]), at(4))
            .await
            .unwrap();
        let in_customer = store
            .grant_consent(customer.id, a.app_id, Uuid::new_v4(), &roles(&["Y"]), at(5))
            .await
            .unwrap();
        assert_ne!(in_home.id, in_customer.id);
        assert_eq!(
            store
                .get_service_principal(home.id, a.app_id)
                .await
                .unwrap()
                .unwrap()
                .app_roles,
            roles(&["X"])
        );
        assert_eq!(
            store
                .get_service_principal(customer.id, a.app_id)
                .await
                .unwrap()
                .unwrap()
                .app_roles,
            roles(&["Y"])
        );
    }

    pub async fn unconsented_app_has_no_service_principal(store: &SqlStore, _: &TestDatabase) {
        let store: &dyn Store = store;
        let (t, a) = tenant_with_app(store).await;
        assert_eq!(
            store.get_service_principal(t.id, a.app_id).await.unwrap(),
            None
        );
        assert_eq!(
            store
                .get_service_principal(Uuid::new_v4(), Uuid::new_v4())
                .await
                .unwrap(),
            None
        );
    }

    pub async fn consent_to_an_unknown_app_is_not_found(store: &SqlStore, _: &TestDatabase) {
        let store: &dyn Store = store;
        let (t, a) = tenant_with_app(store).await;
        assert_not_found(
            store
                .grant_consent(t.id, Uuid::new_v4(), Uuid::new_v4(), &roles(&["X"]), at(3))
                .await,
            "unknown app",
        );
        assert_not_found(
            store
                .grant_consent(
                    Uuid::new_v4(),
                    a.app_id,
                    Uuid::new_v4(),
                    &roles(&["X"]),
                    at(3),
                )
                .await,
            "unknown tenant",
        );
        assert_eq!(
            store.get_service_principal(t.id, a.app_id).await.unwrap(),
            None
        );
    }

    pub async fn concurrent_consents_produce_one_service_principal_with_every_role(
        store: &SqlStore,
        _: &TestDatabase,
    ) {
        let (t, a) = tenant_with_app(store).await;
        let mut tasks = tokio::task::JoinSet::new();
        let mut ids = BTreeSet::new();
        for i in 0..20 {
            let store = store.clone();
            let sp_id = Uuid::new_v4();
            ids.insert(sp_id);
            tasks.spawn(async move {
                let granted = roles(&[&format!("Role.{i}"), "Common.Read"]);
                store
                    .grant_consent(t.id, a.app_id, sp_id, &granted, at(10 + i))
                    .await
            });
        }
        let mut returned = BTreeSet::new();
        while let Some(joined) = tasks.join_next().await {
            let sp = joined.unwrap().unwrap();
            returned.insert(sp.id);
        }
        assert_eq!(
            returned.len(),
            1,
            "every grant saw the same service principal: {returned:?}"
        );
        let sp = store
            .get_service_principal(t.id, a.app_id)
            .await
            .unwrap()
            .unwrap();
        assert!(returned.contains(&sp.id) && ids.contains(&sp.id));
        let mut expected: BTreeSet<String> = (0..20).map(|i| format!("Role.{i}")).collect();
        expected.insert("Common.Read".to_owned());
        assert_eq!(
            sp.app_roles.len(),
            expected.len(),
            "no role twice: {:?}",
            sp.app_roles
        );
        assert_eq!(sp.app_roles.into_iter().collect::<BTreeSet<_>>(), expected);
    }

    pub async fn rotating_signing_keys_retires_the_active_key_and_lists_newest_first(
        store: &SqlStore,
        _: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        assert_eq!(store.list_signing_keys().await.unwrap(), vec![]);
        let first = signing_key("kid-1", 100);
        store.rotate_signing_key(&first).await.unwrap();
        assert_eq!(
            store.list_signing_keys().await.unwrap(),
            vec![first.clone()]
        );

        let second = signing_key("kid-2", 200);
        store.rotate_signing_key(&second).await.unwrap();
        let third = signing_key("kid-3", 300);
        store.rotate_signing_key(&third).await.unwrap();

        let keys = store.list_signing_keys().await.unwrap();
        let retired = |k: &SigningKey, when| SigningKey {
            retired_at: Some(at(when)),
            ..k.clone()
        };
        assert_eq!(
            keys,
            vec![third.clone(), retired(&second, 300), retired(&first, 200)]
        );
        assert_eq!(keys.iter().filter(|k| k.retired_at.is_none()).count(), 1);
        assert_conflict(
            store.rotate_signing_key(&signing_key("kid-3", 400)).await,
            "same kid",
        );
        // The failed rotation retired nothing.
        assert_eq!(store.list_signing_keys().await.unwrap()[0].retired_at, None);
    }

    pub async fn assertion_id_is_accepted_once_then_rejected_as_a_replay(
        store: &SqlStore,
        _: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (_, a) = tenant_with_app(store).await;
        assert!(store
            .record_assertion_id(a.app_id, "jti-1", at(600), at(0))
            .await
            .unwrap());
        assert!(!store
            .record_assertion_id(a.app_id, "jti-1", at(600), at(1))
            .await
            .unwrap());
        assert!(!store
            .record_assertion_id(a.app_id, "jti-1", at(900), at(599))
            .await
            .unwrap());
        assert!(store
            .record_assertion_id(a.app_id, "jti-2", at(600), at(2))
            .await
            .unwrap());
    }

    pub async fn assertion_id_is_accepted_again_after_it_expired(
        store: &SqlStore,
        _: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (_, a) = tenant_with_app(store).await;
        assert!(store
            .record_assertion_id(a.app_id, "jti", at(600), at(0))
            .await
            .unwrap());
        // Expired exactly at `expires_at`.
        assert!(store
            .record_assertion_id(a.app_id, "jti", at(1200), at(600))
            .await
            .unwrap());
        assert!(!store
            .record_assertion_id(a.app_id, "jti", at(1200), at(601))
            .await
            .unwrap());
        assert!(store
            .record_assertion_id(a.app_id, "jti", at(2000), at(1300))
            .await
            .unwrap());
    }

    pub async fn same_assertion_id_for_two_apps_is_not_a_replay(
        store: &SqlStore,
        _: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (t, a) = tenant_with_app(store).await;
        let b = app(&t, "b", 3);
        store.create_app(&b).await.unwrap();
        assert!(store
            .record_assertion_id(a.app_id, "shared", at(600), at(0))
            .await
            .unwrap());
        assert!(store
            .record_assertion_id(b.app_id, "shared", at(600), at(0))
            .await
            .unwrap());
        assert!(!store
            .record_assertion_id(b.app_id, "shared", at(600), at(0))
            .await
            .unwrap());
    }

    pub async fn data_survives_closing_and_reopening_the_database(
        store: &SqlStore,
        db: &TestDatabase,
    ) {
        let t = tenant(1, &["durable.example"]);
        store.create_tenant(&t).await.unwrap();
        let u = user(&t, "u@durable.example", 2);
        store.create_user(&u).await.unwrap();
        let a = app(&t, "durable", 3);
        store.create_app(&a).await.unwrap();
        let cert = certificate(&a, "ABCDEF", 4);
        store.add_certificate(&cert).await.unwrap();
        let sp = store
            .grant_consent(t.id, a.app_id, Uuid::new_v4(), &roles(&["R"]), at(5))
            .await
            .unwrap();
        let key = signing_key("durable", 6);
        store.rotate_signing_key(&key).await.unwrap();
        assert!(store
            .record_assertion_id(a.app_id, "once", at(600), at(7))
            .await
            .unwrap());
        store.close().await;

        // Reconnecting migrates again, which must be a no-op.
        for _ in 0..2 {
            let reopened = SqlStore::connect(&db.url).await.unwrap();
            assert_eq!(
                reopened
                    .find_tenant_by_domain("durable.example")
                    .await
                    .unwrap(),
                Some(t.clone())
            );
            assert_eq!(
                reopened
                    .find_user_by_upn("U@durable.example")
                    .await
                    .unwrap(),
                Some(u.clone())
            );
            assert_eq!(reopened.list_apps().await.unwrap(), vec![a.clone()]);
            assert_eq!(
                reopened.list_certificates(a.app_id).await.unwrap(),
                vec![cert.clone()]
            );
            assert_eq!(
                reopened
                    .get_service_principal(t.id, a.app_id)
                    .await
                    .unwrap(),
                Some(sp.clone())
            );
            assert_eq!(
                reopened.list_signing_keys().await.unwrap(),
                vec![key.clone()]
            );
            assert!(!reopened
                .record_assertion_id(a.app_id, "once", at(600), at(8))
                .await
                .unwrap());
            reopened.close().await;
        }
    }

    fn policy(tenant: &Tenant, name: &str, apps: &[Uuid], created: i64) -> AccessPolicy {
        AccessPolicy {
            id: Uuid::new_v4(),
            tenant_id: tenant.id,
            name: name.into(),
            description: format!("{name} policy"),
            created_at: at(created),
            removed_at: None,
            apps: apps
                .iter()
                .map(|a| PolicyApp {
                    app_id: *a,
                    added_at: at(created),
                    removed_at: None,
                })
                .collect(),
        }
    }

    fn listed(app_id: Uuid, added: i64, removed: Option<i64>) -> PolicyApp {
        PolicyApp {
            app_id,
            added_at: at(added),
            removed_at: removed.map(at),
        }
    }

    fn grant(tenant: &Tenant, target: GrantTarget, policy: &AccessPolicy, t: i64) -> PolicyGrant {
        PolicyGrant {
            tenant_id: tenant.id,
            target,
            policy_id: policy.id,
            policy_name: policy.name.clone(),
            granted_at: at(t),
            revoked_at: None,
        }
    }

    fn ended(grant: &PolicyGrant, t: i64) -> PolicyGrant {
        PolicyGrant {
            revoked_at: Some(at(t)),
            ..grant.clone()
        }
    }

    async fn tenant_in(store: &SqlStore, domain: &str) -> Tenant {
        let t = tenant(50, &[domain]);
        store.create_tenant(&t).await.unwrap();
        t
    }

    pub async fn policy_round_trips_with_its_apps_in_order_and_is_found_ignoring_case(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (tenant, app) = tenant_with_app(store).await;
        let other = Uuid::new_v4();
        let p = policy(&tenant, "Meetings-App", &[other, app.app_id], 10);
        // An app given twice is listed once.
        let mut given = p.clone();
        given.apps.push(listed(other, 10, None));
        store.create_policy(&given).await.unwrap();
        let empty = policy(&tenant, "Empty", &[], 20);
        store.create_policy(&empty).await.unwrap();
        for name in ["meetings-APP", "Meetings-App", "MEETINGS-APP"] {
            assert_eq!(
                store.get_policy(tenant.id, name).await.unwrap(),
                Some(p.clone()),
                "{name}"
            );
        }
        assert_eq!(store.get_policy(tenant.id, "nope").await.unwrap(), None);
        assert_eq!(
            store
                .get_policy(Uuid::new_v4(), "Meetings-App")
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            store.list_policies(tenant.id).await.unwrap(),
            vec![p, empty]
        );
        assert_eq!(
            store.list_policies(Uuid::new_v4()).await.unwrap(),
            Vec::new()
        );
    }

    pub async fn duplicate_live_policy_name_differing_in_case_is_a_conflict_and_creates_nothing(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let (tenant, app) = tenant_with_app(store).await;
        let kept = policy(&tenant, "Meetings", &[app.app_id], 10);
        store.create_policy(&kept).await.unwrap();
        for name in ["MEETINGS", "meetings", "Meetings"] {
            match store
                .create_policy(&policy(&tenant, name, &[Uuid::new_v4()], 11))
                .await
            {
                Err(StoreError::Conflict(text)) => {
                    assert!(text.contains("policy of that name"), "{name}: {text}")
                }
                other => panic!("{name}: expected a conflict, got {other:?}"),
            }
        }
        // The same id again is a conflict too, whatever the name.
        let mut same_id = kept.clone();
        same_id.name = "Other".into();
        assert_conflict(store.create_policy(&same_id).await, "policy id");
        assert_eq!(store.list_policies(tenant.id).await.unwrap(), vec![kept]);
        // Another tenant may use the same name.
        let other = tenant_in(store, "policies-other.example").await;
        store
            .create_policy(&policy(&other, "Meetings", &[], 12))
            .await
            .unwrap();
        // An unknown tenant is not found.
        let ghost = super::tenant(1, &[]);
        assert_not_found(
            store
                .create_policy(&policy(&ghost, "Meetings", &[], 13))
                .await,
            "unknown tenant",
        );
    }

    pub async fn a_removed_policys_name_can_be_used_again(store: &SqlStore, _db: &TestDatabase) {
        let (tenant, app) = tenant_with_app(store).await;
        let old = policy(&tenant, "Reused", &[app.app_id], 10);
        store.create_policy(&old).await.unwrap();
        store
            .remove_policy(tenant.id, "REUSED", at(20))
            .await
            .unwrap();
        assert_eq!(store.get_policy(tenant.id, "reused").await.unwrap(), None);
        assert_not_found(
            store.remove_policy(tenant.id, "reused", at(21)).await,
            "removing a removed policy",
        );
        let new = policy(&tenant, "reused", &[], 30);
        store.create_policy(&new).await.unwrap();
        assert_eq!(
            store.get_policy(tenant.id, "Reused").await.unwrap(),
            Some(new.clone())
        );
        let old_removed = AccessPolicy {
            removed_at: Some(at(20)),
            apps: vec![listed(app.app_id, 10, Some(20))],
            ..old
        };
        assert_eq!(
            store.list_policies(tenant.id).await.unwrap(),
            vec![old_removed.clone(), new.clone()]
        );
        // Only one live policy of a name at a time.
        assert_conflict(
            store
                .create_policy(&policy(&tenant, "REUSED", &[], 40))
                .await,
            "live name",
        );
        assert_not_found(
            store.remove_policy(tenant.id, "ghost", at(50)).await,
            "unknown policy",
        );
        assert_not_found(
            store.remove_policy(Uuid::new_v4(), "reused", at(50)).await,
            "other tenant",
        );
        assert!(old_removed.exists_at(at(19)) && !old_removed.exists_at(at(20)));
        assert_eq!(old_removed.app_ids_at(at(19)), vec![app.app_id]);
    }

    pub async fn changing_policy_apps_keeps_their_history(store: &SqlStore, _db: &TestDatabase) {
        let store: &dyn Store = store;
        let (tenant, app) = tenant_with_app(store).await;
        let (a, b, c) = (app.app_id, Uuid::new_v4(), Uuid::new_v4());
        let p = policy(&tenant, "History", &[a], 10);
        store.create_policy(&p).await.unwrap();

        // Adding a listed app changes nothing; b is listed from 20.
        let changed = store
            .change_policy_apps(tenant.id, "history", &[b, a], &[], at(20))
            .await
            .unwrap();
        assert_eq!(changed.apps, vec![listed(a, 10, None), listed(b, 20, None)]);
        // Removing a is an end time, not a deletion; removing an unlisted app changes nothing.
        let changed = store
            .change_policy_apps(tenant.id, "HISTORY", &[], &[a, c], at(30))
            .await
            .unwrap();
        assert_eq!(
            changed.apps,
            vec![listed(a, 10, Some(30)), listed(b, 20, None)]
        );
        // Listing a again is a second period.
        let changed = store
            .change_policy_apps(tenant.id, "History", &[a, c], &[b], at(40))
            .await
            .unwrap();
        assert_eq!(
            changed.apps,
            vec![
                listed(a, 10, Some(30)),
                listed(b, 20, Some(40)),
                listed(a, 40, None),
                listed(c, 40, None),
            ]
        );
        // An app both added and removed ends up unlisted, without a zero-length period.
        let changed = store
            .change_policy_apps(tenant.id, "History", &[b, c], &[c], at(50))
            .await
            .unwrap();
        let history = vec![
            listed(a, 10, Some(30)),
            listed(b, 20, Some(40)),
            listed(a, 40, None),
            listed(c, 40, Some(50)),
            listed(b, 50, None),
        ];
        assert_eq!(changed.apps, history);
        // Nothing to change is not an error.
        let unchanged = store
            .change_policy_apps(tenant.id, "History", &[], &[], at(60))
            .await
            .unwrap();
        assert_eq!(unchanged, changed);
        assert_eq!(
            store.get_policy(tenant.id, "history").await.unwrap(),
            Some(changed.clone())
        );
        assert_eq!(changed, AccessPolicy { apps: history, ..p });
        assert_eq!(changed.app_ids_at(at(25)), vec![a, b]);
        assert_eq!(changed.app_ids_at(at(35)), vec![b]);
        assert_eq!(changed.app_ids_at(at(45)), vec![a, c]);
        assert_eq!(changed.current_app_ids(), vec![a, b]);

        assert_not_found(
            store
                .change_policy_apps(tenant.id, "ghost", &[a], &[], at(70))
                .await,
            "unknown policy",
        );
        store
            .remove_policy(tenant.id, "history", at(80))
            .await
            .unwrap();
        assert_not_found(
            store
                .change_policy_apps(tenant.id, "history", &[a], &[], at(90))
                .await,
            "removed policy",
        );
    }

    pub async fn policy_description_changes_on_the_live_policy_only(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let (tenant, _) = tenant_with_app(store).await;
        let p = policy(&tenant, "Described", &[], 10);
        store.create_policy(&p).await.unwrap();
        store
            .set_policy_description(tenant.id, "DESCRIBED", "new words")
            .await
            .unwrap();
        assert_eq!(
            store
                .get_policy(tenant.id, "described")
                .await
                .unwrap()
                .unwrap()
                .description,
            "new words"
        );
        assert_not_found(
            store.set_policy_description(tenant.id, "ghost", "x").await,
            "unknown policy",
        );
        store
            .remove_policy(tenant.id, "described", at(20))
            .await
            .unwrap();
        assert_not_found(
            store
                .set_policy_description(tenant.id, "described", "x")
                .await,
            "removed policy",
        );
        assert_eq!(
            store.list_policies(tenant.id).await.unwrap()[0].description,
            "new words"
        );
    }

    pub async fn removing_a_policy_ends_its_live_grants_and_listings(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let (tenant, app) = tenant_with_app(store).await;
        let p = policy(&tenant, "Doomed", &[app.app_id], 10);
        let q = policy(&tenant, "Kept", &[app.app_id], 11);
        store.create_policy(&p).await.unwrap();
        store.create_policy(&q).await.unwrap();
        let (user, group) = (Uuid::new_v4(), Uuid::new_v4());
        let to_user_before = grant(&tenant, GrantTarget::User(user), &q, 20);
        let to_user = grant(&tenant, GrantTarget::User(user), &p, 21);
        let global = grant(&tenant, GrantTarget::Global, &p, 22);
        let to_group = grant(&tenant, GrantTarget::Group { id: group, rank: 3 }, &q, 23);
        for g in [&to_user_before, &to_user, &global, &to_group] {
            store.grant_policy(g).await.unwrap();
        }
        store
            .remove_policy(tenant.id, "doomed", at(50))
            .await
            .unwrap();
        assert_eq!(
            store.list_policy_grants(tenant.id).await.unwrap(),
            vec![
                ended(&to_user_before, 21),
                ended(&to_user, 50),
                ended(&global, 50),
                to_group.clone(),
            ]
        );
        let policies = store.list_policies(tenant.id).await.unwrap();
        assert_eq!(policies[0].removed_at, Some(at(50)));
        assert_eq!(policies[0].apps, vec![listed(app.app_id, 10, Some(50))]);
        assert_eq!(policies[1], q);
        // The user's earlier grant stays ended: removal does not bring it back.
        assert!(!store
            .revoke_policy_grant(tenant.id, GrantTarget::User(user), at(60))
            .await
            .unwrap());
    }

    pub async fn a_new_grant_ends_the_targets_previous_grant_and_keeps_it(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (tenant, app) = tenant_with_app(store).await;
        let first = policy(&tenant, "First", &[app.app_id], 10);
        let second = policy(&tenant, "Second", &[app.app_id], 11);
        store.create_policy(&first).await.unwrap();
        store.create_policy(&second).await.unwrap();
        let (user, group) = (Uuid::new_v4(), Uuid::new_v4());
        let user_1 = grant(&tenant, GrantTarget::User(user), &first, 20);
        let global = grant(&tenant, GrantTarget::Global, &first, 21);
        let group_1 = grant(
            &tenant,
            GrantTarget::Group { id: group, rank: 2 },
            &first,
            22,
        );
        let user_2 = grant(&tenant, GrantTarget::User(user), &second, 30);
        // A new rank for the same group is a new grant to the same target.
        let group_2 = grant(
            &tenant,
            GrantTarget::Group { id: group, rank: 1 },
            &second,
            31,
        );
        // The name stored is the policy's, whatever the caller wrote.
        let mut misnamed = user_2.clone();
        misnamed.policy_name = "sEcOnD".into();
        for g in [&user_1, &global, &group_1, &misnamed, &group_2] {
            store.grant_policy(g).await.unwrap();
        }
        let grants = store.list_policy_grants(tenant.id).await.unwrap();
        assert_eq!(
            grants,
            vec![
                ended(&user_1, 30),
                global.clone(),
                ended(&group_1, 31),
                user_2.clone(),
                group_2.clone(),
            ]
        );
        assert_eq!(grants.iter().filter(|g| g.revoked_at.is_none()).count(), 3);
        assert!(grants[0].live_at(at(29)) && !grants[0].live_at(at(30)));
        // The same policy again is a new period too.
        let user_3 = grant(&tenant, GrantTarget::User(user), &second, 40);
        store.grant_policy(&user_3).await.unwrap();
        let grants = store.list_policy_grants(tenant.id).await.unwrap();
        assert_eq!(grants[3], ended(&user_2, 40));
        assert_eq!(grants[5], user_3);
        // Grants are per tenant.
        assert_eq!(
            store.list_policy_grants(Uuid::new_v4()).await.unwrap(),
            Vec::new()
        );
    }

    pub async fn revoking_a_grant_reports_whether_there_was_one(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let (tenant, app) = tenant_with_app(store).await;
        let p = policy(&tenant, "Revocable", &[app.app_id], 10);
        store.create_policy(&p).await.unwrap();
        let user = Uuid::new_v4();
        let g = grant(&tenant, GrantTarget::User(user), &p, 20);
        store.grant_policy(&g).await.unwrap();
        let global = grant(&tenant, GrantTarget::Global, &p, 21);
        store.grant_policy(&global).await.unwrap();
        assert!(store
            .revoke_policy_grant(tenant.id, GrantTarget::User(user), at(30))
            .await
            .unwrap());
        assert!(!store
            .revoke_policy_grant(tenant.id, GrantTarget::User(user), at(31))
            .await
            .unwrap());
        assert!(!store
            .revoke_policy_grant(tenant.id, GrantTarget::User(Uuid::new_v4()), at(32))
            .await
            .unwrap());
        assert!(!store
            .revoke_policy_grant(Uuid::new_v4(), GrantTarget::Global, at(33))
            .await
            .unwrap());
        assert_eq!(
            store.list_policy_grants(tenant.id).await.unwrap(),
            vec![ended(&g, 30), global]
        );
        assert!(store
            .revoke_policy_grant(tenant.id, GrantTarget::Global, at(40))
            .await
            .unwrap());
    }

    pub async fn granting_a_removed_unknown_or_foreign_policy_is_not_found(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let (tenant, app) = tenant_with_app(store).await;
        let live = policy(&tenant, "Live", &[app.app_id], 10);
        let removed = policy(&tenant, "Removed", &[app.app_id], 11);
        store.create_policy(&live).await.unwrap();
        store.create_policy(&removed).await.unwrap();
        store
            .remove_policy(tenant.id, "removed", at(12))
            .await
            .unwrap();
        let other = tenant_in(store, "grants-other.example").await;
        let foreign = policy(&other, "Foreign", &[], 13);
        store.create_policy(&foreign).await.unwrap();

        let user = Uuid::new_v4();
        let kept = grant(&tenant, GrantTarget::User(user), &live, 20);
        store.grant_policy(&kept).await.unwrap();
        let ghost = policy(&tenant, "Ghost", &[], 14);
        for (p, what) in [
            (&removed, "removed policy"),
            (&ghost, "unknown policy"),
            (&foreign, "another tenant's policy"),
        ] {
            assert_not_found(
                store
                    .grant_policy(&grant(&tenant, GrantTarget::User(user), p, 30))
                    .await,
                what,
            );
            assert_not_found(
                store
                    .grant_policy(&grant(&tenant, GrantTarget::Global, p, 30))
                    .await,
                what,
            );
        }
        // The failed grants rolled back: the target's live grant was not ended.
        assert_eq!(
            store.list_policy_grants(tenant.id).await.unwrap(),
            vec![kept]
        );
        assert_eq!(store.list_policy_grants(other.id).await.unwrap(), vec![]);
    }

    /// Grants in a tenant run one after the other: every concurrent grant succeeds and ends its
    /// predecessor, leaving one live grant and the others' history.
    pub async fn concurrent_grants_to_one_target_leave_one_live_grant(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let (tenant, app) = tenant_with_app(store).await;
        let p = policy(&tenant, "One", &[app.app_id], 10);
        let q = policy(&tenant, "Two", &[app.app_id], 11);
        store.create_policy(&p).await.unwrap();
        store.create_policy(&q).await.unwrap();
        let user = Uuid::new_v4();
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..20 {
            let store = store.clone();
            let g = grant(
                &tenant,
                GrantTarget::User(user),
                if i % 2 == 0 { &p } else { &q },
                100,
            );
            tasks.spawn(async move { store.grant_policy(&g).await });
        }
        while let Some(joined) = tasks.join_next().await {
            joined.unwrap().unwrap();
        }
        let grants = store.list_policy_grants(tenant.id).await.unwrap();
        assert_eq!(grants.len(), 20, "{grants:?}");
        assert_eq!(
            grants.iter().filter(|g| g.revoked_at.is_none()).count(),
            1,
            "{grants:?}"
        );
        // Listed in the order they ran: each ended by the next.
        assert!(grants[..19].iter().all(|g| g.revoked_at == Some(at(100))));
        assert_eq!(grants[19].revoked_at, None);
        assert!(grants
            .iter()
            .all(|g| g.target == GrantTarget::User(user) && g.granted_at == at(100)));
    }

    // ---- meetings ---------------------------------------------------------------------------

    fn meeting(organizer: &User, n: u32, external_id: Option<&str>) -> StoredMeeting {
        let thread = format!("19:meeting_{}@thread.v2", Uuid::new_v4().simple());
        StoredMeeting {
            id: format!("MSo{}", Uuid::new_v4().simple()),
            tenant_id: organizer.tenant_id,
            organizer_id: organizer.id,
            external_id: external_id.map(str::to_owned),
            join_meeting_id: format!("{}", 100_000_000_000u64 + u64::from(n)),
            join_web_url: format!("https://teams.microsoft.com/l/meetup-join/{thread}/0"),
            thread_id: thread,
            created_at: at(i64::from(n)),
            updated_at: at(i64::from(n)),
            document: format!(r#"{{"subject":"Meeting {n}"}}"#),
        }
    }

    /// A tenant with one user, created in `store`.
    async fn tenant_with_user(store: &dyn Store, domain: &str) -> (Tenant, User) {
        let t = tenant(1, &[domain]);
        store.create_tenant(&t).await.unwrap();
        let u = user(&t, &format!("organizer@{domain}"), 2);
        store.create_user(&u).await.unwrap();
        (t, u)
    }

    fn assert_conflict_naming<T: std::fmt::Debug>(
        result: Result<T, StoreError>,
        key: &str,
        what: &str,
    ) {
        match result {
            Err(StoreError::Conflict(text)) => {
                assert!(text.contains(key), "{what}: {text:?} does not name {key}")
            }
            other => panic!("{what}: expected a conflict naming {key}, got {other:?}"),
        }
    }

    pub async fn an_organizers_meetings_list_newest_first_by_cursor_and_document_text(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        use graphmeet_core::store::OrganizerMeetingsQuery;
        let store: &dyn Store = store;
        let (t, u) = tenant_with_user(store, "list.example").await;
        let other = user(&t, "other@list.example", 3);
        store.create_user(&other).await.unwrap();
        let mut mine = Vec::new();
        for n in 1..=5 {
            let mut m = meeting(&u, n, None);
            if n == 3 {
                m.document = r#"{"subject":"Budget 50%_Review"}"#.to_owned();
            }
            store.insert_meeting(&m).await.unwrap();
            mine.push(m);
        }
        // Two at the same instant: the id orders them.
        let mut twin = meeting(&u, 5, None);
        twin.join_meeting_id = "100000000099".to_owned();
        store.insert_meeting(&twin).await.unwrap();
        mine.push(twin);
        store
            .insert_meeting(&meeting(&other, 9, None))
            .await
            .unwrap();
        let q = |before: Option<(chrono::DateTime<chrono::Utc>, String)>, text: Option<&str>| {
            OrganizerMeetingsQuery {
                tenant_id: t.id,
                organizer_id: u.id,
                document_contains: text.map(str::to_owned),
                before,
                limit: 2,
            }
        };
        let mut expected = mine.clone();
        expected.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        let mut seen = Vec::new();
        let mut before = None;
        loop {
            let page = store
                .list_organizer_meetings(&q(before.clone(), None))
                .await
                .unwrap();
            if page.is_empty() {
                break;
            }
            assert!(page.len() <= 2);
            before = page.last().map(|m| (m.created_at, m.id.clone()));
            seen.extend(page);
        }
        assert_eq!(
            seen, expected,
            "every meeting once, newest first, none of the other organizer's"
        );
        // The text is matched ignoring ASCII case, with LIKE's metacharacters taken literally.
        let found = store
            .list_organizer_meetings(&q(None, Some("50%_review")))
            .await
            .unwrap();
        assert_eq!(found, vec![mine[2].clone()]);
        let found = store
            .list_organizer_meetings(&q(None, Some("50%x")))
            .await
            .unwrap();
        assert!(found.is_empty());
        let found = store
            .list_organizer_meetings(&q(None, Some("meeting")))
            .await
            .unwrap();
        assert_eq!(found.len(), 2);
    }

    pub async fn meeting_round_trips_and_is_found_by_each_key(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (t, u) = tenant_with_user(store, "meet.example").await;
        let (other, _) = tenant_with_user(store, "elsewhere.example").await;
        let plain = meeting(&u, 1, None);
        let keyed = meeting(&u, 2, Some("ext-1"));
        store.insert_meeting(&plain).await.unwrap();
        store.insert_meeting(&keyed).await.unwrap();
        for m in [&plain, &keyed] {
            let found = Some(m.clone());
            assert_eq!(store.get_meeting(t.id, &m.id).await.unwrap(), found);
            assert_eq!(
                store
                    .find_meeting_by_join_web_url(t.id, &m.join_web_url)
                    .await
                    .unwrap(),
                found
            );
            assert_eq!(
                store
                    .find_meeting_by_join_meeting_id(t.id, &m.join_meeting_id)
                    .await
                    .unwrap(),
                found
            );
            assert_eq!(
                store.find_meeting_by_thread_id(&m.thread_id).await.unwrap(),
                found
            );
            // Only the thread id is looked up across tenants.
            assert_eq!(store.get_meeting(other.id, &m.id).await.unwrap(), None);
            assert_eq!(
                store
                    .find_meeting_by_join_web_url(other.id, &m.join_web_url)
                    .await
                    .unwrap(),
                None
            );
            assert_eq!(
                store
                    .find_meeting_by_join_meeting_id(other.id, &m.join_meeting_id)
                    .await
                    .unwrap(),
                None
            );
        }
        assert_eq!(store.get_meeting(t.id, "nope").await.unwrap(), None);
        assert_eq!(
            store
                .find_meeting_by_join_web_url(t.id, &plain.join_web_url.to_uppercase())
                .await
                .unwrap(),
            None,
            "join URLs match exactly"
        );
        assert_eq!(
            store
                .find_meeting_by_join_meeting_id(t.id, "1")
                .await
                .unwrap(),
            None
        );
        assert_eq!(store.find_meeting_by_thread_id("19:x").await.unwrap(), None);
    }

    pub async fn taken_meeting_keys_are_conflicts_naming_the_key(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (t, u) = tenant_with_user(store, "taken.example").await;
        let (_, stranger) = tenant_with_user(store, "stranger.example").await;
        let m = meeting(&u, 1, Some("ext"));
        store.insert_meeting(&m).await.unwrap();

        let fresh = || meeting(&u, 2, None);
        let taken: Vec<(&str, StoredMeeting)> = vec![
            (
                "joinMeetingId",
                StoredMeeting {
                    join_meeting_id: m.join_meeting_id.clone(),
                    ..fresh()
                },
            ),
            (
                "threadId",
                StoredMeeting {
                    thread_id: m.thread_id.clone(),
                    ..fresh()
                },
            ),
            (
                // The join URL is unique across tenants.
                "joinWebUrl",
                StoredMeeting {
                    join_web_url: m.join_web_url.clone(),
                    ..meeting(&stranger, 2, None)
                },
            ),
            (
                "meeting id",
                StoredMeeting {
                    id: m.id.clone(),
                    ..fresh()
                },
            ),
            (
                "externalId",
                StoredMeeting {
                    external_id: m.external_id.clone(),
                    ..fresh()
                },
            ),
        ];
        for (key, clash) in &taken {
            assert_conflict_naming(store.insert_meeting(clash).await, key, "insert");
            if *key != "externalId" {
                // createOrGet with a new key absorbs no other conflict.
                let with_key = StoredMeeting {
                    external_id: Some(format!("new-{key}")),
                    ..clash.clone()
                };
                assert_conflict_naming(
                    store.create_or_get_meeting(&with_key).await,
                    key,
                    "createOrGet",
                );
            }
        }
        // Nothing was stored but the first meeting.
        let fresh = fresh();
        assert_eq!(
            store
                .find_meeting_by_join_meeting_id(t.id, &fresh.join_meeting_id)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            store.get_meeting(t.id, &m.id).await.unwrap(),
            Some(m.clone())
        );
        store.insert_meeting(&fresh).await.unwrap();
    }

    pub async fn the_same_join_meeting_id_in_two_tenants_is_allowed(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (t1, u1) = tenant_with_user(store, "one.example").await;
        let (t2, u2) = tenant_with_user(store, "two.example").await;
        let a = meeting(&u1, 7, None);
        let b = meeting(&u2, 7, None);
        assert_eq!(a.join_meeting_id, b.join_meeting_id);
        store.insert_meeting(&a).await.unwrap();
        store.insert_meeting(&b).await.unwrap();
        assert_eq!(
            store
                .find_meeting_by_join_meeting_id(t1.id, &a.join_meeting_id)
                .await
                .unwrap(),
            Some(a)
        );
        assert_eq!(
            store
                .find_meeting_by_join_meeting_id(t2.id, &b.join_meeting_id)
                .await
                .unwrap(),
            Some(b)
        );
    }

    pub async fn meeting_of_an_unknown_organizer_or_tenant_is_not_found(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (t, u) = tenant_with_user(store, "fk.example").await;
        let ghost_user = User {
            id: Uuid::new_v4(),
            ..u.clone()
        };
        let ghost_tenant = User {
            tenant_id: Uuid::new_v4(),
            ..u.clone()
        };
        for (organizer, what) in [(&ghost_user, "organizer"), (&ghost_tenant, "tenant")] {
            assert_not_found(
                store.insert_meeting(&meeting(organizer, 1, None)).await,
                what,
            );
            assert_not_found(
                store
                    .create_or_get_meeting(&meeting(organizer, 1, Some("x")))
                    .await,
                what,
            );
        }
        let m = meeting(&u, 1, Some("x"));
        assert_eq!(
            store.create_or_get_meeting(&m).await.unwrap(),
            (m.clone(), true)
        );
        assert_eq!(store.get_meeting(t.id, &m.id).await.unwrap(), Some(m));
    }

    pub async fn create_or_get_creates_then_returns_the_stored_meeting(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (t, u) = tenant_with_user(store, "cog.example").await;
        let first = meeting(&u, 1, Some("standup"));
        assert_eq!(
            store.create_or_get_meeting(&first).await.unwrap(),
            (first.clone(), true)
        );
        // Different generated keys, same createOrGet key: the stored meeting comes back.
        let again = meeting(&u, 2, Some("standup"));
        assert_eq!(
            store.create_or_get_meeting(&again).await.unwrap(),
            (first.clone(), false)
        );
        assert_eq!(store.get_meeting(t.id, &again.id).await.unwrap(), None);
        // The externalId is compared exactly.
        let other_case = meeting(&u, 3, Some("STANDUP"));
        assert!(store.create_or_get_meeting(&other_case).await.unwrap().1);
        // Without an externalId every call creates.
        let plain_1 = meeting(&u, 4, None);
        let plain_2 = meeting(&u, 5, None);
        assert_eq!(
            store.create_or_get_meeting(&plain_1).await.unwrap(),
            (plain_1, true)
        );
        assert_eq!(
            store.create_or_get_meeting(&plain_2).await.unwrap(),
            (plain_2, true)
        );
        // Deleted, the key is free again.
        assert!(store.delete_meeting(t.id, &first.id).await.unwrap());
        let after = meeting(&u, 6, Some("standup"));
        assert_eq!(
            store.create_or_get_meeting(&after).await.unwrap(),
            (after, true)
        );
    }

    pub async fn concurrent_create_or_get_creates_exactly_one_meeting(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let (t, u) = tenant_with_user(store, "race.example").await;
        let mut tasks = tokio::task::JoinSet::new();
        for n in 0..50 {
            let store = store.clone();
            let m = meeting(&u, n, Some("race"));
            tasks.spawn(async move { store.create_or_get_meeting(&m).await });
        }
        let mut results = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            results.push(joined.unwrap().unwrap());
        }
        assert_eq!(results.len(), 50);
        assert_eq!(results.iter().filter(|(_, created)| *created).count(), 1);
        let (winner, _) = results.iter().find(|(_, created)| *created).unwrap();
        assert!(results.iter().all(|(m, _)| m == winner), "{results:?}");
        assert_eq!(
            store.get_meeting(t.id, &winner.id).await.unwrap().as_ref(),
            Some(winner)
        );
        // No loser left a row behind.
        for n in 0..50 {
            let join_id = meeting(&u, n, None).join_meeting_id;
            let found = store
                .find_meeting_by_join_meeting_id(t.id, &join_id)
                .await
                .unwrap();
            assert_eq!(found.is_some(), join_id == winner.join_meeting_id);
        }
    }

    pub async fn two_organizers_with_the_same_external_id_get_different_meetings(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (t, alice) = tenant_with_user(store, "two-organizers.example").await;
        let bob = user(&t, "bob@two-organizers.example", 3);
        store.create_user(&bob).await.unwrap();
        let (_, carol) = tenant_with_user(store, "third.example").await;
        let for_alice = meeting(&alice, 1, Some("shared"));
        let for_bob = meeting(&bob, 2, Some("shared"));
        let for_carol = meeting(&carol, 3, Some("shared"));
        for m in [&for_alice, &for_bob, &for_carol] {
            assert_eq!(
                store.create_or_get_meeting(m).await.unwrap(),
                (m.clone(), true)
            );
        }
        let bob_again = meeting(&bob, 4, Some("shared"));
        assert_eq!(
            store.create_or_get_meeting(&bob_again).await.unwrap(),
            (for_bob, false)
        );
    }

    pub async fn updating_a_meeting_replaces_its_document_only(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (t, u) = tenant_with_user(store, "update.example").await;
        let m = meeting(&u, 1, Some("ext"));
        store.insert_meeting(&m).await.unwrap();
        let changed = StoredMeeting {
            document: r#"{"subject":"Renamed"}"#.into(),
            updated_at: at(99),
            ..m.clone()
        };
        store.update_meeting(&changed).await.unwrap();
        assert_eq!(
            store.get_meeting(t.id, &m.id).await.unwrap(),
            Some(changed.clone())
        );
        // Keys are immutable: an update carrying other keys changes only the document.
        let rekeyed = StoredMeeting {
            thread_id: "19:other@thread.v2".into(),
            join_meeting_id: "42".into(),
            join_web_url: "https://example.invalid/other".into(),
            external_id: None,
            created_at: at(0),
            document: r#"{"subject":"Again"}"#.into(),
            updated_at: at(100),
            ..m.clone()
        };
        store.update_meeting(&rekeyed).await.unwrap();
        assert_eq!(
            store.get_meeting(t.id, &m.id).await.unwrap(),
            Some(StoredMeeting {
                document: rekeyed.document.clone(),
                updated_at: at(100),
                ..m.clone()
            })
        );
        // Another tenant's id, an unknown id or a deleted meeting is not found.
        let (other, _) = tenant_with_user(store, "update-other.example").await;
        assert_not_found(
            store
                .update_meeting(&StoredMeeting {
                    tenant_id: other.id,
                    ..changed.clone()
                })
                .await,
            "other tenant",
        );
        assert_not_found(
            store
                .update_meeting(&StoredMeeting {
                    id: "gone".into(),
                    ..changed.clone()
                })
                .await,
            "unknown id",
        );
        assert!(store.delete_meeting(t.id, &m.id).await.unwrap());
        assert_not_found(store.update_meeting(&changed).await, "deleted");
    }

    pub async fn a_meetings_revision_counts_its_updates_and_names_the_document_only_when_changed(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (t, u) = tenant_with_user(store, "revision.example").await;
        let m = meeting(&u, 1, None);
        store.insert_meeting(&m).await.unwrap();
        let changed = |revision, document: &str| {
            Some(MeetingRevision::Changed {
                revision,
                document: document.to_owned(),
            })
        };
        assert_eq!(
            store.get_meeting_revision(t.id, &m.id, None).await.unwrap(),
            changed(0, &m.document)
        );
        assert_eq!(
            store
                .get_meeting_revision(t.id, &m.id, Some(0))
                .await
                .unwrap(),
            Some(MeetingRevision::Unchanged)
        );
        for (revision, text) in [(1, r#"{"subject":"One"}"#), (2, r#"{"subject":"One"}"#)] {
            // An update makes a new revision even when it stores the same text.
            store
                .update_meeting(&StoredMeeting {
                    document: text.into(),
                    ..m.clone()
                })
                .await
                .unwrap();
            assert_eq!(
                store
                    .get_meeting_revision(t.id, &m.id, Some(revision - 1))
                    .await
                    .unwrap(),
                changed(revision, text)
            );
            assert_eq!(
                store
                    .get_meeting_revision(t.id, &m.id, Some(revision))
                    .await
                    .unwrap(),
                Some(MeetingRevision::Unchanged)
            );
        }
        // Another tenant, an unknown id, a deleted meeting: none.
        let (other, _) = tenant_with_user(store, "revision-other.example").await;
        assert_eq!(
            store
                .get_meeting_revision(other.id, &m.id, None)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            store
                .get_meeting_revision(t.id, "gone", Some(0))
                .await
                .unwrap(),
            None
        );
        assert!(store.delete_meeting(t.id, &m.id).await.unwrap());
        assert_eq!(
            store
                .get_meeting_revision(t.id, &m.id, Some(2))
                .await
                .unwrap(),
            None
        );
    }

    /// Hundreds of reads at once (on PostgreSQL they share statements, `reads.rs`): each
    /// caller gets what a read of its own meeting, tenant and known revision answers.
    pub async fn concurrent_revision_reads_each_get_the_answer_for_their_own_meeting(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (t, u) = tenant_with_user(store, "reads.example").await;
        let (other, _) = tenant_with_user(store, "reads-other.example").await;
        let meetings: Vec<StoredMeeting> = (0..5).map(|n| meeting(&u, n, None)).collect();
        for m in &meetings {
            store.insert_meeting(m).await.unwrap();
        }
        // Meeting n is at revision n.
        for (n, m) in meetings.iter().enumerate() {
            for r in 1..=n {
                store
                    .update_meeting(&StoredMeeting {
                        document: format!(r#"{{"subject":"{n} at {r}"}}"#),
                        ..m.clone()
                    })
                    .await
                    .unwrap();
            }
        }
        let document = |n: usize| {
            if n == 0 {
                meetings[0].document.clone()
            } else {
                format!(r#"{{"subject":"{n} at {n}"}}"#)
            }
        };
        // (tenant, id, known) and the answer expected, in a mix that changes with i.
        let cases: Vec<(Uuid, String, Option<i64>, Option<MeetingRevision>)> = (0..300usize)
            .map(|i| {
                let n = i % meetings.len();
                let id = meetings[n].id.clone();
                let revision = n as i64;
                match i % 6 {
                    0 => (
                        t.id,
                        id,
                        None,
                        Some(MeetingRevision::Changed {
                            revision,
                            document: document(n),
                        }),
                    ),
                    1 => (t.id, id, Some(revision), Some(MeetingRevision::Unchanged)),
                    2 => (
                        t.id,
                        id,
                        Some(revision + 7),
                        Some(MeetingRevision::Changed {
                            revision,
                            document: document(n),
                        }),
                    ),
                    3 => (other.id, id, None, None),
                    4 => (t.id, format!("{id}-not"), Some(revision), None),
                    _ => (
                        t.id,
                        id,
                        Some(-1),
                        Some(MeetingRevision::Changed {
                            revision,
                            document: document(n),
                        }),
                    ),
                }
            })
            .collect();
        let answers = futures_util::future::join_all(
            cases
                .iter()
                .map(|(tenant, id, known, _)| store.get_meeting_revision(*tenant, id, *known)),
        )
        .await;
        for (i, ((tenant, id, known, expected), answer)) in cases.iter().zip(answers).enumerate() {
            assert_eq!(
                &answer.unwrap(),
                expected,
                "read {i}: tenant {tenant}, meeting {id}, known {known:?}"
            );
        }
    }

    pub async fn deleting_a_meeting_reports_whether_it_existed(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (t, u) = tenant_with_user(store, "delete.example").await;
        let (other, _) = tenant_with_user(store, "delete-other.example").await;
        let m = meeting(&u, 1, None);
        let kept = meeting(&u, 2, None);
        store.insert_meeting(&m).await.unwrap();
        store.insert_meeting(&kept).await.unwrap();
        assert!(!store.delete_meeting(other.id, &m.id).await.unwrap());
        assert!(store.delete_meeting(t.id, &m.id).await.unwrap());
        assert!(!store.delete_meeting(t.id, &m.id).await.unwrap());
        assert_eq!(store.get_meeting(t.id, &m.id).await.unwrap(), None);
        assert_eq!(
            store.find_meeting_by_thread_id(&m.thread_id).await.unwrap(),
            None
        );
        assert_eq!(store.get_meeting(t.id, &kept.id).await.unwrap(), Some(kept));
        // Its keys are free again.
        store.insert_meeting(&m).await.unwrap();
    }

    pub async fn deleting_a_user_or_tenant_deletes_its_meetings(
        store: &SqlStore,
        db: &TestDatabase,
    ) {
        use sqlx::{Connection, Executor};

        let (t, alice) = tenant_with_user(store, "cascade.example").await;
        let bob = user(&t, "bob@cascade.example", 3);
        store.create_user(&bob).await.unwrap();
        let (t2, carol) = tenant_with_user(store, "cascade-2.example").await;
        let of_alice = meeting(&alice, 1, Some("a"));
        let of_bob = meeting(&bob, 2, Some("b"));
        let of_carol = meeting(&carol, 3, None);
        for m in [&of_alice, &of_bob, &of_carol] {
            store.insert_meeting(m).await.unwrap();
        }

        // The store has no way to delete users or tenants: delete them behind its back, the
        // way SqlStore connects (foreign keys on, for SQLite).
        let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
        if db.backend() == Backend::Sqlite {
            conn.execute("PRAGMA foreign_keys = ON").await.unwrap();
        }
        sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(alice.id.to_string())
            .execute(&mut conn)
            .await
            .unwrap();
        assert_eq!(store.get_meeting(t.id, &of_alice.id).await.unwrap(), None);
        assert_eq!(
            store.get_meeting(t.id, &of_bob.id).await.unwrap(),
            Some(of_bob.clone())
        );
        // Alice's createOrGet key went with her meeting: Bob's is another key anyway.
        let for_bob = meeting(&bob, 4, Some("a"));
        assert!(store.create_or_get_meeting(&for_bob).await.unwrap().1);
        sqlx::query("DELETE FROM tenants WHERE id = $1")
            .bind(t.id.to_string())
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        for m in [&of_bob, &for_bob] {
            assert_eq!(
                store.find_meeting_by_thread_id(&m.thread_id).await.unwrap(),
                None
            );
        }
        assert_eq!(
            store.get_meeting(t2.id, &of_carol.id).await.unwrap(),
            Some(of_carol)
        );
    }

    pub async fn meetings_are_counted_per_tenant_and_organizer(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let (t, alice) = tenant_with_user(store, "count.example").await;
        let bob = user(&t, "bob@count.example", 3);
        store.create_user(&bob).await.unwrap();
        let (t2, carol) = tenant_with_user(store, "count-2.example").await;
        assert_eq!(store.count_meetings(t.id, None).await.unwrap(), 0);
        for m in [
            meeting(&alice, 1, None),
            meeting(&alice, 2, Some("x")),
            meeting(&bob, 3, None),
            meeting(&carol, 4, None),
        ] {
            store.insert_meeting(&m).await.unwrap();
        }
        assert_eq!(store.count_meetings(t.id, None).await.unwrap(), 3);
        assert_eq!(store.count_meetings(t.id, Some(alice.id)).await.unwrap(), 2);
        assert_eq!(store.count_meetings(t.id, Some(carol.id)).await.unwrap(), 0);
        assert_eq!(store.count_meetings(t2.id, None).await.unwrap(), 1);
    }

    pub async fn meetings_created_are_counted_per_organizer_and_window_and_outlive_deletion(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let (t, alice) = tenant_with_user(store, "created.example").await;
        let bob = user(&t, "bob@created.example", 3);
        store.create_user(&bob).await.unwrap();
        let inserts = [
            MeetingInsert::Create(meeting(&alice, 10, None)),
            MeetingInsert::Create(meeting(&alice, 20, None)),
            MeetingInsert::CreateOrGet(meeting(&alice, 30, Some("x"))),
            MeetingInsert::Create(meeting(&bob, 21, None)),
        ];
        for outcome in store.insert_meetings(&inserts).await.unwrap() {
            assert!(matches!(outcome.unwrap(), MeetingInserted::Created));
        }
        let single = meeting(&alice, 40, None);
        store.insert_meeting(&single).await.unwrap();
        // Found again by createOrGet: not a second creation.
        let again = meeting(&alice, 35, Some("x"));
        assert!(!store.create_or_get_meeting(&again).await.unwrap().1);
        // A batch with a taken key: the refused meeting is not a creation, its neighbour is.
        let outcomes = store
            .insert_meetings(&[
                MeetingInsert::Create(meeting(&alice, 10, None)),
                MeetingInsert::Create(meeting(&alice, 50, None)),
            ])
            .await
            .unwrap();
        assert!(
            matches!(outcomes[0], Err(StoreError::Conflict(_))),
            "{outcomes:?}"
        );
        assert!(
            matches!(outcomes[1], Ok(MeetingInserted::Created)),
            "{outcomes:?}"
        );

        let count = |who: Uuid, from: i64, to: i64| async move {
            store
                .count_meetings_created(who, at(from), at(to))
                .await
                .unwrap()
        };
        assert_eq!(count(alice.id, 0, 100).await, 5);
        // The window is [since, before).
        assert_eq!(count(alice.id, 10, 30).await, 2);
        assert_eq!(count(alice.id, 11, 30).await, 1);
        assert_eq!(count(alice.id, 10, 40).await, 3);
        assert_eq!(count(bob.id, 0, 100).await, 1);
        assert_eq!(count(Uuid::new_v4(), 0, 100).await, 0);

        // A deleted meeting stays counted; its organizer's deletion takes the count with it.
        assert!(store.delete_meeting(t.id, &single.id).await.unwrap());
        assert_eq!(count(alice.id, 0, 100).await, 5);
        assert!(store.delete_user(bob.id).await.unwrap());
        assert_eq!(count(bob.id, 0, 100).await, 0);
    }

    pub async fn audit_entries_are_queried_newest_first_by_every_filter_and_purged_by_age(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        use graphmeet_core::model::{AuditDecision, AuditEntry, AuditQuery};
        let (t1, t2, app, user) = (
            Uuid::new_v4(),
            Uuid::new_v4(),
            Uuid::new_v4(),
            Uuid::new_v4(),
        );
        let entry =
            |secs: i64, tenant: Option<Uuid>, decision: AuditDecision, op: &str| AuditEntry {
                at: at(secs),
                request_id: format!("req-{secs}"),
                tenant_id: tenant,
                app_id: (decision != AuditDecision::Changed).then_some(app),
                user_id: (decision != AuditDecision::Changed).then_some(user),
                operation: op.to_owned(),
                decision,
                reason: format!("reason {secs}"),
            };
        let entries = [
            entry(10, Some(t1), AuditDecision::Allowed, "CreateMeeting"),
            entry(20, Some(t1), AuditDecision::Denied, "CreateMeeting"),
            entry(30, Some(t2), AuditDecision::Denied, "GetMeeting"),
            entry(40, None, AuditDecision::Changed, "POST /admin/policies"),
        ];
        for e in &entries {
            store.append_audit(e).await.unwrap();
        }
        let all = store.query_audit(&AuditQuery::default()).await.unwrap();
        assert_eq!(
            all.iter()
                .map(|e| e.request_id.as_str())
                .collect::<Vec<_>>(),
            ["req-40", "req-30", "req-20", "req-10"]
        );
        assert_eq!(all[3], entries[0]);
        let denied_t1 = store
            .query_audit(&AuditQuery {
                tenant_id: Some(t1),
                decision: Some(AuditDecision::Denied),
                ..AuditQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(denied_t1, vec![entries[1].clone()]);
        let by_app_since = store
            .query_audit(&AuditQuery {
                app_id: Some(app),
                user_id: Some(user),
                since: Some(at(20)),
                ..AuditQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(by_app_since.len(), 2);
        let limited = store
            .query_audit(&AuditQuery {
                limit: 1,
                ..AuditQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(limited.len(), 1);
        assert_eq!(store.purge_audit(at(25)).await.unwrap(), 2);
        assert_eq!(
            store
                .query_audit(&AuditQuery::default())
                .await
                .unwrap()
                .len(),
            2
        );
    }

    // ---- listings, consent revocation, deletions, reset ------------------------------------

    pub async fn groups_and_their_members_are_listed(store: &SqlStore, _db: &TestDatabase) {
        let store: &dyn Store = store;
        let (t, alice) = tenant_with_user(store, "lists.example").await;
        let bob = user(&t, "bob@lists.example", 3);
        store.create_user(&bob).await.unwrap();
        let other = tenant_in_dyn(store, "lists-2.example").await;
        let (g1, g2, g3) = (
            group(&t, "Sales", 5),
            group(&t, "Engineering", 4),
            group(&other, "Other", 1),
        );
        for g in [&g1, &g2, &g3] {
            store.create_group(g).await.unwrap();
        }
        assert_eq!(
            store.list_groups(t.id).await.unwrap(),
            vec![g2.clone(), g1.clone()]
        );
        assert_eq!(store.list_groups(other.id).await.unwrap(), vec![g3]);
        assert_eq!(store.list_groups(Uuid::new_v4()).await.unwrap(), vec![]);
        store.add_group_member(g1.id, bob.id).await.unwrap();
        store.add_group_member(g1.id, alice.id).await.unwrap();
        assert_eq!(
            store.list_group_members(g1.id).await.unwrap(),
            vec![alice.clone(), bob.clone()]
        );
        assert_eq!(store.list_group_members(g2.id).await.unwrap(), vec![]);
    }

    async fn tenant_in_dyn(store: &dyn Store, domain: &str) -> Tenant {
        let t = tenant(50, &[domain]);
        store.create_tenant(&t).await.unwrap();
        t
    }

    pub async fn service_principals_are_listed_per_tenant_with_their_roles(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (home, a) = tenant_with_app(store).await;
        let b = app(&home, "Second", 3);
        store.create_app(&b).await.unwrap();
        let other = tenant_in_dyn(store, "sp-list.example").await;
        let sp_a = store
            .grant_consent(
                home.id,
                a.app_id,
                Uuid::new_v4(),
                &roles(&["R2", "R1"]),
                at(10),
            )
            .await
            .unwrap();
        let sp_b = store
            .grant_consent(home.id, b.app_id, Uuid::new_v4(), &[], at(11))
            .await
            .unwrap();
        let sp_foreign = store
            .grant_consent(other.id, a.app_id, Uuid::new_v4(), &roles(&["R3"]), at(12))
            .await
            .unwrap();
        assert_eq!(sp_a.app_roles, roles(&["R2", "R1"]));
        assert_eq!(
            store.list_service_principals(home.id).await.unwrap(),
            vec![sp_a, sp_b]
        );
        assert_eq!(
            store.list_service_principals(other.id).await.unwrap(),
            vec![sp_foreign]
        );
        assert_eq!(
            store.list_service_principals(Uuid::new_v4()).await.unwrap(),
            vec![]
        );
    }

    pub async fn revoking_consent_removes_roles_and_keeps_the_service_principal(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (t, a) = tenant_with_app(store).await;
        let granted = store
            .grant_consent(
                t.id,
                a.app_id,
                Uuid::new_v4(),
                &roles(&["A", "B", "C"]),
                at(10),
            )
            .await
            .unwrap();
        let after = store
            .revoke_consent(t.id, a.app_id, &roles(&["A", "not-held"]))
            .await
            .unwrap();
        assert_eq!(after.id, granted.id);
        assert_eq!(after.app_roles, roles(&["B", "C"]));
        assert_eq!(
            store.get_service_principal(t.id, a.app_id).await.unwrap(),
            Some(after.clone())
        );
        // Roles granted later follow the remaining ones, in the order granted.
        let regranted = store
            .grant_consent(t.id, a.app_id, Uuid::new_v4(), &roles(&["D", "A"]), at(11))
            .await
            .unwrap();
        assert_eq!(regranted.app_roles, roles(&["B", "C", "D", "A"]));
        assert_eq!(
            store
                .get_service_principal(t.id, a.app_id)
                .await
                .unwrap()
                .unwrap()
                .app_roles,
            roles(&["B", "C", "D", "A"])
        );
        // With no role left the service principal stays.
        let empty = store
            .revoke_consent(t.id, a.app_id, &roles(&["A", "B", "C", "D"]))
            .await
            .unwrap();
        assert_eq!(empty.app_roles, Vec::<String>::new());
        assert_eq!(empty.id, granted.id);
        assert_eq!(
            store.get_service_principal(t.id, a.app_id).await.unwrap(),
            Some(empty)
        );
    }

    pub async fn revoking_consent_without_a_service_principal_is_not_found(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (_, a) = tenant_with_app(store).await;
        let other = tenant_in_dyn(store, "no-sp.example").await;
        assert_not_found(
            store
                .revoke_consent(other.id, a.app_id, &roles(&["A"]))
                .await,
            "no service principal in the tenant",
        );
        assert_not_found(
            store
                .revoke_consent(other.id, Uuid::new_v4(), &roles(&["A"]))
                .await,
            "unknown app",
        );
    }

    pub async fn deleting_a_tenant_takes_everything_of_it_and_its_apps_everywhere(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (t, alice) = tenant_with_user(store, "doomed.example").await;
        let (keep, carol) = tenant_with_user(store, "kept.example").await;
        let g = group(&t, "Doomed group", 3);
        store.create_group(&g).await.unwrap();
        store.add_group_member(g.id, alice.id).await.unwrap();
        let a = app(&t, "Doomed app", 4);
        store.create_app(&a).await.unwrap();
        store.add_secret(&secret(&a, "sec", 5)).await.unwrap();
        store
            .add_certificate(&certificate(&a, "AA", 5))
            .await
            .unwrap();
        store
            .grant_consent(t.id, a.app_id, Uuid::new_v4(), &roles(&["R"]), at(6))
            .await
            .unwrap();
        // Consented in the other tenant too: the app's service principal there goes with it.
        store
            .grant_consent(keep.id, a.app_id, Uuid::new_v4(), &roles(&["R"]), at(6))
            .await
            .unwrap();
        let kept_app = app(&keep, "Kept app", 4);
        store.create_app(&kept_app).await.unwrap();
        store
            .grant_consent(t.id, kept_app.app_id, Uuid::new_v4(), &roles(&["R"]), at(6))
            .await
            .unwrap();
        let p = policy(&t, "doomed", &[a.app_id], 7);
        store.create_policy(&p).await.unwrap();
        store
            .grant_policy(&grant(&t, GrantTarget::User(alice.id), &p, 8))
            .await
            .unwrap();
        store
            .grant_policy(&grant(&t, GrantTarget::Global, &p, 8))
            .await
            .unwrap();
        let m = meeting(&alice, 1, Some("x"));
        store.insert_meeting(&m).await.unwrap();
        let kept_meeting = meeting(&carol, 2, None);
        store.insert_meeting(&kept_meeting).await.unwrap();
        assert!(store
            .record_assertion_id(a.app_id, "jti-1", at(100), at(9))
            .await
            .unwrap());

        assert!(store.delete_tenant(t.id).await.unwrap());

        assert_eq!(store.get_tenant(t.id).await.unwrap(), None);
        assert_eq!(
            store.find_tenant_by_domain("doomed.example").await.unwrap(),
            None
        );
        assert_eq!(store.get_user(alice.id).await.unwrap(), None);
        assert_eq!(store.get_group(g.id).await.unwrap(), None);
        assert_eq!(store.get_app(a.app_id).await.unwrap(), None);
        assert_eq!(store.list_secrets(a.app_id).await.unwrap(), vec![]);
        assert_eq!(store.list_certificates(a.app_id).await.unwrap(), vec![]);
        assert_eq!(
            store
                .get_service_principal(keep.id, a.app_id)
                .await
                .unwrap(),
            None
        );
        assert_eq!(store.list_service_principals(t.id).await.unwrap(), vec![]);
        assert_eq!(store.list_policies(t.id).await.unwrap(), vec![]);
        assert_eq!(store.list_policy_grants(t.id).await.unwrap(), vec![]);
        assert_eq!(
            store.find_meeting_by_thread_id(&m.thread_id).await.unwrap(),
            None
        );
        assert_eq!(store.count_meetings(t.id, None).await.unwrap(), 0);
        // The other tenant and its own app are untouched.
        assert_eq!(store.get_tenant(keep.id).await.unwrap(), Some(keep.clone()));
        assert_eq!(store.get_user(carol.id).await.unwrap(), Some(carol));
        assert_eq!(
            store.get_app(kept_app.app_id).await.unwrap(),
            Some(kept_app.clone())
        );
        assert_eq!(
            store.get_meeting(keep.id, &kept_meeting.id).await.unwrap(),
            Some(kept_meeting)
        );
        assert_eq!(
            store.list_service_principals(keep.id).await.unwrap(),
            vec![]
        );
        // The domain is free again; deleting twice reports that nothing was there.
        assert!(!store.delete_tenant(t.id).await.unwrap());
        store
            .create_tenant(&tenant(20, &["doomed.example"]))
            .await
            .unwrap();
    }

    pub async fn deleting_a_user_takes_its_meetings_memberships_and_grants(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (t, alice) = tenant_with_user(store, "leaver.example").await;
        let bob = user(&t, "bob@leaver.example", 3);
        store.create_user(&bob).await.unwrap();
        let g = group(&t, "Team", 3);
        store.create_group(&g).await.unwrap();
        store.add_group_member(g.id, alice.id).await.unwrap();
        store.add_group_member(g.id, bob.id).await.unwrap();
        let (p1, p2) = (policy(&t, "one", &[], 4), policy(&t, "two", &[], 4));
        store.create_policy(&p1).await.unwrap();
        store.create_policy(&p2).await.unwrap();
        let alice_first = grant(&t, GrantTarget::User(alice.id), &p1, 5);
        store.grant_policy(&alice_first).await.unwrap();
        store
            .grant_policy(&grant(&t, GrantTarget::User(alice.id), &p2, 6))
            .await
            .unwrap();
        let bobs = grant(&t, GrantTarget::User(bob.id), &p1, 7);
        store.grant_policy(&bobs).await.unwrap();
        let group_grant = grant(&t, GrantTarget::Group { id: g.id, rank: 1 }, &p2, 8);
        store.grant_policy(&group_grant).await.unwrap();
        let of_alice = meeting(&alice, 1, Some("a"));
        let of_bob = meeting(&bob, 2, Some("a"));
        store.insert_meeting(&of_alice).await.unwrap();
        store.insert_meeting(&of_bob).await.unwrap();

        assert!(store.delete_user(alice.id).await.unwrap());

        assert_eq!(store.get_user(alice.id).await.unwrap(), None);
        assert_eq!(store.find_user_by_upn(&alice.upn).await.unwrap(), None);
        assert_eq!(store.get_meeting(t.id, &of_alice.id).await.unwrap(), None);
        assert_eq!(store.groups_of_user(alice.id).await.unwrap(), vec![]);
        assert_eq!(
            store.list_group_members(g.id).await.unwrap(),
            vec![bob.clone()]
        );
        // Every grant to Alice went, history included; the others stay.
        assert_eq!(
            store.list_policy_grants(t.id).await.unwrap(),
            vec![bobs, group_grant]
        );
        assert_eq!(
            store.get_meeting(t.id, &of_bob.id).await.unwrap(),
            Some(of_bob)
        );
        assert!(!store.delete_user(alice.id).await.unwrap());
        // The UPN is free again.
        store
            .create_user(&user(&t, "organizer@leaver.example", 9))
            .await
            .unwrap();
    }

    pub async fn deleting_a_group_takes_its_memberships_and_grants(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (t, alice) = tenant_with_user(store, "disband.example").await;
        let (g, kept) = (group(&t, "Gone", 3), group(&t, "Kept", 3));
        store.create_group(&g).await.unwrap();
        store.create_group(&kept).await.unwrap();
        store.add_group_member(g.id, alice.id).await.unwrap();
        store.add_group_member(kept.id, alice.id).await.unwrap();
        let p = policy(&t, "p", &[], 4);
        store.create_policy(&p).await.unwrap();
        store
            .grant_policy(&grant(&t, GrantTarget::Group { id: g.id, rank: 1 }, &p, 5))
            .await
            .unwrap();
        let kept_grant = grant(
            &t,
            GrantTarget::Group {
                id: kept.id,
                rank: 2,
            },
            &p,
            6,
        );
        store.grant_policy(&kept_grant).await.unwrap();
        let user_grant = grant(&t, GrantTarget::User(alice.id), &p, 7);
        store.grant_policy(&user_grant).await.unwrap();

        assert!(store.delete_group(g.id).await.unwrap());

        assert_eq!(store.get_group(g.id).await.unwrap(), None);
        assert_eq!(
            store.groups_of_user(alice.id).await.unwrap(),
            vec![kept.clone()]
        );
        assert_eq!(store.get_user(alice.id).await.unwrap(), Some(alice.clone()));
        assert_eq!(
            store.list_policy_grants(t.id).await.unwrap(),
            vec![kept_grant, user_grant]
        );
        assert!(!store.delete_group(g.id).await.unwrap());
    }

    pub async fn deleting_an_app_takes_its_credentials_and_service_principals_and_policies_keep_its_id(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (t, a) = tenant_with_app(store).await;
        let other = tenant_in_dyn(store, "consumer.example").await;
        let b = app(&t, "Kept", 3);
        store.create_app(&b).await.unwrap();
        store.add_secret(&secret(&a, "sec", 4)).await.unwrap();
        let kept_secret = secret(&b, "kep", 4);
        store.add_secret(&kept_secret).await.unwrap();
        store
            .add_certificate(&certificate(&a, "AB", 4))
            .await
            .unwrap();
        for tenant_id in [t.id, other.id] {
            store
                .grant_consent(tenant_id, a.app_id, Uuid::new_v4(), &roles(&["R"]), at(5))
                .await
                .unwrap();
        }
        let kept_sp = store
            .grant_consent(t.id, b.app_id, Uuid::new_v4(), &[], at(5))
            .await
            .unwrap();
        let p = policy(&t, "lists-it", &[a.app_id, b.app_id], 6);
        store.create_policy(&p).await.unwrap();
        assert!(store
            .record_assertion_id(a.app_id, "jti", at(100), at(7))
            .await
            .unwrap());

        assert!(store.delete_app(a.app_id).await.unwrap());

        assert_eq!(store.get_app(a.app_id).await.unwrap(), None);
        assert_eq!(store.list_apps().await.unwrap(), vec![b.clone()]);
        assert_eq!(store.list_secrets(a.app_id).await.unwrap(), vec![]);
        assert_eq!(store.list_certificates(a.app_id).await.unwrap(), vec![]);
        assert_eq!(
            store.get_service_principal(t.id, a.app_id).await.unwrap(),
            None
        );
        assert_eq!(
            store
                .get_service_principal(other.id, a.app_id)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            store.list_service_principals(t.id).await.unwrap(),
            vec![kept_sp]
        );
        assert_eq!(
            store.list_secrets(b.app_id).await.unwrap(),
            vec![kept_secret]
        );
        // Policies list app ids as plain GUIDs: the deleted app's stays listed.
        assert_eq!(
            store
                .get_policy(t.id, "lists-it")
                .await
                .unwrap()
                .unwrap()
                .current_app_ids(),
            vec![a.app_id, b.app_id]
        );
        assert!(!store.delete_app(a.app_id).await.unwrap());
        // Its id can be registered again (a fixed id from a seed, say).
        store.create_app(&a).await.unwrap();
    }

    pub async fn secrets_and_certificates_are_deleted_one_at_a_time(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (t, a) = tenant_with_app(store).await;
        let b = app(&t, "Other", 3);
        store.create_app(&b).await.unwrap();
        let (s1, s2) = (secret(&a, "one", 1), secret(&a, "two", 2));
        let (c1, c2) = (certificate(&a, "C1", 1), certificate(&a, "C2", 2));
        store.add_secret(&s1).await.unwrap();
        store.add_secret(&s2).await.unwrap();
        store.add_certificate(&c1).await.unwrap();
        store.add_certificate(&c2).await.unwrap();
        // Another app's key id deletes nothing.
        assert!(!store.delete_secret(b.app_id, s1.key_id).await.unwrap());
        assert!(!store.delete_certificate(b.app_id, c1.key_id).await.unwrap());
        // A secret's key id is no certificate's.
        assert!(!store.delete_certificate(a.app_id, s1.key_id).await.unwrap());
        assert!(store.delete_secret(a.app_id, s1.key_id).await.unwrap());
        assert!(store.delete_certificate(a.app_id, c2.key_id).await.unwrap());
        assert_eq!(store.list_secrets(a.app_id).await.unwrap(), vec![s2]);
        assert_eq!(store.list_certificates(a.app_id).await.unwrap(), vec![c1]);
        assert!(!store.delete_secret(a.app_id, s1.key_id).await.unwrap());
        assert!(!store.delete_certificate(a.app_id, c2.key_id).await.unwrap());
    }

    pub async fn reset_empties_every_table_but_the_signing_keys(
        store: &SqlStore,
        db: &TestDatabase,
    ) {
        use sqlx::{Connection, Row};

        {
            let store: &dyn Store = store;
            let (t, alice) = tenant_with_user(store, "reset.example").await;
            let g = group(&t, "G", 3);
            store.create_group(&g).await.unwrap();
            store.add_group_member(g.id, alice.id).await.unwrap();
            let a = app(&t, "A", 3);
            store.create_app(&a).await.unwrap();
            store.add_secret(&secret(&a, "sec", 4)).await.unwrap();
            store
                .add_certificate(&certificate(&a, "CC", 4))
                .await
                .unwrap();
            store
                .grant_consent(t.id, a.app_id, Uuid::new_v4(), &roles(&["R"]), at(5))
                .await
                .unwrap();
            let p = policy(&t, "p", &[a.app_id], 6);
            store.create_policy(&p).await.unwrap();
            store
                .grant_policy(&grant(&t, GrantTarget::User(alice.id), &p, 7))
                .await
                .unwrap();
            store
                .insert_meeting(&meeting(&alice, 1, Some("m")))
                .await
                .unwrap();
            store
                .record_assertion_id(a.app_id, "jti", at(100), at(8))
                .await
                .unwrap();
            store
                .rotate_signing_key(&signing_key("k1", 1))
                .await
                .unwrap();
            store
                .append_audit(&graphmeet_core::AuditEntry {
                    at: at(9),
                    request_id: "r".into(),
                    tenant_id: Some(t.id),
                    app_id: None,
                    user_id: None,
                    operation: "op".into(),
                    decision: graphmeet_core::AuditDecision::Changed,
                    reason: "why".into(),
                })
                .await
                .unwrap();
        }
        let keys = store.list_signing_keys().await.unwrap();

        store.reset().await.unwrap();

        // Every table the migrations made, read from the catalog, so a new table is covered.
        let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
        let catalog = match db.backend() {
            Backend::Sqlite => {
                "SELECT name AS t FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%'"
            }
            Backend::Postgres => {
                "SELECT CAST(table_name AS TEXT) AS t FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            }
        };
        let tables: Vec<String> = sqlx::query(catalog)
            .fetch_all(&mut conn)
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<String, _>("t").unwrap())
            .collect();
        assert!(tables.len() >= 17, "{tables:?}");
        for table in &tables {
            let row = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
                .fetch_one(&mut conn)
                .await
                .unwrap();
            let n: i64 = row.try_get("n").unwrap();
            match table.as_str() {
                "signing_keys" => assert_eq!(n, 1, "{table}"),
                "_sqlx_migrations" => assert!(n > 0),
                // The change log records the reset itself, for the other instances.
                "directory_changes" => assert!(n > 0),
                _ => assert_eq!(n, 0, "{table} still has rows after reset"),
            }
        }
        conn.close().await.unwrap();
        assert_eq!(store.list_signing_keys().await.unwrap(), keys);
        assert_eq!(store.list_tenants().await.unwrap(), vec![]);
        // The emptied store takes the same objects again.
        let store: &dyn Store = store;
        tenant_with_user(store, "reset.example").await;
    }

    // ---- batched writes -----------------------------------------------------------------------

    fn outcome_kind(r: &Result<MeetingInserted, StoreError>) -> String {
        match r {
            Ok(MeetingInserted::Created) => "created".to_owned(),
            Ok(MeetingInserted::Existing(m)) => format!("existing {}", m.id),
            Err(StoreError::Conflict(text)) => format!("conflict: {text}"),
            Err(StoreError::NotFound(what)) => format!("not found: {what}"),
            Err(e) => format!("error: {e}"),
        }
    }

    pub async fn a_meeting_batch_stores_every_meeting_but_those_that_cannot_be_stored(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (t, u) = tenant_with_user(store, "batch.example").await;
        let before = meeting(&u, 1, None);
        store.insert_meeting(&before).await.unwrap();
        let ghost = User {
            id: Uuid::new_v4(),
            ..u.clone()
        };
        let first = meeting(&u, 2, None);
        let taken_id = StoredMeeting {
            id: before.id.clone(),
            ..meeting(&u, 3, None)
        };
        let fine = meeting(&u, 4, None);
        // Taken by a meeting earlier in the same batch.
        let taken_in_batch = StoredMeeting {
            thread_id: first.thread_id.clone(),
            ..meeting(&u, 5, None)
        };
        let orphan = meeting(&ghost, 6, None);
        let last = meeting(&u, 7, Some("ext-last"));
        let batch: Vec<MeetingInsert> = [&first, &taken_id, &fine, &taken_in_batch, &orphan, &last]
            .into_iter()
            .map(|m| MeetingInsert::Create(m.clone()))
            .collect();
        let results = store.insert_meetings(&batch).await.unwrap();
        let kinds: Vec<String> = results.iter().map(outcome_kind).collect();
        let [first_r, taken_id_r, fine_r, taken_in_batch_r, orphan_r, last_r]: [_; 6] =
            results.try_into().unwrap();
        for created in [first_r, fine_r, last_r] {
            assert!(matches!(created, Ok(MeetingInserted::Created)), "{kinds:?}");
        }
        assert_conflict_naming(taken_id_r, "meeting id", "taken id in a batch");
        assert_conflict_naming(taken_in_batch_r, "threadId", "taken within the batch");
        assert_not_found(orphan_r, "unknown organizer in a batch");
        for m in [&before, &first, &fine, &last] {
            assert_eq!(
                store.get_meeting(t.id, &m.id).await.unwrap().as_ref(),
                Some(m)
            );
        }
        assert_eq!(
            store
                .find_meeting_by_join_meeting_id(t.id, &taken_in_batch.join_meeting_id)
                .await
                .unwrap(),
            None
        );
        assert_eq!(store.count_meetings(t.id, None).await.unwrap(), 4);
    }

    pub async fn a_meeting_batch_answers_create_or_get_with_the_stored_meeting(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let store: &dyn Store = store;
        let (t, u) = tenant_with_user(store, "batch-cog.example").await;
        let standup = meeting(&u, 1, Some("standup"));
        store.create_or_get_meeting(&standup).await.unwrap();
        let again = meeting(&u, 2, Some("standup"));
        let new_1 = meeting(&u, 3, Some("review"));
        let new_2 = meeting(&u, 4, Some("review"));
        let plain_taken = meeting(&u, 5, Some("standup"));
        let batch = vec![
            MeetingInsert::CreateOrGet(again.clone()),
            MeetingInsert::CreateOrGet(new_1.clone()),
            MeetingInsert::CreateOrGet(new_2.clone()),
            // A plain create of a taken createOrGet key is a conflict, as with insert_meeting.
            MeetingInsert::Create(plain_taken.clone()),
        ];
        let results = store.insert_meetings(&batch).await.unwrap();
        let kinds: Vec<String> = results.iter().map(outcome_kind).collect();
        let [again_r, new_1_r, new_2_r, plain_taken_r]: [_; 4] = results.try_into().unwrap();
        assert_eq!(
            again_r.ok(),
            Some(MeetingInserted::Existing(standup.clone())),
            "{kinds:?}"
        );
        assert_eq!(new_1_r.ok(), Some(MeetingInserted::Created), "{kinds:?}");
        assert_eq!(
            new_2_r.ok(),
            Some(MeetingInserted::Existing(new_1.clone())),
            "the second of one key in a batch gets the first: {kinds:?}"
        );
        assert_conflict_naming(plain_taken_r, "externalId", "plain create");
        for (m, stored) in [
            (&again, false),
            (&new_1, true),
            (&new_2, false),
            (&plain_taken, false),
        ] {
            assert_eq!(
                store.get_meeting(t.id, &m.id).await.unwrap().is_some(),
                stored,
                "{}",
                m.document
            );
        }
        // createOrGet with a fresh key but another key taken absorbs nothing.
        let clash = StoredMeeting {
            join_meeting_id: standup.join_meeting_id.clone(),
            ..meeting(&u, 6, Some("fresh"))
        };
        let mut results = store
            .insert_meetings(&[MeetingInsert::CreateOrGet(clash)])
            .await
            .unwrap();
        assert_conflict_naming(results.remove(0), "joinMeetingId", "createOrGet clash");
    }

    pub async fn concurrent_batches_with_one_create_or_get_key_create_one_meeting(
        store: &SqlStore,
        _db: &TestDatabase,
    ) {
        let (t, u) = tenant_with_user(store, "batch-race.example").await;
        let mut tasks = tokio::task::JoinSet::new();
        for n in 0..16 {
            let store = store.clone();
            let batch = vec![
                MeetingInsert::Create(meeting(&u, 100 + n, None)),
                MeetingInsert::CreateOrGet(meeting(&u, n, Some("race"))),
            ];
            tasks.spawn(async move { store.insert_meetings(&batch).await });
        }
        let mut created = Vec::new();
        let mut existing = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            let results = joined.unwrap().unwrap();
            assert!(matches!(results[0], Ok(MeetingInserted::Created)));
            match &results[1] {
                Ok(MeetingInserted::Created) => created.push(()),
                Ok(MeetingInserted::Existing(m)) => existing.push(m.clone()),
                Err(e) => panic!("createOrGet in a racing batch failed: {e}"),
            }
        }
        assert_eq!(created.len(), 1);
        assert_eq!(existing.len(), 15);
        assert!(existing.iter().all(|m| m == &existing[0]));
        assert_eq!(store.count_meetings(t.id, None).await.unwrap(), 17);
    }

    pub async fn empty_batches_store_nothing(store: &SqlStore, _db: &TestDatabase) {
        use graphmeet_core::model::AuditQuery;
        let store: &dyn Store = store;
        let (t, _) = tenant_with_user(store, "empty-batch.example").await;
        assert!(store.insert_meetings(&[]).await.unwrap().is_empty());
        store.append_audit_batch(&[]).await.unwrap();
        assert_eq!(store.count_meetings(t.id, None).await.unwrap(), 0);
        assert!(store
            .query_audit(&AuditQuery::default())
            .await
            .unwrap()
            .is_empty());
    }

    pub async fn audit_batches_round_trip_in_order(store: &SqlStore, _db: &TestDatabase) {
        use graphmeet_core::model::{AuditDecision, AuditEntry, AuditQuery};
        let store: &dyn Store = store;
        let tenant = Uuid::new_v4();
        // More than one statement's worth, several entries per timestamp (ordered by arrival).
        let entries: Vec<AuditEntry> = (0..150)
            .map(|i| AuditEntry {
                at: at(i / 10),
                request_id: format!("req-{i}"),
                tenant_id: (i % 3 != 0).then_some(tenant),
                app_id: (i % 2 == 0).then(Uuid::new_v4),
                user_id: None,
                operation: format!("Op{i}"),
                decision: [
                    AuditDecision::Allowed,
                    AuditDecision::Denied,
                    AuditDecision::Changed,
                ][usize::try_from(i % 3).unwrap()],
                reason: format!("reason {i} with 'quotes' and $1"),
            })
            .collect();
        store.append_audit_batch(&entries[..100]).await.unwrap();
        store.append_audit_batch(&entries[100..]).await.unwrap();
        let mut back = store
            .query_audit(&AuditQuery {
                limit: 1000,
                ..AuditQuery::default()
            })
            .await
            .unwrap();
        back.reverse();
        assert_eq!(back, entries);
        let of_tenant = store
            .query_audit(&AuditQuery {
                tenant_id: Some(tenant),
                limit: 1000,
                ..AuditQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(of_tenant.len(), 100);
    }
}
