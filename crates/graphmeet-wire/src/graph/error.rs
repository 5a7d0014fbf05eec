//! Graph's error envelope: `{"error":{"code","message","innerError":{…}}}`.
//!
//! Texts are the real service's where the spec records them (spec `graph-online-meetings.md`
//! §1.4, §2.7, §3.3–3.4, §4.1, §4.3); the few that the spec leaves open are marked "[inf]" on the
//! constructor and chosen to read like Graph.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

/// One Graph error response: the HTTP status and the body's `error` object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphError {
    /// The HTTP status to answer with.
    pub status: u16,
    /// `error.code`, e.g. `"Forbidden"`; empty for OData query-validation errors.
    pub code: String,
    /// `error.message`.
    pub message: String,
    /// `error.innerError.code`, when the real service sets one (e.g. `"3003"`).
    pub inner_code: Option<String>,
    /// `error.innerError.message`, when the real service repeats or adds one.
    pub inner_message: Option<String>,
    /// Seconds for a `Retry-After` header (429 / 503); the server writes the header.
    pub retry_after_secs: Option<u64>,
}

impl std::fmt::Display for GraphError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for GraphError {}

/// Joins permission names as Graph lists them inside the quotes: `a, b`.
fn join_names(names: &[&str]) -> String {
    names.join(", ")
}

