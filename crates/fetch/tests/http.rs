//! The fetcher against a fault-injecting server on 127.0.0.1: one route per case. Every case ends in items or in a
//! clear error, never a panic.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gazette_fetch::{
    FeedFetch, FeedItem, FeedKind, FeedOutcome, FetchConfig, FetchError, FetchedFeed, Fetcher, Validators,
};
use gazette_testkit::{deflate, gzip, gzip_bomb, refused_addr, sequence, Body, Request, Response, TestServer};

fn config() -> FetchConfig {
    FetchConfig {
        connect_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_secs(2),
        stall_timeout: Duration::from_millis(300),
        per_host_gap: Duration::ZERO,
        retries: 2,
        retry_base_delay: Duration::from_millis(10),
        max_retry_wait: Duration::from_secs(2),
        max_crawl_delay: Duration::from_secs(1),
        ..FetchConfig::default()
    }
}

fn fetcher() -> Fetcher {
    Fetcher::new(config()).unwrap()
}

async fn get(f: &Fetcher, url: &str) -> FeedFetch {
    f.fetch_feed(url, &Validators::default()).await
}

fn fetched(fetch: FeedFetch) -> FetchedFeed {
    match fetch.outcome {
        Ok(FeedOutcome::Fetched(f)) => f,
        Ok(FeedOutcome::NotModified { .. }) => panic!("unexpected 304"),
        Err(e) => panic!("unexpected error: {e}"),
    }
}

fn items(fetch: FeedFetch) -> Vec<FeedItem> {
    fetched(fetch).feed.items
}

fn error(fetch: FeedFetch) -> FetchError {
    match fetch.outcome {
        Err(e) => e,
        Ok(_) => panic!("expected an error"),
    }
}

fn rss(items: &[(&str, &str)]) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Test</title><link>/</link>"#,
    );
    for (guid, link) in items {
        s.push_str(&format!(
            "<item><title>T {guid}</title><link>{link}</link><guid>{guid}</guid></item>"
        ));
    }
    s.push_str("</channel></rss>");
    s
}

fn small_feed() -> String {
    rss(&[("1", "/a/1"), ("2", "/a/2")])
}

fn feed_response() -> Response {
    Response::ok("application/rss+xml", small_feed())
}

// ---- status codes and retries ----

#[tokio::test]
async fn not_found_and_gone_are_not_retried() {
    let server = TestServer::start(|req| match req.path() {
        "/gone" => Response::new(410, "gone"),
        _ => Response::not_found(),
    });
    let f = fetcher();
    let fetch = get(&f, &server.url("/missing")).await;
    assert_eq!(fetch.attempts.len(), 1);
    assert_eq!(fetch.attempts[0].status, Some(404));
    let e = error(fetch);
    assert_eq!(e.to_string(), "HTTP 404 Not Found");
    assert_eq!(e.status(), Some(404));
    let fetch = get(&f, &server.url("/gone")).await;
    assert_eq!(fetch.attempts.len(), 1);
    assert!(error(fetch).to_string().starts_with("HTTP 410 Gone"));
    assert_eq!(server.hits("/missing"), 1);
}

#[tokio::test]
async fn server_errors_are_retried_and_every_attempt_recorded() {
    let server = TestServer::start(|_| Response::new(500, "boom"));
    let fetch = get(&fetcher(), &server.url("/feed")).await;
    assert_eq!(fetch.attempts.len(), 3);
    assert!(fetch
        .attempts
        .iter()
        .all(|a| a.status == Some(500) && a.error.is_some()));
    assert_eq!(error(fetch).to_string(), "HTTP 500 Internal Server Error");
    assert_eq!(server.hits("/feed"), 3);
}

#[tokio::test]
async fn transient_failure_then_success() {
    let server = TestServer::start(sequence(vec![
        Response::new(503, "busy"),
        Response::new(408, "slow"),
        feed_response(),
    ]));
    let fetch = get(&fetcher(), &server.url("/feed")).await;
    let statuses: Vec<_> = fetch.attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, vec![Some(503), Some(408), Some(200)]);
    assert!(fetch.attempts[2].error.is_none());
    assert!(fetch.attempts[2].bytes > 0);
    assert_eq!(items(fetch).len(), 2);
}

#[tokio::test]
async fn connection_refused_is_a_clear_retried_error() {
    let fetch = get(&fetcher(), &format!("http://{}/feed", refused_addr())).await;
    assert_eq!(fetch.attempts.len(), 3);
    assert!(fetch.attempts.iter().all(|a| a.status.is_none()));
    let e = error(fetch);
    assert!(matches!(e, FetchError::Connect(_)), "{e:?}");
    assert!(e.to_string().starts_with("connection failed"), "{e}");
    // Not mistaken for a TLS failure when the URL happens to say "certificate".
    let fetch = get(&fetcher(), &format!("https://{}/certificates/feed", refused_addr())).await;
    assert!(matches!(error(fetch), FetchError::Connect(_)));
}

// ---- Retry-After and politeness ----

#[tokio::test]
async fn retry_after_seconds_pauses_the_host() {
    let n = Arc::new(AtomicUsize::new(0));
    let c = n.clone();
    let server = TestServer::start(move |req| match req.path() {
        "/limited" if c.fetch_add(1, Ordering::SeqCst) == 0 => {
            Response::new(429, "slow down").header("Retry-After", "1")
        }
        _ => feed_response(),
    });
    let f = fetcher();
    let started = Instant::now();
    let limited = server.url("/limited");
    let (a, b) = tokio::join!(get(&f, &limited), async {
        // Another URL on the same host, asked for while the host is paused.
        tokio::time::sleep(Duration::from_millis(400)).await;
        get(&f, &server.url("/other")).await
    });
    assert_eq!(a.attempts.len(), 2);
    assert_eq!(a.attempts[0].status, Some(429));
    assert!(a.attempts[0].error.as_deref().unwrap().contains("retry after 1 s"));
    assert_eq!(items(a).len(), 2);
    assert_eq!(items(b).len(), 2);
    let reqs = server.requests();
    let first = reqs[0].received_at;
    for r in &reqs[1..] {
        assert!(
            r.received_at - first >= Duration::from_millis(900),
            "host not paused: {:?}",
            r.received_at - first
        );
    }
    assert!(started.elapsed() < Duration::from_secs(6));
}

