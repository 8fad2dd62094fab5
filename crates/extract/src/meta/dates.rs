//! The page's publication and update dates, from every source it offers, each with a known reliability.
//!
//! Candidates come from JSON-LD, `<meta>` names (Open Graph, Dublin Core, Parse.ly, Sailthru...), microdata
//! `itemprop`, `<time>` elements, date lines in elements whose class says date/byline/meta, the URL's date path, and
//! at last the page's running text. Each carries a tier (how far its kind can be trusted) and a role (published,
//! modified or either). Dates in comments, related-story teasers, sidebars, navigation and footers are not the
//! article's and are not collected. Dates after the fetch time (beyond clock skew) or before the web are dropped.
//! The published date is the best-tiered plausible candidate; a date in the URL overrides it only when the URL is
//! more specific (a day against a month or a year, or against a date read from running text).

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use gazette_dates::{Precision, Stamp};

use super::jsonld::JsonLd;
use crate::dates::{PageDate, Reliability, SKEW};
use crate::dom::{flag, Dom, Kind, Tag};
use crate::Source;

/// What a date is said to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Published,
    Modified,
    Either,
}

#[derive(Debug, Clone, Copy)]
struct Candidate {
    stamp: Stamp,
    source: Source,
    /// Higher is more trusted (see `tier` constants).
    tier: u8,
    role: Role,
}

/// JSON-LD article `datePublished` / `dateCreated`, `article:published_time` and the explicit publication names.
const T_STRUCTURED: u8 = 9;
/// Microdata `itemprop=datePublished` in the page, `<time pubdate>`.
const T_MICRODATA: u8 = 8;
/// A generic `<meta name=date>`, a `WebPage`'s date in JSON-LD.
const T_GENERIC: u8 = 5;
/// A `<time>` element or a date line near the headline (above a generic `<meta name=date>`, often the last edit).
const T_NEAR: u8 = 6;
/// A `<time>` element or a date-classed element elsewhere in the article.
const T_ELEMENT: u8 = 4;
/// A date in running text.
const T_TEXT: u8 = 2;

/// The page's dates: published and updated.
#[derive(Debug, Default)]
pub struct Found {
    pub published: Option<PageDate>,
    pub updated: Option<PageDate>,
}

/// Inputs beside the DOM.
pub struct Context<'a> {
    pub page_url: Option<&'a str>,
    pub canonical: Option<&'a str>,
    /// The headline's item, when the body finder found one.
    pub headline: Option<usize>,
    /// The body's regions (item ranges).
    pub body: &'a [(usize, usize)],
    pub now: DateTime<Utc>,
    /// Read `03/04/2021` month-first (US English).
    pub month_first: bool,
}

const PUBLISHED_METAS: &[&str] = &[
    "article:published_time",
    "og:published_time",
    "article:published",
    "published_time",
    "datepublished",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "datecreated",
    "citation_publication_date",
    "citation_date",
    "citation_online_date",
    "article.published",
    "article_date_original",
    "publication_date",
    "publish-date",
    "publish_date",
    "publishdate",
    "pubdate",
    "date_published",
    "og:pubdate",
    "originalpublicationdate",
    "cxenseparse:recs:publishtime",
    "rnews:datepublished",
    "bt:pubdate",
    "dc.date.published",
    "article:post_date",
    "date.release",
];

const GENERIC_METAS: &[&str] = &[
    "date",
    "dc.date",
    "dcterms.date",
    "dc:date",
    "created",
    "pdate",
    "ptime",
    "displaydate",
    "dc.created",
    "dc.date.available",
    "dcterms.available",
    "search_date",
    "shareaholic:article_published_time",
];

const MODIFIED_METAS: &[&str] = &[
    "article:modified_time",
    "og:updated_time",
    "og:modified_time",
    "article:modified",
    "datemodified",
    "dcterms.modified",
    "dc.date.modified",
    "dc.modified",
    "last-modified",
    "lastmod",
    "modified",
    "revised",
    "updated_time",
];

/// A site's own `<meta>` name for a publication date ("five_hundred_pixels:uploaded", "article:created").
fn other_date_key(key: &str) -> bool {
    key.len() <= 60
        && ["publish", "created", "uploaded", "pubdate", "releasedate", "issued"]
            .iter()
            .any(|w| key.contains(w))
        && !["modif", "update", "expir", "copyright", "end"]
            .iter()
            .any(|w| key.contains(w))
}

fn is_open_graph(key: &str) -> bool {
    key.starts_with("og:") || key.starts_with("article:")
}

