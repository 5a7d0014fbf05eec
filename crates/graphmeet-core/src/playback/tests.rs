//! Unit tests of the play script's times and the artifact cursors.
#![allow(clippy::unwrap_used)]
use super::play::parse_at;
use super::play::parse_start;

use super::*;
use chrono::Duration;
use chrono::TimeZone;

#[test]
fn starts_and_offsets_read_as_documented() {
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
    assert_eq!(parse_start("now", now), Some(now));
    assert_eq!(parse_start("now-PT1H", now), Some(now - Duration::hours(1)));
    assert_eq!(
        parse_start("now+P1DT30M", now),
        Some(now + Duration::minutes(1470))
    );
    assert_eq!(
        parse_start("2026-03-01T10:00:00Z", now),
        Some(Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap())
    );
    assert_eq!(parse_start("yesterday", now), None);
    assert_eq!(
        parse_at("PT1M30.5S", now, "x").unwrap(),
        now + Duration::milliseconds(90_500)
    );
    assert!(parse_at("90", now, "x").is_err());
    assert_eq!(crate::clock::parse_iso_duration("PT"), None);
    assert_eq!(crate::clock::parse_iso_duration("P"), None);
    assert_eq!(
        crate::clock::parse_iso_duration("P99999999999999999999D"),
        None
    );
    assert_eq!(parse_start("now+P99999999D", now), None);
    assert_eq!(parse_start("now\u{e9}PT1H", now), None);
}

#[test]
fn cursors_round_trip_as_tokens() {
    let c = Cursor {
        available_at: Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap(),
        seq: 42,
    };
    assert_eq!(Cursor::from_token(&c.to_token()), Some(c));
    assert_eq!(Cursor::from_token("garbage"), None);
}