#[tokio::test]
async fn retry_after_http_date() {
    let n = Arc::new(AtomicUsize::new(0));
    let c = n.clone();
    let server = TestServer::start(move |_| {
        if c.fetch_add(1, Ordering::SeqCst) == 0 {
            let when = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
            Response::new(503, "maintenance").header("Retry-After", &when)
        } else {
            feed_response()
        }
    });
    let fetch = get(&fetcher(), &server.url("/feed")).await;
    assert_eq!(fetch.attempts.len(), 2);
    let reqs = server.requests();
    assert!(reqs[1].received_at - reqs[0].received_at >= Duration::from_millis(900));
    assert_eq!(items(fetch).len(), 2);
}

#[tokio::test]
async fn long_retry_after_gives_up_and_pauses_the_host() {
    let server = TestServer::start(|req| match req.path() {
        "/limited" => Response::new(429, "later").header("Retry-After", "3600"),
        _ => feed_response(),
    });
    let f = fetcher();
    let fetch = get(&f, &server.url("/limited")).await;
    assert_eq!(fetch.attempts.len(), 1);
    let e = error(fetch);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(e.to_string(), "HTTP 429 Too Many Requests (retry after 3600 s)");
    // The whole host is paused, so another URL there is not even requested.
    let other = get(&f, &server.url("/other")).await;
    let e = error(other);
    assert!(matches!(e, FetchError::HostPaused { .. }), "{e:?}");
    assert!(e.retry_after().unwrap() > Duration::from_secs(3500));
    // Temporary: the caller comes back later instead of recording the page as failed.
    assert!(e.is_transient());
    assert_eq!(server.hits("/other"), 0);
}

#[tokio::test]
async fn per_host_concurrency_limit() {
    let server = TestServer::start(|_| feed_response().delay(Duration::from_millis(300)));
    let f = fetcher();
    let urls: Vec<String> = (0..6).map(|i| server.url(&format!("/f{i}"))).collect();
    let started = Instant::now();
    let results = futures_join(&f, &urls).await;
    assert!(results.iter().all(|n| *n == 2));
    // Six requests, two at a time, 300 ms each: at least three rounds.
    assert!(
        started.elapsed() >= Duration::from_millis(850),
        "{:?}",
        started.elapsed()
    );
    let mut times: Vec<Instant> = server.requests().iter().map(|r| r.received_at).collect();
    times.sort();
    for w in times.windows(3) {
        assert!(
            w[2] - w[0] >= Duration::from_millis(250),
            "three requests in flight at once"
        );
    }
}

async fn futures_join(f: &Fetcher, urls: &[String]) -> Vec<usize> {
    let mut set = tokio::task::JoinSet::new();
    for u in urls {
        let f = f.clone();
        let u = u.clone();
        set.spawn(async move { items(get(&f, &u).await).len() });
    }
    let mut out = Vec::new();
    while let Some(r) = set.join_next().await {
        out.push(r.unwrap());
    }
    out
}

#[tokio::test]
async fn minimum_gap_between_requests_to_one_host() {
    let server = TestServer::start(|_| feed_response());
    let f = Fetcher::new(FetchConfig {
        per_host_gap: Duration::from_millis(200),
        ..config()
    })
    .unwrap();
    let urls: Vec<String> = (0..3).map(|i| server.url(&format!("/f{i}"))).collect();
    futures_join(&f, &urls).await;
    let mut times: Vec<Instant> = server.requests().iter().map(|r| r.received_at).collect();
    times.sort();
    for w in times.windows(2) {
        // 200 ms apart when sent; connection setup jitter may eat a little of it on arrival.
        assert!(w[1] - w[0] >= Duration::from_millis(150), "{:?}", w[1] - w[0]);
    }
}

#[tokio::test]
async fn user_agent_names_gazette() {
    let server = TestServer::start(|_| feed_response());
    get(&fetcher(), &server.url("/feed")).await;
    let ua = server.requests()[0].header("user-agent").unwrap().to_string();
    assert!(
        ua.starts_with(&format!("Gazette/{}", env!("CARGO_PKG_VERSION"))),
        "{ua}"
    );
    assert!(ua.contains("https://"), "{ua}");
    let custom = Fetcher::new(FetchConfig {
        user_agent: "MyReader/2.0".into(),
        ..config()
    })
    .unwrap();
    get(&custom, &server.url("/feed")).await;
    assert_eq!(server.requests()[1].header("user-agent"), Some("MyReader/2.0"));
}

// ---- timeouts, stalls, caps ----

#[tokio::test]
async fn slow_headers_time_out() {
    let server = TestServer::start(|_| feed_response().delay(Duration::from_secs(5)));
    let f = Fetcher::new(FetchConfig {
        request_timeout: Duration::from_millis(300),
        retries: 0,
        ..config()
    })
    .unwrap();
    let e = error(get(&f, &server.url("/feed")).await);
    assert!(matches!(e, FetchError::Timeout { .. }), "{e:?}");
    assert_eq!(e.to_string(), "request timed out after 0.3 s");
}

