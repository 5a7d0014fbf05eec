//! Playing a session: the play script's times, participants and utterances turned into a
//! stored session, and the sessions a seed plays.

use super::{
    ArtifactError, Attendee, AttendeeKind, Playback, SessionDocument, Spoken, StoredSession,
    MAX_PARTICIPANTS, MAX_SESSION_HOURS, MAX_UTTERANCES,
};

use crate::meetings::{Meetings, Organizer};
use crate::model::{StoredMeeting, UserRef};
use crate::store::StoreError;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use graphmeet_wire::admin::Seed;
use graphmeet_wire::admin_play::{PlayParticipant, PlayScript, SeedPlayed};
use graphmeet_wire::graph::artifacts::{artifact_id, AttendanceRole};
use graphmeet_wire::graph::ids::thread_guid;
use graphmeet_wire::graph::meeting::{OnlineMeetingPresenters, OnlineMeetingRole};
use uuid::Uuid;

pub(super) fn script(text: impl Into<String>) -> ArtifactError {
    ArtifactError::Script(text.into())
}

/// `now`, `now-PT1H`, `now+PT5M`, or an RFC 3339 time.
pub(super) fn parse_start(text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Some(rest) = t.strip_prefix("now") {
        if rest.is_empty() {
            return Some(now);
        }
        let sign = rest.chars().next()?;
        let d = crate::clock::parse_iso_duration(&rest[sign.len_utf8()..])?;
        return match sign {
            '+' => now.checked_add_signed(d),
            '-' => now.checked_sub_signed(d),
            _ => None,
        };
    }
    DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// An offset from the start (ISO 8601 duration) or an RFC 3339 time.
pub(super) fn parse_at(
    text: &str,
    start: DateTime<Utc>,
    what: &str,
) -> Result<DateTime<Utc>, ArtifactError> {
    let t = text.trim();
    if t.starts_with('P') {
        return crate::clock::parse_iso_duration(t)
            .and_then(|d| start.checked_add_signed(d))
            .ok_or_else(|| {
                script(format!(
                    "{what}: '{text}' is not an ISO 8601 duration (e.g. PT1M30S)"
                ))
            });
    }
    DateTime::parse_from_rfc3339(t)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            script(format!(
                "{what}: '{text}' is neither an offset from the start (an ISO 8601 duration such as PT5M) nor an RFC 3339 time"
            ))
        })
}

