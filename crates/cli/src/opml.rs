//! OPML: the feed-list format every feed reader imports and exports.

use anyhow::{Context, Result};
use quick_xml::events::Event;

/// A feed listed in an OPML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlFeed {
    pub url: String,
    pub title: Option<String>,
}

/// Whether a file looks like OPML (by extension or by its root element).
pub fn looks_like_opml(path: &std::path::Path, head: &[u8]) -> bool {
    let by_name = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("opml"));
    let text = String::from_utf8_lossy(&head[..head.len().min(2048)]).to_ascii_lowercase();
    by_name || text.contains("<opml")
}

/// Every `<outline xmlUrl=...>` in the document, nested folders included, in document order.
pub fn parse(xml: &str) -> Result<Vec<OpmlFeed>> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut feeds = Vec::new();
    loop {
        match reader.read_event().context("reading OPML")? {
            Event::Start(e) | Event::Empty(e) if e.local_name().into_inner() == "outline" => {
                let mut url = None;
                let mut title = None;
                let mut text = None;
                for attr in e.attributes().flatten() {
                    let value = attr
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .context("reading an OPML attribute")?
                        .trim()
                        .to_string();
                    match attr.key.local_name().into_inner() {
                        k if k.eq_ignore_ascii_case("xmlurl") => url = Some(value),
                        "title" => title = Some(value),
                        "text" => text = Some(value),
                        _ => {}
                    }
                }
                if let Some(url) = url.filter(|u| !u.is_empty()) {
                    feeds.push(OpmlFeed {
                        url,
                        title: title.or(text).filter(|t| !t.is_empty()),
                    });
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(feeds)
}

/// An OPML 2.0 document listing the feeds.
pub fn write(feeds: &[OpmlFeed]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head><title>Gazette feeds</title></head>\n  <body>\n",
    );
    for f in feeds {
        let title = escape(f.title.as_deref().unwrap_or(&f.url));
        out.push_str(&format!(
            "    <outline type=\"rss\" text=\"{title}\" title=\"{title}\" xmlUrl=\"{}\"/>\n",
            escape(&f.url)
        ));
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

fn escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_urls_and_titles() {
        let feeds = vec![
            OpmlFeed {
                url: "https://example.org/rss?a=1&b=2".into(),
                title: Some("News & \"Views\"".into()),
            },
            OpmlFeed {
                url: "https://example.com/atom.xml".into(),
                title: None,
            },
        ];
        let parsed = parse(&write(&feeds)).unwrap();
        assert_eq!(parsed[0], feeds[0]);
        assert_eq!(parsed[1].url, feeds[1].url);
    }

    #[test]
    fn nested_folders_are_flattened() {
        let xml = r#"<opml version="1.0"><body><outline text="World">
            <outline text="A" xmlUrl="http://a/feed"/><outline text="B" xmlUrl="http://b/feed"></outline>
            </outline><outline text="folder without url"/></body></opml>"#;
        let urls: Vec<String> = parse(xml).unwrap().into_iter().map(|f| f.url).collect();
        assert_eq!(urls, ["http://a/feed", "http://b/feed"]);
    }
}
