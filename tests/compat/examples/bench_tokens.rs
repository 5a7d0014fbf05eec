//! The token endpoint under load: client-credentials tokens per second, and how `/healthz`
//! answers while clients guess passwords (`grant_type=password`), each against `/healthz`
//! measured in the same run.
//!
//! ```text
//! cargo run --release -p graphmeet-compat --example bench_tokens -- \
//!     [--requests N] [--concurrency C] [--guessers G] [--guess-seconds S]
//! ```
//!
//! The server runs in-process over HTTPS on a fresh SQLite data directory, on a Tokio runtime of
//! its own (as `graphmeet serve` has), so that the load generator's tasks do not share its
//! workers. Smart lockout is off on that server and the dev app allows public client flows, so
//! every guess costs the server one Argon2 check and nothing else. A benchmark never fails on
//! slowness: it prints figures. It exits non-zero only when it cannot run.

use std::error::Error;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

type BoxError = Box<dyn Error + Send + Sync>;

const USAGE: &str =
    "usage: bench_tokens [--requests N] [--concurrency C] [--guessers G] [--guess-seconds S]";

/// Command-line options.
#[derive(Debug, Clone)]
struct Options {
    /// Client-credentials token requests (and `/healthz` requests of the baseline).
    requests: usize,
    /// Requests in flight at once in those two phases.
    concurrency: usize,
    /// Clients guessing passwords at once.
    guessers: usize,
    /// How long the guessing phase lasts.
    guess_seconds: u64,
}

fn parse_options() -> Result<Options, BoxError> {
    let mut options = Options {
        requests: 2000,
        concurrency: 16,
        guessers: 32,
        guess_seconds: 10,
    };
    let mut args = std::env::args().skip(1);
    while let Some(name) = args.next() {
        if name == "--help" || name == "-h" {
            println!("{USAGE}");
            return Err("".into());
        }
        let value = args
            .next()
            .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))?;
        let n: usize = value.parse().map_err(|e| format!("{name} {value}: {e}"))?;
        if n == 0 {
            return Err(format!("{name} must be at least 1").into());
        }
        match name.as_str() {
            "--requests" => options.requests = n,
            "--concurrency" => options.concurrency = n,
            "--guessers" => options.guessers = n,
            "--guess-seconds" => options.guess_seconds = n as u64,
            other => return Err(format!("unknown option {other:?}\n{USAGE}").into()),
        }
    }
    Ok(options)
}

/// What the load needs: the client and the requests' parts.
struct Target {
    http: reqwest::Client,
    base_url: String,
    token_url: String,
    client_id: String,
    client_secret: String,
    username: String,
}

impl Target {
    async fn healthz(&self) -> Result<u16, BoxError> {
        let r = self
            .http
            .get(format!("{}/healthz", self.base_url))
            .send()
            .await?;
        let status = r.status().as_u16();
        r.bytes().await?;
        Ok(status)
    }

    async fn token(&self, form: &[(&str, &str)]) -> Result<(u16, Value), BoxError> {
        let r = self.http.post(&self.token_url).form(form).send().await?;
        let status = r.status().as_u16();
        Ok((status, r.json().await?))
    }

    async fn client_credentials(&self) -> Result<u16, BoxError> {
        let (status, _) = self
            .token(&[
                ("grant_type", "client_credentials"),
                ("client_id", &self.client_id),
                ("client_secret", &self.client_secret),
                ("scope", "https://graph.microsoft.com/.default"),
            ])
            .await?;
        Ok(status)
    }

    /// A wrong password from a public client; Entra answers 400 with AADSTS50126 (with
    /// lockout off, as this server runs).
    async fn guess(&self, n: usize) -> Result<bool, BoxError> {
        let password = format!("guess-{n}");
        let (status, body) = self
            .token(&[
                ("grant_type", "password"),
                ("client_id", &self.client_id),
                ("username", &self.username),
                ("password", &password),
                ("scope", "https://graph.microsoft.com/User.Read"),
            ])
            .await?;
        Ok(status == 400 && body["error_codes"] == json!([50126]))
    }
}

/// Latencies of successful requests, and the rest.
#[derive(Default)]
struct Figures {
    latencies: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
}

impl Figures {
    fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank =
            ((p * self.latencies.len() as f64).ceil() as usize).clamp(1, self.latencies.len());
        self.latencies[rank - 1]
    }
}

