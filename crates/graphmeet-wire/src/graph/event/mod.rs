//! The `microsoft.graph.event` resource as Outlook's calendar serves it through Graph: the
//! property order and nulls of a real response, the request bodies of create, update and the
//! respond actions, the collection query (`$select`, `$filter`, `$orderby`, `$top`, `$skip`,
//! the calendarView window), the `Prefer` headers, the id formats and the error texts.
//!
//! Facts: <https://learn.microsoft.com/graph/api/resources/event>,
//! <https://learn.microsoft.com/graph/api/user-post-events>,
//! <https://learn.microsoft.com/graph/api/user-list-calendarview>; collected with their
//! markers in `spec/events-artifacts-notifications.md` section A and, with what graphmeet
//! chose where the facts are silent, in `docs/fidelity.md` ("Calendar events").
//!
//! One file per concern, all re-exported here: `resource` (the event and its rendering),
//! `input` (request bodies), `errors`, `filter` (`$filter`), `query` (the collection
//! query, calendarView, `Prefer`) and `ids`.

/// The OData type of the resource.
pub const EVENT_TYPE: &str = "microsoft.graph.event";
/// The `time` of a response status nobody has given yet.
pub const NO_RESPONSE_TIME: &str = "0001-01-01T00:00:00Z";
/// Events per page when `$top` is not given (observed; the docs do not state it).
pub const DEFAULT_PAGE_SIZE: usize = 10;
/// The largest `$top` honoured; larger values are served as this many per page.
pub const MAX_PAGE_SIZE: usize = 1000;
/// The longest calendarView window, in days.
pub const MAX_WINDOW_DAYS: i64 = 1825;
/// The most attendees an event may have.
pub const MAX_ATTENDEES: usize = 500;

mod errors;
mod filter;
mod ids;
mod input;
mod query;
mod resource;

pub use errors::*;
pub use filter::*;
pub use ids::*;
pub use input::*;
pub use query::*;
pub use resource::*;

#[cfg(test)]
mod tests;
