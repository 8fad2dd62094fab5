//! Shared by the daemon tests and the throughput bench: a generated news corpus (feeds and pages made from the seed
//! fixture, with varied titles, names and ids), a local server for it with fault routes, and helpers to run the
//! `gazette` binary and look into its database.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use gazette_testkit::{Request, Response, TestServer};
use rusqlite::Connection;

pub const SEED_PAGE: &str = include_str!("fixtures/seed/voa-austin-kishi.html");
const SEED_TITLE: &str = "US Defense Secretary Talks Regional Stability with Japanese Counterpart";
const SEED_SLUG: &str = "us-defense-secretary-talks-regional-stability-with-japanese-counterpart/6339912.html";

const SURNAMES: &[&str] = &[
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Kowalski",
    "Haddad",
    "Ferreira",
    "Nakamura",
    "Osei",
    "Petrov",
    "Castillo",
    "Brennan",
    "Abiodun",
    "Svensson",
    "Marchetti",
    "Yilmaz",
    "Dubois",
    "Kaur",
    "Novak",
    "Ramos",
];
const GIVEN: &[&str] = &[
    "Amara", "Lars", "Claire", "Hiro", "Anna", "Karim", "Lucia", "Kenji", "Kofi", "Irina", "Mateo", "Siobhan",
];
const TOPICS: &[&str] = &[
    "Trade Talks",
    "Flood Defences",
    "Rail Strike",
    "Budget Vote",
    "Vaccine Rollout",
    "Port Expansion",
    "Election Recount",
    "Drought Relief",
    "Chip Exports",
    "Border Crossing",
];

/// The seed's most common words, marked per story when pages make several stories.
const COMMON_WORDS: &[&str] = &[
    "the", "to", "a", "of", "and", "in", "for", "with", "on", "said", "that", "is", "was", "at", "as", "his", "by",
    "an", "are", "he", "from", "has", "it", "its", "be", "have", "will", "their", "would",
];

/// How the server misbehaves for one feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    /// 500 on every request.
    ServerError,
    /// 404.
    Gone,
    /// An HTML page where the feed should be.
    NotAFeed,
}

/// How the server misbehaves for one article page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageFault {
    /// 503 for the first N requests, then the page.
    FailFirst(usize),
    /// 500 on every request.
    Always,
}

/// `feeds` feeds of `per_feed` items each; feed `f` item `i` links `/a/{f}/{i}.html`.
#[derive(Debug, Clone)]
pub struct Corpus {
    pub feeds: usize,
    pub per_feed: usize,
    /// Added to the article pages' response time.
    pub page_delay: Duration,
    /// Articles per story: 0, every page is a copy of the seed (one story); n, the pages are n-article stories, each
    /// story's copies in n feeds next to each other (the seed's common words marked with the story's number).
    pub story_size: usize,
    pub faults: Vec<(usize, Fault)>,
    /// (feed, item) -> fault.
    pub page_faults: Vec<((usize, usize), PageFault)>,
    /// Requests per faulty page so far (shared by the server's clones).
    page_hits: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<(usize, usize), usize>>>,
}

impl Corpus {
    pub fn new(feeds: usize, per_feed: usize) -> Corpus {
        Corpus {
            feeds,
            per_feed,
            page_delay: Duration::ZERO,
            story_size: 0,
            faults: Vec::new(),
            page_faults: Vec::new(),
            page_hits: Default::default(),
        }
    }

    pub fn fault(&self, feed: usize) -> Fault {
        self.faults
            .iter()
            .find(|(f, _)| *f == feed)
            .map(|(_, k)| *k)
            .unwrap_or(Fault::None)
    }

    pub fn good_feeds(&self) -> Vec<usize> {
        (0..self.feeds).filter(|f| self.fault(*f) == Fault::None).collect()
    }

    pub fn feed_path(feed: usize) -> String {
        format!("/feed/{feed}.xml")
    }

    pub fn page_path(feed: usize, item: usize) -> String {
        format!("/a/{feed}/{item}.html")
    }

    pub fn title(feed: usize, item: usize) -> String {
        let n = feed * 7919 + item * 104_729;
        format!(
            "{} {}: {} on day {} (story {feed}-{item})",
            GIVEN[n % GIVEN.len()],
            SURNAMES[(n / 3) % SURNAMES.len()],
            TOPICS[(n / 7) % TOPICS.len()],
            1 + item % 28
        )
    }

