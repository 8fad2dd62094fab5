//! Items whose page failed transiently, with their tries, until the article is stored (with or without its page).
//! Storing an article clears its row (see `articles`).

use rusqlite::{params, Connection};

use super::parse_time;
use crate::{FeedId, PendingPage, Result};

/// Counts a transient failure of an item's page (the item is not stored yet), keeping the item for when it has to
/// be stored without its page; returns its tries so far.
pub(crate) fn failed(conn: &Connection, feed: FeedId, item_key: &str, error: &str, item: &str) -> Result<u32> {
    Ok(conn.query_row(
        "INSERT INTO page_retries (feed_id, item_key, tries, last_error, last_tried_at, item)
         VALUES (?1, ?2, 1, ?3, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?4)
         ON CONFLICT (feed_id, item_key) DO UPDATE SET
             tries = tries + 1, last_error = excluded.last_error, last_tried_at = excluded.last_tried_at,
             item = excluded.item
         RETURNING tries",
        params![feed.0, item_key, error, item],
        |r| r.get(0),
    )?)
}

/// The feed's items still waiting for a page try.
pub(crate) fn pending(conn: &Connection, feed: FeedId) -> Result<Vec<PendingPage>> {
    let mut stmt = conn.prepare_cached(
        "SELECT item_key, tries, last_error, last_tried_at, item FROM page_retries WHERE feed_id = ?1",
    )?;
    let rows = stmt.query_map([feed.0], |r| {
        Ok(PendingPage {
            item_key: r.get(0)?,
            tries: r.get(1)?,
            last_error: r.get(2)?,
            // An unreadable time counts as long ago: tried now rather than never.
            last_tried_at: parse_time(&r.get::<_, String>(3)?).unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC),
            item: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Forgets items' page tries without storing them.
pub(crate) fn forget(conn: &Connection, feed: FeedId, item_keys: &[String]) -> Result<()> {
    let mut stmt = conn.prepare_cached("DELETE FROM page_retries WHERE feed_id = ?1 AND item_key = ?2")?;
    for key in item_keys {
        stmt.execute(params![feed.0, key])?;
    }
    Ok(())
}

/// Deletes the feed's page tries not renewed since `before` (stored form). Returns how many.
pub(crate) fn prune(conn: &Connection, feed: FeedId, before: &str) -> Result<usize> {
    Ok(conn
        .prepare_cached("DELETE FROM page_retries WHERE feed_id = ?1 AND last_tried_at < ?2")?
        .execute(params![feed.0, before])?)
}
