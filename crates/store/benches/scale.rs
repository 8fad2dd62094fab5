//! Scale benchmark for the database as an interface: builds a database of 1,000,000 articles and 20,000,000 mentions
//! (override with GAZETTE_BENCH_ARTICLES and GAZETTE_BENCH_MENTIONS_PER_ARTICLE; a sixth of the mentions are places
//! resolved to 20,000 entries in 200 countries, and every other article names a demonym), then times every view and
//! every report filtered to one week, as users run them.
//!
//! `cargo bench -p gazette-store --bench scale` (GAZETTE_BENCH_DB=path keeps and reuses the database;
//! GAZETTE_BENCH_LAST_DAY=YYYY-MM-DD sets the week's last day, GAZETTE_BENCH_ONLY=text times only the queries whose
//! name contains it, GAZETTE_BENCH_EXPLAIN=1 prints the reports' query plans).
//! Generation bulk-loads with the secondary indexes and counting triggers dropped, then recreates them from the
//! schema's own SQL, as any bulk loader would; a day of articles (and then of their counts) per transaction, so that
//! the write-ahead log stays small (1M articles: 20 minutes on two shared cores, 11 GB, a write-ahead log under
//! 400 MB).

use std::path::PathBuf;
use std::time::Instant;

use gazette_store::{Archive, Cell, Filters, Report, RowSink};
use rusqlite::{params, Connection};

const DAYS: i64 = 365;
const FEEDS: i64 = 200;
const ENTITIES: i64 = 200_000;
const TYPES: [&str; 6] = ["PER", "ORG", "LOC", "MISC", "DATE", "CARDINAL"];
/// GeoNames entries the LOC entities resolve to, in COUNTRIES countries (whose own entries are added too).
const PLACES: i64 = 20_000;
const COUNTRIES: i64 = 200;

