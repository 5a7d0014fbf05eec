//! Change notifications on the wire: the `microsoft.graph.subscription` resource (create and
//! PATCH bodies, the rendered entity), the meeting resources a subscription may name, the
//! `changeNotification` payloads (change and lifecycle) and the errors of `POST /subscriptions`.
//!
//! Facts: spec `events-artifacts-notifications.md` section C;
//! <https://learn.microsoft.com/graph/api/resources/subscription>,
//! <https://learn.microsoft.com/graph/change-notifications-delivery-webhooks>,
//! <https://learn.microsoft.com/graph/teams-changenotifications-callrecording-and-calltranscript>.

use super::ids::percent_decode;
use super::{GraphDateTime, GraphError};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// The longest `clientState` accepted (the subscription resource page says 128).
pub const MAX_CLIENT_STATE: usize = 128;
/// The longest `encryptionCertificateId` accepted (the rich-notifications page).
pub const MAX_ENCRYPTION_CERTIFICATE_ID: usize = 128;

/// What a subscription's `resource` names, parsed (C.7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourcePath {
    /// `communications/onlineMeetings(joinWebUrl='{joinWebUrl}')/meetingCallEvents`, with the
    /// joinWebUrl decoded back to its stored form.
    MeetingCallEvents {
        /// The meeting's `joinWebUrl`.
        join_web_url: String,
    },
    /// Transcripts (`getAllTranscripts`, or one meeting's `transcripts`).
    Transcripts(ResourceScope),
    /// Recordings (`getAllRecordings`, or one meeting's `recordings`).
    Recordings(ResourceScope),
}

/// Whose artifacts a transcript or recording subscription covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceScope {
    /// `communications/onlineMeetings/getAll…`: every meeting of the tenant.
    Tenant,
    /// `users/{userId}/onlineMeetings/getAll…`: the user's meetings (the segment as written).
    Organizer(String),
    /// `communications/onlineMeetings/{onlineMeetingId}/transcripts|recordings`.
    Meeting(String),
}

impl ResourcePath {
    /// Reads a subscription's `resource` (relative, a leading `/` allowed, segments matched
    /// case-insensitively as Graph does); `None` for a resource graphmeet does not serve.
    pub fn parse(resource: &str) -> Option<Self> {
        let r = resource.trim().trim_start_matches('/');
        let lower = r.to_ascii_lowercase();
        const CALL_EVENTS_PREFIX: &str = "communications/onlinemeetings(joinweburl='";
        const CALL_EVENTS_SUFFIX: &str = "')/meetingcallevents";
        if lower.starts_with(CALL_EVENTS_PREFIX) && lower.ends_with(CALL_EVENTS_SUFFIX) {
            let inner = &r[CALL_EVENTS_PREFIX.len()..r.len() - CALL_EVENTS_SUFFIX.len()];
            // The doc example encodes the URL once more (`%3a` → `%253a`): undo what was added.
            let mut url = inner.replace("''", "'");
            for _ in 0..3 {
                if url.starts_with("https://") || url.starts_with("http://") {
                    if url.contains("%25") {
                        url = percent_decode(&url);
                        continue;
                    }
                    break;
                }
                url = percent_decode(&url);
            }
            return Some(Self::MeetingCallEvents { join_web_url: url });
        }
        let segments: Vec<&str> = r.split('/').collect();
        let seg = |i: usize| segments.get(i).map(|s| s.to_ascii_lowercase());
        let kind = |name: &str, scope: ResourceScope| match name {
            "getalltranscripts" | "transcripts" => Some(Self::Transcripts(scope)),
            "getallrecordings" | "recordings" => Some(Self::Recordings(scope)),
            _ => None,
        };
        match (segments.len(), seg(0).as_deref(), seg(1).as_deref()) {
            (3, Some("communications"), Some("onlinemeetings")) => {
                let last = seg(2)?;
                if last.starts_with("getall") {
                    kind(&last, ResourceScope::Tenant)
                } else {
                    None
                }
            }
            (4, Some("communications"), Some("onlinemeetings")) => {
                let last = seg(3)?;
                if last.starts_with("getall") || segments[2].is_empty() {
                    return None;
                }
                kind(&last, ResourceScope::Meeting(segments[2].to_owned()))
            }
            (4, Some("users"), _) if seg(2).as_deref() == Some("onlinemeetings") => {
                let last = seg(3)?;
                if !last.starts_with("getall") || segments[1].is_empty() {
                    return None;
                }
                kind(&last, ResourceScope::Organizer(percent_decode(segments[1])))
            }
            _ => None,
        }
    }
}

