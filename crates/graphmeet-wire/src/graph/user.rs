//! The `microsoft.graph.user` resource as `GET /users` and `GET /users/{id | upn}` serve it, and
//! the collection's query options: `$filter`, `$select`, `$top` and `$skiptoken` paging.
//!
//! Facts ([doc] the user resource page and "List users"; [obs] bodies quoted in public issues;
//! each recorded in `docs/fidelity.md`):
//! - Without `$select` a user carries the default set: `businessPhones`, `displayName`,
//!   `givenName`, `jobTitle`, `mail`, `mobilePhone`, `officeLocation`, `preferredLanguage`,
//!   `surname`, `userPrincipalName`, `id` [doc]. Other properties (`accountEnabled`,
//!   `userType`, `assignedLicenses`, `createdDateTime`) come only when selected [doc].
//! - `$filter` takes `eq`, `in` and `startsWith` on the filterable properties, joined with
//!   `and` / `or` [doc]; an operator or property the directory cannot filter on answers 400
//!   `Request_UnsupportedQuery` "Unsupported or invalid query filter clause specified for property
//!   '{p}' of resource 'User'." [obs, azure-docs #38560, docs-contrib #3260]. Advanced queries
//!   (`ne`, `endsWith`, `$count`, `ConsistencyLevel: eventual`) are not served.
//! - A page holds 100 users by default and `$top` takes 1 to 999 [doc]; the next page is at
//!   `@odata.nextLink`, which carries a `$skiptoken` [doc].

use super::error::GraphError;
use super::select::{canonical_name, parse_select_or_all};
use serde_json::{Map, Value};

/// Office 365 E3 (`ENTERPRISEPACK`), the SKU that stands for "a licence with Teams".
pub const TEAMS_LICENSE_SKU: &str = "6fd2c87f-b296-42f0-b197-1e91e994b900";
/// Microsoft 365 Audio Conferencing (`MCOMEETADV`).
pub const AUDIO_CONFERENCING_SKU: &str = "0c266dff-15dd-4b49-8397-2bb16070ed52";

/// Users on a page when `$top` is not given.
pub const DEFAULT_PAGE_SIZE: usize = 100;
/// The largest `$top` the directory takes.
pub const MAX_PAGE_SIZE: usize = 999;

/// The properties a user has without `$select`, in Graph's order.
pub const DEFAULT_PROPERTIES: &[&str] = &[
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
];

/// Properties that `$select` may also name.
pub const SELECTABLE_ONLY: &[&str] = &[
    "accountEnabled",
    "userType",
    "assignedLicenses",
    "createdDateTime",
];

/// A user as Graph renders it; what graphmeet does not model is `null` or empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserResource {
    /// Object id.
    pub id: String,
    /// `displayName`.
    pub display_name: String,
    /// `userPrincipalName`.
    pub user_principal_name: String,
    /// `mail`.
    pub mail: Option<String>,
    /// `accountEnabled`.
    pub account_enabled: bool,
    /// `userType` (`Member` or `Guest`).
    pub user_type: String,
    /// The SKU ids of `assignedLicenses`.
    pub licenses: Vec<&'static str>,
    /// `createdDateTime`, already formatted.
    pub created_date_time: String,
}

impl UserResource {
    fn property(&self, name: &str) -> Value {
        match name {
            "businessPhones" => Value::Array(Vec::new()),
            "displayName" => Value::String(self.display_name.clone()),
            "userPrincipalName" => Value::String(self.user_principal_name.clone()),
            "mail" => self.mail.clone().map_or(Value::Null, Value::String),
            "id" => Value::String(self.id.clone()),
            "accountEnabled" => Value::Bool(self.account_enabled),
            "userType" => Value::String(self.user_type.clone()),
            "createdDateTime" => Value::String(self.created_date_time.clone()),
            "assignedLicenses" => Value::Array(
                self.licenses
                    .iter()
                    .map(|sku| serde_json::json!({"disabledPlans": [], "skuId": sku}))
                    .collect(),
            ),
            _ => Value::Null,
        }
    }

