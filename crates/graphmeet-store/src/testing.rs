//! Throwaway databases for test suites, this crate's and other crates'.
//!
//! ```no_run
//! # async fn example(dir: &std::path::Path) -> Result<(), graphmeet_core::StoreError> {
//! use graphmeet_store::TestDatabase;
//!
//! let mut databases = vec![TestDatabase::sqlite(dir)];
//! databases.extend(TestDatabase::postgres().await);
//! for db in databases {
//!     let store = db.connect().await?;
//!     // … exercise `store` …
//!     store.close().await;
//!     db.cleanup().await?;
//! }
//! # Ok(())
//! # }
//! ```
//!
//! PostgreSQL runs only when `GRAPHMEET_TEST_POSTGRES_URL` names a server, e.g.
//! `postgres://postgres@127.0.0.1:5432/test`; each [`TestDatabase::postgres`] gets a schema of
//! its own there, so tests run in parallel without seeing each other's rows.

use std::path::{Path, PathBuf};
use std::sync::Once;

use graphmeet_core::StoreError;
use sqlx::{Connection, Executor};
use uuid::Uuid;

use crate::error::SqlxResultExt;
use crate::{install_drivers, Backend, SqlStore};

/// The environment variable naming the PostgreSQL server tests may use.
pub const POSTGRES_URL_VAR: &str = "GRAPHMEET_TEST_POSTGRES_URL";

/// A database of its own for one test: a fresh SQLite file, or a fresh schema in the
/// PostgreSQL database named by [`POSTGRES_URL_VAR`]. Remove it with [`TestDatabase::cleanup`].
#[derive(Debug)]
pub struct TestDatabase {
    /// The URL to hand to [`SqlStore::connect`].
    pub url: String,
    place: Place,
}

#[derive(Debug)]
enum Place {
    SqliteFile(PathBuf),
    PostgresSchema { server_url: String, schema: String },
}

impl TestDatabase {
    /// A new SQLite database file in `dir` (not created until first connected to).
    pub fn sqlite(dir: &Path) -> TestDatabase {
        let path = dir.join(format!("graphmeet-{}.db", Uuid::new_v4().simple()));
        TestDatabase {
            url: format!("sqlite://{}", path.display()),
            place: Place::SqliteFile(path),
        }
    }

    /// A new, empty schema in the PostgreSQL database named by `GRAPHMEET_TEST_POSTGRES_URL`,
    /// or `None` when the variable is unset (said once per process on stderr).
    ///
    /// # Panics
    ///
    /// When the variable is set but the schema cannot be created: a test that was asked to
    /// run on PostgreSQL must not pass by skipping it.
    #[allow(clippy::panic)]
    pub async fn postgres() -> Option<TestDatabase> {
        let server_url = match std::env::var(POSTGRES_URL_VAR) {
            Ok(url) if !url.trim().is_empty() => url,
            _ => {
                static SKIPPING: Once = Once::new();
                SKIPPING.call_once(|| {
                    eprintln!("{POSTGRES_URL_VAR} is not set: skipping the PostgreSQL run");
                });
                return None;
            }
        };
        match Self::create_schema(&server_url).await {
            Ok(db) => Some(db),
            Err(e) => panic!("{POSTGRES_URL_VAR} is set, but creating a test schema failed: {e}"),
        }
    }

    async fn create_schema(server_url: &str) -> Result<TestDatabase, StoreError> {
        if Backend::from_url(server_url) != Some(Backend::Postgres) {
            return Err(StoreError::Backend(format!(
                "{server_url:?} is not a postgres:// URL"
            )));
        }
        install_drivers();
        let schema = format!("gm_test_{}", Uuid::new_v4().simple());
        let mut conn = sqlx::AnyConnection::connect(server_url).await.db()?;
        conn.execute(format!("CREATE SCHEMA {schema}").as_str())
            .await
            .db()?;
        conn.close().await.db()?;
        // libpq's `options`: every connection of the pool starts with this search_path, so
        // unqualified tables (and sqlx's _sqlx_migrations) live in the schema.
        let separator = if server_url.contains('?') { '&' } else { '?' };
        Ok(TestDatabase {
            url: format!("{server_url}{separator}options=-c%20search_path%3D{schema}"),
            place: Place::PostgresSchema {
                server_url: server_url.to_owned(),
                schema,
            },
        })
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        match self.place {
            Place::SqliteFile(_) => Backend::Sqlite,
            Place::PostgresSchema { .. } => Backend::Postgres,
        }
    }

    /// The PostgreSQL schema, for a PostgreSQL test database.
    pub fn schema(&self) -> Option<&str> {
        match &self.place {
            Place::SqliteFile(_) => None,
            Place::PostgresSchema { schema, .. } => Some(schema),
        }
    }

    /// Connects a [`SqlStore`] to the database (migrating it on first use).
    pub async fn connect(&self) -> Result<SqlStore, StoreError> {
        SqlStore::connect(&self.url).await
    }

    /// Removes the database: drops the PostgreSQL schema with everything in it, or deletes the
    /// SQLite file and its WAL files. Close the stores using it first.
    pub async fn cleanup(self) -> Result<(), StoreError> {
        match self.place {
            Place::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    match std::fs::remove_file(&file) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => {
                            return Err(StoreError::Backend(format!(
                                "removing {}: {e}",
                                Path::new(&file).display()
                            )))
                        }
                    }
                }
                Ok(())
            }
            Place::PostgresSchema { server_url, schema } => {
                let mut conn = sqlx::AnyConnection::connect(&server_url).await.db()?;
                conn.execute(format!("DROP SCHEMA IF EXISTS {schema} CASCADE").as_str())
                    .await
                    .db()?;
                conn.close().await.db()
            }
        }
    }
}
