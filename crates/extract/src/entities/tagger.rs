//! The trained PER/ORG/LOC/MISC tagger: weights, gazetteers and training names, document-level decoding, and the
//! compact compressed model format (sorted feature hashes as varint deltas, weights quantised to i16, deflate).

use super::hash::HashMap;
use std::io::{Read, Write};

use super::clusters::Clusters;
use super::features::{history_features, record_history, sentence_features, DocContext, History, SentenceFeatures};
use super::gazetteer::{Gazetteer, TrainNames};
use super::knowledge::{put_varint, Knowledge};
use super::model::{emissions, label_type, viterbi, Table, L};
use super::packed::Packed;

const MAGIC: &[u8; 8] = b"GZNER05\n";

/// One perceptron: feature rows and label transitions.
#[derive(Debug, Clone, Default)]
pub struct Weights {
    pub(crate) table: Table,
    pub(crate) rows: Vec<[f32; L]>,
    pub(crate) trans: [[f32; L]; L],
    pub(crate) start: [f32; L],
}

impl Weights {
    /// Labels of every sentence of a document from its static features, with the prediction history of earlier
    /// sentences, plus per-token `extra` features when given.
    pub fn decode_doc(&self, feats: &[SentenceFeatures], extra: Option<&[Vec<Vec<u32>>]>) -> Vec<Vec<usize>> {
        let mut hist = History::default();
        let mut out = Vec::with_capacity(feats.len());
        for (si, f) in feats.iter().enumerate() {
            let tok_extra: Vec<Vec<u32>> = (0..f.len())
                .map(|i| {
                    let mut v = extra.map(|e| e[si][i].clone()).unwrap_or_default();
                    history_features(&hist, f.lower[i], f.cap[i], &mut v);
                    v
                })
                .collect();
            let em = emissions(f, &tok_extra, &self.rows, |id| self.table.get(id));
            let labels = viterbi(&em, &self.trans, &self.start);
            let types: Vec<usize> = labels.iter().map(|&l| label_type(l)).collect();
            record_history(&mut hist, f, &types);
            out.push(labels);
        }
        out
    }
}

/// A trained model: a first tagger, and a second one that also sees what the first predicted for the same words
/// everywhere else in the document (stacking, for document-level consistency).
#[derive(Debug, Clone)]
pub struct NerModel {
    pub(crate) packed: Packed,
    pub(crate) names: TrainNames,
    pub(crate) clusters: Clusters,
    /// Word classes and derived name lists.
    pub(crate) knowledge: Knowledge,
    /// Built-in and derived lists plus training names, for tagging.
    pub(crate) gaz: Gazetteer,
}

impl NerModel {
    pub fn new(
        first: Weights,
        second: Option<Weights>,
        names: TrainNames,
        clusters: Clusters,
        knowledge: Knowledge,
    ) -> NerModel {
        NerModel::from_packed(
            Packed::from_weights(&first, second.as_ref()),
            names,
            clusters,
            knowledge,
        )
    }

    fn from_packed(packed: Packed, names: TrainNames, clusters: Clusters, knowledge: Knowledge) -> NerModel {
        let gaz = Gazetteer::builtin()
            .with_derived(&knowledge.phrases)
            .with_train_names(&names);
        NerModel {
            packed,
            names,
            clusters,
            knowledge,
            gaz,
        }
    }

    /// The word clusters (to reuse them when retraining).
    pub fn clusters(&self) -> &Clusters {
        &self.clusters
    }

    /// The world knowledge (to reuse it when retraining).
    pub fn knowledge(&self) -> &Knowledge {
        &self.knowledge
    }

    /// Whether `surface` is a well-known name of type `kind`: a country, region or nationality of the curated and
    /// derived lists, a place alias (`U.S.`), or a name seen at least twice in training, mostly with that type.
    pub fn is_known_name(&self, surface: &str, kind: super::EntityKind) -> bool {
        use super::EntityKind::*;
        if kind == Location && super::resolve::alias(surface).is_some() {
            return true;
        }
        let toks = super::tokenize::tokenize(surface);
        let h = super::gazetteer::phrase_hash(toks.iter().map(|t| t.text.as_str()));
        let t = match kind {
            Person => 0,
            Organisation => 1,
            Location => 2,
            Misc => 3,
            _ => return false,
        };
        if let Some(c) = self.names.get(&h) {
            let total: u32 = c.iter().sum();
            if c[t] >= 2 && c[t] * 2 > total {
                return true;
            }
        }
        let bits = self.gaz.bits(h);
        match kind {
            Location => bits & super::gazetteer::COUNTRY_BITS != 0,
            Misc => bits & super::gazetteer::NATIONALITY_BITS != 0,
            _ => false,
        }
    }

    /// Number of weighted features.
    pub fn features(&self) -> usize {
        self.packed.len()
    }

    /// Labels (indexes into [`super::model::LABELS`]) for every sentence of a document.
    pub fn tag_doc(&self, doc: &[Vec<&str>]) -> Vec<Vec<usize>> {
        let ctx = DocContext::new(doc);
        let feats: Vec<SentenceFeatures> = doc
            .iter()
            .enumerate()
            .map(|(si, sent)| {
                sentence_features(sent, &self.gaz, None, &ctx, si, &self.clusters, &self.knowledge.classes)
            })
            .collect();
        self.packed.decode_doc(&feats)
    }

