//! Every Graph operation graphmeet serves, each knowing the application roles or delegated
//! scopes it needs and whether an application access policy applies to it.

/// Every Graph operation graphmeet serves, each knowing the permissions it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `POST …/onlineMeetings`.
    CreateMeeting,
    /// `POST …/onlineMeetings/createOrGet`.
    CreateOrGetMeeting,
    /// `GET …/onlineMeetings/{id}`.
    GetMeeting,
    /// `GET …/onlineMeetings?$filter=…`.
    FindMeetings,
    /// `PATCH …/onlineMeetings/{id}`.
    UpdateMeeting,
    /// `DELETE …/onlineMeetings/{id}`.
    DeleteMeeting,
    /// `GET /users/{id | upn}`.
    GetUser,
    /// `GET /users` (with `$filter`, `$select`, `$top`).
    ListUsers,
    /// `POST …/events`.
    CreateEvent,
    /// `GET …/events/{id}`.
    GetEvent,
    /// `GET …/events`.
    ListEvents,
    /// `GET …/calendarView?startDateTime=…&endDateTime=…`.
    CalendarView,
    /// `PATCH …/events/{id}`.
    UpdateEvent,
    /// `DELETE …/events/{id}`.
    DeleteEvent,
    /// `POST …/events/{id}/cancel`.
    CancelEvent,
    /// `POST …/events/{id}/accept`, `…/decline`, `…/tentativelyAccept`.
    RespondToEvent,
    /// `GET …/onlineMeetings/{id}/attendanceReports`.
    ListAttendanceReports,
    /// `GET …/attendanceReports/{reportId}` (`$expand=attendanceRecords`).
    GetAttendanceReport,
    /// `GET …/attendanceReports/{reportId}/attendanceRecords`.
    ListAttendanceRecords,
    /// `GET …/onlineMeetings/{id}/transcripts`.
    ListTranscripts,
    /// `GET …/transcripts/{id}`.
    GetTranscript,
    /// `GET …/transcripts/{id}/content`.
    GetTranscriptContent,
    /// `GET …/transcripts/{id}/metadataContent`.
    GetTranscriptMetadataContent,
    /// `GET …/onlineMeetings/{id}/recordings`.
    ListRecordings,
    /// `GET …/recordings/{id}`.
    GetRecording,
    /// `GET …/recordings/{id}/content`.
    GetRecordingContent,
    /// `GET /users/{id}/onlineMeetings/getAllTranscripts(…)` (and `/delta`).
    GetAllTranscripts,
    /// `GET /users/{id}/onlineMeetings/getAllRecordings(…)` (and `/delta`).
    GetAllRecordings,
    /// `POST /subscriptions` (and get, renew, delete) for a user's or one meeting's
    /// transcripts (`users/{id}/onlineMeetings/getAllTranscripts`).
    SubscribeTranscripts,
    /// The same for recordings.
    SubscribeRecordings,
    /// `POST /subscriptions` for every transcript of the tenant
    /// (`communications/onlineMeetings/getAllTranscripts`).
    SubscribeAllTranscripts,
    /// The same for recordings.
    SubscribeAllRecordings,
    /// `POST /subscriptions` for a meeting's call events
    /// (`communications/onlineMeetings(joinWebUrl='…')/meetingCallEvents`).
    SubscribeMeetingCallEvents,
    /// `GET /subscriptions`.
    ListSubscriptions,
}

/// Every application permission that allows some subscription: what listing them needs.
pub(super) const SUBSCRIPTION_ROLES: &[&str] = &[
    "OnlineMeetingTranscript.Read.All",
    "OnlineMeetingRecording.Read.All",
    "OnlineMeetings.Read.All",
    "OnlineMeetings.ReadWrite.All",
];

