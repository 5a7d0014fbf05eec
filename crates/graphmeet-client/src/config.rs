//! Where the app signs in and calls Graph ([`Cloud`]), and how it proves who it is
//! ([`ClientCredential`]): from explicit values, the Azure environment variables, or a named
//! profile in a JSON file ([`AppConfig`]).

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha1::Digest as _;
use url::Url;

use crate::discovery::{read_ca_cert, LocalServer};
use crate::ClientError;

/// The Microsoft Entra authority host of the global cloud.
pub const DEFAULT_AUTHORITY_HOST: &str = "https://login.microsoftonline.com";
/// Microsoft Graph v1.0.
pub const DEFAULT_GRAPH_URL: &str = "https://graph.microsoft.com/v1.0";
/// The Graph resource a client-credentials token is requested for.
pub const GRAPH_RESOURCE: &str = graphmeet_wire::GRAPH_RESOURCE_URI;

/// Where a CA bundle is looked for when talking to the Microsoft cloud (the client has no
/// built-in roots): `SSL_CERT_FILE`, else the first of these that exists.
const SYSTEM_CA_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
    "/usr/local/etc/openssl/cert.pem",
];

/// Where the app gets tokens (the authority host) and calls Graph, and which CA to trust.
///
/// [`Cloud::microsoft`] is the Microsoft global cloud; [`Cloud::graphmeet`] points both at a
/// graphmeet server and trusts its CA.
#[derive(Clone, PartialEq, Eq)]
pub struct Cloud {
    /// Without a trailing slash.
    authority_host: String,
    /// Without a trailing slash.
    graph_url: String,
    ca_cert_pem: Option<Vec<u8>>,
}

impl fmt::Debug for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cloud")
            .field("authority_host", &self.authority_host)
            .field("graph_url", &self.graph_url)
            .field("custom_ca", &self.ca_cert_pem.is_some())
            .finish()
    }
}

impl Default for Cloud {
    fn default() -> Self {
        Cloud::microsoft()
    }
}

/// Checks that `text` is an http(s) URL that can be a base; returns it without a trailing slash.
fn base_url(text: &str, what: &str) -> Result<String, ClientError> {
    let url = Url::parse(text.trim())
        .map_err(|err| ClientError::Config(format!("{what} '{text}' is not a URL: {err}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(ClientError::Config(format!(
            "{what} must be an http or https URL, not '{text}'"
        )));
    }
    let mut url = url;
    url.set_query(None);
    url.set_fragment(None);
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

impl Cloud {
    /// The Microsoft global cloud: `https://login.microsoftonline.com` and
    /// `https://graph.microsoft.com/v1.0`, trusting the system CA bundle.
    pub fn microsoft() -> Cloud {
        Cloud {
            authority_host: DEFAULT_AUTHORITY_HOST.to_owned(),
            graph_url: DEFAULT_GRAPH_URL.to_owned(),
            ca_cert_pem: None,
        }
    }

    /// Any authority host and Graph base URL (a national cloud, a proxy).
    pub fn custom(authority_host: &str, graph_url: &str) -> Result<Cloud, ClientError> {
        Ok(Cloud {
            authority_host: base_url(authority_host, "the authority host")?,
            graph_url: base_url(graph_url, "the Graph URL")?,
            ca_cert_pem: None,
        })
    }

    /// A graphmeet server: authority = `server_url`, Graph = `server_url/v1.0`, trusting the
    /// CA certificate(s) in `ca_pem` (none over plain http).
    pub fn graphmeet(server_url: &str, ca_pem: Option<&[u8]>) -> Result<Cloud, ClientError> {
        let server = base_url(server_url, "the server URL")?;
        Ok(Cloud {
            graph_url: format!("{server}/v1.0"),
            authority_host: server,
            ca_cert_pem: ca_pem.map(<[u8]>::to_vec),
        })
    }

    /// The graphmeet server running on this machine with data directory `dir` (its
    /// `server.json` names the URL and CA).
    pub fn from_local_data_dir(dir: &Path) -> Result<Cloud, ClientError> {
        let server = LocalServer::from_data_dir(dir)?;
        let ca = match &server.ca_cert_path {
            Some(path) => Some(read_ca_cert(path)?),
            None => None,
        };
        Cloud::graphmeet(server.url.as_str(), ca.as_deref())
    }

