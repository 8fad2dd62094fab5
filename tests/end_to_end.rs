//! End to end: the `gazette` binary ingests the seed feed from a real HTTP server on 127.0.0.1 into a real SQLite file.

use std::path::Path;
use std::process::{Command, Output};

use gazette_testkit::{Response, TestServer};
use rusqlite::Connection;
use serde_json::Value;

const FEED: &str = include_str!("fixtures/seed/feed.xml");
const PAGE: &str = include_str!("fixtures/seed/voa-austin-kishi.html");
const EXPECTED: &str = include_str!("fixtures/seed/expected.json");
const PAGE_PATH: &str = "/a/us-defense-secretary-talks-regional-stability-with-japanese-counterpart/6339912.html";

fn seed_server() -> TestServer {
    TestServer::start(|req| {
        let base = format!("http://{}", req.header("host").unwrap_or("127.0.0.1"));
        match req.path() {
            "/feed.xml" => Response::ok(
                "application/rss+xml; charset=utf-8",
                FEED.replace("{{BASE_URL}}", &base),
            ),
            PAGE_PATH => Response::ok("text/html; charset=utf-8", PAGE),
            "/robots.txt" => Response::ok("text/plain", "User-agent: *\nAllow: /\n"),
            _ => Response::not_found(),
        }
    })
}

