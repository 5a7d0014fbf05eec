//! The subscription module's tests: resource paths, create bodies and notification payloads.

use super::*;
use chrono::Utc;
use serde_json::json;
use uuid::Uuid;

#[test]
fn parses_the_meeting_resources() {
    assert_eq!(
        ResourcePath::parse("communications/onlineMeetings/getAllTranscripts"),
        Some(ResourcePath::Transcripts(ResourceScope::Tenant))
    );
    assert_eq!(
        ResourcePath::parse("/users/abc/onlineMeetings/getAllRecordings"),
        Some(ResourcePath::Recordings(ResourceScope::Organizer(
            "abc".into()
        )))
    );
    assert_eq!(
        ResourcePath::parse("communications/onlineMeetings/MSo1/transcripts"),
        Some(ResourcePath::Transcripts(ResourceScope::Meeting(
            "MSo1".into()
        )))
    );
    let url = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_X%40thread.v2/0?context=%7b%22Tid%22%3a%22t%22%7d";
    // Once more encoded, as the doc example writes it.
    let twice = url.replace('%', "%25");
    for written in [url.to_owned(), twice] {
        assert_eq!(
            ResourcePath::parse(&format!(
                "communications/onlineMeetings(joinWebUrl='{written}')/meetingCallEvents"
            )),
            Some(ResourcePath::MeetingCallEvents {
                join_web_url: url.to_owned()
            })
        );
    }
    assert_eq!(
        ResourcePath::parse("me/mailFolders('Inbox')/messages"),
        None
    );
    assert_eq!(
        ResourcePath::parse("users/x/onlineMeetings/transcripts"),
        None
    );
}

#[test]
fn create_needs_the_required_properties() {
    let e =
        parse_create(&json!({"changeType":"created","notificationUrl":"https://a","resource":"r"}))
            .unwrap_err();
    assert_eq!(
        e.message,
        "expirationDateTime is a required property for subscription creation."
    );
    let e = parse_create(
        &json!({"changeType":"created","notificationUrl":"https://a","resource":"r",
        "expirationDateTime":"2026-01-01T00:00:00Z","includeResourceData":true}),
    )
    .unwrap_err();
    assert_eq!(e.status, 400);
    let ok = parse_create(
        &json!({"changeType":"created","notificationUrl":"https://a","resource":"r",
        "expirationDateTime":"2026-01-01T00:00:00Z","clientState":"s"}),
    )
    .unwrap();
    assert_eq!(ok.latest_supported_tls_version, "v1_2");
    assert!(!ok.include_resource_data);
}

#[test]
fn lifecycle_payload_is_the_documented_one() {
    let at = chrono::DateTime::parse_from_rfc3339("2019-03-20T11:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let v = lifecycle_notification(
        Uuid::nil(),
        at,
        Uuid::nil(),
        Some("s"),
        LifecycleEvent::Missed,
    );
    assert_eq!(
        v.to_string(),
        r#"{"subscriptionId":"00000000-0000-0000-0000-000000000000","subscriptionExpirationDateTime":"2019-03-20T11:00:00.0000000+00:00","tenantId":"00000000-0000-0000-0000-000000000000","clientState":"s","lifecycleEvent":"missed"}"#
    );
}
