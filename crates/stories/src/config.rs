//! The parameters: the [`Scheme`] (what is computed and stored per article; changing it means recomputing every
//! stored fingerprint) and the [`Rule`] (the thresholds of the same-story decision, free to change at any time).
//! The defaults are the ones the sweep over the labelled set supports (see the crate docs for the figures).

use crate::SCHEME_VERSION;

/// Everything about an article's fingerprint that is stored: shingle sizes, signature length, bands, and where the
/// short-body fallback starts. Two fingerprints compare only when made with the same scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scheme {
    /// Words per shingle of a body.
    pub body_shingle_words: usize,
    /// Words per shingle of a short article's title and lead (shorter: there are few words to go on).
    pub lead_shingle_words: usize,
    /// Hash functions in a signature (at most [`crate::minhash::MAX_HASHES`]).
    pub hashes: usize,
    /// LSH bands, each a lookup key.
    pub bands: usize,
    /// Minima per band (the first `bands * rows` minima make the keys).
    pub rows: usize,
    /// A body of fewer words is short: the article is fingerprinted by its title and lead instead.
    pub min_body_words: usize,
    /// A short article's lead is its first paragraph of at least this many words.
    pub lead_paragraph_words: usize,
    /// A short article whose title and lead have fewer words gets no fingerprint: it stays a story of its own.
    pub min_lead_words: usize,
}

impl Default for Scheme {
    fn default() -> Scheme {
        Scheme {
            body_shingle_words: 5,
            lead_shingle_words: 3,
            hashes: 128,
            bands: 16,
            rows: 1,
            min_body_words: 50,
            lead_paragraph_words: 8,
            min_lead_words: 12,
        }
    }
}

impl Scheme {
    /// A name for the scheme, to store beside the fingerprints: when it differs from the running build's, the
    /// fingerprints are stale and must be recomputed (as `gazette reprocess` does for `EXTRACTOR_VERSION`).
    pub fn id(&self) -> String {
        format!(
            "minhash-v{SCHEME_VERSION} body{} lead{} h{} b{}x{} short<{} para>={} lead>={}",
            self.body_shingle_words,
            self.lead_shingle_words,
            self.hashes,
            self.bands,
            self.rows,
            self.min_body_words,
            self.lead_paragraph_words,
            self.min_lead_words
        )
    }
}

/// The same-story thresholds. Similarities are estimated from the signatures (see [`crate::Similarity`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    /// Two bodies sharing at least this share of their shingles (Jaccard) are the same story.
    pub body_jaccard: f64,
    /// ... or when this share of the smaller body's shingles are in the larger (a copy cut short, or one with
    /// paragraphs added) ...
    pub body_containment: f64,
    /// ... and they still share at least this Jaccard (so that a few paragraphs quoted inside a long piece do not
    /// make it the same story).
    pub containment_min_jaccard: f64,
    /// Two short articles are the same story when their title-and-lead shingles share at least this (stricter:
    /// a few words decide).
    pub lead_jaccard: f64,
}

impl Default for Rule {
    fn default() -> Rule {
        Rule {
            body_jaccard: 0.35,
            body_containment: 0.5,
            containment_min_jaccard: 0.15,
            lead_jaccard: 0.6,
        }
    }
}

/// The scheme, the rule, and how many of the most recent articles under one band key are looked at (bounding the
/// lookup's cost when a key is common, such as boilerplate shared by one site's articles).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Config {
    pub scheme: Scheme,
    pub rule: Rule,
    pub candidates: Candidates,
}

/// Bounds on the candidates one article is compared with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidates {
    /// The most recent articles taken under each band key.
    pub per_key: usize,
}

impl Default for Candidates {
    fn default() -> Candidates {
        Candidates { per_key: 8 }
    }
}
