//! The read side's values, the same for every backend: rows as typed cells handed to a sink one at a time (so a
//! result of any size streams in flat memory), and the questions behind `gazette query`, `search` and `stats`.
//!
//! The web view's fixed questions (issue 17: latest articles, top entities with their days, an article with its
//! mentions and quotes, an entity's days, partners and quotes, feed health and fetch history, a page of search hits)
//! are below: each is a request type here and a method of [`Archive`](crate::Archive), answered by each backend with
//! the typed values here (they serialise as the web view's JSON). Every one returns at most [`MAX_ROWS`] rows per
//! list, whatever is asked.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::{ArticleId, EntityType, FeedId};

/// A cell as read: text keeps its type so that callers can treat text and numbers differently.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cell::Null => Ok(()),
            Cell::Integer(i) => write!(f, "{i}"),
            Cell::Real(x) => write!(f, "{x}"),
            Cell::Text(s) => f.write_str(s),
        }
    }
}

impl From<i64> for Cell {
    fn from(i: i64) -> Cell {
        Cell::Integer(i)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Cell {
        v.map_or(Cell::Null, Into::into)
    }
}

/// Where rows go: a renderer, a file, a test's vector. Its errors (a closed pipe, a full disk) end the read and come
/// back as [`StoreError::Output`](crate::StoreError::Output).
pub trait RowSink {
    /// Called once, before any row, with the column names.
    fn header(&mut self, columns: &[String]) -> std::io::Result<()>;
    fn row(&mut self, cells: &[Cell]) -> std::io::Result<()>;
}

/// Rows kept in memory (for small results and tests).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Rows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl RowSink for Rows {
    fn header(&mut self, columns: &[String]) -> std::io::Result<()> {
        self.columns = columns.to_vec();
        Ok(())
    }

    fn row(&mut self, cells: &[Cell]) -> std::io::Result<()> {
        self.rows.push(cells.to_vec());
        Ok(())
    }
}

/// Ad-hoc read-only SQL (`gazette query`): one statement that must not write, its named parameters bound (never
/// pasted into the SQL; every one it uses must be given), and a time limit.
#[derive(Debug, Clone)]
pub struct SqlQuery {
    pub sql: String,
    /// `(name, value)`: the name with or without its `:`, `@` or `$`; the value binds as a number when it is spelt
    /// as a plain number (`42`, `-7`, `0.5`), else as text.
    pub params: Vec<(String, String)>,
    /// Stop the query after this long (also the longest wait for a lock); `None`: no limit.
    pub timeout: Option<Duration>,
}

/// Full-text search over titles and bodies, best matches first, with snippets (`gazette search`).
#[derive(Debug, Clone)]
pub struct Search {
    /// The backend's full-text syntax; a query it cannot parse is retried as plain words.
    pub query: String,
    pub since: Option<DateTime<Utc>>,
    pub feed: Option<FeedId>,
    pub limit: i64,
}

/// What the archive holds (`gazette stats`).
#[derive(Debug, Clone)]
pub struct Stats {
    /// Where it is (a file path).
    pub location: String,
    pub size_bytes: u64,
    /// Recent writes still in the write-ahead log beside the file.
    pub wal_bytes: u64,
    /// Rows per table, in a fixed order.
    pub tables: Vec<(&'static str, i64)>,
    /// The first and last publication times, as stored.
    pub published: Option<(String, String)>,
    /// The latest day with mentions up to today, and its top named entities.
    pub top_day: Option<NaiveDate>,
    pub top: Vec<TopEntity>,
}

/// An entity among a day's most mentioned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopEntity {
    /// As stored (a label [`EntityType`] knows, or whatever plain SQL wrote).
    pub entity_type: String,
    pub name: String,
    pub mentions: i64,
    pub articles: i64,
}

impl TopEntity {
    pub fn known_type(&self) -> Option<EntityType> {
        EntityType::from_label(&self.entity_type)
    }
}

/// Stories first published in a range, most sites first (`gazette stories`).
#[derive(Debug, Clone)]
pub struct StoryList {
    pub since: DateTime<Utc>,
    /// Exclusive; `None`: up to now.
    pub until: Option<DateTime<Utc>>,
    pub limit: i64,
}

// The web view's questions.

/// Most rows any list of the web view's questions returns (a larger `limit` is cut to this).
pub const MAX_ROWS: i64 = 200;

/// Clamps a requested page size to `1..=MAX_ROWS`.
pub fn capped(limit: i64) -> i64 {
    limit.clamp(1, MAX_ROWS)
}

/// An entity's id (`entities.id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct EntityId(pub i64);

impl std::fmt::Display for EntityId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Articles, newest first: all, one feed's, or those that name an entity.
#[derive(Debug, Clone, Default)]
pub struct ArticleList {
    pub feed: Option<FeedId>,
    pub entity: Option<EntityId>,
    pub limit: i64,
    pub offset: i64,
}

/// An article in a list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleSummary {
    pub id: ArticleId,
    pub feed_id: FeedId,
    pub feed_title: Option<String>,
    /// The site's name, else the feed's title.
    pub site: Option<String>,
    pub title: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    /// The canonical URL, else the URL, as stored (any scheme: check before linking).
    pub url: Option<String>,
}

/// A type's most mentioned entities over days `from..=to` (UTC publication days).
#[derive(Debug, Clone)]
pub struct TopEntities {
    pub entity_type: EntityType,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The days each entity's [`RankedEntity::daily`] covers: `chart_from..=to`.
    pub chart_from: NaiveDate,
    pub limit: i64,
}

