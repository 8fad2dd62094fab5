//! Gazette's ingest, as a library: feed -> items -> page -> article -> entities -> store.
//!
//! - [`pipeline`]: the stages joined by bounded channels (fetch and record a feed, download pages, extract and tag,
//!   store in batches), and a feed's progress point, saved only after its articles commit.
//! - [`schedule`]: the scheduling policy (when a feed is checked next, back-off, disabling, stale validators).
//! - [`article`]: article assembly (a page through the extractor and the tagger; the feed item merged with the page).
//! - [`places`]: place mentions resolved to GeoNames entries, and demonyms (issue 19).
//! - [`daemon`]: the daemon's loop (looks at the schedule, overlapping cycles, daily history pruning, [`history`]).
//! - [`reprocess`]: re-extraction of stored pages.
//! - [`turns`]: the fetcher for an archive, its per-host politeness shared through PostgreSQL by every daemon.
//! - [`config`]: the typed configuration (each key, its default and its doc in one place).
//! - [`metrics`]: the counters the stages update, and the `/metrics` and `/healthz` responder.
//!
//! The library logs (tracing) and returns typed errors; it never prints. The `gazette` binary parses arguments,
//! prints, and handles signals.

pub mod article;
pub mod config;
pub mod daemon;
pub mod history;
pub mod metrics;
pub mod pipeline;
pub mod places;
pub mod reprocess;
pub mod schedule;
pub mod turns;

pub use config::Config;

/// Errors of the ingest library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] gazette_store::StoreError),
    #[error(transparent)]
    Fetch(#[from] gazette_fetch::FetchError),
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error("listening on {0} for /metrics: {1}")]
    Listen(std::net::SocketAddr, std::io::Error),
}

/// Resolves once a stop was asked for (at once if it already was). Never resolves if the sender is gone without one.
pub async fn stopped(rx: &mut tokio::sync::watch::Receiver<bool>) {
    loop {
        if *rx.borrow_and_update() {
            return;
        }
        if rx.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Sleeps until `deadline`, or forever without one (for `select!` arms that only sometimes have a deadline).
pub async fn sleep_until_opt(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}
