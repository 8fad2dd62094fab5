//! `gazette copy`: a SQLite archive into a PostgreSQL database, with its ids, so that every report answers the same.
//!
//! Table by table in foreign-key order, in chunks of rows, each chunk one transaction with `ON CONFLICT DO NOTHING`
//! on its key: a copy interrupted at any point is finished by running it again (rows already there are skipped). The
//! running totals are not copied: the counting triggers book the mentions as they arrive (an article's mentions
//! always in one chunk, so its 50 most mentioned named entities are paired, as Gazette's writer does), so they equal
//! a fresh count on the PostgreSQL side whatever they were on the SQLite side. So are the stories' rows and the
//! entities' story counts (the stories are copied empty, with their ids; the articles joining them recount them) and
//! the places' (the entries are copied, the mentions bring their places). Identity sequences are moved past the
//! copied ids at the end.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::OpenFlags;
use tokio_postgres::types::ToSql;

use super::PgUrl;
use crate::{Result, StoreError};

/// Rows per transaction.
const CHUNK: i64 = 2000;

/// What was copied: per table, rows read from SQLite and rows new on the PostgreSQL side.
#[derive(Debug, Clone, Default)]
pub struct CopyReport {
    pub tables: Vec<(&'static str, u64, u64)>,
}

/// One table's copy: its SQLite SELECT (ordered by `key`, with `?1` as the last key copied and `?2` the chunk size;
/// columns in the order of `insert`'s parameters) and its PostgreSQL INSERT.
struct Table {
    name: &'static str,
    select: &'static str,
    insert: &'static str,
    /// The column types of the INSERT's parameters, as read from SQLite.
    kinds: &'static [Kind],
}

#[derive(Clone, Copy)]
enum Kind {
    Int,
    Int32,
    Real,
    Bool,
    Text,
    Time,
    Json,
    Bytes,
}

const TABLES: &[Table] = &[
    Table {
        name: "feeds",
        select:
            "SELECT id, url, title, site_url, etag, last_modified, next_check_at, error_count, last_error, disabled,
                        obey_robots, created_at, enabled_at, hinted_interval_secs
                 FROM feeds WHERE id > ?1 ORDER BY id LIMIT ?2",
        insert:
            "INSERT INTO feeds (id, url, title, site_url, etag, last_modified, next_check_at, error_count, last_error,
                                    disabled, obey_robots, created_at, enabled_at, hinted_interval_secs)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, coalesce($12, now()), $13, $14)
                 ON CONFLICT DO NOTHING",
        kinds: &[
            K::Int,
            K::Text,
            K::Text,
            K::Text,
            K::Text,
            K::Text,
            K::Time,
            K::Int32,
            K::Text,
            K::Bool,
            K::Bool,
            K::Time,
            K::Time,
            K::Int,
        ],
    },
    Table {
        name: "fetches",
        select: "SELECT id, feed_id, started_at, status, bytes, duration_ms, new_items, duplicate_items, error
                 FROM fetches WHERE id > ?1 ORDER BY id LIMIT ?2",
        insert: "INSERT INTO fetches (id, feed_id, started_at, status, bytes, duration_ms, new_items, duplicate_items,
                                      error)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
        kinds: &[
            K::Int,
            K::Int,
            K::Time,
            K::Int32,
            K::Int,
            K::Int,
            K::Int,
            K::Int,
            K::Text,
        ],
    },
    Table {
        name: "page_retries",
        select: "SELECT rowid, feed_id, item_key, tries, last_error, last_tried_at, item
                 FROM (SELECT row_number() OVER (ORDER BY feed_id, item_key) AS rowid, * FROM page_retries)
                 WHERE rowid > ?1 ORDER BY rowid LIMIT ?2",
        insert: "INSERT INTO page_retries (feed_id, item_key, tries, last_error, last_tried_at, item)
                 SELECT $2, $3, $4, $5, $6, $7 WHERE $1::bigint IS NOT NULL ON CONFLICT DO NOTHING",
        kinds: &[K::Int, K::Int, K::Text, K::Int32, K::Text, K::Time, K::Text],
    },
    Table {
        name: "maintenance",
        select: "SELECT rowid, task, last_run_at FROM
                     (SELECT row_number() OVER (ORDER BY task) AS rowid, * FROM maintenance)
                 WHERE rowid > ?1 ORDER BY rowid LIMIT ?2",
        insert: "INSERT INTO maintenance (task, last_run_at) SELECT $2, $3 WHERE $1::bigint IS NOT NULL
                 ON CONFLICT DO NOTHING",
        kinds: &[K::Int, K::Text, K::Time],
    },
    Table {
        name: "tombstones",
        select: "SELECT rowid, feed_id, item_key, url, canonical_url, deleted_at FROM
                     (SELECT row_number() OVER (ORDER BY feed_id, item_key) AS rowid, * FROM tombstones)
                 WHERE rowid > ?1 ORDER BY rowid LIMIT ?2",
        insert: "INSERT INTO tombstones (feed_id, item_key, url, canonical_url, deleted_at)
                 SELECT $2, $3, $4, $5, $6 WHERE $1::bigint IS NOT NULL ON CONFLICT DO NOTHING",
        kinds: &[K::Int, K::Int, K::Text, K::Text, K::Text, K::Time],
    },
    Table {
        name: "entities",
        select: "SELECT id, type, name FROM entities WHERE id > ?1 ORDER BY id LIMIT ?2",
        insert: "INSERT INTO entities (id, type, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        kinds: &[K::Int, K::Text, K::Text],
    },
    // The entries the mentions refer to; their totals are booked as the mentions arrive.
    Table {
        name: "places",
        select: "SELECT geonameid, name, feature_class, feature_code, country_code, admin1, lat, lon, population
                 FROM places WHERE geonameid > ?1 ORDER BY geonameid LIMIT ?2",
        insert: "INSERT INTO places (geonameid, name, feature_class, feature_code, country_code, admin1, lat, lon,
                                     population)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
        kinds: &[
            K::Int,
            K::Text,
            K::Text,
            K::Text,
            K::Text,
            K::Text,
            K::Real,
            K::Real,
            K::Int,
        ],
    },
    // Stories with their ids, empty: the articles joining them recount them (the triggers of 0005).
    Table {
        name: "stories",
        select: "SELECT id FROM stories WHERE id > ?1 ORDER BY id LIMIT ?2",
        insert: "INSERT INTO stories (id, articles, sites) VALUES ($1, 0, 0) ON CONFLICT DO NOTHING",
        kinds: &[K::Int],
    },
    Table {
        name: "articles",
        select: "SELECT id, feed_id, item_key, guid, url, canonical_url, title, authors, published_at, language,
                        site_name, image_url, image_caption, description, text, html, content_hash, page_error,
                        extractor_version, tagger_version, fetched_at, published_source, updated_at, agencies,
                        image_credit, names_tagged, untagged_languages, story_id, resolver_version
                 FROM articles WHERE id > ?1 ORDER BY id LIMIT ?2",
        insert: "INSERT INTO articles (id, feed_id, item_key, guid, url, canonical_url, title, authors, published_at,
                                       language, site_name, image_url, image_caption, description, text, html,
                                       content_hash, page_error, extractor_version, tagger_version, fetched_at,
                                       published_source, updated_at, agencies, image_credit, names_tagged,
                                       untagged_languages, story_id, resolver_version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, coalesce($8::jsonb, '[]'), $9, $10, $11, $12, $13, $14, $15, $16, $17,
                         $18, $19, $20, $21, $22, $23, coalesce($24::jsonb, '[]'), $25, $26, $27::jsonb, $28, $29)
                 ON CONFLICT DO NOTHING",
        kinds: &[
            K::Int,
            K::Int,
            K::Text,
            K::Text,
            K::Text,
            K::Text,
            K::Text,
            K::Json,
            K::Time,
            K::Text,
            K::Text,
            K::Text,
            K::Text,
            K::Text,
            K::Text,
            K::Bytes,
            K::Text,
            K::Text,
            K::Text,
            K::Text,
            K::Time,
            K::Text,
            K::Time,
            K::Json,
            K::Text,
            K::Text,
            K::Json,
            K::Int,
            K::Text,
        ],
    },
    Table {
        name: "story_schemes",
        select: "SELECT id, name FROM story_schemes WHERE id > ?1 ORDER BY id LIMIT ?2",
        insert: "INSERT INTO story_schemes (id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        kinds: &[K::Int, K::Text],
    },
    Table {
        name: "story_fingerprints",
        select: "SELECT article_id, story_id, scheme_id, fingerprint FROM story_fingerprints
                 WHERE article_id > ?1 ORDER BY article_id LIMIT ?2",
        insert: "INSERT INTO story_fingerprints (article_id, story_id, scheme_id, fingerprint)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        kinds: &[K::Int, K::Int, K::Int, K::Bytes],
    },
    Table {
        name: "story_bands",
        select: "SELECT slot, band_key FROM story_bands WHERE slot > ?1 ORDER BY slot LIMIT ?2",
        insert: "INSERT INTO story_bands (slot, band_key) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        kinds: &[K::Int, K::Int],
    },
    Table {
        name: "demonym_mentions",
        select: "SELECT rowid, article_id, field, start, \"end\", surface, country_code, day FROM
                     (SELECT row_number() OVER (ORDER BY article_id, field, start) AS rowid, * FROM demonym_mentions)
                 WHERE rowid > ?1 ORDER BY rowid LIMIT ?2",
        insert: "INSERT INTO demonym_mentions (article_id, field, start, \"end\", surface, country_code, day)
                 SELECT $2, $3, $4, $5, $6, $7, $8::text::date WHERE $1::bigint IS NOT NULL ON CONFLICT DO NOTHING",
        kinds: &[K::Int, K::Int, K::Text, K::Int32, K::Int32, K::Text, K::Text, K::Text],
    },
    Table {
        name: "quotes",
        select: "SELECT id, article_id, speaker_entity_id, text, start, \"end\" FROM quotes
                 WHERE id > ?1 ORDER BY id LIMIT ?2",
        insert: "INSERT INTO quotes (id, article_id, speaker_entity_id, text, start, \"end\")
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        kinds: &[K::Int, K::Int, K::Int, K::Text, K::Int32, K::Int32],
    },
];

