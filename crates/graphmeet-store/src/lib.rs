//! graphmeet's [`Store`](graphmeet_core::Store) on SQLite and PostgreSQL.
//!
//! There is one implementation, [`SqlStore`], written once against sqlx's `Any` driver: the SQL
//! is shared, and only the migrations (`migrations/sqlite`, `migrations/postgres`) differ in type
//! names. Values cross the driver as the types both backends support: UUIDs as lower-case
//! hyphenated `TEXT`, timestamps as `BIGINT` unix microseconds, booleans as `0`/`1`, DER as bytes.
//!
//! Invariants are database constraints (unique domains, UPNs, certificate thumbprints per app,
//! one service principal per tenant and app, single-use assertion ids, one live access policy
//! per name and tenant, one live listing per policy and app, one live grant per target, unique
//! meeting ids, thread ids, join URLs, joinMeetingIds per tenant and createOrGet keys), and
//! every method of the trait is one statement or one transaction.
//!
//! Access policies, their apps and their grants keep their history: nothing is deleted, rows get
//! an end time, and partial unique indexes (`WHERE removed_at IS NULL`) constrain the live ones.

mod artifacts;
mod checkpoint;
mod codec;
mod error;
mod events;
mod exchange;
mod inline;
mod listing;
mod reads;
mod sql;
mod sqlite_writer;
mod subscriptions;
pub mod testing;

use graphmeet_core::StoreError;
use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;
use sqlx::Executor;
use std::sync::Once;

pub use testing::TestDatabase;

/// The database behind a [`SqlStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// SQLite, from a `sqlite:` URL.
    Sqlite,
    /// PostgreSQL, from a `postgres:` or `postgresql:` URL.
    Postgres,
}

impl Backend {
    /// The backend a database URL selects, if graphmeet supports it.
    pub fn from_url(url: &str) -> Option<Backend> {
        let scheme = url.split_once(':')?.0.to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" | "postgresql" => Some(Backend::Postgres),
            _ => None,
        }
    }

    /// A short lower-case name: `sqlite` or `postgres`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The SQLite and PostgreSQL [`Store`](graphmeet_core::Store). Cloning is cheap and shares
/// the connection pool.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
    /// The URL connected to, for the PostgreSQL change listener's own connection.
    url: String,
    /// On a SQLite file, the meeting lookups of the request path read on the caller's thread.
    inline: Option<std::sync::Arc<inline::InlineReader>>,
    /// On a SQLite file, the thread that checkpoints its WAL.
    checkpointer: Option<std::sync::Arc<checkpoint::Checkpointer>>,
    /// On a SQLite file, the thread and connection that write meeting and audit batches.
    batch_writer: Option<std::sync::Arc<sqlite_writer::SqliteWriter>>,
    /// On PostgreSQL, the task that gathers concurrent reads of meeting revisions.
    revision_reads: Option<reads::RevisionReads>,
}

/// Wakes when any instance sharing the database changes the directory (PostgreSQL
/// `LISTEN/NOTIFY` on the schema's channel). Notifications only wake: the change log is what
/// is read, so a missed one costs a poll interval, never a change.
pub struct DirectoryListener {
    listener: sqlx::postgres::PgListener,
}

