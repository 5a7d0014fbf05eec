//! Proxy mode: an HTTP proxy (`serve --proxy-listen ADDR`) in front of the same application,
//! so that an app reaches graphmeet under Microsoft's own hostnames with no configuration
//! change but `HTTPS_PROXY` and trust of the local CA.
//!
//! A `CONNECT` to one of [`SERVED_HOSTS`] on port 443 is answered `200` and the tunnel is
//! terminated here: TLS with a leaf certificate for those names from the local CA, then the
//! application itself, in-process, over HTTP/1.1. Its answers take their host from the request
//! (`Host: login.microsoftonline.com`), so issuers, discovery and key URLs are the real ones.
//! A `CONNECT` to a loopback `host:port` listed with `--proxy-pass` is tunnelled as is; every
//! other request is refused with `403` and a text naming what is served. A request that is not
//! a `CONNECT` (plain-http proxying) is `405`: every Microsoft endpoint is HTTPS.

use axum::body::Body;
use axum::http::{header, Method, Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};

/// The identity platform's public-cloud hosts: the aliases of Entra's instance-discovery answer
/// (`spec/identity-platform.md`, `events-artifacts-notifications.md` D.2), `login.microsoftonline.com`
/// first (the preferred network).
pub const AUTHORITY_HOSTS: &[&str] = &[
    "login.microsoftonline.com",
    "login.windows.net",
    "login.microsoft.com",
    "sts.windows.net",
];

/// Microsoft Graph's public-cloud host.
pub const GRAPH_HOST: &str = "graph.microsoft.com";

/// Every hostname the proxy serves: the authority hosts and Graph.
pub const SERVED_HOSTS: &[&str] = &[
    AUTHORITY_HOSTS[0],
    AUTHORITY_HOSTS[1],
    AUTHORITY_HOSTS[2],
    AUTHORITY_HOSTS[3],
    GRAPH_HOST,
];

/// What a CONNECT request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// A served host: terminated here.
    Serve,
    /// A `--proxy-pass` target: tunnelled.
    Pass(String),
    /// Anything else: refused, with the reason.
    Refuse(String),
}

/// The proxy's rules.
#[derive(Debug, Clone)]
pub struct Rules {
    /// `host:port` pairs (loopback hosts only) that are tunnelled.
    pass: Vec<String>,
}

impl Rules {
    /// Rules tunnelling `pass` (`host:port` of loopback hosts); any other entry is an error.
    pub fn new(pass: &[String]) -> Result<Self, String> {
        let mut out = Vec::new();
        for entry in pass {
            let entry = entry.trim().to_ascii_lowercase();
            let Some((host, port)) = entry.rsplit_once(':') else {
                return Err(format!("--proxy-pass '{entry}' is not host:port"));
            };
            if port.parse::<u16>().is_err() {
                return Err(format!("--proxy-pass '{entry}': '{port}' is not a port"));
            }
            if !is_loopback(host) {
                return Err(format!(
                    "--proxy-pass '{entry}': only loopback hosts (localhost, 127.0.0.0/8, [::1]) may be tunnelled"
                ));
            }
            out.push(entry);
        }
        Ok(Self { pass: out })
    }

    /// Where a CONNECT to `authority` (`host:port`) goes.
    pub fn route(&self, authority: &str) -> Route {
        let authority = authority.trim().to_ascii_lowercase();
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => (h, p),
            _ => (authority.as_str(), "443"),
        };
        if SERVED_HOSTS.contains(&host) && port == "443" {
            return Route::Serve;
        }
        if self.pass.contains(&authority) {
            return Route::Pass(authority);
        }
        Route::Refuse(format!(
            "graphmeet proxy: CONNECT to {authority} is refused. This proxy serves {} on port 443 itself{}.",
            SERVED_HOSTS.join(", "),
            if self.pass.is_empty() {
                " and tunnels nothing else (serve --proxy-pass HOST:PORT tunnels a loopback host)"
                    .to_owned()
            } else {
                format!(" and tunnels {}", self.pass.join(", "))
            }
        ))
    }
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The proxy: its rules, the TLS acceptor for the served names and the application.
pub struct Proxy<S> {
    rules: Rules,
    tls: tokio_rustls::TlsAcceptor,
    app: S,
}

