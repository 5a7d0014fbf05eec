//! The admin API's OpenAPI 3.1 description, checked against the running server by schemathesis
//! (from PyPI): generated calls for every operation, with the admin key, answer without a 5xx,
//! with a documented status and content type, and with a body its schema accepts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use serde_json::Value;

/// One fixed seed, so that a failure in CI reproduces; `GRAPHMEET_SCHEMATHESIS_SEED` explores
/// others.
const DEFAULT_SEED: &str = "20261201";

#[tokio::test]
async fn schemathesis_finds_no_5xx_and_no_response_off_its_schema(
) -> Result<(), graphmeet_compat::VenvError> {
    let python = graphmeet_compat::venv_python()?;
    let schemathesis = python.with_file_name("schemathesis");
    assert!(
        schemathesis.exists(),
        "{} has no schemathesis; reinstall it from {}",
        python.display(),
        graphmeet_compat::python_dir()
            .join("requirements.txt")
            .display()
    );
    let t = graphmeet_testkit::TestServer::start().await;
    let admin_key = t.admin_key();
    let graphmeet_testkit::TestServer {
        server,
        http,
        creds,
        dir,
        ..
    } = t;
    let ca = server.ca_cert_path.clone().unwrap();

    // The document itself: OpenAPI 3.1, public, and naming every admin operation.
    let url = format!("{}{}", server.base_url, graphmeet_server::openapi::PATH);
    let document: Value = http.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    for (path, method) in [
        ("/admin/tenants", "post"),
        ("/admin/users/{user}", "patch"),
        ("/admin/policy-grants", "post"),
        ("/admin/cs", "post"),
        ("/admin/apply", "post"),
        ("/admin/clock", "post"),
        ("/metrics", "get"),
    ] {
        let operation = &document["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is not described");
        assert!(
            operation["responses"]["default"].is_object(),
            "{method} {path} has no error response"
        );
    }

    // Realistic values for the path parameters that name existing things, so that calls reach
    // past the lookup; every other value is generated.
    let tenant = creds["tenant_id"].as_str().unwrap();
    let user = creds["user_id"].as_str().unwrap();
    let app = creds["client_id"].as_str().unwrap();
    let settings = dir.path().join("schemathesis.toml");
    std::fs::write(
        &settings,
        format!(
            "[parameters]\n\"path.tenant\" = \"{tenant}\"\n\"path.user\" = \"{user}\"\n\"path.app_id\" = \"{app}\"\n"
        ),
    )
    .unwrap();
    let seed = std::env::var("GRAPHMEET_SCHEMATHESIS_SEED").unwrap_or(DEFAULT_SEED.to_owned());
    let out = tokio::process::Command::new(&schemathesis)
        .arg("--config-file")
        .arg(&settings)
        .args(["--no-color", "run", &url, "--url", &server.base_url])
        .arg("--tls-verify")
        .arg(&ca)
        .args(["-H", &format!("x-graphmeet-admin-key: {admin_key}")])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            // Reset empties the store the rest of the run explores; its own tests cover it.
            "--exclude-path",
            "/admin/reset",
            "--max-examples",
            "25",
            "--workers",
            "2",
            "--seed",
            &seed,
        ])
        .current_dir(dir.path())
        .output()
        .await
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "schemathesis failed (seed {seed}):\n{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        report.contains("passed") && !report.contains("Tested: 0"),
        "{report}"
    );
    Ok(())
}
