//! Gazette's storage: a public API of whole operations with typed values, answered by a backend.
//!
//! - [`Store`] is the write side (and the reads that belong to a unit of work, such as "which of these items are
//!   new"). Each method is one whole operation: one transaction, or, where it says so, none. Callers never hold a
//!   transaction or a connection across calls, and write no SQL.
//! - [`Archive`] is the read side: reports, search, stats and ad-hoc read-only SQL, rows handed to a [`RowSink`]
//!   as [`Cell`]s.
//!
//! Both are enums of backends, a closed set matched exhaustively: SQLite ([`Store::Sqlite`], [`Archive::Sqlite`],
//! module [`sqlite`]) and PostgreSQL ([`Store::Postgres`], [`Archive::Postgres`], module [`postgres`]). A
//! [`Location`] says which: a path is a SQLite file, a `postgres://` URL a PostgreSQL database. What
//! does not depend on the backend (the values in [`types`], the reports and their filters, the read requests) lives
//! outside both. Why an enum and not a trait: see docs/architecture.md.
//!
//! The SQLite backend (module [`sqlite`]): the database is the product's interface, so the schema lives in readable
//! files under `migrations/` (applied in order, tracked in `schema_migrations`). SQLite allows one writer at a time
//! and its calls block, so every write runs on one writer thread fed by a bounded channel (async callers await a
//! reply and never block a runtime worker); reads use their own read-only connections.
//!
//! The PostgreSQL backend (module [`postgres`]): the same tables, columns and views (migrations under
//! `migrations/postgres/`), written by any number of connections, processes and machines at once; several daemons
//! share the feeds through leases. See that module.

mod error;
pub mod export;
pub mod geo;
pub mod postgres;
pub mod read;
pub mod reports;
pub mod sqlite;
pub mod types;

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

pub use error::{Result, StoreError};
pub use export::ExportCsv;
pub use geo::{CountryCount, CountryDetail, CountryList, CountryView, EntityPlaces, Place, PlaceCount};
pub use read::{
    ArticleDetail, ArticleList, ArticleSummary, Cell, DayCount, EntityDetail, EntityId, EntityRef, EntityView,
    FeedHealth, FeedList, FetchRecord, MentionSpan, Partner, QuoteSpan, RankedEntity, RowSink, Rows, Search, SearchHit,
    SearchPage, SearchResults, SpokenQuote, SqlQuery, Stats, StoryList, TopEntities, TopEntity, MAX_ROWS,
};
pub use reports::{CountBy, Filters, Report};
pub use types::*;

/// How many of an article's named entities (the most mentioned) have their pairs counted; the others are `capped`.
/// migrations/0007 spells the same number for the archives it upgrades.
pub const PAIRED_PER_ARTICLE: usize = 50;

/// Where an archive is: a SQLite file, or a PostgreSQL database. Shown (Display and Debug) without its password.
#[derive(Clone, Debug)]
pub enum Location {
    Sqlite(PathBuf),
    Postgres(Box<postgres::PgUrl>),
}

impl Location {
    /// A `postgres://` or `postgresql://` URL is a PostgreSQL database; anything else is a file path.
    pub fn parse(s: &str) -> Result<Location> {
        if postgres::connect::is_postgres_url(s) {
            Ok(Location::Postgres(Box::new(postgres::PgUrl::parse(s)?)))
        } else {
            Ok(Location::Sqlite(PathBuf::from(s)))
        }
    }

    /// The SQLite file, if it is one.
    pub fn as_path(&self) -> Option<&Path> {
        match self {
            Location::Sqlite(p) => Some(p),
            Location::Postgres(_) => None,
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(p) => write!(f, "{}", p.display()),
            Location::Postgres(u) => write!(f, "{u}"),
        }
    }
}

/// A claim of a turn at a host ([`Store::claim_host_turn`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostTurnClaim {
    /// `host:port`.
    pub host: String,
    /// Turns at the host at once, from all workers.
    pub concurrency: usize,
    /// Least time between the starts of two turns.
    pub gap: std::time::Duration,
    /// How long the turn holds without renewal (a dead worker's turns free themselves then).
    pub lease: std::time::Duration,
    /// A pause ending later than this from now is not waited for.
    pub max_wait: std::time::Duration,
}

