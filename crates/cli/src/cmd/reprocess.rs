//! `gazette reprocess [--since DATE] [--feed ID] [--places]`: re-run extraction, tagging and place resolution over
//! the stored pages, without fetching; with `--places`, only resolve the stored place mentions again where an older
//! resolver (or none) did (the work is `gazette_ingest::reprocess`).

use std::time::Instant;

use anyhow::Result;
use gazette_extract::entities::TAGGER_VERSION;
use gazette_extract::EXTRACTOR_VERSION;
use gazette_ingest::Config;
use gazette_places::RESOLVER_VERSION;
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
    /// Only resolve place mentions again (no re-extraction), for the articles whose places an older resolver, or
    /// none, resolved.
    #[arg(long)]
    pub places: bool,
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
            let (started, done) = (|n: u64| progress.set_length(n), || progress.inc(1));
            let counts = if args.places {
                gazette_ingest::reprocess::resolve_places(&store, filter, threads, started, done).await?
            } else {
                gazette_ingest::reprocess::run(&store, filter, threads, started, done).await?
            };
            Ok(counts)
        }
    })?;
    progress.finish_and_clear();
    let mut out = super::stdout();
    let what = if args.places {
        format!(
            "places resolved again, {} failed (resolver {RESOLVER_VERSION})",
            counts.failed
        )
    } else {
        format!(
            "reprocessed, {} failed (extractor {EXTRACTOR_VERSION}, tagger {TAGGER_VERSION}, resolver \
             {RESOLVER_VERSION})",
            counts.failed
        )
    };
    writeln!(
        out,
        "{} articles {what} in {:.1} s",
        counts.reprocessed,
        started.elapsed().as_secs_f64()
    )?;
    out.flush()?;
    Ok(())
}

use std::io::Write;
