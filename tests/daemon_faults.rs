//! The daemon against a fault-injecting server for a bounded time: good feeds' articles arrive exactly once while
//! failing feeds are backed off, not hammered; a feed failing too long is disabled and `feeds enable` brings it back.
//! Also `gazette config` and `gazette reprocess` end to end.

#[path = "daemon_support.rs"]
mod support;

use std::time::{Duration, Instant};

use gazette_testkit::{Response, TestServer};
use rusqlite::Connection;
use support::*;

#[test]
fn good_feeds_arrive_once_and_failing_feeds_are_backed_off() {
    let mut corpus = Corpus::new(6, 5);
    corpus.faults = vec![(3, Fault::ServerError), (4, Fault::Gone), (5, Fault::NotAFeed)];
    let server = corpus.serve();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    subscribe(&db, &corpus, &server);

    // Fast clocks: a good feed is due every 0.5-1 s, so a failing one checked at that pace would be hit ~20 times.
    let env = [
        ("GAZETTE_MIN_INTERVAL", "500ms"),
        ("GAZETTE_MAX_INTERVAL", "1s"),
        ("GAZETTE_ERROR_BACKOFF_CAP", "1h"),
    ];
    let log = dir.path().join("daemon.log");
    let mut daemon = spawn_daemon(&db, &env, &log);
    let run_for = Duration::from_secs(10);
    let t0 = Instant::now();
    std::thread::sleep(run_for);
    signal(&daemon, "TERM");
    let status = wait_exit(&mut daemon, Duration::from_secs(15)).expect("daemon did not stop");
    let elapsed = t0.elapsed();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(status.success(), "{status:?}; log:\n{text}");

    assert_consistent(&db);
    let conn = Connection::open(&db).unwrap();
    // Every good feed's articles, exactly once, each page downloaded once, each feed polled again and again.
    for f in corpus.good_feeds() {
        let url = server.url(&Corpus::feed_path(f));
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE f.url = ?1",
                [&url],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 5, "feed {f}");
        for i in 0..5 {
            assert_eq!(server.hits(&Corpus::page_path(f, i)), 1, "page {f}/{i}");
        }
        let polls = server.hits(&Corpus::feed_path(f));
        eprintln!("good feed {f}: {polls} polls in {elapsed:?}");
        assert!(
            polls >= 5,
            "good feed {f} polled only {polls} times in {elapsed:?}; log:\n{text}"
        );
    }
    assert_eq!(articles(&conn), 15);

    // Failing feeds: exponential back-off (0.5 s, 1 s, 2 s, 4 s, ...) means a handful of fetches in 10 s, each with
    // at most the fetcher's retries for transient errors (500), never the 20 a fixed 0.5 s pace would give.
    for (f, max_hits) in [(3, 15), (4, 6), (5, 6)] {
        let hits = server.hits(&Corpus::feed_path(f));
        eprintln!("failing feed {f}: {hits} requests in {elapsed:?}");
        assert!(hits >= 2, "failing feed {f} was not retried at all");
        assert!(
            hits <= max_hits,
            "failing feed {f} hammered: {hits} requests in {elapsed:?}"
        );
        let url = server.url(&Corpus::feed_path(f));
        let (errors, last_error, disabled): (i64, Option<String>, bool) = conn
            .query_row(
                "SELECT error_count, last_error, disabled FROM feeds WHERE url = ?1",
                [&url],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert!(errors >= 2, "feed {f}: error streak {errors}");
        assert!(last_error.is_some(), "feed {f}: no error recorded");
        assert!(!disabled, "feed {f} disabled after seconds");
    }
    // Every attempt is in `fetches`, failures with their error.
    let failed_attempts = count(
        &conn,
        "SELECT count(*) FROM fetches WHERE error IS NOT NULL AND feed_id IN
            (SELECT id FROM feeds WHERE error_count > 0)",
    );
    assert!(failed_attempts >= 6);
}

