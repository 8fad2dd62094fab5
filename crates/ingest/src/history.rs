//! Keeping the fetch history bounded: about once a day (whoever runs first, a daemon or a cron `ingest`), fetch
//! history and page tries older than `history_days` are deleted, feed by feed.

use chrono::Utc;
use gazette_store::{Store, Task};

/// Deletes fetch history (and page retries) older than `days`, feed by feed, unless that was done less than a day ago
/// (by the daemon or by another `ingest`); logs what went. Failures are logged, not fatal: the history is only
/// bookkeeping.
pub async fn prune(store: Store, days: u64) {
    let now = Utc::now();
    let before = now - chrono::Duration::days(days.min(36_500) as i64);
    let day_ago = now - chrono::Duration::hours(23);
    let ids = match store.claim_task(Task::PruneHistory, day_ago).await {
        Ok(Some(ids)) => ids,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(error = %e, "could not prune fetch history");
            return;
        }
    };
    let mut deleted = 0;
    for id in ids {
        match store.prune_feed_history(id, before).await {
            Ok(n) => deleted += n,
            Err(e) => {
                tracing::warn!(error = %e, "could not prune fetch history");
                return;
            }
        }
    }
    if deleted > 0 {
        tracing::info!(rows = deleted, days, "pruned fetch history");
    }
}
