//! Shared by the web view's tests: an archive ingested by the `gazette` binary from a local server (the seed page, and
//! a hostile page in a hostile feed), `gazette serve` started on 127.0.0.1, and a small HTTP/1.1 client.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use gazette_store::{Cell, Rows, SqlQuery};
use gazette_testkit::{Response, TestDb, TestServer};

pub const SEED_PAGE: &str = include_str!("fixtures/seed/voa-austin-kishi.html");
pub const SEED_TITLE: &str = "US Defense Secretary Talks Regional Stability with Japanese Counterpart";

/// What the hostile page and feed carry (as text: the page and the feed escape it as their formats require).
pub const EVIL_TITLE: &str = "Evil <script>alert('title')</script> <img src=x onerror=alert('img')> Kishi";
pub const EVIL_AUTHOR: &str = "<b onmouseover=alert('author')>Mallory</b>";
pub const EVIL_CAPTION: &str =
    "<img src=x onerror=alert('caption')> Lloyd Austin in javascript:alert('caption') and data:text/html,<script>x</script>";
pub const EVIL_TEXT: &str =
    "Kishi said <script>alert('text')</script> then <a href=\"javascript:alert('link')\">click</a> and \
     <iframe src=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\"></iframe> in Tokyo.";
pub const EVIL_FEED: &str = "<script>alert('feed')</script> Hostile <i onclick=alert('feed')>Feed</i>";
pub const EVIL_URL: &str = "javascript:alert('canonical')";

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn seed_feed(base: &str) -> String {
    include_str!("fixtures/seed/feed.xml").replace("{{BASE_URL}}", base)
}

fn evil_feed(base: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{}</title><link>{base}/</link>\
         <description>x</description><item><title>{}</title><link>{base}/evil/1.html</link>\
         <guid isPermaLink=\"false\">evil-1</guid><pubDate>Sat, 04 Dec 2021 10:00:00 GMT</pubDate></item>\
         </channel></rss>",
        xml(EVIL_FEED),
        xml(EVIL_TITLE)
    )
}

/// The seed page with the hostile title, author, caption, an extra paragraph and a `javascript:` canonical URL.
fn evil_page() -> String {
    let title = xml(EVIL_TITLE);
    SEED_PAGE
        .replace(
            "<link rel=\"canonical\" href=\"https://www.voanews.com/a/us-defense-secretary-talks-regional-stability-with-japanese-counterpart/6339912.html\">",
            &format!("<link rel=\"canonical\" href=\"{}\">", xml(EVIL_URL)),
        )
        .replace(&format!("\"headline\": \"{SEED_TITLE}\""), &format!("\"headline\": {}", serde_json::to_string(EVIL_TITLE).unwrap()))
        .replace(SEED_TITLE, &title)
        .replace("\"name\": \"VOA News\"", &format!("\"name\": {}", serde_json::to_string(EVIL_AUTHOR).unwrap()))
        .replace("By VOA News", &format!("By {}", xml(EVIL_AUTHOR)))
        .replace(
            "FILE - Demonstrators stage a rally welcoming the visit of U.S. Defense Secretary Lloyd Austin and Secretary of State Antony Blinken outside the Defense Ministry in Seoul, South Korea, March 17, 2021.",
            &xml(EVIL_CAPTION),
        )
        .replace(
            "<div class=\"wsw\" id=\"article-content\">",
            &format!("<div class=\"wsw\" id=\"article-content\">\n        <p>{}</p>", xml(EVIL_TEXT)),
        )
        .replace("2021-12-03T21:15:00Z", "2021-12-04T10:00:00Z")
        .replace("2021-12-03 21:15:00Z", "2021-12-04 10:00:00Z")
        .replace("6339912", "7000666")
}

/// The local news site: the seed feed and page, and the hostile feed and page.
pub fn news_server() -> TestServer {
    TestServer::start(|req| {
        let base = format!("http://{}", req.header("host").unwrap_or("127.0.0.1"));
        match req.path() {
            "/feed.xml" => Response::ok("application/rss+xml", seed_feed(&base)),
            "/evil.xml" => Response::ok("application/rss+xml", evil_feed(&base)),
            "/evil/1.html" => Response::ok("text/html; charset=utf-8", evil_page()),
            p if p.starts_with("/a/") => Response::ok("text/html; charset=utf-8", SEED_PAGE),
            _ => Response::not_found(),
        }
    })
}

