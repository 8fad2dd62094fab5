//! Stories (migrations/0009): the write-time decision over the band index, an article's fingerprint and its
//! entities' story counts, and the reads behind `gazette stories`.
//!
//! The decision is the stories crate's [`find_match`] over [`Bands`], the crate's [`Archive`](StoryArchive) on the
//! writer's transaction: for each of the new article's band keys, the few most recent earlier articles filed under it
//! (one index range each), then those candidates' signatures, compared by the rule. Its cost depends on the number of
//! keys and the per-key bound, not on the size of the archive. The story rows themselves (counts, first article,
//! sites) are kept by the triggers of 0009, so that any write keeps them right; what is booked here is what the
//! triggers skip for speed: an article's entities, booked per article as `counting` does.

use std::collections::HashMap;

use gazette_stories::{find_match, Archive as StoryArchive, Config, Fingerprint};
use rusqlite::{params, Connection, OptionalExtension};

use super::{cell, time, Reader};
use crate::{ArticleId, Result, RowSink, StoreError, StoryId, StoryList, StoryPrint};

/// The band index and fingerprints of one scheme, as seen from the writer's transaction.
struct Bands<'c> {
    conn: &'c Connection,
    /// Only slots below this are candidates: articles stored before the one being decided.
    below_slot: i64,
    scheme: i64,
    /// The story of each candidate whose fingerprint was read.
    stories: HashMap<i64, i64>,
}

impl StoryArchive for Bands<'_> {
    type Id = i64;
    type Error = rusqlite::Error;

    fn candidates(&mut self, key: i64, limit: usize, out: &mut Vec<i64>) -> rusqlite::Result<()> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT slot >> 6 FROM story_bands WHERE band_key = ?1 AND slot < ?2 ORDER BY slot DESC LIMIT ?3",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![key, self.below_slot, limit], |r| r.get(0))?;
        for id in rows {
            out.push(id?);
        }
        Ok(())
    }

    fn fingerprint(&mut self, id: i64) -> rusqlite::Result<Option<Fingerprint>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT story_id, fingerprint FROM story_fingerprints WHERE article_id = ?1 AND scheme_id = ?2",
        )?;
        let found = stmt
            .query_row(params![id, self.scheme], |r| {
                let story: i64 = r.get(0)?;
                // A fingerprint this build cannot read compares with nothing, as one of another scheme.
                let fingerprint = Fingerprint::from_bytes(r.get_ref(1)?.as_blob()?).ok();
                Ok(fingerprint.map(|f| (story, f)))
            })
            .optional()?
            .flatten();
        Ok(found.map(|(story, fingerprint)| {
            self.stories.insert(id, story);
            fingerprint
        }))
    }
}

/// The id of a scheme's name, recorded on first use.
fn scheme_id(tx: &Connection, name: &str) -> Result<i64> {
    let mut find = tx.prepare_cached("SELECT id FROM story_schemes WHERE name = ?1")?;
    if let Some(id) = find.query_row([name], |r| r.get(0)).optional()? {
        return Ok(id);
    }
    tx.prepare_cached("INSERT INTO story_schemes (name) VALUES (?1)")?
        .execute([name])?;
    Ok(tx.last_insert_rowid())
}

/// The story of the earlier article `print` matches best, if any (earlier: stored before `before`, or any when
/// `None`).
fn matching_story(
    tx: &Connection,
    print: &StoryPrint,
    before: Option<ArticleId>,
    config: &Config,
) -> Result<Option<i64>> {
    let mut bands = Bands {
        conn: tx,
        below_slot: before.map_or(i64::MAX, |a| a.0.saturating_mul(64)),
        scheme: scheme_id(tx, &print.scheme)?,
        stories: HashMap::new(),
    };
    let found = find_match(&mut bands, &print.computed, config)?;
    Ok(found.and_then(|m| bands.stories.get(&m.article).copied()))
}

/// Starts an empty story (the triggers count the article that joins it).
fn new_story(tx: &Connection) -> Result<i64> {
    tx.prepare_cached("INSERT INTO stories (articles, sites) VALUES (0, 0)")?
        .execute([])?;
    Ok(tx.last_insert_rowid())
}

