//! Article assembly: a page through the extractor and the tagger ([`process_page`]), and the feed item merged with
//! what its page said into the article the store keeps ([`build_article`]). Pure CPU work, no I/O.

use std::time::Instant;

use chrono::{DateTime, Utc};
use gazette_extract::entities::{Annotations, EntityKind, Field as TaggedField, Tagger, TAGGER_VERSION};
use gazette_extract::{Article, EXTRACTOR_VERSION};
use gazette_fetch::FeedItem;
use gazette_store::{EntityType, Extraction, FeedId, Field, NewArticle, NewMention, NewQuote};

use crate::metrics::Metrics;

/// A page after extraction and tagging (or why it has neither).
pub struct Processed {
    pub html: Option<String>,
    pub article: Article,
    pub annotations: Annotations,
    pub error: Option<String>,
}

impl Processed {
    pub fn failed(error: String) -> Processed {
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

/// The store's entity type for a tagger's kind (the store defines the stored labels).
pub fn entity_type(kind: EntityKind) -> EntityType {
    match kind {
        EntityKind::Person => EntityType::Person,
        EntityKind::Organisation => EntityType::Organisation,
        EntityKind::Location => EntityType::Location,
        EntityKind::Misc => EntityType::Misc,
        EntityKind::Date => EntityType::Date,
        EntityKind::Time => EntityType::Time,
        EntityKind::Money => EntityType::Money,
        EntityKind::Percent => EntityType::Percent,
        EntityKind::Cardinal => EntityType::Cardinal,
        EntityKind::Ordinal => EntityType::Ordinal,
    }
}

fn field(f: TaggedField) -> Field {
    match f {
        TaggedField::Title => Field::Title,
        TaggedField::Text => Field::Text,
        TaggedField::Caption => Field::Caption,
    }
}

/// The mentions and quotes of an article's annotations, as stored.
fn annotations_to_store(a: &Annotations) -> (Vec<NewMention>, Vec<NewQuote>) {
    let mentions = a
        .mentions
        .iter()
        .map(|m| NewMention {
            field: field(m.field),
            start: m.start as i64,
            end: m.end as i64,
            surface: m.surface.clone(),
            entity_type: entity_type(m.kind),
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
            speaker: q.speaker.as_ref().map(|(k, name)| (entity_type(*k), name.clone())),
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
        published_at: article.published.map(crate::schedule::to_second),
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
pub fn unfetched_article(feed_id: FeedId, item: &FeedItem, error: String, fetched_at: DateTime<Utc>) -> NewArticle {
    build_article(feed_id, item, Processed::failed(error), fetched_at)
}

/// Merges what the feed said with what the page said; the page wins where it knows better (it is what the publisher
/// maintains), the feed fills the gaps.
pub fn build_article(feed_id: FeedId, item: &FeedItem, p: Processed, fetched_at: DateTime<Utc>) -> NewArticle {
    let extracted = p.html.is_some() && p.error.is_none();
    let mut e = to_extraction(p.article, &p.annotations, extracted);
    e.title = e.title.or_else(|| item.title.clone());
    if e.authors.is_empty() {
        e.authors = item.authors.clone();
    }
    // No date anywhere: the time we first saw it.
    e.published_at = e
        .published_at
        .or_else(|| item.published.map(crate::schedule::to_second))
        .or(Some(fetched_at));
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

/// Why bytes are not a web page, when they are plainly something else: a known binary format by its signature,
/// binary data (control bytes that text does not contain, as the WHATWG MIME sniffing rules define them), or text
/// without any HTML markup.
pub fn not_a_web_page(bytes: &[u8]) -> Option<String> {
    const SIGNATURES: [(&[u8], &str); 9] = [
        (b"%PDF-", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"GIF8", "a GIF image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"PK\x03\x04", "a ZIP archive (or an office document)"),
        (b"\x1f\x8b", "gzip-compressed data"),
        (b"RIFF", "a RIFF file (WebP, WAV, AVI)"),
        (b"\x7fELF", "a program (ELF)"),
        (b"%!PS", "a PostScript document"),
    ];
    let head = &bytes[..bytes.len().min(1445)];
    // A byte-order mark says text (UTF-8, UTF-16): leave the decision to the decoder.
    if head.starts_with(b"\xef\xbb\xbf") || head.starts_with(b"\xfe\xff") || head.starts_with(b"\xff\xfe") {
        return None;
    }
    if let Some((_, what)) = SIGNATURES.iter().find(|(magic, _)| head.starts_with(magic)) {
        return Some(format!("it looks like {what}"));
    }
    let binary = |b: &u8| matches!(b, 0x00..=0x08 | 0x0b | 0x0e..=0x1a | 0x1c..=0x1f);
    if head.iter().any(binary) {
        return Some("it holds binary data".into());
    }
    let probe = &bytes[..bytes.len().min(64 * 1024)];
    let markup = probe
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || matches!(w[1], b'!' | b'?' | b'/')));
    if !bytes.is_empty() && !markup {
        return Some("it has no HTML markup".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdfs_binary_data_and_plain_text_are_not_web_pages() {
        assert!(not_a_web_page(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")
            .unwrap()
            .contains("PDF"));
        let random: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        assert!(not_a_web_page(&random).is_some());
        assert!(not_a_web_page(b"just some notes\nwithout tags\n")
            .unwrap()
            .contains("markup"));
        assert_eq!(not_a_web_page(b"<!doctype html><p>Hello</p>"), None);
        assert_eq!(not_a_web_page(b"\xef\xbb\xbf<html>"), None);
        assert_eq!(not_a_web_page("<p>café</p>".as_bytes()), None);
    }

    #[test]
    fn the_page_wins_and_the_feed_fills_the_gaps() {
        let item: FeedItem = serde_json::from_value(serde_json::json!({
            "key": "k", "guid": "g", "url": "https://example.com/a", "title": "Feed title",
            "published": "2021-12-03T21:15:00Z", "authors": ["Feed Author"], "summary": "Feed summary"
        }))
        .unwrap();
        let fetched_at = DateTime::parse_from_rfc3339("2021-12-04T00:00:00Z").unwrap().to_utc();
        let page = process_page(
            "<html><head><title>Page title</title><meta name=\"author\" content=\"Page Author\"></head>\
             <body><article><h1>Page title</h1><p>A first paragraph that is long enough to be kept as the body \
             of the article by the extractor.</p></article></body></html>"
                .into(),
            "https://example.com/a".into(),
        );
        let a = build_article(FeedId(7), &item, page, fetched_at);
        assert_eq!(a.feed_id, FeedId(7));
        assert_eq!(a.extraction.title.as_deref(), Some("Page title"));
        assert_eq!(a.extraction.description.as_deref(), Some("Feed summary"));
        assert_eq!(a.extraction.published_at, item.published);
        assert!(a.html.is_some() && a.page_error.is_none());
        // Without a page: the feed's title and date, and the error; no date anywhere: the time first seen.
        let undated = FeedItem {
            published: None,
            ..item.clone()
        };
        let a = unfetched_article(FeedId(7), &undated, "HTTP 404".into(), fetched_at);
        assert_eq!(a.extraction.title.as_deref(), Some("Feed title"));
        assert_eq!(a.extraction.authors, ["Feed Author"]);
        assert_eq!(a.extraction.published_at, Some(fetched_at));
        assert_eq!(a.page_error.as_deref(), Some("HTTP 404"));
        assert!(a.html.is_none() && a.extraction.extractor_version.is_none());
    }
}
