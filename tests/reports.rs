//! Reports, search, stats and query over a database built by ingesting fixture feeds from a local server.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

use gazette_testkit::{Response, TestServer};
use rusqlite::Connection;

const PAGE: &str = include_str!("fixtures/seed/voa-austin-kishi.html");
const SEED_ID: &str = "6339912";
const SEED_TITLE: &str = "US Defense Secretary Talks Regional Stability with Japanese Counterpart";

/// Three articles on three days; the last one has a title a spreadsheet would run as a formula.
const ARTICLES: [(&str, &str, &str); 3] = [
    (
        "7000001",
        "2021-12-02T09:00:00Z",
        "Seoul and Tokyo Weigh Security Talks",
    ),
    ("7000002", "2021-12-03T21:15:00Z", SEED_TITLE),
    (
        "7000003",
        "2021-12-04T00:00:00Z",
        "=HYPERLINK(\"http://evil.example\",\"click\")",
    ),
];

fn page(id: &str, published: &str, title: &str) -> String {
    let in_html = title.replace('&', "&amp;").replace('"', "&quot;");
    let in_json = serde_json::to_string(title).unwrap();
    PAGE.replace(SEED_ID, id)
        .replace(
            &format!("\"headline\": \"{SEED_TITLE}\""),
            &format!("\"headline\": {in_json}"),
        )
        .replace(SEED_TITLE, &in_html)
        .replace("2021-12-03T21:15:00Z", published)
        .replace("2021-12-03 21:15:00Z", published)
}

