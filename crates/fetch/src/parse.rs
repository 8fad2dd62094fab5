//! Feed parsing with feed-rs, after repair, into Gazette's [`Feed`] with dedup keys computed here.

use std::collections::HashMap;
use std::time::Duration;

use url::Url;

use crate::urls::{normalize_url, resolve, scheme_insensitive_key};
use crate::{discover, html, repair, Feed, FeedItem, FetchError};

/// A parsed feed and the polling hint its content gives (TTL, sy:updatePeriod).
#[derive(Debug)]
pub struct ParsedFeed {
    pub feed: Feed,
    pub min_interval: Option<Duration>,
}

/// Parses feed text (already UTF-8). `base` is the URL the feed was finally read from; relative links resolve
/// against it (and against any `xml:base`).
pub fn parse_feed(text: &str, base: Option<&Url>) -> Result<ParsedFeed, FetchError> {
    let repaired = repair::repair(text);
    if html::looks_like_html(&repaired) {
        return Err(FetchError::NotAFeed {
            feeds: discover::feed_links(text, base).into_iter().map(|f| f.url).collect(),
        });
    }
    let parser = feed_rs::parser::Builder::new()
        .base_uri(base.filter(|u| matches!(u.scheme(), "http" | "https")).map(Url::as_str))
        // Empty ids stay empty: Gazette computes its own keys instead of feed-rs's synthetic ones.
        .id_generator(|_, _, _| String::new())
        .timestamp_parser(gazette_dates::parse_date)
        .build();
    // A parser bug must not take the ingest run down: a panic becomes a parse error.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parser.parse(repaired.as_bytes())))
        .map_err(|_| FetchError::Parse("the feed parser crashed on this document".into()))?;
    let parsed = match result {
        Ok(f) => f,
        Err(e) => {
            let head = &repaired.as_bytes()[..repaired.len().min(4096)];
            if html::find_ci(head, b"<html").is_some() || html::find_ci(head, b"<body").is_some() {
                return Err(FetchError::NotAFeed {
                    feeds: discover::feed_links(text, base).into_iter().map(|f| f.url).collect(),
                });
            }
            return Err(FetchError::Parse(parse_message(&repaired, &e)));
        }
    };
    let mut min_interval = parsed
        .ttl
        .filter(|t| *t > 0)
        .map(|t| Duration::from_secs(u64::from(t) * 60));
    if let Some(sy) = syndication_interval(&repaired) {
        min_interval = Some(min_interval.map_or(sy, |m| m.max(sy)));
    }
    let feed = convert(parsed, base);
    Ok(ParsedFeed { feed, min_interval })
}

/// A parse failure in words a user can act on.
fn parse_message(text: &str, e: &feed_rs::parser::ParseFeedError) -> String {
    if text.trim().is_empty() {
        return "the body is empty".to_string();
    }
    let message = e.to_string();
    if message.contains("no root element") {
        let root = text
            .split('<')
            .skip(1)
            .find(|t| t.starts_with(|c: char| c.is_ascii_alphabetic()))
            .map(|t| {
                t.split(|c: char| c.is_whitespace() || c == '>' || c == '/')
                    .next()
                    .unwrap_or("")
            });
        return match root {
            Some(name) => format!("the document is XML but not RSS, Atom or RSS 1.0 (its root element is <{name}>)"),
            None => "the document is neither XML nor JSON".to_string(),
        };
    }
    message.replace("unable to parse ", "").replace("Parser error: ", "")
}

