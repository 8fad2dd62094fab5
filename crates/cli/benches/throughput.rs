//! End-to-end throughput of `gazette daemon`: a local server serves a generated corpus (by default 1,000 feeds of
//! 20 articles, made from the seed fixture with varied titles, names and ids); the daemon ingests it into a fresh
//! database. Reports articles per second (from start to the last article committed) and the daemon's peak resident
//! memory (VmHWM).
//!
//! ```sh
//! cargo bench -p gazette --bench throughput                          # 1,000 feeds x 20 articles
//! BENCH_FEEDS=100 BENCH_ITEMS=20 cargo bench -p gazette --bench throughput
//! BENCH_STORY_SIZE=4 cargo bench -p gazette --bench throughput       # 4-article stories (default: one story)
//! BENCH_POSTGRES=postgresql://user@host/postgres BENCH_WORKERS=3 cargo bench -p gazette --bench throughput
//! ```
//!
//! `BENCH_POSTGRES` names a PostgreSQL server where a database may be created (one is, for the run, and dropped
//! after); `BENCH_WORKERS` daemons share it. Then the CPU per article is also given for the database's backend
//! processes of the run (sampled from /proc while it runs; the server must be on this machine), so that the rate on
//! more cores or machines can be worked out. Everything is served from one host (127.0.0.1), so per-host politeness
//! is relaxed for the run.

#[path = "../../../tests/daemon_support.rs"]
mod support;

use std::time::{Duration, Instant};

use support::*;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// User + system CPU seconds of a process so far (from /proc/PID/stat; `self` for this one).
fn cpu_seconds(pid: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields overall.
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields.get(11).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0)
        + fields.get(12).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    ticks / 100.0
}

/// CPU seconds per thread name (threads of one name summed), largest first.
fn threads_cpu_of(pid: u32) -> Vec<(String, f64)> {
    let mut by_name = std::collections::BTreeMap::<String, f64>::new();
    if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for task in tasks.flatten() {
            let tid = task.file_name().to_string_lossy().into_owned();
            let name = std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/comm")).unwrap_or_default();
            // Numbered pool threads (gazette-extract-0, -1) count as one.
            let name = name
                .trim()
                .trim_end_matches(|c: char| c.is_ascii_digit() || c == '-')
                .to_string();
            *by_name.entry(name).or_default() += cpu_seconds(&format!("{pid}/task/{tid}"));
        }
    }
    let mut v: Vec<(String, f64)> = by_name.into_iter().collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1));
    v
}

