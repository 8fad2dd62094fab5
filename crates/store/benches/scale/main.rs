//! Scale benchmark for the database as an interface: builds an archive of 1,000,000 articles and 20,000,000 mentions
//! (override with GAZETTE_BENCH_ARTICLES and GAZETTE_BENCH_MENTIONS_PER_ARTICLE; a sixth of the mentions are places
//! resolved to 20,000 entries in 200 countries, and every other article names a demonym), then times every view and
//! every report filtered to one week, as users run them (`gazette query`, `gazette export`, `gazette search`).
//!
//! `cargo bench -p gazette-store --bench scale` (GAZETTE_BENCH_DB=path keeps and reuses the SQLite file;
//! GAZETTE_BENCH_POSTGRES=postgresql://user@host/dbname also loads the same rows into that PostgreSQL database,
//! created when missing and kept, and times every query on both, side by side, with the ratio;
//! GAZETTE_BENCH_LAST_DAY=YYYY-MM-DD sets the generated year's last day, which is also the timed week's (default:
//! yesterday; give the day an archive was generated with to time it, or to go on loading it, on a later day),
//! GAZETTE_BENCH_ONLY=text times only the queries whose
//! name contains it, GAZETTE_BENCH_RUNS=n runs each n times and reports the last (default 2: a warm cache),
//! GAZETTE_BENCH_EXPLAIN=1 prints the reports' query plans).
//!
//! The rows come from one seeded generator (`synthetic.rs`); how each backend is loaded is in `load_sqlite.rs` and
//! `load_postgres.rs`. Times are wall seconds; the CPU columns are this process's (SQLite runs in it) and the
//! PostgreSQL server processes' (all of them on this machine, with their ended children: run it on a server that
//! is otherwise idle, on this machine, for that column to mean anything).

mod load_postgres;
mod load_sqlite;
mod synthetic;

use std::path::PathBuf;
use std::time::Instant;

