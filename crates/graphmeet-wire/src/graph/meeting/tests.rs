use super::*;
use chrono::TimeZone;
use serde_json::json;

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

#[test]
fn golden_spec_example_v1() {
    let actual = spec_example().to_json(ApiVersion::V1, false);
    assert_json_eq(&actual, &spec_example_json());
}

#[test]
fn golden_spec_example_beta_adds_the_extras() {
    let actual = spec_example().to_json(ApiVersion::Beta, false);
    let mut expected = spec_example_json();
    for key in BETA_ONLY_PROPERTIES {
        expected[*key] = Value::Null;
    }
    // Derived from lobbyBypassSettings.scope (`organization`), and `[]` rather than `null`.
    expected["autoAdmittedUsers"] = json!("everyoneInCompany");
    expected["capabilities"] = json!([]);
    assert_json_eq(&actual, &expected);
}

#[test]
fn every_known_property_is_rendered_and_nothing_else() {
    let v1 = OnlineMeeting::default().to_json(ApiVersion::V1, true);
    let mut keys: Vec<&str> = v1.as_object().unwrap().keys().map(String::as_str).collect();
    let mut want: Vec<&str> = V1_PROPERTIES.to_vec();
    keys.sort_unstable();
    want.sort_unstable();
    assert_eq!(keys, want);
    assert!(v1.as_object().unwrap().values().all(Value::is_null));
    let beta = OnlineMeeting::default().to_json(ApiVersion::Beta, true);
    assert_eq!(
        beta.as_object().unwrap().len(),
        V1_PROPERTIES.len() + BETA_ONLY_PROPERTIES.len()
    );
    assert_eq!(beta["capabilities"], json!([]));
}

#[test]
fn the_response_order_places_every_property_once() {
    let mut placed: Vec<&str> = RESPONSE_ORDER.to_vec();
    let mut known: Vec<&str> = V1_PROPERTIES
        .iter()
        .chain(BETA_ONLY_PROPERTIES)
        .chain(UNDOCUMENTED_PROPERTIES)
        .copied()
        .collect();
    placed.sort_unstable();
    known.sort_unstable();
    assert_eq!(placed, known);
    let mut opts = RenderOptions::new(ApiVersion::Beta, false);
    opts.include_undocumented = true;
    let v = spec_example().to_json_with(&opts);
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, RESPONSE_ORDER);
    // Nested objects in the documented order, `@odata.type` first.
    let text = serde_json::to_string(&v["joinMeetingIdSettings"]).unwrap();
    assert_eq!(
        text,
        r##"{"@odata.type":"#microsoft.graph.joinMeetingIdSettings","isPasscodeRequired":true,"joinMeetingId":"3446741591081","passcode":"ps3JH7YK"}"##
    );
    let organizer = serde_json::to_string(&v["participants"]["organizer"]).unwrap();
    assert!(
        organizer.starts_with(r#"{"upn":"mario@contoso.com","role":"presenter","identity":{"azureApplicationInstance":null,"applicationInstance":null,"application":null,"device":null,"user":{"id":"#),
        "{organizer}"
    );
}

#[test]
fn auto_admitted_users_follows_the_lobby_scope() {
    let cases = [
        (LobbyBypassScope::Organizer, json!("organizer")),
        (LobbyBypassScope::Organization, json!("everyoneInCompany")),
        (
            LobbyBypassScope::OrganizationAndFederated,
            json!("everyoneInSameAndFederatedCompany"),
        ),
        (LobbyBypassScope::Everyone, json!("everyone")),
        (LobbyBypassScope::Invited, json!("invitedUsersInCompany")),
        (
            LobbyBypassScope::OrganizationExcludingGuests,
            json!("everyoneInCompany"),
        ),
        (LobbyBypassScope::UnknownFutureValue, Value::Null),
    ];
    for (scope, want) in cases {
        let m = OnlineMeeting {
            lobby_bypass_settings: Some(LobbyBypassSettings {
                scope: Some(scope),
                is_dial_in_bypass_enabled: Some(false),
            }),
            ..Default::default()
        };
        assert_eq!(
            m.to_json(ApiVersion::Beta, false)["autoAdmittedUsers"],
            want,
            "{scope}"
        );
    }
}

