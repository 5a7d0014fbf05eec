//! Making a new meeting's document: the participants and attendees checked and completed, the
//! computed properties (ids, thread, join URL and information), the channel thread of a beta
//! createOrGet, and storing it under the organizer's quota.

use super::{rule, MeetingError, Meetings, Organizer, EXPIRY_AFTER_END_DAYS, ID_ATTEMPTS};

use crate::model::{conversation_key, StoredMeeting, User, UserRef};
use crate::store::StoreError;
use crate::writer::{QuotaExceeded, WriteError};
use chrono::Duration;
use graphmeet_wire::graph::ids::{self, MeetingId};
use graphmeet_wire::graph::meeting::*;
use graphmeet_wire::graph::{GraphDateTime, OnlineMeeting};
use uuid::Uuid;

/// What [`Meetings::store_new`] did.
pub(super) enum StoreOutcome {
    /// The new meeting was stored.
    Created,
    /// createOrGet found the organizer's meeting with that externalId, unchanged.
    Existing(StoredMeeting),
}

/// A channel's thread id, as beta createOrGet's `chatInfo.threadId` gives it: `19:…@thread.tacv2`
/// (or the older `@thread.skype`). A private meeting's chat or anything else cannot hold a new
/// meeting.
pub(super) fn channel_thread(thread: &str) -> Result<String, MeetingError> {
    let thread = thread.trim();
    let channel = thread.starts_with("19:")
        && (thread.ends_with("@thread.tacv2") || thread.ends_with("@thread.skype"))
        && thread.len() > "19:@thread.tacv2".len()
        && !thread.contains(char::is_whitespace)
        && !thread.contains('/');
    if channel {
        Ok(thread.to_owned())
    } else {
        Err(MeetingError::Rule(format!(
            "Invalid chatInfo.threadId '{thread}': a meeting can be created in a channel's thread (19:…@thread.tacv2) only."
        )))
    }
}

impl Meetings {
    /// Fills the organizer from the directory and checks the attendees.
    pub(super) async fn finish_participants(
        &self,
        org: &Organizer,
        meeting: &mut OnlineMeeting,
        given: Option<&MeetingParticipants>,
    ) -> Result<(), MeetingError> {
        let attendees = match given.and_then(|p| p.attendees.as_ref()) {
            Some(list) => self.check_attendees(org, list).await?,
            None => Vec::new(),
        };
        meeting.participants = Some(MeetingParticipants {
            organizer: Some(MeetingParticipantInfo {
                identity: Some(IdentitySet {
                    user: Some(Identity::aad_user(
                        org.user.id.to_string(),
                        org.tenant.id.to_string(),
                    )),
                    ..IdentitySet::default()
                }),
                upn: Some(org.user.upn.clone()),
                role: Some(OnlineMeetingRole::Presenter),
            }),
            attendees: Some(attendees),
            producers: Some(Vec::new()),
            contributors: Some(Vec::new()),
        });
        Ok(())
    }

