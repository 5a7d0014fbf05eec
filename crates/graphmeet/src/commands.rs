//! What each command does.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use graphmeet_client::discovery::{read_admin_key, read_ca_cert, ServerFile};
use graphmeet_client::AdminClient;
use graphmeet_wire::admin::{
    AddCertificate, AddSecret, CreateApp, CreateTenant, CreateUser, GrantConsent,
};

use crate::cli::{
    AppCommand, Cli, Command, ConsentCommand, GlobalArgs, KeysCommand, OutputFormat, ServeArgs,
    TenantCommand, UserCommand,
};
use crate::output::{render, CertificateAdded, Render};

/// A command line that parsed but makes no sense; exits 2 like clap's own usage errors.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let Cli { global, command } = cli;
    match command {
        Command::Serve(args) => serve(&global, args).await,
        Command::Tenant(cmd) => tenant(&global, cmd).await,
        Command::User(cmd) => user(&global, cmd).await,
        Command::App(cmd) => app(&global, cmd).await,
        Command::Consent(cmd) => consent(&global, cmd).await,
        Command::Keys(cmd) => keys(&global, cmd).await,
    }
}

fn data_dir(global: &GlobalArgs) -> PathBuf {
    global
        .data_dir
        .clone()
        .unwrap_or_else(graphmeet_server::Config::default_data_dir)
}

async fn serve(global: &GlobalArgs, args: ServeArgs) -> anyhow::Result<()> {
    let config = graphmeet_server::Config {
        data_dir: data_dir(global),
        listen: args.listen,
        database_url: args.database_url,
        public_url: args.public_url,
        plain_http: args.plain_http,
        bootstrap: !args.no_bootstrap,
        admin_key: global.admin_key.clone(),
        policy_propagation_delay: args.policy_propagation_delay,
        join_url_base: args.join_url_base,
    };
    graphmeet_server::serve(config)
        .await
        .context("the server failed")
}

/// An admin client from the flags, filling in whatever they leave out from the data directory
/// (`server.json` and `admin-key`, which `graphmeet serve` writes).
fn connect(global: &GlobalArgs) -> anyhow::Result<AdminClient> {
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

/// Prints a result on stdout in the chosen format.
fn print<T: Render + ?Sized>(value: &T, format: OutputFormat) -> anyhow::Result<()> {
    let text = render(value, format)?;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .context("writing to stdout")
}

async fn tenant(global: &GlobalArgs, cmd: TenantCommand) -> anyhow::Result<()> {
    let client = connect(global)?;
    match cmd {
        TenantCommand::Create { name, domain } => {
            let body = CreateTenant {
                display_name: name.clone(),
                domain,
            };
            let tenant = client
                .create_tenant(&body)
                .await
                .with_context(|| format!("creating tenant '{name}'"))?;
            print(&tenant, global.output)
        }
        TenantCommand::List => {
            let tenants = client.list_tenants().await.context("listing tenants")?;
            print(&tenants, global.output)
        }
    }
}

async fn user(global: &GlobalArgs, cmd: UserCommand) -> anyhow::Result<()> {
    let client = connect(global)?;
    match cmd {
        UserCommand::Create {
            tenant,
            upn,
            display_name,
            password,
        } => {
            let body = CreateUser {
                tenant: tenant.clone(),
                upn: upn.clone(),
                display_name,
                password,
            };
            let user = client
                .create_user(&body)
                .await
                .with_context(|| format!("creating user '{upn}' in tenant '{tenant}'"))?;
            print(&user, global.output)
        }
        UserCommand::List { tenant } => {
            let users = client
                .list_users(&tenant)
                .await
                .with_context(|| format!("listing the users of tenant '{tenant}'"))?;
            print(&users, global.output)
        }
    }
}

async fn app(global: &GlobalArgs, cmd: AppCommand) -> anyhow::Result<()> {
    let client = connect(global)?;
    match cmd {
        AppCommand::Create {
            tenant,
            name,
            multi_tenant,
        } => {
            let body = CreateApp {
                tenant: tenant.clone(),
                display_name: name.clone(),
                multi_tenant,
            };
            let app = client
                .create_app(&body)
                .await
                .with_context(|| format!("registering app '{name}' in tenant '{tenant}'"))?;
            print(&app, global.output)
        }
        AppCommand::List => {
            let apps = client.list_apps().await.context("listing apps")?;
            print(&apps, global.output)
        }
        AppCommand::AddSecret { app_id, name, days } => {
            let body = AddSecret {
                display_name: name,
                days,
            };
            let secret = client
                .add_secret(&app_id, &body)
                .await
                .with_context(|| format!("adding a secret to app '{app_id}'"))?;
            print(&secret, global.output)?;
            eprintln!("warning: save the secret now: it cannot be shown again");
            Ok(())
        }
        AppCommand::AddCert {
            app_id,
            pem,
            days,
            out,
        } => add_cert(&client, global.output, &app_id, pem, days, out).await,
    }
}

async fn add_cert(
    client: &AdminClient,
    format: OutputFormat,
    app_id: &str,
    pem: Option<PathBuf>,
    days: Option<i64>,
    out: Option<PathBuf>,
) -> anyhow::Result<()> {
    if let Some(path) = pem {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading the certificate {}", path.display()))?;
        // Send only the certificate blocks: a private key in the same file stays here.
        let certs = certificate_blocks(&text);
        if certs.is_empty() {
            anyhow::bail!("{} holds no PEM certificate", path.display());
        }
        let body = AddCertificate {
            pem: Some(certs),
            days,
        };
        let mut cert = client
            .add_certificate(app_id, &body)
            .await
            .with_context(|| format!("adding a certificate to app '{app_id}'"))?;
        cert.private_pem = None;
        return print(
            &CertificateAdded {
                certificate: cert,
                private_pem_path: None,
            },
            format,
        );
    }

    let out = out.unwrap_or_else(|| PathBuf::from(format!("./{}.pem", file_stem(app_id))));
    if out.exists() {
        anyhow::bail!(
            "{} already exists; refusing to overwrite it (choose another --out)",
            out.display()
        );
    }
    let body = AddCertificate { pem: None, days };
    let mut cert = client
        .add_certificate(app_id, &body)
        .await
        .with_context(|| format!("adding a certificate to app '{app_id}'"))?;
    let private_pem = cert.private_pem.take().with_context(|| {
        format!(
            "the server registered certificate {} but returned no private key",
            cert.key_id
        )
    })?;
    write_private(&out, private_pem.as_bytes()).with_context(|| {
        format!(
            "certificate {} was registered, but its private key could not be written to {}",
            cert.key_id,
            out.display()
        )
    })?;
    let path = out.display().to_string();
    print(
        &CertificateAdded {
            certificate: cert,
            private_pem_path: Some(path.clone()),
        },
        format,
    )?;
    eprintln!("the certificate and its private key are in {path} (mode 0600)");
    Ok(())
}

/// The `CERTIFICATE` blocks of a PEM text, in order; nothing if there are none.
fn certificate_blocks(text: &str) -> String {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let Some(len) = rest[start..].find(END) else {
            break;
        };
        let end = start + len + END.len();
        out.push_str(&rest[start..end]);
        out.push('\n');
        rest = &rest[end..];
    }
    out
}

