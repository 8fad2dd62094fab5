//! Stories in a real SQLite file: copies join the story of the earliest, counts follow inserts, re-extraction and
//! deletes (by Gazette and by plain SQL), and always equal a fresh count.

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::tests::totals_disagreeing_with_truth;
use super::{articles, connection};
use crate::{ArticleId, EntityType, Extraction, FeedId, Field, NewArticle, NewMention, StoredArticle, StoryPrint};

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

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn extraction(text: String, published: &str, names: &[&str]) -> Extraction {
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

fn article(feed: FeedId, url: &str, extraction: Extraction) -> NewArticle {
    NewArticle {
        feed_id: feed,
        item_key: url.into(),
        guid: None,
        url: Some(url.into()),
        html: None,
        page_error: None,
        fetched_at: t("2026-11-20T12:00:00Z"),
        extraction,
    }
}

fn insert(conn: &mut Connection, a: NewArticle) -> ArticleId {
    match articles::insert(conn, &a).unwrap() {
        StoredArticle::Inserted(id) => id,
        StoredArticle::Duplicate => panic!("{:?} is a duplicate", a.url),
    }
}

fn feed(conn: &Connection, url: &str) -> FeedId {
    conn.execute("INSERT INTO feeds (url) VALUES (?1)", [url]).unwrap();
    FeedId(conn.last_insert_rowid())
}

fn story(conn: &Connection, id: ArticleId) -> i64 {
    conn.query_row("SELECT story_id FROM articles WHERE id = ?1", [id.0], |r| r.get(0))
        .unwrap()
}

/// (first article, articles, sites) of a story.
fn row(conn: &Connection, story: i64) -> (i64, i64, i64) {
    conn.query_row(
        "SELECT first_article_id, articles, sites FROM stories WHERE id = ?1",
        [story],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .unwrap()
}

#[test]
fn copies_join_the_story_and_counts_follow_every_write() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = connection::open(&dir.path().join("g.db")).unwrap();
    let (a, b, c) = (
        feed(&conn, "https://a.example/feed"),
        feed(&conn, "https://b.example/feed"),
        feed(&conn, "https://c.example/feed"),
    );
    let wire = body(1, 12);
    let trimmed = format!("{} An editor's note: this copy was trimmed.", body(1, 9));
    let a1 = insert(
        &mut conn,
        article(
            a,
            "https://a.example/1",
            extraction(wire.clone(), "2026-11-20T10:00:00Z", &["Ann", "Bo"]),
        ),
    );
    // Published earlier, arrived later: it becomes the story's first article.
    let b1 = insert(
        &mut conn,
        article(
            b,
            "https://b.example/1",
            extraction(trimmed, "2026-11-20T09:00:00Z", &["Ann"]),
        ),
    );
    let c1 = insert(
        &mut conn,
        article(
            c,
            "https://c.example/1",
            extraction(body(2, 12), "2026-11-20T11:00:00Z", &["Ann", "Cy"]),
        ),
    );
    // The same page again under a new URL of the same site.
    let a2 = insert(
        &mut conn,
        article(
            a,
            "https://a.example/1-updated",
            extraction(wire.clone(), "2026-11-21T08:00:00Z", &["Bo"]),
        ),
    );
    // No text: a story of its own.
    let empty = insert(
        &mut conn,
        article(
            c,
            "https://c.example/2",
            extraction(String::new(), "2026-11-20T11:00:00Z", &["Ann"]),
        ),
    );
    let s = story(&conn, a1);
    assert_eq!([story(&conn, b1), story(&conn, a2)], [s, s]);
    assert_ne!(story(&conn, c1), s);
    assert_ne!(story(&conn, empty), story(&conn, c1));
    assert_eq!(row(&conn, s), (b1.0, 3, 2));
    let ann: (i64, i64) = conn
        .query_row("SELECT articles, stories FROM entities WHERE name = 'Ann'", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(ann, (4, 3));
    assert_eq!(totals_disagreeing_with_truth(&conn), Vec::<String>::new());

    // Re-extraction: c1 now carries the wire copy and joins its story; its own story, emptied, goes.
    let old = story(&conn, c1);
    let redone = extraction(wire.clone(), "2026-11-20T11:00:00Z", &["Ann", "Cy"]);
    assert!(articles::replace_extraction(&mut conn, c1, &redone, &gazette_stories::Config::default()).unwrap());
    assert_eq!(story(&conn, c1), s);
    let gone: i64 = conn
        .query_row("SELECT count(*) FROM stories WHERE id = ?1", [old], |r| r.get(0))
        .unwrap();
    assert_eq!(gone, 0);
    assert_eq!(row(&conn, s), (b1.0, 4, 3));
    assert_eq!(totals_disagreeing_with_truth(&conn), Vec::<String>::new());
    // a1 is rewritten as something else: no earlier article matches, and it came first to its story, so it stays.
    let other = extraction(body(3, 12), "2026-11-20T10:00:00Z", &["Di"]);
    assert!(articles::replace_extraction(&mut conn, a1, &other, &gazette_stories::Config::default()).unwrap());
    assert_eq!(story(&conn, a1), s);
    // a2 is rewritten as the same: it matches b1, of the same story.
    let same = extraction(wire, "2026-11-21T08:00:00Z", &["Bo"]);
    assert!(articles::replace_extraction(&mut conn, a2, &same, &gazette_stories::Config::default()).unwrap());
    assert_eq!(story(&conn, a2), s);
    assert_eq!(totals_disagreeing_with_truth(&conn), Vec::<String>::new());

    // Deletes: the first article (its story gets the next), then one from plain SQL with foreign keys off.
    conn.execute("DELETE FROM articles WHERE id = ?1", [b1.0]).unwrap();
    assert_eq!(row(&conn, s).0, a1.0);
    assert_eq!(totals_disagreeing_with_truth(&conn), Vec::<String>::new());
    conn.pragma_update(None, "foreign_keys", false).unwrap();
    conn.execute("DELETE FROM articles WHERE id = ?1", [a1.0]).unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    assert_eq!(row(&conn, s), (c1.0, 2, 2));
    assert_eq!(totals_disagreeing_with_truth(&conn), Vec::<String>::new());
    // Moved by hand, and inserted by hand without a story: still counted right.
    conn.execute(
        "UPDATE articles SET story_id = ?1 WHERE id = ?2",
        [story(&conn, empty), a2.0],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO articles (feed_id, item_key, url, title, fetched_at) VALUES (?1, 'hand', 'https://d.example/x', 'x', '2026-11-22T00:00:00Z')",
        [a.0],
    )
    .unwrap();
    assert_eq!(totals_disagreeing_with_truth(&conn), Vec::<String>::new());
    // Every article's story gone with its feed.
    conn.execute("DELETE FROM feeds", []).unwrap();
    let left: i64 = conn
        .query_row("SELECT count(*) FROM stories", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0);
    assert_eq!(totals_disagreeing_with_truth(&conn), Vec::<String>::new());
}