fn env_num(name: &str, default: i64) -> i64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    // `cargo test --benches` runs this with --bench absent; only run the heavy work under `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let articles = env_num("GAZETTE_BENCH_ARTICLES", 1_000_000);
    let per_article = env_num("GAZETTE_BENCH_MENTIONS_PER_ARTICLE", 20);
    let (path, _keep) = match std::env::var("GAZETTE_BENCH_DB") {
        Ok(p) => (PathBuf::from(p), None),
        Err(_) => {
            let dir = tempfile::tempdir().expect("temp dir");
            (dir.path().join("scale.db"), Some(dir))
        }
    };
    // Opening an archive made by an older build migrates it: time that too.
    let opening = Instant::now();
    gazette_store::sqlite::migrate_file_to(&path, gazette_store::sqlite::schema::LATEST).expect("open");
    // The generator writes the file directly, as any bulk loader would, with Gazette's connection settings.
    let mut conn = Connection::open(&path).expect("open");
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON")
        .unwrap();
    println!("opened (and migrated) in {:.1} s", opening.elapsed().as_secs_f64());
    let have: i64 = conn
        .query_row("SELECT count(*) FROM articles", [], |r| r.get(0))
        .unwrap();
    if have < articles {
        let t = Instant::now();
        generate(&mut conn, articles, per_article);
        println!(
            "generated {articles} articles, {} mentions in {:.1} s",
            articles * per_article,
            t.elapsed().as_secs_f64()
        );
    }
    let size: i64 = conn
        .query_row(
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
            [],
            |r| r.get(0),
        )
        .unwrap();
    println!("database {} ({:.0} MiB)", path.display(), size as f64 / 1048576.0);
    drop(conn);

    // Views are read as any SQLite client reads them; reports through the store's read side.
    let conn = Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open read-only");
    let archive = Archive::open_sqlite(&path).expect("open read-only");
    // The week ends with the generated year's last day, or GAZETTE_BENCH_LAST_DAY (YYYY-MM-DD, inclusive) for a
    // database generated on another day.
    let last_day = std::env::var("GAZETTE_BENCH_LAST_DAY").unwrap_or_else(|_| day(DAYS - 1));
    let last = chrono::NaiveDate::parse_from_str(&last_day, "%Y-%m-%d").expect("GAZETTE_BENCH_LAST_DAY");
    let week_start = (last - chrono::Duration::days(6)).format("%Y-%m-%d").to_string();
    let week_end = (last + chrono::Duration::days(1)).format("%Y-%m-%d").to_string();
    let since = format!("{week_start}T00:00:00Z");
    let until = format!("{week_end}T00:00:00Z");
    let time = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc();
    let top_name: String = conn
        .query_row("SELECT name FROM entities WHERE id = 1", [], |r| r.get(0))
        .unwrap();
    println!("\none week: {week_start} .. {week_end} (exclusive); popular entity: {top_name}\n");
    println!("{:<70} {:>10} {:>10} {:>10}", "query", "rows", "seconds", "CPU s");
    let views: Vec<(String, String)> = vec![
        ("v_articles, one week".into(), format!("SELECT * FROM v_articles WHERE published_at >= '{since}' AND published_at < '{until}'")),
        ("v_entity_counts, top 100 all time".into(), "SELECT * FROM v_entity_counts ORDER BY mentions DESC LIMIT 100".into()),
        ("v_entity_counts, one entity".into(), format!("SELECT * FROM v_entity_counts WHERE name = '{top_name}'")),
        ("v_entity_daily, one week".into(), format!("SELECT * FROM v_entity_daily WHERE day >= '{week_start}' AND day < '{week_end}'")),
        ("v_entity_daily, top 20 people of one week".into(), format!("SELECT name, sum(mentions) AS n FROM v_entity_daily WHERE type = 'PER' AND day >= '{week_start}' AND day < '{week_end}' GROUP BY entity_id ORDER BY n DESC LIMIT 20")),
        ("v_entity_daily, top 20 people of one week by stories".into(), format!("SELECT name, sum(stories) AS n FROM v_entity_daily WHERE type = 'PER' AND day >= '{week_start}' AND day < '{week_end}' GROUP BY entity_id ORDER BY n DESC LIMIT 20")),
        ("v_stories, one day, most sites first".into(), format!("SELECT * FROM v_stories WHERE first_published_at >= '{last_day}' ORDER BY sites DESC LIMIT 20")),
        ("v_entity_daily, one entity, one week".into(), format!("SELECT * FROM v_entity_daily WHERE name = '{top_name}' AND day >= '{week_start}' AND day < '{week_end}'")),
        ("v_cooccurrence, one entity's partners, one week".into(), format!("SELECT entity2, sum(articles) AS n FROM v_cooccurrence WHERE entity1 = '{top_name}' AND day >= '{week_start}' AND day < '{week_end}' GROUP BY entity2_id ORDER BY n DESC LIMIT 50")),
        ("v_cooccurrence, one day".into(), format!("SELECT * FROM v_cooccurrence WHERE day = '{last_day}'")),
        ("v_cooccurrence, one week, top 100 pairs".into(), format!("SELECT entity1, entity2, sum(articles) AS n FROM v_cooccurrence WHERE day >= '{week_start}' AND day < '{week_end}' AND entity1_id < entity2_id GROUP BY entity1_id, entity2_id ORDER BY n DESC LIMIT 100")),
        ("v_cooccurrence, one week, top 100 person-organisation pairs".into(), format!("SELECT entity1, entity2, sum(articles) AS n FROM v_cooccurrence WHERE day >= '{week_start}' AND day < '{week_end}' AND entity1_type = 'PER' AND entity2_type = 'ORG' GROUP BY entity1_id, entity2_id ORDER BY n DESC LIMIT 100")),
        ("v_place_counts, top 100 all time".into(), "SELECT * FROM v_place_counts ORDER BY mentions DESC LIMIT 100".into()),
        ("v_place_daily, one week".into(), format!("SELECT * FROM v_place_daily WHERE day >= '{week_start}' AND day < '{week_end}'")),
        ("v_place_daily, top 20 places of one week".into(), format!("SELECT name, sum(mentions) AS n FROM v_place_daily WHERE day >= '{week_start}' AND day < '{week_end}' GROUP BY geonameid ORDER BY n DESC LIMIT 20")),
        ("v_place_daily, one place, one week".into(), format!("SELECT * FROM v_place_daily WHERE geonameid = 1 AND day >= '{week_start}' AND day < '{week_end}'")),
        ("v_place_daily, one place, all time".into(), "SELECT * FROM v_place_daily WHERE geonameid = 1".into()),
        ("v_country_daily, one week".into(), format!("SELECT * FROM v_country_daily WHERE day >= '{week_start}' AND day < '{week_end}'")),
        ("v_country_daily, top 20 countries of one week".into(), format!("SELECT country, sum(mentions) AS n, sum(articles) FROM v_country_daily WHERE day >= '{week_start}' AND day < '{week_end}' GROUP BY country_code ORDER BY n DESC LIMIT 20")),
        ("v_country_daily, one country, one week".into(), format!("SELECT * FROM v_country_daily WHERE country_code = 'C1' AND day >= '{week_start}' AND day < '{week_end}'")),
        ("v_country_daily, one country, all time".into(), "SELECT * FROM v_country_daily WHERE country_code = 'C1'".into()),
        ("v_quotes, one week".into(), format!("SELECT * FROM v_quotes WHERE published_at >= '{since}' AND published_at < '{until}'")),
        ("v_feed_health".into(), "SELECT * FROM v_feed_health".into()),
        ("full-text search, top 20".into(), "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'ministry' ORDER BY rank LIMIT 20".into()),
    ];
    for (name, sql) in views {
        if std::env::var_os("GAZETTE_BENCH_ONLY").is_some_and(|only| !name.contains(&*only.to_string_lossy())) {
            continue;
        }
        let (t, cpu) = (Instant::now(), cpu_seconds());
        let mut stmt = conn.prepare(&sql).unwrap();
        let n = stmt.query_map([], |_| Ok(())).unwrap().count();
        print_timing(&name, n as u64, t, cpu);
    }
    let filters = Filters {
        since: Some(time(&since)),
        until: Some(time(&until)),
        ..Default::default()
    };
    let top = |n| Filters {
        limit: Some(n),
        ..filters.clone()
    };
    let mut reports: Vec<(String, Report, Filters)> = Report::ALL
        .iter()
        .map(|r| (format!("export {}, one week", r.name()), *r, filters.clone()))
        .collect();
    for r in [Report::Entities, Report::Timeline] {
        reports.push((
            format!("export {} --by story, one week", r.name()),
            r,
            Filters {
                by: gazette_store::CountBy::Stories,
                ..filters.clone()
            },
        ));
    }
    reports.push((
        "export cooccurrence, one week, top 100 pairs".into(),
        Report::Cooccurrence,
        top(100),
    ));
    reports.push((
        "export cooccurrence, one week, top 1000 pairs".into(),
        Report::Cooccurrence,
        top(1000),
    ));
    reports.push((
        "export cooccurrence, one day, top 100 pairs".into(),
        Report::Cooccurrence,
        Filters {
            since: Some(time(&format!("{last_day}T00:00:00Z"))),
            until: Some(time(&format!("{week_end}T00:00:00Z"))),
            limit: Some(100),
            ..Default::default()
        },
    ));
    for (name, report, filters) in reports {
        if std::env::var_os("GAZETTE_BENCH_EXPLAIN").is_some() {
            for line in archive.report_plan(report, &filters).unwrap() {
                println!("    {line}");
            }
        }
        if std::env::var_os("GAZETTE_BENCH_ONLY").is_some_and(|only| !name.contains(&*only.to_string_lossy())) {
            continue;
        }
        let (t, cpu) = (Instant::now(), cpu_seconds());
        let mut sink = Count(0);
        archive.report(report, &filters, &mut sink).unwrap();
        print_timing(&name, sink.0, t, cpu);
    }
}

