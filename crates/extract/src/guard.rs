//! Pre-parse guard against pathological nesting.
//!
//! html5ever's tree builder is quadratic in nesting depth (50,000 nested `<div>`s take seconds to parse), so the
//! depth is estimated with a cheap byte scan *before* parsing and such pages are refused with a clear error. The scan
//! counts start tags minus end tags, ignoring void elements, elements whose end tag the parser infers (`p`, `li`,
//! table parts...), comments and raw-text elements, so unclosed paragraphs on sloppy but real pages do not add up.

/// Deepest nesting accepted. Real pages stay in the tens; the parser handles this depth in well under 100 ms.
pub const MAX_DEPTH: usize = 5_000;

/// Elements that never nest: void elements and those whose end tags the parser supplies on its own.
fn not_counted(tag: &[u8]) -> bool {
    matches!(
        tag,
        b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"input"
            | b"link"
            | b"meta"
            | b"source"
            | b"track"
            | b"wbr"
            | b"param"
            | b"keygen"
            | b"p"
            | b"li"
            | b"dt"
            | b"dd"
            | b"option"
            | b"optgroup"
            | b"tr"
            | b"td"
            | b"th"
            | b"tbody"
            | b"thead"
            | b"tfoot"
            | b"colgroup"
            | b"caption"
            | b"rb"
            | b"rt"
            | b"rp"
            | b"html"
            | b"head"
            | b"body"
            | b"frame"
            | b"image"
    )
}

/// Returns the estimated nesting depth if it exceeds `limit` (scanning stops there), else `None`.
pub fn too_deep(html: &str, limit: usize) -> Option<usize> {
    let b = html.as_bytes();
    let mut depth: usize = 0;
    let mut i = 0;
    let mut name = [0u8; 16];
    while let Some(off) = memchr(b'<', &b[i..]) {
        i += off + 1;
        if b[i..].starts_with(b"!--") {
            i = find(b, i + 3, b"-->").map_or(b.len(), |e| e + 3);
            continue;
        }
        let closing = b.get(i) == Some(&b'/');
        let start = if closing { i + 1 } else { i };
        let mut n = 0;
        while let Some(&c) = b.get(start + n) {
            if !c.is_ascii_alphanumeric() && c != b'-' && c != b':' {
                break;
            }
            if n < name.len() {
                name[n] = c.to_ascii_lowercase();
            }
            n += 1;
        }
        if n == 0 {
            continue;
        }
        let tag = &name[..n.min(name.len())];
        let counted = n <= name.len() && !not_counted(tag);
        if closing {
            if counted {
                depth = depth.saturating_sub(1);
            }
            continue;
        }
        if matches!(
            tag,
            b"script" | b"style" | b"textarea" | b"title" | b"xmp" | b"plaintext" | b"noembed" | b"iframe"
        ) {
            let mut end = Vec::with_capacity(n + 2);
            end.extend_from_slice(b"</");
            end.extend_from_slice(tag);
            i = find_ci(b, start + n, &end).unwrap_or(b.len());
            continue;
        }
        if counted {
            depth += 1;
            if depth > limit {
                return Some(depth);
            }
        }
    }
    None
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&c| c == needle)
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn find_ci(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_real_nesting_only() {
        assert_eq!(too_deep(&"<div>".repeat(10), 5), Some(6));
        assert_eq!(too_deep(&"<div></div>".repeat(100), 5), None);
        assert_eq!(too_deep(&"<p>text".repeat(1000), 5), None);
        assert_eq!(too_deep(&format!("<script>{}</script>", "<div>".repeat(100)), 5), None);
        assert_eq!(too_deep(&format!("<!-- {} -->", "<div>".repeat(100)), 5), None);
    }
}
