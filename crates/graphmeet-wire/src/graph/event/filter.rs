//! The events' `$filter`: a small OData expression language (comparisons, `and`, `or`, `not`,
//! parentheses) parsed into [`EventFilter`] and evaluated on a rendered event.

use super::*;
use crate::graph::error::GraphError;
use crate::graph::timezone::parse_local;
use chrono::{DateTime, Utc};
use serde_json::Value;

/// A comparison operator of `$filter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `eq`.
    Eq,
    /// `ne`.
    Ne,
    /// `gt`.
    Gt,
    /// `ge`.
    Ge,
    /// `lt`.
    Lt,
    /// `le`.
    Le,
}

/// A literal of `$filter`.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `'text'`.
    Text(String),
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Number(f64),
    /// An unquoted `2026-01-01T00:00:00Z`.
    DateTime(DateTime<Utc>),
    /// `null`.
    Null,
}

/// `$filter` on events: comparisons of the common properties, `contains`/`startswith` on
/// text, `categories/any(c:c eq '…')`, joined by `and` / `or`, with `not` and parentheses.
#[derive(Debug, Clone, PartialEq)]
pub enum EventFilter {
    /// `path op literal`.
    Compare(String, CompareOp, Literal),
    /// `contains(path,'text')`.
    Contains(String, String),
    /// `startswith(path,'text')`.
    StartsWith(String, String),
    /// `categories/any(c:c eq 'x')`.
    AnyCategory(String),
    /// `a and b`.
    And(Box<EventFilter>, Box<EventFilter>),
    /// `a or b`.
    Or(Box<EventFilter>, Box<EventFilter>),
    /// `not a`.
    Not(Box<EventFilter>),
}

/// Property paths `$filter` and `$orderby` may compare.
const FILTER_PATHS: &[&str] = &[
    "subject",
    "importance",
    "sensitivity",
    "showAs",
    "type",
    "iCalUId",
    "id",
    "transactionId",
    "isOnlineMeeting",
    "onlineMeetingProvider",
    "isCancelled",
    "isOrganizer",
    "isAllDay",
    "isReminderOn",
    "hasAttachments",
    "responseRequested",
    "reminderMinutesBeforeStart",
    "createdDateTime",
    "lastModifiedDateTime",
    "start/dateTime",
    "end/dateTime",
    "organizer/emailAddress/address",
    "organizer/emailAddress/name",
    "responseStatus/response",
    "location/displayName",
    "bodyPreview",
];

pub(super) fn canonical_path(path: &str) -> Result<String, GraphError> {
    FILTER_PATHS
        .iter()
        .find(|p| p.eq_ignore_ascii_case(path))
        .map(|p| (*p).to_owned())
        .ok_or_else(|| {
            let first = path.split('/').next().unwrap_or(path);
            GraphError::unknown_query_property(first, EVENT_TYPE)
        })
}

pub(super) fn path_value<'v>(event: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('/').try_fold(event, |v, seg| v.get(seg))
}

pub(super) fn as_instant(v: &Value) -> Option<DateTime<Utc>> {
    let s = v.as_str()?;
    parse_local(s.trim_end_matches('Z'))
        .map(|t| t.and_utc())
        .or_else(|| {
            DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|t| t.with_timezone(&Utc))
        })
}

