//! Resolution inside an article: aliases (`U.S.` -> `United States`), a later surname or short form to the full
//! name used in the article (`Austin` -> `Lloyd Austin`, `Suh` -> `Suh Wook`), acronyms to the name they abbreviate
//! (`SCM` -> `Security Consultative Meeting`), and one type per canonical name (the majority).

use std::collections::HashMap;
use std::sync::OnceLock;

use super::{EntityKind, Mention};

fn aliases() -> &'static HashMap<&'static str, &'static str> {
    static A: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    A.get_or_init(|| {
        include_str!("../../data/aliases.tsv")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .collect()
    })
}

/// The canonical name of an alias, if it is one.
pub fn alias(surface: &str) -> Option<&'static str> {
    aliases().get(surface).copied()
}

fn is_named(kind: EntityKind) -> bool {
    matches!(
        kind,
        EntityKind::Person | EntityKind::Organisation | EntityKind::Location | EntityKind::Misc
    )
}

const STOP: &[&str] = &["of", "the", "and", "for", "on", "in", "de", "&"];

/// Initials of the capitalised words of `words` (`U.S.-Republic` counts its last part).
fn initials(words: &[&str]) -> String {
    words
        .iter()
        .filter(|w| !STOP.contains(w))
        .filter_map(|w| w.rsplit('-').next().and_then(|p| p.chars().next()))
        .filter(|c| c.is_uppercase())
        .collect()
}

/// The shortest trailing run of `name`'s words whose initials spell `acr`.
fn expand_acronym(acr: &str, name: &str) -> Option<String> {
    let words: Vec<&str> = name.split_whitespace().collect();
    for k in 2..=words.len() {
        let tail = &words[words.len() - k..];
        if STOP.contains(&tail[0]) {
            continue;
        }
        if initials(tail) == acr {
            return Some(tail.join(" "));
        }
    }
    None
}

fn is_acronym(s: &str) -> bool {
    let n = s.chars().count();
    (2..=6).contains(&n) && s.chars().all(|c| c.is_uppercase())
}

/// Fills in `canonical` (and fixes `kind` where resolution shows a name is a person's).
pub fn resolve(mentions: &mut [Mention]) {
    for m in mentions.iter_mut().filter(|m| is_named(m.kind)) {
        if let Some(c) = alias(&m.surface) {
            m.canonical = c.to_string();
        }
    }
    // Full person names in article order.
    let full: Vec<(usize, String)> = mentions
        .iter()
        .enumerate()
        .filter(|(_, m)| m.kind == EntityKind::Person && m.surface.split_whitespace().count() >= 2)
        .map(|(i, m)| (i, m.surface.clone()))
        .collect();
    for (i, m) in mentions.iter_mut().enumerate() {
        if !is_named(m.kind) || m.surface.contains(char::is_whitespace) || alias(&m.surface).is_some() {
            continue;
        }
        let pick = |pos: fn(&str) -> Option<&str>| -> Option<String> {
            let earlier = full
                .iter()
                .rev()
                .find(|(j, n)| *j < i && pos(n) == Some(m.canonical.as_str()));
            let any = || full.iter().find(|(_, n)| pos(n) == Some(m.canonical.as_str()));
            earlier.or_else(any).map(|(_, n)| n.clone())
        };
        let by_last = pick(|n| n.split_whitespace().last());
        let by_first = if m.kind == EntityKind::Person {
            pick(|n| n.split_whitespace().next())
        } else {
            None
        };
        if let Some(name) = by_last.or(by_first) {
            m.canonical = name;
            m.kind = EntityKind::Person;
        }
    }
    // Acronyms: another mention's name (or its tail) spelled by the acronym.
    for i in 0..mentions.len() {
        if !is_named(mentions[i].kind) || !is_acronym(&mentions[i].surface) || alias(&mentions[i].surface).is_some() {
            continue;
        }
        let acr = mentions[i].surface.clone();
        let found = mentions
            .iter()
            .filter(|o| is_named(o.kind) && o.surface != acr)
            .find_map(|o| expand_acronym(&acr, &o.canonical).or_else(|| expand_acronym(&acr, &o.surface)));
        if let Some(name) = found {
            mentions[i].canonical = name;
        }
    }
    // One type per canonical name: the majority, ties to the first.
    let mut votes: HashMap<String, Vec<(EntityKind, usize)>> = HashMap::new();
    for m in mentions.iter().filter(|m| is_named(m.kind)) {
        let v = votes.entry(m.canonical.clone()).or_default();
        match v.iter_mut().find(|(k, _)| *k == m.kind) {
            Some(e) => e.1 += 1,
            None => v.push((m.kind, 1)),
        }
    }
    for m in mentions.iter_mut().filter(|m| is_named(m.kind)) {
        let v = &votes[&m.canonical];
        let best = v.iter().fold(v[0], |b, e| if e.1 > b.1 { *e } else { b });
        m.kind = best.0;
        // A country or region named by the curated lists is a place, whatever the context suggested.
        if m.kind == EntityKind::Organisation && super::gazetteer::is_region(&m.canonical) {
            m.kind = EntityKind::Location;
        }
    }
}

