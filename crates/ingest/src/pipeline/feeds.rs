//! The feed stage: fetch a due feed, record the fetch, schedule its next check, and send its new items on.
//!
//! Dedup: the same key twice in one document is one item, and the store says which items it has (or the user
//! deleted). Departed items: an item still waiting for a page try that is gone from the document would never come
//! back to be tried, so it is stored without its page (unless the document was empty: that says more about the
//! server than about the items).

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::sync::Mutex;

use chrono::Utc;
use gazette_fetch::{FeedItem, FeedOutcome, Validators};
use gazette_store::{
    AnsweredFetch, DueFeed, FailedFetch, FeedEnd, FeedUpdate, FetchAttempt, ItemCounts, ItemKey, PendingPage,
    StoredArticle,
};
use tokio::sync::mpsc;

use super::{FeedOutcomeKind, FeedReport, FeedTracker, Finished, PageJob, Pipeline, SharedRx};
use crate::metrics::Queue;
use crate::schedule;

impl Pipeline {
    pub(super) async fn feed_worker(
        self,
        feeds: SharedRx<DueFeed>,
        pages: mpsc::Sender<PageJob>,
        finished: mpsc::UnboundedSender<Finished>,
        reports: mpsc::UnboundedSender<FeedReport>,
    ) {
        loop {
            let feed = { feeds.lock().await.recv().await };
            let Some(feed) = feed else { break };
            self.shared.metrics.dequeued(Queue::Feeds);
            if self.shared.draining.load(Ordering::SeqCst) {
                let _ = reports.send(FeedReport::without_items(
                    feed.id,
                    &feed.url,
                    FeedOutcomeKind::Skipped,
                    0,
                    false,
                ));
                continue;
            }
            // In its own task, so that a bug that panics on one feed costs that feed, not this worker.
            let due = feed.clone();
            let (this, pages2, finished2) = (self.clone(), pages.clone(), finished.clone());
            let run = tokio::spawn(async move { this.ingest_feed(feed, &pages2, &finished2).await });
            match run.await {
                Ok(Some(report)) => {
                    let _ = reports.send(report);
                }
                Ok(None) => {}
                Err(e) => {
                    let error = format!("ingest crashed: {e}");
                    tracing::error!(feed = %due.url, error = %error, "feed task failed");
                    // Counted as a failed fetch: backed off, and disabled if it keeps happening, so a feed that trips
                    // a bug is not retried in a hot loop.
                    let disabled = self.record_failure(&due, Utc::now(), Vec::new(), &error, None).await;
                    let outcome = FeedOutcomeKind::Failed { error, disabled };
                    let _ = reports.send(FeedReport::without_items(due.id, &due.url, outcome, 0, false));
                }
            }
        }
    }

    /// Records a failed fetch (its attempts, the longer error streak, a backed-off next check) and disables the feed
    /// once it has failed for `disable_after`. Returns whether it was disabled.
    async fn record_failure(
        &self,
        feed: &DueFeed,
        started: chrono::DateTime<Utc>,
        mut attempts: Vec<FetchAttempt>,
        error: &str,
        retry_after: Option<std::time::Duration>,
    ) -> bool {
        let (sh, feed_id, url) = (&self.shared, feed.id, &feed.url);
        let policy = &sh.settings.policy;
        // The attempts table tells successes from failures: a fetch that got a response but no feed failed.
        match attempts.last_mut() {
            Some(last) if last.error.is_none() => last.error = Some(error.to_string()),
            Some(_) => {}
            None => attempts.push(FetchAttempt::failed(schedule::to_second(started), error)),
        }
        let errors = u32::try_from(feed.error_count + 1).unwrap_or(u32::MAX);
        let next = schedule::at(
            started,
            schedule::after_failure(policy, errors, retry_after, fastrand::f64()),
        );
        let failed = FailedFetch {
            attempts,
            error: error.to_string(),
            next_check_at: next,
            disable_if_failing_since: schedule::disable_if_failing_since(policy, started),
        };
        let disabled = match sh.store.record_failure(feed_id, failed).await {
            Ok(r) => r.disabled,
            Err(e) => {
                tracing::error!(feed = %url, error = %e, "could not record the fetch");
                false
            }
        };
        if disabled {
            tracing::warn!(feed = %url, "feed disabled after failing too long; `gazette feeds enable {feed_id}` resumes it");
        }
        disabled
    }

