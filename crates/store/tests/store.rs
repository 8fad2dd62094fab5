//! The store's public API, whole operations against a real archive on each backend (a SQLite file, and a PostgreSQL
//! database when GAZETTE_TEST_POSTGRES names a server): what the ingest pipeline and the commands see. Each test body
//! runs once per backend. (The SQLite backend's triggers and counters are also tested inside the crate, in
//! `src/sqlite/tests.rs`.)

use chrono::{DateTime, Utc};
use gazette_store::{
    AnsweredFetch, Archive, ArticleId, Cell, EntityType, Extraction, FailedFetch, FeedEnd, FeedSelection, FetchAttempt,
    Field, ItemCounts, ItemKey, Location, NewArticle, NewMention, Rows, SqlQuery, Store, StoredArticle, StoryPrint,
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

/// `n` sentences of words drawn from a vocabulary, different for each `seed`: bodies that share no five-word run.
fn body(seed: u64, sentences: usize) -> String {
    const WORDS: [&str; 24] = [
        "harbour", "council", "bridge", "minister", "said", "week", "river", "police", "vote", "school", "market",
        "closed", "after", "report", "city", "north", "budget", "road", "ferry", "court", "mayor", "storm", "rail",
        "union",
    ];
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..sentences)
        .map(|_| {
            let words: Vec<&str> = (0..12)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    WORDS[(state % 24) as usize]
                })
                .collect();
            format!("{}.", words.join(" "))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn story_extraction(text: String, published: &str, names: &[&str]) -> Extraction {
    let scheme = gazette_stories::Scheme::default();
    Extraction {
        title: Some("A headline".into()),
        published_at: Some(t(published)),
        story: StoryPrint::compute(Some("A headline"), None, &text, &scheme),
        mentions: names
            .iter()
            .enumerate()
            .map(|(i, name)| NewMention {
                field: Field::Text,
                start: i as i64 * 10,
                end: i as i64 * 10 + 3,
                surface: name.to_string(),
                entity_type: EntityType::Person,
                entity_name: name.to_string(),
            })
            .collect(),
        text,
        tagger_version: Some("t".into()),
        ..Default::default()
    }
}

/// Stories' rows and the entities' story counts against a fresh count: the rows where they differ.
fn stories_disagreeing(db: &TestDb) -> Vec<String> {
    let checks = [
        "SELECT count(*) FROM articles WHERE story_id IS NULL OR story_id NOT IN (SELECT id FROM stories)",
        "SELECT count(*) FROM stories s
         WHERE s.articles <> (SELECT count(*) FROM articles a WHERE a.story_id = s.id)
            OR s.sites <> (SELECT count(DISTINCT site_host) FROM articles a WHERE a.story_id = s.id)
            OR s.first_article_id IS DISTINCT FROM (SELECT id FROM articles a WHERE a.story_id = s.id
                                                    ORDER BY COALESCE(published_at, fetched_at), id LIMIT 1)",
        "SELECT count(*) FROM entities e
         WHERE e.stories <> (SELECT count(DISTINCT a.story_id) FROM mentions m JOIN articles a ON a.id = m.article_id
                             WHERE m.entity_id = e.id)",
        "SELECT count(*) FROM entity_days d
         WHERE d.stories <> (SELECT count(DISTINCT a.story_id) FROM mentions m JOIN articles a ON a.id = m.article_id
                             WHERE m.entity_id = d.entity_id AND m.day = d.day)",
        "SELECT count(*) FROM (SELECT a.story_id, m.entity_id, m.day, count(DISTINCT a.id) AS n
                               FROM mentions m JOIN articles a ON a.id = m.article_id
                               GROUP BY a.story_id, m.entity_id, m.day) f
         FULL JOIN story_entity_days s ON s.story_id = f.story_id AND s.entity_id = f.entity_id AND s.day = f.day
         WHERE f.n IS NULL OR s.articles IS NULL OR f.n <> s.articles",
    ];
    checks
        .iter()
        .filter(|sql| query(db, sql) != [[Cell::Integer(0)]])
        .map(|sql| sql.to_string())
        .collect()
}

