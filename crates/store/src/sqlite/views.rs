//! The web view's questions (see [`crate::read`]) as SQLite statements. Each reads indexes only in the order it
//! needs: lists are driven from an index in their sort order and stop at their limit; counts over days read the
//! per-day totals (entity_days, entity_pair_days), never the mentions. Every call runs under the reader's time limit.

use std::collections::HashMap;
use std::time::Instant;

use chrono::NaiveDate;
use rusqlite::{named_params, Row};

use super::counting::NAMED;
use super::{parse_opt_time, time, Reader};
use crate::read::{
    capped, ArticleDetail, ArticleList, ArticleSummary, DayCount, EntityDetail, EntityId, EntityRef, EntityView,
    FeedHealth, FeedList, FetchRecord, MentionSpan, Partner, QuoteSpan, RankedEntity, SearchHit, SearchPage,
    SearchResults, SpokenQuote, TopEntities, MATCH_END, MATCH_START,
};
use crate::{ArticleId, FeedId, Result, StoreError};

/// Runs `read` with the reader's time limit: SQLite is asked every 10,000 steps whether to stop. The handler is
/// cleared afterwards, so that other reads on this connection are not stopped by a deadline that has passed.
pub(crate) fn limited<T>(db: &mut Reader, read: impl FnOnce(&Reader) -> Result<T>) -> Result<T> {
    if let Some(deadline) = db.time_limit.and_then(|l| Instant::now().checked_add(l)) {
        db.conn
            .progress_handler(10_000, Some(move || Instant::now() > deadline))?;
    }
    let result = read(db);
    db.conn.progress_handler(0, None::<fn() -> bool>)?;
    result
}

/// A statement interrupted by the deadline is a [`StoreError::TimeLimit`].
pub(super) fn timed(db: &Reader, e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::OperationInterrupted => {
            StoreError::TimeLimit(db.time_limit.unwrap_or_default())
        }
        _ => StoreError::Sqlite(e),
    }
}

/// The columns of an [`ArticleSummary`], from `articles a JOIN feeds f`.
pub(super) const SUMMARY: &str = "a.id, a.feed_id, f.title, COALESCE(a.site_name, f.title), a.title, a.published_at,
                       COALESCE(a.canonical_url, a.url)";

/// An [`ArticleSummary`] from the [`SUMMARY`] columns starting at `at`.
pub(super) fn summary(r: &Row, at: usize) -> rusqlite::Result<ArticleSummary> {
    Ok(ArticleSummary {
        id: ArticleId(r.get(at)?),
        feed_id: FeedId(r.get(at + 1)?),
        feed_title: r.get(at + 2)?,
        site: r.get(at + 3)?,
        title: r.get(at + 4)?,
        published_at: parse_opt_time(r.get(at + 5)?),
        url: r.get(at + 6)?,
    })
}

fn entity_ref(r: &Row, at: usize) -> rusqlite::Result<EntityRef> {
    Ok(EntityRef {
        id: EntityId(r.get(at)?),
        entity_type: r.get(at + 1)?,
        name: r.get(at + 2)?,
    })
}

pub(super) fn day_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(super) fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// The latest day with mentions up to today (an archive that stopped growing still shows something; a
/// future-dated article does not move it).
pub(crate) fn latest_day(db: &Reader) -> Result<Option<NaiveDate>> {
    let day: Option<String> = db
        .conn
        .query_row("SELECT max(day) FROM entity_days WHERE day <= date('now')", [], |r| {
            r.get(0)
        })
        .map_err(|e| timed(db, e))?;
    Ok(day.as_deref().and_then(parse_day))
}

