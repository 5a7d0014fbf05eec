//! The two migration sets (`migrations/sqlite`, `migrations/postgres`) build the same schema:
//! each is run on a real database and the catalogs are read back and compared — tables,
//! columns (type class, nullability), primary keys, indexes (columns, uniqueness, partial),
//! foreign keys (with their `ON DELETE`) and the number of CHECK constraints per table.
//!
//! The SQLite side always runs; the comparison runs when `GRAPHMEET_TEST_POSTGRES_URL` is set.
//! Without it, the SQLite catalog is at least checked to hold every table and named index the
//! PostgreSQL files create.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use graphmeet_store::testing::TestDatabase;
use sqlx::{Connection as _, Row as _};

/// A schema as comparable lines, e.g. `column meetings.id text not null`.
type Catalog = BTreeSet<String>;

/// The class of a column type: SQLite's INTEGER is PostgreSQL's BIGINT, BLOB is BYTEA.
fn type_class(declared: &str) -> String {
    let t = declared.to_ascii_lowercase();
    match t.as_str() {
        "integer" | "bigint" | "int8" | "int" | "int4" | "smallint" => "integer".to_owned(),
        "text" | "character varying" | "varchar" => "text".to_owned(),
        "blob" | "bytea" => "blob".to_owned(),
        other => other.to_owned(),
    }
}

fn on_delete(action: &str) -> String {
    match action {
        "c" => "cascade".to_owned(),
        "n" => "set null".to_owned(),
        "d" => "set default".to_owned(),
        "r" => "restrict".to_owned(),
        "a" => "no action".to_owned(),
        other => other.to_ascii_lowercase(),
    }
}

async fn sqlite_catalog(db: &TestDatabase) -> Catalog {
    let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
    let mut out = Catalog::new();
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    for (table, sql) in &tables {
        out.insert(format!("table {table}"));
        let checks = sql.to_ascii_uppercase().matches("CHECK (").count();
        out.insert(format!("checks {table} {checks}"));
        let columns = sqlx::query("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)")
            .bind(table)
            .fetch_all(&mut conn)
            .await
            .unwrap();
        let mut pk: Vec<(i64, String)> = Vec::new();
        for c in &columns {
            let name: String = c.get(0);
            let declared: String = c.get(1);
            let not_null = c.get::<i64, _>(2) != 0 || c.get::<i64, _>(3) > 0;
            if c.get::<i64, _>(3) > 0 {
                pk.push((c.get(3), name.clone()));
            }
            let null = if not_null { "not null" } else { "null" };
            out.insert(format!(
                "column {table}.{name} {} {null}",
                type_class(&declared)
            ));
        }
        pk.sort();
        if !pk.is_empty() {
            let cols: Vec<String> = pk.into_iter().map(|(_, c)| c).collect();
            out.insert(format!("primary key {table} ({})", cols.join(", ")));
        }
        let indexes = sqlx::query(
            "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?) ORDER BY name",
        )
        .bind(table)
        .fetch_all(&mut conn)
        .await
        .unwrap();
        for i in &indexes {
            let name: String = i.get(0);
            let origin: String = i.get(2);
            if origin == "pk" {
                continue;
            }
            let cols: Vec<String> =
                sqlx::query_scalar("SELECT name FROM pragma_index_info(?) ORDER BY seqno")
                    .bind(&name)
                    .fetch_all(&mut conn)
                    .await
                    .unwrap();
            let unique = if i.get::<i64, _>(1) != 0 {
                " unique"
            } else {
                ""
            };
            let partial = if i.get::<i64, _>(3) != 0 {
                " partial"
            } else {
                ""
            };
            out.insert(format!(
                "index {table} ({}){unique}{partial}",
                cols.join(", ")
            ));
            if origin == "c" {
                out.insert(format!("index name {table}.{name}"));
            }
        }
        let fks = sqlx::query(
            "SELECT id, \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list(?) \
             ORDER BY id, seq",
        )
        .bind(table)
        .fetch_all(&mut conn)
        .await
        .unwrap();
        let mut grouped: std::collections::BTreeMap<
            i64,
            (String, Vec<String>, Vec<String>, String),
        > = Default::default();
        for f in &fks {
            let entry = grouped.entry(f.get(0)).or_insert_with(|| {
                (
                    f.get(1),
                    Vec::new(),
                    Vec::new(),
                    on_delete(&f.get::<String, _>(4)),
                )
            });
            entry.1.push(f.get(2));
            entry.2.push(f.get(3));
        }
        for (to, from_cols, to_cols, action) in grouped.into_values() {
            out.insert(format!(
                "foreign key {table} ({}) -> {to} ({}) on delete {action}",
                from_cols.join(", "),
                to_cols.join(", ")
            ));
        }
    }
    conn.close().await.unwrap();
    out
}

