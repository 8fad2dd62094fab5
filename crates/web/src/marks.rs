//! Markup made from stored text and positions: mentions linked to their entities, search matches marked. The text is
//! always escaped as text; markup comes only from the stored offsets and from the search's private-use markers, so
//! whatever HTML an article's text holds shows as text.

use gazette_store::read::{MATCH_END, MATCH_START};
use gazette_store::{EntityRef, MentionSpan};
use maud::{html, Markup};

use crate::layout::type_class;

/// A mention at byte offsets of its field.
struct Span<'a> {
    start: usize,
    end: usize,
    entity: &'a EntityRef,
}

/// The `field`'s mentions as byte ranges of `text`, in order, without overlaps or offsets outside the text (plain
/// SQL may have written anything).
fn spans<'a>(text: &str, field: &str, mentions: &'a [MentionSpan]) -> Vec<Span<'a>> {
    // Stored offsets count characters; slicing needs bytes.
    let bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).chain([text.len()]).collect();
    let at = |c: i64| usize::try_from(c).ok().and_then(|c| bytes.get(c).copied());
    let mut found: Vec<Span> = mentions
        .iter()
        .filter(|m| m.field == field)
        .filter_map(|m| {
            let (start, end) = (at(m.start)?, at(m.end)?);
            (start < end).then_some(Span {
                start,
                end,
                entity: &m.entity,
            })
        })
        .collect();
    found.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let mut last_end = 0;
    found.retain(|s| {
        let keep = s.start >= last_end;
        if keep {
            last_end = s.end;
        }
        keep
    });
    found
}

/// `text[range]` with the mentions inside it linked.
fn linked(text: &str, range: std::ops::Range<usize>, spans: &[Span]) -> Markup {
    // (plain text before the mention, the mention), then the rest.
    let mut pieces = Vec::new();
    let mut at = range.start;
    for s in spans.iter().filter(|s| s.start >= range.start && s.end <= range.end) {
        pieces.push((&text[at..s.start], s));
        at = s.end;
    }
    let rest = &text[at..range.end];
    html! {
        @for (before, s) in pieces {
            (before)
            a class={"ent " (type_class(&s.entity.entity_type))} href={"/entities/" (s.entity.id)}
              title={(s.entity.entity_type) ": " (s.entity.name)} { (&text[s.start..s.end]) }
        }
        (rest)
    }
}

/// A one-line field (title, caption) with its mentions linked.
pub(crate) fn line(text: &str, field: &str, mentions: &[MentionSpan]) -> Markup {
    let spans = spans(text, field, mentions);
    linked(text, 0..text.len(), &spans)
}

/// The body: paragraphs (split at blank lines), each with its mentions linked.
pub(crate) fn paragraphs(text: &str, mentions: &[MentionSpan]) -> Markup {
    let spans = spans(text, "text", mentions);
    let mut ranges = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices("\n\n") {
        if i >= start {
            ranges.push(start..i);
        }
        start = i + 2;
    }
    ranges.push(start..text.len());
    html! {
        @for r in ranges {
            @if !text[r.clone()].trim().is_empty() {
                p { (linked(text, r, &spans)) }
            }
        }
    }
}

/// A search snippet: its text escaped, the matched words in `<mark>`. Markers the stored text itself carried
/// unpaired are dropped.
pub(crate) fn snippet(s: &str) -> Markup {
    let mut pieces: Vec<(bool, String)> = vec![(false, String::new())];
    for c in s.chars() {
        let open = pieces.last().is_some_and(|(marked, _)| *marked);
        match c {
            MATCH_START if !open => pieces.push((true, String::new())),
            MATCH_END if open => pieces.push((false, String::new())),
            MATCH_START | MATCH_END => {}
            c => pieces.last_mut().expect("never empty").1.push(c),
        }
    }
    html! {
        @for (marked, text) in pieces.iter().filter(|(_, t)| !t.is_empty()) {
            @if *marked { mark { (text) } } @else { (text) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gazette_store::EntityId;

    fn mention(field: &str, start: i64, end: i64, id: i64) -> MentionSpan {
        MentionSpan {
            field: field.into(),
            start,
            end,
            surface: String::new(),
            entity: EntityRef {
                id: EntityId(id),
                entity_type: "PER".into(),
                name: "<b>N</b>".into(),
            },
        }
    }

    #[test]
    fn mentions_are_linked_by_character_offsets_and_text_stays_text() {
        let text = "Ünïcode <script>x</script> Abe said.\n\nKishi too.";
        let m = [
            mention("text", 27, 30, 1),
            mention("text", 38, 43, 2),
            mention("text", 28, 29, 3),  // inside another: dropped
            mention("text", 40, 999, 4), // outside the text: dropped
            mention("title", 0, 3, 5),
        ];
        let html = paragraphs(text, &m).into_string();
        assert_eq!(
            html,
            "<p>Ünïcode &lt;script&gt;x&lt;/script&gt; <a class=\"ent per\" href=\"/entities/1\" \
             title=\"PER: &lt;b&gt;N&lt;/b&gt;\">Abe</a> said.</p><p><a class=\"ent per\" href=\"/entities/2\" \
             title=\"PER: &lt;b&gt;N&lt;/b&gt;\">Kishi</a> too.</p>"
        );
    }

    #[test]
    fn snippets_mark_matches_only_from_markers() {
        let s = format!("a <i>b</i> {MATCH_START}Abe{MATCH_END} c {MATCH_END}d{MATCH_START}e");
        assert_eq!(
            snippet(&s).into_string(),
            "a &lt;i&gt;b&lt;/i&gt; <mark>Abe</mark> c d<mark>e</mark>"
        );
    }
}