use Kind as K;

/// Copies the SQLite archive at `from` into the PostgreSQL database `to` (whose schema is created or upgraded
/// first). Safe to run again after an interruption.
pub fn copy_sqlite(from: &Path, to: &PgUrl) -> Result<CopyReport> {
    // Refuses a file that is not a Gazette archive at this build's schema.
    drop(crate::sqlite::Reader::open(from)?);
    let src = rusqlite::Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let pool = super::Pool::open(to, super::DEFAULT_LEASE)?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async {
        let mut conn = pool.conn().await?;
        let mut report = CopyReport::default();
        for t in TABLES {
            let (read, new) = copy_table(&src, &mut conn, t).await?;
            report.tables.push((t.name, read, new));
            tracing::info!(table = t.name, read, new, "copied");
        }
        let (read, new) = copy_mentions(&src, &mut conn).await?;
        report.tables.push(("mentions", read, new));
        for table in [
            "feeds",
            "fetches",
            "articles",
            "entities",
            "mentions",
            "quotes",
            "stories",
            "story_schemes",
        ] {
            conn.execute(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), greatest((SELECT max(id) FROM {table}), 1))"
                ),
                &[],
            )
            .await?;
        }
        Ok(report)
    })
}

/// A SQLite value as the PostgreSQL parameter of this kind.
fn param(v: rusqlite::types::ValueRef, kind: Kind) -> Result<Box<dyn ToSql + Sync + Send>> {
    use rusqlite::types::ValueRef as V;
    let text = |v: V| -> Option<String> {
        match v {
            V::Null => None,
            V::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
            V::Integer(i) => Some(i.to_string()),
            V::Real(f) => Some(f.to_string()),
            V::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
        }
    };
    let int = match v {
        V::Integer(i) => Some(i),
        V::Real(f) => Some(f as i64),
        V::Text(t) => std::str::from_utf8(t).ok().and_then(|t| t.trim().parse().ok()),
        _ => None,
    };
    Ok(match kind {
        Kind::Int => Box::new(int),
        Kind::Int32 => Box::new(int.map(|i| i as i32)),
        Kind::Real => Box::new(match v {
            V::Real(f) => Some(f),
            V::Integer(i) => Some(i as f64),
            V::Text(t) => std::str::from_utf8(t).ok().and_then(|t| t.trim().parse().ok()),
            _ => None,
        }),
        Kind::Bool => Box::new(int.map(|i| i != 0)),
        Kind::Text => Box::new(text(v)),
        // A time plain SQL spelt otherwise is kept as NULL rather than stopping the copy.
        Kind::Time => {
            Box::new(text(v).and_then(|t| DateTime::parse_from_rfc3339(&t).ok().map(|t| t.with_timezone(&Utc))))
        }
        Kind::Json => Box::new(text(v).and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())),
        Kind::Bytes => Box::new(match v {
            V::Blob(b) => Some(b.to_vec()),
            _ => None,
        }),
    })
}

