//! A real graphmeet server in the test's own process: HTTPS on `127.0.0.1:0` with the CA it
//! generates, a temporary data directory (and SQLite file in it) or a PostgreSQL URL, and clients
//! that trust its CA.

use std::future::Future;
use std::path::{Path, PathBuf};

use graphmeet_client::{
    AdminClient, AppConfig, AssertionAlgorithm, CertificateCredential, ClientCredential, Cloud,
    MeetingsClient,
};
use graphmeet_server::{Config, RunningServer};
use serde_json::Value;

use crate::fixtures::TenantFixture;

/// The variable naming the PostgreSQL server the both-backends tests also run on
/// (`postgres://postgres@127.0.0.1:5432/test`); each run gets a schema of its own.
pub const POSTGRES_URL_VAR: &str = "GRAPHMEET_TEST_POSTGRES_URL";

/// A server configuration for a test: `dir` as its data directory, listening on
/// `127.0.0.1:0` (a free port), everything else as `graphmeet serve` starts by default.
pub fn config(dir: &Path) -> Config {
    let mut config = Config::new(dir.to_path_buf());
    config.listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    config
}

/// A reqwest client builder that trusts only the CA certificate in the PEM file `ca`.
///
/// # Panics
///
/// When the file cannot be read or holds no certificate.
pub fn client_builder(ca: &Path) -> reqwest::ClientBuilder {
    let pem = std::fs::read(ca).unwrap_or_else(|e| panic!("{}: {e}", ca.display()));
    trusting_builder(&pem)
}

/// A reqwest client builder that trusts only the CA certificate in `ca_pem`.
///
/// # Panics
///
/// When `ca_pem` is not a PEM certificate.
pub fn trusting_builder(ca_pem: &[u8]) -> reqwest::ClientBuilder {
    let certificate =
        reqwest::Certificate::from_pem(ca_pem).unwrap_or_else(|e| panic!("the CA: {e}"));
    graphmeet_client::install_crypto_provider();
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(certificate)
}

/// A reqwest client that trusts only the CA certificate in the PEM file `ca`.
///
/// # Panics
///
/// As [`client_builder`], or when the client cannot be built.
pub fn client_for(ca: &Path) -> reqwest::Client {
    client_builder(ca)
        .build()
        .unwrap_or_else(|e| panic!("the HTTP client: {e}"))
}

/// A graphmeet server started in this process, with a client of each kind.
///
/// Dropping it stops serving when the runtime ends; [`TestServer::stop`] shuts down
/// gracefully (the audit entries still queued are written), which a test needs before it
/// reopens the same data directory.
pub struct TestServer {
    /// The running server: its URL, CA, data directory and proxy address.
    pub server: RunningServer,
    /// A reqwest client that trusts the server's CA (and no other).
    pub http: reqwest::Client,
    /// The dev credentials the first start wrote (`dev-credentials.json`: `tenant_id`,
    /// `client_id`, `client_secret`, `user_id`, `user_upn`, `certificate_path`, …), or `Null`
    /// when the server did not bootstrap (a seed, or `bootstrap = false`).
    pub creds: Value,
    /// A typed client of the admin API, with the server's admin key.
    pub admin_api: AdminClient,
    /// The data directory (a temporary directory, removed when dropped).
    pub dir: tempfile::TempDir,
}

impl TestServer {
    /// A server as `graphmeet serve` starts by default, in a new temporary directory, on SQLite.
    pub async fn start() -> TestServer {
        TestServer::start_in(temp_dir()).await
    }

    /// A server in `dir` (which may hold the data of an earlier start).
    pub async fn start_in(dir: tempfile::TempDir) -> TestServer {
        TestServer::start_with(dir, |_| {}).await
    }

    /// A server on `database_url` (SQLite in the temporary directory when `None`).
    pub async fn start_on(database_url: Option<String>) -> TestServer {
        TestServer::start_with(temp_dir(), |c| c.database_url = database_url).await
    }

