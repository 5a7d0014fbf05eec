//! Key material: RSA keys and self-signed certificates (token-signing keys, app certificate
//! credentials), thumbprints, and client secrets.

use chrono::{DateTime, Datelike, Utc};
use graphmeet_wire::b64;
use rand::distributions::{Alphanumeric, DistString, Distribution, Slice};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// Key material could not be made or read.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// RSA key generation or encoding failed.
    #[error("RSA key: {0}")]
    Rsa(String),
    /// Certificate creation failed.
    #[error("certificate: {0}")]
    Certificate(String),
    /// A PEM or DER input could not be read.
    #[error("cannot read {what}: {detail}")]
    Parse {
        /// What was being read.
        what: &'static str,
        /// Why it failed.
        detail: String,
    },
}

/// An RSA key with a self-signed certificate for it.
#[derive(Debug, Clone)]
pub struct KeyAndCertificate {
    /// The private key, PKCS#8 DER.
    pub private_pkcs8_der: Vec<u8>,
    /// The certificate, DER.
    pub cert_der: Vec<u8>,
}

impl KeyAndCertificate {
    /// Generates a 2048-bit RSA key and a self-signed certificate for `common_name`, valid
    /// from `not_before` to `not_after`.
    pub fn generate(
        common_name: &str,
        not_before: DateTime<Utc>,
        not_after: DateTime<Utc>,
    ) -> Result<Self, CryptoError> {
        let pkcs8 = generate_rsa_pkcs8()?;
        let key_pair = rcgen::KeyPair::try_from(pkcs8.as_slice())
            .map_err(|e| CryptoError::Certificate(e.to_string()))?;
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new())
            .map_err(|e| CryptoError::Certificate(e.to_string()))?;
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, common_name);
        params.not_before = rcgen_date(not_before);
        params.not_after = rcgen_date(not_after);
        let cert = params
            .self_signed(&key_pair)
            .map_err(|e| CryptoError::Certificate(e.to_string()))?;
        Ok(Self {
            private_pkcs8_der: pkcs8,
            cert_der: cert.der().to_vec(),
        })
    }

    /// The certificate and the key as one PEM file (certificate first), the form MSAL and
    /// azure-identity load.
    pub fn to_pem(&self) -> String {
        let cert = pem::Pem::new("CERTIFICATE", self.cert_der.clone());
        let key = pem::Pem::new("PRIVATE KEY", self.private_pkcs8_der.clone());
        pem::encode_many(&[cert, key])
    }
}

fn rcgen_date(t: DateTime<Utc>) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(t.timestamp())
        .unwrap_or_else(|_| rcgen::date_time_ymd(t.year(), t.month() as u8, t.day() as u8))
}

/// A new 2048-bit RSA private key, PKCS#8 DER.
fn generate_rsa_pkcs8() -> Result<Vec<u8>, CryptoError> {
    use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
    let key = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
        .map_err(|_| CryptoError::Rsa("key generation failed".to_owned()))?;
    let der: Pkcs8V1Der<'static> = key
        .as_der()
        .map_err(|_| CryptoError::Rsa("PKCS#8 encoding failed".to_owned()))?;
    Ok(der.as_ref().to_vec())
}

/// An RSA private key parsed once, for RS256 signatures (RSASSA-PKCS1-v1_5, SHA-256): the
/// token signer. Parsing checks the whole key, which costs more than a signature, so a key ring
/// keeps one of these per key instead of the DER.
pub struct Rs256Signer {
    key: aws_lc_rs::signature::RsaKeyPair,
    rng: aws_lc_rs::rand::SystemRandom,
}

impl std::fmt::Debug for Rs256Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rs256Signer")
            .field("modulus_bits", &(self.key.public_modulus_len() * 8))
            .finish_non_exhaustive()
    }
}

impl Rs256Signer {
    /// Parses a PKCS#8 DER RSA private key.
    pub fn from_pkcs8(pkcs8_der: &[u8]) -> Result<Self, CryptoError> {
        let key = aws_lc_rs::signature::RsaKeyPair::from_pkcs8(pkcs8_der).map_err(|e| {
            CryptoError::Parse {
                what: "private key",
                detail: e.to_string(),
            }
        })?;
        Ok(Self {
            key,
            rng: aws_lc_rs::rand::SystemRandom::new(),
        })
    }

