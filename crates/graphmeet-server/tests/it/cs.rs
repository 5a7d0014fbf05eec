//! The Teams cmdlets, pasted verbatim, through `POST /admin/cs`, and the Graph API honouring
//! what they set up.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use graphmeet_testkit::*;
use reqwest::Method;
use serde_json::{json, Value};

async fn cs(t: &TestServer, script: &str) -> (u16, Value) {
    t.admin(Method::POST, "/admin/cs", Some(json!({"script": script})))
        .await
}

#[tokio::test]
async fn the_seed_cmdlet_lines_pasted_verbatim_make_a_policy_graph_honours() {
    for (name, db) in databases().await {
        eprintln!("running on {name}");
        let t = TestServer::start_on(db.as_ref().map(|d| d.url.clone())).await;
        let token = t.app_token().await;
        let app = t.cred("client_id");
        let (_, bob) = t.admin(Method::POST, "/admin/users", Some(json!({"tenant": t.cred("tenant_id"), "upn": "bob@graphmeetdev.onmicrosoft.com"}))).await;
        let bob_id = bob["id"].as_str().unwrap();
        let path = format!("/v1.0/users/{bob_id}/onlineMeetings");
        let create = || {
            t.graph(
                Some(&token),
                Method::POST,
                &path,
                Some(json!({"subject": "via cmdlets"})),
            )
        };
        assert_eq!(create().await.0, 403);

        // Exactly as in the docs, including the missing space before -Description.
        let script = format!(
            "New-CsApplicationAccessPolicy -Identity Meetings-App -AppIds \"{app}\"-Description \"Meetings app\"\nGrant-CsApplicationAccessPolicy -PolicyName Meetings-App -Identity \"{bob_id}\"\n"
        );
        let (status, out) = cs(&t, &script).await;
        assert_eq!(status, 200, "{out}");
        assert_eq!(out["executed"], 2);
        let text = out["output"].as_str().unwrap();
        assert!(text.contains("Identity    : Tag:Meetings-App"), "{text}");
        assert!(text.contains(&format!("AppIds      : {{{app}}}")), "{text}");
        assert_eq!(
            create().await.0,
            201,
            "Graph honours the policy the cmdlets made"
        );

        let (_, got) = cs(
            &t,
            "Get-CsApplicationAccessPolicy -Identity 'Tag:Meetings-App'",
        )
        .await;
        assert!(
            got["output"]
                .as_str()
                .unwrap()
                .starts_with("Identity    : Tag:Meetings-App\nAppIds      : "),
            "{got}"
        );
        let (_, user) = cs(&t, &format!("Get-CsOnlineUser -Identity {bob_id}")).await;
        assert!(
            user["output"]
                .as_str()
                .unwrap()
                .contains("ApplicationAccessPolicy : Meetings-App"),
            "{user}"
        );

        // -PolicyName $null revokes.
        let (status, _) = cs(
            &t,
            &format!("Grant-CsApplicationAccessPolicy -Identity {bob_id} -PolicyName $null"),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(create().await.0, 403);
        t.server.shutdown().await;
        if let Some(db) = db {
            db.cleanup().await.unwrap();
        }
    }
}

#[tokio::test]
async fn every_cmdlet_form_runs_and_errors_name_what_is_wrong() {
    let t = TestServer::start().await;
    let token = t.app_token().await;
    let app = t.cred("client_id");
    let other = "5b0a1e7c-2f3d-4a8b-9c6d-1e2f3a4b5c6d";
    let uid = t.cred("user_id");
    let path = format!("/v1.0/users/{uid}/onlineMeetings");
    let create = || t.graph(Some(&token), Method::POST, &path, Some(json!({})));
    // The organizer's bootstrap grant is replaced by grants made here.
    let script = format!(
        "# a script, as an admin keeps it\n\
         New-CsApplicationAccessPolicy -Identity \"Everyone\" -AppIds \"{other}\", \"{app}\" -Description 'all apps';\n\
         Set-CsApplicationAccessPolicy -Identity Everyone -AppIds @{{Remove=\"{app}\"}}\n\
         Set-CsApplicationAccessPolicy -Identity Everyone -AppIds @{{Add=\"{app}\"}}\n\
         Grant-CsApplicationAccessPolicy -PolicyName Everyone -Global -PassThru\n\
         Grant-CsApplicationAccessPolicy -Identity {uid} -PolicyName $null\n"
    );
    let (status, out) = cs(&t, &script).await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["executed"], 5);
    assert_eq!(
        create().await.0,
        201,
        "the global grant serves the organizer"
    );
    let (_, out) = cs(
        &t,
        &format!(
            "Set-CsApplicationAccessPolicy -Identity Everyone -AppIds @{{Replace=\"{other}\"}}"
        ),
    )
    .await;
    assert_eq!(out["executed"], 1);
    assert_eq!(create().await.0, 403);
    let (_, listed) = cs(&t, "Get-CsApplicationAccessPolicy -Filter \"Tag:Every*\"").await;
    assert!(
        listed["output"]
            .as_str()
            .unwrap()
            .contains(&format!("{{{other}}}")),
        "{listed}"
    );
    let (_, what_if) = cs(
        &t,
        "Remove-CsApplicationAccessPolicy -Identity Everyone -WhatIf",
    )
    .await;
    assert!(
        what_if["output"].as_str().unwrap().starts_with("What if:"),
        "{what_if}"
    );
    let (status, _) = cs(&t, "Remove-CsApplicationAccessPolicy -Identity Everyone").await;
    assert_eq!(status, 200);
    let (_, empty) = cs(&t, "Get-CsApplicationAccessPolicy").await;
    assert!(
        !empty["output"].as_str().unwrap().contains("Everyone"),
        "{empty}"
    );

    for (script, needle) in [
        ("New-CsFooPolicy -Identity X", "New-CsFooPolicy"),
        ("New-CsApplicationAccessPolicy -Identity X -AppIds a -Colour red", "Colour"),
        ("New-CsApplicationAccessPolicy -Identity X -AppIds \"not-a-guid\"", "not-a-guid"),
        ("Grant-CsApplicationAccessPolicy -PolicyName X -Global -Identity y", "Parameter set cannot be resolved"),
        ("Set-CsApplicationAccessPolicy -Identity Nope -AppIds @{Add=\"5b0a1e7c-2f3d-4a8b-9c6d-1e2f3a4b5c6d\"}", "Nope"),
    ] {
        let (status, body) = cs(&t, script).await;
        assert_eq!(status / 100, 4, "{script}: {body}");
        assert!(body["error"]["message"].as_str().unwrap().contains(needle), "{script}: {body}");
    }
    t.server.shutdown().await;
}

