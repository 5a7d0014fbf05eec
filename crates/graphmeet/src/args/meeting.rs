//! `graphmeet meeting …`: the meetings verbs, their artifacts (`transcripts`, `recordings`),
//! `play` and `bulk`.

use super::*;

/// `graphmeet meeting …`.
#[derive(Debug, Args)]
pub struct MeetingArgs {
    /// Who the application is.
    #[command(flatten)]
    pub app: AppArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: MeetingCommand,
}

/// A meeting's times and subject, as given on the command line.
#[derive(Debug, Clone, Default, Args)]
pub struct MeetingFields {
    /// The subject.
    #[arg(long)]
    pub subject: Option<String>,
    /// The start, RFC 3339 (e.g. 2026-03-01T09:00:00Z) [default: the server's, now]
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub start: Option<GraphDateTime>,
    /// The end, RFC 3339 [default: the server's, start + 1 hour]
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub end: Option<GraphDateTime>,
}

/// Reads an RFC 3339 date-time (any offset; fractions allowed).
pub fn parse_time(text: &str) -> Result<GraphDateTime, String> {
    GraphDateTime::parse(text.trim())
        .map_err(|_| format!("'{text}' is not an RFC 3339 date-time like 2026-03-01T09:00:00Z"))
}

/// `graphmeet meeting …` verbs.
#[derive(Debug, Subcommand)]
pub enum MeetingCommand {
    /// Create a meeting owned by the organizer (POST /users/{id}/onlineMeetings).
    Create {
        /// The organizer: object id or UPN (a UPN needs the User.Read.All permission).
        #[arg(long, value_name = "ID|UPN")]
        organizer: String,
        /// Subject, start and end.
        #[command(flatten)]
        fields: MeetingFields,
        /// Require a passcode to join by meeting id.
        #[arg(long)]
        passcode: bool,
    },
    /// Return the organizer's meeting with this external id, creating it if there is none
    /// (createOrGet: safe to repeat).
    CreateOrGet {
        /// The organizer: object id or UPN.
        #[arg(long, value_name = "ID|UPN")]
        organizer: String,
        /// Your id for the meeting (unique per organizer).
        #[arg(long, value_name = "ID")]
        external_id: String,
        /// Subject, start and end, used only when the meeting is created.
        #[command(flatten)]
        fields: MeetingFields,
    },
    /// Show a meeting by id.
    Get {
        /// The organizer: object id or UPN.
        #[arg(long, value_name = "ID|UPN")]
        organizer: String,
        /// The meeting id.
        #[arg(long, value_name = "MEETING_ID")]
        id: String,
    },
    /// Find the organizer's meeting by its join URL or join meeting id; exits 1 if none.
    #[command(group(ArgGroup::new("by").args(["join_url", "join_meeting_id"]).required(true)))]
    Find {
        /// The organizer: object id or UPN.
        #[arg(long, value_name = "ID|UPN")]
        organizer: String,
        /// The exact joinWebUrl.
        #[arg(long, value_name = "URL")]
        join_url: Option<String>,
        /// The join meeting id (the digits people type).
        #[arg(long, value_name = "DIGITS")]
        join_meeting_id: Option<String>,
    },
    /// Change a meeting's subject and/or times (start and end go together).
    #[command(group(ArgGroup::new("change").args(["subject", "start"]).required(true).multiple(true)))]
    Update {
        /// The organizer: object id or UPN.
        #[arg(long, value_name = "ID|UPN")]
        organizer: String,
        /// The meeting id.
        #[arg(long, value_name = "MEETING_ID")]
        id: String,
        /// The new subject.
        #[arg(long)]
        subject: Option<String>,
        /// The new start, RFC 3339.
        #[arg(long, value_name = "RFC3339", value_parser = parse_time, requires = "end")]
        start: Option<GraphDateTime>,
        /// The new end, RFC 3339.
        #[arg(long, value_name = "RFC3339", value_parser = parse_time, requires = "start")]
        end: Option<GraphDateTime>,
    },
    /// Delete a meeting.
    Delete {
        /// The organizer: object id or UPN.
        #[arg(long, value_name = "ID|UPN")]
        organizer: String,
        /// The meeting id.
        #[arg(long, value_name = "MEETING_ID")]
        id: String,
    },
    /// Create (or find) one meeting per CSV row with createOrGet, so a re-run creates nothing
    /// twice; writes a result CSV as rows complete; exits 1 if any row failed.
    Bulk(BulkArgs),
    /// Play a session of a meeting on a graphmeet server (admin API): who joins and leaves
    /// when, what is said; once it has ended on the server's clock, its attendance report,
    /// transcript and recording are served.
    Play(PlayArgs),
    /// List a meeting's attendance reports, or one report's records.
    Attendance {
        /// The organizer: object id or UPN.
        #[arg(long, value_name = "ID|UPN")]
        organizer: String,
        /// The meeting id.
        #[arg(long, value_name = "MEETING_ID")]
        id: String,
        /// One report: show its attendance records.
        #[arg(long, value_name = "REPORT_ID")]
        report: Option<String>,
    },
    /// List a meeting's transcripts, or download one (WebVTT) with --download and --out.
    Transcripts(ArtifactArgs),
    /// List a meeting's recordings, or download one (MP4) with --download and --out.
    Recordings(ArtifactArgs),
}

