//! The SQLite backend's operations against real SQLite files (moved from the store's integration tests when the
//! store's API became whole operations: these reach below it, to the triggers and counters).

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::{articles, feeds, fetches, page_retries, schema, tasks};
use crate::{
    AnsweredFetch, ArticleId, EntityType, Extraction, FeedId, FeedUpdate, FetchAttempt, Field, ItemKey, NewArticle,
    StoredArticle, Task,
};

/// Test helpers named after the store's old free functions, so the tests read as they did.
mod gazette_store {
    use super::*;
    pub use crate::{compress_html, NewMention, NewQuote};

    pub fn open(path: &std::path::Path) -> crate::Result<Connection> {
        super::super::connection::open(path)
    }
    pub fn add_feed(conn: &Connection, url: &str) -> rusqlite::Result<FeedId> {
        conn.execute("INSERT OR IGNORE INTO feeds (url) VALUES (?1)", [url])?;
        conn.query_row("SELECT id FROM feeds WHERE url = ?1", [url], |r| r.get(0).map(FeedId))
    }
    pub fn insert_article(conn: &mut Connection, a: &NewArticle) -> crate::Result<StoredArticle> {
        articles::insert(conn, a)
    }
    pub fn insert_articles(
        conn: &mut Connection,
        b: &[NewArticle],
    ) -> crate::Result<Vec<crate::Result<StoredArticle>>> {
        articles::insert_batch(conn, b, &gazette_stories::Config::default())
    }
    pub fn replace_extraction(conn: &mut Connection, id: ArticleId, e: &Extraction) -> crate::Result<bool> {
        articles::replace_extraction(conn, id, e, &gazette_stories::Config::default())
    }
    pub fn remove_feed(conn: &mut Connection, id_or_url: &str) -> crate::Result<crate::FeedRow> {
        feeds::remove(conn, id_or_url)
    }
    pub fn set_feed_disabled(conn: &Connection, feed: FeedId, disabled: bool) -> crate::Result<()> {
        feeds::set_disabled(conn, feed, disabled)
    }
    pub fn record_fetch(
        conn: &mut Connection,
        feed: FeedId,
        attempts: &[FetchAttempt],
        _: &FeedUpdate,
    ) -> crate::Result<()> {
        let fetch = AnsweredFetch {
            attempts: attempts.to_vec(),
            ..Default::default()
        };
        fetches::record_answer(conn, feed, &fetch).map(|_| ())
    }
    pub fn failing_since(conn: &Connection, feed: FeedId) -> crate::Result<Option<String>> {
        fetches::failing_since(conn, feed)
    }
    pub fn page_failed(conn: &Connection, feed: FeedId, key: &str, error: &str, item: &str) -> crate::Result<u32> {
        page_retries::failed(conn, feed, key, error, item)
    }
    pub fn claim_task(conn: &Connection, task: &str, not_since: &str) -> crate::Result<bool> {
        assert_eq!(task, Task::PruneHistory.name());
        tasks::claim_only(conn, Task::PruneHistory, t(not_since))
    }
    pub fn prune_feed_history(conn: &Connection, feed: FeedId, before: &str) -> crate::Result<usize> {
        fetches::prune(conn, feed, t(before))
    }
    pub fn now_rfc3339() -> String {
        super::super::now()
    }
}

fn t(s: &str) -> DateTime<Utc> {
    super::parse_time(s).unwrap()
}

fn mention(
    field: Field,
    start: i64,
    end: i64,
    surface: &str,
    entity_type: &str,
    name: &str,
) -> gazette_store::NewMention {
    gazette_store::NewMention {
        field,
        start,
        end,
        surface: surface.into(),
        entity_type: EntityType::from_label(entity_type).unwrap(),
        entity_name: name.into(),
    }
}

fn article(feed_id: FeedId, key: &str, url: &str) -> NewArticle {
    NewArticle {
        feed_id,
        item_key: key.into(),
        guid: None,
        url: Some(url.into()),
        html: Some(gazette_store::compress_html(
            "<html><body><p>First paragraph.</p></body></html>",
        )),
        page_error: None,
        fetched_at: Utc::now(),
        extraction: Extraction {
            title: Some(format!("Title {key}")),
            text: "First paragraph.\n\nSecond paragraph.".into(),
            tagger_version: Some("t1".into()),
            mentions: vec![mention(Field::Text, 0, 5, "First", "MISC", "First")],
            ..Default::default()
        },
    }
}

/// How many rows `table` has.
fn rows(conn: &Connection, table: &str) -> i64 {
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn fresh_database_gets_every_migration() {
    let dir = tempfile::tempdir().unwrap();
    let conn = gazette_store::open(&dir.path().join("g.db")).unwrap();
    assert_eq!(schema::current_version(&conn).unwrap(), schema::LATEST);
    for table in [
        "feeds",
        "fetches",
        "articles",
        "articles_fts",
        "entities",
        "mentions",
        "quotes",
        "v_articles",
    ] {
        let n: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master WHERE name = ?1", [table], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(n, 1, "{table} missing");
    }
    let fk: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
    let wal: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert!(fk);
    assert_eq!(wal, "wal");
}

#[test]
fn previous_version_database_is_upgraded_in_place_keeping_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let mut conn = Connection::open(&path).unwrap();
        let previous = schema::MIGRATIONS[schema::MIGRATIONS.len() - 2].version;
        schema::migrate_to(&mut conn, previous).unwrap();
        conn.execute("INSERT INTO feeds (url) VALUES ('http://example.org/feed')", [])
            .unwrap();
        assert_eq!(schema::current_version(&conn).unwrap(), previous);
    }
    // Read-only connections cannot upgrade it, and say what to do.
    let err = super::connection::open_read_only(&path).unwrap_err().to_string();
    assert!(err.contains("older") && err.contains("gazette feeds list"), "{err}");
    let conn = gazette_store::open(&path).unwrap();
    assert_eq!(schema::current_version(&conn).unwrap(), schema::LATEST);
    let url: String = conn.query_row("SELECT url FROM feeds", [], |r| r.get(0)).unwrap();
    assert_eq!(url, "http://example.org/feed");
    drop(conn);
    assert!(super::connection::open_read_only(&path).is_ok());
}

#[test]
fn newer_database_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    {
        let conn = gazette_store::open(&path).unwrap();
        conn.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, 'future', 'now')",
            [schema::LATEST + 1],
        )
        .unwrap();
    }
    let err = gazette_store::open(&path).unwrap_err().to_string();
    assert!(err.contains("newer than this Gazette understands"), "{err}");
    let err = super::connection::open_read_only(&path).unwrap_err().to_string();
    assert!(err.contains("newer"), "{err}");
}

