// WIRING (for the owner of cli.rs, commands.rs and main.rs; nothing else is needed):
//
// main.rs, with the other `mod` lines:
//     mod admin_verbs;
//
// cli.rs, `enum Command` (top-level verbs `cs`, `apply`, `export`, `reset`, `audit`):
//     /// Scripts, seeds, reset and the audit log.
//     #[command(flatten)]
//     Admin(crate::admin_verbs::AdminVerb),
// cli.rs, `enum TenantCommand`:
//     #[command(flatten)]
//     Extra(crate::admin_verbs::TenantExtra),
// cli.rs, `enum UserCommand`:
//     #[command(flatten)]
//     Extra(crate::admin_verbs::UserExtra),
// cli.rs, `enum GroupCommand`:
//     #[command(flatten)]
//     Extra(crate::admin_verbs::GroupExtra),
// cli.rs, `enum AppCommand`:
//     #[command(flatten)]
//     Extra(crate::admin_verbs::AppExtra),
// cli.rs, `enum ConsentCommand`:
//     #[command(flatten)]
//     Extra(crate::admin_verbs::ConsentExtra),
//
// commands.rs, `run`'s match:
//     Command::Admin(verb) => crate::admin_verbs::run_admin_verb(&global, verb).await,
// commands.rs, the match of `tenant`, `user`, `group`, `app` and `consent` respectively:
//     TenantCommand::Extra(extra) => crate::admin_verbs::run_tenant_extra(global, extra).await,
//     UserCommand::Extra(extra) => crate::admin_verbs::run_user_extra(global, extra).await,
//     GroupCommand::Extra(extra) => crate::admin_verbs::run_group_extra(global, extra).await,
//     AppCommand::Extra(extra) => crate::admin_verbs::run_app_extra(global, extra).await,
//     ConsentCommand::Extra(extra) => crate::admin_verbs::run_consent_extra(global, extra).await,
//
// (`#[command(flatten)]` on a variant merges the extension's subcommands into the noun, so
// `graphmeet tenant delete --tenant T` parses as `TenantCommand::Extra(TenantExtra::Delete)`.
// The names used here — `cs apply export reset audit`, `tenant delete`, `user delete`,
// `group list|members|delete`, `app credentials|remove-secret|remove-cert|delete`,
// `consent revoke` — must stay free in those enums.)
//
// This file uses `crate::cli::{GlobalArgs, OutputFormat, parse_duration}`,
// `crate::commands::{print, guid, parse_roles, UsageError}` and
// `crate::output::{fields, table, Render}`; it connects with its own copy of `connect`.

//! The admin verbs beyond create and list: run Teams PowerShell lines (`cs`), apply and export
//! seeds, reset the server, read the audit log, and delete tenants, users, groups, apps,
//! credentials and consent.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::{DateTime, SecondsFormat, Utc};
use clap::{ArgGroup, Args, Subcommand, ValueEnum};
use graphmeet_client::admin::{AuditDecision, AuditEntry, AuditFilter, ScriptOutput};
use graphmeet_client::discovery::{read_admin_key, read_ca_cert, ServerFile};
use graphmeet_client::AdminClient;
use graphmeet_wire::admin::{
    AppCredentials, ApplySummary, GroupView, RevokeConsent, Seed, SeedCounts,
};
use serde::Serialize;

use crate::cli::{parse_duration, GlobalArgs, OutputFormat};
use crate::commands::{guid, parse_roles, print, tenant_or_only, UsageError};
use crate::output::{fields, table, Render};

// ---- the command line ---------------------------------------------------------------------

/// Top-level admin verbs: `cs`, `apply`, `export`, `reset`, `audit`.
#[derive(Debug, Subcommand)]
pub enum AdminVerb {
    /// Run Teams PowerShell lines verbatim and print what PowerShell prints.
    ///
    /// The cmdlets: New-, Set-, Get-, Remove- and Grant-CsApplicationAccessPolicy, and
    /// Get-CsOnlineUser. Statements run in order and the first that fails stops the script.
    Cs(CsArgs),
    /// Make the server match a seed file; applying it again changes nothing.
    ///
    /// The seed is TOML (`[[tenant]]`, `[[tenant.user]]`, …), or JSON when the file name ends
    /// in .json.
    Apply(ApplyArgs),
    /// Write the server's state as a seed: TOML, or JSON with --output json.
    ///
    /// Tenants, users, groups, apps, consents, policies and grants; secret values and
    /// passwords are never exported.
    Export(ExportArgs),
    /// Delete everything on the server; needs --yes.
    ///
    /// Tenants, users, apps, credentials, consents, policies, meetings and the audit log go;
    /// the signing keys and the admin key stay.
    Reset(ResetArgs),
    /// Show the audit log (admin changes and Graph authorization decisions), newest first.
    Audit(AuditArgs),
}

