//! `gazette ingest [SOURCE...]`: one pass over feeds, then exit.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::pipeline::{Limits, Pipeline};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Feeds: URLs, local paths, file:// URLs or OPML files. Without any, the feeds stored in the database.
    pub sources: Vec<String>,
    /// Feeds fetched at once.
    #[arg(long, default_value_t = 8)]
    pub feed_concurrency: usize,
    /// Article pages fetched at once (per-host limits still apply).
    #[arg(long, default_value_t = 16)]
    pub page_concurrency: usize,
}

pub fn run(db: &Path, args: Args) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let writer = gazette_store::Writer::spawn(db).with_context(|| format!("opening database {}", db.display()))?;
    let result = runtime.block_on(ingest(&writer, args));
    writer.close();
    let summary = result?;
    println!("{summary}");
    if summary.feeds > 0 && summary.feeds_failed == summary.feeds {
        bail!("no feed could be fetched");
    }
    Ok(())
}

async fn ingest(writer: &gazette_store::Writer, args: Args) -> Result<crate::pipeline::Summary> {
    let urls = resolve_sources(&args.sources)?;
    let feeds = if urls.is_empty() {
        writer
            .call(|c| gazette_store::list_feeds(c))
            .await?
            .into_iter()
            .filter(|f| !f.disabled)
            .collect::<Vec<_>>()
    } else {
        // Feeds named on the command line are remembered, then ingested.
        writer
            .call(move |c| {
                let mut rows = Vec::new();
                for url in &urls {
                    let id = gazette_store::add_feed(c, url)?;
                    rows.push(gazette_store::find_feed(c, &id.to_string())?);
                }
                Ok(rows)
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
    let pipeline = Pipeline {
        fetcher: gazette_fetch::Fetcher::new(gazette_fetch::FetchConfig::default())?,
        writer: writer.clone(),
        limits: Limits {
            feeds: args.feed_concurrency,
            pages: args.page_concurrency,
        },
    };
    let summary = pipeline.run(feeds, &progress).await;
    progress.finish_and_clear();
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
