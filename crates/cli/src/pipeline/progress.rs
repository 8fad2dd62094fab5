//! A fetched feed's progress point (new validators, next check) is saved only once every new item of that fetch is
//! committed: each item carries the feed's [`FeedTracker`]; when the last one is dropped, the finisher saves the
//! progress point (or schedules a retry) and reports the feed.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use chrono::Utc;
use gazette_fetch::Validators;
use gazette_store::FeedDone;
use tokio::sync::mpsc;

use super::{FeedOutcomeKind, FeedReport, Pipeline};
use crate::schedule;

/// One fetched feed's new items on their way through the stages. When the last item is dropped (stored, or dropped
/// at shutdown), the tracker reports to the finisher, which saves the feed's progress point if all were committed.
pub(super) struct FeedTracker {
    pub(super) feed_id: i64,
    pub(super) url: String,
    pub(super) items: u64,
    pub(super) committed: AtomicU64,
    pub(super) new: AtomicU64,
    pub(super) duplicates: AtomicU64,
    pub(super) page_errors: AtomicU64,
    /// Non-zero when some item must be tried again: the most failures of one of its pages so far (1 for a store
    /// failure).
    pub(super) retry_tries: AtomicU32,
    pub(super) validators: Validators,
    pub(super) next_check_at: String,
    /// The feed's own lower bound on its check interval (TTL, caching headers), also for retries.
    pub(super) hint: Option<Duration>,
    pub(super) finished: mpsc::UnboundedSender<Finished>,
}

pub(super) struct Finished {
    feed_id: i64,
    url: String,
    complete: bool,
    retry_tries: u32,
    new: u64,
    duplicates: u64,
    page_errors: u64,
    validators: Validators,
    next_check_at: String,
    hint: Option<Duration>,
}

impl Drop for FeedTracker {
    fn drop(&mut self) {
        let committed = self.committed.load(Ordering::Relaxed);
        let _ = self.finished.send(Finished {
            feed_id: self.feed_id,
            url: std::mem::take(&mut self.url),
            complete: committed == self.items,
            retry_tries: self.retry_tries.load(Ordering::Relaxed),
            new: self.new.load(Ordering::Relaxed),
            duplicates: self.duplicates.load(Ordering::Relaxed),
            page_errors: self.page_errors.load(Ordering::Relaxed),
            validators: std::mem::take(&mut self.validators),
            next_check_at: std::mem::take(&mut self.next_check_at),
            hint: self.hint,
        });
    }
}

impl Pipeline {
    /// Saves each fetched feed's progress point once its items are through, and reports it.
    pub(super) async fn finisher(
        self,
        mut finished: mpsc::UnboundedReceiver<Finished>,
        reports: mpsc::UnboundedSender<FeedReport>,
    ) {
        let sh = &self.shared;
        while let Some(f) = finished.recv().await {
            let feed_id = f.feed_id;
            let result = if f.complete {
                let done = FeedDone {
                    etag: f.validators.etag,
                    last_modified: f.validators.last_modified,
                    next_check_at: f.next_check_at,
                    new_items: f.new,
                    duplicate_items: f.duplicates,
                };
                sh.writer
                    .call(move |c| gazette_store::finish_feed(c, feed_id, &done))
                    .await
            } else if f.retry_tries > 0 {
                // Try again sooner, with the old validators so that the items come back: backed off by how often the
                // item failed, never later than the feed's normal check nor sooner than the feed asks.
                let wait = schedule::after_failure(&sh.settings.policy, f.retry_tries, f.hint, fastrand::f64());
                let next = schedule::at(Utc::now(), wait).min(f.next_check_at);
                sh.writer
                    .call(move |c| gazette_store::set_next_check(c, feed_id, &next))
                    .await
            } else {
                // Stopped part-way: the feed stays due, and the next run picks up what was not stored.
                let (new, dup) = (f.new, f.duplicates);
                sh.writer
                    .call(move |c| gazette_store::set_fetch_counts(c, feed_id, new, dup))
                    .await
            };
            if let Err(e) = result {
                tracing::error!(feed = %f.url, error = %e, "could not save the feed's progress");
            }
            let _ = reports.send(FeedReport {
                feed_id,
                url: f.url,
                outcome: FeedOutcomeKind::Fetched,
                new_articles: f.new,
                duplicates: f.duplicates,
                page_errors: f.page_errors,
                complete: f.complete,
            });
        }
    }
}
