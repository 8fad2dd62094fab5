//! The HTTP side: politeness per host, retries, redirects, conditional GET, robots.txt.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use reqwest::header::{self, HeaderMap, HeaderValue};
use tokio::time::Instant;
use url::Url;

use crate::discover::{self, DiscoveredFeed, FeedKind, COMMON_FEED_PATHS};
use crate::robots::RobotsRules;
use crate::turns::{HeldTurn, HostTurns, TurnRule};
use crate::{
    body, charset, html, parse, Attempt, FeedFetch, FeedOutcome, FetchConfig, FetchError, FetchedFeed, Page, Validators,
};

const FEED_ACCEPT: &str =
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, \
                           application/xml;q=0.8, text/xml;q=0.8, application/json;q=0.7, */*;q=0.5";
const PAGE_ACCEPT: &str = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5";
/// Longest interval a caching header or feed hint may impose: feeds are checked at least daily.
const MAX_MIN_INTERVAL: Duration = Duration::from_secs(86_400);
const ROBOTS_CAP: usize = 512 * 1024;

pub(crate) struct Inner {
    pub(crate) config: FetchConfig,
    client: reqwest::Client,
    /// Where the per-host politeness is kept (see [`crate::turns`]).
    turns: Arc<dyn HostTurns>,
    /// Per origin: the rules and when they were fetched. The async lock makes concurrent pages wait for one fetch.
    robots: Mutex<Forgetful<RobotsSlot>>,
    robots_agent: String,
}

/// Per-host (or per-origin) state that a daemon keeps for months: it meets countless hosts once, so once the map has
/// doubled since it was last pruned, the entries that `keep` calls idle are forgotten.
pub(crate) struct Forgetful<V> {
    map: HashMap<String, V>,
    prune_at: usize,
}

impl<V> Default for Forgetful<V> {
    fn default() -> Self {
        Forgetful {
            map: HashMap::new(),
            prune_at: FORGET_ABOVE,
        }
    }
}

/// Hosts remembered before idle ones are forgotten.
const FORGET_ABOVE: usize = 1024;

impl<V: Clone> Forgetful<V> {
    pub(crate) fn get(&self, key: &str) -> Option<V> {
        self.map.get(key).cloned()
    }

    pub(crate) fn get_or_insert(&mut self, key: String, make: impl FnOnce() -> V, keep: impl FnMut(&V) -> bool) -> V {
        if let Some(v) = self.map.get(&key) {
            return v.clone();
        }
        if self.map.len() >= self.prune_at {
            let mut keep = keep;
            self.map.retain(|_, v| keep(v));
            self.prune_at = (2 * self.map.len()).max(FORGET_ABOVE);
        }
        self.map.entry(key).or_insert_with(make).clone()
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.map.len()
    }
}

/// A cached robots.txt and when it was fetched.
type RobotsSlot = Arc<tokio::sync::Mutex<Option<(Instant, Arc<RobotsRules>)>>>;

/// A response that ended the redirect chain.
struct Got {
    final_url: Url,
    /// Some redirect happened and every one was permanent (301/308).
    moved_permanently: bool,
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// Where a source points.
enum Source {
    Http(Url),
    File(std::path::PathBuf),
}

impl Inner {
    pub(crate) fn new(config: FetchConfig, turns: Arc<dyn HostTurns>) -> Result<Inner, FetchError> {
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .connect_timeout(config.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .gzip(true)
            .brotli(true)
            .deflate(true)
            .pool_max_idle_per_host(config.per_host_concurrency.max(1))
            .build()
            .map_err(|e| FetchError::Client(e.to_string()))?;
        let robots_agent = config
            .user_agent
            .split(['/', ' '])
            .next()
            .unwrap_or("gazette")
            .to_ascii_lowercase();
        Ok(Inner {
            config,
            client,
            turns,
            robots: Mutex::new(Forgetful::default()),
            robots_agent,
        })
    }

    pub(crate) async fn fetch_feed(&self, source: &str, validators: &Validators) -> FeedFetch {
        let mut attempts = Vec::new();
        let outcome = match classify(source) {
            Err(e) => Err(e),
            Ok(Source::File(path)) => self.feed_from_file(&path, &mut attempts).await,
            Ok(Source::Http(url)) => self.feed_from_http(url, validators, &mut attempts).await,
        };
        if let Err(e) = &outcome {
            tracing::debug!(source, error = %e, "feed fetch failed");
        }
        FeedFetch { attempts, outcome }
    }

    async fn feed_from_file(
        &self,
        path: &std::path::Path,
        attempts: &mut Vec<Attempt>,
    ) -> Result<FeedOutcome, FetchError> {
        let started_at = Utc::now();
        let t0 = std::time::Instant::now();
        // A saved feed may be gzip (feed.xml.gz): unpacked under the same cap as a served one.
        let read = body::read_file(path, self.config.max_feed_bytes)
            .and_then(|b| body::unpack_unlabelled_gzip(b, self.config.max_feed_bytes));
        attempts.push(Attempt {
            started_at,
            url: path.display().to_string(),
            status: None,
            bytes: read.as_ref().map(|b| b.len() as u64).unwrap_or(0),
            duration_ms: t0.elapsed().as_millis() as u64,
            error: read.as_ref().err().map(ToString::to_string),
        });
        let bytes = read?;
        let base = std::fs::canonicalize(path)
            .ok()
            .and_then(|p| Url::from_file_path(p).ok());
        let final_url = base
            .as_ref()
            .map(Url::to_string)
            .unwrap_or_else(|| path.display().to_string());
        let parsed = parse_off_thread(bytes, None, base).await?;
        Ok(FeedOutcome::Fetched(FetchedFeed {
            final_url,
            moved_to: None,
            validators: Validators::default(),
            min_interval: parsed.min_interval,
            feed: parsed.feed,
        }))
    }

    async fn feed_from_http(
        &self,
        url: Url,
        validators: &Validators,
        attempts: &mut Vec<Attempt>,
    ) -> Result<FeedOutcome, FetchError> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static(FEED_ACCEPT));
        if let Some(etag) = validators.etag.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            headers.insert(header::IF_NONE_MATCH, etag);
        }
        if let Some(lm) = validators
            .last_modified
            .as_deref()
            .and_then(|v| HeaderValue::from_str(v).ok())
        {
            headers.insert(header::IF_MODIFIED_SINCE, lm);
        }
        let got = self
            .get_with_retries(&url, &headers, self.config.max_feed_bytes, attempts)
            .await?;
        if got.status == 304 {
            return Ok(FeedOutcome::NotModified {
                min_interval: caching_interval(&got.headers).map(|d| d.min(MAX_MIN_INTERVAL)),
            });
        }
        let new_validators = Validators {
            etag: header_str(&got.headers, header::ETAG),
            last_modified: header_str(&got.headers, header::LAST_MODIFIED),
        };
        let header_interval = caching_interval(&got.headers);
        let content_type = header_str(&got.headers, header::CONTENT_TYPE);
        let moved_to = got.moved_permanently.then(|| got.final_url.to_string());
        let final_url = got.final_url.to_string();
        // Feeds only: a page that is gzip data is some other file, refused by its type.
        let body = body::unpack_unlabelled_gzip(got.body, self.config.max_feed_bytes)?;
        let parsed = parse_off_thread(body, content_type, Some(got.final_url)).await?;
        let min_interval = match (parsed.min_interval, header_interval) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
        .map(|d| d.min(MAX_MIN_INTERVAL));
        Ok(FeedOutcome::Fetched(FetchedFeed {
            final_url,
            moved_to,
            validators: new_validators,
            min_interval,
            feed: parsed.feed,
        }))
    }

    pub(crate) async fn fetch_page(&self, source: &str, obey_robots: bool) -> Result<Page, FetchError> {
        let url = match classify(source)? {
            Source::File(path) => {
                let bytes = body::read_file(&path, self.config.max_page_bytes)?;
                let final_url = std::fs::canonicalize(&path)
                    .ok()
                    .and_then(|p| Url::from_file_path(p).ok())
                    .map(|u| u.to_string())
                    .unwrap_or_else(|| path.display().to_string());
                return Ok(Page {
                    final_url,
                    status: 200,
                    html: charset::decode(&bytes, None),
                });
            }
            Source::Http(url) => url,
        };
        if obey_robots {
            self.check_robots(&url).await?;
        }
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static(PAGE_ACCEPT));
        let mut attempts = Vec::new();
        let got = self
            .get_with_retries(&url, &headers, self.config.max_page_bytes, &mut attempts)
            .await?;
        let content_type = header_str(&got.headers, header::CONTENT_TYPE);
        if let Some(ct) = &content_type {
            let mime = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            let textual = mime.is_empty() || mime.starts_with("text/") || mime.contains("html") || mime.contains("xml");
            // Misconfigured servers label pages as binary: markup at the start of the body settles it.
            let sniffed = mime == "application/octet-stream"
                && got
                    .body
                    .iter()
                    .find(|b| !b.is_ascii_whitespace())
                    .is_some_and(|b| *b == b'<');
            if !(textual || sniffed) {
                return Err(FetchError::NotHtml {
                    content_type: ct.clone(),
                });
            }
        }
        Ok(Page {
            final_url: got.final_url.to_string(),
            status: got.status,
            html: decode_off_thread(got.body, content_type).await?,
        })
    }

    /// The feeds a site offers: the URL itself when it is a feed, else its `<link rel="alternate">` feeds, else
    /// whichever common feed paths of the site answer with a feed.
    pub(crate) async fn discover(&self, page_url: &str) -> Result<Vec<DiscoveredFeed>, FetchError> {
        let url = match classify(page_url)? {
            Source::Http(u) => u,
            Source::File(path) => {
                let bytes = body::read_file(&path, self.config.max_page_bytes)?;
                let text = charset::decode(&bytes, None);
                return Ok(discover::feed_links(&text, None));
            }
        };
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static(PAGE_ACCEPT));
        let mut attempts = Vec::new();
        let got = self
            .get_with_retries(&url, &headers, self.config.max_page_bytes, &mut attempts)
            .await?;
        let content_type = header_str(&got.headers, header::CONTENT_TYPE);
        let text = charset::decode(&got.body, content_type.as_deref());
        if !html::looks_like_html(&text) {
            if let Ok(parsed) = parse::parse_feed(&text, Some(&got.final_url)) {
                return Ok(vec![DiscoveredFeed {
                    url: got.final_url.to_string(),
                    title: parsed.feed.title,
                    kind: kind_of(&text),
                }]);
            }
        }
        let linked = discover::feed_links(&text, Some(&got.final_url));
        if !linked.is_empty() {
            return Ok(linked);
        }
        let mut found = Vec::new();
        let mut feed_headers = HeaderMap::new();
        feed_headers.insert(header::ACCEPT, HeaderValue::from_static(FEED_ACCEPT));
        for path in COMMON_FEED_PATHS {
            let Ok(candidate) = got.final_url.join(path) else {
                continue;
            };
            let mut bytes = 0;
            let Ok(probe) = self
                .get_once(
                    &candidate,
                    &feed_headers,
                    self.config.max_feed_bytes,
                    self.config.request_timeout,
                    &mut bytes,
                )
                .await
            else {
                continue;
            };
            let ct = header_str(&probe.headers, header::CONTENT_TYPE);
            let text = charset::decode(&probe.body, ct.as_deref());
            if let Ok(parsed) = parse::parse_feed(&text, Some(&probe.final_url)) {
                let url = probe.final_url.to_string();
                if !found.iter().any(|f: &DiscoveredFeed| f.url == url) {
                    found.push(DiscoveredFeed {
                        url,
                        title: parsed.feed.title,
                        kind: kind_of(&text),
                    });
                }
            }
        }
        Ok(found)
    }

    async fn check_robots(&self, url: &Url) -> Result<(), FetchError> {
        let origin = url.origin().ascii_serialization();
        let slot = {
            let mut map = self.robots.lock().expect("robots cache lock");
            // Forgotten: rules past their time that no fetch is using (they would be fetched again anyway).
            map.get_or_insert(origin, RobotsSlot::default, |slot| {
                Arc::strong_count(slot) > 1
                    || slot.try_lock().map_or(true, |c| {
                        c.as_ref()
                            .is_some_and(|(at, rules)| at.elapsed() < robots_ttl(&self.config, rules))
                    })
            })
        };
        let rules = {
            let mut cached = slot.lock().await;
            match cached.as_ref() {
                // A robots.txt that failed with a server error is asked for again sooner.
                Some((at, rules)) if at.elapsed() < robots_ttl(&self.config, rules) => rules.clone(),
                _ => {
                    let (rules, answered) = self.fetch_robots(url).await;
                    let rules = Arc::new(rules);
                    *cached = Some((Instant::now(), rules.clone()));
                    // The delay is kept with the host's turns too, so that claims made while this is being read
                    // again, or by other workers sharing the turns, keep it. Only the host's own answer changes it:
                    // a failed read says nothing about its delay.
                    if answered {
                        let delay = rules.crawl_delay.unwrap_or_default().min(self.config.max_crawl_delay);
                        self.turns.set_crawl_delay(&Inner::host_key(url), delay).await;
                    }
                    rules
                }
            }
        };
        let mut path = url.path().to_string();
        if let Some(q) = url.query() {
            path.push('?');
            path.push_str(q);
        }
        if rules.allows(&path) {
            Ok(())
        } else if rules.is_unavailable() {
            Err(FetchError::RobotsUnavailable {
                host: url.host_str().unwrap_or("").to_string(),
            })
        } else {
            Err(FetchError::RobotsDisallowed { url: url.to_string() })
        }
    }

    /// robots.txt of the URL's origin: 4xx or unreachable allows all, 5xx disallows all (RFC 9309). Also whether the
    /// host answered for itself (the file, or a 4xx other than 429: there is none), rather than the read failing.
    async fn fetch_robots(&self, url: &Url) -> (RobotsRules, bool) {
        let Ok(robots_url) = url.join("/robots.txt") else {
            return (RobotsRules::allow_all(), false);
        };
        let mut bytes = 0;
        match self
            .get_once(
                &robots_url,
                &HeaderMap::new(),
                ROBOTS_CAP,
                self.config.request_timeout,
                &mut bytes,
            )
            .await
        {
            Ok(got) => (
                RobotsRules::parse(&String::from_utf8_lossy(&got.body), &self.robots_agent),
                true,
            ),
            Err(FetchError::Http { status, .. }) if status >= 500 => (RobotsRules::disallow_all(), false),
            Err(e) => {
                tracing::debug!(%robots_url, error = %e, "no usable robots.txt; allowing all");
                let answered =
                    matches!(e, FetchError::Http { status, .. } if (400..500).contains(&status) && status != 429);
                (RobotsRules::allow_all(), answered)
            }
        }
    }

    /// The politeness key of a URL's host: host and port.
    fn host_key(url: &Url) -> String {
        format!(
            "{}:{}",
            url.host_str().unwrap_or(""),
            url.port_or_known_default().unwrap_or(0)
        )
    }

    /// The Crawl-delay of the URL's origin, as its cached robots.txt says (capped), if it was read.
    fn crawl_delay(&self, url: &Url) -> Duration {
        let slot = self
            .robots
            .lock()
            .expect("robots cache lock")
            .get(&url.origin().ascii_serialization());
        slot.and_then(|slot| {
            slot.try_lock()
                .ok()
                .and_then(|c| c.as_ref().and_then(|(_, rules)| rules.crawl_delay))
        })
        .map_or(Duration::ZERO, |d| d.min(self.config.max_crawl_delay))
    }

    /// Waits for a turn at the URL's host: a free slot of its concurrency, the minimum gap (or Crawl-delay) since the
    /// last start, and the end of any Retry-After pause. A pause longer than `max_retry_wait` fails at once.
    async fn acquire(&self, url: &Url) -> Result<HeldTurn, FetchError> {
        let host = Inner::host_key(url);
        let rule = TurnRule {
            concurrency: self.config.per_host_concurrency.max(1),
            gap: self.config.per_host_gap.max(self.crawl_delay(url)),
            max_wait: self.config.max_retry_wait,
        };
        match self.turns.claim(&host, rule).await {
            Ok(id) => Ok(HeldTurn {
                turns: self.turns.clone(),
                host,
                id,
            }),
            Err(paused) => Err(FetchError::HostPaused {
                host: url.host_str().unwrap_or("").to_string(),
                wait: paused.wait,
            }),
        }
    }

    async fn pause_host(&self, url: &Url, wait: Duration) {
        self.turns.pause(&Inner::host_key(url), wait).await;
    }

    /// One attempt after another until success, a permanent error, or the retries are spent.
    async fn get_with_retries(
        &self,
        url: &Url,
        headers: &HeaderMap,
        cap: usize,
        attempts: &mut Vec<Attempt>,
    ) -> Result<Got, FetchError> {
        let mut n = 0;
        let mut budget_left = self.config.fetch_budget;
        loop {
            let started_at = Utc::now();
            let t0 = std::time::Instant::now();
            let mut bytes = 0;
            let timeout = self.config.request_timeout.min(budget_left);
            let result = self.get_once(url, headers, cap, timeout, &mut bytes).await;
            budget_left = budget_left.saturating_sub(t0.elapsed());
            attempts.push(Attempt {
                started_at,
                url: url.to_string(),
                status: match &result {
                    Ok(got) => Some(got.status),
                    Err(e) => e.status(),
                },
                bytes,
                duration_ms: t0.elapsed().as_millis() as u64,
                error: result.as_ref().err().map(ToString::to_string),
            });
            let err = match result {
                Ok(got) => return Ok(got),
                Err(e) => e,
            };
            // A body still trickling in when time ran out: retrying at once would only hold the run as long again.
            let trickled = matches!(err, FetchError::Timeout { .. }) && bytes > 0;
            if !err.is_transient() || n >= self.config.retries || trickled {
                return Err(err);
            }
            let mut wait = backoff(self.config.retry_base_delay, n);
            if let Some(ra) = err.retry_after() {
                if ra > self.config.max_retry_wait {
                    return Err(err);
                }
                wait = wait.max(ra);
            }
            // Too little of the fetch's budget left for the wait and a real attempt.
            if budget_left < wait + self.config.connect_timeout {
                return Err(err);
            }
            budget_left -= wait;
            tracing::debug!(%url, error = %err, ?wait, "transient failure; retrying");
            tokio::time::sleep(wait).await;
            n += 1;
        }
    }

    /// One GET, following redirects by hand (to detect loops, count hops and see whether all were permanent).
    /// `timeout` bounds the whole chain and the body; the politeness waits do not count.
    async fn get_once(
        &self,
        start: &Url,
        headers: &HeaderMap,
        cap: usize,
        timeout: Duration,
        bytes: &mut u64,
    ) -> Result<Got, FetchError> {
        let mut url = start.clone();
        let mut visited: HashSet<String> = HashSet::new();
        visited.insert(url.to_string());
        let mut hops = 0;
        let mut all_permanent = true;
        // The timeout covers the whole chain of redirects and the body, but not the politeness waits.
        let mut deadline = Instant::now() + timeout;
        loop {
            let waiting = Instant::now();
            let _turn = self.acquire(&url).await?;
            deadline += waiting.elapsed();
            let request = self.client.get(url.clone()).headers(headers.clone()).send();
            let mut response = match tokio::time::timeout_at(deadline, request).await {
                Err(_) => return Err(FetchError::Timeout { after: timeout }),
                Ok(Err(e)) if e.is_timeout() => return Err(FetchError::Timeout { after: timeout }),
                Ok(Err(e)) => return Err(FetchError::from_reqwest(&e)),
                Ok(Ok(r)) => r,
            };
            let status = response.status().as_u16();
            if matches!(status, 301 | 302 | 303 | 307 | 308) {
                let location = response
                    .headers()
                    .get(header::LOCATION)
                    // Raw UTF-8 in Location happens; joining percent-encodes it.
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                    .and_then(|l| url.join(l.trim()).ok())
                    .filter(|u| matches!(u.scheme(), "http" | "https"))
                    .ok_or(FetchError::BadRedirect { status })?;
                hops += 1;
                if hops > self.config.max_redirects {
                    return Err(FetchError::TooManyRedirects {
                        max: self.config.max_redirects,
                    });
                }
                if !visited.insert(location.to_string()) {
                    return Err(FetchError::RedirectLoop {
                        url: location.to_string(),
                    });
                }
                all_permanent &= matches!(status, 301 | 308);
                tracing::debug!(from = %url, to = %location, status, "redirect");
                url = location;
                continue;
            }
            if is_bot_challenge(status, response.headers()) {
                return Err(FetchError::BotChallenge { status });
            }
            if matches!(status, 429 | 503) {
                let retry_after = response.headers().get(header::RETRY_AFTER).and_then(parse_retry_after);
                if let Some(wait) = retry_after {
                    self.pause_host(&url, wait).await;
                }
                return Err(FetchError::Http { status, retry_after });
            }
            if status == 304 || (200..300).contains(&status) {
                let body = if status == 304 {
                    Vec::new()
                } else {
                    match tokio::time::timeout_at(
                        deadline,
                        body::read_capped(&mut response, cap, self.config.stall_timeout, bytes),
                    )
                    .await
                    {
                        Ok(r) => r?,
                        Err(_) => return Err(FetchError::Timeout { after: timeout }),
                    }
                };
                return Ok(Got {
                    final_url: url,
                    moved_permanently: hops > 0 && all_permanent,
                    status,
                    headers: response.headers().clone(),
                    body,
                });
            }
            return Err(FetchError::Http {
                status,
                retry_after: None,
            });
        }
    }
}

/// How long cached robots.txt rules hold: the configured TTL, at most 10 minutes for a server-error stand-in.
fn robots_ttl(config: &FetchConfig, rules: &RobotsRules) -> Duration {
    if rules.is_unavailable() {
        config.robots_ttl.min(Duration::from_secs(600))
    } else {
        config.robots_ttl
    }
}

/// A bot-challenge interstitial (Cloudflare and the like) rather than a real error: retrying will not help.
fn is_bot_challenge(status: u16, headers: &HeaderMap) -> bool {
    if headers
        .get("cf-mitigated")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("challenge"))
    {
        return true;
    }
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("html"));
    let server = headers
        .get(header::SERVER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(status, 403 | 503) && html && (server.contains("cloudflare") || server.contains("ddos-guard"))
}

fn classify(source: &str) -> Result<Source, FetchError> {
    let s = source.trim();
    if s.is_empty() {
        return Err(FetchError::InvalidSource(source.to_string()));
    }
    // feed://, feed:https://, itpc:// and pcast:// are old ways of saying "this is a feed".
    let rewritten;
    let s = match s.split_once(':') {
        Some((scheme, rest))
            if ["feed", "itpc", "pcast", "rss"]
                .iter()
                .any(|p| scheme.eq_ignore_ascii_case(p)) =>
        {
            rewritten = if rest.starts_with("//") {
                format!("http:{rest}")
            } else {
                rest.to_string()
            };
            rewritten.as_str()
        }
        _ => s,
    };
    match Url::parse(s) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {
            if u.host_str().is_none_or(str::is_empty) {
                return Err(FetchError::InvalidSource(source.to_string()));
            }
            Ok(Source::Http(u))
        }
        Ok(u) if u.scheme() == "file" => u
            .to_file_path()
            .map(Source::File)
            .map_err(|_| FetchError::InvalidSource(source.to_string())),
        // "C:\feeds\x.xml" parses with the scheme "c": a path.
        Ok(u) if u.scheme().len() > 1 => Err(FetchError::UnsupportedScheme(u.scheme().to_string())),
        _ => Ok(Source::File(std::path::PathBuf::from(s))),
    }
}

/// Transcodes a body to UTF-8; large ones on the blocking pool, so a statistical guess over megabytes does not stall
/// the runtime.
async fn decode_off_thread(bytes: Vec<u8>, content_type: Option<String>) -> Result<String, FetchError> {
    if bytes.len() < 256 * 1024 {
        return Ok(charset::decode(&bytes, content_type.as_deref()));
    }
    tokio::task::spawn_blocking(move || charset::decode(&bytes, content_type.as_deref()))
        .await
        .map_err(|e| FetchError::Decode(format!("charset decoding crashed: {e}")))
}

async fn parse_off_thread(
    bytes: Vec<u8>,
    content_type: Option<String>,
    base: Option<Url>,
) -> Result<parse::ParsedFeed, FetchError> {
    tokio::task::spawn_blocking(move || {
        let text = charset::decode(&bytes, content_type.as_deref());
        parse::parse_feed(&text, base.as_ref())
    })
    .await
    .map_err(|e| FetchError::Parse(format!("parser crashed: {e}")))?
}

fn kind_of(text: &str) -> FeedKind {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('{') {
        FeedKind::Json
    } else if t.contains("<feed") && t.contains("http://www.w3.org/2005/Atom") {
        FeedKind::Atom
    } else {
        FeedKind::Rss
    }
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The longest pause a `Retry-After` can ask for: a host's answer must not stop its fetching for good (on PostgreSQL
/// the pause is shared by every daemon and outlives their restarts).
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(7 * 86_400);

/// `Retry-After`: delay in seconds, or an HTTP date; at most [`MAX_RETRY_AFTER`] either way.
pub(crate) fn parse_retry_after(value: &HeaderValue) -> Option<Duration> {
    let s = value.to_str().ok()?.trim();
    let wait = match s.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => httpdate::parse_http_date(s)
            .ok()?
            .duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// Cache-Control max-age, else Expires minus Date (or now).
fn caching_interval(headers: &HeaderMap) -> Option<Duration> {
    if let Some(cc) = header_str(headers, header::CACHE_CONTROL) {
        for directive in cc.split(',') {
            if let Some((k, v)) = directive.split_once('=') {
                if k.trim().eq_ignore_ascii_case("max-age") {
                    if let Ok(secs) = v.trim().trim_matches('"').parse::<u64>() {
                        return Some(Duration::from_secs(secs));
                    }
                }
            }
        }
    }
    let expires = httpdate::parse_http_date(&header_str(headers, header::EXPIRES)?).ok()?;
    let now = header_str(headers, header::DATE)
        .and_then(|d| httpdate::parse_http_date(&d).ok())
        .unwrap_or_else(std::time::SystemTime::now);
    expires.duration_since(now).ok()
}

/// Exponential back-off with ±25 % jitter, capped at a minute.
fn backoff(base: Duration, n: u32) -> Duration {
    let exp = base.saturating_mul(1u32 << n.min(16));
    let jitter = 0.75 + fastrand::f64() * 0.5;
    exp.mul_f64(jitter).min(Duration::from_secs(60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_hosts_are_forgotten_once_the_map_grows() {
        let mut m: Forgetful<u32> = Forgetful::default();
        for i in 0..FORGET_ABOVE as u32 {
            m.get_or_insert(format!("h{i}"), || i, |_| true);
        }
        assert_eq!(m.len(), FORGET_ABOVE);
        // The next new host prunes: only the busy (here: even) entries stay.
        assert_eq!(m.get_or_insert("new".into(), || 7, |v| v % 2 == 0), 7);
        assert_eq!(m.len(), FORGET_ABOVE / 2 + 1);
        // Known keys are returned as they are, without pruning.
        assert_eq!(m.get_or_insert("h2".into(), || 99, |_| false), 2);
        assert_eq!(m.len(), FORGET_ABOVE / 2 + 1);
    }

    #[test]
    fn classifies_sources() {
        assert!(matches!(classify("https://example.com/feed"), Ok(Source::Http(_))));
        assert!(matches!(classify("file:///tmp/x.xml"), Ok(Source::File(_))));
        assert!(matches!(classify("feeds/x.xml"), Ok(Source::File(_))));
        assert!(matches!(classify("ftp://x/y"), Err(FetchError::UnsupportedScheme(_))));
        for (pseudo, real) in [
            ("feed://example.com/rss", "http://example.com/rss"),
            ("feed:https://example.com/rss", "https://example.com/rss"),
            ("itpc://example.com/pod.xml", "http://example.com/pod.xml"),
        ] {
            match classify(pseudo) {
                Ok(Source::Http(u)) => assert_eq!(u.as_str(), real),
                _ => panic!("{pseudo}"),
            }
        }
        assert!(matches!(classify(""), Err(FetchError::InvalidSource(_))));
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(
            parse_retry_after(&HeaderValue::from_static("120")),
            Some(Duration::from_secs(120))
        );
        let later = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(30));
        let d = parse_retry_after(&HeaderValue::from_str(&later).unwrap()).unwrap();
        assert!(d <= Duration::from_secs(30) && d >= Duration::from_secs(28));
        assert_eq!(parse_retry_after(&HeaderValue::from_static("soon")), None);
        // A host cannot stop its fetching for good, in either form.
        for far in ["99999999999", "Fri, 31 Dec 9999 23:59:59 GMT"] {
            assert_eq!(
                parse_retry_after(&HeaderValue::from_static(far)),
                Some(MAX_RETRY_AFTER),
                "{far}"
            );
        }
    }

    #[test]
    fn caching_headers() {
        let mut h = HeaderMap::new();
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=600"));
        assert_eq!(caching_interval(&h), Some(Duration::from_secs(600)));
        let mut h = HeaderMap::new();
        h.insert(header::DATE, HeaderValue::from_static("Fri, 03 Dec 2021 21:00:00 GMT"));
        h.insert(
            header::EXPIRES,
            HeaderValue::from_static("Fri, 03 Dec 2021 22:00:00 GMT"),
        );
        assert_eq!(caching_interval(&h), Some(Duration::from_secs(3600)));
    }

    #[test]
    fn backoff_grows() {
        let b = Duration::from_millis(100);
        assert!(backoff(b, 0) <= Duration::from_millis(125));
        assert!(backoff(b, 3) >= Duration::from_millis(600));
        assert!(backoff(b, 30) <= Duration::from_secs(60));
    }
}
