#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `graphmeet policy …` and `graphmeet group …` against a real bootstrapped server: the Teams
//! application-access-policy cmdlets as a user types them.

use crate::{cli, creds, graphmeet, start_bare_server, start_server};
use graphmeet_server::RunningServer;
use graphmeet_testkit::cli::{fails, field, json, ok};
use std::path::Path;
use std::process::Output;

use serde_json::Value;

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

const OTHER_APP: &str = "0a1b2c3d-0000-4000-8000-00000000000c";

/// A bootstrapped server and its dev credentials: the dev app, the organizer (who holds the
/// grant of `graphmeet-dev-meetings`) and the tenant's domain.
struct Dev {
    server: RunningServer,
    dir: tempfile::TempDir,
    creds: Value,
    dev_app: String,
    organizer: String,
    domain: String,
}

/// What [`Dev::granted`] made: a second app, Bob and the group `bots` holding him.
struct Granted {
    second: String,
    bob_upn: String,
    bob_id: String,
    group_id: String,
}

impl Dev {
    async fn start() -> Dev {
        let (server, dir) = start_server().await;
        let creds = creds(dir.path());
        let text = |key: &str| creds[key].as_str().unwrap().to_owned();
        Dev {
            dev_app: text("client_id"),
            organizer: text("user_id"),
            domain: text("tenant_domain"),
            creds,
            server,
            dir,
        }
    }

    fn data(&self) -> &Path {
        self.dir.path()
    }

    async fn run(&self, args: &[&str]) -> Output {
        graphmeet(self.data(), args).await
    }

    /// A second app, so a policy can list or not list the dev app; returns its id.
    async fn second_app(&self) -> String {
        let app = json(
            &self
                .run(&[
                    "app",
                    "create",
                    "--tenant",
                    &self.domain,
                    "--name",
                    "second",
                    "--output",
                    "json",
                ])
                .await,
        );
        app["app_id"].as_str().unwrap().to_owned()
    }

    /// `policy new` of Tag:Meetings for `app_ids`; returns what it printed.
    async fn new_meetings(&self, app_ids: &str) -> String {
        ok(&self
            .run(&[
                "policy",
                "new",
                "--identity",
                "Tag:Meetings",
                "--app-ids",
                app_ids,
                "--description",
                "meeting bots",
            ])
            .await)
    }

    /// `policy set` of Tag:Meetings with `args`, as JSON.
    async fn set_meetings(&self, args: &[&str]) -> Value {
        let mut all = vec![
            "policy",
            "set",
            "--identity",
            "Tag:Meetings",
            "--output",
            "json",
        ];
        all.extend(args);
        json(&self.run(&all).await)
    }

    fn bob_upn(&self) -> String {
        format!("bob@{}", self.domain)
    }

    /// Bob, with a password from GRAPHMEET_USER_PASSWORD; returns his id.
    async fn create_bob(&self) -> String {
        let bob = json(
            &cli(self.data())
                .run_with_env(
                    &[("GRAPHMEET_USER_PASSWORD", "correct horse battery")],
                    &[
                        "user",
                        "create",
                        "--tenant",
                        &self.domain,
                        "--upn",
                        &self.bob_upn(),
                        "--output",
                        "json",
                    ],
                )
                .await,
        );
        bob["id"].as_str().unwrap().to_owned()
    }

    /// The group `bots`, as JSON.
    async fn create_bots(&self) -> Value {
        json(
            &self
                .run(&[
                    "group",
                    "create",
                    "--tenant",
                    &self.domain,
                    "--name",
                    "bots",
                    "--output",
                    "json",
                ])
                .await,
        )
    }

    /// `group add-member` or `group remove-member` (`verb`) of `user` in `group`.
    async fn membership(&self, verb: &str, group: &str, user: &str) -> Output {
        self.run(&["group", verb, "--group", group, "--user", user])
            .await
    }

    async fn grant_bob(&self) -> Value {
        json(
            &self
                .run(&[
                    "policy",
                    "grant",
                    "--policy-name",
                    "Meetings",
                    "--identity",
                    &self.bob_upn(),
                    "--output",
                    "json",
                ])
                .await,
        )
    }

