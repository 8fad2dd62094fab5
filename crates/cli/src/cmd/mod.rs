//! One module per subcommand.

pub mod config;
pub mod daemon;
pub mod dates;
pub mod eval_dates;
pub mod eval_extract;
pub mod eval_ner;
pub mod eval_places;
pub mod eval_stories;
pub mod eval_titles;
pub mod export;
pub mod extract;
pub mod feeds;
pub mod ingest;
pub mod query;
pub mod reprocess;
pub mod search;
pub mod stats;
pub mod train_ner;

use std::future::Future;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::config::Config;

/// Runs `job` on a multi-threaded runtime beside the database's writer thread, then shuts both down in the order that
/// loses nothing: tasks still holding the writer (after an interrupted run) are dropped with the runtime (each write
/// is a transaction, so nothing is half written), then the writer finishes its queue and checkpoints.
pub fn with_runtime_and_writer<T, F, Fut>(config: &Config, job: F) -> Result<T>
where
    F: FnOnce(gazette_store::Writer) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("gazette-async")
        .build()
        .context("starting the async runtime")?;
    let writer = gazette_store::Writer::spawn(&config.db)
        .with_context(|| format!("opening database {}", config.db.display()))?;
    let result = runtime.block_on(job(writer.clone()));
    runtime.shutdown_timeout(Duration::from_secs(1));
    writer.close();
    result
}

/// Deletes fetch history (and page retries) older than `days`, feed by feed, unless that was done less than a day ago
/// (by the daemon or by another `ingest`); logs what went. Failures are logged, not fatal: the history is only
/// bookkeeping.
pub async fn prune_history(writer: gazette_store::Writer, days: u64) {
    let now = chrono::Utc::now();
    let before = gazette_store::to_rfc3339(now - chrono::Duration::days(days.min(36_500) as i64));
    let day_ago = gazette_store::to_rfc3339(now - chrono::Duration::hours(23));
    let claimed = writer
        .call(move |c| {
            Ok(match gazette_store::claim_task(c, "prune_history", &day_ago)? {
                true => Some(gazette_store::feed_ids(c)?),
                false => None,
            })
        })
        .await;
    let ids = match claimed {
        Ok(Some(ids)) => ids,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(error = %e, "could not prune fetch history");
            return;
        }
    };
    let mut deleted = 0;
    for id in ids {
        let before = before.clone();
        match writer
            .call(move |c| gazette_store::prune_feed_history(c, id, &before))
            .await
        {
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