#[test]
fn an_article_is_stored_once_by_key_url_or_canonical_url() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = gazette_store::open(&dir.path().join("g.db")).unwrap();
    let feed = gazette_store::add_feed(&conn, "http://example.org/feed").unwrap();
    assert_eq!(gazette_store::add_feed(&conn, "http://example.org/feed").unwrap(), feed);

    let mut first = article(feed, "guid-1", "http://example.org/a/1");
    first.extraction.canonical_url = Some("https://example.org/a/1".into());
    assert!(matches!(
        gazette_store::insert_article(&mut conn, &first).unwrap(),
        StoredArticle::Inserted(_)
    ));
    // Same key again; a new key with the same URL; a new key whose URL is the stored canonical URL.
    for (key, url) in [
        ("guid-1", "http://example.org/other"),
        ("guid-2", "http://example.org/a/1"),
        ("guid-3", "https://example.org/a/1"),
    ] {
        let again = article(feed, key, url);
        assert_eq!(
            gazette_store::insert_article(&mut conn, &again).unwrap(),
            StoredArticle::Duplicate
        );
    }
    let key = ItemKey {
        key: "guid-1".into(),
        url: None,
    };
    assert!(articles::is_known(&conn, feed, &key).unwrap());
    let n: i64 = conn
        .query_row("SELECT count(*) FROM articles", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
    // The full-text index follows the table.
    let hits: i64 = conn
        .query_row(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'paragraph'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(hits, 1);
}

#[test]
fn a_deleted_article_stays_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = gazette_store::open(&dir.path().join("g.db")).unwrap();
    let feed = gazette_store::add_feed(&conn, "http://example.org/feed").unwrap();
    let a = article(feed, "guid-1", "http://example.org/a/1");
    gazette_store::insert_article(&mut conn, &a).unwrap();
    conn.execute("DELETE FROM articles WHERE item_key = 'guid-1'", [])
        .unwrap();
    assert_eq!(
        gazette_store::insert_article(&mut conn, &a).unwrap(),
        StoredArticle::Duplicate
    );
    // Removing the feed removes its articles, mentions and tombstones.
    gazette_store::remove_feed(&mut conn, &feed.to_string()).unwrap();
    for table in ["articles", "mentions", "tombstones", "fetches"] {
        assert_eq!(rows(&conn, table), 0, "{table}");
    }
}

#[test]
fn read_only_connection_refuses_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    drop(gazette_store::open(&path).unwrap());
    let ro = super::connection::open_read_only(&path).unwrap();
    let err = ro.execute("INSERT INTO feeds (url) VALUES ('x')", []).unwrap_err();
    assert!(
        err.to_string().contains("readonly") || err.to_string().contains("read-only"),
        "{err}"
    );
    let rw = gazette_store::open(&path).unwrap();
    let n: i64 = rw.query_row("SELECT count(*) FROM feeds", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 0);
}

#[test]
fn per_day_entity_counts_follow_inserts_updates_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = gazette_store::open(&dir.path().join("g.db")).unwrap();
    let feed = gazette_store::add_feed(&conn, "http://example.org/feed").unwrap();
    let mention = |name: &str, start: i64| gazette_store::NewMention {
        field: Field::Text,
        start,
        end: start + 5,
        surface: name.into(),
        entity_type: EntityType::from_label("PER").unwrap(),
        entity_name: name.into(),
    };
    let mut a = article(feed, "k1", "http://example.org/a/1");
    a.extraction.published_at = Some(t("2026-11-20T10:00:00Z"));
    a.extraction.mentions = vec![mention("Alice", 0), mention("Alice", 10), mention("Bob", 20)];
    let StoredArticle::Inserted(id) = gazette_store::insert_article(&mut conn, &a).unwrap() else {
        panic!("not inserted")
    };
    let counts = |conn: &Connection| -> Vec<(String, String, i64, i64)> {
        let mut stmt = conn
            .prepare("SELECT name, day, mentions, articles FROM v_entity_daily ORDER BY name, day")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    assert_eq!(
        counts(&conn),
        [
            ("Alice".into(), "2026-11-20".into(), 2, 1),
            ("Bob".into(), "2026-11-20".into(), 1, 1)
        ]
    );
    // Reprocessing moves the article to another day and drops Bob.
    a.extraction.published_at = Some(t("2026-11-21T08:00:00Z"));
    a.extraction.mentions = vec![mention("Alice", 0)];
    let again = Extraction {
        published_at: a.extraction.published_at,
        text: a.extraction.text.clone(),
        mentions: a.extraction.mentions.clone(),
        extractor_version: Some("e2".into()),
        tagger_version: Some("t2".into()),
        ..Default::default()
    };
    assert!(gazette_store::replace_extraction(&mut conn, id, &again).unwrap());
    assert_eq!(counts(&conn), [("Alice".into(), "2026-11-21".into(), 1, 1)]);
    let total: (i64, i64) = conn
        .query_row(
            "SELECT mentions, articles FROM v_entity_counts WHERE name = 'Alice'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(total, (1, 1));
    conn.execute("DELETE FROM articles WHERE id = ?1", [id]).unwrap();
    assert!(counts(&conn).is_empty());
}

#[test]
fn counters_survive_deletes_cascades_and_replace() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = gazette_store::open(&dir.path().join("g.db")).unwrap();
    let feed = gazette_store::add_feed(&conn, "http://example.org/feed").unwrap();
    let mention = |name: &str, start: i64| gazette_store::NewMention {
        field: Field::Text,
        start,
        end: start + 3,
        surface: name.into(),
        entity_type: EntityType::from_label("ORG").unwrap(),
        entity_name: name.into(),
    };
    for (key, names) in [("a", vec!["UN", "UN", "EU"]), ("b", vec!["UN"])] {
        let mut a = article(feed, key, &format!("http://example.org/{key}"));
        a.extraction.published_at = Some(t("2026-11-20T10:00:00Z"));
        a.extraction.mentions = names
            .iter()
            .enumerate()
            .map(|(i, n)| mention(n, i as i64 * 5))
            .collect();
        gazette_store::insert_article(&mut conn, &a).unwrap();
    }
    let totals = |conn: &Connection| -> (i64, i64, i64, i64) {
        conn.query_row(
            "SELECT e.mentions, e.articles,
                    (SELECT sum(mentions) FROM entity_days WHERE entity_id = e.id),
                    (SELECT count(*) FROM article_entities WHERE entity_id = e.id)
             FROM entities e WHERE name = 'UN'",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get::<_, Option<i64>>(2)?.unwrap_or(0),
                    r.get(3)?,
                ))
            },
        )
        .unwrap()
    };
    assert_eq!(totals(&conn), (3, 2, 3, 2));
    // Deleting one mention of two in an article keeps the article counted.
    conn.execute(
        "DELETE FROM mentions WHERE id = (SELECT min(m.id) FROM mentions m JOIN entities e ON e.id = m.entity_id
                                          WHERE e.name = 'UN')",
        [],
    )
    .unwrap();
    assert_eq!(totals(&conn), (2, 2, 2, 2));
    // Deleting an article cascades to its mentions, and the counters follow.
    conn.execute("DELETE FROM articles WHERE item_key = 'a'", []).unwrap();
    assert_eq!(totals(&conn), (1, 1, 1, 1));
    // Moving a mention would orphan the counters: refused with a clear error.
    let err = conn
        .execute("UPDATE mentions SET entity_id = entity_id + 1", [])
        .unwrap_err();
    assert!(err.to_string().contains("cannot be moved"), "{err}");
    // Nor can the article's day change under its mentions.
    let err = conn
        .execute(
            "UPDATE articles SET published_at = '2026-11-25T00:00:00Z' WHERE item_key = 'b'",
            [],
        )
        .unwrap_err();
    assert!(err.to_string().contains("has mentions"), "{err}");
    // INSERT OR REPLACE fires the delete triggers of the row it replaces (full-text index, tombstone).
    conn.execute(
        "INSERT OR REPLACE INTO articles (feed_id, item_key, url, title, text, fetched_at)
         VALUES (?1, 'b', 'http://example.org/b2', 'Replaced', 'new words', '2026-11-21T00:00:00Z')",
        [feed],
    )
    .unwrap();
    assert_eq!(totals(&conn), (0, 0, 0, 0));
    let hits: i64 = conn
        .query_row(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'paragraph'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(hits, 0, "the replaced row left the full-text index");
}