fn print_timing(name: &str, rows: u64, started: Instant, cpu: f64) {
    println!(
        "{name:<70} {rows:>10} {:>10.3} {:>10.3}",
        started.elapsed().as_secs_f64(),
        cpu_seconds() - cpu
    );
}

/// This process's CPU time (user + system), from /proc (0 elsewhere): wall times suffer on a shared machine.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let rest = &stat[stat.rfind(')').map_or(0, |i| i + 2)..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    (f[11].parse::<f64>().unwrap_or(0.0) + f[12].parse::<f64>().unwrap_or(0.0)) / 100.0
}

struct Count(u64);

impl RowSink for Count {
    fn header(&mut self, _: &[String]) -> std::io::Result<()> {
        Ok(())
    }
    fn row(&mut self, _: &[Cell]) -> std::io::Result<()> {
        self.0 += 1;
        Ok(())
    }
}

/// Day `offset` of the generated year, which ends today (so "last 7 days" queries see data).
fn day(offset: i64) -> String {
    (chrono::Utc::now().date_naive() - chrono::Duration::days(DAYS) + chrono::Duration::days(offset))
        .format("%Y-%m-%d")
        .to_string()
}

/// A popularity skew: a few entities are everywhere, most are rare.
fn skewed(rng: &mut fastrand::Rng, n: i64) -> i64 {
    let u = rng.f64();
    1 + ((u * u * u) * n as f64) as i64 % n
}

