//! The labelled fixture set (`tests/fixtures/stories`, made by its `generate.py`) through the real extractor and the
//! write-time clustering: every expected story comes out exactly, and the set is what the issue asks for.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use gazette_stories::labelled::{evaluate, load, read_manifest};
use gazette_stories::{assign_stories, Config, Fingerprint};

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/stories"))
}

#[test]
fn expected_clusters_come_out_exactly() {
    let pages = load(&fixtures()).unwrap();
    let evaluation = evaluate(&pages, &Config::default());
    // Compare the partitions as sets of page sets, so a failure names the pages.
    let mut predicted: BTreeMap<usize, BTreeSet<&str>> = BTreeMap::new();
    let mut gold: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (page, story) in pages.iter().zip(&evaluation.stories) {
        predicted.entry(*story).or_default().insert(&page.label.page);
        gold.entry(&page.label.story).or_default().insert(&page.label.page);
    }
    let predicted: BTreeSet<_> = predicted.into_values().collect();
    let gold: BTreeSet<_> = gold.into_values().collect();
    let wrong: Vec<_> = predicted.difference(&gold).collect();
    let missing: Vec<_> = gold.difference(&predicted).collect();
    assert!(
        wrong.is_empty() && missing.is_empty(),
        "predicted but not expected: {wrong:#?}\nexpected but not predicted: {missing:#?}"
    );
    let s = evaluation.scores;
    assert_eq!(
        (s.pairwise.precision, s.pairwise.recall, s.bcubed.f1()),
        (1.0, 1.0, 1.0)
    );
}

#[test]
fn the_set_has_the_asked_composition() {
    let manifest = read_manifest(&fixtures()).unwrap();
    assert!(manifest.len() >= 40, "{} pages", manifest.len());
    let mut by_story: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for p in &manifest {
        by_story.entry(&p.story).or_default().push(&p.site);
        assert!(fixtures().join(&p.page).is_file(), "{} is missing", p.page);
    }
    // Stories republished by two to five different sites (an update at a new URL may come from a site already there).
    let republished = by_story
        .values()
        .filter(|sites| {
            let distinct: BTreeSet<_> = sites.iter().collect();
            (2..=5).contains(&distinct.len())
        })
        .count();
    assert!(republished >= 10, "{republished} stories republished by 2-5 sites");
    // Articles about the same events, written apart: stories of one page (or one republished piece).
    let alone = by_story.values().filter(|sites| sites.len() <= 2).count();
    assert!(alone >= 10, "{alone} other articles");
}

#[test]
fn the_same_page_under_a_new_url_joins_its_story() {
    let dir = fixtures();
    let manifest = read_manifest(&dir).unwrap();
    let page = &manifest[0];
    let html = std::fs::read_to_string(dir.join(&page.page)).unwrap();
    let config = Config::default();
    let first = gazette_extract::extract(&html, Some(&page.url)).unwrap();
    let again =
        gazette_extract::extract(&html, Some("https://elsewhere.example/2025/03/copy?utm_source=feed")).unwrap();
    let arrivals = vec![
        Fingerprint::of_article(&first, &config.scheme),
        Fingerprint::of_article(&again, &config.scheme),
    ];
    assert!(arrivals[0].is_some());
    assert_eq!(arrivals[0], arrivals[1]);
    assert_eq!(assign_stories(&arrivals, &config), vec![0, 0]);
}
