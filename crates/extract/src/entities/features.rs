//! Features for the tagger, hashed to 32 bits: word identity, lower case, shape, prefixes and suffixes, a window of
//! two tokens each side, sentence-initial capitalisation, all-caps headlines, gazetteer matches, document-level
//! capitalisation evidence, and the labels already predicted for the same word earlier in the document.

use super::hash::HashMap;

use super::clusters::Clusters;
use super::gazetteer::{Gazetteer, TrainNames};
use super::hash::{finish, hash_bytes, hash_str, hash_str_lower, mix};
use super::knowledge::{WordClasses, CLASS_LEVELS};
use super::model::label_type;

/// Features of one sentence, flattened: token `i` owns `ids[offs[i]..offs[i + 1]]`.
#[derive(Debug, Clone, Default)]
pub struct SentenceFeatures {
    pub ids: Vec<u32>,
    pub offs: Vec<u32>,
    /// Lower-cased word hash per token, and whether it is capitalised (for the prediction history).
    pub lower: Vec<u64>,
    pub cap: Vec<bool>,
}

impl SentenceFeatures {
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.lower.len()
    }

    pub fn token(&self, i: usize) -> &[u32] {
        &self.ids[self.offs[i] as usize..self.offs[i + 1] as usize]
    }
}

#[inline]
fn f1(t: u64, a: u64) -> u32 {
    let h = (finish(mix(mix(0, t), a)) >> 32) as u32;
    h.max(1)
}

#[inline]
fn f2(t: u64, a: u64, b: u64) -> u32 {
    let h = (finish(mix(mix(mix(0, t), a), b)) >> 32) as u32;
    h.max(1)
}

#[inline]
fn f3(t: u64, a: u64, b: u64, c: u64) -> u32 {
    let h = (finish(mix(mix(mix(mix(0, t), a), b), c)) >> 32) as u32;
    h.max(1)
}

/// Collapsed word shape: `Lloyd` -> `Xx`, `U.S.` -> `X.X.`, `1,000` -> `d,d`, `서울` -> `a`.
pub fn shape(w: &str) -> u64 {
    let mut h: u64 = 7;
    let mut last = '\0';
    let mut n = 0;
    for c in w.chars() {
        let k = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else if c.is_alphabetic() {
            'a'
        } else {
            c
        };
        if k != last {
            h = mix(h, k as u64);
            last = k;
            n += 1;
            if n > 8 {
                break;
            }
        }
    }
    h
}

struct TokInfo {
    word: u64,
    lower: u64,
    shape: u64,
    pre: [u64; 4],
    suf: [u64; 4],
    cap: bool,
}

fn info(w: &str) -> TokInfo {
    // The common case without allocating: a short ASCII word, lower-cased on the stack.
    let mut buf = [0u8; 32];
    if w.is_ascii() && w.len() <= buf.len() {
        let b = &mut buf[..w.len()];
        b.copy_from_slice(w.as_bytes());
        b.make_ascii_lowercase();
        let n = b.len();
        let mut pre = [0u64; 4];
        let mut suf = [0u64; 4];
        for k in 0..4 {
            if n > k + 1 {
                pre[k] = hash_bytes(&b[..k + 1]);
                suf[k] = hash_bytes(&b[n - k - 1..]);
            }
        }
        return TokInfo {
            word: hash_str(w),
            lower: hash_bytes(b),
            shape: shape(w),
            pre,
            suf,
            cap: w.as_bytes().first().is_some_and(u8::is_ascii_uppercase),
        };
    }
    let lower_s = w.to_lowercase();
    // Byte offsets of the first five char boundaries, and of the last five.
    let mut heads = [0usize; 5];
    let mut nh = 0;
    for (b, _) in lower_s.char_indices().skip(1).take(5) {
        heads[nh] = b;
        nh += 1;
    }
    let nchars = lower_s.chars().count();
    let mut pre = [0u64; 4];
    let mut suf = [0u64; 4];
    let mut tail = lower_s.len();
    let mut rev = lower_s.char_indices().rev();
    for k in 0..4 {
        if nchars > k + 1 {
            let head_end = if k < nh { heads[k] } else { lower_s.len() };
            pre[k] = hash_str(&lower_s[..head_end]);
            if let Some((b, _)) = rev.next() {
                tail = b;
            }
            suf[k] = hash_str(&lower_s[tail..]);
        }
    }
    TokInfo {
        word: hash_str(w),
        lower: hash_str(&lower_s),
        shape: shape(w),
        pre,
        suf,
        cap: w.chars().next().is_some_and(char::is_uppercase),
    }
}

