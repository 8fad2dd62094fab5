//! The seed article: every entity of `expected.json` is found with its type and canonical name, and both quotes with
//! their speakers. Uses only the project's own fixture (no corpus needed).

use gazette_extract::entities::{Annotations, Field, Tagger};
use serde_json::Value;

fn seed() -> (Value, Annotations, String) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/seed/expected.json");
    let expected: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let paras: Vec<&str> = expected["body_paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    let mut text = paras.join("\n\n");
    text.push_str("\n\n");
    text.push_str(expected["image_caption"].as_str().unwrap());
    let ann = Tagger::embedded().annotate(expected["title"].as_str().unwrap(), &text);
    (expected, ann, text)
}

#[test]
fn seed_entities_are_found_with_type_and_canonical() {
    let (expected, ann, _) = seed();
    let mut missing = Vec::new();
    for e in expected["entities"].as_array().unwrap() {
        let text = e["text"].as_str().unwrap();
        let kind = e["type"].as_str().unwrap();
        let canonical = e["canonical"].as_str();
        let found = ann
            .mentions
            .iter()
            .any(|m| m.surface == text && m.kind.as_str() == kind && canonical.is_none_or(|c| m.canonical == c));
        if !found {
            let got: Vec<String> = ann
                .mentions
                .iter()
                .filter(|m| m.surface.contains(text) || text.contains(&m.surface))
                .map(|m| format!("{} {} -> {}", m.surface, m.kind.as_str(), m.canonical))
                .collect();
            missing.push(format!("{text} {kind} {canonical:?}; got {got:?}"));
        }
    }
    assert!(missing.is_empty(), "missing:\n{}", missing.join("\n"));
}

#[test]
fn seed_offsets_point_at_the_surface() {
    let (expected, ann, text) = seed();
    let title = expected["title"].as_str().unwrap();
    for m in &ann.mentions {
        let field = if m.field == Field::Title { title } else { text.as_str() };
        let sub: String = field.chars().skip(m.start).take(m.end - m.start).collect();
        assert_eq!(sub, m.surface);
    }
    for q in &ann.quotes {
        let sub: String = text.chars().skip(q.start).take(q.end - q.start).collect();
        assert_eq!(sub, q.text);
    }
}

#[test]
fn seed_quotes_have_their_speakers() {
    let (expected, ann, _) = seed();
    for q in expected["quotes"].as_array().unwrap() {
        let starts = q["starts"].as_str().unwrap();
        let speaker = q["speaker"].as_str().unwrap();
        let found = ann.quotes.iter().find(|x| x.text.starts_with(starts));
        let found = found.unwrap_or_else(|| panic!("no quote starting {starts:?}: {:#?}", ann.quotes));
        let (kind, name) = found
            .speaker
            .clone()
            .unwrap_or_else(|| panic!("no speaker for {starts:?}"));
        assert_eq!((kind.as_str(), name.as_str()), ("PER", speaker));
    }
    // Unattributed quotes are kept without a speaker.
    assert!(ann.quotes.iter().any(|q| q.speaker.is_none()));
}

#[test]
fn seed_acronym_resolves() {
    let (_, ann, _) = seed();
    let scm: Vec<_> = ann.mentions.iter().filter(|m| m.surface == "SCM").collect();
    assert!(!scm.is_empty(), "{:#?}", ann.mentions);
    assert!(
        scm.iter().all(|m| m.canonical == "Security Consultative Meeting"),
        "{scm:#?}"
    );
}

#[test]
fn seed_unnamed_official_is_not_the_pentagon() {
    let (_, ann, _) = seed();
    let q = ann
        .quotes
        .iter()
        .find(|q| q.text.starts_with("preparing for a contingency"))
        .expect("quote found");
    assert_eq!(q.speaker, None);
    let q = ann
        .quotes
        .iter()
        .find(|q| q.text.starts_with("build understanding"))
        .expect("quote found");
    assert_eq!(q.speaker.as_ref().map(|s| s.1.as_str()), Some("Pentagon"));
}