fn convert(parsed: feed_rs::model::Feed, base: Option<&Url>) -> Feed {
    let site_url = parsed
        .links
        .iter()
        .filter(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .find_map(|l| resolve(base, &l.href));
    let mut guid_counts: HashMap<&str, usize> = HashMap::new();
    for e in &parsed.entries {
        let id = e.id.trim();
        if !id.is_empty() {
            *guid_counts.entry(id).or_default() += 1;
        }
    }
    let mut items = Vec::with_capacity(parsed.entries.len());
    for entry in &parsed.entries {
        let entry_base = entry.base.as_deref().and_then(|b| Url::parse(b).ok());
        let base_for_entry = entry_base.as_ref().or(base);
        let guid = Some(entry.id.trim()).filter(|g| !g.is_empty()).map(str::to_string);
        let link = pick_link(&entry.links, base_for_entry).or_else(|| {
            // A GUID that is a web address stands in for a missing link (as permalink GUIDs do in RSS).
            guid.as_deref()
                .filter(|g| g.starts_with("http://") || g.starts_with("https://"))
                .and_then(normalize_url)
        });
        let title = entry
            .title
            .as_ref()
            .map(|t| html::plain_text(&t.content))
            .filter(|t| !t.is_empty());
        // A CMS's zero date (0001-01-01, 1970-01-01) is no date.
        let dated = |d: &chrono::DateTime<chrono::Utc>| *d >= gazette_dates::web_epoch();
        let published = entry.published.filter(dated).or(entry.updated.filter(dated));
        let unique_guid = guid.as_deref().filter(|g| guid_counts.get(g).copied() == Some(1));
        let key = if let Some(g) = unique_guid {
            guid_key(g)
        } else if let Some(url) = &link {
            scheme_insensitive_key(url)
        } else if let Some(t) = &title {
            format!("title:{}|{}", t, published.map(|d| d.to_rfc3339()).unwrap_or_default())
        } else if let Some(g) = guid.as_deref() {
            // A repeated GUID with neither link nor title: the GUID is all there is.
            guid_key(g)
        } else {
            tracing::debug!("skipping a feed entry with no GUID, link or title");
            continue;
        };
        let mut authors: Vec<String> = Vec::new();
        for p in &entry.authors {
            let name = p.name.as_deref().map(html::plain_text).filter(|n| !n.is_empty());
            if let Some(n) = name {
                if !authors.contains(&n) {
                    authors.push(n);
                }
            }
        }
        let summary = entry
            .summary
            .as_ref()
            .map(|t| t.content.trim().to_string())
            .filter(|s| !s.is_empty());
        let content = entry
            .content
            .as_ref()
            .and_then(|c| c.body.as_deref())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        items.push(FeedItem {
            key,
            guid,
            url: link,
            title,
            published,
            authors,
            summary,
            content,
        });
    }
    Feed {
        title: parsed
            .title
            .map(|t| html::plain_text(&t.content))
            .filter(|t| !t.is_empty()),
        site_url,
        items,
    }
}

/// The dedup key for a GUID: web addresses are normalised and made scheme-insensitive, so a feed moving its GUIDs
/// from `http://` to `https://` creates no duplicates.
fn guid_key(guid: &str) -> String {
    if guid.starts_with("http://") || guid.starts_with("https://") || guid.starts_with("HTTP") {
        if let Some(n) = normalize_url(guid) {
            return scheme_insensitive_key(&n);
        }
    }
    guid.to_string()
}

fn pick_link(links: &[feed_rs::model::Link], base: Option<&Url>) -> Option<String> {
    let candidates = || {
        links
            .iter()
            .filter(|l| l.rel.as_deref().is_none_or(|r| r.eq_ignore_ascii_case("alternate")))
    };
    candidates()
        .filter(|l| l.media_type.as_deref().is_none_or(|t| t.contains("html")))
        .chain(candidates())
        .find_map(|l| resolve(base, &l.href))
}

/// `sy:updatePeriod` / `sy:updateFrequency` (RSS 1.0 syndication module), whatever the prefix.
fn syndication_interval(text: &str) -> Option<Duration> {
    let period = element_text(text, ":updatePeriod")?;
    let secs: u64 = match period.trim().to_ascii_lowercase().as_str() {
        "hourly" => 3600,
        "daily" => 86_400,
        "weekly" => 7 * 86_400,
        "monthly" => 30 * 86_400,
        "yearly" => 365 * 86_400,
        _ => return None,
    };
    let freq: u64 = element_text(text, ":updateFrequency")
        .and_then(|f| f.trim().parse().ok())
        .filter(|f| *f > 0)
        .unwrap_or(1);
    Some(Duration::from_secs(secs / freq))
}

fn element_text<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let head = &text[..floor(text, 64 * 1024)];
    let pos = head.find(&format!("{suffix}>"))?;
    let start = pos + suffix.len() + 1;
    let end = head[start..].find('<')? + start;
    Some(&head[start..end])
}

