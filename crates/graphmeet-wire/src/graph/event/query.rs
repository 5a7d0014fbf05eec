//! The collection query (`$select`, `$filter`, `$orderby`, `$top`, `$skip`), the calendarView
//! window, the next link, ordering, and the `Prefer: outlook.timezone` headers.

use super::*;
use crate::graph::error::GraphError;
use crate::graph::select::parse_select_list;
use crate::graph::timezone::parse_local;
use chrono::{DateTime, Utc};
use serde_json::Value;

/// One key of `$orderby`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderKey {
    /// The property path.
    pub path: String,
    /// `desc`.
    pub descending: bool,
}

/// The query of a collection of events (`/events` or `/calendarView`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventQuery {
    /// `$select`.
    pub select: Option<Vec<String>>,
    /// `$filter`.
    pub filter: Option<EventFilter>,
    /// `$orderby`.
    pub order_by: Vec<OrderKey>,
    /// `$top`.
    pub top: Option<usize>,
    /// `$skip`.
    pub skip: usize,
    /// `startDateTime` (calendarView).
    pub start_date_time: Option<String>,
    /// `endDateTime` (calendarView).
    pub end_date_time: Option<String>,
    /// The parameters as given, for the next link.
    pub raw: Vec<(String, String)>,
}

fn parse_select(text: &str) -> Result<Vec<String>, GraphError> {
    parse_select_list(text, &[EVENT_PROPERTIES], |item| {
        GraphError::unknown_query_property(item, EVENT_TYPE)
    })
}

/// Parses a collection's query string (undecoded).
pub fn parse_event_query(raw: Option<&str>) -> Result<EventQuery, GraphError> {
    let mut query = EventQuery::default();
    let Some(raw) = raw else {
        return Ok(query);
    };
    for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
        let (key, value) = (key.into_owned(), value.into_owned());
        let name = key.trim_start_matches('$').to_ascii_lowercase();
        match name.as_str() {
            "select" => query.select = Some(parse_select(&value)?),
            "filter" => query.filter = Some(parse_event_filter(&value)?),
            "orderby" => {
                for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    let mut words = part.split_whitespace();
                    let path = canonical_path(words.next().unwrap_or_default())?;
                    let descending = match words.next().map(str::to_ascii_lowercase).as_deref() {
                        None | Some("asc") => false,
                        Some("desc") => true,
                        Some(other) => {
                            return Err(GraphError::bad_request(format!(
                                "Invalid $orderby direction '{other}'."
                            )))
                        }
                    };
                    query.order_by.push(OrderKey { path, descending });
                }
            }
            "top" => {
                let n: usize = value.trim().parse().map_err(|_| {
                    GraphError::bad_request(format!("Invalid $top value '{value}'."))
                })?;
                query.top = Some(n);
            }
            "skip" => {
                query.skip = value.trim().parse().map_err(|_| {
                    GraphError::bad_request(format!("Invalid $skip value '{value}'."))
                })?;
            }
            "startdatetime" => query.start_date_time = Some(value.clone()),
            "enddatetime" => query.end_date_time = Some(value.clone()),
            _ => {}
        }
        if name != "skip" {
            query.raw.push((key, value));
        }
    }
    Ok(query)
}

/// The calendarView window: `startDateTime` and `endDateTime` as ISO 8601, an offset honoured,
/// none meaning UTC (`Prefer: outlook.timezone` does not apply to them).
pub fn calendar_view_window(
    query: &EventQuery,
) -> Result<(DateTime<Utc>, DateTime<Utc>), GraphError> {
    let (Some(start), Some(end)) = (&query.start_date_time, &query.end_date_time) else {
        return Err(calendar_view_window_missing());
    };
    let read = |text: &str| -> Result<DateTime<Utc>, GraphError> {
        DateTime::parse_from_rfc3339(text.trim())
            .map(|t| t.with_timezone(&Utc))
            .ok()
            .or_else(|| parse_local(text).map(|t| t.and_utc()))
            .or_else(|| {
                chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                    .ok()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map(|t| t.and_utc())
            })
            .ok_or_else(|| {
                GraphError::new(
                    400,
                    "ErrorInvalidParameter",
                    format!("The value '{text}' of parameter 'StartDateTime' or 'EndDateTime' is invalid."),
                )
            })
    };
    let (start, end) = (read(start)?, read(end)?);
    if end - start > chrono::Duration::days(MAX_WINDOW_DAYS) {
        return Err(calendar_view_window_too_long());
    }
    Ok((start, end))
}

/// The next page's link: the same query with `$skip` moved on.
pub fn next_link(base: &str, query: &EventQuery, skip: usize) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in &query.raw {
        out.append_pair(k, v);
    }
    out.append_pair("$skip", &skip.to_string());
    format!("{base}?{}", out.finish().replace("%24", "$"))
}

/// Sorts rendered events by `$orderby` (stable, so ties keep the default order).
pub fn sort_rendered(events: &mut [(Value, Event)], order: &[OrderKey]) {
    events.sort_by(|(a, _), (b, _)| {
        for key in order {
            let (x, y) = (path_value(a, &key.path), path_value(b, &key.path));
            let o = match (x.and_then(as_instant), y.and_then(as_instant)) {
                (Some(p), Some(q)) => p.cmp(&q),
                _ => match (x, y) {
                    (Some(Value::String(p)), Some(Value::String(q))) => {
                        p.to_lowercase().cmp(&q.to_lowercase())
                    }
                    (Some(Value::Bool(p)), Some(Value::Bool(q))) => p.cmp(q),
                    (None | Some(Value::Null), Some(_)) => std::cmp::Ordering::Less,
                    (Some(_), None | Some(Value::Null)) => std::cmp::Ordering::Greater,
                    (Some(p), Some(q)) => p
                        .as_f64()
                        .partial_cmp(&q.as_f64())
                        .unwrap_or(std::cmp::Ordering::Equal),
                    _ => std::cmp::Ordering::Equal,
                },
            };
            let o = if key.descending { o.reverse() } else { o };
            if o != std::cmp::Ordering::Equal {
                return o;
            }
        }
        std::cmp::Ordering::Equal
    });
}

// ---------------------------------------------------------------- Prefer headers

/// The zone of `Prefer: outlook.timezone="…"` in any of the request's `Prefer` headers.
pub fn prefer_timezone<'a>(values: impl Iterator<Item = &'a str>) -> Option<String> {
    for value in values {
        for part in value.split(',') {
            let part = part.trim();
            if let Some((name, zone)) = part.split_once('=') {
                if name.trim().eq_ignore_ascii_case("outlook.timezone") {
                    return Some(zone.trim().trim_matches('"').to_owned());
                }
            }
        }
    }
    None
}

/// The `Preference-Applied` value for a zone.
pub fn preference_applied(zone: &str) -> String {
    format!("outlook.timezone=\"{zone}\"")
}