    /// Trusts only the CA certificate(s) in `pem` (instead of the system bundle).
    pub fn with_ca_cert_pem(mut self, pem: &[u8]) -> Cloud {
        self.ca_cert_pem = Some(pem.to_vec());
        self
    }

    /// The authority host, e.g. `https://login.microsoftonline.com`.
    pub fn authority_host(&self) -> &str {
        &self.authority_host
    }

    /// The Graph base URL, e.g. `https://graph.microsoft.com/v1.0`.
    pub fn graph_url(&self) -> &str {
        &self.graph_url
    }

    /// The CA certificate(s) trusted instead of the system bundle, if any.
    pub fn ca_cert_pem(&self) -> Option<&[u8]> {
        self.ca_cert_pem.as_deref()
    }

    /// `{authority}/{tenant}/oauth2/v2.0/token`.
    pub fn token_url(&self, tenant: &str) -> Result<Url, ClientError> {
        join_segments(&self.authority_host, &[tenant, "oauth2", "v2.0", "token"])
    }

    /// `{authority}/{tenant}/adminconsent?client_id={appId}`: where a tenant's admin grants
    /// the app's application permissions.
    pub fn admin_consent_url(&self, tenant: &str, app_id: &str) -> String {
        crate::diagnosis::admin_consent_url(self.authority_host(), tenant, app_id)
    }

    /// The PEM bundle to trust: the custom CA, else the system bundle.
    pub(crate) fn trust_pem(&self) -> Result<Vec<u8>, ClientError> {
        if let Some(pem) = &self.ca_cert_pem {
            return Ok(pem.clone());
        }
        let from_env = std::env::var_os("SSL_CERT_FILE").map(PathBuf::from);
        let candidates = from_env
            .into_iter()
            .chain(SYSTEM_CA_BUNDLES.iter().map(PathBuf::from));
        for path in candidates {
            if let Ok(bytes) = std::fs::read(&path) {
                return Ok(bytes);
            }
        }
        Err(ClientError::Config(
            "no CA bundle found to trust the Microsoft cloud: set SSL_CERT_FILE (or ca_cert_path) to a PEM bundle of root certificates".into(),
        ))
    }
}

/// `base` (an http(s) URL) with `segments` appended, each percent-encoded as one segment.
pub(crate) fn join_segments(base: &str, segments: &[&str]) -> Result<Url, ClientError> {
    let mut url = Url::parse(base)
        .map_err(|err| ClientError::Config(format!("'{base}' is not a URL: {err}")))?;
    url.path_segments_mut()
        .map_err(|()| ClientError::Config(format!("'{base}' cannot be a base URL")))?
        .pop_if_empty()
        .extend(segments);
    Ok(url)
}

/// A client secret; never shown in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientSecret(String);

impl ClientSecret {
    /// Wraps a secret's Value.
    pub fn new(value: impl Into<String>) -> ClientSecret {
        ClientSecret(value.into())
    }

    /// The secret's value, for the token request.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret(<redacted>)")
    }
}

/// How a client assertion is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AssertionAlgorithm {
    /// RSA-PSS with SHA-256 and an `x5t#S256` (SHA-256 thumbprint) header: what Entra's docs
    /// ask for today.
    #[default]
    Ps256,
    /// RSASSA-PKCS1-v1_5 with SHA-256 and an `x5t` (SHA-1 thumbprint) header: the older form
    /// (ADFS, old clients).
    Rs256,
}

/// A certificate credential: the app's certificate and its RSA private key.
#[derive(Clone)]
pub struct CertificateCredential {
    key: jsonwebtoken::EncodingKey,
    cert_der: Vec<u8>,
    algorithm: AssertionAlgorithm,
}

impl fmt::Debug for CertificateCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateCredential")
            .field("thumbprint", &self.thumbprint_sha1_hex())
            .field("algorithm", &self.algorithm)
            .field("key", &"<redacted>")
            .finish()
    }
}

