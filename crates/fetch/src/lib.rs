//! HTTP for Gazette: feeds and article pages.
//!
//! - [`Fetcher`] fetches feeds (URLs, local paths, `file://` URLs) and article pages politely: per-host concurrency
//!   and gap and Retry-After pauses per host (turns at hosts, [`turns`]: kept in the process by default, or
//!   wherever a [`HostTurns`] given to [`Fetcher::with_turns`] keeps them), retries with back-off and jitter for transient failures, conditional GET,
//!   manual redirects (loop detection, permanent moves), body caps after decompression, a stall timeout, and
//!   robots.txt for pages.
//! - Bodies are transcoded to UTF-8 ([`charset`]), feeds repaired ([`repair`]) and parsed with feed-rs
//!   ([`parse`]); dedup keys, links and dates are computed here, not taken from feed-rs's synthetic ids.
//! - [`normalize_url`] and [`Fetcher::discover`] serve the ingest pipeline and `gazette feeds discover`.

use std::time::Duration;

mod body;
mod char_refs;
pub mod charset;
mod client;
pub mod discover;
mod error;
mod html;
pub mod parse;
pub mod repair;
pub mod robots;
pub mod turns;
pub mod urls;

pub use discover::{DiscoveredFeed, FeedKind};
pub use error::FetchError;
pub use html::plain_text;
pub use turns::{HostTurns, LocalTurns};
pub use urls::normalize_url;

use chrono::{DateTime, Utc};

/// Settings for a [`Fetcher`]. `Default` gives the documented defaults.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    pub user_agent: String,
    pub connect_timeout: Duration,
    /// Whole request: the redirect chain, headers and body (waits for politeness excluded).
    pub request_timeout: Duration,
    /// Longest wait for the next body chunk.
    pub stall_timeout: Duration,
    /// Caps after decompression.
    pub max_feed_bytes: usize,
    pub max_page_bytes: usize,
    pub max_redirects: usize,
    /// Requests in flight per host.
    pub per_host_concurrency: usize,
    /// Minimum gap between two requests to one host.
    pub per_host_gap: Duration,
    /// Retries after the first attempt, for transient failures.
    pub retries: u32,
    /// The most one fetch of a feed or page may take, retries included (waits for politeness excluded): a retry
    /// gets what is left of it, and none is started once it is spent. A body that was still arriving when the
    /// request timed out is not retried at all: a server that slow will be as slow again at once.
    pub fetch_budget: Duration,
    /// First back-off delay; doubled on each retry, with jitter.
    pub retry_base_delay: Duration,
    /// Longest Retry-After (or host pause) waited out within one fetch; a longer one ends the fetch with the error
    /// (its `retry_after` tells the caller when to come back).
    pub max_retry_wait: Duration,
    /// Cap on a robots.txt Crawl-delay.
    pub max_crawl_delay: Duration,
    /// How long a host's robots.txt is trusted before it is fetched again.
    pub robots_ttl: Duration,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            user_agent: format!(
                "Gazette/{} (+https://github.com/gazette-news/gazette)",
                env!("CARGO_PKG_VERSION")
            ),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            stall_timeout: Duration::from_secs(15),
            max_feed_bytes: 20 << 20,
            max_page_bytes: 10 << 20,
            max_redirects: 10,
            per_host_concurrency: 2,
            per_host_gap: Duration::from_millis(250),
            retries: 2,
            fetch_budget: Duration::from_secs(90),
            retry_base_delay: Duration::from_secs(1),
            max_retry_wait: Duration::from_secs(60),
            max_crawl_delay: Duration::from_secs(30),
            robots_ttl: Duration::from_secs(24 * 3600),
        }
    }
}

/// Conditional-GET validators stored per feed.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// One HTTP attempt, for the `fetches` table.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub started_at: DateTime<Utc>,
    /// The URL requested (the first of any redirect chain), or the file path.
    pub url: String,
    /// HTTP status, when a response arrived.
    pub status: Option<u16>,
    pub bytes: u64,
    pub duration_ms: u64,
    pub error: Option<String>,
}

