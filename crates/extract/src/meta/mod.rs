//! Article metadata from the sources a page offers, each value with its provenance.
//!
//! Publishers describe an article several times over: JSON-LD (`NewsArticle` and friends), OpenGraph and Twitter
//! cards, plain `<meta>` tags, `<time datetime>`, the URL's date path and the visible byline. They disagree in
//! quality rather than in substance, so each field takes the first source that yields a usable value in an order
//! that favours the most structured one, and records which it was in [`Article::sources`](crate::Article).
//!
//! One file per job: [`jsonld`] reads the structured data, [`text`] makes markup strings fit to store (character
//! references, whitespace), [`titles`] the headline without the site's name, [`bylines`] the authors and agencies,
//! [`dates`] the publication and update dates, [`images`] the lead image and its caption.
//!
//! [`fill`] runs before the body is chosen (the title anchors that choice); [`fill_after_body`] runs after it, since
//! the dates near the headline and the lead figure are found relative to the headline and the body.

pub mod bylines;
pub mod dates;
pub mod images;
pub mod jsonld;
pub mod text;
pub mod titles;

use chrono::{DateTime, Utc};
use url::Url;

pub use jsonld::{json_ld, JsonLd};
use text::{clean, resolve};

use crate::article::{Article, Source};
use crate::dom::{flag, Dom, Tag};

/// The `<meta>` content of the first of `keys` that the page has with a non-empty value.
fn meta<'d>(dom: &'d Dom, keys: &[&str]) -> Option<&'d str> {
    keys.iter().find_map(|k| {
        dom.harvest
            .metas
            .iter()
            .find(|(mk, c)| mk == k && !c.trim().is_empty())
            .map(|(_, c)| *c)
    })
}

/// The host of the page (or of its canonical URL), for recognising the site's name in titles.
fn host_of(a: &Article, page_url: Option<&str>) -> Option<String> {
    page_url
        .or(a.canonical_url.as_deref())
        .and_then(|u| Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_string))
}

