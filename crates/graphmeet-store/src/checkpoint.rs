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
//!
//! A passive checkpoint copies the frames that were in the WAL when it began; under sustained
//! writes more have been appended by the time it ends, so it never catches up, SQLite never
//! starts the WAL over from its beginning, and the file grows without bound (6 GB after 40 s
//! of creates on a 2-core machine, slower with every gigabyte). So when the WAL holds more than
//! [`RESTART_FRAMES`] after a passive checkpoint, and a few more passes have shortened the
//! tail, a `RESTART` checkpoint copies the last frames and makes the next commit write the WAL
//! from its start again, which `journal_size_limit` (set on every writing connection,
//! [`WAL_SIZE_LIMIT`]) then cuts back to size. The restart runs on the batch writer's
//! connection, queued between its batches: from a connection of its own it would have to win
//! SQLite's write lock in the instant between two back-to-back batches, and under the very
//! load that needs it, it rarely does (with back-to-back batches in a test, such restarts let
//! the WAL take 11 MB of the 16 MB written; queued on the writer, about 1 MB). Writers wait
//! for that tail's copy and its two fsyncs, at most once per interval and only while writes
//! outpace the checkpoints: on a disk whose flushes queue behind a saturating write load, that
//! wait is the p99 of a create (docs/performance.md).

use crate::sqlite_writer::{SqliteWriter, BUSY_TIMEOUT};
use rusqlite::{Connection, OpenFlags};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the WAL is checkpointed.
pub(crate) const INTERVAL: Duration = Duration::from_millis(250);

/// A WAL holding more frames than this after a passive checkpoint is restarted (32 MiB of
/// 4 KiB pages).
pub(crate) const RESTART_FRAMES: i64 = 8192;

/// The size, in bytes, the WAL file is cut back to when it starts over (SQLite's
/// `journal_size_limit`): a WAL that grew during a burst does not keep its size on disk.
pub(crate) const WAL_SIZE_LIMIT: i64 = 64 << 20;

/// How long a restart, on the writer's connection, waits for the readers of older snapshots
/// (an export scanning the meetings, say) before it gives up until the next interval: the
/// writer's batches wait behind it, so not the writer's own busy timeout.
const RESTART_WAIT: Duration = Duration::from_millis(100);

/// At most this many passive passes before a restart.
const CATCH_UP_PASSES: usize = 3;

/// A pass that found fewer frames appended than this leaves a tail short enough to restart on.
const SMALL_TAIL_FRAMES: i64 = 1024;