/// A fetch of a feed: every attempt made, and the outcome.
#[derive(Debug)]
pub struct FeedFetch {
    pub attempts: Vec<Attempt>,
    pub outcome: Result<FeedOutcome, FetchError>,
}

#[derive(Debug)]
pub enum FeedOutcome {
    /// 304: nothing changed since the validators were issued. `min_interval` is the lower bound on the next check
    /// from the 304's own Cache-Control max-age or Expires (the feed's TTL is in the document, not sent again).
    NotModified {
        min_interval: Option<Duration>,
    },
    Fetched(FetchedFeed),
}

#[derive(Debug)]
pub struct FetchedFeed {
    /// The URL the feed was finally read from (after redirects).
    pub final_url: String,
    /// Set when every redirect on the way was permanent: the feed's new address.
    pub moved_to: Option<String>,
    pub validators: Validators,
    /// Lower bound on the next check from TTL, sy:updatePeriod, Cache-Control max-age or Expires.
    pub min_interval: Option<Duration>,
    pub feed: Feed,
}

/// A parsed feed.
#[derive(Debug, Clone, Default)]
pub struct Feed {
    pub title: Option<String>,
    pub site_url: Option<String>,
    pub items: Vec<FeedItem>,
}

/// One item of a feed. Serialisable so that an item waiting for its page can be kept (without `content`) until it is
/// stored.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FeedItem {
    /// The dedup key: GUID when usable, else the normalised link, else title + date.
    pub key: String,
    pub guid: Option<String>,
    /// Absolute, normalised link to the article page.
    pub url: Option<String>,
    pub title: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub authors: Vec<String>,
    /// The item's description or Atom summary, as HTML.
    pub summary: Option<String>,
    /// Full content (HTML), when the feed carries it (`content:encoded`, Atom `content`, JSON `content_html`).
    #[serde(skip)]
    pub content: Option<String>,
}

/// A downloaded article page, transcoded to UTF-8.
#[derive(Debug, Clone)]
pub struct Page {
    pub final_url: String,
    pub status: u16,
    pub html: String,
}

/// Fetches feeds and pages politely. Cheap to clone; clones share connection pools and per-host state.
#[derive(Clone)]
pub struct Fetcher {
    inner: std::sync::Arc<client::Inner>,
}

impl Fetcher {
    /// A fetcher keeping its politeness per host in this process ([`LocalTurns`]).
    pub fn new(config: FetchConfig) -> Result<Fetcher, FetchError> {
        Fetcher::with_turns(config, std::sync::Arc::new(LocalTurns::new()))
    }

    /// A fetcher that asks `turns` for every request's turn at its host (so that processes sharing `turns` share
    /// each host's concurrency, gap and pauses).
    pub fn with_turns(config: FetchConfig, turns: std::sync::Arc<dyn HostTurns>) -> Result<Fetcher, FetchError> {
        Ok(Fetcher {
            inner: std::sync::Arc::new(client::Inner::new(config, turns)?),
        })
    }

    pub fn config(&self) -> &FetchConfig {
        &self.inner.config
    }

    /// Fetches and parses a feed from a URL, a local path or a `file://` URL. Sends the validators as
    /// If-None-Match / If-Modified-Since (pass empty ones at least once a day: some servers send stale validators).
    pub async fn fetch_feed(&self, source: &str, validators: &Validators) -> FeedFetch {
        self.inner.fetch_feed(source, validators).await
    }

    /// Fetches an article page (honouring robots.txt when `obey_robots`), transcoded to UTF-8. Local paths and
    /// `file://` URLs are read from disk.
    pub async fn fetch_page(&self, url: &str, obey_robots: bool) -> Result<Page, FetchError> {
        self.inner.fetch_page(url, obey_robots).await
    }

    /// The feeds a site offers: the URL itself if it is a feed; else the page's `<link rel="alternate">` feeds
    /// (RSS, Atom, JSON Feed); else those of the common paths (/feed, /rss, /rss.xml, /atom.xml, /feed.xml,
    /// /index.xml) that answer with a feed. Empty when none is found.
    pub async fn discover(&self, page_url: &str) -> Result<Vec<DiscoveredFeed>, FetchError> {
        self.inner.discover(page_url).await
    }
}