    /// The RS256 signature of `message`.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut signature = vec![0u8; self.key.public_modulus_len()];
        self.key
            .sign(
                &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                &self.rng,
                message,
                &mut signature,
            )
            .map_err(|_| CryptoError::Rsa("signing failed".to_owned()))?;
        Ok(signature)
    }
}

/// An RSA public key parsed once, for verifying RS256 signatures: the Graph API's check of the
/// tokens graphmeet issued.
#[derive(Clone)]
pub struct Rs256Verifier {
    key: Arc<aws_lc_rs::signature::ParsedPublicKey>,
}

impl std::fmt::Debug for Rs256Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rs256Verifier").finish_non_exhaustive()
    }
}

impl Rs256Verifier {
    /// Parses an RSA public key, PKCS#1 DER (RSAPublicKey); keys under 2048 bits are refused.
    pub fn from_pkcs1(pkcs1_der: &[u8]) -> Result<Self, CryptoError> {
        let key = aws_lc_rs::signature::ParsedPublicKey::new(
            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
            pkcs1_der,
        )
        .map_err(|e| CryptoError::Parse {
            what: "RSA public key",
            detail: e.to_string(),
        })?;
        Ok(Self { key: Arc::new(key) })
    }

    /// Whether `signature` is this key's RS256 signature of `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        self.key.verify_sig(message, signature).is_ok()
    }
}

/// SHA-1 of `der`.
pub fn sha1(der: &[u8]) -> Vec<u8> {
    Sha1::digest(der).to_vec()
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> Vec<u8> {
    Sha256::digest(bytes).to_vec()
}

/// The base64url SHA-1 thumbprint of a DER certificate: a JWKS `kid`/`x5t`, an assertion `x5t`.
pub fn x5t(cert_der: &[u8]) -> String {
    b64::url_encode(sha1(cert_der))
}

/// The base64url SHA-256 thumbprint of a DER certificate: an assertion `x5t#S256`.
pub fn x5t_s256(cert_der: &[u8]) -> String {
    b64::url_encode(sha256(cert_der))
}

/// A certificate read from PEM or DER: its DER, subject, validity and RSA public key.
#[derive(Debug, Clone)]
pub struct ParsedCertificate {
    /// The DER certificate.
    pub der: Vec<u8>,
    /// The subject's common name, or the whole subject when it has none.
    pub subject: String,
    /// notBefore.
    pub not_before: DateTime<Utc>,
    /// notAfter.
    pub not_after: DateTime<Utc>,
    /// The RSA public key, PKCS#1 DER (RSAPublicKey).
    pub rsa_public_pkcs1_der: Vec<u8>,
}

const RSA_ENCRYPTION_OID: &str = "1.2.840.113549.1.1.1";

/// Reads the first certificate of a PEM text (other blocks, such as a key, are ignored).
pub fn parse_certificate_pem(text: &str) -> Result<ParsedCertificate, CryptoError> {
    let blocks = pem::parse_many(text).map_err(|e| CryptoError::Parse {
        what: "PEM",
        detail: e.to_string(),
    })?;
    let cert = blocks
        .iter()
        .find(|b| b.tag() == "CERTIFICATE")
        .ok_or(CryptoError::Parse {
            what: "PEM",
            detail: "no CERTIFICATE block".to_owned(),
        })?;
    parse_certificate_der(cert.contents())
}

/// Reads a DER certificate; only RSA keys are accepted, as Entra requires for assertions.
pub fn parse_certificate_der(der: &[u8]) -> Result<ParsedCertificate, CryptoError> {
    let err = |detail: String| CryptoError::Parse {
        what: "certificate",
        detail,
    };
    let (_, cert) = x509_parser::parse_x509_certificate(der).map_err(|e| err(e.to_string()))?;
    let spki = &cert.tbs_certificate.subject_pki;
    if spki.algorithm.algorithm.to_id_string() != RSA_ENCRYPTION_OID {
        return Err(err("the certificate's key is not an RSA key".to_owned()));
    }
    let subject = cert
        .subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(str::to_owned)
        .unwrap_or_else(|| cert.subject().to_string());
    let time = |t: x509_parser::time::ASN1Time| {
        DateTime::<Utc>::from_timestamp(t.timestamp(), 0).unwrap_or_default()
    };
    Ok(ParsedCertificate {
        der: der.to_vec(),
        subject,
        not_before: time(cert.validity().not_before),
        not_after: time(cert.validity().not_after),
        rsa_public_pkcs1_der: spki.subject_public_key.data.to_vec(),
    })
}

/// The modulus and exponent of an RSA public key (PKCS#1 DER), base64url: a JWK's `n` and `e`.
pub fn rsa_jwk_components(pkcs1_der: &[u8]) -> Result<(String, String), CryptoError> {
    use x509_parser::prelude::FromDer;
    let (_, key) = x509_parser::public_key::RSAPublicKey::from_der(pkcs1_der).map_err(|e| {
        CryptoError::Parse {
            what: "RSA public key",
            detail: e.to_string(),
        }
    })?;
    // DER integers carry a leading zero when the top bit is set; a JWK's are unsigned.
    let unsigned = |bytes: &[u8]| -> Vec<u8> {
        let first = bytes
            .iter()
            .position(|b| *b != 0)
            .unwrap_or(bytes.len().saturating_sub(1));
        bytes[first..].to_vec()
    };
    Ok((
        b64::url_encode(unsigned(key.modulus)),
        b64::url_encode(unsigned(key.exponent)),
    ))
}

/// A new client secret in Entra's shape: 40 characters, `8Q~` after a three-character hint.
pub fn generate_client_secret() -> String {
    const TAIL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_~";
    let mut rng = rand::thread_rng();
    let hint = Alphanumeric.sample_string(&mut rng, 3);
    let tail: String = match Slice::new(TAIL) {
        Ok(dist) => dist
            .sample_iter(&mut rng)
            .take(34)
            .map(|b| char::from(*b))
            .collect(),
        Err(_) => Alphanumeric.sample_string(&mut rng, 34),
    };
    format!("{hint}8Q~{tail}")
}

/// The stored form of a secret: SHA-256, hex. Secrets are 200+ bits of randomness, so a fast
/// hash is enough; the raw value is never stored.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(sha256(secret.as_bytes()))
}