/// The answer to a [`HostTurnClaim`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostTurnAnswer {
    /// A turn, starting after `wait` (from when the answer came).
    Granted { turn: i64, wait: std::time::Duration },
    /// Every slot is out; ask again, not before `wait`.
    Busy { wait: std::time::Duration },
    /// The host is paused for `wait`, longer than the claim's `max_wait`.
    Paused { wait: std::time::Duration },
}

/// The write side of the archive: whole operations, each one transaction unless it says otherwise. Cheap to clone
/// (clones share the backend); [`Store::close`] finishes what is queued.
#[derive(Clone)]
pub enum Store {
    /// A SQLite file, written by one thread.
    Sqlite(sqlite::Writer),
    /// A PostgreSQL database, written by a few pooled connections (and by other processes at the same time).
    Postgres(postgres::Pool),
}

impl Store {
    /// Opens the archive at `location` for writing (creating a SQLite file if needed) and brings its schema up to
    /// date.
    pub fn open(location: &Location) -> Result<Store> {
        Store::open_worker(location, postgres::DEFAULT_LEASE)
    }

    /// [`Store::open`] for a daemon that shares the feeds with others: it holds the feeds it takes for `lease`
    /// (PostgreSQL; SQLite has one writer and no leases).
    pub fn open_worker(location: &Location, lease: std::time::Duration) -> Result<Store> {
        match location {
            Location::Sqlite(path) => Store::open_sqlite(path),
            Location::Postgres(url) => Ok(Store::Postgres(postgres::Pool::open(url, lease)?)),
        }
    }

    /// Whether other processes may take feeds from this archive at the same time (so a daemon should take only what
    /// it can start soon).
    pub fn shares_feeds(&self) -> bool {
        matches!(self, Store::Postgres(_))
    }

    /// The same archive as another worker, holding the feeds it takes for `lease` (PostgreSQL; a SQLite store has
    /// one writer and no leases, and is returned as it is).
    pub fn as_worker(&self, lease: std::time::Duration) -> Store {
        match self {
            Store::Sqlite(w) => Store::Sqlite(w.clone()),
            Store::Postgres(p) => Store::Postgres(p.with_lease(lease)),
        }
    }

    /// Opens (creating if needed) the SQLite database at `path` and brings its schema up to date.
    pub fn open_sqlite(path: &Path) -> Result<Store> {
        Ok(Store::Sqlite(sqlite::Writer::spawn(path)?))
    }

    /// The same store, deciding stories with `config` (the rule's thresholds and the candidates' bound; the default
    /// is [`gazette_stories::Config::default`]).
    pub fn with_story_config(self, config: gazette_stories::Config) -> Store {
        match self {
            Store::Sqlite(w) => Store::Sqlite(w.with_story_config(config)),
            Store::Postgres(p) => Store::Postgres(p.with_story_config(config)),
        }
    }

    /// Stops accepting work and waits for what is queued (blocking: call from a blocking context or at the end).
    pub fn close(self) {
        match self {
            Store::Sqlite(w) => w.close(),
            // Connections close as they are dropped; every operation's transaction is already committed.
            Store::Postgres(_) => {}
        }
    }

    // Subscriptions.

    /// Subscribes to feeds (a URL already there keeps its feed). Returns their ids, in order.
    pub async fn add_feeds(&self, urls: Vec<String>) -> Result<Vec<FeedId>> {
        match self {
            Store::Sqlite(w) => w.run(move |c| sqlite::feeds::add(c, &urls)).await,
            Store::Postgres(p) => postgres::feeds::add(p, &urls).await,
        }
    }

    /// Every feed with its latest fetch, in id order. No transaction (one read).
    pub async fn feeds(&self) -> Result<Vec<FeedRow>> {
        match self {
            Store::Sqlite(w) => w.run(|c| sqlite::feeds::list(c)).await,
            Store::Postgres(p) => postgres::feeds::list(p).await,
        }
    }

    /// Unsubscribes (by id or URL): the feed goes with its fetches and articles. Returns what it was.
    pub async fn remove_feed(&self, id_or_url: &str) -> Result<FeedRow> {
        let id_or_url = id_or_url.to_string();
        match self {
            Store::Sqlite(w) => w.run(move |c| sqlite::feeds::remove(c, &id_or_url)).await,
            Store::Postgres(p) => postgres::feeds::remove(p, &id_or_url).await,
        }
    }