/// `Security Consultative Meeting (SCM)`: an acronym in parentheses that no mention explains takes its name from
/// the words before the parenthesis. `chars(field)` gives the field's characters.
pub fn acronyms_from_text<'a>(mentions: &mut [Mention], chars: impl Fn(super::Field) -> &'a [char]) {
    for m in mentions.iter_mut() {
        if !is_named(m.kind) || !is_acronym(&m.surface) || m.canonical != m.surface {
            continue;
        }
        let text = chars(m.field);
        if m.start == 0 || text[m.start - 1] != '(' {
            continue;
        }
        let from = m.start.saturating_sub(120);
        let before: String = text[from..m.start - 1].iter().collect();
        let words: Vec<&str> = before.split_whitespace().collect();
        let tail = words[words.len().saturating_sub(8)..].join(" ");
        if let Some(name) = expand_acronym(&m.surface, &tail) {
            m.canonical = name;
        }
    }
}

/// `X, known as Y` / `X (Y)`: an acronym introduced in apposition names the same thing as the mention before it, so
/// it takes that mention's canonical name (or the part of it the acronym spells) and type, and so does every other
/// mention of the acronym.
pub fn appositions<'a>(mentions: &mut [Mention], chars: impl Fn(super::Field) -> &'a [char]) {
    let mut pairs: Vec<(String, String, EntityKind)> = Vec::new();
    for (i, y) in mentions.iter().enumerate() {
        if !is_named(y.kind) || !is_acronym(&y.surface) {
            continue;
        }
        let text = chars(y.field);
        let x = mentions[..i]
            .iter()
            .rev()
            .filter(|x| x.field == y.field && is_named(x.kind) && x.end < y.start && y.start - x.end <= 40)
            .find(|x| introduces(&text[x.end..y.start].iter().collect::<String>()));
        if let Some(x) = x.filter(|x| x.surface != y.surface) {
            // The part of a longer name that the acronym spells, when it spells one (`SCM` in `U.S.-Republic of
            // Korea Security Consultative Meeting`).
            let name = expand_acronym(&y.surface, &x.canonical).unwrap_or_else(|| x.canonical.clone());
            pairs.push((y.surface.clone(), name, x.kind));
        }
    }
    for (acr, name, kind) in pairs {
        for m in mentions.iter_mut().filter(|m| m.surface == acr && is_named(m.kind)) {
            m.canonical = name.clone();
            m.kind = kind;
        }
    }
}

/// Whether the text between a name and an acronym introduces the acronym: ` (`, `, known as `, `, also known as `,
/// `, or `, after at most two lower-case words (`the Islamic State group, known as `).
fn introduces(between: &str) -> bool {
    let mut rest = between.trim_start();
    for _ in 0..2 {
        match rest.split_once(' ') {
            Some((w, r)) if w.chars().all(|c| c.is_lowercase()) && !w.is_empty() && !w.ends_with(',') => {
                if matches!(w, "known" | "or" | "called" | "dubbed") {
                    break;
                }
                rest = r;
            }
            _ => break,
        }
    }
    let rest = rest.trim_start_matches(',').trim();
    matches!(
        rest,
        "(" | "known as" | "also known as" | "better known as" | "commonly known as" | "or" | "called" | "dubbed"
    )
}