#[test]
fn tombstones_match_the_canonical_url_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = gazette_store::open(&dir.path().join("g.db")).unwrap();
    let feed = gazette_store::add_feed(&conn, "http://example.org/feed").unwrap();
    let mut a = article(feed, "k1", "http://example.org/a?id=1");
    a.extraction.canonical_url = Some("https://example.org/a/1".into());
    gazette_store::insert_article(&mut conn, &a).unwrap();
    conn.execute("DELETE FROM articles", []).unwrap();
    let again = article(feed, "k2", "https://example.org/a/1");
    assert_eq!(
        gazette_store::insert_article(&mut conn, &again).unwrap(),
        StoredArticle::Duplicate
    );
}

#[test]
fn datasette_can_link_the_full_text_index_to_its_table() {
    let dir = tempfile::tempdir().unwrap();
    let conn = gazette_store::open(&dir.path().join("g.db")).unwrap();
    // The pattern Datasette's detect_fts uses.
    let found: String = conn
        .query_row(
            "SELECT name FROM sqlite_master WHERE rootpage = 0
               AND sql LIKE '%VIRTUAL TABLE%USING FTS%content=\"articles\"%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(found, "articles_fts");
}

/// Every running total against a fresh count over the base tables; empty when they all agree.
pub(super) fn totals_disagreeing_with_truth(conn: &Connection) -> Vec<String> {
    let checks = [
        (
            "article_entities",
            "SELECT article_id, entity_id, day, mentions FROM article_entities",
            "SELECT article_id, entity_id, day, count(*) FROM mentions GROUP BY article_id, entity_id, day",
        ),
        (
            "entity_days",
            "SELECT entity_id, day, mentions, articles FROM entity_days",
            "SELECT entity_id, day, count(*), count(DISTINCT article_id) FROM mentions GROUP BY entity_id, day",
        ),
        (
            "entities",
            "SELECT id, mentions, articles FROM entities WHERE mentions <> 0 OR articles <> 0",
            "SELECT entity_id, count(*), count(DISTINCT article_id) FROM mentions GROUP BY entity_id",
        ),
        (
            "entity_pair_days",
            "SELECT day, entity1_id, entity2_id, entity1_type, entity2_type, articles FROM entity_pair_days",
            "SELECT m1.day, m1.entity_id, m2.entity_id, e1.type, e2.type, count(DISTINCT m1.article_id)
             FROM mentions m1
             JOIN mentions m2 ON m2.article_id = m1.article_id AND m2.entity_id <> m1.entity_id AND m2.day = m1.day
             JOIN entities e1 ON e1.id = m1.entity_id
             JOIN entities e2 ON e2.id = m2.entity_id
             WHERE e1.type IN ('PER', 'ORG', 'LOC', 'MISC') AND e2.type IN ('PER', 'ORG', 'LOC', 'MISC')
               AND NOT EXISTS (SELECT 1 FROM article_entities c WHERE c.article_id = m1.article_id
                               AND c.entity_id IN (m1.entity_id, m2.entity_id) AND c.capped = 1)
             GROUP BY m1.day, m1.entity_id, m2.entity_id",
        ),
        (
            "article_places",
            "SELECT article_id, place_id, day, mentions FROM article_places",
            "SELECT article_id, place_id, day, count(*) FROM mentions WHERE place_id IS NOT NULL
             GROUP BY article_id, place_id, day",
        ),
        (
            "places",
            "SELECT geonameid, mentions, articles FROM places WHERE mentions <> 0 OR articles <> 0",
            "SELECT place_id, count(*), count(DISTINCT article_id) FROM mentions WHERE place_id IS NOT NULL
             GROUP BY place_id",
        ),
        (
            "article_countries",
            "SELECT article_id, country_code, day, place_mentions, demonym_mentions FROM article_countries",
            "SELECT article_id, country_code, day, sum(p), sum(d) FROM (
                 SELECT m.article_id, c.country_code, m.day, 1 AS p, 0 AS d
                 FROM mentions m JOIN places c ON c.geonameid = m.place_id WHERE c.country_code <> ''
                 UNION ALL
                 SELECT article_id, country_code, day, 0, 1 FROM demonym_mentions)
             GROUP BY article_id, country_code, day",
        ),
        (
            "mentions_uncounted",
            "SELECT article_id FROM mentions_uncounted",
            "SELECT NULL WHERE 0",
        ),
        (
            "stories",
            "SELECT id, first_article_id, first_seen_at, first_published_at, articles, sites, last_update FROM stories",
            "SELECT story_id,
                    (SELECT b.id FROM articles b WHERE b.story_id = a.story_id
                     ORDER BY COALESCE(b.published_at, b.fetched_at), b.id LIMIT 1),
                    min(fetched_at), min(published_at), count(*), count(DISTINCT site_host),
                    max(COALESCE(updated_at, published_at, fetched_at))
             FROM articles a GROUP BY story_id",
        ),
        (
            "story_sites",
            "SELECT story_id, site, articles FROM story_sites",
            "SELECT story_id, site_host, count(*) FROM articles GROUP BY story_id, site_host",
        ),
        (
            "story_fingerprints",
            "SELECT article_id, story_id FROM story_fingerprints",
            "SELECT f.article_id, a.story_id FROM story_fingerprints f JOIN articles a ON a.id = f.article_id",
        ),
        (
            "story_bands",
            "SELECT DISTINCT slot >> 6 FROM story_bands",
            "SELECT article_id FROM story_fingerprints",
        ),
        (
            "story_entity_days",
            "SELECT story_id, entity_id, day, articles FROM story_entity_days",
            "SELECT a.story_id, ae.entity_id, ae.day, count(*) FROM article_entities ae
             JOIN articles a ON a.id = ae.article_id GROUP BY a.story_id, ae.entity_id, ae.day",
        ),
        (
            "entity_days.stories",
            "SELECT entity_id, day, stories FROM entity_days",
            "SELECT m.entity_id, m.day, count(DISTINCT a.story_id) FROM mentions m JOIN articles a ON a.id = m.article_id
             GROUP BY m.entity_id, m.day",
        ),
        (
            "entities.stories",
            "SELECT id, stories FROM entities WHERE mentions <> 0 OR stories <> 0",
            "SELECT m.entity_id, count(DISTINCT a.story_id) FROM mentions m JOIN articles a ON a.id = m.article_id
             GROUP BY m.entity_id",
        ),
    ];
    let mut wrong = Vec::new();
    for (name, kept, truth) in checks {
        for (a, b) in [(kept, truth), (truth, kept)] {
            let n: i64 = conn
                .query_row(&format!("SELECT count(*) FROM ({a} EXCEPT {b})"), [], |r| r.get(0))
                .unwrap();
            if n > 0 {
                wrong.push(format!("{name}: {n} rows of ({a}) not in ({b})"));
            }
        }
    }
    wrong
}

