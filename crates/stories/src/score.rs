//! Scores of a clustering against gold labels: pairwise precision and recall of "same story", and B-cubed
//! (Bagga and Baldwin 1998) precision, recall and F1, which weigh every article equally instead of every pair (so a
//! story of fifty copies does not drown the singletons).
//!
//! Both are computed from the contingency table of (predicted, gold) labels. With no predicted pairs pairwise
//! precision is 1 (nothing wrong was claimed); with no gold pairs pairwise recall is 1.

use std::collections::HashMap;
use std::hash::Hash;

/// Precision, recall and their harmonic mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
}

impl Prf {
    pub fn f1(&self) -> f64 {
        if self.precision + self.recall == 0.0 {
            0.0
        } else {
            2.0 * self.precision * self.recall / (self.precision + self.recall)
        }
    }
}

/// Pairwise and B-cubed scores of one clustering.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    pub pairwise: Prf,
    pub bcubed: Prf,
    /// Pairs in the same predicted and the same gold cluster.
    pub true_pairs: u64,
    pub predicted_pairs: u64,
    pub gold_pairs: u64,
}

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// Scores `predicted` against `gold`: one label per item, in the same order. Panics if the lengths differ.
pub fn score<P: Eq + Hash, G: Eq + Hash>(predicted: &[P], gold: &[G]) -> Scores {
    assert_eq!(predicted.len(), gold.len(), "one predicted and one gold label per item");
    let mut cells: HashMap<(&P, &G), u64> = HashMap::new();
    let mut by_predicted: HashMap<&P, u64> = HashMap::new();
    let mut by_gold: HashMap<&G, u64> = HashMap::new();
    for (p, g) in predicted.iter().zip(gold) {
        *cells.entry((p, g)).or_default() += 1;
        *by_predicted.entry(p).or_default() += 1;
        *by_gold.entry(g).or_default() += 1;
    }
    let true_pairs: u64 = cells.values().map(|&n| pairs(n)).sum();
    let predicted_pairs: u64 = by_predicted.values().map(|&n| pairs(n)).sum();
    let gold_pairs: u64 = by_gold.values().map(|&n| pairs(n)).sum();
    let ratio = |a: u64, b: u64| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    let n = predicted.len();
    let (mut bp, mut br) = (0.0, 0.0);
    for (p, g) in predicted.iter().zip(gold) {
        let both = cells[&(p, g)] as f64;
        bp += both / by_predicted[p] as f64;
        br += both / by_gold[g] as f64;
    }
    let mean = |s: f64| if n == 0 { 1.0 } else { s / n as f64 };
    Scores {
        pairwise: Prf {
            precision: ratio(true_pairs, predicted_pairs),
            recall: ratio(true_pairs, gold_pairs),
        },
        bcubed: Prf {
            precision: mean(bp),
            recall: mean(br),
        },
        true_pairs,
        predicted_pairs,
        gold_pairs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_clustering_scores_one() {
        let s = score(&[0, 0, 2, 3, 3, 3], &["a", "a", "b", "c", "c", "c"]);
        assert_eq!(s.pairwise.precision, 1.0);
        assert_eq!(s.pairwise.recall, 1.0);
        assert_eq!(s.bcubed.f1(), 1.0);
        assert_eq!((s.true_pairs, s.gold_pairs), (4, 4));
    }

    #[test]
    fn a_wrong_merge_and_a_split() {
        // gold: {0,1,2} {3} ; predicted: {0,1} {2,3}
        let s = score(&[0, 0, 2, 2], &["a", "a", "a", "b"]);
        assert_eq!((s.true_pairs, s.predicted_pairs, s.gold_pairs), (1, 2, 3));
        assert_eq!(s.pairwise.precision, 0.5);
        assert!((s.pairwise.recall - 1.0 / 3.0).abs() < 1e-12);
        // B-cubed precision: items 0,1: 2/2; item 2: 1/2; item 3: 1/2 -> 3/4.
        assert!((s.bcubed.precision - 0.75).abs() < 1e-12);
        // B-cubed recall: items 0,1: 2/3; item 2: 1/3; item 3: 1/1 -> (4/3 + 1/3 + 1) / 4 = 2/3.
        assert!((s.bcubed.recall - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn all_singletons() {
        let s = score(&[0, 1, 2], &["a", "a", "b"]);
        assert_eq!(s.pairwise.precision, 1.0, "nothing claimed");
        assert_eq!(s.pairwise.recall, 0.0);
        assert_eq!(s.bcubed.precision, 1.0);
        assert!((s.bcubed.recall - (0.5 + 0.5 + 1.0) / 3.0).abs() < 1e-12);
    }
}
