//! The `microsoft.graph.onlineMeeting` resource: its properties, nested types and enums, the
//! request bodies of create / PATCH / createOrGet, and Graph's timestamp format.
//!
//! Facts: spec `graph-online-meetings.md` §2 (property list §2.1, beta extras §2.2, nulls §2.3,
//! nested types §2.4, example §2.5, formats §2.7) and `client-traces.md` §5.5 (request bodies).
//!
//! Responses carry **every** known property, `null` where unset, as the real service does
//! (§2.3). Rendering ([`OnlineMeeting::to_json`]) drops the beta-only properties on v1.0 and
//! maps the evolvable enum members (`invited`, `organizationExcludingGuests`, `producer`,
//! `coorganizer`) to `unknownFutureValue` unless the request sent
//! `Prefer: include-unknown-enum-members`.

use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
    Timelike, Utc,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::error::GraphError;
use super::ApiVersion;

// ============================================================================================
// GraphDateTime
// ============================================================================================

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
        let seconds = self.0.format("%Y-%m-%dT%H:%M:%S");
        if ticks == 0 {
            return format!("{seconds}Z");
        }
        let fraction = format!("{ticks:07}");
        format!("{seconds}.{}Z", fraction.trim_end_matches('0'))
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

// ============================================================================================
// Enums
// ============================================================================================

/// Declares a Graph string enum: exact wire names, strict serde, and input parsing that
/// reports the property and the allowed values.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident = $odata:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every member, in the order of the Graph schema.
            pub const ALL: &'static [$name] = &[ $( $name::$variant ),+ ];
            /// The OData enum type name.
            pub const ODATA_TYPE: &'static str = $odata;

            /// The wire name.
            pub fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $wire ),+ }
            }

            /// Reads an exact wire name.
            pub fn from_wire(text: &str) -> Option<Self> {
                match text { $( $wire => Some($name::$variant), )+ _ => None }
            }

            /// Reads a wire name, ignoring ASCII case (for request bodies).
            pub fn from_wire_ignore_case(text: &str) -> Option<Self> {
                Self::from_wire(text).or_else(|| {
                    Self::ALL.iter().copied().find(|m| m.as_str().eq_ignore_ascii_case(text))
                })
            }

            fn allowed() -> String {
                Self::ALL.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($wire),+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Self::from_wire(&text).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "'{text}' is not a member of enum type '{}' (allowed: {})",
                        $odata,
                        Self::allowed()
                    ))
                })
            }
        }

        impl FromJson for $name {
            fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
                let Value::String(text) = value else {
                    return Err(InputError::wrong_type(path, "a string member of enum type", value)
                        .with_suffix(&format!(" '{}'", $odata)));
                };
                Self::from_wire_ignore_case(text).ok_or_else(|| InputError::new(
                    Some(path),
                    format!(
                        "Invalid value '{text}' for property '{path}': it is not a member of enum type '{}'. Allowed values: {}.",
                        $odata,
                        Self::allowed()
                    ),
                ))
            }
        }
    };
}

wire_enum! {
    /// `allowedPresenters`: who can present (default `everyone`).
    OnlineMeetingPresenters = "microsoft.graph.onlineMeetingPresenters" {
        /// Everyone is a presenter.
        Everyone => "everyone",
        /// Everyone in the organizer's organization.
        Organization => "organization",
        /// Only participants whose role is presenter.
        RoleIsPresenter => "roleIsPresenter",
        /// Only the organizer.
        Organizer => "organizer",
        /// Evolvable-enum sentinel.
        UnknownFutureValue => "unknownFutureValue",
    }
}

wire_enum! {
    /// `allowedLobbyAdmitters`: who can admit people from the lobby.
    AllowedLobbyAdmitterRoles = "microsoft.graph.allowedLobbyAdmitterRoles" {
        /// Organizer, co-organizers and presenters.
        OrganizerAndCoOrganizersAndPresenters => "organizerAndCoOrganizersAndPresenters",
        /// Organizer and co-organizers.
        OrganizerAndCoOrganizers => "organizerAndCoOrganizers",
        /// Evolvable-enum sentinel.
        UnknownFutureValue => "unknownFutureValue",
    }
}

wire_enum! {
    /// `allowLiveShare`: whether Live Share is enabled.
    MeetingLiveShareOptions = "microsoft.graph.meetingLiveShareOptions" {
        /// Live Share on.
        Enabled => "enabled",
        /// Live Share off.
        Disabled => "disabled",
        /// Evolvable-enum sentinel.
        UnknownFutureValue => "unknownFutureValue",
    }
}

wire_enum! {
    /// `allowMeetingChat`: the meeting chat mode.
    MeetingChatMode = "microsoft.graph.meetingChatMode" {
        /// Chat on.
        Enabled => "enabled",
        /// Chat off.
        Disabled => "disabled",
        /// Chat only while the call is in progress.
        Limited => "limited",
        /// Evolvable-enum sentinel.
        UnknownFutureValue => "unknownFutureValue",
    }
}

wire_enum! {
    /// `shareMeetingChatHistoryDefault`: how much chat history new participants see.
    MeetingChatHistoryDefaultMode = "microsoft.graph.meetingChatHistoryDefaultMode" {
        /// All history.
        All => "all",
        /// No history.
        None => "none",
        /// Evolvable-enum sentinel.
        UnknownFutureValue => "unknownFutureValue",
    }
}

wire_enum! {
    /// `meetingType` (read-only).
    OnlineMeetingType = "microsoft.graph.onlineMeetingType" {
        /// Ad-hoc meeting.
        Adhoc => "adhoc",
        /// Scheduled meeting.
        Scheduled => "scheduled",
        /// Recurring meeting.
        Recurring => "recurring",
        /// Broadcast (live event).
        Broadcast => "broadcast",
        /// Meet now.
        Meetnow => "meetnow",
        /// Evolvable-enum sentinel.
        UnknownFutureValue => "unknownFutureValue",
    }
}

wire_enum! {
    /// `lobbyBypassSettings.scope`: who is admitted automatically. `invited` and
    /// `organizationExcludingGuests` come after the sentinel and render as
    /// `unknownFutureValue` without `Prefer: include-unknown-enum-members`.
    LobbyBypassScope = "microsoft.graph.lobbyBypassScope" {
        /// Only the organizer.
        Organizer => "organizer",
        /// The organizer's organization and guests.
        Organization => "organization",
        /// The organization, trusted organizations and guests.
        OrganizationAndFederated => "organizationAndFederated",
        /// Everyone.
        Everyone => "everyone",
        /// Evolvable-enum sentinel.
        UnknownFutureValue => "unknownFutureValue",
        /// Only invitees (needs the Prefer header to be seen).
        Invited => "invited",
        /// The organization without guests (needs the Prefer header to be seen).
        OrganizationExcludingGuests => "organizationExcludingGuests",
    }
}

wire_enum! {
    /// `meetingParticipantInfo.role` and `anonymizeIdentityForRoles`. `producer` and
    /// `coorganizer` come after the sentinel and render as `unknownFutureValue` without
    /// `Prefer: include-unknown-enum-members`.
    OnlineMeetingRole = "microsoft.graph.onlineMeetingRole" {
        /// Attendee.
        Attendee => "attendee",
        /// Presenter (needs `allowedPresenters = roleIsPresenter`).
        Presenter => "presenter",
        /// Evolvable-enum sentinel.
        UnknownFutureValue => "unknownFutureValue",
        /// Live-event producer (needs the Prefer header to be seen).
        Producer => "producer",
        /// Co-organizer (needs the Prefer header to be seen).
        Coorganizer => "coorganizer",
    }
}

