//! `GraphDateTime`: Graph's `DateTimeOffset`, parsed as the traced clients send it and printed
//! as the real service does (spec `graph-online-meetings.md` §2.7).

use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
    Timelike, Utc,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A Graph `DateTimeOffset`, held in UTC at Graph's precision of 100 ns.
///
/// Parsing accepts what the traced clients send: `Z`, `+00:00`, other offsets, no offset at
/// all (Python's naive `isoformat()`, taken as UTC), and 0–7 fractional digits (more are
/// truncated). Output is UTC with `Z` and the fraction as the real service prints it (ODataLib's
/// `XmlConvert` form, `.FFFFFFF`): no fraction for whole seconds (`2025-07-07T06:00:00Z`),
/// otherwise up to 7 digits without trailing zeros (`2020-07-03T00:23:39.444642Z`,
/// `2019-07-12T21:30:34.2444915Z`), as documented and observed bodies show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GraphDateTime(DateTime<Utc>);

/// A timestamp that is not an ISO 8601 date and time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a valid Edm.DateTimeOffset value")]
pub struct DateTimeParseError(pub String);

impl GraphDateTime {
    /// The earliest instant Graph can represent: `0001-01-01T00:00:00Z` (.NET's
    /// `DateTimeOffset.MinValue`, the range of `Edm.DateTimeOffset` on the real service).
    pub const MIN: GraphDateTime = GraphDateTime(DateTime::from_naive_utc_and_offset(
        NaiveDateTime::new(
            match NaiveDate::from_ymd_opt(1, 1, 1) {
                Some(d) => d,
                None => NaiveDate::MIN,
            },
            NaiveTime::MIN,
        ),
        Utc,
    ));

    /// The latest instant Graph can represent: `9999-12-31T23:59:59.9999999Z` (.NET's
    /// `DateTimeOffset.MaxValue`).
    pub const MAX: GraphDateTime = GraphDateTime(DateTime::from_naive_utc_and_offset(
        NaiveDateTime::new(
            match NaiveDate::from_ymd_opt(9999, 12, 31) {
                Some(d) => d,
                None => NaiveDate::MAX,
            },
            match NaiveTime::from_hms_nano_opt(23, 59, 59, 999_999_900) {
                Some(t) => t,
                None => NaiveTime::MIN,
            },
        ),
        Utc,
    ));

    /// Wraps a UTC time, truncating it to 100 ns and clamping it to [`GraphDateTime::MIN`] ..=
    /// [`GraphDateTime::MAX`].
    pub fn new(at: DateTime<Utc>) -> Self {
        let nanos = at.nanosecond() % 1_000_000_000;
        let truncated = at.with_nanosecond(nanos - nanos % 100).unwrap_or(at);
        GraphDateTime(truncated.clamp(Self::MIN.0, Self::MAX.0))
    }

    /// `self + duration`, or `None` past [`GraphDateTime::MIN`] / [`GraphDateTime::MAX`].
    pub fn checked_add(self, duration: Duration) -> Option<Self> {
        let at = self.0.checked_add_signed(duration)?;
        (Self::MIN.0..=Self::MAX.0)
            .contains(&at)
            .then(|| GraphDateTime::new(at))
    }

    /// The UTC time.
    pub fn as_utc(&self) -> DateTime<Utc> {
        self.0
    }

    /// Parses any of the accepted input forms (see the type's docs). The local date and the
    /// instant in UTC must both lie within Graph's range, years 1 to 9999.
    pub fn parse(text: &str) -> Result<Self, DateTimeParseError> {
        parse_datetime(text).ok_or_else(|| DateTimeParseError(text.to_owned()))
    }

