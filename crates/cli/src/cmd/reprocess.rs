//! `gazette reprocess [--since DATE] [--feed ID]`: re-run extraction and tagging over the stored pages, without
//! fetching (the work is `gazette_ingest::reprocess`).

use std::time::Instant;

use anyhow::Result;
use gazette_extract::entities::TAGGER_VERSION;
use gazette_extract::EXTRACTOR_VERSION;
use gazette_ingest::Config;
use gazette_store::{FeedId, ReprocessFilter};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Only articles published (else fetched) on or after this date: YYYY-MM-DD or an RFC 3339 time.
    #[arg(long)]
    pub since: Option<String>,
    /// Only the articles of this feed (id).
    #[arg(long)]
    pub feed: Option<i64>,
}

pub fn run(config: &Config, args: Args) -> Result<()> {
    let since = args.since.as_deref().map(super::dates::since).transpose()?;
    let filter = ReprocessFilter {
        since,
        feed_id: args.feed.map(FeedId),
    };
    let started = Instant::now();
    let progress = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    progress.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} articles ({per_sec}, eta {eta})",
        )
        .expect("valid template"),
    );
    let counts = super::with_runtime_and_store(config, |store| {
        let progress = &progress;
        async move {
            let threads = config.extract_threads;
            let counts =
                gazette_ingest::reprocess::run(&store, filter, threads, |n| progress.set_length(n), || progress.inc(1))
                    .await?;
            Ok(counts)
        }
    })?;
    progress.finish_and_clear();
    let mut out = super::stdout();
    writeln!(
        out,
        "{} articles reprocessed, {} failed (extractor {EXTRACTOR_VERSION}, tagger {TAGGER_VERSION}) in {:.1} s",
        counts.reprocessed,
        counts.failed,
        started.elapsed().as_secs_f64()
    )?;
    out.flush()?;
    Ok(())
}

use std::io::Write;
