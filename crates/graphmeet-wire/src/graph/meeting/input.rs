//! The request bodies: create and PATCH ([`OnlineMeetingInput`], with PATCH's member-by-member
//! merge of complex properties) and createOrGet ([`CreateOrGetInput`], spec §1.3, with its
//! date defaults).

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use super::*;
use crate::graph::ApiVersion;

/// The writable properties a create (`POST .../onlineMeetings`) or `PATCH` body may carry.
///
/// Every property is optional; JSON `null` counts as "not given"; `@odata.type` and unknown
/// properties are ignored (the base type is open). Read-only properties (`id`, `joinWebUrl`,
/// `creationDateTime`, `audioConferencing`, `joinInformation`, `videoTeleconferenceId`,
/// `meetingOptionsWebUrl`, `meetingType`, `cloudVideoInteropInfo`, `expiryDateTime`,
/// `attendeeReport` and the beta read-only extras) are ignored likewise. Domain rules (both
/// dates together on PATCH, immutable organizer and `joinMeetingIdSettings`, `presenter` needing
/// `roleIsPresenter`) are the caller's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OnlineMeetingInput {
    /// `allowAttendeeToEnableCamera`, if given.
    pub allow_attendee_to_enable_camera: Option<bool>,
    /// `allowAttendeeToEnableMic`, if given.
    pub allow_attendee_to_enable_mic: Option<bool>,
    /// `allowBreakoutRooms`, if given.
    pub allow_breakout_rooms: Option<bool>,
    /// `allowCopyingAndSharingMeetingContent`, if given.
    pub allow_copying_and_sharing_meeting_content: Option<bool>,
    /// `allowedLobbyAdmitters`, if given.
    pub allowed_lobby_admitters: Option<AllowedLobbyAdmitterRoles>,
    /// `allowedPresenters`, if given.
    pub allowed_presenters: Option<OnlineMeetingPresenters>,
    /// `allowLiveShare`, if given.
    pub allow_live_share: Option<MeetingLiveShareOptions>,
    /// `allowMeetingChat`, if given.
    pub allow_meeting_chat: Option<MeetingChatMode>,
    /// `allowParticipantsToChangeName`, if given.
    pub allow_participants_to_change_name: Option<bool>,
    /// `allowPowerPointSharing`, if given.
    pub allow_power_point_sharing: Option<bool>,
    /// `allowRecording`, if given.
    pub allow_recording: Option<bool>,
    /// `allowTeamworkReactions`, if given.
    pub allow_teamwork_reactions: Option<bool>,
    /// `allowTranscription`, if given.
    pub allow_transcription: Option<bool>,
    /// `allowWhiteboard`, if given.
    pub allow_whiteboard: Option<bool>,
    /// `anonymizeIdentityForRoles`, if given.
    pub anonymize_identity_for_roles: Option<Vec<OnlineMeetingRole>>,
    /// `chatInfo`, if given.
    pub chat_info: Option<ChatInfo>,
    /// `chatRestrictions`, if given.
    pub chat_restrictions: Option<ChatRestrictions>,
    /// `endDateTime`, if given.
    pub end_date_time: Option<GraphDateTime>,
    /// `externalId`, if given.
    pub external_id: Option<String>,
    /// `isEndToEndEncryptionEnabled`, if given.
    pub is_end_to_end_encryption_enabled: Option<bool>,
    /// `isEntryExitAnnounced`, if given.
    pub is_entry_exit_announced: Option<bool>,
    /// Only `isPasscodeRequired` is taken from the body.
    pub join_meeting_id_settings: Option<JoinMeetingIdSettings>,
    /// `lobbyBypassSettings`, if given.
    pub lobby_bypass_settings: Option<LobbyBypassSettings>,
    /// `meetingSpokenLanguageTag`, if given.
    pub meeting_spoken_language_tag: Option<String>,
    /// `meetingTemplateId`, if given.
    pub meeting_template_id: Option<String>,
    /// `participants`, if given.
    pub participants: Option<MeetingParticipants>,
    /// `recordAutomatically`, if given.
    pub record_automatically: Option<bool>,
    /// `sensitivityLabelAssignment`, if given.
    pub sensitivity_label_assignment: Option<OnlineMeetingSensitivityLabelAssignment>,
    /// `shareMeetingChatHistoryDefault`, if given.
    pub share_meeting_chat_history_default: Option<MeetingChatHistoryDefaultMode>,
    /// `startDateTime`, if given.
    pub start_date_time: Option<GraphDateTime>,
    /// `subject`, if given.
    pub subject: Option<String>,
    /// `watermarkProtection`, if given.
    pub watermark_protection: Option<WatermarkProtectionValues>,
    /// `broadcastSettings`, if given.
    pub broadcast_settings: Option<BroadcastMeetingSettings>,
    /// `isBroadcast`, if given.
    pub is_broadcast: Option<bool>,
}

