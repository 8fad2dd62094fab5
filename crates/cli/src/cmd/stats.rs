//! `gazette stats`: what the database holds.

use std::io::Write;

use anyhow::Result;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// How many top entities of the last day to show.
    #[arg(long, default_value_t = 10)]
    pub top: i64,
}

pub fn run(db: &gazette_store::Location, args: Args) -> Result<()> {
    let stats = super::open_archive(db)?.stats(args.top)?;
    let mut out = super::stdout();
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    writeln!(
        out,
        "database   {} ({:.1} MiB, write-ahead log {:.1} MiB)",
        stats.location,
        mib(stats.size_bytes),
        mib(stats.wal_bytes)
    )?;
    for (table, n) in &stats.tables {
        writeln!(out, "{table:<10} {n}")?;
    }
    match &stats.published {
        Some((first, last)) => writeln!(out, "published  {first} .. {last}")?,
        None => writeln!(out, "published  (no articles yet)")?,
    }
    if let (false, Some(day)) = (stats.top.is_empty(), stats.top_day) {
        writeln!(out, "\ntop entities of {day} (the last day with articles):")?;
        for e in &stats.top {
            let (t, name, mentions, articles) = (&e.entity_type, &e.name, e.mentions, e.articles);
            writeln!(out, "  {t:<5} {name:<40} {mentions:>6} mentions in {articles} articles")?;
        }
    }
    out.flush()?;
    Ok(())
}
