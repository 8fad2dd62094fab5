//! Loads the synthetic archive into a PostgreSQL database through Gazette's own schema and counting triggers: a
//! day's articles, mentions, demonyms and quotes are one transaction, each table one multi-row statement, so the
//! statement-level triggers count the day set-based (the totals, per-day pairs, stories and places are exactly what
//! the daemon's writes would leave). Every article is a story of its own, as on SQLite. The load resumes after the
//! last whole day already there; a VACUUM ANALYZE ends it, as after any bulk load.

use gazette_store::postgres::PgUrl;
use tokio_postgres::Client;

use crate::synthetic::{self, Synthetic, ENTITIES, FEEDS, FETCHES_PER_FEED};

/// Connects to the database `url` names (with Gazette's own connection code: its TLS modes and password sources),
/// creating it first, from the server's `postgres` database, when it is missing.
pub async fn connect(url: &PgUrl) -> Client {
    let name = url
        .dbname()
        .expect("GAZETTE_BENCH_POSTGRES names a database")
        .to_string();
    let admin = url
        .with_dbname("postgres")
        .connect()
        .await
        .expect("the server's postgres database");
    let exists = admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await
        .unwrap()
        .is_some();
    if !exists {
        admin
            .batch_execute(&format!("CREATE DATABASE \"{}\"", name.replace('"', "\"\"")))
            .await
            .expect("create the bench database");
    }
    url.connect().await.expect("the bench database")
}

/// Articles already there.
pub async fn articles(client: &Client) -> i64 {
    client
        .query_one("SELECT count(*) FROM articles", &[])
        .await
        .unwrap()
        .get(0)
}

