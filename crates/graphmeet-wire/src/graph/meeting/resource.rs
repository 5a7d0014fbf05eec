//! The `OnlineMeeting` resource itself: its property lists (v1.0, beta-only, undocumented, the
//! response order) and rendering for one request ([`RenderOptions`]: version, `Prefer`,
//! `$select`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::*;
use crate::graph::ApiVersion;

/// Every v1.0 property of `microsoft.graph.onlineMeeting` (spec §2.1), in schema order.
pub const V1_PROPERTIES: &[&str] = &[
    "allowAttendeeToEnableCamera",
    "allowAttendeeToEnableMic",
    "allowBreakoutRooms",
    "allowCopyingAndSharingMeetingContent",
    "allowedLobbyAdmitters",
    "allowedPresenters",
    "allowLiveShare",
    "allowMeetingChat",
    "allowParticipantsToChangeName",
    "allowPowerPointSharing",
    "allowRecording",
    "allowTeamworkReactions",
    "allowTranscription",
    "allowWhiteboard",
    "anonymizeIdentityForRoles",
    "audioConferencing",
    "chatInfo",
    "chatRestrictions",
    "cloudVideoInteropInfo",
    "creationDateTime",
    "endDateTime",
    "expiryDateTime",
    "externalId",
    "id",
    "isEndToEndEncryptionEnabled",
    "isEntryExitAnnounced",
    "joinInformation",
    "joinMeetingIdSettings",
    "joinWebUrl",
    "lobbyBypassSettings",
    "meetingOptionsWebUrl",
    "meetingSpokenLanguageTag",
    "meetingTemplateId",
    "meetingType",
    "participants",
    "recordAutomatically",
    "sensitivityLabelAssignment",
    "shareMeetingChatHistoryDefault",
    "startDateTime",
    "subject",
    "videoTeleconferenceId",
    "watermarkProtection",
    "attendeeReport",
    "broadcastSettings",
    "isBroadcast",
];

/// The beta-only extras (spec §2.2), rendered only on `/beta`.
pub const BETA_ONLY_PROPERTIES: &[&str] = &[
    "alternativeRecording",
    "recording",
    "autoAdmittedUsers",
    "capabilities",
];

/// The undocumented properties real responses carry (spec §2.3), rendered with
/// [`RenderOptions::include_undocumented`].
pub const UNDOCUMENTED_PROPERTIES: &[&str] = &[
    "joinUrl",
    "meetingCode",
    "outerMeetingAutoAdmittedUsers",
    "iCalUid",
    "meetingsMigrationMode",
];

/// The order properties are rendered in.
///
/// The head is the order of a real 2025 v1.0 response (OfficeDev/microsoft-teams-library-js
/// #2844: `id`, `creationDateTime`, `startDateTime`, `endDateTime`, `joinUrl`, `meetingCode`,
/// `isBroadcast`, `autoAdmittedUsers`, `outerMeetingAutoAdmittedUsers`, `capabilities`,
/// `externalId`, `meetingTemplateId`, `iCalUid`, `meetingType`, `meetingsMigrationMode`,
/// `joinWebUrl`); then the order every documented response follows (`subject`,
/// `isEntryExitAnnounced`, `allowedPresenters`, `videoTeleconferenceId`, `participants`,
/// `lobbyBypassSettings`, `audioConferencing`, `chatInfo`, `joinMeetingIdSettings`); then the
/// properties no public body shows in place, in schema order [inf].
pub const RESPONSE_ORDER: &[&str] = &[
    "id",
    "creationDateTime",
    "startDateTime",
    "endDateTime",
    "joinUrl",
    "meetingCode",
    "isBroadcast",
    "autoAdmittedUsers",
    "outerMeetingAutoAdmittedUsers",
    "capabilities",
    "externalId",
    "meetingTemplateId",
    "iCalUid",
    "meetingType",
    "meetingsMigrationMode",
    "joinWebUrl",
    "subject",
    "isEntryExitAnnounced",
    "allowedPresenters",
    "videoTeleconferenceId",
    "participants",
    "lobbyBypassSettings",
    "audioConferencing",
    "chatInfo",
    "joinMeetingIdSettings",
    "allowAttendeeToEnableCamera",
    "allowAttendeeToEnableMic",
    "allowBreakoutRooms",
    "allowCopyingAndSharingMeetingContent",
    "allowedLobbyAdmitters",
    "allowLiveShare",
    "allowMeetingChat",
    "allowParticipantsToChangeName",
    "allowPowerPointSharing",
    "allowRecording",
    "allowTeamworkReactions",
    "allowTranscription",
    "allowWhiteboard",
    "anonymizeIdentityForRoles",
    "chatRestrictions",
    "cloudVideoInteropInfo",
    "expiryDateTime",
    "isEndToEndEncryptionEnabled",
    "joinInformation",
    "meetingOptionsWebUrl",
    "meetingSpokenLanguageTag",
    "recordAutomatically",
    "sensitivityLabelAssignment",
    "shareMeetingChatHistoryDefault",
    "watermarkProtection",
    "attendeeReport",
    "broadcastSettings",
    "alternativeRecording",
    "recording",
];

