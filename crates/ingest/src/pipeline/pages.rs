//! The page stage: download each new item's page, politely (the fetcher keeps per-host limits and robots.txt).
//!
//! A page that fails transiently (a timeout, a 5xx, an unreachable robots.txt) says nothing about the article: the
//! item is not stored, and its feed is checked again sooner, with its old validators, so that the item comes back.
//! Its tries are counted in the database (`page_retries`, so they survive restarts and cron runs) and spaced like a
//! failing feed's (`min_interval`, twice that, ...): an item that comes back before its next try is due is left for
//! later. After [`MAX_PAGE_TRIES`] the item is stored without its page, so that one dead link cannot keep its feed on
//! a short leash forever. A host that asked for a pause (Retry-After) is not asked at all: that is no try, and the
//! feed comes back when the pause ends.

use std::sync::atomic::Ordering;
use std::time::Duration;

use chrono::{DateTime, Utc};
use gazette_fetch::FetchError;
use tokio::sync::mpsc;

use super::{ExtractJob, PageJob, Pipeline, SharedRx};
use crate::metrics::Queue;
use crate::schedule::Policy;

/// Tries of one page before its item is stored as a page error. With the retry waits doubling from `min_interval`
/// (5 minutes by default), the last try comes about ten hours after the first.
pub const MAX_PAGE_TRIES: u32 = 8;

/// When a page that failed `tries` times, last at `last`, is tried again: backed off like a failing feed
/// (`min_interval`, twice that, ...), never sooner than the feed's own hint. `random` in [0, 1) is the jitter.
pub fn next_page_try(
    policy: &Policy,
    tries: u32,
    last: DateTime<Utc>,
    hint: Option<Duration>,
    random: f64,
) -> DateTime<Utc> {
    let wait = crate::schedule::after_failure(policy, tries, hint, random);
    last + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::days(1))
}

impl Pipeline {
    fn next_try(&self, tries: u32, last: DateTime<Utc>, hint: Option<Duration>, random: f64) -> DateTime<Utc> {
        next_page_try(&self.shared.settings.policy, tries, last, hint, random)
    }

    pub(super) async fn page_worker(self, pages: SharedRx<PageJob>, out: mpsc::Sender<ExtractJob>) {
        let sh = &self.shared;
        loop {
            let job = { pages.lock().await.recv().await };
            let Some(job) = job else { break };
            sh.metrics.dequeued(Queue::Pages);
            if sh.draining.load(Ordering::SeqCst) {
                // Not downloaded yet: dropped, and its feed stays due.
                continue;
            }
            // An item whose page failed before is tried again once its back-off has passed; until then its feed keeps
            // coming back for it.
            if let Some(earlier) = &job.earlier {
                let due = self.next_try(earlier.tries, earlier.last_tried_at, job.tracker.hint, 0.0);
                if due > Utc::now() {
                    job.tracker.retry_no_later_than(due);
                    continue;
                }
            }
            let fetched_at = crate::schedule::to_second(Utc::now());
            let page = match &job.item.url {
                Some(url) => {
                    let (fetcher, u, robots) = (sh.fetcher.clone(), url.clone(), job.obey_robots);
                    match tokio::spawn(async move { fetcher.fetch_page(&u, robots).await }).await {
                        Ok(Ok(page)) => {
                            sh.metrics.pages_fetched.inc();
                            Ok(page)
                        }
                        Ok(Err(FetchError::HostPaused { wait, .. })) => {
                            // Nothing was asked of the host: not a try. Back when it said.
                            let wait = chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::days(1));
                            job.tracker.retry_no_later_than(Utc::now() + wait);
                            continue;
                        }
                        Ok(Err(e)) if e.is_transient() => {
                            let (feed_id, key, error) = (job.tracker.feed_id, job.item.key.clone(), e.to_string());
                            let item = serde_json::to_string(&job.item).expect("a feed item serialises");
                            let tries = sh
                                .store
                                .page_failed(feed_id, &key, &error, item)
                                .await
                                .unwrap_or_else(|e| {
                                    tracing::error!(error = %e, "could not count the page's tries");
                                    1
                                });
                            if tries < MAX_PAGE_TRIES {
                                tracing::warn!(url = %url, error = %e, tries, "page fetch failed; will retry");
                                sh.metrics.page_errors.inc();
                                job.tracker.page_errors.fetch_add(1, Ordering::Relaxed);
                                let retry = self.next_try(tries, Utc::now(), job.tracker.hint, fastrand::f64());
                                job.tracker.retry_no_later_than(retry);
                                continue;
                            }
                            tracing::warn!(url = %url, error = %e, tries, "page fetch failed again; storing the item without its page");
                            Err(format!("{e} (gave up after {tries} tries)"))
                        }
                        Ok(Err(e)) => {
                            tracing::warn!(url = %url, error = %e, "page fetch failed");
                            Err(e.to_string())
                        }
                        Err(e) => {
                            tracing::error!(url = %url, error = %e, "page fetch crashed");
                            Err(format!("page fetch crashed: {e}"))
                        }
                    }
                }
                None => Err("the feed item has no link".to_string()),
            };
            sh.metrics.queued(Queue::Extract);
            let job = ExtractJob {
                item: job.item,
                page,
                fetched_at,
                tracker: job.tracker,
            };
            if out.send(job).await.is_err() {
                sh.metrics.dequeued(Queue::Extract);
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_retries_back_off_like_a_failing_feed_and_respect_the_hint() {
        let policy = Policy::default();
        let last = Utc::now();
        let waits: Vec<i64> = (1..=MAX_PAGE_TRIES)
            .map(|tries| (next_page_try(&policy, tries, last, None, 0.0) - last).num_seconds())
            .collect();
        assert_eq!(waits[..3], [300, 600, 1200]);
        assert!(waits.windows(2).all(|w| w[0] <= w[1]));
        // The last try comes about ten hours after the first (the waits before it add up).
        let total: i64 = waits[..MAX_PAGE_TRIES as usize - 1].iter().sum();
        assert!((9 * 3600..=14 * 3600).contains(&total), "{total}");
        let hinted = next_page_try(&policy, 1, last, Some(Duration::from_secs(7200)), 0.0);
        assert_eq!((hinted - last).num_seconds(), 7200);
    }
}
