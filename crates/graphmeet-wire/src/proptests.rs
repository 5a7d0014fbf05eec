//! Property tests of every decoder that reads what a client sends: the onlineMeeting bodies,
//! `$filter` / `$select`, meeting ids, the token form and the cmdlet lexer, parser and
//! wildcards. Each must answer every input with a value or a typed error, never a panic; the
//! codecs must also round-trip.

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::cmdlet::{self, lexer, parse_line, parse_script, to_powershell, wildcard};
use crate::graph::meeting::{parse_create_or_get, parse_input, GraphDateTime};
use crate::graph::{parse_entity_query, parse_query, ApiVersion, MeetingFilter, MeetingId};
use crate::token::TokenForm;

fn config() -> ProptestConfig {
    ProptestConfig::with_cases(256)
}

/// Text made of the characters JSON, dates and PowerShell are built from, plus a few multibyte
/// ones, so that random strings reach past the first check of each decoder.
fn jsonish() -> impl Strategy<Value = String> {
    r#"[{}\[\]":,0-9a-zA-Z+\-.:TZtz €é\\/\n@$()'`*?;|=#<>&ßİ]{0,120}"#
}

/// A date-and-time-like string: well-formed ones with any year (far outside Graph's range
/// included), odd offsets and fractions, and random ones from the date alphabet.
fn datetime_text() -> impl Strategy<Value = String> {
    let well_formed = (
        -300_000i64..300_000,
        0u32..14,
        0u32..33,
        0u32..25,
        0u32..61,
        0u32..62,
        proptest::option::of("[0-9]{0,10}"),
        prop_oneof![
            Just(String::new()),
            Just("Z".to_owned()),
            "[+-][0-9]{2}:?[0-9]{2}",
            "[+-][0-9]{1,5}",
            "[+-][€é0-9:]{1,5}",
        ],
    )
        .prop_map(|(y, mo, d, h, mi, s, fraction, offset)| {
            let year = if (0..10_000).contains(&y) {
                format!("{y:04}")
            } else {
                format!("{y:+}")
            };
            let fraction = fraction.map(|f| format!(".{f}")).unwrap_or_default();
            format!("{year}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{fraction}{offset}")
        });
    prop_oneof![
        4 => well_formed,
        1 => "[0-9T:+\\-.Zz €é]{0,40}",
        1 => any::<String>(),
    ]
}

/// An enum member as clients send it: a real one in any case, or anything else.
fn enum_text(members: &'static [&'static str]) -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => (proptest::sample::select(members), any::<bool>()).prop_map(|(m, upper)| {
            Value::String(if upper { m.to_uppercase() } else { m.to_owned() })
        }),
        1 => any::<String>().prop_map(Value::String),
        1 => Just(Value::Null),
        1 => any::<i64>().prop_map(|n| json!(n)),
        1 => any::<bool>().prop_map(Value::Bool),
    ]
}

fn datetime_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => datetime_text().prop_map(Value::String),
        1 => Just(Value::Null),
        1 => any::<f64>().prop_map(|f| json!(f)),
        1 => Just(json!({})),
    ]
}

const ROLES: &[&str] = &[
    "attendee",
    "presenter",
    "producer",
    "coorganizer",
    "unknownFutureValue",
];

