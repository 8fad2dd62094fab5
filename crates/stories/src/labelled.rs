//! A labelled set of pages, run through the real extractor and clustered as the writer would, with scores, the
//! closest pairs on either side of the rule, and threshold sweeps.
//!
//! The set is a directory with `manifest.tsv` and the pages it names. The manifest has a header line and one line per
//! page (`#` lines are comments), tab-separated: `page` (file name, relative to the directory), `story` (the gold
//! label), `site`, `url` (given to the extractor), `published` (RFC 3339; the arrival order when the page itself
//! gives no date) and `change` (what this copy changed, for people).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::archive::assign_stories;
use crate::config::{Config, Rule, Scheme};
use crate::decide::containment;
use crate::decide::Similarity;
use crate::fingerprint::{shingle_set, Fingerprint, Kind};
use crate::score::{score, Prf, Scores};

/// One line of the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledPage {
    pub page: String,
    pub story: String,
    pub site: String,
    pub url: String,
    pub published: DateTime<Utc>,
    pub change: String,
}

/// A labelled page after extraction.
#[derive(Debug, Clone)]
pub struct ExtractedPage {
    pub label: LabelledPage,
    pub title: Option<String>,
    pub description: Option<String>,
    pub body: String,
    /// The page's own publication time, else the manifest's.
    pub published: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum LabelledError {
    #[error("reading {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path} line {line}: {message}")]
    Manifest {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("extracting {page}: {source}")]
    Extract {
        page: String,
        source: gazette_extract::ExtractError,
    },
}

const COLUMNS: [&str; 6] = ["page", "story", "site", "url", "published", "change"];

/// Reads `DIR/manifest.tsv`.
pub fn read_manifest(dir: &Path) -> Result<Vec<LabelledPage>, LabelledError> {
    let path = dir.join("manifest.tsv");
    let text = std::fs::read_to_string(&path).map_err(|source| LabelledError::Io {
        path: path.clone(),
        source,
    })?;
    let bad = |line: usize, message: String| LabelledError::Manifest {
        path: path.clone(),
        line,
        message,
    };
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
    let Some((n, header)) = lines.next() else {
        return Err(bad(1, "no header line".into()));
    };
    if header.split('\t').collect::<Vec<_>>() != COLUMNS {
        return Err(bad(n, format!("the header must be {}", COLUMNS.join(" TAB "))));
    }
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (n, line) in lines {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != COLUMNS.len() {
            return Err(bad(n, format!("{} fields, expected {}", f.len(), COLUMNS.len())));
        }
        if f[0].is_empty() || f[1].is_empty() {
            return Err(bad(n, "empty page or story".into()));
        }
        if !seen.insert(f[0]) {
            return Err(bad(n, format!("page {} listed twice", f[0])));
        }
        let published = DateTime::parse_from_rfc3339(f[4])
            .map_err(|e| bad(n, format!("published {:?}: {e}", f[4])))?
            .with_timezone(&Utc);
        out.push(LabelledPage {
            page: f[0].into(),
            story: f[1].into(),
            site: f[2].into(),
            url: f[3].into(),
            published,
            change: f[5].into(),
        });
    }
    if out.is_empty() {
        return Err(bad(n, "no pages".into()));
    }
    Ok(out)
}

/// Reads the manifest, extracts every page with `gazette_extract::extract`, and returns them in arrival order
/// (publication time, then page name).
pub fn load(dir: &Path) -> Result<Vec<ExtractedPage>, LabelledError> {
    let mut pages = Vec::new();
    for label in read_manifest(dir)? {
        let path = dir.join(&label.page);
        let bytes = std::fs::read(&path).map_err(|source| LabelledError::Io { path, source })?;
        let html = String::from_utf8_lossy(&bytes);
        let article = gazette_extract::extract(&html, Some(&label.url)).map_err(|source| LabelledError::Extract {
            page: label.page.clone(),
            source,
        })?;
        pages.push(ExtractedPage {
            published: article.published.unwrap_or(label.published),
            title: article.title.clone(),
            description: article.description.clone(),
            body: article.text(),
            label,
        });
    }
    pages.sort_by(|a, b| {
        a.published
            .cmp(&b.published)
            .then_with(|| a.label.page.cmp(&b.label.page))
    });
    Ok(pages)
}

/// The clustering of a labelled set and its scores.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub scores: Scores,
    /// Each page's predicted story (the arrival index of the story's first page), in arrival order.
    pub stories: Vec<usize>,
    /// Pages (by arrival index) put in one story that the labels keep apart.
    pub wrong_merges: Vec<(usize, usize)>,
    /// Pages the labels put in one story that the clustering kept apart.
    pub missed: Vec<(usize, usize)>,
}