pub fn gazette(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gazette"))
        .args(args)
        .env("GAZETTE_DB", db)
        .env_remove("RUST_LOG")
        .env_remove("GAZETTE_WEB_TOKEN")
        .output()
        .expect("run gazette")
}

pub fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "gazette failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// An archive with the seed article (feed 1) and the hostile one (feed 2), on one backend.
pub struct Archive {
    pub store: TestDb,
    /// Where it is, as `GAZETTE_DB` takes it: a file path or a PostgreSQL URL.
    pub db: PathBuf,
    _server: TestServer,
}

/// The archive in a SQLite file.
pub fn archive() -> Archive {
    archive_on(TestDb::sqlite())
}

/// The archive on each backend: a SQLite file, and a PostgreSQL database when GAZETTE_TEST_POSTGRES names a server.
pub fn archives(test: &str) -> Vec<Archive> {
    TestDb::each(test).into_iter().map(archive_on).collect()
}

fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

pub fn archive_on(store: TestDb) -> Archive {
    let server = news_server();
    let db = PathBuf::from(&store.location);
    let summary = ok(gazette(
        &db,
        &["ingest", &server.url("/feed.xml"), &server.url("/evil.xml")],
    ));
    assert!(summary.contains("2 new articles"), "{:?}: {summary}", store.backend);
    // Ingest cleans titles, bylines and canonical URLs, but plain SQL (sqlite3, psql, Datasette) can write anything,
    // and the view must not depend on what wrote the archive: the hostile values the page carried go in that way.
    store.execute(&format!(
        "UPDATE articles SET title = {}, authors = {}, canonical_url = {} WHERE feed_id = 2;
         UPDATE feeds SET title = {} WHERE id = 2",
        quoted(EVIL_TITLE),
        quoted(&serde_json::to_string(&[EVIL_AUTHOR]).unwrap()),
        quoted(EVIL_URL),
        quoted(EVIL_FEED)
    ));
    Archive {
        store,
        db,
        _server: server,
    }
}

impl Archive {
    /// Rows of read-only SQL (the same SQL on both backends), read through the store as `gazette query` reads them.
    pub fn rows(&self, sql: &str) -> Vec<Vec<Cell>> {
        let location = gazette_store::Location::parse(&self.store.location).unwrap();
        let mut archive = gazette_store::Archive::open(&location).unwrap();
        let mut rows = Rows::default();
        let query = SqlQuery {
            sql: sql.into(),
            params: Vec::new(),
            timeout: None,
        };
        archive
            .query(&query, &mut rows)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        rows.rows
    }

    /// The first column of each row, as whole numbers.
    pub fn ids(&self, sql: &str) -> Vec<i64> {
        self.rows(sql)
            .iter()
            .map(|r| match r[0] {
                Cell::Integer(i) => i,
                ref c => panic!("{sql}: {c:?} is not a whole number"),
            })
            .collect()
    }

    /// The one number a query answers.
    pub fn number(&self, sql: &str) -> i64 {
        let ids = self.ids(sql);
        assert_eq!(ids.len(), 1, "{sql}");
        ids[0]
    }

    /// (number, text) rows.
    pub fn pairs(&self, sql: &str) -> Vec<(i64, String)> {
        self.rows(sql)
            .iter()
            .map(|r| match (&r[0], &r[1]) {
                (Cell::Integer(i), Cell::Text(t)) => (*i, t.clone()),
                other => panic!("{sql}: {other:?}"),
            })
            .collect()
    }

    /// One row's texts.
    pub fn texts(&self, sql: &str) -> Vec<String> {
        let rows = self.rows(sql);
        assert_eq!(rows.len(), 1, "{sql}");
        rows[0].iter().map(|c| c.to_string()).collect()
    }
}