/// `graphmeet cs`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("script").args(["lines", "file"]).required(true)))]
pub struct CsArgs {
    /// Statements, one an argument (quote each: `graphmeet cs 'Get-CsApplicationAccessPolicy'`).
    #[arg(value_name = "LINE")]
    pub lines: Vec<String>,
    /// Read the statements from a script file (`-` for stdin).
    #[arg(long, short, value_name = "FILE", conflicts_with = "lines")]
    pub file: Option<PathBuf>,
    /// The tenant, by id or domain [default: the server's only tenant]
    #[arg(long)]
    pub tenant: Option<String>,
}

/// `graphmeet apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The seed: TOML (`[[tenant]]`, `[[tenant.user]]`, …), JSON when it ends in .json, or `-`
    /// for TOML on stdin.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// `graphmeet export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Write the seed to this file, replacing it [default: stdout]
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// `graphmeet reset`.
#[derive(Debug, Args)]
pub struct ResetArgs {
    /// Confirm that everything on the server is to be deleted.
    #[arg(long)]
    pub yes: bool,
}

/// An audit decision on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DecisionArg {
    /// Graph calls that were authorized.
    Allowed,
    /// Graph calls that were refused.
    Denied,
    /// Changes made through the admin API.
    Changed,
}

impl From<DecisionArg> for AuditDecision {
    fn from(value: DecisionArg) -> Self {
        match value {
            DecisionArg::Allowed => AuditDecision::Allowed,
            DecisionArg::Denied => AuditDecision::Denied,
            DecisionArg::Changed => AuditDecision::Changed,
        }
    }
}

/// `graphmeet audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only this tenant, by id or domain.
    #[arg(long)]
    pub tenant: Option<String>,
    /// Only this application (client) id.
    #[arg(long, value_name = "APP_ID")]
    pub app: Option<String>,
    /// Only this user: object id, or UPN together with --tenant.
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// Only this outcome.
    #[arg(long, value_enum)]
    pub decision: Option<DecisionArg>,
    /// Only entries since this time: RFC 3339 (2026-03-01T09:00:00Z) or a duration back from
    /// now (90s, 30m, 1h, 2d).
    #[arg(long, value_name = "TIME|DURATION", value_parser = parse_since)]
    pub since: Option<DateTime<Utc>>,
    /// At most this many entries [default: 100]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: Option<u32>,
}

/// Reads `--since`: an RFC 3339 time, or a duration (`1h`) meaning that long before now.
pub fn parse_since(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.with_timezone(&Utc));
    }
    match parse_duration(text) {
        Ok(duration) => Utc::now()
            .checked_sub_signed(duration)
            .ok_or_else(|| format!("'{text}' reaches too far back")),
        Err(_) => Err(format!(
            "'{text}' is neither an RFC 3339 time like 2026-03-01T09:00:00Z nor a duration \
             like 30m, 1h or 2d"
        )),
    }
}

/// `graphmeet tenant …` verbs added here.
#[derive(Debug, Subcommand)]
pub enum TenantExtra {
    /// Delete a tenant with everything in it: users, groups, apps, consents, policies,
    /// meetings.
    Delete {
        /// The tenant, by id or domain.
        #[arg(long)]
        tenant: String,
    },
}

/// `graphmeet user …` verbs added here.
#[derive(Debug, Subcommand)]
pub enum UserExtra {
    /// Delete a user with its meetings, group memberships and policy grants.
    Delete {
        /// The user, by object id or UPN.
        #[arg(long, value_name = "USER")]
        user: String,
    },
}

/// `graphmeet group …` verbs added here.
#[derive(Debug, Subcommand)]
pub enum GroupExtra {
    /// List a tenant's security groups.
    List {
        /// The tenant, by id or domain [default: the server's only tenant]
        #[arg(long)]
        tenant: Option<String>,
    },
    /// List a group's members.
    Members {
        /// The group's object id.
        #[arg(long, value_name = "GROUP_ID")]
        group: String,
    },
    /// Delete a group with its memberships and policy grants.
    Delete {
        /// The group's object id.
        #[arg(long, value_name = "GROUP_ID")]
        group: String,
    },
}