    /// The user's JSON object: the default properties, or those `select` names, in that order.
    pub fn to_json(&self, select: Option<&[String]>) -> Map<String, Value> {
        let names: Vec<&str> = match select {
            Some(names) => names.iter().map(String::as_str).collect(),
            None => DEFAULT_PROPERTIES.to_vec(),
        };
        names
            .into_iter()
            .map(|n| (n.to_owned(), self.property(n)))
            .collect()
    }

    /// A filterable property's value, as text (for `eq`, `in` and `startsWith`).
    fn text(&self, p: FilterProperty) -> Option<String> {
        match p {
            FilterProperty::Id => Some(self.id.clone()),
            FilterProperty::DisplayName => Some(self.display_name.clone()),
            FilterProperty::UserPrincipalName => Some(self.user_principal_name.clone()),
            FilterProperty::Mail => self.mail.clone(),
            FilterProperty::UserType => Some(self.user_type.clone()),
            FilterProperty::AccountEnabled => Some(self.account_enabled.to_string()),
        }
    }
}

/// A property `$filter` can test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterProperty {
    /// `id`.
    Id,
    /// `displayName`.
    DisplayName,
    /// `userPrincipalName`.
    UserPrincipalName,
    /// `mail`.
    Mail,
    /// `userType`.
    UserType,
    /// `accountEnabled` (a Boolean).
    AccountEnabled,
}

impl FilterProperty {
    fn parse(name: &str) -> Option<Self> {
        [
            ("id", Self::Id),
            ("displayName", Self::DisplayName),
            ("userPrincipalName", Self::UserPrincipalName),
            ("mail", Self::Mail),
            ("userType", Self::UserType),
            ("accountEnabled", Self::AccountEnabled),
        ]
        .into_iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, p)| p)
    }

    fn name(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::DisplayName => "displayName",
            Self::UserPrincipalName => "userPrincipalName",
            Self::Mail => "mail",
            Self::UserType => "userType",
            Self::AccountEnabled => "accountEnabled",
        }
    }
}

/// One test of a `$filter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// `p eq 'v'` (text compared ignoring case, as the directory does) or `p eq true`.
    Eq(FilterProperty, String),
    /// `p in ('a', 'b')`.
    In(FilterProperty, Vec<String>),
    /// `startsWith(p, 'v')`, ignoring case.
    StartsWith(FilterProperty, String),
}

impl Condition {
    fn holds(&self, user: &UserResource) -> bool {
        match self {
            Self::Eq(p, v) => user.text(*p).is_some_and(|t| t.eq_ignore_ascii_case(v)),
            Self::In(p, vs) => user
                .text(*p)
                .is_some_and(|t| vs.iter().any(|v| t.eq_ignore_ascii_case(v))),
            Self::StartsWith(p, v) => user.text(*p).is_some_and(|t| {
                t.get(..v.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(v))
            }),
        }
    }
}

/// A parsed `$filter`: alternatives (`or`) of conjunctions (`and`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserFilter(pub Vec<Vec<Condition>>);

impl UserFilter {
    /// Whether `user` passes the filter.
    pub fn matches(&self, user: &UserResource) -> bool {
        self.0.iter().any(|all| all.iter().all(|c| c.holds(user)))
    }

    /// The UPN or id the filter pins the result to, when it is one `eq` on either: a lookup
    /// instead of a scan.
    pub fn single_key(&self) -> Option<(FilterProperty, &str)> {
        match self.0.as_slice() {
            [only] => match only.as_slice() {
                [Condition::Eq(p @ (FilterProperty::UserPrincipalName | FilterProperty::Id), v)] => {
                    Some((*p, v.as_str()))
                }
                _ => None,
            },
            _ => None,
        }
    }
}

/// The query options of `GET /users`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserQuery {
    /// `$filter`.
    pub filter: Option<UserFilter>,
    /// `$select`, canonical names; `None` for the default set.
    pub select: Option<Vec<String>>,
    /// `$top`, or the default page size.
    pub top: usize,
    /// `$skiptoken`: the page starts after the user with this id.
    pub after: Option<String>,
}

