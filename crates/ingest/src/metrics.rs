//! Counters the pipeline updates, exposed in the Prometheus text format by `prometheus-client`, and the optional
//! listener serving them (axum): `GET /metrics`, `GET /healthz`, and whatever other routes the caller adds (the web
//! view, with `gazette daemon --serve`).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// Upper bounds of the duration histograms, in seconds.
const BUCKETS: [f64; 11] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

/// A duration histogram (seconds, Prometheus's cumulative buckets).
#[derive(Clone)]
pub struct Histogram(prometheus_client::metrics::histogram::Histogram);

impl Default for Histogram {
    fn default() -> Self {
        Histogram(prometheus_client::metrics::histogram::Histogram::new(BUCKETS))
    }
}

impl Histogram {
    pub fn observe(&self, d: Duration) {
        self.0.observe(d.as_secs_f64());
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

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabel {
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QueueLabel {
    queue: &'static str,
}

/// Everything `/metrics` reports. Shared by the pipeline's stages; every update is a relaxed atomic.
pub struct Metrics {
    started: Instant,
    registry: Registry,
    pub feeds_total: Gauge,
    pub feeds_due: Gauge,
    pub feeds_erroring: Gauge,
    pub feeds_disabled: Gauge,
    fetches: Family<StatusLabel, Counter>,
    pub pages_fetched: Counter,
    pub page_errors: Counter,
    pub articles_stored: Counter,
    pub duplicates: Counter,
    pub cycles: Counter,
    pub extraction: Histogram,
    pub tagging: Histogram,
    /// Resolving an article's places (issue 19).
    pub places: Histogram,
    /// Writer time per stored article (its share of a batch's transaction time).
    pub storing: Histogram,
    queues: Family<QueueLabel, Gauge>,
    uptime: Gauge,
    /// Seconds after `started` of the daemon's last successful look at the schedule (for /healthz).
    schedule_read: AtomicU64,
}

/// /healthz fails when the daemon has not managed to read its schedule for this long (it looks at least every
/// minute): the database is locked, full or gone, and nothing is being fetched.
const STALE_SCHEDULE: Duration = Duration::from_secs(300);

impl Default for Metrics {
    fn default() -> Self {
        let mut m = Metrics {
            started: Instant::now(),
            registry: Registry::default(),
            feeds_total: Gauge::default(),
            feeds_due: Gauge::default(),
            feeds_erroring: Gauge::default(),
            feeds_disabled: Gauge::default(),
            fetches: Family::default(),
            pages_fetched: Counter::default(),
            page_errors: Counter::default(),
            articles_stored: Counter::default(),
            duplicates: Counter::default(),
            cycles: Counter::default(),
            extraction: Histogram::default(),
            tagging: Histogram::default(),
            places: Histogram::default(),
            storing: Histogram::default(),
            queues: Family::default(),
            uptime: Gauge::default(),
            schedule_read: AtomicU64::new(0),
        };
        // Every queue is reported, empty ones too.
        for q in Queue::ALL {
            let _ = m.queues.get_or_create(&QueueLabel { queue: q.name() });
        }
        // The registry holds clones that share the values above. (prometheus-client adds `_total` to counters and
        // a full stop to each help text.)
        let r = &mut m.registry;
        r.register("gazette_feeds", "Subscribed feeds", m.feeds_total.clone());
        r.register(
            "gazette_feeds_due",
            "Enabled feeds due for a check",
            m.feeds_due.clone(),
        );
        r.register(
            "gazette_feeds_erroring",
            "Enabled feeds whose last fetch failed",
            m.feeds_erroring.clone(),
        );
        r.register("gazette_feeds_disabled", "Disabled feeds", m.feeds_disabled.clone());
        r.register(
            "gazette_feed_fetches",
            "Feed fetch attempts by HTTP status",
            m.fetches.clone(),
        );
        r.register(
            "gazette_pages_fetched",
            "Article pages downloaded",
            m.pages_fetched.clone(),
        );
        r.register(
            "gazette_page_errors",
            "Article pages that could not be fetched or extracted",
            m.page_errors.clone(),
        );
        r.register(
            "gazette_articles_stored",
            "New articles stored",
            m.articles_stored.clone(),
        );
        r.register(
            "gazette_duplicates",
            "Feed items already stored (or deleted by the user)",
            m.duplicates.clone(),
        );
        r.register("gazette_cycles", "Scheduling cycles completed", m.cycles.clone());
        r.register(
            "gazette_extraction_seconds",
            "Time to extract one page",
            m.extraction.0.clone(),
        );
        r.register(
            "gazette_tagging_seconds",
            "Time to tag one article's entities and quotes",
            m.tagging.0.clone(),
        );
        r.register(
            "gazette_places_seconds",
            "Time to resolve one article's place mentions to GeoNames entries",
            m.places.0.clone(),
        );
        r.register(
            "gazette_store_seconds",
            "Database time to store one article with its mentions and quotes",
            m.storing.0.clone(),
        );
        r.register(
            "gazette_queue_depth",
            "Items waiting between pipeline stages",
            m.queues.clone(),
        );
        r.register(
            "gazette_uptime_seconds",
            "Seconds since the process started",
            m.uptime.clone(),
        );
        m
    }
}

impl Metrics {
    /// Counts a feed fetch attempt by its HTTP status ("error" when no response arrived, "file" for local files).
    pub fn fetch(&self, status: Option<u16>, failed: bool) {
        let status = match status {
            Some(s) => s.to_string(),
            None if failed => "error".to_string(),
            None => "file".to_string(),
        };
        self.fetches.get_or_create(&StatusLabel { status }).inc();
    }

    pub fn queued(&self, q: Queue) {
        self.queues.get_or_create(&QueueLabel { queue: q.name() }).inc();
    }

    pub fn dequeued(&self, q: Queue) {
        self.queues.get_or_create(&QueueLabel { queue: q.name() }).dec();
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
        let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        self.feeds_total.set(n(c.total));
        self.feeds_due.set(n(c.due));
        self.feeds_erroring.set(n(c.erroring));
        self.feeds_disabled.set(n(c.disabled));
    }

    /// The exposition (OpenMetrics text, which Prometheus reads).
    pub fn render(&self) -> String {
        self.uptime
            .set(i64::try_from(self.started.elapsed().as_secs()).unwrap_or(i64::MAX));
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("encoding into a String cannot fail");
        out
    }
}

/// `GET /metrics` and `GET /healthz`.
pub fn routes(metrics: Arc<Metrics>) -> Router {
    let health = metrics.clone();
    Router::new()
        .route(
            "/metrics",
            get(move || async move {
                let mut res = metrics.render().into_response();
                res.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
                );
                res
            }),
        )
        .route(
            "/healthz",
            get(move || async move {
                match health.health() {
                    Ok(()) => (StatusCode::OK, "ok\n".to_string()).into_response(),
                    Err(why) => (StatusCode::SERVICE_UNAVAILABLE, format!("{why}\n")).into_response(),
                }
            }),
        )
}

/// Binds the listener (so a bad address fails at start-up) and serves the metrics routes, merged with `more`,
/// until the task is dropped.
pub async fn serve(
    addr: SocketAddr,
    metrics: Arc<Metrics>,
    more: Option<Router>,
) -> std::io::Result<tokio::task::JoinHandle<()>> {
    if !addr.ip().is_loopback() {
        tracing::warn!(address = %addr, "the metrics listener is reachable from other machines (not a loopback address)");
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let web = more.is_some();
    let mut app = routes(metrics);
    if let Some(more) = more {
        app = app.merge(more);
    }
    tracing::info!(address = %listener.local_addr()?, web, "serving /metrics and /healthz");
    Ok(tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the metrics listener stopped");
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

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
        assert!(text.contains("# TYPE gazette_feeds gauge\ngazette_feeds 0"), "{text}");
        assert!(text.contains("gazette_articles_stored_total 0"), "{text}");
        assert!(text.contains("gazette_queue_depth{queue=\"due\"} 0"), "{text}");
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
        let task = serve(addr, metrics, None).await.unwrap();
        let get = |path: &'static str| async move {
            let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
            s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())
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
