//! The extracted article and the extraction entry point.
//!
//! [`extract`] guards against pathological nesting, parses once with html5ever, flattens the tree
//! ([`crate::dom`]), fills the metadata that anchors the body (title, [`crate::meta`]), picks and emits the body
//! ([`crate::content`]), then fills what is found relative to it (dates, the lead image's caption) and the language
//! ([`crate::lang`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use scraper::Html;
use serde::Serialize;

use crate::dates::PageDate;
use crate::dom::Dom;
use crate::{content, lang, meta};

/// Recorded with every stored article, so `gazette reprocess` knows what is stale. Bump on any behaviour change.
pub const EXTRACTOR_VERSION: &str = "0.4.2";

/// Where a metadata field was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    JsonLd,
    OpenGraph,
    Meta,
    Time,
    Url,
    Byline,
    Html,
    /// Read from the page's visible text: a date line, or the language of the body.
    Text,
    /// The feed item (set when the feed and the page are reconciled, [`crate::dates::reconcile`]).
    Feed,
    /// No date anywhere: the fetch time stands in (an estimate).
    FetchTime,
}

impl Source {
    /// The name used in JSON output and stored in `articles.published_source`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::JsonLd => "json_ld",
            Source::OpenGraph => "open_graph",
            Source::Meta => "meta",
            Source::Time => "time",
            Source::Url => "url",
            Source::Byline => "byline",
            Source::Html => "html",
            Source::Text => "text",
            Source::Feed => "feed",
            Source::FetchTime => "fetch_time",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    Paragraph,
    Heading,
    ListItem,
    Quote,
    TableRow,
    Preformatted,
}

/// One block of the body, in reading order. Text has whitespace collapsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Block {
    pub kind: BlockKind,
    pub text: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Article {
    pub title: Option<String>,
    /// People, without "By", roles, places or dates.
    pub authors: Vec<String>,
    /// News agencies credited in the byline ("Reuters", "dpa"), kept apart from the people.
    pub agencies: Vec<String>,
    pub published: Option<DateTime<Utc>>,
    /// The evidence behind `published` (its day as written, precision, source and reliability), for reconciling it
    /// with a feed's date ([`crate::dates::reconcile`]).
    pub published_evidence: Option<PageDate>,
    pub updated: Option<DateTime<Utc>>,
    pub language: Option<String>,
    pub canonical_url: Option<String>,
    pub site_name: Option<String>,
    pub image_url: Option<String>,
    pub image_caption: Option<String>,
    /// The lead image's credit ("Getty Images", "Jane Doe/Reuters"), kept out of the caption.
    pub image_credit: Option<String>,
    pub description: Option<String>,
    pub blocks: Vec<Block>,
    /// Field name (as above) -> where its value came from.
    pub sources: BTreeMap<&'static str, Source>,
}

impl Article {
    /// The body as stored in `articles.text`: blocks joined by blank lines.
    pub fn text(&self) -> String {
        let texts: Vec<&str> = self.blocks.iter().map(|b| b.text.as_str()).collect();
        texts.join("\n\n")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("page nests elements {depth} deep (limit {limit}); refusing to parse it")]
    TooDeep { depth: usize, limit: usize },
}

/// Extracts the article from a page. `page_url` (the final URL after redirects) resolves relative links.
///
/// Never panics; a page nested deeper than [`crate::guard::MAX_DEPTH`] is refused with [`ExtractError::TooDeep`]
/// before parsing, since parsing it would take seconds to minutes.
pub fn extract(html: &str, page_url: Option<&str>) -> Result<Article, ExtractError> {
    extract_at(html, page_url, Utc::now())
}

/// [`extract`] for a page fetched at `fetched_at`: relative dates ("2 hours ago") are resolved against it, and dates
/// after it (beyond clock skew) are not the article's.
pub fn extract_at(html: &str, page_url: Option<&str>, fetched_at: DateTime<Utc>) -> Result<Article, ExtractError> {
    if let Some(depth) = crate::guard::too_deep(html, crate::guard::MAX_DEPTH) {
        return Err(ExtractError::TooDeep {
            depth,
            limit: crate::guard::MAX_DEPTH,
        });
    }
    with_body(html, page_url, |dom, ld, article, selection| {
        finish(dom, ld, article, selection, page_url, fetched_at)
    })
}

/// Parses a page, fills the metadata read before the body and chooses the body, then hands all of it to `then`: the
/// one way in for extraction and for the date finder's debug view.
fn with_body<R>(
    html: &str,
    page_url: Option<&str>,
    then: impl FnOnce(&Dom, &meta::JsonLd, Article, content::Selection) -> R,
) -> R {
    let doc = Html::parse_document(html);
    let mut dom = Dom::build(&doc);
    let ld = meta::json_ld(&dom.harvest.json_ld);
    let mut article = Article::default();
    meta::fill(&mut article, &dom, &ld, page_url);
    let selection = body(&mut dom, &mut article);
    then(&dom, &ld, article, selection)
}

