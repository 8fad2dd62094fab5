//! Word clusters learned from unlabelled text with the exchange algorithm (Kneser & Ney; Clark): words move between
//! classes to maximise the likelihood of a class bigram model. Clusters at a few granularities give the tagger
//! features that generalise from seen to unseen words that occur in similar contexts.

use super::hash::{hash_str, HashMap};

/// Word (hash) -> class id per granularity.
#[derive(Debug, Clone, Default)]
pub struct Clusters {
    pub levels: Vec<usize>,
    pub map: HashMap<u32, Vec<u16>>,
}

/// Key of a word in the cluster map (case-sensitive).
pub fn word_key(w: &str) -> u32 {
    (hash_str(w) >> 32) as u32
}

impl Clusters {
    /// Class ids of `w` (one per level), if it was clustered.
    pub fn get(&self, w: &str) -> Option<&[u16]> {
        self.map.get(&word_key(w)).map(Vec::as_slice)
    }
}

fn f(x: f64) -> f64 {
    if x > 0.0 {
        x * x.ln()
    } else {
        0.0
    }
}

/// Clusters the words seen at least `min_count` times in `sentences` into `levels` class counts.
pub fn learn(sentences: &[Vec<String>], levels: &[usize], min_count: u32, iterations: usize) -> Clusters {
    // Vocabulary: frequent words by count; everything else is word 0 (rare).
    let mut counts: HashMap<&str, u32> = HashMap::default();
    for s in sentences {
        for w in s {
            *counts.entry(w.as_str()).or_default() += 1;
        }
    }
    let mut vocab: Vec<(&str, u32)> = counts.into_iter().filter(|(_, c)| *c >= min_count).collect();
    vocab.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let index: HashMap<&str, u32> = vocab.iter().enumerate().map(|(i, (w, _))| (*w, i as u32 + 1)).collect();
    let v = vocab.len() + 1;
    // Bigram adjacency with a sentence-boundary word (index 0 doubles as boundary/rare).
    let mut bigrams: HashMap<u64, u32> = HashMap::default();
    for s in sentences {
        let mut prev = 0u32;
        for w in s
            .iter()
            .map(|w| index.get(w.as_str()).copied().unwrap_or(0))
            .chain(std::iter::once(0))
        {
            *bigrams.entry(((prev as u64) << 32) | w as u64).or_default() += 1;
            prev = w;
        }
    }
    let mut right: Vec<Vec<(u32, u32)>> = vec![Vec::new(); v]; // w -> (next, count)
    let mut left: Vec<Vec<(u32, u32)>> = vec![Vec::new(); v]; // w -> (prev, count)
    for (&k, &c) in bigrams.iter() {
        let (a, b) = ((k >> 32) as u32, k as u32);
        right[a as usize].push((b, c));
        left[b as usize].push((a, c));
    }
    let mut out = Clusters {
        levels: levels.to_vec(),
        map: HashMap::default(),
    };
    let mut per_level: Vec<Vec<u16>> = Vec::new();
    for &k in levels {
        per_level.push(exchange(&left, &right, k, iterations));
    }
    for (i, (w, _)) in vocab.iter().enumerate() {
        out.map
            .insert(word_key(w), per_level.iter().map(|cl| cl[i + 1]).collect());
    }
    out
}

