//! Places (issue 19) on PostgreSQL: an article's place mentions resolved to GeoNames entries (GeoNames, CC BY 4.0),
//! its demonyms, and the places and countries reports (see the SQLite backend's `places`).
//!
//! The writer stores the entries that occur (`places`), writes each place mention with its `place_id` and
//! `place_confidence` (or sets them, when resolving stored mentions again), and writes the demonyms; the triggers of
//! migrations/postgres/0006 derive `article_places`, `article_countries` and the totals in `places` from those.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use tokio_postgres::{Client, Transaction};

use super::{at, retrying, Pool};
use crate::{ArticleId, Field, Filters, PlaceRecord, ReprocessFilter, ResolvedPlaces, Result, StoredPlaceMentions};

/// Forgets an article's places: its mentions' places and its demonyms (and their share of the counts, through the
/// triggers). Before its mentions or its day change.
pub(crate) async fn clear(tx: &Transaction<'_>, article: ArticleId) -> Result<()> {
    tx.execute(
        "UPDATE mentions SET place_id = NULL, place_confidence = NULL
         WHERE article_id = $1 AND (place_id IS NOT NULL OR place_confidence IS NOT NULL)",
        &[&article.0],
    )
    .await?;
    tx.execute("DELETE FROM demonym_mentions WHERE article_id = $1", &[&article.0])
        .await?;
    tx.execute(
        "UPDATE articles SET resolver_version = NULL WHERE id = $1 AND resolver_version IS NOT NULL",
        &[&article.0],
    )
    .await?;
    Ok(())
}

/// Stores the GeoNames entries articles' places refer to, in one statement. An entry already there keeps its country
/// (its counts depend on it) but takes the newer tables' name, coordinates and population.
pub(crate) async fn store_entries<'a>(
    tx: &Transaction<'_>,
    resolved: impl IntoIterator<Item = &'a ResolvedPlaces>,
) -> Result<()> {
    // Each entry once (a statement may not upsert one row twice), in key order (the order rows are locked in).
    let entries: BTreeMap<i64, &PlaceRecord> = resolved
        .into_iter()
        .flat_map(|r| &r.places)
        .map(|p| (p.geonameid, p))
        .collect();
    if entries.is_empty() {
        return Ok(());
    }
    let mut c = Entries::default();
    for p in entries.values() {
        c.id.push(p.geonameid);
        c.name.push(&p.name);
        c.class.push(&p.feature_class);
        c.code.push(&p.feature_code);
        c.country.push(&p.country_code);
        c.admin1.push(&p.admin1);
        c.lat.push(p.lat);
        c.lon.push(p.lon);
        c.population.push(p.population);
    }
    tx.execute(
        "INSERT INTO places AS p (geonameid, name, feature_class, feature_code, country_code, admin1, lat, lon,
                                  population)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                              $7::float8[], $8::float8[], $9::bigint[])
         ORDER BY 1
         ON CONFLICT (geonameid) DO UPDATE SET
             name = excluded.name, feature_class = excluded.feature_class, feature_code = excluded.feature_code,
             admin1 = excluded.admin1, lat = excluded.lat, lon = excluded.lon, population = excluded.population
         WHERE (p.name, p.feature_class, p.feature_code, p.admin1, p.lat, p.lon, p.population)
               IS DISTINCT FROM (excluded.name, excluded.feature_class, excluded.feature_code, excluded.admin1,
                                 excluded.lat, excluded.lon, excluded.population)",
        &[
            &c.id,
            &c.name,
            &c.class,
            &c.code,
            &c.country,
            &c.admin1,
            &c.lat,
            &c.lon,
            &c.population,
        ],
    )
    .await?;
    Ok(())
}

/// Place entries as columns (bound as arrays).
#[derive(Default)]
struct Entries<'a> {
    id: Vec<i64>,
    name: Vec<&'a str>,
    class: Vec<&'a str>,
    code: Vec<&'a str>,
    country: Vec<&'a str>,
    admin1: Vec<&'a str>,
    lat: Vec<f64>,
    lon: Vec<f64>,
    population: Vec<i64>,
}

/// Finishes writing articles' places after their mentions: their demonyms and their resolver's version, two
/// statements for any number of articles. An article without resolved places stays unresolved.
pub(crate) async fn finish(tx: &Transaction<'_>, articles: &[(ArticleId, NaiveDate, &ResolvedPlaces)]) -> Result<()> {
    if articles.is_empty() {
        return Ok(());
    }
    let mut d = Demonyms::default();
    for (id, day, r) in articles {
        for x in &r.demonyms {
            d.article.push(id.0);
            d.field.push(x.field.label());
            d.start.push(x.start as i32);
            d.end.push(x.end as i32);
            d.surface.push(&x.surface);
            d.country.push(&x.country_code);
            d.day.push(*day);
        }
    }
    if !d.article.is_empty() {
        tx.execute(
            "INSERT INTO demonym_mentions (article_id, field, start, \"end\", surface, country_code, day)
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::int[], $5::text[], $6::text[], $7::date[])
             ON CONFLICT DO NOTHING",
            &[&d.article, &d.field, &d.start, &d.end, &d.surface, &d.country, &d.day],
        )
        .await?;
    }
    let ids: Vec<i64> = articles.iter().map(|(id, _, _)| id.0).collect();
    let versions: Vec<&str> = articles.iter().map(|(_, _, r)| r.resolver_version.as_str()).collect();
    tx.execute(
        "UPDATE articles a SET resolver_version = v.version
         FROM unnest($1::bigint[], $2::text[]) AS v(id, version) WHERE a.id = v.id",
        &[&ids, &versions],
    )
    .await?;
    Ok(())
}

