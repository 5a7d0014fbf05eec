//! `graphmeet event …`.

use super::*;

/// `graphmeet event …`.
#[derive(Debug, Args)]
pub struct EventArgs {
    /// Who the application is.
    #[command(flatten)]
    pub app: AppArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: EventCommand,
}

/// `graphmeet event …` verbs. The user is the calendar's owner: object id or UPN.
#[derive(Debug, Subcommand)]
pub enum EventCommand {
    /// Create an event with a Teams meeting (POST /users/{id}/events with isOnlineMeeting and
    /// teamsForBusiness) and print its join URL.
    Create {
        /// The organizer: object id or UPN.
        #[arg(long, value_name = "ID|UPN")]
        organizer: String,
        /// The subject.
        #[arg(long)]
        subject: String,
        /// The start, local time (2026-03-01T09:00:00) in --time-zone.
        #[arg(long, value_name = "LOCAL")]
        start: String,
        /// The end, local time in --time-zone.
        #[arg(long, value_name = "LOCAL")]
        end: String,
        /// A Windows zone id or IANA name.
        #[arg(long, default_value = "UTC")]
        time_zone: String,
        /// An attendee's address (repeat for more); those of the tenant get the invitation
        /// in their calendar.
        #[arg(long = "attendee", value_name = "ADDRESS")]
        attendees: Vec<String>,
        /// An event without a Teams meeting.
        #[arg(long)]
        no_teams: bool,
    },
    /// Show an event by id.
    Get {
        /// The calendar's owner: object id or UPN.
        #[arg(long, value_name = "ID|UPN")]
        user: String,
        /// The event id.
        #[arg(long)]
        id: String,
    },
    /// List the events of a calendar (every page), or those of a time window (calendarView).
    List {
        /// The calendar's owner: object id or UPN.
        #[arg(long, value_name = "ID|UPN")]
        user: String,
        /// The window's start, ISO 8601 (with an offset, or UTC); with --until.
        #[arg(long, value_name = "ISO8601", requires = "until")]
        from: Option<String>,
        /// The window's end.
        #[arg(long, value_name = "ISO8601", requires = "from")]
        until: Option<String>,
    },
    /// Cancel an event you organize: attendees are told and the Teams meeting ends.
    Cancel {
        /// The organizer: object id or UPN.
        #[arg(long, value_name = "ID|UPN")]
        user: String,
        /// The event id.
        #[arg(long)]
        id: String,
        /// A message for the attendees.
        #[arg(long)]
        comment: Option<String>,
    },
    /// Delete an event.
    Delete {
        /// The calendar's owner: object id or UPN.
        #[arg(long, value_name = "ID|UPN")]
        user: String,
        /// The event id.
        #[arg(long)]
        id: String,
    },
}
