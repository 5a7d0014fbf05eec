//! The `getAllTranscripts(…)` / `getAllRecordings(…)` function segments: their parameters and
//! Graph's syntax errors for them (spec B.5).

use super::*;
use crate::graph::GraphError;
use chrono::{DateTime, SecondsFormat, Utc};

/// `getAllTranscripts(…)` / `getAllRecordings(…)`: the organizer and the creation window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetAllCall {
    /// Which artifacts.
    pub kind: ArtifactKind,
    /// `meetingOrganizerUserId`, when the segment names it.
    pub organizer: Option<String>,
    /// `startDateTime`: created at or after.
    pub start: Option<DateTime<Utc>>,
    /// `endDateTime`: created at or before.
    pub end: Option<DateTime<Utc>>,
}

impl GetAllCall {
    /// Parses a path segment; `None` when it is not one of the two functions (so it is a
    /// meeting id), `Some(Err)` for a function with bad parameters.
    pub fn parse(segment: &str) -> Option<Result<Self, GraphError>> {
        Self::parse_with(segment, &|_| None)
    }

    /// [`GetAllCall::parse`], with OData parameter aliases (`startDateTime=@startDateTime`,
    /// `meetingOrganizerUserId='@meetingOrganizerUserId'`, as the Kiota SDKs' URL templates
    /// write them) resolved by `alias` from the query; an alias the query does not give is a
    /// parameter left out.
    pub fn parse_with(
        segment: &str,
        alias: &dyn Fn(&str) -> Option<String>,
    ) -> Option<Result<Self, GraphError>> {
        let kind = [ArtifactKind::Transcript, ArtifactKind::Recording]
            .into_iter()
            .find(|k| {
                segment
                    .get(..k.function().len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(k.function()))
            })?;
        let rest = &segment[kind.function().len()..];
        let mut call = Self {
            kind,
            organizer: None,
            start: None,
            end: None,
        };
        if rest.is_empty() {
            return Some(Ok(call));
        }
        let args = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')'))?;
        // Where the parameters begin in the segment, for syntax errors' positions.
        let base = kind.function().len() + 1;
        if let Some(at) = syntax_error_at(args) {
            return Some(Err(GraphError::odata_syntax_error(base + at)));
        }
        for arg in args.split(',').map(str::trim).filter(|a| !a.is_empty()) {
            let Some((name, value)) = arg.split_once('=') else {
                return Some(Err(GraphError::bad_request(format!(
                    "The parameter '{arg}' of {} has no value.",
                    kind.function()
                ))));
            };
            let value = value.trim();
            let unquoted = value
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .unwrap_or(value);
            let resolved;
            let unquoted = match unquoted.strip_prefix('@') {
                Some(name) => match alias(name) {
                    Some(v) => {
                        resolved = v;
                        resolved
                            .strip_prefix('\'')
                            .and_then(|v| v.strip_suffix('\''))
                            .unwrap_or(&resolved)
                    }
                    None => continue,
                },
                None => unquoted,
            };
            let time = || {
                DateTime::parse_from_rfc3339(unquoted)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|_| {
                        GraphError::bad_request(format!(
                            "The parameter '{}' has an invalid value '{value}': an Edm.DateTimeOffset is expected.",
                            name.trim()
                        ))
                    })
            };
            match name.trim().to_ascii_lowercase().as_str() {
                "meetingorganizeruserid" => call.organizer = Some(unquoted.to_owned()),
                "startdatetime" => match time() {
                    Ok(t) => call.start = Some(t),
                    Err(e) => return Some(Err(e)),
                },
                "enddatetime" => match time() {
                    Ok(t) => call.end = Some(t),
                    Err(e) => return Some(Err(e)),
                },
                other => {
                    return Some(Err(GraphError::bad_request(format!(
                        "The function '{}' has no parameter '{other}'.",
                        kind.function()
                    ))))
                }
            }
        }
        Some(Ok(call))
    }

    /// The segment, written back (for `@odata.nextLink` and `@odata.deltaLink`).
    pub fn segment(&self, organizer: &str) -> String {
        let mut args = vec![format!("meetingOrganizerUserId='{organizer}'")];
        if let Some(start) = self.start {
            args.push(format!(
                "startDateTime={}",
                start.to_rfc3339_opts(SecondsFormat::AutoSi, true)
            ));
        }
        if let Some(end) = self.end {
            args.push(format!(
                "endDateTime={}",
                end.to_rfc3339_opts(SecondsFormat::AutoSi, true)
            ));
        }
        format!("{}({})", self.kind.function(), args.join(","))
    }
}

/// Where a function's parameter list stops being `name=value` pairs separated by commas (a
/// value quoted in `'…'`, with `''` for a quote), if it does: e.g. the Kiota SDKs' templates
/// expand to `meetingOrganizerUserId='@meetingOrganizerUserId'startDateTime=…`, with no comma.
fn syntax_error_at(args: &str) -> Option<usize> {
    let bytes = args.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // A name.
        let start = i;
        while i < bytes.len()
            && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b' ')
        {
            i += 1;
        }
        if i == start || bytes.get(i) != Some(&b'=') {
            return Some(i);
        }
        i += 1;
        // A value: quoted, or up to the next comma with no quote or `=` in it.
        if bytes.get(i) == Some(&b'\'') {
            i += 1;
            loop {
                match bytes.get(i) {
                    None => return Some(i),
                    Some(b'\'') if bytes.get(i + 1) == Some(&b'\'') => i += 2,
                    Some(b'\'') => {
                        i += 1;
                        break;
                    }
                    Some(_) => i += 1,
                }
            }
        } else {
            while i < bytes.len() && bytes[i] != b',' {
                if bytes[i] == b'\'' || bytes[i] == b'=' || bytes[i] == b'(' {
                    return Some(i);
                }
                i += 1;
            }
        }
        while bytes.get(i) == Some(&b' ') {
            i += 1;
        }
        match bytes.get(i) {
            None => return None,
            Some(b',') => i += 1,
            Some(_) => return Some(i),
        }
    }
    None
}