wire_enum! {
    /// `broadcastSettings.allowedAudience` (deprecated live events).
    BroadcastMeetingAudience = "microsoft.graph.broadcastMeetingAudience" {
        /// Only attendees.
        RoleIsAttendee => "roleIsAttendee",
        /// The organization.
        Organization => "organization",
        /// Everyone.
        Everyone => "everyone",
        /// Evolvable-enum sentinel.
        UnknownFutureValue => "unknownFutureValue",
    }
}

wire_enum! {
    /// Beta `autoAdmittedUsers` (deprecated, read-only; camelCase as in real responses).
    AutoAdmittedUsersType = "microsoft.graph.autoAdmittedUsersType" {
        /// Everyone.
        Everyone => "everyone",
        /// Same and federated companies.
        EveryoneInSameAndFederatedCompany => "everyoneInSameAndFederatedCompany",
        /// Same company.
        EveryoneInCompany => "everyoneInCompany",
        /// Invited users in the company.
        InvitedUsersInCompany => "invitedUsersInCompany",
        /// Only the organizer.
        Organizer => "organizer",
    }
}

wire_enum! {
    /// Beta `capabilities` (deprecated).
    MeetingCapabilities = "microsoft.graph.meetingCapabilities" {
        /// Q&A enabled.
        QuestionAndAnswer => "questionAndAnswer",
        /// Evolvable-enum sentinel.
        UnknownFutureValue => "unknownFutureValue",
    }
}

impl AutoAdmittedUsersType {
    /// The deprecated beta value the real service derives from `lobbyBypassSettings.scope`
    /// (the Teams meeting policy's `AutoAdmittedUsers` names the same choices): `organization`
    /// is `everyoneInCompany` (the default meeting shows that pair in documented and observed
    /// bodies), `organizationAndFederated` is `everyoneInSameAndFederatedCompany`, `invited` is
    /// `invitedUsersInCompany`. `organizationExcludingGuests` has no member of its own in this
    /// enum and maps to `everyoneInCompany` [inf]; `unknownFutureValue` to none.
    pub fn from_scope(scope: LobbyBypassScope) -> Option<Self> {
        Some(match scope {
            LobbyBypassScope::Organizer => AutoAdmittedUsersType::Organizer,
            LobbyBypassScope::Organization | LobbyBypassScope::OrganizationExcludingGuests => {
                AutoAdmittedUsersType::EveryoneInCompany
            }
            LobbyBypassScope::OrganizationAndFederated => {
                AutoAdmittedUsersType::EveryoneInSameAndFederatedCompany
            }
            LobbyBypassScope::Everyone => AutoAdmittedUsersType::Everyone,
            LobbyBypassScope::Invited => AutoAdmittedUsersType::InvitedUsersInCompany,
            LobbyBypassScope::UnknownFutureValue => return None,
        })
    }
}

impl LobbyBypassScope {
    /// The member as rendered: without `Prefer: include-unknown-enum-members` the members
    /// after the sentinel become `unknownFutureValue`.
    pub fn for_output(self, prefer_unknown_enum_members: bool) -> Self {
        match self {
            LobbyBypassScope::Invited | LobbyBypassScope::OrganizationExcludingGuests
                if !prefer_unknown_enum_members =>
            {
                LobbyBypassScope::UnknownFutureValue
            }
            other => other,
        }
    }
}

impl OnlineMeetingRole {
    /// The member as rendered: without `Prefer: include-unknown-enum-members` the members
    /// after the sentinel become `unknownFutureValue`.
    pub fn for_output(self, prefer_unknown_enum_members: bool) -> Self {
        match self {
            OnlineMeetingRole::Producer | OnlineMeetingRole::Coorganizer
                if !prefer_unknown_enum_members =>
            {
                OnlineMeetingRole::UnknownFutureValue
            }
            other => other,
        }
    }
}

/// Whether a `Prefer` header value asks for the evolvable enum members
/// (`include-unknown-enum-members`, among comma-separated preferences, any case).
pub fn prefers_unknown_enum_members(prefer_header: &str) -> bool {
    prefer_header.split(',').any(|p| {
        p.trim()
            .eq_ignore_ascii_case("include-unknown-enum-members")
    })
}

// ============================================================================================
// Nested types
// ============================================================================================

/// One `identity`: a user, application or device.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct Identity {
    /// The object id.
    pub id: Option<String>,
    /// The display name (real responses often have `null`).
    pub display_name: Option<String>,
    /// The tenant of the identity.
    pub tenant_id: Option<String>,
    /// `"AAD"` for Entra users.
    pub identity_provider: Option<String>,
}

impl Identity {
    /// An Entra user as Graph renders meeting participants: `identityProvider: "AAD"`,
    /// `displayName: null`.
    pub fn aad_user(id: impl Into<String>, tenant_id: impl Into<String>) -> Self {
        Identity {
            id: Some(id.into()),
            display_name: None,
            tenant_id: Some(tenant_id.into()),
            identity_provider: Some("AAD".into()),
        }
    }
}

/// `identitySet` (an open type). `azureApplicationInstance`, `applicationInstance`,
/// `application`, `device` and `user` are always rendered (`null` when unset), in that order, as
/// the documented update response shows them on the organizer
/// (learn.microsoft.com/graph/api/onlinemeeting-update, example 1); the rarer identities only
/// when set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct IdentitySet {
    /// An Azure application instance (communications; `null` on meeting participants).
    pub azure_application_instance: Option<Identity>,
    /// An application instance (communications).
    pub application_instance: Option<Identity>,
    /// An application.
    pub application: Option<Identity>,
    /// A device.
    pub device: Option<Identity>,
    /// A user.
    pub user: Option<Identity>,
    /// A guest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guest: Option<Identity>,
    /// A phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<Identity>,
    /// An encrypted identity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encrypted: Option<Identity>,
    /// An on-premises identity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_premises: Option<Identity>,
}

/// `meetingParticipantInfo`: one participant, rendered `upn`, `role`, `identity` as every
/// documented response orders them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct MeetingParticipantInfo {
    /// The user principal name.
    pub upn: Option<String>,
    /// The participant's role (`null` when not set, as doc examples show for attendees).
    pub role: Option<OnlineMeetingRole>,
    /// Who the participant is.
    pub identity: Option<IdentitySet>,
}

fn serialize_list_or_empty<S: Serializer, T: Serialize>(
    list: &Option<Vec<T>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match list {
        Some(items) => items.serialize(serializer),
        None => Vec::<T>::new().serialize(serializer),
    }
}

