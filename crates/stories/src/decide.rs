//! The same-story decision between two fingerprints.
//!
//! Two bodies are the same story when they share half their shingles (Jaccard), or when most of the smaller one is
//! inside the larger (containment: a wire copy cut after six paragraphs, or one with a local paragraph and an editor's
//! note added) and they still share a fair part. Containment is estimated from the Jaccard estimate and the two set
//! sizes: |A∩B| = J (|A| + |B|) / (1 + J). Two short articles are the same story only on a high Jaccard of their
//! title-and-lead shingles. Articles about the same event written by different people share names and the odd quote,
//! but few five-word runs: they stay apart.

use crate::config::Rule;
use crate::fingerprint::{Fingerprint, Kind};

/// How alike two fingerprints are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    /// Estimated Jaccard similarity of the shingle sets.
    pub jaccard: f64,
    /// Estimated share of the smaller set's shingles found in the larger.
    pub containment: f64,
}

impl Similarity {
    /// `None` when the fingerprints are of different kinds (a body and a short lead never compare).
    pub fn between(a: &Fingerprint, b: &Fingerprint) -> Option<Similarity> {
        if a.kind != b.kind {
            return None;
        }
        let jaccard = a.signature.jaccard(&b.signature);
        Some(Similarity {
            jaccard,
            containment: containment(jaccard, a.shingles, b.shingles),
        })
    }

    /// Ordering for choosing the best of several matches.
    pub(crate) fn better_than(&self, other: &Similarity) -> bool {
        (self.jaccard, self.containment) > (other.jaccard, other.containment)
    }
}

/// |A∩B| / min(|A|, |B|) given J(A, B) and the sizes.
pub fn containment(jaccard: f64, a: u32, b: u32) -> f64 {
    let smaller = a.min(b);
    if smaller == 0 {
        return 0.0;
    }
    let common = jaccard / (1.0 + jaccard) * (f64::from(a) + f64::from(b));
    (common / f64::from(smaller)).min(1.0)
}

impl Rule {
    /// Whether two articles of `kind` this alike are the same story.
    pub fn same_story(&self, kind: Kind, s: &Similarity) -> bool {
        match kind {
            Kind::Body => {
                s.jaccard >= self.body_jaccard
                    || (s.containment >= self.body_containment && s.jaccard >= self.containment_min_jaccard)
            }
            Kind::Lead => s.jaccard >= self.lead_jaccard,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minhash::Signature;

    fn fp(kind: Kind, shingles: u32, sig: Vec<u16>) -> Fingerprint {
        Fingerprint {
            kind,
            shingles,
            signature: Signature(sig),
        }
    }

    #[test]
    fn containment_from_jaccard_and_sizes() {
        // A of 100 inside B of 300: J = 1/3, containment 1.
        assert!((containment(1.0 / 3.0, 100, 300) - 1.0).abs() < 1e-9);
        // Equal sizes sharing half of each: J = 1/3, containment 1/2.
        assert!((containment(1.0 / 3.0, 100, 100) - 0.5).abs() < 1e-9);
        assert_eq!(containment(0.5, 0, 10), 0.0);
    }

    #[test]
    fn rule_by_kind() {
        let rule = Rule::default();
        let half = Similarity {
            jaccard: 0.5,
            containment: 0.6,
        };
        assert!(rule.same_story(Kind::Body, &half));
        assert!(!rule.same_story(Kind::Lead, &half), "leads need more");
        let cut = Similarity {
            jaccard: 0.3,
            containment: 0.95,
        };
        assert!(rule.same_story(Kind::Body, &cut));
        let quoted = Similarity {
            jaccard: 0.1,
            containment: 0.9,
        };
        assert!(!rule.same_story(Kind::Body, &quoted));
    }

    #[test]
    fn kinds_do_not_compare() {
        let a = fp(Kind::Body, 10, vec![1, 2, 3, 4]);
        let b = fp(Kind::Lead, 10, vec![1, 2, 3, 4]);
        assert_eq!(Similarity::between(&a, &b), None);
        let s = Similarity::between(&a, &fp(Kind::Body, 10, vec![1, 2, 9, 9])).unwrap();
        assert!((s.jaccard - 0.5).abs() < 1e-3);
    }
}
