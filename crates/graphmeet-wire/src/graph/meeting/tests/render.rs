//! Rendering: the golden spec example on v1.0 and beta, property order, nested `@odata.type`,
//! `$select`, the storage round trip, and `Prefer: include-unknown-enum-members`.

use super::*;

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
