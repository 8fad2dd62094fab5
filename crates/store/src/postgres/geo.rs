//! The web view's questions about places (see [`crate::geo`]) as PostgreSQL statements: `sqlite/geo.rs` in
//! PostgreSQL's words, with the same answers in the same order.

use std::collections::HashMap;

use chrono::NaiveDate;
use tokio_postgres::Row;

use super::views::{limited, summaries, PgResult, SUMMARY};
use super::Reader;
use crate::geo::{
    CountryCount, CountryDetail, CountryList, CountryView, EntityPlaces, Place, PlaceCount, ENTITY_PLACES_SAMPLE,
};
use crate::read::{capped, every_day};
use crate::Result;

/// The columns of a [`Place`], from `places p`.
const PLACE: &str = "p.geonameid, p.name, p.feature_code, p.country_code, p.admin1, p.lat, p.lon, p.population";

fn place(r: &Row, at: usize) -> PgResult<Place> {
    Ok(Place {
        geonameid: r.try_get(at)?,
        name: r.try_get(at + 1)?,
        feature_code: r.try_get(at + 2)?,
        country_code: r.try_get(at + 3)?,
        admin1: r.try_get(at + 4)?,
        lat: r.try_get(at + 5)?,
        lon: r.try_get(at + 6)?,
        population: r.try_get(at + 7)?,
    })
}

fn place_counts(rows: &[Row]) -> PgResult<Vec<PlaceCount>> {
    rows.iter()
        .map(|r| {
            Ok(PlaceCount {
                place: place(r, 0)?,
                mentions: r.try_get(8)?,
            })
        })
        .collect()
}

pub(crate) fn entity_places(db: &Reader, q: &EntityPlaces) -> Result<Vec<PlaceCount>> {
    limited(db, async |tx| {
        let rows = tx
            .query(
                &format!(
                    "WITH recent AS (
                         SELECT article_id FROM article_entities
                         WHERE entity_id = $1 AND day BETWEEN $2 AND $3
                         ORDER BY day DESC, article_id DESC LIMIT $4)
                     SELECT {PLACE}, count(*) AS n
                     FROM recent r
                     JOIN mentions m ON m.article_id = r.article_id AND m.entity_id = $1
                     JOIN places p ON p.geonameid = m.place_id
                     GROUP BY p.geonameid
                     ORDER BY n DESC, p.population DESC, p.geonameid LIMIT $5"
                ),
                &[&q.id.0, &q.from, &q.to, &ENTITY_PLACES_SAMPLE, &capped(q.limit)],
            )
            .await?;
        place_counts(&rows)
    })
}

pub(crate) fn countries(db: &Reader, q: &CountryList) -> Result<Vec<CountryCount>> {
    limited(db, async |tx| {
        let rows = tx
            .query(
                "SELECT d.country_code,
                        (SELECT name FROM places WHERE country_code = d.country_code AND feature_code = 'PCLI'
                         ORDER BY geonameid LIMIT 1),
                        d.mentions, d.articles
                 FROM (SELECT country_code, sum(place_mentions + demonym_mentions)::bigint AS mentions,
                              count(*) AS articles
                       FROM article_countries
                       WHERE day BETWEEN $1 AND $2
                       GROUP BY country_code) d
                 ORDER BY d.mentions DESC, d.country_code LIMIT $3",
                &[&q.from, &q.to, &capped(q.limit)],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(CountryCount {
                    code: r.try_get(0)?,
                    name: r.try_get(1)?,
                    mentions: r.try_get(2)?,
                    articles: r.try_get(3)?,
                })
            })
            .collect()
    })
}

pub(crate) fn country(db: &Reader, q: &CountryView) -> Result<Option<CountryDetail>> {
    let limit = capped(q.limit);
    limited(db, async |tx| {
        let country = match tx
            .query_opt(
                &format!(
                    "SELECT {PLACE} FROM places p WHERE p.country_code = $1 AND p.feature_code = 'PCLI'
                     ORDER BY p.geonameid LIMIT 1"
                ),
                &[&q.code],
            )
            .await?
        {
            Some(r) => Some(place(&r, 0)?),
            None => None,
        };
        let known: bool = country.is_some()
            || tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM article_countries WHERE country_code = $1)",
                    &[&q.code],
                )
                .await?
                .try_get(0)?;
        if !known {
            return Ok(None);
        }
        let rows = tx
            .query(
                "SELECT day, sum(place_mentions + demonym_mentions)::bigint, count(*) FROM article_countries
                 WHERE country_code = $1 AND day BETWEEN $2 AND $3 GROUP BY day",
                &[&q.code, &q.from, &q.to],
            )
            .await?;
        let mut found: HashMap<NaiveDate, (i64, i64)> = HashMap::with_capacity(rows.len());
        for r in &rows {
            found.insert(r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?));
        }
        let rows = tx
            .query(
                &format!(
                    "SELECT {PLACE}, d.mentions
                     FROM (SELECT ap.place_id, sum(ap.mentions)::bigint AS mentions FROM article_places ap
                           WHERE ap.place_id IN (SELECT geonameid FROM places WHERE country_code = $1)
                             AND ap.day BETWEEN $2 AND $3
                           GROUP BY ap.place_id) d
                     JOIN places p ON p.geonameid = d.place_id
                     ORDER BY d.mentions DESC, p.population DESC, p.geonameid LIMIT $4"
                ),
                &[&q.code, &q.from, &q.to, &limit],
            )
            .await?;
        let places = place_counts(&rows)?;
        let rows = tx
            .query(
                &format!(
                    "SELECT {SUMMARY} FROM article_countries ac
                     JOIN articles a ON a.id = ac.article_id JOIN feeds f ON f.id = a.feed_id
                     WHERE ac.country_code = $1 AND ac.day <= $2
                     ORDER BY ac.day DESC, a.published_at DESC NULLS LAST, a.id DESC LIMIT $3"
                ),
                &[&q.code, &q.to, &limit],
            )
            .await?;
        let latest = summaries(&rows)?;
        Ok(Some(CountryDetail {
            code: q.code.clone(),
            country,
            from: q.from,
            to: q.to,
            daily: every_day(q.from, q.to, &found),
            places,
            latest,
        }))
    })
}
