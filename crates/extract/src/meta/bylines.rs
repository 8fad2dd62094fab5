//! Authors: people named in JSON-LD, `<meta name=author>`, `rel=author` links and byline elements, as bare names.
//!
//! A byline says more than names: "By Jane Doe and John Roe, Senior Correspondents, in London | Reuters | 3 Dec
//! 2021". It is cut into parts at "and", commas, bars and the like; "By" and its translations go, roles
//! ("Senior Correspondent"), places ("in London") and dates go, and news agencies ("Reuters", "AP", "dpa") are kept
//! apart from people.

use crate::dom::{flag, Dom, Kind, Tag};

/// The people and the agencies of a byline.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Byline {
    pub people: Vec<String>,
    pub agencies: Vec<String>,
}

impl Byline {
    pub fn is_empty(&self) -> bool {
        self.people.is_empty() && self.agencies.is_empty()
    }

    fn add_person(&mut self, name: String) {
        if !self.people.iter().any(|p| p.eq_ignore_ascii_case(&name)) {
            self.people.push(name);
        }
    }

    fn add_agency(&mut self, name: String) {
        if !self.agencies.iter().any(|p| p.eq_ignore_ascii_case(&name)) {
            self.agencies.push(name);
        }
    }
}

/// News agencies and wire services, lower case.
const AGENCIES: &[&str] = &[
    "reuters",
    "thomson reuters",
    "ap",
    "the associated press",
    "associated press",
    "afp",
    "agence france-presse",
    "agence france presse",
    "dpa",
    "epd",
    "kna",
    "apa",
    "sda",
    "keystone-sda",
    "efe",
    "ansa",
    "upi",
    "xinhua",
    "tass",
    "kyodo",
    "yonhap",
    "pa",
    "pa media",
    "press association",
    "aap",
    "the canadian press",
    "canadian press",
    "cp",
    "bloomberg",
    "bloomberg news",
    "ap news",
    "reuters staff",
    "dpa-afx",
    "sid",
    "europa press",
    "anp",
    "belga",
    "ntb",
    "tt",
    "ritzau",
    "ians",
    "pti",
    "ani",
];

pub fn is_agency(name: &str) -> bool {
    let n = name.trim().trim_end_matches('.').to_lowercase();
    AGENCIES.contains(&n.as_str())
}

/// Words that say a part of a byline is a role, not a name.
const ROLES: &[&str] = &[
    "correspondent",
    "correspondents",
    "reporter",
    "reporters",
    "editor",
    "editors",
    "writer",
    "writers",
    "columnist",
    "contributor",
    "contributors",
    "journalist",
    "photographer",
    "staff",
    "redakteur",
    "redakteurin",
    "redaktion",
    "korrespondent",
    "korrespondentin",
    "autor",
    "autorin",
    "chief",
    "senior",
    "analyst",
    "producer",
    "bureau",
    "desk",
    "team",
    "newsroom",
    "rédaction",
    "redacción",
    "redazione",
    "special",
    "opinion",
];

const BY: &[&str] = &[
    "by",
    "posted by",
    "written by",
    "words by",
    "story by",
    "reporting by",
    "von",
    "par",
    "por",
    "di",
    "door",
    "av",
    "text:",
    "von:",
    "autor:",
    "author:",
    "by:",
    "text von",
];

/// Separators between names (around spaces) in a byline.
const JOINERS: &[&str] = &[
    " and ", " und ", " et ", " y ", " e ", " en ", " och ", " og ", " & ", " with ",
];

/// Cuts a byline into people and agencies.
pub fn parse(line: &str) -> Byline {
    let mut out = Byline::default();
    let mut text = line.trim().to_string();
    // Parenthesised agencies: "Jane Doe (dpa)".
    let mut rest = String::new();
    for (k, piece) in text.split(['(', ')']).enumerate() {
        if k % 2 == 1 && is_agency(piece) {
            out.add_agency(piece.trim().to_string());
        } else {
            rest.push_str(piece);
            rest.push(' ');
        }
    }
    text = rest;
    for j in JOINERS {
        text = replace_ci(&text, j, ",");
    }
    for part in text.split([',', ';', '|', '/', '·', '•', '\n']) {
        let mut p = part.trim();
        let lower = p.to_lowercase();
        for by in BY {
            if lower.starts_with(by) && lower[by.len()..].starts_with([' ', ':']) {
                p = p[by.len()..].trim_start_matches([' ', ':']).trim();
                break;
            }
        }
        if let Some(cut) = place_start(&format!(" {p}")) {
            p = p[..cut.saturating_sub(1)].trim();
        }
        if p.is_empty() {
            continue;
        }
        if is_agency(p) {
            out.add_agency(p.to_string());
            continue;
        }
        if looks_like_name(p) {
            out.add_person(p.to_string());
        }
    }
    out
}

