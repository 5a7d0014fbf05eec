//! Throughput and latency of the online-meetings Graph API: create, get by id and `$filter` by
//! `joinMeetingId`, against an in-process graphmeet server over HTTPS on SQLite or PostgreSQL,
//! each with its ratio against `GET /healthz` measured in the same run.
//!
//! ```text
//! cargo run --release -p graphmeet-compat --example bench_meetings -- \
//!     [--backend sqlite|postgres] [--requests N] [--concurrency C] [--max-seconds S]
//! ```
//!
//! `--backend postgres` needs `GRAPHMEET_TEST_POSTGRES_URL`; the run gets a schema of its own
//! there, dropped afterwards. A benchmark never fails on slowness: it prints figures. It exits
//! non-zero only when it cannot run (no server, no token, no PostgreSQL).

use std::error::Error;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

type BoxError = Box<dyn Error + Send + Sync>;

/// Command-line options.
#[derive(Debug, Clone)]
struct Options {
    backend: Backend,
    requests: usize,
    concurrency: usize,
    max_seconds: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

const USAGE: &str = "usage: bench_meetings [--backend sqlite|postgres] [--requests N] [--concurrency C] [--max-seconds S]";

fn parse_options() -> Result<Options, BoxError> {
    let mut options = Options {
        backend: Backend::Sqlite,
        requests: 2000,
        concurrency: 16,
        max_seconds: 60,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        if name == "--help" || name == "-h" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let value = match inline {
            Some(v) => v,
            None => args
                .next()
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))?,
        };
        let number = || -> Result<usize, BoxError> {
            let n: usize = value.parse().map_err(|e| format!("{name} {value}: {e}"))?;
            if n == 0 {
                return Err(format!("{name} must be at least 1").into());
            }
            Ok(n)
        };
        match name.as_str() {
            "--backend" => {
                options.backend = match value.as_str() {
                    "sqlite" => Backend::Sqlite,
                    "postgres" | "postgresql" => Backend::Postgres,
                    other => return Err(format!("unknown backend {other:?}\n{USAGE}").into()),
                }
            }
            "--requests" => options.requests = number()?,
            "--concurrency" => options.concurrency = number()?,
            "--max-seconds" => options.max_seconds = number()? as u64,
            other => return Err(format!("unknown option {other:?}\n{USAGE}").into()),
        }
    }
    Ok(options)
}

/// One request of an operation, made from its index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operation {
    Healthz,
    Create,
    GetById,
    FilterByJoinMeetingId,
}

impl Operation {
    fn label(self) -> &'static str {
        match self {
            Operation::Healthz => "GET /healthz (baseline)",
            Operation::Create => "POST create meeting",
            Operation::GetById => "GET meeting by id",
            Operation::FilterByJoinMeetingId => "GET $filter joinMeetingId",
        }
    }

    fn expected_status(self) -> u16 {
        match self {
            Operation::Create => 201,
            _ => 200,
        }
    }
}

/// What every request needs: the client, the URLs, the token and the meetings made so far.
struct Target {
    http: reqwest::Client,
    base_url: String,
    meetings_url: String,
    token: String,
    /// `(id, joinMeetingId)` of the meetings created by the create phase.
    created: std::sync::Mutex<Vec<(String, String)>>,
    /// A snapshot of `created` for the read phases.
    snapshot: std::sync::RwLock<Arc<Vec<(String, String)>>>,
}

impl Target {
    fn pick(&self, index: usize) -> Option<(String, String)> {
        let snapshot = self.snapshot.read().ok()?.clone();
        if snapshot.is_empty() {
            return None;
        }
        // A stride coprime with most sizes spreads reads over the table instead of in order.
        snapshot.get((index * 7919) % snapshot.len()).cloned()
    }

