//! The onlineMeeting resource's tests, one file per concern as in the module; the spec
//! example and the helpers they share are here.

use super::*;
use crate::graph::{ApiVersion, GraphError};
use chrono::TimeZone;
use chrono::{Duration, Utc};
use serde_json::json;
use serde_json::Value;

use crate::graph::ids::{join_web_url, MeetingId, DEFAULT_JOIN_HOST};

const ORG: &str = "dc17674c-81d9-4adb-bfb2-8f6a442e4622";
const TID: &str = "909c6581-5130-43e9-88f3-fcb3582cde37";
const THREAD_GUID: &str = "0d4a5b2e-1c3f-4e6a-9b7d-2f8e1a6c3b90";

fn dt(text: &str) -> GraphDateTime {
    GraphDateTime::parse(text).unwrap()
}

fn uuid(s: &str) -> uuid::Uuid {
    uuid::Uuid::parse_str(s).unwrap()
}

/// The meeting of spec §2.5, built the way the server would after the create request.
fn spec_example() -> OnlineMeeting {
    let input = parse_input(
        br#"{
          "startDateTime": "2019-07-12T14:30:34.2444915-07:00",
          "endDateTime": "2019-07-12T15:00:34.2464912-07:00",
          "subject": "User meeting",
          "joinMeetingIdSettings": { "isPasscodeRequired": true }
        }"#,
    )
    .unwrap();
    let thread = crate::graph::ids::private_thread_id(uuid(THREAD_GUID));
    let mut m = OnlineMeeting {
        id: Some(MeetingId::new_private(uuid(ORG), uuid(THREAD_GUID)).as_str().to_owned()),
        creation_date_time: Some(dt("2019-07-11T02:17:17.6491364Z")),
        join_web_url: Some(join_web_url(DEFAULT_JOIN_HOST, &thread, "0", uuid(TID), uuid(ORG))),
        is_entry_exit_announced: Some(true),
        allowed_presenters: Some(OnlineMeetingPresenters::Everyone),
        allow_meeting_chat: Some(MeetingChatMode::Enabled),
        allow_teamwork_reactions: Some(true),
        audio_conferencing: Some(AudioConferencing {
            conference_id: Some("291633251".into()),
            toll_number: Some("+12525478".into()),
            toll_free_number: Some("+18690588".into()),
            toll_numbers: Some(vec!["+12525478".into()]),
            toll_free_numbers: Some(vec!["+18690588".into()]),
            dialin_url: Some(
                "https://dialin.teams.microsoft.com/22f12fa0-499f-435b-bc69-b8de580ba330?id=291633251"
                    .into(),
            ),
        }),
        chat_info: Some(ChatInfo {
            thread_id: Some(thread),
            message_id: Some("0".into()),
            reply_chain_message_id: None,
        }),
        participants: Some(MeetingParticipants {
            organizer: Some(MeetingParticipantInfo {
                identity: Some(IdentitySet {
                    user: Some(Identity::aad_user(ORG, TID)),
                    ..Default::default()
                }),
                upn: Some("mario@contoso.com".into()),
                role: Some(OnlineMeetingRole::Presenter),
            }),
            ..Default::default()
        }),
        lobby_bypass_settings: Some(LobbyBypassSettings {
            scope: Some(LobbyBypassScope::Organization),
            is_dial_in_bypass_enabled: Some(false),
        }),
        ..Default::default()
    };
    input.apply_to(&mut m);
    let settings = m
        .join_meeting_id_settings
        .get_or_insert_with(Default::default);
    settings.join_meeting_id = Some("3446741591081".into());
    settings.passcode = Some("ps3JH7YK".into());
    m
}

