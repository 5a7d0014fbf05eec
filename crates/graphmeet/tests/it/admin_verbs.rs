#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `graphmeet cs|apply|export|reset|audit` and the deletion, credential and consent-revocation
//! verbs of `tenant`, `user`, `group`, `app` and `consent`, run as a user types them against a
//! real bootstrapped server.

use crate::{creds, graphmeet, start_server};
use graphmeet_testkit::cli::{fails, json, ok, stderr};
use std::path::Path;

use graphmeet_client::{AppConfig, ClientCredential, Cloud, MeetingsClient, Organizer};
use graphmeet_wire::admin::Seed;
use graphmeet_wire::graph::OnlineMeeting;
use serde_json::Value;

const DOMAIN: &str = "graphmeetdev.onmicrosoft.com";
const BOB: &str = "bob@graphmeetdev.onmicrosoft.com";

fn text(value: &Value) -> String {
    value.as_str().unwrap().to_owned()
}

fn sum(counts: &Value) -> u64 {
    counts
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum()
}

async fn create_bob(data: &Path) -> String {
    let bob = json(
        &graphmeet(
            data,
            &[
                "user", "create", "--tenant", DOMAIN, "--upn", BOB, "--output", "json",
            ],
        )
        .await,
    );
    text(&bob["id"])
}

#[tokio::test(flavor = "multi_thread")]
async fn cs_runs_the_cmdlet_lines_from_arguments_or_a_file() {
    let (server, dir) = start_server().await;
    let data = dir.path();
    let app = text(&creds(data)["client_id"]);
    let bob = create_bob(data).await;

    // The seed lines as Microsoft's docs print them, one argument each.
    let new = format!(
        "New-CsApplicationAccessPolicy -Identity Meetings-App -AppIds \"{app}\"-Description \"Meetings app\""
    );
    let grant =
        format!("Grant-CsApplicationAccessPolicy -PolicyName Meetings-App -Identity \"{bob}\"");
    let out = ok(&graphmeet(data, &["cs", &new, &grant]).await);
    assert!(out.contains("Identity    : Tag:Meetings-App"), "{out}");
    assert!(out.contains(&format!("AppIds      : {{{app}}}")), "{out}");
    assert!(out.ends_with('\n'), "{out:?}");
    let grants = json(
        &graphmeet(
            data,
            &["policy", "grants", "--tenant", DOMAIN, "--output", "json"],
        )
        .await,
    );
    assert!(
        grants
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["target_id"] == bob.as_str() && g["policy_name"] == "Meetings-App"),
        "{grants}"
    );

    // A script file, in a named tenant, with JSON output.
    std::fs::write(
        data.join("check.ps1"),
        "# what is there\nGet-CsApplicationAccessPolicy -Identity 'Tag:Meetings-App'\n",
    )
    .unwrap();
    let run = json(
        &graphmeet(
            data,
            &[
                "cs",
                "--file",
                "check.ps1",
                "--tenant",
                DOMAIN,
                "--output",
                "json",
            ],
        )
        .await,
    );
    assert_eq!(run["executed"], 1, "{run}");
    assert!(
        run["output"]
            .as_str()
            .unwrap()
            .starts_with("Identity    : Tag:Meetings-App\n"),
        "{run}"
    );

    // Errors name what is wrong; usage errors exit 2.
    fails(
        &graphmeet(data, &["cs", "New-CsFooPolicy -Identity X"]).await,
        1,
        &["New-CsFooPolicy"],
    );
    fails(
        &graphmeet(
            data,
            &[
                "cs",
                "New-CsApplicationAccessPolicy -Identity X -AppIds a -Colour red",
            ],
        )
        .await,
        1,
        &["Colour"],
    );
    fails(
        &graphmeet(data, &["cs", "--file", "missing.ps1"]).await,
        1,
        &["missing.ps1"],
    );
    fails(&graphmeet(data, &["cs"]).await, 2, &[]);
    fails(
        &graphmeet(data, &["cs", "--file", "check.ps1", "Get-CsOnlineUser"]).await,
        2,
        &[],
    );
    server.shutdown().await;
}

const SEED: &str = r#"
[[tenant]]
name = "Fabrikam"
domain = "fabrikam.example"

[[tenant.user]]
upn = "carol@fabrikam.example"

[[tenant.group]]
name = "Schedulers"
members = ["carol@fabrikam.example"]

[[tenant.app]]
app_id = "0a1b2c3d-0000-4000-8000-0000000000aa"
name = "Fabrikam bot"