fn text(status: StatusCode, message: &str) -> Response<Body> {
    let mut response = Response::new(Body::from(format!("{message}\n")));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

impl<S> Proxy<S>
where
    S: tower::Service<Request<Incoming>, Response = axum::response::Response>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
    S::Error: std::error::Error + Send + Sync + 'static,
{
    /// A proxy serving `app` behind `tls` (a server configuration for [`SERVED_HOSTS`]).
    pub fn new(rules: Rules, tls: rustls::ServerConfig, app: S) -> Arc<Self> {
        Arc::new(Self {
            rules,
            tls: tokio_rustls::TlsAcceptor::from(Arc::new(tls)),
            app,
        })
    }

    /// Accepts proxy clients on `listener` until the task is dropped.
    pub async fn run(self: Arc<Self>, listener: TcpListener) {
        loop {
            let (stream, peer) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!(error = %e, "proxy accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            };
            let proxy = Arc::clone(&self);
            tokio::spawn(async move { proxy.client(stream, peer).await });
        }
    }

    async fn client(self: Arc<Self>, stream: TcpStream, peer: SocketAddr) {
        let proxy = Arc::clone(&self);
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            let proxy = Arc::clone(&proxy);
            async move { Ok::<_, std::convert::Infallible>(proxy.request(request, peer)) }
        });
        if let Err(e) = hyper::server::conn::http1::Builder::new()
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades()
            .await
        {
            tracing::debug!(error = %e, %peer, "proxy connection ended");
        }
    }

    fn request(self: Arc<Self>, request: Request<Incoming>, peer: SocketAddr) -> Response<Body> {
        if request.method() != Method::CONNECT {
            return text(
                StatusCode::METHOD_NOT_ALLOWED,
                "graphmeet proxy: only CONNECT (HTTPS) is proxied; Microsoft's endpoints are all https://",
            );
        }
        let Some(authority) = request.uri().authority().map(|a| a.as_str().to_owned()) else {
            return text(
                StatusCode::BAD_REQUEST,
                "graphmeet proxy: CONNECT needs host:port",
            );
        };
        match self.rules.route(&authority) {
            Route::Refuse(why) => {
                tracing::info!(%peer, %authority, "proxy refused a CONNECT");
                text(StatusCode::FORBIDDEN, &why)
            }
            Route::Serve => {
                tracing::debug!(%peer, %authority, "proxy serves a CONNECT");
                tokio::spawn(async move {
                    match hyper::upgrade::on(request).await {
                        Ok(upgraded) => self.serve_tunnel(TokioIo::new(upgraded), peer).await,
                        Err(e) => tracing::debug!(error = %e, "proxy upgrade failed"),
                    }
                });
                Response::new(Body::empty())
            }
            Route::Pass(target) => {
                tokio::spawn(async move {
                    let upgraded = match hyper::upgrade::on(request).await {
                        Ok(u) => u,
                        Err(e) => return tracing::debug!(error = %e, "proxy upgrade failed"),
                    };
                    match TcpStream::connect(&target).await {
                        Ok(mut upstream) => {
                            let mut client = TokioIo::new(upgraded);
                            let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                        }
                        Err(e) => tracing::info!(error = %e, %target, "proxy tunnel failed"),
                    }
                });
                Response::new(Body::empty())
            }
        }
    }

    async fn serve_tunnel<IO>(&self, io: IO, peer: SocketAddr)
    where
        IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let tls = match self.tls.accept(io).await {
            Ok(tls) => tls,
            Err(e) => {
                // Most often: the client does not trust the local CA.
                tracing::info!(error = %e, %peer, "proxy TLS handshake failed (is the local CA trusted?)");
                return;
            }
        };
        let service = hyper_util::service::TowerToHyperService::new(self.app.clone());
        if let Err(e) = hyper::server::conn::http1::Builder::new()
            .serve_connection(TokioIo::new(tls), service)
            .await
        {
            tracing::debug!(error = %e, %peer, "proxied connection ended");
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn served_hosts_on_443_are_served_loopback_passes_tunnel_the_rest_is_refused() {
        let rules =
            Rules::new(&["127.0.0.1:9000".to_owned(), "localhost:8080".to_owned()]).unwrap();
        assert_eq!(rules.route("graph.microsoft.com:443"), Route::Serve);
        assert_eq!(rules.route("LOGIN.microsoftonline.com:443"), Route::Serve);
        assert_eq!(rules.route("login.microsoftonline.com"), Route::Serve);
        assert!(matches!(
            rules.route("graph.microsoft.com:8443"),
            Route::Refuse(_)
        ));
        assert_eq!(
            rules.route("127.0.0.1:9000"),
            Route::Pass("127.0.0.1:9000".to_owned())
        );
        let Route::Refuse(why) = rules.route("example.com:443") else {
            panic!()
        };
        assert!(
            why.contains("example.com:443") && why.contains("graph.microsoft.com"),
            "{why}"
        );
        assert!(Rules::new(&["example.com:443".to_owned()]).is_err());
        assert!(Rules::new(&["127.0.0.1".to_owned()]).is_err());
        assert!(Rules::new(&["[::1]:80".to_owned()]).is_ok());
    }
}