fn parse_object(bytes: &[u8]) -> Result<Value, InputError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(value @ Value::Object(_)) => Ok(value),
        _ => Err(InputError::unreadable()),
    }
}

/// Parses a create or PATCH body. Wrong JSON types and unknown enum members are errors that
/// name the property (e.g. `lobbyBypassSettings.scope`); a body that is not a JSON object gets
/// Graph's "Unable to read JSON request payload…" text.
pub fn parse_input(bytes: &[u8]) -> Result<OnlineMeetingInput, InputError> {
    let value = parse_object(bytes)?;
    let o = Obj::new(&value, "")?;
    Ok(OnlineMeetingInput {
        allow_attendee_to_enable_camera: o.get("allowAttendeeToEnableCamera")?,
        allow_attendee_to_enable_mic: o.get("allowAttendeeToEnableMic")?,
        allow_breakout_rooms: o.get("allowBreakoutRooms")?,
        allow_copying_and_sharing_meeting_content: o.get("allowCopyingAndSharingMeetingContent")?,
        allowed_lobby_admitters: o.get("allowedLobbyAdmitters")?,
        allowed_presenters: o.get("allowedPresenters")?,
        allow_live_share: o.get("allowLiveShare")?,
        allow_meeting_chat: o.get("allowMeetingChat")?,
        allow_participants_to_change_name: o.get("allowParticipantsToChangeName")?,
        allow_power_point_sharing: o.get("allowPowerPointSharing")?,
        allow_recording: o.get("allowRecording")?,
        allow_teamwork_reactions: o.get("allowTeamworkReactions")?,
        allow_transcription: o.get("allowTranscription")?,
        allow_whiteboard: o.get("allowWhiteboard")?,
        anonymize_identity_for_roles: o.get("anonymizeIdentityForRoles")?,
        chat_info: o.get("chatInfo")?,
        chat_restrictions: o.get("chatRestrictions")?,
        end_date_time: o.get("endDateTime")?,
        external_id: o.get("externalId")?,
        is_end_to_end_encryption_enabled: o.get("isEndToEndEncryptionEnabled")?,
        is_entry_exit_announced: o.get("isEntryExitAnnounced")?,
        join_meeting_id_settings: o.get("joinMeetingIdSettings")?,
        lobby_bypass_settings: o.get("lobbyBypassSettings")?,
        meeting_spoken_language_tag: o.get("meetingSpokenLanguageTag")?,
        meeting_template_id: o.get("meetingTemplateId")?,
        participants: o.get("participants")?,
        record_automatically: o.get("recordAutomatically")?,
        sensitivity_label_assignment: o.get("sensitivityLabelAssignment")?,
        share_meeting_chat_history_default: o.get("shareMeetingChatHistoryDefault")?,
        start_date_time: o.get("startDateTime")?,
        subject: o.get("subject")?,
        watermark_protection: o.get("watermarkProtection")?,
        broadcast_settings: o.get("broadcastSettings")?,
        is_broadcast: o.get("isBroadcast")?,
    })
}

