//! Word-4-gram shingle scoring of extracted text against gold text.
//!
//! This is the metric of the Zyte article-extraction benchmark as issue 4 defines it, and it must agree with
//! `shared/tools/score_extraction.py` to three decimals, so it follows that script step by step: tokens are maximal
//! runs of Unicode word characters (Python's `\w`: alphanumerics, marks, connector punctuation such as `_`), case
//! kept; a text becomes the multiset of its word 4-grams (1 to 3 tokens give one shorter shingle, no tokens none);
//! per page the counts are normalised so every page weighs the same; precision is averaged over pages with a
//! prediction, recall over pages with a reference, and F1 is the harmonic mean of those two means.
//!
//! [`dates`] scores publication days the way htmldate's comparison does.

pub mod dates;

use std::collections::HashMap;

/// Shingle length used by the benchmark.
pub const NGRAM: usize = 4;

/// Whether `c` is a word character as Python 3's `re` `\w` sees it on `str`.
///
/// Python counts `str.isalnum()` characters (general categories L* and N*, roughly) and `_`; Rust's
/// `char::is_alphanumeric` is the `Alphabetic` property plus N*. The two differ only on combining marks that Unicode
/// calls `Other_Alphabetic` (Arabic harakat, Indic vowel signs): rare in news text, and checked against the Python
/// scorer on the corpora.
pub fn is_word_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// The word tokens of `text`, in order.
pub fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if is_word_char(c) {
            if start.is_none() {
                start = Some(i);
            }
        } else if let Some(s) = start.take() {
            out.push(&text[s..i]);
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

/// The multiset of `n`-token shingles of a token sequence.
pub fn shingles<'a>(words: &[&'a str], n: usize) -> HashMap<Vec<&'a str>, u32> {
    let mut out = HashMap::new();
    if words.is_empty() {
        return out;
    }
    if words.len() < n {
        out.insert(words.to_vec(), 1);
        return out;
    }
    for w in words.windows(n) {
        *out.entry(w.to_vec()).or_insert(0) += 1;
    }
    out
}

/// One page's comparison, normalised so that `matched + extra + missed` is 1 (or all are 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageScore {
    pub matched: f64,
    pub extra: f64,
    pub missed: f64,
    /// The token sequences are identical.
    pub exact: bool,
}

impl PageScore {
    pub fn has_prediction(&self) -> bool {
        self.matched + self.extra > 0.0
    }

    pub fn has_reference(&self) -> bool {
        self.matched + self.missed > 0.0
    }

    pub fn precision(&self) -> f64 {
        if self.extra == 0.0 && self.missed == 0.0 {
            1.0
        } else if self.has_prediction() {
            self.matched / (self.matched + self.extra)
        } else {
            0.0
        }
    }

    pub fn recall(&self) -> f64 {
        if self.extra == 0.0 && self.missed == 0.0 {
            1.0
        } else if self.has_reference() {
            self.matched / (self.matched + self.missed)
        } else {
            0.0
        }
    }

    pub fn f1(&self) -> f64 {
        harmonic(self.precision(), self.recall())
    }
}

fn harmonic(p: f64, r: f64) -> f64 {
    if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    }
}

/// Scores one predicted text against its reference.
pub fn score_page(predicted: &str, reference: &str) -> PageScore {
    let (pw, rw) = (tokens(predicted), tokens(reference));
    let (pred, gold) = (shingles(&pw, NGRAM), shingles(&rw, NGRAM));
    let mut matched = 0u64;
    let mut extra = 0u64;
    for (k, &c) in &pred {
        let g = gold.get(k).copied().unwrap_or(0);
        matched += u64::from(c.min(g));
        extra += u64::from(c.saturating_sub(g));
    }
    let mut missed = 0u64;
    for (k, &g) in &gold {
        let c = pred.get(k).copied().unwrap_or(0);
        missed += u64::from(g.saturating_sub(c));
    }
    let total = (matched + extra + missed) as f64;
    let (mut m, mut e, mut x) = (matched as f64, extra as f64, missed as f64);
    if total > 0.0 {
        m /= total;
        e /= total;
        x /= total;
    }
    PageScore {
        matched: m,
        extra: e,
        missed: x,
        exact: pw == rw,
    }
}