fn gazette(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gazette"))
        .args(args)
        .env("GAZETTE_DB", db)
        .env_remove("RUST_LOG")
        .output()
        .expect("run gazette")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn ingest_stores_the_seed_article_exactly_once() {
    let server = seed_server();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let feed_url = server.url("/feed.xml");
    let expected: Value = serde_json::from_str(EXPECTED).unwrap();

    let run = gazette(&db, &["ingest", &feed_url]);
    assert!(run.status.success(), "ingest failed: {}", stderr(&run));
    assert!(stdout(&run).contains("1 new articles"), "summary: {}", stdout(&run));

    let conn = Connection::open(&db).unwrap();
    let row = conn
        .query_row(
            "SELECT title, published_at, canonical_url, url, text, image_caption, image_url, site_name, language,
                    authors, extractor_version, html IS NOT NULL, content_hash
             FROM articles",
            [],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, Option<String>>(8)?,
                    r.get::<_, String>(9)?,
                    r.get::<_, Option<String>>(10)?,
                    r.get::<_, bool>(11)?,
                    r.get::<_, Option<String>>(12)?,
                ))
            },
        )
        .unwrap();
    let (title, published, canonical, url, text, caption, image, site, lang, authors, version, has_html, hash) = row;
    assert_eq!(title, expected["title"].as_str().unwrap());
    assert_eq!(published, expected["published"].as_str().unwrap());
    assert_eq!(canonical.as_deref(), expected["url"].as_str());
    assert_eq!(
        url,
        Some(server.url(PAGE_PATH)),
        "tracking parameters are dropped from the item link"
    );
    let paragraphs: Vec<&str> = text.split("\n\n").collect();
    let want: Vec<&str> = expected["body_paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(paragraphs, want);
    assert_eq!(caption.as_deref(), expected["image_caption"].as_str());
    assert!(
        !text.contains(caption.as_deref().unwrap()),
        "the caption is not body text"
    );
    for bad in expected["must_not_contain"].as_array().unwrap() {
        assert!(!text.contains(bad.as_str().unwrap()), "boilerplate in body: {bad}");
    }
    assert_eq!(image.as_deref(), expected["image"].as_str());
    assert_eq!(site.as_deref(), expected["site_name"].as_str());
    assert_eq!(lang.as_deref(), expected["language"].as_str());
    assert_eq!(authors, r#"["VOA News"]"#);
    assert!(version.is_some() && has_html && hash.is_some());
    // What the date rests on, the page's update, and the tagger's coverage, as plain SQL reads them.
    let provenance: (String, Option<String>, String, Option<String>) = conn
        .query_row(
            "SELECT v.published_source, v.updated_at, v.names_tagged, a.untagged_languages
             FROM v_articles v JOIN articles a ON a.id = v.id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        provenance,
        (
            "json_ld".into(),
            Some("2021-12-03T22:40:00Z".into()),
            "all".into(),
            None
        )
    );

    // The feed is remembered, with its fetch recorded.
    let (feed_title, fetches, status): (String, i64, i64) = conn
        .query_row(
            "SELECT f.title, (SELECT count(*) FROM fetches), (SELECT status FROM fetches LIMIT 1) FROM feeds f",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(feed_title, "East Asia - Voice of America");
    assert!(fetches >= 1);
    assert_eq!(status, 200);

    // Mentions point into the field they came from, the caption included, and resolve within the article.
    let mut stmt = conn
        .prepare(
            "SELECT m.field, m.surface, e.type, e.name,
                    substr(CASE m.field WHEN 'title' THEN a.title WHEN 'caption' THEN a.image_caption ELSE a.text END,
                           m.start + 1, m.\"end\" - m.start)
             FROM mentions m JOIN entities e ON e.id = m.entity_id JOIN articles a ON a.id = m.article_id",
        )
        .unwrap();
    let mentions: Vec<(String, String, String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    drop(stmt);
    for (field, surface, _, _, at_offsets) in &mentions {
        assert_eq!(surface, at_offsets, "offsets of {surface:?} in the {field}");
    }
    let has = |field: &str, surface: &str, kind: &str, name: &str| {
        mentions
            .iter()
            .any(|(f, s, t, n, _)| f == field && s == surface && t == kind && n == name)
    };
    assert!(has("caption", "Antony Blinken", "PER", "Antony Blinken"));
    assert!(has("text", "Kishi", "PER", "Nobuo Kishi"));
    assert!(has("text", "U.S.", "LOC", "United States"));
    let speakers: Vec<String> = {
        let mut stmt = conn
            .prepare("SELECT speaker FROM v_quotes WHERE speaker IS NOT NULL")
            .unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect()
    };
    assert!(speakers.contains(&"Shinzo Abe".to_string()) && speakers.contains(&"Hua Chunying".to_string()));

    // Full-text search sees it.
    let hits: i64 = conn
        .query_row(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'Kishi'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(hits, 1);
    drop(conn);

    // A second run, this time from the stored feed list, adds nothing.
    let again = gazette(&db, &["ingest"]);
    assert!(again.status.success(), "second ingest failed: {}", stderr(&again));
    assert!(stdout(&again).contains("0 new articles"), "summary: {}", stdout(&again));
    let conn = Connection::open(&db).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM articles", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
    let page_hits = server.hits(PAGE_PATH);
    assert_eq!(page_hits, 1, "a known article's page is not downloaded again");
}

#[test]
fn query_is_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("q.db");
    let add = gazette(&db, &["feeds", "add", "--no-check", "http://127.0.0.1:9/feed.xml"]);
    assert!(add.status.success(), "{}", stderr(&add));

    let write = gazette(&db, &["query", "DELETE FROM feeds"]);
    assert!(!write.status.success());
    assert!(stderr(&write).contains("read-only"), "{}", stderr(&write));
    let write = gazette(&db, &["query", "UPDATE feeds SET title = 'x'"]);
    assert!(!write.status.success());

    let read = gazette(&db, &["query", "SELECT url, title FROM feeds", "--format", "json"]);
    assert!(read.status.success(), "{}", stderr(&read));
    let rows: Value = serde_json::from_str(&stdout(&read)).unwrap();
    assert_eq!(
        rows,
        serde_json::json!([{"url": "http://127.0.0.1:9/feed.xml", "title": null}])
    );

    let bound = gazette(
        &db,
        &[
            "query",
            "SELECT count(*) AS n FROM feeds WHERE url = :u",
            "--param",
            "u=http://127.0.0.1:9/feed.xml",
            "--format",
            "csv",
        ],
    );
    assert_eq!(stdout(&bound), "n\n1\n");
}

#[test]
fn unreachable_feed_fails_with_a_clear_error_and_non_zero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.db");
    let server = TestServer::start(|_| Response::not_found());
    let run = gazette(&db, &["ingest", &server.url("/missing.xml")]);
    assert!(!run.status.success());
    assert!(stderr(&run).contains("no feed could be fetched"), "{}", stderr(&run));
    let conn = Connection::open(&db).unwrap();
    let (errors, last_error): (i64, String) = conn
        .query_row("SELECT error_count, last_error FROM feeds", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(errors, 1);
    assert!(last_error.contains("404"), "{last_error}");
}

#[test]
fn feeds_import_list_export_remove() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("f.db");
    let opml = dir.path().join("feeds.opml");
    std::fs::write(
        &opml,
        r#"<?xml version="1.0"?><opml version="2.0"><body>
           <outline text="A" xmlUrl="http://127.0.0.1:9/a.xml"/><outline text="B" xmlUrl="http://127.0.0.1:9/b.xml"/>
           </body></opml>"#,
    )
    .unwrap();
    let import = gazette(&db, &["feeds", "import", opml.to_str().unwrap()]);
    assert!(import.status.success(), "{}", stderr(&import));
    let list = gazette(&db, &["feeds", "list", "--format", "csv"]);
    let text = stdout(&list);
    assert!(
        text.starts_with("id,url,title,status,errors,last_fetch,next_check,articles,state\n"),
        "{text}"
    );
    assert!(text.contains("http://127.0.0.1:9/a.xml") && text.contains("http://127.0.0.1:9/b.xml"));
    let export = gazette(&db, &["feeds", "export"]);
    assert!(stdout(&export).contains(r#"xmlUrl="http://127.0.0.1:9/b.xml""#));
    let remove = gazette(&db, &["feeds", "remove", "http://127.0.0.1:9/a.xml"]);
    assert!(remove.status.success(), "{}", stderr(&remove));
    let list = stdout(&gazette(&db, &["feeds", "list", "--format", "csv"]));
    assert!(!list.contains("/a.xml") && list.contains("/b.xml"));
}

#[test]
fn feeds_discover_and_add_from_a_page() {
    let server = TestServer::start(|req| {
        let base = format!("http://{}", req.header("host").unwrap_or("127.0.0.1"));
        match req.path() {
            "/" => Response::ok(
                "text/html",
                r#"<html><head><link rel="alternate" type="application/rss+xml" title="World" href="/world.xml">
                   <link rel="alternate" type="application/atom+xml" title="Asia" href="/asia.atom"></head></html>"#,
            ),
            "/world.xml" | "/asia.atom" => Response::ok("application/rss+xml", FEED.replace("{{BASE_URL}}", &base)),
            "/single" => Response::ok(
                "text/html",
                r#"<html><head><link rel="alternate" type="application/rss+xml" href="/world.xml"></head></html>"#,
            ),
            _ => Response::not_found(),
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    let found = gazette(&db, &["feeds", "discover", &server.url("/")]);
    assert!(found.status.success(), "{}", stderr(&found));
    assert!(stdout(&found).contains(&server.url("/world.xml")) && stdout(&found).contains(&server.url("/asia.atom")));
    assert!(!db.exists(), "discovery creates no database");

    // Several feeds and no terminal to ask on: a clear error naming them; --all takes them all.
    let several = gazette(&db, &["feeds", "add", &server.url("/")]);
    assert!(!several.status.success());
    assert!(stderr(&several).contains("offers 2 feeds"), "{}", stderr(&several));
    let all = gazette(&db, &["feeds", "add", "--all", &server.url("/")]);
    assert!(all.status.success(), "{}", stderr(&all));
    let single = gazette(&db, &["feeds", "add", &server.url("/single")]);
    assert!(single.status.success(), "{}", stderr(&single));
    let list = stdout(&gazette(&db, &["feeds", "list", "--format", "csv"]));
    assert_eq!(list.lines().count(), 3, "{list}");
}

#[test]
fn a_page_that_fails_transiently_is_retried_on_a_later_run_not_stored_broken() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let healthy = Arc::new(AtomicBool::new(false));
    let flag = healthy.clone();
    let server = TestServer::start(move |req| {
        let base = format!("http://{}", req.header("host").unwrap_or("127.0.0.1"));
        match req.path() {
            // Without its 15-minute TTL, which would also space the retries.
            "/feed.xml" => Response::ok(
                "application/rss+xml",
                FEED.replace("{{BASE_URL}}", &base).replace("<ttl>15</ttl>", ""),
            ),
            PAGE_PATH if flag.load(Ordering::SeqCst) => Response::ok("text/html; charset=utf-8", PAGE),
            PAGE_PATH => Response::new(500, "upstream error"),
            _ => Response::not_found(),
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    // Retries wait min_interval after a first failure: a short one keeps the test quick.
    let ingest = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_gazette"))
            .args([&["ingest"], args].concat())
            .env("GAZETTE_DB", &db)
            .env("GAZETTE_MIN_INTERVAL", "1s")
            .env_remove("RUST_LOG")
            .output()
            .expect("run gazette")
    };
    let first = ingest(&[&server.url("/feed.xml")]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("0 new articles"), "{}", stdout(&first));
    let conn = Connection::open(&db).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM articles", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0, "nothing is stored from a 500");
    drop(conn);
    let tried = server.hits(PAGE_PATH);

    healthy.store(true, Ordering::SeqCst);
    // At once: the page's next try is not due yet, so it is left alone (a cron job every minute must not spend a
    // page's tries in minutes).
    let second = ingest(&[]);
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(stdout(&second).contains("0 new articles"), "{}", stdout(&second));
    assert_eq!(server.hits(PAGE_PATH), tried, "tried again before its back-off passed");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let third = ingest(&[]);
    assert!(third.status.success(), "{}", stderr(&third));
    assert!(stdout(&third).contains("1 new articles"), "{}", stdout(&third));
    let conn = Connection::open(&db).unwrap();
    let text: String = conn.query_row("SELECT text FROM articles", [], |r| r.get(0)).unwrap();
    assert!(text.starts_with("The United States is reaching out"));
    let left: i64 = conn
        .query_row("SELECT count(*) FROM page_retries", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0, "the stored article's tries are forgotten");
}

/// Splits a shell command the way the README writes them: words, "double" and 'single' quotes, and backslash-newline
/// continuations.
fn shell_words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = command.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'\n') => {
                chars.next();
            }
            '"' | '\'' => {
                let w = word.get_or_insert_with(String::new);
                for q in chars.by_ref() {
                    if q == c {
                        break;
                    }
                    w.push(q);
                }
            }
            c if c.is_whitespace() => words.extend(word.take()),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}

#[test]
fn the_readme_examples_print_what_the_readme_shows() {
    let readme = include_str!("../README.md");
    let server = seed_server();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("seed.db");
    let out = gazette(&db, &["ingest", &server.url("/feed.xml")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // Each ```sh block that runs `gazette query` or `gazette search`, followed by a ``` block with its output.
    // Splitting on the fences puts the code blocks at the odd places; an output block follows its command with
    // only blank space between.
    let parts: Vec<&str> = readme.split("```").collect();
    let mut checked = 0;
    for i in (1..parts.len().saturating_sub(2)).step_by(2) {
        let (Some(command), between, shown) = (parts[i].strip_prefix("sh\n"), parts[i + 1], parts[i + 2]) else {
            continue;
        };
        let command = command.trim();
        let Some(shown) = shown.strip_prefix('\n') else {
            continue; // a fenced block with a language: not an output
        };
        if !between.trim().is_empty()
            || !(command.starts_with("gazette query") || command.starts_with("gazette search"))
        {
            continue;
        }
        // The feed-health example shows times of the day it was run.
        if command.contains("v_feed_health") {
            continue;
        }
        let words = shell_words(command);
        let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
        let out = gazette(&db, &args);
        assert!(
            out.status.success(),
            "{command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(stdout(&out), shown, "README example:\n{command}");
        checked += 1;
    }
    assert!(checked >= 4, "only {checked} README examples found");
}

#[test]
fn an_item_that_leaves_its_feed_while_its_page_fails_is_stored_without_it() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let moved_on = Arc::new(AtomicBool::new(false));
    let flag = moved_on.clone();
    let server = TestServer::start(move |req| {
        let base = format!("http://{}", req.header("host").unwrap_or("127.0.0.1"));
        let item = |id: &str, title: &str| {
            format!(
                "<item><title>{title}</title><link>{base}/a/{id}.html</link><guid>{id}</guid>\
                 <pubDate>Fri, 03 Dec 2021 21:15:00 GMT</pubDate><description>About {title}</description></item>"
            )
        };
        match req.path() {
            // First the failing story, then (the feed moved on) only a newer one.
            "/feed.xml" => {
                let items = if flag.load(Ordering::SeqCst) {
                    item("newer", "A newer story")
                } else {
                    item("dead", "A story whose page fails")
                };
                Response::ok(
                    "application/rss+xml",
                    format!(
                        "<rss version=\"2.0\"><channel><title>T</title><link>{base}/</link>{items}</channel></rss>"
                    ),
                )
            }
            "/a/newer.html" => Response::ok("text/html; charset=utf-8", PAGE),
            "/robots.txt" => Response::not_found(),
            _ => Response::new(500, "upstream error"),
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let first = gazette(&db, &["ingest", &server.url("/feed.xml")]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("0 new articles"), "{}", stdout(&first));

    moved_on.store(true, Ordering::SeqCst);
    let second = gazette(&db, &["ingest"]);
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(stdout(&second).contains("2 new articles"), "{}", stdout(&second));
    let conn = Connection::open(&db).unwrap();
    let (title, description, error, html): (String, String, String, Option<Vec<u8>>) = conn
        .query_row(
            "SELECT title, description, page_error, html FROM articles WHERE guid = 'dead'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .expect("the departed item is stored");
    assert_eq!(title, "A story whose page fails");
    assert_eq!(description, "About A story whose page fails");
    assert!(error.contains("left the feed") && error.contains("1 tries"), "{error}");
    assert!(html.is_none());
    let newer: Option<String> = conn
        .query_row("SELECT page_error FROM articles WHERE guid = 'newer'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(newer, None);
    let left: i64 = conn
        .query_row("SELECT count(*) FROM page_retries", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0);
}