/// Finds the page's published and updated dates.
pub fn find(dom: &Dom, ld: &JsonLd, cx: &Context) -> Found {
    let excluded = excluded_regions(dom, cx);
    let cands = candidates(dom, ld, cx, &excluded);
    choose(dom, cx, &excluded, cands)
}

/// Every candidate, one per line, the dates left out as another article's, and the choice (for the `explain`
/// example, debugging the finder).
pub fn explain(dom: &Dom, ld: &JsonLd, cx: &Context) -> String {
    use std::fmt::Write;
    let excluded = excluded_regions(dom, cx);
    let cands = candidates(dom, ld, cx, &excluded);
    let mut out = String::new();
    for c in &cands {
        let _ = writeln!(
            out,
            "{} {:?} {:?} tier {} {:?}",
            c.stamp.local, c.stamp.precision, c.source, c.tier, c.role
        );
    }
    for (i, it) in dom.items.iter().enumerate() {
        let Kind::Text(t) = it.kind else { continue };
        if excluded[i] != Away::Hard || !t.bytes().any(|b| b.is_ascii_digit()) {
            continue;
        }
        let Some(f) = gazette_dates::find_with(t, cx.now, cx.month_first).into_iter().next() else {
            continue;
        };
        // The outermost element of the left-out region says why.
        let mut top = it.parent as usize;
        while let Some(p) = dom.items.get(top).map(|p| p.parent as usize) {
            if excluded.get(p) != Some(&Away::Hard) {
                break;
            }
            top = p;
        }
        let why = match dom.items.get(top).map(|p| p.kind) {
            Some(Kind::Element { el, .. }) => format!(
                "<{} class={:?} id={:?}> item {top}",
                el.name(),
                el.attr("class").unwrap_or(""),
                el.attr("id").unwrap_or("")
            ),
            _ => String::new(),
        };
        let _ = writeln!(out, "away: {} item {i} in {why}", f.stamp.local);
    }
    let url = [cx.page_url, cx.canonical]
        .into_iter()
        .flatten()
        .find_map(|u| date_in_url(u, cx.month_first));
    let _ = writeln!(out, "url: {url:?}\nheadline: {:?}\nbody: {:?}", cx.headline, cx.body);
    let found = choose(dom, cx, &excluded, cands);
    let _ = writeln!(out, "published: {:?}\nupdated: {:?}", found.published, found.updated);
    out
}

fn candidates(dom: &Dom, ld: &JsonLd, cx: &Context, excluded: &[Away]) -> Vec<Candidate> {
    let mut cands: Vec<Candidate> = Vec::with_capacity(16);
    let mut push = |value: &str, source: Source, tier: u8, role: Role| {
        if let Some(stamp) = gazette_dates::parse(value) {
            cands.push(Candidate {
                stamp,
                source,
                tier,
                role,
            });
        }
    };
    if let Some(d) = &ld.published {
        push(d, Source::JsonLd, T_STRUCTURED, Role::Published);
    }
    if let Some(d) = &ld.modified {
        push(d, Source::JsonLd, T_STRUCTURED, Role::Modified);
    }
    if let Some(d) = &ld.other_published {
        push(d, Source::JsonLd, T_GENERIC, Role::Published);
    }
    for (key, value) in &dom.harvest.metas {
        let key = key.as_str();
        let source = if is_open_graph(key) {
            Source::OpenGraph
        } else {
            Source::Meta
        };
        if PUBLISHED_METAS.contains(&key) {
            push(value, source, T_STRUCTURED, Role::Published);
        } else if MODIFIED_METAS.contains(&key) {
            push(value, source, T_STRUCTURED, Role::Modified);
        } else if GENERIC_METAS.contains(&key) || other_date_key(key) {
            push(value, source, T_GENERIC, Role::Published);
        }
    }
    page_elements(dom, cx, excluded, &mut cands);
    cands
}

/// The date classes an element's `class` or `id` may carry.
fn date_class(el: &scraper::node::Element) -> Option<Role> {
    let mut role = None;
    for attr in [el.attr("class"), el.attr("id")].into_iter().flatten() {
        if attr.len() > 200 {
            continue;
        }
        let found = with_lowercase(attr, |a| {
            if a.contains("updated") || a.contains("modified") {
                return Some(Role::Modified);
            }
            // "publication", "publicado"; Drupal's "submitted" line ("Submitted by X on 3 December 2021").
            if a.contains("publish")
                || a.contains("publica")
                || a.contains("posted")
                || a.contains("pubdate")
                || a.contains("created")
                || a.contains("submitted")
            {
                return Some(Role::Published);
            }
            [
                "date", "datum", "time", "byline", "meta", "fecha", "data", "info", "author",
            ]
            .iter()
            .any(|w| a.contains(w))
            .then_some(Role::Either)
        });
        match found {
            Some(Role::Modified) => return Some(Role::Modified),
            Some(Role::Published) => role = Some(Role::Published),
            Some(Role::Either) if role.is_none() => role = Some(Role::Either),
            _ => {}
        }
    }
    role
}

