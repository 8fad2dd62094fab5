//! The feed stage: fetch a due feed, record the fetch, schedule its next check, and send its new items on.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::sync::Mutex;

use chrono::Utc;
use gazette_fetch::{FeedItem, FeedOutcome, Validators};
use gazette_store::{ArticleKey, DueFeed, FeedDone, FeedUpdate, FetchRecord};
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
        mut attempts: Vec<FetchRecord>,
        error: &str,
        retry_after: Option<std::time::Duration>,
    ) -> bool {
        let (sh, feed_id, url) = (&self.shared, feed.id, &feed.url);
        let policy = sh.settings.policy.clone();
        // The attempts table tells successes from failures: a fetch that got a response but no feed failed.
        match attempts.last_mut() {
            Some(last) if last.error.is_none() => last.error = Some(error.to_string()),
            Some(_) => {}
            None => attempts.push(FetchRecord {
                started_at: gazette_store::to_rfc3339(started),
                error: Some(error.to_string()),
                ..Default::default()
            }),
        }
        let errors = u32::try_from(feed.error_count + 1).unwrap_or(u32::MAX);
        let next = schedule::at(
            started,
            schedule::after_failure(&policy, errors, retry_after, fastrand::f64()),
        );
        let err = error.to_string();
        let result = sh
            .writer
            .call(move |c| {
                let update = FeedUpdate {
                    error: Some(err.clone()),
                    next_check_at: Some(next),
                    ..Default::default()
                };
                gazette_store::record_fetch(c, feed_id, &attempts, &update)?;
                let since = gazette_store::failing_since(c, feed_id)?.unwrap_or_default();
                let disable =
                    schedule::parse_time(&since).is_some_and(|s| schedule::should_disable(&policy, s, started));
                if disable {
                    let reason = format!("disabled: failing since {since}; last error: {err}");
                    gazette_store::disable_failing_feed(c, feed_id, &reason)?;
                }
                Ok(disable)
            })
            .await;
        let disabled = match result {
            Ok(d) => d,
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
        let fresh = feed
            .last_full_fetch_at
            .as_deref()
            .and_then(schedule::parse_time)
            .is_some_and(|t| started - t < chrono::Duration::days(1));
        let validators = if fresh {
            Validators {
                etag: feed.etag.clone(),
                last_modified: feed.last_modified.clone(),
            }
        } else {
            Validators::default()
        };
        let fetch = sh.fetcher.fetch_feed(&feed.url, &validators).await;
        let attempts: Vec<FetchRecord> = fetch
            .attempts
            .iter()
            .map(|a| {
                sh.metrics.fetch(a.status, a.error.is_some());
                FetchRecord {
                    started_at: gazette_store::to_rfc3339(a.started_at),
                    status: a.status,
                    bytes: a.bytes,
                    duration_ms: a.duration_ms,
                    error: a.error.clone(),
                    ..Default::default()
                }
            })
            .collect();
        let policy = sh.settings.policy.clone();
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
        let keys: Vec<ArticleKey> = items
            .iter()
            .map(|i| ArticleKey {
                feed_id,
                item_key: i.key.clone(),
                url: i.url.clone(),
            })
            .collect();
        let update = FeedUpdate {
            title: fetched.feed.title.clone(),
            site_url: fetched.feed.site_url.clone(),
            moved_to: fetched.moved_to.clone(),
            hinted_interval: Some(fetched.min_interval),
            ..Default::default()
        };
        let recorded = sh
            .writer
            .call(move |c| {
                gazette_store::record_fetch(c, feed_id, &attempts, &update)?;
                // Per item: None when already stored, else its earlier page tries (if any).
                let mut pending: HashMap<String, gazette_store::PendingPage> =
                    gazette_store::pending_pages(c, feed_id)?
                        .into_iter()
                        .map(|p| (p.item_key.clone(), p))
                        .collect();
                let mut known = Vec::with_capacity(keys.len());
                for k in &keys {
                    known.push(match gazette_store::is_known(c, k)? {
                        true => None,
                        false => Some(pending.remove(&k.item_key)),
                    });
                }
                // What is left pending is not in the document.
                let departed = store_departed(c, feed_id, !keys.is_empty(), pending.into_values())?;
                let stored = if schedule::publishing_interval(&item_times, started).is_none() {
                    stored_times(c, feed_id)?
                } else {
                    item_times
                };
                Ok((known, stored, departed))
            })
            .await;
        let (known, times, departed) = match recorded {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(feed = %feed.url, error = %e, "could not record the fetch");
                return Some(report(FeedOutcomeKind::Fetched, 0, false));
            }
        };
        let rate = schedule::publishing_interval(&times, started);
        let next_check_at = schedule::at(
            started,
            schedule::after_success(&policy, rate, fetched.min_interval, fastrand::f64()),
        );
        let duplicates = known.iter().filter(|k| k.is_none()).count() as u64;
        sh.metrics.duplicates.fetch_add(duplicates, Ordering::Relaxed);
        sh.metrics.articles_stored.fetch_add(departed, Ordering::Relaxed);
        sh.metrics.page_errors.fetch_add(departed, Ordering::Relaxed);
        let new_items: Vec<(FeedItem, Option<gazette_store::PendingPage>)> = items
            .into_iter()
            .zip(known)
            .filter_map(|(i, k)| k.map(|earlier| (i, earlier)))
            .collect();
        if new_items.is_empty() {
            let done = FeedDone {
                etag: fetched.validators.etag,
                last_modified: fetched.validators.last_modified,
                next_check_at,
                new_items: 0,
                duplicate_items: duplicates,
            };
            if let Err(e) = sh
                .writer
                .call(move |c| gazette_store::finish_feed(c, feed_id, &done))
                .await
            {
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
        attempts: Vec<FetchRecord>,
        header_hint: Option<std::time::Duration>,
    ) -> FeedReport {
        let (feed_id, policy) = (feed.id, self.shared.settings.policy.clone());
        let hint = feed.hinted_interval.max(header_hint);
        let result = self
            .shared
            .writer
            .call(move |c| {
                gazette_store::record_fetch(c, feed_id, &attempts, &FeedUpdate::default())?;
                let times = stored_times(c, feed_id)?;
                let rate = schedule::publishing_interval(&times, started);
                let next = schedule::at(started, schedule::after_success(&policy, rate, hint, fastrand::f64()));
                gazette_store::set_next_check(c, feed_id, &next)
            })
            .await;
        if let Err(e) = result {
            tracing::error!(feed = %feed.url, error = %e, "could not record the fetch");
        }
        FeedReport::without_items(feed_id, &feed.url, FeedOutcomeKind::Unchanged, 0, true)
    }
}

/// Stores, without their pages, the items still waiting for a page try that are gone from the feed (they would never
/// come back to be tried), unless the document was empty (that says more about the server than about the items).
/// Returns how many were stored.
fn store_departed(
    c: &mut rusqlite::Connection,
    feed_id: i64,
    document_has_items: bool,
    gone: impl Iterator<Item = gazette_store::PendingPage>,
) -> gazette_store::Result<u64> {
    if !document_has_items {
        return Ok(0);
    }
    let mut articles = Vec::new();
    for p in gone {
        match p.item.as_deref().and_then(|j| serde_json::from_str::<FeedItem>(j).ok()) {
            Some(item) => {
                let why = format!(
                    "the item left the feed before its page could be fetched ({} tries; last: {})",
                    p.tries,
                    p.last_error.as_deref().unwrap_or("unknown error")
                );
                articles.push(super::extract::unfetched_article(
                    feed_id,
                    &item,
                    why,
                    gazette_store::now_rfc3339(),
                ));
            }
            None => gazette_store::forget_page(c, feed_id, &p.item_key)?,
        }
    }
    if articles.is_empty() {
        return Ok(0);
    }
    let stored = gazette_store::insert_articles(c, &articles)?;
    Ok(stored
        .iter()
        .filter(|r| matches!(r, Ok(gazette_store::StoredArticle::Inserted(_))))
        .count() as u64)
}

/// Item times of a feed's stored articles, to learn its pace when the feed document has no dates.
fn stored_times(c: &rusqlite::Connection, feed_id: i64) -> gazette_store::Result<Vec<chrono::DateTime<Utc>>> {
    Ok(gazette_store::recent_article_times(c, feed_id, schedule::RATE_WINDOW)?
        .iter()
        .filter_map(|t| schedule::parse_time(t))
        .collect())
}
