//! The command line's shape, and nothing else: every clap type (global flags, nouns, verbs),
//! [`OutputFormat`], the value parsers and checks of flag values, and [`UsageError`].
//!
//! This module is the bottom of the CLI: it imports no other module of the crate, so every
//! other module may read it. Its files split the command line by noun (`serve`, `meeting`,
//! `event`, `directory`, `policy`, `exchange_policy`, `subscription`, `admin`, `tools`); each
//! is re-exported here, so a command module names `args::MeetingCommand` and never the file.
//! This file keeps the top (`Cli`, `Command`) and what several nouns share: the application's
//! credentials (`AppArgs`), `TenantArg`, `UsageError` and the checks of ids and inputs.

use std::io::Read as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use clap::builder::BoolishValueParser;
use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};
use graphmeet_client::admin::AuditDecision;
use graphmeet_wire::graph::GraphDateTime;
use url::Url;

mod admin;
mod directory;
mod event;
mod exchange_policy;
mod meeting;
mod policy;
mod serve;
mod subscription;
mod tools;

pub use admin::*;
pub use directory::*;
pub use event::*;
pub use exchange_policy::*;
pub use meeting::*;
pub use policy::*;
pub use serve::*;
pub use subscription::*;
pub use tools::*;

/// graphmeet: a self-hosted Microsoft Entra identity platform and Graph online-meetings server,
/// and the tools to administer it.
#[derive(Debug, Parser)]
#[command(name = "graphmeet", version, about, propagate_version = true)]
pub struct Cli {
    /// Flags every command understands.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command understands; each has a `GRAPHMEET_*` variable.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// The server's data directory; against a local server the CLI reads the URL, CA and
    /// admin key from it [default: the platform's data directory for graphmeet]
    #[arg(long, global = true, env = "GRAPHMEET_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The server's base URL, for a server elsewhere [default: from DATA_DIR/server.json]
    #[arg(long, global = true, env = "GRAPHMEET_SERVER", value_name = "URL")]
    pub server: Option<Url>,
    /// The admin key [default: DATA_DIR/admin-key]
    #[arg(
        long,
        global = true,
        env = "GRAPHMEET_ADMIN_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    pub admin_key: Option<String>,
    /// The CA certificate (PEM) that signs the server's certificate [default: from
    /// DATA_DIR/server.json]. Only this CA is trusted: no system roots.
    #[arg(long, global = true, env = "GRAPHMEET_CA_CERT", value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// How to print results: tables for people, JSON for scripts.
    #[arg(
        long,
        global = true,
        env = "GRAPHMEET_OUTPUT",
        value_enum,
        default_value_t = OutputFormat::Table
    )]
    pub output: OutputFormat,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns for lists, `key: value` lines for one object.
    Table,
    /// The server's JSON, pretty-printed.
    Json,
}

/// The commands, grouped by noun.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (identity platform, Graph API, admin API) until SIGINT or SIGTERM.
    Serve(Box<ServeArgs>),
    /// Manage tenants.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage app registrations and their credentials.
    #[command(subcommand)]
    App(AppCommand),
    /// Grant admin consent for Graph application permissions.
    #[command(subcommand)]
    Consent(ConsentCommand),
    /// Manage the token-signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Manage security groups (targets of group policy grants).
    #[command(subcommand)]
    Group(GroupCommand),
    /// Manage Teams application access policies (the *-CsApplicationAccessPolicy cmdlets).
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Manage Exchange Online application access policies, which restrict app-only calendar
    /// access (the *-ApplicationAccessPolicy cmdlets).
    #[command(subcommand)]
    ExchangePolicy(ExchangePolicyCommand),
    /// Create, find, change and delete Teams meetings as an application (Microsoft Graph or a
    /// graphmeet server).
    Meeting(MeetingArgs),
    /// Create, list, cancel and delete calendar events with Teams meetings as an application
    /// (the calendar path: invitations, attendees' calendars; Exchange's access policy).
    Event(EventArgs),
    /// Check the app's setup step by step: credentials, token, permissions, access policy.
    Doctor(DoctorArgs),
    /// Print what a customer's admins run to let the app create meetings in their tenant.
    Onboard(OnboardArgs),
    /// Add the local CA to this machine's trust store (Debian/Ubuntu, Fedora, macOS, Windows),
    /// or take it out with --remove; prints what runtimes that ignore the store need.
    Trust(TrustArgs),
    /// The server's last requests (method, path, status, latency, operation, access decision),
    /// secrets redacted; --follow prints new ones as they come.
    Requests(RequestsArgs),
    /// Show the server's time, or move its virtual clock (`serve --clock manual`).
    Clock(ClockArgs),
    /// Subscribe to change notifications (transcripts, recordings, meeting call events) as
    /// the application: create, list, renew, delete.
    Subscription(SubscriptionArgs),
    /// Serve a local endpoint for change notifications: answer the validation handshake,
    /// decrypt resource data with a private key, print notifications as they arrive.
    Listen(ListenArgs),
    /// Scripts, seeds, reset and the audit log.
    #[command(flatten)]
    Admin(AdminVerb),
}