/// Whether `secret` hashes to `stored_hash`, compared in constant time.
pub fn secret_matches(secret: &str, stored_hash: &str) -> bool {
    hash_secret(secret)
        .as_bytes()
        .ct_eq(stored_hash.as_bytes())
        .into()
}

/// A user's password in PHC form (Argon2id with a random salt), for delegated sign-in.
pub fn hash_password(password: &str) -> Result<String, CryptoError> {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| CryptoError::Rsa(format!("password hashing failed: {e}")))
}

/// Whether `password` matches a PHC hash made by [`hash_password`].
pub fn password_matches(password: &str, phc: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(phc).is_ok_and(|parsed| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Checks passwords against their Argon2 hashes off the async worker threads, a bounded number
/// at a time.
///
/// One Argon2 check costs tens of milliseconds of CPU by design. Run on an async worker it
/// stalls every request queued on that worker, so a few clients guessing passwords would slow
/// `/healthz` and every Graph call; run unbounded on the blocking pool, 32 guessers would still
/// get 32 threads contending for the cores. Here checks run on the blocking pool, and at most
/// `limit` of them at once, so at least one core stays free for the runtime; further sign-ins
/// wait their turn without holding a worker.
#[derive(Debug, Clone)]
pub struct PasswordVerifier {
    permits: Arc<tokio::sync::Semaphore>,
}

impl Default for PasswordVerifier {
    /// A verifier allowing one check at a time per core, less one core (at least one).
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self::new(cores.saturating_sub(1))
    }
}

impl PasswordVerifier {
    /// A verifier running at most `limit` checks at once (at least one).
    pub fn new(limit: usize) -> Self {
        Self {
            permits: Arc::new(tokio::sync::Semaphore::new(limit.max(1))),
        }
    }

    /// Whether `password` matches a PHC hash made by [`hash_password`]; see
    /// [`password_matches`]. Must be called within a Tokio runtime.
    pub async fn matches(&self, password: &str, phc: &str) -> bool {
        // The permit moves into the blocking task, so a client that hangs up mid-check frees its
        // slot only when the check is over: disconnecting cannot stack up checks.
        let Ok(permit) = self.permits.clone().acquire_owned().await else {
            return false;
        };
        let (password, phc) = (password.to_owned(), phc.to_owned());
        let check = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            password_matches(&password, &phc)
        });
        match check.await {
            Ok(matched) => matched,
            Err(e) => {
                tracing::error!(error = %e, "password check did not complete");
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_with_the_right_value() {
        let phc = hash_password("Tr0ub4dor&3").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(password_matches("Tr0ub4dor&3", &phc));
        assert!(!password_matches("tr0ub4dor&3", &phc));
        assert!(!password_matches("x", "not a hash"));
    }

    #[tokio::test]
    async fn password_checks_run_off_the_runtime_one_at_a_time() {
        let phc = hash_password("Tr0ub4dor&3").unwrap();
        let verifier = PasswordVerifier::new(1);
        let checks: Vec<_> = (0..4)
            .map(|i| {
                let (verifier, phc) = (verifier.clone(), phc.clone());
                let guess = if i == 0 { "Tr0ub4dor&3" } else { "guess" };
                tokio::spawn(async move { verifier.matches(guess, &phc).await })
            })
            .collect();
        let mut results = Vec::new();
        for check in checks {
            results.push(check.await.unwrap());
        }
        assert_eq!(results, vec![true, false, false, false]);
        assert_eq!(verifier.permits.available_permits(), 1);
        assert!(!verifier.matches("x", "not a hash").await);

        // This test's runtime has a single thread: a check run on it would leave no turn to
        // the loop below until it was over.
        let check = tokio::spawn({
            let verifier = verifier.clone();
            async move { verifier.matches("guess", &phc).await }
        });
        let mut turns = 0;
        while !check.is_finished() {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            turns += 1;
        }
        assert!(turns >= 3, "the runtime got {turns} turns during a check");
    }

    #[test]
    fn secrets_have_entra_shape_and_verify() {
        let secret = generate_client_secret();
        assert_eq!(secret.len(), 40);
        assert_eq!(&secret[3..6], "8Q~");
        let hash = hash_secret(&secret);
        assert!(secret_matches(&secret, &hash));
        assert!(!secret_matches("wrong", &hash));
    }

    #[test]
    fn generated_certificate_round_trips_through_pem() {
        let now = Utc::now();
        let kc =
            KeyAndCertificate::generate("graphmeet test", now, now + chrono::Duration::days(365))
                .unwrap();
        let parsed = parse_certificate_pem(&kc.to_pem()).unwrap();
        assert_eq!(parsed.der, kc.cert_der);
        assert_eq!(parsed.subject, "graphmeet test");
        let (n, e) = rsa_jwk_components(&parsed.rsa_public_pkcs1_der).unwrap();
        assert_eq!(e, "AQAB");
        assert_eq!(
            b64::url_decode_lenient(&n).unwrap().len(),
            256,
            "no leading zero"
        );
        assert_eq!(x5t(&kc.cert_der).len(), 27);
        let signer = Rs256Signer::from_pkcs8(&kc.private_pkcs8_der).unwrap();
        let signature = signer.sign(b"header.payload").unwrap();
        assert_eq!(signature.len(), 256);
        let verifier = Rs256Verifier::from_pkcs1(&parsed.rsa_public_pkcs1_der).unwrap();
        assert!(verifier.verify(b"header.payload", &signature));
        assert!(!verifier.verify(b"header.payload!", &signature));
        // What a client builds from the JWKS entry verifies the signature too.
        let from_jwk = aws_lc_rs::signature::RsaPublicKeyComponents {
            n: b64::url_decode_lenient(&n).unwrap(),
            e: b64::url_decode_lenient(&e).unwrap(),
        };
        assert!(from_jwk
            .verify(
                &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
                b"header.payload",
                &signature
            )
            .is_ok());
    }
}