use gazette_store::postgres::PgUrl;
use gazette_store::{Archive, Cell, Filters, Location, Report, RowSink, Search, SqlQuery};
use rusqlite::Connection;
use synthetic::Synthetic;

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
    // The generated year ends with yesterday (the last whole day), or GAZETTE_BENCH_LAST_DAY: give the same day to
    // time or to go on loading an archive generated on another day.
    let last = match std::env::var("GAZETTE_BENCH_LAST_DAY") {
        Ok(day) => chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d").expect("GAZETTE_BENCH_LAST_DAY is YYYY-MM-DD"),
        Err(_) => chrono::Utc::now().date_naive() - chrono::Duration::days(1),
    };
    let postgres = std::env::var("GAZETTE_BENCH_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())
        .map(|u| PgUrl::parse(&u).expect("GAZETTE_BENCH_POSTGRES is a PostgreSQL URL"));
    // The SQLite load runs on this thread and the PostgreSQL one beside it (its work is in the server), so the two
    // use both cores.
    let pg_load = postgres.clone().map(|url| {
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let mut client = rt.block_on(load_postgres::connect(&url));
            // Gazette's own migrations make (or upgrade) the schema.
            let location = Location::Postgres(Box::new(url.clone()));
            gazette_store::Store::open(&location)
                .expect("migrate the PostgreSQL database")
                .close();
            rt.block_on(async {
                let opening = Instant::now();
                if load_postgres::articles(&client).await < articles {
                    load_postgres::load(&mut client, &mut Synthetic::new(articles, per_article, last)).await;
                    println!(
                        "PostgreSQL: loaded {articles} articles in {:.1} s",
                        opening.elapsed().as_secs_f64()
                    );
                }
                let size: i64 = client
                    .query_one("SELECT pg_database_size(current_database())", &[])
                    .await
                    .unwrap()
                    .get(0);
                println!("PostgreSQL: database {} ({:.0} MiB)", url, size as f64 / 1048576.0);
            })
        })
    });
    // Opening an archive made by an older build migrates it: time that too.
    let opening = Instant::now();
    gazette_store::sqlite::migrate_file_to(&path, gazette_store::sqlite::schema::LATEST).expect("open");
    // The loader writes the file directly, as any bulk loader would, with Gazette's connection settings.
    let mut conn = Connection::open(&path).expect("open");
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON")
        .unwrap();
    println!(
        "SQLite: opened (and migrated) in {:.1} s",
        opening.elapsed().as_secs_f64()
    );
    let have: i64 = conn
        .query_row("SELECT count(*) FROM articles", [], |r| r.get(0))
        .unwrap();
    if have < articles {
        let t = Instant::now();
        load_sqlite::load(&mut conn, &mut Synthetic::new(articles, per_article, last));
        println!(
            "SQLite: generated {articles} articles, {} mentions in {:.1} s",
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
    println!(
        "SQLite: database {} ({:.0} MiB)",
        path.display(),
        size as f64 / 1048576.0
    );
    let top_name: String = conn
        .query_row("SELECT name FROM entities WHERE id = 1", [], |r| r.get(0))
        .unwrap();
    drop(conn);
    if let Some(load) = pg_load {
        load.join().expect("the PostgreSQL load");
    }

    // Both backends are read as users read them: views through `gazette query`'s read-only path, reports through
    // `gazette export`'s, search through `gazette search`'s.
    let mut backends = vec![("SQLite", Archive::open_sqlite(&path).expect("open read-only"))];
    if let Some(url) = &postgres {
        let location = Location::Postgres(Box::new(url.clone()));
        backends.push((
            "PostgreSQL",
            Archive::open(&location).expect("open PostgreSQL read-only"),
        ));
    }
    // The week ends with the generated year's last day.
    let last_day = last.format("%Y-%m-%d").to_string();
    let week_start = (last - chrono::Duration::days(6)).format("%Y-%m-%d").to_string();
    let week_end = (last + chrono::Duration::days(1)).format("%Y-%m-%d").to_string();
    let since = format!("{week_start}T00:00:00Z");
    let until = format!("{week_end}T00:00:00Z");
    let time = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc();
    println!("\none week: {week_start} .. {week_end} (exclusive); popular entity: {top_name}\n");
    print_header(&backends);
    // Portable SQL: a grouped query names every column it selects in its GROUP BY.
    let views: Vec<(String, String)> = vec![
        ("v_articles, one week".into(), format!("SELECT * FROM v_articles WHERE published_at >= '{since}' AND published_at < '{until}'")),
        ("v_entity_counts, top 100 all time".into(), "SELECT * FROM v_entity_counts ORDER BY mentions DESC LIMIT 100".into()),
        ("v_entity_counts, one entity".into(), format!("SELECT * FROM v_entity_counts WHERE name = '{top_name}'")),
        ("v_entity_daily, one week".into(), format!("SELECT * FROM v_entity_daily WHERE day >= '{week_start}' AND day < '{week_end}'")),
        ("v_entity_daily, top 20 people of one week".into(), format!("SELECT name, sum(mentions) AS n FROM v_entity_daily WHERE type = 'PER' AND day >= '{week_start}' AND day < '{week_end}' GROUP BY entity_id, name ORDER BY n DESC LIMIT 20")),
        ("v_entity_daily, top 20 people of one week by stories".into(), format!("SELECT name, sum(stories) AS n FROM v_entity_daily WHERE type = 'PER' AND day >= '{week_start}' AND day < '{week_end}' GROUP BY entity_id, name ORDER BY n DESC LIMIT 20")),
        ("v_stories, one day, most sites first".into(), format!("SELECT * FROM v_stories WHERE first_published_at >= '{last_day}T00:00:00Z' ORDER BY sites DESC LIMIT 20")),
        ("v_entity_daily, one entity, one week".into(), format!("SELECT * FROM v_entity_daily WHERE name = '{top_name}' AND day >= '{week_start}' AND day < '{week_end}'")),
        ("v_cooccurrence, one entity's partners, one week".into(), format!("SELECT entity2, sum(articles) AS n FROM v_cooccurrence WHERE entity1 = '{top_name}' AND day >= '{week_start}' AND day < '{week_end}' GROUP BY entity2_id, entity2 ORDER BY n DESC LIMIT 50")),
        ("v_cooccurrence, one day".into(), format!("SELECT * FROM v_cooccurrence WHERE day = '{last_day}'")),
        // Summed by ids, named after: grouping by the names too (as PostgreSQL requires of a plain GROUP BY over
        // the view) takes SQLite 3.5 times as long here.
        ("v_cooccurrence, one week, top 100 pairs".into(), format!("SELECT e1.name AS entity1, e2.name AS entity2, p.n FROM (SELECT entity1_id, entity2_id, sum(articles) AS n FROM v_cooccurrence WHERE day >= '{week_start}' AND day < '{week_end}' AND entity1_id < entity2_id GROUP BY entity1_id, entity2_id ORDER BY n DESC LIMIT 100) p JOIN entities e1 ON e1.id = p.entity1_id JOIN entities e2 ON e2.id = p.entity2_id ORDER BY p.n DESC")),
        ("v_cooccurrence, one week, top 100 person-organisation pairs".into(), format!("SELECT entity1, entity2, sum(articles) AS n FROM v_cooccurrence WHERE day >= '{week_start}' AND day < '{week_end}' AND entity1_type = 'PER' AND entity2_type = 'ORG' GROUP BY entity1_id, entity2_id, entity1, entity2 ORDER BY n DESC LIMIT 100")),
        ("v_place_counts, top 100 all time".into(), "SELECT * FROM v_place_counts ORDER BY mentions DESC LIMIT 100".into()),
        ("v_place_daily, one week".into(), format!("SELECT * FROM v_place_daily WHERE day >= '{week_start}' AND day < '{week_end}'")),
        ("v_place_daily, top 20 places of one week".into(), format!("SELECT name, sum(mentions) AS n FROM v_place_daily WHERE day >= '{week_start}' AND day < '{week_end}' GROUP BY geonameid, name ORDER BY n DESC LIMIT 20")),
        ("v_place_daily, one place, one week".into(), format!("SELECT * FROM v_place_daily WHERE geonameid = 1 AND day >= '{week_start}' AND day < '{week_end}'")),
        ("v_place_daily, one place, all time".into(), "SELECT * FROM v_place_daily WHERE geonameid = 1".into()),
        ("v_country_daily, one week".into(), format!("SELECT * FROM v_country_daily WHERE day >= '{week_start}' AND day < '{week_end}'")),
        ("v_country_daily, top 20 countries of one week".into(), format!("SELECT country, sum(mentions) AS n, sum(articles) FROM v_country_daily WHERE day >= '{week_start}' AND day < '{week_end}' GROUP BY country_code, country ORDER BY n DESC LIMIT 20")),
        ("v_country_daily, one country, one week".into(), format!("SELECT * FROM v_country_daily WHERE country_code = 'C1' AND day >= '{week_start}' AND day < '{week_end}'")),
        ("v_country_daily, one country, all time".into(), "SELECT * FROM v_country_daily WHERE country_code = 'C1'".into()),
        ("v_quotes, one week".into(), format!("SELECT * FROM v_quotes WHERE published_at >= '{since}' AND published_at < '{until}'")),
        ("v_feed_health".into(), "SELECT * FROM v_feed_health".into()),
    ];
    for (name, sql) in views {
        let query = SqlQuery {
            sql,
            params: Vec::new(),
            timeout: None,
        };
        time_on_each(&name, &mut backends, |archive, sink| {
            archive.query(&query, sink).unwrap()
        });
    }
    let search = Search {
        query: "ministry".into(),
        since: None,
        feed: None,
        limit: 20,
    };
    time_on_each("full-text search, top 20", &mut backends, |archive, sink| {
        archive.search(&search, sink).unwrap()
    });
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
            for (backend, archive) in &backends {
                println!("    {backend}:");
                for line in archive.report_plan(report, &filters).unwrap() {
                    println!("    {line}");
                }
            }
        }
        time_on_each(&name, &mut backends, |archive, sink| {
            archive.report(report, &filters, sink).unwrap()
        });
    }
}