/// Who the application is, for `meeting` and `doctor`: flags, else a profile, else the Azure
/// environment variables, else the dev credentials of a local graphmeet server
/// (`DATA_DIR/dev-credentials.json`).
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Application credentials")]
pub struct AppArgs {
    /// The tenant to act in, by id or domain [default: AZURE_TENANT_ID, the profile's, or the
    /// dev tenant]
    #[arg(long, global = true, env = "AZURE_TENANT_ID", value_name = "TENANT")]
    pub tenant: Option<String>,
    /// The application (client) id [default: AZURE_CLIENT_ID, the profile's, or the dev app]
    #[arg(long, global = true, env = "AZURE_CLIENT_ID", value_name = "APP_ID")]
    pub client_id: Option<String>,
    /// The client secret's value.
    #[arg(
        long,
        global = true,
        env = "AZURE_CLIENT_SECRET",
        hide_env_values = true,
        value_name = "SECRET",
        conflicts_with = "certificate"
    )]
    pub client_secret: Option<String>,
    /// A PEM file holding the app's certificate and its unencrypted RSA private key.
    #[arg(
        long,
        global = true,
        env = "AZURE_CLIENT_CERTIFICATE_PATH",
        value_name = "PATH"
    )]
    pub certificate: Option<PathBuf>,
    /// A named profile from ~/.config/graphmeet/profiles.json (client_id, tenant_id,
    /// client_secret or certificate_path, authority_host, graph_url, ca_cert_path).
    #[arg(long, global = true, env = "GRAPHMEET_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
}

/// The tenant of a policy command.
#[derive(Debug, Clone, Args)]
pub struct TenantArg {
    /// The tenant, by id or domain [default: the server's only tenant]
    #[arg(long)]
    pub tenant: Option<String>,
}

/// A command line that parsed but makes no sense; exits 2 like clap's own usage errors.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// A GUID given to `flag`, in its canonical form (lower-case, hyphenated); anything else is a
/// usage error naming the value.
pub fn guid(flag: &str, what: &str, value: &str) -> Result<String, UsageError> {
    uuid::Uuid::parse_str(value.trim())
        .map(|id| id.to_string())
        .map_err(|_| UsageError(format!("{flag} '{value}' is not a valid {what} (a GUID)")))
}

/// The application ids of `--app-ids A,B --app-ids C`: split on commas, trimmed, each a GUID
/// (canonicalised), duplicates dropped, in order. A malformed id, an empty entry or an empty
/// list is a usage error naming the flag and the value.
pub fn parse_app_ids(flag: &str, values: &[String]) -> Result<Vec<String>, UsageError> {
    let mut ids: Vec<String> = Vec::new();
    for value in values {
        for item in value.split(',') {
            let item = item.trim();
            if item.is_empty() {
                return Err(UsageError(format!(
                    "{flag} '{value}' has an empty entry; give application ids separated by commas"
                )));
            }
            let id = guid(flag, "application id", item)?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    if ids.is_empty() {
        return Err(UsageError(format!(
            "{flag} needs at least one application id"
        )));
    }
    Ok(ids)
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

/// A file's text, or stdin's for `-`.
pub fn read_input(path: &Path) -> std::io::Result<String> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin().lock().read_to_string(&mut text)?;
        Ok(text)
    } else {
        std::fs::read_to_string(path)
    }
}

/// A path for messages; `-` is stdin.
pub fn input_name(path: &Path) -> String {
    if path == Path::new("-") {
        "stdin".to_owned()
    } else {
        path.display().to_string()
    }
}

#[cfg(test)]
mod tests;
