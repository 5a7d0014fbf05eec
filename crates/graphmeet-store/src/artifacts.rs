//! [`ArtifactStore`] for [`SqlStore`]: played meeting sessions and tenants' meeting
//! configuration, one SQL for SQLite and PostgreSQL (tables in the `20250301000000`
//! migrations).

use async_trait::async_trait;
use graphmeet_core::playback::{
    ArtifactKind, ArtifactStore, MeetingConfiguration, OrganizerSessions, StoredSession,
};
use graphmeet_core::StoreError;
use sqlx::any::AnyRow;
use sqlx::Row;
use uuid::Uuid;

use crate::codec::{flag, id, micros, RowExt};
use crate::error::SqlxResultExt;
use crate::SqlStore;

const SESSION_COLUMNS: &str = "SELECT seq, id, tenant_id, organizer_id, meeting_id, call_id, \
     start_at, end_at, played_at, available_at, transcript_id, recording_id, correlation_id, \
     document FROM meeting_sessions";

fn session(row: &AnyRow) -> Result<StoredSession, StoreError> {
    Ok(StoredSession {
        seq: row.try_get::<i64, _>("seq").db()?,
        id: row.uuid("id")?,
        tenant_id: row.uuid("tenant_id")?,
        organizer_id: row.uuid("organizer_id")?,
        meeting_id: row.text("meeting_id")?,
        call_id: row.uuid("call_id")?,
        start: row.time("start_at")?,
        end: row.time("end_at")?,
        played_at: row.time("played_at")?,
        available_at: row.time("available_at")?,
        transcript_id: row.opt_text("transcript_id")?,
        recording_id: row.opt_text("recording_id")?,
        correlation_id: row.text("correlation_id")?,
        document: row.text("document")?,
    })
}

#[async_trait]
impl ArtifactStore for SqlStore {
    async fn insert_session(&self, s: &StoredSession) -> Result<i64, StoreError> {
        // The meeting must be the tenant's: the foreign key finds it by id alone.
        let row = sqlx::query(
            "INSERT INTO meeting_sessions (id, tenant_id, organizer_id, meeting_id, call_id, \
             start_at, end_at, played_at, available_at, transcript_id, recording_id, \
             correlation_id, document) \
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 \
             WHERE EXISTS (SELECT 1 FROM meetings WHERE id = $4 AND tenant_id = $2) \
             RETURNING seq",
        )
        .bind(id(s.id))
        .bind(id(s.tenant_id))
        .bind(id(s.organizer_id))
        .bind(&s.meeting_id)
        .bind(id(s.call_id))
        .bind(micros(s.start))
        .bind(micros(s.end))
        .bind(micros(s.played_at))
        .bind(micros(s.available_at))
        .bind(s.transcript_id.as_deref())
        .bind(s.recording_id.as_deref())
        .bind(&s.correlation_id)
        .bind(&s.document)
        .fetch_optional(&self.pool)
        .await
        .db()?;
        match row {
            Some(row) => row.try_get::<i64, _>("seq").db(),
            None => Err(StoreError::NotFound("meeting")),
        }
    }

    async fn meeting_sessions(
        &self,
        tenant_id: Uuid,
        meeting_id: &str,
    ) -> Result<Vec<StoredSession>, StoreError> {
        let rows = sqlx::query(&format!(
            "{SESSION_COLUMNS} WHERE tenant_id = $1 AND meeting_id = $2 ORDER BY available_at, seq"
        ))
        .bind(id(tenant_id))
        .bind(meeting_id)
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.iter().map(session).collect()
    }

    async fn organizer_sessions(
        &self,
        q: &OrganizerSessions,
    ) -> Result<Vec<StoredSession>, StoreError> {
        let kind = match q.kind {
            ArtifactKind::Transcript => "transcript_id IS NOT NULL",
            ArtifactKind::Recording => "recording_id IS NOT NULL",
        };
        // Absent bounds are the widest ones, so that one statement serves every query.
        let (after_at, after_seq) = q
            .after
            .map(|c| (micros(c.available_at), c.seq))
            .unwrap_or((i64::MIN, i64::MIN));
        let rows = sqlx::query(&format!(
            "{SESSION_COLUMNS} WHERE tenant_id = $1 AND organizer_id = $2 AND {kind} \
             AND start_at >= $3 AND start_at <= $4 AND available_at <= $5 \
             AND (available_at > $6 OR (available_at = $6 AND seq > $7)) \
             ORDER BY available_at, seq LIMIT $8"
        ))
        .bind(id(q.tenant_id))
        .bind(id(q.organizer_id))
        .bind(q.created_from.map(micros).unwrap_or(i64::MIN))
        .bind(q.created_to.map(micros).unwrap_or(i64::MAX))
        .bind(micros(q.available_by))
        .bind(after_at)
        .bind(after_seq)
        .bind(i64::try_from(q.limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.iter().map(session).collect()
    }

    async fn meeting_configuration(
        &self,
        tenant_id: Uuid,
    ) -> Result<MeetingConfiguration, StoreError> {
        let row = sqlx::query(
            "SELECT graph_transcript_access, attributed_transcripts \
             FROM tenant_meeting_configuration WHERE tenant_id = $1",
        )
        .bind(id(tenant_id))
        .fetch_optional(&self.pool)
        .await
        .db()?;
        match row {
            Some(row) => Ok(MeetingConfiguration {
                graph_transcript_access: row.flag("graph_transcript_access")?,
                attributed_transcripts: row.flag("attributed_transcripts")?,
            }),
            None => Ok(MeetingConfiguration::default()),
        }
    }

    async fn set_meeting_configuration(
        &self,
        tenant_id: Uuid,
        c: &MeetingConfiguration,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO tenant_meeting_configuration \
             (tenant_id, graph_transcript_access, attributed_transcripts) VALUES ($1, $2, $3) \
             ON CONFLICT (tenant_id) DO UPDATE SET \
             graph_transcript_access = excluded.graph_transcript_access, \
             attributed_transcripts = excluded.attributed_transcripts",
        )
        .bind(id(tenant_id))
        .bind(flag(c.graph_transcript_access))
        .bind(flag(c.attributed_transcripts))
        .execute(&self.pool)
        .await
        .db()?;
        Ok(())
    }
}