/// A `microsoft.graph.onlineMeeting` as stored and rendered.
///
/// Serde gives the camelCase wire names with `null` for every unset property; use
/// [`OnlineMeeting::to_json`] for responses (version, Prefer mapping, nested `@odata.type`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct OnlineMeeting {
    /// The meeting id (see `ids::MeetingId`). Read-only.
    pub id: Option<String>,
    /// Creation time. Read-only.
    pub creation_date_time: Option<GraphDateTime>,
    /// Start time.
    pub start_date_time: Option<GraphDateTime>,
    /// End time.
    pub end_date_time: Option<GraphDateTime>,
    /// When the meeting expires (60 days after start or end).
    pub expiry_date_time: Option<GraphDateTime>,
    /// The join URL. Read-only.
    pub join_web_url: Option<String>,
    /// The subject.
    pub subject: Option<String>,
    /// The createOrGet external id.
    pub external_id: Option<String>,
    /// The CVI VTC id. Read-only.
    pub video_teleconference_id: Option<String>,
    /// Link to the meeting-options page. Read-only.
    pub meeting_options_web_url: Option<String>,
    /// Spoken language for recording / transcription.
    pub meeting_spoken_language_tag: Option<String>,
    /// Teams Premium template id.
    pub meeting_template_id: Option<String>,
    /// The meeting type. Read-only.
    pub meeting_type: Option<OnlineMeetingType>,
    /// End-to-end encryption.
    pub is_end_to_end_encryption_enabled: Option<bool>,
    /// Entry/exit announcements.
    pub is_entry_exit_announced: Option<bool>,
    /// Attendees may turn on their camera.
    pub allow_attendee_to_enable_camera: Option<bool>,
    /// Attendees may turn on their microphone.
    pub allow_attendee_to_enable_mic: Option<bool>,
    /// Breakout rooms.
    pub allow_breakout_rooms: Option<bool>,
    /// Copying and sharing meeting content.
    pub allow_copying_and_sharing_meeting_content: Option<bool>,
    /// Who can admit from the lobby.
    pub allowed_lobby_admitters: Option<AllowedLobbyAdmitterRoles>,
    /// Who can present.
    pub allowed_presenters: Option<OnlineMeetingPresenters>,
    /// Live Share.
    pub allow_live_share: Option<MeetingLiveShareOptions>,
    /// Meeting chat mode.
    pub allow_meeting_chat: Option<MeetingChatMode>,
    /// Participants may rename themselves.
    pub allow_participants_to_change_name: Option<bool>,
    /// PowerPoint Live sharing.
    pub allow_power_point_sharing: Option<bool>,
    /// Recording allowed.
    pub allow_recording: Option<bool>,
    /// Teams reactions.
    pub allow_teamwork_reactions: Option<bool>,
    /// Transcription allowed.
    pub allow_transcription: Option<bool>,
    /// Whiteboard allowed.
    pub allow_whiteboard: Option<bool>,
    /// Roles whose identity is anonymised (only `attendee`).
    pub anonymize_identity_for_roles: Option<Vec<OnlineMeetingRole>>,
    /// Dial-in details. Read-only.
    pub audio_conferencing: Option<AudioConferencing>,
    /// The chat thread.
    pub chat_info: Option<ChatInfo>,
    /// Chat restrictions.
    pub chat_restrictions: Option<ChatRestrictions>,
    /// CVI details. Read-only.
    pub cloud_video_interop_info: Option<CloudVideoInteropInfo>,
    /// Join information (HTML). Read-only.
    pub join_information: Option<ItemBody>,
    /// Join-by-id settings (immutable after create).
    pub join_meeting_id_settings: Option<JoinMeetingIdSettings>,
    /// Lobby bypass.
    pub lobby_bypass_settings: Option<LobbyBypassSettings>,
    /// Organizer and attendees.
    pub participants: Option<MeetingParticipants>,
    /// Record automatically.
    pub record_automatically: Option<bool>,
    /// Sensitivity label (Teams Premium).
    pub sensitivity_label_assignment: Option<OnlineMeetingSensitivityLabelAssignment>,
    /// Chat-history default for new participants.
    pub share_meeting_chat_history_default: Option<MeetingChatHistoryDefaultMode>,
    /// Watermark protection.
    pub watermark_protection: Option<WatermarkProtectionValues>,
    /// Live-event attendee report (deprecated Stream). Read-only.
    pub attendee_report: Option<String>,
    /// Live-event settings (deprecated).
    pub broadcast_settings: Option<BroadcastMeetingSettings>,
    /// Live event (deprecated).
    pub is_broadcast: Option<bool>,
    /// Beta: alternative recording (deprecated Stream).
    pub alternative_recording: Option<String>,
    /// Beta: recording (deprecated Stream).
    pub recording: Option<String>,
    /// Beta: auto-admitted users (deprecated, read-only).
    pub auto_admitted_users: Option<AutoAdmittedUsersType>,
    /// Beta: capabilities (deprecated).
    pub capabilities: Option<Vec<MeetingCapabilities>>,
}