pub fn is_caps_sentence(sent: &[&str]) -> bool {
    let mut letters = 0;
    let mut caps = 0;
    for w in sent {
        if w.chars().any(char::is_alphabetic) {
            letters += 1;
            if !w.chars().any(char::is_lowercase) {
                caps += 1;
            }
        }
    }
    letters >= 2 && caps * 10 >= letters * 7
}

/// Document-level evidence per lower-cased word: seen capitalised mid-sentence (bit 1), seen in lower case (bit 2).
pub fn doc_flags(doc: &[Vec<&str>]) -> HashMap<u64, u8> {
    let mut flags: HashMap<u64, u8> = HashMap::default();
    for sent in doc {
        if is_caps_sentence(sent) {
            continue;
        }
        for (i, w) in sent.iter().enumerate() {
            let Some(c) = w.chars().next() else { continue };
            let bit = if c.is_uppercase() && i > 0 && !matches!(sent[i - 1], "\"" | "“" | "(" | "'" | "‘" | ":") {
                1
            } else if c.is_lowercase() {
                2
            } else {
                continue;
            };
            *flags.entry(hash_str_lower(w)).or_insert(0) |= bit;
        }
    }
    flags
}

/// Document-level context: capitalisation evidence and, per capitalised word, the words around its occurrences.
#[derive(Debug, Default)]
pub struct DocContext {
    pub flags: HashMap<u64, u8>,
    /// lower-cased word -> (sentence, token, left word, right word) of its capitalised occurrences.
    occurrences: HashMap<u64, Vec<(u32, u32, u64, u64)>>,
    /// The document's first word (in newswire, the section: `SOCCER`, `CRICKET`...).
    topic: u64,
}

impl DocContext {
    pub fn new(doc: &[Vec<&str>]) -> DocContext {
        let mut occurrences: HashMap<u64, Vec<(u32, u32, u64, u64)>> = HashMap::default();
        for (si, sent) in doc.iter().enumerate() {
            for (ti, w) in sent.iter().enumerate() {
                if !w.starts_with(char::is_uppercase) {
                    continue;
                }
                let l = if ti > 0 { hash_str_lower(sent[ti - 1]) } else { PAD };
                let r = sent.get(ti + 1).map(|x| hash_str_lower(x)).unwrap_or(PAD);
                let v = occurrences.entry(hash_str_lower(w)).or_default();
                if v.len() < 12 {
                    v.push((si as u32, ti as u32, l, r));
                }
            }
        }
        let topic = doc
            .first()
            .and_then(|s| s.first())
            .map(|w| hash_str_lower(w))
            .unwrap_or(PAD);
        DocContext {
            flags: doc_flags(doc),
            occurrences,
            topic,
        }
    }
}