/// A name safe to use as a file name, from an app id.
fn file_stem(app_id: &str) -> String {
    app_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes a new file readable only by its owner; never replaces an existing one.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

async fn consent(global: &GlobalArgs, cmd: ConsentCommand) -> anyhow::Result<()> {
    match cmd {
        ConsentCommand::Grant {
            tenant,
            app_id,
            roles,
        } => {
            let roles = parse_roles(&roles)?;
            let client = connect(global)?;
            let body = GrantConsent {
                tenant: tenant.clone(),
                app_id: app_id.clone(),
                roles,
            };
            let sp = client.grant_consent(&body).await.with_context(|| {
                format!("granting consent to app '{app_id}' in tenant '{tenant}'")
            })?;
            print(&sp, global.output)
        }
    }
}

/// The roles of `--roles A,B --roles C`: split on commas, trimmed, duplicates dropped, in
/// order. An empty list, or an empty name between commas, is a usage error.
pub fn parse_roles(values: &[String]) -> Result<Vec<String>, UsageError> {
    let mut roles: Vec<String> = Vec::new();
    for value in values {
        for role in value.split(',') {
            let role = role.trim();
            if role.is_empty() {
                return Err(UsageError(format!(
                    "--roles '{value}' has an empty role name; give role names separated by commas"
                )));
            }
            if !roles.iter().any(|r| r == role) {
                roles.push(role.to_owned());
            }
        }
    }
    if roles.is_empty() {
        return Err(UsageError("--roles needs at least one role".into()));
    }
    Ok(roles)
}

async fn keys(global: &GlobalArgs, cmd: KeysCommand) -> anyhow::Result<()> {
    let client = connect(global)?;
    match cmd {
        KeysCommand::Rotate => {
            let rotated = client
                .rotate_keys()
                .await
                .context("rotating the signing key")?;
            print(&rotated, global.output)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    #[test]
    fn roles_split_on_commas_and_repeat() {
        assert_eq!(
            parse_roles(&strings(&[
                "OnlineMeetings.ReadWrite.All, User.Read.All",
                "Calendars.Read"
            ]))
            .unwrap(),
            strings(&[
                "OnlineMeetings.ReadWrite.All",
                "User.Read.All",
                "Calendars.Read"
            ])
        );
    }

    #[test]
    fn duplicate_roles_are_dropped() {
        assert_eq!(
            parse_roles(&strings(&["A,B", "A"])).unwrap(),
            strings(&["A", "B"])
        );
    }

    #[test]
    fn empty_roles_are_usage_errors() {
        assert!(parse_roles(&[]).is_err());
        assert!(parse_roles(&strings(&[""])).is_err());
        let err = parse_roles(&strings(&["A,,B"])).unwrap_err();
        assert!(err.to_string().contains("A,,B"), "{err}");
    }

    #[test]
    fn only_certificates_leave_the_machine() {
        let text = "-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n\
                    -----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n\
                    -----BEGIN CERTIFICATE-----\nBBB\n-----END CERTIFICATE-----\n";
        let certs = certificate_blocks(text);
        assert_eq!(
            certs,
            "-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n\
             -----BEGIN CERTIFICATE-----\nBBB\n-----END CERTIFICATE-----\n"
        );
        assert_eq!(certificate_blocks("no pem here"), "");
    }

    #[test]
    fn file_stems_are_safe() {
        assert_eq!(file_stem("1b2c-3d"), "1b2c-3d");
        assert_eq!(file_stem("../x y"), ".._x_y");
    }

    #[test]
    fn private_files_are_owner_only_and_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.pem");
        write_private(&path, b"key").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(write_private(&path, b"other").is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"key");
    }
}