/// Fills the fields that need no knowledge of the body: canonical URL, site name, title, authors, image and
/// description.
pub fn fill(a: &mut Article, dom: &Dom, ld: &JsonLd, page_url: Option<&str>) {
    let h = &dom.harvest;
    let base = page_url.and_then(|u| Url::parse(u).ok());
    let set = |a: &mut Article, field: &'static str, src: Source| {
        a.sources.insert(field, src);
    };

    // Canonical URL first: it is the base for the others when the page URL is unknown.
    let canonical = h
        .links
        .iter()
        .find(|(rel, _)| {
            rel.split_ascii_whitespace()
                .any(|r| r.eq_ignore_ascii_case("canonical"))
        })
        .and_then(|(_, href)| resolve(base.as_ref(), href))
        .map(|u| (u, Source::Html))
        .or_else(|| {
            meta(dom, &["og:url"])
                .and_then(|u| resolve(base.as_ref(), u))
                .map(|u| (u, Source::OpenGraph))
        })
        .or_else(|| page_url.and_then(|u| resolve(None, u)).map(|u| (u, Source::Url)));
    if let Some((u, s)) = canonical {
        a.canonical_url = Some(u);
        set(a, "canonical_url", s);
    }
    let base = base.or_else(|| a.canonical_url.as_deref().and_then(|u| Url::parse(u).ok()));

    // Site name before title, so the title can lose a "| Site" suffix.
    let site = meta(dom, &["og:site_name"])
        .and_then(clean)
        .map(|s| (s, Source::OpenGraph))
        .or_else(|| ld.publisher.as_deref().and_then(clean).map(|s| (s, Source::JsonLd)))
        .or_else(|| {
            meta(dom, &["application-name", "twitter:site"])
                .and_then(clean)
                .map(|s| (s, Source::Meta))
        });
    if let Some((s, src)) = site {
        a.site_name = Some(s);
        set(a, "site_name", src);
    }

    let host = host_of(a, page_url);
    let (site, host) = (a.site_name.as_deref(), host.as_deref());
    let structured = |t: String| titles::drop_site_name(&t, site, host);
    let h1 = dom.items.iter().enumerate().find_map(|(i, it)| {
        (it.tag() == Some(Tag::Heading(1)) && !it.has(flag::DROP))
            .then(|| dom.subtree_text(i))
            .filter(|t| !t.is_empty())
    });
    let title = ld
        .headline
        .as_deref()
        .and_then(clean)
        .map(|t| (structured(t), Source::JsonLd))
        .or_else(|| {
            meta(dom, &["og:title"])
                .and_then(clean)
                .map(|t| (structured(t), Source::OpenGraph))
        })
        .or_else(|| {
            meta(dom, &["twitter:title", "title", "dc.title"])
                .and_then(clean)
                .map(|t| (structured(t), Source::Meta))
        })
        .or_else(|| {
            h.title
                .as_deref()
                .and_then(clean)
                .map(|t| (titles::strip_site(&t, site, host, &titles::headings(dom)), Source::Html))
        })
        .or_else(|| h1.clone().map(|t| (t, Source::Html)));
    if let Some((t, s)) = title {
        a.title = Some(t);
        set(a, "title", s);
    }

    fill_authors(a, dom, ld);

    let image = meta(dom, &["og:image", "og:image:url", "og:image:secure_url"])
        .and_then(|u| resolve(base.as_ref(), u))
        .map(|u| (u, Source::OpenGraph))
        .or_else(|| {
            ld.image
                .as_deref()
                .and_then(|u| resolve(base.as_ref(), u))
                .map(|u| (u, Source::JsonLd))
        })
        .or_else(|| {
            meta(dom, &["twitter:image", "twitter:image:src", "thumbnailurl"])
                .and_then(|u| resolve(base.as_ref(), u))
                .map(|u| (u, Source::Meta))
        });
    if let Some((u, s)) = image {
        a.image_url = Some(u);
        set(a, "image_url", s);
    }

    let description = meta(dom, &["description"])
        .and_then(clean)
        .map(|d| (d, Source::Meta))
        .or_else(|| {
            meta(dom, &["og:description"])
                .and_then(clean)
                .map(|d| (d, Source::OpenGraph))
        })
        .or_else(|| ld.description.as_deref().and_then(clean).map(|d| (d, Source::JsonLd)))
        .or_else(|| {
            meta(dom, &["twitter:description"])
                .and_then(clean)
                .map(|d| (d, Source::Meta))
        });
    if let Some((d, s)) = description {
        a.description = Some(d);
        set(a, "description", s);
    }
}

/// Authors and agencies: JSON-LD, then `<meta>` author names, then `rel=author` links and byline elements.
fn fill_authors(a: &mut Article, dom: &Dom, ld: &JsonLd) {
    let mut line = bylines::Byline::default();
    let mut src = Source::JsonLd;
    // JSON-LD: people are authors; an organisation is an author only when no person is named (a desk's byline,
    // "VOA News"); agencies are kept apart.
    for n in &ld.authors {
        let Some(name) = clean(&n.name) else { continue };
        let parsed = bylines::parse(&name);
        if bylines::is_agency(&name) || n.organisation {
            line.agencies.push(name);
        } else if !parsed.people.is_empty() {
            line.people.extend(parsed.people);
            line.agencies.extend(parsed.agencies);
        }
    }
    if line.people.is_empty() {
        let orgs: Vec<String> = ld
            .authors
            .iter()
            .filter(|n| n.organisation)
            .filter_map(|n| clean(&n.name))
            .filter(|n| !bylines::is_agency(n))
            .collect();
        if !orgs.is_empty() {
            line.agencies.retain(|g| !orgs.contains(g));
            line.people = orgs;
        }
    }
    if line.people.is_empty() {
        let m = meta(
            dom,
            &[
                "author",
                "article:author",
                "dc.creator",
                "byl",
                "sailthru.author",
                "parsely-author",
            ],
        );
        if let Some(m) = m.filter(|m| !m.contains("://")).and_then(clean) {
            let parsed = bylines::parse(&m);
            if !parsed.is_empty() {
                line.people = parsed.people;
                line.agencies.extend(parsed.agencies);
                src = Source::Meta;
            }
        }
    }
    if line.people.is_empty() {
        let parsed = bylines::from_page(dom);
        if !parsed.is_empty() {
            line.people = parsed.people;
            line.agencies.extend(parsed.agencies);
            src = Source::Byline;
        }
    }
    line.people.retain(|s| !s.is_empty() && s.chars().count() <= 80);
    line.people.dedup();
    line.agencies.dedup();
    if !line.people.is_empty() {
        a.authors = line.people;
        a.sources.insert("authors", src);
    }
    if !line.agencies.is_empty() {
        a.agencies = line.agencies;
        a.sources.insert("agencies", src);
    }
}

