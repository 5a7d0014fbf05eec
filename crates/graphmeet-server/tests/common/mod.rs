//! Shared test helpers: a real server on 127.0.0.1:0 over TLS with a temp SQLite file, a
//! reqwest client that trusts its CA, and client assertions signed the ways real clients sign.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs
)]

use graphmeet_server::{Config, RunningServer};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::Path;

pub struct TestServer {
    pub server: RunningServer,
    pub http: reqwest::Client,
    pub creds: Value,
    pub dir: tempfile::TempDir,
}

/// A client builder that trusts only the CA at `ca`.
pub fn client_builder(ca: &Path) -> reqwest::ClientBuilder {
    let pem = std::fs::read(ca).unwrap();
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
}

pub fn client_for(ca: &Path) -> reqwest::Client {
    client_builder(ca).build().unwrap()
}

pub fn config(dir: &Path) -> Config {
    let mut config = Config::new(dir.to_path_buf());
    config.listen = "127.0.0.1:0".parse().unwrap();
    config
}

impl TestServer {
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        Self::start_in(dir).await
    }

    pub async fn start_in(dir: tempfile::TempDir) -> Self {
        Self::start_with(dir, |_| {}).await
    }

    /// A server on `database_url` (SQLite in the temp dir when None).
    pub async fn start_on(database_url: Option<String>) -> Self {
        Self::start_with(tempfile::tempdir().unwrap(), |c| {
            c.database_url = database_url
        })
        .await
    }

    pub async fn start_with(dir: tempfile::TempDir, adjust: impl FnOnce(&mut Config)) -> Self {
        let mut config = config(dir.path());
        adjust(&mut config);
        let server = graphmeet_server::start(config).await.unwrap();
        let http = client_for(server.ca_cert_path.as_ref().unwrap());
        // No dev setup (and so no credentials file) when the server started from a seed.
        let creds: Value = match std::fs::read(dir.path().join("dev-credentials.json")) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap(),
            Err(_) => Value::Null,
        };
        Self {
            server,
            http,
            creds,
            dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.server.base_url, path)
    }

    pub fn cred(&self, key: &str) -> String {
        self.creds[key].as_str().unwrap().to_owned()
    }

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
            .unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.json::<Value>().await.unwrap();
        (status, headers, body)
    }

    pub async fn secret_token(&self) -> (u16, Value) {
        let (status, _, body) = self
            .token_form(
                &self.cred("tenant_id"),
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", &self.cred("client_id")),
                    ("client_secret", &self.cred("client_secret")),
                    ("scope", "https://graph.microsoft.com/.default"),
                ],
            )
            .await;
        (status, body)
    }
}

/// The claims of a JWT, unverified.
pub fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&graphmeet_wire::b64::url_decode_lenient(payload).unwrap()).unwrap()
}

pub struct AppKey {
    pub key: aws_lc_rs::rsa::KeyPair,
    pub cert_der: Vec<u8>,
}

impl AppKey {
    pub fn from_pem(pem_text: &str) -> Self {
        let blocks = pem::parse_many(pem_text).unwrap();
        let cert_der = blocks
            .iter()
            .find(|b| b.tag() == "CERTIFICATE")
            .unwrap()
            .contents()
            .to_vec();
        let key_der = blocks
            .iter()
            .find(|b| b.tag() == "PRIVATE KEY")
            .unwrap()
            .contents()
            .to_vec();
        Self {
            key: aws_lc_rs::rsa::KeyPair::from_pkcs8(&key_der).unwrap(),
            cert_der,
        }
    }

    pub fn generate() -> Self {
        let now = chrono::Utc::now();
        let kc = graphmeet_core::crypto::KeyAndCertificate::generate(
            "stranger",
            now,
            now + chrono::Duration::days(30),
        )
        .unwrap();
        Self::from_pem(&kc.to_pem())
    }
}

/// How to shape an assertion.
pub struct AssertionShape {
    pub pss: bool,
    pub pad: bool,
    pub float_times: bool,
    pub with_iat: bool,
    pub with_nbf: bool,
}

impl Default for AssertionShape {
    fn default() -> Self {
        Self {
            pss: true,
            pad: false,
            float_times: false,
            with_iat: true,
            with_nbf: true,
        }
    }
}

