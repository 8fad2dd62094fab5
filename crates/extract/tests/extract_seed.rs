//! The seed page (the project's own copy in tests/fixtures/seed) must come out exactly as expected.json says.

use gazette_extract::{extract, BlockKind, Source};
use serde_json::Value;

const PAGE: &str = include_str!("../../../tests/fixtures/seed/voa-austin-kishi.html");
const EXPECTED: &str = include_str!("../../../tests/fixtures/seed/expected.json");

fn expected() -> Value {
    serde_json::from_str(EXPECTED).expect("expected.json parses")
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("expected.json has no {key}"))
}

#[test]
fn seed_metadata_comes_out_exactly() {
    let want = expected();
    let a = extract(PAGE, Some(s(&want, "url"))).expect("extracts");
    assert_eq!(a.title.as_deref(), Some(s(&want, "title")));
    assert_eq!(
        a.published
            .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .as_deref(),
        Some(s(&want, "published"))
    );
    assert_eq!(a.language.as_deref(), Some(s(&want, "language")));
    assert_eq!(a.site_name.as_deref(), Some(s(&want, "site_name")));
    assert_eq!(a.authors, vec![s(&want, "author").to_string()]);
    assert_eq!(a.image_url.as_deref(), Some(s(&want, "image")));
    assert_eq!(a.image_caption.as_deref(), Some(s(&want, "image_caption")));
    assert_eq!(a.canonical_url.as_deref(), Some(s(&want, "url")));
    assert!(a.updated.is_some(), "dateModified is in the JSON-LD");
    assert_eq!(a.sources.get("title"), Some(&Source::JsonLd));
    assert_eq!(a.sources.get("authors"), Some(&Source::JsonLd));
    assert_eq!(a.sources.get("canonical_url"), Some(&Source::Html));
    assert_eq!(a.sources.get("image_caption"), Some(&Source::Html));
    assert!(a
        .description
        .as_deref()
        .is_some_and(|d| d.starts_with("Pentagon chief")));
}

#[test]
fn seed_body_is_the_seventeen_paragraphs_in_order() {
    let want = expected();
    let a = extract(PAGE, Some(s(&want, "url"))).expect("extracts");
    let paragraphs: Vec<&str> = want["body_paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    let got: Vec<&str> = a.blocks.iter().map(|b| b.text.as_str()).collect();
    assert_eq!(got, paragraphs);
    assert!(a.blocks.iter().all(|b| b.kind == BlockKind::Paragraph));
    let text = a.text();
    assert!(
        !text.contains(s(&want, "image_caption")),
        "caption leaked into the body"
    );
    for bad in want["must_not_contain"].as_array().unwrap() {
        let bad = bad.as_str().unwrap();
        assert!(!text.contains(bad), "body contains {bad:?}");
    }
}

#[test]
fn seed_without_page_url_still_resolves_canonical() {
    let want = expected();
    let a = extract(PAGE, None).expect("extracts");
    assert_eq!(a.canonical_url.as_deref(), Some(s(&want, "url")));
    assert_eq!(a.blocks.len(), 17);
}
