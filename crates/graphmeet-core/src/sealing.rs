//! Private keys at rest: the token-signing keys are stored sealed (AES-256-GCM) under a
//! key-encryption key that never enters the database, so a dump or a copy of the database
//! alone mints no token.
//!
//! A sealed value is `gmk1 ‖ key id (8 bytes) ‖ nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)`;
//! the key id is the start of the key-encryption key's SHA-256, so a value sealed under another
//! key is named as such instead of failing as "corrupt". The value's own name (the signing key's
//! `kid`) is bound as associated data: a sealed key moved to another row does not open.

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use graphmeet_wire::b64;

const MAGIC: &[u8; 4] = b"gmk1";
const KEY_ID_LEN: usize = 8;
const HEADER_LEN: usize = MAGIC.len() + KEY_ID_LEN + NONCE_LEN;
/// The key-encryption key's length: 32 bytes (AES-256).
pub const KEY_LEN: usize = 32;

/// A sealed value could not be opened, or a key-encryption key could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The value was sealed under another key-encryption key.
    #[error("sealed under key-encryption key {sealed_under}, not under this one ({this_key})")]
    OtherKey {
        /// The id of the key the value was sealed under.
        sealed_under: String,
        /// The id of the key given.
        this_key: String,
    },
    /// The value is truncated or was altered.
    #[error("the sealed value is damaged or was altered")]
    Damaged,
    /// A key-encryption key given as text is not 32 bytes of base64.
    #[error("a key-encryption key is {KEY_LEN} bytes in base64 (43 or 44 characters); {0}")]
    BadKey(String),
}

/// A key-encryption key: seals and opens private keys.
pub struct KeySealer {
    key: LessSafeKey,
    id: [u8; KEY_ID_LEN],
}

impl std::fmt::Debug for KeySealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySealer")
            .field("id", &self.id())
            .finish_non_exhaustive()
    }
}

impl KeySealer {
    /// A sealer over 32 key bytes.
    pub fn new(bytes: &[u8; KEY_LEN]) -> Self {
        let digest = crate::crypto::sha256(bytes);
        let mut id = [0u8; KEY_ID_LEN];
        id.copy_from_slice(&digest[..KEY_ID_LEN]);
        let unbound = UnboundKey::new(&AES_256_GCM, bytes)
            .unwrap_or_else(|_| unreachable!("AES-256-GCM accepts every 32-byte key"));
        Self {
            key: LessSafeKey::new(unbound),
            id,
        }
    }

    /// A sealer over a key written as base64 (standard or URL-safe, padded or not).
    pub fn from_text(text: &str) -> Result<Self, SealError> {
        let text = text.trim();
        let bytes = b64::url_decode_lenient(text)
            .or_else(|_| b64::std_decode_lenient(text))
            .map_err(|e| SealError::BadKey(format!("this one is not base64 ({e})")))?;
        let bytes: [u8; KEY_LEN] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| SealError::BadKey(format!("this one is {} bytes", bytes.len())))?;
        Ok(Self::new(&bytes))
    }

    /// A new random key, and its text form (base64url, 43 characters).
    pub fn generate() -> (Self, String) {
        let mut bytes = [0u8; KEY_LEN];
        SystemRandom::new()
            .fill(&mut bytes)
            .unwrap_or_else(|_| unreachable!("the system random source failed"));
        let text = b64::url_encode(bytes);
        (Self::new(&bytes), text)
    }

    /// The key's id as shown in messages: 16 hex digits.
    pub fn id(&self) -> String {
        hex::encode(self.id)
    }

    /// Whether `value` is sealed (by any key); a PKCS#8 DER value starts with 0x30 instead.
    pub fn is_sealed(value: &[u8]) -> bool {
        value.starts_with(MAGIC)
    }

    /// Seals `plaintext`, bound to `name`.
    pub fn seal(&self, plaintext: &[u8], name: &str) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .unwrap_or_else(|_| unreachable!("the system random source failed"));
        let mut out = Vec::with_capacity(HEADER_LEN + plaintext.len() + AES_256_GCM.tag_len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.id);
        out.extend_from_slice(&nonce);
        let mut body = plaintext.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(name.as_bytes()),
                &mut body,
            )
            .unwrap_or_else(|_| unreachable!("sealing a buffer this size cannot fail"));
        out.extend_from_slice(&body);
        out
    }

    /// Opens a value sealed by [`KeySealer::seal`] under this key and `name`.
    pub fn open(&self, sealed: &[u8], name: &str) -> Result<Vec<u8>, SealError> {
        if sealed.len() < HEADER_LEN + AES_256_GCM.tag_len() || !Self::is_sealed(sealed) {
            return Err(SealError::Damaged);
        }
        let id = &sealed[MAGIC.len()..MAGIC.len() + KEY_ID_LEN];
        if id != self.id {
            return Err(SealError::OtherKey {
                sealed_under: hex::encode(id),
                this_key: self.id(),
            });
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&sealed[MAGIC.len() + KEY_ID_LEN..HEADER_LEN]);
        let mut body = sealed[HEADER_LEN..].to_vec();
        let plain = self
            .key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(name.as_bytes()),
                &mut body,
            )
            .map_err(|_| SealError::Damaged)?;
        Ok(plain.to_vec())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_sealed_value_opens_under_its_key_and_name_only() {
        let (sealer, text) = KeySealer::generate();
        assert_eq!(text.len(), 43);
        let sealed = sealer.seal(b"\x30private key", "kid-1");
        assert!(KeySealer::is_sealed(&sealed));
        assert!(!sealed.windows(11).any(|w| w == b"private key"));
        assert_eq!(sealer.open(&sealed, "kid-1").unwrap(), b"\x30private key");
        // The same key read back from its text form opens it.
        let again = KeySealer::from_text(&text).unwrap();
        assert_eq!(again.id(), sealer.id());
        assert_eq!(again.open(&sealed, "kid-1").unwrap(), b"\x30private key");
        // Another row's name, another key, a flipped bit, a truncation: refused.
        assert_eq!(sealer.open(&sealed, "kid-2"), Err(SealError::Damaged));
        let (other, _) = KeySealer::generate();
        assert!(matches!(
            other.open(&sealed, "kid-1"),
            Err(SealError::OtherKey { sealed_under, this_key })
                if sealed_under == sealer.id() && this_key == other.id()
        ));
        let mut flipped = sealed.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert_eq!(sealer.open(&flipped, "kid-1"), Err(SealError::Damaged));
        assert_eq!(
            sealer.open(&sealed[..HEADER_LEN + 3], "kid-1"),
            Err(SealError::Damaged)
        );
        assert!(!KeySealer::is_sealed(b"\x30\x82plain der"));
    }

    #[test]
    fn key_text_must_be_32_bytes_of_base64() {
        assert!(KeySealer::from_text("not base64 at all!").is_err());
        let short = b64::url_encode([7u8; 16]);
        let err = KeySealer::from_text(&short).unwrap_err();
        assert!(err.to_string().contains("16 bytes"), "{err}");
        let std_padded = b64::std_encode([9u8; 32]);
        assert!(KeySealer::from_text(&std_padded).is_ok());
    }
}
