//! The onlineMeeting's string enums (spec §2.4): exact wire names, strict serde, request-body
//! reading that names the property and the allowed values, and the evolvable members that
//! `Prefer: include-unknown-enum-members` reveals.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::*;

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
