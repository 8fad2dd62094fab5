//! `gazette feeds ...`: manage subscriptions.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::opml::{self, OpmlFeed};

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Subscribe to a feed.
    Add { url: String },
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
    let mut conn = gazette_store::open(db).with_context(|| format!("opening database {}", db.display()))?;
    match command {
        Command::Add { url } => {
            let urls = crate::cmd::ingest::resolve_sources(std::slice::from_ref(&url))?;
            for url in urls {
                let id = gazette_store::add_feed(&conn, &url)?;
                println!("{id}\t{url}");
            }
        }
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
