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

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use gazette_extract::entities::{Annotations, Tagger, TAGGER_VERSION};
use gazette_extract::{Article, EXTRACTOR_VERSION};
use gazette_fetch::{FeedItem, FeedOutcome, Fetcher, Validators};
use gazette_store::{
    ArticleKey, DueFeed, FeedDone, FeedUpdate, FetchRecord, NewArticle, NewMention, NewQuote, StoredArticle, Writer,
};
use tokio::sync::mpsc;

use crate::metrics::{Metrics, Queue};
use crate::schedule::{self, Policy};

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
            policy: Policy {
                min_interval: c.min_interval,
                max_interval: c.max_interval,
                error_backoff_cap: c.error_backoff_cap,
                disable_after: (c.disable_after_days > 0).then(|| Duration::from_secs(c.disable_after_days * 86_400)),
            },
        }
    }
}

/// What happened to one feed.
#[derive(Debug, Clone)]
pub struct FeedReport {
    pub feed_id: i64,
    pub url: String,
    pub outcome: FeedOutcomeKind,
    pub new_articles: u64,
    pub duplicates: u64,
    pub page_errors: u64,
    /// Every new item was committed (false when the run stopped part-way, or storing failed).
    pub complete: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedOutcomeKind {
    Fetched,
    Unchanged,
    Failed {
        error: String,
        disabled: bool,
    },
    /// Dropped before it was fetched (shutdown).
    Skipped,
}

/// What a run (or a daemon cycle) did.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub feeds: u64,
    pub feeds_failed: u64,
    pub feeds_unchanged: u64,
    pub feeds_disabled: u64,
    pub new_articles: u64,
    pub duplicates: u64,
    pub page_errors: u64,
}

impl Summary {
    pub fn add(&mut self, r: &FeedReport) {
        if r.outcome == FeedOutcomeKind::Skipped {
            return;
        }
        self.feeds += 1;
        match &r.outcome {
            FeedOutcomeKind::Failed { disabled, .. } => {
                self.feeds_failed += 1;
                self.feeds_disabled += u64::from(*disabled);
            }
            FeedOutcomeKind::Unchanged => self.feeds_unchanged += 1,
            _ => {}
        }
        self.new_articles += r.new_articles;
        self.duplicates += r.duplicates;
        self.page_errors += r.page_errors;
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} feeds ({} failed, {} unchanged), {} new articles, {} duplicates, {} page errors",
            self.feeds, self.feeds_failed, self.feeds_unchanged, self.new_articles, self.duplicates, self.page_errors
        )
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