    /// Sends request `index` of `op`; `Ok(status)` once the whole body is read.
    async fn send(&self, op: Operation, index: usize) -> Result<u16, BoxError> {
        let request = match op {
            Operation::Healthz => self.http.get(format!("{}/healthz", self.base_url)),
            Operation::Create => self.http.post(&self.meetings_url).json(&json!({
                "subject": format!("bench meeting {index}"),
                "startDateTime": "2026-12-01T14:30:00+00:00",
                "endDateTime": "2026-12-01T15:00:00+00:00",
                "joinMeetingIdSettings": {"isPasscodeRequired": true},
            })),
            Operation::GetById => {
                let (id, _) = self.pick(index).ok_or("no meeting to get")?;
                self.http.get(format!("{}/{id}", self.meetings_url))
            }
            Operation::FilterByJoinMeetingId => {
                let (_, join_id) = self.pick(index).ok_or("no meeting to find")?;
                // The wire form msgraph-sdk sends (client-traces.md §5.3).
                self.http.get(format!(
                    "{}?$filter=joinMeetingIdSettings%2FjoinMeetingId%20eq%20%27{join_id}%27",
                    self.meetings_url
                ))
            }
        };
        let request = if op == Operation::Healthz {
            request
        } else {
            request.bearer_auth(&self.token)
        };
        let response = request.send().await?;
        let status = response.status().as_u16();
        let body = response.bytes().await?;
        if op == Operation::Create && status == 201 {
            let v: Value = serde_json::from_slice(&body)?;
            let id = v["id"].as_str().unwrap_or_default().to_owned();
            let join_id = v["joinMeetingIdSettings"]["joinMeetingId"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            if let Ok(mut created) = self.created.lock() {
                created.push((id, join_id));
            }
        }
        if op == Operation::FilterByJoinMeetingId && status == 200 {
            let v: Value = serde_json::from_slice(&body)?;
            if v["value"].as_array().map(Vec::len) != Some(1) {
                return Err(format!("$filter found {} meetings, not 1", v["value"]).into());
            }
        }
        Ok(status)
    }

    fn freeze_created(&self) {
        let created = self.created.lock().map(|c| c.clone()).unwrap_or_default();
        if let Ok(mut snapshot) = self.snapshot.write() {
            *snapshot = Arc::new(created);
        }
    }
}

/// The figures of one operation.
#[derive(Debug, Clone)]
struct Figures {
    op: Operation,
    completed: usize,
    errors: usize,
    first_error: Option<String>,
    elapsed: Duration,
    p50: Duration,
    p99: Duration,
}

impl Figures {
    fn per_second(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.completed as f64 / secs
        } else {
            0.0
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Runs `requests` requests of `op` from `concurrency` workers, stopping early at `max`.
async fn run(
    target: &Arc<Target>,
    op: Operation,
    requests: usize,
    concurrency: usize,
    max: Duration,
) -> Figures {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + max;
    let mut workers = Vec::with_capacity(concurrency);
    for _ in 0..concurrency.min(requests) {
        let target = target.clone();
        let next = next.clone();
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0usize;
            let mut first_error = None;
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= requests || Instant::now() >= deadline {
                    break;
                }
                let sent = Instant::now();
                match target.send(op, index).await {
                    Ok(status) if status == op.expected_status() => {
                        latencies.push(sent.elapsed());
                    }
                    Ok(status) => {
                        errors += 1;
                        first_error.get_or_insert_with(|| format!("HTTP {status}"));
                    }
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert_with(|| e.to_string());
                    }
                }
            }
            (latencies, errors, first_error)
        }));
    }
    let mut latencies = Vec::with_capacity(requests);
    let mut errors = 0;
    let mut first_error = None;
    for worker in workers {
        match worker.await {
            Ok((l, e, f)) => {
                latencies.extend(l);
                errors += e;
                if first_error.is_none() {
                    first_error = f;
                }
            }
            Err(e) => {
                errors += 1;
                first_error.get_or_insert_with(|| format!("worker: {e}"));
            }
        }
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    Figures {
        op,
        completed: latencies.len(),
        errors,
        first_error,
        elapsed,
        p50: percentile(&latencies, 0.50),
        p99: percentile(&latencies, 0.99),
    }
}

