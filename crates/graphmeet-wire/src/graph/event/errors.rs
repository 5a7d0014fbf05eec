//! Every error text of the event routes, each as Outlook's Graph answers it.

use super::*;
use crate::graph::error::GraphError;

/// Why a request body or query was refused: the Graph error to send.
pub type EventInputError = GraphError;

pub(super) fn enum_error(value: &str, type_name: &str) -> GraphError {
    GraphError::new(
        400,
        "RequestBodyRead",
        format!("Cannot convert the literal '{value}' to the expected type 'microsoft.graph.{type_name}'."),
    )
}

/// 400 for a body that is not an event.
pub fn unable_to_deserialize() -> GraphError {
    GraphError::new(
        400,
        "UnableToDeserializePostBody",
        "were unable to deserialize ",
    )
}

/// 400 for a zone Exchange does not know.
pub fn time_zone_not_supported(name: &str) -> GraphError {
    GraphError::new(
        400,
        "TimeZoneNotSupportedException",
        format!("A valid TimeZone value must be specified. The following TimeZone value is not supported: '{name}'."),
    )
}

/// 404 for an id the mailbox does not hold (or that is not an event id at all).
pub fn item_not_found() -> GraphError {
    GraphError::new(
        404,
        "ErrorItemNotFound",
        "The specified object was not found in the store.",
    )
}

/// 400 for a calendarView without its window.
pub fn calendar_view_window_missing() -> GraphError {
    GraphError::new(
        400,
        "ErrorInvalidParameter",
        "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
    )
}

/// 400 for a calendarView window longer than [`MAX_WINDOW_DAYS`].
pub fn calendar_view_window_too_long() -> GraphError {
    GraphError::new(
        400,
        "ErrorInvalidRequest",
        format!("Your request can't be completed. The range between the start and end dates is greater than the allowed range. Maximum number of days: {MAX_WINDOW_DAYS}"),
    )
}

/// 400 for a cancel by someone else than the organizer.
pub fn cancel_needs_organizer() -> GraphError {
    GraphError::new(
        400,
        "ErrorInvalidRequest",
        "Your request can't be completed. You need to be an organizer to cancel a meeting.",
    )
}

/// 400 for a response to one's own meeting.
pub fn organizer_cannot_respond() -> GraphError {
    GraphError::new(
        400,
        "ErrorInvalidRequest",
        "Your request can't be completed. You can't respond to a meeting you organized.",
    )
}

/// 400 for a `proposedNewTime` the rules refuse.
pub fn proposed_new_time_refused() -> GraphError {
    GraphError::new(
        400,
        "ErrorInvalidRequest",
        "Your request can't be completed. A new time can't be proposed for this meeting: the organizer does not allow new time proposals, or no response is sent.",
    )
}

/// 403 for an app-only call on a mailbox the calendar permission does not reach.
pub fn calendar_access_denied() -> GraphError {
    GraphError::new(
        403,
        "ErrorAccessDenied",
        "Access is denied. Check credentials and try again.",
    )
}

/// 403 for an app-only call Exchange Online's application access policy blocks.
pub fn exchange_policy_denied() -> GraphError {
    GraphError::new(
        403,
        "ErrorAccessDenied",
        "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.",
    )
}

/// 404 for a user Exchange knows no mailbox of.
pub fn invalid_user(shown: &str) -> GraphError {
    GraphError::new(
        404,
        "ErrorInvalidUser",
        format!("The requested user '{shown}' is invalid."),
    )
}

/// 404 for a guest's (or otherwise REST-less) mailbox.
pub fn mailbox_not_enabled() -> GraphError {
    GraphError::new(
        404,
        "MailboxNotEnabledForRESTAPI",
        "REST API is not yet supported for this mailbox.",
    )
}

/// 400 for recurrence, which graphmeet does not serve.
pub fn recurrence_not_served() -> GraphError {
    GraphError::new(
        400,
        "ErrorInvalidRequest",
        "graphmeet serves single-instance events only: recurrence must be null.",
    )
}
