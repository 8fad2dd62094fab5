//! Character sets: BOM, then the Content-Type charset, then the document's own declaration (XML declaration,
//! `<meta charset>`, `<meta http-equiv>`, wherever they are in the head), then a statistical guess. Everything is
//! transcoded to UTF-8. A UTF-8 claim the bytes disprove is skipped, and valid UTF-8 wins over a legacy claim.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

use crate::html;

/// How far into a document its own charset declaration is looked for.
const DECLARATION_SCAN: usize = 256 * 1024;

/// Where the chosen encoding came from (for logs and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharsetSource {
    Bom,
    ContentType,
    Document,
    Guess,
}

/// Picks the encoding of `bytes`, given the Content-Type header if any.
pub fn detect(bytes: &[u8], content_type: Option<&str>) -> (&'static Encoding, CharsetSource) {
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        return (enc, CharsetSource::Bom);
    }
    // A UTF-8 claim that the bytes disprove (a server default, a copied template) is ignored: the next source decides.
    let valid_utf8 = || std::str::from_utf8(bytes).is_ok();
    // Likewise a UTF-16 claim for bytes without a single NUL (real UTF-16 markup is full of them).
    let utf16_disproved = |enc| (enc == UTF_16LE || enc == UTF_16BE) && !bytes[..bytes.len().min(1024)].contains(&0);
    if let Some(enc) = content_type.and_then(charset_from_content_type) {
        if (enc != UTF_8 || valid_utf8()) && !utf16_disproved(enc) {
            return (prefer_utf8(enc, bytes), CharsetSource::ContentType);
        }
    }
    if let Some(enc) = declared_in_document(bytes) {
        // A declaration read as ASCII cannot be UTF-16: the document is ASCII-compatible.
        let enc = if enc == UTF_16LE || enc == UTF_16BE { UTF_8 } else { enc };
        if enc != UTF_8 || valid_utf8() {
            return (prefer_utf8(enc, bytes), CharsetSource::Document);
        }
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    (detector.guess(None, true), CharsetSource::Guess)
}

/// Decodes to UTF-8 (malformed sequences become U+FFFD), without a BOM.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> String {
    let (enc, _) = detect(bytes, content_type);
    let (text, _, _) = enc.decode(bytes);
    text.trim_start_matches('\u{feff}').to_string()
}

/// Servers and documents often declare a legacy charset for what is really UTF-8 (Miniflux handles it the same
/// way): bytes that are valid UTF-8 and contain non-ASCII sequences are taken as UTF-8, unless that reading yields
/// characters real text does not contain (C1 controls, IPA and spacing modifiers), the sign of legacy bytes that
/// happen to form valid UTF-8.
fn prefer_utf8(declared: &'static Encoding, bytes: &[u8]) -> &'static Encoding {
    if declared == UTF_8 || declared == UTF_16LE || declared == UTF_16BE || bytes.is_ascii() {
        return declared;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.chars().any(|c| matches!(c as u32, 0x80..=0x9F | 0x250..=0x2FF)) => UTF_8,
        _ => declared,
    }
}

/// The `charset` parameter of a Content-Type value.
pub fn charset_from_content_type(value: &str) -> Option<&'static Encoding> {
    value.split(';').skip(1).find_map(|param| {
        let (k, v) = param.split_once('=')?;
        if !k.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        Encoding::for_label(v.trim().trim_matches(|c| c == '"' || c == '\'').as_bytes())
    })
}

/// The encoding a document declares for itself: XML declaration, `<meta charset>`, `<meta http-equiv>`.
pub fn declared_in_document(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(DECLARATION_SCAN)];
    let text = String::from_utf8_lossy(head);
    let trimmed = text.trim_start();
    if trimmed.starts_with("<?xml") {
        // An XML document declares its encoding in the declaration or not at all: a <meta> in a feed's CDATA
        // describes some other document.
        return trimmed.find("?>").and_then(|end| xml_decl_encoding(&trimmed[..end]));
    }
    if ["<rss", "<feed", "<rdf:RDF"]
        .iter()
        .any(|root| trimmed.starts_with(root))
    {
        return None;
    }
    // Stop at </head> when there is one, so a charset quoted in an article body is not taken.
    let scope = match html::find_ci(text.as_bytes(), b"</head") {
        Some(end) => &text[..end],
        None => &text[..],
    };
    for attrs in html::tags(scope, "meta") {
        if let Some(cs) = html::attr(&attrs, "charset") {
            if let Some(enc) = Encoding::for_label(cs.trim().as_bytes()) {
                return Some(enc);
            }
        }
        let equiv = html::attr(&attrs, "http-equiv").unwrap_or("");
        if equiv.eq_ignore_ascii_case("content-type") {
            if let Some(enc) = html::attr(&attrs, "content").and_then(charset_from_content_type) {
                return Some(enc);
            }
        }
    }
    None
}