    async fn grant_group(&self, group_id: &str) -> Value {
        json(
            &self
                .run(&[
                    "policy",
                    "grant",
                    "--policy-name",
                    "graphmeet-dev-meetings",
                    "--group",
                    group_id,
                    "--rank",
                    "2",
                    "--output",
                    "json",
                ])
                .await,
        )
    }

    async fn grant_global(&self) -> String {
        ok(&self
            .run(&[
                "policy",
                "grant",
                "--policy-name",
                "Tag:Meetings",
                "--global",
                "--tenant",
                &self.domain,
            ])
            .await)
    }

    /// Tag:Meetings listing only a second app, granted to Bob (by UPN), the dev policy granted
    /// to `bots` (rank 2, Bob a member) and Tag:Meetings granted to the whole tenant.
    async fn granted(&self) -> Granted {
        let second = self.second_app().await;
        self.new_meetings(&second).await;
        let bob_id = self.create_bob().await;
        let group_id = self.create_bots().await["id"].as_str().unwrap().to_owned();
        ok(&self.membership("add-member", &group_id, &bob_id).await);
        self.grant_bob().await;
        self.grant_group(&group_id).await;
        self.grant_global().await;
        Granted {
            second,
            bob_upn: self.bob_upn(),
            bob_id,
            group_id,
        }
    }

    /// `policy explain` of the dev app for `user`, as text.
    async fn explain(&self, user: &str) -> String {
        ok(&self
            .run(&["policy", "explain", "--app", &self.dev_app, "--user", user])
            .await)
    }

    /// `policy explain` of the dev app for `user`, as JSON.
    async fn explain_json(&self, user: &str) -> Value {
        json(
            &self
                .run(&[
                    "policy",
                    "explain",
                    "--app",
                    &self.dev_app,
                    "--user",
                    user,
                    "--output",
                    "json",
                ])
                .await,
        )
    }

