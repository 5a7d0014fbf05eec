//! `graphmeet serve`: every server setting as a flag with its `GRAPHMEET_*` variable, and
//! the duration parsers its flags use.

use super::*;

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
