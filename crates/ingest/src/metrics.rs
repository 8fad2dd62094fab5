//! Counters the pipeline updates, rendered in the Prometheus text format, and the optional listener serving them.
//!
//! The listener is a tiny HTTP/1.1 responder on tokio's `TcpListener` (GET /metrics, GET /healthz, one request per
//! connection): enough for a scraper or a health check, without an HTTP server stack.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Upper bounds of the duration histograms, in seconds.
const BUCKETS: [f64; 11] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

/// A duration histogram with Prometheus's cumulative buckets.
#[derive(Default)]
pub struct Histogram {
    counts: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    pub fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            self.counts[i].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add(d.as_micros() as u64, Ordering::Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        let mut cumulative = 0;
        for (b, c) in BUCKETS.iter().zip(&self.counts) {
            cumulative += c.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{b}\"}} {cumulative}");
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum {sum}\n{name}_count {count}");
    }
}

/// The pipeline's queues, for depth gauges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Queue {
    /// Feeds the daemon took from the schedule, not yet handed to the pipeline.
    Due,
    Feeds,
    Pages,
    Extract,
    Store,
}

impl Queue {
    const ALL: [Queue; 5] = [Queue::Due, Queue::Feeds, Queue::Pages, Queue::Extract, Queue::Store];

    fn name(self) -> &'static str {
        match self {
            Queue::Due => "due",
            Queue::Feeds => "feeds",
            Queue::Pages => "pages",
            Queue::Extract => "extract",
            Queue::Store => "store",
        }
    }
}

/// Everything `/metrics` reports. Shared by the pipeline's stages; every update is a relaxed atomic.
pub struct Metrics {
    started: Instant,
    pub feeds_total: AtomicU64,
    pub feeds_due: AtomicU64,
    pub feeds_erroring: AtomicU64,
    pub feeds_disabled: AtomicU64,
    fetches: Mutex<BTreeMap<String, u64>>,
    pub pages_fetched: AtomicU64,
    pub page_errors: AtomicU64,
    pub articles_stored: AtomicU64,
    pub duplicates: AtomicU64,
    pub cycles: AtomicU64,
    pub extraction: Histogram,
    pub tagging: Histogram,
    /// Resolving an article's places (issue 19).
    pub places: Histogram,
    /// Writer time per stored article (its share of a batch's transaction time).
    pub storing: Histogram,
    queues: [AtomicI64; 5],
    /// Seconds after `started` of the daemon's last successful look at the schedule (for /healthz).
    schedule_read: AtomicU64,
}

/// /healthz fails when the daemon has not managed to read its schedule for this long (it looks at least every
/// minute): the database is locked, full or gone, and nothing is being fetched.
const STALE_SCHEDULE: Duration = Duration::from_secs(300);

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            started: Instant::now(),
            feeds_total: AtomicU64::new(0),
            feeds_due: AtomicU64::new(0),
            feeds_erroring: AtomicU64::new(0),
            feeds_disabled: AtomicU64::new(0),
            fetches: Mutex::new(BTreeMap::new()),
            pages_fetched: AtomicU64::new(0),
            page_errors: AtomicU64::new(0),
            articles_stored: AtomicU64::new(0),
            duplicates: AtomicU64::new(0),
            cycles: AtomicU64::new(0),
            extraction: Histogram::default(),
            tagging: Histogram::default(),
            places: Histogram::default(),
            storing: Histogram::default(),
            queues: Default::default(),
            schedule_read: AtomicU64::new(0),
        }
    }
}

impl Metrics {
    /// Counts a feed fetch attempt by its HTTP status ("error" when no response arrived, "file" for local files).
    pub fn fetch(&self, status: Option<u16>, failed: bool) {
        let label = match status {
            Some(s) => s.to_string(),
            None if failed => "error".to_string(),
            None => "file".to_string(),
        };
        *self.fetches.lock().expect("metrics lock").entry(label).or_default() += 1;
    }

    pub fn queued(&self, q: Queue) {
        self.queues[q as usize].fetch_add(1, Ordering::Relaxed);
    }

    pub fn dequeued(&self, q: Queue) {
        self.queues[q as usize].fetch_sub(1, Ordering::Relaxed);
    }