/// Runs `f` on `s` lowercased (ASCII), without allocating for the short values class names and ids are.
fn with_lowercase<R>(s: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 128];
    match buf.get_mut(..s.len()) {
        Some(b) => {
            b.copy_from_slice(s.as_bytes());
            b.make_ascii_lowercase();
            // ASCII lowercasing keeps UTF-8 valid.
            f(std::str::from_utf8(b).unwrap_or_default())
        }
        None => f(&s.to_ascii_lowercase()),
    }
}

/// How far a region is from the article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Away {
    No,
    /// Page furniture by tag or class (`<aside>`, `<footer>`, a "footer" or "share" class): a post's own footer or
    /// meta box can carry its date, so a date element here counts inside the body or near the headline.
    Soft,
    /// Reader comments, related stories, teasers, navigation: never the article's.
    Hard,
}

/// Where the article is not, item by item (a region holding the headline or the body's start never is: a page-wide
/// wrapper named "content-sidebar-wrap").
fn excluded_regions(dom: &Dom, cx: &Context) -> Vec<Away> {
    let items = &dom.items;
    let anchor = cx.headline.or_else(|| cx.body.first().map(|r| r.0));
    let mut out = vec![Away::No; items.len()];
    for (i, it) in items.iter().enumerate() {
        let inherited = items
            .get(it.parent as usize)
            .map_or(Away::No, |_| out[it.parent as usize]);
        let own = match it.kind {
            Kind::Element { el, .. } if !anchor.is_some_and(|h| i <= h && h < it.end as usize) => {
                let name = el.name();
                // Class words are read only where the body finder already doubted the region (cheap test first).
                let elsewhere = || {
                    [el.attr("class"), el.attr("id")].into_iter().flatten().any(|a| {
                        with_lowercase(a, |a| {
                            [
                                "teaser",
                                "related",
                                "widget",
                                "more",
                                "popular",
                                "recommend",
                                "trending",
                                "outbrain",
                                "taboola",
                            ]
                            .iter()
                            .any(|w| a.contains(w))
                        })
                    })
                };
                if it.has(flag::COMMENT) || name == "nav" {
                    Away::Hard
                } else if it.has(flag::WEAK | flag::DROP) && elsewhere() {
                    // A CMS names its blocks after their widget or teaser template, the article's own date line
                    // too: a small box by the headline is the article's metadata, whatever its class says.
                    if inherited == Away::No && metadata_box(dom, i, anchor) {
                        Away::No
                    } else {
                        Away::Hard
                    }
                } else if matches!(name, "aside" | "footer")
                    || (it.has(flag::DROP) && !it.has(flag::BYLINE | flag::CAPTION))
                {
                    Away::Soft
                } else {
                    Away::No
                }
            }
            _ => Away::No,
        };
        out[i] = inherited.max(own);
    }
    out
}

/// Items a metadata box may stand from the headline (before it: a date line above the title; after it: under a
/// standfirst).
const METADATA_BOX_REACH: usize = 60;
/// The most text (non-space characters) a metadata box holds: a byline, a date and a few links.
const METADATA_BOX_TEXT: u32 = 150;

/// Whether element `i` is a small metadata box (a date line, a byline) beside or just under the headline (`anchor`,
/// else the body's start): a little text, and no heading in the branch that holds it apart from the headline (a
/// teaser of another article has that article's title; the page's own article shown as a teaser has the headline).
fn metadata_box(dom: &Dom, i: usize, anchor: Option<usize>) -> bool {
    let items = &dom.items;
    let Some(h) = anchor else { return false };
    if items[i].text > METADATA_BOX_TEXT || i + METADATA_BOX_REACH < h || i > h + METADATA_BOX_REACH {
        return false;
    }
    let holds_anchor = |p: usize| p <= h && h < items[p].end as usize;
    let mut branch = i;
    while let Some(p) = Some(items[branch].parent as usize).filter(|&p| p < items.len() && !holds_anchor(p)) {
        branch = p;
    }
    !items[branch..items[branch].end as usize]
        .iter()
        .any(|d| matches!(d.tag(), Some(Tag::Heading(_))))
}