/// The body of `POST /subscriptions`, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionInput {
    /// `changeType` as sent (comma-joined).
    pub change_type: String,
    /// `notificationUrl`.
    pub notification_url: String,
    /// `lifecycleNotificationUrl`.
    pub lifecycle_notification_url: Option<String>,
    /// `resource`.
    pub resource: String,
    /// `expirationDateTime`.
    pub expiration: DateTime<Utc>,
    /// `clientState`.
    pub client_state: Option<String>,
    /// `includeResourceData`.
    pub include_resource_data: bool,
    /// `encryptionCertificate` (base64 DER).
    pub encryption_certificate: Option<String>,
    /// `encryptionCertificateId`.
    pub encryption_certificate_id: Option<String>,
    /// `latestSupportedTlsVersion` (default `v1_2`).
    pub latest_supported_tls_version: String,
    /// `notificationUrlAppId`.
    pub notification_url_app_id: Option<String>,
}

const TLS_VERSIONS: [&str; 4] = ["v1_0", "v1_1", "v1_2", "v1_3"];
const CHANGE_TYPES: [&str; 3] = ["created", "updated", "deleted"];

fn string_field(body: &Map<String, Value>, name: &str) -> Result<Option<String>, GraphError> {
    // Graph's property names are case-insensitive in request bodies.
    match body
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
    {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(GraphError::bad_request(format!(
            "Invalid value for property '{name}'."
        ))),
    }
}

fn bool_field(body: &Map<String, Value>, name: &str) -> Result<Option<bool>, GraphError> {
    match body
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
    {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(GraphError::bad_request(format!(
            "Invalid value for property '{name}'."
        ))),
    }
}

/// Checks a `changeType` value: comma-joined `created`, `updated`, `deleted`.
pub fn valid_change_type(change_type: &str) -> bool {
    !change_type.trim().is_empty()
        && change_type
            .split(',')
            .all(|c| CHANGE_TYPES.contains(&c.trim()))
}

/// Reads the body of `POST /subscriptions`: the required properties, their types and
/// formats, and the rich-notification pairing (C.1, C.6).
pub fn parse_create(body: &Value) -> Result<SubscriptionInput, GraphError> {
    let body = body
        .as_object()
        .ok_or_else(GraphError::unreadable_json_payload)?;
    let required = |name: &str| GraphError::subscription_property_required(name);
    let change_type = string_field(body, "changeType")?.ok_or_else(|| required("changeType"))?;
    let notification_url =
        string_field(body, "notificationUrl")?.ok_or_else(|| required("notificationUrl"))?;
    let resource = string_field(body, "resource")?.ok_or_else(|| required("resource"))?;
    let expiration_text =
        string_field(body, "expirationDateTime")?.ok_or_else(|| required("expirationDateTime"))?;
    let expiration = GraphDateTime::parse(&expiration_text)
        .map_err(|_| {
            GraphError::bad_request(format!(
                "Invalid value '{expiration_text}' for property 'expirationDateTime'."
            ))
        })?
        .as_utc();
    if !valid_change_type(&change_type) {
        return Err(GraphError::invalid_change_type(&change_type));
    }
    let client_state = string_field(body, "clientState")?;
    if client_state
        .as_ref()
        .is_some_and(|s| s.chars().count() > MAX_CLIENT_STATE)
    {
        return Err(GraphError::bad_request(format!(
            "clientState must be at most {MAX_CLIENT_STATE} characters long."
        )));
    }
    let include_resource_data = bool_field(body, "includeResourceData")?.unwrap_or(false);
    let encryption_certificate = string_field(body, "encryptionCertificate")?;
    let encryption_certificate_id = string_field(body, "encryptionCertificateId")?;
    if encryption_certificate_id
        .as_ref()
        .is_some_and(|s| s.chars().count() > MAX_ENCRYPTION_CERTIFICATE_ID)
    {
        return Err(GraphError::bad_request(format!(
            "encryptionCertificateId must be at most {MAX_ENCRYPTION_CERTIFICATE_ID} characters long."
        )));
    }
    if include_resource_data {
        if encryption_certificate.is_none() {
            return Err(GraphError::encryption_certificate_required());
        }
        if encryption_certificate_id.is_none() {
            return Err(GraphError::encryption_certificate_id_required());
        }
    }
    let latest_supported_tls_version =
        string_field(body, "latestSupportedTlsVersion")?.unwrap_or_else(|| "v1_2".to_owned());
    if !TLS_VERSIONS.contains(&latest_supported_tls_version.as_str()) {
        return Err(GraphError::bad_request(format!(
            "Invalid value '{latest_supported_tls_version}' for property 'latestSupportedTlsVersion'."
        )));
    }
    Ok(SubscriptionInput {
        change_type,
        notification_url,
        lifecycle_notification_url: string_field(body, "lifecycleNotificationUrl")?,
        resource,
        expiration,
        client_state,
        include_resource_data,
        encryption_certificate,
        encryption_certificate_id,
        latest_supported_tls_version,
        notification_url_app_id: string_field(body, "notificationUrlAppId")?,
    })
}

