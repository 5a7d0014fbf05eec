//! The subscription routes' error texts, each with its source.

use crate::graph::GraphError;

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