/// The story a new article goes into: that of the earlier article it matches, else a new one.
pub(crate) fn story_for_new(tx: &Connection, print: Option<&StoryPrint>, config: &Config) -> Result<i64> {
    if let Some(print) = print {
        if let Some(story) = matching_story(tx, print, None, config)? {
            return Ok(story);
        }
    }
    new_story(tx)
}

/// The story a re-extracted article belongs to: that of the earlier article it matches now; else it keeps its story
/// when it is that story's first article (by arrival: the others came after and joined it), and starts one otherwise.
pub(crate) fn story_for_replaced(
    tx: &Connection,
    article: ArticleId,
    current: Option<i64>,
    print: Option<&StoryPrint>,
    config: &Config,
) -> Result<i64> {
    if let Some(print) = print {
        if let Some(story) = matching_story(tx, print, Some(article), config)? {
            return Ok(story);
        }
    }
    if let Some(story) = current {
        let first: Option<i64> = tx
            .prepare_cached("SELECT min(id) FROM articles WHERE story_id = ?1")?
            .query_row([story], |r| r.get(0))?;
        if first == Some(article.0) {
            return Ok(story);
        }
    }
    new_story(tx)
}

/// Stores (or replaces) an article's fingerprint and band keys, or removes them when it has none.
pub(crate) fn store_print(tx: &Connection, article: ArticleId, story: i64, print: Option<&StoryPrint>) -> Result<()> {
    let Some(print) = print else {
        tx.prepare_cached("DELETE FROM story_fingerprints WHERE article_id = ?1")?
            .execute([article.0])?;
        tx.prepare_cached("DELETE FROM story_bands WHERE slot BETWEEN ?1 * 64 AND ?1 * 64 + 63")?
            .execute([article.0])?;
        return Ok(());
    };
    let scheme = scheme_id(tx, &print.scheme)?;
    tx.prepare_cached(
        "INSERT INTO story_fingerprints (article_id, story_id, scheme_id, fingerprint) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (article_id) DO UPDATE SET
             story_id = excluded.story_id, scheme_id = excluded.scheme_id, fingerprint = excluded.fingerprint",
    )?
    .execute(params![article.0, story, scheme, print.computed.fingerprint.to_bytes()])?;
    // Slots hold 64 bands per article: more would spill into the next article's.
    let keys = &print.computed.band_keys[..print.computed.band_keys.len().min(64)];
    tx.prepare_cached("DELETE FROM story_bands WHERE slot BETWEEN ?1 * 64 AND ?1 * 64 + 63")?
        .execute([article.0])?;
    // One statement for all the keys, bound as one JSON array.
    let keys = serde_json::to_string(keys).expect("integers serialise to JSON");
    tx.prepare_cached("INSERT INTO story_bands (slot, band_key) SELECT ?1 * 64 + key, value FROM json_each(?2)")?
        .execute(params![article.0, keys])?;
    Ok(())
}

/// Books an article's entities into its story (story_entity_days, entity_days.stories, entities.stories), after
/// `counting::book` wrote its article_entities rows. The triggers skipped them: the article was in
/// mentions_uncounted.
pub(crate) fn book_entities(tx: &Connection, article: ArticleId, story: i64) -> Result<()> {
    const BOOK: [&str; 3] = [
        "INSERT INTO story_entity_days (story_id, entity_id, day, articles)
         SELECT ?2, entity_id, day, 1 FROM article_entities WHERE article_id = ?1 AND true
         ON CONFLICT (story_id, entity_id, day) DO UPDATE SET articles = articles + 1",
        "UPDATE entity_days SET stories = stories + 1
         WHERE (entity_id, day) IN (
             SELECT ae.entity_id, ae.day FROM article_entities ae
             JOIN story_entity_days s ON s.story_id = ?2 AND s.entity_id = ae.entity_id AND s.day = ae.day
             WHERE ae.article_id = ?1 AND s.articles = 1)",
        "UPDATE entities SET stories = stories + 1
         WHERE id IN (
             SELECT ae.entity_id FROM article_entities ae
             WHERE ae.article_id = ?1
               AND (SELECT sum(s.articles) FROM story_entity_days s
                    WHERE s.story_id = ?2 AND s.entity_id = ae.entity_id) = 1)",
    ];
    for sql in BOOK {
        tx.prepare_cached(sql)?.execute(params![article.0, story])?;
    }
    Ok(())
}

