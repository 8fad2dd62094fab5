//! Direct quotations in the body: spans between opening and closing quote marks (straight or curly, even mixed),
//! attributed to a speaker when the sentence says who: `"...," Abe said.`, `"..." said Abe`, `Abe said: "..."`,
//! `A statement from ... Hua Chunying ..., saying they "..."`, or `he said` (the last person named before). A quote
//! that directly continues an attributed one (`"...," Mensah told reporters. "The port ..."`: the next sentence or
//! paragraph, no one else named in between) has the same speaker.

use super::{EntityKind, Mention, Quote};

const SPEECH: &[&str] = &[
    "said",
    "says",
    "say",
    "saying",
    "told",
    "tells",
    "added",
    "adds",
    "stated",
    "states",
    "asked",
    "asks",
    "wrote",
    "writes",
    "warned",
    "warns",
    "noted",
    "notes",
    "declared",
    "insisted",
    "explained",
    "argued",
    "replied",
    "announced",
    "according",
    "statement",
    "remarked",
    "stressed",
    "urged",
    "claimed",
    "continued",
    "recalled",
    "tweeted",
    "posted",
    "acknowledged",
    "admitted",
    "vowed",
];

fn is_open(c: char) -> bool {
    matches!(c, '“' | '"' | '«' | '„')
}

fn is_close(c: char) -> bool {
    matches!(c, '”' | '"' | '»' | '“')
}

/// Quote spans (inner text, char offsets) in `chars`.
fn spans(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    for (i, &c) in chars.iter().enumerate() {
        if c == '\n' {
            open = None;
            continue;
        }
        let before = if i == 0 { ' ' } else { chars[i - 1] };
        let after = chars.get(i + 1).copied().unwrap_or(' ');
        match open {
            None if is_open(c) && !after.is_whitespace() && (before.is_whitespace() || "([—–-:,".contains(before)) =>
            {
                open = Some(i + 1);
            }
            Some(s)
                if is_close(c)
                    && !before.is_whitespace()
                    && !after.is_alphanumeric()
                    && (c != '“' || chars[s - 1] == '“') =>
            {
                out.push((s, i));
                open = None;
            }
            _ => {}
        }
    }
    out
}

fn words_in(chars: &[char], a: usize, b: usize) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut i = a;
    while i < b {
        if chars[i].is_alphabetic() {
            let s = i;
            while i < b && (chars[i].is_alphanumeric() || chars[i] == '\'') {
                i += 1;
            }
            out.push((s, chars[s..i].iter().collect::<String>().to_lowercase()));
        } else {
            i += 1;
        }
    }
    out
}

/// Sentence bounds around `a..b`: back to the previous `.`/newline before `a`, on to the next after `b`.
fn sentence_bounds(chars: &[char], a: usize, b: usize) -> (usize, usize) {
    let mut s = a.saturating_sub(1);
    while s > 0
        && !matches!(chars[s - 1], '\n')
        && !(matches!(chars[s - 1], '.' | '!' | '?') && chars[s].is_whitespace())
    {
        s -= 1;
    }
    let mut e = (b + 1).min(chars.len());
    while e < chars.len()
        && chars[e] != '\n'
        && !(matches!(chars[e], '.' | '!' | '?') && chars.get(e + 1).is_none_or(|c| c.is_whitespace()))
    {
        e += 1;
    }
    (s, e)
}

/// Finds the quotes of the body `text`, attributing them with the body's mentions.
pub fn find_quotes(text: &str, mentions: &[Mention]) -> Vec<Quote> {
    let chars: Vec<char> = text.chars().collect();
    let body: Vec<&Mention> = mentions
        .iter()
        .filter(|m| m.field == super::Field::Text && is_speaker_kind(m.kind))
        .collect();
    let mut out: Vec<Quote> = Vec::new();
    let mut prev: Option<(usize, &Mention)> = None;
    for (a, b) in spans(&chars) {
        let inner: String = chars[a..b].iter().collect();
        let trimmed = inner.trim_end_matches([',', '.', ' ']);
        if trimmed.split_whitespace().count() < 3 {
            continue;
        }
        let found = attribute(&chars, a, b, &body).or_else(|| {
            prev.filter(|&(end, who)| continues(&chars, end, a, who, &body))
                .map(|p| p.1)
        });
        prev = found.map(|m| (b, m));
        let speaker = found.map(|m| (m.kind, m.canonical.clone()));
        out.push(Quote {
            start: a,
            end: b,
            text: inner,
            speaker,
        });
    }
    out
}

