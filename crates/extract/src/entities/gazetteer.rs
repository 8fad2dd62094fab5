//! Gazetteers: name lists compiled into the binary (countries, cities, nationalities, first and last names,
//! organisation words, person titles), the lists derived from third-party resources ([`super::knowledge`]) and the
//! entity names the model saw in training, matched as token phrases.
//!
//! Matching is per category, longest match first, left to right: each token gets a bit `4 * category + position`,
//! position 0 for the first token of a multi-token match, 1 inside, 2 last, 3 a one-token match. Phrases match
//! case-insensitively but only from a token that starts with an upper-case letter, so `us` never matches `US`. A
//! match is weak evidence: the model weighs it against the context.

use super::hash::HashMap;

use super::hash::{hash_str_lower, mix};

/// Categories of the static lists; derived lists follow at `DERIVED_BASE + index`, training-data categories at
/// `TRAIN_BASE + type`.
pub const LOC: u32 = 0;
pub const CITY: u32 = 1;
pub const NAT: u32 = 2;
pub const FIRST: u32 = 3;
pub const LAST: u32 = 4;
pub const ORGW: u32 = 5;
pub const TITLE: u32 = 6;
pub const DERIVED_BASE: u32 = 7;
pub const TRAIN_BASE: u32 = DERIVED_BASE + super::knowledge::LISTS.len() as u32;
pub const CATEGORIES: u32 = TRAIN_BASE + 4;

/// Category bits of the curated countries and regions and of the derived country list.
pub const COUNTRY_BITS: u32 = (1 << LOC) | (1 << (DERIVED_BASE + 10));
/// Category bits of the nationality lists.
pub const NATIONALITY_BITS: u32 = (1 << NAT) | (1 << (DERIVED_BASE + 6));

/// Longest phrase matched, in tokens.
pub const MAX_LEN: usize = 6;

/// Per-token match bits (`4 * category + position`).
pub type GazBits = u128;

/// Phrase hash (lower-cased tokens) -> category bits (one bit per category).
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    phrases: HashMap<u64, u32>,
}

/// Entity names seen in training: phrase hash -> counts per type (PER, ORG, LOC, MISC).
pub type TrainNames = HashMap<u64, [u32; 4]>;

fn list(data: &str) -> impl Iterator<Item = &str> {
    data.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Hash of a phrase given as tokens.
pub fn phrase_hash<'a>(tokens: impl IntoIterator<Item = &'a str>) -> u64 {
    let mut h = 0x9e37_79b9_7f4a_7c15;
    for t in tokens {
        h = mix(h, hash_str_lower(t));
    }
    h
}

impl Gazetteer {
    /// The lists under `crates/extract/data/`.
    pub fn builtin() -> Gazetteer {
        let mut g = Gazetteer::default();
        let lists: [(u32, &str); 7] = [
            (LOC, include_str!("../../data/locations.txt")),
            (CITY, include_str!("../../data/cities.txt")),
            (NAT, include_str!("../../data/nationalities.txt")),
            (FIRST, include_str!("../../data/first_names.txt")),
            (LAST, include_str!("../../data/last_names.txt")),
            (ORGW, include_str!("../../data/org_words.txt")),
            (TITLE, include_str!("../../data/person_titles.txt")),
        ];
        for (cat, data) in lists {
            for name in list(data) {
                let toks = super::tokenize::tokenize(name);
                if toks.is_empty() || toks.len() > MAX_LEN {
                    continue;
                }
                g.add(phrase_hash(toks.iter().map(|t| t.text.as_str())), 1 << cat);
            }
        }
        g
    }

    /// Category bits of a phrase hash.
    pub fn bits(&self, h: u64) -> u32 {
        self.phrases.get(&h).copied().unwrap_or(0)
    }

    fn add(&mut self, h: u64, bits: u32) {
        *self.phrases.entry(h).or_insert(0) |= bits;
    }

    /// Adds the derived lists (phrase hash -> bit per list) to a copy of this gazetteer.
    pub fn with_derived(&self, phrases: &[(u64, u32)]) -> Gazetteer {
        let mut g = self.clone();
        g.phrases.reserve(phrases.len());
        for &(h, bits) in phrases {
            g.add(h, bits << DERIVED_BASE);
        }
        g
    }

    /// Adds the training names (types with a count above zero) to a copy of this gazetteer.
    pub fn with_train_names(&self, names: &TrainNames) -> Gazetteer {
        let mut g = self.clone();
        for (&h, counts) in names {
            g.add(h, train_bits(counts));
        }
        g
    }