    /// The RSS document of one feed.
    pub fn feed_xml(&self, base: &str, feed: usize) -> String {
        let mut items = String::new();
        for i in 0..self.per_feed {
            // Newest first, an hour apart.
            let published = chrono::DateTime::parse_from_rfc3339("2024-05-01T12:00:00Z").unwrap()
                - chrono::Duration::hours(i as i64);
            items.push_str(&format!(
                "<item><title>{}</title><link>{base}{}?utm_source=rss</link><guid isPermaLink=\"false\">f{feed}-i{i}</guid>\
                 <pubDate>{}</pubDate><description>Item {i} of feed {feed}</description></item>\n",
                Corpus::title(feed, i),
                Corpus::page_path(feed, i),
                published.to_rfc2822()
            ));
        }
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>Feed {feed}</title>\
             <link>{base}/</link><description>generated</description>\n{items}</channel></rss>\n"
        )
    }

    /// The seed page with this item's title, id, canonical URL and people.
    pub fn page_html(feed: usize, item: usize) -> String {
        let n = feed * 31 + item * 17;
        SEED_PAGE
            .replace(SEED_TITLE, &Corpus::title(feed, item))
            .replace(
                SEED_SLUG,
                &format!("story-{feed}-{item}/{}.html", 1_000_000 + feed * 1000 + item),
            )
            .replace("Austin", SURNAMES[n % SURNAMES.len()])
            .replace("Kishi", SURNAMES[(n + 7) % SURNAMES.len()])
            .replace("Lloyd", GIVEN[n % GIVEN.len()])
    }

    /// The page of feed `feed`'s item `item`, in its story (see [`Corpus::story_size`]).
    pub fn page(&self, feed: usize, item: usize) -> String {
        let page = Corpus::page_html(feed, item);
        if self.story_size == 0 {
            return page;
        }
        let mut story = (item * self.feeds + feed) / self.story_size;
        let mut mark = String::new();
        loop {
            mark.push((b'a' + (story % 26) as u8) as char);
            story /= 26;
            if story == 0 {
                break;
            }
        }
        // Enough of the words changed that two stories share few 5-word shingles.
        COMMON_WORDS.iter().fold(page, |page, w| {
            page.replace(&format!(" {w} "), &format!(" {w}q{mark} "))
        })
    }

    /// Serves the corpus (and its faults) on 127.0.0.1.
    pub fn serve(&self) -> TestServer {
        let corpus = self.clone();
        TestServer::start(move |req: &Request| corpus.respond(req))
    }

    fn respond(&self, req: &Request) -> Response {
        let base = format!("http://{}", req.header("host").unwrap_or("127.0.0.1"));
        let path = req.path();
        if path == "/robots.txt" {
            return Response::ok("text/plain", "User-agent: *\nAllow: /\n");
        }
        if let Some(rest) = path.strip_prefix("/feed/").and_then(|r| r.strip_suffix(".xml")) {
            let Ok(feed) = rest.parse::<usize>() else {
                return Response::not_found();
            };
            if feed >= self.feeds {
                return Response::not_found();
            }
            return match self.fault(feed) {
                Fault::None => Response::ok("application/rss+xml; charset=utf-8", self.feed_xml(&base, feed)),
                Fault::ServerError => Response::new(500, "oops").header("Content-Type", "text/plain"),
                Fault::Gone => Response::not_found(),
                Fault::NotAFeed => Response::ok(
                    "text/html; charset=utf-8",
                    "<!doctype html><html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>",
                ),
            };
        }
        if let Some(rest) = path.strip_prefix("/a/").and_then(|r| r.strip_suffix(".html")) {
            if let Some((f, i)) = rest.split_once('/') {
                if let (Ok(f), Ok(i)) = (f.parse::<usize>(), i.parse::<usize>()) {
                    if f < self.feeds && i < self.per_feed {
                        if let Some(fault) = self.page_fault(f, i) {
                            return fault;
                        }
                        return Response::ok("text/html; charset=utf-8", self.page(f, i)).delay(self.page_delay);
                    }
                }
            }
        }
        Response::not_found()
    }

    /// The error response a faulty page gives to this request, if any.
    fn page_fault(&self, feed: usize, item: usize) -> Option<Response> {
        let (_, fault) = self.page_faults.iter().find(|(at, _)| *at == (feed, item))?;
        let mut hits = self.page_hits.lock().unwrap();
        let n = hits.entry((feed, item)).or_default();
        *n += 1;
        match *fault {
            PageFault::FailFirst(k) if *n > k => None,
            PageFault::FailFirst(_) => Some(Response::new(503, "busy").header("Content-Type", "text/plain")),
            PageFault::Always => Some(Response::new(500, "oops").header("Content-Type", "text/plain")),
        }
    }

    /// An OPML file listing every feed of the corpus on `server`.
    pub fn write_opml(&self, server: &TestServer, path: &Path) {
        let mut body = String::new();
        for f in 0..self.feeds {
            body.push_str(&format!(
                "<outline type=\"rss\" text=\"Feed {f}\" xmlUrl=\"{}\"/>\n",
                server.url(&Corpus::feed_path(f))
            ));
        }
        let opml = format!(
            "<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><head><title>corpus</title></head><body>\n{body}</body></opml>\n"
        );
        std::fs::write(path, opml).unwrap();
    }
}