pub async fn sleep_until_opt(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

/// Everything the stages share.
struct Shared {
    fetcher: Fetcher,
    writer: Writer,
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
    obey_robots: bool,
    tracker: Arc<FeedTracker>,
}

struct ExtractJob {
    item: FeedItem,
    page: Result<gazette_fetch::Page, String>,
    fetched_at: String,
    tracker: Arc<FeedTracker>,
}

struct StoreJob {
    article: NewArticle,
    page_error: bool,
    tracker: Arc<FeedTracker>,
}

/// One fetched feed's new items on their way through the stages. When the last item is dropped (stored, or dropped
/// at shutdown), the tracker reports to the finisher, which saves the feed's progress point if all were committed.
struct FeedTracker {
    feed_id: i64,
    url: String,
    items: u64,
    committed: AtomicU64,
    new: AtomicU64,
    duplicates: AtomicU64,
    page_errors: AtomicU64,
    /// Some item must be tried again (a store failure, or a page that failed transiently).
    store_failed: AtomicBool,
    validators: Validators,
    next_check_at: String,
    finished: mpsc::UnboundedSender<Finished>,
}

struct Finished {
    feed_id: i64,
    url: String,
    complete: bool,
    store_failed: bool,
    new: u64,
    duplicates: u64,
    page_errors: u64,
    validators: Validators,
    next_check_at: String,
}

impl Drop for FeedTracker {
    fn drop(&mut self) {
        let committed = self.committed.load(Ordering::Relaxed);
        let _ = self.finished.send(Finished {
            feed_id: self.feed_id,
            url: std::mem::take(&mut self.url),
            complete: committed == self.items,
            store_failed: self.store_failed.load(Ordering::Relaxed),
            new: self.new.load(Ordering::Relaxed),
            duplicates: self.duplicates.load(Ordering::Relaxed),
            page_errors: self.page_errors.load(Ordering::Relaxed),
            validators: std::mem::take(&mut self.validators),
            next_check_at: std::mem::take(&mut self.next_check_at),
        });
    }
}

/// A receiver shared by a pool of async workers.
type SharedRx<T> = Arc<tokio::sync::Mutex<mpsc::Receiver<T>>>;

impl Pipeline {
    pub fn new(fetcher: Fetcher, writer: Writer, settings: Settings, metrics: Arc<Metrics>) -> Pipeline {
        Pipeline {
            shared: Arc::new(Shared {
                fetcher,
                writer,
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
                _ = crate::shutdown::stopped(stop), if deadline.is_none() => {
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
        let (store_tx, store_rx) = mpsc::channel::<StoreJob>(64);
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

    async fn feed_worker(
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
                let _ = reports.send(FeedReport {
                    feed_id: feed.id,
                    url: feed.url,
                    outcome: FeedOutcomeKind::Skipped,
                    new_articles: 0,
                    duplicates: 0,
                    page_errors: 0,
                    complete: false,
                });
                continue;
            }
            // In its own task, so that a bug that panics on one feed costs that feed, not this worker.
            let (feed_id, url, errors) = (feed.id, feed.url.clone(), feed.error_count);
            let (this, pages2, finished2) = (self.clone(), pages.clone(), finished.clone());
            let run = tokio::spawn(async move { this.ingest_feed(feed, &pages2, &finished2).await });
            match run.await {
                Ok(Some(report)) => {
                    let _ = reports.send(report);
                }
                Ok(None) => {}
                Err(e) => {
                    let error = format!("ingest crashed: {e}");
                    tracing::error!(feed = %url, error = %error, "feed task failed");
                    // Backed off like a failed fetch, so a feed that trips a bug is not retried in a hot loop.
                    let wait = schedule::after_failure(
                        &self.shared.settings.policy,
                        u32::try_from(errors + 1).unwrap_or(u32::MAX),
                        None,
                        fastrand::f64(),
                    );
                    let next = schedule::at(Utc::now(), wait);
                    let _ = self
                        .shared
                        .writer
                        .call(move |c| gazette_store::set_next_check(c, feed_id, &next))
                        .await;
                    let _ = reports.send(FeedReport {
                        feed_id,
                        url,
                        outcome: FeedOutcomeKind::Failed { error, disabled: false },
                        new_articles: 0,
                        duplicates: 0,
                        page_errors: 0,
                        complete: false,
                    });
                }
            }
        }
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
        let mut attempts: Vec<FetchRecord> = fetch
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
        let report = |outcome, new_articles, duplicates, complete| FeedReport {
            feed_id,
            url: feed.url.clone(),
            outcome,
            new_articles,
            duplicates,
            page_errors: 0,
            complete,
        };

        let fetched = match fetch.outcome {
            Err(e) => {
                tracing::warn!(feed = %feed.url, error = %e, "feed fetch failed");
                let error = e.to_string();
                // The attempts table tells successes from failures: a fetch that got a response but no feed failed.
                match attempts.last_mut() {
                    Some(last) if last.error.is_none() => last.error = Some(error.clone()),
                    Some(_) => {}
                    None => attempts.push(FetchRecord {
                        started_at: gazette_store::to_rfc3339(started),
                        error: Some(error.clone()),
                        ..Default::default()
                    }),
                }
                let retry_after = e.retry_after();
                let errors = u32::try_from(feed.error_count + 1).unwrap_or(u32::MAX);
                let next = schedule::at(
                    started,
                    schedule::after_failure(&policy, errors, retry_after, fastrand::f64()),
                );
                let err = error.clone();
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
                        tracing::error!(feed = %feed.url, error = %e, "could not record the fetch");
                        false
                    }
                };
                if disabled {
                    tracing::warn!(feed = %feed.url, "feed disabled after failing too long; `gazette feeds enable {feed_id}` resumes it");
                }
                return Some(report(FeedOutcomeKind::Failed { error, disabled }, 0, 0, true));
            }
            Ok(FeedOutcome::NotModified) => None,
            Ok(FeedOutcome::Fetched(f)) => Some(f),
        };

        let Some(fetched) = fetched else {
            // 304: nothing new; the pace comes from what is stored.
            let result = sh
                .writer
                .call(move |c| {
                    gazette_store::record_fetch(c, feed_id, &attempts, &FeedUpdate::default())?;
                    let times = stored_times(c, feed_id)?;
                    let rate = schedule::publishing_interval(&times, started);
                    let next = schedule::at(started, schedule::after_success(&policy, rate, None, fastrand::f64()));
                    gazette_store::set_next_check(c, feed_id, &next)
                })
                .await;
            if let Err(e) = result {
                tracing::error!(feed = %feed.url, error = %e, "could not record the fetch");
            }
            return Some(report(FeedOutcomeKind::Unchanged, 0, 0, true));
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
            ..Default::default()
        };
        let recorded = sh
            .writer
            .call(move |c| {
                gazette_store::record_fetch(c, feed_id, &attempts, &update)?;
                let known = keys
                    .iter()
                    .map(|k| gazette_store::is_known(c, k))
                    .collect::<gazette_store::Result<Vec<bool>>>()?;
                let stored = if schedule::publishing_interval(&item_times, started).is_none() {
                    stored_times(c, feed_id)?
                } else {
                    item_times
                };
                Ok((known, stored))
            })
            .await;
        let (known, times) = match recorded {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(feed = %feed.url, error = %e, "could not record the fetch");
                return Some(report(FeedOutcomeKind::Fetched, 0, 0, false));
            }
        };
        let rate = schedule::publishing_interval(&times, started);
        let next_check_at = schedule::at(
            started,
            schedule::after_success(&policy, rate, fetched.min_interval, fastrand::f64()),
        );
        let duplicates = known.iter().filter(|k| **k).count() as u64;
        sh.metrics.duplicates.fetch_add(duplicates, Ordering::Relaxed);
        let new_items: Vec<FeedItem> = items
            .into_iter()
            .zip(known)
            .filter(|(_, k)| !k)
            .map(|(i, _)| i)
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
            return Some(report(FeedOutcomeKind::Fetched, 0, duplicates, true));
        }

        let tracker = Arc::new(FeedTracker {
            feed_id,
            url: feed.url.clone(),
            items: new_items.len() as u64,
            committed: AtomicU64::new(0),
            new: AtomicU64::new(0),
            duplicates: AtomicU64::new(duplicates),
            page_errors: AtomicU64::new(0),
            store_failed: AtomicBool::new(false),
            validators: fetched.validators,
            next_check_at,
            finished: finished.clone(),
        });
        for item in new_items {
            if sh.draining.load(Ordering::SeqCst) {
                break;
            }
            let job = PageJob {
                item,
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

    async fn page_worker(self, pages: SharedRx<PageJob>, out: mpsc::Sender<ExtractJob>) {
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

    async fn store_worker(self, mut jobs: mpsc::Receiver<StoreJob>) {
        let sh = &self.shared;
        let mut batch = Vec::with_capacity(32);
        while jobs.recv_many(&mut batch, 32).await > 0 {
            for _ in &batch {
                sh.metrics.dequeued(Queue::Store);
            }
            let (articles, meta): (Vec<NewArticle>, Vec<(bool, Arc<FeedTracker>)>) =
                batch.drain(..).map(|j| (j.article, (j.page_error, j.tracker))).unzip();
            let metrics = sh.metrics.clone();
            let results = sh
                .writer
                .call(move |c| {
                    let t0 = Instant::now();
                    let results = gazette_store::insert_articles(c, &articles)?;
                    let each = t0.elapsed() / results.len().max(1) as u32;
                    for _ in &results {
                        metrics.storing.observe(each);
                    }
                    Ok(results)
                })
                .await;
            let results = match results {
                Ok(r) => r,
                Err(e) => {
                    tracing::error!(error = %e, "storing articles failed");
                    for (_, t) in &meta {
                        t.store_failed.store(true, Ordering::Relaxed);
                    }
                    continue;
                }
            };
            for (result, (page_error, tracker)) in results.into_iter().zip(meta) {
                match result {
                    Ok(StoredArticle::Inserted(_)) => {
                        sh.metrics.articles_stored.fetch_add(1, Ordering::Relaxed);
                        tracker.new.fetch_add(1, Ordering::Relaxed);
                        if page_error {
                            sh.metrics.page_errors.fetch_add(1, Ordering::Relaxed);
                            tracker.page_errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    Ok(StoredArticle::Duplicate) => {
                        sh.metrics.duplicates.fetch_add(1, Ordering::Relaxed);
                        tracker.duplicates.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => {
                        tracing::error!(feed = %tracker.url, error = %e, "storing an article failed");
                        tracker.store_failed.store(true, Ordering::Relaxed);
                        continue;
                    }
                }
                tracker.committed.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Saves each fetched feed's progress point once its items are through, and reports it.
    async fn finisher(
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
            } else if f.store_failed {
                // Try again soon, with the old validators so that the items come back.
                let next = schedule::at(Utc::now(), sh.settings.policy.min_interval);
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

/// Item times of a feed's stored articles, to learn its pace when the feed document has no dates.
fn stored_times(c: &rusqlite::Connection, feed_id: i64) -> gazette_store::Result<Vec<chrono::DateTime<Utc>>> {
    Ok(gazette_store::recent_article_times(c, feed_id, schedule::RATE_WINDOW)?
        .iter()
        .filter_map(|t| schedule::parse_time(t))
        .collect())
}

/// One extraction thread: pages in, articles out, until the input closes.
fn extract_worker(
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
                    process_page_timed(page.html, page.final_url, Some(&metrics))
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

/// A page after extraction and tagging (or why it has neither).
pub struct Processed {
    pub html: Option<String>,
    pub article: Article,
    pub annotations: Annotations,
    pub error: Option<String>,
}

impl Processed {
    fn failed(error: String) -> Processed {
        Processed {
            html: None,
            article: Article::default(),
            annotations: Annotations::default(),
            error: Some(error),
        }
    }
}

/// Extracts and tags one page. CPU-bound: call from the blocking pool.
pub fn process_page(html: String, final_url: String) -> Processed {
    process_page_timed(html, final_url, None)
}

/// [`process_page`], recording how long extraction and tagging took.
pub fn process_page_timed(html: String, final_url: String, metrics: Option<&Metrics>) -> Processed {
    let t0 = Instant::now();
    let extracted = gazette_extract::extract(&html, Some(&final_url));
    if let Some(m) = metrics {
        m.extraction.observe(t0.elapsed());
    }
    match extracted {
        Ok(article) => {
            let t1 = Instant::now();
            let title = article.title.clone().unwrap_or_default();
            let caption = article.image_caption.clone().unwrap_or_default();
            let annotations = Tagger::embedded().annotate_article(&title, &article.text(), &caption);
            if let Some(m) = metrics {
                m.tagging.observe(t1.elapsed());
            }
            Processed {
                html: Some(html),
                article,
                annotations,
                error: None,
            }
        }
        Err(e) => Processed {
            html: Some(html),
            error: Some(e.to_string()),
            article: Article::default(),
            annotations: Annotations::default(),
        },
    }
}

/// The mentions and quotes of an article's annotations, as stored.
pub fn annotations_to_store(a: &Annotations) -> (Vec<NewMention>, Vec<NewQuote>) {
    let mentions = a
        .mentions
        .iter()
        .map(|m| NewMention {
            field: m.field.as_str(),
            start: m.start as i64,
            end: m.end as i64,
            surface: m.surface.clone(),
            entity_type: m.kind.as_str(),
            entity_name: m.canonical.clone(),
        })
        .collect();
    let quotes = a
        .quotes
        .iter()
        .map(|q| NewQuote {
            start: q.start as i64,
            end: q.end as i64,
            text: q.text.clone(),
            speaker: q.speaker.as_ref().map(|(k, name)| (k.as_str(), name.clone())),
        })
        .collect();
    (mentions, quotes)
}

/// Merges what the feed said with what the page said; the page wins where it knows better (it is what the publisher
/// maintains), the feed fills the gaps.
fn build_article(feed_id: i64, item: &FeedItem, p: Processed, fetched_at: String) -> NewArticle {
    let a = p.article;
    let text = a.text();
    let (mentions, quotes) = annotations_to_store(&p.annotations);
    let published = a.published.or(item.published);
    let extracted = p.html.is_some() && p.error.is_none();
    NewArticle {
        feed_id,
        item_key: item.key.clone(),
        guid: item.guid.clone(),
        url: item.url.clone(),
        canonical_url: a.canonical_url.as_deref().and_then(gazette_fetch::normalize_url),
        title: a.title.or_else(|| item.title.clone()),
        authors: if a.authors.is_empty() {
            item.authors.clone()
        } else {
            a.authors
        },
        // No date anywhere: the time we first saw it.
        published_at: Some(
            published
                .map(gazette_store::to_rfc3339)
                .unwrap_or_else(|| fetched_at.clone()),
        ),
        language: a.language,
        site_name: a.site_name,
        image_url: a.image_url,
        image_caption: a.image_caption,
        description: a.description.or_else(|| item.summary.clone()),
        text,
        // Compressed here, on the extraction threads, to keep the writer thread free.
        html: p.html.as_deref().map(gazette_store::compress_html),
        page_error: p.error,
        extractor_version: extracted.then(|| EXTRACTOR_VERSION.to_string()),
        tagger_version: extracted.then(|| TAGGER_VERSION.to_string()),
        fetched_at,
        mentions,
        quotes,
    }
}