#[test]
fn running_totals_equal_a_fresh_count_after_inserts_reextraction_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = gazette_store::open(&dir.path().join("g.db")).unwrap();
    let feed = gazette_store::add_feed(&conn, "http://example.org/feed").unwrap();
    let mention = |t: &'static str, name: &str, start: i64| gazette_store::NewMention {
        field: Field::Text,
        start,
        end: start + 4,
        surface: name.into(),
        entity_type: EntityType::from_label(t).unwrap(),
        entity_name: name.into(),
    };
    let people = ["Ann", "Bo", "Cy", "Di"];
    let batch: Vec<NewArticle> = (0..6)
        .map(|i| {
            let mut a = article(feed, &format!("k{i}"), &format!("http://example.org/{i}"));
            a.extraction.published_at = Some(t(&format!("2026-11-{:02}T10:00:00Z", 20 + i % 2)));
            a.extraction.mentions = (0..8)
                .map(|m| {
                    mention(
                        if m % 3 == 0 { "ORG" } else { "PER" },
                        people[(i + m * m) % 4],
                        m as i64 * 10,
                    )
                })
                .collect();
            a.extraction.quotes = vec![gazette_store::NewQuote {
                start: 0,
                end: 4,
                text: "Yes.".into(),
                speaker: Some((EntityType::Person, "Eve".into())),
            }];
            a
        })
        .collect();
    let stored = gazette_store::insert_articles(&mut conn, &batch).unwrap();
    assert!(stored.iter().all(|r| matches!(r, Ok(StoredArticle::Inserted(_)))));
    // A duplicate in a batch is skipped, and an article that fails (no such feed) is rolled back alone.
    let mut again = batch[..2].to_vec();
    again.push(article(FeedId(feed.0 + 100), "k8", "http://example.org/8"));
    again.push(article(feed, "k9", "http://example.org/9"));
    let stored = gazette_store::insert_articles(&mut conn, &again).unwrap();
    assert!(matches!(stored[0], Ok(StoredArticle::Duplicate)));
    assert!(stored[2].is_err());
    assert!(matches!(stored[3], Ok(StoredArticle::Inserted(_))));
    assert_eq!(totals_disagreeing_with_truth(&conn), Vec::<String>::new());

    // Re-extraction moves article 1 to another day with other mentions.
    let id = ArticleId(
        conn.query_row("SELECT id FROM articles WHERE item_key = 'k1'", [], |r| r.get(0))
            .unwrap(),
    );
    let redone = Extraction {
        published_at: Some(t("2026-11-25T08:00:00Z")),
        text: "Ann met Zed.".into(),
        mentions: vec![
            mention("PER", "Ann", 0),
            mention("PER", "Zed", 8),
            mention("PER", "Ann", 12),
        ],
        extractor_version: Some("e2".into()),
        tagger_version: Some("t2".into()),
        ..Default::default()
    };
    assert!(gazette_store::replace_extraction(&mut conn, id, &redone).unwrap());
    assert_eq!(totals_disagreeing_with_truth(&conn), Vec::<String>::new());
    // And again with no mentions at all.
    let emptied = Extraction {
        mentions: Vec::new(),
        ..redone.clone()
    };
    assert!(gazette_store::replace_extraction(&mut conn, id, &emptied).unwrap());
    assert_eq!(totals_disagreeing_with_truth(&conn), Vec::<String>::new());
    assert!(gazette_store::replace_extraction(&mut conn, id, &redone).unwrap());

    // Plain SQL: one mention deleted, one inserted, one article deleted (its mentions cascade).
    conn.execute(
        "DELETE FROM mentions WHERE id = (SELECT max(id) FROM mentions WHERE article_id = ?1)",
        [id],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO mentions (article_id, entity_id, field, start, \"end\", surface, tagger_version, day)
         SELECT ?1, id, 'text', 40, 43, 'Bo', 'hand', '2026-11-25' FROM entities WHERE name = 'Bo' AND type = 'PER'",
        [id],
    )
    .unwrap();
    assert_eq!(totals_disagreeing_with_truth(&conn), Vec::<String>::new());
    conn.execute("DELETE FROM articles WHERE item_key IN ('k0', 'k3')", [])
        .unwrap();
    assert_eq!(totals_disagreeing_with_truth(&conn), Vec::<String>::new());
    let left: i64 = conn.query_row("SELECT count(*) FROM quotes", [], |r| r.get(0)).unwrap();
    // Six quotes: article 1's went with its re-extraction, articles 0 and 3 took theirs along.
    assert_eq!(left, 3);
}

