//! The web view's questions (see [`crate::read`]) as PostgreSQL statements: the SQLite backend's questions
//! (`sqlite/views.rs`) in PostgreSQL's words, with the same answers in the same order. Lists are driven from an index
//! in their sort order and stop at their limit; counts over days read the per-day totals. Each question is one READ
//! ONLY transaction, rolled back at the end; a statement that runs past the reader's time limit (the session's
//! `statement_timeout`, see [`Reader::set_time_limit`]) is a [`StoreError::TimeLimit`].
//!
//! SQLite sorts NULL first, so "newest first" puts articles without a publication time last: spelt `DESC NULLS
//! LAST` here, or, where an index on `published_at` drives the list, the dated articles first and then the undated.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{IsolationLevel, Row, Transaction};

use super::{at, Reader};
use crate::read::{
    capped, ArticleDetail, ArticleList, ArticleSummary, DayCount, EntityDetail, EntityId, EntityRef, EntityView,
    FeedHealth, FeedList, FetchRecord, MentionSpan, Partner, QuoteSpan, RankedEntity, SearchHit, SearchPage,
    SearchResults, SpokenQuote, TopEntities, MATCH_END, MATCH_START,
};
use crate::{ArticleId, EntityType, FeedId, Result, StoreError};

pub(super) type PgResult<T> = std::result::Result<T, tokio_postgres::Error>;

