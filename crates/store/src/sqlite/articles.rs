//! Articles with their mentions and quotes.
//!
//! An article is stored once per feed. Its identity is the feed's item key (GUID, else normalised URL, else title and
//! date), but the same story also arrives under other keys (a tracking-parameter URL in the feed, the canonical URL on
//! the page), so a new article also matches an existing one by URL or canonical URL. Tombstones keep deleted articles
//! deleted.

use rusqlite::{params, Connection, OptionalExtension};

use super::{counting, places, stories, time};
use crate::{
    ArticleId, Extraction, FeedId, ItemKey, NameCoverage, NewArticle, ReprocessFilter, Result, StoredArticle,
    StoredPage,
};

/// Whether an item of a feed is already stored or tombstoned, so its page need not be fetched.
pub(crate) fn is_known(conn: &Connection, feed: FeedId, item: &ItemKey) -> Result<bool> {
    Ok(find_existing(conn, feed, &item.key, item.url.as_deref(), None)?)
}

fn find_existing(
    conn: &Connection,
    feed_id: FeedId,
    item_key: &str,
    url: Option<&str>,
    canonical_url: Option<&str>,
) -> rusqlite::Result<bool> {
    let mut stmt = conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM articles WHERE feed_id = ?1 AND item_key = ?2)
             OR EXISTS (SELECT 1 FROM tombstones WHERE feed_id = ?1 AND item_key = ?2)
             OR EXISTS (SELECT 1 FROM tombstones WHERE feed_id = ?1 AND url IN (?3, ?4))
             OR EXISTS (SELECT 1 FROM tombstones WHERE feed_id = ?1 AND canonical_url IN (?3, ?4))
             OR EXISTS (SELECT 1 FROM articles WHERE feed_id = ?1 AND url IN (?3, ?4))
             OR EXISTS (SELECT 1 FROM articles WHERE feed_id = ?1 AND canonical_url IN (?3, ?4))",
    )?;
    stmt.query_row(params![feed_id.0, item_key, url, canonical_url], |r| r.get(0))
}

/// Stores an article with its mentions and quotes, unless it is already there.
#[cfg(test)]
pub(crate) fn insert(conn: &mut Connection, a: &NewArticle) -> Result<StoredArticle> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let stored = insert_in(&tx, a, &gazette_stories::Config::default())?;
    tx.commit()?;
    Ok(stored)
}

/// Stores a batch of articles in one transaction (one commit instead of one per article). An article that fails is
/// rolled back alone and reported in its slot.
pub(crate) fn insert_batch(
    conn: &mut Connection,
    batch: &[NewArticle],
    stories: &gazette_stories::Config,
) -> Result<Vec<Result<StoredArticle>>> {
    // Fast path, no savepoints: a savepoint copies every page the article touches into its undo journal, which
    // cost more than a tenth of the writer's time. Failures are rare; on one, the batch is redone the careful way.
    {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut results = Vec::with_capacity(batch.len());
        for a in batch {
            match insert_in(&tx, a, stories) {
                Ok(stored) => results.push(Ok(stored)),
                Err(_) => break,
            }
        }
        if results.len() == batch.len() {
            tx.commit()?;
            return Ok(results);
        }
    }
    let mut tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut results = Vec::with_capacity(batch.len());
    for a in batch {
        let result = {
            let sp = tx.savepoint()?;
            let result = insert_in(&sp, a, stories);
            if result.is_ok() {
                sp.commit()?;
            }
            result
        };
        match result {
            // Some errors (disk full, I/O) make SQLite roll the whole transaction back: nothing of the batch stands,
            // and going on would commit the rest piecemeal outside any transaction.
            Err(e) if tx.is_autocommit() => return Err(e),
            result => results.push(result),
        }
    }
    tx.commit()?;
    Ok(results)
}