/// `n` named people, the first `twice` of them mentioned twice, the others once; and a date, which never pairs.
fn crowded_mentions(n: usize, twice: usize) -> Vec<gazette_store::NewMention> {
    let mut mentions = Vec::new();
    for i in 0..n {
        for _ in 0..if i < twice { 2 } else { 1 } {
            let start = mentions.len() as i64 * 10;
            mentions.push(gazette_store::NewMention {
                field: Field::Text,
                start,
                end: start + 3,
                surface: format!("P{i}"),
                entity_type: EntityType::from_label("PER").unwrap(),
                entity_name: format!("P{i}"),
            });
        }
    }
    mentions.push(gazette_store::NewMention {
        field: Field::Text,
        start: 9999,
        end: 10003,
        surface: "2026".into(),
        entity_type: EntityType::from_label("DATE").unwrap(),
        entity_name: "2026".into(),
    });
    mentions
}

/// The names of the entities that appear in entity_pair_days.
fn paired_names(conn: &Connection) -> std::collections::BTreeSet<String> {
    conn.prepare(
        "SELECT DISTINCT e.name FROM entity_pair_days p JOIN entities e ON e.id IN (p.entity1_id, p.entity2_id)",
    )
    .unwrap()
    .query_map([], |r| r.get(0))
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[test]
fn pairs_count_an_articles_fifty_most_mentioned_named_entities_and_go_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let mut conn = gazette_store::open(&path).unwrap();
    let feed = gazette_store::add_feed(&conn, "http://example.org/feed").unwrap();
    let mut crowded = article(feed, "list", "http://example.org/list");
    crowded.extraction.published_at = Some(t("2026-11-20T10:00:00Z"));
    crowded.extraction.mentions = crowded_mentions(60, 50);
    gazette_store::insert_article(&mut conn, &crowded).unwrap();
    assert_eq!(
        rows(&conn, "entity_pair_days"),
        50 * 49,
        "both orders of every pair among the 50 most mentioned"
    );
    let expected: std::collections::BTreeSet<String> = (0..50).map(|i| format!("P{i}")).collect();
    assert_eq!(paired_names(&conn), expected);

    // A hand-written mention of a new entity with another day than its article's pairs with nothing, and leaves
    // nothing behind when the article goes.
    conn.execute("INSERT INTO entities (type, name) VALUES ('ORG', 'Hand')", [])
        .unwrap();
    conn.execute(
        "INSERT INTO mentions (article_id, entity_id, start, \"end\", surface, tagger_version, day)
         SELECT (SELECT id FROM articles), id, 0, 4, 'Hand', 'hand', '2026-11-19' FROM entities WHERE name = 'Hand'",
        [],
    )
    .unwrap();
    assert_eq!(totals_disagreeing_with_truth(&conn), Vec::<String>::new());
    // The derived rows cannot be edited in place: the counts would no longer match them.
    drop(conn);
    let plain = Connection::open(&path).unwrap();
    let err = plain
        .execute("UPDATE article_entities SET capped = 0", [])
        .unwrap_err()
        .to_string();
    assert!(err.contains("derived from mentions"), "{err}");
    // sqlite3 and Datasette delete with foreign keys off: the pairs go all the same.
    plain.execute("DELETE FROM articles", []).unwrap();
    for table in ["entity_pair_days", "article_entities", "mentions"] {
        assert_eq!(rows(&plain, table), 0, "{table} kept rows of the deleted article");
    }
}