/// Runs `read` in a read-only transaction, rolled back at the end; a statement stopped by the time limit becomes a
/// [`StoreError::TimeLimit`]. Repeatable read: a page's several statements (the top lists read day by day, then
/// summed) see one snapshot while daemons write.
pub(super) fn limited<T>(db: &Reader, read: impl AsyncFnOnce(&Transaction<'_>) -> PgResult<T>) -> Result<T> {
    let mut client = db.client.lock().map_err(|_| StoreError::WriterGone)?;
    db.rt
        .block_on(async {
            let tx = client
                .build_transaction()
                .read_only(true)
                .isolation_level(IsolationLevel::RepeatableRead)
                .start()
                .await?;
            let out = read(&tx).await?;
            tx.rollback().await?;
            Ok(out)
        })
        .map_err(|e| timed(db, e))
}

/// A statement cancelled by `statement_timeout` is a [`StoreError::TimeLimit`].
fn timed(db: &Reader, e: tokio_postgres::Error) -> StoreError {
    if e.code() == Some(&SqlState::QUERY_CANCELED) {
        StoreError::TimeLimit(db.time_limit.unwrap_or_default())
    } else {
        StoreError::Postgres(e)
    }
}

/// The columns of an [`ArticleSummary`], from `articles a JOIN feeds f`.
pub(super) const SUMMARY: &str = "a.id, a.feed_id, f.title, COALESCE(a.site_name, f.title), a.title, a.published_at,
                       COALESCE(a.canonical_url, a.url)";

/// An [`ArticleSummary`] from the [`SUMMARY`] columns starting at `at`.
pub(super) fn summary(r: &Row, at: usize) -> PgResult<ArticleSummary> {
    Ok(ArticleSummary {
        id: ArticleId(r.try_get(at)?),
        feed_id: FeedId(r.try_get(at + 1)?),
        feed_title: r.try_get(at + 2)?,
        site: r.try_get(at + 3)?,
        title: r.try_get(at + 4)?,
        published_at: r.try_get(at + 5)?,
        url: r.try_get(at + 6)?,
    })
}

pub(super) fn summaries(rows: &[Row]) -> PgResult<Vec<ArticleSummary>> {
    rows.iter().map(|r| summary(r, 0)).collect()
}

fn entity_ref(r: &Row, at: usize) -> PgResult<EntityRef> {
    Ok(EntityRef {
        id: EntityId(r.try_get(at)?),
        entity_type: r.try_get(at + 1)?,
        name: r.try_get(at + 2)?,
    })
}

/// The latest day with mentions up to today (UTC), as on SQLite.
pub(crate) fn latest_day(db: &Reader) -> Result<Option<NaiveDate>> {
    limited(db, async |tx| {
        tx.query_one(
            "SELECT max(day) FROM entity_days WHERE day <= (now() AT TIME ZONE 'UTC')::date",
            &[],
        )
        .await?
        .try_get(0)
    })
}

pub(crate) fn latest_articles(db: &Reader, q: &ArticleList) -> Result<Vec<ArticleSummary>> {
    limited(db, async |tx| articles_of(tx, q).await)
}

async fn articles_of(tx: &Transaction<'_>, q: &ArticleList) -> PgResult<Vec<ArticleSummary>> {
    let (limit, offset, feed) = (capped(q.limit), q.offset.max(0), q.feed.map(|f| f.0));
    if let Some(entity) = q.entity {
        // Driven from article_entities(entity_id, day), newest day first.
        let rows = tx
            .query(
                &format!(
                    "SELECT {SUMMARY} FROM article_entities ae
                     JOIN articles a ON a.id = ae.article_id JOIN feeds f ON f.id = a.feed_id
                     WHERE ae.entity_id = $1 AND ($2::bigint IS NULL OR a.feed_id = $2)
                     ORDER BY ae.day DESC, a.published_at DESC NULLS LAST, a.id DESC LIMIT $3 OFFSET $4"
                ),
                &[&entity.0, &feed, &limit, &offset],
            )
            .await?;
        return summaries(&rows);
    }
    // The dated articles from the index on published_at (newest first), then, when the page goes past them, the
    // undated ones (newest id first): SQLite's order, without sorting the whole table.
    let list = |dated: &str, order: &str| {
        format!(
            "SELECT {SUMMARY} FROM articles a JOIN feeds f ON f.id = a.feed_id
             WHERE a.published_at IS {dated} NULL AND ($1::bigint IS NULL OR a.feed_id = $1)
             ORDER BY {order} LIMIT $2 OFFSET $3"
        )
    };
    let mut found = summaries(
        &tx.query(
            &list("NOT", "a.published_at DESC, a.id DESC"),
            &[&feed, &limit, &offset],
        )
        .await?,
    )?;
    let shown = found.len() as i64;
    if shown == limit {
        return Ok(found);
    }
    let dated_before = if shown > 0 || offset == 0 {
        offset
    } else {
        // The page starts at or after the last dated article: how many there are, counted up to the offset.
        tx.query_one(
            "SELECT count(*) FROM (SELECT 1 FROM articles
                                   WHERE published_at IS NOT NULL AND ($1::bigint IS NULL OR feed_id = $1)
                                   LIMIT $2) d",
            &[&feed, &offset],
        )
        .await?
        .try_get(0)?
    };
    let rows = tx
        .query(
            &list("", "a.id DESC"),
            &[&feed, &(limit - shown), &(offset - dated_before).max(0)],
        )
        .await?;
    found.extend(summaries(&rows)?);
    Ok(found)
}

/// The `limit` most mentioned entities of a type over `from..=to` (ties by name), by the threshold algorithm over
/// each day's list in order of mentions (index entity_days_day_mentions), as on SQLite (see `top_entities` in
/// `sqlite/views.rs`).
pub(crate) fn top_entities(db: &Reader, q: &TopEntities) -> Result<Vec<RankedEntity>> {
    limited(db, async |tx| {
        let limit = capped(q.limit);
        let mut depth = limit * 4;
        let mut top = loop {
            let (read, bound, whole) = most_mentioned_each_day(tx, q, depth).await?;
            let ranked = ranked_over_range(tx, &read, q, limit).await?;
            let last = ranked.last().map_or(0, |e| e.mentions);
            if whole || (ranked.len() as i64 == limit && last > bound) {
                break ranked;
            }
            depth *= 4;
        };
        for e in &mut top {
            e.daily = days(tx, e.id, q.chart_from, q.to).await?;
        }
        Ok(top)
    })
}