impl Operation {
    /// Application permissions that allow the operation, least privileged first.
    pub fn app_roles(self) -> &'static [&'static str] {
        match self {
            Self::GetMeeting | Self::FindMeetings => {
                &["OnlineMeetings.Read.All", "OnlineMeetings.ReadWrite.All"]
            }
            Self::CreateMeeting
            | Self::CreateOrGetMeeting
            | Self::UpdateMeeting
            | Self::DeleteMeeting => &["OnlineMeetings.ReadWrite.All"],
            Self::GetUser | Self::ListUsers => &["User.ReadBasic.All", "User.Read.All"],
            Self::GetEvent | Self::ListEvents | Self::CalendarView => {
                &["Calendars.Read", "Calendars.ReadWrite"]
            }
            Self::CreateEvent
            | Self::UpdateEvent
            | Self::DeleteEvent
            | Self::CancelEvent
            | Self::RespondToEvent => &["Calendars.ReadWrite"],
            Self::ListAttendanceReports
            | Self::GetAttendanceReport
            | Self::ListAttendanceRecords => &["OnlineMeetingArtifact.Read.All"],
            Self::ListTranscripts
            | Self::GetTranscript
            | Self::GetTranscriptContent
            | Self::GetTranscriptMetadataContent
            | Self::GetAllTranscripts => &["OnlineMeetingTranscript.Read.All"],
            Self::ListRecordings
            | Self::GetRecording
            | Self::GetRecordingContent
            | Self::GetAllRecordings => &["OnlineMeetingRecording.Read.All"],
            // Subscriptions: spec C.7 (application permissions).
            Self::SubscribeTranscripts | Self::SubscribeAllTranscripts => {
                &["OnlineMeetingTranscript.Read.All"]
            }
            Self::SubscribeRecordings | Self::SubscribeAllRecordings => {
                &["OnlineMeetingRecording.Read.All"]
            }
            Self::SubscribeMeetingCallEvents => {
                &["OnlineMeetings.Read.All", "OnlineMeetings.ReadWrite.All"]
            }
            Self::ListSubscriptions => SUBSCRIPTION_ROLES,
        }
    }

    /// Delegated permissions that allow the operation, least privileged first.
    pub fn delegated_scopes(self) -> &'static [&'static str] {
        match self {
            Self::GetMeeting | Self::FindMeetings => {
                &["OnlineMeetings.Read", "OnlineMeetings.ReadWrite"]
            }
            Self::CreateMeeting
            | Self::CreateOrGetMeeting
            | Self::UpdateMeeting
            | Self::DeleteMeeting => &["OnlineMeetings.ReadWrite"],
            Self::GetUser => &["User.Read", "User.ReadBasic.All", "User.Read.All"],
            Self::ListUsers => &["User.ReadBasic.All", "User.Read.All"],
            Self::GetEvent | Self::ListEvents | Self::CalendarView => {
                &["Calendars.Read", "Calendars.ReadWrite"]
            }
            Self::CreateEvent
            | Self::UpdateEvent
            | Self::DeleteEvent
            | Self::CancelEvent
            | Self::RespondToEvent => &["Calendars.ReadWrite"],
            Self::ListAttendanceReports
            | Self::GetAttendanceReport
            | Self::ListAttendanceRecords => &["OnlineMeetingArtifact.Read.All"],
            Self::ListTranscripts
            | Self::GetTranscript
            | Self::GetTranscriptContent
            | Self::GetTranscriptMetadataContent => &["OnlineMeetingTranscript.Read.All"],
            Self::ListRecordings | Self::GetRecording | Self::GetRecordingContent => {
                &["OnlineMeetingRecording.Read.All"]
            }
            // Application permissions only (learn.microsoft.com/graph/api/onlinemeeting-getalltranscripts).
            Self::GetAllTranscripts | Self::GetAllRecordings => &[],
            // A user's own transcripts and recordings (C.7: delegated too); tenant-wide and
            // call-event subscriptions are application-only.
            Self::SubscribeTranscripts => &["OnlineMeetingTranscript.Read.All"],
            Self::SubscribeRecordings => &["OnlineMeetingRecording.Read.All"],
            Self::SubscribeAllTranscripts
            | Self::SubscribeAllRecordings
            | Self::SubscribeMeetingCallEvents => &[],
            Self::ListSubscriptions => &[
                "OnlineMeetingTranscript.Read.All",
                "OnlineMeetingRecording.Read.All",
            ],
        }
    }

    /// Whether app-only calls also need an application access policy.
    pub fn needs_access_policy(self) -> bool {
        self.is_meeting_operation()
    }

    /// Whether the operation acts on the user's meetings (and so needs the user to be able to
    /// organise them).
    pub fn is_meeting_operation(self) -> bool {
        !matches!(self, Self::GetUser | Self::ListUsers) && !self.is_event_operation()
    }

    /// Whether the operation acts on the user's calendar (Exchange, not Teams: the Teams
    /// application access policy does not apply; Exchange's does).
    pub fn is_event_operation(self) -> bool {
        matches!(
            self,
            Self::CreateEvent
                | Self::GetEvent
                | Self::ListEvents
                | Self::CalendarView
                | Self::UpdateEvent
                | Self::DeleteEvent
                | Self::CancelEvent
                | Self::RespondToEvent
        )
    }

    /// Whether the path may name the user by UPN (only the users endpoint resolves one; the
    /// meetings API wants the object id).
    pub fn accepts_upn(self) -> bool {
        matches!(self, Self::GetUser) || self.is_event_operation()
    }

    /// The name the audit log records.
    pub fn name(self) -> &'static str {
        match self {
            Self::CreateMeeting => "CreateMeeting",
            Self::CreateOrGetMeeting => "CreateOrGetMeeting",
            Self::GetMeeting => "GetMeeting",
            Self::FindMeetings => "FindMeetings",
            Self::UpdateMeeting => "UpdateMeeting",
            Self::DeleteMeeting => "DeleteMeeting",
            Self::GetUser => "GetUser",
            Self::ListUsers => "ListUsers",
            Self::CreateEvent => "CreateEvent",
            Self::GetEvent => "GetEvent",
            Self::ListEvents => "ListEvents",
            Self::CalendarView => "CalendarView",
            Self::UpdateEvent => "UpdateEvent",
            Self::DeleteEvent => "DeleteEvent",
            Self::CancelEvent => "CancelEvent",
            Self::RespondToEvent => "RespondToEvent",
            Self::ListAttendanceReports => "ListAttendanceReports",
            Self::GetAttendanceReport => "GetAttendanceReport",
            Self::ListAttendanceRecords => "ListAttendanceRecords",
            Self::ListTranscripts => "ListTranscripts",
            Self::GetTranscript => "GetTranscript",
            Self::GetTranscriptContent => "GetTranscriptContent",
            Self::GetTranscriptMetadataContent => "GetTranscriptMetadataContent",
            Self::ListRecordings => "ListRecordings",
            Self::GetRecording => "GetRecording",
            Self::GetRecordingContent => "GetRecordingContent",
            Self::GetAllTranscripts => "GetAllTranscripts",
            Self::GetAllRecordings => "GetAllRecordings",
            Self::SubscribeTranscripts => "SubscribeTranscripts",
            Self::SubscribeRecordings => "SubscribeRecordings",
            Self::SubscribeAllTranscripts => "SubscribeAllTranscripts",
            Self::SubscribeAllRecordings => "SubscribeAllRecordings",
            Self::SubscribeMeetingCallEvents => "SubscribeMeetingCallEvents",
            Self::ListSubscriptions => "ListSubscriptions",
        }
    }
}
