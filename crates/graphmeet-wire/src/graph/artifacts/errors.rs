//! The artifact routes' error texts.

use crate::graph::GraphError;

impl GraphError {
    /// 400: a function segment whose parameters do not parse, at a position in the segment
    /// [obs: "Syntax error at position 88", msgraph-beta-sdk-python #1038, for the SDK's
    /// comma-less getAllTranscripts segment; the position's base is inf].
    pub fn odata_syntax_error(position: usize) -> Self {
        Self::bad_request(format!("Syntax error at position {position}"))
    }

    /// 400: a content format the transcript is not served in (Kiota's default `Accept`
    /// included) [obs: msgraph-sdk-dotnet #2505, msgraph-sdk-python #1294].
    pub fn invalid_transcript_format(asked: &str) -> Self {
        Self::bad_request(format!("Invalid format '{asked}' specified."))
    }

    /// 403: the tenant blocks Graph access to transcripts
    /// (`Set-CsTeamsMeetingConfiguration -EnableGraphTranscriptAccess $false`);
    /// `innerError.code` as clients branch on it [doc, msteams-docs; message inf].
    pub fn graph_transcript_access_disabled() -> Self {
        Self::new(
            403,
            "Forbidden",
            "Graph API access to transcripts is disabled for this tenant.",
        )
        .with_inner_code("GraphAccessToTranscriptsDisabled")
    }

    /// 403: the tenant blocks speaker-attributed transcripts
    /// (`-EnableAttributedTranscripts $false`) [obs: dust-tt/dust #30092].
    pub fn speaker_attribution_not_allowed() -> Self {
        Self::new(
            403,
            "Forbidden",
            "Speaker-attributed transcript content is disabled for this tenant",
        )
        .with_inner_code("SpeakerAttributionNotAllowed")
    }

    /// 400: v1.0 serves no artifacts of channel meetings [doc; obs msgraph-beta-sdk-dotnet #695].
    pub fn channel_meetings_not_supported() -> Self {
        Self::bad_request("Channel based meetings are currently not supported.")
    }

    /// 404: no artifact of that id under the meeting [inf: text].
    pub fn artifact_not_found(what: &str, id: &str) -> Self {
        Self::not_found(format!("The requested {what} '{id}' was not found."))
    }

    /// 400: getAll* without `meetingOrganizerUserId` (or `$filter` on the organizer) [doc:
    /// the requirement; inf: text].
    pub fn meeting_organizer_required(function: &str) -> Self {
        Self::bad_request(format!(
            "{function} requires meetingOrganizerUserId or $filter=MeetingOrganizer/User/Id eq '{{id}}'."
        ))
    }
}