/// The body of `PATCH /subscriptions/{id}`: a new `expirationDateTime` (and, as Graph allows,
/// a new `notificationUrl`); a `lifecycleNotificationUrl` cannot be added (C.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionPatch {
    /// The new expiry.
    pub expiration: Option<DateTime<Utc>>,
    /// A new notification URL (validated again).
    pub notification_url: Option<String>,
}

/// Reads a PATCH body.
pub fn parse_patch(body: &Value) -> Result<SubscriptionPatch, GraphError> {
    let body = body
        .as_object()
        .ok_or_else(GraphError::unreadable_json_payload)?;
    if string_field(body, "lifecycleNotificationUrl")?.is_some() {
        return Err(GraphError::lifecycle_url_not_patchable());
    }
    let expiration = match string_field(body, "expirationDateTime")? {
        None => None,
        Some(text) => Some(
            GraphDateTime::parse(&text)
                .map_err(|_| {
                    GraphError::bad_request(format!(
                        "Invalid value '{text}' for property 'expirationDateTime'."
                    ))
                })?
                .as_utc(),
        ),
    };
    Ok(SubscriptionPatch {
        expiration,
        notification_url: string_field(body, "notificationUrl")?,
    })
}

/// A subscription as `GET /subscriptions/{id}` renders it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionView {
    /// `id`.
    pub id: Uuid,
    /// `resource`, as the subscriber wrote it.
    pub resource: String,
    /// `applicationId`.
    pub application_id: Uuid,
    /// `changeType`.
    pub change_type: String,
    /// `clientState`.
    pub client_state: Option<String>,
    /// `notificationUrl`.
    pub notification_url: String,
    /// `lifecycleNotificationUrl`.
    pub lifecycle_notification_url: Option<String>,
    /// `expirationDateTime`.
    pub expiration: DateTime<Utc>,
    /// `creatorId`.
    pub creator_id: Uuid,
    /// `includeResourceData`.
    pub include_resource_data: bool,
    /// `encryptionCertificateId`.
    pub encryption_certificate_id: Option<String>,
    /// `latestSupportedTlsVersion`.
    pub latest_supported_tls_version: String,
    /// `notificationUrlAppId`.
    pub notification_url_app_id: Option<String>,
}

impl SubscriptionView {
    /// The entity's properties in the documented order (C.2's response): the certificate
    /// itself is never echoed, its id is.
    pub fn properties(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id.to_string()));
        m.insert("resource".into(), json!(self.resource));
        m.insert(
            "applicationId".into(),
            json!(self.application_id.to_string()),
        );
        m.insert("changeType".into(), json!(self.change_type));
        m.insert("clientState".into(), json!(self.client_state));
        m.insert("notificationUrl".into(), json!(self.notification_url));
        m.insert("notificationQueryOptions".into(), Value::Null);
        m.insert(
            "lifecycleNotificationUrl".into(),
            json!(self.lifecycle_notification_url),
        );
        m.insert(
            "expirationDateTime".into(),
            json!(GraphDateTime::new(self.expiration).to_wire()),
        );
        m.insert("creatorId".into(), json!(self.creator_id.to_string()));
        m.insert(
            "includeResourceData".into(),
            json!(self.include_resource_data),
        );
        m.insert(
            "latestSupportedTlsVersion".into(),
            json!(self.latest_supported_tls_version),
        );
        m.insert("encryptionCertificate".into(), Value::Null);
        m.insert(
            "encryptionCertificateId".into(),
            json!(self.encryption_certificate_id),
        );
        m.insert(
            "notificationUrlAppId".into(),
            json!(self.notification_url_app_id),
        );
        m.insert("notificationContentType".into(), json!("application/json"));
        m
    }

    /// The entity with its `@odata.context` (`…/$metadata#subscriptions/$entity`).
    pub fn entity(&self, base: &str) -> Value {
        let mut m = Map::new();
        m.insert(
            "@odata.context".into(),
            json!(format!("{base}/$metadata#subscriptions/$entity")),
        );
        m.extend(self.properties());
        Value::Object(m)
    }

    /// A `GET /subscriptions` page.
    pub fn collection(base: &str, views: &[SubscriptionView]) -> Value {
        json!({
            "@odata.context": format!("{base}/$metadata#subscriptions"),
            "value": views.iter().map(|v| Value::Object(v.properties())).collect::<Vec<_>>(),
        })
    }
}

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