impl PartialEq for CertificateCredential {
    fn eq(&self, other: &Self) -> bool {
        self.cert_der == other.cert_der && self.algorithm == other.algorithm
    }
}

impl Eq for CertificateCredential {}

impl CertificateCredential {
    /// Reads PEM text holding the certificate (`CERTIFICATE`) and its unencrypted RSA key
    /// (`PRIVATE KEY`, PKCS#8, or `RSA PRIVATE KEY`, PKCS#1). PFX/PKCS#12 is not supported:
    /// convert it with `openssl pkcs12 -in app.pfx -out app.pem -nodes`.
    pub fn from_pem(pem_text: &[u8]) -> Result<CertificateCredential, ClientError> {
        let blocks = pem::parse_many(pem_text)
            .map_err(|err| ClientError::Config(format!("cannot read the PEM: {err}")))?;
        let cert_der = blocks
            .iter()
            .find(|b| b.tag() == "CERTIFICATE")
            .map(|b| b.contents().to_vec())
            .ok_or_else(|| ClientError::Config("the PEM holds no CERTIFICATE block".to_owned()))?;
        let mut key = None;
        for block in &blocks {
            match block.tag() {
                // The key is checked here, so that a bad one fails when read, not at first use.
                "PRIVATE KEY" => {
                    aws_lc_rs::rsa::KeyPair::from_pkcs8(block.contents()).map_err(|err| {
                        ClientError::Config(format!("cannot read the PKCS#8 RSA key: {err}"))
                    })?;
                    let text = pem::encode(block);
                    key = Some(jsonwebtoken::EncodingKey::from_rsa_pem(text.as_bytes()).map_err(
                        |err| ClientError::Config(format!("cannot read the PKCS#8 RSA key: {err}")),
                    )?);
                    break;
                }
                "RSA PRIVATE KEY" => {
                    aws_lc_rs::rsa::KeyPair::from_der(block.contents()).map_err(|err| {
                        ClientError::Config(format!("cannot read the PKCS#1 RSA key: {err}"))
                    })?;
                    key = Some(jsonwebtoken::EncodingKey::from_rsa_der(block.contents()));
                    break;
                }
                "ENCRYPTED PRIVATE KEY" => {
                    return Err(ClientError::Config(
                        "the private key is encrypted: decrypt it first (openssl pkcs8 -in key.pem -out plain.pem)".into(),
                    ))
                }
                _ => {}
            }
        }
        let key = key.ok_or_else(|| {
            ClientError::Config(
                "the PEM holds no private key (PRIVATE KEY or RSA PRIVATE KEY block)".to_owned(),
            )
        })?;
        Ok(CertificateCredential {
            key,
            cert_der,
            algorithm: AssertionAlgorithm::default(),
        })
    }

    /// Reads a PEM file (see [`CertificateCredential::from_pem`]).
    pub fn from_pem_file(path: &Path) -> Result<CertificateCredential, ClientError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default()
            .to_ascii_lowercase();
        if ext == "pfx" || ext == "p12" {
            return Err(ClientError::Config(format!(
                "{} is a PFX/PKCS#12 file, which this client does not read: convert it to PEM with `openssl pkcs12 -in {} -out app.pem -nodes`",
                path.display(),
                path.display()
            )));
        }
        let bytes = std::fs::read(path).map_err(|err| {
            ClientError::Config(format!(
                "cannot read the certificate {}: {err}",
                path.display()
            ))
        })?;
        CertificateCredential::from_pem(&bytes)
    }

    /// The same certificate, signing assertions with `algorithm`.
    pub fn with_algorithm(mut self, algorithm: AssertionAlgorithm) -> CertificateCredential {
        self.algorithm = algorithm;
        self
    }

    /// The signing algorithm.
    pub fn algorithm(&self) -> AssertionAlgorithm {
        self.algorithm
    }

    /// The SHA-1 thumbprint of the certificate, upper-case hex (as the Azure portal shows it).
    pub fn thumbprint_sha1_hex(&self) -> String {
        sha1::Sha1::digest(&self.cert_der)
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect()
    }

    /// A signed client assertion for `token_url`: `iss` = `sub` = `client_id`, a fresh `jti`,
    /// `nbf` = `iat` = now, `exp` = now + 10 minutes.
    pub fn assertion(&self, client_id: &str, token_url: &str) -> Result<String, ClientError> {
        use graphmeet_wire::b64::url_encode;
        let header = match self.algorithm {
            AssertionAlgorithm::Ps256 => jsonwebtoken::Header {
                x5t_s256: Some(url_encode(sha2::Sha256::digest(&self.cert_der))),
                ..jsonwebtoken::Header::new(jsonwebtoken::Algorithm::PS256)
            },
            AssertionAlgorithm::Rs256 => jsonwebtoken::Header {
                x5t: Some(url_encode(sha1::Sha1::digest(&self.cert_der))),
                ..jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256)
            },
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let claims = serde_json::json!({
            "aud": token_url,
            "iss": client_id,
            "sub": client_id,
            "jti": uuid::Uuid::new_v4().to_string(),
            "nbf": now,
            "iat": now,
            "exp": now + 600,
        });
        jsonwebtoken::encode(&header, &claims, &self.key)
            .map_err(|err| ClientError::Config(format!("cannot sign: {err}")))
    }
}

