//! Fuzzes the onlineMeeting request-body decoders (create / PATCH and createOrGet): on any
//! bytes they must return a value or Graph's 400 (never panic, overflow or hang), every date
//! they accept must lie in Graph's range and survive its wire form, and the defaults computed
//! from it (end = start + 1 h, expiry = end + 60 days) and the rendering of the result must
//! not panic either.

#![no_main]

use chrono::{DateTime, Duration, Utc};
use graphmeet_wire::graph::{
    parse_create_or_get, parse_input, ApiVersion, GraphDateTime, OnlineMeeting,
};
use libfuzzer_sys::fuzz_target;

fn check(d: GraphDateTime) {
    assert!(GraphDateTime::MIN <= d && d <= GraphDateTime::MAX, "{d:?}");
    assert_eq!(GraphDateTime::parse(&d.to_wire()), Ok(d));
    let _ = d + Duration::hours(1);
    let _ = d + Duration::days(60);
}

fuzz_target!(|data: &[u8]| {
    match parse_input(data) {
        Ok(input) => {
            for d in [input.start_date_time, input.end_date_time].into_iter().flatten() {
                check(d);
            }
            let mut meeting = OnlineMeeting::default();
            input.apply_to(&mut meeting);
            let _ = meeting.to_json(ApiVersion::Beta, false);
        }
        Err(e) => assert_eq!(e.to_graph_error().status, 400),
    }
    let now = DateTime::<Utc>::from_timestamp(1_767_225_600, 0).unwrap_or_default();
    for version in [ApiVersion::V1, ApiVersion::Beta] {
        match parse_create_or_get(data, version) {
            Ok(input) => {
                if let Ok((start, end)) = input.resolve_dates(now) {
                    check(start);
                    check(end);
                    assert!(start <= end);
                }
            }
            Err(e) => assert_eq!(e.to_graph_error().status, 400),
        }
    }
});
