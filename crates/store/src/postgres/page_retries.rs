//! Items whose page failed transiently, with their tries, until the article is stored (with or without its page).

use tokio_postgres::GenericClient;

use super::{now, Pool};
use crate::{FeedId, PendingPage, Result};

/// Counts a transient failure of an item's page, keeping the item; returns its tries so far.
pub(crate) async fn failed(pool: &Pool, feed: FeedId, item_key: &str, error: &str, item: &str) -> Result<u32> {
    let conn = pool.conn().await?;
    let tries: i32 = conn
        .query_one(
            "INSERT INTO page_retries AS p (feed_id, item_key, tries, last_error, last_tried_at, item)
             VALUES ($1, $2, 1, $3, $4, $5)
             ON CONFLICT (feed_id, item_key) DO UPDATE SET
                 tries = p.tries + 1, last_error = excluded.last_error, last_tried_at = excluded.last_tried_at,
                 item = excluded.item
             RETURNING tries",
            &[&feed.0, &item_key, &error, &now(), &item],
        )
        .await?
        .get(0);
    Ok(tries.max(0) as u32)
}

/// The feed's items still waiting for a page try.
pub(crate) async fn pending(c: &impl GenericClient, feed: FeedId) -> Result<Vec<PendingPage>> {
    let rows = c
        .query(
            "SELECT item_key, tries, last_error, last_tried_at, item FROM page_retries WHERE feed_id = $1",
            &[&feed.0],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| PendingPage {
            item_key: r.get(0),
            tries: r.get::<_, i32>(1).max(0) as u32,
            last_error: r.get(2),
            last_tried_at: r.get(3),
            item: r.get(4),
        })
        .collect())
}

/// Forgets items' page tries without storing them.
pub(crate) async fn forget(pool: &Pool, feed: FeedId, item_keys: &[String]) -> Result<()> {
    let conn = pool.conn().await?;
    conn.execute(
        "DELETE FROM page_retries WHERE feed_id = $1 AND item_key = ANY($2)",
        &[&feed.0, &item_keys],
    )
    .await?;
    Ok(())
}