/// How the app proves its identity to the token endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientCredential {
    /// A client secret (the secret's Value).
    Secret(ClientSecret),
    /// A certificate, sent as a signed `client_assertion`.
    Certificate(Box<CertificateCredential>),
}

impl ClientCredential {
    /// A client-secret credential.
    pub fn secret(value: impl Into<String>) -> ClientCredential {
        ClientCredential::Secret(ClientSecret::new(value))
    }

    /// A certificate credential from a PEM file (certificate + unencrypted RSA key).
    pub fn certificate_file(path: &Path) -> Result<ClientCredential, ClientError> {
        Ok(ClientCredential::Certificate(Box::new(
            CertificateCredential::from_pem_file(path)?,
        )))
    }
}

/// Everything the client needs to act as one app: its id, credential, cloud, and optionally
/// a default tenant (operations name their tenant explicitly, so one app serves many).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppConfig {
    /// The app's client id.
    pub client_id: String,
    /// The app's credential.
    pub credential: ClientCredential,
    /// Where to sign in and call Graph.
    pub cloud: Cloud,
    /// The tenant to use when the caller has no other in mind (`AZURE_TENANT_ID`).
    pub tenant_id: Option<String>,
}

/// One profile in `profiles.json`.
#[derive(Deserialize)]
struct Profile {
    tenant_id: Option<String>,
    client_id: String,
    client_secret: Option<String>,
    certificate_path: Option<PathBuf>,
    authority_host: Option<String>,
    graph_url: Option<String>,
    ca_cert_path: Option<PathBuf>,
}

impl AppConfig {
    /// An app with a client id and credential, in `cloud`.
    pub fn new(client_id: impl Into<String>, credential: ClientCredential, cloud: Cloud) -> Self {
        AppConfig {
            client_id: client_id.into(),
            credential,
            cloud,
            tenant_id: None,
        }
    }

    /// Sets the default tenant.
    pub fn with_tenant(mut self, tenant: impl Into<String>) -> Self {
        self.tenant_id = Some(tenant.into());
        self
    }

    /// Reads the Azure environment variables: `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET` or
    /// `AZURE_CLIENT_CERTIFICATE_PATH`, optional `AZURE_TENANT_ID` and `AZURE_AUTHORITY_HOST`,
    /// plus graphmeet's `GRAPHMEET_GRAPH_URL` and `GRAPHMEET_CA_CERT` (a PEM file to trust).
    pub fn from_env() -> Result<AppConfig, ClientError> {
        AppConfig::from_vars(|name| std::env::var(name).ok())
    }

