//! The command line's shape, and nothing else: every clap type (global flags, nouns, verbs),
//! [`OutputFormat`], the value parsers and checks of flag values, and [`UsageError`].
//!
//! This module is the bottom of the CLI: it imports no other module of the crate, so every
//! other module may read it. It is long (the whole command line, with its tests) on purpose:
//! split into a module per noun, the nouns' argument types would import the shared ones from a
//! parent that imports them back.

use std::io::Read as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use clap::builder::BoolishValueParser;
use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};
use graphmeet_client::admin::AuditDecision;
use graphmeet_wire::graph::GraphDateTime;
use url::Url;

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

/// `graphmeet serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on; port 0 picks a free port.
    #[arg(
        long,
        env = "GRAPHMEET_LISTEN",
        value_name = "ADDR",
        default_value = "127.0.0.1:8443"
    )]
    pub listen: SocketAddr,
    /// `sqlite://…` or `postgres://…` [default: a SQLite file in the data directory]
    #[arg(
        long,
        env = "GRAPHMEET_DATABASE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub database_url: Option<String>,
    /// The URL clients use, when it is not the listen address (a name, a proxy).
    #[arg(long, env = "GRAPHMEET_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<Url>,
    /// Serve plain http (loopback only: official clients refuse http authorities).
    #[arg(long, env = "GRAPHMEET_PLAIN_HTTP", value_parser = BoolishValueParser::new())]
    pub plain_http: bool,
    /// Do not create the dev setup on an empty store.
    #[arg(long, env = "GRAPHMEET_NO_BOOTSTRAP", value_parser = BoolishValueParser::new())]
    pub no_bootstrap: bool,
    /// How long application-access-policy changes take to reach Graph calls, e.g. `30m` to
    /// reproduce the real service's lag.
    #[arg(long, env = "GRAPHMEET_POLICY_PROPAGATION_DELAY", value_name = "DURATION", default_value = "0", value_parser = parse_duration)]
    pub policy_propagation_delay: chrono::Duration,
    /// The host of meetings' joinWebUrl, e.g. https://teams.microsoft.com [default: this
    /// server, which serves a landing page for them]
    #[arg(long, env = "GRAPHMEET_JOIN_URL_BASE", value_name = "URL")]
    pub join_url_base: Option<Url>,
    /// Fail every n-th Graph call, as Graph's throttling does, to test clients' retries:
    /// `STATUS[:retry-after=S][:every=N]`, e.g. `429:retry-after=1:every=10`.
    #[arg(long, env = "GRAPHMEET_FAULT", value_name = "SPEC")]
    pub fault: Option<graphmeet_server::graph::fault::ServerFault>,
    /// How long the audit log keeps entries, e.g. `30d`.
    #[arg(long, env = "GRAPHMEET_AUDIT_RETENTION", value_name = "DURATION", default_value = "30d", value_parser = parse_duration)]
    pub audit_retention: chrono::Duration,
    /// How long a client may take to send a request's headers before its connection is closed,
    /// e.g. `10s` (a client trickling a header cannot hold a connection).
    #[arg(long, env = "GRAPHMEET_HEADER_READ_TIMEOUT", value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub header_read_timeout: chrono::Duration,
    /// How many connections one client address may hold open at once (0: no cap); those over
    /// it are closed when accepted.
    #[arg(long, env = "GRAPHMEET_MAX_CONNECTIONS_PER_PEER", value_name = "N", default_value_t = graphmeet_server::peers::DEFAULT_PER_PEER)]
    pub max_connections_per_peer: usize,
    /// The key the token-signing keys are sealed under in the database: 32 bytes in base64.
    /// Default: `DATA_DIR/key-encryption-key`, made on first start. Every instance on one
    /// database needs the same one.
    #[arg(
        long,
        env = "GRAPHMEET_KEY_ENCRYPTION_KEY",
        value_name = "BASE64",
        hide_env_values = true
    )]
    pub key_encryption_key: Option<String>,
    /// A seed file (TOML, or JSON when it ends in `.json`) applied on start; the dev setup is
    /// then not created.
    #[arg(long, env = "GRAPHMEET_SEED", value_name = "FILE")]
    pub seed: Option<PathBuf>,
    /// Smart lockout: failed password sign-ins (with distinct wrong passwords) after which an
    /// account is locked and answered AADSTS50053; 0 turns lockout off.
    #[arg(
        long,
        env = "GRAPHMEET_LOCKOUT_THRESHOLD",
        value_name = "N",
        default_value_t = 10
    )]
    pub lockout_threshold: u32,
    /// How long the first lockout lasts, in seconds (or a duration like `2m`); each further
    /// lockout lasts twice as long, up to an hour.
    #[arg(long, env = "GRAPHMEET_LOCKOUT_DURATION", value_name = "SECONDS", default_value = "60", value_parser = parse_lockout_duration)]
    pub lockout_duration: chrono::Duration,
    /// How many online meetings one organizer may create per calendar month (UTC), as the real
    /// service's 2,000; creates past it answer 429 until the next month. Default: no limit (or
    /// the seed's `meeting_quota`, which this overrides).
    #[arg(long, env = "GRAPHMEET_MEETING_QUOTA", value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub meeting_quota: Option<u32>,
    /// Proxy mode: also run an HTTP proxy at ADDR that serves login.microsoftonline.com,
    /// graph.microsoft.com and their aliases from this server, so that an app reaches it with
    /// only HTTPS_PROXY set and the local CA trusted; other hosts are refused.
    #[arg(long, env = "GRAPHMEET_PROXY_LISTEN", value_name = "ADDR")]
    pub proxy_listen: Option<SocketAddr>,
    /// A loopback HOST:PORT the proxy tunnels instead of refusing (repeatable, or
    /// comma-separated in the variable).
    #[arg(
        long,
        env = "GRAPHMEET_PROXY_PASS",
        value_name = "HOST:PORT",
        value_delimiter = ','
    )]
    pub proxy_pass: Vec<String>,
    /// A loopback host (`127.0.0.1`, `localhost`, or HOST:PORT) change notifications may be
    /// sent to over plain http although the server runs HTTPS (repeatable, or comma-separated
    /// in the variable); with --plain-http every loopback host may.
    #[arg(
        long,
        env = "GRAPHMEET_NOTIFICATION_LOOPBACK_HOSTS",
        value_name = "HOST[:PORT]",
        value_delimiter = ','
    )]
    pub notification_loopback_hosts: Vec<String>,
    /// `manual`: a virtual clock that starts at the system time and stands still until
    /// `graphmeet clock` (POST /admin/clock) moves it; token expiry, policy propagation and
    /// every other time rule follow it.
    #[arg(long, env = "GRAPHMEET_CLOCK", value_name = "CLOCK", default_value = "system", value_parser = ["system", "manual"])]
    pub clock: String,
}