async fn app_token(http: &reqwest::Client, creds: &Value) -> Result<String, BoxError> {
    let field = |k: &str| {
        creds[k]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("dev-credentials.json has no {k}"))
    };
    let response = http
        .post(field("token_url")?)
        .form(&[
            ("grant_type", "client_credentials".to_owned()),
            ("client_id", field("client_id")?),
            ("client_secret", field("client_secret")?),
            ("scope", "https://graph.microsoft.com/.default".to_owned()),
        ])
        .send()
        .await?;
    let status = response.status();
    let body: Value = response.json().await?;
    body["access_token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("token request failed ({status}): {body}").into())
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn print_table(backend: Backend, options: &Options, figures: &[Figures]) {
    let baseline = figures
        .iter()
        .find(|f| f.op == Operation::Healthz)
        .map(Figures::per_second)
        .unwrap_or(0.0);
    println!();
    println!(
        "backend {}, {} requests per operation at concurrency {} (max {} s each)",
        backend.name(),
        options.requests,
        options.concurrency,
        options.max_seconds
    );
    println!(
        "| {:<26} | {:<8} | {:>8} | {:>6} | {:>9} | {:>8} | {:>8} | {:>6} |",
        "operation", "backend", "requests", "errors", "req/s", "p50 ms", "p99 ms", "ratio"
    );
    println!(
        "|{:-<28}|{:-<10}|{:->10}|{:->8}|{:->11}|{:->10}|{:->10}|{:->8}|",
        "", "", "", "", "", "", "", ""
    );
    for f in figures {
        let ratio = if baseline > 0.0 {
            format!("{:.3}", f.per_second() / baseline)
        } else {
            "n/a".to_owned()
        };
        println!(
            "| {:<26} | {:<8} | {:>8} | {:>6} | {:>9.1} | {:>8} | {:>8} | {:>6} |",
            f.op.label(),
            backend.name(),
            f.completed,
            f.errors,
            f.per_second(),
            ms(f.p50),
            ms(f.p99),
            ratio
        );
    }
    for f in figures {
        if let Some(e) = &f.first_error {
            println!("  {}: {} errors, first: {e}", f.op.label(), f.errors);
        }
        if f.completed < options.requests && f.errors == 0 {
            println!(
                "  {}: stopped at {} requests by the {} s limit",
                f.op.label(),
                f.completed,
                options.max_seconds
            );
        }
    }
}

async fn bench(
    options: &Options,
    database_url: Option<String>,
    data_dir: &std::path::Path,
) -> Result<(), BoxError> {
    let mut config = graphmeet_server::Config::new(data_dir.to_path_buf());
    config.listen = "127.0.0.1:0".parse()?;
    config.database_url = database_url;
    config.bootstrap = true;
    let server = graphmeet_server::start(config).await?;
    let result = bench_server(options, &server).await;
    server.shutdown().await;
    result
}

async fn bench_server(
    options: &Options,
    server: &graphmeet_server::RunningServer,
) -> Result<(), BoxError> {
    let creds_path = server
        .dev_credentials
        .as_ref()
        .ok_or("the server did not bootstrap")?;
    let creds: Value = serde_json::from_slice(&std::fs::read(creds_path)?)?;
    let ca = std::fs::read(server.ca_cert_path.as_ref().ok_or("no CA certificate")?)?;
    graphmeet_testkit::install_crypto_provider();
    let http = reqwest::Client::builder()
        .use_rustls_tls()
        .add_root_certificate(reqwest::Certificate::from_pem(&ca)?)
        .pool_max_idle_per_host(options.concurrency)
        .timeout(Duration::from_secs(30))
        .build()?;
    let token = app_token(&http, &creds).await?;
    let graph_url = creds["graph_url"].as_str().ok_or("no graph_url")?;
    let user_id = creds["user_id"].as_str().ok_or("no user_id")?;
    let target = Arc::new(Target {
        http,
        base_url: server.base_url.clone(),
        meetings_url: format!("{graph_url}/users/{user_id}/onlineMeetings"),
        token,
        created: std::sync::Mutex::new(Vec::with_capacity(options.requests)),
        snapshot: std::sync::RwLock::new(Arc::new(Vec::new())),
    });
    let max = Duration::from_secs(options.max_seconds);

    // Warm-up: open the connections (TLS handshakes) and fault in the code paths, unmeasured.
    let warm = options.concurrency * 8;
    let _ = run(&target, Operation::Healthz, warm, options.concurrency, max).await;

    let mut figures = Vec::new();
    for op in [
        Operation::Healthz,
        Operation::Create,
        Operation::GetById,
        Operation::FilterByJoinMeetingId,
    ] {
        if op == Operation::GetById {
            target.freeze_created();
        }
        let f = run(&target, op, options.requests, options.concurrency, max).await;
        eprintln!(
            "{:<26} {:>6} ok {:>4} errors in {:.2} s",
            op.label(),
            f.completed,
            f.errors,
            f.elapsed.as_secs_f64()
        );
        figures.push(f);
    }
    print_table(options.backend, options, &figures);
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let options = parse_options()?;
    let dir = tempfile::tempdir()?;
    match options.backend {
        Backend::Sqlite => bench(&options, None, dir.path()).await,
        Backend::Postgres => {
            let db = graphmeet_store::TestDatabase::postgres().await.ok_or(
                "--backend postgres needs GRAPHMEET_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test)",
            )?;
            let result = bench(&options, Some(db.url.clone()), dir.path()).await;
            let cleanup = db.cleanup().await;
            result?;
            Ok(cleanup?)
        }
    }
}