/// Fingerprints every page under `scheme`, in the given order.
pub fn fingerprints(pages: &[ExtractedPage], scheme: &Scheme) -> Vec<Option<crate::Computed>> {
    pages
        .iter()
        .map(|p| Fingerprint::compute(p.title.as_deref(), p.description.as_deref(), &p.body, scheme))
        .collect()
}

/// Clusters `pages` (in arrival order) as the writer would and scores the result against the labels.
pub fn evaluate(pages: &[ExtractedPage], config: &Config) -> Evaluation {
    evaluate_fingerprints(pages, &fingerprints(pages, &config.scheme), config)
}

fn evaluate_fingerprints(pages: &[ExtractedPage], computed: &[Option<crate::Computed>], config: &Config) -> Evaluation {
    let stories = assign_stories(computed, config);
    let gold: Vec<&str> = pages.iter().map(|p| p.label.story.as_str()).collect();
    let mut wrong_merges = Vec::new();
    let mut missed = Vec::new();
    for i in 0..pages.len() {
        for j in i + 1..pages.len() {
            match (stories[i] == stories[j], gold[i] == gold[j]) {
                (true, false) => wrong_merges.push((i, j)),
                (false, true) => missed.push((i, j)),
                _ => {}
            }
        }
    }
    Evaluation {
        scores: score(&stories, &gold),
        stories,
        wrong_merges,
        missed,
    }
}

/// The exact similarity of two pages' shingle sets (not estimated), and the kind both were fingerprinted as.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairSimilarity {
    pub first: usize,
    pub second: usize,
    pub kind: Kind,
    pub same_story: bool,
    pub jaccard: f64,
    pub containment: f64,
}

/// Exact similarities of every pair of pages fingerprinted as the same kind under `scheme`: what the estimates
/// approximate, to see how far apart the two sides of the rule are.
pub fn exact_pairs(pages: &[ExtractedPage], scheme: &Scheme) -> Vec<PairSimilarity> {
    let sets: Vec<Option<(Kind, Vec<u64>)>> = pages
        .iter()
        .map(|p| shingle_set(p.title.as_deref(), p.description.as_deref(), &p.body, scheme))
        .collect();
    let mut out = Vec::new();
    for i in 0..pages.len() {
        for j in i + 1..pages.len() {
            let (Some((ka, a)), Some((kb, b))) = (&sets[i], &sets[j]) else {
                continue;
            };
            if ka != kb {
                continue;
            }
            let common = sorted_intersection(a, b);
            let union = a.len() + b.len() - common;
            let jaccard = if union == 0 { 0.0 } else { common as f64 / union as f64 };
            out.push(PairSimilarity {
                first: i,
                second: j,
                kind: *ka,
                same_story: pages[i].label.story == pages[j].label.story,
                jaccard,
                containment: containment(jaccard, a.len() as u32, b.len() as u32),
            });
        }
    }
    out
}