#[test]
fn watermark_gets_its_odata_type() {
    let m = OnlineMeeting {
        watermark_protection: Some(WatermarkProtectionValues {
            is_enabled_for_content_sharing: Some(true),
            is_enabled_for_video: Some(false),
        }),
        ..Default::default()
    };
    assert_eq!(
        m.to_json(ApiVersion::V1, false)["watermarkProtection"],
        json!({"@odata.type": "#microsoft.graph.watermarkProtectionValues",
               "isEnabledForContentSharing": true, "isEnabledForVideo": false})
    );
}

#[test]
fn storage_round_trip_through_serde() {
    let mut m = spec_example();
    // Unset participant lists render as `[]`, so they read back as empty lists.
    if let Some(p) = m.participants.as_mut() {
        for list in [&mut p.attendees, &mut p.producers, &mut p.contributors] {
            list.get_or_insert_with(Vec::new);
        }
    }
    let text = serde_json::to_string(&m).unwrap();
    let back: OnlineMeeting = serde_json::from_str(&text).unwrap();
    assert_eq!(back, m);
    // The rendered form (with @odata.type) reads back too, with the derived values.
    let rendered = m.to_json(ApiVersion::Beta, true);
    let back: OnlineMeeting = serde_json::from_value(rendered).unwrap();
    m.auto_admitted_users = Some(AutoAdmittedUsersType::EveryoneInCompany);
    m.capabilities = Some(Vec::new());
    assert_eq!(back, m);
    // Unknown enum members in stored JSON are errors, not dropped.
    assert!(
        serde_json::from_value::<OnlineMeeting>(json!({"allowMeetingChat": "sometimes"})).is_err()
    );
}

#[test]
fn undocumented_and_select() {
    let m = spec_example();
    let mut opts = RenderOptions::new(ApiVersion::V1, false);
    opts.include_undocumented = true;
    let v = m.to_json_with(&opts);
    assert_eq!(v["joinUrl"], v["joinWebUrl"]);
    assert_eq!(v["meetingCode"], "3446741591081");
    assert_eq!(v["iCalUid"], Value::Null);
    assert!(v.as_object().unwrap().contains_key("autoAdmittedUsers"));
    assert!(!v.as_object().unwrap().contains_key("recording"));
    opts.include_undocumented = false;
    opts.select = Some(vec!["subject".into(), "joinWebUrl".into()]);
    let v = m.to_json_with(&opts);
    assert_eq!(v.as_object().unwrap().len(), 2);
    assert_eq!(v["subject"], "User meeting");
}

// ---- Prefer: include-unknown-enum-members --------------------------------------------------

