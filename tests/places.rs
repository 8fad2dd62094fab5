//! Places end to end (issue 19): pages about ambiguous places (Paris, Texas; Georgia the country; Georgia the US
//! state) served from 127.0.0.1, ingested by the `gazette` binary into a real archive on each backend (a SQLite
//! file, and a PostgreSQL database when GAZETTE_TEST_POSTGRES names a server), then read as a user would: the
//! mentions' places, the views, `export places` and `export countries`, `extract`'s JSON, `reprocess --places` over
//! an archive whose places were never resolved, and the counts after a delete.

use std::process::{Command, Output};

use gazette_testkit::{Response, TestDb, TestServer};

/// Page name, publication time, HTML.
const PAGES: [(&str, &str, &str); 3] = [
    (
        "paris",
        "2021-12-02T09:00:00Z",
        include_str!("fixtures/places/paris.html"),
    ),
    (
        "georgia",
        "2021-12-03T10:00:00Z",
        include_str!("fixtures/places/georgia.html"),
    ),
    (
        "atlanta",
        "2021-12-03T15:00:00Z",
        include_str!("fixtures/places/atlanta.html"),
    ),
];

// GeoNames ids.
const PARIS_TEXAS: i64 = 4717560;
const PARIS_FRANCE: i64 = 2988507;
const GEORGIA_COUNTRY: i64 = 614540;
const GEORGIA_STATE: i64 = 4197000;

fn server() -> TestServer {
    TestServer::start(|req| {
        let base = format!("http://{}", req.header("host").unwrap_or("127.0.0.1"));
        if req.path() == "/feed.xml" {
            let items: String = PAGES
                .iter()
                .map(|(name, published, _)| {
                    let date = chrono::DateTime::parse_from_rfc3339(published).unwrap().to_rfc2822();
                    format!(
                        "<item><title>{name}</title><link>{base}/{name}.html</link><guid>{name}</guid>\
                         <pubDate>{date}</pubDate></item>"
                    )
                })
                .collect();
            return Response::ok(
                "application/rss+xml",
                format!(
                    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Places</title>\
                     <link>{base}/</link><description>places</description>{items}</channel></rss>"
                ),
            );
        }
        for (name, _, html) in PAGES {
            if req.path() == format!("/{name}.html") {
                return Response::ok("text/html; charset=utf-8", html);
            }
        }
        Response::not_found()
    })
}

