//! Feeds and their fetch history.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

use crate::{Result, StoreError};

/// A feed as stored, with its latest fetch.
#[derive(Debug, Clone, Serialize)]
pub struct FeedRow {
    pub id: i64,
    pub url: String,
    pub title: Option<String>,
    pub site_url: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub next_check_at: Option<String>,
    pub error_count: i64,
    pub last_error: Option<String>,
    pub disabled: bool,
    pub obey_robots: bool,
    pub created_at: String,
    pub last_fetch_at: Option<String>,
    pub last_status: Option<i64>,
    pub articles: i64,
}

const FEED_COLUMNS: &str = "f.id, f.url, f.title, f.site_url, f.etag, f.last_modified, f.next_check_at, \
     f.error_count, f.last_error, f.disabled, f.obey_robots, f.created_at, \
     (SELECT max(started_at) FROM fetches WHERE feed_id = f.id), \
     (SELECT status FROM fetches WHERE feed_id = f.id ORDER BY started_at DESC, id DESC LIMIT 1), \
     (SELECT count(*) FROM articles WHERE feed_id = f.id)";

fn feed_from_row(r: &Row) -> rusqlite::Result<FeedRow> {
    Ok(FeedRow {
        id: r.get(0)?,
        url: r.get(1)?,
        title: r.get(2)?,
        site_url: r.get(3)?,
        etag: r.get(4)?,
        last_modified: r.get(5)?,
        next_check_at: r.get(6)?,
        error_count: r.get(7)?,
        last_error: r.get(8)?,
        disabled: r.get(9)?,
        obey_robots: r.get(10)?,
        created_at: r.get(11)?,
        last_fetch_at: r.get(12)?,
        last_status: r.get(13)?,
        articles: r.get(14)?,
    })
}

/// One HTTP attempt at a feed, for the `fetches` table.
#[derive(Debug, Clone, Default)]
pub struct FetchRecord {
    pub started_at: String,
    pub status: Option<u16>,
    pub bytes: u64,
    pub duration_ms: u64,
    pub new_items: u64,
    pub duplicate_items: u64,
    pub error: Option<String>,
}

/// Subscribes to a feed URL (no-op if already there). Returns its id.
pub fn add_feed(conn: &Connection, url: &str) -> Result<i64> {
    conn.execute("INSERT OR IGNORE INTO feeds (url) VALUES (?1)", [url])?;
    Ok(conn.query_row("SELECT id FROM feeds WHERE url = ?1", [url], |r| r.get(0))?)
}