/// `graphmeet app …` verbs added here.
#[derive(Debug, Subcommand)]
pub enum AppExtra {
    /// List an app's client secrets (never their values) and certificates, with their
    /// validity.
    Credentials {
        /// The application (client) id.
        #[arg(long)]
        app_id: String,
    },
    /// Remove a client secret; it gets no token from then on.
    RemoveSecret {
        /// The application (client) id.
        #[arg(long)]
        app_id: String,
        /// The secret's key id (see `app credentials`).
        #[arg(long)]
        key_id: String,
    },
    /// Remove a certificate credential.
    RemoveCert {
        /// The application (client) id.
        #[arg(long)]
        app_id: String,
        /// The certificate's key id (see `app credentials`).
        #[arg(long)]
        key_id: String,
    },
    /// Delete an app registration with its credentials and service principals; policies keep
    /// listing its id.
    Delete {
        /// The application (client) id.
        #[arg(long)]
        app_id: String,
    },
}

/// `graphmeet consent …` verbs added here.
#[derive(Debug, Subcommand)]
pub enum ConsentExtra {
    /// Remove Graph app roles from an app in a tenant; the service principal stays.
    Revoke {
        /// The tenant, by id or domain [default: the server's only tenant]
        #[arg(long)]
        tenant: Option<String>,
        /// The application (client) id.
        #[arg(long)]
        app_id: String,
        /// Graph application permissions to remove, comma-separated; may repeat.
        #[arg(long, required = true, value_name = "ROLE[,ROLE…]")]
        roles: Vec<String>,
    },
}

// ---- running them --------------------------------------------------------------------------

/// Runs `graphmeet cs|apply|export|reset|audit`.
pub async fn run_admin_verb(global: &GlobalArgs, verb: AdminVerb) -> anyhow::Result<()> {
    match verb {
        AdminVerb::Cs(args) => run_cs(global, args).await,
        AdminVerb::Apply(args) => run_apply(global, args).await,
        AdminVerb::Export(args) => run_export(global, args).await,
        AdminVerb::Reset(args) => run_reset(global, args).await,
        AdminVerb::Audit(args) => run_audit(global, args).await,
    }
}

/// `graphmeet cs 'LINE'…` or `graphmeet cs --file script.ps1`.
pub async fn run_cs(global: &GlobalArgs, args: CsArgs) -> anyhow::Result<()> {
    let script = match &args.file {
        Some(path) => read_input(path).with_context(|| format!("reading {}", display(path)))?,
        None => args.lines.join("\n"),
    };
    if script.trim().is_empty() {
        return Err(UsageError("the script is empty: give statements to run".into()).into());
    }
    let client = connect(global)?;
    let out = client
        .run_cs(args.tenant.as_deref(), &script)
        .await
        .with_context(|| format!("running the script{}", in_tenant(args.tenant.as_deref())))?;
    print(&Script(out), global.output)
}

/// `graphmeet apply FILE`.
pub async fn run_apply(global: &GlobalArgs, args: ApplyArgs) -> anyhow::Result<()> {
    let path = &args.file;
    let text = read_input(path).with_context(|| format!("reading the seed {}", display(path)))?;
    let is_json = path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("json"));
    let seed = if is_json {
        Seed::from_json(&text)
    } else {
        Seed::from_toml(&text)
    }
    .with_context(|| format!("reading the seed {}", display(path)))?;
    let client = connect(global)?;
    let summary = client
        .apply(&seed)
        .await
        .with_context(|| format!("applying the seed {}", display(path)))?;
    print(&Applied(summary.clone()), global.output)?;
    if !summary.generated_secrets.is_empty() {
        eprintln!("warning: save the generated secrets now: they cannot be shown again");
    }
    Ok(())
}

