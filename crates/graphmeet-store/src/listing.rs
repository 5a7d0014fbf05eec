//! The admin console's list of an organizer's meetings: newest first, paged by a
//! `(created_at, id)` cursor, optionally narrowed by a text of the stored document (the
//! organizer index bounds the rows read to that organizer's).

use crate::codec::{id, micros};
use crate::error::SqlxResultExt;
use crate::sql::{stored_meeting, MEETING_COLUMNS};
use crate::SqlStore;
use graphmeet_core::store::OrganizerMeetingsQuery;
use graphmeet_core::{StoreError, StoredMeeting};

/// `text` as a `LIKE … ESCAPE '\'` pattern that matches it anywhere.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

impl SqlStore {
    pub(crate) async fn organizer_meetings(
        &self,
        query: &OrganizerMeetingsQuery,
    ) -> Result<Vec<StoredMeeting>, StoreError> {
        let mut sql = format!("{MEETING_COLUMNS} WHERE tenant_id = $1 AND organizer_id = $2");
        let mut next = 3;
        if query.document_contains.is_some() {
            sql.push_str(&format!(" AND LOWER(document) LIKE ${next} ESCAPE '\\'"));
            next += 1;
        }
        if query.before.is_some() {
            sql.push_str(&format!(
                " AND (created_at < ${next} OR (created_at = ${next} AND id < ${}))",
                next + 1
            ));
        }
        sql.push_str(&format!(
            " ORDER BY created_at DESC, id DESC LIMIT {}",
            query.limit.clamp(1, 1000)
        ));
        let mut q = sqlx::query(&sql)
            .bind(id(query.tenant_id))
            .bind(id(query.organizer_id));
        if let Some(text) = &query.document_contains {
            q = q.bind(contains_pattern(&text.to_ascii_lowercase()));
        }
        if let Some((at, meeting)) = &query.before {
            q = q.bind(micros(*at)).bind(meeting.as_str());
        }
        let rows = q.fetch_all(&self.pool).await.db()?;
        rows.iter().map(stored_meeting).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn like_metacharacters_are_escaped() {
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}
