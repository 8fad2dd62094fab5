//! `gazette reprocess [--since DATE] [--feed ID]`: re-run extraction and tagging over the stored pages, without
//! fetching. Each article's text, metadata, versions, mentions and quotes are replaced in one transaction, so an
//! interrupted run leaves every article either as it was or fully reprocessed.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use gazette_extract::entities::TAGGER_VERSION;
use gazette_extract::EXTRACTOR_VERSION;
use gazette_store::ReprocessFilter;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::config::Config;
use crate::pipeline::{process_page, to_extraction, Processed};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Only articles published (else fetched) on or after this date: YYYY-MM-DD or an RFC 3339 time.
    #[arg(long)]
    pub since: Option<String>,
    /// Only the articles of this feed (id).
    #[arg(long)]
    pub feed: Option<i64>,
}

/// What a run did.
#[derive(Debug, Default)]
struct Counts {
    reprocessed: u64,
    failed: u64,
}

pub fn run(config: &Config, args: Args) -> Result<()> {
    let since = args.since.as_deref().map(super::dates::since).transpose()?;
    let filter = ReprocessFilter {
        since,
        feed_id: args.feed,
    };
    let started = Instant::now();
    let result = super::with_runtime_and_writer(config, |writer| async move {
        reprocess(&writer, filter, config.extract_threads).await
    });
    let counts = result?;
    println!(
        "{} articles reprocessed, {} failed (extractor {EXTRACTOR_VERSION}, tagger {TAGGER_VERSION}) in {:.1} s",
        counts.reprocessed,
        counts.failed,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn reprocess(writer: &gazette_store::Writer, filter: ReprocessFilter, threads: usize) -> Result<Counts> {
    let ids = writer
        .call(move |c| gazette_store::articles_with_html(c, &filter))
        .await?;
    let progress = ProgressBar::with_draw_target(Some(ids.len() as u64), ProgressDrawTarget::stderr());
    progress.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} articles ({per_sec}, eta {eta})",
        )
        .expect("valid template"),
    );
    // At most one page per core is being extracted; reads and writes go through the writer thread.
    let slots = Arc::new(Semaphore::new(threads.max(1)));
    let mut tasks = JoinSet::new();
    let mut counts = Counts::default();
    let record = |done: Result<Result<bool>, tokio::task::JoinError>, counts: &mut Counts| {
        match done {
            Ok(Ok(true)) => counts.reprocessed += 1,
            Ok(Ok(false)) => counts.failed += 1,
            Ok(Err(e)) => {
                tracing::error!(error = %format!("{e:#}"), "reprocessing failed");
                counts.failed += 1;
            }
            Err(e) => {
                tracing::error!(error = %e, "reprocessing task failed");
                counts.failed += 1;
            }
        }
        progress.inc(1);
    };
    for id in ids {
        let permit = slots.clone().acquire_owned().await.expect("never closed");
        let writer = writer.clone();
        tasks.spawn(async move {
            let _permit = permit;
            reprocess_one(&writer, id).await
        });
        while let Some(done) = tasks.try_join_next() {
            record(done, &mut counts);
        }
    }
    while let Some(done) = tasks.join_next().await {
        record(done, &mut counts);
    }
    progress.finish_and_clear();
    Ok(counts)
}

/// Re-extracts one article. Ok(false) when its page could not be read or extracted (recorded in `page_error`).
async fn reprocess_one(writer: &gazette_store::Writer, id: i64) -> Result<bool> {
    let Some((gz, url)) = writer.call(move |c| gazette_store::stored_page(c, id)).await? else {
        return Ok(false);
    };
    let processed = tokio::task::spawn_blocking(move || match gazette_store::decompress_html(&gz) {
        Ok(html) => process_page(html, url.unwrap_or_default()),
        Err(e) => Processed {
            html: None,
            article: Default::default(),
            annotations: Default::default(),
            error: Some(format!("stored page is unreadable: {e}")),
        },
    })
    .await?;
    let stored = match processed.error {
        // Only the error is recorded; the stored extraction stays.
        Some(error) => {
            writer
                .call(move |c| gazette_store::record_page_error(c, id, &error))
                .await
                .with_context(|| format!("storing article {id}"))?;
            false
        }
        None => {
            let new = to_extraction(processed.article, &processed.annotations, true);
            writer
                .call(move |c| gazette_store::replace_extraction(c, id, &new))
                .await
                .with_context(|| format!("storing article {id}"))?
        }
    };
    Ok(stored)
}