/// `graphmeet export [--out FILE]`.
pub async fn run_export(global: &GlobalArgs, args: ExportArgs) -> anyhow::Result<()> {
    let client = connect(global)?;
    let text = match global.output {
        OutputFormat::Table => client.export_toml().await.context("exporting the seed")?,
        OutputFormat::Json => {
            let seed = client.export().await.context("exporting the seed")?;
            let mut text = serde_json::to_string_pretty(&seed)?;
            text.push('\n');
            text
        }
    };
    match &args.out {
        Some(path) => {
            std::fs::write(path, text.as_bytes())
                .with_context(|| format!("writing the export to {}", path.display()))?;
            eprintln!("wrote the export to {}", path.display());
            Ok(())
        }
        None => write_stdout(&text),
    }
}

/// `graphmeet reset --yes`.
pub async fn run_reset(global: &GlobalArgs, args: ResetArgs) -> anyhow::Result<()> {
    if !args.yes {
        return Err(UsageError(
            "reset deletes every tenant, user, app, credential, consent, policy, meeting and \
             audit entry of the server; run it again with --yes to confirm"
                .into(),
        )
        .into());
    }
    let client = connect(global)?;
    client
        .reset()
        .await
        .with_context(|| format!("resetting the server at {}", client.base_url()))?;
    print(
        &Reset {
            server: client.base_url().to_string(),
            reset: true,
        },
        global.output,
    )
}

/// `graphmeet audit …`.
pub async fn run_audit(global: &GlobalArgs, args: AuditArgs) -> anyhow::Result<()> {
    let app = args
        .app
        .as_deref()
        .map(|app| guid("--app", "application id", app))
        .transpose()?;
    if let Some(user) = &args.user {
        if args.tenant.is_none() && uuid::Uuid::parse_str(user.trim()).is_err() {
            return Err(UsageError(format!(
                "--user '{user}' is not an object id; give --tenant too to name a user by UPN"
            ))
            .into());
        }
    }
    let filter = AuditFilter {
        tenant: args.tenant,
        app,
        user: args.user,
        decision: args.decision.map(AuditDecision::from),
        since: args
            .since
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
        limit: args.limit,
    };
    let client = connect(global)?;
    let entries = client
        .audit(&filter)
        .await
        .context("reading the audit log")?;
    print(&AuditLog(entries), global.output)
}

/// Runs `graphmeet tenant delete`.
pub async fn run_tenant_extra(global: &GlobalArgs, extra: TenantExtra) -> anyhow::Result<()> {
    match extra {
        TenantExtra::Delete { tenant } => {
            let client = connect(global)?;
            client
                .delete_tenant(&tenant)
                .await
                .with_context(|| format!("deleting tenant '{tenant}'"))?;
            print(&Deleted::new("tenant", tenant), global.output)
        }
    }
}

/// Runs `graphmeet user delete`.
pub async fn run_user_extra(global: &GlobalArgs, extra: UserExtra) -> anyhow::Result<()> {
    match extra {
        UserExtra::Delete { user } => {
            let client = connect(global)?;
            client
                .delete_user(&user)
                .await
                .with_context(|| format!("deleting user '{user}'"))?;
            print(&Deleted::new("user", user), global.output)
        }
    }
}

/// Runs `graphmeet group list|members|delete`.
pub async fn run_group_extra(global: &GlobalArgs, extra: GroupExtra) -> anyhow::Result<()> {
    match extra {
        GroupExtra::List { tenant } => {
            let client = connect(global)?;
            let tenant = tenant_or_only(&client, tenant).await?;
            let groups = client
                .list_groups(&tenant)
                .await
                .with_context(|| format!("listing the groups of tenant '{tenant}'"))?;
            print(&Groups(groups), global.output)
        }
        GroupExtra::Members { group } => {
            let group = guid("--group", "group id", &group)?;
            let client = connect(global)?;
            let members = client
                .list_group_members(&group)
                .await
                .with_context(|| format!("listing the members of group '{group}'"))?;
            print(&members, global.output)
        }
        GroupExtra::Delete { group } => {
            let group = guid("--group", "group id", &group)?;
            let client = connect(global)?;
            client
                .delete_group(&group)
                .await
                .with_context(|| format!("deleting group '{group}'"))?;
            print(&Deleted::new("group", group), global.output)
        }
    }
}