    /// A server in `dir`, with its [`config`] changed by `adjust` first.
    ///
    /// # Panics
    ///
    /// When the server does not start: the test cannot go on.
    pub async fn start_with(dir: tempfile::TempDir, adjust: impl FnOnce(&mut Config)) -> Self {
        let mut config = config(dir.path());
        adjust(&mut config);
        let given_key = config.admin_key.clone();
        let server = graphmeet_server::start(config)
            .await
            .unwrap_or_else(|e| panic!("the server did not start: {e}"));
        let ca = server.ca_cert_path.clone();
        let ca_pem = ca
            .as_ref()
            .map(|path| std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
        let http = match &ca_pem {
            Some(pem) => trusting_builder(pem).build(),
            None => {
                graphmeet_client::install_crypto_provider();
                reqwest::Client::builder().build()
            }
        }
        .unwrap_or_else(|e| panic!("the HTTP client: {e}"));
        // No dev setup (and so no credentials file) when the server started from a seed.
        let creds: Value = match std::fs::read(dir.path().join("dev-credentials.json")) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("dev-credentials.json: {e}")),
            Err(_) => Value::Null,
        };
        let admin_key = given_key.unwrap_or_else(|| read_admin_key(dir.path()));
        let base = url::Url::parse(&server.base_url)
            .unwrap_or_else(|e| panic!("{}: {e}", server.base_url));
        let admin_api = AdminClient::new(base, admin_key, ca_pem.as_deref())
            .unwrap_or_else(|e| panic!("the admin client: {e}"));
        TestServer {
            server,
            http,
            creds,
            admin_api,
            dir,
        }
    }

    /// Shuts the server down gracefully and returns its data directory.
    pub async fn stop(self) -> tempfile::TempDir {
        self.server.shutdown().await;
        self.dir
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// The server's URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.server.base_url, path)
    }

    /// The server's CA certificate file.
    ///
    /// # Panics
    ///
    /// When the server serves plain HTTP.
    pub fn ca_cert_path(&self) -> PathBuf {
        self.server
            .ca_cert_path
            .clone()
            .unwrap_or_else(|| panic!("the server serves plain HTTP: it has no CA"))
    }

    /// The server's CA certificate, PEM.
    pub fn ca_pem(&self) -> Vec<u8> {
        let path = self.ca_cert_path();
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// One value of the dev credentials (`tenant_id`, `client_id`, `client_secret`, …).
    ///
    /// # Panics
    ///
    /// When the server did not bootstrap or the key is not a string.
    pub fn cred(&self, key: &str) -> String {
        self.creds[key]
            .as_str()
            .unwrap_or_else(|| panic!("no dev credential {key} in {}", self.creds))
            .to_owned()
    }

    /// The dev tenant's id.
    pub fn tenant(&self) -> String {
        self.cred("tenant_id")
    }

    /// The dev user's object id (the organizer the dev app's policy is granted to).
    pub fn user_id(&self) -> String {
        self.cred("user_id")
    }

    /// The dev app's client id.
    pub fn client_id(&self) -> String {
        self.cred("client_id")
    }

    /// The admin key the server was started with.
    pub fn admin_key(&self) -> String {
        read_admin_key(self.dir.path())
    }

    /// The server as a [`Cloud`] for `graphmeet-client`: its authority and Graph, trusting its
    /// CA.
    pub fn cloud(&self) -> Cloud {
        let ca = self.server.ca_cert_path.as_ref().map(|_| self.ca_pem());
        Cloud::graphmeet(&self.server.base_url, ca.as_deref())
            .unwrap_or_else(|e| panic!("the cloud: {e}"))
    }

    /// A `graphmeet-client` of `client_id` with `credential`, against this server.
    pub fn client(&self, client_id: &str, credential: ClientCredential) -> MeetingsClient {
        MeetingsClient::new(AppConfig::new(client_id, credential, self.cloud()))
            .unwrap_or_else(|e| panic!("the meetings client: {e}"))
    }

    /// A `graphmeet-client` of the dev app with its client secret.
    pub fn secret_client(&self) -> MeetingsClient {
        self.client(
            &self.client_id(),
            ClientCredential::secret(self.cred("client_secret")),
        )
    }

    /// A `graphmeet-client` of the dev app with its certificate, signing with `algorithm`.
    pub fn cert_client(&self, algorithm: AssertionAlgorithm) -> MeetingsClient {
        let path = PathBuf::from(self.cred("certificate_path"));
        let cert = CertificateCredential::from_pem_file(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .with_algorithm(algorithm);
        self.client(
            &self.client_id(),
            ClientCredential::Certificate(Box::new(cert)),
        )
    }

    /// A new tenant to build fixtures in (see [`crate::fixtures`]).
    pub fn new_tenant(&self, display_name: &str) -> crate::fixtures::TenantBuilder<'_> {
        crate::fixtures::TenantBuilder::new(&self.admin_api, display_name)
    }

    /// The dev tenant, to add fixtures to.
    ///
    /// # Panics
    ///
    /// When the server did not bootstrap.
    pub fn dev_tenant(&self) -> TenantFixture<'_> {
        TenantFixture::existing(
            &self.admin_api,
            self.tenant(),
            self.creds["tenant_domain"]
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| self.tenant()),
        )
    }

    /// Posts `form` to `/{tenant}/oauth2/v2.0/token`; the status, headers and JSON body.
    pub async fn token_form(
        &self,
        tenant: &str,
        form: &[(&str, &str)],
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let response = self
            .http
            .post(self.url(&format!("/{tenant}/oauth2/v2.0/token")))
            .form(form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("the token request: {e}"));
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response
            .json::<Value>()
            .await
            .unwrap_or_else(|e| panic!("the token response: {e}"));
        (status, headers, body)
    }

    /// The dev app's client-credentials request with its secret; the status and body.
    pub async fn secret_token(&self) -> (u16, Value) {
        let (status, _, body) = self
            .token_form(
                &self.tenant(),
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", &self.client_id()),
                    ("client_secret", &self.cred("client_secret")),
                    ("scope", "https://graph.microsoft.com/.default"),
                ],
            )
            .await;
        (status, body)
    }

    /// An app-only Graph token for the dev app.
    ///
    /// # Panics
    ///
    /// When the token endpoint refuses it.
    pub async fn app_token(&self) -> String {
        let (status, body) = self.secret_token().await;
        assert_eq!(status, 200, "{body}");
        body["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no access_token in {body}"))
            .to_owned()
    }

    /// Calls the admin API with the admin key; the status and JSON body (`Null` when empty or
    /// not JSON).
    pub async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, self.url(path))
            .header("x-graphmeet-admin-key", self.admin_key());
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let status = response.status().as_u16();
        let text = response
            .text()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Calls Graph with `token` (none when `None`); the status, headers and JSON body (`Null`
    /// when empty or not JSON).
    pub async fn graph(
        &self,
        token: Option<&str>,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let mut request = self.http.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response
            .text()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        (
            status,
            headers,
            serde_json::from_str(&text).unwrap_or(Value::Null),
        )
    }
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary directory: {e}"))
}

