//! `GraphDateTime`: what parses, what is a 400, Graph's range and the printed precision.

use super::*;

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