/// Runs `graphmeet app credentials|remove-secret|remove-cert|delete`.
pub async fn run_app_extra(global: &GlobalArgs, extra: AppExtra) -> anyhow::Result<()> {
    match extra {
        AppExtra::Credentials { app_id } => {
            let app_id = guid("--app-id", "application id", &app_id)?;
            let client = connect(global)?;
            let credentials = client
                .credentials(&app_id)
                .await
                .with_context(|| format!("listing the credentials of app '{app_id}'"))?;
            print(&Credentials(credentials), global.output)
        }
        AppExtra::RemoveSecret { app_id, key_id } => {
            let app_id = guid("--app-id", "application id", &app_id)?;
            let key_id = guid("--key-id", "key id", &key_id)?;
            let client = connect(global)?;
            client
                .remove_secret(&app_id, &key_id)
                .await
                .with_context(|| format!("removing secret {key_id} of app '{app_id}'"))?;
            print(&Deleted::new("secret", key_id), global.output)
        }
        AppExtra::RemoveCert { app_id, key_id } => {
            let app_id = guid("--app-id", "application id", &app_id)?;
            let key_id = guid("--key-id", "key id", &key_id)?;
            let client = connect(global)?;
            client
                .remove_certificate(&app_id, &key_id)
                .await
                .with_context(|| format!("removing certificate {key_id} of app '{app_id}'"))?;
            print(&Deleted::new("certificate", key_id), global.output)
        }
        AppExtra::Delete { app_id } => {
            let app_id = guid("--app-id", "application id", &app_id)?;
            let client = connect(global)?;
            client
                .delete_app(&app_id)
                .await
                .with_context(|| format!("deleting app '{app_id}'"))?;
            print(&Deleted::new("app", app_id), global.output)
        }
    }
}

/// Runs `graphmeet consent revoke`.
pub async fn run_consent_extra(global: &GlobalArgs, extra: ConsentExtra) -> anyhow::Result<()> {
    match extra {
        ConsentExtra::Revoke {
            tenant,
            app_id,
            roles,
        } => {
            let roles = parse_roles(&roles)?;
            let app_id = guid("--app-id", "application id", &app_id)?;
            let client = connect(global)?;
            let tenant = tenant_or_only(&client, tenant).await?;
            let body = RevokeConsent {
                tenant: tenant.clone(),
                app_id: app_id.clone(),
                roles,
            };
            let sp = client.revoke_consent(&body).await.with_context(|| {
                format!("revoking consent of app '{app_id}' in tenant '{tenant}'")
            })?;
            print(&sp, global.output)
        }
    }
}

// ---- helpers -------------------------------------------------------------------------------

fn data_dir(global: &GlobalArgs) -> PathBuf {
    global
        .data_dir
        .clone()
        .unwrap_or_else(graphmeet_server::Config::default_data_dir)
}

/// An admin client from the flags, filling in whatever they leave out from the data directory
/// (`server.json` and `admin-key`); the same rules as the other admin commands.
fn connect(global: &GlobalArgs) -> anyhow::Result<AdminClient> {
    let dir = data_dir(global);
    let (url, ca_cert) = match &global.server {
        Some(url) => {
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

/// A file's text, or stdin's for `-`.
fn read_input(path: &Path) -> std::io::Result<String> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin().lock().read_to_string(&mut text)?;
        Ok(text)
    } else {
        std::fs::read_to_string(path)
    }
}

/// A path for messages; `-` is stdin.
fn display(path: &Path) -> String {
    if path == Path::new("-") {
        "stdin".to_owned()
    } else {
        path.display().to_string()
    }
}

fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .context("writing to stdout")
}

/// `" in tenant 'T'"`, or nothing when the server's only tenant is meant.
fn in_tenant(tenant: Option<&str>) -> String {
    tenant
        .map(|t| format!(" in tenant '{t}'"))
        .unwrap_or_default()
}

/// `-` for an absent or empty cell.
fn cell(value: Option<&str>) -> String {
    match value {
        Some(v) if !v.is_empty() => v.to_owned(),
        _ => "-".to_owned(),
    }
}

/// Whether an RFC 3339 end time has passed.
fn expired(end: &str) -> bool {
    DateTime::parse_from_rfc3339(end).is_ok_and(|end| end < Utc::now())
}

// ---- printing ------------------------------------------------------------------------------

/// The answer of `cs`: the output text as PowerShell prints it; `{output, executed}` in JSON.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct Script(pub ScriptOutput);

impl Render for Script {
    fn table(&self) -> String {
        let mut text = self.0.output.clone();
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text
    }
}

/// The summary of `apply`: counts per kind, then any generated secret.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct Applied(pub ApplySummary);