/// How to render an [`OnlineMeeting`] for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderOptions {
    /// `/v1.0` drops the beta-only properties.
    pub version: ApiVersion,
    /// The request carried `Prefer: include-unknown-enum-members`.
    pub prefer_unknown_enum_members: bool,
    /// Also emit the undocumented properties real responses carry (spec §2.3): `joinUrl`,
    /// `meetingCode`, `iCalUid`, `meetingsMigrationMode`, `outerMeetingAutoAdmittedUsers`,
    /// and on v1.0 also `autoAdmittedUsers` and `capabilities`.
    pub include_undocumented: bool,
    /// A `$select` list (canonical names): only these properties are kept.
    pub select: Option<Vec<String>>,
}

impl RenderOptions {
    /// Plain rendering for a version: documented properties only, no `$select`.
    pub fn new(version: ApiVersion, prefer_unknown_enum_members: bool) -> Self {
        RenderOptions {
            version,
            prefer_unknown_enum_members,
            include_undocumented: false,
            select: None,
        }
    }
}

/// A nested object with its `"@odata.type"` first, as the resource's JSON representation shows
/// it; `null` when unset.
struct Typed<'a, T>(&'static str, &'a Option<T>);

impl<T: Serialize> Serialize for Typed<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct WithType<'b, U> {
            #[serde(rename = "@odata.type")]
            odata_type: &'static str,
            #[serde(flatten)]
            inner: &'b U,
        }
        match self.1 {
            None => serializer.serialize_none(),
            Some(inner) => WithType {
                odata_type: self.0,
                inner,
            }
            .serialize(serializer),
        }
    }
}

/// One meeting as one request renders it ([`OnlineMeeting::render`]): serialized straight from
/// the meeting, property by property in [`RESPONSE_ORDER`], without a JSON tree in between.
pub struct Rendered<'a> {
    /// The meeting with the output mapping applied (derived `autoAdmittedUsers`, `[]` for
    /// unset `capabilities`, enum members for `Prefer`).
    meeting: OnlineMeeting,
    options: &'a RenderOptions,
}

