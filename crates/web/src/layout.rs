//! The page shell and the small pieces every page uses. Every value is spliced with maud's `(...)`, which escapes
//! it; nothing here marks text from the archive as pre-escaped.

use chrono::{DateTime, NaiveDate, Utc};
use gazette_store::{ArticleSummary, EntityRef};
use maud::{html, Markup, DOCTYPE};

/// Which item of the main navigation a page belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nav {
    Latest,
    Search,
    Countries,
    Feeds,
    Exports,
    None,
}

pub(crate) fn page(title: &str, nav: Nav, body: Markup) -> Markup {
    let item = |to: Nav, href: &str, label: &str| {
        html! {
            li { a href=(href) aria-current=[(nav == to).then_some("page")] { (label) } }
        }
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                title { (title) " · Gazette" }
                link rel="stylesheet" href="/static/gazette.css";
                link rel="icon" href="/static/favicon.svg" type="image/svg+xml";
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.site {
                    a.brand href="/" { "Gazette" }
                    nav aria-label="Main" {
                        ul {
                            (item(Nav::Latest, "/", "Latest"))
                            (item(Nav::Search, "/search", "Search"))
                            (item(Nav::Countries, "/countries", "Countries"))
                            (item(Nav::Feeds, "/feeds", "Feeds"))
                            (item(Nav::Exports, "/exports", "Exports"))
                        }
                    }
                }
                main #main { (body) }
                footer.site {
                    p { "Gazette, a read-only view of the archive. Every page is also JSON under " code { "/api" } "." }
                }
            }
        }
    }
}

/// A time as people read it, with its machine-readable form.
pub(crate) fn when(t: Option<DateTime<Utc>>) -> Markup {
    match t {
        Some(t) => html! {
            time datetime=(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)) { (t.format("%Y-%m-%d %H:%M")) " UTC" }
        },
        None => html! { span.muted { "no date" } },
    }
}

pub(crate) fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// An article as one line of a list: its title linked, then site and time.
pub(crate) fn article_item(a: &ArticleSummary) -> Markup {
    html! {
        a.title href={"/articles/" (a.id)} { (title_of(a.title.as_deref())) }
        span.meta {
            @if let Some(site) = &a.site { a href={"/feeds/" (a.feed_id)} { (site) } " · " }
            (when(a.published_at))
        }
    }
}

pub(crate) fn title_of(title: Option<&str>) -> &str {
    match title.map(str::trim) {
        Some(t) if !t.is_empty() => t,
        _ => "(untitled)",
    }
}

/// A link to an entity's page, coloured by its type.
pub(crate) fn entity_link(e: &EntityRef) -> Markup {
    html! {
        a class={"ent " (type_class(&e.entity_type))} href={"/entities/" (e.id)} { (e.name) }
    }
}

/// The CSS class of an entity type. Stored types are data (plain SQL may write anything): only known ones get a
/// class of their own.
pub(crate) fn type_class(t: &str) -> &'static str {
    match t {
        "PER" => "per",
        "ORG" => "org",
        "LOC" => "loc",
        "MISC" => "misc",
        _ => "other",
    }
}

/// A type's name for people.
pub(crate) fn type_name(t: &str) -> &str {
    match t {
        "PER" => "person",
        "ORG" => "organisation",
        "LOC" => "place",
        "MISC" => "other name",
        "DATE" => "date",
        "TIME" => "time",
        "MONEY" => "money",
        "PERCENT" => "percentage",
        "CARDINAL" => "number",
        "ORDINAL" => "ordinal",
        other => other,
    }
}

/// The URL itself, when it is an http(s) URL: nothing else is ever made a link (no `javascript:`, no `data:`).
pub(crate) fn web_url(u: &str) -> Option<url::Url> {
    url::Url::parse(u.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// A link out to an original, or the address as plain text when it is not an http(s) URL.
pub(crate) fn original_link(u: &str) -> Markup {
    match web_url(u) {
        Some(url) => html! {
            a href=(url.as_str()) rel="noopener noreferrer nofollow" { (url.host_str().unwrap_or("")) }
        },
        None => html! { code.unsafe-url title="not a web address: shown, not linked" { (u) } },
    }
}

/// Links to the previous and next pages of a list.
pub(crate) fn pager(page: i64, more: bool, href: impl Fn(i64) -> String) -> Markup {
    html! {
        @if page > 1 || more {
            nav.pager aria-label="Pages" {
                @if page > 1 { a rel="prev" href=(href(page - 1)) { "← Previous" } }
                span { "Page " (page) }
                @if more { a rel="next" href=(href(page + 1)) { "Next →" } }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_addresses_are_links() {
        assert!(web_url("https://example.com/a?b=1").is_some());
        assert!(web_url(" http://example.com/").is_some());
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,<script>",
            "file:///etc/passwd",
            "//x",
        ] {
            assert!(web_url(bad).is_none(), "{bad}");
            let html = original_link(bad).into_string();
            assert!(!html.contains("href"), "{html}");
        }
    }
}
