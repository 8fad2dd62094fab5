//! SQLite storage for Gazette.
//!
//! The database is the product's interface: users read it with plain SQL, so the schema lives in readable files under
//! `migrations/` (applied in order, tracked in `schema_migrations`, see [`schema`]).
//!
//! Concurrency model: SQLite allows one writer at a time, and its calls block. So all writes go through one
//! [`Writer`] thread fed by a channel (async callers await a reply and never block a runtime worker), and reads use
//! their own connections ([`open_read_only`]). Every connection has foreign keys on, WAL, and a busy timeout; every
//! write transaction is `BEGIN IMMEDIATE`, so a writer never has to upgrade a read lock and fail with SQLITE_BUSY.
//! The writer's WAL checkpoints run beside it on a thread of their own.
//!
//! Write cost: an article brings ~80 mentions. Their running totals (article_entities, entity_days, entities, and
//! the per-day pairs in entity_pair_days) are booked once per distinct entity or pair of the article (module
//! `counting`), not once per mention by triggers; the triggers remain for any other write, so the totals always equal
//! a fresh count (pairs: among the entities not `capped`, see migrations/0007).

mod articles;
mod connection;
mod counting;
mod feeds;
pub mod reports;
mod schedule;
pub mod schema;
mod writer;

pub use articles::{
    compress_html, decompress_html, insert_article, insert_articles, is_known, record_page_error, replace_extraction,
    ArticleKey, Extraction, NewArticle, NewMention, NewQuote, StoredArticle,
};
pub use connection::{open, open_read_only};
pub use feeds::{
    add_feed, claim_task, feed_ids, find_feed, forget_page, list_feeds, page_failed, pending_pages, prune_feed_history,
    record_fetch, remove_feed, set_feed_disabled, set_fetch_counts, FeedRow, FeedUpdate, FetchRecord, PendingPage,
};
pub use schedule::*;
pub use writer::Writer;

/// Errors from the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "the database is at schema version {found}, newer than this Gazette understands ({supported}); \
         upgrade Gazette or use another database"
    )]
    SchemaTooNew { found: u32, supported: u32 },
    #[error(
        "the database is at schema version {found}, older than this Gazette's ({latest}), and read-only commands do \
         not upgrade it: run `gazette feeds list` (or any command that writes) once"
    )]
    SchemaTooOld { found: u32, latest: u32 },
    #[error("this file has no Gazette schema: is it a Gazette database?")]
    NotGazette,
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        version: u32,
        name: &'static str,
        source: rusqlite::Error,
    },
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("the database writer has stopped")]
    WriterGone,
    #[error("no feed with id or URL {0}")]
    NoSuchFeed(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The current time as stored: RFC 3339 UTC with seconds.
pub fn now_rfc3339() -> String {
    to_rfc3339(chrono::Utc::now())
}

/// Formats a time as stored: RFC 3339 UTC with seconds, `Z` suffix.
pub fn to_rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
