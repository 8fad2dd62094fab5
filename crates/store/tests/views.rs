//! The web view's questions on both backends: the same articles, mentions and quotes written to a SQLite file and to
//! a PostgreSQL database (when GAZETTE_TEST_POSTGRES names a server) give the same answers, serialised as the web
//! view serialises them, in the same order: ties broken by id, undated articles after the dated ones, pages that
//! join up.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use gazette_store::read::{MATCH_END, MATCH_START};
use gazette_store::{
    Archive, ArticleId, ArticleList, EntityId, EntityType, EntityView, Extraction, FeedList, Field, Location,
    NewArticle, NewMention, NewQuote, SearchPage, Store, TopEntities,
};
use gazette_testkit::TestDb;
use serde_json::{json, Value};

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn mention(field: Field, text: &str, surface: &str, kind: EntityType, name: &str) -> NewMention {
    let start = text.find(surface).unwrap_or_else(|| panic!("{surface} in {text}"));
    NewMention {
        field,
        start: text[..start].chars().count() as i64,
        end: (text[..start].chars().count() + surface.chars().count()) as i64,
        surface: surface.into(),
        entity_type: kind,
        entity_name: name.into(),
    }
}

/// Six articles of one feed: two published at the same second, one earlier, two undated, one a day later; people
/// and organisations named together, quotes with and without a speaker.
fn articles(feed: gazette_store::FeedId) -> Vec<NewArticle> {
    let per = EntityType::Person;
    let org = EntityType::Organisation;
    let specs: [(&str, Option<&str>, &str); 6] = [
        (
            "Ada Lovelace joins Acme",
            Some("2026-11-20T09:00:00Z"),
            "Ada Lovelace said \"numbers sing\" at Acme. Bob Stone agreed with Ada Lovelace.",
        ),
        (
            "Acme and Bob Stone",
            Some("2026-11-20T09:00:00Z"),
            "Bob Stone of Acme met Ada Lovelace. \"We build engines\", said Bob Stone.",
        ),
        (
            "Quiet day at Acme",
            Some("2026-11-19T18:30:00Z"),
            "Acme was quiet; Carl Ode wrote \"nothing happened\" about Acme.",
        ),
        (
            "Undated Acme note",
            None,
            "A note on Acme and Ada Lovelace, with no date.",
        ),
        (
            "Another undated note",
            None,
            "Carl Ode and Bob Stone, undated, \"unattributed words\" here.",
        ),
        (
            "Engines at Acme",
            Some("2026-11-21T07:00:00Z"),
            "Ada Lovelace and Carl Ode looked at engines at Acme.",
        ),
    ];
    let names = [
        ("Ada Lovelace", per),
        ("Bob Stone", per),
        ("Carl Ode", per),
        ("Acme", org),
    ];
    specs
        .iter()
        .enumerate()
        .map(|(i, (title, published, text))| {
            let mut mentions = Vec::new();
            for (name, kind) in names {
                for (at, _) in text.match_indices(name) {
                    let before = text[..at].chars().count() as i64;
                    mentions.push(NewMention {
                        field: Field::Text,
                        start: before,
                        end: before + name.chars().count() as i64,
                        surface: name.into(),
                        entity_type: kind,
                        entity_name: name.into(),
                    });
                }
                if title.contains(name) {
                    mentions.push(mention(Field::Title, title, name, kind, name));
                }
            }
            let quotes = text
                .match_indices('"')
                .collect::<Vec<_>>()
                .chunks(2)
                .map(|pair| {
                    let (open, close) = (pair[0].0, pair[1].0);
                    let speaker = names
                        .iter()
                        .filter(|(n, _)| *n != "Acme")
                        .find(|(n, _)| text[close..].contains(n) && !text[close..].starts_with("\" here"))
                        .map(|(n, k)| (*k, n.to_string()));
                    NewQuote {
                        start: text[..open].chars().count() as i64,
                        end: text[..=close].chars().count() as i64,
                        text: text[open + 1..close].into(),
                        speaker,
                    }
                })
                .collect();
            NewArticle {
                feed_id: feed,
                item_key: format!("item-{i}"),
                guid: None,
                url: Some(format!("https://example.com/{i}")),
                html: None,
                page_error: None,
                fetched_at: t("2026-11-21T12:00:00Z"),
                extraction: Extraction {
                    title: Some(title.to_string()),
                    authors: vec![format!("Writer {i}")],
                    published_at: published.map(t),
                    text: text.to_string(),
                    extractor_version: Some("test".into()),
                    tagger_version: Some("test".into()),
                    mentions,
                    quotes,
                    ..Default::default()
                },
            }
        })
        .collect()
}