    /// The daemon read its schedule.
    pub fn schedule_read(&self) {
        self.schedule_read
            .store(self.started.elapsed().as_secs(), Ordering::Relaxed);
    }

    /// `Err(why)` when the daemon is stuck: it has not read its schedule for [`STALE_SCHEDULE`].
    pub fn health(&self) -> Result<(), String> {
        let since = self
            .started
            .elapsed()
            .as_secs()
            .saturating_sub(self.schedule_read.load(Ordering::Relaxed));
        if since > STALE_SCHEDULE.as_secs() {
            Err(format!("the schedule could not be read for {since} s (see the log)"))
        } else {
            Ok(())
        }
    }

    pub fn set_feed_counts(&self, c: gazette_store::FeedCounts) {
        self.feeds_total.store(c.total, Ordering::Relaxed);
        self.feeds_due.store(c.due, Ordering::Relaxed);
        self.feeds_erroring.store(c.erroring, Ordering::Relaxed);
        self.feeds_disabled.store(c.disabled, Ordering::Relaxed);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let gauge = |out: &mut String, name: &str, help: &str, v: u64| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
        };
        let counter = |out: &mut String, name: &str, help: &str, v: u64| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
        };
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        gauge(&mut out, "gazette_feeds", "Subscribed feeds.", load(&self.feeds_total));
        gauge(
            &mut out,
            "gazette_feeds_due",
            "Enabled feeds due for a check.",
            load(&self.feeds_due),
        );
        gauge(
            &mut out,
            "gazette_feeds_erroring",
            "Enabled feeds whose last fetch failed.",
            load(&self.feeds_erroring),
        );
        gauge(
            &mut out,
            "gazette_feeds_disabled",
            "Disabled feeds.",
            load(&self.feeds_disabled),
        );
        let _ = writeln!(
            out,
            "# HELP gazette_feed_fetches_total Feed fetch attempts by HTTP status.\n\
             # TYPE gazette_feed_fetches_total counter"
        );
        for (status, n) in self.fetches.lock().expect("metrics lock").iter() {
            let _ = writeln!(out, "gazette_feed_fetches_total{{status=\"{status}\"}} {n}");
        }
        counter(
            &mut out,
            "gazette_pages_fetched_total",
            "Article pages downloaded.",
            load(&self.pages_fetched),
        );
        counter(
            &mut out,
            "gazette_page_errors_total",
            "Article pages that could not be fetched or extracted.",
            load(&self.page_errors),
        );
        counter(
            &mut out,
            "gazette_articles_stored_total",
            "New articles stored.",
            load(&self.articles_stored),
        );
        counter(
            &mut out,
            "gazette_duplicates_total",
            "Feed items already stored (or deleted by the user).",
            load(&self.duplicates),
        );
        counter(
            &mut out,
            "gazette_cycles_total",
            "Scheduling cycles completed.",
            load(&self.cycles),
        );
        self.extraction
            .render(&mut out, "gazette_extraction_seconds", "Time to extract one page.");
        self.tagging.render(
            &mut out,
            "gazette_tagging_seconds",
            "Time to tag one article's entities and quotes.",
        );
        self.places.render(
            &mut out,
            "gazette_places_seconds",
            "Time to resolve one article's place mentions to GeoNames entries.",
        );
        self.storing.render(
            &mut out,
            "gazette_store_seconds",
            "Database time to store one article with its mentions and quotes.",
        );
        let _ = writeln!(
            out,
            "# HELP gazette_queue_depth Items waiting between pipeline stages.\n# TYPE gazette_queue_depth gauge"
        );
        for q in Queue::ALL {
            let depth = self.queues[q as usize].load(Ordering::Relaxed).max(0);
            let _ = writeln!(out, "gazette_queue_depth{{queue=\"{}\"}} {depth}", q.name());
        }
        gauge(
            &mut out,
            "gazette_uptime_seconds",
            "Seconds since the process started.",
            self.started.elapsed().as_secs(),
        );
        out
    }
}