#[test]
fn failing_pages_are_retried_with_back_off_then_stored_without_their_page() {
    let mut corpus = Corpus::new(3, 3);
    corpus.page_faults = vec![
        // Fails the fetcher's three attempts of the first try, recovers on the second try.
        ((0, 1), PageFault::FailFirst(4)),
        // Never recovers.
        ((1, 2), PageFault::Always),
        // Never recovers, and has already been tried 7 times (of 8).
        ((2, 0), PageFault::Always),
    ];
    let server = corpus.serve();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    subscribe(&db, &corpus, &server);
    let conn = Connection::open(&db).unwrap();
    conn.execute(
        "INSERT INTO page_retries (feed_id, item_key, tries, last_error, last_tried_at)
         SELECT id, 'f2-i0', 7, 'HTTP 500', strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 hour') FROM feeds WHERE url = ?1",
        [server.url(&Corpus::feed_path(2))],
    )
    .unwrap();
    drop(conn);

    let env = [
        ("GAZETTE_MIN_INTERVAL", "200ms"),
        ("GAZETTE_MAX_INTERVAL", "1s"),
        ("GAZETTE_ERROR_BACKOFF_CAP", "1h"),
    ];
    let log = dir.path().join("daemon.log");
    let mut daemon = spawn_daemon(&db, &env, &log);
    let run_for = Duration::from_secs(12);
    let t0 = Instant::now();
    let recovered = wait_until(&db, run_for, |c| {
        count(c, "SELECT count(*) FROM articles WHERE url LIKE '%/a/0/1.html'") == 1
    });
    std::thread::sleep(run_for.saturating_sub(t0.elapsed()));
    signal(&daemon, "TERM");
    let status = wait_exit(&mut daemon, Duration::from_secs(15)).expect("daemon did not stop");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(status.success(), "{status:?}; log:\n{text}");
    assert!(recovered, "the recovering page was not stored; log:\n{text}");
    assert_consistent(&db);

    let conn = Connection::open(&db).unwrap();
    let page = |f: usize, i: usize| -> Option<(Option<String>, bool, i64)> {
        conn.query_row(
            "SELECT page_error, html IS NOT NULL, length(text) FROM articles WHERE url LIKE ?1",
            [format!("%{}", Corpus::page_path(f, i))],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .ok()
    };
    // The page that recovered is stored once, with its text, and its tries are forgotten.
    let (error, has_html, chars) = page(0, 1).expect("stored");
    assert!(
        error.is_none() && has_html && chars > 1000,
        "{error:?} {has_html} {chars}"
    );
    assert_eq!(
        server.hits(&Corpus::page_path(0, 1)),
        5,
        "three attempts, then two on the retry"
    );
    // The page that never answers is not stored yet, is counted, and was not hammered: each try is the fetcher's
    // three attempts, and the tries back off (200 ms, 400 ms, 800 ms, ... after ~3 s of attempts each).
    assert!(page(1, 2).is_none(), "stored while still being retried");
    let tries = count(&conn, "SELECT max(tries) FROM page_retries WHERE item_key = 'f1-i2'");
    let hits = server.hits(&Corpus::page_path(1, 2));
    eprintln!("dead page: {tries} tries, {hits} requests in {run_for:?}");
    assert!((2..8).contains(&tries), "{tries} tries");
    assert_eq!(hits as i64, 3 * tries, "each try is three attempts");
    // The page on its last try is stored without its page, saying why, and its count is gone.
    let (error, has_html, _) = page(2, 0).expect("given up on and stored");
    let error = error.expect("a page error");
    assert!(error.contains("gave up after 8 tries"), "{error}");
    assert!(!has_html);
    assert_eq!(
        count(&conn, "SELECT count(*) FROM page_retries WHERE item_key = 'f2-i0'"),
        0
    );
    // Everything else arrived exactly once.
    assert_eq!(articles(&conn), 8);
    for (f, i) in [(0, 0), (0, 2), (1, 0), (1, 1), (2, 1), (2, 2)] {
        assert_eq!(server.hits(&Corpus::page_path(f, i)), 1, "page {f}/{i}");
    }
}

#[test]
fn a_feeds_ttl_still_holds_when_it_answers_304() {
    let corpus = Corpus::new(1, 2);
    let feed = corpus.clone();
    let server = TestServer::start(move |req| {
        let base = format!("http://{}", req.header("host").unwrap_or("127.0.0.1"));
        if req.path() == Corpus::feed_path(0) {
            if req.header("if-none-match") == Some("\"v1\"") {
                return Response::new(304, "");
            }
            // Three hours between checks, says the feed (RSS <ttl> is in minutes).
            let xml = feed.feed_xml(&base, 0).replace("<channel>", "<channel><ttl>180</ttl>");
            return Response::ok("application/rss+xml", xml).header("ETag", "\"v1\"");
        }
        match req.path().strip_prefix("/a/0/").and_then(|p| p.strip_suffix(".html")) {
            Some(i) => Response::ok("text/html; charset=utf-8", Corpus::page_html(0, i.parse().unwrap())),
            None => Response::not_found(),
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    subscribe(&db, &corpus, &server);
    for _ in 0..2 {
        let out = gazette(&db, &["ingest"], FAST);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let conn = Connection::open(&db).unwrap();
    let statuses: Vec<i64> = conn
        .prepare("SELECT status FROM fetches ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(statuses, [200, 304]);
    // Without the TTL the next check would be in an hour (the stored articles share one date, so no pace is known);
    // the TTL from the last full answer still bounds the check after the 304.
    let minutes = count(
        &conn,
        "SELECT CAST(round((julianday(next_check_at) - julianday('now')) * 1440) AS INTEGER) FROM feeds",
    );
    assert!((175..=200).contains(&minutes), "next check in {minutes} minutes");
}

#[test]
fn a_feed_failing_too_long_is_disabled_and_can_be_enabled_again() {
    let mut corpus = Corpus::new(2, 2);
    corpus.faults = vec![(1, Fault::Gone)];
    let server = corpus.serve();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    subscribe(&db, &corpus, &server);
    let ingest = |args: &[&str]| gazette(&db, &[&["ingest"], args].concat(), FAST);

    let out = ingest(&[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 feeds (1 failed"));

    // Pretend the failures began 15 days ago.
    let conn = Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE fetches SET started_at = '2020-01-01T00:00:00Z' WHERE error IS NOT NULL",
        [],
    )
    .unwrap();
    drop(conn);
    let out = ingest(&[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let list = gazette(&db, &["feeds", "list", "--format", "json"], &[]);
    let feeds: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let gone = server.url(&Corpus::feed_path(1));
    let row = feeds
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["url"] == gone.as_str())
        .unwrap();
    assert_eq!(row["state"], "disabled", "{row}");
    let id = row["id"].as_i64().unwrap();
    let conn = Connection::open(&db).unwrap();
    let last_error: String = conn
        .query_row("SELECT last_error FROM feeds WHERE id = ?1", [id], |r| r.get(0))
        .unwrap();
    assert!(last_error.starts_with("disabled"), "{last_error}");
    drop(conn);

    // A disabled feed is left alone by the next run.
    let hits = server.hits(&Corpus::feed_path(1));
    ingest(&[]);
    assert_eq!(server.hits(&Corpus::feed_path(1)), hits);

    let out = gazette(&db, &["feeds", "enable", &id.to_string()], &[]);
    assert!(out.status.success());
    let conn = Connection::open(&db).unwrap();
    let (next, errors): (Option<String>, i64) = conn
        .query_row(
            "SELECT next_check_at, error_count FROM feeds WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (next, errors),
        (None, 0),
        "an enabled feed is due at once, with a clean streak"
    );
    drop(conn);
    ingest(&[]);
    assert!(
        server.hits(&Corpus::feed_path(1)) > hits,
        "an enabled feed is fetched again"
    );
    // It still fails, but its failure window starts at the enable: it is not disabled again at once.
    let conn = Connection::open(&db).unwrap();
    let (disabled, errors): (bool, i64) = conn
        .query_row("SELECT disabled, error_count FROM feeds WHERE id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert!(!disabled, "disabled again by failures from before it was enabled");
    assert_eq!(errors, 1);
    assert_eq!(articles(&conn), 2);
}

#[test]
fn config_shows_each_value_and_its_source() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let file = dir.path().join("gazette.toml");
    std::fs::write(
        &file,
        "min_interval = \"10m\"\nfeed_concurrency = 3\nuser_agent = \"NewsBot/1\"\n",
    )
    .unwrap();
    let out = command(
        &db,
        &["config", "--feed-concurrency", "5", "--format", "json"],
        &[
            ("GAZETTE_CONFIG", file.to_str().unwrap()),
            ("GAZETTE_MAX_INTERVAL", "6h"),
        ],
    )
    .output()
    .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let get = |k: &str| rows.iter().find(|r| r["key"] == k).unwrap().clone();
    assert_eq!(get("min_interval")["value"], "10m");
    assert!(get("min_interval")["source"].as_str().unwrap().starts_with("file "));
    assert_eq!(get("feed_concurrency")["value"], "5");
    assert_eq!(get("feed_concurrency")["source"], "flag --feed-concurrency");
    assert_eq!(get("max_interval")["source"], "env GAZETTE_MAX_INTERVAL");
    assert_eq!(get("db")["source"], "env GAZETTE_DB");
    assert_eq!(get("log_format")["source"], "default");

    // The TOML form is a valid configuration file that reproduces the same values.
    let out = command(&db, &["config"], &[("GAZETTE_CONFIG", file.to_str().unwrap())])
        .output()
        .unwrap();
    let printed = String::from_utf8(out.stdout).unwrap();
    assert!(printed.contains("user_agent"), "{printed}");
    let copy = dir.path().join("copy.toml");
    std::fs::write(&copy, &printed).unwrap();
    let again = command(
        &db,
        &["config", "--config", copy.to_str().unwrap(), "--format", "json"],
        &[],
    )
    .output()
    .unwrap();
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&again.stdout).unwrap();
    let ua = rows.iter().find(|r| r["key"] == "user_agent").unwrap();
    assert_eq!(ua["value"], "NewsBot/1");

    // A typo is an error that names the key.
    std::fs::write(&file, "min_intervall = \"10m\"\n").unwrap();
    let bad = command(&db, &["config"], &[("GAZETTE_CONFIG", file.to_str().unwrap())])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("min_intervall"));
}

#[test]
fn reprocess_replaces_extraction_from_the_stored_pages_without_fetching() {
    let corpus = Corpus::new(2, 3);
    let server = corpus.serve();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    subscribe(&db, &corpus, &server);
    let out = gazette(&db, &["ingest"], FAST);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // Simulate an old extraction: wrong text, old versions, no mentions.
    let conn = Connection::open(&db).unwrap();
    let id: i64 = conn
        .query_row("SELECT min(id) FROM articles WHERE feed_id = 1", [], |r| r.get(0))
        .unwrap();
    let (text_before, mentions_before): (String, i64) = conn
        .query_row(
            "SELECT text, (SELECT count(*) FROM mentions WHERE article_id = a.id) FROM articles a WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    conn.execute_batch(
        "UPDATE articles SET text = 'stale', extractor_version = '0.0.1', tagger_version = '0.0.1';
         DELETE FROM mentions;",
    )
    .unwrap();
    drop(conn);
    let requests = server.requests().len();

    let feed_id = "1";
    let out = gazette(&db, &["reprocess", "--feed", feed_id, "--since", "2000-01-01"], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("3 articles reprocessed, 0 failed"));
    assert_eq!(server.requests().len(), requests, "reprocess does not fetch");

    let conn = Connection::open(&db).unwrap();
    let (text, mentions, version): (String, i64, String) = conn
        .query_row(
            "SELECT text, (SELECT count(*) FROM mentions WHERE article_id = a.id), extractor_version
             FROM articles a WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(text, text_before);
    assert_eq!(mentions, mentions_before);
    assert_ne!(version, "0.0.1");
    // Only feed 1's articles were touched; search sees the restored text.
    assert_eq!(count(&conn, "SELECT count(*) FROM articles WHERE text = 'stale'"), 3);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'stale'"
        ),
        3
    );
    drop(conn);
    assert_consistent(&db);
}

#[test]
fn ingest_uses_the_configured_user_agent_and_caps() {
    let corpus = Corpus::new(1, 2);
    let server = corpus.serve();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let file = dir.path().join("gazette.toml");
    std::fs::write(&file, "user_agent = \"TestBot/1 (+https://example.org)\"\n").unwrap();
    let feed = server.url(&Corpus::feed_path(0));

    // Pages are about 10 KiB: a 4 KiB page cap turns each into a recorded page error, not a crash.
    let mut env: Vec<(&str, &str)> = FAST.to_vec();
    env.push(("GAZETTE_MAX_PAGE_BYTES", "4KiB"));
    let out = gazette(&db, &["--config", file.to_str().unwrap(), "ingest", &feed], &env);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("2 page errors"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let agents: Vec<String> = server
        .requests()
        .iter()
        .filter_map(|r| r.header("user-agent").map(str::to_string))
        .collect();
    assert!(!agents.is_empty());
    assert!(
        agents.iter().all(|a| a == "TestBot/1 (+https://example.org)"),
        "{agents:?}"
    );
    let conn = Connection::open(&db).unwrap();
    let errors = count(&conn, "SELECT count(*) FROM articles WHERE page_error LIKE '%cap%'");
    assert_eq!(errors, 2);
}
