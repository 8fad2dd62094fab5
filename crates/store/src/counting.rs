//! The running totals derived from an article's mentions (article_entities, entity_days, entities.mentions and
//! .articles), booked once per distinct entity of the article instead of once per mention.
//!
//! The per-mention triggers keep the totals right for any single-row write (plain SQL, cascades), but cost the
//! writer ~80 upserts per article. Between [`defer`] and [`book`] the triggers skip the article (its id is in
//! `mentions_uncounted`, see migrations/0003), and [`book`] adds its counts in three set-based statements. All of it
//! runs inside the caller's transaction, so no reader ever sees an article half counted.

use rusqlite::Connection;

use crate::Result;

/// Starts a bulk write of `article_id`'s mentions: the per-mention triggers skip them until [`book`].
pub(crate) fn defer(tx: &Connection, article_id: i64) -> Result<()> {
    tx.prepare_cached("INSERT INTO mentions_uncounted (article_id) VALUES (?1)")?
        .execute([article_id])?;
    Ok(())
}

/// Removes the article's mentions together with their share of the totals (for re-extraction). Needs [`defer`].
pub(crate) fn remove_mentions(tx: &Connection, article_id: i64) -> Result<()> {
    for sql in [
        // Not `UPDATE ... FROM`: SQLite re-prepares that form on every run.
        "UPDATE entity_days SET
             mentions = mentions - (SELECT ae.mentions FROM article_entities ae
                                    WHERE ae.article_id = ?1 AND ae.entity_id = entity_days.entity_id),
             articles = articles - 1
         WHERE (entity_id, day) IN (SELECT entity_id, day FROM article_entities WHERE article_id = ?1)",
        "DELETE FROM entity_days
         WHERE mentions <= 0
           AND (entity_id, day) IN (SELECT entity_id, day FROM article_entities WHERE article_id = ?1)",
        "UPDATE entities SET
             mentions = mentions - (SELECT ae.mentions FROM article_entities ae
                                    WHERE ae.article_id = ?1 AND ae.entity_id = entities.id),
             articles = articles - 1
         WHERE id IN (SELECT entity_id FROM article_entities WHERE article_id = ?1)",
        "DELETE FROM article_entities WHERE article_id = ?1",
        "DELETE FROM mentions WHERE article_id = ?1",
    ] {
        tx.prepare_cached(sql)?.execute([article_id])?;
    }
    Ok(())
}

/// Books the mentions written since [`defer`] into the totals, and ends the deferral. The article must have had no
/// counted mentions before (a new article, or one emptied by [`remove_mentions`]); otherwise its article_entities
/// rows collide and the whole write fails rather than count twice.
pub(crate) fn book(tx: &Connection, article_id: i64) -> Result<()> {
    for sql in [
        "INSERT INTO article_entities (article_id, entity_id, day, mentions)
         SELECT article_id, entity_id, day, count(*) FROM mentions WHERE article_id = ?1
         GROUP BY entity_id, day",
        // `WHERE true`: an upsert's SELECT needs a WHERE clause so that ON CONFLICT is not read as a join.
        "INSERT INTO entity_days (entity_id, day, mentions, articles)
         SELECT entity_id, day, mentions, 1 FROM article_entities WHERE article_id = ?1 AND true
         ON CONFLICT (entity_id, day) DO UPDATE SET
             mentions = mentions + excluded.mentions,
             articles = articles + 1",
        // Not `UPDATE ... FROM`: SQLite re-prepares that form on every run.
        "UPDATE entities SET
             mentions = mentions + (SELECT ae.mentions FROM article_entities ae
                                    WHERE ae.article_id = ?1 AND ae.entity_id = entities.id),
             articles = articles + 1
         WHERE id IN (SELECT entity_id FROM article_entities WHERE article_id = ?1)",
        "DELETE FROM mentions_uncounted WHERE article_id = ?1",
    ] {
        tx.prepare_cached(sql)?.execute([article_id])?;
    }
    Ok(())
}