    /// Match bits per token of a sentence. `names` holds all training names and a training document's own, which
    /// are subtracted so that training sees the gazetteer as it will be on unseen text.
    pub fn match_sentence(
        &self,
        lower: &[u64],
        cap: &[bool],
        names: Option<(&TrainNames, &TrainNames)>,
    ) -> Vec<GazBits> {
        let n = lower.len();
        let mut out = vec![0 as GazBits; n];
        // Per category, the token up to which a longer match already covers the sentence.
        let mut covered = [0usize; CATEGORIES as usize];
        let mut longest = [0u8; CATEGORIES as usize];
        for i in 0..n {
            if !cap[i] {
                continue;
            }
            let mut any = 0u32;
            let mut h = 0x9e37_79b9_7f4a_7c15;
            for len in 1..=MAX_LEN.min(n - i) {
                h = mix(h, lower[i + len - 1]);
                let mut bits = self.phrases.get(&h).copied().unwrap_or(0);
                if let Some((all, own)) = names {
                    if let Some(c) = all.get(&h) {
                        let mut c = *c;
                        if let Some(o) = own.get(&h) {
                            for k in 0..4 {
                                c[k] -= o[k];
                            }
                        }
                        bits |= train_bits(&c);
                    }
                }
                let mut b = bits;
                while b != 0 {
                    let cat = b.trailing_zeros() as usize;
                    b &= b - 1;
                    longest[cat] = len as u8;
                }
                any |= bits;
            }
            while any != 0 {
                let cat = any.trailing_zeros() as usize;
                any &= any - 1;
                let len = longest[cat] as usize;
                if i >= covered[cat] {
                    covered[cat] = i + len;
                    let base = 4 * cat as u32;
                    if len == 1 {
                        out[i] |= 1 << (base + 3);
                    } else {
                        out[i] |= 1 << base;
                        for o in &mut out[i + 1..i + len - 1] {
                            *o |= 1 << (base + 1);
                        }
                        out[i + len - 1] |= 1 << (base + 2);
                    }
                }
            }
        }
        out
    }
}

/// Category bits for training-name counts: every type seen at least once, and only the majority when it dominates.
fn train_bits(c: &[u32; 4]) -> u32 {
    let total: u32 = c.iter().sum();
    let mut bits = 0;
    for (k, &v) in c.iter().enumerate() {
        if v > 0 && v * 4 >= total {
            bits |= 1 << (TRAIN_BASE + k as u32);
        }
    }
    bits
}

/// Whether `name` is a country, region or city of the built-in lists (or a place alias such as `U.S.`).
pub fn is_place(name: &str) -> bool {
    builtin_bits(name) & ((1 << LOC) | (1 << CITY)) != 0 || super::resolve::alias(name).is_some()
}

/// Whether `name` is in the curated list of countries, states, continents and regions.
pub fn is_region(name: &str) -> bool {
    builtin_bits(name) & (1 << LOC) != 0
}

fn builtin_bits(name: &str) -> u32 {
    static G: std::sync::OnceLock<Gazetteer> = std::sync::OnceLock::new();
    let g = G.get_or_init(Gazetteer::builtin);
    let toks = super::tokenize::tokenize(name);
    g.phrases
        .get(&phrase_hash(toks.iter().map(|t| t.text.as_str())))
        .copied()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::knowledge::LISTS;

    #[test]
    fn named_bits_point_at_their_lists() {
        assert_eq!(
            LISTS[(COUNTRY_BITS >> DERIVED_BASE).trailing_zeros() as usize],
            "loc_country"
        );
        assert_eq!(
            LISTS[(NATIONALITY_BITS >> DERIVED_BASE).trailing_zeros() as usize],
            "misc_nationality"
        );
    }

    #[test]
    fn longest_match_per_list_with_positions() {
        let mut g = Gazetteer::default();
        for p in ["Bay", "Bay of Bengal", "Bengal"] {
            g.add(phrase_hash(p.split(' ')), 1 << LOC);
        }
        let toks = ["the", "Bay", "of", "Bengal", "Bengal"];
        let lower: Vec<u64> = toks.iter().map(|t| hash_str_lower(t)).collect();
        let cap: Vec<bool> = toks.iter().map(|t| t.starts_with(char::is_uppercase)).collect();
        let bits = g.match_sentence(&lower, &cap, None);
        let base = 4 * LOC;
        assert_eq!(bits[0], 0);
        assert_eq!(bits[1], 1 << base, "B");
        assert_eq!(bits[2], 1 << (base + 1), "I");
        assert_eq!(bits[3], 1 << (base + 2), "E: the longer match wins");
        assert_eq!(bits[4], 1 << (base + 3), "S");
    }
}
