//! Finding a local graphmeet server from its data directory.
//!
//! On start, `graphmeet serve` writes `server.json` (its URL and the path of its CA
//! certificate) and `admin-key` into its data directory; a client on the same machine reads
//! them so that no flag is needed.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use url::Url;

use crate::{AdminClient, ClientError};

/// The name of the file, in the data directory, that says where the server listens.
pub const SERVER_FILE: &str = "server.json";
/// The name of the file, in the data directory, that holds the admin key.
pub const ADMIN_KEY_FILE: &str = "admin-key";

/// What `server.json` says: where the server listens and which CA signs its certificate.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ServerFile {
    /// The server's base URL, e.g. `https://127.0.0.1:8443`.
    pub url: Url,
    /// The CA certificate (PEM) to trust; `None` when the server speaks plain http. A relative
    /// path is resolved against the data directory.
    #[serde(default)]
    pub ca_cert_path: Option<PathBuf>,
}

impl ServerFile {
    /// Reads `DIR/server.json`.
    pub fn read(dir: &Path) -> Result<ServerFile, ClientError> {
        let path = dir.join(SERVER_FILE);
        let text = read_text(&path)?;
        let mut file: ServerFile = serde_json::from_str(&text).map_err(|err| {
            ClientError::Config(format!("cannot parse {}: {err}", path.display()))
        })?;
        file.ca_cert_path = file.ca_cert_path.map(|p| dir.join(p));
        Ok(file)
    }
}

/// Reads the admin key from `DIR/admin-key`, trimmed.
pub fn read_admin_key(dir: &Path) -> Result<String, ClientError> {
    let path = dir.join(ADMIN_KEY_FILE);
    let key = read_text(&path)?.trim().to_string();
    if key.is_empty() {
        return Err(ClientError::Config(format!("{} is empty", path.display())));
    }
    Ok(key)
}

/// A server running on this machine, as its data directory describes it.
#[derive(Clone, PartialEq, Eq)]
pub struct LocalServer {
    /// The server's base URL.
    pub url: Url,
    /// The CA certificate to trust, if the server speaks https.
    pub ca_cert_path: Option<PathBuf>,
    /// The admin key.
    pub admin_key: String,
}

impl std::fmt::Debug for LocalServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalServer")
            .field("url", &self.url.as_str())
            .field("ca_cert_path", &self.ca_cert_path)
            .field("admin_key", &"<redacted>")
            .finish()
    }
}

impl LocalServer {
    /// Reads `DIR/server.json` and `DIR/admin-key`, which the server writes on start.
    pub fn from_data_dir(dir: &Path) -> Result<LocalServer, ClientError> {
        let file = ServerFile::read(dir)?;
        let admin_key = read_admin_key(dir)?;
        Ok(LocalServer {
            url: file.url,
            ca_cert_path: file.ca_cert_path,
            admin_key,
        })
    }

    /// An [`AdminClient`] of this server, trusting its CA.
    pub fn admin_client(&self) -> Result<AdminClient, ClientError> {
        let ca = match &self.ca_cert_path {
            Some(path) => Some(read_ca_cert(path)?),
            None => None,
        };
        AdminClient::new(self.url.clone(), self.admin_key.clone(), ca.as_deref())
    }
}

/// Reads a CA certificate file (PEM).
pub fn read_ca_cert(path: &Path) -> Result<Vec<u8>, ClientError> {
    std::fs::read(path).map_err(|err| {
        ClientError::Config(format!(
            "cannot read the CA certificate {}: {err}",
            path.display()
        ))
    })
}

fn read_text(path: &Path) -> Result<String, ClientError> {
    std::fs::read_to_string(path).map_err(|err| {
        if err.kind() == std::io::ErrorKind::NotFound {
            ClientError::Config(format!(
                "{} not found: is `graphmeet serve` running with this data directory? \
                 (or give --server and --admin-key)",
                path.display()
            ))
        } else {
            ClientError::Config(format!("cannot read {}: {err}", path.display()))
        }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn temp_dir() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    #[test]
    fn reads_server_file_and_key() {
        let tmp = temp_dir();
        let dir = tmp.path();
        std::fs::write(
            dir.join(SERVER_FILE),
            r#"{"url":"https://127.0.0.1:8443","ca_cert_path":"tls/ca.pem","pid":7}"#,
        )
        .unwrap();
        std::fs::write(dir.join(ADMIN_KEY_FILE), "  the-key \n").unwrap();
        let server = LocalServer::from_data_dir(dir).unwrap();
        assert_eq!(server.url.as_str(), "https://127.0.0.1:8443/");
        assert_eq!(server.ca_cert_path, Some(dir.join("tls/ca.pem")));
        assert_eq!(server.admin_key, "the-key");
        assert!(!format!("{server:?}").contains("the-key"));
    }

    #[test]
    fn plain_http_has_no_ca() {
        let tmp = temp_dir();
        let dir = tmp.path();
        std::fs::write(
            dir.join(SERVER_FILE),
            r#"{"url":"http://127.0.0.1:8080","ca_cert_path":null}"#,
        )
        .unwrap();
        std::fs::write(dir.join(ADMIN_KEY_FILE), "k\n").unwrap();
        let server = LocalServer::from_data_dir(dir).unwrap();
        assert_eq!(server.ca_cert_path, None);
        server.admin_client().unwrap();
    }

    #[test]
    fn missing_files_say_what_to_do() {
        let tmp = temp_dir();
        let dir = tmp.path();
        let err = LocalServer::from_data_dir(dir).unwrap_err();
        assert!(err.to_string().contains("graphmeet serve"), "{err}");
        std::fs::write(dir.join(SERVER_FILE), "{").unwrap();
        let err = LocalServer::from_data_dir(dir).unwrap_err();
        assert!(err.to_string().contains("cannot parse"), "{err}");
    }
}