/// What the date finder needs beside the DOM. US English pages read `03/04/2021` month-first.
pub fn date_context<'a>(
    a: &'a Article,
    dom: &Dom,
    page_url: Option<&'a str>,
    headline: Option<usize>,
    body: &'a [(usize, usize)],
    fetched_at: DateTime<Utc>,
) -> dates::Context<'a> {
    let lang = dom.harvest.lang.unwrap_or("").to_ascii_lowercase();
    let month_first = lang == "en-us" || (lang == "en" && !page_url.is_some_and(|u| u.contains(".uk/")));
    dates::Context {
        page_url,
        canonical: a.canonical_url.as_deref(),
        headline,
        body,
        now: fetched_at,
        month_first,
    }
}

/// Fills the fields found relative to the headline and the body: dates and the lead image's caption.
pub fn fill_after_body(
    a: &mut Article,
    dom: &Dom,
    ld: &JsonLd,
    page_url: Option<&str>,
    headline: Option<usize>,
    body: &[(usize, usize)],
    fetched_at: DateTime<Utc>,
) {
    let cx = date_context(a, dom, page_url, headline, body, fetched_at);
    let found = dates::find(dom, ld, &cx);
    if let Some(p) = found.published {
        a.published = Some(p.at);
        a.published_evidence = Some(p);
        a.sources.insert("published", p.source);
    }
    if let Some(u) = found.updated {
        a.updated = Some(u.at);
        a.sources.insert("updated", u.source);
    }

    let base = page_url.or(a.canonical_url.as_deref()).and_then(|u| Url::parse(u).ok());
    let (caption, figure_image) = images::caption(dom, a.image_url.as_deref(), base.as_ref(), headline, body);
    if a.image_url.is_none() {
        if let Some(u) = figure_image {
            a.image_url = Some(u);
            a.sources.insert("image_url", Source::Html);
        }
    }
    if let Some(c) = caption.text {
        a.image_caption = Some(c);
        a.sources.insert("image_caption", Source::Html);
    }
    if let Some(c) = caption.credit {
        a.image_credit = Some(c);
        a.sources.insert("image_credit", Source::Html);
    }
}

/// Declared language: `<html lang>`, then `content-language`, `og:locale`, JSON-LD `inLanguage`.
pub fn declared_language(dom: &Dom, ld: &JsonLd) -> Option<(String, Source)> {
    let h = &dom.harvest;
    let meta = |k: &str| h.metas.iter().find(|(mk, _)| mk == k).map(|(_, c)| *c);
    let primary = |s: &str| {
        let p = s.trim().split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        (p.len() >= 2 && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_alphabetic())).then_some(p)
    };
    h.lang
        .and_then(primary)
        .map(|l| (l, Source::Html))
        .or_else(|| meta("content-language").and_then(primary).map(|l| (l, Source::Meta)))
        .or_else(|| meta("og:locale").and_then(primary).map(|l| (l, Source::OpenGraph)))
        .or_else(|| ld.language.as_deref().and_then(primary).map(|l| (l, Source::JsonLd)))
}
