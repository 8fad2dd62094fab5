//! Article assembly: a page through the extractor and the tagger ([`process_page`]), and the feed item merged with
//! what its page said into the article the store keeps ([`build_article`]). Pure CPU work, no I/O.

use std::time::Instant;

use chrono::{DateTime, Utc};
use gazette_extract::dates::reconcile;
use gazette_extract::entities::{
    Annotations, ArticleText, EntityKind, Field as TaggedField, NameCoverage as NamesCovered, Tagger, TAGGER_VERSION,
};
use gazette_extract::{Article, EXTRACTOR_VERSION};
use gazette_fetch::FeedItem;
use gazette_store::{EntityType, Extraction, FeedId, Field, NameCoverage, NewArticle, NewMention, NewQuote};

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

/// Extracts and tags one page fetched at `fetched_at` (relative dates on it are read against that time). CPU-bound:
/// call from the blocking pool.
pub fn process_page(html: String, final_url: String, fetched_at: DateTime<Utc>) -> Processed {
    process_page_timed(html, final_url, fetched_at, None)
}

/// [`process_page`], recording how long extraction and tagging took.
pub fn process_page_timed(
    html: String,
    final_url: String,
    fetched_at: DateTime<Utc>,
    metrics: Option<&Metrics>,
) -> Processed {
    let t0 = Instant::now();
    let extracted = gazette_extract::extract_at(&html, Some(&final_url), fetched_at);
    if let Some(m) = metrics {
        m.extraction.observe(t0.elapsed());
    }
    match extracted {
        Ok(article) => {
            let t1 = Instant::now();
            let text = article.text();
            let annotations = Tagger::embedded().annotate_text(&ArticleText {
                title: article.title.as_deref().unwrap_or_default(),
                text: &text,
                caption: article.image_caption.as_deref().unwrap_or_default(),
                language: article.language.as_deref(),
            });
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

fn name_coverage(n: NamesCovered) -> NameCoverage {
    match n {
        NamesCovered::All => NameCoverage::All,
        NamesCovered::Partial => NameCoverage::Partial,
        NamesCovered::None => NameCoverage::None,
    }
}

/// What extraction and tagging made of a page, as stored (`extracted`: it was extracted, so the versions count).
/// The publication date is the page's own; [`build_article`] weighs it against the feed's.
pub fn to_extraction(article: Article, annotations: &Annotations, extracted: bool) -> Extraction {
    let (mentions, quotes) = annotations_to_store(annotations);
    Extraction {
        canonical_url: article.canonical_url.as_deref().and_then(gazette_fetch::normalize_url),
        text: article.text(),
        title: article.title,
        authors: article.authors,
        agencies: article.agencies,
        published_at: article.published.map(crate::schedule::to_second),
        published_source: article.published_evidence.map(|d| d.source.as_str().to_string()),
        updated_at: article.updated.map(crate::schedule::to_second),
        language: article.language,
        site_name: article.site_name,
        image_url: article.image_url,
        image_caption: article.image_caption,
        image_credit: article.image_credit,
        description: article.description,
        extractor_version: extracted.then(|| EXTRACTOR_VERSION.to_string()),
        tagger_version: extracted.then(|| TAGGER_VERSION.to_string()),
        names_tagged: extracted.then(|| name_coverage(annotations.names)),
        untagged_languages: annotations.untagged_languages.clone(),
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
    let page_date = p.article.published_evidence;
    let mut e = to_extraction(p.article, &p.annotations, extracted);
    e.title = e.title.or_else(|| item.title.clone());
    if e.authors.is_empty() {
        e.authors = item.authors.clone();
    }
    // The feed's date and the page's weighed against each other; no date anywhere: the time we first saw it.
    let date = reconcile(item.published, page_date.as_ref(), fetched_at);
    if let Some(c) = date.conflict {
        tracing::debug!(
            url = item.url.as_deref().unwrap_or_default(),
            feed = %c.feed,
            page = %c.page,
            page_source = c.page_source.as_str(),
            chosen = date.source.as_str(),
            "the feed and the page disagree on the publication date"
        );
    }
    e.published_at = Some(crate::schedule::to_second(date.at));
    e.published_source = Some(date.source.as_str().to_string());
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
            fetched_at,
        );
        let a = build_article(FeedId(7), &item, page, fetched_at);
        assert_eq!(a.feed_id, FeedId(7));
        assert_eq!(a.extraction.title.as_deref(), Some("Page title"));
        assert_eq!(a.extraction.description.as_deref(), Some("Feed summary"));
        assert_eq!(a.extraction.published_at, item.published);
        assert_eq!(a.extraction.published_source.as_deref(), Some("feed"));
        assert_eq!(a.extraction.names_tagged, Some(NameCoverage::All));
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
        assert_eq!(a.extraction.published_source.as_deref(), Some("fetch_time"));
        assert_eq!(a.extraction.names_tagged, None);
        assert_eq!(a.page_error.as_deref(), Some("HTTP 404"));
        assert!(a.html.is_none() && a.extraction.extractor_version.is_none());
    }

    #[test]
    fn a_publishers_own_date_outweighs_a_feed_date_days_later() {
        let fetched_at = DateTime::parse_from_rfc3339("2021-12-10T12:00:00Z").unwrap().to_utc();
        let item: FeedItem = serde_json::from_value(serde_json::json!({
            "key": "k", "guid": null, "url": "https://example.com/a", "title": "T",
            "published": "2021-12-09T08:00:00Z", "authors": [], "summary": null
        }))
        .unwrap();
        let page = process_page(
            "<html><head><meta property=\"article:published_time\" content=\"2021-12-03T21:15:00Z\">\
             <meta property=\"article:modified_time\" content=\"2021-12-09T07:00:00Z\"></head><body><article>\
             <h1>Leaders meet in Nairobi</h1><p>The leaders met in Nairobi on Friday to sign the agreement that \
             their ministers had negotiated for a year.</p></article></body></html>"
                .into(),
            "https://example.com/a".into(),
            fetched_at,
        );
        let a = build_article(FeedId(1), &item, page, fetched_at);
        let published = DateTime::parse_from_rfc3339("2021-12-03T21:15:00Z").unwrap().to_utc();
        assert_eq!(a.extraction.published_at, Some(published));
        assert_eq!(a.extraction.published_source.as_deref(), Some("open_graph"));
        let updated = DateTime::parse_from_rfc3339("2021-12-09T07:00:00Z").unwrap().to_utc();
        assert_eq!(a.extraction.updated_at, Some(updated));
    }

    #[test]
    fn names_are_not_tagged_in_a_language_the_tagger_does_not_know_and_the_article_says_so() {
        let fetched_at = Utc::now();
        let page = process_page(
            "<html lang=\"pt-BR\"><head><title>Governo anuncia novo plano</title></head><body><article>\
             <h1>Governo anuncia novo plano</h1><p>O Governo Federal anunciou nesta segunda-feira um novo plano \
             para a Economia, segundo o Ministério da Fazenda em Brasília. O Plano prevê investimentos em \
             Educação e Saúde nos próximos anos.</p></article></body></html>"
                .into(),
            "https://example.com.br/a".into(),
            fetched_at,
        );
        let e = to_extraction(page.article, &page.annotations, true);
        assert_eq!(e.names_tagged, Some(NameCoverage::None));
        assert_eq!(e.untagged_languages, ["pt"]);
        assert!(e.mentions.iter().all(|m| !m.entity_type.is_named()), "{:?}", e.mentions);
    }
}
