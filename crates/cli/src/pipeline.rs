//! The ingest pipeline: feed -> items -> page -> article -> entities -> store.
//!
//! Each feed is fetched once; each item not already stored has its page fetched, extracted and tagged (on the blocking
//! pool: both are CPU work), then written through the single writer thread. Feeds run concurrently up to a limit, and
//! so do pages; politeness per host is the fetcher's job.

use std::sync::Arc;

use gazette_extract::entities::{Annotations, Tagger, TAGGER_VERSION};
use gazette_extract::{Article, EXTRACTOR_VERSION};
use gazette_fetch::{FeedItem, FeedOutcome, Fetcher};
use gazette_store::{
    ArticleKey, FeedRow, FeedUpdate, FetchRecord, NewArticle, NewMention, NewQuote, StoredArticle, Writer,
};
use indicatif::ProgressBar;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// How much runs at once.
#[derive(Debug, Clone)]
pub struct Limits {
    pub feeds: usize,
    pub pages: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { feeds: 8, pages: 16 }
    }
}

/// What one run did.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub feeds: u64,
    pub feeds_failed: u64,
    pub feeds_unchanged: u64,
    pub new_articles: u64,
    pub duplicates: u64,
    pub page_errors: u64,
}

impl Summary {
    fn add(&mut self, o: &Summary) {
        self.feeds += o.feeds;
        self.feeds_failed += o.feeds_failed;
        self.feeds_unchanged += o.feeds_unchanged;
        self.new_articles += o.new_articles;
        self.duplicates += o.duplicates;
        self.page_errors += o.page_errors;
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} feeds ({} failed, {} unchanged), {} new articles, {} duplicates, {} page errors",
            self.feeds, self.feeds_failed, self.feeds_unchanged, self.new_articles, self.duplicates, self.page_errors
        )
    }
}

/// Shared by every task of a run.
#[derive(Clone)]
pub struct Pipeline {
    pub fetcher: Fetcher,
    pub writer: Writer,
    pub limits: Limits,
}

impl Pipeline {
    /// Ingests the given feeds, advancing `progress` once per feed.
    pub async fn run(&self, feeds: Vec<FeedRow>, progress: &ProgressBar) -> Summary {
        let feed_slots = Arc::new(Semaphore::new(self.limits.feeds.max(1)));
        let page_slots = Arc::new(Semaphore::new(self.limits.pages.max(1)));
        let mut tasks = JoinSet::new();
        for feed in feeds {
            let this = self.clone();
            let feed_slots = feed_slots.clone();
            let page_slots = page_slots.clone();
            tasks.spawn(async move {
                let _slot = feed_slots.acquire_owned().await.expect("semaphore is never closed");
                this.ingest_feed(&feed, page_slots).await
            });
        }
        let mut total = Summary::default();
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok(s) => total.add(&s),
                Err(e) => {
                    tracing::error!(error = %e, "feed task failed");
                    total.feeds += 1;
                    total.feeds_failed += 1;
                }
            }
            progress.inc(1);
        }
        total
    }

    async fn ingest_feed(&self, feed: &FeedRow, page_slots: Arc<Semaphore>) -> Summary {
        let mut summary = Summary {
            feeds: 1,
            ..Default::default()
        };
        let validators = gazette_fetch::Validators {
            etag: feed.etag.clone(),
            last_modified: feed.last_modified.clone(),
        };
        let fetch = self.fetcher.fetch_feed(&feed.url, &validators).await;
        let attempts: Vec<FetchRecord> = fetch
            .attempts
            .iter()
            .map(|a| FetchRecord {
                started_at: gazette_store::to_rfc3339(a.started_at),
                status: a.status,
                bytes: a.bytes,
                duration_ms: a.duration_ms,
                error: a.error.clone(),
                ..Default::default()
            })
            .collect();
        let (update, items) = match fetch.outcome {
            Err(e) => {
                tracing::warn!(feed = %feed.url, error = %e, "feed fetch failed");
                summary.feeds_failed = 1;
                let update = FeedUpdate {
                    error: Some(e.to_string()),
                    ..Default::default()
                };
                (update, Vec::new())
            }
            Ok(FeedOutcome::NotModified) => {
                summary.feeds_unchanged = 1;
                (FeedUpdate::default(), Vec::new())
            }
            Ok(FeedOutcome::Fetched(fetched)) => {
                let update = FeedUpdate {
                    title: fetched.feed.title.clone(),
                    site_url: fetched.feed.site_url.clone(),
                    etag: fetched.validators.etag.clone(),
                    last_modified: fetched.validators.last_modified.clone(),
                    moved_to: fetched.moved_to.clone(),
                    ..Default::default()
                };
                (update, fetched.feed.items)
            }
        };
        let feed_id = feed.id;
        if let Err(e) = self
            .writer
            .call(move |c| gazette_store::record_fetch(c, feed_id, &attempts, &update))
            .await
        {
            tracing::error!(feed = %feed.url, error = %e, "could not record the fetch");
        }
        if items.is_empty() {
            return summary;
        }

        let mut tasks = JoinSet::new();
        for item in items {
            let this = self.clone();
            let slots = page_slots.clone();
            let obey_robots = feed.obey_robots;
            tasks.spawn(async move {
                let _slot = slots.acquire_owned().await.expect("semaphore is never closed");
                this.ingest_item(feed_id, item, obey_robots).await
            });
        }
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok(ItemResult::New { page_error }) => {
                    summary.new_articles += 1;
                    summary.page_errors += u64::from(page_error);
                }
                Ok(ItemResult::Duplicate) => summary.duplicates += 1,
                Ok(ItemResult::Failed) => summary.page_errors += 1,
                Err(e) => {
                    tracing::error!(error = %e, "item task failed");
                    summary.page_errors += 1;
                }
            }
        }
        let (new, dup) = (summary.new_articles, summary.duplicates);
        let _ = self
            .writer
            .call(move |c| gazette_store::set_fetch_counts(c, feed_id, new, dup))
            .await;
        summary
    }

    async fn ingest_item(&self, feed_id: i64, item: FeedItem, obey_robots: bool) -> ItemResult {
        let key = ArticleKey {
            feed_id,
            item_key: item.key.clone(),
            url: item.url.clone(),
        };
        match self.writer.call(move |c| gazette_store::is_known(c, &key)).await {
            Ok(true) => return ItemResult::Duplicate,
            Ok(false) => {}
            Err(e) => {
                tracing::error!(error = %e, "dedup lookup failed");
                return ItemResult::Failed;
            }
        }
        let fetched_at = gazette_store::now_rfc3339();
        let page = match &item.url {
            Some(url) => match self.fetcher.fetch_page(url, obey_robots).await {
                Ok(page) => Ok(page),
                Err(e) => {
                    tracing::warn!(url = %url, error = %e, "page fetch failed");
                    Err(e.to_string())
                }
            },
            None => Err("the feed item has no link".to_string()),
        };
        let article = match page {
            Ok(page) => {
                let processed = tokio::task::spawn_blocking(move || process_page(page.html, page.final_url)).await;
                match processed {
                    Ok(p) => p,
                    Err(e) => Processed::failed(format!("extraction crashed: {e}")),
                }
            }
            Err(error) => Processed::failed(error),
        };
        let page_error = article.error.is_some();
        let new = build_article(feed_id, &item, article, fetched_at);
        match self.writer.call(move |c| gazette_store::insert_article(c, &new)).await {
            Ok(StoredArticle::Inserted(_)) => ItemResult::New { page_error },
            Ok(StoredArticle::Duplicate) => ItemResult::Duplicate,
            Err(e) => {
                tracing::error!(error = %e, "storing an article failed");
                ItemResult::Failed
            }
        }
    }
}