/// The second half of extraction: the metadata that needs the body, the body's clean-up, the language.
fn finish(
    dom: &Dom,
    ld: &meta::JsonLd,
    mut article: Article,
    selection: content::Selection,
    page_url: Option<&str>,
    fetched_at: DateTime<Utc>,
) -> Result<Article, ExtractError> {
    meta::fill_after_body(
        &mut article,
        dom,
        ld,
        page_url,
        selection.headline,
        &selection.regions,
        fetched_at,
    );
    drop_byline_blocks(&mut article);
    drop_repeated_blocks(&mut article.blocks);
    cross_check_body(&mut article, ld.body.as_deref());
    let text = article
        .blocks
        .iter()
        .map(|b| b.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let sample = if text.trim().is_empty() {
        article.description.clone().unwrap_or_default()
    } else {
        text
    };
    if let Some((lang, src)) = lang::decide(meta::declared_language(dom, ld), &sample) {
        article.language = Some(lang);
        article.sources.insert("language", src);
    }
    Ok(article)
}

/// Chooses the body and fills `article.blocks` with it.
fn body(dom: &mut Dom, article: &mut Article) -> content::Selection {
    let mut selection = content::select(dom, true, article.title.as_deref());
    article.blocks = content::emit(dom, &selection, article.title.as_deref());
    if chars(&article.blocks) < RETRY_BELOW {
        // Class words may have hidden the article itself (a post container named after its widget or category).
        let retry = content::select(dom, false, article.title.as_deref());
        let blocks = content::emit(dom, &retry, article.title.as_deref());
        if chars(&blocks) > 3 * chars(&article.blocks) {
            article.blocks = blocks;
            selection = retry;
        }
    }
    selection
}

/// The date finder's view of a page (every candidate date with its source, tier and role; the URL's date; the
/// headline), for debugging the finder.
#[doc(hidden)]
pub fn explain_dates(html: &str, page_url: Option<&str>, fetched_at: DateTime<Utc>) -> String {
    with_body(html, page_url, |dom, ld, article, selection| {
        let cx = meta::date_context(
            &article,
            dom,
            page_url,
            selection.headline,
            &selection.regions,
            fetched_at,
        );
        meta::dates::explain(dom, ld, &cx)
    })
}

/// Scoring details for a page (the best candidates and the chosen containers with their ancestors), for
/// debugging the extractor.
#[doc(hidden)]
pub fn explain(html: &str, trust_classes: bool) -> String {
    let doc = Html::parse_document(html);
    let mut dom = Dom::build(&doc);
    let ld = meta::json_ld(&dom.harvest.json_ld);
    let mut article = Article::default();
    meta::fill(&mut article, &dom, &ld, None);
    content::explain(&mut dom, trust_classes, article.title.as_deref())
}

/// Bylines repeated as chrome at the top of the body ("By Jane Doe", "Posted by Jane Doe") are metadata, not text.
fn drop_byline_blocks(article: &mut Article) {
    let mut seen = 0;
    article.blocks.retain(|b| {
        seen += 1;
        let t = b.text.trim();
        let lower = t.to_lowercase();
        let byline = ["by ", "posted by ", "written by ", "words by "]
            .iter()
            .any(|p| lower.starts_with(p));
        let author = article.authors.iter().any(|a| t == a.as_str());
        !(seen <= 3 && b.kind == BlockKind::Paragraph && t.chars().count() <= 60 && (byline || author))
    });
}

/// A run of paragraphs that comes again word for word is a second copy of the article (a print or mobile version),
/// not more text. Only runs count: a paragraph is dropped when it and a neighbouring paragraph both repeat an earlier pair, so a
/// quote or caption repeated on its own stays, and so does one paragraph repeated in a row.
fn drop_repeated_blocks(blocks: &mut Vec<Block>) {
    let mut first: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut repeated = vec![false; blocks.len()];
    for (j, b) in blocks.iter().enumerate() {
        if b.text.len() < 80 {
            continue;
        }
        let i = *first.entry(b.text.as_str()).or_insert(j);
        if i == j {
            continue;
        }
        let same = |a: usize, c: usize| {
            blocks
                .get(a)
                .zip(blocks.get(c))
                .is_some_and(|(x, y)| x.text.len() >= 80 && x.text == y.text)
        };
        let next_pair = same(i + 1, j + 1) && !same(j, j + 1);
        let prev_pair = i > 0 && same(i - 1, j - 1) && !same(j - 1, j);
        repeated[j] = next_pair || prev_pair;
    }
    let mut k = 0;
    blocks.retain(|_| {
        k += 1;
        !repeated[k - 1]
    });
}

/// A body shorter than this (bytes) is suspicious enough to retry without trusting class names.
const RETRY_BELOW: usize = 200;

fn chars(blocks: &[Block]) -> usize {
    blocks.iter().map(|b| b.text.len()).sum()
}

/// JSON-LD `articleBody` as a cross-check: when the page's own markup yields far less text than the publisher's
/// structured copy of the body (pages rendering the body with script, paywalls), the structured copy is used.
fn cross_check_body(article: &mut Article, body: Option<&str>) {
    let Some(body) = body else { return };
    let found: usize = article.blocks.iter().map(|b| b.text.len()).sum();
    if body.len() < 200 || found * 3 >= body.len() {
        return;
    }
    article.blocks = body
        .split('\n')
        .map(|p| {
            let mut t = String::new();
            crate::dom::push_collapsed(&mut t, p);
            t.trim().to_string()
        })
        .filter(|t| !t.is_empty())
        .map(|text| Block {
            kind: BlockKind::Paragraph,
            text,
        })
        .collect();
    article.sources.insert("blocks", Source::JsonLd);
}
