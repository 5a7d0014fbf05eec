//! How the CLI reaches a server, in one place: the admin client for the administration nouns
//! ([`admin`]) and the application for the application-side verbs ([`app`]: `meeting`,
//! `doctor`), each filled in from the flags, then the data directory of a local server.
//!
//! Reads only [`crate::args`].

use std::path::PathBuf;

use anyhow::Context as _;
use graphmeet_client::discovery::{read_admin_key, read_ca_cert, ServerFile};
use graphmeet_client::{AdminClient, AppConfig, ClientCredential, Cloud, MeetingsClient};
use serde::Deserialize;

use crate::args::{AppArgs, GlobalArgs, UsageError};

/// The data directory: `--data-dir`, else the platform's default (the same as `serve`'s).
pub fn data_dir(global: &GlobalArgs) -> PathBuf {
    global
        .data_dir
        .clone()
        .unwrap_or_else(graphmeet_server::Config::default_data_dir)
}

/// An admin client from the flags, filling in whatever they leave out from the data directory
/// (`server.json` and `admin-key`, which `graphmeet serve` writes).
pub fn admin(global: &GlobalArgs) -> anyhow::Result<AdminClient> {
    let dir = data_dir(global);
    let (url, ca_cert) = match &global.server {
        Some(url) => {
            // A CA from the flags; else, for a local server reached by URL, its own CA.
            let ca = global.ca_cert.clone().or_else(|| {
                ServerFile::read(&dir)
                    .ok()
                    .filter(|file| file.url.origin() == url.origin())
                    .and_then(|file| file.ca_cert_path)
            });
            (url.clone(), ca)
        }
        None => {
            let file = ServerFile::read(&dir)?;
            (file.url, global.ca_cert.clone().or(file.ca_cert_path))
        }
    };
    let admin_key = match &global.admin_key {
        Some(key) => key.clone(),
        None => read_admin_key(&dir)?,
    };
    let ca = ca_cert.as_deref().map(read_ca_cert).transpose()?;
    Ok(AdminClient::new(url, admin_key, ca.as_deref())?)
}

/// The tenant a command names with `--tenant`, or else the server's only tenant (on a local
/// server, the dev tenant), as `meeting` verbs default to the dev app. Several tenants and no
/// `--tenant` is a usage error that lists them.
pub async fn tenant_or_only(
    client: &AdminClient,
    tenant: Option<String>,
) -> anyhow::Result<String> {
    if let Some(tenant) = tenant {
        return Ok(tenant);
    }
    let mut tenants = client.list_tenants().await.context("listing tenants")?;
    match tenants.len() {
        0 => anyhow::bail!(
            "the server has no tenant: create one with `graphmeet tenant create --name NAME`"
        ),
        1 => {
            let only = tenants.remove(0);
            Ok(only.domains.into_iter().next().unwrap_or(only.id))
        }
        n => {
            let names: Vec<String> = tenants
                .iter()
                .map(|t| match t.domains.first() {
                    Some(domain) => format!("  {domain} ({}, {})", t.display_name, t.id),
                    None => format!("  {} ({})", t.id, t.display_name),
                })
                .collect();
            Err(UsageError(format!(
                "the server has {n} tenants; name one with --tenant:\n{}",
                names.join("\n")
            ))
            .into())
        }
    }
}

/// The file a bootstrapped graphmeet server writes into its data directory.
pub const DEV_CREDENTIALS_FILE: &str = "dev-credentials.json";

/// Where the credentials came from, for `doctor` and error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `--client-id` with `--client-secret` / `--certificate` (or their variables).
    FlagsOrEnvironment,
    /// `--profile NAME`.
    Profile(String),
    /// `DATA_DIR/dev-credentials.json` of a local graphmeet server.
    DevCredentials(PathBuf),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::FlagsOrEnvironment => f.write_str("the flags / AZURE_* environment variables"),
            Source::Profile(name) => write!(f, "profile '{name}'"),
            Source::DevCredentials(path) => {
                write!(f, "the local server's dev credentials ({})", path.display())
            }
        }
    }
}

/// The resolved application: a client, the tenant to act in, and where it all came from.
#[derive(Debug)]
pub struct App {
    /// The meetings client.
    pub client: MeetingsClient,
    /// The tenant every call is made in.
    pub tenant: String,
    /// Where the credentials came from.
    pub source: Source,
}

impl App {
    /// `client secret` or `certificate (thumbprint …)`.
    pub fn credential_kind(&self) -> String {
        match &self.client.config().credential {
            ClientCredential::Secret(_) => "client secret".to_owned(),
            ClientCredential::Certificate(cert) => {
                format!("certificate (thumbprint {})", cert.thumbprint_sha1_hex())
            }
        }
    }
}

