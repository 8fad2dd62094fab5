//! The daemon binary against a local server: it ingests every feed, stops cleanly on SIGTERM, and survives SIGKILL
//! mid-ingest without losing or duplicating anything.

#[path = "daemon_support.rs"]
mod support;

use std::time::Duration;

use support::*;

#[test]
fn daemon_ingests_everything_and_exits_cleanly_on_sigterm() {
    let corpus = Corpus::new(4, 5);
    let server = corpus.serve();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    subscribe(&db, &corpus, &server);

    let log = dir.path().join("daemon.log");
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut daemon = spawn_daemon(
        &db,
        &[("GAZETTE_LOG_FORMAT", "json"), ("GAZETTE_METRICS_LISTEN", &listen)],
        &log,
    );
    let all = wait_until(&db, Duration::from_secs(60), |c| {
        articles(c) == 20 && count(c, "SELECT count(*) FROM feeds WHERE next_check_at IS NULL") == 0
    });
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(all, "not every article arrived; log:\n{text}");

    // The metrics listener reports what happened, and the health check answers.
    assert!(http_get(port, "/healthz").starts_with("HTTP/1.1 200"));
    let metrics = http_get(port, "/metrics");
    assert!(metrics.contains("gazette_articles_stored_total 20"), "{metrics}");
    assert!(metrics.contains("gazette_feeds 4"), "{metrics}");
    assert!(
        metrics.contains("gazette_feed_fetches_total{status=\"200\"}"),
        "{metrics}"
    );
    assert!(metrics.contains("gazette_extraction_seconds_count 20"), "{metrics}");
    assert!(metrics.contains("gazette_queue_depth{queue=\"pages\"} 0"), "{metrics}");

    signal(&daemon, "TERM");
    let status = wait_exit(&mut daemon, Duration::from_secs(15)).expect("daemon did not stop within 15 s");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(status.success(), "exit status {status:?}; log:\n{text}");

    // JSON logs, one object per line, with a summary line for the cycle.
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(v.get("level").is_some(), "{line}");
    }
    assert!(text.contains("\"new_articles\":20"), "no cycle summary in:\n{text}");

    assert_consistent(&db);
    let conn = rusqlite::Connection::open(&db).unwrap();
    // Every article was extracted and tagged, and every feed is scheduled in the future.
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM articles WHERE extractor_version IS NOT NULL AND text <> ''"
        ),
        20
    );
    assert!(count(&conn, "SELECT count(*) FROM mentions") > 0);
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let future: i64 = conn
        .query_row("SELECT count(*) FROM feeds WHERE next_check_at > ?1", [&now], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(future, 4);
    // Each page was downloaded once.
    for f in 0..4 {
        for i in 0..5 {
            assert_eq!(server.hits(&Corpus::page_path(f, i)), 1);
        }
    }
}

#[test]
fn sigkill_mid_ingest_loses_nothing_and_the_restart_adds_no_duplicates() {
    let mut corpus = Corpus::new(6, 10);
    corpus.page_delay = Duration::from_millis(150);
    let server = corpus.serve();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    subscribe(&db, &corpus, &server);

    let log = dir.path().join("first.log");
    let env = [("GAZETTE_PAGE_CONCURRENCY", "4")];
    let mut daemon = spawn_daemon(&db, &env, &log);
    let some = wait_until(&db, Duration::from_secs(60), |c| articles(c) >= 8);
    assert!(
        some,
        "nothing stored: {}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    signal(&daemon, "KILL");
    daemon.wait().unwrap();

    assert_consistent(&db);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let before = articles(&conn);
    assert!(
        before < 60,
        "the kill came too late to test anything ({before} articles)"
    );
    let kept: Vec<(i64, String)> = {
        let mut stmt = conn.prepare("SELECT id, item_key FROM articles ORDER BY id").unwrap();
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        rows.map(Result::unwrap).collect()
    };
    drop(conn);

    let log = dir.path().join("second.log");
    let mut daemon = spawn_daemon(&db, &[], &log);
    let all = wait_until(&db, Duration::from_secs(90), |c| articles(c) >= 60);
    signal(&daemon, "TERM");
    let status = wait_exit(&mut daemon, Duration::from_secs(15)).expect("daemon did not stop");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(all, "the restart did not finish the ingest; log:\n{text}");
    assert!(status.success(), "{status:?}; log:\n{text}");

    assert_consistent(&db);
    let conn = rusqlite::Connection::open(&db).unwrap();
    assert_eq!(articles(&conn), 60, "every article exactly once");
    for (id, key) in kept {
        let still: String = conn
            .query_row("SELECT item_key FROM articles WHERE id = ?1", [id], |r| r.get(0))
            .unwrap();
        assert_eq!(still, key, "a committed article changed or vanished");
    }
    assert_eq!(
        count(&conn, "SELECT count(*) FROM articles WHERE page_error IS NOT NULL"),
        0,
        "no page was cut off into an error"
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn http_get(port: u16, path: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn stuck_work_is_dropped_after_the_grace_period_and_a_second_signal_exits_at_once() {
    let mut corpus = Corpus::new(2, 3);
    corpus.page_delay = Duration::from_secs(30);
    let server = corpus.serve();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    subscribe(&db, &corpus, &server);
    let page_requests =
        |server: &gazette_testkit::TestServer| server.requests().iter().filter(|r| r.path().starts_with("/a/")).count();

    // One signal: the pages never come, so the daemon gives up after the 2 s grace period and still exits 0.
    let log = dir.path().join("grace.log");
    let mut daemon = spawn_daemon(&db, &[("GAZETTE_SHUTDOWN_TIMEOUT", "2s")], &log);
    let t0 = std::time::Instant::now();
    while page_requests(&server) == 0 && t0.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(page_requests(&server) > 0, "no page was requested");
    signal(&daemon, "TERM");
    let t1 = std::time::Instant::now();
    let status = wait_exit(&mut daemon, Duration::from_secs(10)).expect("daemon did not stop");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(status.success(), "{status:?}; log:\n{text}");
    assert!(
        t1.elapsed() >= Duration::from_millis(1500),
        "stopped before the grace period"
    );
    assert!(t1.elapsed() < Duration::from_secs(6), "took {:?}", t1.elapsed());
    assert!(text.contains("dropped"), "{text}");
    assert_consistent(&db);
    // The feeds were not finished, so they are still due for the next start.
    let conn = rusqlite::Connection::open(&db).unwrap();
    assert_eq!(articles(&conn), 0);
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let due: i64 = conn
        .query_row(
            "SELECT count(*) FROM feeds WHERE next_check_at IS NULL OR next_check_at <= ?1",
            [&now],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(due, 2);
    drop(conn);

    // Two signals: out at once, with status 130.
    let log = dir.path().join("twice.log");
    let before = page_requests(&server);
    let mut daemon = spawn_daemon(&db, &[], &log);
    let t0 = std::time::Instant::now();
    while page_requests(&server) == before && t0.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    signal(&daemon, "TERM");
    std::thread::sleep(Duration::from_millis(300));
    signal(&daemon, "INT");
    let status = wait_exit(&mut daemon, Duration::from_secs(3)).expect("a second signal did not end the daemon");
    assert_eq!(status.code(), Some(130));
    assert_consistent(&db);
}