/// `gazette serve` on a free loopback port; stopped when dropped.
pub struct Served {
    child: Child,
    pub addr: SocketAddr,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn serve(db: &Path, extra: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .env("GAZETTE_DB", db)
        .env_remove("RUST_LOG")
        .env_remove("GAZETTE_WEB_TOKEN")
        .stderr(Stdio::piped())
        .spawn()
        .expect("start gazette serve");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().expect("a startup line").unwrap();
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .parse()
        .unwrap();
    // Keep reading the log, so that the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
    Served { child, addr }
}

/// A response as received.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// GET `path` with extra request headers (HTTP/1.1, one request per connection; chunked bodies decoded).
pub fn get_with(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a header");
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Reply {
        status,
        headers,
        body: String::from_utf8(body).expect("a UTF-8 body"),
    }
}

pub fn get(addr: SocketAddr, path: &str) -> Reply {
    get_with(addr, path, &[])
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n").expect("a chunk size");
        let size = usize::from_str_radix(std::str::from_utf8(&data[..line_end]).unwrap().trim(), 16).unwrap();
        data = &data[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

/// Every page the view has for this archive: the fixed ones, each article, entity and feed, a search.
pub fn every_page(a: &Archive) -> Vec<String> {
    let ids = |sql: &str| a.ids(sql);
    let mut pages: Vec<String> = [
        "/",
        "/search",
        "/search?q=Kishi",
        "/search?q=alert",
        "/feeds",
        "/exports",
        "/countries",
        "/countries/JP",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    pages.extend(
        ids("SELECT id FROM articles ORDER BY id")
            .iter()
            .map(|i| format!("/articles/{i}")),
    );
    pages.extend(
        ids("SELECT id FROM feeds ORDER BY id")
            .iter()
            .map(|i| format!("/feeds/{i}")),
    );
    pages.extend(
        ids(
            "SELECT id FROM (SELECT id FROM entities WHERE type IN ('PER', 'ORG', 'LOC')
                             ORDER BY mentions DESC, id LIMIT 3) top
             UNION SELECT id FROM entities WHERE type = 'LOC' AND name = 'Japan' ORDER BY id",
        )
        .iter()
        .map(|i| format!("/entities/{i}")),
    );
    pages
}

/// A tag as found in a page: its name and attributes, lowercased names, values as written (still escaped).
#[derive(Debug)]
pub struct Tag {
    pub name: String,
    pub attributes: Vec<(String, String)>,
}

/// Every opening tag of a page. Text never holds a raw `<` once escaped, so each `<` starts markup.
pub fn tags(html: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        if rest.starts_with(['/', '!']) {
            continue;
        }
        let end = rest.find('>').expect("a closed tag");
        let inside = &rest[..end];
        let name_end = inside
            .find(|c: char| c.is_whitespace() || c == '/')
            .unwrap_or(inside.len());
        let mut tag = Tag {
            name: inside[..name_end].to_ascii_lowercase(),
            attributes: Vec::new(),
        };
        let mut attrs = inside[name_end..].trim_start();
        while !attrs.is_empty() && attrs != "/" {
            let name_end = attrs
                .find(|c: char| c == '=' || c.is_whitespace())
                .unwrap_or(attrs.len());
            let name = attrs[..name_end].to_ascii_lowercase();
            attrs = attrs[name_end..].trim_start();
            let mut value = String::new();
            if let Some(v) = attrs.strip_prefix('=') {
                let v = v.trim_start();
                let (val, after) = match v.chars().next() {
                    Some(q @ ('"' | '\'')) => {
                        let close = v[1..].find(q).expect("a closed value") + 1;
                        (&v[1..close], &v[close + 1..])
                    }
                    _ => {
                        let e = v.find(char::is_whitespace).unwrap_or(v.len());
                        (&v[..e], &v[e..])
                    }
                };
                value = val.to_string();
                attrs = after.trim_start();
            }
            tag.attributes.push((name, value));
        }
        out.push(tag);
        rest = &rest[end..];
    }
    out
}

/// Why a page's markup could run something or load something from elsewhere, if it could.
pub fn active_markup(html: &str) -> Option<String> {
    for t in tags(html) {
        if ["script", "iframe", "img", "object", "embed", "frame", "base", "meta"].contains(&t.name.as_str())
            && !(t.name == "meta"
                && t.attributes
                    .iter()
                    .all(|(k, _)| ["charset", "name", "content"].contains(&k.as_str())))
        {
            return Some(format!("a <{}> tag: {t:?}", t.name));
        }
        for (k, v) in &t.attributes {
            let v = v.trim().to_ascii_lowercase();
            if k.starts_with("on") || k == "style" || k == "srcdoc" {
                return Some(format!("an {k} attribute: {t:?}"));
            }
            if ["href", "src", "action", "formaction", "xlink:href"].contains(&k.as_str())
                && (v.starts_with("javascript:") || v.starts_with("data:") || v.starts_with("vbscript:"))
            {
                return Some(format!("a {k} to {v}: {t:?}"));
            }
        }
    }
    None
}
