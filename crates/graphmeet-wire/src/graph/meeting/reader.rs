//! Reading typed values out of request JSON with the property path for each error:
//! [`InputError`] (Graph's 400 texts) and the `FromJson` readers of the nested types.

use serde_json::{Map, Value};

use super::*;
use crate::graph::error::GraphError;

/// A request body Graph rejects with 400 `BadRequest`; `message` is the response text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InputError {
    /// The JSON path of the offending property (`lobbyBypassSettings.scope`), if any.
    pub property: Option<String>,
    /// The message for the 400 body.
    pub message: String,
}

impl InputError {
    pub(super) fn new(property: Option<&str>, message: String) -> Self {
        InputError {
            property: property.map(str::to_owned),
            message,
        }
    }

    /// The body is not a JSON object: Graph's text for an unreadable payload.
    pub fn unreadable() -> Self {
        InputError::new(None, GraphError::unreadable_json_payload().message)
    }

    pub(super) fn wrong_type(path: &str, expected: &str, found: &Value) -> Self {
        InputError::new(
            Some(path),
            format!(
                "Invalid value for property '{path}': expected {expected}, but found {}.",
                describe(found)
            ),
        )
    }

    pub(super) fn with_suffix(mut self, suffix: &str) -> Self {
        // Inserts the suffix before the ", but found" part of a wrong-type message.
        if let Some(at) = self.message.find(", but found") {
            self.message.insert_str(at, suffix);
        }
        self
    }

    /// The 400 `BadRequest` Graph error.
    pub fn to_graph_error(&self) -> GraphError {
        GraphError::bad_request(self.message.clone())
    }
}

impl From<InputError> for GraphError {
    fn from(e: InputError) -> Self {
        e.to_graph_error()
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the Boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => {
            let short: String = s.chars().take(64).collect();
            let ellipsis = if s.chars().count() > 64 { "…" } else { "" };
            format!("the string '{short}{ellipsis}'")
        }
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Reading one typed value out of request JSON, with the property path for errors.
pub(super) trait FromJson: Sized {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError>;
}

impl FromJson for bool {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        value
            .as_bool()
            .ok_or_else(|| InputError::wrong_type(path, "a Boolean (Edm.Boolean)", value))
    }
}

impl FromJson for String {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| InputError::wrong_type(path, "a string (Edm.String)", value))
    }
}

impl FromJson for GraphDateTime {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let Value::String(text) = value else {
            return Err(InputError::wrong_type(
                path,
                "a date and time string (Edm.DateTimeOffset)",
                value,
            ));
        };
        GraphDateTime::parse(text).map_err(|_| {
            InputError::new(
                Some(path),
                format!(
                    "Invalid value '{text}' for property '{path}': expected an ISO 8601 date and time (Edm.DateTimeOffset), e.g. '2019-07-12T14:30:34.2444915-07:00'."
                ),
            )
        })
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let Value::Array(items) = value else {
            return Err(InputError::wrong_type(path, "an array", value));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| T::from_json(item, &format!("{path}[{i}]")))
            .collect()
    }
}

/// A JSON object being read; unknown members are ignored (the type is open).
pub(super) struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: &'a str,
}

impl<'a> Obj<'a> {
    pub(super) fn new(value: &'a Value, path: &'a str) -> Result<Self, InputError> {
        match value {
            Value::Object(map) => Ok(Obj { map, path }),
            other => Err(InputError::wrong_type(path, "an object", other)),
        }
    }

    /// A member: absent or `null` → `None`.
    pub(super) fn get<T: FromJson>(&self, key: &str) -> Result<Option<T>, InputError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => T::from_json(value, &child(self.path, key)).map(Some),
        }
    }
}

impl FromJson for Identity {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let o = Obj::new(value, path)?;
        Ok(Identity {
            id: o.get("id")?,
            display_name: o.get("displayName")?,
            tenant_id: o.get("tenantId")?,
            identity_provider: o.get("identityProvider")?,
        })
    }
}