impl Rendered<'_> {
    /// Whether the request's version, `include_undocumented` and `$select` keep `key`.
    fn keeps(&self, key: &str) -> bool {
        let options = self.options;
        let shown = if UNDOCUMENTED_PROPERTIES.contains(&key) {
            options.include_undocumented
        } else if BETA_ONLY_PROPERTIES.contains(&key) {
            options.version != ApiVersion::V1
                || (options.include_undocumented
                    && matches!(key, "autoAdmittedUsers" | "capabilities"))
        } else {
            true
        };
        shown
            && options
                .select
                .as_ref()
                .is_none_or(|select| select.iter().any(|s| s == key))
    }
}

impl Serialize for Rendered<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        // Every field, by name: a property added to the struct does not compile until it has
        // its place here.
        let OnlineMeeting {
            id,
            creation_date_time,
            start_date_time,
            end_date_time,
            expiry_date_time,
            join_web_url,
            subject,
            external_id,
            video_teleconference_id,
            meeting_options_web_url,
            meeting_spoken_language_tag,
            meeting_template_id,
            meeting_type,
            is_end_to_end_encryption_enabled,
            is_entry_exit_announced,
            allow_attendee_to_enable_camera,
            allow_attendee_to_enable_mic,
            allow_breakout_rooms,
            allow_copying_and_sharing_meeting_content,
            allowed_lobby_admitters,
            allowed_presenters,
            allow_live_share,
            allow_meeting_chat,
            allow_participants_to_change_name,
            allow_power_point_sharing,
            allow_recording,
            allow_teamwork_reactions,
            allow_transcription,
            allow_whiteboard,
            anonymize_identity_for_roles,
            audio_conferencing,
            chat_info,
            chat_restrictions,
            cloud_video_interop_info,
            join_information,
            join_meeting_id_settings,
            lobby_bypass_settings,
            participants,
            record_automatically,
            sensitivity_label_assignment,
            share_meeting_chat_history_default,
            watermark_protection,
            attendee_report,
            broadcast_settings,
            is_broadcast,
            alternative_recording,
            recording,
            auto_admitted_users,
            capabilities,
        } = &self.meeting;
        let meeting_code = join_meeting_id_settings
            .as_ref()
            .and_then(|s| s.join_meeting_id.as_ref());
        let unset: Option<()> = None;
        let mut map = serializer.serialize_map(None)?;
        macro_rules! put {
            ($($key:literal => $value:expr,)*) => {$(
                if self.keeps($key) {
                    map.serialize_entry($key, $value)?;
                }
            )*};
        }
        // In RESPONSE_ORDER; the test `the_response_order_places_every_property_once` holds
        // the two together.
        put! {
            "id" => id,
            "creationDateTime" => creation_date_time,
            "startDateTime" => start_date_time,
            "endDateTime" => end_date_time,
            "joinUrl" => join_web_url,
            "meetingCode" => &meeting_code,
            "isBroadcast" => is_broadcast,
            "autoAdmittedUsers" => auto_admitted_users,
            "outerMeetingAutoAdmittedUsers" => &unset,
            "capabilities" => capabilities,
            "externalId" => external_id,
            "meetingTemplateId" => meeting_template_id,
            "iCalUid" => &unset,
            "meetingType" => meeting_type,
            "meetingsMigrationMode" => &unset,
            "joinWebUrl" => join_web_url,
            "subject" => subject,
            "isEntryExitAnnounced" => is_entry_exit_announced,
            "allowedPresenters" => allowed_presenters,
            "videoTeleconferenceId" => video_teleconference_id,
            "participants" => participants,
            "lobbyBypassSettings" => lobby_bypass_settings,
            "audioConferencing" => audio_conferencing,
            "chatInfo" => chat_info,
            "joinMeetingIdSettings" => &Typed("#microsoft.graph.joinMeetingIdSettings", join_meeting_id_settings),
            "allowAttendeeToEnableCamera" => allow_attendee_to_enable_camera,
            "allowAttendeeToEnableMic" => allow_attendee_to_enable_mic,
            "allowBreakoutRooms" => allow_breakout_rooms,
            "allowCopyingAndSharingMeetingContent" => allow_copying_and_sharing_meeting_content,
            "allowedLobbyAdmitters" => allowed_lobby_admitters,
            "allowLiveShare" => allow_live_share,
            "allowMeetingChat" => allow_meeting_chat,
            "allowParticipantsToChangeName" => allow_participants_to_change_name,
            "allowPowerPointSharing" => allow_power_point_sharing,
            "allowRecording" => allow_recording,
            "allowTeamworkReactions" => allow_teamwork_reactions,
            "allowTranscription" => allow_transcription,
            "allowWhiteboard" => allow_whiteboard,
            "anonymizeIdentityForRoles" => anonymize_identity_for_roles,
            "chatRestrictions" => chat_restrictions,
            "cloudVideoInteropInfo" => cloud_video_interop_info,
            "expiryDateTime" => expiry_date_time,
            "isEndToEndEncryptionEnabled" => is_end_to_end_encryption_enabled,
            "joinInformation" => join_information,
            "meetingOptionsWebUrl" => meeting_options_web_url,
            "meetingSpokenLanguageTag" => meeting_spoken_language_tag,
            "recordAutomatically" => record_automatically,
            "sensitivityLabelAssignment" => sensitivity_label_assignment,
            "shareMeetingChatHistoryDefault" => share_meeting_chat_history_default,
            "watermarkProtection" => &Typed("#microsoft.graph.watermarkProtectionValues", watermark_protection),
            "attendeeReport" => attendee_report,
            "broadcastSettings" => broadcast_settings,
            "alternativeRecording" => alternative_recording,
            "recording" => recording,
        }
        map.end()
    }
}