/// A structured onlineMeeting body with random strings where dates and enum members go.
fn meeting_body() -> impl Strategy<Value = Value> {
    (
        proptest::option::of(datetime_value()),
        proptest::option::of(datetime_value()),
        proptest::option::of(enum_text(&[
            "everyone",
            "organization",
            "roleIsPresenter",
            "organizer",
            "unknownFutureValue",
        ])),
        proptest::option::of(enum_text(&["enabled", "disabled", "limited"])),
        proptest::option::of(enum_text(&[
            "organizer",
            "organization",
            "organizationAndFederated",
            "everyone",
            "invited",
            "organizationExcludingGuests",
        ])),
        proptest::collection::vec(enum_text(ROLES), 0..4),
        proptest::option::of(any::<String>()),
        proptest::option::of(any::<String>()),
        proptest::option::of(enum_text(&["all", "none"])),
    )
        .prop_map(
            |(start, end, presenters, chat, scope, roles, subject, external_id, history)| {
                let mut body = Map::new();
                let mut put = |k: &str, v: Option<Value>| {
                    if let Some(v) = v {
                        body.insert(k.to_owned(), v);
                    }
                };
                put("startDateTime", start);
                put("endDateTime", end);
                put("allowedPresenters", presenters);
                put("allowMeetingChat", chat);
                put("lobbyBypassSettings", scope.map(|s| json!({ "scope": s })));
                put("shareMeetingChatHistoryDefault", history);
                put("subject", subject.map(Value::String));
                put("externalId", external_id.map(Value::String));
                let attendees: Vec<Value> = roles
                    .iter()
                    .map(|r| json!({ "upn": "a@b.c", "role": r }))
                    .collect();
                put(
                    "participants",
                    Some(json!({ "attendees": attendees, "organizer": { "role": roles.first() } })),
                );
                put("anonymizeIdentityForRoles", Some(Value::Array(roles)));
                Value::Object(body)
            },
        )
}

/// What every decoded date must satisfy: inside Graph's range, and stable through its wire
/// form.
fn check_date(d: GraphDateTime) -> Result<(), TestCaseError> {
    prop_assert!(GraphDateTime::MIN <= d && d <= GraphDateTime::MAX);
    prop_assert_eq!(GraphDateTime::parse(&d.to_wire()), Ok(d));
    // The wire form is chrono's `%Y-%m-%dT%H:%M:%S`, then the ticks' significant digits.
    let ticks = (chrono::Timelike::nanosecond(&d.as_utc()) % 1_000_000_000) / 100;
    let fraction = format!("{ticks:07}");
    let fraction = fraction.trim_end_matches('0');
    let expected = format!(
        "{}{}{fraction}Z",
        d.as_utc().format("%Y-%m-%dT%H:%M:%S"),
        if ticks == 0 { "" } else { "." }
    );
    prop_assert_eq!(d.to_wire(), expected);
    // The defaults computed from it never overflow.
    let _ = d + chrono::Duration::hours(1);
    let _ = d + chrono::Duration::days(60);
    Ok(())
}