/// Demonyms as columns.
#[derive(Default)]
struct Demonyms<'a> {
    article: Vec<i64>,
    field: Vec<&'static str>,
    start: Vec<i32>,
    end: Vec<i32>,
    surface: Vec<&'a str>,
    country: Vec<&'a str>,
    day: Vec<NaiveDate>,
}

/// Replaces an article's places (after resolving its stored mentions again), in one transaction. Returns false when
/// the article no longer exists.
pub(crate) async fn replace(pool: &Pool, article: ArticleId, resolved: &ResolvedPlaces) -> Result<bool> {
    let mut conn = pool.conn().await?;
    retrying!(replace_in(&mut conn, article, resolved).await)
}

async fn replace_in(conn: &mut Client, article: ArticleId, resolved: &ResolvedPlaces) -> Result<bool> {
    let tx = conn.transaction().await?;
    let day: Option<NaiveDate> = tx
        .query_opt(
            "SELECT gazette_day(published_at, fetched_at) FROM articles WHERE id = $1 FOR UPDATE",
            &[&article.0],
        )
        .await?
        .map(|r| r.get(0));
    let Some(day) = day else {
        return Ok(false);
    };
    clear(&tx, article).await?;
    store_entries(&tx, [resolved]).await?;
    // The one place where a mention changes in place: its place (the triggers of 0006 move its counts). One
    // statement for all of them.
    let (mut field, mut start, mut end, mut place, mut confidence) = (vec![], vec![], vec![], vec![], vec![]);
    for m in &resolved.mentions {
        field.push(m.field.label());
        start.push(m.start as i32);
        end.push(m.end as i32);
        place.push(m.geonameid);
        confidence.push(m.confidence);
    }
    tx.execute(
        "UPDATE mentions m SET place_id = r.place, place_confidence = r.confidence
         FROM unnest($2::text[], $3::int[], $4::int[], $5::bigint[], $6::float8[])
              AS r(field, start, \"end\", place, confidence)
         WHERE m.article_id = $1 AND m.field = r.field AND m.start = r.start AND m.\"end\" = r.\"end\"",
        &[&article.0, &field, &start, &end, &place, &confidence],
    )
    .await?;
    finish(&tx, &[(article, day, resolved)]).await?;
    tx.commit().await?;
    Ok(true)
}

/// Extracted articles matching the filter whose places were resolved by another resolver than `current` (or never),
/// with the version that did, in id order.
pub(crate) async fn stale(
    pool: &Pool,
    filter: &ReprocessFilter,
    current: &str,
) -> Result<Vec<(ArticleId, Option<String>)>> {
    let conn = pool.conn().await?;
    let rows = conn
        .query(
            "SELECT id, resolver_version FROM articles
             WHERE tagger_version IS NOT NULL
               AND (resolver_version IS NULL OR resolver_version <> $3)
               AND ($1::timestamptz IS NULL OR COALESCE(published_at, fetched_at) >= $1)
               AND ($2::bigint IS NULL OR feed_id = $2)
             ORDER BY id",
            &[&filter.since.map(at), &filter.feed_id.map(|f| f.0), &current],
        )
        .await?;
    Ok(rows.iter().map(|r| (ArticleId(r.get(0)), r.get(1))).collect())
}

/// A stored article's place mentions and what the resolver reads besides them; `None` when it no longer exists.
pub(crate) async fn mentions_of(pool: &Pool, article: ArticleId) -> Result<Option<StoredPlaceMentions>> {
    let conn = pool.conn().await?;
    let Some(row) = conn
        .query_opt(
            "SELECT COALESCE(title, ''), text, COALESCE(image_caption, ''), language, COALESCE(canonical_url, url)
             FROM articles WHERE id = $1",
            &[&article.0],
        )
        .await?
    else {
        return Ok(None);
    };
    let mut a = StoredPlaceMentions {
        title: row.get(0),
        text: row.get(1),
        caption: row.get(2),
        language: row.get(3),
        url: row.get(4),
        mentions: Vec::new(),
    };
    let rows = conn
        .query(
            "SELECT m.field, m.start, m.\"end\", m.surface FROM mentions m JOIN entities e ON e.id = m.entity_id
             WHERE m.article_id = $1 AND e.type = 'LOC'
             ORDER BY m.field, m.start",
            &[&article.0],
        )
        .await?;
    for r in rows {
        let field = match r.get::<_, &str>(0) {
            "title" => Field::Title,
            "caption" => Field::Caption,
            _ => Field::Text,
        };
        let (start, end): (i32, i32) = (r.get(1), r.get(2));
        a.mentions.push((field, start.into(), end.into(), r.get(3)));
    }
    Ok(Some(a))
}

/// A report's WHERE clause from its day, time, feed and type columns (built in `reports.rs` for every report).
pub(super) type Cond<'a> = &'a dyn Fn(Option<&str>, Option<&str>, Option<&str>, Option<&str>) -> String;

/// The places report: per place, its mentions and articles in the range, most mentioned first (the SQLite
/// backend's statement).
pub(super) fn places_report(f: &Filters, cond: Cond) -> String {
    if f.since.is_none() && f.until.is_none() && f.feed.is_none() {
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

/// The countries report: per country, mentions of its places, demonyms of it, and the articles with either.
pub(super) fn countries_report(cond: Cond) -> String {
    format!(
        "SELECT d.country_code,
                (SELECT name FROM places WHERE country_code = d.country_code AND feature_code = 'PCLI'
                 ORDER BY geonameid LIMIT 1) AS country,
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
