//! Compares LSH layouts (bands x rows): the labelled set's scores under each, and how many unrelated articles an
//! article's band keys would bring up as candidates in an archive of a million.
//!
//! `cargo run --release -p gazette-stories --example schemes -- tests/fixtures/stories ../shared/corpus/dragnet
//! ../shared/corpus/readability`
//!
//! The first directory is a labelled set; the others hold one article per folder (`*/expected.txt`, the corpora's
//! clean bodies). Those articles are unrelated to each other, so every pair sharing a band key is a wasted candidate:
//! the share of such pairs, times the archive's size, is the mean number of unrelated candidates per lookup in that
//! archive (before the per-key bound). Last, the distinct earlier articles an article's keys bring up when the corpus
//! arrives one article at a time (mean and most, within the per-key bound).

use std::collections::HashMap;
use std::path::Path;

use gazette_stories::labelled::{evaluate, load};
use gazette_stories::{Archive, Config, Fingerprint, MemoryArchive, Scheme};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (labelled, corpora) = args.split_first().expect("a labelled set, then corpus folders");
    let pages = load(Path::new(labelled)).expect("the labelled set");
    let mut bodies = Vec::new();
    for dir in corpora {
        for entry in std::fs::read_dir(dir).expect("a corpus folder").flatten() {
            if let Ok(text) = std::fs::read_to_string(entry.path().join("expected.txt")) {
                bodies.push(text);
            }
        }
    }
    println!(
        "{:>6} {:>5} {:>9} {:>9} {:>9} {:>12} {:>14} {:>16}",
        "bands", "rows", "pair P", "pair R", "B3 F1", "corpus pairs", "per 1M lookup", "candidates/most"
    );
    for (bands, rows) in [(32, 2), (16, 2), (16, 1), (12, 1), (20, 1), (24, 1)] {
        let config = Config {
            scheme: Scheme {
                bands,
                rows,
                ..Scheme::default()
            },
            ..Config::default()
        };
        let scores = evaluate(&pages, &config).scores;
        let prints: Vec<_> = bodies
            .iter()
            .filter_map(|b| Fingerprint::compute(None, None, b, &config.scheme))
            .collect();
        let mut by_key: HashMap<i64, Vec<usize>> = HashMap::new();
        for (i, p) in prints.iter().enumerate() {
            for &k in &p.band_keys {
                by_key.entry(k).or_default().push(i);
            }
        }
        let mut sharing = std::collections::HashSet::new();
        for ids in by_key.values() {
            for (x, &a) in ids.iter().enumerate() {
                for &b in &ids[x + 1..] {
                    if a != b {
                        sharing.insert((a.min(b), a.max(b)));
                    }
                }
            }
        }
        // Arriving one at a time, as the writer sees them: the distinct earlier articles its keys bring up.
        let mut archive = MemoryArchive::new();
        let (mut total, mut most) = (0, 0);
        for p in &prints {
            let mut found = Vec::new();
            for &k in &p.band_keys {
                archive
                    .candidates(k, config.candidates.per_key, &mut found)
                    .expect("in memory");
            }
            found.sort_unstable();
            found.dedup();
            total += found.len();
            most = most.max(found.len());
            archive.insert(Some(p));
        }
        let n = prints.len() as f64;
        let share = sharing.len() as f64 / (n * (n - 1.0) / 2.0);
        println!(
            "{bands:>6} {rows:>5} {:>9.3} {:>9.3} {:>9.3} {:>12} {:>14.2} {:>16}",
            scores.pairwise.precision,
            scores.pairwise.recall,
            scores.bcubed.f1(),
            format!("{}/{}", sharing.len(), prints.len()),
            share * 1e6,
            format!("{:.2}/{most}", total as f64 / n)
        );
    }
}