/// `meetingParticipants`. The three lists render as `[]` when unset, as real responses do;
/// `None` in a request means "not given" (PATCH replaces attendees only when given).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct MeetingParticipants {
    /// The organizer (immutable after create).
    pub organizer: Option<MeetingParticipantInfo>,
    /// The attendees (replaced wholesale on PATCH).
    #[serde(serialize_with = "serialize_list_or_empty")]
    pub attendees: Option<Vec<MeetingParticipantInfo>>,
    /// Live-event producers (legacy; real responses carry `[]`).
    #[serde(serialize_with = "serialize_list_or_empty")]
    pub producers: Option<Vec<MeetingParticipantInfo>>,
    /// Live-event contributors (legacy; real responses carry `[]`).
    #[serde(serialize_with = "serialize_list_or_empty")]
    pub contributors: Option<Vec<MeetingParticipantInfo>>,
}

/// `audioConferencing` (read-only dial-in details).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct AudioConferencing {
    /// The conference id, digits (e.g. `291633251`).
    pub conference_id: Option<String>,
    /// The toll number (deprecated).
    pub toll_number: Option<String>,
    /// The toll-free number (deprecated).
    pub toll_free_number: Option<String>,
    /// Toll numbers.
    pub toll_numbers: Option<Vec<String>>,
    /// Toll-free numbers.
    pub toll_free_numbers: Option<Vec<String>>,
    /// Web page with dial-in information.
    pub dialin_url: Option<String>,
}

/// `chatInfo`: the meeting's chat thread.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct ChatInfo {
    /// `19:meeting_…@thread.v2` (or a channel thread).
    pub thread_id: Option<String>,
    /// `"0"` for private meetings.
    pub message_id: Option<String>,
    /// The reply-chain message id, usually `null`.
    pub reply_chain_message_id: Option<String>,
}

/// `joinMeetingIdSettings`; rendered with `"@odata.type": "#microsoft.graph.joinMeetingIdSettings"`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct JoinMeetingIdSettings {
    /// Whether a passcode is required (the only writable member).
    pub is_passcode_required: Option<bool>,
    /// The digits to join by (read-only).
    pub join_meeting_id: Option<String>,
    /// The server-generated passcode, `null` when not required (read-only).
    pub passcode: Option<String>,
}

/// `lobbyBypassSettings`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct LobbyBypassSettings {
    /// Who is admitted automatically.
    pub scope: Option<LobbyBypassScope>,
    /// Whether dial-in callers bypass the lobby.
    pub is_dial_in_bypass_enabled: Option<bool>,
}

/// `watermarkProtectionValues`; rendered with
/// `"@odata.type": "#microsoft.graph.watermarkProtectionValues"`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct WatermarkProtectionValues {
    /// Watermark on shared content.
    pub is_enabled_for_content_sharing: Option<bool>,
    /// Watermark on video.
    pub is_enabled_for_video: Option<bool>,
}

/// `chatRestrictions`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct ChatRestrictions {
    /// Only text in chat.
    pub allow_text_only: Option<bool>,
}

/// `itemBody`, used for `joinInformation`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct ItemBody {
    /// The content (for joinInformation a URL-encoded `data:text/html,…` blob).
    pub content: Option<String>,
    /// The content type as the service spells it for joinInformation: `"Html"`, as every
    /// documented body has it.
    pub content_type: Option<String>,
}

/// `broadcastMeetingCaptionSettings` (deprecated live events).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct BroadcastMeetingCaptionSettings {
    /// Captions on.
    pub is_caption_enabled: Option<bool>,
    /// The spoken language.
    pub spoken_language: Option<String>,
    /// Translation languages.
    pub translation_languages: Option<Vec<String>>,
}

/// `broadcastMeetingSettings` (deprecated live events).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct BroadcastMeetingSettings {
    /// Who can attend.
    pub allowed_audience: Option<BroadcastMeetingAudience>,
    /// Caption settings.
    pub captions: Option<BroadcastMeetingCaptionSettings>,
    /// Attendee report enabled.
    pub is_attendee_report_enabled: Option<bool>,
    /// Q&A enabled.
    pub is_question_and_answer_enabled: Option<bool>,
    /// Recording enabled.
    pub is_recording_enabled: Option<bool>,
    /// Video on demand enabled.
    pub is_video_on_demand_enabled: Option<bool>,
}

/// `cloudVideoInteropInfo` (read-only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct CloudVideoInteropInfo {
    /// Other VTC dial-in options.
    pub more_info_web_url: Option<String>,
    /// The tenant key for the partner IVR.
    pub tenant_key: Option<String>,
    /// The VTC id.
    pub video_teleconference_id: Option<String>,
}

/// `onlineMeetingSensitivityLabelAssignment` (Teams Premium).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct OnlineMeetingSensitivityLabelAssignment {
    /// The sensitivity label id.
    pub sensitivity_label_id: Option<String>,
}

// ============================================================================================
// OnlineMeeting
// ============================================================================================

/// Every v1.0 property of `microsoft.graph.onlineMeeting` (spec §2.1), in schema order.
pub const V1_PROPERTIES: &[&str] = &[
    "allowAttendeeToEnableCamera",
    "allowAttendeeToEnableMic",
    "allowBreakoutRooms",
    "allowCopyingAndSharingMeetingContent",
    "allowedLobbyAdmitters",
    "allowedPresenters",
    "allowLiveShare",
    "allowMeetingChat",
    "allowParticipantsToChangeName",
    "allowPowerPointSharing",
    "allowRecording",
    "allowTeamworkReactions",
    "allowTranscription",
    "allowWhiteboard",
    "anonymizeIdentityForRoles",
    "audioConferencing",
    "chatInfo",
    "chatRestrictions",
    "cloudVideoInteropInfo",
    "creationDateTime",
    "endDateTime",
    "expiryDateTime",
    "externalId",
    "id",
    "isEndToEndEncryptionEnabled",
    "isEntryExitAnnounced",
    "joinInformation",
    "joinMeetingIdSettings",
    "joinWebUrl",
    "lobbyBypassSettings",
    "meetingOptionsWebUrl",
    "meetingSpokenLanguageTag",
    "meetingTemplateId",
    "meetingType",
    "participants",
    "recordAutomatically",
    "sensitivityLabelAssignment",
    "shareMeetingChatHistoryDefault",
    "startDateTime",
    "subject",
    "videoTeleconferenceId",
    "watermarkProtection",
    "attendeeReport",
    "broadcastSettings",
    "isBroadcast",
];

/// The beta-only extras (spec §2.2), rendered only on `/beta`.
pub const BETA_ONLY_PROPERTIES: &[&str] = &[
    "alternativeRecording",
    "recording",
    "autoAdmittedUsers",
    "capabilities",
];

/// The undocumented properties real responses carry (spec §2.3), rendered with
/// [`RenderOptions::include_undocumented`].
pub const UNDOCUMENTED_PROPERTIES: &[&str] = &[
    "joinUrl",
    "meetingCode",
    "outerMeetingAutoAdmittedUsers",
    "iCalUid",
    "meetingsMigrationMode",
];

