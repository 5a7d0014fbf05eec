//! Background upkeep while a server runs: the directory index caught up from the change log,
//! old changes and audit entries pruned.

use crate::state::AppState;
use graphmeet_core::Store;
use graphmeet_store::SqlStore;
use std::sync::Arc;

/// How often the directory index polls the change log (besides PostgreSQL's notifications).
pub(super) const INDEX_POLL: std::time::Duration = std::time::Duration::from_millis(500);
/// How many change-log rows are kept; an instance further behind reloads everything.
pub(super) const CHANGES_KEPT: i64 = 100_000;

/// The background work of a running server: keeping the directory index current (woken by
/// PostgreSQL notifications, and polling), reloading signing keys rotated elsewhere, pruning
/// the change log, and purging audit entries older than the retention.
pub(super) async fn maintain(
    store: Arc<SqlStore>,
    state: AppState,
    audit_retention: chrono::Duration,
) {
    let mut listener = None;
    let mut poll = tokio::time::interval(INDEX_POLL);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut hourly = tokio::time::interval(std::time::Duration::from_secs(3600));
    let mut prune = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        if listener.is_none() {
            match store.directory_listener().await {
                Ok(l) => listener = l.map(Box::new),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for directory changes; polling")
                }
            }
        }
        let notified = async {
            match listener.as_mut() {
                Some(l) => l.recv().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            result = notified => {
                if let Err(e) = result {
                    tracing::warn!(error = %e, "lost the directory change listener");
                    listener = None;
                }
            }
            _ = poll.tick() => {}
            _ = hourly.tick() => {
                match store.purge_audit(state.clock.now() - audit_retention).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(entries = n, "purged old audit entries"),
                    Err(e) => tracing::warn!(error = %e, "could not purge the audit log"),
                }
                continue;
            }
            _ = prune.tick() => {
                if let Err(e) = store.prune_directory_changes(CHANGES_KEPT).await {
                    tracing::warn!(error = %e, "could not prune the directory change log");
                }
                continue;
            }
        }
        sync_index(&state).await;
    }
}

/// Applies the directory changes not yet seen, and reloads the signing keys when they changed.
pub(super) async fn sync_index(state: &AppState) {
    match state.index.catch_up().await {
        Ok(done) => {
            if done.changes > 0 {
                tracing::debug!(
                    changes = done.changes,
                    reloaded = done.reloaded,
                    "directory index caught up"
                );
            }
            if done.signing_keys {
                if let Err(e) = state.identity.keys().reload().await {
                    tracing::warn!(error = %e, "could not reload the signing keys");
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "could not catch up with the directory change log"),
    }
}
