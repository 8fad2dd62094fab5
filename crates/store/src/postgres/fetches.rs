//! A feed's fetches: recording one (answered or failed) with what it changes on the feed, the end of its items
//! (validators and next check saved only once its new articles are committed), and pruning old history. Recording
//! a fetch's end (finished or failed) also ends this worker's lease on the feed.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use tokio_postgres::{GenericClient, Transaction};

use super::cells::time_text;
use super::{articles, at, due, page_retries, Pool};
use crate::{
    AnsweredFetch, FailedFetch, FeedEnd, FeedId, FetchAttempt, ItemCounts, RecordedFailure, RecordedFetch, Result,
};

async fn insert_attempts(tx: &Transaction<'_>, feed: FeedId, attempts: &[FetchAttempt]) -> Result<()> {
    let stmt = tx
        .prepare(
            "INSERT INTO fetches (feed_id, started_at, status, bytes, duration_ms, new_items, duplicate_items, error)
             VALUES ($1, $2, $3, $4, $5, 0, 0, $6)",
        )
        .await?;
    for a in attempts {
        tx.execute(
            &stmt,
            &[
                &feed.0,
                &at(a.started_at),
                &a.status.map(i32::from),
                &(a.bytes as i64),
                &(a.duration_ms as i64),
                &a.error,
            ],
        )
        .await?;
    }
    Ok(())
}

/// Records an answered fetch and learns which items are new, in one transaction.
pub(crate) async fn record_answer(pool: &Pool, feed: FeedId, fetch: &AnsweredFetch) -> Result<RecordedFetch> {
    let mut conn = pool.conn().await?;
    let tx = conn.transaction().await?;
    insert_attempts(&tx, feed, &fetch.attempts).await?;
    let update = &fetch.update;
    tx.execute(
        "UPDATE feeds SET error_count = 0, last_error = NULL,
                          title = COALESCE($2, title), site_url = COALESCE($3, site_url)
         WHERE id = $1",
        &[&feed.0, &update.title, &update.site_url],
    )
    .await?;
    if let Some(hint) = update.hinted_interval {
        tx.execute(
            "UPDATE feeds SET hinted_interval_secs = $2 WHERE id = $1",
            &[&feed.0, &hint.map(|d| d.as_secs() as i64)],
        )
        .await?;
    }
    if let Some(new_url) = &update.moved_to {
        // Another subscription may already own that URL; then keep ours as it is.
        tx.execute(
            "UPDATE feeds SET url = $2 WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM feeds WHERE url = $2)",
            &[&feed.0, new_url],
        )
        .await?;
    }
    let mut pending: HashMap<String, crate::PendingPage> = page_retries::pending(&tx, feed)
        .await?
        .into_iter()
        .map(|p| (p.item_key.clone(), p))
        .collect();
    let known = articles::known_items(&tx, feed, &fetch.items).await?;
    let new_items = fetch
        .items
        .iter()
        .zip(known)
        .map(|(item, known)| (!known).then(|| pending.remove(&item.key)))
        .collect();
    let mut departed: Vec<crate::PendingPage> = pending.into_values().collect();
    departed.sort_by(|a, b| a.item_key.cmp(&b.item_key));
    let recent_times = due::recent_article_times(&tx, feed, fetch.recent_times).await?;
    tx.commit().await?;
    Ok(RecordedFetch {
        new_items,
        departed,
        recent_times,
    })
}

/// Records a failed fetch and disables a feed failing too long, in one transaction.
pub(crate) async fn record_failure(pool: &Pool, feed: FeedId, fetch: &FailedFetch) -> Result<RecordedFailure> {
    let mut conn = pool.conn().await?;
    let tx = conn.transaction().await?;
    insert_attempts(&tx, feed, &fetch.attempts).await?;
    tx.execute(
        "UPDATE feeds SET error_count = error_count + 1, last_error = $2, next_check_at = $3 WHERE id = $1",
        &[&feed.0, &fetch.error, &at(fetch.next_check_at)],
    )
    .await?;
    let failing_since = failing_since(&tx, feed).await?;
    let disabled = match (failing_since, fetch.disable_if_failing_since) {
        (Some(since), Some(limit)) => since <= limit,
        _ => false,
    };
    if disabled {
        let reason = format!(
            "disabled: failing since {}; last error: {}",
            failing_since.map(time_text).unwrap_or_default(),
            fetch.error
        );
        tx.execute(
            "UPDATE feeds SET disabled = true, last_error = $2 WHERE id = $1",
            &[&feed.0, &reason],
        )
        .await?;
    }
    due::release(&tx, pool, feed).await?;
    tx.commit().await?;
    Ok(RecordedFailure {
        failing_since,
        disabled,
    })
}

