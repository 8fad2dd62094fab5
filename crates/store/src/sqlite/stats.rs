//! What an archive holds (`gazette stats`): rows per table, size, time span, the top entities of its last day.

use super::counting::NAMED;
use super::Reader;
use crate::{Result, Stats, TopEntity};

const TABLES: [&str; 7] = [
    "feeds",
    "fetches",
    "articles",
    "entities",
    "mentions",
    "quotes",
    "tombstones",
];

pub(crate) fn read(db: &Reader, top: i64) -> Result<Stats> {
    let conn = &db.conn;
    let size: i64 = conn.query_row(
        "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
        [],
        |r| r.get(0),
    )?;
    // Recent writes may still sit in the write-ahead log beside the file.
    let wal = std::fs::metadata(format!("{}-wal", db.path.display())).map_or(0, |m| m.len());
    let mut tables = Vec::new();
    for table in TABLES {
        let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
        tables.push((table, n));
    }
    let (first, last): (Option<String>, Option<String>) =
        conn.query_row("SELECT min(published_at), max(published_at) FROM articles", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    // "The last day": the latest day with mentions up to today (an archive that stopped growing still shows
    // something; a future-dated article does not move it).
    let day: Option<String> = conn.query_row("SELECT max(day) FROM entity_days WHERE day <= date('now')", [], |r| {
        r.get(0)
    })?;
    let mut stmt = conn.prepare(&format!(
        "SELECT e.type, e.name, sum(d.mentions) AS mentions, sum(d.articles) AS articles
         FROM entity_days d JOIN entities e ON e.id = d.entity_id
         WHERE d.day = ?2 AND e.type IN {}
         GROUP BY e.id ORDER BY mentions DESC, e.name LIMIT ?1",
        &*NAMED
    ))?;
    let top = stmt
        .query_map(rusqlite::params![top, day], |r| {
            Ok(TopEntity {
                entity_type: r.get(0)?,
                name: r.get(1)?,
                mentions: r.get(2)?,
                articles: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Stats {
        location: db.path.display().to_string(),
        size_bytes: size as u64,
        wal_bytes: wal,
        tables,
        published: first.zip(last),
        top_day: day.and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
        top,
    })
}
