//! The PostgreSQL backend (issue 16): many writers at once, on one machine or many.
//!
//! - [`Pool`], inside [`Store::Postgres`](crate::Store::Postgres): a few connections shared by the store's
//!   operations. Unlike SQLite there is no single writer: each operation takes a connection, runs its transaction and
//!   gives the connection back, so the writes of several tasks, processes and machines run side by side. Running
//!   totals are kept exact by the database (see migrations/postgres/0001_init.sql); a transaction that loses a
//!   deadlock or serialisation race is retried whole.
//! - [`Reader`], inside [`Archive::Postgres`](crate::Archive::Postgres): one connection and a small runtime of its
//!   own, for the blocking read side; every read runs in a READ ONLY transaction.
//! - Workers: [`due`] hands out due feeds with `FOR UPDATE SKIP LOCKED` and a lease (see
//!   migrations/postgres/0003_workers.sql), so several daemons share the feeds; [`turns`] hands out turns at hosts
//!   (migrations/postgres/0007_many_daemons.sql), so they share each host's politeness.
//!
//! Times go in and out as `timestamptz` (Gazette's are truncated to the second, as SQLite keeps them). Rows read for
//! reports and queries become [`Cell`](crate::Cell)s the same way SQLite's do, so an export is the same CSV byte for
//! byte: times as RFC 3339 text, days as `YYYY-MM-DD`, booleans as 0 and 1, jsonb as compact JSON.
//!
//! One module per table family, as in `sqlite/`: [`feeds`], [`due`], [`fetches`], [`page_retries`], [`tasks`],
//! [`articles`], [`stories`], [`places`]; the read side: [`reports`], [`query`], [`search`], [`stats`], [`views`]
//! (the web view's questions); and [`connect`] (URLs, passwords, TLS), [`schema`] (migrations), [`cells`] (values
//! as read).

pub(crate) mod articles;
pub(crate) mod cells;
pub mod connect;
pub mod copy;
pub(crate) mod due;
pub(crate) mod feeds;
pub(crate) mod fetches;
pub(crate) mod geo;
pub(crate) mod page_retries;
pub(crate) mod places;
pub(crate) mod query;
pub(crate) mod reports;
pub mod schema;
pub(crate) mod search;
pub(crate) mod stats;
pub(crate) mod stories;
pub(crate) mod tasks;
pub(crate) mod turns;
pub(crate) mod views;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use tokio::sync::{Semaphore, SemaphorePermit};
use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

pub use connect::PgUrl;

use crate::{Result, StoreError};

/// Connections one [`Pool`] opens at most.
const POOL_SIZE: usize = 8;
/// How long a worker holds the feeds it took before another may take them (see [`Pool::with_lease`]).
pub const DEFAULT_LEASE: Duration = Duration::from_secs(600);
/// How many times a transaction that lost a deadlock or serialisation race is tried again.
pub(crate) const RETRIES: usize = 8;

/// The write side's connections, inside [`Store::Postgres`](crate::Store::Postgres). Cheap to clone.
#[derive(Clone)]
pub struct Pool {
    inner: Arc<PoolInner>,
    /// How stories are decided when articles are written.
    stories: gazette_stories::Config,
}

struct PoolInner {
    url: PgUrl,
    idle: Mutex<Vec<Client>>,
    permits: Semaphore,
    /// This process's name in feed leases: host, process id and a random part.
    worker: String,
    lease: Duration,
}

/// A connection taken from the pool; it goes back when dropped (unless it was closed).
pub(crate) struct Conn<'a> {
    client: Option<Client>,
    pool: &'a PoolInner,
    _permit: SemaphorePermit<'a>,
}

impl std::ops::Deref for Conn<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.client.as_ref().expect("present until dropped")
    }
}

impl std::ops::DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().expect("present until dropped")
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if let Some(client) = self.client.take().filter(|c| !c.is_closed()) {
            if let Ok(mut idle) = self.pool.idle.lock() {
                idle.push(client);
            }
        }
    }
}

impl Pool {
    /// Checks that the database is reachable and brings its schema up to date (on a thread of its own, so that it
    /// can be called from anywhere); connections are opened on first use, on the caller's runtime.
    pub(crate) fn open(url: &PgUrl, lease: Duration) -> Result<Pool> {
        let url2 = url.clone();
        std::thread::spawn(move || -> Result<()> {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            rt.block_on(async {
                let mut client = url2.connect().await?;
                schema::migrate(&mut client).await?;
                Ok(())
            })
        })
        .join()
        .map_err(|_| StoreError::WriterGone)??;
        let worker = format!(
            "{}:{}:{:08x}",
            hostname(),
            std::process::id(),
            (std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .subsec_nanos())
                ^ (std::process::id().rotate_left(16))
        );
        Ok(Pool {
            inner: Arc::new(PoolInner {
                url: url.clone(),
                idle: Mutex::new(Vec::new()),
                permits: Semaphore::new(POOL_SIZE),
                worker,
                lease,
            }),
            stories: gazette_stories::Config::default(),
        })
    }

    /// The same pool, deciding stories with `config`.
    pub(crate) fn with_story_config(self, config: gazette_stories::Config) -> Pool {
        Pool {
            stories: config,
            ..self
        }
    }

