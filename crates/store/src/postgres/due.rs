//! What the scheduler reads, and how workers share the due feeds.
//!
//! A look at the schedule takes the due feeds it returns: in one transaction, `FOR UPDATE SKIP LOCKED` picks due
//! feeds that no other worker holds (rows another worker is taking at this moment are skipped, not waited for), and
//! they are leased to this worker until `now() + lease` (the database's clock, the same for every machine). The
//! lease ends when the feed's fetch is recorded as finished or failed; a live worker renews its leases every third
//! of a lease (so a slow feed is not taken over), and a worker that dies leaves them to run out.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_postgres::{GenericClient, Row};

use super::{at, Pool};
use crate::{DueFeed, FeedCounts, FeedId, FeedSelection, Result, ScheduleLook};

const DUE_COLUMNS: &str = "f.id, f.url, f.etag, f.last_modified, f.obey_robots, f.error_count, \
     (SELECT max(started_at) FROM fetches WHERE feed_id = f.id AND status = 200), f.hinted_interval_secs, \
     f.next_check_at";

fn due_from_row(r: &Row) -> Result<DueFeed> {
    Ok(DueFeed {
        id: FeedId(r.try_get(0)?),
        url: r.try_get(1)?,
        etag: r.try_get(2)?,
        last_modified: r.try_get(3)?,
        obey_robots: r.try_get(4)?,
        error_count: r.try_get::<_, i32>(5)? as i64,
        last_full_fetch_at: r.try_get(6)?,
        hinted_interval: r
            .try_get::<_, Option<i64>>(7)?
            .map(|s| Duration::from_secs(s.max(0) as u64)),
        next_check_at: r.try_get(8)?,
    })
}

/// Takes the feeds due at `now` that no worker holds (at most `limit`), leased to this worker; with the counts and
/// the next due time, in one transaction.
pub(crate) async fn look(pool: &Pool, now: DateTime<Utc>, limit: usize) -> Result<ScheduleLook> {
    let mut conn = pool.conn().await?;
    let now = at(now);
    let lease_secs = pool.lease().as_secs_f64();
    let tx = conn.transaction().await?;
    let taken: Vec<i64> = tx
        .query(
            "WITH due AS (
                 SELECT id FROM feeds
                 WHERE NOT disabled AND (next_check_at IS NULL OR next_check_at <= $1)
                   AND (leased_until IS NULL OR leased_until <= now())
                 ORDER BY next_check_at IS NOT NULL, next_check_at, id
                 LIMIT $2
                 FOR UPDATE SKIP LOCKED)
             UPDATE feeds f SET leased_by = $3, leased_until = now() + make_interval(secs => $4)
             FROM due WHERE f.id = due.id
             RETURNING f.id",
            &[&now, &(limit as i64), &pool.worker(), &lease_secs],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let rows = tx
        .query(
            &format!(
                "SELECT {DUE_COLUMNS} FROM feeds f WHERE f.id = ANY($1)
                 ORDER BY f.next_check_at IS NOT NULL, f.next_check_at, f.id"
            ),
            &[&taken],
        )
        .await?;
    let due = rows.iter().map(due_from_row).collect::<Result<Vec<_>>>()?;
    let counts = feed_counts(&tx, now).await?;
    let next_due: Option<DateTime<Utc>> = tx
        .query_one(
            "SELECT min(COALESCE(next_check_at, $1)) FROM feeds WHERE NOT disabled",
            &[&now],
        )
        .await?
        .get(0);
    tx.commit().await?;
    Ok(ScheduleLook { due, counts, next_due })
}

/// Ends this worker's lease on a feed (when its fetch is recorded as done). Part of the caller's transaction.
pub(crate) async fn release(c: &impl GenericClient, pool: &Pool, feed: FeedId) -> Result<()> {
    c.execute(
        "UPDATE feeds SET leased_by = NULL, leased_until = NULL WHERE id = $1 AND leased_by = $2",
        &[&feed.0, &pool.worker()],
    )
    .await?;
    Ok(())
}

/// Extends this worker's live leases by a whole lease from now.
pub(crate) async fn renew(pool: &Pool) -> Result<()> {
    let conn = pool.conn().await?;
    conn.execute(
        "UPDATE feeds SET leased_until = now() + make_interval(secs => $2)
         WHERE leased_by = $1 AND leased_until > now()",
        &[&pool.worker(), &pool.lease().as_secs_f64()],
    )
    .await?;
    Ok(())
}

/// Ends this worker's leases on feeds it will not fetch.
pub(crate) async fn release_all(pool: &Pool, feeds: &[FeedId]) -> Result<()> {
    let ids: Vec<i64> = feeds.iter().map(|f| f.0).collect();
    let conn = pool.conn().await?;
    conn.execute(
        "UPDATE feeds SET leased_by = NULL, leased_until = NULL WHERE id = ANY($1) AND leased_by = $2",
        &[&ids, &pool.worker()],
    )
    .await?;
    Ok(())
}

/// Feeds for a one-off run, in id order: every enabled one, or the given ones (enabled or not).
pub(crate) async fn select(pool: &Pool, which: &FeedSelection) -> Result<Vec<DueFeed>> {
    let conn = pool.conn().await?;
    let rows = match which {
        FeedSelection::Enabled => {
            conn.query(
                &format!("SELECT {DUE_COLUMNS} FROM feeds f WHERE NOT f.disabled ORDER BY f.id"),
                &[],
            )
            .await?
        }
        FeedSelection::Ids(ids) => {
            let ids: Vec<i64> = ids.iter().map(|f| f.0).collect();
            let rows = conn
                .query(
                    &format!("SELECT {DUE_COLUMNS} FROM feeds f WHERE f.id = ANY($1)"),
                    &[&ids],
                )
                .await?;
            // In the order asked.
            let mut by_id: std::collections::HashMap<i64, Row> =
                rows.into_iter().map(|r| (r.get::<_, i64>(0), r)).collect();
            ids.iter().filter_map(|id| by_id.remove(id)).collect()
        }
    };
    rows.iter().map(due_from_row).collect()
}

async fn feed_counts(c: &impl GenericClient, now: DateTime<Utc>) -> Result<FeedCounts> {
    let r = c
        .query_one(
            "SELECT count(*),
                    count(*) FILTER (WHERE NOT disabled AND (next_check_at IS NULL OR next_check_at <= $1)),
                    count(*) FILTER (WHERE NOT disabled AND error_count > 0),
                    count(*) FILTER (WHERE disabled)
             FROM feeds",
            &[&now],
        )
        .await?;
    Ok(FeedCounts {
        total: r.get::<_, i64>(0) as u64,
        due: r.get::<_, i64>(1) as u64,
        erroring: r.get::<_, i64>(2) as u64,
        disabled: r.get::<_, i64>(3) as u64,
    })
}

/// Publication times (else first-seen times) of a feed's latest articles, newest first, at most `limit`.
pub(crate) async fn recent_article_times(
    c: &impl GenericClient,
    feed: FeedId,
    limit: usize,
) -> Result<Vec<DateTime<Utc>>> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let rows = c
        .query(
            "SELECT COALESCE(published_at, fetched_at) AS t FROM articles WHERE feed_id = $1
             ORDER BY t DESC LIMIT $2",
            &[&feed.0, &(limit as i64)],
        )
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}
