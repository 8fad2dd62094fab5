//! The ingest pipeline, shared by `gazette ingest` and `gazette daemon`: feed -> items -> page -> article -> entities
//! -> store.
//!
//! Stages joined by bounded channels, so a slow stage slows the ones before it and memory stays flat:
//!
//! ```text
//!  feeds ─▶ feed workers ─▶ pages ─▶ page workers ─▶ extract ─▶ extract threads ─▶ store ─▶ store task ─▶ writer
//!           (fetch, record,           (fetch page)               (extract + tag,             (insert, in
//!            dedup lookup)                                        one OS thread per core)     batches)
//! ```
//!
//! Extraction and tagging are CPU work: they run on a pool of dedicated threads sized to the cores, never on the async
//! workers. All SQLite work goes through the single writer thread.
//!
//! A feed's progress point (its new validators and its next check) is saved only once every new item of that fetch is
//! committed. So a crash or kill at any moment loses no committed article, and the next start re-fetches the feed
//! unconditionally enough to pick up what was not stored, while dedup keeps what was from being stored twice.
//!
//! One module per stage: [`feeds`] (fetch, record, dedup, departed items), [`pages`] (download, page retries),
//! [`extract`] (extract + tag, on threads; the assembly itself is in [`crate::article`]), [`store`] (insert in
//! batches), [`progress`] (a feed's progress point, saved once its items are through).

mod extract;
mod feeds;
mod pages;
mod progress;
mod report;
mod store;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use gazette_fetch::{FeedItem, Fetcher};
use gazette_store::{DueFeed, NewArticle, PendingPage, Store};
use tokio::sync::mpsc;

use crate::metrics::{Metrics, Queue};
use crate::schedule::Policy;
use crate::sleep_until_opt;

pub use report::{FeedOutcomeKind, FeedReport, Summary};

use extract::extract_worker;
use progress::{FeedTracker, Finished};

/// How much runs at once, and how feeds are scheduled.
#[derive(Debug, Clone)]
pub struct Settings {
    pub feed_concurrency: usize,
    pub page_concurrency: usize,
    pub extract_threads: usize,
    pub policy: Policy,
}

impl Settings {
    pub fn from_config(c: &crate::config::Config) -> Settings {
        Settings {
            feed_concurrency: c.feed_concurrency,
            page_concurrency: c.page_concurrency,
            extract_threads: c.extract_threads,
            policy: c.policy(),
        }
    }
}

/// How [`Pipeline::run_batch`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchEnd {
    /// Every feed was processed.
    Done,
    /// Stopped by a signal; `drained` when the in-flight work finished within the grace period.
    Stopped { drained: bool },
}

/// Everything the stages share.
struct Shared {
    fetcher: Fetcher,
    store: Store,
    settings: Settings,
    metrics: Arc<Metrics>,
    /// Set on shutdown: take no new feeds, dispatch no more items.
    draining: AtomicBool,
}

/// The pipeline. Cheap to clone.
#[derive(Clone)]
pub struct Pipeline {
    shared: Arc<Shared>,
}

/// A started pipeline: send feeds in, read one report per feed out. Dropping `feeds` lets the stages finish what
/// they hold and exit; `reports` then ends.
pub struct Running {
    pub feeds: mpsc::Sender<DueFeed>,
    pub reports: mpsc::UnboundedReceiver<FeedReport>,
}

struct PageJob {
    item: FeedItem,
    /// The item's earlier transient page failures, if any.
    earlier: Option<PendingPage>,
    obey_robots: bool,
    tracker: Arc<FeedTracker>,
}

struct ExtractJob {
    item: FeedItem,
    page: Result<gazette_fetch::Page, String>,
    fetched_at: DateTime<Utc>,
    tracker: Arc<FeedTracker>,
}

struct StoreJob {
    article: NewArticle,
    page_error: bool,
    tracker: Arc<FeedTracker>,
}

/// A receiver shared by a pool of async workers.
type SharedRx<T> = Arc<tokio::sync::Mutex<mpsc::Receiver<T>>>;

impl Pipeline {
    pub fn new(fetcher: Fetcher, store: Store, settings: Settings, metrics: Arc<Metrics>) -> Pipeline {
        Pipeline {
            shared: Arc::new(Shared {
                fetcher,
                store,
                settings,
                metrics,
                draining: AtomicBool::new(false),
            }),
        }
    }

