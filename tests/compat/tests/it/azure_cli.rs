//! The Azure CLI (`azure-cli` from PyPI) on a cloud registered to point at a graphmeet server:
//! `az login --service-principal`, which asks for an Azure Resource Manager token, then
//! `az rest` creating and deleting a meeting on the server's Graph with the app's token.
//!
//! What `az` needs, found in its sources (azure-cli 2.91): `core.instance_discovery=false`
//! (else MSAL validates the authority at login.microsoftonline.com; the setting Azure Stack
//! uses), and `--skip-subscription-discovery` with `--allow-no-subscriptions` (else login lists
//! subscriptions on Resource Manager, which graphmeet does not serve).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use serde_json::{json, Value};
use std::path::Path;

/// Runs `az` with the test's own config dir and the server's CA; returns stdout as JSON (Null
/// when empty), or panics with stderr.
async fn az(az: &Path, config_dir: &Path, ca: &Path, args: &[&str]) -> Value {
    let output = tokio::process::Command::new(az)
        .args(args)
        .env("AZURE_CONFIG_DIR", config_dir)
        .env("REQUESTS_CA_BUNDLE", ca)
        .env("AZURE_CORE_INSTANCE_DISCOVERY", "false")
        .env("AZURE_CORE_COLLECT_TELEMETRY", "false")
        .env("AZURE_CORE_SURVEY_MESSAGE", "false")
        .env("AZURE_CORE_NO_COLOR", "true")
        .env("AZURE_CORE_ONLY_SHOW_ERRORS", "true")
        .env_remove("AZURE_CLIENT_ID")
        .env_remove("AZURE_CLIENT_SECRET")
        .env_remove("AZURE_TENANT_ID")
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "az {}: {stdout}\n{stderr}",
        args.first().copied().unwrap_or_default()
    );
    if stdout.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"))
    }
}

#[tokio::test]
async fn azure_cli_logs_in_as_a_service_principal_and_manages_a_meeting_with_az_rest(
) -> Result<(), graphmeet_compat::VenvError> {
    let az_cli = graphmeet_compat::az_cli()?;
    let graphmeet_testkit::TestServer {
        server,
        http,
        creds,
        dir: _dir,
        ..
    } = graphmeet_testkit::TestServer::start().await;
    let ca = server.ca_cert_path.clone().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config_dir = dir.path().join("azure");
    let base = server.base_url.clone();
    let run = |args: Vec<String>| {
        let (az_cli, config_dir, ca) = (az_cli.clone(), config_dir.clone(), ca.clone());
        async move {
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            az(&az_cli, &config_dir, &ca, &refs).await
        }
    };
    let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();

    // The cloud: Entra and Resource Manager at the server; the resource ids are Azure's.
    run(args(&[
        "cloud",
        "register",
        "--name",
        "graphmeet",
        "--skip-endpoint-discovery",
        "--endpoint-active-directory",
        &base,
        "--endpoint-active-directory-resource-id",
        "https://management.core.windows.net/",
        "--endpoint-resource-manager",
        &format!("{base}/"),
        "--endpoint-active-directory-graph-resource-id",
        "https://graph.windows.net/",
        "--endpoint-microsoft-graph-resource-id",
        "https://graph.microsoft.com/",
    ]))
    .await;
    run(args(&["cloud", "set", "--name", "graphmeet"])).await;

    let tid = creds["tenant_id"].as_str().unwrap();
    let client_id = creds["client_id"].as_str().unwrap();
    let accounts = run(args(&[
        "login",
        "--service-principal",
        "--username",
        client_id,
        "--password",
        creds["client_secret"].as_str().unwrap(),
        "--tenant",
        tid,
        "--allow-no-subscriptions",
        "--skip-subscription-discovery",
        "--output",
        "json",
    ]))
    .await;
    let account = &accounts[0];
    assert_eq!(account["cloudName"], "graphmeet", "{accounts}");
    assert_eq!(account["tenantId"], tid);
    assert_eq!(
        account["user"],
        json!({"name": client_id, "type": "servicePrincipal"})
    );

    let meetings = format!(
        "{}/users/{}/onlineMeetings",
        creds["graph_url"].as_str().unwrap(),
        creds["user_id"].as_str().unwrap()
    );
    let created = run(args(&[
        "rest",
        "--method",
        "post",
        "--url",
        &meetings,
        "--resource",
        "https://graph.microsoft.com",
        "--body",
        r#"{"subject": "Planned with az", "startDateTime": "2026-07-01T10:00:00Z", "endDateTime": "2026-07-01T11:00:00Z"}"#,
        "--output",
        "json",
    ]))
    .await;
    assert_eq!(created["subject"], "Planned with az", "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(created["joinWebUrl"]
        .as_str()
        .unwrap()
        .starts_with("https://"));

    let deleted = run(args(&[
        "rest",
        "--method",
        "delete",
        "--url",
        &format!("{meetings}/{id}"),
        "--resource",
        "https://graph.microsoft.com",
    ]))
    .await;
    assert_eq!(deleted, Value::Null);

    // Gone, as Graph itself says.
    let token: Value = http
        .post(creds["token_url"].as_str().unwrap())
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", creds["client_secret"].as_str().unwrap()),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let status = http
        .get(format!("{meetings}/{id}"))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 404);
    server.shutdown().await;
    Ok(())
}
