//! Repairs the damage real feeds carry before they reach the XML parser: a BOM or junk before the root, a stale
//! encoding in the XML declaration (the text is UTF-8 by now), XML-illegal control characters, bare `&` and `<`, HTML
//! named entities that XML lacks, and numeric references to characters XML forbids. CDATA sections, comments and processing
//! instructions are left alone. A feed that is already well-formed comes out unchanged, apart from the BOM, leading
//! whitespace and the declared encoding.

use crate::char_refs::{lookup, lookup_legacy};

/// Repairs a feed's text; JSON Feeds only lose a BOM and leading whitespace.
pub fn repair(input: &str) -> String {
    let text = input.trim_start_matches(|c: char| c == '\u{feff}' || c.is_whitespace() || !is_xml_char(c as u32));
    if text.starts_with('{') || text.starts_with('[') {
        return text.to_string();
    }
    // Illegal characters go first, so they cannot hide structure from the scan below.
    let cleaned;
    let text = if text.chars().all(|c| is_xml_char(c as u32)) {
        text
    } else {
        cleaned = strip_illegal(text);
        &cleaned
    };
    let text = skip_leading_junk(text);
    let mut out = String::with_capacity(text.len() + 64);
    let rest = match xml_declaration(text) {
        Some((decl, rest)) => {
            out.push_str(&utf8_declaration(decl));
            rest
        }
        None => text,
    };
    repair_body(rest, &mut out);
    out
}