async fn postgres_catalog(db: &TestDatabase) -> Catalog {
    let schema = db.schema().unwrap().to_owned();
    let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
    let mut out = Catalog::new();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname <> '_sqlx_migrations' \
         ORDER BY 1",
    )
    .bind(&schema)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    for table in &tables {
        out.insert(format!("table {table}"));
        let qualified = format!("{schema}.{table}");
        let checks: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'c'",
        )
        .bind(&qualified)
        .fetch_one(&mut conn)
        .await
        .unwrap();
        out.insert(format!("checks {table} {checks}"));
        let columns = sqlx::query(
            "SELECT column_name::text, data_type::text, is_nullable::text FROM \
             information_schema.columns WHERE table_schema = $1 AND table_name = $2",
        )
        .bind(&schema)
        .bind(table)
        .fetch_all(&mut conn)
        .await
        .unwrap();
        for c in &columns {
            let name: String = c.get(0);
            let declared: String = c.get(1);
            let null = if c.get::<String, _>(2) == "NO" {
                "not null"
            } else {
                "null"
            };
            out.insert(format!(
                "column {table}.{name} {} {null}",
                type_class(&declared)
            ));
        }
        // Every index with its columns in order, whether it backs the primary key, whether it
        // is unique or partial, and whether it was made by CREATE INDEX (backs no constraint).
        let indexes = sqlx::query(
            "SELECT ic.relname::text, \
                    (SELECT string_agg(a.attname::text, ', ' ORDER BY k.ord) \
                       FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) \
                       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum), \
                    i.indisprimary, i.indisunique, i.indpred IS NOT NULL, \
                    NOT EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conindid = i.indexrelid) \
               FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid \
              WHERE i.indrelid = $1::regclass",
        )
        .bind(&qualified)
        .fetch_all(&mut conn)
        .await
        .unwrap();
        for i in &indexes {
            let name: String = i.get(0);
            let cols: String = i.get(1);
            if i.get::<bool, _>(2) {
                out.insert(format!("primary key {table} ({cols})"));
                continue;
            }
            let unique = if i.get::<bool, _>(3) { " unique" } else { "" };
            let partial = if i.get::<bool, _>(4) { " partial" } else { "" };
            out.insert(format!("index {table} ({cols}){unique}{partial}"));
            if i.get::<bool, _>(5) {
                out.insert(format!("index name {table}.{name}"));
            }
        }
        let fks = sqlx::query(
            "SELECT (SELECT string_agg(a.attname::text, ', ' ORDER BY k.ord) \
                       FROM unnest(co.conkey) WITH ORDINALITY AS k(attnum, ord) \
                       JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.attnum), \
                    rc.relname::text, \
                    (SELECT string_agg(a.attname::text, ', ' ORDER BY k.ord) \
                       FROM unnest(co.confkey) WITH ORDINALITY AS k(attnum, ord) \
                       JOIN pg_attribute a ON a.attrelid = co.confrelid AND a.attnum = k.attnum), \
                    co.confdeltype::text \
               FROM pg_constraint co JOIN pg_class rc ON rc.oid = co.confrelid \
              WHERE co.conrelid = $1::regclass AND co.contype = 'f'",
        )
        .bind(&qualified)
        .fetch_all(&mut conn)
        .await
        .unwrap();
        for f in &fks {
            let from: String = f.get(0);
            let to: String = f.get(1);
            let to_cols: String = f.get(2);
            let action: String = f.get(3);
            out.insert(format!(
                "foreign key {table} ({from}) -> {to} ({to_cols}) on delete {}",
                on_delete(&action)
            ));
        }
    }
    conn.close().await.unwrap();
    out
}

/// The tables and named indexes the PostgreSQL migration files create, read from their text.
fn postgres_files_create() -> BTreeSet<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
    let mut out = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["CREATE", "TABLE", name, ..] => {
                    out.insert(format!("table {name}"));
                }
                ["CREATE", "INDEX", name, "ON", table, ..]
                | ["CREATE", "UNIQUE", "INDEX", name, "ON", table, ..] => {
                    out.insert(format!("index name {table}.{name}"));
                }
                _ => {}
            }
        }
    }
    out
}