fn sorted_intersection(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// One row of a sweep: a parameter's value and the scores with it (everything else at the base configuration).
#[derive(Debug, Clone)]
pub struct SweepRow {
    pub parameter: &'static str,
    pub value: f64,
    pub is_base: bool,
    /// The clustering as the writer makes it (band lookups, arrival order).
    pub scores: Scores,
    /// The rule alone: every pair of pages compared (estimated similarities, no band lookup, no clustering).
    pub decisions: Prf,
    /// The highest exact Jaccard similarity of two bodies of different stories under the row's scheme: how close
    /// the other side comes.
    pub closest_different: f64,
}

/// Pairwise precision and recall of the rule's decision on every pair of fingerprints of the same kind.
pub fn pair_decisions(pages: &[ExtractedPage], computed: &[Option<crate::Computed>], config: &Config) -> Prf {
    let (mut tp, mut claimed, mut gold) = (0u64, 0u64, 0u64);
    for i in 0..pages.len() {
        for j in i + 1..pages.len() {
            let same = pages[i].label.story == pages[j].label.story;
            let decided = match (&computed[i], &computed[j]) {
                (Some(a), Some(b)) => Similarity::between(&a.fingerprint, &b.fingerprint)
                    .is_some_and(|s| config.rule.same_story(a.fingerprint.kind, &s)),
                _ => false,
            };
            gold += u64::from(same);
            claimed += u64::from(decided);
            tp += u64::from(same && decided);
        }
    }
    let ratio = |a: u64, b: u64| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    Prf {
        precision: ratio(tp, claimed),
        recall: ratio(tp, gold),
    }
}

fn closest_different(pages: &[ExtractedPage], scheme: &Scheme) -> f64 {
    exact_pairs(pages, scheme)
        .iter()
        .filter(|p| p.kind == Kind::Body && !p.same_story)
        .map(|p| p.jaccard)
        .fold(0.0, f64::max)
}

fn sweep_row(
    pages: &[ExtractedPage],
    computed: &[Option<crate::Computed>],
    config: &Config,
    base: &Config,
    parameter: &'static str,
    value: f64,
    closest: f64,
) -> SweepRow {
    SweepRow {
        parameter,
        value,
        is_base: config == base,
        scores: evaluate_fingerprints(pages, computed, config).scores,
        decisions: pair_decisions(pages, computed, config),
        closest_different: closest,
    }
}

/// Varies one parameter at a time around `base` over the values that matter and scores each configuration.
pub fn sweep(pages: &[ExtractedPage], base: &Config) -> Vec<SweepRow> {
    let mut rows = Vec::new();
    let base_prints = fingerprints(pages, &base.scheme);
    type RuleField = fn(&mut Rule) -> &mut f64;
    let thresholds: [(&'static str, RuleField); 4] = [
        ("body_jaccard", |r| &mut r.body_jaccard),
        ("body_containment", |r| &mut r.body_containment),
        ("containment_min_jaccard", |r| &mut r.containment_min_jaccard),
        ("lead_jaccard", |r| &mut r.lead_jaccard),
    ];
    let base_closest = closest_different(pages, &base.scheme);
    for (name, field) in thresholds {
        for step in 1..=19 {
            let value = f64::from(step) * 0.05;
            let mut config = *base;
            *field(&mut config.rule) = value;
            rows.push(sweep_row(pages, &base_prints, &config, base, name, value, base_closest));
        }
    }
    type SchemeField = fn(&mut Scheme) -> &mut usize;
    let schemes: [(&'static str, SchemeField, &[usize]); 6] = [
        (
            "body_shingle_words",
            |s| &mut s.body_shingle_words,
            &[2, 3, 4, 5, 6, 7, 8, 10],
        ),
        ("lead_shingle_words", |s| &mut s.lead_shingle_words, &[1, 2, 3, 4, 5]),
        ("bands", |s| &mut s.bands, &[4, 8, 16, 24, 32, 48, 64]),
        ("rows", |s| &mut s.rows, &[1, 2, 3, 4]),
        (
            "min_body_words",
            |s| &mut s.min_body_words,
            &[20, 35, 50, 65, 80, 100, 120],
        ),
        ("min_lead_words", |s| &mut s.min_lead_words, &[4, 8, 12, 16, 20, 30]),
    ];
    for (name, field, values) in schemes {
        for &value in values {
            let mut config = *base;
            *field(&mut config.scheme) = value;
            if config.scheme.bands * config.scheme.rows > config.scheme.hashes {
                continue;
            }
            let computed = fingerprints(pages, &config.scheme);
            let closest = closest_different(pages, &config.scheme);
            rows.push(sweep_row(pages, &computed, &config, base, name, value as f64, closest));
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::write(dir.join(name), text).unwrap();
    }

    #[test]
    fn manifest_errors_name_the_line() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        write(dir, "manifest.tsv", "page\tstory\n");
        let e = read_manifest(dir).unwrap_err().to_string();
        assert!(e.contains("line 1") && e.contains("header"), "{e}");
        write(
            dir,
            "manifest.tsv",
            "# a comment\npage\tstory\tsite\turl\tpublished\tchange\na.html\ts\tx\thttp://x/a\tyesterday\t-\n",
        );
        let e = read_manifest(dir).unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("published"), "{e}");
        let missing = dir.join("nothing-here");
        assert!(matches!(read_manifest(&missing), Err(LabelledError::Io { .. })));
    }

    #[test]
    fn manifest_reads_pages_in_order() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        write(
            dir,
            "manifest.tsv",
            "page\tstory\tsite\turl\tpublished\tchange\n\
             a.html\ts1\tx\thttp://x/a\t2025-03-04T08:00:00Z\toriginal\n\
             b.html\ts1\ty\thttp://y/b\t2025-03-04T09:00:00+01:00\tcut\n",
        );
        let pages = read_manifest(dir).unwrap();
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[1].published.to_rfc3339(), "2025-03-04T08:00:00+00:00");
        assert_eq!(pages[1].change, "cut");
    }
}
