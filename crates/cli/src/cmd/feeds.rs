//! `gazette feeds ...`: manage subscriptions.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::opml::{self, OpmlFeed};

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
        #[arg(long, value_enum, default_value_t = crate::cmd::query::Format::Table)]
        format: crate::cmd::query::Format,
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

pub fn run(db: &Path, command: Command) -> Result<()> {
    // Discovery touches no database (and should not create one).
    if let Command::Discover { url } = &command {
        let found = discover(url)?;
        if found.is_empty() {
            anyhow::bail!("no feed found at {url}");
        }
        for f in found {
            println!("{}\t{:?}\t{}", f.url, f.kind, f.title.unwrap_or_default());
        }
        return Ok(());
    }
    // Only subscribing may create the database; a mistyped --db elsewhere is an error, not a new empty file.
    if !db.exists() && !matches!(command, Command::Add { .. } | Command::Import { .. }) {
        anyhow::bail!("no database at {} (add feeds first, or pass --db)", db.display());
    }
    let mut conn = gazette_store::open(db).with_context(|| format!("opening database {}", db.display()))?;
    match command {
        Command::Add { url, all, no_check } => {
            let urls = if no_check || !is_web_url(&url) {
                crate::cmd::ingest::resolve_sources(std::slice::from_ref(&url))?
            } else {
                choose(&url, discover(&url)?, all)?
            };
            for url in urls {
                let id = gazette_store::add_feed(&conn, &url)?;
                println!("{id}\t{url}");
            }
        }
        Command::Discover { .. } => unreachable!("handled before opening the database"),
        Command::List { format } => {
            let feeds = gazette_store::list_feeds(&conn)?;
            let columns = [
                "id",
                "url",
                "title",
                "status",
                "errors",
                "last_fetch",
                "next_check",
                "articles",
                "state",
            ];
            let rows: Vec<Vec<serde_json::Value>> = feeds
                .iter()
                .map(|f| {
                    vec![
                        f.id.into(),
                        f.url.clone().into(),
                        f.title.clone().into(),
                        f.last_status.into(),
                        f.error_count.into(),
                        f.last_fetch_at.clone().into(),
                        f.next_check_at.clone().into(),
                        f.articles.into(),
                        (if f.disabled { "disabled" } else { "active" }).into(),
                    ]
                })
                .collect();
            let columns: Vec<String> = columns.iter().map(|s| s.to_string()).collect();
            crate::cmd::query::print_rows(&columns, &rows, format, &mut std::io::stdout().lock())?;
            for f in feeds.iter().filter(|f| f.last_error.is_some()) {
                eprintln!("feed {}: {}", f.id, f.last_error.as_deref().unwrap_or_default());
            }
        }
        Command::Remove { id_or_url } => {
            let feed = gazette_store::remove_feed(&mut conn, &id_or_url)?;
            println!(
                "removed feed {} ({}) and its {} articles",
                feed.id, feed.url, feed.articles
            );
        }
        Command::Import { file } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let feeds = opml::parse(&text).with_context(|| format!("parsing OPML {}", file.display()))?;
            for f in &feeds {
                gazette_store::add_feed(&conn, &f.url)?;
            }
            println!("imported {} feeds", feeds.len());
        }
        Command::Export => {
            let feeds: Vec<OpmlFeed> = gazette_store::list_feeds(&conn)?
                .into_iter()
                .map(|f| OpmlFeed {
                    url: f.url,
                    title: f.title,
                })
                .collect();
            print!("{}", opml::write(&feeds));
        }
        Command::Enable { id } => {
            gazette_store::set_feed_disabled(&conn, id, false)?;
            println!("feed {id} enabled");
        }
        Command::Disable { id } => {
            gazette_store::set_feed_disabled(&conn, id, true)?;
            println!("feed {id} disabled");
        }
    }
    Ok(())
}

fn is_web_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

fn discover(url: &str) -> Result<Vec<gazette_fetch::DiscoveredFeed>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let fetcher = gazette_fetch::Fetcher::new(gazette_fetch::FetchConfig::default())?;
    runtime
        .block_on(fetcher.discover(url))
        .with_context(|| format!("looking for feeds at {url}"))
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
