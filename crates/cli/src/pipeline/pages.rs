//! The page stage: download each new item's page, politely (the fetcher keeps per-host limits and robots.txt).

use std::sync::atomic::Ordering;

use tokio::sync::mpsc;

use super::{ExtractJob, PageJob, Pipeline, SharedRx};
use crate::metrics::Queue;

impl Pipeline {
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
            let fetched_at = gazette_store::now_rfc3339();
            let page = match &job.item.url {
                Some(url) => {
                    let (fetcher, u, robots) = (sh.fetcher.clone(), url.clone(), job.obey_robots);
                    match tokio::spawn(async move { fetcher.fetch_page(&u, robots).await }).await {
                        Ok(Ok(page)) => {
                            sh.metrics.pages_fetched.fetch_add(1, Ordering::Relaxed);
                            Ok(page)
                        }
                        Ok(Err(e)) if e.is_transient() => {
                            // A timeout or a 5xx says nothing about the article: not stored, and its feed is
                            // retried soon with its old validators, so that the item comes back.
                            tracing::warn!(url = %url, error = %e, "page fetch failed; will retry");
                            sh.metrics.page_errors.fetch_add(1, Ordering::Relaxed);
                            job.tracker.page_errors.fetch_add(1, Ordering::Relaxed);
                            job.tracker.store_failed.store(true, Ordering::Relaxed);
                            continue;
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