/// Runs `gazette` to completion.
pub fn gazette(db: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    command(db, args, env).output().expect("run gazette")
}

/// A `gazette` command with the database set and the environment cleaned of the caller's Gazette settings.
pub fn command(db: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gazette"));
    cmd.args(args).env("GAZETTE_DB", db).env_remove("RUST_LOG");
    for (k, _) in std::env::vars() {
        if k.starts_with("GAZETTE_") && k != "GAZETTE_DB" {
            cmd.env_remove(k);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Adds every feed of the corpus to the database.
pub fn subscribe(db: &Path, corpus: &Corpus, server: &TestServer) {
    let dir = db.parent().unwrap();
    let opml = dir.join("feeds.opml");
    corpus.write_opml(server, &opml);
    let out = gazette(db, &["feeds", "import", opml.to_str().unwrap()], &[]);
    assert!(out.status.success(), "import: {}", String::from_utf8_lossy(&out.stderr));
}

/// Settings that let a local test run fast: one host (127.0.0.1) serves everything, so politeness per host is
/// relaxed.
pub const FAST: &[(&str, &str)] = &[
    ("GAZETTE_PER_HOST_CONCURRENCY", "16"),
    ("GAZETTE_PER_HOST_GAP", "0"),
    ("GAZETTE_FEED_CONCURRENCY", "8"),
    ("GAZETTE_PAGE_CONCURRENCY", "16"),
];

/// Starts the daemon in the background, its stderr into `log`.
pub fn spawn_daemon(db: &Path, env: &[(&str, &str)], log: &Path) -> Child {
    let log = std::fs::File::create(log).unwrap();
    let mut all: Vec<(&str, &str)> = FAST.to_vec();
    all.extend_from_slice(env);
    command(db, &["daemon"], &all)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("spawn gazette daemon")
}

/// Sends a signal by name (TERM, INT, KILL) to a process.
pub fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(child.id().to_string())
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{name} failed");
}

/// Waits for the process to exit, at most `limit`; None if it is still running.
pub fn wait_exit(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let t0 = Instant::now();
    while t0.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

/// Polls until `cond` holds for the database (opened read-only each time), at most `limit`.
pub fn wait_until(db: &Path, limit: Duration, mut cond: impl FnMut(&Connection) -> bool) -> bool {
    let t0 = Instant::now();
    while t0.elapsed() < limit {
        if db.exists() {
            if let Ok(conn) = Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY) {
                conn.busy_timeout(Duration::from_secs(5)).unwrap();
                if cond(&conn) {
                    return true;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

pub fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap_or(-1)
}

pub fn articles(conn: &Connection) -> i64 {
    count(conn, "SELECT count(*) FROM articles")
}

/// Asserts the database file is consistent and every stored article is there exactly once.
pub fn assert_consistent(db: &Path) {
    let conn = Connection::open(db).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let fk: i64 = count(&conn, "SELECT count(*) FROM pragma_foreign_key_check");
    assert_eq!(fk, 0, "foreign key violations");
    let dup_urls = count(
        &conn,
        "SELECT count(*) FROM (SELECT url FROM articles GROUP BY feed_id, url HAVING count(*) > 1)",
    );
    assert_eq!(dup_urls, 0, "an article stored twice");
    let fts_check = conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')", []);
    assert!(fts_check.is_ok(), "full-text index out of sync: {fts_check:?}");
}
