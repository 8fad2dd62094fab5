//! HTML's named character references (`&eacute;`, `&nbsp`), read from html5ever's own table (the WHATWG list, through
//! `markup5ever`, which the HTML parser already uses), for mapping the references feeds use to text or to numeric
//! references XML understands.

use markup5ever::data::NAMED_ENTITIES;

/// The text a named reference (`name` without `&` and `;`) stands for.
pub(crate) fn lookup(name: &str) -> Option<String> {
    text(NAMED_ENTITIES.get(format!("{name};").as_str())?)
}

/// The text of a reference written without its semicolon, for the names HTML still accepts that way (the Latin-1
/// set and `&AMP`, `&LT`...: the table lists them without the semicolon), which hand-written feeds use ("&nbsp",
/// "&copy 2024").
pub(crate) fn lookup_legacy(name: &str) -> Option<String> {
    text(NAMED_ENTITIES.get(name)?)
}

/// One or two code points, as the table gives them (0 for none; the tokenizer's table also lists every prefix of a
/// name, as (0, 0), so that it can match as it reads).
fn text(&(first, second): &(u32, u32)) -> Option<String> {
    if first == 0 {
        return None;
    }
    let mut s = String::new();
    s.push(char::from_u32(first)?);
    if second != 0 {
        s.push(char::from_u32(second)?);
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_references_with_and_without_their_semicolon() {
        assert_eq!(lookup("eacute").as_deref(), Some("é"));
        assert_eq!(lookup("nbsp").as_deref(), Some("\u{a0}"));
        // Two code points.
        assert_eq!(lookup("acE").as_deref(), Some("\u{223e}\u{333}"));
        assert_eq!(lookup("nosuch"), None);
        assert_eq!(lookup_legacy("copy").as_deref(), Some("©"));
        assert_eq!(lookup_legacy("AMP").as_deref(), Some("&"));
        // Only the legacy names go without a semicolon.
        assert_eq!(lookup_legacy("hellip"), None);
        assert_eq!(lookup("hellip").as_deref(), Some("…"));
    }
}