fn compare(value: Option<&Value>, op: CompareOp, literal: &Literal) -> bool {
    use std::cmp::Ordering;
    let ordering: Option<Ordering> = match (value, literal) {
        (None | Some(Value::Null), Literal::Null) => Some(Ordering::Equal),
        (None | Some(Value::Null), _) | (_, Literal::Null) => None,
        (Some(v), Literal::Bool(b)) => v.as_bool().map(|x| x.cmp(b)),
        (Some(v), Literal::Number(n)) => v.as_f64().and_then(|x| x.partial_cmp(n)),
        (Some(v), Literal::DateTime(t)) => as_instant(v).map(|x| x.cmp(t)),
        (Some(v), Literal::Text(text)) => {
            match (as_instant(v), as_instant(&Value::String(text.clone()))) {
                (Some(a), Some(b)) => Some(a.cmp(&b)),
                _ => v
                    .as_str()
                    .map(|x| x.to_lowercase().cmp(&text.to_lowercase())),
            }
        }
    };
    match (op, ordering) {
        (CompareOp::Ne, None) => true,
        (_, None) => false,
        (CompareOp::Eq, Some(o)) => o == Ordering::Equal,
        (CompareOp::Ne, Some(o)) => o != Ordering::Equal,
        (CompareOp::Gt, Some(o)) => o == Ordering::Greater,
        (CompareOp::Ge, Some(o)) => o != Ordering::Less,
        (CompareOp::Lt, Some(o)) => o == Ordering::Less,
        (CompareOp::Le, Some(o)) => o != Ordering::Greater,
    }
}

impl EventFilter {
    /// Whether an event, rendered in UTC with every property, matches.
    pub fn matches(&self, event: &Value) -> bool {
        match self {
            Self::Compare(path, op, literal) => compare(path_value(event, path), *op, literal),
            Self::Contains(path, text) => path_value(event, path)
                .and_then(Value::as_str)
                .is_some_and(|v| v.to_lowercase().contains(&text.to_lowercase())),
            Self::StartsWith(path, text) => path_value(event, path)
                .and_then(Value::as_str)
                .is_some_and(|v| v.to_lowercase().starts_with(&text.to_lowercase())),
            Self::AnyCategory(name) => event
                .get("categories")
                .and_then(Value::as_array)
                .is_some_and(|c| {
                    c.iter()
                        .filter_map(Value::as_str)
                        .any(|c| c.eq_ignore_ascii_case(name))
                }),
            Self::And(a, b) => a.matches(event) && b.matches(event),
            Self::Or(a, b) => a.matches(event) || b.matches(event),
            Self::Not(a) => !a.matches(event),
        }
    }
}

fn invalid_filter(text: &str) -> GraphError {
    GraphError::new(400, "BadRequest", format!("Invalid filter clause: {text}"))
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Text(String),
    Open,
    Close,
    Comma,
    Colon,
}

fn tokens(text: &str) -> Result<Vec<Token>, GraphError> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' => i += 1,
            '(' => {
                out.push(Token::Open);
                i += 1
            }
            ')' => {
                out.push(Token::Close);
                i += 1
            }
            ',' => {
                out.push(Token::Comma);
                i += 1
            }
            ':' => {
                out.push(Token::Colon);
                i += 1
            }
            '\'' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(invalid_filter("unterminated string literal")),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            s.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(c) => {
                            s.push(*c);
                            i += 1;
                        }
                    }
                }
                out.push(Token::Text(s));
            }
            _ => {
                let start = i;
                while i < chars.len() && !" \t(),':".contains(chars[i]) {
                    i += 1;
                }
                // A time literal keeps its colons: 2026-01-01T10:00:00Z.
                let mut word: String = chars[start..i].iter().collect();
                while word.contains('T')
                    && word.starts_with(|c: char| c.is_ascii_digit())
                    && chars.get(i) == Some(&':')
                {
                    let s2 = i;
                    i += 1;
                    while i < chars.len() && !" \t(),'".contains(chars[i]) && chars[i] != ':' {
                        i += 1;
                    }
                    word.extend(chars[s2..i].iter());
                }
                out.push(Token::Word(word));
            }
        }
    }
    Ok(out)
}

struct FilterParser {
    tokens: Vec<Token>,
    at: usize,
}

impl FilterParser {
    fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn expect(&mut self, token: Token) -> Result<(), GraphError> {
        if self.next() == Some(token.clone()) {
            Ok(())
        } else {
            Err(invalid_filter(&format!("expected {token:?}")))
        }
    }