/// `<time>`, microdata, hAtom `abbr` and date-classed elements in the page.
fn page_elements(dom: &Dom, cx: &Context, excluded: &[Away], cands: &mut Vec<Candidate>) {
    let items = &dom.items;
    if items.is_empty() {
        return;
    }
    let near = |i: usize| -> bool {
        let by_headline = cx.headline.is_some_and(|h| i + 60 >= h && i <= h + 120);
        let by_body = cx.body.first().is_some_and(|&(s, _)| i + 60 >= s && i <= s + 120);
        by_headline || by_body
    };
    let in_body = |i: usize| cx.body.iter().any(|&(s, e)| s <= i && i < e);
    // The date-classed elements already read (their descendants are not read again).
    let mut read_until = 0usize;
    for (i, it) in items.iter().enumerate() {
        let Kind::Element { el, tag } = it.kind else { continue };
        match excluded[i] {
            Away::Hard => continue,
            Away::Soft if !(in_body(i) || near(i)) => continue,
            _ => {}
        }
        let name = el.name();
        // Microdata `itemprop`, or RDFa `property` (`schema:dateCreated`, `dc:date`).
        let itemprop = el
            .attr("itemprop")
            .or_else(|| el.attr("property"))
            .map(|p| p.rsplit([':', '/']).next().unwrap_or(p).to_ascii_lowercase());
        let prop_role = match itemprop.as_deref() {
            Some("datepublished" | "datecreated" | "uploaddate" | "created" | "issued") => Some(Role::Published),
            Some("datemodified" | "modified") => Some(Role::Modified),
            _ => None,
        };
        if let Some(role) = prop_role {
            let value = el.attr("content").or_else(|| el.attr("datetime"));
            let text;
            let value = match value {
                Some(v) => v,
                None => {
                    text = dom.subtree_text(i);
                    &text
                }
            };
            if let Some(stamp) = gazette_dates::parse(value) {
                cands.push(Candidate {
                    stamp,
                    source: Source::Html,
                    tier: T_MICRODATA,
                    role,
                });
            }
            continue;
        }
        if name == "time" {
            let class_role = date_class(el).unwrap_or(Role::Either);
            let pubdate = el.attr("pubdate").is_some();
            let value = el
                .attr("datetime")
                .map(str::to_string)
                .unwrap_or_else(|| dom.subtree_text(i));
            let mut role = if pubdate { Role::Published } else { class_role };
            if role == Role::Either {
                role = role_from_words(&line_before(dom, i));
            }
            if let Some(stamp) = gazette_dates::parse(&value) {
                let tier = if pubdate {
                    T_MICRODATA
                } else if near(i) {
                    T_NEAR
                } else {
                    T_ELEMENT
                };
                cands.push(Candidate {
                    stamp,
                    source: Source::Time,
                    tier,
                    role,
                });
            }
            continue;
        }
        // hAtom: `<abbr class="published" title="2021-12-03T21:15:00Z">`, also on a `<span>`.
        if el.attr("title").is_some_and(|t| t.len() <= 40) {
            if let (Some(role), Some(title)) = (date_class(el), el.attr("title")) {
                if let Some(stamp) = gazette_dates::parse(title) {
                    cands.push(Candidate {
                        stamp,
                        source: Source::Html,
                        tier: T_ELEMENT,
                        role,
                    });
                }
            }
        }
        if i < read_until || !tag.is_block() && tag != Tag::Inline {
            continue;
        }
        let Some(class_role) = date_class(el).or_else(|| it.has(flag::BYLINE).then_some(Role::Either)) else {
            continue;
        };
        // A date line is short: a box that holds a whole post is not one.
        if it.text > 300 || it.text == 0 && !matches!(it.kind, Kind::Element { .. }) {
            continue;
        }
        let text = dom.subtree_text(i);
        if text.is_empty() || text.chars().count() > 400 {
            continue;
        }
        read_until = it.end as usize;
        // A relative date ("vor 2 Stunden", "heute") counts only as a whole short date line, not inside a menu.
        let short = text.chars().count() <= 60;
        for f in gazette_dates::find_with(&text, cx.now, cx.month_first) {
            if f.relative && !short {
                continue;
            }
            let role = match class_role {
                Role::Either => role_from_words(&text[..f.start]),
                r => r,
            };
            cands.push(Candidate {
                stamp: f.stamp,
                source: Source::Text,
                tier: if f.relative {
                    T_TEXT
                } else if near(i) {
                    T_NEAR
                } else {
                    T_ELEMENT
                },
                role,
            });
        }
    }
    labelled_lines(dom, cx, excluded, near, cands);
}