/// The entities among the `depth` most mentioned of the type on some day of the range; the most an entity not
/// among them can have over the range; whether every day was read to its end.
async fn most_mentioned_each_day(tx: &Transaction<'_>, q: &TopEntities, depth: i64) -> PgResult<(Vec<i64>, i64, bool)> {
    let stmt = tx
        .prepare(
            "SELECT d.entity_id, d.mentions FROM entity_days d JOIN entities e ON e.id = d.entity_id
             WHERE d.day = $1 AND e.type = $2
             ORDER BY d.mentions DESC LIMIT $3",
        )
        .await?;
    let (mut read, mut bound, mut whole) = (Vec::new(), 0, true);
    for day in q.from.iter_days().take_while(|d| *d <= q.to) {
        let rows = tx.query(&stmt, &[&day, &q.entity_type.label(), &depth]).await?;
        if rows.len() as i64 == depth {
            bound += rows.last().map_or(Ok(0), |r| r.try_get::<_, i64>(1))?;
            whole = false;
        }
        for r in &rows {
            read.push(r.try_get::<_, i64>(0)?);
        }
    }
    read.sort_unstable();
    read.dedup();
    Ok((read, bound, whole))
}

/// The `limit` most mentioned of `ids` over the range, with their counts over it, ties by name.
async fn ranked_over_range(
    tx: &Transaction<'_>,
    ids: &[i64],
    q: &TopEntities,
    limit: i64,
) -> PgResult<Vec<RankedEntity>> {
    let rows = tx
        .query(
            "SELECT e.id, e.type, e.name, sum(d.mentions)::bigint AS mentions, sum(d.articles)::bigint AS articles
             FROM entities e JOIN entity_days d ON d.entity_id = e.id
             WHERE e.id = ANY($1) AND d.day BETWEEN $2 AND $3
             GROUP BY e.id
             ORDER BY mentions DESC, e.name LIMIT $4",
            &[&ids, &q.from, &q.to, &limit],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(RankedEntity {
                id: EntityId(r.try_get(0)?),
                entity_type: r.try_get(1)?,
                name: r.try_get(2)?,
                mentions: r.try_get(3)?,
                articles: r.try_get(4)?,
                daily: Vec::new(),
            })
        })
        .collect()
}

/// An entity's counts for every day of `from..=to`, zeros included.
async fn days(tx: &Transaction<'_>, id: EntityId, from: NaiveDate, to: NaiveDate) -> PgResult<Vec<DayCount>> {
    let rows = tx
        .query(
            "SELECT day, mentions, articles FROM entity_days WHERE entity_id = $1 AND day BETWEEN $2 AND $3",
            &[&id.0, &from, &to],
        )
        .await?;
    let mut found: HashMap<NaiveDate, (i64, i64)> = HashMap::with_capacity(rows.len());
    for r in &rows {
        found.insert(r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?));
    }
    Ok(from
        .iter_days()
        .take_while(|d| *d <= to)
        .map(|day| {
            let (mentions, articles) = found.get(&day).copied().unwrap_or((0, 0));
            DayCount {
                day,
                mentions,
                articles,
            }
        })
        .collect())
}