    /// Serialises and compresses the model.
    pub fn to_bytes(&self) -> Vec<u8> {
        let p = &self.packed;
        let mut raw = Vec::new();
        raw.extend_from_slice(MAGIC);
        raw.push(p.two_stage as u8);
        for stage in 0..2 {
            raw.extend_from_slice(&p.scale[stage].to_le_bytes());
            for row in &p.trans[stage] {
                for v in row {
                    raw.extend_from_slice(&v.to_le_bytes());
                }
            }
            for v in &p.start[stage] {
                raw.extend_from_slice(&v.to_le_bytes());
            }
        }
        let entries = p.entries();
        raw.extend_from_slice(&(entries.len() as u32).to_le_bytes());
        let mut prev = 0u32;
        for (k, _) in &entries {
            put_varint(&mut raw, (k - prev) as u64);
            prev = *k;
        }
        // Weights column by column: similar values sit together and compress better.
        for l in 0..2 * L {
            for (_, q) in &entries {
                raw.extend_from_slice(&q[l].to_le_bytes());
            }
        }
        let mut names: Vec<(&u64, &[u32; 4])> = self.names.iter().collect();
        names.sort_unstable();
        raw.extend_from_slice(&(names.len() as u32).to_le_bytes());
        for (h, c) in names {
            raw.extend_from_slice(&h.to_le_bytes());
            for v in c {
                put_varint(&mut raw, *v as u64);
            }
        }
        let cl = &self.clusters;
        raw.push(cl.levels.len() as u8);
        for &l in &cl.levels {
            raw.extend_from_slice(&(l as u16).to_le_bytes());
        }
        let mut words: Vec<(&u32, &Vec<u16>)> = cl.map.iter().collect();
        words.sort_unstable();
        raw.extend_from_slice(&(words.len() as u32).to_le_bytes());
        let mut prev = 0u32;
        for (k, _) in &words {
            put_varint(&mut raw, (*k - prev) as u64);
            prev = **k;
        }
        for l in 0..cl.levels.len() {
            for (_, ids) in &words {
                put_varint(&mut raw, ids[l] as u64);
            }
        }
        self.knowledge.write(&mut raw);
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&raw).expect("writing to a Vec");
        enc.finish().expect("writing to a Vec")
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<NerModel, String> {
        let mut raw = Vec::new();
        flate2::read::DeflateDecoder::new(bytes)
            .read_to_end(&mut raw)
            .map_err(|e| format!("model: {e}"))?;
        let mut r = Reader { b: &raw, i: 0 };
        if r.take(8)? != MAGIC {
            return Err("model: bad magic".into());
        }
        let two_stage = r.take(1)?[0] == 1;
        let mut scale = [0f32; 2];
        let mut trans = [[[0f32; L]; L]; 2];
        let mut start = [[0f32; L]; 2];
        for stage in 0..2 {
            scale[stage] = r.f32()?;
            for row in &mut trans[stage] {
                for v in row.iter_mut() {
                    *v = r.f32()?;
                }
            }
            for v in &mut start[stage] {
                *v = r.f32()?;
            }
        }
        let n = r.u32()? as usize;
        let mut packed = Packed::with_capacity(n);
        packed.two_stage = two_stage;
        packed.scale = scale;
        packed.trans = trans;
        packed.start = start;
        let mut keys = Vec::with_capacity(n);
        let mut key = 0u32;
        for _ in 0..n {
            key = key.wrapping_add(r.varint()? as u32);
            keys.push(key);
        }
        let mut rows = vec![[0i16; 2 * L]; n];
        for l in 0..2 * L {
            for row in rows.iter_mut() {
                let b = r.take(2)?;
                row[l] = i16::from_le_bytes([b[0], b[1]]);
            }
        }
        for (k, row) in keys.into_iter().zip(rows) {
            *packed.slot_mut(k) = row;
        }
        let m = r.u32()? as usize;
        let mut names = HashMap::with_capacity_and_hasher(m, Default::default());
        for _ in 0..m {
            let b = r.take(8)?;
            let h = u64::from_le_bytes(b.try_into().expect("8 bytes"));
            let mut c = [0u32; 4];
            for v in &mut c {
                *v = r.varint()? as u32;
            }
            names.insert(h, c);
        }
        let nl = r.take(1)?[0] as usize;
        let mut levels = Vec::with_capacity(nl);
        for _ in 0..nl {
            let b = r.take(2)?;
            levels.push(u16::from_le_bytes([b[0], b[1]]) as usize);
        }
        let nw = r.u32()? as usize;
        let mut keys = Vec::with_capacity(nw);
        let mut key = 0u32;
        for _ in 0..nw {
            key = key.wrapping_add(r.varint()? as u32);
            keys.push(key);
        }
        let mut ids = vec![Vec::with_capacity(nl); nw];
        for _ in 0..nl {
            for v in ids.iter_mut() {
                v.push(r.varint()? as u16);
            }
        }
        let map = keys.into_iter().zip(ids).collect();
        let knowledge = Knowledge::read(&mut r)?;
        Ok(NerModel::from_packed(
            packed,
            names,
            Clusters { levels, map },
            knowledge,
        ))
    }
}

pub(crate) struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let s = self.b.get(self.i..self.i + n).ok_or("model: truncated")?;
        self.i += n;
        Ok(s)
    }

    pub(crate) fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }

    pub(crate) fn f32(&mut self) -> Result<f32, String> {
        Ok(f32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }

    pub(crate) fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let b = self.take(1)?[0];
            v |= ((b & 0x7f) as u64) << shift;
            if b < 0x80 {
                return Ok(v);
            }
            shift += 7;
            if shift > 63 {
                return Err("model: bad varint".into());
            }
        }
    }
}
