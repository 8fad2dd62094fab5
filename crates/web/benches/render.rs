//! Render times of the web view over a large archive: `/`, the most mentioned person's page and two searches, 50
//! requests each from one client over a real connection to 127.0.0.1, reported as p50, p95 and max.
//!
//! The archive is the scale bench's (crates/store/benches/scale.rs), kept with GAZETTE_BENCH_DB:
//!
//! ```text
//! GAZETTE_BENCH_DB=/tmp/scale.db GAZETTE_BENCH_ARTICLES=1000000 cargo bench -p gazette-store --bench scale
//! GAZETTE_BENCH_DB=/tmp/scale.db cargo bench -p gazette-web --bench render
//! ```

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const REQUESTS: usize = 50;
/// The entities in each of `/`'s top lists.
const HOME_TOP: i64 = 5;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let Some(db) = std::env::var_os("GAZETTE_BENCH_DB").map(PathBuf::from) else {
        println!("set GAZETTE_BENCH_DB to an archive made by the store's scale bench (see this file's doc)");
        return;
    };
    let conn = rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let articles: i64 = conn
        .query_row("SELECT count(*) FROM articles", [], |r| r.get(0))
        .unwrap();
    println!("archive {} with {articles} articles", db.display());
    let top_person: i64 = conn
        .query_row(
            "SELECT id FROM entities WHERE type = 'PER' ORDER BY mentions DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let router = gazette_web::router(
        &gazette_store::Location::Sqlite(db.clone()),
        &gazette_web::Options::default(),
    )
    .expect("open the archive");
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
    let mut plain = conn
        .prepare(
            "SELECT e.name, sum(d.mentions) AS mentions FROM entity_days d JOIN entities e ON e.id = d.entity_id
             WHERE d.day BETWEEN ?1 AND ?2 AND e.type = ?3
             GROUP BY d.entity_id ORDER BY mentions DESC, e.name LIMIT ?4",
        )
        .unwrap();
    let lists = home["top"].as_array().unwrap();
    for list in lists {
        let found: Vec<(String, i64)> = list["entities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["name"].as_str().unwrap().to_string(), e["mentions"].as_i64().unwrap()))
            .collect();
        let expected: Vec<(String, i64)> = plain
            .query_map(
                rusqlite::params![
                    list["from"].as_str().unwrap(),
                    list["to"].as_str().unwrap(),
                    list["entity_type"].as_str().unwrap(),
                    HOME_TOP
                ],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(
            found, expected,
            "{} {} {}",
            list["entity_type"], list["from"], list["to"]
        );
    }
    println!("/'s {} top lists equal the plain sums over their ranges", lists.len());
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