    /// Disables a feed, or enables it: an enabled feed is due at once, with an error streak that counts from now.
    pub async fn set_feed_disabled(&self, feed: FeedId, disabled: bool) -> Result<()> {
        match self {
            Store::Sqlite(w) => w.run(move |c| sqlite::feeds::set_disabled(c, feed, disabled)).await,
            Store::Postgres(p) => postgres::feeds::set_disabled(p, feed, disabled).await,
        }
    }

    // The schedule.

    /// The feeds due at `now` (at most `limit`), the feed counts, and when the next one is due. On PostgreSQL, the
    /// feeds returned are taken: leased to this store's worker until their fetch is recorded as finished or failed
    /// (or the lease runs out), and no other worker gets them meanwhile.
    pub async fn look_at_schedule(&self, now: DateTime<Utc>, limit: usize) -> Result<ScheduleLook> {
        match self {
            Store::Sqlite(w) => w.run(move |c| sqlite::due::look(c, now, limit)).await,
            Store::Postgres(p) => postgres::due::look(p, now, limit).await,
        }
    }

    /// Extends this worker's leases on the feeds it holds (a live daemon calls it well within its lease, so that a
    /// slow feed is not taken over; a dead one stops, and its feeds come free). One statement; nothing on SQLite.
    pub async fn renew_leases(&self) -> Result<()> {
        match self {
            Store::Sqlite(_) => Ok(()),
            Store::Postgres(p) => postgres::due::renew(p).await,
        }
    }

    /// Gives back feeds taken by [`Store::look_at_schedule`] that will not be fetched (a daemon stopping before it
    /// started them), so that another worker may take them at once. One statement.
    pub async fn release_feeds(&self, feeds: Vec<FeedId>) -> Result<()> {
        match self {
            Store::Sqlite(_) => Ok(()),
            Store::Postgres(p) => postgres::due::release_all(p, &feeds).await,
        }
    }

    /// Feeds for a one-off run, in id order. No transaction (one read).
    pub async fn feeds_to_fetch(&self, which: FeedSelection) -> Result<Vec<DueFeed>> {
        match self {
            Store::Sqlite(w) => w.run(move |c| sqlite::due::select(c, &which)).await,
            Store::Postgres(p) => postgres::due::select(p, &which).await,
        }
    }

    // A fetch and its items.

    /// Records an answered fetch (its attempts, what it taught about the feed, a clean error streak) and learns
    /// which of its items are new, with their earlier page tries, which pending pages left the document, and, when
    /// asked, the feed's latest article times.
    pub async fn record_fetch(&self, feed: FeedId, fetch: AnsweredFetch) -> Result<RecordedFetch> {
        match self {
            Store::Sqlite(w) => w.run(move |c| sqlite::fetches::record_answer(c, feed, &fetch)).await,
            Store::Postgres(p) => postgres::fetches::record_answer(p, feed, &fetch).await,
        }
    }

    /// Records a failed fetch: its attempts, a longer error streak, the next check; disables the feed when its
    /// streak began at or before `disable_if_failing_since`.
    pub async fn record_failure(&self, feed: FeedId, fetch: FailedFetch) -> Result<RecordedFailure> {
        match self {
            Store::Sqlite(w) => w.run(move |c| sqlite::fetches::record_failure(c, feed, &fetch)).await,
            Store::Postgres(p) => postgres::fetches::record_failure(p, feed, &fetch).await,
        }
    }

    /// Sets when a feed is next checked. One statement.
    pub async fn set_next_check(&self, feed: FeedId, at: DateTime<Utc>) -> Result<()> {
        match self {
            Store::Sqlite(w) => w.run(move |c| sqlite::fetches::set_next_check(c, feed, at)).await,
            Store::Postgres(p) => postgres::fetches::set_next_check(p, feed, at).await,
        }
    }

    /// Saves how a fetched feed's new items ended, with their counts on its latest fetch: with every item committed,
    /// its progress point (validators, next check); otherwise an earlier next check, or nothing (it stays due).
    pub async fn finish_feed(&self, feed: FeedId, end: FeedEnd, counts: ItemCounts) -> Result<()> {
        match self {
            Store::Sqlite(w) => w.run(move |c| sqlite::fetches::finish(c, feed, &end, counts)).await,
            Store::Postgres(p) => postgres::fetches::finish(p, feed, &end, counts).await,
        }
    }

