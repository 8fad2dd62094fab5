//! Stories end to end: the labelled fixture set (tests/fixtures/stories) served by a real HTTP server on 127.0.0.1,
//! ingested by the `gazette` binary into a real archive on each backend (a SQLite file, and a PostgreSQL database
//! when GAZETTE_TEST_POSTGRES names a server); the stories the writer made are the labelled ones, a page
//! ingested again under a new URL joins its story, and reprocessing and deleting keep every count equal to a fresh
//! count.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::Arc;

use gazette_stories::labelled::{read_manifest, LabelledPage};
use gazette_testkit::{Response, TestDb, TestServer};

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/stories"))
}

/// One host serves everything: politeness per host relaxed, and one page at a time through one extraction thread,
/// so that articles reach the writer in the feed's order (publication order, as the labels' evaluation takes them).
const ENV: &[(&str, &str)] = &[
    ("GAZETTE_PER_HOST_GAP", "0"),
    ("GAZETTE_PAGE_CONCURRENCY", "1"),
    ("GAZETTE_EXTRACT_THREADS", "1"),
];

fn gazette(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gazette"))
        .args(args)
        .env("GAZETTE_DB", &db.location)
        .envs(ENV.iter().copied())
        .env_remove("RUST_LOG")
        .output()
        .expect("run gazette")
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "gazette failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// An RSS feed of items (title, path, publication time).
fn feed(base: &str, items: &[(String, String, chrono::DateTime<chrono::Utc>)]) -> String {
    let items: String = items
        .iter()
        .map(|(title, path, published)| {
            format!(
                "<item><title>{}</title><link>{base}{path}</link><guid>{base}{path}</guid><pubDate>{}</pubDate></item>",
                title.replace('&', "&amp;").replace('<', "&lt;"),
                published.to_rfc2822()
            )
        })
        .collect();
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Wire</title><link>{base}/</link>{items}</channel></rss>")
}

/// Rows of a query as `gazette query` gives them in CSV.
fn rows(db: &TestDb, sql: &str) -> Vec<Vec<String>> {
    let out = ok(&gazette(db, &["query", sql, "--format", "csv"]));
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

/// The one number a query gives.
fn number(db: &TestDb, sql: &str) -> i64 {
    rows(db, sql)[0][0].parse().unwrap()
}

/// Every count of stories (and of entities' stories) against a fresh count; empty when all agree.
fn counts_disagreeing(db: &TestDb) -> Vec<String> {
    let checks = [
        (
            "SELECT id, first_article_id, articles, sites FROM stories",
            "SELECT story_id, (SELECT b.id FROM articles b WHERE b.story_id = a.story_id
                               ORDER BY COALESCE(b.published_at, b.fetched_at), b.id LIMIT 1),
                    count(*), count(DISTINCT site_host)
             FROM articles a GROUP BY story_id",
        ),
        (
            "SELECT entity_id, day, stories FROM entity_days",
            "SELECT m.entity_id, m.day, count(DISTINCT a.story_id) FROM mentions m JOIN articles a ON a.id = m.article_id
             GROUP BY m.entity_id, m.day",
        ),
        (
            "SELECT id, stories FROM entities WHERE mentions > 0 OR stories <> 0",
            "SELECT m.entity_id, count(DISTINCT a.story_id) FROM mentions m JOIN articles a ON a.id = m.article_id
             GROUP BY m.entity_id",
        ),
    ];
    let mut wrong = Vec::new();
    for (kept, truth) in checks {
        for (a, b) in [(kept, truth), (truth, kept)] {
            let n = number(db, &format!("SELECT count(*) FROM ({a} EXCEPT {b}) AS x"));
            if n > 0 {
                wrong.push(format!("{n} rows of ({a}) not in ({b})"));
            }
        }
    }
    wrong
}

/// The stories as sets of fixture pages, from the articles' URLs (`/p/N` is the N-th page).
fn partition(db: &TestDb, pages: &[LabelledPage]) -> BTreeSet<BTreeSet<String>> {
    let mut by_story: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
    for row in rows(db, "SELECT url, story_id FROM articles WHERE url LIKE '%/p/%'") {
        let (url, story): (&str, i64) = (&row[0], row[1].parse().unwrap());
        let n: usize = url.rsplit('/').next().unwrap().parse().unwrap();
        by_story.entry(story).or_default().insert(pages[n].page.clone());
    }
    by_story.into_values().collect()
}

#[test]
fn the_labelled_stories_come_out_of_ingest_and_stay_right() {
    let dir = fixtures();
    let mut pages = read_manifest(&dir).unwrap();
    pages.sort_by(|a, b| a.published.cmp(&b.published).then_with(|| a.page.cmp(&b.page)));
    let html: Arc<Vec<String>> = Arc::new(
        pages
            .iter()
            .map(|p| std::fs::read_to_string(dir.join(&p.page)).unwrap())
            .collect(),
    );
    let items: Vec<_> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.story.clone(), format!("/p/{i}"), p.published))
        .collect();
    let served = html.clone();
    let server = TestServer::start(move |req| {
        let base = format!("http://{}", req.header("host").unwrap_or("127.0.0.1"));
        let path = req.path().to_string();
        let page = |n: &str| n.parse::<usize>().ok().and_then(|n| served.get(n).cloned());
        match path.as_str() {
            "/feed.xml" => Response::ok("application/rss+xml", feed(&base, &items)),
            // The first page again, under a new URL.
            "/again.xml" => Response::ok(
                "application/rss+xml",
                feed(&base, &[(items[0].0.clone(), "/copy/0".into(), items[0].2)]),
            ),
            "/robots.txt" => Response::ok("text/plain", "User-agent: *\nAllow: /\n"),
            p => match p
                .strip_prefix("/p/")
                .or_else(|| p.strip_prefix("/copy/"))
                .and_then(page)
            {
                Some(body) => Response::ok("text/html; charset=utf-8", body),
                None => Response::not_found(),
            },
        }
    });
    for db in TestDb::each("the_labelled_stories_come_out_of_ingest_and_stay_right") {
        labelled_stories_on(&db, &server, &pages);
    }
}