    async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_new_prints_powershells_list_layout_with_guids_canonicalised() {
    let dev = Dev::start().await;
    let second = dev.second_app().await;
    let out = dev
        .new_meetings(&format!("{},{}", dev.dev_app, second.to_ascii_uppercase()))
        .await;
    let dev_app = &dev.dev_app;
    assert_eq!(
        out,
        format!(
            "Identity    : Tag:Meetings\nAppIds      : {{{dev_app}, {second}}}\nDescription : meeting bots\n"
        )
    );
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_get_prints_every_policy_in_a_block_of_its_own() {
    let dev = Dev::start().await;
    dev.new_meetings(&dev.dev_app).await;
    let all = ok(&dev.run(&["policy", "get"]).await);
    let blocks: Vec<&str> = all.split("\n\n").collect();
    assert_eq!(blocks.len(), 2, "{all}");
    assert!(
        all.contains("Identity    : Tag:graphmeet-dev-meetings\n"),
        "{all}"
    );
    assert!(all.contains("Identity    : Tag:Meetings\n"), "{all}");
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_get_of_one_identity_prints_it_as_json() {
    let dev = Dev::start().await;
    let second = dev.second_app().await;
    dev.new_meetings(&format!("{},{second}", dev.dev_app)).await;
    let one = json(
        &dev.run(&[
            "policy",
            "get",
            "--identity",
            "Meetings",
            "--tenant",
            &dev.domain,
            "--output",
            "json",
        ])
        .await,
    );
    let one = one.as_array().unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0]["identity"], "Tag:Meetings");
    assert_eq!(one[0]["name"], "Meetings");
    assert_eq!(one[0]["description"], "meeting bots");
    assert_eq!(
        sorted(strings(&one[0]["app_ids"])),
        sorted(vec![dev.dev_app.clone(), second.clone()])
    );
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_set_adds_app_ids() {
    let dev = Dev::start().await;
    let second = dev.second_app().await;
    dev.new_meetings(&format!("{},{second}", dev.dev_app)).await;
    let p = dev.set_meetings(&["--add-app-ids", OTHER_APP]).await;
    assert_eq!(
        sorted(strings(&p["app_ids"])),
        sorted(vec![dev.dev_app.clone(), second.clone(), OTHER_APP.into()])
    );
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_set_removes_app_ids() {
    let dev = Dev::start().await;
    let second = dev.second_app().await;
    dev.new_meetings(&format!("{},{second}", dev.dev_app)).await;
    dev.set_meetings(&["--add-app-ids", OTHER_APP]).await;
    let p = dev.set_meetings(&["--remove-app-ids", &second]).await;
    assert_eq!(
        sorted(strings(&p["app_ids"])),
        sorted(vec![dev.dev_app.clone(), OTHER_APP.into()])
    );
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_set_replaces_app_ids_and_the_description() {
    let dev = Dev::start().await;
    let second = dev.second_app().await;
    dev.new_meetings(&format!("{},{OTHER_APP}", dev.dev_app))
        .await;
    let p = dev
        .set_meetings(&[
            "--replace-app-ids",
            &second,
            "--description",
            "only the second app",
        ])
        .await;
    assert_eq!(strings(&p["app_ids"]), vec![second.clone()]);
    assert_eq!(p["description"], "only the second app");
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_set_prints_the_changed_policy_in_powershells_layout() {
    let dev = Dev::start().await;
    let second = dev.second_app().await;
    dev.new_meetings(&second).await;
    let out = ok(&dev
        .run(&[
            "policy",
            "set",
            "--identity",
            "Meetings",
            "--description",
            "second app only",
        ])
        .await);
    assert_eq!(field(&out, "AppIds"), format!("{{{second}}}"));
    assert_eq!(field(&out, "Description"), "second app only");
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn user_create_takes_the_password_from_graphmeet_user_password() {
    let dev = Dev::start().await;
    dev.create_bob().await;
    let creds = &dev.creds;
    let token_url = creds["token_url"].as_str().unwrap();
    let ca = std::fs::read(creds["ca_cert_path"].as_str().unwrap()).unwrap();
    let http = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .build()
        .unwrap();
    let sign_in = |password: &'static str| {
        let http = http.clone();
        let form = [
            ("grant_type", "password".to_owned()),
            ("client_id", dev.dev_app.clone()),
            // The dev app is a confidential client: it authenticates.
            (
                "client_secret",
                creds["client_secret"].as_str().unwrap().to_owned(),
            ),
            ("username", dev.bob_upn()),
            ("password", password.to_owned()),
            ("scope", "https://graph.microsoft.com/.default".to_owned()),
        ];
        async move {
            http.post(token_url)
                .form(&form)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert!(sign_in("correct horse battery").await.is_success());
    assert!(sign_in("wrong").await.is_client_error());
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn group_create_returns_the_named_group() {
    let dev = Dev::start().await;
    let group = dev.create_bots().await;
    assert_eq!(group["display_name"], "bots");
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn group_add_member_reports_the_membership() {
    let dev = Dev::start().await;
    let bob_id = dev.create_bob().await;
    let group = dev.create_bots().await;
    let out = ok(&dev
        .membership("add-member", group["id"].as_str().unwrap(), &bob_id)
        .await);
    assert_eq!(field(&out, "member"), "true");
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_grant_to_a_user_by_upn_targets_the_users_id() {
    let dev = Dev::start().await;
    dev.new_meetings(&dev.dev_app).await;
    let bob_id = dev.create_bob().await;
    let grant = dev.grant_bob().await;
    assert_eq!(grant["target_kind"], "user");
    assert_eq!(grant["target_id"], bob_id.as_str());
    assert_eq!(grant["policy_name"], "Meetings");
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_grant_to_a_group_keeps_its_rank() {
    let dev = Dev::start().await;
    let group = dev.create_bots().await;
    let grant = dev.grant_group(group["id"].as_str().unwrap()).await;
    assert_eq!(grant["target_kind"], "group");
    assert_eq!(grant["rank"], 2);
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_grant_global_names_the_policy_without_its_tag() {
    let dev = Dev::start().await;
    dev.new_meetings(&dev.dev_app).await;
    let out = dev.grant_global().await;
    assert_eq!(field(&out, "target_kind"), "global");
    assert_eq!(field(&out, "policy_name"), "Meetings");
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_grants_lists_every_live_grant_as_json() {
    let dev = Dev::start().await;
    let g = dev.granted().await;
    let grants = json(&dev.run(&["policy", "grants", "--output", "json"]).await);
    let mut seen: Vec<String> = grants
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            format!(
                "{} {} {}",
                g["target_kind"].as_str().unwrap(),
                g["target_id"].as_str().unwrap(),
                g["policy_name"].as_str().unwrap()
            )
        })
        .collect();
    seen.sort();
    let mut expected = vec![
        format!("user {} graphmeet-dev-meetings", dev.organizer),
        format!("user {} Meetings", g.bob_id),
        format!("group {} graphmeet-dev-meetings", g.group_id),
        "global  Meetings".to_owned(),
    ];
    expected.sort();
    assert_eq!(seen, expected);
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_grants_prints_a_table_with_each_group_grants_rank() {
    let dev = Dev::start().await;
    let g = dev.granted().await;
    let table = ok(&dev.run(&["policy", "grants"]).await);
    let mut lines = table.lines();
    assert!(lines.next().unwrap().starts_with("KIND "), "{table}");
    assert_eq!(lines.count(), 4, "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("group ") && l.contains(&g.group_id) && l.contains(" 2 ")),
        "{table}"
    );
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_explain_allows_the_organizer_through_their_own_grant() {
    let dev = Dev::start().await;
    dev.granted().await;
    let out = dev.explain(&dev.organizer).await;
    let reason = out.lines().next().unwrap();
    assert!(reason.starts_with("allowed: "), "{out}");
    assert!(reason.contains("'graphmeet-dev-meetings'"), "{out}");
    assert!(
        field(&out, "applied").contains(&format!("to user {}", dev.organizer)),
        "{out}"
    );
    assert_eq!(field(&out, "pending"), "none");
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_users_own_grant_overrides_their_groups_and_explain_exits_0_on_a_denial() {
    let dev = Dev::start().await;
    let g = dev.granted().await;
    let explained = dev.explain_json(&g.bob_upn).await;
    assert_eq!(explained["allowed"], false);
    let reason = explained["reason"].as_str().unwrap();
    assert!(reason.starts_with("denied: "), "{reason}");
    assert!(reason.contains("'Meetings' does not list app"), "{reason}");
    let out = dev.explain(&g.bob_upn).await;
    assert_eq!(out.lines().next().unwrap(), reason);
    assert_eq!(field(&out, "allowed"), "false");
    assert_eq!(field(&out, "policy_apps"), format!("{{{}}}", g.second));
    dev.shutdown().await;
}

/// `policy revoke --identity` of Bob's grant (-PolicyName $null), as JSON.
async fn revoke_bob(dev: &Dev, bob_id: &str) -> Value {
    json(
        &dev.run(&["policy", "revoke", "--identity", bob_id, "--output", "json"])
            .await,
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_revoke_of_a_user_prints_the_grant_without_a_policy() {
    let dev = Dev::start().await;
    let g = dev.granted().await;
    let revoked = revoke_bob(&dev, &g.bob_id).await;
    assert_eq!(revoked["target_kind"], "user");
    assert_eq!(revoked["policy_name"], Value::Null);
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn once_a_users_grant_is_revoked_their_groups_grant_applies() {
    let dev = Dev::start().await;
    let g = dev.granted().await;
    revoke_bob(&dev, &g.bob_id).await;
    let explained = dev.explain_json(&g.bob_id).await;
    assert_eq!(explained["allowed"], true, "{explained}");
    assert!(
        explained["reason"]
            .as_str()
            .unwrap()
            .contains("graphmeet-dev-meetings"),
        "{explained}"
    );
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn group_remove_member_reports_the_membership_ended() {
    let dev = Dev::start().await;
    let g = dev.granted().await;
    let out = ok(&dev
        .membership("remove-member", &g.group_id, &g.bob_id)
        .await);
    assert_eq!(field(&out, "member"), "false");
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn out_of_every_group_without_a_grant_of_their_own_the_global_grant_applies() {
    let dev = Dev::start().await;
    let g = dev.granted().await;
    revoke_bob(&dev, &g.bob_id).await;
    ok(&dev
        .membership("remove-member", &g.group_id, &g.bob_id)
        .await);
    let out = dev.explain(&g.bob_upn).await;
    let reason = out.lines().next().unwrap();
    assert!(reason.starts_with("denied: the global grant"), "{out}");
    assert!(field(&out, "applied").contains("(global)"), "{out}");
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn removing_a_user_who_is_not_a_member_names_both() {
    let dev = Dev::start().await;
    let g = dev.granted().await;
    ok(&dev
        .membership("remove-member", &g.group_id, &g.bob_id)
        .await);
    fails(
        &dev.membership("remove-member", &g.group_id, &g.bob_id)
            .await,
        1,
        &[&g.bob_id, &g.group_id, "not a member"],
    );
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_revoke_global_prints_that_no_policy_is_left() {
    let dev = Dev::start().await;
    dev.granted().await;
    let out = ok(&dev.run(&["policy", "revoke", "--global"]).await);
    assert_eq!(field(&out, "policy_name"), "(none: revoked)");
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn revoking_every_new_grant_leaves_only_the_organizers() {
    let dev = Dev::start().await;
    let g = dev.granted().await;
    revoke_bob(&dev, &g.bob_id).await;
    ok(&dev.run(&["policy", "revoke", "--group", &g.group_id]).await);
    ok(&dev.run(&["policy", "revoke", "--global"]).await);
    let grants = json(&dev.run(&["policy", "grants", "--output", "json"]).await);
    assert_eq!(grants.as_array().unwrap().len(), 1, "{grants}");
    assert_eq!(grants[0]["target_id"], dev.organizer.as_str());
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn with_no_grant_at_all_a_user_is_denied_and_the_reason_says_so() {
    let dev = Dev::start().await;
    dev.create_bob().await;
    let explained = dev.explain_json(&dev.bob_upn()).await;
    assert_eq!(explained["allowed"], false);
    assert!(
        explained["reason"]
            .as_str()
            .unwrap()
            .contains("no application access policy is granted"),
        "{explained}"
    );
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_remove_prints_the_removed_identity() {
    let dev = Dev::start().await;
    dev.new_meetings(&dev.dev_app).await;
    let out = ok(&dev
        .run(&["policy", "remove", "--identity", "Tag:Meetings"])
        .await);
    assert_eq!(out, "removed policy 'Tag:Meetings'\n");
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_removed_policy_is_no_longer_found_by_name_or_listed() {
    let dev = Dev::start().await;
    dev.new_meetings(&dev.dev_app).await;
    ok(&dev
        .run(&["policy", "remove", "--identity", "Tag:Meetings"])
        .await);
    fails(
        &dev.run(&["policy", "get", "--identity", "Meetings"]).await,
        1,
        &["Meetings", "not found"],
    );
    let left = json(&dev.run(&["policy", "get", "--output", "json"]).await);
    assert_eq!(left.as_array().unwrap().len(), 1);
    assert_eq!(left[0]["name"], "graphmeet-dev-meetings");
    dev.shutdown().await;
}

/// Runs `args` against a fresh bootstrapped server: it must exit `code`, naming each of
/// `names`.
async fn fails_on_a_dev_server(args: &[&str], code: i32, names: &[&str]) {
    let (server, dir) = start_server().await;
    fails(&graphmeet(dir.path(), args).await, code, names);
    server.shutdown().await;
}

const APP: &str = "11111111-2222-3333-4444-555555555555";

#[tokio::test(flavor = "multi_thread")]
async fn policy_set_of_an_unknown_policy_exits_1_and_names_it() {
    fails_on_a_dev_server(
        &["policy", "set", "--identity", "Nope", "--description", "x"],
        1,
        &["'Nope'", "policy Nope not found"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_grant_of_an_unknown_policy_exits_1_and_names_it() {
    fails_on_a_dev_server(
        &["policy", "grant", "--policy-name", "Nope", "--global"],
        1,
        &["'Nope'", "not found"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_remove_of_an_unknown_policy_exits_1_and_names_it() {
    fails_on_a_dev_server(
        &["policy", "remove", "--identity", "Tag:Nope"],
        1,
        &["Nope", "not found"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_explain_of_an_unknown_user_names_the_upn() {
    fails_on_a_dev_server(
        &[
            "policy",
            "explain",
            "--app",
            APP,
            "--user",
            "ghost@nowhere.example",
        ],
        1,
        &["ghost@nowhere.example", "not found"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_policy_of_the_same_name_is_a_conflict() {
    fails_on_a_dev_server(
        &[
            "policy",
            "new",
            "--identity",
            "graphmeet-dev-meetings",
            "--app-ids",
            APP,
        ],
        1,
        &["graphmeet-dev-meetings", "409"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_set_with_conflicting_app_id_flags_is_a_usage_error_naming_both() {
    fails_on_a_dev_server(
        &[
            "policy",
            "set",
            "--identity",
            "P",
            "--add-app-ids",
            APP,
            "--remove-app-ids",
            APP,
        ],
        2,
        &["--add-app-ids", "--remove-app-ids"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_set_with_nothing_to_set_is_a_usage_error() {
    fails_on_a_dev_server(&["policy", "set", "--identity", "P"], 2, &[]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_grant_to_two_targets_is_a_usage_error() {
    fails_on_a_dev_server(
        &[
            "policy",
            "grant",
            "--policy-name",
            "P",
            "--identity",
            "a@b.c",
            "--global",
        ],
        2,
        &["--global"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_grant_without_a_target_is_a_usage_error() {
    fails_on_a_dev_server(&["policy", "grant", "--policy-name", "P"], 2, &[]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_grant_with_a_rank_but_no_group_is_a_usage_error() {
    fails_on_a_dev_server(
        &[
            "policy",
            "grant",
            "--policy-name",
            "P",
            "--global",
            "--rank",
            "2",
        ],
        2,
        &["--rank"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_new_names_a_malformed_app_id_as_a_usage_error() {
    fails_on_a_dev_server(
        &[
            "policy",
            "new",
            "--identity",
            "P",
            "--app-ids",
            &format!("{APP},not-a-guid"),
        ],
        2,
        &["'not-a-guid'", "--app-ids", "GUID"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_set_names_a_malformed_replacement_app_id_as_a_usage_error() {
    fails_on_a_dev_server(
        &[
            "policy",
            "set",
            "--identity",
            "P",
            "--replace-app-ids",
            "xyz",
        ],
        2,
        &["'xyz'", "--replace-app-ids"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_explain_names_a_malformed_app_id_as_a_usage_error() {
    fails_on_a_dev_server(
        &["policy", "explain", "--app", "bad-app", "--user", "u"],
        2,
        &["'bad-app'"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_revoke_names_a_malformed_group_id_as_a_usage_error() {
    fails_on_a_dev_server(
        &["policy", "revoke", "--group", "not-a-group"],
        2,
        &["'not-a-group'", "--group"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn group_add_member_names_a_malformed_user_id_as_a_usage_error() {
    fails_on_a_dev_server(
        &["group", "add-member", "--group", APP, "--user", "bob"],
        2,
        &["'bob'", "--user"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn with_two_tenants_the_tenant_must_be_named() {
    let (server, dir) = start_bare_server().await;
    let data = dir.path();
    // No tenant at all.
    fails(&graphmeet(data, &["policy", "get"]).await, 1, &["tenant"]);
    ok(&graphmeet(data, &["tenant", "create", "--name", "contoso"]).await);
    ok(&graphmeet(data, &["tenant", "create", "--name", "fabrikam"]).await);
    // A usage error that lists them.
    fails(
        &graphmeet(data, &["policy", "grants"]).await,
        2,
        &[
            "2 tenants",
            "--tenant",
            "contoso.onmicrosoft.com",
            "fabrikam.onmicrosoft.com",
        ],
    );
    let out = ok(&graphmeet(
        data,
        &[
            "policy",
            "new",
            "--identity",
            "P",
            "--app-ids",
            "11111111-2222-3333-4444-555555555555",
            "--tenant",
            "fabrikam.onmicrosoft.com",
        ],
    )
    .await);
    assert_eq!(field(&out, "Identity"), "Tag:P");
    assert_eq!(field(&out, "Description"), "");
    // The policy lives in that tenant only.
    let other = json(
        &graphmeet(
            data,
            &[
                "policy",
                "get",
                "--tenant",
                "contoso.onmicrosoft.com",
                "--output",
                "json",
            ],
        )
        .await,
    );
    assert_eq!(other, Value::Array(vec![]));
    assert_eq!(
        ok(&graphmeet(
            data,
            &["policy", "get", "--tenant", "contoso.onmicrosoft.com"]
        )
        .await),
        ""
    );
    fails(
        &graphmeet(
            data,
            &[
                "policy",
                "remove",
                "--identity",
                "P",
                "--tenant",
                "nowhere.example",
            ],
        )
        .await,
        1,
        &["nowhere.example", "not found"],
    );
    server.shutdown().await;
}
