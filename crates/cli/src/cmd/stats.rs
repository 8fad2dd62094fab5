//! `gazette stats`: what the database holds.

use std::path::Path;

use anyhow::Result;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// How many top entities of the last day to show.
    #[arg(long, default_value_t = 10)]
    pub top: i64,
}

const TABLES: [&str; 7] = [
    "feeds",
    "fetches",
    "articles",
    "entities",
    "mentions",
    "quotes",
    "tombstones",
];

pub fn run(db: &Path, args: Args) -> Result<()> {
    let conn = crate::cmd::query::open_existing(db)?;
    let size: i64 = conn.query_row(
        "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
        [],
        |r| r.get(0),
    )?;
    // Recent writes may still sit in the write-ahead log beside the file.
    let wal = std::fs::metadata(format!("{}-wal", db.display())).map_or(0, |m| m.len());
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    println!(
        "database   {} ({:.1} MiB, write-ahead log {:.1} MiB)",
        db.display(),
        mib(size as u64),
        mib(wal)
    );
    for table in TABLES {
        let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
        println!("{table:<10} {n}");
    }
    let (first, last): (Option<String>, Option<String>) =
        conn.query_row("SELECT min(published_at), max(published_at) FROM articles", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    match (first, last) {
        (Some(first), Some(last)) => println!("published  {first} .. {last}"),
        _ => println!("published  (no articles yet)"),
    }
    // "The last day": the latest day with mentions up to today (an archive that stopped growing still shows
    // something; a future-dated article does not move it).
    let day: Option<String> = conn.query_row("SELECT max(day) FROM entity_days WHERE day <= date('now')", [], |r| {
        r.get(0)
    })?;
    let mut stmt = conn.prepare(
        "SELECT e.type, e.name, sum(d.mentions) AS mentions, sum(d.articles) AS articles
         FROM entity_days d JOIN entities e ON e.id = d.entity_id
         WHERE d.day = ?2 AND e.type IN ('PER', 'ORG', 'LOC', 'MISC')
         GROUP BY e.id ORDER BY mentions DESC, e.name LIMIT ?1",
    )?;
    let top = stmt
        .query_map(rusqlite::params![args.top, day], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if let (false, Some(day)) = (top.is_empty(), &day) {
        println!("\ntop entities of {day} (the last day with articles):");
        for (t, name, mentions, articles) in top {
            println!("  {t:<5} {name:<40} {mentions:>6} mentions in {articles} articles");
        }
    }
    Ok(())
}