/// A complex (structured) property that a PATCH sending it partially merges into the stored
/// value member by member: members sent (not `null`) replace the stored ones, members left out
/// keep theirs. Collections inside are values, replaced whole.
trait MergeFrom {
    fn merge_from(&mut self, given: &Self);
}

macro_rules! merge_members {
    ($ty:ty { $($field:ident),+ $(,)? }) => {
        impl MergeFrom for $ty {
            fn merge_from(&mut self, given: &Self) {
                $( if given.$field.is_some() { self.$field = given.$field.clone(); } )+
            }
        }
    };
}

merge_members!(LobbyBypassSettings {
    scope,
    is_dial_in_bypass_enabled
});
merge_members!(WatermarkProtectionValues {
    is_enabled_for_content_sharing,
    is_enabled_for_video
});
merge_members!(ChatRestrictions { allow_text_only });
merge_members!(OnlineMeetingSensitivityLabelAssignment {
    sensitivity_label_id
});
merge_members!(BroadcastMeetingCaptionSettings {
    is_caption_enabled,
    spoken_language,
    translation_languages,
});

impl MergeFrom for BroadcastMeetingSettings {
    fn merge_from(&mut self, given: &Self) {
        merge_option(&mut self.captions, &given.captions);
        for (target, value) in [
            (
                &mut self.is_attendee_report_enabled,
                given.is_attendee_report_enabled,
            ),
            (
                &mut self.is_question_and_answer_enabled,
                given.is_question_and_answer_enabled,
            ),
            (&mut self.is_recording_enabled, given.is_recording_enabled),
            (
                &mut self.is_video_on_demand_enabled,
                given.is_video_on_demand_enabled,
            ),
        ] {
            if value.is_some() {
                *target = value;
            }
        }
        if given.allowed_audience.is_some() {
            self.allowed_audience = given.allowed_audience;
        }
    }
}

/// Merges a sent complex value into the stored one (which it creates when there is none).
fn merge_option<T: MergeFrom + Default>(target: &mut Option<T>, given: &Option<T>) {
    if let Some(given) = given {
        target.get_or_insert_with(T::default).merge_from(given);
    }
}

macro_rules! apply_fields {
    ($input:expr, $meeting:expr, $($field:ident),+ $(,)?) => {
        $( if let Some(v) = &$input.$field { $meeting.$field = Some(v.clone()); } )+
    };
}

impl OnlineMeetingInput {
    /// Copies every given property onto `meeting` (a mechanical merge; the caller enforces
    /// the PATCH rules first).
    ///
    /// Scalars and collections (`anonymizeIdentityForRoles`, the participant lists) are
    /// replaced whole. Complex values sent partially are merged into the stored value:
    /// `lobbyBypassSettings`, `watermarkProtection`, `chatRestrictions`,
    /// `sensitivityLabelAssignment` and `broadcastSettings` (with its `captions`) member by
    /// member, as the documented update of `lobbyBypassSettings.isDialInBypassEnabled` keeps
    /// `scope`; `participants` member by member, so a PATCH that sends only `attendees` keeps
    /// the organizer; `joinMeetingIdSettings` sets only `isPasscodeRequired`. `chatInfo` names
    /// the meeting's thread, which the server sets: it is not taken from a body here.
    pub fn apply_to(&self, meeting: &mut OnlineMeeting) {
        merge_option(
            &mut meeting.lobby_bypass_settings,
            &self.lobby_bypass_settings,
        );
        merge_option(
            &mut meeting.watermark_protection,
            &self.watermark_protection,
        );
        merge_option(&mut meeting.chat_restrictions, &self.chat_restrictions);
        merge_option(
            &mut meeting.sensitivity_label_assignment,
            &self.sensitivity_label_assignment,
        );
        merge_option(&mut meeting.broadcast_settings, &self.broadcast_settings);
        apply_fields!(
            self,
            meeting,
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
            end_date_time,
            external_id,
            is_end_to_end_encryption_enabled,
            is_entry_exit_announced,
            meeting_spoken_language_tag,
            meeting_template_id,
            record_automatically,
            share_meeting_chat_history_default,
            start_date_time,
            subject,
            is_broadcast,
        );
        if let Some(required) = self
            .join_meeting_id_settings
            .as_ref()
            .and_then(|s| s.is_passcode_required)
        {
            meeting
                .join_meeting_id_settings
                .get_or_insert_with(Default::default)
                .is_passcode_required = Some(required);
        }
        if let Some(given) = &self.participants {
            let target = meeting.participants.get_or_insert_with(Default::default);
            if let Some(organizer) = &given.organizer {
                target.organizer = Some(organizer.clone());
            }
            if let Some(attendees) = &given.attendees {
                target.attendees = Some(attendees.clone());
            }
            if let Some(producers) = &given.producers {
                target.producers = Some(producers.clone());
            }
            if let Some(contributors) = &given.contributors {
                target.contributors = Some(contributors.clone());
            }
        }
    }
}