    /// How stories are decided when articles are written.
    pub(crate) fn story_config(&self) -> &gazette_stories::Config {
        &self.stories
    }

    /// The same database with another lease length for the feeds this store takes (a new worker name too: a
    /// separate worker, as another daemon would be).
    pub fn with_lease(&self, lease: Duration) -> Pool {
        Pool {
            inner: Arc::new(PoolInner {
                url: self.inner.url.clone(),
                idle: Mutex::new(Vec::new()),
                permits: Semaphore::new(POOL_SIZE),
                worker: format!("{}+{}", self.inner.worker, Arc::as_ptr(&self.inner) as usize % 100_000),
                lease,
            }),
            stories: self.stories,
        }
    }

    /// This store's worker name, as written in `feeds.leased_by`.
    pub fn worker(&self) -> &str {
        &self.inner.worker
    }

    pub(crate) fn lease(&self) -> Duration {
        self.inner.lease
    }

    /// Where it is, password hidden.
    pub fn url(&self) -> &PgUrl {
        &self.inner.url
    }

    /// A connection: an idle one, else a new one (at most [`POOL_SIZE`] at once).
    pub(crate) async fn conn(&self) -> Result<Conn<'_>> {
        let permit = self.inner.permits.acquire().await.map_err(|_| StoreError::WriterGone)?;
        let idle = loop {
            let c = self.inner.idle.lock().ok().and_then(|mut v| v.pop());
            match c {
                Some(c) if c.is_closed() => continue,
                c => break c,
            }
        };
        let client = match idle {
            Some(c) => c,
            None => self.inner.url.connect().await?,
        };
        Ok(Conn {
            client: Some(client),
            pool: &self.inner,
            _permit: permit,
        })
    }
}

/// Whether an error is a lost race that a retry of the whole transaction resolves.
pub(crate) fn is_retryable(e: &StoreError) -> bool {
    match e {
        StoreError::Postgres(e) => matches!(
            e.code(),
            Some(c) if *c == SqlState::T_R_DEADLOCK_DETECTED || *c == SqlState::T_R_SERIALIZATION_FAILURE
        ),
        _ => false,
    }
}

/// Runs a whole-transaction operation, again when it lost a deadlock or serialisation race.
macro_rules! retrying {
    ($body:expr) => {{
        let mut tries = 0;
        loop {
            match $body {
                Err(e) if tries < $crate::postgres::RETRIES && $crate::postgres::is_retryable(&e) => {
                    tries += 1;
                    tracing::debug!(error = %e, tries, "transaction lost a race; trying again");
                    tokio::time::sleep(std::time::Duration::from_millis(5 * tries as u64)).await;
                }
                result => break result,
            }
        }
    }};
}
pub(crate) use retrying;

/// The read side's connection, inside [`Archive::Postgres`](crate::Archive::Postgres): blocking calls over a
/// runtime of its own.
pub struct Reader {
    rt: tokio::runtime::Runtime,
    client: Mutex<Client>,
    url: PgUrl,
    /// What [`Reader::set_time_limit`] set (a statement stopped by it is a [`StoreError::TimeLimit`]).
    time_limit: Option<Duration>,
}

impl Reader {
    /// Connects to an existing Gazette database; refuses an older or newer schema (it changes nothing).
    pub(crate) fn open(url: &PgUrl) -> Result<Reader> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let client = rt.block_on(async {
            let client = url.connect().await?;
            client.batch_execute("SET default_transaction_read_only = on").await?;
            let found = schema::current_version(&client).await?;
            if found > schema::LATEST {
                return Err(StoreError::SchemaTooNew {
                    found,
                    supported: schema::LATEST,
                });
            }
            if found == 0 {
                return Err(StoreError::NotGazette);
            }
            if found < schema::LATEST {
                return Err(StoreError::SchemaTooOld {
                    found,
                    latest: schema::LATEST,
                });
            }
            Ok(client)
        })?;
        Ok(Reader {
            rt,
            client: Mutex::new(client),
            url: url.clone(),
            time_limit: None,
        })
    }

    /// Stops each statement that runs longer than `limit` (the server's `statement_timeout`, for this session).
    pub(crate) fn set_time_limit(&mut self, limit: Option<std::time::Duration>) {
        self.time_limit = limit;
        let ms = limit.map_or(0, |l| l.as_millis().max(1));
        let client = self.client.get_mut().unwrap_or_else(|e| e.into_inner());
        if let Err(e) = self
            .rt
            .block_on(client.batch_execute(&format!("SET statement_timeout = {ms}")))
        {
            tracing::warn!(error = %describe(&e), "could not set the statement time limit");
        }
    }
}

/// A time as Gazette stores it: to the second, as SQLite's text times are (so both backends hold the same values).
pub(crate) fn at(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(0)
}

/// The current time as stored.
pub(crate) fn now() -> DateTime<Utc> {
    at(Utc::now())
}

/// An error's whole story: the server's message with its detail, or the client's error and its causes.
pub(crate) fn describe(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut s = db.message().to_string();
        if let Some(d) = db.detail() {
            s.push_str(&format!(" ({d})"));
        }
        if let Some(h) = db.hint() {
            s.push_str(&format!(" hint: {h}"));
        }
        return s;
    }
    let mut s = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        s.push_str(&format!(": {c}"));
        cause = c.source();
    }
    s
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into())
}
