//! The SQLite backend: one file, one writer thread ([`Writer`]), read-only connections for reads ([`Reader`]).
//!
//! Every connection has foreign keys on, WAL, and a busy timeout; every write transaction is `BEGIN IMMEDIATE`, so
//! a writer never has to upgrade a read lock and fail with SQLITE_BUSY. Times are stored as RFC 3339 UTC text with
//! seconds (`2021-12-03T21:15:00Z`), which sorts as time.
//!
//! Write cost: an article brings ~80 mentions. Their running totals (article_entities, entity_days, entities, and
//! the per-day pairs in entity_pair_days) are booked once per distinct entity or pair of the article (module
//! [`counting`]), not once per mention by triggers; the triggers remain for any other write, so the totals always
//! equal a fresh count (pairs: among the entities not `capped`, see migrations/0007).
//!
//! One module per table family: [`feeds`] (subscriptions), [`due`] (what the scheduler reads), [`fetches`] (a
//! fetch's record, its end, history pruning), [`page_retries`], [`tasks`] (housekeeping claims), [`articles`] and
//! [`counting`], [`stories`], [`places`] (resolved places and demonyms, their reports); the read side: [`reports`],
//! [`query`], [`search`], [`stats`], [`views`] (the web view's questions).

pub(crate) mod articles;
mod connection;
pub(crate) mod counting;
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
pub(crate) mod views;
mod writer;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

pub use writer::{Writer, WRITER_THREAD_NAME};

use crate::Result;

/// A read-only connection to a SQLite archive, for [`Archive`](crate::Archive).
pub struct Reader {
    conn: rusqlite::Connection,
    path: PathBuf,
    /// How long one of the web view's questions may run ([`views`]); `None`: no limit.
    time_limit: Option<std::time::Duration>,
}

impl Reader {
    /// Opens an existing database read-only (and `query_only`); refuses an older or newer schema.
    pub(crate) fn open(path: &Path) -> Result<Reader> {
        Ok(Reader {
            conn: connection::open_read_only(path)?,
            path: path.to_path_buf(),
            time_limit: None,
        })
    }

    pub(crate) fn set_time_limit(&mut self, limit: Option<std::time::Duration>) {
        self.time_limit = limit;
    }
}

/// Brings the database at `path` to schema version `version` (not beyond [`schema::LATEST`]), creating it if
/// needed: for tests and benchmarks of upgrades, which need an archive as an older Gazette left it.
pub fn migrate_file_to(path: &Path, version: u32) -> Result<Vec<u32>> {
    let mut conn = rusqlite::Connection::open(path)?;
    schema::migrate_to(&mut conn, version)
}

/// A time as stored: RFC 3339 UTC with seconds, `Z` suffix.
pub(crate) fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A stored time (`None` when it is not RFC 3339: plain SQL may have written anything).
pub(crate) fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

/// A stored optional time.
pub(crate) fn parse_opt_time(s: Option<String>) -> Option<DateTime<Utc>> {
    s.as_deref().and_then(parse_time)
}

/// The current time as stored.
pub(crate) fn now() -> String {
    time(Utc::now())
}

/// A value as read, as a [`Cell`](crate::Cell): a blob shows as its size.
pub(crate) fn cell(v: rusqlite::types::ValueRef) -> crate::Cell {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => crate::Cell::Null,
        ValueRef::Integer(i) => crate::Cell::Integer(i),
        ValueRef::Real(f) => crate::Cell::Real(f),
        ValueRef::Text(t) => crate::Cell::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => crate::Cell::Text(format!("<{} bytes>", b.len())),
    }
}

impl rusqlite::ToSql for crate::FeedId {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        self.0.to_sql()
    }
}

impl rusqlite::ToSql for crate::ArticleId {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        self.0.to_sql()
    }
}