/// Whether a quote opening at `a` continues the one that closed at `prev_end`, spoken by `who`: it opens a sentence
/// or paragraph at most one paragraph later, and nobody but `who` is named in between.
fn continues(chars: &[char], prev_end: usize, a: usize, who: &Mention, ms: &[&Mention]) -> bool {
    if a <= prev_end + 1 || a - prev_end > 200 {
        return false;
    }
    let between = &chars[prev_end + 1..a - 1];
    if between.windows(2).filter(|w| w == &['\n', '\n']).count() > 1 {
        return false;
    }
    // What precedes the opening mark on its line: nothing (a new paragraph) or the end of a sentence.
    let before_open = between.iter().rev().find(|c| !matches!(c, ' ' | '\t' | '\u{a0}'));
    let opens_sentence = matches!(before_open, None | Some('.' | '!' | '?' | '”' | '"' | '\n'));
    let others = ms
        .iter()
        .any(|m| m.start > prev_end && m.end < a && m.canonical != who.canonical);
    opens_sentence && !others
}

fn is_speaker_kind(k: EntityKind) -> bool {
    matches!(k, EntityKind::Person | EntityKind::Organisation)
}

fn attribute<'m>(chars: &[char], a: usize, b: usize, ms: &[&'m Mention]) -> Option<&'m Mention> {
    let (s, e) = sentence_bounds(chars, a, b);
    let after = words_in(chars, b + 1, e);
    let has_speech = |ws: &[(usize, String)]| ws.iter().any(|(_, w)| SPEECH.contains(&w.as_str()));
    // After the quote: `," Abe said` or `," said Abe` within a few words.
    let near: Vec<(usize, String)> = after.iter().take(8).cloned().collect();
    if has_speech(&near) {
        let limit = near.last().map(|(p, w)| p + w.chars().count()).unwrap_or(b);
        let persons = ms
            .iter()
            .filter(|m| m.start > b && m.start <= limit + 40 && m.start < e);
        if let Some(m) = persons.min_by_key(|m| (m.kind != EntityKind::Person, m.start)) {
            return Some(m);
        }
        if near.iter().take(3).any(|(_, w)| matches!(w.as_str(), "he" | "she")) {
            return last_person_before(ms, a);
        }
    }
    // Before the quote: the first person of the sentence, when a speech word follows it before the quote.
    let before = words_in(chars, s, a);
    if has_speech(&before) {
        let speech_at = before
            .iter()
            .rev()
            .find(|(_, w)| SPEECH.contains(&w.as_str()))
            .map(|(p, _)| *p)?;
        // An organisation speaks only as the subject of the speech word (`The Pentagon said ...`).
        let cands = ms.iter().filter(|m| {
            m.start >= s
                && m.end <= speech_at
                && (m.kind == EntityKind::Person || words_in(chars, m.end, speech_at).is_empty())
        });
        if let Some(m) = cands.min_by_key(|m| (m.kind != EntityKind::Person, m.start)) {
            return Some(m);
        }
        if before.iter().any(|(_, w)| matches!(w.as_str(), "he" | "she")) {
            return last_person_before(ms, a);
        }
    }
    None
}

fn last_person_before<'m>(ms: &[&'m Mention], a: usize) -> Option<&'m Mention> {
    ms.iter()
        .filter(|m| m.kind == EntityKind::Person && m.end <= a)
        .max_by_key(|m| m.start)
        .copied()
}
