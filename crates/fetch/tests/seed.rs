//! The seed feed and page served over real HTTP, as the ingest end-to-end test does.

use std::time::Duration;

use gazette_fetch::{FeedOutcome, FetchConfig, Fetcher, Validators};
use gazette_testkit::{Response, TestServer};

const FEED: &str = include_str!("../../../tests/fixtures/seed/feed.xml");
const PAGE: &[u8] = include_bytes!("../../../tests/fixtures/seed/voa-austin-kishi.html");

fn fast_config() -> FetchConfig {
    FetchConfig {
        per_host_gap: Duration::ZERO,
        retry_base_delay: Duration::from_millis(10),
        ..FetchConfig::default()
    }
}

fn seed_server() -> TestServer {
    let base = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let b = base.clone();
    let server = TestServer::start(move |req| {
        let base = b.lock().unwrap().clone();
        match req.path() {
            "/feed.xml" => Response::ok("application/rss+xml", FEED.replace("{{BASE_URL}}", &base)),
            p if p.starts_with("/a/") => Response::ok("text/html; charset=utf-8", PAGE),
            _ => Response::not_found(),
        }
    });
    *base.lock().unwrap() = server.base_url();
    server
}

#[tokio::test]
async fn seed_feed_and_page() {
    let server = seed_server();
    let fetcher = Fetcher::new(fast_config()).unwrap();
    let fetch = fetcher
        .fetch_feed(&server.url("/feed.xml"), &Validators::default())
        .await;
    assert_eq!(fetch.attempts.len(), 1);
    assert_eq!(fetch.attempts[0].status, Some(200));
    let FeedOutcome::Fetched(fetched) = fetch.outcome.unwrap() else {
        panic!("expected a feed")
    };
    assert_eq!(fetched.final_url, server.url("/feed.xml"));
    assert_eq!(fetched.moved_to, None);
    assert_eq!(fetched.min_interval, Some(Duration::from_secs(15 * 60)));
    assert_eq!(fetched.feed.title.as_deref(), Some("East Asia - Voice of America"));
    let items = &fetched.feed.items;
    assert_eq!(items.len(), 1);
    let item = &items[0];
    assert_eq!(item.key, "6339912");
    assert_eq!(item.guid.as_deref(), Some("6339912"));
    let url = server.url("/a/us-defense-secretary-talks-regional-stability-with-japanese-counterpart/6339912.html");
    assert_eq!(item.url.as_deref(), Some(url.as_str()));
    assert_eq!(item.published.unwrap().to_rfc3339(), "2021-12-03T21:15:00+00:00");
    assert_eq!(item.authors, vec!["VOA News".to_string()]);

    let page = fetcher.fetch_page(item.url.as_deref().unwrap(), true).await.unwrap();
    assert_eq!(page.status, 200);
    assert_eq!(page.final_url, url);
    assert!(page.html.contains("</html>") || page.html.contains("</body>"));
    // robots.txt was asked for once (404 here: everything allowed).
    assert_eq!(server.hits("/robots.txt"), 1);
}

#[tokio::test]
async fn local_path_and_file_url() {
    let dir = std::env::temp_dir().join(format!("gazette-fetch-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("feed.xml");
    std::fs::write(&path, FEED.replace("{{BASE_URL}}", "https://www.voanews.com")).unwrap();
    let fetcher = Fetcher::new(fast_config()).unwrap();
    for source in [
        path.display().to_string(),
        url::Url::from_file_path(&path).unwrap().to_string(),
    ] {
        let fetch = fetcher.fetch_feed(&source, &Validators::default()).await;
        let FeedOutcome::Fetched(f) = fetch.outcome.unwrap() else {
            panic!()
        };
        assert_eq!(
            f.feed.items[0].url.as_deref(),
            Some("https://www.voanews.com/a/us-defense-secretary-talks-regional-stability-with-japanese-counterpart/6339912.html")
        );
    }
    // A saved, gzipped feed reads the same.
    let gz = dir.join("feed.xml.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut enc, std::fs::read(&path).unwrap().as_slice()).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let fetch = fetcher
        .fetch_feed(&gz.display().to_string(), &Validators::default())
        .await;
    let FeedOutcome::Fetched(f) = fetch.outcome.unwrap() else {
        panic!()
    };
    assert_eq!(f.feed.items.len(), 1);
    let missing = fetcher
        .fetch_feed(&dir.join("nope.xml").display().to_string(), &Validators::default())
        .await;
    let err = missing.outcome.unwrap_err().to_string();
    assert!(err.starts_with("cannot read"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