/// The order properties are rendered in.
///
/// The head is the order of a real 2025 v1.0 response (OfficeDev/microsoft-teams-library-js
/// #2844: `id`, `creationDateTime`, `startDateTime`, `endDateTime`, `joinUrl`, `meetingCode`,
/// `isBroadcast`, `autoAdmittedUsers`, `outerMeetingAutoAdmittedUsers`, `capabilities`,
/// `externalId`, `meetingTemplateId`, `iCalUid`, `meetingType`, `meetingsMigrationMode`,
/// `joinWebUrl`); then the order every documented response follows (`subject`,
/// `isEntryExitAnnounced`, `allowedPresenters`, `videoTeleconferenceId`, `participants`,
/// `lobbyBypassSettings`, `audioConferencing`, `chatInfo`, `joinMeetingIdSettings`); then the
/// properties no public body shows in place, in schema order [inf].
pub const RESPONSE_ORDER: &[&str] = &[
    "id",
    "creationDateTime",
    "startDateTime",
    "endDateTime",
    "joinUrl",
    "meetingCode",
    "isBroadcast",
    "autoAdmittedUsers",
    "outerMeetingAutoAdmittedUsers",
    "capabilities",
    "externalId",
    "meetingTemplateId",
    "iCalUid",
    "meetingType",
    "meetingsMigrationMode",
    "joinWebUrl",
    "subject",
    "isEntryExitAnnounced",
    "allowedPresenters",
    "videoTeleconferenceId",
    "participants",
    "lobbyBypassSettings",
    "audioConferencing",
    "chatInfo",
    "joinMeetingIdSettings",
    "allowAttendeeToEnableCamera",
    "allowAttendeeToEnableMic",
    "allowBreakoutRooms",
    "allowCopyingAndSharingMeetingContent",
    "allowedLobbyAdmitters",
    "allowLiveShare",
    "allowMeetingChat",
    "allowParticipantsToChangeName",
    "allowPowerPointSharing",
    "allowRecording",
    "allowTeamworkReactions",
    "allowTranscription",
    "allowWhiteboard",
    "anonymizeIdentityForRoles",
    "chatRestrictions",
    "cloudVideoInteropInfo",
    "expiryDateTime",
    "isEndToEndEncryptionEnabled",
    "joinInformation",
    "meetingOptionsWebUrl",
    "meetingSpokenLanguageTag",
    "recordAutomatically",
    "sensitivityLabelAssignment",
    "shareMeetingChatHistoryDefault",
    "watermarkProtection",
    "attendeeReport",
    "broadcastSettings",
    "alternativeRecording",
    "recording",
];

/// A `microsoft.graph.onlineMeeting` as stored and rendered.
///
/// Serde gives the camelCase wire names with `null` for every unset property; use
/// [`OnlineMeeting::to_json`] for responses (version, Prefer mapping, nested `@odata.type`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct OnlineMeeting {
    /// The meeting id (see `ids::MeetingId`). Read-only.
    pub id: Option<String>,
    /// Creation time. Read-only.
    pub creation_date_time: Option<GraphDateTime>,
    /// Start time.
    pub start_date_time: Option<GraphDateTime>,
    /// End time.
    pub end_date_time: Option<GraphDateTime>,
    /// When the meeting expires (60 days after start or end).
    pub expiry_date_time: Option<GraphDateTime>,
    /// The join URL. Read-only.
    pub join_web_url: Option<String>,
    /// The subject.
    pub subject: Option<String>,
    /// The createOrGet external id.
    pub external_id: Option<String>,
    /// The CVI VTC id. Read-only.
    pub video_teleconference_id: Option<String>,
    /// Link to the meeting-options page. Read-only.
    pub meeting_options_web_url: Option<String>,
    /// Spoken language for recording / transcription.
    pub meeting_spoken_language_tag: Option<String>,
    /// Teams Premium template id.
    pub meeting_template_id: Option<String>,
    /// The meeting type. Read-only.
    pub meeting_type: Option<OnlineMeetingType>,
    /// End-to-end encryption.
    pub is_end_to_end_encryption_enabled: Option<bool>,
    /// Entry/exit announcements.
    pub is_entry_exit_announced: Option<bool>,
    /// Attendees may turn on their camera.
    pub allow_attendee_to_enable_camera: Option<bool>,
    /// Attendees may turn on their microphone.
    pub allow_attendee_to_enable_mic: Option<bool>,
    /// Breakout rooms.
    pub allow_breakout_rooms: Option<bool>,
    /// Copying and sharing meeting content.
    pub allow_copying_and_sharing_meeting_content: Option<bool>,
    /// Who can admit from the lobby.
    pub allowed_lobby_admitters: Option<AllowedLobbyAdmitterRoles>,
    /// Who can present.
    pub allowed_presenters: Option<OnlineMeetingPresenters>,
    /// Live Share.
    pub allow_live_share: Option<MeetingLiveShareOptions>,
    /// Meeting chat mode.
    pub allow_meeting_chat: Option<MeetingChatMode>,
    /// Participants may rename themselves.
    pub allow_participants_to_change_name: Option<bool>,
    /// PowerPoint Live sharing.
    pub allow_power_point_sharing: Option<bool>,
    /// Recording allowed.
    pub allow_recording: Option<bool>,
    /// Teams reactions.
    pub allow_teamwork_reactions: Option<bool>,
    /// Transcription allowed.
    pub allow_transcription: Option<bool>,
    /// Whiteboard allowed.
    pub allow_whiteboard: Option<bool>,
    /// Roles whose identity is anonymised (only `attendee`).
    pub anonymize_identity_for_roles: Option<Vec<OnlineMeetingRole>>,
    /// Dial-in details. Read-only.
    pub audio_conferencing: Option<AudioConferencing>,
    /// The chat thread.
    pub chat_info: Option<ChatInfo>,
    /// Chat restrictions.
    pub chat_restrictions: Option<ChatRestrictions>,
    /// CVI details. Read-only.
    pub cloud_video_interop_info: Option<CloudVideoInteropInfo>,
    /// Join information (HTML). Read-only.
    pub join_information: Option<ItemBody>,
    /// Join-by-id settings (immutable after create).
    pub join_meeting_id_settings: Option<JoinMeetingIdSettings>,
    /// Lobby bypass.
    pub lobby_bypass_settings: Option<LobbyBypassSettings>,
    /// Organizer and attendees.
    pub participants: Option<MeetingParticipants>,
    /// Record automatically.
    pub record_automatically: Option<bool>,
    /// Sensitivity label (Teams Premium).
    pub sensitivity_label_assignment: Option<OnlineMeetingSensitivityLabelAssignment>,
    /// Chat-history default for new participants.
    pub share_meeting_chat_history_default: Option<MeetingChatHistoryDefaultMode>,
    /// Watermark protection.
    pub watermark_protection: Option<WatermarkProtectionValues>,
    /// Live-event attendee report (deprecated Stream). Read-only.
    pub attendee_report: Option<String>,
    /// Live-event settings (deprecated).
    pub broadcast_settings: Option<BroadcastMeetingSettings>,
    /// Live event (deprecated).
    pub is_broadcast: Option<bool>,
    /// Beta: alternative recording (deprecated Stream).
    pub alternative_recording: Option<String>,
    /// Beta: recording (deprecated Stream).
    pub recording: Option<String>,
    /// Beta: auto-admitted users (deprecated, read-only).
    pub auto_admitted_users: Option<AutoAdmittedUsersType>,
    /// Beta: capabilities (deprecated).
    pub capabilities: Option<Vec<MeetingCapabilities>>,
}

