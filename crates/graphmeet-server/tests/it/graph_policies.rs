//! Application access policies as Graph enforces them, through HTTP, on SQLite and PostgreSQL:
//! one test per rule, and the concept doc's four-row table.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use graphmeet_testkit::*;
use reqwest::Method;
use serde_json::{json, Value};

/// Two apps (both consented for OnlineMeetings.ReadWrite.All) and two users of the dev tenant.
struct World {
    t: TestServer,
    app1: String,
    app2: String,
    token1: String,
    token2: String,
    user1: String,
    user2: String,
}

impl World {
    async fn new(t: TestServer) -> Self {
        let tid = t.cred("tenant_id");
        let (_, app2) = t
            .admin(
                Method::POST,
                "/admin/apps",
                Some(json!({"tenant": tid, "display_name": "second app"})),
            )
            .await;
        let app2_id = app2["app_id"].as_str().unwrap().to_owned();
        let (_, secret) = t
            .admin(
                Method::POST,
                &format!("/admin/apps/{app2_id}/secrets"),
                Some(json!({})),
            )
            .await;
        let (status, _) = t.admin(Method::POST, "/admin/consents", Some(json!({"tenant": tid, "app_id": app2_id, "roles": ["OnlineMeetings.ReadWrite.All"]}))).await;
        assert_eq!(status, 200);
        let (_, user2) = t
            .admin(
                Method::POST,
                "/admin/users",
                Some(json!({"tenant": tid, "upn": "second@graphmeetdev.onmicrosoft.com"})),
            )
            .await;
        let (status, _, body) = t
            .token_form(
                &tid,
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", &app2_id),
                    ("client_secret", secret["secret_text"].as_str().unwrap()),
                    ("scope", "https://graph.microsoft.com/.default"),
                ],
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let token2 = body["access_token"].as_str().unwrap().to_owned();
        let token1 = t.app_token().await;
        // Start from no grant at all: the bootstrap's grant to the organizer is revoked.
        let (status, body) = t
            .admin(
                Method::POST,
                "/admin/policy-grants",
                Some(json!({"policy_name": null, "user": t.cred("user_id")})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        Self {
            app1: t.cred("client_id"),
            app2: app2_id,
            token1,
            token2,
            user1: t.cred("user_id"),
            user2: user2["id"].as_str().unwrap().to_owned(),
            t,
        }
    }

    async fn policy(&self, name: &str, apps: &[&str]) {
        let (status, body) = self
            .t
            .admin(
                Method::POST,
                "/admin/policies",
                Some(json!({"identity": name, "app_ids": apps})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }

    async fn grant(&self, body: Value) {
        let (status, out) = self
            .t
            .admin(Method::POST, "/admin/policy-grants", Some(body))
            .await;
        assert_eq!(status, 200, "{out}");
    }

    /// Status of creating a meeting for `user` with `token`, and the denial's headers/body.
    async fn create(&self, token: &str, user: &str) -> (u16, reqwest::header::HeaderMap, Value) {
        self.t
            .graph(
                Some(token),
                Method::POST,
                &format!("/v1.0/users/{user}/onlineMeetings"),
                Some(json!({"subject": "policy check"})),
            )
            .await
    }

    /// Which of (app1,user1), (app1,user2), (app2,user1), (app2,user2) may create meetings.
    async fn matrix(&self) -> [bool; 4] {
        let mut out = [false; 4];
        for (i, (token, user)) in [
            (&self.token1, &self.user1),
            (&self.token1, &self.user2),
            (&self.token2, &self.user1),
            (&self.token2, &self.user2),
        ]
        .into_iter()
        .enumerate()
        {
            let (status, _, body) = self.create(token, user).await;
            assert!(status == 201 || status == 403, "{status} {body}");
            out[i] = status == 201;
        }
        out
    }
}

async fn on_every_backend<F, Fut>(check: F)
where
    F: Fn(World) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    graphmeet_testkit::on_every_backend(|url| async {
        check(World::new(TestServer::start_on(url).await).await).await
    })
    .await;
}

#[tokio::test]
async fn the_concept_docs_four_row_table() {
    // policy_1 = {app_1}, policy_2 = {app_2}, policy_3 = {app_1, app_2}.
    type Row = (&'static str, fn(&World) -> Vec<Value>, [bool; 4]);
    let rows: Vec<Row> = vec![
        (
            "policy_1 to user_1, policy_2 to user_2",
            |w| {
                vec![
                    json!({"policy_name": "policy_1", "user": w.user1}),
                    json!({"policy_name": "policy_2", "user": w.user2}),
                ]
            },
            [true, false, false, true],
        ),
        (
            "policy_1 to both users",
            |w| {
                vec![
                    json!({"policy_name": "policy_1", "user": w.user1}),
                    json!({"policy_name": "policy_1", "user": w.user2}),
                ]
            },
            [true, true, false, false],
        ),
        (
            "policy_3 to user_1, nothing for user_2",
            |w| vec![json!({"policy_name": "policy_3", "user": w.user1})],
            [true, false, true, false],
        ),
        (
            "policy_3 to the whole tenant",
            |_| vec![json!({"policy_name": "policy_3", "global": true})],
            [true, true, true, true],
        ),
    ];
    for (name, grants, expected) in rows {
        on_every_backend(|w| async move {
            w.policy("policy_1", &[&w.app1]).await;
            w.policy("policy_2", &[&w.app2]).await;
            w.policy("policy_3", &[&w.app1, &w.app2]).await;
            for g in grants(&w) {
                w.grant(g).await;
            }
            assert_eq!(
                w.matrix().await,
                expected,
                "{name}: cells are (app1,user1), (app1,user2), (app2,user1), (app2,user2)"
            );
            w.t.server.shutdown().await;
        })
        .await;
    }
}

#[tokio::test]
async fn explicit_grant_without_app_denies_even_with_global_policy() {
    on_every_backend(|w| async move {
        w.policy("everyone", &[&w.app1]).await;
        w.policy("other", &[&w.app2]).await;
        w.grant(json!({"policy_name": "everyone", "global": true}))
            .await;
        w.grant(json!({"policy_name": "other", "user": w.user1}))
            .await;
        let (status, headers, body) = w.create(&w.token1, &w.user1).await;
        assert_eq!(status, 403);
        assert_eq!(body["error"]["code"], "Forbidden");
        assert_eq!(
            body["error"]["message"],
            format!(
                "No application access policy found for this app {} on the user",
                w.app1
            )
        );
        for key in ["date", "request-id", "client-request-id"] {
            assert!(body["error"]["innerError"][key].is_string(), "{body}");
        }
        let reason = headers["x-graphmeet-policy-decision"].to_str().unwrap();
        assert!(
            reason.starts_with("denied:") && reason.contains("'other'"),
            "{reason}"
        );
        // The global grant still serves a user without an explicit one.
        assert_eq!(w.create(&w.token1, &w.user2).await.0, 201);
        w.t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn revocation_falls_back_to_the_global_grant_then_to_nothing() {
    on_every_backend(|w| async move {
        w.policy("mine", &[&w.app1]).await;
        w.policy("all", &[&w.app2]).await;
        w.grant(json!({"policy_name": "mine", "user": w.user1}))
            .await;
        w.grant(json!({"policy_name": "all", "global": true})).await;
        assert_eq!(w.matrix().await, [true, false, false, true]);
        w.grant(json!({"policy_name": null, "user": w.user1})).await;
        assert_eq!(
            w.matrix().await,
            [false, false, true, true],
            "user_1 now falls back to the global grant"
        );
        w.grant(json!({"policy_name": null, "global": true})).await;
        assert_eq!(w.matrix().await, [false, false, false, false]);
        w.t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn among_a_users_groups_the_lowest_rank_wins_and_a_user_grant_beats_groups() {
    on_every_backend(|w| async move {
        let tid = w.t.cred("tenant_id");
        w.policy("for-app1", &[&w.app1]).await;
        w.policy("for-app2", &[&w.app2]).await;
        let mut groups = Vec::new();
        for name in ["first", "second"] {
            let (status, g) =
                w.t.admin(
                    Method::POST,
                    "/admin/groups",
                    Some(json!({"tenant": tid, "display_name": name})),
                )
                .await;
            assert_eq!(status, 201);
            let gid = g["id"].as_str().unwrap().to_owned();
            let (status, _) =
                w.t.admin(
                    Method::POST,
                    &format!("/admin/groups/{gid}/members"),
                    Some(json!({"user_id": w.user2})),
                )
                .await;
            assert_eq!(status, 204);
            groups.push(gid);
        }
        w.grant(json!({"policy_name": "for-app1", "group": groups[0], "rank": 2}))
            .await;
        w.grant(json!({"policy_name": "for-app2", "group": groups[1], "rank": 1}))
            .await;
        assert_eq!(
            w.matrix().await,
            [false, false, false, true],
            "rank 1 (for-app2) wins for user_2"
        );
        w.grant(json!({"policy_name": "for-app1", "group": groups[1], "rank": 1}))
            .await;
        assert_eq!(
            w.matrix().await,
            [false, true, false, false],
            "the group's new grant replaced its old one"
        );
        w.grant(json!({"policy_name": "for-app2", "user": w.user2}))
            .await;
        assert_eq!(
            w.matrix().await,
            [false, false, false, true],
            "the user's own grant beats every group grant"
        );
        let (status, body) =
            w.t.admin(
                Method::DELETE,
                &format!("/admin/groups/{}/members/{}", groups[1], w.user2),
                None,
            )
            .await;
        assert_eq!(status, 204, "{body}");
        w.t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn policy_changes_apply_and_explain_says_why() {
    on_every_backend(|w| async move {
        w.policy("meetings", &[&w.app2]).await;
        w.grant(json!({"policy_name": "meetings", "user": w.user1}))
            .await;
        assert_eq!(w.create(&w.token1, &w.user1).await.0, 403);
        let (status, body) =
            w.t.admin(
                Method::PATCH,
                "/admin/policies/Tag:meetings",
                Some(json!({"add_app_ids": [w.app1]})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["identity"], "Tag:meetings");
        assert_eq!(w.create(&w.token1, &w.user1).await.0, 201);
        let (status, explained) =
            w.t.admin(
                Method::GET,
                &format!(
                    "/admin/policy-explain?app={}&user={}",
                    w.app1,
                    w.t.cred("user_upn")
                ),
                None,
            )
            .await;
        assert_eq!(status, 200, "{explained}");
        assert!(
            explained["reason"]
                .as_str()
                .unwrap()
                .starts_with("allowed:"),
            "{explained}"
        );
        let (status, _) =
            w.t.admin(
                Method::PATCH,
                "/admin/policies/meetings",
                Some(json!({"remove_app_ids": [w.app1]})),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(w.create(&w.token1, &w.user1).await.0, 403);
        let (status, _) =
            w.t.admin(Method::DELETE, "/admin/policies/meetings", None)
                .await;
        assert_eq!(status, 204);
        assert_eq!(
            w.create(&w.token2, &w.user1).await.0,
            403,
            "removing a policy ends its grants"
        );
        let (_, grants) = w.t.admin(Method::GET, "/admin/policy-grants", None).await;
        assert_eq!(grants, json!([]));
        w.t.server.shutdown().await;
    })
    .await;
}

// The organizer's prerequisites: what Teams checks of the account once the policy allows the
// app. Each is a user of its own, granted a policy listing the dev app.

impl World {
    /// A user of the dev tenant with the given account settings, granted a policy that lists
    /// app1.
    async fn organizer(&self, alias: &str, account: Value) -> String {
        let mut body = json!({"tenant": self.t.cred("tenant_id"),
            "upn": format!("{alias}@graphmeetdev.onmicrosoft.com")});
        body.as_object_mut()
            .unwrap()
            .extend(account.as_object().unwrap().clone());
        let (status, user) = self.t.admin(Method::POST, "/admin/users", Some(body)).await;
        assert_eq!(status, 201, "{user}");
        let id = user["id"].as_str().unwrap().to_owned();
        let policy = format!("for-{id}");
        self.policy(&policy, &[&self.app1]).await;
        self.grant(json!({"policy_name": policy, "user": id})).await;
        id
    }

    /// Asserts that creating a meeting for `user` as app1 gets Graph's bare 403, with the
    /// missing prerequisite in graphmeet's decision header and in `policy explain`.
    async fn assert_refused_for(&self, user: &str, missing: &str) {
        let (status, headers, body) = self.create(&self.token1, user).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["error"]["code"], "Forbidden", "{body}");
        assert_eq!(body["error"]["message"], "", "{body}");
        let decision = headers["x-graphmeet-policy-decision"].to_str().unwrap();
        assert!(decision.contains(user), "{decision}");
        let (status, explained) = self
            .t
            .admin(
                Method::GET,
                &format!("/admin/policy-explain?app={}&user={user}", self.app1),
                None,
            )
            .await;
        assert_eq!(status, 200, "{explained}");
        assert_eq!(explained["allowed"], true, "the policy allows: {explained}");
        assert_eq!(explained["meetings_allowed"], false, "{explained}");
        assert_eq!(
            explained["missing_prerequisite"]["kind"], missing,
            "{explained}"
        );
        assert!(
            explained["reason"].as_str().unwrap().contains("but denied"),
            "{explained}"
        );
    }
}

#[tokio::test]
async fn an_organizer_without_a_teams_licence_gets_graphs_bare_403() {
    on_every_backend(|w| async move {
        let user = w
            .organizer("unlicensed", json!({"teams_license": false}))
            .await;
        w.assert_refused_for(&user, "no_teams_license").await;
        // Assigning the licence lets the same call through.
        let (status, body) =
            w.t.admin(
                Method::PATCH,
                &format!("/admin/users/{user}"),
                Some(json!({"teams_license": true})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["teams_license"], true);
        assert_eq!(w.create(&w.token1, &user).await.0, 201);
        w.t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn a_guest_organizer_gets_graphs_bare_403() {
    on_every_backend(|w| async move {
        let user = w
            .organizer(
                "guest_fabrikam.com#ext#",
                json!({"user_type": "Guest", "mail": "guest@fabrikam.com"}),
            )
            .await;
        w.assert_refused_for(&user, "guest").await;
        w.t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn a_disabled_organizer_gets_graphs_bare_403_even_for_reads() {
    on_every_backend(|w| async move {
        let user = w.organizer("leaver", json!({})).await;
        let (status, _, meeting) = w.create(&w.token1, &user).await;
        assert_eq!(status, 201, "{meeting}");
        let (status, body) =
            w.t.admin(
                Method::PATCH,
                &format!("/admin/users/{user}"),
                Some(json!({"account_enabled": false})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        w.assert_refused_for(&user, "account_disabled").await;
        let (status, _, body) =
            w.t.graph(
                Some(&w.token1),
                Method::GET,
                &format!(
                    "/v1.0/users/{user}/onlineMeetings/{}",
                    meeting["id"].as_str().unwrap()
                ),
                None,
            )
            .await;
        assert_eq!(
            (status, &body["error"]["code"]),
            (403, &json!("Forbidden")),
            "{body}"
        );
        w.t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn without_audio_conferencing_a_meeting_has_no_dial_in_details() {
    on_every_backend(|w| async move {
        let without = w
            .organizer("nodialin", json!({"audio_conferencing": false}))
            .await;
        let with = w.organizer("dialin", json!({})).await;
        let (status, _, meeting) = w.create(&w.token1, &without).await;
        assert_eq!(status, 201, "{meeting}");
        assert!(meeting["audioConferencing"].is_null(), "{meeting}");
        let (status, _, meeting) = w.create(&w.token1, &with).await;
        assert_eq!(status, 201, "{meeting}");
        assert!(
            meeting["audioConferencing"]["conferenceId"].is_string(),
            "{meeting}"
        );
        w.t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn account_settings_are_checked_and_shown() {
    on_every_backend(|w| async move {
        let tid = w.t.cred("tenant_id");
        let (status, body) =
            w.t.admin(
                Method::POST,
                "/admin/users",
                Some(
                    json!({"tenant": tid, "upn": "x@graphmeetdev.onmicrosoft.com",
                    "user_type": "Visitor"}),
                ),
            )
            .await;
        assert_eq!(status, 400, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("Visitor"),
            "{body}"
        );
        let (status, body) =
            w.t.admin(
                Method::PATCH,
                &format!("/admin/users/{}", w.user2),
                Some(json!({"mail": "not an address"})),
            )
            .await;
        assert_eq!(status, 400, "{body}");
        let (status, body) =
            w.t.admin(
                Method::PATCH,
                &format!("/admin/users/{}", w.user2),
                Some(json!({"licence": true})),
            )
            .await;
        assert_eq!(status, 422, "an unknown setting is refused: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("licence"),
            "{body}"
        );
        let (status, body) =
            w.t.admin(Method::GET, &format!("/admin/tenants/{tid}/users"), None)
                .await;
        assert_eq!(status, 200);
        let second = body
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == json!(w.user2))
            .unwrap();
        assert_eq!(
            (
                &second["account_enabled"],
                &second["user_type"],
                &second["teams_license"],
                &second["audio_conferencing"],
                &second["mail"]
            ),
            (
                &json!(true),
                &json!("Member"),
                &json!(true),
                &json!(true),
                &json!("second@graphmeetdev.onmicrosoft.com")
            ),
            "a new user's defaults: {second}"
        );
        w.t.server.shutdown().await;
    })
    .await;
}
