//! The `changeNotification` payloads: change and lifecycle notifications, encrypted resource
//! data, the delivery body, and the resources a meeting artifact or call event names.

use crate::graph::GraphDateTime;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// `subscriptionExpirationDateTime` as the meeting-artifact examples print it: seven fraction
/// digits and `+00:00` (C.7).
pub fn notification_time(at: DateTime<Utc>) -> String {
    format!(
        "{}.{:07}+00:00",
        at.format("%Y-%m-%dT%H:%M:%S"),
        at.timestamp_subsec_nanos() / 100
    )
}

/// A lifecycle event (C.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LifecycleEvent {
    /// The subscription (or its authorization) is about to expire.
    ReauthorizationRequired,
    /// The subscription was removed.
    SubscriptionRemoved,
    /// Notifications were dropped.
    Missed,
}

impl LifecycleEvent {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReauthorizationRequired => "reauthorizationRequired",
            Self::SubscriptionRemoved => "subscriptionRemoved",
            Self::Missed => "missed",
        }
    }
}

/// One lifecycle notification, as the `value` item Graph posts: no resource fields (C.5).
pub fn lifecycle_notification(
    subscription_id: Uuid,
    expiration: DateTime<Utc>,
    tenant_id: Uuid,
    client_state: Option<&str>,
    event: LifecycleEvent,
) -> Value {
    json!({
        "subscriptionId": subscription_id.to_string(),
        "subscriptionExpirationDateTime": notification_time(expiration),
        "tenantId": tenant_id.to_string(),
        "clientState": client_state,
        "lifecycleEvent": event.as_str(),
    })
}

/// `encryptedContent` of a rich notification (C.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedContent {
    /// base64 AES-256-CBC ciphertext of the resource's JSON.
    pub data: String,
    /// base64 HMAC-SHA256 of the ciphertext under the symmetric key.
    pub data_signature: String,
    /// base64 RSA-OAEP encryption of the symmetric key.
    pub data_key: String,
    /// The subscriber's `encryptionCertificateId`.
    pub encryption_certificate_id: String,
    /// SHA-1 of the certificate, upper-case hex.
    pub encryption_certificate_thumbprint: String,
}

impl EncryptedContent {
    /// The JSON object.
    pub fn to_value(&self) -> Value {
        json!({
            "data": self.data,
            "dataSignature": self.data_signature,
            "dataKey": self.data_key,
            "encryptionCertificateId": self.encryption_certificate_id,
            "encryptionCertificateThumbprint": self.encryption_certificate_thumbprint,
        })
    }
}

/// One change notification (`value` item): C.4's fields in the transcript example's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeNotification {
    /// `subscriptionId`.
    pub subscription_id: Uuid,
    /// `changeType`.
    pub change_type: &'static str,
    /// `clientState`.
    pub client_state: Option<String>,
    /// `subscriptionExpirationDateTime`.
    pub subscription_expiration: DateTime<Utc>,
    /// `resource`.
    pub resource: String,
    /// `resourceData`.
    pub resource_data: Value,
    /// `encryptedContent`, for rich notifications.
    pub encrypted_content: Option<EncryptedContent>,
    /// `tenantId`.
    pub tenant_id: Uuid,
    /// `organizationId` (meetingCallEvents print it beside `tenantId`).
    pub organization_id: Option<Uuid>,
}

impl ChangeNotification {
    /// The JSON object.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert(
            "subscriptionId".into(),
            json!(self.subscription_id.to_string()),
        );
        m.insert("changeType".into(), json!(self.change_type));
        m.insert("clientState".into(), json!(self.client_state));
        m.insert(
            "subscriptionExpirationDateTime".into(),
            json!(notification_time(self.subscription_expiration)),
        );
        m.insert("resource".into(), json!(self.resource));
        m.insert("resourceData".into(), self.resource_data.clone());
        if let Some(content) = &self.encrypted_content {
            m.insert("encryptedContent".into(), content.to_value());
        }
        m.insert("tenantId".into(), json!(self.tenant_id.to_string()));
        if let Some(org) = self.organization_id {
            m.insert("organizationId".into(), json!(org.to_string()));
        }
        Value::Object(m)
    }
}

/// The POST body: `{"value":[…]}`, with `validationTokens` for rich notifications.
pub fn notification_body(items: Vec<Value>, validation_tokens: &[String]) -> Value {
    let mut m = Map::new();
    m.insert("value".into(), Value::Array(items));
    if !validation_tokens.is_empty() {
        m.insert("validationTokens".into(), json!(validation_tokens));
    }
    Value::Object(m)
}

/// `resource` and `resourceData` of a transcript or recording notification (C.7): the
/// resource under `communications/onlineMeetings('{meetingId}')`.
pub fn artifact_resource(meeting_id: &str, transcript: bool, id: &str) -> (String, Value) {
    let (segment, odata_type) = if transcript {
        ("transcripts", "#Microsoft.Graph.callTranscript")
    } else {
        ("recordings", "#Microsoft.Graph.callRecording")
    };
    let resource = format!("communications/onlineMeetings('{meeting_id}')/{segment}('{id}')");
    let data = json!({"id": id, "@odata.type": odata_type, "@odata.id": resource});
    (resource, data)
}

/// The decrypted resource of a transcript or recording notification (C.7): the content URL
/// under `communications/onlineMeetings/{meetingId}`, `createdDateTime` null for transcripts
/// and real for recordings (which add `"content": null`).
pub fn artifact_rich_resource(
    meeting_id: &str,
    transcript: bool,
    id: &str,
    created: DateTime<Utc>,
    organizer: Uuid,
    tenant: Uuid,
) -> Value {
    let organizer = json!({"application": null, "device": null, "user": {
        "userIdentityType": "aadUser", "id": organizer.to_string(), "displayName": null,
        "tenantId": tenant.to_string()}});
    if transcript {
        json!({
            "id": id,
            "meetingId": meeting_id,
            "transcriptContentUrl": format!("communications/onlineMeetings/{meeting_id}/transcripts/{id}/content"),
            "createdDateTime": null,
            "meetingOrganizer": organizer,
        })
    } else {
        json!({
            "id": id,
            "meetingId": meeting_id,
            "recordingContentUrl": format!("communications/onlineMeetings/{meeting_id}/recordings/{id}/content"),
            "content": null,
            "createdDateTime": GraphDateTime::new(created).to_wire(),
            "meetingOrganizer": organizer,
        })
    }
}

/// `resource` and `resourceData` of a meetingCallEvents notification (C.7).
pub fn call_event_resource(join_web_url: &str, notification_id: Uuid) -> (String, Value) {
    let resource =
        format!("communications/onlineMeetings(joinWebUrl='{join_web_url}')/meetingCallEvents");
    let data = json!({"@odata.id": resource, "@odata.type": "#microsoft.graph.callevent",
        "id": notification_id.to_string()});
    (resource, data)
}
