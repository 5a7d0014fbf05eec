//! Rich notifications' encryption, as Graph encrypts resource data for a subscriber (spec C.6;
//! <https://learn.microsoft.com/graph/change-notifications-with-resource-data>): a fresh
//! 32-byte key per item; `data` = AES-256-CBC with PKCS7 padding, the IV being the key's first
//! 16 bytes; `dataSignature` = HMAC-SHA256 of the ciphertext under the key; `dataKey` = the key
//! encrypted with the subscriber's RSA public key, OAEP with SHA-1 (the Java sample's
//! `RSA/ECB/OAEPWithSHA1AndMGF1Padding`, which .NET's `RSAEncryptionPadding.OaepSHA1` and
//! Python's `OAEP(MGF1(SHA1), SHA1)` decrypt).

use aws_lc_rs::cipher::{EncryptionContext, PaddedBlockEncryptingKey, UnboundCipherKey, AES_256};
use aws_lc_rs::iv::FixedLength;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::rsa::{OaepPublicEncryptingKey, PublicEncryptingKey, OAEP_SHA1_MGF1SHA1};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// Why a certificate cannot encrypt, or encryption failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RichError {
    /// The certificate is not base64 DER X.509 with an RSA key.
    #[error("{0}")]
    Certificate(String),
    /// The key is outside 2048–4096 bits.
    #[error("the certificate's RSA key has {0} bits; 2048 to 4096 are accepted")]
    KeySize(usize),
    /// The crypto library refused.
    #[error("encryption failed")]
    Crypto,
}

/// A subscriber's encryption certificate, checked and parsed.
#[derive(Debug)]
pub struct EncryptionCertificate {
    key: OaepPublicEncryptingKey,
    /// SHA-1 of the DER, upper-case hex (`encryptionCertificateThumbprint`).
    pub thumbprint: String,
}

impl EncryptionCertificate {
    /// Reads `encryptionCertificate`: base64 of the DER certificate (a PEM text is accepted too).
    pub fn from_base64(text: &str) -> Result<Self, RichError> {
        let der = if text.contains("-----BEGIN") {
            crate::crypto::parse_certificate_pem(text)
                .map_err(|e| RichError::Certificate(e.to_string()))?
                .der
        } else {
            let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            STANDARD
                .decode(compact)
                .map_err(|_| RichError::Certificate("it is not base64".to_owned()))?
        };
        let parsed = crate::crypto::parse_certificate_der(&der)
            .map_err(|e| RichError::Certificate(e.to_string()))?;
        let spki = spki_der(&der)
            .ok_or_else(|| RichError::Certificate("its public key cannot be read".to_owned()))?;
        let public = PublicEncryptingKey::from_der(&spki)
            .map_err(|e| RichError::Certificate(e.to_string()))?;
        let bits = public.key_size_bits();
        if !(2048..=4096).contains(&bits) {
            return Err(RichError::KeySize(bits));
        }
        let key = OaepPublicEncryptingKey::new(public).map_err(|_| RichError::Crypto)?;
        Ok(Self {
            key,
            thumbprint: hex::encode_upper(crate::crypto::sha1(&parsed.der)),
        })
    }

    /// Encrypts one resource's JSON: `(data, dataSignature, dataKey)`, base64.
    pub fn encrypt(&self, plaintext: &[u8]) -> Result<(String, String, String), RichError> {
        let mut key = [0u8; 32];
        SystemRandom::new()
            .fill(&mut key)
            .map_err(|_| RichError::Crypto)?;
        let data = aes_cbc(&key, plaintext)?;
        let signature = aws_lc_rs::hmac::sign(
            &aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &key),
            &data,
        );
        let mut wrapped = vec![0u8; self.key.ciphertext_size()];
        let wrapped = self
            .key
            .encrypt(&OAEP_SHA1_MGF1SHA1, &key, &mut wrapped, None)
            .map_err(|_| RichError::Crypto)?;
        Ok((
            STANDARD.encode(&data),
            STANDARD.encode(signature.as_ref()),
            STANDARD.encode(wrapped),
        ))
    }
}

/// The AES block (and so IV) length.
const IV_LEN: usize = 16;

/// AES-256-CBC, PKCS7, IV = the key's first 16 bytes.
fn aes_cbc(key: &[u8; 32], plaintext: &[u8]) -> Result<Vec<u8>, RichError> {
    let cipher = PaddedBlockEncryptingKey::cbc_pkcs7(
        UnboundCipherKey::new(&AES_256, key).map_err(|_| RichError::Crypto)?,
    )
    .map_err(|_| RichError::Crypto)?;
    let mut iv = [0u8; IV_LEN];
    iv.copy_from_slice(&key[..IV_LEN]);
    let mut out = plaintext.to_vec();
    cipher
        .less_safe_encrypt(
            &mut out,
            EncryptionContext::Iv128(FixedLength::<IV_LEN>::from(iv)),
        )
        .map_err(|_| RichError::Crypto)?;
    Ok(out)
}

/// The SubjectPublicKeyInfo DER inside a certificate.
fn spki_der(cert_der: &[u8]) -> Option<Vec<u8>> {
    let (_, cert) = x509_parser::parse_x509_certificate(cert_der).ok()?;
    Some(cert.tbs_certificate.subject_pki.raw.to_vec())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use aws_lc_rs::cipher::{DecryptionContext, PaddedBlockDecryptingKey};
    use aws_lc_rs::rsa::{OaepPrivateDecryptingKey, PrivateDecryptingKey};

    #[test]
    fn a_subscriber_decrypts_what_it_is_sent() {
        let now = chrono::Utc::now();
        let kc = crate::crypto::KeyAndCertificate::generate(
            "subscriber",
            now,
            now + chrono::Duration::days(1),
        )
        .unwrap();
        let pem_text = kc.to_pem();
        let blocks = pem::parse_many(&pem_text).unwrap();
        let cert = blocks.iter().find(|b| b.tag() == "CERTIFICATE").unwrap();
        let key = blocks.iter().find(|b| b.tag() == "PRIVATE KEY").unwrap();
        let enc = EncryptionCertificate::from_base64(&STANDARD.encode(cert.contents())).unwrap();
        assert_eq!(enc.thumbprint.len(), 40);
        let (data, sig, data_key) = enc.encrypt(br#"{"id":"x"}"#).unwrap();

        let private = OaepPrivateDecryptingKey::new(
            PrivateDecryptingKey::from_pkcs8(key.contents()).unwrap(),
        )
        .unwrap();
        let wrapped = STANDARD.decode(data_key).unwrap();
        let mut out = vec![0u8; private.min_output_size()];
        let sym = private
            .decrypt(&OAEP_SHA1_MGF1SHA1, &wrapped, &mut out, None)
            .unwrap()
            .to_vec();
        assert_eq!(sym.len(), 32);
        let data = STANDARD.decode(data).unwrap();
        let expected = aws_lc_rs::hmac::sign(
            &aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &sym),
            &data,
        );
        assert_eq!(STANDARD.decode(sig).unwrap(), expected.as_ref());
        let dec =
            PaddedBlockDecryptingKey::cbc_pkcs7(UnboundCipherKey::new(&AES_256, &sym).unwrap())
                .unwrap();
        let mut buf = data.clone();
        let iv: [u8; 16] = sym[..16].try_into().unwrap();
        let plain = dec
            .decrypt(&mut buf, DecryptionContext::Iv128(FixedLength::from(iv)))
            .unwrap();
        assert_eq!(plain, br#"{"id":"x"}"#);
    }
}