fn unsupported(property: &str) -> GraphError {
    GraphError::new(
        400,
        "Request_UnsupportedQuery",
        format!(
            "Unsupported or invalid query filter clause specified for property '{property}' of resource 'User'."
        ),
    )
}

fn bad_request(message: impl Into<String>) -> GraphError {
    GraphError::new(400, "Request_BadRequest", message)
}

fn invalid_filter() -> GraphError {
    bad_request("Invalid filter clause")
}

fn unknown_property(name: &str) -> GraphError {
    bad_request(format!(
        "Could not find a property named '{name}' on type 'Microsoft.DirectoryServices.User'."
    ))
}

/// `$select`'s canonical name for `name` (any case), or the unknown-property error.
fn select_name(name: &str) -> Result<&'static str, GraphError> {
    canonical_name(&[DEFAULT_PROPERTIES, SELECTABLE_ONLY], name)
        .ok_or_else(|| unknown_property(name))
}

/// Parses `$select` for a user or the collection.
pub fn parse_select(text: &str) -> Result<Option<Vec<String>>, GraphError> {
    parse_select_or_all(
        text,
        &[DEFAULT_PROPERTIES, SELECTABLE_ONLY],
        unknown_property,
    )
}

/// Parses the raw query string of `GET /users` (decoded with form rules, as for meetings).
pub fn parse_user_query(raw_query: Option<&str>) -> Result<UserQuery, GraphError> {
    let mut query = UserQuery {
        top: DEFAULT_PAGE_SIZE,
        ..UserQuery::default()
    };
    let raw = raw_query.unwrap_or_default();
    let mut seen: Vec<String> = Vec::new();
    for (name, value) in form_urlencoded::parse(raw.trim_start_matches('?').as_bytes()) {
        let bare = name.strip_prefix('$').unwrap_or(&name).to_ascii_lowercase();
        if matches!(bare.as_str(), "filter" | "select" | "top" | "skiptoken") {
            if seen.contains(&bare) {
                return Err(GraphError::duplicate_query_option(&format!("${bare}")));
            }
            seen.push(bare.clone());
        }
        match bare.as_str() {
            "filter" => query.filter = Some(parse_filter(&value)?),
            "select" => query.select = parse_select(&value)?,
            "top" => {
                query.top = value
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_PAGE_SIZE).contains(n))
                    .ok_or_else(|| {
                        bad_request(format!(
                            "Invalid page size specified: '{value}'. Must be between 1 and {MAX_PAGE_SIZE} inclusive."
                        ))
                    })?;
            }
            "skiptoken" => {
                let bytes = crate::b64::url_decode_lenient(value.trim())
                    .map_err(|_| bad_request("Skip token is null or invalid."))?;
                let id = String::from_utf8(bytes)
                    .ok()
                    .filter(|id| uuid::Uuid::parse_str(id).is_ok())
                    .ok_or_else(|| bad_request("Skip token is null or invalid."))?;
                query.after = Some(id);
            }
            // Advanced queries are not served: say so rather than ignore them.
            "count" | "orderby" | "search" => {
                return Err(GraphError::new(
                    400,
                    "Request_UnsupportedQuery",
                    format!("${bare} is not supported on users by this server."),
                ))
            }
            _ => {}
        }
    }
    Ok(query)
}

/// The `$skiptoken` of the page after the user with `last_id`.
pub fn skiptoken_after(last_id: &str) -> String {
    crate::b64::url_encode(last_id.as_bytes())
}

/// A small tokenizer for the filter grammar graphmeet serves.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Text(String),
    Open,
    Close,
    Comma,
}

fn tokens(text: &str) -> Result<Vec<Token>, GraphError> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push(Token::Open);
            }
            ')' => {
                chars.next();
                out.push(Token::Close);
            }
            ',' => {
                chars.next();
                out.push(Token::Comma);
            }
            '\'' => {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some('\'') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            s.push('\'');
                        }
                        Some('\'') => break,
                        Some(c) => s.push(c),
                        None => return Err(invalid_filter()),
                    }
                }
                out.push(Token::Text(s));
            }
            _ => {
                let mut w = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '(' | ')' | ',' | '\'') {
                        break;
                    }
                    w.push(c);
                    chars.next();
                }
                out.push(Token::Word(w));
            }
        }
    }
    Ok(out)
}

