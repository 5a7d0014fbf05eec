#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `graphmeet policy …` and `graphmeet group …` against a real bootstrapped server: the Teams
//! application-access-policy cmdlets as a user types them.

use crate::{cli, graphmeet, start_bare_server, start_server};
use graphmeet_testkit::cli::{fails, field, json, ok};

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

#[tokio::test(flavor = "multi_thread")]
async fn the_policy_cmdlets_from_new_to_remove() {
    let (server, dir) = start_server().await;
    let data = dir.path();
    let creds: Value =
        serde_json::from_str(&std::fs::read_to_string(data.join("dev-credentials.json")).unwrap())
            .unwrap();
    let dev_app = creds["client_id"].as_str().unwrap().to_owned();
    let organizer = creds["user_id"].as_str().unwrap().to_owned();
    let domain = creds["tenant_domain"].as_str().unwrap().to_owned();

    // A second app, so a policy can list or not list the dev app.
    let app = json(
        &graphmeet(
            data,
            &[
                "app", "create", "--tenant", &domain, "--name", "second", "--output", "json",
            ],
        )
        .await,
    );
    let second = app["app_id"].as_str().unwrap().to_owned();

    // New-CsApplicationAccessPolicy: PowerShell's list layout; upper-case GUIDs canonicalised.
    let out = ok(&graphmeet(
        data,
        &[
            "policy",
            "new",
            "--identity",
            "Tag:Meetings",
            "--app-ids",
            &format!("{dev_app},{}", second.to_ascii_uppercase()),
            "--description",
            "meeting bots",
        ],
    )
    .await);
    assert_eq!(
        out,
        format!(
            "Identity    : Tag:Meetings\nAppIds      : {{{dev_app}, {second}}}\nDescription : meeting bots\n"
        )
    );

    // Get-CsApplicationAccessPolicy: every policy, one block each; or one, as JSON.
    let all = ok(&graphmeet(data, &["policy", "get"]).await);
    let blocks: Vec<&str> = all.split("\n\n").collect();
    assert_eq!(blocks.len(), 2, "{all}");
    assert!(
        all.contains("Identity    : Tag:graphmeet-dev-meetings\n"),
        "{all}"
    );
    assert!(all.contains("Identity    : Tag:Meetings\n"), "{all}");
    let one = json(
        &graphmeet(
            data,
            &[
                "policy",
                "get",
                "--identity",
                "Meetings",
                "--tenant",
                &domain,
                "--output",
                "json",
            ],
        )
        .await,
    );
    let one = one.as_array().unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0]["identity"], "Tag:Meetings");
    assert_eq!(one[0]["name"], "Meetings");
    assert_eq!(one[0]["description"], "meeting bots");
    assert_eq!(
        sorted(strings(&one[0]["app_ids"])),
        sorted(vec![dev_app.clone(), second.clone()])
    );

    // Set-CsApplicationAccessPolicy: add, remove, replace (+ description).
    let set = |args: Vec<String>| {
        let data = data.to_path_buf();
        async move {
            let mut all = vec![
                "policy",
                "set",
                "--identity",
                "Tag:Meetings",
                "--output",
                "json",
            ];
            all.extend(args.iter().map(String::as_str));
            json(&graphmeet(&data, &all).await)
        }
    };
    let p = set(vec!["--add-app-ids".into(), OTHER_APP.into()]).await;
    assert_eq!(
        sorted(strings(&p["app_ids"])),
        sorted(vec![dev_app.clone(), second.clone(), OTHER_APP.into()])
    );
    let p = set(vec!["--remove-app-ids".into(), second.clone()]).await;
    assert_eq!(
        sorted(strings(&p["app_ids"])),
        sorted(vec![dev_app.clone(), OTHER_APP.into()])
    );
    let p = set(vec![
        "--replace-app-ids".into(),
        second.clone(),
        "--description".into(),
        "only the second app".into(),
    ])
    .await;
    assert_eq!(strings(&p["app_ids"]), vec![second.clone()]);
    assert_eq!(p["description"], "only the second app");
    let out = ok(&graphmeet(
        data,
        &[
            "policy",
            "set",
            "--identity",
            "Meetings",
            "--description",
            "second app only",
        ],
    )
    .await);
    assert_eq!(field(&out, "AppIds"), format!("{{{second}}}"));
    assert_eq!(field(&out, "Description"), "second app only");

    // A user with a password (from GRAPHMEET_USER_PASSWORD) and a group holding them.
    let bob_upn = format!("bob@{domain}");
    let bob = json(
        &cli(data)
            .run_with_env(
                &[("GRAPHMEET_USER_PASSWORD", "correct horse battery")],
                &[
                    "user", "create", "--tenant", &domain, "--upn", &bob_upn, "--output", "json",
                ],
            )
            .await,
    );
    let bob_id = bob["id"].as_str().unwrap().to_owned();
    let group = json(
        &graphmeet(
            data,
            &[
                "group", "create", "--tenant", &domain, "--name", "bots", "--output", "json",
            ],
        )
        .await,
    );
    let group_id = group["id"].as_str().unwrap().to_owned();
    assert_eq!(group["display_name"], "bots");
    let out = ok(&graphmeet(
        data,
        &[
            "group",
            "add-member",
            "--group",
            &group_id,
            "--user",
            &bob_id,
        ],
    )
    .await);
    assert_eq!(field(&out, "member"), "true");

    // Grant-CsApplicationAccessPolicy: to a user (by UPN), a group (ranked), the tenant.
    let grant = json(
        &graphmeet(
            data,
            &[
                "policy",
                "grant",
                "--policy-name",
                "Meetings",
                "--identity",
                &bob_upn,
                "--output",
                "json",
            ],
        )
        .await,
    );
    assert_eq!(grant["target_kind"], "user");
    assert_eq!(grant["target_id"], bob_id.as_str());
    assert_eq!(grant["policy_name"], "Meetings");
    let grant = json(
        &graphmeet(
            data,
            &[
                "policy",
                "grant",
                "--policy-name",
                "graphmeet-dev-meetings",
                "--group",
                &group_id,
                "--rank",
                "2",
                "--output",
                "json",
            ],
        )
        .await,
    );
    assert_eq!(grant["target_kind"], "group");
    assert_eq!(grant["rank"], 2);
    let out = ok(&graphmeet(
        data,
        &[
            "policy",
            "grant",
            "--policy-name",
            "Tag:Meetings",
            "--global",
            "--tenant",
            &domain,
        ],
    )
    .await);
    assert_eq!(field(&out, "target_kind"), "global");
    assert_eq!(field(&out, "policy_name"), "Meetings");

    // The live grants: the organizer's dev grant and the three new ones.
    let grants = json(&graphmeet(data, &["policy", "grants", "--output", "json"]).await);
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
        format!("user {organizer} graphmeet-dev-meetings"),
        format!("user {bob_id} Meetings"),
        format!("group {group_id} graphmeet-dev-meetings"),
        "global  Meetings".to_owned(),
    ];
    expected.sort();
    assert_eq!(seen, expected);
    let table = ok(&graphmeet(data, &["policy", "grants"]).await);
    let mut lines = table.lines();
    assert!(lines.next().unwrap().starts_with("KIND "), "{table}");
    assert_eq!(lines.count(), 4, "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("group ") && l.contains(&group_id) && l.contains(" 2 ")),
        "{table}"
    );

    // Explain: allowed for the organizer, denied for Bob (his own grant overrides the
    // group's), exit 0 either way.
    let out = ok(&graphmeet(
        data,
        &["policy", "explain", "--app", &dev_app, "--user", &organizer],
    )
    .await);
    let reason = out.lines().next().unwrap();
    assert!(reason.starts_with("allowed: "), "{out}");
    assert!(reason.contains("'graphmeet-dev-meetings'"), "{out}");
    assert!(
        field(&out, "applied").contains(&format!("to user {organizer}")),
        "{out}"
    );
    assert_eq!(field(&out, "pending"), "none");
    let explained = json(
        &graphmeet(
            data,
            &[
                "policy", "explain", "--app", &dev_app, "--user", &bob_upn, "--output", "json",
            ],
        )
        .await,
    );
    assert_eq!(explained["allowed"], false);
    let reason = explained["reason"].as_str().unwrap();
    assert!(reason.starts_with("denied: "), "{reason}");
    assert!(reason.contains("'Meetings' does not list app"), "{reason}");
    let out = ok(&graphmeet(
        data,
        &["policy", "explain", "--app", &dev_app, "--user", &bob_upn],
    )
    .await);
    assert_eq!(out.lines().next().unwrap(), reason);
    assert_eq!(field(&out, "allowed"), "false");
    assert_eq!(field(&out, "policy_apps"), format!("{{{second}}}"));

    // Revoke Bob's grant (-PolicyName $null): the group grant now applies, and allows.
    let revoked = json(
        &graphmeet(
            data,
            &[
                "policy",
                "revoke",
                "--identity",
                &bob_id,
                "--output",
                "json",
            ],
        )
        .await,
    );
    assert_eq!(revoked["target_kind"], "user");
    assert_eq!(revoked["policy_name"], Value::Null);
    let explained = json(
        &graphmeet(
            data,
            &[
                "policy", "explain", "--app", &dev_app, "--user", &bob_id, "--output", "json",
            ],
        )
        .await,
    );
    assert_eq!(explained["allowed"], true, "{explained}");
    assert!(
        explained["reason"]
            .as_str()
            .unwrap()
            .contains("graphmeet-dev-meetings"),
        "{explained}"
    );

    // Out of the group: the global grant (second app only) applies, and denies.
    let out = ok(&graphmeet(
        data,
        &[
            "group",
            "remove-member",
            "--group",
            &group_id,
            "--user",
            &bob_id,
        ],
    )
    .await);
    assert_eq!(field(&out, "member"), "false");
    let out = ok(&graphmeet(
        data,
        &["policy", "explain", "--app", &dev_app, "--user", &bob_upn],
    )
    .await);
    let reason = out.lines().next().unwrap();
    assert!(reason.starts_with("denied: the global grant"), "{out}");
    assert!(field(&out, "applied").contains("(global)"), "{out}");
    // Not a member any more: removing again names both.
    fails(
        &graphmeet(
            data,
            &[
                "group",
                "remove-member",
                "--group",
                &group_id,
                "--user",
                &bob_id,
            ],
        )
        .await,
        1,
        &[&bob_id, &group_id, "not a member"],
    );

    // Revoke the group and global grants; only the organizer's remains.
    ok(&graphmeet(data, &["policy", "revoke", "--group", &group_id]).await);
    let out = ok(&graphmeet(data, &["policy", "revoke", "--global"]).await);
    assert_eq!(field(&out, "policy_name"), "(none: revoked)");
    let grants = json(&graphmeet(data, &["policy", "grants", "--output", "json"]).await);
    assert_eq!(grants.as_array().unwrap().len(), 1, "{grants}");
    assert_eq!(grants[0]["target_id"], organizer.as_str());

    // With no grant at all Bob is denied, and the reason says so.
    let explained = json(
        &graphmeet(
            data,
            &[
                "policy", "explain", "--app", &dev_app, "--user", &bob_upn, "--output", "json",
            ],
        )
        .await,
    );
    assert_eq!(explained["allowed"], false);
    assert!(
        explained["reason"]
            .as_str()
            .unwrap()
            .contains("no application access policy is granted"),
        "{explained}"
    );

    // Remove-CsApplicationAccessPolicy; afterwards the policy is unknown, by name.
    let out = ok(&graphmeet(data, &["policy", "remove", "--identity", "Tag:Meetings"]).await);
    assert_eq!(out, "removed policy 'Tag:Meetings'\n");
    fails(
        &graphmeet(data, &["policy", "get", "--identity", "Meetings"]).await,
        1,
        &["Meetings", "not found"],
    );
    let left = json(&graphmeet(data, &["policy", "get", "--output", "json"]).await);
    assert_eq!(left.as_array().unwrap().len(), 1);
    assert_eq!(left[0]["name"], "graphmeet-dev-meetings");

    // The password reached the server: Bob signs in with it (and not with another).
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
            ("client_id", dev_app.clone()),
            // The dev app is a confidential client: it authenticates.
            (
                "client_secret",
                creds["client_secret"].as_str().unwrap().to_owned(),
            ),
            ("username", bob_upn.clone()),
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

    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_failures_name_what_failed() {
    let (server, dir) = start_server().await;
    let data = dir.path();
    let app = "11111111-2222-3333-4444-555555555555";

    // An unknown policy exits 1 and names it.
    fails(
        &graphmeet(
            data,
            &["policy", "set", "--identity", "Nope", "--description", "x"],
        )
        .await,
        1,
        &["'Nope'", "policy Nope not found"],
    );
    fails(
        &graphmeet(
            data,
            &["policy", "grant", "--policy-name", "Nope", "--global"],
        )
        .await,
        1,
        &["'Nope'", "not found"],
    );
    fails(
        &graphmeet(data, &["policy", "remove", "--identity", "Tag:Nope"]).await,
        1,
        &["Nope", "not found"],
    );
    // An unknown user, by UPN, is named.
    fails(
        &graphmeet(
            data,
            &[
                "policy",
                "explain",
                "--app",
                app,
                "--user",
                "ghost@nowhere.example",
            ],
        )
        .await,
        1,
        &["ghost@nowhere.example", "not found"],
    );
    // A second policy of the same name is a conflict.
    fails(
        &graphmeet(
            data,
            &[
                "policy",
                "new",
                "--identity",
                "graphmeet-dev-meetings",
                "--app-ids",
                app,
            ],
        )
        .await,
        1,
        &["graphmeet-dev-meetings", "409"],
    );

    // Usage errors exit 2: conflicting set flags, nothing to set, two grant targets, none,
    // a rank without a group, malformed GUIDs (named).
    fails(
        &graphmeet(
            data,
            &[
                "policy",
                "set",
                "--identity",
                "P",
                "--add-app-ids",
                app,
                "--remove-app-ids",
                app,
            ],
        )
        .await,
        2,
        &["--add-app-ids", "--remove-app-ids"],
    );
    fails(
        &graphmeet(data, &["policy", "set", "--identity", "P"]).await,
        2,
        &[],
    );
    fails(
        &graphmeet(
            data,
            &[
                "policy",
                "grant",
                "--policy-name",
                "P",
                "--identity",
                "a@b.c",
                "--global",
            ],
        )
        .await,
        2,
        &["--global"],
    );
    fails(
        &graphmeet(data, &["policy", "grant", "--policy-name", "P"]).await,
        2,
        &[],
    );
    fails(
        &graphmeet(
            data,
            &[
                "policy",
                "grant",
                "--policy-name",
                "P",
                "--global",
                "--rank",
                "2",
            ],
        )
        .await,
        2,
        &["--rank"],
    );
    fails(
        &graphmeet(
            data,
            &[
                "policy",
                "new",
                "--identity",
                "P",
                "--app-ids",
                &format!("{app},not-a-guid"),
            ],
        )
        .await,
        2,
        &["'not-a-guid'", "--app-ids", "GUID"],
    );
    fails(
        &graphmeet(
            data,
            &[
                "policy",
                "set",
                "--identity",
                "P",
                "--replace-app-ids",
                "xyz",
            ],
        )
        .await,
        2,
        &["'xyz'", "--replace-app-ids"],
    );
    fails(
        &graphmeet(
            data,
            &["policy", "explain", "--app", "bad-app", "--user", "u"],
        )
        .await,
        2,
        &["'bad-app'"],
    );
    fails(
        &graphmeet(data, &["policy", "revoke", "--group", "not-a-group"]).await,
        2,
        &["'not-a-group'", "--group"],
    );
    fails(
        &graphmeet(
            data,
            &["group", "add-member", "--group", app, "--user", "bob"],
        )
        .await,
        2,
        &["'bob'", "--user"],
    );
    server.shutdown().await;
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