fn labelled_stories_on(db: &TestDb, server: &TestServer, pages: &[LabelledPage]) {
    ok(&gazette(db, &["ingest", &server.url("/feed.xml")]));

    let mut gold: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for p in pages {
        gold.entry(&p.story).or_default().insert(p.page.clone());
    }
    let gold: BTreeSet<_> = gold.into_values().collect();
    let made = partition(db, pages);
    assert_eq!(made.len(), gold.len(), "{} stories", made.len());
    let wrong: Vec<_> = made.difference(&gold).collect();
    let missing: Vec<_> = gold.difference(&made).collect();
    assert!(
        wrong.is_empty() && missing.is_empty(),
        "made but not labelled: {wrong:#?}\nlabelled but not made: {missing:#?}"
    );
    assert_eq!(counts_disagreeing(db), Vec::<String>::new());

    // The same page under a new URL (another feed) joins its story.
    ok(&gazette(db, &["ingest", &server.url("/again.xml")]));
    let story_of = |pattern: &str| number(db, &format!("SELECT story_id FROM articles WHERE url LIKE '{pattern}'"));
    let first = story_of("%/p/0");
    assert_eq!(story_of("%/copy/0"), first);
    // `gazette stories ID` lists it with its other copies, in order of publication.
    let listed = ok(&gazette(db, &["stories", &first.to_string(), "--format", "csv"]));
    let copies = number(db, &format!("SELECT articles FROM stories WHERE id = {first}"));
    assert_eq!(listed.lines().count() as i64, copies + 1, "{listed}");
    assert!(listed.lines().nth(1).unwrap().contains("/p/0"), "{listed}");
    // `gazette stories` lists the biggest first.
    let top = ok(&gazette(
        db,
        &["stories", "--since", "2000-01-01", "--format", "csv", "--limit", "3"],
    ));
    let biggest = number(
        db,
        "SELECT id FROM stories ORDER BY sites DESC, articles DESC, first_published_at, id LIMIT 1",
    );
    assert!(top.lines().nth(1).unwrap().starts_with(&format!("{biggest},")), "{top}");

    // Reprocessing recomputes every fingerprint and keeps the same stories and right counts.
    ok(&gazette(db, &["reprocess"]));
    assert_eq!(partition(db, pages), made);
    assert_eq!(story_of("%/copy/0"), story_of("%/p/0"));
    assert_eq!(counts_disagreeing(db), Vec::<String>::new());

    // Deleting from plain SQL: a story's first article, then a whole story's articles.
    db.execute("DELETE FROM articles WHERE url LIKE '%/p/0'");
    assert_eq!(counts_disagreeing(db), Vec::<String>::new());
    let gone = story_of("%/copy/0");
    db.execute(&format!("DELETE FROM articles WHERE story_id = {gone}"));
    assert_eq!(
        number(db, &format!("SELECT count(*) FROM stories WHERE id = {gone}")),
        0
    );
    assert_eq!(counts_disagreeing(db), Vec::<String>::new());
}