const T_BIAS: u64 = 0;
const T_WORD: u64 = 1;
const T_LOWER: u64 = 2;
const T_SHAPE: u64 = 3;
const T_SHAPE_INIT: u64 = 4;
const T_PRE: u64 = 5;
const T_SUF: u64 = 9;
const T_L1: u64 = 13;
const T_R1: u64 = 14;
const T_L2: u64 = 15;
const T_R2: u64 = 16;
const T_SL1: u64 = 17;
const T_SR1: u64 = 18;
const T_S3: u64 = 19;
const T_BI_L: u64 = 20;
const T_BI_R: u64 = 21;
const T_CAPS_LOWER: u64 = 22;
const T_CAPS_SHAPE: u64 = 23;
const T_GAZ: u64 = 24;
const T_GAZ_L: u64 = 25;
const T_GAZ_R: u64 = 26;
const T_DOC: u64 = 27;
const T_L1_SHAPE: u64 = 28;
const T_SHAPE_R1: u64 = 29;
const T_HIST_MAJ: u64 = 30;
const T_HIST_ANY: u64 = 31;
const T_GAZ_SHAPE: u64 = 32;
const T_AGG_L: u64 = 33;
const T_AGG_R: u64 = 34;
const T_CL: u64 = 35;
const T_CL_L: u64 = 36;
const T_CL_R: u64 = 37;
const T_CL_SHAPE: u64 = 38;
const T_TOPIC_SHAPE: u64 = 39;
const T_TOPIC_GAZ: u64 = 40;
const T_NUMERIC_GAZ: u64 = 41;
const T_NUMERIC_SHAPE: u64 = 42;
const T_SKIP: u64 = 43;
const T_DW_MAJ: u64 = 44;
const T_DW_ANY: u64 = 45;
const T_S1: u64 = 46;
const T_S1_L: u64 = 47;
const T_S1_R: u64 = 48;
const T_WC: u64 = 49;
const T_WC_L: u64 = 50;
const T_WC_R: u64 = 51;
const T_WC_SHAPE: u64 = 52;
const T_WC_L2: u64 = 53;
const T_WC_R2: u64 = 54;
const T_BAND_SHAPE: u64 = 55;

const PAD: u64 = 0xdead_beef;