pub(crate) fn article(db: &Reader, id: ArticleId) -> Result<Option<ArticleDetail>> {
    limited(db, async |tx| {
        let Some(r) = tx
            .query_opt(
                &format!(
                    "SELECT {SUMMARY}, a.authors, a.language, a.image_url, a.image_caption, a.description, a.text,
                            a.extractor_version, a.tagger_version, a.page_error, a.fetched_at
                     FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE a.id = $1"
                ),
                &[&id.0],
            )
            .await?
        else {
            return Ok(None);
        };
        let authors: serde_json::Value = r.try_get(7)?;
        let mut detail = ArticleDetail {
            summary: summary(&r, 0)?,
            // Plain SQL may have written anything: what is not a list of names shows as one name (compact JSON).
            authors: serde_json::from_value(authors.clone()).unwrap_or_else(|_| vec![authors.to_string()]),
            language: r.try_get(8)?,
            image_url: r.try_get(9)?,
            image_caption: r.try_get(10)?,
            description: r.try_get(11)?,
            text: r.try_get(12)?,
            extractor_version: r.try_get(13)?,
            tagger_version: r.try_get(14)?,
            page_error: r.try_get(15)?,
            fetched_at: r.try_get::<_, Option<DateTime<Utc>>>(16)?,
            mentions: Vec::new(),
            quotes: Vec::new(),
        };
        for r in tx
            .query(
                "SELECT m.field, m.start::bigint, m.\"end\"::bigint, m.surface, e.id, e.type, e.name
                 FROM mentions m JOIN entities e ON e.id = m.entity_id
                 WHERE m.article_id = $1
                 ORDER BY CASE m.field WHEN 'title' THEN 0 WHEN 'text' THEN 1 ELSE 2 END, m.start, m.\"end\" DESC,
                          m.id",
                &[&id.0],
            )
            .await?
        {
            detail.mentions.push(MentionSpan {
                field: r.try_get(0)?,
                start: r.try_get(1)?,
                end: r.try_get(2)?,
                surface: r.try_get(3)?,
                entity: entity_ref(&r, 4)?,
            });
        }
        for r in tx
            .query(
                "SELECT q.start::bigint, q.\"end\"::bigint, q.text, e.id, e.type, e.name
                 FROM quotes q LEFT JOIN entities e ON e.id = q.speaker_entity_id
                 WHERE q.article_id = $1 ORDER BY q.start, q.id",
                &[&id.0],
            )
            .await?
        {
            let speaker = match r.try_get::<_, Option<i64>>(3)? {
                Some(_) => Some(entity_ref(&r, 3)?),
                None => None,
            };
            detail.quotes.push(QuoteSpan {
                start: r.try_get(0)?,
                end: r.try_get(1)?,
                text: r.try_get(2)?,
                speaker,
            });
        }
        Ok(Some(detail))
    })
}

pub(crate) fn entity(db: &Reader, q: &EntityView) -> Result<Option<EntityDetail>> {
    limited(db, async |tx| {
        let Some(r) = tx
            .query_opt(
                "SELECT id, type, name, mentions, articles FROM entities WHERE id = $1",
                &[&q.id.0],
            )
            .await?
        else {
            return Ok(None);
        };
        let (entity, mentions, articles) = (entity_ref(&r, 0)?, r.try_get(3)?, r.try_get(4)?);
        let limit = capped(q.limit);
        let daily = days(tx, q.id, q.from, q.to).await?;
        // Partners from the per-day pair counts, driven from the entity's own days: each day is one probe of
        // entity_pair_days' key (day, entity1_id, ...), so the cost is the entity's pairs, not the range's.
        let partners = tx
            .query(
                &format!(
                    "SELECT e.id, e.type, e.name, sum(p.articles)::bigint AS articles
                     FROM entity_days d
                     JOIN entity_pair_days p ON p.day = d.day AND p.entity1_id = d.entity_id
                     JOIN entities e ON e.id = p.entity2_id
                     WHERE d.entity_id = $1 AND d.day BETWEEN $2 AND $3 AND e.type IN {}
                     GROUP BY e.id
                     ORDER BY articles DESC, e.name, e.id LIMIT $4",
                    EntityType::named_sql_list()
                ),
                &[&q.id.0, &q.from, &q.to, &limit],
            )
            .await?
            .iter()
            .map(|r| {
                Ok(Partner {
                    entity: entity_ref(r, 0)?,
                    articles: r.try_get(3)?,
                })
            })
            .collect::<PgResult<_>>()?;
        let quotes = tx
            .query(
                &format!(
                    "SELECT q.text, {SUMMARY}
                     FROM quotes q JOIN articles a ON a.id = q.article_id JOIN feeds f ON f.id = a.feed_id
                     WHERE q.speaker_entity_id = $1
                     ORDER BY a.published_at DESC NULLS LAST, q.article_id DESC, q.start, q.id LIMIT $2"
                ),
                &[&q.id.0, &limit],
            )
            .await?
            .iter()
            .map(|r| {
                Ok(SpokenQuote {
                    text: r.try_get(0)?,
                    article: summary(r, 1)?,
                })
            })
            .collect::<PgResult<_>>()?;
        let latest = articles_of(
            tx,
            &ArticleList {
                entity: Some(q.id),
                limit,
                ..ArticleList::default()
            },
        )
        .await?;
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
    })
}