impl DirectoryListener {
    /// Waits for the next notification; an error means the connection was lost (the caller
    /// polls and makes a new listener).
    pub async fn recv(&mut self) -> Result<(), StoreError> {
        self.listener.recv().await.map_err(error::from_sqlx)?;
        // Drain what else is pending: one catch-up serves them all.
        while self.listener.next_buffered().is_some() {}
        Ok(())
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Registers sqlx's SQLite and PostgreSQL drivers with the `Any` driver, once per process.
pub(crate) fn install_drivers() {
    static DRIVERS: Once = Once::new();
    DRIVERS.call_once(sqlx::any::install_default_drivers);
}

impl SqlStore {
    /// Connects to `url` and brings its schema up to date.
    ///
    /// `url` is `sqlite://PATH` or `sqlite:PATH` (the file is created when missing, unless the
    /// URL sets a `mode`), or `postgres://…` / `postgresql://…`. SQLite connections run in WAL
    /// mode with foreign keys enforced and a 5 s busy timeout, with `synchronous = NORMAL`
    /// (commits are not fsynced one by one; the WAL is, by the checkpoints a thread of the
    /// store runs every 250 ms) unless the URL says `synchronous=full` (every commit fsynced):
    /// docs/durability.md says what each survives.
    pub async fn connect(url: &str) -> Result<SqlStore, StoreError> {
        let backend = Backend::from_url(url).ok_or_else(|| {
            StoreError::Backend(format!(
                "unsupported database URL {:?}: expected sqlite: or postgres:",
                redact(url)
            ))
        })?;
        install_drivers();

        let mut options = AnyPoolOptions::new().max_connections(10);
        let mut file = None;
        let mut synchronous = Synchronous::Normal;
        let url = match backend {
            Backend::Sqlite => {
                let (url, chosen) = take_synchronous(url)?;
                synchronous = chosen;
                let url = sqlite_url(&url);
                file = make_sqlite_files_private(&url)?;
                // Checkpoints are the checkpointer thread's, off the commit path; an in-memory
                // database has no WAL.
                let autocheckpoint = if file.is_some() {
                    "PRAGMA wal_autocheckpoint = 0"
                } else {
                    "PRAGMA wal_autocheckpoint = 1000"
                };
                let journal_size_limit =
                    format!("PRAGMA journal_size_limit = {}", checkpoint::WAL_SIZE_LIMIT);
                // A connection to a local file does not go stale: testing each one before use
                // costs a round trip to its worker thread per query.
                options = options
                    .test_before_acquire(false)
                    .after_connect(move |conn, _meta| {
                        let journal_size_limit = journal_size_limit.clone();
                        Box::pin(async move {
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute(synchronous.pragma()).await?;
                            conn.execute(autocheckpoint).await?;
                            conn.execute(journal_size_limit.as_str()).await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            conn.execute("PRAGMA busy_timeout = 5000").await?;
                            // Statement journals in memory, as the batch writer keeps them
                            // (sqlite_writer.rs): a statement over a ~4 KB document outgrows
                            // the 64 KiB in-memory limit and would make a temporary file.
                            conn.execute("PRAGMA temp_store = MEMORY").await?;
                            Ok(())
                        })
                    });
                url
            }
            Backend::Postgres => url.to_owned(),
        };

        let pool = options.connect(&url).await.map_err(error::from_sqlx)?;
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        if let Err(e) = migrator.run(&pool).await {
            pool.close().await;
            return Err(StoreError::Backend(format!(
                "migrating the database failed: {e}"
            )));
        }
        let batch_writer = match &file {
            Some(path) => match sqlite_writer::SqliteWriter::start(path, synchronous) {
                Ok(writer) => Some(std::sync::Arc::new(writer)),
                Err(e) => {
                    pool.close().await;
                    return Err(e);
                }
            },
            None => None,
        };
        let checkpointer = match (&file, &batch_writer) {
            (Some(path), Some(writer)) => match checkpoint::Checkpointer::start(
                path.clone(),
                std::sync::Arc::downgrade(writer),
            ) {
                Ok(checkpointer) => Some(std::sync::Arc::new(checkpointer)),
                Err(e) => {
                    pool.close().await;
                    return Err(StoreError::Backend(format!(
                        "starting the WAL checkpointer failed: {e}"
                    )));
                }
            },
            // An in-memory database: no WAL, and no batch writer.
            _ => None,
        };
        let inline = file.map(|path| std::sync::Arc::new(inline::InlineReader::new(path)));
        let revision_reads =
            (backend == Backend::Postgres).then(|| reads::RevisionReads::start(pool.clone()));
        tracing::debug!(backend = backend.name(), "store connected");
        Ok(SqlStore {
            pool,
            backend,
            url,
            inline,
            checkpointer,
            batch_writer,
            revision_reads,
        })
    }

    /// Which database this store runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A listener for directory changes made by any instance: `None` on SQLite, where instances
    /// rely on polling the change log.
    pub async fn directory_listener(&self) -> Result<Option<DirectoryListener>, StoreError> {
        if self.backend != Backend::Postgres {
            return Ok(None);
        }
        let mut listener = sqlx::postgres::PgListener::connect(&self.url)
            .await
            .map_err(error::from_sqlx)?;
        let schema: String = sqlx::query_scalar("SELECT CAST(current_schema() AS TEXT)")
            .fetch_one(&self.pool)
            .await
            .map_err(error::from_sqlx)?;
        listener
            .listen(&format!("graphmeet_directory_{schema}"))
            .await
            .map_err(error::from_sqlx)?;
        Ok(Some(DirectoryListener { listener }))
    }

    /// Closes every connection; waits for checked-out connections to come back. Further calls
    /// on the store fail.
    pub async fn close(&self) {
        if let Some(inline) = &self.inline {
            inline.close();
        }
        if let Some(writer) = &self.batch_writer {
            writer.close().await;
        }
        self.pool.close().await;
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.stop();
        }
    }
}

/// How SQLite syncs commits: `synchronous=normal|full` in the URL, normal by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Synchronous {
    /// A commit is durable once the checkpointer has synced the WAL (a process crash loses
    /// nothing committed; a power cut, about the last checkpoint interval).
    Normal,
    /// Every commit is fsynced before it returns.
    Full,
}

