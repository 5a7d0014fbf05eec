//! The event module's tests: ids, iCalUIds and change keys, `$filter`, `Prefer`, zones in input.

use super::*;
use chrono::Utc;
use uuid::Uuid;
#[test]
fn event_ids_look_like_work_account_ids_and_name_their_mailbox() {
    let mailbox = Uuid::new_v4();
    let id = new_event_id(mailbox);
    // `AAMkAD…` or `AAMkAG…`, as the mailbox guid starts with a digit or a letter.
    assert!(id.starts_with("AAMkA"), "{id}");
    assert!(id.ends_with("AAA="), "{id}");
    assert_eq!(id.len(), 152);
    assert!(!id.contains('/') && !id.contains('+'));
    assert_eq!(event_id_mailbox(&id), Some(mailbox));
    assert_eq!(event_id_mailbox("AAMkAGI1AAAt9AHjAAA="), None);
}

#[test]
fn ical_uids_and_change_keys_have_the_documented_shapes() {
    let uid = new_ical_uid(Utc::now());
    assert_eq!(uid.len(), 112);
    assert!(uid.starts_with("040000008200E00074C5B7101A82E008"));
    assert!(uid
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()));
    let mailbox = Uuid::new_v4();
    let key = change_key(mailbox, 7);
    assert_eq!(key.len(), 32);
    assert!(key.ends_with("=="));
    assert_eq!(change_number(&key), 7);
    assert_ne!(change_key(mailbox, 8), key);
}

#[test]
fn filters_parse_and_match() {
    let event = serde_json::json!({"subject": "Prep for customer", "isOnlineMeeting": true, "importance": "high",
        "start": {"dateTime": "2026-03-09T16:00:00.0000000", "timeZone": "UTC"}, "categories": ["Red"],
        "organizer": {"emailAddress": {"address": "a@b.c", "name": "A"}}});
    for (text, want) in [
        ("subject eq 'prep for customer'", true),
        ("isOnlineMeeting eq true and importance eq 'high'", true),
        ("contains(subject,'customer')", true),
        ("startswith(subject,'x') or importance ne 'low'", true),
        ("start/dateTime ge '2026-03-09T00:00:00'", true),
        ("start/dateTime lt 2026-03-09T10:00:00Z", false),
        ("categories/any(c:c eq 'red')", true),
        ("not (organizer/emailAddress/address eq 'a@b.c')", false),
    ] {
        let filter = parse_event_filter(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        assert_eq!(filter.matches(&event), want, "{text}");
    }
    let err = parse_event_filter("colour eq 'red'")
        .err()
        .map(|e| e.message);
    assert_eq!(err.as_deref(), Some("The query specified in the URI is not valid. Could not find a property named 'colour' on type 'microsoft.graph.event'."));
}

#[test]
fn prefer_timezone_is_read_from_any_prefer_header() {
    let headers = [
        "odata.maxpagesize=5",
        r#"outlook.body-content-type="text", outlook.timezone="Pacific Standard Time""#,
    ];
    assert_eq!(
        prefer_timezone(headers.iter().copied()).as_deref(),
        Some("Pacific Standard Time")
    );
    assert_eq!(
        prefer_timezone(["odata.maxpagesize=5"].iter().copied()),
        None
    );
}

#[test]
fn input_reads_zones_and_refuses_unknown_ones() {
    let input = parse_event_input(br#"{"subject":"x","start":{"dateTime":"2019-11-20T13:00:00","timeZone":"Pacific Standard Time"},"attendees":[{"emailAddress":{"address":"a@b.c"},"type":"Required"}]}"#);
    let input = input.unwrap_or_default();
    assert_eq!(
        input.start.map(|w| w.at.to_rfc3339()).as_deref(),
        Some("2019-11-20T21:00:00+00:00")
    );
    assert_eq!(
        input.attendees.map(|a| a[0].kind.clone()).as_deref(),
        Some("required")
    );
    let err = parse_event_input(
        br#"{"start":{"dateTime":"2019-11-20T13:00:00","timeZone":"Greenwich Mean Time"}}"#,
    )
    .err();
    assert_eq!(
        err.map(|e| e.code).as_deref(),
        Some("TimeZoneNotSupportedException")
    );
}
