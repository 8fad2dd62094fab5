//! What the daemon's scheduler reads and writes: which feeds are due, what a feed's history says about its next
//! check, and the end of a feed's ingest (validators and next check saved only once its new articles are committed,
//! so a crash never leaves a feed marked as done with its articles missing).
//!
//! Also the article side of `gazette reprocess`: re-extracted text, metadata, mentions and quotes replace the old ones
//! in one transaction.

use rusqlite::{params, Connection, OptionalExtension};

use crate::Result;

/// A feed to fetch, with what the fetch needs.
#[derive(Debug, Clone)]
pub struct DueFeed {
    pub id: i64,
    pub url: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub obey_robots: bool,
    pub error_count: i64,
    /// Start of the last fetch that got a full (200) answer: validators are skipped when that is over a day ago.
    pub last_full_fetch_at: Option<String>,
    /// The feed's own lower bound on its check interval, from its last full answer.
    pub hinted_interval: Option<std::time::Duration>,
    /// Its next check as stored when it was read (`None`: never checked, or enabled again).
    pub next_check_at: Option<String>,
}

const DUE_COLUMNS: &str = "f.id, f.url, f.etag, f.last_modified, f.obey_robots, f.error_count, \
     (SELECT max(started_at) FROM fetches WHERE feed_id = f.id AND status = 200), f.hinted_interval_secs, \
     f.next_check_at";

fn due_from_row(r: &rusqlite::Row) -> rusqlite::Result<DueFeed> {
    Ok(DueFeed {
        id: r.get(0)?,
        url: r.get(1)?,
        etag: r.get(2)?,
        last_modified: r.get(3)?,
        obey_robots: r.get(4)?,
        error_count: r.get(5)?,
        last_full_fetch_at: r.get(6)?,
        hinted_interval: r
            .get::<_, Option<i64>>(7)?
            .map(|s| std::time::Duration::from_secs(s.max(0) as u64)),
        next_check_at: r.get(8)?,
    })
}

/// Enabled feeds whose next check is at or before `now` (never checked ones first), oldest due first.
pub fn due_feeds(conn: &Connection, now: &str, limit: usize) -> Result<Vec<DueFeed>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {DUE_COLUMNS} FROM feeds f
         WHERE NOT f.disabled AND (f.next_check_at IS NULL OR f.next_check_at <= ?1)
         ORDER BY f.next_check_at IS NOT NULL, f.next_check_at, f.id LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![now, limit as i64], due_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The given feeds (by id), enabled or not, in id order.
pub fn feeds_by_id(conn: &Connection, ids: &[i64]) -> Result<Vec<DueFeed>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {DUE_COLUMNS} FROM feeds f WHERE f.id = ?1"))?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(f) = stmt.query_row([id], due_from_row).optional()? {
            out.push(f);
        }
    }
    Ok(out)
}

/// The earliest next check among enabled feeds: `None` when there are none, the empty string when one was never
/// checked (so it is due now).
pub fn next_due_at(conn: &Connection) -> Result<Option<String>> {
    Ok(conn.query_row(
        "SELECT min(COALESCE(next_check_at, '')) FROM feeds WHERE NOT disabled",
        [],
        |r| r.get(0),
    )?)
}

/// Feed counts for monitoring.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeedCounts {
    pub total: u64,
    pub due: u64,
    pub erroring: u64,
    pub disabled: u64,
}

pub fn feed_counts(conn: &Connection, now: &str) -> Result<FeedCounts> {
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
pub fn recent_article_times(conn: &Connection, feed_id: i64, limit: usize) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT COALESCE(published_at, fetched_at) AS t FROM articles WHERE feed_id = ?1
         ORDER BY t DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![feed_id, limit as i64], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// When the feed's current error streak began: its first failed attempt after its last successful one and after it
/// was last enabled by hand (a resumed feed gets a fresh window). `None` when its latest attempt succeeded.
pub fn failing_since(conn: &Connection, feed_id: i64) -> Result<Option<String>> {
    Ok(conn.query_row(
        "SELECT min(started_at) FROM fetches
         WHERE feed_id = ?1 AND error IS NOT NULL
           AND started_at >= COALESCE(
                 (SELECT max(started_at) FROM fetches WHERE feed_id = ?1 AND error IS NULL), '')
           AND started_at >= COALESCE((SELECT enabled_at FROM feeds WHERE id = ?1), '')",
        [feed_id],
        |r| r.get(0),
    )?)
}

/// Where a fetched feed's ingest ended.
#[derive(Debug, Clone, Default)]
pub struct FeedDone {
    /// New validators, saved now that the items they cover are stored (`None` keeps the old ones).
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub next_check_at: String,
    pub new_items: u64,
    pub duplicate_items: u64,
}

/// Saves the end of a feed's ingest in one transaction: validators, next check, and the new/duplicate counts on its
/// latest fetch.
pub fn finish_feed(conn: &mut Connection, feed_id: i64, done: &FeedDone) -> Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute(
        "UPDATE feeds SET etag = COALESCE(?2, etag), last_modified = COALESCE(?3, last_modified), next_check_at = ?4
         WHERE id = ?1",
        params![feed_id, done.etag, done.last_modified, done.next_check_at],
    )?;
    tx.execute(
        "UPDATE fetches SET new_items = ?2, duplicate_items = ?3
         WHERE id = (SELECT max(id) FROM fetches WHERE feed_id = ?1)",
        params![feed_id, done.new_items as i64, done.duplicate_items as i64],
    )?;
    tx.commit()?;
    Ok(())
}

/// Sets when a feed is next checked.
pub fn set_next_check(conn: &Connection, feed_id: i64, next_check_at: &str) -> Result<()> {
    conn.execute(
        "UPDATE feeds SET next_check_at = ?2 WHERE id = ?1",
        params![feed_id, next_check_at],
    )?;
    Ok(())
}

/// Disables a feed that has been failing too long, saying why in `last_error`.
pub fn disable_failing_feed(conn: &Connection, feed_id: i64, reason: &str) -> Result<()> {
    conn.execute(
        "UPDATE feeds SET disabled = 1, last_error = ?2 WHERE id = ?1",
        params![feed_id, reason],
    )?;
    Ok(())
}

/// Which stored articles `gazette reprocess` covers.
#[derive(Debug, Clone, Default)]
pub struct ReprocessFilter {
    /// Articles published (else fetched) at or after this time.
    pub since: Option<String>,
    pub feed_id: Option<i64>,
}

/// Ids of stored articles with a page, matching the filter, in id order.
pub fn articles_with_html(conn: &Connection, filter: &ReprocessFilter) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare(
        "SELECT id FROM articles
         WHERE html IS NOT NULL
           AND (?1 IS NULL OR COALESCE(published_at, fetched_at) >= ?1)
           AND (?2 IS NULL OR feed_id = ?2)
         ORDER BY id",
    )?;
    let rows = stmt.query_map(params![filter.since, filter.feed_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A stored page to re-extract: the compressed HTML and the URL it was read from.
pub fn stored_page(conn: &Connection, article_id: i64) -> Result<Option<(Vec<u8>, Option<String>)>> {
    Ok(conn
        .query_row(
            "SELECT html, COALESCE(url, canonical_url) FROM articles WHERE id = ?1 AND html IS NOT NULL",
            [article_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}
