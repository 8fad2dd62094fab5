//! Names in headlines: in a title-case or all-caps sentence (a headline, a byline, a section line) capitals say
//! nothing, so a name found there is kept only when the rest of the article names it too, as the same string (in any
//! case for all-caps text, where the article's own casing becomes the canonical name) or through an alias. The
//! others, such as `Amid Budget Worries` in `Pacific Leaders Sign Fisheries Pact Amid Budget Worries`, are dropped.
//! A sentence-case headline is read the same way, except that a well-known name (a country, a nationality, a name
//! the model learnt with that type) stands without the body: `US pledges extra $150 million`.

use super::{EntityKind, Field, Mention};

/// A sentence whose names need the rest of the article's support: a headline's, or a title-case or all-caps one.
#[derive(Debug, Clone, Copy)]
pub struct Shouted {
    /// Index of the field.
    pub field: usize,
    /// Char range in the field.
    pub start: usize,
    pub end: usize,
    /// All caps: the rest of the article may name it in any case.
    pub caps: bool,
    /// A sentence-case headline: well-known names stand on their own.
    pub sentence_case: bool,
}

const FIELDS: [Field; 3] = [Field::Title, Field::Text, Field::Caption];

/// The mentions, less the names in shouted sentences that the rest of the article never names. `chars(field)` gives
/// a field's characters, `index(field)` its index in `shouted`, `known(mention)` whether it is a well-known name.
pub fn keep_supported<'a>(
    mentions: Vec<Mention>,
    shouted: &[Shouted],
    chars: impl Fn(Field) -> &'a [char],
    index: impl Fn(Field) -> usize,
    known: impl Fn(&Mention) -> bool,
) -> Vec<Mention> {
    if shouted.is_empty() {
        return mentions;
    }
    let mut out = Vec::with_capacity(mentions.len());
    for mut m in mentions {
        let named = matches!(
            m.kind,
            EntityKind::Person | EntityKind::Organisation | EntityKind::Location | EntityKind::Misc
        );
        let fi = index(m.field);
        let Some(&Shouted {
            caps, sentence_case, ..
        }) = shouted
            .iter()
            .find(|s| s.field == fi && s.start <= m.start && m.end <= s.end)
        else {
            out.push(m);
            continue;
        };
        if !named {
            out.push(m);
            continue;
        }
        let surface: Vec<char> = m.surface.chars().collect();
        let alias: Option<Vec<char>> = super::resolve::alias(&m.surface).map(|a| a.chars().collect());
        let found = FIELDS.iter().find_map(|&f| {
            let text = chars(f);
            let plain = |at: usize, len: usize| {
                !shouted
                    .iter()
                    .any(|s| s.field == index(f) && s.start < at + len && at < s.end)
            };
            find(text, &surface, caps, &plain)
                .or_else(|| alias.as_ref().and_then(|a| find(text, a, false, &plain)))
                .map(|at| {
                    text[at..at + surface.len().min(text.len() - at)]
                        .iter()
                        .collect::<String>()
                })
        });
        if let Some(body_form) = found {
            if caps && body_form.chars().count() == surface.len() {
                m.canonical = body_form;
            }
            out.push(m);
        } else if sentence_case && known(&m) {
            out.push(m);
        }
    }
    out
}

/// Start of the first occurrence of `needle` in `text` at word boundaries where `ok(start, len)`; with
/// `any_case`, matched case-insensitively but starting with a capital.
fn find(text: &[char], needle: &[char], any_case: bool, ok: &impl Fn(usize, usize) -> bool) -> Option<usize> {
    let n = needle.len();
    if n == 0 || text.len() < n {
        return None;
    }
    let same = |a: char, b: char| a == b || (any_case && a.to_lowercase().eq(b.to_lowercase()));
    (0..=text.len() - n).find(|&i| {
        (i == 0 || !text[i - 1].is_alphanumeric())
            && text.get(i + n).is_none_or(|c| !c.is_alphanumeric())
            && text[i..i + n].iter().zip(needle).all(|(&a, &b)| same(a, b))
            && (!any_case || text[i].is_uppercase())
            && ok(i, n)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(field: Field, start: usize, surface: &str, kind: EntityKind) -> Mention {
        Mention {
            field,
            start,
            end: start + surface.chars().count(),
            surface: surface.into(),
            kind,
            canonical: surface.into(),
        }
    }

    #[test]
    fn keeps_only_names_the_body_names() {
        let title: Vec<char> = "Pacific Leaders Sign Pact Amid Budget Worries".chars().collect();
        let body: Vec<char> = "Leaders of the Pacific met; budget worries grew.".chars().collect();
        let chars = |f: Field| -> &[char] {
            match f {
                Field::Title => &title,
                Field::Text => &body,
                Field::Caption => &[],
            }
        };
        let index = |f: Field| FIELDS.iter().position(|g| *g == f).unwrap();
        let ms = vec![
            m(Field::Title, 0, "Pacific", EntityKind::Location),
            m(Field::Title, 31, "Budget Worries", EntityKind::Person),
        ];
        let shouted = Shouted {
            field: 0,
            start: 0,
            end: title.len(),
            caps: false,
            sentence_case: false,
        };
        let kept = keep_supported(ms, &[shouted], chars, index, |_| true);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].surface, "Pacific");
    }
}
