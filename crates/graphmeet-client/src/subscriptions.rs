//! Change notifications, for the application: subscriptions to meeting resources
//! (`POST /subscriptions`, list, get, renew with PATCH, delete) and, for the endpoint that
//! receives them, decrypting a rich notification's `encryptedContent` with the private key of
//! the subscription's encryption certificate.
//!
//! Facts: <https://learn.microsoft.com/graph/api/resources/subscription>,
//! <https://learn.microsoft.com/graph/change-notifications-with-resource-data>.

use crate::meetings::decode;
use crate::{ClientError, MeetingsClient};
use aws_lc_rs::cipher::{DecryptionContext, PaddedBlockDecryptingKey, UnboundCipherKey, AES_256};
use aws_lc_rs::iv::FixedLength;
use aws_lc_rs::rsa::{OaepPrivateDecryptingKey, PrivateDecryptingKey, OAEP_SHA1_MGF1SHA1};
use graphmeet_wire::b64;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// What `POST /subscriptions` is sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewSubscription {
    /// `changeType`, e.g. `created`.
    pub change_type: String,
    /// Where notifications are POSTed.
    pub notification_url: String,
    /// Where lifecycle notifications are POSTed (needed beyond one hour for meeting
    /// resources).
    pub lifecycle_notification_url: Option<String>,
    /// The resource, e.g. `communications/onlineMeetings/getAllTranscripts`.
    pub resource: String,
    /// `expirationDateTime`, RFC 3339.
    pub expiration_date_time: String,
    /// Echoed in every notification.
    pub client_state: Option<String>,
    /// Rich notifications: base64 DER of the certificate to encrypt resource data for.
    pub encryption_certificate: Option<String>,
    /// Its id, echoed in `encryptedContent`.
    pub encryption_certificate_id: Option<String>,
}

/// A subscription as Graph returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    /// Its id.
    pub id: String,
    /// The resource.
    pub resource: String,
    /// The app that made it.
    #[serde(default)]
    pub application_id: Option<String>,
    /// `changeType`.
    pub change_type: String,
    /// `clientState`.
    #[serde(default)]
    pub client_state: Option<String>,
    /// Where notifications go.
    pub notification_url: String,
    /// Where lifecycle notifications go.
    #[serde(default)]
    pub lifecycle_notification_url: Option<String>,
    /// When it expires.
    pub expiration_date_time: String,
    /// Who made it.
    #[serde(default)]
    pub creator_id: Option<String>,
    /// Whether notifications carry encrypted resource data.
    #[serde(default)]
    pub include_resource_data: Option<bool>,
    /// The encryption certificate's id.
    #[serde(default)]
    pub encryption_certificate_id: Option<String>,
}

#[derive(Deserialize)]
struct Collection {
    #[serde(default)]
    value: Vec<Subscription>,
}

impl MeetingsClient {
    /// Creates a subscription (201); Graph first validates the notification URL (and the
    /// lifecycle URL), which must answer the validation token within 10 seconds.
    pub async fn create_subscription(
        &self,
        tenant: &str,
        new: &NewSubscription,
    ) -> Result<Subscription, ClientError> {
        let mut body = json!({
            "changeType": new.change_type,
            "notificationUrl": new.notification_url,
            "resource": new.resource,
            "expirationDateTime": new.expiration_date_time,
        });
        if let Some(url) = &new.lifecycle_notification_url {
            body["lifecycleNotificationUrl"] = json!(url);
        }
        if let Some(state) = &new.client_state {
            body["clientState"] = json!(state);
        }
        if let Some(cert) = &new.encryption_certificate {
            body["includeResourceData"] = json!(true);
            body["encryptionCertificate"] = json!(cert);
            body["encryptionCertificateId"] = json!(new.encryption_certificate_id);
        }
        let url = self.graph_url(&["subscriptions"])?;
        let answer = self
            .simple(Method::POST, url, Some(body), tenant, "")
            .await?;
        decode(&answer)
    }

    /// The app's subscriptions in the tenant.
    pub async fn list_subscriptions(&self, tenant: &str) -> Result<Vec<Subscription>, ClientError> {
        let url = self.graph_url(&["subscriptions"])?;
        let answer = self.simple(Method::GET, url, None, tenant, "").await?;
        Ok(decode::<Collection>(&answer)?.value)
    }

    /// One subscription.
    pub async fn get_subscription(
        &self,
        tenant: &str,
        id: &str,
    ) -> Result<Subscription, ClientError> {
        let url = self.graph_url(&["subscriptions", id])?;
        let answer = self.simple(Method::GET, url, None, tenant, "").await?;
        decode(&answer)
    }

