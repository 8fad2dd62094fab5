//! The values that cross the store's API, the same for every backend: ids, entity types, articles with their
//! mentions and quotes, feeds, fetches. Times are `DateTime<Utc>`; how a backend keeps them is its own business.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// A feed's id (`feeds.id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct FeedId(pub i64);

/// An article's id (`articles.id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ArticleId(pub i64);

impl std::fmt::Display for FeedId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::fmt::Display for ArticleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The type of an entity, as stored in `entities.type`. Defined here once: the labels, and which types are named
/// entities (they pair up in co-occurrences; dates and numbers do not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityType {
    Person,
    Organisation,
    Location,
    Misc,
    Date,
    Time,
    Money,
    Percent,
    Cardinal,
    Ordinal,
}

impl EntityType {
    pub const ALL: [EntityType; 10] = [
        EntityType::Person,
        EntityType::Organisation,
        EntityType::Location,
        EntityType::Misc,
        EntityType::Date,
        EntityType::Time,
        EntityType::Money,
        EntityType::Percent,
        EntityType::Cardinal,
        EntityType::Ordinal,
    ];

    /// The label stored in `entities.type`.
    pub fn label(self) -> &'static str {
        match self {
            EntityType::Person => "PER",
            EntityType::Organisation => "ORG",
            EntityType::Location => "LOC",
            EntityType::Misc => "MISC",
            EntityType::Date => "DATE",
            EntityType::Time => "TIME",
            EntityType::Money => "MONEY",
            EntityType::Percent => "PERCENT",
            EntityType::Cardinal => "CARDINAL",
            EntityType::Ordinal => "ORDINAL",
        }
    }

    /// Named entities (people, organisations, places, misc) pair up in co-occurrences; dates and numbers do not.
    pub fn is_named(self) -> bool {
        matches!(
            self,
            EntityType::Person | EntityType::Organisation | EntityType::Location | EntityType::Misc
        )
    }

    /// The type with this label.
    pub fn from_label(label: &str) -> Option<EntityType> {
        EntityType::ALL.into_iter().find(|t| t.label() == label)
    }

    /// The named types as an SQL list, `('PER', 'ORG', 'LOC', 'MISC')`, for the statements that pair entities.
    pub fn named_sql_list() -> String {
        let labels: Vec<String> = EntityType::ALL
            .iter()
            .filter(|t| t.is_named())
            .map(|t| format!("'{}'", t.label()))
            .collect();
        format!("({})", labels.join(", "))
    }
}

impl std::fmt::Display for EntityType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Which stored field a mention's offsets point into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Title,
    Text,
    /// The lead image's caption (`articles.image_caption`).
    Caption,
}

impl Field {
    /// The label stored in `mentions.field`.
    pub fn label(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Text => "text",
            Field::Caption => "caption",
        }
    }
}

/// How to recognise an item of a feed before fetching its page.
#[derive(Debug, Clone)]
pub struct ItemKey {
    /// The feed's dedup key: GUID, else normalised URL, else title and date.
    pub key: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewMention {
    pub field: Field,
    /// Character offsets into the field, end exclusive.
    pub start: i64,
    pub end: i64,
    pub surface: String,
    pub entity_type: EntityType,
    /// The entity's canonical name.
    pub entity_name: String,
}

#[derive(Debug, Clone)]
pub struct NewQuote {
    pub start: i64,
    pub end: i64,
    pub text: String,
    pub speaker: Option<(EntityType, String)>,
}

/// What extraction and tagging made of a page: the part of a stored article that re-extraction replaces.
#[derive(Debug, Clone, Default)]
pub struct Extraction {
    pub canonical_url: Option<String>,
    pub title: Option<String>,
    pub authors: Vec<String>,
    /// News agencies credited in the byline, apart from the people.
    pub agencies: Vec<String>,
    pub published_at: Option<DateTime<Utc>>,
    /// Where `published_at` came from (`json_ld`, `meta`, `feed`, `fetch_time` for an estimate, ...).
    pub published_source: Option<String>,
    /// When the page says it was last updated.
    pub updated_at: Option<DateTime<Utc>>,
    pub language: Option<String>,
    pub site_name: Option<String>,
    pub image_url: Option<String>,
    pub image_caption: Option<String>,
    /// The lead image's credit, kept out of the caption.
    pub image_credit: Option<String>,
    pub description: Option<String>,
    /// Body paragraphs joined by blank lines.
    pub text: String,
    /// `None` when the page was not extracted (it could not be fetched, or the extractor failed on it).
    pub extractor_version: Option<String>,
    pub tagger_version: Option<String>,
    /// How much of the article the name tagger covered; `None` when it was not tagged.
    pub names_tagged: Option<NameCoverage>,
    /// Languages (ISO 639-1) of text left untagged for names.
    pub untagged_languages: Vec<String>,
    pub mentions: Vec<NewMention>,
    pub quotes: Vec<NewQuote>,
}

/// How much of an article the name tagger covered: names are tagged only in the languages it was trained for, so an
/// article without names is not the same as an article whose names were not looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameCoverage {
    All,
    Partial,
    None,
}

