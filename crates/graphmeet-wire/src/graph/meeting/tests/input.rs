//! Request bodies: create, PATCH (and its merge), createOrGet, and the enums' wire names.

use super::*;

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