    /// Fetches a feed and records the fetch. Returns its report unless new items went down the pipeline (then the
    /// finisher reports once they are through).
    async fn ingest_feed(
        &self,
        feed: DueFeed,
        pages: &mpsc::Sender<PageJob>,
        finished: &mpsc::UnboundedSender<Finished>,
    ) -> Option<FeedReport> {
        let sh = &self.shared;
        let started = Utc::now();
        // Conditional GET, except when the last full answer is a day old: some servers send stale validators.
        let validators = if schedule::validators_fresh(feed.last_full_fetch_at, started) {
            Validators {
                etag: feed.etag.clone(),
                last_modified: feed.last_modified.clone(),
            }
        } else {
            Validators::default()
        };
        let fetch = sh.fetcher.fetch_feed(&feed.url, &validators).await;
        let attempts: Vec<FetchAttempt> = fetch
            .attempts
            .iter()
            .map(|a| {
                sh.metrics.fetch(a.status, a.error.is_some());
                FetchAttempt {
                    started_at: schedule::to_second(a.started_at),
                    status: a.status,
                    bytes: a.bytes,
                    duration_ms: a.duration_ms,
                    error: a.error.clone(),
                }
            })
            .collect();
        let policy = &sh.settings.policy;
        let feed_id = feed.id;
        let report = |outcome, duplicates, complete| {
            FeedReport::without_items(feed_id, &feed.url, outcome, duplicates, complete)
        };

        let fetched = match fetch.outcome {
            Err(e) => {
                tracing::warn!(feed = %feed.url, error = %e, "feed fetch failed");
                let error = e.to_string();
                let disabled = self
                    .record_failure(&feed, started, attempts, &error, e.retry_after())
                    .await;
                return Some(report(FeedOutcomeKind::Failed { error, disabled }, 0, true));
            }
            Ok(FeedOutcome::NotModified { min_interval }) => {
                return Some(self.not_modified(&feed, started, attempts, min_interval).await);
            }
            Ok(FeedOutcome::Fetched(f)) => f,
        };

        // The same key twice in one document is one item.
        let mut seen = HashSet::new();
        let items: Vec<FeedItem> = fetched
            .feed
            .items
            .into_iter()
            .filter(|i| seen.insert(i.key.clone()))
            .collect();
        let item_times: Vec<_> = items.iter().filter_map(|i| i.published).collect();
        let keys: Vec<ItemKey> = items
            .iter()
            .map(|i| ItemKey {
                key: i.key.clone(),
                url: i.url.clone(),
            })
            .collect();
        let document_has_items = !keys.is_empty();
        let answered = AnsweredFetch {
            attempts,
            update: FeedUpdate {
                title: fetched.feed.title.clone(),
                site_url: fetched.feed.site_url.clone(),
                moved_to: fetched.moved_to.clone(),
                hinted_interval: Some(fetched.min_interval),
            },
            items: keys,
            // The document's own dates give the pace; without them, the stored articles'.
            recent_times: match schedule::publishing_interval(&item_times, started) {
                None => schedule::RATE_WINDOW,
                Some(_) => 0,
            },
        };
        let recorded = match sh.store.record_fetch(feed_id, answered).await {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(feed = %feed.url, error = %e, "could not record the fetch");
                return Some(report(FeedOutcomeKind::Fetched, 0, false));
            }
        };
        let departed = match document_has_items {
            true => self.store_departed(feed_id, recorded.departed).await,
            false => 0,
        };
        let known = recorded.new_items;
        let times = match recorded.recent_times.is_empty() {
            true => item_times,
            false => recorded.recent_times,
        };
        let rate = schedule::publishing_interval(&times, started);
        let next_check_at = schedule::at(
            started,
            schedule::after_success(policy, rate, fetched.min_interval, fastrand::f64()),
        );
        let duplicates = known.iter().filter(|k| k.is_none()).count() as u64;
        sh.metrics.duplicates.inc_by(duplicates);
        sh.metrics.articles_stored.inc_by(departed);
        sh.metrics.page_errors.inc_by(departed);
        let new_items: Vec<(FeedItem, Option<PendingPage>)> = items
            .into_iter()
            .zip(known)
            .filter_map(|(i, k)| k.map(|earlier| (i, earlier)))
            .collect();
        if new_items.is_empty() {
            let end = FeedEnd::Complete {
                etag: fetched.validators.etag,
                last_modified: fetched.validators.last_modified,
                next_check_at,
            };
            let counts = ItemCounts {
                new_items: 0,
                duplicate_items: duplicates,
            };
            if let Err(e) = sh.store.finish_feed(feed_id, end, counts).await {
                tracing::error!(feed = %feed.url, error = %e, "could not save the feed's progress");
            }
            let mut r = report(FeedOutcomeKind::Fetched, duplicates, true);
            (r.new_articles, r.page_errors) = (departed, departed);
            return Some(r);
        }

