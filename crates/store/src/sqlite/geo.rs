//! The web view's questions about places (see [`crate::geo`]) as SQLite statements. Counts over a range read the
//! per-article place and country rows (article_places, article_countries) through their day indexes, never the
//! mentions; an entity's places read its latest articles only.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::{named_params, OptionalExtension, Row};

use super::views::{day_text, parse_day, summary, timed, SUMMARY};
use super::Reader;
use crate::geo::{
    CountryCount, CountryDetail, CountryList, CountryView, EntityPlaces, Place, PlaceCount, ENTITY_PLACES_SAMPLE,
};
use crate::read::{capped, every_day};
use crate::Result;

/// The columns of a [`Place`], from `places p`.
const PLACE: &str = "p.geonameid, p.name, p.feature_code, p.country_code, p.admin1, p.lat, p.lon, p.population";

fn place(r: &Row, at: usize) -> rusqlite::Result<Place> {
    Ok(Place {
        geonameid: r.get(at)?,
        name: r.get(at + 1)?,
        feature_code: r.get(at + 2)?,
        country_code: r.get(at + 3)?,
        admin1: r.get(at + 4)?,
        lat: r.get(at + 5)?,
        lon: r.get(at + 6)?,
        population: r.get(at + 7)?,
    })
}

fn place_count(r: &Row) -> rusqlite::Result<PlaceCount> {
    Ok(PlaceCount {
        place: place(r, 0)?,
        mentions: r.get(8)?,
    })
}

pub(crate) fn entity_places(db: &Reader, q: &EntityPlaces) -> Result<Vec<PlaceCount>> {
    // The sample is driven from article_entities(entity_id, day) newest first; each article's mentions of the
    // entity are one probe of mentions(article_id, entity_id).
    let mut stmt = db.conn.prepare_cached(&format!(
        "WITH recent AS (
             SELECT article_id FROM article_entities
             WHERE entity_id = :id AND day BETWEEN :from AND :to
             ORDER BY day DESC, article_id DESC LIMIT :sample)
         SELECT {PLACE}, count(*) AS n
         FROM recent r
         CROSS JOIN mentions m ON m.article_id = r.article_id AND m.entity_id = :id
         JOIN places p ON p.geonameid = m.place_id
         GROUP BY p.geonameid
         ORDER BY n DESC, p.population DESC, p.geonameid LIMIT :limit"
    ))?;
    let rows = stmt
        .query_map(
            named_params! {":id": q.id.0, ":from": day_text(q.from), ":to": day_text(q.to),
            ":sample": ENTITY_PLACES_SAMPLE, ":limit": capped(q.limit)},
            place_count,
        )?
        .collect::<rusqlite::Result<_>>()
        .map_err(|e| timed(db, e))?;
    Ok(rows)
}

pub(crate) fn countries(db: &Reader, q: &CountryList) -> Result<Vec<CountryCount>> {
    let mut stmt = db.conn.prepare_cached(
        "SELECT d.country_code,
                (SELECT name FROM places WHERE country_code = d.country_code AND feature_code = 'PCLI'
                 ORDER BY geonameid LIMIT 1),
                d.mentions, d.articles
         FROM (SELECT country_code, sum(place_mentions + demonym_mentions) AS mentions, count(*) AS articles
               FROM article_countries
               WHERE day BETWEEN :from AND :to
               GROUP BY country_code) d
         ORDER BY d.mentions DESC, d.country_code LIMIT :limit",
    )?;
    let rows = stmt
        .query_map(
            named_params! {":from": day_text(q.from), ":to": day_text(q.to), ":limit": capped(q.limit)},
            |r| {
                Ok(CountryCount {
                    code: r.get(0)?,
                    name: r.get(1)?,
                    mentions: r.get(2)?,
                    articles: r.get(3)?,
                })
            },
        )?
        .collect::<rusqlite::Result<_>>()
        .map_err(|e| timed(db, e))?;
    Ok(rows)
}

pub(crate) fn country(db: &Reader, q: &CountryView) -> Result<Option<CountryDetail>> {
    let (from, to, limit) = (day_text(q.from), day_text(q.to), capped(q.limit));
    let country = db
        .conn
        .query_row(
            &format!(
                "SELECT {PLACE} FROM places p WHERE p.country_code = ?1 AND p.feature_code = 'PCLI'
                 ORDER BY p.geonameid LIMIT 1"
            ),
            [&q.code],
            |r| place(r, 0),
        )
        .optional()
        .map_err(|e| timed(db, e))?;
    let known: bool = country.is_some()
        || db
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM article_countries WHERE country_code = ?1)",
                [&q.code],
                |r| r.get(0),
            )
            .map_err(|e| timed(db, e))?;
    if !known {
        return Ok(None);
    }
    let mut stmt = db.conn.prepare_cached(
        "SELECT day, sum(place_mentions + demonym_mentions), count(*) FROM article_countries
         WHERE country_code = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY day",
    )?;
    let found: HashMap<NaiveDate, (i64, i64)> = stmt
        .query_map(rusqlite::params![q.code, from, to], |r| {
            Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?)))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| timed(db, e))?
        .into_iter()
        .filter_map(|(day, counts)| Some((parse_day(&day)?, counts)))
        .collect();
    // Its places (from the places_country index), each summed over the range from article_places(place_id, day).
    let mut stmt = db.conn.prepare_cached(&format!(
        "SELECT {PLACE}, d.mentions
         FROM places p
         CROSS JOIN (SELECT ap.place_id, sum(ap.mentions) AS mentions FROM article_places ap
                     WHERE ap.place_id IN (SELECT geonameid FROM places WHERE country_code = :code)
                       AND ap.day BETWEEN :from AND :to
                     GROUP BY ap.place_id) d ON d.place_id = p.geonameid
         ORDER BY d.mentions DESC, p.population DESC, p.geonameid LIMIT :limit"
    ))?;
    let places = stmt
        .query_map(
            named_params! {":code": q.code, ":from": from, ":to": to, ":limit": limit},
            place_count,
        )?
        .collect::<rusqlite::Result<_>>()
        .map_err(|e| timed(db, e))?;
    let mut stmt = db.conn.prepare_cached(&format!(
        "SELECT {SUMMARY} FROM article_countries ac
         CROSS JOIN articles a ON a.id = ac.article_id JOIN feeds f ON f.id = a.feed_id
         WHERE ac.country_code = ?1 AND ac.day <= ?2
         ORDER BY ac.day DESC, a.published_at DESC, a.id DESC LIMIT ?3"
    ))?;
    let latest = stmt
        .query_map(rusqlite::params![q.code, to, limit], |r| summary(r, 0))?
        .collect::<rusqlite::Result<_>>()
        .map_err(|e| timed(db, e))?;
    Ok(Some(CountryDetail {
        code: q.code.clone(),
        country,
        from: q.from,
        to: q.to,
        daily: every_day(q.from, q.to, &found),
        places,
        latest,
    }))
}