#[tokio::test]
async fn sqlite_and_postgres_migrations_build_the_same_schema() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = TestDatabase::sqlite(dir.path());
    sqlite.connect().await.unwrap().close().await;
    let lite = sqlite_catalog(&sqlite).await;
    sqlite.cleanup().await.unwrap();

    let missing: Vec<String> = postgres_files_create()
        .into_iter()
        .filter(|item| !lite.contains(item))
        .collect();
    assert!(
        missing.is_empty(),
        "the PostgreSQL migrations create what the SQLite ones do not: {missing:#?}"
    );
    assert!(
        lite.contains("index name meetings.meetings_organizer"),
        "{lite:#?}"
    );
    assert!(
        lite.iter().filter(|l| l.starts_with("foreign key")).count() > 5,
        "{lite:#?}"
    );

    let Some(pg) = TestDatabase::postgres().await else {
        return;
    };
    pg.connect().await.unwrap().close().await;
    let post = postgres_catalog(&pg).await;
    pg.cleanup().await.unwrap();

    eprintln!(
        "{} catalog lines on SQLite, {} on PostgreSQL",
        lite.len(),
        post.len()
    );
    let only_sqlite: Vec<&String> = lite.difference(&post).collect();
    let only_postgres: Vec<&String> = post.difference(&lite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "the migration sets differ.\nonly in SQLite: {only_sqlite:#?}\nonly in PostgreSQL: {only_postgres:#?}"
    );
}

/// PostgreSQL keeps a meeting's document in its row, uncompressed: the storage parameter of
/// migration 20250501000000, which the catalog comparison above does not see.
#[tokio::test]
async fn postgres_stores_meeting_documents_inline() {
    let Some(pg) = TestDatabase::postgres().await else {
        return;
    };
    pg.connect().await.unwrap().close().await;
    let schema = pg.schema().unwrap().to_owned();
    let mut conn = sqlx::PgConnection::connect(&pg.url).await.unwrap();
    let options: Option<Vec<String>> = sqlx::query_scalar(
        "SELECT c.reloptions FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = $1 AND c.relname = 'meetings'",
    )
    .bind(&schema)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    pg.cleanup().await.unwrap();
    assert_eq!(options, Some(vec!["toast_tuple_target=8160".to_owned()]));
}

/// The SQLite migration files, in order, each run as one script on `conn`, from the first up to
/// (not including) `until`, or all when `until` is `None`.
async fn run_sqlite_files(conn: &mut sqlx::SqliteConnection, from: &str, until: Option<&str>) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".sql"))
        .collect();
    files.sort();
    for name in files {
        if name.as_str() < from || until.is_some_and(|u| name.as_str() >= u) {
            continue;
        }
        let sql = std::fs::read_to_string(dir.join(&name)).unwrap();
        sqlx::raw_sql(&sql)
            .execute(&mut *conn)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// Migration 20250601000001 rebuilds SQLite's audit log (its CHECK without an IN list): the
/// rows, their `seq` and the AUTOINCREMENT counter carry over, the rule still holds, and the
/// table is as before in every other way.
#[tokio::test]
async fn rebuilding_the_audit_log_keeps_its_rows_its_sequence_and_its_rule() {
    const REBUILD: &str = "20250601000001";
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("audit.db").display()
    );
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    run_sqlite_files(&mut conn, "", Some(REBUILD)).await;
    for (at, decision) in [
        (1, "allowed"),
        (2, "denied"),
        (3, "changed"),
        (4, "allowed"),
    ] {
        sqlx::query(
            "INSERT INTO audit_log (at, request_id, operation, decision, reason) \
             VALUES (?, 'r', 'op', ?, 'why')",
        )
        .bind(at)
        .bind(decision)
        .execute(&mut conn)
        .await
        .unwrap();
    }
    // The newest row purged: the counter is past the newest row left.
    sqlx::query("DELETE FROM audit_log WHERE at = 4")
        .execute(&mut conn)
        .await
        .unwrap();
    let before: Vec<(i64, i64, String)> =
        sqlx::query_as("SELECT seq, at, decision FROM audit_log ORDER BY seq")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(before.len(), 3);

    run_sqlite_files(&mut conn, REBUILD, None).await;
    let after: Vec<(i64, i64, String)> =
        sqlx::query_as("SELECT seq, at, decision FROM audit_log ORDER BY seq")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(after, before);
    let next: i64 = sqlx::query_scalar(
        "INSERT INTO audit_log (at, request_id, operation, decision, reason) \
         VALUES (5, 'r', 'op', 'allowed', 'why') RETURNING seq",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(next, 5, "the AUTOINCREMENT counter carried over");
    let refused = sqlx::query(
        "INSERT INTO audit_log (at, request_id, operation, decision, reason) \
         VALUES (6, 'r', 'op', 'maybe', 'why')",
    )
    .execute(&mut conn)
    .await
    .unwrap_err();
    assert!(refused.to_string().contains("CHECK"), "{refused}");
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_log' \
         ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(indexes, ["audit_log_at", "audit_log_tenant_at"]);
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_master WHERE name LIKE 'audit_log%' AND type = 'table'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(tables, 1);
    conn.close().await.unwrap();
}