fn main() {
    // `cargo test --benches` runs this with no `--bench`; do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let feeds = env_usize("BENCH_FEEDS", 1000);
    let items = env_usize("BENCH_ITEMS", 20);
    let workers = env_usize("BENCH_WORKERS", 1).max(1);
    let total = (feeds * items) as i64;
    let mut corpus = Corpus::new(feeds, items);
    corpus.story_size = env_usize("BENCH_STORY_SIZE", 0);
    let server = corpus.serve();
    let dir = tempfile::tempdir().unwrap();
    let pg = std::env::var("BENCH_POSTGRES")
        .ok()
        .filter(|s| !s.is_empty())
        .map(|url| {
            std::env::set_var(gazette_testkit::db::POSTGRES_ENV, url);
            gazette_testkit::TestDb::postgres("throughput bench").expect("a PostgreSQL database for the bench")
        });
    let db = match &pg {
        Some(pg) => std::path::PathBuf::from(&pg.location),
        None => dir.path().join("bench.db"),
    };
    let opml = dir.path().join("feeds.opml");
    corpus.write_opml(&server, &opml);
    let out = gazette(&db, &["feeds", "import", opml.to_str().unwrap()], &[]);
    assert!(out.status.success(), "import: {}", String::from_utf8_lossy(&out.stderr));
    let count_articles = || match &pg {
        Some(_) => pg_number(&db, "SELECT count(*) FROM articles").unwrap_or(0),
        None => wait_count(&db),
    };

    let ports: Vec<u16> = (0..workers)
        .map(|_| {
            std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port()
        })
        .collect();
    let server_cpu_before = cpu_seconds("self");
    let started = Instant::now();
    let mut daemons: Vec<_> = ports
        .iter()
        .enumerate()
        .map(|(i, port)| {
            let listen = format!("127.0.0.1:{port}");
            let env = [
                ("GAZETTE_METRICS_LISTEN", listen.as_str()),
                ("GAZETTE_FEED_CONCURRENCY", "16"),
                ("GAZETTE_PAGE_CONCURRENCY", "32"),
                ("GAZETTE_PER_HOST_CONCURRENCY", "48"),
            ];
            spawn_daemon(&db, &env, &dir.path().join(format!("daemon{i}.log")))
        })
        .collect();
    let pids: Vec<u32> = daemons.iter().map(|d| d.id()).collect();
    let mut peak = 0;
    let mut first: Option<Duration> = None;
    let mut last_report = Instant::now();
    // PostgreSQL backends of the run: CPU seconds last read, per process; and what the busy ones were doing, sample
    // by sample (a statement running on the CPU, or waiting for a lock, the WAL, ...).
    let mut backends = std::collections::HashMap::<u32, f64>::new();
    let mut activity = std::collections::BTreeMap::<String, u64>::new();
    let mut sample_backends = |backends: &mut std::collections::HashMap<u32, f64>| {
        if pg.is_some() {
            for (pid, doing) in pg_backends(&db) {
                let cpu = cpu_seconds(&pid.to_string());
                let seen = backends.entry(pid).or_default();
                *seen = seen.max(cpu);
                if let Some(doing) = doing {
                    *activity.entry(doing).or_default() += 1;
                }
            }
        }
    };
    let done = loop {
        for pid in &pids {
            peak = peak.max(peak_rss_kib(*pid).unwrap_or(0));
        }
        let n = count_articles();
        if n > 0 && first.is_none() {
            first = Some(started.elapsed());
        }
        if n >= total {
            break true;
        }
        if started.elapsed() > Duration::from_secs(1800) || daemons.iter_mut().any(|d| d.try_wait().unwrap().is_some())
        {
            break false;
        }
        sample_backends(&mut backends);
        if last_report.elapsed() > Duration::from_secs(10) {
            eprintln!("  {n}/{total} articles after {:.0} s", started.elapsed().as_secs_f64());
            last_report = Instant::now();
        }
        std::thread::sleep(Duration::from_millis(if pg.is_some() { 500 } else { 100 }));
    };
    let elapsed = started.elapsed();
    sample_backends(&mut backends);
    let backend_cpu: f64 = backends.values().sum();
    for pid in &pids {
        peak = peak.max(peak_rss_kib(*pid).unwrap_or(0));
    }
    let metrics: Vec<String> = ports.iter().map(|port| http_get(*port, "/metrics")).collect();
    let daemon_cpu: f64 = pids.iter().map(|pid| cpu_seconds(&pid.to_string())).sum();
    let mut threads_cpu = std::collections::BTreeMap::<String, f64>::new();
    for pid in &pids {
        for (name, secs) in threads_cpu_of(*pid) {
            *threads_cpu.entry(name).or_default() += secs;
        }
    }
    let mut threads_cpu: Vec<(String, f64)> = threads_cpu.into_iter().collect();
    threads_cpu.sort_by(|a, b| b.1.total_cmp(&a.1));
    let server_cpu = cpu_seconds("self") - server_cpu_before;
    for d in &daemons {
        signal(d, "TERM");
    }
    let statuses: Vec<_> = daemons
        .iter_mut()
        .map(|d| wait_exit(d, Duration::from_secs(60)))
        .collect();
    if !done {
        for i in 0..workers {
            eprintln!(
                "{}",
                std::fs::read_to_string(dir.path().join(format!("daemon{i}.log"))).unwrap_or_default()
            );
        }
        panic!("the daemons did not store all {total} articles");
    }
    let (stored, page_errors, mentions, stories, size) = match &pg {
        Some(_) => (
            pg_number(&db, "SELECT count(*) FROM articles").unwrap_or(0),
            pg_number(&db, "SELECT count(*) FROM articles WHERE page_error IS NOT NULL").unwrap_or(0),
            pg_number(&db, "SELECT count(*) FROM mentions").unwrap_or(0),
            pg_number(&db, "SELECT count(*) FROM stories").unwrap_or(0),
            pg_number(&db, "SELECT pg_database_size(current_database())").unwrap_or(0) as u64,
        ),
        None => {
            let conn = rusqlite::Connection::open(&db).unwrap();
            (
                articles(&conn),
                count(&conn, "SELECT count(*) FROM articles WHERE page_error IS NOT NULL"),
                count(&conn, "SELECT count(*) FROM mentions"),
                count(&conn, "SELECT count(*) FROM stories"),
                std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0),
            )
        }
    };
    println!(
        "backend:          {}",
        if pg.is_some() { "PostgreSQL" } else { "SQLite" }
    );
    println!("workers:          {workers}");
    println!("feeds:            {feeds}");
    println!("articles:         {stored} ({page_errors} page errors, {mentions} mentions, {stories} stories)");
    println!("first article:    {:.2} s", first.unwrap_or_default().as_secs_f64());
    println!("wall time:        {:.2} s", elapsed.as_secs_f64());
    println!(
        "throughput:       {:.0} articles/s",
        stored as f64 / elapsed.as_secs_f64()
    );
    let per_article = daemon_cpu / stored.max(1) as f64;
    println!(
        "CPU:              daemons {daemon_cpu:.1} s ({:.2} ms/article), local server {server_cpu:.1} s",
        1000.0 * per_article
    );
    if pg.is_some() {
        println!(
            "                  PostgreSQL backends {backend_cpu:.1} s ({:.2} ms/article, {} processes)",
            1000.0 * backend_cpu / stored.max(1) as f64,
            backends.len()
        );
        let samples: u64 = activity.values().sum();
        let mut doing: Vec<(&String, &u64)> = activity.iter().collect();
        doing.sort_by(|a, b| b.1.cmp(a.1));
        let shares: Vec<String> = doing
            .iter()
            .take(8)
            .map(|(what, n)| format!("{what} {:.0}%", 100.0 * **n as f64 / samples.max(1) as f64))
            .collect();
        println!(
            "                  busy backends, {samples} backend-samples: {}",
            shares.join(", ")
        );
    }
    let writer = threads_cpu
        .iter()
        .find(|(name, _)| name.starts_with("gazette-db-wri"))
        .map(|(_, s)| *s)
        .unwrap_or(0.0);
    for (name, secs) in &threads_cpu {
        println!(
            "  {name:18} {secs:7.1} s CPU ({:.2} ms/article)",
            1000.0 * secs / stored.max(1) as f64
        );
    }
    if pg.is_some() {
        println!(
            "ceilings:         ~{:.0} articles/s on 2 idle cores (all of the daemons' and backends' CPU)",
            2.0 / ((daemon_cpu + backend_cpu) / stored.max(1) as f64).max(1e-6)
        );
    } else {
        println!(
            "ceilings:         ~{:.0} articles/s on 2 idle cores (all of the daemon's CPU), ~{:.0} articles/s for \
             the single writer thread",
            2.0 / per_article.max(1e-6),
            stored as f64 / writer.max(1e-6)
        );
    }
    println!("peak RSS:         {:.1} MiB (largest daemon)", peak as f64 / 1024.0);
    println!("database:         {:.1} MiB", size as f64 / (1 << 20) as f64);
    println!("daemon exits:     {statuses:?}");
    for name in [
        "gazette_extraction_seconds",
        "gazette_tagging_seconds",
        "gazette_places_seconds",
        "gazette_store_seconds",
    ] {
        let get = |suffix: &str| -> f64 {
            metrics
                .iter()
                .filter_map(|m| {
                    m.lines()
                        .find_map(|l| l.strip_prefix(&format!("{name}_{suffix} ")))
                        .and_then(|v| v.trim().parse::<f64>().ok())
                })
                .sum()
        };
        let (sum, n) = (get("sum"), get("count"));
        println!(
            "{name}: {n} pages, mean {:.1} ms, total {sum:.1} s",
            1000.0 * sum / n.max(1.0)
        );
    }
}