#[test]
fn an_older_archive_has_its_pairs_counted_when_it_is_upgraded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let mut conn = Connection::open(&path).unwrap();
        // Version 5: before 0006, a delete with foreign keys off left an article's mentions behind.
        schema::migrate_to(&mut conn, 5).unwrap();
        conn.execute("INSERT INTO feeds (id, url) VALUES (1, 'http://example.org/feed')", [])
            .unwrap();
        // Written the way version 6 counted plain-SQL writes: mention by mention.
        for (article, mentions) in [
            (1, crowded_mentions(55, 50)),
            (2, crowded_mentions(3, 3)),
            (3, crowded_mentions(4, 0)),
        ] {
            conn.execute(
                "INSERT INTO articles (id, feed_id, item_key, published_at, fetched_at)
                 VALUES (?1, 1, ?1, '2026-11-2' || ?1 || 'T10:00:00Z', '2026-11-21T10:00:00Z')",
                [article],
            )
            .unwrap();
            for m in mentions {
                conn.execute(
                    "INSERT INTO entities (type, name) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                    [m.entity_type.label(), &m.entity_name],
                )
                .unwrap();
                conn.execute(
                    "INSERT INTO mentions (article_id, entity_id, start, \"end\", surface, tagger_version, day)
                     SELECT ?1, id, ?2, ?3, ?4, 't', '2026-11-2' || ?1 FROM entities WHERE type = ?5 AND name = ?6",
                    rusqlite::params![article, m.start, m.end, m.surface, m.entity_type.label(), m.entity_name],
                )
                .unwrap();
            }
        }
    }
    // Article 3 is deleted the way sqlite3 does it then: its mentions stay, orphaned.
    Connection::open(&path)
        .unwrap()
        .execute("DELETE FROM articles WHERE id = 3", [])
        .unwrap();
    let conn = gazette_store::open(&path).unwrap();
    assert_eq!(totals_disagreeing_with_truth(&conn), Vec::<String>::new());
    let orphans: i64 = conn
        .query_row("SELECT count(*) FROM mentions WHERE article_id = 3", [], |r| r.get(0))
        .unwrap();
    assert_eq!(orphans, 0);
    let per_day: Vec<(String, i64)> = conn
        .prepare("SELECT day, count(*) FROM entity_pair_days GROUP BY day ORDER BY day")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        per_day,
        [("2026-11-21".to_string(), 50 * 49), ("2026-11-22".to_string(), 3 * 2)]
    );
    let capped: i64 = conn
        .query_row("SELECT count(*) FROM article_entities WHERE capped = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(capped, 5);
    // P0..P2 of the second article pair up on their own day; the first article's five least mentioned do not.
    assert!(!paired_names(&conn).contains("P50"));
    let pair: i64 = conn
        .query_row(
            "SELECT articles FROM v_cooccurrence WHERE day = '2026-11-22' AND entity1 = 'P0' AND entity2 = 'P1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(pair, 1);
}

#[test]
fn top_pairs_with_a_limit_equal_the_head_of_the_full_ranking() {
    use crate::{Filters, Report};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let mut conn = gazette_store::open(&path).unwrap();
    let feeds = [
        gazette_store::add_feed(&conn, "http://example.org/a").unwrap(),
        gazette_store::add_feed(&conn, "http://example.org/b").unwrap(),
    ];
    // A skewed vocabulary, so that a few pairs are frequent and most are rare, with ties between them.
    let types = ["PER", "ORG", "LOC", "MISC", "DATE"];
    let mut rng = fastrand::Rng::with_seed(3);
    let batch: Vec<NewArticle> = (0..400)
        .map(|i| {
            let mut a = article(feeds[i % 2], &format!("k{i}"), &format!("http://example.org/{i}"));
            a.extraction.published_at = Some(t(&format!("2026-11-{:02}T10:00:00Z", 10 + i % 10)));
            a.extraction.mentions = (0..12)
                .map(|m| {
                    let u = rng.f64();
                    let e = (u * u * u * 300.0) as usize;
                    gazette_store::NewMention {
                        field: Field::Text,
                        start: m * 10,
                        end: m * 10 + 3,
                        surface: format!("E{e}"),
                        entity_type: EntityType::from_label(types[e % types.len()]).unwrap(),
                        entity_name: format!("E{e}"),
                    }
                })
                .collect();
            a
        })
        .collect();
    gazette_store::insert_articles(&mut conn, &batch).unwrap();
    let ranking = |f: &Filters| {
        let mut rows = crate::Rows::default();
        let db = super::Reader::open(&path).unwrap();
        super::reports::run(&db, Report::Cooccurrence, f, &mut rows).unwrap();
        rows.rows
    };
    for (since, until, feed, kind) in [
        (None, None, None, None),
        (Some("2026-11-12T00:00:00Z"), Some("2026-11-19T00:00:00Z"), None, None),
        (Some("2026-11-12T00:00:00Z"), None, Some(feeds[1]), None),
        (None, Some("2026-11-15T00:00:00Z"), None, Some("PER")),
    ] {
        let filters = Filters {
            since: since.map(t),
            until: until.map(t),
            feed,
            entity_type: kind.map(String::from),
            limit: None,
            ..Default::default()
        };
        let all = ranking(&filters);
        assert!(all.len() > 50, "{} pairs", all.len());
        for limit in [1, 7, 40, all.len() as i64 + 5] {
            let top = ranking(&Filters {
                limit: Some(limit),
                ..filters.clone()
            });
            let n = (limit as usize).min(all.len());
            assert_eq!(top, all[..n], "limit {limit}, {filters:?}");
        }
        // A negative limit is no limit, as in SQLite.
        let unlimited = ranking(&Filters {
            limit: Some(-1),
            ..filters.clone()
        });
        assert_eq!(unlimited, all, "{filters:?}");
    }
}

#[test]
fn page_tries_are_counted_until_the_article_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = gazette_store::open(&dir.path().join("g.db")).unwrap();
    let feed = gazette_store::add_feed(&conn, "https://example.com/feed").unwrap();
    assert_eq!(
        gazette_store::page_failed(&conn, feed, "k1", "HTTP 503", "{}").unwrap(),
        1
    );
    assert_eq!(
        gazette_store::page_failed(&conn, feed, "k1", "timed out", "{}").unwrap(),
        2
    );
    assert_eq!(
        gazette_store::page_failed(&conn, feed, "k2", "HTTP 503", "{}").unwrap(),
        1
    );
    let last: String = conn
        .query_row("SELECT last_error FROM page_retries WHERE item_key = 'k1'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(last, "timed out");
    gazette_store::insert_article(&mut conn, &article(feed, "k1", "https://example.com/1")).unwrap();
    let left: Vec<String> = conn
        .prepare("SELECT item_key FROM page_retries")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(left, ["k2"]);
}

#[test]
fn old_history_is_pruned_but_what_the_schedule_reads_stays() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = gazette_store::open(&dir.path().join("g.db")).unwrap();
    let feed = gazette_store::add_feed(&conn, "https://example.com/feed").unwrap();
    let attempt = |at: &str, status: Option<u16>, error: Option<&str>| FetchAttempt {
        started_at: t(at),
        status,
        error: error.map(String::from),
        bytes: 0,
        duration_ms: 0,
    };
    let old = [
        attempt("2020-01-01T00:00:00Z", Some(200), None),
        attempt("2020-01-02T00:00:00Z", Some(200), None),
        attempt("2020-01-03T00:00:00Z", Some(304), None),
        attempt("2020-01-04T00:00:00Z", Some(500), Some("HTTP 500")),
        attempt("2020-01-05T00:00:00Z", Some(500), Some("HTTP 500")),
    ];
    gazette_store::record_fetch(&mut conn, feed, &old, &FeedUpdate::default()).unwrap();
    let recent = [attempt("2026-11-30T00:00:00Z", Some(500), Some("HTTP 500"))];
    gazette_store::record_fetch(&mut conn, feed, &recent, &FeedUpdate::default()).unwrap();
    gazette_store::page_failed(&conn, feed, "old", "HTTP 503", "{}").unwrap();
    conn.execute("UPDATE page_retries SET last_tried_at = '2020-01-01T00:00:00Z'", [])
        .unwrap();
    gazette_store::page_failed(&conn, feed, "new", "HTTP 503", "{}").unwrap();

    // Claimed once a day at most, whoever asks.
    assert!(gazette_store::claim_task(&conn, "prune_history", "2026-01-01T00:00:00Z").unwrap());
    assert!(!gazette_store::claim_task(&conn, "prune_history", "2026-01-01T00:00:00Z").unwrap());
    assert!(gazette_store::claim_task(&conn, "prune_history", "9999-01-01T00:00:00Z").unwrap());
    let deleted = gazette_store::prune_feed_history(&conn, feed, "2026-01-01T00:00:00Z").unwrap();
    // Kept: the latest full answer (2020-01-02), the latest success (the 304) and the latest attempt.
    let kept: Vec<String> = conn
        .prepare("SELECT started_at FROM fetches ORDER BY started_at")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        kept,
        ["2020-01-02T00:00:00Z", "2020-01-03T00:00:00Z", "2026-11-30T00:00:00Z"]
    );
    assert_eq!(deleted, 3 + 1);
    let retries: i64 = conn
        .query_row("SELECT count(*) FROM page_retries", [], |r| r.get(0))
        .unwrap();
    assert_eq!(retries, 1);
}