impl GraphError {
    /// 400: a required property is missing [obs: "expirationDateTime is a required property
    /// for subscription creation", docs-contrib #7399; the code is inferred].
    pub fn subscription_property_required(name: &str) -> Self {
        Self::new(
            400,
            "InvalidRequest",
            format!("{name} is a required property for subscription creation."),
        )
    }

    /// 400: a `changeType` other than created, updated, deleted [inf].
    pub fn invalid_change_type(change_type: &str) -> Self {
        Self::new(
            400,
            "InvalidRequest",
            format!("Invalid changeType '{change_type}'. Valid values are created, updated and deleted, comma-separated."),
        )
    }

    /// 400: the validation request did not get `200 OK` [obs, splunk/azure-functions-splunk
    /// #26].
    pub fn subscription_validation_failed() -> Self {
        Self::new(
            400,
            "ValidationError",
            "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.",
        )
    }

    /// 400: the validation response did not echo the token [obs, java-spring-webhooks-sample
    /// #82; the code is inferred from the 200 OK failure].
    pub fn subscription_validation_mismatch() -> Self {
        Self::new(
            400,
            "ValidationError",
            "Subscription validation request failed. Response must exactly match validationToken query parameter.",
        )
    }

    /// 400: no answer to the validation request within 10 seconds [obs, nodejs-webhooks-sample
    /// #350, docs-contrib #7031].
    pub fn subscription_validation_timed_out() -> Self {
        Self::new(
            400,
            "InvalidRequest",
            "Subscription validation request timed out.",
        )
    }

    /// 400: an `http` notification URL [obs, docs-contrib #7821].
    pub fn notification_url_scheme(scheme: &str) -> Self {
        Self::new(
            400,
            "InvalidRequest",
            format!("NotificationUrl scheme='{scheme}' is not supported."),
        )
    }

    /// 400: a notification URL that is not an absolute URL [obs, nodejs-webhooks-sample #9].
    pub fn invalid_notification_url(url: &str) -> Self {
        Self::new(
            400,
            "InvalidRequest",
            format!("Invalid notification url='{url}'."),
        )
    }

    /// 400: the expiry is further than the resource allows [obs, docs-contrib #7726: "…can
    /// only be 4230 minutes in the future."].
    pub fn subscription_expiration_too_far(max_minutes: i64) -> Self {
        Self::new(
            400,
            "ExtensionError",
            format!("Subscription expiration can only be {max_minutes} minutes in the future."),
        )
    }

    /// 400: the expiry is in the past [inf].
    pub fn subscription_expiration_past() -> Self {
        Self::new(
            400,
            "ExtensionError",
            "Subscription expiration must be in the future.",
        )
    }

    /// 400: a meeting resource over one hour without `lifecycleNotificationUrl` [doc text;
    /// status and code inferred].
    pub fn lifecycle_url_required() -> Self {
        Self::new(
            400,
            "ValidationError",
            "lifecycleNotificationUrl is required for subscription creation on this resource when the expirationDateTime value exceeds 1 hour",
        )
    }

    /// 400: `lifecycleNotificationUrl` in a PATCH (C.5: recreate instead) [inf text].
    pub fn lifecycle_url_not_patchable() -> Self {
        Self::new(
            400,
            "InvalidRequest",
            "lifecycleNotificationUrl cannot be updated; delete the subscription and create it again with the new URL.",
        )
    }

    /// 400: `includeResourceData` without a certificate [inf, after the documented rule].
    pub fn encryption_certificate_required() -> Self {
        Self::new(
            400,
            "InvalidRequest",
            "encryptionCertificate is required when includeResourceData is true.",
        )
    }

    /// 400: `includeResourceData` without a certificate id [inf].
    pub fn encryption_certificate_id_required() -> Self {
        Self::new(
            400,
            "InvalidRequest",
            "encryptionCertificateId is required when includeResourceData is true.",
        )
    }

