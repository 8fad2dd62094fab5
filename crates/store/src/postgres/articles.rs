//! Articles with their mentions and quotes (see the SQLite backend for how an article is recognised as stored).
//!
//! A batch is one transaction: its articles one statement each (`ON CONFLICT DO NOTHING` on the feed's item key,
//! so an article two workers store at once is stored once), each in the story decided for it then (with its
//! fingerprint and band keys, see [`stories`]), then the place entries of all of them in one statement, the
//! entities in one, all their mentions with their places in one (the triggers book the whole batch's counts,
//! stories and places in one pass), all their quotes in one, and their demonyms in one. If an article fails, the
//! batch is redone with a savepoint per article and the failing one is reported in its slot.

use std::collections::HashSet;

use chrono::NaiveDate;
use tokio_postgres::{Client, Transaction};

use super::{at, is_retryable, places, retrying, stories, Pool};
use crate::{
    ArticleId, Extraction, FeedId, ItemKey, NameCoverage, NewArticle, ReprocessFilter, Result, StoreError,
    StoredArticle, StoredPage,
};

const FIND_EXISTING: &str = "SELECT EXISTS (SELECT 1 FROM articles WHERE feed_id = $1 AND item_key = $2)
             OR EXISTS (SELECT 1 FROM tombstones WHERE feed_id = $1 AND item_key = $2)
             OR EXISTS (SELECT 1 FROM tombstones WHERE feed_id = $1 AND url IN ($3, $4))
             OR EXISTS (SELECT 1 FROM tombstones WHERE feed_id = $1 AND canonical_url IN ($3, $4))
             OR EXISTS (SELECT 1 FROM articles WHERE feed_id = $1 AND url IN ($3, $4))
             OR EXISTS (SELECT 1 FROM articles WHERE feed_id = $1 AND canonical_url IN ($3, $4))";

/// Per item: whether it is already stored or tombstoned, so its page need not be fetched.
pub(crate) async fn known_items(tx: &Transaction<'_>, feed: FeedId, items: &[ItemKey]) -> Result<Vec<bool>> {
    let stmt = tx.prepare(FIND_EXISTING).await?;
    let mut known = Vec::with_capacity(items.len());
    for item in items {
        let none: Option<&str> = None;
        known.push(
            tx.query_one(&stmt, &[&feed.0, &item.key, &item.url, &none])
                .await?
                .get(0),
        );
    }
    Ok(known)
}

/// Stores a batch of articles in one transaction; an article that fails is rolled back alone and reported in its
/// slot. A batch that loses a deadlock race is redone whole.
pub(crate) async fn insert_batch(pool: &Pool, batch: &[NewArticle]) -> Result<Vec<Result<StoredArticle>>> {
    let stories = *pool.story_config();
    let mut conn = pool.conn().await?;
    match retrying!(insert_all(&mut conn, batch, &stories).await) {
        Ok(results) => return Ok(results),
        Err(e) if conn.is_closed() || is_retryable(&e) => return Err(e),
        Err(e) => tracing::debug!(error = %e, "a batch failed; storing its articles one by one"),
    }
    retrying!(insert_one_by_one(&mut conn, batch, &stories).await)
}

async fn insert_all(
    conn: &mut Client,
    batch: &[NewArticle],
    stories: &gazette_stories::Config,
) -> Result<Vec<Result<StoredArticle>>> {
    let tx = conn.transaction().await?;
    stories::lock_for_new(&tx, batch.iter().filter_map(|a| a.extraction.story.as_ref()), stories).await?;
    let mut results = Vec::with_capacity(batch.len());
    let mut inserted = Vec::new();
    for a in batch {
        let stored = insert_article(&tx, a, stories).await?;
        if let StoredArticle::Inserted(id) = stored {
            inserted.push((id, day_of(a), &a.extraction));
        }
        results.push(Ok(stored));
    }
    insert_annotations(&tx, &inserted).await?;
    tx.commit().await?;
    Ok(results)
}

async fn insert_one_by_one(
    conn: &mut Client,
    batch: &[NewArticle],
    stories: &gazette_stories::Config,
) -> Result<Vec<Result<StoredArticle>>> {
    let mut tx = conn.transaction().await?;
    let mut results = Vec::with_capacity(batch.len());
    for a in batch {
        let sp = tx.savepoint("article").await?;
        let result = async {
            let stored = insert_article(&sp, a, stories).await?;
            if let StoredArticle::Inserted(id) = stored {
                insert_annotations(&sp, &[(id, day_of(a), &a.extraction)]).await?;
            }
            Ok::<_, StoreError>(stored)
        }
        .await;
        match result {
            Ok(stored) => {
                sp.commit().await?;
                results.push(Ok(stored));
            }
            // A lost race or a lost connection ends the batch: nothing of it stands.
            Err(e) if is_retryable(&e) => return Err(e),
            Err(e) => {
                sp.rollback().await?;
                results.push(Err(e));
            }
        }
    }
    tx.commit().await?;
    Ok(results)
}