/// When the feed's current error streak began (see the SQLite backend).
async fn failing_since(c: &impl GenericClient, feed: FeedId) -> Result<Option<DateTime<Utc>>> {
    Ok(c.query_one(
        "SELECT min(started_at) FROM fetches
         WHERE feed_id = $1 AND error IS NOT NULL
           AND started_at >= COALESCE(
                 (SELECT max(started_at) FROM fetches WHERE feed_id = $1 AND error IS NULL), '-infinity')
           AND started_at >= COALESCE((SELECT enabled_at FROM feeds WHERE id = $1), '-infinity')",
        &[&feed.0],
    )
    .await?
    .get(0))
}

/// Sets when a feed is next checked (which ends this worker's turn with it).
pub(crate) async fn set_next_check(pool: &Pool, feed: FeedId, when: DateTime<Utc>) -> Result<()> {
    let conn = pool.conn().await?;
    conn.execute(
        "UPDATE feeds SET next_check_at = $2,
                          leased_by = CASE WHEN leased_by = $3 THEN NULL ELSE leased_by END,
                          leased_until = CASE WHEN leased_by = $3 THEN NULL ELSE leased_until END
         WHERE id = $1",
        &[&feed.0, &at(when), &pool.worker()],
    )
    .await?;
    Ok(())
}

/// Saves how a fetched feed's new items ended, with their counts on its latest fetch, in one transaction.
pub(crate) async fn finish(pool: &Pool, feed: FeedId, end: &FeedEnd, counts: ItemCounts) -> Result<()> {
    let mut conn = pool.conn().await?;
    let tx = conn.transaction().await?;
    match end {
        FeedEnd::Complete {
            etag,
            last_modified,
            next_check_at,
        } => {
            tx.execute(
                "UPDATE feeds SET etag = COALESCE($2, etag), last_modified = COALESCE($3, last_modified),
                                  next_check_at = $4
                 WHERE id = $1",
                &[&feed.0, etag, last_modified, &at(*next_check_at)],
            )
            .await?;
        }
        FeedEnd::RetryAt(when) => {
            tx.execute(
                "UPDATE feeds SET next_check_at = $2 WHERE id = $1",
                &[&feed.0, &at(*when)],
            )
            .await?;
        }
        FeedEnd::Interrupted => {}
    }
    tx.execute(
        "UPDATE fetches SET new_items = $2, duplicate_items = $3
         WHERE id = (SELECT max(id) FROM fetches WHERE feed_id = $1)",
        &[&feed.0, &(counts.new_items as i64), &(counts.duplicate_items as i64)],
    )
    .await?;
    due::release(&tx, pool, feed).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes one feed's history older than `before` (see the SQLite backend). Returns the rows deleted.
pub(crate) async fn prune(pool: &Pool, feed: FeedId, before: DateTime<Utc>) -> Result<usize> {
    let conn = pool.conn().await?;
    let before = at(before);
    let fetches = conn
        .execute(
            "DELETE FROM fetches
             WHERE feed_id = $1 AND started_at < $2
               AND id <> (SELECT max(id) FROM fetches WHERE feed_id = $1)
               AND id <> COALESCE((SELECT max(id) FROM fetches WHERE feed_id = $1 AND error IS NULL), -1)
               AND id <> COALESCE((SELECT max(id) FROM fetches WHERE feed_id = $1 AND status = 200), -1)",
            &[&feed.0, &before],
        )
        .await?;
    let retries = conn
        .execute(
            "DELETE FROM page_retries WHERE feed_id = $1 AND last_tried_at < $2",
            &[&feed.0, &before],
        )
        .await?;
    Ok((fetches + retries) as usize)
}