    fn or(&mut self) -> Result<EventFilter, GraphError> {
        let mut left = self.and()?;
        while self.peek_word("or") {
            self.at += 1;
            left = EventFilter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<EventFilter, GraphError> {
        let mut left = self.unary()?;
        while self.peek_word("and") {
            self.at += 1;
            left = EventFilter::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<EventFilter, GraphError> {
        if self.peek_word("not") {
            self.at += 1;
            return Ok(EventFilter::Not(Box::new(self.unary()?)));
        }
        match self.next() {
            Some(Token::Open) => {
                let inner = self.or()?;
                self.expect(Token::Close)?;
                Ok(inner)
            }
            Some(Token::Word(word)) => {
                let lower = word.to_ascii_lowercase();
                if (lower == "contains" || lower == "startswith")
                    && self.tokens.get(self.at) == Some(&Token::Open)
                {
                    self.at += 1;
                    let Some(Token::Word(path)) = self.next() else {
                        return Err(invalid_filter("expected a property"));
                    };
                    let path = canonical_path(&path)?;
                    self.expect(Token::Comma)?;
                    let Some(Token::Text(text)) = self.next() else {
                        return Err(invalid_filter("expected a string literal"));
                    };
                    self.expect(Token::Close)?;
                    return Ok(if lower == "contains" {
                        EventFilter::Contains(path, text)
                    } else {
                        EventFilter::StartsWith(path, text)
                    });
                }
                if lower == "categories/any" {
                    self.expect(Token::Open)?;
                    let Some(Token::Word(var)) = self.next() else {
                        return Err(invalid_filter("expected a range variable"));
                    };
                    self.expect(Token::Colon)?;
                    let Some(Token::Word(var2)) = self.next() else {
                        return Err(invalid_filter("expected the range variable"));
                    };
                    if var != var2 || !self.peek_word("eq") {
                        return Err(invalid_filter("categories/any supports 'c:c eq' only"));
                    }
                    self.at += 1;
                    let Some(Token::Text(text)) = self.next() else {
                        return Err(invalid_filter("expected a string literal"));
                    };
                    self.expect(Token::Close)?;
                    return Ok(EventFilter::AnyCategory(text));
                }
                let path = canonical_path(&word)?;
                let op = match self.next() {
                    Some(Token::Word(op)) => match op.to_ascii_lowercase().as_str() {
                        "eq" => CompareOp::Eq,
                        "ne" => CompareOp::Ne,
                        "gt" => CompareOp::Gt,
                        "ge" => CompareOp::Ge,
                        "lt" => CompareOp::Lt,
                        "le" => CompareOp::Le,
                        other => {
                            return Err(invalid_filter(&format!("unknown operator '{other}'")))
                        }
                    },
                    _ => return Err(invalid_filter("expected an operator")),
                };
                let literal = match self.next() {
                    Some(Token::Text(t)) => Literal::Text(t),
                    Some(Token::Word(w)) => match w.to_ascii_lowercase().as_str() {
                        "true" => Literal::Bool(true),
                        "false" => Literal::Bool(false),
                        "null" => Literal::Null,
                        _ => {
                            if let Ok(n) = w.parse::<f64>() {
                                Literal::Number(n)
                            } else if let Ok(t) = DateTime::parse_from_rfc3339(&w) {
                                Literal::DateTime(t.with_timezone(&Utc))
                            } else {
                                return Err(invalid_filter(&format!("unknown literal '{w}'")));
                            }
                        }
                    },
                    _ => return Err(invalid_filter("expected a literal")),
                };
                Ok(EventFilter::Compare(path, op, literal))
            }
            _ => Err(invalid_filter("expected an expression")),
        }
    }
}

/// Parses `$filter`.
pub fn parse_event_filter(text: &str) -> Result<EventFilter, GraphError> {
    let mut parser = FilterParser {
        tokens: tokens(text)?,
        at: 0,
    };
    let filter = parser.or()?;
    if parser.at != parser.tokens.len() {
        return Err(invalid_filter("unexpected text after the expression"));
    }
    Ok(filter)
}