/// Runs every body decoder on `bytes`: each must return, and an error must be a Graph 400.
fn decode_everything(bytes: &[u8]) -> Result<(), TestCaseError> {
    match parse_input(bytes) {
        Ok(input) => {
            for d in [input.start_date_time, input.end_date_time]
                .into_iter()
                .flatten()
            {
                check_date(d)?;
            }
        }
        Err(e) => {
            prop_assert!(!e.message.is_empty());
            prop_assert_eq!(e.to_graph_error().status, 400);
        }
    }
    for version in [ApiVersion::V1, ApiVersion::Beta] {
        match parse_create_or_get(bytes, version) {
            Ok(input) => {
                if let Ok((start, end)) = input.resolve_dates(chrono::Utc::now()) {
                    check_date(start)?;
                    check_date(end)?;
                    prop_assert!(start <= end);
                }
            }
            Err(e) => prop_assert_eq!(e.to_graph_error().status, 400),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn meeting_decoder_answers_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        decode_everything(&bytes)?;
    }

    #[test]
    fn meeting_decoder_answers_arbitrary_jsonish_text(text in jsonish()) {
        decode_everything(text.as_bytes())?;
        decode_everything(format!("{{\"startDateTime\":\"{text}\"}}").as_bytes())?;
    }

    #[test]
    fn meeting_decoder_answers_structured_bodies(body in meeting_body()) {
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        decode_everything(&bytes)?;
    }

    #[test]
    fn a_date_string_parses_inside_graphs_range_or_not_at_all(text in datetime_text()) {
        if let Ok(d) = GraphDateTime::parse(&text) {
            check_date(d)?;
        }
    }

    #[test]
    fn every_instant_in_range_round_trips_through_the_wire_form(
        secs in GraphDateTime::MIN.as_utc().timestamp()..=GraphDateTime::MAX.as_utc().timestamp(),
        ticks in 0u32..10_000_000,
    ) {
        let at = chrono::DateTime::from_timestamp(secs, ticks * 100).unwrap_or_default();
        let d = GraphDateTime::new(at);
        prop_assert_eq!(d.as_utc(), at);
        check_date(d)?;
    }

    #[test]
    fn filter_parser_answers_arbitrary_query_strings(raw in any::<String>(), text in jsonish()) {
        for q in [raw.as_str(), text.as_str()] {
            for result in [parse_query(Some(q)), parse_entity_query(Some(q))] {
                if let Err(e) = result {
                    prop_assert_eq!(e.to_graph_error().status, 400);
                }
            }
        }
    }

    #[test]
    fn filter_parser_answers_arbitrary_filter_expressions(
        property in prop_oneof![
            Just("joinWebUrl".to_owned()),
            Just("JoinMeetingIdSettings/JoinMeetingId".to_owned()),
            Just("subject".to_owned()),
            "[a-zA-Z/]{0,30}",
        ],
        operator in prop_oneof![Just("eq".to_owned()), Just("EQ".to_owned()), "[a-z]{0,3}"],
        literal in any::<String>(),
        wrap in any::<bool>(),
    ) {
        let expr = format!("{property} {operator} {literal}");
        let expr = if wrap { format!("({expr})") } else { expr };
        let encoded: String = form_urlencoded::byte_serialize(expr.as_bytes()).collect();
        for result in [
            parse_query(Some(&format!("$filter={encoded}"))),
            parse_query(Some(&format!("filter={encoded}&$select=id,subject"))),
        ] {
            if let Err(e) = result {
                prop_assert_eq!(e.to_graph_error().status, 400);
            }
        }
    }

    #[test]
    fn a_join_web_url_literal_round_trips_through_the_filter(literal in any::<String>()) {
        let quoted = format!("'{}'", literal.replace('\'', "''"));
        let encoded: String =
            form_urlencoded::byte_serialize(format!("JoinWebUrl eq {quoted}").as_bytes()).collect();
        let query = parse_query(Some(&format!("$filter={encoded}")));
        prop_assert_eq!(
            query.ok().and_then(|q| q.filter),
            Some(MeetingFilter::JoinWebUrl(literal))
        );
    }

    #[test]
    fn meeting_id_decoder_answers_arbitrary_strings(raw in any::<String>(), text in "[A-Za-z0-9+/=_:@.*-]{0,200}") {
        for id in [raw.as_str(), text.as_str()] {
            if let Err(e) = MeetingId::parse(id) {
                prop_assert_eq!(e.to_graph_error().status, 400);
            }
        }
    }

    #[test]
    fn meeting_ids_round_trip(
        organizer in any::<u128>(),
        message_id in "[0-9]{1,15}",
        thread_middle in any::<String>(),
        thread_tail in prop_oneof![Just("v2".to_owned()), Just("tacv2".to_owned()), any::<String>()],
    ) {
        let organizer = Uuid::from_u128(organizer);
        let thread_id = format!("19:{thread_middle}@thread.{thread_tail}");
        let id = MeetingId::encode(organizer, &message_id, &thread_id);
        let decoded = MeetingId::parse(id.as_str());
        prop_assert!(decoded.is_ok(), "{:?}", decoded);
        if let Ok(decoded) = decoded {
            prop_assert_eq!(decoded.organizer, organizer);
            prop_assert_eq!(&decoded.message_id, &message_id);
            prop_assert_eq!(&decoded.thread_id, &thread_id);
            prop_assert_eq!(decoded.to_meeting_id(), id.clone());
        }
        // Unpadded, as some clients send it.
        let unpadded = id.as_str().trim_end_matches('=');
        prop_assert_eq!(MeetingId::parse(unpadded).map(|d| d.to_meeting_id()), Ok(id));
    }

    #[test]
    fn private_meeting_ids_round_trip(organizer in any::<u128>(), thread in any::<u128>()) {
        let (organizer, thread) = (Uuid::from_u128(organizer), Uuid::from_u128(thread));
        let id = MeetingId::new_private(organizer, thread);
        let decoded = MeetingId::parse(id.as_str());
        prop_assert_eq!(decoded.as_ref().map(|d| d.organizer), Ok(organizer));
        prop_assert_eq!(
            decoded.ok().and_then(|d| crate::graph::ids::thread_guid(&d.thread_id)),
            Some(thread)
        );
    }

    #[test]
    fn token_form_answers_arbitrary_bodies(bytes in proptest::collection::vec(any::<u8>(), 0..512), text in jsonish()) {
        for body in [bytes.as_slice(), text.as_bytes()] {
            match TokenForm::parse(body) {
                Ok(form) => {
                    let mut names: Vec<&str> = form.params().iter().map(|(n, _)| n.as_str()).collect();
                    let count = names.len();
                    names.sort_unstable();
                    names.dedup();
                    prop_assert_eq!(names.len(), count, "each name at most once");
                    prop_assert!(form.params().iter().all(|(_, v)| !v.is_empty()));
                }
                Err(e) => prop_assert_eq!(e.to_aadsts().status, 400),
            }
        }
    }

    #[test]
    fn cmdlet_lexer_and_parser_answer_arbitrary_text(raw in any::<String>(), text in jsonish()) {
        for src in [raw.as_str(), text.as_str()] {
            let lines = src.split(['\n', '\r']).count();
            if let Err(e) = lexer::tokenize(src) {
                prop_assert!(e.line >= 1 && e.line <= lines && e.column >= 1, "{:?}", e);
            }
            match parse_script(src) {
                Ok(cmdlets) => {
                    for c in cmdlets {
                        let line = to_powershell(&c);
                        prop_assert_eq!(parse_line(&line), Ok(c), "via {:?}", line);
                    }
                }
                Err(e) => {
                    prop_assert!(!e.message.is_empty());
                    prop_assert!(e.line >= 1 && e.line <= lines && e.column >= 1, "{:?}", e);
                }
            }
        }
    }

    #[test]
    fn cmdlet_parser_answers_cmdlet_shaped_text(
        name in proptest::sample::select(&[
            "New-CsApplicationAccessPolicy", "Set-CsApplicationAccessPolicy",
            "Get-CsApplicationAccessPolicy", "Grant-CsApplicationAccessPolicy",
            "Remove-CsApplicationAccessPolicy", "Get-CsOnlineUser",
        ][..]),
        args in proptest::collection::vec(prop_oneof![
            proptest::sample::select(&[
                "-Identity", "-AppIds", "-Description", "-PolicyName", "-Global", "-Group",
                "-Rank", "-Filter", "-WhatIf", "-Confirm:$false", "-PassThru", "|", ";",
                "@(", ")", "@{", "}", "=", ",", "$null", "`\n",
            ][..]).prop_map(str::to_owned),
            jsonish(),
        ], 0..12),
    ) {
        let src = format!("{name} {}", args.join(" "));
        if let Err(e) = parse_script(&src) {
            prop_assert!(e.line >= 1 && e.column >= 1 && !e.message.is_empty());
        }
    }

    #[test]
    fn wildcards_answer_any_pattern_and_escaped_text_matches_itself(pattern in any::<String>(), text in any::<String>()) {
        let _ = wildcard::like(&pattern, &text);
        prop_assert!(wildcard::like("*", &text));
        let escaped: String = text
            .chars()
            .flat_map(|c| {
                let special = matches!(c, '*' | '?' | '[' | ']' | '`');
                special.then_some('`').into_iter().chain(std::iter::once(c))
            })
            .collect();
        prop_assert!(wildcard::like(&escaped, &text), "{:?}", escaped);
        let (star_escaped, x_text) = (format!("*{escaped}"), format!("x{text}"));
        prop_assert!(wildcard::like(&star_escaped, &x_text));
    }

    #[test]
    fn cmdlet_limits_hold_for_long_input(extra in 1usize..2_000, c in proptest::sample::select(&['x', '€', '*'][..])) {
        let src = format!("Get-CsOnlineUser {}", c.to_string().repeat(cmdlet::MAX_TOKEN_BYTES + extra));
        prop_assert!(parse_script(&src).is_err());
    }
}