impl Playback {
    /// Plays a session of a meeting: validates the script on the server's clock, stores the
    /// session, and returns it.
    pub async fn play(
        &self,
        raw_meeting_id: &str,
        play: &PlayScript,
    ) -> Result<StoredSession, ArtifactError> {
        let meeting = self.meeting_by_id(raw_meeting_id).await?;
        let now = self.clock.now();
        let start = match &play.start {
            None => now,
            Some(text) => parse_start(text, now).ok_or_else(|| {
                script(format!(
                    "start: '{text}' is not an RFC 3339 time, 'now', or 'now-PT…' / 'now+PT…'"
                ))
            })?,
        };
        if play.participants.is_empty() {
            return Err(script(
                "participants: a session needs at least one participant",
            ));
        }
        if play.participants.len() > MAX_PARTICIPANTS {
            return Err(script(format!(
                "participants: at most {MAX_PARTICIPANTS} per session"
            )));
        }
        if play.utterances.len() > MAX_UTTERANCES {
            return Err(script(format!(
                "utterances: at most {MAX_UTTERANCES} per session"
            )));
        }
        let document = Meetings::document(&meeting)?;
        let mut attendees = Vec::with_capacity(play.participants.len());
        for (i, p) in play.participants.iter().enumerate() {
            let attendee = self.attendee(i, p, start, &meeting, &document)?;
            if attendees.iter().any(|a: &Attendee| {
                a.kind == AttendeeKind::User
                    && a.id == attendee.id
                    && attendee.kind == AttendeeKind::User
            }) {
                return Err(script(format!(
                    "participants[{i}]: {} is listed twice; give one participant several intervals instead",
                    attendee.display_name
                )));
            }
            attendees.push(attendee);
        }
        let first_join = attendees
            .iter()
            .filter_map(|a| a.intervals.first().map(|i| i.0))
            .min()
            .unwrap_or(start);
        let last_leave = attendees
            .iter()
            .filter_map(|a| a.intervals.last().map(|i| i.1))
            .max()
            .unwrap_or(start);
        if last_leave - first_join > Duration::hours(MAX_SESSION_HOURS) {
            return Err(script(format!(
                "a session lasts at most {MAX_SESSION_HOURS} hours"
            )));
        }
        attendees.sort_by_key(|a| a.intervals.first().map(|i| i.0));

        let mut utterances = Vec::with_capacity(play.utterances.len());
        for (i, u) in play.utterances.iter().enumerate() {
            let what = format!("utterances[{i}]");
            let key = u.speaker.trim().to_lowercase();
            let speaker = attendees
                .iter()
                .find(|a| a.keys.contains(&key))
                .ok_or_else(|| {
                    script(format!(
                        "{what}: the speaker '{}' is none of the participants",
                        u.speaker
                    ))
                })?;
            let at = parse_at(&u.at, start, &format!("{what}.at"))?;
            let duration = match &u.duration {
                Some(d) => crate::clock::parse_iso_duration(d)
                    .filter(|d| *d > Duration::zero())
                    .ok_or_else(|| {
                        script(format!(
                            "{what}.duration: '{d}' is not a positive ISO 8601 duration"
                        ))
                    })?,
                None => Duration::milliseconds((60 * u.text.chars().count() as i64).max(1000)),
            };
            let end = at
                .checked_add_signed(duration)
                .ok_or_else(|| script(format!("{what}: it ends past the end of time")))?;
            if u.text.trim().is_empty() {
                return Err(script(format!("{what}.text: nothing is said")));
            }
            let present = speaker
                .intervals
                .iter()
                .any(|(join, leave)| *join <= at && end <= *leave);
            if !present {
                return Err(script(format!(
                    "{what}: {} is not in the meeting from {} to {}",
                    speaker.display_name,
                    at.to_rfc3339_opts(SecondsFormat::Millis, true),
                    end.to_rfc3339_opts(SecondsFormat::Millis, true)
                )));
            }
            utterances.push(Spoken {
                speaker: speaker.display_name.clone(),
                speaker_id: speaker.id.clone(),
                start: at,
                end,
                text: u.text.trim().to_owned(),
                language: u.language.clone().unwrap_or_else(|| "en-us".to_owned()),
            });
        }
        utterances.sort_by_key(|u| u.start);

        let organizer = meeting.organizer_id;
        let meeting_guid = thread_guid(&meeting.thread_id).unwrap_or_else(Uuid::new_v4);
        let meeting_start = document
            .start_date_time
            .map(|t| t.as_utc())
            .unwrap_or(first_join);
        // Standard base64 may hold `/` and `+`, which a path segment cannot carry as they are:
        // draw again until the id has neither (a few draws at most).
        let new_artifact = |on: bool| {
            on.then(|| {
                let draw = || {
                    artifact_id(
                        organizer,
                        meeting.tenant_id,
                        meeting_start,
                        meeting_guid,
                        Uuid::new_v4(),
                    )
                };
                let mut id = draw();
                for _ in 0..64 {
                    if !id.contains(['/', '+']) {
                        break;
                    }
                    id = draw();
                }
                id
            })
        };
        let doc = SessionDocument {
            attendees,
            utterances,
            cue_prefix: Uuid::new_v4(),
        };
        let mut session = StoredSession {
            id: Uuid::new_v4(),
            tenant_id: meeting.tenant_id,
            organizer_id: organizer,
            meeting_id: meeting.id.clone(),
            call_id: Uuid::new_v4(),
            start: first_join,
            end: last_leave,
            played_at: now,
            available_at: last_leave.max(now),
            transcript_id: new_artifact(play.transcribe.unwrap_or(true)),
            recording_id: new_artifact(play.record.unwrap_or(true)),
            correlation_id: format!("{}-0", Uuid::new_v4()),
            document: serde_json::to_string(&doc)
                .map_err(|e| ArtifactError::Store(StoreError::Backend(e.to_string())))?,
            seq: 0,
        };
        session.seq = self.store.insert_session(&session).await?;
        if let Some(observer) = &self.observer {
            observer
                .session_stored(&session, &meeting.join_web_url)
                .await;
        }
        Ok(session)
    }