/// The day an article's mentions count under (the database's gazette_day).
fn day_of(a: &NewArticle) -> NaiveDate {
    at(a.extraction.published_at.unwrap_or(a.fetched_at)).date_naive()
}

/// Stores one article in its story (decided here, from the articles stored before it) with its fingerprint; its
/// mentions come after, with the batch's.
async fn insert_article(
    tx: &Transaction<'_>,
    a: &NewArticle,
    stories: &gazette_stories::Config,
) -> Result<StoredArticle> {
    let e = &a.extraction;
    // Its page is through (or given up on), or it is stored already: its transient failures are forgotten.
    tx.execute(
        "DELETE FROM page_retries WHERE feed_id = $1 AND item_key = $2",
        &[&a.feed_id.0, &a.item_key],
    )
    .await?;
    let found: bool = tx
        .query_one(FIND_EXISTING, &[&a.feed_id.0, &a.item_key, &a.url, &e.canonical_url])
        .await?
        .get(0);
    if found {
        return Ok(StoredArticle::Duplicate);
    }
    let (story, started) = stories::story_for_new(tx, e.story.as_ref(), stories).await?;
    let authors = json_list(&e.authors);
    let row = tx
        .query_opt(
            "INSERT INTO articles (feed_id, item_key, guid, url, canonical_url, title, authors, published_at,
                                   language, site_name, image_url, image_caption, description, text, html,
                                   content_hash, page_error, extractor_version, tagger_version, fetched_at,
                                   published_source, updated_at, agencies, image_credit, names_tagged,
                                   untagged_languages, story_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
                     $21, $22, $23, $24, $25, $26, $27)
             ON CONFLICT (feed_id, item_key) DO NOTHING
             RETURNING id",
            &[
                &a.feed_id.0,
                &a.item_key,
                &a.guid,
                &a.url,
                &e.canonical_url,
                &e.title,
                &authors,
                &e.published_at.map(at),
                &e.language,
                &e.site_name,
                &e.image_url,
                &e.image_caption,
                &e.description,
                &e.text,
                &a.html,
                &crate::content_hash(&e.text),
                &a.page_error,
                &e.extractor_version,
                &e.tagger_version,
                &at(a.fetched_at),
                &e.published_source,
                &e.updated_at.map(at),
                &json_list(&e.agencies),
                &e.image_credit,
                &e.names_tagged.map(NameCoverage::label),
                &(!e.untagged_languages.is_empty()).then(|| json_list(&e.untagged_languages)),
                &story,
            ],
        )
        .await?;
    let Some(row) = row else {
        // Another worker stored it first.
        if started {
            stories::drop_unused(tx, story).await?;
        }
        return Ok(StoredArticle::Duplicate);
    };
    let id = ArticleId(row.get(0));
    stories::store_print(tx, id, story, e.story.as_ref()).await?;
    Ok(StoredArticle::Inserted(id))
}

/// Writes articles' entities, mentions (with their places) and quotes, three statements for any number of articles,
/// and their places (the entries first, the demonyms and resolver versions after). The mentions' counts, places and
/// stories are booked by the database (the triggers on `mentions`).
async fn insert_annotations(tx: &Transaction<'_>, articles: &[(ArticleId, NaiveDate, &Extraction)]) -> Result<()> {
    // The places the mentions resolve to go in first: the mentions refer to them.
    places::store_entries(tx, articles.iter().filter_map(|(_, _, e)| e.places.as_ref())).await?;
    write_mentions_and_quotes(tx, articles).await?;
    let resolved: Vec<_> = articles
        .iter()
        .filter_map(|(id, day, e)| e.places.as_ref().map(|p| (*id, *day, p)))
        .collect();
    places::finish(tx, &resolved).await
}

