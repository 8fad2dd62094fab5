//! The extraction stage: CPU work (extract the article, tag its entities, compress the page) on dedicated OS threads
//! sized to the cores, never on the async workers.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::{ExtractJob, StoreJob};
use crate::article::{build_article, process_page_timed, Processed};
use crate::metrics::{Metrics, Queue};

/// One extraction thread: pages in, articles out, until the input closes.
pub(super) fn extract_worker(
    jobs: Arc<std::sync::Mutex<mpsc::Receiver<ExtractJob>>>,
    out: mpsc::Sender<StoreJob>,
    metrics: Arc<Metrics>,
) {
    loop {
        let job = match jobs.lock() {
            Ok(mut rx) => rx.blocking_recv(),
            Err(_) => None,
        };
        let Some(job) = job else { break };
        metrics.dequeued(Queue::Extract);
        let processed = match job.page {
            Ok(page) => {
                // A page that crashes the extractor becomes a page error; the thread lives on.
                // (The copy keeps the page for `gazette reprocess` once the extractor is fixed.)
                let html = page.html.clone();
                let crashed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    process_page_timed(page.html, page.final_url, job.fetched_at, Some(&metrics))
                }));
                let p = crashed.unwrap_or_else(|panic| {
                    let why = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    tracing::error!(url = job.item.url.as_deref().unwrap_or(""), panic = %why, "extraction crashed");
                    Processed {
                        html: Some(html),
                        ..Processed::failed(format!("extraction crashed: {why}"))
                    }
                });
                if let Some(e) = &p.error {
                    tracing::warn!(url = job.item.url.as_deref().unwrap_or(""), error = %e, "extraction failed");
                }
                p
            }
            Err(error) => Processed::failed(error),
        };
        let page_error = processed.error.is_some();
        let article = build_article(job.tracker.feed_id, &job.item, processed, job.fetched_at);
        metrics.queued(Queue::Store);
        let job = StoreJob {
            article,
            page_error,
            tracker: job.tracker,
        };
        if out.blocking_send(job).is_err() {
            metrics.dequeued(Queue::Store);
            break;
        }
    }
}