    /// The wire form: UTC and `Z`, no fraction for whole seconds, otherwise the significant
    /// digits of the 100 ns ticks (trailing zeros dropped).
    pub fn to_wire(&self) -> String {
        let ticks = (self.0.nanosecond() % 1_000_000_000) / 100;
        let t = &self.0;
        // Written field by field: chrono's `format` parses its pattern on every call, and a
        // meeting's answer holds several of these. Every value is made by `new`, so the year
        // is 1–9999 (four digits, as `%Y` writes it) and there is no leap second.
        let mut out = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        );
        if ticks != 0 {
            let fraction = format!("{ticks:07}");
            out.push('.');
            out.push_str(fraction.trim_end_matches('0'));
        }
        out.push('Z');
        out
    }
}

fn parse_datetime(text: &str) -> Option<GraphDateTime> {
    let t = text.find(['T', 't'])?;
    let (date, rest) = (&text[..t], &text[t + 1..]);
    let (time, offset_secs) = if let Some(time) = rest.strip_suffix(['Z', 'z']) {
        (time, 0)
    } else if let Some(pos) = rest.rfind(['+', '-']) {
        (&rest[..pos], parse_offset(&rest[pos..])?)
    } else {
        (rest, 0)
    };
    let (hms, fraction) = match time.split_once('.') {
        Some((hms, fraction)) => (hms, Some(fraction)),
        None => (time, None),
    };
    let mut nanos = 0u32;
    if let Some(fraction) = fraction {
        if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut digits: String = fraction.chars().take(7).collect();
        while digits.len() < 9 {
            digits.push('0');
        }
        nanos = digits.parse().ok()?;
    }
    if date.len() < 10 {
        return None;
    }
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    if !(1..=9999).contains(&date.year()) {
        return None;
    }
    let time = NaiveTime::parse_from_str(hms, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(hms, "%H:%M"))
        .ok()?;
    let time = time.with_nanosecond(nanos)?;
    let local = NaiveDateTime::new(date, time);
    let offset = FixedOffset::east_opt(offset_secs)?;
    let at = offset
        .from_local_datetime(&local)
        .single()?
        .with_timezone(&Utc);
    if !(GraphDateTime::MIN.0..=GraphDateTime::MAX.0).contains(&at) {
        return None;
    }
    Some(GraphDateTime::new(at))
}

/// `+HH:MM`, `+HHMM` or `+HH` (and `-`), in seconds east of UTC.
fn parse_offset(text: &str) -> Option<i32> {
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let body = &text[1..];
    // Only ASCII can be an offset; checking first also keeps the slices below on char
    // boundaries (`+€1` is four bytes).
    if !body.is_ascii() {
        return None;
    }
    let (h, m) = match body.len() {
        2 => (body, "00"),
        4 => (&body[..2], &body[2..]),
        5 if body.as_bytes()[2] == b':' => (&body[..2], &body[3..]),
        _ => return None,
    };
    if !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if h > 23 || m > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60))
}

impl From<DateTime<Utc>> for GraphDateTime {
    fn from(at: DateTime<Utc>) -> Self {
        GraphDateTime::new(at)
    }
}

impl FromStr for GraphDateTime {
    type Err = DateTimeParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        GraphDateTime::parse(s)
    }
}

impl fmt::Display for GraphDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_wire())
    }
}

impl Serialize for GraphDateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_wire())
    }
}

impl<'de> Deserialize<'de> for GraphDateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        GraphDateTime::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for GraphDateTime {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
                utoipa::openapi::schema::KnownFormat::DateTime,
            )))
            .into()
    }
}

impl utoipa::ToSchema for GraphDateTime {}

/// Saturating: a sum past Graph's range is [`GraphDateTime::MAX`] (or [`GraphDateTime::MIN`]),
/// so defaults such as "end = start + 1 h" never overflow, whatever the start.
impl std::ops::Add<Duration> for GraphDateTime {
    type Output = GraphDateTime;
    fn add(self, rhs: Duration) -> GraphDateTime {
        self.checked_add(rhs).unwrap_or(if rhs < Duration::zero() {
            GraphDateTime::MIN
        } else {
            GraphDateTime::MAX
        })
    }
}