fn xml_decl_encoding(decl: &str) -> Option<&'static Encoding> {
    let pos = decl.find("encoding")?;
    let rest = decl[pos + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = rest.chars().next()?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let value = &rest[1..];
    let end = value.find(quote)?;
    Encoding::for_label(value[..end].trim().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_of_sources() {
        let latin1 = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss>caf\xe9</rss>";
        assert_eq!(
            decode(latin1, None),
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss>café</rss>"
        );
        // Content-Type beats the document.
        let (enc, src) = detect(latin1, Some("text/xml; charset=\"windows-1251\""));
        assert_eq!((enc.name(), src), ("windows-1251", CharsetSource::ContentType));
        // BOM beats everything.
        let mut bom = vec![0xef, 0xbb, 0xbf];
        bom.extend_from_slice("<a>é</a>".as_bytes());
        assert_eq!(detect(&bom, Some("text/xml; charset=iso-8859-1")).1, CharsetSource::Bom);
        assert_eq!(decode(&bom, None), "<a>é</a>");
    }

    #[test]
    fn utf8_declared_as_latin1_stays_utf8() {
        let bytes = "<p>café</p>".as_bytes();
        assert_eq!(detect(bytes, Some("text/html; charset=iso-8859-1")).0, UTF_8);
    }

    #[test]
    fn false_utf8_claims_are_ignored() {
        let latin1 =
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><title>caf\xe9 cr\xe8me br\xfbl\xe9e</title></rss>";
        let (enc, src) = detect(latin1, Some("text/xml; charset=utf-8"));
        assert_eq!((enc, src), (encoding_rs::WINDOWS_1252, CharsetSource::Document));
        let page = b"<html><head><meta charset=\"utf-8\"></head><body>Caf\xe9 cr\xe8me br\xfbl\xe9e, d\xe9j\xe0 vu \xe0 la fran\xe7aise</body></html>";
        let (enc, src) = detect(page, Some("text/html; charset=UTF-8"));
        assert_eq!((enc, src), (encoding_rs::WINDOWS_1252, CharsetSource::Guess));
        assert!(decode(page, None).contains("déjà vu à la française"));
    }

    #[test]
    fn meta_inside_a_feed_is_not_the_feeds_charset() {
        let feed = "<?xml version=\"1.0\"?><rss><item><description><![CDATA[<meta charset=\"koi8-r\">]]></description><title>café</title></item></rss>";
        assert_eq!(declared_in_document(feed.as_bytes()), None);
        assert_eq!(detect(feed.as_bytes(), None).0, UTF_8);
        let bare = "<rss><item><description><![CDATA[<meta charset=\"koi8-r\">]]></description><title>café</title></item></rss>";
        assert_eq!(declared_in_document(bare.as_bytes()), None);
    }

    #[test]
    fn false_utf16_claim_is_ignored() {
        assert_eq!(
            decode(b"<p>caf\xc3\xa9</p>", Some("text/html; charset=utf-16")),
            "<p>café</p>"
        );
        let mut le = Vec::new();
        for u in "<p>café</p>".encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&le, Some("text/html; charset=utf-16le")), "<p>café</p>");
    }

    #[test]
    fn legacy_bytes_that_look_like_utf8_stay_legacy() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode("É—");
        assert_eq!(decode(&bytes, Some("text/plain; charset=windows-1252")), "É—");
    }

    #[test]
    fn meta_after_first_kilobyte() {
        let mut doc = b"<html><head><title>x</title>".to_vec();
        doc.extend(std::iter::repeat_n(b' ', 3000));
        doc.extend_from_slice(b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=koi8-r\"></head>\xc1");
        assert_eq!(detect(&doc, None), (encoding_rs::KOI8_R, CharsetSource::Document));
        let doc2 = b"<html><head><meta charset='shift_jis'></head><body>\x82\xa0</body>";
        assert_eq!(detect(doc2, None).0, encoding_rs::SHIFT_JIS);
    }

    #[test]
    fn guesses_without_declaration() {
        let text = "Příliš žluťoučký kůň úpěl ďábelské ódy, příliš žluťoučký kůň.";
        let (bytes, _, _) = encoding_rs::WINDOWS_1250.encode(text);
        let (enc, src) = detect(&bytes, None);
        assert_eq!(src, CharsetSource::Guess);
        assert_eq!(enc.decode(&bytes).0, text);
    }
}