/// Reads a lockout duration: whole seconds (`60`), or a duration like `90s` or `2m`; at least
/// one second.
pub fn parse_lockout_duration(text: &str) -> Result<chrono::Duration, String> {
    let text = text.trim();
    let duration = match text.parse::<i64>() {
        Ok(seconds) => chrono::Duration::seconds(seconds),
        Err(_) => parse_duration(text)?,
    };
    if duration < chrono::Duration::seconds(1) {
        return Err(format!(
            "'{text}' is too short: a lockout lasts at least 1 second (--lockout-threshold 0 turns lockout off)"
        ));
    }
    if duration > chrono::Duration::days(1) {
        return Err(format!(
            "'{text}' is too long: a lockout lasts at most a day"
        ));
    }
    Ok(duration)
}

/// Reads `0`, `90s`, `30m`, `2h`, `1h30m` or `1d`.
pub fn parse_duration(text: &str) -> Result<chrono::Duration, String> {
    let text = text.trim();
    if text == "0" {
        return Ok(chrono::Duration::zero());
    }
    let mut total = chrono::Duration::zero();
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: i64 = number
            .parse()
            .map_err(|_| format!("'{text}' is not a duration like 30m, 90s or 1h30m"))?;
        number.clear();
        total += match c {
            's' => chrono::Duration::seconds(n),
            'm' => chrono::Duration::minutes(n),
            'h' => chrono::Duration::hours(n),
            'd' => chrono::Duration::days(n),
            _ => return Err(format!("'{text}' is not a duration like 30m, 90s or 1h30m")),
        };
    }
    if !number.is_empty() {
        return Err(format!("'{text}' needs a unit: s, m, h or d"));
    }
    Ok(total)
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

/// `graphmeet event …`.
#[derive(Debug, Args)]
pub struct EventArgs {
    /// Who the application is.
    #[command(flatten)]
    pub app: AppArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: EventCommand,
}

/// `graphmeet event …` verbs. The user is the calendar's owner: object id or UPN.
#[derive(Debug, Subcommand)]
pub enum EventCommand {
    /// Create an event with a Teams meeting (POST /users/{id}/events with isOnlineMeeting and
    /// teamsForBusiness) and print its join URL.
    Create {
        /// The organizer: object id or UPN.
        #[arg(long, value_name = "ID|UPN")]
        organizer: String,
        /// The subject.
        #[arg(long)]
        subject: String,
        /// The start, local time (2026-03-01T09:00:00) in --time-zone.
        #[arg(long, value_name = "LOCAL")]
        start: String,
        /// The end, local time in --time-zone.
        #[arg(long, value_name = "LOCAL")]
        end: String,
        /// A Windows zone id or IANA name.
        #[arg(long, default_value = "UTC")]
        time_zone: String,
        /// An attendee's address (repeat for more); those of the tenant get the invitation
        /// in their calendar.
        #[arg(long = "attendee", value_name = "ADDRESS")]
        attendees: Vec<String>,
        /// An event without a Teams meeting.
        #[arg(long)]
        no_teams: bool,
    },
    /// Show an event by id.
    Get {
        /// The calendar's owner: object id or UPN.
        #[arg(long, value_name = "ID|UPN")]
        user: String,
        /// The event id.
        #[arg(long)]
        id: String,
    },
    /// List the events of a calendar (every page), or those of a time window (calendarView).
    List {
        /// The calendar's owner: object id or UPN.
        #[arg(long, value_name = "ID|UPN")]
        user: String,
        /// The window's start, ISO 8601 (with an offset, or UTC); with --until.
        #[arg(long, value_name = "ISO8601", requires = "until")]
        from: Option<String>,
        /// The window's end.
        #[arg(long, value_name = "ISO8601", requires = "from")]
        until: Option<String>,
    },
    /// Cancel an event you organize: attendees are told and the Teams meeting ends.
    Cancel {
        /// The organizer: object id or UPN.
        #[arg(long, value_name = "ID|UPN")]
        user: String,
        /// The event id.
        #[arg(long)]
        id: String,
        /// A message for the attendees.
        #[arg(long)]
        comment: Option<String>,
    },
    /// Delete an event.
    Delete {
        /// The calendar's owner: object id or UPN.
        #[arg(long, value_name = "ID|UPN")]
        user: String,
        /// The event id.
        #[arg(long)]
        id: String,
    },
}

/// `graphmeet meeting …`.
#[derive(Debug, Args)]
pub struct MeetingArgs {
    /// Who the application is.
    #[command(flatten)]
    pub app: AppArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: MeetingCommand,
}