fn meeting_with_evolvable_members() -> OnlineMeeting {
    let role = |r| MeetingParticipantInfo {
        role: Some(r),
        ..Default::default()
    };
    OnlineMeeting {
        lobby_bypass_settings: Some(LobbyBypassSettings {
            scope: Some(LobbyBypassScope::OrganizationExcludingGuests),
            is_dial_in_bypass_enabled: Some(true),
        }),
        anonymize_identity_for_roles: Some(vec![OnlineMeetingRole::Attendee]),
        participants: Some(MeetingParticipants {
            organizer: Some(role(OnlineMeetingRole::Coorganizer)),
            attendees: Some(vec![
                role(OnlineMeetingRole::Producer),
                role(OnlineMeetingRole::Presenter),
                role(OnlineMeetingRole::Attendee),
            ]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[test]
fn prefer_mapping() {
    let m = meeting_with_evolvable_members();
    let without = m.to_json(ApiVersion::V1, false);
    assert_eq!(
        without["lobbyBypassSettings"]["scope"],
        "unknownFutureValue"
    );
    assert_eq!(
        without["participants"]["organizer"]["role"],
        "unknownFutureValue"
    );
    assert_eq!(
        without["participants"]["attendees"],
        json!([
            {"identity": null, "upn": null, "role": "unknownFutureValue"},
            {"identity": null, "upn": null, "role": "presenter"},
            {"identity": null, "upn": null, "role": "attendee"}
        ])
    );
    let with = m.to_json(ApiVersion::V1, true);
    assert_eq!(
        with["lobbyBypassSettings"]["scope"],
        "organizationExcludingGuests"
    );
    assert_eq!(with["participants"]["organizer"]["role"], "coorganizer");
    assert_eq!(with["participants"]["attendees"][0]["role"], "producer");
    // The stored value is untouched.
    assert_eq!(
        m.participants
            .as_ref()
            .unwrap()
            .organizer
            .as_ref()
            .unwrap()
            .role,
        Some(OnlineMeetingRole::Coorganizer)
    );
    assert_eq!(
        LobbyBypassScope::Invited.for_output(false),
        LobbyBypassScope::UnknownFutureValue
    );
    assert_eq!(
        LobbyBypassScope::Invited.for_output(true),
        LobbyBypassScope::Invited
    );
    assert_eq!(
        LobbyBypassScope::Everyone.for_output(false),
        LobbyBypassScope::Everyone
    );
}

#[test]
fn prefer_header_values() {
    assert!(prefers_unknown_enum_members("include-unknown-enum-members"));
    assert!(prefers_unknown_enum_members(
        "odata.maxpagesize=5, Include-Unknown-Enum-Members"
    ));
    assert!(!prefers_unknown_enum_members("return=minimal"));
}

// ---- GraphDateTime -------------------------------------------------------------------------

#[test]
fn datetime_parse_table() {
    let cases = [
        (
            "2019-07-12T21:30:34.2444915Z",
            "2019-07-12T21:30:34.2444915Z",
        ),
        (
            "2019-07-12T14:30:34.2444915-07:00",
            "2019-07-12T21:30:34.2444915Z",
        ),
        ("2026-12-01T15:00:00+00:00", "2026-12-01T15:00:00Z"),
        (
            "2026-12-01T14:30:34.244491-07:00",
            "2026-12-01T21:30:34.244491Z",
        ),
        ("2026-12-01T15:00:00", "2026-12-01T15:00:00Z"),
        ("2026-12-01T21:30:34.244Z", "2026-12-01T21:30:34.244Z"),
        (
            "2020-07-03T00:23:39.4446420Z",
            "2020-07-03T00:23:39.444642Z",
        ),
        ("2025-07-07T06:00:00.0000000Z", "2025-07-07T06:00:00Z"),
        (
            "2026-12-01T21:30:34.123456789Z",
            "2026-12-01T21:30:34.1234567Z",
        ),
        (
            "2026-12-01T21:30:34.1234567891234Z",
            "2026-12-01T21:30:34.1234567Z",
        ),
        ("2026-12-01T21:30:34.5Z", "2026-12-01T21:30:34.5Z"),
        ("2026-12-01T21:30:34+0530", "2026-12-01T16:00:34Z"),
        ("2026-12-01T01:30:00+05:30", "2026-11-30T20:00:00Z"),
        ("2026-12-01T21:30:34z", "2026-12-01T21:30:34Z"),
        ("2026-12-01T21:30Z", "2026-12-01T21:30:00Z"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
    ];
    for (input, output) in cases {
        assert_eq!(
            GraphDateTime::parse(input).map(|d| d.to_wire()),
            Ok(output.to_owned()),
            "{input}"
        );
    }
}

#[test]
fn datetime_rejects_garbage() {
    for bad in [
        "",
        "yesterday",
        "2026-12-01",
        "2026-13-01T00:00:00Z",
        "2026-12-01T25:00:00Z",
        "2026-12-01T10:00:00.Z",
        "2026-12-01T10:00:00.12a",
        "2026-12-01T10:00:00+25:00",
        "2026-12-01T10:00:00+5",
        "12/01/2026 10:00",
    ] {
        assert!(GraphDateTime::parse(bad).is_err(), "{bad}");
    }
}

/// The 400 a create or PATCH body with this `startDateTime` gets, as a Graph error.
fn start_date_time_error(value: &str) -> GraphError {
    let body = serde_json::to_vec(&json!({ "startDateTime": value })).unwrap();
    parse_input(&body).unwrap_err().to_graph_error()
}

fn assert_invalid_start(value: &str) {
    let e = start_date_time_error(value);
    assert_eq!((e.status, e.code.as_str()), (400, "BadRequest"), "{value}");
    assert_eq!(
        e.message,
        format!("Invalid value '{value}' for property 'startDateTime': expected an ISO 8601 date and time (Edm.DateTimeOffset), e.g. '2019-07-12T14:30:34.2444915-07:00'.")
    );
}

#[test]
fn a_multibyte_character_in_the_offset_is_a_400_not_a_panic() {
    for value in [
        "2027-01-01T10:00:00+€1",
        "2027-01-01T10:00:00-1€",
        "2027-01-01T10:00:00+€€",
        "2027-01-01T10:00:00+0€:0",
        "2027-01-01T10:00:00+é0:0",
        "2027-01-01T10:00:00+ñ",
        "2027-01-01T10:00:00.1+€1",
    ] {
        assert_invalid_start(value);
    }
}

#[test]
fn a_date_beyond_graphs_range_is_a_400_not_an_overflow() {
    for value in [
        "+262142-12-31T23:59:59Z",
        "+262143-01-01T00:00:00Z",
        "-262143-01-01T00:00:00Z",
        "10000-01-01T00:00:00Z",
        "+10000-01-01T00:00:00Z",
        "0000-12-31T23:59:59Z",
        // In range locally, out of range in UTC.
        "9999-12-31T23:59:59-01:00",
        "0001-01-01T00:00:00+01:00",
    ] {
        assert_invalid_start(value);
        let body =
            serde_json::to_vec(&json!({ "externalId": "x", "startDateTime": value })).unwrap();
        assert!(
            parse_create_or_get(&body, ApiVersion::V1).is_err(),
            "{value}"
        );
    }
}

#[test]
fn the_edges_of_graphs_range_parse_and_defaults_saturate() {
    let max = dt("9999-12-31T23:59:59.9999999Z");
    assert_eq!(max, GraphDateTime::MAX);
    assert_eq!(dt("0001-01-01T00:00:00Z"), GraphDateTime::MIN);
    assert_eq!(dt("9999-12-31T23:59:59+00:00"), dt("9999-12-31T23:59:59Z"));
    // start + 1 h (the createOrGet and create default) and end + 60 days (expiry) saturate.
    assert_eq!(max + Duration::hours(1), GraphDateTime::MAX);
    assert_eq!(
        dt("9999-12-31T23:30:00Z") + Duration::days(60),
        GraphDateTime::MAX
    );
    assert_eq!(GraphDateTime::MIN + Duration::hours(-1), GraphDateTime::MIN);
    assert_eq!(max.checked_add(Duration::hours(1)), None);
    assert_eq!(
        dt("2026-01-01T00:00:00Z").checked_add(Duration::hours(1)),
        Some(dt("2026-01-01T01:00:00Z"))
    );
    assert_eq!(
        GraphDateTime::new(chrono::DateTime::<Utc>::MAX_UTC),
        GraphDateTime::MAX
    );
    assert_eq!(
        GraphDateTime::new(chrono::DateTime::<Utc>::MIN_UTC),
        GraphDateTime::MIN
    );
    assert_eq!(GraphDateTime::MAX.to_wire(), "9999-12-31T23:59:59.9999999Z");
    let input = parse_create_or_get(
        br#"{"externalId":"a","startDateTime":"9999-12-31T23:59:59Z"}"#,
        ApiVersion::V1,
    )
    .unwrap();
    let (s, e) = input.resolve_dates(Utc::now()).unwrap();
    assert_eq!((s, e), (dt("9999-12-31T23:59:59Z"), GraphDateTime::MAX));
    // The saturated values survive storage (they parse back).
    let stored = serde_json::to_value(GraphDateTime::MAX).unwrap();
    assert_eq!(
        serde_json::from_value::<GraphDateTime>(stored).unwrap(),
        GraphDateTime::MAX
    );
}

#[test]
fn datetime_output_has_at_most_seven_digits_and_truncates() {
    let at =
        Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap() + Duration::nanoseconds(123_456_789);
    let d = GraphDateTime::from(at);
    assert_eq!(d.to_wire(), "2024-01-02T03:04:05.1234567Z");
    assert_eq!(d.as_utc().timestamp_subsec_nanos(), 123_456_700);
    assert_eq!(
        serde_json::to_value(d).unwrap(),
        json!("2024-01-02T03:04:05.1234567Z")
    );
    let back: GraphDateTime =
        serde_json::from_value(json!("2024-01-02T03:04:05.1234567Z")).unwrap();
    assert_eq!(back, d);
    // Whole seconds print no fraction; trailing zeros are dropped (ODataLib's `.FFFFFFF`).
    let whole = GraphDateTime::from(Utc.with_ymd_and_hms(2019, 7, 12, 21, 30, 0).unwrap());
    assert_eq!(whole.to_wire(), "2019-07-12T21:30:00Z");
    let tenth = GraphDateTime::from(whole.as_utc() + Duration::milliseconds(100));
    assert_eq!(tenth.to_wire(), "2019-07-12T21:30:00.1Z");
    // Both forms read back.
    assert_eq!(GraphDateTime::parse(&whole.to_wire()), Ok(whole));
    assert_eq!(GraphDateTime::parse(&tenth.to_wire()), Ok(tenth));
}

// ---- request bodies ------------------------------------------------------------------------

#[test]
fn msgraph_sdk_create_body() {
    let body = br##"{"@odata.type": "#microsoft.graph.onlineMeeting", "joinMeetingIdSettings": {"isPasscodeRequired": true}, "lobbyBypassSettings": {"isDialInBypassEnabled": false, "scope": "organization"}, "subject": "Compat meeting", "endDateTime": "2026-12-01T15:00:00+00:00", "participants": {"attendees": [{"identity": {"user": {"id": "7b2a5a2b-0000-0000-0000-000000000000"}}, "role": "attendee", "upn": "luigi@contoso.onmicrosoft.com"}]}, "startDateTime": "2026-12-01T14:30:34.244491-07:00"}"##;
    let input = parse_input(body).unwrap();
    assert_eq!(input.subject.as_deref(), Some("Compat meeting"));
    assert_eq!(
        input
            .join_meeting_id_settings
            .and_then(|s| s.is_passcode_required),
        Some(true)
    );
    assert_eq!(
        input.lobby_bypass_settings,
        Some(LobbyBypassSettings {
            scope: Some(LobbyBypassScope::Organization),
            is_dial_in_bypass_enabled: Some(false)
        })
    );
    assert_eq!(
        input.start_date_time,
        Some(dt("2026-12-01T21:30:34.244491Z"))
    );
    let participants = input.participants.unwrap();
    assert!(participants.organizer.is_none());
    let attendee = &participants.attendees.unwrap()[0];
    assert_eq!(attendee.role, Some(OnlineMeetingRole::Attendee));
    assert_eq!(
        attendee.upn.as_deref(),
        Some("luigi@contoso.onmicrosoft.com")
    );
    assert_eq!(
        attendee
            .identity
            .as_ref()
            .unwrap()
            .user
            .as_ref()
            .unwrap()
            .id
            .as_deref(),
        Some("7b2a5a2b-0000-0000-0000-000000000000")
    );
}

#[test]
fn graph_client_body_with_nulls_and_unknowns() {
    let body = br#"{"subject":"x","lobbyBypassSettings":null,"startDateTime":"2026-12-01T21:30:34.244Z","endDateTime":null,"someFutureProperty":{"a":1},"id":"ignored","joinWebUrl":5}"#;
    let input = parse_input(body).unwrap();
    assert_eq!(input.subject.as_deref(), Some("x"));
    assert_eq!(input.lobby_bypass_settings, None);
    assert_eq!(input.end_date_time, None);
    assert_eq!(input.start_date_time, Some(dt("2026-12-01T21:30:34.244Z")));
    assert_eq!(parse_input(b"{}").unwrap(), OnlineMeetingInput::default());
}

#[test]
fn input_errors_name_the_property() {
    let cases: [(&[u8], &str, &str); 8] = [
        (br#"{"subject": 5}"#, "subject", "Invalid value for property 'subject': expected a string (Edm.String), but found the number 5."),
        (br#"{"allowRecording": "yes"}"#, "allowRecording", "Invalid value for property 'allowRecording': expected a Boolean (Edm.Boolean), but found the string 'yes'."),
        (br#"{"lobbyBypassSettings": {"scope": "nobody"}}"#, "lobbyBypassSettings.scope", "Invalid value 'nobody' for property 'lobbyBypassSettings.scope': it is not a member of enum type 'microsoft.graph.lobbyBypassScope'. Allowed values: organizer, organization, organizationAndFederated, everyone, unknownFutureValue, invited, organizationExcludingGuests."),
        (br#"{"allowMeetingChat": true}"#, "allowMeetingChat", "Invalid value for property 'allowMeetingChat': expected a string member of enum type 'microsoft.graph.meetingChatMode', but found the Boolean true."),
        (br#"{"startDateTime": "tomorrow"}"#, "startDateTime", "Invalid value 'tomorrow' for property 'startDateTime': expected an ISO 8601 date and time (Edm.DateTimeOffset), e.g. '2019-07-12T14:30:34.2444915-07:00'."),
        (br#"{"participants": {"attendees": [{"role": "attendee"}, {"role": "boss"}]}}"#, "participants.attendees[1].role", "Invalid value 'boss' for property 'participants.attendees[1].role'"),
        (br#"{"participants": {"attendees": {}}}"#, "participants.attendees", "Invalid value for property 'participants.attendees': expected an array, but found an object."),
        (br#"{"joinMeetingIdSettings": []}"#, "joinMeetingIdSettings", "Invalid value for property 'joinMeetingIdSettings': expected an object, but found an array."),
    ];
    for (body, property, message) in cases {
        let e = parse_input(body).unwrap_err();
        assert_eq!(e.property.as_deref(), Some(property));
        assert!(e.message.starts_with(message), "{}", e.message);
        let g = e.to_graph_error();
        assert_eq!((g.status, g.code.as_str()), (400, "BadRequest"));
    }
}

#[test]
fn unreadable_bodies() {
    for body in [&b""[..], b"not json", b"[]", b"\"x\"", b"{\"subject\":"] {
        let e = parse_input(body).unwrap_err();
        assert_eq!(e.property, None);
        assert!(e
            .message
            .starts_with("Unable to read JSON request payload."));
    }
}

#[test]
fn enum_input_is_case_insensitive_but_strict_on_membership() {
    let input =
        parse_input(br#"{"allowedPresenters": "RoleIsPresenter", "allowMeetingChat": "limited"}"#)
            .unwrap();
    assert_eq!(
        input.allowed_presenters,
        Some(OnlineMeetingPresenters::RoleIsPresenter)
    );
    assert_eq!(input.allow_meeting_chat, Some(MeetingChatMode::Limited));
    assert!(parse_input(br#"{"allowLiveShare": "maybe"}"#).is_err());
    assert!(parse_input(br#"{"shareMeetingChatHistoryDefault": "some"}"#).is_err());
    assert!(parse_input(br#"{"allowedLobbyAdmitters": "everyone"}"#).is_err());
    assert!(parse_input(br#"{"anonymizeIdentityForRoles": ["guest"]}"#).is_err());
    assert!(parse_input(br#"{"broadcastSettings": {"allowedAudience": "world"}}"#).is_err());
}

#[test]
fn patch_merge() {
    let mut m = spec_example();
    let patch = parse_input(
        br##"{"@odata.type":"#microsoft.graph.onlineMeeting","subject":"New","participants":{"attendees":[{"upn":"a@b","role":"presenter"}]},"joinMeetingIdSettings":{"isPasscodeRequired":false,"passcode":"mine"}}"##,
    )
    .unwrap();
    patch.apply_to(&mut m);
    assert_eq!(m.subject.as_deref(), Some("New"));
    let p = m.participants.as_ref().unwrap();
    assert_eq!(
        p.organizer.as_ref().unwrap().upn.as_deref(),
        Some("mario@contoso.com")
    );
    assert_eq!(p.attendees.as_ref().unwrap().len(), 1);
    let s = m.join_meeting_id_settings.as_ref().unwrap();
    assert_eq!(s.is_passcode_required, Some(false));
    assert_eq!(s.passcode.as_deref(), Some("ps3JH7YK")); // custom passcodes are not taken
    assert_eq!(m.start_date_time, Some(dt("2019-07-12T21:30:34.2444915Z")));
}

#[test]
fn patch_merges_complex_properties_and_replaces_collections() {
    let mut m = spec_example();
    m.watermark_protection = Some(WatermarkProtectionValues {
        is_enabled_for_content_sharing: Some(true),
        is_enabled_for_video: Some(false),
    });
    m.broadcast_settings = Some(BroadcastMeetingSettings {
        allowed_audience: Some(BroadcastMeetingAudience::Organization),
        captions: Some(BroadcastMeetingCaptionSettings {
            is_caption_enabled: Some(true),
            spoken_language: Some("en-us".into()),
            translation_languages: Some(vec!["fr-fr".into(), "de-de".into()]),
        }),
        ..Default::default()
    });
    m.anonymize_identity_for_roles = Some(vec![OnlineMeetingRole::Attendee]);
    let thread = m.chat_info.clone();
    // The documented update example 2, and partial values of the other complex properties.
    let patch = parse_input(
        br#"{"lobbyBypassSettings": {"isDialInBypassEnabled": true},
             "watermarkProtection": {"isEnabledForVideo": true},
             "chatRestrictions": {"allowTextOnly": true},
             "broadcastSettings": {"captions": {"translationLanguages": ["es-es"]}, "isRecordingEnabled": true},
             "chatInfo": {"threadId": "19:other@thread.v2"},
             "participants": {"attendees": [{"upn": "a@b"}]}}"#,
    )
    .unwrap();
    patch.apply_to(&mut m);
    assert_eq!(
        m.lobby_bypass_settings,
        Some(LobbyBypassSettings {
            scope: Some(LobbyBypassScope::Organization),
            is_dial_in_bypass_enabled: Some(true),
        })
    );
    assert_eq!(
        m.watermark_protection,
        Some(WatermarkProtectionValues {
            is_enabled_for_content_sharing: Some(true),
            is_enabled_for_video: Some(true),
        })
    );
    assert_eq!(m.chat_restrictions.unwrap().allow_text_only, Some(true));
    let broadcast = m.broadcast_settings.unwrap();
    assert_eq!(
        broadcast.allowed_audience,
        Some(BroadcastMeetingAudience::Organization)
    );
    assert_eq!(broadcast.is_recording_enabled, Some(true));
    let captions = broadcast.captions.unwrap();
    assert_eq!(captions.spoken_language.as_deref(), Some("en-us"));
    assert_eq!(captions.is_caption_enabled, Some(true));
    // A collection inside is replaced whole.
    assert_eq!(captions.translation_languages, Some(vec!["es-es".into()]));
    // chatInfo is the server's; attendees replaced whole; untouched values stay.
    assert_eq!(m.chat_info, thread);
    assert_eq!(
        m.participants
            .as_ref()
            .unwrap()
            .attendees
            .as_ref()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        m.anonymize_identity_for_roles,
        Some(vec![OnlineMeetingRole::Attendee])
    );
}

// ---- createOrGet ---------------------------------------------------------------------------

#[test]
fn create_or_get_bodies() {
    let minimal = parse_create_or_get(br#"{"externalId": "ext-min"}"#, ApiVersion::V1).unwrap();
    assert_eq!(minimal.external_id, "ext-min");
    assert_eq!(minimal.start_date_time, None);
    let full = parse_create_or_get(
        br#"{"endDateTime": "2026-12-01T15:00:00+00:00", "externalId": "ext-123", "startDateTime": "2026-12-01T14:30:00+00:00", "subject": "s", "chatInfo": {"threadId": "19:x@thread.tacv2"}, "joinMeetingIdSettings": {"isPasscodeRequired": true}, "@odata.type": "x"}"#,
        ApiVersion::V1,
    )
    .unwrap();
    assert_eq!(full.subject.as_deref(), Some("s"));
    assert_eq!(full.chat_info, None, "chatInfo is beta-only");
    let beta = parse_create_or_get(
        br#"{"externalId": "e", "chatInfo": {"threadId": "19:x@thread.tacv2", "messageId": "0"}}"#,
        ApiVersion::Beta,
    )
    .unwrap();
    assert_eq!(
        beta.chat_info.and_then(|c| c.thread_id).as_deref(),
        Some("19:x@thread.tacv2")
    );
}

#[test]
fn create_or_get_errors() {
    for body in [&br#"{}"#[..], br#"{"externalId": null, "subject": "s"}"#] {
        let e = parse_create_or_get(body, ApiVersion::V1).unwrap_err();
        assert_eq!(e.message, "One or more parameters of the operation 'createOrGet' are missing from the request payload. The missing parameters are: externalId.");
    }
    let e = parse_create_or_get(br#"{"externalId": 7}"#, ApiVersion::V1).unwrap_err();
    assert_eq!(e.property.as_deref(), Some("externalId"));
    let e =
        parse_create_or_get(br#"{"externalId": "e", "subject": []}"#, ApiVersion::V1).unwrap_err();
    assert_eq!(e.property.as_deref(), Some("subject"));
}

#[test]
fn create_or_get_date_defaults() {
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 10, 0, 0).unwrap();
    let input = |body: &[u8]| parse_create_or_get(body, ApiVersion::V1).unwrap();
    let (s, e) = input(br#"{"externalId":"a"}"#).resolve_dates(now).unwrap();
    assert_eq!(
        (s.to_wire().as_str(), e.to_wire().as_str()),
        ("2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z")
    );
    let (s, e) = input(br#"{"externalId":"a","startDateTime":"2026-02-01T08:00:00Z"}"#)
        .resolve_dates(now)
        .unwrap();
    assert_eq!(e.as_utc() - s.as_utc(), Duration::hours(1));
    assert!(
        input(br#"{"externalId":"a","endDateTime":"2026-02-01T08:00:00Z"}"#)
            .resolve_dates(now)
            .is_err()
    );
    assert!(input(br#"{"externalId":"a","startDateTime":"2026-02-01T09:00:00Z","endDateTime":"2026-02-01T08:00:00Z"}"#)
        .resolve_dates(now)
        .is_err());
}

#[test]
fn enum_wire_names() {
    assert_eq!(OnlineMeetingRole::Coorganizer.as_str(), "coorganizer");
    assert_eq!(
        AllowedLobbyAdmitterRoles::OrganizerAndCoOrganizersAndPresenters.as_str(),
        "organizerAndCoOrganizersAndPresenters"
    );
    assert_eq!(OnlineMeetingType::Meetnow.as_str(), "meetnow");
    assert_eq!(MeetingChatHistoryDefaultMode::None.as_str(), "none");
    assert_eq!(
        AutoAdmittedUsersType::EveryoneInSameAndFederatedCompany.as_str(),
        "everyoneInSameAndFederatedCompany"
    );
    assert_eq!(
        BroadcastMeetingAudience::RoleIsAttendee.as_str(),
        "roleIsAttendee"
    );
    for m in LobbyBypassScope::ALL {
        assert_eq!(LobbyBypassScope::from_wire(m.as_str()), Some(*m));
    }
    assert_eq!(LobbyBypassScope::from_wire("Organization"), None);
}