/// How to render an [`OnlineMeeting`] for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderOptions {
    /// `/v1.0` drops the beta-only properties.
    pub version: ApiVersion,
    /// The request carried `Prefer: include-unknown-enum-members`.
    pub prefer_unknown_enum_members: bool,
    /// Also emit the undocumented properties real responses carry (spec §2.3): `joinUrl`,
    /// `meetingCode`, `iCalUid`, `meetingsMigrationMode`, `outerMeetingAutoAdmittedUsers`,
    /// and on v1.0 also `autoAdmittedUsers` and `capabilities`.
    pub include_undocumented: bool,
    /// A `$select` list (canonical names): only these properties are kept.
    pub select: Option<Vec<String>>,
}

impl RenderOptions {
    /// Plain rendering for a version: documented properties only, no `$select`.
    pub fn new(version: ApiVersion, prefer_unknown_enum_members: bool) -> Self {
        RenderOptions {
            version,
            prefer_unknown_enum_members,
            include_undocumented: false,
            select: None,
        }
    }
}

/// Puts `"@odata.type"` first in the nested object `key`, as the resource's JSON representation
/// shows it.
fn insert_odata_type(map: &mut Map<String, Value>, key: &str, odata_type: &str) {
    if let Some(Value::Object(inner)) = map.get_mut(key) {
        let mut typed = Map::new();
        typed.insert("@odata.type".into(), Value::String(odata_type.into()));
        typed.extend(std::mem::take(inner));
        *inner = typed;
    }
}

impl OnlineMeeting {
    /// The response JSON for one meeting (without `@odata.context`, which the server adds).
    ///
    /// On [`ApiVersion::V1`] the beta extras are left out; without
    /// `prefer_unknown_enum_members` the evolvable members render as `unknownFutureValue`.
    pub fn to_json(&self, version: ApiVersion, prefer_unknown_enum_members: bool) -> Value {
        self.to_json_with(&RenderOptions::new(version, prefer_unknown_enum_members))
    }

    /// [`OnlineMeeting::to_json`] with all options. Properties come in [`RESPONSE_ORDER`].
    ///
    /// `autoAdmittedUsers` is derived from `lobbyBypassSettings.scope` (as the real service
    /// keeps the two in step) and `capabilities` is `[]` when unset, as real responses carry
    /// it (a client looping over it must not meet `null`).
    pub fn to_json_with(&self, options: &RenderOptions) -> Value {
        let mut meeting = self.clone();
        if let Some(derived) = meeting
            .lobby_bypass_settings
            .as_ref()
            .and_then(|s| s.scope)
            .map(AutoAdmittedUsersType::from_scope)
        {
            meeting.auto_admitted_users = derived;
        }
        meeting.capabilities.get_or_insert_with(Vec::new);
        meeting.map_enums_for_output(options.prefer_unknown_enum_members);
        let Ok(Value::Object(mut props)) = serde_json::to_value(&meeting) else {
            return Value::Object(Map::new());
        };
        insert_odata_type(
            &mut props,
            "joinMeetingIdSettings",
            "#microsoft.graph.joinMeetingIdSettings",
        );
        insert_odata_type(
            &mut props,
            "watermarkProtection",
            "#microsoft.graph.watermarkProtectionValues",
        );
        if options.version == ApiVersion::V1 {
            for key in BETA_ONLY_PROPERTIES {
                let keep = options.include_undocumented
                    && matches!(*key, "autoAdmittedUsers" | "capabilities");
                if !keep {
                    props.remove(*key);
                }
            }
        }
        if options.include_undocumented {
            let join_url = props.get("joinWebUrl").cloned().unwrap_or(Value::Null);
            let meeting_code = self
                .join_meeting_id_settings
                .as_ref()
                .and_then(|s| s.join_meeting_id.clone())
                .map(Value::String)
                .unwrap_or(Value::Null);
            props.insert("joinUrl".into(), join_url);
            props.insert("meetingCode".into(), meeting_code);
            for key in [
                "outerMeetingAutoAdmittedUsers",
                "iCalUid",
                "meetingsMigrationMode",
            ] {
                props.insert(key.into(), Value::Null);
            }
        }
        let mut map = Map::new();
        for key in RESPONSE_ORDER {
            if let Some(value) = props.remove(*key) {
                map.insert((*key).to_owned(), value);
            }
        }
        // Nothing should be left; should a property be added without a place, it still shows.
        map.extend(props);
        if let Some(select) = &options.select {
            map.retain(|k, _| select.iter().any(|s| s == k));
        }
        Value::Object(map)
    }

    /// Applies the `Prefer: include-unknown-enum-members` mapping in place.
    pub fn map_enums_for_output(&mut self, prefer_unknown_enum_members: bool) {
        let p = prefer_unknown_enum_members;
        if let Some(scope) = self
            .lobby_bypass_settings
            .as_mut()
            .and_then(|s| s.scope.as_mut())
        {
            *scope = scope.for_output(p);
        }
        if let Some(roles) = self.anonymize_identity_for_roles.as_mut() {
            for role in roles.iter_mut() {
                *role = role.for_output(p);
            }
        }
        if let Some(participants) = self.participants.as_mut() {
            let lists = [
                participants.attendees.as_mut(),
                participants.producers.as_mut(),
                participants.contributors.as_mut(),
            ];
            let organizer = participants.organizer.as_mut().map(std::slice::from_mut);
            for info in lists
                .into_iter()
                .flatten()
                .map(|v| v.as_mut_slice())
                .chain(organizer)
                .flatten()
            {
                if let Some(role) = info.role.as_mut() {
                    *role = role.for_output(p);
                }
            }
        }
    }
}

// ============================================================================================
// Request bodies
// ============================================================================================

/// A request body Graph rejects with 400 `BadRequest`; `message` is the response text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InputError {
    /// The JSON path of the offending property (`lobbyBypassSettings.scope`), if any.
    pub property: Option<String>,
    /// The message for the 400 body.
    pub message: String,
}

impl InputError {
    fn new(property: Option<&str>, message: String) -> Self {
        InputError {
            property: property.map(str::to_owned),
            message,
        }
    }

    /// The body is not a JSON object: Graph's text for an unreadable payload.
    pub fn unreadable() -> Self {
        InputError::new(None, GraphError::unreadable_json_payload().message)
    }

    fn wrong_type(path: &str, expected: &str, found: &Value) -> Self {
        InputError::new(
            Some(path),
            format!(
                "Invalid value for property '{path}': expected {expected}, but found {}.",
                describe(found)
            ),
        )
    }

    fn with_suffix(mut self, suffix: &str) -> Self {
        // Inserts the suffix before the ", but found" part of a wrong-type message.
        if let Some(at) = self.message.find(", but found") {
            self.message.insert_str(at, suffix);
        }
        self
    }

    /// The 400 `BadRequest` Graph error.
    pub fn to_graph_error(&self) -> GraphError {
        GraphError::bad_request(self.message.clone())
    }
}

impl From<InputError> for GraphError {
    fn from(e: InputError) -> Self {
        e.to_graph_error()
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the Boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => {
            let short: String = s.chars().take(64).collect();
            let ellipsis = if s.chars().count() > 64 { "…" } else { "" };
            format!("the string '{short}{ellipsis}'")
        }
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Reading one typed value out of request JSON, with the property path for errors.
trait FromJson: Sized {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError>;
}

impl FromJson for bool {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        value
            .as_bool()
            .ok_or_else(|| InputError::wrong_type(path, "a Boolean (Edm.Boolean)", value))
    }
}

impl FromJson for String {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| InputError::wrong_type(path, "a string (Edm.String)", value))
    }
}