    /// Counts a transient failure of an item's page, keeping the item (`item`, as the caller serialises it) for
    /// when it has to be stored without its page. Returns its tries so far. One statement.
    pub async fn page_failed(&self, feed: FeedId, item_key: &str, error: &str, item: String) -> Result<u32> {
        let (key, error) = (item_key.to_string(), error.to_string());
        match self {
            Store::Sqlite(w) => {
                w.run(move |c| sqlite::page_retries::failed(c, feed, &key, &error, &item))
                    .await
            }
            Store::Postgres(p) => postgres::page_retries::failed(p, feed, &key, &error, &item).await,
        }
    }

    /// Forgets items' page tries without storing them (their items could not be read back). One statement each.
    pub async fn forget_pages(&self, feed: FeedId, item_keys: Vec<String>) -> Result<()> {
        match self {
            Store::Sqlite(w) => w.run(move |c| sqlite::page_retries::forget(c, feed, &item_keys)).await,
            Store::Postgres(p) => postgres::page_retries::forget(p, feed, &item_keys).await,
        }
    }

    /// Stores a batch of articles with their mentions, quotes and counts, in one transaction; an article that fails
    /// is rolled back alone and reported in its slot. An article already there (by key, URL or canonical URL in its
    /// feed) or deleted by the user is a duplicate.
    pub async fn store_articles(&self, articles: Vec<NewArticle>) -> Result<StoredBatch> {
        match self {
            Store::Sqlite(w) => {
                let stories = w.story_config();
                w.run(move |c| {
                    let t0 = std::time::Instant::now();
                    let results = sqlite::articles::insert_batch(c, &articles, &stories)?;
                    Ok(StoredBatch {
                        results,
                        took: t0.elapsed(),
                    })
                })
                .await
            }
            Store::Postgres(p) => {
                let t0 = std::time::Instant::now();
                let results = postgres::articles::insert_batch(p, &articles).await?;
                Ok(StoredBatch {
                    results,
                    took: t0.elapsed(),
                })
            }
        }
    }

    // Politeness shared by workers.

    /// Claims a turn at a host for a request (see `postgres::turns`). PostgreSQL keeps every worker's turns; a
    /// SQLite archive has one writing process, whose fetcher keeps its own turns, so it grants every claim at once.
    pub async fn claim_host_turn(&self, claim: HostTurnClaim) -> Result<HostTurnAnswer> {
        match self {
            Store::Sqlite(_) => Ok(HostTurnAnswer::Granted {
                turn: 0,
                wait: std::time::Duration::ZERO,
            }),
            Store::Postgres(p) => postgres::turns::claim(p, &claim).await,
        }
    }

    /// Ends turns at hosts (their requests are over). Nothing to do on SQLite.
    pub async fn end_host_turns(&self, turns: Vec<i64>) -> Result<()> {
        match self {
            Store::Sqlite(_) => Ok(()),
            Store::Postgres(p) => postgres::turns::end(p, &turns).await,
        }
    }

    /// Holds turns still out for `lease` more (a long body). Nothing to do on SQLite.
    pub async fn renew_host_turns(&self, turns: Vec<i64>, lease: std::time::Duration) -> Result<()> {
        match self {
            Store::Sqlite(_) => Ok(()),
            Store::Postgres(p) => postgres::turns::renew(p, &turns, lease).await,
        }
    }

    /// Starts no turn at `host` for `wait` (it answered with Retry-After), for every worker. Nothing to do on
    /// SQLite.
    pub async fn pause_host(&self, host: String, wait: std::time::Duration) -> Result<()> {
        match self {
            Store::Sqlite(_) => Ok(()),
            Store::Postgres(p) => postgres::turns::pause(p, &host, wait).await,
        }
    }

    /// Records `host`'s robots.txt Crawl-delay (zero: none) for every worker: their claims at the host are spaced by
    /// at least this. Nothing to do on SQLite (the fetcher keeps it).
    pub async fn set_host_crawl_delay(&self, host: String, delay: std::time::Duration) -> Result<()> {
        match self {
            Store::Sqlite(_) => Ok(()),
            Store::Postgres(p) => postgres::turns::set_crawl_delay(p, &host, delay).await,
        }
    }

    // Housekeeping.

