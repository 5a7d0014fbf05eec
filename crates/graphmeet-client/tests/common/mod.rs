//! A real graphmeet server, started in-process over TLS on 127.0.0.1:0 with its bootstrap dev
//! setup, and clients of it.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs
)]

use graphmeet_client::{
    AdminClient, AppConfig, AssertionAlgorithm, CertificateCredential, ClientCredential, Cloud,
    LocalServer, MeetingsClient,
};
use graphmeet_server::RunningServer;
use serde_json::Value;

pub struct Env {
    pub server: RunningServer,
    pub dir: tempfile::TempDir,
    pub creds: Value,
    pub admin: AdminClient,
}

impl Env {
    pub async fn start() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let mut config = graphmeet_server::Config::new(dir.path().to_path_buf());
        config.listen = "127.0.0.1:0".parse().unwrap();
        let server = graphmeet_server::start(config).await.unwrap();
        let creds: Value = serde_json::from_slice(
            &std::fs::read(server.dev_credentials.as_ref().unwrap()).unwrap(),
        )
        .unwrap();
        let admin = LocalServer::from_data_dir(dir.path())
            .unwrap()
            .admin_client()
            .unwrap();
        Env {
            server,
            dir,
            creds,
            admin,
        }
    }

    pub fn cred(&self, key: &str) -> String {
        self.creds[key].as_str().unwrap().to_owned()
    }

    pub fn tenant(&self) -> String {
        self.cred("tenant_id")
    }

    pub fn user_id(&self) -> String {
        self.cred("user_id")
    }

    pub fn client_id(&self) -> String {
        self.cred("client_id")
    }

    /// The server as a cloud, trusting its CA.
    pub fn cloud(&self) -> Cloud {
        let ca = std::fs::read(self.server.ca_cert_path.as_ref().unwrap()).unwrap();
        Cloud::graphmeet(&self.server.base_url, Some(&ca)).unwrap()
    }

    /// A client of `client_id` with `credential`.
    pub fn client(&self, client_id: &str, credential: ClientCredential) -> MeetingsClient {
        MeetingsClient::new(AppConfig::new(client_id, credential, self.cloud())).unwrap()
    }

    /// The dev app with its client secret.
    pub fn secret_client(&self) -> MeetingsClient {
        self.client(
            &self.client_id(),
            ClientCredential::secret(self.cred("client_secret")),
        )
    }

    /// The dev app with its certificate.
    pub fn cert_client(&self, algorithm: AssertionAlgorithm) -> MeetingsClient {
        let cert = CertificateCredential::from_pem_file(std::path::Path::new(
            &self.cred("certificate_path"),
        ))
        .unwrap()
        .with_algorithm(algorithm);
        self.client(
            &self.client_id(),
            ClientCredential::Certificate(Box::new(cert)),
        )
    }

    pub async fn stop(self) {
        self.server.shutdown().await;
    }
}