fn insert_in(tx: &Connection, a: &NewArticle, stories: &gazette_stories::Config) -> Result<StoredArticle> {
    let e = &a.extraction;
    // Its page is through (or given up on), or it is stored already: its transient failures, if any, are forgotten.
    tx.prepare_cached("DELETE FROM page_retries WHERE feed_id = ?1 AND item_key = ?2")?
        .execute(params![a.feed_id.0, a.item_key])?;
    if find_existing(tx, a.feed_id, &a.item_key, a.url.as_deref(), e.canonical_url.as_deref())? {
        return Ok(StoredArticle::Duplicate);
    }
    let story = stories::story_for_new(tx, e.story.as_ref(), stories)?;
    tx.prepare_cached(
        "INSERT INTO articles (feed_id, item_key, guid, url, canonical_url, title, authors, published_at, language,
                               site_name, image_url, image_caption, description, text, html, content_hash,
                               page_error, extractor_version, tagger_version, fetched_at, published_source,
                               updated_at, agencies, image_credit, names_tagged, untagged_languages, story_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,
                 ?22, ?23, ?24, ?25, ?26, ?27)",
    )?
    .execute(params![
        a.feed_id.0,
        a.item_key,
        a.guid,
        a.url,
        e.canonical_url,
        e.title,
        json_list(&e.authors),
        e.published_at.map(time),
        e.language,
        e.site_name,
        e.image_url,
        e.image_caption,
        e.description,
        e.text,
        a.html,
        crate::content_hash(&e.text),
        a.page_error,
        e.extractor_version,
        e.tagger_version,
        time(a.fetched_at),
        e.published_source,
        e.updated_at.map(time),
        json_list(&e.agencies),
        e.image_credit,
        e.names_tagged.map(NameCoverage::label),
        (!e.untagged_languages.is_empty()).then(|| json_list(&e.untagged_languages)),
        story,
    ])?;
    let id = ArticleId(tx.last_insert_rowid());
    stories::store_print(tx, id, story, e.story.as_ref())?;
    counting::defer(tx, id)?;
    insert_annotations(tx, id, e)?;
    places::finish(tx, id, e.places.as_ref())?;
    stories::book_entities(tx, id, story)?;
    Ok(StoredArticle::Inserted(id))
}

/// Replaces an article's extraction (text, metadata, versions) and its mentions and quotes, in one transaction, after
/// re-running extraction and tagging over its stored page. Metadata the extractor did not find keeps its stored value
/// (it may have come from the feed). Its story is decided again from its new fingerprint (see
/// [`stories::story_for_replaced`]). Returns false when the article no longer exists.
pub(crate) fn replace_extraction(
    conn: &mut Connection,
    article_id: ArticleId,
    e: &Extraction,
    stories: &gazette_stories::Config,
) -> Result<bool> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let current = stories::story_of(&tx, article_id)?;
    let authors = (!e.authors.is_empty()).then(|| json_list(&e.authors));
    let agencies = (!e.agencies.is_empty()).then(|| json_list(&e.agencies));
    // Mentions go before the article changes: their counters are keyed by the day the article has now, and its day
    // may not change under them.
    counting::defer(&tx, article_id)?;
    places::clear(&tx, article_id)?;
    if let Some(story) = current {
        stories::unbook_entities(&tx, article_id, story)?;
    }
    counting::remove_mentions(&tx, article_id)?;
    // Moved (if it moves) while it has no mentions: the story triggers then have no entities to move.
    let story = stories::story_for_replaced(&tx, article_id, current, e.story.as_ref(), stories)?;
    tx.execute("DELETE FROM quotes WHERE article_id = ?1", [article_id.0])?;
    let n = tx.execute(
        "UPDATE articles SET canonical_url = COALESCE(?2, canonical_url), title = COALESCE(?3, title),
                authors = COALESCE(?4, authors), published_at = COALESCE(?5, published_at),
                language = COALESCE(?6, language), site_name = COALESCE(?7, site_name),
                image_url = COALESCE(?8, image_url), image_caption = COALESCE(?9, image_caption),
                description = COALESCE(?10, description), text = ?11, content_hash = ?12, page_error = NULL,
                extractor_version = ?13, tagger_version = ?14,
                published_source = CASE WHEN ?5 IS NULL THEN published_source ELSE ?15 END,
                updated_at = COALESCE(?16, updated_at), agencies = COALESCE(?17, agencies),
                image_credit = COALESCE(?18, image_credit), names_tagged = ?19, untagged_languages = ?20,
                story_id = ?21
         WHERE id = ?1",
        params![
            article_id.0,
            e.canonical_url,
            e.title,
            authors,
            e.published_at.map(time),
            e.language,
            e.site_name,
            e.image_url,
            e.image_caption,
            e.description,
            e.text,
            crate::content_hash(&e.text),
            e.extractor_version,
            e.tagger_version,
            e.published_source,
            e.updated_at.map(time),
            agencies,
            e.image_credit,
            e.names_tagged.map(NameCoverage::label),
            (!e.untagged_languages.is_empty()).then(|| json_list(&e.untagged_languages)),
            story,
        ],
    )?;
    if n == 0 {
        return Ok(false);
    }
    stories::store_print(&tx, article_id, story, e.story.as_ref())?;
    insert_annotations(&tx, article_id, e)?;
    places::finish(&tx, article_id, e.places.as_ref())?;
    stories::book_entities(&tx, article_id, story)?;
    tx.commit()?;
    Ok(true)
}

/// A list of names as stored: a JSON array.
fn json_list(names: &[String]) -> String {
    serde_json::to_string(names).unwrap_or_else(|_| "[]".into())
}

/// Records why re-extracting an article failed; its stored extraction stays. Returns false when the article no
/// longer exists.
pub(crate) fn record_page_error(conn: &Connection, article_id: ArticleId, error: &str) -> Result<bool> {
    let n = conn.execute(
        "UPDATE articles SET page_error = ?2 WHERE id = ?1",
        params![article_id.0, error],
    )?;
    Ok(n > 0)
}

