//! `graphmeet subscription …` and `graphmeet listen`.

use super::*;

/// `graphmeet subscription …`.
#[derive(Debug, Args)]
pub struct SubscriptionArgs {
    /// Who the application is.
    #[command(flatten)]
    pub app: AppArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: SubscriptionCommand,
}

/// `graphmeet subscription …` verbs.
#[derive(Debug, Subcommand)]
pub enum SubscriptionCommand {
    /// Create a subscription (the server validates the notification URL first).
    Create {
        /// The resource, e.g. `users/{id}/onlineMeetings/getAllTranscripts`,
        /// `communications/onlineMeetings/getAllRecordings`, or
        /// `communications/onlineMeetings(joinWebUrl='…')/meetingCallEvents`.
        #[arg(long)]
        resource: String,
        /// Where notifications are POSTed.
        #[arg(long, value_name = "URL")]
        notification_url: String,
        /// Where lifecycle notifications are POSTed (needed beyond one hour).
        #[arg(long, value_name = "URL")]
        lifecycle_url: Option<String>,
        /// `created` (transcripts, recordings) or `updated` (call events).
        #[arg(long, default_value = "created")]
        change_type: String,
        /// How long it lives from now (this machine's clock), e.g. `60m`, `72h` [default: 60m]
        #[arg(long, value_name = "DURATION", value_parser = parse_duration, conflicts_with = "expiration")]
        expires_in: Option<chrono::Duration>,
        /// When it expires, RFC 3339.
        #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
        expiration: Option<GraphDateTime>,
        /// Echoed in every notification, to check it came from the subscription.
        #[arg(long)]
        client_state: Option<String>,
        /// Rich notifications: a PEM (or DER) certificate to encrypt resource data for.
        #[arg(long, value_name = "FILE", requires = "encryption_certificate_id")]
        encryption_certificate: Option<PathBuf>,
        /// The certificate's id, echoed in notifications.
        #[arg(long, value_name = "ID")]
        encryption_certificate_id: Option<String>,
    },
    /// List the app's subscriptions.
    List,
    /// Show one subscription.
    Get {
        /// The subscription id.
        id: String,
    },
    /// Renew a subscription.
    Renew {
        /// The subscription id.
        id: String,
        /// The new lifetime from now (this machine's clock), e.g. `72h` [default: 60m]
        #[arg(long, value_name = "DURATION", value_parser = parse_duration, conflicts_with = "expiration")]
        expires_in: Option<chrono::Duration>,
        /// The new expiry, RFC 3339.
        #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
        expiration: Option<GraphDateTime>,
    },
    /// Delete a subscription.
    Delete {
        /// The subscription id.
        id: String,
    },
}

/// `graphmeet listen`.
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// The address to serve on (plain http; the server must allow it with --plain-http or
    /// --notification-loopback-hosts).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8600")]
    pub listen: SocketAddr,
    /// A PEM file with the private key (PKCS#8) of the encryption certificate, to decrypt
    /// rich notifications' resource data.
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// The clientState the subscription was made with; notifications with another are
    /// reported as not matching.
    #[arg(long)]
    pub client_state: Option<String>,
    /// Exit after this many notifications (0: run until interrupted).
    #[arg(long, default_value_t = 0)]
    pub count: usize,
}