/// The exchange algorithm over words `1..v` (word 0, boundary and rare words, keeps class 0).
fn exchange(left: &[Vec<(u32, u32)>], right: &[Vec<(u32, u32)>], k: usize, iterations: usize) -> Vec<u16> {
    let v = left.len();
    let mut class: Vec<usize> = (0..v).map(|w| if w == 0 { 0 } else { 1 + (w - 1) % (k - 1) }).collect();
    let mut n = vec![0f64; k * k]; // class bigram counts
    let mut nl = vec![0f64; k]; // as left element
    let mut nr = vec![0f64; k]; // as right element
    for (a, row) in right.iter().enumerate() {
        for &(b, c) in row {
            let (ca, cb) = (class[a], class[b as usize]);
            n[ca * k + cb] += c as f64;
            nl[ca] += c as f64;
            nr[cb] += c as f64;
        }
    }
    let mut lc = vec![0f64; k];
    let mut rc = vec![0f64; k];
    let mut touched_l: Vec<usize> = Vec::new();
    let mut touched_r: Vec<usize> = Vec::new();
    for _ in 0..iterations {
        let mut moved = 0;
        for w in 1..v {
            let a = class[w];
            // Counts of w's neighbours by class, excluding w itself.
            let mut selfc = 0f64;
            let (mut tot_l, mut tot_r) = (0f64, 0f64);
            for &(p, c) in &left[w] {
                if p as usize == w {
                    selfc = c as f64;
                    continue;
                }
                let cp = class[p as usize];
                if lc[cp] == 0.0 {
                    touched_l.push(cp);
                }
                lc[cp] += c as f64;
                tot_l += c as f64;
            }
            for &(q, c) in &right[w] {
                if q as usize == w {
                    continue;
                }
                let cq = class[q as usize];
                if rc[cq] == 0.0 {
                    touched_r.push(cq);
                }
                rc[cq] += c as f64;
                tot_r += c as f64;
            }
            let as_left = tot_r + selfc; // bigrams with w on the left
            let as_right = tot_l + selfc;
            // Remove w from a.
            for &c in &touched_l {
                n[c * k + a] -= lc[c];
            }
            for &d in &touched_r {
                n[a * k + d] -= rc[d];
            }
            n[a * k + a] -= selfc;
            nl[a] -= as_left;
            nr[a] -= as_right;
            // Best class to add it to.
            let mut best = a;
            let mut best_gain = f64::NEG_INFINITY;
            for b in 1..k {
                let mut g = 0.0;
                for &c in &touched_l {
                    if c != b {
                        let x = n[c * k + b];
                        g += f(x + lc[c]) - f(x);
                    }
                }
                for &d in &touched_r {
                    if d != b {
                        let x = n[b * k + d];
                        g += f(x + rc[d]) - f(x);
                    }
                }
                let x = n[b * k + b];
                g += f(x + lc[b] + rc[b] + selfc) - f(x);
                g -= f(nl[b] + as_left) - f(nl[b]);
                g -= f(nr[b] + as_right) - f(nr[b]);
                if g > best_gain + 1e-9 {
                    best_gain = g;
                    best = b;
                }
            }
            for &c in &touched_l {
                n[c * k + best] += lc[c];
            }
            for &d in &touched_r {
                n[best * k + d] += rc[d];
            }
            n[best * k + best] += selfc;
            nl[best] += as_left;
            nr[best] += as_right;
            if best != a {
                class[w] = best;
                moved += 1;
            }
            for &c in &touched_l {
                lc[c] = 0.0;
            }
            for &d in &touched_r {
                rc[d] = 0.0;
            }
            touched_l.clear();
            touched_r.clear();
        }
        if moved * 200 < v {
            break;
        }
    }
    class.into_iter().map(|c| c as u16).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similar_contexts_share_a_class() {
        let mut sents = Vec::new();
        for _ in 0..20 {
            for (who, city) in [("Smith", "Paris"), ("Jones", "London"), ("Brown", "Berlin")] {
                sents.push(vec![
                    "Mr".into(),
                    who.into(),
                    "said".into(),
                    "in".into(),
                    city.into(),
                    ".".into(),
                ]);
            }
        }
        let c = learn(&sents, &[4], 1, 10);
        let cls = |w: &str| c.get(w).unwrap()[0];
        assert_eq!(cls("Smith"), cls("Jones"));
        assert_eq!(cls("Paris"), cls("Berlin"));
        assert_ne!(cls("Smith"), cls("Paris"));
    }
}
