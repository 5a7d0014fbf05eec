//! `$filter` and `$select` on `.../onlineMeetings`.
//!
//! Graph supports only equality lookups here (spec `graph-online-meetings.md` §1.4):
//! `JoinWebUrl eq '…'` and `joinMeetingIdSettings/joinMeetingId eq '…'` (and, on
//! `/communications/onlineMeetings`, `VideoTeleconferenceId eq '…'`). Everything else, including
//! no filter at all on the collection, is 400 `InvalidArgument`.
//!
//! Decoding follows client-traces §5.3 as revised by §7.6: the raw query string is split on `&`
//! and decoded once with form rules (`+` is a space), so kiota's `%20`/`%27`/`%2F`, the Node
//! client's raw `/`, and graph-rs-sdk's `+` and `%24filter` all arrive at the same text.

use super::error::GraphError;
use super::ids::percent_decode;
use super::meeting::{BETA_ONLY_PROPERTIES, V1_PROPERTIES};
use super::select::{canonical_name, parse_select_or_all};

/// The onlineMeeting type name used in OData query errors.
pub const ONLINE_MEETING_TYPE: &str = "microsoft.graph.onlineMeeting";
const JOIN_MEETING_ID_SETTINGS_TYPE: &str = "microsoft.graph.joinMeetingIdSettings";
const JOIN_MEETING_ID_SETTINGS_PROPERTIES: &[&str] =
    &["isPasscodeRequired", "joinMeetingId", "passcode"];
/// Query options that only apply to collections.
const COLLECTION_ONLY_OPTIONS: &[&str] = &["filter", "orderby", "count", "skip", "top"];

/// One supported `$filter` lookup, with the literal already unescaped (`''` → `'`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MeetingFilter {
    /// `JoinWebUrl eq '…'` (name matched case-insensitively). Match stored URLs with
    /// [`join_web_url_matches`] / [`join_web_url_candidates`].
    JoinWebUrl(String),
    /// `joinMeetingIdSettings/joinMeetingId eq '…'`.
    JoinMeetingId(String),
    /// `VideoTeleconferenceId eq '…'` (meaningful on `/communications/onlineMeetings` only).
    VideoTeleconferenceId(String),
}

/// The query options of an onlineMeetings request that the server acts on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MeetingQuery {
    /// The parsed `$filter`, if one was sent.
    pub filter: Option<MeetingFilter>,
    /// The `$select` list with canonical property names, if one was sent; `None` also for
    /// `$select=*`.
    pub select: Option<Vec<String>>,
}

impl MeetingQuery {
    /// The filter a collection request must carry; its absence is Graph's 400
    /// `InvalidArgument` (there is no "list all meetings").
    pub fn collection_filter(&self) -> Result<&MeetingFilter, FilterError> {
        self.filter.as_ref().ok_or(FilterError::FilterExpected)
    }
}

/// Why the query options were rejected; [`FilterError::to_graph_error`] gives the response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// Missing, malformed or unsupported `$filter` on the collection: 400 `InvalidArgument`
    /// `Filter expression expected - /onlineMeetings?$filter={ParameterName} eq '{id}'.`
    #[error("Filter expression expected - /onlineMeetings?$filter={{ParameterName}} eq '{{id}}'.")]
    FilterExpected,
    /// A property name the type does not have, in `$filter` or `$select`.
    #[error("Could not find a property named '{name}' on type '{type_name}'.")]
    UnknownProperty {
        /// The name as sent.
        name: String,
        /// The OData type it was looked up on.
        type_name: String,
    },
    /// `$filter`, `$orderby`, `$count`, `$skip` or `$top` on a single meeting.
    #[error("The requested resource is not a collection.")]
    QueryOptionOnSingleEntity,
    /// The same system query option twice.
    #[error("Query option '{0}' was specified more than once.")]
    DuplicateOption(String),
}

impl FilterError {
    /// The Graph error to answer with.
    pub fn to_graph_error(&self) -> GraphError {
        match self {
            FilterError::FilterExpected => GraphError::filter_expression_expected(),
            FilterError::UnknownProperty { name, type_name } => {
                GraphError::unknown_query_property(name, type_name)
            }
            FilterError::QueryOptionOnSingleEntity => GraphError::query_option_on_single_entity(),
            FilterError::DuplicateOption(name) => GraphError::duplicate_query_option(name),
        }
    }
}

impl From<FilterError> for GraphError {
    fn from(e: FilterError) -> Self {
        e.to_graph_error()
    }
}

