//! Exchange Online's application access policy, through the cmdlets admins paste
//! (`POST /admin/cs`) and the calendar calls it governs, on a manual clock with a propagation
//! delay, on SQLite and PostgreSQL (spec `events-artifacts-notifications.md` A.13).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use graphmeet_testkit::*;
use reqwest::Method;
use serde_json::{json, Value};

const DELAY_MINUTES: i64 = 30;
const RAOP: &str =
    "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.";

async fn start(url: Option<String>) -> TestServer {
    TestServer::start_with(tempfile::tempdir().unwrap(), |c| {
        c.database_url = url;
        c.manual_clock = true;
        c.policy_propagation_delay = chrono::Duration::minutes(DELAY_MINUTES);
    })
    .await
}

async fn cs(t: &TestServer, script: &str) -> (u16, Value) {
    t.admin(Method::POST, "/admin/cs", Some(json!({ "script": script })))
        .await
}

async fn advance(t: &TestServer, minutes: i64) {
    let (status, body) = t
        .admin(
            Method::POST,
            "/admin/clock",
            Some(json!({"advance": format!("PT{minutes}M")})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

async fn group(t: &TestServer, name: &str) -> String {
    let (status, g) = t
        .admin(
            Method::POST,
            "/admin/groups",
            Some(json!({"tenant": t.cred("tenant_id"), "display_name": name})),
        )
        .await;
    assert_eq!(status, 201, "{g}");
    g["id"].as_str().unwrap().to_owned()
}

async fn add_member(t: &TestServer, group: &str, user: &str) {
    let (status, body) = t
        .admin(
            Method::POST,
            &format!("/admin/groups/{group}/members"),
            Some(json!({ "user_id": user })),
        )
        .await;
    assert_eq!(status, 204, "{body}");
}

async fn calendar_token(t: &TestServer) -> String {
    let (status, body) = t
        .admin(
            Method::POST,
            "/admin/consents",
            Some(json!({"tenant": t.cred("tenant_id"), "app_id": t.cred("client_id"), "roles": ["OnlineMeetings.ReadWrite.All", "Calendars.ReadWrite"]})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    t.app_token().await
}

/// `GET /users/{organizer}/events`: status, the decision header, body.
async fn list(t: &TestServer, token: &str, user: &str) -> (u16, Option<String>, Value) {
    let (status, headers, body) = t
        .graph(
            Some(token),
            Method::GET,
            &format!("/v1.0/users/{user}/events"),
            None,
        )
        .await;
    let decision = headers
        .get("x-graphmeet-policy-decision")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, decision, body)
}

fn field<'a>(output: &'a str, name: &str) -> Vec<&'a str> {
    output
        .lines()
        .filter_map(|l| l.split_once(" : "))
        .filter(|(k, _)| k.trim() == name)
        .map(|(_, v)| v.trim())
        .collect()
}

#[tokio::test]
async fn restrict_access_blocks_mailboxes_outside_its_group_after_the_propagation_delay() {
    on_every_backend(|url| async move {
        let t = start(url).await;
        let token = calendar_token(&t).await;
        let (app, organizer, tid) = (t.cred("client_id"), t.cred("user_id"), t.cred("tenant_id"));
        let group_id = group(&t, "Calendar Apps").await;

        let (status, out) = cs(&t, &format!("New-ApplicationAccessPolicy -AppId {app} -PolicyScopeGroupId \"Calendar Apps\" -AccessRight RestrictAccess -Description \"Restrict this app to members of Calendar Apps\"")).await;
        assert_eq!(status, 200, "{out}");
        let output = out["output"].as_str().unwrap();
        assert_eq!(field(output, "ScopeName"), ["Calendar Apps"]);
        assert_eq!(field(output, "AppId"), [app.as_str()]);
        assert_eq!(field(output, "AccessRight"), ["RestrictAccess"]);
        assert_eq!(field(output, "ShardType"), ["All"]);
        assert_eq!(field(output, "IsValid"), ["True"]);
        assert_eq!(field(output, "ObjectState"), ["Unchanged"]);
        let raw = field(output, "ScopeIdentityRaw")[0].to_owned();
        assert!(raw.starts_with("S-1-5-21-") && raw.ends_with(&format!(";{group_id}")), "{raw}");
        let identity = field(output, "Identity")[0].to_owned();
        assert_eq!(identity, format!("{tid}\\{app}:{raw}"));
        assert!(field(output, "ScopeIdentity")[0].starts_with("Calendar Apps20"), "{output}");

        // Test-ApplicationAccessPolicy reads the directory now; Graph still lets the call
        // through until the change propagates.
        let (status, out) = cs(&t, &format!("Test-ApplicationAccessPolicy -Identity {} -AppId {app}", t.cred("user_upn"))).await;
        assert_eq!(status, 200, "{out}");
        let output = out["output"].as_str().unwrap();
        let names: Vec<&str> = output.lines().filter_map(|l| l.split_once(" : ")).map(|(k, _)| k.trim()).collect();
        assert_eq!(names, ["AppId", "Mailbox", "MailboxId", "MailboxSid", "AccessCheckResult"], "{output}");
        assert_eq!(field(output, "Mailbox"), ["organizer"]);
        assert_eq!(field(output, "MailboxId"), [organizer.as_str()]);
        assert_eq!(field(output, "AccessCheckResult"), ["Denied"]);
        let (status, decision, body) = list(&t, &token, &organizer).await;
        assert_eq!(status, 200, "{body}");
        assert!(decision.is_none());

        advance(&t, DELAY_MINUTES - 1).await;
        assert_eq!(list(&t, &token, &organizer).await.0, 200, "not yet in effect");
        advance(&t, 1).await;
        let (status, decision, body) = list(&t, &token, &organizer).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["error"]["code"], "ErrorAccessDenied");
        assert_eq!(body["error"]["message"], RAOP);
        assert!(body["error"]["innerError"]["request-id"].is_string(), "{body}");
        let decision = decision.unwrap();
        assert!(decision.contains("is in none of their groups"), "{decision}");
        // Creating an event is blocked the same way; the Teams path is not Exchange's.
        let (status, _, body) = t.graph(Some(&token), Method::POST, &format!("/v1.0/users/{organizer}/events"), Some(json!({"subject": "x", "start": {"dateTime": "2026-01-01T10:00:00", "timeZone": "UTC"}, "end": {"dateTime": "2026-01-01T11:00:00", "timeZone": "UTC"}}))).await;
        assert_eq!((status, body["error"]["message"].as_str()), (403, Some(RAOP)));
        let (status, _, body) = t.graph(Some(&token), Method::POST, &format!("/v1.0/users/{organizer}/onlineMeetings"), Some(json!({"subject": "teams path"}))).await;
        assert_eq!(status, 201, "the Exchange policy does not govern /onlineMeetings: {body}");

        // `policy explain` gives both gates: Teams allows, Exchange does not.
        let (status, explained) = t.admin(Method::GET, &format!("/admin/policy-explain?app={app}&user={organizer}"), None).await;
        assert_eq!(status, 200, "{explained}");
        assert_eq!(explained["meetings_allowed"], true);
        assert_eq!(explained["exchange"]["allowed"], false);
        assert_eq!(explained["exchange"]["rule"], "out_of_scope");
        assert!(explained["exchange"]["reason"].as_str().unwrap().contains("is in none of their groups"), "{explained}");

        // The organizer joins the group: the mailbox is in scope.
        add_member(&t, &group_id, &organizer).await;
        let (_, out) = cs(&t, &format!("Test-ApplicationAccessPolicy {organizer} -AppId {app}")).await;
        assert_eq!(field(out["output"].as_str().unwrap(), "AccessCheckResult"), ["Granted"]);
        advance(&t, DELAY_MINUTES).await;
        let (status, decision, body) = list(&t, &token, &organizer).await;
        assert_eq!(status, 200, "{body}");
        assert!(decision.is_none());

        // The audit log records both decisions with their reasons.
        let (status, audit) = t.admin(Method::GET, &format!("/admin/audit?tenant={tid}"), None).await;
        assert_eq!(status, 200, "{audit}");
        let reasons: Vec<&str> = audit.as_array().unwrap().iter().filter(|e| e["operation"] == "ListEvents").map(|e| e["reason"].as_str().unwrap()).collect();
        assert!(reasons.iter().any(|r| r.starts_with("denied: app") && r.contains("Exchange application access policies")), "{reasons:?}");
        assert!(reasons.iter().any(|r| r.starts_with("allowed: Exchange application access policy")), "{reasons:?}");

        // Set changes the description only; Get with an unknown identity lists them all.
        let (status, out) = cs(&t, &format!("Set-ApplicationAccessPolicy -Identity \"{identity}\" -Description \"calendar app\"\nGet-ApplicationAccessPolicy -Identity nothing-like-this")).await;
        assert_eq!(status, 200, "{out}");
        let output = out["output"].as_str().unwrap();
        assert_eq!(field(output, "Description"), ["calendar app"]);
        assert_eq!(field(output, "RunspaceId").len(), 1, "Get- prints RunspaceId first: {output}");
        assert!(output.trim_start().starts_with("RunspaceId"), "{output}");

        // Remove: the restriction goes, after the delay.
        let (status, out) = cs(&t, &format!("Remove-ApplicationAccessPolicy -Identity \"{identity}\" -Confirm:$false")).await;
        assert_eq!(status, 200, "{out}");
        let (_, out) = cs(&t, "Get-ApplicationAccessPolicy").await;
        assert_eq!(out["output"], "");
        t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn deny_access_blocks_only_the_mailboxes_in_its_group_and_beats_restrict_access() {
    on_every_backend(|url| async move {
        let t = start(url).await;
        let token = calendar_token(&t).await;
        let (app, organizer) = (t.cred("client_id"), t.cred("user_id"));
        let (status, bob) = t.admin(Method::POST, "/admin/users", Some(json!({"tenant": t.cred("tenant_id"), "upn": "bob@graphmeetdev.onmicrosoft.com"}))).await;
        assert_eq!(status, 201, "{bob}");
        let bob = bob["id"].as_str().unwrap().to_owned();
        let executives = group(&t, "Executives").await;
        add_member(&t, &executives, &organizer).await;
        let (status, out) = cs(&t, &format!("New-ApplicationAccessPolicy -AppId * -PolicyScopeGroupId {executives} -AccessRight DenyAccess\nNew-ApplicationAccessPolicy -AppId {app} -PolicyScopeGroupId Executives -AccessRight RestrictAccess")).await;
        assert_eq!(status, 200, "{out}");
        let output = out["output"].as_str().unwrap();
        // Without -Description, Exchange fills one in.
        let described = field(output, "Description");
        assert!(described[0].starts_with("AppId: *; ScopeIdentitySid: S-1-5-21-") && described[0].ends_with("AccessRight: DenyAccess; ShardType: All"), "{output}");
        advance(&t, DELAY_MINUTES).await;
        let (status, decision, body) = list(&t, &token, &organizer).await;
        assert_eq!(status, 403, "{body}");
        assert!(decision.unwrap().contains("(DenyAccess)"));
        // Bob is outside the group of the app's RestrictAccess policy: denied too.
        let (status, _, _) = list(&t, &token, &bob).await;
        assert_eq!(status, 403);

        // A second identical policy is refused; a bad right is refused by the binder.
        let (status, body) = cs(&t, "New-ApplicationAccessPolicy -AppId * -PolicyScopeGroupId Executives -AccessRight DenyAccess").await;
        assert_eq!(status, 409, "{body}");
        let (status, body) = cs(&t, &format!("New-ApplicationAccessPolicy -AppId {app} -PolicyScopeGroupId Executives -AccessRight ReadOnly")).await;
        assert_eq!(status, 400, "{body}");
        assert!(body.to_string().contains("ApplicationAccessPolicyRight"), "{body}");
        let (status, body) = cs(&t, &format!("New-ApplicationAccessPolicy -AppId {app} -PolicyScopeGroupId \"No Such Group\" -AccessRight RestrictAccess")).await;
        assert_eq!(status, 404, "{body}");
        t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn seeds_apply_and_export_exchange_policies() {
    on_every_backend(|url| async move {
        let t = start(url).await;
        let app = "c7d1c9a2-2b3e-4f40-8d5c-1e2f3a4b5c6d";
        let seed = json!({"tenant": [{
            "name": "Contoso", "domain": "contoso.example",
            "user": [{"upn": "alice@contoso.example"}, {"upn": "bob@contoso.example"}],
            "group": [{"name": "Calendar Apps", "members": ["alice@contoso.example"]}],
            "app": [{"app_id": app, "name": "Scheduler"}],
            "exchange_policy": [{"app_ids": [app], "scope": "Calendar Apps", "access_right": "RestrictAccess", "description": "calendar app"}]
        }]});
        let (status, first) = t.admin(Method::POST, "/admin/apply", Some(seed.clone())).await;
        assert_eq!(status, 200, "{first}");
        assert_eq!(first["created"]["policies"], 1, "{first}");
        let (status, again) = t.admin(Method::POST, "/admin/apply", Some(seed.clone())).await;
        assert_eq!(status, 200, "{again}");
        assert_eq!(again["created"]["policies"], 0, "{again}");
        assert_eq!(again["unchanged"]["policies"], 1, "{again}");

        let (_, exported) = t.admin(Method::GET, "/admin/export", None).await;
        let contoso = exported["tenant"].as_array().unwrap().iter().find(|x| x["domain"] == "contoso.example").unwrap().clone();
        let policies = contoso["exchange_policy"].as_array().unwrap();
        assert_eq!(policies.len(), 1, "{contoso}");
        assert_eq!(policies[0]["app_ids"], json!([app]));
        assert_eq!(policies[0]["access_right"], "RestrictAccess");
        assert_eq!(policies[0]["description"], "calendar app");
        let group_id = contoso["group"][0]["id"].as_str().unwrap();
        assert_eq!(policies[0]["scope"], group_id);

        // What the seed set up decides: Bob is outside the group, Alice inside.
        let (_, tested) = t.admin(Method::GET, &format!("/admin/exchange-policies/test?tenant=contoso.example&user=bob@contoso.example&app_id={app}"), None).await;
        assert_eq!(tested["access_check_result"], "Denied", "{tested}");
        assert_eq!(tested["graph_allowed"], true, "not yet propagated: {tested}");
        let (_, tested) = t.admin(Method::GET, &format!("/admin/exchange-policies/test?tenant=contoso.example&user=alice@contoso.example&app_id={app}"), None).await;
        assert_eq!(tested["access_check_result"], "Granted", "{tested}");
        t.server.shutdown().await;
    })
    .await;
}
