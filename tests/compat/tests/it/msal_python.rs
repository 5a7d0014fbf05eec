//! MSAL Python (`msal` from PyPI) gets tokens from a running graphmeet server over HTTPS,
//! trusting the generated CA, with only the authority changed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[tokio::test]
async fn msal_python_gets_tokens_with_secret_and_certificate_and_real_errors(
) -> Result<(), graphmeet_compat::VenvError> {
    let python = graphmeet_compat::venv_python()?;
    let graphmeet_testkit::TestServer {
        server, dir: _dir, ..
    } = graphmeet_testkit::TestServer::start().await;
    let creds_path = server.dev_credentials.clone().unwrap();
    let ca = server.ca_cert_path.clone().unwrap();

    let script = graphmeet_compat::python_dir().join("msal_client_credentials.py");
    let output = tokio::process::Command::new(&python)
        .arg(&script)
        .arg(&creds_path)
        .env("REQUESTS_CA_BUNDLE", &ca)
        .env("SSL_CERT_FILE", &ca)
        .output()
        .await
        .unwrap();
    let out = graphmeet_compat::script_json(&output).unwrap_or_else(|e| panic!("{e}"));

    for case in ["secret", "certificate_pss", "certificate_rs256"] {
        assert_eq!(out[case]["token_type"], "Bearer", "{case}: {}", out[case]);
        assert!(
            out[case]["access_token"]
                .as_str()
                .is_some_and(|t| t.split('.').count() == 3),
            "{case}"
        );
    }
    assert_eq!(out["wrong_secret"]["error"], "invalid_client");
    assert_eq!(
        out["wrong_secret"]["error_codes"],
        serde_json::json!([7000215])
    );
    assert!(out["wrong_secret"]["error_description"]
        .as_str()
        .unwrap()
        .starts_with("AADSTS7000215: Invalid client secret provided."));
    assert_eq!(out["unknown_client"]["error"], "unauthorized_client");
    assert_eq!(
        out["unknown_client"]["error_codes"],
        serde_json::json!([700016])
    );
    server.shutdown().await;
    Ok(())
}
