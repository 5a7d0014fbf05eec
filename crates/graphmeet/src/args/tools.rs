//! The setup and inspection commands: `doctor`, `clock`, `requests`, `trust` and `onboard`.

use super::*;

/// `graphmeet doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Who the application is.
    #[command(flatten)]
    pub app: AppArgs,
    /// Also check that the application access policy lets the app act for this user.
    #[arg(long, value_name = "ID|UPN")]
    pub user: Option<String>,
    /// Also check the calendar path (events with Teams meetings): the Calendars.ReadWrite
    /// permission and, with --user, Exchange's application access policy.
    #[arg(long)]
    pub calendar: bool,
}

/// `graphmeet clock`.
#[derive(Debug, Args)]
pub struct ClockArgs {
    /// Move the virtual clock forward by an ISO 8601 duration (PT30M, P1DT2H).
    #[arg(long, conflicts_with = "set")]
    pub advance: Option<String>,
    /// Set the virtual clock to an RFC 3339 time.
    #[arg(long)]
    pub set: Option<String>,
}

/// `graphmeet requests`.
#[derive(Debug, Args)]
pub struct RequestsArgs {
    /// Only this surface: graph, entra, admin, join, health or console.
    #[arg(long, value_parser = ["graph", "entra", "admin", "join", "health", "console"])]
    pub surface: Option<String>,
    /// How many of the last requests to show first.
    #[arg(long, default_value = "20")]
    pub limit: usize,
    /// Keep printing new requests until interrupted.
    #[arg(long, short = 'f')]
    pub follow: bool,
}

/// `graphmeet trust`.
#[derive(Debug, Args)]
pub struct TrustArgs {
    /// Take the local CA out of the trust store instead.
    #[arg(long)]
    pub remove: bool,
}

/// `graphmeet onboard`.
#[derive(Debug, Args)]
pub struct OnboardArgs {
    /// The customer's tenant, by id or domain.
    #[arg(long)]
    pub tenant: String,
    /// The application (client) id.
    #[arg(long, value_name = "APP_ID")]
    pub app_id: String,
    /// The user the app creates meetings for (object id or UPN).
    #[arg(long, value_name = "USER")]
    pub user: String,
    /// The application access policy's name [default: MeetingsApp-<first 8 of the app id>]
    #[arg(long, value_name = "NAME")]
    pub policy_name: Option<String>,
    /// The app also creates calendar events (the calendar path): print the Calendars.ReadWrite
    /// consent and the Exchange cmdlets that restrict its mailbox access.
    #[arg(long)]
    pub calendar: bool,
}
