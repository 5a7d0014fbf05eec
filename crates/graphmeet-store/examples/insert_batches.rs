//! The store's share of a create: `Store::insert_meetings` in batches, as the meeting writer
//! hands them over, on a fresh SQLite file (or a PostgreSQL database), with meetings shaped as
//! the service makes them (random ids, a ~4 KB document). No HTTP and no load generator: the
//! store's own cost per meeting, one batch at a time (docs/performance.md).
//!
//! ```sh
//! cargo run --release -p graphmeet-store --example insert_batches -- \
//!     [--meetings 20000] [--batch 32] [--doc-bytes 4200] [--url sqlite:///tmp/x.db]
//! ```
//!
//! It prints meetings/s and the wall time per meeting; with `--url` unset it uses a temporary
//! SQLite file, removed at the end.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout
)]

use chrono::Utc;
use graphmeet_core::model::{StoredMeeting, Tenant, User};
use graphmeet_core::store::MeetingInsert;
use graphmeet_core::Store;
use graphmeet_store::SqlStore;
use uuid::Uuid;

struct Args {
    meetings: usize,
    batch: usize,
    doc_bytes: usize,
    url: Option<String>,
}

fn args() -> Args {
    let mut out = Args {
        meetings: 20_000,
        batch: 32,
        doc_bytes: 4_200,
        url: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--meetings" => out.meetings = value.parse().expect("--meetings: a number"),
            "--batch" => out.batch = value.parse().expect("--batch: a number"),
            "--doc-bytes" => out.doc_bytes = value.parse().expect("--doc-bytes: a number"),
            "--url" => out.url = Some(value),
            other => panic!("unknown flag {other}"),
        }
    }
    out
}

/// A meeting as `POST …/onlineMeetings` stores it: the id is base64 of the organizer and the
/// thread, the join URL carries the thread and the tenant, the document is the resource.
fn meeting(organizer: &User, n: usize, doc_bytes: usize) -> StoredMeeting {
    let thread = format!("19:meeting_{}@thread.v2", Uuid::new_v4().simple());
    let id = format!("MSo{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    let join_web_url = format!(
        "https://teams.microsoft.com/l/meetup-join/{}/0?context=%7b%22Tid%22%3a%22{}%22%2c%22Oid%22%3a%22{}%22%7d",
        thread.replace(':', "%3a").replace('@', "%40"),
        organizer.tenant_id,
        organizer.id
    );
    let now = Utc::now();
    let mut document = format!(
        r#"{{"id":"{id}","subject":"Bench meeting {n}","joinWebUrl":"{join_web_url}","chatInfo":{{"threadId":"{thread}"}},"participants":{{"organizer":{{"identity":{{"user":{{"id":"{}"}}}}}}}},"padding":""#,
        organizer.id
    );
    while document.len() + 2 < doc_bytes {
        document.push_str("abcdefghijklmnopqrstuvwxyz0123456789");
    }
    document.push_str("\"}");
    StoredMeeting {
        id,
        tenant_id: organizer.tenant_id,
        organizer_id: organizer.id,
        external_id: None,
        thread_id: thread,
        join_meeting_id: format!("{}", 200_000_000_000usize + n),
        join_web_url,
        created_at: now,
        updated_at: now,
        document,
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args = args();
    let dir = tempfile::tempdir().unwrap();
    let url = args
        .url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let store = SqlStore::connect(&url).await.unwrap();
    let now = Utc::now();
    let tenant = Tenant {
        id: Uuid::new_v4(),
        display_name: "Bench".to_owned(),
        domains: vec![format!("{}.example", Uuid::new_v4().simple())],
        created_at: now,
    };
    store.create_tenant(&tenant).await.unwrap();
    let organizer = User {
        id: Uuid::new_v4(),
        tenant_id: tenant.id,
        upn: format!("organizer@{}", tenant.domains[0]),
        display_name: "Organizer".to_owned(),
        password_hash: None,
        account: Default::default(),
        created_at: now,
    };
    store.create_user(&organizer).await.unwrap();

    let batches: Vec<Vec<MeetingInsert>> = (0..args.meetings)
        .map(|n| MeetingInsert::Create(meeting(&organizer, n, args.doc_bytes)))
        .collect::<Vec<_>>()
        .chunks(args.batch.max(1))
        .map(<[MeetingInsert]>::to_vec)
        .collect();
    let started = std::time::Instant::now();
    for batch in &batches {
        let outcomes = store.insert_meetings(batch).await.unwrap();
        assert!(outcomes.iter().all(Result::is_ok), "a meeting was refused");
    }
    let took = started.elapsed();
    println!(
        "{} meetings in batches of {} ({} B documents) on {}: {:.0} meetings/s, {:.1} µs each",
        args.meetings,
        args.batch,
        args.doc_bytes,
        store.backend(),
        args.meetings as f64 / took.as_secs_f64(),
        took.as_secs_f64() * 1e6 / args.meetings as f64
    );
    store.close().await;
}
