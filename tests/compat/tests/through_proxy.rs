//! Unmodified clients through proxy mode: MSAL Python and msgraph-sdk (with azure-identity)
//! keep their default authority (`login.microsoftonline.com`) and Graph base URL
//! (`graph.microsoft.com`); only `HTTPS_PROXY` and trust of the local CA are set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use serde_json::Value;

#[tokio::test]
async fn msal_and_msgraph_sdk_with_their_defaults_work_through_the_proxy(
) -> Result<(), graphmeet_compat::VenvError> {
    let python = graphmeet_compat::venv_python()?;
    let dir = tempfile::tempdir().unwrap();
    let mut config = graphmeet_server::Config::new(dir.path().to_path_buf());
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.proxy_listen = Some("127.0.0.1:0".parse().unwrap());
    let server = graphmeet_server::start(config).await.unwrap();
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
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let out: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{stderr}", String::from_utf8_lossy(&output.stdout)));
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
