//! One module per subcommand.

pub mod config;
pub mod copy;
pub mod daemon;
pub mod dates;
pub mod eval_dates;
pub mod eval_extract;
pub mod eval_ner;
pub mod eval_places;
pub mod eval_stories;
pub mod eval_titles;
pub mod export;
pub mod extract;
pub mod feeds;
pub mod ingest;
pub mod query;
pub mod reprocess;
pub mod search;
pub mod serve;
pub mod stats;
pub mod stories;
pub mod train_ner;

use std::future::Future;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use gazette_ingest::Config;
use gazette_store::{Archive, Location, Store};

/// Runs `job` on a multi-threaded runtime beside the store, then shuts both down in the order that loses nothing:
/// tasks still holding the store (after an interrupted run) are dropped with the runtime (each write is a
/// transaction, so nothing is half written), then the store finishes its queue and checkpoints.
pub fn with_runtime_and_store<T, F, Fut>(config: &Config, job: F) -> Result<T>
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("gazette-async")
        .build()
        .context("starting the async runtime")?;
    let store = Store::open_worker(&config.db, config.feed_lease)
        .with_context(|| format!("opening database {}", config.db))?
        .with_story_config(config.stories());
    let result = runtime.block_on(job(store.clone()));
    runtime.shutdown_timeout(Duration::from_secs(1));
    store.close();
    result
}

/// Opens (creating a SQLite file if needed) the archive for writing.
pub fn open_store(db: &Location) -> Result<Store> {
    Store::open(db).with_context(|| format!("opening database {db}"))
}

/// Runs one future to completion on a small runtime (for the commands that make one or two calls).
pub fn block_on<F: Future>(f: F) -> Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    Ok(runtime.block_on(f))
}

/// Opens an existing database read-only, with a helpful error when there is none.
pub fn open_archive(db: &Location) -> Result<Archive> {
    if db.as_path().is_some_and(|p| !p.exists()) {
        bail!("no database at {db} (run `gazette ingest` first, or pass --db)");
    }
    Archive::open(db).with_context(|| format!("opening {db} read-only"))
}

/// Standard output, for a command's results. Writes to it return errors (a closed pipe among them) rather than
/// panic, as `print!` would.
pub fn stdout() -> Box<dyn std::io::Write> {
    Box::new(std::io::BufWriter::new(std::io::stdout().lock()))
}

/// Whether an error comes from writing to a reader that went away (`gazette query ... | head`).
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        let kind = cause
            .downcast_ref::<std::io::Error>()
            .map(|e| e.kind())
            .or_else(|| {
                cause
                    .downcast_ref::<gazette_store::StoreError>()
                    .and_then(|e| e.io_kind())
            })
            .or_else(|| match cause.downcast_ref::<csv::Error>().map(|e| e.kind()) {
                Some(csv::ErrorKind::Io(e)) => Some(e.kind()),
                _ => None,
            })
            .or_else(|| {
                cause
                    .downcast_ref::<serde_json::Error>()
                    .and_then(|e| e.io_error_kind())
            });
        kind == Some(std::io::ErrorKind::BrokenPipe)
    })
}