#[test]
fn an_enabled_feed_counts_its_failures_from_the_enable() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = gazette_store::open(&dir.path().join("g.db")).unwrap();
    let feed = gazette_store::add_feed(&conn, "https://example.com/feed").unwrap();
    let failed = FetchAttempt::failed(t("2020-01-01T00:00:00Z"), "HTTP 404");
    gazette_store::record_fetch(&mut conn, feed, &[failed], &FeedUpdate::default()).unwrap();
    assert_eq!(
        gazette_store::failing_since(&conn, feed).unwrap().as_deref(),
        Some("2020-01-01T00:00:00Z")
    );
    gazette_store::set_feed_disabled(&conn, feed, true).unwrap();
    gazette_store::set_feed_disabled(&conn, feed, false).unwrap();
    // The old failures no longer count; the next one starts a new streak.
    assert_eq!(gazette_store::failing_since(&conn, feed).unwrap(), None);
    let at = gazette_store::now_rfc3339();
    let again = FetchAttempt::failed(t(&at), "HTTP 404");
    gazette_store::record_fetch(&mut conn, feed, &[again], &FeedUpdate::default()).unwrap();
    assert_eq!(gazette_store::failing_since(&conn, feed).unwrap(), Some(at));
}

#[test]
fn deleting_from_plain_sql_with_foreign_keys_off_leaves_no_counts_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let mut conn = gazette_store::open(&path).unwrap();
    let feed = gazette_store::add_feed(&conn, "https://example.com/feed").unwrap();
    let other = gazette_store::add_feed(&conn, "https://example.org/feed").unwrap();
    for (f, key) in [(feed, "a"), (feed, "b"), (other, "c")] {
        let mut a = article(f, key, &format!("https://example.com/{key}"));
        a.extraction.quotes = vec![gazette_store::NewQuote {
            start: 0,
            end: 5,
            text: "First".into(),
            speaker: Some((EntityType::Person, "Someone".into())),
        }];
        gazette_store::insert_article(&mut conn, &a).unwrap();
    }
    drop(conn);
    // As sqlite3 and Datasette open it: foreign keys off, no cascades.
    let plain = Connection::open(&path).unwrap();
    plain.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    plain.execute("DELETE FROM articles WHERE item_key = 'a'", []).unwrap();
    let n = |sql: &str| -> i64 { plain.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(n("SELECT count(*) FROM mentions"), 2);
    assert_eq!(n("SELECT count(*) FROM quotes"), 2);
    assert_eq!(n("SELECT count(*) FROM article_entities"), 2);
    assert_eq!(n("SELECT mentions FROM entities WHERE name = 'First'"), 2);
    assert_eq!(
        n("SELECT count(*) FROM tombstones"),
        1,
        "a deleted article stays deleted"
    );
    // A whole feed: its articles, their annotations and its history go; the other feed's stay.
    plain.execute("DELETE FROM feeds WHERE id = ?1", [feed]).unwrap();
    assert_eq!(n("SELECT count(*) FROM articles"), 1);
    assert_eq!(n("SELECT count(*) FROM mentions"), 1);
    assert_eq!(n("SELECT count(*) FROM quotes"), 1);
    assert_eq!(n("SELECT articles FROM entities WHERE name = 'First'"), 1);
    assert_eq!(n("SELECT count(*) FROM tombstones"), 0);
    assert_eq!(n("SELECT count(*) FROM pragma_foreign_key_check"), 0);
    drop(plain);
    let conn = gazette_store::open(&path).unwrap();
    assert!(totals_disagreeing_with_truth(&conn).is_empty());
}

/// A GeoNames entry for the places tests.
fn place(geonameid: i64, name: &str, code: &str, country: &str, admin1: &str) -> crate::PlaceRecord {
    crate::PlaceRecord {
        geonameid,
        name: name.into(),
        feature_class: if code.starts_with("PPL") { "P" } else { "A" }.into(),
        feature_code: code.into(),
        country_code: country.into(),
        admin1: admin1.into(),
        lat: 33.66,
        lon: -95.55,
        population: 25_000,
    }
}

fn resolved_at(field: Field, start: i64, end: i64, geonameid: Option<i64>) -> crate::MentionPlace {
    crate::MentionPlace {
        field,
        start,
        end,
        geonameid,
        confidence: 0.9,
    }
}