fn gazette(db: &TestDb, args: &[&str]) -> String {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .args(args)
        .env("GAZETTE_DB", &db.location)
        .env_remove("RUST_LOG")
        .output()
        .expect("run gazette");
    assert!(
        out.status.success(),
        "gazette {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Rows of a query as `gazette query` gives them in CSV (NULL as empty), for comparing result sets.
fn rows(db: &TestDb, sql: &str) -> Vec<Vec<String>> {
    csv(&gazette(db, &["query", sql, "--format", "csv"])).1
}

/// Rows with their decimal numbers as numbers, so that two spellings of one number compare equal.
fn reals(rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
    let real = |c: String| match c.parse::<f64>() {
        Ok(x) if c.contains('.') => format!("{x:e}"),
        _ => c,
    };
    rows.into_iter().map(|r| r.into_iter().map(real).collect()).collect()
}

/// The places of one page's mentions of these surfaces, distinct.
fn places_of(db: &TestDb, page: &str, surfaces: &str) -> Vec<Vec<String>> {
    rows(
        db,
        &format!(
            "SELECT DISTINCT m.place_id FROM mentions m JOIN articles a ON a.id = m.article_id
             WHERE a.url LIKE '%/{page}.html' AND m.surface IN ({surfaces})"
        ),
    )
}

/// The views against a fresh count over mentions and demonyms: the mismatching rows, none when they agree.
fn views_disagreeing_with_truth(db: &TestDb) -> Vec<String> {
    let checks = [
        (
            "v_place_daily",
            "SELECT day, geonameid, mentions, articles FROM v_place_daily",
            "SELECT day, place_id, count(*), count(DISTINCT article_id) FROM mentions WHERE place_id IS NOT NULL
             GROUP BY day, place_id",
        ),
        (
            "v_place_counts",
            "SELECT geonameid, mentions, articles FROM v_place_counts",
            "SELECT place_id, count(*), count(DISTINCT article_id) FROM mentions WHERE place_id IS NOT NULL
             GROUP BY place_id",
        ),
        (
            "v_country_daily",
            "SELECT day, country_code, place_mentions, demonym_mentions, articles FROM v_country_daily",
            "SELECT day, country_code, sum(p), sum(d), count(DISTINCT article_id) FROM (
                 SELECT m.day, c.country_code, m.article_id, 1 AS p, 0 AS d
                 FROM mentions m JOIN places c ON c.geonameid = m.place_id WHERE c.country_code <> ''
                 UNION ALL
                 SELECT day, country_code, article_id, 0, 1 FROM demonym_mentions) AS u
             GROUP BY day, country_code",
        ),
    ];
    let mut wrong = Vec::new();
    for (name, view, truth) in checks {
        for (a, b) in [(view, truth), (truth, view)] {
            let extra = rows(db, &format!("{a} EXCEPT {b}"));
            if !extra.is_empty() {
                wrong.push(format!("{name}: {extra:?} of ({a}) not in ({b})"));
            }
        }
    }
    wrong
}

fn csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// The named columns of a CSV's rows, in order.
fn columns(header: &[String], rows: &[Vec<String>], names: &[&str]) -> Vec<Vec<String>> {
    let at: Vec<usize> = names
        .iter()
        .map(|n| {
            header
                .iter()
                .position(|h| h == n)
                .unwrap_or_else(|| panic!("no column {n}"))
        })
        .collect();
    rows.iter()
        .map(|r| at.iter().map(|&i| r[i].clone()).collect())
        .collect()
}

#[test]
fn ambiguous_places_are_resolved_counted_exported_and_filled_in_later() {
    let server = server();
    for db in TestDb::each("ambiguous_places_are_resolved_counted_exported_and_filled_in_later") {
        places_on(&db, &server);
    }
}

fn places_on(db: &TestDb, server: &TestServer) {
    let summary = gazette(db, &["ingest", &server.url("/feed.xml")]);
    assert!(summary.contains("3 new articles"), "{summary}");

    // Each name resolved as its article says: Paris in Texas, Georgia the country beside Tbilisi, Georgia the state
    // beside Atlanta; and the demonym counted for its country, not as a place.
    let id = |v: i64| vec![vec![v.to_string()]];
    assert_eq!(places_of(db, "paris", "'Paris', 'PARIS'"), id(PARIS_TEXAS));
    assert_ne!(places_of(db, "paris", "'Paris'"), id(PARIS_FRANCE));
    assert_eq!(places_of(db, "georgia", "'Georgia'"), id(GEORGIA_COUNTRY));
    assert_eq!(places_of(db, "atlanta", "'Georgia'"), id(GEORGIA_STATE));
    assert_eq!(
        rows(db, "SELECT surface, country_code FROM demonym_mentions"),
        [["Georgian", "GE"]]
    );
    let version = gazette_places::RESOLVER_VERSION;
    assert_eq!(rows(db, "SELECT DISTINCT resolver_version FROM articles"), [[version]]);
    // The views: equal to a fresh count, and the rows a reader expects.
    assert!(
        views_disagreeing_with_truth(db).is_empty(),
        "{:?}",
        views_disagreeing_with_truth(db)
    );
    assert_eq!(
        rows(
            db,
            "SELECT day, country_code, country, demonym_mentions, articles FROM v_country_daily ORDER BY day, country_code"
        ),
        [
            ["2021-12-02", "US", "United States", "0", "1"],
            ["2021-12-03", "GE", "Georgia", "1", "1"],
            ["2021-12-03", "RU", "Russia", "0", "1"],
            ["2021-12-03", "US", "United States", "0", "1"],
        ]
    );
    assert_eq!(
        rows(
            db,
            &format!(
                "SELECT day, name, country_code, admin1, articles FROM v_place_daily WHERE geonameid = {PARIS_TEXAS}"
            )
        ),
        [["2021-12-02", "Paris", "US", "TX", "1"]]
    );

    // `export places`: the running totals, ranked, with each place's entry.
    let (header, exported) = csv(&gazette(db, &["export", "places"]));
    let fields = [
        "geonameid",
        "name",
        "feature_code",
        "country_code",
        "lat",
        "lon",
        "mentions",
        "articles",
    ];
    // (Export writes reals as Rust prints them, `query` as JSON does: a halfway last digit may differ.)
    assert_eq!(
        reals(columns(&header, &exported, &fields)),
        reals(rows(
            db,
            "SELECT geonameid, name, feature_code, country_code, lat, lon, mentions, articles FROM v_place_counts
             ORDER BY mentions DESC, name, geonameid"
        ))
    );
    let paris = exported
        .iter()
        .find(|r| r[0] == PARIS_TEXAS.to_string())
        .expect("Paris, Texas exported");
    let lat: f64 = columns(&header, std::slice::from_ref(paris), &["lat"])[0][0]
        .parse()
        .unwrap();
    assert!((lat - 33.66).abs() < 0.1, "Paris, Texas at latitude {lat}");
    // `export countries` for one day: the day's rows of v_country_daily, summed.
    let (header, exported) = csv(&gazette(
        db,
        &["export", "countries", "--since", "2021-12-03", "--until", "2021-12-03"],
    ));
    assert_eq!(
        columns(
            &header,
            &exported,
            &[
                "country_code",
                "country",
                "place_mentions",
                "demonym_mentions",
                "mentions",
                "articles"
            ]
        ),
        rows(
            db,
            "SELECT country_code, country, place_mentions, demonym_mentions, mentions, articles FROM v_country_daily
             WHERE day = '2021-12-03' ORDER BY mentions DESC, country_code"
        )
    );
    let by_type = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .args(["export", "countries", "--type", "LOC"])
        .env("GAZETTE_DB", &db.location)
        .output()
        .unwrap();
    assert!(!by_type.status.success(), "countries have no --type filter");

    // `extract` gives each place mention its place.
    let json: serde_json::Value = serde_json::from_str(&gazette(db, &["extract", &server.url("/paris.html")])).unwrap();
    let paris = json["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "LOC" && e["surface"] == "Paris")
        .expect("a Paris mention");
    assert_eq!(paris["place"]["geonameid"], PARIS_TEXAS);
    assert_eq!(paris["place"]["name"], "Paris");
    assert_eq!(paris["place"]["country_code"], "US");
    assert!(paris["place"]["lon"].as_f64().unwrap() < -95.0, "{paris}");
    assert!(paris["place_confidence"].as_f64().unwrap() > 0.5, "{paris}");

    // An archive written before places existed: after migration 0010 its mentions have no place, its articles no
    // resolver version and no demonyms (set here as plain SQL would, foreign keys off). `reprocess --places` fills
    // them in, as a fresh ingest would have.
    let resolved = "SELECT article_id, field, start, place_id, place_confidence FROM mentions ORDER BY 1, 2, 3";
    let before = rows(db, resolved);
    let demonyms = rows(db, "SELECT * FROM demonym_mentions ORDER BY 1, 2, 3");
    db.execute(
        "UPDATE mentions SET place_id = NULL, place_confidence = NULL;
         DELETE FROM demonym_mentions;
         UPDATE articles SET resolver_version = NULL;",
    );
    assert!(rows(db, "SELECT * FROM v_country_daily").is_empty());
    assert!(rows(db, "SELECT * FROM v_place_counts").is_empty());
    let out = gazette(db, &["reprocess", "--places"]);
    assert!(out.starts_with("3 articles places resolved again, 0 failed"), "{out}");
    assert_eq!(rows(db, resolved), before);
    assert_eq!(rows(db, "SELECT * FROM demonym_mentions ORDER BY 1, 2, 3"), demonyms);
    assert_eq!(rows(db, "SELECT DISTINCT resolver_version FROM articles"), [[version]]);
    assert!(views_disagreeing_with_truth(db).is_empty());
    let out = gazette(db, &["reprocess", "--places"]);
    assert!(out.starts_with("0 articles"), "nothing is stale any more: {out}");

    // Deleted from plain SQL (on SQLite, foreign keys off): its places and its country go with it.
    db.execute("DELETE FROM articles WHERE url LIKE '%/georgia.html'");
    assert!(
        views_disagreeing_with_truth(db).is_empty(),
        "{:?}",
        views_disagreeing_with_truth(db)
    );
    assert!(rows(db, "SELECT * FROM v_country_daily WHERE country_code IN ('GE', 'RU')").is_empty());
    assert!(rows(
        db,
        &format!("SELECT * FROM v_place_counts WHERE geonameid = {GEORGIA_COUNTRY}")
    )
    .is_empty());
}