/// Times `run` on each backend (GAZETTE_BENCH_RUNS times, the last reported) and prints one line: rows, seconds and
/// CPU per backend, and PostgreSQL's time over SQLite's. Row counts that differ between the backends are flagged:
/// they hold the same data.
fn time_on_each(
    name: &str,
    backends: &mut [(&str, Archive)],
    mut run: impl FnMut(&mut Archive, &mut dyn RowSink) -> u64,
) {
    if std::env::var_os("GAZETTE_BENCH_ONLY").is_some_and(|only| !name.contains(&*only.to_string_lossy())) {
        return;
    }
    let runs = env_num("GAZETTE_BENCH_RUNS", 2).max(1);
    let mut line = format!("{name:<64}");
    let mut seconds = Vec::new();
    let mut rows = Vec::new();
    for (backend, archive) in backends.iter_mut() {
        let mut last = (0, 0.0, 0.0);
        for _ in 0..runs {
            let cpu = if *backend == "SQLite" {
                cpu_seconds()
            } else {
                server_cpu_seconds()
            };
            let t = Instant::now();
            let mut sink = Count(0);
            run(archive, &mut sink);
            let elapsed = t.elapsed().as_secs_f64();
            let cpu = if *backend == "SQLite" {
                cpu_seconds()
            } else {
                server_cpu_seconds()
            } - cpu;
            last = (sink.0, elapsed, cpu);
        }
        line.push_str(&format!(" {:>9} {:>8.3} {:>8.3}", last.0, last.1, last.2));
        seconds.push(last.1);
        rows.push(last.0);
    }
    if let [sqlite, postgres] = seconds[..] {
        line.push_str(&format!(" {:>7.2}", postgres / sqlite.max(1e-6)));
        if rows[0] != rows[1] {
            line.push_str("  ROWS DIFFER");
        }
    }
    println!("{line}");
}