impl FromJson for IdentitySet {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let o = Obj::new(value, path)?;
        Ok(IdentitySet {
            azure_application_instance: o.get("azureApplicationInstance")?,
            application: o.get("application")?,
            application_instance: o.get("applicationInstance")?,
            device: o.get("device")?,
            user: o.get("user")?,
            guest: o.get("guest")?,
            phone: o.get("phone")?,
            encrypted: o.get("encrypted")?,
            on_premises: o.get("onPremises")?,
        })
    }
}

impl FromJson for MeetingParticipantInfo {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let o = Obj::new(value, path)?;
        Ok(MeetingParticipantInfo {
            identity: o.get("identity")?,
            upn: o.get("upn")?,
            role: o.get("role")?,
        })
    }
}

impl FromJson for MeetingParticipants {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let o = Obj::new(value, path)?;
        Ok(MeetingParticipants {
            organizer: o.get("organizer")?,
            attendees: o.get("attendees")?,
            producers: o.get("producers")?,
            contributors: o.get("contributors")?,
        })
    }
}

impl FromJson for ChatInfo {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let o = Obj::new(value, path)?;
        Ok(ChatInfo {
            thread_id: o.get("threadId")?,
            message_id: o.get("messageId")?,
            reply_chain_message_id: o.get("replyChainMessageId")?,
        })
    }
}

impl FromJson for JoinMeetingIdSettings {
    /// Only `isPasscodeRequired` is read: `joinMeetingId` and `passcode` are read-only and a
    /// custom passcode is not supported (spec §1.2), so sent values are ignored.
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let o = Obj::new(value, path)?;
        Ok(JoinMeetingIdSettings {
            is_passcode_required: o.get("isPasscodeRequired")?,
            join_meeting_id: None,
            passcode: None,
        })
    }
}

impl FromJson for LobbyBypassSettings {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let o = Obj::new(value, path)?;
        Ok(LobbyBypassSettings {
            scope: o.get("scope")?,
            is_dial_in_bypass_enabled: o.get("isDialInBypassEnabled")?,
        })
    }
}

impl FromJson for WatermarkProtectionValues {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let o = Obj::new(value, path)?;
        Ok(WatermarkProtectionValues {
            is_enabled_for_content_sharing: o.get("isEnabledForContentSharing")?,
            is_enabled_for_video: o.get("isEnabledForVideo")?,
        })
    }
}

impl FromJson for ChatRestrictions {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let o = Obj::new(value, path)?;
        Ok(ChatRestrictions {
            allow_text_only: o.get("allowTextOnly")?,
        })
    }
}

impl FromJson for BroadcastMeetingCaptionSettings {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let o = Obj::new(value, path)?;
        Ok(BroadcastMeetingCaptionSettings {
            is_caption_enabled: o.get("isCaptionEnabled")?,
            spoken_language: o.get("spokenLanguage")?,
            translation_languages: o.get("translationLanguages")?,
        })
    }
}

impl FromJson for BroadcastMeetingSettings {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let o = Obj::new(value, path)?;
        Ok(BroadcastMeetingSettings {
            allowed_audience: o.get("allowedAudience")?,
            captions: o.get("captions")?,
            is_attendee_report_enabled: o.get("isAttendeeReportEnabled")?,
            is_question_and_answer_enabled: o.get("isQuestionAndAnswerEnabled")?,
            is_recording_enabled: o.get("isRecordingEnabled")?,
            is_video_on_demand_enabled: o.get("isVideoOnDemandEnabled")?,
        })
    }
}

impl FromJson for OnlineMeetingSensitivityLabelAssignment {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let o = Obj::new(value, path)?;
        Ok(OnlineMeetingSensitivityLabelAssignment {
            sensitivity_label_id: o.get("sensitivityLabelId")?,
        })
    }
}