/// A meeting's times and subject, as given on the command line.
#[derive(Debug, Clone, Default, Args)]
pub struct MeetingFields {
    /// The subject.
    #[arg(long)]
    pub subject: Option<String>,
    /// The start, RFC 3339 (e.g. 2026-03-01T09:00:00Z) [default: the server's, now]
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub start: Option<GraphDateTime>,
    /// The end, RFC 3339 [default: the server's, start + 1 hour]
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub end: Option<GraphDateTime>,
}

/// Reads an RFC 3339 date-time (any offset; fractions allowed).
pub fn parse_time(text: &str) -> Result<GraphDateTime, String> {
    GraphDateTime::parse(text.trim())
        .map_err(|_| format!("'{text}' is not an RFC 3339 date-time like 2026-03-01T09:00:00Z"))
}

/// `graphmeet meeting …` verbs.
#[derive(Debug, Subcommand)]
pub enum MeetingCommand {
    /// Create a meeting owned by the organizer (POST /users/{id}/onlineMeetings).
    Create {
        /// The organizer: object id or UPN (a UPN needs the User.Read.All permission).
        #[arg(long, value_name = "ID|UPN")]
        organizer: String,
        /// Subject, start and end.
        #[command(flatten)]
        fields: MeetingFields,
        /// Require a passcode to join by meeting id.
        #[arg(long)]
        passcode: bool,
    },
    /// Return the organizer's meeting with this external id, creating it if there is none
    /// (createOrGet: safe to repeat).
    CreateOrGet {
        /// The organizer: object id or UPN.
        #[arg(long, value_name = "ID|UPN")]
        organizer: String,
        /// Your id for the meeting (unique per organizer).
        #[arg(long, value_name = "ID")]
        external_id: String,
        /// Subject, start and end, used only when the meeting is created.
        #[command(flatten)]
        fields: MeetingFields,
    },
    /// Show a meeting by id.
    Get {
        /// The organizer: object id or UPN.
        #[arg(long, value_name = "ID|UPN")]
        organizer: String,
        /// The meeting id.
        #[arg(long, value_name = "MEETING_ID")]
        id: String,
    },
    /// Find the organizer's meeting by its join URL or join meeting id; exits 1 if none.
    #[command(group(ArgGroup::new("by").args(["join_url", "join_meeting_id"]).required(true)))]
    Find {
        /// The organizer: object id or UPN.
        #[arg(long, value_name = "ID|UPN")]
        organizer: String,
        /// The exact joinWebUrl.
        #[arg(long, value_name = "URL")]
        join_url: Option<String>,
        /// The join meeting id (the digits people type).
        #[arg(long, value_name = "DIGITS")]
        join_meeting_id: Option<String>,
    },
    /// Change a meeting's subject and/or times (start and end go together).
    #[command(group(ArgGroup::new("change").args(["subject", "start"]).required(true).multiple(true)))]
    Update {
        /// The organizer: object id or UPN.
        #[arg(long, value_name = "ID|UPN")]
        organizer: String,
        /// The meeting id.
        #[arg(long, value_name = "MEETING_ID")]
        id: String,
        /// The new subject.
        #[arg(long)]
        subject: Option<String>,
        /// The new start, RFC 3339.
        #[arg(long, value_name = "RFC3339", value_parser = parse_time, requires = "end")]
        start: Option<GraphDateTime>,
        /// The new end, RFC 3339.
        #[arg(long, value_name = "RFC3339", value_parser = parse_time, requires = "start")]
        end: Option<GraphDateTime>,
    },
    /// Delete a meeting.
    Delete {
        /// The organizer: object id or UPN.
        #[arg(long, value_name = "ID|UPN")]
        organizer: String,
        /// The meeting id.
        #[arg(long, value_name = "MEETING_ID")]
        id: String,
    },
    /// Create (or find) one meeting per CSV row with createOrGet, so a re-run creates nothing
    /// twice; writes a result CSV as rows complete; exits 1 if any row failed.
    Bulk(BulkArgs),
    /// Play a session of a meeting on a graphmeet server (admin API): who joins and leaves
    /// when, what is said; once it has ended on the server's clock, its attendance report,
    /// transcript and recording are served.
    Play(PlayArgs),
    /// List a meeting's attendance reports, or one report's records.
    Attendance {
        /// The organizer: object id or UPN.
        #[arg(long, value_name = "ID|UPN")]
        organizer: String,
        /// The meeting id.
        #[arg(long, value_name = "MEETING_ID")]
        id: String,
        /// One report: show its attendance records.
        #[arg(long, value_name = "REPORT_ID")]
        report: Option<String>,
    },
    /// List a meeting's transcripts, or download one (WebVTT) with --download and --out.
    Transcripts(ArtifactArgs),
    /// List a meeting's recordings, or download one (MP4) with --download and --out.
    Recordings(ArtifactArgs),
}

/// `graphmeet meeting transcripts|recordings`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("file").args(["download"]).requires("out")))]
pub struct ArtifactArgs {
    /// The organizer: object id or UPN.
    #[arg(long, value_name = "ID|UPN")]
    pub organizer: String,
    /// The meeting id.
    #[arg(long, value_name = "MEETING_ID")]
    pub id: String,
    /// The transcript or recording to download.
    #[arg(long, value_name = "ARTIFACT_ID")]
    pub download: Option<String>,
    /// Where to write the download (replacing that file).
    #[arg(long, value_name = "FILE", requires = "download")]
    pub out: Option<PathBuf>,
}