impl FromJson for GraphDateTime {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let Value::String(text) = value else {
            return Err(InputError::wrong_type(
                path,
                "a date and time string (Edm.DateTimeOffset)",
                value,
            ));
        };
        GraphDateTime::parse(text).map_err(|_| {
            InputError::new(
                Some(path),
                format!(
                    "Invalid value '{text}' for property '{path}': expected an ISO 8601 date and time (Edm.DateTimeOffset), e.g. '2019-07-12T14:30:34.2444915-07:00'."
                ),
            )
        })
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let Value::Array(items) = value else {
            return Err(InputError::wrong_type(path, "an array", value));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| T::from_json(item, &format!("{path}[{i}]")))
            .collect()
    }
}

/// A JSON object being read; unknown members are ignored (the type is open).
struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: &'a str,
}

impl<'a> Obj<'a> {
    fn new(value: &'a Value, path: &'a str) -> Result<Self, InputError> {
        match value {
            Value::Object(map) => Ok(Obj { map, path }),
            other => Err(InputError::wrong_type(path, "an object", other)),
        }
    }

    /// A member: absent or `null` → `None`.
    fn get<T: FromJson>(&self, key: &str) -> Result<Option<T>, InputError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => T::from_json(value, &child(self.path, key)).map(Some),
        }
    }
}

impl FromJson for Identity {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let o = Obj::new(value, path)?;
        Ok(Identity {
            id: o.get("id")?,
            display_name: o.get("displayName")?,
            tenant_id: o.get("tenantId")?,
            identity_provider: o.get("identityProvider")?,
        })
    }
}

impl FromJson for IdentitySet {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let o = Obj::new(value, path)?;
        Ok(IdentitySet {
            azure_application_instance: o.get("azureApplicationInstance")?,
            application: o.get("application")?,
            application_instance: o.get("applicationInstance")?,
            device: o.get("device")?,
            user: o.get("user")?,
            guest: o.get("guest")?,
            phone: o.get("phone")?,
            encrypted: o.get("encrypted")?,
            on_premises: o.get("onPremises")?,
        })
    }
}

impl FromJson for MeetingParticipantInfo {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let o = Obj::new(value, path)?;
        Ok(MeetingParticipantInfo {
            identity: o.get("identity")?,
            upn: o.get("upn")?,
            role: o.get("role")?,
        })
    }
}

impl FromJson for MeetingParticipants {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let o = Obj::new(value, path)?;
        Ok(MeetingParticipants {
            organizer: o.get("organizer")?,
            attendees: o.get("attendees")?,
            producers: o.get("producers")?,
            contributors: o.get("contributors")?,
        })
    }
}

impl FromJson for ChatInfo {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let o = Obj::new(value, path)?;
        Ok(ChatInfo {
            thread_id: o.get("threadId")?,
            message_id: o.get("messageId")?,
            reply_chain_message_id: o.get("replyChainMessageId")?,
        })
    }
}

impl FromJson for JoinMeetingIdSettings {
    /// Only `isPasscodeRequired` is read: `joinMeetingId` and `passcode` are read-only and a
    /// custom passcode is not supported (spec §1.2), so sent values are ignored.
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let o = Obj::new(value, path)?;
        Ok(JoinMeetingIdSettings {
            is_passcode_required: o.get("isPasscodeRequired")?,
            join_meeting_id: None,
            passcode: None,
        })
    }
}

impl FromJson for LobbyBypassSettings {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let o = Obj::new(value, path)?;
        Ok(LobbyBypassSettings {
            scope: o.get("scope")?,
            is_dial_in_bypass_enabled: o.get("isDialInBypassEnabled")?,
        })
    }
}

impl FromJson for WatermarkProtectionValues {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let o = Obj::new(value, path)?;
        Ok(WatermarkProtectionValues {
            is_enabled_for_content_sharing: o.get("isEnabledForContentSharing")?,
            is_enabled_for_video: o.get("isEnabledForVideo")?,
        })
    }
}

impl FromJson for ChatRestrictions {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let o = Obj::new(value, path)?;
        Ok(ChatRestrictions {
            allow_text_only: o.get("allowTextOnly")?,
        })
    }
}

impl FromJson for BroadcastMeetingCaptionSettings {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let o = Obj::new(value, path)?;
        Ok(BroadcastMeetingCaptionSettings {
            is_caption_enabled: o.get("isCaptionEnabled")?,
            spoken_language: o.get("spokenLanguage")?,
            translation_languages: o.get("translationLanguages")?,
        })
    }
}

impl FromJson for BroadcastMeetingSettings {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let o = Obj::new(value, path)?;
        Ok(BroadcastMeetingSettings {
            allowed_audience: o.get("allowedAudience")?,
            captions: o.get("captions")?,
            is_attendee_report_enabled: o.get("isAttendeeReportEnabled")?,
            is_question_and_answer_enabled: o.get("isQuestionAndAnswerEnabled")?,
            is_recording_enabled: o.get("isRecordingEnabled")?,
            is_video_on_demand_enabled: o.get("isVideoOnDemandEnabled")?,
        })
    }
}

impl FromJson for OnlineMeetingSensitivityLabelAssignment {
    fn from_json(value: &Value, path: &str) -> Result<Self, InputError> {
        let o = Obj::new(value, path)?;
        Ok(OnlineMeetingSensitivityLabelAssignment {
            sensitivity_label_id: o.get("sensitivityLabelId")?,
        })
    }
}