async fn copy_table(src: &rusqlite::Connection, conn: &mut tokio_postgres::Client, t: &Table) -> Result<(u64, u64)> {
    let mut select = src.prepare(t.select)?;
    let (mut last, mut read, mut new) = (0i64, 0u64, 0u64);
    loop {
        let mut rows = select.query(rusqlite::params![last, CHUNK])?;
        let mut chunk: Vec<Vec<Box<dyn ToSql + Sync + Send>>> = Vec::new();
        while let Some(row) = rows.next()? {
            last = row.get(0)?;
            let mut params = Vec::with_capacity(t.kinds.len());
            for (i, kind) in t.kinds.iter().enumerate() {
                params.push(param(row.get_ref(i)?, *kind)?);
            }
            chunk.push(params);
        }
        if chunk.is_empty() {
            return Ok((read, new));
        }
        let tx = conn.transaction().await?;
        let stmt = tx.prepare(t.insert).await?;
        for params in &chunk {
            let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| &**p as &(dyn ToSql + Sync)).collect();
            new += tx.execute(&stmt, &refs).await.map_err(|e| copy_error(t.name, e))?;
        }
        tx.commit().await?;
        read += chunk.len() as u64;
    }
}

/// Mentions, article by article (chunks of whole articles, one statement per chunk, so that the counting trigger
/// sees each article's mentions together).
async fn copy_mentions(src: &rusqlite::Connection, conn: &mut tokio_postgres::Client) -> Result<(u64, u64)> {
    let mut articles =
        src.prepare("SELECT DISTINCT article_id FROM mentions WHERE article_id > ?1 ORDER BY article_id LIMIT ?2")?;
    let mut mentions = src.prepare(
        "SELECT id, article_id, entity_id, field, start, \"end\", surface, tagger_version, day, place_id,
                place_confidence
         FROM mentions
         WHERE article_id >= ?1 AND article_id <= ?2 ORDER BY article_id, id",
    )?;
    let (mut last, mut read, mut new) = (0i64, 0u64, 0u64);
    loop {
        let ids: Vec<i64> = articles
            .query_map(rusqlite::params![last, CHUNK / 50], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let (Some(&first), Some(&end)) = (ids.first(), ids.last()) else {
            return Ok((read, new));
        };
        last = end;
        #[derive(Default)]
        struct Cols {
            id: Vec<i64>,
            article: Vec<i64>,
            entity: Vec<i64>,
            field: Vec<String>,
            start: Vec<i32>,
            end: Vec<i32>,
            surface: Vec<String>,
            tagger: Vec<String>,
            day: Vec<chrono::NaiveDate>,
            place: Vec<Option<i64>>,
            confidence: Vec<Option<f64>>,
        }
        let mut c = Cols::default();
        let mut rows = mentions.query(rusqlite::params![first, end])?;
        while let Some(r) = rows.next()? {
            let day: String = r.get(8)?;
            let Ok(day) = chrono::NaiveDate::parse_from_str(day.get(..10).unwrap_or(&day), "%Y-%m-%d") else {
                continue;
            };
            c.id.push(r.get(0)?);
            c.article.push(r.get(1)?);
            c.entity.push(r.get(2)?);
            c.field.push(r.get(3)?);
            c.start.push(r.get(4)?);
            c.end.push(r.get(5)?);
            c.surface.push(r.get(6)?);
            c.tagger.push(r.get(7)?);
            c.day.push(day);
            c.place.push(r.get(9)?);
            c.confidence.push(r.get(10)?);
        }
        read += c.id.len() as u64;
        // Articles whose mentions are there already (a run interrupted after their chunk) are skipped whole: their
        // counts are booked.
        new += conn
            .execute(
                "INSERT INTO mentions (id, article_id, entity_id, field, start, \"end\", surface, tagger_version, day,
                                       place_id, place_confidence)
                 SELECT m.* FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::int[], $6::int[],
                                        $7::text[], $8::text[], $9::date[], $10::bigint[], $11::float8[])
                      AS m(id, article_id, entity_id, field, start, \"end\", surface, tagger_version, day, place_id,
                           place_confidence)
                 WHERE NOT EXISTS (SELECT 1 FROM mentions x WHERE x.article_id = m.article_id)
                 ORDER BY m.article_id, m.id",
                &[
                    &c.id,
                    &c.article,
                    &c.entity,
                    &c.field,
                    &c.start,
                    &c.end,
                    &c.surface,
                    &c.tagger,
                    &c.day,
                    &c.place,
                    &c.confidence,
                ],
            )
            .await
            .map_err(|e| copy_error("mentions", e))?;
    }
}

fn copy_error(table: &str, e: tokio_postgres::Error) -> StoreError {
    StoreError::Copy {
        table: table.to_string(),
        why: super::describe(&e),
    }
}
