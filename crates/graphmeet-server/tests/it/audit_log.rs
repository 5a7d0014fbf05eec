//! The audit log as a user sees it: every decision about an identified caller is kept, even
//! when the server stops right after; refusals of unverifiable tokens are sampled, not written
//! one row each.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use graphmeet_core::audit::sampled_count;
use graphmeet_core::{AuditDecision, AuditEntry, AuditQuery, Store};
use graphmeet_store::{SqlStore, TestDatabase};
use graphmeet_testkit::*;
use reqwest::Method;
use serde_json::json;
use std::collections::HashSet;
use std::time::Instant;

/// The database a test server of [`databases`] runs on.
fn database_url(t: &TestServer, db: &Option<TestDatabase>) -> String {
    match db {
        Some(db) => db.url.clone(),
        None => format!("sqlite://{}", t.dir.path().join("graphmeet.db").display()),
    }
}

/// Every audit entry in the database, read after the server stopped.
async fn stored_entries(url: &str) -> Vec<AuditEntry> {
    let store = SqlStore::connect(url).await.unwrap();
    let entries = store
        .query_audit(&AuditQuery {
            limit: 10_000,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    store.close().await;
    entries
}

/// What the audit log calls a bearer token that is not a JWT.
const COMPACT_TOKEN: &str = "denied: malformed token";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_calls_with_a_garbage_token_add_a_few_sampled_rows() {
    for (name, db) in databases().await {
        eprintln!("running on {name}");
        let t = TestServer::start_on(db.as_ref().map(|d| d.url.clone())).await;
        let url = database_url(&t, &db);
        let uid = t.cred("user_id");
        let started = Instant::now();
        let mut calls = tokio::task::JoinSet::new();
        for worker in 0..8 {
            let http = t.http.clone();
            let path = t.url(&format!("/v1.0/users/{uid}/onlineMeetings"));
            calls.spawn(async move {
                for i in 0..25 {
                    let r = http
                        .post(&path)
                        .header("authorization", "Bearer x")
                        .json(&json!({"subject": format!("{worker}-{i}")}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), 401);
                }
            });
        }
        while let Some(done) = calls.join_next().await {
            done.unwrap();
        }
        let elapsed = started.elapsed().as_secs();

        let (status, denied) = t
            .admin(Method::GET, "/admin/audit?decision=denied&limit=1000", None)
            .await;
        assert_eq!(status, 200, "{denied}");
        let rows: Vec<&serde_json::Value> = denied
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["reason"].as_str().unwrap().contains(COMPACT_TOKEN))
            .collect();
        // One row at the first refusal, then at most one per second.
        assert!(!rows.is_empty(), "the first refusal is written at once");
        assert!(
            rows.len() as u64 <= 2 + elapsed,
            "{} rows for 200 refusals in {elapsed} s: {rows:?}",
            rows.len()
        );
        for row in &rows {
            assert!(
                row["tenant_id"].is_null() && row["app_id"].is_null(),
                "{row}"
            );
            assert_eq!(row["operation"], "CreateMeeting");
        }
        let counted: u64 = rows
            .iter()
            .map(|r| sampled_count(r["reason"].as_str().unwrap()).unwrap())
            .sum();
        assert!((1..=200).contains(&counted), "{counted}");

        // A graceful shutdown writes the counts not yet written: together they say 200.
        t.server.shutdown().await;
        let rows: Vec<AuditEntry> = stored_entries(&url)
            .await
            .into_iter()
            .filter(|e| e.reason.contains(COMPACT_TOKEN))
            .collect();
        assert!(rows.len() as u64 <= 3 + elapsed, "{rows:?}");
        let counted: u64 = rows.iter().map(|e| sampled_count(&e.reason).unwrap()).sum();
        assert_eq!(counted, 200, "{rows:?}");
        if let Some(db) = db {
            db.cleanup().await.unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_decision_after_a_valid_token_is_kept_through_a_graceful_shutdown() {
    const EACH: usize = 30;
    for (name, db) in databases().await {
        eprintln!("running on {name}");
        let t = TestServer::start_on(db.as_ref().map(|d| d.url.clone())).await;
        let url = database_url(&t, &db);
        let token = t.app_token().await;
        let (tid, uid) = (t.cred("tenant_id"), t.cred("user_id"));
        // A user no access policy covers: app-only calls for them are denied.
        let (status, bob) = t
            .admin(
                Method::POST,
                "/admin/users",
                Some(json!({"tenant": tid, "upn": "bob@graphmeetdev.onmicrosoft.com"})),
            )
            .await;
        assert_eq!(status, 201, "{bob}");
        let bob_id = bob["id"].as_str().unwrap().to_owned();
        let ghost = uuid::Uuid::new_v4().to_string();

        let t = std::sync::Arc::new(t);
        let mut calls = tokio::task::JoinSet::new();
        for i in 0..EACH {
            for (user, expected) in [(&uid, 201), (&bob_id, 403), (&ghost, 404)] {
                let t = t.clone();
                let token = token.clone();
                let path = format!("/v1.0/users/{user}/onlineMeetings");
                calls.spawn(async move {
                    let (status, headers, body) = t
                        .graph(
                            Some(&token),
                            Method::POST,
                            &path,
                            Some(json!({"subject": format!("kept {i}")})),
                        )
                        .await;
                    assert_eq!(status, expected, "{body}");
                    let id = headers["request-id"].to_str().unwrap().to_owned();
                    (id, status == 201)
                });
            }
        }
        let mut allowed = HashSet::new();
        let mut denied = HashSet::new();
        while let Some(done) = calls.join_next().await {
            let (request_id, ok) = done.unwrap();
            if ok {
                allowed.insert(request_id);
            } else {
                denied.insert(request_id);
            }
        }
        assert_eq!((allowed.len(), denied.len()), (EACH, 2 * EACH));

        // Stop at once: whatever is still queued must be written by the shutdown.
        let t = std::sync::Arc::into_inner(t).unwrap();
        t.server.shutdown().await;
        let entries = stored_entries(&url).await;
        let with = |decision: AuditDecision| -> Vec<&AuditEntry> {
            entries.iter().filter(|e| e.decision == decision).collect()
        };
        let allowed_rows: HashSet<String> = with(AuditDecision::Allowed)
            .iter()
            .map(|e| e.request_id.clone())
            .collect();
        let denied_rows: Vec<&AuditEntry> = with(AuditDecision::Denied);
        assert_eq!(allowed_rows, allowed);
        assert_eq!(denied_rows.len(), 2 * EACH);
        assert_eq!(
            denied_rows
                .iter()
                .map(|e| e.request_id.clone())
                .collect::<HashSet<_>>(),
            denied
        );
        assert!(denied_rows
            .iter()
            .all(|e| e.tenant_id.map(|t| t.to_string()) == Some(tid.clone())));
        if let Some(db) = db {
            db.cleanup().await.unwrap();
        }
    }
}

#[tokio::test]
async fn the_request_inspector_shows_what_each_call_sent_and_got_with_secrets_redacted() {
    let t = TestServer::start().await;
    let token = t.app_token().await;
    let user = t.cred("user_id");
    let (status, _, _) = t
        .graph(
            Some(&token),
            reqwest::Method::POST,
            &format!("/v1.0/users/{user}/onlineMeetings"),
            Some(serde_json::json!({"subject": "inspected"})),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _, _) = t
        .graph(
            Some("x"),
            reqwest::Method::GET,
            &format!("/v1.0/users/{user}/onlineMeetings?$filter=JoinWebUrl%20eq%20'x'&client_secret=hunter2"),
            None,
        )
        .await;
    assert_eq!(status, 401);

    let (status, graph) = t
        .admin(reqwest::Method::GET, "/admin/requests?surface=graph", None)
        .await;
    assert_eq!(status, 200, "{graph}");
    let graph = graph.as_array().unwrap();
    assert_eq!(graph.len(), 2, "{graph:?}");
    let created = &graph[0];
    assert_eq!(created["method"], "POST");
    assert_eq!(created["status"], 201);
    assert_eq!(created["operation"], "CreateMeeting");
    assert_eq!(created["tenant"], t.cred("tenant_id"));
    assert_eq!(created["app"], t.cred("client_id"));
    assert!(
        created["decision"].as_str().unwrap().starts_with("allowed"),
        "{created}"
    );
    assert!(created["latency_ms"].as_f64().unwrap() >= 0.0);
    let refused = &graph[1];
    assert_eq!(refused["status"], 401);
    assert_eq!(refused["decision"], "denied: malformed token", "{refused}");
    let path = refused["path"].as_str().unwrap();
    assert!(
        path.contains("client_secret=REDACTED") && !path.contains("hunter2"),
        "{path}"
    );
    assert!(graph[1]["seq"].as_u64() > graph[0]["seq"].as_u64());

    let (_, entra) = t
        .admin(reqwest::Method::GET, "/admin/requests?surface=entra", None)
        .await;
    let token_call = entra.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        token_call["operation"], "token:client_credentials",
        "{token_call}"
    );
    assert_eq!(token_call["app"], t.cred("client_id"));

    // `after` resumes; a bad surface is refused; the admin key is needed.
    let after = graph[1]["seq"].as_u64().unwrap();
    let (_, none) = t
        .admin(
            reqwest::Method::GET,
            &format!("/admin/requests?surface=graph&after={after}"),
            None,
        )
        .await;
    assert_eq!(none, serde_json::json!([]));
    let (status, _) = t
        .admin(reqwest::Method::GET, "/admin/requests?surface=mail", None)
        .await;
    assert_eq!(status, 400);
    let r = t.http.get(t.url("/admin/requests")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    t.server.shutdown().await;
}