/// The system query options found in a raw query string (values decoded once, form rules).
#[derive(Default)]
struct RawOptions {
    filter: Option<String>,
    select: Option<String>,
    /// Collection-only options present (`$filter` included), by their sent name.
    collection_only: Vec<String>,
}

/// Splits the raw query string; names match with or without `$` (Graph's dollar-less form),
/// case-insensitively; non-system parameters are ignored.
fn scan(raw_query: Option<&str>) -> Result<RawOptions, FilterError> {
    let mut out = RawOptions::default();
    let Some(raw) = raw_query else {
        return Ok(out);
    };
    let raw = raw.strip_prefix('?').unwrap_or(raw);
    for (name, value) in form_urlencoded::parse(raw.as_bytes()) {
        let bare = name.strip_prefix('$').unwrap_or(&name).to_ascii_lowercase();
        if COLLECTION_ONLY_OPTIONS.contains(&bare.as_str()) {
            out.collection_only.push(name.to_string());
        }
        let slot = match bare.as_str() {
            "filter" => &mut out.filter,
            "select" => &mut out.select,
            _ => continue,
        };
        if slot.is_some() {
            return Err(FilterError::DuplicateOption(format!("${bare}")));
        }
        *slot = Some(value.into_owned());
    }
    Ok(out)
}

/// Parses the raw query string (without the `?`, as the server received it) of a request to
/// the `.../onlineMeetings` **collection**.
///
/// A present `$filter` must be one of the supported lookups; an absent one is reported by
/// [`MeetingQuery::collection_filter`]. `$select` names are validated against the onlineMeeting
/// properties (v1.0 and beta). Other options are ignored.
pub fn parse_query(raw_query: Option<&str>) -> Result<MeetingQuery, FilterError> {
    let raw = scan(raw_query)?;
    let filter = match raw.filter {
        Some(text) => Some(parse_filter(&text)?),
        None => None,
    };
    let select = match raw.select {
        Some(text) => parse_select(&text)?,
        None => None,
    };
    Ok(MeetingQuery { filter, select })
}

/// Parses the query string of a request to a **single** meeting: `$filter`, `$orderby`,
/// `$count`, `$skip` or `$top` give the `code: ""` not-a-collection error (spec §1.4);
/// `$select` is validated as in [`parse_query`].
pub fn parse_entity_query(raw_query: Option<&str>) -> Result<MeetingQuery, FilterError> {
    let raw = scan(raw_query)?;
    if !raw.collection_only.is_empty() {
        return Err(FilterError::QueryOptionOnSingleEntity);
    }
    let select = match raw.select {
        Some(text) => parse_select(&text)?,
        None => None,
    };
    Ok(MeetingQuery {
        filter: None,
        select,
    })
}

fn canonical_property(name: &str) -> Option<&'static str> {
    canonical_name(&[V1_PROPERTIES, BETA_ONLY_PROPERTIES], name)
}

/// `$select=a,b` → canonical names; `*` → `None`; empty items are skipped.
fn parse_select(text: &str) -> Result<Option<Vec<String>>, FilterError> {
    parse_select_or_all(text, &[V1_PROPERTIES, BETA_ONLY_PROPERTIES], |item| {
        FilterError::UnknownProperty {
            name: item.to_owned(),
            type_name: ONLINE_MEETING_TYPE.to_owned(),
        }
    })
}

/// Parses `<property> eq '<literal>'` (optionally wrapped in one pair of parentheses, any
/// amount of whitespace between tokens, `eq` in any case, `''` an escaped quote).
fn parse_filter(text: &str) -> Result<MeetingFilter, FilterError> {
    let mut expr = text.trim();
    if let Some(inner) = expr.strip_prefix('(').and_then(|e| e.strip_suffix(')')) {
        expr = inner.trim();
    }
    let (property, rest) = expr
        .split_once(char::is_whitespace)
        .ok_or(FilterError::FilterExpected)?;
    let rest = rest.trim_start();
    let (operator, rest) = rest
        .split_once(char::is_whitespace)
        .ok_or(FilterError::FilterExpected)?;
    if !operator.eq_ignore_ascii_case("eq") {
        return Err(FilterError::FilterExpected);
    }
    let literal = parse_string_literal(rest.trim()).ok_or(FilterError::FilterExpected)?;

    if property.eq_ignore_ascii_case("joinWebUrl") {
        return Ok(MeetingFilter::JoinWebUrl(literal));
    }
    if property.eq_ignore_ascii_case("joinMeetingIdSettings/joinMeetingId") {
        return Ok(MeetingFilter::JoinMeetingId(literal));
    }
    if property.eq_ignore_ascii_case("videoTeleconferenceId") {
        return Ok(MeetingFilter::VideoTeleconferenceId(literal));
    }
    // A well-formed equality on some other name: unknown names get OData's "could not find a
    // property" error, known-but-unsupported ones Graph's "Filter expression expected".
    let mut segments = property.split('/');
    let first = segments.next().unwrap_or_default();
    let Some(canonical) = canonical_property(first) else {
        return Err(FilterError::UnknownProperty {
            name: first.to_owned(),
            type_name: ONLINE_MEETING_TYPE.to_owned(),
        });
    };
    if canonical == "joinMeetingIdSettings" {
        if let Some(second) = segments.next() {
            if !JOIN_MEETING_ID_SETTINGS_PROPERTIES
                .iter()
                .any(|p| p.eq_ignore_ascii_case(second))
            {
                return Err(FilterError::UnknownProperty {
                    name: second.to_owned(),
                    type_name: JOIN_MEETING_ID_SETTINGS_TYPE.to_owned(),
                });
            }
        }
    }
    Err(FilterError::FilterExpected)
}

