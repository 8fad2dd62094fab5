//! Words and word shingles of a text, hashed to stable 64-bit values.
//!
//! A word is a maximal run of alphanumeric characters, lowercased (so "Port-Calloway's" is `port`, `calloway`, `s`
//! and a headline's capitals do not matter); punctuation, quotes and paragraph breaks are not words, so re-wrapping
//! or re-punctuating a text leaves its words alone. A shingle is `k` consecutive words.
//!
//! The hashes are part of the stored form (band keys and signatures are computed from them), so they are written
//! out here (FNV-1a per word, a multiply-xor chain per shingle, SplitMix64's finaliser) rather than borrowed from a
//! hasher whose output may change between releases. Changing them means bumping [`crate::SCHEME_VERSION`].

/// SplitMix64's finaliser: a cheap bijective mix with good avalanche, used to finish every hash here.
pub(crate) const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The hashes of the words of `text`, in order.
pub fn word_hashes(text: &str) -> Vec<u64> {
    let mut out = Vec::with_capacity(text.len() / 6);
    let mut h = FNV_OFFSET;
    let mut in_word = false;
    let mut buf = [0u8; 4];
    for c in text.chars() {
        if c.is_alphanumeric() {
            in_word = true;
            for lower in c.to_lowercase() {
                for b in lower.encode_utf8(&mut buf).bytes() {
                    h = (h ^ u64::from(b)).wrapping_mul(FNV_PRIME);
                }
            }
        } else if in_word {
            out.push(mix(h));
            h = FNV_OFFSET;
            in_word = false;
        }
    }
    if in_word {
        out.push(mix(h));
    }
    out
}

/// The distinct `k`-word shingles of a word sequence, hashed, sorted. A text of fewer than `k` words (but at least
/// one) is one shingle of all its words.
pub fn shingles(words: &[u64], k: usize) -> Vec<u64> {
    let k = k.max(1);
    if words.is_empty() {
        return Vec::new();
    }
    let shingle = |w: &[u64]| {
        let mut h = 0x9e37_79b9_7f4a_7c15u64;
        for &x in w {
            h = (h ^ x).wrapping_mul(0xff51_afd7_ed55_8ccd).rotate_left(29);
        }
        mix(h)
    };
    let mut out: Vec<u64> = if words.len() < k {
        vec![shingle(words)]
    } else {
        words.windows(k).map(shingle).collect()
    };
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_ignore_case_punctuation_and_breaks() {
        assert_eq!(
            word_hashes("Port-Calloway's MAYOR said:\n\n\u{201c}No.\u{201d}"),
            word_hashes("port calloway s mayor said no")
        );
        assert_eq!(word_hashes("Zürich 1,200").len(), 3);
        assert!(word_hashes(" \n ... ").is_empty());
    }

    #[test]
    fn words_differ_by_spelling() {
        let a = word_hashes("organisation");
        let b = word_hashes("organization");
        assert_ne!(a, b);
    }

    #[test]
    fn shingles_are_distinct_ordered_windows() {
        let w = word_hashes("a b c a b c a b");
        // windows of 3: abc bca cab abc bca cab -> 3 distinct
        assert_eq!(shingles(&w, 3).len(), 3);
        assert_eq!(shingles(&w[..2], 3).len(), 1);
        assert!(shingles(&[], 3).is_empty());
        // order matters within a shingle
        assert_ne!(shingles(&word_hashes("a b c"), 3), shingles(&word_hashes("c b a"), 3));
    }
}
