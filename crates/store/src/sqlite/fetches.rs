//! A feed's fetches: recording one (answered or failed) with what it changes on the feed, the end of its items
//! (validators and next check saved only once its new articles are committed, so a crash never leaves a feed marked
//! as done with its articles missing), and pruning old history.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, Transaction};

use super::{articles, due, page_retries, parse_opt_time, time};
use crate::{
    AnsweredFetch, FailedFetch, FeedEnd, FeedId, FetchAttempt, ItemCounts, RecordedFailure, RecordedFetch, Result,
};

fn insert_attempts(tx: &Transaction, feed: FeedId, attempts: &[FetchAttempt]) -> Result<()> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO fetches (feed_id, started_at, status, bytes, duration_ms, new_items, duplicate_items, error)
         VALUES (?1, ?2, ?3, ?4, ?5, 0, 0, ?6)",
    )?;
    for a in attempts {
        insert.execute(params![
            feed.0,
            time(a.started_at),
            a.status,
            a.bytes as i64,
            a.duration_ms as i64,
            a.error
        ])?;
    }
    Ok(())
}

/// Records an answered fetch (attempts, feed metadata, a clean error streak) and learns which items are new, in one
/// transaction.
pub(crate) fn record_answer(conn: &mut Connection, feed: FeedId, fetch: &AnsweredFetch) -> Result<RecordedFetch> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    insert_attempts(&tx, feed, &fetch.attempts)?;
    let update = &fetch.update;
    tx.execute(
        "UPDATE feeds SET error_count = 0, last_error = NULL,
                          title = COALESCE(?2, title), site_url = COALESCE(?3, site_url)
         WHERE id = ?1",
        params![feed.0, update.title, update.site_url],
    )?;
    if let Some(hint) = update.hinted_interval {
        tx.execute(
            "UPDATE feeds SET hinted_interval_secs = ?2 WHERE id = ?1",
            params![feed.0, hint.map(|d| d.as_secs() as i64)],
        )?;
    }
    if let Some(new_url) = &update.moved_to {
        // Another subscription may already own that URL; then keep ours as it is.
        let taken: bool = tx.query_row("SELECT count(*) > 0 FROM feeds WHERE url = ?1", [new_url], |r| r.get(0))?;
        if !taken {
            tx.execute("UPDATE feeds SET url = ?2 WHERE id = ?1", params![feed.0, new_url])?;
        }
    }
    // Per item: None when already stored, else its earlier page tries (if any); what is left pending is not in
    // the document.
    let mut pending: HashMap<String, crate::PendingPage> = page_retries::pending(&tx, feed)?
        .into_iter()
        .map(|p| (p.item_key.clone(), p))
        .collect();
    let mut new_items = Vec::with_capacity(fetch.items.len());
    for item in &fetch.items {
        new_items.push(match articles::is_known(&tx, feed, item)? {
            true => None,
            false => Some(pending.remove(&item.key)),
        });
    }
    let mut departed: Vec<crate::PendingPage> = pending.into_values().collect();
    departed.sort_by(|a, b| a.item_key.cmp(&b.item_key));
    let recent_times = due::recent_article_times(&tx, feed, fetch.recent_times)?;
    tx.commit()?;
    Ok(RecordedFetch {
        new_items,
        departed,
        recent_times,
    })
}

/// Records a failed fetch and disables a feed failing too long, in one transaction.
pub(crate) fn record_failure(conn: &mut Connection, feed: FeedId, fetch: &FailedFetch) -> Result<RecordedFailure> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    insert_attempts(&tx, feed, &fetch.attempts)?;
    tx.execute(
        "UPDATE feeds SET error_count = error_count + 1, last_error = ?2, next_check_at = ?3 WHERE id = ?1",
        params![feed.0, fetch.error, time(fetch.next_check_at)],
    )?;
    let since: Option<String> = failing_since(&tx, feed)?;
    let failing_since = parse_opt_time(since.clone());
    let disabled = match (failing_since, fetch.disable_if_failing_since) {
        (Some(since), Some(limit)) => since <= limit,
        _ => false,
    };
    if disabled {
        let reason = format!(
            "disabled: failing since {}; last error: {}",
            since.unwrap_or_default(),
            fetch.error
        );
        tx.execute(
            "UPDATE feeds SET disabled = 1, last_error = ?2 WHERE id = ?1",
            params![feed.0, reason],
        )?;
    }
    tx.commit()?;
    Ok(RecordedFailure {
        failing_since,
        disabled,
    })
}

/// When the feed's current error streak began: its first failed attempt after its last successful one and after it
/// was last enabled by hand (a resumed feed gets a fresh window). `None` when its latest attempt succeeded.
pub(crate) fn failing_since(conn: &Connection, feed: FeedId) -> Result<Option<String>> {
    Ok(conn.query_row(
        "SELECT min(started_at) FROM fetches
         WHERE feed_id = ?1 AND error IS NOT NULL
           AND started_at >= COALESCE(
                 (SELECT max(started_at) FROM fetches WHERE feed_id = ?1 AND error IS NULL), '')
           AND started_at >= COALESCE((SELECT enabled_at FROM feeds WHERE id = ?1), '')",
        [feed.0],
        |r| r.get(0),
    )?)
}

/// Sets when a feed is next checked.
pub(crate) fn set_next_check(conn: &Connection, feed: FeedId, at: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "UPDATE feeds SET next_check_at = ?2 WHERE id = ?1",
        params![feed.0, time(at)],
    )?;
    Ok(())
}

/// Saves how a fetched feed's new items ended, with their counts on its latest fetch, in one transaction.
pub(crate) fn finish(conn: &mut Connection, feed: FeedId, end: &FeedEnd, counts: ItemCounts) -> Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    match end {
        FeedEnd::Complete {
            etag,
            last_modified,
            next_check_at,
        } => {
            tx.execute(
                "UPDATE feeds SET etag = COALESCE(?2, etag), last_modified = COALESCE(?3, last_modified),
                                  next_check_at = ?4
                 WHERE id = ?1",
                params![feed.0, etag, last_modified, time(*next_check_at)],
            )?;
        }
        FeedEnd::RetryAt(at) => set_next_check(&tx, feed, *at)?,
        FeedEnd::Interrupted => {}
    }
    tx.execute(
        "UPDATE fetches SET new_items = ?2, duplicate_items = ?3
         WHERE id = (SELECT max(id) FROM fetches WHERE feed_id = ?1)",
        params![feed.0, counts.new_items as i64, counts.duplicate_items as i64],
    )?;
    tx.commit()?;
    Ok(())
}

/// Deletes one feed's history older than `before`: its fetches, except what the schedule and `v_feed_health` read
/// (its latest attempt, latest success and latest full answer), and page tries not renewed since. Returns the rows
/// deleted.
pub(crate) fn prune(conn: &Connection, feed: FeedId, before: DateTime<Utc>) -> Result<usize> {
    let before = time(before);
    let fetches = conn
        .prepare_cached(
            "DELETE FROM fetches
             WHERE feed_id = ?1 AND started_at < ?2
               AND id <> (SELECT max(id) FROM fetches WHERE feed_id = ?1)
               AND id <> COALESCE((SELECT max(id) FROM fetches WHERE feed_id = ?1 AND error IS NULL), -1)
               AND id <> COALESCE((SELECT max(id) FROM fetches WHERE feed_id = ?1 AND status = 200), -1)",
        )?
        .execute(params![feed.0, before])?;
    Ok(fetches + page_retries::prune(conn, feed, &before)?)
}