enum ItemResult {
    New { page_error: bool },
    Duplicate,
    Failed,
}

/// A page after extraction and tagging (or why it has neither).
pub struct Processed {
    pub html: Option<String>,
    pub article: Article,
    pub annotations: Annotations,
    pub error: Option<String>,
}

impl Processed {
    fn failed(error: String) -> Processed {
        Processed {
            html: None,
            article: Article::default(),
            annotations: Annotations::default(),
            error: Some(error),
        }
    }
}

/// Extracts and tags one page. CPU-bound: call from the blocking pool.
pub fn process_page(html: String, final_url: String) -> Processed {
    match gazette_extract::extract(&html, Some(&final_url)) {
        Ok(article) => {
            let title = article.title.clone().unwrap_or_default();
            let annotations = Tagger::embedded().annotate(&title, &article.text());
            Processed {
                html: Some(html),
                article,
                annotations,
                error: None,
            }
        }
        Err(e) => Processed {
            html: Some(html),
            error: Some(e.to_string()),
            article: Article::default(),
            annotations: Annotations::default(),
        },
    }
}

/// Merges what the feed said with what the page said; the page wins where it knows better (it is what the publisher
/// maintains), the feed fills the gaps.
fn build_article(feed_id: i64, item: &FeedItem, p: Processed, fetched_at: String) -> NewArticle {
    let a = p.article;
    let text = a.text();
    let mentions = p
        .annotations
        .mentions
        .iter()
        .map(|m| NewMention {
            field: m.field.as_str(),
            start: m.start as i64,
            end: m.end as i64,
            surface: m.surface.clone(),
            entity_type: m.kind.as_str(),
            entity_name: m.canonical.clone(),
        })
        .collect();
    let quotes = p
        .annotations
        .quotes
        .iter()
        .map(|q| NewQuote {
            start: q.start as i64,
            end: q.end as i64,
            text: q.text.clone(),
            speaker: q.speaker.as_ref().map(|(k, name)| (k.as_str(), name.clone())),
        })
        .collect();
    let published = a.published.or(item.published);
    let extracted = p.html.is_some() && p.error.is_none();
    NewArticle {
        feed_id,
        item_key: item.key.clone(),
        guid: item.guid.clone(),
        url: item.url.clone(),
        canonical_url: a.canonical_url.as_deref().and_then(gazette_fetch::normalize_url),
        title: a.title.or_else(|| item.title.clone()),
        authors: if a.authors.is_empty() {
            item.authors.clone()
        } else {
            a.authors
        },
        // No date anywhere: the time we first saw it.
        published_at: Some(
            published
                .map(gazette_store::to_rfc3339)
                .unwrap_or_else(|| fetched_at.clone()),
        ),
        language: a.language,
        site_name: a.site_name,
        image_url: a.image_url,
        image_caption: a.image_caption,
        description: a.description.or_else(|| item.summary.clone()),
        text,
        html: p.html,
        page_error: p.error,
        extractor_version: extracted.then(|| EXTRACTOR_VERSION.to_string()),
        tagger_version: extracted.then(|| TAGGER_VERSION.to_string()),
        fetched_at,
        mentions,
        quotes,
    }
}