pub(crate) fn latest_articles(db: &Reader, q: &ArticleList) -> Result<Vec<ArticleSummary>> {
    // Driven from the index in the order shown, so that a page reads only its rows.
    let sql = match (q.feed, q.entity) {
        (_, Some(_)) => format!(
            "SELECT {SUMMARY} FROM article_entities ae
             CROSS JOIN articles a ON a.id = ae.article_id JOIN feeds f ON f.id = a.feed_id
             WHERE ae.entity_id = :entity AND (:feed IS NULL OR a.feed_id = :feed)
             ORDER BY ae.day DESC, a.published_at DESC, a.id DESC LIMIT :limit OFFSET :offset"
        ),
        (Some(_), None) => format!(
            "SELECT {SUMMARY} FROM articles a JOIN feeds f ON f.id = a.feed_id
             WHERE a.feed_id = :feed AND :entity IS NULL
             ORDER BY a.published_at DESC, a.id DESC LIMIT :limit OFFSET :offset"
        ),
        (None, None) => format!(
            "SELECT {SUMMARY} FROM articles a JOIN feeds f ON f.id = a.feed_id
             WHERE :feed IS NULL AND :entity IS NULL
             ORDER BY a.published_at DESC, a.id DESC LIMIT :limit OFFSET :offset"
        ),
    };
    let mut stmt = db.conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(
            named_params! {":feed": q.feed.map(|f| f.0), ":entity": q.entity.map(|e| e.0),
            ":limit": capped(q.limit), ":offset": q.offset.max(0)},
            |r| summary(r, 0),
        )?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| timed(db, e))?;
    Ok(rows)
}

/// The `limit` most mentioned entities of a type over `from..=to` (ties by name), by the threshold algorithm over
/// each day's list in order of mentions (index entity_days_day_mentions), so that a week of a large archive reads a
/// few hundred rows instead of summing every entity of every day: read the `depth` most mentioned entities of the
/// type on each day and count those exactly over the range; an entity not read has at most `bound` (the sum of each
/// day's last count read; nothing on a day read to its end), so when the list's last entity has more than that, no
/// entity not read can enter it. Otherwise read deeper.
pub(crate) fn top_entities(db: &Reader, q: &TopEntities) -> Result<Vec<RankedEntity>> {
    let limit = capped(q.limit);
    let mut depth = limit * 4;
    let mut top = loop {
        let (read, bound, whole) = most_mentioned_each_day(db, q, depth)?;
        let ranked = ranked_over_range(db, &read, q, limit)?;
        let last = ranked.last().map_or(0, |e| e.mentions);
        if whole || (ranked.len() as i64 == limit && last > bound) {
            break ranked;
        }
        depth *= 4;
    };
    for e in &mut top {
        e.daily = days(db, e.id, q.chart_from, q.to)?;
    }
    Ok(top)
}

/// The entities among the `depth` most mentioned of the type on some day of the range; the most an entity not
/// among them can have over the range; whether every day was read to its end.
fn most_mentioned_each_day(db: &Reader, q: &TopEntities, depth: i64) -> Result<(Vec<i64>, i64, bool)> {
    let mut stmt = db.conn.prepare_cached(
        "SELECT d.entity_id, d.mentions FROM entity_days d CROSS JOIN entities e ON e.id = d.entity_id
         WHERE d.day = :day AND e.type = :type
         ORDER BY d.mentions DESC LIMIT :depth",
    )?;
    let (mut read, mut bound, mut whole) = (Vec::new(), 0, true);
    for day in q.from.iter_days().take_while(|d| *d <= q.to) {
        let counts = stmt
            .query_map(
                named_params! {":day": day_text(day), ":type": q.entity_type.label(), ":depth": depth},
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
            )?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| timed(db, e))?;
        if counts.len() as i64 == depth {
            bound += counts.last().map_or(0, |c| c.1);
            whole = false;
        }
        read.extend(counts.iter().map(|c| c.0));
    }
    read.sort_unstable();
    read.dedup();
    Ok((read, bound, whole))
}

/// The `limit` most mentioned of `ids` over the range, with their counts over it, ties by name.
fn ranked_over_range(db: &Reader, ids: &[i64], q: &TopEntities, limit: i64) -> Result<Vec<RankedEntity>> {
    let mut stmt = db.conn.prepare_cached(
        "SELECT e.id, e.type, e.name, sum(d.mentions) AS mentions, sum(d.articles) AS articles
         FROM json_each(:ids) j CROSS JOIN entities e ON e.id = j.value
         CROSS JOIN entity_days d ON d.entity_id = e.id AND d.day BETWEEN :from AND :to
         GROUP BY e.id
         ORDER BY mentions DESC, e.name LIMIT :limit",
    )?;
    let ids = serde_json::to_string(ids).expect("ids as JSON");
    let ranked = stmt
        .query_map(
            named_params! {":ids": ids, ":from": day_text(q.from), ":to": day_text(q.to), ":limit": limit},
            |r| {
                Ok(RankedEntity {
                    id: EntityId(r.get(0)?),
                    entity_type: r.get(1)?,
                    name: r.get(2)?,
                    mentions: r.get(3)?,
                    articles: r.get(4)?,
                    daily: Vec::new(),
                })
            },
        )?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| timed(db, e))?;
    Ok(ranked)
}

