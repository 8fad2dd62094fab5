//! Article metadata from the sources a page offers, each value with its provenance.
//!
//! Publishers describe an article several times over: JSON-LD (`NewsArticle` and friends), OpenGraph and Twitter
//! cards, plain `<meta>` tags, `<time datetime>`, the URL's date path and the visible byline. They disagree in
//! quality rather than in substance, so each field takes the first source that yields a usable value in an order
//! that favours the most structured one, and records which it was in [`Article::sources`](crate::Article).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::Value;
use url::Url;

use crate::article::{Article, Source};
use crate::dom::{flag, Dom, Kind, Tag};

/// The fields found in JSON-LD article objects (first non-empty value wins).
#[derive(Default, Debug)]
pub struct JsonLd {
    pub headline: Option<String>,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub authors: Vec<String>,
    pub publisher: Option<String>,
    pub image: Option<String>,
    pub language: Option<String>,
    pub description: Option<String>,
    pub body: Option<String>,
}

fn is_article_type(v: &Value) -> bool {
    let check = |s: &str| s.ends_with("Article") || s == "BlogPosting" || s == "Report" || s == "LiveBlogPosting";
    match v.get("@type") {
        Some(Value::String(s)) => check(s),
        Some(Value::Array(a)) => a.iter().any(|t| t.as_str().is_some_and(check)),
        _ => false,
    }
}

fn string_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Object(o) => o
            .get("name")
            .or_else(|| o.get("url"))
            .or_else(|| o.get("@id"))
            .and_then(string_of),
        Value::Array(a) => a.iter().find_map(string_of),
        _ => None,
    }
}

fn names_of(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| names_of(x, out)),
        Value::Object(o) => {
            if let Some(n) = o.get("name").and_then(string_of) {
                out.push(n);
            }
        }
        Value::String(s) if !s.trim().is_empty() && !s.contains("://") => out.push(s.trim().to_string()),
        _ => {}
    }
}

fn image_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Object(o) => o.get("url").or_else(|| o.get("contentUrl")).and_then(image_of),
        Value::Array(a) => a.iter().find_map(image_of),
        _ => None,
    }
}

fn collect_objects<'v>(v: &'v Value, out: &mut Vec<&'v Value>, depth: usize) {
    if depth > 6 {
        return;
    }
    match v {
        Value::Array(a) => a.iter().for_each(|x| collect_objects(x, out, depth + 1)),
        Value::Object(o) => {
            out.push(v);
            if let Some(g) = o.get("@graph") {
                collect_objects(g, out, depth + 1);
            }
            if let Some(m) = o.get("mainEntity") {
                collect_objects(m, out, depth + 1);
            }
        }
        _ => {}
    }
}

pub fn json_ld(scripts: &[String]) -> JsonLd {
    let mut out = JsonLd::default();
    for script in scripts {
        let Ok(v) = serde_json::from_str::<Value>(script.trim()) else {
            continue;
        };
        let mut objects = Vec::new();
        collect_objects(&v, &mut objects, 0);
        for o in objects.into_iter().filter(|o| is_article_type(o)) {
            let set = |slot: &mut Option<String>, key: &str| {
                if slot.is_none() {
                    *slot = o.get(key).and_then(string_of);
                }
            };
            set(&mut out.headline, "headline");
            set(&mut out.headline, "name");
            set(&mut out.published, "datePublished");
            set(&mut out.modified, "dateModified");
            set(&mut out.language, "inLanguage");
            set(&mut out.description, "description");
            set(&mut out.body, "articleBody");
            if out.publisher.is_none() {
                out.publisher = o.get("publisher").and_then(|p| p.get("name")).and_then(string_of);
            }
            if out.image.is_none() {
                out.image = o.get("image").and_then(image_of);
            }
            if out.authors.is_empty() {
                if let Some(a) = o.get("author") {
                    names_of(a, &mut out.authors);
                }
            }
        }
    }
    out
}

