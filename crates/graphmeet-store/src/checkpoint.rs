//! WAL checkpoints of a SQLite file, off the commit path.
//!
//! By default SQLite checkpoints on the connection that commits, once the WAL holds 1,000
//! pages, inside that `COMMIT`: the transaction that crosses the mark waits for the pages to be
//! copied into the database file and for two fsyncs. With meetings committed in batches, that
//! is one batch every few hundred meetings waiting for the disk, and every request of that
//! batch with it. So graphmeet's connections do not checkpoint themselves
//! (`wal_autocheckpoint = 0`), and a thread of this store runs a `PASSIVE` checkpoint every
//! [`INTERVAL`] on a connection of its own. A passive checkpoint never blocks readers or
//! writers; it fsyncs the WAL before it copies frames out of it, so with
//! `synchronous = NORMAL` every commit is on disk at most about an interval after it was made
//! (see docs/durability.md).

use rusqlite::{Connection, OpenFlags};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the WAL is checkpointed.
pub(crate) const INTERVAL: Duration = Duration::from_millis(250);

/// The checkpointing thread of one store; stopped when closed or dropped.
#[derive(Debug)]
pub(crate) struct Checkpointer {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts checkpointing the database file at `path`.
    pub(crate) fn start(path: PathBuf) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".to_owned())
            .spawn(move || run(&path, &stopping))?;
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }

    /// Asks the thread to run a last checkpoint and end; does not wait for it.
    pub(crate) fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = &self.thread {
            thread.thread().unpark();
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn run(path: &PathBuf, stop: &AtomicBool) {
    let conn = match Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .and_then(|conn| {
        // A checkpoint that finds the database locked (another process in rollback mode) is
        // tried again at the next interval rather than waited for.
        conn.busy_timeout(Duration::from_millis(100))?;
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        Ok(conn)
    }) {
        Ok(conn) => conn,
        Err(e) => {
            tracing::error!(error = %e, file = %path.display(), "the WAL checkpointer cannot open the database; SQLite's own checkpoints are off");
            return;
        }
    };
    let mut failing = false;
    loop {
        let last = stop.load(Ordering::SeqCst);
        if !last {
            std::thread::park_timeout(INTERVAL);
        }
        match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            Ok(()) => failing = false,
            Err(e) if !failing => {
                failing = true;
                tracing::warn!(error = %e, file = %path.display(), "a WAL checkpoint failed; trying again");
            }
            Err(_) => {}
        }
        if last {
            break;
        }
    }
}
