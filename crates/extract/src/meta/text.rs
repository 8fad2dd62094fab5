//! Strings from markup made fit to store: character references decoded, whitespace collapsed, links resolved.
//!
//! The HTML parser decodes references in attributes and text once, but JSON-LD is raw script text and some CMSs
//! encode `<meta>` values twice (`content="Caf&amp;eacute;"`), so `&#8216;`, `&pound;` and `&amp;` would otherwise
//! reach the database. Named references use html5ever's own table (`web_atoms`).

use url::Url;

/// Decodes character references (`&amp;`, `&#8216;`, `&#x2019;`, `&pound;`); anything that is not one stays as it
/// is. Decodes twice at most, for values encoded twice (`&amp;#8216;`).
pub fn decode_refs(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return std::borrow::Cow::Borrowed(s);
    }
    let once = decode_once(s);
    if once.contains('&') {
        std::borrow::Cow::Owned(decode_once(&once))
    } else {
        std::borrow::Cow::Owned(once)
    }
}

fn decode_once(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match reference(rest) {
            Some((decoded, len)) => {
                out.push_str(&decoded);
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

/// The reference at the start of `s` (which starts with `&`): its text and its length in bytes.
fn reference(s: &str) -> Option<(String, usize)> {
    let b = s.as_bytes();
    if b.get(1) == Some(&b'#') {
        let (hex, start) = match b.get(2) {
            Some(b'x' | b'X') => (true, 3),
            _ => (false, 2),
        };
        let digits = b[start..]
            .iter()
            .take_while(|c| if hex { c.is_ascii_hexdigit() } else { c.is_ascii_digit() })
            .count();
        if digits == 0 || digits > 8 {
            return None;
        }
        let n = u32::from_str_radix(&s[start..start + digits], if hex { 16 } else { 10 }).ok()?;
        let mut len = start + digits;
        if b.get(len) == Some(&b';') {
            len += 1;
        }
        // Windows-1252 code points sent as numbers (&#146; for a quote), as browsers read them.
        let c = match n {
            0x80..=0x9f => cp1252(n),
            0 => '\u{fffd}',
            _ => char::from_u32(n).unwrap_or('\u{fffd}'),
        };
        return Some((c.to_string(), len));
    }
    let name_len = b[1..].iter().take_while(|c| c.is_ascii_alphanumeric()).count();
    if name_len == 0 || name_len > 32 || b.get(1 + name_len) != Some(&b';') {
        return None;
    }
    let key = &s[1..name_len + 2];
    let &(a, c) = web_atoms::NAMED_ENTITIES.get(key)?;
    let mut out = String::new();
    out.push(char::from_u32(a)?);
    if c != 0 {
        out.push(char::from_u32(c)?);
    }
    Some((out, name_len + 2))
}

fn cp1252(n: u32) -> char {
    const TABLE: [u32; 32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,
        0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
        0x0153, 0x9D, 0x017E, 0x0178,
    ];
    char::from_u32(TABLE[(n - 0x80) as usize]).unwrap_or('\u{fffd}')
}

/// A value as stored: references decoded, tags of a value that carries markup dropped, whitespace collapsed;
/// `None` when nothing is left.
pub fn clean(s: &str) -> Option<String> {
    let decoded = decode_refs(s);
    let mut out = String::with_capacity(decoded.len());
    let no_tags = strip_tags(&decoded);
    crate::dom::push_collapsed(&mut out, &no_tags);
    let out = out.trim();
    (!out.is_empty()).then(|| out.to_string())
}

/// Drops `<...>` tags from a value that carries markup (`"<b>Title</b>"` in JSON-LD); text without `<` is returned
/// as it is.
fn strip_tags(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('<') || !s.contains('>') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let is_tag = after[1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!');
        match (is_tag, after.find('>')) {
            (true, Some(close)) => {
                out.push(' ');
                rest = &after[close + 1..];
            }
            _ => {
                out.push('<');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// An absolute URL for `href`, resolved against `base`; `None` for empty, `data:` and `javascript:` values.
pub fn resolve(base: Option<&Url>, href: &str) -> Option<String> {
    let href = decode_refs(href.trim());
    if href.is_empty() || href.starts_with("data:") || href.starts_with("javascript:") {
        return None;
    }
    match Url::parse(&href) {
        Ok(u) => Some(u.to_string()),
        Err(_) => base.and_then(|b| b.join(&href).ok()).map(|u| u.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_decoded() {
        assert_eq!(decode_refs("Fish &amp; Chips"), "Fish & Chips");
        assert_eq!(
            decode_refs("&#8216;Quoted&#8217; &#163;5"),
            "\u{2018}Quoted\u{2019} \u{a3}5"
        );
        assert_eq!(
            decode_refs("&pound;5 &#x2014; &eacute;t&eacute;"),
            "\u{a3}5 \u{2014} \u{e9}t\u{e9}"
        );
        assert_eq!(
            decode_refs("Twice: &amp;#8216;x&amp;#8217;"),
            "Twice: \u{2018}x\u{2019}"
        );
        assert_eq!(decode_refs("&#146;"), "\u{2019}");
        assert_eq!(decode_refs("AT&T & co &nosuch; &"), "AT&T & co &nosuch; &");
    }

    #[test]
    fn values_are_cleaned() {
        assert_eq!(
            clean("  <b>Bold</b>   title&nbsp;here ").as_deref(),
            Some("Bold title here")
        );
        assert_eq!(clean("a < b > c").as_deref(), Some("a < b > c"));
        assert_eq!(clean(" &nbsp; "), None);
    }
}