fn floor(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://example.com/news/feed.xml").unwrap()
    }

    #[test]
    fn rss_keys_and_links() {
        let xml = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>/</link><ttl>30</ttl>
        <item><title>A</title><link>a.html?utm_source=x#frag</link><guid>id-1</guid><pubDate>Fri, 03 Dec 2021 21:15 EST</pubDate></item>
        <item><title>B</title><link>/b.html</link></item>
        <item><title>C</title><guid isPermaLink="true">http://example.com/c</guid></item>
        <item><title>D</title><pubDate>Fri, 03 Dec 2021 21:15:00 GMT</pubDate></item>
        </channel></rss>"#;
        let p = parse_feed(xml, Some(&base())).unwrap();
        assert_eq!(p.min_interval, Some(Duration::from_secs(1800)));
        assert_eq!(p.feed.title.as_deref(), Some("T"));
        assert_eq!(p.feed.site_url.as_deref(), Some("https://example.com/"));
        let it = &p.feed.items;
        assert_eq!(it.len(), 4);
        assert_eq!(it[0].key, "id-1");
        assert_eq!(it[0].url.as_deref(), Some("https://example.com/news/a.html"));
        assert_eq!(it[0].published.unwrap().to_rfc3339(), "2021-12-04T02:15:00+00:00");
        assert_eq!(it[1].key, "https://example.com/b.html");
        assert_eq!(it[2].key, "https://example.com/c");
        assert_eq!(it[2].url.as_deref(), Some("http://example.com/c"));
        assert_eq!(it[3].key, "title:D|2021-12-03T21:15:00+00:00");
    }

    #[test]
    fn zero_dates_are_no_dates() {
        let xml = r#"<rss version="2.0"><channel><title>T</title>
        <item><title>Z</title><link>/z</link><pubDate>0001-01-01T00:00:00Z</pubDate></item>
        <item><title>E</title><link>/e</link><pubDate>Thu, 01 Jan 1970 00:00:00 GMT</pubDate></item>
        <item><title>R</title><link>/r</link><pubDate>3. Dezember 2021, 22:15 Uhr</pubDate></item>
        </channel></rss>"#;
        let it = parse_feed(xml, Some(&base())).unwrap().feed.items;
        assert_eq!(it[0].published, None);
        assert_eq!(it[1].published, None);
        // The shared parser reads written dates too.
        assert_eq!(it[2].published.unwrap().to_rfc3339(), "2021-12-03T22:15:00+00:00");
    }

    #[test]
    fn atom_and_json() {
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">
        <title>A</title><sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>
        <entry><id>tag:x,2021:1</id><title>E</title><link rel="alternate" href="e1"/><updated>2021-12-03T21:15:00Z</updated></entry></feed>"#;
        let p = parse_feed(atom, Some(&base())).unwrap();
        assert_eq!(p.min_interval, Some(Duration::from_secs(1800)));
        assert_eq!(p.feed.items[0].key, "tag:x,2021:1");
        assert_eq!(
            p.feed.items[0].published.unwrap().to_rfc3339(),
            "2021-12-03T21:15:00+00:00"
        );
        assert_eq!(p.feed.items[0].url.as_deref(), Some("https://example.com/news/e1"));
        let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","url":"https://example.com/j","title":"J1","content_text":"x"}]}"#;
        let p = parse_feed(json, Some(&base())).unwrap();
        assert_eq!(p.feed.items[0].key, "1");
        assert_eq!(p.feed.items[0].url.as_deref(), Some("https://example.com/j"));
    }

    #[test]
    fn doctype_and_stylesheet_survive_repair() {
        let xml = r#"<?xml version="1.0" encoding="ISO-8859-1"?>
<?xml-stylesheet type="text/xsl" href="/rss.xsl"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old &amp; gold&nbsp;</title><link>http://x/</link><description>d</description>
<item><title>Caf&eacute;</title><link>http://x/a</link></item></channel></rss>"#;
        let p = parse_feed(xml, None).unwrap();
        assert_eq!(p.feed.title.as_deref(), Some("Old & gold"));
        assert_eq!(p.feed.items[0].title.as_deref(), Some("Café"));
        assert_eq!(p.feed.items[0].key, "https://x/a");
    }

    #[test]
    fn wordpress_style_rss() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom"
	xmlns:sy="http://purl.org/rss/1.0/modules/syndication/" xmlns:slash="http://purl.org/rss/1.0/modules/slash/">
