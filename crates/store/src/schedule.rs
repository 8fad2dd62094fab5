//! What the daemon's scheduler reads and writes: which feeds are due, what a feed's history says about its next
//! check, and the end of a feed's ingest (validators and next check saved only once its new articles are committed,
//! so a crash never leaves a feed marked as done with its articles missing).
//!
//! Also the article side of `gazette reprocess`: re-extracted text, metadata, mentions and quotes replace the old ones
//! in one transaction.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::{NewMention, NewQuote, Result};

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
}

const DUE_COLUMNS: &str = "f.id, f.url, f.etag, f.last_modified, f.obey_robots, f.error_count, \
     (SELECT max(started_at) FROM fetches WHERE feed_id = f.id AND status = 200)";

fn due_from_row(r: &rusqlite::Row) -> rusqlite::Result<DueFeed> {
    Ok(DueFeed {
        id: r.get(0)?,
        url: r.get(1)?,
        etag: r.get(2)?,
        last_modified: r.get(3)?,
        obey_robots: r.get(4)?,
        error_count: r.get(5)?,
        last_full_fetch_at: r.get(6)?,
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

/// When the feed's current error streak began: its first failed attempt after its last successful one. `None` when
/// its latest attempt succeeded. (A feed re-enabled while still failing counts from its original failure, so it is
/// disabled again at its next failure.)
pub fn failing_since(conn: &Connection, feed_id: i64) -> Result<Option<String>> {
    Ok(conn.query_row(
        "SELECT min(started_at) FROM fetches
         WHERE feed_id = ?1 AND error IS NOT NULL
           AND started_at >= COALESCE(
                 (SELECT max(started_at) FROM fetches WHERE feed_id = ?1 AND error IS NULL), '')",
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

/// The result of re-running extraction and tagging over a stored page. Fields the extractor did not find keep
/// their stored value (they may have come from the feed).
#[derive(Debug, Clone, Default)]
pub struct Reextracted {
    pub canonical_url: Option<String>,
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub published_at: Option<String>,
    pub language: Option<String>,
    pub site_name: Option<String>,
    pub image_url: Option<String>,
    pub image_caption: Option<String>,
    pub description: Option<String>,
    pub text: String,
    /// `Some` when extraction failed: only the error is recorded, the old extraction stays.
    pub page_error: Option<String>,
    pub extractor_version: String,
    pub tagger_version: String,
    pub mentions: Vec<NewMention>,
    pub quotes: Vec<NewQuote>,
}

/// Replaces an article's extraction (text, metadata, versions) and its mentions and quotes, in one transaction.
/// Returns false when the article no longer exists.
pub fn replace_extraction(conn: &mut Connection, article_id: i64, r: &Reextracted) -> Result<bool> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    if let Some(error) = &r.page_error {
        let n = tx.execute(
            "UPDATE articles SET page_error = ?2 WHERE id = ?1",
            params![article_id, error],
        )?;
        tx.commit()?;
        return Ok(n > 0);
    }
    let authors = if r.authors.is_empty() {
        None
    } else {
        Some(serde_json::to_string(&r.authors).unwrap_or_else(|_| "[]".into()))
    };
    let n = tx.execute(
        "UPDATE articles SET canonical_url = COALESCE(?2, canonical_url), title = COALESCE(?3, title),
                authors = COALESCE(?4, authors), published_at = COALESCE(?5, published_at),
                language = COALESCE(?6, language), site_name = COALESCE(?7, site_name),
                image_url = COALESCE(?8, image_url), image_caption = COALESCE(?9, image_caption),
                description = COALESCE(?10, description), text = ?11, content_hash = ?12, page_error = NULL,
                extractor_version = ?13, tagger_version = ?14
         WHERE id = ?1",
        params![
            article_id,
            r.canonical_url,
            r.title,
            authors,
            r.published_at,
            r.language,
            r.site_name,
            r.image_url,
            r.image_caption,
            r.description,
            r.text,
            content_hash(&r.text),
            r.extractor_version,
            r.tagger_version,
        ],
    )?;
    if n == 0 {
        return Ok(false);
    }
    tx.execute("DELETE FROM mentions WHERE article_id = ?1", [article_id])?;
    tx.execute("DELETE FROM quotes WHERE article_id = ?1", [article_id])?;
    insert_annotations(&tx, article_id, &r.tagger_version, &r.mentions, &r.quotes)?;
    tx.commit()?;
    Ok(true)
}

// The two helpers below mirror the private ones in `articles.rs` (same SQL, same hash), which `insert_article` uses.
// TODO: share them once `articles.rs` exposes them to the crate.

fn insert_annotations(
    tx: &Transaction,
    article_id: i64,
    tagger_version: &str,
    mentions: &[NewMention],
    quotes: &[NewQuote],
) -> Result<()> {
    let mut insert_mention = tx.prepare_cached(
        "INSERT INTO mentions (article_id, entity_id, field, start, \"end\", surface, tagger_version, day)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,
                 (SELECT substr(COALESCE(published_at, fetched_at), 1, 10) FROM articles WHERE id = ?1))",
    )?;
    for m in mentions {
        let entity = entity_id(tx, m.entity_type, &m.entity_name)?;
        insert_mention.execute(params![
            article_id,
            entity,
            m.field,
            m.start,
            m.end,
            m.surface,
            tagger_version
        ])?;
    }
    let mut insert_quote = tx.prepare_cached(
        "INSERT INTO quotes (article_id, speaker_entity_id, text, start, \"end\") VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for q in quotes {
        let speaker = match &q.speaker {
            Some((t, name)) => Some(entity_id(tx, t, name)?),
            None => None,
        };
        insert_quote.execute(params![article_id, speaker, q.text, q.start, q.end])?;
    }
    Ok(())
}

fn entity_id(tx: &Transaction, entity_type: &str, name: &str) -> Result<i64> {
    tx.execute(
        "INSERT OR IGNORE INTO entities (type, name) VALUES (?1, ?2)",
        params![entity_type, name],
    )?;
    Ok(tx.query_row(
        "SELECT id FROM entities WHERE type = ?1 AND name = ?2",
        params![entity_type, name],
        |r| r.get(0),
    )?)
}

/// FNV-1a 64 of the text, hex (as `articles.rs` computes it on insert).
fn content_hash(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}
