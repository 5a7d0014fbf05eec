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
//!
//! One file per concern: `datetime` (Graph's timestamp), `enums`, `types` (the nested
//! complex types), `resource` (the meeting, its property lists and rendering), `reader`
//! (typed reading of request JSON and its errors) and `input` (the create, PATCH and
//! createOrGet bodies). Everything is re-exported here, so callers name
//! `graph::meeting::OnlineMeeting` and never the file.

mod datetime;
mod enums;
mod input;
mod reader;
mod resource;
mod types;

pub use datetime::*;
pub use enums::*;
pub use input::*;
pub use reader::*;
pub use resource::*;
pub use types::*;

#[cfg(test)]
mod tests;