[[tenant.consent]]
app = "0a1b2c3d-0000-4000-8000-0000000000aa"
roles = ["OnlineMeetings.ReadWrite.All"]

[[tenant.policy]]
name = "bots"
app_ids = ["0a1b2c3d-0000-4000-8000-0000000000aa"]

[[tenant.grant]]
policy = "bots"
group = "Schedulers"
"#;

#[tokio::test(flavor = "multi_thread")]
async fn apply_export_and_reset() {
    let (server, dir) = start_server().await;
    let data = dir.path();
    std::fs::write(data.join("seed.toml"), SEED).unwrap();

    // The first apply creates everything.
    let first = graphmeet(data, &["apply", "seed.toml"]).await;
    let out = ok(&first);
    assert!(
        out.starts_with("KIND          CREATED  UPDATED  UNCHANGED\n"),
        "{out}"
    );
    assert!(
        out.contains("\ntenants       1        0        0\n"),
        "{out}"
    );
    assert!(
        out.contains("\ngroups        1        0        0\n"),
        "{out}"
    );

    // The second changes nothing.
    let second = json(&graphmeet(data, &["apply", "seed.toml", "--output", "json"]).await);
    assert_eq!(sum(&second["created"]), 0, "{second}");
    assert_eq!(sum(&second["updated"]), 0, "{second}");
    assert!(sum(&second["unchanged"]) >= 7, "{second}");

    // Export: TOML on stdout, JSON with --output json, or a file; all the same seed.
    let toml = ok(&graphmeet(data, &["export"]).await);
    let seed = Seed::from_toml(&toml).unwrap_or_else(|err| panic!("{err}: {toml}"));
    let names: Vec<&str> = seed.tenants.iter().map(|t| t.name.as_str()).collect();
    assert!(names.contains(&"Fabrikam"), "{names:?}");
    let as_json = ok(&graphmeet(data, &["export", "--output", "json"]).await);
    assert_eq!(Seed::from_json(&as_json).unwrap(), seed);
    let written = graphmeet(data, &["export", "--out", "state.toml"]).await;
    assert_eq!(ok(&written), "");
    assert!(
        stderr(&written).contains("state.toml"),
        "{}",
        stderr(&written)
    );
    let file = std::fs::read_to_string(data.join("state.toml")).unwrap();
    assert_eq!(Seed::from_toml(&file).unwrap(), seed);
    // The export applies as a JSON seed too, changing nothing.
    std::fs::write(data.join("state.json"), &as_json).unwrap();
    let again = json(&graphmeet(data, &["apply", "state.json", "--output", "json"]).await);
    assert_eq!(sum(&again["created"]), 0, "{again}");
    assert_eq!(sum(&again["updated"]), 0, "{again}");

    // A seed with a typo says where; a missing file names it.
    std::fs::write(
        data.join("typo.toml"),
        "[[tenant]]\nname = \"X\"\ndomian = \"x.example\"\n",
    )
    .unwrap();
    fails(
        &graphmeet(data, &["apply", "typo.toml"]).await,
        1,
        &["typo.toml", "domian"],
    );
    fails(
        &graphmeet(data, &["apply", "nope.toml"]).await,
        1,
        &["nope.toml"],
    );

    // Reset refuses without --yes, and then empties the server.
    fails(&graphmeet(data, &["reset"]).await, 2, &["--yes"]);
    let tenants = json(&graphmeet(data, &["tenant", "list", "--output", "json"]).await);
    assert_eq!(tenants.as_array().unwrap().len(), 2, "{tenants}");
    let out = ok(&graphmeet(data, &["reset", "--yes"]).await);
    assert!(out.starts_with("reset the server at https://"), "{out}");
    let tenants = json(&graphmeet(data, &["tenant", "list", "--output", "json"]).await);
    assert_eq!(tenants, serde_json::json!([]));
    assert_eq!(ok(&graphmeet(data, &["export"]).await).trim(), "");
    let audit = json(&graphmeet(data, &["audit", "--output", "json"]).await);
    assert_eq!(audit.as_array().unwrap().len(), 1, "{audit}");
    assert_eq!(audit[0]["operation"], "POST /admin/reset");
    let out = json(&graphmeet(data, &["apply", "seed.toml", "--output", "json"]).await);
    assert_eq!(out["created"]["tenants"], 1, "{out}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_narrows_and_prints_a_table() {
    let (server, dir) = start_server().await;
    let data = dir.path();
    let creds = creds(data);
    let (app, organizer) = (text(&creds["client_id"]), text(&creds["user_id"]));
    let bob = create_bob(data).await;

    // One allowed and one denied Graph call.
    let ca = std::fs::read(server.ca_cert_path.as_ref().unwrap()).unwrap();
    let cloud = Cloud::graphmeet(&server.base_url, Some(&ca)).unwrap();
    let client = MeetingsClient::new(AppConfig::new(
        &app,
        ClientCredential::secret(text(&creds["client_secret"])),
        cloud,
    ))
    .unwrap();
    let meeting = OnlineMeeting {
        subject: Some("audit".into()),
        ..OnlineMeeting::default()
    };
    let tenant = text(&creds["tenant_id"]);
    client
        .create(&tenant, &Organizer::object_id(&organizer), &meeting)
        .await
        .unwrap();
    let denied = client
        .create(&tenant, &Organizer::object_id(&bob), &meeting)
        .await
        .unwrap_err();
    assert_eq!(denied.status(), Some(403));

    let entries =
        json(&graphmeet(data, &["audit", "--decision", "denied", "--output", "json"]).await);
    let entries = entries.as_array().unwrap();
    assert!(!entries.is_empty());
    assert!(entries.iter().all(|e| e["decision"] == "denied"));
    assert!(entries.iter().any(|e| e["user_id"] == bob.as_str()));

    let allowed = json(
        &graphmeet(
            data,
            &[
                "audit",
                "--app",
                &app,
                "--decision",
                "allowed",
                "--since",
                "1h",
                "--output",
                "json",
            ],
        )
        .await,
    );
    let allowed = allowed.as_array().unwrap();
    assert!(!allowed.is_empty());
    assert!(allowed
        .iter()
        .all(|e| e["app_id"] == app.as_str() && e["user_id"] == organizer.as_str()));

    let by_upn = json(
        &graphmeet(
            data,
            &[
                "audit", "--tenant", DOMAIN, "--user", BOB, "--output", "json",
            ],
        )
        .await,
    );
    assert!(!by_upn.as_array().unwrap().is_empty());
    assert!(by_upn
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["user_id"] == bob.as_str()));

    let one = json(&graphmeet(data, &["audit", "--limit", "1", "--output", "json"]).await);
    assert_eq!(one.as_array().unwrap().len(), 1);
    let none = json(
        &graphmeet(
            data,
            &[
                "audit",
                "--since",
                "2999-01-01T00:00:00Z",
                "--output",
                "json",
            ],
        )
        .await,
    );
    assert_eq!(none, serde_json::json!([]));

    // The table: a header, then one line an entry.
    let table = ok(&graphmeet(data, &["audit", "--decision", "denied"]).await);
    let mut lines = table.lines();
    let header = lines.next().unwrap();
    for column in [
        "TIME",
        "DECISION",
        "OPERATION",
        "TENANT",
        "APP",
        "USER",
        "REASON",
    ] {
        assert!(header.contains(column), "{header}");
    }
    let row = lines.next().unwrap();
    assert!(row.contains("denied"), "{table}");
    assert!(row.contains(&bob), "{table}");
    assert_eq!(table.lines().count(), entries.len() + 1, "{table}");

    fails(
        &graphmeet(data, &["audit", "--since", "yesterday"]).await,
        2,
        &["yesterday"],
    );
    fails(
        &graphmeet(data, &["audit", "--decision", "maybe"]).await,
        2,
        &["maybe"],
    );
    fails(
        &graphmeet(data, &["audit", "--user", BOB]).await,
        2,
        &["--tenant"],
    );
    fails(
        &graphmeet(data, &["audit", "--tenant", "nowhere.example"]).await,
        1,
        &["nowhere.example"],
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_list_credentials_and_revoke() {
    let (server, dir) = start_server().await;
    let data = dir.path();
    let creds = creds(data);
    let (app, tenant_id) = (text(&creds["client_id"]), text(&creds["tenant_id"]));

    // Groups: list, members, delete.
    let tenant = json(
        &graphmeet(
            data,
            &[
                "tenant",
                "create",
                "--name",
                "Northwind",
                "--domain",
                "northwind.example",
                "--output",
                "json",
            ],
        )
        .await,
    );
    let user = json(
        &graphmeet(
            data,
            &[
                "user",
                "create",
                "--tenant",
                "northwind.example",
                "--upn",
                "erin@northwind.example",
                "--output",
                "json",
            ],
        )
        .await,
    );
    let group = json(
        &graphmeet(
            data,
            &[
                "group",
                "create",
                "--tenant",
                "northwind.example",
                "--name",
                "Ops",
                "--output",
                "json",
            ],
        )
        .await,
    );
    let group_id = text(&group["id"]);
    ok(&graphmeet(
        data,
        &[
            "group",
            "add-member",
            "--group",
            &group_id,
            "--user",
            &text(&user["id"]),
        ],
    )
    .await);
    let listed = ok(&graphmeet(data, &["group", "list", "--tenant", "northwind.example"]).await);
    assert_eq!(
        listed,
        format!("ID{}NAME\n{group_id}  Ops\n", " ".repeat(36))
    );
    let members = json(
        &graphmeet(
            data,
            &["group", "members", "--group", &group_id, "--output", "json"],
        )
        .await,
    );
    assert_eq!(members[0]["upn"], "erin@northwind.example");
    let out = ok(&graphmeet(data, &["group", "delete", "--group", &group_id]).await);
    assert_eq!(out, format!("deleted group '{group_id}'\n"));
    let listed = json(
        &graphmeet(
            data,
            &[
                "group",
                "list",
                "--tenant",
                "northwind.example",
                "--output",
                "json",
            ],
        )
        .await,
    );
    assert_eq!(listed, serde_json::json!([]));
    fails(
        &graphmeet(data, &["group", "delete", "--group", &group_id]).await,
        1,
        &[&group_id],
    );
    fails(
        &graphmeet(data, &["group", "delete", "--group", "ops"]).await,
        2,
        &["'ops'"],
    );

    // Users by UPN.
    let out = json(
        &graphmeet(
            data,
            &[
                "user",
                "delete",
                "--user",
                "erin@northwind.example",
                "--output",
                "json",
            ],
        )
        .await,
    );
    assert_eq!(
        out,
        serde_json::json!({"kind": "user", "id": "erin@northwind.example", "deleted": true})
    );
    fails(
        &graphmeet(
            data,
            &["user", "delete", "--user", "erin@northwind.example"],
        )
        .await,
        1,
        &["erin@northwind.example"],
    );

    // Credentials: listed without values, then removed one by one.
    let listed = json(
        &graphmeet(
            data,
            &["app", "credentials", "--app-id", &app, "--output", "json"],
        )
        .await,
    );
    assert_eq!(listed["app_id"], app.as_str());
    let secret_key = text(&listed["secrets"][0]["key_id"]);
    let cert_key = text(&listed["certificates"][0]["key_id"]);
    assert!(!listed
        .to_string()
        .contains(creds["client_secret"].as_str().unwrap()));
    let table = ok(&graphmeet(data, &["app", "credentials", "--app-id", &app]).await);
    assert!(table.contains("secrets:\nKEY ID"), "{table}");
    assert!(table.contains("certificates:\nKEY ID"), "{table}");
    assert!(
        table.contains(&secret_key) && table.contains(&cert_key),
        "{table}"
    );
    assert!(table.contains("valid"), "{table}");
    ok(&graphmeet(
        data,
        &[
            "app",
            "remove-secret",
            "--app-id",
            &app,
            "--key-id",
            &secret_key,
        ],
    )
    .await);
    fails(
        &graphmeet(
            data,
            &[
                "app",
                "remove-secret",
                "--app-id",
                &app,
                "--key-id",
                &secret_key,
            ],
        )
        .await,
        1,
        &[&secret_key],
    );
    let out = ok(&graphmeet(
        data,
        &[
            "app",
            "remove-cert",
            "--app-id",
            &app,
            "--key-id",
            &cert_key,
        ],
    )
    .await);
    assert_eq!(out, format!("deleted certificate '{cert_key}'\n"));
    let listed = json(
        &graphmeet(
            data,
            &["app", "credentials", "--app-id", &app, "--output", "json"],
        )
        .await,
    );
    assert_eq!(listed["secrets"], serde_json::json!([]));
    assert_eq!(listed["certificates"], serde_json::json!([]));
    fails(
        &graphmeet(
            data,
            &["app", "remove-cert", "--app-id", &app, "--key-id", "k1"],
        )
        .await,
        2,
        &["--key-id"],
    );

    // Consent revocation keeps the service principal, with no role left.
    let sp = json(
        &graphmeet(
            data,
            &[
                "consent",
                "revoke",
                "--tenant",
                DOMAIN,
                "--app-id",
                &app,
                "--roles",
                "OnlineMeetings.ReadWrite.All",
                "--output",
                "json",
            ],
        )
        .await,
    );
    assert_eq!(sp["app_id"], app.as_str());
    assert_eq!(sp["tenant_id"], tenant_id.as_str());
    assert_eq!(sp["app_roles"], serde_json::json!([]));
    fails(
        &graphmeet(
            data,
            &[
                "consent", "revoke", "--tenant", DOMAIN, "--app-id", &app, "--roles", "A,,B",
            ],
        )
        .await,
        2,
        &["A,,B"],
    );

    // Apps, then tenants.
    ok(&graphmeet(data, &["app", "delete", "--app-id", &app]).await);
    let apps = json(&graphmeet(data, &["app", "list", "--output", "json"]).await);
    assert_eq!(apps, serde_json::json!([]));
    fails(
        &graphmeet(data, &["app", "delete", "--app-id", &app]).await,
        1,
        &[&app],
    );
    let out = ok(&graphmeet(data, &["tenant", "delete", "--tenant", "northwind.example"]).await);
    assert_eq!(out, "deleted tenant 'northwind.example'\n");
    let tenants = json(&graphmeet(data, &["tenant", "list", "--output", "json"]).await);
    let ids: Vec<&str> = tenants
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![tenant_id.as_str()]);
    fails(
        &graphmeet(
            data,
            &["tenant", "delete", "--tenant", &text(&tenant["id"])],
        )
        .await,
        1,
        &["not found"],
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tenant_defaults_to_the_only_tenant_and_several_need_naming() {
    let (server, dir) = start_server().await;
    let data = dir.path();

    // One tenant (the dev tenant): every verb taking --tenant uses it when it is left out.
    let carol = json(
        &graphmeet(
            data,
            &[
                "user",
                "create",
                "--upn",
                "carol@graphmeetdev.onmicrosoft.com",
                "--output",
                "json",
            ],
        )
        .await,
    );
    let users = json(&graphmeet(data, &["user", "list", "--output", "json"]).await);
    let upns: Vec<String> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| text(&u["upn"]))
        .collect();
    assert!(
        upns.contains(&"carol@graphmeetdev.onmicrosoft.com".to_owned()),
        "{upns:?}"
    );
    let group = json(
        &graphmeet(
            data,
            &[
                "group",
                "create",
                "--name",
                "Organizers",
                "--output",
                "json",
            ],
        )
        .await,
    );
    let groups = json(&graphmeet(data, &["group", "list", "--output", "json"]).await);
    assert!(groups.to_string().contains(&text(&group["id"])), "{groups}");
    let app = json(
        &graphmeet(
            data,
            &["app", "create", "--name", "Second", "--output", "json"],
        )
        .await,
    );
    let app_id = text(&app["app_id"]);
    ok(&graphmeet(
        data,
        &[
            "consent",
            "grant",
            "--app-id",
            &app_id,
            "--roles",
            "OnlineMeetings.ReadWrite.All",
        ],
    )
    .await);
    ok(&graphmeet(
        data,
        &[
            "consent",
            "revoke",
            "--app-id",
            &app_id,
            "--roles",
            "OnlineMeetings.ReadWrite.All",
        ],
    )
    .await);
    ok(&graphmeet(data, &["policy", "get"]).await);
    assert_eq!(text(&carol["tenant_id"]), text(&creds(data)["tenant_id"]));

    // A second tenant: leaving --tenant out is a usage error naming both.
    ok(&graphmeet(
        data,
        &[
            "tenant",
            "create",
            "--name",
            "Fabrikam",
            "--domain",
            "fabrikam.example",
        ],
    )
    .await);
    for args in [
        &["user", "list"][..],
        &["user", "create", "--upn", "dan@fabrikam.example"],
        &["group", "list"],
        &["group", "create", "--name", "G"],
        &["app", "create", "--name", "Third"],
        &[
            "consent",
            "grant",
            "--app-id",
            &app_id,
            "--roles",
            "OnlineMeetings.ReadWrite.All",
        ],
        &["policy", "get"],
    ] {
        fails(
            &graphmeet(data, args).await,
            2,
            &[
                "the server has 2 tenants; name one with --tenant",
                DOMAIN,
                "fabrikam.example",
            ],
        );
    }
    // Named, it works as before.
    ok(&graphmeet(data, &["user", "list", "--tenant", "fabrikam.example"]).await);
    drop(server);
}