/// Parses a `$filter` on users: `cond (and|or cond)*`, where `cond` is `p eq 'v'`, `p eq
/// true|false`, `p in ('a', …)` or `startsWith(p, 'v')`, optionally in parentheses; `and` binds
/// tighter than `or`.
pub fn parse_filter(text: &str) -> Result<UserFilter, GraphError> {
    let toks = tokens(text)?;
    let mut pos = 0;
    let mut alternatives = vec![Vec::new()];
    loop {
        let cond = condition(&toks, &mut pos)?;
        if let Some(last) = alternatives.last_mut() {
            last.push(cond);
        }
        match toks.get(pos) {
            None => break,
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("and") => pos += 1,
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("or") => {
                pos += 1;
                alternatives.push(Vec::new());
            }
            _ => return Err(invalid_filter()),
        }
    }
    Ok(UserFilter(alternatives))
}

fn property(name: &str) -> Result<FilterProperty, GraphError> {
    match FilterProperty::parse(name) {
        Some(p) => Ok(p),
        // A real property the directory does not filter on, or no property at all.
        None => match select_name(name) {
            Ok(known) => Err(unsupported(known)),
            Err(e) => Err(e),
        },
    }
}

fn condition(toks: &[Token], pos: &mut usize) -> Result<Condition, GraphError> {
    let next = |pos: &mut usize| {
        let t = toks.get(*pos).cloned();
        *pos += 1;
        t
    };
    match next(pos) {
        Some(Token::Open) => {
            let inner = condition(toks, pos)?;
            match next(pos) {
                Some(Token::Close) => Ok(inner),
                _ => Err(invalid_filter()),
            }
        }
        Some(Token::Word(w)) if w.eq_ignore_ascii_case("startswith") => {
            let (
                Some(Token::Open),
                Some(Token::Word(p)),
                Some(Token::Comma),
                Some(Token::Text(v)),
                Some(Token::Close),
            ) = (next(pos), next(pos), next(pos), next(pos), next(pos))
            else {
                return Err(invalid_filter());
            };
            let p = property(&p)?;
            if matches!(p, FilterProperty::Id | FilterProperty::AccountEnabled) {
                return Err(unsupported(p.name()));
            }
            Ok(Condition::StartsWith(p, v))
        }
        Some(Token::Word(name)) => {
            let Some(Token::Word(op)) = next(pos) else {
                return Err(invalid_filter());
            };
            let p = property(&name)?;
            if op.eq_ignore_ascii_case("eq") {
                let value = match (next(pos), p) {
                    (Some(Token::Word(b)), FilterProperty::AccountEnabled)
                        if b == "true" || b == "false" =>
                    {
                        b
                    }
                    (Some(Token::Text(v)), p) if p != FilterProperty::AccountEnabled => v,
                    _ => return Err(invalid_filter()),
                };
                Ok(Condition::Eq(p, value))
            } else if op.eq_ignore_ascii_case("in") && p != FilterProperty::AccountEnabled {
                if next(pos) != Some(Token::Open) {
                    return Err(invalid_filter());
                }
                let mut values = Vec::new();
                loop {
                    match next(pos) {
                        Some(Token::Text(v)) => values.push(v),
                        _ => return Err(invalid_filter()),
                    }
                    match next(pos) {
                        Some(Token::Comma) => continue,
                        Some(Token::Close) => break,
                        _ => return Err(invalid_filter()),
                    }
                }
                Ok(Condition::In(p, values))
            } else {
                // `ne`, `endsWith`, `ge`…: advanced queries the directory refuses without
                // `ConsistencyLevel: eventual`, which graphmeet does not serve.
                Err(unsupported(p.name()))
            }
        }
        _ => Err(invalid_filter()),
    }
}

#[cfg(test)]
mod tests;