pub fn list_feeds(conn: &Connection) -> Result<Vec<FeedRow>> {
    let mut stmt = conn.prepare(&format!("SELECT {FEED_COLUMNS} FROM feeds f ORDER BY f.id"))?;
    let rows = stmt.query_map([], feed_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Finds a feed by numeric id or by URL.
pub fn find_feed(conn: &Connection, id_or_url: &str) -> Result<FeedRow> {
    let sql = format!("SELECT {FEED_COLUMNS} FROM feeds f WHERE f.id = ?1 OR f.url = ?2");
    let id: i64 = id_or_url.parse().unwrap_or(-1);
    conn.query_row(&sql, params![id, id_or_url], feed_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NoSuchFeed(id_or_url.to_string()))
}

/// Unsubscribes: deletes the feed with its fetches and articles.
pub fn remove_feed(conn: &mut Connection, id_or_url: &str) -> Result<FeedRow> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let feed = find_feed(&tx, id_or_url)?;
    tx.execute("DELETE FROM feeds WHERE id = ?1", [feed.id])?;
    tx.commit()?;
    Ok(feed)
}

/// Disables a feed, or enables it: an enabled feed is due at once, with a clean error streak that counts from now.
pub fn set_feed_disabled(conn: &Connection, feed_id: i64, disabled: bool) -> Result<()> {
    let n = if disabled {
        conn.execute("UPDATE feeds SET disabled = 1 WHERE id = ?1", [feed_id])?
    } else {
        conn.execute(
            "UPDATE feeds SET disabled = 0, error_count = 0, next_check_at = NULL,
                              enabled_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
             WHERE id = ?1",
            [feed_id],
        )?
    };
    if n == 0 {
        return Err(StoreError::NoSuchFeed(feed_id.to_string()));
    }
    Ok(())
}

/// What a fetch of a feed taught us, applied in one transaction with its attempts.
#[derive(Debug, Clone, Default)]
pub struct FeedUpdate {
    pub title: Option<String>,
    pub site_url: Option<String>,
    /// New validators; `None` keeps the old ones.
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// The feed's new permanent address.
    pub moved_to: Option<String>,
    /// `Some` when the fetch failed: increments the error streak.
    pub error: Option<String>,
    pub next_check_at: Option<String>,
    /// After a full answer: the feed's own lower bound on its check interval (`Some(None)`: it gave none).
    /// `None` keeps the stored one (a 304 or a failure).
    pub hinted_interval: Option<Option<std::time::Duration>>,
}

/// Records a fetch: its attempts in `fetches`, and what it changed on the feed.
pub fn record_fetch(conn: &mut Connection, feed_id: i64, attempts: &[FetchRecord], update: &FeedUpdate) -> Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO fetches (feed_id, started_at, status, bytes, duration_ms, new_items, duplicate_items, error)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for a in attempts {
            insert.execute(params![
                feed_id,
                a.started_at,
                a.status,
                a.bytes as i64,
                a.duration_ms as i64,
                a.new_items as i64,
                a.duplicate_items as i64,
                a.error
            ])?;
        }
    }
    if let Some(error) = &update.error {
        tx.execute(
            "UPDATE feeds SET error_count = error_count + 1, last_error = ?2,
                              next_check_at = COALESCE(?3, next_check_at)
             WHERE id = ?1",
            params![feed_id, error, update.next_check_at],
        )?;
    } else {
        tx.execute(
            "UPDATE feeds SET error_count = 0, last_error = NULL,
                              title = COALESCE(?2, title), site_url = COALESCE(?3, site_url),
                              etag = COALESCE(?4, etag), last_modified = COALESCE(?5, last_modified),
                              next_check_at = COALESCE(?6, next_check_at)
             WHERE id = ?1",
            params![
                feed_id,
                update.title,
                update.site_url,
                update.etag,
                update.last_modified,
                update.next_check_at
            ],
        )?;
        if let Some(hint) = update.hinted_interval {
            tx.execute(
                "UPDATE feeds SET hinted_interval_secs = ?2 WHERE id = ?1",
                params![feed_id, hint.map(|d| d.as_secs() as i64)],
            )?;
        }
        if let Some(new_url) = &update.moved_to {
            // Another subscription may already own that URL; then keep ours as it is.
            let taken: bool = tx.query_row("SELECT count(*) > 0 FROM feeds WHERE url = ?1", [new_url], |r| r.get(0))?;
            if !taken {
                tx.execute("UPDATE feeds SET url = ?2 WHERE id = ?1", params![feed_id, new_url])?;
            }
        }
    }
    tx.commit()?;
    Ok(())
}

/// Sets the new/duplicate counts on the latest fetch of a feed (known only after its items were processed).
pub fn set_fetch_counts(conn: &Connection, feed_id: i64, new_items: u64, duplicate_items: u64) -> Result<()> {
    conn.execute(
        "UPDATE fetches SET new_items = ?2, duplicate_items = ?3
         WHERE id = (SELECT max(id) FROM fetches WHERE feed_id = ?1)",
        params![feed_id, new_items as i64, duplicate_items as i64],
    )?;
    Ok(())
}