fn print_header(backends: &[(&str, Archive)]) {
    let mut line = format!("{:<64}", "query");
    for (backend, _) in backends {
        let short = if *backend == "SQLite" { "SQLite" } else { "PG" };
        line.push_str(&format!(
            " {:>9} {:>8} {:>8}",
            format!("{short} rows"),
            format!("{short} s"),
            format!("{short} CPU")
        ));
    }
    if backends.len() == 2 {
        line.push_str(&format!(" {:>7}", "PG/SQL"));
    }
    println!("{line}");
}

/// This process's CPU time (user + system), from /proc (0 elsewhere): wall times suffer on a shared machine.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    stat_cpu(&stat, false)
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

/// CPU seconds (user + system) of every PostgreSQL server process on this machine, from /proc, with those of its
/// ended children (parallel workers live within one query).
fn server_cpu_seconds() -> f64 {
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    let mut total = 0.0;
    for p in procs.flatten() {
        let Ok(stat) = std::fs::read_to_string(p.path().join("stat")) else {
            continue;
        };
        if !stat.contains("(postgres)") {
            continue;
        }
        total += stat_cpu(&stat, true);
    }
    total
}

/// User + system seconds from a /proc stat line, and those of the process's waited-for children if `children`.
fn stat_cpu(stat: &str, children: bool) -> f64 {
    let rest = &stat[stat.rfind(')').map_or(0, |i| i + 2)..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let fields = if children { 11..15 } else { 11..13 };
    fields.map(|i| f[i].parse::<f64>().unwrap_or(0.0)).sum::<f64>() / 100.0
}
