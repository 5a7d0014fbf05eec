//! The graphmeet server: the identity platform (Entra's token, discovery and key endpoints),
//! the admin API, and — layered on the same generic server — the Graph API, over HTTPS by
//! default.
//!
//! [`app`] builds the whole application for tests that want no socket; [`start`] binds,
//! bootstraps and serves it; [`serve`] does that until SIGINT or SIGTERM. This file owns [`app`]
//! (the router every surface plugs into) and [`serve`]; `config` is the one documented
//! [`Config`], `services` builds the application state from it, `start` binds and bootstraps,
//! `upkeep` the background tasks (index catch-up, pruning).

mod config;
mod services;
mod start;
mod upkeep;

pub use config::Config;
pub use services::{build, Parts, Settings};
pub use start::{
    read_or_make_key_encryption_key, start, RunningServer, ServerError, KEY_ENCRYPTION_KEY_FILE,
    MIN_ADMIN_KEY_LEN,
};

pub mod admin;
pub mod admin_play;
pub mod bootstrap;
pub mod console;
pub mod cs;
pub mod entra;
pub mod exchange_admin;
pub mod fsutil;
pub mod graph;
pub mod inspector;
pub mod join;
pub mod metrics;
pub mod notify;
pub mod openapi;
pub mod peers;
pub mod pki;
pub mod proxy;
pub mod state;
pub mod surface;

use axum::http::{StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
pub use graphmeet_core::lockout::LockoutPolicy;
use state::AppState;

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(axum::extract::State(state): axum::extract::State<AppState>) -> impl IntoResponse {
    if state.identity.keys().published().is_empty() {
        (StatusCode::SERVICE_UNAVAILABLE, "no signing key")
    } else {
        (StatusCode::OK, "ready")
    }
}

async fn not_found(uri: Uri) -> impl IntoResponse {
    (
        StatusCode::NOT_FOUND,
        axum::Json(
            serde_json::json!({"error": {"code": "notFound", "message": format!("no route for {}", uri.path())}}),
        ),
    )
}

/// Collapses empty path segments (`/t//v2.0/…` → `/t/v2.0/…`): MSAL Python requests that
/// when an authority is written with a trailing slash.
fn normalise_path<B>(mut request: axum::http::Request<B>) -> axum::http::Request<B> {
    let uri = request.uri();
    if uri.path().contains("//") {
        let mut path = uri.path().to_owned();
        while path.contains("//") {
            path = path.replace("//", "/");
        }
        let rebuilt = match uri.query() {
            Some(q) => format!("{path}?{q}"),
            None => path,
        };
        if let Ok(pq) = rebuilt.parse::<axum::http::uri::PathAndQuery>() {
            let mut parts = uri.clone().into_parts();
            parts.path_and_query = Some(pq);
            if let Ok(new) = Uri::from_parts(parts) {
                *request.uri_mut() = new;
            }
        }
    }
    request
}

/// The whole application for a state: identity, admin, health. Tests drive it without a socket.
pub fn app(state: AppState) -> Router {
    let (admin, api) = admin::router(
        state.clone(),
        cs::router()
            .merge(admin_play::router())
            .merge(exchange_admin::router()),
    )
    .split_for_parts();
    let api = axum::Json(openapi::admin(api));
    // Both descriptions are built once, not on every request.
    let microsoft = axum::Json(openapi::microsoft());
    let routes = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route(openapi::PATH, get(move || std::future::ready(api.clone())))
        .route(
            openapi::MICROSOFT_PATH,
            get(move || std::future::ready(microsoft.clone())),
        )
        .merge(entra::router())
        .merge(admin)
        .merge(graph::router(state.clone()))
        .merge(join::router())
        .merge(console::router(state.clone()))
        .fallback(not_found)
        .with_state(state.clone());
    // The surface layer wraps the router once, not each of its routes: `Router::layer` boxes
    // every route again per layer, and a request's route is cloned, box by box, on every call.
    Router::new().fallback_service(
        tower::ServiceBuilder::new()
            .layer(axum::Extension(state.metrics.clone()))
            .layer(axum::Extension(std::sync::Arc::new(
                inspector::Inspector::default(),
            )))
            .layer(axum::middleware::from_fn(surface::observe))
            .service(routes),
    )
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}

/// Runs the server until SIGINT or SIGTERM, printing where it listens and how to use it.
pub async fn serve(config: Config) -> Result<(), ServerError> {
    let running = start(config).await?;
    println!("graphmeet is listening on {}", running.base_url);
    println!("data directory: {}", running.data_dir.display());
    if let Some(ca) = &running.ca_cert_path {
        println!("TLS: trust the local CA at {}", ca.display());
        println!(
            "  graphmeet trust    (adds it to this machine's trust store; --remove takes it out)"
        );
        println!(
            "  export SSL_CERT_FILE={0} REQUESTS_CA_BUNDLE={0} NODE_EXTRA_CA_CERTS={0}",
            ca.display()
        );
    }
    if let Some(proxy) = &running.proxy_addr {
        println!(
            "proxy mode: {} is served at Microsoft's hostnames",
            running.base_url
        );
        println!("  export HTTPS_PROXY=http://{proxy} (and trust the local CA above)");
    }
    if let Some(creds) = &running.dev_credentials {
        println!("dev setup created: {}", creds.display());
        println!("  quickstart: read tenant_id, client_id and client_secret from that file, then");
        println!("  POST {{authority}}/oauth2/v2.0/token with grant_type=client_credentials&scope=https://graph.microsoft.com/.default");
    }
    shutdown_signal().await;
    tracing::info!("shutting down");
    running.shutdown().await;
    Ok(())
}