impl Render for Applied {
    fn table(&self) -> String {
        let s = &self.0;
        let (created, updated, unchanged) = (
            kind_counts(&s.created),
            kind_counts(&s.updated),
            kind_counts(&s.unchanged),
        );
        let mut rows: Vec<Vec<String>> = created
            .iter()
            .zip(updated.iter().zip(unchanged.iter()))
            .map(|((name, c), ((_, u), (_, n)))| {
                vec![
                    (*name).to_owned(),
                    c.to_string(),
                    u.to_string(),
                    n.to_string(),
                ]
            })
            .collect();
        rows.push(vec![
            "total".to_owned(),
            s.created.total().to_string(),
            s.updated.total().to_string(),
            s.unchanged.total().to_string(),
        ]);
        let mut out = table(&["KIND", "CREATED", "UPDATED", "UNCHANGED"], &rows);
        if !s.generated_secrets.is_empty() {
            let rows: Vec<Vec<String>> = s
                .generated_secrets
                .iter()
                .map(|g| {
                    vec![
                        g.app_id.clone(),
                        g.key_id.clone(),
                        g.display_name.clone(),
                        g.secret_text.clone(),
                    ]
                })
                .collect();
            out.push_str("\ngenerated secrets (shown once):\n");
            out.push_str(&table(&["APP ID", "KEY ID", "NAME", "SECRET"], &rows));
        }
        out
    }
}

