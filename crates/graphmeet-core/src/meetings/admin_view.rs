//! The administrator's view of meetings, for the admin console: an organizer's meetings
//! (newest first, searchable by subject) and a tenant's meeting by `joinMeetingId` or
//! `joinWebUrl`. The admin key is the authority here, as for the admin API's deletions; no
//! Graph call reaches these (they need an [`Organizer`](super::Organizer)).

use super::{parse_document, MeetingError, Meetings};
use crate::model::StoredMeeting;
use crate::store::OrganizerMeetingsQuery;
use chrono::{DateTime, Utc};
use graphmeet_wire::graph::meeting::OnlineMeeting;
use uuid::Uuid;

/// How many stored meetings one page's subject search reads at most before it stops (and
/// offers the next page from where it stopped).
const SEARCH_READ_LIMIT: usize = 2_000;

/// A page of an organizer's meetings.
#[derive(Debug, Clone)]
pub struct MeetingsPage {
    /// The meetings, with their resources, newest first.
    pub meetings: Vec<(StoredMeeting, OnlineMeeting)>,
    /// Where the next page starts, when there may be more.
    pub next: Option<(DateTime<Utc>, String)>,
}

impl Meetings {
    /// Up to `limit` of an organizer's meetings before `before`, newest first; with `subject`,
    /// only those whose subject contains it, ignoring case.
    pub async fn organizer_page(
        &self,
        tenant_id: Uuid,
        organizer_id: Uuid,
        subject: Option<&str>,
        before: Option<(DateTime<Utc>, String)>,
        limit: usize,
    ) -> Result<MeetingsPage, MeetingError> {
        let needle = subject
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty());
        let batch = (limit.max(1) + 1).min(500);
        let mut cursor = before;
        let mut found = Vec::new();
        let mut read = 0;
        loop {
            let rows = self
                .store
                .list_organizer_meetings(&OrganizerMeetingsQuery {
                    tenant_id,
                    organizer_id,
                    // The document holds the subject as JSON text; the exact check is below.
                    document_contains: needle.as_ref().map(|n| {
                        serde_json::to_string(n)
                            .map(|quoted| quoted.trim_matches('"').to_owned())
                            .unwrap_or_else(|_| n.clone())
                    }),
                    before: cursor.clone(),
                    limit: batch as u32,
                })
                .await?;
            let exhausted = rows.len() < batch;
            for stored in rows {
                read += 1;
                cursor = Some((stored.created_at, stored.id.clone()));
                let meeting = parse_document(&stored)?;
                let keep = needle.as_ref().is_none_or(|n| {
                    meeting
                        .subject
                        .as_deref()
                        .is_some_and(|s| s.to_lowercase().contains(n))
                });
                if keep {
                    if found.len() == limit {
                        // One more match exists: the next page starts after the last shown.
                        let next = found.last().map(|(m, _): &(StoredMeeting, OnlineMeeting)| {
                            (m.created_at, m.id.clone())
                        });
                        return Ok(MeetingsPage {
                            meetings: found,
                            next,
                        });
                    }
                    found.push((stored, meeting));
                }
            }
            if exhausted {
                return Ok(MeetingsPage {
                    meetings: found,
                    next: None,
                });
            }
            if read >= SEARCH_READ_LIMIT {
                return Ok(MeetingsPage {
                    meetings: found,
                    next: cursor,
                });
            }
        }
    }

    /// A tenant's meeting by its numeric `joinMeetingId`, whoever organizes it.
    pub async fn by_join_meeting_id(
        &self,
        tenant_id: Uuid,
        join_meeting_id: &str,
    ) -> Result<Option<(StoredMeeting, OnlineMeeting)>, MeetingError> {
        let found = self
            .store
            .find_meeting_by_join_meeting_id(tenant_id, join_meeting_id.trim())
            .await?;
        found
            .map(|m| parse_document(&m).map(|d| (m, d)))
            .transpose()
    }

    /// A tenant's meeting by its `joinWebUrl` (in any of the forms Graph's `$filter` accepts).
    pub async fn by_join_web_url(
        &self,
        tenant_id: Uuid,
        join_web_url: &str,
    ) -> Result<Option<(StoredMeeting, OnlineMeeting)>, MeetingError> {
        for candidate in graphmeet_wire::graph::join_web_url_candidates(join_web_url.trim()) {
            if let Some(m) = self
                .store
                .find_meeting_by_join_web_url(tenant_id, &candidate)
                .await?
            {
                let d = parse_document(&m)?;
                return Ok(Some((m, d)));
            }
        }
        Ok(None)
    }

    /// A tenant's meeting by its Graph id.
    pub async fn by_id(
        &self,
        tenant_id: Uuid,
        id: &str,
    ) -> Result<Option<(StoredMeeting, OnlineMeeting)>, MeetingError> {
        let found = self.store.get_meeting(tenant_id, id).await?;
        found
            .map(|m| parse_document(&m).map(|d| (m, d)))
            .transpose()
    }
}
