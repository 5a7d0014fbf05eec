//! The local certificate authority and the server's TLS certificate.
//!
//! Every official client refuses a plain-http authority, so `graphmeet serve` speaks HTTPS from
//! its first start: it makes a CA once (kept in `DATA_DIR/tls/`, key mode 0600) and a server
//! certificate for localhost, 127.0.0.1, ::1 and the public host, signed by that CA. Both are
//! reused on restart; the server certificate is re-issued only when the host names change.

use crate::fsutil::{write_private, write_public, Existing, FileError};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, KeyPair, KeyUsagePurpose,
    SanType,
};
use std::path::{Path, PathBuf};

/// Paths of the TLS material in the data directory.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// The CA certificate clients should trust.
    pub ca_cert: PathBuf,
    /// The server certificate chain (server certificate, then CA).
    pub server_chain: PathBuf,
    /// The server's private key.
    pub server_key: PathBuf,
}

/// TLS material could not be made, read or written.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Certificate generation failed.
    #[error("certificate generation failed: {0}")]
    Rcgen(#[from] rcgen::Error),
}

impl From<FileError> for PkiError {
    fn from(e: FileError) -> Self {
        PkiError::Io {
            path: e.path,
            source: e.source,
        }
    }
}

fn read(path: &Path) -> Result<String, PkiError> {
    std::fs::read_to_string(path).map_err(|source| PkiError::Io {
        path: path.to_owned(),
        source,
    })
}

/// The CA's parameters; a function of nothing, so that re-creating them with the stored key
/// yields an issuer identical to the stored CA certificate.
fn ca_params() -> Result<CertificateParams, rcgen::Error> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "graphmeet local CA");
    dn.push(DnType::OrganizationName, "graphmeet");
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(2049, 12, 31);
    Ok(params)
}

/// Makes or reuses the CA and the server certificate under `dir/tls` for `hosts`.
pub fn ensure(dir: &Path, hosts: &[String]) -> Result<TlsFiles, PkiError> {
    ensure_leaf(dir, "server", hosts)
}

/// Makes or reuses the CA and a leaf certificate `dir/tls/{stem}.pem` (chain) and
/// `{stem}-key.pem` for `hosts`, re-issued when the host names change.
pub fn ensure_leaf(dir: &Path, stem: &str, hosts: &[String]) -> Result<TlsFiles, PkiError> {
    let tls = dir.join("tls");
    std::fs::create_dir_all(&tls).map_err(|source| PkiError::Io {
        path: tls.clone(),
        source,
    })?;
    let files = TlsFiles {
        ca_cert: tls.join("ca.pem"),
        server_chain: tls.join(format!("{stem}.pem")),
        server_key: tls.join(format!("{stem}-key.pem")),
    };
    let ca_key_path = tls.join("ca-key.pem");
    let hosts_path = tls.join(format!("{stem}-hosts.txt"));

    let (ca_key, ca_pem) = if files.ca_cert.exists() && ca_key_path.exists() {
        (
            KeyPair::from_pem(&read(&ca_key_path)?)?,
            read(&files.ca_cert)?,
        )
    } else {
        let key = KeyPair::generate()?;
        let cert = ca_params()?.self_signed(&key)?;
        write_private(
            &ca_key_path,
            key.serialize_pem().as_bytes(),
            Existing::Replace,
        )?;
        write_public(&files.ca_cert, cert.pem().as_bytes())?;
        // A new CA invalidates every leaf certificate signed by an old one.
        if let Ok(entries) = std::fs::read_dir(&tls) {
            for entry in entries.flatten() {
                if entry.file_name().to_string_lossy().ends_with("-hosts.txt") {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        (key, cert.pem())
    };

    let wanted = hosts.join("\n");
    let current = std::fs::read_to_string(&hosts_path).unwrap_or_default();
    if current != wanted || !files.server_chain.exists() || !files.server_key.exists() {
        let ca = ca_params()?.self_signed(&ca_key)?;
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        let mut dn = DistinguishedName::new();
        dn.push(
            DnType::CommonName,
            hosts.first().map(String::as_str).unwrap_or("localhost"),
        );
        params.distinguished_name = dn;
        params.subject_alt_names = hosts
            .iter()
            .map(|h| match h.parse::<std::net::IpAddr>() {
                Ok(ip) => Ok(SanType::IpAddress(ip)),
                Err(_) => h.clone().try_into().map(SanType::DnsName),
            })
            .collect::<Result<_, _>>()?;
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        let now = chrono::Utc::now();
        params.not_before = time_of(now - chrono::Duration::days(1));
        params.not_after = time_of(now + chrono::Duration::days(825));
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &ca, &ca_key)?;
        write_private(
            &files.server_key,
            key.serialize_pem().as_bytes(),
            Existing::Replace,
        )?;
        write_public(
            &files.server_chain,
            format!("{}{}", cert.pem(), ca_pem).as_bytes(),
        )?;
        write_public(&hosts_path, wanted.as_bytes())?;
    }
    Ok(files)
}

fn time_of(t: chrono::DateTime<chrono::Utc>) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(t.timestamp())
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// A rustls server configuration for the files. Only HTTP/1.1 is offered in ALPN: a client
/// that offers h2 (httpx does) must not be told we speak it unless we do.
pub fn server_config(files: &TlsFiles) -> Result<rustls::ServerConfig, std::io::Error> {
    let chain_pem = std::fs::read(&files.server_chain)?;
    let key_pem = std::fs::read(&files.server_key)?;
    let chain = rustls_pemfile::certs(&mut chain_pem.as_slice()).collect::<Result<Vec<_>, _>>()?;
    let key = rustls_pemfile::private_key(&mut key_pem.as_slice())?
        .ok_or_else(|| std::io::Error::other("no private key in server-key.pem"))?;
    let mut config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(std::io::Error::other)?
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .map_err(std::io::Error::other)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
