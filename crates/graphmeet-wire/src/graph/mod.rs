//! Microsoft Graph `onlineMeeting` wire types and codecs.
//!
//! Facts come from `spec/graph-online-meetings.md` (the resource, id formats, `$filter`, errors)
//! and `spec/client-traces.md` §5 and §7.6 (what msgraph-sdk, the Node graph client and
//! graph-rs-sdk send and need). Nothing here does I/O: the server decodes requests with these
//! functions and renders responses with them.
//!
//! - [`meeting`]: the `microsoft.graph.onlineMeeting` resource, its enums, request-body parsing
//!   and [`GraphDateTime`].
//! - [`ids`]: meeting ids, thread ids, `joinWebUrl`, join meeting ids and passcodes.
//! - [`filter`]: `$filter` / `$select` on `.../onlineMeetings`.
//! - [`select`]: the `$select` list reader every resource shares.
//! - [`error`]: Graph's `{"error":{…}}` envelope with the real texts.
//! - [`user`]: the `microsoft.graph.user` resource and the `/users` collection's query.

pub mod artifacts;
pub mod error;
pub mod event;
pub mod filter;
pub mod ids;
pub mod meeting;
pub mod select;
pub mod subscription;
pub mod timezone;
pub mod user;

pub use error::GraphError;
pub use filter::{
    join_web_url_candidates, join_web_url_matches, parse_entity_query, parse_query, FilterError,
    MeetingFilter, MeetingQuery,
};
pub use ids::{
    conference_id, join_meeting_id, join_web_url, parse_join_web_url, passcode, private_thread_id,
    DecodedMeetingId, JoinWebUrlParts, MeetingId, MeetingIdError,
};
pub use meeting::{
    parse_create_or_get, parse_input, CreateOrGetInput, GraphDateTime, InputError, OnlineMeeting,
    OnlineMeetingInput, RenderOptions,
};

/// The Graph API version in the request path: `/v1.0/…` or `/beta/…`.
///
/// It decides which properties a response carries (beta adds the deprecated extras of spec
/// §2.2) and which action parameters createOrGet accepts (beta adds `chatInfo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiVersion {
    /// `https://graph.microsoft.com/v1.0`.
    V1,
    /// `https://graph.microsoft.com/beta`.
    Beta,
}

impl ApiVersion {
    /// The path segment as Graph spells it: `"v1.0"` or `"beta"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V1 => "v1.0",
            ApiVersion::Beta => "beta",
        }
    }

    /// Reads a path segment (`"v1.0"` or `"beta"`, case-sensitive as Graph is); `None` otherwise.
    pub fn from_segment(segment: &str) -> Option<Self> {
        match segment {
            "v1.0" => Some(ApiVersion::V1),
            "beta" => Some(ApiVersion::Beta),
            _ => None,
        }
    }
}

impl std::fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_segments() {
        assert_eq!(ApiVersion::V1.as_str(), "v1.0");
        assert_eq!(ApiVersion::Beta.as_str(), "beta");
        assert_eq!(ApiVersion::from_segment("v1.0"), Some(ApiVersion::V1));
        assert_eq!(ApiVersion::from_segment("beta"), Some(ApiVersion::Beta));
        assert_eq!(ApiVersion::from_segment("v2.0"), None);
    }
}