/// Labelled date lines in plain text: "Erstellt am: 01.11.2023", "Published on 3 December 2021", "Gespeichert von
/// jo am 24. Juli 2017", or a "Mise en ligne" cell just before a cell holding the date. The label names the
/// publication (or the last update), so the line counts wherever it stands outside comments and teasers (a post's
/// footer too), near the headline or in the body as a date line there, elsewhere as a date element. A line is
/// short: a sentence of the body that cites another publication ("the report, published on 3 March") is not one.
fn labelled_lines(
    dom: &Dom,
    cx: &Context,
    excluded: &[Away],
    near: impl Fn(usize) -> bool,
    cands: &mut Vec<Candidate>,
) {
    let items = &dom.items;
    // The text item before the current one, for a label in the cell before the date.
    let mut prev: &str = "";
    for (i, it) in items.iter().enumerate() {
        let Kind::Text(t) = it.kind else { continue };
        let Some(first_digit) = t.bytes().position(|b| b.is_ascii_digit()) else {
            if !t.trim().is_empty() {
                prev = t;
            }
            continue;
        };
        let before = prev;
        prev = t;
        if excluded[i] == Away::Hard || t.len() > 240 {
            continue;
        }
        let parent_text = items.get(it.parent as usize).map_or(0, |p| p.text);
        if parent_text > 150 {
            continue;
        }
        let lead = &t[..first_digit];
        // The label in this text, or (the date alone in its cell) in the text before.
        let label = if lead.trim().chars().count() >= 3 {
            role_from_words(lead)
        } else {
            let tail_start = before.len().saturating_sub(48);
            let tail_start = (tail_start..before.len())
                .find(|&k| before.is_char_boundary(k))
                .unwrap_or(before.len());
            role_from_words(&format!("{} {lead}", &before[tail_start..]))
        };
        if label == Role::Either {
            continue;
        }
        let Some(f) = gazette_dates::find_with(t, cx.now, cx.month_first)
            .into_iter()
            .find(|f| !f.relative && f.stamp.has_day())
        else {
            continue;
        };
        // The label stands right before the date (no other words' worth of text between them).
        if f.start > first_digit + 24 {
            continue;
        }
        let in_body = cx.body.iter().any(|&(s, e)| s <= i && i < e);
        // An update line ("Letzte Änderung: 14.01.2022", a wiki's "last edited on") is kept as a date element
        // wherever it stands: it bounds the publication from above, better than a day read in running text.
        let tier = if label == Role::Published && (near(i) || in_body) {
            T_NEAR
        } else {
            T_ELEMENT
        };
        cands.push(Candidate {
            stamp: f.stamp,
            source: Source::Text,
            tier,
            role: label,
        });
    }
}

/// The text just before item `i` within its parent (a label such as "Updated:" before a `<time>`).
fn line_before(dom: &Dom, i: usize) -> String {
    let p = dom.items[i].parent as usize;
    if p >= dom.items.len() {
        return String::new();
    }
    let mut out = String::new();
    for it in &dom.items[p..i] {
        if let Kind::Text(t) = it.kind {
            out.push_str(t);
            out.push(' ');
        }
    }
    let start = out.len().saturating_sub(60);
    let start = (start..out.len())
        .find(|&k| out.is_char_boundary(k))
        .unwrap_or(out.len());
    out[start..].to_string()
}

/// Words before a date that say what it is: "Updated", "Aktualisiert" -> modified; "Published", "Veröffentlicht"
/// -> published.
fn role_from_words(before: &str) -> Role {
    let tail: String = before
        .chars()
        .rev()
        .take(40)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<String>()
        .to_lowercase();
    const MODIFIED: &[&str] = &[
        "updated",
        "update",
        "modified",
        "aktualisiert",
        "geändert",
        "zuletzt",
        "stand",
        "mis à jour",
        "actualizado",
        "actualización",
        "aggiornato",
        "bijgewerkt",
        "atualizado",
        "last edited",
        "edited",
    ];
    const PUBLISHED: &[&str] = &[
        "published",
        "mise en ligne",
        "posted",
        "veröffentlicht",
        "erstellt",
        "publié",
        "publicado",
        "pubblicato",
        "gepubliceerd",
        "erschienen",
        "created",
    ];
    // The word closest to the date decides.
    let last = |words: &[&str]| words.iter().filter_map(|w| tail.rfind(w)).max();
    match (last(MODIFIED), last(PUBLISHED)) {
        (Some(m), Some(p)) if m > p => Role::Modified,
        (Some(_), None) => Role::Modified,
        (_, Some(_)) => Role::Published,
        _ => Role::Either,
    }
}