/// `dev-credentials.json`: the keys the CLI reads.
#[derive(Deserialize)]
struct DevCredentials {
    tenant_id: String,
    client_id: String,
    client_secret: String,
    #[serde(default)]
    authority: Option<String>,
    #[serde(default)]
    ca_cert_path: Option<PathBuf>,
}

/// Why no application could be set up.
#[derive(Debug)]
pub struct NoCredentials(pub String);

impl std::fmt::Display for NoCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NoCredentials {}

/// What to do when no credentials are found.
pub const CREDENTIALS_HELP: &str = "give --client-id with --client-secret or --certificate \
(or set AZURE_CLIENT_ID with AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH, and \
AZURE_TENANT_ID), or --profile NAME; against a local graphmeet server, point --data-dir at its \
data directory";

/// Resolves the application from the flags (see [`AppArgs`]).
pub fn app(global: &GlobalArgs, args: &AppArgs) -> anyhow::Result<App> {
    let data_dir = &data_dir(global);
    let (mut config, source, dev_ca) = if let Some(name) = &args.profile {
        (
            AppConfig::from_profile(name)?,
            Source::Profile(name.clone()),
            None,
        )
    } else if let Some(client_id) = &args.client_id {
        if args.client_secret.is_none() && args.certificate.is_none() {
            return Err(NoCredentials(format!(
                "app {client_id} has no credential: {CREDENTIALS_HELP}"
            ))
            .into());
        }
        // The flags (clap already fell back to their variables) over the rest of the Azure
        // conventions: AZURE_AUTHORITY_HOST, GRAPHMEET_GRAPH_URL, GRAPHMEET_CA_CERT.
        let overlay = |name: &str| match name {
            "AZURE_CLIENT_ID" => Some(client_id.clone()),
            "AZURE_CLIENT_SECRET" => args.client_secret.clone(),
            "AZURE_CLIENT_CERTIFICATE_PATH" => {
                args.certificate.as_ref().map(|p| p.display().to_string())
            }
            "AZURE_TENANT_ID" => args.tenant.clone(),
            _ => std::env::var(name).ok(),
        };
        (
            AppConfig::from_vars(overlay)?,
            Source::FlagsOrEnvironment,
            None,
        )
    } else {
        let path = data_dir.join(DEV_CREDENTIALS_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(NoCredentials(format!(
                    "no application credentials: no --client-id, AZURE_CLIENT_ID or --profile, \
                     and no {} (not a local graphmeet server's data directory); \
                     {CREDENTIALS_HELP}",
                    path.display()
                ))
                .into())
            }
            Err(err) => anyhow::bail!("cannot read {}: {err}", path.display()),
        };
        let dev: DevCredentials = serde_json::from_str(&text)
            .map_err(|err| anyhow::anyhow!("cannot parse {}: {err}", path.display()))?;
        let cloud = match &global.server {
            // Replaced below by the --server cloud.
            Some(_) => Cloud::microsoft(),
            None => Cloud::from_local_data_dir(data_dir).or_else(|err| {
                // No server.json: the authority of the file, and its CA.
                let authority = dev.authority.as_deref().ok_or(err)?;
                let base = authority
                    .trim_end_matches('/')
                    .trim_end_matches(dev.tenant_id.as_str())
                    .trim_end_matches('/');
                let ca = dev.ca_cert_path.as_deref().map(read_ca_cert).transpose()?;
                Cloud::graphmeet(base, ca.as_deref())
            })?,
        };
        let config = AppConfig::new(
            dev.client_id,
            ClientCredential::secret(dev.client_secret),
            cloud,
        )
        .with_tenant(dev.tenant_id);
        (config, Source::DevCredentials(path), dev.ca_cert_path)
    };

    // --server (and --ca-cert) point at a graphmeet server elsewhere.
    if let Some(server) = &global.server {
        let ca_path = global.ca_cert.clone().or(dev_ca);
        let ca = ca_path.as_deref().map(read_ca_cert).transpose()?;
        config.cloud = Cloud::graphmeet(server.as_str(), ca.as_deref())?;
    } else if let Some(ca) = &global.ca_cert {
        config.cloud = config.cloud.with_ca_cert_pem(&read_ca_cert(ca)?);
    }

    let tenant = args
        .tenant
        .clone()
        .or_else(|| config.tenant_id.clone())
        .ok_or_else(|| {
            UsageError(format!(
                "no tenant for app {}: give --tenant (or set AZURE_TENANT_ID)",
                config.client_id
            ))
        })?;
    let client = MeetingsClient::new(config)?;
    Ok(App {
        client,
        tenant,
        source,
    })
}