    /// Attendees: each names a user by id or UPN; users of the directory are completed with
    /// their id, UPN and tenant; presenters and co-organizers must be users of the directory.
    pub(super) async fn check_attendees(
        &self,
        org: &Organizer,
        attendees: &[MeetingParticipantInfo],
    ) -> Result<Vec<MeetingParticipantInfo>, MeetingError> {
        let mut out = Vec::with_capacity(attendees.len());
        for (i, attendee) in attendees.iter().enumerate() {
            let id = attendee
                .identity
                .as_ref()
                .and_then(|s| s.user.as_ref())
                .and_then(|u| u.id.clone());
            let upn = attendee.upn.clone();
            if id.is_none() && upn.is_none() {
                return Err(MeetingError::Rule(format!(
                    "participants.attendees[{i}] must identify a user by identity.user.id or upn."
                )));
            }
            // Only the organizer's directory is looked in: a user of another tenant is an
            // external attendee, as Graph treats one, and nothing of that tenant's directory
            // shows in the answer.
            let reference = match (&id, &upn) {
                (Some(id), _) => match Uuid::parse_str(id) {
                    Ok(uuid) => Some(UserRef::Id(uuid)),
                    Err(_) => return Err(MeetingError::Rule(format!("participants.attendees[{i}].identity.user.id '{id}' is not a valid object id."))),
                },
                (None, Some(upn)) => Some(UserRef::Upn(upn.clone())),
                (None, None) => None,
            };
            let known = reference
                .and_then(|r| self.index.user_in(org.tenant.id, &r))
                .map(|u| User::clone(&u));
            let mut checked = attendee.clone();
            match known {
                Some(user) => {
                    let mut identity =
                        Identity::aad_user(user.id.to_string(), user.tenant_id.to_string());
                    identity.display_name = attendee
                        .identity
                        .as_ref()
                        .and_then(|s| s.user.as_ref())
                        .and_then(|u| u.display_name.clone());
                    checked.identity = Some(IdentitySet {
                        user: Some(identity),
                        ..IdentitySet::default()
                    });
                    checked.upn = Some(user.upn);
                }
                // Presenter and co-organizer are not supported for users outside Entra ID
                // (learn.microsoft.com/graph/api/application-post-onlinemeetings); the service
                // does not refuse the request but drops the role: the documented beta
                // createOrGet example 1 sends `"role": "presenter"` and gets the attendee back
                // with `"role": null`.
                None if matches!(
                    attendee.role,
                    Some(OnlineMeetingRole::Presenter | OnlineMeetingRole::Coorganizer)
                ) =>
                {
                    checked.role = None;
                }
                None => {}
            }
            out.push(checked);
        }
        Ok(out)
    }

    /// Draws the ids, completes the resource and stores it, retrying when a drawn id is taken.
    /// Returns the completed resource, which is what was stored when the outcome is
    /// [`StoreOutcome::Created`]: the answer is rendered from it rather than from its stored
    /// document read back.
    pub(super) async fn store_new(
        &self,
        org: &Organizer,
        mut meeting: OnlineMeeting,
        passcode_required: bool,
        external_id: Option<String>,
        channel: Option<&str>,
    ) -> Result<(StoreOutcome, OnlineMeeting), MeetingError> {
        let now = self.clock.now();
        let mut last_conflict = String::new();
        for attempt in 0..ID_ATTEMPTS {
            let (join_id, conference, passcode) = {
                let mut rng = rand::thread_rng();
                (
                    ids::join_meeting_id(&mut rng),
                    ids::conference_id(&mut rng),
                    passcode_required.then(|| ids::passcode(&mut rng)),
                )
            };
            // A private meeting gets a thread of its own (message id 0); a channel meeting is a
            // post in the channel's thread, its message id the post's millisecond timestamp
            // (one later per retry, so two meetings posted at once differ).
            let (thread_id, message_id) = match channel {
                Some(thread) => (
                    thread.to_owned(),
                    (now.timestamp_millis() + i64::try_from(attempt).unwrap_or(0)).to_string(),
                ),
                None => (
                    ids::private_thread_id(ids::thread_guid_at(now)),
                    "0".to_owned(),
                ),
            };
            let id = MeetingId::encode(org.user.id, &message_id, &thread_id);
            let join_web_url = ids::join_web_url(
                &self.join_url_base,
                &thread_id,
                &message_id,
                org.tenant.id,
                org.user.id,
            );
            self.complete(
                org,
                &mut meeting,
                &id,
                (&thread_id, &message_id),
                &join_web_url,
                &join_id,
                &conference,
                passcode,
                now,
            );
            let stored = StoredMeeting {
                id: id.as_str().to_owned(),
                tenant_id: org.tenant.id,
                organizer_id: org.user.id,
                external_id: external_id.clone(),
                thread_id: conversation_key(&thread_id, &message_id),
                join_meeting_id: join_id,
                join_web_url,
                created_at: now,
                updated_at: now,
                document: document_text(&meeting)?,
            };
            // Through the writer, which commits concurrent creates together and answers only
            // after the commit.
            let outcome = if external_id.is_some() {
                self.writer
                    .create_or_get(stored)
                    .await
                    .map(|existing| existing.map_or(StoreOutcome::Created, StoreOutcome::Existing))
            } else {
                self.writer
                    .create(stored)
                    .await
                    .map(|()| StoreOutcome::Created)
            };
            match outcome {
                Ok(done) => return Ok((done, meeting)),
                // A drawn id was taken: draw again.
                Err(WriteError::Store(StoreError::Conflict(what))) => last_conflict = what,
                Err(WriteError::Store(e)) => return Err(e.into()),
                Err(WriteError::OverQuota(over)) => return Err(self.over_quota(org, over)),
            }
        }
        Err(MeetingError::Store(StoreError::Backend(format!(
            "could not draw unique meeting ids: {last_conflict}"
        ))))
    }