    /// Runs `feeds` through a started pipeline and hands each feed's report to `on_report`. When `stop` turns true,
    /// the pipeline drains (no new feeds or items; what is past the page stage is finished), and the wait for
    /// in-flight work ends at `grace` after the stop.
    pub async fn run_batch(
        &self,
        running: &mut Running,
        feeds: Vec<DueFeed>,
        stop: &mut tokio::sync::watch::Receiver<bool>,
        grace: Duration,
        mut on_report: impl FnMut(&FeedReport),
    ) -> BatchEnd {
        let metrics = &self.shared.metrics;
        let mut pending = feeds.into_iter();
        let mut next = pending.next();
        let mut outstanding = 0usize;
        let mut deadline: Option<tokio::time::Instant> = None;
        loop {
            if next.is_none() && outstanding == 0 {
                return if deadline.is_some() {
                    BatchEnd::Stopped { drained: true }
                } else {
                    BatchEnd::Done
                };
            }
            tokio::select! {
                biased;
                _ = crate::stopped(stop), if deadline.is_none() => {
                    self.drain();
                    next = None;
                    deadline = Some(tokio::time::Instant::now() + grace);
                }
                _ = sleep_until_opt(deadline), if deadline.is_some() => {
                    return BatchEnd::Stopped { drained: false };
                }
                report = running.reports.recv(), if outstanding > 0 => match report {
                    Some(r) => {
                        outstanding -= 1;
                        on_report(&r);
                    }
                    None => return BatchEnd::Stopped { drained: true },
                },
                permit = running.feeds.reserve(), if next.is_some() => match permit {
                    Ok(permit) => {
                        permit.send(next.take().expect("guarded by is_some"));
                        metrics.queued(Queue::Feeds);
                        outstanding += 1;
                        next = pending.next();
                    }
                    Err(_) => next = None,
                },
            }
        }
    }

    /// Stops taking feeds and starting page downloads; downloads under way and pages already downloaded are finished.
    pub fn drain(&self) {
        self.shared.draining.store(true, Ordering::SeqCst);
    }

    /// Starts the stages on the current runtime (and the extraction threads).
    pub fn start(&self) -> Running {
        let s = &self.shared.settings;
        let (feeds_tx, feeds_rx) = mpsc::channel::<DueFeed>(s.feed_concurrency.max(1));
        let (pages_tx, pages_rx) = mpsc::channel::<PageJob>(2 * s.page_concurrency.max(1));
        let (extract_tx, extract_rx) = mpsc::channel::<ExtractJob>(2 * s.extract_threads.max(1));
        let (store_tx, store_rx) = mpsc::channel::<StoreJob>(store::BATCH);
        let (finished_tx, finished_rx) = mpsc::unbounded_channel::<Finished>();
        let (reports_tx, reports_rx) = mpsc::unbounded_channel::<FeedReport>();

        let feeds_rx: SharedRx<DueFeed> = Arc::new(tokio::sync::Mutex::new(feeds_rx));
        for _ in 0..s.feed_concurrency.max(1) {
            let this = self.clone();
            let (rx, pages, finished, reports) = (
                feeds_rx.clone(),
                pages_tx.clone(),
                finished_tx.clone(),
                reports_tx.clone(),
            );
            tokio::spawn(async move { this.feed_worker(rx, pages, finished, reports).await });
        }
        drop((pages_tx, finished_tx));

        let pages_rx: SharedRx<PageJob> = Arc::new(tokio::sync::Mutex::new(pages_rx));
        for _ in 0..s.page_concurrency.max(1) {
            let this = self.clone();
            let (rx, out) = (pages_rx.clone(), extract_tx.clone());
            tokio::spawn(async move { this.page_worker(rx, out).await });
        }
        drop(extract_tx);

        let extract_rx = Arc::new(std::sync::Mutex::new(extract_rx));
        for i in 0..s.extract_threads.max(1) {
            let (rx, out, metrics) = (extract_rx.clone(), store_tx.clone(), self.shared.metrics.clone());
            std::thread::Builder::new()
                .name(format!("gazette-extract-{i}"))
                .spawn(move || extract_worker(rx, out, metrics))
                .expect("spawning an extraction thread");
        }
        drop(store_tx);

        let this = self.clone();
        tokio::spawn(async move { this.store_worker(store_rx).await });
        let this = self.clone();
        tokio::spawn(async move { this.finisher(finished_rx, reports_tx).await });

        Running {
            feeds: feeds_tx,
            reports: reports_rx,
        }
    }
}