/// An entity's counts for every day of `from..=to`, zeros included.
fn days(db: &Reader, id: EntityId, from: NaiveDate, to: NaiveDate) -> Result<Vec<DayCount>> {
    let mut stmt = db.conn.prepare_cached(
        "SELECT day, mentions, articles FROM entity_days WHERE entity_id = ?1 AND day BETWEEN ?2 AND ?3",
    )?;
    let found: HashMap<String, (i64, i64)> = stmt
        .query_map(rusqlite::params![id.0, day_text(from), day_text(to)], |r| {
            Ok((r.get(0)?, (r.get(1)?, r.get(2)?)))
        })?
        .collect::<rusqlite::Result<_>>()
        .map_err(|e| timed(db, e))?;
    Ok(from
        .iter_days()
        .take_while(|d| *d <= to)
        .map(|day| {
            let (mentions, articles) = found.get(&day_text(day)).copied().unwrap_or((0, 0));
            DayCount {
                day,
                mentions,
                articles,
            }
        })
        .collect())
}

pub(crate) fn article(db: &Reader, id: ArticleId) -> Result<Option<ArticleDetail>> {
    let found = db.conn.query_row(
        &format!(
            "SELECT {SUMMARY}, a.authors, a.language, a.image_url, a.image_caption, a.description, a.text,
                    a.extractor_version, a.tagger_version, a.page_error, a.fetched_at
             FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE a.id = ?1"
        ),
        [id.0],
        |r| {
            let authors: String = r.get(7)?;
            Ok(ArticleDetail {
                summary: summary(r, 0)?,
                // Plain SQL may have written anything: what is not a JSON list of names shows as one name.
                authors: serde_json::from_str(&authors).unwrap_or_else(|_| vec![authors]),
                language: r.get(8)?,
                image_url: r.get(9)?,
                image_caption: r.get(10)?,
                description: r.get(11)?,
                text: r.get(12)?,
                extractor_version: r.get(13)?,
                tagger_version: r.get(14)?,
                page_error: r.get(15)?,
                fetched_at: parse_opt_time(r.get(16)?),
                mentions: Vec::new(),
                quotes: Vec::new(),
            })
        },
    );
    let mut detail = match found {
        Ok(d) => d,
        Err(rusqlite::Error::QueryReturnedNoRows) => return Ok(None),
        Err(e) => return Err(timed(db, e)),
    };
    let mut stmt = db.conn.prepare_cached(
        "SELECT m.field, m.start, m.\"end\", m.surface, e.id, e.type, e.name
         FROM mentions m JOIN entities e ON e.id = m.entity_id
         WHERE m.article_id = ?1
         ORDER BY CASE m.field WHEN 'title' THEN 0 WHEN 'text' THEN 1 ELSE 2 END, m.start, m.\"end\" DESC, m.id",
    )?;
    detail.mentions = stmt
        .query_map([id.0], |r| {
            Ok(MentionSpan {
                field: r.get(0)?,
                start: r.get(1)?,
                end: r.get(2)?,
                surface: r.get(3)?,
                entity: entity_ref(r, 4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()
        .map_err(|e| timed(db, e))?;
    let mut stmt = db.conn.prepare_cached(
        "SELECT q.start, q.\"end\", q.text, e.id, e.type, e.name
         FROM quotes q LEFT JOIN entities e ON e.id = q.speaker_entity_id
         WHERE q.article_id = ?1 ORDER BY q.start, q.id",
    )?;
    detail.quotes = stmt
        .query_map([id.0], |r| {
            let speaker = match r.get::<_, Option<i64>>(3)? {
                Some(_) => Some(entity_ref(r, 3)?),
                None => None,
            };
            Ok(QuoteSpan {
                start: r.get(0)?,
                end: r.get(1)?,
                text: r.get(2)?,
                speaker,
            })
        })?
        .collect::<rusqlite::Result<_>>()
        .map_err(|e| timed(db, e))?;
    Ok(Some(detail))
}

pub(crate) fn entity(db: &Reader, q: &EntityView) -> Result<Option<EntityDetail>> {
    let found = db.conn.query_row(
        "SELECT id, type, name, mentions, articles FROM entities WHERE id = ?1",
        [q.id.0],
        |r| Ok((entity_ref(r, 0)?, r.get::<_, i64>(3)?, r.get::<_, i64>(4)?)),
    );
    let (entity, mentions, articles) = match found {
        Ok(f) => f,
        Err(rusqlite::Error::QueryReturnedNoRows) => return Ok(None),
        Err(e) => return Err(timed(db, e)),
    };
    let limit = capped(q.limit);
    let daily = days(db, q.id, q.from, q.to)?;
    // Partners from the per-day pair counts, driven from the entity's own days: each day is one seek into
    // entity_pair_days by its key prefix (day, entity1_id), so the cost is the entity's pairs, not the range's.
    let mut stmt = db.conn.prepare_cached(&format!(
        "SELECT e.id, e.type, e.name, sum(p.articles) AS articles
         FROM entity_days d
         CROSS JOIN entity_pair_days p ON p.day = d.day AND p.entity1_id = d.entity_id
         JOIN entities e ON e.id = p.entity2_id
         WHERE d.entity_id = :id AND d.day BETWEEN :from AND :to AND e.type IN {}
         GROUP BY p.entity2_id
         ORDER BY articles DESC, e.name, e.id LIMIT :limit",
        &*NAMED
    ))?;
    let partners = stmt
        .query_map(
            named_params! {":id": q.id.0, ":from": day_text(q.from), ":to": day_text(q.to), ":limit": limit},
            |r| {
                Ok(Partner {
                    entity: entity_ref(r, 0)?,
                    articles: r.get(3)?,
                })
            },
        )?
        .collect::<rusqlite::Result<_>>()
        .map_err(|e| timed(db, e))?;
    let mut stmt = db.conn.prepare_cached(&format!(
        "SELECT q.text, {SUMMARY}
         FROM quotes q JOIN articles a ON a.id = q.article_id JOIN feeds f ON f.id = a.feed_id
         WHERE q.speaker_entity_id = ?1
         ORDER BY a.published_at DESC, q.article_id DESC, q.start, q.id LIMIT ?2"
    ))?;
    let quotes = stmt
        .query_map(rusqlite::params![q.id.0, limit], |r| {
            Ok(SpokenQuote {
                text: r.get(0)?,
                article: summary(r, 1)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()
        .map_err(|e| timed(db, e))?;
    let latest = latest_articles(
        db,
        &ArticleList {
            entity: Some(q.id),
            limit,
            ..ArticleList::default()
        },
    )?;
    Ok(Some(EntityDetail {
        entity,
        mentions,
        articles,
        from: q.from,
        to: q.to,
        daily,
        partners,
        quotes,
        latest,
    }))
}

const HEALTH: &str = "SELECT id, url, title, disabled, error_streak, last_error, last_fetch_at, last_status,
                             next_check_at, items_per_day, articles
                      FROM v_feed_health";

fn health(r: &Row) -> rusqlite::Result<FeedHealth> {
    Ok(FeedHealth {
        id: FeedId(r.get(0)?),
        url: r.get(1)?,
        title: r.get(2)?,
        disabled: r.get(3)?,
        error_streak: r.get(4)?,
        last_error: r.get(5)?,
        last_fetch_at: parse_opt_time(r.get(6)?),
        last_status: r.get(7)?,
        next_check_at: parse_opt_time(r.get(8)?),
        items_per_day: r.get::<_, Option<f64>>(9)?.unwrap_or(0.0),
        articles: r.get(10)?,
    })
}

pub(crate) fn feeds(db: &Reader, q: &FeedList) -> Result<Vec<FeedHealth>> {
    let filter = if q.failing_only {
        "WHERE error_streak > 0 OR disabled ORDER BY error_streak DESC, id"
    } else {
        "ORDER BY id"
    };
    let mut stmt = db
        .conn
        .prepare_cached(&format!("{HEALTH} {filter} LIMIT ?1 OFFSET ?2"))?;
    let rows = stmt
        .query_map(rusqlite::params![capped(q.limit), q.offset.max(0)], health)?
        .collect::<rusqlite::Result<_>>()
        .map_err(|e| timed(db, e))?;
    Ok(rows)
}

pub(crate) fn feed(db: &Reader, id: FeedId, limit: i64) -> Result<Option<(FeedHealth, Vec<FetchRecord>)>> {
    let found = db.conn.query_row(&format!("{HEALTH} WHERE id = ?1"), [id.0], health);
    let feed = match found {
        Ok(f) => f,
        Err(rusqlite::Error::QueryReturnedNoRows) => return Ok(None),
        Err(e) => return Err(timed(db, e)),
    };
    let mut stmt = db.conn.prepare_cached(
        "SELECT started_at, status, bytes, duration_ms, new_items, duplicate_items, error
         FROM fetches WHERE feed_id = ?1 ORDER BY started_at DESC, id DESC LIMIT ?2",
    )?;
    let fetches = stmt
        .query_map(rusqlite::params![id.0, capped(limit)], |r| {
            Ok(FetchRecord {
                started_at: parse_opt_time(r.get(0)?),
                status: r.get(1)?,
                bytes: r.get(2)?,
                duration_ms: r.get(3)?,
                new_items: r.get(4)?,
                duplicate_items: r.get(5)?,
                error: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()
        .map_err(|e| timed(db, e))?;
    Ok(Some((feed, fetches)))
}

/// The same match and ranking as `gazette search` (see [`super::search`]), with the web view's filters and pages.
pub(crate) fn search(db: &Reader, q: &SearchPage) -> Result<SearchResults> {
    let sql = format!(
        "SELECT {SUMMARY},
                replace(snippet(articles_fts, -1, :open, :close, '…', 24), char(10), ' '),
                round(bm25(articles_fts, 4.0, 1.0), 3)
         FROM articles_fts
         JOIN articles a ON a.id = articles_fts.rowid
         JOIN feeds f ON f.id = a.feed_id
         WHERE articles_fts MATCH :query
           AND (:since IS NULL OR a.published_at >= :since)
           AND (:until IS NULL OR a.published_at < :until)
           AND (:feed IS NULL OR a.feed_id = :feed)
           AND (:entity IS NULL OR a.id IN (SELECT article_id FROM article_entities WHERE entity_id = :entity))
         ORDER BY bm25(articles_fts, 4.0, 1.0) LIMIT :limit OFFSET :offset"
    );
    let limit = capped(q.limit);
    let run = |query: &str| -> rusqlite::Result<Vec<SearchHit>> {
        let mut stmt = db.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            named_params! {
                ":query": query, ":open": MATCH_START.to_string(), ":close": MATCH_END.to_string(),
                ":since": q.since.map(time), ":until": q.until.map(time), ":feed": q.feed.map(|f| f.0),
                ":entity": q.entity.map(|e| e.0), ":limit": limit + 1, ":offset": q.offset.max(0),
            },
            |r| {
                Ok(SearchHit {
                    article: summary(r, 0)?,
                    snippet: r.get(7)?,
                    rank: r.get(8)?,
                })
            },
        )?;
        rows.collect()
    };
    let mut hits = match run(&q.query) {
        Ok(hits) => hits,
        // Not FTS syntax: retried as plain words; if that fails too, the first error says why (unless time ran out).
        Err(first) => run(&super::search::as_plain_words(&q.query)).map_err(|e| match timed(db, e) {
            limit @ StoreError::TimeLimit(_) => limit,
            _ => timed(db, first),
        })?,
    };
    let more = hits.len() as i64 > limit;
    hits.truncate(limit as usize);
    Ok(SearchResults { hits, more })
}