/// A date path in a URL: `/2021/12/03/`, `/2021-12-03-slug`, `/20211203/`, day-first `/03-12-2021-slug` (read
/// month-first on US English pages when both numbers could be the month), or less precise `/2021/12/`.
pub fn date_in_url(u: &str, month_first: bool) -> Option<Stamp> {
    let path_start = u
        .find("://")
        .map_or(0, |p| u[p + 3..].find('/').map_or(u.len(), |q| p + 3 + q));
    let b = u.as_bytes();
    let digits = |s: usize, n: usize| {
        b.get(s..s + n).is_some_and(|x| x.iter().all(u8::is_ascii_digit))
            && !b.get(s + n).is_some_and(u8::is_ascii_digit)
    };
    let num = |s: usize, n: usize| -> u32 { u[s..s + n].parse().unwrap_or(0) };
    let mut month_only: Option<Stamp> = None;
    for i in path_start..b.len() {
        if matches!(b[i], b'/' | b'-' | b'_' | b'~') && digits(i + 1, 2) {
            let sep = b.get(i + 3).copied();
            if matches!(sep, Some(b'-' | b'.' | b'_'))
                && digits(i + 4, 2)
                && b.get(i + 6).copied() == sep
                && digits(i + 7, 4)
            {
                let (a, c, y) = (num(i + 1, 2), num(i + 4, 2), num(i + 7, 4) as i32);
                let (d, m) = if a > 12 || (c <= 12 && !month_first) {
                    (a, c)
                } else {
                    (c, a)
                };
                if (1991..2100).contains(&y) {
                    if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
                        return Some(day_stamp(date, Precision::Day));
                    }
                }
            }
        }
        if !matches!(b[i], b'/' | b'-' | b'_') || !digits(i + 1, 4) && !digits(i + 1, 8) {
            continue;
        }
        if digits(i + 1, 8) {
            let (y, m, d) = (num(i + 1, 4) as i32, num(i + 5, 2), num(i + 7, 2));
            if (1991..2100).contains(&y) {
                if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
                    return Some(day_stamp(date, Precision::Day));
                }
            }
            continue;
        }
        let y = num(i + 1, 4) as i32;
        if !(1991..2100).contains(&y) {
            continue;
        }
        let sep = b.get(i + 5).copied();
        if !matches!(sep, Some(b'/' | b'-' | b'_')) {
            continue;
        }
        let mlen = if digits(i + 6, 2) {
            2
        } else if digits(i + 6, 1) {
            1
        } else {
            continue;
        };
        let m = num(i + 6, mlen);
        if !(1..=12).contains(&m) {
            continue;
        }
        let after_m = i + 6 + mlen;
        if b.get(after_m).copied() == sep {
            let dlen = if digits(after_m + 1, 2) {
                2
            } else if digits(after_m + 1, 1) {
                1
            } else {
                0
            };
            // One digit and a hyphen after the month is a slug's start ("/2023/10/3-fragen", "/2021/12/5-ways"):
            // a path that writes the day with one digit ends it with the path's separator.
            let dlen = if dlen == 1 && sep == Some(b'/') && matches!(b.get(after_m + 2), Some(b'-' | b'_')) {
                0
            } else {
                dlen
            };
            if dlen > 0 {
                if let Some(date) = NaiveDate::from_ymd_opt(y, m, num(after_m + 1, dlen)) {
                    return Some(day_stamp(date, Precision::Day));
                }
            }
        }
        if month_only.is_none() && matches!(b.get(after_m), Some(b'/') | None) {
            month_only = NaiveDate::from_ymd_opt(y, m, 1).map(|d| day_stamp(d, Precision::Month));
        }
    }
    month_only
}

fn day_stamp(date: NaiveDate, precision: Precision) -> Stamp {
    Stamp {
        local: date.and_hms_opt(0, 0, 0).expect("midnight exists"),
        offset: None,
        precision,
    }
}

fn reliability(c: &Candidate) -> Reliability {
    match c.tier {
        T_STRUCTURED | T_MICRODATA => Reliability::Strong,
        T_GENERIC | T_NEAR | T_ELEMENT => Reliability::Fair,
        _ => Reliability::Weak,
    }
}