/// `v_feed_health` in the types of [`FeedHealth`].
const HEALTH: &str = "SELECT id, url, title, disabled, error_streak::bigint, last_error, last_fetch_at,
                             last_status::bigint, next_check_at, items_per_day::float8, articles
                      FROM v_feed_health";

fn health(r: &Row) -> PgResult<FeedHealth> {
    Ok(FeedHealth {
        id: FeedId(r.try_get(0)?),
        url: r.try_get(1)?,
        title: r.try_get(2)?,
        disabled: r.try_get(3)?,
        error_streak: r.try_get(4)?,
        last_error: r.try_get(5)?,
        last_fetch_at: r.try_get(6)?,
        last_status: r.try_get(7)?,
        next_check_at: r.try_get(8)?,
        items_per_day: r.try_get::<_, Option<f64>>(9)?.unwrap_or(0.0),
        articles: r.try_get(10)?,
    })
}

pub(crate) fn feeds(db: &Reader, q: &FeedList) -> Result<Vec<FeedHealth>> {
    let filter = if q.failing_only {
        "WHERE error_streak > 0 OR disabled ORDER BY error_streak DESC, id"
    } else {
        "ORDER BY id"
    };
    limited(db, async |tx| {
        tx.query(
            &format!("{HEALTH} {filter} LIMIT $1 OFFSET $2"),
            &[&capped(q.limit), &q.offset.max(0)],
        )
        .await?
        .iter()
        .map(health)
        .collect()
    })
}

pub(crate) fn feed(db: &Reader, id: FeedId, limit: i64) -> Result<Option<(FeedHealth, Vec<FetchRecord>)>> {
    limited(db, async |tx| {
        let Some(r) = tx.query_opt(&format!("{HEALTH} WHERE id = $1"), &[&id.0]).await? else {
            return Ok(None);
        };
        let feed = health(&r)?;
        let fetches = tx
            .query(
                "SELECT started_at, status::bigint, bytes, duration_ms, new_items, duplicate_items, error
                 FROM fetches WHERE feed_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2",
                &[&id.0, &capped(limit)],
            )
            .await?
            .iter()
            .map(|r| {
                Ok(FetchRecord {
                    started_at: r.try_get::<_, Option<DateTime<Utc>>>(0)?,
                    status: r.try_get(1)?,
                    bytes: r.try_get(2)?,
                    duration_ms: r.try_get(3)?,
                    new_items: r.try_get(4)?,
                    duplicate_items: r.try_get(5)?,
                    error: r.try_get(6)?,
                })
            })
            .collect::<PgResult<_>>()?;
        Ok(Some((feed, fetches)))
    })
}

