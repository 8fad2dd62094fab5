//! `gazette stories [--since DATE] [--limit N]`: stories first published since a day (today by default), most sites
//! first; `gazette stories ID`: the articles of one story, site by site, in order of publication.

use anyhow::{bail, Context, Result};
use gazette_store::{Location, StoryId, StoryList};

use crate::render::{Format, Renderer};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A story's id: the sites that ran it, in order of publication.
    pub story: Option<i64>,
    /// Stories first published from this day (YYYY-MM-DD) or time (RFC 3339); default: today (UTC).
    #[arg(long, conflicts_with = "story")]
    pub since: Option<String>,
    #[arg(long, default_value_t = 20, conflicts_with = "story")]
    pub limit: i64,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn run(db: &Location, args: Args) -> Result<()> {
    let archive = super::open_archive(db)?;
    let mut out = Renderer::new(args.format, super::stdout());
    match args.story {
        Some(id) => {
            let n = archive
                .story_articles(StoryId(id), &mut out)
                .with_context(|| format!("reading story {id}"))?;
            if n == 0 {
                bail!("no story {id}");
            }
        }
        None => {
            let today = chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string();
            let since = super::dates::since(args.since.as_deref().unwrap_or(&today))?;
            let list = StoryList {
                since,
                until: None,
                limit: args.limit,
            };
            archive.stories(&list, &mut out).context("listing stories")?;
        }
    }
    out.finish()?;
    Ok(())
}
