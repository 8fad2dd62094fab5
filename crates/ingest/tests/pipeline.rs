//! The ingest library on its own: the pipeline against the testkit HTTP server on 127.0.0.1 and a SQLite file in a
//! temporary folder, then reprocess over what it stored. (The binary's end-to-end tests are in the top-level tests/.)

use std::sync::Arc;
use std::time::Duration;

use gazette_fetch::{FetchConfig, Fetcher};
use gazette_ingest::metrics::Metrics;
use gazette_ingest::pipeline::{BatchEnd, Pipeline, Settings, Summary};
use gazette_ingest::schedule::Policy;
use gazette_store::{Archive, Cell, FeedSelection, ReprocessFilter, Rows, SqlQuery, Store};
use gazette_testkit::{Response, TestServer};

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><title>{title}</title>\
         <meta property=\"article:published_time\" content=\"2021-12-03T10:00:00Z\"></head><body>\
         <nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav><article><h1>{title}</h1>\
         <p>{body}</p><p>Officials in Nairobi said the talks would continue next week, according to a statement \
         released on Friday by the ministry.</p></article><footer>Copyright 2021 Example News</footer></body></html>"
    )
}

fn feed(base: &str, items: &[&str]) -> String {
    let items: String = items
        .iter()
        .map(|slug| {
            format!(
                "<item><title>{slug}</title><link>{base}/news/{slug}</link><guid>{base}/news/{slug}</guid>\
                 <pubDate>Fri, 03 Dec 2021 10:00:00 GMT</pubDate></item>"
            )
        })
        .collect();
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Example News</title>{items}</channel></rss>")
}

fn settings() -> Settings {
    Settings {
        feed_concurrency: 2,
        page_concurrency: 4,
        extract_threads: 1,
        policy: Policy::default(),
    }
}

fn fetcher() -> Fetcher {
    Fetcher::new(FetchConfig {
        per_host_gap: Duration::ZERO,
        retries: 0,
        ..FetchConfig::default()
    })
    .unwrap()
}

/// One pass over every enabled feed, as `gazette ingest` makes it.
async fn ingest_once(store: &Store) -> Summary {
    let pipeline = Pipeline::new(fetcher(), store.clone(), settings(), Arc::new(Metrics::default()));
    let feeds = store.feeds_to_fetch(FeedSelection::Enabled).await.unwrap();
    let mut running = pipeline.start();
    let (_stop_tx, mut stop) = tokio::sync::watch::channel(false);
    let mut summary = Summary::default();
    let end = pipeline
        .run_batch(&mut running, feeds, &mut stop, Duration::from_secs(5), |r| {
            summary.add(r)
        })
        .await;
    assert_eq!(end, BatchEnd::Done);
    summary
}

fn rows(db: &std::path::Path, sql: &str) -> Vec<Vec<Cell>> {
    let mut archive = Archive::open_sqlite(db).unwrap();
    let mut out = Rows::default();
    let query = SqlQuery {
        sql: sql.into(),
        params: vec![],
        timeout: None,
    };
    archive.query(&query, &mut out).unwrap();
    out.rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_is_stored_once_with_its_pages_and_a_missing_page_is_kept_as_an_error() {
    let server = TestServer::start(|req| {
        let base = format!("http://{}", req.header("host").unwrap_or_default());
        match req.path() {
            "/feed.xml" => Response::ok("application/rss+xml", feed(&base, &["talks", "budget", "gone"])),
            "/news/talks" => Response::ok(
                "text/html",
                page(
                    "Leaders resume talks",
                    "Kenyan President William Ruto met envoys in Nairobi on Friday.",
                ),
            ),
            "/news/budget" => Response::ok(
                "text/html",
                page(
                    "Budget passes",
                    "The National Assembly passed the budget after a long debate on Thursday.",
                ),
            ),
            _ => Response::not_found(),
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let store = Store::open_sqlite(&db).unwrap();
    store.add_feeds(vec![server.url("/feed.xml")]).await.unwrap();

    let first = ingest_once(&store).await;
    assert_eq!(
        (first.feeds, first.new_articles, first.page_errors),
        (1, 3, 1),
        "{first}"
    );
    let again = ingest_once(&store).await;
    assert_eq!(again.new_articles, 0, "{again}");
    assert_eq!(
        server.hits("/news/talks"),
        1,
        "a stored item's page is not fetched again"
    );

    let stored = rows(
        &db,
        "SELECT title, page_error IS NOT NULL, html IS NOT NULL, published_source FROM articles ORDER BY id",
    );
    let expect = |title: &str, error: i64, html: i64, source: &str| {
        vec![
            Cell::from(title),
            Cell::Integer(error),
            Cell::Integer(html),
            Cell::from(source),
        ]
    };
    assert_eq!(
        stored,
        vec![
            expect("Leaders resume talks", 0, 1, "open_graph"),
            expect("Budget passes", 0, 1, "open_graph"),
            // No page: the feed's title and date.
            expect("gone", 1, 0, "feed"),
        ]
    );
    let people = rows(
        &db,
        "SELECT e.name FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE e.type = 'PER'",
    );
    assert!(people.contains(&vec![Cell::from("William Ruto")]), "{people:?}");
    store.close();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reprocess_replaces_every_stored_extraction_and_keeps_counts_fresh() {
    let server = TestServer::start(|req| {
        let base = format!("http://{}", req.header("host").unwrap_or_default());
        match req.path() {
            "/feed.xml" => Response::ok("application/rss+xml", feed(&base, &["a", "b"])),
            path => Response::ok(
                "text/html",
                page(
                    &format!("Story {path}"),
                    "Kenyan President William Ruto met envoys in Nairobi.",
                ),
            ),
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let store = Store::open_sqlite(&db).unwrap();
    store.add_feeds(vec![server.url("/feed.xml")]).await.unwrap();
    assert_eq!(ingest_once(&store).await.new_articles, 2);
    let counts_before = rows(
        &db,
        "SELECT name, mentions, articles FROM entities WHERE mentions > 0 ORDER BY name",
    );

    let done = gazette_ingest::reprocess::run(&store, ReprocessFilter::default(), 2, |_| {}, || {})
        .await
        .unwrap();
    assert_eq!((done.reprocessed, done.failed), (2, 0));
    // The same pages give the same entities; the running totals equal a fresh count from the mentions.
    let counts_after = rows(
        &db,
        "SELECT name, mentions, articles FROM entities WHERE mentions > 0 ORDER BY name",
    );
    assert_eq!(counts_before, counts_after);
    let fresh = rows(
        &db,
        "SELECT e.name, count(*), count(DISTINCT m.article_id) FROM mentions m JOIN entities e ON e.id = m.entity_id
         GROUP BY e.id ORDER BY e.name",
    );
    assert_eq!(counts_after, fresh);
    store.close();
}