/// The checkpointing thread of one store; stopped when closed or dropped.
#[derive(Debug)]
pub(crate) struct Checkpointer {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts checkpointing the database file at `path`, whose batches `writer` writes (it
    /// runs the restarts).
    pub(crate) fn start(path: PathBuf, writer: Weak<SqliteWriter>) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".to_owned())
            .spawn(move || run(&path, &writer, &stopping))?;
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

fn run(path: &PathBuf, writer: &Weak<SqliteWriter>, stop: &AtomicBool) {
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
    let restart = Restart::new(writer);
    let mut failing = false;
    loop {
        let last = stop.load(Ordering::SeqCst);
        if !last {
            std::thread::park_timeout(INTERVAL);
        }
        match checkpoint(&conn, &restart, RESTART_FRAMES) {
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

/// Where a WAL restart runs.
struct Restart<'a> {
    /// The batch writer, whose queue the restart joins.
    writer: &'a Weak<SqliteWriter>,
    /// A restart is queued on the writer and has not run yet.
    queued: Arc<AtomicBool>,
    /// Restarts the writer completed.
    completed: Arc<std::sync::atomic::AtomicU64>,
}

impl<'a> Restart<'a> {
    fn new(writer: &'a Weak<SqliteWriter>) -> Self {
        Self {
            writer,
            queued: Arc::new(AtomicBool::new(false)),
            completed: Arc::default(),
        }
    }

    /// Queues a restart on the writer, unless one is queued already or the store is gone.
    fn queue(&self) {
        let Some(writer) = self.writer.upgrade() else {
            return;
        };
        if self.queued.swap(true, Ordering::SeqCst) {
            return;
        }
        let (queued, completed) = (self.queued.clone(), self.completed.clone());
        let sent = writer.queue(move |conn| {
            let restarted = conn
                .busy_timeout(RESTART_WAIT)
                .and_then(|()| checkpoint_row(conn, "RESTART"));
            let restored = conn.busy_timeout(BUSY_TIMEOUT);
            match restarted.and_then(|row| restored.map(|()| row)) {
                Ok((false, _)) => {
                    completed.fetch_add(1, Ordering::SeqCst);
                }
                // Held up past RESTART_WAIT: the next interval tries again.
                Ok((true, _)) => {}
                Err(e) => tracing::warn!(error = %e, "restarting the WAL failed; trying again"),
            }
            queued.store(false, Ordering::SeqCst);
        });
        if sent.is_err() {
            // The store is closing: nothing more to restart.
            self.queued.store(false, Ordering::SeqCst);
        }
    }
}

/// One passive checkpoint; when it leaves more than `restart_frames` ([`RESTART_FRAMES`]) in
/// the WAL, a few more passes, each copying what was appended during the one before (less
/// every time), and then a restart, which copies the last few frames with the writers held off.
fn checkpoint(
    conn: &Connection,
    restart: &Restart<'_>,
    restart_frames: i64,
) -> rusqlite::Result<()> {
    // A restart still queued on the writer would wait for this checkpoint's lock, and the
    // writer's batches with it.
    if restart.queued.load(Ordering::SeqCst) {
        return Ok(());
    }
    let mut frames = wal_checkpoint(conn, "PASSIVE")?;
    if frames <= restart_frames {
        return Ok(());
    }
    for _ in 0..CATCH_UP_PASSES {
        let now = wal_checkpoint(conn, "PASSIVE")?;
        let appended = now - frames;
        frames = now;
        if appended < SMALL_TAIL_FRAMES {
            break;
        }
    }
    restart.queue();
    Ok(())
}

/// Runs `PRAGMA wal_checkpoint(MODE)`; the frames in the WAL when it ended.
fn wal_checkpoint(conn: &Connection, mode: &str) -> rusqlite::Result<i64> {
    checkpoint_row(conn, mode).map(|(_, frames)| frames)
}

/// `PRAGMA wal_checkpoint(MODE)`'s row: whether it was kept from completing (busy), and the
/// frames in the WAL when it ended (-1 when not in WAL mode).
fn checkpoint_row(conn: &Connection, mode: &str) -> rusqlite::Result<(bool, i64)> {
    conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |row| {
        Ok((row.get::<_, i64>(0)? != 0, row.get::<_, i64>(1)?))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Synchronous;

    fn wal_len(db: &std::path::Path) -> u64 {
        std::fs::metadata(db.with_extension("db-wal")).map_or(0, |m| m.len())
    }

    /// A WAL database with one table `t (b BLOB)`; its page size.
    fn database(path: &std::path::Path) -> i64 {
        let setup = Connection::open(path).unwrap();
        setup.pragma_update(None, "journal_mode", "WAL").unwrap();
        setup.execute("CREATE TABLE t (b BLOB)", []).unwrap();
        setup
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap()
    }

    /// Runs one transaction of `rows` page-sized rows on the writer and waits for it.
    fn write_batch(writer: &SqliteWriter, rows: usize, page: i64) {
        let (ran, wait) = std::sync::mpsc::channel();
        writer
            .queue(move |conn| {
                let tx = conn.transaction().unwrap();
                for _ in 0..rows {
                    tx.execute("INSERT INTO t (b) VALUES (zeroblob(?1))", [page])
                        .unwrap();
                }
                tx.commit().unwrap();
                ran.send(()).unwrap();
            })
            .unwrap();
        wait.recv().unwrap();
    }

    /// A reader keeping an old snapshot open (a long export) holds a restart up, and the
    /// writer's batches behind it: the restart gives up after [`RESTART_WAIT`], not after the
    /// writer's 5 s busy timeout, and the next batch is written.
    #[test]
    fn a_restart_held_up_by_an_old_snapshot_gives_up_and_lets_the_writer_go_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("held.db");
        let page = database(&path);
        let writer = Arc::new(SqliteWriter::start(&path, Synchronous::Normal).unwrap());
        write_batch(&writer, 4, page);
        let reader = Connection::open(&path).unwrap();
        reader.execute_batch("BEGIN").unwrap();
        let _: i64 = reader
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        write_batch(&writer, 64, page);

        let own = Connection::open(&path).unwrap();
        own.busy_timeout(Duration::from_millis(100)).unwrap();
        let weak = Arc::downgrade(&writer);
        let restart = Restart::new(&weak);
        checkpoint(&own, &restart, 16).unwrap();
        let started = std::time::Instant::now();
        write_batch(&writer, 1, page);
        let waited = started.elapsed();
        assert!(
            waited < Duration::from_secs(2),
            "the batch after a held-up restart waited {waited:?}"
        );
        assert!(
            !restart.queued.load(Ordering::SeqCst),
            "the restart has run"
        );
        assert_eq!(
            restart.completed.load(Ordering::SeqCst),
            0,
            "the old snapshot kept the restart from completing"
        );
        reader.execute_batch("COMMIT").unwrap();
        let rows: i64 = own
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 69);
    }

    /// Writes outpacing the checkpoints, as under a saturating load: the batch writer runs one
    /// batch after another while checkpoints run beside it. The WAL is written ~64 MB in all;
    /// a passive checkpoint alone, with its fsyncs, rarely catches up, so without the restarts
    /// the WAL takes nearly all of it. The restarts must run, and keep it short of that.
    #[test]
    fn the_wal_stays_bounded_while_writes_outpace_the_checkpoints() {
        const RESTART: i64 = 64;
        const BATCHES: usize = 4000;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bounded.db");
        let setup = Connection::open(&path).unwrap();
        setup.pragma_update(None, "journal_mode", "WAL").unwrap();
        setup.execute("CREATE TABLE t (b BLOB)", []).unwrap();
        let page: i64 = setup
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap();
        drop(setup);
        let writer = Arc::new(SqliteWriter::start(&path, Synchronous::Normal).unwrap());

        // One batch in flight at a time, as the meeting and audit writers send them.
        let done = Arc::new(AtomicBool::new(false));
        let producing = {
            let (writer, done) = (writer.clone(), done.clone());
            std::thread::spawn(move || {
                for _ in 0..BATCHES {
                    write_batch(&writer, 4, page);
                }
                done.store(true, Ordering::SeqCst);
            })
        };
        let own = Connection::open(&path).unwrap();
        own.busy_timeout(Duration::from_millis(100)).unwrap();
        let weak = Arc::downgrade(&writer);
        let restart = Restart::new(&weak);
        let mut longest = 0;
        while !done.load(Ordering::SeqCst) {
            checkpoint(&own, &restart, RESTART).unwrap();
            longest = longest.max(wal_len(&path));
            std::thread::sleep(Duration::from_millis(2));
        }
        producing.join().unwrap();
        longest = longest.max(wal_len(&path));
        let written = BATCHES as u64 * 4 * page as u64;
        let restarts = restart.completed.load(Ordering::SeqCst);
        assert!(
            restarts > 0,
            "no restart while {written} bytes were written"
        );
        // Each restart began the WAL again; only a disk whose fsyncs stall for long between
        // them lets it come near all that was written (the bound is loose for that).
        assert!(
            longest < written,
            "the WAL reached {longest} bytes of the {written} written, with {restarts} restarts"
        );
        let rows: i64 = own
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            rows,
            4 * BATCHES as i64,
            "every committed row is still there"
        );
    }
}