fn seg(bytes: &[u8], pad: bool) -> String {
    use base64::Engine;
    if pad {
        base64::engine::general_purpose::URL_SAFE.encode(bytes)
    } else {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }
}

/// Signs a client assertion the way `shape` says, with `claims` overriding the defaults.
pub fn assertion(
    key: &AppKey,
    client_id: &str,
    aud: &str,
    shape: &AssertionShape,
    overrides: Value,
) -> String {
    let now = chrono::Utc::now().timestamp();
    let header = if shape.pss {
        serde_json::json!({"alg": "PS256", "typ": "JWT", "x5t#S256": seg(&Sha256::digest(&key.cert_der), shape.pad)})
    } else {
        use sha1::Digest as _;
        serde_json::json!({"alg": "RS256", "typ": "JWT", "x5t": seg(&sha1::Sha1::digest(&key.cert_der), shape.pad)})
    };
    let mut claims = serde_json::json!({"aud": aud, "iss": client_id, "sub": client_id, "jti": uuid::Uuid::new_v4().to_string()});
    if shape.float_times {
        claims["exp"] = serde_json::json!(now as f64 + 600.425968);
    } else {
        claims["exp"] = serde_json::json!(now + 600);
    }
    if shape.with_iat {
        claims["iat"] = serde_json::json!(now);
    }
    if shape.with_nbf {
        claims["nbf"] = serde_json::json!(now);
    }
    if let Value::Object(map) = overrides {
        for (k, v) in map {
            claims[k] = v;
        }
    }
    let signing_input = format!(
        "{}.{}",
        seg(header.to_string().as_bytes(), shape.pad),
        seg(claims.to_string().as_bytes(), shape.pad)
    );
    // PS256 (RSASSA-PSS, as MSAL signs) or RS256 (PKCS#1 v1.5, as ADFS and old clients do).
    let padding: &'static dyn aws_lc_rs::signature::RsaEncoding = if shape.pss {
        &aws_lc_rs::signature::RSA_PSS_SHA256
    } else {
        &aws_lc_rs::signature::RSA_PKCS1_SHA256
    };
    let mut signature = vec![0; key.key.public_modulus_len()];
    key.key
        .sign(
            padding,
            &aws_lc_rs::rand::SystemRandom::new(),
            signing_input.as_bytes(),
            &mut signature,
        )
        .unwrap();
    format!("{signing_input}.{}", seg(&signature, shape.pad))
}

impl TestServer {
    pub fn admin_key(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("admin-key"))
            .unwrap()
            .trim()
            .to_owned()
    }

    /// Calls the admin API; returns status and JSON (or Null).
    pub async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, self.url(path))
            .header("x-graphmeet-admin-key", self.admin_key());
        if let Some(body) = body {
            req = req.json(&body);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// An app-only token for the dev app.
    pub async fn app_token(&self) -> String {
        let (status, body) = self.secret_token().await;
        assert_eq!(status, 200, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// Calls Graph with a token; returns status, headers and JSON (Null for an empty body).
    pub async fn graph(
        &self,
        token: Option<&str>,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let mut req = self.http.request(method, self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        (
            status,
            headers,
            serde_json::from_str(&text).unwrap_or(Value::Null),
        )
    }
}

/// Every database a test should run on: SQLite (None) always, PostgreSQL when configured.
pub async fn databases() -> Vec<(String, Option<graphmeet_store::TestDatabase>)> {
    let mut out = vec![("sqlite".to_owned(), None)];
    if let Some(pg) = graphmeet_store::TestDatabase::postgres().await {
        out.push(("postgres".to_owned(), Some(pg)));
    }
    out
}

/// Runs `test` with the URL of every database (None: SQLite in the server's own directory;
/// PostgreSQL when configured), dropping the PostgreSQL schema after it.
pub async fn on_every_backend<F, Fut>(test: F)
where
    F: Fn(Option<String>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for (name, db) in databases().await {
        eprintln!("running on {name}");
        test(db.as_ref().map(|d| d.url.clone())).await;
        if let Some(db) = db {
            db.cleanup().await.unwrap();
        }
    }
}
