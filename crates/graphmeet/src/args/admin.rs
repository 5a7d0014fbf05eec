//! The admin verbs at the top level: `cs`, `apply`, `export`, `reset` and `audit`.

use super::*;

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