    /// 400: a certificate that is not base64 DER X.509 with an RSA key of 2048–4096 bits [inf].
    pub fn invalid_encryption_certificate(detail: &str) -> Self {
        Self::new(
            400,
            "InvalidRequest",
            format!("The encryptionCertificate is not valid: {detail}"),
        )
    }

    /// 400: a resource graphmeet cannot subscribe to [inf, modelled on Graph's texts].
    pub fn unsupported_subscription_resource(resource: &str) -> Self {
        Self::new(
            400,
            "InvalidRequest",
            format!("The resource '{resource}' is not supported for subscriptions."),
        )
    }

    /// 400: a changeType the resource does not emit [inf].
    pub fn unsupported_change_type(change_type: &str, supported: &str) -> Self {
        Self::new(
            400,
            "InvalidRequest",
            format!("changeType '{change_type}' is not supported for this resource; supported: {supported}."),
        )
    }

    /// 409: a second meetingCallEvents subscription of the app for one meeting (C.7: one per
    /// app per meeting) [inf].
    pub fn subscription_exists() -> Self {
        Self::new(
            409,
            "Conflict",
            "A subscription for this resource already exists for the application.",
        )
    }

    /// 404: no subscription with that id for the caller [inf, Graph's generic text].
    pub fn subscription_not_found(id: &str) -> Self {
        Self::new(
            404,
            "ResourceNotFound",
            format!("The object was not found: subscription '{id}'."),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_meeting_resources() {
        assert_eq!(
            ResourcePath::parse("communications/onlineMeetings/getAllTranscripts"),
            Some(ResourcePath::Transcripts(ResourceScope::Tenant))
        );
        assert_eq!(
            ResourcePath::parse("/users/abc/onlineMeetings/getAllRecordings"),
            Some(ResourcePath::Recordings(ResourceScope::Organizer(
                "abc".into()
            )))
        );
        assert_eq!(
            ResourcePath::parse("communications/onlineMeetings/MSo1/transcripts"),
            Some(ResourcePath::Transcripts(ResourceScope::Meeting(
                "MSo1".into()
            )))
        );
        let url = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_X%40thread.v2/0?context=%7b%22Tid%22%3a%22t%22%7d";
        // Once more encoded, as the doc example writes it.
        let twice = url.replace('%', "%25");
        for written in [url.to_owned(), twice] {
            assert_eq!(
                ResourcePath::parse(&format!(
                    "communications/onlineMeetings(joinWebUrl='{written}')/meetingCallEvents"
                )),
                Some(ResourcePath::MeetingCallEvents {
                    join_web_url: url.to_owned()
                })
            );
        }
        assert_eq!(
            ResourcePath::parse("me/mailFolders('Inbox')/messages"),
            None
        );
        assert_eq!(
            ResourcePath::parse("users/x/onlineMeetings/transcripts"),
            None
        );
    }

    #[test]
    fn create_needs_the_required_properties() {
        let e = parse_create(
            &json!({"changeType":"created","notificationUrl":"https://a","resource":"r"}),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "expirationDateTime is a required property for subscription creation."
        );
        let e = parse_create(
            &json!({"changeType":"created","notificationUrl":"https://a","resource":"r",
            "expirationDateTime":"2026-01-01T00:00:00Z","includeResourceData":true}),
        )
        .unwrap_err();
        assert_eq!(e.status, 400);
        let ok = parse_create(
            &json!({"changeType":"created","notificationUrl":"https://a","resource":"r",
            "expirationDateTime":"2026-01-01T00:00:00Z","clientState":"s"}),
        )
        .unwrap();
        assert_eq!(ok.latest_supported_tls_version, "v1_2");
        assert!(!ok.include_resource_data);
    }

    #[test]
    fn lifecycle_payload_is_the_documented_one() {
        let at = chrono::DateTime::parse_from_rfc3339("2019-03-20T11:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let v = lifecycle_notification(
            Uuid::nil(),
            at,
            Uuid::nil(),
            Some("s"),
            LifecycleEvent::Missed,
        );
        assert_eq!(
            v.to_string(),
            r#"{"subscriptionId":"00000000-0000-0000-0000-000000000000","subscriptionExpirationDateTime":"2019-03-20T11:00:00.0000000+00:00","tenantId":"00000000-0000-0000-0000-000000000000","clientState":"s","lifecycleEvent":"missed"}"#
        );
    }
}