fn to_page_date(c: &Candidate) -> PageDate {
    PageDate {
        at: c.stamp.utc(),
        day: c.stamp.date(),
        precision: c.stamp.precision,
        source: c.source,
        reliability: reliability(c),
    }
}

/// Chooses among the candidates.
fn choose(dom: &Dom, cx: &Context, excluded: &[Away], mut cands: Vec<Candidate>) -> Found {
    cands.retain(|c| gazette_dates::plausible(c.stamp.utc(), cx.now, SKEW));
    let url = [cx.page_url, cx.canonical]
        .into_iter()
        .flatten()
        .filter_map(|u| date_in_url(u, cx.month_first))
        .max_by_key(|s| s.precision)
        .filter(|s| gazette_dates::plausible(s.utc(), cx.now, SKEW));
    let best = |role: Role, cands: &[Candidate]| -> Option<Candidate> {
        let mut best: Option<Candidate> = None;
        for c in cands
            .iter()
            .filter(|c| c.role == role || c.role == Role::Either && role == Role::Published)
        {
            if !c.stamp.has_day() {
                continue;
            }
            // Ties go to the earlier in document order for published dates (the first date line is the
            // article's; later ones are comments or updates).
            if best.is_none_or(|b| c.tier > b.tier) {
                best = Some(*c);
            }
        }
        best
    };
    let mut published = best(Role::Published, &cands);
    if let Some(u) = url {
        match (published, u.precision) {
            (None, Precision::Day) => {
                published = Some(Candidate {
                    stamp: u,
                    source: Source::Url,
                    tier: T_STRUCTURED,
                    role: Role::Published,
                })
            }
            // The URL's day is more specific than a date read from text; a markup date of a day or better stands.
            (Some(p), Precision::Day) if p.stamp.date() != u.date() && p.tier <= T_TEXT => {
                published = Some(Candidate {
                    stamp: u,
                    source: Source::Url,
                    tier: T_STRUCTURED,
                    role: Role::Published,
                });
            }
            // A date path is written once, when the article first appears; markup dating it days later is a
            // re-publication (a move to another CMS stamps every article anew).
            (Some(p), Precision::Day) if (p.stamp.date() - u.date()).num_days() > 1 => {
                published = Some(Candidate {
                    stamp: u,
                    source: Source::Url,
                    tier: T_STRUCTURED,
                    role: Role::Published,
                });
            }
            (Some(p), Precision::Month)
                if (p.stamp.date().year(), p.stamp.date().month()) != (u.date().year(), u.date().month()) =>
            {
                // A URL naming the month: a candidate from that month is preferred.
                let in_month = cands
                    .iter()
                    .filter(|c| c.role != Role::Modified && c.stamp.has_day())
                    .filter(|c| (c.stamp.date().year(), c.stamp.date().month()) == (u.date().year(), u.date().month()))
                    .max_by_key(|c| c.tier);
                if let Some(c) = in_month {
                    published = Some(*c);
                }
            }
            _ => {}
        }
    }
    // The date line shown next to the headline, when it names the day of another structured date (the page shows
    // its update as its date): that day is the one readers see, and the one the page is dated by.
    if let Some(p) = published {
        let markup = |c: &Candidate| c.tier >= T_MICRODATA || c.tier == T_GENERIC;
        let on_page = |c: &Candidate| matches!(c.tier, T_MICRODATA | T_NEAR | T_ELEMENT);
        // Unless the page also shows the published day (a "published ... updated ..." pair).
        let published_shown = cands
            .iter()
            .any(|c| on_page(c) && c.role != Role::Modified && c.stamp.date() == p.stamp.date());
        let shown = cands.iter().find(|c| c.tier == T_NEAR && c.stamp.has_day());
        if let Some(s) = shown.filter(|s| s.stamp.date() != p.stamp.date() && !published_shown) {
            let backed = cands
                .iter()
                .filter(|c| markup(c) && c.stamp.date() == s.stamp.date())
                .max_by_key(|c| (c.tier, c.stamp.precision));
            if let Some(b) = backed {
                published = Some(Candidate {
                    role: Role::Published,
                    ..*b
                });
            }
        }
    }
    let mut updated = best(Role::Modified, &cands);
    if published.is_none() {
        // An update date on the date line by the headline says more than a date read in running text (as often a
        // day the article is about): the article was published by then. (A metadata modification time does not:
        // pages are re-saved for reasons of their own.)
        published = updated
            .filter(|u| matches!(u.tier, T_NEAR | T_ELEMENT))
            .or_else(|| text_date(dom, cx, excluded));
    }
    if let (Some(u), Some(p)) = (updated, published) {
        if u.stamp.utc() < p.stamp.utc() {
            updated = None;
        }
    }
    if published.is_none() {
        // Only an update date: the article was published by then, and that is the best that can be said.
        published = updated;
    }
    // A URL's day a day off the markup's is the same publication seen from another zone (a US evening stamped in
    // UTC): the day as the URL writes it is the publisher's. A stamp in the publisher's own zone (an offset other
    // than UTC's) already writes the publisher's day.
    let in_utc = published.is_some_and(|p| matches!(p.stamp.offset, None | Some(0)));
    let mut published = published.as_ref().map(to_page_date);
    if let (Some(p), Some(u)) = (published.as_mut(), url) {
        if in_utc && u.precision == Precision::Day && (p.day - u.date()).num_days().abs() == 1 {
            p.day = u.date();
        }
    }
    Found {
        published,
        updated: updated.as_ref().map(to_page_date),
    }
}