    /// [`AppConfig::from_env`] with the variables looked up by `var` (for tests and
    /// embedding).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<AppConfig, ClientError> {
        let get = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let client_id = get("AZURE_CLIENT_ID")
            .ok_or_else(|| ClientError::Config("AZURE_CLIENT_ID is not set".into()))?;
        let profile = Profile {
            tenant_id: get("AZURE_TENANT_ID"),
            client_id,
            client_secret: get("AZURE_CLIENT_SECRET"),
            certificate_path: get("AZURE_CLIENT_CERTIFICATE_PATH").map(PathBuf::from),
            authority_host: get("AZURE_AUTHORITY_HOST"),
            graph_url: get("GRAPHMEET_GRAPH_URL"),
            ca_cert_path: get("GRAPHMEET_CA_CERT").map(PathBuf::from),
        };
        AppConfig::from_profile_values(profile, None, "the environment")
    }

    /// The named profile from `~/.config/graphmeet/profiles.json` (or
    /// `$XDG_CONFIG_HOME/graphmeet/profiles.json`).
    pub fn from_profile(name: &str) -> Result<AppConfig, ClientError> {
        let base = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
            .ok_or_else(|| ClientError::Config("neither XDG_CONFIG_HOME nor HOME is set".into()))?;
        AppConfig::from_profile_file(&base.join("graphmeet").join("profiles.json"), name)
    }

    /// The named profile from a JSON file `{"name": {"tenant_id", "client_id",
    /// "client_secret" | "certificate_path", "authority_host", "graph_url", "ca_cert_path"}}`.
    /// Relative paths are resolved against the file's directory.
    pub fn from_profile_file(path: &Path, name: &str) -> Result<AppConfig, ClientError> {
        let text = std::fs::read_to_string(path)
            .map_err(|err| ClientError::Config(format!("cannot read {}: {err}", path.display())))?;
        let mut profiles: HashMap<String, Profile> =
            serde_json::from_str(&text).map_err(|err| {
                ClientError::Config(format!("cannot parse {}: {err}", path.display()))
            })?;
        let profile = profiles.remove(name).ok_or_else(|| {
            let mut known: Vec<&String> = profiles.keys().collect();
            known.sort();
            ClientError::Config(format!(
                "no profile '{name}' in {} (profiles: {})",
                path.display(),
                known
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        AppConfig::from_profile_values(
            profile,
            path.parent(),
            &format!("profile '{name}' in {}", path.display()),
        )
    }

    fn from_profile_values(
        profile: Profile,
        base_dir: Option<&Path>,
        source: &str,
    ) -> Result<AppConfig, ClientError> {
        let resolve = |p: PathBuf| match base_dir {
            Some(dir) if p.is_relative() => dir.join(p),
            _ => p,
        };
        let credential = match (profile.client_secret, profile.certificate_path) {
            (Some(secret), None) => ClientCredential::secret(secret),
            (None, Some(path)) => ClientCredential::certificate_file(&resolve(path))?,
            (Some(_), Some(_)) => {
                return Err(ClientError::Config(format!(
                    "{source} gives both a client secret and a certificate path: keep one"
                )))
            }
            (None, None) => {
                return Err(ClientError::Config(format!(
                    "{source} gives no credential: set a client secret or a certificate path"
                )))
            }
        };
        let authority = profile
            .authority_host
            .unwrap_or_else(|| DEFAULT_AUTHORITY_HOST.to_owned());
        let graph = match profile.graph_url {
            Some(g) => g,
            // A custom authority host that is not a Microsoft login host is a graphmeet server.
            None if !is_microsoft_login_host(&authority) => {
                format!("{}/v1.0", authority.trim_end_matches('/'))
            }
            None => DEFAULT_GRAPH_URL.to_owned(),
        };
        let mut cloud = Cloud::custom(&authority, &graph)?;
        if let Some(ca) = profile.ca_cert_path {
            cloud = cloud.with_ca_cert_pem(&read_ca_cert(&resolve(ca))?);
        }
        Ok(AppConfig {
            client_id: profile.client_id,
            credential,
            cloud,
            tenant_id: profile.tenant_id,
        })
    }
}

/// Whether `authority` is one of Microsoft's login hosts (whose Graph is not on the same host).
fn is_microsoft_login_host(authority: &str) -> bool {
    let host = Url::parse(authority)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default();
    host.starts_with("login.")
        && (host.ends_with(".microsoftonline.com")
            || host.ends_with(".microsoftonline.us")
            || host.ends_with(".chinacloudapi.cn")
            || host.ends_with(".windows.net"))
}

#[cfg(test)]
mod tests;