fn replace_ci(text: &str, pat: &str, with: &str) -> String {
    let lower = text.to_lowercase();
    if lower.len() != text.len() || !lower.contains(pat) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (i, _) in lower.match_indices(pat) {
        out.push_str(&text[last..i]);
        out.push_str(with);
        last = i + pat.len();
    }
    out.push_str(&text[last..]);
    out
}

/// Where " in London" / " aus Berlin" / " from Paris" begins.
fn place_start(p: &str) -> Option<usize> {
    [" in ", " aus ", " from ", " en ", " à "]
        .iter()
        .filter_map(|w| p.find(w))
        .min()
}

/// One to five words, at least one capitalised, no digits, no role words, not a sentence.
fn looks_like_name(p: &str) -> bool {
    let words: Vec<&str> = p.split_whitespace().collect();
    if words.is_empty() || words.len() > 5 || p.chars().count() > 60 {
        return false;
    }
    if p.chars()
        .any(|c| c.is_ascii_digit() || c == '@' || c == '?' || c == '!')
        || p.contains("://")
    {
        return false;
    }
    let lower = p.to_lowercase();
    if lower.split(|c: char| !c.is_alphanumeric()).any(|w| ROLES.contains(&w)) {
        return false;
    }
    words.iter().any(|w| w.chars().next().is_some_and(char::is_uppercase))
}

/// Authors from `rel=author` links, then from byline elements (class or id naming a byline or author).
pub fn from_page(dom: &Dom) -> Byline {
    let mut out = Byline::default();
    for (i, it) in dom.items.iter().enumerate() {
        let Kind::Element { tag: Tag::Link, el } = it.kind else {
            continue;
        };
        if el
            .attr("rel")
            .is_some_and(|r| r.split_whitespace().any(|w| w.eq_ignore_ascii_case("author")))
        {
            let b = parse(&dom.subtree_text(i));
            b.people.into_iter().for_each(|p| out.add_person(p));
            b.agencies.into_iter().for_each(|p| out.add_agency(p));
        }
    }
    if !out.people.is_empty() {
        return out;
    }
    for (i, it) in dom.items.iter().enumerate() {
        if !it.has(flag::BYLINE) {
            continue;
        }
        let Kind::Element { el, .. } = it.kind else { continue };
        let class = format!("{} {}", el.attr("class").unwrap_or(""), el.attr("id").unwrap_or("")).to_ascii_lowercase();
        if !(class.contains("byline") || class.contains("author")) || class.contains("bio") {
            continue;
        }
        let t = dom.subtree_text(i);
        if t.chars().count() > 200 {
            continue;
        }
        let b = parse(&t);
        if !b.is_empty() {
            return b;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bylines_are_cut_into_people_and_agencies() {
        let b = parse("By Jane Doe and John Roe, Senior Correspondents, in London | Reuters");
        assert_eq!(b.people, ["Jane Doe", "John Roe"]);
        assert_eq!(b.agencies, ["Reuters"]);
        let b = parse("Von Max Mustermann (dpa)");
        assert_eq!(b.people, ["Max Mustermann"]);
        assert_eq!(b.agencies, ["dpa"]);
        let b = parse("Jane Doe | 3 December 2021, 14:05");
        assert_eq!(b.people, ["Jane Doe"]);
        let b = parse("AP");
        assert!(b.people.is_empty());
        assert_eq!(b.agencies, ["AP"]);
        let b = parse("Jane Doe, Staff Writer");
        assert_eq!(b.people, ["Jane Doe"]);
    }
}