impl GraphError {
    /// An error with the given status, code and message and no inner code.
    pub fn new(status: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.into(),
            message: message.into(),
            inner_code: None,
            inner_message: None,
            retry_after_secs: None,
        }
    }

    /// Sets `innerError.code`.
    pub fn with_inner_code(mut self, code: impl Into<String>) -> Self {
        self.inner_code = Some(code.into());
        self
    }

    /// Sets `innerError.message`.
    pub fn with_inner_message(mut self, message: impl Into<String>) -> Self {
        self.inner_message = Some(message.into());
        self
    }

    /// Sets the `Retry-After` seconds carried beside the error.
    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }

    // ---- 401 InvalidAuthenticationToken -------------------------------------------------

    /// 401: no `Authorization: Bearer` header, or an empty token [obs].
    pub fn access_token_empty() -> Self {
        Self::new(401, "InvalidAuthenticationToken", "Access token is empty.")
    }

    /// 401: the token's `exp` has passed (spec §3.4 text) [obs].
    pub fn access_token_expired() -> Self {
        Self::new(
            401,
            "InvalidAuthenticationToken",
            "Access token has expired.",
        )
    }

    /// 401: the bearer value is not a compact JWT (not three dot-separated segments, bad
    /// base64, bad JSON) [obs].
    pub fn compact_token_parsing_failed() -> Self {
        Self::new(
            401,
            "InvalidAuthenticationToken",
            "CompactToken parsing failed with error code: 80049217",
        )
    }

    /// 401: the token's `aud` is not Graph [obs: the live text].
    pub fn invalid_audience() -> Self {
        Self::new(
            401,
            "InvalidAuthenticationToken",
            "Access token validation failure. Invalid audience.",
        )
    }

    /// 401: the token's `iss` is not a tenant this server issues for [inf, modelled on the
    /// audience text].
    pub fn invalid_issuer() -> Self {
        Self::new(
            401,
            "InvalidAuthenticationToken",
            "Access token validation failure. Invalid issuer.",
        )
    }

    /// 401: the signature does not verify, or any other validation failure [inf: Graph's
    /// generic validation text].
    pub fn token_validation_failure() -> Self {
        Self::new(
            401,
            "InvalidAuthenticationToken",
            "Access token validation failure.",
        )
    }

    // ---- 403 Forbidden -------------------------------------------------------------------

    /// 403: an app token without any of the required application roles.
    ///
    /// `Missing role permissions on the request. API requires one of 'A, B'. Roles on the
    /// request 'X, Y'.` [obs on other Teams workloads].
    pub fn missing_roles(required: &[&str], on_request: &[&str]) -> Self {
        Self::new(
            403,
            "Forbidden",
            format!(
                "Missing role permissions on the request. API requires one of '{}'. Roles on the request '{}'.",
                join_names(required),
                join_names(on_request)
            ),
        )
    }

    /// 403: a delegated token without any of the required scopes (the scope analogue of
    /// [`GraphError::missing_roles`]).
    pub fn missing_scopes(required: &[&str], on_request: &[&str]) -> Self {
        Self::new(
            403,
            "Forbidden",
            format!(
                "Missing scope permissions on the request. API requires one of '{}'. Scopes on the request '{}'.",
                join_names(required),
                join_names(on_request)
            ),
        )
    }

    /// 403: an app-only call for a user no application access policy covers for this app
    /// (spec §3.3, the 2025–26 live text).
    pub fn no_application_access_policy(app_id: &str) -> Self {
        Self::new(
            403,
            "Forbidden",
            format!("No application access policy found for this app {app_id} on the user"),
        )
    }

    /// 403 `Forbidden` with an empty message: what Graph answers when the organizer cannot
    /// have Teams meetings: a guest, a disabled account or a user without a Teams licence
    /// (docs-contrib #794: "a Forbidden without a reason" for guests; the bare body as in
    /// #4832 and #6320).
    pub fn organizer_not_enabled() -> Self {
        Self::new(403, "Forbidden", "")
    }

    /// 403: the caller (or the user an app acts for) is not the meeting's organizer or
    /// co-organizer (spec §3.4); `innerError.code` is `"3003"`.
    pub fn meeting_lookup_denied() -> Self {
        Self::new(
            403,
            "Forbidden",
            "3003: User does not have access to lookup meeting",
        )
        .with_inner_code("3003")
    }

    // ---- meeting ids ---------------------------------------------------------------------

    /// 400: a meeting id that does not decode to `1*{oid}*{msg}**{thread}` (spec §2.7).
    pub fn meeting_id_corrupted() -> Self {
        Self::new(400, "BadRequest", "Meeting Id is corrupted.")
    }

    /// 400: a raw thread id (`19:…@thread.v2`) in place of a meeting id (spec §2.7).
    pub fn invalid_meeting_id(raw: &str) -> Self {
        Self::new(400, "BadRequest", format!("Invalid meeting id {raw}."))
    }

    /// 404: the id decodes, but its organizer is not the user in the path (spec §2.7).
    pub fn organizer_mismatch(user_id: &str) -> Self {
        Self::new(
            404,
            "NotFound",
            format!("Organizer Id mismatch User Id: {user_id}."),
        )
    }

    // ---- 404 -----------------------------------------------------------------------------

    /// 404 `NotFound` with a free message.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, "NotFound", message)
    }

    /// 404: a well-formed id that names no stored meeting [inf: text].
    pub fn meeting_not_found() -> Self {
        Self::not_found("The requested online meeting was not found.")
    }

    /// 404: the user in `/users/{id}` is unknown (or a UPN, which Graph also answers 404 for,
    /// spec §1.8). The directory's text with the directory's code `Request_ResourceNotFound`,
    /// as real bodies pair them [obs: recorded responses in pnp/cli-microsoft365's tests for
    /// `GET /users/{id}` (2018) and `GET /applications/{id}` (2021)].
    pub fn user_not_found(user_id: &str) -> Self {
        Self::new(
            404,
            "Request_ResourceNotFound",
            format!(
                "Resource '{user_id}' does not exist or one of its queried reference-property objects are not present."
            ),
        )
    }

    /// 404: a path this server does not route [inf]. (Real Graph answers many unknown
    /// segments with 400 `Resource not found for the segment '…'.`; see
    /// [`GraphError::resource_not_found_for_segment`].)
    pub fn route_not_found(path: &str) -> Self {
        Self::not_found(format!(
            "No resource was found that matches the request URI '{path}'."
        ))
    }

    /// 400: Graph's answer for an unknown path segment, e.g. `/v1.0/users/{id}/onlineMeeting`.
    pub fn resource_not_found_for_segment(segment: &str) -> Self {
        Self::new(
            400,
            "BadRequest",
            format!("Resource not found for the segment '{segment}'."),
        )
    }

    /// 501 `NotImplemented`: a real Graph resource graphmeet does not serve (the coverage
    /// table in `docs/fidelity.md` lists them), named so that the caller knows it is not a typo.
    pub fn not_served(resource: &str) -> Self {
        Self::new(
            501,
            "NotImplemented",
            format!(
                "graphmeet does not serve {resource}; it serves online meetings (/users/{{id}}/onlineMeetings, /me/onlineMeetings) and users (/users, /users/{{id}}, /me)."
            ),
        )
    }

    // ---- 400 -----------------------------------------------------------------------------

    /// 400 `BadRequest` with a free message (request-body validation and the like).
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    /// 400: an app-only token on a `/me/…` path (spec §3.4) [inf: general Graph behaviour].
    pub fn me_requires_delegated() -> Self {
        Self::bad_request("/me request is only valid with delegated authentication flow.")
    }

    /// 400: the body is not JSON (or not a JSON object) — Graph's text for an unreadable
    /// payload.
    pub fn unreadable_json_payload() -> Self {
        Self::bad_request(
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
        )
    }

    /// 400 `InvalidArgument`: no `$filter`, or one other than the supported equality lookups,
    /// on `.../onlineMeetings` (spec §1.4).
    pub fn filter_expression_expected() -> Self {
        Self::new(
            400,
            "InvalidArgument",
            "Filter expression expected - /onlineMeetings?$filter={ParameterName} eq '{id}'.",
        )
    }

    /// 400: `$filter` / `$select` names a property the type does not have (spec §1.4, with
    /// the current type name in place of the old anonymous type).
    pub fn unknown_query_property(name: &str, type_name: &str) -> Self {
        Self::bad_request(format!(
            "The query specified in the URI is not valid. Could not find a property named '{name}' on type '{type_name}'."
        ))
    }

    /// 400 with `code: ""`: `$filter` (or `$orderby`, `$count`, `$skip`, `$top`) on a
    /// single-entity path; the message is repeated in `innerError.message` (spec §1.4).
    pub fn query_option_on_single_entity() -> Self {
        let message = "The query specified in the URI is not valid. The requested resource is not a collection. Query options $filter, $orderby, $count, $skip, and $top can be applied only on collections.";
        Self::new(400, "", message).with_inner_message(message)
    }

    /// 400: the same system query option twice (ODataLib's text).
    pub fn duplicate_query_option(name: &str) -> Self {
        Self::bad_request(format!(
            "Query option '{name}' was specified more than once, but it must be specified at most once."
        ))
    }

    // ---- transport-level -----------------------------------------------------------------

    /// 405: a method the path does not support. Code and text as Graph answers them
    /// [obs: microsoftgraph/microsoft-graph-docs#119, the fixed answer quoted by Microsoft,
    /// `{"code":"Request_BadRequest","message":"Specified HTTP method is not allowed for the
    /// request target."}`]; the method is not named.
    pub fn method_not_allowed() -> Self {
        Self::new(
            405,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request target.",
        )
    }

    /// 415: a body sent without a JSON `Content-Type` [inf: Graph mostly answers 400 with
    /// [`GraphError::unreadable_json_payload`]; this is the explicit form].
    pub fn unsupported_media_type(content_type: &str) -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            format!(
                "The content type '{content_type}' is not supported. The request body must be JSON with Content-Type 'application/json'."
            ),
        )
    }

    /// 413: a body larger than the server accepts [inf: text].
    pub fn payload_too_large(limit_bytes: usize) -> Self {
        Self::new(
            413,
            "RequestEntityTooLarge",
            format!(
                "The request body is too large. The maximum allowed size is {limit_bytes} bytes."
            ),
        )
    }

    /// 429 `TooManyRequests` with `Retry-After` (spec §4.3); `identifier` is what the real
    /// text names after `Identifier:` (tenant and app).
    pub fn too_many_requests(identifier: &str, retry_after_secs: u64) -> Self {
        Self::new(
            429,
            "TooManyRequests",
            format!("Too many requests from Identifier:{identifier}. Please try again later."),
        )
        .with_retry_after(retry_after_secs)
    }

    /// 503 with `Retry-After`, for fault injection [inf: code from Graph's documented list].
    pub fn service_unavailable(retry_after_secs: u64) -> Self {
        Self::new(
            503,
            "serviceNotAvailable",
            "The service is temporarily unavailable. Please try again later.",
        )
        .with_retry_after(retry_after_secs)
    }

    /// 504, for fault injection: Graph's gateway timeouts surface as `UnknownError` with an
    /// empty message [obs: code listed in spec §4.1].
    pub fn gateway_timeout() -> Self {
        Self::new(504, "UnknownError", "")
    }

    /// 500 `InternalServerError` / `Internal Server Error` (spec §1.2, §4.1).
    pub fn internal_server_error() -> Self {
        Self::new(500, "InternalServerError", "Internal Server Error")
    }

    // ---- rendering -----------------------------------------------------------------------

    /// The response body: `{"error":{"code","message","innerError":{"date","request-id",
    /// "client-request-id"[,"code"][,"message"]}}}`.
    ///
    /// `date` is `now` in UTC as `YYYY-MM-DDTHH:MM:SS` (no zone, no fraction, spec §4.1).
    /// `client_request_id` is the caller's header value, or the request id when none was sent.
    pub fn to_body(&self, request_id: &str, client_request_id: &str, now: DateTime<Utc>) -> Value {
        let mut inner = Map::new();
        if let Some(code) = &self.inner_code {
            inner.insert("code".into(), Value::String(code.clone()));
        }
        if let Some(message) = &self.inner_message {
            inner.insert("message".into(), Value::String(message.clone()));
        }
        inner.insert(
            "date".into(),
            Value::String(now.format("%Y-%m-%dT%H:%M:%S").to_string()),
        );
        inner.insert("request-id".into(), Value::String(request_id.to_owned()));
        inner.insert(
            "client-request-id".into(),
            Value::String(client_request_id.to_owned()),
        );
        json!({
            "error": {
                "code": self.code,
                "message": self.message,
                "innerError": Value::Object(inner),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 5, 14, 19, 59, 34).unwrap()
            + chrono::Duration::nanoseconds(123_456_789)
    }

    #[test]
    fn envelope_shape_and_date_format() {
        let body = GraphError::access_token_empty().to_body("rid", "crid", now());
        assert_eq!(
            body,
            json!({"error":{"code":"InvalidAuthenticationToken","message":"Access token is empty.",
                "innerError":{"date":"2024-05-14T19:59:34","request-id":"rid","client-request-id":"crid"}}})
        );
    }

    #[test]
    fn inner_code_and_message_are_rendered() {
        let body = GraphError::meeting_lookup_denied().to_body("r", "c", now());
        assert_eq!(body["error"]["innerError"]["code"], "3003");
        assert_eq!(
            body["error"]["message"],
            "3003: User does not have access to lookup meeting"
        );
        let e = GraphError::query_option_on_single_entity();
        let body = e.to_body("r", "c", now());
        assert_eq!(body["error"]["code"], "");
        assert_eq!(
            body["error"]["innerError"]["message"],
            body["error"]["message"]
        );
        assert_eq!(e.status, 400);
    }

    #[test]
    fn permission_texts() {
        let e = GraphError::missing_roles(
            &["OnlineMeetings.Read.All", "OnlineMeetings.ReadWrite.All"],
            &["User.Read.All", "Calendars.Read"],
        );
        assert_eq!(e.status, 403);
        assert_eq!(e.message, "Missing role permissions on the request. API requires one of 'OnlineMeetings.Read.All, OnlineMeetings.ReadWrite.All'. Roles on the request 'User.Read.All, Calendars.Read'.");
        let e = GraphError::missing_scopes(&["OnlineMeetings.ReadWrite"], &["User.Read"]);
        assert_eq!(e.message, "Missing scope permissions on the request. API requires one of 'OnlineMeetings.ReadWrite'. Scopes on the request 'User.Read'.");
        let e = GraphError::no_application_access_policy("app-1");
        assert_eq!(
            e.message,
            "No application access policy found for this app app-1 on the user"
        );
    }

    #[test]
    fn meeting_id_texts() {
        assert_eq!(
            GraphError::meeting_id_corrupted().message,
            "Meeting Id is corrupted."
        );
        assert_eq!(
            GraphError::invalid_meeting_id("19:meeting_x@thread.v2").message,
            "Invalid meeting id 19:meeting_x@thread.v2."
        );
        let e = GraphError::organizer_mismatch("u1");
        assert_eq!((e.status, e.code.as_str()), (404, "NotFound"));
        assert_eq!(e.message, "Organizer Id mismatch User Id: u1.");
    }

    #[test]
    fn fault_injection_statuses() {
        assert_eq!(
            GraphError::too_many_requests("t", 3).retry_after_secs,
            Some(3)
        );
        assert_eq!(GraphError::too_many_requests("t", 3).status, 429);
        assert_eq!(GraphError::service_unavailable(1).status, 503);
        assert_eq!(GraphError::gateway_timeout().status, 504);
        let e = GraphError::internal_server_error();
        assert_eq!(
            (e.status, e.message.as_str()),
            (500, "Internal Server Error")
        );
        let e = GraphError::method_not_allowed();
        assert_eq!((e.status, e.code.as_str()), (405, "Request_BadRequest"));
        assert_eq!(
            e.message,
            "Specified HTTP method is not allowed for the request target."
        );
        let e = GraphError::user_not_found("u1");
        assert_eq!(
            (e.status, e.code.as_str()),
            (404, "Request_ResourceNotFound")
        );
        assert_eq!(GraphError::unsupported_media_type("text/plain").status, 415);
        assert_eq!(GraphError::payload_too_large(10).status, 413);
    }
}
