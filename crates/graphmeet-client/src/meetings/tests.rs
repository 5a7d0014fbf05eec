//! The meetings client's tests: request bodies, filters and their encoding, organizers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use graphmeet_wire::graph::meeting::{
    Identity, IdentitySet, MeetingParticipantInfo, MeetingParticipants,
};
use graphmeet_wire::graph::GraphDateTime;
use serde_json::json;

#[test]
fn filter_is_encoded_like_msgraph_sdk() {
    let url = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_X%40thread.v2/0?context=%7b%22Tid%22%3a%22t%22%7d";
    let encoded = encode_query_value(&join_web_url_filter(url));
    assert_eq!(
        encoded,
        "JoinWebUrl%20eq%20%27https%3A%2F%2Fteams.microsoft.com%2Fl%2Fmeetup-join%2F19%253ameeting_X%2540thread.v2%2F0%3Fcontext%3D%257b%2522Tid%2522%253a%2522t%2522%257d%27"
    );
    assert_eq!(
        encode_query_value(&join_meeting_id_filter("1873595337977")),
        "joinMeetingIdSettings%2FjoinMeetingId%20eq%20%271873595337977%27"
    );
    assert_eq!(join_web_url_filter("a'b"), "JoinWebUrl eq 'a''b'");
}

#[test]
fn bodies_carry_only_what_is_set() {
    let meeting = OnlineMeeting {
        id: Some("read-only".into()),
        join_web_url: Some("https://x".into()),
        subject: Some("Standup".into()),
        start_date_time: Some(GraphDateTime::parse("2026-03-01T09:00:00Z").unwrap()),
        participants: Some(MeetingParticipants {
            attendees: Some(vec![MeetingParticipantInfo {
                identity: Some(IdentitySet {
                    user: Some(Identity {
                        id: Some("u1".into()),
                        ..Identity::default()
                    }),
                    ..IdentitySet::default()
                }),
                upn: Some("a@b.c".into()),
                role: None,
            }]),
            ..MeetingParticipants::default()
        }),
        ..OnlineMeeting::default()
    };
    let body = request_body(&meeting).unwrap();
    assert_eq!(
        body,
        json!({
            "subject": "Standup",
            "startDateTime": body["startDateTime"].clone(),
            "participants": {"attendees": [{"identity": {"user": {"id": "u1"}}, "upn": "a@b.c"}]}
        })
    );
    assert!(body["startDateTime"]
        .as_str()
        .unwrap()
        .starts_with("2026-03-01T09:00:00"));
    assert_eq!(request_body(&OnlineMeeting::default()).unwrap(), json!({}));
}

#[test]
fn organizers() {
    assert_eq!(
        Organizer::parse("a@b.c"),
        Organizer::Upn("a@b.c".to_owned())
    );
    assert_eq!(
        Organizer::parse("11111111-2222-3333-4444-555555555555"),
        Organizer::ObjectId("11111111-2222-3333-4444-555555555555".to_owned())
    );
}

#[test]
fn strip_nulls_is_recursive() {
    let mut v = json!({"a": null, "b": {"c": null, "d": [{"e": null, "f": 1}]}});
    strip_nulls(&mut v);
    assert_eq!(v, json!({"b": {"d": [{"f": 1}]}}));
}
