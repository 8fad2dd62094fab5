//! `gazette ingest [SOURCE...]`: one pass over feeds, then exit.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use gazette_ingest::metrics::Metrics;
use gazette_ingest::pipeline::{BatchEnd, Pipeline, Settings, Summary};
use gazette_ingest::Config;
use gazette_store::{FeedSelection, Store};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Feeds: URLs, local paths, file:// URLs or OPML files. Without any, the feeds stored in the database.
    pub sources: Vec<String>,
    #[command(flatten)]
    pub config: crate::flags::ConfigFlags,
}

pub fn run(config: &Config, args: Args) -> Result<()> {
    let stop = crate::shutdown::listen();
    let result = super::with_runtime_and_store(config, |store| async move { ingest(config, &store, args, stop).await });
    let summary = result?;
    let mut out = super::stdout();
    writeln!(out, "{summary}")?;
    out.flush()?;
    if summary.feeds > 0 && summary.feeds_failed == summary.feeds {
        bail!("no feed could be fetched");
    }
    Ok(())
}

async fn ingest(
    config: &Config,
    store: &Store,
    args: Args,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Result<Summary> {
    let urls = resolve_sources(&args.sources)?;
    let feeds = if urls.is_empty() {
        store.feeds_to_fetch(FeedSelection::Enabled).await?
    } else {
        // Feeds named on the command line are remembered, then ingested.
        let ids = store.add_feeds(urls).await?;
        store.feeds_to_fetch(FeedSelection::Ids(ids)).await?
    };
    if feeds.is_empty() {
        bail!("no feeds to ingest: give feed URLs, paths or an OPML file, or add feeds with `gazette feeds add`");
    }
    let progress = ProgressBar::with_draw_target(Some(feeds.len() as u64), ProgressDrawTarget::stderr());
    progress.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} feeds {msg}")
            .expect("valid template"),
    );
    let fetcher = gazette_ingest::turns::fetcher(config, store)?;
    let pipeline = Pipeline::new(
        fetcher,
        store.clone(),
        Settings::from_config(config),
        Arc::new(Metrics::default()),
    );
    let mut running = pipeline.start();
    let mut summary = Summary::default();
    let end = pipeline
        .run_batch(&mut running, feeds, &mut stop, config.shutdown_timeout, |r| {
            summary.add(r);
            progress.set_message(format!("{} new articles", summary.new_articles));
            progress.inc(1);
        })
        .await;
    progress.finish_and_clear();
    match end {
        BatchEnd::Stopped { drained } => eprintln!(
            "interrupted{}; feeds not finished are picked up by the next run",
            if drained { "" } else { " (in-flight work dropped)" }
        ),
        // Run from cron, ingest is what keeps the history bounded (about daily: it skips a recent pruning).
        BatchEnd::Done if config.history_days > 0 => {
            gazette_ingest::history::prune(store.clone(), config.history_days).await
        }
        BatchEnd::Done => {}
    }
    Ok(summary)
}

/// Turns command-line sources into feed URLs: OPML files are expanded, local feed files become file:// URLs.
pub fn resolve_sources(sources: &[String]) -> Result<Vec<String>> {
    let mut urls = Vec::new();
    for source in sources {
        let path = PathBuf::from(source);
        if source.contains("://") && !source.starts_with("file://") {
            urls.push(source.clone());
            continue;
        }
        let path = match source.strip_prefix("file://") {
            Some(p) => PathBuf::from(p),
            None => path,
        };
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        if crate::opml::looks_like_opml(&path, &bytes) {
            let text = String::from_utf8_lossy(&bytes);
            let feeds = crate::opml::parse(&text).with_context(|| format!("parsing OPML {}", path.display()))?;
            urls.extend(feeds.into_iter().map(|f| f.url));
        } else {
            let abs = std::fs::canonicalize(&path).with_context(|| format!("resolving {}", path.display()))?;
            let url = url::Url::from_file_path(&abs)
                .map_err(|_| anyhow::anyhow!("cannot make a file URL of {}", abs.display()))?;
            urls.push(url.to_string());
        }
    }
    Ok(urls)
}
