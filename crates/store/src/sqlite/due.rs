//! What the scheduler reads: which feeds are due, the feed counts, when the next one is due, and a feed's latest
//! article times (its pace).

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::{parse_opt_time, parse_time, time};
use crate::{DueFeed, FeedCounts, FeedId, FeedSelection, Result, ScheduleLook};

const DUE_COLUMNS: &str = "f.id, f.url, f.etag, f.last_modified, f.obey_robots, f.error_count, \
     (SELECT max(started_at) FROM fetches WHERE feed_id = f.id AND status = 200), f.hinted_interval_secs, \
     f.next_check_at";

fn due_from_row(r: &rusqlite::Row) -> rusqlite::Result<DueFeed> {
    Ok(DueFeed {
        id: FeedId(r.get(0)?),
        url: r.get(1)?,
        etag: r.get(2)?,
        last_modified: r.get(3)?,
        obey_robots: r.get(4)?,
        error_count: r.get(5)?,
        last_full_fetch_at: parse_opt_time(r.get(6)?),
        hinted_interval: r
            .get::<_, Option<i64>>(7)?
            .map(|s| std::time::Duration::from_secs(s.max(0) as u64)),
        next_check_at: parse_opt_time(r.get(8)?),
    })
}

/// The feeds due at `now`, the counts and the next due time, read in one transaction (one consistent picture).
pub(crate) fn look(conn: &mut Connection, now: DateTime<Utc>, limit: usize) -> Result<ScheduleLook> {
    let tx = conn.transaction()?;
    let now_text = time(now);
    let look = ScheduleLook {
        due: due_feeds(&tx, &now_text, limit)?,
        counts: feed_counts(&tx, &now_text)?,
        next_due: next_due_at(&tx)?.map(|t| match t.as_str() {
            // Never checked: due now.
            "" => now,
            t => parse_time(t).unwrap_or(now),
        }),
    };
    tx.commit()?;
    Ok(look)
}

/// Enabled feeds whose next check is at or before `now` (never checked ones first), oldest due first.
fn due_feeds(conn: &Connection, now: &str, limit: usize) -> Result<Vec<DueFeed>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {DUE_COLUMNS} FROM feeds f
         WHERE NOT f.disabled AND (f.next_check_at IS NULL OR f.next_check_at <= ?1)
         ORDER BY f.next_check_at IS NOT NULL, f.next_check_at, f.id LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![now, limit as i64], due_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Feeds for a one-off run, in id order: every enabled one, or the given ones (enabled or not).
pub(crate) fn select(conn: &Connection, which: &FeedSelection) -> Result<Vec<DueFeed>> {
    match which {
        FeedSelection::Enabled => {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {DUE_COLUMNS} FROM feeds f WHERE NOT f.disabled ORDER BY f.id"
            ))?;
            let rows = stmt.query_map([], due_from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        }
        FeedSelection::Ids(ids) => {
            let mut stmt = conn.prepare_cached(&format!("SELECT {DUE_COLUMNS} FROM feeds f WHERE f.id = ?1"))?;
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(f) = stmt.query_row([id.0], due_from_row).optional()? {
                    out.push(f);
                }
            }
            Ok(out)
        }
    }
}

/// The earliest next check among enabled feeds: `None` when there are none, the empty string when one was never
/// checked (so it is due now).
fn next_due_at(conn: &Connection) -> Result<Option<String>> {
    Ok(conn.query_row(
        "SELECT min(COALESCE(next_check_at, '')) FROM feeds WHERE NOT disabled",
        [],
        |r| r.get(0),
    )?)
}

fn feed_counts(conn: &Connection, now: &str) -> Result<FeedCounts> {
    Ok(conn.query_row(
        "SELECT count(*),
                coalesce(sum(NOT disabled AND (next_check_at IS NULL OR next_check_at <= ?1)), 0),
                coalesce(sum(NOT disabled AND error_count > 0), 0),
                coalesce(sum(disabled), 0)
         FROM feeds",
        [now],
        |r| {
            Ok(FeedCounts {
                total: r.get::<_, i64>(0)? as u64,
                due: r.get::<_, i64>(1)? as u64,
                erroring: r.get::<_, i64>(2)? as u64,
                disabled: r.get::<_, i64>(3)? as u64,
            })
        },
    )?)
}

/// Publication times (else first-seen times) of a feed's latest articles, newest first, at most `limit`.
pub(crate) fn recent_article_times(conn: &Connection, feed: FeedId, limit: usize) -> Result<Vec<DateTime<Utc>>> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT COALESCE(published_at, fetched_at) AS t FROM articles WHERE feed_id = ?1
         ORDER BY t DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![feed.0, limit as i64], |r| r.get::<_, String>(0))?;
    let mut times = Vec::new();
    for t in rows {
        times.extend(parse_time(&t?));
    }
    Ok(times)
}
