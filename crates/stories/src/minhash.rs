//! MinHash signatures of shingle sets and their LSH band keys.
//!
//! Hash function `i` maps a shingle hash `x` to the top 32 bits of `a_i * x + b_i` (mod 2^64, `a_i` odd): a
//! multiply-add-shift family, enough here because `x` is already a well-mixed 64-bit hash. The signature keeps each
//! function's minimum over the set; two sets agree at a position with probability equal to their Jaccard similarity.
//!
//! Signatures are stored as the low 16 bits of each minimum (b-bit MinHash, Li and König 2010): half the bytes, and
//! the chance that two different minima agree on 16 bits (1/65536) is corrected for in [`Signature::jaccard`].
//! Band keys are made from the full 32-bit minima before truncation: band `j` is rows `j*r .. j*r + r` hashed with
//! the band's number and the text's [`Kind`], so two texts share a key only when all `r` minima of that band agree.
//! A key is the top 48 bits of that hash.

use crate::text::mix;
use crate::Kind;

/// The most hash functions a signature can have (the coefficient table's size).
pub const MAX_HASHES: usize = 512;

/// `(a_i, b_i)` for every hash function: a fixed SplitMix64 sequence, so signatures computed by any build of the same
/// [`crate::SCHEME_VERSION`] compare.
const COEFFICIENTS: [(u64, u64); MAX_HASHES] = coefficients();

const fn coefficients() -> [(u64, u64); MAX_HASHES] {
    let mut out = [(0u64, 0u64); MAX_HASHES];
    let mut state: u64 = 0x5374_6f72_6965_7331; // "Stories1"
    let mut i = 0;
    while i < MAX_HASHES {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let a = mix(state) | 1;
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let b = mix(state);
        out[i] = (a, b);
        i += 1;
    }
    out
}

/// The full 32-bit minima of `n` hash functions over a set of shingle hashes (all `u32::MAX` for an empty set).
pub fn minima(shingles: &[u64], n: usize) -> Vec<u32> {
    assert!(n <= MAX_HASHES, "at most {MAX_HASHES} hash functions");
    let coefficients = &COEFFICIENTS[..n];
    let mut mins = vec![u32::MAX; n];
    for &x in shingles {
        for (m, &(a, b)) in mins.iter_mut().zip(coefficients) {
            let v = (a.wrapping_mul(x).wrapping_add(b) >> 32) as u32;
            if v < *m {
                *m = v;
            }
        }
    }
    mins
}

/// The LSH band keys of a signature's minima: `bands` keys of `rows` minima each, taken from the front.
pub fn band_keys(minima: &[u32], kind: Kind, bands: usize, rows: usize) -> Vec<i64> {
    assert!(bands * rows <= minima.len(), "bands x rows exceeds the signature");
    let salt = match kind {
        Kind::Body => 0x426f_6479_0000_0000u64,
        Kind::Lead => 0x4c65_6164_0000_0000u64,
    };
    (0..bands)
        .map(|j| {
            let mut h = mix(salt ^ j as u64);
            for &v in &minima[j * rows..(j + 1) * rows] {
                h = mix(h ^ u64::from(v));
            }
            // 48 bits, signed: SQLite stores the key in 6 bytes instead of 8 (a smaller band index, fewer pages to
            // read and write per lookup), and unrelated keys still meet only once in 2^48.
            (h as i64) >> 16
        })
        .collect()
}

/// A stored signature: the low 16 bits of each minimum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature(pub Vec<u16>);

impl Signature {
    pub fn from_minima(minima: &[u32]) -> Signature {
        Signature(minima.iter().map(|&m| m as u16).collect())
    }

    /// Estimated Jaccard similarity of the two sets: the share of agreeing positions, less the 1/65536 chance that
    /// two different minima agree on their low 16 bits. Signatures of different lengths compare over the shorter.
    pub fn jaccard(&self, other: &Signature) -> f64 {
        let n = self.0.len().min(other.0.len());
        if n == 0 {
            return 0.0;
        }
        let same = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        let chance = 1.0 / 65536.0;
        ((same as f64 / n as f64 - chance) / (1.0 - chance)).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(range: std::ops::Range<u64>) -> Vec<u64> {
        range.map(mix).collect()
    }

    #[test]
    fn identical_sets_agree_everywhere() {
        let a = minima(&set(0..300), 128);
        assert_eq!(Signature::from_minima(&a).jaccard(&Signature::from_minima(&a)), 1.0);
        assert_eq!(band_keys(&a, Kind::Body, 32, 4), band_keys(&a, Kind::Body, 32, 4));
    }

    #[test]
    fn estimate_tracks_true_jaccard() {
        // 0..600 and 300..900 share 300 of 900: J = 1/3.
        let a = Signature::from_minima(&minima(&set(0..600), 256));
        let b = Signature::from_minima(&minima(&set(300..900), 256));
        let j = a.jaccard(&b);
        assert!((j - 1.0 / 3.0).abs() < 0.08, "estimate {j}");
        let c = Signature::from_minima(&minima(&set(1000..1600), 256));
        assert!(a.jaccard(&c) < 0.03);
    }

    #[test]
    fn kinds_never_share_keys() {
        let a = minima(&set(0..50), 64);
        let body = band_keys(&a, Kind::Body, 16, 4);
        let lead = band_keys(&a, Kind::Lead, 16, 4);
        assert!(body.iter().all(|k| !lead.contains(k)));
        // Bands of the same minima differ from each other too.
        let mut sorted = body.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 16);
    }

    #[test]
    fn empty_set_has_maximal_minima() {
        assert!(minima(&[], 8).iter().all(|&m| m == u32::MAX));
    }
}