/// The first date in the article's running text, near the headline first, else anywhere outside boilerplate (in page
/// furniture close after the body, a line holding a date alone).
fn text_date(dom: &Dom, cx: &Context, excluded: &[Away]) -> Option<Candidate> {
    let start = cx.headline.or_else(|| cx.body.first().map(|r| r.0)).unwrap_or(0);
    let order = (start..dom.items.len()).chain(0..start);
    // Furniture close after the body's end is the post's own (its footer, its share bar).
    let body_end = cx.body.iter().map(|r| r.1).max().unwrap_or(0);
    let post_footer = |i: usize| i >= start && i < body_end + 60;
    for i in order {
        let furniture = match excluded[i] {
            Away::Hard => continue,
            Away::Soft if post_footer(i) => true,
            Away::Soft => continue,
            Away::No => false,
        };
        let Kind::Text(t) = dom.items[i].kind else { continue };
        if !t.bytes().any(|b| b.is_ascii_digit()) {
            continue;
        }
        if let Some(f) = gazette_dates::find_with(t, cx.now, cx.month_first)
            .into_iter()
            .find(|f| !f.relative && f.stamp.has_day() && gazette_dates::plausible(f.stamp.utc(), cx.now, SKEW))
        {
            // In a post's footer or share bar only a line that is nothing but a date (the post's own).
            if furniture && !(t[..f.start].trim().is_empty() && t[f.end..].trim().is_empty()) {
                continue;
            }
            return Some(Candidate {
                stamp: f.stamp,
                source: Source::Text,
                tier: T_TEXT,
                role: Role::Published,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url_day(u: &str) -> Option<String> {
        date_in_url(u, false).map(|s| format!("{} {:?}", s.date(), s.precision))
    }

    #[test]
    fn url_dates() {
        assert_eq!(url_day("https://x.com/2021/12/03/story"), Some("2021-12-03 Day".into()));
        assert_eq!(
            url_day("https://x.com/news/2021-12-03-story"),
            Some("2021-12-03 Day".into())
        );
        assert_eq!(url_day("https://x.com/20211203/story"), Some("2021-12-03 Day".into()));
        assert_eq!(url_day("https://x.com/2021/12/story"), Some("2021-12-01 Month".into()));
        assert_eq!(url_day("https://x.com/2017/7/12/story"), Some("2017-07-12 Day".into()));
        assert_eq!(
            url_day("https://x.com/2023/10/3-fragen-an-jo/"),
            Some("2023-10-01 Month".into())
        );
        assert_eq!(url_day("https://2021.com/1234/12/03"), None);
        assert_eq!(url_day("https://x.com/story-123456789"), None);
        // Day-first, as German press releases write it; unambiguous either way when the first number passes 12.
        assert_eq!(
            url_day("https://x.de/meldungen/~02-01-2022-land"),
            Some("2022-01-02 Day".into())
        );
        assert_eq!(
            url_day("https://x.de/meldungen/29-10-2021"),
            Some("2021-10-29 Day".into())
        );
        assert_eq!(
            date_in_url("https://x.com/news/12-03-2021-story", true).map(|s| s.date().to_string()),
            Some("2021-12-03".into())
        );
        assert_eq!(url_day("https://x.com/v/10-12-1234"), None);
    }

    #[test]
    fn words_before_a_date_say_its_role() {
        assert_eq!(role_from_words("Published 3 Dec, updated "), Role::Modified);
        assert_eq!(role_from_words("Veröffentlicht am "), Role::Published);
        assert_eq!(role_from_words("by Jane Doe | "), Role::Either);
    }
}