#[derive(Clone, Copy)]
enum Op {
    Healthz,
    ClientCredentials,
}

/// Sends `requests` requests of `op` from `concurrency` workers.
async fn run(target: &Arc<Target>, op: Op, requests: usize, concurrency: usize) -> Figures {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency.min(requests))
        .map(|_| {
            let (target, next) = (target.clone(), next.clone());
            tokio::spawn(async move {
                let mut figures = Figures::default();
                while next.fetch_add(1, Ordering::Relaxed) < requests {
                    let sent = Instant::now();
                    let status = match op {
                        Op::Healthz => target.healthz().await,
                        Op::ClientCredentials => target.client_credentials().await,
                    };
                    match status {
                        Ok(200) => figures.latencies.push(sent.elapsed()),
                        _ => figures.errors += 1,
                    }
                }
                figures
            })
        })
        .collect();
    let mut all = Figures::default();
    for worker in workers {
        match worker.await {
            Ok(f) => {
                all.latencies.extend(f.latencies);
                all.errors += f.errors;
            }
            Err(_) => all.errors += 1,
        }
    }
    all.elapsed = started.elapsed();
    all.latencies.sort_unstable();
    all
}

/// One monitor probing `/healthz` back to back until `stop`.
async fn probe(target: Arc<Target>, stop: Arc<AtomicBool>) -> Figures {
    let started = Instant::now();
    let mut figures = Figures::default();
    while !stop.load(Ordering::Relaxed) {
        let sent = Instant::now();
        match target.healthz().await {
            Ok(200) => figures.latencies.push(sent.elapsed()),
            _ => figures.errors += 1,
        }
    }
    figures.elapsed = started.elapsed();
    figures.latencies.sort_unstable();
    figures
}

