//! `gazette daemon`: fetch each feed when it is due, until stopped.
//!
//! A cycle takes every due feed through the pipeline and logs one summary line; between cycles the daemon sleeps
//! until the next feed is due (at most a minute, so feeds added meanwhile are noticed). SIGINT or SIGTERM drains the
//! pipeline and exits 0 within `shutdown_timeout`; a second signal exits at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::Utc;

use crate::config::{format_duration, Config};
use crate::metrics::Metrics;
use crate::pipeline::{BatchEnd, Pipeline, Settings, Summary};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub config: crate::config::Flags,
}

/// Longest sleep between two looks at the schedule.
const MAX_IDLE: Duration = Duration::from_secs(60);
/// Most feeds taken into one cycle.
const MAX_CYCLE_FEEDS: usize = 10_000;

pub fn run(config: &Config, _args: Args) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("gazette-async")
        .build()
        .context("starting the async runtime")?;
    let writer = gazette_store::Writer::spawn(&config.db)
        .with_context(|| format!("opening database {}", config.db.display()))?;
    let result = runtime.block_on(daemon(config, writer.clone()));
    // Whatever is still running was given its grace period: drop it (each write is a transaction, so nothing is half
    // written), then let the writer finish its queue and checkpoint.
    runtime.shutdown_timeout(Duration::from_secs(1));
    writer.close();
    if result.is_ok() {
        tracing::info!("stopped");
    }
    result
}

async fn daemon(config: &Config, writer: gazette_store::Writer) -> Result<()> {
    let mut stop = crate::shutdown::listen();
    let metrics = Arc::new(Metrics::default());
    let _listener = match config.metrics_listen {
        Some(addr) => Some(
            crate::metrics::serve(addr, metrics.clone())
                .await
                .with_context(|| format!("listening on {addr} for /metrics"))?,
        ),
        None => None,
    };
    let fetcher = gazette_fetch::Fetcher::new(config.fetch_config())?;
    let pipeline = Pipeline::new(fetcher, writer.clone(), Settings::from_config(config), metrics.clone());
    let mut running = pipeline.start();
    tracing::info!(
        db = %config.db.display(),
        feed_concurrency = config.feed_concurrency,
        page_concurrency = config.page_concurrency,
        extract_threads = config.extract_threads,
        "daemon started"
    );

    let mut cycle = 0u64;
    loop {
        if *stop.borrow() {
            break;
        }
        let now = gazette_store::now_rfc3339();
        let (due, counts) = writer
            .call(move |c| {
                Ok((
                    gazette_store::due_feeds(c, &now, MAX_CYCLE_FEEDS)?,
                    gazette_store::feed_counts(c, &now)?,
                ))
            })
            .await?;
        metrics.set_feed_counts(counts);
        if due.is_empty() {
            let next = writer.call(|c| gazette_store::next_due_at(c)).await?;
            let wait = next
                .as_deref()
                .and_then(crate::schedule::parse_time)
                .and_then(|t| (t - Utc::now()).to_std().ok())
                .map(|d| d + Duration::from_millis(200))
                .unwrap_or(MAX_IDLE)
                .min(MAX_IDLE);
            tracing::debug!(wait = %format_duration(wait), "nothing due");
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = crate::shutdown::stopped(&mut stop) => break,
            }
            continue;
        }

        cycle += 1;
        let started = Instant::now();
        let due_count = due.len();
        let mut summary = Summary::default();
        let end = pipeline
            .run_batch(&mut running, due, &mut stop, config.shutdown_timeout, |r| {
                summary.add(r);
                tracing::debug!(
                    feed_id = r.feed_id,
                    feed = %r.url,
                    outcome = ?r.outcome,
                    new_articles = r.new_articles,
                    complete = r.complete,
                    "feed done"
                );
            })
            .await;
        metrics.cycles.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let elapsed = started.elapsed();
        tracing::info!(
            cycle,
            due = due_count,
            feeds = summary.feeds,
            failed = summary.feeds_failed,
            unchanged = summary.feeds_unchanged,
            disabled = summary.feeds_disabled,
            new_articles = summary.new_articles,
            duplicates = summary.duplicates,
            page_errors = summary.page_errors,
            seconds = (elapsed.as_secs_f64() * 10.0).round() / 10.0,
            "cycle {cycle}: {summary} in {:.1} s",
            elapsed.as_secs_f64()
        );
        if let BatchEnd::Stopped { drained } = end {
            if !drained {
                tracing::warn!(
                    grace = %format_duration(config.shutdown_timeout),
                    "in-flight work did not finish in time and was dropped; its feeds stay due"
                );
            }
            break;
        }
    }
    pipeline.drain();
    Ok(())
}