    /// Claims `task` for a run now unless it ran after `not_since` (so that a daemon and a cron `ingest` do not
    /// both run it): the feeds to run it over, or `None` when it is not due. One statement and one read.
    pub async fn claim_task(&self, task: Task, not_since: DateTime<Utc>) -> Result<Option<Vec<FeedId>>> {
        match self {
            Store::Sqlite(w) => w.run(move |c| sqlite::tasks::claim(c, task, not_since)).await,
            Store::Postgres(p) => postgres::tasks::claim(p, task, not_since).await,
        }
    }

    /// Deletes one feed's history older than `before` (its fetches, except what the schedule and `v_feed_health`
    /// read, and page tries not renewed since). Returns the rows deleted. One feed at a time, so that the writer is
    /// never held for long.
    pub async fn prune_feed_history(&self, feed: FeedId, before: DateTime<Utc>) -> Result<usize> {
        match self {
            Store::Sqlite(w) => w.run(move |c| sqlite::fetches::prune(c, feed, before)).await,
            Store::Postgres(p) => postgres::fetches::prune(p, feed, before).await,
        }
    }

    // Re-extraction.

    /// Ids of stored articles with a page, matching the filter, in id order.
    pub async fn articles_with_pages(&self, filter: ReprocessFilter) -> Result<Vec<ArticleId>> {
        match self {
            Store::Sqlite(w) => w.run(move |c| sqlite::articles::with_pages(c, &filter)).await,
            Store::Postgres(p) => postgres::articles::with_pages(p, &filter).await,
        }
    }

    /// An article's stored page, if it has one.
    pub async fn stored_page(&self, article: ArticleId) -> Result<Option<StoredPage>> {
        match self {
            Store::Sqlite(w) => w.run(move |c| sqlite::articles::stored_page(c, article)).await,
            Store::Postgres(p) => postgres::articles::stored_page(p, article).await,
        }
    }

    /// Replaces an article's extraction (text, metadata, versions) and its mentions and quotes, and decides its
    /// story again (see [`sqlite::articles`]). Metadata the extractor did not find keeps its stored value. Returns
    /// false when the article no longer exists.
    pub async fn replace_extraction(&self, article: ArticleId, extraction: Extraction) -> Result<bool> {
        match self {
            Store::Sqlite(w) => {
                let stories = w.story_config();
                w.run(move |c| sqlite::articles::replace_extraction(c, article, &extraction, &stories))
                    .await
            }
            Store::Postgres(p) => postgres::articles::replace_extraction(p, article, &extraction).await,
        }
    }

    // Places (issue 19).

    /// Extracted articles matching the filter whose places were resolved by another resolver than `current` (or
    /// never), with the version that did, in id order. No transaction (one read).
    pub async fn articles_to_resolve(
        &self,
        filter: ReprocessFilter,
        current: &str,
    ) -> Result<Vec<(ArticleId, Option<String>)>> {
        let current = current.to_string();
        match self {
            Store::Sqlite(w) => w.run(move |c| sqlite::places::stale(c, &filter, &current)).await,
            Store::Postgres(p) => postgres::places::stale(p, &filter, &current).await,
        }
    }

    /// A stored article's place mentions and what the resolver reads besides them; `None` when it is gone.
    pub async fn place_mentions(&self, article: ArticleId) -> Result<Option<StoredPlaceMentions>> {
        match self {
            Store::Sqlite(w) => w.run(move |c| sqlite::places::mentions_of(c, article)).await,
            Store::Postgres(p) => postgres::places::mentions_of(p, article).await,
        }
    }

    /// Replaces an article's places (its mentions' entries, its demonyms, its resolver version) and their counts.
    /// Returns false when the article no longer exists.
    pub async fn replace_places(&self, article: ArticleId, places: ResolvedPlaces) -> Result<bool> {
        match self {
            Store::Sqlite(w) => w.run(move |c| sqlite::places::replace(c, article, &places)).await,
            Store::Postgres(p) => postgres::places::replace(p, article, &places).await,
        }
    }

    /// Records why re-extracting an article failed; its stored extraction stays. False when it no longer exists.
    pub async fn record_page_error(&self, article: ArticleId, error: &str) -> Result<bool> {
        let error = error.to_string();
        match self {
            Store::Sqlite(w) => {
                w.run(move |c| sqlite::articles::record_page_error(c, article, &error))
                    .await
            }
            Store::Postgres(p) => postgres::articles::record_page_error(p, article, &error).await,
        }
    }
}

/// The read side of the archive, opened read-only: nothing done through it can change the archive.
pub enum Archive {
    Sqlite(sqlite::Reader),
    Postgres(Box<postgres::Reader>),
}

