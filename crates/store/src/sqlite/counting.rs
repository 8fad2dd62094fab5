//! The running totals derived from an article's mentions (article_entities, entity_days, entities.mentions and
//! .articles, entity_pair_days), booked once per distinct entity of the article instead of once per mention.
//!
//! The per-mention triggers keep the totals right for any single-row write (plain SQL, cascades), but cost the
//! writer ~80 upserts per article. Between [`defer`] and [`book`] the triggers skip the article (its id is in
//! `mentions_uncounted`, see migrations/0003), and [`book`] adds its counts in a few set-based statements. All of it
//! runs inside the caller's transaction, so no reader ever sees an article half counted.

use std::sync::LazyLock;

use rusqlite::Connection;

use crate::{ArticleId, EntityType, Result, PAIRED_PER_ARTICLE};

/// The entity types that pair up in co-occurrences, as an SQL list: named entities, not dates and numbers.
pub(crate) static NAMED: LazyLock<String> = LazyLock::new(EntityType::named_sql_list);

/// The statements of [`remove_mentions`] and [`book`], each with the article's id as `?1`. Built once: the pair
/// statements are spelt with [`NAMED`] and [`PAIRED_PER_ARTICLE`].
static REMOVE: LazyLock<Vec<String>> = LazyLock::new(|| {
    let pairs = article_pairs();
    vec![
        format!(
            "UPDATE entity_pair_days SET articles = articles - 1
             WHERE (day, entity1_id, entity2_id) IN (SELECT day, entity1_id, entity2_id FROM ({pairs}))"
        ),
        format!(
            "DELETE FROM entity_pair_days
             WHERE articles <= 0
               AND (day, entity1_id, entity2_id) IN (SELECT day, entity1_id, entity2_id FROM ({pairs}))"
        ),
        // Not `UPDATE ... FROM`: SQLite re-prepares that form on every run.
        "UPDATE entity_days SET
             mentions = mentions - (SELECT ae.mentions FROM article_entities ae
                                    WHERE ae.article_id = ?1 AND ae.entity_id = entity_days.entity_id),
             articles = articles - 1
         WHERE (entity_id, day) IN (SELECT entity_id, day FROM article_entities WHERE article_id = ?1)"
            .into(),
        "DELETE FROM entity_days
         WHERE mentions <= 0
           AND (entity_id, day) IN (SELECT entity_id, day FROM article_entities WHERE article_id = ?1)"
            .into(),
        "UPDATE entities SET
             mentions = mentions - (SELECT ae.mentions FROM article_entities ae
                                    WHERE ae.article_id = ?1 AND ae.entity_id = entities.id),
             articles = articles - 1
         WHERE id IN (SELECT entity_id FROM article_entities WHERE article_id = ?1)"
            .into(),
        "DELETE FROM article_entities WHERE article_id = ?1".into(),
        "DELETE FROM mentions WHERE article_id = ?1".into(),
    ]
});

static BOOK: LazyLock<Vec<String>> = LazyLock::new(|| {
    let named = &*NAMED;
    vec![
        // `capped`: past the article's PAIRED_PER_ARTICLE most mentioned named entities.
        format!(
            "INSERT INTO article_entities (article_id, entity_id, day, mentions, capped)
             SELECT m.article_id, m.entity_id, m.day, count(*),
                    e.type IN {named} AND row_number() OVER (
                        PARTITION BY e.type IN {named} ORDER BY count(*) DESC, m.entity_id) > {PAIRED_PER_ARTICLE}
             FROM mentions m JOIN entities e ON e.id = m.entity_id
             WHERE m.article_id = ?1
             GROUP BY m.entity_id, m.day"
        ),
        // `WHERE true`: an upsert's SELECT needs a WHERE clause so that ON CONFLICT is not read as a join.
        format!(
            "INSERT INTO entity_pair_days (day, entity1_id, entity2_id, entity1_type, entity2_type, articles)
             SELECT *, 1 FROM ({}) WHERE true
             ON CONFLICT (day, entity1_id, entity2_id) DO UPDATE SET articles = articles + 1",
            article_pairs()
        ),
        "INSERT INTO entity_days (entity_id, day, mentions, articles)
         SELECT entity_id, day, mentions, 1 FROM article_entities WHERE article_id = ?1 AND true
         ON CONFLICT (entity_id, day) DO UPDATE SET
             mentions = mentions + excluded.mentions,
             articles = articles + 1"
            .into(),
        // Not `UPDATE ... FROM`: SQLite re-prepares that form on every run.
        "UPDATE entities SET
             mentions = mentions + (SELECT ae.mentions FROM article_entities ae
                                    WHERE ae.article_id = ?1 AND ae.entity_id = entities.id),
             articles = articles + 1
         WHERE id IN (SELECT entity_id FROM article_entities WHERE article_id = ?1)"
            .into(),
        "DELETE FROM mentions_uncounted WHERE article_id = ?1".into(),
    ]
});

/// Both orders of every pair of article `?1`'s uncapped named entities: (day, entity1_id, entity2_id, their types).
/// (Listing the article's named entities once in a CTE and pairing that with itself measured no faster.)
fn article_pairs() -> String {
    let named = &*NAMED;
    format!(
        "SELECT a1.day, a1.entity_id AS entity1_id, a2.entity_id AS entity2_id, e1.type, e2.type
         FROM article_entities a1
         JOIN entities e1 ON e1.id = a1.entity_id
         JOIN article_entities a2
           ON a2.article_id = a1.article_id AND a2.entity_id <> a1.entity_id AND a2.day = a1.day
         JOIN entities e2 ON e2.id = a2.entity_id
         WHERE a1.article_id = ?1 AND a1.capped = 0 AND a2.capped = 0
           AND e1.type IN {named} AND e2.type IN {named}"
    )
}

/// Starts a bulk write of `article_id`'s mentions: the per-mention triggers skip them until [`book`].
pub(crate) fn defer(tx: &Connection, article_id: ArticleId) -> Result<()> {
    tx.prepare_cached("INSERT INTO mentions_uncounted (article_id) VALUES (?1)")?
        .execute([article_id.0])?;
    Ok(())
}

/// Removes the article's mentions together with their share of the totals (for re-extraction). Needs [`defer`].
pub(crate) fn remove_mentions(tx: &Connection, article_id: ArticleId) -> Result<()> {
    for sql in REMOVE.iter() {
        tx.prepare_cached(sql)?.execute([article_id.0])?;
    }
    Ok(())
}

/// Books the mentions written since [`defer`] into the totals, and ends the deferral. The article must have had no
/// counted mentions before (a new article, or one emptied by [`remove_mentions`]); otherwise its article_entities
/// rows collide and the whole write fails rather than count twice.
pub(crate) fn book(tx: &Connection, article_id: ArticleId) -> Result<()> {
    for sql in BOOK.iter() {
        tx.prepare_cached(sql)?.execute([article_id.0])?;
    }
    Ok(())
}