/// Binds the metrics listener (so a bad address fails at start-up) and serves it until the task is dropped.
pub async fn serve(addr: SocketAddr, metrics: Arc<Metrics>) -> std::io::Result<tokio::task::JoinHandle<()>> {
    if !addr.ip().is_loopback() {
        tracing::warn!(address = %addr, "the metrics listener is reachable from other machines (not a loopback address)");
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(address = %listener.local_addr()?, "serving /metrics and /healthz");
    Ok(tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            let metrics = metrics.clone();
            tokio::spawn(async move {
                let _ = tokio::time::timeout(Duration::from_secs(10), respond(stream, &metrics)).await;
            });
        }
    }))
}

async fn respond(mut stream: tokio::net::TcpStream, metrics: &Metrics) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await?;
        if n == 0 || buf.len() > 16 * 1024 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf);
    let mut first = head.lines().next().unwrap_or("").split_whitespace();
    let method = first.next().unwrap_or("");
    let path = first.next().unwrap_or("").split('?').next().unwrap_or("");
    let (status, content_type, body) = match (method, path) {
        ("GET" | "HEAD", "/metrics") => ("200 OK", "text/plain; version=0.0.4; charset=utf-8", metrics.render()),
        ("GET" | "HEAD", "/healthz") => match metrics.health() {
            Ok(()) => ("200 OK", "text/plain; charset=utf-8", "ok\n".to_string()),
            Err(why) => (
                "503 Service Unavailable",
                "text/plain; charset=utf-8",
                format!("{why}\n"),
            ),
        },
        ("GET" | "HEAD", _) => ("404 Not Found", "text/plain; charset=utf-8", "not found\n".to_string()),
        _ => (
            "405 Method Not Allowed",
            "text/plain; charset=utf-8",
            "method not allowed\n".to_string(),
        ),
    };
    let mut response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    if method != "HEAD" {
        response.push_str(&body);
    }
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text() {
        let m = Metrics::default();
        m.fetch(Some(200), false);
        m.fetch(Some(200), false);
        m.fetch(None, true);
        m.extraction.observe(Duration::from_millis(3));
        m.queued(Queue::Pages);
        let text = m.render();
        assert!(text.contains("gazette_feed_fetches_total{status=\"200\"} 2"), "{text}");
        assert!(
            text.contains("gazette_feed_fetches_total{status=\"error\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("gazette_extraction_seconds_bucket{le=\"0.005\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("gazette_extraction_seconds_bucket{le=\"0.0025\"} 0"),
            "{text}"
        );
        assert!(text.contains("gazette_extraction_seconds_count 1"), "{text}");
        assert!(text.contains("gazette_queue_depth{queue=\"pages\"} 1"), "{text}");
        // Every sample line is "name{labels} value" or "name value".
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let value = line.rsplit(' ').next().unwrap();
            assert!(value.parse::<f64>().is_ok(), "bad sample line {line:?}");
        }
    }

    #[tokio::test]
    async fn serves_metrics_and_healthz() {
        let metrics = Arc::new(Metrics::default());
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = probe.local_addr().unwrap();
        drop(probe);
        let task = serve(addr, metrics).await.unwrap();
        let get = |path: &'static str| async move {
            let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
            s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
                .await
                .unwrap();
            let mut out = String::new();
            s.read_to_string(&mut out).await.unwrap();
            out
        };
        let health = get("/healthz").await;
        assert!(
            health.starts_with("HTTP/1.1 200") && health.ends_with("ok\n"),
            "{health}"
        );
        let metrics = get("/metrics").await;
        assert!(metrics.contains("gazette_feeds "), "{metrics}");
        assert!(get("/nope").await.starts_with("HTTP/1.1 404"));
        task.abort();
    }

    #[test]
    fn health_fails_when_the_schedule_has_not_been_read_for_long() {
        let Some(long_ago) = Instant::now().checked_sub(STALE_SCHEDULE + Duration::from_secs(60)) else {
            return; // a machine up for less than six minutes cannot have started that long ago
        };
        let m = Metrics {
            started: long_ago,
            ..Metrics::default()
        };
        let why = m.health().unwrap_err();
        assert!(why.contains("schedule"), "{why}");
        m.schedule_read();
        assert_eq!(m.health(), Ok(()));
    }
}