/// The parameters of the `createOrGet` action (spec §1.3).
///
/// v1.0 defines exactly `externalId` (required), `startDateTime`, `endDateTime`, `subject` and
/// `participants`; beta adds `chatInfo`. Any other member — including `chatInfo` on v1.0,
/// `@odata.type` and `joinMeetingIdSettings` — is **ignored**, not rejected: real clients send
/// `joinMeetingIdSettings` to createOrGet and get a meeting back with `isPasscodeRequired:false`
/// (spec §1.3, docs issue #73), so the live service evidently does not validate action
/// parameters strictly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateOrGetInput {
    /// The idempotency key within (tenant, user).
    pub external_id: String,
    /// Start time; defaults to now.
    pub start_date_time: Option<GraphDateTime>,
    /// End time; defaults to start + 1 h.
    pub end_date_time: Option<GraphDateTime>,
    /// Subject.
    pub subject: Option<String>,
    /// Participants.
    pub participants: Option<MeetingParticipants>,
    /// Beta only: the thread to create the meeting in.
    pub chat_info: Option<ChatInfo>,
}

/// Parses a createOrGet body for `version` (beta also reads `chatInfo`). A missing or `null`
/// `externalId` gets ODataLib's missing-parameter text.
pub fn parse_create_or_get(
    bytes: &[u8],
    version: ApiVersion,
) -> Result<CreateOrGetInput, InputError> {
    let value = parse_object(bytes)?;
    let o = Obj::new(&value, "")?;
    let external_id: Option<String> = o.get("externalId")?;
    let Some(external_id) = external_id else {
        return Err(InputError::new(
            Some("externalId"),
            "One or more parameters of the operation 'createOrGet' are missing from the request payload. The missing parameters are: externalId.".into(),
        ));
    };
    Ok(CreateOrGetInput {
        external_id,
        start_date_time: o.get("startDateTime")?,
        end_date_time: o.get("endDateTime")?,
        subject: o.get("subject")?,
        participants: o.get("participants")?,
        chat_info: match version {
            ApiVersion::Beta => o.get("chatInfo")?,
            ApiVersion::V1 => None,
        },
    })
}

impl CreateOrGetInput {
    /// The documented date defaults (spec §1.3): neither → now and now + 1 h; only start →
    /// start + 1 h. End without start, or end before start, is a 400 (text [inf]).
    pub fn resolve_dates(
        &self,
        now: DateTime<Utc>,
    ) -> Result<(GraphDateTime, GraphDateTime), InputError> {
        match (self.start_date_time, self.end_date_time) {
            (None, None) => {
                let start = GraphDateTime::new(now);
                Ok((start, start + Duration::hours(1)))
            }
            (Some(start), None) => Ok((start, start + Duration::hours(1))),
            (None, Some(_)) => Err(InputError::new(
                Some("startDateTime"),
                "startDateTime is required when endDateTime is specified.".into(),
            )),
            (Some(start), Some(end)) if end < start => Err(InputError::new(
                Some("endDateTime"),
                "endDateTime must be later than startDateTime.".into(),
            )),
            (Some(start), Some(end)) => Ok((start, end)),
        }
    }
}
