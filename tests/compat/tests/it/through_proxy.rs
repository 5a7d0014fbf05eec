//! Unmodified clients through proxy mode: MSAL Python and msgraph-sdk (with azure-identity)
//! keep their default authority (`login.microsoftonline.com`) and Graph base URL
//! (`graph.microsoft.com`); only `HTTPS_PROXY` and trust of the local CA are set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use serde_json::Value;

#[tokio::test]
async fn msal_and_msgraph_sdk_with_their_defaults_work_through_the_proxy(
) -> Result<(), graphmeet_compat::VenvError> {
    let python = graphmeet_compat::venv_python()?;
    let graphmeet_testkit::TestServer {
        server, dir: _dir, ..
    } = graphmeet_testkit::TestServer::start_with(tempfile::tempdir().unwrap(), |config| {
        config.proxy_listen = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    let creds_path = server.dev_credentials.clone().unwrap();
    let ca = server.ca_cert_path.clone().unwrap();
    let proxy = format!("http://{}", server.proxy_addr.unwrap());

    let script = graphmeet_compat::python_dir().join("through_proxy.py");
    let output = tokio::process::Command::new(&python)
        .arg(&script)
        .arg(&creds_path)
        .env("HTTPS_PROXY", &proxy)
        .env("https_proxy", &proxy)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .env("REQUESTS_CA_BUNDLE", &ca)
        .env("SSL_CERT_FILE", &ca)
        .output()
        .await
        .unwrap();
    let out = graphmeet_compat::script_json(&output).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out["msal"]["token_type"], "Bearer", "{out}");
    assert_eq!(out["msal"]["has_token"], true, "{out}");
    let msgraph = &out["msgraph"];
    assert_eq!(msgraph["subject"], "Through the proxy", "{out}");
    assert_eq!(
        msgraph["found"],
        serde_json::json!([msgraph["created"]]),
        "{out}"
    );
    server.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn azure_identity_and_the_graph_javascript_client_with_their_defaults_work_through_the_proxy(
) -> Result<(), graphmeet_compat::VenvError> {
    let node = graphmeet_compat::node()?;
    let graphmeet_testkit::TestServer {
        server, dir: _dir, ..
    } = graphmeet_testkit::TestServer::start_with(tempfile::tempdir().unwrap(), |config| {
        config.proxy_listen = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    let creds_path = server.dev_credentials.clone().unwrap();
    let creds: Value = serde_json::from_slice(&std::fs::read(&creds_path).unwrap()).unwrap();
    let ca = server.ca_cert_path.clone().unwrap();
    let proxy = format!("http://{}", server.proxy_addr.unwrap());

    let output = tokio::process::Command::new(&node)
        .arg(graphmeet_compat::node_dir().join("through_proxy.mjs"))
        .arg(&creds_path)
        .current_dir(graphmeet_compat::node_dir())
        .env("HTTPS_PROXY", &proxy)
        .env("https_proxy", &proxy)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .env_remove("AZURE_AUTHORITY_HOST")
        .env("NODE_EXTRA_CA_CERTS", &ca)
        .output()
        .await
        .unwrap();
    let out = graphmeet_compat::script_json(&output).unwrap_or_else(|e| panic!("{e}"));
    // The token is the real authority's, for Graph.
    let tid = creds["tenant_id"].as_str().unwrap();
    assert_eq!(
        out["identity"]["issuer"],
        format!("https://sts.windows.net/{tid}/"),
        "{out}"
    );
    assert_eq!(
        out["identity"]["audience"], "https://graph.microsoft.com",
        "{out}"
    );
    assert_eq!(out["identity"]["expires"], true, "{out}");
    let graph = &out["graph"];
    assert_eq!(graph["subject"], "Node through the proxy", "{out}");
    assert!(
        graph["joinWebUrl"]
            .as_str()
            .unwrap()
            .contains("/l/meetup-join/19%3ameeting_"),
        "{out}"
    );
    assert_eq!(
        graph["found"],
        serde_json::json!([graph["created"]]),
        "{out}"
    );
    assert_eq!(graph["afterDelete"], 404, "{out}");
    server.shutdown().await;
    Ok(())
}