/// Each kind's name and count, in the order the summary prints them.
fn kind_counts(c: &SeedCounts) -> [(&'static str, u64); 10] {
    [
        ("tenants", c.tenants),
        ("users", c.users),
        ("groups", c.groups),
        ("members", c.members),
        ("apps", c.apps),
        ("secrets", c.secrets),
        ("certificates", c.certificates),
        ("consents", c.consents),
        ("policies", c.policies),
        ("grants", c.grants),
    ]
}

/// The outcome of `reset`.
#[derive(Debug, Serialize)]
pub struct Reset {
    /// The server that was reset.
    pub server: String,
    /// Always true: a failure is an error instead.
    pub reset: bool,
}

impl Render for Reset {
    fn table(&self) -> String {
        format!("reset the server at {}: its state is empty\n", self.server)
    }
}

/// The entries of `audit`.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct AuditLog(pub Vec<AuditEntry>);

impl Render for AuditLog {
    fn table(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .0
            .iter()
            .map(|e| {
                vec![
                    e.at.to_rfc3339_opts(SecondsFormat::Secs, true),
                    e.decision.to_string(),
                    e.operation.clone(),
                    cell(e.tenant_id.map(|u| u.to_string()).as_deref()),
                    cell(e.app_id.map(|u| u.to_string()).as_deref()),
                    cell(e.user_id.map(|u| u.to_string()).as_deref()),
                    e.reason.clone(),
                ]
            })
            .collect();
        table(
            &[
                "TIME",
                "DECISION",
                "OPERATION",
                "TENANT",
                "APP",
                "USER",
                "REASON",
            ],
            &rows,
        )
    }
}

/// The groups of `group list`.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct Groups(pub Vec<GroupView>);

impl Render for Groups {
    fn table(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .0
            .iter()
            .map(|g| vec![g.id.clone(), g.display_name.clone()])
            .collect();
        table(&["ID", "NAME"], &rows)
    }
}

/// The credentials of `app credentials`.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct Credentials(pub AppCredentials);

impl Render for Credentials {
    fn table(&self) -> String {
        let c = &self.0;
        let status = |end: &str| if expired(end) { "expired" } else { "valid" }.to_owned();
        let secrets: Vec<Vec<String>> = c
            .secrets
            .iter()
            .map(|s| {
                vec![
                    s.key_id.clone(),
                    cell(Some(&s.display_name)),
                    format!("{}…", s.hint),
                    s.start_date_time.clone(),
                    s.end_date_time.clone(),
                    status(&s.end_date_time),
                ]
            })
            .collect();
        let certificates: Vec<Vec<String>> = c
            .certificates
            .iter()
            .map(|k| {
                vec![
                    k.key_id.clone(),
                    k.thumbprint.clone(),
                    cell(Some(&k.display_name)),
                    k.start_date_time.clone(),
                    k.end_date_time.clone(),
                    status(&k.end_date_time),
                ]
            })
            .collect();
        let mut out = fields(&[("app_id", c.app_id.clone())]);
        out.push_str("\nsecrets:\n");
        out.push_str(&table(
            &["KEY ID", "NAME", "HINT", "START", "END", "STATUS"],
            &secrets,
        ));
        out.push_str("\ncertificates:\n");
        out.push_str(&table(
            &["KEY ID", "THUMBPRINT", "SUBJECT", "START", "END", "STATUS"],
            &certificates,
        ));
        out
    }
}

/// The outcome of a deletion (the server answers 204).
#[derive(Debug, Serialize)]
pub struct Deleted {
    /// What was deleted: `tenant`, `user`, `group`, `app`, `secret` or `certificate`.
    pub kind: &'static str,
    /// It, as named on the command line.
    pub id: String,
    /// Always true: a failure is an error instead.
    pub deleted: bool,
}

impl Deleted {
    fn new(kind: &'static str, id: String) -> Deleted {
        Deleted {
            kind,
            id,
            deleted: true,
        }
    }
}

impl Render for Deleted {
    fn table(&self) -> String {
        format!("deleted {} '{}'\n", self.kind, self.id)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use clap::{CommandFactory, Parser};

    /// A stand-in for the wired CLI: the admin verbs and the noun extensions.
    #[derive(Debug, Parser)]
    struct TestCli {
        #[command(flatten)]
        global: GlobalArgs,
        #[command(subcommand)]
        command: TestCommand,
    }

    #[derive(Debug, Subcommand)]
    enum TestCommand {
        #[command(flatten)]
        Admin(AdminVerb),
        #[command(subcommand)]
        Tenant(TenantExtra),
        #[command(subcommand)]
        User(UserExtra),
        #[command(subcommand)]
        Group(GroupExtra),
        #[command(subcommand)]
        App(AppExtra),
        #[command(subcommand)]
        Consent(ConsentExtra),
    }

    fn parse(args: &[&str]) -> Result<TestCli, clap::Error> {
        TestCli::try_parse_from(std::iter::once("graphmeet").chain(args.iter().copied()))
    }

    #[test]
    fn the_command_line_is_well_formed() {
        TestCli::command().debug_assert();
    }

    #[test]
    fn cs_takes_lines_or_a_file_but_not_both_nor_neither() {
        let cli = parse(&[
            "cs",
            "Get-CsApplicationAccessPolicy",
            "Get-CsOnlineUser -Identity x",
        ])
        .unwrap();
        match cli.command {
            TestCommand::Admin(AdminVerb::Cs(args)) => {
                assert_eq!(args.lines.len(), 2);
                assert!(args.file.is_none() && args.tenant.is_none());
            }
            other => panic!("{other:?}"),
        }
        let cli = parse(&["cs", "--file", "s.ps1", "--tenant", "t"]).unwrap();
        match cli.command {
            TestCommand::Admin(AdminVerb::Cs(args)) => {
                assert_eq!(args.file, Some(PathBuf::from("s.ps1")));
                assert_eq!(args.tenant.as_deref(), Some("t"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(parse(&["cs"]).unwrap_err().exit_code(), 2);
        assert_eq!(
            parse(&["cs", "--file", "s.ps1", "Get-CsOnlineUser"])
                .unwrap_err()
                .exit_code(),
            2
        );
    }

    #[test]
    fn audit_flags_parse_and_bad_ones_are_usage_errors() {
        let cli = parse(&[
            "audit",
            "--decision",
            "denied",
            "--since",
            "2026-03-01T10:00:00+01:00",
            "--limit",
            "5",
            "--output",
            "json",
        ])
        .unwrap();
        assert_eq!(cli.global.output, OutputFormat::Json);
        match cli.command {
            TestCommand::Admin(AdminVerb::Audit(args)) => {
                assert_eq!(args.decision, Some(DecisionArg::Denied));
                assert_eq!(
                    args.since
                        .unwrap()
                        .to_rfc3339_opts(SecondsFormat::Secs, true),
                    "2026-03-01T09:00:00Z"
                );
                assert_eq!(args.limit, Some(5));
            }
            other => panic!("{other:?}"),
        }
        for bad in [
            &["audit", "--decision", "maybe"][..],
            &["audit", "--since", "yesterday"],
            &["audit", "--limit", "0"],
        ] {
            assert_eq!(parse(bad).unwrap_err().exit_code(), 2, "{bad:?}");
        }
    }

    #[test]
    fn since_takes_a_time_or_a_duration_back_from_now() {
        let before = Utc::now();
        let since = parse_since("1h").unwrap();
        let after = Utc::now();
        assert!(since >= before - chrono::Duration::hours(1));
        assert!(since <= after - chrono::Duration::hours(1));
        assert_eq!(
            parse_since("2026-03-01T09:00:00Z").unwrap(),
            DateTime::parse_from_rfc3339("2026-03-01T09:00:00Z").unwrap()
        );
        let err = parse_since("soon").unwrap_err();
        assert!(err.contains("'soon'"), "{err}");
    }

    #[test]
    fn the_noun_extensions_parse() {
        assert!(matches!(
            parse(&["tenant", "delete", "--tenant", "t"])
                .unwrap()
                .command,
            TestCommand::Tenant(TenantExtra::Delete { .. })
        ));
        assert!(matches!(
            parse(&["app", "remove-cert", "--app-id", "a", "--key-id", "k"])
                .unwrap()
                .command,
            TestCommand::App(AppExtra::RemoveCert { .. })
        ));
        match parse(&[
            "consent", "revoke", "--tenant", "t", "--app-id", "a", "--roles", "A,B", "--roles", "C",
        ])
        .unwrap()
        .command
        {
            TestCommand::Consent(ConsentExtra::Revoke { roles, .. }) => {
                assert_eq!(roles, ["A,B", "C"]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse(&["consent", "revoke", "--tenant", "t", "--app-id", "a"])
                .unwrap_err()
                .exit_code(),
            2
        );
        assert_eq!(
            parse(&["reset"]).unwrap().global.output,
            OutputFormat::Table
        );
    }

    #[test]
    fn audit_tables_have_one_row_an_entry_with_dashes_for_blanks() {
        let entry = AuditEntry {
            at: "2026-03-01T09:00:00.123456789Z".parse().unwrap(),
            request_id: "r".into(),
            tenant_id: Some("0b2f4a8e-8a57-4a39-9d3e-0ab5b1a1c0de".parse().unwrap()),
            app_id: None,
            user_id: None,
            operation: "POST /admin/users".into(),
            decision: AuditDecision::Changed,
            reason: "admin API answered 201".into(),
        };
        let out = AuditLog(vec![entry]).table();
        let mut lines = out.lines();
        assert!(lines
            .next()
            .unwrap()
            .starts_with("TIME                  DECISION  OPERATION"));
        assert_eq!(
            lines.next().unwrap(),
            "2026-03-01T09:00:00Z  changed   POST /admin/users  0b2f4a8e-8a57-4a39-9d3e-0ab5b1a1c0de  -    -     admin API answered 201"
        );
    }

    #[test]
    fn apply_summaries_count_each_kind_and_show_generated_secrets() {
        let mut summary = ApplySummary::default();
        summary.created.tenants = 1;
        summary.unchanged.users = 2;
        summary
            .generated_secrets
            .push(graphmeet_wire::admin::GeneratedSecret {
                app_id: "a".into(),
                key_id: "k".into(),
                display_name: "ci".into(),
                secret_text: "s3cret".into(),
            });
        let out = Applied(summary).table();
        assert!(
            out.starts_with("KIND          CREATED  UPDATED  UNCHANGED\n"),
            "{out}"
        );
        assert!(
            out.contains("\ntenants       1        0        0\n"),
            "{out}"
        );
        assert!(
            out.contains("\nusers         0        0        2\n"),
            "{out}"
        );
        assert!(
            out.contains("\ntotal         1        0        2\n"),
            "{out}"
        );
        assert!(
            out.contains("generated secrets (shown once):\nAPP ID"),
            "{out}"
        );
        assert!(out.contains("s3cret"), "{out}");
    }

    #[test]
    fn script_output_gets_a_final_newline_and_json_is_the_answer() {
        let out = ScriptOutput {
            output: "Identity : Tag:P".into(),
            executed: 1,
        };
        assert_eq!(Script(out.clone()).table(), "Identity : Tag:P\n");
        let json: serde_json::Value =
            serde_json::from_str(&crate::output::render(&Script(out), OutputFormat::Json).unwrap())
                .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"output": "Identity : Tag:P", "executed": 1})
        );
        let empty = ScriptOutput {
            output: String::new(),
            executed: 1,
        };
        assert_eq!(Script(empty).table(), "");
    }
}