#[tokio::test]
async fn hostile_filters_answer_at_once_and_the_server_keeps_serving() {
    let t = TestServer::start().await;
    let app = t.cred("client_id");
    let name = "a".repeat(36);
    let (status, out) = cs(
        &t,
        &format!("New-CsApplicationAccessPolicy -Identity {name} -AppIds \"{app}\""),
    )
    .await;
    assert_eq!(status, 200, "{out}");
    let started = std::time::Instant::now();
    // The backtracking pattern: fast, and it matches nothing.
    let pattern = format!("{}b", "*a".repeat(18));
    let (status, listed) = cs(
        &t,
        &format!("Get-CsApplicationAccessPolicy -Filter '{pattern}'"),
    )
    .await;
    assert_eq!(status, 200, "{listed}");
    assert!(
        !listed["output"].as_str().unwrap().contains(&name),
        "{listed}"
    );
    let (_, listed) = cs(
        &t,
        &format!(
            "Get-CsApplicationAccessPolicy -Filter '{}a'",
            "*a".repeat(18)
        ),
    )
    .await;
    assert!(
        listed["output"].as_str().unwrap().contains(&name),
        "{listed}"
    );
    // 60,000 stars: over the token limit, refused with the limit named.
    let (status, body) = cs(
        &t,
        &format!(
            "Get-CsApplicationAccessPolicy -Filter '{}'",
            "*".repeat(60_000)
        ),
    )
    .await;
    assert_eq!(status / 100, 4, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("4096 bytes"),
        "{body}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(
        t.http.get(t.url("/healthz")).send().await.unwrap().status(),
        200
    );
    t.server.shutdown().await;
}