/// Takes an article's entities out of its story, before `counting::remove_mentions` removes its article_entities
/// rows (the article is in mentions_uncounted: the triggers skip them).
pub(crate) fn unbook_entities(tx: &Connection, article: ArticleId, story: i64) -> Result<()> {
    const UNBOOK: [&str; 4] = [
        "UPDATE entity_days SET stories = stories - 1
         WHERE (entity_id, day) IN (
             SELECT ae.entity_id, ae.day FROM article_entities ae
             JOIN story_entity_days s ON s.story_id = ?2 AND s.entity_id = ae.entity_id AND s.day = ae.day
             WHERE ae.article_id = ?1 AND s.articles = 1)",
        "UPDATE entities SET stories = stories - 1
         WHERE id IN (
             SELECT ae.entity_id FROM article_entities ae
             WHERE ae.article_id = ?1
               AND (SELECT sum(s.articles) FROM story_entity_days s
                    WHERE s.story_id = ?2 AND s.entity_id = ae.entity_id) = 1)",
        "UPDATE story_entity_days SET articles = articles - 1
         WHERE story_id = ?2 AND (entity_id, day) IN (SELECT entity_id, day FROM article_entities WHERE article_id = ?1)",
        "DELETE FROM story_entity_days WHERE story_id = ?2 AND articles <= 0",
    ];
    for sql in UNBOOK {
        tx.prepare_cached(sql)?.execute(params![article.0, story])?;
    }
    Ok(())
}

/// The story an article is in.
pub(crate) fn story_of(tx: &Connection, article: ArticleId) -> Result<Option<i64>> {
    Ok(tx
        .prepare_cached("SELECT story_id FROM articles WHERE id = ?1")?
        .query_row([article.0], |r| r.get(0))
        .optional()?
        .flatten())
}

/// Stories first published in a range, most sites first (`gazette stories`).
pub(crate) fn list(db: &Reader, list: &StoryList, sink: &mut dyn RowSink) -> Result<u64> {
    let until = if list.until.is_some() {
        "AND s.first_published_at < :until"
    } else {
        ""
    };
    let sql = format!(
        "SELECT s.id AS story, s.first_published_at AS first_published, s.sites, s.articles, s.last_update,
                a.title AS headline
         FROM stories s LEFT JOIN articles a ON a.id = s.first_article_id
         WHERE s.first_published_at >= :since {until}
         ORDER BY s.sites DESC, s.articles DESC, s.first_published_at, s.id
         LIMIT :limit"
    );
    let mut stmt = db.conn.prepare(&sql)?;
    bind(&mut stmt, ":since", time(list.since))?;
    if let Some(until) = list.until {
        bind(&mut stmt, ":until", time(until))?;
    }
    bind(&mut stmt, ":limit", list.limit)?;
    stream(&mut stmt, sink)
}

/// The articles of one story (its sites) in order of publication.
pub(crate) fn articles(db: &Reader, story: StoryId, sink: &mut dyn RowSink) -> Result<u64> {
    let mut stmt = db.conn.prepare(
        "SELECT a.published_at, a.site_host AS site, f.title AS feed, a.title, COALESCE(a.url, a.canonical_url) AS url,
                a.id AS article
         FROM articles a JOIN feeds f ON f.id = a.feed_id
         WHERE a.story_id = :story
         ORDER BY COALESCE(a.published_at, a.fetched_at), a.id",
    )?;
    bind(&mut stmt, ":story", story.0)?;
    stream(&mut stmt, sink)
}

fn bind(stmt: &mut rusqlite::Statement, name: &str, value: impl rusqlite::ToSql) -> Result<()> {
    let i = stmt.parameter_index(name)?.expect("the statement names its parameters");
    stmt.raw_bind_parameter(i, value)?;
    Ok(())
}

fn stream(stmt: &mut rusqlite::Statement, sink: &mut dyn RowSink) -> Result<u64> {
    let columns: Vec<String> = stmt.column_names().map(String::from).collect();
    sink.header(&columns).map_err(StoreError::Output)?;
    let width = columns.len();
    let mut rows = stmt.raw_query();
    let mut n = 0;
    let mut cells = Vec::with_capacity(width);
    while let Some(row) = rows.next()? {
        cells.clear();
        for i in 0..width {
            cells.push(cell(row.get_ref(i)?));
        }
        sink.row(&cells).map_err(StoreError::Output)?;
        n += 1;
    }
    Ok(n)
}
