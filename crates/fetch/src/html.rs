//! A forgiving scanner for the few HTML tags the fetcher reads (`<meta>`, `<link>`), without building a DOM.

/// Attributes of every `<name ...>` start tag in `doc`, names lowercased, values with the five XML entities decoded.
/// Comments are skipped. Tolerates any input.
pub(crate) fn tags(doc: &str, name: &str) -> Vec<Vec<(String, String)>> {
    let bytes = doc.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = memchr(b'<', &bytes[i..]) {
        let start = i + off;
        if bytes[start..].starts_with(b"<!--") {
            i = match find(&bytes[start + 4..], b"-->") {
                Some(end) => start + 4 + end + 3,
                None => break,
            };
            continue;
        }
        let after = start + 1;
        let name_end = after + name.len();
        if name_end <= bytes.len()
            && bytes[after..name_end].eq_ignore_ascii_case(name.as_bytes())
            && bytes
                .get(name_end)
                .is_none_or(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>')
        {
            let (attrs, end) = parse_attrs(bytes, name_end);
            out.push(attrs);
            i = end;
        } else {
            i = after;
        }
    }
    out
}

/// Plain text from a feed's title or name field, the way readers show it: tags stripped, HTML entities decoded
/// (feeds often escape twice), whitespace collapsed. A `<` that does not open a tag stays.
pub fn plain_text(s: &str) -> String {
    if !s.contains(['<', '&']) && !s.contains(|c: char| c.is_whitespace() && c != ' ') && !s.contains("  ") {
        return s.trim().to_string();
    }
    let mut stripped = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('<') {
        stripped.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        let is_tag = after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!');
        match (is_tag, after.find('>')) {
            (true, Some(end)) => rest = &after[end + 1..],
            _ => {
                stripped.push('<');
                rest = after;
            }
        }
    }
    stripped.push_str(rest);
    let decoded = decode_entities(&stripped);
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Decodes numeric and named (HTML5, which includes XML's) character references; anything else is left as it is.
pub(crate) fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        let decoded: Option<(String, usize)> =
            rest.get(1..rest.len().min(40))
                .and_then(|w| w.find(';'))
                .and_then(|semi| {
                    let name = &rest[1..1 + semi];
                    let text = if let Some(num) = name.strip_prefix('#') {
                        let v = match num.strip_prefix(['x', 'X']) {
                            Some(hex) => u32::from_str_radix(hex, 16).ok(),
                            None => num.parse::<u32>().ok(),
                        };
                        v.filter(|v| crate::repair::is_xml_char(*v))
                            .and_then(char::from_u32)
                            .map(String::from)
                    } else {
                        crate::char_refs::lookup(name)
                    };
                    text.map(|t| (t, semi + 2))
                });
        match decoded {
            Some((text, len)) => {
                out.push_str(&text);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The value of one attribute.
pub(crate) fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn parse_attrs(b: &[u8], mut i: usize) -> (Vec<(String, String)>, usize) {
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() {
            return (attrs, i);
        }
        if b[i] == b'>' {
            return (attrs, i + 1);
        }
        let ns = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = String::from_utf8_lossy(&b[ns..i]).to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let vs = i + 1;
                let ve = memchr(q, &b[vs..]).map(|o| vs + o).unwrap_or(b.len());
                value = String::from_utf8_lossy(&b[vs..ve]).into_owned();
                i = (ve + 1).min(b.len());
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                value = String::from_utf8_lossy(&b[vs..i]).into_owned();
            }
        }
        if !name.is_empty() {
            attrs.push((name, decode_basic_entities(&value)));
        } else if i < b.len() && b[i] != b'>' {
            i += 1;
        }
    }
}

fn decode_basic_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

pub(crate) fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|b| *b == needle)
}

pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Case-insensitive ASCII search.
pub(crate) fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle))
}

/// Whether the text is an HTML document rather than XML or JSON: its first tag is a doctype html, `<html>`, `<head>`
/// or `<body>`, ignoring a BOM, whitespace and comments.
pub(crate) fn looks_like_html(text: &str) -> bool {
    let mut s = text.trim_start_matches('\u{feff}').trim_start();
    loop {
        if let Some(rest) = s.strip_prefix("<!--") {
            match rest.find("-->") {
                Some(end) => s = rest[end + 3..].trim_start(),
                None => return false,
            }
        } else if s.starts_with("<?xml") {
            match s.find("?>") {
                Some(end) => s = s[end + 2..].trim_start(),
                None => return false,
            }
        } else {
            break;
        }
    }
    let head: String = s.chars().take(16).collect::<String>().to_ascii_lowercase();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.starts_with("<head")
        || head.starts_with("<body")
        || head.starts_with("<meta")
        || head.starts_with("<script")
        || head.starts_with("<title")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_tags() {
        let doc = r#"<html><!-- <link rel="x"> --><LINK Rel=alternate type='application/rss+xml' href="/f?a=1&amp;b=2"><link/></html>"#;
        let t = tags(doc, "link");
        assert_eq!(t.len(), 2);
        assert_eq!(attr(&t[0], "rel"), Some("alternate"));
        assert_eq!(attr(&t[0], "href"), Some("/f?a=1&b=2"));
        assert!(tags("<lin", "link").is_empty());
        assert!(tags("<link href=\"x", "link").len() == 1);
    }

    #[test]
    fn plain_text_of_titles() {
        assert_eq!(
            plain_text("  Tom &amp; Jerry&#8217;s <b>big</b>\n day "),
            "Tom & Jerry\u{2019}s big day"
        );
        assert_eq!(plain_text("a < b &bogus; &#xZZ; &"), "a < b &bogus; &#xZZ; &");
        assert_eq!(plain_text("Caf&eacute; <!-- x -->ok"), "Café ok");
        assert_eq!(plain_text("plain"), "plain");
    }

    #[test]
    fn html_sniff() {
        assert!(looks_like_html("\u{feff}  <!DOCTYPE html><html>"));
        assert!(looks_like_html("<!-- x --><html lang=en>"));
        assert!(!looks_like_html("<?xml version=\"1.0\"?><rss>"));
        assert!(!looks_like_html("{\"version\": 1}"));
    }
}