/// The §2.5 response body (without `@odata.context`), with every other property `null`.
fn spec_example_json() -> Value {
    let mut expected = json!({
      "id": "MSpkYzE3Njc0Yy04MWQ5LTRhZGItYmZiMi04ZjZhNDQyZTQ2MjIqMCoqMTk6bWVldGluZ19NR1EwWVRWaU1tVXRNV016WmkwMFpUWmhMVGxpTjJRdE1tWTRaVEZoTm1Nellqa3dAdGhyZWFkLnYy",
      "creationDateTime": "2019-07-11T02:17:17.6491364Z",
      "startDateTime": "2019-07-12T21:30:34.2444915Z",
      "endDateTime": "2019-07-12T22:00:34.2464912Z",
      "joinWebUrl": "https://teams.microsoft.com/l/meetup-join/19%3ameeting_MGQ0YTViMmUtMWMzZi00ZTZhLTliN2QtMmY4ZTFhNmMzYjkw%40thread.v2/0?context=%7b%22Tid%22%3a%22909c6581-5130-43e9-88f3-fcb3582cde37%22%2c%22Oid%22%3a%22dc17674c-81d9-4adb-bfb2-8f6a442e4622%22%7d",
      "subject": "User meeting",
      "isEntryExitAnnounced": true,
      "allowedPresenters": "everyone",
      "allowMeetingChat": "enabled",
      "allowTeamworkReactions": true,
      "videoTeleconferenceId": null,
      "externalId": null,
      "audioConferencing": {
        "conferenceId": "291633251",
        "tollNumber": "+12525478",
        "tollFreeNumber": "+18690588",
        "tollNumbers": ["+12525478"],
        "tollFreeNumbers": ["+18690588"],
        "dialinUrl": "https://dialin.teams.microsoft.com/22f12fa0-499f-435b-bc69-b8de580ba330?id=291633251"
      },
      "chatInfo": {
        "threadId": "19:meeting_MGQ0YTViMmUtMWMzZi00ZTZhLTliN2QtMmY4ZTFhNmMzYjkw@thread.v2",
        "messageId": "0",
        "replyChainMessageId": null
      },
      "participants": {
        "organizer": {
          "upn": "mario@contoso.com",
          "role": "presenter",
          "identity": {
            "azureApplicationInstance": null,
            "applicationInstance": null,
            "application": null,
            "device": null,
            "user": {
              "id": "dc17674c-81d9-4adb-bfb2-8f6a442e4622",
              "displayName": null,
              "tenantId": "909c6581-5130-43e9-88f3-fcb3582cde37",
              "identityProvider": "AAD"
            }
          }
        },
        "attendees": [],
        "producers": [],
        "contributors": []
      },
      "lobbyBypassSettings": { "scope": "organization", "isDialInBypassEnabled": false },
      "joinMeetingIdSettings": {
        "@odata.type": "#microsoft.graph.joinMeetingIdSettings",
        "isPasscodeRequired": true, "joinMeetingId": "3446741591081", "passcode": "ps3JH7YK"
      }
    });
    // Everything else the v1.0 resource defines, unset.
    for key in [
        "allowAttendeeToEnableCamera",
        "allowAttendeeToEnableMic",
        "allowBreakoutRooms",
        "allowCopyingAndSharingMeetingContent",
        "allowedLobbyAdmitters",
        "allowLiveShare",
        "allowParticipantsToChangeName",
        "allowPowerPointSharing",
        "allowRecording",
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
        "meetingTemplateId",
        "meetingType",
        "recordAutomatically",
        "sensitivityLabelAssignment",
        "shareMeetingChatHistoryDefault",
        "watermarkProtection",
        "attendeeReport",
        "broadcastSettings",
        "isBroadcast",
    ] {
        expected[key] = Value::Null;
    }
    expected
}

fn assert_json_eq(actual: &Value, expected: &Value) {
    if actual != expected {
        let (Value::Object(a), Value::Object(e)) = (actual, expected) else {
            panic!("not objects:\n{actual:#}\n{expected:#}");
        };
        for (k, v) in e {
            assert_eq!(a.get(k), Some(v), "property {k}");
        }
        for k in a.keys() {
            assert!(e.contains_key(k), "unexpected property {k}");
        }
    }
}

mod datetime;
mod input;
mod render;