/// The writable properties a create (`POST .../onlineMeetings`) or `PATCH` body may carry.
///
/// Every property is optional; JSON `null` counts as "not given"; `@odata.type` and unknown
/// properties are ignored (the base type is open). Read-only properties (`id`, `joinWebUrl`,
/// `creationDateTime`, `audioConferencing`, `joinInformation`, `videoTeleconferenceId`,
/// `meetingOptionsWebUrl`, `meetingType`, `cloudVideoInteropInfo`, `expiryDateTime`,
/// `attendeeReport` and the beta read-only extras) are ignored likewise. Domain rules (both
/// dates together on PATCH, immutable organizer and `joinMeetingIdSettings`, `presenter` needing
/// `roleIsPresenter`) are the caller's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OnlineMeetingInput {
    /// `allowAttendeeToEnableCamera`, if given.
    pub allow_attendee_to_enable_camera: Option<bool>,
    /// `allowAttendeeToEnableMic`, if given.
    pub allow_attendee_to_enable_mic: Option<bool>,
    /// `allowBreakoutRooms`, if given.
    pub allow_breakout_rooms: Option<bool>,
    /// `allowCopyingAndSharingMeetingContent`, if given.
    pub allow_copying_and_sharing_meeting_content: Option<bool>,
    /// `allowedLobbyAdmitters`, if given.
    pub allowed_lobby_admitters: Option<AllowedLobbyAdmitterRoles>,
    /// `allowedPresenters`, if given.
    pub allowed_presenters: Option<OnlineMeetingPresenters>,
    /// `allowLiveShare`, if given.
    pub allow_live_share: Option<MeetingLiveShareOptions>,
    /// `allowMeetingChat`, if given.
    pub allow_meeting_chat: Option<MeetingChatMode>,
    /// `allowParticipantsToChangeName`, if given.
    pub allow_participants_to_change_name: Option<bool>,
    /// `allowPowerPointSharing`, if given.
    pub allow_power_point_sharing: Option<bool>,
    /// `allowRecording`, if given.
    pub allow_recording: Option<bool>,
    /// `allowTeamworkReactions`, if given.
    pub allow_teamwork_reactions: Option<bool>,
    /// `allowTranscription`, if given.
    pub allow_transcription: Option<bool>,
    /// `allowWhiteboard`, if given.
    pub allow_whiteboard: Option<bool>,
    /// `anonymizeIdentityForRoles`, if given.
    pub anonymize_identity_for_roles: Option<Vec<OnlineMeetingRole>>,
    /// `chatInfo`, if given.
    pub chat_info: Option<ChatInfo>,
    /// `chatRestrictions`, if given.
    pub chat_restrictions: Option<ChatRestrictions>,
    /// `endDateTime`, if given.
    pub end_date_time: Option<GraphDateTime>,
    /// `externalId`, if given.
    pub external_id: Option<String>,
    /// `isEndToEndEncryptionEnabled`, if given.
    pub is_end_to_end_encryption_enabled: Option<bool>,
    /// `isEntryExitAnnounced`, if given.
    pub is_entry_exit_announced: Option<bool>,
    /// Only `isPasscodeRequired` is taken from the body.
    pub join_meeting_id_settings: Option<JoinMeetingIdSettings>,
    /// `lobbyBypassSettings`, if given.
    pub lobby_bypass_settings: Option<LobbyBypassSettings>,
    /// `meetingSpokenLanguageTag`, if given.
    pub meeting_spoken_language_tag: Option<String>,
    /// `meetingTemplateId`, if given.
    pub meeting_template_id: Option<String>,
    /// `participants`, if given.
    pub participants: Option<MeetingParticipants>,
    /// `recordAutomatically`, if given.
    pub record_automatically: Option<bool>,
    /// `sensitivityLabelAssignment`, if given.
    pub sensitivity_label_assignment: Option<OnlineMeetingSensitivityLabelAssignment>,
    /// `shareMeetingChatHistoryDefault`, if given.
    pub share_meeting_chat_history_default: Option<MeetingChatHistoryDefaultMode>,
    /// `startDateTime`, if given.
    pub start_date_time: Option<GraphDateTime>,
    /// `subject`, if given.
    pub subject: Option<String>,
    /// `watermarkProtection`, if given.
    pub watermark_protection: Option<WatermarkProtectionValues>,
    /// `broadcastSettings`, if given.
    pub broadcast_settings: Option<BroadcastMeetingSettings>,
    /// `isBroadcast`, if given.
    pub is_broadcast: Option<bool>,
}

fn parse_object(bytes: &[u8]) -> Result<Value, InputError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(value @ Value::Object(_)) => Ok(value),
        _ => Err(InputError::unreadable()),
    }
}

/// Parses a create or PATCH body. Wrong JSON types and unknown enum members are errors that
/// name the property (e.g. `lobbyBypassSettings.scope`); a body that is not a JSON object gets
/// Graph's "Unable to read JSON request payload…" text.
pub fn parse_input(bytes: &[u8]) -> Result<OnlineMeetingInput, InputError> {
    let value = parse_object(bytes)?;
    let o = Obj::new(&value, "")?;
    Ok(OnlineMeetingInput {
        allow_attendee_to_enable_camera: o.get("allowAttendeeToEnableCamera")?,
        allow_attendee_to_enable_mic: o.get("allowAttendeeToEnableMic")?,
        allow_breakout_rooms: o.get("allowBreakoutRooms")?,
        allow_copying_and_sharing_meeting_content: o.get("allowCopyingAndSharingMeetingContent")?,
        allowed_lobby_admitters: o.get("allowedLobbyAdmitters")?,
        allowed_presenters: o.get("allowedPresenters")?,
        allow_live_share: o.get("allowLiveShare")?,
        allow_meeting_chat: o.get("allowMeetingChat")?,
        allow_participants_to_change_name: o.get("allowParticipantsToChangeName")?,
        allow_power_point_sharing: o.get("allowPowerPointSharing")?,
        allow_recording: o.get("allowRecording")?,
        allow_teamwork_reactions: o.get("allowTeamworkReactions")?,
        allow_transcription: o.get("allowTranscription")?,
        allow_whiteboard: o.get("allowWhiteboard")?,
        anonymize_identity_for_roles: o.get("anonymizeIdentityForRoles")?,
        chat_info: o.get("chatInfo")?,
        chat_restrictions: o.get("chatRestrictions")?,
        end_date_time: o.get("endDateTime")?,
        external_id: o.get("externalId")?,
        is_end_to_end_encryption_enabled: o.get("isEndToEndEncryptionEnabled")?,
        is_entry_exit_announced: o.get("isEntryExitAnnounced")?,
        join_meeting_id_settings: o.get("joinMeetingIdSettings")?,
        lobby_bypass_settings: o.get("lobbyBypassSettings")?,
        meeting_spoken_language_tag: o.get("meetingSpokenLanguageTag")?,
        meeting_template_id: o.get("meetingTemplateId")?,
        participants: o.get("participants")?,
        record_automatically: o.get("recordAutomatically")?,
        sensitivity_label_assignment: o.get("sensitivityLabelAssignment")?,
        share_meeting_chat_history_default: o.get("shareMeetingChatHistoryDefault")?,
        start_date_time: o.get("startDateTime")?,
        subject: o.get("subject")?,
        watermark_protection: o.get("watermarkProtection")?,
        broadcast_settings: o.get("broadcastSettings")?,
        is_broadcast: o.get("isBroadcast")?,
    })
}

/// A complex (structured) property that a PATCH sending it partially merges into the stored
/// value member by member: members sent (not `null`) replace the stored ones, members left out
/// keep theirs. Collections inside are values, replaced whole.
trait MergeFrom {
    fn merge_from(&mut self, given: &Self);
}

macro_rules! merge_members {
    ($ty:ty { $($field:ident),+ $(,)? }) => {
        impl MergeFrom for $ty {
            fn merge_from(&mut self, given: &Self) {
                $( if given.$field.is_some() { self.$field = given.$field.clone(); } )+
            }
        }
    };
}

merge_members!(LobbyBypassSettings {
    scope,
    is_dial_in_bypass_enabled
});
merge_members!(WatermarkProtectionValues {
    is_enabled_for_content_sharing,
    is_enabled_for_video
});
merge_members!(ChatRestrictions { allow_text_only });
merge_members!(OnlineMeetingSensitivityLabelAssignment {
    sensitivity_label_id
});
merge_members!(BroadcastMeetingCaptionSettings {
    is_caption_enabled,
    spoken_language,
    translation_languages,
});