async fn write_mentions_and_quotes(
    tx: &Transaction<'_>,
    articles: &[(ArticleId, NaiveDate, &Extraction)],
) -> Result<()> {
    // Entities first, in the order the SQLite backend creates them (article by article, mentions then speakers), so
    // that the same writes give the same ids on both backends. Only missing ones are inserted, so that no id is
    // spent on a conflict. (Two batches creating the same new entities in another order may deadlock: the loser is
    // retried whole.)
    let mut seen: HashSet<(&str, &str)> = HashSet::new();
    let (mut types, mut names): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    for (_, _, e) in articles {
        let mentioned = e
            .mentions
            .iter()
            .map(|m| (m.entity_type.label(), m.entity_name.as_str()));
        let speakers = e
            .quotes
            .iter()
            .filter_map(|q| q.speaker.as_ref())
            .map(|(t, n)| (t.label(), n.as_str()));
        for (t, n) in mentioned.chain(speakers) {
            if seen.insert((t, n)) {
                types.push(t);
                names.push(n);
            }
        }
    }
    if types.is_empty() && articles.iter().all(|(_, _, e)| e.quotes.is_empty()) {
        return Ok(());
    }
    tx.execute(
        "INSERT INTO entities (type, name)
         SELECT t, n FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS x(t, n, i)
         WHERE NOT EXISTS (SELECT 1 FROM entities e WHERE e.type = x.t AND e.name = x.n)
         ORDER BY i
         ON CONFLICT (type, name) DO NOTHING",
        &[&types, &names],
    )
    .await?;

    let mut m = Mentions::default();
    for (id, day, e) in articles {
        let tagger = e.tagger_version.as_deref().unwrap_or("");
        for (x, place) in e.mentions.iter().zip(crate::sqlite::places::of_mentions(e)) {
            m.place.push(place.and_then(|p| p.geonameid));
            m.confidence.push(place.map(|p| p.confidence));
            m.article.push(id.0);
            m.kind.push(x.entity_type.label());
            m.name.push(&x.entity_name);
            m.field.push(x.field.label());
            m.start.push(x.start as i32);
            m.end.push(x.end as i32);
            m.surface.push(&x.surface);
            m.tagger.push(tagger);
            m.day.push(*day);
        }
    }
    if !m.article.is_empty() {
        tx.execute(
            "INSERT INTO mentions (article_id, entity_id, field, start, \"end\", surface, tagger_version, day,
                                   place_id, place_confidence)
             SELECT m.a, e.id, m.f, m.s, m.e, m.surface, m.tv, m.d, m.place, m.confidence
             FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[], $7::text[],
                         $8::text[], $9::date[], $10::bigint[], $11::float8[])
                  WITH ORDINALITY AS m(a, t, n, f, s, e, surface, tv, d, place, confidence, i)
             JOIN entities e ON e.type = m.t AND e.name = m.n
             ORDER BY m.i",
            &[
                &m.article,
                &m.kind,
                &m.name,
                &m.field,
                &m.start,
                &m.end,
                &m.surface,
                &m.tagger,
                &m.day,
                &m.place,
                &m.confidence,
            ],
        )
        .await?;
    }

    let mut q = Quotes::default();
    for (id, _, e) in articles {
        for x in &e.quotes {
            q.article.push(id.0);
            q.kind.push(x.speaker.as_ref().map(|(t, _)| t.label()));
            q.name.push(x.speaker.as_ref().map(|(_, n)| n.as_str()));
            q.text.push(&x.text);
            q.start.push(x.start as i32);
            q.end.push(x.end as i32);
        }
    }
    if !q.article.is_empty() {
        tx.execute(
            "INSERT INTO quotes (article_id, speaker_entity_id, text, start, \"end\")
             SELECT q.a, e.id, q.text, q.s, q.e
             FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[])
                  WITH ORDINALITY AS q(a, t, n, text, s, e, i)
             LEFT JOIN entities e ON e.type = q.t AND e.name = q.n
             ORDER BY q.i",
            &[&q.article, &q.kind, &q.name, &q.text, &q.start, &q.end],
        )
        .await?;
    }
    Ok(())
}

/// A batch's mentions as columns (bound as arrays).
#[derive(Default)]
struct Mentions<'a> {
    article: Vec<i64>,
    kind: Vec<&'static str>,
    name: Vec<&'a str>,
    field: Vec<&'static str>,
    start: Vec<i32>,
    end: Vec<i32>,
    surface: Vec<&'a str>,
    tagger: Vec<&'a str>,
    day: Vec<NaiveDate>,
    place: Vec<Option<i64>>,
    confidence: Vec<Option<f64>>,
}

/// A batch's quotes as columns.
#[derive(Default)]
struct Quotes<'a> {
    article: Vec<i64>,
    kind: Vec<Option<&'static str>>,
    name: Vec<Option<&'a str>>,
    text: Vec<&'a str>,
    start: Vec<i32>,
    end: Vec<i32>,
}

/// Replaces an article's extraction and its mentions and quotes, in one transaction (see the SQLite backend).
pub(crate) async fn replace_extraction(pool: &Pool, article: ArticleId, e: &Extraction) -> Result<bool> {
    let stories = *pool.story_config();
    let mut conn = pool.conn().await?;
    retrying!(replace_in(&mut conn, article, e, &stories).await)
}