/// An entity with its counts over a range and its mentions per day (every day of the chart's range, zeros
/// included).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankedEntity {
    pub id: EntityId,
    pub entity_type: String,
    pub name: String,
    pub mentions: i64,
    pub articles: i64,
    pub daily: Vec<DayCount>,
}

/// One day's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DayCount {
    pub day: NaiveDate,
    pub mentions: i64,
    pub articles: i64,
}

/// An article with everything the web view shows of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleDetail {
    #[serde(flatten)]
    pub summary: ArticleSummary,
    pub authors: Vec<String>,
    pub language: Option<String>,
    pub image_url: Option<String>,
    pub image_caption: Option<String>,
    pub description: Option<String>,
    /// Body paragraphs joined by blank lines.
    pub text: String,
    pub extractor_version: Option<String>,
    pub tagger_version: Option<String>,
    pub page_error: Option<String>,
    pub fetched_at: Option<DateTime<Utc>>,
    /// In field order (title, text, caption), then by position.
    pub mentions: Vec<MentionSpan>,
    /// In text order.
    pub quotes: Vec<QuoteSpan>,
}

/// A mention: which field, where (character offsets, end exclusive, as stored), and its entity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MentionSpan {
    /// `title`, `text` or `caption`.
    pub field: String,
    pub start: i64,
    pub end: i64,
    pub surface: String,
    pub entity: EntityRef,
}

/// An entity named in a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityRef {
    pub id: EntityId,
    pub entity_type: String,
    pub name: String,
}

/// A quote in an article's text, with its speaker when known.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuoteSpan {
    pub start: i64,
    pub end: i64,
    pub text: String,
    pub speaker: Option<EntityRef>,
}

/// An entity's page: its counts over days `from..=to`, the entities most often in the same articles then, its
/// latest quotes (as the speaker) and the latest articles that name it.
#[derive(Debug, Clone)]
pub struct EntityView {
    pub id: EntityId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Rows per list.
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityDetail {
    pub entity: EntityRef,
    /// All-time totals.
    pub mentions: i64,
    pub articles: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Every day of the range, zeros included.
    pub daily: Vec<DayCount>,
    /// Named entities in the same articles over the range (pairs counted as stored: an article's 50 most mentioned
    /// entities), most shared articles first.
    pub partners: Vec<Partner>,
    /// Its latest quotes as the speaker.
    pub quotes: Vec<SpokenQuote>,
    /// The latest articles that name it.
    pub latest: Vec<ArticleSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Partner {
    pub entity: EntityRef,
    pub articles: i64,
}

/// A quote with the article it is in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpokenQuote {
    pub text: String,
    pub article: ArticleSummary,
}

/// Feeds with their health, in id order; `failing_only`: those whose last fetch failed, or that are disabled.
#[derive(Debug, Clone, Default)]
pub struct FeedList {
    pub failing_only: bool,
    pub limit: i64,
    pub offset: i64,
}

/// A feed's health (the `v_feed_health` view).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedHealth {
    pub id: FeedId,
    pub url: String,
    pub title: Option<String>,
    pub disabled: bool,
    pub error_streak: i64,
    pub last_error: Option<String>,
    pub last_fetch_at: Option<DateTime<Utc>>,
    pub last_status: Option<i64>,
    pub next_check_at: Option<DateTime<Utc>>,
    /// Articles published per day over the last week.
    pub items_per_day: f64,
    pub articles: i64,
}

/// One HTTP attempt at a feed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FetchRecord {
    pub started_at: Option<DateTime<Utc>>,
    pub status: Option<i64>,
    pub bytes: i64,
    pub duration_ms: i64,
    pub new_items: i64,
    pub duplicate_items: i64,
    pub error: Option<String>,
}

/// A page of full-text search hits, best first (the same query and ranking as [`Search`]), with filters.
#[derive(Debug, Clone, Default)]
pub struct SearchPage {
    /// The backend's full-text syntax; a query it cannot parse is retried as plain words.
    pub query: String,
    pub since: Option<DateTime<Utc>>,
    /// Exclusive.
    pub until: Option<DateTime<Utc>>,
    pub feed: Option<FeedId>,
    pub entity: Option<EntityId>,
    pub limit: i64,
    pub offset: i64,
}

/// Marks around the matched words in [`SearchHit::snippet`]: private-use characters, so that a renderer can escape
/// the snippet first and then turn them into markup (text never supplies markup). A renderer drops any that the
/// stored text itself carried unpaired.
pub const MATCH_START: char = '\u{E000}';
pub const MATCH_END: char = '\u{E001}';

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    pub article: ArticleSummary,
    /// Text around the match, matches between [`MATCH_START`] and [`MATCH_END`].
    pub snippet: String,
    pub rank: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    /// Whether there are hits after this page.
    pub more: bool,
}

/// Every day of `from..=to` with its counts from `found` (mentions, articles), zeros for the days without.
pub(crate) fn every_day(
    from: NaiveDate,
    to: NaiveDate,
    found: &std::collections::HashMap<NaiveDate, (i64, i64)>,
) -> Vec<DayCount> {
    from.iter_days()
        .take_while(|d| *d <= to)
        .map(|day| {
            let (mentions, articles) = found.get(&day).copied().unwrap_or((0, 0));
            DayCount {
                day,
                mentions,
                articles,
            }
        })
        .collect()
}
