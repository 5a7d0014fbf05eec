//! `graphmeet`: serve and administer a graphmeet server, and create Teams meetings as an
//! application against Microsoft Graph or a graphmeet server.
//!
//! `main` parses the command line, [`run`]s it, and turns the outcome into an exit code in one
//! place ([`exit_code`]): 0 success, 1 the operation failed, 2 usage error.
//!
//! The modules, each importing only those below it: `main` → [`cmd`] (one module per noun,
//! each with an `exec`) → [`connect`] (the admin client and the application) and [`output`]
//! (printing) → [`args`] (every clap type, the value parsers and [`args::UsageError`]).

mod args;
mod cmd;
mod connect;
mod output;

use std::process::ExitCode;

use clap::Parser;
use graphmeet_client::ClientError;

use args::{AdminVerb, Cli, Command, UsageError};

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            report(&err);
            exit_code(&err)
        }
    }
}

/// Runs a parsed command line.
fn run(cli: Cli) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|err| anyhow::anyhow!("cannot start the async runtime: {err}"))?;
    runtime.block_on(exec(cli))
}

/// Hands the command to its noun.
async fn exec(cli: Cli) -> anyhow::Result<()> {
    let Cli { global, command } = cli;
    match command {
        Command::Serve(args) => cmd::serve::exec(&global, *args).await,
        Command::Tenant(cmd) => cmd::tenant::exec(&global, cmd).await,
        Command::User(cmd) => cmd::user::exec(&global, cmd).await,
        Command::App(cmd) => cmd::app::exec(&global, cmd).await,
        Command::Consent(cmd) => cmd::consent::exec(&global, cmd).await,
        Command::Keys(cmd) => cmd::keys::exec(&global, cmd).await,
        Command::Group(cmd) => cmd::group::exec(&global, cmd).await,
        Command::Policy(cmd) => cmd::policy::exec(&global, cmd).await,
        Command::ExchangePolicy(cmd) => cmd::exchange_policy::exec(&global, cmd).await,
        Command::Meeting(args) => cmd::meeting::exec(&global, args).await,
        Command::Event(args) => cmd::event::exec(&global, args).await,
        Command::Doctor(args) => cmd::doctor::exec(&global, args).await,
        Command::Onboard(args) => cmd::doctor::exec_onboard(&global, args),
        Command::Trust(args) => cmd::trust::exec(&global, &args),
        Command::Requests(args) => cmd::requests::exec(&global, args).await,
        Command::Clock(args) => cmd::clock::exec(&global, args).await,
        Command::Subscription(args) => cmd::subscription::exec(&global, args).await,
        Command::Listen(args) => cmd::subscription::listen(&global, args).await,
        Command::Admin(AdminVerb::Cs(args)) => cmd::cs::exec(&global, args).await,
        Command::Admin(AdminVerb::Apply(args)) => cmd::seed::apply(&global, args).await,
        Command::Admin(AdminVerb::Export(args)) => cmd::seed::export(&global, args).await,
        Command::Admin(AdminVerb::Reset(args)) => cmd::reset::exec(&global, args).await,
        Command::Admin(AdminVerb::Audit(args)) => cmd::audit::exec(&global, args).await,
    }
}

/// The one place errors become exit codes.
fn exit_code(err: &anyhow::Error) -> ExitCode {
    if err.downcast_ref::<UsageError>().is_some() {
        ExitCode::from(2)
    } else {
        ExitCode::from(1)
    }
}

/// Prints an error, with every cause, and a hint where one helps.
fn report(err: &anyhow::Error) {
    eprintln!("error: {err:#}");
    if let Some(ClientError::Api { status: 401, .. }) = err.downcast_ref::<ClientError>() {
        eprintln!(
            "hint: the server rejected the admin key; give the right one with --admin-key or \
             GRAPHMEET_ADMIN_KEY, or point --data-dir at the server's data directory"
        );
    }
    if err.downcast_ref::<UsageError>().is_some() {
        eprintln!("\nFor more information, try '--help'.");
    }
}

/// Logs go to stderr; the filter comes from `GRAPHMEET_LOG`, else `RUST_LOG`, else `info`
/// (with the client SDK's per-call warnings off: the CLI prints each failure once, diagnosed).
fn init_tracing() {
    let spec = std::env::var("GRAPHMEET_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info,graphmeet_client=error".to_owned());
    let filter = match tracing_subscriber::EnvFilter::try_new(&spec) {
        Ok(filter) => filter,
        Err(err) => {
            eprintln!("warning: ignoring the log filter '{spec}': {err}");
            tracing_subscriber::EnvFilter::new("info")
        }
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