impl OnlineMeeting {
    /// The response JSON for one meeting (without `@odata.context`, which the server adds).
    ///
    /// On [`ApiVersion::V1`] the beta extras are left out; without
    /// `prefer_unknown_enum_members` the evolvable members render as `unknownFutureValue`.
    pub fn to_json(&self, version: ApiVersion, prefer_unknown_enum_members: bool) -> Value {
        self.to_json_with(&RenderOptions::new(version, prefer_unknown_enum_members))
    }

    /// [`OnlineMeeting::render`] as a JSON value.
    pub fn to_json_with(&self, options: &RenderOptions) -> Value {
        serde_json::to_value(self.render(options)).unwrap_or_else(|_| Value::Object(Map::new()))
    }

    /// The meeting as `options` render it, to serialize (`serde_json::to_string` writes the
    /// answer's text directly). Properties come in [`RESPONSE_ORDER`].
    ///
    /// `autoAdmittedUsers` is derived from `lobbyBypassSettings.scope` (as the real service
    /// keeps the two in step) and `capabilities` is `[]` when unset, as real responses carry
    /// it (a client looping over it must not meet `null`).
    pub fn render<'a>(&self, options: &'a RenderOptions) -> Rendered<'a> {
        let mut meeting = self.clone();
        if let Some(derived) = meeting
            .lobby_bypass_settings
            .as_ref()
            .and_then(|s| s.scope)
            .map(AutoAdmittedUsersType::from_scope)
        {
            meeting.auto_admitted_users = derived;
        }
        meeting.capabilities.get_or_insert_with(Vec::new);
        meeting.map_enums_for_output(options.prefer_unknown_enum_members);
        Rendered { meeting, options }
    }

    /// Applies the `Prefer: include-unknown-enum-members` mapping in place.
    pub fn map_enums_for_output(&mut self, prefer_unknown_enum_members: bool) {
        let p = prefer_unknown_enum_members;
        if let Some(scope) = self
            .lobby_bypass_settings
            .as_mut()
            .and_then(|s| s.scope.as_mut())
        {
            *scope = scope.for_output(p);
        }
        if let Some(roles) = self.anonymize_identity_for_roles.as_mut() {
            for role in roles.iter_mut() {
                *role = role.for_output(p);
            }
        }
        if let Some(participants) = self.participants.as_mut() {
            let lists = [
                participants.attendees.as_mut(),
                participants.producers.as_mut(),
                participants.contributors.as_mut(),
            ];
            let organizer = participants.organizer.as_mut().map(std::slice::from_mut);
            for info in lists
                .into_iter()
                .flatten()
                .map(|v| v.as_mut_slice())
                .chain(organizer)
                .flatten()
            {
                if let Some(role) = info.role.as_mut() {
                    *role = role.for_output(p);
                }
            }
        }
    }
}