/// Counts a transient failure of an item's page (the item is not stored yet), keeping the item (as JSON) for when it
/// has to be stored without its page; returns its tries so far. The row goes when the article is stored.
pub fn page_failed(conn: &Connection, feed_id: i64, item_key: &str, error: &str, item: &str) -> Result<u32> {
    Ok(conn.query_row(
        "INSERT INTO page_retries (feed_id, item_key, tries, last_error, last_tried_at, item)
         VALUES (?1, ?2, 1, ?3, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?4)
         ON CONFLICT (feed_id, item_key) DO UPDATE SET
             tries = tries + 1, last_error = excluded.last_error, last_tried_at = excluded.last_tried_at,
             item = excluded.item
         RETURNING tries",
        params![feed_id, item_key, error, item],
        |r| r.get(0),
    )?)
}

/// An item of a feed whose page failed transiently, still waiting for its next try.
#[derive(Debug, Clone)]
pub struct PendingPage {
    pub item_key: String,
    pub tries: u32,
    pub last_error: Option<String>,
    pub last_tried_at: String,
    /// The feed item, as JSON.
    pub item: Option<String>,
}

/// The feed's items still waiting for a page try.
pub fn pending_pages(conn: &Connection, feed_id: i64) -> Result<Vec<PendingPage>> {
    let mut stmt = conn.prepare_cached(
        "SELECT item_key, tries, last_error, last_tried_at, item FROM page_retries WHERE feed_id = ?1",
    )?;
    let rows = stmt.query_map([feed_id], |r| {
        Ok(PendingPage {
            item_key: r.get(0)?,
            tries: r.get(1)?,
            last_error: r.get(2)?,
            last_tried_at: r.get(3)?,
            item: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Forgets an item's page tries without storing it (its item could not be read back).
pub fn forget_page(conn: &Connection, feed_id: i64, item_key: &str) -> Result<()> {
    conn.execute(
        "DELETE FROM page_retries WHERE feed_id = ?1 AND item_key = ?2",
        params![feed_id, item_key],
    )?;
    Ok(())
}

/// Deletes one feed's history older than `before`: its fetches, except what the schedule and `v_feed_health` read
/// (its latest attempt, latest success and latest full answer), and page tries not renewed since.
/// Returns the rows deleted. One feed at a time, so that the writer is never held for long.
pub fn prune_feed_history(conn: &Connection, feed_id: i64, before: &str) -> Result<usize> {
    let fetches = conn
        .prepare_cached(
            "DELETE FROM fetches
             WHERE feed_id = ?1 AND started_at < ?2
               AND id <> (SELECT max(id) FROM fetches WHERE feed_id = ?1)
               AND id <> COALESCE((SELECT max(id) FROM fetches WHERE feed_id = ?1 AND error IS NULL), -1)
               AND id <> COALESCE((SELECT max(id) FROM fetches WHERE feed_id = ?1 AND status = 200), -1)",
        )?
        .execute(params![feed_id, before])?;
    let retries = conn
        .prepare_cached("DELETE FROM page_retries WHERE feed_id = ?1 AND last_tried_at < ?2")?
        .execute(params![feed_id, before])?;
    Ok(fetches + retries)
}

/// Claims the housekeeping task `task` for a run now, unless it last ran after `not_since`: true when the caller
/// should run it. One statement, so that a daemon and a cron `ingest` on the same database do not both run it.
pub fn claim_task(conn: &Connection, task: &str, not_since: &str) -> Result<bool> {
    let n = conn.execute(
        "INSERT INTO maintenance (task, last_run_at) VALUES (?1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
         ON CONFLICT (task) DO UPDATE SET last_run_at = excluded.last_run_at WHERE last_run_at <= ?2",
        params![task, not_since],
    )?;
    Ok(n > 0)
}

/// Every feed's id.
pub fn feed_ids(conn: &Connection) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached("SELECT id FROM feeds ORDER BY id")?;
    let ids = stmt.query_map([], |r| r.get(0))?;
    Ok(ids.collect::<rusqlite::Result<_>>()?)
}