/// Parses the date formats seen in metadata; times without a zone are taken as UTC.
pub fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.len() < 8 || s.len() > 40 {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    let t = if s.as_bytes().get(10) == Some(&b' ') {
        format!("{}T{}", &s[..10], &s[11..])
    } else {
        s.to_string()
    };
    if let Ok(d) = DateTime::parse_from_rfc3339(&t) {
        return Some(d.with_timezone(&Utc));
    }
    for f in ["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z"] {
        if let Ok(d) = DateTime::parse_from_str(&t, f) {
            return Some(d.with_timezone(&Utc));
        }
    }
    let naive = t.trim_end_matches('Z');
    for f in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(naive, f) {
            return Some(d.and_utc());
        }
    }
    for f in ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(s.get(..10.min(s.len()))?, f) {
            return d.and_hms_opt(0, 0, 0).map(|d| d.and_utc());
        }
    }
    DateTime::parse_from_rfc2822(s).ok().map(|d| d.with_timezone(&Utc))
}

/// A `/YYYY/MM/DD/` (or `/YYYY-MM-DD`) date in a URL path.
fn date_in_url(u: &str) -> Option<DateTime<Utc>> {
    let b = u.as_bytes();
    for i in 0..b.len().saturating_sub(10) {
        if b[i] != b'/' {
            continue;
        }
        let digits = |s: usize, n: usize| b.get(s..s + n).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
        if digits(i + 1, 4) && matches!(b.get(i + 5), Some(b'/' | b'-')) && digits(i + 6, 2) {
            let sep = b[i + 5];
            if b.get(i + 8) == Some(&sep) && digits(i + 9, 2) {
                let y: i32 = u[i + 1..i + 5].parse().ok()?;
                let m: u32 = u[i + 6..i + 8].parse().ok()?;
                let d: u32 = u[i + 9..i + 11].parse().ok()?;
                if (1990..2100).contains(&y) {
                    return NaiveDate::from_ymd_opt(y, m, d)?
                        .and_hms_opt(0, 0, 0)
                        .map(|d| d.and_utc());
                }
            }
        }
    }
    None
}

fn resolve(base: Option<&Url>, href: &str) -> Option<String> {
    let href = href.trim();
    if href.is_empty() || href.starts_with("data:") || href.starts_with("javascript:") {
        return None;
    }
    match Url::parse(href) {
        Ok(u) => Some(u.to_string()),
        Err(_) => base.and_then(|b| b.join(href).ok()).map(|u| u.to_string()),
    }
}

fn clean(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    crate::dom::push_collapsed(&mut out, s);
    let out = out.trim();
    (!out.is_empty()).then(|| out.to_string())
}

