//! First start on an empty store: a ready-to-use development setup for the scenario of creating
//! Teams meetings as an application — a tenant, an organizer, an app with a secret and a
//! certificate, admin consent for `OnlineMeetings.ReadWrite.All`, an application access policy
//! listing the app granted to the organizer — and `dev-credentials.json`
//! describing it.

use crate::fsutil::{write_private, Existing};
use crate::pki::PkiError;
use chrono::Duration;
use graphmeet_core::directory::{Directory, DirectoryError};
use graphmeet_core::GrantTarget;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The file `serve` writes on bootstrap, with exactly the keys clients need.
#[derive(Debug, Clone, Serialize)]
pub struct DevCredentials {
    /// The dev tenant's id.
    pub tenant_id: String,
    /// Its `*.onmicrosoft.com`-style domain.
    pub tenant_domain: String,
    /// The app's client id.
    pub client_id: String,
    /// The app's client secret.
    pub client_secret: String,
    /// PEM holding the app's certificate and private key.
    pub certificate_path: String,
    /// The organizer's object id.
    pub user_id: String,
    /// The organizer's UPN.
    pub user_upn: String,
    /// `https://host:port/{tenant_id}`.
    pub authority: String,
    /// The token endpoint.
    pub token_url: String,
    /// `https://host:port/v1.0`.
    pub graph_url: String,
    /// The CA certificate to trust (null over plain http).
    pub ca_cert_path: Option<String>,
}

/// Bootstrap failed.
#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    /// A directory change was refused.
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    /// A file could not be written.
    #[error(transparent)]
    File(#[from] PkiError),
}

/// The dev setup's application access policy.
pub const DEV_POLICY: &str = "graphmeet-dev-meetings";

/// The dev tenant's domain.
pub const DEV_DOMAIN: &str = "graphmeetdev.onmicrosoft.com";

/// Creates the dev setup and writes `DIR/dev-credentials.json` and `DIR/dev-app.pem` (0600).
pub async fn bootstrap(
    directory: &Directory,
    data_dir: &Path,
    base_url: &str,
    ca_cert: Option<&Path>,
) -> Result<(DevCredentials, PathBuf), BootstrapError> {
    let tenant = directory
        .create_tenant("graphmeet dev", Some(DEV_DOMAIN), None)
        .await?;
    let user = directory
        .create_user(
            DEV_DOMAIN,
            &format!("organizer@{DEV_DOMAIN}"),
            Some("Meeting Organizer"),
            None,
        )
        .await?;
    let (app, _) = directory
        .create_app(DEV_DOMAIN, "graphmeet dev app", false)
        .await?;
    let secret = directory
        .add_secret(app.app_id, "dev secret", Duration::days(730))
        .await?;
    let cert = directory
        .add_generated_certificate(app.app_id, Duration::days(365))
        .await?;
    directory
        .grant_consent(
            DEV_DOMAIN,
            app.app_id,
            &["OnlineMeetings.ReadWrite.All".to_owned()],
        )
        .await?;
    // What a tenant admin does with New-CsApplicationAccessPolicy and Grant-CsApplicationAccessPolicy.
    directory
        .create_policy(
            DEV_DOMAIN,
            DEV_POLICY,
            &[app.app_id],
            "graphmeet dev app may create meetings for the organizer",
        )
        .await?;
    directory
        .grant_policy(DEV_DOMAIN, DEV_POLICY, GrantTarget::User(user.id))
        .await?;

    let cert_path = data_dir.join("dev-app.pem");
    write_private(&cert_path, cert.pem.as_bytes(), Existing::Replace).map_err(PkiError::from)?;
    let creds = DevCredentials {
        tenant_id: tenant.id.to_string(),
        tenant_domain: DEV_DOMAIN.to_owned(),
        client_id: app.app_id.to_string(),
        client_secret: secret.value,
        certificate_path: cert_path.display().to_string(),
        user_id: user.id.to_string(),
        user_upn: user.upn,
        authority: format!("{base_url}/{}", tenant.id),
        token_url: format!("{base_url}/{}/oauth2/v2.0/token", tenant.id),
        graph_url: format!("{base_url}/v1.0"),
        ca_cert_path: ca_cert.map(|p| p.display().to_string()),
    };
    let path = data_dir.join("dev-credentials.json");
    let json = serde_json::to_string_pretty(&creds).unwrap_or_default();
    write_private(&path, json.as_bytes(), Existing::Replace).map_err(PkiError::from)?;
    Ok((creds, path))
}