/// `'…'` with `''` as an escaped quote, and nothing after the closing quote.
fn parse_string_literal(text: &str) -> Option<String> {
    let body = text.strip_prefix('\'')?;
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            if chars.peek() == Some(&'\'') {
                chars.next();
                out.push('\'');
                continue;
            }
            return if chars.next().is_none() {
                Some(out)
            } else {
                None
            };
        }
        out.push(c);
    }
    None // unterminated
}

/// The values to look a `JoinWebUrl` literal up by, in order (client-traces §5.3 steps 3–5):
/// the literal itself (kiota, and the Node client with `encodeURIComponent`), then its
/// percent-decoding (a caller who URL-encoded the literal before the SDK encoded it again),
/// then, for a classic join URL, the URL rebuilt in the stored form with Teams' lowercase
/// escapes: the Graph JavaScript client's `.filter()` sends the URL raw, so its `%3a`, `%40`
/// and `%7b` arrive decoded once.
pub fn join_web_url_candidates(literal: &str) -> Vec<String> {
    let mut out = vec![literal.to_owned()];
    let decoded = percent_decode(literal);
    if decoded != literal {
        out.push(decoded);
    }
    if let Some(parts) = super::ids::parse_join_web_url(literal) {
        let canonical = super::ids::join_web_url(
            &parts.host_base,
            &parts.thread_id,
            &parts.message_id,
            parts.tenant,
            parts.organizer,
        );
        if !out.contains(&canonical) {
            out.push(canonical);
        }
    }
    out
}

