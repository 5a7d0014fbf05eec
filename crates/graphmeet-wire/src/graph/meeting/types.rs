//! The onlineMeeting's nested complex types (spec §2.4): identities, participants, chat,
//! lobby, watermark, broadcast and the other structured properties, as serde types.

use serde::{Deserialize, Serialize, Serializer};

use super::*;

/// One `identity`: a user, application or device.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct Identity {
    /// The object id.
    pub id: Option<String>,
    /// The display name (real responses often have `null`).
    pub display_name: Option<String>,
    /// The tenant of the identity.
    pub tenant_id: Option<String>,
    /// `"AAD"` for Entra users.
    pub identity_provider: Option<String>,
}

impl Identity {
    /// An Entra user as Graph renders meeting participants: `identityProvider: "AAD"`,
    /// `displayName: null`.
    pub fn aad_user(id: impl Into<String>, tenant_id: impl Into<String>) -> Self {
        Identity {
            id: Some(id.into()),
            display_name: None,
            tenant_id: Some(tenant_id.into()),
            identity_provider: Some("AAD".into()),
        }
    }
}

/// `identitySet` (an open type). `azureApplicationInstance`, `applicationInstance`,
/// `application`, `device` and `user` are always rendered (`null` when unset), in that order, as
/// the documented update response shows them on the organizer
/// (learn.microsoft.com/graph/api/onlinemeeting-update, example 1); the rarer identities only
/// when set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct IdentitySet {
    /// An Azure application instance (communications; `null` on meeting participants).
    pub azure_application_instance: Option<Identity>,
    /// An application instance (communications).
    pub application_instance: Option<Identity>,
    /// An application.
    pub application: Option<Identity>,
    /// A device.
    pub device: Option<Identity>,
    /// A user.
    pub user: Option<Identity>,
    /// A guest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guest: Option<Identity>,
    /// A phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<Identity>,
    /// An encrypted identity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encrypted: Option<Identity>,
    /// An on-premises identity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_premises: Option<Identity>,
}

/// `meetingParticipantInfo`: one participant, rendered `upn`, `role`, `identity` as every
/// documented response orders them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct MeetingParticipantInfo {
    /// The user principal name.
    pub upn: Option<String>,
    /// The participant's role (`null` when not set, as doc examples show for attendees).
    pub role: Option<OnlineMeetingRole>,
    /// Who the participant is.
    pub identity: Option<IdentitySet>,
}

fn serialize_list_or_empty<S: Serializer, T: Serialize>(
    list: &Option<Vec<T>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match list {
        Some(items) => items.serialize(serializer),
        None => Vec::<T>::new().serialize(serializer),
    }
}

/// `meetingParticipants`. The three lists render as `[]` when unset, as real responses do;
/// `None` in a request means "not given" (PATCH replaces attendees only when given).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct MeetingParticipants {
    /// The organizer (immutable after create).
    pub organizer: Option<MeetingParticipantInfo>,
    /// The attendees (replaced wholesale on PATCH).
    #[serde(serialize_with = "serialize_list_or_empty")]
    pub attendees: Option<Vec<MeetingParticipantInfo>>,
    /// Live-event producers (legacy; real responses carry `[]`).
    #[serde(serialize_with = "serialize_list_or_empty")]
    pub producers: Option<Vec<MeetingParticipantInfo>>,
    /// Live-event contributors (legacy; real responses carry `[]`).
    #[serde(serialize_with = "serialize_list_or_empty")]
    pub contributors: Option<Vec<MeetingParticipantInfo>>,
}

/// `audioConferencing` (read-only dial-in details).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct AudioConferencing {
    /// The conference id, digits (e.g. `291633251`).
    pub conference_id: Option<String>,
    /// The toll number (deprecated).
    pub toll_number: Option<String>,
    /// The toll-free number (deprecated).
    pub toll_free_number: Option<String>,
    /// Toll numbers.
    pub toll_numbers: Option<Vec<String>>,
    /// Toll-free numbers.
    pub toll_free_numbers: Option<Vec<String>>,
    /// Web page with dial-in information.
    pub dialin_url: Option<String>,
}

/// `chatInfo`: the meeting's chat thread.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct ChatInfo {
    /// `19:meeting_…@thread.v2` (or a channel thread).
    pub thread_id: Option<String>,
    /// `"0"` for private meetings.
    pub message_id: Option<String>,
    /// The reply-chain message id, usually `null`.
    pub reply_chain_message_id: Option<String>,
}

/// `joinMeetingIdSettings`; rendered with `"@odata.type": "#microsoft.graph.joinMeetingIdSettings"`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct JoinMeetingIdSettings {
    /// Whether a passcode is required (the only writable member).
    pub is_passcode_required: Option<bool>,
    /// The digits to join by (read-only).
    pub join_meeting_id: Option<String>,
    /// The server-generated passcode, `null` when not required (read-only).
    pub passcode: Option<String>,
}

/// `lobbyBypassSettings`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct LobbyBypassSettings {
    /// Who is admitted automatically.
    pub scope: Option<LobbyBypassScope>,
    /// Whether dial-in callers bypass the lobby.
    pub is_dial_in_bypass_enabled: Option<bool>,
}

/// `watermarkProtectionValues`; rendered with
/// `"@odata.type": "#microsoft.graph.watermarkProtectionValues"`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct WatermarkProtectionValues {
    /// Watermark on shared content.
    pub is_enabled_for_content_sharing: Option<bool>,
    /// Watermark on video.
    pub is_enabled_for_video: Option<bool>,
}

/// `chatRestrictions`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct ChatRestrictions {
    /// Only text in chat.
    pub allow_text_only: Option<bool>,
}

/// `itemBody`, used for `joinInformation`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct ItemBody {
    /// The content (for joinInformation a URL-encoded `data:text/html,…` blob).
    pub content: Option<String>,
    /// The content type as the service spells it for joinInformation: `"Html"`, as every
    /// documented body has it.
    pub content_type: Option<String>,
}

/// `broadcastMeetingCaptionSettings` (deprecated live events).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct BroadcastMeetingCaptionSettings {
    /// Captions on.
    pub is_caption_enabled: Option<bool>,
    /// The spoken language.
    pub spoken_language: Option<String>,
    /// Translation languages.
    pub translation_languages: Option<Vec<String>>,
}

/// `broadcastMeetingSettings` (deprecated live events).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct BroadcastMeetingSettings {
    /// Who can attend.
    pub allowed_audience: Option<BroadcastMeetingAudience>,
    /// Caption settings.
    pub captions: Option<BroadcastMeetingCaptionSettings>,
    /// Attendee report enabled.
    pub is_attendee_report_enabled: Option<bool>,
    /// Q&A enabled.
    pub is_question_and_answer_enabled: Option<bool>,
    /// Recording enabled.
    pub is_recording_enabled: Option<bool>,
    /// Video on demand enabled.
    pub is_video_on_demand_enabled: Option<bool>,
}

/// `cloudVideoInteropInfo` (read-only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct CloudVideoInteropInfo {
    /// Other VTC dial-in options.
    pub more_info_web_url: Option<String>,
    /// The tenant key for the partner IVR.
    pub tenant_key: Option<String>,
    /// The VTC id.
    pub video_teleconference_id: Option<String>,
}

/// `onlineMeetingSensitivityLabelAssignment` (Teams Premium).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct OnlineMeetingSensitivityLabelAssignment {
    /// The sensitivity label id.
    pub sensitivity_label_id: Option<String>,
}