/// Text before the first `<` (PHP warnings, stray bytes) is dropped when a document follows it.
fn skip_leading_junk(text: &str) -> &str {
    if text.starts_with('<') {
        return text;
    }
    let window = &text[..floor_char_boundary(text, 4096)];
    for marker in ["<?xml", "<rss", "<feed", "<rdf:RDF", "<RDF"] {
        if let Some(pos) = window.find(marker) {
            return &text[pos..];
        }
    }
    text
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn xml_declaration(text: &str) -> Option<(&str, &str)> {
    if !text.starts_with("<?xml") || !text[5..].starts_with(|c: char| c.is_ascii_whitespace() || c == '?') {
        return None;
    }
    let end = text.find("?>")? + 2;
    Some((&text[..end], &text[end..]))
}

/// The declaration with its encoding replaced by UTF-8 (the text has been transcoded already).
fn utf8_declaration(decl: &str) -> String {
    let Some(pos) = decl.find("encoding") else {
        return strip_illegal(decl);
    };
    let after = &decl[pos + "encoding".len()..];
    let trimmed = after.trim_start();
    let Some(value) = trimmed.strip_prefix('=').map(str::trim_start) else {
        return strip_illegal(decl);
    };
    let Some(quote) = value.chars().next().filter(|c| *c == '"' || *c == '\'') else {
        return strip_illegal(decl);
    };
    let Some(end) = value[1..].find(quote) else {
        return strip_illegal(decl);
    };
    let tail = &value[1 + end + 1..];
    strip_illegal(&format!("{}encoding=\"utf-8\"{}", &decl[..pos], tail))
}

fn strip_illegal(s: &str) -> String {
    s.chars().filter(|c| is_xml_char(*c as u32)).collect()
}

/// Characters XML 1.0 allows.
pub(crate) fn is_xml_char(c: u32) -> bool {
    matches!(c, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

fn repair_body(mut s: &str, out: &mut String) {
    // Sections copied verbatim (less illegal characters): (opening, closing).
    const VERBATIM: [(&str, &str); 3] = [("<![CDATA[", "]]>"), ("<!--", "-->"), ("<?", "?>")];
    'outer: while let Some(pos) = s.find(['<', '&']) {
        push_legal(&s[..pos], out);
        s = &s[pos..];
        if s.starts_with('<') {
            for (open, close) in VERBATIM {
                if s.starts_with(open) {
                    let end = s[open.len()..]
                        .find(close)
                        .map(|e| open.len() + e + close.len())
                        .unwrap_or(s.len());
                    push_legal(&s[..end], out);
                    s = &s[end..];
                    continue 'outer;
                }
            }
            // A `<` that cannot open a tag ("a < b", "<3") is text that should have been escaped.
            let opens_tag = s[1..]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || matches!(c, '_' | ':' | '/' | '!' | '?'));
            out.push_str(if opens_tag { "<" } else { "&lt;" });
            s = &s[1..];
        } else {
            let consumed = entity(s, out);
            s = &s[consumed..];
        }
    }
    push_legal(s, out);
}

fn push_legal(s: &str, out: &mut String) {
    if s.chars().all(|c| is_xml_char(c as u32)) {
        out.push_str(s);
    } else {
        out.extend(s.chars().filter(|c| is_xml_char(*c as u32)));
    }
}

/// Handles the `&` at the start of `s`; returns the bytes consumed.
fn entity(s: &str, out: &mut String) -> usize {
    let b = s.as_bytes();
    if b.get(1).is_some_and(|c| c.is_ascii_alphabetic()) {
        let run = 1 + b[1..].iter().take_while(|c| c.is_ascii_alphanumeric()).count();
        match b.get(run) {
            Some(b';') => {}
            // Not where an `=` follows: that is a URL's query ("?a=1&copy=2") in an attribute.
            next => {
                let legacy = (next != Some(&b'=')).then(|| lookup_legacy(&s[1..run])).flatten();
                match legacy {
                    Some(text) => push_numeric(&text, out),
                    None => {
                        out.push_str("&amp;");
                        return 1;
                    }
                }
                return run;
            }
        }
    }
    let body_end = b.iter().take(40).position(|c| *c == b';');
    let Some(semi) = body_end else {
        out.push_str("&amp;");
        return 1;
    };
    let name = &s[1..semi];
    if let Some(num) = name.strip_prefix('#') {
        let value = if let Some(hex) = num.strip_prefix(['x', 'X']) {
            (!hex.is_empty() && hex.len() <= 8 && hex.bytes().all(|c| c.is_ascii_hexdigit()))
                .then(|| u32::from_str_radix(hex, 16).ok())
                .flatten()
        } else {
            (!num.is_empty() && num.len() <= 10 && num.bytes().all(|c| c.is_ascii_digit()))
                .then(|| num.parse::<u32>().ok())
                .flatten()
        };
        return match value {
            Some(v) if is_xml_char(v) => {
                out.push_str(&s[..=semi]);
                semi + 1
            }
            // A reference to a character XML forbids: replaced, so the text around it keeps its shape.
            Some(_) => {
                out.push_str("&#xFFFD;");
                semi + 1
            }
            None => {
                out.push_str("&amp;");
                1
            }
        };
    }
    let valid_name = name.len() <= 32
        && name.bytes().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.bytes().all(|c| c.is_ascii_alphanumeric());
    if !valid_name {
        out.push_str("&amp;");
        return 1;
    }
    if matches!(name, "amp" | "lt" | "gt" | "quot" | "apos") {
        out.push_str(&s[..=semi]);
        return semi + 1;
    }
    match lookup(name).or_else(|| lookup(&name.to_ascii_lowercase())) {
        Some(text) => push_numeric(&text, out),
        None => {
            out.push_str("&amp;");
            out.push_str(&s[1..=semi]);
        }
    }
    semi + 1
}

/// Text as numeric references, which XML understands whatever the document's DTD.
fn push_numeric(text: &str, out: &mut String) {
    for c in text.chars() {
        out.push_str(&format!("&#{};", c as u32));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixes_common_damage() {
        let bad = "\u{feff}\n  <?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><t>A & B &nbsp;&eacute;&Eacute;&bogus; \u{1}x&#0;&#233;&amp;</t><![CDATA[a & b &nbsp;]]><!-- & --></rss>";
        assert_eq!(
            repair(bad),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss><t>A &amp; B &#160;&#233;&#201;&amp;bogus; x&#xFFFD;&#233;&amp;</t><![CDATA[a & b &nbsp;]]><!-- & --></rss>"
        );
    }

    #[test]
    fn html5_entities() {
        assert_eq!(
            repair("<t>a&colon;b&NewLine;&NotEqualTilde;</t>"),
            "<t>a&#58;b&#10;&#8770;&#824;</t>"
        );
    }

    #[test]
    fn legacy_entities_without_semicolon() {
        assert_eq!(
            repair("<t>a&nbsp b &copy 2024 &eacute&nbsp;</t><a href=\"?x=1&copy=2&nbsp\"/>"),
            "<t>a&#160; b &#169; 2024 &#233;&#160;</t><a href=\"?x=1&amp;copy=2&#160;\"/>"
        );
        // Names HTML only knows with the semicolon stay text.
        assert_eq!(repair("<t>&hellip &ampfoo</t>"), "<t>&amp;hellip &amp;ampfoo</t>");
    }

    #[test]
    fn escapes_bare_less_than() {
        assert_eq!(repair("<t>a < b <3 <b>x</b></t>"), "<t>a &lt; b &lt;3 <b>x</b></t>");
    }

    #[test]
    fn drops_junk_before_root() {
        assert_eq!(
            repair("Warning: x\n<?xml version=\"1.0\"?><rss/>"),
            "<?xml version=\"1.0\"?><rss/>"
        );
        assert_eq!(repair("  {\"a\":1}"), "{\"a\":1}");
    }

    #[test]
    fn valid_stays_valid() {
        let ok = "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>a &amp; b &lt; &#x41;</title></channel></rss>";
        assert_eq!(repair(ok), ok);
    }
}