    /// Renews a subscription to expire at `expiration_date_time` (RFC 3339).
    pub async fn renew_subscription(
        &self,
        tenant: &str,
        id: &str,
        expiration_date_time: &str,
    ) -> Result<Subscription, ClientError> {
        let url = self.graph_url(&["subscriptions", id])?;
        let body = json!({"expirationDateTime": expiration_date_time});
        let answer = self
            .simple(Method::PATCH, url, Some(body), tenant, "")
            .await?;
        decode(&answer)
    }

    /// Deletes a subscription (204).
    pub async fn delete_subscription(&self, tenant: &str, id: &str) -> Result<(), ClientError> {
        let url = self.graph_url(&["subscriptions", id])?;
        self.simple(Method::DELETE, url, None, tenant, "")
            .await
            .map(|_| ())
    }
}

/// Why `encryptedContent` could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DecryptError {
    /// The private key is not an unencrypted PKCS#8 RSA key in PEM.
    #[error("the private key: {0}")]
    Key(String),
    /// A field is missing or not base64.
    #[error("encryptedContent: {0}")]
    Content(String),
    /// `dataSignature` does not match: the data was not made with this key.
    #[error("dataSignature does not match the data")]
    Signature,
    /// Decryption failed.
    #[error("cannot decrypt: {0}")]
    Decrypt(&'static str),
}

/// A subscriber's private key, for [`decrypt_content`].
#[derive(Debug)]
pub struct DecryptionKey(OaepPrivateDecryptingKey);

impl DecryptionKey {
    /// Reads the `PRIVATE KEY` block (PKCS#8) of a PEM text.
    pub fn from_pem(text: &str) -> Result<Self, DecryptError> {
        let blocks = pem::parse_many(text).map_err(|e| DecryptError::Key(e.to_string()))?;
        let block = blocks
            .iter()
            .find(|b| b.tag() == "PRIVATE KEY")
            .ok_or_else(|| DecryptError::Key("no PRIVATE KEY block".to_owned()))?;
        let key = PrivateDecryptingKey::from_pkcs8(block.contents())
            .map_err(|e| DecryptError::Key(e.to_string()))?;
        Ok(Self(
            OaepPrivateDecryptingKey::new(key).map_err(|_| DecryptError::Key("not RSA".into()))?,
        ))
    }
}

/// Decrypts a notification's `encryptedContent` (Graph's algorithm: RSA-OAEP-SHA1 `dataKey`,
/// HMAC-SHA256 `dataSignature` checked first, AES-256-CBC `data` with the key's first 16 bytes
/// as IV) into the resource's JSON.
pub fn decrypt_content(content: &Value, key: &DecryptionKey) -> Result<Value, DecryptError> {
    let field = |name: &str| {
        content
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| DecryptError::Content(format!("no {name}")))
            .and_then(|t| {
                b64::std_decode_lenient(t)
                    .map_err(|_| DecryptError::Content(format!("{name} is not base64")))
            })
    };
    let wrapped = field("dataKey")?;
    let data = field("data")?;
    let signature = field("dataSignature")?;
    let mut out = vec![0u8; key.0.min_output_size()];
    let symmetric = key
        .0
        .decrypt(&OAEP_SHA1_MGF1SHA1, &wrapped, &mut out, None)
        .map_err(|_| DecryptError::Decrypt("dataKey"))?
        .to_vec();
    if symmetric.len() != 32 {
        return Err(DecryptError::Decrypt("dataKey is not a 32-byte key"));
    }
    let hmac = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &symmetric);
    aws_lc_rs::hmac::verify(&hmac, &data, &signature).map_err(|_| DecryptError::Signature)?;
    let cipher = PaddedBlockDecryptingKey::cbc_pkcs7(
        UnboundCipherKey::new(&AES_256, &symmetric).map_err(|_| DecryptError::Decrypt("key"))?,
    )
    .map_err(|_| DecryptError::Decrypt("key"))?;
    let mut iv = [0u8; 16];
    iv.copy_from_slice(&symmetric[..16]);
    let mut buffer = data;
    let plain = cipher
        .decrypt(&mut buffer, DecryptionContext::Iv128(FixedLength::from(iv)))
        .map_err(|_| DecryptError::Decrypt("data"))?;
    serde_json::from_slice(plain).map_err(|e| DecryptError::Content(e.to_string()))
}