impl NameCoverage {
    /// The label stored in `articles.names_tagged`.
    pub fn label(self) -> &'static str {
        match self {
            NameCoverage::All => "all",
            NameCoverage::Partial => "partial",
            NameCoverage::None => "none",
        }
    }
}

/// Everything stored for one article, in one transaction.
#[derive(Debug, Clone)]
pub struct NewArticle {
    pub feed_id: FeedId,
    pub item_key: String,
    pub guid: Option<String>,
    pub url: Option<String>,
    /// The raw page, gzip-compressed with [`compress_html`](crate::compress_html) (by the caller, off the writer).
    pub html: Option<Vec<u8>>,
    pub page_error: Option<String>,
    pub fetched_at: DateTime<Utc>,
    /// What the page said (merged with the feed item's own title, date, authors and summary by the caller).
    pub extraction: Extraction,
}

/// What happened to an article handed to the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredArticle {
    Inserted(ArticleId),
    /// Already stored (same key, URL or canonical URL in this feed), or deleted by the user.
    Duplicate,
}

/// A feed as stored, with its latest fetch (for `gazette feeds list`).
#[derive(Debug, Clone, Serialize)]
pub struct FeedRow {
    pub id: FeedId,
    pub url: String,
    pub title: Option<String>,
    pub site_url: Option<String>,
    pub next_check_at: Option<DateTime<Utc>>,
    pub error_count: i64,
    pub last_error: Option<String>,
    pub disabled: bool,
    pub obey_robots: bool,
    pub created_at: Option<DateTime<Utc>>,
    pub last_fetch_at: Option<DateTime<Utc>>,
    pub last_status: Option<i64>,
    pub articles: i64,
}

/// A feed to fetch, with what the fetch and the scheduler need.
#[derive(Debug, Clone)]
pub struct DueFeed {
    pub id: FeedId,
    pub url: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub obey_robots: bool,
    /// Failed fetches in a row.
    pub error_count: i64,
    /// Start of the last fetch that got a full (200) answer.
    pub last_full_fetch_at: Option<DateTime<Utc>>,
    /// The feed's own lower bound on its check interval, from its last full answer.
    pub hinted_interval: Option<Duration>,
    /// Its next check as stored when it was read (`None`: never checked, or enabled again).
    pub next_check_at: Option<DateTime<Utc>>,
}

/// Which feeds to fetch in a one-off run.
#[derive(Debug, Clone)]
pub enum FeedSelection {
    /// Every enabled feed.
    Enabled,
    /// These feeds, enabled or not.
    Ids(Vec<FeedId>),
}

/// Feed counts for monitoring.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeedCounts {
    pub total: u64,
    pub due: u64,
    pub erroring: u64,
    pub disabled: u64,
}

/// One look at the schedule: what is due now, the counts, and when the next feed is due.
#[derive(Debug, Clone)]
pub struct ScheduleLook {
    /// Enabled feeds due now (never checked ones first), oldest due first.
    pub due: Vec<DueFeed>,
    pub counts: FeedCounts,
    /// The earliest next check among enabled feeds (a feed never checked is due at the time asked about); `None`
    /// when no feed is enabled.
    pub next_due: Option<DateTime<Utc>>,
}

/// One HTTP attempt at a feed, for its fetch history.
#[derive(Debug, Clone)]
pub struct FetchAttempt {
    pub started_at: DateTime<Utc>,
    pub status: Option<u16>,
    pub bytes: u64,
    pub duration_ms: u64,
    pub error: Option<String>,
}

impl FetchAttempt {
    /// An attempt that failed before any response, at `started_at`.
    pub fn failed(started_at: DateTime<Utc>, error: &str) -> FetchAttempt {
        FetchAttempt {
            started_at,
            status: None,
            bytes: 0,
            duration_ms: 0,
            error: Some(error.to_string()),
        }
    }
}

/// What an answered fetch of a feed taught us about the feed itself.
#[derive(Debug, Clone, Default)]
pub struct FeedUpdate {
    pub title: Option<String>,
    pub site_url: Option<String>,
    /// The feed's new permanent address.
    pub moved_to: Option<String>,
    /// After a full answer: the feed's own lower bound on its check interval (`Some(None)`: it gave none).
    /// `None` keeps the stored one (a 304).
    pub hinted_interval: Option<Option<Duration>>,
}

