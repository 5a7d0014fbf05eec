//! The subscription resource: the create and PATCH bodies, read and checked, and the rendered
//! entity.

use super::*;
use crate::graph::{GraphDateTime, GraphError};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use uuid::Uuid;

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