/// Every question the web view asks, with the answers as JSON.
fn answers(db: &TestDb) -> Vec<(String, Value)> {
    let location = Location::parse(&db.location).unwrap();
    let store = Store::open(&location).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let feeds = store
            .add_feeds(vec![
                "https://example.com/feed.xml".into(),
                "https://example.com/other.xml".into(),
            ])
            .await
            .unwrap();
        let stored = store.store_articles(articles(feeds[0])).await.unwrap();
        assert!(stored.results.iter().all(|r| r.is_ok()), "{:?}", db.backend);
    });
    store.close();
    let mut archive = Archive::open(&location).unwrap();
    archive.set_time_limit(Some(std::time::Duration::from_secs(10)));
    let mut out: Vec<(String, Value)> = Vec::new();
    let mut ask = |what: String, v: Value| out.push((what, v));

    let day = archive.latest_day().unwrap();
    ask("latest day".into(), json!(day));
    for (limit, offset) in [(200, 0), (2, 0), (2, 2), (2, 4), (3, 3), (1, 5), (5, 6), (2, 9)] {
        for feed in [None, Some(gazette_store::FeedId(1)), Some(gazette_store::FeedId(2))] {
            for entity in [None, Some(EntityId(1)), Some(EntityId(4))] {
                let list = ArticleList {
                    feed,
                    entity,
                    limit,
                    offset,
                };
                let found = archive.latest_articles(&list).unwrap();
                ask(format!("{list:?}"), to_json(&found));
            }
        }
    }
    let to = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
    for entity_type in [EntityType::Person, EntityType::Organisation, EntityType::Location] {
        for (days, limit) in [(1, 5), (3, 2), (3, 200)] {
            let top = TopEntities {
                entity_type,
                from: to - Duration::days(days - 1),
                to,
                chart_from: to - Duration::days(13),
                limit,
            };
            ask(format!("{top:?}"), to_json(&archive.top_entities(&top).unwrap()));
        }
    }
    for id in 1..=7 {
        ask(
            format!("article {id}"),
            to_json(&archive.article(ArticleId(id)).unwrap()),
        );
    }
    for id in 1..=5 {
        for (from, limit) in [(to - Duration::days(6), 200), (to, 1)] {
            let view = EntityView {
                id: EntityId(id),
                from,
                to,
                limit,
            };
            ask(format!("{view:?}"), to_json(&archive.entity(&view).unwrap()));
        }
    }
    for failing_only in [false, true] {
        let list = FeedList {
            failing_only,
            limit: 50,
            offset: 0,
        };
        ask(format!("{list:?}"), to_json(&archive.feed_health(&list).unwrap()));
    }
    for id in 1..=3 {
        ask(
            format!("feed {id}"),
            to_json(&archive.feed_history(gazette_store::FeedId(id), 20).unwrap()),
        );
    }
    // Ranks and snippets are the backends' own (bm25 and ts_rank, FTS5's snippet and ts_headline): the articles
    // found, and whether more follow, must agree; every snippet marks a match.
    for (query, entity, limit) in [
        ("Acme", None, 200),
        ("Acme", None, 2),
        ("engines", None, 200),
        ("Lovelace", Some(EntityId(2)), 200),
        ("\"Bob Stone\"", None, 200),
        ("undated", None, 200),
        ("Acme\"", None, 200),
    ] {
        let page = SearchPage {
            query: query.into(),
            entity,
            limit,
            ..SearchPage::default()
        };
        let results = archive.search_page(&page).unwrap();
        for hit in &results.hits {
            assert!(
                hit.snippet.contains(MATCH_START) && hit.snippet.contains(MATCH_END),
                "{:?} {query}: {:?}",
                db.backend,
                hit.snippet
            );
        }
        let mut ids: Vec<i64> = results.hits.iter().map(|h| h.article.id.0).collect();
        ids.sort();
        if limit < 200 {
            // Which articles make the first page depends on the ranking: only how many, and that more follow.
            ids.clear();
            ids.push(results.hits.len() as i64);
        }
        ask(format!("{page:?}"), json!({"ids": ids, "more": results.more}));
    }
    out
}

/// An answer as the web view's JSON.
fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap()
}