/// Writes an article's mentions (with their places) and quotes, and books the mentions into the running totals. The caller has called
/// [`counting::defer`] on an article without mentions (new, or emptied by [`counting::remove_mentions`]).
fn insert_annotations(tx: &Connection, article_id: ArticleId, e: &Extraction) -> Result<()> {
    let (tagger_version, mentions, quotes) = (e.tagger_version.as_deref().unwrap_or(""), &e.mentions, &e.quotes);
    // The places the mentions resolve to go in first: the mentions refer to them.
    places::store_entries(tx, e.places.as_ref())?;
    if !mentions.is_empty() {
        // All of an article's mentions go in one statement each for the entities and the mentions, bound as one JSON
        // array: one statement instead of ~80 (each write statement pays for its own statement journal), and each
        // entity resolved once.
        let resolved = places::of_mentions(e);
        let rows: Vec<_> = mentions
            .iter()
            .zip(resolved)
            .map(|(m, place)| {
                (
                    m.entity_type.label(),
                    &m.entity_name,
                    m.field.label(),
                    m.start,
                    m.end,
                    &m.surface,
                    place.and_then(|p| p.geonameid),
                    place.map(|p| p.confidence),
                )
            })
            .collect();
        let rows = serde_json::to_string(&rows).expect("mentions serialise to JSON");
        tx.prepare_cached(
            "INSERT INTO entities (type, name)
             SELECT DISTINCT value ->> 0, value ->> 1 FROM json_each(?1) WHERE true
             ON CONFLICT (type, name) DO NOTHING",
        )?
        .execute([&rows])?;
        tx.prepare_cached(
            "INSERT INTO mentions (article_id, entity_id, field, start, \"end\", surface, tagger_version, day, place_id,
                                   place_confidence)
             SELECT ?2, e.id, m.value ->> 2, m.value ->> 3, m.value ->> 4, m.value ->> 5, ?3,
                    (SELECT substr(COALESCE(published_at, fetched_at), 1, 10) FROM articles WHERE id = ?2),
                    m.value ->> 6, m.value ->> 7
             FROM json_each(?1) m
             JOIN entities e ON e.type = m.value ->> 0 AND e.name = m.value ->> 1
             ORDER BY m.key",
        )?
        .execute(params![rows, article_id.0, tagger_version])?;
    }
    counting::book(tx, article_id)?;
    let mut insert_quote = tx.prepare_cached(
        "INSERT INTO quotes (article_id, speaker_entity_id, text, start, \"end\") VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for q in quotes {
        let speaker = match &q.speaker {
            Some((t, name)) => Some(entity_id(tx, t.label(), name)?),
            None => None,
        };
        insert_quote.execute(params![article_id.0, speaker, q.text, q.start, q.end])?;
    }
    Ok(())
}

/// The id of the entity (type, name), created on first sight.
fn entity_id(tx: &Connection, entity_type: &str, name: &str) -> Result<i64> {
    let mut find = tx.prepare_cached("SELECT id FROM entities WHERE type = ?1 AND name = ?2")?;
    if let Some(id) = find.query_row(params![entity_type, name], |r| r.get(0)).optional()? {
        return Ok(id);
    }
    tx.prepare_cached("INSERT INTO entities (type, name) VALUES (?1, ?2)")?
        .execute(params![entity_type, name])?;
    Ok(tx.last_insert_rowid())
}

/// Ids of stored articles with a page, matching the filter, in id order.
pub(crate) fn with_pages(conn: &Connection, filter: &ReprocessFilter) -> Result<Vec<ArticleId>> {
    let mut stmt = conn.prepare(
        "SELECT id FROM articles
         WHERE html IS NOT NULL
           AND (?1 IS NULL OR COALESCE(published_at, fetched_at) >= ?1)
           AND (?2 IS NULL OR feed_id = ?2)
         ORDER BY id",
    )?;
    let rows = stmt.query_map(params![filter.since.map(time), filter.feed_id.map(|f| f.0)], |r| {
        r.get(0).map(ArticleId)
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A stored page to re-extract: the compressed HTML and the URL it was read from.
pub(crate) fn stored_page(conn: &Connection, article_id: ArticleId) -> Result<Option<StoredPage>> {
    Ok(conn
        .query_row(
            "SELECT html, COALESCE(url, canonical_url), fetched_at FROM articles WHERE id = ?1 AND html IS NOT NULL",
            [article_id.0],
            |r| {
                Ok(StoredPage {
                    compressed: r.get(0)?,
                    url: r.get(1)?,
                    fetched_at: super::parse_time(&r.get::<_, String>(2)?),
                })
            },
        )
        .optional()?)
}