<channel><title>Blog &#8211; News</title><atom:link href="https://blog.example/feed/" rel="self" type="application/rss+xml" />
<link>https://blog.example</link><sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>1</sy:updateFrequency>
<item><title>Hello &#8220;world&#8221;</title><link>https://blog.example/2021/12/hello/</link>
<dc:creator><![CDATA[Jane Doe]]></dc:creator><pubDate>Fri, 03 Dec 2021 21:15:00 +0000</pubDate>
<guid isPermaLink="false">https://blog.example/?p=42</guid>
<description><![CDATA[Short &#8230;]]></description>
<content:encoded><![CDATA[<p>Full <b>text</b></p>]]></content:encoded><slash:comments>3</slash:comments></item>
</channel></rss>"#;
        let p = parse_feed(xml, Some(&base())).unwrap();
        assert_eq!(p.feed.title.as_deref(), Some("Blog \u{2013} News"));
        assert_eq!(p.feed.site_url.as_deref(), Some("https://blog.example/"));
        assert_eq!(p.min_interval, Some(Duration::from_secs(3600)));
        let it = &p.feed.items[0];
        assert_eq!(it.key, "https://blog.example/?p=42");
        assert_eq!(it.title.as_deref(), Some("Hello \u{201c}world\u{201d}"));
        assert_eq!(it.authors, vec!["Jane Doe".to_string()]);
        assert_eq!(it.content.as_deref(), Some("<p>Full <b>text</b></p>"));
        // Summaries and content stay HTML.
        assert_eq!(it.summary.as_deref(), Some("Short &#8230;"));
    }

    #[test]
    fn youtube_style_atom() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">
 <link rel="self" href="http://www.youtube.com/feeds/videos.xml?channel_id=UC1"/><id>yt:channel:UC1</id><title>Chan</title>
 <link rel="alternate" href="https://www.youtube.com/channel/UC1"/>
 <entry><id>yt:video:abc</id><yt:videoId>abc</yt:videoId><title>Video</title>
  <link rel="alternate" href="https://www.youtube.com/watch?v=abc"/><author><name>Chan</name></author>
  <published>2021-12-03T21:15:00+00:00</published><updated>2021-12-04T00:00:00+00:00</updated>
  <media:group><media:title>Video</media:title><media:description>d</media:description></media:group></entry></feed>"#;
        let p = parse_feed(xml, None).unwrap();
        assert_eq!(p.feed.site_url.as_deref(), Some("https://www.youtube.com/channel/UC1"));
        let it = &p.feed.items[0];
        assert_eq!(it.key, "yt:video:abc");
        assert_eq!(it.url.as_deref(), Some("https://www.youtube.com/watch?v=abc"));
        assert_eq!(it.published.unwrap().to_rfc3339(), "2021-12-03T21:15:00+00:00");
    }

    #[test]
    fn html_is_reported() {
        let page =
            r#"<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" href="/rss"></head></html>"#;
        match parse_feed(page, Some(&base())) {
            Err(FetchError::NotAFeed { feeds }) => assert_eq!(feeds, vec!["https://example.com/rss".to_string()]),
            other => panic!("{other:?}"),
        }
    }
}