impl Archive {
    /// Opens an existing archive read-only; refuses one with an older or newer schema.
    pub fn open(location: &Location) -> Result<Archive> {
        match location {
            Location::Sqlite(path) => Archive::open_sqlite(path),
            Location::Postgres(url) => Ok(Archive::Postgres(Box::new(postgres::Reader::open(url)?))),
        }
    }

    /// Opens an existing SQLite database read-only; refuses one with an older or newer schema.
    pub fn open_sqlite(path: &Path) -> Result<Archive> {
        Ok(Archive::Sqlite(sqlite::Reader::open(path)?))
    }

    /// Runs ad-hoc read-only SQL into `sink`. Returns the row count.
    pub fn query(&mut self, query: &SqlQuery, sink: &mut dyn RowSink) -> Result<u64> {
        match self {
            Archive::Sqlite(r) => sqlite::query::run(r, query, sink),
            Archive::Postgres(r) => postgres::query::run(r, query, sink),
        }
    }

    /// Runs a report into `sink`, one row at a time. Returns the row count.
    pub fn report(&self, report: Report, filters: &Filters, sink: &mut dyn RowSink) -> Result<u64> {
        match self {
            Archive::Sqlite(r) => sqlite::reports::run(r, report, filters, sink),
            Archive::Postgres(r) => postgres::reports::run(r, report, filters, sink),
        }
    }

    /// The backend's plan for a report, one line per step, indented (for benchmarks and debugging).
    pub fn report_plan(&self, report: Report, filters: &Filters) -> Result<Vec<String>> {
        match self {
            Archive::Sqlite(r) => sqlite::reports::plan(r, report, filters),
            Archive::Postgres(r) => postgres::reports::plan(r, report, filters),
        }
    }

    /// Full-text search into `sink`: id, published_at, feed, title, snippet, rank, url. Returns the row count.
    pub fn search(&self, search: &Search, sink: &mut dyn RowSink) -> Result<u64> {
        match self {
            Archive::Sqlite(r) => sqlite::search::run(r, search, sink),
            Archive::Postgres(r) => postgres::search::run(r, search, sink),
        }
    }

    /// Stories first published in a range, most sites first: story, first_published, sites, articles, last_update,
    /// headline. Returns the row count.
    pub fn stories(&self, list: &StoryList, sink: &mut dyn RowSink) -> Result<u64> {
        match self {
            Archive::Sqlite(r) => sqlite::stories::list(r, list, sink),
            Archive::Postgres(r) => postgres::stories::list(r, list, sink),
        }
    }

    /// The articles of one story in order of publication: published_at, site, feed, title, url, article. Returns
    /// the row count (0: no such story).
    pub fn story_articles(&self, story: StoryId, sink: &mut dyn RowSink) -> Result<u64> {
        match self {
            Archive::Sqlite(r) => sqlite::stories::articles(r, story, sink),
            Archive::Postgres(r) => postgres::stories::articles(r, story, sink),
        }
    }

    /// What the archive holds; `top` entities of its last day.
    pub fn stats(&self, top: i64) -> Result<Stats> {
        match self {
            Archive::Sqlite(r) => sqlite::stats::read(r, top),
            Archive::Postgres(r) => postgres::stats::read(r, top),
        }
    }

    // The web view's questions (see [`read`]): each runs under the time limit, lists capped at [`MAX_ROWS`].

    /// Stops each of the web view's questions that runs longer than `limit` ([`StoreError::TimeLimit`]).
    pub fn set_time_limit(&mut self, limit: Option<std::time::Duration>) {
        match self {
            Archive::Sqlite(r) => r.set_time_limit(limit),
            Archive::Postgres(r) => r.set_time_limit(limit),
        }
    }

    /// The latest day with mentions up to today: what "the last day" and "the last week" end on.
    pub fn latest_day(&mut self) -> Result<Option<chrono::NaiveDate>> {
        match self {
            Archive::Sqlite(r) => sqlite::views::limited(r, sqlite::views::latest_day),
            Archive::Postgres(r) => postgres::views::latest_day(r),
        }
    }

    /// Articles, newest first.
    pub fn latest_articles(&mut self, list: &ArticleList) -> Result<Vec<ArticleSummary>> {
        match self {
            Archive::Sqlite(r) => sqlite::views::limited(r, |r| sqlite::views::latest_articles(r, list)),
            Archive::Postgres(r) => postgres::views::latest_articles(r, list),
        }
    }

