//! Subscriptions: adding, listing, removing, enabling and disabling feeds.

use tokio_postgres::{GenericClient, Row};

use super::{now, Pool};
use crate::{FeedId, FeedRow, Result, StoreError};

const FEED_COLUMNS: &str = "f.id, f.url, f.title, f.site_url, f.next_check_at, \
     f.error_count, f.last_error, f.disabled, f.obey_robots, f.created_at, \
     (SELECT max(started_at) FROM fetches WHERE feed_id = f.id), \
     (SELECT status FROM fetches WHERE feed_id = f.id ORDER BY started_at DESC, id DESC LIMIT 1), \
     (SELECT count(*) FROM articles WHERE feed_id = f.id)";

fn feed_from_row(r: &Row) -> Result<FeedRow> {
    Ok(FeedRow {
        id: FeedId(r.try_get(0)?),
        url: r.try_get(1)?,
        title: r.try_get(2)?,
        site_url: r.try_get(3)?,
        next_check_at: r.try_get(4)?,
        error_count: r.try_get::<_, i32>(5)? as i64,
        last_error: r.try_get(6)?,
        disabled: r.try_get(7)?,
        obey_robots: r.try_get(8)?,
        created_at: r.try_get(9)?,
        last_fetch_at: r.try_get(10)?,
        last_status: r.try_get::<_, Option<i32>>(11)?.map(i64::from),
        articles: r.try_get(12)?,
    })
}

/// Subscribes to feed URLs (a URL already there keeps its feed), in one transaction. Returns their ids.
pub(crate) async fn add(pool: &Pool, urls: &[String]) -> Result<Vec<FeedId>> {
    let mut conn = pool.conn().await?;
    let tx = conn.transaction().await?;
    let mut ids = Vec::with_capacity(urls.len());
    for url in urls {
        // Not a bare ON CONFLICT: that would spend an id on every URL already there.
        tx.execute(
            "INSERT INTO feeds (url) SELECT $1 WHERE NOT EXISTS (SELECT 1 FROM feeds WHERE url = $1)
             ON CONFLICT (url) DO NOTHING",
            &[url],
        )
        .await?;
        ids.push(FeedId(
            tx.query_one("SELECT id FROM feeds WHERE url = $1", &[url])
                .await?
                .get(0),
        ));
    }
    tx.commit().await?;
    Ok(ids)
}

/// Every feed with its latest fetch, in id order.
pub(crate) async fn list(pool: &Pool) -> Result<Vec<FeedRow>> {
    let conn = pool.conn().await?;
    let rows = conn
        .query(&format!("SELECT {FEED_COLUMNS} FROM feeds f ORDER BY f.id"), &[])
        .await?;
    rows.iter().map(feed_from_row).collect()
}

/// Finds a feed by numeric id or by URL.
async fn find(c: &impl GenericClient, id_or_url: &str) -> Result<FeedRow> {
    let id: i64 = id_or_url.parse().unwrap_or(-1);
    let row = c
        .query_opt(
            &format!("SELECT {FEED_COLUMNS} FROM feeds f WHERE f.id = $1 OR f.url = $2"),
            &[&id, &id_or_url],
        )
        .await?;
    match row {
        Some(r) => feed_from_row(&r),
        None => Err(StoreError::NoSuchFeed(id_or_url.to_string())),
    }
}

/// Unsubscribes: deletes the feed with its fetches and articles (whose mentions are uncounted as they go).
pub(crate) async fn remove(pool: &Pool, id_or_url: &str) -> Result<FeedRow> {
    let mut conn = pool.conn().await?;
    let tx = conn.transaction().await?;
    let feed = find(&tx, id_or_url).await?;
    tx.execute("DELETE FROM feeds WHERE id = $1", &[&feed.id.0]).await?;
    tx.commit().await?;
    Ok(feed)
}

/// Disables a feed, or enables it: an enabled feed is due at once, with a clean error streak that counts from now.
pub(crate) async fn set_disabled(pool: &Pool, feed: FeedId, disabled: bool) -> Result<()> {
    let conn = pool.conn().await?;
    let n = if disabled {
        conn.execute("UPDATE feeds SET disabled = true WHERE id = $1", &[&feed.0])
            .await?
    } else {
        conn.execute(
            "UPDATE feeds SET disabled = false, error_count = 0, next_check_at = NULL, enabled_at = $2
             WHERE id = $1",
            &[&feed.0, &now()],
        )
        .await?
    };
    if n == 0 {
        return Err(StoreError::NoSuchFeed(feed.to_string()));
    }
    Ok(())
}
