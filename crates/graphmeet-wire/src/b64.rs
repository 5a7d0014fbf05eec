//! Base64 as the real clients write it.
//!
//! Old azure-identity pads JWT segments and thumbprints with `=`, MSAL Python puts newlines in
//! `x5c`; Entra accepts all of it, so the decoders here do too.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;

/// Encodes bytes as unpadded base64url, the form of JWT segments and `x5t` thumbprints.
pub fn url_encode(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Encodes bytes as standard padded base64, the form of `x5c` entries.
pub fn std_encode(bytes: impl AsRef<[u8]>) -> String {
    STANDARD.encode(bytes)
}

/// Decodes standard padded base64 strictly (an HTTP Basic `Authorization` header).
pub fn std_decode(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    STANDARD.decode(text)
}

/// Decodes base64url, with or without `=` padding; `+` and `/` are accepted too.
pub fn url_decode_lenient(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    let cleaned: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            other => other,
        })
        .collect();
    URL_SAFE_NO_PAD.decode(cleaned)
}

/// Decodes standard base64, ignoring whitespace (a PEM body pasted into `x5c`).
pub fn std_decode_lenient(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    url_decode_lenient(text)
}

/// Strips the `=` padding from a thumbprint so that padded and unpadded forms compare equal.
pub fn strip_padding(text: &str) -> &str {
    text.trim_end_matches('=')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_and_unpadded_decode_alike() {
        assert_eq!(
            url_decode_lenient("m6m02Z-KCWj0F0mbLfzgjzGeHxs=").ok(),
            url_decode_lenient("m6m02Z-KCWj0F0mbLfzgjzGeHxs").ok()
        );
        assert_eq!(url_decode_lenient("YQ").ok(), Some(b"a".to_vec()));
    }

    #[test]
    fn standard_alphabet_and_newlines_decode() {
        assert_eq!(std_decode_lenient("+/8=\n").ok(), Some(vec![0xfb, 0xff]));
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(url_decode_lenient("%%%").is_err());
    }
}