/// `/healthz` probed for `seconds` while `guessers` clients guess passwords (none when 0).
async fn probe_while_guessing(
    target: &Arc<Target>,
    guessers: usize,
    seconds: u64,
) -> (Figures, Figures) {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let guessing: Vec<_> = (0..guessers)
        .map(|g| {
            let (target, stop) = (target.clone(), stop.clone());
            tokio::spawn(async move {
                let mut figures = Figures::default();
                let mut n = g * 1_000_000;
                while !stop.load(Ordering::Relaxed) {
                    let sent = Instant::now();
                    n += 1;
                    match target.guess(n).await {
                        Ok(true) => figures.latencies.push(sent.elapsed()),
                        _ => figures.errors += 1,
                    }
                }
                figures
            })
        })
        .collect();
    let prober = tokio::spawn(probe(target.clone(), stop.clone()));
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut guesses = Figures::default();
    for g in guessing {
        if let Ok(f) = g.await {
            guesses.latencies.extend(f.latencies);
            guesses.errors += f.errors;
        }
    }
    guesses.elapsed = started.elapsed();
    guesses.latencies.sort_unstable();
    let probes = prober.await.unwrap_or_default();
    (probes, guesses)
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn row(label: &str, f: &Figures, baseline: Option<&Figures>) {
    let ratio = baseline.map_or_else(
        || "-".to_owned(),
        |b| format!("{:.3}", f.per_second() / b.per_second().max(1e-9)),
    );
    println!(
        "| {:<44} | {:>8} | {:>6} | {:>9.1} | {:>8} | {:>8} | {:>6} |",
        label,
        f.latencies.len(),
        f.errors,
        f.per_second(),
        ms(f.percentile(0.50)),
        ms(f.percentile(0.99)),
        ratio
    );
}

async fn bench(options: &Options, target: Arc<Target>) {
    // Warm-up: open the connections and fault in the code paths, unmeasured.
    let _ = run(
        &target,
        Op::Healthz,
        options.concurrency * 8,
        options.concurrency,
    )
    .await;
    let _ = run(
        &target,
        Op::ClientCredentials,
        options.concurrency,
        options.concurrency,
    )
    .await;

    let healthz = run(&target, Op::Healthz, options.requests, options.concurrency).await;
    let tokens = run(
        &target,
        Op::ClientCredentials,
        options.requests,
        options.concurrency,
    )
    .await;
    let probe_seconds = options.guess_seconds.min(5);
    let (idle_probes, _) = probe_while_guessing(&target, 0, probe_seconds).await;
    let (busy_probes, guesses) =
        probe_while_guessing(&target, options.guessers, options.guess_seconds).await;

    println!(
        "\n{} requests at concurrency {}; {} password guessers for {} s",
        options.requests, options.concurrency, options.guessers, options.guess_seconds
    );
    println!(
        "| {:<44} | {:>8} | {:>6} | {:>9} | {:>8} | {:>8} | {:>6} |",
        "operation", "requests", "errors", "req/s", "p50 ms", "p99 ms", "ratio"
    );
    println!(
        "|{:-<46}|{:->10}|{:->8}|{:->11}|{:->10}|{:->10}|{:->8}|",
        "", "", "", "", "", "", ""
    );
    row("GET /healthz (baseline)", &healthz, Some(&healthz));
    row(
        "POST token, client_credentials (secret)",
        &tokens,
        Some(&healthz),
    );
    row(
        "GET /healthz, one prober, idle server",
        &idle_probes,
        Some(&idle_probes),
    );
    row(
        &format!("GET /healthz, one prober, {} guessers", options.guessers),
        &busy_probes,
        Some(&idle_probes),
    );
    row("POST token, password (wrong, 50126)", &guesses, None);
}

fn main() -> Result<(), BoxError> {
    let options = match parse_options() {
        Ok(o) => o,
        Err(e) if e.to_string().is_empty() => return Ok(()),
        Err(e) => return Err(e),
    };
    let dir = tempfile::tempdir()?;
    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let client_runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;

    let mut config = graphmeet_server::Config::new(dir.path().to_path_buf());
    config.listen = "127.0.0.1:0".parse()?;
    config.bootstrap = true;
    // The guessers would lock the user out after ten wrong passwords, and every later guess
    // would be refused before its Argon2 check: the load measured here is those checks.
    config.lockout = graphmeet_server::LockoutPolicy::disabled();
    let server = server_runtime.block_on(graphmeet_server::start(config))?;

    let result = client_runtime.block_on(async {
        let creds_path = server
            .dev_credentials
            .as_ref()
            .ok_or("the server did not bootstrap")?;
        let creds: Value = serde_json::from_slice(&std::fs::read(creds_path)?)?;
        let field = |k: &str| -> Result<String, BoxError> {
            Ok(creds[k]
                .as_str()
                .ok_or_else(|| format!("dev-credentials.json has no {k}"))?
                .to_owned())
        };
        let ca = std::fs::read(server.ca_cert_path.as_ref().ok_or("no CA certificate")?)?;
        graphmeet_testkit::install_crypto_provider();
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .add_root_certificate(reqwest::Certificate::from_pem(&ca)?)
            .pool_max_idle_per_host(options.concurrency.max(options.guessers) + 1)
            .timeout(Duration::from_secs(60))
            .build()?;
        let admin_key = std::fs::read_to_string(dir.path().join("admin-key"))?;
        let username = format!("guessed@{}", field("tenant_domain")?);
        let r = http
            .post(format!("{}/admin/users", server.base_url))
            .header("x-graphmeet-admin-key", admin_key.trim())
            .json(&json!({
                "tenant": field("tenant_id")?,
                "upn": username,
                "password": "correct horse battery staple",
            }))
            .send()
            .await?;
        if r.status().as_u16() != 201 {
            return Err(format!("creating the user failed: {}", r.text().await?).into());
        }
        // The guesses come from a public client (no secret), as a password-guessing tool would:
        // the dev app allows public client flows for this run.
        let r = http
            .patch(format!(
                "{}/admin/apps/{}",
                server.base_url,
                field("client_id")?
            ))
            .header("x-graphmeet-admin-key", admin_key.trim())
            .json(&json!({"allow_public_client": true}))
            .send()
            .await?;
        if r.status().as_u16() != 200 {
            return Err(format!("allowing public client flows failed: {}", r.text().await?).into());
        }
        let target = Arc::new(Target {
            http,
            base_url: server.base_url.clone(),
            token_url: field("token_url")?,
            client_id: field("client_id")?,
            client_secret: field("client_secret")?,
            username,
        });
        if target.client_credentials().await? != 200 {
            return Err("no token issued".into());
        }
        if !target.guess(0).await? {
            return Err("a wrong password was not refused with AADSTS50126".into());
        }
        bench(&options, target).await;
        Ok::<(), BoxError>(())
    });
    server_runtime.block_on(server.shutdown());
    result
}
