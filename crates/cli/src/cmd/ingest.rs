//! `gazette ingest [SOURCE...]`: one pass over feeds, then exit.

use std::path::PathBuf;

use std::sync::Arc;

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::config::Config;
use crate::metrics::Metrics;
use crate::pipeline::{BatchEnd, Pipeline, Settings, Summary};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Feeds: URLs, local paths, file:// URLs or OPML files. Without any, the feeds stored in the database.
    pub sources: Vec<String>,
    #[command(flatten)]
    pub config: crate::config::Flags,
}

pub fn run(config: &Config, args: Args) -> Result<()> {
    let stop = crate::shutdown::listen();
    let result = super::with_runtime_and_writer(
        config,
        |writer| async move { ingest(config, &writer, args, stop).await },
    );
    let summary = result?;
    println!("{summary}");
    if summary.feeds > 0 && summary.feeds_failed == summary.feeds {
        bail!("no feed could be fetched");
    }
    Ok(())
}

async fn ingest(
    config: &Config,
    writer: &gazette_store::Writer,
    args: Args,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Result<Summary> {
    let urls = resolve_sources(&args.sources)?;
    let feeds = if urls.is_empty() {
        writer
            .call(|c| {
                let ids: Vec<i64> = gazette_store::list_feeds(c)?
                    .into_iter()
                    .filter(|f| !f.disabled)
                    .map(|f| f.id)
                    .collect();
                gazette_store::feeds_by_id(c, &ids)
            })
            .await?
    } else {
        // Feeds named on the command line are remembered, then ingested.
        writer
            .call(move |c| {
                let mut ids = Vec::new();
                for url in &urls {
                    ids.push(gazette_store::add_feed(c, url)?);
                }
                gazette_store::feeds_by_id(c, &ids)
            })
            .await?
    };
    if feeds.is_empty() {
        bail!("no feeds to ingest: give feed URLs, paths or an OPML file, or add feeds with `gazette feeds add`");
    }
    let progress = ProgressBar::with_draw_target(Some(feeds.len() as u64), ProgressDrawTarget::stderr());
    progress.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} feeds {msg}")
            .expect("valid template"),
    );
    let fetcher = gazette_fetch::Fetcher::new(config.fetch_config())?;
    let pipeline = Pipeline::new(
        fetcher,
        writer.clone(),
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
        BatchEnd::Done if config.history_days > 0 => super::prune_history(writer.clone(), config.history_days).await,
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