/// `graphmeet meeting transcripts|recordings`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("file").args(["download"]).requires("out")))]
pub struct ArtifactArgs {
    /// The organizer: object id or UPN.
    #[arg(long, value_name = "ID|UPN")]
    pub organizer: String,
    /// The meeting id.
    #[arg(long, value_name = "MEETING_ID")]
    pub id: String,
    /// The transcript or recording to download.
    #[arg(long, value_name = "ARTIFACT_ID")]
    pub download: Option<String>,
    /// Where to write the download (replacing that file).
    #[arg(long, value_name = "FILE", requires = "download")]
    pub out: Option<PathBuf>,
}

/// `graphmeet meeting play`: a JSON script (`docs/admin.md`), flags, or both (flags add to
/// the script).
#[derive(Debug, Args)]
pub struct PlayArgs {
    /// The meeting id.
    #[arg(long, value_name = "MEETING_ID")]
    pub id: String,
    /// A JSON play script (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    pub script: Option<PathBuf>,
    /// When the session starts: RFC 3339, `now`, `now-PT1H` [default: the script's, else now]
    #[arg(long, value_name = "TIME")]
    pub start: Option<String>,
    /// A participant: `KIND:WHO,JOIN,LEAVE` with KIND user (id or UPN), guest, anonymous or
    /// phone, and times as offsets (PT5M) or RFC 3339; repeatable.
    #[arg(long = "participant", value_name = "SPEC")]
    pub participants: Vec<String>,
    /// An utterance: `WHO,AT,TEXT` (WHO as in --participant); repeatable.
    #[arg(long = "say", value_name = "SPEC")]
    pub utterances: Vec<String>,
    /// Do not transcribe the session.
    #[arg(long)]
    pub no_transcript: bool,
    /// Do not record the session.
    #[arg(long)]
    pub no_recording: bool,
}

/// `graphmeet meeting bulk`.
#[derive(Debug, Args)]
pub struct BulkArgs {
    /// The input: a header row, then one meeting a row; columns external_id (required),
    /// organizer (object id or UPN; may be empty with --organizer), subject, start, end
    /// (RFC 3339, may be empty).
    #[arg(long, value_name = "FILE")]
    pub csv: PathBuf,
    /// Where to write the result CSV (external_id, id, joinWebUrl, joinMeetingId, passcode,
    /// status, error), replacing that file [default: stdout]
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// How many requests are in flight at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// The organizer of rows whose organizer cell is empty.
    #[arg(long, value_name = "ID|UPN")]
    pub organizer: Option<String>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}
