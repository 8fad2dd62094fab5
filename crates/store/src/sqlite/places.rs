//! Places (issue 19): an article's place mentions resolved to GeoNames entries (GeoNames, CC BY 4.0), its demonyms,
//! and the places and countries reports.
//!
//! The writer stores the entries that occur (`places`), writes each place mention with its `place_id` and
//! `place_confidence` (or sets them, when resolving stored mentions again), and writes the demonyms; the triggers of migrations/0010 derive `article_places`,
//! `article_countries` and the totals in `places` from those, whatever writes them, so that they always equal a fresh
//! count.

use rusqlite::{params, Connection, OptionalExtension};

use super::time;
use crate::{
    ArticleId, Extraction, Field, Filters, MentionPlace, ReprocessFilter, ResolvedPlaces, Result, StoredPlaceMentions,
};

/// Forgets an article's places: its mentions' places and its demonyms (and their share of the counts, through the
/// triggers). Before its mentions or its day change.
pub(crate) fn clear(tx: &Connection, article_id: ArticleId) -> Result<()> {
    tx.prepare_cached(
        "UPDATE mentions SET place_id = NULL, place_confidence = NULL
         WHERE article_id = ?1 AND (place_id IS NOT NULL OR place_confidence IS NOT NULL)",
    )?
    .execute([article_id.0])?;
    tx.prepare_cached("DELETE FROM demonym_mentions WHERE article_id = ?1")?
        .execute([article_id.0])?;
    tx.prepare_cached("UPDATE articles SET resolver_version = NULL WHERE id = ?1 AND resolver_version IS NOT NULL")?
        .execute([article_id.0])?;
    Ok(())
}

/// Stores the GeoNames entries an article's places refer to. An entry already there keeps its country (its counts
/// depend on it) but takes the newer tables' name, coordinates and population.
pub(crate) fn store_entries(tx: &Connection, resolved: Option<&ResolvedPlaces>) -> Result<()> {
    let Some(r) = resolved else {
        return Ok(());
    };
    let mut place = tx.prepare_cached(
        "INSERT INTO places (geonameid, name, feature_class, feature_code, country_code, admin1, lat, lon, population)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (geonameid) DO UPDATE SET
             name = excluded.name, feature_class = excluded.feature_class, feature_code = excluded.feature_code,
             admin1 = excluded.admin1, lat = excluded.lat, lon = excluded.lon, population = excluded.population
         WHERE (name, feature_class, feature_code, admin1, lat, lon, population)
               IS NOT (excluded.name, excluded.feature_class, excluded.feature_code, excluded.admin1, excluded.lat,
                       excluded.lon, excluded.population)",
    )?;
    for p in &r.places {
        place.execute(params![
            p.geonameid,
            p.name,
            p.feature_class,
            p.feature_code,
            p.country_code,
            p.admin1,
            p.lat,
            p.lon,
            p.population
        ])?;
    }
    Ok(())
}

/// Each of the extraction's mentions' resolution, in order (`None` for a mention that is not a resolved place
/// mention): written with the mentions, so that the triggers count each place once, as it arrives.
pub(crate) fn of_mentions(e: &Extraction) -> Vec<Option<&MentionPlace>> {
    let resolved = e.places.as_ref().map(|r| r.mentions.as_slice()).unwrap_or_default();
    e.mentions
        .iter()
        .map(|m| {
            resolved
                .iter()
                .find(|p| p.field == m.field && p.start == m.start && p.end == m.end)
        })
        .collect()
}

/// Finishes writing an article's places after its mentions: its demonyms and its resolver's version. `None` leaves
/// the article unresolved.
pub(crate) fn finish(tx: &Connection, article_id: ArticleId, resolved: Option<&ResolvedPlaces>) -> Result<()> {
    let Some(r) = resolved else {
        return Ok(());
    };
    let mut demonym = tx.prepare_cached(
        "INSERT OR IGNORE INTO demonym_mentions (article_id, field, start, \"end\", surface, country_code, day)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, substr(COALESCE(published_at, fetched_at), 1, 10) FROM articles WHERE id = ?1",
    )?;
    for d in &r.demonyms {
        demonym.execute(params![
            article_id.0,
            d.field.label(),
            d.start,
            d.end,
            d.surface,
            d.country_code
        ])?;
    }
    tx.prepare_cached("UPDATE articles SET resolver_version = ?2 WHERE id = ?1")?
        .execute(params![article_id.0, r.resolver_version])?;
    Ok(())
}

/// Replaces an article's places (after resolving its stored mentions again), in one transaction. Returns false
/// when the article no longer exists.
pub(crate) fn replace(conn: &mut Connection, article_id: ArticleId, resolved: &ResolvedPlaces) -> Result<bool> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let exists: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM articles WHERE id = ?1)",
        [article_id.0],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(false);
    }
    clear(&tx, article_id)?;
    store_entries(&tx, Some(resolved))?;
    // The one place where a mention changes in place: its place (the triggers of 0010 move its counts).
    let mut mention = tx.prepare_cached(
        "UPDATE mentions SET place_id = ?5, place_confidence = ?6
         WHERE article_id = ?1 AND field = ?2 AND start = ?3 AND \"end\" = ?4",
    )?;
    for m in &resolved.mentions {
        mention.execute(params![
            article_id.0,
            m.field.label(),
            m.start,
            m.end,
            m.geonameid,
            m.confidence
        ])?;
    }
    drop(mention);
    finish(&tx, article_id, Some(resolved))?;
    tx.commit()?;
    Ok(true)
}

