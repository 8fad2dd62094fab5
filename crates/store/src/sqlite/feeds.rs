//! Subscriptions: adding, listing, removing, enabling and disabling feeds.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::parse_opt_time;
use crate::{FeedId, FeedRow, Result, StoreError};

const FEED_COLUMNS: &str = "f.id, f.url, f.title, f.site_url, f.next_check_at, \
     f.error_count, f.last_error, f.disabled, f.obey_robots, f.created_at, \
     (SELECT max(started_at) FROM fetches WHERE feed_id = f.id), \
     (SELECT status FROM fetches WHERE feed_id = f.id ORDER BY started_at DESC, id DESC LIMIT 1), \
     (SELECT count(*) FROM articles WHERE feed_id = f.id)";

fn feed_from_row(r: &Row) -> rusqlite::Result<FeedRow> {
    Ok(FeedRow {
        id: FeedId(r.get(0)?),
        url: r.get(1)?,
        title: r.get(2)?,
        site_url: r.get(3)?,
        next_check_at: parse_opt_time(r.get(4)?),
        error_count: r.get(5)?,
        last_error: r.get(6)?,
        disabled: r.get(7)?,
        obey_robots: r.get(8)?,
        created_at: parse_opt_time(r.get(9)?),
        last_fetch_at: parse_opt_time(r.get(10)?),
        last_status: r.get(11)?,
        articles: r.get(12)?,
    })
}

/// Subscribes to feed URLs (a URL already there keeps its feed), in one transaction. Returns their ids.
pub(crate) fn add(conn: &mut Connection, urls: &[String]) -> Result<Vec<FeedId>> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut ids = Vec::with_capacity(urls.len());
    for url in urls {
        tx.execute("INSERT OR IGNORE INTO feeds (url) VALUES (?1)", [url])?;
        ids.push(FeedId(tx.query_row(
            "SELECT id FROM feeds WHERE url = ?1",
            [url],
            |r| r.get(0),
        )?));
    }
    tx.commit()?;
    Ok(ids)
}

/// Every feed with its latest fetch, in id order.
pub(crate) fn list(conn: &Connection) -> Result<Vec<FeedRow>> {
    let mut stmt = conn.prepare(&format!("SELECT {FEED_COLUMNS} FROM feeds f ORDER BY f.id"))?;
    let rows = stmt.query_map([], feed_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Finds a feed by numeric id or by URL.
fn find(conn: &Connection, id_or_url: &str) -> Result<FeedRow> {
    let sql = format!("SELECT {FEED_COLUMNS} FROM feeds f WHERE f.id = ?1 OR f.url = ?2");
    let id: i64 = id_or_url.parse().unwrap_or(-1);
    conn.query_row(&sql, params![id, id_or_url], feed_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NoSuchFeed(id_or_url.to_string()))
}

/// Unsubscribes: deletes the feed with its fetches and articles.
pub(crate) fn remove(conn: &mut Connection, id_or_url: &str) -> Result<FeedRow> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let feed = find(&tx, id_or_url)?;
    tx.execute("DELETE FROM feeds WHERE id = ?1", [feed.id.0])?;
    tx.commit()?;
    Ok(feed)
}

/// Disables a feed, or enables it: an enabled feed is due at once, with a clean error streak that counts from now.
pub(crate) fn set_disabled(conn: &Connection, feed: FeedId, disabled: bool) -> Result<()> {
    let n = if disabled {
        conn.execute("UPDATE feeds SET disabled = 1 WHERE id = ?1", [feed.0])?
    } else {
        conn.execute(
            "UPDATE feeds SET disabled = 0, error_count = 0, next_check_at = NULL,
                              enabled_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
             WHERE id = ?1",
            [feed.0],
        )?
    };
    if n == 0 {
        return Err(StoreError::NoSuchFeed(feed.to_string()));
    }
    Ok(())
}