#[tokio::test]
async fn stalled_body_is_cut_off() {
    let server = TestServer::start(|_| {
        Response::ok("application/rss+xml", "").body(Body::Stall {
            prefix: b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>".to_vec(),
            hold: Duration::from_secs(5),
        })
    });
    let f = Fetcher::new(FetchConfig { retries: 0, ..config() }).unwrap();
    let started = Instant::now();
    let fetch = get(&f, &server.url("/feed")).await;
    assert!(fetch.attempts[0].bytes > 0);
    let e = error(fetch);
    assert!(matches!(e, FetchError::Stalled { .. }), "{e:?}");
    assert_eq!(e.to_string(), "server stalled for 0.3 s in the middle of the body");
    assert!(started.elapsed() < Duration::from_secs(4));
}

/// A server that sends a byte every 100 ms for ten seconds: never a stall, always too slow.
fn trickling_server() -> TestServer {
    TestServer::start(|_| {
        Response::ok("application/rss+xml", "").body(Body::Trickle {
            chunk: b" ".to_vec(),
            every: Duration::from_millis(100),
            count: 100,
        })
    })
}

#[tokio::test]
async fn trickling_body_hits_the_request_timeout() {
    // A byte every 100 ms never trips the 300 ms stall timeout, but the whole request is bounded.
    let server = trickling_server();
    let f = Fetcher::new(FetchConfig {
        request_timeout: Duration::from_millis(800),
        retries: 0,
        ..config()
    })
    .unwrap();
    let started = Instant::now();
    let e = error(get(&f, &server.url("/feed")).await);
    assert!(matches!(e, FetchError::Timeout { .. }), "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_body_still_trickling_when_time_runs_out_is_not_retried_at_once() {
    let server = trickling_server();
    let f = Fetcher::new(FetchConfig {
        request_timeout: Duration::from_millis(500),
        ..config()
    })
    .unwrap();
    let e = error(get(&f, &server.url("/feed")).await);
    assert!(matches!(e, FetchError::Timeout { .. }), "{e:?}");
    assert_eq!(
        server.hits("/feed"),
        1,
        "retries: 2, but a trickle is not worth another try now"
    );
}

#[tokio::test]
async fn retries_share_one_budget_per_fetch() {
    // Headers that never come in time: each try times out with nothing read, so it is retried, but the tries
    // together stay within the fetch's budget.
    let server = TestServer::start(|_| Response::ok("application/rss+xml", "<rss/>").delay(Duration::from_secs(5)));
    let f = Fetcher::new(FetchConfig {
        connect_timeout: Duration::from_millis(100),
        request_timeout: Duration::from_millis(600),
        fetch_budget: Duration::from_millis(1000),
        retries: 5,
        ..config()
    })
    .unwrap();
    let started = Instant::now();
    let e = error(get(&f, &server.url("/feed")).await);
    assert!(matches!(e, FetchError::Timeout { .. }), "{e:?}");
    assert_eq!(
        server.hits("/feed"),
        2,
        "600 ms, then the 400 ms left; never the six tries of `retries`"
    );
    assert!(
        started.elapsed() < Duration::from_millis(1900),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn endless_body_stops_at_the_cap() {
    let server = TestServer::start(|_| Response::ok("application/rss+xml", "").body(Body::Endless));
    let f = Fetcher::new(FetchConfig {
        max_feed_bytes: 1 << 20,
        ..config()
    })
    .unwrap();
    let fetch = get(&f, &server.url("/feed")).await;
    assert_eq!(fetch.attempts.len(), 1, "a cap is not transient");
    assert_eq!(error(fetch).to_string(), "body exceeds the 1 MiB cap");
}

#[tokio::test]
async fn gzip_bomb_stops_at_the_cap() {
    let bomb = Arc::new(gzip_bomb(64 << 20));
    let b = bomb.clone();
    let server = TestServer::start(move |_| {
        Response::ok("application/rss+xml", b.as_slice()).header("Content-Encoding", "gzip")
    });
    let f = Fetcher::new(FetchConfig {
        max_feed_bytes: 2 << 20,
        ..config()
    })
    .unwrap();
    let started = Instant::now();
    let e = error(get(&f, &server.url("/feed")).await);
    assert!(matches!(e, FetchError::TooLarge { cap } if cap == 2 << 20), "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn gzip_feed_is_decompressed() {
    let server = TestServer::start(|_| Response::gzipped("application/rss+xml", small_feed().as_bytes()));
    assert_eq!(items(get(&fetcher(), &server.url("/feed")).await).len(), 2);
    let accepted = server.requests()[0].header("accept-encoding").unwrap().to_string();
    for coding in ["gzip", "br", "deflate"] {
        assert!(accepted.contains(coding), "{accepted}");
    }
}

#[tokio::test]
async fn gzip_file_without_content_encoding_is_unpacked_under_the_cap() {
    let bomb = Arc::new(gzip_bomb(64 << 20));
    let b = bomb.clone();
    let server = TestServer::start(move |req| match req.path() {
        // A feed.xml.gz served as is, labelled only by its type.
        "/feed.xml.gz" => Response::ok("application/x-gzip", gzip(small_feed().as_bytes())),
        "/bomb" => Response::ok("application/rss+xml", b.as_slice()),
        _ => Response::ok("application/rss+xml", vec![0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]),
    });
    let f = Fetcher::new(FetchConfig {
        max_feed_bytes: 2 << 20,
        ..config()
    })
    .unwrap();
    assert_eq!(items(get(&f, &server.url("/feed.xml.gz")).await).len(), 2);
    let e = error(get(&f, &server.url("/bomb")).await);
    assert!(matches!(e, FetchError::TooLarge { cap } if cap == 2 << 20), "{e:?}");
    let e = error(get(&f, &server.url("/broken")).await);
    assert!(e.to_string().contains("gzip data that does not unpack"), "{e}");
}

#[tokio::test]
async fn deflate_feed_is_decompressed() {
    let server = TestServer::start(|_| {
        Response::ok("application/rss+xml", deflate(small_feed().as_bytes())).header("Content-Encoding", "deflate")
    });
    assert_eq!(items(get(&fetcher(), &server.url("/feed")).await).len(), 2);
}

// ---- redirects ----

#[tokio::test]
async fn permanent_redirects_move_the_feed() {
    let server = TestServer::start(|req| match req.path() {
        "/old" => Response::redirect(301, "/older"),
        "/older" => Response::redirect(308, "/new/feed.xml"),
        "/new/feed.xml" => Response::ok("application/rss+xml", rss(&[("1", "item.html")])),
        _ => Response::not_found(),
    });
    let f = fetched(get(&fetcher(), &server.url("/old")).await);
    assert_eq!(f.final_url, server.url("/new/feed.xml"));
    assert_eq!(f.moved_to.as_deref(), Some(server.url("/new/feed.xml").as_str()));
    // Relative links resolve against the final URL.
    assert_eq!(
        f.feed.items[0].url.as_deref(),
        Some(server.url("/new/item.html").as_str())
    );
}

#[tokio::test]
async fn temporary_redirect_does_not_move_the_feed() {
    let server = TestServer::start(|req| match req.path() {
        "/old" => Response::redirect(301, "/tmp"),
        "/tmp" => Response::redirect(302, "/feed"),
        "/feed" => feed_response(),
        _ => Response::not_found(),
    });
    let f = fetched(get(&fetcher(), &server.url("/old")).await);
    assert_eq!(f.final_url, server.url("/feed"));
    assert_eq!(f.moved_to, None);
}

#[tokio::test]
async fn redirect_loop_and_too_many_redirects() {
    let server = TestServer::start(|req| {
        let p = req.path();
        if p == "/a" {
            Response::redirect(302, "/b")
        } else if p == "/b" {
            Response::redirect(302, "/a")
        } else if let Some(n) = p.strip_prefix("/hop/") {
            let n: u32 = n.parse().unwrap();
            Response::redirect(301, &format!("/hop/{}", n + 1))
        } else if p == "/nowhere" {
            Response::new(302, "")
        } else {
            Response::not_found()
        }
    });
    let f = fetcher();
    let fetch = get(&f, &server.url("/a")).await;
    assert_eq!(fetch.attempts.len(), 1);
    let e = error(fetch);
    assert!(matches!(e, FetchError::RedirectLoop { .. }), "{e:?}");
    assert!(e.to_string().starts_with("redirect loop"));
    let e = error(get(&f, &server.url("/hop/0")).await);
    assert_eq!(e.to_string(), "too many redirects (more than 10)");
    assert_eq!(server.hits("/hop/10"), 1);
    assert_eq!(server.hits("/hop/11"), 0);
    let e = error(get(&f, &server.url("/nowhere")).await);
    assert!(matches!(e, FetchError::BadRedirect { status: 302 }), "{e:?}");
}

// ---- conditional GET and caching hints ----

#[tokio::test]
async fn conditional_get() {
    let server = TestServer::start(|req| {
        let etag_ok = req.header("if-none-match") == Some("\"v1\"");
        let lm_ok = req.header("if-modified-since") == Some("Fri, 03 Dec 2021 21:15:00 GMT");
        if etag_ok || lm_ok {
            Response::new(304, "").header("Cache-Control", "max-age=900")
        } else {
            feed_response()
                .header("ETag", "\"v1\"")
                .header("Last-Modified", "Fri, 03 Dec 2021 21:15:00 GMT")
                .header("Cache-Control", "public, max-age=600")
        }
    });
    let f = fetcher();
    let first = fetched(get(&f, &server.url("/feed")).await);
    assert_eq!(first.validators.etag.as_deref(), Some("\"v1\""));
    assert_eq!(first.min_interval, Some(Duration::from_secs(600)));
    let second = f.fetch_feed(&server.url("/feed"), &first.validators).await;
    assert_eq!(second.attempts[0].status, Some(304));
    // The 304's own caching header still bounds the next check.
    match second.outcome {
        Ok(FeedOutcome::NotModified { min_interval }) => assert_eq!(min_interval, Some(Duration::from_secs(900))),
        other => panic!("expected a 304, got {other:?}"),
    }
    let only_lm = Validators {
        etag: None,
        last_modified: first.validators.last_modified.clone(),
    };
    assert!(matches!(
        f.fetch_feed(&server.url("/feed"), &only_lm).await.outcome,
        Ok(FeedOutcome::NotModified { .. })
    ));
    // Without validators the feed comes in full (the daily unconditional fetch).
    assert!(matches!(
        get(&f, &server.url("/feed")).await.outcome,
        Ok(FeedOutcome::Fetched(_))
    ));
    let reqs = server.requests();
    assert_eq!(reqs[0].header("if-none-match"), None);
    assert_eq!(reqs[1].header("if-none-match"), Some("\"v1\""));
}

#[tokio::test]
async fn min_interval_from_headers_and_feed() {
    let server = TestServer::start(|req| match req.path() {
        "/expires" => feed_response()
            .header("Date", "Fri, 03 Dec 2021 21:00:00 GMT")
            .header("Expires", "Fri, 03 Dec 2021 23:00:00 GMT"),
        "/ttl" => Response::ok(
            "application/rss+xml",
            r#"<rss version="2.0"><channel><title>x</title><ttl>90</ttl></channel></rss>"#,
        )
        .header("Cache-Control", "max-age=60"),
        "/sy" => Response::ok(
            "application/rdf+xml",
            r#"<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">
            <channel rdf:about="x"><title>x</title><link>http://x/</link><sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>4</sy:updateFrequency></channel>
            <item rdf:about="http://x/1"><title>One</title><link>http://x/1</link></item></rdf:RDF>"#,
        ),
        "/year" => feed_response().header("Cache-Control", "max-age=31536000"),
        _ => Response::not_found(),
    });
    let f = fetcher();
    let interval = |p: &'static str| {
        let f = f.clone();
        let url = server.url(p);
        async move { fetched(get(&f, &url).await).min_interval }
    };
    assert_eq!(interval("/expires").await, Some(Duration::from_secs(7200)));
    assert_eq!(interval("/ttl").await, Some(Duration::from_secs(90 * 60)));
    assert_eq!(interval("/sy").await, Some(Duration::from_secs(6 * 3600)));
    assert_eq!(
        interval("/year").await,
        Some(Duration::from_secs(86_400)),
        "capped at a day"
    );
}

// ---- robots.txt ----

#[tokio::test]
async fn robots_txt_for_pages_not_feeds() {
    let server = TestServer::start(|req| match req.path() {
        "/robots.txt" => Response::ok(
            "text/plain",
            "User-agent: *\nDisallow: /\n\nUser-agent: Gazette\nDisallow: /private/\nCrawl-delay: 0.3\n",
        ),
        "/private/feed.xml" => feed_response(),
        _ => Response::ok("text/html", "<html><body><p>hi</p></body></html>"),
    });
    let f = fetcher();
    let e = f.fetch_page(&server.url("/private/page.html"), true).await.unwrap_err();
    assert!(matches!(e, FetchError::RobotsDisallowed { .. }), "{e:?}");
    assert!(e.to_string().starts_with("robots.txt of the site disallows"));
    assert_eq!(server.hits("/private/page.html"), 0);
    // Switched off per feed: fetched anyway.
    assert!(f.fetch_page(&server.url("/private/page.html"), false).await.is_ok());
    // Allowed pages, spaced by the Crawl-delay; robots.txt asked for once.
    for i in 0..3 {
        let page = f
            .fetch_page(&server.url(&format!("/news/{i}.html")), true)
            .await
            .unwrap();
        assert!(page.html.contains("<p>hi</p>"));
    }
    assert_eq!(server.hits("/robots.txt"), 1);
    let news: Vec<Instant> = server
        .requests()
        .iter()
        .filter(|r| r.path().starts_with("/news/"))
        .map(|r| r.received_at)
        .collect();
    for w in news.windows(2) {
        assert!(
            w[1] - w[0] >= Duration::from_millis(230),
            "crawl-delay ignored: {:?}",
            w[1] - w[0]
        );
    }
    // Feeds ignore robots.txt.
    assert_eq!(items(get(&f, &server.url("/private/feed.xml")).await).len(), 2);
}

#[tokio::test]
async fn robots_txt_server_error_disallows() {
    let server = TestServer::start(|req| match req.path() {
        "/robots.txt" => Response::new(500, "oops"),
        _ => Response::ok("text/html", "<html></html>"),
    });
    let e = fetcher().fetch_page(&server.url("/x.html"), true).await.unwrap_err();
    assert!(matches!(e, FetchError::RobotsUnavailable { .. }), "{e:?}");
    assert!(e.to_string().contains("server error"), "{e}");
    assert!(e.is_transient(), "RFC 9309: a 5xx robots.txt is a temporary state");
}

// ---- pages ----

#[tokio::test]
async fn pages_errors_and_charsets() {
    let server = TestServer::start(|req| match req.path() {
        "/latin1.html" => Response::ok(
            "text/html; charset=ISO-8859-1",
            b"<html><body>caf\xe9</body></html>".to_vec(),
        ),
        "/late-meta.html" => {
            let mut body = b"<html><head><title>x</title>".to_vec();
            body.extend(std::iter::repeat_n(b' ', 2048));
            body.extend_from_slice(b"<meta charset=\"koi8-r\"></head><body>\xf0\xd2\xc9\xd7\xc5\xd4</body></html>");
            Response::ok("text/html", body)
        }
        "/doc.pdf" => Response::ok("application/pdf", "%PDF-1.4"),
        "/binary.html" => Response::ok("application/octet-stream", "\n<!doctype html><p>mislabelled</p>"),
        "/binary.bin" => Response::ok("application/octet-stream", "\x00\x01"),
        _ => Response::not_found(),
    });
    let f = fetcher();
    assert!(f
        .fetch_page(&server.url("/latin1.html"), false)
        .await
        .unwrap()
        .html
        .contains("café"));
    assert!(f
        .fetch_page(&server.url("/late-meta.html"), false)
        .await
        .unwrap()
        .html
        .contains("Привет"));
    assert!(f
        .fetch_page(&server.url("/binary.html"), false)
        .await
        .unwrap()
        .html
        .contains("mislabelled"));
    assert!(f.fetch_page(&server.url("/binary.bin"), false).await.is_err());
    let e = f.fetch_page(&server.url("/doc.pdf"), false).await.unwrap_err();
    assert_eq!(e.to_string(), "expected an HTML page, got application/pdf");
    let e = f.fetch_page(&server.url("/missing.html"), false).await.unwrap_err();
    assert_eq!(e.status(), Some(404));
    let capped = Fetcher::new(FetchConfig {
        max_page_bytes: 16,
        ..config()
    })
    .unwrap();
    let e = capped.fetch_page(&server.url("/latin1.html"), false).await.unwrap_err();
    assert_eq!(e.to_string(), "body exceeds the 16 bytes cap");
}

// ---- decoding and parsing ----

#[tokio::test]
async fn feed_charsets() {
    let latin1_decl =
        b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>Caf\xe9</title><item><title>\xc9t\xe9</title><guid>1</guid></item></channel></rss>".to_vec();
    let header_only = b"<rss version=\"2.0\"><channel><title>Caf\xe9</title></channel></rss>".to_vec();
    let mut utf16 = vec![0xff, 0xfe];
    for u in
        "<?xml version=\"1.0\" encoding=\"utf-16\"?><rss version=\"2.0\"><channel><title>Café</title></channel></rss>"
            .encode_utf16()
    {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let mislabelled = "<rss version=\"2.0\"><channel><title>Café</title></channel></rss>"
        .as_bytes()
        .to_vec();
    let server = TestServer::start(move |req| match req.path() {
        "/decl" => Response::ok("application/rss+xml", latin1_decl.clone()),
        "/header" => Response::ok("text/xml; charset=iso-8859-1", header_only.clone()),
        "/utf16" => Response::ok("application/xml", utf16.clone()),
        "/mislabelled" => Response::ok("text/xml; charset=iso-8859-1", mislabelled.clone()),
        _ => Response::not_found(),
    });
    let f = fetcher();
    for path in ["/decl", "/header", "/utf16", "/mislabelled"] {
        let feed = fetched(get(&f, &server.url(path)).await).feed;
        assert_eq!(feed.title.as_deref(), Some("Café"), "{path}");
    }
    let feed = fetched(get(&f, &server.url("/decl")).await).feed;
    assert_eq!(feed.items[0].title.as_deref(), Some("Été"));
}

#[tokio::test]
async fn broken_feed_is_repaired() {
    let broken = "\u{feff}\n\n  <?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>Tom & Jerry&nbsp;News</title>\
        <item><title>Caf&eacute; \u{0001}opens &amp; closes &mdash; R&D</title><link>/a/1?x=1&y=2</link><guid>1</guid>\
        <description><![CDATA[<p>a & b &nbsp;</p>]]></description></item></channel></rss>";
    let server = TestServer::start(move |_| Response::ok("application/rss+xml", broken));
    let feed = fetched(get(&fetcher(), &server.url("/feed")).await).feed;
    assert_eq!(feed.title.as_deref(), Some("Tom & Jerry News"));
    let item = &feed.items[0];
    assert_eq!(item.title.as_deref(), Some("Café opens & closes — R&D"));
    assert_eq!(item.url.as_deref(), Some(server.url("/a/1?x=1&y=2").as_str()));
    assert_eq!(item.summary.as_deref(), Some("<p>a & b &nbsp;</p>"));
}

#[tokio::test]
async fn html_instead_of_a_feed() {
    let server = TestServer::start(|req| match req.path() {
        "/page" => Response::ok(
            "text/html",
            r#"<!DOCTYPE html><html><head><title>Site</title>
            <link rel="alternate" type="application/rss+xml" title="RSS" href="/rss.xml">
            <link rel="alternate" type="application/atom+xml" href="https://example.org/atom.xml"></head><body></body></html>"#,
        ),
        "/challenge" => Response::ok(
            "text/html",
            "<html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>",
        ),
        _ => Response::not_found(),
    });
    let f = fetcher();
    let fetch = get(&f, &server.url("/page")).await;
    assert_eq!(fetch.attempts.len(), 1);
    let e = error(fetch);
    assert_eq!(
        e.to_string(),
        format!(
            "got an HTML page, not a feed; it links these feeds: {}, https://example.org/atom.xml",
            server.url("/rss.xml")
        )
    );
    let e = error(get(&f, &server.url("/challenge")).await);
    assert_eq!(e.to_string(), "got an HTML page, not a feed (the page links no feed)");
}

#[tokio::test]
async fn garbage_and_empty_bodies_are_clear_errors() {
    let server = TestServer::start(|req| match req.path() {
        "/empty" => Response::ok("application/rss+xml", ""),
        "/text" => Response::ok("text/plain", "hello"),
        "/truncated" => Response::ok("application/rss+xml", "<rss version=\"2.0\"><channel><title>x</tit"),
        "/json" => Response::ok("application/json", "{\"not\": \"a feed\"}"),
        _ => Response::not_found(),
    });
    let f = fetcher();
    for p in ["/empty", "/text", "/truncated", "/json"] {
        let e = error(get(&f, &server.url(p)).await);
        assert!(e.to_string().starts_with("not a valid feed"), "{p}: {e}");
    }
}

#[tokio::test]
async fn formats_and_dates() {
    let server = TestServer::start(|req| match req.path() {
        "/rss091" => Response::ok(
            "text/xml",
            r#"<rss version="0.91"><channel><title>Old</title><link>http://x/</link><description>d</description><item><title>A</title><link>http://x/a</link></item></channel></rss>"#,
        ),
        "/rss1" => Response::ok(
            "application/rdf+xml",
            r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel rdf:about="http://x/"><title>One</title><link>http://x/</link></channel><item rdf:about="http://x/1"><title>A</title><link>http://x/1</link><dc:date>2021-12-03T21:15:00Z</dc:date></item></rdf:RDF>"#,
        ),
        "/atom" => Response::ok(
            "application/atom+xml",
            r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry><id>urn:1</id><title>E</title><link href="/e"/><updated>2021-12-03T21:15:00Z</updated><published>not a date</published></entry></feed>"#,
        ),
        "/json" => Response::ok(
            "application/feed+json",
            r#"{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"x1","url":"/j/1","title":"J1","date_published":"2021-12-03T21:15:00+00:00"}]}"#,
        ),
        "/dates" => Response::ok(
            "application/rss+xml",
            r#"<rss version="2.0"><channel><title>D</title>
            <item><guid>1</guid><title>a</title><pubDate>Fri, 03 Dec 2021 16:15 EST</pubDate></item>
            <item><guid>2</guid><title>b</title><pubDate>Vendredi, 03 Dec 2021 21:15:00 Z</pubDate></item>
            <item><guid>3</guid><title>c</title><pubDate>gibberish</pubDate></item>
            </channel></rss>"#,
        ),
        _ => Response::not_found(),
    });
    let f = fetcher();
    assert_eq!(
        items(get(&f, &server.url("/rss091")).await)[0].url.as_deref(),
        Some("http://x/a")
    );
    let one = items(get(&f, &server.url("/rss1")).await);
    assert_eq!(one[0].published.unwrap().to_rfc3339(), "2021-12-03T21:15:00+00:00");
    let atom = items(get(&f, &server.url("/atom")).await);
    assert_eq!(
        atom[0].published.unwrap().to_rfc3339(),
        "2021-12-03T21:15:00+00:00",
        "falls back to updated"
    );
    assert_eq!(atom[0].url.as_deref(), Some(server.url("/e").as_str()));
    let json = items(get(&f, &server.url("/json")).await);
    assert_eq!(json[0].key, "x1");
    assert_eq!(json[0].published.unwrap().to_rfc3339(), "2021-12-03T21:15:00+00:00");
    let dates = items(get(&f, &server.url("/dates")).await);
    assert_eq!(dates[0].published.unwrap().to_rfc3339(), "2021-12-03T21:15:00+00:00");
    assert_eq!(dates[1].published.unwrap().to_rfc3339(), "2021-12-03T21:15:00+00:00");
    assert_eq!(dates[2].published, None, "left to the pipeline's first-seen time");
}

// ---- keys ----

#[tokio::test]
async fn ten_thousand_items() {
    let list: Vec<(String, String)> = (0..10_000).map(|i| (format!("g{i}"), format!("/a/{i}"))).collect();
    let refs: Vec<(&str, &str)> = list.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let body = rss(&refs);
    let server = TestServer::start(move |_| Response::ok("application/rss+xml", body.clone()));
    let started = Instant::now();
    let items = items(get(&fetcher(), &server.url("/big")).await);
    assert_eq!(items.len(), 10_000);
    let keys: std::collections::HashSet<&str> = items.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(keys.len(), 10_000);
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[tokio::test]
async fn repeating_guids_fall_back_to_links() {
    let body = rss(&[("same", "/a/1"), ("same", "/a/2"), ("same", "/a/3"), ("unique", "/a/4")]);
    let server = TestServer::start(move |_| Response::ok("application/rss+xml", body.clone()));
    let items = items(get(&fetcher(), &server.url("/feed")).await);
    let keys: Vec<&str> = items.iter().map(|i| i.key.as_str()).collect();
    let host = server.base_url().replacen("http://", "https://", 1);
    assert_eq!(
        keys,
        vec![
            format!("{host}/a/1"),
            format!("{host}/a/2"),
            format!("{host}/a/3"),
            "unique".into()
        ]
    );
}

#[tokio::test]
async fn guids_changing_scheme_keep_their_keys() {
    let n = Arc::new(AtomicUsize::new(0));
    let c = n.clone();
    let server = TestServer::start(move |_| {
        let scheme = if c.fetch_add(1, Ordering::SeqCst) == 0 {
            "http"
        } else {
            "https"
        };
        let guid1 = format!("{scheme}://news.example.com/a/1");
        let guid2 = format!("{scheme}://news.example.com/a/2?utm_source=rss");
        Response::ok("application/rss+xml", rss(&[(&guid1, &guid1), (&guid2, &guid2)]))
    });
    let f = fetcher();
    let first: Vec<String> = items(get(&f, &server.url("/feed")).await)
        .into_iter()
        .map(|i| i.key)
        .collect();
    let second: Vec<String> = items(get(&f, &server.url("/feed")).await)
        .into_iter()
        .map(|i| i.key)
        .collect();
    assert_eq!(first, second);
    assert_eq!(first[1], "https://news.example.com/a/2");
}

#[tokio::test]
async fn seed_style_link_is_normalised() {
    let server = TestServer::start(|_| {
        Response::ok(
            "application/rss+xml",
            rss(&[("x", "/a/story.html?utm_source=rss&utm_medium=feed&id=7#comments")]),
        )
    });
    let items = items(get(&fetcher(), &server.url("/feed")).await);
    assert_eq!(items[0].url.as_deref(), Some(server.url("/a/story.html?id=7").as_str()));
}

// ---- discovery ----

#[tokio::test]
async fn discover_linked_feeds() {
    let server = TestServer::start(|req| match req.path() {
        "/" => Response::ok(
            "text/html",
            r#"<html><head><link rel="alternate" type="application/rss+xml" title="All" href="/rss">
            <link rel="alternate" type="application/feed+json" href="/feed.json"></head></html>"#,
        ),
        "/feed.xml" => feed_response(),
        _ => Response::not_found(),
    });
    let f = fetcher();
    let found = f.discover(&server.url("/")).await.unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].url, server.url("/rss"));
    assert_eq!(found[0].title.as_deref(), Some("All"));
    assert_eq!(found[0].kind, FeedKind::Rss);
    assert_eq!(found[1].kind, FeedKind::Json);
    // A feed URL discovers itself.
    let itself = f.discover(&server.url("/feed.xml")).await.unwrap();
    assert_eq!(itself.len(), 1);
    assert_eq!(itself[0].url, server.url("/feed.xml"));
    assert_eq!(itself[0].title.as_deref(), Some("Test"));
}

#[tokio::test]
async fn discover_common_paths() {
    let server = TestServer::start(|req: &Request| match req.path() {
        "/blog/post" => Response::ok("text/html", "<html><head><title>No links</title></head></html>"),
        "/rss.xml" => feed_response(),
        "/feed" => Response::ok("text/html", "<html>a page, not a feed</html>"),
        "/atom.xml" => Response::ok(
            "application/atom+xml",
            r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title></feed>"#,
        ),
        _ => Response::not_found(),
    });
    let found = fetcher().discover(&server.url("/blog/post")).await.unwrap();
    let urls: Vec<&str> = found.iter().map(|d| d.url.as_str()).collect();
    assert_eq!(urls, vec![server.url("/rss.xml"), server.url("/atom.xml")]);
    assert_eq!(found[1].kind, FeedKind::Atom);
    for p in ["/feed", "/rss", "/rss.xml", "/atom.xml", "/feed.xml", "/index.xml"] {
        assert_eq!(server.hits(p), 1, "{p}");
    }
}

#[tokio::test]
async fn bad_sources() {
    let f = fetcher();
    let e = error(get(&f, "ftp://example.com/feed").await);
    assert_eq!(
        e.to_string(),
        "unsupported URL scheme \"ftp\" (only http, https and file)"
    );
    let e = error(get(&f, "").await);
    assert!(matches!(e, FetchError::InvalidSource(_)));
}

#[tokio::test]
async fn tls_failure_is_named_and_not_retried() {
    // https:// to a server that answers in plain HTTP: the handshake fails the same way every time.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}/feed", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for mut conn in listener.incoming().flatten() {
            let _ = conn.read(&mut [0u8; 1024]);
            let _ = conn.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let fetch = get(&fetcher(), &url).await;
    assert_eq!(fetch.attempts.len(), 1, "{:?}", fetch.attempts);
    let e = error(fetch);
    assert!(matches!(e, FetchError::Tls(_)), "{e:?}");
    assert!(!e.is_transient());
}

#[tokio::test]
async fn false_content_encoding_is_not_retried() {
    let server =
        TestServer::start(|_| Response::ok("application/rss+xml", small_feed()).header("Content-Encoding", "gzip"));
    let fetch = get(&fetcher(), &server.url("/feed")).await;
    assert_eq!(fetch.attempts.len(), 1);
    let e = error(fetch);
    assert!(matches!(e, FetchError::Decode(_)), "{e:?}");
    assert!(e.to_string().starts_with("could not decode the response body"), "{e}");
}

#[tokio::test]
async fn parse_errors_say_what_was_wrong() {
    let server = TestServer::start(|req| match req.path() {
        "/empty" => Response::ok("application/rss+xml", "   "),
        "/svg" => Response::ok(
            "image/svg+xml",
            "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        ),
        "/lt" => Response::ok(
            "application/rss+xml",
            "<rss version=\"2.0\"><channel><title>a < b</title></channel></rss>",
        ),
        _ => Response::not_found(),
    });
    let f = fetcher();
    assert_eq!(
        error(get(&f, &server.url("/empty")).await).to_string(),
        "not a valid feed: the body is empty"
    );
    assert_eq!(
        error(get(&f, &server.url("/svg")).await).to_string(),
        "not a valid feed: the document is XML but not RSS, Atom or RSS 1.0 (its root element is <svg>)"
    );
    assert_eq!(
        fetched(get(&f, &server.url("/lt")).await).feed.title.as_deref(),
        Some("a < b")
    );
}

#[tokio::test]
async fn robots_txt_is_cached_for_its_ttl() {
    let server = TestServer::start(|req| match req.path() {
        "/robots.txt" => Response::ok("text/plain", "User-agent: *\nDisallow: /private/\n"),
        _ => Response::ok("text/html", "<html></html>"),
    });
    let cached = fetcher();
    for _ in 0..3 {
        cached.fetch_page(&server.url("/p.html"), true).await.unwrap();
    }
    assert_eq!(server.hits("/robots.txt"), 1);
    let expiring = Fetcher::new(FetchConfig {
        robots_ttl: Duration::ZERO,
        ..config()
    })
    .unwrap();
    for _ in 0..2 {
        expiring.fetch_page(&server.url("/p.html"), true).await.unwrap();
    }
    assert_eq!(server.hits("/robots.txt"), 3);
}

#[tokio::test]
async fn bot_challenge_is_named_and_not_retried() {
    let server = TestServer::start(|_| {
        Response::new(403, "<html><title>Just a moment...</title></html>")
            .header("Content-Type", "text/html; charset=UTF-8")
            .header("Server", "cloudflare")
            .header("cf-mitigated", "challenge")
    });
    let fetch = get(&fetcher(), &server.url("/feed")).await;
    assert_eq!(fetch.attempts.len(), 1);
    assert_eq!(
        error(fetch).to_string(),
        "HTTP 403: the site served a bot-challenge page instead of the content"
    );
}

#[test]
fn futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let f = fetcher();
    let v = Validators::default();
    assert_send(&f.fetch_feed("http://127.0.0.1:1/", &v));
    assert_send(&f.fetch_page("http://127.0.0.1:1/", true));
    assert_send(&f.discover("http://127.0.0.1:1/"));
}

#[tokio::test]
async fn raw_utf8_location_is_followed() {
    let server = TestServer::start(|req| match req.path() {
        "/old" => Response::redirect(301, "/caf\u{e9}/feed"),
        "/caf%C3%A9/feed" => feed_response(),
        _ => Response::not_found(),
    });
    let f = fetched(get(&fetcher(), &server.url("/old")).await);
    assert_eq!(f.final_url, server.url("/caf%C3%A9/feed"));
}

#[tokio::test]
async fn request_timeout_covers_the_redirect_chain() {
    // Each hop answers in 250 ms; four of them exceed a 800 ms request timeout.
    let server = TestServer::start(|req| {
        let n: u32 = req.path().trim_start_matches('/').parse().unwrap_or(0);
        if n < 4 {
            Response::redirect(302, &format!("/{}", n + 1)).delay(Duration::from_millis(250))
        } else {
            feed_response()
        }
    });
    let f = Fetcher::new(FetchConfig {
        request_timeout: Duration::from_millis(800),
        retries: 0,
        ..config()
    })
    .unwrap();
    let e = error(get(&f, &server.url("/0")).await);
    assert!(matches!(e, FetchError::Timeout { .. }), "{e:?}");
    // A generous timeout lets the same chain through.
    assert_eq!(items(get(&fetcher(), &server.url("/0")).await).len(), 2);
}
