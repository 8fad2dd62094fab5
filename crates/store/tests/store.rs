//! The store's public API, whole operations against a real archive on each backend (a SQLite file, and a PostgreSQL
//! database when GAZETTE_TEST_POSTGRES names a server): what the ingest pipeline and the commands see. Each test body
//! runs once per backend. (The SQLite backend's triggers and counters are also tested inside the crate, in
//! `src/sqlite/tests.rs`.)

use chrono::{DateTime, Utc};
use gazette_store::{
    AnsweredFetch, Archive, Cell, Extraction, FailedFetch, FeedEnd, FeedSelection, FetchAttempt, ItemCounts, ItemKey,
    Location, NewArticle, Rows, SqlQuery, Store, StoredArticle,
};
use gazette_testkit::TestDb;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn location(db: &TestDb) -> Location {
    Location::parse(&db.location).unwrap()
}

fn open(db: &TestDb) -> Store {
    Store::open(&location(db)).unwrap()
}

fn query(db: &TestDb, sql: &str) -> Vec<Vec<Cell>> {
    let mut archive = Archive::open(&location(db)).unwrap();
    let mut rows = Rows::default();
    let q = SqlQuery {
        sql: sql.into(),
        params: Vec::new(),
        timeout: None,
    };
    archive.query(&q, &mut rows).unwrap();
    rows.rows
}

fn article(feed: gazette_store::FeedId, key: &str) -> NewArticle {
    NewArticle {
        feed_id: feed,
        item_key: key.into(),
        guid: None,
        url: Some(format!("https://example.com/{key}")),
        html: None,
        page_error: None,
        fetched_at: t("2026-11-20T10:00:00Z"),
        extraction: Extraction {
            title: Some(key.into()),
            text: "Text.".into(),
            ..Default::default()
        },
    }
}

#[test]
fn the_store_serves_async_callers() {
    for db in TestDb::each("the_store_serves_async_callers") {
        the_store_serves_async_callers_on(&db);
    }
}

fn the_store_serves_async_callers_on(db: &TestDb) {
    let store = open(db);
    let rt = runtime();
    let id = rt
        .block_on(store.add_feeds(vec!["http://example.org/feed".into()]))
        .unwrap()[0];
    store.close();
    let rows = query(db, &format!("SELECT url FROM feeds WHERE id = {id}"));
    assert_eq!(rows, [[Cell::Text("http://example.org/feed".into())]]);
}

#[test]
fn a_fetch_learns_which_items_are_new_and_which_pending_pages_departed() {
    for db in TestDb::each("a_fetch_learns_which_items_are_new_and_which_pending_pages_departed") {
        a_fetch_learns_which_items_are_new_on(&db);
    }
}

fn a_fetch_learns_which_items_are_new_on(db: &TestDb) {
    let store = open(db);
    let rt = runtime();
    rt.block_on(async {
        let feed = store.add_feeds(vec!["https://example.com/feed".into()]).await.unwrap()[0];
        let stored = store.store_articles(vec![article(feed, "a")]).await.unwrap();
        assert!(matches!(stored.results[..], [Ok(StoredArticle::Inserted(_))]));
        // "b" failed once; "gone" failed and is no longer in the document.
        assert_eq!(store.page_failed(feed, "b", "HTTP 503", "{}".into()).await.unwrap(), 1);
        store.page_failed(feed, "gone", "HTTP 503", "{}".into()).await.unwrap();
        let items = ["a", "b", "c"]
            .iter()
            .map(|k| ItemKey {
                key: k.to_string(),
                url: None,
            })
            .collect();
        let fetch = AnsweredFetch {
            attempts: vec![FetchAttempt {
                started_at: t("2026-11-21T00:00:00Z"),
                status: Some(200),
                bytes: 10,
                duration_ms: 5,
                error: None,
            }],
            items,
            recent_times: 20,
            ..Default::default()
        };
        let recorded = store.record_fetch(feed, fetch).await.unwrap();
        assert!(recorded.new_items[0].is_none(), "a is stored");
        let b = recorded.new_items[1].as_ref().unwrap().as_ref().unwrap();
        assert_eq!((b.item_key.as_str(), b.tries), ("b", 1));
        assert!(matches!(recorded.new_items[2], Some(None)), "c is new, never tried");
        assert_eq!(recorded.departed.len(), 1);
        assert_eq!(recorded.departed[0].item_key, "gone");
        assert_eq!(recorded.recent_times, [t("2026-11-20T10:00:00Z")]);
        // The feed's progress point is saved with the counts on its fetch.
        let end = FeedEnd::Complete {
            etag: Some("\"v1\"".into()),
            last_modified: None,
            next_check_at: t("2026-11-21T01:00:00Z"),
        };
        let counts = ItemCounts {
            new_items: 1,
            duplicate_items: 1,
        };
        store.finish_feed(feed, end, counts).await.unwrap();
        let due = store.feeds_to_fetch(FeedSelection::Enabled).await.unwrap();
        assert_eq!(due[0].etag.as_deref(), Some("\"v1\""));
        assert_eq!(due[0].next_check_at, Some(t("2026-11-21T01:00:00Z")));
        assert_eq!(due[0].last_full_fetch_at, Some(t("2026-11-21T00:00:00Z")));
        let look = store.look_at_schedule(t("2026-11-21T00:30:00Z"), 10).await.unwrap();
        assert!(look.due.is_empty());
        assert_eq!(look.next_due, Some(t("2026-11-21T01:00:00Z")));
        assert_eq!(look.counts.total, 1);
    });
    store.close();
    let fetches = query(db, "SELECT status, new_items, duplicate_items FROM fetches");
    assert_eq!(fetches, [[Cell::Integer(200), Cell::Integer(1), Cell::Integer(1)]]);
}

#[test]
fn a_feed_failing_long_enough_is_disabled_in_the_same_operation() {
    for db in TestDb::each("a_feed_failing_long_enough_is_disabled_in_the_same_operation") {
        a_feed_failing_long_enough_is_disabled_on(&db);
    }
}

fn a_feed_failing_long_enough_is_disabled_on(db: &TestDb) {
    let store = open(db);
    let rt = runtime();
    rt.block_on(async {
        let feed = store.add_feeds(vec!["https://example.com/feed".into()]).await.unwrap()[0];
        let fail = |at: &str, limit: Option<&str>| FailedFetch {
            attempts: vec![FetchAttempt::failed(t(at), "HTTP 500")],
            error: "HTTP 500".into(),
            next_check_at: t(at) + chrono::Duration::hours(1),
            disable_if_failing_since: limit.map(t),
        };
        let first = store
            .record_failure(feed, fail("2026-11-01T00:00:00Z", None))
            .await
            .unwrap();
        assert_eq!(first.failing_since, Some(t("2026-11-01T00:00:00Z")));
        assert!(!first.disabled);
        let later = fail("2026-11-10T00:00:00Z", Some("2026-10-27T00:00:00Z"));
        assert!(!store.record_failure(feed, later).await.unwrap().disabled);
        let long = fail("2026-11-15T00:00:00Z", Some("2026-11-01T00:00:00Z"));
        assert!(store.record_failure(feed, long).await.unwrap().disabled);
        let feeds = store.feeds().await.unwrap();
        assert!(feeds[0].disabled);
        assert!(feeds[0]
            .last_error
            .as_deref()
            .unwrap()
            .starts_with("disabled: failing since"));
        assert!(store.look_at_schedule(Utc::now(), 10).await.unwrap().next_due.is_none());
    });
    store.close();
}