    /// The quota refusal, with the wait until the organizer's next month.
    pub(super) fn over_quota(&self, org: &Organizer, over: QuotaExceeded) -> MeetingError {
        let wait = (over.resets_at - self.clock.now()).num_seconds();
        MeetingError::QuotaExceeded {
            organizer: org.user.id,
            limit: over.limit,
            retry_after_secs: u64::try_from(wait).unwrap_or(0).max(1),
        }
    }

    /// Sets the read-only properties the service computes.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn complete(
        &self,
        org: &Organizer,
        meeting: &mut OnlineMeeting,
        id: &MeetingId,
        (thread_id, message_id): (&str, &str),
        join_web_url: &str,
        join_id: &str,
        conference: &str,
        passcode: Option<String>,
        now: chrono::DateTime<chrono::Utc>,
    ) {
        let dial_guid = Uuid::new_v4();
        meeting.id = Some(id.as_str().to_owned());
        meeting.creation_date_time = Some(GraphDateTime::new(now));
        meeting.expiry_date_time = meeting
            .end_date_time
            .map(|end| end + Duration::days(EXPIRY_AFTER_END_DAYS));
        meeting.join_web_url = Some(join_web_url.to_owned());
        meeting.chat_info = Some(ChatInfo {
            thread_id: Some(thread_id.to_owned()),
            message_id: Some(message_id.to_owned()),
            // A channel meeting's post starts its own reply chain.
            reply_chain_message_id: (message_id != "0").then(|| message_id.to_owned()),
        });
        meeting.join_meeting_id_settings = Some(JoinMeetingIdSettings {
            is_passcode_required: Some(passcode.is_some()),
            join_meeting_id: Some(join_id.to_owned()),
            passcode,
        });
        // Dial-in details come with the organizer's Audio Conferencing licence.
        meeting.audio_conferencing =
            org.user
                .account
                .audio_conferencing
                .then(|| AudioConferencing {
                    conference_id: Some(conference.to_owned()),
                    toll_number: Some("+12065550100".to_owned()),
                    toll_free_number: Some("+18005550100".to_owned()),
                    toll_numbers: Some(vec!["+12065550100".to_owned()]),
                    toll_free_numbers: Some(vec!["+18005550100".to_owned()]),
                    dialin_url: Some(ids::dialin_url(&self.join_url_base, dial_guid, conference)),
                });
        meeting.meeting_options_web_url = Some(format!(
            "{}/meetingOptions/?organizerId={}&tenantId={}&threadId={}&messageId={}&language=en-US",
            self.join_url_base, org.user.id, org.tenant.id, thread_id, message_id
        ));
        meeting.join_information = Some(join_information(
            join_web_url,
            join_id,
            meeting
                .join_meeting_id_settings
                .as_ref()
                .and_then(|s| s.passcode.as_deref()),
        ));
        meeting
            .allowed_presenters
            .get_or_insert(OnlineMeetingPresenters::Everyone);
        meeting
            .allow_meeting_chat
            .get_or_insert(MeetingChatMode::Enabled);
        meeting.allow_teamwork_reactions.get_or_insert(true);
        meeting.allow_attendee_to_enable_camera.get_or_insert(true);
        meeting.allow_attendee_to_enable_mic.get_or_insert(true);
        meeting
            .allow_participants_to_change_name
            .get_or_insert(false);
        meeting.allow_recording.get_or_insert(true);
        meeting.allow_transcription.get_or_insert(true);
        meeting.is_entry_exit_announced.get_or_insert(true);
        meeting.record_automatically.get_or_insert(false);
        meeting
            .share_meeting_chat_history_default
            .get_or_insert(MeetingChatHistoryDefaultMode::None);
        meeting.is_broadcast.get_or_insert(false);
        // The default lobby, member by member: a create that sends only
        // `isDialInBypassEnabled` still gets the default scope.
        let lobby = meeting
            .lobby_bypass_settings
            .get_or_insert_with(Default::default);
        lobby.scope.get_or_insert(LobbyBypassScope::Organization);
        lobby.is_dial_in_bypass_enabled.get_or_insert(false);
    }
}

