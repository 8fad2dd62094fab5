//! `gazette serve` over an archive ingested from fixtures: each page's content against the database, CSV equal to
//! `gazette export`, hostile text inert everywhere, the token rule, and 404 and 400 answers. The pages' content, the
//! hostile text and the 404s are checked on each backend (SQLite, and PostgreSQL when GAZETTE_TEST_POSTGRES names a
//! server); the database is read through the same store, with SQL both backends speak.

#[path = "web_support.rs"]
mod support;

use support::*;

fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[test]
fn every_route_shows_what_the_archive_holds() {
    for a in archives("every_route_shows_what_the_archive_holds") {
        every_route_shows_what_the_archive_holds_on(&a);
    }
}

fn every_route_shows_what_the_archive_holds_on(a: &Archive) {
    let web = serve(&a.db, &[]);
    let seed = a.number(&format!("SELECT id FROM articles WHERE title = '{SEED_TITLE}'"));

    // Every page answers 200 with the security headers.
    for path in every_page(a) {
        let r = get(web.addr, &path);
        assert_eq!(r.status, 200, "{:?} {path}: {}", a.store.backend, r.body);
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(
            csp.contains("default-src 'none'") && !csp.contains("script-src"),
            "{path}: {csp}"
        );
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"), "{path}");
    }

    // Home: the latest articles, the top names of the last day with their charts, no failing feed.
    let home = get(web.addr, "/").body;
    assert!(
        home.contains(&format!("href=\"/articles/{seed}\">{SEED_TITLE}</a>")),
        "{home}"
    );
    let austin = a.number("SELECT id FROM entities WHERE type = 'PER' AND name = 'Lloyd Austin'");
    assert!(
        home.contains(&format!("href=\"/entities/{austin}\">Lloyd Austin</a>")),
        "{home}"
    );
    assert!(home.contains("<svg class=\"spark\""), "{home}");
    assert!(home.contains("Every feed's last fetch worked"), "{home}");

    // The seed article: every mention marked by type and linked to its entity.
    let page = get(web.addr, &format!("/articles/{seed}")).body;
    let mentions = a.pairs(&format!(
        "SELECT e.id, lower(e.type) || '|' || m.surface FROM mentions m JOIN entities e ON e.id = m.entity_id
         WHERE m.article_id = {seed} AND m.field = 'text'"
    ));
    assert!(mentions.len() > 20, "the tagger found too little: {}", mentions.len());
    let known = ["per", "org", "loc", "misc"];
    for (id, typed) in &mentions {
        let (kind, surface) = typed.split_once('|').unwrap();
        let class = if known.contains(&kind) { kind } else { "other" };
        let link = format!("<a class=\"ent {class}\" href=\"/entities/{id}\"");
        let at = page
            .find(&link)
            .unwrap_or_else(|| panic!("no link {link} for {surface:?}"));
        assert!(page[at..].contains(&format!(">{}</a>", escaped(surface))), "{surface}");
    }
    for name in ["Lloyd Austin", "Nobuo Kishi", "Shinzo Abe"] {
        assert!(page.contains(&format!("PER: {name}")), "{name} not marked");
    }
    // Its quotes, each with its speaker linked: among them the two the fixture expects.
    let quotes = a.pairs(&format!(
        "SELECT e.id, q.text FROM quotes q JOIN entities e ON e.id = q.speaker_entity_id
         WHERE q.article_id = {seed} ORDER BY q.start"
    ));
    assert!(quotes.len() >= 2, "{quotes:?}");
    for (speaker, text) in &quotes {
        let quote = format!(
            "<blockquote><p>{}</p></blockquote><figcaption>— <a class=\"ent ",
            escaped(text)
        );
        let at = page
            .find(&quote)
            .unwrap_or_else(|| panic!("no quote {text:?} in the page"));
        assert!(page[at..].contains(&format!("href=\"/entities/{speaker}\">")), "{text}");
    }
    for (speaker, starts) in [
        ("Shinzo Abe", "A Taiwan emergency is a Japanese emergency"),
        ("Hua Chunying", "openly challenged China"),
    ] {
        let quote = format!("<blockquote><p>{}", escaped(starts));
        let at = page.find(&quote).unwrap_or_else(|| panic!("no quote {starts:?}"));
        let caption = &page[at..at + page[at..].find("</figcaption>").unwrap()];
        assert!(caption.contains(&format!(">{speaker}</a>")), "{caption}");
    }
    assert!(
        page.contains("href=\"https://www.voanews.com/a/us-defense-secretary"),
        "no link to the original"
    );
    let versions = a.texts(&format!(
        "SELECT extractor_version, tagger_version FROM articles WHERE id = {seed}"
    ));
    let (extractor, tagger) = (&versions[0], &versions[1]);
    assert!(page.contains(&escaped(extractor)) && page.contains(&escaped(tagger)));
    assert!(page.contains("Voice of America") && page.contains("VOA News"));

    // The same data as JSON.
    let json = get(web.addr, &format!("/api/articles/{seed}"));
    assert_eq!(json.header("content-type"), Some("application/json"));
    let v: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    let stored = a.number(&format!("SELECT count(*) FROM mentions WHERE article_id = {seed}"));
    assert_eq!(v["mentions"].as_array().unwrap().len() as i64, stored);
    assert_eq!(v["title"], SEED_TITLE);
    let stored = a.number(&format!("SELECT count(*) FROM quotes WHERE article_id = {seed}"));
    assert_eq!(v["quotes"].as_array().unwrap().len() as i64, stored);

    // An entity: its days as a chart, its partners, its latest articles; a speaker's quotes.
    let entity = get(web.addr, &format!("/entities/{austin}")).body;
    assert!(entity.contains("<svg class=\"bars\""), "{entity}");
    let days = a.number(&format!("SELECT count(*) FROM entity_days WHERE entity_id = {austin}"));
    assert_eq!(entity.matches("<rect").count() as i64, days);
    assert!(entity.contains(">Nobuo Kishi</a>"), "no partner");
    assert!(entity.contains(&format!("href=\"/articles/{seed}\">{SEED_TITLE}</a>")));
    let abe = quotes
        .iter()
        .find(|(_, t)| t.contains("Taiwan emergency"))
        .expect("Abe's quote")
        .0;
    let speaker = get(web.addr, &format!("/entities/{abe}")).body;
    assert!(
        speaker.contains("A Taiwan emergency is a Japanese emergency"),
        "{speaker}"
    );
    let ranged = get(
        web.addr,
        &format!("/api/entities/{austin}?from=2021-12-01&to=2021-12-07"),
    )
    .body;
    let v: serde_json::Value = serde_json::from_str(&ranged).unwrap();
    assert_eq!(v["daily"].as_array().unwrap().len(), 7);

    // Search: the same matches as `gazette search`, snippets marked, filters.
    let cli = ok(gazette(&a.db, &["search", "Kishi", "--format", "json"]));
    let cli: Vec<serde_json::Value> = serde_json::from_str(&cli).unwrap();
    let found = get(web.addr, "/api/search?q=Kishi").body;
    let found: serde_json::Value = serde_json::from_str(&found).unwrap();
    let ids = |v: &[serde_json::Value], key: &dyn Fn(&serde_json::Value) -> i64| v.iter().map(key).collect::<Vec<_>>();
    assert_eq!(
        ids(found["hits"].as_array().unwrap(), &|h| h["article"]["id"]
            .as_i64()
            .unwrap()),
        ids(&cli, &|h| h["id"].as_i64().unwrap())
    );
    let results = get(web.addr, "/search?q=Kishi").body;
    assert!(results.contains("<mark>Kishi</mark>"), "{results}");
    let filtered = get(web.addr, "/api/search?q=Kishi&feed=2").body;
    let filtered: serde_json::Value = serde_json::from_str(&filtered).unwrap();
    assert!(filtered["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["article"]["feed_id"] == 2));
    let later = get(web.addr, "/api/search?q=Kishi&since=2021-12-04").body;
    let later: serde_json::Value = serde_json::from_str(&later).unwrap();
    assert_eq!(later["hits"].as_array().unwrap().len(), 1);
    let naming = get(web.addr, &format!("/search?q=Taiwan&entity={abe}")).body;
    assert!(naming.contains(&format!("href=\"/articles/{seed}\"")), "{naming}");

    // Feeds: health and fetch history.
    let feeds = get(web.addr, "/feeds").body;
    assert!(feeds.contains("East Asia - Voice of America"), "{feeds}");
    let feed = get(web.addr, "/feeds/1").body;
    assert!(feed.contains("<td class=\"num\">200</td>"), "{feed}");

    // Every report as the same CSV as `gazette export`.
    for report in [
        "articles",
        "mentions",
        "entities",
        "cooccurrence",
        "timeline",
        "quotes",
        "feeds",
    ] {
        let cli = ok(gazette(&a.db, &["export", report]));
        let web_csv = get(web.addr, &format!("/exports/{report}.csv"));
        assert_eq!(web_csv.status, 200);
        assert_eq!(web_csv.header("content-type"), Some("text/csv; charset=utf-8"));
        assert_eq!(web_csv.body, cli, "{report}");
    }
    let cli = ok(gazette(
        &a.db,
        &[
            "export",
            "mentions",
            "--since",
            "2021-12-04",
            "--type",
            "PER",
            "--limit",
            "5",
        ],
    ));
    let web_csv = get(
        web.addr,
        "/exports/csv?report=mentions&since=2021-12-04&type=PER&limit=5",
    )
    .body;
    assert_eq!(web_csv, cli);
}

#[test]
fn hostile_text_is_inert_on_every_page() {
    for a in archives("hostile_text_is_inert_on_every_page") {
        hostile_text_is_inert_on_every_page_on(&a);
    }
}

fn hostile_text_is_inert_on_every_page_on(a: &Archive) {
    // What the hostile page left in the archive: its text and caption as ingested (the title, byline, canonical URL
    // and feed title that ingest cleaned are written as plain SQL could: see `archive_on`).
    let stored = a.texts("SELECT image_caption, text FROM articles WHERE feed_id = 2");
    let (caption, text) = (&stored[0], &stored[1]);
    assert!(
        caption.contains("onerror=") && caption.contains("javascript:"),
        "{caption}"
    );
    assert!(text.contains("<script>alert('text')") && text.contains("javascript:") && text.contains("data:text/html"));
    let web = serve(&a.db, &[]);
    let mut seen = 0;
    for path in every_page(a)
        .into_iter()
        .chain(["/api/articles/2".to_string(), "/api/search?q=alert".into()])
    {
        let r = get(web.addr, &path);
        assert_eq!(r.status, 200, "{:?} {path}", a.store.backend);
        // (JSON carries the text as it is, served as JSON with nosniff: no browser runs it as a page.)
        if let Some(why) = active_markup(&r.body).filter(|_| !path.starts_with("/api/")) {
            panic!("{:?} {path} has {why}", a.store.backend);
        }
        if r.body.contains("alert(") {
            seen += 1;
        }
        if path.starts_with("/articles/") && r.body.contains("Mallory") {
            assert!(r.body.contains("&lt;script&gt;alert('title')&lt;/script&gt;"), "{path}");
            assert!(r
                .body
                .contains("&lt;b onmouseover=alert('author')&gt;Mallory&lt;/b&gt;"));
            assert!(r.body.contains("&lt;img src=x onerror=alert('caption')&gt;"));
            assert!(r.body.contains("&lt;script&gt;alert('text')&lt;/script&gt;"));
            assert!(r
                .body
                .contains("title=\"not a web address: shown, not linked\">javascript:alert('canonical')</code>"));
            seen += 10;
        }
        if path.starts_with("/api/") {
            assert_eq!(r.header("content-type"), Some("application/json"));
        }
    }
    assert!(
        seen > 12,
        "{:?}: the hostile text was not shown anywhere ({seen})",
        a.store.backend
    );
}

#[test]
fn a_token_is_needed_off_loopback_and_checked_on_every_request() {
    let a = archive();
    let refused = gazette(&a.db, &["serve", "--listen", "0.0.0.0:0"]);
    assert!(!refused.status.success());
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(why.contains("needs a token"), "{why}");
    let short = gazette(&a.db, &["serve", "--listen", "127.0.0.1:0", "--token", "short"]);
    assert!(String::from_utf8_lossy(&short.stderr).contains("too short"));

    let token = "s3cret-token-for-the-test";
    let web = serve(&a.db, &["--token", token]);
    for path in [
        "/",
        "/articles/1",
        "/api/feeds",
        "/exports/feeds.csv",
        "/static/gazette.css",
        "/nope",
    ] {
        let r = get(web.addr, path);
        assert_eq!(r.status, 401, "{path}");
        assert!(!r.body.contains("Voice of America"));
        let wrong = get_with(web.addr, path, &[("Authorization", "Bearer s3cret-token-for-the-tesT")]);
        assert_eq!(wrong.status, 401, "{path}");
    }
    let bearer = format!("Bearer {token}");
    assert_eq!(
        get_with(web.addr, "/api/feeds", &[("Authorization", &bearer)]).status,
        200
    );
    // A link with the token sets a cookie and sends the browser to the same page without it.
    let link = get(web.addr, &format!("/search?q=Kishi&token={token}"));
    assert_eq!(link.status, 303);
    assert_eq!(link.header("location"), Some("/search?q=Kishi"));
    let cookie = link
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(link.header("set-cookie").unwrap().contains("HttpOnly"));
    let page = get_with(web.addr, "/search?q=Kishi", &[("Cookie", &cookie)]);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<mark>Kishi</mark>"));
}

#[test]
fn countries_and_places_are_on_the_map() {
    for a in archives("countries_and_places_are_on_the_map") {
        countries_and_places_are_on_the_map_on(&a);
    }
}

fn countries_and_places_are_on_the_map_on(a: &Archive) {
    let web = serve(&a.db, &[]);
    let range = "from=2021-11-01&to=2021-12-31";
    // The list: each country with its mentions over the range, as v_country_daily sums them, on a shaded map.
    let expected = a.pairs(
        "SELECT CAST(sum(mentions) AS BIGINT), country_code FROM v_country_daily
         WHERE day BETWEEN '2021-11-01' AND '2021-12-31' GROUP BY country_code ORDER BY 1 DESC, 2",
    );
    assert!(
        expected.iter().any(|(_, c)| c == "JP") && expected.iter().any(|(_, c)| c == "CN"),
        "{expected:?}"
    );
    let listed = get(web.addr, &format!("/api/countries?{range}")).body;
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let listed: Vec<(i64, String)> = listed["countries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["mentions"].as_i64().unwrap(), c["code"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(listed, expected);
    let page = get(web.addr, &format!("/countries?{range}")).body;
    assert!(page.contains("<svg class=\"map world\""), "{page}");
    assert!(page.contains("<a href=\"/countries/JP\">Japan</a>"), "{page}");
    // Japan is shaded and linked on the map as in the table.
    assert!(page.contains("<a href=\"/countries/JP\"><path class=\"c"), "{page}");

    // One country: its days, its places, the articles naming it.
    let seed = a.number(&format!("SELECT id FROM articles WHERE title = '{SEED_TITLE}'"));
    let japan = get(web.addr, &format!("/api/countries/jp?{range}")).body;
    let japan: serde_json::Value = serde_json::from_str(&japan).unwrap();
    assert_eq!(japan["code"], "JP");
    assert_eq!(japan["country"]["name"], "Japan");
    assert_eq!(japan["daily"].as_array().unwrap().len(), 61);
    let in_days: i64 = japan["daily"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["mentions"].as_i64().unwrap())
        .sum();
    let jp = expected.iter().find(|(_, c)| c == "JP").unwrap().0;
    assert_eq!(in_days, jp);
    assert!(japan["latest"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["id"].as_i64() == Some(seed)));
    let page = get(web.addr, &format!("/countries/JP?{range}")).body;
    assert!(page.contains("<svg class=\"map"), "{page}");
    assert!(
        page.contains(&format!("href=\"/articles/{seed}\">{SEED_TITLE}</a>")),
        "{page}"
    );

    // A place name's entity page shows where its mentions were placed, linked to the country's page.
    let entity = a.number("SELECT id FROM entities WHERE type = 'LOC' AND name = 'Japan'");
    let page = get(web.addr, &format!("/entities/{entity}")).body;
    assert!(
        page.contains("On the map") && page.contains("<svg class=\"map"),
        "{page}"
    );
    assert!(page.contains("href=\"/countries/JP\""), "{page}");
    let json = get(web.addr, &format!("/api/entities/{entity}")).body;
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let placed = a.number(&format!(
        "SELECT count(*) FROM mentions m JOIN places p ON p.geonameid = m.place_id
         WHERE m.entity_id = {entity} AND p.country_code = 'JP'"
    ));
    assert_eq!(json["places"][0]["place"]["country_code"], "JP");
    assert_eq!(json["places"][0]["mentions"].as_i64().unwrap(), placed);
    // A person has no places.
    let austin = a.number("SELECT id FROM entities WHERE type = 'PER' AND name = 'Lloyd Austin'");
    let person = get(web.addr, &format!("/entities/{austin}")).body;
    assert!(!person.contains("On the map"));
}

#[test]
fn unknown_ids_are_404_and_bad_parameters_400_with_a_message() {
    for a in archives("unknown_ids_are_404_and_bad_parameters_400_with_a_message") {
        unknown_ids_are_404_and_bad_parameters_400_with_a_message_on(&a);
    }
}

fn unknown_ids_are_404_and_bad_parameters_400_with_a_message_on(a: &Archive) {
    let web = serve(&a.db, &[]);
    for (path, says) in [
        ("/articles/999999", "there is no article 999999"),
        ("/entities/999999", "there is no entity 999999"),
        ("/feeds/999", "there is no feed 999"),
        ("/nope", "there is no page at this address"),
        ("/exports/nope.csv", "unknown report"),
        ("/api/articles/999999", "there is no article 999999"),
        ("/countries/ZZ", "the archive never named a country ZZ"),
    ] {
        let r = get(web.addr, path);
        assert_eq!(r.status, 404, "{path}");
        assert!(r.body.contains(says), "{path}: {}", r.body);
    }
    for (path, says) in [
        ("/articles/abc", "is not an article id"),
        ("/articles/-3", "is not an article id"),
        (
            "/entities/1?from=2021-13-01",
            "from: &quot;2021-13-01&quot; is not a day",
        ),
        ("/entities/1?from=2021-12-05&to=2021-12-01", "comes after"),
        ("/entities/1?from=1990-01-01&to=2021-12-01", "at most 3660 days"),
        (
            "/search?q=Kishi&since=yesterday",
            "since: &quot;yesterday&quot; is not a day",
        ),
        (
            "/search?q=Kishi&page=0",
            "page: &quot;0&quot; is not a whole number of at least 1",
        ),
        ("/search?q=Kishi&feed=x", "feed: &quot;x&quot;"),
        ("/search?q=Kishi&entity=999999", "there is no entity 999999"),
        ("/feeds?page=-1", "page:"),
        (
            "/exports/articles.csv?since=soon",
            "since: &quot;soon&quot; is not a date",
        ),
        (
            "/exports/entities.csv?since=2021-12-03T10:00:00Z",
            "counts by publication day",
        ),
        ("/exports/feeds.csv?type=PER", "the feeds report has no --type filter"),
        ("/countries/KEN", "is not a country code"),
        ("/countries?from=2021-12-05&to=2021-12-01", "comes after"),
        ("/countries/JP?from=someday", "from: &quot;someday&quot; is not a day"),
        (
            "/countries?to=-262143-01-01",
            "to: &quot;-262143-01-01&quot; is not a day",
        ),
    ] {
        let r = get(web.addr, path);
        assert_eq!(r.status, 400, "{path}");
        assert!(r.body.contains(says), "{path}: {}", r.body);
    }
    let r = get(web.addr, "/api/search?q=x&until=never");
    assert_eq!(r.status, 400);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert!(v["error"].as_str().unwrap().contains("until: \"never\" is not a day"));
}

#[test]
fn the_daemon_serves_metrics_health_and_the_web_view_on_one_listener() {
    let a = archive();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let mut daemon = std::process::Command::new(env!("CARGO_BIN_EXE_gazette"))
        .args(["daemon", "--listen", &listen, "--serve"])
        .env("GAZETTE_DB", &a.db)
        .env_remove("RUST_LOG")
        .env_remove("GAZETTE_WEB_TOKEN")
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let addr: std::net::SocketAddr = listen.parse().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::net::TcpStream::connect(addr).is_err() {
        assert!(std::time::Instant::now() < deadline, "the daemon never listened");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let metrics = get(addr, "/metrics");
    assert_eq!(metrics.status, 200);
    assert!(metrics.body.contains("# TYPE gazette_feeds gauge"), "{}", metrics.body);
    assert_eq!(get(addr, "/healthz").status, 200);
    let home = get(addr, "/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains(SEED_TITLE));
    assert!(home.header("content-security-policy").is_some());
    // Off loopback, --serve needs a token.
    let refused = gazette(&a.db, &["daemon", "--listen", "0.0.0.0:0", "--serve"]);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("needs a token"));
    let _ = daemon.kill();
    let _ = daemon.wait();
}
