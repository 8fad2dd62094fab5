//! Feed discovery: `<link rel="alternate">` feeds in a page, then the common feed paths of the site.

use url::Url;

use crate::html;
use crate::urls::resolve;

/// The kind of a discovered feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedKind {
    Rss,
    Atom,
    Json,
    /// Found at a common path or without a type; the format is known once fetched.
    Unknown,
}

/// A feed a site offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveredFeed {
    pub url: String,
    pub title: Option<String>,
    pub kind: FeedKind,
}

/// Paths tried, in order, when a page links no feed.
pub const COMMON_FEED_PATHS: &[&str] = &["/feed", "/rss", "/rss.xml", "/atom.xml", "/feed.xml", "/index.xml"];

/// The feeds a page links with `<link rel="alternate" type="...">`, in page order, without duplicates.
pub fn feed_links(page: &str, base: Option<&Url>) -> Vec<DiscoveredFeed> {
    // <base href> changes what relative links resolve against.
    let base_tag = html::tags(page, "base")
        .into_iter()
        .find_map(|a| html::attr(&a, "href").and_then(|h| resolve(base, h)))
        .and_then(|u| Url::parse(&u).ok());
    let base = base_tag.as_ref().or(base);
    let mut out: Vec<DiscoveredFeed> = Vec::new();
    for attrs in html::tags(page, "link") {
        // rel="alternate" is the norm; rel="feed" and a missing rel occur too.
        let rel = html::attr(&attrs, "rel").map(str::to_ascii_lowercase);
        if let Some(rel) = &rel {
            if !rel.split_whitespace().any(|r| r == "alternate" || r == "feed") {
                continue;
            }
        }
        let ty = html::attr(&attrs, "type").unwrap_or("").trim().to_ascii_lowercase();
        let kind = match ty.split(';').next().unwrap_or("").trim() {
            "application/rss+xml" | "application/rdf+xml" => FeedKind::Rss,
            "application/atom+xml" => FeedKind::Atom,
            "application/feed+json" | "application/json" => FeedKind::Json,
            _ => continue,
        };
        let Some(url) = html::attr(&attrs, "href").and_then(|h| resolve(base, h)) else {
            continue;
        };
        let title = html::attr(&attrs, "title")
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty());
        // Plain application/json alternates are mostly APIs (WordPress adds one to every page): only those that say
        // they are feeds count.
        if ty.starts_with("application/json") {
            let says_feed = url.to_ascii_lowercase().contains("feed")
                || title
                    .as_deref()
                    .is_some_and(|t| t.to_ascii_lowercase().contains("feed"));
            if !says_feed || url.contains("/wp-json/") {
                continue;
            }
        }
        if out.iter().any(|f| f.url == url) {
            continue;
        }
        let title = html::attr(&attrs, "title")
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty());
        out.push(DiscoveredFeed { url, title, kind });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_alternates() {
        let page = r#"<html><head><base href="https://cdn.example.com/"><link rel="stylesheet" href="x.css">
        <link rel="alternate" type="application/rss+xml" title=" News " href="/rss.xml">
        <link rel="alternate" type="application/atom+xml" href="atom">
        <link rel="alternate" type="application/feed+json" href="feed.json">
        <link rel="alternate" type="application/rss+xml" href="/rss.xml">
        <link rel="alternate" hreflang="fr" href="/fr/">
        <link rel="alternate" type="application/json" href="https://example.com/wp-json/wp/v2/posts/1">
        <link rel="alternate" type="application/json+oembed" href="/oembed"></head></html>"#;
        let base = Url::parse("https://example.com/a/b").unwrap();
        let f = feed_links(page, Some(&base));
        assert_eq!(f.len(), 3);
        assert_eq!(f[0].url, "https://cdn.example.com/rss.xml");
        assert_eq!(f[0].title.as_deref(), Some("News"));
        assert_eq!(f[0].kind, FeedKind::Rss);
        assert_eq!(f[1].kind, FeedKind::Atom);
        assert_eq!(f[2].kind, FeedKind::Json);
        let loose = feed_links(
            r#"<link rel="feed" type="application/atom+xml" href="/a"><link type="application/rss+xml" href="/r"><link rel="stylesheet" type="application/rss+xml" href="/s">"#,
            Some(&base),
        );
        let urls: Vec<&str> = loose.iter().map(|f| f.url.as_str()).collect();
        assert_eq!(urls, vec!["https://example.com/a", "https://example.com/r"]);
    }
}