/// `joinInformation`: the invitation HTML as a `data:text/html,` URL, the whole of it
/// form-encoded as a real 2025 response has it (OfficeDev/microsoft-teams-library-js#2844:
/// `+` for spaces, lower-case escapes, `%0a` for new lines; documented bodies encode the whole
/// blob the same way but with upper-case escapes), with `contentType` `Html` as every
/// documented body has it. The meeting id is grouped in threes, as the invitation shows it
/// (`344 674 159 108 1`).
pub fn join_information(join_web_url: &str, join_id: &str, passcode: Option<&str>) -> ItemBody {
    let grouped = join_id
        .as_bytes()
        .chunks(3)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    let mut html = format!(
        "<p>Microsoft Teams meeting</p>\n<p><a href=\"{join_web_url}\" target=\"_blank\" rel=\"noreferrer noopener\">Join the meeting now</a></p>\n<p>Meeting ID: {grouped}</p>\n"
    );
    if let Some(passcode) = passcode {
        html.push_str(&format!("<p>Passcode: {passcode}</p>\n"));
    }
    ItemBody {
        content: Some(ids::url_encode_lower(&format!("data:text/html,{html}"))),
        content_type: Some("Html".to_owned()),
    }
}

/// Presenter roles need `allowedPresenters = roleIsPresenter`.
pub(super) fn check_presenters(meeting: &OnlineMeeting) -> Result<(), MeetingError> {
    let has_presenter = meeting
        .participants
        .as_ref()
        .and_then(|p| p.attendees.as_ref())
        .is_some_and(|a| {
            a.iter()
                .any(|x| x.role == Some(OnlineMeetingRole::Presenter))
        });
    if has_presenter
        && meeting
            .allowed_presenters
            .is_some_and(|p| p != OnlineMeetingPresenters::RoleIsPresenter)
    {
        return Err(rule("An attendee can have the presenter role only when allowedPresenters is roleIsPresenter."));
    }
    Ok(())
}

/// Meetings stored before joinInformation took the real service's form (`contentType`
/// `html`, an unencoded `data:text/html,` prefix) are shown in the current form.
pub(super) fn upgrade_join_information(meeting: &mut OnlineMeeting) {
    let old = meeting
        .join_information
        .as_ref()
        .is_some_and(|j| j.content_type.as_deref() == Some("html"));
    if !old {
        return;
    }
    if let (Some(url), Some(settings)) = (
        meeting.join_web_url.as_deref(),
        meeting.join_meeting_id_settings.as_ref(),
    ) {
        let join_id = settings.join_meeting_id.as_deref().unwrap_or_default();
        meeting.join_information =
            Some(join_information(url, join_id, settings.passcode.as_deref()));
    }
}

/// A new meeting's stored document: its JSON, written into a buffer sized for a typical
/// document (3–4 KB) rather than grown from serde_json's 128 bytes by doubling.
fn document_text(meeting: &impl serde::Serialize) -> Result<String, MeetingError> {
    let mut text = Vec::with_capacity(4096);
    serde_json::to_writer(&mut text, meeting).map_err(|e| MeetingError::Rule(e.to_string()))?;
    // serde_json writes UTF-8.
    String::from_utf8(text).map_err(|e| MeetingError::Rule(e.to_string()))
}