    pub(super) fn attendee(
        &self,
        i: usize,
        p: &PlayParticipant,
        start: DateTime<Utc>,
        meeting: &StoredMeeting,
        document: &graphmeet_wire::graph::OnlineMeeting,
    ) -> Result<Attendee, ArtifactError> {
        let what = format!("participants[{i}]");
        let given = [&p.user, &p.guest, &p.anonymous, &p.phone]
            .iter()
            .filter(|v| v.is_some())
            .count();
        if given != 1 {
            return Err(script(format!(
                "{what}: give exactly one of user, guest, anonymous and phone"
            )));
        }
        let presenters = document
            .allowed_presenters
            .unwrap_or(OnlineMeetingPresenters::Everyone);
        let everyone_presents = presenters == OnlineMeetingPresenters::Everyone;
        let (kind, id, display_name, email, tenant_id, mut role, mut keys) = if let Some(u) =
            &p.user
        {
            let user = self
                .index
                .user_in(meeting.tenant_id, &UserRef::parse(u))
                .or_else(|| self.index.user_by_upn(u))
                .or_else(|| Uuid::parse_str(u).ok().and_then(|id| self.index.user(id)))
                .ok_or_else(|| script(format!("{what}: no user '{u}' in any tenant")))?;
            let listed = document
                .participants
                .as_ref()
                .and_then(|ps| ps.attendees.as_ref())
                .and_then(|list| {
                    list.iter().find(|a| {
                        a.identity
                            .as_ref()
                            .and_then(|s| s.user.as_ref())
                            .and_then(|u| u.id.as_deref())
                            == Some(user.id.to_string().as_str())
                            || a.upn
                                .as_deref()
                                .is_some_and(|upn| upn.eq_ignore_ascii_case(&user.upn))
                    })
                })
                .and_then(|a| a.role);
            let role = if user.id == meeting.organizer_id {
                AttendanceRole::Organizer
            } else {
                match (listed, presenters) {
                    (Some(OnlineMeetingRole::Presenter | OnlineMeetingRole::Coorganizer), _) => {
                        AttendanceRole::Presenter
                    }
                    (_, OnlineMeetingPresenters::Everyone) => AttendanceRole::Presenter,
                    (_, OnlineMeetingPresenters::Organization)
                        if user.tenant_id == meeting.tenant_id =>
                    {
                        AttendanceRole::Presenter
                    }
                    _ => AttendanceRole::Attendee,
                }
            };
            (
                AttendeeKind::User,
                user.id.to_string(),
                user.display_name.clone(),
                Some(user.upn.clone()),
                Some(user.tenant_id),
                role,
                vec![user.id.to_string(), user.upn.to_lowercase()],
            )
        } else if let Some(name) = p.guest.as_ref().or(p.anonymous.as_ref()) {
            if name.trim().is_empty() {
                return Err(script(format!("{what}: the name is empty")));
            }
            let kind = if p.guest.is_some() {
                AttendeeKind::Guest
            } else {
                AttendeeKind::Anonymous
            };
            let role = if everyone_presents {
                AttendanceRole::Presenter
            } else {
                AttendanceRole::Attendee
            };
            let mut keys = vec![name.trim().to_lowercase()];
            if let Some(email) = &p.email {
                keys.push(email.trim().to_lowercase());
            }
            (
                kind,
                Uuid::new_v4().to_string(),
                name.trim().to_owned(),
                if kind == AttendeeKind::Guest {
                    p.email.clone()
                } else {
                    None
                },
                None,
                role,
                keys,
            )
        } else {
            let number = p.phone.clone().unwrap_or_default();
            let digits = number.trim_start_matches('+');
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(script(format!(
                    "{what}: phone '{number}' is not a phone number (E.164, e.g. +14255550100)"
                )));
            }
            (
                AttendeeKind::Phone,
                Uuid::new_v4().to_string(),
                number.clone(),
                None,
                None,
                AttendanceRole::Attendee,
                vec![number.to_lowercase()],
            )
        };
        if p.email.is_some() && kind != AttendeeKind::Guest {
            return Err(script(format!("{what}: only a guest takes an email")));
        }
        if let Some(r) = &p.role {
            role = AttendanceRole::parse(r).ok_or_else(|| {
                script(format!(
                    "{what}.role: '{r}' is none of None, Attendee, Presenter, Organizer"
                ))
            })?;
        }
        keys.push(display_name.to_lowercase());
        let periods: Vec<(String, String)> = match (&p.intervals, &p.leave) {
            (Some(_), Some(_)) => {
                return Err(script(format!(
                    "{what}: give intervals or join/leave, not both"
                )))
            }
            (Some(list), None) => {
                if p.join.is_some() {
                    return Err(script(format!(
                        "{what}: give intervals or join/leave, not both"
                    )));
                }
                list.iter()
                    .map(|i| (i.join.clone(), i.leave.clone()))
                    .collect()
            }
            (None, Some(leave)) => vec![(
                p.join.clone().unwrap_or_else(|| "PT0S".to_owned()),
                leave.clone(),
            )],
            (None, None) => return Err(script(format!("{what}: when do they leave? (leave)"))),
        };
        if periods.is_empty() {
            return Err(script(format!("{what}: intervals is empty")));
        }
        let mut intervals = Vec::with_capacity(periods.len());
        for (n, (join, leave)) in periods.iter().enumerate() {
            let join = parse_at(join, start, &format!("{what} interval {n} join"))?;
            let leave = parse_at(leave, start, &format!("{what} interval {n} leave"))?;
            if leave <= join {
                return Err(script(format!(
                    "{what}: interval {n} ends before it begins"
                )));
            }
            if intervals
                .last()
                .is_some_and(|(_, prev): &(DateTime<Utc>, DateTime<Utc>)| join < *prev)
            {
                return Err(script(format!(
                    "{what}: interval {n} begins before the one before it ended"
                )));
            }
            intervals.push((join, leave));
        }
        Ok(Attendee {
            kind,
            id,
            display_name,
            email,
            tenant_id,
            role,
            intervals,
            keys,
        })
    }
}

