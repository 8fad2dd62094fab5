//! A fetched feed's progress point (new validators, next check) is saved only once every new item of that fetch is
//! committed: each item carries the feed's [`FeedTracker`]; when the last one is dropped, the finisher saves the
//! progress point (or schedules a retry) and reports the feed.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use gazette_fetch::Validators;
use gazette_store::{FeedEnd, FeedId, ItemCounts};
use tokio::sync::mpsc;

use super::{FeedOutcomeKind, FeedReport, Pipeline};
use crate::schedule;

/// One fetched feed's new items on their way through the stages. When the last item is dropped (stored, or dropped
/// at shutdown), the tracker reports to the finisher, which saves the feed's progress point if all were committed.
pub(super) struct FeedTracker {
    pub(super) feed_id: FeedId,
    pub(super) url: String,
    pub(super) items: u64,
    pub(super) committed: AtomicU64,
    pub(super) new: AtomicU64,
    pub(super) duplicates: AtomicU64,
    pub(super) page_errors: AtomicU64,
    /// Set when some item must be tried again (its page failed transiently or is not due for its next try, or
    /// storing it failed): the earliest time one of them wants the feed back.
    pub(super) retry_at: Mutex<Option<DateTime<Utc>>>,
    pub(super) validators: Validators,
    pub(super) next_check_at: DateTime<Utc>,
    /// The feed's own lower bound on its check interval (TTL, caching headers), also for retries.
    pub(super) hint: Option<std::time::Duration>,
    pub(super) finished: mpsc::UnboundedSender<Finished>,
}

pub(super) struct Finished {
    feed_id: FeedId,
    url: String,
    complete: bool,
    retry_at: Option<DateTime<Utc>>,
    new: u64,
    duplicates: u64,
    page_errors: u64,
    validators: Validators,
    next_check_at: DateTime<Utc>,
}

impl FeedTracker {
    /// Some item must come back: check the feed again at `at` (or sooner, for another item).
    pub(super) fn retry_no_later_than(&self, at: DateTime<Utc>) {
        let mut r = self.retry_at.lock().expect("retry lock");
        *r = Some(r.map_or(at, |earlier| earlier.min(at)));
    }
}

impl Drop for FeedTracker {
    fn drop(&mut self) {
        let committed = self.committed.load(Ordering::Relaxed);
        let _ = self.finished.send(Finished {
            feed_id: self.feed_id,
            url: std::mem::take(&mut self.url),
            complete: committed == self.items,
            retry_at: *self.retry_at.lock().expect("retry lock"),
            new: self.new.load(Ordering::Relaxed),
            duplicates: self.duplicates.load(Ordering::Relaxed),
            page_errors: self.page_errors.load(Ordering::Relaxed),
            validators: std::mem::take(&mut self.validators),
            next_check_at: self.next_check_at,
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
            let end = if f.complete {
                FeedEnd::Complete {
                    etag: f.validators.etag,
                    last_modified: f.validators.last_modified,
                    next_check_at: f.next_check_at,
                }
            } else if let Some(at) = f.retry_at {
                // Back when an item wants to be tried again (never sooner than min_interval, never later than the
                // feed's normal check), with the old validators so that the items come back.
                let soonest = schedule::at(Utc::now(), sh.settings.policy.min_interval);
                FeedEnd::RetryAt(schedule::to_second(at).max(soonest).min(f.next_check_at))
            } else {
                // Stopped part-way: the feed stays due, and the next run picks up what was not stored.
                FeedEnd::Interrupted
            };
            let counts = ItemCounts {
                new_items: f.new,
                duplicate_items: f.duplicates,
            };
            let result = sh.store.finish_feed(feed_id, end, counts).await;
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