    /// A type's most mentioned entities over a range of days, with their mentions per day.
    pub fn top_entities(&mut self, top: &TopEntities) -> Result<Vec<RankedEntity>> {
        match self {
            Archive::Sqlite(r) => sqlite::views::limited(r, |r| sqlite::views::top_entities(r, top)),
            Archive::Postgres(r) => postgres::views::top_entities(r, top),
        }
    }

    /// An article with its mentions and quotes; `None` when there is none with this id.
    pub fn article(&mut self, id: ArticleId) -> Result<Option<ArticleDetail>> {
        match self {
            Archive::Sqlite(r) => sqlite::views::limited(r, |r| sqlite::views::article(r, id)),
            Archive::Postgres(r) => postgres::views::article(r, id),
        }
    }

    /// An entity's days, partners, quotes and latest articles; `None` when there is none with this id.
    pub fn entity(&mut self, view: &EntityView) -> Result<Option<EntityDetail>> {
        match self {
            Archive::Sqlite(r) => sqlite::views::limited(r, |r| sqlite::views::entity(r, view)),
            Archive::Postgres(r) => postgres::views::entity(r, view),
        }
    }

    /// The places an entity's mentions were resolved to, in its latest articles of the range.
    pub fn entity_places(&mut self, q: &EntityPlaces) -> Result<Vec<PlaceCount>> {
        match self {
            Archive::Sqlite(r) => sqlite::views::limited(r, |r| sqlite::geo::entity_places(r, q)),
            Archive::Postgres(r) => postgres::geo::entity_places(r, q),
        }
    }

    /// Countries named in a range (their places and demonyms), most mentioned first.
    pub fn countries(&mut self, q: &CountryList) -> Result<Vec<CountryCount>> {
        match self {
            Archive::Sqlite(r) => sqlite::views::limited(r, |r| sqlite::geo::countries(r, q)),
            Archive::Postgres(r) => postgres::geo::countries(r, q),
        }
    }

    /// A country's days, places and latest articles; `None` when the archive has never named it.
    pub fn country(&mut self, q: &CountryView) -> Result<Option<CountryDetail>> {
        match self {
            Archive::Sqlite(r) => sqlite::views::limited(r, |r| sqlite::geo::country(r, q)),
            Archive::Postgres(r) => postgres::geo::country(r, q),
        }
    }

    /// Feeds with their health.
    pub fn feed_health(&mut self, list: &FeedList) -> Result<Vec<FeedHealth>> {
        match self {
            Archive::Sqlite(r) => sqlite::views::limited(r, |r| sqlite::views::feeds(r, list)),
            Archive::Postgres(r) => postgres::views::feeds(r, list),
        }
    }

    /// A feed's health and its latest `limit` fetch attempts; `None` when there is none with this id.
    pub fn feed_history(&mut self, feed: FeedId, limit: i64) -> Result<Option<(FeedHealth, Vec<FetchRecord>)>> {
        match self {
            Archive::Sqlite(r) => sqlite::views::limited(r, |r| sqlite::views::feed(r, feed, limit)),
            Archive::Postgres(r) => postgres::views::feed(r, feed, limit),
        }
    }

    /// A page of full-text search hits with marked snippets.
    pub fn search_page(&mut self, search: &SearchPage) -> Result<SearchResults> {
        match self {
            Archive::Sqlite(r) => sqlite::views::limited(r, |r| sqlite::views::search(r, search)),
            Archive::Postgres(r) => postgres::views::search(r, search),
        }
    }
}

/// FNV-1a 64 of the text, hex: cheap change detection, not a security hash (`articles.content_hash`).
pub(crate) fn content_hash(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Compresses a page for [`NewArticle::html`] (CPU work: call off the writer and the async workers).
pub fn compress_html(html: &str) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(html.as_bytes())
        .expect("compressing into memory cannot fail");
    enc.finish().expect("compressing into memory cannot fail")
}

/// Reads back a page compressed by [`compress_html`].
pub fn decompress_html(bytes: &[u8]) -> std::io::Result<String> {
    use std::io::Read;
    let mut out = String::new();
    flate2::read::GzDecoder::new(bytes).read_to_string(&mut out)?;
    Ok(out)
}