fn one(db: &TestDb, sql: &str) -> i64 {
    match query(db, sql)[..] {
        [ref row] => match row[..] {
            [Cell::Integer(n)] => n,
            _ => panic!("{sql}: {row:?}"),
        },
        ref rows => panic!("{sql}: {rows:?}"),
    }
}

/// (first article, articles, sites) of a story.
fn story_row(db: &TestDb, story: i64) -> Vec<Vec<Cell>> {
    query(
        db,
        &format!("SELECT first_article_id, articles, sites FROM stories WHERE id = {story}"),
    )
}

#[test]
fn copies_join_the_story_and_counts_follow_every_write() {
    for db in TestDb::each("copies_join_the_story_and_counts_follow_every_write") {
        copies_join_the_story_on(&db);
    }
}

fn copies_join_the_story_on(db: &TestDb) {
    let store = open(db);
    let rt = runtime();
    let story_of = |id: ArticleId| one(db, &format!("SELECT story_id FROM articles WHERE id = {id}"));
    let ids = |n: &[i64]| vec![n.iter().map(|&x| Cell::Integer(x)).collect::<Vec<_>>()];
    let wire = body(1, 12);
    let (a1, b1, c1, a2, empty) = rt.block_on(async {
        let feeds = store
            .add_feeds(vec![
                "https://a.example/feed".into(),
                "https://b.example/feed".into(),
                "https://c.example/feed".into(),
            ])
            .await
            .unwrap();
        let (a, b, c) = (feeds[0], feeds[1], feeds[2]);
        let new = |feed, url: &str, e| NewArticle {
            url: Some(url.into()),
            extraction: e,
            ..article(feed, url)
        };
        let trimmed = format!("{} An editor's note: this copy was trimmed.", body(1, 9));
        // One batch: later articles see the earlier ones of their batch.
        let stored = store
            .store_articles(vec![
                new(
                    a,
                    "https://a.example/1",
                    story_extraction(wire.clone(), "2026-11-20T10:00:00Z", &["Ann", "Bo"]),
                ),
                // Published earlier, arrived later: it becomes the story's first article.
                new(
                    b,
                    "https://b.example/1",
                    story_extraction(trimmed, "2026-11-20T09:00:00Z", &["Ann"]),
                ),
                new(
                    c,
                    "https://c.example/1",
                    story_extraction(body(2, 12), "2026-11-20T11:00:00Z", &["Ann", "Cy"]),
                ),
            ])
            .await
            .unwrap();
        // The same page again under a new URL of the same site, and an article without text, in another batch.
        let more = store
            .store_articles(vec![
                new(
                    a,
                    "https://a.example/1-updated",
                    story_extraction(wire.clone(), "2026-11-21T08:00:00Z", &["Bo"]),
                ),
                new(
                    c,
                    "https://c.example/2",
                    story_extraction(String::new(), "2026-11-20T11:00:00Z", &["Ann"]),
                ),
            ])
            .await
            .unwrap();
        let id = |r: &gazette_store::Result<StoredArticle>| match r {
            Ok(StoredArticle::Inserted(id)) => *id,
            other => panic!("{other:?}"),
        };
        (
            id(&stored.results[0]),
            id(&stored.results[1]),
            id(&stored.results[2]),
            id(&more.results[0]),
            id(&more.results[1]),
        )
    });
    let s = story_of(a1);
    assert_eq!([story_of(b1), story_of(a2)], [s, s], "{:?}", db.backend);
    assert_ne!(story_of(c1), s);
    assert_ne!(story_of(empty), story_of(c1));
    assert_eq!(story_row(db, s), ids(&[b1.0, 3, 2]));
    assert_eq!(
        query(db, "SELECT articles, stories FROM entities WHERE name = 'Ann'"),
        ids(&[4, 3])
    );
    assert_eq!(stories_disagreeing(db), Vec::<String>::new());

    // Re-extraction: c1 now carries the wire copy and joins its story; its own story, emptied, goes.
    let old = story_of(c1);
    rt.block_on(async {
        let redone = story_extraction(wire.clone(), "2026-11-20T11:00:00Z", &["Ann", "Cy"]);
        assert!(store.replace_extraction(c1, redone).await.unwrap());
    });
    assert_eq!(story_of(c1), s);
    assert_eq!(one(db, &format!("SELECT count(*) FROM stories WHERE id = {old}")), 0);
    assert_eq!(story_row(db, s), ids(&[b1.0, 4, 3]));
    assert_eq!(stories_disagreeing(db), Vec::<String>::new());
    rt.block_on(async {
        // a1 rewritten as something else: no earlier article matches, and it came first to its story, so it stays.
        let other = story_extraction(body(3, 12), "2026-11-20T10:00:00Z", &["Di"]);
        assert!(store.replace_extraction(a1, other).await.unwrap());
        // a2 rewritten as the same: it matches b1, of the same story.
        let same = story_extraction(wire.clone(), "2026-11-21T08:00:00Z", &["Bo"]);
        assert!(store.replace_extraction(a2, same).await.unwrap());
    });
    assert_eq!([story_of(a1), story_of(a2)], [s, s]);
    assert_eq!(stories_disagreeing(db), Vec::<String>::new());
    store.close();

    // Deletes from plain SQL: the first article (its story gets the next), then another.
    db.execute(&format!("DELETE FROM articles WHERE id = {b1}"));
    assert_eq!(story_row(db, s)[0][0], Cell::Integer(a1.0));
    assert_eq!(stories_disagreeing(db), Vec::<String>::new());
    db.execute(&format!("DELETE FROM articles WHERE id = {a1}"));
    assert_eq!(story_row(db, s), ids(&[c1.0, 2, 2]));
    assert_eq!(stories_disagreeing(db), Vec::<String>::new());
    // Moved by hand, and inserted by hand without a story: still counted right.
    db.execute(&format!(
        "UPDATE articles SET story_id = {} WHERE id = {a2};
         INSERT INTO articles (feed_id, item_key, url, title, fetched_at)
         VALUES (1, 'hand', 'https://d.example/x', 'x', '2026-11-22T00:00:00Z')",
        story_of(empty)
    ));
    assert_eq!(stories_disagreeing(db), Vec::<String>::new());
    // Every article's story gone with its feed.
    db.execute("DELETE FROM feeds");
    assert_eq!(one(db, "SELECT count(*) FROM stories"), 0);
    assert_eq!(stories_disagreeing(db), Vec::<String>::new());
}