        let tracker = Arc::new(FeedTracker {
            feed_id,
            url: feed.url.clone(),
            items: new_items.len() as u64,
            committed: AtomicU64::new(0),
            new: AtomicU64::new(departed),
            duplicates: AtomicU64::new(duplicates),
            page_errors: AtomicU64::new(departed),
            retry_at: Mutex::new(None),
            validators: fetched.validators,
            next_check_at,
            hint: fetched.min_interval,
            finished: finished.clone(),
        });
        for (item, earlier) in new_items {
            if sh.draining.load(Ordering::SeqCst) {
                break;
            }
            let job = PageJob {
                item,
                earlier,
                obey_robots: feed.obey_robots,
                tracker: tracker.clone(),
            };
            sh.metrics.queued(Queue::Pages);
            if pages.send(job).await.is_err() {
                sh.metrics.dequeued(Queue::Pages);
                break;
            }
        }
        None
    }

    /// A 304: nothing new. The pace comes from the stored articles; the feed's stored hint (its TTL) and the 304's
    /// own caching headers are lower bounds.
    async fn not_modified(
        &self,
        feed: &DueFeed,
        started: chrono::DateTime<Utc>,
        attempts: Vec<FetchAttempt>,
        header_hint: Option<std::time::Duration>,
    ) -> FeedReport {
        let (sh, feed_id) = (&self.shared, feed.id);
        let hint = feed.hinted_interval.max(header_hint);
        let answered = AnsweredFetch {
            attempts,
            recent_times: schedule::RATE_WINDOW,
            ..Default::default()
        };
        let result = match sh.store.record_fetch(feed_id, answered).await {
            Ok(recorded) => {
                let rate = schedule::publishing_interval(&recorded.recent_times, started);
                let wait = schedule::after_success(&sh.settings.policy, rate, hint, fastrand::f64());
                sh.store.set_next_check(feed_id, schedule::at(started, wait)).await
            }
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            tracing::error!(feed = %feed.url, error = %e, "could not record the fetch");
        }
        FeedReport::without_items(feed_id, &feed.url, FeedOutcomeKind::Unchanged, 0, true)
    }

    /// Stores, without their pages, the items still waiting for a page try that are gone from the feed; forgets
    /// those whose item cannot be read back. Returns how many were stored.
    async fn store_departed(&self, feed_id: gazette_store::FeedId, gone: Vec<PendingPage>) -> u64 {
        let (articles, unreadable) = departed_articles(feed_id, gone, Utc::now());
        let sh = &self.shared;
        if !unreadable.is_empty() {
            if let Err(e) = sh.store.forget_pages(feed_id, unreadable).await {
                tracing::error!(error = %e, "could not forget unreadable page tries");
            }
        }
        if articles.is_empty() {
            return 0;
        }
        match sh.store.store_articles(articles).await {
            Ok(batch) => batch
                .results
                .iter()
                .filter(|r| matches!(r, Ok(StoredArticle::Inserted(_))))
                .count() as u64,
            Err(e) => {
                tracing::error!(error = %e, "could not store the items that left their feed");
                0
            }
        }
    }
}

/// The articles to store for items that left their feed before their page could be fetched (from the feed items
/// kept with their tries), and the keys of those whose item cannot be read back.
pub(crate) fn departed_articles(
    feed_id: gazette_store::FeedId,
    gone: Vec<PendingPage>,
    now: chrono::DateTime<Utc>,
) -> (Vec<gazette_store::NewArticle>, Vec<String>) {
    let mut articles = Vec::new();
    let mut unreadable = Vec::new();
    for p in gone {
        match p.item.as_deref().and_then(|j| serde_json::from_str::<FeedItem>(j).ok()) {
            Some(item) => {
                let why = format!(
                    "the item left the feed before its page could be fetched ({} tries; last: {})",
                    p.tries,
                    p.last_error.as_deref().unwrap_or("unknown error")
                );
                articles.push(crate::article::unfetched_article(
                    feed_id,
                    &item,
                    why,
                    schedule::to_second(now),
                ));
            }
            None => unreadable.push(p.item_key),
        }
    }
    (articles, unreadable)
}
