//! What the core's background writers report about their work, for whoever measures it (the
//! server's `/metrics`): each batch a queue hands to the store, how long its oldest job waited
//! for the write to begin, how long the store took, and whether it succeeded.
//!
//! The core knows no metrics library; an observer is any [`QueueObserver`].

use std::time::Duration;

/// A queue of the core that writes to the store in batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Queue {
    /// New meetings ([`crate::writer::MeetingWriter`], group commit).
    Meetings,
    /// Audit entries ([`crate::audit::AuditLog`]).
    Audit,
}

impl Queue {
    /// The label: `meetings`, `audit`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Meetings => "meetings",
            Self::Audit => "audit",
        }
    }
}

/// One batch written (or given up on) by a queue's writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batch {
    /// Whose batch.
    pub queue: Queue,
    /// How many jobs (meetings, entries) it held.
    pub jobs: usize,
    /// From the oldest job's arrival at the writer to the start of the write.
    pub waited: Duration,
    /// The store's time for the write, retries included.
    pub wrote: Duration,
    /// Whether the store took it.
    pub ok: bool,
}

/// Told of every batch; called on the writer's task, so it must be quick.
pub trait QueueObserver: Send + Sync {
    /// A batch was written or failed.
    fn batch(&self, batch: Batch);
}

/// Nobody measuring.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unobserved;

impl QueueObserver for Unobserved {
    fn batch(&self, _: Batch) {}
}