/// Whether a stored `joinWebUrl` matches a `JoinWebUrl eq '…'` literal under client-traces
/// §5.3: `stored == literal`, or `stored == percent-decode(literal)`, or
/// `percent-decode(stored) == literal`.
pub fn join_web_url_matches(stored: &str, literal: &str) -> bool {
    stored == literal || stored == percent_decode(literal) || percent_decode(stored) == literal
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_ODZhYjM2@thread.v2/0?context=%7b%22Tid%22%3a%22t1%22%2c%22Oid%22%3a%22u1%22%7d";
    const STORED: &str = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_ODZhYjM2%40thread.v2/0?context=%7b%22Tid%22%3a%22t1%22%2c%22Oid%22%3a%22u1%22%7d";

    /// RFC 6570 / kiota: everything outside unreserved becomes upper-case `%XX`.
    fn kiota_encode(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }

    /// `url`'s form encoding (graph-rs-sdk): space `+`, keep `*-._`.
    fn form_encode(s: &str) -> String {
        form_urlencoded::byte_serialize(s.as_bytes()).collect()
    }

    fn filter_of(q: &str) -> Result<MeetingFilter, FilterError> {
        parse_query(Some(q))?.collection_filter().cloned()
    }

    #[test]
    fn msgraph_sdk_join_web_url_form() {
        let q = format!(
            "$filter={}",
            kiota_encode(&format!("JoinWebUrl eq '{STORED}'"))
        );
        assert!(q.contains("JoinWebUrl%20eq%20%27https%3A%2F%2F"));
        assert_eq!(filter_of(&q), Ok(MeetingFilter::JoinWebUrl(STORED.into())));
    }

    #[test]
    fn msgraph_sdk_join_meeting_id_form() {
        let q = "$filter=joinMeetingIdSettings%2FjoinMeetingId%20eq%20%271873595337977%27";
        assert_eq!(
            filter_of(q),
            Ok(MeetingFilter::JoinMeetingId("1873595337977".into()))
        );
    }

    #[test]
    fn graph_rs_sdk_plus_and_encoded_name() {
        let q = format!(
            "%24filter={}",
            form_encode(&format!("JoinWebUrl eq '{STORED}'"))
        );
        assert!(q.starts_with("%24filter=JoinWebUrl+eq+%27"));
        assert_eq!(filter_of(&q), Ok(MeetingFilter::JoinWebUrl(STORED.into())));
        let q = "%24filter=joinMeetingIdSettings%2FjoinMeetingId+eq+%279269226157519%27";
        assert_eq!(
            filter_of(q),
            Ok(MeetingFilter::JoinMeetingId("9269226157519".into()))
        );
    }

    #[test]
    fn node_client_forms() {
        // encodeURIComponent inside the quotes: fetch turns space/quote into %20/%27 only.
        let enc = kiota_encode(STORED);
        let q = format!("$filter=JoinWebUrl%20eq%20%27{enc}%27");
        assert_eq!(filter_of(&q), Ok(MeetingFilter::JoinWebUrl(STORED.into())));
        // Raw join URL: decoded once it is past the stored form; the matcher still finds it.
        let q = format!("$filter=JoinWebUrl%20eq%20%27{STORED}%27");
        let Ok(MeetingFilter::JoinWebUrl(lit)) = filter_of(&q) else {
            panic!("expected a JoinWebUrl filter");
        };
        assert_ne!(lit, STORED);
        assert!(lit.contains("19:meeting_ODZhYjM2@thread.v2/0?context={\"Tid\""));
        assert!(join_web_url_matches(STORED, &lit));
        // joinMeetingId with a raw '/'.
        let q = "$filter=joinMeetingIdSettings/joinMeetingId%20eq%20%272026157328738%27";
        assert_eq!(
            filter_of(q),
            Ok(MeetingFilter::JoinMeetingId("2026157328738".into()))
        );
    }

    #[test]
    fn raw_join_url_is_looked_up_in_its_stored_form() {
        // The Graph JavaScript client's `.filter()` puts the URL in raw; fetch encodes only
        // the spaces and quotes, so the literal arrives with its escapes decoded once.
        let stored = crate::graph::ids::join_web_url(
            "https://teams.microsoft.com",
            "19:meeting_ODZhYjM2@thread.v2",
            "0",
            uuid::Uuid::from_u128(1),
            uuid::Uuid::from_u128(2),
        );
        let q = format!("$filter=JoinWebUrl%20eq%20%27{stored}%27");
        let Ok(MeetingFilter::JoinWebUrl(lit)) = filter_of(&q) else {
            panic!("expected a JoinWebUrl filter");
        };
        assert_ne!(lit, stored);
        assert!(join_web_url_candidates(&lit).contains(&stored));
        // A literal that is no join URL is looked up as it is, and decoded.
        assert_eq!(join_web_url_candidates("x%41"), vec!["x%41", "xA"]);
    }

    #[test]
    fn pre_encoded_literal_matches_by_candidate() {
        // The caller URL-encoded the literal, then kiota encoded it again.
        let q = format!(
            "$filter={}",
            kiota_encode(&format!("JoinWebUrl eq '{}'", kiota_encode(STORED)))
        );
        let Ok(MeetingFilter::JoinWebUrl(lit)) = filter_of(&q) else {
            panic!("expected a JoinWebUrl filter");
        };
        assert!(lit.starts_with("https%3A%2F%2F"));
        let candidates = join_web_url_candidates(&lit);
        assert_eq!(candidates.len(), 2);
        assert_eq!(candidates[0], lit);
        assert_eq!(candidates[1], STORED);
        assert!(join_web_url_matches(STORED, &lit));
        // Exact match is always tried first.
        assert_eq!(join_web_url_candidates(STORED)[0], STORED);
        assert_eq!(
            join_web_url_candidates("1873595337977"),
            vec!["1873595337977".to_owned()]
        );
    }

    #[test]
    fn matcher_rejects_other_urls() {
        assert!(join_web_url_matches(STORED, STORED));
        assert!(!join_web_url_matches(
            STORED,
            URL.replace("ODZh", "XXXX").as_str()
        ));
        assert!(!join_web_url_matches(STORED, ""));
    }

    #[test]
    fn property_name_case_quotes_and_parens() {
        for q in [
            "$filter=joinWebUrl eq 'x'",
            "$filter=JOINWEBURL  EQ   'x'",
            "$filter=(JoinWebUrl eq 'x')",
            "$FILTER=JoinWebUrl eq 'x'",
            "filter=JoinWebUrl eq 'x'",
        ] {
            assert_eq!(
                filter_of(q),
                Ok(MeetingFilter::JoinWebUrl("x".into())),
                "{q}"
            );
        }
        assert_eq!(
            filter_of("$filter=JoinWebUrl eq 'it''s'"),
            Ok(MeetingFilter::JoinWebUrl("it's".into()))
        );
        assert_eq!(
            filter_of("$filter=JoinWebUrl eq ''''''"),
            Ok(MeetingFilter::JoinWebUrl("''".into()))
        );
        assert_eq!(
            filter_of("$filter=JoinWebUrl eq ''"),
            Ok(MeetingFilter::JoinWebUrl(String::new()))
        );
        assert_eq!(
            filter_of("$filter=VideoTeleconferenceId eq '0180300000'"),
            Ok(MeetingFilter::VideoTeleconferenceId("0180300000".into()))
        );
    }

    #[test]
    fn bad_filters_are_invalid_argument() {
        for q in [
            "",
            "$top=5",
            "$filter=",
            "$filter=start/dateTime ge '2024-01-01'",
            "$filter=JoinWebUrl ne 'x'",
            "$filter=JoinWebUrl eq x",
            "$filter=JoinWebUrl eq 'x",
            "$filter=JoinWebUrl eq 'x' and subject eq 'y'",
            "$filter=JoinWebUrl eq 'it's'",
            "$filter=subject eq 'x'",
            "$filter=JoinWebUrl",
            "$filter=contains(JoinWebUrl,'x')",
        ] {
            let e = filter_of(q).unwrap_err();
            assert_eq!(e, FilterError::FilterExpected, "{q}");
            let g = e.to_graph_error();
            assert_eq!((g.status, g.code.as_str()), (400, "InvalidArgument"));
            assert_eq!(
                g.message,
                "Filter expression expected - /onlineMeetings?$filter={ParameterName} eq '{id}'."
            );
        }
        assert_eq!(
            parse_query(None).unwrap().collection_filter(),
            Err(FilterError::FilterExpected)
        );
    }

    #[test]
    fn unknown_property_names() {
        let e = filter_of("$filter=fooBar eq 'x'").unwrap_err();
        let g = e.to_graph_error();
        assert_eq!(g.status, 400);
        assert_eq!(g.message, "The query specified in the URI is not valid. Could not find a property named 'fooBar' on type 'microsoft.graph.onlineMeeting'.");
        let e = filter_of("$filter=joinMeetingIdSettings/nope eq 'x'").unwrap_err();
        assert_eq!(
            e,
            FilterError::UnknownProperty {
                name: "nope".into(),
                type_name: "microsoft.graph.joinMeetingIdSettings".into()
            }
        );
    }

    #[test]
    fn select_is_validated_and_canonicalised() {
        let q = parse_query(Some("$select=id,JOINWEBURL, subject,id")).unwrap();
        assert_eq!(
            q.select,
            Some(vec!["id".into(), "joinWebUrl".into(), "subject".into()])
        );
        assert_eq!(q.filter, None);
        assert_eq!(parse_query(Some("$select=*")).unwrap().select, None);
        let e = parse_query(Some("%24select=id%2Cbogus")).unwrap_err();
        assert_eq!(
            e.to_graph_error().message,
            "The query specified in the URI is not valid. Could not find a property named 'bogus' on type 'microsoft.graph.onlineMeeting'."
        );
        // Beta extras are known names.
        assert!(parse_query(Some("$select=capabilities")).is_ok());
    }

    #[test]
    fn entity_queries() {
        let q = parse_entity_query(Some("$select=subject")).unwrap();
        assert_eq!(q.select, Some(vec!["subject".into()]));
        for raw in [
            "$filter=JoinWebUrl eq 'x'",
            "$top=1",
            "%24count=true",
            "$filter=garbage",
        ] {
            let e = parse_entity_query(Some(raw)).unwrap_err();
            assert_eq!(e, FilterError::QueryOptionOnSingleEntity, "{raw}");
            let g = e.to_graph_error();
            assert_eq!(g.code, "");
            assert_eq!(g.inner_message.as_deref(), Some(g.message.as_str()));
        }
    }

    #[test]
    fn duplicate_filter() {
        let e = parse_query(Some(
            "$filter=JoinWebUrl eq 'a'&%24filter=JoinWebUrl eq 'b'",
        ))
        .unwrap_err();
        assert_eq!(e, FilterError::DuplicateOption("$filter".into()));
        assert_eq!(e.to_graph_error().status, 400);
    }

    #[test]
    fn other_parameters_are_ignored() {
        assert_eq!(
            filter_of("api-version=1&$filter=JoinWebUrl eq 'x'&$expand=foo"),
            Ok(MeetingFilter::JoinWebUrl("x".into()))
        );
    }
}