/// Fills every metadata field of `a` from the page's sources.
pub fn fill(a: &mut Article, dom: &Dom, ld: &JsonLd, page_url: Option<&str>) {
    let h = &dom.harvest;
    let meta = |keys: &[&str]| -> Option<&str> {
        keys.iter().find_map(|k| {
            h.metas
                .iter()
                .find(|(mk, c)| mk == k && !c.trim().is_empty())
                .map(|(_, c)| *c)
        })
    };
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
            meta(&["og:url"])
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
    let site = meta(&["og:site_name"])
        .and_then(clean)
        .map(|s| (s, Source::OpenGraph))
        .or_else(|| ld.publisher.as_deref().and_then(clean).map(|s| (s, Source::JsonLd)))
        .or_else(|| {
            meta(&["application-name", "twitter:site"])
                .and_then(clean)
                .map(|s| (s, Source::Meta))
        });
    if let Some((s, src)) = site {
        a.site_name = Some(s);
        set(a, "site_name", src);
    }

    let h1 = dom.items.iter().enumerate().find_map(|(i, it)| {
        (it.tag() == Some(Tag::Heading(1)) && !it.has(flag::DROP))
            .then(|| dom.subtree_text(i))
            .filter(|t| !t.is_empty())
    });
    let title = ld
        .headline
        .as_deref()
        .and_then(clean)
        .map(|t| (t, Source::JsonLd))
        .or_else(|| meta(&["og:title"]).and_then(clean).map(|t| (t, Source::OpenGraph)))
        .or_else(|| {
            meta(&["twitter:title", "title", "dc.title"])
                .and_then(clean)
                .map(|t| (t, Source::Meta))
        })
        .or_else(|| {
            h.title
                .as_deref()
                .and_then(clean)
                .map(|t| (strip_site(&t, a.site_name.as_deref(), &headings(dom)), Source::Html))
        })
        .or_else(|| h1.clone().map(|t| (t, Source::Html)));
    if let Some((t, s)) = title {
        a.title = Some(t);
        set(a, "title", s);
    }

    let mut authors = ld.authors.clone();
    let mut author_src = Source::JsonLd;
    if authors.is_empty() {
        if let Some(m) = meta(&[
            "author",
            "article:author",
            "dc.creator",
            "byl",
            "sailthru.author",
            "parsely-author",
        ]) {
            if !m.contains("://") {
                authors = m.split([',', ';']).filter_map(clean).map(|s| strip_by(&s)).collect();
                author_src = Source::Meta;
            }
        }
    }
    if authors.is_empty() {
        if let Some(b) = byline(dom) {
            authors.push(b);
            author_src = Source::Byline;
        }
    }
    authors.retain(|s| !s.is_empty() && s.chars().count() <= 80);
    authors.dedup();
    if !authors.is_empty() {
        a.authors = authors;
        set(a, "authors", author_src);
    }

    let published = ld
        .published
        .as_deref()
        .and_then(parse_date)
        .map(|d| (d, Source::JsonLd))
        .or_else(|| {
            meta(&["article:published_time", "og:published_time", "published_time"])
                .and_then(parse_date)
                .map(|d| (d, Source::OpenGraph))
        })
        .or_else(|| {
            meta(&[
                "datepublished",
                "pubdate",
                "publishdate",
                "publish-date",
                "date",
                "dc.date.issued",
                "dc.date",
                "dcterms.created",
                "sailthru.date",
                "parsely-pub-date",
                "article.published",
            ])
            .and_then(parse_date)
            .map(|d| (d, Source::Meta))
        })
        .or_else(|| h.times.iter().find_map(|t| parse_date(t)).map(|d| (d, Source::Time)))
        .or_else(|| {
            [page_url, a.canonical_url.as_deref()]
                .into_iter()
                .flatten()
                .find_map(date_in_url)
                .map(|d| (d, Source::Url))
        });
    if let Some((d, s)) = published {
        a.published = Some(d);
        set(a, "published", s);
    }
    let updated = ld
        .modified
        .as_deref()
        .and_then(parse_date)
        .map(|d| (d, Source::JsonLd))
        .or_else(|| {
            meta(&["article:modified_time", "og:updated_time"])
                .and_then(parse_date)
                .map(|d| (d, Source::OpenGraph))
                .or_else(|| {
                    meta(&["datemodified", "dcterms.modified", "last-modified"])
                        .and_then(parse_date)
                        .map(|d| (d, Source::Meta))
                })
        });
    if let Some((d, s)) = updated {
        a.updated = Some(d);
        set(a, "updated", s);
    }

    let image = meta(&["og:image", "og:image:url", "og:image:secure_url"])
        .and_then(|u| resolve(base.as_ref(), u))
        .map(|u| (u, Source::OpenGraph))
        .or_else(|| {
            ld.image
                .as_deref()
                .and_then(|u| resolve(base.as_ref(), u))
                .map(|u| (u, Source::JsonLd))
        })
        .or_else(|| {
            meta(&["twitter:image", "twitter:image:src", "thumbnailurl"])
                .and_then(|u| resolve(base.as_ref(), u))
                .map(|u| (u, Source::Meta))
        });
    if let Some((u, s)) = image {
        a.image_url = Some(u);
        set(a, "image_url", s);
    }
    if let Some(c) = caption(dom, a.image_url.as_deref(), base.as_ref()) {
        a.image_caption = Some(c);
        set(a, "image_caption", Source::Html);
    }

    let description = meta(&["description"])
        .and_then(clean)
        .map(|d| (d, Source::Meta))
        .or_else(|| {
            meta(&["og:description"])
                .and_then(clean)
                .map(|d| (d, Source::OpenGraph))
        })
        .or_else(|| ld.description.as_deref().and_then(clean).map(|d| (d, Source::JsonLd)))
        .or_else(|| {
            meta(&["twitter:description"])
                .and_then(clean)
                .map(|d| (d, Source::Meta))
        });
    if let Some((d, s)) = description {
        a.description = Some(d);
        set(a, "description", s);
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

/// The normalised text of the page's top-level headings (`<h1>` to `<h3>`), in document order.
fn headings(dom: &Dom) -> Vec<String> {
    dom.items
        .iter()
        .enumerate()
        .filter(|(_, it)| matches!(it.tag(), Some(Tag::Heading(1..=3))) && !it.has(flag::DROP))
        .map(|(i, _)| crate::content::normalize(&dom.subtree_text(i)))
        .filter(|t| !t.is_empty())
        .take(50)
        .collect()
}

/// "Headline | Site" -> "Headline": drop the part that names the site, or keep the longest part that is also a
/// heading (a blog's `<h1>` is often its name, and the post's heading an `<h2>`).
fn strip_site(title: &str, site: Option<&str>, headings: &[String]) -> String {
    let mut parts: Vec<&str> = vec![title];
    for sep in [" | ", " - ", " – ", " — ", " :: ", " · ", " » "] {
        parts = parts.iter().flat_map(|p| p.split(sep)).map(str::trim).collect();
    }
    if parts.len() < 2 {
        return title.to_string();
    }
    let as_heading = parts
        .iter()
        .filter(|p| headings.contains(&crate::content::normalize(p)))
        .max_by_key(|p| p.chars().count());
    if let Some(p) = as_heading {
        return p.to_string();
    }
    let site_key = site.map(crate::content::normalize).unwrap_or_default();
    let kept: Vec<&str> = parts
        .iter()
        .copied()
        .filter(|p| site_key.is_empty() || crate::content::normalize(p) != site_key)
        .collect();
    let longest = kept.iter().copied().max_by_key(|p| p.chars().count()).unwrap_or(title);
    if site_key.is_empty() && longest.chars().count() < 15 {
        return title.to_string();
    }
    if site_key.is_empty() {
        longest.to_string()
    } else {
        kept.join(" - ")
    }
}

fn strip_by(s: &str) -> String {
    let t = s.trim();
    for p in ["By ", "by ", "BY ", "Par ", "Por ", "Von ", "Di "] {
        if let Some(r) = t.strip_prefix(p) {
            return r.trim().to_string();
        }
    }
    t.to_string()
}

/// Author from a visible byline element (class or id naming a byline or author).
fn byline(dom: &Dom) -> Option<String> {
    dom.items.iter().enumerate().find_map(|(i, it)| {
        if !it.has(flag::BYLINE) || !matches!(it.kind, Kind::Element { .. }) {
            return None;
        }
        let Kind::Element { el, .. } = it.kind else { return None };
        let class = format!("{} {}", el.attr("class").unwrap_or(""), el.attr("id").unwrap_or("")).to_ascii_lowercase();
        if !(class.contains("byline") || class.contains("author")) {
            return None;
        }
        let t = dom.subtree_text(i);
        let t = strip_by(&t);
        (t.chars().count() >= 3 && t.chars().count() <= 60 && !t.chars().any(|c| c.is_ascii_digit())).then_some(t)
    })
}

/// The caption of the lead image: the caption next to it, or else the first caption of the page.
fn caption(dom: &Dom, image: Option<&str>, base: Option<&Url>) -> Option<String> {
    let items = &dom.items;
    let caption_in = |root: usize| -> Option<String> {
        let end = items[root].end as usize;
        (root..end)
            .find(|&j| items[j].has(flag::CAPTION))
            .map(|j| dom.subtree_text(j))
            .filter(|t| t.chars().count() > 3)
    };
    let file = |u: &str| {
        u.rsplit('/')
            .next()
            .unwrap_or(u)
            .split('?')
            .next()
            .unwrap_or("")
            .to_string()
    };
    if let Some(img) = image {
        let want = file(img);
        for &(src, at) in &dom.harvest.images {
            let Some(at) = at else { continue };
            let resolved = resolve(base, src).unwrap_or_else(|| src.to_string());
            if resolved == img || (!want.is_empty() && file(&resolved) == want) {
                // Look in the image's figure or in up to three enclosing containers.
                let mut cur = at as usize;
                for _ in 0..3 {
                    let p = items[cur].parent as usize;
                    if p >= items.len() {
                        break;
                    }
                    cur = p;
                    if let Some(c) = caption_in(cur) {
                        return Some(c);
                    }
                }
            }
        }
    }
    None
}
