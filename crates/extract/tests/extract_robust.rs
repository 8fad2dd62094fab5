//! The extractor never panics and never hangs: arbitrary bytes, mutated real pages, pathological nesting.

use std::time::{Duration, Instant};

use gazette_extract::{extract, ExtractError};
use proptest::prelude::*;

const SEED: &str = include_str!("../../../tests/fixtures/seed/voa-austin-kishi.html");

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Cuts the seed page at `at` and splices `insert` there, at a char boundary.
fn mutate(at: usize, cut: usize, insert: &str) -> String {
    let mut at = at % SEED.len();
    while !SEED.is_char_boundary(at) {
        at -= 1;
    }
    let mut end = (at + cut).min(SEED.len());
    while !SEED.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{}{}", &SEED[..at], insert, &SEED[end..])
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let html = String::from_utf8_lossy(&bytes);
        let _ = extract(&html, None);
        let _ = extract(&html, Some("not a url"));
    }

    #[test]
    fn markup_soup_never_panics(parts in proptest::collection::vec(prop_oneof![
        Just("<div class=\"content\">"), Just("</div>"), Just("<p>"), Just("</p>"), Just("<a href=x>"),
        Just("</a>"), Just("<table><tr><td>"), Just("<ul><li>"), Just("<br>"), Just("<script>"), Just("<!--"),
        Just("<figure><figcaption>"), Just("<h1>"), Just("text words here, more. "), Just("<nav>"), Just("<time datetime=\"2021-13-45\">"),
        Just("<meta property=\"og:title\" content=\"x\">"), Just("<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\",\"author\":[[{}]]}</script>"),
        Just("\u{0}"), Just("é日本"), Just("<html lang=\"zz-ZZ\">"), Just("<link rel=canonical href=\"::\">"),
    ], 0..200)) {
        let html: String = parts.concat();
        let _ = extract(&html, Some("https://example.com/a/b.html"));
    }

    #[test]
    fn mutated_seed_never_panics(at in 0usize..20_000, cut in 0usize..400, insert in "[<>/\"'=a-z &#;\u{0}-\u{7f}é]{0,40}") {
        let html = mutate(at, cut, &insert);
        let _ = extract(&html, Some("https://www.voanews.com/a/x.html"));
    }
}

#[test]
fn deep_nesting_is_refused_fast() {
    for page in [
        "<div>".repeat(50_000),
        format!(
            "<html><body>{}x{}",
            "<span><div>".repeat(30_000),
            "</div></span>".repeat(30_000)
        ),
    ] {
        let t = Instant::now();
        let r = extract(&page, None);
        assert!(t.elapsed() < Duration::from_secs(1), "took {:?}", t.elapsed());
        assert!(matches!(r, Err(ExtractError::TooDeep { .. })), "{r:?}");
    }
}

#[test]
fn moderately_deep_pages_still_extract() {
    let inner = "<p>A paragraph with enough words to count as prose in the body of this page, surely.</p>".repeat(5);
    let page = format!("{}{}{}", "<div>".repeat(1_000), inner, "</div>".repeat(1_000));
    let t = Instant::now();
    let a = extract(&page, None).expect("1,000 levels are fine");
    assert!(t.elapsed() < Duration::from_secs(1));
    assert_eq!(a.blocks.len(), 5);
}

#[test]
fn huge_flat_page_is_fine() {
    let page = format!(
        "<html><body><article>{}</article></body></html>",
        "<p>Words of a long article, one sentence after another.</p>".repeat(100_000)
    );
    let t = Instant::now();
    let a = extract(&page, None).expect("extracts");
    assert_eq!(a.blocks.len(), 100_000);
    assert!(t.elapsed() < Duration::from_secs(20));
}