impl Synchronous {
    pub(crate) fn pragma(self) -> &'static str {
        match self {
            Synchronous::Normal => "PRAGMA synchronous = NORMAL",
            Synchronous::Full => "PRAGMA synchronous = FULL",
        }
    }
}

/// Takes graphmeet's own `synchronous` parameter out of a SQLite URL (sqlx refuses parameters
/// it does not know).
fn take_synchronous(url: &str) -> Result<(String, Synchronous), StoreError> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_owned(), Synchronous::Normal));
    };
    let mut synchronous = Synchronous::Normal;
    let mut kept = Vec::new();
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some((key, value)) if key.eq_ignore_ascii_case("synchronous") => {
                synchronous = match value.to_ascii_lowercase().as_str() {
                    "normal" => Synchronous::Normal,
                    "full" => Synchronous::Full,
                    other => {
                        return Err(StoreError::Backend(format!(
                            "the SQLite URL's synchronous={other}: expected normal or full"
                        )))
                    }
                };
            }
            _ => kept.push(pair),
        }
    }
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((url, synchronous))
}

/// A SQLite URL that creates the database file when missing, unless the caller chose a mode.
fn sqlite_url(url: &str) -> String {
    let (_, query) = url.split_once('?').unwrap_or((url, ""));
    let has_mode = query.split('&').any(|pair| pair.starts_with("mode="));
    if has_mode || url.contains(":memory:") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// Creates a SQLite database file only its owner may read (0600) before SQLite does (SQLite
/// gives its `-wal` and `-shm` files the database file's mode), and narrows existing ones.
/// Returns the file's path, or `None` for an in-memory database.
fn make_sqlite_files_private(url: &str) -> Result<Option<std::path::PathBuf>, StoreError> {
    use std::str::FromStr;
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(url).map_err(error::from_sqlx)?;
    let path = options.get_filename();
    if path.as_os_str().is_empty() || path.as_os_str() == ":memory:" || url.contains("mode=memory")
    {
        return Ok(None);
    }
    let failed = |what: &str, e: std::io::Error| {
        StoreError::Backend(format!("{what} {}: {e}", path.display()))
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if !path.exists() && url.contains("mode=rwc") {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
            {
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(failed("creating", e)),
            }
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut file = path.as_os_str().to_owned();
            file.push(suffix);
            let file = std::path::Path::new(&file);
            let Ok(meta) = std::fs::metadata(file) else {
                continue;
            };
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))
                    .map_err(|e| failed("making private", e))?;
                tracing::info!(file = %file.display(), was = format!("{mode:04o}"), "made the database file readable by its owner only");
            }
        }
    }
    #[cfg(not(unix))]
    let _ = failed;
    Ok(Some(path.to_path_buf()))
}

/// The URL without its password, for error messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(start), Some(at)) if at > start => {
            let userinfo = &url[start + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..start + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_create_the_file_unless_a_mode_is_given() {
        assert_eq!(sqlite_url("sqlite:/tmp/a.db"), "sqlite:/tmp/a.db?mode=rwc");
        assert_eq!(
            sqlite_url("sqlite:///tmp/a.db"),
            "sqlite:///tmp/a.db?mode=rwc"
        );
        assert_eq!(
            sqlite_url("sqlite:a.db?cache=shared"),
            "sqlite:a.db?cache=shared&mode=rwc"
        );
        assert_eq!(sqlite_url("sqlite:a.db?mode=ro"), "sqlite:a.db?mode=ro");
    }

    #[test]
    fn sqlite_urls_may_choose_full_synchronous_commits() {
        assert_eq!(
            take_synchronous("sqlite:a.db").unwrap(),
            ("sqlite:a.db".to_owned(), Synchronous::Normal)
        );
        assert_eq!(
            take_synchronous("sqlite:a.db?synchronous=full").unwrap(),
            ("sqlite:a.db".to_owned(), Synchronous::Full)
        );
        assert_eq!(
            take_synchronous("sqlite:a.db?mode=rwc&synchronous=FULL&cache=shared").unwrap(),
            (
                "sqlite:a.db?mode=rwc&cache=shared".to_owned(),
                Synchronous::Full
            )
        );
        assert!(take_synchronous("sqlite:a.db?synchronous=off").is_err());
    }

    #[test]
    fn backends_come_from_the_url_scheme() {
        assert_eq!(Backend::from_url("sqlite:x.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::from_url("SQLite://x.db"), Some(Backend::Sqlite));
        assert_eq!(
            Backend::from_url("postgres://u@h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(
            Backend::from_url("postgresql://u@h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(Backend::from_url("mysql://u@h/db"), None);
        assert_eq!(Backend::from_url("nonsense"), None);
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
