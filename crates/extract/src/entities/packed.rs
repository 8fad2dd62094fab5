//! The tagging-time form of the two-stage model: a sparse open-addressing table of feature hashes (8-byte slots, so
//! a miss, the common case, costs one cache line) pointing at rows holding both stages' weights quantised to i16 (36
//! bytes), so each feature is looked up once for both stages. Sums are taken in integers and scaled once per token.

use super::features::{docwide_token, history_features, label_history, record_history, History, SentenceFeatures};
use super::model::{label_type, viterbi, L};
use super::tagger::Weights;

#[inline]
fn prefetch<T>(r: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: prefetching is a hint and never faults; the pointer comes from a live reference.
    unsafe {
        std::arch::x86_64::_mm_prefetch(r as *const T as *const i8, std::arch::x86_64::_MM_HINT_T0);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = r;
}

/// Both stages' weights, quantised and interleaved.
#[derive(Debug, Clone)]
pub struct Packed {
    /// (feature hash, row); hash 0 is empty.
    slots: Vec<(u32, u32)>,
    rows: Vec<[i16; 2 * L]>,
    pub(crate) scale: [f32; 2],
    pub(crate) trans: [[[f32; L]; L]; 2],
    pub(crate) start: [[f32; L]; 2],
    pub(crate) two_stage: bool,
}

impl Packed {
    pub fn with_capacity(n: usize) -> Packed {
        let cap = (n * 3).next_power_of_two().max(1024);
        Packed {
            slots: vec![(0, 0); cap],
            rows: Vec::with_capacity(n),
            scale: [1.0; 2],
            trans: [[[0.0; L]; L]; 2],
            start: [[0.0; L]; 2],
            two_stage: false,
        }
    }

    /// Quantises trained weights (the second stage optional).
    pub fn from_weights(first: &Weights, second: Option<&Weights>) -> Packed {
        let scale_of = |w: &Weights| {
            w.rows
                .iter()
                .flat_map(|r| r.iter())
                .fold(0f32, |m, x| m.max(x.abs()))
                .max(1e-6)
                / 32767.0
        };
        let mut keys: std::collections::HashSet<u32> = first.table.entries().map(|e| e.0).collect();
        if let Some(w) = second {
            keys.extend(w.table.entries().map(|e| e.0));
        }
        let mut p = Packed::with_capacity(keys.len());
        p.scale = [scale_of(first), second.map_or(1.0, scale_of)];
        p.trans[0] = first.trans;
        p.start[0] = first.start;
        p.two_stage = second.is_some();
        for (stage, w) in [Some(first), second].into_iter().enumerate() {
            let Some(w) = w else { continue };
            if stage == 1 {
                p.trans[1] = w.trans;
                p.start[1] = w.start;
            }
            let scale = p.scale[stage];
            for (k, r) in w.table.entries() {
                let row = &w.rows[r as usize];
                let q: [i16; L] = std::array::from_fn(|i| (row[i] / scale).round() as i16);
                if q.iter().any(|&v| v != 0) {
                    let s = p.slot_mut(k);
                    s[stage * L..(stage + 1) * L].copy_from_slice(&q);
                }
            }
        }
        p
    }

    #[inline]
    fn index(&self, k: u32) -> usize {
        (k as usize).wrapping_mul(0x9E37_79B9) & (self.slots.len() - 1)
    }

    /// The row of `k`, created if absent.
    pub(crate) fn slot_mut(&mut self, k: u32) -> &mut [i16; 2 * L] {
        if self.rows.len() * 2 >= self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = self.index(k);
        while self.slots[i].0 != 0 && self.slots[i].0 != k {
            i = (i + 1) & mask;
        }
        if self.slots[i].0 == 0 {
            self.slots[i] = (k, self.rows.len() as u32);
            self.rows.push([0; 2 * L]);
        }
        let r = self.slots[i].1 as usize;
        &mut self.rows[r]
    }

    fn grow(&mut self) {
        let cap = (self.slots.len() * 2).max(1024);
        let old = std::mem::replace(&mut self.slots, vec![(0, 0); cap]);
        let mask = self.slots.len() - 1;
        for (k, r) in old.into_iter().filter(|e| e.0 != 0) {
            let mut i = self.index(k);
            while self.slots[i].0 != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = (k, r);
        }
    }

    /// Row index of `k`, or `u32::MAX`.
    #[inline]
    fn row_of(&self, k: u32) -> u32 {
        let mask = self.slots.len() - 1;
        let mut i = self.index(k);
        loop {
            let (kk, r) = self.slots[i];
            if kk == k {
                return r;
            }
            if kk == 0 {
                return u32::MAX;
            }
            i = (i + 1) & mask;
        }
    }

    #[inline]
    fn get(&self, k: u32) -> Option<&[i16; 2 * L]> {
        let mask = self.slots.len() - 1;
        let mut i = self.index(k);
        loop {
            let (kk, r) = self.slots[i];
            if kk == k {
                return Some(&self.rows[r as usize]);
            }
            if kk == 0 {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// (key, weights) of every feature, sorted by key.
    pub(crate) fn entries(&self) -> Vec<(u32, [i16; 2 * L])> {
        let mut v: Vec<(u32, [i16; 2 * L])> = self
            .slots
            .iter()
            .filter(|s| s.0 != 0)
            .map(|s| (s.0, self.rows[s.1 as usize]))
            .collect();
        v.sort_unstable_by_key(|e| e.0);
        v
    }

    /// Labels of every sentence of a document, from its static features.
    pub fn decode_doc(&self, feats: &[SentenceFeatures]) -> Vec<Vec<usize>> {
        // Stage one, keeping stage two's static sums.
        let mut hist = History::default();
        let mut first = Vec::with_capacity(feats.len());
        let mut static2: Vec<Vec<[i32; L]>> = Vec::with_capacity(feats.len());
        let mut scratch = Vec::new();
        let mut idx: Vec<u32> = Vec::new();
        const AHEAD: usize = 8;
        for f in feats {
            let mut em = vec![[0f32; L]; f.len()];
            let mut s2 = vec![[0i32; L]; f.len()];
            // Look every feature up first, prefetching ahead, so the cache misses overlap.
            idx.clear();
            for (j, &id) in f.ids.iter().enumerate() {
                if let Some(&next) = f.ids.get(j + AHEAD) {
                    prefetch(&self.slots[self.index(next)]);
                }
                idx.push(self.row_of(id));
            }
            for i in 0..f.len() {
                let mut a1 = [0i32; L];
                let a2 = &mut s2[i];
                let (from, to) = (f.offs[i] as usize, f.offs[i + 1] as usize);
                for j in from..to {
                    if let Some(&next) = idx.get(j + AHEAD) {
                        if next != u32::MAX {
                            prefetch(&self.rows[next as usize]);
                        }
                    }
                    let r = idx[j];
                    if r != u32::MAX {
                        let w = &self.rows[r as usize];
                        for k in 0..L {
                            a1[k] += w[k] as i32;
                            a2[k] += w[L + k] as i32;
                        }
                    }
                }
                scratch.clear();
                history_features(&hist, f.lower[i], f.cap[i], &mut scratch);
                for &id in &scratch {
                    if let Some(w) = self.get(id) {
                        for k in 0..L {
                            a1[k] += w[k] as i32;
                        }
                    }
                }
                em[i] = std::array::from_fn(|k| a1[k] as f32 * self.scale[0]);
            }
            let labels = viterbi(&em, &self.trans[0], &self.start[0]);
            let types: Vec<usize> = labels.iter().map(|&l| label_type(l)).collect();
            record_history(&mut hist, f, &types);
            first.push(labels);
            static2.push(s2);
        }
        if !self.two_stage {
            return first;
        }
        let mut all = History::default();
        for (f, l) in feats.iter().zip(&first) {
            label_history(&mut all, f, l);
        }
        let mut own = History::default();
        let mut hist = History::default();
        let mut out = Vec::with_capacity(feats.len());
        for (si, f) in feats.iter().enumerate() {
            let l = &first[si];
            own.clear();
            label_history(&mut own, f, l);
            let mut em = vec![[0f32; L]; f.len()];
            for i in 0..f.len() {
                let mut a2 = static2[si][i];
                scratch.clear();
                docwide_token(&all, &own, f, l, i, &mut scratch);
                history_features(&hist, f.lower[i], f.cap[i], &mut scratch);
                for &id in &scratch {
                    if let Some(w) = self.get(id) {
                        for k in 0..L {
                            a2[k] += w[L + k] as i32;
                        }
                    }
                }
                em[i] = std::array::from_fn(|k| a2[k] as f32 * self.scale[1]);
            }
            let labels = viterbi(&em, &self.trans[1], &self.start[1]);
            let types: Vec<usize> = labels.iter().map(|&l| label_type(l)).collect();
            record_history(&mut hist, f, &types);
            out.push(labels);
        }
        out
    }
}