/// `graphmeet meeting play`: a JSON script (`docs/admin.md`), flags, or both (flags add to
/// the script).
#[derive(Debug, Args)]
pub struct PlayArgs {
    /// The meeting id.
    #[arg(long, value_name = "MEETING_ID")]
    pub id: String,
    /// A JSON play script (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    pub script: Option<PathBuf>,
    /// When the session starts: RFC 3339, `now`, `now-PT1H` [default: the script's, else now]
    #[arg(long, value_name = "TIME")]
    pub start: Option<String>,
    /// A participant: `KIND:WHO,JOIN,LEAVE` with KIND user (id or UPN), guest, anonymous or
    /// phone, and times as offsets (PT5M) or RFC 3339; repeatable.
    #[arg(long = "participant", value_name = "SPEC")]
    pub participants: Vec<String>,
    /// An utterance: `WHO,AT,TEXT` (WHO as in --participant); repeatable.
    #[arg(long = "say", value_name = "SPEC")]
    pub utterances: Vec<String>,
    /// Do not transcribe the session.
    #[arg(long)]
    pub no_transcript: bool,
    /// Do not record the session.
    #[arg(long)]
    pub no_recording: bool,
}

/// `graphmeet meeting bulk`.
#[derive(Debug, Args)]
pub struct BulkArgs {
    /// The input: a header row, then one meeting a row; columns external_id (required),
    /// organizer (object id or UPN; may be empty with --organizer), subject, start, end
    /// (RFC 3339, may be empty).
    #[arg(long, value_name = "FILE")]
    pub csv: PathBuf,
    /// Where to write the result CSV (external_id, id, joinWebUrl, joinMeetingId, passcode,
    /// status, error), replacing that file [default: stdout]
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// How many requests are in flight at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// The organizer of rows whose organizer cell is empty.
    #[arg(long, value_name = "ID|UPN")]
    pub organizer: Option<String>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `graphmeet doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Who the application is.
    #[command(flatten)]
    pub app: AppArgs,
    /// Also check that the application access policy lets the app act for this user.
    #[arg(long, value_name = "ID|UPN")]
    pub user: Option<String>,
    /// Also check the calendar path (events with Teams meetings): the Calendars.ReadWrite
    /// permission and, with --user, Exchange's application access policy.
    #[arg(long)]
    pub calendar: bool,
}

/// `graphmeet clock`.
#[derive(Debug, Args)]
pub struct ClockArgs {
    /// Move the virtual clock forward by an ISO 8601 duration (PT30M, P1DT2H).
    #[arg(long, conflicts_with = "set")]
    pub advance: Option<String>,
    /// Set the virtual clock to an RFC 3339 time.
    #[arg(long)]
    pub set: Option<String>,
}

/// `graphmeet requests`.
#[derive(Debug, Args)]
pub struct RequestsArgs {
    /// Only this surface: graph, entra, admin, join, health or console.
    #[arg(long, value_parser = ["graph", "entra", "admin", "join", "health", "console"])]
    pub surface: Option<String>,
    /// How many of the last requests to show first.
    #[arg(long, default_value = "20")]
    pub limit: usize,
    /// Keep printing new requests until interrupted.
    #[arg(long, short = 'f')]
    pub follow: bool,
}

/// `graphmeet trust`.
#[derive(Debug, Args)]
pub struct TrustArgs {
    /// Take the local CA out of the trust store instead.
    #[arg(long)]
    pub remove: bool,
}

/// `graphmeet onboard`.
#[derive(Debug, Args)]
pub struct OnboardArgs {
    /// The customer's tenant, by id or domain.
    #[arg(long)]
    pub tenant: String,
    /// The application (client) id.
    #[arg(long, value_name = "APP_ID")]
    pub app_id: String,
    /// The user the app creates meetings for (object id or UPN).
    #[arg(long, value_name = "USER")]
    pub user: String,
    /// The application access policy's name [default: MeetingsApp-<first 8 of the app id>]
    #[arg(long, value_name = "NAME")]
    pub policy_name: Option<String>,
    /// The app also creates calendar events (the calendar path): print the Calendars.ReadWrite
    /// consent and the Exchange cmdlets that restrict its mailbox access.
    #[arg(long)]
    pub calendar: bool,
}

/// `graphmeet tenant …`.
#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Delete a tenant with everything in it: users, groups, apps, consents, policies,
    /// meetings.
    Delete {
        /// The tenant, by id or domain.
        #[arg(long)]
        tenant: String,
    },
    /// Create a tenant.
    Create {
        /// The tenant's name.
        #[arg(long)]
        name: String,
        /// Its initial domain [default: NAME.onmicrosoft.com]
        #[arg(long)]
        domain: Option<String>,
    },
    /// List every tenant.
    List,
}

/// `graphmeet user …`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Delete a user with its meetings, group memberships and policy grants.
    Delete {
        /// The user, by object id or UPN.
        #[arg(long, value_name = "USER")]
        user: String,
    },
    /// Create a user.
    Create {
        /// The tenant, by id or domain [default: the server's only tenant]
        #[arg(long)]
        tenant: Option<String>,
        /// The user principal name, e.g. alice@contoso.onmicrosoft.com.
        #[arg(long)]
        upn: String,
        /// The display name [default: the UPN's alias]
        #[arg(long)]
        display_name: Option<String>,
        /// A password for delegated sign-in (grant_type=password); read from
        /// GRAPHMEET_USER_PASSWORD so it stays out of shell history.
        #[arg(long, env = "GRAPHMEET_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        #[command(flatten)]
        account: AccountArgs,
    },
    /// Change a user's display name or account state (enabled, member or guest, licences,
    /// mail); what is not given stays.
    Update {
        /// The user, by object id or UPN.
        #[arg(long)]
        user: String,
        /// The display name.
        #[arg(long)]
        display_name: Option<String>,
        #[command(flatten)]
        account: AccountArgs,
    },
    /// List a tenant's users.
    List {
        /// The tenant, by id or domain [default: the server's only tenant]
        #[arg(long)]
        tenant: Option<String>,
    },
}

/// A user's account state: what Teams checks before the user may organise a meeting.
#[derive(Debug, Clone, Default, Args)]
pub struct AccountArgs {
    /// Whether the account is enabled (accountEnabled) [default for a new user: true]
    #[arg(long, value_name = "BOOL")]
    pub account_enabled: Option<bool>,
    /// member or guest (userType) [default for a new user: member]
    #[arg(long, value_name = "TYPE", value_parser = ["member", "guest", "Member", "Guest"])]
    pub user_type: Option<String>,
    /// Whether the user has a licence with Microsoft Teams [default for a new user: true]
    #[arg(long, value_name = "BOOL")]
    pub teams_license: Option<bool>,
    /// Whether the user has an Audio Conferencing licence (dial-in details on their meetings)
    /// [default for a new user: true]
    #[arg(long, value_name = "BOOL")]
    pub audio_conferencing: Option<bool>,
    /// The primary email address; "" for none [default for a new user: the UPN]
    #[arg(long, value_name = "ADDRESS")]
    pub mail: Option<String>,
}

/// `graphmeet app …`.
#[derive(Debug, Subcommand)]
pub enum AppCommand {
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
    /// Register an application.
    Create {
        /// The home tenant, by id or domain [default: the server's only tenant]
        #[arg(long)]
        tenant: Option<String>,
        /// The display name.
        #[arg(long)]
        name: String,
        /// Let other tenants consent to the app.
        #[arg(long)]
        multi_tenant: bool,
        /// Allow public client flows: the app may use the password grant without a client
        /// secret (Entra's isFallbackPublicClient; off by default, as in Entra).
        #[arg(long)]
        allow_public_client: bool,
    },
    /// Change an app registration's settings.
    Update {
        /// The application (client) id.
        #[arg(long)]
        app_id: String,
        /// Allow public client flows (true) or require a client secret on the password grant
        /// (false).
        #[arg(long, value_name = "true|false", required = true, action = clap::ArgAction::Set, value_parser = BoolishValueParser::new())]
        allow_public_client: Option<bool>,
    },
    /// List every app registration.
    List,
    /// Add a client secret; it is printed once and cannot be shown again.
    AddSecret {
        /// The application (client) id.
        #[arg(long)]
        app_id: String,
        /// A label for the secret.
        #[arg(long)]
        name: Option<String>,
        /// Days until the secret expires [default: 730]
        #[arg(long)]
        days: Option<i64>,
    },
    /// Add a certificate credential: register --pem, or have the server generate one and
    /// write its private key to --out.
    AddCert {
        /// The application (client) id.
        #[arg(long)]
        app_id: String,
        /// A certificate (PEM) to register; any private key in the file is not sent.
        #[arg(long, value_name = "FILE")]
        pem: Option<PathBuf>,
        /// Days of validity of a generated certificate [default: 365]
        #[arg(long)]
        days: Option<i64>,
        /// Where to write a generated certificate and its private key (mode 0600)
        /// [default: ./APP_ID.pem]
        #[arg(long, value_name = "FILE", conflicts_with = "pem")]
        out: Option<PathBuf>,
    },
}

/// `graphmeet consent …`.
#[derive(Debug, Subcommand)]
pub enum ConsentCommand {
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
    /// Grant admin consent for Graph app roles to an app in a tenant.
    Grant {
        /// The consenting tenant, by id or domain [default: the server's only tenant]
        #[arg(long)]
        tenant: Option<String>,
        /// The application (client) id.
        #[arg(long)]
        app_id: String,
        /// Graph application permissions, comma-separated; may repeat
        /// (e.g. OnlineMeetings.ReadWrite.All).
        #[arg(long, required = true, value_name = "ROLE[,ROLE…]")]
        roles: Vec<String>,
    },
}

/// `graphmeet keys …`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a new token-signing key; older keys stay published.
    Rotate,
}

/// `graphmeet group …`.
#[derive(Debug, Subcommand)]
pub enum GroupCommand {
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
    /// Create a security group.
    Create {
        /// The tenant, by id or domain [default: the server's only tenant]
        #[arg(long)]
        tenant: Option<String>,
        /// The group's display name.
        #[arg(long)]
        name: String,
    },
    /// Add a user to a group.
    AddMember {
        /// The group's object id.
        #[arg(long, value_name = "GROUP_ID")]
        group: String,
        /// The user's object id.
        #[arg(long, value_name = "USER_ID")]
        user: String,
    },
    /// Remove a user from a group.
    RemoveMember {
        /// The group's object id.
        #[arg(long, value_name = "GROUP_ID")]
        group: String,
        /// The user's object id.
        #[arg(long, value_name = "USER_ID")]
        user: String,
    },
}

/// The tenant of a policy command.
#[derive(Debug, Clone, Args)]
pub struct TenantArg {
    /// The tenant, by id or domain [default: the server's only tenant]
    #[arg(long)]
    pub tenant: Option<String>,
}

/// `graphmeet exchange-policy …`, named after Exchange Online's cmdlets.
#[derive(Debug, Subcommand)]
pub enum ExchangePolicyCommand {
    /// New-ApplicationAccessPolicy: restrict (or deny) app-only mailbox access of apps to a
    /// mail-enabled security group.
    New {
        /// The tenant.
        #[command(flatten)]
        tenant: TenantArg,
        /// App ids, comma-separated, or * for every app.
        #[arg(
            long,
            required = true,
            value_delimiter = ',',
            value_name = "APP_ID[,…]"
        )]
        app_ids: Vec<String>,
        /// The group (object id or name).
        #[arg(long, value_name = "GROUP")]
        scope: String,
        /// RestrictAccess or DenyAccess.
        #[arg(long, value_name = "RIGHT")]
        access_right: String,
        /// A description [default: Exchange's generated one].
        #[arg(long)]
        description: Option<String>,
    },
    /// Get-ApplicationAccessPolicy: the tenant's live policies.
    Get {
        /// The tenant.
        #[command(flatten)]
        tenant: TenantArg,
        /// A policy's Identity (an unknown one lists all, as Exchange does).
        #[arg(long)]
        identity: Option<String>,
    },
    /// Set-ApplicationAccessPolicy: change a policy's description.
    Set {
        /// The tenant.
        #[command(flatten)]
        tenant: TenantArg,
        /// The policy's Identity.
        #[arg(long)]
        identity: String,
        /// The new description.
        #[arg(long)]
        description: String,
    },
    /// Remove-ApplicationAccessPolicy.
    Remove {
        /// The tenant.
        #[command(flatten)]
        tenant: TenantArg,
        /// The policy's Identity.
        #[arg(long)]
        identity: String,
    },
    /// Test-ApplicationAccessPolicy: may the app reach the user's mailbox?
    Test {
        /// The tenant.
        #[command(flatten)]
        tenant: TenantArg,
        /// The mailbox's user: object id or UPN.
        #[arg(long)]
        identity: String,
        /// The application (client) id.
        #[arg(long)]
        app_id: String,
    },
}

/// `graphmeet policy …`, named after the Teams PowerShell cmdlets.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Create a policy listing the apps it allows (New-CsApplicationAccessPolicy).
    New {
        /// The policy's name (`Name` or `Tag:Name`).
        #[arg(long, value_name = "POLICY")]
        identity: String,
        /// Application (client) ids, comma-separated; may repeat.
        #[arg(long, required = true, value_name = "APP_ID[,APP_ID…]")]
        app_ids: Vec<String>,
        /// A description.
        #[arg(long)]
        description: Option<String>,
        /// The tenant.
        #[command(flatten)]
        tenant: TenantArg,
    },
    /// Change a policy's apps (one of --add-app-ids, --remove-app-ids, --replace-app-ids)
    /// and/or its description (Set-CsApplicationAccessPolicy).
    #[command(group(
        ArgGroup::new("change")
            .args(["add_app_ids", "remove_app_ids", "replace_app_ids", "description"])
            .required(true)
            .multiple(true)
    ))]
    Set {
        /// The policy (`Name` or `Tag:Name`).
        #[arg(long, value_name = "POLICY")]
        identity: String,
        /// Application ids to add (-AppIds @{Add=…}), comma-separated; may repeat.
        #[arg(
            long,
            value_name = "APP_ID[,APP_ID…]",
            conflicts_with_all = ["remove_app_ids", "replace_app_ids"]
        )]
        add_app_ids: Vec<String>,
        /// Application ids to remove (-AppIds @{Remove=…}), comma-separated; may repeat.
        #[arg(
            long,
            value_name = "APP_ID[,APP_ID…]",
            conflicts_with = "replace_app_ids"
        )]
        remove_app_ids: Vec<String>,
        /// The complete new list of application ids (-AppIds @{Replace=…}), comma-separated;
        /// may repeat.
        #[arg(long, value_name = "APP_ID[,APP_ID…]")]
        replace_app_ids: Vec<String>,
        /// A new description.
        #[arg(long)]
        description: Option<String>,
        /// The tenant.
        #[command(flatten)]
        tenant: TenantArg,
    },
    /// Show one policy, or every policy of the tenant (Get-CsApplicationAccessPolicy).
    Get {
        /// The policy (`Name` or `Tag:Name`) [default: every policy]
        #[arg(long, value_name = "POLICY")]
        identity: Option<String>,
        /// The tenant.
        #[command(flatten)]
        tenant: TenantArg,
    },
    /// Remove a policy; its grants end (Remove-CsApplicationAccessPolicy).
    Remove {
        /// The policy (`Name` or `Tag:Name`).
        #[arg(long, value_name = "POLICY")]
        identity: String,
        /// The tenant.
        #[command(flatten)]
        tenant: TenantArg,
    },
    /// Grant a policy to a user, a group or the whole tenant; the target's previous grant
    /// ends (Grant-CsApplicationAccessPolicy).
    Grant {
        /// The policy (`Name` or `Tag:Name`).
        #[arg(long, value_name = "POLICY")]
        policy_name: String,
        /// Whom to grant it to.
        #[command(flatten)]
        target: GrantTargetArgs,
        /// The group grant's rank: among a user's groups the lowest rank wins [default: 1]
        #[arg(long)]
        rank: Option<i64>,
        /// The tenant.
        #[command(flatten)]
        tenant: TenantArg,
    },
    /// End a user's, a group's or the global grant
    /// (Grant-CsApplicationAccessPolicy -PolicyName $null).
    Revoke {
        /// Whose grant to end.
        #[command(flatten)]
        target: GrantTargetArgs,
        /// The tenant.
        #[command(flatten)]
        tenant: TenantArg,
    },
    /// List the live grants.
    Grants {
        /// The tenant.
        #[command(flatten)]
        tenant: TenantArg,
    },
    /// Explain whether an app may act for a user now, and why; exits 0 whether allowed or
    /// denied.
    Explain {
        /// The application (client) id.
        #[arg(long, value_name = "APP_ID")]
        app: String,
        /// The user, by object id or UPN.
        #[arg(long, value_name = "USER")]
        user: String,
        /// The tenant.
        #[command(flatten)]
        tenant: TenantArg,
    },
}

/// Exactly one target of a grant: `-Identity`, `-Group` or `-Global`.
#[derive(Debug, Clone, Args)]
#[group(required = true, multiple = false)]
pub struct GrantTargetArgs {
    /// A user, by object id or UPN (-Identity).
    #[arg(long, value_name = "USER")]
    pub identity: Option<String>,
    /// A group, by object id (-Group).
    #[arg(long, value_name = "GROUP_ID")]
    pub group: Option<String>,
    /// The whole tenant (-Global).
    #[arg(long)]
    pub global: bool,
}

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
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use chrono::SecondsFormat;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn roles_may_repeat_and_globals_go_anywhere() {
        let cli = Cli::try_parse_from([
            "graphmeet",
            "consent",
            "grant",
            "--tenant",
            "t",
            "--app-id",
            "a",
            "--roles",
            "A,B",
            "--roles",
            "C",
            "--output",
            "json",
        ])
        .unwrap();
        assert_eq!(cli.global.output, OutputFormat::Json);
        match cli.command {
            Command::Consent(ConsentCommand::Grant { roles, .. }) => {
                assert_eq!(roles, ["A,B", "C"]);
            }
            other => panic!("{other:?}"),
        }
    }

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("graphmeet").chain(args.iter().copied()))
    }

    #[test]
    fn policy_set_takes_one_app_id_change_and_or_a_description() {
        let ok = parse(&[
            "policy",
            "set",
            "--identity",
            "P",
            "--add-app-ids",
            "a,b",
            "--add-app-ids",
            "c",
            "--description",
            "d",
            "--tenant",
            "t",
        ])
        .unwrap();
        match ok.command {
            Command::Policy(PolicyCommand::Set {
                add_app_ids,
                description,
                tenant,
                ..
            }) => {
                assert_eq!(add_app_ids, ["a,b", "c"]);
                assert_eq!(description.as_deref(), Some("d"));
                assert_eq!(tenant.tenant.as_deref(), Some("t"));
            }
            other => panic!("{other:?}"),
        }
        assert!(parse(&["policy", "set", "--identity", "P", "--description", "d"]).is_ok());
        for pair in [
            ["--add-app-ids", "--remove-app-ids"],
            ["--add-app-ids", "--replace-app-ids"],
            ["--remove-app-ids", "--replace-app-ids"],
        ] {
            let err = parse(&[
                "policy",
                "set",
                "--identity",
                "P",
                pair[0],
                "a",
                pair[1],
                "b",
            ])
            .unwrap_err();
            assert_eq!(err.exit_code(), 2, "{pair:?}");
        }
        let err = parse(&["policy", "set", "--identity", "P"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn policy_grant_takes_exactly_one_target() {
        let cli = parse(&[
            "policy",
            "grant",
            "--policy-name",
            "P",
            "--group",
            "g",
            "--rank",
            "3",
        ])
        .unwrap();
        match cli.command {
            Command::Policy(PolicyCommand::Grant { target, rank, .. }) => {
                assert_eq!(target.group.as_deref(), Some("g"));
                assert_eq!(rank, Some(3));
                assert!(target.identity.is_none() && !target.global);
            }
            other => panic!("{other:?}"),
        }
        for bad in [
            &["policy", "grant", "--policy-name", "P"][..],
            &[
                "policy",
                "grant",
                "--policy-name",
                "P",
                "--identity",
                "u",
                "--global",
            ],
            &[
                "policy",
                "grant",
                "--policy-name",
                "P",
                "--identity",
                "u",
                "--group",
                "g",
            ],
            &["policy", "revoke"],
            &["policy", "revoke", "--group", "g", "--global"],
            &["policy", "new", "--identity", "P"],
        ] {
            assert_eq!(parse(bad).unwrap_err().exit_code(), 2, "{bad:?}");
        }
        assert!(parse(&["policy", "revoke", "--global", "--tenant", "t"]).is_ok());
    }

    #[test]
    fn lockout_flags_default_to_entras_and_take_seconds_or_durations() {
        let serve = |args: &[&str]| match parse(args).map(|c| c.command) {
            Ok(Command::Serve(serve)) => Ok((serve.lockout_threshold, serve.lockout_duration)),
            Ok(other) => panic!("{other:?}"),
            Err(e) => Err(e),
        };
        // (Unless the environment sets them.)
        if std::env::var_os("GRAPHMEET_LOCKOUT_THRESHOLD").is_none()
            && std::env::var_os("GRAPHMEET_LOCKOUT_DURATION").is_none()
        {
            assert_eq!(
                serve(&["serve"]).unwrap(),
                (10, chrono::Duration::seconds(60))
            );
        }
        assert_eq!(
            serve(&[
                "serve",
                "--lockout-threshold",
                "0",
                "--lockout-duration",
                "5"
            ])
            .unwrap(),
            (0, chrono::Duration::seconds(5))
        );
        assert_eq!(
            serve(&["serve", "--lockout-duration", "2m"]).unwrap().1,
            chrono::Duration::minutes(2)
        );
        for bad in ["0", "-3", "soon", "2d"] {
            let err = serve(&["serve", "--lockout-duration", bad]).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad}");
        }
        assert_eq!(
            serve(&["serve", "--lockout-threshold", "-1"])
                .unwrap_err()
                .exit_code(),
            2
        );
    }

    #[test]
    fn app_update_needs_a_boolean_setting() {
        let cli = parse(&[
            "app",
            "update",
            "--app-id",
            "a",
            "--allow-public-client",
            "true",
        ])
        .unwrap();
        match cli.command {
            Command::App(AppCommand::Update {
                app_id,
                allow_public_client,
            }) => {
                assert_eq!(app_id, "a");
                assert_eq!(allow_public_client, Some(true));
            }
            other => panic!("{other:?}"),
        }
        for bad in [
            &["app", "update", "--app-id", "a"][..],
            &["app", "update", "--app-id", "a", "--allow-public-client"],
            &[
                "app",
                "update",
                "--app-id",
                "a",
                "--allow-public-client",
                "maybe",
            ],
        ] {
            assert_eq!(parse(bad).unwrap_err().exit_code(), 2, "{bad:?}");
        }
        match parse(&[
            "app",
            "create",
            "--tenant",
            "t",
            "--name",
            "n",
            "--allow-public-client",
        ])
        .unwrap()
        .command
        {
            Command::App(AppCommand::Create {
                allow_public_client,
                ..
            }) => assert!(allow_public_client),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn out_conflicts_with_pem() {
        let err = Cli::try_parse_from([
            "graphmeet",
            "app",
            "add-cert",
            "--app-id",
            "a",
            "--pem",
            "x",
            "--out",
            "y",
        ])
        .unwrap_err();
        assert_eq!(err.exit_code(), 2);
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
            Command::Admin(AdminVerb::Cs(args)) => {
                assert_eq!(args.lines.len(), 2);
                assert!(args.file.is_none() && args.tenant.is_none());
            }
            other => panic!("{other:?}"),
        }
        let cli = parse(&["cs", "--file", "s.ps1", "--tenant", "t"]).unwrap();
        match cli.command {
            Command::Admin(AdminVerb::Cs(args)) => {
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
            Command::Admin(AdminVerb::Audit(args)) => {
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
            Command::Tenant(TenantCommand::Delete { .. })
        ));
        assert!(matches!(
            parse(&["app", "remove-cert", "--app-id", "a", "--key-id", "k"])
                .unwrap()
                .command,
            Command::App(AppCommand::RemoveCert { .. })
        ));
        match parse(&[
            "consent", "revoke", "--tenant", "t", "--app-id", "a", "--roles", "A,B", "--roles", "C",
        ])
        .unwrap()
        .command
        {
            Command::Consent(ConsentCommand::Revoke { roles, .. }) => {
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

    const A: &str = "11111111-2222-3333-4444-555555555555";
    const B: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

    #[test]
    fn app_ids_split_repeat_dedupe_and_canonicalise() {
        let upper = B.to_ascii_uppercase();
        assert_eq!(
            parse_app_ids("--app-ids", &strings(&[&format!("{A}, {upper}"), A])).unwrap(),
            strings(&[A, B])
        );
    }

    #[test]
    fn bad_app_ids_are_usage_errors_naming_the_value() {
        let err = parse_app_ids("--app-ids", &strings(&[&format!("{A},not-a-guid")])).unwrap_err();
        assert!(err.to_string().contains("'not-a-guid'"), "{err}");
        assert!(err.to_string().contains("--app-ids"), "{err}");
        let err = parse_app_ids("--add-app-ids", &strings(&[&format!("{A},,{B}")])).unwrap_err();
        assert!(err.to_string().contains("empty entry"), "{err}");
        assert!(parse_app_ids("--app-ids", &[]).is_err());
    }
}

/// `graphmeet subscription …`.
#[derive(Debug, Args)]
pub struct SubscriptionArgs {
    /// Who the application is.
    #[command(flatten)]
    pub app: AppArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: SubscriptionCommand,
}

/// `graphmeet subscription …` verbs.
#[derive(Debug, Subcommand)]
pub enum SubscriptionCommand {
    /// Create a subscription (the server validates the notification URL first).
    Create {
        /// The resource, e.g. `users/{id}/onlineMeetings/getAllTranscripts`,
        /// `communications/onlineMeetings/getAllRecordings`, or
        /// `communications/onlineMeetings(joinWebUrl='…')/meetingCallEvents`.
        #[arg(long)]
        resource: String,
        /// Where notifications are POSTed.
        #[arg(long, value_name = "URL")]
        notification_url: String,
        /// Where lifecycle notifications are POSTed (needed beyond one hour).
        #[arg(long, value_name = "URL")]
        lifecycle_url: Option<String>,
        /// `created` (transcripts, recordings) or `updated` (call events).
        #[arg(long, default_value = "created")]
        change_type: String,
        /// How long it lives from now (this machine's clock), e.g. `60m`, `72h` [default: 60m]
        #[arg(long, value_name = "DURATION", value_parser = parse_duration, conflicts_with = "expiration")]
        expires_in: Option<chrono::Duration>,
        /// When it expires, RFC 3339.
        #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
        expiration: Option<GraphDateTime>,
        /// Echoed in every notification, to check it came from the subscription.
        #[arg(long)]
        client_state: Option<String>,
        /// Rich notifications: a PEM (or DER) certificate to encrypt resource data for.
        #[arg(long, value_name = "FILE", requires = "encryption_certificate_id")]
        encryption_certificate: Option<PathBuf>,
        /// The certificate's id, echoed in notifications.
        #[arg(long, value_name = "ID")]
        encryption_certificate_id: Option<String>,
    },
    /// List the app's subscriptions.
    List,
    /// Show one subscription.
    Get {
        /// The subscription id.
        id: String,
    },
    /// Renew a subscription.
    Renew {
        /// The subscription id.
        id: String,
        /// The new lifetime from now (this machine's clock), e.g. `72h` [default: 60m]
        #[arg(long, value_name = "DURATION", value_parser = parse_duration, conflicts_with = "expiration")]
        expires_in: Option<chrono::Duration>,
        /// The new expiry, RFC 3339.
        #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
        expiration: Option<GraphDateTime>,
    },
    /// Delete a subscription.
    Delete {
        /// The subscription id.
        id: String,
    },
}

/// `graphmeet listen`.
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// The address to serve on (plain http; the server must allow it with --plain-http or
    /// --notification-loopback-hosts).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8600")]
    pub listen: SocketAddr,
    /// A PEM file with the private key (PKCS#8) of the encryption certificate, to decrypt
    /// rich notifications' resource data.
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// The clientState the subscription was made with; notifications with another are
    /// reported as not matching.
    #[arg(long)]
    pub client_state: Option<String>,
    /// Exit after this many notifications (0: run until interrupted).
    #[arg(long, default_value_t = 0)]
    pub count: usize,
}
