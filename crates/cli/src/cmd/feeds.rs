//! `gazette feeds ...`: manage subscriptions.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use gazette_ingest::Config;
use gazette_store::{Cell, FeedId, RowSink};

use super::block_on;
use crate::opml::{self, OpmlFeed};
use crate::render::{Format, Renderer};

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Subscribe to a feed, or to the feeds a web page offers.
    Add {
        /// A feed URL, a site or page URL (its feeds are discovered), a local feed file or an OPML file.
        url: String,
        /// When a page offers several feeds, subscribe to all of them instead of asking.
        #[arg(long)]
        all: bool,
        /// Subscribe without fetching the URL first.
        #[arg(long)]
        no_check: bool,
    },
    /// List the feeds a site offers (its <link rel="alternate"> feeds, else common feed paths).
    Discover { url: String },
    /// List feeds with their last status, error streak and next check.
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Unsubscribe (deletes the feed's articles too).
    Remove { id_or_url: String },
    /// Subscribe to every feed in an OPML file.
    Import { file: PathBuf },
    /// Print the feeds as OPML.
    Export,
    /// Resume fetching a disabled feed.
    Enable { id: i64 },
    /// Stop fetching a feed without deleting it.
    Disable { id: i64 },
}

pub fn run(config: &Config, command: Command) -> Result<()> {
    let db = &config.db;
    let mut out = super::stdout();
    // Discovery touches no database (and should not create one).
    if let Command::Discover { url } = &command {
        let found = discover(config, url)?;
        if found.is_empty() {
            anyhow::bail!("no feed found at {url}");
        }
        for f in found {
            writeln!(out, "{}\t{:?}\t{}", f.url, f.kind, f.title.unwrap_or_default())?;
        }
        out.flush()?;
        return Ok(());
    }
    // Only subscribing may create the database; a mistyped --db elsewhere is an error, not a new empty file.
    let missing = db.as_path().is_some_and(|p| !p.exists());
    if missing && !matches!(command, Command::Add { .. } | Command::Import { .. }) {
        anyhow::bail!("no database at {db} (add feeds first, or pass --db)");
    }
    let store = super::open_store(db)?;
    let result = feeds(config, &store, command, &mut out);
    store.close();
    result?;
    out.flush()?;
    Ok(())
}

fn feeds(config: &Config, store: &gazette_store::Store, command: Command, out: &mut Box<dyn Write>) -> Result<()> {
    match command {
        Command::Add { url, all, no_check } => {
            let urls = if no_check || !is_web_url(&url) {
                crate::cmd::ingest::resolve_sources(std::slice::from_ref(&url))?
            } else {
                choose(&url, discover(config, &url)?, all)?
            };
            let ids = block_on(store.add_feeds(urls.clone()))??;
            for (id, url) in ids.iter().zip(&urls) {
                writeln!(out, "{id}\t{url}")?;
            }
        }
        Command::Discover { .. } => unreachable!("handled before opening the database"),
        Command::List { format } => {
            let feeds = block_on(store.feeds())??;
            let columns: Vec<String> = [
                "id",
                "url",
                "title",
                "status",
                "errors",
                "last_fetch",
                "next_check",
                "articles",
                "state",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
                Cell::from(t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)))
            };
            let mut table = Renderer::new(format, std::mem::replace(out, Box::new(std::io::sink())));
            table.header(&columns)?;
            for f in &feeds {
                table.row(&[
                    Cell::Integer(f.id.0),
                    Cell::from(f.url.as_str()),
                    Cell::from(f.title.clone()),
                    Cell::from(f.last_status),
                    Cell::Integer(f.error_count),
                    time(f.last_fetch_at),
                    time(f.next_check_at),
                    Cell::Integer(f.articles),
                    Cell::from(if f.disabled { "disabled" } else { "active" }),
                ])?;
            }
            table.finish()?;
            for f in feeds.iter().filter(|f| f.last_error.is_some()) {
                eprintln!("feed {}: {}", f.id, f.last_error.as_deref().unwrap_or_default());
            }
        }
        Command::Remove { id_or_url } => {
            let feed = block_on(store.remove_feed(&id_or_url))??;
            writeln!(
                out,
                "removed feed {} ({}) and its {} articles",
                feed.id, feed.url, feed.articles
            )?;
        }
        Command::Import { file } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let feeds = opml::parse(&text).with_context(|| format!("parsing OPML {}", file.display()))?;
            block_on(store.add_feeds(feeds.iter().map(|f| f.url.clone()).collect()))??;
            writeln!(out, "imported {} feeds", feeds.len())?;
        }
        Command::Export => {
            let feeds: Vec<OpmlFeed> = block_on(store.feeds())??
                .into_iter()
                .map(|f| OpmlFeed {
                    url: f.url,
                    title: f.title,
                })
                .collect();
            write!(out, "{}", opml::write(&feeds))?;
        }
        Command::Enable { id } => {
            block_on(store.set_feed_disabled(FeedId(id), false))??;
            writeln!(out, "feed {id} enabled")?;
        }
        Command::Disable { id } => {
            block_on(store.set_feed_disabled(FeedId(id), true))??;
            writeln!(out, "feed {id} disabled")?;
        }
    }
    Ok(())
}

fn is_web_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

fn discover(config: &Config, url: &str) -> Result<Vec<gazette_fetch::DiscoveredFeed>> {
    let fetcher = gazette_fetch::Fetcher::new(config.fetch_config())?;
    block_on(fetcher.discover(url))?.with_context(|| format!("looking for feeds at {url}"))
}

/// Picks what to subscribe to among the feeds found: the only one, all of them with `--all`, or the user's choice.
fn choose(url: &str, found: Vec<gazette_fetch::DiscoveredFeed>, all: bool) -> Result<Vec<String>> {
    use std::io::IsTerminal;
    match found.len() {
        0 => anyhow::bail!("no feed found at {url} (use --no-check to subscribe anyway)"),
        1 => return Ok(vec![found[0].url.clone()]),
        _ if all => return Ok(found.into_iter().map(|f| f.url).collect()),
        _ => {}
    }
    let listing: Vec<String> = found
        .iter()
        .enumerate()
        .map(|(i, f)| format!("  {}. {} {}", i + 1, f.url, f.title.as_deref().unwrap_or("")))
        .collect();
    if !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "{url} offers {} feeds; add one of them, or all with --all:\n{}",
            found.len(),
            listing.join("\n")
        );
    }
    eprintln!("{url} offers {} feeds:\n{}", found.len(), listing.join("\n"));
    eprint!("subscribe to which (numbers separated by spaces, or 'all')? ");
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    if answer.trim() == "all" {
        return Ok(found.into_iter().map(|f| f.url).collect());
    }
    answer
        .split_whitespace()
        .map(|n| {
            let i: usize = n.parse().with_context(|| format!("{n:?} is not a number"))?;
            found
                .get(i.wrapping_sub(1))
                .map(|f| f.url.clone())
                .with_context(|| format!("there is no feed {i}"))
        })
        .collect()
}