pub async fn load(client: &mut Client, data: &mut Synthetic) {
    let places = data.places();
    let tx = client.transaction().await.unwrap();
    let feeds: Vec<i64> = (1..=FEEDS).collect();
    tx.execute(
        "INSERT INTO feeds (id, url, title)
         SELECT f, 'https://news' || f || '.example/feed', 'News ' || f FROM unnest($1::bigint[]) f
         ON CONFLICT DO NOTHING",
        &[&feeds],
    )
    .await
    .unwrap();
    if tx
        .query_one("SELECT count(*) FROM fetches", &[])
        .await
        .unwrap()
        .get::<_, i64>(0)
        == 0
    {
        tx.execute(
            "INSERT INTO fetches (feed_id, started_at, status, bytes, duration_ms)
             SELECT f, ($2 || 'T' || lpad(k::text, 2, '0') || ':00:00Z')::timestamptz, 200, 1000, 50
             FROM unnest($1::bigint[]) f, generate_series(0, $3::bigint - 1) k ORDER BY f, k",
            &[&feeds, &data.day(synthetic::DAYS - 1), &FETCHES_PER_FEED],
        )
        .await
        .unwrap();
    }
    let entities: Vec<i64> = (1..=ENTITIES).collect();
    let types: Vec<&str> = entities.iter().map(|e| synthetic::entity_type(*e)).collect();
    let names: Vec<String> = entities.iter().map(|e| Synthetic::entity_name(*e)).collect();
    tx.execute(
        "INSERT INTO entities (id, type, name) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[])
         ON CONFLICT DO NOTHING",
        &[&entities, &types, &names],
    )
    .await
    .unwrap();
    let col = |f: fn(&synthetic::Place) -> String| places.iter().map(f).collect::<Vec<String>>();
    let ids: Vec<i64> = places.iter().map(|p| p.geonameid).collect();
    let lat: Vec<f64> = places.iter().map(|p| p.lat).collect();
    let lon: Vec<f64> = places.iter().map(|p| p.lon).collect();
    let population: Vec<i64> = places.iter().map(|p| p.population).collect();
    tx.execute(
        "INSERT INTO places (geonameid, name, feature_class, feature_code, country_code, admin1, lat, lon, population)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                              $7::float8[], $8::float8[], $9::bigint[])
         ON CONFLICT DO NOTHING",
        &[
            &ids,
            &col(|p| p.name.clone()),
            &col(|p| p.feature_class.to_string()),
            &col(|p| p.feature_code.to_string()),
            &col(|p| p.country_code.clone()),
            &col(|p| p.admin1.to_string()),
            &lat,
            &lon,
            &population,
        ],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let have: i64 = client
        .query_one("SELECT coalesce(max(id), 0) FROM articles", &[])
        .await
        .unwrap()
        .get(0);
    let started = std::time::Instant::now();
    let mut spent = [0.0; 6];
    while let Some(day) = data.next_day() {
        let last = day.articles.last().map_or(0, |a| a.id);
        if last <= have {
            continue;
        }
        store_day(client, &day, &mut spent).await;
        if last % 100_000 < day.articles.len() as i64 {
            eprintln!(
                "  PostgreSQL: {last} articles after {:.0} s",
                started.elapsed().as_secs_f64()
            );
        }
    }
    eprintln!("  PostgreSQL: seconds in stories, articles, mentions, demonyms, quotes, commit: {spent:.1?}");
    client
        .batch_execute(
            "SELECT setval(pg_get_serial_sequence(t, 'id'), greatest((SELECT max(id) FROM articles), 1))
             FROM unnest(ARRAY['articles', 'stories']) t;
             SELECT setval(pg_get_serial_sequence('mentions', 'id'), greatest((SELECT max(id) FROM mentions), 1));
             SELECT setval(pg_get_serial_sequence('quotes', 'id'), greatest((SELECT max(id) FROM quotes), 1));
             SELECT setval(pg_get_serial_sequence('entities', 'id'), greatest((SELECT max(id) FROM entities), 1));
             SELECT setval(pg_get_serial_sequence('feeds', 'id'), greatest((SELECT max(id) FROM feeds), 1));",
        )
        .await
        .unwrap();
    client.batch_execute("VACUUM ANALYZE").await.unwrap();
}

async fn store_day(client: &mut Client, day: &synthetic::Day, spent: &mut [f64; 6]) {
    let mut clock = std::time::Instant::now();
    let mut lap = |i: usize| {
        spent[i] += clock.elapsed().as_secs_f64();
        clock = std::time::Instant::now();
    };
    let tx = client.transaction().await.unwrap();
    let a = &day.articles;
    let ids: Vec<i64> = a.iter().map(|a| a.id).collect();
    let feed: Vec<i64> = a.iter().map(|a| a.feed_id).collect();
    let text = |f: fn(&synthetic::Article) -> &str| a.iter().map(f).collect::<Vec<&str>>();
    tx.execute(
        "INSERT INTO stories (id, articles, sites) SELECT s, 0, 0 FROM unnest($1::bigint[]) s",
        &[&ids],
    )
    .await
    .unwrap();
    lap(0);
    tx.execute(
        "INSERT INTO articles (id, feed_id, item_key, url, title, published_at, language, text, fetched_at, story_id)
         SELECT id, feed, key, url, title, published::timestamptz, 'en', body, published::timestamptz, id
         FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
              AS a(id, feed, key, url, title, published, body)",
        &[
            &ids,
            &feed,
            &text(|a| &a.item_key),
            &text(|a| &a.url),
            &text(|a| &a.title),
            &text(|a| &a.published_at),
            &text(|a| &a.text),
        ],
    )
    .await
    .unwrap();
    lap(1);
    let m = &day.mentions;
    let article: Vec<i64> = m.iter().map(|m| m.article_id).collect();
    let entity: Vec<i64> = m.iter().map(|m| m.entity_id).collect();
    let start: Vec<i32> = m.iter().map(|m| m.start as i32).collect();
    let end: Vec<i32> = m.iter().map(|m| m.end as i32).collect();
    let surface: Vec<&str> = m.iter().map(|m| m.surface.as_str()).collect();
    let mention_day: Vec<&str> = m.iter().map(|m| m.day.as_str()).collect();
    let place: Vec<Option<i64>> = m.iter().map(|m| m.place_id).collect();
    tx.execute(
        "INSERT INTO mentions (article_id, entity_id, field, start, \"end\", surface, tagger_version, day, place_id,
                               place_confidence)
         SELECT article, entity, 'text', s, e, surface, 'bench', day::date, place,
                CASE WHEN place IS NULL THEN NULL ELSE 0.9 END
         FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::int[], $5::text[], $6::text[], $7::bigint[])
              AS m(article, entity, s, e, surface, day, place)",
        &[&article, &entity, &start, &end, &surface, &mention_day, &place],
    )
    .await
    .unwrap();
    lap(2);
    let d = &day.demonyms;
    let article: Vec<i64> = d.iter().map(|d| d.article_id).collect();
    let country: Vec<&str> = d.iter().map(|d| d.country_code.as_str()).collect();
    let demonym_day: Vec<&str> = d.iter().map(|d| d.day.as_str()).collect();
    tx.execute(
        "INSERT INTO demonym_mentions (article_id, field, start, \"end\", surface, country_code, day)
         SELECT article, 'text', 1000, 1006, 'People', country, day::date
         FROM unnest($1::bigint[], $2::text[], $3::text[]) AS d(article, country, day)",
        &[&article, &country, &demonym_day],
    )
    .await
    .unwrap();
    lap(3);
    let q = &day.quotes;
    let article: Vec<i64> = q.iter().map(|q| q.article_id).collect();
    let speaker: Vec<i64> = q.iter().map(|q| q.speaker_entity_id).collect();
    let quote: Vec<&str> = q.iter().map(|q| q.text).collect();
    tx.execute(
        "INSERT INTO quotes (article_id, speaker_entity_id, text, start, \"end\")
         SELECT article, speaker, text, 0, 20 FROM unnest($1::bigint[], $2::bigint[], $3::text[])
              AS q(article, speaker, text)",
        &[&article, &speaker, &quote],
    )
    .await
    .unwrap();
    lap(4);
    tx.commit().await.unwrap();
    lap(5);
}
