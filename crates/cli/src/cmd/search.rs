//! `gazette search "QUERY"`: full-text search over titles and bodies, best matches first (bm25), with snippets.

use anyhow::{Context, Result};
use gazette_store::{FeedId, Search};

use crate::render::{Format, Renderer};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// FTS5 query: words, "exact phrases", AND / OR / NOT, prefix*, title:word. Plain text also works.
    pub query: String,
    /// Only articles published from this day (YYYY-MM-DD) or time (RFC 3339).
    #[arg(long)]
    pub since: Option<String>,
    /// Only this feed.
    #[arg(long)]
    pub feed: Option<i64>,
    #[arg(long, default_value_t = 20)]
    pub limit: i64,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn run(db: &gazette_store::Location, args: Args) -> Result<()> {
    let archive = super::open_archive(db)?;
    let search = Search {
        since: args.since.as_deref().map(super::dates::since).transpose()?,
        query: args.query,
        feed: args.feed.map(FeedId),
        limit: args.limit,
    };
    let mut out = Renderer::new(args.format, super::stdout());
    archive
        .search(&search, &mut out)
        .with_context(|| format!("searching for {:?}", search.query))?;
    out.finish()?;
    Ok(())
}