/// An answered fetch of a feed (a full answer or a 304), for [`Store::record_fetch`](crate::Store::record_fetch).
#[derive(Debug, Clone, Default)]
pub struct AnsweredFetch {
    pub attempts: Vec<FetchAttempt>,
    pub update: FeedUpdate,
    /// The document's items, to learn which are new.
    pub items: Vec<ItemKey>,
    /// How many of the feed's latest stored article times to return (to learn its pace when the document gives no
    /// dates); 0 for none.
    pub recent_times: usize,
}

/// What [`Store::record_fetch`](crate::Store::record_fetch) learnt.
#[derive(Debug, Clone, Default)]
pub struct RecordedFetch {
    /// Per item of the fetch, in order: `None` when it is stored (or deleted by the user) already, else its earlier
    /// page tries, if any.
    pub new_items: Vec<Option<Option<PendingPage>>>,
    /// Items still waiting for a page try that are no longer in the document.
    pub departed: Vec<PendingPage>,
    /// Publication times (else first-seen times) of the feed's latest stored articles, newest first.
    pub recent_times: Vec<DateTime<Utc>>,
}

/// A failed fetch of a feed, for [`Store::record_failure`](crate::Store::record_failure).
#[derive(Debug, Clone)]
pub struct FailedFetch {
    /// Its attempts; the last one carries the error.
    pub attempts: Vec<FetchAttempt>,
    pub error: String,
    pub next_check_at: DateTime<Utc>,
    /// Disable the feed when its error streak began at or before this time (`None`: never).
    pub disable_if_failing_since: Option<DateTime<Utc>>,
}

/// What [`Store::record_failure`](crate::Store::record_failure) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordedFailure {
    /// When the feed's current error streak began (its first failure after its last success and its last enable).
    pub failing_since: Option<DateTime<Utc>>,
    pub disabled: bool,
}

/// An item whose page failed transiently, still waiting for its next try.
#[derive(Debug, Clone)]
pub struct PendingPage {
    pub item_key: String,
    pub tries: u32,
    pub last_error: Option<String>,
    /// An unreadable time reads as long ago.
    pub last_tried_at: DateTime<Utc>,
    /// The feed item as the caller handed it in (JSON), for when it has to be stored without its page.
    pub item: Option<String>,
}

/// How a fetched feed's new items ended, for [`Store::finish_feed`](crate::Store::finish_feed).
#[derive(Debug, Clone)]
pub enum FeedEnd {
    /// Every new item is committed: save the new validators and the next check (the feed's progress point).
    Complete {
        etag: Option<String>,
        last_modified: Option<String>,
        next_check_at: DateTime<Utc>,
    },
    /// Some item must come back: keep the old validators and check the feed again at this time.
    RetryAt(DateTime<Utc>),
    /// Stopped part-way: the feed stays due.
    Interrupted,
}

/// The new and duplicate items of a fetch, counted on its fetch history.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ItemCounts {
    pub new_items: u64,
    pub duplicate_items: u64,
}

/// A batch of articles stored by [`Store::store_articles`](crate::Store::store_articles).
#[derive(Debug)]
pub struct StoredBatch {
    /// One result per article, in order; an article that failed was rolled back alone.
    pub results: Vec<crate::Result<StoredArticle>>,
    /// The database's time for the whole batch (its transaction, without the wait for the writer).
    pub took: Duration,
}

/// Which stored articles `gazette reprocess` covers.
#[derive(Debug, Clone, Default)]
pub struct ReprocessFilter {
    /// Articles published (else fetched) at or after this time.
    pub since: Option<DateTime<Utc>>,
    pub feed_id: Option<FeedId>,
}

/// A stored page, as kept: gzip-compressed (see [`StoredPage::html`]) with the URL it was read from.
#[derive(Debug, Clone)]
pub struct StoredPage {
    pub compressed: Vec<u8>,
    pub url: Option<String>,
    /// When the page was fetched (relative dates on it are read against this); `None` if plain SQL garbled it.
    pub fetched_at: Option<DateTime<Utc>>,
}

impl StoredPage {
    /// The page's HTML (CPU work: call off the async workers).
    pub fn html(&self) -> std::io::Result<String> {
        crate::decompress_html(&self.compressed)
    }
}

/// Housekeeping that runs about once a day, whoever runs it (a daemon, a cron `ingest`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// Deleting fetch history (and page tries) older than `history_days`.
    PruneHistory,
}

impl Task {
    /// Its name in the `maintenance` table.
    pub fn name(self) -> &'static str {
        match self {
            Task::PruneHistory => "prune_history",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_labels_round_trip_and_named_types_are_the_four() {
        for t in EntityType::ALL {
            assert_eq!(EntityType::from_label(t.label()), Some(t));
        }
        assert_eq!(EntityType::from_label("NOPE"), None);
        assert_eq!(EntityType::named_sql_list(), "('PER', 'ORG', 'LOC', 'MISC')");
    }
}