#[test]
fn places_and_countries_follow_resolution_reresolution_reextraction_and_deletes() {
    use crate::{NewDemonym, ResolvedPlaces};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let mut conn = gazette_store::open(&path).unwrap();
    let feed = gazette_store::add_feed(&conn, "https://example.com/feed").unwrap();
    let us = place(6252001, "United States", "PCLI", "US", "");
    let paris_tx = place(4717560, "Paris", "PPL", "US", "TX");
    let texas = place(4736286, "Texas", "ADM1", "US", "TX");
    let fr = place(3017382, "France", "PCLI", "FR", "");
    let paris = place(2988507, "Paris", "PPLC", "FR", "11");
    // "Paris, Texas ... Paris ... Texas ... Atlantis" and a demonym of France.
    let mut a = article(feed, "a", "https://example.com/a");
    a.extraction.published_at = Some(t("2021-12-03T10:00:00Z"));
    a.extraction.mentions = vec![
        mention(Field::Text, 0, 5, "Paris", "LOC", "Paris"),
        mention(Field::Text, 7, 12, "Texas", "LOC", "Texas"),
        mention(Field::Text, 20, 25, "Paris", "LOC", "Paris"),
        mention(Field::Text, 30, 38, "Atlantis", "LOC", "Atlantis"),
        mention(Field::Text, 40, 44, "Jane", "PER", "Jane"),
    ];
    a.extraction.places = Some(ResolvedPlaces {
        resolver_version: "1.0.0".into(),
        places: vec![paris_tx.clone(), texas.clone(), us.clone(), fr.clone()],
        mentions: vec![
            resolved_at(Field::Text, 0, 5, Some(4717560)),
            resolved_at(Field::Text, 7, 12, Some(4736286)),
            resolved_at(Field::Text, 20, 25, Some(4717560)),
            resolved_at(Field::Text, 30, 38, None),
        ],
        demonyms: vec![NewDemonym {
            field: Field::Text,
            start: 50,
            end: 56,
            surface: "French".into(),
            country_code: "FR".into(),
        }],
    });
    let StoredArticle::Inserted(id) = gazette_store::insert_article(&mut conn, &a).unwrap() else {
        panic!("not inserted")
    };
    // A second article, another day, in the capital of France.
    let mut b = article(feed, "b", "https://example.com/b");
    b.extraction.published_at = Some(t("2021-12-04T10:00:00Z"));
    b.extraction.mentions = vec![mention(Field::Title, 0, 5, "Paris", "LOC", "Paris")];
    b.extraction.places = Some(ResolvedPlaces {
        resolver_version: "1.0.0".into(),
        places: vec![paris.clone(), fr.clone()],
        mentions: vec![resolved_at(Field::Title, 0, 5, Some(2988507))],
        demonyms: vec![],
    });
    gazette_store::insert_article(&mut conn, &b).unwrap();
    let n = |conn: &Connection, sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    let text = |conn: &Connection, sql: &str| -> String { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(
        n(&conn, "SELECT count(*) FROM mentions WHERE place_id = 4717560"),
        2,
        "both Paris mentions are in Texas"
    );
    assert_eq!(
        n(
            &conn,
            "SELECT count(*) FROM mentions WHERE surface = 'Atlantis' AND place_id IS NULL AND place_confidence > 0"
        ),
        1
    );
    assert_eq!(
        n(
            &conn,
            "SELECT count(*) FROM mentions WHERE surface = 'Jane' AND place_confidence IS NULL"
        ),
        1
    );
    assert_eq!(
        text(
            &conn,
            &format!("SELECT resolver_version FROM articles WHERE id = {}", id.0)
        ),
        "1.0.0"
    );
    assert_eq!(
        n(
            &conn,
            "SELECT mentions * 10 + articles FROM v_place_counts WHERE geonameid = 4717560"
        ),
        21
    );
    assert_eq!(
        n(
            &conn,
            "SELECT mentions FROM v_place_daily WHERE geonameid = 2988507 AND day = '2021-12-04'"
        ),
        1
    );
    // The US: three place mentions on the 3rd; France: one demonym on the 3rd, one place on the 4th.
    let countries: Vec<(String, String, String, i64, i64, i64)> = conn
        .prepare("SELECT day, country_code, country, place_mentions, demonym_mentions, articles FROM v_country_daily ORDER BY day, country_code")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let row = |d: &str, c: &str, name: &str, p: i64, dm: i64, a: i64| (d.into(), c.into(), name.into(), p, dm, a);
    assert_eq!(
        countries,
        [
            row("2021-12-03", "FR", "France", 0, 1, 1),
            row("2021-12-03", "US", "United States", 3, 0, 1),
            row("2021-12-04", "FR", "France", 1, 0, 1),
        ]
    );
    assert!(
        totals_disagreeing_with_truth(&conn).is_empty(),
        "{:?}",
        totals_disagreeing_with_truth(&conn)
    );

    // Resolved again by a newer resolver: the first Paris is now France's, the demonym gone.
    let again = ResolvedPlaces {
        resolver_version: "1.1.0".into(),
        places: vec![paris.clone(), fr.clone(), texas.clone(), us.clone()],
        mentions: vec![
            resolved_at(Field::Text, 0, 5, Some(2988507)),
            resolved_at(Field::Text, 7, 12, Some(4736286)),
        ],
        demonyms: vec![],
    };
    assert!(super::places::replace(&mut conn, id, &again).unwrap());
    assert_eq!(n(&conn, "SELECT count(*) FROM mentions WHERE place_id IS NOT NULL"), 3);
    assert_eq!(n(&conn, "SELECT count(*) FROM demonym_mentions"), 0);
    assert_eq!(
        n(&conn, "SELECT count(*) FROM v_place_counts WHERE geonameid = 4717560"),
        0
    );
    assert!(
        totals_disagreeing_with_truth(&conn).is_empty(),
        "{:?}",
        totals_disagreeing_with_truth(&conn)
    );
    let stale = super::places::stale(&conn, &Default::default(), "1.1.0").unwrap();
    assert_eq!(stale.len(), 1, "{stale:?}");
    assert_eq!(stale[0].1.as_deref(), Some("1.0.0"));

    // Re-extracted on another day without places: unresolved, counted nowhere.
    let redone = Extraction {
        published_at: Some(t("2021-12-05T10:00:00Z")),
        text: "Paris.".into(),
        tagger_version: Some("t2".into()),
        mentions: vec![mention(Field::Text, 0, 5, "Paris", "LOC", "Paris")],
        ..Default::default()
    };
    assert!(gazette_store::replace_extraction(&mut conn, id, &redone).unwrap());
    assert_eq!(
        n(
            &conn,
            &format!(
                "SELECT count(*) FROM articles WHERE id = {} AND resolver_version IS NULL",
                id.0
            )
        ),
        1
    );
    assert_eq!(
        n(
            &conn,
            "SELECT count(*) FROM article_countries WHERE day <> '2021-12-04'"
        ),
        0
    );
    assert!(
        totals_disagreeing_with_truth(&conn).is_empty(),
        "{:?}",
        totals_disagreeing_with_truth(&conn)
    );
    let input = super::places::mentions_of(&conn, id).unwrap().unwrap();
    assert_eq!(input.mentions, [(Field::Text, 0, 5, "Paris".to_string())]);

    // Deleted, from Gazette and from plain SQL with foreign keys off: nothing left behind.
    assert!(super::places::replace(&mut conn, id, &again).is_ok());
    conn.execute("DELETE FROM articles WHERE id = ?1", [id.0]).unwrap();
    assert!(
        totals_disagreeing_with_truth(&conn).is_empty(),
        "{:?}",
        totals_disagreeing_with_truth(&conn)
    );
    drop(conn);
    let plain = Connection::open(&path).unwrap();
    plain.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    plain.execute("DELETE FROM articles WHERE item_key = 'b'", []).unwrap();
    assert_eq!(n(&plain, "SELECT count(*) FROM article_countries"), 0);
    assert_eq!(n(&plain, "SELECT count(*) FROM v_place_counts"), 0);
    assert!(
        totals_disagreeing_with_truth(&plain).is_empty(),
        "{:?}",
        totals_disagreeing_with_truth(&plain)
    );
}