async fn replace_in(
    conn: &mut Client,
    article: ArticleId,
    e: &Extraction,
    stories: &gazette_stories::Config,
) -> Result<bool> {
    let tx = conn.transaction().await?;
    let Some(current) = tx
        .query_opt(
            "SELECT story_id FROM articles WHERE id = $1 FOR NO KEY UPDATE",
            &[&article.0],
        )
        .await?
    else {
        return Ok(false);
    };
    let current: Option<i64> = current.get(0);
    if let Some(story) = current {
        stories::lock(&tx, story).await?;
    }
    let authors = (!e.authors.is_empty()).then(|| json_list(&e.authors));
    let agencies = (!e.agencies.is_empty()).then(|| json_list(&e.agencies));
    // Mentions and demonyms go before the article changes: their counts are keyed by the day the article has now.
    places::clear(&tx, article).await?;
    tx.execute("DELETE FROM mentions WHERE article_id = $1", &[&article.0])
        .await?;
    tx.execute("DELETE FROM quotes WHERE article_id = $1", &[&article.0])
        .await?;
    // Moved (if it moves) while it has no mentions: the story triggers then have no entities to move.
    let story = stories::story_for_replaced(&tx, article, current, e.story.as_ref(), stories).await?;
    let row = tx
        .query_opt(
            "UPDATE articles SET canonical_url = COALESCE($2, canonical_url), title = COALESCE($3, title),
                    authors = COALESCE($4, authors), published_at = COALESCE($5, published_at),
                    language = COALESCE($6, language), site_name = COALESCE($7, site_name),
                    image_url = COALESCE($8, image_url), image_caption = COALESCE($9, image_caption),
                    description = COALESCE($10, description), text = $11, content_hash = $12, page_error = NULL,
                    extractor_version = $13, tagger_version = $14,
                    published_source = CASE WHEN $5::timestamptz IS NULL THEN published_source ELSE $15 END,
                    updated_at = COALESCE($16, updated_at), agencies = COALESCE($17, agencies),
                    image_credit = COALESCE($18, image_credit), names_tagged = $19, untagged_languages = $20,
                    story_id = $21
             WHERE id = $1
             RETURNING gazette_day(published_at, fetched_at)",
            &[
                &article.0,
                &e.canonical_url,
                &e.title,
                &authors,
                &e.published_at.map(at),
                &e.language,
                &e.site_name,
                &e.image_url,
                &e.image_caption,
                &e.description,
                &e.text,
                &crate::content_hash(&e.text),
                &e.extractor_version,
                &e.tagger_version,
                &e.published_source,
                &e.updated_at.map(at),
                &agencies,
                &e.image_credit,
                &e.names_tagged.map(NameCoverage::label),
                &(!e.untagged_languages.is_empty()).then(|| json_list(&e.untagged_languages)),
                &story,
            ],
        )
        .await?;
    let Some(row) = row else {
        return Ok(false);
    };
    stories::store_print(&tx, article, story, e.story.as_ref()).await?;
    insert_annotations(&tx, &[(article, row.get(0), e)]).await?;
    tx.commit().await?;
    Ok(true)
}

/// A list of names as jsonb (`authors`, `agencies`, `untagged_languages`).
fn json_list(items: &[String]) -> serde_json::Value {
    serde_json::Value::from(items.to_vec())
}

/// Records why re-extracting an article failed. Returns false when the article no longer exists.
pub(crate) async fn record_page_error(pool: &Pool, article: ArticleId, error: &str) -> Result<bool> {
    let conn = pool.conn().await?;
    let n = conn
        .execute(
            "UPDATE articles SET page_error = $2 WHERE id = $1",
            &[&article.0, &error],
        )
        .await?;
    Ok(n > 0)
}

/// Ids of stored articles with a page, matching the filter, in id order.
pub(crate) async fn with_pages(pool: &Pool, filter: &ReprocessFilter) -> Result<Vec<ArticleId>> {
    let conn = pool.conn().await?;
    let rows = conn
        .query(
            "SELECT id FROM articles
             WHERE html IS NOT NULL
               AND ($1::timestamptz IS NULL OR COALESCE(published_at, fetched_at) >= $1)
               AND ($2::bigint IS NULL OR feed_id = $2)
             ORDER BY id",
            &[&filter.since.map(at), &filter.feed_id.map(|f| f.0)],
        )
        .await?;
    Ok(rows.iter().map(|r| ArticleId(r.get(0))).collect())
}

/// A stored page to re-extract: the compressed HTML and the URL it was read from.
pub(crate) async fn stored_page(pool: &Pool, article: ArticleId) -> Result<Option<StoredPage>> {
    let conn = pool.conn().await?;
    let row = conn
        .query_opt(
            "SELECT html, COALESCE(url, canonical_url), fetched_at FROM articles WHERE id = $1 AND html IS NOT NULL",
            &[&article.0],
        )
        .await?;
    Ok(row.map(|r| StoredPage {
        compressed: r.get(0),
        url: r.get(1),
        fetched_at: r.get(2),
    }))
}
