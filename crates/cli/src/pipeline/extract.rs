//! The extraction stage: CPU work (extract the article, tag its entities, compress the page) on dedicated OS threads
//! sized to the cores, never on the async workers.

use std::sync::Arc;
use std::time::Instant;

use gazette_extract::entities::{Annotations, Tagger, TAGGER_VERSION};
use gazette_extract::{Article, EXTRACTOR_VERSION};
use gazette_fetch::FeedItem;
use gazette_store::{Extraction, NewArticle, NewMention, NewQuote};
use tokio::sync::mpsc;

use super::{ExtractJob, StoreJob};
use crate::metrics::{Metrics, Queue};

/// One extraction thread: pages in, articles out, until the input closes.
pub(super) fn extract_worker(
    jobs: Arc<std::sync::Mutex<mpsc::Receiver<ExtractJob>>>,
    out: mpsc::Sender<StoreJob>,
    metrics: Arc<Metrics>,
) {
    loop {
        let job = match jobs.lock() {
            Ok(mut rx) => rx.blocking_recv(),
            Err(_) => None,
        };
        let Some(job) = job else { break };
        metrics.dequeued(Queue::Extract);
        let processed = match job.page {
            Ok(page) => {
                // A page that crashes the extractor becomes a page error; the thread lives on.
                // (The copy keeps the page for `gazette reprocess` once the extractor is fixed.)
                let html = page.html.clone();
                let crashed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    process_page_timed(page.html, page.final_url, Some(&metrics))
                }));
                let p = crashed.unwrap_or_else(|panic| {
                    let why = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    tracing::error!(url = job.item.url.as_deref().unwrap_or(""), panic = %why, "extraction crashed");
                    Processed {
                        html: Some(html),
                        ..Processed::failed(format!("extraction crashed: {why}"))
                    }
                });
                if let Some(e) = &p.error {
                    tracing::warn!(url = job.item.url.as_deref().unwrap_or(""), error = %e, "extraction failed");
                }
                p
            }
            Err(error) => Processed::failed(error),
        };
        let page_error = processed.error.is_some();
        let article = build_article(job.tracker.feed_id, &job.item, processed, job.fetched_at);
        metrics.queued(Queue::Store);
        let job = StoreJob {
            article,
            page_error,
            tracker: job.tracker,
        };
        if out.blocking_send(job).is_err() {
            metrics.dequeued(Queue::Store);
            break;
        }
    }
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
    process_page_timed(html, final_url, None)
}

/// [`process_page`], recording how long extraction and tagging took.
pub fn process_page_timed(html: String, final_url: String, metrics: Option<&Metrics>) -> Processed {
    let t0 = Instant::now();
    let extracted = gazette_extract::extract(&html, Some(&final_url));
    if let Some(m) = metrics {
        m.extraction.observe(t0.elapsed());
    }
    match extracted {
        Ok(article) => {
            let t1 = Instant::now();
            let title = article.title.clone().unwrap_or_default();
            let caption = article.image_caption.clone().unwrap_or_default();
            let annotations = Tagger::embedded().annotate_article(&title, &article.text(), &caption);
            if let Some(m) = metrics {
                m.tagging.observe(t1.elapsed());
            }
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

/// The mentions and quotes of an article's annotations, as stored.
fn annotations_to_store(a: &Annotations) -> (Vec<NewMention>, Vec<NewQuote>) {
    let mentions = a
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
    let quotes = a
        .quotes
        .iter()
        .map(|q| NewQuote {
            start: q.start as i64,
            end: q.end as i64,
            text: q.text.clone(),
            speaker: q.speaker.as_ref().map(|(k, name)| (k.as_str(), name.clone())),
        })
        .collect();
    (mentions, quotes)
}

/// What extraction and tagging made of a page, as stored (`extracted`: it was extracted, so the versions count).
pub fn to_extraction(article: Article, annotations: &Annotations, extracted: bool) -> Extraction {
    let (mentions, quotes) = annotations_to_store(annotations);
    Extraction {
        canonical_url: article.canonical_url.as_deref().and_then(gazette_fetch::normalize_url),
        text: article.text(),
        title: article.title,
        authors: article.authors,
        published_at: article.published.map(gazette_store::to_rfc3339),
        language: article.language,
        site_name: article.site_name,
        image_url: article.image_url,
        image_caption: article.image_caption,
        description: article.description,
        extractor_version: extracted.then(|| EXTRACTOR_VERSION.to_string()),
        tagger_version: extracted.then(|| TAGGER_VERSION.to_string()),
        mentions,
        quotes,
    }
}

/// An item stored without its page (it could not be fetched), from what the feed said.
pub(super) fn unfetched_article(feed_id: i64, item: &FeedItem, error: String, fetched_at: String) -> NewArticle {
    build_article(feed_id, item, Processed::failed(error), fetched_at)
}

/// Merges what the feed said with what the page said; the page wins where it knows better (it is what the publisher
/// maintains), the feed fills the gaps.
fn build_article(feed_id: i64, item: &FeedItem, p: Processed, fetched_at: String) -> NewArticle {
    let extracted = p.html.is_some() && p.error.is_none();
    let mut e = to_extraction(p.article, &p.annotations, extracted);
    e.title = e.title.or_else(|| item.title.clone());
    if e.authors.is_empty() {
        e.authors = item.authors.clone();
    }
    // No date anywhere: the time we first saw it.
    e.published_at = e
        .published_at
        .or_else(|| item.published.map(gazette_store::to_rfc3339))
        .or_else(|| Some(fetched_at.clone()));
    e.description = e.description.or_else(|| item.summary.clone());
    NewArticle {
        feed_id,
        item_key: item.key.clone(),
        guid: item.guid.clone(),
        url: item.url.clone(),
        // Compressed here, on the extraction threads, to keep the writer thread free.
        html: p.html.as_deref().map(gazette_store::compress_html),
        page_error: p.error,
        fetched_at,
        extraction: e,
    }
}