/// The store decides stories with the configuration it is given: with no candidates per band key, copies stay
/// apart.
#[test]
fn the_story_configuration_is_honoured() {
    for db in TestDb::each("the_story_configuration_is_honoured") {
        let mut config = gazette_stories::Config::default();
        config.candidates.per_key = 0;
        let store = open(&db).with_story_config(config);
        let rt = runtime();
        rt.block_on(async {
            let feed = store.add_feeds(vec!["https://a.example/feed".into()]).await.unwrap()[0];
            let copies = ["https://a.example/1", "https://a.example/2"].map(|url| NewArticle {
                url: Some(url.into()),
                extraction: story_extraction(body(7, 12), "2026-11-20T10:00:00Z", &["Ann"]),
                ..article(feed, url)
            });
            store.store_articles(copies.to_vec()).await.unwrap();
        });
        store.close();
        assert_eq!(
            one(&db, "SELECT count(DISTINCT story_id) FROM articles"),
            2,
            "{:?}",
            db.backend
        );
        assert_eq!(stories_disagreeing(&db), Vec::<String>::new());
    }
}

/// Four workers store copies of the same three wires at once, each into its own feed (PostgreSQL: several writers):
/// the stories' rows and the entities' story counts still equal a fresh count.
#[test]
fn concurrent_writers_keep_the_story_counts_exact() {
    let Some(db) = TestDb::postgres("concurrent_writers_keep_the_story_counts_exact") else {
        return;
    };
    let store = open(&db);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let urls = (0..4).map(|w| format!("https://w{w}.example/feed")).collect();
        let feeds = store.add_feeds(urls).await.unwrap();
        let tasks: Vec<_> = feeds
            .into_iter()
            .enumerate()
            .map(|(w, feed)| {
                let store = store.as_worker(std::time::Duration::from_secs(60));
                tokio::spawn(async move {
                    for round in 0..6 {
                        let batch = (0..3)
                            .map(|wire| {
                                let url = format!("https://w{w}.example/{round}/{wire}");
                                let names: &[&str] = [&["Ann", "Bo"][..], &["Ann"], &["Cy", "Bo"]][wire];
                                let day = format!("2026-11-2{}T10:00:00Z", round % 3);
                                NewArticle {
                                    url: Some(url.clone()),
                                    extraction: story_extraction(body(wire as u64 + 1, 12), &day, names),
                                    ..article(feed, &url)
                                }
                            })
                            .collect();
                        let stored = store.store_articles(batch).await.unwrap();
                        assert!(stored
                            .results
                            .iter()
                            .all(|r| matches!(r, Ok(StoredArticle::Inserted(_)))));
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    });
    assert_eq!(one(&db, "SELECT count(*) FROM articles"), 4 * 6 * 3);
    assert_eq!(stories_disagreeing(&db), Vec::<String>::new());
}

/// A PostgreSQL archive written before stories and places (schema 4) is upgraded in place: every article a story of
/// its own, the entities' stories equal to their articles, no places yet; counts equal a fresh count.
#[test]
fn an_archive_from_before_stories_and_places_is_upgraded() {
    let Some(db) = TestDb::postgres("an_archive_from_before_stories_and_places_is_upgraded") else {
        return;
    };
    let mut old = String::from(
        "CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
                                         applied_at timestamptz NOT NULL DEFAULT now());",
    );
    for m in &gazette_store::postgres::schema::MIGRATIONS[..4] {
        old.push_str(m.sql);
        old.push_str(&format!(
            ";\nINSERT INTO schema_migrations (version, name) VALUES ({}, '{}');\n",
            m.version, m.name
        ));
    }
    old.push_str(
        "INSERT INTO feeds (url) VALUES ('https://a.example/feed');
         INSERT INTO entities (type, name) VALUES ('PER', 'Ann'), ('LOC', 'Paris');
         INSERT INTO articles (feed_id, item_key, url, fetched_at, published_at) VALUES
             (1, 'a', 'https://a.example/a', '2026-11-20T10:00:00Z', '2026-11-20T09:00:00Z'),
             (1, 'b', 'https://a.example/b', '2026-11-20T11:00:00Z', NULL);
         INSERT INTO mentions (article_id, entity_id, start, \"end\", surface, tagger_version, day) VALUES
             (1, 1, 0, 3, 'Ann', 't', '2026-11-20'), (1, 2, 4, 9, 'Paris', 't', '2026-11-20'),
             (2, 1, 0, 3, 'Ann', 't', '2026-11-20');",
    );
    db.execute(&old);
    open(&db).close();
    assert_eq!(stories_disagreeing(&db), Vec::<String>::new());
    assert_eq!(
        query(&db, "SELECT id, story_id FROM articles ORDER BY id"),
        [
            [Cell::Integer(1), Cell::Integer(1)],
            [Cell::Integer(2), Cell::Integer(2)]
        ]
    );
    assert_eq!(one(&db, "SELECT stories FROM entities WHERE name = 'Ann'"), 2);
    assert_eq!(one(&db, "SELECT count(*) FROM mentions WHERE place_id IS NOT NULL"), 0);
    // New stories are numbered after the articles' own.
    let rt = runtime();
    let store = open(&db);
    rt.block_on(async {
        let feed = store.feeds().await.unwrap()[0].id;
        store.store_articles(vec![article(feed, "c")]).await.unwrap();
    });
    store.close();
    assert_eq!(one(&db, "SELECT story_id FROM articles WHERE item_key = 'c'"), 3);
    assert_eq!(stories_disagreeing(&db), Vec::<String>::new());
}