fn generate(conn: &mut Connection, articles: i64, per_article: i64) {
    let mut dropped: Vec<(String, String)> = {
        let mut stmt = conn
            .prepare(
                "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL AND (
                   (type = 'index' AND tbl_name IN ('mentions', 'quotes', 'articles', 'article_entities',
                                                    'article_places', 'article_countries'))
                   OR (type = 'trigger' AND name IN ('mentions_count_insert', 'articles_fts_insert',
                                                     'mentions_place_insert', 'demonym_mentions_insert',
                                                     'articles_story_insert', 'article_entities_stories_insert')))",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    // Each day's articles are their own transaction, and so is each step after them: one transaction of the whole
    // archive grows a write-ahead log as large as the archive (it no longer fit on the disk at 1M articles).
    let tx = conn.transaction().unwrap();
    for (name, sql) in &dropped {
        let kind = if sql.starts_with("CREATE TRIGGER") {
            "TRIGGER"
        } else {
            "INDEX"
        };
        tx.execute_batch(&format!("DROP {kind} {name}")).unwrap();
    }
    let mut rng = fastrand::Rng::with_seed(7);
    for f in 1..=FEEDS {
        tx.execute(
            "INSERT INTO feeds (id, url, title) VALUES (?1, ?2, ?3)",
            params![f, format!("https://news{f}.example/feed"), format!("News {f}")],
        )
        .unwrap();
        for k in 0..10 {
            tx.execute(
                "INSERT INTO fetches (feed_id, started_at, status, bytes, duration_ms) VALUES (?1, ?2, 200, 1000, 50)",
                params![f, format!("{}T{:02}:00:00Z", day(DAYS - 1), k)],
            )
            .unwrap();
        }
    }
    {
        let mut ins = tx
            .prepare("INSERT INTO entities (id, type, name) VALUES (?1, ?2, ?3)")
            .unwrap();
        for e in 1..=ENTITIES {
            ins.execute(params![e, TYPES[(e % 6) as usize], format!("Entity {e}")])
                .unwrap();
        }
    }
    {
        // Places: PLACES towns spread over COUNTRIES countries (codes C0, C1, ...), each country with its own entry.
        let mut ins = tx
            .prepare(
                "INSERT INTO places (geonameid, name, feature_class, feature_code, country_code, admin1, lat, lon,
                                     population)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .unwrap();
        for c in 0..COUNTRIES {
            ins.execute(params![
                1_000_000 + c,
                format!("Country {c}"),
                "A",
                "PCLI",
                format!("C{c}"),
                "",
                0.0,
                0.0,
                1_000_000
            ])
            .unwrap();
        }
        for p in 1..=PLACES {
            let (lat, lon) = (rng.f64() * 140.0 - 70.0, rng.f64() * 360.0 - 180.0);
            ins.execute(params![
                p,
                format!("Town {p}"),
                "P",
                "PPL",
                format!("C{}", p % COUNTRIES),
                "01",
                lat,
                lon,
                10_000
            ])
            .unwrap();
        }
    }
    tx.commit().unwrap();
    // The articles of day `d` are `days[d]..days[d + 1]` (article `a` is published on day `a * DAYS / articles`).
    let days: Vec<i64> = (0..=DAYS + 1)
        .map(|d| ((d * articles + DAYS - 1) / DAYS).clamp(1, articles + 1))
        .collect();
    let words = [
        "ministry", "talks", "security", "election", "market", "storm", "court", "deal",
    ];
    for chunk in days.windows(2) {
        let tx = conn.transaction().unwrap();
        let mut art = tx
            .prepare(
                "INSERT INTO articles (id, feed_id, item_key, url, title, published_at, language, text, fetched_at,
                                       story_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'en', ?7, ?6, ?1)",
            )
            .unwrap();
        // A LOC entity resolves to a place (the popular ones to distinct places); every other article names a
        // demonym.
        let mut men = tx
            .prepare(
                "INSERT INTO mentions (article_id, entity_id, field, start, \"end\", surface, tagger_version, day,
                                       place_id, place_confidence)
                 VALUES (?1, ?2, 'text', ?3, ?4, ?5, 'bench', ?6, ?7, CASE WHEN ?7 IS NULL THEN NULL ELSE 0.9 END)",
            )
            .unwrap();
        let mut dem = tx
            .prepare(
                "INSERT INTO demonym_mentions (article_id, field, start, \"end\", surface, country_code, day)
                 VALUES (?1, 'text', 1000, 1006, 'People', ?2, ?3)",
            )
            .unwrap();
        let mut quo = tx
            .prepare(
                "INSERT INTO quotes (article_id, speaker_entity_id, text, start, \"end\") VALUES (?1, ?2, ?3, 0, 20)",
            )
            .unwrap();
        for a in chunk[0]..chunk[1] {
            let d = a * DAYS / articles;
            let published = format!("{}T{:02}:{:02}:00Z", day(d), rng.i64(0..24), rng.i64(0..60));
            let w = words[rng.usize(0..words.len())];
            let text =
                format!("Article {a} about the {w}. It mentions several people and places.\n\nA second paragraph.");
            art.execute(params![
                a,
                1 + a % FEEDS,
                format!("k{a}"),
                format!("https://news.example/a/{a}"),
                format!("Story {a} on {w}"),
                published,
                text
            ])
            .unwrap();
            for m in 0..per_article {
                let e = skewed(&mut rng, ENTITIES);
                let place = (TYPES[(e % 6) as usize] == "LOC").then_some(1 + (e / 6) % PLACES);
                men.execute(params![
                    a,
                    e,
                    m * 10,
                    m * 10 + 8,
                    format!("Entity {e}"),
                    &published[..10],
                    place
                ])
                .unwrap();
            }
            if a % 2 == 1 {
                let country = format!("C{}", skewed(&mut rng, COUNTRIES) - 1);
                dem.execute(params![a, country, &published[..10]]).unwrap();
            }
            if a % 2 == 0 {
                quo.execute(params![a, skewed(&mut rng, ENTITIES), "We will keep talking."])
                    .unwrap();
            }
        }
        drop((art, men, dem, quo));
        tx.commit().unwrap();
    }
    // Every article a story of its own (as an archive upgraded to stories is before `gazette reprocess`).
    conn.execute_batch(
        "INSERT INTO stories (id, first_article_id, first_seen_at, first_published_at, articles, sites, last_update)
         SELECT id, id, fetched_at, published_at, 1, 1, published_at FROM articles;
         INSERT INTO story_sites (story_id, site, articles) SELECT id, site_host, 1 FROM articles;",
    )
    .unwrap();
    let stories_trigger = dropped
        .iter()
        .position(|(name, _)| name == "article_entities_stories_insert")
        .map(|i| dropped.remove(i));
    for (_, sql) in &dropped {
        conn.execute_batch(sql).unwrap();
    }
    conn.execute_batch(
        "INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
         DELETE FROM article_entities; DELETE FROM entity_days; DELETE FROM article_places;
         DELETE FROM article_countries;",
    )
    .unwrap();
    // Each day's counts from its own articles, a day at a time. The pairs (entity_pair_days) are counted by
    // article_entities' insert trigger as its rows go in.
    for chunk in days.windows(2) {
        let (first, last) = (chunk[0], chunk[1] - 1);
        if first > last {
            continue;
        }
        let tx = conn.transaction().unwrap();
        tx.execute_batch(&format!(
            "INSERT INTO article_entities (article_id, entity_id, day, mentions)
             SELECT article_id, entity_id, day, count(*) FROM mentions WHERE article_id BETWEEN {first} AND {last}
             GROUP BY article_id, entity_id;
             INSERT INTO entity_days (entity_id, day, mentions, articles, stories)
             SELECT entity_id, day, sum(mentions), count(*), count(*)
             FROM article_entities WHERE article_id BETWEEN {first} AND {last} GROUP BY entity_id, day;
             INSERT INTO story_entity_days (story_id, entity_id, day, articles)
             SELECT article_id, entity_id, day, 1 FROM article_entities WHERE article_id BETWEEN {first} AND {last};
             INSERT INTO article_places (article_id, place_id, day, mentions)
             SELECT article_id, place_id, day, count(*) FROM mentions
             WHERE place_id IS NOT NULL AND article_id BETWEEN {first} AND {last}
             GROUP BY article_id, place_id;
             INSERT INTO article_countries (article_id, country_code, day, place_mentions, demonym_mentions)
             SELECT article_id, country_code, day, sum(p), sum(d) FROM (
                 SELECT ap.article_id, pl.country_code, ap.day, ap.mentions AS p, 0 AS d
                 FROM article_places ap JOIN places pl ON pl.geonameid = ap.place_id
                 WHERE ap.article_id BETWEEN {first} AND {last}
                 UNION ALL
                 SELECT article_id, country_code, day, 0, 1 FROM demonym_mentions
                 WHERE article_id BETWEEN {first} AND {last})
             GROUP BY article_id, country_code;"
        ))
        .unwrap();
        tx.commit().unwrap();
    }
    let tx = conn.transaction().unwrap();
    tx.execute_batch(
        "UPDATE entities SET
             mentions = (SELECT coalesce(sum(mentions), 0) FROM entity_days WHERE entity_id = entities.id),
             articles = (SELECT coalesce(sum(articles), 0) FROM entity_days WHERE entity_id = entities.id),
             stories = (SELECT coalesce(sum(stories), 0) FROM entity_days WHERE entity_id = entities.id);
         UPDATE places SET
             mentions = (SELECT coalesce(sum(mentions), 0) FROM article_places WHERE place_id = geonameid),
             articles = (SELECT count(*) FROM article_places WHERE place_id = geonameid);",
    )
    .unwrap();
    if let Some((_, sql)) = stories_trigger {
        tx.execute_batch(&sql).unwrap();
    }
    tx.commit().unwrap();
    conn.execute_batch("ANALYZE").unwrap();
}
