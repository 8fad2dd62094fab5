//! The sequence model: BIO labels, per-feature weight rows found through an open-addressing table of 32-bit feature
//! hashes, label-transition weights, and constrained Viterbi decoding (an `I-X` only follows `B-X` or `I-X`).

use super::features::SentenceFeatures;

/// Number of labels: O, then B-/I- for PER, ORG, LOC, MISC.
pub const L: usize = 9;
pub const LABELS: [&str; L] = [
    "O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC",
];

/// Entity type of a label: 0 for O, 1..=4 for PER, ORG, LOC, MISC.
pub fn label_type(l: usize) -> usize {
    l.div_ceil(2)
}

pub fn is_inside(l: usize) -> bool {
    l > 0 && l & 1 == 0
}

/// Parses a CoNLL tag (IOB1 or IOB2); unknown tags read as O.
pub fn parse_tag(tag: &str) -> usize {
    LABELS.iter().position(|l| *l == tag).unwrap_or(0)
}

/// Whether `cur` may follow `prev` (`None` = sentence start).
pub fn allowed(prev: Option<usize>, cur: usize) -> bool {
    if !is_inside(cur) {
        return true;
    }
    match prev {
        None => false,
        Some(p) => p != 0 && label_type(p) == label_type(cur),
    }
}

/// Feature hash -> row index, open addressing with linear probing (key 0 is empty); keys and rows interleaved so a
/// probe touches one cache line.
#[derive(Debug, Clone, Default)]
pub struct Table {
    slots: Vec<(u32, u32)>,
    len: usize,
}

impl Table {
    pub fn with_capacity(n: usize) -> Table {
        let cap = (n * 2).next_power_of_two().max(1024);
        Table {
            slots: vec![(0, 0); cap],
            len: 0,
        }
    }

    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.len
    }

    #[inline]
    fn slot(&self, k: u32) -> usize {
        (k as usize).wrapping_mul(0x9E37_79B9) & (self.slots.len() - 1)
    }

    #[inline]
    pub fn get(&self, k: u32) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = self.slot(k);
        loop {
            let (kk, v) = self.slots[i];
            if kk == k {
                return Some(v);
            }
            if kk == 0 {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// The row of `k`, assigning the next row index when it is new.
    pub fn get_or_insert(&mut self, k: u32) -> u32 {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = self.slot(k);
        loop {
            let (kk, v) = self.slots[i];
            if kk == k {
                return v;
            }
            if kk == 0 {
                self.slots[i] = (k, self.len as u32);
                self.len += 1;
                return self.len as u32 - 1;
            }
            i = (i + 1) & mask;
        }
    }

    /// Inserts `k` with row `v` (for loading).
    pub fn insert(&mut self, k: u32, v: u32) {
        let mask = self.slots.len() - 1;
        let mut i = self.slot(k);
        while self.slots[i].0 != 0 && self.slots[i].0 != k {
            i = (i + 1) & mask;
        }
        if self.slots[i].0 == 0 {
            self.len += 1;
        }
        self.slots[i] = (k, v);
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        self.slots = vec![(0, 0); (old.len() * 2).max(1024)];
        self.len = 0;
        for (k, v) in old {
            if k != 0 {
                self.insert(k, v);
            }
        }
    }

    /// (key, row) pairs.
    pub fn entries(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.slots.iter().filter(|(k, _)| *k != 0).copied()
    }
}

/// Emission scores for every token of a sentence (`n * L`), from rows looked up by `row_of`.
pub fn emissions(
    f: &SentenceFeatures,
    extra: &[Vec<u32>],
    rows: &[[f32; L]],
    row_of: impl Fn(u32) -> Option<u32>,
) -> Vec<[f32; L]> {
    let mut out = vec![[0f32; L]; f.len()];
    for (i, e) in out.iter_mut().enumerate() {
        for &id in f.token(i).iter().chain(extra.get(i).into_iter().flatten()) {
            if let Some(r) = row_of(id) {
                let w = &rows[r as usize];
                for k in 0..L {
                    e[k] += w[k];
                }
            }
        }
    }
    out
}

/// Best label sequence under BIO constraints.
pub fn viterbi(em: &[[f32; L]], trans: &[[f32; L]; L], start: &[f32; L]) -> Vec<usize> {
    let n = em.len();
    if n == 0 {
        return Vec::new();
    }
    const NEG: f32 = f32::NEG_INFINITY;
    // Constraints folded into the scores: a forbidden step costs -inf.
    let mut t = *trans;
    let mut st = *start;
    for k in 0..L {
        if !allowed(None, k) {
            st[k] = NEG;
        }
        for (p, row) in t.iter_mut().enumerate() {
            if !allowed(Some(p), k) {
                row[k] = NEG;
            }
        }
    }
    let mut back = vec![[0u8; L]; n];
    let mut prev: [f32; L] = std::array::from_fn(|k| st[k] + em[0][k]);
    for i in 1..n {
        let mut cur = [NEG; L];
        for k in 0..L {
            let mut best = NEG;
            let mut arg = 0;
            for p in 0..L {
                let s = prev[p] + t[p][k];
                if s > best {
                    best = s;
                    arg = p;
                }
            }
            cur[k] = best + em[i][k];
            back[i][k] = arg as u8;
        }
        prev = cur;
    }
    let mut last = 0;
    for k in 0..L {
        if prev[k] > prev[last] {
            last = k;
        }
    }
    let mut out = vec![0; n];
    out[n - 1] = last;
    for i in (1..n).rev() {
        out[i - 1] = back[i][out[i]] as usize;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bio_constraint_holds() {
        // Emissions prefer I-PER everywhere; the decoder must start with B-PER.
        let mut em = vec![[0f32; L]; 3];
        for e in &mut em {
            e[2] = 5.0;
        }
        let out = viterbi(&em, &[[0.0; L]; L], &[0.0; L]);
        assert_eq!(out, vec![1, 2, 2]);
    }

    #[test]
    fn table_roundtrip() {
        let mut t = Table::with_capacity(4);
        for k in 1..5000u32 {
            assert_eq!(t.get_or_insert(k * 7919), k - 1);
        }
        assert_eq!(t.get(7919 * 10), Some(9));
        assert_eq!(t.get(3), None);
    }
}