/// Extracted articles matching the filter whose places were resolved by another resolver than `current` (or never),
/// with the version that did, in id order.
pub(crate) fn stale(
    conn: &Connection,
    filter: &ReprocessFilter,
    current: &str,
) -> Result<Vec<(ArticleId, Option<String>)>> {
    let mut stmt = conn.prepare(
        "SELECT id, resolver_version FROM articles
         WHERE tagger_version IS NOT NULL
           AND (resolver_version IS NULL OR resolver_version <> ?3)
           AND (?1 IS NULL OR COALESCE(published_at, fetched_at) >= ?1)
           AND (?2 IS NULL OR feed_id = ?2)
         ORDER BY id",
    )?;
    let rows = stmt.query_map(
        params![filter.since.map(time), filter.feed_id.map(|f| f.0), current],
        |r| Ok((ArticleId(r.get(0)?), r.get(1)?)),
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A stored article's place mentions and what the resolver reads besides them; `None` when it no longer exists.
pub(crate) fn mentions_of(conn: &Connection, article_id: ArticleId) -> Result<Option<StoredPlaceMentions>> {
    let Some(mut a) = conn
        .query_row(
            "SELECT COALESCE(title, ''), text, COALESCE(image_caption, ''), language, COALESCE(canonical_url, url)
             FROM articles WHERE id = ?1",
            [article_id.0],
            |r| {
                Ok(StoredPlaceMentions {
                    title: r.get(0)?,
                    text: r.get(1)?,
                    caption: r.get(2)?,
                    language: r.get(3)?,
                    url: r.get(4)?,
                    mentions: Vec::new(),
                })
            },
        )
        .optional()?
    else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT m.field, m.start, m.\"end\", m.surface FROM mentions m JOIN entities e ON e.id = m.entity_id
         WHERE m.article_id = ?1 AND e.type = 'LOC'
         ORDER BY m.field, m.start",
    )?;
    let rows = stmt.query_map([article_id.0], |r| {
        let field: String = r.get(0)?;
        Ok((field, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    for row in rows {
        let (field, start, end, surface) = row?;
        let field = match field.as_str() {
            "title" => Field::Title,
            "caption" => Field::Caption,
            _ => Field::Text,
        };
        a.mentions.push((field, start, end, surface));
    }
    Ok(Some(a))
}

/// A report's WHERE clause from its day, time, feed and type columns (built in `reports.rs` for every report).
pub(super) type Cond<'a> = &'a dyn Fn(Option<&str>, Option<&str>, Option<&str>, Option<&str>) -> String;

/// The places report: per place, its mentions and articles in the range, most mentioned first.
pub(super) fn places_report(f: &Filters, cond: Cond) -> String {
    if f.since.is_none() && f.until.is_none() && f.feed.is_none() {
        // All time, every feed: the running totals.
        return "SELECT geonameid, name, feature_class, feature_code, country_code, admin1, lat, lon, population,
                       mentions, articles,
                       (SELECT min(day) FROM article_places WHERE place_id = geonameid) AS first_day,
                       (SELECT max(day) FROM article_places WHERE place_id = geonameid) AS last_day
                FROM places
                WHERE mentions > 0
                ORDER BY mentions DESC, name, geonameid"
            .to_string();
    }
    format!(
        "SELECT p.geonameid, p.name, p.feature_class, p.feature_code, p.country_code, p.admin1, p.lat, p.lon,
                p.population, d.mentions, d.articles, d.first_day, d.last_day
         FROM (SELECT ap.place_id, sum(ap.mentions) AS mentions, count(*) AS articles, min(ap.day) AS first_day,
                      max(ap.day) AS last_day
               FROM article_places ap
               WHERE {}
               GROUP BY ap.place_id) d
         JOIN places p ON p.geonameid = d.place_id
         ORDER BY d.mentions DESC, p.name, p.geonameid",
        cond(
            Some("ap.day"),
            None,
            Some("ap.article_id IN (SELECT id FROM articles WHERE feed_id = :feed)"),
            None
        )
    )
}

/// The countries report: per country, mentions of its places, demonyms of it, and the articles with either, in the
/// range, most mentioned first.
pub(super) fn countries_report(cond: Cond) -> String {
    format!(
        "SELECT d.country_code,
                (SELECT name FROM places WHERE country_code = d.country_code AND feature_code = 'PCLI') AS country,
                d.place_mentions, d.demonym_mentions, d.place_mentions + d.demonym_mentions AS mentions,
                d.articles, d.first_day, d.last_day
         FROM (SELECT ac.country_code, sum(ac.place_mentions) AS place_mentions,
                      sum(ac.demonym_mentions) AS demonym_mentions, count(*) AS articles,
                      min(ac.day) AS first_day, max(ac.day) AS last_day
               FROM article_countries ac
               WHERE {}
               GROUP BY ac.country_code) d
         ORDER BY mentions DESC, d.country_code",
        cond(
            Some("ac.day"),
            None,
            Some("ac.article_id IN (SELECT id FROM articles WHERE feed_id = :feed)"),
            None
        )
    )
}
