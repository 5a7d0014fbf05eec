//! Two servers on one database: what an admin changes through one is honoured by the other
//! within a second, without either restarting (the directory index follows the change log,
//! woken by PostgreSQL notifications, and polling on SQLite).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use graphmeet_testkit::*;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// How long a change made on one instance may take to reach the other.
const WITHIN: Duration = Duration::from_secs(1);

struct Pair {
    a: TestServer,
    b: TestServer,
    token: String,
    tenant: String,
}

impl Pair {
    /// A bootstraps the database; B starts on it afterwards with a data directory of its own
    /// and A's key-encryption key (as an operator gives every instance).
    async fn start(database_url: String) -> Self {
        let a = TestServer::start_on(Some(database_url.clone())).await;
        let kek =
            std::fs::read_to_string(a.dir.path().join(graphmeet_server::KEY_ENCRYPTION_KEY_FILE))
                .unwrap();
        let b = TestServer::start_with(tempfile::tempdir().unwrap(), |c| {
            c.database_url = Some(database_url);
            c.key_encryption_key = Some(kek);
        })
        .await;
        assert!(b.server.dev_credentials.is_none(), "B must not bootstrap");
        let token = a.app_token().await;
        let tenant = a.cred("tenant_id");
        Self {
            a,
            b,
            token,
            tenant,
        }
    }

    async fn admin_a(&self, method: Method, path: &str, body: Value) -> Value {
        let (status, out) = self.a.admin(method, path, Some(body)).await;
        assert!((200..300).contains(&status), "{path}: {status} {out}");
        out
    }

    /// The status of a create on B for `user`.
    async fn create_on_b(&self, token: &str, user: &str) -> u16 {
        self.b
            .graph(
                Some(token),
                Method::POST,
                &format!("/v1.0/users/{user}/onlineMeetings"),
                Some(json!({"subject": "across instances"})),
            )
            .await
            .0
    }