/// Corpus-level means.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Summary {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Share of pages whose token sequences match exactly.
    pub exact: f64,
    pub pages: usize,
    /// Pages whose prediction has no shingle.
    pub empty: usize,
}

/// Mean precision over pages with a prediction, mean recall over pages with a reference, F1 of the two means.
pub fn summarize(pages: &[PageScore]) -> Summary {
    let mean = |v: Vec<f64>| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let precision = mean(
        pages
            .iter()
            .filter(|p| p.has_prediction())
            .map(|p| p.precision())
            .collect(),
    );
    let recall = mean(pages.iter().filter(|p| p.has_reference()).map(|p| p.recall()).collect());
    let exact = mean(pages.iter().map(|p| if p.exact { 1.0 } else { 0.0 }).collect());
    Summary {
        precision,
        recall,
        f1: harmonic(precision, recall),
        exact,
        pages: pages.len(),
        empty: pages.iter().filter(|p| !p.has_prediction()).count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_word_runs_with_digits_and_underscore() {
        assert_eq!(
            tokens("Hello, wor_ld 42x — été!"),
            vec!["Hello", "wor_ld", "42x", "été"]
        );
        assert_eq!(tokens("日本語のテキスト。次"), vec!["日本語のテキスト", "次"]);
        assert!(tokens(" ,.;— ").is_empty());
    }

    #[test]
    fn short_texts_make_one_shingle() {
        let w = tokens("a b c");
        let s = shingles(&w, 4);
        assert_eq!(s.len(), 1);
        assert_eq!(s[&vec!["a", "b", "c"]], 1);
        assert!(shingles(&[], 4).is_empty());
        let w = tokens("a b c d a b c d");
        let s = shingles(&w, 4);
        assert_eq!(s[&vec!["a", "b", "c", "d"]], 2);
        assert_eq!(s.values().sum::<u32>(), 5);
    }

    #[test]
    fn identical_texts_score_one() {
        let p = score_page("One two three four five.", "One two, three four five");
        assert_eq!((p.precision(), p.recall(), p.exact), (1.0, 1.0, true));
    }

    #[test]
    fn case_is_kept_and_counts_normalise() {
        // pred shingles: [a b c d], [b c d e]; gold: [a b c d], [b c d E] -> matched 1, extra 1, missed 1.
        let p = score_page("a b c d e", "a b c d E");
        assert!((p.matched - 1.0 / 3.0).abs() < 1e-12);
        assert!((p.precision() - 0.5).abs() < 1e-12);
        assert!((p.recall() - 0.5).abs() < 1e-12);
        assert!(!p.exact);
    }

    #[test]
    fn empty_prediction_costs_recall_only() {
        let pages = [score_page("", "a b c d e"), score_page("a b c d e", "a b c d e")];
        let s = summarize(&pages);
        assert_eq!(s.precision, 1.0);
        assert_eq!(s.recall, 0.5);
        assert!((s.f1 - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(s.empty, 1);
    }

    #[test]
    fn both_empty_is_perfect_but_uncounted() {
        let p = score_page("", "...");
        assert_eq!((p.precision(), p.recall()), (1.0, 1.0));
        assert!(!p.has_prediction() && !p.has_reference());
    }

    #[test]
    fn multiset_surplus_is_extra() {
        // pred has [a b c d] twice, gold once: matched 1, extra 1 (+ the bridging shingles).
        let p = score_page("a b c d a b c d", "a b c d");
        assert!(p.precision() < 1.0);
        assert_eq!(p.recall(), 1.0);
    }
}