fn read_admin_key(dir: &Path) -> String {
    let path = dir.join("admin-key");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .trim()
        .to_owned()
}

/// Every database a both-backends test runs on: SQLite (`None`: a file in the server's data
/// directory) always, and a fresh PostgreSQL schema when [`POSTGRES_URL_VAR`] is set.
pub async fn databases() -> Vec<(String, Option<graphmeet_store::TestDatabase>)> {
    let mut out = vec![("sqlite".to_owned(), None)];
    if let Some(pg) = graphmeet_store::TestDatabase::postgres().await {
        out.push(("postgres".to_owned(), Some(pg)));
    }
    out
}

/// Runs `test` with the database URL of every backend (see [`databases`]), dropping the
/// PostgreSQL schema after it.
///
/// ```no_run
/// # async fn example() {
/// graphmeet_testkit::on_every_backend(|url| async move {
///     let server = graphmeet_testkit::TestServer::start_on(url).await;
///     assert_eq!(server.secret_token().await.0, 200);
/// })
/// .await;
/// # }
/// ```
pub async fn on_every_backend<F, Fut>(test: F)
where
    F: Fn(Option<String>) -> Fut,
    Fut: Future<Output = ()>,
{
    for (name, db) in databases().await {
        eprintln!("running on {name}");
        test(db.as_ref().map(|d| d.url.clone())).await;
        if let Some(db) = db {
            db.cleanup()
                .await
                .unwrap_or_else(|e| panic!("dropping the PostgreSQL schema: {e}"));
        }
    }
}
