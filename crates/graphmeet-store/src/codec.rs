//! How values cross the `Any` driver: UUIDs as lower-case hyphenated text, times as unix
//! microseconds, booleans as 0/1.

use chrono::{DateTime, Utc};
use graphmeet_core::StoreError;
use sqlx::any::AnyRow;
use sqlx::Row;
use uuid::Uuid;

use crate::error::SqlxResultExt;

/// A UUID as stored: lower-case, hyphenated.
pub(crate) fn id(u: Uuid) -> String {
    u.hyphenated().to_string()
}

/// A time as stored: unix microseconds (sub-microsecond precision is dropped).
pub(crate) fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// A boolean as stored.
pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}

/// A list position as stored.
pub(crate) fn ordinal(i: usize) -> i64 {
    i64::try_from(i).unwrap_or(i64::MAX)
}

/// Typed reads of a result row; a malformed value is a [`StoreError::Backend`].
pub(crate) trait RowExt {
    /// A text column.
    fn text(&self, col: &str) -> Result<String, StoreError>;
    /// A nullable text column.
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError>;
    /// A UUID column.
    fn uuid(&self, col: &str) -> Result<Uuid, StoreError>;
    /// A timestamp column.
    fn time(&self, col: &str) -> Result<DateTime<Utc>, StoreError>;
    /// A nullable timestamp column.
    fn opt_time(&self, col: &str) -> Result<Option<DateTime<Utc>>, StoreError>;
    /// A boolean column.
    fn flag(&self, col: &str) -> Result<bool, StoreError>;
    /// A bytes column.
    fn bytes(&self, col: &str) -> Result<Vec<u8>, StoreError>;
}

impl RowExt for AnyRow {
    fn text(&self, col: &str) -> Result<String, StoreError> {
        self.try_get::<String, _>(col).db()
    }

    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError> {
        self.try_get::<Option<String>, _>(col).db()
    }

    fn uuid(&self, col: &str) -> Result<Uuid, StoreError> {
        let text = self.text(col)?;
        Uuid::parse_str(&text).map_err(|e| {
            StoreError::Backend(format!("column {col} holds {text:?}, not a UUID: {e}"))
        })
    }

    fn time(&self, col: &str) -> Result<DateTime<Utc>, StoreError> {
        to_time(col, self.try_get::<i64, _>(col).db()?)
    }

    fn opt_time(&self, col: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.try_get::<Option<i64>, _>(col)
            .db()?
            .map(|us| to_time(col, us))
            .transpose()
    }

    fn flag(&self, col: &str) -> Result<bool, StoreError> {
        Ok(self.try_get::<i64, _>(col).db()? != 0)
    }

    fn bytes(&self, col: &str) -> Result<Vec<u8>, StoreError> {
        self.try_get::<Vec<u8>, _>(col).db()
    }
}

fn to_time(col: &str, us: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_micros(us)
        .ok_or_else(|| StoreError::Backend(format!("column {col} holds {us}, not a time")))
}
