//! Demonyms and country adjectives in running text ("Kenyan officials", "two South Africans"): found by scanning the
//! capitalised words of each field against the hand-written table, so that they count for their country whether or
//! not the tagger tagged them.

use gazette_extract::entities::Field;

use crate::gazetteer::{Gazetteer, PlaceIdx};

/// A demonym found in a field: character offsets (like mentions'), and its country.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DemonymSpan {
    pub field: Field,
    pub start: usize,
    pub end: usize,
    pub country: PlaceIdx,
}

/// Words of `text` as (char start, char end, byte start, byte end): runs of letters, with apostrophes and hyphens
/// inside a run kept ("Guinea-Bissau").
fn words(text: &str) -> Vec<(usize, usize, usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None;
    let mut last = (0, 0);
    for (ci, (bi, c)) in text.char_indices().enumerate() {
        let inner = (c == '-' || c == '\'') && start.is_some();
        if c.is_alphabetic() || inner {
            if start.is_none() {
                start = Some((ci, bi));
            }
            if c.is_alphabetic() {
                last = (ci + 1, bi + c.len_utf8());
            }
        } else if let Some((cs, bs)) = start.take() {
            out.push((cs, last.0, bs, last.1));
        }
    }
    if let Some((cs, bs)) = start {
        out.push((cs, last.0, bs, last.1));
    }
    out
}

/// Every demonym in `text`, longest first ("South African" before "African"), skipping spans inside `taken` (char
/// ranges of place mentions, which are resolved as mentions).
pub(crate) fn scan(g: &Gazetteer, field: Field, text: &str, taken: &[(usize, usize)]) -> Vec<DemonymSpan> {
    let w = words(text);
    let mut out = Vec::new();
    let mut i = 0;
    while i < w.len() {
        let (cs, ce, bs, be) = w[i];
        let capital = text[bs..].chars().next().is_some_and(char::is_uppercase);
        if !capital || be - bs < 3 {
            // the shortest demonym ("Lao") has three letters
            i += 1;
            continue;
        }
        // A two-word demonym needs the words separated by exactly one space.
        let pair = w.get(i + 1).filter(|n| n.2 == be + 1 && &text[be..n.2] == " ");
        let mut found = None;
        if let Some(&(_, ce2, _, be2)) = pair {
            if let Some(country) = g.demonym(&text[bs..be2]) {
                found = Some((ce2, country, 2));
            }
        }
        if found.is_none() {
            if let Some(country) = g.demonym(&text[bs..be]) {
                found = Some((ce, country, 1));
            }
        }
        match found {
            Some((end, country, n)) if !taken.iter().any(|&(s, e)| s < end && cs < e) => {
                out.push(DemonymSpan {
                    field,
                    start: cs,
                    end,
                    country,
                });
                i += n;
            }
            Some((_, _, n)) => i += n,
            None => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, taken: &[(usize, usize)]) -> Vec<(String, &'static str)> {
        let g = Gazetteer::embedded();
        scan(g, Field::Text, text, taken)
            .into_iter()
            .map(|d| {
                (
                    text.chars().skip(d.start).take(d.end - d.start).collect(),
                    g.place(d.country).country_code,
                )
            })
            .collect()
    }

    #[test]
    fn finds_demonyms_and_plurals_longest_first() {
        assert_eq!(
            found("Kenyan officials met two South Africans and a Briton in Zürich.", &[]),
            vec![
                ("Kenyan".to_string(), "KE"),
                ("South Africans".to_string(), "ZA"),
                ("Briton".to_string(), "GB")
            ]
        );
    }

    #[test]
    fn skips_lowercase_words_and_taken_spans() {
        // "french fries" is not a country adjective; "American" inside a mention's span belongs to the mention.
        assert_eq!(found("french fries in American Samoa", &[(16, 30)]), vec![]);
        assert_eq!(found("Über alles, Ghanaian-born", &[]), vec![]);
    }
}
