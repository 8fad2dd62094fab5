//! Render times of the web view over a large archive: `/`, the most mentioned person's page and two searches, 50
//! requests each from one client over a real connection to 127.0.0.1, reported as p50, p95 and max.
//!
//! The archive is the scale bench's (crates/store/benches/scale/), kept with GAZETTE_BENCH_DB (a SQLite file) or
//! GAZETTE_BENCH_POSTGRES (a PostgreSQL database); this bench takes either as GAZETTE_BENCH_DB:
//!
//! ```text
//! GAZETTE_BENCH_DB=/tmp/scale.db GAZETTE_BENCH_ARTICLES=1000000 cargo bench -p gazette-store --bench scale
//! GAZETTE_BENCH_DB=/tmp/scale.db cargo bench -p gazette-web --bench render
//! GAZETTE_BENCH_DB=postgresql://user@host/scale cargo bench -p gazette-web --bench render
//! ```

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use gazette_store::{Archive, Cell, Location, Rows, SqlQuery};

const REQUESTS: usize = 50;
/// The entities in each of `/`'s top lists.
const HOME_TOP: i64 = 5;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let Some(db) = std::env::var("GAZETTE_BENCH_DB").ok() else {
        println!("set GAZETTE_BENCH_DB to an archive made by the store's scale bench (see this file's doc)");
        return;
    };
    let location = Location::parse(&db).expect("GAZETTE_BENCH_DB");
    let mut archive = Archive::open(&location).expect("open the archive");
    let articles = number(&mut archive, "SELECT count(*) FROM articles");
    println!("archive {location} with {articles} articles");
    let top_person = number(
        &mut archive,
        "SELECT id FROM entities WHERE type = 'PER' ORDER BY mentions DESC LIMIT 1",
    );
    let router = gazette_web::router(&location, &gazette_web::Options::default()).expect("open the archive");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    runtime.spawn(gazette_web::serve(listener, router, std::future::pending()));
    for path in [
        "/".to_string(),
        format!("/entities/{top_person}"),
        "/search?q=storm".to_string(),
        "/search?q=%22Story+4242%22".to_string(),
    ] {
        assert_eq!(get(addr, &path).0, 200, "{path}");
        let mut times: Vec<Duration> = (0..REQUESTS)
            .map(|_| {
                let t = Instant::now();
                // A page that timed out or failed is fast and wrong: it must not count as a render.
                assert_eq!(get(addr, &path).0, 200, "{path}");
                t.elapsed()
            })
            .collect();
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{path:<32} p50 {:7.1} ms  p95 {:7.1} ms  max {:7.1} ms  ({REQUESTS} requests)",
            ms(percentile(&times, 50)),
            ms(percentile(&times, 95)),
            ms(times[REQUESTS - 1])
        );
    }
    // The top lists are read from the top of each day's list, not summed over the range: a fast wrong list must not
    // pass, so they are checked against the plain sum.
    let (status, body) = get(addr, "/api/home");
    assert_eq!(status, 200);
    let home: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let lists = home["top"].as_array().unwrap();
    for list in lists {
        let found: Vec<(String, i64)> = list["entities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["name"].as_str().unwrap().to_string(), e["mentions"].as_i64().unwrap()))
            .collect();
        // Days and types as the page gave them, checked before they go into the SQL.
        let day = |key: &str| {
            let day = list[key].as_str().unwrap();
            chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").expect("a day");
            day.to_string()
        };
        let entity_type = list["entity_type"].as_str().unwrap();
        assert!(entity_type.chars().all(|c| c.is_ascii_uppercase()));
        let plain = format!(
            "SELECT e.name, sum(d.mentions) AS mentions FROM entity_days d JOIN entities e ON e.id = d.entity_id
             WHERE d.day BETWEEN '{}' AND '{}' AND e.type = '{entity_type}'
             GROUP BY d.entity_id, e.name ORDER BY mentions DESC, e.name LIMIT {HOME_TOP}",
            day("from"),
            day("to")
        );
        let expected: Vec<(String, i64)> = rows(&mut archive, &plain)
            .into_iter()
            .map(|r| match &r[..] {
                [Cell::Text(name), Cell::Integer(n)] => (name.clone(), *n),
                other => panic!("unexpected row {other:?}"),
            })
            .collect();
        assert_eq!(
            found, expected,
            "{} {} {}",
            list["entity_type"], list["from"], list["to"]
        );
    }
    println!("/'s {} top lists equal the plain sums over their ranges", lists.len());
    // The server task still holds the archive, whose PostgreSQL reader has a runtime of its own, which must not be
    // dropped by this runtime's workers: the process ends here anyway.
    std::mem::forget(runtime);
}

/// The rows of a read-only query.
fn rows(archive: &mut Archive, sql: &str) -> Vec<Vec<Cell>> {
    let mut rows = Rows::default();
    let query = SqlQuery {
        sql: sql.to_string(),
        params: Vec::new(),
        timeout: None,
    };
    archive.query(&query, &mut rows).expect(sql);
    rows.rows
}

/// The one number a query gives.
fn number(archive: &mut Archive, sql: &str) -> i64 {
    match rows(archive, sql).first().and_then(|r| r.first()) {
        Some(Cell::Integer(n)) => *n,
        other => panic!("{sql}: {other:?}"),
    }
}

/// The nearest-rank percentile of sorted times: the smallest time at least `p`% of them do not exceed (of 50, p95
/// is the 48th).
fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p).div_ceil(100).max(1) - 1]
}

/// One GET over a fresh connection: the status and the body.
fn get(addr: SocketAddr, path: &str) -> (u16, Vec<u8>) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let status = std::str::from_utf8(&out[9..12]).unwrap().parse().unwrap();
    let body = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(out.len(), |i| i + 4);
    (status, out.split_off(body))
}