/// Static features of a sentence (everything but the prediction history).
pub fn sentence_features(
    sent: &[&str],
    gaz: &Gazetteer,
    names: Option<(&TrainNames, &TrainNames)>,
    ctx: &DocContext,
    sent_index: usize,
    clusters: &Clusters,
    classes: &WordClasses,
) -> SentenceFeatures {
    let doc = &ctx.flags;
    let cl: Vec<Option<&[u16]>> = sent.iter().map(|w| clusters.get(w)).collect();
    let infos: Vec<TokInfo> = sent.iter().map(|w| info(w)).collect();
    let lower: Vec<u64> = infos.iter().map(|t| t.lower).collect();
    let cap: Vec<bool> = infos.iter().map(|t| t.cap).collect();
    let wc: Vec<Option<&[u16; CLASS_LEVELS]>> = lower.iter().map(|&h| classes.get(h)).collect();
    let gz = gaz.match_sentence(&lower, &cap, names);
    let caps = is_caps_sentence(sent);
    // Results tables and scores: many numbers in the sentence.
    let numbers = sent
        .iter()
        .filter(|w| w.starts_with(|c: char| c.is_ascii_digit()))
        .count();
    let numeric = (numbers * 4 >= sent.len().max(1) && numbers >= 2) as u64;
    let n = sent.len();
    let mut ids = Vec::with_capacity(n * 48);
    let mut offs = Vec::with_capacity(n + 1);
    let lw = |i: isize| -> u64 {
        if i < 0 || i as usize >= n {
            PAD
        } else {
            infos[i as usize].lower
        }
    };
    let sh = |i: isize| -> u64 {
        if i < 0 || i as usize >= n {
            PAD
        } else {
            infos[i as usize].shape
        }
    };
    for (i, t) in infos.iter().enumerate() {
        offs.push(ids.len() as u32);
        let ii = i as isize;
        ids.push(f1(T_BIAS, 0));
        ids.push(f1(T_WORD, t.word));
        ids.push(f1(T_LOWER, t.lower));
        ids.push(f1(T_SHAPE, t.shape));
        ids.push(f2(T_SHAPE_INIT, t.shape, (i == 0) as u64));
        for k in 0..4 {
            if t.pre[k] != 0 {
                ids.push(f1(T_PRE + k as u64, t.pre[k]));
                ids.push(f1(T_SUF + k as u64, t.suf[k]));
            }
        }
        ids.push(f1(T_L1, lw(ii - 1)));
        ids.push(f1(T_R1, lw(ii + 1)));
        ids.push(f1(T_L2, lw(ii - 2)));
        ids.push(f1(T_R2, lw(ii + 2)));
        ids.push(f1(T_SL1, sh(ii - 1)));
        ids.push(f1(T_SR1, sh(ii + 1)));
        ids.push(f3(T_S3, sh(ii - 1), t.shape, sh(ii + 1)));
        ids.push(f2(T_BI_L, lw(ii - 1), t.lower));
        ids.push(f2(T_BI_R, t.lower, lw(ii + 1)));
        ids.push(f2(T_L1_SHAPE, lw(ii - 1), t.shape));
        ids.push(f2(T_SKIP, lw(ii - 1), lw(ii + 1)));
        ids.push(f2(T_SHAPE_R1, t.shape, lw(ii + 1)));
        if caps {
            ids.push(f1(T_CAPS_LOWER, t.lower));
            ids.push(f1(T_CAPS_SHAPE, t.shape));
        }
        if t.cap {
            ids.push(f2(T_TOPIC_SHAPE, ctx.topic, t.shape));
            ids.push(f2(T_NUMERIC_SHAPE, numeric, t.shape));
        }
        let mut bits = gz[i];
        let mut any = false;
        while bits != 0 {
            let b = bits.trailing_zeros() as u64;
            bits &= bits - 1;
            ids.push(f1(T_GAZ, b));
            ids.push(f2(T_GAZ_SHAPE, b, t.shape));
            ids.push(f2(T_TOPIC_GAZ, ctx.topic, b));
            ids.push(f2(T_NUMERIC_GAZ, numeric, b));
            any = true;
        }
        if !any {
            ids.push(f1(T_GAZ, 99));
        }
        for (tpl, j) in [(T_GAZ_L, ii - 1), (T_GAZ_R, ii + 1)] {
            if j >= 0 && (j as usize) < n {
                let mut bits = gz[j as usize];
                while bits != 0 {
                    let b = bits.trailing_zeros() as u64;
                    bits &= bits - 1;
                    ids.push(f1(tpl, b));
                }
            }
        }
        if t.cap {
            if let Some(occ) = ctx.occurrences.get(&t.lower) {
                for &(si, ti, l, r) in occ {
                    if si as usize != sent_index || ti as usize != i {
                        ids.push(f1(T_AGG_L, l));
                        ids.push(f1(T_AGG_R, r));
                    }
                }
            }
        }
        for (tpl, j) in [(T_CL, ii), (T_CL_L, ii - 1), (T_CL_R, ii + 1)] {
            if j >= 0 && (j as usize) < n {
                if let Some(c) = cl[j as usize] {
                    for (lvl, &id) in c.iter().enumerate() {
                        ids.push(f2(tpl, lvl as u64, id as u64));
                        if tpl == T_CL {
                            ids.push(f3(T_CL_SHAPE, lvl as u64, id as u64, t.shape));
                        }
                    }
                }
            }
        }
        // Word classes from distributional vectors: the granularities for the word and its neighbours, the coarse
        // ones with the word's shape, and how common the word is (frequency band) with its shape.
        for (tpl, j) in [
            (T_WC, ii),
            (T_WC_L, ii - 1),
            (T_WC_R, ii + 1),
            (T_WC_L2, ii - 2),
            (T_WC_R2, ii + 2),
        ] {
            let levels = if tpl == T_WC_L2 || tpl == T_WC_R2 {
                2
            } else {
                CLASS_LEVELS - 1
            };
            match (j >= 0 && (j as usize) < n).then(|| wc[j as usize]) {
                Some(Some(c)) => {
                    for (lvl, &id) in c.iter().take(levels).enumerate() {
                        ids.push(f2(tpl, lvl as u64, id as u64));
                    }
                }
                Some(None) => ids.push(f2(tpl, 99, 0)),
                None => {}
            }
        }
        match wc[i] {
            Some(c) => {
                for (lvl, &id) in c.iter().take(2).enumerate() {
                    ids.push(f3(T_WC_SHAPE, lvl as u64, id as u64, t.shape));
                }
                ids.push(f3(T_BAND_SHAPE, c[CLASS_LEVELS - 1] as u64, t.shape, (i == 0) as u64));
            }
            None => ids.push(f3(T_BAND_SHAPE, 99, t.shape, (i == 0) as u64)),
        }
        let df = doc.get(&t.lower).copied().unwrap_or(0) as u64;
        ids.push(f3(T_DOC, df, t.shape, (i == 0 || caps) as u64));
    }
    offs.push(ids.len() as u32);
    SentenceFeatures { ids, offs, lower, cap }
}

