//! Client assertions signed the ways real clients sign them (PS256 as MSAL does, RS256 as
//! ADFS and older clients do, padded or not, with float times), to test a server's certificate
//! credentials; and the claims of a JWT, read without verifying it.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// The claims of a JWT, unverified.
pub fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&graphmeet_wire::b64::url_decode_lenient(payload).unwrap()).unwrap()
}

/// An app's certificate and its private key.
pub struct AppKey {
    /// The private key.
    pub key: aws_lc_rs::rsa::KeyPair,
    /// The certificate, DER.
    pub cert_der: Vec<u8>,
}

impl AppKey {
    /// From a PEM file's text holding a `CERTIFICATE` and a `PRIVATE KEY` (PKCS#8).
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

    /// A new self-signed certificate and key no app has registered.
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
    /// PS256 (else RS256, with an `x5t` SHA-1 thumbprint).
    pub pss: bool,
    /// Base64url with `=` padding.
    pub pad: bool,
    /// `exp` with a fraction of a second.
    pub float_times: bool,
    /// With `iat`.
    pub with_iat: bool,
    /// With `nbf`.
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