impl Playback {
    /// A seed's meetings (`[[tenant.meeting]]`): each made with createOrGet by its organizer
    /// and external id, then played as its `[[tenant.meeting.play]]` entries say when it has no
    /// session yet, so applying the seed again changes nothing. `None` when the seed has no
    /// meeting. Run after the directory part of the seed.
    pub async fn apply_seed(
        &self,
        seed: &Seed,
        meetings: &Meetings,
    ) -> Result<Option<SeedPlayed>, crate::seed::SeedError> {
        use crate::directory::DirectoryError;
        if seed.tenants.iter().all(|t| t.meetings.is_empty()) {
            return Ok(None);
        }
        let mut played = SeedPlayed::default();
        for t in &seed.tenants {
            let name = t.domain.clone().unwrap_or_else(|| t.name.clone());
            let fail = |what: String, error: DirectoryError| crate::seed::SeedError {
                at: format!("tenant {name}, {what}"),
                error,
            };
            if t.meetings.is_empty() {
                continue;
            }
            let domain = t
                .domain
                .clone()
                .unwrap_or_else(|| crate::directory::default_domain(&t.name));
            let tenant =
                t.id.and_then(|id| self.index.tenant(id))
                    .or_else(|| self.index.tenant_by_domain(&domain))
                    .ok_or_else(|| {
                        fail(
                            "meetings".into(),
                            DirectoryError::NotFound(format!("tenant {name}")),
                        )
                    })?;
            for m in &t.meetings {
                let what = format!("meeting {}", m.external_id);
                let user = self
                    .index
                    .user_in(tenant.id, &UserRef::parse(&m.organizer))
                    .ok_or_else(|| {
                        fail(
                            what.clone(),
                            DirectoryError::NotFound(format!("organizer {}", m.organizer)),
                        )
                    })?;
                let org = Organizer::by_administrator(
                    std::sync::Arc::clone(&user),
                    std::sync::Arc::clone(&tenant),
                )
                .ok_or_else(|| {
                    fail(
                        what.clone(),
                        DirectoryError::Invalid("the organizer is not of the tenant".into()),
                    )
                })?;
                let mut body = serde_json::json!({ "externalId": m.external_id });
                for (key, value) in [
                    ("subject", &m.subject),
                    ("startDateTime", &m.start),
                    ("endDateTime", &m.end),
                ] {
                    if let Some(v) = value {
                        body[key] = serde_json::Value::String(v.clone());
                    }
                }
                let input = graphmeet_wire::graph::parse_create_or_get(
                    body.to_string().as_bytes(),
                    graphmeet_wire::graph::ApiVersion::V1,
                )
                .map_err(|e| {
                    fail(
                        what.clone(),
                        DirectoryError::Invalid(e.to_graph_error().message),
                    )
                })?;
                let (meeting, created) = meetings
                    .create_or_get(&org, input)
                    .await
                    .map_err(|e| fail(what.clone(), DirectoryError::Invalid(e.to_string())))?;
                if created {
                    played.meetings_created += 1;
                } else {
                    played.meetings_unchanged += 1;
                }
                let id = meeting.id.clone().unwrap_or_default();
                let sessions = self
                    .store
                    .meeting_sessions(tenant.id, &id)
                    .await
                    .map_err(|e| fail(what.clone(), e.into()))?;
                if !sessions.is_empty() {
                    continue;
                }
                for (n, script) in m.play.iter().enumerate() {
                    self.play(&id, script).await.map_err(|e| {
                        fail(
                            format!("{what}, play {n}"),
                            match e {
                                ArtifactError::Script(text) => DirectoryError::Invalid(text),
                                ArtifactError::Store(e) => e.into(),
                                other => DirectoryError::Invalid(other.to_string()),
                            },
                        )
                    })?;
                    played.sessions += 1;
                }
            }
        }
        Ok(Some(played))
    }
}