/// Label-type counts (O, PER, ORG, LOC, MISC) predicted so far in the document, per lower-cased word.
pub type History = HashMap<u64, [u16; 5]>;

/// Prediction-history features for a capitalised token: the majority type so far and every type seen.
pub fn history_features(h: &History, lower: u64, cap: bool, out: &mut Vec<u32>) {
    if !cap {
        return;
    }
    let Some(c) = h.get(&lower) else { return };
    let mut best = 0;
    for k in 0..5 {
        if c[k] > c[best] {
            best = k;
        }
        if c[k] > 0 {
            out.push(f1(T_HIST_ANY, k as u64));
        }
    }
    out.push(f1(T_HIST_MAJ, best as u64));
}

/// Records a sentence's predicted label types (0 = O, 1..=4 = PER, ORG, LOC, MISC) into the history.
pub fn record_history(h: &mut History, f: &SentenceFeatures, types: &[usize]) {
    for (i, &t) in types.iter().enumerate() {
        if f.cap[i] {
            let e = h.entry(f.lower[i]).or_insert([0; 5]);
            e[t] = e[t].saturating_add(1);
        }
    }
}

/// First-stage label types per capitalised word over a document (`all`) or a sentence (`own`), for
/// [`docwide_token`].
pub fn label_history(h: &mut History, f: &SentenceFeatures, labels: &[usize]) {
    for (i, &l) in labels.iter().enumerate() {
        if f.cap[i] {
            let e = h.entry(f.lower[i]).or_insert([0; 5]);
            e[label_type(l)] = e[label_type(l)].saturating_add(1);
        }
    }
}

/// Second-stage features of token `i` from first-stage labels `l` of its sentence: its own first-stage label and
/// its neighbours', and for a capitalised word the types the first stage gave it in the other sentences of the
/// document (`all` minus `own`).
pub fn docwide_token(all: &History, own: &History, f: &SentenceFeatures, l: &[usize], i: usize, out: &mut Vec<u32>) {
    out.push(f1(T_S1, l[i] as u64));
    out.push(f2(T_S1_L, if i > 0 { l[i - 1] as u64 } else { 99 }, l[i] as u64));
    out.push(f2(T_S1_R, l[i] as u64, l.get(i + 1).map_or(99, |&x| x as u64)));
    if !f.cap[i] {
        return;
    }
    let Some(c) = all.get(&f.lower[i]) else { return };
    let o = own.get(&f.lower[i]).copied().unwrap_or([0; 5]);
    let c: [u16; 5] = std::array::from_fn(|k| c[k] - o[k]);
    let mut best = 0;
    for k in 0..5 {
        if c[k] > c[best] {
            best = k;
        }
        if c[k] > 0 {
            out.push(f1(T_DW_ANY, k as u64));
        }
    }
    if c.iter().any(|&x| x > 0) {
        out.push(f1(T_DW_MAJ, best as u64));
    }
}

/// [`docwide_token`] for every token of a document (for training).
pub fn docwide_features(feats: &[SentenceFeatures], labels: &[Vec<usize>]) -> Vec<Vec<Vec<u32>>> {
    let mut all: History = History::default();
    for (f, l) in feats.iter().zip(labels) {
        label_history(&mut all, f, l);
    }
    feats
        .iter()
        .zip(labels)
        .map(|(f, l)| {
            let mut own: History = History::default();
            label_history(&mut own, f, l);
            (0..f.len())
                .map(|i| {
                    let mut v = Vec::new();
                    docwide_token(&all, &own, f, l, i, &mut v);
                    v
                })
                .collect()
        })
        .collect()
}