/// The same match and ranking as `gazette search` on PostgreSQL (see [`super::search`]: the GIN index on
/// gazette_search_vector, `websearch_to_tsquery`, `ts_rank` negated and rounded, ties by id), with the web view's
/// filters and pages; snippets from the body (the title when only it matches), matches between
/// [`MATCH_START`] and [`MATCH_END`].
const SEARCH: &str = "
    SELECT a.id, a.feed_id, f.title, COALESCE(a.site_name, f.title), a.title, a.published_at,
           COALESCE(a.canonical_url, a.url),
           replace(ts_headline('simple'::regconfig,
                               CASE WHEN to_tsvector('simple'::regconfig, a.text) @@ q THEN a.text
                                    ELSE coalesce(a.title, '') END,
                               q, $2), E'\\n', ' '),
           round((-ts_rank('{0, 0, 0.25, 1}', gazette_search_vector(a.title, a.text), q))::numeric, 3)::float8
               AS rank
    FROM articles a
    JOIN feeds f ON f.id = a.feed_id
    CROSS JOIN websearch_to_tsquery('simple'::regconfig, $1) q
    WHERE gazette_search_vector(a.title, a.text) @@ q
      AND ($3::timestamptz IS NULL OR a.published_at >= $3)
      AND ($4::timestamptz IS NULL OR a.published_at < $4)
      AND ($5::bigint IS NULL OR a.feed_id = $5)
      AND ($6::bigint IS NULL OR a.id IN (SELECT article_id FROM article_entities WHERE entity_id = $6))
    ORDER BY rank, a.id LIMIT $7 OFFSET $8";

pub(crate) fn search(db: &Reader, q: &SearchPage) -> Result<SearchResults> {
    let limit = capped(q.limit);
    // About as much text as SQLite's 24-token snippet.
    let headline = format!(
        "StartSel={MATCH_START}, StopSel={MATCH_END}, MaxWords=24, MinWords=12, MaxFragments=1, \
         FragmentDelimiter=…"
    );
    let run = |query: &str| {
        let params: [&(dyn ToSql + Sync); 8] = [
            &query,
            &headline,
            &q.since.map(at),
            &q.until.map(at),
            &q.feed.map(|f| f.0),
            &q.entity.map(|e| e.0),
            &(limit + 1),
            &q.offset.max(0),
        ];
        limited(db, async |tx| {
            tx.query(SEARCH, &params)
                .await?
                .iter()
                .map(|r| {
                    Ok(SearchHit {
                        article: summary(r, 0)?,
                        snippet: r.try_get(7)?,
                        rank: r.try_get(8)?,
                    })
                })
                .collect::<PgResult<Vec<_>>>()
        })
    };
    // websearch_to_tsquery reads any text; should the server still refuse a query, it is retried as plain words, as
    // on SQLite (if that fails too, the first error says why, unless time ran out).
    let mut hits = match run(&q.query) {
        Ok(hits) => hits,
        Err(e @ StoreError::TimeLimit(_)) => return Err(e),
        Err(first) => run(&crate::sqlite::search::as_plain_words(&q.query)).map_err(|e| match e {
            limit @ StoreError::TimeLimit(_) => limit,
            _ => first,
        })?,
    };
    let more = hits.len() as i64 > limit;
    hits.truncate(limit as usize);
    Ok(SearchResults { hits, more })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{latest_day, limited, Reader};
    use crate::{Location, Store, StoreError};

    #[test]
    fn a_statement_past_the_time_limit_is_a_time_limit_error_and_the_reader_goes_on() {
        let Some(db) = gazette_testkit::TestDb::postgres("a_statement_past_the_time_limit_is_a_time_limit_error")
        else {
            return;
        };
        let location = Location::parse(&db.location).unwrap();
        Store::open(&location).unwrap().close();
        let Location::Postgres(url) = location else {
            unreachable!("a PostgreSQL URL")
        };
        let mut reader = Reader::open(&url).unwrap();
        let limit = Duration::from_millis(50);
        reader.set_time_limit(Some(limit));
        let e = limited(&reader, async |tx| {
            tx.query_one("SELECT pg_sleep(5)", &[]).await.map(|_| ())
        })
        .unwrap_err();
        assert!(matches!(e, StoreError::TimeLimit(l) if l == limit), "{e}");
        assert_eq!(latest_day(&reader).unwrap(), None);
    }
}
