//! The app configuration's tests.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

#[test]
fn clouds() {
    let ms = Cloud::microsoft();
    assert_eq!(ms.authority_host(), "https://login.microsoftonline.com");
    assert_eq!(ms.graph_url(), "https://graph.microsoft.com/v1.0");
    assert_eq!(
        ms.token_url("contoso.onmicrosoft.com").unwrap().as_str(),
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
    );
    let gm = Cloud::graphmeet("https://127.0.0.1:8443/", Some(b"pem")).unwrap();
    assert_eq!(gm.authority_host(), "https://127.0.0.1:8443");
    assert_eq!(gm.graph_url(), "https://127.0.0.1:8443/v1.0");
    assert_eq!(gm.ca_cert_pem(), Some(&b"pem"[..]));
    assert_eq!(
        gm.admin_consent_url("t", "a"),
        "https://127.0.0.1:8443/t/adminconsent?client_id=a"
    );
    assert!(Cloud::graphmeet("ftp://x", None).is_err());
}

#[test]
fn env_and_profiles() {
    let vars: HashMap<&str, &str> = [
        ("AZURE_CLIENT_ID", "cid"),
        ("AZURE_CLIENT_SECRET", "s3cret-value"),
        ("AZURE_TENANT_ID", "tid"),
        ("AZURE_AUTHORITY_HOST", "https://127.0.0.1:9999"),
    ]
    .into_iter()
    .collect();
    let config = AppConfig::from_vars(|n| vars.get(n).map(|v| v.to_string())).unwrap();
    assert_eq!(config.client_id, "cid");
    assert_eq!(config.tenant_id.as_deref(), Some("tid"));
    assert_eq!(config.cloud.graph_url(), "https://127.0.0.1:9999/v1.0");
    assert!(!format!("{config:?}").contains("s3cret-value"));
    assert!(AppConfig::from_vars(|_| None).is_err());

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profiles.json");
    std::fs::write(
        &path,
        r#"{"prod":{"tenant_id":"contoso.onmicrosoft.com","client_id":"a","client_secret":"x"},
           "both":{"client_id":"a","client_secret":"x","certificate_path":"c.pem"}}"#,
    )
    .unwrap();
    let prod = AppConfig::from_profile_file(&path, "prod").unwrap();
    assert_eq!(prod.cloud, Cloud::microsoft());
    assert_eq!(prod.credential, ClientCredential::secret("x"));
    let err = AppConfig::from_profile_file(&path, "both").unwrap_err();
    assert!(err.to_string().contains("both"), "{err}");
    let err = AppConfig::from_profile_file(&path, "nope").unwrap_err();
    assert!(err.to_string().contains("both, prod"), "{err}");
}

#[test]
fn pfx_is_refused_with_the_conversion() {
    let err = CertificateCredential::from_pem_file(Path::new("/x/app.pfx")).unwrap_err();
    assert!(err.to_string().contains("openssl pkcs12"), "{err}");
    assert!(CertificateCredential::from_pem(b"nothing").is_err());
}