fn feed(base: &str) -> String {
    let items: String = ARTICLES
        .iter()
        .map(|(id, published, title)| {
            let date = chrono::DateTime::parse_from_rfc3339(published).unwrap().to_rfc2822();
            let title = title.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
            format!(
                "<item><title>{title}</title><link>{base}/a/{id}.html</link><guid isPermaLink=\"false\">{id}</guid>\
                 <pubDate>{date}</pubDate></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Fixture news</title><link>{base}/</link>\
         <description>fixtures</description>{items}</channel></rss>"
    )
}

fn server() -> TestServer {
    TestServer::start(|req| {
        let base = format!("http://{}", req.header("host").unwrap_or("127.0.0.1"));
        if req.path() == "/feed.xml" {
            return Response::ok("application/rss+xml", feed(&base));
        }
        for (id, published, title) in ARTICLES {
            if req.path() == format!("/a/{id}.html") {
                return Response::ok("text/html; charset=utf-8", page(id, published, title));
            }
        }
        Response::not_found()
    })
}

fn gazette(db: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .args(args)
        .env("GAZETTE_DB", db)
        .env_remove("RUST_LOG")
        .output()
        .expect("run gazette");
    out
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "gazette failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn column(header: &[String], rows: &[Vec<String>], name: &str) -> Vec<String> {
    let i = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    rows.iter().map(|r| r[i].clone()).collect()
}

fn strings(conn: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(sql).unwrap();
    let rows = stmt.query_map([], |r| r.get::<_, rusqlite::types::Value>(0)).unwrap();
    rows.map(|v| match v.unwrap() {
        rusqlite::types::Value::Integer(i) => i.to_string(),
        rusqlite::types::Value::Text(t) => t,
        rusqlite::types::Value::Null => String::new(),
        other => format!("{other:?}"),
    })
    .collect()
}

fn ingested() -> (TestServer, tempfile::TempDir, std::path::PathBuf) {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let summary = ok(gazette(&db, &["ingest", &server.url("/feed.xml")]));
    assert!(summary.contains("3 new articles"), "{summary}");
    (server, dir, db)
}

#[test]
fn every_report_matches_the_database() {
    let (_server, _dir, db) = ingested();
    let conn = Connection::open(&db).unwrap();

    let (header, rows) = csv_rows(&ok(gazette(&db, &["export", "articles", "--raw"])));
    for (name, sql) in [
        ("id", "SELECT id FROM articles ORDER BY published_at, id"),
        ("title", "SELECT title FROM articles ORDER BY published_at, id"),
        (
            "url",
            "SELECT COALESCE(canonical_url, url) FROM articles ORDER BY published_at, id",
        ),
        ("language", "SELECT language FROM articles ORDER BY published_at, id"),
        (
            "text_chars",
            "SELECT length(text) FROM articles ORDER BY published_at, id",
        ),
    ] {
        assert_eq!(column(&header, &rows, name), strings(&conn, sql), "column {name}");
    }
    assert_eq!(
        column(&header, &rows, "published_at"),
        ["2021-12-02T09:00:00Z", "2021-12-03T21:15:00Z", "2021-12-04T00:00:00Z"]
    );

    let (header, rows) = csv_rows(&ok(gazette(&db, &["export", "mentions"])));
    assert!(!rows.is_empty(), "the tagger found nothing");
    assert_eq!(rows.len(), strings(&conn, "SELECT id FROM mentions").len());
    let exported: BTreeSet<(String, String, String)> = rows
        .iter()
        .map(|r| {
            let get = |name: &str| r[header.iter().position(|h| h == name).unwrap()].clone();
            (get("article_id"), get("start"), get("surface"))
        })
        .collect();
    let mut stmt = conn.prepare("SELECT article_id, start, surface FROM mentions").unwrap();
    let stored: BTreeSet<(String, String, String)> = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?.to_string(),
                r.get::<_, i64>(1)?.to_string(),
                r.get(2)?,
            ))
        })
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(exported, stored);

    // Every entity row, every count, against a fresh count from the mentions (the report reads the running totals).
    let (header, rows) = csv_rows(&ok(gazette(&db, &["export", "entities", "--raw"])));
    let exported: BTreeSet<Vec<String>> = rows
        .iter()
        .map(|r| {
            ["entity_id", "mentions", "articles", "first_day", "last_day"]
                .iter()
                .map(|c| r[header.iter().position(|h| h == c).unwrap()].clone())
                .collect()
        })
        .collect();
    let fresh: BTreeSet<Vec<String>> = conn
        .prepare(
            "SELECT m.entity_id, count(*), count(DISTINCT m.article_id), min(m.day), max(m.day)
             FROM mentions m GROUP BY m.entity_id",
        )
        .unwrap()
        .query_map([], |r| {
            Ok(vec![
                r.get::<_, i64>(0)?.to_string(),
                r.get::<_, i64>(1)?.to_string(),
                r.get::<_, i64>(2)?.to_string(),
                r.get(3)?,
                r.get(4)?,
            ])
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(fresh.len() > 20, "the tagger found too little: {}", fresh.len());
    assert_eq!(exported, fresh);
    // One feed only here: the per-feed path (which counts from article_entities) gives the same rows.
    let (_, per_feed) = csv_rows(&ok(gazette(&db, &["export", "entities", "--raw", "--feed", "1"])));
    assert_eq!(per_feed, rows);
    assert!(csv_rows(&ok(gazette(&db, &["export", "entities", "--feed", "2"])))
        .1
        .is_empty());

    let (header, rows) = csv_rows(&ok(gazette(&db, &["export", "timeline"])));
    let total: i64 = column(&header, &rows, "mentions")
        .iter()
        .map(|m| m.parse::<i64>().unwrap())
        .sum();
    assert_eq!(total, strings(&conn, "SELECT id FROM mentions").len() as i64);

    let (_, per_feed) = csv_rows(&ok(gazette(&db, &["export", "timeline", "--feed", "1"])));
    assert_eq!(per_feed, rows);

    // Co-occurrence: the whole ranking equals a brute-force count over the mentions; the top N is its head.
    let pairs = |args: &[&str]| -> Vec<(String, String, i64)> {
        let mut all = vec!["export", "cooccurrence", "--raw"];
        all.extend_from_slice(args);
        let (header, rows) = csv_rows(&ok(gazette(&db, &all)));
        let get = |r: &Vec<String>, name: &str| r[header.iter().position(|h| h == name).unwrap()].clone();
        rows.iter()
            .map(|r| {
                (
                    get(r, "entity1_id"),
                    get(r, "entity2_id"),
                    get(r, "articles").parse().unwrap(),
                )
            })
            .collect()
    };
    let brute = |types: &str| -> BTreeSet<(String, String, i64)> {
        conn.prepare(&format!(
            "WITH named AS (SELECT DISTINCT m.article_id, m.entity_id FROM mentions m
                            JOIN entities e ON e.id = m.entity_id WHERE e.type IN ({types}))
             SELECT a.entity_id, b.entity_id, count(*) FROM named a
             JOIN named b ON b.article_id = a.article_id AND b.entity_id > a.entity_id
             GROUP BY a.entity_id, b.entity_id"
        ))
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?.to_string(),
                r.get::<_, i64>(1)?.to_string(),
                r.get(2)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    let all = pairs(&[]);
    assert!(all.len() > 100, "{} pairs", all.len());
    assert_eq!(
        all.iter().cloned().collect::<BTreeSet<_>>(),
        brute("'PER', 'ORG', 'LOC', 'MISC'")
    );
    assert!(all.windows(2).all(|w| w[0].2 >= w[1].2), "ranked by articles");
    let top = pairs(&["--limit", "5"]);
    assert_eq!(top.len(), 5);
    let counts = |p: &[(String, String, i64)]| p.iter().map(|x| x.2).collect::<Vec<_>>();
    assert_eq!(counts(&top), counts(&all[..5]));
    assert!(top.iter().all(|p| all.contains(p)));
    let people = pairs(&["--type", "per"]);
    assert!(!people.is_empty());
    assert_eq!(people.into_iter().collect::<BTreeSet<_>>(), brute("'PER'"));
    assert_eq!(pairs(&["--feed", "1"]), all);
    assert!(pairs(&["--feed", "2"]).is_empty());
    // Only the seed's day: its pairs are the pairs of that one article.
    let one_day = pairs(&["--since", "2021-12-03", "--until", "2021-12-03"]);
    assert!(!one_day.is_empty() && one_day.iter().all(|p| p.2 == 1));

    let (header, rows) = csv_rows(&ok(gazette(&db, &["export", "quotes"])));
    assert_eq!(rows.len(), strings(&conn, "SELECT id FROM quotes").len());
    assert_eq!(column(&header, &rows, "quote"), strings(&conn, "SELECT q.text FROM quotes q JOIN articles a ON a.id = q.article_id ORDER BY a.published_at, q.article_id, q.start"));

    let (header, rows) = csv_rows(&ok(gazette(&db, &["export", "feeds"])));
    assert_eq!(column(&header, &rows, "title"), ["Fixture news"]);
    assert_eq!(column(&header, &rows, "articles"), ["3"]);
    assert_eq!(column(&header, &rows, "last_status"), ["200"]);
}

#[test]
fn date_filters_include_both_edges() {
    let (_server, dir, db) = ingested();
    let published = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["export", "articles"];
        all.extend_from_slice(args);
        let (header, rows) = csv_rows(&ok(gazette(&db, &all)));
        column(&header, &rows, "published_at")
    };
    assert_eq!(
        published(&["--since", "2021-12-03", "--until", "2021-12-03"]),
        ["2021-12-03T21:15:00Z"]
    );
    assert_eq!(
        published(&["--since", "2021-12-03T21:15:00Z", "--until", "2021-12-04T00:00:00Z"]),
        ["2021-12-03T21:15:00Z", "2021-12-04T00:00:00Z"]
    );
    assert_eq!(
        published(&["--since", "2021-12-03T21:15:01Z"]),
        ["2021-12-04T00:00:00Z"]
    );
    assert_eq!(
        published(&["--until", "2021-12-03T21:14:59Z"]),
        ["2021-12-02T09:00:00Z"]
    );
    assert!(published(&["--since", "2021-12-05"]).is_empty());
    assert_eq!(published(&["--limit", "1"]).len(), 1);
    assert_eq!(published(&["--feed", "1"]).len(), 3);
    assert!(published(&["--feed", "2"]).is_empty());

    // Day-based reports agree with the article dates: the article of 2021-12-04T00:00:00Z is on the 4th.
    let days = |args: &[&str]| -> BTreeSet<String> {
        let mut all = vec!["export", "timeline"];
        all.extend_from_slice(args);
        let (header, rows) = csv_rows(&ok(gazette(&db, &all)));
        column(&header, &rows, "day").into_iter().collect()
    };
    assert_eq!(
        days(&["--since", "2021-12-04"]),
        BTreeSet::from(["2021-12-04".to_string()])
    );
    assert_eq!(
        days(&["--until", "2021-12-02"]),
        BTreeSet::from(["2021-12-02".to_string()])
    );
    // A time at midnight is a day boundary, so it is the same as the day.
    assert_eq!(
        days(&["--since", "2021-12-03T00:00:00Z", "--until", "2021-12-03T23:59:59Z"]),
        BTreeSet::from(["2021-12-03".to_string()])
    );
    // Any other time of day would be widened to its whole day: refused, saying why.
    for report in ["entities", "timeline", "cooccurrence"] {
        let out = gazette(&db, &["export", report, "--since", "2021-12-03T21:15:01Z"]);
        assert!(!out.status.success(), "{report}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("counts by publication day"),
            "{report}"
        );
    }
    let (header, rows) = csv_rows(&ok(gazette(&db, &["export", "mentions", "--type", "loc"])));
    let types: BTreeSet<String> = column(&header, &rows, "type").into_iter().collect();
    assert_eq!(types, BTreeSet::from(["LOC".to_string()]));

    let bad = gazette(&db, &["export", "articles", "--since", "last week"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is not a date"));
    let out = dir.path().join("a.csv");
    ok(gazette(&db, &["export", "articles", "--out", out.to_str().unwrap()]));
    assert_eq!(csv_rows(&std::fs::read_to_string(&out).unwrap()).1.len(), 3);
}

#[test]
fn formula_cells_are_neutralised_unless_raw() {
    let (_server, _dir, db) = ingested();
    let evil = ARTICLES[2].2;
    let (header, rows) = csv_rows(&ok(gazette(&db, &["export", "articles", "--since", "2021-12-04"])));
    assert_eq!(column(&header, &rows, "title"), [format!("'{evil}")]);
    let (header, rows) = csv_rows(&ok(gazette(
        &db,
        &["export", "articles", "--since", "2021-12-04", "--raw"],
    )));
    assert_eq!(column(&header, &rows, "title"), [evil.to_string()]);
}

#[test]
fn search_query_and_stats() {
    let (_server, _dir, db) = ingested();
    let (header, rows) = csv_rows(&ok(gazette(&db, &["search", "Kishi", "--format", "csv"])));
    assert_eq!(rows.len(), 3);
    assert!(column(&header, &rows, "snippet").iter().all(|s| s.contains("[Kishi]")));
    let (_, rows) = csv_rows(&ok(gazette(&db, &["search", "Seoul Tokyo", "--format", "csv"])));
    assert_eq!(rows.len(), 1, "title words are searchable");
    let (_, rows) = csv_rows(&ok(gazette(
        &db,
        &[
            "search",
            "Kishi",
            "--since",
            "2021-12-03",
            "--limit",
            "5",
            "--format",
            "csv",
        ],
    )));
    assert_eq!(rows.len(), 2);
    // Not valid FTS5 syntax: searched as plain words.
    let (_, rows) = csv_rows(&ok(gazette(
        &db,
        &["search", "\"Japan-U.S. alliance", "--format", "csv"],
    )));
    assert_eq!(rows.len(), 3);

    let (_, rows) = csv_rows(&ok(gazette(
        &db,
        &["search", "Kishi", "--feed", "1", "--format", "csv"],
    )));
    assert_eq!(rows.len(), 3);
    let (_, rows) = csv_rows(&ok(gazette(
        &db,
        &["search", "Kishi", "--feed", "2", "--format", "csv"],
    )));
    assert!(rows.is_empty());

    // Writes through `query` fail and change nothing: the file is byte for byte the same.
    let bytes = || {
        let wal = std::fs::read(format!("{}-wal", db.display())).unwrap_or_default();
        (std::fs::read(&db).unwrap(), wal)
    };
    let before = bytes();
    let attached = db.with_file_name("attached.db");
    for sql in [
        "DELETE FROM articles".to_string(),
        "UPDATE feeds SET title = 'x'".to_string(),
        "PRAGMA user_version = 7".to_string(),
        "CREATE TABLE t (x)".to_string(),
        format!("ATTACH '{}' AS x", attached.display()),
        "PRAGMA query_only = 0; DELETE FROM articles".to_string(),
    ] {
        let write = gazette(&db, &["query", &sql]);
        assert!(!write.status.success(), "{sql} succeeded");
        let stderr = String::from_utf8_lossy(&write.stderr);
        assert!(
            stderr.contains("read-only") || stderr.contains("query failed"),
            "{sql}: {stderr}"
        );
    }
    assert!(!attached.exists(), "ATTACH created a file");
    assert!(before == bytes(), "a write through query changed the database");
    let nd = ok(gazette(
        &db,
        &[
            "query",
            "SELECT id, title FROM articles ORDER BY id",
            "--format",
            "ndjson",
        ],
    ));
    assert_eq!(nd.lines().count(), 3);
    assert!(nd.lines().all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
    let slow = gazette(
        &db,
        &[
            "query",
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
            "--timeout",
            "0.2",
        ],
    );
    assert!(!slow.status.success());
    assert!(String::from_utf8_lossy(&slow.stderr).contains("time limit"));

    let stats = ok(gazette(&db, &["stats"]));
    assert!(stats.contains("articles   3"), "{stats}");
    assert!(
        stats.contains("published  2021-12-02T09:00:00Z .. 2021-12-04T00:00:00Z"),
        "{stats}"
    );
    assert!(stats.contains("MiB, write-ahead log"), "{stats}");
    // The last day with articles is the 4th; its top entity is the one mentioned most that day.
    let conn = Connection::open(&db).unwrap();
    let top: String = conn
        .query_row(
            "SELECT e.name FROM entity_days d JOIN entities e ON e.id = d.entity_id
             WHERE d.day = '2021-12-04' AND e.type IN ('PER', 'ORG', 'LOC', 'MISC')
             ORDER BY d.mentions DESC, e.name LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let listed = stats
        .split("top entities of 2021-12-04")
        .nth(1)
        .expect("a top-entities section for the 4th");
    assert!(listed.lines().nth(1).unwrap().contains(&top), "{stats}");
}

#[test]
fn query_binds_numbers_and_refuses_file_writes() {
    let (_server, dir, db) = ingested();
    let n = ok(gazette(
        &db,
        &[
            "query",
            "SELECT count(*) AS n FROM articles HAVING count(*) > :min",
            "--param",
            "min=2",
            "--format",
            "csv",
        ],
    ));
    assert_eq!(n, "n\n3\n", "a numeric parameter compares as a number");
    // A value with quotes is bound as it is, never pasted into the SQL.
    let title = ARTICLES[2].2;
    let found = ok(gazette(
        &db,
        &[
            "query",
            "SELECT count(*) AS n FROM articles WHERE title = :t",
            "--param",
            &format!("t={title}"),
            "--format",
            "csv",
        ],
    ));
    assert_eq!(found, "n\n1\n");
    // A parameter the SQL uses but the command line forgot is an error, not a silent NULL.
    let forgot = gazette(&db, &["query", "SELECT * FROM articles WHERE id = :id"]);
    assert!(!forgot.status.success());
    assert!(String::from_utf8_lossy(&forgot.stderr).contains("--param id=VALUE"));
    // JSON keeps columns that share a name; the table form lines them up.
    let json = ok(gazette(
        &db,
        &[
            "query",
            "SELECT a.id, f.id, f.title FROM articles a JOIN feeds f ON f.id = a.feed_id ORDER BY a.id LIMIT 1",
            "--format",
            "json",
        ],
    ));
    let rows: Vec<serde_json::Map<String, serde_json::Value>> = serde_json::from_str(&json).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].keys().cloned().collect::<BTreeSet<_>>(),
        BTreeSet::from(["id".into(), "id_2".into(), "title".into()])
    );
    assert_eq!(rows[0]["id_2"], 1);
    let table = ok(gazette(&db, &["query", "SELECT id, title FROM feeds"]));
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines[0].split_whitespace().collect::<Vec<_>>(), ["id", "title"]);
    assert!(lines[1].chars().all(|c| c == '-' || c == ' '));
    assert_eq!(lines[2], "1   Fixture news");
    let bad = gazette(&db, &["query", "SELECT 1", "--timeout", "NaN"]);
    assert!(!bad.status.success());
    assert!(
        ok(gazette(
            &db,
            &["query", "SELECT 1 AS x", "--timeout", "1e300", "--format", "csv"]
        )) == "x\n1\n"
    );
    let copy = dir.path().join("copy.db");
    let vacuum = gazette(&db, &["query", &format!("VACUUM INTO '{}'", copy.display())]);
    assert!(!vacuum.status.success());
    assert!(String::from_utf8_lossy(&vacuum.stderr).contains("read-only"));
    assert!(!copy.exists(), "VACUUM INTO created a file");

    let wrong = gazette(&db, &["export", "feeds", "--since", "2021-12-03"]);
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("has no --since filter"));
    let missing = gazette(&dir.path().join("typo.db"), &["feeds", "list"]);
    assert!(!missing.status.success());
    assert!(!dir.path().join("typo.db").exists(), "a mistyped --db creates nothing");
}