impl MergeFrom for BroadcastMeetingSettings {
    fn merge_from(&mut self, given: &Self) {
        merge_option(&mut self.captions, &given.captions);
        for (target, value) in [
            (
                &mut self.is_attendee_report_enabled,
                given.is_attendee_report_enabled,
            ),
            (
                &mut self.is_question_and_answer_enabled,
                given.is_question_and_answer_enabled,
            ),
            (&mut self.is_recording_enabled, given.is_recording_enabled),
            (
                &mut self.is_video_on_demand_enabled,
                given.is_video_on_demand_enabled,
            ),
        ] {
            if value.is_some() {
                *target = value;
            }
        }
        if given.allowed_audience.is_some() {
            self.allowed_audience = given.allowed_audience;
        }
    }
}

/// Merges a sent complex value into the stored one (which it creates when there is none).
fn merge_option<T: MergeFrom + Default>(target: &mut Option<T>, given: &Option<T>) {
    if let Some(given) = given {
        target.get_or_insert_with(T::default).merge_from(given);
    }
}

macro_rules! apply_fields {
    ($input:expr, $meeting:expr, $($field:ident),+ $(,)?) => {
        $( if let Some(v) = &$input.$field { $meeting.$field = Some(v.clone()); } )+
    };
}

impl OnlineMeetingInput {
    /// Copies every given property onto `meeting` (a mechanical merge; the caller enforces
    /// the PATCH rules first).
    ///
    /// Scalars and collections (`anonymizeIdentityForRoles`, the participant lists) are
    /// replaced whole. Complex values sent partially are merged into the stored value:
    /// `lobbyBypassSettings`, `watermarkProtection`, `chatRestrictions`,
    /// `sensitivityLabelAssignment` and `broadcastSettings` (with its `captions`) member by
    /// member, as the documented update of `lobbyBypassSettings.isDialInBypassEnabled` keeps
    /// `scope`; `participants` member by member, so a PATCH that sends only `attendees` keeps
    /// the organizer; `joinMeetingIdSettings` sets only `isPasscodeRequired`. `chatInfo` names
    /// the meeting's thread, which the server sets: it is not taken from a body here.
    pub fn apply_to(&self, meeting: &mut OnlineMeeting) {
        merge_option(
            &mut meeting.lobby_bypass_settings,
            &self.lobby_bypass_settings,
        );
        merge_option(
            &mut meeting.watermark_protection,
            &self.watermark_protection,
        );
        merge_option(&mut meeting.chat_restrictions, &self.chat_restrictions);
        merge_option(
            &mut meeting.sensitivity_label_assignment,
            &self.sensitivity_label_assignment,
        );
        merge_option(&mut meeting.broadcast_settings, &self.broadcast_settings);
        apply_fields!(
            self,
            meeting,
            allow_attendee_to_enable_camera,
            allow_attendee_to_enable_mic,
            allow_breakout_rooms,
            allow_copying_and_sharing_meeting_content,
            allowed_lobby_admitters,
            allowed_presenters,
            allow_live_share,
            allow_meeting_chat,
            allow_participants_to_change_name,
            allow_power_point_sharing,
            allow_recording,
            allow_teamwork_reactions,
            allow_transcription,
            allow_whiteboard,
            anonymize_identity_for_roles,
            end_date_time,
            external_id,
            is_end_to_end_encryption_enabled,
            is_entry_exit_announced,
            meeting_spoken_language_tag,
            meeting_template_id,
            record_automatically,
            share_meeting_chat_history_default,
            start_date_time,
            subject,
            is_broadcast,
        );
        if let Some(required) = self
            .join_meeting_id_settings
            .as_ref()
            .and_then(|s| s.is_passcode_required)
        {
            meeting
                .join_meeting_id_settings
                .get_or_insert_with(Default::default)
                .is_passcode_required = Some(required);
        }
        if let Some(given) = &self.participants {
            let target = meeting.participants.get_or_insert_with(Default::default);
            if let Some(organizer) = &given.organizer {
                target.organizer = Some(organizer.clone());
            }
            if let Some(attendees) = &given.attendees {
                target.attendees = Some(attendees.clone());
            }
            if let Some(producers) = &given.producers {
                target.producers = Some(producers.clone());
            }
            if let Some(contributors) = &given.contributors {
                target.contributors = Some(contributors.clone());
            }
        }
    }
}

/// The parameters of the `createOrGet` action (spec §1.3).
///
/// v1.0 defines exactly `externalId` (required), `startDateTime`, `endDateTime`, `subject` and
/// `participants`; beta adds `chatInfo`. Any other member — including `chatInfo` on v1.0,
/// `@odata.type` and `joinMeetingIdSettings` — is **ignored**, not rejected: real clients send
/// `joinMeetingIdSettings` to createOrGet and get a meeting back with `isPasscodeRequired:false`
/// (spec §1.3, docs issue #73), so the live service evidently does not validate action
/// parameters strictly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateOrGetInput {
    /// The idempotency key within (tenant, user).
    pub external_id: String,
    /// Start time; defaults to now.
    pub start_date_time: Option<GraphDateTime>,
    /// End time; defaults to start + 1 h.
    pub end_date_time: Option<GraphDateTime>,
    /// Subject.
    pub subject: Option<String>,
    /// Participants.
    pub participants: Option<MeetingParticipants>,
    /// Beta only: the thread to create the meeting in.
    pub chat_info: Option<ChatInfo>,
}

/// Parses a createOrGet body for `version` (beta also reads `chatInfo`). A missing or `null`
/// `externalId` gets ODataLib's missing-parameter text.
pub fn parse_create_or_get(
    bytes: &[u8],
    version: ApiVersion,
) -> Result<CreateOrGetInput, InputError> {
    let value = parse_object(bytes)?;
    let o = Obj::new(&value, "")?;
    let external_id: Option<String> = o.get("externalId")?;
    let Some(external_id) = external_id else {
        return Err(InputError::new(
            Some("externalId"),
            "One or more parameters of the operation 'createOrGet' are missing from the request payload. The missing parameters are: externalId.".into(),
        ));
    };
    Ok(CreateOrGetInput {
        external_id,
        start_date_time: o.get("startDateTime")?,
        end_date_time: o.get("endDateTime")?,
        subject: o.get("subject")?,
        participants: o.get("participants")?,
        chat_info: match version {
            ApiVersion::Beta => o.get("chatInfo")?,
            ApiVersion::V1 => None,
        },
    })
}

impl CreateOrGetInput {
    /// The documented date defaults (spec §1.3): neither → now and now + 1 h; only start →
    /// start + 1 h. End without start, or end before start, is a 400 (text [inf]).
    pub fn resolve_dates(
        &self,
        now: DateTime<Utc>,
    ) -> Result<(GraphDateTime, GraphDateTime), InputError> {
        match (self.start_date_time, self.end_date_time) {
            (None, None) => {
                let start = GraphDateTime::new(now);
                Ok((start, start + Duration::hours(1)))
            }
            (Some(start), None) => Ok((start, start + Duration::hours(1))),
            (None, Some(_)) => Err(InputError::new(
                Some("startDateTime"),
                "startDateTime is required when endDateTime is specified.".into(),
            )),
            (Some(start), Some(end)) if end < start => Err(InputError::new(
                Some("endDateTime"),
                "endDateTime must be later than startDateTime.".into(),
            )),
            (Some(start), Some(end)) => Ok((start, end)),
        }
    }
}

#[cfg(test)]
mod tests;