/// One number a query gives, through `gazette query`.
fn pg_number(db: &std::path::Path, sql: &str) -> Option<i64> {
    let out = gazette(db, &["query", sql, "--format", "csv"], &[]);
    String::from_utf8(out.stdout).ok()?.lines().nth(1)?.trim().parse().ok()
}

/// The backend processes of the bench's database (but that of the asking query), each with what it is doing if it is
/// running a statement: `CPU` when it waits for nothing, else its wait event (`Lock:tuple`, `LWLock:WALWrite`, ...).
fn pg_backends(db: &std::path::Path) -> Vec<(u32, Option<String>)> {
    let out = gazette(
        db,
        &[
            "query",
            "SELECT pid, state = 'active', coalesce(wait_event_type || ':' || wait_event, 'CPU')
             FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
            "--format",
            "csv",
        ],
        &[],
    );
    String::from_utf8(out.stdout)
        .unwrap_or_default()
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.trim().splitn(3, ',');
            let pid = f.next()?.parse().ok()?;
            let active = matches!(f.next()?, "true" | "1" | "t");
            Some((pid, active.then(|| f.next().unwrap_or("CPU").to_string())))
        })
        .collect()
}

fn wait_count(db: &std::path::Path) -> i64 {
    match rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY) {
        Ok(c) => {
            let _ = c.busy_timeout(Duration::from_secs(5));
            articles(&c).max(0)
        }
        Err(_) => 0,
    }
}

fn http_get(port: u16, path: &str) -> String {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return String::new();
    };
    let _ = write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}