    /// Waits until B answers `want` for a create for `user`; returns how long it took.
    async fn until_b(&self, token: &str, user: &str, want: u16, what: &str) -> Duration {
        let started = Instant::now();
        loop {
            let got = self.create_on_b(token, user).await;
            if got == want {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < WITHIN,
                "{what}: B still answers {got} after {:?}, want {want}",
                started.elapsed()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn changes_made_on_one_instance_reach_the_other(database_url: String, backend: &str) {
    let p = Pair::start(database_url).await;
    let organizer = p.a.cred("user_id");
    // B serves what A bootstrapped, with A's token (the signing keys are shared).
    assert_eq!(p.create_on_b(&p.token, &organizer).await, 201, "{backend}");

    // A user made on A, with no grant: B finds it (403, not 404), then the grant applies.
    let user = p
        .admin_a(
            Method::POST,
            "/admin/users",
            json!({"tenant": p.tenant, "upn": "across@graphmeetdev.onmicrosoft.com"}),
        )
        .await;
    let user_id = user["id"].as_str().unwrap().to_owned();
    p.until_b(&p.token, &user_id, 403, "new user").await;
    p.admin_a(
        Method::POST,
        "/admin/policy-grants",
        json!({"policy_name": "graphmeet-dev-meetings", "user": user_id}),
    )
    .await;
    let took = p.until_b(&p.token, &user_id, 201, "grant").await;
    eprintln!("{backend}: a grant reached the other instance in {took:?}");

    // The revocation.
    p.admin_a(
        Method::POST,
        "/admin/policy-grants",
        json!({"policy_name": null, "user": user_id}),
    )
    .await;
    let took = p.until_b(&p.token, &user_id, 403, "revocation").await;
    eprintln!("{backend}: a revocation reached the other instance in {took:?}");

    // A group grant, then membership changes.
    let group = p
        .admin_a(
            Method::POST,
            "/admin/groups",
            json!({"tenant": p.tenant, "display_name": "across"}),
        )
        .await;
    let group_id = group["id"].as_str().unwrap().to_owned();
    p.admin_a(
        Method::POST,
        "/admin/policy-grants",
        json!({"policy_name": "graphmeet-dev-meetings", "group": group_id, "rank": 1}),
    )
    .await;
    assert_eq!(p.create_on_b(&p.token, &user_id).await, 403, "{backend}");
    p.admin_a(
        Method::POST,
        &format!("/admin/groups/{group_id}/members"),
        json!({"user_id": user_id}),
    )
    .await;
    let took = p.until_b(&p.token, &user_id, 201, "membership added").await;
    eprintln!("{backend}: a new membership reached the other instance in {took:?}");
    let (status, body) =
        p.a.admin(
            Method::DELETE,
            &format!("/admin/groups/{group_id}/members/{user_id}"),
            None,
        )
        .await;
    assert!((200..300).contains(&status), "{status} {body}");
    p.until_b(&p.token, &user_id, 403, "membership removed")
        .await;

    // A key rotated on A: B publishes the new key, and accepts tokens it signs, without
    // having to see such a token first.
    let rotated = p
        .admin_a(Method::POST, "/admin/keys/rotate", json!({}))
        .await;
    let kid = rotated["kid"].as_str().unwrap().to_owned();
    let started = Instant::now();
    loop {
        let keys: Value =
            p.b.http
                .get(p.b.url(&format!("/{}/discovery/v2.0/keys", p.tenant)))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
        let published: Vec<&str> = keys["keys"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|k| k["kid"].as_str())
            .collect();
        if published.contains(&kid.as_str()) {
            break;
        }
        assert!(
            started.elapsed() < WITHIN,
            "{backend}: B does not publish the key rotated on A after {:?}",
            started.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!(
        "{backend}: a rotated key was published by the other instance in {:?}",
        started.elapsed()
    );
    let token = p.a.app_token().await;
    let header: Value = serde_json::from_slice(
        &graphmeet_wire::b64::url_decode_lenient(token.split('.').next().unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(header["kid"].as_str(), Some(kid.as_str()));
    assert_eq!(p.create_on_b(&token, &organizer).await, 201, "{backend}");

    p.b.server.shutdown().await;
    p.a.server.shutdown().await;
}

/// A get renders a meeting once and reuses the rendering while the row's revision stands: a
/// PATCH or DELETE made through the other instance must show in the next get all the same.
async fn meetings_changed_on_one_instance_read_changed_on_the_other(
    database_url: String,
    backend: &str,
) {
    let p = Pair::start(database_url).await;
    let organizer = p.a.cred("user_id");
    let base = format!("/v1.0/users/{organizer}/onlineMeetings");
    let (status, _, created) =
        p.a.graph(
            Some(&p.token),
            Method::POST,
            &base,
            Some(json!({"subject": "before"})),
        )
        .await;
    assert_eq!(status, 201, "{backend}: {created}");
    let path = format!("{base}/{}", created["id"].as_str().unwrap());
    let beta = path.replacen("/v1.0/", "/beta/", 1);
    // Rendered (and kept) by A, in both versions, twice each.
    for _ in 0..2 {
        for path in [&path, &beta] {
            let (status, _, got) = p.a.graph(Some(&p.token), Method::GET, path, None).await;
            assert_eq!(status, 200, "{backend}: {got}");
            assert_eq!(got["subject"], "before", "{backend}");
        }
    }
    let (status, _, patched) =
        p.b.graph(
            Some(&p.token),
            Method::PATCH,
            &path,
            Some(json!({"subject": "after"})),
        )
        .await;
    assert_eq!(status, 200, "{backend}: {patched}");
    for path in [&path, &beta] {
        let (status, _, got) = p.a.graph(Some(&p.token), Method::GET, path, None).await;
        assert_eq!(status, 200, "{backend}: {got}");
        assert_eq!(got["subject"], "after", "{backend}: {path}");
    }
    // What B stored, property by property (the context names each instance's own address).
    let (_, _, mut got) = p.a.graph(Some(&p.token), Method::GET, &path, None).await;
    let mut patched = patched;
    for body in [&mut got, &mut patched] {
        body.as_object_mut().unwrap().remove("@odata.context");
    }
    assert_eq!(got, patched, "{backend}: the get renders what B stored");
    // A second change, to a revision A has not seen either.
    let (status, _, _) =
        p.b.graph(
            Some(&p.token),
            Method::PATCH,
            &path,
            Some(json!({"subject": "again"})),
        )
        .await;
    assert_eq!(status, 200, "{backend}");
    let (_, _, got) = p.a.graph(Some(&p.token), Method::GET, &beta, None).await;
    assert_eq!(got["subject"], "again", "{backend}");
    let (status, _, _) = p.b.graph(Some(&p.token), Method::DELETE, &path, None).await;
    assert_eq!(status, 204, "{backend}");
    for path in [&path, &beta] {
        let (status, _, got) = p.a.graph(Some(&p.token), Method::GET, path, None).await;
        assert_eq!(status, 404, "{backend}: {got}");
    }
    p.b.server.shutdown().await;
    p.a.server.shutdown().await;
}

#[tokio::test]
async fn meeting_changes_reach_another_instance_on_postgres() {
    let Some(db) = graphmeet_store::TestDatabase::postgres().await else {
        eprintln!("GRAPHMEET_TEST_POSTGRES_URL is not set: the PostgreSQL run is skipped");
        return;
    };
    meetings_changed_on_one_instance_read_changed_on_the_other(db.url.clone(), "postgres").await;
    db.cleanup().await.unwrap();
}

#[tokio::test]
async fn meeting_changes_reach_another_instance_on_one_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("shared.db").display());
    meetings_changed_on_one_instance_read_changed_on_the_other(url, "sqlite").await;
}

#[tokio::test]
async fn changes_reach_another_instance_on_postgres() {
    let Some(db) = graphmeet_store::TestDatabase::postgres().await else {
        eprintln!("GRAPHMEET_TEST_POSTGRES_URL is not set: the PostgreSQL run is skipped");
        return;
    };
    changes_made_on_one_instance_reach_the_other(db.url.clone(), "postgres").await;
    db.cleanup().await.unwrap();
}

#[tokio::test]
async fn changes_reach_another_instance_on_one_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("shared.db").display());
    changes_made_on_one_instance_reach_the_other(url, "sqlite").await;
}