#[test]
fn the_web_views_questions_answer_the_same_on_both_backends() {
    let dbs = TestDb::each("the_web_views_questions_answer_the_same_on_both_backends");
    let all: Vec<_> = dbs.iter().map(answers).collect();
    let sqlite = &all[0];
    // The order SQLite gives: dated articles newest first (ties by id, newest first), then the undated; pages join up.
    let whole = sqlite
        .iter()
        .find(|(w, _)| w.starts_with("ArticleList { feed: None, entity: None, limit: 200, offset: 0"))
        .unwrap()
        .1
        .as_array()
        .unwrap()
        .clone();
    let ids: Vec<i64> = whole.iter().map(|a| a["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 6);
    let dated: Vec<_> = whole.iter().take_while(|a| !a["published_at"].is_null()).collect();
    assert_eq!(dated.len(), 4, "{whole:?}");
    assert!(dated.windows(2).all(|w| {
        let (a, b) = (
            w[0]["published_at"].as_str().unwrap(),
            w[1]["published_at"].as_str().unwrap(),
        );
        a > b || (a == b && w[0]["id"].as_i64() > w[1]["id"].as_i64())
    }));
    assert!(whole[4]["id"].as_i64() > whole[5]["id"].as_i64());
    for (answers, what) in all.iter().zip(&dbs) {
        let paged: Vec<i64> = [(2, 0), (2, 2), (2, 4)]
            .iter()
            .flat_map(|(limit, offset)| {
                let key = format!("ArticleList {{ feed: None, entity: None, limit: {limit}, offset: {offset} }}");
                let page = &answers.iter().find(|(w, _)| *w == key).unwrap().1;
                page.as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a["id"].as_i64().unwrap())
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(paged, ids, "{:?}: pages of two", what.backend);
    }
    // Quotes with and without a speaker, partners, days.
    let article = &sqlite.iter().find(|(w, _)| w == "article 1").unwrap().1;
    assert!(article["quotes"][0]["speaker"]["name"] == "Ada Lovelace", "{article}");
    let entity = &sqlite
        .iter()
        .find(|(w, _)| w.starts_with("EntityView { id: EntityId(1)"))
        .unwrap()
        .1;
    assert!(!entity["partners"].as_array().unwrap().is_empty(), "{entity}");
    if let [sqlite, postgres] = &all[..] {
        assert_eq!(sqlite.len(), postgres.len());
        for ((what, a), (_, b)) in sqlite.iter().zip(postgres) {
            assert_eq!(a, b, "{what}: SQLite and PostgreSQL differ");
        }
    }
}

/// Persons mentioned on three days: each day's four most mentioned are mentioned little on the other days, and a
/// fifth is second to them every day, so that it leads over the range without leading any day.
fn daily_counts() -> Vec<(String, [i64; 3])> {
    let mut counts: Vec<(String, [i64; 3])> = (0..12)
        .map(|i| {
            let mut days = [1; 3];
            days[i / 4] = 12 - (i as i64 % 4);
            (format!("Person {}", char::from(b'A' + i as u8)), days)
        })
        .collect();
    counts.push(("Steady Person".into(), [8, 8, 8]));
    // A tie with Steady Person over the last two days, broken by name.
    counts.push(("Second Steady".into(), [1, 8, 8]));
    counts
}

#[test]
fn top_entities_are_the_most_mentioned_over_the_range() {
    for db in TestDb::each("top_entities_are_the_most_mentioned_over_the_range") {
        let location = Location::parse(&db.location).unwrap();
        let store = Store::open(&location).unwrap();
        let counts = daily_counts();
        let mut articles = Vec::new();
        for day in 0..3 {
            // Article j of a day names every person mentioned more than j times that day, once each.
            for j in 0..12 {
                let names: Vec<&str> = counts
                    .iter()
                    .filter(|(_, c)| c[day] > j)
                    .map(|(n, _)| n.as_str())
                    .collect();
                let text = names.join(", ");
                articles.push(NewArticle {
                    feed_id: gazette_store::FeedId(1),
                    item_key: format!("day-{day}-{j}"),
                    guid: None,
                    url: Some(format!("https://example.com/{day}/{j}")),
                    html: None,
                    page_error: None,
                    fetched_at: t("2026-11-21T12:00:00Z"),
                    extraction: Extraction {
                        title: Some(format!("Day {day}, article {j}")),
                        published_at: Some(t(&format!("2026-11-0{}T09:00:00Z", day + 1))),
                        mentions: names
                            .iter()
                            .map(|n| mention(Field::Text, &text, n, EntityType::Person, n))
                            .collect(),
                        text,
                        ..Default::default()
                    },
                });
            }
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let feeds = store
                .add_feeds(vec!["https://example.com/feed.xml".into()])
                .await
                .unwrap();
            assert_eq!(feeds[0], gazette_store::FeedId(1));
            let stored = store.store_articles(articles).await.unwrap();
            assert!(stored.results.iter().all(|r| r.is_ok()), "{:?}", db.backend);
        });
        store.close();
        let mut archive = Archive::open(&location).unwrap();
        let first = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        for (from, to) in [(0, 0), (1, 1), (2, 2), (0, 1), (1, 2), (0, 2)] {
            let mut expected: Vec<(String, i64)> = counts
                .iter()
                .map(|(n, c)| (n.clone(), c[from..=to].iter().sum()))
                .collect();
            expected.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            for limit in 1..=15 {
                let top = archive
                    .top_entities(&TopEntities {
                        entity_type: EntityType::Person,
                        from: first + Duration::days(from as i64),
                        to: first + Duration::days(to as i64),
                        chart_from: first,
                        limit,
                    })
                    .unwrap();
                let found: Vec<(String, i64)> = top.iter().map(|e| (e.name.clone(), e.mentions)).collect();
                assert_eq!(
                    found,
                    expected[..(limit as usize).min(expected.len())],
                    "{:?}: days {from}..={to}, top {limit}",
                    db.backend
                );
                assert!(top.iter().all(|e| e.articles == e.mentions && e.daily.len() == to + 1));
            }
            let organisations = archive
                .top_entities(&TopEntities {
                    entity_type: EntityType::Organisation,
                    from: first,
                    to: first + Duration::days(2),
                    chart_from: first,
                    limit: 5,
                })
                .unwrap();
            assert!(organisations.is_empty());
        }
    }
}
